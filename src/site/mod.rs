//! The site: the publishing pipeline that turns a show into `public/`, end to end:
//! [`manifest::load`] → [`probe`](crate::catalog::probe_media)
//! → [`Catalog`](crate::catalog::Catalog) → [`feed`](crate::feed::render) → [`validate`](crate::validate)
//! → [`pages`](crate::pages::Renderer) checked → [`Site`](crate::output::Site) written by
//! [`write_site`](crate::output::write_site).
//!
//! Nothing is written until every step succeeded, so a failed build leaves
//! the previous `public/` exactly as it was. Feeds and pages are rendered
//! when needed rather than kept, so a big show stays small in memory; a
//! build whose inputs and outputs are as the last one left them does
//! nothing ([`record`]); `podsmith.lock` guards published identities.

mod error;
pub mod memo;
pub mod ownership;
mod preload;
mod prepared;
pub mod record;
pub mod snapshot;

pub use error::{BuildError, Refused};
pub use prepared::{Made, Planned, Prepared, SITEMAP, Validated, catalog_despite, prepare};
use prepared::{folders, folders_of, prepare_show};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::catalog::{ProbeStats, Scheduled, probe_media};
use crate::diagnostic::{Diagnostic, Location};
use crate::fsutil::{Fingerprint, Status};
use crate::lock::Change;
use crate::manifest;
use crate::output::{WriteError, WriteStats};
use crate::pages::Renderer;
use crate::probe::cache::Cache;
use memo::Memo;
use preload::Preload;
use snapshot::{Looking, Seen};

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
    /// A build apart from the show's: a preview (`podsmith serve`),
    /// served at another address, or a dry run of `publish`; with a lock
    /// and a record of its own.
    pub preview: Option<Preview>,
}

/// How a build apart (a preview, a dry run of `publish`) differs from the
/// real build: its address (a preview's), and the lock it keeps instead of
/// the show's `podsmith.lock` (which it never touches), its own record.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Where the preview is served: every URL of the site is under it
    /// (`None`: under the show's `base_url`, as the real build's are).
    pub base_url: Option<crate::url::HttpUrl>,
    /// The preview's own lock file.
    pub lock: PathBuf,
    /// The preview's own folder, whose `.podsmith/` holds its build record,
    /// pending list and memo (see [`Options::state_root`]).
    pub state: PathBuf,
}

impl Options {
    /// The lock file this build reads and writes.
    pub fn lock_file(&self, root: &Path) -> PathBuf {
        match &self.preview {
            Some(p) => p.lock.clone(),
            None => root.join(crate::lock::FILE_NAME),
        }
    }

    /// The folder whose `.podsmith/` holds this build's record, pending
    /// list and memo: the show's (`root`), or a preview's own, so that
    /// previewing and building do not take each other's record and memo
    /// (each would find the other's memo made for another folder and
    /// render everything again). The probe cache is the show's either way.
    pub fn state_root(&self, root: &Path) -> PathBuf {
        match &self.preview {
            Some(p) => p.state.clone(),
            None => root.to_path_buf(),
        }
    }
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
    /// Files of the show folder the notes link to, published too.
    pub linked: usize,
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
    /// Built as of a moment still to come (`--as-of`): a look ahead,
    /// which leaves `podsmith.lock` as it is (what it shows is not
    /// published yet).
    pub look_ahead: bool,
    /// Built as of a moment before the date of episodes already published
    /// (`--as-of`, with `--allow-changes`): a look back, which leaves
    /// `podsmith.lock` as it is (those episodes are published still).
    pub look_back: bool,
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
    /// Where the site is served (`base_url`).
    pub base_url: Option<crate::url::HttpUrl>,
    /// The manifest's `[publish]` table, for `podsmith publish`.
    pub publish: manifest::PublishSettings,
    /// The WebSub hub the feeds name (`websub_hub`), which `publish` tells.
    pub websub_hub: Option<crate::url::HttpUrl>,
}

/// The folder a build writes the site into unless told otherwise
/// (`--out`), in the show folder: what is in it is not the show's own.
pub const DEFAULT_OUT: &str = "public";

/// What the caller of [`build_observed`] is told as the build goes (to
/// start its own work early, or to take what the build knows).
pub trait Observer {
    /// Whether the build may read what only a build with something to do
    /// uses (the probe cache, the memo) before it knows it has: on a core
    /// otherwise idle while the manifest is parsed. Not if the caller has
    /// work of its own there (a publish reading the destination meanwhile):
    /// a build with nothing to do then spends no time on them.
    fn reads_ahead(&self) -> bool {
        true
    }
    /// Asked once, as the build starts: what to tell, on the thread that
    /// reads them, the record of the site as the last build left it (`None`:
    /// there is none), as soon as it is read (while the manifest is parsed).
    fn told_records(&mut self) -> Option<RecordsTold> {
        None
    }
    /// The manifest's text, read; it is parsed next.
    fn read(&mut self, _text: &str) {}
    /// The manifest, parsed; the build goes on.
    fn parsed(&mut self, _show: &manifest::Show) {}
    /// The record of the site as the build leaves it: every file with its
    /// size, time and fingerprint (as it was if nothing changed).
    fn recorded(&mut self, _site: &record::SiteRecord) {}
    /// A step of the build is done (`podsmith build` tells how long each
    /// took, with `PODSMITH_TIMINGS` set).
    fn step(&mut self, _done: Step) {}
}

/// Told the record of the site as the last build left it (see
/// [`Observer::told_records`]).
pub type RecordsTold = Box<dyn FnOnce(Option<&record::SiteRecord>) + Send>;

/// The steps of a build, in the order they end (a build that has nothing
/// to do, or whose media were only touched, ends early).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The manifest read and parsed.
    Parsed,
    /// Its inputs fingerprinted and compared with the last build's.
    Compared,
    /// Nothing to do: the site is as the last build left it.
    NothingChanged,
    /// Only media touched, found the same when measured again.
    TouchedOnly,
    /// The media measured, the catalog and the site's file list made.
    Prepared,
    /// The feeds validated and, beside them, the pages rendered.
    Checked,
    /// Every output path checked, and the plan of what to write made.
    Planned,
    /// The site written (and what is no longer published removed).
    Written,
    /// `podsmith.lock` written.
    Locked,
    /// The build records saved.
    Saved,
}

impl Step {
    /// What the step did, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Parsed => "manifest read and parsed",
            Step::Compared => "inputs compared with the last build's",
            Step::NothingChanged => "nothing changed",
            Step::TouchedOnly => "media measured again: only touched",
            Step::Prepared => "media measured, catalog and file list made",
            Step::Checked => "feeds validated, pages rendered",
            Step::Planned => "outputs checked, writes planned",
            Step::Written => "site written",
            Step::Locked => "podsmith.lock written",
            Step::Saved => "build records saved",
        }
    }
}

/// An observer told nothing.
struct Unobserved;

impl Observer for Unobserved {}

/// Builds the show: reads, probes, renders, validates, then writes. The
/// caller holds the show's lock ([`crate::show_lock::ShowLock`]).
pub fn build(opts: &Options) -> Result<Report, BuildError> {
    build_observed(opts, &mut Unobserved)
}

