//! `COPY collection FROM STDIN`: which statements are bulk loads and what their options
//! mean. A collection has one logical column, the document: plain `COPY c FROM STDIN` (or
//! `FORMAT text`) reads NDJSON, one document per line; `FORMAT csv` reads the columns
//! `(doc)` or `(id, doc)`.

use datafusion::sql::sqlparser::ast;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::{SqlError, sqlstate};
use crate::load::reader::{CsvOptions, Format};
use crate::write::names::{normalize, table_name};

/// A `COPY … FROM STDIN` to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyCommand {
    /// The collection written.
    pub collection: String,
    /// How the data is laid out.
    pub format: Format,
    /// Columns per row, as announced to the client in CopyInResponse.
    pub columns: usize,
}

/// What `sql` is, for the COPY support: `None` when it is no `COPY … FROM STDIN`/`TO
/// STDOUT`/`FROM 'file'` (DataFusion's `COPY … TO 'file'` included, and text the Postgres
/// grammar does not parse), else the command or the error that refuses it.
pub fn parse_copy(sql: &str) -> Option<Result<CopyCommand, SqlError>> {
    let head = sql.trim_start();
    let is_copy = head
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("copy"))
        && head[4..].starts_with(|c: char| c.is_whitespace() || c == '(');
    if !is_copy {
        return None;
    }
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let [
        ast::Statement::Copy {
            source,
            to,
            target,
            options,
            legacy_options,
            values,
        },
    ] = statements.as_slice()
    else {
        return None;
    };
    match (to, target) {
        (false, ast::CopyTarget::Stdin) => {}
        (false, _) => {
            return Some(Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "COPY FROM a file or program on the server is not supported: send the data with COPY … FROM STDIN (psql: \\copy)",
            )));
        }
        (true, ast::CopyTarget::Stdout) => {
            return Some(Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "COPY … TO STDOUT is not supported: read documents with SELECT (or the HTTP API's Arrow stream)",
            )));
        }
        (true, _) => return None,
    }
    if !values.is_empty() || more_after_semicolon(sql) {
        return Some(Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "COPY … FROM STDIN must be the last statement of its query: send the data as COPY data, not inline",
        )));
    }
    Some(command(source, options, legacy_options))
}

/// True when `sql` has anything but whitespace after its first `;` (the Postgres grammar
/// reads what follows `COPY … FROM STDIN;` as inline data, and drops it).
fn more_after_semicolon(sql: &str) -> bool {
    use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return false;
    };
    tokens
        .iter()
        .skip_while(|t| **t != Token::SemiColon)
        .any(|t| !matches!(t, Token::SemiColon | Token::Whitespace(_) | Token::EOF))
}

fn command(
    source: &ast::CopySource,
    options: &[ast::CopyOption],
    legacy: &[ast::CopyLegacyOption],
) -> Result<CopyCommand, SqlError> {
    let ast::CopySource::Table {
        table_name: name,
        columns,
    } = source
    else {
        return Err(SqlError::new(
            sqlstate::SYNTAX_ERROR,
            "COPY FROM takes a collection, not a query",
        ));
    };
    let collection = table_name(name)?;
    let columns: Vec<String> = columns.iter().map(normalize).collect();
    let settings = Settings::from_options(options, legacy)?;
    let (id_column, doc_column) = column_positions(&collection, &columns)?;
    let count = columns.len().max(1);
    let format = if settings.csv {
        let mut csv = CsvOptions::new(false);
        csv.columns = count;
        csv.id_column = id_column;
        csv.doc_column = doc_column;
        csv.header = settings.header;
        if let Some(d) = settings.delimiter {
            csv.delimiter = d;
        }
        if let Some(q) = settings.quote {
            csv.quote = q;
            csv.escape = q;
        }
        if let Some(e) = settings.escape {
            csv.escape = e;
        }
        if let Some(n) = settings.null {
            csv.null = n;
        }
        Format::Csv(csv)
    } else {
        if id_column.is_some() {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "COPY {collection} (id, doc) needs FORMAT csv: in the default format each line is one JSON document, whose id is its \"id\" field"
                ),
            ));
        }
        if settings.header || settings.delimiter.is_some() || settings.quote.is_some() {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "HEADER, DELIMITER and QUOTE apply to FORMAT csv; the default format reads one JSON document per line",
            ));
        }
        Format::Ndjson
    };
    Ok(CopyCommand {
        collection,
        format,
        columns: count,
    })
}

