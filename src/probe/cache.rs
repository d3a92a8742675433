//! The probe cache: `.podsmith/cache.json` in the show folder, so a rebuild
//! re-probes only new or changed files.
//!
//! What a command changes in it (a file touched or replaced, a loudness
//! measured) is appended to `.podsmith/cache.log`, one line of JSON a save,
//! each naming the cache file it changes (its `id`): saving one new
//! measurement of a show of thousands of files writes a few hundred bytes,
//! not the whole cache. The log is folded into a new cache file (with a new
//! `id`) once it grows past a quarter of the cache. A line of another cache
//! file (the log outlived its cache: a save killed between the two) is left
//! out; a damaged line (a save killed while it was written) and every line
//! after it are left out, and the next save writes the cache whole.
//!
//! An entry is used only when the file's size and modification time match
//! and a fingerprint of its first and last 4 KiB (two small reads) is the
//! same, and only if what it says is a possible measurement (a finite,
//! positive duration under 1,000 hours; a plausible rate, channel count and
//! bitrate): the cache travels with a cloned show and may be damaged or
//! crafted. A cache that cannot be read, or was written by another version,
//! is set aside and rebuilt: it is never trusted blindly and never fatal.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AudioFormat, AudioInfo, Codec, Method, SeekHeader};
use crate::fsutil::Status;

/// Folder and file of the cache, relative to the show folder.
pub const CACHE_PATH: &str = ".podsmith/cache.json";
/// What was changed in it since it was written (see the module docs).
pub const CACHE_LOG_PATH: &str = ".podsmith/cache.log";
/// The log is never folded into the cache below this size (see
/// [`crate::journal`]).
const LOG_MIN_BYTES: u64 = 16 << 10;
/// Bumped whenever probing changes what it measures.
pub(crate) const VERSION: u32 = 12;

/// What identifies a file's content cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: u128,
    fingerprint: String,
    /// The file's inode and status-change time when its ends were last
    /// read: while both are the same, the content cannot have changed (any
    /// write, even one that puts the modification time back, moves the
    /// change time), so the ends need not be read again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    change: Option<(u64, u128)>,
}

impl Stamp {
    /// Whether `self`, read from the file now, says the content is the one
    /// `stored` was taken of.
    fn same_content(&self, stored: &Stamp) -> bool {
        (self.size, self.mtime_ns, &self.fingerprint) == (stored.size, stored.mtime_ns, &stored.fingerprint)
    }
}

/// A file's inode and status-change time (Unix; elsewhere nothing, and the
/// ends of the file are read every time).
fn change_of(meta: &std::fs::Metadata) -> Option<(u64, u128)> {
    crate::fsutil::Status::of(meta).change()
}

/// The hosted files' measurements in a cache file of another podsmith
/// (`bytes`), each that reads as one of this podsmith's, marked as
/// another's: a hosted file is measured again over the network, and with
/// its server out of reach, a build takes what was measured before rather
/// than fail (a local file is measured again, at a cost of time alone).
fn earlier_hosted(bytes: &[u8]) -> BTreeMap<String, Stored<HostedStamp>> {
    #[derive(Deserialize)]
    struct Other {
        #[serde(default)]
        hosted: BTreeMap<String, serde_json::Value>,
    }
    let Ok(other) = serde_json::from_slice::<Other>(bytes) else { return BTreeMap::new() };
    other
        .hosted
        .into_iter()
        .filter_map(|(url, v)| {
            let mut stored = serde_json::from_value::<Stored<HostedStamp>>(v).ok()?;
            stored.stamp.earlier = true;
            stored.is_possible().then_some((url, stored))
        })
        .collect()
}

/// What identifies a hosted file's content: what its server said of it,
/// and when it was last asked (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct HostedStamp {
    size: u64,
    etag: Option<String>,
    last_modified: Option<String>,
    checked: i64,
    /// Measured by another podsmith (kept from a cache it wrote): measured
    /// again, and taken only if its server cannot be reached.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    earlier: bool,
}

/// Something with a size (a stamp).
trait HasSize {
    fn size(&self) -> u64;
}

impl HasSize for Stamp {
    fn size(&self) -> u64 {
        self.size
    }
}

impl HasSize for HostedStamp {
    fn size(&self) -> u64 {
        self.size
    }
}