/// [`build`], telling `observer` as it goes.
pub fn build_observed(opts: &Options, observer: &mut dyn Observer) -> Result<Report, BuildError> {
    let started = Instant::now();
    let show_root = manifest::root_of(&opts.manifest);
    let state = opts.state_root(&show_root);
    // The build record and the files it lists, and what a changed build
    // uses, read while the manifest is parsed.
    let out = folders_of(&show_root, opts).0;
    let told = observer.told_records();
    let preload = Preload::start(&show_root, &state, &out, opts.probe.use_cache, observer.reads_ahead(), told);
    let mut building = Building { opts, preload, observer };
    let text = manifest::read_text(&opts.manifest)?;
    building.observer.read(&text);
    let mut show = manifest::parse(&text, &opts.manifest, &show_root)
        .map_err(|problems| manifest::ManifestError::Invalid { problems })?;
    if let Some(base_url) = opts.preview.as_ref().and_then(|p| p.base_url.as_ref()) {
        let p = &mut show.podcast;
        if p.link == p.base_url {
            p.link = base_url.clone();
        }
        p.base_url = base_url.clone();
        // The media are played from the preview itself, not counted by a
        // public analytics service that cannot reach it.
        p.tags.prefix = None;
    }
    building.observer.parsed(&show);
    building.observer.step(Step::Parsed);
    // Hosted media last asked about over an hour ago are asked about now:
    // a changed one is measured again (the inputs tell it).
    let (hosted_notes, hosted_asked, hosted_digest) = building.recheck_hosted(&show);
    let facts = Facts {
        started,
        base_url: show.podcast.base_url.clone(),
        publish: show.publish.clone(),
        websub_hub: show.podcast.tags.websub_hub.clone(),
        hosted: (hosted_notes, hosted_asked),
    };
    let mut begun = building.begin(show, &text, &hosted_digest)?;
    drop(text); // a big show's manifest is megabytes
    building.observer.step(Step::Compared);
    if let Some(mut report) = begun.unchanged(opts) {
        if let Some(rec) = begun.previous() {
            building.observer.recorded(rec);
        }
        // What a killed `add` or `init` left beside the manifest, or a
        // killed save in the records or the memos (small folders: a look each).
        let records = state.join(crate::show_lock::RECORDS_DIR);
        report.swept = crate::output::sweep_temps(&show_root, false)
            + crate::output::sweep_temps(&records, false)
            + crate::output::sweep_temps(&state.join(memo::MEMO_DIR), false);
        building.observer.step(Step::NothingChanged);
        // A big show's records and manifest take a while to free: the
        // report need not wait for it.
        free_later(begun);
        return Ok(facts.of(report));
    }
    // There is something to do: the last feeds are read meanwhile (with
    // the memo); what the last build wrote is looked at already, or meanwhile.
    building.preload.go();
    let looked = begun.looked.take();
    let mut looking = match (begun.previous(), looked) {
        (Some(_), Some(seen)) if opts.probe.use_cache => Looking::done(seen),
        (Some(rec), None) if opts.probe.use_cache => Looking::start(&begun.out, rec.outputs.keys().cloned().collect()),
        _ => Looking::default(),
    };
    let probed = match building.touched_only(&mut begun, &mut looking)? {
        Ok(report) => {
            building.observer.step(Step::TouchedOnly);
            // A big show's manifest and records take a while to free: the
            // report need not wait for it.
            free_later((begun, looking));
            return Ok(facts.of(report));
        }
        Err(probed) => probed,
    };
    building.rebuild(begun, looking, probed).map(|report| facts.of(report))
}

/// A build under way: what it was asked, what is read for it on the other
/// core (see [`Preload`]), and who is told as it goes.
struct Building<'a> {
    opts: &'a Options,
    preload: Preload,
    observer: &'a mut dyn Observer,
}

/// What every build's report says, whatever the build did: how long it
/// took, what `publish` needs of the manifest, and what asking about the
/// hosted media said and cost.
struct Facts {
    started: Instant,
    base_url: crate::url::HttpUrl,
    publish: manifest::PublishSettings,
    websub_hub: Option<crate::url::HttpUrl>,
    hosted: (Vec<Diagnostic>, u64),
}

impl Facts {
    /// `r`, saying them.
    fn of(&self, mut r: Report) -> Report {
        r.warnings.extend(self.hosted.0.iter().cloned());
        r.probe_stats.requests += self.hosted.1;
        Report {
            seconds: self.started.elapsed().as_secs_f64(),
            base_url: Some(self.base_url.clone()),
            publish: self.publish.clone(),
            websub_hub: self.websub_hub.clone(),
            ..r
        }
    }
}

/// What a build starts from, once the manifest is parsed.
struct Begun {
    show: manifest::Show,
    /// The output folder, as given and as resolved (if it exists).
    out: PathBuf,
    out_now: Option<PathBuf>,
    /// The build records.
    records: record::Records,
    /// The files the record of the output folder lists, as they were
    /// looked at while the manifest was parsed.
    looked: Option<HashMap<String, Option<Status>>>,
    /// The show's files, as the manifest's reading looked at them.
    seen: Seen,
    /// The build's inputs, fingerprinted (`None`: they cannot be).
    inputs: Option<record::Inputs>,
    /// The lock file's fingerprint (`None`: there is none).
    lock: Option<record::LockPrint>,
}

impl Begun {
    /// The record of the last build into the output folder, if any.
    fn previous(&self) -> Option<&record::SiteRecord> {
        self.records.site(self.out_now.as_deref()?)
    }

    /// The report of a build that has nothing to do: its inputs and
    /// outputs are as the last complete build left them
    /// (`.podsmith/build.json`).
    fn unchanged(&self, opts: &Options) -> Option<Report> {
        let rec = self.previous()?;
        let inputs = record::with_lock(&self.inputs.as_ref()?.all, self.lock.as_ref()?);
        if !(opts.probe.use_cache && inputs == rec.inputs && rec.outputs_intact(&self.out, self.looked.as_ref())) {
            return None;
        }
        Some(unchanged_report(opts, &self.show, &self.out, &self.records, rec))
    }
}

