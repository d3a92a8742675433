//! `podsmith add`: publish a new recording in one command.
//!
//! The files are probed first; then one `[[episode]]` table is appended to
//! `episodes.toml` with toml_edit, so every comment, blank line and other
//! episode stays byte-for-byte as the podcaster wrote it. The new manifest
//! is read back by the strict reader before it replaces the old one
//! (atomically); anything wrong leaves the show as it was.

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, FixedOffset, Timelike, Utc};

use crate::manifest::{self, EpisodeType, Show};
use crate::probe::AudioInfo;

/// How files outside the show get into `media/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// Copy them (the default).
    Copy,
    /// Move them.
    Move,
}

/// What to add.
#[derive(Debug, Clone)]
pub struct Options {
    /// The manifest.
    pub manifest: PathBuf,
    /// The episode's media files, one per format.
    pub media: Vec<PathBuf>,
    /// Title (else from the file's tags).
    pub title: Option<String>,
    /// `itunes_title`: the title Apple Podcasts shows.
    pub itunes_title: Option<String>,
    /// Date: RFC 3339, or YYYY-MM-DD (else now, to the minute).
    pub date: Option<String>,
    /// Show notes (Markdown).
    pub notes: Option<String>,
    /// `season`.
    pub season: Option<u32>,
    /// `episode` number (else last + 1 in a numbered show).
    pub number: Option<u32>,
    /// `type`.
    pub episode_type: Option<EpisodeType>,
    /// Page slug (else from the title).
    pub slug: Option<String>,
    /// Guests.
    pub guests: Vec<String>,
    /// For files outside the show.
    pub transfer: Transfer,
    /// Print the table, change nothing.
    pub dry_run: bool,
    /// "Now", for the default date.
    pub now: DateTime<Utc>,
}

/// What was added.
#[derive(Debug, Clone)]
pub struct Added {
    /// The `[[episode]]` table as written.
    pub table: String,
    /// Title.
    pub title: String,
    /// Its episode number, if any.
    pub number: Option<u32>,
    /// Its season, if any.
    pub season: Option<u32>,
    /// Its guid, as written.
    pub guid: String,
    /// Its slug (its page's folder), as written.
    pub slug: String,
    /// Its date, as the manifest reads it.
    pub date: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Media paths in the show, with their probes.
    pub media: Vec<(String, AudioInfo)>,
    /// Files copied or moved into the show.
    pub transferred: Vec<(PathBuf, String)>,
    /// When it goes live, if it is dated after now (a build leaves it out
    /// until then).
    pub scheduled: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Whether the manifest names a `[publish]` destination.
    pub publishes: bool,
    /// Files `--move` brought in but could not remove from where they
    /// were (a folder that cannot be written to): each with why.
    pub not_removed: Vec<(PathBuf, String)>,
    /// What the build will tell of the episode (an MP3's own chapter
    /// without a title, kept as a marker), said by `add` first.
    pub notes: Vec<crate::diagnostic::Diagnostic>,
}

/// Why nothing was added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The manifest cannot be read or has problems (fix those first).
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
    /// The request cannot be done; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// The new table would make the manifest invalid (a bug, or an odd manifest).
    /// (The manifest's file name, and its problems.)
    #[error("the new episode would make {0} invalid; nothing was changed")]
    WouldBreak(String, Vec<crate::diagnostic::Diagnostic>),
    /// The episode could not be published as it is (its MP3's own
    /// chapters do not fit the audio): what the build would say.
    #[error("the episode could not be published as it is; nothing was changed")]
    Unfit(Vec<crate::diagnostic::Diagnostic>),
    /// Nothing was to be added: an `add --move` stopped part-way (the
    /// episode in, a file not yet moved) was finished by this same add.
    /// Not a failure: what it says is news, and the command succeeds.
    #[error("{0}")]
    Finished(String, Box<Done>),
    /// Writing failed (the manifest was not changed).
    #[error("cannot write {}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    /// A file given is not there (a usage error: the command line names
    /// what is not).
    #[error("{}: no such file", .0.display())]
    NoSuchFile(PathBuf),
    /// The command line asks what cannot be (a file given twice, no title
    /// where the file has none): a usage error.
    #[error("{0}")]
    Usage(String),
}

impl AddError {
    /// The exit code it ends the command with: 2 for the command line's
    /// mistakes, 1 for the show's.
    pub fn exit_code(&self) -> u8 {
        match self {
            AddError::NoSuchFile(_) | AddError::Usage(_) => 2,
            AddError::Finished(..) => 0,
            _ => 1,
        }
    }
}

impl AddError {
    /// What to tell the podcaster.
    pub fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::Diagnostic;
        match self {
            AddError::Manifest(e) => {
                let mut out = e.diagnostics();
                if let (manifest::ManifestError::Invalid { .. }, Some(last)) = (e, out.last_mut()) {
                    *last = last.clone().help("fix these first; nothing was added");
                }
                out
            }
            AddError::Refused(msg) => vec![Diagnostic::error("ADD", msg.clone())],
            // (A command line refused, exit 2: as every command says one.)
            AddError::Usage(msg) => vec![Diagnostic::error("USAGE", msg.clone())],
            AddError::Finished(msg, _) => vec![Diagnostic::info("ADD", msg.clone())],
            AddError::WouldBreak(_, problems) | AddError::Unfit(problems) => {
                let mut out = problems.clone();
                out.push(Diagnostic::error("ADD", self.to_string()));
                out
            }
            AddError::Io(..) => vec![Diagnostic::error("WRITE", self.to_string())],
            AddError::NoSuchFile(_) => vec![
                Diagnostic::error("USAGE", self.to_string())
                    .help("check the path: a relative one is read from the folder the command runs in"),
            ],
        }
    }
}

fn refuse<T>(msg: impl Into<String>) -> Result<T, AddError> {
    Err(AddError::Refused(msg.into()))
}

/// One media file: where it is, where it goes in the show.
struct Incoming {
    /// The file on disk (empty for a hosted one).
    source: PathBuf,
    /// The manifest's entry: its path in the show, or as given (a URL).
    rel: String,
    /// Needs copying (or moving) to `root/rel`.
    transfer: bool,
    /// A hosted file: the URL it is measured at.
    hosted: Option<String>,
    /// How messages name it: as given, for a file not in the show yet (its
    /// copy in the show is not made when `add` refuses), else `rel`.
    given: String,
}

/// Adds the episode (or, with `dry_run`, says what it would add): plans
/// it, which changes nothing, then applies the plan.
pub fn add(opts: &Options) -> Result<Added, AddError> {
    let mut plan = plan(opts)?;
    if !opts.dry_run {
        let (show, not_removed) = apply(&plan, opts)?;
        plan.added.not_removed = not_removed;
        remember(&plan);
        // Its date as the manifest now reads it (as planned).
        let date = show.episodes.iter().find(|e| e.guid == plan.guid).map(|e| e.date);
        plan.added.scheduled = date.filter(|d| d.with_timezone(&chrono::Utc) > opts.now);
    }
    Ok(plan.added)
}

/// The new episode's files on disk, as measured, put in the probe cache:
/// the next build does not measure them again, and `add --loudness` keeps
/// their loudness beside. A cache that cannot be saved costs only a probe.
fn remember(plan: &Plan) {
    let mut cache = crate::probe::cache::Cache::open(&plan.root);
    for (i, (rel, info)) in plan.incoming.iter().zip(&plan.added.media) {
        if i.hosted.is_none() && i.rel == *rel {
            cache.put(rel, &plan.root.join(rel), info);
        }
    }
    let _ = cache.save();
}

