//! `podsmith add`.

use std::io::IsTerminal;
use std::process::ExitCode;

use podsmith::fsutil;
use podsmith::show_lock::Access;

use podsmith::add::{AddError, Options, Transfer, add};
use podsmith::diagnostic::Diagnostic;
use podsmith::manifest::EpisodeType;
use podsmith::site::BuildError;

use super::{Failure, Ui};
use crate::cli::{AddArgs, EpisodeKind};

pub fn run(args: AddArgs, ui: &Ui) -> Result<ExitCode, Failure> {
    let notes = match args.notes.as_deref() {
        None => None,
        Some("-") => Some(notes_from_stdin()?),
        Some(path) => {
            let text =
                fsutil::read_string(std::path::Path::new(path), fsutil::NOTES).map_err(|e| notes_unread(path, &e))?;
            if text.trim_start_matches('\u{feff}').trim().is_empty() {
                return Err(Failure::usage(format!(
                    "--notes {path} is empty: save the notes in it first (or leave out --notes)"
                )));
            }
            Some(text)
        }
    };
    // As an editor on Windows saves them: a byte-order mark (not text) and
    // CRLF line ends (the manifest's own line ends are kept as they are).
    let notes = notes.map(|n| n.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n"));
    // After the lock: the manifest read now is the one the last command left,
    // and "now" comes after every add that went before this one.
    let _lock = super::lock_show(&args.manifest, Access::Exclusive, ui, "add")?;
    let opts = Options {
        manifest: args.manifest,
        media: args.media,
        title: args.title,
        itunes_title: args.itunes_title,
        date: args.date,
        notes,
        season: args.season,
        number: args.episode,
        episode_type: args.episode_type.map(|k| match k {
            EpisodeKind::Full => EpisodeType::Full,
            EpisodeKind::Trailer => EpisodeType::Trailer,
            EpisodeKind::Bonus => EpisodeType::Bonus,
        }),
        slug: args.slug,
        guests: args.guests,
        transfer: if args.move_files { Transfer::Move } else { Transfer::Copy },
        dry_run: args.dry_run,
        now: chrono::Utc::now(),
    };
    let mut added = match add(&opts) {
        Ok(added) => added,
        // A stopped `add --move` finished: the job is done.
        Err(AddError::Finished(msg, done)) => {
            ui.info(&msg);
            let root = podsmith::manifest::root_of(&opts.manifest);
            ui.finish(true, finished_json(&msg, &done, &root, &opts));
            return Ok(ExitCode::SUCCESS);
        }
        Err(AddError::Manifest(e)) => return Err(Failure::from_build(&BuildError::Manifest(e), "")),
        // What the command line names is not there, or asks what cannot be: a usage error.
        Err(e) => return Err(Failure::of(e.diagnostics(), e.exit_code())),
    };
    if opts.date.is_none() {
        wait_for_its_second(&mut added);
    }
    if !ui.is_json() {
        out!("{}", added.table);
    }
    ui.diagnostics(&added.notes);
    if opts.dry_run {
        ui.info("dry run: nothing was changed");
        ui.finish(true, as_json(&added, true));
        return Ok(ExitCode::SUCCESS);
    }
    for (from, to) in &added.transferred {
        let kept = added.not_removed.iter().find(|(f, _)| f == from);
        let verb = if opts.transfer == Transfer::Move && kept.is_none() { "moved" } else { "copied" };
        ui.info(format!("{verb} {} to {to}", from.display()));
    }
    for (from, why) in &added.not_removed {
        ui.diagnostics(&[podsmith::diagnostic::Diagnostic::warning(
            "ADD",
            format!("{} was copied into the show but could not be removed from where it is: {why}", from.display()),
        )
        .help("remove it by hand once you have checked the copy in the show")]);
    }
    ui.info(summary(&added, &opts.manifest));
    if args.loudness {
        let root = podsmith::manifest::root_of(&opts.manifest);
        ui.diagnostics(&podsmith::add::loudness(&root, &added));
    }
    ui.finish(true, as_json(&added, false));
    Ok(ExitCode::SUCCESS)
}

/// What `add` says it did: the episode (its title quoted), the file it is
/// in, its media, and what puts it in the feed.
fn summary(added: &podsmith::add::Added, manifest: &std::path::Path) -> String {
    let media: Vec<String> = added
        .media
        .iter()
        .map(|(rel, info)| format!("{rel} ({})", podsmith::text::clock(info.whole_seconds())))
        .collect();
    let number = added.number.map(|n| format!("episode {n} ")).unwrap_or_default();
    // What puts it in the feed: a build, or a publish where the show has a
    // destination (it builds first); at the episode's date if that is later.
    let command = if added.publishes { "podsmith publish" } else { "podsmith build" };
    let next = match added.scheduled {
        Some(at) => format!("It goes live at {}: run {command} after that time.", at.to_rfc3339()),
        None if added.publishes => format!("Publish it with: {command}"),
        None => format!("Put it in the feed with: {command}"),
    };
    format!(
        "Added {number}{} to {}: {}.\n{next}",
        podsmith::text::quoted(&added.title),
        manifest.display(),
        media.join(", ")
    )
}

/// An episode added without `--date` in the same second as one added
/// just before is dated the next free second (so the two keep their
/// order), a second or so ahead: that moment is waited for, the show still
/// locked, so that the build run next has it live (a script adding a
/// folder of recordings one after another, then building, left the last
/// ones out as scheduled).
fn wait_for_its_second(added: &mut podsmith::add::Added) {
    let Some(at) = added.scheduled else { return };
    let ahead = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    if ahead > chrono::TimeDelta::seconds(MOST_AHEAD) {
        return;
    }
    if let Ok(wait) = ahead.to_std() {
        std::thread::sleep(wait);
    }
    added.scheduled = None;
}

/// The most seconds ahead of the clock an episode `add` dated itself can be
/// (one added after as many in the same second) that are waited for.
const MOST_AHEAD: i64 = 5;

/// What `add --format json` says besides its diagnostics.
/// An add done already, as JSON: what it says, and the episode as it is
/// in (what a script that runs the add again asks of it).
/// An `add` found done already (see [`AddError::Finished`]): the fields
/// of [`as_json`], its media measured as they are in the show (`null`
/// where one cannot be: a hosted one), no table (none was written), and
/// what was found.
fn finished_json(msg: &str, done: &podsmith::add::Done, root: &std::path::Path, opts: &Options) -> serde_json::Value {
    let media: Vec<_> = done
        .media
        .iter()
        .map(|rel| {
            let info = podsmith::probe::probe_file(&root.join(rel)).ok().filter(|_| !rel.contains("://"));
            serde_json::json!({
                "path": rel,
                "duration_secs": info.as_ref().map(|i| i.duration_secs),
                "bytes": info.as_ref().map(|i| i.bytes),
            })
        })
        .collect();
    serde_json::json!({
        "finished": msg, "dry_run": opts.dry_run, "title": done.title, "guid": done.guid, "slug": done.slug,
        "date": done.date.to_rfc3339(), "season": done.season, "episode": done.number, "media": media,
        "table": null, "goes_live": (done.date > opts.now).then(|| done.date.to_rfc3339()),
    })
}

fn as_json(added: &podsmith::add::Added, dry_run: bool) -> serde_json::Value {
    let media: Vec<_> = added
        .media
        .iter()
        .map(|(rel, info)| serde_json::json!({ "path": rel, "duration_secs": info.duration_secs, "bytes": info.bytes }))
        .collect();
    serde_json::json!({
        "dry_run": dry_run,
        "title": added.title,
        "guid": added.guid,
        "slug": added.slug,
        "date": added.date.map(|d| d.to_rfc3339()),
        "season": added.season,
        "episode": added.number,
        "media": media,
        "table": added.table,
        "goes_live": added.scheduled.map(|d| d.to_rfc3339()),
    })
}

/// `--notes -`: the notes piped in. A terminal (nothing piped) or an empty
/// pipe is a mistake, not empty notes.
fn notes_from_stdin() -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "--notes - reads the notes from a pipe, but nothing is piped in: \
             podsmith add … --notes - < notes.md (or give the file: --notes notes.md)",
        ));
    }
    let bytes = fsutil::read_stdin(fsutil::NOTES)
        .map_err(|e| Failure::usage(format!("cannot read the notes from standard input: {e}")))?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        Failure::usage(format!("the notes on standard input: {}", fsutil::not_utf8(&bytes, e.utf8_error())))
    })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Failure::usage(
            "--notes - got no notes on standard input; pipe them in (… --notes - < notes.md), or leave out --notes",
        ));
    }
    Ok(text)
}

/// `--notes PATH` could not be read: a file that is not there may be notes
/// given as text, which the flag takes from a file or from stdin.
fn notes_unread(path: &str, e: &std::io::Error) -> Failure {
    let said = Diagnostic::error("USAGE", format!("cannot read --notes {path}: {e}"));
    let said = match e.kind() {
        std::io::ErrorKind::NotFound => said.help(
            "--notes takes a Markdown file, or - to read the notes from stdin: \
             echo 'The notes' | podsmith add ... --notes -",
        ),
        _ => said,
    };
    Failure::of(vec![said], 2)
}
