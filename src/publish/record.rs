//! `PREFIX/.podsmith/published.json`: what podsmith published at a
//! destination, kept there (not on the laptop), so any clone of the show
//! publishes only what changed, and deletes only what podsmith itself put.
//! It is JSON, gzipped as it is written (to about a third: a show of 1,000
//! episodes has ~0.9 MB of it, mostly hashes, and it goes up with every
//! publish that sends anything); a record written as plain JSON is read as
//! well.
//!
//! While a publish is under way, what it is about to upload is kept in a
//! small object beside the record, `PREFIX/.podsmith/publishing.json`
//! (see [`Publishing`]), rather than in the whole record written once more:
//! a publish killed half way leaves it there, and the next one reads it
//! with the record.
//!
//! It is read back as untrusted input: bounded in size, every key a plain
//! relative path outside `.podsmith/`; a record that does not hold together
//! is set aside (nothing is then deleted on its word; what is there is
//! taken where it holds the site's very bytes, and refused as someone
//! else's where it does not).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The record's key, under the destination's prefix.
pub const KEY: &str = ".podsmith/published.json";
/// The key of what a publish under way is about to upload (see [`Publishing`]).
pub const PUBLISHING_KEY: &str = ".podsmith/publishing.json";
/// The record's format.
const VERSION: u32 = 1;
/// The first bytes of a gzip stream.
const GZIP: [u8; 2] = [0x1f, 0x8b];
/// The largest record read, gzipped or not (a show of 100,000 files takes
/// ~25 MB of JSON).
pub const MAX_BYTES: u64 = 64 << 20;

/// What is known of one published file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Size in bytes.
    pub size: u64,
    /// podsmith's fingerprint of its content (SHA-256 over the size and
    /// the bytes, or the first and last 64 KiB of a file over 256 KiB: as
    /// the build record keeps it).
    pub fingerprint: String,
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its `Cache-Control`.
    pub cache_control: String,
    /// The ETag the service gave it, to tell it was replaced by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// SHA-256 of all of its bytes, for a file whose fingerprint only
    /// samples it (over 256 KiB): an edit in its middle that keeps its size
    /// (a title fixed in a big feed) changes this, not the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Entry {
    /// Same content: size and fingerprint, and the SHA-256 of all the bytes
    /// where both know it.
    pub fn same_content(&self, other: &Entry) -> bool {
        let digests = match (&self.sha256, &other.sha256) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.size == other.size && self.fingerprint == other.fingerprint && digests
    }

    /// Same headers.
    pub fn same_headers(&self, other: &Entry) -> bool {
        self.content_type == other.content_type && self.cache_control == other.cache_control
    }
}

/// The record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The record's format.
    #[serde(default)]
    pub version: u32,
    /// Every object podsmith published there, by key (relative to the prefix).
    pub objects: BTreeMap<String, Entry>,
    /// Objects a publish set out to upload and had not finished when the
    /// record was written: podsmith's if they are there with that size.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, Entry>,
}

impl Published {
    /// Reads a record; `Err` says why it is set aside.
    pub fn parse(bytes: &[u8]) -> Result<Published, String> {
        let record: Published = decode(bytes)?;
        checked(record.version, record.objects.keys().chain(record.pending.keys()))?;
        Ok(record)
    }

    /// The record with what a publish under way wrote beside it
    /// (`publishing`) taken in: the objects it found, and its pending
    /// uploads in place of the record's.
    pub fn with(mut self, publishing: Publishing) -> Published {
        self.version = VERSION;
        self.objects.extend(publishing.objects);
        self.pending = publishing.pending;
        self
    }

    /// Gives the entries of the files `sent` (by key: the ETag each upload
    /// got, and a big file's SHA-256) what the uploads said.
    pub fn with_sent(&mut self, sent: &std::collections::HashMap<String, (Option<String>, Option<String>)>) {
        for (key, (etag, sha)) in sent {
            if let Some(e) = self.objects.get_mut(key) {
                e.etag = etag.clone();
                e.sha256 = sha.clone().or(e.sha256.take());
            }
        }
    }

    /// The record as it is written.
    pub fn encode(&self) -> Vec<u8> {
        /// The record as written, borrowed (a copy of 3,000 entries is not free).
        #[derive(Serialize)]
        struct Encoded<'a> {
            version: u32,
            objects: &'a BTreeMap<String, Entry>,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            pending: &'a BTreeMap<String, Entry>,
        }
        let record = Encoded { version: VERSION, objects: &self.objects, pending: &self.pending };
        // One line, gzipped: a show of 1,000 episodes has 3,000 entries,
        // and the record goes up with every publish that sends anything.
        encode(&record, self.objects.len() + self.pending.len())
    }
}

