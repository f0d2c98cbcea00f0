//! The credential check in front of the `/v1` routes: HTTP basic auth against the users'
//! SCRAM verifiers, or a bearer token; loopback peers pass without credentials when the node
//! runs with `auth.method: trust`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::{ApiError, PROTOCOL};
use crate::auth::Authenticator;
use crate::error::{SqlError, sqlstate};
use crate::metrics::metrics;

/// What a request's `Authorization` header carries.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// `Bearer <token>`.
    Bearer(String),
}

fn invalid(message: impl Into<String>) -> SqlError {
    SqlError::new(sqlstate::INVALID_AUTHORIZATION, message)
}

/// Reads the `Authorization` header (absent: an error saying what to send).
pub fn parse_authorization(value: Option<&HeaderValue>) -> Result<Credentials, SqlError> {
    let value = value.ok_or_else(|| {
        invalid(
            "authentication required: send \"Authorization: Basic base64(user:password)\" or \"Authorization: Bearer TOKEN\"",
        )
    })?;
    let text = value
        .to_str()
        .map_err(|_| invalid("the Authorization header is not ASCII text"))?;
    let (scheme, rest) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = B64
            .decode(rest)
            .map_err(|_| invalid("basic credentials are not valid base64"))?;
        let decoded =
            String::from_utf8(decoded).map_err(|_| invalid("basic credentials are not UTF-8"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| invalid("basic credentials must be \"user:password\""))?;
        Ok(Credentials::Basic {
            user: user.to_string(),
            password: password.to_string(),
        })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        if rest.is_empty() {
            return Err(invalid("the bearer token is empty"));
        }
        Ok(Credentials::Bearer(rest.to_string()))
    } else {
        Err(invalid(format!(
            "unsupported authorization scheme \"{scheme}\": use Basic or Bearer"
        )))
    }
}

/// Checks credentials; returns the user they belong to.
async fn verify(auth: &Arc<Authenticator>, credentials: Credentials) -> Result<String, SqlError> {
    match credentials {
        Credentials::Basic { user, password } => {
            // A password not seen before costs a PBKDF2 run: keep it off the async workers.
            let auth = auth.clone();
            tokio::task::spawn_blocking(move || auth.check_password(&user, &password).map(|_| user))
                .await
                .map_err(|e| {
                    SqlError::new(
                        sqlstate::INTERNAL_ERROR,
                        format!("password check failed: {e}"),
                    )
                })?
        }
        Credentials::Bearer(token) => auth.check_token(&token),
    }
}

/// Middleware: lets a request through when its peer is trusted or its credentials are valid;
/// otherwise answers 401 with a SQLSTATE and counts the failure.
pub async fn require_credentials(
    State(auth): State<Arc<Authenticator>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if peer.is_some_and(|ip| auth.trusts(ip)) {
        return next.run(request).await;
    }
    let checked = match parse_authorization(request.headers().get(header::AUTHORIZATION)) {
        Ok(credentials) => verify(&auth, credentials).await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(user) => {
            tracing::debug!(%user, "HTTP request authenticated");
            next.run(request).await
        }
        Err(e) => {
            metrics()
                .auth_failures_total
                .with_label_values(&[PROTOCOL])
                .inc();
            ApiError(e).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
    }

    #[test]
    fn basic_and_bearer_credentials_are_read() {
        // base64("app:p:w") — the password may hold colons, the user may not.
        let value = header(&format!("Basic {}", B64.encode("app:p:w")));
        assert_eq!(
            parse_authorization(Some(&value)).unwrap(),
            Credentials::Basic {
                user: "app".into(),
                password: "p:w".into()
            }
        );
        let value = header("bearer  tok-123 ");
        assert_eq!(
            parse_authorization(Some(&value)).unwrap(),
            Credentials::Bearer("tok-123".into())
        );
    }

    #[test]
    fn missing_or_malformed_credentials_are_28000_with_a_reason() {
        let cases = [
            (None, "authentication required"),
            (Some(header("Basic !!!")), "not valid base64"),
            (
                Some(header(&format!("Basic {}", B64.encode("nocolon")))),
                "user:password",
            ),
            (Some(header("Bearer")), "bearer token is empty"),
            (
                Some(header("Digest abc")),
                "unsupported authorization scheme",
            ),
        ];
        for (value, reason) in cases {
            let e = parse_authorization(value.as_ref()).unwrap_err();
            assert_eq!(e.code, "28000");
            assert!(
                e.message.contains(reason),
                "{} should say {reason}",
                e.message
            );
        }
    }
}
