//! The site: the publishing pipeline that turns a show into `public/`, end to end:
//! [`manifest::load`] → [`probe`](crate::catalog::probe_media)
//! → [`Catalog`] → [`feed`](crate::feed::render) → [`validate`](crate::validate)
//! → [`pages`](crate::pages::Renderer) checked → [`Site`] written by [`write_site`].
//!
//! Nothing is written until every step succeeded, so a failed build leaves
//! the previous `public/` exactly as it was. Feeds and pages are rendered
//! when needed rather than kept, so a big show stays small in memory; a
//! build whose inputs and outputs are as the last one left them does
//! nothing ([`record`]); `podsmith.lock` guards published identities.

pub mod memo;
pub mod ownership;
pub mod record;
pub mod snapshot;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::catalog::{Catalog, ProbeStats, Scheduled, probe_media};
use crate::diagnostic::{Diagnostic, Location};
use crate::fsutil::{Fingerprint, Status};
use crate::lock::{Change, Lock, LockError};
use crate::manifest::{self, Asset, ManifestError};
use crate::output::{Content, Site, WriteError, WriteStats, write_site};
use crate::pages::{Renderer, TemplateError};
use crate::probe::cache::Cache;
use crate::validate::incremental::ItemCheck;
use memo::Memo;
use snapshot::Snapshot;

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of `episodes.toml`.
    pub manifest: PathBuf,
    /// Output folder; `None` means `public/` beside the manifest.
    pub out: Option<PathBuf>,
    /// The moment that decides which episodes are live (normally now).
    pub now: DateTime<Utc>,
    /// Allow changing or dropping published guids and media URLs.
    pub allow_changes: bool,
    /// How to probe (cache, progress bar).
    pub probe: crate::catalog::ProbeOptions,
    /// Replace files in the output folder that podsmith did not write.
    pub force: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The output folder.
    pub out: PathBuf,
    /// Live episodes written.
    pub episodes: usize,
    /// Episodes left out because they are dated in the future.
    pub scheduled: Vec<Scheduled>,
    /// Feed file names, main first.
    pub feeds: Vec<String>,
    /// Pages written.
    pub pages: usize,
    /// Media and image files published.
    pub files: usize,
    /// Write counts.
    pub stats: WriteStats,
    /// Warnings that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Each published media file: path, seconds, and how it was measured.
    pub measured: Vec<(String, f64, crate::probe::Method)>,
    /// What changed since the last build (from `podsmith.lock`).
    pub changes: Vec<Change>,
    /// Whether this was the first build recorded in `podsmith.lock`.
    pub first_build: bool,
    /// Inputs and outputs were as the last build left them: nothing was done.
    pub nothing_changed: bool,
    /// What probing did.
    pub probe_stats: ProbeStats,
    /// Files an earlier build wrote that this one no longer publishes, removed.
    pub removed: Vec<String>,
    /// Temporary files an interrupted command had left, removed.
    pub swept: usize,
    /// Seconds spent.
    pub seconds: f64,
}

/// Why a build stopped (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The manifest is missing or invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Media that cannot be published.
    #[error("{} media file{} cannot be published; nothing was written", .0.len(), plural(.0.len()))]
    Media(Vec<Diagnostic>),
    /// A template does not compile or render.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The output folder is not usable.
    #[error("{0}")]
    Config(String),
    /// A feed breaks a directory's rules (see `podsmith validate`).
    #[error("the feed would be refused by podcast directories; nothing was written")]
    Invalid(Vec<crate::validate::Report>),
    /// The build would change what subscribers already have.
    #[error("this build would change episodes subscribers already have; nothing was written")]
    Identity(Vec<Change>),
    /// `podsmith.lock` cannot be read.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Writing failed part-way (files already written are complete).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Files in the output folder that podsmith did not write would be replaced.
    #[error(
        "{} holds {} file{} podsmith has no record of writing, which this build would replace: {}",
        out.display(), files.len(), plural(files.len()), shown(files)
    )]
    Foreign {
        /// The output folder.
        out: PathBuf,
        /// The files, relative to it.
        files: Vec<String>,
    },
    /// Every episode is scheduled: there is nothing to publish yet.
    #[error("{}", .0.message)]
    NothingLive(Box<Diagnostic>),
    /// Output paths that cannot be written (too long, a link or file in the way).
    #[error("the site cannot be written there; nothing was written")]
    Paths(Vec<String>),
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The first ten of `files`, and how many more.
fn shown(files: &[String]) -> String {
    let mut s = files.iter().take(10).map(String::as_str).collect::<Vec<_>>().join(", ");
    if files.len() > 10 {
        s.push_str(&format!(" and {} more", files.len() - 10));
    }
    s
}

impl BuildError {
    /// What to tell the podcaster: every problem found, then what it means.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let summary = Diagnostic::error("BUILD", self.to_string());
        match self {
            BuildError::Manifest(e) => e.diagnostics(),
            BuildError::Media(problems) => {
                let mut out = problems.clone();
                out.push(Diagnostic::error("MEDIA", self.to_string()));
                out
            }
            BuildError::Template(_) => vec![Diagnostic::error("TEMPLATE", self.to_string())],
            BuildError::Config(_) => vec![Diagnostic::error("OUTPUT", self.to_string())],
            BuildError::Invalid(reports) => {
                let mut out: Vec<Diagnostic> = reports
                    .iter()
                    .flat_map(|r| r.findings.iter().filter(|f| f.is_error()).map(|f| in_feed(f, &r.feed)))
                    .collect();
                out.push(summary.help("run `podsmith validate` for all findings"));
                out
            }
            BuildError::Identity(changes) => {
                let mut out: Vec<Diagnostic> = changes
                    .iter()
                    .filter(|c| c.breaks_identity())
                    .map(|c| Diagnostic::error("IDENTITY", c.describe()))
                    .collect();
                out.push(summary.help(
                    "apps treat a new guid as a new episode and a new URL as a new download, and a moved page \
                     breaks the links listeners shared. Put the old guid, media file or slug back in episodes.toml; \
                     or, if you mean it, run `podsmith build --allow-changes`",
                ));
                out
            }
            BuildError::Lock(e) => vec![e.diagnostic()],
            BuildError::Write(_) => vec![Diagnostic::error("WRITE", self.to_string())],
            BuildError::Foreign { .. } => vec![Diagnostic::error("FOREIGN", self.to_string()).help(
                "move them away or build into another folder (--out); to replace them (or if they are this show's \
                 from a build whose record, .podsmith/build.json, is gone), build with --force (nothing was written)",
            )],
            BuildError::NothingLive(d) => vec![(**d).clone()],
            BuildError::Paths(problems) => {
                let mut out: Vec<Diagnostic> = problems.iter().map(|p| Diagnostic::error("PATH", p.clone())).collect();
                out.push(Diagnostic::error("PATH", self.to_string()));
                out
            }
        }
    }

    /// Whether the fault is in how podsmith was called or set up (exit 2),
    /// not in the show's content (exit 1).
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            BuildError::Manifest(ManifestError::Read { .. })
                | BuildError::Config(_)
                | BuildError::Foreign { .. }
                | BuildError::Paths(_)
        )
    }
}

