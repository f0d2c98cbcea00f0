//! The generated Secrets: the shards' role (`<cluster>-credentials`) and the clients' user
//! (`<cluster>-client`). Each is created once with random values and never overwritten: the
//! controller only creates them when they do not exist. The client user reaches the node
//! config only as a SCRAM verifier, computed from the Secret's password and salt so that
//! re-rendering gives the same file.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use docfusion_types::{SCRAM_ITERATIONS, ScramVerifier};
use k8s_openapi::api::core::v1::Secret;
use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

use super::BuildContext;
use crate::names::{Component, DEFAULT_CLIENT_USERNAME, DEFAULT_USERNAME};

/// Key of the client Secret holding the base64 salt of the SCRAM verifier.
pub const SCRAM_SALT_KEY: &str = "scramSalt";
/// Key of the client Secret holding an HTTP bearer token.
pub const TOKEN_KEY: &str = "token";
/// Bytes of a generated SCRAM salt (as PostgreSQL).
pub const SALT_LEN: usize = 16;

/// Length of generated passwords (alphanumeric: ~190 bits).
pub const PASSWORD_LEN: usize = 32;

/// A fresh random password.
pub fn generate_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(PASSWORD_LEN)
        .map(char::from)
        .collect()
}

/// A fresh random SCRAM salt.
pub fn generate_salt() -> Vec<u8> {
    let mut salt = vec![0u8; SALT_LEN];
    rand::fill(salt.as_mut_slice());
    salt
}

fn generated_secret(
    ctx: &BuildContext<'_>,
    name: String,
    data: BTreeMap<String, String>,
) -> Secret {
    let mut meta = ctx.component_meta(name, Component::Shard);
    // Deleting the cluster must not delete credentials a restored cluster needs: garbage
    // collection is what the deletion policy decides, so Retain clusters drop the reference.
    if ctx.cluster.spec.deletion_policy == docfusion_crds::DeletionPolicy::Retain {
        meta.owner_references = None;
    }
    Secret {
        metadata: meta,
        type_: Some("kubernetes.io/basic-auth".into()),
        string_data: Some(data),
        ..Secret::default()
    }
}

/// The credentials Secret with the given password (the caller generates it, so that this
/// stays pure and testable).
pub fn credentials_secret(ctx: &BuildContext<'_>, password: &str) -> Secret {
    generated_secret(
        ctx,
        ctx.names.generated_credentials(),
        BTreeMap::from([
            ("username".to_string(), DEFAULT_USERNAME.to_string()),
            ("password".to_string(), password.to_string()),
        ]),
    )
}

/// What clients log in to the query nodes with, as read from (or written to) a Secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub username: String,
    pub password: String,
    /// An HTTP bearer token, if the Secret has one.
    pub token: Option<String>,
    /// The salt of the SCRAM verifier, if the Secret keeps one.
    pub salt: Option<Vec<u8>>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// New random credentials for the generated client Secret.
    pub fn generate() -> Self {
        Self {
            username: DEFAULT_CLIENT_USERNAME.to_string(),
            password: generate_password(),
            token: Some(generate_password()),
            salt: Some(generate_salt()),
        }
    }
}

/// The generated client Secret holding `creds` (password, token and the verifier's salt).
pub fn client_secret(ctx: &BuildContext<'_>, creds: &ClientCredentials) -> Secret {
    let mut data = BTreeMap::from([
        ("username".to_string(), creds.username.clone()),
        ("password".to_string(), creds.password.clone()),
    ]);
    if let Some(token) = &creds.token {
        data.insert(TOKEN_KEY.to_string(), token.clone());
    }
    if let Some(salt) = &creds.salt {
        data.insert(SCRAM_SALT_KEY.to_string(), B64.encode(salt));
    }
    generated_secret(ctx, ctx.names.generated_client_credentials(), data)
}

