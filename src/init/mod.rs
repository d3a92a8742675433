//! `podsmith init`: a new show folder that builds at once.
//!
//! It writes a commented `episodes.toml` (every channel field explained;
//! what the podcaster did not give is a placeholder that `validate` flags),
//! an empty `media/` with a plain 1400×1400 placeholder cover, and a
//! `.gitignore` for `public/`. It never asks questions: flags fill in what
//! is known.

use std::path::{Path, PathBuf};

/// The commented manifest, with `{title}`-style slots.
const TEMPLATE: &str = include_str!("episodes.toml");
/// A plain 1400×1400 JPEG whose comment marks it as the placeholder.
pub const PLACEHOLDER_COVER: &[u8] = include_bytes!("placeholder-cover.jpg");
/// The marker `validate` looks for in a cover.
pub const PLACEHOLDER_MARK: &[u8] = b"podsmith placeholder cover";

/// What to fill in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The folder to create or fill.
    pub dir: PathBuf,
    /// Show title.
    pub title: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Owner e-mail.
    pub email: Option<String>,
    /// Where public/ will be served.
    pub base_url: Option<String>,
    /// Language code.
    pub language: Option<String>,
    /// Apple category ("Parent" or "Parent > Sub").
    pub category: Option<String>,
    /// Write into a folder that is not empty. Nothing there is replaced:
    /// an existing cover is kept, `.gitignore` gets the lines it lacks, and
    /// an existing `episodes.toml` is never overwritten.
    pub force: bool,
}

/// Why init did nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The folder has files in it.
    #[error("{} is not empty ({}); choose an empty folder, or pass --force to add episodes.toml, media/ and .gitignore to it (nothing there is replaced)", .0.display(), .1)]
    NotEmpty(PathBuf, String),
    /// The folder already is a show.
    #[error("{} already has an episodes.toml; init never replaces it (add episodes with podsmith add)", .0.display())]
    AlreadyAShow(PathBuf),
    /// A flag's value is not valid in a manifest.
    #[error("{0}")]
    Invalid(String),
    /// Writing failed.
    #[error("cannot write {}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
}

/// The manifest text `init` writes for `opts`, checked by the manifest reader.
pub fn manifest_text(opts: &Options) -> Result<String, InitError> {
    // Every value goes in through toml_edit, so quotes and backslashes in a
    // title are escaped by construction.
    let quote = |s: &str| toml_edit::Value::from(s).to_string().trim().to_string();
    let pick = |v: &Option<String>, placeholder: &str| quote(v.as_deref().unwrap_or(placeholder));
    let slots = [
        ("title", pick(&opts.title, "Untitled show (placeholder)")),
        ("description", quote("Placeholder: what the show is about, in a few sentences.")),
        ("author", pick(&opts.author, "Your Name (placeholder)")),
        ("email", pick(&opts.email, "you@example.com")),
        ("language", pick(&opts.language, "en")),
        ("category", pick(&opts.category, "Technology")),
        ("base_url", pick(&opts.base_url, "https://example.com/podcast/")),
    ];
    // In one pass: a value that itself holds `{author}` (a title such as
    // "The {author} Show") stays as it was typed; braces naming no slot
    // (the template's commented `{format}`) are kept.
    Ok(crate::words::fill(TEMPLATE, |name| slots.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())))
}

/// Whether `init` can start a show in `opts.dir`: not a show already,
/// empty (but for `.git` and `.podsmith`) unless `--force`, and the values
/// given make a manifest that reads (checked before anything is made).
pub fn check(opts: &Options) -> Result<(), InitError> {
    let dir = &opts.dir;
    // First: a folder that already is a show is refused even with --force.
    if std::fs::symlink_metadata(dir.join("episodes.toml")).is_ok() {
        return Err(InitError::AlreadyAShow(dir.clone()));
    }
    if dir.exists() {
        let entries: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| InitError::Io(dir.clone(), e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".git" && n != crate::show_lock::RECORDS_DIR && !left_by_init(dir, n))
            .collect();
        if !entries.is_empty() && !opts.force {
            let mut shown = entries.clone();
            shown.sort();
            shown.truncate(3);
            return Err(InitError::NotEmpty(dir.clone(), shown.join(", ")));
        }
    }
    // A media/ that leads out of the folder: the cover would be written
    // there, outside the show (and the manifest then refuses it).
    let media = dir.join("media");
    if std::fs::symlink_metadata(&media).is_ok_and(|m| m.file_type().is_symlink()) {
        let real = std::fs::canonicalize(&media).ok();
        let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        if !real.as_ref().is_some_and(|r| r.starts_with(&root)) {
            let to = real.map_or_else(|| "nowhere".to_string(), |r| r.display().to_string());
            return Err(InitError::Invalid(format!(
                "media/ is a link to {to}, outside the show: podsmith keeps a show's files in its folder; make \
                 media/ a folder of its own (copy the files in), then run init again"
            )));
        }
    }
    // The values must make a manifest that reads without problems (the
    // cover does not exist yet: its problems are not theirs).
    let text = manifest_text(opts)?;
    if let Err(problems) = crate::manifest::parse(&text, Path::new("episodes.toml"), dir) {
        let real: Vec<String> = problems
            .iter()
            .filter(|p| !p.message.contains("media/cover.jpg"))
            .map(|p| format!("{}{}", p.message, p.help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()))
            .collect();
        if !real.is_empty() {
            return Err(InitError::Invalid(real.join("\n")));
        }
    }
    Ok(())
}