/// A finding of the feed called `feed`, so saying.
fn in_feed(f: &Diagnostic, feed: &str) -> Diagnostic {
    let mut f = f.clone();
    if let Location::Feed { feed: name, .. } = &mut f.location {
        *name = Some(feed.to_string());
    }
    f
}

/// The fingerprint of every file a build is about to write.
pub type Planned = std::collections::BTreeMap<String, Fingerprint>;

/// Everything a build renders, before anything is written.
#[derive(Debug)]
pub struct Prepared {
    /// The output folder.
    pub out: PathBuf,
    /// The show with its live episodes and probes.
    pub catalog: Catalog,
    /// The feeds, main first (names, URLs and formats; see [`Prepared::feed_xml`]).
    pub feeds: Vec<crate::feed::Feed>,
    /// Every output file, in write order.
    pub site: Site,
    /// Pages rendered.
    pub pages: usize,
    /// Media and image files published.
    pub files: usize,
    /// What probing did.
    pub probe_stats: ProbeStats,
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
    cache: Result<Cache, bool>,
    /// The files of the build as they were (see [`Prepared::look`]).
    snapshot: Snapshot,
    /// Which feeds (by number) are, as validated, what is on disk.
    feeds_as_they_are: Vec<bool>,
}

/// What the last complete build of the output folder left that this one
/// can take as it is: its memo, and which of its pages and feeds are still
/// as it wrote them.
#[derive(Debug)]
struct Recalled {
    memo: Memo,
    /// Pages (by number) whose file the last build wrote from the same key,
    /// unchanged since, with the fingerprint it recorded.
    pages: HashMap<usize, Fingerprint>,
    /// Feeds (file names) unchanged since the last build wrote them.
    feeds: HashSet<String>,
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

