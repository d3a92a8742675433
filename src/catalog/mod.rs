//! The hand-off between probing and rendering: a [`Catalog`] is the show
//! with every media file measured, the episodes that are live (newest
//! first), and the notes rendered — everything feeds and pages need, so
//! they can never disagree with each other.

pub mod loudness;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use crate::diagnostic::{Diagnostic, Location};
use crate::manifest::{Asset, Episode, LocalFile, MediaFile, Podcast, Show};
use crate::probe::cache::{Cache, HostedLook, Looked};
use crate::probe::{AudioFormat, AudioInfo, ProbeError};
use crate::progress::{Progress, Silent};
use crate::text::episode_place;

/// One media file with its measurements and public URL.
#[derive(Debug, Clone)]
pub struct Media {
    /// The file as the manifest names it.
    pub file: MediaFile,
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
    /// The notes as sanitised HTML, made when first asked for: see
    /// [`LiveEpisode::notes_html`].
    pub(crate) notes_html: std::sync::OnceLock<String>,
    /// The notes as the feeds' `description` has them (made once for every
    /// feed, where they differ from [`LiveEpisode::notes_html`]).
    pub(crate) description: std::sync::OnceLock<String>,
}

impl LiveEpisode {
    /// The notes as sanitised HTML. Made when first asked for: a build
    /// that renders one episode's page and feed items does not render
    /// every episode's notes.
    pub fn notes_html(&self) -> &str {
        self.notes_html.get_or_init(|| {
            let notes = crate::markdown::without_title(&self.episode.notes, &self.episode.title);
            crate::markdown::to_html(notes, Some(&self.page_url))
        })
    }

    /// The notes as the episode's page shows them
    /// ([`markdown::page_html`](crate::markdown::page_html)): notes the
    /// page shows as the feed does (without a heading, a code block or a
    /// table) are the feed's [`notes_html`](Self::notes_html), made once.
    pub fn page_notes_html(&self) -> std::borrow::Cow<'_, str> {
        if crate::markdown::page_differs(&self.episode.notes) {
            crate::markdown::page_html(&self.episode.notes, &self.episode.title, Some(&self.page_url)).into()
        } else {
            self.notes_html().into()
        }
    }

    /// How long the notes are as HTML: exactly, once made; else a guess
    /// on the long side (to reserve room for a feed).
    pub fn notes_html_len(&self) -> usize {
        self.notes_html.get().map_or(2 * self.episode.notes.len() + 64, String::len)
    }

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
    /// The manifest's episode.
    pub episode: Episode,
    /// Its media as measured (empty where a build did not measure them:
    /// one that found nothing changed).
    pub media: Vec<Media>,
}

/// An episode that cannot be published as it is (see
/// [`Catalog::assemble_despite`]).
#[derive(Debug, Clone)]
pub struct Unfit {
    /// The manifest's episode.
    pub episode: Episode,
    /// What stops it: its media's problems, or its chapters' and transcripts'.
    pub problems: Vec<Diagnostic>,
    /// Its media as measured, where they were (its chapters or transcripts
    /// stop it): `list` shows its length.
    pub media: Vec<Media>,
}

impl Scheduled {
    /// Its title.
    pub fn title(&self) -> &str {
        &self.episode.title
    }

    /// When it goes live.
    pub fn date(&self) -> DateTime<FixedOffset> {
        self.episode.date
    }
}

/// The show, measured and ready to render. The manifest's episodes are
/// moved into it, live or scheduled; nothing is kept twice.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The channel (text fields cleaned).
    pub podcast: Podcast,
    /// The show folder.
    pub root: PathBuf,
    /// The manifest, as the user named it.
    pub manifest_path: PathBuf,
    /// Live episodes, newest first.
    pub episodes: Vec<LiveEpisode>,
    /// Future episodes, soonest first.
    pub scheduled: Vec<Scheduled>,
    /// Every format some live episode has, main feed's first.
    pub formats: Vec<AudioFormat>,
    /// Things worth telling the podcaster that do not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// Measured results, keyed by the media file they measured (its path in
/// the show, as the manifest names it, or its URL: [`MediaFile::key`]).
pub type Probes = HashMap<String, Result<AudioInfo, ProbeError>>;

/// How to probe a show's media.
#[derive(Clone)]
pub struct ProbeOptions {
    /// Use and update the probe cache (`.podsmith/cache.json`).
    pub use_cache: bool,
    /// Told how many files are left to probe.
    pub progress: Arc<dyn Progress>,
    /// Ask the server of every hosted file measured before whether it
    /// changed, however recently it was asked.
    pub recheck: bool,
    /// Hosted files measured (or asked about) at once.
    pub jobs: usize,
}

/// How long a hosted file's measurement is used without asking its server
/// again (one hour); `--recheck` asks at once, `--no-cache` measures again.
pub const HOSTED_FRESH_SECS: i64 = 3600;

/// Hosted files measured at once unless told otherwise.
pub const HOSTED_JOBS: usize = 64;

impl Default for ProbeOptions {
    fn default() -> ProbeOptions {
        ProbeOptions { use_cache: true, progress: Arc::new(Silent), recheck: false, jobs: HOSTED_JOBS }
    }
}

impl fmt::Debug for ProbeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProbeOptions")
            .field("use_cache", &self.use_cache)
            .field("recheck", &self.recheck)
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// What probing did.
#[derive(Debug, Clone, Default)]
pub struct ProbeStats {
    /// Files measured now.
    pub probed: usize,
    /// Files whose measurement came from the cache.
    pub cached: usize,
    /// Of the files measured now, those whose measurement is not the one
    /// the cache had for them (new files, or changed content).
    pub changed: usize,
    /// Something to say about the cache (set aside, not saved).
    pub cache_note: Option<Diagnostic>,
    /// Of the files measured now, hosted ones.
    pub hosted: usize,
    /// Requests made to hosted files' servers (measuring and asking).
    pub requests: u64,
    /// Bytes read of hosted files.
    pub bytes_read: u64,
    /// Something to say about hosted files (read whole, not reachable).
    pub notes: Vec<Diagnostic>,
}

/// Probes every media file of every episode: from `cache` where the file
/// is unchanged, the rest in parallel (and puts them in the cache, which
/// the caller saves: see [`save_cache`]).
/// `seen` gives the metadata of files just looked at.
pub fn probe_media(
    show: &Show,
    opts: &ProbeOptions,
    mut cache: Option<&mut Cache>,
    seen: &(dyn Fn(&std::path::Path) -> Option<crate::fsutil::Status> + Sync),
) -> (Probes, ProbeStats) {
    use rayon::prelude::*;
    let mut stats = ProbeStats::default();
    if let Some(note) = cache.as_ref().and_then(|c| c.discarded.clone()) {
        stats.cache_note = Some(Diagnostic::warning(
            "CACHE",
            format!("the probe cache was set aside ({note}): every media file is measured anew"),
        ));
    }
    let mut probes = Probes::new();
    let todo = local_from_cache(show, cache.as_deref_mut(), seen, &mut probes);
    let hosted_todo = hosted_from_cache(show, cache.as_deref(), &mut probes);
    stats.cached = probes.len();
    stats.probed = todo.len() + hosted_todo.len();
    stats.hosted = hosted_todo.len();
    // What the cache said of them before (their stamps no longer match).
    let before: Vec<Option<AudioInfo>> = todo.iter().map(|f| cache.as_ref().and_then(|c| c.peek(&f.rel))).collect();
    opts.progress.start("probing", (todo.len() + hosted_todo.len()) as u64);
    let fresh: Vec<(&LocalFile, Result<AudioInfo, ProbeError>)> = todo
        .par_iter()
        .map(|f| {
            let r = crate::probe::probe_file(&f.path);
            opts.progress.advance(1);
            (*f, r)
        })
        .collect();
    let measured = measure_hosted(&hosted_todo, opts);
    opts.progress.finish();
    for ((f, r), before) in fresh.into_iter().zip(before) {
        stats.changed += usize::from(r.as_ref().ok() != before.as_ref());
        if let (Some(c), Ok(info)) = (cache.as_mut(), &r) {
            c.put(&f.rel, &f.path, info);
        }
        probes.insert(f.rel.clone(), r);
    }
    take_hosted(hosted_todo.into_iter().zip(measured), cache.as_deref_mut(), &mut stats, &mut probes);
    if let Some(c) = cache.as_mut() {
        c.retain(&|k| probes.contains_key(k));
    }
    (probes, stats)
}

