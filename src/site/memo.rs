//! `.podsmith/memos/`: what a build keeps so that the next one does
//! only what changed, a memo per output folder (named by its SHA-256).
//!
//! For every page, the key of what it was rendered from; for every feed,
//! each item's key, where its `<item>…</item>` is in the feed as written,
//! and its share of the feed's validation
//! ([`ItemCheck`]). A key is a
//! SHA-256 over everything the output is made from: the episode (every
//! field a page or an item shows, its media as measured, its image file's
//! size and time), the show, the templates, which podsmith this is (its version, its
//! file's size and time). The next
//! build renders again only the pages and items whose key changed, takes
//! the other items' bytes from the feed on disk, and validates only the new
//! items (the channel, and the rules across items, every time).
//!
//! The memo is trusted only as far as the build record vouches for it: the
//! record of the build that made it holds its SHA-256 (a memo left by an
//! interrupted build, or by another, is not used), and a page or feed is
//! taken from disk only if it still has the size and time the record gave
//! it after that build finished. A memo is named by its SHA-256, so the
//! memos of builds into other output folders (up to the record's eight)
//! stand side by side; those no record vouches for are removed once the
//! record is saved. Like every record, it is
//! read as untrusted input: bounded in size, and what does not hold
//! together is not used (the build then renders that part again).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::{LiveEpisode, Media};
use crate::fsutil::Fingerprint;
use crate::manifest::{Asset, Episode, Podcast};
use crate::probe::AudioInfo;
use crate::validate::incremental::ItemCheck;

/// The memos' folder, relative to the show folder: `SHA-256.json` each.
pub const MEMO_DIR: &str = ".podsmith/memos";
/// Where podsmith kept its one memo before it kept one per output folder:
/// removed with the memos no record vouches for.
pub const OLD_MEMO_PATH: &str = ".podsmith/memo.json";
/// The memo's format; a memo of another format is not used.
const VERSION: u32 = 5;

/// What the last build of one output folder kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Memo {
    /// The memo's format.
    pub version: u32,
    /// The output folder, absolute.
    pub out: PathBuf,
    /// Each page (path in the output folder) and the key it was rendered from.
    pub pages: BTreeMap<String, Fingerprint>,
    /// Each feed (file name) and its items.
    pub feeds: BTreeMap<String, Vec<ItemMemo>>,
}

/// A memo as read, not yet vouched for.
#[derive(Debug)]
pub struct Loaded {
    /// SHA-256 of the file.
    hash: Fingerprint,
    memo: Memo,
    /// The feeds it tells of, as read with it (see [`Loaded::read_feeds`]).
    feeds: OldFeeds,
}

/// Feeds of the output folder as they were read (by file name), with where
/// each item the memo keeps of them is: the items a build takes as they are.
pub type OldFeeds = std::collections::HashMap<String, OldFeed>;

/// A feed as it was read from the output folder, and its items the memo keeps.
#[derive(Debug)]
pub struct OldFeed {
    /// The feed's bytes.
    pub bytes: Vec<u8>,
    /// Each item's key, and its place among the memo's items of the feed;
    /// only items whose span holds an `<item>…</item>` of `bytes`.
    pub by_key: std::collections::HashMap<Fingerprint, usize>,
}

impl OldFeed {
    /// Feed `bytes`, of which `items` (the memo's) are told by key.
    pub fn of(bytes: Vec<u8>, items: &[ItemMemo]) -> OldFeed {
        let is_item = |m: &ItemMemo| {
            bytes.get(m.span.0..m.span.1).is_some_and(|b| b.starts_with(b"<item>") && b.ends_with(b"</item>"))
        };
        let by_key = items.iter().enumerate().filter(|(_, m)| is_item(m)).map(|(i, m)| (m.key, i)).collect();
        OldFeed { bytes, by_key }
    }
}

impl Loaded {
    /// The memo, if it is the one the build record vouches for (`hash`),
    /// of the output folder `out` (absolute), and holds together; with the
    /// feeds read with it.
    pub fn vouched(self, out: &Path, hash: &Fingerprint) -> Option<(Memo, OldFeeds)> {
        let memo = self.memo;
        let usable = self.hash == *hash
            && memo.version == VERSION
            && memo.out == out
            && memo.pages.keys().all(|rel| super::record::is_plain_relative(rel))
            && memo.feeds.values().all(|items| spans_in_order(items));
        usable.then_some((memo, self.feeds))
    }

