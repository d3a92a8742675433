//! The hand-off between probing and rendering: a [`Catalog`] is the show
//! with every media file measured, the episodes that are live (newest
//! first), and the notes rendered — everything feeds and pages need, so
//! they can never disagree with each other.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};

use crate::manifest::{Episode, LocalFile, Show};
use crate::probe::{AudioFormat, AudioInfo, ProbeError};

/// One media file with its measurements and public URL.
#[derive(Debug, Clone)]
pub struct Media {
    /// The file as the manifest names it.
    pub file: LocalFile,
    /// What probing found.
    pub info: AudioInfo,
    /// Where it is published.
    pub url: String,
}

/// An episode that is live, ready to render.
#[derive(Debug, Clone)]
pub struct LiveEpisode {
    /// The manifest's episode (text fields cleaned of characters XML forbids).
    pub episode: Episode,
    /// Its media, in manifest order.
    pub media: Vec<Media>,
    /// Index into `media` of the file `feed.xml` uses as the `<enclosure>`.
    pub primary: usize,
    /// Site-relative path of the episode page folder, `episodes/<slug>/`.
    pub page_path: String,
    /// Absolute URL of the episode page.
    pub page_url: String,
    /// The notes as sanitised HTML.
    pub notes_html: String,
}

impl LiveEpisode {
    /// The media file `feed.xml` announces.
    pub fn primary_media(&self) -> &Media {
        &self.media[self.primary]
    }

    /// The media file of `format`, if the episode has one.
    pub fn media_of(&self, format: AudioFormat) -> Option<&Media> {
        self.media.iter().find(|m| m.info.format == format)
    }
}

/// An episode dated in the future: left out until then.
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// Title.
    pub title: String,
    /// When it goes live.
    pub date: DateTime<FixedOffset>,
}

/// The show, measured and ready to render.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The show as read (text fields cleaned).
    pub show: Show,
    /// Live episodes, newest first.
    pub episodes: Vec<LiveEpisode>,
    /// Future episodes, soonest first.
    pub scheduled: Vec<Scheduled>,
    /// Every format some live episode has, main feed's first.
    pub formats: Vec<AudioFormat>,
    /// Things worth telling the podcaster that do not stop the build.
    pub warnings: Vec<String>,
}

/// A media file that cannot be published, with where it is named.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaProblem {
    /// The manifest.
    pub manifest: PathBuf,
    /// Line naming the file.
    pub line: usize,
    /// The path as written.
    pub rel: String,
    /// The episode's title.
    pub episode: String,
    /// What is wrong, and what to do.
    pub message: String,
}

impl fmt::Display for MediaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} (episode \"{}\"): {}",
            self.manifest.display(),
            self.line,
            self.rel,
            self.episode,
            self.message
        )
    }
}

/// Measured results, one per media file, in manifest order.
pub type Probes = Vec<Result<AudioInfo, ProbeError>>;

/// How to probe a show's media.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProbeOptions {
    /// Use and update the probe cache (`.podsmith/cache.json`).
    pub use_cache: bool,
    /// Show a progress bar while probing (on a terminal).
    pub progress: bool,
}

/// What probing did.
#[derive(Debug, Clone, Default)]
pub struct ProbeStats {
    /// Files measured now.
    pub probed: usize,
    /// Files whose measurement came from the cache.
    pub cached: usize,
    /// Something to say about the cache (set aside, not saved).
    pub cache_note: Option<String>,
}