    fn keep_feed(&mut self, n: usize, xml: Vec<u8>) {
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
struct FeedRender {
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
    xml: Option<Vec<u8>>,
}

impl Prepared {
    /// Renders every page and feed once and fingerprints every file of the
    /// site as it will be written, so that a template error stops the build
    /// before anything is written, and so that the build record can say
    /// beforehand what is about to be written. Pages are not kept: a big
    /// show's pages are rendered again, one at a time, when written.
    /// `known` gives a fingerprint already known (of a media file the last
    /// build recorded, of a feed just validated); the rest are read or
    /// rendered here.
    pub fn plan(
        &self,
        renderer: &Renderer<'_>,
        known: &(dyn Fn(&str, &Path) -> Option<Fingerprint> + Sync),
        made: &mut Made,
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
        // Pages and feeds, rendered one at a time.
        for f in &self.site.files {
            let fp = match &f.content {
                Content::File(_) => continue,
                Content::Bytes(b) => Fingerprint::of_bytes(b),
                Content::Page(n) => match self.kept_page(*n) {
                    Some(fp) => fp,
                    None => {
                        let page = renderer.render(*n)?;
                        let fp = Fingerprint::of_bytes(page.as_bytes());
                        // A build that kept the rest renders few pages: keep
                        // them to write (a cold build renders them again).
                        if self.recalled.is_some() {
                            made.keep_page(*n, page);
                        }
                        fp
                    }
                },
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
        let old = self.recalled.as_ref().and_then(|r| {
            let items = r.memo.feeds.get(&feed.file_name).filter(|_| r.feeds.contains(&feed.file_name))?;
            let bytes = crate::fsutil::read(&self.out.join(&feed.file_name), crate::fsutil::FEED).ok()?;
            let is_item = |m: &&memo::ItemMemo| {
                bytes.get(m.span.0..m.span.1).is_some_and(|b| b.starts_with(b"<item>") && b.ends_with(b"</item>"))
            };
            let by_key: HashMap<Fingerprint, &memo::ItemMemo> =
                items.iter().filter(is_item).map(|m| (m.key, m)).collect();
            Some((bytes, by_key))
        });
        let known_item = |k: &Fingerprint| old.as_ref().and_then(|(_, by_key)| by_key.get(k).copied());
        // An item is taken as it is only if it is the episode's own (its guid),
        // whatever the memo says.
        let reuse = |n: usize| {
            let m = known_item(&keys[n])?;
            let bytes = old.as_ref().map(|(bytes, _)| &bytes[m.span.0..m.span.1])?;
            let guid = quick_xml::escape::escape(self.catalog.episodes[n].episode.guid.as_str());
            let tag = format!("<guid isPermaLink=\"false\">{guid}</guid>");
            memchr::memmem::find(bytes, tag.as_bytes()).map(|_| bytes)
        };
        // Which items are taken as they are: asked once per item.
        let reused: Vec<Option<&[u8]>> = (0..keys.len()).map(reuse).collect();
        let rendered = crate::feed::render_with(&self.catalog, feed.format, &|n| reused[n])?;
        let known = (0..keys.len()).map(|n| reused[n].and(known_item(&keys[n])).map(|m| m.check.clone())).collect();
        let as_it_is = old.as_ref().is_some_and(|(bytes, _)| *bytes == rendered.xml);
        Ok(FeedRender { rendered, keys, known, as_it_is })
    }

    /// Saves the probe cache, having taken note of the site files just
    /// written (indices; of them, the media files published anew): a hard
    /// link changes a file's status, not its content. A warning if it
    /// cannot be saved.
    pub fn save_cache(&mut self, wrote: &[usize]) -> Option<Diagnostic> {
        let published =
            wrote.iter().any(|&i| matches!(self.site.files.get(i).map(|f| &f.content), Some(Content::File(_))));
        if matches!(self.cache, Err(true)) && published {
            self.cache = Ok(Cache::open(&self.catalog.root));
        }
        let cache = self.cache.as_mut().ok()?;
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
        renderer: &Renderer<'_>,
        planned: &Planned,
        made: Made,
    ) -> Result<(WriteStats, Vec<usize>), BuildError> {
        let made = std::cell::RefCell::new(made);
        let generate = |content: &Content| -> std::io::Result<Vec<u8>> {
            match content {
                Content::Page(n) => match made.borrow_mut().pages.remove(n) {
                    Some(page) => Ok(page.into_bytes()),
                    None => renderer.render(*n).map(String::into_bytes).map_err(std::io::Error::other),
                },
                Content::Feed(n) => {
                    // Kept: the very bytes validated and planned. Rendered
                    // again: they must come out the same.
                    if let Some(xml) = made.borrow_mut().feeds.get_mut(*n).and_then(Option::take) {
                        return Ok(xml);
                    }
                    let xml = self.feed_xml(*n)?;
                    let name = &self.feeds[*n].file_name;
                    if planned.get(name).is_some_and(|fp| *fp != Fingerprint::of_bytes(&xml)) {
                        return Err(std::io::Error::other("it changed while podsmith was building; build again"));
                    }
                    Ok(xml)
                }
                Content::Bytes(b) => Ok(b.clone()),
                Content::File(_) => Err(std::io::Error::other("a file is published, not made")),
            }
        };
        Ok(write_site(&self.site, &self.out, &generate, &|i| self.as_it_is(i))?)
    }

    /// The pages' renderer (the templates compiled).
    pub fn renderer(&self) -> Result<Renderer<'_>, BuildError> {
        Ok(Renderer::new(&self.catalog, &self.feeds, &self.templates_dir)?)
    }

    /// Whether site file `i` is already what this build would write: a
    /// page kept from the last build, a feed rendered byte for byte as it
    /// is on disk, or a media file or image published as a hard link to the
    /// show's own file.
    pub fn as_it_is(&self, i: usize) -> bool {
        match &self.site.files[i].content {
            Content::Page(n) => self.kept_page(*n).is_some(),
            Content::Feed(n) => self.feeds_as_they_are.get(*n).copied().unwrap_or(false),
            Content::File(src) => self.snapshot.is_link_to(i, src),
            _ => false,
        }
    }

    /// Looks at every file of the site in the output folder, once.
    pub fn look(&mut self) {
        if !self.snapshot.has_outputs() {
            self.snapshot.look_at_outputs(&self.site, &self.out);
        }
    }

    /// Takes what the last build of this output folder left (its `record`
    /// and `memo`): the pages whose key is unchanged and whose file is as
    /// that build wrote it are kept as they are; so are the items of its
    /// feeds (see [`Prepared::validate`]).
    pub fn recall(&mut self, record: &record::SiteRecord, memo: Memo) {
        let intact = |i: usize, rel: &str| {
            let w = record.outputs.get(rel)?;
            (self.snapshot.output_stamp(i) == Some((w.size, w.mtime_ns))).then_some(w.fingerprint?)
        };
        let mut pages = HashMap::new();
        let mut feeds = HashSet::new();
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
                _ => {}
            }
        }
        self.recalled = Some(Recalled { memo, pages, feeds });
    }

    /// What the next build's memo keeps of this one: every page's key, and
    /// the items of every feed (as `validated` found them).
    pub fn memo(&self, out: PathBuf, validated: Vec<Validated>) -> Memo {
        let mut memo = Memo { out, ..Default::default() };
        for f in &self.site.files {
            if let Content::Page(n) = f.content
                && let Some(key) = self.page_keys.get(n)
            {
                memo.pages.insert(f.rel.clone(), *key);
            }
        }
        for (feed, v) in self.feeds.iter().zip(validated) {
            if let Some(items) = v.items {
                memo.feeds.insert(feed.file_name.clone(), items);
            }
        }
        memo
    }

    /// The show's `podsmith.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.catalog.root.join(crate::lock::FILE_NAME)
    }

