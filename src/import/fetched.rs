//! What `import --download` fetched, checked: a media file that could not
//! be fetched stops the import, each named with the server's answer (one
//! the old host has no more has its episode written commented out); a
//! chapters file or transcript that could not be fetched, or that is not
//! one the build takes, is left out of its episode and said (old hosts
//! often have dead chapter links: the episode comes without them).

use super::{ImportError, Options, OtherFile, ToFetch, note};
use crate::diagnostic::Diagnostic;

/// What [`fetch_media`] left out of the show.
#[derive(Debug, Default)]
pub(super) struct Fetched {
    /// The chapters files and transcripts left out (their paths in the show).
    pub(super) left_out: Vec<String>,
    /// The media the old host no longer has (404, 410; their paths in the
    /// show): their episodes are written commented out (see [`comment_out`]).
    pub(super) gone: Vec<String>,
}

/// Fetches the media into the media folder, and the chapters and
/// transcripts into theirs (those there already from an earlier run are
/// kept): what was wrong is said; a media file that could not be fetched
/// stops the import (a new run resumes it), but for one the old host
/// answers is gone (404, 410: no run would fetch it), whose episode is
/// written commented out, said. Returns what was left out.
#[cfg(feature = "online")]
pub(super) fn fetch_media(
    opts: &Options,
    to_fetch: &ToFetch,
    notes: &mut Vec<Diagnostic>,
) -> Result<Fetched, ImportError> {
    use super::download::{Fetch, ProblemKind, fetch_all};
    let media = opts.dir.join(&opts.media_dir);
    std::fs::create_dir_all(&media).map_err(|e| ImportError::Io(media.clone(), e))?;
    let audio = to_fetch.media.iter().map(|m| {
        let rel = format!("{}/{}", opts.media_dir.trim_end_matches(['/', '\\']), m.name);
        let fetch = Fetch { url: m.url.clone(), path: media.join(&m.name), rel, length: m.length, audio: true };
        (fetch, m.label.as_str(), None)
    });
    let others = to_fetch.others.iter().map(|o| {
        let path = opts.dir.join(&o.rel);
        let fetch = Fetch { url: o.url.clone(), path, rel: o.rel.clone(), length: None, audio: false };
        (fetch, o.label.as_str(), Some(o))
    });
    let record = record(opts);
    let todo = not_there(audio.chain(others).collect(), &record, notes)?;
    let files: Vec<Fetch> = todo.iter().map(|(f, ..)| f.clone()).collect();
    let found = fetch_all(&files, 8, &opts.progress, &record);
    let mut failed = 0;
    let mut left_out = Vec::new();
    let mut gone = Vec::new();
    for ((f, label, other), problem) in todo.iter().zip(found) {
        let Some(p) = problem else { continue };
        match (other, f.path.exists()) {
            (None, false) if p.kind == ProblemKind::Gone => {
                gone.push(f.rel.clone());
                notes.push(note(format!(
                    "{label}: {p}: the old host no longer has it; the episode is written commented out at the end of \
                     episodes.toml: put the recording at {} (or give its new URL) and uncomment it",
                    f.rel
                )));
            }
            // (No run would fetch anything else there.)
            (None, false) if p.kind == ProblemKind::NotAudio => {
                gone.push(f.rel.clone());
                notes.push(note(format!(
                    "{label}: {p}: the episode is written commented out at the end of episodes.toml: put the \
                     recording at {} (or give its URL) and uncomment it",
                    f.rel
                )));
            }
            (None, false) => {
                failed += 1;
                notes.push(Diagnostic::error("IMPORT", format!("{label}: {p}: not fetched")));
            }
            (Some(o), false) if kind(o) == "art" => {
                left_out.push(o.rel.clone());
                notes.push(note(format!("{label}: its art {p}: {}", kept_at(o))));
            }
            (Some(o), false) => {
                left_out.push(o.rel.clone());
                notes.push(note(format!(
                    "{label}: its {} {p}: left out of the episode ({}; put the file at {} and name it in \
                     episodes.toml if you have it)",
                    kind(o),
                    without(o),
                    o.rel
                )));
            }
            (_, true) => notes.push(note(format!("{label}: {p}"))),
        }
    }
    if failed > 0 {
        return Err(ImportError::NotFetched {
            notes: std::mem::take(notes),
            message: format!(
                "{} could not be fetched (each named above, with the server's answer); nothing was imported: run \
                 the same import again to resume (the files fetched are kept), or fix or leave out those items",
                crate::text::count(failed, "media file")
            ),
        });
    }
    check_others(opts, to_fetch, &mut left_out, notes);
    Ok(Fetched { left_out, gone })
}

