//! Show-notes pages: `index.html`, `episodes/<slug>/index.html` and, for
//! a show of more than [`INDEX_EPISODES`] episodes, `archive/<year>/index.html`.
//!
//! Templates are minijinja, HTML auto-escaped. The defaults are embedded in
//! the binary; a show overrides any of them by putting a file of the same
//! name (`base.html`, `index.html`, `episode.html`, `archive.html`, `episodes.html`) in its `templates/`
//! folder. Templates get typed views built here from the [`Catalog`], so
//! the durations and sizes on a page are the ones in the feed.
//!
//! Links between pages and to media are relative (`{{ root }}`), so the
//! site works wherever `public/` is served and when opened from disk; feed
//! links are absolute, as feed readers want them.

pub mod sitemap;

use std::path::Path;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{AutoEscape, Environment, Output, State, Value, context};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, LiveEpisode};
use crate::diagnostic::Diagnostic;
use crate::feed::Feed;
use crate::fsutil::Fingerprint;
use crate::manifest::Asset;
use crate::words::Words;

const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("index.html", include_str!("templates/index.html")),
    ("episode.html", include_str!("templates/episode.html")),
    ("archive.html", include_str!("templates/archive.html")),
    ("episodes.html", include_str!("templates/episodes.html")),
];

/// The most episodes the index lists: a show with more lists its newest
/// this many there, and every episode on the page of its year
/// (`archive/<year>/`), which the index links to. (An index of a thousand
/// episodes is a long page to scroll, and every change to the show would
/// render all of it again.)
pub const INDEX_EPISODES: usize = 100;

/// A year of a show's archive: its episodes (by number in the catalog,
/// newest first).
#[derive(Debug, Clone)]
pub struct Year {
    /// The year, as the episodes' dates give it (in their own offsets, as
    /// the pages show them).
    pub year: i32,
    /// Its episodes, by number in the catalog.
    pub episodes: Vec<usize>,
}

impl Year {
    /// Its page's path inside `public/`, as a folder (`archive/2024/`).
    pub fn folder(&self) -> String {
        format!("archive/{}/", self.year)
    }
}

/// The years of the show's archive pages, newest first: none for a show
/// the index lists whole (at most [`INDEX_EPISODES`] episodes).
pub fn archive_years(catalog: &Catalog) -> Vec<Year> {
    use chrono::Datelike;
    if catalog.episodes.len() <= INDEX_EPISODES {
        return Vec::new();
    }
    let mut years: std::collections::BTreeMap<i32, Vec<usize>> = std::collections::BTreeMap::new();
    for n in listening_order(catalog) {
        years.entry(catalog.episodes[n].episode.date.year()).or_default().push(n);
    }
    years.into_iter().rev().map(|(year, episodes)| Year { year, episodes }).collect()
}

/// The show's episodes (by number in the catalog) in the order its pages
/// list them, as Apple Podcasts presents them: an episodic show newest
/// first; a serial show, meant to be heard in order, oldest first, its
/// newest season first where it has seasons (a listener who comes to the
/// site starts at the beginning of the story, not at its end).
pub fn listening_order(catalog: &Catalog) -> Vec<usize> {
    let mut order: Vec<usize> = (0..catalog.episodes.len()).collect();
    if catalog.podcast.show_type == crate::manifest::ShowType::Serial {
        // The catalog is newest first, ties in manifest order: a stable sort
        // keeps equal dates as the catalog has them.
        let season = |n: usize| catalog.episodes[n].episode.season.unwrap_or(1);
        order.sort_by_key(|&n| (std::cmp::Reverse(season(n)), catalog.episodes[n].episode.date));
    }
    order
}

/// The show's episodes in the order their story runs, by number in the
/// catalog: oldest first (a serial show's by season, then date). An
/// episode's page links to the ones before and after it in this order.
pub fn story_order(catalog: &Catalog) -> Vec<usize> {
    let n = catalog.episodes.len();
    match catalog.podcast.show_type {
        // As a serial show's index lists them (episodes of a date in
        // manifest order), its seasons oldest first.
        crate::manifest::ShowType::Serial => {
            let mut order: Vec<usize> = (0..n).collect();
            let season = |n: usize| catalog.episodes[n].episode.season.unwrap_or(1);
            order.sort_by_key(|&n| (season(n), catalog.episodes[n].episode.date));
            order
        }
        // The index read from its end (it is newest first).
        crate::manifest::ShowType::Episodic => (0..n).rev().collect(),
    }
}

/// Of each episode (by number in the catalog), the one before it and the
/// one after it in [`story_order`].
fn neighbours(catalog: &Catalog) -> Vec<[Option<usize>; 2]> {
    let order = story_order(catalog);
    let mut around = vec![[None, None]; catalog.episodes.len()];
    for (i, &n) in order.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| order[j]);
        around[n] = [before, order.get(i + 1).copied()];
    }
    around
}

/// What a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The index.
    Index,
    /// Episode `n`'s page (by number in the catalog).
    Episode(usize),
    /// The page of year `n` of the archive (by number in [`archive_years`]).
    Year(usize),
}

/// What a page is made from besides the templates and the show (see
/// [`Renderer::shared_inputs`]): the episodes it shows (by number in the
/// catalog) and, where it says more of the show's archive, a fingerprint
/// of what it says.
#[derive(Debug, Clone)]
pub struct PageInputs {
    /// The episodes it shows, by number in the catalog.
    pub episodes: Vec<usize>,
    /// What else it shows of the archive (the years, how many episodes each).
    pub archive: Option<Fingerprint>,
    /// An episode's page: the episodes it links to as the one before it
    /// and the one after it (see [`story_order`]).
    pub neighbours: [Option<usize>; 2],
}

/// The built-in templates, as one string (for the build record: a podsmith
/// whose built-in pages changed rebuilds them, even at the same version).
pub fn built_in_templates() -> impl Iterator<Item = &'static str> {
    DEFAULTS.iter().map(|(_, source)| *source)
}

/// A template problem, naming the template file.
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {detail}")]
pub struct TemplateError {
    /// Which template (and where it came from).
    pub name: String,
    /// minijinja's message, with line.
    pub detail: String,
}

#[derive(Serialize)]
struct FeedView {
    title: String,
    label: String,
    url: String,
}

#[derive(Serialize)]
struct ShowView<'a> {
    title: &'a str,
    description: &'a str,
    author: &'a str,
    language: &'a str,
    /// Whether `language` is English.
    english: bool,
    /// Whether `language` is written right to left (Arabic, Hebrew,
    /// Persian, Urdu …): the pages then say `dir="rtl"`.
    rtl: bool,
    /// `language` as Open Graph writes a locale (`en_US`), where it names a
    /// region (see [`og_locale`]).
    og_locale: Option<String>,
    /// The pages' own words ("Listen to {format} ({duration})", "Chapters")
    /// in the show's language, or in English (see [`crate::words`]).
    words: Words<'a>,
    /// Whether `words` are in another language than the show's (English
    /// words on a page in Japanese): the built-in pages mark them
    /// `lang="en"`.
    foreign_words: bool,
    copyright: Option<&'a str>,
    link: &'a str,
    cover: String,
    feeds: &'a [FeedView],
    /// The index page's absolute URL (`base_url`).
    url: &'a str,
    /// The cover's absolute URL (for Open Graph and JSON-LD).
    cover_url: String,
    /// The description cut for a `<meta name="description">`.
    excerpt: String,
    /// Whether the show is serial (`type = "serial"`): its pages list the
    /// episodes oldest first, and the index leads with where to start.
    serial: bool,
    /// Whether the show's episodes are of more than one season: its lists
    /// then say each episode's season, and a serial show's index the
    /// season it starts with.
    seasons: bool,
    /// Words in English on pages whose other words are the show's own (a
    /// word the pages took up after the show gave all the others: see
    /// [`crate::words::LATER`]): the built-in pages mark them `lang="en"`.
    english_words: Vec<&'static str>,
    /// Where listeners subscribe besides the feeds: `label`, `url`.
    subscribe: Vec<LinkView>,
    /// schema.org `PodcastSeries`, for the index page's JSON-LD.
    jsonld: serde_json::Value,
}

