//! The show read, measured and rendered in memory ([`Prepared`]): what a
//! build plans, validates and writes from, and how it keeps what did not change.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::memo::{self, Memo};
use super::snapshot::{Looking, Seen, Snapshot};
use super::{BuildError, Options, Preload, Probed, check_output_folder, ownership, record};
use crate::catalog::{Catalog, ProbeStats};
use crate::diagnostic::Diagnostic;
use crate::fsutil::Fingerprint;
use crate::lock::{Change, Lock, LockError};
use crate::manifest::{self, Asset};
use crate::output::{Content, Generated, Site, WriteError, WriteStats, write_site};
use crate::pages::Renderer;
use crate::probe::cache::Cache;
use crate::validate::incremental::ItemCheck;

/// The site's sitemap, beside the index page.
pub const SITEMAP: &str = "sitemap.xml";

/// The fingerprint of every file a build is about to write.
pub type Planned = std::collections::BTreeMap<String, Fingerprint>;

/// Everything a build renders, before anything is written.
#[derive(Debug)]
pub struct Prepared {
    /// The output folder.
    pub out: PathBuf,
    /// The lock file it reads and writes (`podsmith.lock`; a preview's own).
    pub lock_file: PathBuf,
    /// Where its build record and memo are (see
    /// [`Options::state_root`](super::Options::state_root)).
    pub state_root: PathBuf,
    /// The show with its live episodes and probes.
    pub catalog: std::sync::Arc<Catalog>,
    /// The feeds, main first (names, URLs and formats; see [`Prepared::feed_xml`]).
    pub feeds: Vec<crate::feed::Feed>,
    /// The pages' renderer (see [`Prepared::renderer`]).
    renderer: Renderer,
    /// Every output file, in write order.
    pub site: Site,
    /// Pages rendered.
    pub pages: usize,
    /// Media and image files published.
    pub files: usize,
    /// Files of the show folder the notes link to, published too.
    pub linked: usize,
    /// What probing did.
    pub probe_stats: ProbeStats,
    /// What the probe cache knows of the hosted media (for the record).
    pub hosted_digest: String,
    /// The show's template overrides.
    pub templates_dir: PathBuf,
    /// Each live episode's key, in catalog order (see [`memo`]).
    pub episode_keys: Vec<Fingerprint>,
    /// Each page's key, by page number.
    pub page_keys: Vec<Fingerprint>,
    /// What the last build left that this one takes as it is.
    recalled: Option<Recalled>,
    /// The probe cache (saved once the media are published: see
    /// [`Prepared::save_cache`]); `Err(true)`: saved already, to be opened
    /// again if media are published anew (a build that measured most
    /// files does not keep it in memory while it validates).
    cache: std::sync::Mutex<Result<Cache, bool>>,
    /// The files of the build as they were (see [`Prepared::look`]).
    pub(super) snapshot: Snapshot,
    /// What the build changes for subscribers (see
    /// [`Prepared::lock_changes`]), being told on a thread of its own
    /// while the rest of the show is prepared.
    lock_telling: std::sync::Mutex<Option<std::thread::JoinHandle<LockChanges>>>,
    /// Which feeds (by number) are, as validated, what is on disk.
    feeds_as_they_are: std::sync::OnceLock<Vec<bool>>,
    /// Which site files (by index) are already what the build would write
    /// (see [`Prepared::as_it_is`]), told once the feeds are validated.
    kept: std::sync::OnceLock<Vec<bool>>,
}

/// What the last complete build of the output folder left that this one
/// can take as it is: its memo, and which of its pages and feeds are still
/// as it wrote them.
#[derive(Debug)]
struct Recalled {
    memo: Memo,
    /// The feeds as read with the memo (a feed not among them is read
    /// when rendered).
    old_feeds: std::sync::Mutex<memo::OldFeeds>,
    /// Pages (by number) whose file the last build wrote from the same key,
    /// unchanged since, with the fingerprint it recorded.
    pages: HashMap<usize, Fingerprint>,
    /// Feeds (file names) unchanged since the last build wrote them.
    feeds: HashSet<String>,
    /// Parts of show files (site files, by index) the last build wrote
    /// with the same fingerprint, unchanged since.
    parts: HashSet<usize>,
}

/// Pages and feeds rendered before writing (to be fingerprinted and
/// validated), kept to be written rather than rendered again, up to a
/// memory budget (a cold build of a big show renders them again instead).
#[derive(Debug, Default)]
pub struct Made {
    /// Pages by number.
    pages: HashMap<usize, String>,
    /// Feeds by number.
    feeds: Vec<Option<Vec<u8>>>,
    /// Bytes kept.
    bytes: usize,
}

impl Made {
    /// How much a build keeps rendered.
    const BUDGET: usize = 32 << 20;

    fn keep_page(&mut self, n: usize, page: String) {
        if self.bytes + page.len() <= Self::BUDGET {
            self.bytes += page.len();
            self.pages.insert(n, page);
        }
    }

    pub(super) fn keep_feed(&mut self, n: usize, xml: Vec<u8>) {
        if self.bytes + xml.len() <= Self::BUDGET {
            self.bytes += xml.len();
            if self.feeds.len() <= n {
                self.feeds.resize(n + 1, None);
            }
            self.feeds[n] = Some(xml);
        }
    }
}

/// A feed rendered for this build.
pub(super) struct FeedRender {
    rendered: crate::feed::Rendered,
    /// Each item's key.
    keys: Vec<Fingerprint>,
    /// Each item's check, where the item is the last build's.
    known: Vec<Option<ItemCheck>>,
    /// Whether the feed is byte for byte the one on disk.
    as_it_is: bool,
}

/// A feed validated: the report, the feed's fingerprint, and (for the memo)
/// its items.
#[derive(Debug)]
pub struct Validated {
    /// The report.
    pub report: crate::validate::Report,
    /// The fingerprint of the feed as it will be written.
    pub fingerprint: Option<Fingerprint>,
    /// Its items as the next build's memo keeps them.
    pub items: Option<Vec<memo::ItemMemo>>,
    /// Whether it is byte for byte the feed on disk (which the last build
    /// wrote): then it is not written again.
    pub as_it_is: bool,
    /// The feed, kept when it was validated item by item (a build that
    /// changed little keeps it, to write; a cold build renders it again).
    pub(super) xml: Option<Vec<u8>>,
}

