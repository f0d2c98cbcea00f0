//! How a local server is set up: options, and the configuration file rendered from them.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::LocalPgError;

/// Name of the configuration file this crate rewrites on every start, included from
/// `postgresql.conf`, so the settings apply to a manual `pg_ctl start` as well.
pub const MANAGED_CONF_FILE: &str = "docfusion.conf";

/// Settings this crate decides itself; setting them in [`ServerOptions::settings`] is an error.
const MANAGED_SETTINGS: [&str; 2] = ["port", "unix_socket_directories"];

/// The longest path a Unix-domain socket address holds on Linux (`sun_path` less its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// How to initialise and run a local server.
#[derive(Clone)]
pub struct ServerOptions {
    /// TCP port; `None` picks a free loopback port on every start.
    pub port: Option<u16>,
    /// Name of the bootstrap superuser (`initdb -U`).
    pub superuser: String,
    /// `None`: trust authentication (loopback only by default). `Some`: the superuser's
    /// password, with `scram-sha-256` authentication. Decided when the data directory is
    /// initialised; changing it later does not change an existing cluster.
    pub password: Option<String>,
    /// `postgresql.conf` settings, in order; a later entry wins over an earlier one.
    /// [`ServerOptions::default`] fills in `wal_level=logical`, `max_prepared_transactions=64`,
    /// `max_connections=200` and `listen_addresses=127.0.0.1`.
    pub settings: Vec<(String, String)>,
    /// Trade durability for speed (tests): `fsync`, `synchronous_commit` and
    /// `full_page_writes` off. Never for data you want to keep.
    pub fast_unsafe: bool,
    /// Directory for the server's Unix-domain socket; `None` disables Unix sockets (TCP only).
    pub unix_socket_dir: Option<PathBuf>,
    /// How long `pg_ctl start` may wait for the server to accept connections.
    pub start_timeout: Duration,
    /// How long `pg_ctl stop` may wait for the server to shut down (per mode tried).
    pub stop_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let settings = [
            ("listen_addresses", "127.0.0.1"),
            ("wal_level", "logical"),
            ("max_prepared_transactions", "64"),
            ("max_connections", "200"),
        ];
        ServerOptions {
            port: None,
            superuser: "postgres".to_owned(),
            password: None,
            settings: settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            fast_unsafe: false,
            unix_socket_dir: None,
            start_timeout: Duration::from_secs(60),
            stop_timeout: Duration::from_secs(60),
        }
    }
}

impl fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerOptions")
            .field("port", &self.port)
            .field("superuser", &self.superuser)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("settings", &self.settings)
            .field("fast_unsafe", &self.fast_unsafe)
            .field("unix_socket_dir", &self.unix_socket_dir)
            .field("start_timeout", &self.start_timeout)
            .field("stop_timeout", &self.stop_timeout)
            .finish()
    }
}

impl ServerOptions {
    /// Options for throwaway test servers: the defaults plus [`ServerOptions::fast_unsafe`].
    pub fn for_tests() -> Self {
        ServerOptions {
            fast_unsafe: true,
            ..ServerOptions::default()
        }
    }

