//! `podsmith list`: the show's episodes at a glance, from the same measured
//! catalog a build publishes.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use podsmith::catalog::Media;
use podsmith::diagnostic::Diagnostic;
use podsmith::lock::{Change, Lock};
use podsmith::manifest::Episode;
use podsmith::show_lock::Access;
use serde_json::json;

use super::{Failure, Ui};

/// Where an episode stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    /// In the feed, and in podsmith.lock.
    Live,
    /// Live, but not built yet: the next build publishes it.
    New,
    /// Dated later: left out until then.
    Scheduled,
    /// Published, but dated later since: the next build refuses to take
    /// it out of the feed (a change to what subscribers have).
    Redated,
    /// Published, but its guid, page or a media URL changed since: the
    /// next build refuses it (apps would take it for another episode, or
    /// lose its download or page).
    Changed,
    /// Cannot be published as it is (a file that is not audio, wrong
    /// chapters): the build stops on it.
    Unfit,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::New => "new",
            Status::Scheduled => "scheduled",
            Status::Redated => "redated",
            Status::Changed => "changed",
            Status::Unfit => "error",
        }
    }

    /// In the feed after the next build: a new one published; a redated or
    /// changed one kept as it was published (the build refuses the change).
    fn is_live(self) -> bool {
        matches!(self, Status::Live | Status::New | Status::Redated | Status::Changed)
    }
}

/// One line of the list.
struct Row<'a> {
    episode: &'a Episode,
    media: &'a [Media],
    status: Status,
}