/// The show's media files `cache` has measured as they are, into
/// `probes`; returns the others (to probe).
fn local_from_cache<'s>(
    show: &'s Show,
    mut cache: Option<&mut Cache>,
    seen: &(dyn Fn(&std::path::Path) -> Option<crate::fsutil::Status> + Sync),
    probes: &mut Probes,
) -> Vec<&'s LocalFile> {
    use rayon::prelude::*;
    let files: Vec<&LocalFile> = show.episodes.iter().flat_map(|e| &e.media).filter_map(MediaFile::local).collect();
    // What the cache says of every file, asked on every core; then taken.
    let looked: Vec<Looked> = match cache.as_deref() {
        Some(c) if !c.is_empty() => files.par_iter().map(|f| c.look(&f.rel, &f.path, seen(&f.path))).collect(),
        _ => Vec::new(),
    };
    let mut looked = looked.into_iter();
    let mut todo = Vec::new();
    for f in files {
        let info = match (cache.as_mut(), looked.next()) {
            (Some(c), Some(l)) => c.take(&f.rel, l),
            (Some(c), None) => c.get_with(&f.rel, &f.path, seen(&f.path)),
            (None, _) => None,
        };
        match info {
            Some(info) => {
                probes.insert(f.rel.clone(), Ok(info));
            }
            None => todo.push(f),
        }
    }
    todo
}

/// The show's hosted media `cache` has measured, into `probes`; returns
/// the others (to measure). Whether each is still what was measured was
/// asked before (see [`recheck_hosted`]): a measurement in the cache stands.
fn hosted_from_cache<'s>(show: &'s Show, cache: Option<&Cache>, probes: &mut Probes) -> Vec<&'s str> {
    let mut todo = Vec::new();
    for url in hosted_urls(show) {
        match cache.map(|c| c.look_hosted(url, 0, i64::MAX)) {
            Some(HostedLook::Fresh(info) | HostedLook::Stale(info, _)) => {
                probes.insert(url.to_string(), Ok(info));
            }
            _ => todo.push(url),
        }
    }
    todo
}

/// What is said of a hosted file at `url` whose server does not answer
/// byte-range requests, so that it was downloaded whole (`size` bytes) to
/// be measured: Apple refuses such a host, and players cannot seek in it.
pub fn downloaded_whole(url: &str, size: u64) -> Diagnostic {
    let host = url.split('/').nth(2).unwrap_or(url);
    Diagnostic::warning(
        "HOSTED-WHOLE",
        format!("{host} does not answer byte-range requests: {url} was downloaded whole ({size} bytes) to be measured"),
    )
    .help(
        "turn on range requests (HTTP `Range`) at the host, or host the file where they are answered: Apple Podcasts \
         refuses media without them, and players cannot seek or resume",
    )
}

/// Hosted media just measured, into `probes` and `cache` (what it cost,
/// and a host that sent a whole file, said in `stats`).
fn take_hosted<'u>(
    measured: impl Iterator<Item = (&'u str, Result<HostedMeasure, ProbeError>)>,
    mut cache: Option<&mut Cache>,
    stats: &mut ProbeStats,
    probes: &mut Probes,
) {
    let now = unix_now();
    for (url, r) in measured {
        stats.changed += 1;
        // Out of reach, a file another podsmith measured is published as
        // it measured it, as a file this one measured would be.
        let earlier = cache.as_ref().and_then(|c| c.earlier_hosted(url));
        let r = match (r, earlier) {
            // (Not one its server says is gone, or not its to give: a 4xx,
            // ProbeError::Refused.)
            (Err(ProbeError::Io(why)), Some(info)) => {
                stats.notes.push(Diagnostic::warning(
                    "HOSTED-UNCHECKED",
                    format!(
                        "{url} could not be measured ({why}); it is published as an earlier podsmith measured it, \
                         and measured again once its server answers"
                    ),
                ));
                probes.insert(url.to_string(), Ok(info));
                continue;
            }
            (r, _) => r,
        };
        let r = r.map(|m| {
            stats.requests += u64::from(m.requests);
            stats.bytes_read += m.bytes;
            if m.whole {
                stats.notes.push(downloaded_whole(url, m.hosted.size));
            }
            if let Some(c) = cache.as_mut() {
                c.put_hosted(url, &m.hosted, &m.info, now);
            }
            m.info
        });
        probes.insert(url.to_string(), r);
    }
}

/// The show's hosted media, each once, in manifest order.
pub fn hosted_urls(show: &Show) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    show.episodes
        .iter()
        .flat_map(|e| &e.media)
        .filter_map(MediaFile::hosted)
        .map(|h| h.url.as_str())
        .filter(|u| seen.insert(*u))
        .collect()
}

/// Seconds since the Unix epoch, by the clock.
fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A hosted file measured, as the probe keeps it.
struct HostedMeasure {
    info: AudioInfo,
    hosted: crate::probe::cache::Hosted,
    whole: bool,
    requests: u32,
    bytes: u64,
}

/// Measures hosted files, `opts.jobs` at once, in order.
#[cfg(feature = "online")]
fn measure_hosted(urls: &[&str], opts: &ProbeOptions) -> Vec<Result<HostedMeasure, ProbeError>> {
    use rayon::prelude::*;
    if urls.is_empty() {
        return Vec::new();
    }
    let prober = crate::probe::remote::Prober::new(std::time::Duration::from_secs(60));
    let measure = |url: &&str| {
        let r = prober.measure(url).map(|m| HostedMeasure {
            hosted: crate::probe::cache::Hosted {
                size: m.hosted.size,
                etag: m.hosted.etag,
                last_modified: m.hosted.last_modified,
            },
            info: m.info,
            whole: m.hosted.whole,
            requests: m.traffic.requests,
            bytes: m.traffic.bytes,
        });
        opts.progress.advance(1);
        r
    };
    match rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.clamp(1, 256)).build() {
        Ok(pool) => pool.install(|| urls.par_iter().map(measure).collect()),
        Err(_) => urls.iter().map(measure).collect(),
    }
}

#[cfg(not(feature = "online"))]
fn measure_hosted(urls: &[&str], _: &ProbeOptions) -> Vec<Result<HostedMeasure, ProbeError>> {
    urls.iter()
        .map(|u| Err(ProbeError::Io(format!("{u}: this podsmith was built without its online feature"))))
        .collect()
}

/// Asks the server of each hosted file measured before, whose measurement
/// is older than [`HOSTED_FRESH_SECS`] (every one with `opts.recheck`),
/// whether the file changed: one conditional request each, `opts.jobs` at
/// once. A changed file is forgotten by the cache (the build measures it
/// again); one whose server cannot be reached keeps its measurement, with
/// a warning. Returns the warnings and the requests made.
pub fn recheck_hosted(show: &Show, opts: &ProbeOptions, cache: &mut Cache) -> (Vec<Diagnostic>, u64) {
    let now = unix_now();
    let fresh_for = if opts.recheck { 0 } else { HOSTED_FRESH_SECS };
    let stale: Vec<(&str, crate::probe::cache::Hosted)> = hosted_urls(show)
        .into_iter()
        .filter_map(|url| match cache.look_hosted(url, now, fresh_for) {
            HostedLook::Stale(_, hosted) => Some((url, hosted)),
            _ => None,
        })
        .collect();
    if stale.is_empty() {
        return (Vec::new(), 0);
    }
    opts.progress.start("checking hosted files", stale.len() as u64);
    let answers = ask_hosted(&stale, opts);
    opts.progress.finish();
    let mut notes = Vec::new();
    for ((url, _), answer) in stale.iter().zip(answers) {
        match answer {
            Rechecked::Same => cache.checked_hosted(url, now),
            Rechecked::Changed => cache.forget_hosted(url),
            Rechecked::Unreachable(why) => notes.push(Diagnostic::warning(
                "HOSTED-UNCHECKED",
                format!("{url} could not be checked ({why}); it is published as measured before"),
            )),
        }
    }
    (notes, stale.len() as u64)
}

/// What a server said of a file measured before.
#[cfg_attr(not(feature = "online"), allow(dead_code))]
enum Rechecked {
    Same,
    Changed,
    Unreachable(String),
}

#[cfg(feature = "online")]
fn ask_hosted(stale: &[(&str, crate::probe::cache::Hosted)], opts: &ProbeOptions) -> Vec<Rechecked> {
    use crate::probe::remote::{Hosted, Prober, Revalidated};
    use rayon::prelude::*;
    let prober = Prober::new(std::time::Duration::from_secs(30));
    let ask = |(url, h): &(&str, crate::probe::cache::Hosted)| {
        let before =
            Hosted { size: h.size, etag: h.etag.clone(), last_modified: h.last_modified.clone(), ..Default::default() };
        let answer = match prober.revalidate(url, &before) {
            Revalidated::Same => Rechecked::Same,
            Revalidated::Changed => Rechecked::Changed,
            Revalidated::Unreachable(why) => Rechecked::Unreachable(why),
        };
        opts.progress.advance(1);
        answer
    };
    match rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.clamp(1, 256)).build() {
        Ok(pool) => pool.install(|| stale.par_iter().map(ask).collect()),
        Err(_) => stale.iter().map(ask).collect(),
    }
}

