//! Why a build stopped, as the diagnostics the binary reports.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Location};
use crate::lock::{Change, LockError};
use crate::manifest::ManifestError;
use crate::output::WriteError;
use crate::pages::TemplateError;

/// "2 media files cannot be published", or "… do not fit the audio".
fn media_summary(found: &[Diagnostic]) -> String {
    let media = found.iter().filter(|d| d.code == "MEDIA").count();
    // (A warning beside them, that the probe cache was set aside, is not one.)
    let timed = found.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count() - media;
    let mut parts = Vec::new();
    if media > 0 || timed == 0 {
        parts.push(format!("{media} media file{} cannot be published", crate::text::plural(media)));
    }
    if timed > 0 {
        parts.push(format!(
            "{timed} chapter, transcript or soundbite problem{} (they do not fit the audio)",
            crate::text::plural(timed)
        ));
    }
    parts.join("; ")
}

/// A change to what subscribers have, and where in the manifest the
/// episode it is of is (the show, for one of the show's own, or of an
/// episode no longer there).
#[derive(Debug, Clone)]
pub struct Refused {
    /// The change.
    pub change: Change,
    /// Where to put it back.
    pub at: Location,
}

impl Refused {
    /// Each of `changes`, placed in the manifest `catalog` was read from:
    /// at the episode's media line for a media URL, its table's first line
    /// otherwise.
    pub fn placed(changes: Vec<Change>, catalog: &crate::catalog::Catalog) -> Vec<Refused> {
        let episodes = catalog.episodes.iter().map(|e| (&e.episode, e.media.as_slice()));
        let scheduled = catalog.scheduled.iter().map(|s| (&s.episode, s.media.as_slice()));
        let by_guid: HashMap<&str, (&crate::manifest::Episode, &[crate::catalog::Media])> =
            episodes.chain(scheduled).map(|(e, m)| (e.guid.as_str(), (e, m))).collect();
        let at = |line: usize| Location::file(&catalog.manifest_path, line, None);
        changes
            .into_iter()
            .map(|change| {
                let (guid, url) = match &change {
                    Change::GuidChanged { new, .. } => (Some(new), None),
                    Change::UrlChanged { guid, new, .. } => (Some(guid), new.as_ref()),
                    Change::Reused { guid, what: "media URL", value, .. } => (Some(guid), Some(value)),
                    Change::Reused { guid, .. } | Change::PageMoved { guid, .. } | Change::Removed { guid, .. } => {
                        (Some(guid), None)
                    }
                    _ => (None, None),
                };
                let place = guid.and_then(|g| by_guid.get(g.as_str())).map(|(e, media)| {
                    let media_line = url.and_then(|u| media.iter().find(|m| &m.url == u)).map(|m| m.file.line());
                    at(media_line.unwrap_or(e.line))
                });
                Refused { change, at: place.unwrap_or_default() }
            })
            .collect()
    }
}

/// Why a build stopped (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The manifest is missing or invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Media that cannot be published, or chapters and transcripts that do
    /// not fit them.
    #[error("{}; nothing was written", media_summary(.0))]
    Media(Vec<Diagnostic>),
    /// A template does not compile or render.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The output folder is not usable.
    #[error("{0}")]
    Config(String),
    /// A feed breaks a directory's rules (see `podsmith validate`).
    #[error("the feed would be refused by podcast directories; nothing was written")]
    Invalid(Vec<crate::validate::Report>),
    /// The build would change what subscribers already have.
    #[error("this build would change episodes subscribers already have; nothing was written")]
    Identity(Vec<Refused>),
    /// `podsmith.lock` cannot be read.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Writing failed part-way (files already written are complete).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Files in the output folder that podsmith did not write would be replaced.
    #[error(
        "{} holds {} file{} podsmith has no record of writing, which this build would replace: {}",
        out.display(), files.len(), crate::text::plural(files.len()), shown(files)
    )]
    Foreign {
        /// The output folder.
        out: PathBuf,
        /// The files, relative to it.
        files: Vec<String>,
        /// What was wrong with the build record, which would have told
        /// podsmith's files (set aside, or entries of it ignored).
        record: Vec<Diagnostic>,
    },
    /// Every episode is scheduled: there is nothing to publish yet.
    #[error("{}", .0.message)]
    NothingLive(Box<Diagnostic>),
    /// Output paths that cannot be written (too long, a link or file in the way).
    #[error("the site cannot be written there; nothing was written")]
    Paths(Vec<String>),
}

/// The first ten of `files`, and how many more.
fn shown(files: &[String]) -> String {
    let mut s = files.iter().take(10).map(String::as_str).collect::<Vec<_>>().join(", ");
    if files.len() > 10 {
        s.push_str(&format!(" and {} more", files.len() - 10));
    }
    s
}

