//! `podsmith validate`.

use std::path::PathBuf;
use std::process::ExitCode;

use podsmith::catalog::loudness::ShowLoudness;
use podsmith::diagnostic::{Diagnostic, Location};
use podsmith::fsutil;
use podsmith::show_lock::Access;
use podsmith::site::prepare;
use podsmith::validate::{self, LocalFiles, Report, Severity};

use super::{Failure, Ui};
use crate::cli::Format;

/// The command's arguments.
pub struct Args {
    pub feed: Option<String>,
    pub manifest: PathBuf,
    pub media_root: Option<PathBuf>,
    pub online: bool,
    pub loudness: bool,
    pub format: Format,
    pub strict: bool,
    pub as_of: Option<String>,
}

/// A feed to check: its name and bytes, and the options for it.
struct Input {
    name: String,
    /// The feed; empty when `too_large` says its size instead.
    bytes: Vec<u8>,
    /// Too large to read: its size, if known.
    too_large: Option<Option<u64>>,
    opts: validate::Options,
}

pub fn run(args: Args, ui: &Ui) -> Result<ExitCode, Failure> {
    let now = super::parse_now(args.as_of.as_deref(), args.feed.is_none().then_some(args.manifest.as_path()))?;
    let (inputs, loudness, files) = match &args.feed {
        None => own_show(&args, now, ui)?,
        Some(feed) => (vec![foreign(feed, &args, now)?], None, None),
    };
    let mut reports: Vec<Report> = inputs
        .iter()
        .map(|input| match input.too_large {
            Some(size) => Report::too_large(&input.name, size),
            None => validate::validate(&input.name, &input.bytes, &input.opts),
        })
        .collect();
    if args.online {
        online(&inputs, &mut reports, ui)?;
    }
    let extra = Extra { loudness: loudness.as_ref(), files: files.as_deref() };
    print(&reports, &extra, args.format, args.strict, ui);
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum::<usize>() + extra.warnings();
    Ok(if errors > 0 || (args.strict && warnings > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The feeds to check, with (for the show) how loud its episodes are and
/// the warnings about a line of its files.
type ToCheck = (Vec<Input>, Option<ShowLoudness>, Option<Vec<Diagnostic>>);

/// What is checked of the show besides its feeds.
struct Extra<'a> {
    /// With `--loudness`, how loud its episodes are.
    loudness: Option<&'a ShowLoudness>,
    /// When the show is validated, the warnings `build` gives about a line
    /// of its files (two episodes with one number in the manifest, control
    /// characters taken out of a title, a notes file's mistakes).
    files: Option<&'a [Diagnostic]>,
}

impl Extra<'_> {
    /// How many warnings it holds.
    fn warnings(&self) -> usize {
        self.loudness.map_or(0, |l| count(&l.findings, Severity::Warning))
            + self.files.map_or(0, |m| count(m, Severity::Warning))
    }
}

/// The show's own feeds, rendered in memory as `build` would write them;
/// with `--loudness`, how loud its episodes are; the warnings about a line
/// of its files.
fn own_show(args: &Args, now: chrono::DateTime<chrono::Utc>, ui: &Ui) -> Result<ToCheck, Failure> {
    if args.media_root.is_some() {
        return Err(Failure::usage(
            "--media-root goes with a FEED; the show's own media are found through its manifest",
        ));
    }
    let _lock = super::lock_show(&args.manifest, Access::Shared, ui, "validate")?;
    let opts = super::in_memory(&args.manifest, now, ui);
    let prepared =
        prepare(&opts).map_err(|e| Failure::from_build_of(&e, ", or give a FEED to validate", "validate"))?;
    if let Some(why) = prepared.nothing_live() {
        return Err(Failure::of(vec![why], 1));
    }
    let local = std::sync::Arc::new(prepared.local_files());
    prepared.make_notes();
    let mut inputs = Vec::new();
    for (i, f) in prepared.feeds.iter().enumerate() {
        let bytes =
            prepared.feed_xml(i).map_err(|e| Failure::content(format!("cannot render {}: {e}", f.file_name)))?;
        inputs.push(Input {
            name: f.file_name.clone(),
            bytes,
            too_large: None,
            opts: validate::Options { local: Some(local.clone()), now, formats: prepared.formats_of(f) },
        });
    }
    let loudness = args.loudness.then(|| podsmith::catalog::loudness::of_show(&prepared.catalog, &*ui.progress()));
    let files = prepared.catalog.warnings.iter().filter(|d| matches!(d.location, Location::File { .. }));
    Ok((inputs, loudness, Some(files.cloned().collect())))
}

/// How many of `ds` are of `severity`.
fn count(ds: &[Diagnostic], severity: Severity) -> usize {
    ds.iter().filter(|d| d.severity == severity).count()
}

/// A feed file or URL.
fn foreign(feed: &str, args: &Args, now: chrono::DateTime<chrono::Utc>) -> Result<Input, Failure> {
    let mut too_large = None;
    let bytes = if feed.starts_with("http://") || feed.starts_with("https://") {
        fetch(feed)?
    } else if feed == "-" || feed == "/dev/stdin" {
        // A pipe: read up to the limit, never all of it first.
        match fsutil::read_stdin(fsutil::FEED) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                too_large = Some(None);
                Vec::new()
            }
            Err(e) => return Err(Failure::usage(format!("cannot read the feed from standard input: {e}"))),
        }
    } else {
        let path = std::path::Path::new(feed);
        // `ftp://…`, `feed://…`: a URL of a kind podsmith does not fetch,
        // not a file name.
        if let Some((scheme, _)) = feed.split_once("://")
            && !path.exists()
            && !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return Err(Failure::usage(format!(
                "cannot read {feed}: podsmith fetches http:// and https:// URLs only (give the feed's https:// address, \
                 or a file)"
            )));
        }
        let cannot = |e: std::io::Error| {
            // (A pipe's name, `/dev/fd/3` or a FIFO: not a folder.)
            let hint = if e.kind() == std::io::ErrorKind::InvalidInput && !path.is_dir() {
                " (to validate what a pipe carries, pipe it in: `… | podsmith validate -`)"
            } else {
                ""
            };
            Failure::usage(format!("cannot read {feed}: {e}{hint}"))
        };
        let meta = fsutil::regular_file(path).map_err(cannot)?;
        if meta.len() > fsutil::FEED.bytes {
            // Reported as a finding, without reading it.
            too_large = Some(Some(meta.len()));
            Vec::new()
        } else {
            let bytes = fsutil::read(path, fsutil::FEED).map_err(cannot)?;
            if is_manifest(&bytes) {
                let here = std::path::Path::new("episodes.toml");
                let command = match path.canonicalize().ok() == here.canonicalize().ok() {
                    true => "podsmith validate".to_string(),
                    false => format!("podsmith validate --manifest {feed}"),
                };
                return Err(Failure::usage(format!(
                    "{feed} is a show's manifest, not a feed: `{command}` builds the show's feeds and checks them; \
                     give a feed (a file, or its https:// URL) to check one"
                )));
            }
            bytes
        }
    };
    if let Some(root) = &args.media_root
        && !root.is_dir()
    {
        return Err(Failure::usage(format!("--media-root {} is not a folder", root.display())));
    }
    let local =
        args.media_root.clone().map(|root| std::sync::Arc::new(LocalFiles { root: Some(root), ..Default::default() }));
    let opts = validate::Options { local, now, formats: validate::Formats::of_feed(&bytes) };
    Ok(Input { name: feed.to_string(), bytes, too_large, opts })
}