/// Where `id` and `doc` are in the column list (`doc` alone when there is none).
fn column_positions(
    collection: &str,
    columns: &[String],
) -> Result<(Option<usize>, usize), SqlError> {
    if columns.is_empty() {
        return Ok((None, 0));
    }
    for (i, c) in columns.iter().enumerate() {
        if c != "id" && c != "doc" {
            return Err(SqlError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "COPY {collection} cannot load column \"{c}\": a collection loads (doc) or (id, doc)"
                ),
            ));
        }
        if columns[..i].contains(c) {
            return Err(SqlError::new(
                "42701",
                format!("column \"{c}\" specified more than once"),
            ));
        }
    }
    let doc = columns.iter().position(|c| c == "doc").ok_or_else(|| {
        SqlError::new(
            "23502",
            format!("COPY {collection} needs the doc column: a document cannot be null"),
        )
    })?;
    Ok((columns.iter().position(|c| c == "id"), doc))
}

/// The options of a COPY statement, in either syntax.
#[derive(Default)]
struct Settings {
    csv: bool,
    header: bool,
    delimiter: Option<u8>,
    quote: Option<u8>,
    escape: Option<u8>,
    null: Option<String>,
}

fn single_byte(option: &str, c: char) -> Result<u8, SqlError> {
    if c.is_ascii() {
        Ok(c as u8)
    } else {
        Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("COPY {option} must be a single one-byte character"),
        ))
    }
}

fn unsupported(option: &str) -> SqlError {
    SqlError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("COPY option {option} is not supported for loading documents"),
    )
}

