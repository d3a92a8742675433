//! One function per subcommand: plain arguments in, an exit code or a
//! [`Failure`] out. Messages go to stderr, data to stdout.

mod add;
mod build;
mod import;
mod init;
mod list;
mod probe;
#[cfg(feature = "publish")]
mod publish;
mod serve;
mod validate;

use std::path::Path;
use std::process::ExitCode;

use podsmith::diagnostic::Diagnostic;
use podsmith::manifest::ManifestError;
use podsmith::show_lock::{Access, LockError, ShowLock, Wait};
use podsmith::site::BuildError;

use crate::cli::Command;

/// The reporter is what every command speaks through.
pub use crate::report::Reporter as Ui;

/// Locks the show whose manifest is `manifest` for `command`, waiting (with
/// a message) for another command that holds it, unless `--no-wait`.
/// `None` when there is no manifest there: the command then reports that,
/// and no `.podsmith/` folder is made in a folder that is not a show.
pub fn lock_show(manifest: &Path, access: Access, ui: &Ui, command: &str) -> Result<Option<ShowLock>, Failure> {
    if !manifest.is_file() {
        return Ok(None);
    }
    match lock_folder(&podsmith::manifest::root_of(manifest), access, ui, command) {
        Ok(lock) => Ok(Some(lock)),
        // A reader of a show on a read-only disk: nobody can change it either.
        Err(LockFailure::Io(e)) if access == Access::Shared => {
            ui.detail(format!("reading the show without a lock: {e}"));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Why a show could not be locked.
pub enum LockFailure {
    /// Another command holds the lock (and `--no-wait`).
    Busy(String),
    /// The lock file cannot be made or locked.
    Io(String),
}

impl From<LockFailure> for Failure {
    fn from(e: LockFailure) -> Failure {
        match e {
            LockFailure::Busy(m) | LockFailure::Io(m) => Failure::usage(m),
        }
    }
}

/// Locks the show in folder `root` (see [`lock_show`]).
pub fn lock_folder(root: &Path, access: Access, ui: &Ui, command: &str) -> Result<ShowLock, LockFailure> {
    let notify = |holder: &str| {
        ui.info(format!("waiting for another podsmith command working on this show to finish ({holder}) …"));
    };
    let wait = if ui.no_wait() { Wait::No } else { Wait::Yes(&notify) };
    ShowLock::acquire(root, access, wait, command).map_err(|e| match e {
        LockError::Busy { .. } => LockFailure::Busy(e.to_string()),
        LockError::Io { .. } | LockError::Records { .. } => LockFailure::Io(e.to_string()),
    })
}

/// Probe with the cache unless told not to; a progress bar only on a terminal.
pub fn probe_options(no_cache: bool, ui: &Ui) -> podsmith::catalog::ProbeOptions {
    podsmith::catalog::ProbeOptions { use_cache: !no_cache, progress: ui.progress(), ..Default::default() }
}

/// How `diff`, `list` and `validate` read the show: as a build would, in
/// memory, into no output folder.
pub fn in_memory(manifest: &std::path::Path, now: chrono::DateTime<chrono::Utc>, ui: &Ui) -> podsmith::site::Options {
    podsmith::site::Options {
        manifest: manifest.to_path_buf(),
        out: None,
        now,
        allow_changes: false,
        probe: probe_options(false, ui),
        force: false,
        preview: None,
    }
}

/// Parses `--as-of`, or now: a moment as an episode's `date` is written
/// ([`podsmith::manifest::moment`]); one without an offset (a bare day is
/// its midnight) is in the `utc_offset` of the show at `manifest`, if one
/// is given, else in UTC.
pub fn parse_now(as_of: Option<&str>, manifest: Option<&Path>) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
    let Some(s) = as_of else { return Ok(chrono::Utc::now()) };
    let utc = chrono::Offset::fix(&chrono::Utc);
    // A moment that gives its own offset (`2026-06-01T00:00:00Z`) is the
    // same whatever the show's: the manifest (megabytes, for a big show) is
    // not read twice for it.
    let own_offset = chrono::FixedOffset::east_opt(3600).is_some_and(|other| {
        podsmith::manifest::moment(s, utc).is_some_and(|m| podsmith::manifest::moment(s, other) == Some(m))
    });
    let offset = match manifest.filter(|_| !own_offset).map(podsmith::manifest::read_text) {
        Some(Ok(text)) => podsmith::manifest::utc_offset_glance(&text),
        // Reading the show says why it cannot be read.
        _ => utc,
    };
    podsmith::manifest::moment(s, offset).map(|d| d.with_timezone(&chrono::Utc)).ok_or_else(|| {
        Failure::usage(format!(
            "--as-of takes a moment such as 2026-06-01T00:00:00Z, or a date such as 2026-06-01 (the start of that \
             day in the show's utc_offset, or UTC): \"{s}\" is not one"
        ))
    })
}

/// A command that failed: what to say, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// Everything to report, the last one saying what it meant.
    pub diagnostics: Vec<Diagnostic>,
    /// 1 for problems in the show's content, 2 for usage or setup.
    pub code: u8,
}

impl Failure {
    /// A problem in the show's content (exit 1).
    pub fn content(message: impl Into<String>) -> Self {
        Failure { diagnostics: vec![Diagnostic::error("CONTENT", message)], code: 1 }
    }

    /// A usage or setup problem (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { diagnostics: vec![Diagnostic::error("USAGE", message)], code: 2 }
    }

    /// The same, its last diagnostic with how to fix it (nothing added if
    /// `help` is empty).
    pub fn help(mut self, help: impl Into<String>) -> Self {
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics.push(last.help(help));
        }
        self
    }

    /// A failure saying `diagnostics`.
    pub fn of(diagnostics: Vec<Diagnostic>, code: u8) -> Self {
        Failure { diagnostics, code }
    }

    /// A show that could not be built (or read, for `diff` and `validate`):
    /// a manifest that cannot be read is one help away from the right folder.
    pub fn from_build(e: &BuildError, otherwise: &str) -> Self {
        Self::from_build_of(e, otherwise, "build")
    }

    /// [`Failure::from_build`] of the build `podsmith COMMAND` ran.
    pub fn from_build_of(e: &BuildError, otherwise: &str, command: &str) -> Self {
        let mut diagnostics = e.diagnostics_of(command);
        if let BuildError::Manifest(ManifestError::Read { source, .. }) = e
            && let Some(d) = diagnostics.last_mut()
        {
            // A manifest too big to be one (or not text) is the show's, not
            // one in the wrong folder.
            let help = match source.kind() {
                std::io::ErrorKind::InvalidData => {
                    "a manifest is the show's text: check that the file is the show's episodes.toml (a copy gone \
                     wrong, a file written over it), or name the right one with --manifest"
                        .to_string()
                }
                _ => format!(
                    "run podsmith in the show's folder (podsmith init starts one), or name the manifest with \
                     --manifest path/to/episodes.toml{otherwise}"
                ),
            };
            *d = d.clone().help(help);
        }
        Failure { diagnostics, code: if e.is_setup() { 2 } else { 1 } }
    }
}

