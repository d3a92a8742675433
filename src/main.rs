//! The `podsmith` binary: parse arguments, run one subcommand, map the
//! outcome to an exit code. Exit codes: 0 ok; 1 problems in the show's
//! content (manifest, media, templates); 2 usage or setup errors.

/// `println!` that never panics: when stdout is closed (`podsmith … | head`)
/// the rest of the output is dropped and the command ends as it would have.
/// Control characters from a show's files (an escape sequence in a title)
/// are shown, not sent to the terminal.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        let _ = writeln!(std::io::stdout().lock(), "{}", $crate::cmd::terminal_safe(&text));
    }};
}

/// `print!` that never panics (see [`outln!`]).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($t)*);
        let _ = write!(std::io::stdout().lock(), "{}", $crate::cmd::terminal_safe(&text));
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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let reporter = report::Reporter::new(cli.command.format(), cli.quiet, cli.verbose, cli.no_wait);
    match cmd::run(cli.command, &reporter) {
        Ok(code) => code,
        Err(failure) => {
            reporter.diagnostics(&failure.diagnostics);
            reporter.finish(false, serde_json::json!({}));
            ExitCode::from(failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::cli::Cli::command().debug_assert();
    }
}
