//! `podsmith.lock`: what has been published, so that published identities
//! never change by accident.
//!
//! Apps key episodes on their `guid` and, often, on the enclosure URL. A
//! changed guid makes every app show the episode again as new; a changed
//! URL re-downloads it; a moved page breaks every link listeners shared
//! and the feed's `<link>`. Podcast Index and the apps that use it know a
//! show by its `podcast:guid`, which stays when the show moves: by default
//! it is made from the feed's URL, so moving the show (a new `base_url`)
//! would change it unless the manifest keeps it. After each build the lock
//! records the show's `podcast:guid` and title and, per live episode, its
//! guid, title (and `itunes_title`), page URL, media URLs and a fingerprint
//! of its notes, and its date, season, number, type and explicit mark; the
//! next build compares with it and refuses to change the show's guid or
//! change or drop a published guid, page or media URL unless told to
//! (`--allow-changes`). An episode taken out of the feed stays in it as
//! retired ([`Retired`]): a new episode given its guid, page or a media
//! URL of it is refused as well; the episode itself put back is not.
//!
//! The lock travels with the show (it is committed), so it is read as
//! untrusted input: bounded, strictly typed, and only ever compared with.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;

/// The lock file's name, in the show folder.
pub const FILE_NAME: &str = "podsmith.lock";

/// What has been published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The show (locks written before podsmith recorded it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show: Option<PublishedShow>,
    /// The episodes, newest first (as in the feed).
    #[serde(default, rename = "episode")]
    pub episodes: Vec<Published>,
    /// What episodes published and no longer use, first retired first: the
    /// episodes taken out of the feed, and what others left behind when
    /// changed on purpose (a media URL, a page). No new episode is given
    /// any of it (apps that had one would take the new episode for it).
    #[serde(default, rename = "retired", skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<Retired>,
}

/// The published show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedShow {
    /// The `podcast:guid` of its feed (`feed.xml`).
    pub guid: String,
    /// Its title when last built.
    pub title: String,
    /// A fingerprint of its description when last built (locks written
    /// before podsmith recorded it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its Apple categories when last built (`"Parent > Sub"`), main first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The cover's URL when last built (locks written before podsmith
    /// recorded it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Enough of the cover's content to notice that it changed (none for a
    /// hosted cover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_fingerprint: Option<String>,
    /// The `podcast:guid` of each per-format feed (`feed.ogg.xml`), by the
    /// format's extension (locks written before podsmith recorded them
    /// have none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub feeds: std::collections::BTreeMap<String, String>,
    /// Whether the lock records each episode's `itunes_title` (locks
    /// written before podsmith did have none, and hold none: an episode's
    /// title for Apple is then recorded, not told as new).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub itunes_titles: bool,
    /// What the feeds say of the whole show that apps and directories act
    /// on, by its key in `[podcast]` ([`SETTINGS`]), as the feeds say it:
    /// a change of one is told (locks written before podsmith recorded
    /// them have none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// The show's settings a lock records ([`PublishedShow::settings`]), by
/// their keys in `[podcast]`.
pub const SETTINGS: &[&str] = &[
    "author",
    "block",
    "complete",
    "explicit",
    "language",
    "locked",
    "new_feed_url",
    "new_feed_urls",
    "owner_email",
    "type",
];

/// What `p` says of each of [`SETTINGS`] (`""` for a `new_feed_url` it has
/// not; `new_feed_urls` as `ogg = URL, opus = URL`).
fn settings_of(p: &crate::manifest::Podcast) -> std::collections::BTreeMap<String, String> {
    let yes = |b: bool| if b { "true" } else { "false" }.to_string();
    let value = |key: &str| match key {
        "author" => p.author.clone(),
        "block" => yes(p.block),
        "complete" => yes(p.complete),
        "explicit" => yes(p.explicit),
        "language" => p.language.clone(),
        "locked" => yes(p.locked),
        "new_feed_url" => p.new_feed_url.as_ref().map_or(String::new(), |u| u.as_str().to_string()),
        "new_feed_urls" => {
            p.new_feed_urls.iter().map(|(ext, u)| format!("{ext} = {}", u.as_str())).collect::<Vec<_>>().join(", ")
        }
        "owner_email" => p.owner.email.clone(),
        _ => p.show_type.as_str().to_string(),
    };
    SETTINGS.iter().map(|k| (k.to_string(), value(k))).collect()
}

impl PublishedShow {
    /// What is wrong with a show's table podsmith could not have written
    /// (its values are what a build makes: UUIDs, an http(s) URL, hex), if
    /// anything: said as the lock's error, so a damaged or crafted lock
    /// never puts its text into the lines podsmith suggests.
    fn problem(&self) -> Option<String> {
        if !crate::text::is_uuid(&self.guid) {
            return Some(format!("the show's guid \"{}\" is not a UUID", self.guid.escape_debug()));
        }
        let known = |f: &str| crate::probe::AudioFormat::ALL.iter().any(|a| a.extension() == f);
        if let Some((format, guid)) = self.feeds.iter().find(|(f, g)| !known(f) || !crate::text::is_uuid(g)) {
            return Some(format!(
                "the show's feed \"{}\" has the guid \"{}\": not a format's, or not a UUID",
                format.escape_debug(),
                guid.escape_debug()
            ));
        }
        if let Some(cover) = self.cover.as_ref().filter(|c| !is_http_url(c)) {
            return Some(format!("the show's cover \"{}\" is not an http(s) URL", cover.escape_debug()));
        }
        let hex = |f: &&String| f.len() == 16 && f.bytes().all(|b| b.is_ascii_hexdigit());
        for (what, f) in [("cover", &self.cover_fingerprint), ("description", &self.description)] {
            if let Some(f) = f.as_ref().filter(|f| !hex(f)) {
                return Some(format!("the show's {what} fingerprint \"{}\" is not 16 hex digits", f.escape_debug()));
            }
        }
        if let Some(c) = self.categories.iter().find(|c| c.is_empty() || c.chars().any(char::is_control)) {
            return Some(format!("the show's category \"{}\" is not one a build writes", c.escape_debug()));
        }
        if let Some(key) = self.settings.keys().find(|k| !SETTINGS.contains(&k.as_str())) {
            return Some(format!("the show's setting \"{}\" is not one a build records", key.escape_debug()));
        }
        None
    }
}

/// What is wrong with `page` and `urls` as the page and media URLs of
/// episode `title` (`what` after its name), if they are not what a build
/// writes: http(s) URLs.
fn page_problem(title: &str, what: &str, page: Option<&str>, urls: &[String]) -> Option<String> {
    let (which, url) = match page.filter(|p| !is_http_url(p)) {
        Some(page) => ("page", page),
        None => ("media URL", urls.iter().find(|u| !is_http_url(u))?.as_str()),
    };
    Some(format!(
        "{}{what}: its {which} {} is not an http(s) URL",
        crate::text::episode_place(&crate::text::truncate_chars(title, 80)),
        crate::text::quoted(&crate::text::truncate_chars(url, 200))
    ))
}

/// Whether `url` is one a build writes into the lock: http(s), on one line.
fn is_http_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.chars().any(char::is_control)
}

/// One published episode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Published {
    /// Its guid.
    pub guid: String,
    /// Its title when last built.
    pub title: String,
    /// The title Apple shows (`itunes_title`), if it has one of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub itunes_title: Option<String>,
    /// Its page slug.
    pub slug: String,
    /// Its page's URL (locks written before podsmith recorded it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Every media URL (enclosure first, then the other formats).
    pub urls: Vec<String>,
    /// The length in bytes of the file behind each URL (locks written
    /// before podsmith recorded them, and imported episodes, have none):
    /// a file replaced under its URL is told by it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lengths: Vec<u64>,
    /// A fingerprint of the notes, to tell when they changed.
    pub notes: String,
    /// Its date, as the manifest gives it (RFC 3339). Locks written before
    /// podsmith recorded it have none, nor the season, number, type and
    /// explicit mark below: those are then recorded, not told as changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its season (`itunes:season`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<u32>,
    /// Its number in its season (`itunes:episode`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// `"trailer"` or `"bonus"`; none for a full episode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode_type: Option<String>,
    /// Its own explicit mark, if it gives one (else the show's holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bool>,
}

impl Published {
    /// Episode `e` as a build publishes it: its `media` (the enclosure,
    /// `primary`, first) and page at `page_url`.
    fn of(e: &crate::manifest::Episode, media: &[crate::catalog::Media], primary: usize, page_url: &str) -> Published {
        let primary = media.get(primary).or(media.first());
        let others = media.iter().filter(|m| Some(m.url.as_str()) != primary.map(|p| p.url.as_str()));
        let urls = primary.into_iter().chain(others.clone()).map(|m| m.url.clone()).collect();
        let lengths = primary.into_iter().chain(others).map(|m| m.info.bytes).collect();
        Published {
            guid: e.guid.clone(),
            title: e.title.clone(),
            itunes_title: e.itunes_title.clone(),
            slug: e.slug.clone(),
            page: Some(page_url.to_string()),
            urls,
            lengths,
            notes: fingerprint(&e.notes),
            ..Published::default()
        }
        .details(e)
    }

    /// What is wrong with an episode's table podsmith could not have
    /// written, if anything (see [`PublishedShow::problem`]): a page that
    /// is not an http(s) URL (a build writes the page's URL under the
    /// show's `base_url`), which would otherwise be told as a page moved.
    fn problem(&self) -> Option<String> {
        page_problem(&self.title, "", self.page.as_deref(), &self.urls)
    }

    /// `e`'s details subscribers see beside its title: date, season,
    /// number, type, explicit mark (the fields after `notes`).
    fn details(mut self, e: &crate::manifest::Episode) -> Published {
        use crate::manifest::EpisodeType;
        self.date = Some(e.date.to_rfc3339());
        self.season = e.season;
        self.number = e.number;
        self.episode_type = match e.episode_type {
            EpisodeType::Full => None,
            EpisodeType::Trailer => Some("trailer".into()),
            EpisodeType::Bonus => Some("bonus".into()),
        };
        self.explicit = e.explicit;
        self
    }
}

/// What an episode published and no longer uses: one taken out of the
/// feed (its guid, page and media URLs), or what one left behind (a media
/// URL, a page) when it was changed on purpose (`--allow-changes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retired {
    /// Its guid (still the episode's, if it is published: then what it
    /// left behind is the page and URLs below).
    pub guid: String,
    /// Its title when it was taken out.
    pub title: String,
    /// Its page slug; none once the page is published again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub slug: String,
    /// Its page's URL (locks written before podsmith recorded it have
    /// none, as has one whose page is published again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Its media URLs no episode publishes now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
}

impl Retired {
    /// What of published episode `p` is kept once it is taken out.
    fn of(p: &Published) -> Retired {
        Retired {
            guid: p.guid.clone(),
            title: p.title.clone(),
            slug: p.slug.clone(),
            page: p.page.clone(),
            urls: p.urls.clone(),
        }
    }

    /// What is wrong with a table podsmith could not have written (see
    /// [`Published::problem`]).
    fn problem(&self) -> Option<String> {
        page_problem(&self.title, " (taken out)", self.page.as_deref(), &self.urls)
    }

    /// Whether `n` is at this episode's page: the same URL, or the same
    /// slug (the show moved to another address since).
    fn same_page(&self, n: &Published) -> bool {
        (self.page.is_some() && self.page == n.page) || (!self.slug.is_empty() && self.slug == n.slug)
    }
}

/// A lock that cannot be read: `podsmith.lock:20:20: what is wrong`.
#[derive(Debug)]
pub struct LockError {
    /// The file.
    pub path: PathBuf,
    /// Where in it: the line, and the column where known (a TOML error's
    /// place, or a table's); `None`: the file as a whole.
    pub at: Option<(usize, Option<usize>)>,
    /// What is wrong (the TOML reader's message alone, without the line
    /// it quotes).
    pub reason: String,
    /// What kind of wrong, which decides what to do of it.
    pub fault: Fault,
}

/// What kind of wrong a lock that cannot be read has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Damaged, cut short, or not a lock at all.
    #[default]
    Damaged,
    /// A key this podsmith does not know: a newer one's, most likely.
    UnknownField,
    /// A merge conflict's marker lines in it.
    Conflict,
}

impl LockError {
    /// An error of the lock at `path` as a whole.
    pub fn new(path: &Path, reason: impl Into<String>) -> LockError {
        LockError { path: path.to_path_buf(), at: None, reason: reason.into(), fault: Fault::Damaged }
    }

    /// Where the error is: the file as the podcaster knows it
    /// (`podsmith.lock`, not `./podsmith.lock`), and its line and column.
    pub fn location(&self) -> crate::diagnostic::Location {
        use crate::diagnostic::Location;
        let file = self.path.strip_prefix(".").unwrap_or(&self.path).to_path_buf();
        match self.at {
            Some((line, column)) => Location::file(file, line, column),
            None => Location::Path(file),
        }
    }

    /// What to tell the podcaster.
    pub fn diagnostic(&self) -> crate::diagnostic::Diagnostic {
        let help = match self.fault {
            Fault::UnknownField => {
                "a newer podsmith may have written it (with a field this one does not know): use that podsmith, or \
                 restore the lock from version control (git checkout podsmith.lock); deleting it would turn off the \
                 checks of what subscribers already have"
            }
            Fault::Conflict => {
                "each side's tables are podsmith's own record: keep every episode table of both sides once, or take \
                 one side (git checkout --theirs podsmith.lock) and build: the build says what differs"
            }
            Fault::Damaged => {
                "the lock is damaged: it records what subscribers already have (each published guid, page and media \
                 URL), which builds then keep; restore it from version control (git checkout podsmith.lock), or delete \
                 it to start the record afresh (nothing published is then checked)"
            }
        };
        crate::diagnostic::Diagnostic::error("LOCK", self.reason.clone()).at(self.location()).help(help)
    }
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.reason)
    }
}

impl std::error::Error for LockError {}

impl Lock {
    /// The lock at `path`; `None` if there is none yet.
    pub fn read(path: &Path) -> Result<Option<Lock>, LockError> {
        match Lock::read_text(path)? {
            Some(text) => Lock::parse(path, &text).map(Some),
            None => Ok(None),
        }
    }

