//! `podsmith build` and `podsmith diff`.

use std::path::Path;
use std::process::ExitCode;

use podsmith::diagnostic::Diagnostic;
use podsmith::lock::{Change, Lock};
use podsmith::show_lock::Access;
use podsmith::site::{Observer, Options, Report, Step, build, build_observed};
use serde_json::json;

use super::{Failure, Ui};
use crate::cli::BuildArgs;

pub fn run(args: BuildArgs, ui: &Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(args.site.as_of.as_deref(), Some(&args.site.manifest))?;
    let _lock = super::lock_show(&args.site.manifest, Access::Exclusive, ui, "build")?;
    let opts = Options {
        manifest: args.site.manifest,
        out: args.site.out,
        now,
        allow_changes: args.site.allow_changes,
        probe: podsmith::catalog::ProbeOptions {
            recheck: args.recheck,
            jobs: usize::from(args.jobs),
            ..super::probe_options(args.no_cache, ui)
        },
        force: args.force,
        preview: None,
    };
    let built = match Timings::wanted() {
        Some(mut timings) => build_observed(&opts, &mut timings),
        None => build(&opts),
    };
    let report = built.map_err(|e| Failure::from_build(&e, ""))?;
    tell(&report, ui);
    ui.finish(true, as_json(&report));
    // The process ends next: a big show's report (a line per media file)
    // is not worth freeing on the way out.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

/// Everything a build says on stderr (`publish` says it too).
pub(super) fn tell(report: &Report, ui: &Ui) {
    say_changes(report, ui);
    say_details(report, ui);
    if let Some(note) = &report.probe_stats.cache_note {
        ui.diagnostic(note);
    }
    ui.diagnostics(&report.probe_stats.notes);
    let p = &report.probe_stats;
    if p.requests > 0 {
        ui.info(format!(
            "hosted media: {} measured, {} request{}, {} KiB read",
            p.hosted,
            p.requests,
            podsmith::text::plural(p.requests as usize),
            p.bytes_read.div_ceil(1024)
        ));
    }
    ui.diagnostics(&report.warnings);
    // What puts it in the feed then: a publish where the show has a destination.
    let command = if report.publish.to.is_some() { "podsmith publish" } else { "podsmith build" };
    // (Those published already, left out by a look back, are said with the changes.)
    let looked_back: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.looks_back())
        .filter_map(|c| match c {
            podsmith::lock::Change::Removed { guid, .. } => Some(guid.as_str()),
            _ => None,
        })
        .collect();
    let scheduled: Vec<_> =
        report.scheduled.iter().filter(|s| !looked_back.contains(&s.episode.guid.as_str())).collect();
    // The next few to go live (all of them with -v); `list` lists them all.
    let shown = if ui.verbose() { scheduled.len() } else { SCHEDULED_SHOWN };
    for s in scheduled.iter().take(shown) {
        ui.info(format!(
            "scheduled: {} goes live at {}; it is left out until then (run `{command}` again after that time)",
            podsmith::text::quoted(s.title()),
            s.date().to_rfc3339()
        ));
    }
    if let Some(last) = scheduled.last().filter(|_| scheduled.len() > shown) {
        ui.info(format!(
            "scheduled: and {} more episode{}, the last going live at {} (`podsmith list` lists them)",
            scheduled.len() - shown,
            podsmith::text::plural(scheduled.len() - shown),
            last.date().to_rfc3339()
        ));
    }
    ui.info(summary(report));
}

/// How many scheduled episodes a build names (the next to go live).
const SCHEDULED_SHOWN: usize = 5;

