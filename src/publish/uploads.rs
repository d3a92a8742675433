//! `.podsmith/destination-<hash>.uploads`: the multipart uploads a
//! publish has under way at a bucket, by their upload ids. A big file goes
//! up in parts; a publish killed part-way leaves the parts it sent at the
//! service, unseen by any listing of objects, and kept (and billed, on AWS
//! S3 and Backblaze B2) until the upload is aborted. The next publish to
//! that bucket from this computer aborts those this file names.
//!
//! Read back as untrusted: bounded, each entry checked (a key of the
//! site's, an id of the form services give), and a file that does not
//! read is as good as none (then nothing is aborted: the service keeps
//! what it keeps, as it would without the file). Replaced atomically
//! (temp file + rename); never written through a link where the show's
//! records go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The most uploads the file names (a publish has at most `--jobs` under
/// way; more can only be made up).
const MOST: usize = 1_000;

/// How many publishes in a row try to abort an upload the service will not
/// abort before it is given up (said, and no longer tried).
pub const TRIES: u32 = 3;

/// The file, bounded well above what [`MOST`] entries take.
const LIMIT: crate::fsutil::Limit = crate::fsutil::Limit { bytes: 1 << 20, what: "a note of uploads under way" };

/// The multipart uploads under way at one destination, as this computer
/// knows them.
#[derive(Debug)]
pub struct Unfinished {
    path: PathBuf,
    /// Key of each upload under way, by upload id: those left by a publish
    /// that did not finish (see [`Unfinished::left`]) and this publish's.
    ids: Mutex<BTreeMap<String, String>>,
    /// How many publishes tried to abort each, and could not, by upload id.
    tries: Mutex<BTreeMap<String, u32>>,
    /// The uploads the file named when it was read.
    left: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// Key by upload id.
    uploads: BTreeMap<String, String>,
    /// How many publishes could not abort each (none: not tried yet). Read
    /// as any JSON: a count that is not one (a crafted note) is taken as
    /// none, and the uploads are noted still.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    tries: BTreeMap<String, serde_json::Value>,
}

impl Unfinished {
    /// The uploads under way at destination `destination` (as
    /// [`super::paging::Paging::key`] names it), for the show at `root`,
    /// with those a publish that did not finish left.
    pub fn of(root: &Path, destination: &str) -> Unfinished {
        let path = Unfinished::path_of(root, destination);
        let (ids, tries) = crate::fsutil::read(&path, LIMIT).ok().and_then(|b| parse(&b)).unwrap_or_default();
        let left = ids.iter().map(|(id, key)| (id.clone(), key.clone())).collect();
        Unfinished { path, ids: Mutex::new(ids), tries: Mutex::new(tries), left }
    }

    /// Where the note of `destination`'s uploads is kept, for the show at `root`.
    pub fn path_of(root: &Path, destination: &str) -> PathBuf {
        super::destination_file(root, destination, "uploads")
    }

    /// The uploads (id, key) a publish that did not finish left.
    pub fn left(&self) -> &[(String, String)] {
        &self.left
    }

    /// Notes upload `id` of `key` as under way, before any part goes up.
    pub fn begin(&self, id: &str, key: &str) -> std::io::Result<()> {
        let mut ids = self.ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.insert(id.to_string(), key.to_string());
        self.save(&ids)
    }

    /// Notes upload `id` as done with: completed or aborted. (If the file
    /// cannot be written, the next publish asks the service to abort an
    /// upload it no longer has: it answers that it has none.)
    pub fn end(&self, id: &str) {
        let mut ids = self.ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if ids.remove(id).is_some() {
            self.tries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
            let _ = self.save(&ids);
        }
    }

    /// Notes that the service would not abort upload `id`, once more.
    /// Returns whether it is given up: [`TRIES`] publishes in a row could
    /// not abort it (some servers answer "access denied" for an upload they
    /// no longer have, which no publish could end), so it is no longer noted.
    pub fn refused(&self, id: &str) -> bool {
        let tries = {
            let mut tries = self.tries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = tries.entry(id.to_string()).or_default();
            *n = n.saturating_add(1);
            *n
        };
        if tries >= TRIES {
            self.end(id);
            return true;
        }
        let ids = self.ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = self.save(&ids);
        false
    }

    fn save(&self, ids: &BTreeMap<String, String>) -> std::io::Result<()> {
        let records = self.path.parent().unwrap_or(Path::new("."));
        crate::show_lock::own_dir(records)?;
        if ids.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let tries = self.tries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tries =
            tries.iter().filter(|(id, _)| ids.contains_key(*id)).map(|(id, n)| (id.clone(), (*n).into())).collect();
        let json =
            serde_json::to_vec(&File { version: 1, uploads: ids.clone(), tries }).map_err(std::io::Error::other)?;
        crate::output::write_cache_bytes(&self.path, &json).map(|_| ())
    }
}

