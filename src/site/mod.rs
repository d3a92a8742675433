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

pub mod ownership;
pub mod record;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::catalog::{Catalog, ProbeStats, Scheduled, probe_media};
use crate::diagnostic::{Diagnostic, Location};
use crate::fsutil::Fingerprint;
use crate::lock::{Change, Lock, LockError};
use crate::manifest::{self, Asset, ManifestError};
use crate::output::{Content, Site, WriteError, WriteStats, write_site};
use crate::pages::TemplateError;

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
    pub fn plan(&self, known: &(dyn Fn(&str, &Path) -> Option<Fingerprint> + Sync)) -> Result<Planned, BuildError> {
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
        let renderer = crate::pages::Renderer::new(&self.catalog, &self.feeds, &self.templates_dir)?;
        for f in &self.site.files {
            let fp = match &f.content {
                Content::File(_) => continue,
                Content::Bytes(b) => Fingerprint::of_bytes(b),
                Content::Page(n) => Fingerprint::of_bytes(renderer.render(*n)?.as_bytes()),
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
        crate::feed::render(&self.catalog, self.feeds[i].format)
    }

    /// Writes the site: media, pages (rendered one at a time), feeds last.
    pub fn write(&self) -> Result<WriteStats, BuildError> {
        let renderer = crate::pages::Renderer::new(&self.catalog, &self.feeds, &self.templates_dir)?;
        let generate = |made: &Content| -> std::io::Result<Vec<u8>> {
            match made {
                Content::Page(n) => renderer.render(*n).map(String::into_bytes).map_err(std::io::Error::other),
                Content::Feed(n) => self.feed_xml(*n),
                Content::Bytes(b) => Ok(b.clone()),
                Content::File(_) => Err(std::io::Error::other("a file is published, not made")),
            }
        };
        Ok(write_site(&self.site, &self.out, &generate)?)
    }

    /// The show's `podsmith.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.catalog.root.join(crate::lock::FILE_NAME)
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
    /// feed is rendered for this, and not kept).
    pub fn validate(&self, now: DateTime<Utc>) -> Vec<(crate::validate::Report, Option<Fingerprint>)> {
        let local = std::sync::Arc::new(self.local_files());
        self.feeds
            .iter()
            .map(|f| {
                let opts = crate::validate::Options { local: Some(local.clone()), now, formats: self.formats_of(f) };
                match crate::feed::render(&self.catalog, f.format) {
                    Ok(feed) => {
                        (crate::validate::validate(&f.file_name, &feed, &opts), Some(Fingerprint::of_bytes(&feed)))
                    }
                    // Rendering worked in prepare(); it cannot fail now, but say so if it does.
                    Err(e) => (crate::validate::Report::unreadable(&f.file_name, &e.to_string()), None),
                }
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

/// Reads, probes and renders the show in memory; writes nothing.
pub fn prepare(opts: &Options) -> Result<Prepared, BuildError> {
    prepare_show(opts, manifest::load(&opts.manifest)?)
}

/// The output and templates folders of a show.
fn folders(show: &manifest::Show, opts: &Options) -> (PathBuf, PathBuf) {
    let here = show.root == Path::new(".");
    let out = opts.out.clone().unwrap_or_else(|| if here { PathBuf::from("public") } else { show.root.join("public") });
    let templates = if here { PathBuf::from("templates") } else { show.root.join("templates") };
    (out, templates)
}

fn prepare_show(opts: &Options, show: manifest::Show) -> Result<Prepared, BuildError> {
    let (out, templates_dir) = folders(&show, opts);
    check_output_folder(&show, &out)?;
    let (probes, probe_stats) = probe_media(&show, &opts.probe);
    let catalog = Catalog::assemble(show, &probes, opts.now).map_err(BuildError::Media)?;
    // The feeds' names and URLs; their XML is made (and checked) by validation
    // and again when written.
    let feeds = crate::feed::plan(&catalog);
    // The templates compile now; every page is rendered once before anything
    // is written (Prepared::plan) and again when it is written.
    let renderer = crate::pages::Renderer::new(&catalog, &feeds, &templates_dir)?;
    let page_paths: Vec<String> = (0..renderer.len()).map(|i| renderer.path(i)).collect();
    drop(renderer);

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
    let n_pages = page_paths.len();
    for (i, path) in page_paths.into_iter().enumerate() {
        site.push(path, Content::Page(i));
    }
    // Per-format feeds, then feed.xml last: the feed directories poll most.
    for (j, feed) in feeds.iter().enumerate().rev() {
        site.push(feed.file_name.clone(), Content::Feed(j));
    }
    Ok(Prepared { out, catalog, feeds, site, pages: n_pages, files, probe_stats, templates_dir })
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
    let inputs = record::inputs(&show, &text, &templates, &out, opts.now);
    let out_now = out.canonicalize().ok();
    let previous = out_now.as_deref().and_then(|o| records.site(o));
    let unchanged_inputs = inputs.as_deref().map(|i| record::with_lock(i, lock_len));
    if let Some(report) = unchanged(opts, &show, &out, &records, previous, unchanged_inputs.as_deref(), lock_len) {
        return Ok(Report { seconds: started.elapsed().as_secs_f64(), ..report });
    }

    let prepared = prepare_show(opts, show)?;
    if let Some(why) = prepared.nothing_live() {
        return Err(BuildError::NothingLive(Box::new(why)));
    }
    let (checked, feed_fingerprints): (Vec<_>, Vec<_>) = prepared.validate(opts.now).into_iter().unzip();
    if checked.iter().any(|r| r.has_errors()) {
        return Err(BuildError::Invalid(checked));
    }
    let (old_lock, new_lock, changes) = prepared.changes()?;
    if !opts.allow_changes && changes.iter().any(Change::breaks_identity) {
        return Err(BuildError::Identity(changes));
    }
    let feeds: std::collections::HashMap<&str, Fingerprint> = prepared
        .feeds
        .iter()
        .zip(&feed_fingerprints)
        .filter_map(|(f, fp)| Some((f.file_name.as_str(), (*fp)?)))
        .collect();
    let planned = check_before_writing(&prepared, previous, &feeds, opts.force)?;
    let mut records = records;
    let written = write_recorded(&prepared, &mut records, planned)?;
    // The record of what is published goes last: only what was written.
    let lock_path = prepared.lock_path();
    crate::output::write_bytes(&lock_path, new_lock.render().as_bytes())
        .map_err(|source| WriteError { path: lock_path.clone(), source })?;

    let catalog = &prepared.catalog;
    let mut warnings = records.warnings.clone();
    warnings.extend(catalog.warnings.iter().cloned());
    warnings.extend(written.pruned.kept.iter().map(|k| Diagnostic::warning("KEPT", format!("kept {k}"))));
    warnings.extend(feed_warnings(&checked));
    let report = Report {
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
        first_build: old_lock.is_none(),
        probe_stats: prepared.probe_stats.clone(),
        nothing_changed: false,
        removed: written.pruned.removed.clone(),
        swept: written.swept,
        seconds: started.elapsed().as_secs_f64(),
    };

    let lock_len = std::fs::metadata(&lock_path).map(|m| m.len()).unwrap_or(0);
    let inputs = inputs.map(|i| record::with_lock(&i, lock_len)).unwrap_or_default();
    record_build(&mut records, &report, written.out, inputs, &catalog.root)?;
    Ok(report)
}

/// For the next build: what this one read and wrote, to tell "nothing
/// changed" and which files are podsmith's. What was about to be written
/// (the output folder's pending record) now is.
fn record_build(
    records: &mut record::Records,
    report: &Report,
    out: PathBuf,
    inputs: String,
    root: &Path,
) -> Result<(), BuildError> {
    let mut site = records.take(&out).unwrap_or_default();
    site.inputs = inputs;
    site.outputs = std::mem::take(&mut site.pending)
        .into_iter()
        .filter_map(|(rel, fp)| {
            let (size, mtime_ns) = record::stat(&report.out.join(&rel))?;
            Some((rel, record::Written { size, mtime_ns, fingerprint: Some(fp) }))
        })
        .collect();
    site.out = out;
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
    let s = rec.summary.clone();
    let mut warnings = records.warnings.clone();
    warnings.extend(s.warnings);
    Some(Report {
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
        probe_stats: ProbeStats { probed: 0, cached: s.media, cache_note: None },
        nothing_changed: true,
        removed: Vec::new(),
        swept: 0,
        seconds: 0.0,
    })
}

/// Before anything is written: every output path can be written, and no
/// file in the way is someone else's (unless `force`). Returns what each
/// file will hold (its fingerprint); renders every page and feed once, so
/// a template error stops the build here.
fn check_before_writing(
    prepared: &Prepared,
    previous: Option<&record::SiteRecord>,
    feeds: &std::collections::HashMap<&str, Fingerprint>,
    force: bool,
) -> Result<Planned, BuildError> {
    let problems = crate::output::check_paths(&prepared.site, &prepared.out);
    if !problems.is_empty() {
        return Err(BuildError::Paths(problems));
    }
    let reuse = |rel: &str, src: &Path| -> Option<Fingerprint> {
        if let Some(fp) = feeds.get(rel) {
            return Some(*fp); // rendered and fingerprinted when validated
        }
        // A media file as the record knows it (published by hard link, it is the same file).
        let w = previous?.outputs.get(rel)?;
        (record::stat(src) == Some((w.size, w.mtime_ns))).then_some(w.fingerprint)?
    };
    let planned = prepared.plan(&reuse)?;
    if !force {
        let marks = |rel: &str| prepared.marks(rel);
        let foreign = ownership::foreign_files(&prepared.site, &prepared.out, previous, &planned, &marks);
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
}

/// Writes the site so that an interruption at any moment leaves files the
/// next build knows: first the record of what is about to be written
/// (`planned`, kept as the output folder's `pending` record), then media,
/// pages and feeds, then what is no longer published goes.
fn write_recorded(prepared: &Prepared, records: &mut record::Records, planned: Planned) -> Result<Written, BuildError> {
    let root = &prepared.catalog.root;
    let out = &prepared.out;
    std::fs::create_dir_all(out).map_err(|source| WriteError { path: out.clone(), source })?;
    let out_abs = out.canonicalize().map_err(|source| WriteError { path: out.clone(), source })?;
    let mut site = records.take(&out_abs).unwrap_or_default();
    // A build that finished leaves no temporary file; one that did not left
    // its pending record (or none at all).
    let swept = sweep_temps(prepared, site.outputs.is_empty() || !site.pending.is_empty());
    site.out = out_abs.clone();
    site.pending = planned;
    records.put(site);
    records.save(root).map_err(|source| WriteError { path: root.join(record::RECORD_PATH), source })?;
    let stats = prepared.write()?;
    // What an earlier build wrote and this one does not (a removed
    // episode's page and media) goes, so public/ is exactly the show.
    let pruned = match records.site(&out_abs) {
        Some(site) => ownership::prune(out, site, &prepared.site, &|| protected_files(prepared)),
        None => ownership::Pruned::default(),
    };
    Ok(Written { out: out_abs, stats, pruned, swept })
}

/// The warnings of every feed; the same finding in several feeds is said
/// once, naming them all.
fn feed_warnings(checked: &[crate::validate::Report]) -> Vec<Diagnostic> {
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
