//! The command line: clap derive, doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Publish a podcast from plain files: episodes.toml + media/ → RSS feeds and show-notes pages.
#[derive(Debug, Parser)]
#[command(name = "podsmith", version, about, long_about = None)]
pub struct Cli {
    /// Say more: how each file was measured, what was written.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print only warnings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site: feeds, show-notes pages and media, into public/.
    Build {
        /// The show's manifest; media paths are relative to its folder.
        #[arg(long, default_value = "episodes.toml")]
        manifest: PathBuf,
        /// Output folder [default: public/ beside the manifest].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Build as of this moment (RFC 3339) instead of now: episodes dated later are left out.
        #[arg(long, value_name = "DATETIME")]
        as_of: Option<String>,
    },
    /// Measure media files: duration, size, type and codec.
    Probe {
        /// Print one JSON array on stdout.
        #[arg(long)]
        json: bool,
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}