pub fn run(manifest: &Path, as_of: Option<&str>, ui: &Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(as_of, Some(manifest))?;
    let _lock = super::lock_show(manifest, Access::Shared, ui, "list")?;
    let opts = super::in_memory(manifest, now, ui);
    // An episode with a broken file is listed too (and said after).
    let (catalog, unfit) =
        podsmith::site::catalog_despite(&opts).map_err(|e| Failure::from_build_of(&e, "", "list"))?;
    let old = Lock::read(&opts.lock_file(&catalog.root)).map_err(|e| Failure::of(vec![e.diagnostic()], 1))?;
    let published: HashMap<&str, Option<&str>> =
        old.iter().flat_map(|l| &l.episodes).map(|e| (e.guid.as_str(), e.date.as_deref())).collect();
    // A published episode dated later than it was published is redated; one
    // dated as it was published, after the moment listed (`--as-of` a
    // moment past), is to come at that moment; and so is one redated, at
    // a moment before the date it was published with (it was not yet).
    let redated = |e: &Episode| match published.get(e.guid.as_str()) {
        Some(Some(date)) => match DateTime::parse_from_rfc3339(date) {
            Ok(was) => was != e.date && was <= now,
            Err(_) => true,
        },
        Some(None) => true,
        None => false,
    };
    // Newest first: the scheduled ones (latest last to go live) above the live ones.
    let mut rows: Vec<Row> = catalog
        .scheduled
        .iter()
        .rev()
        .map(|s| Row {
            episode: &s.episode,
            media: &s.media,
            status: match redated(&s.episode) {
                true => Status::Redated,
                false => Status::Scheduled,
            },
        })
        .collect();
    // A published episode whose identity changed (told by its slug or
    // media, as `diff` tells it): `build` refuses it.
    let changed: std::collections::HashSet<String> = match &old {
        Some(old) => podsmith::lock::compare(old, &Lock::of(&catalog))
            .into_iter()
            .filter_map(|c| match c {
                Change::GuidChanged { new, .. } => Some(new),
                Change::UrlChanged { guid, .. } | Change::PageMoved { guid, .. } | Change::Reused { guid, .. } => {
                    Some(guid)
                }
                _ => None,
            })
            .collect(),
        None => Default::default(),
    };
    rows.extend(catalog.episodes.iter().map(|e| Row {
        episode: &e.episode,
        media: &e.media,
        status: match (changed.contains(&e.episode.guid), published.contains_key(e.episode.guid.as_str())) {
            (true, _) => Status::Changed,
            (false, true) => Status::Live,
            (false, false) => Status::New,
        },
    }));
    rows.extend(unfit.iter().map(|u| Row { episode: &u.episode, media: &u.media, status: Status::Unfit }));
    // (Stable: the order above, where dates are the same.)
    rows.sort_by_key(|r| std::cmp::Reverse(r.episode.date));
    if !ui.is_json() && rows.is_empty() {
        ui.info("no episodes yet: add one with podsmith add RECORDING.mp3 --title \"…\"");
    } else if !ui.is_json() {
        for line in table(&rows, catalog.podcast.utc_offset) {
            outln!("{line}");
        }
    }
    // What a build would warn of, of the manifest and the episodes as
    // measured (two full episodes with one number, notes shown as text):
    // on stderr, or among the JSON document's diagnostics.
    ui.diagnostics(&catalog.warnings);
    ui.diagnostics(&refused(&rows));
    for u in &unfit {
        ui.diagnostics(&u.problems);
    }
    let mut json = as_json(&rows);
    if !unfit.is_empty() {
        let n = unfit.len();
        let which =
            if n == 1 { "episode cannot be published as it is" } else { "episodes cannot be published as they are" };
        let summary = Diagnostic::error("MEDIA", format!("{n} {which} (status error in the list)"))
            .help("`podsmith build` stops on it: fix what is said above, then build");
        // What the problems came to: in JSON the document's `summary`, as a
        // failed build's, not counted among them.
        match ui.is_json() {
            true => json["summary"] = serde_json::to_value(&summary).unwrap_or_default(),
            false => ui.diagnostic(&summary),
        }
    }
    ui.finish(unfit.is_empty(), json);
    Ok(if unfit.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The rows as aligned columns, then what they add up to.
fn table(rows: &[Row], offset: FixedOffset) -> Vec<String> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let e = r.episode;
            let mut number = match (e.season, e.number) {
                (Some(s), Some(n)) => format!("S{s}E{n}"),
                (None, Some(n)) => n.to_string(),
                // (Its season alone, as apps group it.)
                (Some(s), None) => format!("S{s}"),
                (None, None) => String::new(),
            };
            // A trailer or bonus says so, as apps mark it.
            if e.episode_type != podsmith::manifest::EpisodeType::Full {
                number = [number.as_str(), e.episode_type.as_str()].join(" ").trim_start().to_string();
            }
            [
                number,
                date(&e.date, offset),
                // (Written out as the terminal is sent it: its width is of that.)
                super::terminal_safe(&podsmith::text::truncate_chars(&e.title, 60)).into_owned(),
                length(r.media),
                formats(r),
                r.status.word().to_string(),
            ]
        })
        .collect();
    let header = ["#", "date", "title", "length", "formats", "status"].map(String::from);
    // As wide as a terminal shows it: a CJK letter takes two columns.
    let shown = |c: &str| unicode_width::UnicodeWidthStr::width(c);
    let mut widths = header.clone().map(|h| shown(&h));
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(shown(c));
        }
    }
    let line = |row: &[String; 6]| {
        let padded: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w.saturating_sub(shown(c)));
                match i {
                    // Numbers and lengths to the right.
                    0 | 3 => format!("{pad}{c}"),
                    _ => format!("{c}{pad}"),
                }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut lines = vec![line(&header)];
    lines.extend(cells.iter().map(line));
    lines.push(totals(rows));
    lines
}