#[cfg(not(feature = "online"))]
fn ask_hosted(stale: &[(&str, crate::probe::cache::Hosted)], _: &ProbeOptions) -> Vec<Rechecked> {
    stale.iter().map(|_| Rechecked::Unreachable("this podsmith was built without its online feature".into())).collect()
}

/// Saves the probe cache; a warning if it cannot be saved (which only costs
/// time on the next build).
pub fn save_cache(cache: &mut Cache) -> Option<Diagnostic> {
    let e = cache.save().err()?;
    Some(Diagnostic::warning("CACHE", format!("the probe cache could not be saved ({e}); the next build probes again")))
}

impl Catalog {
    /// Puts the show and the probe results together. `now` decides which
    /// episodes are live. All media problems are reported together.
    pub fn assemble(show: Show, probes: &Probes, now: DateTime<Utc>) -> Result<Catalog, Vec<Diagnostic>> {
        let (catalog, unfit) = Catalog::assemble_despite(show, probes, now);
        match unfit.is_empty() {
            true => Ok(catalog),
            false => Err(unfit.into_iter().flat_map(|u| u.problems).collect()),
        }
    }

    /// [`Catalog::assemble`], setting the episodes that cannot be published
    /// as they are (a file that is not audio, wrong chapters) apart, in
    /// manifest order, rather than stopping there: the catalog holds the
    /// others (for `podsmith list`, which shows a show with one broken file).
    pub fn assemble_despite(mut show: Show, probes: &Probes, now: DateTime<Utc>) -> (Catalog, Vec<Unfit>) {
        use rayon::prelude::*;
        let mut warnings = clean_text(&mut show);
        let mut unfit = Vec::new();
        let mut live = Vec::with_capacity(show.episodes.len());
        let mut scheduled = Vec::new();
        // Each episode on its own (its notes rendered), in parallel, in order.
        let episodes = std::mem::take(&mut show.episodes);
        type Assembled = (Result<Result<LiveEpisode, Scheduled>, Unfit>, Vec<Diagnostic>);
        let assembled: Vec<Assembled> = episodes
            .into_par_iter()
            .map(|episode| {
                let (episode, media, notes) = match fit(&show, episode, probes) {
                    Ok(fitted) => fitted,
                    Err((unfit, notes)) => return (Err(unfit), notes),
                };
                let e = match episode.date.with_timezone(&Utc) > now {
                    true => Err(Scheduled { episode, media }),
                    false => Ok(LiveEpisode::new(&show.podcast, episode, media)),
                };
                (Ok(e), notes)
            })
            .collect();
        for (a, notes) in assembled {
            warnings.extend(notes);
            match a {
                Ok(Ok(e)) => live.push(e),
                Ok(Err(s)) => scheduled.push(s),
                Err(found) => unfit.push(found),
            }
        }
        // Newest first; ties keep manifest order (a stable sort), so output is deterministic.
        live.sort_by_key(|e| std::cmp::Reverse(e.episode.date));
        scheduled.sort_by_key(Scheduled::date);
        // (One said, with how many more: a show that planned years ahead
        // has them by the hundred.)
        let mut ahead =
            scheduled.iter().filter_map(|s| Some((far_ahead(&s.episode, now, &show.manifest_path)?, s.episode.line)));
        if let Some((mut first, _)) = ahead.next() {
            let lines: Vec<String> = ahead.map(|(_, line)| line.to_string()).collect();
            if !lines.is_empty() {
                let shown = lines.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
                first.message.push_str(&format!(
                    " (and {} more episode{} dated over a year ahead, at line{} {shown}{})",
                    lines.len(),
                    crate::text::plural(lines.len()),
                    crate::text::plural(lines.len()),
                    if lines.len() > 10 { " …" } else { "" }
                ));
            }
            warnings.push(first);
        }
        let all = live.iter().map(|e| &e.episode).chain(scheduled.iter().map(|s| &s.episode));
        warnings.extend(same_titles(all, &show.manifest_path));
        let formats = formats_of(&live);
        warnings.extend(missing_formats(&live, &formats));
        warnings.extend(unused_feed_guids(&show, &formats));
        warnings.extend(unmoved_feeds(&show, &formats));
        warnings.extend(english_pages(&show));
        let Show { root, manifest_path, podcast, .. } = show;
        (Catalog { podcast, root, manifest_path, episodes: live, scheduled, formats, warnings }, unfit)
    }

    /// URL of the main feed.
    pub fn feed_url(&self) -> String {
        self.podcast.url_of(&feed_file_name(None))
    }

    /// The newest live episode's date: the feed's `lastBuildDate` and `pubDate`.
    pub fn last_date(&self) -> Option<DateTime<FixedOffset>> {
        self.episodes.iter().map(|e| e.episode.date).max()
    }

    /// Every file of the show: the cover, and every episode's media, art
    /// and chapter pictures, live or scheduled.
    pub fn files(&self) -> impl Iterator<Item = &LocalFile> {
        let episodes = self.episodes.iter().map(|e| &e.episode).chain(self.scheduled.iter().map(|s| &s.episode));
        fn local(a: &Asset) -> Option<&LocalFile> {
            match a {
                Asset::Local(f) => Some(f),
                Asset::Remote(_) => None,
            }
        }
        local(&self.podcast.image).into_iter().chain(episodes.flat_map(|e| {
            let chapter_images =
                e.chapters.iter().flat_map(|c| &c.list).filter_map(|c| c.image.as_ref().and_then(local));
            e.media.iter().filter_map(MediaFile::local).chain(e.image.as_ref().and_then(local)).chain(chapter_images)
        }))
    }
}

impl LiveEpisode {
    /// A live episode with its measured media.
    fn new(podcast: &Podcast, episode: Episode, media: Vec<Media>) -> LiveEpisode {
        // The enclosure of feed.xml: the first file Apple accepts. An episode
        // without one is reported by validation (APPLE-IT-ENCL-EXT); formats
        // of different lengths too (MEDIA-FORMATS-AGREE).
        let primary = media.iter().position(|m| m.info.format.apple_accepts()).unwrap_or(0);
        let page_path = page_path_of(&episode.slug);
        LiveEpisode {
            page_url: podcast.url_of(&page_path),
            page_path,
            notes_html: std::sync::OnceLock::new(),
            description: std::sync::OnceLock::new(),
            episode,
            media,
            primary,
        }
    }
}

/// An episode's media with their measurements, or what is wrong with them:
/// a file that cannot be measured, a name that belies the content, two
/// files of one format.
fn measured(show: &Show, episode: &Episode, probes: &Probes) -> Result<Vec<Media>, Vec<Diagnostic>> {
    let problem = |file: &MediaFile, message: String| {
        Diagnostic::error("MEDIA", format!("{} ({}): {message}", file.key(), episode_place(&episode.title)))
            .at(Location::file(&show.manifest_path, file.line(), None))
    };
    let mut media = Vec::with_capacity(episode.media.len());
    let mut problems = Vec::new();
    for file in &episode.media {
        let url = match file {
            MediaFile::Local(f) => show.podcast.url_of(&f.rel),
            MediaFile::Hosted(h) => h.url.to_string(),
        };
        // Behind the download-measurement prefix, where the show has one.
        let url = crate::manifest::namespace::prefixed(show.podcast.tags.prefix.as_ref(), &url);
        match probes.get(file.key()) {
            Some(Ok(info)) => match file.local().and_then(|f| extension_problem(&f.rel, info.format)) {
                Some(msg) => problems.push(problem(file, msg)),
                None => media.push(Media { url, file: file.clone(), info: info.clone() }),
            },
            Some(Err(e)) => problems.push(problem(file, e.to_string()).help(e.help().unwrap_or_default())),
            None => problems.push(problem(file, "was not probed".into())),
        }
    }
    let mut seen = BTreeSet::new();
    for m in &media {
        if !seen.insert(m.info.format) {
            let label = m.info.format.label();
            problems.push(problem(&m.file, format!("the episode has two {label} files; list one file per format")));
        }
    }
    if problems.is_empty() { Ok(media) } else { Err(problems) }
}

