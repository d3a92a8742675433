//! `.podsmith/build.json`: what podsmith wrote into each output folder.
//!
//! The record serves three purposes:
//! - **Nothing changed**: a build whose inputs (podsmith's version, the
//!   manifest's text, the templates, which episodes are live, the size and
//!   modification time of every media and image file) and outputs are as
//!   the last build left them does nothing.
//! - **Never overwrite another's file**: a file in the output folder is
//!   podsmith's if the record lists it with its size and modification time,
//!   or with its content fingerprint ([`Fingerprint`]); anything else is
//!   someone else's and is not replaced without `--force`.
//! - **Delete only what it wrote**: a file the show no longer publishes is
//!   removed only if the record lists it and it still has the fingerprint
//!   podsmith recorded.
//!
//! Before writing, a build records what it is about to write (`pending`),
//! so that after an interrupted build the next one still knows those files
//! as its own. That list goes into a file of its own,
//! `.podsmith/pending.json` (flushed before anything is written), not into
//! the whole record: a big show's record is megabytes. The next record
//! saved takes it in, and the file goes. For the same reason a save
//! appends what changed to the record's log (`.podsmith/build.log`) rather than
//! writing the record whole.
//!
//! The record travels with a cloned show and may be damaged or crafted, so
//! it is read as untrusted input: bounded in size, every path checked to be
//! a plain relative path inside the output folder (no `..`, no absolute
//! path), every fingerprint checked for its form. What does not pass is
//! ignored, with a warning; a record that cannot be read at all is set
//! aside, which only costs a full build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::fsutil::Fingerprint;
use crate::manifest::{Asset, Show};
use crate::text::hex;

mod log;
pub use log::LOG_PATH;

/// The record's path, relative to the show folder.
pub const RECORD_PATH: &str = ".podsmith/build.json";
/// The list of files builds set out to write, until the record takes it in.
pub const PENDING_PATH: &str = ".podsmith/pending.json";
/// The record's format.
const VERSION: u32 = 2;
/// Output folders remembered (the most recently built first).
const MAX_SITES: usize = 8;
/// How many problems with a record are named one by one.
const MAX_NAMED: usize = 5;

/// A file podsmith wrote: how to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, in nanoseconds since 1970.
    pub mtime_ns: u128,
    /// Content fingerprint (absent in records of podsmith before 0.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

/// What podsmith knows about one output folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteRecord {
    /// The output folder, absolute (as it resolved when written).
    pub out: PathBuf,
    /// The show folder, absolute (as it resolved when written; absent in
    /// records of an older podsmith): an output folder inside it moves with
    /// it (see [`Records::follow_show`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<PathBuf>,
    /// Fingerprint of everything the last complete build read.
    pub inputs: String,
    /// The same without the media files' size and time ([`Inputs::content`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// SHA-256 of the memo that build left (in `.podsmith/memos/`), which
    /// this record vouches for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<Fingerprint>,
    /// Every file the last complete build left under the output folder.
    pub outputs: BTreeMap<String, Written>,
    /// Files a build set out to write, with the fingerprint each will have;
    /// empty once the build has finished.
    pub pending: BTreeMap<String, Fingerprint>,
    /// Which build set out to write into the folder last (see
    /// [`new_build_id`]): its pending list names it too, so a list the
    /// record names is one whose build finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    /// The summary of that build, to repeat.
    pub summary: Summary,
    /// Whether this record came with the show from another folder (see
    /// [`Records::follow_show`]): its files are then removed only if their
    /// size and time are still as recorded, not by their fingerprint
    /// alone (a record copied in with a show is anyone's word). Not saved.
    #[serde(skip)]
    pub followed: bool,
}

/// An id for a build that sets out to write into an output folder: its
/// time and process, in hex.
pub fn new_build_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}", std::process::id())
}

/// Whether `id` can be a build's id (as [`new_build_id`] makes them).
fn is_build_id(id: &str) -> bool {
    id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// A [`SiteRecord`] as read, before anything in it is trusted (`W`: how
/// an output is said; in a line of the log, `null` for one gone).
#[derive(Debug, Deserialize)]
struct RawSite<W = RawWritten> {
    out: PathBuf,
    #[serde(default)]
    root: Option<PathBuf>,
    inputs: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    memo: Option<String>,
    outputs: BTreeMap<String, W>,
    #[serde(default)]
    pending: BTreeMap<String, String>,
    #[serde(default)]
    build: Option<String>,
    summary: Summary,
}

#[derive(Debug, Deserialize)]
struct RawWritten {
    size: u64,
    mtime_ns: u128,
    #[serde(default)]
    fingerprint: Option<String>,
}

/// What the build said, to say it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Live episodes.
    pub episodes: usize,
    /// Feed file names.
    pub feeds: Vec<String>,
    /// Pages.
    pub pages: usize,
    /// Media and image files.
    pub files: usize,
    /// Files of the show folder the notes link to (none in a record of an
    /// older podsmith, which counted them among `files`).
    #[serde(default)]
    pub linked: usize,
    /// Media files (all probed or cached).
    pub media: usize,
    /// Warnings it printed (a record of an older podsmith kept them as
    /// plain text: those are not said again, and the record is still read).
    #[serde(default, deserialize_with = "said_again")]
    pub warnings: Vec<Diagnostic>,
}

/// The warnings of a record's summary that are diagnostics; others (text,
/// as older podsmiths wrote them) are left out.
fn said_again<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Diagnostic>, D::Error> {
    let values = Vec::<Said>::deserialize(d)?;
    Ok(values.into_iter().filter_map(|s| s.0).collect())
}

/// A warning of a record's summary: a diagnostic (an object), or text as
/// older podsmiths wrote it (`None`). Told apart as it is read, not by
/// keeping a copy of it first (a crafted record's would take gigabytes).
struct Said(Option<Diagnostic>);