    /// Reads the feeds the memo tells of, from the output folder it names
    /// (a build that changed one episode takes the others' items from
    /// them; read here, they are read while the manifest is parsed). Only
    /// plain file names, of at most [`crate::fsutil::FEED`] bytes each;
    /// nothing read is used before the memo is vouched for, and the build
    /// takes a feed only if the file is as the last build left it.
    pub fn read_feeds(&mut self) {
        if !self.memo.out.is_absolute() || self.memo.version != VERSION {
            return;
        }
        for (name, items) in &self.memo.feeds {
            if !super::record::is_plain_relative(name) || name.contains('/') {
                continue;
            }
            if let Ok(bytes) = crate::fsutil::read(&self.memo.out.join(name), crate::fsutil::FEED) {
                self.feeds.insert(name.clone(), OldFeed::of(bytes, items));
            }
        }
    }
}

/// One item of a feed as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemMemo {
    /// The key it was rendered from.
    pub key: Fingerprint,
    /// Where its `<item>…</item>` is in the feed: start, end (bytes).
    pub span: (usize, usize),
    /// Its share of the feed's validation.
    pub check: ItemCheck,
}

impl Memo {
    /// The memo of the show in folder `root`, if there is a usable one for
    /// the output folder `out` (absolute): the one whose SHA-256 the build
    /// record vouches for (`hash`).
    pub fn read(root: &Path, out: &Path, hash: &Fingerprint) -> Option<Memo> {
        Memo::load(root, hash)?.vouched(out, hash).map(|(memo, _)| memo)
    }

    /// The memo of the show in folder `root` whose SHA-256 a build record
    /// vouches for (`vouched`), as it is; not to be used before
    /// [`Loaded::vouched`]. A file of other bytes is not parsed at all (a
    /// crafted one of 60 MB took 280 MB to parse).
    pub fn load(root: &Path, vouched: &Fingerprint) -> Option<Loaded> {
        let bytes = crate::fsutil::read(&path_of(root, vouched), crate::fsutil::RECORD).ok()?;
        Memo::from_bytes(&bytes).filter(|loaded| loaded.hash == *vouched)
    }

    /// A memo read as `bytes`, with their SHA-256; not to be used before
    /// [`Loaded::vouched`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Loaded> {
        let memo: Memo = serde_json::from_slice(bytes).ok()?;
        Some(Loaded { hash: hash_of(bytes), memo, feeds: OldFeeds::new() })
    }

    /// Saves the memo into the show folder `root` (never through a link),
    /// and returns its SHA-256, for the build record to vouch for it.
    pub fn save(mut self, root: &Path) -> std::io::Result<Fingerprint> {
        Memo::save_encoded(root, &self.encode()?)
    }

    /// The memo as [`Memo::save_encoded`] saves it.
    pub fn encode(&mut self) -> std::io::Result<Vec<u8>> {
        self.version = VERSION;
        serde_json::to_vec(self).map_err(std::io::Error::other)
    }

    /// Saves a memo [encoded](Memo::encode) already; see [`Memo::save`].
    pub fn save_encoded(root: &Path, json: &[u8]) -> std::io::Result<Fingerprint> {
        let hash = hash_of(json);
        Memo::write_encoded(root, json, &hash)?;
        Ok(hash)
    }

    /// [`Memo::save_encoded`], for a caller that has its [hash](Memo::hash)
    /// already (a big show's memo is megabytes).
    pub fn write_encoded(root: &Path, json: &[u8], hash: &Fingerprint) -> std::io::Result<()> {
        crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR))?;
        crate::show_lock::own_dir(&root.join(MEMO_DIR))?;
        let path = path_of(root, hash);
        // (Named, with what to do: the rename over it would say only "Is a directory".)
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} is a folder; podsmith keeps a memo of its own in a file of that name: move the folder away",
                    path.display()
                ),
            ));
        }
        crate::output::write_cache_bytes(&path, json).map(|_| ())
    }

    /// The hash [`Memo::save_encoded`] returns for `json`.
    pub fn hash(json: &[u8]) -> Fingerprint {
        hash_of(json)
    }

    /// Removes the memos of the show in folder `root` that no record
    /// vouches for (`vouched`: those it does): another build's since, an
    /// output folder's the record no longer keeps, or one an interrupted
    /// build left; and the temporary files of an interrupted save, and the
    /// memo of an older podsmith. Only files of those names, in the
    /// memos' folder itself (not through a link). Returns how many.
    pub fn keep_only<'a>(root: &Path, vouched: impl IntoIterator<Item = &'a Fingerprint>) -> usize {
        let real_dir = |dir: &Path| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
        if !real_dir(&root.join(crate::show_lock::RECORDS_DIR)) {
            return 0;
        }
        let _ = std::fs::remove_file(root.join(OLD_MEMO_PATH));
        let dir = root.join(MEMO_DIR);
        if !real_dir(&dir) {
            return 0;
        }
        let keep: std::collections::HashSet<String> = vouched.into_iter().map(|h| format!("{h}.json")).collect();
        let Ok(entries) = std::fs::read_dir(&dir) else { return 0 };
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let memo = name.strip_suffix(".json").and_then(Fingerprint::parse).is_some();
            let ours = (memo && !keep.contains(&name)) || crate::output::is_temp_name(&name);
            if ours && e.file_type().is_ok_and(|t| t.is_file()) {
                removed += usize::from(std::fs::remove_file(e.path()).is_ok());
            }
        }
        removed
    }
}

