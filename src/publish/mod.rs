//! `podsmith publish`: the site, built, put where listeners fetch it: a
//! bucket of an S3-compatible service or a folder. Only what changed is
//! sent, in an order that never breaks a listener (media and images, then
//! pages, then the per-format feeds, then `feed.xml`; deletions last), and
//! only what podsmith itself published is ever deleted.
//!
//! The stages: the site is built ([`crate::site::build`]: a publish never
//! sends a site older than its manifest and media, or one whose feeds do
//! not validate); its files are listed from the build record with their
//! fingerprints (`local`); the destination's record of what podsmith
//! published there ([`record`]) and one listing of the destination are
//! read, started while the build runs (`early`); what the record does not
//! know goes up while the listing comes (`ahead`); [`plan`] decides;
//! `store` sends.

#[cfg(feature = "publish")]
mod ahead;
#[cfg(feature = "publish")]
mod copy;
pub mod destination;
#[cfg(feature = "publish")]
mod digests;
#[cfg(feature = "publish")]
mod early;
#[cfg(feature = "publish")]
mod local;
pub mod notify;
#[cfg(feature = "publish")]
mod paging;
pub mod plan;
pub mod record;
#[cfg(feature = "publish")]
mod store;
pub(crate) mod uploads;

#[cfg(feature = "publish")]
use ahead::{Ahead, check_listing, remember_digests, upload_ahead};
#[cfg(feature = "publish")]
use early::{Early, Reading};
#[cfg(feature = "publish")]
use local::{LocalSite, local_site};
#[cfg(feature = "publish")]
use std::collections::HashMap;
#[cfg(feature = "publish")]
use std::path::Path;
use std::sync::Arc;

pub use destination::{Destination, check_endpoint};
pub use plan::{Phase, Plan, Reason};

use crate::diagnostic::Diagnostic;
use crate::progress::Progress;
use crate::site::BuildError;

/// A file this computer keeps about a destination (as
/// `paging::Paging::key` names it: where, and through which endpoint), in
/// the records of the show at `root`: `.podsmith/destination-<hash>.<kind>`.
pub(crate) fn destination_file(root: &std::path::Path, destination: &str, kind: &str) -> std::path::PathBuf {
    use sha2::{Digest as _, Sha256};
    let name = crate::text::hex(&Sha256::digest(destination.as_bytes())[..8]);
    root.join(crate::show_lock::RECORDS_DIR).join(format!("destination-{name}.{kind}"))
}

/// What to publish, where, how.
pub struct Options {
    /// The build to publish (it runs first).
    pub build: crate::site::Options,
    /// The destination (`--to`), over the `[publish]` table's.
    pub to: Option<String>,
    /// The endpoint (`--endpoint`), over the `[publish]` table's.
    pub endpoint: Option<String>,
    /// Say what would be done, and do nothing at the destination.
    pub dry_run: bool,
    /// Delete the media of removed episodes too.
    pub prune: bool,
    /// Replace objects in the way that podsmith did not publish.
    pub force: bool,
    /// Uploads at once (`--jobs`), over the `[publish]` table's.
    pub jobs: Option<usize>,
    /// Where the upload says how far it is (bytes).
    pub progress: Arc<dyn Progress>,
    /// Told each step of the publish as it ends (`None`: nobody asks).
    pub timeline: Option<Timeline>,
}

/// A step of a publish, told as it ends, to whoever times it
/// (`PODSMITH_TIMINGS=1 podsmith publish`; see [`Options::timeline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A step of the build it starts.
    Build(crate::site::Step),
    /// The build done (or found done).
    Built,
    /// The destination's record read.
    RecordRead,
    /// The destination listed.
    Listed,
    /// The keys new to the record asked about (a HEAD each), before
    /// anything goes up ahead of the listing.
    Asked,
    /// The plan made, after the listing.
    Planned,
    /// The files of one phase up.
    Uploaded(Phase),
    /// What the site no longer has deleted.
    Deleted,
    /// The destination's record written.
    Recorded,
    /// What a publish is about to upload noted beside the record (see
    /// [`record::Publishing`]).
    Noted,
}

impl Step {
    /// The step, as a timeline names it.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Build(s) => s.describe(),
            Step::Built => "build done",
            Step::RecordRead => "destination's record read",
            Step::Listed => "destination listed",
            Step::Asked => "new keys asked about",
            Step::Planned => "plan made",
            Step::Uploaded(Phase::Media) => "media and images up",
            Step::Uploaded(Phase::Page) => "pages up",
            Step::Uploaded(Phase::Feed) => "per-format feeds up",
            Step::Uploaded(Phase::MainFeed) => "feed.xml up",
            Step::Deleted => "objects the site no longer has deleted",
            Step::Recorded => "destination's record written",
            Step::Noted => "uploads under way noted",
        }
    }
}

/// Told each [`Step`] of a publish as it ends.
pub type Timeline = Arc<dyn Fn(Step) + Send + Sync>;

/// A feed of the site, and where apps fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedAddress {
    /// Its file name (`feed.xml`): its key under the destination's prefix.
    pub file: String,
    /// Its URL (under `base_url`).
    pub url: String,
}

/// What a publish did (or, with `--dry-run`, would do).
#[derive(Debug)]
pub struct Report {
    /// The build that ran first.
    pub build: crate::site::Report,
    /// The destination, as messages name it.
    pub destination: String,
    /// The plan.
    pub plan: Plan,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Why the destination's record was set aside, if it was.
    pub record_note: Option<String>,
    /// Why the note of a publish that did not finish could not be read, if
    /// one was found and could not: what it named is taken as podsmith's only
    /// where it holds the site's very bytes.
    pub unread_note: Option<String>,
    /// Each feed, and the URL apps fetch it from.
    pub feeds: Vec<FeedAddress>,
    /// The services told of the feeds this publish changed (see [`notify`]);
    /// with `--dry-run`, those that would be, none with a status.
    pub notified: Vec<notify::Notified>,
    /// What publishes killed part-way left half-written and this one
    /// removed (with `--dry-run`, would remove): temporary files (`KEY#N`)
    /// in a folder destination, by path; uploads in parts to a bucket
    /// (aborted), by key.
    pub swept: Vec<String>,
    /// Uploads in parts a publish killed part-way left that the service
    /// would not abort: key, upload id and the service's answer. Their
    /// parts may still be kept (and billed); the next publish tries again.
    pub stuck: Vec<String>,
    /// Uploads as `stuck`, that this publish was the third in a row to try
    /// to abort: no longer tried (some servers answer "access denied" for
    /// an upload they no longer have, which no publish could end).
    pub given_up: Vec<String>,
}