/// A warning for notes whose raw HTML holds tags that are shown as text,
/// not read (see [`crate::markdown::tags_shown_as_text`]): what such a tag
/// would do (an embedded player, a script) is not done.
fn notes_html(show: &Show, episode: &Episode) -> Option<Diagnostic> {
    let tags = crate::markdown::tags_shown_as_text(&episode.notes);
    let named = tags.iter().map(|t| format!("<{t}>")).collect::<Vec<_>>().join(", ");
    let verb = if tags.len() == 1 { "is" } else { "are" };
    (!tags.is_empty()).then(|| {
        Diagnostic::warning(
            "NOTES-HTML",
            format!("{}: {named} in the notes {verb} shown as text, as written", episode_place(&episode.title)),
        )
        .at({
            let offset = crate::markdown::tag_offset(&episode.notes, &tags[0]).unwrap_or(0);
            let (file, line) = episode.notes_from.at(&episode.notes, offset, (&show.manifest_path, episode.line));
            Location::file(file, line, None)
        })
        .help(
            "notes read the HTML tags notes are written with (<b>, <i>, <a href>, <p>, <br>, lists, <img> …) as \
             Markdown and show any other as text: write it in Markdown, or take it out",
        )
    })
}

/// A warning for notes whose links or images the pages cannot use as
/// written (see [`crate::markdown::url_problems`]): a URL left out (a
/// `javascript:` link), and, on a site served over https, an image at an
/// `http:` URL, which browsers block or warn of. At the line of the first.
fn notes_urls(show: &Show, episode: &Episode, found: &[crate::markdown::UrlProblem]) -> Option<Diagnostic> {
    use crate::markdown::UrlProblem;
    let https = show.podcast.base_url.as_str().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("https:"));
    let found: Vec<&UrlProblem> = found
        .iter()
        .filter(|p| match p {
            UrlProblem::Dropped(_) => true,
            UrlProblem::HttpImage(_) => https,
            UrlProblem::NoAlt(_) => false,
        })
        .collect();
    let first = found.first()?;
    let listed = |dropped: bool| {
        let urls: Vec<std::borrow::Cow<str>> = found
            .iter()
            .filter(|p| matches!(p, UrlProblem::Dropped(_)) == dropped)
            .map(|p| crate::text::shown(p.url()))
            .collect();
        (urls.join(", "), urls.len())
    };
    let mut said = Vec::new();
    match listed(true) {
        (_, 0) => {}
        (urls, 1) => said.push(format!("the link {urls} loses its URL (its text stays)")),
        (urls, _) => said.push(format!("the links {urls} lose their URL (their text stays)")),
    }
    match listed(false) {
        (_, 0) => {}
        (urls, 1) => said.push(format!("the image {urls} is http on an https site")),
        (urls, _) => said.push(format!("the images {urls} are http on an https site")),
    }
    // (A URL written with character references, `jav&#x09;ascript:`, is
    // found by the longest start of it written as it is.)
    let offset = crate::text::written_at(&episode.notes, first.url()).unwrap_or(0);
    let (file, line) = episode.notes_from.at(&episode.notes, offset, (&show.manifest_path, episode.line));
    Some(
        Diagnostic::warning("NOTES-URL", format!("episode \"{}\": in the notes, {}", episode.title, said.join("; ")))
            .at(Location::file(file, line, None))
            .help(
                "a link or image in notes leads to an http, https or mailto URL or a relative one (others, such as \
                 javascript:, could run on the site), and browsers block an http image on an https page or mark \
                 the page not secure: give the https URL of the image",
            ),
    )
}

/// A warning for chapters whose art is at an `http:` URL on a site
/// served over https: apps (iOS's App Transport Security) and the page
/// refuse it, and the art never shows. Once an episode, at the first.
fn chapter_art_http(show: &Show, episode: &Episode) -> Option<Diagnostic> {
    let https = show.podcast.base_url.as_str().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("https:"));
    let chapters = episode.chapters.as_ref().filter(|_| https)?;
    let http: Vec<&crate::chapters::Chapter> = chapters
        .list
        .iter()
        .filter(|c| match &c.image {
            Some(Asset::Remote(url)) => url.as_str().get(..5).is_some_and(|s| s.eq_ignore_ascii_case("http:")),
            _ => false,
        })
        .collect();
    let first = http.first()?;
    let url = match &first.image {
        Some(Asset::Remote(url)) => url.as_str().to_string(),
        _ => String::new(),
    };
    let more = match http.len() {
        1 => String::new(),
        n => format!(" (and {} more chapters')", n - 1),
    };
    Some(
        Diagnostic::warning(
            "CHAPTER-ART",
            format!(
                "episode \"{}\": chapter {} ({})'s art {}{more} is http on an https site: apps and browsers \
                 refuse it, and it never shows",
                episode.title,
                chapters.list.iter().position(|c| std::ptr::eq(c, *first)).map_or(1, |i| i + 1),
                crate::text::quoted(&crate::text::truncate_chars(&first.title, 40)),
                crate::text::shown(&url),
            ),
        )
        .at(Location::file(&show.manifest_path, if first.line > 0 { first.line } else { episode.line }, None))
        .help("give the https URL of the art (or a file of the show folder, published with the site)"),
    )
}

/// A warning for images in the notes without a text that says what they
/// show (see [`crate::markdown::UrlProblem::NoAlt`], among `found`): a
/// screen reader skips them. At the line of the first.
fn notes_alt(show: &Show, episode: &Episode, found: &[crate::markdown::UrlProblem]) -> Option<Diagnostic> {
    use crate::markdown::UrlProblem;
    let unsaid: Vec<&str> = found.iter().filter(|p| matches!(p, UrlProblem::NoAlt(_))).map(UrlProblem::url).collect();
    let first = unsaid.first()?;
    let offset = crate::text::written_at(&episode.notes, first).unwrap_or(0);
    let (file, line) = episode.notes_from.at(&episode.notes, offset, (&show.manifest_path, episode.line));
    let listed = unsaid.iter().map(|u| crate::text::shown(u)).collect::<Vec<_>>().join(", ");
    let (which, say, them) = match unsaid.len() {
        1 => (format!("the image {listed} has"), "it", "it"),
        _ => (format!("the images {listed} have"), "each", "them"),
    };
    Some(
        Diagnostic::warning(
            "NOTES-ALT",
            format!(
                "{}: in the notes, {which} no text saying what {say} shows: a screen reader skips {them}",
                episode_place(&episode.title)
            ),
        )
        .at(Location::file(file, line, None))
        .help(
            "write what the image shows: ![A map of the route](map.png), or <img src=\"map.png\" alt=\"A map of \
             the route\">; one that only decorates can stay as it is",
        ),
    )
}

/// What an HTML transcript had that would run or lead elsewhere on the
/// show's site, left out when it was read; and its links and images at
/// addresses relative to where the file is in the show, which lead
/// elsewhere from the episode's page (where it is published).
fn transcript_html(show: &Show, episode: &Episode) -> Vec<Diagnostic> {
    let mut said: Vec<Diagnostic> =
        episode.transcripts.iter().filter_map(|t| transcript_links(show, episode, t)).collect();
    let html = episode.transcripts.iter().filter(|t| !t.left_out.is_empty());
    said.extend(html.map(|t| {
        let verb = if t.left_out.len() == 1 { "was" } else { "were" };
        Diagnostic::warning(
            "TRANSCRIPT-HTML",
            format!(
                "{}: {} in {} {verb} left out of the published transcript",
                episode_place(&episode.title),
                t.left_out.join(", "),
                t.rel
            ),
        )
        .at(Location::file(&show.manifest_path, episode.line, None))
        .help(
            "a transcript is published on the show's site, where nothing in it may run: podsmith writes its text and \
             the tags a transcript is written with (<p>, <cite>, <time>, <span>, <a href>, …) anew, without scripts, \
             event handlers, frames, forms or javascript: links; take them out of the file to quiet this",
        )
    }));
    said
}