    /// The text of the lock at `path`; `None` if there is none yet.
    pub fn read_text(path: &Path) -> Result<Option<String>, LockError> {
        match crate::fsutil::read_string(path, crate::fsutil::LOCK) {
            Ok(t) => Ok(Some(t)),
            // A link to nothing (kept on a share not there now) is not a
            // show never built: every check would be off.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_symlink() => {
                let to = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
                Err(LockError::new(path, format!("it is a link to {to}, which does not exist")))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LockError::new(path, e.to_string())),
        }
    }

    /// The lock written as `text` (read from `path`): table by table, the
    /// show's then each episode's, holding one table's reading at a time;
    /// where a table does not read on its own and the lock is small (up to
    /// 1 MiB), whole (the TOML reader's own error then).
    pub fn parse(path: &Path, text: &str) -> Result<Lock, LockError> {
        not_packed(path, text)?;
        if let Some(line) = conflicted(text) {
            return Err(LockError {
                path: path.to_path_buf(),
                at: Some((line, Some(1))),
                reason: "it holds a merge conflict (<<<<<<<, =======, >>>>>>>): keep the episodes of both sides, \
                         each table once, and remove the marker lines"
                    .into(),
                fault: Fault::Conflict,
            });
        }
        let error = |Damage { at, reason, fault }: Damage| LockError {
            path: path.to_path_buf(),
            at,
            fault,
            // (A crafted lock's key may be megabytes.)
            reason: crate::text::truncate_chars(&reason, 2000),
        };
        let lock = match by_tables(text) {
            Ok(lock) => lock,
            Err(_) if text.len() <= READ_WHOLE => toml::from_str(text).map_err(|e| error(Damage::of(text, 0, &e)))?,
            Err(damage) => return Err(error(damage)),
        };
        // Every lock podsmith writes starts with its comment; one without it
        // that records nothing (an empty file, blank lines) is not a show
        // never built, whose every check would be off.
        let first_line = HEADER.lines().next().unwrap_or(HEADER);
        if lock.show.is_none()
            && lock.episodes.is_empty()
            && lock.retired.is_empty()
            && !text.trim_start_matches('\u{feff}').starts_with(first_line)
        {
            return Err(LockError::new(path, "it is empty (podsmith never writes it so)"));
        }
        if let Some(reason) = lock.show.as_ref().and_then(PublishedShow::problem) {
            return Err(LockError::new(path, reason));
        }
        // (Said at the line that opens the table.)
        let at = |open: &str, n: usize| {
            let (_, tables) = blocks(text);
            let table = tables.into_iter().filter(|t| t.starts_with(open)).nth(n)?;
            let offset = table.as_ptr() as usize - text.as_ptr() as usize;
            Some((1 + text[..offset].matches('\n').count(), Some(1)))
        };
        let episode = lock.episodes.iter().enumerate().find_map(|(n, e)| Some((e.problem()?, at(OPEN, n))));
        let retired = || lock.retired.iter().enumerate().find_map(|(n, r)| Some((r.problem()?, at(RETIRED, n))));
        match episode.or_else(retired) {
            Some((reason, at)) => Err(LockError { path: path.to_path_buf(), at, reason, fault: Fault::Damaged }),
            None => Ok(lock),
        }
    }

    /// What the episodes `catalog` schedules take of what episodes were
    /// published with and no longer use (this lock's retired ones): said
    /// now ([`Change::Reused`] with `until`), as the build at their time
    /// refuses it.
    pub fn scheduled_reuses(&self, catalog: &Catalog) -> Vec<Change> {
        if self.retired.is_empty() {
            return Vec::new();
        }
        let live: BTreeSet<&str> = self.episodes.iter().map(|e| e.guid.as_str()).collect();
        let retiring = Retiring { retired: &self.retired, live: &live };
        let mut out = Vec::new();
        for s in &catalog.scheduled {
            let e = &s.episode;
            let primary = s.media.iter().position(|m| m.info.format.apple_accepts()).unwrap_or(0);
            let page = catalog.podcast.url_of(&crate::manifest::page_path_of(&e.slug));
            let mut told = Vec::new();
            retiring.tell_new(&Published::of(e, &s.media, primary, &page), &mut told);
            let date = s.date().to_rfc3339();
            out.extend(told.into_iter().filter_map(|mut c| match &mut c {
                Change::Reused { until, .. } => {
                    *until = Some(date.clone());
                    Some(c)
                }
                _ => None,
            }));
        }
        out
    }

    /// What a catalog publishes.
    pub fn of(catalog: &Catalog) -> Lock {
        let episodes =
            catalog.episodes.iter().map(|e| Published::of(&e.episode, &e.media, e.primary, &e.page_url)).collect();
        let p = &catalog.podcast;
        let feeds = crate::feed::plan(catalog)
            .into_iter()
            .filter_map(|f| f.format)
            .map(|f| (f.extension().to_string(), crate::feed::feed_guid(p, Some(f))))
            .collect();
        let cover = Some(crate::feed::asset_url(catalog, &p.image));
        // (What podsmith recognises its own files by: a cover over 256 KiB
        // is told by its length and its first and last 64 KiB.)
        let cover_fingerprint = match &p.image {
            crate::manifest::Asset::Local(f) => {
                crate::fsutil::Fingerprint::of_file(&f.path).ok().map(|f| f.to_string()[..16].to_string())
            }
            crate::manifest::Asset::Remote(_) => None,
        };
        let show = PublishedShow {
            guid: crate::feed::feed_guid(p, None),
            title: p.title.clone(),
            description: Some(fingerprint(&p.description)),
            categories: p.categories.iter().map(crate::manifest::Category::label).collect(),
            cover,
            cover_fingerprint,
            feeds,
            itunes_titles: true,
            settings: settings_of(p),
        };
        Lock { show: Some(show), episodes, retired: Vec::new() }
    }

    /// What a show just imported from a feed has published: each episode's
    /// guid, title, slug and media URLs as the feed gave them (`was` gives
    /// the URL a downloaded file had); its page is recorded by the first
    /// build, at the new address.
    pub fn imported(show: &crate::manifest::Show, was: &dyn Fn(&str) -> Option<String>) -> Lock {
        let mut dated: Vec<(chrono::DateTime<chrono::FixedOffset>, Published)> = show
            .episodes
            .iter()
            .map(|e| {
                let published = Published {
                    guid: e.guid.clone(),
                    title: e.title.clone(),
                    itunes_title: e.itunes_title.clone(),
                    slug: e.slug.clone(),
                    page: None,
                    urls: e.media.iter().map(|m| was(m.key()).unwrap_or_else(|| m.key().to_string())).collect(),
                    // What the host published is not known to the byte.
                    lengths: Vec::new(),
                    notes: fingerprint(&e.notes),
                    ..Published::default()
                }
                .details(e);
                (e.date, published)
            })
            .collect();
        // Newest first, as a build writes it (ties in manifest order).
        dated.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
        // The show's guid if the feed had one (kept in the manifest);
        // otherwise the first build records the one it makes.
        let p = &show.podcast;
        let show = p.guid.clone().map(|guid| PublishedShow {
            guid,
            title: p.title.clone(),
            description: None,
            categories: Vec::new(),
            cover: None,
            cover_fingerprint: None,
            feeds: Default::default(),
            itunes_titles: true,
            // (What the old host's feed said is not known: the first
            // build records what this one says.)
            settings: Default::default(),
        });
        Lock { show, episodes: dated.into_iter().map(|(_, p)| p).collect(), retired: Vec::new() }
    }

    /// The file's text: a comment, the show's table, then each episode's
    /// table (see `blocks`), as `toml` writes them.
    pub fn render(&self) -> String {
        let mut text = String::from(HEADER);
        if let Some(show) = &self.show {
            text.push_str(&toml::to_string(&ShowOnly { show }).unwrap_or_default());
            if !self.episodes.is_empty() {
                text.push('\n');
            }
        }
        for (n, e) in self.episodes.iter().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            text.push_str(&toml::to_string(&One { episode: [e] }).unwrap_or_default());
        }
        for (n, r) in self.retired.iter().enumerate() {
            if n == 0 {
                if self.show.is_some() || !self.episodes.is_empty() {
                    text.push('\n');
                }
                text.push_str(RETIRED_NOTE);
            } else {
                text.push('\n');
            }
            text.push_str(&toml::to_string(&Gone { retired: [r] }).unwrap_or_default());
        }
        text
    }

    /// This lock (what a build publishes, as [`Lock::of`] makes it) as it
    /// follows the lock whose text is `old_text` (read from `path`): with
    /// the old lock's retired episodes and those it published that this
    /// one does not (see [`Lock::retire`]); its text; and what changed.
    /// The tables of the old text that are word for word tables of the new
    /// one are those episodes as they are now; only the others are parsed
    /// (each on its own, and the whole text if one does not stand alone),
    /// with the show's table and the retired episodes' (a few): a big
    /// show's lock with one episode changed is not parsed again.
    pub fn after(mut self, path: &Path, old_text: &str) -> Result<(Lock, String, Vec<Change>), LockError> {
        not_packed(path, old_text)?;
        let Some(retired) = retired_of(old_text) else { return self.after_whole(path, old_text) };
        let old_retired = Lock { retired, ..Lock::default() };
        self.retire(&old_retired);
        let text = self.render();
        if text == old_text {
            return Ok((self, text, Vec::new()));
        }
        match self.as_known(&text, old_text) {
            // The episodes whose tables are word for word the same change
            // nothing: the others are compared (guids are unique on each
            // side, as `as_known` made sure).
            Some((old_show, others, same)) => {
                let rest = self.episodes.iter().zip(&same).filter(|(_, same)| !**same);
                let new = Lock {
                    show: self.show.clone(),
                    episodes: rest.map(|(e, _)| e.clone()).collect(),
                    ..Lock::default()
                };
                let old = Lock { show: old_show, episodes: others, retired: old_retired.retired };
                let changes = compare(&old, &new);
                let before = self.retired.clone();
                self.retire(&old);
                let text = match self.retired == before {
                    true => text,
                    false => self.render(),
                };
                Ok((self, text, changes))
            }
            None => self.after_whole(path, old_text),
        }
    }

    /// [`Lock::after`], the old lock parsed whole.
    fn after_whole(mut self, path: &Path, old_text: &str) -> Result<(Lock, String, Vec<Change>), LockError> {
        let old = Lock::parse(path, old_text)?;
        let changes = compare(&old, &self);
        self.retire(&old);
        let text = self.render();
        Ok((self, text, changes))
    }

    /// Keeps what `old` (a lock before this one) says was published and
    /// this lock does not publish: its retired episodes, then its episodes
    /// this lock does not have (by guid), as retired; but not those this
    /// lock publishes again (by guid).
    pub fn retire(&mut self, old: &Lock) {
        use std::collections::HashSet;
        let guids: HashSet<&str> = self.episodes.iter().map(|e| e.guid.as_str()).collect();
        let urls: HashSet<&str> = self.episodes.iter().flat_map(|e| &e.urls).map(String::as_str).collect();
        let pages: HashSet<&str> = self.episodes.iter().filter_map(|e| e.page.as_deref()).collect();
        let slugs: HashSet<&str> = self.episodes.iter().map(|e| e.slug.as_str()).collect();
        let mut seen = HashSet::new();
        let mut retired = Vec::new();
        // What each published, less what is published now.
        for mut r in old.retired.iter().cloned().chain(old.episodes.iter().map(Retired::of)) {
            r.urls.retain(|u| !urls.contains(u.as_str()));
            if r.page.as_deref().is_some_and(|p| pages.contains(p)) || slugs.contains(r.slug.as_str()) {
                r.page = None;
                r.slug.clear();
            }
            let left = !guids.contains(r.guid.as_str()) || r.page.is_some() || !r.slug.is_empty() || !r.urls.is_empty();
            if left && seen.insert(r.clone()) {
                retired.push(r);
            }
        }
        self.retired = retired;
    }

    /// The show of the lock `old_text`, its episodes that are not word
    /// for word tables of `text` (this lock's), and which of this lock's
    /// episodes are; `None` if its head (the comment and the show's table)
    /// or a table of it does not parse on its own, its comment is not the
    /// one podsmith writes, or a guid is in it twice.
    fn as_known<'a>(&self, text: &'a str, old_text: &'a str) -> Option<Known> {
        let episodes = |(head, tables): (&'a str, Vec<&'a str>)| {
            (head, tables.into_iter().filter(|t| !t.starts_with(RETIRED)).collect::<Vec<_>>())
        };
        let (head, tables) = episodes(blocks(text));
        let (old_head, old_tables) = episodes(blocks(old_text));
        if !head.starts_with(HEADER) || !old_head.starts_with(HEADER) || tables.len() != self.episodes.len() {
            return None;
        }
        let old_show = match old_head == head {
            true => self.show.clone(),
            // (Retired episodes in the head are not where podsmith writes
            // them, nor among the tables read on their own: read whole.)
            false => toml::from_str::<Head>(old_head).ok().filter(|h| h.episode.is_none() && h.retired.is_none())?.show,
        };
        // A show's table podsmith could not have written: the whole parse says why.
        if old_show.as_ref().is_some_and(|s| s.problem().is_some()) {
            return None;
        }
        let mut others = Vec::new();
        let mut same = vec![false; tables.len()];
        // Where the next old table is likely to be among the new: the
        // tables keep their order, give or take an added or removed episode.
        let mut next = 0;
        for table in old_tables {
            match (next..tables.len().min(next + 4)).find(|&k| tables[k] == table) {
                Some(k) => {
                    same[k] = true;
                    next = k + 1;
                }
                None => {
                    let mut one: Lock = toml::from_str(table).ok()?;
                    // (A table that also holds the show's would be read
                    // otherwise as part of the whole.)
                    let e = one.episodes.pop();
                    match (e, one.episodes.is_empty() && one.show.is_none() && one.retired.is_empty()) {
                        // (One podsmith could not have written: the whole parse says why.)
                        (Some(e), true) if e.problem().is_none() => others.push(e),
                        _ => return None,
                    }
                }
            }
        }
        // An episode told apart from the others by its guid alone.
        if !others.is_empty() {
            let kept: std::collections::HashSet<&str> =
                self.episodes.iter().zip(&same).filter(|(_, s)| **s).map(|(e, _)| e.guid.as_str()).collect();
            let mut theirs = std::collections::HashSet::new();
            if others.iter().any(|o| kept.contains(o.guid.as_str()) || !theirs.insert(o.guid.as_str())) {
                return None;
            }
        }
        Some((old_show, others, same))
    }
}