impl Building<'_> {
    /// Where the build of `show` (its manifest's `text`) starts from: its
    /// output folder checked, the build records (a preview's old one
    /// dropped), its inputs fingerprinted.
    fn begin(&mut self, mut show: manifest::Show, text: &str, hosted_digest: &str) -> Result<Begun, BuildError> {
        let opts = self.opts;
        let (out, templates) = folders(&show, opts);
        check_output_folder(&show, &out)?;
        let (mut records, looked) = self.preload.records();
        if opts.preview.is_none() {
            // A preview's record, kept with the show's by podsmith before the
            // preview had a folder of its own: it is of no use here.
            let preview = show.root.join(crate::show_lock::RECORDS_DIR).join(crate::show_lock::PREVIEW_DIR);
            if let Ok(site) = preview.join("site").canonicalize() {
                records.take(&site);
            }
        }
        let lock = record::lock_print(&opts.lock_file(&show.root));
        let mut seen = Seen::from(std::mem::take(&mut show.looked));
        let inputs = record::inputs(&show, text, &templates, &out, opts.now, &mut seen, hosted_digest);
        let out_now = out.canonicalize().ok();
        // (If they were of this very output folder.)
        let looked = looked.filter(|(o, _)| Some(o) == out_now.as_ref()).map(|(_, seen)| seen);
        Ok(Begun { show, out, out_now, records, looked, seen, inputs, lock })
    }

    /// A build with something to do: the show prepared (its media
    /// measured, if `probed` is not already), then published into the
    /// output folder (if it exists).
    fn rebuild(&mut self, begun: Begun, looking: Looking, probed: Option<Probed>) -> Result<Report, BuildError> {
        let opts = self.opts;
        let Begun { show, out_now, records, seen, inputs, .. } = begun;
        // A build that will take most of the last one (see `publish`) tells
        // the changes to `podsmith.lock` on the other core while the show is
        // prepared; one that does everything keeps to one at a time, for memory.
        let previous = out_now.as_deref().and_then(|o| records.site(o));
        let takes_most = previous.is_some_and(|r| opts.probe.use_cache && r.pending.is_empty() && r.memo.is_some());
        let mut prepared = prepare_show(opts, show, seen, looking, probed, takes_most, &mut self.preload)?;
        self.observer.step(Step::Prepared);
        let report = match self.publish(&mut prepared, records, out_now.as_deref(), inputs) {
            Ok(report) => report,
            Err(e) => {
                // What was measured stays measured, whatever else happened.
                prepared.save_cache(&[]);
                return Err(e);
            }
        };
        // A big show takes a while to free: the report need not wait for it.
        free_later(prepared);
        Ok(report)
    }

    /// The build once the show is prepared: validated, checked against
    /// what is published, written into the output folder (`out_now`, if
    /// it exists), recorded.
    fn publish(
        &mut self,
        prepared: &mut Prepared,
        mut records: record::Records,
        out_now: Option<&Path>,
        inputs: Option<record::Inputs>,
    ) -> Result<Report, BuildError> {
        let opts = self.opts;
        if let Some(why) = prepared.nothing_live() {
            // Episodes published already that would leave the feed (redated
            // to come): that is what to say, as of any episode redated.
            if let Ok((_, _, changes)) = prepared.changes()
                && !opts.allow_changes
                && changes.iter().any(Change::breaks_identity)
            {
                return Err(BuildError::Identity(Refused::placed(changes, &prepared.catalog)));
            }
            return Err(BuildError::NothingLive(Box::new(why)));
        }
        let previous = out_now.and_then(|o| records.site(o));
        // (A lock gone from a show built before: said, once the build is.)
        let built_before = previous.is_some_and(|r| !r.outputs.is_empty());
        self.recall(prepared, previous);
        let prepared: &Prepared = prepared;
        let renderer = prepared.renderer();
        let (mut validated, Beside { pages, lock, swept }) =
            validate_and_render(prepared, renderer, previous, opts.now);
        if opts.preview.as_ref().is_some_and(|p| p.base_url.is_some()) {
            // A preview's address is a local one by design (`serve --host
            // 192.168.1.20`, for a phone on the network): that is not a fault of it.
            let host_rule = crate::validate::rules::id::APPLE_HOST_PUBLIC.as_str();
            for v in &mut validated {
                v.report.findings.retain(|f| f.code != host_rule);
            }
        }
        for v in &mut validated {
            at_the_manifest(&prepared.catalog, &mut v.report);
        }
        self.observer.step(Step::Checked);
        if validated.iter().any(|v| v.report.has_errors()) {
            return Err(BuildError::Invalid(validated.into_iter().map(|v| v.report).collect()));
        }
        let (first_build, new_lock, mut changes) = lock?;
        if !opts.allow_changes && changes.iter().any(Change::breaks_identity) {
            return Err(BuildError::Identity(Refused::placed(changes, &prepared.catalog)));
        }
        let (pages, mut made) = pages?;
        let feeds: HashMap<&str, Fingerprint> = prepared
            .feeds
            .iter()
            .zip(&validated)
            .filter_map(|(f, v)| Some((f.file_name.as_str(), v.fingerprint?)))
            .collect();
        for (n, v) in validated.iter_mut().enumerate() {
            if let Some(xml) = v.xml.take() {
                made.keep_feed(n, xml);
            }
        }
        // The next build's memo is encoded while the site is written (it is
        // saved after it).
        let memo = NextMemo::start(prepared, out_now, validated.iter_mut().map(|v| v.items.take()).collect());
        let planned = check_before_writing(prepared, &pages, previous, &records.warnings, &feeds, opts.force)?;
        // A recording replaced by one of the same size: the lock cannot
        // tell it (it keeps the lengths), the fingerprints can.
        if let Some(previous) = previous.filter(|_| !first_build) {
            changes.extend(prepared.replaced_in_place(previous, &changes, &|rel| planned.get(rel).copied()));
        }
        self.observer.step(Step::Planned);
        let written = write_recorded(prepared, renderer, &mut records, planned, made, swept)?;
        self.observer.step(Step::Written);
        // The record of what is published goes last: only what was written;
        // and not by a look ahead (`--as-of` a moment to come), whose
        // episodes are not published yet: recorded, they would be "gone"
        // from every build until then; nor by a look back (`--as-of` a
        // moment before episodes it published), whose record would lose them.
        let lock_path = prepared.lock_path();
        let look_ahead = opts.now > chrono::Utc::now();
        let look_back = changes.iter().any(Change::looks_back);
        if !look_ahead && !look_back {
            crate::output::write_bytes(&lock_path, new_lock.as_bytes())
                .map_err(|source| WriteError { path: lock_path.clone(), source })?;
            self.observer.step(Step::Locked);
        }
        let mut report = report_of(prepared, &records, &written, &validated, changes, first_build && !look_ahead);
        report.look_ahead = look_ahead;
        report.look_back = look_back;
        let lock = record::lock_print(&lock_path);
        let inputs = inputs.zip(lock).map(|(i, lock)| i.with_hosted(&prepared.hosted_digest).with_lock(&lock));
        let encoded = memo.finish(prepared, &written.out);
        stop_for_a_test(&prepared.state_root)?;
        let afresh = report.first_build && built_before;
        let saved = self.save_state(prepared, &mut records, report, &written, inputs, encoded);
        self.observer.step(Step::Saved);
        free_later((records, validated, written));
        // Said by this build alone (not kept in its summary, which a build
        // with nothing to do repeats).
        saved.map(|mut report| {
            if afresh {
                report.warnings.push(lock_made_afresh(&lock_path));
            }
            report
        })
    }

    /// Takes what the last build kept (`previous`, its record here), if
    /// it finished and this build may use it: the memo it vouches for.
    fn recall(&mut self, prepared: &mut Prepared, previous: Option<&record::SiteRecord>) {
        if let Some(rec) = previous.filter(|r| self.opts.probe.use_cache && r.pending.is_empty())
            && let Some(memo) = rec.memo.as_ref().and_then(|h| self.preload.memo(h)?.vouched(&rec.out, h))
        {
            prepared.look();
            prepared.recall(rec, memo);
        } else if previous.is_none() {
            // Nothing published here yet: nothing to tell the show's files
            // from, and the memory is better spent validating.
            prepared.snapshot.forget_sources();
        }
    }
}

/// What is done while the feeds are validated.
struct Beside {
    /// Each page's fingerprint, and the pages made (see [`Prepared::render_pages`]).
    pages: Result<(Vec<Fingerprint>, Made), BuildError>,
    /// The changes to the published identities (see [`Prepared::lock_changes`]).
    lock: Result<(bool, String, Vec<Change>), crate::lock::LockError>,
    /// How many temporary files an interrupted command left were swept.
    swept: usize,
}