/// A year of the archive as templates see it (each of `archive`).
#[derive(Serialize)]
struct YearView {
    year: i32,
    /// Its page's folder, relative to the site's root (`archive/2024/`).
    path: String,
    /// How many episodes it has.
    count: usize,
}

/// A labelled link.
#[derive(Serialize)]
struct LinkView {
    label: &'static str,
    url: String,
}

#[derive(Serialize)]
struct SourceView {
    /// Its path in the site (empty for a hosted file).
    path: String,
    /// Hosted elsewhere: link to `url`, not to `root ~ path`.
    hosted: bool,
    url: String,
    mime_type: &'static str,
    label: &'static str,
    duration: String,
    seconds: u64,
    bytes: u64,
    size: String,
}

/// An episode as templates see it (`episode`, and each of `episodes`): a
/// map of [`EPISODE_FIELDS`], each made when a template reads it, so that
/// the index of a big show does not make every field of every episode.
struct EpisodeView {
    catalog: Arc<Catalog>,
    /// Its index in the catalog.
    n: usize,
}

/// The fields of [`EpisodeView`], in the order templates list them.
const EPISODE_FIELDS: &[&str] = &[
    "title",
    "slug",
    "guid",
    "path",
    "url",
    "date",
    "date_iso",
    "duration",
    "duration_iso",
    "guests",
    "number",
    "season",
    "episode_type",
    "notes_html",
    "sources",
    "chapters",
    "transcript",
    "transcripts",
    "image",
    "image_path",
    "transcript_language",
    "transcript_dir",
    "excerpt",
    "audio_url",
    "audio_type",
    "jsonld",
];

impl EpisodeView {
    /// Field `name` of the episode; `None` if it has no such field.
    fn field(&self, name: &str) -> Option<Value> {
        let e = self.catalog.episodes.get(self.n)?;
        let ep = &e.episode;
        Some(match name {
            "title" => Value::from(ep.title.as_str()),
            "slug" => Value::from(ep.slug.as_str()),
            "guid" => Value::from(ep.guid.as_str()),
            "path" => Value::from(e.page_path.as_str()),
            "url" => Value::from(e.page_url.as_str()),
            "date" => Value::from(words_of(&self.catalog).date(&ep.date)),
            "date_iso" => Value::from(ep.date.to_rfc3339()),
            "duration" => Value::from(crate::text::clock(e.primary_media().info.whole_seconds())),
            "duration_iso" => Value::from(iso_duration(e.primary_media().info.whole_seconds())),
            "guests" => Value::from(Serde(&ep.guests)),
            "number" => Value::from(Serde(ep.number)),
            "season" => Value::from(Serde(ep.season)),
            "episode_type" => Value::from(ep.episode_type.as_str()),
            "notes_html" => Value::from(e.page_notes_html().as_ref()),
            "sources" => Value::from(Serde(sources(e, words_of(&self.catalog)))),
            "chapters" => Value::from(Serde(chapters(e))),
            "transcript" => Value::from(Serde(transcript(e))),
            "transcripts" => Value::from(Serde(transcript_files(e))),
            "image" => Value::from(ep.image.as_ref().map(|a| crate::feed::asset_url(&self.catalog, a))),
            "image_path" => Value::from(match &ep.image {
                Some(Asset::Local(f)) => crate::text::encode_path(&f.rel),
                _ => String::new(),
            }),
            "transcript_language" => {
                Value::from(ep.transcripts.iter().find(|t| t.kind.is_timed()).map(|t| t.language.as_str()))
            }
            "transcript_dir" => Value::from(transcript_dir(ep, &self.catalog.podcast.language)),
            "excerpt" => Value::from(crate::markdown::episode_excerpt(&ep.notes, &ep.title, 200)),
            "audio_url" => Value::from(e.primary_media().url.as_str()),
            "audio_type" => Value::from(e.primary_media().info.mime_type()),
            "jsonld" => Value::from(Serde(episode_jsonld(&self.catalog, e))),
            _ => return None,
        })
    }
}

impl Object for EpisodeView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.field(key.as_str()?)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(EPISODE_FIELDS)
    }
}

/// Printed as the map it is (`{{ episode|pprint }}`), not as the catalog.
impl std::fmt::Debug for EpisodeView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields = EPISODE_FIELDS.iter().map(|k| (Value::from(*k), self.field(k).unwrap_or_default()));
        f.debug_map().entries(fields).finish()
    }
}

/// Episodes, newest first, as templates see them (`episodes`): the
/// catalog's, by number.
#[derive(Debug)]
struct EpisodeList(Arc<Catalog>, Vec<usize>);

impl Object for EpisodeList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let n = *self.1.get(key.as_usize()?)?;
        Some(Value::from_object(EpisodeView { catalog: self.0.clone(), n }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.1.len())
    }
}

/// Renders pages one at a time, so a big show never holds them all in
/// memory: page 0 is the index, page `i` the episode `i - 1`, then the
/// years of the archive (see [`Renderer::page`]).
pub struct Renderer {
    env: Environment<'static>,
    catalog: Arc<Catalog>,
    feed_views: Vec<FeedView>,
    shared: [Fingerprint; 2],
    years: Vec<Year>,
    /// Of each episode, the ones its page links to (see [`neighbours`]).
    neighbours: Vec<[Option<usize>; 2]>,
    /// What was found in the templates folder that podsmith does not read.
    warnings: Vec<crate::diagnostic::Diagnostic>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("pages", &self.len()).finish_non_exhaustive()
    }
}

impl Renderer {
    /// Compiles the templates (the show's own, else the built-in ones).
    pub fn new(catalog: &Arc<Catalog>, feeds: &[Feed], templates_dir: &Path) -> Result<Renderer, TemplateError> {
        let Compiled { env, sources, unshown, partials } = environment(templates_dir)?;
        let mut warnings = unread_templates(templates_dir, &partials);
        warnings.extend(unshown);
        let feed_views: Vec<FeedView> = feeds
            .iter()
            .map(|f| {
                let label = match f.format {
                    None => "RSS".to_string(),
                    Some(fmt) => format!("RSS ({})", fmt.label()),
                };
                let url = moved_to(catalog, f.format.map(|f| f.extension())).unwrap_or_else(|| f.url.clone());
                FeedView { title: format!("{} — {label}", catalog.podcast.title), label, url }
            })
            .collect();
        let shared = ["", "../../"].map(|root| {
            let show = serde_json::to_vec(&show_view(catalog, &feed_views, root)).unwrap_or_default();
            let mut h = Sha256::new();
            for part in [sources.as_slice(), root.as_bytes(), &show] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
            Fingerprint::from_digest(h.finalize().into())
        });
        let (years, neighbours) = (archive_years(catalog), neighbours(catalog));
        Ok(Renderer { env, catalog: catalog.clone(), feed_views, shared, years, neighbours, warnings })
    }