impl Prepared {
    /// Fingerprints every file of the site as it will be written, so that
    /// the build record can say beforehand what is about to be written.
    /// `pages`: each page's fingerprint ([`Prepared::render_pages`]);
    /// `known` gives a fingerprint already known (of a media file the last
    /// build recorded, of a feed just validated); the rest are read or
    /// rendered here.
    pub fn plan(
        &self,
        pages: &[Fingerprint],
        known: &(dyn Fn(&str, &Path) -> Option<Fingerprint> + Sync),
    ) -> Result<Planned, BuildError> {
        use rayon::prelude::*;
        // Media and images, in parallel: a read of their ends each.
        let files: Vec<(String, Fingerprint)> = self
            .site
            .files
            .par_iter()
            .filter_map(|f| match &f.content {
                Content::File(src) => Some((f, src)),
                _ => None,
            })
            .map(|(f, src)| {
                let fp = match known(&f.rel, src) {
                    Some(fp) => fp,
                    None => Fingerprint::of_file(src).map_err(|source| WriteError { path: src.clone(), source })?,
                };
                Ok((f.rel.clone(), fp))
            })
            .collect::<Result<_, BuildError>>()?;
        let mut planned: Planned = files.into_iter().collect();
        for f in &self.site.files {
            let fp = match &f.content {
                Content::File(_) => continue,
                Content::Bytes(b) => Fingerprint::of_bytes(b),
                Content::Part(p) => p.fingerprint,
                Content::Page(n) => pages[*n],
                Content::Feed(n) => match known(&f.rel, Path::new(&f.rel)) {
                    Some(fp) => fp,
                    None => Fingerprint::of_bytes(
                        &self.feed_xml(*n).map_err(|source| WriteError { path: f.rel.clone().into(), source })?,
                    ),
                },
            };
            planned.insert(f.rel.clone(), fp);
        }
        Ok(planned)
    }

    /// Renders every page that is not kept as it is, so that a template
    /// error stops the build before anything is written, and fingerprints
    /// it; returns every page's fingerprint, by number. A build that kept
    /// the rest renders few pages: they are kept to write (a cold build
    /// renders them again, one at a time, rather than hold them all).
    pub fn render_pages(&self, renderer: &Renderer) -> Result<(Vec<Fingerprint>, Made), BuildError> {
        let mut made = Made::default();
        let mut pages = Vec::with_capacity(self.pages);
        for n in 0..self.pages {
            let fp = match self.kept_page(n) {
                Some(fp) => fp,
                None => {
                    let page = renderer.render(n)?;
                    let fp = Fingerprint::of_bytes(page.as_bytes());
                    if self.recalled.is_some() {
                        made.keep_page(n, page);
                    }
                    fp
                }
            };
            pages.push(fp);
        }
        Ok((pages, made))
    }

    /// Feed `i`'s XML. Feeds are rendered again when needed rather than
    /// kept: a big show's feeds are tens of megabytes.
    pub fn feed_xml(&self, i: usize) -> std::io::Result<Vec<u8>> {
        Ok(self.render_feed(i)?.rendered.xml)
    }

    /// The fingerprint the last build recorded for page `n`, if this build
    /// keeps the page as it is (same key, file unchanged since).
    fn kept_page(&self, n: usize) -> Option<Fingerprint> {
        self.recalled.as_ref()?.pages.get(&n).copied()
    }

    /// Feed `i`, rendered: the items of episodes whose key is the one the
    /// last build wrote them from are taken from the feed on disk as they
    /// are (if it is as that build left it), the others are rendered.
    fn render_feed(&self, i: usize) -> std::io::Result<FeedRender> {
        let feed = &self.feeds[i];
        let channel = memo::channel_key(&self.catalog.podcast, &feed.format, &self.formats_of(feed));
        let keys: Vec<Fingerprint> = self.episode_keys.iter().map(|e| memo::item_key(&channel, e)).collect();
        // The feed as the last build left it: read with the memo (taken,
        // so it is freed once rendered: a feed rendered again to be
        // written is read again), or now.
        let taken = match self.recalled.as_ref() {
            Some(r) if r.feeds.contains(&feed.file_name) => {
                let items = r.memo.feeds.get(&feed.file_name).map_or(&[][..], Vec::as_slice);
                let read = r.old_feeds.lock().ok().and_then(|mut f| f.remove(&feed.file_name)).or_else(|| {
                    let bytes = crate::fsutil::read(&self.out.join(&feed.file_name), crate::fsutil::FEED).ok()?;
                    Some(memo::OldFeed::of(bytes, items))
                });
                read.map(|old| (old, items))
            }
            _ => None,
        };
        let old = taken.as_ref().map(|(old, items)| (&old.bytes, &old.by_key, *items));
        let known_item = |k: &Fingerprint| old.and_then(|(_, by_key, items)| by_key.get(k).and_then(|&i| items.get(i)));
        // An item is taken as it is only if it is the episode's own (its guid),
        // whatever the memo says.
        const GUID: &[u8] = b"<guid isPermaLink=\"false\">";
        let guid_tag = memchr::memmem::Finder::new(GUID);
        let reuse = |n: usize| {
            let m = known_item(&keys[n])?;
            let bytes = old.map(|(bytes, _, _)| &bytes[m.span.0..m.span.1])?;
            let guid = quick_xml::escape::escape(self.catalog.episodes[n].episode.guid.as_str());
            let text = &bytes[guid_tag.find(bytes)? + GUID.len()..];
            (text.starts_with(guid.as_bytes()) && text[guid.len()..].starts_with(b"</guid>")).then_some(bytes)
        };
        // Which items are taken as they are: asked once per item.
        let reused: Vec<Option<&[u8]>> = (0..keys.len()).map(reuse).collect();
        let rendered = crate::feed::render_with(&self.catalog, feed.format, &|n| reused[n])?;
        let known = (0..keys.len()).map(|n| reused[n].and(known_item(&keys[n])).map(|m| m.check.clone())).collect();
        // As it is, if every byte is: the items rendered anew are compared
        // first (where an edit is), then the whole.
        let as_it_is = old.is_some_and(|(bytes, _, _)| {
            let new_items = rendered.items.iter().zip(&reused).filter(|(_, r)| r.is_none());
            bytes.len() == rendered.xml.len()
                && new_items.into_iter().all(|(span, _)| bytes.get(span.clone()) == rendered.xml.get(span.clone()))
                && **bytes == rendered.xml
        });
        Ok(FeedRender { rendered, keys, known, as_it_is })
    }