/// Where the memo of SHA-256 `hash` is kept in the show folder `root`.
fn path_of(root: &Path, hash: &Fingerprint) -> PathBuf {
    root.join(MEMO_DIR).join(format!("{hash}.json"))
}

/// SHA-256 of all of `bytes`.
fn hash_of(bytes: &[u8]) -> Fingerprint {
    Fingerprint::from_digest(Sha256::digest(bytes).into())
}

/// Whether the items' spans are in order and do not overlap.
fn spans_in_order(items: &[ItemMemo]) -> bool {
    items.iter().all(|i| i.span.0 < i.span.1) && items.windows(2).all(|w| w[0].span.1 <= w[1].span.0)
}

/// SHA-256 over fields, each with its length, so that no two different
/// sequences of fields give the same bytes.
struct KeyHasher(Sha256, String);

impl KeyHasher {
    fn new(what: &str) -> KeyHasher {
        let mut h = KeyHasher(Sha256::new(), String::new());
        // A podsmith built anew, at the same version, renders anew once.
        h.str(super::record::program_identity());
        h.u64(u64::from(VERSION));
        h.str(what);
        h
    }

    fn bytes(&mut self, b: &[u8]) {
        self.0.update((b.len() as u64).to_le_bytes());
        self.0.update(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn u64(&mut self, n: u64) {
        self.0.update(n.to_le_bytes());
    }

    /// A number or none (told apart from every number).
    fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            None => self.u64(0),
            Some(n) => {
                self.u64(1);
                self.u64(n);
            }
        }
    }

    /// A text or none (told apart from every text).
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u64(0),
            Some(s) => {
                self.u64(1);
                self.str(s);
            }
        }
    }

    /// A small value, by its `Debug` form (enums, options of numbers).
    fn debug(&mut self, v: &dyn std::fmt::Debug) {
        let mut s = std::mem::take(&mut self.1);
        s.clear();
        let _ = write!(s, "{v:?}");
        self.str(&s);
        self.1 = s;
    }

    fn key(&mut self, k: &Fingerprint) {
        self.0.update(k.as_bytes());
    }

    fn finish(self) -> Fingerprint {
        Fingerprint::from_digest(self.0.finalize().into())
    }
}