/// The retired episodes of the lock `text`, read table by table; `None`
/// if a table of them does not read on its own, or is not one podsmith
/// writes.
fn retired_of(text: &str) -> Option<Vec<Retired>> {
    let mut retired = Vec::new();
    for table in blocks(text).1.into_iter().filter(|t| t.starts_with(RETIRED)) {
        if table.len() > PART_MAX {
            return None;
        }
        let mut one: Lock = toml::from_str(table).ok()?;
        match (one.retired.pop(), one.retired.is_empty() && one.episodes.is_empty() && one.show.is_none()) {
            (Some(r), true) if r.problem().is_none() => retired.push(r),
            _ => return None,
        }
    }
    Some(retired)
}

/// Refuses a lock's `text` packed with values: a lock podsmith writes
/// holds one every 20 bytes or more; a crafted one packed with them would
/// take gigabytes to parse, as the TOML reader keeps every value with its
/// place.
fn not_packed(path: &Path, text: &str) -> Result<(), LockError> {
    let values = text.bytes().filter(|b| matches!(b, b',' | b'=' | b'[')).count();
    if values > text.len() / 12 + 64 {
        return Err(LockError::new(
            path,
            format!("it holds {values} values in {} bytes: not a lock podsmith writes", text.len()),
        ));
    }
    Ok(())
}

/// A lock up to this size whose tables do not each read on their own is
/// read whole; a bigger one is refused at the first that does not (read
/// whole, a crafted one of 16 MB took 430 MB of memory to refuse).
const READ_WHOLE: usize = 1 << 20;

/// The most a part of a lock read table by table may hold: the show's
/// tables, or one episode's (a few hundred bytes as podsmith writes them).
const PART_MAX: usize = 256 << 10;

/// A lock's head: the show's tables, and whether it gives episodes too
/// (not as podsmith writes them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    #[serde(default)]
    show: Option<PublishedShow>,
    episode: Option<serde::de::IgnoredAny>,
    retired: Option<serde::de::IgnoredAny>,
}

/// Where and why a lock, or a part of it, does not read.
#[derive(Debug)]
struct Damage {
    /// The line, and the column where known (see [`LockError::at`]).
    at: Option<(usize, Option<usize>)>,
    reason: String,
    fault: Fault,
}

impl Damage {
    /// The TOML reader's error `e` of the part of `text` from `offset` on:
    /// its message, at its place in `text`.
    fn of(text: &str, offset: usize, e: &toml::de::Error) -> Damage {
        let place = (offset + e.span().map_or(0, |s| s.start)).min(text.len());
        let column = text[..place].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let reason = e.message().trim().to_string();
        // (serde's words for a key the type has not: the one place they tell it.)
        let fault = if reason.starts_with("unknown field") { Fault::UnknownField } else { Fault::Damaged };
        Damage { at: Some((line_at(text, place), Some(column))), reason, fault }
    }

    /// A damage of the line of `offset` in `text`.
    fn at_line(text: &str, offset: usize, reason: impl Into<String>) -> Damage {
        Damage { at: Some((line_at(text, offset), None)), reason: reason.into(), fault: Fault::Damaged }
    }
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The lock `text` read as podsmith writes it, table by table: its head
/// (the comment and the show's tables), then each episode's table on its
/// own. It gives what reading it whole gives, holding one table's reading
/// at a time beside what is read. `Err`: where and why a part does not
/// read on its own (a lock written otherwise may read whole still).
fn by_tables(text: &str) -> Result<Lock, Damage> {
    let too_big = |offset: usize, part: &str| {
        Err(Damage::at_line(text, offset, format!("a table of {} bytes, not one podsmith writes", part.len())))
    };
    let (head_text, tables) = blocks(text);
    if head_text.len() > PART_MAX {
        return too_big(0, head_text);
    }
    let head: Head = toml::from_str(head_text).map_err(|e| Damage::of(text, 0, &e))?;
    if head.episode.is_some() || head.retired.is_some() {
        return Err(Damage {
            at: None,
            reason: "episodes given otherwise than as [[episode]] and [[retired]] tables".into(),
            fault: Fault::Damaged,
        });
    }
    let mut lock = Lock { show: head.show, episodes: Vec::with_capacity(tables.len()), retired: Vec::new() };
    let mut offset = head_text.len();
    for table in tables {
        if table.len() > PART_MAX {
            return too_big(offset, table);
        }
        let one: Lock = toml::from_str(table).map_err(|e| Damage::of(text, offset, &e))?;
        if one.show.is_some() {
            return Err(Damage::at_line(
                text,
                offset,
                "the show's table after episodes' tables, not where podsmith writes it",
            ));
        }
        lock.episodes.extend(one.episodes);
        lock.retired.extend(one.retired);
        offset += table.len();
    }
    Ok(lock)
}

/// What [`Lock::as_known`] tells of an old lock: its show, its episodes
/// not word for word in the new one, and which of the new one's are.
type Known = (Option<PublishedShow>, Vec<Published>, Vec<bool>);

/// The show's table, as in a [`Lock`].
#[derive(Serialize)]
struct ShowOnly<'a> {
    show: &'a PublishedShow,
}

/// One episode's table, as in a [`Lock`].
#[derive(Serialize)]
struct One<'a> {
    episode: [&'a Published; 1],
}

/// One retired episode's table, as in a [`Lock`].
#[derive(Serialize)]
struct Gone<'a> {
    retired: [&'a Retired; 1],
}

/// The comment before the retired episodes' tables.
const RETIRED_NOTE: &str =
    "# Taken out of the feed: their guids, pages and media URLs are not given to another episode.\n";

/// The comment a lock begins with.
/// The line (from 1) of the first merge-conflict marker of `text`, if any.
fn conflicted(text: &str) -> Option<usize> {
    let marker = |l: &str| ["<<<<<<< ", ">>>>>>> "].iter().any(|m| l.starts_with(m)) || l.trim_end() == "=======";
    text.lines().position(marker).map(|i| i + 1)
}

const HEADER: &str = "# Written by `podsmith build`: the show and the episodes it has published. Keep this file\n\
     # with episodes.toml (commit it): builds refuse to change a guid, page or media URL listed here.\n\n";

/// A lock's text cut before each line that opens an episode's table
/// (`[[episode]]` or `[[retired]]`): the text before the first, and each
/// table (with the blank line after it).
fn blocks(text: &str) -> (&str, Vec<&str>) {
    // (A line of its own, ended as git may have ended it on checkout too.)
    let own_line = |i: usize, open: &str| {
        let rest = &text[i + open.len()..];
        (i == 0 || text.as_bytes()[i - 1] == b'\n') && (rest.starts_with('\n') || rest.starts_with("\r\n"))
    };
    let mut starts: Vec<usize> = [OPEN, RETIRED]
        .iter()
        .flat_map(|open| text.match_indices(open).map(|(i, _)| i).filter(|&i| own_line(i, open)))
        .collect();
    starts.sort_unstable();
    let Some(&first) = starts.first() else {
        return (text, Vec::new());
    };
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    (&text[..first], starts.iter().zip(ends).map(|(&s, e)| &text[s..e]).collect())
}

/// The line that opens an episode's table.
const OPEN: &str = "[[episode]]";

/// The line that opens a retired episode's table.
const RETIRED: &str = "[[retired]]";

/// What [`Change::MediaChangedInPlace`] says: the file at `url` of episode
/// `title` replaced, `old` bytes before and `new` now.
fn media_replaced_words(title: &str, url: &str, old: u64, new: u64) -> String {
    let what = match old == new {
        true => format!("by another of the same size ({})", crate::fsutil::human_size(new)),
        false => format!("({} now, {} before)", crate::fsutil::human_size(new), crate::fsutil::human_size(old)),
    };
    format!(
        "{}: the file at {url} was replaced under the same URL {what}: apps that downloaded the episode keep the \
         old recording, and caches may serve it for up to a year (media are published as immutable)",
        crate::text::episode_place(title)
    )
}
/// A change of the title Apple shows of the episode `title`, in words.
/// What [`Change::Reused`] says: new episode `title` is given `what`
/// (`value`) that episode `was`, taken out of the feed, was published with.
fn reused_words(title: &str, what: &str, value: &str, was: &str, new: bool, until: Option<&str>) -> String {
    use crate::text::{episode_place as ep, quoted as q};
    let then = match what {
        "guid" => "apps that had it take this one for it, and do not show it as new",
        "page" => "the links listeners shared to it lead to this one",
        _ => {
            "apps that downloaded it keep the old recording, and caches may serve it for up to a year (media are \
             published as immutable)"
        }
    };
    let was = crate::text::truncate_chars(was, 80);
    match until {
        Some(date) => format!(
            "scheduled {} (live at {date}): its {what} {value} was published before, for {}: {then}; the build at \
             that time refuses it",
            ep(title),
            q(&was)
        ),
        None => {
            let new = if new { "new " } else { "" };
            format!("{new}{}: its {what} {value} was published before, for {}: {then}", ep(title), q(&was))
        }
    }
}

fn itunes_title_words(title: &str, old: &Option<String>, new: &Option<String>) -> String {
    use crate::text::{episode_place as ep, quoted as q};
    match (old, new) {
        (Some(old), Some(new)) => {
            format!("{}: the title Apple shows (itunes_title) {} is now {}", ep(title), q(old), q(new))
        }
        (None, Some(new)) => format!("{}: Apple shows it as {} now (itunes_title)", ep(title), q(new)),
        (Some(old), None) => {
            format!("{}: its itunes_title {} is gone: Apple shows the title, as other apps do", ep(title), q(old))
        }
        (None, None) => format!("{}: the title Apple shows is its title, as before", ep(title)),
    }
}

/// Enough to notice that notes changed.
fn fingerprint(text: &str) -> String {
    format!("{:016x}", crate::fsutil::fnv64(text.as_bytes()))
}

/// One difference between the last build and this one. Fields: the
/// episode's title and guid (two episodes may share a title), and the old
/// and new guid or URL.
///
/// For programs (`diff --format json`), each is an object of its `kind`
/// (`title_changed`, `guid_changed` …) and its fields by their names.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A new episode.
    Added { title: String, guid: String },
    /// An episode taken out of the feed is back, at the page it had.
    Restored { title: String, guid: String },
    /// An episode is given what another episode was published with and
    /// no longer uses (one taken out of the feed, or what one left behind):
    /// `what` is "guid", "page" or "media URL", `value` it, `was` that
    /// episode's title, `was_guid` its guid and `was_slug` its slug (if
    /// known); `new`: the episode given it is new to the feed; `was_live`:
    /// the episode it was published for is still in the feed (it left
    /// this behind); `until`: the episode given it is scheduled, to go
    /// live then (said now, as the build at that time refuses it).
    Reused {
        title: String,
        guid: String,
        what: &'static str,
        value: String,
        was: String,
        was_guid: String,
        was_slug: String,
        new: bool,
        was_live: bool,
        until: Option<String>,
    },
    /// A published episode's guid changed (told by its slug or media).
    GuidChanged { title: String, old: String, new: String },
    /// A published episode is gone from the feed.
    Removed {
        title: String,
        guid: String,
        /// Its date in the manifest, where that is still to come: it is
        /// scheduled now (see [`Change::scheduled`]).
        until: Option<String>,
        /// The date it was published with, as the lock recorded it (locks
        /// written before podsmith recorded dates have none).
        published: Option<String>,
    },
    /// A published media URL changed or went away.
    UrlChanged { title: String, guid: String, old: String, new: Option<String> },
    /// A published episode's page moved (its slug changed, often with its title).
    PageMoved { title: String, guid: String, old_slug: String, old: String, new: String },
    /// The title changed (harmless; apps update it).
    TitleChanged { guid: String, old: String, new: String },
    /// The notes changed (harmless).
    NotesChanged { title: String, guid: String },
    /// The title Apple shows (`itunes_title`) changed, came or went
    /// (harmless; without one, Apple shows the title).
    ItunesTitleChanged { title: String, guid: String, old: Option<String>, new: Option<String> },
    /// The show's `podcast:guid` changed (Podcast Index would take the
    /// feed for another show).
    ShowGuidChanged { old: String, new: String },
    /// The `podcast:guid` of a per-format feed changed (`format` is its
    /// extension: `feed.ogg.xml`'s is "ogg").
    FeedGuidChanged { format: String, old: String, new: String },
    /// The cover's content changed but its URL did not: apps that keep
    /// art by its URL may go on showing the old one.
    CoverChangedInPlace { url: String },
    /// The cover is at another URL (a new file name, a move to or from a
    /// host): apps show the picture there (harmless, and what
    /// [`Change::CoverChangedInPlace`] advises).
    CoverMoved { old: String, new: String },
    /// A published media file was replaced under its URL (its length
    /// changed, or its content at the same length: the build record's
    /// fingerprints tell that): apps that downloaded it keep the old recording, and caches
    /// may serve it (media are published as immutable).
    MediaChangedInPlace { title: String, guid: String, url: String, old: u64, new: u64 },
    /// A per-format feed is no longer made (no live episode has a file of
    /// its format): its subscribers would find it gone.
    FeedGone { format: String },
    /// The show's title changed (harmless).
    ShowTitleChanged { old: String, new: String },
    /// The show's description changed (harmless).
    ShowDescriptionChanged,
    /// The show's Apple categories changed (harmless).
    ShowCategoriesChanged { old: Vec<String>, new: Vec<String> },
    /// One of the show's [`SETTINGS`] changed (`key`): apps and
    /// directories act on it (meant, mostly).
    ShowSettingChanged { key: String, old: String, new: String },
    /// One of an episode's details subscribers see changed (harmless, but
    /// seen: apps list an episode by its date, and show its number, type
    /// and explicit mark): `what` is "date", "number", "type" or "explicit
    /// mark".
    DetailChanged { title: String, guid: String, what: &'static str, old: String, new: String },
}

impl Change {
    /// Whether this change breaks a published identity.
    pub fn breaks_identity(&self) -> bool {
        matches!(
            self,
            Change::GuidChanged { .. }
                | Change::Reused { until: None, .. }
                | Change::Removed { .. }
                | Change::UrlChanged { .. }
                | Change::PageMoved { .. }
                | Change::ShowGuidChanged { .. }
                | Change::FeedGuidChanged { .. }
                | Change::FeedGone { .. }
        )
    }