    /// Files in the templates folder that podsmith does not read (a
    /// misspelt override is otherwise ignored without a word).
    pub fn warnings(&self) -> &[crate::diagnostic::Diagnostic] {
        &self.warnings
    }

    /// What page `i` is.
    pub fn page(&self, i: usize) -> Page {
        let episodes = self.catalog.episodes.len();
        match i {
            0 => Page::Index,
            i if i <= episodes => Page::Episode(i - 1),
            i => Page::Year(i - 1 - episodes),
        }
    }

    /// What page `i` shows of the show's episodes and archive (with
    /// [`Renderer::shared_inputs`], what it is made from).
    pub fn inputs(&self, i: usize) -> PageInputs {
        match self.page(i) {
            Page::Index => PageInputs {
                episodes: listening_order(&self.catalog).into_iter().take(INDEX_EPISODES).collect(),
                archive: (!self.years.is_empty()).then(|| self.archive_fingerprint(None)),
                neighbours: [None, None],
            },
            Page::Episode(n) => PageInputs { episodes: vec![n], archive: None, neighbours: self.neighbours[n] },
            Page::Year(y) => PageInputs {
                episodes: self.years[y].episodes.clone(),
                archive: Some(self.archive_fingerprint(Some(self.years[y].year))),
                neighbours: [None, None],
            },
        }
    }

    /// The archive as the index (`None`) or the page of a year lists it:
    /// the years, and on the index how many episodes each has.
    fn archive_fingerprint(&self, page_of: Option<i32>) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(format!("archive page of {page_of:?}:").as_bytes());
        for y in &self.years {
            let count = if page_of.is_none() { y.episodes.len() } else { 0 };
            h.update(format!("{} {count};", y.year).as_bytes());
        }
        Fingerprint::from_digest(h.finalize().into())
    }

    /// The archive as templates see it (`archive`), its paths from the site's root.
    fn archive_view(&self) -> Vec<YearView> {
        let year = |y: &Year| YearView { year: y.year, path: y.folder(), count: y.episodes.len() };
        self.years.iter().map(year).collect()
    }

    /// The fingerprint of what page `i` is made from besides its episodes
    /// and archive (the templates, the show, the feeds): with the
    /// episodes' keys and [`Renderer::inputs`], the key under which the
    /// build keeps the page.
    pub fn shared_inputs(&self, i: usize) -> Fingerprint {
        self.shared[usize::from(i != 0)]
    }

    /// How many pages there are.
    pub fn len(&self) -> usize {
        self.catalog.episodes.len() + 1 + self.years.len()
    }

    /// Whether there are no pages (never: there is always the index).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Page `i`'s path inside `public/`.
    pub fn path(&self, i: usize) -> String {
        match self.page(i) {
            Page::Index => "index.html".into(),
            Page::Episode(n) => format!("{}index.html", self.catalog.episodes[n].page_path),
            Page::Year(y) => format!("{}index.html", self.years[y].folder()),
        }
    }

    /// Renders page `i`; an error names the page (and its episode).
    pub fn render(&self, i: usize) -> Result<String, TemplateError> {
        self.render_page(i).map_err(|mut e| {
            let episode = match self.page(i) {
                Page::Episode(n) => {
                    format!(" ({})", crate::text::episode_place(&self.catalog.episodes[n].episode.title))
                }
                _ => String::new(),
            };
            e.name = format!("{}, making {}{episode}", e.name, self.path(i));
            e
        })
    }

    fn render_page(&self, i: usize) -> Result<String, TemplateError> {
        let list = |episodes: Vec<usize>| Value::from_object(EpisodeList(self.catalog.clone(), episodes));
        let archive = || Serde(self.archive_view());
        match self.page(i) {
            Page::Index => {
                let show = show_view(&self.catalog, &self.feed_views, "");
                let episodes = list(self.inputs(i).episodes);
                let ctx = context! { root => "", show => Serde(&show), episodes => episodes, archive => archive() };
                render(&self.env, "index.html", ctx, PAGE_MAX)
            }
            Page::Episode(n) => {
                let root = "../../";
                let show = show_view(&self.catalog, &self.feed_views, root);
                let view = |n: usize| Value::from_object(EpisodeView { catalog: self.catalog.clone(), n });
                let [previous, next] = self.neighbours[n].map(|m| m.map(view));
                let ctx = context! {
                    root => root, show => Serde(&show), episode => view(n), previous => previous, next => next
                };
                render(
                    &self.env,
                    "episode.html",
                    ctx,
                    PAGE_MAX.saturating_add(transcript_room(&self.catalog.episodes[n])),
                )
            }
            Page::Year(y) => {
                let root = "../../";
                let show = show_view(&self.catalog, &self.feed_views, root);
                let (year, episodes) = (self.years[y].year, list(self.years[y].episodes.clone()));
                let ctx = context! {
                    root => root, show => Serde(&show), year => year, episodes => episodes, archive => archive()
                };
                render(&self.env, "archive.html", ctx, PAGE_MAX)
            }
        }
    }
}

/// The most partials (see [`partial_names`]) a templates folder may have.
const PARTIALS_MAX: usize = 200;

/// The files of `templates_dir` the pages are made with, by name: the
/// page templates it overrides (a link to nothing too: it is an error)
/// and its partials.
pub fn template_names(templates_dir: &Path) -> Vec<String> {
    let pages = DEFAULTS.iter().map(|(name, _)| *name).filter(|n| templates_dir.join(n).symlink_metadata().is_ok());
    pages.map(str::to_string).chain(partial_names(templates_dir)).collect()
}

/// The names of the files of `templates_dir` that are not among the five
/// page templates but may be included by them (`{% include "footer.html" %}`,
/// `{% import "macros.html" as m %}`, or extended): each `.html` file of
/// the folder itself, not hidden, sorted; at most [`PARTIALS_MAX`].
fn partial_names(templates_dir: &Path) -> Vec<String> {
    let mut names = other_html_files(templates_dir);
    names.truncate(PARTIALS_MAX);
    names
}

/// The `.html` files of `templates_dir` itself (any case, not hidden)
/// that are none of the page templates, sorted.
fn other_html_files(templates_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(templates_dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && n.to_ascii_lowercase().ends_with(".html"))
        .filter(|n| !DEFAULTS.iter().any(|(known, _)| known == n))
        .collect();
    names.sort();
    names
}

/// The templates of a show, compiled (see [`environment`]).
struct Compiled {
    env: Environment<'static>,
    /// Their sources, each with its length (the partials' with their names).
    sources: Vec<u8>,
    /// The blocks a page template fills that its frame does not show.
    unshown: Vec<Diagnostic>,
    /// The partials read (name and source), which pages may include.
    partials: Vec<(String, String)>,
}