/// What the rows add up to: how many of each status (new ones among the
/// live), and how much audio the feed holds after the next build.
fn totals(rows: &[Row]) -> String {
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let total: u64 = rows.iter().filter(|r| r.status.is_live()).map(|r| seconds(r.media)).sum();
    let new = match count(Status::New) {
        0 => String::new(),
        n => format!(" ({n} new: the next build publishes {})", if n == 1 { "it" } else { "them" }),
    };
    let mut parts = vec![format!("{} live{new}", count(Status::Live) + count(Status::New))];
    for (status, word) in [(Status::Redated, "redated"), (Status::Changed, "changed")] {
        if count(status) > 0 {
            parts.push(format!("{} {word}", count(status)));
        }
    }
    parts.push(format!("{} scheduled", count(Status::Scheduled)));
    if count(Status::Unfit) > 0 {
        parts.push(format!("{} in error", count(Status::Unfit)));
    }
    format!("{}; {} of audio in the feed", parts.join(", "), podsmith::text::clock(total))
}

/// What the redated and changed rows mean: the next build refuses them.
fn refused(rows: &[Row]) -> Vec<Diagnostic> {
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let mut said = Vec::new();
    if let n @ 1.. = count(Status::Redated) {
        said.push(
            Diagnostic::warning(
                "IDENTITY",
                format!(
                    "{n} redated: published, but dated later now; `podsmith build` refuses to take {} out of the feed",
                    if n == 1 { "it" } else { "them" }
                ),
            )
            .help(format!(
                "give {} back the date {} published with, or see `podsmith diff`",
                if n == 1 { "it" } else { "them" },
                if n == 1 { "it was" } else { "they were" },
            )),
        );
    }
    if let n @ 1.. = count(Status::Changed) {
        said.push(
            Diagnostic::warning(
                "IDENTITY",
                format!(
                    "{n} changed: {} guid, page or a media URL is not as published (changed since, or one another \
                     episode was published with); `podsmith build` refuses {}",
                    if n == 1 { "its" } else { "their" },
                    if n == 1 { "it" } else { "them" },
                ),
            )
            .help("see `podsmith diff` for what changed and how to put it back"),
        );
    }
    said
}

/// The episode's formats as measured (as named, for one that could not be).
fn formats(r: &Row) -> String {
    match r.status {
        Status::Unfit => {
            let named = r.episode.media.iter().map(|m| {
                let ext = Path::new(m.key()).extension().map(|e| e.to_string_lossy().to_uppercase());
                ext.unwrap_or_else(|| "?".into())
            });
            named.collect::<Vec<_>>().join(" ")
        }
        _ => r.media.iter().map(|m| m.info.format.label()).collect::<Vec<_>>().join(" "),
    }
}

/// `2024-05-01 09:00`, in the show's `utc_offset` (each in its own, an
/// episode dated in another offset looked out of order).
fn date(d: &DateTime<FixedOffset>, offset: FixedOffset) -> String {
    d.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string()
}

/// The episode's length: its first format's (they agree within a second).
fn seconds(media: &[Media]) -> u64 {
    media.first().map_or(0, |m| m.info.whole_seconds())
}

fn length(media: &[Media]) -> String {
    match media.first() {
        Some(_) => podsmith::text::clock(seconds(media)),
        None => "?".into(),
    }
}

/// What `list --format json` says besides its diagnostics.
fn as_json(rows: &[Row]) -> serde_json::Value {
    let episodes: Vec<_> = rows
        .iter()
        .map(|r| {
            let e = r.episode;
            let media: Vec<_> = r
                .media
                .iter()
                .map(|m| {
                    json!({
                        "file": m.file.key(), "format": m.info.format.label(), "url": m.url,
                        "duration_secs": m.info.duration_secs, "bytes": m.info.bytes,
                    })
                })
                .collect();
            json!({
                "title": e.title, "guid": e.guid, "slug": e.slug, "date": e.date.to_rfc3339(),
                "season": e.season, "episode": e.number, "type": e.episode_type.as_str(),
                "status": r.status.word(), "media": media,
            })
        })
        .collect();
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    json!({
        "episodes": episodes,
        "live": count(Status::Live) + count(Status::New),
        "new": count(Status::New),
        "scheduled": count(Status::Scheduled),
        "redated": count(Status::Redated),
        "changed": count(Status::Changed),
        "in_error": count(Status::Unfit),
    })
}
