//! The command line: clap derive, doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Publish a podcast from plain files: episodes.toml + media/ → RSS feeds and show-notes pages.
#[derive(Debug, Parser)]
#[command(name = "podsmith", version, about, long_about = None)]
pub struct Cli {
    /// Say more: how each file was measured, what was written.
    #[arg(short, long, global = true, conflicts_with = "quiet", help_heading = "Global options")]
    pub verbose: bool,
    /// Print only warnings and errors.
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// If another podsmith command is working on the show, stop at once instead of waiting for it.
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_wait: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new show: a commented episodes.toml, media/ with a placeholder cover, .gitignore.
    Init {
        /// The folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The show's title.
        #[arg(long, value_parser = one_line)]
        title: Option<String>,
        /// Who makes the show.
        #[arg(long, value_parser = one_line)]
        author: Option<String>,
        /// The owner's e-mail (Spotify and YouTube send ownership codes there).
        #[arg(long, value_parser = one_line)]
        email: Option<String>,
        /// Where public/ will be served, e.g. https://example.org/podcast/.
        #[arg(long, value_parser = one_line)]
        base_url: Option<String>,
        /// ISO 639 language code [default: en].
        #[arg(long, value_parser = one_line)]
        language: Option<String>,
        /// Apple category, "Parent" or "Parent > Sub" [default: Technology].
        #[arg(long, value_parser = one_line)]
        category: Option<String>,
        /// Write into a folder that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Start a show from an existing feed (a file or URL): every guid, date and note kept, media left where they are hosted.
    Import {
        /// The feed: a file, or its URL.
        #[arg(value_name = "FEED|URL")]
        feed: String,
        /// The new show folder [default: named after the feed].
        dir: Option<PathBuf>,
        /// Where the new site will be served, e.g. https://example.org/podcast/.
        #[arg(long)]
        base_url: Option<String>,
        /// Apple category for a feed that has none podsmith can map, "Parent" or "Parent > Sub".
        #[arg(long)]
        category: Option<String>,
        /// Fetch every media file into the show (resumed if cut off; checked against the feed's length, then measured).
        #[arg(long)]
        download: bool,
        /// The folder of the show --download fetches the media into.
        #[arg(long, value_name = "DIR", default_value = "media")]
        media_dir: String,
    },
    /// Preview the show at a local address, rebuilt (and the pages reloaded) whenever a file of the show changes.
    Serve {
        /// The show's manifest.
        #[arg(long, default_value = "episodes.toml")]
        manifest: PathBuf,
        /// The port.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; 0.0.0.0 lets a phone on the same network open the preview.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// The host name the preview's URLs use (with --bind 0.0.0.0: this computer's address on the network).
        #[arg(long)]
        host: Option<String>,
        /// Open the preview in the default browser once it is built.
        #[arg(long)]
        open: bool,
    },
    /// Add an episode: probe its media file(s) and append it to episodes.toml.
    Add(AddArgs),
    /// Build the site: feeds, show-notes pages and media, into public/.
    Build(BuildArgs),
    /// Build, then publish the site to S3-compatible storage or a folder: only what changed, feed.xml last.
    #[cfg(feature = "publish")]
    Publish(PublishArgs),
    /// Show what subscribers will see, compared with the last build (podsmith.lock); exit 1 where
    /// `build` would refuse a change.
    Diff(ViewArgs),
    /// List the show's episodes, newest first: date, title, length, formats, and whether each is
    /// live, new (live at the next build), scheduled, redated, changed or in error.
    List(ViewArgs),
    /// Check a feed against what Apple, Spotify and Podcast Index accept.
    ///
    /// With no FEED, validates the show in this folder as `build` would write
    /// it, including checks against the media files. FEED may be a file, an
    /// http(s) URL (fetched; --online checks the hosting of what it names),
    /// or - (a feed piped in).
    Validate {
        /// A feed file, an http(s) URL, or - for a feed on stdin [default: the show's own feeds, built in memory].
        feed: Option<String>,
        /// The show's manifest (when no FEED is given).
        #[arg(long, default_value = "episodes.toml", conflicts_with = "feed")]
        manifest: PathBuf,
        /// Folder holding the files behind the feed's URLs, to run the media checks on a FEED.
        #[arg(long, value_name = "DIR")]
        media_root: Option<PathBuf>,
        /// Also check the hosting: HEAD and Range requests to every media and image URL.
        #[arg(long)]
        online: bool,
        /// Also measure how loud every episode's files are (EBU R128), against what podcast apps expect and
        /// between the formats of each episode (the show's own feeds only; kept in the probe cache).
        #[arg(long, conflicts_with = "feed")]
        loudness: bool,
        /// Output format: grouped by feed and episode, for people, or one JSON object on stdout.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        strict: bool,
        /// Validate as of this moment instead of now (2026-06-01T09:00:00Z; a date, 2026-06-01, is the start of that
        /// day in the show's utc_offset, or in UTC for a FEED).
        #[arg(long, value_name = "DATETIME")]
        as_of: Option<String>,
        /// Print the rule table (Markdown) and exit.
        #[arg(long)]
        list_rules: bool,
    },
    /// Print a shell completion script: e.g. `podsmith completions bash > ~/.local/share/bash-completion/completions/podsmith`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): e.g. `podsmith man > podsmith.1; man ./podsmith.1`.
    Man {
        /// A command's own page, with its options (podsmith-build(1) …); none: podsmith(1).
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(COMMANDS))]
        command: Option<String>,
    },
    /// Measure media files: duration, size, type and codec (and with --loudness, how loud).
    Probe {
        /// Print one JSON array on stdout.
        #[arg(long)]
        json: bool,
        /// Hosted files measured at once (1 to 64).
        #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
        /// Also decode each file on disk whole and measure its loudness (EBU R128: LUFS, true peak), against
        /// what podcast apps expect, and between the formats of one episode.
        #[arg(long)]
        loudness: bool,
        /// The files: paths, or http(s):// URLs of hosted files (measured over Range requests).
        #[arg(required = true, value_name = "FILE|URL")]
        files: Vec<PathBuf>,
    },
}