    /// Adds (or overrides) one `postgresql.conf` setting.
    pub fn with_setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.push((name.into(), value.into()));
        self
    }

    /// The value a setting will have (last entry wins), as given.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether a server's socket in `dir` (`DIR/.s.PGSQL.PORT`) fits a Unix-domain socket
    /// address whatever its port; a server whose socket does not fit refuses to start.
    pub fn socket_dir_fits(dir: &Path) -> bool {
        dir.join(".s.PGSQL.65535").as_os_str().len() <= MAX_SOCKET_PATH
    }

    /// Checks names, the superuser, the password and the socket directory before anything
    /// touches the disk.
    pub fn validate(&self) -> Result<(), LocalPgError> {
        if let Some(dir) = &self.unix_socket_dir
            && (!dir.is_absolute() || !Self::socket_dir_fits(dir))
        {
            return Err(LocalPgError::InvalidSetting {
                name: "unix_socket_dir".to_owned(),
                reason: format!(
                    "{} must be an absolute path of at most {} bytes (with the socket's \
                     name, .s.PGSQL.PORT)",
                    dir.display(),
                    MAX_SOCKET_PATH
                ),
            });
        }
        if self.superuser.is_empty() || self.superuser.contains(['\0', '\n']) {
            return Err(LocalPgError::InvalidSetting {
                name: "superuser".to_owned(),
                reason: "must be non-empty and a single line".to_owned(),
            });
        }
        if let Some(password) = &self.password
            && (password.is_empty() || password.contains(['\0', '\n', '\r']))
        {
            return Err(LocalPgError::InvalidSetting {
                name: "password".to_owned(),
                reason: "must be non-empty and a single line".to_owned(),
            });
        }
        for (name, value) in &self.settings {
            let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !valid_name {
                return Err(LocalPgError::InvalidSetting {
                    name: name.clone(),
                    reason: "not a valid configuration parameter name".to_owned(),
                });
            }
            if MANAGED_SETTINGS.contains(&name.to_ascii_lowercase().as_str()) {
                return Err(LocalPgError::InvalidSetting {
                    name: name.clone(),
                    reason:
                        "managed by docfusion-localpg; use ServerOptions::port / unix_socket_dir"
                            .to_owned(),
                });
            }
            if value.contains(['\0', '\n', '\r']) {
                return Err(LocalPgError::InvalidSetting {
                    name: name.clone(),
                    reason: "value must be a single line".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The address clients should connect to, derived from `listen_addresses`: its first
    /// entry when that is a specific IP address, else 127.0.0.1 (`*`, `0.0.0.0`, host names).
    pub fn connect_host(&self) -> String {
        let listen = self.setting("listen_addresses").unwrap_or("127.0.0.1");
        let first = listen.split(',').next().unwrap_or("").trim();
        match first.parse::<IpAddr>() {
            Ok(ip) if !ip.is_unspecified() => ip.to_string(),
            Ok(IpAddr::V6(_)) => "::1".to_owned(),
            _ => "127.0.0.1".to_owned(),
        }
    }

    /// The contents of [`MANAGED_CONF_FILE`] for a start on `port`.
    pub(crate) fn render_conf(&self, port: u16) -> String {
        let mut out = String::from(
            "# Rewritten by docfusion-localpg on every start: change ServerOptions, not this file.\n",
        );
        let mut line = |name: &str, value: &str| {
            out.push_str(&format!("{name} = {}\n", quote_conf_value(value)));
        };
        if self.fast_unsafe {
            for name in ["fsync", "synchronous_commit", "full_page_writes"] {
                line(name, "off");
            }
        }
        for (name, value) in &self.settings {
            line(name, value);
        }
        line("port", &port.to_string());
        let socket_dir = self
            .unix_socket_dir
            .as_ref()
            .map(|dir| dir.display().to_string())
            .unwrap_or_default();
        line("unix_socket_directories", &socket_dir);
        out
    }
}

/// A `postgresql.conf` string literal: single-quoted, quotes doubled, backslashes escaped.
fn quote_conf_value(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_what_the_query_node_needs() {
        let options = ServerOptions::default();
        assert_eq!(options.setting("wal_level"), Some("logical"));
        assert_eq!(options.setting("max_prepared_transactions"), Some("64"));
        assert_eq!(options.setting("max_connections"), Some("200"));
        assert_eq!(options.setting("listen_addresses"), Some("127.0.0.1"));
        assert_eq!(options.setting("fsync"), None);
        assert!(!options.fast_unsafe);
        let conf = options.render_conf(5999);
        assert!(!conf.contains("fsync"), "{conf}");
        assert!(conf.contains("port = '5999'\n"), "{conf}");
        assert!(conf.contains("unix_socket_directories = ''\n"), "{conf}");
    }

    #[test]
    fn later_settings_win_and_fast_unsafe_comes_first() {
        let options = ServerOptions::for_tests()
            .with_setting("fsync", "on")
            .with_setting("max_connections", "50");
        assert_eq!(options.setting("max_connections"), Some("50"));
        let conf = options.render_conf(1);
        let fsync_off = conf.find("fsync = 'off'").expect("fsync off");
        let fsync_on = conf.find("fsync = 'on'").expect("fsync on");
        assert!(
            fsync_off < fsync_on,
            "explicit settings must override fast_unsafe"
        );
        assert!(conf.contains("synchronous_commit = 'off'"));
        assert!(conf.contains("full_page_writes = 'off'"));
    }

    #[test]
    fn quotes_values_for_postgresql_conf() {
        assert_eq!(quote_conf_value("it's"), "'it''s'");
        assert_eq!(quote_conf_value(r"C:\x"), r"'C:\\x'");
        let options = ServerOptions {
            unix_socket_dir: Some(PathBuf::from("/run/o'dd")),
            ..ServerOptions::default()
        };
        assert!(
            options
                .render_conf(1)
                .contains("unix_socket_directories = '/run/o''dd'")
        );
    }

    #[test]
    fn rejects_managed_and_malformed_settings() {
        let bad = |options: ServerOptions| match options.validate() {
            Err(LocalPgError::InvalidSetting { name, .. }) => name,
            other => panic!("expected InvalidSetting, got {other:?}"),
        };
        assert_eq!(
            bad(ServerOptions::default().with_setting("PORT", "1")),
            "PORT"
        );
        assert_eq!(
            bad(ServerOptions::default().with_setting("x = 1\nfsync", "off")),
            "x = 1\nfsync"
        );
        assert_eq!(
            bad(ServerOptions::default().with_setting("work_mem", "1MB\nfsync=off")),
            "work_mem"
        );
        let no_password = ServerOptions {
            password: Some(String::new()),
            ..ServerOptions::default()
        };
        assert_eq!(bad(no_password), "password");
        assert!(
            ServerOptions::default()
                .with_setting("auto_explain.log_min_duration", "10ms")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn connect_host_follows_listen_addresses() {
        let host = |listen: &str| {
            ServerOptions::default()
                .with_setting("listen_addresses", listen)
                .connect_host()
        };
        assert_eq!(host("127.0.0.1"), "127.0.0.1");
        assert_eq!(host("*"), "127.0.0.1");
        assert_eq!(host("0.0.0.0"), "127.0.0.1");
        assert_eq!(host("::"), "::1");
        assert_eq!(host("::1, 127.0.0.1"), "::1");
        assert_eq!(host("10.1.2.3"), "10.1.2.3");
        assert_eq!(host("localhost"), "127.0.0.1");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let options = ServerOptions {
            password: Some("hunter2".to_owned()),
            ..ServerOptions::default()
        };
        let debug = format!("{options:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }
}
