//! `.podsmith/digests.json`: the SHA-256 of all the bytes of the site's big
//! files (over 256 KiB, whose fingerprint only samples them), with the size
//! and time each had when it was hashed, so that a publish hashes again
//! only what changed on disk since. A cache beside the show's other
//! records: read back as untrusted (bounded; a damaged one is set aside),
//! replaced atomically, never needed (without it, files are hashed again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::text::hex;

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
        match self.take_changes() {
            Some(json) => Digests::write_taken(root, &json).inspect_err(|_| self.changed = true),
            None => Ok(()),
        }
    }

    /// The cache as [`save`](Self::save) writes it, if it changed since it
    /// was read or last saved, for [`write_taken`](Self::write_taken) to
    /// write (on another thread, say); it is then taken as saved.
    pub fn take_changes(&mut self) -> Option<Vec<u8>> {
        if !self.changed {
            return None;
        }
        self.version = VERSION;
        let json = serde_json::to_vec(self).ok()?;
        self.changed = false;
        Some(json)
    }

    /// Writes `json` (from [`take_changes`](Self::take_changes)) as the
    /// cache of the show folder `root`.
    pub fn write_taken(root: &Path, json: &[u8]) -> std::io::Result<()> {
        crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR))?;
        crate::output::write_cache_bytes(&root.join(PATH), json)?;
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

/// Whether `path` holds the bytes an S3 ETag names: the MD5 of a file
/// sent whole, or for one sent in N parts (`"HEX-N"`) the MD5 of its
/// parts' MD5s, tried with the part sizes the usual tools use (podsmith's
/// and rclone's 5 MiB, aws's 8 MiB, and 16, 64 and 100 MiB).
pub fn holds_etag(path: &Path, size: u64, etag: &str) -> std::io::Result<bool> {
    use md5::{Digest as _, Md5};
    use std::io::Read;
    let etag = etag.trim().trim_matches('"').to_ascii_lowercase();
    let (hex_part, parts) = match etag.split_once('-') {
        Some((h, n)) => (h.to_string(), n.parse::<u64>().ok()),
        None => (etag.clone(), None),
    };
    if hex_part.len() != 32 || !hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let part_sizes: Vec<u64> = match parts {
        None => vec![u64::MAX],
        Some(0) => return Ok(false),
        Some(n) => [5u64, 8, 16, 64, 100].iter().map(|mib| mib << 20).filter(|ps| size.div_ceil(*ps) == n).collect(),
    };
    for part_size in part_sizes {
        let mut file = crate::fsutil::open(path)?;
        let mut whole = Md5::new();
        let mut of_parts = Md5::new();
        let mut part = Md5::new();
        let (mut in_part, mut read) = (0u64, 0u64);
        let mut buf = vec![0u8; 256 << 10];
        loop {
            let want = (buf.len() as u64).min(part_size - in_part) as usize;
            let n = file.read(&mut buf[..want.max(1)])?;
            if n == 0 {
                break;
            }
            whole.update(&buf[..n]);
            part.update(&buf[..n]);
            in_part += n as u64;
            read += n as u64;
            if in_part == part_size {
                of_parts.update(std::mem::replace(&mut part, Md5::new()).finalize());
                in_part = 0;
            }
        }
        if read != size {
            return Ok(false);
        }
        let found = match parts {
            None => hex(&whole.finalize()),
            Some(n) => {
                if in_part > 0 {
                    of_parts.update(part.finalize());
                }
                format!("{}-{n}", hex(&of_parts.finalize()))
            }
        };
        if found == etag {
            return Ok(true);
        }
    }
    Ok(false)
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
    fn etags_of_whole_and_multipart_uploads_are_told() {
        use md5::{Digest as _, Md5};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert!(holds_etag(&path, 3, "\"900150983cd24fb0d6963f7d28e17f72\"").unwrap());
        assert!(!holds_etag(&path, 3, "\"900150983cd24fb0d6963f7d28e17f73\"").unwrap());
        assert!(!holds_etag(&path, 3, "\"1-2-3\"").unwrap());
        // 12 MiB in 5 MiB parts: 3 parts, as podsmith and rclone send it.
        let bytes: Vec<u8> = (0..12u32 << 20).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut of_parts = Md5::new();
        for part in bytes.chunks(5 << 20) {
            of_parts.update(Md5::digest(part));
        }
        let etag = format!("\"{}-3\"", hex(&of_parts.finalize()));
        assert!(holds_etag(&path, bytes.len() as u64, &etag).unwrap());
        // The same parts, another file.
        std::fs::write(&path, [&bytes[..bytes.len() - 1], b"x"].concat()).unwrap();
        assert!(!holds_etag(&path, bytes.len() as u64, &etag).unwrap());
    }

    #[test]
    fn hashes_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(of_file(&path).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
