//! `podsmith build`.

use std::path::Path;
use std::process::ExitCode;

use podsmith::manifest::ManifestError;
use podsmith::show_lock::Access;
use podsmith::site::{BuildError, Options, build};

use super::{Failure, Ui};
use crate::cli::BuildArgs;

pub fn run(args: BuildArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(args.as_of.as_deref())?;
    let _lock = super::lock_show(&args.manifest, Access::Exclusive, ui, "build")?;
    let opts = Options {
        manifest: args.manifest,
        out: args.out,
        now,
        allow_changes: args.allow_changes,
        probe: super::probe_options(args.no_cache, ui),
        force: args.force,
    };
    let report = build(&opts).map_err(failure)?;
    for c in report.changes.iter().filter(|c| c.breaks_identity()) {
        ui.warn(format!("published identity changed (--allow-changes): {c}"));
    }
    for c in report.changes.iter().filter(|c| !c.breaks_identity()) {
        ui.info(c);
    }
    if !report.removed.is_empty() {
        ui.info(format!(
            "removed {} file(s) an earlier build published and this one does not: {}",
            report.removed.len(),
            report.removed.join(", ")
        ));
    }
    if report.swept > 0 {
        ui.info(format!("removed {} temporary file(s) an interrupted podsmith command had left", report.swept));
    }
    if report.first_build {
        ui.info(format!(
            "recorded the {} published episode(s) in podsmith.lock: keep it with episodes.toml",
            report.episodes
        ));
    }

    if report.nothing_changed {
        ui.detail(
            "nothing changed since the last build (.podsmith/build.json): nothing was probed, rendered or written",
        );
    }
    let p = &report.probe_stats;
    if let Some(note) = &p.cache_note {
        ui.warn(note);
    }
    if p.probed == 0 {
        ui.detail(format!(
            "probed nothing: all {} media file(s) are unchanged since they were measured (.podsmith/cache.json)",
            p.cached
        ));
    } else {
        ui.detail(format!("probed {} media file(s); {} unchanged ones came from the cache", p.probed, p.cached));
    }
    for w in &report.warnings {
        ui.warn(w);
    }
    for s in &report.scheduled {
        ui.info(format!(
            "scheduled: \"{}\" goes live at {}; it is left out until then (run `podsmith build` again after that time)",
            s.title,
            s.date.to_rfc3339()
        ));
    }
    for (rel, secs, method) in &report.measured {
        let how = match method {
            podsmith::probe::Method::Header => "from its header",
            podsmith::probe::Method::Scan => "by counting frames (no exact length in its header)",
        };
        ui.detail(format!("{rel}: {secs:.3} s, measured {how}"));
    }
    ui.detail(format!("{} file(s) written, {} already up to date", report.stats.written, report.stats.unchanged));
    ui.info(format!(
        "Built {} episode{} into {}: {} ({} feed{}), {} pages, {} media/image files; {} written, {} unchanged, in {:.2}s",
        report.episodes,
        if report.episodes == 1 { "" } else { "s" },
        report.out.display(),
        report.feeds.join(", "),
        report.feeds.len(),
        if report.feeds.len() == 1 { "" } else { "s" },
        report.pages,
        report.files,
        report.stats.written,
        report.stats.unchanged,
        report.seconds
    ));
    Ok(ExitCode::SUCCESS)
}

fn failure(e: BuildError) -> Failure {
    match &e {
        BuildError::Manifest(ManifestError::Read { .. }) => Failure::usage(format!(
            "{e}\n  help: run podsmith in the show's folder, or name the manifest with --manifest path/to/episodes.toml"
        )),
        BuildError::Config(_) | BuildError::Foreign { .. } | BuildError::Paths(_) => Failure::usage(e.to_string()),
        _ => Failure::content(e.to_string()),
    }
}

/// `podsmith diff`: what the next build changes for subscribers.
pub fn diff(manifest: &Path, as_of: Option<&str>, ui: Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(as_of)?;
    let _lock = super::lock_show(manifest, Access::Shared, ui, "diff")?;
    let opts = Options {
        manifest: manifest.to_path_buf(),
        out: None,
        now,
        allow_changes: false,
        probe: super::probe_options(false, ui),
        force: false,
    };
    let prepared = podsmith::site::prepare(&opts).map_err(failure)?;
    let (old, new, changes) = prepared.changes().map_err(|e| Failure::content(e.to_string()))?;
    let Some(_) = old else {
        outln!("nothing built yet (no podsmith.lock): the first build publishes {} episode(s)", new.episodes.len());
        for e in &new.episodes {
            outln!("+ new episode \"{}\" (guid {})", e.title, e.guid);
        }
        return Ok(ExitCode::SUCCESS);
    };
    use podsmith::lock::Change;
    for c in &changes {
        outln!("{c}");
    }
    let titled = |c: &Change| match c {
        Change::Added { title, .. }
        | Change::GuidChanged { title, .. }
        | Change::UrlChanged { title, .. }
        | Change::PageMoved { title, .. }
        | Change::NotesChanged { title }
        | Change::TitleChanged { new: title, .. } => Some(title.clone()),
        Change::Removed { .. } => None,
    };
    let touched: std::collections::BTreeSet<String> = changes.iter().filter_map(titled).collect();
    let unchanged = new.episodes.iter().filter(|e| !touched.contains(&e.title)).count();
    if changes.is_empty() {
        outln!("no changes since the last build: subscribers see the same {unchanged} episode(s)");
    } else {
        outln!("{} change(s); {unchanged} episode(s) unchanged", changes.len());
    }
    if changes.iter().any(Change::breaks_identity) {
        outln!(
            "`podsmith build` refuses the changes marked ! and - (published guids and URLs) unless given --allow-changes"
        );
    }
    Ok(ExitCode::SUCCESS)
}
