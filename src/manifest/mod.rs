//! `episodes.toml`: the show and its episodes, read strictly into a [`Show`].
//!
//! The manifest is the podcaster's source of truth. Reading it is the first
//! step of the pipeline (manifest → probe → feed/pages → output), and the
//! only one that looks at TOML: everything after it works on typed values
//! (dates with offsets, checked URLs, Apple categories, paths known to be
//! inside the show folder).
//!
//! Every problem is collected, not just the first: each [`Problem`] names
//! the file, line and column, what is wrong and how to fix it.
//!
//! ```toml
//! [podcast]
//! title = "My Show"
//! description = "What it is about."
//! author = "Ann Example"
//! owner = { email = "ann@example.com" }
//! language = "en"
//! categories = ["Technology"]
//! base_url = "https://example.com/podcast/"
//! image = "media/cover.jpg"
//!
//! [[episode]]
//! title = "Pilot"
//! guid = "0b8a5cda-7f2c-4d8f-9d0e-0c4a3b8d2f11"
//! date = 2026-01-05T09:00:00Z
//! media = ["media/pilot.mp3", "media/pilot.ogg"]
//! notes = "What we talked about."
//! ```

pub mod categories;
pub mod licences;
pub mod namespace;
mod page_words;
mod reader;
mod reading;

use crate::diagnostic::{Diagnostic, Location};
use crate::url::HttpUrl;
pub use categories::APPLE_CATEGORIES;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use toml::de::{DeTable, DeValue};

use reader::{Context, Fields};
use reading::{Reading, publish_settings};

/// One problem found in the manifest: a [`Diagnostic`] with code
/// `MANIFEST`, at a line and column of the file.
pub type Problem = Diagnostic;

/// A manifest problem at `line`:`column` of `file`.
pub fn problem(file: &Path, line: usize, column: usize, message: impl Into<String>, help: Option<String>) -> Problem {
    let d = Diagnostic::error("MANIFEST", message).at(Location::file(file, line, Some(column)));
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// Where a problem is, to sort them in file order.
fn position(p: &Problem) -> (usize, usize) {
    match &p.location {
        Location::File { line, column, .. } => (*line, column.unwrap_or(0)),
        _ => (0, 0),
    }
}

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read at all.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read and has problems.
    #[error("{} problem{} in {}", problems.len(), if problems.len() == 1 { "" } else { "s" }, file_of(problems))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

fn file_of(problems: &[Problem]) -> String {
    match problems.first().map(|p| &p.location) {
        Some(Location::File { path, .. }) => path.display().to_string(),
        _ => "the manifest".into(),
    }
}

impl ManifestError {
    /// What to tell the podcaster: every problem, then how many there are.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ManifestError::Read { .. } => {
                vec![Diagnostic::error("MANIFEST-READ", self.to_string())]
            }
            ManifestError::Invalid { problems } => {
                let mut out = problems.clone();
                out.push(Diagnostic::error("MANIFEST", self.to_string()));
                out
            }
        }
    }
}

/// A show, read and checked: what the rest of the pipeline works from.
#[derive(Debug, Clone)]
pub struct Show {
    /// The folder holding the manifest; media paths are relative to it.
    pub root: PathBuf,
    /// The manifest as the user named it (for messages).
    pub manifest_path: PathBuf,
    /// The channel.
    pub podcast: Podcast,
    /// The episodes, in manifest order (dated in the future ones included).
    pub episodes: Vec<Episode>,
    /// The `[publish]` table (all unset when there is none).
    pub publish: PublishSettings,
    /// The show's files (media, images, notes files) as the reading looked
    /// at them, by path (following links): a build takes them rather than
    /// look at every file again.
    pub looked: HashMap<std::ffi::OsString, crate::fsutil::Status>,
    /// What the reading took out of the manifest's strings (control
    /// characters), a warning each, with its line.
    pub cleaned: Vec<crate::diagnostic::Diagnostic>,
}

impl Show {
    /// The paths (relative to the show folder) of every file of the show's
    /// own that the manifest names: the cover, then each episode's (see
    /// [`Episode::own_files`]). An output folder may hold none of them, and
    /// a build never replaces or deletes one.
    pub fn own_files(&self) -> Vec<&str> {
        let mut own: Vec<&str> = local_rel(&self.podcast.image).into_iter().collect();
        own.extend(self.episodes.iter().flat_map(Episode::own_files));
        own
    }
}

/// The path of a file in the show folder (`None`: a URL).
fn local_rel(a: &Asset) -> Option<&str> {
    match a {
        Asset::Local(f) => Some(f.rel.as_str()),
        Asset::Remote(_) => None,
    }
}

/// The `[publish]` table: where `podsmith publish` puts the site, and how.
/// Credentials are never here (see [`crate::publish`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishSettings {
    /// `s3://BUCKET/PREFIX` or `file:///PATH`.
    pub to: Option<String>,
    /// The S3-compatible service's endpoint URL (not needed for AWS).
    pub endpoint: Option<String>,
    /// The region (`auto` for R2; default: the environment's, else us-east-1).
    pub region: Option<String>,
    /// The profile of `~/.aws/credentials` and `~/.aws/config` to use.
    pub profile: Option<String>,
    /// Address the bucket as `BUCKET.HOST` rather than `HOST/BUCKET`.
    pub virtual_hosted: bool,
    /// Send `x-amz-acl: public-read` with every upload (`acl = "public-read"`),
    /// for services whose buckets are not public by policy.
    pub public_read: bool,
    /// Media uploads at once (default 4; pages and feeds four times as many, at most 32, or `jobs` if more).
    pub jobs: Option<u32>,
    /// Services told the URL of each feed a publish changed (`notify`):
    /// Podcast Index's `pubnotify` for `"podcastindex"`, or any URL that
    /// takes `?url=FEED`.
    pub notify: Vec<HttpUrl>,
}