/// How loud the episode `add` just added is (`add --loudness`): its files
/// in the show (at `root`) decoded side by side and judged as the formats
/// of one episode (see [`crate::probe::loudness::judge`]); its hosted
/// files are not decoded. What they measured is kept in the probe cache
/// with the measurements [`add`] put there, so that `validate --loudness`
/// does not decode them again.
pub fn loudness(root: &Path, added: &Added) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::probe::loudness::{self, Episode, Judged, Loud};
    use rayon::prelude::*;
    let measured: Vec<_> =
        added.media.par_iter().map(|(rel, _)| (!is_hosted(rel)).then(|| loudness::measure(&root.join(rel)))).collect();
    let mut cache = crate::probe::cache::Cache::open(root);
    for ((rel, _), m) in added.media.iter().zip(&measured) {
        if let Some(Ok(l)) = m {
            cache.put_loudness(rel, &root.join(rel), *l);
        }
    }
    let _ = cache.save();
    let judged: Vec<Judged<'_>> = added
        .media
        .iter()
        .zip(&measured)
        .map(|((rel, _), m)| Judged {
            file: Path::new(rel),
            episode: Episode::Titled(added.title.clone()),
            loud: m.as_ref().map_or(Loud::Hosted, Loud::Measured),
        })
        .collect();
    loudness::judge(&judged)
}

/// Whether a medium of [`Added::media`] is hosted (a URL, not a path in the show).
fn is_hosted(rel: &str) -> bool {
    rel.contains("://")
}

/// Everything `add` will do, decided before anything is done.
struct Plan {
    /// The show folder.
    root: PathBuf,
    /// The files, where they come from and go.
    incoming: Vec<Incoming>,
    /// The manifest's text as the plan was made from it.
    text: String,
    /// The manifest's new text.
    new_text: String,
    /// Where it differs from the manifest.
    inserted: Inserted,
    /// The new episode's guid.
    guid: String,
    /// What is reported.
    added: Added,
}

/// Reads the show, checks and measures the files, and makes the new
/// episode's table and the manifest's new text. Changes nothing.
fn plan(opts: &Options) -> Result<Plan, AddError> {
    let text = manifest::read_text(&opts.manifest)?;
    let root = manifest::root_of(&opts.manifest);
    let show = manifest::parse(&text, &opts.manifest, &root)
        .map_err(|problems| manifest::ManifestError::Invalid { problems })?;
    if opts.media.is_empty() {
        return refuse("give the episode's media file(s), e.g. podsmith add episode.mp3 episode.ogg");
    }
    for (n, g) in opts.guests.iter().enumerate() {
        if opts.guests[..n].iter().any(|had| had.trim().eq_ignore_ascii_case(g.trim())) {
            return Err(AddError::Usage(format!("--guest {} is given twice", crate::text::quoted(g.trim()))));
        }
    }
    let recorded = Recorded::of_show(&root);
    let incoming = incoming(opts, &root, &show)?;
    recorded.check_media(&show, &incoming)?;
    let Measures { probes, title: hosted_title, notes: measure_notes } = measure(&incoming, &show)?;
    let local_title =
        || incoming.iter().filter(|i| i.hosted.is_none()).find_map(|i| crate::probe::read_title(&i.source));
    if opts.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return refuse("--title is empty: give the episode a title, --title \"…\"");
    }
    match opts.itunes_title.as_deref() {
        Some(t) if t.trim().is_empty() => {
            return refuse("--itunes-title is empty: leave it out, and Apple Podcasts shows the title");
        }
        Some(t) if t.contains(['\n', '\r']) => return refuse("--itunes-title has a line break: write it on one line"),
        _ => {}
    }
    // A title tag may hold line breaks (a title is one line) and control
    // characters (which --title refuses, and every build after would warn of).
    let from_tags = || {
        local_title()
            .or(hosted_title)
            .map(|t| crate::text::strip_control(&t).0.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let title = match opts.title.clone().or_else(from_tags) {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            // (A tag of spaces alone is no title either.)
            let files = opts.media.iter().map(|m| m.display().to_string()).collect::<Vec<_>>().join(", ");
            let which = match opts.media.len() {
                1 => format!("{files} has no title in its tags"),
                _ => format!("none of {files} has a title in its tags"),
            };
            return Err(AddError::Usage(format!("{which}: give the episode a title with --title \"…\"")));
        }
    };
    let fields = fields(opts, &show, &recorded, &title, &incoming[0].rel)?;
    let table = table(opts, &fields, &title, &incoming);
    let new_text = insert_episode(&text, &table, &file_name(opts))?;
    let inserted = Inserted::between(&text, &new_text);
    // Read back before a file is copied (again once they are, in `apply`).
    let new_show = read_back(&new_text, opts, &root, &incoming).map_err(|e| inserted.relocate(e))?;
    // Its date as the manifest reads it (a bare date, the show's offset): a dry run says it too.
    let date = new_show.episodes.iter().find(|e| e.guid == fields.guid).map(|e| e.date);
    let scheduled = date.filter(|d| d.with_timezone(&chrono::Utc) > opts.now);
    let mut notes = measure_notes;
    let new_one = new_show.episodes.iter().find(|e| e.guid == fields.guid);
    notes.extend(new_one.and_then(|e| crate::catalog::far_ahead(e, opts.now, &opts.manifest)));
    // (The one an earlier episode's title, as each build says it.)
    let line = new_one.map(|e| e.line);
    let same = crate::catalog::same_titles(new_show.episodes.iter(), &opts.manifest);
    notes.extend(same.into_iter().filter(|d| match &d.location {
        crate::diagnostic::Location::File { line: at, .. } => Some(*at) == line,
        _ => false,
    }));
    notes.extend(as_the_build_takes_it(new_show, &fields.guid, &incoming, &probes, opts.dry_run)?);
    let transferred = incoming.iter().filter(|i| i.transfer).map(|i| (i.source.clone(), i.rel.clone())).collect();
    let publishes = show.publish.to.is_some();
    let added = Added {
        table,
        title,
        number: fields.number,
        season: fields.season,
        guid: fields.guid.clone(),
        slug: fields.slug.clone(),
        date,
        media: probes,
        transferred,
        scheduled,
        publishes,
        not_removed: Vec::new(),
        notes,
    };
    Ok(Plan { root, incoming, text, new_text, inserted, guid: fields.guid, added })
}

/// The lines `add` puts into the manifest: problems of the new text are
/// told by the lines of the file as it is, and those in the new episode
/// as its own.
#[derive(Debug, Clone, Copy)]
struct Inserted {
    /// The first new line's number.
    first: usize,
    /// How many lines are new.
    lines: usize,
}

impl Inserted {
    /// Where `new` is `old` with lines put in (one stretch of them).
    fn between(old: &str, new: &str) -> Inserted {
        let prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
        let room = old.len() - prefix;
        let suffix = old.bytes().rev().zip(new.bytes().rev()).take(room).take_while(|(a, b)| a == b).count();
        let added = &new.as_bytes()[prefix..new.len() - suffix];
        let before = &old.as_bytes()[..prefix];
        // Put in mid-line (a file without a last line end), that line stays the file's.
        let mid_line = before.last().is_some_and(|b| *b != b'\n');
        let first = before.iter().filter(|b| **b == b'\n').count() + 1 + usize::from(mid_line);
        Inserted { first, lines: added.iter().filter(|b| **b == b'\n').count() }
    }