/// What changed for subscribers, and what the build cleaned up.
fn say_changes(report: &Report, ui: &Ui) {
    for c in report.changes.iter().filter(|c| c.breaks_identity()) {
        ui.diagnostic(&Diagnostic::warning(
            "IDENTITY",
            format!("published identity changed (--allow-changes): {}", c.describe()),
        ));
    }
    for c in report.changes.iter().filter(|c| !c.breaks_identity()) {
        match c {
            // Worth a warning: the podcaster may publish without a diff.
            Change::CoverChangedInPlace { .. } => {
                ui.diagnostic(&Diagnostic::warning("ART-SAME-URL", c.describe()).help(c.help().unwrap_or_default()))
            }
            Change::MediaChangedInPlace { .. } => {
                ui.diagnostic(&Diagnostic::warning("MEDIA-SAME-URL", c.describe()).help(c.help().unwrap_or_default()))
            }
            _ => ui.info(c),
        }
    }
    if !report.removed.is_empty() {
        ui.info(format!(
            "removed {} an earlier build published and this one does not: {}",
            podsmith::text::count(report.removed.len(), "file"),
            report.removed.join(", ")
        ));
    }
    if report.swept > 0 {
        ui.info(format!(
            "removed {} an interrupted podsmith command had left",
            podsmith::text::count(report.swept, "temporary file")
        ));
    }
    // A look ahead into the folder that is uploaded (not one of its own,
    // `--out`) would publish its episodes early if uploaded as it is.
    let uploaded = report.out.file_name().is_some_and(|n| n == podsmith::site::DEFAULT_OUT);
    if report.look_ahead && uploaded {
        ui.diagnostic(
            &Diagnostic::warning(
                "LOOK-AHEAD",
                format!(
                    "built as of a moment still to come (--as-of): {} holds what is published then, with any \
                     episode scheduled until then; podsmith.lock is left as it is (such episodes are recorded as \
                     published by a build at their time)",
                    report.out.display()
                ),
            )
            .help(
                "do not upload it as it is: a build without --as-of puts it back; to look ahead without touching \
                 it, build with --out into another folder",
            ),
        );
    } else if report.look_ahead {
        ui.info(
            "built as of a moment still to come (--as-of): podsmith.lock is left as it is (the episodes this \
             shows are recorded as published by a build at their time)",
        );
    }
    if report.look_back {
        ui.info(
            "built as of a moment before the date of episodes already published (--as-of): podsmith.lock is left \
             as it is (they are published still)",
        );
    }
    if report.first_build {
        ui.info(format!(
            "recorded the {} in podsmith.lock: keep it with episodes.toml",
            podsmith::text::count(report.episodes, "published episode")
        ));
    }
}

/// With `-v`: what was probed, how each file was measured, what was written.
fn say_details(report: &Report, ui: &Ui) {
    if report.nothing_changed {
        ui.detail(
            "nothing changed since the last build (.podsmith/build.json): nothing was probed, rendered or written",
        );
    }
    let p = &report.probe_stats;
    if p.probed == 0 {
        ui.detail(format!(
            "probed nothing: {} unchanged since {} measured (.podsmith/cache.json)",
            match p.cached {
                1 => "the one media file is".to_string(),
                n => format!("all {n} media files are"),
            },
            if p.cached == 1 { "it was" } else { "they were" }
        ));
    } else {
        ui.detail(format!(
            "probed {}; {} unchanged {} from the cache",
            podsmith::text::count(p.probed, "media file"),
            p.cached,
            if p.cached == 1 { "one came" } else { "ones came" }
        ));
    }
    // Thousands of lines in a big show: made only for `-v`.
    let measured = if ui.verbose() { report.measured.as_slice() } else { &[] };
    for (rel, secs, method) in measured {
        let how = match method {
            podsmith::probe::Method::Header => "from its header",
            podsmith::probe::Method::Scan => "by counting frames (no exact length in its header)",
        };
        ui.detail(format!("{rel}: {secs:.3} s, measured {how}"));
    }
    ui.detail(format!(
        "{} written, {} already up to date",
        podsmith::text::count(report.stats.written, "file"),
        report.stats.unchanged
    ));
}

/// `Built 4 episodes into public: …`.
fn summary(report: &Report) -> String {
    let linked = match report.linked {
        0 => String::new(),
        n => format!(", {} the notes link to", podsmith::text::count(n, "file")),
    };
    format!(
        "Built {} episode{} into {}: {} ({} feed{}), {} pages, {} media/image files{linked}; {} written, {} unchanged, in {:.2}s",
        report.episodes,
        podsmith::text::plural(report.episodes),
        report.out.display(),
        report.feeds.join(", "),
        report.feeds.len(),
        podsmith::text::plural(report.feeds.len()),
        report.pages,
        report.files,
        report.stats.written,
        report.stats.unchanged,
        report.seconds
    )
}