/// Reads client credentials from an existing Secret: `username` and `password` are
/// required, `token` and `scramSalt` (base64) optional.
pub fn client_credentials_of(secret: &Secret) -> Result<ClientCredentials, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        secret
            .data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| String::from_utf8(v.0.clone()).map_err(|_| format!("`{key}` is not UTF-8")))
            .transpose()
    };
    let username = text("username")?.ok_or("has no `username` key")?;
    let password = text("password")?.ok_or("has no `password` key")?;
    if username.trim().is_empty() {
        return Err("`username` is empty".into());
    }
    if password.is_empty() {
        return Err("`password` is empty".into());
    }
    let salt = text(SCRAM_SALT_KEY)?
        .map(|s| {
            B64.decode(s.trim())
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("`{SCRAM_SALT_KEY}` is not non-empty base64"))
        })
        .transpose()?;
    Ok(ClientCredentials {
        username,
        password,
        token: text(TOKEN_KEY)?.filter(|t| !t.is_empty()),
        salt,
    })
}

/// The client user as the node config holds it: a SCRAM verifier and, when there is a
/// token, the token's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    pub username: String,
    /// `SCRAM-SHA-256$…`.
    pub verifier: String,
    /// Lower-case hex SHA-256 of the bearer token.
    pub token_sha256: Option<String>,
}

/// The salt used when a Secret keeps none (a user-provided Secret without `scramSalt`):
/// derived from the cluster's uid and the user name, never from the password, so that it is
/// stable across reconciles without making the password easier to guess.
pub fn derived_salt(cluster_uid: &str, username: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in ["docfusion-scram-salt", cluster_uid, username] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..SALT_LEN].to_vec()
}