/// An `AudioInfo` as stored (owned strings), with what identifies the
/// content it was taken of.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored<S = Stamp> {
    stamp: S,
    duration_secs: f64,
    format: AudioFormat,
    codec: Codec,
    sample_rate: Option<u32>,
    channels: Option<u32>,
    bitrate: Option<u64>,
    method: Method,
    vbr: Option<bool>,
    has_seek_header: Option<SeekHeader>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    chapters: Vec<super::id3::TaggedChapter>,
    /// Its loudness, once measured (`validate --loudness`): decoding a
    /// file whole takes seconds, so it is kept with the measurement of the
    /// same content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    loudness: Option<super::loudness::Loudness>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    /// What the log's lines name it by (empty in caches of podsmith before
    /// the log: their next save writes the cache whole).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    id: String,
    entries: BTreeMap<String, Stored>,
    /// Hosted files, by URL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    hosted: BTreeMap<String, Stored<HostedStamp>>,
}

/// What the cache says of a hosted file (see [`Cache::look_hosted`]).
#[derive(Debug, Clone, PartialEq)]
pub enum HostedLook {
    /// Measured, and its server asked within the freshness window.
    Fresh(AudioInfo),
    /// Measured, its server last asked longer ago: with what it said then.
    Stale(AudioInfo, Hosted),
    /// Measured by another podsmith (see [`Cache::open`]): to be measured
    /// again, this measurement taken only if that fails for want of its
    /// server ([`Cache::earlier_hosted`]).
    Earlier,
    /// Not measured.
    Miss,
}

/// What a server said of a hosted file (the parts that tell its content).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosted {
    /// Its size in bytes.
    pub size: u64,
    /// Its `ETag`.
    pub etag: Option<String>,
    /// Its `Last-Modified`.
    pub last_modified: Option<String>,
}

/// What the cache says of a file (see [`Cache::look`]).
#[derive(Debug)]
pub enum Looked {
    /// Measured as it is.
    Hit(AudioInfo),
    /// Measured as it is, its status changed (its change time, given): a
    /// hard link was made to it, or it was copied over with the same bytes.
    Moved(AudioInfo, Option<(u64, u128)>),
    /// Not measured as it is.
    Miss,
}

/// One line of the log: what one save changed in the cache file `base`
/// (`null`: an entry dropped).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Delta {
    base: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    entries: BTreeMap<String, Option<Stored>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    hosted: BTreeMap<String, Option<Stored<HostedStamp>>>,
}

/// The cache of one show.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    log_path: PathBuf,
    file: File,
    /// The next save writes the cache whole (it was set aside, or its log
    /// cannot be appended to).
    whole: bool,
    /// The entries (files, then hosted files) changed since the last save.
    changed: (std::collections::BTreeSet<String>, std::collections::BTreeSet<String>),
    /// The sizes of the cache file and of its log, as read or written.
    sizes: (u64, u64),
    /// Why the cache on disk was not used, if it was not.
    pub discarded: Option<String>,
}

impl<S: HasSize> Stored<S> {
    /// The measurement of `info`, identified by `stamp`.
    fn of(stamp: S, info: &AudioInfo) -> Stored<S> {
        Stored {
            stamp,
            duration_secs: info.duration_secs,
            format: info.format,
            codec: info.codec,
            sample_rate: info.sample_rate,
            channels: info.channels,
            bitrate: info.bitrate,
            method: info.method,
            vbr: info.vbr,
            has_seek_header: info.has_seek_header,
            chapters: info.chapters.clone(),
            loudness: None,
        }
    }

    /// The measurement.
    fn info(&self) -> AudioInfo {
        AudioInfo {
            duration_secs: self.duration_secs,
            bytes: self.stamp.size(),
            format: self.format,
            codec: self.codec,
            sample_rate: self.sample_rate,
            channels: self.channels,
            bitrate: self.bitrate,
            method: self.method,
            vbr: self.vbr,
            has_seek_header: self.has_seek_header,
            chapters: self.chapters.clone(),
        }
    }

    /// Whether this could be a real measurement (else it is measured again).
    fn is_possible(&self) -> bool {
        let secs = self.duration_secs;
        secs.is_finite()
            && secs > 0.0
            && secs < super::MAX_SECONDS
            && self.sample_rate.is_none_or(|r| (1..=768_000).contains(&r))
            && self.channels.is_none_or(|c| (1..=255).contains(&c))
            && self.bitrate.is_none_or(|b| b <= 100_000_000)
            && self.stamp.size() as f64 * 8.0 / secs >= super::least_bitrate(self.codec, self.sample_rate)
            && self.chapters.len() <= super::id3::MAX_CHAPTERS
            && self.chapters.iter().all(|c| {
                c.url.as_ref().is_none_or(|u| u.chars().count() <= super::id3::MAX_LINK + 1)
                    && c.picture.is_none_or(|p| {
                        p.offset.checked_add(p.len).is_some_and(|end| end <= self.stamp.size())
                            && (p.fingerprint.is_none() || p.len <= super::id3::MAX_PICTURE)
                    })
            })
    }
}