impl Command {
    /// The output format the command was asked for.
    pub fn format(&self) -> Format {
        match self {
            Command::Build(a) => a.format,
            Command::Add(a) => a.format,
            #[cfg(feature = "publish")]
            Command::Publish(a) => a.format,
            Command::Diff(a) | Command::List(a) => a.format,
            Command::Validate { format, .. } => *format,
            Command::Init { .. }
            | Command::Import { .. }
            | Command::Serve { .. }
            | Command::Probe { .. }
            | Command::Completions { .. }
            | Command::Man { .. } => Format::Human,
        }
    }
}

/// The commands, as `man` takes them (and shell completion offers them);
/// a test holds it to the commands there are.
pub const COMMANDS: [&str; 13] = [
    "init",
    "add",
    "build",
    "list",
    "diff",
    "import",
    "publish",
    "serve",
    "probe",
    "validate",
    "completions",
    "man",
    "help",
];

/// How a command prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// One JSON object, for programs.
    Json,
}

/// `itunes:episodeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EpisodeKind {
    /// A normal episode.
    Full,
    /// A trailer.
    Trailer,
    /// Bonus material.
    Bonus,
}

/// What `build` and `publish` build: the show, into where, as of when.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// The show's manifest; media paths are relative to its folder.
    #[arg(long, default_value = "episodes.toml")]
    pub manifest: PathBuf,
    /// Output folder [default: public/ beside the manifest].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Build as of this moment instead of now (2026-06-01T09:00:00Z; a date, 2026-06-01, is the start of that day
    /// in the show's utc_offset): episodes dated later are left out.
    #[arg(long, value_name = "DATETIME")]
    pub as_of: Option<String>,
    /// Allow changing or removing published guids, pages and media URLs (see podsmith.lock).
    #[arg(long)]
    pub allow_changes: bool,
}

/// `podsmith build`'s arguments.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Probe every media file again instead of using .podsmith/cache.json.
    #[arg(long)]
    pub no_cache: bool,
    /// Ask the server of every hosted media file whether it changed (one
    /// conditional request each), not only of those last asked over an hour ago.
    #[arg(long)]
    pub recheck: bool,
    /// Hosted media files measured or asked about at once.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Replace files in the output folder that podsmith did not write.
    #[arg(long)]
    pub force: bool,
    /// Output format: for people (stderr), or one JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `podsmith publish`'s arguments.
#[cfg(feature = "publish")]
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where: s3://BUCKET/PREFIX or file:///PATH [default: [publish] to in episodes.toml].
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// The S3-compatible service's endpoint, e.g. https://ACCOUNT.r2.cloudflarestorage.com.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Print what would be uploaded and deleted, and change nothing at the destination.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete media and images the site no longer has (a removed episode's media).
    #[arg(long)]
    pub prune: bool,
    /// Replace objects at the destination that podsmith did not publish.
    #[arg(long)]
    pub force: bool,
    /// Then fetch the feeds from their public URLs and check every media and image URL (as validate --online).
    #[arg(long)]
    pub verify: bool,
    /// Media uploads at once, 1 to 64 (pages and feeds: four times as many, at most 32 or N) [default: [publish] jobs, else 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,
    /// Output format: for people (stderr), or one JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// The arguments of the commands that read the show as a build would,
