//! The `podsmith` binary: parse arguments, run one subcommand, map the
//! outcome to an exit code. Exit codes: 0 ok; 1 problems in the show's
//! content (manifest, media, templates); 2 usage or setup errors.

/// `println!` that never panics: when stdout is closed (`podsmith … | head`)
/// the rest of the output is dropped and the command ends as it would have;
/// any other failure to write (a full disk) is said, and the command ends
/// with exit code 2 (see [`stdout_wrote`]).
/// Control characters from a show's files (an escape sequence in a title)
/// are shown, not sent to the terminal.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        $crate::stdout_wrote(writeln!(std::io::stdout().lock(), "{}", $crate::cmd::terminal_safe(&text)));
    }};
}

/// A JSON document on stdout, as [`outln!`] prints a line: made safe for
/// a terminal by JSON's own escapes (see [`cmd::json_text`]), so that it
/// stays JSON.
macro_rules! jsonln {
    ($value:expr) => {{
        use std::io::Write as _;
        let text = $crate::cmd::json_text($value);
        $crate::stdout_wrote(writeln!(std::io::stdout().lock(), "{}", text));
    }};
}

/// `print!` that never panics (see [`outln!`]).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        $crate::stdout_wrote(write!(std::io::stdout().lock(), "{}", $crate::cmd::terminal_safe(&text)));
    }};
}

/// `eprintln!` that never panics: a closed stderr (`podsmith build 2>&1 | head -1`)
/// loses the message, not the command.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        let _ = writeln!(std::io::stderr().lock(), "{}", $crate::cmd::terminal_safe(&text));
    }};
}

mod cli;
mod cmd;
mod report;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    fix_malloc_threshold();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let reporter = report::Reporter::new(cli.command.format(), cli.quiet, cli.verbose, cli.no_wait);
    let code = match cmd::run(cli.command, &reporter) {
        Ok(code) => code,
        Err(failure) => {
            reporter.fail(&failure.diagnostics);
            ExitCode::from(failure.code)
        }
    };
    {
        use std::io::Write as _;
        stdout_wrote(std::io::stdout().flush());
    }
    match STDOUT_FAILED.get() {
        // The data is lost: a script must not take the command for done.
        Some(e) => {
            errln!("error: cannot write to stdout: {e}");
            errln!("  help: the output goes to a full disk or a broken device: free space, or send it elsewhere");
            ExitCode::from(2)
        }
        None => code,
    }
}

/// The first failure to write to stdout other than its reader's going away.
static STDOUT_FAILED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Notes how a write to stdout went: a closed pipe (`podsmith list | head
/// -1`) is the reader's choice and not said; any other failure is said as
/// the command ends (a full disk: `podsmith list --format json > out.json`
/// must not end as if the file held the list).
fn stdout_wrote(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = STDOUT_FAILED.set(e.to_string());
    }
}

/// A command line clap refuses: said as clap says it (exit 2), and, when
/// the command line asks for `--format json`, also as the JSON document a
/// script reads on stdout. Help and version are printed as asked (exit 0).
fn usage_error(e: &clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // On stdout, as asked: written there or said why not (a full disk).
        use std::io::Write as _;
        stdout_wrote(e.print());
        stdout_wrote(std::io::stdout().flush());
        return match STDOUT_FAILED.get() {
            Some(why) => {
                errln!("error: cannot write to stdout: {why}");
                ExitCode::from(2)
            }
            None => ExitCode::SUCCESS,
        };
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        e.exit();
    }
    // args_os: an argument that is not UTF-8 (a file name) must not panic here.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // (`probe --json` too: a script that reads its rows reads this instead.)
    let json = args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json" || a == "--json");
    let _ = e.print();
    if json {
        let reporter = report::Reporter::new(cli::Format::Json, true, false, false);
        reporter.fail(&[podsmith::diagnostic::Diagnostic::error("USAGE", first_line(e))]);
    }
    ExitCode::from(2)
}

/// clap's message, without its `error: `: its first paragraph (what is
/// wrong, and the arguments it names on the lines after), on one line.
fn first_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let said: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
    let line = said.join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_string()
}

/// glibc raises its mmap threshold to the size of each big block freed (up
/// to 32 MB); blocks under it then come from the heap, and stay resident
/// once freed. A build renders, validates and frees feeds of megabytes one
/// after another: at 10,000 episodes the cold build peaked at 106 MB
/// resident, the changed one at 191 MB, for 92 MB and 166 MB with the
/// threshold fixed (`bench/build.py`; the same speed). Fixing it at 4 MiB
/// turns the adjustment off: blocks from 4 MiB up are mapped, and given
/// back when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn fix_malloc_threshold() {
    // SAFETY: mallopt only sets a parameter of glibc's allocator. It is
    // called first thing in main, before any other thread exists; a value
    // it refuses leaves the default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_malloc_threshold() {}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::cli::Cli::command().debug_assert();
    }

    /// `man` takes (and completion offers) every command, and only those.
    #[test]
    fn man_names_every_command() {
        use clap::CommandFactory;
        let mut cli = super::cli::Cli::command();
        cli.build();
        let mut there: Vec<&str> = cli.get_subcommands().map(clap::Command::get_name).collect();
        let mut listed = super::cli::COMMANDS.to_vec();
        there.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, there);
    }

    /// Every flag `--help` shows is in the README's command list, and every
    /// flag the README lists exists.
    #[test]
    #[cfg(feature = "publish")]
    fn the_readme_lists_every_flag_and_no_other() {
        use clap::CommandFactory;
        let readme = include_str!("../README.md");
        let start = readme.find("## Commands").unwrap();
        let block = &readme[start..start + readme[start..].find("\n## ").unwrap_or(readme.len() - start)];
        let mut cli = super::cli::Cli::command();
        cli.build(); // with --help and --version
        let mut known: Vec<String> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        let mut check = |cmd: &clap::Command, prefix: &str| {
            for arg in cmd.get_arguments() {
                if let Some(long) = arg.get_long() {
                    let flag = format!("--{long}");
                    if !block.contains(&flag) {
                        missing.push(format!("{prefix}{flag}"));
                    }
                    known.push(flag);
                }
            }
        };
        check(&cli, "");
        for sub in cli.get_subcommands() {
            check(sub, &format!("{} ", sub.get_name()));
        }
        assert!(missing.is_empty(), "flags missing from the README's command list: {missing:?}");
        for word in block.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if word.starts_with("--") && word.len() > 2 {
                assert!(known.iter().any(|k| k == word), "the README lists {word}, which no command has");
            }
        }
    }

    /// Completions and the man page are made from the same definition.
    #[test]
    fn completions_and_the_man_page_know_every_command() {
        use clap::CommandFactory;
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut super::cli::Cli::command(), "podsmith", &mut out);
            let script = String::from_utf8(out).unwrap();
            for sub in ["init", "add", "build", "diff", "validate", "probe"] {
                assert!(script.contains(sub), "{shell:?} completions lack {sub}");
            }
            assert!(script.contains("allow-changes"), "{shell:?} completions lack build's flags");
        }
        let mut out = Vec::new();
        clap_mangen::Man::new(super::cli::Cli::command()).render(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.starts_with(".ie") && page.contains(".TH podsmith 1"), "{page}");
        assert!(page.contains("podsmith\\-build") || page.contains("build"), "{page}");
    }
}