/// Probes every media file of every episode, in manifest order: from the
/// cache where the file is unchanged, the rest in parallel.
pub fn probe_media(show: &Show, opts: &ProbeOptions) -> (Probes, ProbeStats) {
    use rayon::prelude::*;
    let files: Vec<&crate::manifest::LocalFile> = show.episodes.iter().flat_map(|e| &e.media).collect();
    let mut cache = opts.use_cache.then(|| crate::probe::cache::Cache::open(&show.root));
    let mut stats = ProbeStats::default();
    if let Some(note) = cache.as_ref().and_then(|c| c.discarded.clone()) {
        stats.cache_note = Some(format!("the probe cache was set aside ({note}); it is rebuilt"));
    }
    let mut results: Vec<Option<Result<AudioInfo, ProbeError>>> =
        files.iter().map(|f| cache.as_ref().and_then(|c| c.get(&f.rel, &f.path)).map(Ok)).collect();
    stats.cached = results.iter().filter(|r| r.is_some()).count();
    let todo: Vec<usize> = (0..files.len()).filter(|&i| results[i].is_none()).collect();
    stats.probed = todo.len();
    let bar = if opts.progress && todo.len() > 1 {
        indicatif::ProgressBar::new(todo.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("probing {bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let fresh: Vec<(usize, Result<AudioInfo, ProbeError>)> = todo
        .par_iter()
        .map(|&i| {
            let r = crate::probe::probe_file(&files[i].path);
            bar.inc(1);
            (i, r)
        })
        .collect();
    bar.finish_and_clear();
    for (i, r) in fresh {
        if let (Some(c), Ok(info)) = (cache.as_mut(), &r) {
            c.put(&files[i].rel, &files[i].path, info);
        }
        results[i] = Some(r);
    }
    if let Some(c) = cache.as_mut() {
        let rels: std::collections::HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        c.retain(&|k| rels.contains(k));
        if let Err(e) = c.save() {
            stats.cache_note = Some(format!("the probe cache could not be saved ({e}); the next build probes again"));
        }
    }
    let probes = results.into_iter().map(|r| r.unwrap_or_else(|| Err(ProbeError::Io("not probed".into())))).collect();
    (probes, stats)
}

impl Catalog {
    /// Puts the show and the probe results together. `now` decides which
    /// episodes are live. All media problems are reported together.
    pub fn assemble(mut show: Show, probes: Probes, now: DateTime<Utc>) -> Result<Catalog, Vec<MediaProblem>> {
        let mut warnings = clean_text(&mut show);
        let mut problems = Vec::new();
        let mut probes = probes.into_iter();
        let mut live = Vec::new();
        let mut scheduled = Vec::new();
        for episode in &show.episodes {
            let mut media = Vec::new();
            for file in &episode.media {
                let problem = |message: String| MediaProblem {
                    manifest: show.manifest_path.clone(),
                    line: file.line,
                    rel: file.rel.clone(),
                    episode: episode.title.clone(),
                    message,
                };
                match probes.next() {
                    Some(Ok(info)) => match extension_problem(&file.rel, info.format) {
                        Some(msg) => problems.push(problem(msg)),
                        None => media.push(Media { url: show.podcast.url_of(&file.rel), file: file.clone(), info }),
                    },
                    Some(Err(e)) => problems.push(problem(e.to_string())),
                    None => problems.push(problem("was not probed".into())),
                }
            }
            if media.len() != episode.media.len() {
                continue;
            }
            let mut seen = BTreeSet::new();
            for m in &media {
                if !seen.insert(m.info.format) {
                    problems.push(MediaProblem {
                        manifest: show.manifest_path.clone(),
                        line: m.file.line,
                        rel: m.file.rel.clone(),
                        episode: episode.title.clone(),
                        message: format!(
                            "the episode has two {} files; list one file per format",
                            m.info.format.label()
                        ),
                    });
                }
            }
            if episode.date.with_timezone(&Utc) > now {
                scheduled.push(Scheduled { title: episode.title.clone(), date: episode.date });
                continue;
            }
            // The enclosure of feed.xml: the first file Apple accepts. An episode
            // without one is reported by validation (APPLE-IT-ENCL-EXT); formats
            // of different lengths too (MEDIA-FORMATS-AGREE).
            let primary = media.iter().position(|m| m.info.format.apple_accepts()).unwrap_or(0);
            let page_path = format!("episodes/{}/", episode.slug);
            live.push(LiveEpisode {
                page_url: show.podcast.url_of(&page_path),
                page_path,
                notes_html: crate::markdown::to_html(&episode.notes),
                episode: episode.clone(),
                media,
                primary,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Newest first; ties keep manifest order (a stable sort), so output is deterministic.
        live.sort_by_key(|e| std::cmp::Reverse(e.episode.date));
        scheduled.sort_by_key(|s| s.date);
        let formats = formats_of(&live);
        for format in formats.iter().skip(1) {
            let missing: Vec<&str> =
                live.iter().filter(|e| e.media_of(*format).is_none()).map(|e| e.episode.title.as_str()).collect();
            if !missing.is_empty() {
                warnings.push(format!(
                    "feed.{}.xml: {} episode(s) have no {} file and are listed with their main file: {}",
                    format.extension(),
                    missing.len(),
                    format.label(),
                    missing.join(", ")
                ));
            }
        }
        Ok(Catalog { show, episodes: live, scheduled, formats, warnings })
    }

    /// URL of the main feed.
    pub fn feed_url(&self) -> String {
        self.show.podcast.url_of(&feed_file_name(None))
    }

    /// The newest live episode's date: the feed's `lastBuildDate` and `pubDate`.
    pub fn last_date(&self) -> Option<DateTime<FixedOffset>> {
        self.episodes.iter().map(|e| e.episode.date).max()
    }
}

/// File name of the main feed (`None`) or of a per-format feed.
pub fn feed_file_name(format: Option<AudioFormat>) -> String {
    match format {
        None => "feed.xml".into(),
        Some(f) => format!("feed.{}.xml", f.extension()),
    }
}

/// The formats in use: the main feed's (the most common primary) first,
/// then the others in a fixed order.
fn formats_of(live: &[LiveEpisode]) -> Vec<AudioFormat> {
    let all: BTreeSet<AudioFormat> = live.iter().flat_map(|e| e.media.iter().map(|m| m.info.format)).collect();
    let primaries: BTreeSet<AudioFormat> = live.iter().map(|e| e.primary_media().info.format).collect();
    let mut out: Vec<AudioFormat> = primaries.iter().copied().collect();
    out.extend(all.into_iter().filter(|f| !primaries.contains(f)));
    out
}

/// An enclosure URL's extension is what Apple and many apps go by, so it
/// has to match the content.
fn extension_problem(rel: &str, format: AudioFormat) -> Option<String> {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if format.accepted_extensions().contains(&ext.as_str()) {
        return None;
    }
    let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
    Some(format!(
        "the file holds {} audio but its name ends in \"{}\"; apps go by the name: rename it to {stem}.{}",
        format.label(),
        if ext.is_empty() { "(nothing)".to_string() } else { format!(".{ext}") },
        format.extension()
    ))
}

/// Removes characters XML 1.0 forbids from every text field that reaches
/// the feed or pages, with a warning naming where each was.
fn clean_text(show: &mut Show) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut clean = |value: &mut String, place: &str, field: &str| {
        let (cleaned, removed) = crate::text::strip_invalid_xml(value);
        if removed > 0 {
            warnings.push(format!(
                "{place}: removed {removed} control character(s) from `{field}` (XML cannot carry them; they are usually pasted by accident)"
            ));
            *value = cleaned;
        }
    };
    let p = &mut show.podcast;
    for (value, field) in [
        (&mut p.title, "title"),
        (&mut p.description, "description"),
        (&mut p.author, "author"),
        (&mut p.owner.name, "owner.name"),
    ] {
        clean(value, "[podcast]", field);
    }
    if let Some(c) = &mut p.copyright {
        clean(c, "[podcast]", "copyright");
    }
    for e in &mut show.episodes {
        let place = format!("episode \"{}\"", crate::text::strip_invalid_xml(&e.title).0);
        clean(&mut e.title, &place, "title");
        clean(&mut e.notes, &place, "notes");
        clean(&mut e.guid, &place, "guid");
        for g in &mut e.guests {
            clean(g, &place, "guests");
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_must_match_content() {
        assert_eq!(extension_problem("media/a.mp3", AudioFormat::Mp3), None);
        assert_eq!(extension_problem("media/a.OGG", AudioFormat::Ogg), None);
        assert_eq!(extension_problem("media/a.ogg", AudioFormat::Opus), None);
        assert_eq!(
            extension_problem("media/a.ogg", AudioFormat::Mp3).unwrap(),
            "the file holds MP3 audio but its name ends in \".ogg\"; apps go by the name: rename it to media/a.mp3"
        );
    }
}