/// Whether the entry `name` of `dir` holds only what an init killed
/// part-way made there: a temporary file, the placeholder cover (in
/// `media/`, with nothing else but temporary files), a `.gitignore` of
/// init's lines alone. A folder with nothing else is taken as empty, so
/// init run again finishes the job.
fn left_by_init(dir: &Path, name: &str) -> bool {
    let kind = |p: &Path| std::fs::symlink_metadata(p).map(|m| m.file_type());
    let holds = |p: &Path, bytes: &[u8]| {
        let limit = crate::fsutil::Limit { bytes: bytes.len() as u64, what: "a file init writes" };
        kind(p).is_ok_and(|t| t.is_file()) && crate::fsutil::read(p, limit).is_ok_and(|b| b == bytes)
    };
    match name {
        _ if crate::output::is_temp_name(name) => true,
        ".gitignore" => holds(&dir.join(name), gitignore_with("").as_bytes()),
        "media" if kind(&dir.join(name)).is_ok_and(|t| t.is_dir()) => {
            std::fs::read_dir(dir.join(name)).is_ok_and(|entries| {
                entries.flatten().all(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    crate::output::is_temp_name(&n) || (n == "cover.jpg" && holds(&e.path(), PLACEHOLDER_COVER))
                })
            })
        }
        _ => false,
    }
}

/// Where `dir`'s `.gitignore` is a link (left as it is by [`init`]) that
/// lacks lines podsmith needs: where it leads, and those lines, to say.
pub fn linked_gitignore_lacks(dir: &Path) -> Option<(PathBuf, String)> {
    let gitignore = dir.join(".gitignore");
    if !std::fs::symlink_metadata(&gitignore).ok()?.file_type().is_symlink() {
        return None;
    }
    let to = std::fs::read_link(&gitignore).ok()?;
    let existing = crate::fsutil::read_string(&gitignore, crate::fsutil::TEXT).unwrap_or_default();
    let lacks = gitignore_with(&existing).strip_prefix(existing.as_str())?.trim().to_string();
    (!lacks.is_empty()).then_some((to, lacks))
}

/// `existing` (a `.gitignore`'s text) with the lines podsmith needs that it lacks.
fn gitignore_with(existing: &str) -> String {
    let mut lines = existing.to_string();
    for (comment, line) in [
        ("# podsmith build writes the site here; it is made from episodes.toml and media/.", "/public/"),
        ("# podsmith's probe cache and build record.", "/.podsmith/"),
    ] {
        if !existing.lines().any(|l| l.trim() == line) {
            if !lines.is_empty() && !lines.ends_with('\n') {
                lines.push('\n');
            }
            lines.push_str(&format!("{comment}\n{line}\n"));
        }
    }
    lines
}

/// Creates the show. The caller holds the show's lock
/// ([`crate::show_lock::ShowLock`]); see [`check`] for what is refused.
pub fn init(opts: &Options) -> Result<Vec<PathBuf>, InitError> {
    let dir = &opts.dir;
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| InitError::Io(p, e)
    };
    check(opts)?;
    // What an init killed part-way left half-written where this one writes.
    crate::output::sweep_temps(dir, false);
    crate::output::sweep_temps(&dir.join("media"), false);
    let manifest = dir.join("episodes.toml");
    let text = manifest_text(opts)?;
    std::fs::create_dir_all(dir.join("media")).map_err(io(dir))?;
    let mut written = Vec::new();
    let cover = dir.join("media/cover.jpg");
    if !cover.exists() {
        crate::output::write_bytes(&cover, PLACEHOLDER_COVER).map_err(io(&cover))?;
        written.push(cover);
    } else if left_by_init(dir, "media") {
        // The placeholder an init killed part-way wrote.
        written.push(cover);
    }
    // .gitignore: the lines podsmith needs, added to whatever is there (a
    // link, to a .gitignore kept elsewhere, is left as it is).
    let gitignore = dir.join(".gitignore");
    if !std::fs::symlink_metadata(&gitignore).is_ok_and(|m| m.file_type().is_symlink()) {
        let existing = match crate::fsutil::read_string(&gitignore, crate::fsutil::TEXT) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(InitError::Io(gitignore, e)),
        };
        let lines = gitignore_with(&existing);
        if lines != existing {
            crate::output::write_bytes(&gitignore, lines.as_bytes()).map_err(io(&gitignore))?;
            written.push(gitignore);
        }
    }
    // The manifest last, and never over an existing one (checked above;
    // write_new also refuses if one appeared meanwhile).
    crate::output::write_new(&manifest, text.as_bytes()).map_err(io(&manifest))?;
    written.push(manifest);
    Ok(written)
}