/// What the node config needs from `creds` (PBKDF2 with 4096 iterations: a few ms).
pub fn client_auth(creds: &ClientCredentials, cluster_uid: &str) -> ClientAuth {
    let salt = creds
        .salt
        .clone()
        .unwrap_or_else(|| derived_salt(cluster_uid, &creds.username));
    let verifier = ScramVerifier::from_password(&creds.password, &salt, SCRAM_ITERATIONS);
    ClientAuth {
        username: creds.username.clone(),
        verifier: verifier.to_string(),
        token_sha256: creds.token.as_ref().map(|t| {
            Sha256::digest(t.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }),
    }
}

/// The username stored in an existing credentials Secret, if it has both keys.
pub fn username_of(secret: &Secret) -> Result<String, String> {
    let data = secret.data.as_ref();
    let get = |key: &str| data.and_then(|d| d.get(key)).map(|v| v.0.clone());
    let username = get("username").ok_or("has no `username` key")?;
    if get("password").is_none() {
        return Err("has no `password` key".into());
    }
    String::from_utf8(username).map_err(|_| "`username` is not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, cluster};
    use k8s_openapi::ByteString;

    #[test]
    fn generated_passwords_are_long_random_and_distinct() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), PASSWORD_LEN);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn secret_holds_username_and_password_and_survives_a_retained_cluster() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, DEFAULT_USERNAME).expect("ctx");
        let secret = credentials_secret(&ctx, "pw");
        assert_eq!(secret.metadata.name.as_deref(), Some("orders-credentials"));
        let data = secret.string_data.expect("string data");
        assert_eq!(data["username"], "docfusion");
        assert_eq!(data["password"], "pw");
        assert!(
            secret.metadata.owner_references.is_none(),
            "Retain keeps credentials"
        );

        let c = cluster("{deletionPolicy: Delete, shards: {count: 1, storage: {size: 1Gi}}}");
        let ctx = BuildContext::new(&c, DEFAULT_USERNAME).expect("ctx");
        let secret = credentials_secret(&ctx, "pw");
        assert_eq!(secret.metadata.owner_references.map(|o| o.len()), Some(1));
    }

    fn secret_with(data: &[(&str, &str)]) -> Secret {
        Secret {
            data: Some(
                data.iter()
                    .map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec())))
                    .collect(),
            ),
            ..Secret::default()
        }
    }

    #[test]
    fn generated_client_secret_round_trips_and_keeps_the_salt() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, DEFAULT_USERNAME).expect("ctx");
        let creds = ClientCredentials::generate();
        assert_eq!(creds.salt.as_ref().map(Vec::len), Some(16));
        let secret = client_secret(&ctx, &creds);
        assert_eq!(secret.metadata.name.as_deref(), Some("orders-client"));
        // What the API server stores: stringData becomes base64 data.
        let stored = secret_with(
            &secret
                .string_data
                .as_ref()
                .expect("string data")
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        );
        let read = client_credentials_of(&stored).expect("readable");
        assert_eq!(read, creds);
        // The same Secret gives the same verifier on every reconcile.
        assert_eq!(client_auth(&read, "uid"), client_auth(&creds, "uid"));
    }

    #[test]
    fn client_verifier_is_a_postgres_compatible_scram_verifier() {
        // PostgreSQL 15 made this verifier for password "secret" with this salt.
        let pg = "SCRAM-SHA-256$4096:YBDsABoSyZehLzkrv2kfzw==$glkww5FUdfPy+ZYorHUYeKadpo8xYRWDu1zs1Iim/Uc=:DEYi2D+Vl8AZMVTOf9DAoVr8vBiWTWdMJ75lx8RfQgc=";
        let secret = secret_with(&[
            ("username", "app"),
            ("password", "secret"),
            ("scramSalt", "YBDsABoSyZehLzkrv2kfzw=="),
            ("token", "tok-123"),
        ]);
        let auth = client_auth(&client_credentials_of(&secret).expect("ok"), "uid");
        assert_eq!(auth.username, "app");
        assert_eq!(auth.verifier, pg);
        // sha256("tok-123"), as `sha256sum` prints it.
        assert_eq!(
            auth.token_sha256.as_deref(),
            Some("c8963414bf6c4c869eeac5f8a057c3dc574d422f1b108397b66f67bab3d2f981")
        );
    }

    #[test]
    fn a_secret_without_salt_gets_a_stable_salt_per_cluster_and_user() {
        let secret = secret_with(&[("username", "app"), ("password", "pw")]);
        let creds = client_credentials_of(&secret).expect("ok");
        assert_eq!(creds.salt, None);
        let a = client_auth(&creds, "uid-1");
        assert_eq!(a, client_auth(&creds, "uid-1"), "stable across reconciles");
        assert_ne!(a.verifier, client_auth(&creds, "uid-2").verifier);
        assert_eq!(a.token_sha256, None);
        let v = ScramVerifier::parse(&a.verifier).expect("a verifier");
        assert_eq!(v.salt, derived_salt("uid-1", "app"));
        assert!(v.matches_password("pw"));
    }

    #[test]
    fn broken_client_secrets_are_named() {
        for (data, why) in [
            (vec![("password", "x")], "has no `username` key"),
            (vec![("username", "a")], "has no `password` key"),
            (
                vec![("username", "a"), ("password", "")],
                "`password` is empty",
            ),
            (
                vec![("username", "a"), ("password", "x"), ("scramSalt", "!!")],
                "`scramSalt` is not non-empty base64",
            ),
        ] {
            assert_eq!(
                client_credentials_of(&secret_with(&data)),
                Err(why.to_string())
            );
        }
    }

    #[test]
    fn username_is_read_from_an_existing_secret() {
        let mut secret = Secret::default();
        assert!(username_of(&secret).is_err());
        secret.data = Some(BTreeMap::from([
            ("username".to_string(), ByteString(b"app".to_vec())),
            ("password".to_string(), ByteString(b"x".to_vec())),
        ]));
        assert_eq!(username_of(&secret), Ok("app".to_string()));
        secret.data.as_mut().map(|d| d.remove("password"));
        assert_eq!(
            username_of(&secret),
            Err("has no `password` key".to_string())
        );
    }
}
