//! The process's secret keys, derived from one random master key that is generated on
//! first start and kept in `DATA_DIR/secret.key` (mode 0600), so sessions, CSRF tokens
//! and post tokens survive restarts. The `Debug` output never shows a key.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use actix_web::cookie::Key;
use anyhow::Context;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const FILE_NAME: &str = "secret.key";
const MASTER_LEN: usize = 64;

#[derive(Clone)]
pub struct Secrets {
    /// Encrypts and signs the session cookie.
    pub cookie: Key,
    /// Signs CSRF tokens.
    pub csrf: MacKey,
    /// Signs the post id a "new post" form carries.
    pub post_token: MacKey,
    /// Signs the GTID position a client's reads must see (the `quill_after` cookie).
    pub read_floor: MacKey,
    /// Signs device cookies (`device.rs`).
    pub device: MacKey,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

/// An HMAC-SHA256 key.
#[derive(Clone)]
pub struct MacKey([u8; 32]);

impl MacKey {
    #[cfg(test)]
    pub(crate) fn for_tests(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn new(key: &[u8]) -> Self {
        let mut mac = Self([0; 32]).mac();
        mac.update(key);
        Self(mac.finalize().into_bytes().into())
    }

    pub fn sign(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.mac();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Constant-time check of a signature made by [`MacKey::sign`].
    pub fn verify(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let mut mac = self.mac();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.verify_slice(signature).is_ok()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

impl Secrets {
    /// Loads the master key from `data_dir`, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(FILE_NAME);
        match fs::read(&path) {
            Ok(master) => Self::from_master(&master, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::from_master(&create(&path)?, &path)
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Loads the master key from a file that must exist (`QUILL_SECRET_KEY_FILE`: a
    /// key every instance shares, such as a Swarm or Kubernetes secret).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let master = fs::read(path).with_context(|| {
            format!(
                "reading QUILL_SECRET_KEY_FILE {} (make one with `head -c {MASTER_LEN} /dev/urandom`)",
                path.display()
            )
        })?;
        Self::from_master(&master, path)
    }

    fn from_master(master: &[u8], path: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(
            master.len() == MASTER_LEN,
            "{} holds {} bytes, not {MASTER_LEN}; delete it to make a new one (this logs everyone out)",
            path.display(),
            master.len()
        );
        let master_mac = MacKey::new(master);
        let derive = |label: &[u8]| MacKey(master_mac.sign(&[label]));
        Ok(Self {
            cookie: Key::derive_from(master),
            csrf: derive(b"quill csrf"),
            post_token: derive(b"quill post token"),
            read_floor: derive(b"quill read floor"),
            device: derive(b"quill device"),
        })
    }
}

fn create(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut master = vec![0u8; MASTER_LEN];
    rand::rng().fill_bytes(&mut master);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(&master)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(master)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_key_file_gives_every_instance_the_same_keys() {
        let dir = tempfile::tempdir().expect("dir");
        let made = Secrets::load_or_create(dir.path()).expect("made on first start");
        let shared = Secrets::load(&dir.path().join(FILE_NAME)).expect("loaded");
        let signed = |s: &Secrets| s.post_token.sign(&[b"post"]);
        assert_eq!(signed(&made), signed(&shared));
        assert_ne!(
            made.csrf.sign(&[b"x"]),
            made.post_token.sign(&[b"x"]),
            "each purpose has its own key"
        );
    }

    #[test]
    fn a_missing_or_malformed_key_file_is_named_and_never_made() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("no.key");
        let err = Secrets::load(&missing).expect_err("missing").to_string();
        assert!(err.contains("QUILL_SECRET_KEY_FILE"), "{err}");
        assert!(!missing.exists());
        let short = dir.path().join("short.key");
        fs::write(&short, [0u8; 10]).expect("write");
        let err = Secrets::load(&short).expect_err("short").to_string();
        assert!(err.contains("holds 10 bytes, not 64"), "{err}");
    }
}
