//! Authentication shared by the Postgres protocol and the HTTP API: users with SCRAM-SHA-256
//! verifiers (RFC 5802/7677, as PostgreSQL does it), HTTP basic auth checked against the same
//! verifiers, and bearer tokens kept as their SHA-256.
//!
//! The server side of SCRAM needs only StoredKey and ServerKey: the client proves it knows
//! ClientKey (`H(ClientKey) == StoredKey`) without the server ever holding the password or
//! anything a client could log in with.

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use docfusion_types::auth::{constant_time_eq, hmac_sha256 as hmac};
use docfusion_types::{AuthMethod, NodeConfig, SCRAM_ITERATIONS, ScramVerifier};
use sha2::{Digest, Sha256};

use crate::error::{SqlError, sqlstate};

/// The user the node creates when the config names none.
pub const DEFAULT_USER: &str = "docfusion";

/// The outcome of setting up authentication: a password generated on first start is handed
/// back so that `serve` can print it once.
#[derive(Debug)]
pub struct GeneratedPassword {
    /// File that holds it (mode 0600).
    pub path: PathBuf,
    /// The password.
    pub password: String,
    /// True when it was created by this start (false: read from an earlier start).
    pub created: bool,
}

/// Who may connect and how.
#[derive(Debug)]
pub struct Authenticator {
    method: AuthMethod,
    users: HashMap<String, ScramVerifier>,
    /// SHA-256 of a token → its user.
    tokens: HashMap<[u8; 32], String>,
    /// Basic-auth passwords already checked (user, SHA-256 of the password), so that HTTP
    /// requests don't pay PBKDF2 each time.
    basic_ok: Mutex<HashMap<(String, [u8; 32]), ()>>,
    /// A verifier for users that don't exist, so that an unknown user goes through the same
    /// exchange (and time) as a wrong password.
    mock: ScramVerifier,
}

fn auth_failed(user: &str) -> SqlError {
    SqlError::new(
        sqlstate::INVALID_PASSWORD,
        format!("password authentication failed for user \"{user}\""),
    )
}

impl Authenticator {
    /// Builds the authenticator of `config`; with no users configured, user `docfusion` gets
    /// the password kept in `DATA_DIR/password` (generated on first start).
    pub fn from_config(
        config: &NodeConfig,
    ) -> Result<(Authenticator, Option<GeneratedPassword>), SqlError> {
        let mut users = HashMap::new();
        for u in &config.auth.users {
            let v = ScramVerifier::parse(&u.password).map_err(|m| {
                SqlError::new(sqlstate::CONFIG_FILE_ERROR, format!("auth.users: {m}"))
            })?;
            users.insert(u.name.clone(), v);
        }
        let mut generated = None;
        if users.is_empty() && config.auth.method != AuthMethod::Trust {
            let g = default_password(&config.data_dir)?;
            users.insert(DEFAULT_USER.to_string(), verifier_for(&g.password));
            generated = Some(g);
        }
        let mut tokens = HashMap::new();
        for t in &config.auth.tokens {
            let mut digest = [0u8; 32];
            hex::decode_to_slice(&t.sha256, &mut digest).map_err(|e| {
                SqlError::new(sqlstate::CONFIG_FILE_ERROR, format!("auth.tokens: {e}"))
            })?;
            tokens.insert(digest, t.user.clone());
        }
        let auth = Authenticator {
            method: config.auth.method,
            users,
            tokens,
            basic_ok: Mutex::new(HashMap::new()),
            mock: verifier_for(&uuid::Uuid::new_v4().to_string()),
        };
        Ok((auth, generated))
    }

    /// True when clients need no password.
    pub fn is_trust(&self) -> bool {
        self.method == AuthMethod::Trust
    }

    /// Whether a client at `peer` may connect without a password.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.is_trust() && peer.is_loopback()
    }

    /// Starts a SCRAM exchange for `user` with the client's first message.
    pub fn scram_start(
        &self,
        user: &str,
        client_first: &[u8],
    ) -> Result<(String, ScramExchange), SqlError> {
        let (verifier, known) = match self.users.get(user) {
            Some(v) => (v.clone(), true),
            None => (self.mock.clone(), false),
        };
        ScramExchange::start(user, verifier, known, client_first)
    }

    /// Checks HTTP basic credentials.
    pub fn check_password(&self, user: &str, password: &str) -> Result<(), SqlError> {
        if self.is_trust() {
            return Ok(());
        }
        let key = (user.to_string(), Sha256::digest(password.as_bytes()).into());
        if let Ok(cache) = self.basic_ok.lock()
            && cache.contains_key(&key)
        {
            return Ok(());
        }
        let v = self.users.get(user).ok_or_else(|| auth_failed(user))?;
        if !v.matches_password(password) {
            return Err(auth_failed(user));
        }
        if let Ok(mut cache) = self.basic_ok.lock() {
            cache.insert(key, ());
        }
        Ok(())
    }

    /// The user of an HTTP bearer token.
    pub fn check_token(&self, token: &str) -> Result<String, SqlError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.tokens
            .get(&digest)
            .cloned()
            .ok_or_else(|| SqlError::new(sqlstate::INVALID_AUTHORIZATION, "invalid bearer token"))
    }
}

