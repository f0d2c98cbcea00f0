//! The generated credentials Secret. Created once with a random password and never
//! overwritten: the controller only creates it when it does not exist.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use rand::Rng;
use rand::distr::Alphanumeric;

use super::BuildContext;
use crate::names::{Component, DEFAULT_USERNAME};

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

/// The credentials Secret with the given password (the caller generates it, so that this
/// stays pure and testable).
pub fn credentials_secret(ctx: &BuildContext<'_>, password: &str) -> Secret {
    let mut meta = ctx.component_meta(ctx.names.generated_credentials(), Component::Shard);
    // Deleting the cluster must not delete credentials a restored cluster needs; the owner
    // reference is kept for `kubectl get --show-owner` but garbage collection is what the
    // deletion policy decides, so Retain clusters drop the reference.
    if ctx.cluster.spec.deletion_policy == docfusion_crds::DeletionPolicy::Retain {
        meta.owner_references = None;
    }
    Secret {
        metadata: meta,
        type_: Some("kubernetes.io/basic-auth".into()),
        string_data: Some(BTreeMap::from([
            ("username".to_string(), DEFAULT_USERNAME.to_string()),
            ("password".to_string(), password.to_string()),
        ])),
        ..Secret::default()
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