/// An HTML transcript's links and images at relative addresses (see
/// [`transcript_html`]), if any.
fn transcript_links(show: &Show, episode: &Episode, t: &crate::transcript::Transcript) -> Option<Diagnostic> {
    let (first, more) = t.relative.split_first()?;
    let more = match more.len() {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    Some(
        Diagnostic::warning(
            "TRANSCRIPT-HTML",
            format!(
                "{}: {} links to {}{more}, an address relative to where the file is in the show: published beside \
                 the episode's page, it leads elsewhere (a broken link or image)",
                episode_place(&episode.title),
                t.rel,
                crate::text::quoted(first),
            ),
        )
        .at(Location::file(&show.manifest_path, episode.line, None))
        .help("write each in full (https://…), where it is on the web, or take it out of the file"),
    )
}

/// A recording that plays for under a second: a failed export, almost
/// always (apps show a length of 0:00, and play nothing). Said of the first.
fn too_short(show: &Show, episode: &Episode, media: &[Media]) -> Option<Diagnostic> {
    let m = media.iter().find(|m| m.info.duration_secs < 1.0)?;
    Some(
        Diagnostic::warning(
            "MEDIA-SHORT",
            format!(
                "{}: {} plays for {:.2} s: an episode under a second is most likely an export that failed",
                episode_place(&episode.title),
                m.file.key(),
                m.info.duration_secs
            ),
        )
        .at(Location::file(&show.manifest_path, episode.line, None))
        .help("export the episode again from the editor, and check that it plays to the end"),
    )
}

/// An Ogg file of FLAC (not Vorbis): published in the Ogg feed, whose
/// listeners' apps play Vorbis, and few of them FLAC in Ogg.
fn ogg_not_vorbis(show: &Show, episode: &Episode, media: &[Media]) -> Option<Diagnostic> {
    let m = media.iter().find(|m| m.info.format == AudioFormat::Ogg && m.info.codec == crate::probe::Codec::Flac)?;
    Some(
        Diagnostic::warning(
            "MEDIA-OGG-FLAC",
            format!(
                "{}: {} is FLAC in an Ogg file, which few podcast apps play; it is published in the Ogg feed, whose \
                 listeners' apps play Vorbis",
                episode_place(&episode.title),
                m.file.key()
            ),
        )
        .at(Location::file(&show.manifest_path, episode.line, None))
        .help(format!(
            "export it as Ogg Vorbis (ffmpeg -i {} -c:a libvorbis -q:a 4 episode.ogg), or as a .flac file",
            m.file.key()
        )),
    )
}

/// The episode as the build takes it: its media measured (by `probes`),
/// its chapters (the MP3's own, where the manifest gives none) and
/// transcripts checked against them, with what to tell of it; or why it
/// cannot be published as it is. `add` asks it of the episode it adds, so
/// that it says what the build will.
#[allow(clippy::type_complexity, clippy::result_large_err)]
pub fn fit(
    show: &Show,
    mut episode: Episode,
    probes: &Probes,
) -> Result<(Episode, Vec<Media>, Vec<Diagnostic>), (Unfit, Vec<Diagnostic>)> {
    let media = match measured(show, &episode, probes) {
        Ok(m) => m,
        Err(problems) => return Err((Unfit { episode, problems, media: Vec::new() }, Vec::new())),
    };
    let (mut problems, mut notes) = chapters_of(show, &mut episode, &media);
    notes.extend(notes_html(show, &episode));
    let problems_of_notes = crate::markdown::url_problems(&episode.notes);
    notes.extend(notes_urls(show, &episode, &problems_of_notes));
    notes.extend(notes_alt(show, &episode, &problems_of_notes));
    notes.extend(chapter_art_http(show, &episode));
    notes.extend(transcript_html(show, &episode));
    notes.extend(too_short(show, &episode, &media));
    notes.extend(ogg_not_vorbis(show, &episode, &media));
    problems.extend(transcript_problems(show, &episode, &media));
    match problems.is_empty() {
        true => Ok((episode, media, notes)),
        false => Err((Unfit { episode, problems, media }, notes)),
    }
}

/// The episode's chapters: those the manifest gives, else those of its
/// first MP3's tag; checked against every format's measured length.
/// Returns the problems (errors) and what to tell (a manifest's chapters
/// that differ from the MP3's own; an MP3's own chapter without a title,
/// kept as a marker).
fn chapters_of(show: &Show, episode: &mut Episode, media: &[Media]) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    use crate::chapters::{Chapters, Origin};
    let at = Location::file(&show.manifest_path, episode.line, None);
    let mut notes = Vec::new();
    let own = media.iter().find(|m| !m.info.chapters.is_empty());
    let tagged = own.and_then(|m| Chapters::tagged(&m.info.chapters, m.file.key()));
    let (tagged, unpublished) = tagged.unzip();
    match (&episode.chapters, tagged) {
        (None, Some(mut tagged)) => {
            notes.extend(tagged_warnings(&episode.title, &tagged, unpublished.unwrap_or_default()));
            notes.extend(own.and_then(|m| tagged_pictures(&episode.title, m, &tagged)));
            notes.extend(repaired_tagged(&episode.title, &mut tagged, media));
            notes.extend(untitled_tagged(&episode.title, &mut tagged));
            let hosted = own.is_some_and(|m| m.file.local().is_none());
            pictures_published(&show.podcast, &page_path_of(&episode.slug), &mut tagged, hosted);
            episode.chapters = Some(tagged).filter(|t| !t.list.is_empty());
        }
        (Some(given), Some(tagged)) if !given.agrees_with(&tagged) => notes.push(
            Diagnostic::warning(
                "CHAPTERS",
                format!(
                    "{}: the chapters given in the manifest differ from those in {}'s ID3 tag; the manifest's \
                     are published",
                    episode_place(&episode.title),
                    match &tagged.origin {
                        Origin::Tagged(of) => of.as_str(),
                        _ => "the MP3",
                    }
                ),
            )
            .at(at.clone())
            .help("apps that read the MP3's own chapters show those: make them agree, or remove one"),
        ),
        _ => {}
    }
    let Some(chapters) = &episode.chapters else { return (Vec::new(), m4a_said(own, Vec::new(), notes).1) };
    let mut problems = Vec::new();
    // Chapter pictures as apps show them: JPEG or PNG (by their content).
    for (n, c) in chapters.list.iter().enumerate() {
        if let Some(Asset::Local(f)) = &c.image
            && !is_jpeg_or_png(&f.path)
        {
            problems.push(
                Diagnostic::error(
                    "CHAPTERS",
                    format!(
                        "{}: the picture of chapter {} ({}) is not a JPEG or PNG file",
                        episode_place(&episode.title),
                        n + 1,
                        f.rel
                    ),
                )
                .at(Location::file(&show.manifest_path, f.line, None))
                .help("apps show JPEG and PNG chapter art: export it as one"),
            );
        }
    }
    let timing = timing_problems(show, episode, chapters, media);
    match chapters.origin {
        // What is left of an MP3's own chapters once repaired (a first
        // chapter after 0) is told: the MP3 carries them whatever is published.
        Origin::Tagged(_) => notes.extend(timing.into_iter().map(|mut d| {
            d.severity = crate::diagnostic::Severity::Warning;
            d
        })),
        _ => problems.extend(timing),
    }
    m4a_said(own, problems, notes)
}

/// What is said of the media's own chapters (`own`'s), said of an M4A's
/// (its Nero chapter list) where they are one's: the words are an MP3's.
fn m4a_said(
    own: Option<&Media>,
    mut problems: Vec<Diagnostic>,
    mut notes: Vec<Diagnostic>,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    if own.is_some_and(|m| m.info.format == AudioFormat::M4a) {
        let m4a = |text: &str| {
            text.replace("this MP3's ID3 tag", "this M4A's own chapters")
                .replace("'s ID3 tag", "'s own chapters")
                .replace("the MP3", "the M4A")
        };
        for d in problems.iter_mut().chain(notes.iter_mut()) {
            d.message = m4a(&d.message);
            d.help = d.help.as_deref().map(m4a);
        }
    }
    (problems, notes)
}

/// What is said of an MP3's own chapters (`said`, each of one chapter):
/// warnings that name the MP3 (the first few).
fn tagged_warnings(episode: &str, tagged: &crate::chapters::Chapters, said: Vec<String>) -> Vec<Diagnostic> {
    const SAID: usize = 10;
    let crate::chapters::Origin::Tagged(of) = &tagged.origin else { return Vec::new() };
    let help = "fix the chapter (its link an http or https URL) in the app that wrote the MP3's chapters, or give the \
                episode's chapters in the manifest ([[episode.chapters]] tables), which are published instead";
    let warning = |message: String| {
        Diagnostic::warning(
            "CHAPTERS",
            format!("{}: the chapters in this MP3's ID3 tag: {message}", episode_place(episode)),
        )
        .at(Location::Path(of.into()))
        .help(help)
    };
    let more = said.len().saturating_sub(SAID);
    let mut out: Vec<Diagnostic> = said.into_iter().take(SAID).map(warning).collect();
    if more > 0 {
        out.push(warning(format!("{more} more chapters published without their link as those above")));
    }
    out
}

pub(crate) use crate::manifest::page_path_of;