/// writing nothing (`diff`, `list`).
#[derive(Debug, clap::Args)]
pub struct ViewArgs {
    /// The show's manifest.
    #[arg(long, default_value = "episodes.toml")]
    pub manifest: PathBuf,
    /// As of this moment instead of now (2026-06-01T09:00:00Z; a date, 2026-06-01, is the start of that day in the
    /// show's utc_offset).
    #[arg(long, value_name = "DATETIME")]
    pub as_of: Option<String>,
    /// Output format: for people (stdout), or one JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `podsmith add`'s arguments.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The episode's media, one per format: files (ep.mp3 ep.ogg) or hosted ones (https://…, s3://BUCKET/KEY).
    #[arg(required = true)]
    pub media: Vec<PathBuf>,
    /// The show's manifest.
    #[arg(long, default_value = "episodes.toml")]
    pub manifest: PathBuf,
    /// Title [default: the file's title tag].
    #[arg(long, value_parser = one_line)]
    pub title: Option<String>,
    /// The title Apple Podcasts shows, where the title carries the episode's number or the show's name
    /// (`itunes_title`).
    #[arg(long, value_name = "T", value_parser = one_line)]
    pub itunes_title: Option<String>,
    /// Publication date, as the manifest's `date`: 2026-01-05 (its midnight) or 2026-01-05T09:00:00 in the show's
    /// utc_offset, or 2026-01-05T09:00:00+01:00; from 1990 on, to the second [default: now].
    #[arg(long, value_parser = publication_date)]
    pub date: Option<String>,
    /// Show notes: a Markdown file, or - for stdin.
    #[arg(long, value_name = "FILE|-")]
    pub notes: Option<String>,
    /// Season number (from 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub season: Option<u32>,
    /// Episode number, from 1 [default: the last + 1 for a full episode of a numbered or serial show].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub episode: Option<u32>,
    /// Episode type.
    #[arg(long = "type", value_enum)]
    pub episode_type: Option<EpisodeKind>,
    /// Page slug: a-z, 0-9, - and _ [default: from the title].
    #[arg(long, value_parser = slug)]
    pub slug: Option<String>,
    /// A guest (repeat for several).
    #[arg(long = "guest", value_name = "NAME", value_parser = one_line)]
    pub guests: Vec<String>,
    /// Copy files from outside the show into media/ (the default).
    #[arg(long, conflicts_with = "move_files")]
    pub copy: bool,
    /// Move files from outside the show into media/.
    #[arg(long = "move")]
    pub move_files: bool,
    /// Print the [[episode]] table; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also decode the episode's files on disk and measure their loudness (as `probe --loudness`): said if
    /// far from what podcast apps expect, or if its formats differ.
    #[arg(long)]
    pub loudness: bool,
    /// Output format: for people (the table on stdout), or one JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A publication date the manifest takes: a day, or a date-time with an
/// offset a feed can carry.
fn publication_date(given: &str) -> Result<String, String> {
    podsmith::add::check_date(given).map_err(|why| format!("it {why}"))
}

/// A title (a name, an address): some text, on one line, without control
/// characters (an ESC that the manifest would hold as \u001B, a NUL).
fn one_line(given: &str) -> Result<String, String> {
    if podsmith::text::strip_control(given).0.trim().is_empty() {
        Err("it is empty: give some text".into())
    } else if given.contains(['\n', '\r']) {
        Err("it has a line break: write it on one line".into())
    } else if given.contains('\t') {
        // (A cell pasted from a spreadsheet: apps show it as it is.)
        Err("it has a tab: write a space instead".into())
    } else if let Some(c) = given.chars().find(|c| !podsmith::text::is_text_char(*c)) {
        Err(format!("it has a control character (U+{:04X}): write it without", u32::from(c)))
    } else {
        Ok(given.to_string())
    }
}

/// A page slug as the manifest takes it: a-z, 0-9, - and _, at most
/// [`podsmith::text::SLUG_MAX_GIVEN`] of them.
fn slug(given: &str) -> Result<String, String> {
    let max = podsmith::text::SLUG_MAX_GIVEN;
    match (podsmith::text::is_plain_slug(given), given.len() <= max) {
        (true, true) => Ok(given.to_string()),
        (false, _) => match podsmith::text::slugify(given) {
            tried if tried.is_empty() || !podsmith::text::is_plain_slug(&tried) => {
                Err("a slug may only hold a-z, 0-9, - and _ (leave --slug out to make one from the title)".into())
            }
            tried => Err(format!("a slug may only hold a-z, 0-9, - and _ (try --slug {tried})")),
        },
        (true, false) => Err(format!("a slug is at most {max} characters (it is the page's address)")),
    }
}
