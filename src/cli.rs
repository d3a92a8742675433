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
    /// Check a feed against what Apple, Spotify and Podcast Index accept.
    ///
    /// With no FEED, validates the show in this folder as `build` would write
    /// it, including checks against the media files. FEED may be a file or,
    /// with --online, an http(s) URL.
    Validate {
        /// A feed file or URL [default: the show's own feeds, built in memory].
        feed: Option<String>,
        /// The show's manifest (when no FEED is given).
        #[arg(long, default_value = "episodes.toml")]
        manifest: PathBuf,
        /// Folder holding the files behind the feed's URLs, to run the media checks on a FEED.
        #[arg(long, value_name = "DIR")]
        media_root: Option<PathBuf>,
        /// Also check the hosting: HEAD and Range requests to every media and image URL.
        #[arg(long)]
        online: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        strict: bool,
        /// Validate as of this moment (RFC 3339) instead of now.
        #[arg(long, value_name = "DATETIME")]
        as_of: Option<String>,
        /// Print the rule table (Markdown) and exit.
        #[arg(long)]
        list_rules: bool,
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

/// How `validate` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by feed and episode, for people.
    Human,
    /// One JSON object, for programs.
    Json,
}