    /// Saves the probe cache, having taken note of the site files just
    /// written (indices; of them, the media files published anew): a hard
    /// link changes a file's status, not its content. A warning if it
    /// cannot be saved.
    pub fn save_cache(&self, wrote: &[usize]) -> Option<Diagnostic> {
        let published =
            wrote.iter().any(|&i| matches!(self.site.files.get(i).map(|f| &f.content), Some(Content::File(_))));
        let mut cache = self.cache.lock().ok()?;
        if matches!(*cache, Err(true)) && published {
            *cache = Ok(Cache::open(&self.catalog.root));
        }
        let cache = cache.as_mut().ok()?;
        for &i in wrote {
            if let Some(f) = self.site.files.get(i)
                && let Content::File(src) = &f.content
            {
                cache.refresh(&f.rel, src);
            }
        }
        crate::catalog::save_cache(cache)
    }

    /// Writes the site: media, pages (rendered one at a time), feeds last;
    /// what is already right ([`Prepared::as_it_is`]) is left alone. A feed
    /// must come out as `planned` says (as it was validated). Returns what
    /// was written, and which site files (indices) were written.
    pub fn write(
        &self,
        renderer: &Renderer,
        planned: &Planned,
        made: Made,
    ) -> Result<(WriteStats, Vec<usize>), BuildError> {
        let made = std::cell::RefCell::new(made);
        let generate = |content: &Content| -> std::io::Result<Generated> {
            match content {
                Content::Page(n) => match made.borrow_mut().pages.remove(n) {
                    Some(page) => Ok(Generated::held(page.into_bytes(), false)),
                    None => renderer.render(*n).map(|p| Generated::new(p.into_bytes())).map_err(std::io::Error::other),
                },
                Content::Feed(n) => {
                    // Kept: the very bytes validated and planned, compared
                    // with the feed there (see Prepared::validate). Rendered
                    // again: they must come out the same.
                    if let Some(xml) = made.borrow_mut().feeds.get_mut(*n).and_then(Option::take) {
                        return Ok(Generated::held(xml, true));
                    }
                    let xml = self.feed_xml(*n)?;
                    let name = &self.feeds[*n].file_name;
                    if planned.get(name).is_some_and(|fp| *fp != Fingerprint::of_bytes(&xml)) {
                        return Err(std::io::Error::other("it changed while podsmith was building; build again"));
                    }
                    Ok(Generated::new(xml))
                }
                Content::Bytes(b) => Ok(Generated::new(b.clone())),
                Content::File(_) | Content::Part(_) => Err(std::io::Error::other("a file is published, not made")),
            }
        };
        Ok(write_site(&self.site, &self.out, &generate, &|i| self.as_it_is(i))?)
    }

    /// The pages' renderer (the templates compiled once, as the show was prepared).
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Whether site file `i` is already what this build would write: a
    /// page kept from the last build, a feed rendered byte for byte as it
    /// is on disk, or a media file or image published as a hard link to the
    /// show's own file.
    pub fn as_it_is(&self, i: usize) -> bool {
        match self.kept.get() {
            Some(kept) => kept.get(i).copied().unwrap_or(false),
            None => self.looks_as_it_is(i),
        }
    }

    /// Takes note of which feeds (by number) are, as validated, what is on
    /// disk; and so of which site files are as they are (each told once:
    /// the steps before writing all ask).
    pub(super) fn settle(&self, feeds: Vec<bool>) {
        use rayon::prelude::*;
        let _ = self.feeds_as_they_are.set(feeds);
        let _ = self.kept.set((0..self.site.files.len()).into_par_iter().map(|i| self.looks_as_it_is(i)).collect());
    }

    /// [`Prepared::as_it_is`], looked at.
    fn looks_as_it_is(&self, i: usize) -> bool {
        match &self.site.files[i].content {
            Content::Page(n) => self.kept_page(*n).is_some(),
            Content::Feed(n) => self.feeds_as_they_are.get().and_then(|f| f.get(*n)).copied().unwrap_or(false),
            Content::File(src) => self.snapshot.is_link_to(i, src),
            Content::Part(_) => self.recalled.as_ref().is_some_and(|r| r.parts.contains(&i)),
            Content::Bytes(_) => false,
        }
    }

    /// Whether this build takes what the last one left (see [`Prepared::recall`]).
    pub fn recalls(&self) -> bool {
        self.recalled.is_some()
    }

    /// Looks at every file of the site in the output folder, once.
    pub fn look(&self) {
        self.snapshot.look_at_outputs(&self.site, &self.out);
    }

    /// Takes what the last build of this output folder left (its `record`
    /// and `memo`): the pages whose key is unchanged and whose file is as
    /// that build wrote it are kept as they are; so are the items of its
    /// feeds (see [`Prepared::validate`]).
    pub fn recall(&mut self, record: &record::SiteRecord, (memo, old_feeds): (Memo, memo::OldFeeds)) {
        let intact = |i: usize, rel: &str| {
            let w = record.outputs.get(rel)?;
            (self.snapshot.output_stamp(i) == Some((w.size, w.mtime_ns))).then_some(w.fingerprint?)
        };
        let mut pages = HashMap::new();
        let (mut feeds, mut parts) = (HashSet::new(), HashSet::new());
        for (i, f) in self.site.files.iter().enumerate() {
            match &f.content {
                Content::Page(n) if memo.pages.get(&f.rel) == self.page_keys.get(*n) => {
                    if let Some(fp) = intact(i, &f.rel) {
                        pages.insert(*n, fp);
                    }
                }
                Content::Feed(_) if memo.feeds.contains_key(&f.rel) && intact(i, &f.rel).is_some() => {
                    feeds.insert(f.rel.clone());
                }
                Content::Part(p) if intact(i, &f.rel) == Some(p.fingerprint) => {
                    parts.insert(i);
                }
                _ => {}
            }
        }
        let old_feeds = std::sync::Mutex::new(old_feeds);
        self.recalled = Some(Recalled { memo, old_feeds, pages, feeds, parts });
    }

