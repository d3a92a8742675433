//! What podsmith has to say about a show: one type for every stage.
//!
//! A manifest problem, a media file that cannot be measured, a catalog
//! warning, a validation finding, a refused change of a published identity:
//! each is a [`Diagnostic`] — a code, a severity, where it is, what is
//! wrong and how to fix it. The library returns them; only the `podsmith`
//! binary presents them (for people, or as JSON), as typos separates its
//! `Message`s from its reporters.
//!
//! ```
//! use podsmith::diagnostic::{Diagnostic, Location, Severity};
//!
//! let d = Diagnostic::error("MANIFEST", "`title` in [podcast] is empty")
//!     .at(Location::file("episodes.toml", 2, Some(9)))
//!     .help("fill it in, e.g. title = \"My Show\"");
//! assert_eq!(d.severity, Severity::Error);
//! assert_eq!(d.location.to_string(), "episodes.toml:2:9");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the command (a build writes nothing); a directory refuses the feed.
    Error,
    /// Something degrades, or only some apps mind.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Location {
    /// The show or the command as a whole.
    #[default]
    Show,
    /// A line (and column) of a file: the manifest, most often.
    File {
        /// The file, as the user named it.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// A place in a feed.
    Feed {
        /// The feed (`feed.xml`, a path or URL), when more than one is in play.
        feed: Option<String>,
        /// The line in the feed, when known.
        line: Option<usize>,
        /// The item: its position (1-based) and its label (title, or "item N").
        item: Option<(usize, String)>,
    },
    /// A file of the site or the show, by its path.
    Path(PathBuf),
}

impl Location {
    /// A line (and column) of a file.
    pub fn file(path: impl Into<PathBuf>, line: usize, column: Option<usize>) -> Location {
        Location::File { path: path.into(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Show => Ok(()),
            Location::File { path, line, column: Some(c) } => write!(f, "{}:{line}:{c}", path.display()),
            Location::File { path, line, column: None } => write!(f, "{}:{line}", path.display()),
            Location::Feed { feed, line, item } => {
                let mut parts: Vec<String> = Vec::new();
                if let Some(feed) = feed {
                    parts.push(feed.clone());
                }
                if let Some((_, label)) = item {
                    parts.push(format!("episode {label}"));
                }
                if let Some(l) = line {
                    parts.push(format!("line {l}"));
                }
                write!(f, "{}", parts.join(", "))
            }
            Location::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One thing podsmith has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What found it: a validation rule's id (`APPLE-CH-IMAGE`), or the
    /// check of another stage (`MANIFEST`, `MEDIA`, `IDENTITY` …).
    pub code: Cow<'static, str>,
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `severity`, at no particular place.
    pub fn with(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: Cow::Borrowed(code),
            severity,
            location: Location::Show,
            message: message.into(),
            help: None,
        }
    }

    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with(Severity::Warning, code, message)
    }

    /// A note.
    pub fn info(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with(Severity::Info, code, message)
    }

    /// The same, at `location`.
    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = location;
        self
    }

    /// The same, with how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        let help = help.into();
        self.help = (!help.is_empty()).then_some(help);
        self
    }

    /// The same, with another severity.
    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Whether it stops the command.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The feed line, for a diagnostic about a feed.
    pub fn line(&self) -> Option<usize> {
        match &self.location {
            Location::Feed { line, .. } => *line,
            Location::File { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The item's position in its feed (1-based), for one about an item.
    pub fn item(&self) -> Option<usize> {
        match &self.location {
            Location::Feed { item: Some((n, _)), .. } => Some(*n),
            _ => None,
        }
    }

    /// The episode's label, for one about an item.
    pub fn episode(&self) -> Option<&str> {
        match &self.location {
            Location::Feed { item: Some((_, label)), .. } => Some(label),
            _ => None,
        }
    }
}

/// As JSON: `rule` (the code), `severity`, `message`, `help` (empty when
/// there is none), and where: `file` with `line` and `column`, or `feed`,
/// `line`, `episode` (the item's title) and `item` (its place in the feed,
/// from 1), or `path`.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("rule", &self.code)?;
        m.serialize_entry("severity", &self.severity)?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("help", self.help.as_deref().unwrap_or(""))?;
        match &self.location {
            Location::Show => {}
            Location::File { path, line, column } => {
                m.serialize_entry("file", &path.display().to_string())?;
                m.serialize_entry("line", line)?;
                if let Some(c) = column {
                    m.serialize_entry("column", c)?;
                }
            }
            Location::Feed { feed, line, item } => {
                if let Some(feed) = feed {
                    m.serialize_entry("feed", feed)?;
                }
                if let Some(l) = line {
                    m.serialize_entry("line", l)?;
                }
                if let Some((n, label)) = item {
                    // The title as the feed has it (told between quotes,
                    // which are not its, with its own escaped), and the
                    // item's place in the feed.
                    if let Some(title) = crate::text::unquoted(label) {
                        m.serialize_entry("episode", &title)?;
                    } else if let Some(title) = label.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                        // As an older record kept it.
                        m.serialize_entry("episode", title)?;
                    }
                    if *n > 0 {
                        m.serialize_entry("item", n)?;
                    }
                }
            }
            Location::Path(p) => m.serialize_entry("path", &p.display().to_string())?,
        }
        m.end()
    }
}

