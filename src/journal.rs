//! A log of changes beside a record podsmith keeps (the build record's
//! `.podsmith/build.log`, the probe cache's `.podsmith/cache.log`): one
//! line of JSON a save, naming the record file it changes by that file's
//! `id`, so that saving a few changes to a record of thousands of entries
//! writes a few hundred bytes. Each log is folded into a new record file
//! (with a new `id`) once it outgrows a quarter of it.
//!
//! Read as untrusted: a line of another record file is left out by its
//! reader; a damaged line, or one cut short by a crash, ends the reading
//! (what follows it cannot be trusted to follow it), and the reader then
//! writes its record whole at its next save.

use std::path::Path;

use serde::de::DeserializeOwned;

/// The log is folded into its record once it is larger than this share of
/// the record, or than the reader's least size.
const SHARE: u64 = 4;

/// A log as read.
pub enum Read<T> {
    /// No log.
    None,
    /// It was read.
    Lines {
        /// Its lines that name the record file `id`, in order, up to a
        /// damaged one.
        lines: Vec<T>,
        /// Whether a damaged line (or one cut short) ended the reading.
        damaged: bool,
        /// Its size in bytes.
        size: u64,
    },
    /// It cannot be read (or is over [`crate::fsutil::RECORD`]).
    Unreadable,
}

/// Reads the log at `path` of the record file `id`: each line parsed as a
/// `T`, whose `base` (told by `base_of`) must be `id`.
pub fn read<T: DeserializeOwned>(path: &Path, id: &str, base_of: fn(&T) -> &str) -> Read<T> {
    let bytes = match crate::fsutil::read(path, crate::fsutil::RECORD) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::None,
        Err(_) => return Read::Unreadable,
    };
    let mut lines = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let parsed = line.strip_suffix(b"\n").and_then(|l| serde_json::from_slice::<T>(l).ok());
        match parsed {
            Some(t) if base_of(&t) == id => lines.push(t),
            Some(_) => {} // another record file's
            None => return Read::Lines { lines, damaged: true, size: bytes.len() as u64 },
        }
    }
    Read::Lines { lines, damaged: false, size: bytes.len() as u64 }
}

/// Whether a line of `line` bytes still goes into the log (of `sizes`: the
/// record file's and the log's), or the record is to be written whole.
pub fn has_room(sizes: (u64, u64), line: usize, least: u64) -> bool {
    sizes.1 + line as u64 <= (sizes.0 / SHARE).max(least)
}

/// A name for a new record file, other than `old`: the time and the process.
pub fn new_id(old: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let seed = format!("{now} {} {old}", std::process::id());
    format!("{:016x}", crate::fsutil::fnv64(seed.as_bytes()))
}