/// What a publish is about to upload, written beside the record (at
/// [`PUBLISHING_KEY`]) before the uploads, where the whole record with them
/// pending would have been: a few entries, not thousands. It holds only
/// over the record as it was then (`over`: that object's ETag; `None`:
/// there was none): once a publish writes the record, it is stale, and is
/// not taken in. It is deleted then only where the record came out the
/// same, to its ETag, as the one it was over (it would still hold), or
/// where it is big (every publish reads it beside the record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publishing {
    /// The format (the record's).
    #[serde(default)]
    pub version: u32,
    /// The ETag of the record this is over (`None`: there was none).
    pub over: Option<String>,
    /// The record's objects this publish found otherwise (or new).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, Entry>,
    /// The uploads about to be made: podsmith's if they are there with that size.
    pub pending: BTreeMap<String, Entry>,
}

impl Publishing {
    /// What turns record `base` (the one at the destination, of ETag `over`)
    /// into `full` (a record with uploads pending); `None` if it cannot (an
    /// object of `base` is not in `full`: only the whole record tells that).
    pub fn between(base: &Published, full: &Published, over: Option<String>) -> Option<Publishing> {
        if base.objects.keys().any(|k| !full.objects.contains_key(k)) {
            return None;
        }
        let objects = full.objects.iter().filter(|(k, e)| base.objects.get(*k) != Some(*e));
        Some(Publishing {
            version: VERSION,
            over,
            objects: objects.map(|(k, e)| (k.clone(), e.clone())).collect(),
            pending: full.pending.clone(),
        })
    }

    /// Reads one; `Err` says why it is set aside.
    pub fn parse(bytes: &[u8]) -> Result<Publishing, String> {
        let publishing: Publishing = decode(bytes)?;
        checked(publishing.version, publishing.objects.keys().chain(publishing.pending.keys()))?;
        Ok(publishing)
    }

    /// Whether it holds over the record of ETag `etag` (`None`: there is none).
    pub fn is_over(&self, etag: Option<&str>) -> bool {
        same_etag(self.over.as_deref(), etag)
    }

    /// As it is written (as the record is).
    pub fn encode(&self) -> Vec<u8> {
        encode(self, self.objects.len() + self.pending.len())
    }
}

/// Whether two ETags (`None`: no object) are the same, quoted or not.
pub fn same_etag(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(bare_etag) == b.map(bare_etag)
}

/// An ETag without its quotes or weak mark: services (and the same service
/// answering an upload and a listing) write them either way.
pub fn bare_etag(etag: &str) -> &str {
    etag.trim().trim_start_matches("W/").trim_matches('"')
}

/// `value` as JSON on one line, gzipped (fast: most of it is keys and hex;
/// `entries`: about how many entries it has).
fn encode<T: Serialize>(value: &T, entries: usize) -> Vec<u8> {
    let mut json = Vec::with_capacity(256 * entries + 64);
    let _ = serde_json::to_writer(&mut json, value);
    json.push(b'\n');
    let mut zipped = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 6), flate2::Compression::fast());
    match std::io::Write::write_all(&mut zipped, &json).and_then(|()| zipped.finish()) {
        Ok(bytes) => bytes,
        Err(_) => json,
    }
}

/// JSON, gzipped or not, read up to [`MAX_BYTES`] (unzipped too, whatever
/// the gzip header says); `Err` says why it is set aside.
fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let too_big = || format!("it is over {} MB", MAX_BYTES >> 20);
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_big());
    }
    let unzipped;
    let json = match bytes.starts_with(&GZIP) {
        true => {
            let mut out = Vec::new();
            let mut reader = std::io::Read::take(flate2::read::GzDecoder::new(bytes), MAX_BYTES + 1);
            std::io::Read::read_to_end(&mut reader, &mut out).map_err(|e| format!("it is not a record ({e})"))?;
            if out.len() as u64 > MAX_BYTES {
                return Err(too_big());
            }
            unzipped = out;
            &unzipped[..]
        }
        false => bytes,
    };
    serde_json::from_slice(json).map_err(|e| format!("it is not a record ({e})"))
}

/// Of the record's format, and naming only `keys` a publish may replace or delete.
fn checked<'a>(version: u32, mut keys: impl Iterator<Item = &'a String>) -> Result<(), String> {
    if version != VERSION {
        return Err(format!("it is of format {version}, this podsmith reads {VERSION}"));
    }
    match keys.find(|k| !is_key(k)) {
        Some(bad) => {
            Err(format!("it names \"{}\", which is not a file of a site", crate::text::truncate_chars(bad, 80)))
        }
        None => Ok(()),
    }
}