impl Settings {
    fn from_options(
        options: &[ast::CopyOption],
        legacy: &[ast::CopyLegacyOption],
    ) -> Result<Settings, SqlError> {
        use ast::CopyLegacyCsvOption as L;
        use ast::CopyOption as O;
        let mut s = Settings::default();
        for o in options {
            match o {
                O::Format(name) => match name.value.to_ascii_lowercase().as_str() {
                    "text" | "ndjson" => s.csv = false,
                    "csv" => s.csv = true,
                    "binary" => {
                        return Err(SqlError::new(
                            sqlstate::FEATURE_NOT_SUPPORTED,
                            "COPY FORMAT binary is not supported: send NDJSON (FORMAT text) or CSV",
                        ));
                    }
                    other => {
                        return Err(SqlError::new(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            format!("COPY format \"{other}\" not recognized"),
                        ));
                    }
                },
                O::Header(h) => s.header = *h,
                O::Delimiter(c) => s.delimiter = Some(single_byte("DELIMITER", *c)?),
                O::Quote(c) => s.quote = Some(single_byte("QUOTE", *c)?),
                O::Escape(c) => s.escape = Some(single_byte("ESCAPE", *c)?),
                O::Null(n) => s.null = Some(n.clone()),
                O::Encoding(e) => {
                    let e = e.to_ascii_lowercase().replace(['-', '_'], "");
                    if e != "utf8" {
                        return Err(SqlError::new(
                            sqlstate::FEATURE_NOT_SUPPORTED,
                            "COPY ENCODING must be UTF8",
                        ));
                    }
                }
                O::Freeze(_) => {}
                O::ForceQuote(_) => return Err(unsupported("FORCE_QUOTE")),
                O::ForceNotNull(_) => return Err(unsupported("FORCE_NOT_NULL")),
                O::ForceNull(_) => return Err(unsupported("FORCE_NULL")),
            }
        }
        for o in legacy {
            match o {
                ast::CopyLegacyOption::Binary => {
                    return Err(SqlError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "COPY BINARY is not supported: send NDJSON or CSV",
                    ));
                }
                ast::CopyLegacyOption::Delimiter(c) => {
                    s.delimiter = Some(single_byte("DELIMITER", *c)?)
                }
                ast::CopyLegacyOption::Null(n) => s.null = Some(n.clone()),
                ast::CopyLegacyOption::Header => s.header = true,
                ast::CopyLegacyOption::Csv(csv) => {
                    s.csv = true;
                    for c in csv {
                        match c {
                            L::Header => s.header = true,
                            L::Quote(q) => s.quote = Some(single_byte("QUOTE", *q)?),
                            L::Escape(e) => s.escape = Some(single_byte("ESCAPE", *e)?),
                            L::ForceQuote(_) => return Err(unsupported("FORCE QUOTE")),
                            L::ForceNotNull(_) => return Err(unsupported("FORCE NOT NULL")),
                        }
                    }
                }
                other => return Err(unsupported(&other.to_string())),
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str) -> CopyCommand {
        parse_copy(sql).expect("a COPY").expect("accepted")
    }

    fn refused(sql: &str) -> SqlError {
        parse_copy(sql).expect("a COPY").expect_err("refused")
    }

    #[test]
    fn plain_copy_reads_ndjson() {
        for sql in [
            "COPY items FROM STDIN",
            "copy items (doc) from stdin",
            "COPY public.items FROM STDIN WITH (FORMAT text)",
            "COPY items FROM STDIN (FORMAT ndjson);",
        ] {
            let c = ok(sql);
            assert_eq!(c.collection, "items", "{sql}");
            assert_eq!(c.format, Format::Ndjson, "{sql}");
            assert_eq!(c.columns, 1);
        }
    }

    #[test]
    fn csv_takes_doc_or_id_and_doc() {
        let c = ok("COPY items (id, doc) FROM STDIN WITH (FORMAT csv, HEADER)");
        let mut expected = CsvOptions::new(true);
        expected.header = true;
        assert_eq!(c.format, Format::Csv(expected));
        assert_eq!(c.columns, 2);
        let c = ok("COPY items (doc, id) FROM STDIN CSV DELIMITER ';' NULL 'NULL'");
        let Format::Csv(csv) = c.format else {
            panic!("csv")
        };
        assert_eq!(
            (csv.doc_column, csv.id_column, csv.delimiter),
            (0, Some(1), b';')
        );
        assert_eq!(csv.null, "NULL");
        assert_eq!(
            ok("COPY items FROM STDIN (FORMAT csv)").format,
            Format::Csv(CsvOptions::new(false))
        );
    }

    #[test]
    fn what_is_refused_and_what_is_not_ours() {
        assert_eq!(refused("COPY items TO STDOUT").code, "0A000");
        assert_eq!(refused("COPY items FROM '/etc/passwd'").code, "0A000");
        assert_eq!(
            refused("COPY items FROM STDIN (FORMAT binary)").code,
            "0A000"
        );
        assert_eq!(refused("COPY items (id, doc) FROM STDIN").code, "0A000");
        assert_eq!(
            refused("COPY items (doc, version) FROM STDIN (FORMAT csv)").code,
            "0A000"
        );
        assert_eq!(
            refused("COPY items FROM STDIN; SELECT 1").code,
            "0A000",
            "statements after COPY"
        );
        assert_eq!(refused("COPY items FROM STDIN (FORMAT yaml)").code, "22023");
        // DataFusion's COPY … TO 'file', and anything else, is not ours.
        assert!(parse_copy("COPY items TO '/tmp/x.parquet'").is_none());
        assert!(parse_copy("SELECT 1").is_none());
        assert!(parse_copy("copying").is_none());
    }
}