/// The feeds validated, and meanwhile the pages rendered, the changes to
/// the published identities told and the temporary files an interrupted
/// command left swept (everywhere in the output folder if the last build,
/// `previous`, did not finish). Then which files are kept as they are is
/// settled.
fn validate_and_render(
    prepared: &Prepared,
    renderer: &Renderer,
    previous: Option<&record::SiteRecord>,
    now: DateTime<Utc>,
) -> (Vec<Validated>, Beside) {
    // A build that keeps most of the last one validates the feeds while the
    // pages are rendered and the published identities compared (each on
    // its own core, where there are two); one that validates every item
    // does it alone, for memory.
    let deep = previous.is_none_or(|s| s.outputs.is_empty() || !s.pending.is_empty());
    let (validated, beside) = match prepared.recalls() {
        true => side_by_side(prepared, renderer, deep, now),
        false => {
            let validated = prepared.validate(now);
            let pages = prepared.render_pages(renderer);
            (validated, Beside { pages, lock: prepared.lock_changes(), swept: sweep_temps(prepared, deep) })
        }
    };
    prepared.look();
    prepared.settle(validated.iter().map(|v| v.as_it_is).collect());
    (validated, beside)
}

/// [`validate_and_render`] of a build that keeps most of the last one:
/// each feed's new items validated, the pages rendered, the changes to the
/// published identities told and the temporary files swept, side by side
/// on every core. The first feed is taken up first, the work beside it
/// next and the other feeds last: the threads free first take what is
/// left, so a core left with one feed is not left with the rest too.
fn side_by_side(prepared: &Prepared, renderer: &Renderer, deep: bool, now: DateTime<Utc>) -> (Vec<Validated>, Beside) {
    let check = prepared.feed_check(now);
    let mut validated: Vec<Option<Validated>> = std::iter::repeat_with(|| None).take(prepared.feeds.len()).collect();
    let (mut pages, mut lock, mut swept) = (None, None, 0);
    rayon::scope(|s| {
        let check = &check;
        let mut feeds = validated.iter_mut().enumerate();
        if let Some((i, slot)) = feeds.next() {
            s.spawn(move |_| *slot = Some(check(i)));
        }
        s.spawn(|_| pages = Some(prepared.render_pages(renderer)));
        s.spawn(|_| lock = Some(prepared.lock_changes()));
        s.spawn(|_| swept = sweep_temps(prepared, deep));
        for (i, slot) in feeds {
            s.spawn(move |_| *slot = Some(check(i)));
        }
    });
    let validated = validated.into_iter().flatten().collect();
    let beside = Beside {
        pages: pages.unwrap_or_else(|| prepared.render_pages(renderer)),
        lock: lock.unwrap_or_else(|| prepared.lock_changes()),
        swept,
    };
    (validated, beside)
}

/// The next build's memo: being encoded on a thread of its own while the
/// site is written, or (without an output folder yet) its items, to be
/// encoded after.
enum NextMemo {
    Encoding(std::thread::JoinHandle<(std::io::Result<Encoded>, Memo)>),
    Items(Vec<Option<Vec<memo::ItemMemo>>>),
}

/// A memo encoded, with the hash of its bytes (see [`Memo::hash`]).
type Encoded = (Vec<u8>, Fingerprint);

/// `memo` encoded, and hashed.
fn encode_memo(memo: &mut Memo) -> std::io::Result<Encoded> {
    memo.encode().map(|json| {
        let hash = Memo::hash(&json);
        (json, hash)
    })
}

impl NextMemo {
    /// Starts encoding the memo of `items` (each feed's) for output folder
    /// `out`, if it exists.
    fn start(prepared: &Prepared, out: Option<&Path>, items: Vec<Option<Vec<memo::ItemMemo>>>) -> NextMemo {
        match out {
            Some(out) => {
                let mut memo = prepared.memo(out.to_path_buf(), items);
                NextMemo::Encoding(std::thread::spawn(move || (encode_memo(&mut memo), memo)))
            }
            None => NextMemo::Items(items),
        }
    }

    /// The memo encoded (and hashed), for output folder `out` (as written).
    fn finish(self, prepared: &Prepared, out: &Path) -> std::io::Result<Encoded> {
        match self {
            NextMemo::Encoding(encoding) => match encoding.join() {
                Ok((encoded, memo)) if memo.out == out => encoded,
                Ok((_, memo)) => encode_memo(&mut Memo { out: out.to_path_buf(), ..memo }),
                Err(_) => Err(std::io::Error::other("the memo could not be made")),
            },
            NextMemo::Items(items) => encode_memo(&mut prepared.memo(out.to_path_buf(), items)),
        }
    }
}

impl Building<'_> {
    /// The build's own record and memo (a preview's are its own), and the
    /// probe cache (which takes note of the media just published). The memo
    /// first: the record that vouches for it by its hash comes after, so a
    /// memo not saved (or not yet) is not taken. A build that changed little
    /// saves the probe cache and the memo while the record is made; one that
    /// made everything, one after another, for memory.
    fn save_state(
        &mut self,
        prepared: &Prepared,
        records: &mut record::Records,
        report: Report,
        written: &Written,
        inputs: Option<record::Inputs>,
        encoded: std::io::Result<Encoded>,
    ) -> Result<Report, BuildError> {
        let root = &prepared.state_root;
        let memo_error = |source| WriteError { path: root.join(memo::MEMO_DIR), source };
        std::thread::scope(|scope| {
            let save_cache = || prepared.save_cache(&written.wrote);
            let cache_saved = prepared.recalls().then(|| scope.spawn(save_cache));
            let (json, memo) = encoded.map_err(memo_error)?;
            let memo_saved = match prepared.recalls() {
                true => Some(scope.spawn(move || Memo::write_encoded(root, &json, &memo))),
                false => {
                    Memo::write_encoded(root, &json, &memo).map_err(memo_error)?;
                    None
                }
            };
            record_build(records, prepared, &report, written, inputs, memo, &mut *self.observer)?;
            if let Some(saving) = memo_saved {
                saving
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("the memo could not be saved")))
                    .map_err(memo_error)?;
            }
            // The memo this build replaced goes (those of other output folders stay).
            Memo::keep_only(root, records.all().iter().filter_map(|s| s.memo.as_ref()));
            let cache_note = match cache_saved {
                Some(saving) => saving.join().ok().flatten(),
                None => save_cache(),
            };
            let mut report = report;
            if let Some(note) = cache_note {
                report.probe_stats.cache_note.get_or_insert(note);
            }
            Ok(report)
        })
    }
}

/// The warning of a build that made `podsmith.lock` (at `path`) afresh
/// where the output folder was built before: a lock deleted on purpose
/// starts the record afresh, one lost (`git clean -x`, never committed)
/// had every check of this build off.
fn lock_made_afresh(path: &Path) -> Diagnostic {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Diagnostic::warning(
        "LOCK",
        format!(
            "{name} was not there, though this output folder was built before: it is made afresh from this build, \
             and nothing this build changed of what was published before was checked"
        ),
    )
    .help(format!(
        "if it was lost (git clean, never committed), put it back (git checkout {name}) and build again: the build \
         then says what changed since"
    ))
}

