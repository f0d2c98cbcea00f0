//! Picking a free TCP port for a server that has none configured.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::{Mutex, PoisonError};

use crate::LocalPgError;

/// Ports already handed out by this process, so that servers started at the same moment in
/// parallel threads are never offered the same port (the OS may offer a just-freed one again).
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A port that was free on `host` a moment ago and that this process has not handed out
/// before. Another process can still take it before the server binds it: callers retry.
pub(crate) fn pick_free_port(host: &str) -> Result<u16, LocalPgError> {
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let mut last = 0;
    for _ in 0..64 {
        let listener = TcpListener::bind((host, 0)).map_err(|source| LocalPgError::NoFreePort {
            host: host.to_owned(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| LocalPgError::NoFreePort {
                host: host.to_owned(),
                source,
            })?
            .port();
        last = port;
        if handed_out.insert(port) {
            return Ok(port);
        }
    }
    // The OS keeps offering ports we gave out; one of them is better than failing.
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_hands_out_the_same_port_twice() {
        let ports: BTreeSet<u16> = (0..20)
            .map(|_| pick_free_port("127.0.0.1").expect("free port"))
            .collect();
        assert_eq!(ports.len(), 20);
        for port in ports {
            assert_ne!(port, 0);
            // Each was free: binding it now succeeds (nothing else on a test machine takes it).
            assert!(
                TcpListener::bind(("127.0.0.1", port)).is_ok(),
                "port {port}"
            );
        }
    }

    #[test]
    fn names_the_host_when_it_cannot_bind() {
        match pick_free_port("203.0.113.1") {
            Err(LocalPgError::NoFreePort { host, .. }) => assert_eq!(host, "203.0.113.1"),
            other => panic!("expected NoFreePort, got {other:?}"),
        }
    }
}
