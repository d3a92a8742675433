//! `.podsmith/destination-<hash>.record`: a copy, on this computer, of the
//! record podsmith last wrote at (or read from) a destination, so that a
//! publish asks the destination for its record only if it changed since
//! (`If-None-Match`: a "not modified" of a few bytes instead of the record,
//! which is megabytes for a big show), and reads the copy meanwhile.
//!
//! Read back as untrusted: bounded, and used only when the destination
//! answers that it holds these very bytes: the copy is kept under the MD5
//! of its bytes, which is the ETag S3, Garage, MinIO and the like give an
//! object put whole, and the MD5 is checked before the copy is used. A
//! copy that does not hold (damaged, made up, of another record) costs
//! one request more; a service whose ETags are not MD5s never answers
//! "not modified", and the record is read from it as without a copy. A
//! cache beside the show's other records: replaced atomically, never
//! needed.

use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};

/// A destination's record as this computer last knew it.
#[derive(Debug, Clone)]
pub struct RecordCopy {
    path: PathBuf,
}

/// A copy read: the ETag it is kept under (a bare MD5, in hex) and the
/// record's bytes.
#[derive(Debug)]
pub struct Copied {
    /// The bare ETag the record had (the MD5 of `bytes`, unless damaged).
    pub etag: String,
    /// The record, as written at the destination.
    pub bytes: Vec<u8>,
}

impl Copied {
    /// Whether `bytes` are those the ETag says (their MD5).
    pub fn holds(&self) -> bool {
        md5_hex(&self.bytes) == self.etag
    }
}

impl RecordCopy {
    /// The copy of the record at destination `destination` (as
    /// [`super::paging::Paging::key`] names it), for the show at `root`.
    pub fn of(root: &Path, destination: &str) -> RecordCopy {
        RecordCopy { path: super::destination_file(root, destination, "record") }
    }

    /// The ETag the copy is kept under, if there is one of the right form
    /// (its first line alone read).
    pub fn etag(&self) -> Option<String> {
        use std::io::Read as _;
        let mut line = [0u8; 33];
        crate::fsutil::open(&self.path).ok()?.read_exact(&mut line).ok()?;
        let etag = std::str::from_utf8(line.strip_suffix(b"\n")?).ok()?;
        is_md5_hex(etag).then(|| etag.to_string())
    }

    /// The copy, if there is one of the right form (bounded; not checked
    /// against its ETag: see [`Copied::holds`]).
    pub fn read(&self) -> Option<Copied> {
        let bytes = crate::fsutil::read(&self.path, crate::fsutil::RECORD).ok()?;
        let (etag, record) = bytes.split_at(bytes.iter().position(|&b| b == b'\n')?);
        let etag = std::str::from_utf8(etag).ok().filter(|e| is_md5_hex(e))?.to_string();
        Some(Copied { etag, bytes: record[1..].to_vec() })
    }

    /// Keeps `bytes`, the record as written at the destination (or read
    /// from it), under their MD5. Returns whether it was kept.
    pub fn keep(&self, bytes: &[u8]) -> bool {
        let mut kept = Vec::with_capacity(33 + bytes.len());
        kept.extend_from_slice(md5_hex(bytes).as_bytes());
        kept.push(b'\n');
        kept.extend_from_slice(bytes);
        let records = self.path.parent().unwrap_or(Path::new("."));
        crate::show_lock::own_dir(records).is_ok() && crate::output::write_cache_bytes(&self.path, &kept).is_ok()
    }

    /// Removes the copy (the destination no longer has a record); never
    /// through a link where the show's records go.
    pub fn forget(&self) {
        let records = self.path.parent().unwrap_or(Path::new("."));
        if crate::show_lock::own_dir(records).is_ok() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether an ETag (bare) may be the MD5 of an object put whole.
pub fn is_md5_hex(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The MD5 of `bytes`, in lowercase hex (an ETag of S3's, bare).
pub fn md5_hex(bytes: &[u8]) -> String {
    crate::text::hex(&Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy reads back as kept; one damaged, made up or cut short
    /// either does not read or does not hold (its bytes are not what its
    /// ETag says); each destination has its own.
    #[test]
    fn a_copy_is_read_back_as_kept_and_a_damaged_one_does_not_hold() {
        let dir = tempfile::tempdir().unwrap();
        let copy = RecordCopy::of(dir.path(), "s3://bucket/show http://127.0.0.1:9000");
        assert!(copy.read().is_none(), "none yet");
        std::fs::create_dir(dir.path().join(crate::show_lock::RECORDS_DIR)).unwrap();
        let record = b"\x1f\x8b record bytes\nwith a line break";
        assert!(copy.keep(record));
        let read = copy.read().unwrap();
        assert_eq!((read.bytes.as_slice(), read.holds()), (&record[..], true));
        assert_eq!(read.etag, md5_hex(record));
        let other = RecordCopy::of(dir.path(), "s3://bucket/other http://127.0.0.1:9000");
        assert!(other.read().is_none(), "another destination's is its own");
        // Damaged: a byte of the record changed, the ETag made up, cut short.
        let kept = std::fs::read(&copy.path).unwrap();
        let mut changed = kept.clone();
        *changed.last_mut().unwrap() ^= 1;
        std::fs::write(&copy.path, &changed).unwrap();
        assert!(!copy.read().unwrap().holds());
        std::fs::write(&copy.path, [b"d41d8cd98f00b204e9800998ecf8427X\n".as_slice(), record].concat()).unwrap();
        assert!(copy.read().is_none(), "an ETag that is no MD5");
        std::fs::write(&copy.path, &kept[..20]).unwrap();
        assert!(copy.read().is_none(), "no line of its ETag");
        copy.forget();
        assert!(copy.read().is_none());
        // Records that are a link to another folder: nothing kept or
        // removed there.
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            let show = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(elsewhere.path(), show.path().join(crate::show_lock::RECORDS_DIR)).unwrap();
            let linked = RecordCopy::of(show.path(), "s3://bucket/show http://127.0.0.1:9000");
            let name = linked.path.file_name().unwrap().to_owned();
            assert!(!linked.keep(record));
            std::fs::write(elsewhere.path().join(&name), "someone else's").unwrap();
            linked.forget();
            assert!(elsewhere.path().join(&name).exists(), "not removed through the link");
        }
    }
}