/// Whether `bytes` are a manifest (TOML with a `[podcast]` table), which
/// newcomers give `validate` for the feed it checks.
fn is_manifest(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    let text = text.trim_start_matches('\u{feff}');
    !text.trim_start().starts_with('<') && text.parse::<toml::Table>().is_ok_and(|t| t.contains_key("podcast"))
}

#[cfg(feature = "online")]
fn fetch(url: &str) -> Result<Vec<u8>, Failure> {
    validate::online::fetch(url, std::time::Duration::from_secs(30), validate::xml::MAX_FEED_BYTES as u64)
        .map_err(|e| Failure::content(format!("cannot fetch {url}: {e}")).help(e.help.unwrap_or_default()))
}

#[cfg(not(feature = "online"))]
fn fetch(url: &str) -> Result<Vec<u8>, Failure> {
    Err(Failure::usage(format!("cannot fetch {url}: this podsmith was built without the `online` feature")))
}

/// `--online`: the hosting of every feed's URLs, each URL asked once
/// however many of the feeds carry it.
#[cfg(feature = "online")]
fn online(inputs: &[Input], reports: &mut [Report], ui: &Ui) -> Result<(), Failure> {
    let targets: Vec<Vec<validate::Target>> = inputs.iter().map(|i| validate::targets(&i.bytes)).collect();
    for (input, t) in inputs.iter().zip(&targets) {
        ui.detail(format!("{}: checking {} URL(s) online", input.name, t.len()));
    }
    let opts = validate::online::Online { progress: ui.progress(), ..Default::default() };
    let feeds: Vec<&[validate::Target]> = targets.iter().map(Vec::as_slice).collect();
    for (report, found) in reports.iter_mut().zip(validate::online::check_feeds(&feeds, &opts)) {
        report.findings.extend(found);
        report.findings.sort_by_key(|f| (f.item().unwrap_or(0), f.line().unwrap_or(0)));
    }
    Ok(())
}