/// Reads back what [`Serialize`] wrote (the build record keeps the
/// warnings of the last build, to say them again).
impl<'de> serde::Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Diagnostic, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Sev {
            Error,
            Warning,
            Info,
        }
        #[derive(serde::Deserialize)]
        struct Stored {
            rule: String,
            severity: Sev,
            message: String,
            #[serde(default)]
            help: String,
            file: Option<PathBuf>,
            line: Option<usize>,
            column: Option<usize>,
            feed: Option<String>,
            episode: Option<String>,
            item: Option<usize>,
            path: Option<PathBuf>,
        }
        let s = Stored::deserialize(d)?;
        let location = match (s.file, s.path) {
            (Some(path), _) => Location::File { path, line: s.line.unwrap_or(0), column: s.column },
            (None, Some(path)) => Location::Path(path),
            (None, None) if s.feed.is_some() || s.line.is_some() || s.episode.is_some() || s.item.is_some() => {
                // An episode told by its title, between quotes (a record of an
                // older podsmith kept them), or by its place.
                let label = match (s.episode, s.item) {
                    (Some(e), _) if e.starts_with('"') => Some(e),
                    (Some(e), _) => Some(crate::text::quoted(&e)),
                    (None, Some(n)) => Some(format!("item {n}")),
                    (None, None) => None,
                };
                Location::Feed { feed: s.feed, line: s.line, item: label.map(|l| (s.item.unwrap_or(0), l)) }
            }
            _ => Location::Show,
        };
        let severity = match s.severity {
            Sev::Error => Severity::Error,
            Sev::Warning => Severity::Warning,
            Sev::Info => Severity::Info,
        };
        let help = (!s.help.is_empty()).then_some(s.help);
        Ok(Diagnostic { code: Cow::Owned(s.rule), severity, location, message: s.message, help })
    }
}

/// Whether any of `diagnostics` is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In JSON an item is told by its title as the feed has it (not between
    /// the quotes a message puts it in) and its place; read back (a build
    /// record says its warnings again), it is told as before, and so is one
    /// of a record an older podsmith wrote, which kept the quotes.
    #[test]
    fn an_items_title_is_itself_in_json_and_reads_back_as_told() {
        let at = |item: Option<(usize, &str)>| {
            Diagnostic::warning("X", "m").at(Location::Feed {
                feed: Some("feed.xml".into()),
                line: Some(3),
                item: item.map(|(n, l)| (n, l.to_string())),
            })
        };
        for (item, json) in [
            (Some((2, r#""A \"quoted\" title \\o/""#)), r#""episode":"A \"quoted\" title \\o/","item":2"#),
            (Some((3, "item 3")), r#""item":3"#),
        ] {
            let d = at(item);
            let text = serde_json::to_string(&d).unwrap();
            assert!(text.contains(json), "{text}");
            let back: Diagnostic = serde_json::from_str(&text).unwrap();
            assert_eq!(back.location, d.location, "{text}");
        }
        let older = r#"{"rule":"X","severity":"warning","message":"m","feed":"feed.xml","episode":"\"Old\""}"#;
        let back: Diagnostic = serde_json::from_str(older).unwrap();
        assert_eq!(back.episode(), Some("\"Old\""));
    }
}