    /// The mark `diff` shows before it: `+` new, `~` harmless, `!` changed, `-` gone.
    pub fn mark(&self) -> char {
        match self {
            Change::Added { .. } | Change::Restored { .. } => '+',
            Change::TitleChanged { .. }
            | Change::NotesChanged { .. }
            | Change::ItunesTitleChanged { .. }
            | Change::ShowTitleChanged { .. }
            | Change::ShowDescriptionChanged
            | Change::ShowCategoriesChanged { .. }
            | Change::ShowSettingChanged { .. }
            | Change::CoverChangedInPlace { .. }
            | Change::CoverMoved { .. }
            | Change::DetailChanged { .. }
            | Change::MediaChangedInPlace { .. }
            | Change::Reused { until: Some(_), .. } => '~',
            Change::Removed { .. } | Change::FeedGone { .. } => '-',
            Change::GuidChanged { .. }
            | Change::Reused { .. }
            | Change::UrlChanged { .. }
            | Change::PageMoved { .. }
            | Change::ShowGuidChanged { .. }
            | Change::FeedGuidChanged { .. } => '!',
        }
    }

    /// What changed, in words, on one line: a line break in a title (the
    /// lock's may have been crafted) is written out (`\n`), so it cannot
    /// start a line of output of its own.
    pub fn describe(&self) -> String {
        let words = self.words();
        match words.contains(['\n', '\r']) {
            true => words.replace('\n', "\\n").replace('\r', "\\r"),
            false => words,
        }
    }

    /// What changed, in words.
    fn words(&self) -> String {
        use crate::text::{episode_place as ep, quoted as q};
        match self {
            Change::Added { title, guid } => format!("new {} (guid {guid})", ep(title)),
            Change::Restored { title, guid } => {
                format!("{} (guid {guid}), taken out of the feed before, is back at its page", ep(title))
            }
            Change::Reused { title, what, value, was, new, until, .. } => {
                reused_words(title, what, value, was, *new, until.as_deref())
            }
            Change::GuidChanged { title, old, new } => {
                format!("{}: its guid changed from {} to {}", ep(title), q(old), q(new))
            }
            Change::Removed { title, guid, until: None, .. } => {
                format!("{} (guid {guid}) is no longer in the feed", ep(title))
            }
            c @ Change::Removed { title, guid, until: Some(date), .. } if c.looks_back() => format!(
                "{} (guid {guid}) is left out of a feed built as of a moment before its date ({date}, as it was \
                 published): the apps subscribed to the feed would find it gone",
                ep(title)
            ),
            Change::Removed { title, guid, until: Some(date), .. } => format!(
                "{} (guid {guid}) would leave the feed: its date is now {date}, still to come, so it is \
                 scheduled, not published, until then",
                ep(title)
            ),
            Change::UrlChanged { title, old, new: Some(new), .. } => {
                format!("{}: its media URL changed from {old} to {new}", ep(title))
            }
            Change::UrlChanged { title, old, new: None, .. } => {
                format!("{}: its media URL {old} is gone", ep(title))
            }
            // The same slug at another address: the site moved (base_url).
            Change::PageMoved { title, old_slug, old, new, .. }
                if new.trim_end_matches('/').ends_with(&format!("/{old_slug}")) =>
            {
                format!("{}: its page moved from {old} to {new} (the show's base_url changed)", ep(title))
            }
            // (A slug a build could have written, not a crafted lock's text,
            // is put into the line to write.)
            Change::PageMoved { title, old_slug, old, new, .. } if crate::text::is_plain_slug(old_slug) => format!(
                "{}: its page moved from {old} to {new} (slug = \"{old_slug}\" in the episode keeps it)",
                ep(title)
            ),
            Change::PageMoved { title, old, new, .. } => format!(
                "{}: its page moved from {old} to {new} (the slug it was published with, in the episode, keeps it)",
                ep(title)
            ),
            Change::TitleChanged { old, new, .. } => format!("title {} is now {}", q(old), q(new)),
            Change::NotesChanged { title, .. } => format!("notes of {} changed", q(title)),
            Change::ItunesTitleChanged { title, old, new, .. } => itunes_title_words(title, old, new),
            Change::ShowGuidChanged { old, new } => format!(
                "the show's podcast:guid changed from {old} to {new}: Podcast Index and the apps that use it would \
                 take the feed for another show (guid = \"{old}\" in [podcast] keeps it, wherever the show moves)"
            ),
            Change::FeedGuidChanged { format, old, new } => format!(
                "the podcast:guid of feed.{format}.xml changed from {old} to {new}: Podcast Index would take that \
                 feed for another show (feed_guids = {{ {format} = \"{old}\" }} in [podcast] keeps it)"
            ),
            Change::FeedGone { format } => format!(
                "feed.{format}.xml is no longer made (no episode has a file of its format): the apps subscribed to \
                 it would find it gone"
            ),
            Change::ShowTitleChanged { old, new } => format!("the show's title {} is now {}", q(old), q(new)),
            Change::ShowDescriptionChanged => "the show's description changed".to_string(),
            Change::ShowSettingChanged { key, old, new } => setting_words(key, old, new),
            Change::DetailChanged { title, what: "date", old, new, .. } => {
                format!("{}: its date {old} is now {new} (apps list it by its date)", ep(title))
            }
            Change::DetailChanged { title, what, old, new, .. } => {
                format!("{}: its {what} {} is now {}", ep(title), q(old), q(new))
            }
            Change::ShowCategoriesChanged { old, new } => categories_words(old, new),
            Change::CoverChangedInPlace { url } => format!(
                "the show's cover art changed but kept its URL {url}: Apple Podcasts and other apps keep art by \
                 its URL and may go on showing the old picture"
            ),
            Change::CoverMoved { old, new } => {
                format!("the show's cover art is now {new} (was {old}): apps show the picture there")
            }
            Change::MediaChangedInPlace { title, url, old, new, .. } => media_replaced_words(title, url, *old, *new),
        }
    }

    /// What to do about a change that is allowed but likely a mistake.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Change::CoverChangedInPlace { .. } => {
                Some("give the new picture a new file name, and `image` in [podcast] that name")
            }
            Change::MediaChangedInPlace { .. } => Some(
                "to publish a new recording, give it a new file name and `media` that name (and allow the change: \
                 --allow-changes): apps then download it anew",
            ),
            c @ Change::Removed { until: Some(_), .. } if c.looks_back() => Some(
                "build as of a moment after its date, or without --as-of; with --allow-changes, a build that looks \
                 back so leaves podsmith.lock as it is",
            ),
            Change::Removed { until: Some(_), .. } => Some("give it back the date it was published with"),
            _ => None,
        }
    }

    /// What to do about it: its [`Change::help`], or, for a change a build
    /// refuses, how to undo it (or make it on purpose). A guid from the lock
    /// is put in only if it is plain (a crafted lock's text is not put
    /// into a line podsmith suggests).
    pub fn fix(&self) -> Option<String> {
        // The date to give back, where the lock has it (and it is a date:
        // a crafted lock's text is not put into a line podsmith suggests).
        if let c @ Change::Removed { until: Some(_), published: Some(date), .. } = self
            && !c.looks_back()
            && chrono::DateTime::parse_from_rfc3339(date).is_ok()
        {
            return Some(format!("give it back the date it was published with: date = {date}"));
        }
        if let Some(help) = self.help() {
            return Some(help.to_string());
        }
        let on_purpose = "or, if you mean it, build with --allow-changes";
        let plain = |g: &str| {
            !g.is_empty()
                && g.len() <= 200
                && g.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '\''))
        };
        Some(match self {
            Change::GuidChanged { old, .. } if plain(old) => {
                format!(
                    "put back guid = \"{old}\" in the episode (apps take a new guid for a new episode); {on_purpose}"
                )
            }
            Change::GuidChanged { .. } => {
                format!(
                    "put back the guid it was published with (apps take a new guid for a new episode); {on_purpose}"
                )
            }
            Change::Removed { .. } => {
                format!("put the episode back in episodes.toml (apps that have it would find it gone); {on_purpose}")
            }
            // Its guid, at another page: that episode back, at a new slug?
            Change::Reused { what: "guid", was_slug, new: true, was_live: false, .. } if plain(was_slug) => format!(
                "if it is that episode back, put back its slug (slug = \"{was_slug}\"): it is welcome at its page; \
                 if it is a new one, give it a guid of its own (`podsmith add` makes one); {on_purpose}"
            ),
            Change::Reused { what: "guid", new: true, .. } => {
                format!("give the new episode a guid of its own (`podsmith add` makes one); {on_purpose}")
            }
            Change::Reused { what: "guid", .. } => {
                format!(
                    "put back the guid it was published with (apps take a new guid for a new episode); {on_purpose}"
                )
            }
            Change::Reused { what: "page", was_guid, new: true, was_live: false, .. } if plain(was_guid) => format!(
                "give the new episode a slug of its own (slug = \"…\"), or, if it is that episode back, its guid \
                 (guid = \"{was_guid}\"); {on_purpose}"
            ),
            Change::Reused { what: "page", new: true, .. } => {
                format!("give the new episode a slug of its own (slug = \"…\"); {on_purpose}")
            }
            Change::Reused { what: "page", .. } => {
                format!("give the episode back its own slug, or one no episode was published with; {on_purpose}")
            }
            Change::Reused { was_guid, new: true, was_live: false, .. } if plain(was_guid) => format!(
                "give the new recording a file name of its own, and `media` that name, or, if it is that episode \
                 back, its guid (guid = \"{was_guid}\"); {on_purpose}"
            ),
            Change::Reused { .. } => {
                format!("give the recording a file name of its own, and `media` that name; {on_purpose}")
            }
            Change::UrlChanged { .. } => format!(
                "put the media file back under its old name, and `media` that name (apps download by URL); {on_purpose}"
            ),
            Change::PageMoved { .. } => {
                format!(
                    "keep the slug the message names (the links listeners shared lead to the page there); {on_purpose}"
                )
            }
            Change::ShowGuidChanged { .. } | Change::FeedGuidChanged { .. } => {
                format!("keep the guid as the message says (directories know the show by it); {on_purpose}")
            }
            Change::FeedGone { .. } => format!(
                "give the episodes their files of that format again (its subscribers would find it gone); {on_purpose}"
            ),
            _ => return None,
        })
    }

    /// The guid of the episode, still published, that this change is
    /// about (its new guid, where that changed); `None` for a change to the
    /// show or its feeds, or for an episode no longer published.
    pub fn episode_guid(&self) -> Option<&str> {
        match self {
            Change::Added { guid, .. }
            | Change::Restored { guid, .. }
            | Change::Reused { guid, .. }
            | Change::GuidChanged { new: guid, .. }
            | Change::UrlChanged { guid, .. }
            | Change::PageMoved { guid, .. }
            | Change::NotesChanged { guid, .. }
            | Change::ItunesTitleChanged { guid, .. }
            | Change::MediaChangedInPlace { guid, .. }
            | Change::DetailChanged { guid, .. }
            | Change::TitleChanged { guid, .. } => Some(guid),
            Change::Removed { .. }
            | Change::ShowGuidChanged { .. }
            | Change::FeedGuidChanged { .. }
            | Change::FeedGone { .. }
            | Change::CoverChangedInPlace { .. }
            | Change::CoverMoved { .. }
            | Change::ShowTitleChanged { .. }
            | Change::ShowDescriptionChanged
            | Change::ShowCategoriesChanged { .. }
            | Change::ShowSettingChanged { .. } => None,
        }
    }
}

impl Change {
    /// Whether this is a published episode left out only because the build
    /// looks at a moment before its date, the date it was published with
    /// (`--as-of` a moment past): not a change made to the show, and not
    /// one to record (see [`crate::site::Report::look_back`]).
    pub fn looks_back(&self) -> bool {
        let instant = |d: &str| chrono::DateTime::parse_from_rfc3339(d).ok();
        match self {
            Change::Removed { until: Some(until), published: Some(published), .. } => {
                instant(until).is_some_and(|u| Some(u) == instant(published))
            }
            _ => false,
        }
    }

    /// `changes` with each published episode that is gone because its date
    /// is now to come (`scheduled`: its guid and that date) said so.
    pub fn scheduled(mut changes: Vec<Change>, scheduled: &[(&str, String)]) -> Vec<Change> {
        for c in &mut changes {
            if let Change::Removed { guid, until, .. } = c {
                *until = scheduled.iter().find(|(g, _)| g == guid).map(|(_, date)| date.clone());
            }
        }
        changes
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.mark(), self.describe())?;
        // (An episode dated ahead: with the date to give back.)
        let help = match self {
            Change::Removed { until: Some(_), .. } => self.fix(),
            _ => self.help().map(str::to_string),
        };
        match help {
            Some(help) => write!(f, " ({help})"),
            None => Ok(()),
        }
    }
}

/// What changes from `old` (the last build) to `new`: the show's, then
/// the episodes'.
pub fn compare(old: &Lock, new: &Lock) -> Vec<Change> {
    let mut out = Vec::new();
    // A lock written before the show was recorded says nothing of it.
    if let (Some(o), Some(n)) = (&old.show, &new.show) {
        show_changes(o, n, &mut out);
    }
    episode_changes(old, new, &mut out);
    out
}

/// The show's categories changed from `old` to `new`, in words.
fn categories_words(old: &[String], new: &[String]) -> String {
    let list = |l: &[String]| l.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    format!("the show's categories are now {} (were {})", list(new), list(old))
}

/// A change of the show's setting `key` (of [`SETTINGS`]) from `old` to
/// `new`, in words: what apps and directories make of it.
fn setting_words(key: &str, old: &str, new: &str) -> String {
    use crate::text::quoted as q;
    let on = new == "true";
    match key {
        "explicit" if on => "the show is now marked explicit: every episode without a mark of its own is".into(),
        "explicit" => "the show is no longer marked explicit: nor is any episode without a mark of its own".into(),
        "complete" if on => "the show is now marked complete: Apple stops looking for new episodes".into(),
        "complete" => "the show is no longer marked complete: Apple looks for new episodes again".into(),
        "block" if on => "the show is now blocked (itunes:block): Apple Podcasts takes it out of its directory".into(),
        "block" => "the show is no longer blocked (itunes:block): Apple Podcasts lists it again".into(),
        "locked" if on => "the show is now locked (podcast:locked): hosts refuse to import it".into(),
        "locked" => "the show is no longer locked (podcast:locked): any host may import it".into(),
        "type" => {
            let order = if new == "serial" { "oldest first" } else { "newest first" };
            format!("the show's type {} is now {}: apps list its episodes {order}", q(old), q(new))
        }
        "new_feed_url" if old.is_empty() => {
            format!("feed.xml now says the show moved to {} (new_feed_url): apps move its subscribers there", q(new))
        }
        "new_feed_url" if new.is_empty() => {
            format!("feed.xml no longer says the show moved (new_feed_url was {})", q(old))
        }
        "new_feed_url" => {
            format!("feed.xml now says the show moved to {} (new_feed_url was {})", q(new), q(old))
        }
        "new_feed_urls" if old.is_empty() => format!(
            "the per-format feeds now say the show moved (new_feed_urls {}): apps move their subscribers there",
            q(new)
        ),
        "new_feed_urls" if new.is_empty() => {
            format!("the per-format feeds no longer say the show moved (new_feed_urls was {})", q(old))
        }
        "new_feed_urls" => {
            format!("the per-format feeds now say the show moved: new_feed_urls {} (was {})", q(new), q(old))
        }
        "owner_email" => {
            format!("the owner's e-mail {} is now {}: directories send ownership codes there", q(old), q(new))
        }
        _ => format!("the show's {key} {} is now {}", q(old), q(new)),
    }
}