/// A publish that stopped: why, and what the build said if it ran (its
/// warnings, the changes it was allowed to make, are the podcaster's to
/// read whatever stopped the publish after it).
#[derive(Debug)]
pub struct Unpublished {
    /// Why it stopped.
    pub error: PublishError,
    /// The build's report, if the build was done.
    pub built: Option<Box<crate::site::Report>>,
}

/// Why a publish stopped.
#[derive(Debug)]
pub enum PublishError {
    /// The build failed (or the feeds do not validate).
    Build(BuildError),
    /// The manifest, the `[publish]` table or the command line does not say
    /// where to publish, or says it wrongly; or the destination refuses the
    /// credentials, or has no such bucket; or a destination folder has a
    /// link (or a file) where the site needs a folder.
    Config(Box<Diagnostic>),
    /// Objects podsmith did not publish are where the site's files go.
    Foreign {
        /// The destination.
        destination: String,
        /// Their keys.
        keys: Vec<String>,
        /// Why the note a publish that did not finish left there (which
        /// would have named its uploads) could not be read, if it could not.
        unread_note: Option<String>,
        /// Why the destination's record (which would have named them as
        /// podsmith's) was set aside, if it was.
        record_note: Option<String>,
    },
    /// The destination refused or failed.
    Store(Box<Diagnostic>),
}

impl PublishError {
    #[cfg(feature = "publish")]
    pub(crate) fn config(d: Diagnostic) -> PublishError {
        PublishError::Config(Box::new(d))
    }

    #[cfg(feature = "publish")]
    pub(crate) fn store(d: Diagnostic) -> PublishError {
        PublishError::Store(Box::new(d))
    }

    /// The diagnostics to show (a build's as the build says them).
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        match self {
            PublishError::Build(_) => None,
            PublishError::Config(d) | PublishError::Store(d) => Some((**d).clone()),
            PublishError::Foreign { destination, keys, unread_note, record_note } => {
                let shown: Vec<&str> = keys.iter().take(10).map(String::as_str).collect();
                let more = if keys.len() > 10 { format!(" and {} more", keys.len() - 10) } else { String::new() };
                let mut note = unread_note.as_ref().map_or_else(String::new, |why| {
                    format!(
                        " (the note of a publish that did not finish, {}, which would name what it sent, cannot be \
                         read: {why})",
                        record::PUBLISHING_KEY
                    )
                });
                if let Some(why) = record_note {
                    note.push_str(&format!(
                        " (its record of what podsmith published there, {}, was set aside: {why}; so none of them \
                         can be told to be podsmith's)",
                        record::KEY
                    ));
                }
                Some(
                    Diagnostic::error(
                        "PUBLISH-FOREIGN",
                        format!(
                            "{destination} holds {} podsmith did not publish where the site's files go: {}{more}{note}",
                            crate::text::count(keys.len(), "object"),
                            shown.join(", ")
                        ),
                    )
                    .help(format!(
                        "if they are an earlier copy of this site (uploaded by another tool, or by podsmith with a \
                         record that was lost or damaged), run again with --force: they are replaced and become \
                         podsmith's; else publish to another {}",
                        if destination.starts_with("file://") { "folder" } else { "prefix" }
                    )),
                )
            }
        }
    }
}

/// Builds the show and publishes it. While the build runs (once it has
/// read the manifest), the destination is opened, and its record read and
/// listed: a publish with little to send waits mostly on the network.
#[cfg(feature = "publish")]
pub fn publish(opts: &Options) -> Result<Report, Unpublished> {
    let unbuilt = |error| Unpublished { error, built: None };
    before_the_build(opts).map_err(unbuilt)?;
    // One TLS implementation for every HTTPS client in the process (ring,
    // which the validator's client uses too).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| {
        unbuilt(PublishError::store(Diagnostic::error("PUBLISH", format!("cannot start the uploader: {e}"))))
    })?;
    // The build reads the manifest, [publish] table included.
    let mut early =
        Early { opts, runtime: &runtime, reading: None, outputs: None, hosted: Default::default(), last: None };
    let apart = apart_for_a_dry_run(opts).map_err(unbuilt)?;
    let build = apart.as_ref().unwrap_or(&opts.build);
    let mut built = crate::site::build_observed(build, &mut early).map_err(|e| {
        // A dry run reads a copy of podsmith.lock: what is wrong in it is
        // wrong in the show's, which is the file to mend.
        let e = match (e, apart.as_ref().and_then(|a| a.preview.as_ref())) {
            (crate::site::BuildError::Lock(mut le), Some(p)) if le.path == p.lock => {
                le.path = crate::manifest::root_of(&opts.build.manifest).join(crate::lock::FILE_NAME);
                crate::site::BuildError::Lock(le)
            }
            (e, _) => e,
        };
        unbuilt(PublishError::Build(e))
    })?;
    if let Some(tell) = &opts.timeline {
        tell(Step::Built);
    }
    let state_root = build.state_root(&crate::manifest::root_of(&build.manifest));
    let done = once_built(opts, &mut built, early, &runtime, &state_root);
    // Nothing is left to wait for (an early reading of the destination the
    // manifest then named otherwise may be): the process need not.
    runtime.shutdown_background();
    let (dest, feeds, done) = match done {
        Ok(done) => done,
        // What the build said is not lost with the publish.
        Err(error) => return Err(Unpublished { error, built: Some(Box::new(built)) }),
    };
    let Done { plan, record_note, unread_note, notified, swept, stuck, given_up } = done;
    Ok(Report {
        build: built,
        destination: dest.describe(),
        plan,
        dry_run: opts.dry_run,
        record_note,
        unread_note,
        feeds,
        notified,
        swept,
        stuck,
        given_up,
    })
}