/// The templates of `templates_dir` (the built-in ones where it has none), compiled.
fn environment(templates_dir: &Path) -> Result<Compiled, TemplateError> {
    let mut env = Environment::new();
    let mut sources = Vec::new();
    let mut read: Vec<(&str, String, String)> = Vec::with_capacity(DEFAULTS.len());
    // A value a page does not have (a misspelt `episode.tilte`) is an
    // error, not an empty string; `{% if episode.image %}` still tests one.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    // The same words in every build of podsmith (a debug build's minijinja
    // would add its own); what is at fault is named by `render`.
    env.set_debug(false);
    env.set_formatter(html_formatter);
    // Every template makes HTML, whatever its name's case (`Title.HTML`:
    // minijinja's own rule escapes only names ending in `.html`).
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    // A template of a show from anyone cannot run for ever.
    env.set_fuel(Some(FUEL));
    let show_root = match templates_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let show_root = show_root.canonicalize().unwrap_or(show_root);
    env.add_filter("fill", fill_filter);
    // `{{ show.words.episode|numbered(episode.number) }}`: "Episode 3", "第3話".
    env.add_filter("numbered", |word: &str, n: Value| crate::words::numbered(word, &n.to_string()));
    // A show folder may come from anyone: a template that is a link (or in
    // a templates folder that is one) is read only if it leads to a file
    // in the show folder, as the manifest's files are.
    let inside = |path: &Path| match path.canonicalize() {
        Ok(real) if !real.starts_with(&show_root) => Err(TemplateError {
            name: path.display().to_string(),
            detail: format!(
                "is a link to {}, outside the show folder: copy the file into the show's templates folder",
                real.display()
            ),
        }),
        _ => Ok(()),
    };
    // The partials first: a page template may include them.
    let mut partials = Vec::new();
    for name in partial_names(templates_dir) {
        let path = templates_dir.join(&name);
        inside(&path)?;
        let source = crate::fsutil::read_string(&path, crate::fsutil::TEMPLATE)
            .map_err(|e| TemplateError { name: path.display().to_string(), detail: format!("cannot read: {e}") })?;
        let source = without_bom(source);
        sources.extend_from_slice(&(name.len() as u64).to_le_bytes());
        sources.extend_from_slice(name.as_bytes());
        sources.extend_from_slice(&(source.len() as u64).to_le_bytes());
        sources.extend_from_slice(source.as_bytes());
        env.add_template_owned(name.clone(), source.clone())
            .map_err(|e| TemplateError { name: path.display().to_string(), detail: describe(&e) })?;
        partials.push((name, source));
    }
    for (name, source) in DEFAULTS {
        let path = templates_dir.join(name);
        inside(&path)?;
        let (source, origin) = match crate::fsutil::read_string(&path, crate::fsutil::TEMPLATE) {
            Ok(s) => (without_bom(s), path.display().to_string()),
            // A link to nothing is an override that went missing (its
            // target not committed): not the built-in page, without a word.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_symlink() => {
                let to = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default();
                return Err(TemplateError {
                    name: path.display().to_string(),
                    detail: format!(
                        "is a link to {to}, which does not exist: put the template there, or remove the link for \
                         the built-in {name}"
                    ),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ((*source).to_string(), format!("{name} (built in)")),
            Err(e) => {
                return Err(TemplateError { name: path.display().to_string(), detail: format!("cannot read: {e}") });
            }
        };
        sources.extend_from_slice(&(source.len() as u64).to_le_bytes());
        sources.extend_from_slice(source.as_bytes());
        env.add_template_owned(*name, source.clone())
            .map_err(|e| TemplateError { name: origin.clone(), detail: describe(&e) })?;
        read.push((name, source, origin));
    }
    Ok(Compiled { env, sources, unshown: unshown_blocks(&read), partials })
}

/// A warning for each block a page template fills that the `base.html` it
/// extends does not have: minijinja shows nothing of it, without a word
/// (an override's `{% block content %}` where the frame has `body`). Of
/// `read`: each template's name, source and where it came from.
fn unshown_blocks(read: &[(&str, String, String)]) -> Vec<Diagnostic> {
    let Some((_, base, base_origin)) = read.iter().find(|(name, ..)| *name == "base.html") else { return Vec::new() };
    // A page may fill any block of the frame, one inside another too.
    let framed = block_names(base, false);
    let base_is_own = !base_origin.ends_with("(built in)");
    let mut out = Vec::new();
    for (name, source, origin) in read.iter().filter(|(name, ..)| *name != "base.html") {
        if !extends_base(source) {
            continue;
        }
        // Only its own top blocks: one inside another is shown with it.
        for block in block_names(source, true).into_iter().filter(|b| !framed.contains(b)) {
            let help = match (base_is_own, origin.ends_with("(built in)")) {
                (true, true) => format!(
                    "the built-in {name} fills `{block}`: give your base.html a {{% block {block} %}}{{% endblock %}} \
                     where it goes"
                ),
                _ => format!(
                    "{name} extends base.html, whose blocks are {}: name the block as base.html does",
                    framed.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(
                Diagnostic::warning(
                    "TEMPLATE-BLOCK",
                    format!(
                        "{origin} fills block `{block}`, which {base_origin} does not have: nothing of it is shown"
                    ),
                )
                .help(help),
            );
        }
    }
    out
}

/// The tags of `source` (`block body`, `endblock`), each as written
/// between `{%` and `%}` without its whitespace marks; not those in a
/// comment (`{# {% block x %} #}`).
fn tags(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = source;
    loop {
        let (tag, comment) = (rest.find("{%"), rest.find("{#"));
        match (tag, comment) {
            (Some(t), c) if c.is_none_or(|c| t < c) => {
                let after = &rest[t + 2..];
                let Some(end) = after.find("%}") else { break };
                out.push(after[..end].trim_matches(['-', '+', '~']).trim());
                rest = &after[end + 2..];
            }
            (_, Some(c)) => match rest[c + 2..].find("#}") {
                Some(end) => rest = &rest[c + 2 + end + 2..],
                None => break,
            },
            _ => break,
        }
    }
    out
}

/// Whether `source` extends `base.html` itself (`{% extends "base.html" %}`,
/// however spaced).
fn extends_base(source: &str) -> bool {
    tags(source).iter().any(|t| {
        t.strip_prefix("extends")
            .filter(|r| r.starts_with(char::is_whitespace))
            .is_some_and(|r| matches!(r.trim(), "\"base.html\"" | "'base.html'"))
    })
}

/// The names of the blocks `source` defines (`{% block body %}`), in order:
/// all, or (`top`) only those that are in no other.
fn block_names(source: &str, top: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for tag in tags(source) {
        let word = tag.split_whitespace().next().unwrap_or("");
        if word == "endblock" {
            depth = depth.saturating_sub(1);
            continue;
        }
        if word != "block" {
            continue;
        }
        let name: String =
            tag["block".len()..].trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && !out.contains(&name) && (!top || depth == 0) {
            out.push(name);
        }
        depth += 1;
    }
    out
}

/// A warning for each file in `templates_dir` that looks meant as a
/// template (`.html`, any case) but is none podsmith reads as a page, with
/// the name it likely meant: one whose name is a page template's
/// misspelt, or that no template names (includes) of the `partials` read.
fn unread_templates(templates_dir: &Path, partials: &[(String, String)]) -> Vec<crate::diagnostic::Diagnostic> {
    let names = other_html_files(templates_dir);
    let named = |n: &str| {
        let sources = partials.iter().map(|(_, s)| s.as_str());
        let pages = DEFAULTS
            .iter()
            .filter_map(|(k, _)| crate::fsutil::read_string(&templates_dir.join(k), crate::fsutil::TEMPLATE).ok());
        let quoted = [format!("\"{n}\""), format!("'{n}'")];
        sources.map(str::to_string).chain(pages).any(|s| quoted.iter().any(|q| s.contains(q.as_str())))
    };
    let over = names.get(PARTIALS_MAX..).unwrap_or_default().to_vec();
    let mut out: Vec<crate::diagnostic::Diagnostic> = names
        .into_iter()
        .take(PARTIALS_MAX)
        .filter(|n| !named(n))
        .map(|n| {
            let lower = n.to_ascii_lowercase();
            let near = DEFAULTS.iter().map(|(k, _)| *k).min_by_key(|k| crate::text::edit_distance(&lower, k));
            let meant = near.filter(|k| crate::text::edit_distance(&lower, k) <= 2);
            let help = match meant {
                Some(k) => format!("to change the built-in {k}, name the file {k}"),
                None => format!(
                    "podsmith reads {} from templates/ as pages (the others are built in); any other .html file \
                     there is a partial a template includes by its name ({{% include \"{n}\" %}}), and none does",
                    DEFAULTS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ),
            };
            let path = templates_dir.join(&n);
            crate::diagnostic::Diagnostic::warning(
                "TEMPLATE-UNREAD",
                format!("{} is not a template podsmith reads", path.display()),
            )
            .help(help)
        })
        .collect();
    if let Some(first) = over.first() {
        out.push(
            crate::diagnostic::Diagnostic::warning(
                "TEMPLATE-UNREAD",
                format!(
                    "{} holds {} partials, and podsmith reads at most {PARTIALS_MAX}: {first} and {} after it (by \
                     name) are not read",
                    templates_dir.display(),
                    PARTIALS_MAX + over.len(),
                    crate::text::count(over.len() - 1, "other"),
                ),
            )
            .help("put partials together in fewer files, or remove those no template includes"),
        );
    }
    out
}

/// `{{ show.words.listen|fill(format=source.label, duration=source.duration) }}`:
/// the phrase with its blanks filled, in one pass (see [`crate::words::fill`]).
fn fill_filter(phrase: &str, kwargs: minijinja::value::Kwargs) -> Result<String, minijinja::Error> {
    let mut values = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        values.push((name, value.to_string()));
    }
    let blanks = crate::words::blanks(phrase);
    let wrong = |what: String| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, what);
    if let Some((name, _)) = values.iter().find(|(n, _)| !blanks.contains(n)) {
        let takes = blanks.iter().map(|b| format!("{b}=")).collect::<Vec<_>>().join(", ");
        return Err(wrong(format!("fill({name}=…): \"{phrase}\" has no {{{name}}}; it takes {takes}")));
    }
    if let Some(name) = blanks.iter().find(|b| !values.iter().any(|(n, _)| n == *b)) {
        return Err(wrong(format!("fill leaves {{{name}}} of \"{phrase}\" unfilled: give {name}=…")));
    }
    Ok(crate::words::fill(phrase, |name| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())))
}

/// minijinja's HTML escaping also escapes `/`, which makes every URL in the
/// page source read `..&#x2f;..&#x2f;media`; escape just the five characters
/// that matter in HTML text and quoted attributes.
fn html_formatter(out: &mut Output<'_>, state: &mut State<'_, '_>, value: &Value) -> Result<(), minijinja::Error> {
    // A value an episode lacks (`{{ episode.season }}`) prints nothing, not
    // "none" on a published page.
    if value.is_none() {
        return Ok(());
    }
    match value.as_str() {
        Some(s) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            let mut escaped = String::with_capacity(s.len() + 16);
            for c in s.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped)
                .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Renders template `name` with `ctx` into a page of at most `most` bytes.
fn render(env: &Environment<'_>, name: &str, ctx: Value, most: usize) -> Result<String, TemplateError> {
    let template = env.get_template(name).map_err(|e| TemplateError { name: name.into(), detail: describe(&e) })?;
    // The template at fault, which may be one this one extends or includes.
    let failed = |e: minijinja::Error| {
        let at = e.name().filter(|at| *at != name).map(|at| format!("{at} (used by {name})"));
        let mut detail = describe(&e);
        // What is at fault, as the template writes it (`episode.tilte`):
        // minijinja's words name only its kind.
        let template = e.name().and_then(|n| env.get_template(n).ok());
        let source = template.as_ref().map(|t| t.source());
        if let Some(what) = e.range().zip(source).and_then(|(r, src)| src.get(r)).map(str::trim)
            && !what.is_empty()
            && what.chars().count() <= 80
            && !what.contains('\n')
        {
            detail.push_str(&format!(": `{what}`"));
        }
        TemplateError { name: at.unwrap_or_else(|| name.into()), detail }
    };
    let mut page = Bounded { bytes: Vec::new(), over: false, most };
    let rendered = template.render_captured_to(ctx, &mut page).map(drop);
    let runaway = |what: String| TemplateError {
        name: name.into(),
        detail: format!("{what}: a loop that runs away? (no page of a show needs that)"),
    };
    if page.over {
        return Err(runaway(format!("it makes a page of more than {} MB", most >> 20)));
    }
    match rendered {
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => {
            return Err(runaway(format!("it takes more than {FUEL} steps to make one page")));
        }
        Err(e) => return Err(failed(e)),
        Ok(_) => {}
    }
    let mut html = String::from_utf8(page.bytes)
        .map_err(|_| TemplateError { name: name.into(), detail: "it makes a page that is not UTF-8 text".into() })?;
    // An empty template (a file saved before it was written, or cut short)
    // makes every page of it blank: never what is meant to be published.
    if html.trim().is_empty() {
        return Err(TemplateError {
            name: name.into(),
            detail: "it makes an empty page: write the page's HTML in it, or remove the file for the built-in page"
                .into(),
        });
    }
    if !html.ends_with('\n') {
        html.push('\n');
    }
    Ok(html)
}

/// A template's text without the byte order mark some editors save
/// first (it would be copied into the page).
fn without_bom(source: String) -> String {
    match source.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => source,
    }
}

/// The most steps a template may take to make one page (minijinja's
/// fuel): far more than any page of a 10,000-episode show takes, far less
/// than a loop that runs away.
const FUEL: u64 = 50_000_000;

/// The largest page a template may make, but an episode's transcript
/// (its timed transcript's room besides): far larger than any page of a show needs (its
/// notes are at most 4 MB), far smaller than what a loop that runs away
/// writes for every episode.
pub const PAGE_MAX: usize = 16 << 20;

/// The room an episode's page has besides [`PAGE_MAX`] for the timed
/// transcript it shows cue by cue (the first: see `transcript`): its text
/// (escaped, at most six times as long: `"` is `&quot;`) and the markup
/// around each cue (a few hundred bytes in the built-in page; a kilobyte
/// allowed). A transcript is at most 16 MB and 100,000 cues, so the room
/// is at most about 200 MB, for that transcript alone.
fn transcript_room(e: &LiveEpisode) -> usize {
    let Some(t) = e.episode.transcripts.iter().find(|t| t.kind.is_timed()) else { return 0 };
    t.bytes.len().saturating_mul(6).saturating_add(t.cues.len().saturating_mul(1024))
}

/// A page being made, refused past `most` bytes.
struct Bounded {
    bytes: Vec<u8>,
    over: bool,
    most: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + b.len() > self.most {
            self.over = true;
            return Err(std::io::Error::other("the page is too big"));
        }
        self.bytes.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// minijinja's error, with its causes: each said once (a template that
/// includes itself is one cause forty-nine times over), at most 600
/// characters.
fn describe(e: &minijinja::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let said = inner.to_string();
        if !parts.contains(&said) {
            parts.push(said);
        }
        source = inner.source();
    }
    crate::text::truncate_chars(&parts.join(": "), 600)
}

fn show_view<'a>(catalog: &'a Catalog, feeds: &'a [FeedView], root: &str) -> ShowView<'a> {
    let p = &catalog.podcast;
    ShowView {
        title: &p.title,
        description: &p.description,
        author: &p.author,
        language: &p.language,
        english: p.language.get(..2).is_some_and(|l| l.eq_ignore_ascii_case("en"))
            && p.language.get(2..3).is_none_or(|c| c == "-"),
        og_locale: og_locale(&p.language),
        rtl: right_to_left(&p.language),
        words: words_of(catalog),
        foreign_words: words_of(catalog).foreign_to(&p.language),
        copyright: p.copyright.as_deref(),
        link: p.link.as_str(),
        cover: match &p.image {
            Asset::Local(f) => format!("{root}{}", crate::text::encode_path(&f.rel)),
            Asset::Remote(url) => url.to_string(),
        },
        feeds,
        url: p.base_url.as_str(),
        cover_url: crate::feed::asset_url(catalog, &p.image),
        excerpt: crate::markdown::plain_excerpt(&p.description, 200),
        serial: p.show_type == crate::manifest::ShowType::Serial,
        seasons: several_seasons(catalog),
        english_words: p.words.as_ref().map(|w| w.english(&p.language)).unwrap_or_default(),
        subscribe: p.tags.subscribe.iter().map(|(label, url)| LinkView { label, url: url.to_string() }).collect(),
        jsonld: series_jsonld(catalog),
    }
}

/// Whether the show's episodes are of more than one season (episodes of
/// no season aside).
fn several_seasons(catalog: &Catalog) -> bool {
    let mut seasons = catalog.episodes.iter().filter_map(|e| e.episode.season);
    let first = seasons.next();
    seasons.any(|s| Some(s) != first)
}

/// Whether the language of `tag` (ISO 639, with a region or not) is
/// written right to left.
fn right_to_left(tag: &str) -> bool {
    const RTL: [&str; 13] = ["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ps", "sd", "ug", "ur", "yi", "ji"];
    let tag = tag.to_ascii_lowercase();
    let first = tag.split(['-', '_']).next().unwrap_or("");
    RTL.contains(&first) || tag.contains("-arab") || tag.contains("-hebr")
}

/// A BCP 47 language tag as Open Graph's `og:locale` has it,
/// `language_TERRITORY` (`en-us` -> `en_US`, `zh-Hant-TW` -> `zh_TW`):
/// only where the tag names a region by its two letters (a language alone
/// says no territory, and Open Graph takes none but `en_US` by default).
fn og_locale(tag: &str) -> Option<String> {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().filter(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()))?;
    // A script (four letters) may come between.
    let region = parts.find(|p| p.len() != 4).filter(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))?;
    Some(format!("{}_{}", language.to_ascii_lowercase(), region.to_ascii_uppercase()))
}