/// Frees `t` on a thread of its own: a big show's records take a while to
/// free, and the build's report need not wait for that.
pub(crate) fn free_later<T: Send + 'static>(t: T) {
    let _ = std::thread::Builder::new().name("podsmith-free".into()).spawn(move || drop(t));
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
    warnings.extend(prepared.renderer().warnings().iter().cloned());
    warnings.extend(written.pruned.kept.iter().map(|k| Diagnostic::warning("KEPT", format!("kept {k}"))));
    warnings.extend(across_feeds(&checked, crate::diagnostic::Severity::Warning));
    // What a scheduled episode takes that another was published with: a
    // warning every build says (until it is fixed), as the build at its
    // time refuses it.
    let (ahead, changes): (Vec<Change>, Vec<Change>) =
        changes.into_iter().partition(|c| matches!(c, Change::Reused { until: Some(_), .. }));
    warnings
        .extend(ahead.iter().map(|c| Diagnostic::warning("IDENTITY", c.describe()).help(c.fix().unwrap_or_default())));
    Report {
        out: prepared.out.clone(),
        episodes: catalog.episodes.len(),
        scheduled: catalog.scheduled.clone(),
        feeds: prepared.feeds.iter().map(|f| f.file_name.clone()).collect(),
        pages: prepared.pages,
        files: prepared.files,
        linked: prepared.linked,
        stats: written.stats,
        warnings,
        measured: catalog
            .episodes
            .iter()
            .flat_map(|e| &e.media)
            .map(|m| (m.file.key().to_string(), m.info.duration_secs, m.info.method))
            .collect(),
        changes,
        first_build,
        look_ahead: false,
        look_back: false,
        probe_stats: prepared.probe_stats.clone(),
        nothing_changed: false,
        removed: written.pruned.removed.clone(),
        swept: written.swept,
        seconds: 0.0,
        base_url: None,
        publish: manifest::PublishSettings::default(),
        websub_hub: None,
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
    observer: &mut dyn Observer,
) -> Result<(), BuildError> {
    let root = &prepared.state_root;
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
        linked: report.linked,
        media: report.measured.len(),
        // Only this build's own findings are said again, not the record's.
        warnings: report.warnings.iter().filter(|w| !records.warnings.contains(w)).cloned().collect(),
    };
    records.warnings.clear();
    observer.recorded(&site);
    records.put(site);
    records.save(root).map_err(|source| WriteError { path: root.join(record::RECORD_PATH), source })?;
    Ok(())
}

impl Building<'_> {
    /// Asks about the show's hosted media measured long enough ago (see
    /// [`crate::catalog::recheck_hosted`]), the probe cache taken from what is
    /// read ahead and given back (saved if it learnt something). Returns the warnings, the
    /// requests made, and what the cache knows of the hosted media (for the
    /// build's inputs).
    fn recheck_hosted(&mut self, show: &manifest::Show) -> (Vec<Diagnostic>, u64, String) {
        let urls = crate::catalog::hosted_urls(show);
        if urls.is_empty() {
            return (Vec::new(), 0, String::new());
        }
        let Some(mut cache) = self.preload.cache() else { return (Vec::new(), 0, "measured anew".into()) };
        let (mut notes, asked) = crate::catalog::recheck_hosted(show, &self.opts.probe, &mut cache);
        if asked > 0 {
            notes.extend(crate::catalog::save_cache(&mut cache));
        }
        let digest = cache.hosted_digest(urls.into_iter());
        self.preload.give_back(cache);
        (notes, asked, digest)
    }
}

/// A show's media, measured (from the probe cache where it can be).
struct Probed {
    cache: Option<Cache>,
    probes: crate::catalog::Probes,
    stats: ProbeStats,
    /// What the cache knows of the hosted media, once measured (see
    /// [`record::Inputs::with_hosted`]).
    hosted_digest: String,
}

impl Probed {
    fn take(show: &manifest::Show, opts: &Options, seen: &Seen, preload: &mut Preload) -> Probed {
        let mut cache = preload.cache();
        let (probes, stats) = probe_media(show, &opts.probe, cache.as_mut(), &|p| seen.get(p));
        let urls = crate::catalog::hosted_urls(show);
        let hosted_digest = match (&cache, urls.is_empty()) {
            (_, true) => String::new(),
            (Some(c), false) => c.hosted_digest(urls.into_iter()),
            (None, false) => "measured anew".into(),
        };
        Probed { cache, probes, stats, hosted_digest }
    }
}

impl Building<'_> {
    /// A build whose inputs differ from the last complete build's only in the
    /// size or time of media files that, measured again, are what they were
    /// (touched, or copied over with the same audio): nothing is rendered or
    /// written. The outputs are checked as for "nothing changed" (a published
    /// media file may have the new time: it is the touched file itself, by a
    /// hard link); the probe cache and the record take the new times. `Err`: a
    /// build to do, with the media measured if they were.
    fn touched_only(
        &mut self,
        begun: &mut Begun,
        looking: &mut Looking,
    ) -> Result<Result<Report, Option<Probed>>, BuildError> {
        let opts = self.opts;
        let Begun { show, out, out_now, records, seen, inputs, lock, .. } = begun;
        let (Some(inputs), Some(out_abs), Some(lock)) = (inputs.as_ref(), out_now.as_deref(), lock.as_ref()) else {
            return Ok(Err(None));
        };
        let content = record::with_lock(&inputs.content, lock);
        let Some(rec) = records
            .site(out_abs)
            .filter(|r| opts.probe.use_cache && r.pending.is_empty() && !r.content.is_empty() && r.content == content)
        else {
            return Ok(Err(None));
        };
        let mut probed = Probed::take(show, opts, seen, &mut self.preload);
        if probed.stats.changed > 0 || probed.probes.values().any(Result::is_err) {
            return Ok(Err(Some(probed)));
        }
        let Some(moved_to) = moved_outputs(show, rec, out, seen, looking) else {
            return Ok(Err(Some(probed)));
        };
        let Some(mut site) = records.take(out_abs) else { return Ok(Err(Some(probed))) };
        for (rel, stamp) in moved_to {
            if let Some(w) = site.outputs.get_mut(&rel) {
                (w.size, w.mtime_ns) = stamp;
            }
        }
        site.inputs = inputs.with_hosted(&probed.hosted_digest).with_lock(lock).all;
        let mut report = unchanged_report(opts, show, out, records, &site);
        report.nothing_changed = false;
        report.probe_stats = probed.stats.clone();
        self.observer.recorded(&site);
        records.put(site);
        records.warnings.clear();
        let state = opts.state_root(&show.root);
        // The probe cache is saved while the record is (not flushed: nothing
        // was written, and a record lost to a crash only has this build's
        // look at the same files done again).
        let (saved, cache_note) = std::thread::scope(|scope| {
            let saving = probed.cache.as_mut().map(|cache| scope.spawn(move || crate::catalog::save_cache(cache)));
            let saved = records.save_unflushed(&state);
            (saved, saving.and_then(|s| s.join().ok().flatten()))
        });
        report.probe_stats.cache_note = cache_note.or(report.probe_stats.cache_note);
        saved.map_err(|source| WriteError { path: state.join(record::RECORD_PATH), source })?;
        free_later(probed);
        Ok(Ok(report))
    }
}