    /// What the next build's memo keeps of this one: every page's key, and
    /// the items of every feed (as `validated` found them).
    pub fn memo(&self, out: PathBuf, validated: Vec<Option<Vec<memo::ItemMemo>>>) -> Memo {
        let mut memo = Memo { out, ..Default::default() };
        for f in &self.site.files {
            if let Content::Page(n) = f.content
                && let Some(key) = self.page_keys.get(n)
            {
                memo.pages.insert(f.rel.clone(), *key);
            }
        }
        for (feed, items) in self.feeds.iter().zip(validated) {
            if let Some(items) = items {
                memo.feeds.insert(feed.file_name.clone(), items);
            }
        }
        memo
    }

    /// The show's `podsmith.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.lock_file.clone()
    }

    /// What this build changes for subscribers, and `podsmith.lock` as it
    /// will be written; whether there was none (a first build). A lock
    /// that is already what this build would write is not read further.
    pub fn lock_changes(&self) -> LockChanges {
        let telling = self.lock_telling.lock().ok().and_then(|mut t| t.take());
        match telling.map(std::thread::JoinHandle::join) {
            Some(Ok(told)) => told,
            _ => lock_changes(&self.catalog, self.lock_path()),
        }
    }

    /// The published recordings replaced under the same URL by files of
    /// the same size, which `podsmith.lock` (it keeps their lengths) cannot
    /// tell: a file whose fingerprint now (`now`, of its path in the site;
    /// `None`: not known) is not the one the last build into this folder
    /// (`previous`) recorded for it. Not those `changes` tell already (a
    /// new episode, a URL changed or a size changed).
    pub fn replaced_in_place(
        &self,
        previous: &record::SiteRecord,
        changes: &[Change],
        now: &dyn Fn(&str) -> Option<Fingerprint>,
    ) -> Vec<Change> {
        let told: HashSet<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Added { guid, .. } => Some(guid.as_str()),
                _ => None,
            })
            .collect();
        let told_urls: HashSet<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::MediaChangedInPlace { url, .. } => Some(url.as_str()),
                Change::UrlChanged { old, new, .. } => new.as_deref().or(Some(old.as_str())),
                _ => None,
            })
            .collect();
        // Where each file is in the site (asked of the few that need it).
        let index = std::cell::OnceCell::new();
        let index_of = |rel: &str| {
            let index: &HashMap<&str, usize> =
                index.get_or_init(|| self.site.files.iter().enumerate().map(|(i, f)| (f.rel.as_str(), i)).collect());
            index.get(rel).copied()
        };
        let mut found = Vec::new();
        for e in self.catalog.episodes.iter().filter(|e| !told.contains(e.episode.guid.as_str())) {
            for m in e.media.iter().filter(|m| !told_urls.contains(m.url.as_str())) {
                let Some(f) = m.file.local() else { continue };
                let Some(w) = previous.outputs.get(&f.rel) else { continue };
                let (Some(old), true) = (w.fingerprint, w.size == m.info.bytes) else { continue };
                let replaced = match now(&f.rel) {
                    Some(fp) if fp != old => true,
                    // The fingerprint reads a big file's ends: another file
                    // in its place that differs only between them is told
                    // from the published copy, read whole.
                    Some(_) if Fingerprint::samples(w.size) => {
                        self.differs_from_published(index_of(&f.rel), &f.rel, &f.path)
                    }
                    _ => false,
                };
                if replaced {
                    found.push(Change::MediaChangedInPlace {
                        title: e.episode.title.clone(),
                        guid: e.episode.guid.clone(),
                        url: m.url.clone(),
                        old: w.size,
                        new: m.info.bytes,
                    });
                }
            }
        }
        found
    }

    /// Whether the show's file at `src` (`rel` in the site) is another file
    /// than the one published there, put in its place since, with other
    /// bytes: on the show's file system a media file is published as a hard
    /// link of it, so a file there that is not it, and whose status changed
    /// since the published one's (a rename into place changes both), is one
    /// put in its place; one published as a copy (where a link is refused)
    /// was made after it, and is not read. A copy on another file system
    /// is compared when written. `i`: where it is in the site, if it is (a
    /// file published as a hard link of it, as looked at already, is it).
    fn differs_from_published(&self, i: Option<usize>, rel: &str, src: &Path) -> bool {
        use crate::fsutil::Status;
        if i.is_some_and(|i| self.as_it_is(i)) {
            return false;
        }
        let published = self.out.join(rel);
        let (Ok(a), Ok(b)) = (std::fs::metadata(src), std::fs::symlink_metadata(&published)) else { return false };
        let (a, b) = (Status::of(&a), Status::of(&b));
        b.is_file
            && a.dev == b.dev
            && !a.same_file(&b)
            && a.ctime_ns >= b.ctime_ns
            && crate::fsutil::same_content(src, &published).ok() == Some(false)
    }

    /// [`Prepared::replaced_in_place`] as of the last build into this
    /// build's output folder, as `podsmith diff` tells it: a file whose
    /// size and time are as recorded is as recorded; any other is
    /// fingerprinted (a read of its ends).
    pub fn replaced_since_last_build(&self, changes: &[Change]) -> Vec<Change> {
        let records = record::Records::read(&self.state_root);
        let Some(previous) = self.out.canonicalize().ok().and_then(|out| records.site(&out)) else {
            return Vec::new();
        };
        let sources: HashMap<&str, &Path> = self
            .catalog
            .episodes
            .iter()
            .flat_map(|e| &e.media)
            .filter_map(|m| m.file.local())
            .map(|f| (f.rel.as_str(), f.path.as_path()))
            .collect();
        let now = |rel: &str| {
            let (w, src) = (previous.outputs.get(rel)?, sources.get(rel)?);
            match record::stat(src) == Some((w.size, w.mtime_ns)) {
                true => w.fingerprint,
                false => Fingerprint::of_file(src).ok(),
            }
        };
        self.replaced_in_place(previous, changes, &now)
    }

    /// What this build changes compared with the last one: `None` when
    /// nothing has been built (recorded) yet.
    pub fn changes(&self) -> Result<(Option<Lock>, Lock, Vec<Change>), LockError> {
        let old = Lock::read(&self.lock_path())?;
        let mut new = Lock::of(&self.catalog);
        let changes = match &old {
            Some(old) => {
                let changes = crate::lock::compare(old, &new);
                new.retire(old);
                scheduled_said(&self.catalog, changes, &new)
            }
            None => Vec::new(),
        };
        Ok((old, new, changes))
    }

    /// Validates every feed against the directories' rules, with the
    /// measured media behind its URLs; with each feed's fingerprint (the
    /// feed is rendered for this, and not kept). Items the last build
    /// validated and that are as they were are not checked again (see
    /// [`crate::validate::incremental`]): the report is the same.
    pub fn validate(&self, now: DateTime<Utc>) -> Vec<Validated> {
        let check = self.feed_check(now);
        (0..self.feeds.len()).map(check).collect()
    }

    /// What validates feed `i` (see [`Prepared::validate`]), to be called
    /// for each feed, on any thread.
    pub fn feed_check(&self, now: DateTime<Utc>) -> impl Fn(usize) -> Validated + Sync + '_ {
        use crate::validate::MoreFiles;
        use std::sync::Arc;
        // A build that keeps most items makes few notes HTML, as it goes.
        if !self.recalls() {
            self.make_notes();
        }
        // Every file behind the feeds' URLs is listed only if needed: a
        // build that checks a few items asks for theirs.
        let every: Every = Arc::default();
        let more: Arc<MoreFiles> = {
            let (catalog, every) = (self.catalog.clone(), every.clone());
            Arc::new(move |url: &str| listed(&every, &catalog).known.get(url).cloned())
        };
        move |i| self.validate_feed(i, now, &every, &more)
    }

    /// Feed `i` rendered and validated (see [`Prepared::validate`]):
    /// `every` lists every file behind the feeds' URLs once asked, `more`
    /// tells one of them.
    fn validate_feed(
        &self,
        i: usize,
        now: DateTime<Utc>,
        every: &Every,
        more: &std::sync::Arc<crate::validate::MoreFiles>,
    ) -> Validated {
        use crate::validate::{LocalFiles, incremental};
        use std::sync::Arc;
        let f = &self.feeds[i];
        let feed = match self.render_feed(i) {
            Ok(feed) => feed,
            // Rendering worked in prepare(); it cannot fail now, but say so if it does.
            Err(e) => {
                let report = crate::validate::Report::unreadable(&f.file_name, &e.to_string());
                return Validated { report, fingerprint: None, items: None, as_it_is: false, xml: None };
            }
        };
        let FeedRender { rendered, keys, known, as_it_is } = feed;
        // Checking an item alone costs more than in the whole feed:
        // worth it only for a few.
        let new = known.iter().filter(|k| k.is_none()).count();
        let spliced = new * 4 <= known.len();
        let local = match spliced {
            true => Arc::new(LocalFiles {
                known: local_files_of(&self.catalog, &|n| known.get(n).is_some_and(Option::is_none)),
                more: Some(more.clone()),
                root: None,
            }),
            false => listed(every, &self.catalog),
        };
        let opts = crate::validate::Options { local: Some(local), now, formats: self.formats_of(f) };
        let fingerprint = Some(Fingerprint::of_bytes(&rendered.xml));
        let crate::feed::Rendered { xml, items: spans } = rendered;
        // A feed checked in full is not kept (it is rendered again
        // to be written): it goes once parsed.
        let ((report, checks), xml) = match spliced {
            true => (incremental::spliced(&f.file_name, &xml, &spans, known, &opts), Some(xml)),
            false => (incremental::itemized_owned(&f.file_name, xml, &spans, &opts), None),
        };
        let items = checks.map(|checks| {
            let spans = spans.iter().map(|r| (r.start, r.end));
            keys.into_iter()
                .zip(spans)
                .zip(checks)
                .map(|((key, span), check)| memo::ItemMemo { key, span, check })
                .collect()
        });
        let xml = xml.filter(|_| !as_it_is);
        Validated { report, fingerprint, items, as_it_is, xml }
    }

    /// Makes every episode's notes HTML, on every core: for a command that
    /// renders every feed item (they are made when first asked for, see
    /// [`LiveEpisode::notes_html`](crate::catalog::LiveEpisode::notes_html)).
    pub fn make_notes(&self) {
        use rayon::prelude::*;
        self.catalog.episodes.par_iter().for_each(|e| {
            e.notes_html();
        });
    }

    /// How file `i` of this site is told as this show's when no record
    /// lists it (see [`ownership::Mark`]): a feed, page (the index, an
    /// episode's, a year of the archive) or the sitemap by what its own head
    /// holds when podsmith wrote it for this show (podsmith's generator mark
    /// and the show's feed URL: a feed's own, as its `atom:link
    /// rel="self"`; the main feed's for a page); a file made beside an
    /// episode's page that cannot hold a mark (its chapters, transcripts)
    /// by that page's. `None` for media and images.
    pub fn marks(&self, i: usize) -> Option<ownership::Mark> {
        let escape = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;");
        let f = self.site.files.get(i)?;
        let rel = f.rel.as_str();
        let own = |texts: Vec<String>| Some(ownership::Mark { at: rel.to_string(), texts });
        let page = || {
            let feed = escape(&self.catalog.feed_url());
            vec!["<meta name=\"generator\" content=\"podsmith\">".into(), format!("href=\"{feed}\"")]
        };
        match f.content {
            Content::Feed(_) => {
                let url = escape(&self.catalog.podcast.url_of(rel));
                own(vec!["<generator>podsmith</generator>".into(), format!("<atom:link href=\"{url}\" rel=\"self\"")])
            }
            Content::Page(_) => own(page()),
            Content::Bytes(_) if rel == SITEMAP => own(crate::pages::sitemap::marks(&self.catalog)),
            Content::Bytes(_) | Content::Part(_) => {
                // `episodes/<slug>/<name>`, beside the episode's page.
                let (folder, _) = rel.rsplit_once('/')?;
                let slug = folder.strip_prefix("episodes/").filter(|s| !s.contains('/'))?;
                Some(ownership::Mark { at: format!("episodes/{slug}/index.html"), texts: page() })
            }
            Content::File(_) => None,
        }
    }

    /// Which enclosure formats feed `f` is meant to carry.
    pub fn formats_of(&self, f: &crate::feed::Feed) -> crate::validate::Formats {
        use crate::validate::Formats;
        match (self.catalog.podcast.formats, f.format) {
            (manifest::FormatPolicy::Any, _) => Formats::Any,
            (manifest::FormatPolicy::Apple, Some(_)) => Formats::PerFormat,
            (manifest::FormatPolicy::Apple, None) => Formats::Apple,
        }
    }

    /// Why nothing can be published yet: every episode is dated later.
    pub fn nothing_live(&self) -> Option<Diagnostic> {
        let cat = &self.catalog;
        let first = cat.scheduled.first().filter(|_| cat.episodes.is_empty())?;
        let when = first.date().format("%-d %B %Y, %H:%M (%:z)");
        let quoted = crate::text::quoted;
        let message = match cat.scheduled.len() {
            1 => format!("nothing to publish yet: the only episode, {}, goes live on {when}", quoted(first.title())),
            n => format!(
                "nothing to publish yet: all {n} episodes are scheduled; the first, {}, goes live on {when}",
                quoted(first.title())
            ),
        };
        Some(Diagnostic::error("SCHEDULED", message).help(format!(
            "build again after then, or see the show as it will be with --as-of {}",
            first.date().to_rfc3339()
        )))
    }

    /// The files behind the feeds' URLs, with the media's probes.
    pub fn local_files(&self) -> crate::validate::LocalFiles {
        local_files_of_all(&self.catalog)
    }
}