/// Where the show moved a feed (`new_feed_url` for feed.xml, of
/// `new_feed_urls` by extension for another): the pages send listeners
/// there, not to a feed that tells apps it has moved.
fn moved_to(catalog: &Catalog, extension: Option<&str>) -> Option<String> {
    let p = &catalog.podcast;
    let moved = match extension {
        None => p.new_feed_url.as_ref(),
        Some(ext) => p.new_feed_urls.get(ext),
    };
    moved.map(|u| u.as_str().to_string())
}

/// schema.org `PodcastSeries` of the show.
fn series_jsonld(catalog: &Catalog) -> serde_json::Value {
    let p = &catalog.podcast;
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": p.title,
        "description": p.description,
        "url": p.base_url.as_str(),
        "image": crate::feed::asset_url(catalog, &p.image),
        "webFeed": moved_to(catalog, None).unwrap_or_else(|| catalog.feed_url()),
        "inLanguage": p.language,
        "author": { "@type": "Person", "name": p.author },
    })
}

/// schema.org `PodcastEpisode` of an episode, with its duration in ISO 8601.
fn episode_jsonld(catalog: &Catalog, e: &LiveEpisode) -> serde_json::Value {
    let m = e.primary_media();
    let duration = iso_duration(m.info.whole_seconds());
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": e.episode.title,
        "url": e.page_url,
        "datePublished": e.episode.date.to_rfc3339(),
        "duration": duration,
        "timeRequired": duration,
        "associatedMedia": {
            "@type": "MediaObject",
            "contentUrl": m.url,
            "encodingFormat": m.info.mime_type(),
            "duration": duration,
        },
        "partOfSeries": {
            "@type": "PodcastSeries",
            "name": catalog.podcast.title,
            "url": catalog.podcast.base_url.as_str(),
            "webFeed": moved_to(catalog, None).unwrap_or_else(|| catalog.feed_url()),
        },
        "image": crate::feed::asset_url(catalog, e.episode.image.as_ref().unwrap_or(&catalog.podcast.image)),
        "inLanguage": catalog.podcast.language,
    });
    // Notes that say nothing but their title (or a code block): no
    // description, rather than an empty one.
    let description = crate::markdown::episode_excerpt(&e.episode.notes, &e.episode.title, 300);
    if !description.is_empty() {
        v["description"] = description.into();
    }
    if let Some(n) = e.episode.number {
        v["episodeNumber"] = n.into();
    }
    if let Some(n) = e.episode.season {
        v["partOfSeason"] = serde_json::json!({ "@type": "PodcastSeason", "seasonNumber": n });
    }
    v
}

