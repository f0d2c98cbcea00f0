//! Who may connect: users with SCRAM-SHA-256 verifiers (never plaintext passwords), bearer
//! tokens for HTTP (stored as their SHA-256), and TLS settings.

use std::fmt;
use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = hmac::Hmac<Sha256>;

/// PBKDF2 iterations of the verifiers DocFusionDB makes (PostgreSQL's default).
pub const SCRAM_ITERATIONS: u32 = 4096;

/// How clients authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// SCRAM-SHA-256 against `auth.users` (HTTP: basic auth with the same password, or a
    /// bearer token from `auth.tokens`).
    #[default]
    ScramSha256,
    /// No password. Only allowed when every listen address is a loopback address.
    Trust,
}

/// The `auth` section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// `scram-sha-256` (default) or `trust`.
    #[serde(default)]
    pub method: AuthMethod,
    /// Users and their SCRAM verifiers. Empty = the node creates user `docfusion` with a
    /// generated password kept in `DATA_DIR/password`.
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// Bearer tokens for the HTTP API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<TokenConfig>,
}

/// One user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The user name clients connect as.
    pub name: String,
    /// A SCRAM-SHA-256 verifier, `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
    /// (what `docfusiondb hash-password` prints, and what PostgreSQL keeps in `pg_authid`).
    pub password: String,
}

/// One HTTP bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The user the token acts as.
    pub user: String,
    /// Lower-case hex SHA-256 of the token (the token itself is never stored).
    pub sha256: String,
}

/// Whether the Postgres protocol offers or demands TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// Plaintext only; a client asking for TLS is told the server has none.
    #[default]
    Disable,
    /// TLS when the client asks for it, plaintext otherwise.
    Allow,
    /// Plaintext connections are refused.
    Require,
}

/// The `tls` section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// `disable` (default), `allow` or `require`.
    #[serde(default)]
    pub mode: TlsMode,
    /// PEM certificate chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    /// PEM private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
}

/// A parsed SCRAM-SHA-256 verifier: what the server needs to check a client proof and prove
/// itself, and nothing a client could log in with.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramVerifier {
    /// PBKDF2 iteration count.
    pub iterations: u32,
    /// The salt.
    pub salt: Vec<u8>,
    /// H(ClientKey).
    pub stored_key: [u8; 32],
    /// HMAC(SaltedPassword, "Server Key").
    pub server_key: [u8; 32],
}

impl fmt::Debug for ScramVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramVerifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramVerifier {
    /// The verifier of `password` with a given salt and iteration count (RFC 5802/7677, as
    /// PostgreSQL computes it). Deterministic: the same inputs give the same verifier, which
    /// is what lets the operator re-render a node config without changing it.
    pub fn from_password(password: &str, salt: &[u8], iterations: u32) -> ScramVerifier {
        let salted = salted_password(password, salt, iterations);
        let client_key = hmac_sha256(&salted, b"Client Key");
        ScramVerifier {
            iterations,
            salt: salt.to_vec(),
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac_sha256(&salted, b"Server Key"),
        }
    }

    /// Whether `password` is the one this verifier was made from (HTTP basic auth).
    pub fn matches_password(&self, password: &str) -> bool {
        let candidate = ScramVerifier::from_password(password, &self.salt, self.iterations);
        constant_time_eq(&candidate.stored_key, &self.stored_key)
    }

    /// Parses `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!(
                "not a SCRAM-SHA-256 verifier ({why}); expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> as printed by `docfusiondb hash-password` (plaintext passwords are not accepted)"
            )
        };
        let rest = text
            .strip_prefix("SCRAM-SHA-256$")
            .ok_or_else(|| bad("missing SCRAM-SHA-256$ prefix"))?;
        let (params, keys) = rest.split_once('$').ok_or_else(|| bad("missing keys"))?;
        let (iterations, salt) = params.split_once(':').ok_or_else(|| bad("missing salt"))?;
        let (stored, server) = keys
            .split_once(':')
            .ok_or_else(|| bad("missing ServerKey"))?;
        let iterations: u32 = iterations
            .parse()
            .map_err(|_| bad("iterations is not a number"))?;
        if iterations == 0 {
            return Err(bad("iterations must be positive"));
        }
        let salt = B64.decode(salt).map_err(|_| bad("salt is not base64"))?;
        if salt.is_empty() {
            return Err(bad("empty salt"));
        }
        let key = |s: &str, name: &str| -> Result<[u8; 32], String> {
            B64.decode(s)
                .ok()
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .ok_or_else(|| bad(&format!("{name} is not 32 base64-encoded bytes")))
        };
        Ok(ScramVerifier {
            iterations,
            salt,
            stored_key: key(stored, "StoredKey")?,
            server_key: key(server, "ServerKey")?,
        })
    }
}

/// `Hi(Normalize(password), salt, i)` of RFC 5802 (PBKDF2-HMAC-SHA-256, one block).
fn salted_password(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    // Like PostgreSQL: a password SASLprep rejects is used as it is.
    let normalized = stringprep::saslprep(password)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| password.to_string());
    let first: Vec<u8> = [salt, &1u32.to_be_bytes()].concat();
    let mut u = hmac_sha256(normalized.as_bytes(), &first);
    let mut result = u;
    for _ in 1..iterations {
        u = hmac_sha256(normalized.as_bytes(), &u);
        for (r, x) in result.iter_mut().zip(u.iter()) {
            *r ^= x;
        }
    }
    result
}

/// HMAC-SHA-256 of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC takes keys of every length (longer ones are hashed first): this never fails.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Display for ScramVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            B64.encode(&self.salt),
            B64.encode(self.stored_key),
            B64.encode(self.server_key)
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // Produced by PostgreSQL 15 (`SET password_encryption = 'scram-sha-256'; CREATE ROLE …
    // PASSWORD 'secret'`, then `SELECT rolpassword FROM pg_authid`).
    pub(crate) const PG_VERIFIER: &str = "SCRAM-SHA-256$4096:YBDsABoSyZehLzkrv2kfzw==$glkww5FUdfPy+ZYorHUYeKadpo8xYRWDu1zs1Iim/Uc=:DEYi2D+Vl8AZMVTOf9DAoVr8vBiWTWdMJ75lx8RfQgc=";

    #[test]
    fn verifier_round_trips() {
        let v = ScramVerifier::parse(PG_VERIFIER).unwrap();
        assert_eq!(v.iterations, 4096);
        assert_eq!(v.salt.len(), 16);
        assert_eq!(v.to_string(), PG_VERIFIER);
        assert!(!format!("{v:?}").contains("stored_key"));
    }

    #[test]
    fn the_same_password_and_salt_give_postgres_own_verifier() {
        let v = ScramVerifier::parse(PG_VERIFIER).unwrap();
        let made = ScramVerifier::from_password("secret", &v.salt, 4096);
        assert_eq!(made.to_string(), PG_VERIFIER);
        assert!(v.matches_password("secret"));
        assert!(!v.matches_password("Secret"));
    }

    #[test]
    fn plaintext_and_broken_verifiers_are_refused() {
        for (text, why) in [
            ("secret", "prefix"),
            ("SCRAM-SHA-256$x:c2FsdA==$a:b", "iterations"),
            ("SCRAM-SHA-256$4096:c2FsdA==$YQ==:YQ==", "StoredKey"),
            ("SCRAM-SHA-256$4096:!!$YQ==:YQ==", "salt"),
        ] {
            let e = ScramVerifier::parse(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.contains("plaintext passwords are not accepted"));
        }
    }
}