#[cfg(not(feature = "online"))]
fn online(_: &[Input], _: &mut [Report], _: &Ui) -> Result<(), Failure> {
    Err(Failure::usage("--online needs podsmith built with the `online` feature (the default)"))
}

fn print(reports: &[Report], extra: &Extra<'_>, format: Format, strict: bool, ui: &Ui) {
    let loudness = extra.loudness;
    match format {
        Format::Json => {
            let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
            let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum::<usize>() + extra.warnings();
            // `ok` as the exit code says it (and as every command's JSON has it).
            let ok = errors == 0 && !(strict && warnings > 0);
            let mut value = serde_json::json!({ "ok": ok, "feeds": reports, "errors": errors, "warnings": warnings });
            if let Some(l) = loudness {
                value["loudness"] = serde_json::to_value(l).unwrap_or_default();
            }
            if let Some(m) = extra.files {
                value["diagnostics"] = serde_json::to_value(m).unwrap_or_default();
            }
            jsonln!(&value);
        }
        Format::Human => {
            let min = if ui.verbose() { Severity::Info } else { Severity::Warning };
            for d in extra.files.unwrap_or_default() {
                outln!("{}", crate::report::human(d));
            }
            out!("{}", crate::report::grouped(reports, min));
            for r in reports {
                let (e, w, i) = (r.count(Severity::Error), r.count(Severity::Warning), r.count(Severity::Info));
                let media = if r.media_checked { "" } else { " (media not checked: give --media-root)" };
                let verdict = match (e, w) {
                    (0, 0) => "passes",
                    (0, _) if strict => "fails under --strict",
                    (0, _) => "passes",
                    _ => "fails",
                };
                outln!(
                    "{}: {verdict} — {e} error{}, {w} warning{}, {i} note{} in {} item{}{media}",
                    r.feed,
                    podsmith::text::plural(e),
                    podsmith::text::plural(w),
                    podsmith::text::plural(i),
                    r.items,
                    podsmith::text::plural(r.items)
                );
            }
            // The warnings about the show's files count under --strict too.
            let files = extra.files.map_or(0, |m| count(m, Severity::Warning));
            if files > 0 {
                let verdict = if strict { "fails under --strict" } else { "passes" };
                outln!("the show's files: {verdict} — {files} warning{}", podsmith::text::plural(files));
            }
            if let Some(l) = loudness {
                print_loudness(l, ui);
            }
            let notes: usize = reports.iter().map(|r| r.count(Severity::Info)).sum();
            if notes > 0 && !ui.verbose() {
                ui.info(format_args!("(podsmith validate -v shows the note{} too)", podsmith::text::plural(notes)));
            }
        }
    }
}

/// `--loudness`, for people: each file's loudness (with `-v`), what it
/// found, then a summary line.
fn print_loudness(l: &ShowLoudness, ui: &Ui) {
    if ui.verbose() {
        for f in &l.files {
            let said = f.loudness.as_ref().map_or_else(|| "not measured".into(), super::probe::loudness_text);
            outln!("{}: {said}", f.file);
        }
    }
    let min = if ui.verbose() { Severity::Info } else { Severity::Warning };
    for d in l.findings.iter().filter(|d| d.severity <= min) {
        outln!("{}", crate::report::human(d));
    }
    let measured = l.files.iter().filter(|f| f.loudness.is_some()).count();
    let of = if measured == l.files.len() { String::new() } else { format!(" of {}", l.files.len()) };
    let w = count(&l.findings, Severity::Warning);
    outln!(
        "loudness: {measured}{of} file{} measured ({} decoded now, {} known from the probe cache) — {w} warning{}",
        podsmith::text::plural(l.files.len()),
        l.decoded,
        l.cached,
        podsmith::text::plural(w)
    );
}