/// Whether `key` may be a file of a published site: a plain relative path,
/// not podsmith's own folder, without control characters (object stores
/// refuse them in a name).
pub fn is_key(key: &str) -> bool {
    crate::site::record::is_plain_relative(key)
        && !key.starts_with(".podsmith/")
        && key != ".podsmith"
        && !key.chars().any(|c| c.is_ascii_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_does_not_hold_together() {
        let mut r = Published::default();
        r.objects.insert(
            "media/a.mp3".into(),
            Entry {
                size: 3,
                fingerprint: "ab".into(),
                content_type: "audio/mpeg".into(),
                cache_control: "public".into(),
                etag: Some("\"e\"".into()),
                sha256: None,
            },
        );
        let bytes = r.encode();
        assert!(bytes.starts_with(&GZIP), "written gzipped");
        assert_eq!(Published::parse(&bytes).unwrap(), Published { version: VERSION, ..r.clone() });
        // As an earlier podsmith wrote it: plain JSON.
        let plain = serde_json::to_vec(&Published { version: VERSION, ..r.clone() }).unwrap();
        assert_eq!(Published::parse(&plain).unwrap(), Published { version: VERSION, ..r.clone() });
        // Gzip that unzips to more than the limit, or is not gzip after its first bytes.
        let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut bomb, &vec![b' '; MAX_BYTES as usize + 1]).unwrap();
        let bomb = bomb.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert_eq!(Published::parse(&bomb).unwrap_err(), format!("it is over {} MB", MAX_BYTES >> 20));
        assert!(Published::parse(&[0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap_err().starts_with("it is not a record"));
        for bad in [
            &b"{ not json"[..],
            br#"{"version": 9, "objects": {}}"#,
            br#"{"version": 1, "objects": {"../../etc/passwd": {"size": 1, "fingerprint": "", "content_type": "", "cache_control": ""}}}"#,
            br#"{"version": 1, "objects": {}, "pending": {"/abs": {"size": 1, "fingerprint": "", "content_type": "", "cache_control": ""}}}"#,
            br#"{"version": 1, "objects": {".podsmith/published.json": {"size": 1, "fingerprint": "", "content_type": "", "cache_control": ""}}}"#,
        ] {
            assert!(Published::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    fn entry(size: u64, etag: Option<&str>) -> Entry {
        Entry {
            size,
            fingerprint: format!("{size:064x}"),
            content_type: "audio/mpeg".into(),
            cache_control: "public".into(),
            etag: etag.map(String::from),
            sha256: None,
        }
    }

    #[test]
    fn a_note_of_the_uploads_under_way_holds_only_over_the_record_it_was_written_over() {
        let mut base = Published { version: VERSION, ..Published::default() };
        base.objects.insert("a.mp3".into(), entry(1, Some("\"e1\"")));
        base.objects.insert("b.mp3".into(), entry(2, Some("\"e2\"")));
        // About to upload c.mp3; b.mp3 found with another ETag.
        let mut full = base.clone();
        full.objects.insert("b.mp3".into(), entry(2, Some("\"e9\"")));
        full.pending.insert("c.mp3".into(), entry(3, None));
        let note = Publishing::between(&base, &full, Some("\"r1\"".into())).unwrap();
        assert_eq!(note.objects.keys().collect::<Vec<_>>(), ["b.mp3"], "only what differs");
        assert_eq!(note.pending.keys().collect::<Vec<_>>(), ["c.mp3"]);
        let read = Publishing::parse(&note.encode()).unwrap();
        assert_eq!(read, note);
        // Over the record of that ETag, quoted or not; not over another, nor over none.
        assert!(read.is_over(Some("\"r1\"")) && read.is_over(Some("r1")) && read.is_over(Some("W/\"r1\"")));
        assert!(!read.is_over(Some("\"r2\"")) && !read.is_over(None));
        assert_eq!(base.clone().with(read), full, "the record with the note is the record as it was to be");
        // Over no record: the first publish's.
        let first = Publishing::between(&Published::default(), &full, None).unwrap();
        assert!(first.is_over(None) && !first.is_over(Some("r1")));
        assert_eq!(Published::default().with(first), Published { version: VERSION, ..full.clone() });
        // A record that drops an object is not a note's to tell.
        let mut dropped = full.clone();
        dropped.objects.remove("a.mp3");
        assert_eq!(Publishing::between(&base, &dropped, Some("r1".into())), None);
        // Read as untrusted, as the record is.
        for bad in [
            &br#"{"version":1,"over":null,"pending":{"../x":{"size":1,"fingerprint":"","content_type":"","cache_control":""}}}"#[..],
            br#"{"version":1,"over":"r","objects":{".podsmith/published.json":{"size":1,"fingerprint":"","content_type":"","cache_control":""}},"pending":{}}"#,
            br#"{"version":2,"over":null,"pending":{}}"#,
            b"not json",
        ] {
            assert!(Publishing::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