/// A dry run's build: apart from the show's, into `.podsmith/dry-run/site`
/// with a copy of `podsmith.lock` (so that what it would refuse is
/// refused, and what it is allowed to change is not recorded) and a build
/// record of its own; the show's output folder, lock and build record stay
/// as they are. `None` for a publish.
#[cfg(feature = "publish")]
fn apart_for_a_dry_run(opts: &Options) -> Result<Option<crate::site::Options>, PublishError> {
    use crate::show_lock::{DRY_RUN_DIR, RECORDS_DIR, own_dir};
    if !opts.dry_run {
        return Ok(None);
    }
    let root = crate::manifest::root_of(&opts.build.manifest);
    let fail = |path: &Path, e: std::io::Error| {
        PublishError::store(Diagnostic::error(
            "PUBLISH",
            format!("cannot build the dry run in {}: {e}", path.display()),
        ))
    };
    let work = root.join(RECORDS_DIR).join(DRY_RUN_DIR);
    for dir in [root.join(RECORDS_DIR), work.clone()] {
        own_dir(&dir).map_err(|e| fail(&dir, e))?;
    }
    let lock = work.join(crate::lock::FILE_NAME);
    copy_of_the_lock(&root.join(crate::lock::FILE_NAME), &lock).map_err(|e| fail(&lock, e))?;
    let preview = crate::site::Preview { base_url: None, lock, state: work.clone() };
    Ok(Some(crate::site::Options { out: Some(work.join("site")), preview: Some(preview), ..opts.build.clone() }))
}

/// Makes `copy` hold what the lock at `lock` holds (left as it is if it
/// does already, so that a dry run after another finds its inputs
/// unchanged), or not be, if there is no lock.
#[cfg(feature = "publish")]
fn copy_of_the_lock(lock: &Path, copy: &Path) -> std::io::Result<()> {
    let bytes = match crate::fsutil::open(lock) {
        Ok(f) => crate::fsutil::read_bounded(f, crate::fsutil::LOCK)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match std::fs::remove_file(copy) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        Err(e) => return Err(e),
    };
    crate::output::write_bytes(copy, &bytes).map(|_| ())
}