/// The writing direction of episode `e`'s first timed transcript, by its
/// language, where it is not that of the pages (in `language`): `rtl`
/// (Arabic, Hebrew …) on a page written left to right, `ltr` on one
/// written right to left; `None` otherwise, or without one.
fn transcript_dir(e: &crate::manifest::Episode, language: &str) -> Option<&'static str> {
    let t = e.transcripts.iter().find(|t| t.kind.is_timed())?;
    match (right_to_left(&t.language), right_to_left(language)) {
        (true, false) => Some("rtl"),
        (false, true) => Some("ltr"),
        _ => None,
    }
}

/// `PT1H2M3S`.
fn iso_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}M"));
    }
    out.push_str(&format!("{s}S"));
    out
}

/// A chapter as templates see it.
#[derive(Serialize)]
struct ChapterView {
    /// Start in seconds (for `#t=` and seeking).
    start: f64,
    /// Start as `M:SS` or `H:MM:SS`.
    time: String,
    /// Start as an HTML duration (`PT12M30S`), for `<time datetime>`.
    datetime: String,
    title: String,
    /// The title's direction where most of its words are not of its first
    /// letter's (see [`crate::text::direction`]): a Hebrew title that opens
    /// with a Latin name is still right to left.
    dir: Option<&'static str>,
    url: Option<String>,
}

/// The chapters of the table of contents, as templates see them.
fn chapters(e: &LiveEpisode) -> Vec<ChapterView> {
    e.episode
        .chapters
        .iter()
        .flat_map(|c| &c.list)
        .filter(|c| c.toc)
        .map(|c| ChapterView {
            start: c.start,
            time: crate::chapters::clock(c.start),
            datetime: crate::chapters::duration_string(c.start),
            title: c.title.clone(),
            dir: crate::text::direction(&c.title),
            url: c.url.as_ref().map(ToString::to_string),
        })
        .collect()
}