impl Cache {
    /// Opens the cache of the show in `root` (an empty one if there is none
    /// or it cannot be used).
    pub fn open(root: &Path) -> Cache {
        let path = root.join(CACHE_PATH);
        let (file, size, discarded) = match crate::fsutil::read(&path, crate::fsutil::RECORD) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (File::default(), 0, None),
            Err(e) => (File::default(), 0, Some(format!("cannot read it: {e}"))),
            Ok(bytes) => match serde_json::from_slice::<File>(&bytes) {
                Ok(f) if f.version == VERSION => (f, bytes.len() as u64, None),
                Ok(f) => (
                    File { hosted: earlier_hosted(&bytes), ..File::default() },
                    0,
                    Some(format!(
                        "it was written by {} podsmith, which measures some files otherwise",
                        if f.version < VERSION { "an earlier" } else { "a later" }
                    )),
                ),
                Err(e) => (File::default(), 0, Some(format!("damaged ({e})"))),
            },
        };
        let whole = discarded.is_some();
        let mut cache = Cache {
            path,
            log_path: root.join(CACHE_LOG_PATH),
            file: File { version: VERSION, ..file },
            whole,
            changed: Default::default(),
            sizes: (size, 0),
            discarded,
        };
        if !cache.whole && !cache.file.id.is_empty() {
            cache.read_log();
        }
        cache
    }

    /// Applies the lines of the log that change this cache file, up to a
    /// damaged one (the next save then writes the cache whole).
    fn read_log(&mut self) {
        let (lines, damaged, size) = match crate::journal::read(&self.log_path, &self.file.id, |d: &Delta| &d.base) {
            crate::journal::Read::None => return,
            crate::journal::Read::Unreadable => {
                self.whole = true;
                return;
            }
            crate::journal::Read::Lines { lines, damaged, size } => (lines, damaged, size),
        };
        self.sizes.1 = size;
        self.whole |= damaged;
        for delta in lines {
            for (rel, stored) in delta.entries {
                match stored {
                    Some(s) => self.file.entries.insert(rel, s),
                    None => self.file.entries.remove(&rel),
                };
            }
            for (url, stored) in delta.hosted {
                match stored {
                    Some(s) => self.file.hosted.insert(url, s),
                    None => self.file.hosted.remove(&url),
                };
            }
        }
    }

    /// Takes note that the entry of `rel` changed (or went).
    fn mark(&mut self, rel: &str) {
        self.changed.0.insert(rel.to_string());
    }

    /// Takes note that the entry of hosted `url` changed (or went).
    fn mark_hosted(&mut self, url: &str) {
        self.changed.1.insert(url.to_string());
    }

    /// Whether there is something to save.
    fn is_dirty(&self) -> bool {
        self.whole || !self.changed.0.is_empty() || !self.changed.1.is_empty()
    }

    /// The cached measurement of `rel` (at `path`), if still valid.
    pub fn get(&mut self, rel: &str, path: &Path) -> Option<AudioInfo> {
        self.get_with(rel, path, None)
    }

    /// [`Cache::get`], with the file's metadata if it was just looked at.
    pub fn get_with(&mut self, rel: &str, path: &Path, status: Option<Status>) -> Option<AudioInfo> {
        let looked = self.look(rel, path, status);
        self.take(rel, looked)
    }

    /// [`Cache::get_with`] in two halves: what the cache says of `rel`
    /// (asked of many files at once, on every core)…
    pub fn look(&self, rel: &str, path: &Path, status: Option<Status>) -> Looked {
        let Some(stored) = self.file.entries.get(rel).filter(|s| s.is_possible()) else { return Looked::Miss };
        let status = match status {
            Some(s) => s,
            None => match std::fs::metadata(path) {
                Ok(m) => Status::of(&m),
                Err(_) => return Looked::Miss,
            },
        };
        if status.stamp() != Some((stored.stamp.size, stored.stamp.mtime_ns)) {
            return Looked::Miss;
        }
        let change = status.change();
        if change.is_none() || change != stored.stamp.change {
            return match stamp(path) {
                Ok(now) if now.same_content(&stored.stamp) => Looked::Moved(stored.info(), now.change),
                _ => Looked::Miss,
            };
        }
        Looked::Hit(stored.info())
    }

    /// …and the measurement taken from what was looked, the cache taking
    /// note of a file whose status moved but not its content.
    pub fn take(&mut self, rel: &str, looked: Looked) -> Option<AudioInfo> {
        match looked {
            Looked::Hit(info) => Some(info),
            Looked::Moved(info, change) => {
                let stored = self.file.entries.get_mut(rel)?;
                stored.stamp.change = change;
                self.mark(rel);
                Some(info)
            }
            Looked::Miss => None,
        }
    }

    /// Whether the cache has no measurement of a file on disk (a show's
    /// first build).
    pub fn is_empty(&self) -> bool {
        self.file.entries.is_empty()
    }

    /// Records a fresh measurement.
    pub fn put(&mut self, rel: &str, path: &Path, info: &AudioInfo) {
        let Ok(stamp) = stamp(path) else { return };
        self.file.entries.insert(rel.to_string(), Stored::of(stamp, info));
        self.mark(rel);
    }

    /// The loudness of `rel` (at `path`) measured before, if the file is
    /// still what was measured and what is kept could be a measurement.
    pub fn loudness(&self, rel: &str, path: &Path) -> Option<super::loudness::Loudness> {
        let l = self.file.entries.get(rel)?.loudness.filter(super::loudness::Loudness::is_possible)?;
        match self.look(rel, path, None) {
            Looked::Hit(_) | Looked::Moved(..) => Some(l),
            Looked::Miss => None,
        }
    }

    /// Keeps the loudness of `rel` (at `path`), measured of the content the
    /// cache holds the measurement of; `false` (nothing kept) if the file
    /// is not that content, or was never measured.
    pub fn put_loudness(&mut self, rel: &str, path: &Path, loudness: super::loudness::Loudness) -> bool {
        if matches!(self.look(rel, path, None), Looked::Miss) {
            return false;
        }
        let Some(stored) = self.file.entries.get_mut(rel) else { return false };
        stored.loudness = Some(loudness);
        self.mark(rel);
        true
    }

    /// What the cache says of the hosted file at `url` at `now` (Unix
    /// seconds): its measurement is fresh if its server was asked less than
    /// `fresh_for` seconds ago (a time ahead of `now` is not believed).
    pub fn look_hosted(&self, url: &str, now: i64, fresh_for: i64) -> HostedLook {
        let Some(stored) = self.file.hosted.get(url).filter(|s| s.is_possible()) else { return HostedLook::Miss };
        if stored.stamp.earlier {
            return HostedLook::Earlier;
        }
        let age = now.saturating_sub(stored.stamp.checked);
        match (0..fresh_for).contains(&age) {
            true => HostedLook::Fresh(stored.info()),
            false => {
                let HostedStamp { size, etag, last_modified, .. } = stored.stamp.clone();
                HostedLook::Stale(stored.info(), Hosted { size, etag, last_modified })
            }
        }
    }

    /// Records a fresh measurement of the hosted file at `url`, its server
    /// asked at `now`.
    pub fn put_hosted(&mut self, url: &str, hosted: &Hosted, info: &AudioInfo, now: i64) {
        let Hosted { size, etag, last_modified } = hosted.clone();
        let stamp = HostedStamp { size, etag, last_modified, checked: now, earlier: false };
        self.file.hosted.insert(url.to_string(), Stored::of(stamp, info));
        self.mark_hosted(url);
    }

    /// Another podsmith's measurement of the hosted file at `url` (see
    /// [`HostedLook::Earlier`]), if the cache kept one.
    pub fn earlier_hosted(&self, url: &str) -> Option<AudioInfo> {
        self.file.hosted.get(url).filter(|s| s.stamp.earlier && s.is_possible()).map(Stored::info)
    }

    /// Takes note that the hosted file at `url` was found unchanged at `now`.
    pub fn checked_hosted(&mut self, url: &str, now: i64) {
        if let Some(stored) = self.file.hosted.get_mut(url) {
            stored.stamp.checked = now;
            self.mark_hosted(url);
        }
    }

    /// Forgets the hosted file at `url` (it changed: it is measured again).
    pub fn forget_hosted(&mut self, url: &str) {
        if self.file.hosted.remove(url).is_some() {
            self.mark_hosted(url);
        }
    }

    /// What identifies the content of the hosted files at `urls` as far as
    /// the cache knows (unmeasured ones included): it changes when one of
    /// them does.
    pub fn hosted_digest<'a>(&self, urls: impl Iterator<Item = &'a str>) -> String {
        let mut h = Vec::new();
        for url in urls {
            let stamp = self.file.hosted.get(url).filter(|s| s.is_possible()).map(|s| &s.stamp);
            let said = stamp.map(|s| (s.size, s.etag.as_deref(), s.last_modified.as_deref()));
            h.push(format!("{url}\t{said:?}"));
        }
        format!("{:016x}", crate::fsutil::fnv64(h.join("\n").as_bytes()))
    }

    /// What the cache has for `rel`, whatever the file is now.
    pub fn peek(&self, rel: &str) -> Option<AudioInfo> {
        let stored = self.file.entries.get(rel).filter(|s| s.is_possible())?;
        Some(stored.info())
    }

    /// Takes note that `rel` (at `path`) changed status but not content:
    /// podsmith published it by a hard link, which moves its change time.
    pub fn refresh(&mut self, rel: &str, path: &Path) {
        let Some(stored) = self.file.entries.get_mut(rel) else { return };
        let Ok(meta) = std::fs::metadata(path) else { return };
        let same = crate::fsutil::size_and_time(&meta) == Some((stored.stamp.size, stored.stamp.mtime_ns));
        let change = change_of(&meta);
        if same && stored.stamp.change.is_some() && change != stored.stamp.change {
            stored.stamp.change = change;
            self.mark(rel);
        }
    }

    /// Drops entries for files the show no longer has (files on disk by
    /// path, hosted ones by URL).
    pub fn retain(&mut self, keep: &dyn Fn(&str) -> bool) {
        let (files, hosted) = &mut self.changed;
        let kept = |k: &String, changed: &mut std::collections::BTreeSet<String>| {
            keep(k) || {
                changed.insert(k.clone());
                false
            }
        };
        self.file.entries.retain(|k, _| kept(k, files));
        self.file.hosted.retain(|k, _| kept(k, hosted));
    }

    /// Writes what changed in the cache since it was read or last saved:
    /// appended to its log, or the cache whole (see the module docs).
    /// Failing to write it only costs time on the next build, so the error
    /// is returned for a warning.
    pub fn save(&mut self) -> std::io::Result<()> {
        if !self.is_dirty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            // Never through a link: .podsmith/ must be a folder of the show's own.
            crate::show_lock::own_dir(dir)?;
        }
        let line = match self.whole || self.file.id.is_empty() {
            true => None,
            false => Some(self.delta_line()?),
        };
        match line {
            // (A log that cannot be appended to is replaced by a whole cache.)
            Some(line)
                if crate::journal::has_room(self.sizes, line.len(), LOG_MIN_BYTES)
                    && crate::output::append_record_line(&self.log_path, &line, false).is_ok() =>
            {
                self.sizes.1 += line.len() as u64;
            }
            _ => self.save_whole()?,
        }
        self.changed = Default::default();
        Ok(())
    }

    /// One line of the log: the entries changed since the last save.
    fn delta_line(&self) -> std::io::Result<Vec<u8>> {
        let mut delta = Delta { base: self.file.id.clone(), ..Delta::default() };
        for rel in &self.changed.0 {
            delta.entries.insert(rel.clone(), self.file.entries.get(rel).cloned());
        }
        for url in &self.changed.1 {
            delta.hosted.insert(url.clone(), self.file.hosted.get(url).cloned());
        }
        let mut line = serde_json::to_vec(&delta).map_err(std::io::Error::other)?;
        line.push(b'\n');
        Ok(line)
    }

    /// Writes the cache whole, with a new `id`, and removes its log (whose
    /// lines name the old one, should the removal not happen).
    fn save_whole(&mut self) -> std::io::Result<()> {
        let id = crate::journal::new_id(&self.file.id);
        let old = std::mem::replace(&mut self.file.id, id);
        let written = serde_json::to_vec(&self.file)
            .map_err(std::io::Error::other)
            .and_then(|json| crate::output::write_cache_bytes(&self.path, &json).map(|_| json));
        let json = match written {
            Ok(json) => json,
            Err(e) => {
                self.file.id = old;
                return Err(e);
            }
        };
        self.sizes = (json.len() as u64, 0);
        self.whole = false;
        match std::fs::remove_file(&self.log_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Size, modification time and a fingerprint of the first and last 4 KiB.
fn stamp(path: &Path) -> std::io::Result<Stamp> {
    let (mut f, meta) = crate::fsutil::open_with_metadata(path)?;
    let (size, mtime_ns) = crate::fsutil::size_and_time(&meta).unwrap_or((meta.len(), 0));
    let mut buf = vec![0u8; 8192];
    let head = f.read(&mut buf[..4096])?;
    let mut n = head;
    if size > 8192 {
        f.seek(SeekFrom::End(-4096))?;
        n += f.read(&mut buf[head..head + 4096])?;
    }
    let fingerprint = format!("{:016x}", crate::fsutil::fnv64(&buf[..n]));
    Ok(Stamp { size, mtime_ns, fingerprint, change: change_of(&meta) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_cache_is_set_aside_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".podsmith")).unwrap();
        std::fs::write(dir.path().join(CACHE_PATH), b"{ not json").unwrap();
        let cache = Cache::open(dir.path());
        assert!(cache.discarded.as_deref().unwrap().starts_with("damaged"));
        assert!(cache.file.entries.is_empty());
    }

    /// A show folder with one measured fixture and its cache entry.
    fn cached_fixture() -> (tempfile::TempDir, std::path::PathBuf, AudioInfo, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/audio/cbr-xing.mp3");
        let path = dir.path().join("a.mp3");
        std::fs::copy(src, &path).unwrap();
        let info = crate::probe::probe_file(&path).unwrap();
        let mut cache = Cache::open(dir.path());
        cache.put("a.mp3", &path, &info);
        (dir, path, info, cache)
    }

    /// A second fixture beside the first, measured.
    fn second(dir: &Path, cache: &mut Cache) -> (std::path::PathBuf, AudioInfo) {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/audio/vorbis.ogg");
        let path = dir.join("b.ogg");
        std::fs::copy(src, &path).unwrap();
        let info = crate::probe::probe_file(&path).unwrap();
        cache.put("b.ogg", &path, &info);
        (path, info)
    }

    /// A save after the first writes what changed into the log, not the
    /// cache; a reopen reads both; a dropped entry goes through the log too.
    #[test]
    fn a_save_appends_what_changed_and_the_cache_is_read_with_its_log() {
        let (dir, a, info_a, mut cache) = cached_fixture();
        cache.save().unwrap();
        let (whole, log) = (dir.path().join(CACHE_PATH), dir.path().join(CACHE_LOG_PATH));
        let written = std::fs::read(&whole).unwrap();
        assert!(!log.exists(), "the first save writes the cache whole");
        let (b, info_b) = second(dir.path(), &mut cache);
        cache.save().unwrap();
        assert_eq!(std::fs::read(&whole).unwrap(), written, "the cache file is left as it was");
        let line = std::fs::read_to_string(&log).unwrap();
        assert_eq!(line.lines().count(), 1);
        assert!(line.contains("b.ogg") && !line.contains("a.mp3"), "only what changed: {line}");
        let mut again = Cache::open(dir.path());
        assert_eq!(again.get("a.mp3", &a), Some(info_a));
        assert_eq!(again.get("b.ogg", &b), Some(info_b));
        assert!(!again.is_dirty());
        again.retain(&|rel| rel != "a.mp3");
        again.save().unwrap();
        let again = Cache::open(dir.path());
        assert_eq!(again.peek("a.mp3"), None, "dropped through the log");
        assert!(again.peek("b.ogg").is_some());
        assert_eq!(std::fs::read(&whole).unwrap(), written);
    }

    /// A line cut short (a save killed while writing it) or damaged is
    /// left out with every line after it, and the next save writes the
    /// cache whole (the log goes); a line of another cache file is left out.
    #[test]
    fn a_damaged_log_is_read_up_to_the_damage_and_a_foreign_line_is_left_out() {
        let (dir, a, info_a, mut cache) = cached_fixture();
        cache.save().unwrap();
        let (b, info_b) = second(dir.path(), &mut cache);
        cache.save().unwrap();
        let log = dir.path().join(CACHE_LOG_PATH);
        let good = std::fs::read_to_string(&log).unwrap();
        // Another cache file's line: left out, the rest read.
        let foreign = good.replace(&cache.file.id, "0123456789abcdef").replace("b.ogg", "c.ogg");
        std::fs::write(&log, format!("{foreign}{good}")).unwrap();
        let read = Cache::open(dir.path());
        assert!(read.peek("c.ogg").is_none() && read.peek("b.ogg").is_some());
        assert!(!read.whole);
        for damaged in [format!("{}{good}", &good[..good.len() / 2]), format!("{good}{}", &good[..good.len() - 1])] {
            std::fs::write(&log, &damaged).unwrap();
            let mut read = Cache::open(dir.path());
            assert!(read.whole, "{damaged}");
            assert_eq!(read.get("a.mp3", &a), Some(info_a.clone()));
            let before_damage = damaged.starts_with(&good);
            assert_eq!(read.get("b.ogg", &b).is_some(), before_damage, "{damaged}");
            read.put("b.ogg", &b, &info_b);
            read.save().unwrap();
            assert!(!log.exists(), "written whole, the log is gone");
            assert_eq!(Cache::open(dir.path()).get("b.ogg", &b), Some(info_b.clone()));
            std::fs::write(&log, &good).unwrap(); // of the old cache file: left out from now on
            assert!(!Cache::open(dir.path()).whole);
        }
    }

    /// Once the log outgrows its share of the cache, the next save writes
    /// the cache whole (with a new id) and the log goes.
    #[test]
    fn a_long_log_is_folded_into_the_cache() {
        let (dir, a, _, mut cache) = cached_fixture();
        cache.save().unwrap();
        let log = dir.path().join(CACHE_LOG_PATH);
        let first_id = cache.file.id.clone();
        let mut folded = false;
        for n in 0..1000 {
            let l = crate::probe::loudness::Loudness {
                integrated_lufs: Some(-16.0 - f64::from(n) / 100.0),
                true_peak_dbtp: None,
                channels: 1,
            };
            assert!(cache.put_loudness("a.mp3", &a, l));
            cache.save().unwrap();
            if !log.exists() {
                folded = true;
                assert_ne!(cache.file.id, first_id);
                assert_eq!(Cache::open(dir.path()).loudness("a.mp3", &a), Some(l));
                break;
            }
            assert!(std::fs::metadata(&log).unwrap().len() <= LOG_MIN_BYTES);
        }
        assert!(folded, "the log was never folded in");
    }

    #[test]
    fn an_impossible_entry_is_measured_again() {
        let (_dir, path, _, mut cache) = cached_fixture();
        for (secs, rate) in [(-3.0, Some(44_100)), (1e300, Some(44_100)), (3.0, Some(0)), (0.0, None)] {
            let stored = cache.file.entries.get_mut("a.mp3").unwrap();
            stored.duration_secs = secs;
            stored.sample_rate = rate;
            assert_eq!(cache.get("a.mp3", &path), None, "{secs} {rate:?}");
        }
        // An Opus length its bytes cannot hold (a cache written before that was refused).
        let stored = cache.file.entries.get_mut("a.mp3").unwrap();
        (stored.duration_secs, stored.sample_rate, stored.codec) = (1_800_000.0, Some(48_000), super::Codec::Opus);
        assert_eq!(cache.get("a.mp3", &path), None);
        cache.file.entries.get_mut("a.mp3").unwrap().codec = super::Codec::Mp3;
        // More chapters than a tag is read for (a crafted cache: thousands
        // would cost every build their checks).
        let stored = cache.file.entries.get_mut("a.mp3").unwrap();
        stored.duration_secs = 3.0;
        stored.sample_rate = Some(44_100);
        assert!(cache.get("a.mp3", &path).is_some());
        let chapter = crate::probe::id3::TaggedChapter {
            start_ms: 0,
            end_ms: None,
            title: String::new(),
            toc: true,
            url: None,
            picture: None,
        };
        cache.file.entries.get_mut("a.mp3").unwrap().chapters = vec![chapter; crate::probe::id3::MAX_CHAPTERS + 1];
        assert_eq!(cache.get("a.mp3", &path), None);
    }

    /// Loudness is kept with the measurement of the same content: read
    /// back after a save, gone when the file changes or is measured anew,
    /// never kept for a file not measured, and a value no meter gives
    /// (a crafted cache) is not believed.
    #[test]
    fn loudness_is_kept_for_the_content_it_was_measured_of() {
        use crate::probe::loudness::Loudness;
        let (dir, path, info, mut cache) = cached_fixture();
        let l = Loudness { integrated_lufs: Some(-16.2), true_peak_dbtp: Some(-11.6), channels: 1 };
        assert_eq!(cache.loudness("a.mp3", &path), None);
        assert!(!cache.put_loudness("b.mp3", &path, l), "not measured: nothing kept");
        assert!(cache.put_loudness("a.mp3", &path, l));
        cache.save().unwrap();
        let mut cache = Cache::open(dir.path());
        assert_eq!(cache.loudness("a.mp3", &path), Some(l));
        for crafted in [Some(f64::NAN), Some(1e300), Some(-1e300)] {
            cache.file.entries.get_mut("a.mp3").unwrap().loudness = Some(Loudness { integrated_lufs: crafted, ..l });
            assert_eq!(cache.loudness("a.mp3", &path), None, "{crafted:?}");
        }
        cache.file.entries.get_mut("a.mp3").unwrap().loudness = Some(Loudness { channels: 0, ..l });
        assert_eq!(cache.loudness("a.mp3", &path), None);
        cache.put_loudness("a.mp3", &path, l);
        cache.put("a.mp3", &path, &info);
        assert_eq!(cache.loudness("a.mp3", &path), None, "measured anew: loudness to measure again");
        cache.put_loudness("a.mp3", &path, l);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&[0; 417]);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(cache.loudness("a.mp3", &path), None, "another content");
        assert!(!cache.put_loudness("a.mp3", &path, l), "not of the content measured");
    }

    #[test]
    fn an_entry_is_valid_only_for_the_same_file() {
        let (dir, path, info, mut cache) = cached_fixture();
        cache.save().unwrap();
        let mut cache = Cache::open(dir.path());
        assert_eq!(cache.get("a.mp3", &path), Some(info.clone()));
        // Same size, same modification time, other bytes: only the
        // fingerprint can tell.
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[100] ^= 0xFF;
        std::fs::write(&path, &bytes).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        let (size, time) = (stamp(&path).unwrap().size, stamp(&path).unwrap().mtime_ns);
        assert_eq!((size, time), (cache.file.entries["a.mp3"].stamp.size, cache.file.entries["a.mp3"].stamp.mtime_ns));
        assert_eq!(cache.get("a.mp3", &path), None);
        // And the same bytes back make the entry good again.
        bytes[100] ^= 0xFF;
        std::fs::write(&path, &bytes).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        assert_eq!(cache.get("a.mp3", &path), Some(info));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_published_by_a_hard_link_is_known_again_without_reading_it() {
        let (dir, path, info, mut cache) = cached_fixture();
        cache.save().unwrap();
        // Unchanged: known from its status alone (nothing to write back).
        let mut cache = Cache::open(dir.path());
        assert_eq!(cache.get("a.mp3", &path), Some(info.clone()));
        assert!(!cache.is_dirty(), "the ends were read again");
        // A hard link moves the change time: the ends are read, once.
        std::fs::hard_link(&path, dir.path().join("published.mp3")).unwrap();
        cache.refresh("a.mp3", &path);
        assert!(cache.is_dirty(), "the new change time is kept");
        cache.save().unwrap();
        let mut cache = Cache::open(dir.path());
        assert_eq!(cache.get("a.mp3", &path), Some(info));
        assert!(!cache.is_dirty());
    }

    #[test]
    fn hosted_measurements_are_fresh_for_an_hour_then_stale_and_a_crafted_time_is_not_believed() {
        let dir = tempfile::tempdir().unwrap();
        let info = crate::probe::probe_file(&std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audio/cbr-xing.mp3"
        )))
        .unwrap();
        let url = "https://cdn.example.com/a.mp3";
        let said = Hosted { size: 1234, etag: Some("\"e1\"".into()), last_modified: None };
        let mut cache = Cache::open(dir.path());
        let before = cache.hosted_digest([url].into_iter());
        assert_eq!(cache.look_hosted(url, 1000, 3600), HostedLook::Miss);
        cache.put_hosted(url, &said, &info, 1000);
        let measured = AudioInfo { bytes: 1234, ..info.clone() };
        assert_eq!(cache.look_hosted(url, 4599, 3600), HostedLook::Fresh(measured.clone()));
        assert_eq!(cache.look_hosted(url, 4600, 3600), HostedLook::Stale(measured.clone(), said.clone()));
        // Asked "in the future": not believed fresh.
        assert_eq!(cache.look_hosted(url, 999, 3600), HostedLook::Stale(measured.clone(), said.clone()));
        let known = cache.hosted_digest([url].into_iter());
        assert_ne!(known, before);
        cache.checked_hosted(url, 5000);
        assert_eq!(cache.hosted_digest([url].into_iter()), known, "asking again changes nothing it tells");
        cache.save().unwrap();
        let mut again = Cache::open(dir.path());
        assert_eq!(again.look_hosted(url, 5001, 3600), HostedLook::Fresh(measured));
        again.forget_hosted(url);
        assert_eq!(again.hosted_digest([url].into_iter()), before);
        // Gone from the show: dropped.
        again.put_hosted(url, &said, &info, 1000);
        again.retain(&|_| false);
        assert_eq!(again.look_hosted(url, 1001, 3600), HostedLook::Miss);
    }
}