/// Reads `DATA_DIR/password`, or creates it (mode 0600) with a new random password.
fn default_password(data_dir: &Path) -> Result<GeneratedPassword, SqlError> {
    let path = data_dir.join("password");
    let io = |e: std::io::Error| {
        SqlError::new(
            sqlstate::IO_ERROR,
            format!("cannot use password file {}: {e}", path.display()),
        )
    };
    if path.exists() {
        let password = std::fs::read_to_string(&path)
            .map_err(io)?
            .trim()
            .to_string();
        if password.is_empty() {
            return Err(SqlError::new(
                sqlstate::CONFIG_FILE_ERROR,
                format!("password file {} is empty", path.display()),
            ));
        }
        return Ok(GeneratedPassword {
            path,
            password,
            created: false,
        });
    }
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let mut bytes = [0u8; 18];
    rand::fill(&mut bytes);
    // URL-safe so that it can be pasted into a connection URL unescaped.
    let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&path).map_err(io)?;
    writeln!(f, "{password}").map_err(io)?;
    Ok(GeneratedPassword {
        path,
        password,
        created: true,
    })
}

/// The lower-case hex SHA-256 of a bearer token, as `auth.tokens[].sha256` holds it.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A SCRAM-SHA-256 verifier for `password` with a fresh salt (4096 iterations, as PostgreSQL).
pub fn verifier_for(password: &str) -> ScramVerifier {
    let mut salt = vec![0u8; 16];
    rand::fill(salt.as_mut_slice());
    verifier_with_salt(password, &salt, SCRAM_ITERATIONS)
}

/// The verifier of `password` with a given salt and iteration count.
pub fn verifier_with_salt(password: &str, salt: &[u8], iterations: u32) -> ScramVerifier {
    ScramVerifier::from_password(password, salt, iterations)
}

/// The server side of one SCRAM-SHA-256 exchange, between the server-first and the
/// client-final message.
#[derive(Debug)]
pub struct ScramExchange {
    user: String,
    verifier: ScramVerifier,
    known_user: bool,
    client_first_bare: String,
    server_first: String,
    gs2_header: String,
    nonce: String,
}

fn protocol(message: impl Into<String>) -> SqlError {
    SqlError::new(sqlstate::PROTOCOL_VIOLATION, message)
}