/// The files of the show folder the notes of `episode` link to that are
/// published (see [`Episode::linked`]): not those inside the output
/// folder (`out`, resolved; `None`: there is none yet), which are what a
/// build wrote, not the show's.
pub fn linked_files<'a, 'o>(
    episode: &'a Episode,
    out: Option<&'o Path>,
) -> impl Iterator<Item = &'a LocalFile> + use<'a, 'o> {
    let outside = move |f: &&LocalFile| out.is_none_or(|o| f.path.canonicalize().is_ok_and(|p| !p.starts_with(o)));
    episode.linked.iter().filter(outside)
}

/// Where an MP3's own chapter picture is published, if it can be: beside
/// the episode's page (`page_path`), named by its fingerprint (a picture
/// several chapters share is one file; a new picture, a new name).
pub(crate) fn chapter_picture_rel(page_path: &str, picture: &crate::probe::id3::Picture) -> Option<String> {
    let (extension, fingerprint) = picture.published_as()?;
    let name = fingerprint.to_string();
    Some(format!("{page_path}chapter-{}.{extension}", &name[..16]))
}

/// An MP3's own chapters' pictures that can be published (see
/// [`chapter_picture_rel`]) become the chapters' pictures, at their URL
/// beside the episode's page (`page_path`); the others (all of a `hosted`
/// MP3's) are left out.
fn pictures_published(
    podcast: &crate::manifest::Podcast,
    page_path: &str,
    tagged: &mut crate::chapters::Chapters,
    hosted: bool,
) {
    for c in &mut tagged.list {
        let rel = c.embedded.as_ref().filter(|_| !hosted).and_then(|p| chapter_picture_rel(page_path, p));
        match rel.and_then(|rel| crate::url::HttpUrl::parse(&podcast.url_of(&rel)).ok()) {
            Some(url) => c.image = Some(Asset::Remote(url)),
            None => c.embedded = None,
        }
    }
}

/// An MP3's own chapters with a picture (an `APIC` frame) that cannot be
/// published (not a JPEG or PNG, stored compressed or encrypted, over
/// 4 MiB; any of a hosted MP3): said in one warning that names the MP3
/// and the chapters (numbered as the tag has them, by start).
fn tagged_pictures(episode: &str, own: &Media, tagged: &crate::chapters::Chapters) -> Option<Diagnostic> {
    const SAID: usize = 10;
    let crate::chapters::Origin::Tagged(of) = &tagged.origin else { return None };
    let hosted = own.file.local().is_none();
    let with: Vec<String> = own
        .info
        .chapters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.picture.is_some_and(|p| hosted || p.published_as().is_none()))
        .map(|(n, _)| (n + 1).to_string())
        .collect();
    let why = match hosted {
        true => "it publishes those of an MP3 in the show folder, not of a hosted one",
        false => "it publishes a JPEG or PNG of up to 4 MiB, stored as it is",
    };
    let (listed, them) = match with.len() {
        0 => return None,
        1 => (format!("chapter {} has a picture", with[0]), "it"),
        n if n <= SAID => (format!("chapters {} have pictures", with.join(", ")), "them"),
        n => (format!("chapters {} and {} more have pictures", with[..SAID].join(", "), n - SAID), "them"),
    };
    Some(
        Diagnostic::warning(
            "CHAPTERS",
            format!(
                "{}: the chapters in this MP3's ID3 tag: {listed} (APIC) podsmith cannot publish ({why}): \
                 published without {them}",
                episode_place(episode)
            ),
        )
        .at(Location::Path(of.into()))
        .help(
            "save the chapters' pictures as JPEG or PNG in the app that wrote the MP3's chapters, or give the \
             episode's chapters in the manifest ([[episode.chapters]] tables, each picture as `image`)",
        ),
    )
}

/// An MP3's own chapters made fit to publish with the episode's shortest
/// format ([`Chapters::repair`](crate::chapters::Chapters::repair)): what
/// was done, told as warnings that name the MP3 (the first few; a tag may
/// hold hundreds of chapters).
fn repaired_tagged(episode: &str, tagged: &mut crate::chapters::Chapters, media: &[Media]) -> Vec<Diagnostic> {
    const SAID: usize = 10;
    let crate::chapters::Origin::Tagged(of) = &tagged.origin else { return Vec::new() };
    let Some(shortest) = media.iter().min_by(|a, b| a.info.duration_secs.total_cmp(&b.info.duration_secs)) else {
        return Vec::new();
    };
    let of = of.clone();
    let what = format!("the {}", shortest.info.format.label());
    let said = tagged.repair(shortest.info.duration_secs, &what);
    let help = "fix the chapters in the app that wrote them into the MP3, or give the episode's chapters in the \
                manifest ([[episode.chapters]] tables), which are published instead";
    let warning = |message: String| {
        Diagnostic::warning(
            "CHAPTERS",
            format!("{}: the chapters in this MP3's ID3 tag: {message}", episode_place(episode)),
        )
        .at(Location::Path(of.clone().into()))
        .help(help)
    };
    let more = said.len().saturating_sub(SAID);
    let mut out: Vec<Diagnostic> = said.into_iter().take(SAID).map(warning).collect();
    if more > 0 {
        out.push(warning(format!("{more} more chapters repaired as those above")));
    }
    if tagged.list.is_empty() {
        out.push(warning("no chapter is left to publish: the episode is published without chapters".into()));
    }
    out
}

/// The chapters of an MP3's own tag (its ID3 `CHAP` frames) that have no
/// title, kept as markers apps leave out of the list of chapters (as
/// `import` keeps those of a chapters file): the podcaster cannot easily
/// edit a tag, and the episode is published all the same. What to tell.
fn untitled_tagged(episode: &str, tagged: &mut crate::chapters::Chapters) -> Option<Diagnostic> {
    let crate::chapters::Origin::Tagged(of) = &tagged.origin else { return None };
    let mut untitled = Vec::new();
    for (n, c) in tagged.list.iter_mut().enumerate() {
        if c.title.trim().is_empty() && c.toc {
            c.toc = false;
            untitled.push(format!("{} ({})", n + 1, crate::chapters::clock(c.start)));
        }
    }
    let (one, which) = match untitled.len() {
        0 => return None,
        1 => (true, "chapter"),
        _ => (false, "chapters"),
    };
    Some(
        Diagnostic::warning(
            "CHAPTERS",
            format!(
                "{}: the chapters in this MP3's ID3 tag: {which} {} {} no title: published as {} apps leave out \
                 of the list of chapters",
                episode_place(episode),
                untitled.join(", "),
                if one { "has" } else { "have" },
                if one { "a marker" } else { "markers" },
            ),
        )
        .at(Location::Path(of.into()))
        .help(
            "name the chapter in the app that wrote the MP3's chapters, or give the episode's chapters in the \
             manifest ([[episode.chapters]] tables), which are published instead",
        ),
    )
}

/// The chapters checked against every format's measured length: each
/// problem once (the formats of an episode share most), the first few
/// said (a list of thousands of chapters may have thousands), each at the
/// line that gives the chapter and with what fixes it where it is written.
fn timing_problems(
    show: &Show,
    episode: &Episode,
    chapters: &crate::chapters::Chapters,
    media: &[Media],
) -> Vec<Diagnostic> {
    const SAID: usize = 10;
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in media {
        let what = format!("the {}", m.info.format.label());
        for p in chapters.problems(m.info.duration_secs, &what) {
            if seen.insert(p.message.clone()) && seen.len() <= SAID {
                problems.push(chapter_problem(show, episode, chapters, &p));
            }
        }
    }
    if seen.len() > SAID {
        problems.push(
            Diagnostic::error(
                "CHAPTERS",
                format!("{}: {} more problems with its chapters", episode_place(&episode.title), seen.len() - SAID),
            )
            .at(Location::file(&show.manifest_path, episode.line, None))
            .help("fix the ones above and build again to see the rest"),
        );
    }
    problems
}

