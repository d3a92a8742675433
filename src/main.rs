//! The `podsmith` binary: parse arguments, run one subcommand, map the
//! outcome to an exit code. Exit codes: 0 ok; 1 problems in the show's
//! content (manifest, media, templates); 2 usage or setup errors.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let ui = cmd::Ui { verbose: cli.verbose, quiet: cli.quiet };
    match cmd::run(cli.command, ui) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
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