/// The episode's first timed transcript as templates see it: its
/// paragraphs (see [`crate::transcript::paragraphs`]).
fn transcript(e: &LiveEpisode) -> Vec<crate::transcript::CueView> {
    let Some(t) = e.episode.transcripts.iter().find(|t| t.kind.is_timed()) else { return Vec::new() };
    crate::transcript::paragraphs(t)
}

/// A transcript file as templates see it.
#[derive(Serialize)]
struct TranscriptFile {
    /// Its file name beside the page (`transcript.vtt`).
    name: String,
    /// "WebVTT", "SRT", "JSON", "HTML"; with the language first ("de, WebVTT")
    /// where the episode has transcripts in more than one.
    label: String,
    language: String,
}

/// The transcript files published beside the page.
fn transcript_files(e: &LiveEpisode) -> Vec<TranscriptFile> {
    use crate::transcript::Kind;
    let files = crate::feed::transcript_files(&e.episode);
    let several = files.iter().any(|f| f.2 != files[0].2);
    files
        .into_iter()
        .map(|(name, kind, language, _)| {
            let kind = match kind {
                Kind::Vtt => "WebVTT",
                Kind::Srt => "SRT",
                Kind::Json => "JSON",
                Kind::Html => "HTML",
            };
            TranscriptFile {
                name,
                label: if several { format!("{language}, {kind}") } else { kind.to_string() },
                language: language.to_string(),
            }
        })
        .collect()
}

/// The pages' own words for the show's language, as the show gives them.
fn words_of(catalog: &Catalog) -> Words<'_> {
    Words::of_show(&catalog.podcast.language, catalog.podcast.words.as_ref())
}