/// The chapters files, transcripts and art fetched (but those `left_out`
/// already) checked as the build reads them; one it would not take is
/// removed and left out too, said.
#[cfg(feature = "online")]
fn check_others(opts: &Options, to_fetch: &ToFetch, left_out: &mut Vec<String>, notes: &mut Vec<Diagnostic>) {
    for o in &to_fetch.others {
        if left_out.contains(&o.rel) {
            continue;
        }
        if let Err(why) = check(opts, o, notes) {
            let _ = std::fs::remove_file(opts.dir.join(&o.rel));
            left_out.push(o.rel.clone());
            if kind(o) == "art" {
                notes.push(note(format!("{}: its art {} {why}: {}", o.label, o.url, kept_at(o))));
                continue;
            }
            notes.push(note(format!(
                "{}: its {} {} {why}: left out of the episode ({})",
                o.label,
                kind(o),
                o.url,
                without(o)
            )));
        }
    }
}

/// The episodes of the manifest `text` whose media include one `gone`,
/// taken out of it and written at its end as commented `[[episode]]`
/// tables, with what to do: their media were not fetched (the old host no
/// longer has them), and the show builds without them.
/// Returns how many.
pub(super) fn comment_out(text: &mut String, gone: &[String]) -> Result<usize, ImportError> {
    if gone.is_empty() {
        return Ok(0);
    }
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| ImportError::Refused(format!("the manifest made cannot be read back ({e})")))?;
    let Some(episodes) = doc.get_mut("episode").and_then(|e| e.as_array_of_tables_mut()) else { return Ok(0) };
    let is_gone = |t: &toml_edit::Table| {
        let media = t.get("media").and_then(|m| m.as_array());
        media.into_iter().flatten().any(|m| m.as_str().is_some_and(|m| gone.iter().any(|g| g == m)))
    };
    let mut out = toml_edit::ArrayOfTables::new();
    let mut kept = toml_edit::ArrayOfTables::new();
    for t in episodes.iter() {
        match is_gone(t) {
            true => out.push(t.clone()),
            false => kept.push(t.clone()),
        }
    }
    *episodes = kept;
    let commented = out.len();
    let mut left = toml_edit::DocumentMut::new();
    left["episode"] = toml_edit::Item::ArrayOfTables(out);
    let tables: String = left.to_string().lines().map(|l| format!("# {l}\n").replace("# \n", "#\n")).collect();
    *text = format!(
        "{doc}\n# Left out by the import: episodes whose media the old host no longer has (404 or 410),\n# or serves as \
         something other than audio. Put each \
         recording in the media folder under the name its `media` gives (or give its new URL), then uncomment it.\n\
         {tables}"
    );
    Ok(commented)
}

/// What an episode is imported with, `o` left out of it.
#[cfg(feature = "online")]
fn without(o: &OtherFile) -> &'static str {
    match &o.instead {
        Some(_) => "the chapters its item gives inline (psc:chapters) are kept instead",
        None => "it is imported without it",
    }
}

/// Where the files this import fetched are recorded (see
/// [`super::download::Record`]).
#[cfg(feature = "online")]
pub(super) fn record(opts: &Options) -> super::download::Record {
    super::download::Record(opts.dir.join(".podsmith/import-fetched.jsonl"))
}

/// One file to fetch, the item it is of, and what it is if not audio.
#[cfg(feature = "online")]
type ToGet<'a> = (super::download::Fetch, &'a str, Option<&'a OtherFile>);

