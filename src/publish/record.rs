//! `PREFIX/.podsmith/published.json`: what podsmith published at a
//! destination, kept there (not on the laptop), so any clone of the show
//! publishes only what changed, and deletes only what podsmith itself put.
//! It is JSON, gzipped as it is written (to about a third: a show of 1,000
//! episodes has ~0.9 MB of it, mostly hashes, and it goes up twice with
//! every publish that sends anything); a record written as plain JSON is
//! read as well.
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
        let too_big = || format!("it is over {} MB", MAX_BYTES >> 20);
        if bytes.len() as u64 > MAX_BYTES {
            return Err(too_big());
        }
        let unzipped;
        let json = match bytes.starts_with(&GZIP) {
            true => {
                // Unzipped up to the limit, whatever the gzip header says.
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
        let record: Published = serde_json::from_slice(json).map_err(|e| format!("it is not a record ({e})"))?;
        if record.version != VERSION {
            return Err(format!("it is of format {}, this podsmith reads {VERSION}", record.version));
        }
        if let Some(bad) = record.objects.keys().chain(record.pending.keys()).find(|k| !is_key(k)) {
            return Err(format!(
                "it names \"{}\", which is not a file of a site",
                crate::text::truncate_chars(bad, 80)
            ));
        }
        Ok(record)
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
        // One line, gzipped (fast: most of it is keys and hex): a show of
        // 1,000 episodes has 3,000 entries, and the record goes up twice
        // with every publish that sends anything.
        let mut json = Vec::with_capacity(256 * (self.objects.len() + self.pending.len()) + 64);
        let _ = serde_json::to_writer(&mut json, &record);
        json.push(b'\n');
        let mut zipped = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 6), flate2::Compression::fast());
        match std::io::Write::write_all(&mut zipped, &json).and_then(|()| zipped.finish()) {
            Ok(bytes) => bytes,
            Err(_) => json,
        }
    }
}

/// Whether `key` may be a file of a published site: a plain relative path,
/// not podsmith's own folder.
pub fn is_key(key: &str) -> bool {
    crate::site::record::is_plain_relative(key) && !key.starts_with(".podsmith/") && key != ".podsmith"
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
}