/// The files an episode is published in, as templates see them.
fn sources(e: &LiveEpisode, words: Words<'_>) -> Vec<SourceView> {
    e.media
        .iter()
        .map(|m| SourceView {
            path: m.file.local().map(|f| crate::text::encode_path(&f.rel)).unwrap_or_default(),
            hosted: m.file.hosted().is_some(),
            url: m.url.clone(),
            mime_type: m.info.mime_type(),
            label: m.info.format.label(),
            duration: crate::text::clock(m.info.whole_seconds()),
            seconds: m.info.whole_seconds(),
            bytes: m.info.bytes,
            size: words.size(m.info.bytes),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The room a page has for its transcript is that of the one it shows
    /// (quotes escaped six times as long): one file listed in many
    /// languages does not make it many times larger.
    #[test]
    fn a_page_has_room_for_the_transcript_it_shows_alone() {
        let catalog = crate::catalog::tests::sample_catalog();
        let mut e = catalog.episodes.into_iter().find(|e| !e.episode.transcripts.is_empty()).unwrap();
        let t = e.episode.transcripts.iter().find(|t| t.kind.is_timed()).unwrap().clone();
        assert_eq!(transcript_room(&e), t.bytes.len() * 6 + t.cues.len() * 1024);
        let room = transcript_room(&e);
        for language in ["de", "fr", "es", "it", "nl"] {
            e.episode.transcripts.push(crate::transcript::Transcript { language: language.into(), ..t.clone() });
        }
        assert_eq!(transcript_room(&e), room);
    }

    #[test]
    fn open_graph_locales_are_written_where_the_language_names_a_region() {
        for (tag, locale) in [
            ("en-US", Some("en_US")),
            ("pt-br", Some("pt_BR")),
            ("zh-Hant-TW", Some("zh_TW")),
            ("de_AT", Some("de_AT")),
            ("fil-PH", Some("fil_PH")),
            ("en", None),
            ("es-419", None),
            ("zh-Hant", None),
            ("x-klingon", None),
            ("", None),
        ] {
            assert_eq!(og_locale(tag).as_deref(), locale, "{tag}");
        }
    }

    /// The episode views as they were made before they were lazy: every
    /// field, serialised. The lazy view must read the same in any template.
    #[derive(Serialize)]
    struct SerdeView<'a> {
        title: &'a str,
        slug: &'a str,
        guid: &'a str,
        path: &'a str,
        url: &'a str,
        date: String,
        date_iso: String,
        duration: String,
        duration_iso: String,
        guests: &'a [String],
        number: Option<u32>,
        season: Option<u32>,
        episode_type: &'static str,
        notes_html: String,
        sources: Vec<SourceView>,
        chapters: Vec<ChapterView>,
        transcript: Vec<crate::transcript::CueView>,
        transcripts: Vec<TranscriptFile>,
        image: Option<String>,
        image_path: String,
        transcript_language: Option<&'a str>,
        transcript_dir: Option<&'static str>,
        excerpt: String,
        audio_url: &'a str,
        audio_type: &'static str,
        jsonld: serde_json::Value,
    }

    fn serde_view<'a>(catalog: &'a Catalog, n: usize) -> SerdeView<'a> {
        let e = &catalog.episodes[n];
        let ep = &e.episode;
        SerdeView {
            title: &ep.title,
            slug: &ep.slug,
            guid: &ep.guid,
            path: &e.page_path,
            url: &e.page_url,
            date: words_of(catalog).date(&ep.date),
            date_iso: ep.date.to_rfc3339(),
            duration: crate::text::clock(e.primary_media().info.whole_seconds()),
            duration_iso: iso_duration(e.primary_media().info.whole_seconds()),
            guests: &ep.guests,
            number: ep.number,
            season: ep.season,
            episode_type: ep.episode_type.as_str(),
            notes_html: crate::markdown::page_html(&ep.notes, &ep.title, Some(&e.page_url)),
            sources: sources(e, words_of(catalog)),
            chapters: chapters(e),
            transcript: transcript(e),
            transcripts: transcript_files(e),
            image: ep.image.as_ref().map(|a| crate::feed::asset_url(catalog, a)),
            image_path: match &ep.image {
                Some(Asset::Local(f)) => crate::text::encode_path(&f.rel),
                _ => String::new(),
            },
            transcript_language: ep.transcripts.iter().find(|t| t.kind.is_timed()).map(|t| t.language.as_str()),
            transcript_dir: transcript_dir(ep, &catalog.podcast.language),
            excerpt: crate::markdown::episode_excerpt(&ep.notes, &ep.title, 200),
            audio_url: &e.primary_media().url,
            audio_type: e.primary_media().info.mime_type(),
            jsonld: episode_jsonld(catalog, e),
        }
    }

    #[test]
    fn lazy_episode_views_read_as_serialised_ones_in_any_template() {
        let mut catalog = crate::catalog::tests::sample_catalog();
        let last = catalog.episodes.last_mut().unwrap();
        last.episode.number = Some(7);
        last.episode.guests = vec!["A <guest>".into(), "B & C".into()];
        let catalog = Arc::new(catalog);
        let template = r#"{{ episodes|length }}|{{ episodes }}|{{ (episodes|last)|pprint }}|{{ episodes[0] }}
{% for e in episodes %}{% for k, v in e|items %}{{ k }}={{ v }};{% endfor %}{{ e.number is none }}{{ e.missing is undefined }}{{ e.sources[0].size }}
{% endfor %}{{ episodes|map(attribute="title")|join(", ") }}|{{ episodes|reverse|first|attr("slug") }}|{{ episodes|selectattr("number")|list|length }}
{{ episodes|sort(attribute="duration")|map(attribute="slug")|join }}|{{ (episodes|last).guests|join(" + ") }}|{{ episodes[0]|dictsort|first }}|{{ episodes[0].notes_html|safe }}"#;
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("t.html", template).unwrap();
        let t = env.get_template("t.html").unwrap();
        let lazy = t.render(context! { episodes => Value::from_object(EpisodeList(catalog.clone(), (0..catalog.episodes.len()).collect())) }).unwrap();
        let views: Vec<SerdeView<'_>> = (0..catalog.episodes.len()).map(|n| serde_view(&catalog, n)).collect();
        let eager = t.render(context! { episodes => Serde(&views) }).unwrap();
        assert_eq!(lazy, eager);
        assert!(lazy.contains("A &lt;guest&gt; + B &amp; C"), "{lazy}");
        for (n, view) in views.iter().enumerate() {
            let one = Value::from(vec![Value::from_object(EpisodeView { catalog: catalog.clone(), n })]);
            let lazy = t.render(context! { episodes => one });
            let eager = t.render(context! { episodes => Serde(std::slice::from_ref(view)) });
            assert_eq!(lazy.unwrap(), eager.unwrap());
        }
    }

    /// A show of more than [`INDEX_EPISODES`] episodes has a year of its
    /// archive for each year its dates give, in their own offsets (as its
    /// pages show them), newest first, each with its episodes in catalog
    /// order; a show of that many or fewer has none.
    #[test]
    fn the_archive_years_are_the_years_the_pages_show() {
        let mut catalog = crate::catalog::tests::sample_catalog();
        let one = catalog.episodes[0].clone();
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
        catalog.episodes = (0..INDEX_EPISODES).map(|_| one.clone()).collect();
        assert!(archive_years(&catalog).is_empty());
        let dates = ["2025-01-01T01:00:00+02:00", "2024-12-31T23:00:00-05:00", "2024-06-01T00:00:00Z"];
        for (e, date) in catalog.episodes.iter_mut().zip(dates) {
            e.episode.date = at(date);
        }
        for e in catalog.episodes.iter_mut().skip(3) {
            e.episode.date = at("2019-03-01T00:00:00Z");
        }
        catalog.episodes.push(one);
        catalog.episodes.last_mut().unwrap().episode.date = at("2018-03-01T00:00:00Z");
        let years: Vec<(i32, Vec<usize>)> = archive_years(&catalog).into_iter().map(|y| (y.year, y.episodes)).collect();
        assert_eq!(
            years,
            [(2025, vec![0]), (2024, vec![1, 2]), (2019, (3..INDEX_EPISODES).collect()), (2018, vec![INDEX_EPISODES])]
        );
        assert_eq!(Year { year: 2024, episodes: Vec::new() }.folder(), "archive/2024/");
        // A serial show's year lists its episodes oldest first (as heard),
        // and the index its first hundred that way: the newest season first.
        catalog.podcast.show_type = crate::manifest::ShowType::Serial;
        let years: Vec<(i32, Vec<usize>)> = archive_years(&catalog).into_iter().map(|y| (y.year, y.episodes)).collect();
        assert_eq!(years[1], (2024, vec![2, 1]));
        catalog.episodes[2].episode.season = Some(2);
        let order = listening_order(&catalog);
        assert_eq!(order[..3], [2, INDEX_EPISODES, 3]);
    }

    #[test]
    fn no_episodes_read_as_an_empty_list() {
        let mut catalog = crate::catalog::tests::sample_catalog();
        catalog.episodes.clear();
        let env = Environment::new();
        let t = "{% if episodes %}some{% else %}none{% endif %}|{{ episodes|length }}|{% for e in episodes %}x{% else %}empty{% endfor %}|{{ episodes }}";
        let lazy =
            env.render_str(t, context! { episodes => Value::from_object(EpisodeList(Arc::new(catalog), Vec::new())) });
        assert_eq!(lazy.unwrap(), "none|0|empty|[]");
    }

    #[test]
    fn default_templates_compile() {
        let Compiled { env, unshown, .. } = environment(Path::new("/nonexistent-templates-dir")).unwrap();
        for (name, _) in DEFAULTS {
            env.get_template(name).unwrap();
        }
        assert!(unshown.is_empty(), "the built-in pages fill the built-in frame's blocks: {unshown:?}");
    }

    /// A page that fills a block its frame does not have (which minijinja
    /// drops without a word) is warned of, naming the frame's blocks.
    #[test]
    fn a_block_the_frame_does_not_have_is_warned_of() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(
            templates.join("episode.html"),
            "{% extends \"base.html\" %}\n{%- block content %}x{% endblock %}",
        )
        .unwrap();
        let unshown = environment(&templates).unwrap().unshown;
        assert_eq!(unshown.len(), 1, "{unshown:?}");
        assert!(unshown[0].message.ends_with(
            "episode.html fills block `content`, which base.html (built in) does not have: nothing of it is shown"
        ));
        assert_eq!(
            unshown[0].help.as_deref(),
            Some(
                "episode.html extends base.html, whose blocks are `title`, `meta`, `body`: name the block as base.html does"
            )
        );
        assert_eq!(block_names("{%+ block a %}{% blocky %}{%block b%}{% endblock %}", false), ["a", "b"]);
    }

    /// Partials past the most podsmith reads are said, once, by name.
    #[test]
    fn partials_past_the_limit_are_said() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..PARTIALS_MAX + 2 {
            std::fs::write(dir.path().join(format!("p{i:03}.html")), "x").unwrap();
        }
        let said = unread_templates(dir.path(), &[]);
        assert_eq!(said.len(), PARTIALS_MAX + 1);
        let last = &said[PARTIALS_MAX].message;
        assert!(last.ends_with("holds 202 partials, and podsmith reads at most 200: p200.html and 1 other after it (by name) are not read"), "{last}");
    }

    /// A block inside another is shown with it, a block in a comment is
    /// none, and `extends` is read however it is spaced; a frame of the
    /// show's own without a block a built-in page fills is told to have it.
    #[test]
    fn blocks_are_told_as_the_templates_nest_them() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        let episode = templates.join("episode.html");
        let page = |source: &str| {
            std::fs::write(&episode, source).unwrap();
            environment(&templates).unwrap().unshown
        };
        let nested = "{% extends \"base.html\" %}{% block body %}a{% block player %}b{% endblock %}{% endblock %}";
        assert!(page(nested).is_empty());
        let commented = "{% extends \"base.html\" %}{# was: {% block content %} #}{% block body %}a{% endblock %}";
        assert!(page(commented).is_empty());
        let spaced = "{%-  extends   'base.html'  -%}{% block content %}a{% endblock %}";
        assert_eq!(page(spaced).len(), 1);
        std::fs::remove_file(&episode).unwrap();
        std::fs::write(templates.join("base.html"), "<main>{% block main %}{% endblock %}</main>").unwrap();
        let unshown = environment(&templates).unwrap().unshown;
        let episode_said = unshown.iter().find(|d| d.message.starts_with("episode.html (built in) fills block `body`"));
        assert_eq!(
            episode_said.and_then(|d| d.help.as_deref()),
            Some(
                "the built-in episode.html fills `body`: give your base.html a {% block body %}{% endblock %} where it goes"
            )
        );
    }
}