/// An output whose time moved with its source: its path, its new size and time.
type Moved = (String, (u64, u128));

/// The outputs of the last build (`rec`, into `out`) whose time moved
/// with their source, with their new stamp; `None` if any output is not
/// as recorded otherwise, or is reached through a link (see
/// [`record::LinkedFolders`]). Every output must be as recorded, or the show's
/// own file by a hard link: a media file that changed (its time) is
/// published as that very file (a copy would hold what the file was).
fn moved_outputs(
    show: &manifest::Show,
    rec: &record::SiteRecord,
    out: &Path,
    seen: &Seen,
    looking: &mut Looking,
) -> Option<Vec<Moved>> {
    use rayon::prelude::*;
    let sources: HashMap<&str, &Path> = show
        .episodes
        .iter()
        .flat_map(|e| &e.media)
        .filter_map(|m| m.local())
        .map(|f| (f.rel.as_str(), f.path.as_path()))
        .collect();
    if !record::LinkedFolders::of(out, rec.outputs.keys().map(String::as_str)).is_empty() {
        return None;
    }
    let looked = looking.all();
    // Tens of thousands of files in a big show: on every core. (The record
    // is not copied: it lists them all.)
    let outputs: Vec<(&String, &record::Written)> = rec.outputs.iter().collect();
    let moved: Option<Vec<Option<Moved>>> = outputs
        .par_iter()
        .map(|&(rel, w)| {
            let status = match looked.get(rel) {
                Some(status) => *status,
                None => std::fs::symlink_metadata(out.join(rel)).ok().map(|m| Status::of(&m)),
            }?;
            let recorded = Some((w.size, w.mtime_ns));
            let source = sources.get(rel.as_str()).and_then(|p| seen.get(p));
            let moved = source.is_some_and(|s| s.stamp() != recorded) || status.stamp() != recorded;
            // A media file published is the show's file itself (a hard
            // link): one put in its place, however like the old one in size
            // and time, is published anew.
            let replaced = source.is_some_and(|s| !status.same_file(&s));
            match (source, status.stamp()) {
                _ if !moved && !replaced => Some(None),
                // The same bytes as published, not only the same measurement
                // now: another command (`list`, `validate`) may have measured
                // a file written over in place, so the cache holds its new
                // measurement already, and the file is published by a hard
                // link, so the output moved with it.
                (Some(src), Some((size, mtime_ns)))
                    if status.same_file(&src)
                        && size == w.size
                        && w.fingerprint.is_some()
                        && Fingerprint::of_file(&out.join(rel.as_str())).ok() == w.fingerprint =>
                {
                    Some(Some((rel.clone(), (size, mtime_ns))))
                }
                _ => None,
            }
        })
        .collect();
    Some(moved?.into_iter().flatten().collect())
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
        linked: s.linked,
        stats: WriteStats { written: 0, unchanged: rec.outputs.len() },
        warnings,
        measured: Vec::new(),
        changes: Vec::new(),
        first_build: false,
        // (Still a look ahead: what the folder holds is the time to come's.)
        look_ahead: opts.now > chrono::Utc::now(),
        look_back: false,
        probe_stats: ProbeStats { probed: 0, cached: s.media, ..Default::default() },
        nothing_changed: true,
        removed: Vec::new(),
        swept: 0,
        seconds: 0.0,
        base_url: None,
        publish: manifest::PublishSettings::default(),
        websub_hub: None,
    }
}

