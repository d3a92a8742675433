//! `.podsmith/digests.json`: the SHA-256 of all the bytes of the site's big
//! files (over 256 KiB, whose fingerprint only samples them), with the size
//! and time each had when it was hashed, so that a publish hashes again
//! only what changed on disk since. A cache beside the show's other
//! records: read back as untrusted (bounded; a damaged one is set aside),
//! replaced atomically, never needed (without it, files are hashed again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where the cache is, in the show folder.
pub const PATH: &str = ".podsmith/digests.json";
/// Its format.
const VERSION: u32 = 1;

/// A file's SHA-256, as of its size and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, in nanoseconds since 1970.
    pub mtime_ns: u128,
    /// SHA-256 of all its bytes, in hex.
    pub sha256: String,
}

/// The cache: by key of the site.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Digests {
    #[serde(default)]
    version: u32,
    files: BTreeMap<String, Digest>,
    #[serde(skip)]
    changed: bool,
}

impl Digests {
    /// The cache of the show at `root` (empty if there is none, or if it is
    /// damaged or of another format).
    pub fn load(root: &Path) -> Digests {
        let read = crate::fsutil::read(&root.join(PATH), crate::fsutil::RECORD).ok();
        let parsed = read.and_then(|bytes| serde_json::from_slice::<Digests>(&bytes).ok());
        parsed.filter(|d| d.version == VERSION).unwrap_or_default()
    }

    /// The SHA-256 of site file `key` if it is known for this size and time.
    pub fn get(&self, key: &str, stamp: (u64, u128)) -> Option<&str> {
        let d = self.files.get(key)?;
        ((d.size, d.mtime_ns) == stamp).then_some(d.sha256.as_str())
    }

    /// Takes note of site file `key`'s SHA-256 at this size and time.
    pub fn put(&mut self, key: &str, (size, mtime_ns): (u64, u128), sha256: &str) {
        let digest = Digest { size, mtime_ns, sha256: sha256.to_string() };
        if self.files.get(key) != Some(&digest) {
            self.files.insert(key.to_string(), digest);
            self.changed = true;
        }
    }

    /// Forgets the files not in `keep`.
    pub fn retain(&mut self, keep: &dyn Fn(&str) -> bool) {
        let before = self.files.len();
        self.files.retain(|k, _| keep(k));
        self.changed |= self.files.len() != before;
    }

    /// Saves the cache into the show folder `root` if it changed (never
    /// through a link). Failing only costs time at the next publish.
    pub fn save(&mut self, root: &Path) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        self.version = VERSION;
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR))?;
        crate::output::write_cache_bytes(&root.join(PATH), &json)?;
        self.changed = false;
        Ok(())
    }
}

/// SHA-256 of all of `path`'s bytes, in hex; read in blocks.
pub fn of_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest as _, Sha256};
    use std::io::Read;
    let mut file = crate::fsutil::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_only_at_the_size_and_time_it_was_hashed_and_a_damaged_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Digests::load(dir.path());
        assert_eq!(d.get("feed.xml", (1, 2)), None);
        d.put("feed.xml", (1, 2), "ab");
        d.save(dir.path()).unwrap();
        let d = Digests::load(dir.path());
        assert_eq!(d.get("feed.xml", (1, 2)), Some("ab"));
        assert_eq!(d.get("feed.xml", (1, 3)), None, "touched since");
        std::fs::write(dir.path().join(PATH), b"{\"version\": 1, \"files\": {\"feed.xml\": 3}}").unwrap();
        assert_eq!(Digests::load(dir.path()).get("feed.xml", (1, 2)), None);
    }

    #[test]
    fn hashes_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(of_file(&path).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