/// The files behind the URLs of the show and of the episodes `of` says
/// (by index), with the media's probes: a URL is a medium's if it is any
/// Every file behind the feeds' URLs, listed once first asked for (see
/// [`Prepared::validate`]).
type Every = std::sync::Arc<std::sync::OnceLock<std::sync::Arc<crate::validate::LocalFiles>>>;

/// What `every` lists, listed now if it is not yet.
fn listed(every: &Every, catalog: &Catalog) -> std::sync::Arc<crate::validate::LocalFiles> {
    every.get_or_init(|| std::sync::Arc::new(local_files_of_all(catalog))).clone()
}

/// episode's medium, as in the list of every episode's.
fn local_files_of(cat: &Catalog, of: &dyn Fn(usize) -> bool) -> HashMap<String, crate::validate::LocalFile> {
    use crate::validate::LocalFile;
    let medium = |m: &crate::catalog::Media| LocalFile {
        path: match &m.file {
            crate::manifest::MediaFile::Local(f) => f.path.clone(),
            crate::manifest::MediaFile::Hosted(h) => PathBuf::from(h.url.as_str()),
        },
        probe: Some(Ok(m.info.clone())),
    };
    let all = (0..cat.episodes.len()).all(of);
    let mut known = HashMap::new();
    let images = std::iter::once(&cat.podcast.image)
        .chain(cat.episodes.iter().enumerate().filter(|(n, _)| of(*n)).filter_map(|(_, e)| e.episode.image.as_ref()));
    for image in images {
        if let Asset::Local(f) = image {
            let url = crate::feed::asset_url(cat, image);
            // Some episode's medium too (one file): as the whole list has it.
            let as_medium = (!all)
                .then(|| cat.episodes.iter().flat_map(|e| &e.media).rfind(|m| m.url == url).map(medium))
                .flatten();
            known.insert(url, as_medium.unwrap_or(LocalFile { path: f.path.clone(), probe: None }));
        }
    }
    for (_, e) in cat.episodes.iter().enumerate().filter(|(n, _)| of(*n)) {
        for m in &e.media {
            known.insert(m.url.clone(), medium(m));
        }
    }
    known
}