/// What `build --format json` says besides its diagnostics.
pub(super) fn as_json(report: &Report) -> serde_json::Value {
    let scheduled: Vec<_> =
        report.scheduled.iter().map(|s| json!({ "title": s.title(), "date": s.date().to_rfc3339() })).collect();
    json!({
        "out": report.out.display().to_string(),
        "episodes": report.episodes,
        "feeds": report.feeds,
        "pages": report.pages,
        "files": report.files,
        "linked": report.linked,
        "written": report.stats.written,
        "unchanged": report.stats.unchanged,
        "removed": report.removed,
        "scheduled": scheduled,
        "changes": changes_json(&report.changes),
        "nothing_changed": report.nothing_changed,
        "probed": report.probe_stats.probed,
        "hosted": {
            "measured": report.probe_stats.hosted,
            "requests": report.probe_stats.requests,
            "bytes_read": report.probe_stats.bytes_read,
        },
        "seconds": report.seconds,
    })
}

fn changes_json(changes: &[Change]) -> Vec<serde_json::Value> {
    changes
        .iter()
        .map(|c| {
            // What changed, by its fields (`kind`, `guid`, `old`, `new` …),
            // and as people read it.
            let mut v = serde_json::to_value(c).unwrap_or_else(|_| json!({}));
            if let Some(o) = v.as_object_mut() {
                o.insert("mark".into(), json!(c.mark().to_string()));
                o.insert("change".into(), json!(c.describe()));
                // (No help is "", as in every diagnostic.)
                o.insert("help".into(), json!(c.fix().unwrap_or_default()));
                o.insert("breaks_identity".into(), json!(c.breaks_identity()));
            }
            v
        })
        .collect()
}