/// What is checked of a publish before the build: the destination and
/// endpoint given, that there is a destination, and a folder destination
/// outside the show and apart from the output folder.
#[cfg(feature = "publish")]
fn before_the_build(opts: &Options) -> Result<(), PublishError> {
    if let Some(to) = &opts.to {
        Destination::parse(to).map_err(|why| {
            PublishError::config(Diagnostic::error("PUBLISH-CONFIG", format!("--to \"{to}\": {why}")))
        })?;
    }
    if let Some(e) = &opts.endpoint {
        check_endpoint(e).map_err(|why| PublishError::config(Diagnostic::error("PUBLISH-CONFIG", why)))?;
    }
    // What can be told of the destination without the build is told before
    // it: a refused publish has built nothing, nor recorded its episodes as
    // published in podsmith.lock. (A manifest that cannot be read, or whose
    // [publish] table is wrong, is said by the build.)
    let text = crate::manifest::read_text(&opts.build.manifest).ok();
    let glanced = text.as_deref().and_then(crate::manifest::publish_glance);
    // (Only a manifest that names no publish table at all has none: the
    // glance reads a `[publish]` header, not an inline table or a dotted key;
    // a manifest that names one so is read whole for it, a rare cost.)
    let none_named = text.as_deref().is_some_and(|t| !t.lines().any(names_publish));
    let written_otherwise = || {
        let table: toml::Table = text.as_deref()?.parse().ok()?;
        Some(table.get("publish")?.get("to")?.as_str()?.to_string())
    };
    let glanced_to = glanced.as_ref().and_then(|g| g.to.clone());
    let to = opts.to.clone().or(glanced_to).or_else(|| (!none_named).then(written_otherwise).flatten());
    match to.as_deref().map(Destination::parse) {
        None if glanced.is_some() && none_named => return Err(no_destination()),
        Some(Ok(Destination::Folder(folder))) => {
            inside_the_show(&folder, &crate::manifest::root_of(&opts.build.manifest))?;
            // (In the output folder given: the build would write the live site.)
            if let Some(out) = &opts.build.out {
                apart_from_the_output(&folder, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether a line of a manifest may name the publish settings, in any form
/// TOML has: `[publish]`, `["publish"]`, `publish = { … }`, `publish.to = …`
/// (a line of notes that reads so only costs the check before the build).
#[cfg(feature = "publish")]
fn names_publish(line: &str) -> bool {
    let line = line.trim_start().trim_start_matches('[').trim_start().trim_start_matches(['"', '\'']);
    line.strip_prefix("publish")
        .is_some_and(|rest| rest.trim_start().starts_with(['=', '.', ']', '"', '\'']) || rest.trim().is_empty())
}

/// The error of a publish with nowhere to go.
#[cfg(feature = "publish")]
fn no_destination() -> PublishError {
    PublishError::config(Diagnostic::error("PUBLISH-CONFIG", "no destination to publish to").help(
        "give one: podsmith publish --to s3://BUCKET/PREFIX (or file:///PATH), or set it in episodes.toml: \
             [publish] to = \"s3://BUCKET/PREFIX\"",
    ))
}

/// The publish once the site is `built` (its build record under
/// `state_root`): the destination read, the plan made and (but for a dry
/// run) carried out. A site file left out (see [`local_site`]) is said
/// with the build's warnings.
#[cfg(feature = "publish")]
fn once_built(
    opts: &Options,
    built: &mut crate::site::Report,
    early: Early<'_>,
    runtime: &tokio::runtime::Runtime,
    state_root: &Path,
) -> Result<(Destination, Vec<FeedAddress>, Done), PublishError> {
    let Early { reading, outputs, hosted, .. } = early;
    let (settings, dest) = destination_of(opts, built)?;
    let mut left_out = Vec::new();
    let site = local_site(state_root, built, outputs, &mut left_out);
    built.warnings.extend(left_out);
    let (site, built) = (site?, &*built);
    keys_fit(&dest, &site)?;
    let feeds: Vec<FeedAddress> = match &built.base_url {
        Some(base) => built.feeds.iter().map(|f| FeedAddress { file: f.clone(), url: base.join(f) }).collect(),
        None => Vec::new(),
    };
    let done = if opts.dry_run && matches!(&dest, Destination::Folder(f) if !f.exists()) {
        // A dry run to a folder not made yet: everything is new, and the folder is not made.
        let plan = plan::make(&site.files, None, &HashMap::new(), opts.prune, opts.force);
        let notified = notify::not_yet(to_notify(built, &plan, &feeds));
        let (swept, stuck, given_up) = (Vec::new(), Vec::new(), Vec::new());
        Done { plan, record_note: None, unread_note: None, notified, swept, stuck, given_up }
    } else {
        let publishing = Publishing { opts, dest: &dest, settings: &settings, hosted: &hosted, built, feeds: &feeds };
        runtime.block_on(publishing.run(reading.filter(|r| r.dest == dest), site))?
    };
    Ok((dest, feeds, done))
}

/// Removes the temporary files `staged` that writes killed half way left
/// in the folder destination `folder` (see [`store::staged_key`]), once
/// the publish is done: those of a key podsmith publishes or published
/// (`record`, `before`: never another's), written last before the
/// publish `began` (not a write under way), never through a link.
/// Returns their paths (with `dry_run`, those it would remove).
#[cfg(feature = "publish")]
fn sweep_staged(
    folder: &std::path::Path,
    staged: &[String],
    (record, before): (&record::Published, Option<&record::Published>),
    began: std::time::SystemTime,
    dry_run: bool,
) -> Vec<String> {
    let ours = |key: &str| {
        key == record::KEY
            || key == record::PUBLISHING_KEY
            || record.objects.contains_key(key)
            || before.is_some_and(|b| b.objects.contains_key(key) || b.pending.contains_key(key))
    };
    let mut swept = Vec::new();
    for path in staged {
        if !store::staged_key(path).is_some_and(ours)
            || !destination::links_on_the_way(folder, [path.as_str()]).is_empty()
        {
            continue;
        }
        let file = folder.join(path);
        let old = std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t < began));
        if old && (dry_run || std::fs::remove_file(&file).is_ok()) {
            swept.push(path.clone());
        }
    }
    swept
}

/// Where to publish (`--to`, else the `[publish]` table's), with the table.
#[cfg(feature = "publish")]
fn destination_of(
    opts: &Options,
    built: &crate::site::Report,
) -> Result<(crate::manifest::PublishSettings, Destination), PublishError> {
    let settings = built.publish.clone();
    let to = opts.to.clone().or(settings.to.clone()).ok_or_else(no_destination)?;
    let dest = Destination::parse(&to)
        .map_err(|why| PublishError::config(Diagnostic::error("PUBLISH-CONFIG", format!("--to \"{to}\": {why}"))))?;
    if let Destination::Folder(folder) = &dest {
        inside_the_show(folder, &crate::manifest::root_of(&opts.build.manifest))?;
        apart_from_the_output(folder, &built.out)?;
    }
    Ok((settings, dest))
}

/// The longest key S3 takes, in bytes (AWS's limit; the services that
/// speak its API keep to it).
pub const MAX_KEY_BYTES: usize = 1024;

/// Refuses, before anything is sent, a bucket destination whose prefix
/// and a site file's key together make a key longer than S3 takes: the
/// upload would fail part-way through the publish, after the files
/// before it went up.
#[cfg(feature = "publish")]
fn keys_fit(dest: &Destination, site: &LocalSite) -> Result<(), PublishError> {
    let Destination::S3 { prefix, .. } = dest else {
        return Ok(());
    };
    let extra = if prefix.is_empty() { 0 } else { prefix.len() + 1 };
    // (The record and the note of a publish under way go beside the site.)
    let keys = site.files.iter().map(|f| f.key.as_str()).chain([record::KEY, record::PUBLISHING_KEY]);
    let Some(longest) = keys.max_by_key(|k| k.len()) else {
        return Ok(());
    };
    if extra + longest.len() <= MAX_KEY_BYTES {
        return Ok(());
    }
    let help = match longest.len() <= MAX_KEY_BYTES {
        true => format!(
            "shorten the prefix to at most {} bytes (--to or [publish] to), or the file's name",
            MAX_KEY_BYTES.saturating_sub(longest.len() + 1)
        ),
        false => "shorten the file's name or the folders it is in".to_string(),
    };
    Err(PublishError::config(
        Diagnostic::error(
            "PUBLISH-CONFIG",
            format!(
                "{}: the site's file {} would be stored under a key of {} bytes, and S3 takes keys of at most \
                 {MAX_KEY_BYTES}; nothing was sent",
                dest.describe(),
                longest,
                extra + longest.len()
            ),
        )
        .help(help),
    ))
}

/// What a publish did once the site was built.
#[cfg(feature = "publish")]
struct Done {
    /// The plan, carried out (or, with `--dry-run`, made).
    plan: Plan,
    /// Why the destination's record was set aside, if it was.
    record_note: Option<String>,
    /// Why a note of a publish that did not finish could not be read.
    unread_note: Option<String>,
    /// The services told of the feeds.
    notified: Vec<notify::Notified>,
    /// What publishes killed part-way left half-written and this one
    /// removed (see [`Report::swept`]).
    swept: Vec<String>,
    /// Uploads left that could not be aborted (see [`Report::stuck`]).
    stuck: Vec<String>,
    /// Those given up (see [`Report::given_up`]).
    given_up: Vec<String>,
}

/// A publish once the site is built: where to, and what the build said.
#[cfg(feature = "publish")]
struct Publishing<'a> {
    opts: &'a Options,
    dest: &'a Destination,
    settings: &'a crate::manifest::PublishSettings,
    /// The keys of the show's hosted media that are in the site's place.
    hosted: &'a std::collections::HashSet<String>,
    built: &'a crate::site::Report,
    /// Each feed: its file name, and the URL apps fetch it from.
    feeds: &'a [FeedAddress],
}

#[cfg(feature = "publish")]
impl Publishing<'_> {
    /// Reads the destination (or takes the reading `early` started, with
    /// what went up meanwhile), plans, and (but for a dry run) sends.
    async fn run(&self, early: Option<Reading>, mut site: LocalSite) -> Result<Done, PublishError> {
        let (opts, dest) = (self.opts, self.dest);
        let began = std::time::SystemTime::now();
        let show_root = crate::manifest::root_of(&opts.build.manifest);
        let mut digests = digests::Digests::load(&show_root);
        let (read, mut ahead) = self.read(early, &mut site, &mut digests).await?;
        let Read { sender, found: store::Found { record: (record, record_note), mut listed, cut, staged } } = read;
        // What went up ahead is planned as the record and the site say (the
        // listing may have been made after it landed: it is podsmith's,
        // not an object in the way nor one replaced by hand).
        for key in ahead.sent.keys() {
            match record.as_deref().and_then(|r| r.objects.get(key)) {
                Some(was) => listed.insert(key.clone(), plan::Listed { size: was.size, etag: was.etag.clone() }),
                None => listed.remove(key),
            };
        }
        // How the destination pages its listing, for the next publish (a cache).
        let paging_key = paging_key(dest, opts, self.settings);
        paging::Paging::load(&show_root).learn(&show_root, &paging_key, (cut, listed.len()));
        // The plan made from the record while the listing came, if the
        // listing finds the destination as the record says; else made now.
        let keys = plan::keys(&site.files);
        let made_ahead = match ahead.agreed {
            true => ahead.plan.take().map(|plan| (plan, true)),
            false => {
                let agreed = |r: &record::Published| plan::agrees(&keys, r, &listed);
                ahead.plan.take().filter(|_| record.as_deref().is_some_and(agreed)).map(|plan| (plan, false))
            }
        };
        let mut plan = match made_ahead {
            // Given the listing's ETags while the files sent ahead went up.
            Some((plan, true)) => plan,
            Some((plan, false)) => plan::with_listed_etags(plan, &keys, &listed),
            None => {
                site.digests(record.as_deref(), &mut digests, opts.progress.as_ref())?;
                self.plan(&sender, &site, record.as_deref(), &listed).await.map_err(|e| match e {
                    PublishError::Foreign { destination, keys, unread_note, .. } => {
                        PublishError::Foreign { destination, keys, unread_note, record_note: record_note.clone() }
                    }
                    other => other,
                })?
            }
        };
        sender.step(Step::Planned);
        let mut notified = notify::not_yet(to_notify(self.built, &plan, self.feeds));
        // The uploads in parts a publish killed part-way left go (their
        // parts are kept, and billed, until then).
        let store::Aborted { keys: mut swept, stuck, given_up } = sender.abort_left(opts.dry_run).await;
        if !opts.dry_run {
            self.send(&sender, &mut plan, ahead, record.as_deref(), &site, &mut digests).await?;
        }
        if let Some(folder) = &sender.opened.folder {
            swept.extend(sweep_staged(folder, &staged, (&plan.record, record.as_deref()), began, opts.dry_run));
        }
        if !opts.dry_run {
            // The new feeds are live: the services that fetch them are told.
            notified = notify::notify(to_notify(self.built, &plan, self.feeds)).await;
        }
        // A cache: not saving it only costs time at the next publish.
        let _ = digests.save(&show_root);
        // A big show's listing, record and site take a while to free: the
        // report need not wait for it.
        crate::site::free_later((listed, record, site, digests));
        Ok(Done { plan, record_note, unread_note: sender.unread_note(), notified, swept, stuck, given_up })
    }

    /// The destination as read (the reading `early` started, if any: what
    /// the site has that the destination's record does not goes up while
    /// the listing comes), and what went up meanwhile.
    async fn read(
        &self,
        early: Option<Reading>,
        site: &mut LocalSite,
        digests: &mut digests::Digests,
    ) -> Result<(Read, Ahead), PublishError> {
        let opts = self.opts;
        let Some(Reading { task, sender, told, .. }) = early else {
            let access = destination::Access { endpoint: opts.endpoint.clone(), settings: self.settings.clone() };
            let sender = Arc::new(open(self.dest, access, jobs(opts, self.settings), opts)?);
            // The record and the listing, side by side.
            let mut hints: Vec<String> = site.files.iter().map(|f| f.key.clone()).collect();
            hints.sort();
            let show_root = crate::manifest::root_of(&opts.build.manifest);
            let cut_at = paging::Paging::load(&show_root).cut_at(&paging_key(self.dest, opts, self.settings));
            let read = Read { found: sender.read(&hints, cut_at, None, None).await?, sender };
            return Ok((read, Ahead::default()));
        };
        // The record is read before the listing is done: what the site has
        // that it does not goes up meanwhile, and the listing, once in, is
        // checked against the record meanwhile.
        let mut ahead = Ahead::default();
        let (give, given) = futures::channel::oneshot::channel();
        let checking = tokio::spawn(check_listing(task, given));
        let (told, asked) = match (opts.dry_run, told.get().await) {
            (false, (Some((Some(record), _)), asked)) => (Some(record), asked),
            _ => (None, None),
        };
        let mut recorded_ahead = false;
        if let Some(record) = &told {
            ahead = upload_ahead(&sender, site, record, self.hosted, digests, opts, (asked, give)).await?;
            // (Written beside feed.xml already, if it could be.)
            recorded_ahead = ahead.recorded.is_some();
            // While the listing comes: the digests of what went up are
            // kept, and the record is written as it will be if the
            // listing finds the destination as the record says.
            if !ahead.sent.is_empty() && !checking.is_finished() {
                remember_digests(digests, site, &ahead);
                let _ = digests.save(&crate::manifest::root_of(&opts.build.manifest));
                // (If it cannot be written now, it is written after the listing.)
                if !recorded_ahead {
                    ahead.recorded = Self::record_ahead(&sender, record, &ahead).await.ok().flatten();
                }
                recorded_ahead = true;
            }
        } else {
            // Nothing goes ahead: the listing is not checked (nor waits to be).
            drop(give);
        }
        let (read, etags) = checking.await.map_err(reading_failed)?;
        let read = read?;
        // The listing agrees with the record (checked while the files went
        // up): the plan made from the record is the plan, given the listing's
        // ETags; and if the listing came first, the record as it now is is
        // written at once.
        if let (Some(etags), Some(plan)) = (etags, ahead.plan.as_mut()) {
            for (key, etag) in etags {
                if let Some(entry) = plan.record.objects.get_mut(&key) {
                    entry.etag = Some(etag);
                }
            }
            ahead.agreed = true;
            if let (Some(record), false, false) = (&told, recorded_ahead, ahead.sent.is_empty()) {
                ahead.recorded = Self::record_ahead(&sender, record, &ahead).await.ok().flatten();
            }
        }
        Ok((read, ahead))
    }

    /// Writes the record as it will be once the uploads sent `ahead` are
    /// all there is to do: as the plan makes it if the listing finds the
    /// destination as its `record` says (nothing more to send or delete;
    /// else nothing is written). Returns it, written: the publish need not
    /// write it again if the listing finds just that.
    async fn record_ahead(
        sender: &store::Sender,
        record: &record::Published,
        ahead: &Ahead,
    ) -> Result<Option<record::Published>, PublishError> {
        let Some(plan) = ahead.plan.as_ref().filter(|_| record.pending.is_empty()) else { return Ok(None) };
        if !plan.deletes.is_empty() || plan.puts.iter().any(|p| !ahead.sent.contains_key(&p.file.key)) {
            return Ok(None);
        }
        let written = store::closing(&plan.record)(&ahead.sent);
        sender.write_record(&written).await?;
        Ok(Some(written))
    }

    /// The plan for the destination as `record` and `listed` say it is:
    /// objects of the site's size in the way are asked for their ETags (if
    /// the listing did not give them) to tell whether they hold the site's
    /// bytes; refused if others are in the way.
    async fn plan(
        &self,
        sender: &store::Sender,
        site: &LocalSite,
        record: Option<&record::Published>,
        listed: &HashMap<String, plan::Listed>,
    ) -> Result<Plan, PublishError> {
        let folder = match self.dest {
            Destination::Folder(f) => Some(f.as_path()),
            Destination::S3 { .. } => None,
        };
        let in_the_way = site.in_the_way(record, listed, folder.is_some());
        let mut etags: HashMap<String, String> = HashMap::new();
        for &n in &in_the_way {
            let key = &site.files[n].key;
            if let Some(e) = listed.get(key).and_then(|l| l.etag.clone()) {
                etags.insert(key.clone(), e);
            }
        }
        if folder.is_none() {
            let asked: Vec<&String> =
                in_the_way.iter().map(|&n| &site.files[n].key).filter(|k| !etags.contains_key(*k)).collect();
            etags.extend(sender.etags(&asked).await);
        }
        let identical = site.identical(&in_the_way, &etags, folder);
        let (opts, hosted) = (self.opts, self.hosted);
        let terms = plan::Terms { prune: opts.prune, force: opts.force, identical: &identical, hosted };
        let plan = plan::make_with(&site.files, record, listed, terms);
        if !plan.foreign.is_empty() {
            let (destination, keys, unread_note) = (self.dest.describe(), plan.foreign.clone(), sender.unread_note());
            return Err(PublishError::Foreign { destination, keys, unread_note, record_note: None });
        }
        Ok(plan)
    }

    /// Carries out `plan` but what went up `ahead` (`record`: the
    /// destination's, as read), and caches the digests of the big files sent.
    async fn send(
        &self,
        sender: &store::Sender,
        plan: &mut Plan,
        ahead: Ahead,
        record: Option<&record::Published>,
        site: &LocalSite,
        digests: &mut digests::Digests,
    ) -> Result<(), PublishError> {
        if let Destination::Folder(folder) = self.dest {
            folder_links(folder, plan)?;
        }
        // What went up ahead is not sent again (the plan still names it);
        // but for the feeds, if anything is to go up after them (found
        // changed by hand by the listing): they go again, last.
        let all = std::mem::take(&mut plan.puts);
        let more = all.iter().any(|p| !ahead.sent.contains_key(&p.file.key));
        let again = |p: &&plan::Put| more && matches!(p.file.phase, plan::Phase::Feed | plan::Phase::MainFeed);
        plan.puts = all.iter().filter(|p| !ahead.sent.contains_key(&p.file.key) || again(p)).cloned().collect();
        plan.record.with_sent(&ahead.sent);
        // The record written while the listing came is the one to write.
        let written = plan.is_empty() && ahead.recorded.as_ref() == Some(&plan.record);
        let Ahead { sent: ahead_sent, pending, recorded, .. } = ahead;
        let before = pending.as_deref().or(record);
        // The digests of what went up ahead are cached while the rest goes
        // (what goes now is cached after it, with `run`'s save).
        let put = |digests: &mut digests::Digests, sent: HashMap<String, String>| {
            for (key, sha) in sent {
                if let Some(&stamp) = site.stamps.get(&key) {
                    digests.put(&key, stamp, &sha);
                }
            }
        };
        put(digests, ahead_sent.into_iter().filter_map(|(key, (_, sha))| Some((key, sha?))).collect());
        let saving = digests.take_changes().map(|json| {
            let root = crate::manifest::root_of(&self.opts.build.manifest);
            tokio::task::spawn_blocking(move || digests::Digests::write_taken(&root, &json))
        });
        let sent = match written {
            true => Ok(HashMap::new()),
            false => sender.run(plan, before, &site.root).await,
        };
        plan.puts = all;
        crate::site::free_later((pending, recorded));
        if let Some(saving) = saving {
            // (A cache: not saved, it only costs time at the next publish.)
            let _ = saving.await;
        }
        put(digests, sent?);
        Ok(())
    }
}

/// Reading the destination stopped (`e`: the task that read it failed).
#[cfg(feature = "publish")]
fn reading_failed(e: tokio::task::JoinError) -> PublishError {
    PublishError::store(Diagnostic::error("PUBLISH", format!("reading the destination failed: {e}")))
}

/// The services to tell of the feeds `plan` uploads (see [`notify`]).
#[cfg(feature = "publish")]
fn to_notify(built: &crate::site::Report, plan: &Plan, feeds: &[FeedAddress]) -> Vec<notify::Notice> {
    let changed: Vec<String> =
        feeds.iter().filter(|f| plan.puts.iter().any(|p| p.file.key == f.file)).map(|f| f.url.clone()).collect();
    notify::planned(built.websub_hub.as_ref(), &built.publish.notify, &changed)
}

/// Uploads at once: `--jobs`, else the `[publish]` table's, else 4.
#[cfg(feature = "publish")]
fn jobs(opts: &Options, settings: &crate::manifest::PublishSettings) -> usize {
    opts.jobs.or(settings.jobs.map(|j| j as usize)).unwrap_or(4).clamp(1, 64)
}

/// The destination, open to send to.
#[cfg(feature = "publish")]
fn open(
    dest: &Destination,
    access: destination::Access,
    jobs: usize,
    opts: &Options,
) -> Result<store::Sender, PublishError> {
    let opened = destination::open(dest, &access).map_err(|why| {
        PublishError::config(Diagnostic::error("PUBLISH-CONFIG", format!("{}: {why}", dest.describe())))
    })?;
    let (progress, timeline) = (opts.progress.clone(), opts.timeline.clone());
    let sender = store::Sender::new(opened, jobs, dest.describe(), progress, timeline);
    // A bucket's record is kept on this computer too (see `copy`).
    Ok(match dest {
        Destination::S3 { .. } => {
            let (key, root) =
                (paging_key(dest, opts, &access.settings), crate::manifest::root_of(&opts.build.manifest));
            sender.with_copy(copy::RecordCopy::of(&root, &key)).with_uploads(uploads::Unfinished::of(&root, &key))
        }
        _ => sender,
    })
}

/// The destination as read before the plan: its record (or why it was set
/// aside) and one listing.
#[cfg(feature = "publish")]
struct Read {
    sender: Arc<store::Sender>,
    found: store::Found,
}

/// How the paging cache names destination `dest` (see [`paging::Paging::key`]).
#[cfg(feature = "publish")]
fn paging_key(dest: &Destination, opts: &Options, settings: &crate::manifest::PublishSettings) -> String {
    paging::Paging::key(&dest.describe(), opts.endpoint.as_deref().or(settings.endpoint.as_deref()))
}

/// `--verify`: each feed fetched from its public URL and compared with what
/// was published, then the hosting checks of `validate --online` on every
/// media and image URL it names (HEAD, a Range request, lengths and types).
#[cfg(all(feature = "publish", feature = "online"))]
pub fn verify(report: &Report, progress: Arc<dyn Progress>) -> Vec<crate::validate::Report> {
    use crate::validate::online;
    let opts = online::Online { progress, ..Default::default() };
    let mut out = Vec::new();
    let mut targets = Vec::new();
    for FeedAddress { file, url } in &report.feeds {
        let path = report.build.out.join(file);
        let Ok(bytes) = crate::fsutil::read(&path, crate::fsutil::FEED) else { continue };
        let mut findings = Vec::new();
        let limit = crate::validate::xml::MAX_FEED_BYTES as u64;
        match online::fetch(url, opts.timeout, limit) {
            Ok(there) if there == bytes => {}
            Ok(_) => findings.push(
                Diagnostic::warning("PUBLISH-VERIFY", format!("{url} is not the feed just published"))
                    .help("a cache in front of the bucket may still hold the old one (feeds are cached for a minute); check again soon, and check that base_url is where the destination is served"),
            ),
            Err(why) => findings.push(
                Diagnostic::error("PUBLISH-VERIFY", format!("cannot fetch the feed at {url}: {why}")).help(
                    why.help.unwrap_or(
                        "check that base_url in episodes.toml is where the destination is served, and that its objects can be read by anyone",
                    ),
                ),
            ),
        }
        targets.push(crate::validate::targets(&bytes));
        out.push(crate::validate::Report { feed: url.clone(), findings, items: 0, media_checked: false });
    }
    // Each URL asked once, however many of the feeds carry it.
    let feeds: Vec<&[crate::validate::Target]> = targets.iter().map(Vec::as_slice).collect();
    for (report, found) in out.iter_mut().zip(online::check_feeds(&feeds, &opts)) {
        report.findings.extend(found);
    }
    out
}

/// Refuses a folder destination with a link (or a file) where a folder on
/// the way to an object to write or delete goes (the write or the deletion
/// would land outside the destination), or a folder where a file to write
/// goes (its upload could never land).
#[cfg(feature = "publish")]
fn folder_links(folder: &Path, plan: &Plan) -> Result<(), PublishError> {
    let puts = plan.puts.iter().map(|p| p.file.key.as_str());
    let keys = puts.clone().chain(plan.deletes.iter().map(String::as_str)).chain([record::KEY]);
    let mut problems = destination::links_on_the_way(folder, keys);
    // A folder where a file goes: the upload would fail there at every
    // publish, after the files before it (the feeds last) went up.
    let folders = puts.filter(|k| std::fs::symlink_metadata(folder.join(k)).is_ok_and(|m| m.is_dir()));
    problems.extend(folders.map(|k| format!("{k} is a folder where the site needs a file")));
    if problems.is_empty() {
        return Ok(());
    }
    Err(PublishError::config(
        Diagnostic::error(
            "PUBLISH-LINK",
            format!("in the destination folder {}: {}", folder.display(), problems.join("; ")),
        )
        .help("podsmith never writes or deletes through a link in the destination, nor over a folder: remove it (or move it away), or publish to another folder"),
    ))
}

/// A folder destination may not be in the show's folder (its output folder
/// above all): the site would be written over the show's own files, and the
/// record into the site; nor may it hold the show's folder.
#[cfg(feature = "publish")]
fn inside_the_show(folder: &Path, root: &Path) -> Result<(), PublishError> {
    let resolved = crate::fsutil::resolved(folder);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // Inside it, the site would go over the show's files; holding it, its
    // keys would reach them.
    let (relation, help) = if resolved.starts_with(&root) {
        ("is inside", "publish to a folder outside the show, e.g. file:///srv/www/podcast (public/ is the build's own)")
    } else if root.starts_with(&resolved) {
        (
            "holds",
            "publish to a folder of its own, outside the show, e.g. file:///srv/www/podcast: a web root that holds \
             the show would serve episodes.toml and its drafts",
        )
    } else {
        return Ok(());
    };
    Err(PublishError::config(
        Diagnostic::error(
            "PUBLISH-CONFIG",
            format!("file://{} {relation} the show's folder {}", folder.display(), root.display()),
        )
        .help(help),
    ))
}

/// A folder destination may not be the build's output folder, be in it or
/// hold it (one given outside the show with `--out`): the build would write
/// the live site itself, out of publish's order (feeds before media) and
/// deleting a removed episode's media without `--prune`.
#[cfg(feature = "publish")]
fn apart_from_the_output(folder: &Path, out: &Path) -> Result<(), PublishError> {
    let (resolved, out) = (crate::fsutil::resolved(folder), crate::fsutil::resolved(out));
    let relation = if resolved == out {
        "is"
    } else if resolved.starts_with(&out) {
        "is inside"
    } else if out.starts_with(&resolved) {
        "holds"
    } else {
        return Ok(());
    };
    Err(PublishError::config(
        Diagnostic::error(
            "PUBLISH-CONFIG",
            format!("file://{} {relation} the build's output folder {}", folder.display(), out.display()),
        )
        .help(
            "build into a folder of its own (--out, or public/ by default) and publish to the web root: publish \
             puts the site there in an order that never breaks a listener, which a build does not",
        ),
    ))
}

/// `Content-Type` and `Cache-Control` of a site file. Feeds go as
/// `application/rss+xml` (what Apple, Spotify and the podcast apps ask for
/// and accept; a browser offers to download it rather than show it, which
/// is what a feed URL is for). Media and images never change under their
/// URL (`podsmith.lock` sees to it): cached for a year, immutable; pages
/// for five minutes; feeds for one, so a new episode reaches apps soon.
pub fn headers(key: &str, phase: Phase) -> (&'static str, &'static str) {
    const MEDIA: &str = "public, max-age=31536000, immutable";
    const PAGE: &str = "public, max-age=300";
    const FEED: &str = "public, max-age=60";
    if matches!(phase, Phase::Feed | Phase::MainFeed) {
        return ("application/rss+xml; charset=utf-8", FEED);
    }
    let ext = key.rsplit_once('.').map_or("", |(_, e)| e);
    // (Asked of every file of the site at each publish: a match, not a map.)
    let is = |x: &str| ext.eq_ignore_ascii_case(x);
    let content_type = match () {
        _ if is("html") => "text/html; charset=utf-8",
        _ if is("mp3") => "audio/mpeg",
        _ if is("m4a") || is("mp4") => "audio/mp4",
        _ if is("aac") => "audio/aac",
        _ if is("ogg") || is("oga") || is("opus") => "audio/ogg",
        _ if is("flac") => "audio/flac",
        _ if is("wav") => "audio/wav",
        _ if is("jpg") || is("jpeg") => "image/jpeg",
        _ if is("png") => "image/png",
        _ if is("webp") => "image/webp",
        _ if is("gif") => "image/gif",
        _ if is("avif") => "image/avif",
        _ if is("svg") => "image/svg+xml",
        _ if is("pdf") => "application/pdf",
        _ if is("vtt") => "text/vtt; charset=utf-8",
        _ if is("srt") => "application/x-subrip",
        _ if is("json") => "application/json",
        _ if is("xml") => "application/xml; charset=utf-8",
        _ if is("txt") => "text/plain; charset=utf-8",
        _ if is("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };
    let cache = if phase == Phase::Page { PAGE } else { MEDIA };
    (content_type, cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_by_kind() {
        assert_eq!(headers("feed.xml", Phase::MainFeed), ("application/rss+xml; charset=utf-8", "public, max-age=60"));
        assert_eq!(headers("episodes/a/index.html", Phase::Page).0, "text/html; charset=utf-8");
        assert_eq!(headers("media/a.MP3", Phase::Media), ("audio/mpeg", "public, max-age=31536000, immutable"));
        assert_eq!(headers("media/a.opus", Phase::Media).0, "audio/ogg");
        assert_eq!(headers("media/cover.jpg", Phase::Media).0, "image/jpeg");
        assert_eq!(headers("media/x.bin", Phase::Media).0, "application/octet-stream");
        assert_eq!(headers("media/noext", Phase::Media).0, "application/octet-stream");
        assert_eq!(headers("media/a.Opus", Phase::Media).0, "audio/ogg");
        assert_eq!(headers("media/a.M4A", Phase::Media).0, "audio/mp4");
        assert_eq!(headers("sitemap.xml", Phase::Page), ("application/xml; charset=utf-8", "public, max-age=300"));
    }
}