/// The `[podcast]` table: one RSS channel.
#[derive(Debug, Clone)]
pub struct Podcast {
    /// Show title.
    pub title: String,
    /// Show description (plain text, ≤ 4000 bytes for Apple).
    pub description: String,
    /// `itunes:author`.
    pub author: String,
    /// `itunes:owner`; `name` defaults to `author`.
    pub owner: Owner,
    /// ISO 639 language code, optionally with a region (`en`, `en-us`).
    pub language: String,
    /// Apple categories, first is the main one.
    pub categories: Vec<Category>,
    /// `itunes:explicit`; default false.
    pub explicit: bool,
    /// `itunes:type`; default episodic.
    pub show_type: ShowType,
    /// Where `public/` is served, always ending in `/`.
    pub base_url: HttpUrl,
    /// The show's web page; defaults to `base_url` (the generated index page).
    pub link: HttpUrl,
    /// Cover art: a file in the show folder (published with the site) or a URL.
    pub image: Asset,
    /// `copyright`, if set.
    pub copyright: Option<String>,
    /// `podcast:guid`; defaults to the UUIDv5 of the feed URL.
    pub guid: Option<String>,
    /// The `podcast:guid` of each per-format feed (`feed.ogg.xml`), by the
    /// format's extension; each defaults to the UUIDv5 of that feed's URL.
    pub feed_guids: std::collections::BTreeMap<String, String>,
    /// `podcast:locked`; default false.
    pub locked: bool,
    /// `itunes:new-feed-url` of `feed.xml`, for a show that has moved.
    pub new_feed_url: Option<HttpUrl>,
    /// `itunes:new-feed-url` of each per-format feed (`feed.ogg.xml`) that
    /// has moved, by the format's extension.
    pub new_feed_urls: std::collections::BTreeMap<String, HttpUrl>,
    /// `itunes:block`; default false.
    pub block: bool,
    /// `itunes:complete`; default false.
    pub complete: bool,
    /// Offset used for dates written without one; default `+00:00`.
    pub utc_offset: FixedOffset,
    /// Which formats every episode must have; default [`FormatPolicy::Apple`].
    pub formats: FormatPolicy,
    /// The Podcasting 2.0 tags the show sets (people, funding, licence …).
    pub tags: namespace::ShowTags,
    /// `[podcast.words]`: the pages' own words as the show gives them.
    pub words: Option<crate::words::GivenWords>,
    /// Where some of these are written, for what later stages say of them.
    pub lines: PodcastLines,
}

/// The manifest lines of the `[podcast]` keys that later stages say
/// something of (a placeholder left from `podsmith init`, say): where to
/// fix it. 0: the key is not written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodcastLines {
    /// `title`.
    pub title: usize,
    /// `description`.
    pub description: usize,
    /// `author`.
    pub author: usize,
    /// `owner` (its e-mail).
    pub owner: usize,
    /// `base_url`.
    pub base_url: usize,
    /// `new_feed_url`.
    pub new_feed_url: usize,
    /// `new_feed_urls`.
    pub new_feed_urls: usize,
}

impl PodcastLines {
    /// The line of `key` (one of the fields' names), if it is written.
    pub fn of(&self, key: &str) -> Option<usize> {
        let line = match key {
            "title" => self.title,
            "description" => self.description,
            "author" => self.author,
            "owner" => self.owner,
            "base_url" => self.base_url,
            "new_feed_url" => self.new_feed_url,
            "new_feed_urls" => self.new_feed_urls,
            _ => 0,
        };
        (line > 0).then_some(line)
    }
}

/// `formats` in `[podcast]`: what every episode must be published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatPolicy {
    /// An MP3 or M4A (AAC) file, as Apple Podcasts and Spotify require (the default).
    Apple,
    /// Any format podsmith reads: a show deliberately not for Apple
    /// Podcasts or Spotify (Ogg Vorbis, Opus, FLAC only).
    Any,
}

/// `itunes:owner`.
#[derive(Debug, Clone)]
pub struct Owner {
    /// Name.
    pub name: String,
    /// E-mail (Spotify and YouTube send their verification code here).
    pub email: String,
}

/// One Apple category, optionally with a subcategory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Top-level category, as Apple spells it.
    pub name: &'static str,
    /// Subcategory under `name`.
    pub sub: Option<&'static str>,
}

/// `itunes:type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowType {
    /// Newest first (the default).
    Episodic,
    /// Oldest first; every episode needs a number.
    Serial,
}

/// `itunes:episodeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpisodeType {
    /// A normal episode (the default).
    Full,
    /// A trailer.
    Trailer,
    /// Bonus content.
    Bonus,
}

impl ShowType {
    /// The word Apple uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ShowType::Episodic => "episodic",
            ShowType::Serial => "serial",
        }
    }
}

impl EpisodeType {
    /// The word Apple uses.
    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeType::Full => "full",
            EpisodeType::Trailer => "trailer",
            EpisodeType::Bonus => "bonus",
        }
    }
}

/// A file published with the site, or something already hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asset {
    /// A file inside the show folder.
    Local(LocalFile),
    /// An absolute http(s) URL.
    Remote(HttpUrl),
}

/// A file inside the show folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// The path relative to the show folder, with `/` separators, as written.
    pub rel: String,
    /// The path on disk.
    pub path: PathBuf,
    /// The manifest line that names it.
    pub line: usize,
}

/// An episode's media file: in the show folder (published with the site),
/// or hosted already (measured where it is, never uploaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaFile {
    /// A file inside the show folder.
    Local(LocalFile),
    /// An `https://` (or `http://`) URL, or an `s3://` object of the
    /// publish destination.
    Hosted(HostedFile),
}

/// A media file hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedFile {
    /// Where listeners download it (an `s3://` object: its URL under `base_url`).
    pub url: HttpUrl,
    /// For an `s3://` object of the publish destination: its path in the
    /// site (relative to `base_url`), which `publish` keeps.
    pub in_site: Option<String>,
    /// The manifest line that names it.
    pub line: usize,
}