/// A chapter's problem as the build tells it: where the chapter is given
/// (its manifest line, the manifest's `chapters_file` line, or the MP3
/// whose tag has it), and what fixes it there.
fn chapter_problem(
    show: &Show,
    episode: &Episode,
    chapters: &crate::chapters::Chapters,
    p: &crate::chapters::Problem,
) -> Diagnostic {
    use crate::chapters::{Fix, Origin};
    let line = chapters.list.get(p.chapter).map_or(0, |c| c.line);
    let at = Location::file(&show.manifest_path, if line > 0 { line } else { episode.line }, None);
    let place = episode_place(&episode.title);
    let (message, at, help) = match &chapters.origin {
        Origin::Inline => (
            format!("{place}: {p}"),
            at,
            match p.fix {
                Fix::Start => "fix the chapter's start (apps seek there), or the audio if it was cut".to_string(),
                Fix::End => "fix the chapter's end, or leave it out: a chapter ends where the next one starts".into(),
                Fix::Title => "give the chapter a title, or toc = false for a marker apps leave out of the list".into(),
            },
        ),
        Origin::File(rel) => (
            format!("{place}: {rel}: {p}"),
            at,
            match p.fix {
                Fix::Start => {
                    format!("fix the chapter's startTime in {rel} (apps seek there), or the audio if it was cut")
                }
                Fix::End => {
                    format!("fix the chapter's endTime in {rel}, or leave it out: it ends where the next starts")
                }
                Fix::Title => {
                    format!(
                        "give the chapter a \"title\" in {rel}, or \"toc\": false for a marker apps leave out of the list"
                    )
                }
            },
        ),
        Origin::Tagged(of) => (
            format!("{place}: the chapters in this MP3's ID3 tag: {p}"),
            Location::Path(of.into()),
            "fix the chapters in the app that wrote them into the MP3, or give the episode's chapters in the manifest \
             ([[episode.chapters]] tables), which are published instead"
                .to_string(),
        ),
    };
    Diagnostic::error("CHAPTERS", message).at(at).help(help)
}

/// Whether the file at `path` is a JPEG or PNG, by its content.
fn is_jpeg_or_png(path: &std::path::Path) -> bool {
    use crate::validate::art::{Format, inspect_file};
    inspect_file(path).is_some_and(|i| matches!(i.format, Format::Jpeg | Format::Png))
}

/// Transcripts whose cues run past the end of one of the episode's formats.
fn transcript_problems(show: &Show, episode: &Episode, media: &[Media]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &episode.transcripts {
        let shortest = media.iter().min_by(|a, b| a.info.duration_secs.total_cmp(&b.info.duration_secs));
        if let Some(m) = shortest {
            let what = format!("the {} ({})", m.info.format.label(), crate::text::clock(m.info.whole_seconds()));
            if let Some(p) = t.problem(m.info.duration_secs, &what) {
                out.push(
                    Diagnostic::error("TRANSCRIPT", format!("{}: {p}", episode_place(&episode.title)))
                        .at(Location::file(&show.manifest_path, episode.line, None))
                        .help("the transcript is of another cut of the audio: make it again from this one"),
                );
            }
        }
    }
    let shortest = media.iter().map(|m| m.info.duration_secs).fold(f64::INFINITY, f64::min);
    for (n, s) in episode.tags.soundbites.iter().enumerate() {
        if s.start + s.duration > shortest + 1.0 {
            out.push(
                Diagnostic::error(
                    "SOUNDBITE",
                    format!(
                        "{}: soundbite {} ({} + {:.0} s) ends after the end of the audio ({})",
                        episode_place(&episode.title),
                        n + 1,
                        crate::chapters::clock(s.start),
                        s.duration,
                        crate::chapters::clock(shortest)
                    ),
                )
                .at(Location::file(&show.manifest_path, episode.line, None))
                .help("move its start, or shorten it"),
            );
        }
    }
    out
}

/// A warning per further format that some episodes lack.
fn missing_formats(live: &[LiveEpisode], formats: &[AudioFormat]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for format in formats.iter().skip(1) {
        let missing: Vec<&str> =
            live.iter().filter(|e| e.media_of(*format).is_none()).map(|e| e.episode.title.as_str()).collect();
        if !missing.is_empty() {
            out.push(
                Diagnostic::warning(
                    "FORMAT-MISSING",
                    format!(
                        "{} no {} file and {} listed with {} main file: {}",
                        match missing.len() {
                            1 => "1 episode has".to_string(),
                            n => format!("{n} episodes have"),
                        },
                        format.label(),
                        if missing.len() == 1 { "is" } else { "are" },
                        if missing.len() == 1 { "its" } else { "their" },
                        missing.join(", ")
                    ),
                )
                .at(Location::Path(feed_file_name(Some(*format)).into()))
                .help(format!(
                    "listeners subscribed to {feed} get those in the main file's format; to give them {label} \
                     files, export them and add them to each episode's `media`",
                    feed = feed_file_name(Some(*format)),
                    label = format.label()
                )),
            );
        }
    }
    out
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

/// Episodes with the title of an earlier one (in the manifest's order; told
/// apart by case and spaces alone, the same to a listener): apps list both
/// under one name. A warning at each later one, naming the first.
pub(crate) fn same_titles<'a>(episodes: impl Iterator<Item = &'a Episode>, manifest: &Path) -> Vec<Diagnostic> {
    let mut by_line: Vec<&Episode> = episodes.collect();
    by_line.sort_by_key(|e| e.line);
    let mut first: HashMap<String, &Episode> = HashMap::new();
    let mut said = Vec::new();
    for e in by_line {
        let key = e.title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        match first.get(&key) {
            Some(earlier) => said.push(
                Diagnostic::warning(
                    "EPISODE-TITLE",
                    format!(
                        "episode {} has the title of the episode at line {}: apps list both under one name",
                        crate::text::quoted(&e.title),
                        earlier.line
                    ),
                )
                .at(Location::file(manifest, e.line, None))
                .help("give each its own title (\"Pilot, part 2\"), so listeners can tell them apart"),
            ),
            None => {
                first.insert(key, e);
            }
        }
    }
    said
}

/// A note (shown with `-v`) for a show in a language the pages have no
/// words of their own in, that gives none: the pages' words are English
/// (marked so), and how to give them. `init` says it once; a show whose
/// language was set since heard nothing.
fn english_pages(show: &Show) -> Option<Diagnostic> {
    let language = &show.podcast.language;
    if crate::words::Words::built_in(language) || show.podcast.words.as_ref().is_some_and(|w| w.is_whole()) {
        return None;
    }
    Some(
        Diagnostic::info(
            "PAGE-WORDS",
            format!(
                "the pages' own words (\"Listen to\", \"Chapters\", months …) are English, marked as English: \
                 podsmith has none in \"{language}\""
            ),
        )
        .at(Location::Path(show.manifest_path.clone()))
        .help("give them in the show's language in a [podcast.words] table (the README's \"Templates\" lists them)"),
    )
}

/// A `feed_guids` entry for a feed the show does not make (its format is
/// the main feed's, or no live episode has it): it keeps nothing.
fn unused_feed_guids(show: &Show, formats: &[AudioFormat]) -> Vec<Diagnostic> {
    let made: BTreeSet<&str> = formats.iter().skip(1).map(|f| f.extension()).collect();
    show.podcast
        .feed_guids
        .keys()
        .filter(|ext| !made.contains(ext.as_str()))
        .map(|ext| {
            let main = formats.first().is_some_and(|f| f.extension() == ext);
            Diagnostic::warning(
                "FEED-GUID-UNUSED",
                match main {
                    true => format!("`feed_guids` sets `{ext}`, but the {ext} files are the main feed's (feed.xml)"),
                    false => format!(
                        "`feed_guids` sets `{ext}`, but the show makes no feed.{ext}.xml (no episode has such a file)"
                    ),
                },
            )
            .at(Location::Path(show.manifest_path.clone()))
            .help(match main {
                true => "feed.xml's podcast:guid is `guid` in [podcast]",
                false => "remove it, or keep it for when the format returns",
            })
        })
        .collect()
}

/// A show that moved (`new_feed_url`) with a per-format feed whose new
/// address `new_feed_urls` does not give: its subscribers stay. And a
/// `new_feed_urls` entry for a feed the show does not make.
fn unmoved_feeds(show: &Show, formats: &[AudioFormat]) -> Vec<Diagnostic> {
    let p = &show.podcast;
    let made: Vec<&str> = formats.iter().skip(1).map(|f| f.extension()).collect();
    // At the key to give, or the one that gives it.
    let at = |key: &str| match p.lines.of(key) {
        Some(line) => Location::file(&show.manifest_path, line, None),
        None => Location::Path(show.manifest_path.clone()),
    };
    let unmoved = made.iter().filter(|ext| p.new_feed_url.is_some() && !p.new_feed_urls.contains_key(**ext));
    let unmoved = unmoved.map(|ext| {
        Diagnostic::warning(
            "NEW-FEED-URL",
            format!("`new_feed_url` moves feed.xml's subscribers; feed.{ext}.xml's stay at its address"),
        )
        .at(at("new_feed_url"))
        .help(format!(
            "give its new address too, `new_feed_urls = {{ {ext} = \"https://…/feed.{ext}.xml\" }}` in [podcast], \
             or redirect it (HTTP 301) where it is served"
        ))
    });
    let unused = p.new_feed_urls.keys().filter(|ext| !made.contains(&ext.as_str())).map(|ext| {
        Diagnostic::warning(
            "NEW-FEED-URL",
            format!(
                "`new_feed_urls` sets `{ext}`, but the show makes no feed.{ext}.xml (feed.xml's is `new_feed_url`)"
            ),
        )
        .at(at("new_feed_urls"))
        .help("remove it")
    });
    unmoved.chain(unused).collect()
}