/// Every file behind the URLs of the show and its episodes.
fn local_files_of_all(cat: &Catalog) -> crate::validate::LocalFiles {
    crate::validate::LocalFiles { known: local_files_of(cat, &|_| true), ..Default::default() }
}

/// Reads, probes and renders the show in memory; writes nothing but the
/// probe cache.
pub fn prepare(opts: &Options) -> Result<Prepared, BuildError> {
    let show = manifest::load(&opts.manifest)?;
    let mut preload = Preload::none(&show.root, &opts.state_root(&show.root), opts.probe.use_cache);
    let mut prepared = prepare_show(opts, show, Seen::default(), Looking::default(), None, false, &mut preload)?;
    if let Some(note) = prepared.save_cache(&[]) {
        prepared.probe_stats.cache_note.get_or_insert(note);
    }
    Ok(prepared)
}

/// The show's catalog, its media measured (with the probe cache, saved
/// after), as `podsmith list` shows it: an episode that cannot be
/// published as it is is set apart, not an error (see
/// [`Catalog::assemble_despite`]).
pub fn catalog_despite(opts: &Options) -> Result<(Catalog, Vec<crate::catalog::Unfit>), BuildError> {
    let (show, missing) = manifest::load_despite_missing(&opts.manifest)?;
    let mut preload = Preload::none(&show.root, &opts.state_root(&show.root), opts.probe.use_cache);
    let Probed { cache, probes, .. } = Probed::take(&show, opts, &Seen::default(), &mut preload);
    if let Some(mut cache) = cache {
        // (Not saved: the next build measures again.)
        let _ = crate::catalog::save_cache(&mut cache);
    }
    let (catalog, mut unfit) = Catalog::assemble_despite(show, &probes, opts.now);
    // A file that does not exist is said as the manifest says it (with the
    // file meant, where one is like it), not as a file that cannot be read.
    for u in &mut unfit {
        for m in &u.episode.media {
            // (Told by its line and its name: one line may name two files.)
            let named = |message: &str| message.contains(&format!("\"{}\"", m.key()));
            let of_it = |d: &Diagnostic| d.line() == Some(m.line()) && named(&d.message);
            if let Some(said) = missing.iter().find(|p| of_it(p)) {
                // What measuring it said: that it cannot be read.
                u.problems.retain(|d| !(d.line() == Some(m.line()) && d.message.contains(m.key()) && !of_it(d)));
                u.problems.push(said.clone());
            }
        }
    }
    Ok((catalog, unfit))
}

