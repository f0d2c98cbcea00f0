//! Finding the PostgreSQL server binaries (`initdb`, `pg_ctl`, `postgres`) on this machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::LocalPgError;

/// Environment variable naming the directory of the server binaries; checked first.
pub const PG_BIN_ENV: &str = "DOCFUSION_PG_BIN";

/// Where Debian/Ubuntu packages put each major version's binaries (`<root>/<major>/bin`).
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// A directory holding `initdb`, `pg_ctl` and `postgres` of one PostgreSQL version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    bin_dir: PathBuf,
    major_version: u32,
}

impl PgBinaries {
    /// The oldest major version supported.
    pub const MIN_MAJOR_VERSION: u32 = 15;

    /// Finds the binaries: `$DOCFUSION_PG_BIN` (must qualify if set), then the highest
    /// `/usr/lib/postgresql/<major>/bin` with major ≥ 15, then `pg_config --bindir`, then `PATH`.
    pub fn locate() -> Result<PgBinaries, LocalPgError> {
        let mut searched = Vec::new();
        if let Some(dir) = std::env::var_os(PG_BIN_ENV).filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            return PgBinaries::in_dir(&dir).map_err(|reason| LocalPgError::BinariesNotFound {
                searched: vec![format!("{PG_BIN_ENV}={}: {reason}", dir.display())],
            });
        }
        searched.push(format!("{PG_BIN_ENV}: not set"));

        let mut versioned = debian_versioned_dirs(Path::new(DEBIAN_ROOT));
        if versioned.is_empty() {
            searched.push(format!("{DEBIAN_ROOT}/*/bin: none"));
        }
        versioned.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
        for (major, dir) in versioned {
            if major < Self::MIN_MAJOR_VERSION {
                searched.push(format!("{}: version {major} is too old", dir.display()));
                continue;
            }
            match PgBinaries::in_dir(&dir) {
                Ok(found) => return Ok(found),
                Err(reason) => searched.push(format!("{}: {reason}", dir.display())),
            }
        }

        match pg_config_bindir() {
            Ok(dir) => match PgBinaries::in_dir(&dir) {
                Ok(found) => return Ok(found),
                Err(reason) => {
                    searched.push(format!("pg_config --bindir ({}): {reason}", dir.display()))
                }
            },
            Err(reason) => searched.push(format!("pg_config --bindir: {reason}")),
        }

        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut any_on_path = false;
        for dir in std::env::split_paths(&path) {
            if !dir.join("pg_ctl").is_file() {
                continue;
            }
            any_on_path = true;
            match PgBinaries::in_dir(&dir) {
                Ok(found) => return Ok(found),
                Err(reason) => searched.push(format!("PATH entry {}: {reason}", dir.display())),
            }
        }
        if !any_on_path {
            searched.push("PATH: no pg_ctl".to_owned());
        }
        Err(LocalPgError::BinariesNotFound { searched })
    }

    /// Uses the binaries in `dir`, checking they exist and are version 15 or newer.
    /// The error is a short reason, for [`LocalPgError::BinariesNotFound`].
    pub fn in_dir(dir: &Path) -> Result<PgBinaries, String> {
        for name in ["initdb", "pg_ctl", "postgres"] {
            if !dir.join(name).is_file() {
                return Err(format!("no {name}"));
            }
        }
        let postgres = dir.join("postgres");
        // `--version` is answered before postgres' refusal to run as root.
        let output = Command::new(&postgres)
            .arg("--version")
            .output()
            .map_err(|e| format!("could not run {} --version: {e}", postgres.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let major = parse_major_version(&text)
            .ok_or_else(|| format!("unrecognised `postgres --version` output {:?}", text.trim()))?;
        if major < Self::MIN_MAJOR_VERSION {
            return Err(format!(
                "version {major} is too old (need {} or newer)",
                Self::MIN_MAJOR_VERSION
            ));
        }
        Ok(PgBinaries {
            bin_dir: dir.to_path_buf(),
            major_version: major,
        })
    }

    /// The directory holding the binaries.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The major version reported by `postgres --version`, e.g. 15.
    pub fn major_version(&self) -> u32 {
        self.major_version
    }

    /// Path of `initdb`.
    pub fn initdb(&self) -> PathBuf {
        self.bin_dir.join("initdb")
    }

    /// Path of `pg_ctl`.
    pub fn pg_ctl(&self) -> PathBuf {
        self.bin_dir.join("pg_ctl")
    }

    /// Path of `postgres`.
    pub fn postgres(&self) -> PathBuf {
        self.bin_dir.join("postgres")
    }

    /// Path of `psql`: next to the server binaries if there, else `psql` from `PATH`.
    pub fn psql(&self) -> PathBuf {
        let beside = self.bin_dir.join("psql");
        if beside.is_file() {
            beside
        } else {
            PathBuf::from("psql")
        }
    }
}

/// `(major, <root>/<major>/bin)` for every numeric subdirectory of `root`.
fn debian_versioned_dirs(root: &Path) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major = entry.file_name().to_str()?.parse().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .collect()
}

fn pg_config_bindir() -> Result<PathBuf, String> {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .map_err(|e| format!("could not run: {e}"))?;
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || dir.is_empty() {
        return Err(format!("failed ({})", output.status));
    }
    Ok(PathBuf::from(dir))
}

/// The major version in `postgres (PostgreSQL) 15.13 (Debian ...)`, `... 17beta1`, `... 18devel`.
fn parse_major_version(version_output: &str) -> Option<u32> {
    let rest = version_output.split("(PostgreSQL)").nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_major_versions() {
        assert_eq!(
            parse_major_version("postgres (PostgreSQL) 15.13 (Debian 15.13-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(
            parse_major_version("postgres (PostgreSQL) 17beta1"),
            Some(17)
        );
        assert_eq!(
            parse_major_version("postgres (PostgreSQL) 18devel"),
            Some(18)
        );
        assert_eq!(parse_major_version("postgres (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major_version("mysqld  Ver 8.0"), None);
    }

    #[test]
    fn lists_numeric_version_dirs_only() {
        let root = tempfile::tempdir().expect("tempdir");
        for name in ["13", "16", "common", "15"] {
            std::fs::create_dir(root.path().join(name)).expect("mkdir");
        }
        let mut found = debian_versioned_dirs(root.path());
        found.sort();
        let majors: Vec<u32> = found.iter().map(|(m, _)| *m).collect();
        assert_eq!(majors, vec![13, 15, 16]);
        assert_eq!(found[2].1, root.path().join("16").join("bin"));
    }

    #[test]
    fn rejects_a_directory_without_binaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(PgBinaries::in_dir(dir.path()), Err("no initdb".to_owned()));
    }

    #[test]
    fn locates_binaries_of_a_supported_version() {
        let bins = PgBinaries::locate().expect("PostgreSQL binaries on this machine");
        assert!(bins.major_version() >= PgBinaries::MIN_MAJOR_VERSION);
        assert!(bins.initdb().is_file());
        assert!(bins.pg_ctl().is_file());
        assert!(bins.postgres().is_file());
    }
}