    /// `e`'s problems at the lines of the manifest as it is.
    fn relocate(self, e: AddError) -> AddError {
        let AddError::WouldBreak(name, mut problems) = e else { return e };
        for p in &mut problems {
            if let crate::diagnostic::Location::File { line, .. } = &mut p.location {
                if *line >= self.first + self.lines {
                    *line -= self.lines;
                } else if *line >= self.first {
                    p.message = format!("the new episode: {}", p.message);
                    p.location = crate::diagnostic::Location::Show;
                }
            }
        }
        AddError::WouldBreak(name, problems)
    }
}

/// The new manifest read back as the build reads it, before the files it
/// names are copied in (read as there, from where they are): what it would
/// refuse is refused before anything is copied, and a dry run refuses it
/// too.
fn read_back(new_text: &str, opts: &Options, root: &Path, incoming: &[Incoming]) -> Result<Show, AddError> {
    let to_come = incoming.iter().filter(|i| i.transfer).map(|i| (i.rel.clone(), i.source.clone())).collect();
    manifest::parse_expecting(new_text, &opts.manifest, root, &to_come)
        .map_err(|problems| AddError::WouldBreak(file_name(opts), problems))
}

/// The new episode (of `show`, the new manifest read back) as the build
/// will take it, its files as measured: what stops it is refused (an MP3's
/// own chapters that do not fit the audio), and what the build will tell
/// of it is told now ([`Added::notes`]). Files not copied in yet (none
/// are, when it is refused or in a dry run) are named as given.
fn as_the_build_takes_it(
    mut show: Show,
    guid: &str,
    incoming: &[Incoming],
    probes: &Measured,
    dry_run: bool,
) -> Result<Vec<crate::diagnostic::Diagnostic>, AddError> {
    let Some(at) = show.episodes.iter().position(|e| e.guid == guid) else { return Ok(Vec::new()) };
    let episode = show.episodes.swap_remove(at);
    let measured: crate::catalog::Probes = incoming
        .iter()
        .zip(probes)
        .map(|(i, (_, info))| (i.hosted.clone().unwrap_or_else(|| i.rel.clone()), Ok(info.clone())))
        .collect();
    let as_given = |mut said: Vec<crate::diagnostic::Diagnostic>| {
        for d in &mut said {
            for i in incoming.iter().filter(|i| i.transfer) {
                let given = i.source.display().to_string();
                d.message = d.message.replace(&i.rel, &given);
                if d.location == crate::diagnostic::Location::Path(PathBuf::from(&i.rel)) {
                    d.location = crate::diagnostic::Location::Path(i.source.clone());
                }
            }
        }
        said
    };
    match crate::catalog::fit(&show, episode, &measured) {
        Ok((_, _, notes)) if dry_run => Ok(as_given(notes)),
        Ok((_, _, notes)) => Ok(notes),
        Err((unfit, _)) => Err(AddError::Unfit(as_given(unfit.problems))),
    }
}

/// The manifest's file name, as messages name it.
fn file_name(opts: &Options) -> String {
    opts.manifest.file_name().map_or_else(|| opts.manifest.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Where each file comes from and where it goes in the show: a file inside
/// the show stays where it is; one from outside (or from the output
/// folder) is copied (or moved) into `media/`, never over another file,
/// never through a link out of the show.
fn incoming(opts: &Options, root: &Path, show: &Show) -> Result<Vec<Incoming>, AddError> {
    let canonical_root = root.canonicalize().map_err(|e| AddError::Io(root.to_path_buf(), e))?;
    if let Some(finished) = finish_move(opts, root, show) {
        return Err(finished);
    }
    let mut incoming: Vec<Incoming> = Vec::new();
    for source in &opts.media {
        if let Some(entry) = source.to_str().filter(|s| s.contains("://")) {
            let (url, _) = manifest::hosted_media(entry, &show.podcast.base_url, publish_to(show).as_ref())
                .map_err(|(problem, help)| AddError::Refused(format!("{problem}: {help}")))?;
            if incoming.iter().any(|i| i.hosted.as_deref() == Some(url.as_str())) {
                return Err(AddError::Usage(format!("{entry} is given twice")));
            }
            if let Some(ep) = show.episodes.iter().find(|e| e.media.iter().any(|m| m.key() == url.as_str())) {
                return refuse(format!(
                    "{entry} is already the media of the episode {} ({} line {}); each file belongs \
                     to one episode",
                    crate::text::quoted(&ep.title),
                    file_name(opts),
                    ep.line
                ));
            }
            let hosted = Some(url.to_string());
            let (rel, given) = (entry.to_string(), entry.to_string());
            incoming.push(Incoming { source: PathBuf::new(), rel, transfer: false, hosted, given });
            continue;
        }
        let real = source.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AddError::NoSuchFile(source.clone()),
            _ => AddError::Refused(format!("{}: {e}", source.display())),
        })?;
        if !real.is_file() {
            return refuse(format!("{} is not a file", source.display()));
        }
        // A file in the output folder (which each build rewrites) is
        // brought in as one from outside is.
        let in_show = real.strip_prefix(&canonical_root).ok().filter(|p| !p.starts_with(crate::site::DEFAULT_OUT));
        let (rel, transfer) = match in_show {
            Some(inside) => (slash_path(inside), false),
            None => {
                let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if name.contains('\\') {
                    // The manifest reads a backslash as a folder separator, as Windows does.
                    return refuse(format!(
                        "{}: a name with a backslash cannot be a file of the show (the manifest reads \\ as a \
                         folder separator); rename it",
                        source.display()
                    ));
                }
                (format!("media/{name}"), true)
            }
        };
        let given = if transfer { source.display().to_string() } else { rel.clone() };
        if let Some(twice) = incoming.iter().find(|i| i.rel == rel) {
            return match twice.given == given || !transfer {
                true => Err(AddError::Usage(format!("{given} is given twice"))),
                false => {
                    refuse(format!("{} and {given} would both be copied to {rel}: rename one of them", twice.given))
                }
            };
        }
        if transfer {
            check_destination(root, &canonical_root, &rel, source, &real)?;
        }
        if let Some(ep) = show.episodes.iter().find(|e| e.media.iter().any(|m| m.key() == rel)) {
            return refuse(format!(
                "{rel} is already the media of the episode {} ({} line {}); each file belongs to one episode",
                crate::text::quoted(&ep.title),
                file_name(opts),
                ep.line
            ));
        }
        incoming.push(Incoming { source: real, rel, transfer, hosted: None, given });
    }
    Ok(incoming)
}