/// What a build changes for subscribers, and `podsmith.lock` as it will
/// be written; whether there was none (a first build).
pub type LockChanges = Result<(bool, String, Vec<Change>), LockError>;

/// [`Prepared::lock_changes`] of `catalog`, whose lock is at `path`.
fn lock_changes(catalog: &Catalog, path: PathBuf) -> LockChanges {
    let new = Lock::of(catalog);
    let Some(text) = Lock::read_text(&path)? else { return Ok((true, new.render(), Vec::new())) };
    let (lock, rendered, changes) = new.after(&path, &text)?;
    Ok((false, rendered, scheduled_said(catalog, changes, &lock)))
}

/// `changes`, saying of a published episode that is gone because its date
/// moved ahead that it is scheduled now; and what scheduled episodes take
/// that episodes were published with and no longer use (in `lock`, the
/// lock this build writes), as the build at their time refuses it.
fn scheduled_said(catalog: &Catalog, changes: Vec<Change>, lock: &Lock) -> Vec<Change> {
    if catalog.scheduled.is_empty() {
        return changes;
    }
    let scheduled: Vec<(&str, String)> =
        catalog.scheduled.iter().map(|s| (s.episode.guid.as_str(), s.date().to_rfc3339())).collect();
    let mut changes = Change::scheduled(changes, &scheduled);
    changes.extend(lock.scheduled_reuses(catalog));
    changes
}

/// The output and templates folders of a show.
pub(super) fn folders(show: &manifest::Show, opts: &Options) -> (PathBuf, PathBuf) {
    folders_of(&show.root, opts)
}

/// The output and templates folders of the show in folder `root`.
pub(super) fn folders_of(root: &Path, opts: &Options) -> (PathBuf, PathBuf) {
    let here = root == Path::new(".");
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| if here { PathBuf::from(super::DEFAULT_OUT) } else { root.join(super::DEFAULT_OUT) });
    let templates = if here { PathBuf::from("templates") } else { root.join("templates") };
    (out, templates)
}

/// `seen`: the show's media and image files, as just looked at, and the
/// output folder's files as the last build recorded them, being looked at;
/// `probed`: their measurements, if taken already.
/// `tell_lock_early`: the changes to `podsmith.lock` are told on the other
/// core while the show is prepared.
pub(super) fn prepare_show(
    opts: &Options,
    show: manifest::Show,
    seen: Seen,
    looking: Looking,
    probed: Option<Probed>,
    tell_lock_early: bool,
    preload: &mut Preload,
) -> Result<Prepared, BuildError> {
    let (out, templates_dir) = folders(&show, opts);
    check_output_folder(&show, &out)?;
    let Probed { cache, probes, stats: mut probe_stats, hosted_digest } = match probed {
        Some(p) => p,
        None => Probed::take(&show, opts, &seen, preload),
    };
    // A build that measured most files saves the cache now, rather than
    // keep it in memory while it validates.
    let cache = match cache {
        Some(mut c) if probe_stats.probed > probe_stats.cached => {
            probe_stats.cache_note = crate::catalog::save_cache(&mut c).or(probe_stats.cache_note);
            Err(true)
        }
        Some(c) => Ok(c),
        None => Err(false),
    };
    let catalog = std::sync::Arc::new(Catalog::assemble(show, &probes, opts.now).map_err(|mut found| {
        // Why every file was measured anew (hosted ones too), where it was.
        found.extend(probe_stats.cache_note.clone().filter(|d| d.code == "CACHE"));
        BuildError::Media(found)
    })?);
    let lock_file = opts.lock_file(&catalog.root);
    // A build that takes most of the last one tells what it changes for
    // subscribers meanwhile, on the other core.
    let lock_telling = match tell_lock_early {
        true => {
            let (catalog, path) = (catalog.clone(), lock_file.clone());
            let tell = move || lock_changes(&catalog, path);
            std::thread::Builder::new().name("podsmith-lock".into()).spawn(tell).ok()
        }
        false => None,
    };
    let state_root = opts.state_root(&catalog.root);
    // The feeds' names and URLs; their XML is made (and checked) by validation
    // and again when written.
    let feeds = crate::feed::plan(&catalog);
    let Keys { renderer, page_paths, episode_keys, page_keys } = keys(&catalog, &feeds, &templates_dir)?;
    let n_pages = page_paths.len();
    let (site, files, linked) = site_files(&catalog, &feeds, page_paths, &out);
    Ok(Prepared {
        out,
        catalog,
        feeds,
        site,
        pages: n_pages,
        files,
        linked,
        probe_stats,
        hosted_digest,
        templates_dir,
        lock_file,
        state_root,
        episode_keys,
        renderer,
        page_keys,
        recalled: None,
        cache: std::sync::Mutex::new(cache),
        snapshot: Snapshot::of_sources(seen, looking),
        lock_telling: std::sync::Mutex::new(lock_telling),
        feeds_as_they_are: std::sync::OnceLock::new(),
        kept: std::sync::OnceLock::new(),
    })
}

/// Every page's path, and the fingerprints of what each episode and each
/// page is made from (the memo's keys: a page whose key is unchanged need
/// not be rendered again).
pub(super) struct Keys {
    /// The pages' renderer, the templates compiled.
    renderer: Renderer,
    /// Path of each page in the site, by page number.
    page_paths: Vec<String>,
    /// Of each episode, in catalog order.
    episode_keys: Vec<Fingerprint>,
    /// Of each page, by page number.
    page_keys: Vec<Fingerprint>,
}