/// The uploads a file names, and how many publishes could not abort each
/// (those of uploads it names), if it reads as podsmith writes it.
fn parse(bytes: &[u8]) -> Option<(BTreeMap<String, String>, BTreeMap<String, u32>)> {
    let file: File = serde_json::from_slice(bytes).ok()?;
    let fits = |(id, key): (&String, &String)| is_upload_id(id) && super::record::is_key(key);
    if !(file.version == 1 && file.uploads.len() <= MOST && file.uploads.iter().all(fits)) {
        return None;
    }
    let count = |n: &serde_json::Value| n.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let tries = file
        .tries
        .iter()
        .filter(|(id, _)| file.uploads.contains_key(*id))
        .filter_map(|(id, n)| Some((id.clone(), count(n)?)))
        .collect();
    Some((file.uploads, tries))
}

/// Whether `id` is of the form services give upload ids: up to 1,024
/// printable ASCII characters (S3's are ~100, URL-safe base64 and dots).
pub fn is_upload_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 1024 && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uploads noted are read back as left by a publish that did not
    /// finish; those ended are not; a damaged or made-up file is as good
    /// as none; each destination has its own.
    #[test]
    fn uploads_under_way_are_read_back_and_a_damaged_file_names_none() {
        let dir = tempfile::tempdir().unwrap();
        let dest = "s3://bucket/show http://127.0.0.1:9000";
        let under_way = Unfinished::of(dir.path(), dest);
        assert!(under_way.left().is_empty());
        under_way.begin("id-1", "media/a.mp3").unwrap();
        under_way.begin("id-2", "media/b.mp3").unwrap();
        under_way.end("id-1");
        let next = Unfinished::of(dir.path(), dest);
        assert_eq!(next.left(), [("id-2".to_string(), "media/b.mp3".to_string())]);
        assert!(Unfinished::of(dir.path(), "s3://bucket/other http://127.0.0.1:9000").left().is_empty());
        next.end("id-2");
        assert!(!next.path.exists(), "none under way: no file");
        for bad in [
            &br#"{"version": 1, "uploads": {"id": "../../etc/passwd"}}"#[..],
            br#"{"version": 1, "uploads": {"id with spaces": "media/a.mp3"}}"#,
            br#"{"version": 2, "uploads": {"id": "media/a.mp3"}}"#,
            br#"{"version": 1, "uploads": {"id": "media/a.mp3"}"#,
            b"\xff\xfe",
        ] {
            std::fs::write(&next.path, bad).unwrap();
            assert!(Unfinished::of(dir.path(), dest).left().is_empty(), "{}", String::from_utf8_lossy(bad));
        }
        let many: BTreeMap<String, String> = (0..=MOST).map(|n| (format!("id-{n}"), "media/a.mp3".into())).collect();
        let file = File { version: 1, uploads: many, tries: BTreeMap::new() };
        std::fs::write(&next.path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert!(Unfinished::of(dir.path(), dest).left().is_empty(), "more than a publish can have under way");
    }

    /// An upload the service will not abort is tried by [`TRIES`]
    /// publishes in a row (each counted in the note, which an older note
    /// without counts reads as none tried), then given up: no longer noted.
    #[test]
    fn an_upload_the_service_will_not_abort_is_given_up_after_a_few_publishes() {
        let dir = tempfile::tempdir().unwrap();
        let dest = "s3://bucket/show http://127.0.0.1:9000";
        let first = Unfinished::of(dir.path(), dest);
        first.begin("id-1", "media/a.mp3").unwrap();
        first.begin("id-2", "media/b.mp3").unwrap();
        std::fs::write(&first.path, br#"{"version": 1, "uploads": {"id-1": "media/a.mp3", "id-2": "media/b.mp3"}}"#)
            .unwrap();
        for publish in 1..=TRIES {
            let next = Unfinished::of(dir.path(), dest);
            assert_eq!(next.left().len(), 2, "publish {publish}: both noted still");
            assert_eq!(next.refused("id-1"), publish == TRIES, "publish {publish}");
        }
        let last = Unfinished::of(dir.path(), dest);
        assert_eq!(last.left(), [("id-2".to_string(), "media/b.mp3".to_string())], "id-1 given up, id-2 kept");
        assert!(!last.refused("id-2"), "counted for itself");
        // A count that is not one is none: the note is read all the same.
        for count in ["-1", "99999999999", "\"2\"", "1.0", "null"] {
            let note =
                format!(r#"{{"version": 1, "uploads": {{"id-3": "media/c.mp3"}}, "tries": {{"id-3": {count}}}}}"#);
            std::fs::write(&last.path, note).unwrap();
            assert_eq!(Unfinished::of(dir.path(), dest).left().len(), 1, "{count}");
        }
    }
}