/// Before anything is written: every output path can be written, and no
/// file in the way is someone else's (unless `force`). Returns what each
/// file will hold (its fingerprint): `pages` gives the pages' (rendered
/// already, see [`Prepared::render_pages`]), `feeds` the feeds' (validated).
/// `previous`: the last build's record, with what was wrong with the
/// records (said with a refusal: it is why they could not tell the files).
fn check_before_writing(
    prepared: &Prepared,
    pages: &[Fingerprint],
    previous: Option<&record::SiteRecord>,
    record_notes: &[Diagnostic],
    feeds: &std::collections::HashMap<&str, Fingerprint>,
    force: bool,
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
    let planned = prepared.plan(pages, &reuse)?;
    if !force {
        let marks = |i: usize| prepared.marks(i);
        // A file left as it is (already what the build would write) is not
        // written: whoever's it is, it is not in the way.
        let lstat = |i: usize| prepared.snapshot.output(i).filter(|_| !prepared.as_it_is(i));
        let foreign = ownership::foreign_files(&prepared.site, &prepared.out, previous, &planned, &marks, &lstat);
        if !foreign.is_empty() {
            let record = record_notes.to_vec();
            return Err(BuildError::Foreign { out: prepared.out.clone(), files: foreign, record });
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
/// pages and feeds, then what is no longer published goes. `made`: the
/// pages and feeds rendered already; `swept`: how many temporary files
/// were swept before (see [`sweep_temps`]).
fn write_recorded(
    prepared: &Prepared,
    renderer: &Renderer,
    records: &mut record::Records,
    planned: Planned,
    made: Made,
    swept: usize,
) -> Result<Written, BuildError> {
    let root = &prepared.state_root;
    let out = &prepared.out;
    // (An output folder that cannot be made is the command line's to fix.)
    std::fs::create_dir_all(out).map_err(|e| {
        BuildError::Config(format!(
            "cannot create the output folder `{}`: {e}; choose one in a place you may write to (--out)",
            out.display()
        ))
    })?;
    let out_abs = out.canonicalize().map_err(|source| WriteError { path: out.clone(), source })?;
    let mut site = records.take(&out_abs).unwrap_or_default();
    site.out = out_abs.clone();
    // (An output folder inside the show moves with it: see `Records::follow_show`.)
    site.root = prepared.catalog.root.canonicalize().ok();
    // Pending: what may be written that the record does not already know
    // by its fingerprint (and what an interrupted build left pending); and
    // what is written again with the bytes the record knows (a media file
    // or image published anew as a link to a new file of the same bytes):
    // a build killed while writing it is then known not to have finished,
    // and the next sweeps its temporary files in every folder of the output.
    let again: HashSet<&str> = (0..prepared.site.files.len())
        .filter(|&i| !prepared.as_it_is(i))
        .map(|i| prepared.site.files[i].rel.as_str())
        .collect();
    // Both in order: walked side by side.
    let mut recorded = site.outputs.iter().peekable();
    let mut pending = Vec::new();
    for (rel, fp) in &planned {
        while recorded.next_if(|(r, _)| *r < rel).is_some() {}
        let known = recorded.peek().filter(|(r, _)| *r == rel).and_then(|(_, w)| w.fingerprint);
        if known != Some(*fp) || again.contains(rel.as_str()) {
            pending.push((rel.clone(), *fp));
        }
    }
    let kept = keep_what_an_unfinished_build_wrote(&mut site, out, &pending);
    // (A file pending already, to be written otherwise now, counts.)
    let grows = pending.iter().any(|(rel, fp)| site.pending.get(rel) != Some(fp));
    site.pending.extend(pending);
    let save = grows || site.outputs.is_empty();
    if save {
        site.build = Some(record::new_build_id());
    }
    records.put(site);
    if kept {
        // The whole record, pending files and all (the pending list goes).
        let path = root.join(record::RECORD_PATH);
        records.save(root).map_err(|source| WriteError { path, source })?;
    } else if save {
        let path = root.join(record::PENDING_PATH);
        records.save_pending(root).map_err(|source| WriteError { path, source })?;
    }
    let (stats, wrote) = prepared.write(renderer, &planned, made)?;
    // What an earlier build wrote and this one does not (a removed
    // episode's page and media) goes, so public/ is exactly the show.
    let pruned = match records.site(&out_abs) {
        Some(site) => ownership::prune(out, &prepared.catalog.root, site, &planned, &|| protected_files(prepared)),
        None => ownership::Pruned::default(),
    };
    Ok(Written { out: out_abs, stats, pruned, swept, wrote, planned })
}

/// With `PODSMITH_TEST_STOP_BEFORE_RECORDS` set, a build stops where a
/// kill would stop it after writing the site and `podsmith.lock`: before
/// it saves its records (what the tests of a build that did not finish
/// start from; nothing else sets it).
fn stop_for_a_test(state: &Path) -> Result<(), BuildError> {
    match std::env::var_os("PODSMITH_TEST_STOP_BEFORE_RECORDS") {
        Some(_) => Err(BuildError::from(WriteError {
            path: state.join(record::RECORD_PATH),
            source: std::io::Error::other("stopped before saving the records (PODSMITH_TEST_STOP_BEFORE_RECORDS)"),
        })),
        None => Ok(()),
    }
}

/// Of the files an unfinished build set out to write (`site`'s pending
/// list) that this build writes otherwise (`pending`, its own list, which
/// takes their place in it): those that build wrote are recorded as
/// written, with their fingerprint, so that a build that follows this
/// one, if it is killed too, still knows them for podsmith's. (A file the
/// record knows by its last finished build's fingerprint, or that holds
/// neither, stays as it is recorded.) Whether any was.
fn keep_what_an_unfinished_build_wrote(
    site: &mut record::SiteRecord,
    out: &Path,
    pending: &[(String, Fingerprint)],
) -> bool {
    let mut kept = false;
    for (rel, fp) in pending {
        let Some(&was) = site.pending.get(rel).filter(|&was| was != fp) else { continue };
        if site.outputs.get(rel).and_then(|w| w.fingerprint) == Some(was) {
            continue;
        }
        let path = out.join(rel);
        // (A regular file, not a link: `stat` does not follow one.)
        if let Some((size, mtime_ns)) = record::stat(&path)
            && Fingerprint::of_file(&path).is_ok_and(|now| now == was)
        {
            site.outputs.insert(rel.clone(), record::Written { size, mtime_ns, fingerprint: Some(was) });
            kept = true;
        }
    }
    kept
}

/// The findings of `severity` of every feed; the same finding in several
/// feeds is said once, naming them all.
fn across_feeds(checked: &[&crate::validate::Report], severity: crate::diagnostic::Severity) -> Vec<Diagnostic> {
    let mut seen: Vec<(Diagnostic, Vec<&str>)> = Vec::new();
    // Where each finding is in `seen`, by what makes two the same (a show
    // whose every episode has a warning has thousands).
    // (Two episodes of one title are two findings in one feed: each is
    // said apart, with its item.)
    let mut at: HashMap<(&str, &str, Option<&str>), Vec<usize>> = HashMap::new();
    for r in checked {
        for f in r.findings.iter().filter(|f| f.severity == severity) {
            let places = at.entry((f.code.as_ref(), f.message.as_str(), f.episode())).or_default();
            match places.iter().find(|&&i| !seen[i].1.contains(&r.feed.as_str())) {
                Some(&i) => seen[i].1.push(&r.feed),
                None => {
                    places.push(seen.len());
                    seen.push((f.clone(), vec![&r.feed]));
                }
            }
        }
    }
    seen.into_iter()
        .map(|(mut d, feeds)| {
            // A finding of the manifest's (the cover's) is where it is.
            if matches!(d.location, Location::File { .. }) {
                return d;
            }
            // Lines differ from feed to feed; the feeds and the episode say where.
            let item = d.item().zip(d.episode().map(str::to_string));
            d.location = Location::Feed { feed: Some(feeds.join(", ")), line: None, item };
            d
        })
        .collect()
}

/// The show's findings that `episodes.toml` is where to fix, said at its
/// line rather than at a line of a feed the build did not write: the
/// cover's (its size, colours, format, bytes; the placeholder `init`
/// wrote) at `image`; a placeholder left in the title, description,
/// author, owner or `base_url` at that key.
fn at_the_manifest(catalog: &crate::catalog::Catalog, report: &mut crate::validate::Report) {
    use crate::validate::rules::id;
    let cover = match &catalog.podcast.image {
        manifest::Asset::Local(cover) => Some(cover.line),
        manifest::Asset::Remote(_) => None,
    };
    let of_the_cover =
        [id::APPLE_CH_IMAGE_SIZE, id::APPLE_CH_IMAGE_COLOR, id::APPLE_CH_IMAGE_FORMAT, id::APPLE_CH_IMAGE_BYTES];
    let lines = &catalog.podcast.lines;
    // An episode by its title as a finding names it, where no other has it.
    let mut titled: HashMap<String, Option<&crate::catalog::LiveEpisode>> = HashMap::new();
    for e in &catalog.episodes {
        let label = crate::text::quoted(&crate::text::truncate_chars(&e.episode.title, 60));
        titled.entry(label).and_modify(|one| *one = None).or_insert(Some(e));
    }
    let of_an_episode = [id::APPLE_IT_PUBDATE, id::APPLE_IT_TITLE, id::APPLE_IT_IMAGE, id::APPLE_CH_LEN];
    for f in &mut report.findings {
        if f.item().is_some() {
            // A rule of an episode's own values (its date, title, art): at
            // the episode in `episodes.toml` (its art at its `image`).
            let Some(label) = f.episode().map(str::to_string) else { continue };
            let Some(e) = titled.get(&label).copied().flatten() else { continue };
            if !of_an_episode.iter().any(|rule| f.code == rule.as_str()) {
                continue;
            }
            let line = match (&e.episode.image, f.code == id::APPLE_IT_IMAGE.as_str()) {
                (Some(manifest::Asset::Local(image)), true) => image.line,
                _ => e.episode.line,
            };
            f.message = format!("episode {label}: {}", f.message);
            f.location = Location::file(&catalog.manifest_path, line, None);
            continue;
        }
        // A rule of one manifest value, said of the channel, at that value's line.
        let of_a_value = [
            (id::APPLE_CH_TITLE, "title"),
            (id::APPLE_CH_DESC, "description"),
            (id::APPLE_CH_AUTHOR, "author"),
            (id::SPOT_CH_AUTHOR, "author"),
            (id::APPLE_CH_OWNER, "owner"),
            (id::SPOT_CH_EMAIL, "owner"),
        ];
        let host = catalog.podcast.base_url.host();
        let of_the_host = [id::APPLE_HOST_PUBLIC, id::APPLE_HOST_HTTPS].iter().any(|r| f.code == r.as_str())
            && !host.is_empty()
            && f.message.contains(host);
        let line = if of_the_cover.iter().any(|rule| f.code == rule.as_str()) {
            cover
        } else if of_the_host {
            lines.of("base_url")
        } else if let Some((_, key)) = of_a_value.iter().find(|(rule, _)| f.code == rule.as_str()) {
            lines.of(key)
        } else {
            match crate::validate::placeholder_key(f) {
                Some("image") => cover,
                Some(key) => lines.of(key),
                None => None,
            }
        };
        if let Some(line) = line {
            f.location = Location::file(&catalog.manifest_path, line, None);
        }
    }
}

/// Removes the temporary files an interrupted command left: beside the
/// manifest, the records and the media (where `add` copies files), and,
/// when the last build of this output folder did not finish (`deep`, which
/// its record tells), everywhere in the output folder. The caller holds the
/// show's lock.
fn sweep_temps(prepared: &Prepared, deep: bool) -> usize {
    let catalog = &prepared.catalog;
    let records = catalog.root.join(crate::show_lock::RECORDS_DIR);
    let own_records = prepared.state_root.join(crate::show_lock::RECORDS_DIR);
    // Each folder once: a show's files are in few, and mostly one after
    // another (compared as paths, a big show's thousands took a while).
    let mut dirs: Vec<&Path> = vec![&catalog.root, &records, &own_records];
    for dir in catalog.files().filter_map(|f| f.path.parent()) {
        if dirs.last() != Some(&dir) {
            dirs.push(dir);
        }
    }
    let dirs: HashSet<&std::ffi::OsStr> = dirs.into_iter().map(Path::as_os_str).collect();
    let mut n = crate::output::sweep_temps(&prepared.out, deep);
    for d in dirs {
        n += crate::output::sweep_temps(Path::new(d), false);
    }
    n
}

/// The canonical paths of the show's own files, which a build never deletes.
fn protected_files(prepared: &Prepared) -> std::collections::HashSet<PathBuf> {
    let catalog = &prepared.catalog;
    let mut paths: Vec<PathBuf> = vec![catalog.manifest_path.clone(), catalog.root.join(crate::lock::FILE_NAME)];
    paths.extend(catalog.files().map(|f| f.path.clone()));
    // Transcripts and chapters files too, which the site holds copies of.
    let episodes = catalog.episodes.iter().map(|e| &e.episode).chain(catalog.scheduled.iter().map(|s| &s.episode));
    paths.extend(episodes.flat_map(|e| e.own_files()).map(|rel| catalog.root.join(rel)));
    paths.iter().filter_map(|p| p.canonicalize().ok()).collect()
}

/// Episodes dated after `now`, from the manifest alone: the next to go
/// live first, as the catalog has them (ties in manifest order).
fn scheduled(show: &manifest::Show, now: DateTime<Utc>) -> Vec<Scheduled> {
    let mut scheduled: Vec<Scheduled> = show
        .episodes
        .iter()
        .filter(|e| e.date.with_timezone(&Utc) > now)
        .map(|e| Scheduled { episode: e.clone(), media: Vec::new() })
        .collect();
    scheduled.sort_by_key(Scheduled::date);
    scheduled
}

/// Refuses an output folder that is the show folder, holds it, or holds
/// any of the show's own files (its media, say): writing there would put
/// pages between the podcaster's files, and replace or delete them.
fn check_output_folder(show: &manifest::Show, out: &Path) -> Result<(), BuildError> {
    let root = show.root.canonicalize().unwrap_or_else(|_| show.root.to_path_buf());
    if out.exists() && !out.is_dir() {
        return Err(BuildError::Config(format!("the output path `{}` is a file, not a folder", out.display())));
    }
    let out_real = crate::fsutil::resolved(out);
    if root.starts_with(&out_real) {
        return Err(BuildError::Config(format!(
            "the output folder `{}` is the show folder or contains it; choose a folder of its own, e.g. --out public",
            out.display()
        )));
    }
    // Only a folder inside the show can hold its files; they are named by
    // their paths in the show (the manifest reader keeps them inside it).
    let Ok(inside) = out_real.strip_prefix(&root) else { return Ok(()) };
    // Nor podsmith's records (but for the sites built apart, a preview's
    // and a dry run's, which podsmith keeps there), nor the show's templates.
    let apart = [crate::show_lock::PREVIEW_DIR, crate::show_lock::DRY_RUN_DIR]
        .map(|d| Path::new(crate::show_lock::RECORDS_DIR).join(d));
    let folders = [crate::show_lock::RECORDS_DIR, "templates"];
    if let Some(name) = folders.iter().find(|f| inside.starts_with(f) && !apart.iter().any(|a| inside.starts_with(a))) {
        return Err(BuildError::Config(format!(
            "the output folder `{}` is in the show's {name}/ folder; choose a folder of its own, e.g. --out public",
            out.display(),
        )));
    }
    if let Some(name) = show.own_files().iter().find(|rel| Path::new(rel).starts_with(inside)) {
        // In the default output folder, the files were put there by hand.
        let fix = match out.file_name().is_some_and(|n| n == DEFAULT_OUT) {
            true => {
                "move them into media/ (and name them there in episodes.toml): each build rewrites the output \
                     folder; or choose another output folder, e.g. --out site"
            }
            false => "choose a folder of its own, e.g. --out public",
        };
        return Err(BuildError::Config(format!(
            "the output folder `{}` holds the show's own files ({name}); podsmith would publish over them: {fix}",
            out.display(),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two builds killed in a row: the first wrote a file (`chapters.json`)
    /// with bytes no finished build made, the second set out to write it
    /// otherwise and was killed before it did. The record the second saves
    /// before writing knows the first one's bytes, as well as its own: the
    /// next build takes the file for podsmith's, whichever it holds.
    #[test]
    fn a_file_a_killed_build_wrote_stays_known_when_the_next_build_is_killed_too() {
        let dir = tempfile::tempdir().unwrap();
        let (state, out) = (dir.path().join("state"), dir.path().join("public"));
        std::fs::create_dir_all(out.join("episodes/one")).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        let out = out.canonicalize().unwrap();
        let rel = "episodes/one/chapters.json";
        let (finished, first, second) = (b"{\"v\":0}".as_slice(), b"{\"v\":1}".as_slice(), b"{\"v\":2}".as_slice());
        std::fs::write(out.join(rel), first).unwrap();
        let written = record::Written { size: 7, mtime_ns: 1, fingerprint: Some(Fingerprint::of_bytes(finished)) };
        let mut site = record::SiteRecord { out: out.clone(), ..Default::default() };
        site.outputs.insert(rel.to_string(), written);
        site.pending.insert(rel.to_string(), Fingerprint::of_bytes(first));
        let pending = [(rel.to_string(), Fingerprint::of_bytes(second))];
        assert!(keep_what_an_unfinished_build_wrote(&mut site, &out, &pending));
        site.pending.extend(pending);
        let mut records = record::Records::read(&state);
        records.put(site);
        records.save(&state).unwrap();
        let read = record::Records::read(&state);
        let known = read.site(&out).unwrap().fingerprints(rel);
        for bytes in [first, second] {
            assert!(known.contains(&Fingerprint::of_bytes(bytes)), "{known:?}");
        }
        // Nothing to keep when the file holds what the record knows already.
        let mut site = read.site(&out).unwrap().clone();
        site.pending.insert(rel.to_string(), Fingerprint::of_bytes(second));
        assert!(!keep_what_an_unfinished_build_wrote(
            &mut site,
            &out,
            &[(rel.to_string(), Fingerprint::of_bytes(b"3"))]
        ));
    }
}
