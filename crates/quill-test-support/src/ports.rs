//! Free TCP ports on 127.0.0.1 for servers that must be told theirs (MariaDB, HAProxy,
//! nginx, a `quill` process). Quill in the test's process binds port 0 instead.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::net::TcpListener;
use std::sync::Mutex;

/// Ports this process has handed out: a server told its port binds it only later.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A port nothing listens on, below the kernel's ephemeral range (32768 and up by
/// default), so that no outgoing connection can hold it either; never the same one
/// twice in a process.
pub fn free_port() -> u16 {
    let random = RandomState::new();
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    let mut attempt = 0u64;
    loop {
        attempt += 1;
        let port = 10_000 + (random.hash_one(attempt) % 22_000) as u16;
        if !handed_out.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.insert(port);
            return port;
        }
    }
}