/// `podsmith diff`: what the next build changes for subscribers.
pub fn diff(manifest: &Path, as_of: Option<&str>, ui: &Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(as_of, Some(manifest))?;
    let _lock = super::lock_show(manifest, Access::Shared, ui, "diff")?;
    let opts = super::in_memory(manifest, now, ui);
    let prepared = podsmith::site::prepare(&opts).map_err(|e| Failure::from_build_of(&e, "", "diff"))?;
    let (old, new, mut changes) = prepared.changes().map_err(|e| Failure::of(vec![e.diagnostic()], 1))?;
    if old.is_some() {
        changes.extend(prepared.replaced_since_last_build(&changes));
    }
    // No lock where the output folder was built before: a lock lost (or
    // deleted to start afresh), said as such.
    let built_before = old.is_none()
        && prepared.out.canonicalize().is_ok_and(|out| {
            podsmith::site::record::Records::read(&prepared.state_root)
                .site(&out)
                .is_some_and(|r| !r.outputs.is_empty())
        });
    let mut said = diff_lines(old.as_ref(), &new, &changes);
    if built_before {
        said.summary = format!(
            "no podsmith.lock, though {} was built before: the next build makes it afresh and checks nothing \
             published before (if it was lost, put it back: git checkout podsmith.lock); it publishes {}",
            prepared.out.display(),
            podsmith::text::count(new.episodes.len(), "episode")
        );
    }
    // Changes a build would refuse are a finding (exit 1), as validate's
    // errors are: a script gating a merge on `podsmith diff` is told.
    let refused = said.refused.is_some();
    // What a build would refuse is an error, said on stderr (and counted
    // among the JSON document's errors), not a line of the changes.
    if let Some(why) = &said.refused {
        ui.diagnostic(&Diagnostic::error("IDENTITY", why.clone()).help(
            "put back what was published (see each change above), or publish the change on purpose: \
             podsmith build --allow-changes",
        ));
    }
    if ui.is_json() {
        let first = old.is_none();
        // Before the first build every episode is new, as the text says.
        let changes: Vec<Change> = match first {
            true => {
                new.episodes.iter().map(|e| Change::Added { title: e.title.clone(), guid: e.guid.clone() }).collect()
            }
            false => changes,
        };
        ui.finish(
            !refused,
            json!({
                "first_build": first,
                "changes": changes_json(&changes),
                // (An object, as the summary of any command that failed.)
                "summary": Diagnostic::info("DIFF", said.summary),
                "refused": said.refused,
            }),
        );
    } else {
        for line in said.lines() {
            outln!("{line}");
        }
    }
    Ok(if refused { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// What `diff` says: the changes, what they amount to, and what a build
/// would refuse of them.
struct DiffText {
    /// Whether nothing was built yet (no podsmith.lock).
    first_build: bool,
    /// A line per change (before the first build, per new episode).
    changes: Vec<String>,
    /// What they amount to: "3 changes; 2 episodes unchanged", or what the
    /// first build publishes.
    summary: String,
    /// That `podsmith build` refuses some of them, where it would.
    refused: Option<String>,
}

impl DiffText {
    /// The lines `diff` prints, in order: before the first build the
    /// summary leads, since it says what the lines after it are.
    fn lines(&self) -> Vec<&str> {
        let changes = self.changes.iter().map(String::as_str);
        match self.first_build {
            true => std::iter::once(self.summary.as_str()).chain(changes).collect(),
            false => changes.chain(std::iter::once(self.summary.as_str())).collect(),
        }
    }
}

/// What `diff` prints: the changes, then what they amount to.
fn diff_lines(old: Option<&Lock>, new: &Lock, changes: &[Change]) -> DiffText {
    let Some(_) = old else {
        let summary = format!(
            "nothing built yet (no podsmith.lock): the first build publishes {}",
            podsmith::text::count(new.episodes.len(), "episode")
        );
        let changes = new
            .episodes
            .iter()
            .map(|e| format!("+ new {} (guid {})", podsmith::text::episode_place(&e.title), e.guid))
            .collect();
        return DiffText { first_build: true, changes, summary, refused: None };
    };
    // By guid: two episodes may share a title.
    let touched: std::collections::BTreeSet<&str> = changes.iter().filter_map(Change::episode_guid).collect();
    let unchanged = new.episodes.iter().filter(|e| !touched.contains(e.guid.as_str())).count();
    let summary = match (changes.is_empty(), unchanged) {
        (true, 1) => "no changes since the last build: subscribers see the same episode".to_string(),
        (true, n) => format!("no changes since the last build: subscribers see the same {n} episodes"),
        (false, _) => format!(
            "{}; {} unchanged",
            podsmith::text::count(changes.len(), "change"),
            podsmith::text::count(unchanged, "episode")
        ),
    };
    let refused = changes.iter().any(Change::breaks_identity).then(|| {
        "`podsmith build` refuses the changes marked ! and - (published guids and URLs) unless given --allow-changes"
            .to_string()
    });
    DiffText { first_build: false, changes: changes.iter().map(Change::to_string).collect(), summary, refused }
}

/// With `PODSMITH_TIMINGS` set (to anything), a build (or a publish) says
/// on stderr when each of its steps ended, from the moment it started:
/// where its time goes, for whoever measures it (BENCHMARKS.md's timelines).
pub(super) struct Timings {
    started: std::time::Instant,
    last: std::sync::Mutex<std::time::Instant>,
}

impl Timings {
    pub(super) fn wanted() -> Option<Timings> {
        let now = std::time::Instant::now();
        std::env::var_os("PODSMITH_TIMINGS").map(|_| Timings { started: now, last: std::sync::Mutex::new(now) })
    }

    /// Says that step `what` ended: the time since the start, and since the last step.
    pub(super) fn ended(&self, what: &str) {
        // (The time taken once the lock is: lines from two threads stay in order.)
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!("timing: {:9.2} ms {:8.2} ms  {what}", ms(now - self.started), ms(now - *last));
        *last = now;
    }
}

impl Observer for Timings {
    fn step(&mut self, done: Step) {
        self.ended(done.describe());
    }
}