impl MediaFile {
    /// What identifies it: its path in the show folder, or its URL.
    pub fn key(&self) -> &str {
        match self {
            MediaFile::Local(f) => &f.rel,
            MediaFile::Hosted(h) => h.url.as_str(),
        }
    }

    /// The manifest line that names it.
    pub fn line(&self) -> usize {
        match self {
            MediaFile::Local(f) => f.line,
            MediaFile::Hosted(h) => h.line,
        }
    }

    /// The file in the show folder, if it is one.
    pub fn local(&self) -> Option<&LocalFile> {
        match self {
            MediaFile::Local(f) => Some(f),
            MediaFile::Hosted(_) => None,
        }
    }

    /// The hosted file, if it is one.
    pub fn hosted(&self) -> Option<&HostedFile> {
        match self {
            MediaFile::Local(_) => None,
            MediaFile::Hosted(h) => Some(h),
        }
    }
}

/// One `[[episode]]`.
#[derive(Debug, Clone)]
pub struct Episode {
    /// Title.
    pub title: String,
    /// The title Apple Podcasts shows (`itunes:title`), where it is not
    /// [`Episode::title`]: without the episode's number or the show's name.
    pub itunes_title: Option<String>,
    /// Page slug (`episodes/<slug>/`); defaults to the slugified title.
    pub slug: String,
    /// The `guid`, never changed once published.
    pub guid: String,
    /// Publication date.
    pub date: DateTime<FixedOffset>,
    /// The media files, one per format, in manifest order.
    pub media: Vec<MediaFile>,
    /// Show notes, Markdown.
    pub notes: String,
    /// Where the notes are written (what a message about them points at).
    pub notes_from: NotesFrom,
    /// Guests, in order.
    pub guests: Vec<String>,
    /// `itunes:season`.
    pub season: Option<u32>,
    /// `itunes:episode`.
    pub number: Option<u32>,
    /// `itunes:episodeType`.
    pub episode_type: EpisodeType,
    /// `itunes:explicit`; defaults to the show's.
    pub explicit: Option<bool>,
    /// Episode art, if any.
    pub image: Option<Asset>,
    /// Chapters given in the manifest (`[[episode.chapters]]` or
    /// `chapters_file`); else the MP3's own, found when it is measured.
    pub chapters: Option<crate::chapters::Chapters>,
    /// Transcripts (`transcript`), read and checked.
    pub transcripts: Vec<crate::transcript::Transcript>,
    /// The Podcasting 2.0 tags the episode sets (people, soundbites …).
    pub tags: namespace::EpisodeTags,
    /// The files of the show folder the notes' relative links and images
    /// lead to (made absolute against the episode page's URL, as the
    /// pages and feeds have them: `../../media/plan.png` is the show's
    /// `media/plan.png`): published with the site at that path, so that
    /// the links work as written. Neither hidden files nor the manifest
    /// or `podsmith.lock`.
    pub linked: Vec<LocalFile>,
    /// The manifest line where this episode starts.
    pub line: usize,
}

/// Site-relative path of the page folder of the episode of `slug`.
pub(crate) fn page_path_of(slug: &str) -> String {
    format!("episodes/{slug}/")
}

/// Why a relative link of the notes leads to no file of the site (see
/// [`site_path_of_link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OffSite {
    /// Not a relative path, above the site, or a folder (a page): not the
    /// site's file to publish.
    Elsewhere,
    /// A path of the site no file is published at: a part empty, hidden
    /// (`.git`, `.podsmith` …) or holding an escaped `/` (`%2F`), or an
    /// escape that is not one.
    Unpublished,
}

/// The path in the site a relative `url` of the notes of the episode whose
/// page is at `page_path` leads to (the pages and feeds make it absolute
/// against the page's URL), its query and fragment aside, percent-decoded;
/// else why it leads to none.
///
/// ```text
/// ../../media/plan.png   on episodes/one/  →  media/plan.png
/// plan%20b.png#top       on episodes/one/  →  episodes/one/plan b.png
/// ../../../plan.png                        →  Elsewhere (above the site)
/// ../../.git/config                        →  Unpublished (hidden)
/// ```
pub(crate) fn site_path_of_link(page_path: &str, url: &str) -> Result<String, OffSite> {
    // As a browser reads the path of an http URL: `\` for `/`, and `.`
    // and `..` (also written `%2e`) taken away; but not above the site.
    let path = url.split(['?', '#']).next().unwrap_or_default().replace('\\', "/");
    let scheme = path.find(':').is_some_and(|colon| !path[..colon].contains('/'));
    if path.is_empty() || path.starts_with('/') || scheme {
        return Err(OffSite::Elsewhere);
    }
    let mut parts: Vec<String> = page_path.split('/').filter(|p| !p.is_empty()).map(String::from).collect();
    let segments: Vec<&str> = path.split('/').collect();
    for (n, segment) in segments.iter().enumerate() {
        let decoded = percent_decoded(segment).ok_or(OffSite::Unpublished)?;
        let name = String::from_utf8(decoded).map_err(|_| OffSite::Unpublished)?;
        // A folder (`../two/`, `..`, `.`) is a page, not a file.
        let folder = matches!(name.as_str(), "" | "." | "..");
        match name.as_str() {
            ".." => {
                parts.pop().ok_or(OffSite::Elsewhere)?;
            }
            "." => {}
            _ if name.contains('/') => return Err(OffSite::Unpublished),
            _ => parts.push(name),
        }
        if n + 1 == segments.len() && folder {
            return Err(OffSite::Elsewhere);
        }
    }
    let rel = parts.join("/");
    let plain = crate::fsutil::is_plain_relative(&rel) && !rel.split('/').any(|p| p.starts_with('.'));
    plain.then_some(rel).ok_or(OffSite::Unpublished)
}