/// The key of everything of an episode that its page and its feed items are
/// made from and checked against. Every field is named (a field added to
/// these types does not compile until it is here or said to be unused).
pub fn episode_key(e: &LiveEpisode) -> Fingerprint {
    // (The notes' HTML, and the description, are made from them.)
    let LiveEpisode { episode, media, primary, page_path, page_url, notes_html: _, description: _ } = e;
    let Episode {
        title,
        itunes_title,
        slug,
        guid,
        date,
        media: _,      // as measured, below
        notes,         // the HTML is made from them by this podsmith (its version is in the key)
        notes_from: _, // where they are written: not shown
        guests,
        season,
        number,
        episode_type,
        explicit,
        image,
        chapters,
        transcripts,
        tags,
        linked: _, // published beside the pages, not in them (the notes are)
        line: _,   // where it is in the manifest: not shown
    } = episode;
    let mut h = KeyHasher::new("episode");
    for s in [title, slug, guid, page_path, page_url, notes] {
        h.str(s);
    }
    h.str(&date.to_rfc3339());
    h.opt_str(itunes_title.as_deref());
    h.u64(guests.len() as u64);
    for g in guests {
        h.str(g);
    }
    h.opt_u64(season.map(u64::from));
    h.opt_u64(number.map(u64::from));
    h.debug(episode_type);
    h.opt_u64(explicit.map(u64::from));
    h.u64(*primary as u64);
    asset(&mut h, image.as_ref(), true);
    match chapters {
        None => h.str("no chapters"),
        Some(c) => {
            h.debug(&c.origin);
            h.u64(c.list.len() as u64);
            for ch in &c.list {
                h.debug(&(ch.start.to_bits(), ch.end.map(f64::to_bits), &ch.title, &ch.url, ch.toc));
                asset(&mut h, ch.image.as_ref(), true);
            }
        }
    }
    // Most episodes set none of the namespace's tags: said in a word.
    match *tags == crate::manifest::namespace::EpisodeTags::default() {
        true => h.u64(0),
        false => {
            h.u64(1);
            h.debug(tags);
        }
    }
    h.u64(transcripts.len() as u64);
    for t in transcripts {
        // The cues are read from the bytes.
        h.str(&t.rel);
        h.debug(&t.kind);
        h.str(&t.language);
        h.u64(t.bytes.len() as u64);
        h.0.update(&t.bytes);
    }
    h.u64(media.len() as u64);
    for m in media {
        medium(&mut h, m);
    }
    h.finish()
}

/// One of an episode's media as measured, into `h`.
fn medium(h: &mut KeyHasher, Media { file, info, url }: &Media) {
    h.str(file.key());
    h.u64(u64::from(file.hosted().is_some()));
    h.str(url);
    let AudioInfo {
        duration_secs,
        bytes,
        format,
        codec,
        sample_rate,
        channels,
        bitrate,
        method,
        vbr,
        has_seek_header,
        chapters,
    } = info;
    h.u64(duration_secs.to_bits());
    h.u64(*bytes);
    h.debug(&(format, codec, method, has_seek_header));
    h.opt_u64(sample_rate.map(u64::from));
    h.opt_u64(channels.map(u64::from));
    h.opt_u64(*bitrate);
    h.opt_u64(vbr.map(u64::from));
    h.u64(chapters.len() as u64);
    if !chapters.is_empty() {
        h.debug(chapters);
    }
}

/// An image: a local file by its path, size and time (the feed check
/// reads it), a remote one by its URL.
fn asset(h: &mut KeyHasher, image: Option<&Asset>, stamp: bool) {
    match image {
        None => h.u64(0),
        Some(Asset::Remote(url)) => {
            h.u64(1);
            h.str(url.as_str());
        }
        Some(Asset::Local(f)) => {
            h.u64(2);
            h.str(&f.rel);
            if stamp {
                let s = std::fs::metadata(&f.path).ok().and_then(|m| crate::fsutil::size_and_time(&m));
                h.debug(&s);
            }
        }
    }
}

/// The key of the show as the items of one feed are made from it and
/// checked against: every field of `[podcast]`, the feed's format, and the
/// formats it is meant to carry.
pub fn channel_key(p: &Podcast, format: &dyn std::fmt::Debug, formats: &dyn std::fmt::Debug) -> Fingerprint {
    let Podcast {
        title,
        description,
        author,
        owner,
        language,
        categories,
        explicit,
        show_type,
        base_url,
        link,
        image,
        copyright,
        guid,
        feed_guids,
        locked,
        new_feed_url,
        new_feed_urls,
        block,
        complete,
        utc_offset,
        formats: policy,
        tags,
        // Only the pages say them (their keys have them, with the show).
        words: _,
        // Only where warnings point: no output is made from them.
        lines: _,
    } = p;
    let mut h = KeyHasher::new("channel");
    for s in [title, description, author, &owner.name, &owner.email, language] {
        h.str(s);
    }
    h.debug(&(categories, explicit, show_type, base_url.as_str(), link.as_str(), copyright, guid, locked));
    h.debug(&(new_feed_url.as_ref().map(|u| u.as_str()), block, complete, utc_offset, policy));
    h.debug(tags);
    h.debug(feed_guids);
    h.debug(&new_feed_urls.iter().map(|(k, u)| (k, u.as_str())).collect::<Vec<_>>());
    asset(&mut h, Some(image), false);
    h.debug(format);
    h.debug(formats);
    h.finish()
}