/// The same files and title added again, with other values than the
/// episode `ep` (of `n` files) has (a date put right, a season given): a
/// refusal naming each, and the line to edit (an `add` run again to put a
/// value right said "nothing to do", and left it as it was); `None` if
/// every value given is the episode's.
fn given_otherwise(opts: &Options, ep: &manifest::Episode, show: &Show, n: usize) -> Option<AddError> {
    let none = || "none".to_string();
    let mut other: Vec<String> = Vec::new();
    let mut differs = |what: &str, given: String, has: String| {
        if given != has {
            other.push(format!("{what} {given} (it has {has})"));
        }
    };
    if let Some(d) = &opts.date {
        let at = check_date(d).ok().and_then(|text| manifest::moment(&text, show.podcast.utc_offset));
        if at.is_none_or(|at| at != ep.date) {
            differs("--date", d.trim().to_string(), ep.date.to_rfc3339());
        }
    }
    let number = |n: Option<u32>| n.map_or_else(none, |n| n.to_string());
    if let Some(season) = opts.season {
        differs("--season", season.to_string(), number(ep.season));
    }
    if let Some(episode) = opts.number {
        differs("--episode", episode.to_string(), number(ep.number));
    }
    if let Some(t) = opts.episode_type {
        differs("--type", format!("{t:?}").to_lowercase(), format!("{:?}", ep.episode_type).to_lowercase());
    }
    if let Some(slug) = &opts.slug {
        differs("--slug", slug.clone(), ep.slug.clone());
    }
    if let Some(t) = &opts.itunes_title {
        differs(
            "--itunes-title",
            crate::text::quoted(t.trim()),
            ep.itunes_title.as_deref().map_or_else(none, crate::text::quoted),
        );
    }
    if !opts.guests.is_empty() && opts.guests != ep.guests {
        let list = |g: &[String]| if g.is_empty() { none() } else { g.join(", ") };
        differs("--guest", list(&opts.guests), list(&ep.guests));
    }
    if opts.notes.as_deref().is_some_and(|n| !n.trim().is_empty() && n.trim() != ep.notes.trim()) {
        other.push("--notes (other notes than its own)".into());
    }
    if other.is_empty() {
        return None;
    }
    Some(AddError::Refused(format!(
        "the episode {} is in already ({} line {}), with {}, but this add gives it other values: {}; `add` does not \
         change an episode: edit it in {} at line {}",
        crate::text::quoted(&ep.title),
        file_name(opts),
        ep.line,
        if n == 1 { "this file" } else { "these files" },
        other.join(", "),
        file_name(opts),
        ep.line
    )))
}

/// The same `add` run again after one that finished, or was stopped
/// (killed) once the manifest had the episode: each file given (from
/// outside the show) has its copy in `media/` as that one episode's, with
/// the same content: nothing to do ([`AddError::Finished`]). With `--move`,
/// stopped before every file was moved: each
/// file given is either gone from where it was and in `media/` as the
/// episode's, or still there with the same content as its copy in
/// `media/`. Those still there are removed (the move finished), and what
/// to tell is returned ([`AddError::Finished`]; a refusal if one cannot be
/// removed); `None` where the files are not all such (the add then goes
/// on as usual, and says what is wrong).
fn finish_move(opts: &Options, root: &Path, show: &Show) -> Option<AddError> {
    let mut episode: Option<&manifest::Episode> = None;
    let mut left = Vec::new();
    for source in &opts.media {
        let name = source.file_name()?.to_str()?;
        let rel = format!("media/{name}");
        let ep = show.episodes.iter().find(|e| e.media.iter().any(|m| m.key() == rel))?;
        if episode.is_some_and(|e| e.guid != ep.guid) {
            return None;
        }
        episode = Some(ep);
        let dest = root.join(&rel);
        if !dest.is_file() {
            return None;
        }
        match std::fs::symlink_metadata(source) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && opts.transfer == Transfer::Move => {}
            Ok(m)
                if m.is_file()
                    && source.canonicalize().ok() != dest.canonicalize().ok()
                    && same_content(source, &dest) =>
            {
                left.push(source)
            }
            _ => return None,
        }
    }
    let ep = episode?;
    if opts.transfer == Transfer::Copy {
        // Asked for another episode with the same files: not this add again.
        if opts.title.as_deref().is_some_and(|t| t.trim() != ep.title) {
            return None;
        }
        if let Some(refused) = given_otherwise(opts, ep, show, left.len()) {
            return Some(refused);
        }
        return Some(AddError::Finished(
            format!(
                "the episode {} is in already ({} line {}), with {}: an `add` of {} ran before (or was stopped \
                 once it had added the episode); nothing to do",
                crate::text::quoted(&ep.title),
                file_name(opts),
                ep.line,
                if left.len() == 1 { "this file" } else { "these files" },
                if left.len() == 1 { "it" } else { "them" },
            ),
            Done::of(ep),
        ));
    }
    let mut removed = 0;
    for source in &left {
        if let Err(e) = std::fs::remove_file(source) {
            return Some(AddError::Refused(format!(
                "the episode {} is in already ({} line {}): an earlier `add --move` of it (stopped, or run at the same \
                 time) had not moved every file, and {} cannot be removed from where it is ({e}): remove it by hand once you have \
                 checked its copy in the show",
                crate::text::quoted(&ep.title),
                file_name(opts),
                ep.line,
                source.display()
            )));
        }
        removed += 1;
    }
    Some(AddError::Finished(
        format!(
            "the episode {} is in already ({} line {}): an earlier `add --move` of it (stopped, or run at the same \
             time) had not moved every file; {}",
            crate::text::quoted(&ep.title),
            file_name(opts),
            ep.line,
            match removed {
                0 => "each is in the show now".to_string(),
                1 => "the move is finished now (1 file removed from where it was)".to_string(),
                n => format!("the move is finished now ({n} files removed from where they were)"),
            }
        ),
        Done::of(ep),
    ))
}

/// The episode an earlier `add` put in already (see [`AddError::Finished`]):
/// what a script asks of an add, as the manifest has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// Its title.
    pub title: String,
    /// Its guid.
    pub guid: String,
    /// Its page's slug.
    pub slug: String,
    /// Its date.
    pub date: chrono::DateTime<chrono::FixedOffset>,
    /// Its season, if it has one.
    pub season: Option<u32>,
    /// Its number, if it has one.
    pub number: Option<u32>,
    /// Its media files (relative to the show folder).
    pub media: Vec<String>,
}

impl Done {
    fn of(ep: &manifest::Episode) -> Box<Done> {
        Box::new(Done {
            title: ep.title.clone(),
            guid: ep.guid.clone(),
            slug: ep.slug.clone(),
            date: ep.date,
            season: ep.season,
            number: ep.number,
            media: ep.media.iter().map(|m| m.key().to_string()).collect(),
        })
    }
}

/// The show's `[publish] to`, if it is one.
fn publish_to(show: &Show) -> Option<crate::publish::Destination> {
    crate::publish::Destination::parse(show.publish.to.as_deref()?).ok()
}

/// A file copied into the show goes to `root/rel`: not through a link out
/// of the show (the manifest refuses such media too), and not over a file
/// with other content.
fn check_destination(
    root: &Path,
    canonical_root: &Path,
    rel: &str,
    source: &Path,
    real: &Path,
) -> Result<(), AddError> {
    let dest = root.join(rel);
    if let Some(dir) = dest.parent().and_then(|d| d.canonicalize().ok())
        && !dir.starts_with(canonical_root)
    {
        return refuse(format!(
            "media/ leads to {}, outside the show folder; podsmith copies files only into the show",
            dir.display()
        ));
    }
    if dest.exists() && !same_content(real, &dest) {
        return refuse(format!(
            "{rel} already exists in the show with other content; rename {} before adding it",
            source.display()
        ));
    }
    Ok(())
}

/// Each medium's manifest entry, with its measurement.
type Measured = Vec<(String, AudioInfo)>;