/// An enclosure URL's extension is what Apple and many apps go by, so it
/// has to match the content.
pub(crate) fn extension_problem(rel: &str, format: AudioFormat) -> Option<String> {
    // The file's name, not its folder's (`my.rec/take1` has none).
    let (folder, name) = rel.rsplit_once('/').map_or(("", rel), |(f, n)| (&rel[..=f.len()], n));
    fn extension(n: &str) -> Option<(&str, String)> {
        n.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()).map(|(stem, e)| (stem, e.to_ascii_lowercase()))
    }
    let accepted = |e: &str| format.accepted_extensions().contains(&e);
    let ending = extension(name);
    if ending.as_ref().is_some_and(|(_, e)| accepted(e)) {
        return None;
    }
    // `a.mp3.` is `a.mp3` with a dot too many; `a.wav` is `a.mp3` misnamed.
    let trimmed = name.trim_end_matches('.');
    let renamed = match extension(trimmed) {
        Some((_, e)) if accepted(&e) => trimmed.to_string(),
        Some((stem, _)) => format!("{stem}.{}", format.extension()),
        None => format!("{trimmed}.{}", format.extension()),
    };
    let said = match ending {
        Some((_, e)) => format!("its name ends in \".{e}\""),
        None => "its name has no extension".to_string(),
    };
    Some(format!(
        "the file holds {} audio but {said}; apps go by the name: rename it to {folder}{renamed}",
        format.label()
    ))
}

/// `value` (`field` of `place`) without the spaces around it, and a
/// warning saying so if it had any: Apple's tags take none, and apps show
/// them as written.
fn trimmed(value: &mut String, place: &str, field: &str) -> Option<Diagnostic> {
    let trimmed = value.trim();
    if trimmed.len() == value.len() {
        return None;
    }
    let said = format!("{place}: removed the spaces around `{field}` \"{trimmed}\" (Apple's tags take none)");
    *value = trimmed.to_string();
    Some(Diagnostic::warning("SPACES", said))
}

/// Removes characters XML 1.0 forbids from every text field that reaches
/// the feed or pages, and the spaces around titles and names, with a
/// warning naming where each was.
fn clean_text(show: &mut Show) -> Vec<Diagnostic> {
    // The manifest's own strings were cleaned as they were read, each told
    // with its line; here what came from other files (notes files, chapters
    // files), and what was made of them.
    let mut warnings = std::mem::take(&mut show.cleaned);
    let mut clean = |value: &mut String, place: &str, field: &str| {
        let (cleaned, removed) = crate::text::strip_control(value);
        if removed > 0 {
            warnings.push(Diagnostic::warning(
                "CONTROL-CHARS",
                format!(
                    "{place}: removed {} from `{field}` (XML cannot carry them; they are usually pasted by accident)",
                    crate::text::count(removed, "control character")
                ),
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
        // Most episodes have nothing to clean: told without copying their text.
        let chapters = e.chapters.iter().flat_map(|c| &c.list).map(|c| &c.title);
        let fields = [&e.title, &e.notes, &e.guid].into_iter().chain(&e.guests).chain(chapters);
        if !fields.into_iter().any(|f| crate::text::has_control(f)) {
            continue;
        }
        let place = episode_place(&crate::text::strip_control(&e.title).0);
        clean(&mut e.title, &place, "title");
        clean(&mut e.notes, &place, "notes");
        clean(&mut e.guid, &place, "guid");
        for g in &mut e.guests {
            clean(g, &place, "guests");
        }
        for c in e.chapters.iter_mut().flat_map(|c| &mut c.list) {
            clean(&mut c.title, &place, "chapters");
        }
    }
    // Spaces around a title or a name.
    for (value, field) in [
        (&mut show.podcast.title, "title"),
        (&mut show.podcast.author, "author"),
        (&mut show.podcast.owner.name, "owner.name"),
    ] {
        warnings.extend(trimmed(value, "[podcast]", field));
    }
    // (`itunes_title` is read trimmed.)
    for e in show.episodes.iter_mut().filter(|e| e.title.trim().len() != e.title.len()) {
        let place = episode_place(e.title.trim());
        warnings.extend(trimmed(&mut e.title, &place, "title"));
    }
    warnings
}

/// How many whole years there are from `from` to `to` (by the calendar:
/// the leap days counted).
fn whole_years(from: DateTime<Utc>, to: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    let years = to.year() - from.year();
    let short = (to.month(), to.day(), to.time()) < (from.month(), from.day(), from.time());
    years - i32::from(short)
}

/// An episode dated more than a year after `now`: most likely a slip in
/// its year (2206 for 2026), which leaves it out of the feed for good as
/// surely as a date before 1990 is a slip the other way.
pub(crate) fn far_ahead(episode: &Episode, now: DateTime<Utc>, manifest: &Path) -> Option<Diagnostic> {
    let at = episode.date;
    let days = (at.with_timezone(&Utc) - now).num_days();
    (days > 366).then(|| {
        Diagnostic::warning(
            "EPISODE-DATE",
            format!(
                "episode {} is dated {}, {} from now: it stays out of the feed until then",
                crate::text::quoted(&episode.title),
                at.to_rfc3339(),
                match whole_years(now, at.with_timezone(&Utc)) {
                    1 => "more than a year".to_string(),
                    years => format!("{years} years"),
                }
            ),
        )
        .at(crate::diagnostic::Location::file(manifest, episode.line, None))
        .help("if the year is a slip, write the one the episode comes out in")
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Years are counted by the calendar (the leap days too): 9999 is 7973
    /// years after 2026, not 7978.
    #[test]
    fn years_ahead_are_counted_by_the_calendar() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(whole_years(at("2026-12-07T10:00:00Z"), at("9999-12-31T23:59:59Z")), 7973);
        assert_eq!(whole_years(at("2026-06-01T00:00:00Z"), at("2206-01-01T04:00:00Z")), 179);
        assert_eq!(whole_years(at("2026-06-01T00:00:00Z"), at("2027-06-01T00:00:00Z")), 1);
        assert_eq!(whole_years(at("2026-06-01T00:00:00Z"), at("2027-05-31T23:59:59Z")), 0);
    }

    /// The repository's sample show, probed (without the cache), as of mid-2026.
    pub(crate) fn sample_catalog() -> Catalog {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("episodes.toml");
        let show = crate::manifest::load(&path).unwrap();
        let opts = ProbeOptions { use_cache: false, ..Default::default() };
        let (probes, _) = probe_media(&show, &opts, None, &|_| None);
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&Utc);
        Catalog::assemble(show, &probes, now).unwrap()
    }

    #[test]
    fn extension_must_match_content() {
        assert_eq!(extension_problem("media/a.mp3", AudioFormat::Mp3), None);
        assert_eq!(extension_problem("media/a.OGG", AudioFormat::Ogg), None);
        assert_eq!(extension_problem("media/a.ogg", AudioFormat::Opus), None);
        assert_eq!(
            extension_problem("media/a.ogg", AudioFormat::Mp3).unwrap(),
            "the file holds MP3 audio but its name ends in \".ogg\"; apps go by the name: rename it to media/a.mp3"
        );
        assert_eq!(
            extension_problem("media/a.mp4", AudioFormat::M4a).unwrap(),
            "the file holds M4A audio but its name ends in \".mp4\"; apps go by the name: rename it to media/a.m4a"
        );
        // The name's extension, not a folder's; a dot too many is taken off.
        let said = |rel: &str| extension_problem(rel, AudioFormat::Mp3).unwrap();
        let rename = |s: String| s.rsplit_once("rename it to ").unwrap().1.to_string();
        assert_eq!(
            said("/tmp/my.rec/take1"),
            "the file holds MP3 audio but its name has no extension; apps go by the name: rename it to /tmp/my.rec/take1.mp3"
        );
        assert_eq!(rename(said("../addsrc/noext")), "../addsrc/noext.mp3");
        assert_eq!(rename(said("media/trail.mp3.")), "media/trail.mp3");
        assert_eq!(rename(said("media/.mp3")), "media/.mp3.mp3");
        assert_eq!(rename(said("take.wav")), "take.mp3");
        assert_eq!(extension_problem("media/a.b/c.mp3", AudioFormat::Mp3), None);
    }
}