/// What changes from the show's published identity `o` to `n`, onto `out`.
fn show_changes(o: &PublishedShow, n: &PublishedShow, out: &mut Vec<Change>) {
    if o.guid != n.guid {
        out.push(Change::ShowGuidChanged { old: o.guid.clone(), new: n.guid.clone() });
    }
    // A new feed says nothing; one made under another guid, or no
    // longer made, does.
    for (format, old) in &o.feeds {
        match n.feeds.get(format) {
            Some(new) if new != old => {
                out.push(Change::FeedGuidChanged { format: format.clone(), old: old.clone(), new: new.clone() })
            }
            Some(_) => {}
            None => out.push(Change::FeedGone { format: format.clone() }),
        }
    }
    if o.title != n.title {
        out.push(Change::ShowTitleChanged { old: o.title.clone(), new: n.title.clone() });
    }
    if o.description.is_some() && n.description.is_some() && o.description != n.description {
        out.push(Change::ShowDescriptionChanged);
    }
    // (A lock written before they were recorded says nothing of them.)
    if !o.settings.is_empty() {
        for (key, new) in &n.settings {
            match o.settings.get(key) {
                Some(old) if old != new => {
                    out.push(Change::ShowSettingChanged { key: key.clone(), old: old.clone(), new: new.clone() })
                }
                _ => {}
            }
        }
    }
    if !o.categories.is_empty() && !n.categories.is_empty() && o.categories != n.categories {
        out.push(Change::ShowCategoriesChanged { old: o.categories.clone(), new: n.categories.clone() });
    }
    // (The placeholder `init` writes is there to be replaced by the show's
    // art, as it says: apps that kept it lose nothing.)
    let placeholder = || crate::fsutil::Fingerprint::of_bytes(crate::init::PLACEHOLDER_COVER).to_string();
    if let (Some(url), Some(old), Some(new)) = (&n.cover, &o.cover_fingerprint, &n.cover_fingerprint)
        && o.cover.as_ref() == Some(url)
        && old != new
        && !placeholder().starts_with(old.as_str())
    {
        out.push(Change::CoverChangedInPlace { url: url.clone() });
    }
    if let (Some(old), Some(new)) = (&o.cover, &n.cover)
        && old != new
    {
        out.push(Change::CoverMoved { old: old.clone(), new: new.clone() });
    }
}

/// What changes from the episodes of `old` to those of `new`, onto `out`:
/// added, renamed (a new guid on something published), removed, moved.
/// The episodes of `new` whose guid `old` does not have, onto `out`: new
/// ones, or (on something already published: its slug or a media URL) a
/// changed guid.
fn new_guids(old: &Lock, new: &Lock, out: &mut Vec<Change>) {
    let old_guids: BTreeSet<&str> = old.episodes.iter().map(|e| e.guid.as_str()).collect();
    let new_guids: BTreeSet<&str> = new.episodes.iter().map(|e| e.guid.as_str()).collect();
    let retired = Retiring { retired: &old.retired, live: &new_guids };
    for n in new.episodes.iter().filter(|n| !old_guids.contains(n.guid.as_str())) {
        let same = old
            .episodes
            .iter()
            .filter(|o| !new_guids.contains(o.guid.as_str()))
            .find(|o| o.slug == n.slug || o.urls.iter().any(|u| n.urls.contains(u)));
        match same {
            Some(o) => {
                out.push(Change::GuidChanged { title: n.title.clone(), old: o.guid.clone(), new: n.guid.clone() });
                // (The guid of an episode taken out of the feed, at that.)
                if let Some(r) = old.retired.iter().find(|r| r.guid == n.guid) {
                    out.push(retired.reused(r, n, "guid", &n.guid, false));
                }
            }
            None => retired.tell_new(n, out),
        }
    }
}

/// What episodes published and no longer use (`retired`), with the guids
/// of the episodes in the feed now (`live`).
struct Retiring<'a> {
    retired: &'a [Retired],
    live: &'a BTreeSet<&'a str>,
}

impl Retiring<'_> {
    /// The change of episode `n` (`new`: to the feed) given `what` (its
    /// `value`) that retired episode `r` was published with.
    fn reused(&self, r: &Retired, n: &Published, what: &'static str, value: &str, new: bool) -> Change {
        Change::Reused {
            title: n.title.clone(),
            guid: n.guid.clone(),
            what,
            value: value.to_string(),
            was: r.title.clone(),
            was_guid: r.guid.clone(),
            was_slug: r.slug.clone(),
            new,
            // (Its own guid given again is not that episode in the feed.)
            was_live: r.guid != n.guid && self.live.contains(r.guid.as_str()),
            until: None,
        }
    }

    /// What new episode `n` is, onto `out`: one of the retired back (its
    /// guid, at its page; with any of its media URLs it no longer has, and
    /// what it takes of the others), one given what one of them was
    /// published with, or new.
    fn tell_new(&self, n: &Published, out: &mut Vec<Change>) {
        let (title, guid) = (n.title.clone(), n.guid.clone());
        if let Some(back) = self.retired.iter().find(|r| r.guid == n.guid && r.same_page(n)) {
            out.push(Change::Restored { title: title.clone(), guid: guid.clone() });
            // (A recording under another URL is downloaded anew by the apps
            // that had the episode.)
            for (i, url) in back.urls.iter().enumerate().filter(|(_, u)| !n.urls.contains(u)) {
                let (title, guid, old) = (title.clone(), guid.clone(), url.clone());
                // The same position (enclosure first) is the likeliest replacement.
                let new = n.urls.get(i).filter(|u| !back.urls.contains(u)).cloned();
                out.push(Change::UrlChanged { title, guid, old, new });
            }
            let others: Vec<&String> = n.urls.iter().filter(|u| !back.urls.contains(u)).collect();
            return self.taken(n, false, &others, false, out);
        }
        if let Some(r) = self.retired.iter().find(|r| r.guid == n.guid) {
            return out.push(self.reused(r, n, "guid", &n.guid, true));
        }
        let before = out.len();
        self.taken(n, true, &n.urls.iter().collect::<Vec<_>>(), true, out);
        if out.len() == before {
            out.push(Change::Added { title, guid });
        }
    }

    /// What episode `n` (`new` to the feed or not) takes, of what other
    /// episodes were published with and no longer use, onto `out`: its page
    /// (if `page`, the page being new to it), else one of its `urls`
    /// (those new to it). One change at most: the first such is said.
    fn taken(&self, n: &Published, page: bool, urls: &[&String], new: bool, out: &mut Vec<Change>) {
        // (Most episodes, as they were: nothing to look for.)
        if !page && urls.is_empty() {
            return;
        }
        let others = || self.retired.iter().filter(|r| r.guid != n.guid);
        if page && let Some(r) = others().find(|r| r.same_page(n)) {
            let value = n.page.clone().unwrap_or_else(|| format!("episodes/{}/", n.slug));
            return out.push(self.reused(r, n, "page", &value, new));
        }
        for r in others() {
            if let Some(url) = urls.iter().find(|u| r.urls.contains(u)) {
                return out.push(self.reused(r, n, "media URL", url, new));
            }
        }
    }
}

fn episode_changes(old: &Lock, new: &Lock, out: &mut Vec<Change>) {
    new_guids(old, new, out);
    let live: BTreeSet<&str> = new.episodes.iter().map(|e| e.guid.as_str()).collect();
    let retiring = Retiring { retired: &old.retired, live: &live };
    // By guid, so that a show of thousands of episodes is compared in one pass.
    let new_by_guid: std::collections::HashMap<&str, &Published> =
        new.episodes.iter().map(|e| (e.guid.as_str(), e)).collect();
    let renamed: BTreeSet<String> = out
        .iter()
        .filter_map(|c| match c {
            Change::GuidChanged { old, .. } => Some(old.clone()),
            _ => None,
        })
        .collect();
    let old_by_slug: std::collections::HashMap<&str, &Published> =
        old.episodes.iter().map(|e| (e.slug.as_str(), e)).collect();
    for o in &old.episodes {
        let Some(n) = new_by_guid.get(o.guid.as_str()) else {
            if !renamed.contains(&o.guid) {
                let (title, guid, published) = (o.title.clone(), o.guid.clone(), o.date.clone());
                out.push(Change::Removed { title, guid, until: None, published });
            }
            continue;
        };
        // The guid of another published episode on this one's page and
        // media (two guids swapped, one pasted over another): said as the
        // guid it changed from, not as its page and media moved.
        if n.slug != o.slug
            && let Some(was) = old_by_slug.get(n.slug.as_str()).filter(|w| w.guid != n.guid && w.urls == n.urls)
        {
            out.push(Change::GuidChanged { title: n.title.clone(), old: was.guid.clone(), new: n.guid.clone() });
            continue;
        }
        for (i, url) in o.urls.iter().enumerate() {
            if !n.urls.contains(url) {
                // The same position (enclosure first) is the likeliest replacement.
                let new = n.urls.get(i).filter(|u| !o.urls.contains(u)).cloned();
                out.push(Change::UrlChanged { title: n.title.clone(), guid: n.guid.clone(), old: url.clone(), new });
            } else if let Some(j) = n.urls.iter().position(|u| u == url)
                && let (Some(&old), Some(&new)) = (o.lengths.get(i), n.lengths.get(j))
                && old != new
            {
                let (title, guid, url) = (n.title.clone(), n.guid.clone(), url.clone());
                out.push(Change::MediaChangedInPlace { title, guid, url, old, new });
            }
        }
        let page_moved = match (&o.page, &n.page) {
            (Some(old), Some(new)) => old != new,
            _ => o.slug != n.slug,
        };
        if page_moved {
            let shown = |page: &Option<String>, slug: &str| page.clone().unwrap_or_else(|| format!("episodes/{slug}/"));
            out.push(Change::PageMoved {
                title: n.title.clone(),
                guid: n.guid.clone(),
                old_slug: o.slug.clone(),
                old: shown(&o.page, &o.slug),
                new: shown(if o.page.is_some() { &n.page } else { &None }, &n.slug),
            });
        }
        // Moved onto what another episode was published with.
        let new_urls: Vec<&String> = n.urls.iter().filter(|u| !o.urls.contains(u)).collect();
        retiring.taken(n, page_moved, &new_urls, false, out);
        if o.title != n.title {
            out.push(Change::TitleChanged { guid: n.guid.clone(), old: o.title.clone(), new: n.title.clone() });
        }
        // (A lock that does not record them has none: not a change.)
        let recorded = o.itunes_title.is_some() || old.show.as_ref().is_some_and(|s| s.itunes_titles);
        if o.itunes_title != n.itunes_title && recorded {
            let (old, new) = (o.itunes_title.clone(), n.itunes_title.clone());
            out.push(Change::ItunesTitleChanged { title: n.title.clone(), guid: n.guid.clone(), old, new });
        }
        if o.notes != n.notes {
            out.push(Change::NotesChanged { title: n.title.clone(), guid: n.guid.clone() });
        }
        detail_changes(o, n, out);
    }
}