/// Measures every file: each must measure, the formats must agree within a
/// second, and (unless the show says otherwise) one must be a format Apple
/// lists — what the next build would refuse is refused now.
/// Hosted files are measured where they are (and their title tag read).
fn measure(incoming: &[Incoming], show: &Show) -> Result<Measures, AddError> {
    let mut probes: Vec<(String, AudioInfo)> = Vec::new();
    let mut title = None;
    let mut notes = Vec::new();
    for i in incoming {
        let measured = match &i.hosted {
            Some(url) => measure_hosted(url).map(|(info, t, whole)| {
                title = title.take().or(t);
                if whole {
                    // As the build says it (and probe).
                    notes.push(crate::catalog::downloaded_whole(url, info.bytes));
                }
                info
            }),
            None => crate::probe::probe_file(&i.source).map_err(|e| format!("{}: {e}", i.given)),
        };
        match measured {
            Ok(info) => probes.push((i.rel.clone(), info)),
            Err(e) => return refuse(e),
        }
    }
    // As the build checks them: a name that belies the content, two files
    // of one format. Each named as given (see `Incoming::given`).
    let named: Vec<(&str, &AudioInfo)> = incoming.iter().zip(&probes).map(|(i, (_, info))| (&*i.given, info)).collect();
    for (i, (given, info)) in incoming.iter().zip(&named) {
        if let Some(problem) =
            i.hosted.is_none().then(|| crate::catalog::extension_problem(given, info.format)).flatten()
        {
            return refuse(format!("{given}: {problem}"));
        }
    }
    for (n, (given, info)) in named.iter().enumerate() {
        if let Some((other, _)) = named[..n].iter().find(|(_, o)| o.format == info.format) {
            return refuse(format!(
                "{other} and {given} are both {}: an episode has one file per format",
                info.format.label()
            ));
        }
    }
    if let Some((first_rel, first)) = named.first() {
        for (rel, info) in &named[1..] {
            if (info.duration_secs - first.duration_secs).abs() > 1.0 {
                return refuse(format!(
                    "{first_rel} plays for {:.1} s but {rel} for {:.1} s: the formats of one episode must be the same recording",
                    first.duration_secs, info.duration_secs
                ));
            }
        }
    }
    // The file feed.xml carries, if it is hosted, is named so that Apple lists it.
    if show.podcast.formats == manifest::FormatPolicy::Apple
        && let Some((i, (_, info))) = incoming.iter().zip(&probes).find(|(_, (_, info))| info.format.apple_accepts())
        && let Some(url) = i.hosted.as_deref().filter(|url| !crate::validate::apple_lists_url(url))
    {
        return refuse(format!(
            "{url} is {} but its address does not end in .{}: Apple Podcasts lists an episode only by a URL whose \
             path ends in the file's extension. Give a direct link to the file (not a /download or tracking address \
             that hides its name)",
            info.format.label(),
            info.format.extension()
        ));
    }
    if show.podcast.formats == manifest::FormatPolicy::Apple && !probes.iter().any(|(_, i)| i.format.apple_accepts()) {
        let given: Vec<String> = named.iter().map(|(given, i)| format!("{given} is {}", i.format.label())).collect();
        return refuse(format!(
            "{}: Apple Podcasts and Spotify list only MP3 and M4A (AAC) episodes. Add the episode with an MP3 as well \
             (podsmith add episode.mp3 {}), or, if the show is not meant for them, set formats = \"any\" in [podcast]",
            given.join(", "),
            named.first().map_or("episode.ogg", |(given, _)| *given)
        ));
    }
    Ok(Measures { probes, title, notes })
}

/// The media of a new episode, measured: each with its manifest entry; a
/// title tag of a hosted one; what measuring them found to say (a host
/// that does not answer byte-range requests).
struct Measures {
    probes: Measured,
    title: Option<String>,
    notes: Vec<crate::diagnostic::Diagnostic>,
}

/// A hosted file measured, with its title tag, and whether it was
/// downloaded whole (its server does not answer byte-range requests).
#[cfg(feature = "online")]
fn measure_hosted(url: &str) -> Result<(AudioInfo, Option<String>, bool), String> {
    let prober = crate::probe::remote::Prober::new(std::time::Duration::from_secs(60));
    let (m, title) = prober.measure_with_title(url).map_err(|e| match e.help() {
        Some(help) => format!("{url}: {e} ({help})"),
        None => format!("{url}: {e}"),
    })?;
    Ok((m.info, title, m.hosted.whole))
}

#[cfg(not(feature = "online"))]
fn measure_hosted(url: &str) -> Result<(AudioInfo, Option<String>, bool), String> {
    Err(format!("{url}: this podsmith was built without its online feature"))
}

/// What `podsmith.lock` says was published, in the feed now or taken out
/// of it: the slugs and media URLs an added episode may not take (the
/// next build would refuse it), each with the title it was published
/// for. Empty without a lock, or with one that does not read (the build
/// says why).
#[derive(Default)]
struct Recorded {
    slugs: std::collections::HashMap<String, String>,
    urls: std::collections::HashMap<String, String>,
}

impl Recorded {
    /// What the lock of the show at `root` records.
    fn of_show(root: &Path) -> Recorded {
        let Ok(Some(lock)) = crate::lock::Lock::read(&root.join(crate::lock::FILE_NAME)) else {
            return Recorded::default();
        };
        let mut recorded = Recorded::default();
        let published = lock.episodes.iter().map(|e| (&e.slug, &e.urls, &e.title));
        for (slug, urls, title) in published.chain(lock.retired.iter().map(|r| (&r.slug, &r.urls, &r.title))) {
            if !slug.is_empty() {
                recorded.slugs.entry(slug.clone()).or_insert_with(|| title.clone());
            }
            for url in urls {
                recorded.urls.entry(url.clone()).or_insert_with(|| title.clone());
            }
        }
        recorded
    }

    /// Refuses a file of `incoming` to be published at a URL another
    /// episode was published with.
    fn check_media(&self, show: &Show, incoming: &[Incoming]) -> Result<(), AddError> {
        for i in incoming {
            let url = i.hosted.clone().unwrap_or_else(|| show.podcast.url_of(&i.rel));
            if let Some(was) = self.urls.get(&url) {
                return refuse(format!(
                    "{} would be published at {url}, which was published before, for the episode {} ({}): apps \
                     that downloaded it keep the old recording, and caches may serve it; give the recording a \
                     file name of its own",
                    i.given,
                    crate::text::quoted(&crate::text::truncate_chars(was, 80)),
                    crate::lock::FILE_NAME
                ));
            }
        }
        Ok(())
    }
}

/// The new episode's slug, date, numbers and guid.
struct Fields {
    slug: String,
    date: toml_edit::Datetime,
    number: Option<u32>,
    season: Option<u32>,
    guid: String,
}