/// The files of `all` not in the show folder yet. One there is kept if an
/// earlier run of the import fetched it (`record` says so: it was killed
/// after), or if it is media of the very size the feed gives (a copy of
/// the episode's file put there, said); any other stops the import before
/// anything is fetched, named: podsmith would take someone's file for the
/// episode's.
#[cfg(feature = "online")]
fn not_there<'a>(
    all: Vec<ToGet<'a>>,
    record: &super::download::Record,
    notes: &mut Vec<Diagnostic>,
) -> Result<Vec<ToGet<'a>>, ImportError> {
    let fetched = record.read();
    let mut todo = Vec::new();
    let mut refused = Vec::new();
    for (f, label, other) in all {
        let Ok(found) = std::fs::symlink_metadata(&f.path) else {
            todo.push((f, label, other));
            continue;
        };
        let size = found.len();
        let ours = |r: &&super::download::Recorded| r.rel == f.rel && r.url == f.url && (r.size == size || !f.audio);
        let length = f.length.filter(|l| *l > 1);
        if found.is_file() && fetched.iter().any(|r| ours(&r)) {
            continue;
        }
        if found.is_file() && f.audio && length == Some(size) {
            notes.push(note(format!(
                "{label}: {} was in the show folder already, of the size the feed gives ({size} bytes): taken as \
                 the episode's file, not fetched",
                f.rel
            )));
            continue;
        }
        let why = match (found.is_file(), length) {
            (false, _) => "is not a plain file".to_string(),
            (true, Some(l)) => format!("holds {size} bytes, where the feed says {l}"),
            (true, None) => format!("holds {size} bytes, and the feed gives no length to check it against"),
        };
        refused.push(format!("{label}: {} is in the show folder already and {why}", f.rel));
    }
    if refused.is_empty() {
        return Ok(todo);
    }
    Err(ImportError::Refused(format!(
        "{}; no import fetched {}, and podsmith does not take a file it cannot tell is the episode's: remove {} \
         (the import fetches {}), or import into an empty folder",
        refused.join("; "),
        if refused.len() == 1 { "it" } else { "them" },
        if refused.len() == 1 { "it" } else { "them" },
        if refused.len() == 1 { "it" } else { "them" },
    )))
}

#[cfg(not(feature = "online"))]
pub(super) fn fetch_media(_: &Options, _: &ToFetch, _: &mut Vec<Diagnostic>) -> Result<Fetched, ImportError> {
    Err(ImportError::Usage("--download needs podsmith built with the `online` feature (the default)".into()))
}

/// What `o` is, as said.
fn kind(o: &OtherFile) -> &'static str {
    if o.rel.starts_with("chapters/") {
        "chapters file"
    } else if o.rel.starts_with(super::ART_DIR) && o.rel[super::ART_DIR.len()..].starts_with('/') {
        "art"
    } else {
        "transcript"
    }
}

/// What is said of art not fetched: its URL is kept (the old host must
/// then serve it still).
#[cfg(feature = "online")]
fn kept_at(o: &OtherFile) -> String {
    format!(
        "kept at its address there (move it yourself before the old host goes: put the file at {} and set image \
         to that)",
        o.rel
    )
}

/// Fetched art checked: what its name says (a JPEG as `.jpg`, a PNG as
/// `.png`), as apps and directories take it.
fn art_check(path: &std::path::Path, rel: &str) -> Result<(), String> {
    let mut head = [0u8; 16];
    let n = crate::fsutil::open(path)
        .and_then(|mut f| crate::probe::read_full(&mut f, &mut head))
        .map_err(|e| format!("cannot be read ({e})"))?;
    let fits = match crate::validate::art::sniff(&head[..n]) {
        crate::validate::art::Format::Jpeg => rel.ends_with(".jpg"),
        crate::validate::art::Format::Png => rel.ends_with(".png"),
        _ => false,
    };
    match fits {
        true => Ok(()),
        false => Err("is not a JPEG or PNG as its name says".into()),
    }
}