impl<'de> Deserialize<'de> for Said {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Said, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Said;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a warning")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Said, E> {
                Ok(Said(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Said, A::Error> {
                Diagnostic::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|d| Said(Some(d)))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// A record's `version`: `None` for anything but a whole number, which is
/// skipped as it is read, not kept (a crafted record's could be megabytes).
struct Version(Option<u64>);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
        use serde::de::IgnoredAny;
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a format number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Version, E> {
                Ok(Version(Some(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Version, E> {
                Ok(Version(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Version, E> {
                Ok(Version(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Version, E> {
                Ok(Version(None))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Version, E> {
                Ok(Version(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Version, E> {
                Ok(Version(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Version, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Version(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Version, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Version(None))
            }
        }
        d.deserialize_any(Visit)
    }
}

#[derive(Debug, Serialize)]
struct RecordFile<'a> {
    version: u32,
    /// What the lines of its log name it by (`.podsmith/build.log`).
    id: &'a str,
    sites: &'a [SiteRecord],
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    id: String,
    sites: Vec<RawSite>,
}

/// `.podsmith/pending.json`: each output folder's pending files.
#[derive(Debug, Serialize)]
struct PendingFile<'a> {
    version: u32,
    sites: Vec<PendingSite<'a>>,
}

#[derive(Debug, Serialize)]
struct PendingSite<'a> {
    out: &'a Path,
    pending: &'a BTreeMap<String, Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<&'a str>,
}

/// A [`PendingFile`] as read, before anything in it is trusted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPendingFile {
    version: u32,
    sites: Vec<RawPendingSite>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPendingSite {
    out: PathBuf,
    pending: BTreeMap<String, String>,
    #[serde(default)]
    build: Option<String>,
}

/// The record of podsmith 0.1: one site, sizes and times only.
#[derive(Debug, Deserialize)]
struct LegacyRecord {
    inputs: String,
    #[serde(default)]
    out: PathBuf,
    outputs: BTreeMap<String, (u64, u128)>,
    summary: Summary,
}

/// The records of a show, as read (and checked) from its folder.
#[derive(Debug, Default)]
pub struct Records {
    sites: Vec<SiteRecord>,
    /// What was wrong with the record on disk (entries ignored, or all of it).
    pub warnings: Vec<Diagnostic>,
    /// The record file and its log as read (what a save appends to).
    disk: log::OnDisk,
}

/// Size and modification time of a regular file (not a link).
pub fn stat(path: &Path) -> Option<(u64, u128)> {
    crate::fsutil::size_and_time(&std::fs::symlink_metadata(path).ok()?)
}

pub use crate::fsutil::is_plain_relative;

/// The folders inside an output folder that files listed there are in,
/// and that are not folders of podsmith's: a link (to a folder elsewhere,
/// or anywhere) or a file. A file reached through one is never podsmith's:
/// the record is untrusted input, and a crafted one may list a file
/// elsewhere under a linked folder with its very size, time and
/// fingerprint. Each folder is looked at once, however many files are in
/// it (a big show's record lists tens of thousands in a few thousand
/// folders); one that is not there is no link (nothing is in it).
#[derive(Debug, Default)]
pub struct LinkedFolders<'a>(std::collections::HashSet<&'a str>);

impl<'a> LinkedFolders<'a> {
    /// The folders of the files `rels` (paths inside `out`) that are not
    /// folders of podsmith's.
    pub fn of(out: &Path, rels: impl IntoIterator<Item = &'a str>) -> LinkedFolders<'a> {
        use rayon::prelude::*;
        let mut folders = std::collections::HashSet::new();
        for rel in rels {
            // (Deepest first: one already seen has its parents seen too.)
            for (end, _) in rel.rmatch_indices('/') {
                if !folders.insert(&rel[..end]) {
                    break;
                }
            }
        }
        let folders: Vec<&'a str> = folders.into_iter().collect();
        let not_folders = folders
            .into_par_iter()
            .filter(|dir| std::fs::symlink_metadata(out.join(dir)).is_ok_and(|m| !m.is_dir()))
            .collect();
        LinkedFolders(not_folders)
    }

    /// Whether every folder is a folder of podsmith's.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first folder of `rel` (a path inside the output folder) that is
    /// not a folder of podsmith's, if any.
    pub fn on_the_way(&self, rel: &str) -> Option<&'a str> {
        rel.match_indices('/').find_map(|(end, _)| self.0.get(&rel[..end]).copied())
    }
}

/// Fingerprints of what a build reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// Everything but `podsmith.lock`: podsmith's version, the manifest's
    /// text, the output folder, the templates, which episodes are live at
    /// `now`, their notes (also those in notes files), and the size and
    /// time of every media and image file.
    pub all: String,
    /// The same but for the size and time of the media files: what tells
    /// that only media files were touched (their content is then told by
    /// measuring them again).
    pub content: String,
    /// The size and time of the media files on disk alone (to make `all`
    /// again with what is known of the hosted ones: [`Inputs::with_hosted`]).
    local_media: String,
}

impl Inputs {
    /// The inputs with the hosted media as `hosted` (see
    /// [`crate::probe::cache::Cache::hosted_digest`]) tells them.
    pub fn with_hosted(&self, hosted: &str) -> Inputs {
        Inputs { all: all_of(&self.local_media, hosted, &self.content), ..self.clone() }
    }

    /// The inputs with `podsmith.lock` (its [`lock_print`]) in them (see
    /// [`with_lock`]).
    pub fn with_lock(&self, lock: &LockPrint) -> Inputs {
        Inputs {
            all: with_lock(&self.all, lock),
            content: with_lock(&self.content, lock),
            local_media: self.local_media.clone(),
        }
    }
}

/// `all` of [`Inputs`].
fn all_of(local_media: &str, hosted: &str, content: &str) -> String {
    let mut h = Sha256::new();
    for part in [local_media, hosted, content] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// The fingerprints of what a build reads; `None` when a file cannot be
/// read (then the build does everything). SHA-256, so they are the same
/// for every build of podsmith and every Rust release. Every media and
/// image file looked at is put in `seen`, by path.
pub fn inputs(
    show: &Show,
    manifest_text: &str,
    templates: &Path,
    out: &Path,
    now: DateTime<Utc>,
    seen: &mut super::snapshot::Seen,
    hosted: &str,
) -> Option<Inputs> {
    let mut content = Sha256::new();
    let mut media = Sha256::new();
    program(&mut content);
    put(&mut content, manifest_text.as_bytes());
    // Where the site is served, which a preview sets apart from the
    // manifest (`podsmith serve --port`): every URL of it changes with it.
    put(&mut content, show.podcast.base_url.as_str().as_bytes());
    put(&mut content, show.podcast.link.as_str().as_bytes());
    put(&mut content, out.as_os_str().as_encoded_bytes());
    // The templates the pages are made with, as the pages read them; one
    // they would not read (a link out of the show folder or to nothing,
    // a `templates` that is not a folder) leaves it to the build to say why,
    // every time. (Other files there, an editor's backups, a folder, are
    // not read.)
    match std::fs::metadata(templates) {
        Ok(m) if !m.is_dir() => return None,
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return None,
        _ => {}
    }
    let names = crate::pages::template_names(templates);
    let root = match names.is_empty() {
        true => PathBuf::new(),
        false => show.root.canonicalize().ok()?,
    };
    for name in names {
        let p = templates.join(&name);
        if !p.canonicalize().ok()?.starts_with(&root) {
            return None;
        }
        put(&mut content, name.as_bytes());
        put(&mut content, &crate::fsutil::read(&p, crate::fsutil::TEMPLATE).ok()?);
    }
    for (f, is_media) in episodes(show, now, out, &mut content) {
        // As the manifest's reading looked at it (`seen`), else now.
        let status = match seen.get(f) {
            Some(status) => status,
            None => crate::fsutil::Status::of(&std::fs::metadata(f).ok()?),
        };
        let (size, mtime) = status.stamp()?;
        seen.insert(f, status);
        let h = if is_media { &mut media } else { &mut content };
        put(h, f.as_os_str().as_encoded_bytes());
        put(h, &size.to_le_bytes());
        put(h, &mtime.to_le_bytes());
        // Which file it is: one put in its place (`mv`, a restore with
        // `cp -p` or `tar`) with the same size and time is another file.
        put(h, &status.dev.to_le_bytes());
        put(h, &status.ino.to_le_bytes());
    }
    let (content, local_media) = (hex(&content.finalize()), hex(&media.finalize()));
    Some(Inputs { all: all_of(&local_media, hosted, &content), content, local_media })
}

/// `bytes` into `h`, after their length.
fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The program into `content`: its version, its own file (size and time:
/// a podsmith built anew, at the same version, does the work again once
/// rather than trust what another build of it made), its templates.
fn program(content: &mut Sha256) {
    put(content, program_identity().as_bytes());
    for source in crate::pages::built_in_templates() {
        put(content, source.as_bytes());
    }
}

/// Which podsmith this is: its version and its own file's size and time
/// (a podsmith built anew, at the same version, is another). Read once.
pub fn program_identity() -> &'static str {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(|| {
        let stamp = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::metadata(exe).ok())
            .and_then(|m| crate::fsutil::size_and_time(&m));
        match stamp {
            Some((size, mtime)) => format!("{} {size} {mtime}", env!("CARGO_PKG_VERSION")),
            None => env!("CARGO_PKG_VERSION").to_string(),
        }
    })
}

/// What the episodes are beyond the manifest's text, into `content`:
/// whether each is live at `now`, its notes, transcripts and chapters.
/// Returns the files they read (and the show's cover), each with whether
/// it is media (measured: fingerprinted apart) or an image (in the content:
/// validation reads them).
fn episodes<'s>(show: &'s Show, now: DateTime<Utc>, out: &Path, content: &mut Sha256) -> Vec<(&'s Path, bool)> {
    let mut files: Vec<(&Path, bool)> = Vec::new();
    // (Resolved only for a show whose notes link to its files.)
    let out = std::sync::LazyLock::new(|| out.canonicalize().ok());
    if let Asset::Local(f) = &show.podcast.image {
        files.push((&f.path, false));
    }
    for e in &show.episodes {
        // Which episodes are live changes with the clock.
        put(content, &[u8::from(e.date.with_timezone(&Utc) <= now)]);
        // The notes, also those read from a notes_file.
        put(content, e.notes.as_bytes());
        files.extend(e.media.iter().filter_map(|m| m.local()).map(|f| (f.path.as_path(), true)));
        if let Some(Asset::Local(f)) = &e.image {
            files.push((&f.path, false));
        }
        // The files the notes link to, published with the site.
        if !e.linked.is_empty() {
            let linked = crate::catalog::linked_files(e, out.as_deref());
            files.extend(linked.map(|f| (f.path.as_path(), false)));
        }
        for t in &e.transcripts {
            put(content, t.rel.as_bytes());
            put(content, t.language.as_bytes());
            put(content, &t.bytes);
            // What was left out of an HTML one, and its relative links: said,
            // though the file written may be the same without another tag.
            for said in t.left_out.iter().chain(&t.relative) {
                put(content, said.as_bytes());
            }
        }
        // The chapters, also those read from a chapters_file, and their pictures.
        if let Some(c) = &e.chapters {
            put(content, format!("{c:?}").as_bytes());
            for ch in &c.list {
                if let Some(Asset::Local(f)) = &ch.image {
                    files.push((&f.path, false));
                }
            }
        }
    }
    files
}

/// What tells `podsmith.lock` as it was: SHA-256 of its status.
pub type LockPrint = [u8; 32];

/// The [`LockPrint`] of the lock at `path`; `None` when there is none.
/// Its size, times and file, one look: an edit that keeps its length (a
/// published guid changed by a digit) changes its modification time, or
/// its status-change time where the old one was put back (which no one can
/// set), or the file itself (an editor's save, a `git checkout`, a copy
/// with `cp -p`); podsmith writes it by renaming a new file into place.
/// As cheap as its length alone, which is all a build with nothing to do
/// looked at before.
pub fn lock_print(path: &Path) -> Option<LockPrint> {
    let status = crate::fsutil::Status::of(&std::fs::metadata(path).ok()?);
    let mut h = Sha256::new();
    for n in [u128::from(status.size), status.mtime_ns, status.ctime_ns, u128::from(status.dev), u128::from(status.ino)]
    {
        h.update(n.to_le_bytes());
    }
    Some(h.finalize().into())
}

/// The inputs' fingerprint with `podsmith.lock` in it: what the record
/// keeps, to tell that nothing changed.
pub fn with_lock(inputs: &str, lock: &LockPrint) -> String {
    let mut h = Sha256::new();
    h.update(inputs.as_bytes());
    h.update(lock);
    hex(&h.finalize())
}

impl Records {
    /// The records of the show in folder `root`; what cannot be trusted in
    /// them is left out, and said in [`Records::warnings`].
    pub fn read(root: &Path) -> Records {
        let mut records = Records::read_record(root);
        records.take_in_pending(root);
        records
    }

    /// `.podsmith/build.json` and its log.
    fn read_record(root: &Path) -> Records {
        let path = root.join(RECORD_PATH);
        let bytes = match crate::fsutil::read(&path, crate::fsutil::RECORD) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Records::default(),
            Err(e) => return Records::set_aside(format!("cannot be read ({e})")),
        };
        let (id, sites) = match raw_sites(&bytes) {
            Ok(read) => read,
            Err(why) => return Records::set_aside(why),
        };
        let mut records = Records::default();
        records.disk.id = id;
        records.disk.sizes.0 = bytes.len() as u64;
        drop(bytes);
        let mut ignored: Vec<String> = Vec::new();
        for raw in sites.into_iter().take(MAX_SITES) {
            records.sites.extend(SiteRecord::checked(raw, &mut ignored));
        }
        records.read_log(root, &mut ignored);
        if !ignored.is_empty() {
            let n = ignored.len();
            let mut named: Vec<String> = ignored.into_iter().take(MAX_NAMED).collect();
            if n > MAX_NAMED {
                named.push(format!("and {} more", n - MAX_NAMED));
            }
            records.warnings.push(Diagnostic::warning(
                "RECORD",
                format!(
                    "{RECORD_PATH} lists {n} entr{} that cannot be a file podsmith wrote inside its output folder: {}; \
                     ignored (podsmith replaces or deletes only files it wrote there)",
                    if n == 1 { "y" } else { "ies" },
                    named.join(", ")
                ),
            ));
        }
        records
    }

    /// Takes in `.podsmith/pending.json`, if there is one (a build that did
    /// not finish, or whose record has not taken it in yet): its files
    /// become pending in the record of their folder (a new one if there is
    /// none), but for those the record lists already with the fingerprint
    /// they were to have. What cannot be a file podsmith wrote is left out,
    /// and said; a list that cannot be read is said and not used. A list
    /// that adds nothing to the record (or cannot be read) is removed (the caller holds the
    /// show's lock), so that a build with nothing to do does not say it
    /// again and again.
    fn take_in_pending(&mut self, root: &Path) {
        if self.take_in_pending_list(&root.join(PENDING_PATH)) == Some(0) {
            let _ = std::fs::remove_file(root.join(PENDING_PATH));
        }
    }

    /// [`Records::take_in_pending`] but for the removing: how many files
    /// it made pending (`None`: there is no list).
    fn take_in_pending_list(&mut self, path: &Path) -> Option<usize> {
        let raw = match crate::fsutil::read(path, crate::fsutil::RECORD) {
            Ok(bytes) => serde_json::from_slice::<RawPendingFile>(&bytes).map_err(|e| format!("is damaged ({e})")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => Err(format!("cannot be read ({e})")),
        };
        let of_this_podsmith = |f: RawPendingFile| match f.version {
            VERSION => Ok(f.sites),
            v => Err(format!("was written by another podsmith (format {v})")),
        };
        let sites = match raw.and_then(of_this_podsmith) {
            Ok(sites) => sites,
            Err(why) => {
                self.warnings.push(Diagnostic::warning(
                    "RECORD",
                    format!(
                        "{PENDING_PATH} {why}; it is removed: files a build that did not finish wrote may be \
                         taken for someone else's (then build with --force)"
                    ),
                ));
                return Some(0);
            }
        };
        let (mut ignored, mut taken) = (0, 0);
        for raw in sites.into_iter().take(MAX_SITES) {
            if !raw.out.is_absolute() {
                ignored += 1;
                continue;
            }
            let i = match self.sites.iter().position(|s| s.out == raw.out) {
                Some(i) => i,
                None if self.sites.len() < MAX_SITES => {
                    self.sites.push(SiteRecord { out: raw.out, ..Default::default() });
                    self.sites.len() - 1
                }
                None => continue,
            };
            let site = &mut self.sites[i];
            // The build of a list the record names finished: a file it lists
            // with the fingerprint the record knows is as it was. In the
            // list of a build that did not finish, even such a file may have
            // been on its way (published anew), a temporary file beside it.
            let finished = raw.build.is_some() && raw.build == site.build;
            for (rel, f) in raw.pending {
                match Fingerprint::parse(&f).filter(|_| is_plain_relative(&rel)) {
                    Some(fp) if finished && site.outputs.get(&rel).and_then(|w| w.fingerprint) == Some(fp) => {}
                    Some(fp) => {
                        site.pending.insert(rel, fp);
                        taken += 1;
                    }
                    None => ignored += 1,
                }
            }
        }
        if ignored > 0 {
            self.warnings.push(Diagnostic::warning(
                "RECORD",
                format!(
                    "{PENDING_PATH} lists {ignored} entr{} that cannot be a file podsmith wrote inside its output \
                     folder; ignored (podsmith replaces or deletes only files it wrote there)",
                    if ignored == 1 { "y" } else { "ies" }
                ),
            ));
        }
        Some(taken)
    }

    fn set_aside(why: String) -> Records {
        Records {
            sites: Vec::new(),
            disk: log::OnDisk { whole: true, ..Default::default() },
            warnings: vec![Diagnostic::warning(
                "RECORD",
                format!(
                    "{RECORD_PATH} {why}; it is set aside: this build does everything again, and replaces or deletes \
                     nothing it cannot tell it wrote"
                ),
            )],
        }
    }

    /// The record of output folder `out` (absolute), if there is one.
    pub fn site(&self, out: &Path) -> Option<&SiteRecord> {
        self.sites.iter().find(|s| s.out == out)
    }

    /// Takes, for output folder `out` of the show in folder `root` (both
    /// absolute, as they resolve) that has no record of its own, the record
    /// of the folder at the same place in the show folder it was in: the
    /// show was moved, renamed or copied with its output folder and its
    /// records (`.podsmith/`). The caller reads the records from that show
    /// folder. The record of the folder where it was stays if that folder
    /// is still there (a copy: it is the original's), else it goes (a
    /// move). The memo is not taken (it is of the other folder). The
    /// record leads nowhere but into `out`: its files are plain paths
    /// inside the output folder (checked as it was read), and its folder
    /// is `out` from now on.
    pub fn follow_show(&mut self, root: &Path, out: &Path) {
        // A record of `out` that is only the pending list of a build here
        // that did not finish (its first, killed before it recorded what it
        // wrote) takes the record it would have followed under it: else the
        // files of that record (episodes the build removed) were never known.
        if self.site(out).is_some_and(|s| !s.outputs.is_empty()) {
            return;
        }
        let Ok(inside) = out.strip_prefix(root) else { return };
        if inside.as_os_str().is_empty() {
            return;
        }
        let was_here = |s: &SiteRecord| {
            s.root.as_deref().is_some_and(|r| r != root && s.out.strip_prefix(r).is_ok_and(|p| p == inside))
        };
        let Some(i) = self.sites.iter().position(was_here) else { return };
        let moved = std::fs::symlink_metadata(&self.sites[i].out).is_err();
        let mut site = if moved { self.sites.remove(i) } else { self.sites[i].clone() };
        site.root = Some(root.to_path_buf());
        self.put_followed(i, site, out);
        self.sites.truncate(MAX_SITES);
    }

    /// Puts `site`, a record followed to output folder `out` (see
    /// [`Records::follow_show`], [`Records::follow_link`]), in place of the
    /// one of `out` (whose pending list, of a build there that did not
    /// finish, it takes), or at `i`: its folder `out` from now on, its
    /// files removed only as its size and time say, its memo not taken.
    fn put_followed(&mut self, i: usize, mut site: SiteRecord, out: &Path) {
        site.out = out.to_path_buf();
        site.memo = None;
        site.followed = true;
        match self.sites.iter().position(|s| s.out == out) {
            Some(j) => {
                let unfinished = std::mem::take(&mut self.sites[j]);
                site.pending.extend(unfinished.pending);
                site.build = unfinished.build;
                self.sites[j] = site;
            }
            None => self.sites.insert(i, site),
        }
    }

    /// Takes, for output folder `out` (absolute, as it resolves) that has
    /// no record of its own, the record of a folder whose path leads to
    /// `out` now: the output folder was made a link (moved to a disk of
    /// its own, say, and linked from where it was), and records are kept
    /// by where a folder resolves to. Without it, the files the last build
    /// wrote were known to none, and those of an episode removed in the
    /// same build stayed. As [`Records::follow_show`], the record's files
    /// are removed only where their size and time are still as recorded,
    /// and its memo is not taken.
    pub fn follow_link(&mut self, out: &Path) {
        if self.site(out).is_some_and(|s| !s.outputs.is_empty()) {
            return;
        }
        let leads_here = |s: &SiteRecord| {
            s.out != out
                && !s.outputs.is_empty()
                && std::fs::symlink_metadata(&s.out).is_ok_and(|m| m.file_type().is_symlink())
                && s.out.canonicalize().is_ok_and(|real| real == out)
        };
        let Some(i) = self.sites.iter().position(leads_here) else { return };
        let site = self.sites.remove(i);
        self.put_followed(i, site, out);
    }

    /// Every output folder's record.
    pub fn all(&self) -> &[SiteRecord] {
        &self.sites
    }

    /// Takes the record of output folder `out` out of the records.
    pub fn take(&mut self, out: &Path) -> Option<SiteRecord> {
        let i = self.sites.iter().position(|s| s.out == out)?;
        Some(self.sites.remove(i))
    }

    /// Puts `site` first, replacing the record of the same folder.
    pub fn put(&mut self, site: SiteRecord) {
        self.sites.retain(|s| s.out != site.out);
        self.sites.insert(0, site);
        self.sites.truncate(MAX_SITES);
    }

    /// Saves the records into the show folder `root` (never through a link),
    /// with every folder's pending files: what changed since they were read
    /// is appended to the record's log, flushed (or the record is written
    /// whole: see `.podsmith/build.log`); `.podsmith/pending.json`, taken in, goes.
    pub fn save(&mut self, root: &Path) -> std::io::Result<()> {
        self.save_changes(root, true)
    }

    /// [`Records::save`], not flushed to disk: for a build that wrote
    /// nothing, whose record only takes the new times of files found
    /// unchanged (lost in a crash of the machine, the next build finds the
    /// same again).
    pub fn save_unflushed(&mut self, root: &Path) -> std::io::Result<()> {
        self.save_changes(root, false)
    }

    /// Saves every folder's pending files, and only them, into
    /// `.podsmith/pending.json`, flushed: what a build about to write
    /// records first (see the module docs).
    pub fn save_pending(&self, root: &Path) -> std::io::Result<()> {
        let sites = self
            .sites
            .iter()
            .filter(|s| !s.pending.is_empty())
            .map(|s| PendingSite { out: &s.out, pending: &s.pending, build: s.build.as_deref() })
            .collect();
        let json = serde_json::to_vec(&PendingFile { version: VERSION, sites }).map_err(std::io::Error::other)?;
        crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR))?;
        crate::output::write_bytes(&root.join(PENDING_PATH), &json).map(|_| ())
    }
}

impl LegacyRecord {
    fn upgrade(self) -> RawSite {
        let out = if self.out.is_absolute() {
            self.out
        } else {
            std::path::absolute(&self.out).ok().and_then(|p| p.canonicalize().ok()).unwrap_or_default()
        };
        let outputs = self
            .outputs
            .into_iter()
            .map(|(rel, (size, mtime_ns))| (rel, RawWritten { size, mtime_ns, fingerprint: None }))
            .collect();
        RawSite {
            out,
            root: None,
            inputs: self.inputs,
            content: String::new(),
            memo: None,
            outputs,
            pending: BTreeMap::new(),
            build: None,
            summary: self.summary,
        }
    }
}

impl SiteRecord {
    /// Whether every output is still as the last complete build left it,
    /// in a folder of podsmith's (none is reached through a link: see
    /// [`LinkedFolders`]). `looked`: the files as they were looked at
    /// already (the others are looked at now).
    pub fn outputs_intact(
        &self,
        out: &Path,
        looked: Option<&std::collections::HashMap<String, Option<crate::fsutil::Status>>>,
    ) -> bool {
        self.pending.is_empty() && !self.outputs.is_empty() && {
            // Tens of thousands of files in a big show: looked at in parallel.
            use rayon::prelude::*;
            let (folders, files) = rayon::join(
                || LinkedFolders::of(out, self.outputs.keys().map(String::as_str)).is_empty(),
                || {
                    self.outputs.par_iter().all(|(rel, w)| {
                        let now = match looked.and_then(|l| l.get(rel)) {
                            Some(status) => status.and_then(|s| s.stamp()),
                            None => stat(&out.join(rel)),
                        };
                        now == Some((w.size, w.mtime_ns))
                    })
                },
            );
            folders && files
        }
    }

    /// Whether the file `rel` (its size and time: `stat`) is one podsmith
    /// wrote: its size and time as recorded, or a fingerprint the record has
    /// for it (of a complete build, or of one that was interrupted).
    pub fn wrote(
        &self,
        rel: &str,
        stat: Option<(u64, u128)>,
        fingerprint: &mut dyn FnMut() -> Option<Fingerprint>,
    ) -> bool {
        if self.outputs.get(rel).is_some_and(|w| stat == Some((w.size, w.mtime_ns))) {
            return true;
        }
        let known = self.fingerprints(rel);
        !known.is_empty() && fingerprint().is_some_and(|f| known.contains(&f))
    }

    /// The fingerprints podsmith recorded for `rel` (the finished build's
    /// and an interrupted one's).
    pub fn fingerprints(&self, rel: &str) -> Vec<Fingerprint> {
        self.outputs.get(rel).and_then(|w| w.fingerprint).into_iter().chain(self.pending.get(rel).copied()).collect()
    }
}

/// The sites of a build record's `bytes`: its format first (the rest
/// skipped, not kept), then the record as that format has it, read
/// straight into its types. `Err`: why it is set aside.
fn raw_sites(bytes: &[u8]) -> Result<(String, Vec<RawSite>), String> {
    #[derive(Deserialize)]
    struct Format {
        version: Option<Version>,
    }
    let version = match serde_json::from_slice::<Format>(bytes) {
        Ok(f) => f.version.map(|v| v.0),
        Err(e) => return Err(format!("is damaged ({e})")),
    };
    match version {
        Some(Some(v)) if v == u64::from(VERSION) => match serde_json::from_slice::<RawFile>(bytes) {
            Ok(f) => Ok((f.id, f.sites)),
            Err(e) => Err(format!("is damaged ({e})")),
        },
        Some(Some(v)) => Err(format!("was written by another podsmith (format {v})")),
        Some(None) | None => match serde_json::from_slice::<LegacyRecord>(bytes) {
            Ok(old) => Ok((String::new(), vec![old.upgrade()])),
            Err(e) => Err(format!("is damaged ({e})")),
        },
    }
}

impl SiteRecord {
    /// The record of one output folder as read: `None` if the folder is not
    /// an absolute path; each file that is not a plain path inside it, or
    /// whose fingerprint is not of the right form, left out. What is left
    /// out is named in `ignored`.
    fn checked(raw: RawSite, ignored: &mut Vec<String>) -> Option<SiteRecord> {
        if !raw.out.is_absolute() {
            ignored.push(format!("an output folder that is not an absolute path ({})", raw.out.display()));
            return None;
        }
        let root = raw.root.filter(|r| {
            let absolute = r.is_absolute();
            if !absolute {
                ignored.push(format!("a show folder that is not an absolute path ({})", r.display()));
            }
            absolute
        });
        // A plain path inside the folder, with a fingerprint of the right form (or none).
        let mut check = |rel: &str, fingerprint: Option<&str>| -> Option<Option<Fingerprint>> {
            let fp = fingerprint.map(Fingerprint::parse);
            if is_plain_relative(rel) && fp.is_none_or(|f| f.is_some()) {
                return Some(fp.flatten());
            }
            ignored.push(format!("`{}`", crate::text::truncate_chars(&rel.escape_debug().to_string(), 80)));
            None
        };
        let memo = raw.memo.as_deref().and_then(Fingerprint::parse);
        let mut site = SiteRecord {
            out: raw.out,
            root,
            inputs: raw.inputs,
            content: raw.content,
            memo,
            build: raw.build.filter(|id| is_build_id(id)),
            summary: raw.summary,
            ..Default::default()
        };
        for (rel, w) in raw.outputs {
            if let Some(fingerprint) = check(&rel, w.fingerprint.as_deref()) {
                site.outputs.insert(rel, Written { size: w.size, mtime_ns: w.mtime_ns, fingerprint });
            }
        }
        for (rel, f) in raw.pending {
            if let Some(Some(fp)) = check(&rel, Some(&f)) {
                site.pending.insert(rel, fp);
            }
        }
        Some(site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn files_through_a_linked_folder_or_a_file_in_a_folders_place_are_told() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let elsewhere = dir.path().join("elsewhere");
        for d in ["public/episodes/one", "elsewhere/deep"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        std::os::unix::fs::symlink(&elsewhere, out.join("evil")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("episodes/two")).unwrap();
        std::fs::write(out.join("plain"), "a file").unwrap();
        let rels = [
            "feed.xml",
            "episodes/one/index.html",
            "episodes/two/index.html",
            "evil/deep/secret.env",
            "evil/secret.env",
            "plain/x",
            "gone/x",
        ];
        let linked = LinkedFolders::of(&out, rels);
        let told: Vec<(&str, Option<&str>)> = rels.iter().map(|r| (*r, linked.on_the_way(r))).collect();
        assert_eq!(
            told,
            [
                ("feed.xml", None),
                ("episodes/one/index.html", None),
                ("episodes/two/index.html", Some("episodes/two")),
                ("evil/deep/secret.env", Some("evil")),
                ("evil/secret.env", Some("evil")),
                ("plain/x", Some("plain")),
                ("gone/x", None),
            ]
        );
        assert!(!linked.is_empty());
        assert!(LinkedFolders::of(&out, ["feed.xml", "episodes/one/index.html", "gone/x"]).is_empty());
    }

    #[test]
    fn only_plain_relative_paths_pass() {
        for ok in ["feed.xml", "episodes/pilot/index.html", "media/a b.mp3", ".well-known/x"] {
            assert!(is_plain_relative(ok), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../episodes.toml", "a/../../b", "a//b", "./a", "a/", "a\\..\\b", "a\0b"] {
            assert!(!is_plain_relative(bad), "{bad:?}");
        }
        assert!(!is_plain_relative(&"x".repeat(256)));
    }

    /// The records of a show folder holding `bytes` at `rel` (under `.podsmith/`).
    fn records_with(rel: &str, bytes: &[u8]) -> (tempfile::TempDir, Records) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".podsmith")).unwrap();
        std::fs::write(dir.path().join(rel), bytes).unwrap();
        let records = Records::read(dir.path());
        (dir, records)
    }

    #[test]
    fn a_crafted_record_keeps_only_what_can_be_podsmiths() {
        let fp = Fingerprint::of_bytes(b"x").to_string();
        let json = serde_json::json!({
            "version": 2,
            "sites": [
                { "out": "relative/out", "inputs": "", "outputs": {}, "summary": Summary::default() },
                {
                    "out": "/srv/public", "inputs": "",
                    "outputs": {
                        "feed.xml": { "size": 1, "mtime_ns": 1, "fingerprint": fp },
                        "../../victim/secret.txt": { "size": 1, "mtime_ns": 1, "fingerprint": fp },
                        "/etc/passwd": { "size": 1, "mtime_ns": 1 },
                        "media/x.mp3": { "size": 1, "mtime_ns": 1, "fingerprint": "not a fingerprint" }
                    },
                    "pending": { "../episodes.toml": fp, "index.html": fp },
                    "summary": Summary::default()
                }
            ]
        });
        let (_dir, records) = records_with(RECORD_PATH, json.to_string().as_bytes());
        let site = records.site(Path::new("/srv/public")).unwrap();
        assert_eq!(site.outputs.keys().collect::<Vec<_>>(), ["feed.xml"]);
        assert_eq!(site.pending.keys().collect::<Vec<_>>(), ["index.html"]);
        assert!(records.site(Path::new("relative/out")).is_none());
        assert_eq!(records.warnings.len(), 1);
        assert!(
            records.warnings[0].message.starts_with(
                ".podsmith/build.json lists 5 entries that cannot be a file podsmith wrote inside its output folder: \
                 an output folder that is not an absolute path (relative/out), `../../victim/secret.txt`, `/etc/passwd`, \
                 `media/x.mp3`, `../episodes.toml`; ignored"
            ),
            "{}",
            records.warnings[0].message
        );
    }

    fn pending_of(records: &Records, out: &str) -> Vec<String> {
        records.site(Path::new(out)).map(|s| s.pending.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn pending_files_are_kept_apart_until_the_record_takes_them_in() {
        let dir = tempfile::tempdir().unwrap();
        let fp = |s: &str| Fingerprint::of_bytes(s.as_bytes());
        let mut records = Records::default();
        let mut done = SiteRecord { out: PathBuf::from("/srv/a"), ..Default::default() };
        done.outputs.insert("feed.xml".into(), Written { size: 1, mtime_ns: 1, fingerprint: Some(fp("old")) });
        records.put(done);
        records.save(dir.path()).unwrap();
        // A build of /srv/a sets out to write two files; one of /srv/b, one.
        let mut a = records.take(Path::new("/srv/a")).unwrap();
        a.pending.insert("feed.xml".into(), fp("new"));
        a.pending.insert("episodes/x/index.html".into(), fp("page"));
        records.put(a);
        records.put(SiteRecord {
            out: PathBuf::from("/srv/b"),
            pending: [("index.html".into(), fp("i"))].into(),
            ..Default::default()
        });
        records.save_pending(dir.path()).unwrap();
        // The record itself is as it was: the list is beside it.
        let record = std::fs::read_to_string(dir.path().join(RECORD_PATH)).unwrap();
        assert!(!record.contains("index.html"), "{record}");
        let mut read = Records::read(dir.path());
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        assert_eq!(pending_of(&read, "/srv/a"), ["episodes/x/index.html", "feed.xml"]);
        assert_eq!(pending_of(&read, "/srv/b"), ["index.html"]);
        assert_eq!(read.site(Path::new("/srv/a")).unwrap().outputs.len(), 1);
        // Saved, the record holds them, and the list goes.
        read.save(dir.path()).unwrap();
        assert!(!dir.path().join(PENDING_PATH).exists());
        assert_eq!(pending_of(&Records::read(dir.path()), "/srv/b"), ["index.html"]);
    }

    #[test]
    fn a_pending_file_the_record_lists_as_written_is_not_pending_again() {
        // A build saved its record and stopped before the list went.
        let dir = tempfile::tempdir().unwrap();
        let fp = Fingerprint::of_bytes(b"feed");
        let mut records = Records::default();
        let mut site = SiteRecord { out: PathBuf::from("/srv/a"), build: Some(new_build_id()), ..Default::default() };
        site.pending.insert("feed.xml".into(), fp);
        records.put(site);
        records.save_pending(dir.path()).unwrap();
        let mut site = records.take(Path::new("/srv/a")).unwrap();
        site.pending.clear();
        site.outputs.insert("feed.xml".into(), Written { size: 4, mtime_ns: 1, fingerprint: Some(fp) });
        records.put(site);
        let pending = std::fs::read(dir.path().join(PENDING_PATH)).unwrap();
        records.save(dir.path()).unwrap();
        std::fs::write(dir.path().join(PENDING_PATH), &pending).unwrap();
        let read = Records::read(dir.path());
        assert!(pending_of(&read, "/srv/a").is_empty(), "the build finished: nothing is pending");
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        assert!(!dir.path().join(PENDING_PATH).exists(), "a list that adds nothing goes");
        // The list of a build that did not finish (the record names the
        // build before it): a file it was publishing anew with the bytes
        // the record knows is pending (a temporary file of it may be left).
        let mut site = records.take(Path::new("/srv/a")).unwrap();
        site.build = Some(format!("{}0", new_build_id()));
        records.put(site);
        records.save(dir.path()).unwrap();
        std::fs::write(dir.path().join(PENDING_PATH), &pending).unwrap();
        let read = Records::read(dir.path());
        assert_eq!(pending_of(&read, "/srv/a"), ["feed.xml"], "a build that did not finish");
        assert!(dir.path().join(PENDING_PATH).exists());
    }

    #[test]
    fn a_damaged_or_crafted_pending_list_is_set_aside_or_kept_to_what_can_be_podsmiths() {
        let (dir, read) = records_with(PENDING_PATH, b"{\"version\": 2, \"sites\": [");
        assert!(read.sites.is_empty());
        assert!(read.warnings[0].message.starts_with(".podsmith/pending.json is damaged"), "{:?}", read.warnings);
        // Said once: it goes.
        assert!(!dir.path().join(PENDING_PATH).exists());
        assert!(Records::read(dir.path()).warnings.is_empty());
        let fp = Fingerprint::of_bytes(b"x").to_string();
        let json = serde_json::json!({ "version": 2, "sites": [
            { "out": "relative", "pending": { "a": fp } },
            { "out": "/srv/a", "pending": { "../../victim": fp, "/etc/passwd": fp, "ok.html": fp, "bad.html": "nope" } }
        ]});
        std::fs::write(dir.path().join(PENDING_PATH), json.to_string()).unwrap();
        let read = Records::read(dir.path());
        assert_eq!(pending_of(&read, "/srv/a"), ["ok.html"]);
        assert!(read.site(Path::new("relative")).is_none());
        assert!(read.warnings[0].message.starts_with(".podsmith/pending.json lists 4 entries"), "{:?}", read.warnings);
        assert!(dir.path().join(PENDING_PATH).exists(), "it still lists a file: kept for the record to take in");
        std::fs::write(dir.path().join(PENDING_PATH), br#"{"version": 9, "sites": []}"#).unwrap();
        let read = Records::read(dir.path());
        assert!(read.warnings[0].message.contains("another podsmith (format 9)"), "{:?}", read.warnings);
    }

    /// A record of a folder inside the show is taken for the folder at the
    /// same place in the show moved or copied (without its memo), and only
    /// then: the original's stays while its folder is there; a folder
    /// outside the show, or a record without its show folder, is not
    /// followed.
    #[test]
    fn a_record_follows_its_show_folder_moved_or_copied() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        let site = |root: Option<&Path>, out: PathBuf| SiteRecord {
            out,
            root: root.map(Path::to_path_buf),
            memo: Some(Fingerprint::of_bytes(b"memo")),
            outputs: [("feed.xml".into(), Written { size: 1, mtime_ns: 1, fingerprint: None })].into(),
            ..Default::default()
        };
        let records = |sites: Vec<SiteRecord>| Records { sites, ..Default::default() };
        let outs = |r: &Records| r.all().iter().map(|s| s.out.clone()).collect::<Vec<_>>();
        // Moved: the folder where it was is gone; the record goes with it.
        let mut moved = records(vec![site(Some(&old), old.join("public"))]);
        moved.follow_show(&new, &new.join("public"));
        assert_eq!(outs(&moved), [new.join("public")]);
        let taken = moved.site(&new.join("public")).unwrap();
        assert_eq!((taken.root.as_deref(), taken.memo, taken.outputs.len()), (Some(new.as_path()), None, 1));
        // Copied: the original's record stays.
        std::fs::create_dir_all(old.join("public")).unwrap();
        let mut copied = records(vec![site(Some(&old), old.join("public"))]);
        copied.follow_show(&new, &new.join("public"));
        assert_eq!(outs(&copied), [new.join("public"), old.join("public")]);
        // The first build of the copy was killed: the record of the folder
        // there is its pending list alone, and takes the followed one under it.
        let mut killed = records(vec![
            SiteRecord {
                out: new.join("public"),
                pending: [("index.html".into(), Fingerprint::of_bytes(b"new"))].into(),
                ..Default::default()
            },
            site(Some(&old), old.join("public")),
        ]);
        killed.follow_show(&new, &new.join("public"));
        assert_eq!(outs(&killed), [new.join("public"), old.join("public")]);
        let taken = killed.site(&new.join("public")).unwrap();
        assert_eq!((taken.outputs.len(), taken.pending.len(), taken.followed), (1, 1, true));
        // Not followed: another place in the show, a folder outside it, a
        // record that does not say its show folder.
        for (root, out) in
            [(Some(&old), old.join("site")), (Some(&old), dir.path().join("www")), (None, old.join("public"))]
        {
            let mut r = records(vec![site(root.map(PathBuf::as_path), out.clone())]);
            r.follow_show(&new, &new.join("public"));
            r.follow_show(&new, &dir.path().join("www2"));
            assert_eq!(outs(&r), [out]);
        }
        // A show folder that is not an absolute path is ignored, and said.
        let json = serde_json::json!({ "version": 2, "sites": [
            { "out": "/srv/public", "root": "srv", "inputs": "", "outputs": {}, "summary": Summary::default() }
        ]});
        let (_dir, read) = records_with(RECORD_PATH, json.to_string().as_bytes());
        assert_eq!(read.site(Path::new("/srv/public")).unwrap().root, None);
        assert!(
            read.warnings[0].message.contains("a show folder that is not an absolute path (srv)"),
            "{:?}",
            read.warnings
        );
    }

    #[test]
    fn a_record_of_podsmith_0_1_still_tells_its_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".podsmith")).unwrap();
        let public = dir.path().join("public");
        std::fs::create_dir_all(&public).unwrap();
        std::fs::write(public.join("feed.xml"), b"<rss/>").unwrap();
        let (size, mtime) = stat(&public.join("feed.xml")).unwrap();
        let json = serde_json::json!({
            "inputs": "0123", "out": public, "outputs": { "feed.xml": [size, mtime.to_string().parse::<u64>().unwrap_or(0)] },
            "summary": Summary::default()
        });
        std::fs::write(dir.path().join(RECORD_PATH), json.to_string()).unwrap();
        let records = Records::read(dir.path());
        assert!(records.warnings.is_empty(), "{:?}", records.warnings);
        let site = records.site(&public).unwrap();
        assert_eq!(site.outputs["feed.xml"].fingerprint, None);
        // Known by its size and time; never deleted (no fingerprint to check).
        assert!(site.wrote("feed.xml", stat(&public.join("feed.xml")), &mut || None));
        assert!(site.fingerprints("feed.xml").is_empty());
    }

    #[test]
    fn a_damaged_or_huge_record_is_set_aside() {
        let (dir, records) = records_with(RECORD_PATH, b"{\"version\": 2, \"sites\": [");
        assert!(records.sites.is_empty());
        assert!(records.warnings[0].message.starts_with(".podsmith/build.json is damaged"), "{:?}", records.warnings);
        let f = std::fs::File::create(dir.path().join(RECORD_PATH)).unwrap();
        f.set_len(100 << 20).unwrap();
        let records = Records::read(dir.path());
        assert!(
            records.warnings[0].message.contains("it is 100 MB; podsmith reads at most 64 MB"),
            "{:?}",
            records.warnings
        );
        // A format that is not a number, or a warning that is neither text
        // nor a diagnostic, is read past (not kept) and the record set aside.
        let packed = format!("{{\"version\": [{}0], \"sites\": []}}", "0,".repeat(100_000));
        assert!(raw_sites(packed.as_bytes()).unwrap_err().starts_with("is damaged"));
        let odd = format!("{{\"version\": {VERSION}, \"sites\": [{{\"summary\": {{\"warnings\": [[0, 0]]}}}}]}}");
        assert!(raw_sites(odd.as_bytes()).unwrap_err().starts_with("is damaged"));
    }
}