/// The fields `add` fills in: the slug (unique), the date (distinct and
/// ordered), the episode number (last + 1 in a numbered show), the season
/// of the latest episode, and a new guid.
fn fields(
    opts: &Options,
    show: &Show,
    recorded: &Recorded,
    title: &str,
    first_media: &str,
) -> Result<Fields, AddError> {
    let slug = match &opts.slug {
        Some(s) => {
            if show.episodes.iter().any(|e| e.slug == *s) {
                return refuse(format!("the slug \"{s}\" is taken by another episode; choose another --slug"));
            }
            if let Some(was) = recorded.slugs.get(s) {
                return refuse(format!(
                    "the slug \"{s}\" was published before, for the episode {} ({}): links listeners shared to \
                     its page would lead to this one; choose another --slug",
                    crate::text::quoted(&crate::text::truncate_chars(was, 80)),
                    crate::lock::FILE_NAME
                ));
            }
            s.clone()
        }
        None => unique_slug(show, recorded, &crate::text::slugify(title)),
    };
    let date = parse_date(opts.date.as_deref(), opts.now, show.podcast.utc_offset, show)?;
    // The season first: an episode number is taken or free within its season.
    let season = opts
        .season
        .or_else(|| show.episodes.iter().filter(|e| e.season.is_some()).max_by_key(|e| e.date).and_then(|e| e.season));
    // A numbered show numbers its next full episode; so does a serial one,
    // whose full episodes all need a number (its first one too). A trailer
    // or bonus episode goes unnumbered unless given one.
    let full = opts.episode_type.is_none_or(|t| t == EpisodeType::Full);
    let serial = show.podcast.show_type == manifest::ShowType::Serial;
    let numbered = full && (serial || show.episodes.iter().any(|e| e.number.is_some()));
    let number = match opts.number {
        Some(n) => Some(n),
        None if numbered => {
            let last = last_number(show, season);
            match last.checked_add(1) {
                Some(n) => Some(n),
                None => return refuse(format!("the last episode's number is {last}: give this one's with --episode")),
            }
        }
        None => None,
    };
    // Two full episodes of a season share no number; a trailer or bonus
    // episode may carry its episode's (Apple's rule; the build says the same).
    let full_one = |e: &&manifest::Episode| e.episode_type == EpisodeType::Full;
    if let Some(n) = number
        && full
        && let Some(e) = show.episodes.iter().filter(full_one).find(|e| e.number == Some(n) && e.season == season)
    {
        let in_season = season.map(|s| format!(" in season {s}")).unwrap_or_default();
        return refuse(format!(
            "episode number {n}{in_season} is taken by {} ({} line {}); give another --episode",
            crate::text::quoted(&e.title),
            file_name(opts),
            e.line
        ));
    }
    let guid = new_guid(show, &slug, &date, first_media);
    Ok(Fields { slug, date, number, season, guid })
}

/// The number the episode after which a new one in `season` is numbered:
/// the season's highest; for a season with none yet, 0 where the show
/// numbers each season from 1, else the show's highest (numbers that run
/// on across seasons).
fn last_number(show: &Show, season: Option<u32>) -> u32 {
    let numbers = |s: Option<u32>| show.episodes.iter().filter(move |e| e.season == s).filter_map(|e| e.number);
    if season.is_some()
        && let Some(last) = numbers(season).max()
    {
        return last;
    }
    // (A season with no numbered episode yet, a trailer's alone, says nothing.)
    let seasons: std::collections::BTreeSet<u32> =
        show.episodes.iter().filter(|e| e.number.is_some()).filter_map(|e| e.season).collect();
    let each_from_one = !seasons.is_empty() && seasons.iter().all(|&s| numbers(Some(s)).min() == Some(1));
    match season.is_some() && each_from_one {
        true => 0,
        false => show.episodes.iter().filter_map(|e| e.number).max().unwrap_or(0),
    }
}

/// The `[[episode]]` table as text, rendered by toml_edit: every value
/// quoted and escaped by construction.
fn table(opts: &Options, f: &Fields, title: &str, incoming: &[Incoming]) -> String {
    let mut table = toml_edit::Table::new();
    table["title"] = toml_edit::value(title);
    if let Some(apples) = &opts.itunes_title {
        table["itunes_title"] = toml_edit::value(apples.trim());
    }
    // Always written: the page's address is a published identity, and a
    // slug derived from the title would move when the title is edited.
    table["slug"] = toml_edit::value(f.slug.clone());
    table["guid"] = toml_edit::value(f.guid.clone());
    table["date"] = toml_edit::value(f.date);
    if let Some(n) = f.number {
        table["episode"] = toml_edit::value(i64::from(n));
    }
    if let Some(s) = f.season {
        table["season"] = toml_edit::value(i64::from(s));
    }
    if let Some(t) = opts.episode_type.filter(|t| *t != EpisodeType::Full) {
        table["type"] = toml_edit::value(t.as_str());
    }
    if !opts.guests.is_empty() {
        table["guests"] = toml_edit::value(opts.guests.iter().collect::<toml_edit::Array>());
    }
    table["media"] = toml_edit::value(incoming.iter().map(|i| i.rel.as_str()).collect::<toml_edit::Array>());
    // Blank lines around the notes go; the first line's indent stays (an
    // indented first line is a code block in Markdown).
    let notes = |n: &str| {
        let n = n.trim_end();
        let first = n.split_inclusive('\n').take_while(|l| l.trim().is_empty()).map(str::len).sum::<usize>();
        n[first..].to_string()
    };
    let notes = opts.notes.as_deref().map(notes).filter(|n| !n.trim().is_empty());
    if let Some(notes) = notes.as_deref() {
        table["notes"] = toml_edit::value(multiline(notes));
    }
    let mut one = toml_edit::DocumentMut::new();
    let mut list = toml_edit::ArrayOfTables::new();
    list.push(table);
    one.insert("episode", toml_edit::Item::ArrayOfTables(list));
    one.to_string().trim_start().to_string()
}

/// Does what the plan says: brings the files in (never over a different
/// file), reads the new manifest back strictly, then replaces the manifest
/// atomically; anything that fails undoes the copies. With `--move`,
/// the files it could not then remove from where they were, and why.
fn apply(plan: &Plan, opts: &Options) -> Result<(manifest::Show, Vec<(PathBuf, String)>), AddError> {
    // A manifest made read-only is one its podcaster froze: replaced (as it
    // is written, by a rename), it would take the episode all the same.
    if std::fs::metadata(&opts.manifest).is_ok_and(|m| m.permissions().readonly()) {
        return refuse(format!(
            "{} is read-only: make it writable (chmod u+w {}) to add an episode to it",
            file_name(opts),
            opts.manifest.display()
        ));
    }
    // What an `add` killed before left where this one writes (it holds the
    // show's lock: no other command is writing there).
    crate::output::sweep_temps(&plan.root, false);
    let folders: std::collections::HashSet<&Path> =
        plan.incoming.iter().filter(|i| i.transfer).filter_map(|i| Path::new(&i.rel).parent()).collect();
    for f in folders {
        crate::output::sweep_temps(&plan.root.join(f), false);
    }
    let mut created: Vec<PathBuf> = Vec::new();
    let undo = |created: &[PathBuf]| {
        for c in created {
            let _ = std::fs::remove_file(c);
        }
    };
    for i in plan.incoming.iter().filter(|i| i.transfer) {
        let dest = plan.root.join(&i.rel);
        if dest.exists() {
            continue; // same content, checked when planned
        }
        if let Err(e) = crate::output::copy_new(&i.source, &dest) {
            undo(&created);
            return Err(AddError::Io(dest, e));
        }
        created.push(dest);
    }
    pause_for_a_test();
    // The manifest as it is now: an edit saved while the files were
    // measured and copied (in an editor) is kept, the episode put in it.
    let (new_text, inserted) = match manifest::read_text(&opts.manifest) {
        Ok(now) if now == plan.text => (std::borrow::Cow::Borrowed(plan.new_text.as_str()), plan.inserted),
        Ok(now) => match insert_episode(&now, &plan.added.table, &file_name(opts)) {
            Ok(new) => {
                let inserted = Inserted::between(&now, &new);
                (std::borrow::Cow::Owned(new), inserted)
            }
            Err(e) => {
                undo(&created);
                return Err(e);
            }
        },
        Err(e) => {
            undo(&created);
            return Err(e.into());
        }
    };
    let show = match manifest::parse(&new_text, &opts.manifest, &plan.root) {
        Ok(show) => show,
        Err(problems) => {
            undo(&created);
            return Err(inserted.relocate(AddError::WouldBreak(file_name(opts), problems)));
        }
    };
    // A manifest that is a link (kept elsewhere, linked into the show) is
    // written where it leads: the link stays a link. What an `add` killed
    // while writing it there left beside it goes first.
    let manifest = match std::fs::symlink_metadata(&opts.manifest) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&opts.manifest).unwrap_or(opts.manifest.clone()),
        _ => opts.manifest.clone(),
    };
    if manifest != opts.manifest
        && let Some(beside) = manifest.parent()
    {
        crate::output::sweep_temps(beside, false);
    }
    if let Err(e) = crate::output::write_bytes(&manifest, new_text.as_bytes()) {
        undo(&created);
        return Err(AddError::Io(opts.manifest.clone(), e));
    }
    let mut not_removed = Vec::new();
    if opts.transfer == Transfer::Move {
        for i in plan.incoming.iter().filter(|i| i.transfer) {
            if let Err(e) = std::fs::remove_file(&i.source) {
                not_removed.push((i.source.clone(), e.to_string()));
            }
        }
    }
    Ok((show, not_removed))
}