/// `path` with its `%XX` escapes decoded; `None` for a `%` without two
/// hexadecimal digits after it.
fn percent_decoded(path: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(path.len());
    let mut bytes = path.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hex = |b: Option<u8>| (b? as char).to_digit(16);
        let (hi, lo) = (hex(bytes.next())?, hex(bytes.next())?);
        out.push(u8::try_from(hi * 16 + lo).ok()?);
    }
    Some(out)
}

/// Where an episode's notes are written: what a message about a line of
/// them points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesFrom {
    /// The manifest's `notes`.
    Manifest {
        /// The line their text starts on.
        line: usize,
        /// Whether the notes' lines are the manifest's from there (the
        /// n-th line of the notes is at `line + n`), as in a multi-line
        /// string without escaped line breaks.
        exact: bool,
    },
    /// A notes file (`notes_file`): its lines are the notes'.
    File(PathBuf),
    /// None given.
    Nowhere,
}

impl NotesFrom {
    /// The `notes_from` of `notes`, the manifest's text `raw` (the string as
    /// written, quotes and all) starting on `line`.
    fn manifest(raw: &str, line: usize, notes: &str) -> NotesFrom {
        let multi = raw.starts_with("\"\"\"") || raw.starts_with("'''");
        // A newline right after the opening quotes is not part of the text.
        let body = raw.get(3..).filter(|_| multi).unwrap_or(raw);
        let trimmed = body.starts_with('\n') || body.starts_with("\r\n");
        let breaks = raw.matches('\n').count() - usize::from(trimmed);
        NotesFrom::Manifest { line: line + usize::from(trimmed), exact: breaks == notes.matches('\n').count() }
    }

    /// Where the notes' text at byte `offset` of `notes` is (`episode`:
    /// the manifest file, and the line its episode starts on).
    pub fn at(&self, notes: &str, offset: usize, episode: (&Path, usize)) -> (PathBuf, usize) {
        let before = notes.get(..offset).map_or(0, |b| b.matches('\n').count());
        match self {
            NotesFrom::Manifest { line, exact: true } => (episode.0.to_path_buf(), line + before),
            NotesFrom::Manifest { line, exact: false } => (episode.0.to_path_buf(), *line),
            NotesFrom::File(path) => (path.clone(), 1 + before),
            NotesFrom::Nowhere => (episode.0.to_path_buf(), episode.1),
        }
    }
}

/// Reads and checks the manifest at `path`. Media paths are resolved against
/// the folder holding it.
pub fn load(path: &Path) -> Result<Show, ManifestError> {
    let src = read_text(path)?;
    parse(&src, path, &root_of(path)).map_err(|problems| ManifestError::Invalid { problems })
}

/// The farthest a date's offset may be from UTC, in minutes: ±14:00, as
/// far as any zone on Earth (Kiribati). RFC 2822 and TOML take up to ±99:59
/// and ±23:59, but a feed's checkers and readers do not.
pub const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// A moment written as an episode's `date` is: a date-time with an offset
/// (`2026-01-05T09:00:00+01:00`, or as an RFC 3339 string), one without
/// (`2026-01-05T09:00:00`, in `utc_offset`), or a day (`2026-01-05`: its
/// midnight in `utc_offset`). `None`: none of those, or one no feed can
/// carry (a leap second, an offset more than 14 hours from UTC).
///
/// ```
/// use chrono::FixedOffset;
/// let east = FixedOffset::east_opt(3600).unwrap();
/// let at = |text| podsmith::manifest::moment(text, east).map(|d| d.to_rfc3339());
/// assert_eq!(at("2026-01-05").as_deref(), Some("2026-01-05T00:00:00+01:00"));
/// assert_eq!(at("2026-01-05T09:00:00").as_deref(), Some("2026-01-05T09:00:00+01:00"));
/// assert_eq!(at("2026-01-05T09:00:00Z").as_deref(), Some("2026-01-05T09:00:00+00:00"));
/// assert_eq!(at("bogus"), None);
/// ```
pub fn moment(text: &str, utc_offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    reading::to_chrono(&text.trim().parse().ok()?, Some(utc_offset))
}

/// The show's `utc_offset` as the manifest's `text` gives it, for reading a
/// moment written without one ([`moment`]) before the show is read: UTC
/// when it gives none, or when it cannot be read (reading the show then
/// says why).
pub fn utc_offset_glance(text: &str) -> FixedOffset {
    let utc = chrono::Offset::fix(&chrono::Utc);
    let Ok(doc) = DeTable::parse(text) else { return utc };
    let offset = match doc.get_ref().get("podcast").map(|p| p.get_ref()) {
        Some(DeValue::Table(podcast)) => match podcast.get("utc_offset").map(|o| o.get_ref()) {
            Some(DeValue::String(s)) => reading::parse_offset(s),
            _ => None,
        },
        _ => None,
    };
    offset.unwrap_or(utc)
}