/// `text` with every control character but newline and tab written out
/// (`\u{1b}`), so that a show's files, which may come from anyone, cannot
/// send escape sequences to the podcaster's terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    written_out(text, |c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
}

/// `value` as pretty JSON whose text holds no character [`terminal_safe`]
/// writes out: each is written as JSON writes any character, `\u202e`
/// (JSON escapes the C0 controls already; these are all in the Basic
/// Multilingual Plane, and the document's own marks are ASCII, so they can
/// only be in its strings).
pub fn json_text(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    // (The document's own line breaks stay: JSON escapes those in strings.)
    let unsafe_char = |c: char| (c.is_control() && c != '\n') || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match unsafe_char(c) {
            true => out.push_str(&format!("\\u{:04x}", c as u32)),
            false => out.push(c),
        }
    }
    out
}

/// Whether `c` sets the direction of the text after it (an embedding, an
/// override, an isolate): in a message, a title's would turn the line
/// around, or show its words as others ("Trojan Source"). Written out.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character written out, newline and tab too
/// (`\u{a}`): a name (a file's, which may hold anything) that stands in a
/// line of tab-separated fields, so that it stays one field of one line.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    written_out(text, char::is_control)
}

/// `text` with each character `unsafe_char` takes written out as its
/// Unicode escape.
fn written_out(text: &str, unsafe_char: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars().map(|c| if unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Runs one subcommand.
pub fn run(command: Command, ui: &Ui) -> Result<ExitCode, Failure> {
    match command {
        Command::Init { dir, title, author, email, base_url, language, category, force } => {
            let opts = podsmith::init::Options { dir, title, author, email, base_url, language, category, force };
            init::run(&opts, ui)
        }
        Command::Add(args) => add::run(args, ui),
        Command::Serve { manifest, port, bind, host, open } => {
            serve::run(podsmith::serve::Options { manifest, bind, port, host }, open, ui)
        }
        Command::Import { feed, dir, base_url, category, download, media_dir } => {
            import::run(import::Args { feed, dir, base_url, category, download, media_dir }, ui)
        }
        Command::Build(args) => build::run(args, ui),
        #[cfg(feature = "publish")]
        Command::Publish(args) => publish::run(args, ui),
        Command::Diff(a) => build::diff(&a.manifest, a.as_of.as_deref(), ui),
        Command::List(a) => list::run(&a.manifest, a.as_of.as_deref(), ui),
        Command::Probe { json, jobs, loudness, files } => {
            probe::run(&files, probe::Asked { json, loudness, jobs: usize::from(jobs) }, ui)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut crate::cli::Cli::command(), "podsmith", &mut out);
            out!("{}", String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { command } => {
            use clap::CommandFactory;
            let mut cli = crate::cli::Cli::command();
            cli.build();
            let page = match command.as_deref() {
                None => cli,
                Some(name) => {
                    let Some(sub) = cli.find_subcommand(name).cloned() else {
                        let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                        return Err(Failure::usage(format!(
                            "there is no command \"{name}\": podsmith man takes one of {}",
                            names.join(", ")
                        )));
                    };
                    // Named as the main page's SEE ALSO names it (clap takes a
                    // name for the life of the program: this one prints and ends).
                    let name: &'static str = Box::leak(format!("podsmith-{}", sub.get_name()).into_boxed_str());
                    sub.name(name).version(env!("CARGO_PKG_VERSION"))
                }
            };
            let mut out = Vec::new();
            clap_mangen::Man::new(page)
                .render(&mut out)
                .map_err(|e| Failure::usage(format!("cannot render the man page: {e}")))?;
            // What a script looks a command up for, as the README says it.
            out.extend_from_slice(
                b".SH \"EXIT STATUS\"\n.TP\n0\nDone; nothing to say beyond warnings.\n.TP\n1\nA finding or error \
                  in the content: the manifest, the media, a feed, a change build refuses.\n.TP\n2\nA usage or \
                  setup error: the command line, a manifest not found, another command holding the show.\n",
            );
            out!("{}", String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { feed, manifest, media_root, online, loudness, format, strict, as_of, list_rules } => {
            if list_rules {
                match format {
                    crate::cli::Format::Json => out!("{}", podsmith::validate::rules::json()),
                    crate::cli::Format::Human => out!("{}", podsmith::validate::rules::markdown()),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let args = validate::Args { feed, manifest, media_root, online, loudness, format, strict, as_of };
            validate::run(args, ui)
        }
    }
}