/// What changed in the details of published episode `o`, now `n` (date,
/// number, type, explicit mark), onto `out`; nothing if the lock did
/// not record them.
fn detail_changes(o: &Published, n: &Published, out: &mut Vec<Change>) {
    let (Some(old_date), Some(new_date)) = (&o.date, &n.date) else { return };
    let number = |p: &Published| match (p.season, p.number) {
        (Some(s), Some(e)) => format!("season {s}, episode {e}"),
        (None, Some(e)) => format!("episode {e}"),
        (Some(s), None) => format!("season {s}, no number"),
        (None, None) => "no number".to_string(),
    };
    let kind = |p: &Published| p.episode_type.clone().unwrap_or_else(|| "full".to_string());
    let explicit = |p: &Published| match p.explicit {
        Some(true) => "explicit".to_string(),
        Some(false) => "clean".to_string(),
        None => "the show's".to_string(),
    };
    let details: [(&'static str, String, String); 4] = [
        ("date", old_date.clone(), new_date.clone()),
        ("number", number(o), number(n)),
        ("type", kind(o), kind(n)),
        ("explicit mark", explicit(o), explicit(n)),
    ];
    // (A date written with another offset is the same moment: apps see
    // no change.)
    let moment = |d: &str| chrono::DateTime::parse_from_rfc3339(d).ok();
    let same_moment = moment(old_date).is_some_and(|o| Some(o) == moment(new_date));
    for (what, old, new) in details {
        if old != new && !(what == "date" && same_moment) {
            out.push(Change::DetailChanged { title: n.title.clone(), guid: n.guid.clone(), what, old, new });
        }
    }
}

#[cfg(test)]
impl Lock {
    /// What [`Lock::after`] tells changed (`text` is this lock's text, as
    /// the tests made it).
    fn changes_from(&self, text: &str, path: &Path, old_text: &str) -> Result<Vec<Change>, LockError> {
        assert_eq!(text, self.render());
        self.clone().after(path, old_text).map(|(_, _, changes)| changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(guid: &str, slug: &str, url: &str) -> Published {
        Published {
            guid: guid.into(),
            title: slug.into(),
            itunes_title: None,
            slug: slug.into(),
            page: Some(format!("https://x/episodes/{slug}/")),
            urls: vec![if url.starts_with("https://") { url.into() } else { format!("https://x/{url}") }],
            lengths: vec![1000],
            notes: fingerprint(""),
            ..Published::default()
        }
    }

    /// A lock packed with values (crafted: a big one took gigabytes to
    /// parse) is refused before it is parsed, and an error quoting a long
    /// line is cut short.
    #[test]
    fn a_lock_packed_with_values_is_refused_and_errors_stay_short() {
        let path = Path::new("podsmith.lock");
        let packed = format!("x = [{}1]\n", "1,".repeat(100_000));
        let err = Lock::parse(path, &packed).unwrap_err();
        assert!(err.reason.contains("values in 200008 bytes: not a lock podsmith writes"), "{err}");
        let new = Lock { show: None, episodes: vec![ep("a", "one", "https://x/u1")], retired: Vec::new() };
        assert_eq!(new.changes_from(&new.render(), path, &packed).unwrap_err().reason, err.reason);
        let long = format!("x = \"{}\"\n", "y".repeat(100_000));
        let err = Lock::parse(path, &long).unwrap_err();
        assert!(err.reason.chars().count() <= 2001, "{}", err.reason.len());
        // What podsmith writes is never taken for packed.
        let many = Lock {
            show: None,
            episodes: (0..500).map(|n| ep(&format!("g{n}"), "s", "u")).collect(),
            retired: Vec::new(),
        };
        assert_eq!(Lock::parse(path, &many.render()).unwrap(), many);
    }

    /// A big lock is read table by table: as it reads whole, also with the
    /// line ends git may give it on checkout; a table that does not read
    /// is told by its line and column in the file, without the whole file
    /// read at once (a crafted 15 MB one took 430 MB so); a small lock
    /// that does not read table by table is read whole.
    #[test]
    fn a_big_lock_is_read_table_by_table_and_told_where_a_table_does_not_read() {
        let path = Path::new("podsmith.lock");
        let episodes = (0..8000).map(|n| ep(&format!("g{n}"), &format!("s{n}"), "u")).collect();
        let big = Lock { show: show(S1), episodes, retired: Vec::new() };
        let text = big.render();
        assert!(text.len() > READ_WHOLE, "{}", text.len());
        // (Compared without printing 8,000 episodes where they differ.)
        assert!(by_tables(&text).unwrap() == toml::from_str::<Lock>(&text).unwrap());
        assert!(Lock::parse(path, &text).unwrap() == big);
        // Line ends as git may make them (the show's title, written over
        // two lines, then holds the other line end).
        let crlf = Lock::parse(path, &text.replace('\n', "\r\n")).unwrap();
        assert!(crlf.episodes == big.episodes);
        assert_eq!(crlf.show.map(|s| s.guid), Some(S1.to_string()));
        // The 5,001st table lacks its title: told by its line, as the whole read tells it.
        let cut = text.match_indices("title = \"s5000\"\n").next().unwrap().0;
        let damaged = format!("{}{}", &text[..cut], &text[cut + "title = \"s5000\"\n".len()..]);
        let line = damaged[..damaged[..cut].rfind("[[episode]]").unwrap()].matches('\n').count() + 1;
        let err = Lock::parse(path, &damaged).unwrap_err();
        assert_eq!(err.at, Some((line, Some(1))), "{err}");
        assert!(err.reason.starts_with("missing field `title`"), "{err}");
        let whole = toml::from_str::<Lock>(&damaged).unwrap_err().to_string();
        assert!(whole.starts_with(&format!("TOML parse error at line {line}, column 1")), "{whole}");
        // The show's table moved after the episodes': TOML, but not as
        // podsmith writes it; refused when big, read whole when small.
        // (The show's title holds "[[episode]]" too, not on a line of its own.)
        let head_end = text.find("\n[[episode]]\n").unwrap() + 1;
        let moved = format!("{}{}", &text[head_end..], &text[..head_end]);
        let err = Lock::parse(path, &moved).unwrap_err();
        assert!(err.reason.contains("the show's table after episodes' tables"), "{err}");
        let small = Lock { show: big.show.clone(), episodes: big.episodes[..3].to_vec(), retired: Vec::new() }.render();
        let head_end = small.find("\n[[episode]]\n").unwrap() + 1;
        let moved = format!("{}{}", &small[head_end..], &small[..head_end]);
        assert!(Lock::parse(path, &moved).unwrap().episodes == big.episodes[..3]);
        // Episodes given in the head besides the tables: not TOML (an
        // array given twice), whatever the size, as the whole read says.
        let twice = small.replacen(HEADER, &format!("{HEADER}episode = []\n"), 1);
        assert!(toml::from_str::<Lock>(&twice).is_err());
        let err = Lock::parse(path, &twice).unwrap_err();
        assert!(err.reason.contains("duplicate key"), "{}", err.reason);
        // (Compared table by table, as a build compares, as well.)
        let new = Lock { show: show(S1), episodes: vec![ep("a", "one", "https://x/u1")], retired: Vec::new() };
        assert_eq!(new.changes_from(&new.render(), path, &twice).unwrap_err().reason, err.reason);
        let twice = format!("episode = []\n{text}");
        assert!(Lock::parse(path, &twice).unwrap_err().reason.contains("episodes given otherwise"));
        // A table far bigger than podsmith writes, in a big lock: refused
        // by its size, not read.
        let huge = text.replacen("title = \"s7000\"", &format!("title = \"{}\"", "t".repeat(PART_MAX)), 1);
        let err = Lock::parse(path, &huge).unwrap_err();
        assert!(err.reason.contains("bytes, not one podsmith writes"), "{err}");
    }

    #[test]
    fn tells_added_renamed_removed_and_moved() {
        let old = Lock {
            show: None,
            episodes: vec![
                ep("a", "one", "https://x/u1"),
                ep("b", "two", "https://x/u2"),
                ep("c", "three", "https://x/u3"),
            ],
            retired: Vec::new(),
        };
        let new = Lock {
            show: None,
            episodes: vec![
                ep("a", "one", "https://x/u1-moved"),
                ep("B", "two", "https://x/u2"),
                ep("d", "four", "https://x/u4"),
            ],
            retired: Vec::new(),
        };
        let changes = compare(&old, &new);
        assert_eq!(
            changes,
            vec![
                Change::GuidChanged { title: "two".into(), old: "b".into(), new: "B".into() },
                Change::Added { title: "four".into(), guid: "d".into() },
                Change::UrlChanged {
                    title: "one".into(),
                    guid: "a".into(),
                    old: "https://x/u1".into(),
                    new: Some("https://x/u1-moved".into())
                },
                Change::Removed { title: "three".into(), guid: "c".into(), until: None, published: None },
            ]
        );
        assert_eq!(changes.iter().filter(|c| c.breaks_identity()).count(), 3);
    }

    /// Episodes whose text takes TOML's escapes and quoting.
    fn awkward() -> Vec<Published> {
        let mut eps: Vec<Published> =
            (0..12).map(|i| ep(&format!("g{i}"), &format!("s{i}"), &format!("u{i}"))).collect();
        eps[1].title = "Quotes \" ' and a\nnew line, [[episode]]\n inside".into();
        eps[2].title = "Ünïcödé — 🎙".into();
        eps[3].page = None;
        eps[4].urls = vec!["https://x/a.mp3".into(), "https://x/a.ogg".into()];
        eps[5].guid = "a guid with ''' and \"\"\"".into();
        eps
    }

    /// A show's table with an awkward title, a cover and an OGG feed.
    fn show(guid: &str) -> Option<PublishedShow> {
        Some(PublishedShow {
            guid: guid.into(),
            title: "The \"Show\" — ''' [[episode]]\n".into(),
            description: Some(fingerprint("What the show is about.")),
            categories: vec!["Technology".into(), "Society & Culture > Documentary".into()],
            cover: Some("https://x/cover.jpg".into()),
            cover_fingerprint: Some(fingerprint("the picture")),
            feeds: [("ogg".to_string(), OGG.into())].into(),
            itunes_titles: true,
            settings: [("explicit", "false"), ("new_feed_url", ""), ("type", "episodic")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into(),
        })
    }

    /// Show and feed guids, as a build makes them.
    const S1: &str = "3e8bb759-978b-5ea1-9095-4a41a002c648";
    const S2: &str = "8b448f30-e1ca-577e-9e1e-86f8c05d6ec9";
    const OGG: &str = "71773f91-5dd8-5da1-8e94-164542683322";
    const MOVED_OGG: &str = "0b8e3a9f-5b1e-5c2a-9d5e-1f2a3b4c5d6e";

    #[test]
    fn is_written_as_toml_writes_the_whole_lock() {
        let lock = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let whole = format!("{HEADER}{}", toml::to_string(&lock).unwrap());
        assert_eq!(lock.render(), whole);
        assert_eq!(Lock::parse(Path::new("x"), &lock.render()).unwrap(), lock);
    }

    /// Edits of `old`, one of each kind a lock sees: notes, an episode
    /// added, removed, moved and renamed, the show's guid and title, no
    /// show table, nothing at all, a feed's guid, no feeds, new art under
    /// the old URL and under a new one, a new description and categories.
    fn edits(old: &Lock) -> Vec<Lock> {
        let mut edits: Vec<Lock> = Vec::new();
        let mut notes = old.clone();
        notes.episodes[3].notes = fingerprint("edited");
        edits.push(notes);
        let mut added = old.clone();
        added.episodes.insert(0, ep("new", "new", "u-new"));
        edits.push(added);
        let mut removed = old.clone();
        removed.episodes.remove(6);
        edits.push(removed);
        let mut moved = old.clone();
        moved.episodes.swap(0, 11);
        moved.episodes[7].urls = vec!["https://x/u-moved".into()];
        edits.push(moved);
        let mut renamed = old.clone();
        renamed.episodes[2].guid = "G2".into();
        edits.push(renamed);
        let mut show_guid = old.clone();
        show_guid.show.as_mut().unwrap().guid = S2.into();
        edits.push(show_guid);
        let mut show_title = old.clone();
        show_title.show.as_mut().unwrap().title = "Renamed".into();
        show_title.episodes[4].title = "Renamed too".into();
        edits.push(show_title);
        let mut no_show = old.clone();
        no_show.show = None;
        edits.push(no_show);
        edits.push(Lock::default());
        let mut feed_guid = old.clone();
        feed_guid.show.as_mut().unwrap().feeds.insert("ogg".into(), MOVED_OGG.into());
        feed_guid.show.as_mut().unwrap().feeds.insert("opus".into(), S2.into());
        edits.push(feed_guid);
        let mut no_feed = old.clone();
        no_feed.show.as_mut().unwrap().feeds.clear();
        edits.push(no_feed);
        let mut new_picture = old.clone();
        new_picture.show.as_mut().unwrap().cover_fingerprint = Some(fingerprint("another picture"));
        edits.push(new_picture);
        let mut new_name = old.clone();
        new_name.show.as_mut().unwrap().cover = Some("https://x/cover-2.jpg".into());
        new_name.show.as_mut().unwrap().cover_fingerprint = Some(fingerprint("another picture"));
        edits.push(new_name);
        let mut described = old.clone();
        described.show.as_mut().unwrap().description = Some(fingerprint("What the show is about, now."));
        described.show.as_mut().unwrap().categories.pop();
        edits.push(described);
        let mut moved_on = old.clone();
        let settings = &mut moved_on.show.as_mut().unwrap().settings;
        settings.insert("explicit".into(), "true".into());
        settings.insert("new_feed_url".into(), "https://new.example.org/feed.xml".into());
        edits.push(moved_on);
        edits
    }

    #[test]
    fn a_change_is_described_on_one_line_whatever_its_titles_hold() {
        let change =
            Change::TitleChanged { guid: "g".into(), old: "Old\nerror: crafted".into(), new: "New\r\nline".into() };
        let said = change.to_string();
        assert_eq!(said, "~ title \"Old\\nerror: crafted\" is now \"New\\r\\nline\"");
        assert!(!said.contains(['\n', '\r']));
    }

    #[test]
    fn changes_from_a_text_are_those_of_the_parsed_text() {
        let path = Path::new("podsmith.lock");
        let old = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let old_text = old.render();
        let edits = edits(&old);
        for new in &edits {
            let text = new.render();
            let expected = compare(&Lock::parse(path, &old_text).unwrap(), new);
            assert_eq!(new.changes_from(&text, path, &old_text).unwrap(), expected);
            assert!(new.as_known(&text, &old_text).is_some(), "each table of the old lock stands alone: {new:?}");
        }
        assert!(!edits[0].changes_from(&edits[0].render(), path, &old_text).unwrap().is_empty());
        let changes = edits[5].changes_from(&edits[5].render(), path, &old_text).unwrap();
        assert_eq!(changes, [Change::ShowGuidChanged { old: S1.into(), new: S2.into() }]);
        assert!(changes[0].breaks_identity());
        let changes = edits[6].changes_from(&edits[6].render(), path, &old_text).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(matches!(&changes[0], Change::ShowTitleChanged { new, .. } if new == "Renamed"));
        assert!(!changes.iter().any(Change::breaks_identity));
        // A per-format feed's guid changed, or the feed is no longer made:
        // refused; a new feed: nothing to say.
        let changes = edits[9].changes_from(&edits[9].render(), path, &old_text).unwrap();
        let moved = Change::FeedGuidChanged { format: "ogg".into(), old: OGG.into(), new: MOVED_OGG.into() };
        assert_eq!(changes, [moved]);
        assert!(changes[0].breaks_identity());
        assert!(
            changes[0].to_string().contains(&format!("(feed_guids = {{ ogg = \"{OGG}\" }} in [podcast] keeps it)"))
        );
        let changes = edits[10].changes_from(&edits[10].render(), path, &old_text).unwrap();
        assert_eq!(changes, [Change::FeedGone { format: "ogg".into() }]);
        assert!(changes[0].breaks_identity());
        assert_eq!(changes[0].mark(), '-');
        // New art under the old URL: said (apps keep art by URL), not
        // refused; under a new URL: said, as new art subscribers will see.
        let changes = edits[11].changes_from(&edits[11].render(), path, &old_text).unwrap();
        assert_eq!(changes, [Change::CoverChangedInPlace { url: "https://x/cover.jpg".into() }]);
        assert!(!changes[0].breaks_identity());
        let changes = edits[12].changes_from(&edits[12].render(), path, &old_text).unwrap();
        let moved = Change::CoverMoved { old: "https://x/cover.jpg".into(), new: "https://x/cover-2.jpg".into() };
        assert_eq!(changes, [moved]);
        assert_eq!(
            changes[0].to_string(),
            "~ the show's cover art is now https://x/cover-2.jpg (was https://x/cover.jpg): apps show the picture there"
        );
        assert!(!changes[0].breaks_identity());
        // A new description and categories: said.
        let changes = edits[13].changes_from(&edits[13].render(), path, &old_text).unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0], Change::ShowDescriptionChanged);
        assert_eq!(
            changes[1].to_string(),
            "~ the show's categories are now \"Technology\" (were \"Technology\", \"Society & Culture > Documentary\")"
        );
        assert!(!changes.iter().any(Change::breaks_identity));
    }

    /// What the feeds say of the whole show, which apps act on for every
    /// episode: each change said, none refused; none said against a lock
    /// written before they were recorded; one a build does not record is
    /// the lock's error.
    #[test]
    fn changes_of_what_the_feeds_say_of_the_whole_show_are_said() {
        let path = Path::new("podsmith.lock");
        let old = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let old_text = old.render();
        let edits = edits(&old);
        let changes = edits[14].changes_from(&edits[14].render(), path, &old_text).unwrap();
        let said: Vec<String> = changes.iter().map(Change::to_string).collect();
        assert_eq!(
            said,
            [
                "~ the show is now marked explicit: every episode without a mark of its own is",
                "~ feed.xml now says the show moved to \"https://new.example.org/feed.xml\" (new_feed_url): apps move \
                 its subscribers there"
            ]
        );
        assert!(!changes.iter().any(Change::breaks_identity));
        let mut unrecorded = old.clone();
        unrecorded.show.as_mut().unwrap().settings.clear();
        assert_eq!(compare(&unrecorded, &edits[14]), []);
        // One a build does not record: the lock's error.
        let mut crafted = old.clone();
        crafted.show.as_mut().unwrap().settings.insert("bogus\n".into(), "x".into());
        let err = Lock::parse(path, &crafted.render()).unwrap_err().to_string();
        assert!(err.contains("the show's setting \"bogus\\n\" is not one a build records"), "{err}");
    }

    #[test]
    fn changes_from_a_text_are_those_of_the_parsed_text_whatever_it_holds() {
        let path = Path::new("podsmith.lock");
        let old = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let old_text = old.render();
        // A string that opens a table of its own, at the start of a line,
        // cuts the text wrongly: the whole text is parsed then.
        let mut odd = old.clone();
        odd.episodes[5].title = "'''\n[[episode]]\n".into();
        let odd_text = odd.render();
        assert!(odd.as_known(&odd_text, &old_text).is_none());
        let expected = compare(&old, &odd);
        assert_eq!(odd.changes_from(&odd_text, path, &old_text).unwrap(), expected);
        assert_eq!(old.changes_from(&old_text, path, &odd_text).unwrap(), compare(&odd, &old));
        // A guid twice in the old lock (a table doubled, or another with
        // its guid): compared as the whole parse says.
        let table = blocks(&old_text).1[3].to_string();
        let doubled = format!("{old_text}\n{table}");
        let other = format!("{old_text}\n{}", table.replacen("title = \"", "title = \"Another ", 1));
        assert_ne!(other, doubled);
        for text in [&doubled, &other] {
            assert!(old.as_known(&old_text, text).is_none());
            let whole = Lock::parse(path, text);
            if let Ok(whole) = whole {
                assert_eq!(old.changes_from(&old_text, path, text).unwrap(), compare(&whole, &old));
            }
        }
    }

    /// Two published episodes' guids swapped (or one pasted over another):
    /// each is said as its guid changed, not as its page and media moved.
    #[test]
    fn swapped_guids_are_said_as_guids_changed() {
        let old = Lock {
            show: None,
            episodes: vec![ep("a", "one", "https://x/u1"), ep("b", "two", "https://x/u2")],
            retired: Vec::new(),
        };
        let new = Lock {
            show: None,
            episodes: vec![ep("b", "one", "https://x/u1"), ep("a", "two", "https://x/u2")],
            retired: Vec::new(),
        };
        let changes = compare(&old, &new);
        let said: Vec<(String, String)> = changes
            .iter()
            .map(|c| match c {
                Change::GuidChanged { old, new, .. } => (old.clone(), new.clone()),
                other => panic!("{other}"),
            })
            .collect();
        // (The episode at page "two" had guid b, now a; the one at "one", a, now b.)
        assert_eq!(said, [("b".to_string(), "a".to_string()), ("a".to_string(), "b".to_string())]);
        assert!(changes.iter().all(Change::breaks_identity));
    }

    /// A lock that records nothing and lacks the comment podsmith writes
    /// first (an empty file, blank lines) is damaged, not a show never
    /// built; one that is podsmith's comment alone (an import of a show
    /// with nothing out yet) is not. A merge conflict is said as one, at
    /// its line; a link to nothing is not "no lock".
    #[test]
    fn an_empty_lock_a_merge_conflict_and_a_link_to_nothing_are_not_taken_for_no_lock() {
        let path = Path::new("podsmith.lock");
        for text in ["", "\n\n  \n", "# a comment of mine\n"] {
            let e = Lock::parse(path, text).unwrap_err();
            assert_eq!(e.reason, "it is empty (podsmith never writes it so)", "{text:?}");
        }
        assert!(Lock::parse(path, HEADER).is_ok());
        // (Its line ends made CRLF by git on Windows: still podsmith's.)
        assert!(Lock::parse(path, &HEADER.replace('\n', "\r\n")).is_ok());
        let lock = Lock {
            show: show(S1),
            episodes: vec![ep("a", "one", "https://x/u1"), ep("b", "two", "https://x/u2")],
            retired: Vec::new(),
        };
        let text = lock.render();
        let at = text.find("\n[[episode]]").unwrap() + 1;
        let conflicted = format!("{}<<<<<<< HEAD\n{}=======\n>>>>>>> theirs\n", &text[..at], &text[at..]);
        let e = Lock::parse(path, &conflicted).unwrap_err();
        let line = text[..at].lines().count() + 1;
        assert_eq!(e.at, Some((line, Some(1))));
        assert!(e.reason.starts_with("it holds a merge conflict"), "{}", e.reason);
        assert!(e.diagnostic().help.unwrap().starts_with("each side's tables are podsmith's own record"));
        // A field this podsmith does not know: not "delete it".
        let newer = text.replacen("slug = \"one\"", "slug = \"one\"\nduration = 1254", 1);
        let e = Lock::parse(path, &newer).unwrap_err();
        assert!(e.diagnostic().help.unwrap().starts_with("a newer podsmith may have written it"), "{}", e.reason);
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().unwrap();
            let link = dir.path().join("podsmith.lock");
            std::os::unix::fs::symlink(dir.path().join("gone/podsmith.lock"), &link).unwrap();
            let e = Lock::read(&link).unwrap_err();
            assert!(
                e.reason.starts_with("it is a link to ") && e.reason.ends_with(", which does not exist"),
                "{}",
                e.reason
            );
            assert!(Lock::read(&dir.path().join("none.lock")).unwrap().is_none());
        }
    }

    #[test]
    fn a_lock_damaged_anywhere_is_compared_as_its_whole_parse_says() {
        // Damage made by a small generator (no dependency): bytes changed,
        // cut, doubled; lines moved; quotes and table heads put in.
        let path = Path::new("podsmith.lock");
        let new = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let text = new.render();
        let pieces =
            ["\"", "'''", "\n", "[[episode]]\n", "\n[[episode]]\n", "\"\"\"", "=", "#", "\\", "[x]\n", "\n[show]\n"];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n.max(1)
        };
        let (mut known, mut parsed) = (0, 0);
        for _ in 0..3000 {
            let mut damaged = text.clone().into_bytes();
            for _ in 0..1 + next(3) {
                let at = next(damaged.len());
                match next(4) {
                    0 => damaged[at] = b" \"'=[]\n#ax"[next(10)],
                    1 => drop(damaged.drain(at..(at + next(40)).min(damaged.len()))),
                    2 => {
                        let piece = damaged[at..(at + next(200)).min(damaged.len())].to_vec();
                        let to = next(damaged.len());
                        damaged.splice(to..to, piece);
                    }
                    _ => drop(damaged.splice(at..at, pieces[next(pieces.len())].bytes())),
                }
            }
            let Ok(damaged) = String::from_utf8(damaged) else { continue };
            let whole = Lock::parse(path, &damaged);
            if new.as_known(&text, &damaged).is_some() {
                known += 1;
            }
            match (&whole, new.changes_from(&text, path, &damaged)) {
                (Ok(old), Ok(changes)) => {
                    parsed += 1;
                    assert_eq!(changes, compare(old, &new), "{damaged}");
                }
                (Err(_), Err(_)) => {}
                (whole, found) => panic!("whole parse {whole:?}, found {found:?}, of\n{damaged}"),
            }
        }
        assert!(known > 100 && parsed > known, "{known} known, {parsed} parsed");
    }

    #[test]
    fn a_lock_whose_tables_do_not_stand_alone_is_parsed_whole() {
        let path = Path::new("podsmith.lock");
        let new = Lock {
            show: None,
            episodes: vec![ep("a", "one", "https://x/u1"), ep("b", "two", "https://x/u2")],
            retired: Vec::new(),
        };
        let text = new.render();
        // The second table, word for word, inside a string of the first:
        // the old lock has one episode, whose title holds the other.
        let table_b = blocks(&text).1[1];
        let crafted = format!(
            "{HEADER}[[episode]]\nguid = \"a\"\ntitle = '''\n{table_b}'''\nslug = \"one\"\nurls = [\"https://x/u1\"]\nnotes = \"{}\"\n",
            fingerprint("")
        );
        let parsed = Lock::parse(path, &crafted).unwrap();
        assert_eq!(parsed.episodes.len(), 1);
        assert!(new.as_known(&text, &crafted).is_none());
        assert_eq!(new.changes_from(&text, path, &crafted).unwrap(), compare(&parsed, &new));
        // And one that does not parse at all is an error, as before.
        let broken = format!("{HEADER}[[episode]]\nguid = \"a\n");
        let err = new.changes_from(&text, path, &broken).unwrap_err();
        assert_eq!(err.reason, Lock::parse(path, &broken).unwrap_err().reason);
        assert!(err.at.is_some(), "{err}");
    }

    #[test]
    fn a_show_table_podsmith_could_not_have_written_is_refused_with_the_reason() {
        let path = Path::new("podsmith.lock");
        let new = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let text = new.render();
        let crafted = [
            (
                format!("guid = \"{S1}\""),
                "guid = \"\\u001b[31m\\nok\"",
                "the show's guid \"\\u{1b}[31m\\nok\" is not a UUID",
            ),
            (format!("ogg = \"{OGG}\""), "ogv = \"x\"", "the show's feed \"ogv\" has the guid \"x\""),
            (
                "cover = \"https://x/cover.jpg\"".into(),
                "cover = \"javascript:x\"",
                "the show's cover \"javascript:x\" is not",
            ),
            (
                format!("cover_fingerprint = \"{}\"", fingerprint("the picture")),
                "cover_fingerprint = \"xyz\"",
                "not 16 hex",
            ),
            (
                format!("description = \"{}\"", fingerprint("What the show is about.")),
                "description = \"What the show is about.\"",
                "the show's description fingerprint \"What the show is about.\" is not 16 hex digits",
            ),
            (
                "\"Technology\", ".into(),
                "\"Tech\\u0000\", ",
                "the show's category \"Tech\\0\" is not one a build writes",
            ),
        ];
        for (good, bad, said) in crafted {
            assert!(text.contains(&good), "{good}");
            let damaged = text.replacen(&good, bad, 1);
            let whole = Lock::parse(path, &damaged).unwrap_err();
            assert!(whole.reason.contains(said), "{}", whole.reason);
            assert!(new.as_known(&text, &damaged).is_none());
            assert_eq!(new.changes_from(&text, path, &damaged).unwrap_err().reason, whole.reason);
        }
    }

    /// An episode's page that is not an http(s) URL is the lock's error
    /// (read whole, or compared table by table), not a page moved.
    #[test]
    fn an_episode_page_podsmith_could_not_have_written_is_refused_with_the_reason() {
        let path = Path::new("podsmith.lock");
        let new = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        let text = new.render();
        let good = "page = \"https://x/episodes/s7/\"";
        assert!(text.contains(good));
        for bad in ["page = \"../../../etc/s7/\"", "page = \"https://x/episodes/s7/\\n\"", "page = \"javascript:x\""] {
            let damaged = text.replacen(good, bad, 1);
            let whole = Lock::parse(path, &damaged).unwrap_err();
            assert!(whole.reason.starts_with("episode \"s7\": its page \""), "{}", whole.reason);
            assert!(whole.reason.ends_with("\" is not an http(s) URL"), "{}", whole.reason);
            assert!(new.as_known(&text, &damaged).is_none());
            assert_eq!(new.changes_from(&text, path, &damaged).unwrap_err().reason, whole.reason);
        }
    }

    /// A media URL that is not http(s), of an episode or one taken out, is
    /// the lock's error too, said at the line that opens its table.
    #[test]
    fn a_media_url_podsmith_could_not_have_written_is_refused_at_its_table() {
        let path = Path::new("podsmith.lock");
        let mut lock = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        lock.retired.push(Retired::of(&ep("r", "gone", "https://x/gone.mp3")));
        let text = lock.render();
        for (good, open) in [("\"https://x/a.ogg\"", OPEN), ("\"https://x/gone.mp3\"", RETIRED)] {
            let damaged = text.replacen(good, "\"file:///etc/passwd\"", 1);
            let err = Lock::parse(path, &damaged).unwrap_err();
            assert!(
                err.reason.ends_with("its media URL \"file:///etc/passwd\" is not an http(s) URL"),
                "{}",
                err.reason
            );
            let (line, _) = err.at.unwrap();
            let at = damaged.lines().nth(line - 1).unwrap();
            assert_eq!(at, open);
            let table: String = damaged.lines().skip(line).take_while(|l| !l.starts_with("[[")).collect();
            assert!(table.contains("file:///etc/passwd"), "line {line} does not open the damaged table");
        }
    }

    /// A lock that does not read is told by its line and column, as the
    /// file is known (not `./podsmith.lock`), with the reader's message
    /// alone (not the lines it quotes).
    #[test]
    fn a_lock_that_does_not_read_is_told_by_its_line_and_column() {
        let text = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() }.render();
        let cut = &text[..text.find("page = \"https://x/episodes/s4/").unwrap() + 20];
        let err = Lock::parse(Path::new("./podsmith.lock"), cut).unwrap_err();
        let line = cut.lines().count();
        assert_eq!(err.to_string(), format!("podsmith.lock:{line}:21: invalid basic string, expected `\"`"));
        let d = err.diagnostic();
        assert_eq!(d.location, crate::diagnostic::Location::file("podsmith.lock", line, Some(21)));
        assert!(d.help.unwrap().contains("restore it from version control"));
        let elsewhere = LockError::new(Path::new("show/podsmith.lock"), "it is damaged");
        assert_eq!(elsewhere.to_string(), "show/podsmith.lock: it is damaged");
    }

    #[test]
    fn round_trips_through_its_text() {
        let lock = Lock { show: show(S1), episodes: vec![ep("a", "one", "https://x/1.mp3")], retired: Vec::new() };
        let text = lock.render();
        assert!(text.starts_with("# Written by `podsmith build`"));
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock);
    }

    /// What `new` is told after the lock `old_text`, and the lock it
    /// writes: the same table by table as from the whole parse.
    fn after(new: &Lock, old_text: &str) -> (Lock, Vec<Change>) {
        let path = Path::new("podsmith.lock");
        let (lock, text, changes) = new.clone().after(path, old_text).unwrap();
        let old = Lock::parse(path, old_text).unwrap();
        let mut whole = new.clone();
        whole.retire(&old);
        assert_eq!((&lock, &changes), (&whole, &compare(&old, new)), "otherwise than the whole parse");
        assert_eq!(text, lock.render());
        assert_eq!(Lock::parse(path, &text).unwrap(), lock, "{text}");
        (lock, changes)
    }

    /// An episode taken out of the feed keeps its guid, page and media
    /// URLs in the lock, build after build: a new episode given one of
    /// them is refused (apps would take it for the old one); the episode
    /// itself, back, is welcome, and leaves the retired ones.
    #[test]
    fn an_episode_taken_out_keeps_its_identities_from_new_episodes() {
        let three = Lock {
            show: show(S1),
            episodes: vec![
                ep("c", "three", "https://x/u3"),
                ep("b", "two", "https://x/u2"),
                ep("a", "one", "https://x/u1"),
            ],
            retired: Vec::new(),
        };
        let mut two = three.clone();
        two.episodes.remove(1);
        let (retired, changes) = after(&two, &three.render());
        assert_eq!(changes, [Change::Removed { title: "two".into(), guid: "b".into(), until: None, published: None }]);
        assert_eq!(retired.retired, [Retired::of(&three.episodes[1])]);
        let text = retired.render();
        assert!(text.contains("\n# Taken out of the feed"), "{text}");
        // Kept by the next builds, whatever else changes.
        let mut four = two.clone();
        four.episodes.insert(0, ep("d", "four", "https://x/u4"));
        let (kept, changes) = after(&four, &text);
        assert_eq!(changes, [Change::Added { title: "four".into(), guid: "d".into() }]);
        assert_eq!(kept.retired, retired.retired);
        let text = kept.render();
        assert_eq!(after(&kept, &text), (kept.clone(), Vec::new()));
        // A new episode given what "two" had.
        let reused = |e: Published| {
            let mut new = kept.clone();
            new.retired.clear();
            new.episodes.insert(0, e);
            let (lock, changes) = after(&new, &text);
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert!(changes[0].breaks_identity() && changes[0].mark() == '!');
            // Allowed, what the new one takes is published again; the rest
            // of what "two" had stays retired.
            (changes.into_iter().next().unwrap(), lock.retired)
        };
        let two = &retired.retired[0];
        let ((guid, kept_all), (page, kept_urls), (media, kept_page)) = (
            reused(ep("b", "five", "https://x/u5")),
            reused(ep("e", "two", "https://x/u5")),
            reused(ep("e", "five", "https://x/u2")),
        );
        assert_eq!(kept_all, std::slice::from_ref(two), "its page and media are still its own");
        assert_eq!(kept_urls, [Retired { slug: String::new(), page: None, ..two.clone() }]);
        assert_eq!(kept_page, [Retired { urls: Vec::new(), ..two.clone() }]);
        assert!(matches!(&guid, Change::Reused { what: "guid", value, was, .. } if value == "b" && was == "two"));
        assert!(guid.describe().contains("apps that had it take this one for it"), "{}", guid.describe());
        assert!(matches!(&page, Change::Reused { what: "page", value, .. } if value == "https://x/episodes/two/"));
        assert!(page.fix().unwrap().contains("guid = \"b\""), "{:?}", page.fix());
        assert!(matches!(&media, Change::Reused { what: "media URL", value, .. } if value == "https://x/u2"));
        // "two" back: at its page, it is that episode.
        let mut back = kept.clone();
        back.retired.clear();
        back.episodes.insert(2, three.episodes[1].clone());
        let (lock, changes) = after(&back, &text);
        assert_eq!(changes, [Change::Restored { title: "two".into(), guid: "b".into() }]);
        assert!(!changes[0].breaks_identity());
        assert!(lock.retired.is_empty());
        assert!(!lock.render().contains("Taken out"));
        // Back with another recording: its old URL is changed (apps
        // download the episode anew), and stays retired once allowed.
        let mut other = back.clone();
        other.episodes[2].urls = vec!["https://x/u2-new".into()];
        let (lock, changes) = after(&other, &text);
        let restored = Change::Restored { title: "two".into(), guid: "b".into() };
        assert!(
            matches!(&changes[..], [r, Change::UrlChanged { old, new: Some(new), .. }]
            if *r == restored && old == "https://x/u2" && new == "https://x/u2-new"),
            "{changes:?}"
        );
        assert_eq!(lock.retired, [Retired { slug: String::new(), page: None, ..two.clone() }]);
        // Back after the show moved (its page at the new address): the same
        // slug, the same episode.
        let mut moved = back.clone();
        for e in &mut moved.episodes {
            e.page = e.page.as_ref().map(|p| p.replace("https://x/", "https://y/"));
        }
        let (_, changes) = after(&moved, &text);
        assert!(changes.contains(&Change::Restored { title: "two".into(), guid: "b".into() }), "{changes:?}");
        // A media URL an episode left behind (changed on purpose) stays
        // retired too, under the guid that still publishes the episode.
        let mut renamed = kept.clone();
        renamed.retired.clear();
        renamed.episodes[0].urls = vec!["https://x/u4-new".into()];
        let (lock, _) = after(&renamed, &text);
        let left =
            Retired { guid: "d".into(), title: "four".into(), urls: vec!["https://x/u4".into()], ..Retired::default() };
        assert_eq!(lock.retired, [two.clone(), left]);
    }

    /// What an episode taken out was published with is refused to an
    /// episode in the feed too (a slug or a media file moved onto it), and
    /// to an episode restored at its own page; the help fits whom it is
    /// said of.
    #[test]
    fn published_and_restored_episodes_are_refused_what_another_was_published_with() {
        let three = Lock {
            show: show(S1),
            episodes: vec![ep("c", "three", "u3"), ep("b", "two", "u2"), ep("a", "one", "u1")],
            retired: Vec::new(),
        };
        let mut two = three.clone();
        two.episodes.remove(1);
        let (retired, _) = after(&two, &three.render());
        let text = retired.render();
        let one_of = |changes: &[Change], what: &str| {
            let r: Vec<&Change> = changes.iter().filter(|c| matches!(c, Change::Reused { .. })).collect();
            assert_eq!(r.len(), 1, "{changes:?}");
            assert!(matches!(r[0], Change::Reused { what: w, was, new: false, .. } if *w == what && was == "two"));
            r[0].clone()
        };
        // "three" given two's recording as a second file.
        let mut media = retired.clone();
        media.retired.clear();
        media.episodes[0].urls.push("https://x/u2".into());
        let (_, changes) = after(&media, &text);
        let c = one_of(&changes, "media URL");
        assert!(c.breaks_identity());
        assert!(c.describe().starts_with("episode \"three\": its media URL https://x/u2 was published before"));
        assert!(!c.fix().unwrap().contains("guid ="), "{:?}", c.fix());
        // "three" moved to two's slug: a move, and a page taken.
        let mut page = retired.clone();
        page.retired.clear();
        page.episodes[0].slug = "two".into();
        page.episodes[0].page = Some("https://x/episodes/two/".into());
        let (_, changes) = after(&page, &text);
        assert!(changes.iter().any(|c| matches!(c, Change::PageMoved { .. })), "{changes:?}");
        assert!(one_of(&changes, "page").fix().unwrap().starts_with("give the episode back its own slug"));
        // "three" given two's guid.
        let mut guid = retired.clone();
        guid.retired.clear();
        guid.episodes[0].guid = "b".into();
        let (_, changes) = after(&guid, &text);
        assert!(changes.iter().any(|c| matches!(c, Change::GuidChanged { .. })), "{changes:?}");
        one_of(&changes, "guid");
        // "one" taken out too, then back at its page with two's recording.
        let mut none = retired.clone();
        none.retired.clear();
        none.episodes.pop();
        let (gone, _) = after(&none, &text);
        let text = gone.render();
        let mut back = none.clone();
        back.episodes.push(ep("a", "one", "u2"));
        let (_, changes) = after(&back, &text);
        assert!(changes.contains(&Change::Restored { title: "one".into(), guid: "a".into() }), "{changes:?}");
        one_of(&changes, "media URL");
        // "one" back under its guid at another slug: the slug that restores it.
        let mut elsewhere = none.clone();
        elsewhere.episodes.push(ep("a", "one-again", "u1"));
        let (_, changes) = after(&elsewhere, &text);
        assert!(
            matches!(&changes[..], [Change::Reused { what: "guid", new: true, was_live: false, .. }]),
            "{changes:?}"
        );
        assert!(
            changes[0].fix().unwrap().starts_with("if it is that episode back, put back its slug (slug = \"one\")")
        );
    }

    /// A new episode given what an episode still in the feed left behind is
    /// not told it might be that episode back.
    #[test]
    fn what_an_episode_in_the_feed_left_behind_is_not_offered_as_that_episode_back() {
        let one = Lock { show: show(S1), episodes: vec![ep("a", "one", "u1")], retired: Vec::new() };
        let mut renamed = one.clone();
        renamed.episodes[0].urls = vec!["https://x/u1-new".into()];
        let (left, _) = after(&renamed, &one.render());
        let mut new = left.clone();
        new.retired.clear();
        new.episodes.insert(0, ep("b", "two", "u1"));
        let (_, changes) = after(&new, &left.render());
        assert!(matches!(&changes[..], [Change::Reused { new: true, was_live: true, .. }]), "{changes:?}");
        assert!(!changes[0].fix().unwrap().contains("that episode back"), "{:?}", changes[0].fix());
    }

    /// A page moved is told with the slug that keeps it only where a build
    /// could have written that slug: a crafted lock's text is not put into
    /// a line to write into the manifest.
    #[test]
    fn a_moved_page_suggests_only_a_slug_a_build_writes() {
        let moved = |old_slug: &str| Change::PageMoved {
            title: "One".into(),
            guid: "a".into(),
            old_slug: old_slug.into(),
            old: format!("https://x/episodes/{old_slug}/"),
            new: "https://x/episodes/two/".into(),
        };
        assert!(moved("one").describe().contains("(slug = \"one\" in the episode keeps it)"));
        let crafted = moved("one\" guid = \"x");
        assert!(!crafted.describe().contains("slug = "), "{}", crafted.describe());
        assert!(crafted.describe().contains("the slug it was published with"));
    }

    /// Retired tables where podsmith does not write them (in the head, under
    /// another spelling of their header) are read as the whole lock reads
    /// them, by a build as by `diff`: never dropped.
    #[test]
    fn retired_tables_written_otherwise_are_kept() {
        let path = Path::new("podsmith.lock");
        let mut old = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        old.retired = old.episodes.split_off(10).iter().map(Retired::of).collect();
        let text = old.render();
        let first = text.find("[[retired]]").unwrap();
        let (tables, head) = (&text[first..], &text[..text.find("[[episode]]").unwrap()]);
        let spaced = text.replace("[[retired]]", "[[ retired ]]");
        let in_head =
            format!("{}{}{}", head.replacen("[show]", &format!("{tables}\n[show]"), 1), "", &text[head.len()..first]);
        for crafted in [spaced, in_head] {
            let whole = Lock::parse(path, &crafted).unwrap();
            assert_eq!(whole.retired, old.retired, "{crafted}");
            let new = Lock { retired: Vec::new(), ..old.clone() };
            let (lock, _, changes) = new.clone().after(path, &crafted).unwrap();
            assert_eq!((lock.retired, changes), (old.retired.clone(), Vec::new()), "{crafted}");
        }
        // A multi-line title that holds the header is not a retired table.
        let mut titled = old.clone();
        titled.retired.clear();
        let mut crafted = titled.render();
        crafted = crafted.replacen(
            "title = \"s0\"",
            "title = \"\"\"s0\n[[retired]]\nguid = \"x\"\ntitle = \"x\"\nurls = []\n\"\"\"",
            1,
        );
        let whole = Lock::parse(path, &crafted).unwrap();
        assert!(whole.retired.is_empty());
        let (lock, _, _) = titled.clone().after(path, &crafted).unwrap();
        assert!(lock.retired.is_empty(), "{:?}", lock.retired);
    }

    /// Retired tables a build could not have written, or that do not read
    /// on their own, are read as the whole parse reads them.
    #[test]
    fn retired_tables_are_read_as_the_whole_lock_reads_them() {
        let path = Path::new("podsmith.lock");
        let mut old = Lock { show: show(S1), episodes: awkward(), retired: Vec::new() };
        old.episodes.extend((12..15).map(|i| ep(&format!("g{i}"), &format!("s{i}"), &format!("u{i}"))));
        let gone = old.episodes.split_off(12);
        old.retired = gone.iter().map(Retired::of).collect();
        let old_text = old.render();
        assert_eq!(Lock::parse(path, &old_text).unwrap(), old);
        for new in edits(&old) {
            after(&new, &old_text);
        }
        let crafted = old_text.replace("https://x/episodes/s13/", "javascript:alert(1)");
        let err = Lock::parse(path, &crafted).unwrap_err();
        assert!(err.reason.contains("(taken out): its page"), "{}", err.reason);
        assert_eq!(old.clone().after(path, &crafted).unwrap_err().reason, err.reason);
        // A retired table whose key is not one podsmith writes.
        let odd = old_text.replacen("[[retired]]\n", "[[retired]]\nwhen = 1\n", 1);
        let err = Lock::parse(path, &odd).unwrap_err();
        assert!(err.reason.contains("when"), "{}", err.reason);
        assert_eq!(old.clone().after(path, &odd).unwrap_err().reason, err.reason);
    }
}