/// A fetched chapters file or transcript checked as the build reads it;
/// `Err` with why it cannot be kept. A chapter without a title (which the
/// Podcasting 2.0 chapters allow, but a build refuses in the list of
/// chapters) is kept as a marker left out of the list (`toc` false), said.
#[cfg_attr(not(feature = "online"), allow(dead_code))]
fn check(opts: &Options, o: &OtherFile, notes: &mut Vec<Diagnostic>) -> Result<(), String> {
    use crate::chapters::{Chapters, Origin};
    let path = opts.dir.join(&o.rel);
    if kind(o) == "art" {
        return art_check(&path, &o.rel);
    }
    if kind(o) == "transcript" {
        let Some(format) = crate::transcript::Kind::of(&o.rel) else {
            return Err("is of no format podsmith reads".into());
        };
        let bytes =
            crate::fsutil::read(&path, crate::fsutil::TRANSCRIPT).map_err(|e| format!("cannot be read ({e})"))?;
        return crate::transcript::parse(format, &bytes)
            .map(|_| ())
            .map_err(|e| format!("is not a transcript podsmith reads ({e})"));
    }
    let bytes = crate::fsutil::read(&path, crate::fsutil::JSON).map_err(|e| format!("cannot be read ({e})"))?;
    let list =
        crate::chapters::from_json(&bytes).map_err(|e| format!("is not a Podcasting 2.0 chapters file ({e})"))?;
    if list.is_empty() {
        // As the manifest refuses one.
        return Err("has no chapters".into());
    }
    let waypoints = crate::chapters::waypoints(&bytes);
    let mut chapters = Chapters { list, origin: Origin::File(o.rel.clone()), waypoints };
    let mut untitled = Vec::new();
    for (n, c) in chapters.list.iter_mut().enumerate() {
        if c.title.trim().is_empty() && c.toc {
            c.toc = false;
            untitled.push(format!("{} ({})", n + 1, crate::chapters::clock(c.start)));
        }
    }
    if let Some(problem) = chapters.problems(f64::INFINITY, "the episode").into_iter().next() {
        return Err(format!("cannot be taken as it is ({problem})"));
    }
    if untitled.is_empty() {
        return Ok(());
    }
    let url = |a: &crate::manifest::Asset| match a {
        crate::manifest::Asset::Remote(u) => u.to_string(),
        crate::manifest::Asset::Local(f) => f.rel.clone(),
    };
    let about = crate::chapters::About::of_json(&bytes);
    crate::output::write_bytes(&path, &chapters.to_json(&about, &url))
        .map_err(|e| format!("cannot be written ({e})"))?;
    notes.push(note(format!(
        "{}: its chapters file {}: chapter {} has no title: kept as a marker apps leave out of the list of chapters \
         (\"toc\": false in {}); give it a title there to list it",
        o.label,
        o.url,
        untitled.join(", "),
        o.rel
    )));
    Ok(())
}

/// The chapters files and transcripts `left_out` (their paths in the
/// show) taken out of the manifest `text`.
pub(super) fn leave_out(text: &mut String, left_out: &[String], others: &[OtherFile]) -> Result<(), ImportError> {
    if left_out.is_empty() {
        return Ok(());
    }
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| ImportError::Refused(format!("the manifest made cannot be read back ({e})")))?;
    let gone = |v: Option<&str>| v.is_some_and(|v| left_out.iter().any(|l| l == v));
    // Art not fetched keeps its URL.
    let url_of = |t: &toml_edit::Table| {
        let image = t.get("image").and_then(|i| i.as_str()).filter(|i| gone(Some(i)))?;
        others.iter().find(|o| o.rel == image).map(|o| o.url.clone())
    };
    if let Some(podcast) = doc.get_mut("podcast").and_then(|p| p.as_table_mut())
        && let Some(url) = url_of(podcast)
    {
        podcast["image"] = toml_edit::value(url);
    }
    let episodes = doc.get_mut("episode").and_then(|e| e.as_array_of_tables_mut());
    for episode in episodes.into_iter().flat_map(|e| e.iter_mut()) {
        if let Some(url) = url_of(episode) {
            episode["image"] = toml_edit::value(url);
        }
        let chapters_file = episode.get("chapters_file").and_then(|c| c.as_str()).filter(|c| gone(Some(c)));
        if let Some(file) = chapters_file.map(str::to_string) {
            episode.remove("chapters_file");
            if let Some(tables) = others.iter().find(|o| o.rel == file).and_then(|o| o.instead.clone()) {
                episode["chapters"] = toml_edit::Item::ArrayOfTables(tables);
            }
        }
        let Some(list) = episode.get_mut("transcript").and_then(|t| t.as_array_mut()) else { continue };
        list.retain(|t| !gone(t.as_inline_table().and_then(|t| t.get("file")).and_then(|f| f.as_str())));
        if list.is_empty() {
            episode.remove("transcript");
        }
    }
    *text = doc.to_string();
    Ok(())
}
