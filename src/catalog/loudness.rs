//! How loud a show's episodes are (`podsmith validate --loudness`): every
//! file on disk of every episode, live or scheduled, decoded whole and
//! measured as EBU R128 says (see [`crate::probe::loudness`]), and judged
//! episode by episode. Decoding takes seconds a file, so what is measured
//! is kept in the probe cache with the file's other measurements: the next
//! run decodes only files that are new or changed.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Catalog, Media};
use crate::diagnostic::Diagnostic;
use crate::probe::cache::Cache;
use crate::probe::loudness::{self, Episode, Judged, Loud, Loudness, LoudnessError};
use crate::progress::Progress;

/// What [`of_show`] found.
#[derive(Debug, Default, Serialize)]
pub struct ShowLoudness {
    /// Each file, in the order of the episodes (live ones newest first,
    /// then scheduled ones soonest first) and of their media.
    pub files: Vec<FileLoudness>,
    /// What the loudness tells (see [`loudness::judge`]).
    pub findings: Vec<Diagnostic>,
    /// Files decoded by this run.
    pub decoded: usize,
    /// Files whose loudness the probe cache knew.
    pub cached: usize,
}

/// One file's loudness.
#[derive(Debug, Serialize)]
pub struct FileLoudness {
    /// The file, as the manifest names it (hosted: its URL).
    pub file: String,
    /// The title of its episode.
    pub episode: String,
    /// What it measured (`None`: hosted, or it could not be decoded: see
    /// the findings).
    pub loudness: Option<Loudness>,
}

/// A file to judge: its key, path on disk (`None`: hosted) and episode,
/// and what its loudness measured (`None`: not yet, or hosted).
struct Target<'a> {
    key: &'a str,
    path: Option<&'a Path>,
    episode: &'a str,
    measured: Option<Result<Loudness, LoudnessError>>,
    /// Whether `measured` came from the probe cache.
    cached: bool,
}

/// The loudness of every file of `catalog`'s episodes, from the show's
/// probe cache where it knows it, else decoded (on every core; `progress`
/// told of each), and kept in the cache, saved as it goes (whenever the
/// decoding since the last save took ten times what that save did) and
/// once more at the end. A cache that cannot be saved is a finding, once.
pub fn of_show(catalog: &Catalog, progress: &dyn Progress) -> ShowLoudness {
    let mut cache = Cache::open(&catalog.root);
    let mut found = measured(catalog, &mut cache, progress);
    if let Some(note) = super::save_cache(&mut cache)
        && !found.findings.iter().any(|d| d.code == note.code)
    {
        found.findings.push(note);
    }
    found
}

/// [`of_show`] with `cache`, which the caller saves at the end.
fn measured(catalog: &Catalog, cache: &mut Cache, progress: &dyn Progress) -> ShowLoudness {
    use rayon::prelude::*;
    let live = catalog.episodes.iter().map(|e| (e.episode.title.as_str(), &e.media));
    let scheduled = catalog.scheduled.iter().map(|s| (s.title(), &s.media));
    let mut targets: Vec<Target<'_>> = live.chain(scheduled).flat_map(|(title, media)| targets(title, media)).collect();
    for t in &mut targets {
        if let Some(l) = t.path.and_then(|p| cache.loudness(t.key, p)) {
            (t.measured, t.cached) = (Some(Ok(l)), true);
        }
    }
    let to_decode = targets.iter().filter(|t| t.measured.is_none() && t.path.is_some()).count();
    progress.start("measuring loudness", to_decode as u64);
    let keeping =
        std::sync::Mutex::new(Keeping { cache, decoding: Duration::ZERO, last_save: Duration::ZERO, note: None });
    targets.par_iter_mut().filter(|t| t.measured.is_none()).for_each(|t| {
        if let Some(path) = t.path {
            let started = Instant::now();
            let measured = loudness::measure(path);
            if let Ok(l) = &measured
                && let Ok(mut keeping) = keeping.lock()
            {
                keeping.keep(t.key, path, *l, started.elapsed());
            }
            t.measured = Some(measured);
            progress.advance(1);
        }
    });
    progress.finish();
    let cache_note = keeping.into_inner().ok().and_then(|k| k.note);
    let judged: Vec<Judged<'_>> = targets
        .iter()
        .map(|t| Judged {
            file: Path::new(t.key),
            episode: Episode::Titled(t.episode.to_string()),
            loud: t.measured.as_ref().map_or(Loud::Hosted, Loud::Measured),
        })
        .collect();
    let mut findings = loudness::judge(&judged);
    findings.extend(cache_note);
    let files = targets
        .iter()
        .map(|t| FileLoudness {
            file: t.key.to_string(),
            episode: t.episode.to_string(),
            loudness: t.measured.as_ref().and_then(|m| m.as_ref().ok().copied()),
        })
        .collect();
    let cached = targets.iter().filter(|t| t.cached).count();
    ShowLoudness { files, findings, decoded: to_decode, cached }
}

/// The probe cache as the files are decoded: what each measured is put in
/// it at once, and it is saved as it goes, so that a run stopped midway
/// keeps what it decoded (a first run over a big show takes minutes):
/// each time the decoding since the last save took ten times what that
/// save did (the first save after the first file), so saving never costs
/// more than a tenth of the time.
struct Keeping<'c> {
    cache: &'c mut Cache,
    /// Decoding (on every core, added up) since the last save.
    decoding: Duration,
    /// What the last save took.
    last_save: Duration,
    /// Why the cache could not be saved, if it could not.
    note: Option<Diagnostic>,
}

impl Keeping<'_> {
    /// Keeps the loudness `l` of the file `key` (at `path`), whose
    /// decoding took `took`; saves the cache if it is time to.
    fn keep(&mut self, key: &str, path: &Path, l: Loudness, took: Duration) {
        self.cache.put_loudness(key, path, l);
        self.decoding += took;
        if self.decoding >= self.last_save * 10 && self.note.is_none() {
            let started = Instant::now();
            self.note = super::save_cache(self.cache);
            (self.last_save, self.decoding) = (started.elapsed(), Duration::ZERO);
        }
    }
}

/// The files of the episode titled `title`.
fn targets<'a>(title: &'a str, media: &'a [Media]) -> impl Iterator<Item = Target<'a>> + 'a {
    media.iter().map(move |m| Target {
        key: m.file.key(),
        path: m.file.local().map(|f| f.path.as_path()),
        episode: title,
        measured: None,
        cached: false,
    })
}