    /// What this build changes for subscribers, and `podsmith.lock` as it
    /// will be written; whether there was none (a first build). A lock
    /// that is already what this build would write is not read further.
    pub fn lock_changes(&self) -> Result<(bool, String, Vec<Change>), LockError> {
        let new = Lock::of(&self.catalog);
        let rendered = new.render();
        let path = self.lock_path();
        let text = match crate::fsutil::read_string(&path, crate::fsutil::RECORD) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((true, rendered, Vec::new())),
            Err(e) => return Err(LockError { path, reason: e.to_string() }),
        };
        if text == rendered {
            return Ok((false, rendered, Vec::new()));
        }
        let changes = crate::lock::compare(&Lock::parse(&path, &text)?, &new);
        Ok((false, rendered, changes))
    }

    /// What this build changes compared with the last one: `None` when
    /// nothing has been built (recorded) yet.
    pub fn changes(&self) -> Result<(Option<Lock>, Lock, Vec<Change>), LockError> {
        let old = Lock::read(&self.lock_path())?;
        let new = Lock::of(&self.catalog);
        let changes = match &old {
            Some(old) => crate::lock::compare(old, &new),
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
        use crate::validate::incremental;
        let local = std::sync::Arc::new(self.local_files());
        (0..self.feeds.len())
            .map(|i| {
                let f = &self.feeds[i];
                let opts = crate::validate::Options { local: Some(local.clone()), now, formats: self.formats_of(f) };
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
                let (report, checks) = match spliced {
                    true => incremental::spliced(&f.file_name, &rendered.xml, &rendered.items, known, &opts),
                    false => incremental::itemized(&f.file_name, &rendered.xml, &rendered.items, &opts),
                };
                let items = checks.map(|checks| {
                    let spans = rendered.items.iter().map(|r| (r.start, r.end));
                    keys.into_iter()
                        .zip(spans)
                        .zip(checks)
                        .map(|((key, span), check)| memo::ItemMemo { key, span, check })
                        .collect()
                });
                let fingerprint = Some(Fingerprint::of_bytes(&rendered.xml));
                let xml = (spliced && !as_it_is).then_some(rendered.xml);
                Validated { report, fingerprint, items, as_it_is, xml }
            })
            .collect()
    }

    /// For a feed or page of this site, the texts its head holds when podsmith
    /// wrote it for this show: podsmith's generator mark and the show's feed
    /// URL (a feed's own, as its `atom:link rel="self"`; the main feed's for
    /// a page). `None` for media and images.
    pub fn marks(&self, rel: &str) -> Option<Vec<String>> {
        let escape = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;");
        let podcast = &self.catalog.podcast;
        if self.feeds.iter().any(|f| f.file_name == rel) {
            let own = escape(&podcast.url_of(rel));
            return Some(vec![
                "<generator>podsmith</generator>".into(),
                format!("<atom:link href=\"{own}\" rel=\"self\""),
            ]);
        }
        let is_page = rel == "index.html" || (rel.starts_with("episodes/") && rel.ends_with("/index.html"));
        is_page.then(|| {
            let feed = escape(&self.catalog.feed_url());
            vec!["<meta name=\"generator\" content=\"podsmith\">".into(), format!("href=\"{feed}\"")]
        })
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
        let message = match cat.scheduled.len() {
            1 => format!("nothing to publish yet: the only episode, \"{}\", goes live on {when}", first.title()),
            n => format!(
                "nothing to publish yet: all {n} episodes are scheduled; the first, \"{}\", goes live on {when}",
                first.title()
            ),
        };
        Some(Diagnostic::error("SCHEDULED", message).help(format!(
            "build again after then, or see the show as it will be with --as-of {}",
            first.date().to_rfc3339()
        )))
    }

    /// The files behind the feeds' URLs, with the media's probes.
    pub fn local_files(&self) -> crate::validate::LocalFiles {
        use crate::validate::{LocalFile, LocalFiles};
        let mut local = LocalFiles::default();
        let cat = &self.catalog;
        let mut asset = |a: &Asset| {
            if let Asset::Local(f) = a {
                local.known.insert(crate::feed::asset_url(cat, a), LocalFile { path: f.path.clone(), probe: None });
            }
        };
        asset(&cat.podcast.image);
        for e in &cat.episodes {
            if let Some(img) = &e.episode.image {
                asset(img);
            }
        }
        for e in &cat.episodes {
            for m in &e.media {
                local
                    .known
                    .insert(m.url.clone(), LocalFile { path: m.file.path.clone(), probe: Some(Ok(m.info.clone())) });
            }
        }
        local
    }
}

/// Reads, probes and renders the show in memory; writes nothing but the
/// probe cache.
pub fn prepare(opts: &Options) -> Result<Prepared, BuildError> {
    let mut prepared = prepare_show(opts, manifest::load(&opts.manifest)?, HashMap::new(), None)?;
    if let Some(note) = prepared.save_cache(&[]) {
        prepared.probe_stats.cache_note.get_or_insert(note);
    }
    Ok(prepared)
}

/// The output and templates folders of a show.
fn folders(show: &manifest::Show, opts: &Options) -> (PathBuf, PathBuf) {
    let here = show.root == Path::new(".");
    let out = opts.out.clone().unwrap_or_else(|| if here { PathBuf::from("public") } else { show.root.join("public") });
    let templates = if here { PathBuf::from("templates") } else { show.root.join("templates") };
    (out, templates)
}