/// The show folder of the manifest at `path`: media paths are relative to it.
pub fn root_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The manifest's text: a regular file of at most [`crate::fsutil::MANIFEST`],
/// in UTF-8 (anything else is a problem at its line, with the fix).
pub fn read_text(path: &Path) -> Result<String, ManifestError> {
    let bytes = crate::fsutil::read(path, crate::fsutil::MANIFEST)
        .map_err(|source| ManifestError::Read { path: path.to_path_buf(), source })?;
    if let Some(how) = crate::transcript::utf16_mark(&bytes) {
        return Err(ManifestError::Invalid {
            problems: vec![problem(
                path,
                1,
                1,
                format!("the file is UTF-16 text ({how}), not UTF-8"),
                Some(
                    "save episodes.toml as UTF-8 (in Notepad: Save as, Encoding: UTF-8; \"Unicode\" is UTF-16)".into(),
                ),
            )],
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(&bytes[line_start..at]).chars().count() + 1;
        ManifestError::Invalid {
            problems: vec![problem(
                path,
                line,
                column,
                format!("the file is not UTF-8 text (byte 0x{:02X})", bytes[at]),
                Some(
                    "save episodes.toml as UTF-8 (your editor's \"Save with encoding\" or \"Reopen with encoding\"); \
                     the byte is often an accented letter written by an editor set to Latin-1 or Windows-1252"
                        .into(),
                ),
            )],
        }
    })
}

/// A TOML syntax error as said (`message` from the parser, at `span` of
/// `src`), with the fix for the common ones.
fn syntax_problem(message: &str, src: &str, span: &std::ops::Range<usize>) -> (String, Option<String>) {
    // The key or table name the error is at.
    let at = src.get(span.start..).unwrap_or("");
    let name: String = at
        .trim_start_matches(['[', ' '])
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    let is_header = is_header_at(src, span.start);
    let line_start = src.get(..span.start).and_then(|b| b.rfind('\n')).map_or(0, |n| n + 1);
    let line = src.get(line_start..).and_then(|l| l.lines().next()).unwrap_or("");
    // The whole name a header gives (`episode.chapters`), in one or two brackets.
    let header = line.split('#').next().unwrap_or("").trim().trim_start_matches('[').trim_end_matches(']').trim();
    let single = |h: &str| src.lines().any(|l| l.split('#').next().unwrap_or("").trim() == format!("[{h}]"));
    let help = if message.contains("duplicate key") && is_header && name == "episode" {
        Some("each episode is an [[episode]] table, in two brackets: write [[episode]] above each".to_string())
    } else if message.contains("duplicate key") && is_header && header.ends_with(".chapters") && single(header) {
        Some(format!("each chapter is its own [[{header}]] table, in two brackets: write [[{header}]] above each"))
    } else if message.contains("duplicate key") && is_header && header.contains('.') {
        let (table, key) = header.rsplit_once('.').unwrap_or(("", header));
        Some(format!(
            "[{header}] is given twice: as a table, and as {key} = {{ … }} in [{table}] or another [{header}]; keep one"
        ))
    } else if message.contains("duplicate key") && is_header && !name.is_empty() {
        Some(format!("[{header}] is written twice: merge the two tables into one"))
    } else if message.contains("duplicate key") && !name.is_empty() {
        // The table it is in, and the line that gave it first.
        let before = src.get(..line_start).unwrap_or("");
        // (By the headers TOML reads, not a line of notes that opens with `[`.)
        let table_start = table_headers(src).iter().map(|h| h.start).rfind(|&h| h < line_start).unwrap_or(0);
        let in_episode = src.get(table_start..).is_some_and(|t| t.starts_with("[[episode]]"));
        let first = before.get(table_start..).and_then(|t| {
            let at = t.lines().position(|l| {
                l.trim_start().strip_prefix(name.as_str()).is_some_and(|r| r.trim_start().starts_with('='))
            })?;
            Some(before[..table_start].matches('\n').count() + at + 1)
        });
        let first = first.map_or_else(String::new, |l| format!(" (first on line {l})"));
        let episode = if in_episode { "; each [[episode]] starts a new table" } else { "" };
        Some(format!("`{name}` is given twice in the same table{first}: keep one{episode}"))
    } else if message.contains("must be quoted") || message.contains("invalid boolean") {
        Some("write text in double quotes (title = \"My show\"), a yes or no as true or false".to_string())
    } else if message.contains("invalid basic string") || message.contains("invalid literal string") {
        Some(
            "end the text with a quote on the same line, or write text of several lines between \"\"\" and \"\"\""
                .into(),
        )
    } else if message.contains("invalid date") || message.contains("invalid time") {
        Some("write an RFC 3339 date without quotes: 2017-04-12 or 2017-04-12T09:00:00-04:00".into())
    } else if message.contains("invalid offset") {
        Some(
            "write the offset of the place it is dated in, between -14:00 and +14:00: 2017-04-12T09:00:00-04:00".into(),
        )
    } else {
        None
    };
    let message = match (message.contains("duplicate key"), name.is_empty()) {
        (true, false) => format!("TOML syntax: duplicate key `{name}`"),
        _ => format!("TOML syntax: {message}"),
    };
    (message, help)
}

/// Records the TOML syntax errors `syntax` of `src`, with their fix.
///
/// An episode written as `[episode]` makes the parser report a duplicate
/// `episode` at every episode table after it, however it is written (the
/// right `[[episode]]` ones too), and none at the wrong header itself if it
/// comes first: that mistake is said once at each `[episode]` instead.
///
/// What follows an unclosed list or text is read out of place: the
/// parser's errors after the first (but a key given twice, which stands
/// alone) are not said, only how many there were; the first says where
/// the list or text was opened, where it can tell.
fn record_syntax(cx: &mut Context<'_>, src: &str, syntax: &[toml::de::Error]) {
    let single: Vec<_> = table_headers(src)
        .into_iter()
        .filter_map(|h| h.name.filter(|(name, _)| *name == "episode").map(|(_, span)| span))
        .collect();
    let mut episode_twice = false;
    let (mut first, mut cascade) = (true, false);
    let mut after = 0;
    let headers: Vec<usize> = table_headers(src).iter().map(|h| h.start).collect();
    let mut twice_from: Option<usize> = None;
    let mut syntax: Vec<&toml::de::Error> = syntax.iter().collect();
    syntax.sort_by_key(|e| e.span().map_or(0, |s| s.start));
    for err in syntax {
        let span = err.span().unwrap_or(0..0);
        let (message, mut help) = syntax_problem(err.message().trim(), src, &span);
        if !single.is_empty() && message == "TOML syntax: duplicate key `episode`" && is_header_at(src, span.start) {
            episode_twice = true;
            continue;
        }
        // A table given twice makes each of its keys "given twice" too:
        // said once, at its header.
        let header = is_header_at(src, span.start);
        if message.contains("duplicate key") && !header && twice_from.is_some_and(|from| from <= span.start) {
            let next = headers.iter().find(|&&h| h > twice_from.unwrap_or(0)).copied().unwrap_or(usize::MAX);
            if span.start < next {
                continue;
            }
        }
        if message.contains("duplicate key") && header {
            twice_from = Some(span.start);
        }
        if !message.contains("duplicate key") {
            // After a list or text left open, what follows is read out of
            // place: its errors are not said. Errors apart are each said.
            if cascade {
                after += 1;
                continue;
            }
            if first && let Some(opened) = left_open(src, &span, &message) {
                help = Some(opened);
                cascade = true;
            }
            first = false;
        }
        cx.error(&span, message, help);
    }
    if after > 0 {
        let at = cx.problems.iter().position(|p| !p.message.contains("duplicate key"));
        if let Some(p) = at.and_then(|i| cx.problems.get_mut(i)) {
            let more = format!(
                "{after} more TOML error{} after this one may all come from it: fix it first",
                if after == 1 { "" } else { "s" }
            );
            p.help = Some(match p.help.take() {
                Some(help) => format!("{help} ({more})"),
                None => more,
            });
        }
    }
    for span in single.iter().filter(|_| episode_twice) {
        cx.error(
            span,
            "TOML syntax: [episode] is written in single brackets",
            Some("each episode is its own [[episode]] table, in two brackets: write [[episode]] here".into()),
        );
    }
    cx.problems.sort_by_key(position);
}

/// Where what a TOML error at `span` of `src` comes from was opened, as
/// a help: a list whose `]` is missing (the error is at the start of the
/// line after it), or a text of several lines whose closing `"""` is
/// missing (the next text's opening `"""` closed it, or the file ended).
fn left_open(src: &str, span: &std::ops::Range<usize>, message: &str) -> Option<String> {
    let line_of = |at: usize| src.get(..at).map_or(1, |b| b.matches('\n').count() + 1);
    let line_start = src.get(..span.start)?.rfind('\n').map_or(0, |n| n + 1);
    let before = src.get(..line_start)?;
    // A text of several lines left open: the `"""` before the error, if it
    // opens a text of its own (`notes = """`), closed the one before it.
    let quotes: Vec<usize> = src.get(..span.start)?.match_indices("\"\"\"").map(|(i, _)| i).collect();
    if let [.., opened, closed] = quotes[..] {
        let closing_line = &src[src[..closed].rfind('\n').map_or(0, |n| n + 1)..closed];
        let opens = closing_line.trim_end().ends_with('=');
        if opens && quotes.len().is_multiple_of(2) {
            return Some(format!(
                "is the text opened with \"\"\" on line {} closed? Its closing \"\"\" seems missing: the \"\"\" \
                 on line {} ended it instead, and what follows is read as TOML",
                line_of(opened),
                line_of(closed)
            ));
        }
    }
    if span.start >= src.trim_end().len() && quotes.len() % 2 == 1 {
        let opened = *quotes.last()?;
        return Some(format!(
            "the text opened with \"\"\" on line {} is never closed: end it with \"\"\"",
            line_of(opened)
        ));
    }
    // A list left open: the line before (the last that is not blank) opens
    // more brackets than it closes, and this line starts a key.
    let last = before.trim_end().rsplit('\n').next()?;
    let opens = last.matches('[').count() > last.matches(']').count();
    let key_here = src.get(line_start..span.start)?.trim().is_empty();
    // (What a missing `]` makes of the next line's key; not an unquoted
    // first item of a list written one item a line.)
    let of_a_key = message.contains("missing comma") || message.contains("key with no value");
    (opens && key_here && of_a_key && !last.trim_start().starts_with('[')).then(|| {
        format!(
            "is the list on line {} closed? Its `]` seems missing: end it with ] on that line",
            line_of(line_start.saturating_sub(1).max(before.trim_end().len()))
        )
    })
}

/// Whether `src` holds characters an editor does not show that TOML takes
/// in no string (pasted from a word processor or a terminal), or a
/// carriage return that ends a line alone (an old Mac's files): each is
/// said at its place (a line end once), with the fix.
fn unseen_characters(cx: &mut Context<'_>, src: &str) -> bool {
    let unseen_byte = |b: &u8| (*b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f;
    if !src.as_bytes().iter().any(unseen_byte) && !src.contains('\r') {
        return false;
    }
    if let Some(at) = src.match_indices('\r').map(|(i, _)| i).find(|&i| src.as_bytes().get(i + 1) != Some(&b'\n')) {
        cx.error(
            &(at..at),
            "the file ends its lines with a carriage return alone (as old Mac editors did)",
            Some("save episodes.toml with LF (or CRLF) line ends: your editor's \"Line endings\" setting".into()),
        );
        return true;
    }
    // (TOML takes the C1 controls, U+0080 to U+009F, in text: those are
    // taken out of the text with a warning, as escaped ones are.)
    let unseen = src.char_indices().filter(|(_, c)| (*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || *c == '\u{7f}');
    let mut found = false;
    for (i, c) in unseen.take(20) {
        found = true;
        cx.error(
            &(i..i),
            format!("an invisible control character here (U+{:04X}): TOML allows none in a manifest", c as u32),
            Some("delete it (it was likely pasted with the text: most editors do not show it)".into()),
        );
    }
    found
}

/// Whether the line of `src` holding byte `at` is a table header: it starts
/// with `[`, spaces or not.
fn is_header_at(src: &str, at: usize) -> bool {
    let line_start = src.get(..at).and_then(|b| b.rfind('\n')).map_or(0, |n| n + 1);
    src.get(line_start..).is_some_and(|l| l.trim_start().starts_with('['))
}

/// Parses manifest text. `file` names it in messages; `root` is the show folder.
pub fn parse(src: &str, file: &Path, root: &Path) -> Result<Show, Vec<Problem>> {
    parse_expecting(src, file, root, &HashMap::new())
}

/// [`parse`], with files that are not in the show yet read as there:
/// `to_come` maps a path in the show (as the manifest names it) to the
/// file that will be copied there. `add` reads its new manifest back so
/// before it copies anything (and in a dry run, which copies nothing):
/// every check the build makes of those files is made of them too.
pub fn parse_expecting(
    src: &str,
    file: &Path,
    root: &Path,
    to_come: &HashMap<String, PathBuf>,
) -> Result<Show, Vec<Problem>> {
    parse_with(src, file, root, to_come, None)
}

/// [`parse`], with an episode's media file that does not exist taken as
/// named (its problem returned beside the show, not as a failure): for
/// `podsmith list`, which shows the episode and says the problem after.
/// Measuring the file then fails, as for a broken one.
pub fn parse_despite_missing(src: &str, file: &Path, root: &Path) -> Result<(Show, Vec<Problem>), Vec<Problem>> {
    let mut missing = Vec::new();
    let show = parse_with(src, file, root, &HashMap::new(), Some(&mut missing))?;
    Ok((show, missing))
}

/// [`load`] of [`parse_despite_missing`].
pub fn load_despite_missing(path: &Path) -> Result<(Show, Vec<Problem>), ManifestError> {
    let src = read_text(path)?;
    parse_despite_missing(&src, path, &root_of(path)).map_err(|problems| ManifestError::Invalid { problems })
}

/// [`parse_expecting`]; `missing`: see [`parse_despite_missing`].
fn parse_with(
    src: &str,
    file: &Path,
    root: &Path,
    to_come: &HashMap<String, PathBuf>,
    missing: Option<&mut Vec<Problem>>,
) -> Result<Show, Vec<Problem>> {
    let mut cx = Context::new(src, file);
    if unseen_characters(&mut cx, src) {
        return Err(cx.problems);
    }
    let (doc, syntax) = DeTable::parse_recoverable(src);
    record_syntax(&mut cx, src, &syntax);
    if !cx.problems.is_empty() {
        return Err(cx.problems);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut top = Fields::new(doc.get_ref(), 0..0, "the manifest");
    let mut reading = Reading {
        root,
        canonical_root,
        real_dirs: HashMap::new(),
        publish_to: None,
        looked: HashMap::new(),
        doc: doc.get_ref(),
        named: None,
        to_come,
        missing: missing.is_some().then(Vec::new),
        cx,
    };

    let podcast = match (top.table(&mut reading.cx, "podcast"), top.table(&mut reading.cx, "show")) {
        (Some(p), None) | (None, Some(p)) => reading.podcast(p),
        (Some(_), Some(s)) => {
            reading.cx.error(&s.span, "the manifest has both [podcast] and [show]", Some("keep one of them".into()));
            None
        }
        (None, None) => {
            reading.cx.error(
                &(0..0),
                "the manifest has no [podcast] table",
                Some("start the file with [podcast] and the show's title, description, author, …".into()),
            );
            None
        }
    };
    let publish = match top.table(&mut reading.cx, "publish") {
        Some(t) => publish_settings(t, &mut reading.cx),
        None => PublishSettings::default(),
    };
    reading.publish_to = publish.to.as_deref().and_then(|to| crate::publish::Destination::parse(to).ok());
    let episodes = reading.episodes(&mut top, podcast.as_ref());
    top.finish(&mut reading.cx);
    if let (Some(out), Some(found)) = (missing, reading.missing.take()) {
        *out = found;
    }

    let mut problems = reading.cx.problems;
    if let (true, Some(podcast)) = (problems.is_empty(), podcast) {
        let (root, manifest_path, looked) = (root.to_path_buf(), file.to_path_buf(), reading.looked);
        let mut cleaned = reading.cx.cleaned;
        // In the manifest's order (a table's fields are read in the order they are asked for).
        cleaned.sort_by_key(|d| match d.location {
            crate::diagnostic::Location::File { line, column, .. } => (line, column),
            _ => (0, None),
        });
        return Ok(Show { root, manifest_path, podcast, episodes, publish, looked, cleaned });
    }
    problems.sort_by_key(position);
    problems.dedup();
    Err(problems)
}

/// The `[publish]` table as a glance at the manifest's text tells it,
/// before the whole file is parsed (a big show's takes a while): the text
/// from a `[publish]` table header to the next table's, read as the parse
/// would. The headers are found by TOML's own lexer, so a line that looks
/// like one inside a string (show notes) is not taken for one. `None`
/// where the table cannot be read alone. A guess, to start early what only
/// needs this table (`publish` reads its destination meanwhile); the parsed
/// manifest has the last word, and a guess it does not bear out is thrown
/// away. A manifest without that header gives the defaults.
///
/// ```
/// let text = "[podcast]\ntitle = \"T\"\n\n[publish]\nto = \"s3://shows/p\"\njobs = 8 # more\n\n[[episode]]\n";
/// let settings = podsmith::manifest::publish_glance(text).unwrap();
/// assert_eq!((settings.to.as_deref(), settings.jobs), (Some("s3://shows/p"), Some(8)));
/// assert_eq!(podsmith::manifest::publish_glance("[podcast]\n"), Some(Default::default()));
/// ```
pub fn publish_glance(text: &str) -> Option<PublishSettings> {
    let headers = table_headers(text);
    let Some(at) = headers.iter().position(|h| h.name.as_ref().is_some_and(|(name, _)| *name == "publish")) else {
        return Some(PublishSettings::default());
    };
    let end = headers.get(at + 1).map_or(text.len(), |h| h.start);
    let table = text.get(headers[at].start..end)?;
    let file = Path::new("episodes.toml");
    let mut cx = Context::new(table, file);
    let (doc, syntax) = DeTable::parse_recoverable(table);
    if !syntax.is_empty() {
        return None;
    }
    let mut top = Fields::new(doc.get_ref(), 0..0, "the manifest");
    let settings = publish_settings(top.table(&mut cx, "publish")?, &mut cx);
    cx.problems.is_empty().then_some(settings)
}

/// A table header of the manifest's text, as TOML's own lexer finds it
/// (a line that looks like one inside a string is not one).
struct Header<'t> {
    /// Where it starts (its first `[`).
    start: usize,
    /// Its name and the name's span, if it is a plain one (`[name]`: not
    /// `[[name]]`, not dotted, not quoted).
    name: Option<(&'t str, std::ops::Range<usize>)>,
}

/// The table headers of `text`, in order.
fn table_headers(text: &str) -> Vec<Header<'_>> {
    use toml_parser::lexer::TokenKind as T;
    let source = toml_parser::Source::new(text);
    let mut tokens = source.lex();
    let mut headers = Vec::new();
    let mut line_start = true;
    while let Some(token) = tokens.next() {
        let mut kind = token.kind();
        if line_start && kind == T::LeftSquareBracket {
            let mut rest = tokens.by_ref().filter(|t| t.kind() != T::Whitespace);
            let (key, close) = (rest.next(), rest.next());
            let name = match (key, close) {
                (Some(key), Some(close)) if key.kind() == T::Atom && close.kind() == T::RightSquareBracket => {
                    let span = key.span().start()..key.span().end();
                    text.get(span.clone()).map(|raw| (raw, span))
                }
                _ => None,
            };
            headers.push(Header { start: token.span().start(), name });
            // What ends the line is looked at as usual.
            kind = close.map_or(T::Eof, |t| t.kind());
        }
        line_start = match kind {
            T::Newline => true,
            T::Whitespace => line_start,
            _ => false,
        };
    }
    headers
}

/// A hosted `media` entry (`https://`, `http://` or `s3://BUCKET/KEY`):
/// its URL, and its path in the site if it is in the site's place (an
/// `s3://` object of `publish_to`, served under `base_url`; an `https://`
/// URL under `base_url`), which `publish` keeps. `Err`: what is wrong, and
/// what to do.
pub fn hosted_media(
    raw: &str,
    base_url: &HttpUrl,
    publish_to: Option<&crate::publish::Destination>,
) -> Result<(HttpUrl, Option<String>), (String, String)> {
    if let Some(object) = raw.strip_prefix("s3://") {
        let rel = in_destination(object, publish_to)
            .map_err(|help| (format!("\"{raw}\" is not in the publish destination"), help))?;
        let url = HttpUrl::parse(&base_url.join(&rel)).map_err(|p| (format!("\"{raw}\": {p}"), String::new()))?;
        return Ok((url, Some(rel)));
    }
    match HttpUrl::parse(raw) {
        Ok(url) => {
            let in_site = url
                .as_str()
                .strip_prefix(base_url.as_str())
                .and_then(crate::text::decode_path)
                .filter(|rel| crate::site::record::is_plain_relative(rel) && base_url.join(rel) == url.as_str());
            Ok((url, in_site))
        }
        Err(problem) => Err((
            format!("\"{raw}\" {problem}"),
            "give a file in the show folder, the full https:// address of a hosted file, or s3://BUCKET/KEY of an \
             object of the publish destination"
                .into(),
        )),
    }
}

/// The path in the site of `object` (`BUCKET/KEY` of an `s3://` URL),
/// or why it is not an object of the publish destination.
fn in_destination(object: &str, publish_to: Option<&crate::publish::Destination>) -> Result<String, String> {
    let (bucket, key) = object.split_once('/').unwrap_or((object, ""));
    let Some(crate::publish::Destination::S3 { bucket: to_bucket, prefix }) = publish_to else {
        return Err(
            "s3:// media are objects of the bucket `publish` uploads to: set `to = \"s3://BUCKET/PREFIX\"` in \
             [publish], or give the file's https:// address"
                .into(),
        );
    };
    let rel = match prefix.is_empty() {
        true => Some(key),
        false => key.strip_prefix(prefix.as_str()).and_then(|k| k.strip_prefix('/')),
    };
    match rel {
        Some(rel) if bucket == to_bucket && crate::site::record::is_plain_relative(rel) => Ok(rel.to_string()),
        _ => Err(format!(
            "objects listed as s3:// media are served under base_url, so they are in the destination \
             s3://{to_bucket}{}{prefix}/: give the file's https:// address otherwise",
            if prefix.is_empty() { "" } else { "/" }
        )),
    }
}

impl Podcast {
    /// The URL of `path` (relative to `public/`) on the published site.
    pub fn url_of(&self, rel: &str) -> String {
        self.base_url.join(rel)
    }
}

impl Category {
    /// `"Parent"` or `"Parent > Sub"`.
    pub fn label(&self) -> String {
        match self.sub {
            Some(s) => format!("{} > {s}", self.name),
            None => self.name.to_string(),
        }
    }
}

impl Episode {
    /// The paths (relative to the show folder) of the episode's own files
    /// the manifest names: its media, art, chapters file, chapter pictures
    /// and transcripts.
    pub fn own_files(&self) -> Vec<&str> {
        let mut own: Vec<&str> = self.media.iter().filter_map(|m| m.local()).map(|f| f.rel.as_str()).collect();
        own.extend(self.image.as_ref().and_then(local_rel));
        if let Some(c) = &self.chapters {
            if let crate::chapters::Origin::File(rel) = &c.origin {
                own.push(rel);
            }
            own.extend(c.list.iter().filter_map(|c| c.image.as_ref().and_then(local_rel)));
        }
        own.extend(self.transcripts.iter().map(|t| t.rel.as_str()));
        own
    }

    /// The episode's `itunes:explicit`, falling back to the show's.
    pub fn is_explicit(&self, show: &Podcast) -> bool {
        self.explicit.unwrap_or(show.explicit)
    }
}

#[cfg(test)]
mod tests;