/// With `PODSMITH_TEST_ADD_PAUSE_MS` set, `add` waits that long once the
/// files are in, before it reads the manifest again and writes it (for a
/// test that edits it meanwhile).
fn pause_for_a_test() {
    if let Some(ms) = std::env::var("PODSMITH_TEST_ADD_PAUSE_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(10_000)));
    }
}

/// The manifest with `table` (an `[[episode]]` table, `\n` line ends)
/// inserted after the last episode, or at the end: every byte of `text`
/// stays as it was, and the new lines take the file's own line ends.
/// Each place tried is checked to add that episode and change nothing
/// else (a line of notes that looks like a comment is not one).
fn insert_episode(text: &str, table: &str, name: &str) -> Result<String, AddError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| AddError::Refused(format!("{name}: {e}")))?;
    let (after_comments, at_header) = insertion_point(text, &doc)?;
    // The new lines take the file's line ends, the notes' own lines too:
    // what is added is compared as it is written.
    let table = table.replace('\n', line_end(text));
    let table = table.as_str();
    let adds = |at: usize| Some(inserted_at(text, table, at)).filter(|out| adds_only(text, out, table));
    adds(after_comments).or_else(|| adds(at_header)).or_else(|| adds(text.len())).ok_or_else(|| {
        AddError::Refused(format!(
            "{name}: podsmith cannot tell where a new episode goes in it; add the [[episode]] table by hand"
        ))
    })
}

/// Whether `new` reads as `old` with the one episode of `table` after its
/// last (values compared, not bytes).
fn adds_only(old: &str, new: &str, table: &str) -> bool {
    let (Ok(mut old), Ok(new), Ok(added)) =
        (old.parse::<toml::Table>(), new.parse::<toml::Table>(), table.parse::<toml::Table>())
    else {
        return false;
    };
    let Some(episode) = added.get("episode").and_then(toml::Value::as_array).and_then(|a| a.first()).cloned() else {
        return false;
    };
    match old.get_mut("episode") {
        Some(toml::Value::Array(list)) => list.push(episode),
        None => {
            old.insert("episode".into(), toml::Value::Array(vec![episode]));
        }
        Some(_) => return false,
    }
    old == new
}

/// The line end most of `text`'s lines have.
fn line_end(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count() * 2 > text.matches('\n').count();
    if crlf { "\r\n" } else { "\n" }
}

/// `text` with `table` (its lines ended as `text`'s) inserted at byte `at`
/// (a line's start, or the end).
fn inserted_at(text: &str, table: &str, at: usize) -> String {
    let eol = line_end(text);
    let mut piece = String::new();
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        piece.push_str(eol);
    }
    if at > 0 {
        piece.push_str(eol); // a blank line before the table
    }
    piece.push_str(table);
    if at < text.len() {
        piece.push_str(eol); // and after it, before what follows
    }
    let mut out = String::with_capacity(text.len() + piece.len());
    out.push_str(&text[..at]);
    out.push_str(&piece);
    out.push_str(&text[at..]);
    out
}

/// Where a new episode goes: before the first table after the last episode
/// that is not part of it (and before the comments just above that table,
/// which describe it); with no such table, at the end of the file. Also
/// the start of that table's header line, in case what looks like comments
/// above it is not (the end of a multi-line string).
fn insertion_point(text: &str, doc: &toml_edit::Document<&str>) -> Result<(usize, usize), AddError> {
    let mut headers: Vec<(bool, usize)> = Vec::new(); // (is an episode's, header start)
    collect_headers(doc.as_table(), None, &mut headers);
    let last_episode = match doc.get("episode") {
        None => return Ok((text.len(), text.len())),
        Some(item) => match item.as_array_of_tables() {
            Some(list) => list.iter().filter_map(|t| t.span()).map(|s| s.start).max(),
            None => {
                return refuse(
                    "the manifest has `episode` as an array of inline tables, not as [[episode]] tables: podsmith \
                     cannot add one beside them without rewriting them; write each as an [[episode]] table (or add \
                     this one by hand)",
                );
            }
        },
    };
    let Some(last) = last_episode else { return Ok((text.len(), text.len())) };
    let Some(next) = headers.iter().filter(|(ep, at)| !ep && *at > last).map(|(_, at)| *at).min() else {
        return Ok((text.len(), text.len()));
    };
    // Back from the header's line over the comment lines right above it.
    let header_line = text[..next].rfind('\n').map_or(0, |i| i + 1);
    let mut at = header_line;
    while at > 0 {
        let prev = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
        if !text[prev..at].trim_start().starts_with('#') {
            break;
        }
        at = prev;
    }
    Ok((at, header_line))
}

/// The start of every table header (`[a]`, `[[a]]`, `[a.b]`), and whether
/// it belongs to an episode.
fn collect_headers(table: &toml_edit::Table, top: Option<bool>, out: &mut Vec<(bool, usize)>) {
    for (key, item) in table.iter() {
        let episode = top.unwrap_or(key == "episode");
        match item {
            toml_edit::Item::Table(t) => {
                if let Some(span) = t.span() {
                    out.push((episode, span.start));
                }
                collect_headers(t, Some(episode), out);
            }
            toml_edit::Item::ArrayOfTables(list) => {
                for t in list.iter() {
                    if let Some(span) = t.span() {
                        out.push((episode, span.start));
                    }
                    collect_headers(t, Some(episode), out);
                }
            }
            _ => {}
        }
    }
}

/// A TOML value for notes (toml_edit writes text with newlines as a
/// multi-line string, so the manifest stays readable).
fn multiline(notes: &str) -> toml_edit::Value {
    toml_edit::Value::from(format!("{notes}\n"))
}

fn slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn same_content(a: &Path, b: &Path) -> bool {
    crate::fsutil::same_content(a, b).unwrap_or(false)
}

/// `base`, or `base-2`, `base-3` …: the first slug no episode has, nor
/// was published with (`recorded`).
fn unique_slug(show: &Show, recorded: &Recorded, base: &str) -> String {
    let base = if base.is_empty() { "episode" } else { base };
    let taken = |s: &str| show.episodes.iter().any(|e| e.slug == s) || recorded.slugs.contains_key(s);
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|n| format!("{base}-{n}")).find(|s| !taken(s)).unwrap_or_default()
}

