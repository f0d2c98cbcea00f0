//! Which OS user runs the server: the current one, or `postgres` when the process is root
//! (PostgreSQL refuses to run as root). No libc: ids come from `/proc`, `/etc/passwd` or `id`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::LocalPgError;

/// The OS user that a root process hands the server to.
pub const ROOT_FALLBACK_USER: &str = "postgres";

/// The OS user that owns data directories and runs `initdb`, `pg_ctl` and the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUser {
    name: String,
    uid: u32,
    gid: u32,
    switched: bool,
}

impl ServerUser {
    /// The current user, unless the effective uid is 0: then the `postgres` OS user.
    pub fn for_current_process() -> Result<ServerUser, LocalPgError> {
        let euid = effective_uid()?;
        if euid != 0 {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            let (name, gid) = passwd_entry_by_uid(&passwd, euid)
                .map(|(name, _, gid)| (name, gid))
                .unwrap_or_else(|| (format!("uid {euid}"), u32::MAX));
            return Ok(ServerUser {
                name,
                uid: euid,
                gid,
                switched: false,
            });
        }
        let (uid, gid) = lookup_user(ROOT_FALLBACK_USER)?;
        Ok(ServerUser {
            name: ROOT_FALLBACK_USER.to_owned(),
            uid,
            gid,
            switched: true,
        })
    }

    /// The user's name (or `uid N` when the current user has no passwd entry).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user's uid.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The user's primary gid (`u32::MAX` when unknown and not needed).
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// Whether server commands run as a different user than this process (we are root).
    pub fn is_switched(&self) -> bool {
        self.switched
    }

    /// A command that runs as this user: with uid/gid set when switching from root.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        if self.switched {
            use std::os::unix::process::CommandExt;
            // std drops root's supplementary groups (setgroups(0)) when a uid is set.
            command.uid(self.uid).gid(self.gid);
            // The server's working directory must be one it can enter; HOME is harmless but wrong.
            command.current_dir("/");
        }
        command
    }

    /// Makes `path` (not recursively) owned by this user, when switching from root.
    pub fn give_ownership(&self, path: &Path) -> Result<(), LocalPgError> {
        if self.switched {
            std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
                .map_err(|source| LocalPgError::io("change the owner of", path, source))?;
        }
        Ok(())
    }

    /// Checks that this user can enter and write `dir`, naming the first directory in the way.
    pub(crate) fn check_can_use(&self, dir: &Path) -> Result<(), LocalPgError> {
        if !self.switched || self.probe(dir, "cd -- \"$1\" && test -w .")? {
            return Ok(());
        }
        let mut blocked = dir.to_path_buf();
        let ancestors: Vec<&Path> = dir.ancestors().collect();
        for ancestor in ancestors.into_iter().rev() {
            if !self.probe(ancestor, "cd -- \"$1\"")? {
                blocked = ancestor.to_path_buf();
                break;
            }
        }
        Err(LocalPgError::DirectoryNotAccessible {
            user: self.name.clone(),
            uid: self.uid,
            blocked,
            data_dir: dir.to_path_buf(),
        })
    }

    /// Runs a tiny shell check as this user; the OS decides (ACLs, groups), not mode bits.
    fn probe(&self, dir: &Path, script: &str) -> Result<bool, LocalPgError> {
        let status = self
            .command("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|source| LocalPgError::Spawn {
                program: PathBuf::from("/bin/sh"),
                source,
            })?;
        Ok(status.success())
    }
}

/// The effective uid: from `/proc/self/status`, else from `id -u`.
fn effective_uid() -> Result<u32, LocalPgError> {
    if let Some(uid) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .as_deref()
        .and_then(effective_uid_from_status)
    {
        return Ok(uid);
    }
    run_id(&["-u"])
}

/// uid and gid of `name`: from `/etc/passwd`, else from `id` (which also sees NSS users).
fn lookup_user(name: &str) -> Result<(u32, u32), LocalPgError> {
    if let Some(ids) = std::fs::read_to_string("/etc/passwd")
        .ok()
        .as_deref()
        .and_then(|passwd| passwd_entry_by_name(passwd, name))
    {
        return Ok(ids);
    }
    let no_user = |_| LocalPgError::NoServerUser {
        user: name.to_owned(),
    };
    let uid = run_id(&["-u", name]).map_err(no_user)?;
    let gid = run_id(&["-g", name]).map_err(no_user)?;
    Ok((uid, gid))
}

fn run_id(args: &[&str]) -> Result<u32, LocalPgError> {
    let program = PathBuf::from("id");
    let output = Command::new(&program)
        .args(args)
        .output()
        .map_err(|source| LocalPgError::Spawn {
            program: program.clone(),
            source,
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    match text.trim().parse() {
        Ok(id) if output.status.success() => Ok(id),
        _ => Err(LocalPgError::CommandFailed {
            program,
            args: args.join(" "),
            status: output.status,
            output: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        }),
    }
}

/// The effective uid from the `Uid:` line of `/proc/<pid>/status` (real, effective, saved, fs).
fn effective_uid_from_status(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// `(uid, gid)` of user `name` in passwd-format text.
fn passwd_entry_by_name(passwd: &str, name: &str) -> Option<(u32, u32)> {
    passwd_entries(passwd)
        .find(|(entry, _, _)| entry == name)
        .map(|(_, uid, gid)| (uid, gid))
}

/// `(name, uid, gid)` of the first user with `uid` in passwd-format text.
fn passwd_entry_by_uid(passwd: &str, uid: u32) -> Option<(String, u32, u32)> {
    passwd_entries(passwd).find(|(_, entry, _)| *entry == uid)
}

fn passwd_entries(passwd: &str) -> impl Iterator<Item = (String, u32, u32)> + '_ {
    passwd.lines().filter_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((name.to_owned(), uid, gid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        # a comment line\n\
        broken-line\n\
        postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n\
        postgres2:x:102:105::/:/bin/false\n";

    #[test]
    fn finds_users_by_name_and_uid() {
        assert_eq!(passwd_entry_by_name(PASSWD, "postgres"), Some((101, 104)));
        assert_eq!(passwd_entry_by_name(PASSWD, "postgre"), None);
        assert_eq!(passwd_entry_by_name(PASSWD, "nobody"), None);
        assert_eq!(
            passwd_entry_by_uid(PASSWD, 102),
            Some(("postgres2".to_owned(), 102, 105))
        );
    }

    #[test]
    fn effective_uid_is_the_second_uid_field() {
        let status = "Name:\tcat\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\n";
        assert_eq!(effective_uid_from_status(status), Some(0));
        assert_eq!(effective_uid_from_status("Name:\tx\n"), None);
    }

    #[test]
    fn current_process_user_matches_id() {
        let user = ServerUser::for_current_process().expect("server user");
        let euid = run_id(&["-u"]).expect("id -u");
        if euid == 0 {
            assert!(user.is_switched());
            assert_eq!(user.uid(), run_id(&["-u", ROOT_FALLBACK_USER]).expect("id"));
            assert_ne!(user.uid(), 0);
        } else {
            assert!(!user.is_switched());
            assert_eq!(user.uid(), euid);
        }
    }
}