impl ScramExchange {
    fn start(
        user: &str,
        verifier: ScramVerifier,
        known_user: bool,
        client_first: &[u8],
    ) -> Result<(String, ScramExchange), SqlError> {
        let text = std::str::from_utf8(client_first)
            .map_err(|_| protocol("malformed SCRAM message (not UTF-8)"))?;
        // gs2-header: channel-binding flag, optional authzid, then the bare message.
        let (cbind, rest) = text
            .split_once(',')
            .ok_or_else(|| protocol("malformed SCRAM message (no GS2 header)"))?;
        match cbind {
            "n" | "y" => {}
            _ if cbind.starts_with("p=") => {
                return Err(protocol(
                    "channel binding is not supported by this server: use SCRAM-SHA-256",
                ));
            }
            _ => {
                return Err(protocol(
                    "malformed SCRAM message (bad channel binding flag)",
                ));
            }
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or_else(|| protocol("malformed SCRAM message (no authzid field)"))?;
        if !authzid.is_empty() {
            return Err(protocol("SCRAM authorization identities are not supported"));
        }
        let client_nonce = bare
            .split(',')
            .find_map(|a| a.strip_prefix("r="))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| protocol("malformed SCRAM message (no nonce)"))?;
        let mut server_nonce = [0u8; 18];
        rand::fill(&mut server_nonce);
        let nonce = format!("{client_nonce}{}", B64.encode(server_nonce));
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&verifier.salt),
            verifier.iterations
        );
        Ok((
            server_first.clone(),
            ScramExchange {
                user: user.to_string(),
                verifier,
                known_user,
                client_first_bare: bare.to_string(),
                server_first,
                gs2_header: format!("{cbind},{authzid},"),
                nonce,
            },
        ))
    }

    /// Checks the client's proof; on success returns the server-final message.
    pub fn finish(&self, client_final: &[u8]) -> Result<String, SqlError> {
        let text = std::str::from_utf8(client_final)
            .map_err(|_| protocol("malformed SCRAM message (not UTF-8)"))?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or_else(|| protocol("malformed SCRAM message (no proof)"))?;
        let mut channel_binding = None;
        let mut nonce = None;
        for attr in without_proof.split(',') {
            if let Some(c) = attr.strip_prefix("c=") {
                channel_binding = Some(c);
            } else if let Some(r) = attr.strip_prefix("r=") {
                nonce = Some(r);
            }
        }
        let expected_binding = B64.encode(self.gs2_header.as_bytes());
        if channel_binding != Some(expected_binding.as_str()) {
            return Err(protocol("SCRAM channel binding check failed"));
        }
        if nonce != Some(self.nonce.as_str()) {
            return Err(protocol("SCRAM nonce does not match"));
        }
        let proof = B64
            .decode(proof)
            .map_err(|_| protocol("malformed SCRAM message (proof is not base64)"))?;
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let client_signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        if proof.len() != 32 || !self.known_user {
            return Err(auth_failed(&self.user));
        }
        let client_key: Vec<u8> = proof
            .iter()
            .zip(client_signature.iter())
            .map(|(p, s)| p ^ s)
            .collect();
        let stored: [u8; 32] = Sha256::digest(&client_key).into();
        if !constant_time_eq(&stored, &self.verifier.stored_key) {
            return Err(auth_failed(&self.user));
        }
        let server_signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};

    // Made by PostgreSQL 15 for the password "secret" (`SELECT rolpassword FROM pg_authid`).
    const PG_SECRET: &str = "SCRAM-SHA-256$4096:YBDsABoSyZehLzkrv2kfzw==$glkww5FUdfPy+ZYorHUYeKadpo8xYRWDu1zs1Iim/Uc=:DEYi2D+Vl8AZMVTOf9DAoVr8vBiWTWdMJ75lx8RfQgc=";

    fn auth_with(verifier: &str) -> Authenticator {
        let yaml = format!("auth:\n  users:\n    - name: app\n      password: \"{verifier}\"\n");
        let config = NodeConfig::from_yaml(&yaml).unwrap();
        Authenticator::from_config(&config).unwrap().0
    }

    /// Runs a whole exchange with the client of `postgres-protocol` (what tokio-postgres
    /// uses), returning the server's verdict.
    fn exchange(auth: &Authenticator, user: &str, password: &str) -> Result<(), SqlError> {
        let mut client = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
        let (server_first, ex) = auth.scram_start(user, client.message())?;
        client.update(server_first.as_bytes()).unwrap();
        let server_final = ex.finish(client.message())?;
        client
            .finish(server_final.as_bytes())
            .map_err(|e| SqlError::new("XX000", format!("client rejected the server: {e}")))
    }

    #[test]
    fn a_postgres_made_verifier_accepts_its_password() {
        let auth = auth_with(PG_SECRET);
        exchange(&auth, "app", "secret").unwrap();
        auth.check_password("app", "secret").unwrap();
        // Same salt and iterations give PostgreSQL's own keys.
        let v = ScramVerifier::parse(PG_SECRET).unwrap();
        assert_eq!(verifier_with_salt("secret", &v.salt, 4096), v);
    }

    #[test]
    fn wrong_password_and_unknown_user_fail_alike() {
        let auth = auth_with(PG_SECRET);
        let e = exchange(&auth, "app", "Secret").unwrap_err();
        assert_eq!(e.code, "28P01");
        assert_eq!(e.message, "password authentication failed for user \"app\"");
        let e = exchange(&auth, "nobody", "secret").unwrap_err();
        assert_eq!(e.code, "28P01");
        assert_eq!(
            auth.check_password("app", "nope").unwrap_err().code,
            "28P01"
        );
        assert_eq!(
            auth.check_password("x", "secret").unwrap_err().code,
            "28P01"
        );
    }

    #[test]
    fn tampered_messages_are_protocol_violations() {
        let auth = auth_with(PG_SECRET);
        let mut client = ScramSha256::new(b"secret", ChannelBinding::unsupported());
        let (server_first, ex) = auth.scram_start("app", client.message()).unwrap();
        client.update(server_first.as_bytes()).unwrap();
        let good = String::from_utf8(client.message().to_vec()).unwrap();
        let bad_nonce = good.replacen("r=", "r=x", 1);
        assert_eq!(ex.finish(bad_nonce.as_bytes()).unwrap_err().code, "08P01");
        assert!(
            auth.scram_start("app", b"p=tls-server-end-point,,n=,r=abc")
                .is_err()
        );
        assert!(auth.scram_start("app", b"garbage").is_err());
    }

    #[test]
    fn default_password_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let config = NodeConfig {
            data_dir: dir.path().join("data"),
            ..NodeConfig::default()
        };
        let (auth, g) = Authenticator::from_config(&config).unwrap();
        let g = g.unwrap();
        assert!(g.created);
        exchange(&auth, DEFAULT_USER, &g.password).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&g.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (_, again) = Authenticator::from_config(&config).unwrap();
        let again = again.unwrap();
        assert!(!again.created);
        assert_eq!(again.password, g.password);
    }

    #[test]
    fn tokens_are_matched_by_their_digest() {
        let token_digest = hex::encode(Sha256::digest(b"tok-123"));
        let yaml = format!(
            "auth:\n  users:\n    - name: app\n      password: \"{PG_SECRET}\"\n  tokens:\n    - user: app\n      sha256: {token_digest}\n"
        );
        let config = NodeConfig::from_yaml(&yaml).unwrap();
        let (auth, _) = Authenticator::from_config(&config).unwrap();
        assert_eq!(auth.check_token("tok-123").unwrap(), "app");
        assert_eq!(auth.check_token("tok-124").unwrap_err().code, "28000");
    }
}