/// The key of one item: the feed's channel key and the episode's key.
pub fn item_key(channel: &Fingerprint, episode: &Fingerprint) -> Fingerprint {
    let mut h = KeyHasher::new("item");
    h.key(channel);
    h.key(episode);
    h.finish()
}

/// The key of a page: what every page shares (`shared`: templates, show,
/// feeds) and the episodes it shows.
pub fn page_key(shared: &Fingerprint, episodes: &[Fingerprint]) -> Fingerprint {
    let mut h = KeyHasher::new("page");
    h.key(shared);
    h.u64(episodes.len() as u64);
    for e in episodes {
        h.key(e);
    }
    h.finish()
}

/// The key of what every page of a kind shares: `parts`, each a field.
pub fn shared_key(parts: &[&[u8]]) -> Fingerprint {
    let mut h = KeyHasher::new("pages");
    for p in parts {
        h.bytes(p);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_an_item_shows_changes_its_key() {
        let catalog = crate::catalog::tests::sample_catalog();
        let e = &catalog.episodes[0];
        let base = episode_key(e);
        assert_eq!(base, episode_key(&e.clone()), "the key is a function of the episode");
        let mut edits: Vec<(&str, LiveEpisode)> = Vec::new();
        let mut t = e.clone();
        t.episode.title.push('!');
        edits.push(("title", t));
        let mut t = e.clone();
        t.episode.notes.push_str(" More.");
        edits.push(("notes", t));
        let mut t = e.clone();
        t.media[0].info.duration_secs += 1.0;
        edits.push(("duration", t));
        let mut t = e.clone();
        t.media[0].info.bytes += 1;
        edits.push(("size", t));
        let mut t = e.clone();
        t.page_url.push('x');
        edits.push(("page URL", t));
        let mut t = e.clone();
        t.episode.guests.push("Someone".into());
        edits.push(("guests", t));
        let mut t = e.clone();
        t.episode.number = Some(99);
        edits.push(("number", t));
        let mut t = e.clone();
        t.episode.season = Some(t.episode.season.map_or(1, |s| s + 1));
        edits.push(("season", t));
        let mut t = e.clone();
        t.episode.itunes_title = Some(format!("{}?", t.episode.itunes_title.clone().unwrap_or_default()));
        edits.push(("itunes_title", t));
        for explicit in [None, Some(false), Some(true)] {
            let mut t = e.clone();
            if t.episode.explicit != explicit {
                t.episode.explicit = explicit;
                edits.push(("explicit", t));
            }
        }
        let mut t = e.clone();
        t.primary += 1;
        edits.push(("enclosure", t));
        let mut t = e.clone();
        t.episode.tags.season_name = Some("Pilots".into());
        edits.push(("podcast:season name", t));
        let mut t = e.clone();
        t.media[0].info.sample_rate = Some(t.media[0].info.sample_rate.map_or(8000, |r| r + 1));
        edits.push(("sample rate", t));
        let mut t = e.clone();
        t.media[0].info.channels = Some(t.media[0].info.channels.map_or(1, |c| c + 1));
        edits.push(("channels", t));
        let mut t = e.clone();
        t.media[0].info.bitrate = Some(t.media[0].info.bitrate.map_or(1, |b| b + 1));
        edits.push(("bitrate", t));
        for vbr in [None, Some(false), Some(true)] {
            let mut t = e.clone();
            if t.media[0].info.vbr != vbr {
                t.media[0].info.vbr = vbr;
                edits.push(("vbr", t));
            }
        }
        let mut t = e.clone();
        t.media[0].info.method = match t.media[0].info.method {
            crate::probe::Method::Header => crate::probe::Method::Scan,
            _ => crate::probe::Method::Header,
        };
        edits.push(("method", t));
        for (what, edited) in edits {
            assert_ne!(episode_key(&edited), base, "{what}");
        }
        // Where it is written in the manifest is not shown.
        let mut t = e.clone();
        t.episode.line += 10;
        assert_eq!(episode_key(&t), base);
    }

    #[test]
    fn a_memo_of_another_build_or_folder_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let memo = Memo { out: out.clone(), ..Default::default() };
        let hash = memo.clone().save(dir.path()).unwrap();
        assert!(Memo::read(dir.path(), &out, &hash).is_some());
        assert!(Memo::read(dir.path(), &dir.path().join("site"), &hash).is_none(), "another folder's");
        // Another build's memo: each read by the hash the record holds, the
        // one it no longer holds removed once it is saved.
        let mut other = memo.clone();
        other.pages.insert("index.html".into(), Fingerprint::of_bytes(b"x"));
        let other_hash = other.save(dir.path()).unwrap();
        assert_eq!(Memo::read(dir.path(), &out, &other_hash).unwrap().pages.len(), 1);
        assert_eq!(Memo::read(dir.path(), &out, &hash).unwrap().pages.len(), 0);
        Memo::keep_only(dir.path(), [&other_hash]);
        assert!(Memo::read(dir.path(), &out, &hash).is_none(), "another build's");
        assert!(Memo::read(dir.path(), &out, &other_hash).is_some());
        // Not vouched for: not even read (a build reads only the memo its
        // record vouches for).
        assert!(Memo::load(dir.path(), &Fingerprint::of_bytes(b"other")).is_none());
        assert!(Memo::load(dir.path(), &other_hash).is_some());
        // Crafted, even if vouched for: a page path outside the folder.
        let mut bad = memo.clone();
        bad.pages.insert("../../x".into(), Fingerprint::of_bytes(b"x"));
        let bad_hash = bad.save(dir.path()).unwrap();
        assert!(Memo::read(dir.path(), &out, &bad_hash).is_none());
        std::fs::write(path_of(dir.path(), &hash_of(b"{ not json")), b"{ not json").unwrap();
        assert!(Memo::read(dir.path(), &out, &hash_of(b"{ not json")).is_none());
        // A file of other bytes under a vouched name: not used.
        std::fs::copy(path_of(dir.path(), &other_hash), path_of(dir.path(), &bad_hash)).unwrap();
        assert!(Memo::read(dir.path(), &out, &bad_hash).is_none());
    }

    #[test]
    fn only_the_memos_a_record_vouches_for_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let memo = |out: &str| Memo { out: dir.path().join(out), ..Default::default() };
        let (a, b, c) = (memo("public"), memo("staging"), memo("old"));
        let (a, b, c) = (a.save(dir.path()).unwrap(), b.save(dir.path()).unwrap(), c.save(dir.path()).unwrap());
        let memos = dir.path().join(MEMO_DIR);
        std::fs::write(memos.join(".podsmith-abc123.tmp"), b"{").unwrap();
        std::fs::write(memos.join("notes.txt"), b"not ours").unwrap();
        std::fs::write(dir.path().join(OLD_MEMO_PATH), b"{}").unwrap();
        assert_eq!(Memo::keep_only(dir.path(), [&a, &b]), 2, "the third memo and the temporary file");
        assert!(Memo::read(dir.path(), &dir.path().join("public"), &a).is_some());
        assert!(Memo::read(dir.path(), &dir.path().join("staging"), &b).is_some());
        assert!(Memo::load(dir.path(), &c).is_none());
        assert!(memos.join("notes.txt").exists(), "a file of another name is not podsmith's to remove");
        assert!(!dir.path().join(OLD_MEMO_PATH).exists());
        // A link in place of the folder: nothing is removed through it.
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join(format!("{a}.json")), b"x").unwrap();
        std::fs::rename(&memos, dir.path().join("memos-moved")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(elsewhere.path(), &memos).unwrap();
            assert_eq!(Memo::keep_only(dir.path(), [&b]), 0);
            assert!(elsewhere.path().join(format!("{a}.json")).exists());
        }
    }
}
