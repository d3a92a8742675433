//! `podsmith publish`.

use std::process::ExitCode;

use podsmith::publish::{Options, Plan, PublishError, Report, Unpublished, publish};
use podsmith::show_lock::Access;
use serde_json::json;

use super::{Failure, Ui};
use crate::cli::PublishArgs;

pub fn run(args: PublishArgs, ui: &Ui) -> Result<ExitCode, Failure> {
    let args_verify = args.verify;
    let now = super::parse_now(args.site.as_of.as_deref(), Some(&args.site.manifest))?;
    let _lock = super::lock_show(&args.site.manifest, Access::Exclusive, ui, "publish")?;
    let opts = Options {
        build: podsmith::site::Options {
            manifest: args.site.manifest,
            out: args.site.out,
            now,
            allow_changes: args.site.allow_changes,
            probe: super::probe_options(false, ui),
            force: false,
            preview: None,
        },
        to: args.to,
        endpoint: args.endpoint,
        dry_run: args.dry_run,
        prune: args.prune,
        force: args.force,
        jobs: args.jobs.map(|j| j as usize),
        progress: ui.progress(),
        timeline: super::build::Timings::wanted().map(|t| {
            let tell: podsmith::publish::Timeline = std::sync::Arc::new(move |done| t.ended(done.describe()));
            tell
        }),
    };
    let report = publish(&opts).map_err(|Unpublished { error, built }| {
        // What the build said first (its warnings, the changes it was
        // allowed to make), then why the publish stopped after it.
        if let Some(built) = built {
            super::build::tell(&built, ui);
        }
        match error {
            PublishError::Build(e) => Failure::from_build_of(&e, "", "publish"),
            PublishError::Config(d) => Failure::of(vec![*d], 2),
            // As a build's output folder holding files it did not write: setup.
            e @ PublishError::Foreign { .. } => Failure::of(e.diagnostic().into_iter().collect(), 2),
            e => Failure::of(e.diagnostic().into_iter().collect(), 1),
        }
    })?;
    let mut report = report;
    if report.dry_run {
        // What its build removed from its own copy of the site, apart in
        // .podsmith/dry-run: nothing of the show's (the plan's DELETE lines
        // say what would go from the destination).
        report.build.removed.clear();
        // Nor was the show's podsmith.lock written (its copy there was).
        report.build.first_build = false;
    }
    super::build::tell(&report.build, ui);
    tell_plan(&report, ui);
    ui.info(summary(&report));
    tell_notified(&report, ui);
    let mut json = as_json(&report);
    let mut ok = true;
    if args_verify && !report.dry_run {
        let checked = verify(&report, ui)?;
        ok = !checked.iter().any(|r| r.findings.iter().any(|f| f.is_error()));
        json["verify"] = serde_json::to_value(&checked).unwrap_or_default();
    }
    ui.finish(ok, json);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What the publish did (or, dry, would do), beyond the summary: the
/// destination's record set aside, a note of a publish that did not finish
/// that could not be read, the plan's lines (on stdout for a dry
/// run, else with `-v`), objects taken as podsmith's, drift uploaded
/// again, media of removed episodes kept.
/// The uploads in parts a killed publish left that the service would not
/// abort (see [`Report::stuck`]), each a warning; and those given up (see
/// [`Report::given_up`]).
fn tell_stuck(report: &Report, ui: &Ui) {
    for stuck in &report.stuck {
        ui.diagnostic(
            &podsmith::diagnostic::Diagnostic::warning(
                "PUBLISH-ABORT",
                format!(
                    "{}: an upload in parts a publish killed part-way left could not be aborted: {stuck}",
                    report.destination
                ),
            )
            .help(
                "its parts may still be kept (and billed) by the service: the next publish tries again; to end it \
                 now, abort it in the service's console, or with `aws s3api abort-multipart-upload`",
            ),
        );
    }
    for given_up in &report.given_up {
        ui.diagnostic(
            &podsmith::diagnostic::Diagnostic::warning(
                "PUBLISH-ABORT",
                format!(
                    "{}: an upload in parts a publish killed part-way left could not be aborted by three publishes \
                     in a row, and is no longer tried: {given_up}",
                    report.destination
                ),
            )
            .help(
                "if the service still lists it (`aws s3api list-multipart-uploads`), its parts are kept (and billed): \
                 abort it in the service's console, or let a lifecycle rule end such uploads \
                 (AbortIncompleteMultipartUpload); some servers answer \"access denied\" for an upload they no \
                 longer have",
            ),
        );
    }
}

fn tell_plan(report: &Report, ui: &Ui) {
    // A dry run says what it would do, not what it did.
    let dry = report.dry_run;
    tell_stuck(report, ui);
    if let Some(why) = &report.record_note {
        let (written, deleted) = match dry {
            true => ("would be written", "would be deleted"),
            false => ("was written", "was deleted"),
        };
        ui.diagnostic(&podsmith::diagnostic::Diagnostic::warning(
            "PUBLISH-RECORD",
            format!(
                "{}'s record of what podsmith published there was set aside ({why}): a new one {written}; nothing \
                 {deleted}, as nothing there could be told to be podsmith's",
                report.destination
            ),
        ));
    }
    if let Some(why) = &report.unread_note {
        ui.diagnostic(&podsmith::diagnostic::Diagnostic::warning(
            "PUBLISH-NOTE",
            format!(
                "{}'s note of a publish that did not finish ({}) cannot be read ({why}): what it sent is taken \
                 as podsmith's only where it holds the site's very bytes",
                report.destination,
                podsmith::publish::record::PUBLISHING_KEY
            ),
        ));
    }
    let plan = &report.plan;
    for line in plan_lines(plan, &report.swept) {
        match report.dry_run && !ui.is_json() {
            true => outln!("{line}"),
            false => ui.detail(line),
        }
    }
    if !plan.adopted.is_empty() {
        let shown: Vec<&str> = plan.adopted.iter().take(5).map(String::as_str).collect();
        let more = if plan.adopted.len() > 5 { format!(" and {} more", plan.adopted.len() - 5) } else { String::new() };
        let one = plan.adopted.len() == 1;
        // (A folder's files are compared byte for byte; objects by their ETag.)
        let how = if report.destination.starts_with("file:") { "byte for byte" } else { "by their ETag" };
        let taken = match (dry, one) {
            (true, _) => "would be taken",
            (false, true) => "is taken",
            (false, false) => "are taken",
        };
        ui.info(format!(
            "{}: {} podsmith had not published {} the site's very bytes ({how}) and {taken} as {} {}: {}{more}",
            report.destination,
            podsmith::text::count(plan.adopted.len(), "object"),
            if one { "holds" } else { "hold" },
            if one { "it" } else { "they" },
            if one { "is" } else { "are" },
            shown.join(", ")
        ));
    }
    let again = if dry { "would be uploaded again" } else { "uploaded again" };
    for p in plan.puts.iter().filter(|p| p.reason.is_drift()) {
        ui.info(format!("{}: {} was {}; {again}", report.destination, p.file.key, p.reason.describe()));
    }
    if !plan.left.is_empty() {
        ui.info(format!(
            "{}: left {} podsmith once published and the site no longer has, changed there since (no longer \
             podsmith's: delete {} by hand if {} should go): {}",
            report.destination,
            podsmith::text::count(plan.left.len(), "object"),
            if plan.left.len() == 1 { "it" } else { "them" },
            if plan.left.len() == 1 { "it" } else { "they" },
            plan.left.join(", ")
        ));
    }
    if !plan.kept.is_empty() {
        ui.info(format!(
            "kept {} the site no longer has (a removed episode's media, an image or file no page links to now: \
             podcast apps and old pages may still fetch them; --prune deletes them): {}",
            podsmith::text::count(plan.kept.len(), "file"),
            plan.kept.join(", ")
        ));
    }
}

/// `--verify`: the hosting checks, said as `validate` says them.
#[cfg(feature = "online")]
fn verify(report: &Report, ui: &Ui) -> Result<Vec<podsmith::validate::Report>, Failure> {
    let checked = podsmith::publish::verify(report, ui.progress());
    if !ui.is_json() {
        let min =
            if ui.verbose() { podsmith::diagnostic::Severity::Info } else { podsmith::diagnostic::Severity::Warning };
        eprint!("{}", crate::report::grouped(&checked, min));
        let errors: usize = checked.iter().map(|r| r.count(podsmith::diagnostic::Severity::Error)).sum();
        let warnings: usize = checked.iter().map(|r| r.count(podsmith::diagnostic::Severity::Warning)).sum();
        ui.info(format!(
            "verified {} as published: {}, {}",
            podsmith::text::count(checked.len(), "feed"),
            podsmith::text::count(errors, "error"),
            podsmith::text::count(warnings, "warning")
        ));
    }
    Ok(checked)
}

#[cfg(not(feature = "online"))]
fn verify(_: &Report, _: &Ui) -> Result<Vec<podsmith::validate::Report>, Failure> {
    Err(Failure::usage("--verify needs podsmith built with the `online` feature (the default)"))
}

/// One line per upload and deletion: `PUT media/ep1.mp3 (12.3 MB): new`;
/// and per half-written file removed.
fn plan_lines(plan: &Plan, swept: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .puts
        .iter()
        .map(|p| format!("PUT {} ({}): {}", p.file.key, size(p.file.entry.size), p.reason.describe()))
        .collect();
    lines.extend(plan.deletes.iter().map(|k| format!("DELETE {k}: no longer in the site")));
    lines.extend(plan.adopted.iter().map(|k| format!("TAKE {k}: already there with the same bytes")));
    lines.extend(swept.iter().map(|k| format!("REMOVE {k}: half-written by a publish killed part-way")));
    lines
}

/// The services told of the new feeds (or, in a dry run, to be told): a
/// line each that took it, a warning each that did not.
fn tell_notified(report: &Report, ui: &Ui) {
    for n in &report.notified {
        let host = n.service.host();
        let to = match n.how {
            podsmith::publish::notify::How::Websub => format!("the WebSub hub {host}"),
            podsmith::publish::notify::How::Ping => host.to_string(),
        };
        match (&n.error, report.dry_run) {
            (_, true) => ui.info(format!("would tell {to} of {}", n.feed)),
            (None, false) => ui.info(format!("told {to} of {} ({})", n.feed, n.status.unwrap_or_default())),
            (Some(why), false) => ui.diagnostic(
                &podsmith::diagnostic::Diagnostic::warning(
                    "PUBLISH-NOTIFY",
                    format!("{to} was not told of {}: {why}", n.feed),
                )
                .help("the site is published all the same: apps see the change at their next poll"),
            ),
        }
    }
}

/// `Published to s3://…: 3 uploaded (1.2 MB), 120 unchanged, 1 deleted`.
fn summary(report: &Report) -> String {
    let plan = &report.plan;
    let verb = if report.dry_run { "Would publish" } else { "Published" };
    let (up, del) = if report.dry_run { ("to upload", "to delete") } else { ("uploaded", "deleted") };
    format!(
        "{verb} to {}: {} {up} ({}), {} unchanged, {} {del}{}",
        report.destination,
        plan.puts.len(),
        size(plan.bytes()),
        plan.unchanged,
        plan.deletes.len(),
        match (report.dry_run, report.swept.len()) {
            (true, 0) => " (dry run: nothing was sent)".to_string(),
            (true, n) =>
                format!(", {} to remove (dry run: nothing was sent)", podsmith::text::count(n, "half-written file")),
            (false, 0) => String::new(),
            (false, 1) => ", 1 half-written file removed (left by a publish killed part-way)".to_string(),
            (false, n) => format!(", {n} half-written files removed (left by publishes killed part-way)"),
        }
    )
}

/// A size for people.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// What `publish --format json` says besides its diagnostics.
fn as_json(report: &Report) -> serde_json::Value {
    let plan = &report.plan;
    let puts: Vec<_> = plan
        .puts
        .iter()
        .map(|p| {
            json!({
                "key": p.file.key, "bytes": p.file.entry.size, "reason": p.reason,
                "content_type": p.file.entry.content_type, "cache_control": p.file.entry.cache_control,
            })
        })
        .collect();
    json!({
        "destination": report.destination,
        "dry_run": report.dry_run,
        "uploaded": puts,
        "uploaded_bytes": plan.bytes(),
        "unchanged": plan.unchanged,
        "deleted": plan.deletes,
        "kept": plan.kept,
        "left": plan.left,
        "adopted": plan.adopted,
        "swept": report.swept,
        "stuck": report.stuck,
        "given_up": report.given_up,
        "notified": report.notified,
        "build": super::build::as_json(&report.build),
    })
}