impl BuildError {
    /// What to tell the podcaster: every problem found, then what it means.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics_of("build")
    }

    /// [`BuildError::diagnostics`] of the build `podsmith COMMAND` ran
    /// (`publish` builds first): the fixes it names are that command's.
    pub fn diagnostics_of(&self, command: &str) -> Vec<Diagnostic> {
        let said = self.said_by(command);
        // A command that writes nothing anyway (list, diff, validate) does
        // not say that nothing was written.
        match matches!(command, "build" | "publish" | "serve") {
            true => said,
            false => said
                .into_iter()
                .map(|mut d| {
                    d.message = d.message.replace("; nothing was written", "");
                    d.help = d.help.map(|h| h.replace(" (nothing was written)", ""));
                    d
                })
                .collect(),
        }
    }

    /// [`BuildError::diagnostics_of`], as a build says it.
    fn said_by(&self, command: &str) -> Vec<Diagnostic> {
        let summary = Diagnostic::error("BUILD", self.to_string());
        match self {
            BuildError::Manifest(e) => e.diagnostics(),
            BuildError::Media(problems) => {
                let mut out = problems.clone();
                out.push(Diagnostic::error("MEDIA", self.to_string()));
                out
            }
            BuildError::Template(e) => {
                let error = Diagnostic::error("TEMPLATE", self.to_string());
                let d = &e.detail;
                let help = match () {
                    _ if d.starts_with("undefined value") => Some(
                        "the page has no value of that name: check it against the variables the README lists \
                         (Templates), and test one an episode may lack with {% if … %}",
                    ),
                    _ if d.starts_with("syntax error") => Some(
                        "write the tag as Jinja does ({% if … %} … {% endif %}, {{ value }}); the line is named \
                         above",
                    ),
                    _ if d.starts_with("unknown filter") => Some(
                        "the pages have minijinja's filters (upper, length, tojson, safe …) and podsmith's own: fill",
                    ),
                    _ if d.contains("non-existing template") => Some(
                        "a template includes the other .html files of templates/ by their names (at most 200; not \
                         those in folders below it, nor other kinds of file)",
                    ),
                    _ => None,
                };
                vec![match help {
                    Some(help) => error.help(help),
                    None => error,
                }]
            }
            BuildError::Config(_) => vec![Diagnostic::error("OUTPUT", self.to_string())],
            BuildError::Invalid(reports) => {
                // An error of every feed (the cover's) said once, naming them all.
                let reports: Vec<&crate::validate::Report> = reports.iter().collect();
                let mut out = super::across_feeds(&reports, crate::diagnostic::Severity::Error);
                out.push(summary.help("run `podsmith validate` for all findings"));
                out
            }
            BuildError::Identity(refused) => identity_refused(refused, summary, command),
            BuildError::Lock(e) => vec![e.diagnostic()],
            BuildError::Write(_) => vec![Diagnostic::error("WRITE", self.to_string())],
            BuildError::Foreign { record, .. } => {
                let mut out = record.clone();
                out.push(Diagnostic::error("FOREIGN", self.to_string()).help(
                    "move them away or build into another folder (--out); to replace them (or if they are this show's \
                     from a build whose record, .podsmith/build.json, is gone), build with --force (nothing was written)",
                ));
                out
            }
            BuildError::NothingLive(d) => vec![(**d).clone()],
            BuildError::Paths(problems) => {
                let mut out: Vec<Diagnostic> = problems.iter().map(|p| Diagnostic::error("PATH", p.clone())).collect();
                out.push(Diagnostic::error("PATH", self.to_string()));
                out
            }
        }
    }

    /// Whether the fault is in how podsmith was called or set up (exit 2),
    /// not in the show's content (exit 1).
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            BuildError::Manifest(ManifestError::Read { .. })
                | BuildError::Config(_)
                | BuildError::Foreign { .. }
                | BuildError::Paths(_)
        )
    }
}

/// What a build refused for the published identities it would change
/// (`refused`) says: each change with its fix, then `summary` with what to
/// do (`command`: the command that was refused).
fn identity_refused(refused: &[Refused], summary: Diagnostic, command: &str) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = refused
        .iter()
        .filter(|r| r.change.breaks_identity())
        .map(|Refused { change: c, at }| {
            let d = Diagnostic::error("IDENTITY", c.describe()).at(at.clone());
            match c.fix() {
                Some(help) => d.help(help),
                None => d,
            }
        })
        .collect();
    // Episodes gone (or dated ahead) alone: what that does, and its undoing.
    let gone = refused
        .iter()
        .filter(|r| r.change.breaks_identity())
        .all(|r| matches!(r.change, crate::lock::Change::Removed { .. }));
    out.push(summary.help(match gone {
        true => format!(
            "apps that have an episode find it gone from the feed when it leaves it. Put it back as \
                 each line above says; or, if you mean it, run `podsmith {command} --allow-changes`"
        ),
        false => format!(
            "apps treat a new guid as a new episode and a new URL as a new download, and a moved page \
                 breaks the links listeners shared. Put the old guid, media file or slug back in \
                 episodes.toml; or, if you mean it, run `podsmith {command} --allow-changes`"
        ),
    }));
    out
}