/// `seen`: the show's media and image files, as just looked at;
/// `probed`: their measurements, if taken already.
fn prepare_show(
    opts: &Options,
    show: manifest::Show,
    seen: HashMap<PathBuf, Status>,
    probed: Option<Probed>,
) -> Result<Prepared, BuildError> {
    let (out, templates_dir) = folders(&show, opts);
    check_output_folder(&show, &out)?;
    let Probed { cache, probes, stats: mut probe_stats } = match probed {
        Some(p) => p,
        None => Probed::take(&show, opts, &seen),
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
    let catalog = Catalog::assemble(show, &probes, opts.now).map_err(BuildError::Media)?;
    // The feeds' names and URLs; their XML is made (and checked) by validation
    // and again when written.
    let feeds = crate::feed::plan(&catalog);
    let Keys { page_paths, episode_keys, page_keys } = keys(&catalog, &feeds, &templates_dir)?;
    let n_pages = page_paths.len();
    let (site, files) = site_files(&catalog, &feeds, page_paths);
    Ok(Prepared {
        out,
        catalog,
        feeds,
        site,
        pages: n_pages,
        files,
        probe_stats,
        templates_dir,
        episode_keys,
        page_keys,
        recalled: None,
        cache,
        snapshot: Snapshot::of_sources(seen),
        feeds_as_they_are: Vec::new(),
    })
}

/// Every page's path, and the fingerprints of what each episode and each
/// page is made from (the memo's keys: a page whose key is unchanged need
/// not be rendered again).
struct Keys {
    /// Path of each page in the site, by page number.
    page_paths: Vec<String>,
    /// Of each episode, in catalog order.
    episode_keys: Vec<Fingerprint>,
    /// Of each page, by page number.
    page_keys: Vec<Fingerprint>,
}

/// The show's [`Keys`].
fn keys(catalog: &Catalog, feeds: &[crate::feed::Feed], templates_dir: &Path) -> Result<Keys, BuildError> {
    // The templates compile now; every page is rendered once before anything
    // is written (Prepared::plan) and again when it is written.
    let renderer = crate::pages::Renderer::new(catalog, feeds, templates_dir)?;
    let page_paths: Vec<String> = (0..renderer.len()).map(|i| renderer.path(i)).collect();
    let episode_keys: Vec<Fingerprint> = {
        use rayon::prelude::*;
        catalog.episodes.par_iter().map(memo::episode_key).collect()
    };
    let page_keys: Vec<Fingerprint> = (0..renderer.len())
        .map(|i| match i {
            0 => memo::page_key(&renderer.shared_inputs(0), &episode_keys),
            i => memo::page_key(&renderer.shared_inputs(i), &episode_keys[i - 1..i]),
        })
        .collect();
    Ok(Keys { page_paths, episode_keys, page_keys })
}

/// The site's files in the order they are written: media and images, the
/// pages, then the per-format feeds and `feed.xml` last. Returns it and how
/// many of its files are media and images.
fn site_files(catalog: &Catalog, feeds: &[crate::feed::Feed], page_paths: Vec<String>) -> (Site, usize) {
    let mut site = Site::default();
    let mut published = std::collections::BTreeSet::new();
    let mut publish = |site: &mut Site, rel: &str, path: &Path| {
        if published.insert(rel.to_string()) {
            site.push(rel, Content::File(path.to_path_buf()));
        }
    };
    if let Asset::Local(f) = &catalog.podcast.image {
        publish(&mut site, &f.rel, &f.path);
    }
    for e in &catalog.episodes {
        for m in &e.media {
            publish(&mut site, &m.file.rel, &m.file.path);
        }
        if let Some(Asset::Local(f)) = &e.episode.image {
            publish(&mut site, &f.rel, &f.path);
        }
    }
    let files = site.files.len();
    // Pages and feeds are made when written (see Prepared::write).
    for (i, path) in page_paths.into_iter().enumerate() {
        site.push(path, Content::Page(i));
    }
    // Per-format feeds, then feed.xml last: the feed directories poll most.
    for (j, feed) in feeds.iter().enumerate().rev() {
        site.push(feed.file_name.clone(), Content::Feed(j));
    }
    (site, files)
}

/// Builds the show: reads, probes, renders, validates, then writes. The
/// caller holds the show's lock ([`crate::show_lock::ShowLock`]).
pub fn build(opts: &Options) -> Result<Report, BuildError> {
    let started = Instant::now();
    let text = manifest::read_text(&opts.manifest)?;
    let show = manifest::parse(&text, &opts.manifest, &manifest::root_of(&opts.manifest))
        .map_err(|problems| manifest::ManifestError::Invalid { problems })?;
    let (out, templates) = folders(&show, opts);
    check_output_folder(&show, &out)?;
    let records = record::Records::read(&show.root);
    let lock_len = std::fs::metadata(show.root.join(crate::lock::FILE_NAME)).map(|m| m.len()).unwrap_or(0);
    let mut seen = HashMap::new();
    let inputs = record::inputs(&show, &text, &templates, &out, opts.now, &mut seen);
    drop(text); // a big show's manifest is megabytes
    let out_now = out.canonicalize().ok();
    let previous = out_now.as_deref().and_then(|o| records.site(o));
    let unchanged_inputs = inputs.as_ref().map(|i| record::with_lock(&i.all, lock_len));
    if let Some(report) = unchanged(opts, &show, &out, &records, previous, unchanged_inputs.as_deref(), lock_len) {
        return Ok(Report { seconds: started.elapsed().as_secs_f64(), ..report });
    }
    let mut records = records;
    let probed = match (&inputs, &out_now) {
        (Some(i), Some(o)) if lock_len > 0 => {
            match touched_only(opts, &show, (&out, o), &mut records, i, lock_len, &seen)? {
                Ok(report) => return Ok(Report { seconds: started.elapsed().as_secs_f64(), ..report }),
                Err(probed) => probed,
            }
        }
        _ => None,
    };

    let mut prepared = prepare_show(opts, show, seen, probed)?;
    let result = publish(opts, &mut prepared, records, out_now.as_deref(), inputs);
    // What was measured stays measured, whatever else happened.
    let wrote = result.as_ref().map_or(&[][..], |(_, wrote)| wrote.as_slice());
    let cache_note = prepared.save_cache(wrote);
    let (mut report, _) = result?;
    if let Some(note) = cache_note {
        report.probe_stats.cache_note.get_or_insert(note);
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The build once the show is prepared: validated, checked against what is
/// published, written, recorded. Returns the report and the site files
/// (indices) published anew.
fn publish(
    opts: &Options,
    prepared: &mut Prepared,
    mut records: record::Records,
    out_now: Option<&Path>,
    inputs: Option<record::Inputs>,
) -> Result<(Report, Vec<usize>), BuildError> {
    if let Some(why) = prepared.nothing_live() {
        return Err(BuildError::NothingLive(Box::new(why)));
    }
    let previous = out_now.and_then(|o| records.site(o));
    // What the last build kept, if it finished and this build may use it.
    if let Some(rec) = previous.filter(|r| opts.probe.use_cache && r.pending.is_empty())
        && let Some(memo) = rec.memo.as_ref().and_then(|h| Memo::read(&prepared.catalog.root, &rec.out, h))
    {
        prepared.look();
        prepared.recall(rec, memo);
    } else if previous.is_none() {
        // Nothing published here yet: nothing to tell the show's files
        // from, and the memory is better spent validating.
        prepared.snapshot.forget_sources();
    }
    let mut validated = prepared.validate(opts.now);
    prepared.feeds_as_they_are = validated.iter().map(|v| v.as_it_is).collect();
    prepared.look();
    if validated.iter().any(|v| v.report.has_errors()) {
        return Err(BuildError::Invalid(validated.into_iter().map(|v| v.report).collect()));
    }
    let (first_build, new_lock, changes) = prepared.lock_changes()?;
    if !opts.allow_changes && changes.iter().any(Change::breaks_identity) {
        return Err(BuildError::Identity(changes));
    }
    let feeds: HashMap<&str, Fingerprint> = prepared
        .feeds
        .iter()
        .zip(&validated)
        .filter_map(|(f, v)| Some((f.file_name.as_str(), v.fingerprint?)))
        .collect();
    let prepared: &Prepared = prepared;
    let renderer = prepared.renderer()?;
    let mut made = Made::default();
    for (n, v) in validated.iter_mut().enumerate() {
        if let Some(xml) = v.xml.take() {
            made.keep_feed(n, xml);
        }
    }
    let planned = check_before_writing(prepared, &renderer, previous, &feeds, opts.force, &mut made)?;
    let written = write_recorded(prepared, &renderer, &mut records, planned, made)?;
    // The record of what is published goes last: only what was written.
    let lock_path = prepared.lock_path();
    crate::output::write_bytes(&lock_path, new_lock.as_bytes())
        .map_err(|source| WriteError { path: lock_path.clone(), source })?;
    let report = report_of(prepared, &records, &written, &validated, changes, first_build);
    let lock_len = std::fs::metadata(&lock_path).map(|m| m.len()).unwrap_or(0);
    let inputs = inputs.map(|i| record::Inputs {
        all: record::with_lock(&i.all, lock_len),
        content: record::with_lock(&i.content, lock_len),
    });
    let root = prepared.catalog.root.clone();
    // The memo first: the record that vouches for it comes after.
    let memo = prepared
        .memo(written.out.clone(), validated)
        .save(&root)
        .map_err(|source| WriteError { path: root.join(memo::MEMO_PATH), source })?;
    record_build(&mut records, prepared, &report, &written, inputs, memo)?;
    Ok((report, written.wrote))
}

/// What a build that wrote the site says.
fn report_of(
    prepared: &Prepared,
    records: &record::Records,
    written: &Written,
    validated: &[Validated],
    changes: Vec<Change>,
    first_build: bool,
) -> Report {
    let catalog = &prepared.catalog;
    let checked: Vec<&crate::validate::Report> = validated.iter().map(|v| &v.report).collect();
    let mut warnings = records.warnings.clone();
    warnings.extend(catalog.warnings.iter().cloned());
    warnings.extend(written.pruned.kept.iter().map(|k| Diagnostic::warning("KEPT", format!("kept {k}"))));
    warnings.extend(feed_warnings(&checked));
    Report {
        out: prepared.out.clone(),
        episodes: catalog.episodes.len(),
        scheduled: catalog.scheduled.clone(),
        feeds: prepared.feeds.iter().map(|f| f.file_name.clone()).collect(),
        pages: prepared.pages,
        files: prepared.files,
        stats: written.stats,
        warnings,
        measured: catalog
            .episodes
            .iter()
            .flat_map(|e| &e.media)
            .map(|m| (m.file.rel.clone(), m.info.duration_secs, m.info.method))
            .collect(),
        changes,
        first_build,
        probe_stats: prepared.probe_stats.clone(),
        nothing_changed: false,
        removed: written.pruned.removed.clone(),
        swept: written.swept,
        seconds: 0.0,
    }
}

/// For the next build: what this one read and wrote, to tell "nothing
/// changed" and which files are podsmith's. What was about to be written
/// (the output folder's pending record) now is.
fn record_build(
    records: &mut record::Records,
    prepared: &Prepared,
    report: &Report,
    written: &Written,
    inputs: Option<record::Inputs>,
    memo: Fingerprint,
) -> Result<(), BuildError> {
    let root = &prepared.catalog.root;
    let mut site = records.take(&written.out).unwrap_or_default();
    (site.inputs, site.content) = inputs.map(|i| (i.all, i.content)).unwrap_or_default();
    site.memo = Some(memo);
    // A file this build did not write is as it was when the build looked.
    let index: HashMap<&str, usize> =
        prepared.site.files.iter().enumerate().map(|(i, f)| (f.rel.as_str(), i)).collect();
    let wrote: HashSet<usize> = written.wrote.iter().copied().collect();
    site.pending.clear();
    site.outputs = written
        .planned
        .iter()
        .map(|(rel, fp)| (rel.clone(), *fp))
        .filter_map(|(rel, fp)| {
            let looked =
                index.get(rel.as_str()).filter(|i| !wrote.contains(i)).and_then(|&i| prepared.snapshot.output_stamp(i));
            let (size, mtime_ns) = looked.or_else(|| record::stat(&report.out.join(&rel)))?;
            Some((rel, record::Written { size, mtime_ns, fingerprint: Some(fp) }))
        })
        .collect();
    site.out = written.out.clone();
    site.summary = record::Summary {
        episodes: report.episodes,
        feeds: report.feeds.clone(),
        pages: report.pages,
        files: report.files,
        media: report.measured.len(),
        // Only this build's own findings are said again, not the record's.
        warnings: report.warnings.iter().filter(|w| !records.warnings.contains(w)).cloned().collect(),
    };
    records.warnings.clear();
    records.put(site);
    records.save(root).map_err(|source| WriteError { path: root.join(record::RECORD_PATH), source })?;
    Ok(())
}

/// A show's media, measured (from the probe cache where it can be).
struct Probed {
    cache: Option<Cache>,
    probes: crate::catalog::Probes,
    stats: ProbeStats,
}

impl Probed {
    fn take(show: &manifest::Show, opts: &Options, seen: &HashMap<PathBuf, Status>) -> Probed {
        let mut cache = opts.probe.use_cache.then(|| Cache::open(&show.root));
        let (probes, stats) = probe_media(show, &opts.probe, cache.as_mut(), &|p| seen.get(p).cloned());
        Probed { cache, probes, stats }
    }
}

/// A build whose inputs differ from the last complete build's only in the
/// size or time of media files that, measured again, are what they were
/// (touched, or copied over with the same audio): nothing is rendered or
/// written. The outputs are checked as for "nothing changed" (a published
/// media file may have the new time: it is the touched file itself, by a
/// hard link); the probe cache and the record take the new times. `out`
/// is the output folder as given and as resolved. `Err`: a build to do,
/// with the media measured if they were.
fn touched_only(
    opts: &Options,
    show: &manifest::Show,
    (out, out_abs): (&Path, &Path),
    records: &mut record::Records,
    inputs: &record::Inputs,
    lock_len: u64,
    seen: &HashMap<PathBuf, Status>,
) -> Result<Result<Report, Option<Probed>>, BuildError> {
    let content = record::with_lock(&inputs.content, lock_len);
    let Some(rec) = records
        .site(out_abs)
        .filter(|r| opts.probe.use_cache && r.pending.is_empty() && !r.content.is_empty() && r.content == content)
    else {
        return Ok(Err(None));
    };
    let mut probed = Probed::take(show, opts, seen);
    if probed.stats.changed > 0 || probed.probes.values().any(Result::is_err) {
        return Ok(Err(Some(probed)));
    }
    // Every output as recorded, or the show's own file by a hard link: a
    // media file that changed (its time) is published as that very file (a
    // copy would hold what the file was).
    let sources: HashMap<&str, &Path> =
        show.episodes.iter().flat_map(|e| &e.media).map(|m| (m.rel.as_str(), m.path.as_path())).collect();
    let mut site = rec.clone();
    for (rel, w) in site.outputs.iter_mut() {
        let Ok(meta) = std::fs::symlink_metadata(out.join(rel)) else { return Ok(Err(Some(probed))) };
        let status = Status::of(&meta);
        let recorded = Some((w.size, w.mtime_ns));
        let source = sources.get(rel.as_str()).and_then(|p| seen.get(*p));
        let moved = source.is_some_and(|s| s.stamp() != recorded) || status.stamp() != recorded;
        match (source, status.stamp()) {
            _ if !moved => {}
            (Some(src), Some((size, mtime_ns))) if status.same_file(src) => (w.size, w.mtime_ns) = (size, mtime_ns),
            _ => return Ok(Err(Some(probed))),
        }
    }
    site.inputs = record::with_lock(&inputs.all, lock_len);
    let mut report = unchanged_report(opts, show, out, records, &site);
    report.nothing_changed = false;
    report.probe_stats = probed.stats.clone();
    if let Some(cache) = probed.cache.as_mut() {
        report.probe_stats.cache_note = crate::catalog::save_cache(cache).or(report.probe_stats.cache_note);
    }
    records.put(site);
    records.warnings.clear();
    records.save(&show.root).map_err(|source| WriteError { path: show.root.join(record::RECORD_PATH), source })?;
    Ok(Ok(report))
}

/// The report of a build that has nothing to do: its inputs and outputs
/// are as the last complete build left them (`.podsmith/build.json`).
fn unchanged(
    opts: &Options,
    show: &manifest::Show,
    out: &Path,
    records: &record::Records,
    previous: Option<&record::SiteRecord>,
    inputs: Option<&str>,
    lock_len: u64,
) -> Option<Report> {
    let rec = previous?;
    if !(opts.probe.use_cache && inputs? == rec.inputs && lock_len > 0 && rec.outputs_intact(out)) {
        return None;
    }
    Some(unchanged_report(opts, show, out, records, rec))
}

/// What a build that writes nothing says: the summary of the last one.
fn unchanged_report(
    opts: &Options,
    show: &manifest::Show,
    out: &Path,
    records: &record::Records,
    rec: &record::SiteRecord,
) -> Report {
    let s = rec.summary.clone();
    let mut warnings = records.warnings.clone();
    warnings.extend(s.warnings);
    Report {
        out: out.to_path_buf(),
        episodes: s.episodes,
        scheduled: scheduled(show, opts.now),
        feeds: s.feeds,
        pages: s.pages,
        files: s.files,
        stats: WriteStats { written: 0, unchanged: rec.outputs.len() },
        warnings,
        measured: Vec::new(),
        changes: Vec::new(),
        first_build: false,
        probe_stats: ProbeStats { probed: 0, cached: s.media, ..Default::default() },
        nothing_changed: true,
        removed: Vec::new(),
        swept: 0,
        seconds: 0.0,
    }
}

/// Before anything is written: every output path can be written, and no
/// file in the way is someone else's (unless `force`). Returns what each
/// file will hold (its fingerprint); renders every page and feed once, so
/// a template error stops the build here.
fn check_before_writing(
    prepared: &Prepared,
    renderer: &Renderer<'_>,
    previous: Option<&record::SiteRecord>,
    feeds: &std::collections::HashMap<&str, Fingerprint>,
    force: bool,
    made: &mut Made,
) -> Result<Planned, BuildError> {
    let problems = crate::output::check_paths(&prepared.site, &prepared.out, &|i| prepared.as_it_is(i));
    if !problems.is_empty() {
        return Err(BuildError::Paths(problems));
    }
    let reuse = |rel: &str, src: &Path| -> Option<Fingerprint> {
        if let Some(fp) = feeds.get(rel) {
            return Some(*fp); // rendered and fingerprinted when validated
        }
        // A media file as the record knows it (published by hard link, it is the same file).
        let w = previous?.outputs.get(rel)?;
        let looked = prepared.snapshot.source(src).and_then(|s| s.stamp());
        (looked == Some((w.size, w.mtime_ns))).then_some(w.fingerprint)?
    };
    let planned = prepared.plan(renderer, &reuse, made)?;
    if !force {
        let marks = |rel: &str| prepared.marks(rel);
        let lstat = |i: usize| prepared.snapshot.output(i);
        let foreign = ownership::foreign_files(&prepared.site, &prepared.out, previous, &planned, &marks, &lstat);
        if !foreign.is_empty() {
            return Err(BuildError::Foreign { out: prepared.out.clone(), files: foreign });
        }
    }
    Ok(planned)
}

/// What writing the site did.
struct Written {
    /// The output folder, absolute: its record is in the records under it.
    out: PathBuf,
    /// Files written and left alone.
    stats: WriteStats,
    /// Files an earlier build wrote that this one removed, or kept.
    pruned: ownership::Pruned,
    /// Temporary files an interrupted command had left, removed.
    swept: usize,
    /// Site files (indices) written (or published anew from the show folder).
    wrote: Vec<usize>,
    /// Every file of the site, with the fingerprint it has now.
    planned: Planned,
}

/// Writes the site so that an interruption at any moment leaves files the
/// next build knows: first the record of what is about to be written
/// (`planned`, kept as the output folder's `pending` record), then media,
/// pages and feeds, then what is no longer published goes.
fn write_recorded(
    prepared: &Prepared,
    renderer: &Renderer<'_>,
    records: &mut record::Records,
    planned: Planned,
    made: Made,
) -> Result<Written, BuildError> {
    let root = &prepared.catalog.root;
    let out = &prepared.out;
    std::fs::create_dir_all(out).map_err(|source| WriteError { path: out.clone(), source })?;
    let out_abs = out.canonicalize().map_err(|source| WriteError { path: out.clone(), source })?;
    let mut site = records.take(&out_abs).unwrap_or_default();
    // A build that finished leaves no temporary file; one that did not left
    // its pending record (or none at all).
    let swept = sweep_temps(prepared, site.outputs.is_empty() || !site.pending.is_empty());
    site.out = out_abs.clone();
    // Pending: what may be written that the record does not already know
    // by its fingerprint (and what an interrupted build left pending).
    let before = site.pending.len();
    for (rel, fp) in &planned {
        if site.outputs.get(rel).and_then(|w| w.fingerprint) != Some(*fp) {
            site.pending.insert(rel.clone(), *fp);
        }
    }
    let save = site.pending.len() > before || site.outputs.is_empty();
    records.put(site);
    if save {
        records.save(root).map_err(|source| WriteError { path: root.join(record::RECORD_PATH), source })?;
    }
    let (stats, wrote) = prepared.write(renderer, &planned, made)?;
    // What an earlier build wrote and this one does not (a removed
    // episode's page and media) goes, so public/ is exactly the show.
    let pruned = match records.site(&out_abs) {
        Some(site) => ownership::prune(out, site, &prepared.site, &|| protected_files(prepared)),
        None => ownership::Pruned::default(),
    };
    Ok(Written { out: out_abs, stats, pruned, swept, wrote, planned })
}

/// The warnings of every feed; the same finding in several feeds is said
/// once, naming them all.
fn feed_warnings(checked: &[&crate::validate::Report]) -> Vec<Diagnostic> {
    let mut seen: Vec<(Diagnostic, Vec<&str>)> = Vec::new();
    for r in checked {
        for f in r.findings.iter().filter(|f| f.severity == crate::diagnostic::Severity::Warning) {
            let same = |(d, _): &&mut (Diagnostic, Vec<&str>)| {
                d.code == f.code && d.message == f.message && d.episode() == f.episode()
            };
            match seen.iter_mut().find(same) {
                Some((_, feeds)) => feeds.push(&r.feed),
                None => seen.push((f.clone(), vec![&r.feed])),
            }
        }
    }
    seen.into_iter()
        .map(|(mut d, feeds)| {
            // Lines differ from feed to feed; the feeds and the episode say where.
            let item = d.item().zip(d.episode().map(str::to_string));
            d.location = Location::Feed { feed: Some(feeds.join(", ")), line: None, item };
            d
        })
        .collect()
}

/// Removes the temporary files an interrupted command left: beside the
/// manifest, the records and the media (where `add` copies files), and,
/// when the last build of this output folder did not finish (`deep`, which
/// its record tells), everywhere in the output folder. The caller holds the
/// show's lock.
fn sweep_temps(prepared: &Prepared, deep: bool) -> usize {
    let catalog = &prepared.catalog;
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    dirs.insert(catalog.root.clone());
    dirs.insert(catalog.root.join(crate::show_lock::RECORDS_DIR));
    dirs.extend(catalog.files().filter_map(|f| f.path.parent().map(Path::to_path_buf)));
    let mut n = crate::output::sweep_temps(&prepared.out, deep);
    for d in dirs {
        n += crate::output::sweep_temps(&d, false);
    }
    n
}

/// The canonical paths of the show's own files, which a build never deletes.
fn protected_files(prepared: &Prepared) -> std::collections::HashSet<PathBuf> {
    let catalog = &prepared.catalog;
    let mut paths: Vec<PathBuf> = vec![catalog.manifest_path.clone(), catalog.root.join(crate::lock::FILE_NAME)];
    paths.extend(catalog.files().map(|f| f.path.clone()));
    paths.iter().filter_map(|p| p.canonicalize().ok()).collect()
}

/// Episodes dated after `now`, from the manifest alone.
fn scheduled(show: &manifest::Show, now: DateTime<Utc>) -> Vec<Scheduled> {
    show.episodes
        .iter()
        .filter(|e| e.date.with_timezone(&Utc) > now)
        .map(|e| Scheduled { episode: e.clone() })
        .collect()
}

/// Refuses an output folder that is the show folder, holds it, or holds
/// any of the show's own files (its media, say): writing there would put
/// pages between the podcaster's files, and replace or delete them.
fn check_output_folder(show: &manifest::Show, out: &Path) -> Result<(), BuildError> {
    let root = show.root.canonicalize().unwrap_or_else(|_| show.root.to_path_buf());
    if out.exists() && !out.is_dir() {
        return Err(BuildError::Config(format!("the output path `{}` is a file, not a folder", out.display())));
    }
    let Ok(out_real) = out.canonicalize() else { return Ok(()) };
    if root.starts_with(&out_real) {
        return Err(BuildError::Config(format!(
            "the output folder `{}` is the show folder or contains it; choose a folder of its own, e.g. --out public",
            out.display()
        )));
    }
    // Only a folder inside the show can hold its files; they are named by
    // their paths in the show (the manifest reader keeps them inside it).
    let Ok(inside) = out_real.strip_prefix(&root) else { return Ok(()) };
    let mut own: Vec<&str> = Vec::new();
    if let Asset::Local(f) = &show.podcast.image {
        own.push(&f.rel);
    }
    for e in &show.episodes {
        own.extend(e.media.iter().map(|m| m.rel.as_str()));
        if let Some(Asset::Local(f)) = &e.image {
            own.push(&f.rel);
        }
    }
    if let Some(name) = own.iter().find(|rel| Path::new(rel).starts_with(inside)) {
        return Err(BuildError::Config(format!(
            "the output folder `{}` holds the show's own files ({name}); podsmith would publish over them: choose a folder of its own, e.g. --out public",
            out.display(),
        )));
    }
    Ok(())
}