/// The show's [`Keys`].
fn keys(
    catalog: &std::sync::Arc<Catalog>,
    feeds: &[crate::feed::Feed],
    templates_dir: &Path,
) -> Result<Keys, BuildError> {
    // The templates compile now, once: every page is rendered with them
    // before anything is written (Prepared::plan) and again when it is written.
    let renderer = crate::pages::Renderer::new(catalog, feeds, templates_dir)?;
    let page_paths: Vec<String> = (0..renderer.len()).map(|i| renderer.path(i)).collect();
    let episode_keys: Vec<Fingerprint> = {
        use rayon::prelude::*;
        catalog.episodes.par_iter().map(memo::episode_key).collect()
    };
    let sides = [["before", "first"], ["after", "last"]].map(|side| side.map(|w| memo::shared_key(&[w.as_bytes()])));
    let page_keys: Vec<Fingerprint> = (0..renderer.len())
        .map(|i| {
            let inputs = renderer.inputs(i);
            let keys = inputs.archive.into_iter().chain(inputs.episodes.iter().map(|&n| episode_keys[n]));
            // The episodes it links to as the one before and after it, each
            // after a mark of its side (or a mark of none there).
            let around = inputs.neighbours.iter().zip(&sides).flat_map(|(n, [by, none])| match n {
                Some(n) => [Some(*by), Some(episode_keys[*n])],
                None => [Some(*none), None],
            });
            let keys = keys.chain(around.flatten());
            memo::page_key(&renderer.shared_inputs(i), &keys.collect::<Vec<_>>())
        })
        .collect();
    Ok(Keys { renderer, page_paths, episode_keys, page_keys })
}

/// The pictures of an MP3's own chapters of episode `e` that are published
/// (see [`crate::catalog::chapter_picture_rel`]): where, and where they are
/// in the MP3.
fn chapter_pictures(e: &crate::catalog::LiveEpisode) -> Vec<(String, crate::output::Part)> {
    let Some(chapters) = &e.episode.chapters else { return Vec::new() };
    let crate::chapters::Origin::Tagged(of) = &chapters.origin else { return Vec::new() };
    let Some(src) = e.media.iter().find(|m| m.file.key() == of.as_str()).and_then(|m| m.file.local()) else {
        return Vec::new();
    };
    let part = |p: &crate::probe::id3::Picture| {
        let rel = crate::catalog::chapter_picture_rel(&e.page_path, p)?;
        let fingerprint = p.fingerprint?;
        Some((rel, crate::output::Part { src: src.path.clone(), offset: p.offset, len: p.len, fingerprint }))
    };
    chapters.list.iter().filter_map(|c| c.embedded.as_ref().and_then(part)).collect()
}

/// The site's files in the order they are written: media and images (and
/// the files the notes link to), the pages, then the per-format feeds and
/// `feed.xml` last. Returns it, how many of its files are media and
/// images, and how many the notes link to.
fn site_files(
    catalog: &Catalog,
    feeds: &[crate::feed::Feed],
    page_paths: Vec<String>,
    out: &Path,
) -> (Site, usize, usize) {
    let mut site = Site::default();
    let mut published = std::collections::BTreeSet::new();
    let mut publish = |site: &mut Site, rel: &str, content: Content| {
        if published.insert(rel.to_string()) {
            site.push(rel, content);
        }
    };
    let file = |path: &Path| Content::File(path.to_path_buf());
    if let Asset::Local(f) = &catalog.podcast.image {
        publish(&mut site, &f.rel, file(&f.path));
    }
    for e in &catalog.episodes {
        for f in e.media.iter().filter_map(|m| m.file.local()) {
            publish(&mut site, &f.rel, file(&f.path));
        }
        if let Some(Asset::Local(f)) = &e.episode.image {
            publish(&mut site, &f.rel, file(&f.path));
        }
        for c in e.episode.chapters.iter().flat_map(|c| &c.list) {
            if let Some(Asset::Local(f)) = &c.image {
                publish(&mut site, &f.rel, file(&f.path));
            }
        }
        for (rel, part) in chapter_pictures(e) {
            publish(&mut site, &rel, Content::Part(part));
        }
    }
    let files = site.files.len();
    // What the pages and feeds link to that is made from the manifest.
    for e in &catalog.episodes {
        if let Some(chapters) = &e.episode.chapters {
            let about = crate::chapters::About {
                title: Some(e.episode.title.clone()),
                podcast_name: Some(catalog.podcast.title.clone()),
                author: Some(catalog.podcast.author.clone()).filter(|a| !a.is_empty()),
            };
            let json = chapters.to_json(&about, &|a| crate::feed::asset_url(catalog, a));
            site.push(format!("{}chapters.json", e.page_path), Content::Bytes(json));
        }
        for (name, _, _, bytes) in crate::feed::transcript_files(&e.episode) {
            site.push(format!("{}{name}", e.page_path), Content::Bytes(bytes));
        }
    }
    // Pages and feeds are made when written (see Prepared::write).
    for (i, path) in page_paths.into_iter().enumerate() {
        site.push(path, Content::Page(i));
    }
    site.push(SITEMAP, Content::Bytes(crate::pages::sitemap::sitemap(catalog)));
    // Per-format feeds, then feed.xml last: the feed directories poll most.
    for (j, feed) in feeds.iter().enumerate().rev() {
        site.push(feed.file_name.clone(), Content::Feed(j));
    }
    let linked = linked_files(catalog, &site, out);
    let n = linked.len();
    site.files.splice(files..files, linked);
    (site, files, n)
}

/// The show's files the notes link to (see [`manifest::Episode::linked`]),
/// each once, to publish with the media and images of `site`: where the
/// links lead, unless the build makes a file there itself.
fn linked_files(catalog: &Catalog, site: &Site, out: &Path) -> Vec<crate::output::OutputFile> {
    if catalog.episodes.iter().all(|e| e.episode.linked.is_empty()) {
        return Vec::new();
    }
    let mut taken: HashSet<&str> = site.files.iter().map(|f| f.rel.as_str()).collect();
    let out = out.canonicalize().ok();
    let mut linked = Vec::new();
    for e in &catalog.episodes {
        for f in crate::catalog::linked_files(&e.episode, out.as_deref()) {
            if taken.insert(&f.rel) {
                let content = Content::File(f.path.clone());
                linked.push(crate::output::OutputFile { rel: f.rel.clone(), content });
            }
        }
    }
    linked
}