/// `--date`, or now to the second, as a TOML date-time with the show's
/// offset. Episodes added within the same second get the next free
/// second, so episodes added one after another keep their order.
fn parse_date(
    given: Option<&str>,
    now: DateTime<Utc>,
    offset: FixedOffset,
    show: &Show,
) -> Result<toml_edit::Datetime, AddError> {
    let text = match given {
        None => {
            let mut local = now.with_timezone(&offset);
            local = local.with_nanosecond(0).unwrap_or(local);
            let taken: std::collections::HashSet<DateTime<Utc>> =
                show.episodes.iter().map(|e| e.date.with_timezone(&Utc)).collect();
            while taken.contains(&local.with_timezone(&Utc)) {
                local += chrono::TimeDelta::seconds(1);
            }
            written(&local)
        }
        Some(d) => match check_date(d) {
            // Written with the offset it is read in: a later `utc_offset`
            // (summer time ending) moves no date published already.
            Ok(date) => match date.parse::<toml_edit::Datetime>() {
                Ok(dt) if dt.offset.is_none() => manifest::moment(&date, offset).map_or(date, |at| written(&at)),
                _ => date,
            },
            Err(why) => return refuse(format!("--date \"{d}\" {why}")),
        },
    };
    text.parse().map_err(|_| AddError::Refused(format!("--date \"{text}\" is not a TOML date")))
}

/// A moment as `add` writes it: to the second, with its offset (`Z` for UTC).
fn written(at: &DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%:z").to_string().replace("+00:00", "Z")
}

/// Whether `given` is a publication date `add --date` takes: what the
/// manifest's `date` takes ([`manifest::moment`]), a day (2026-01-05), a
/// date-time (2026-01-05T09:00:00+01:00) or one without an offset
/// (2026-01-05T09:00:00, in the show's `utc_offset`, as the manifest reads
/// it), in a year a feed's date plausibly has. `Ok`: the date as `add`
/// writes it, to the second as its default dates are (a feed's dates name
/// no fraction of one); `Err` ends the sentence "--date "…" ".
pub fn check_date(given: &str) -> Result<String, String> {
    use chrono::Datelike;
    const NOT_A_DATE: &str = "is not a date: write 2026-01-05, 2026-01-05T09:00:00 (in the show's utc_offset) or \
                              2026-01-05T09:00:00+01:00";
    let Ok(mut date) = given.trim().parse::<toml_edit::Datetime>() else { return Err(NOT_A_DATE.into()) };
    // Any offset will do for checking it: it moves no date out of a plausible year.
    let Some(at) = manifest::moment(given, chrono::Offset::fix(&Utc)) else {
        return Err(match (date.date, date.time, date.offset) {
            (Some(_), Some(time), _) if time.second == Some(60) => {
                "has a 60th second (a leap second), which a feed's date cannot name: write :59"
            }
            (Some(_), _, Some(toml_edit::Offset::Custom { minutes }))
                if i32::from(minutes).abs() > manifest::MAX_OFFSET_MINUTES =>
            {
                "has an offset more than 14 hours from UTC: write one between -14:00 and +14:00"
            }
            _ => NOT_A_DATE,
        }
        .into());
    };
    if at.year() < crate::validate::dates::FIRST_PLAUSIBLE_YEAR {
        return Err(format!(
            "is in the year {:04}, before any podcast (feed checkers and apps take a date before {} for a \
             mistake): write the year the episode came out",
            at.year(),
            crate::validate::dates::FIRST_PLAUSIBLE_YEAR
        ));
    }
    if let Some(time) = &mut date.time {
        time.nanosecond = None;
        // Written with its seconds: a time without them is TOML 1.1's, and
        // TOML 1.0 readers (Python's tomllib, most editors) refuse the file.
        time.second.get_or_insert(0);
    }
    Ok(date.to_string())
}

/// A new guid: the UUIDv5 of the show's identity and this episode's slug,
/// date and first file. Deterministic for the same input, different for
/// every episode; written into the manifest, so it never changes.
fn new_guid(show: &Show, slug: &str, date: &toml_edit::Datetime, first_media: &str) -> String {
    let show_id = show.podcast.guid.clone().unwrap_or_else(|| show.podcast.base_url.to_string());
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, show_id.as_bytes());
    uuid::Uuid::new_v5(&ns, format!("{slug}\n{date}\n{first_media}").as_bytes()).to_string()
}

/// Where `add` puts a new episode, as the fuzzer drives it (see [`crate::fuzzing`]).
#[doc(hidden)]
pub mod fuzz {
    /// A new episode's table put into any manifest text: if it is put
    /// anywhere, the text reads as before with that one episode more.
    pub fn add(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else { return };
        let table = "[[episode]]\ntitle = \"Fuzzed\"\nguid = \"f\"\nnotes = \"\"\"\n# Heading\n\"\"\"\n";
        if let Ok(out) = super::insert_episode(text, table, "episodes.toml") {
            assert!(super::adds_only(text, &out, table), "{out}");
            assert!(out.len() > text.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AddError, Inserted};
    use crate::diagnostic::{Diagnostic, Location};

    fn at(line: usize) -> Diagnostic {
        let mut d = Diagnostic::error("MANIFEST", format!("at {line}"));
        d.location = Location::File { path: "episodes.toml".into(), line, column: Some(1) };
        d
    }

    /// Problems of the manifest as `add` would write it are told by the
    /// lines of the file as it is; those in the new episode as its own.
    #[test]
    fn problems_are_told_by_the_lines_of_the_manifest_as_it_is() {
        let old = "[podcast]\ntitle = \"x\"\n\n[[episode]]\ntitle = \"a\"\n\n# last comment\n";
        let table = "[[episode]]\ntitle = \"b\"\n\n";
        let at_comment = old.find("# last").unwrap();
        let new = format!("{}{table}{}", &old[..at_comment], &old[at_comment..]);
        let inserted = Inserted::between(old, &new);
        assert_eq!((inserted.first, inserted.lines), (7, 3));
        let AddError::WouldBreak(_, out) =
            inserted.relocate(AddError::WouldBreak("episodes.toml".into(), vec![at(5), at(7), at(8), at(10)]))
        else {
            panic!()
        };
        let lines: Vec<_> = out
            .iter()
            .map(|d| match d.location {
                Location::File { line, .. } => (Some(line), d.message.clone()),
                _ => (None, d.message.clone()),
            })
            .collect();
        assert_eq!(
            lines,
            [
                (Some(5), "at 5".to_string()),
                (None, "the new episode: at 7".to_string()),
                (None, "the new episode: at 8".to_string()),
                (Some(7), "at 10".to_string()),
            ]
        );
        // At the end of a file without a last line end.
        let inserted = Inserted::between("[podcast]", "[podcast]\n[[episode]]\n");
        assert_eq!((inserted.first, inserted.lines), (2, 2));
        let AddError::WouldBreak(_, out) =
            inserted.relocate(AddError::WouldBreak("episodes.toml".into(), vec![at(1), at(2)]))
        else {
            panic!()
        };
        assert!(matches!(out[0].location, Location::File { line: 1, .. }) && out[0].message == "at 1");
        assert_eq!(out[1].message, "the new episode: at 2");
    }
}
