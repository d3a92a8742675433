//! The one place diagnostics are presented: for people on stderr, or as
//! one JSON document on stdout (`--format json`). The library returns
//! [`Diagnostic`]s; this module alone decides how they read.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::sync::Arc;

use podsmith::diagnostic::{Diagnostic, Location, Severity};
use podsmith::progress::{Progress, Silent};
use podsmith::validate::Report;

use crate::cli::Format;

/// Prints diagnostics and, in JSON, the command's data with them.
pub struct Reporter {
    format: Format,
    /// `-q`: only warnings and errors.
    quiet: bool,
    /// `-v`: details and notes too.
    verbose: bool,
    /// `--no-wait`.
    no_wait: bool,
    /// Diagnostics kept for the JSON document.
    kept: RefCell<Vec<Diagnostic>>,
}

impl Reporter {
    /// A reporter in `format`.
    pub fn new(format: Format, quiet: bool, verbose: bool, no_wait: bool) -> Reporter {
        Reporter { format, quiet, verbose, no_wait, kept: RefCell::new(Vec::new()) }
    }

    /// `--no-wait`: stop instead of waiting for another command.
    pub fn no_wait(&self) -> bool {
        self.no_wait
    }

    /// `-v`.
    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// What long steps report to: a bar on a terminal (not with `-q`), else nothing.
    pub fn progress(&self) -> Arc<dyn Progress> {
        if !self.quiet && std::io::stderr().is_terminal() {
            Arc::new(Bar(indicatif::ProgressBar::hidden()))
        } else {
            Arc::new(Silent)
        }
    }

    /// Whether output is one JSON document.
    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Reports one diagnostic: printed now (human), or kept for the document (JSON).
    pub fn diagnostic(&self, d: &Diagnostic) {
        match self.format {
            Format::Json => self.kept.borrow_mut().push(d.clone()),
            Format::Human => {
                if d.severity == Severity::Info && !self.verbose {
                    return;
                }
                errln!("{}", human(d));
            }
        }
    }

    /// Reports every one of `ds`, in order.
    pub fn diagnostics(&self, ds: &[Diagnostic]) {
        for d in ds {
            self.diagnostic(d);
        }
    }

    /// A progress or summary line for people (stderr; hidden by `-q`).
    pub fn info(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            errln!("{msg}");
        }
    }

    /// A detail line (stderr, with `-v`).
    pub fn detail(&self, msg: impl std::fmt::Display) {
        if self.verbose {
            errln!("{msg}");
        }
    }

    /// Reports a command that failed: its diagnostics, the last of which
    /// says what they came to ("3 problems in episodes.toml"). In JSON that
    /// last one is the document's `summary`, not one of the `diagnostics`
    /// (nor counted among the errors), unless it is the only one.
    pub fn fail(&self, ds: &[Diagnostic]) {
        match ds.split_last() {
            Some((last, rest)) if self.format == Format::Json && !rest.is_empty() => {
                self.diagnostics(rest);
                self.finish(false, serde_json::json!({ "summary": last }));
            }
            _ => {
                self.diagnostics(ds);
                self.finish(false, serde_json::json!({}));
            }
        }
    }

    /// Ends a command that has data to give: in JSON, one document on
    /// stdout with `data`'s fields, the diagnostics and their counts.
    pub fn finish(&self, ok: bool, data: serde_json::Value) {
        if self.format != Format::Json {
            return;
        }
        let kept = self.kept.borrow();
        let count = |s: Severity| kept.iter().filter(|d| d.severity == s).count();
        let mut doc = serde_json::json!({ "ok": ok });
        if let (Some(doc), serde_json::Value::Object(fields)) = (doc.as_object_mut(), data) {
            doc.extend(fields);
        }
        doc["diagnostics"] = serde_json::to_value(&*kept).unwrap_or_default();
        doc["errors"] = count(Severity::Error).into();
        doc["warnings"] = count(Severity::Warning).into();
        jsonln!(&doc);
    }
}

/// A severity as people read it: "error", "warning", "note" (JSON says
/// "info", the word of the rule table).
fn word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A diagnostic as people read it: `error: episodes.toml:7:15: what is wrong`,
/// the rule in brackets for a finding of `validate`'s, and `  help: …` below.
pub fn human(d: &Diagnostic) -> String {
    let mut s = format!("{}: ", word(d.severity));
    let place = d.location.to_string();
    if !place.is_empty() {
        s.push_str(&one_line(&place));
        s.push_str(": ");
    }
    s.push_str(&one_line(&d.message));
    // (The show cover's findings are said at its line of the manifest.)
    if matches!(d.location, Location::Feed { .. }) || podsmith::validate::rules::find(&d.code).is_some() {
        s.push_str(&format!(" [{}]", d.code));
    }
    if let Some(help) = &d.help {
        s.push_str(&format!("\n  help: {}", one_line(help)));
    }
    s
}

/// `text` on one line: a line break in it (a feed's title, a file name)
/// written out as `\n`, so that what a feed or a show holds cannot make a
/// line of the report look like one podsmith wrote.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    match text.contains(['\n', '\r']) {
        true => text.replace('\n', "\\n").replace('\r', "\\r").into(),
        false => text.into(),
    }
}

/// `validate`'s findings of `min` severity or worse, as a table grouped by
/// feed and episode.
pub fn grouped(reports: &[Report], min: Severity) -> String {
    let mut out = String::new();
    for r in reports {
        let shown: Vec<&Diagnostic> = r.findings.iter().filter(|f| f.severity <= min).collect();
        if shown.is_empty() {
            continue;
        }
        out.push_str(&format!("{}:\n", one_line(&r.feed)));
        let mut group: Option<Option<usize>> = None;
        for f in shown {
            if group != Some(f.item()) {
                group = Some(f.item());
                match (f.item(), f.episode()) {
                    // (An item without a title is labelled by its place already.)
                    (Some(n), Some(label)) if label == format!("item {n}") => out.push_str(&format!("  item {n}\n")),
                    (Some(n), Some(label)) => out.push_str(&format!("  episode {} (item {n})\n", one_line(label))),
                    _ => out.push_str("  channel\n"),
                }
            }
            let line = f.line().map(|l| format!(" line {l}:")).unwrap_or_default();
            out.push_str(&format!("    {:<7} {}{line} {}\n", word(f.severity), f.code, one_line(&f.message)));
            if let Some(help) = &f.help {
                out.push_str(&format!("            help: {}\n", one_line(help)));
            }
        }
    }
    out
}

/// A progress bar on stderr (a terminal only), drawn with indicatif.
struct Bar(indicatif::ProgressBar);

impl podsmith::progress::Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        if total > 1 {
            self.0.set_length(total);
            self.0.set_position(0);
            self.0.set_style(
                indicatif::ProgressStyle::with_template(&format!("{what} {{bar:30}} {{pos}}/{{len}}"))
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
        self.0.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
}
