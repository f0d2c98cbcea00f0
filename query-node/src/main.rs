//! The `docfusiondb` binary.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use docfusiondb::cli::{client, demo, load, serve};

#[derive(Parser)]
#[command(
    name = "docfusiondb",
    version,
    about = "DocFusionDB: SQL over JSON documents sharded across PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How `sql` and `load` authenticate to the node.
#[derive(clap::Args)]
struct AuthArgs {
    /// User to authenticate as.
    #[arg(long, env = "DOCFUSION_USER", default_value = docfusiondb::auth::DEFAULT_USER)]
    user: String,
    /// Password (default: the one in DATA_DIR/password, if that file exists).
    #[arg(long, env = "DOCFUSION_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Data directory of a local node, whose `password` file is used when no password is given.
    #[arg(long, env = "DOCFUSION_DATA_DIR", default_value = "./docfusion-data")]
    data_dir: PathBuf,
}

impl AuthArgs {
    fn credentials(self) -> anyhow::Result<client::Credentials> {
        client::Credentials::resolve(self.user, self.password, &self.data_dir)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a query node (embedded Postgres shards unless the config names shards).
    Serve {
        /// Node config file (YAML).
        #[arg(long, env = "DOCFUSION_CONFIG")]
        config: Option<PathBuf>,
        /// Data directory (overrides `data_dir`).
        #[arg(long, env = "DOCFUSION_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// HTTP listen address (overrides `listen.http`).
        #[arg(long, env = "DOCFUSION_HTTP_LISTEN")]
        http: Option<String>,
        /// Postgres protocol listen address (overrides `listen.postgres`).
        #[arg(long, env = "DOCFUSION_PG_LISTEN")]
        postgres: Option<String>,
        /// Number of embedded shards (overrides `embedded.shards`).
        #[arg(long, env = "DOCFUSION_EMBEDDED_SHARDS")]
        shards: Option<usize>,
    },
    /// Run SQL on a running node and print the result.
    Sql {
        /// The SQL text.
        query: String,
        /// The node's HTTP address.
        #[arg(long, env = "DOCFUSION_NODE", default_value = client::DEFAULT_NODE)]
        node: String,
        /// Print per-operator time and rows (EXPLAIN ANALYZE) instead of the rows.
        #[arg(long)]
        profile: bool,
        /// Print the raw JSON response.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Load an NDJSON file (one document per line) into a collection, creating it if needed.
    ///
    /// Every line is checked first: a bad line stops the load before anything is written
    /// (unless --skip-bad). Batches are committed as they go; if the load stops, it says
    /// which lines are loaded and the --skip-lines command that resumes it.
    Load {
        /// Collection name.
        collection: String,
        /// NDJSON file; `-` reads standard input.
        file: PathBuf,
        /// Field holding each document's id (a UUIDv7 is generated where absent).
        #[arg(long, default_value = "id")]
        id_field: String,
        /// The node's HTTP address.
        #[arg(long, env = "DOCFUSION_NODE", default_value = client::DEFAULT_NODE)]
        node: String,
        /// Lines per request (each request is one transaction).
        #[arg(long, default_value_t = 50_000)]
        batch_lines: usize,
        /// Skip this many lines first (to resume a load that stopped).
        #[arg(long, default_value_t = 0)]
        skip_lines: u64,
        /// Report bad lines (number and reason) and load the others, instead of loading
        /// nothing.
        #[arg(long)]
        skip_bad: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Start the embedded node, load sample listings and run example queries.
    Demo {
        /// Data directory of the embedded shards.
        #[arg(long, env = "DOCFUSION_DATA_DIR", default_value = "./docfusion-data")]
        data_dir: PathBuf,
        /// Number of sample listings.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Sample data set.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Embedded shards.
        #[arg(long, default_value_t = 2)]
        shards: usize,
        /// Listing embeddings written by scripts/embed_listings.py (default:
        /// DATA_DIR/embeddings.ndjson); the semantic search runs when the file exists.
        #[arg(long)]
        embeddings: Option<PathBuf>,
    },
    /// Read a password from stdin and print its SCRAM-SHA-256 verifier for `auth.users`.
    HashPassword,
    /// Read an HTTP bearer token from stdin and print its SHA-256 for `auth.tokens`.
    HashToken,
    /// Write sample listings as NDJSON.
    Generate {
        /// Number of listings.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Data set.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve {
            config,
            data_dir,
            http,
            postgres,
            shards,
        } => {
            serve::serve(serve::ServeOptions {
                config,
                data_dir,
                http,
                postgres,
                shards,
            })
            .await
        }
        Command::Sql {
            query,
            node,
            profile,
            json,
            auth,
        } => {
            let credentials = auth.credentials()?;
            let sql = if profile {
                format!("EXPLAIN ANALYZE {query}")
            } else {
                query
            };
            let response = client::run_sql(&node, &credentials, &sql).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&response)?);
            } else if profile {
                // EXPLAIN ANALYZE returns (plan_type, plan): print the plan text as is.
                for row in response["rows"].as_array().into_iter().flatten() {
                    if let Some(plan) = row.get(1).and_then(|p| p.as_str()) {
                        println!("{plan}");
                    }
                }
            } else {
                println!("{}", client::response_table(&response));
            }
            Ok(())
        }
        Command::Load {
            collection,
            file,
            id_field,
            node,
            batch_lines,
            skip_lines,
            skip_bad,
            auth,
        } => {
            let summary = load::load(load::LoadOptions {
                node,
                credentials: auth.credentials()?,
                collection: collection.clone(),
                input: file,
                id_field,
                batch_lines: batch_lines.max(1),
                skip_lines,
                skip_bad,
            })
            .await?;
            if summary.skipped > 0 {
                println!(
                    "loaded {} documents into {collection}; skipped {} bad lines",
                    summary.loaded, summary.skipped
                );
            } else {
                println!("loaded {} documents into {collection}", summary.loaded);
            }
            Ok(())
        }
        Command::Demo {
            data_dir,
            count,
            seed,
            shards,
            embeddings,
        } => {
            demo::demo(demo::DemoOptions {
                data_dir,
                count,
                seed,
                shards,
                embeddings,
            })
            .await
        }
        Command::HashPassword => {
            let secret = read_secret("password")?;
            println!("{}", docfusiondb::auth::verifier_for(&secret));
            Ok(())
        }
        Command::HashToken => {
            let secret = read_secret("token")?;
            println!("{}", docfusiondb::auth::token_digest(&secret));
            Ok(())
        }
        Command::Generate { count, seed, out } => {
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    docfusion_sample::write_ndjson(seed, count, file)?;
                }
                None => {
                    docfusion_sample::write_ndjson(seed, count, std::io::stdout().lock())?;
                }
            }
            Ok(())
        }
    }
}

/// The first line of stdin, without its line break.
fn read_secret(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {what} from stdin"))?;
    let secret = line.trim_end_matches(['\n', '\r']).to_string();
    if secret.is_empty() {
        anyhow::bail!(
            "no {what} on stdin (e.g. `printf %s \"$SECRET\" | docfusiondb hash-{what}`)"
        );
    }
    Ok(secret)
}
