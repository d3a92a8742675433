//! `podsmith import`: a show folder made from an existing feed, so a show
//! moves from any host without losing a subscriber: every episode keeps its
//! guid exactly as published, its date with its offset, its notes (HTML
//! made Markdown: [`html`]), numbers, type and art; the media stay where
//! they are hosted (URLs, measured where they are: see the hosted media of
//! `build`). The manifest is written with toml_edit, a comment beside each
//! value that was mapped or made up, and only once every item has been
//! read: a feed that cannot be imported leaves nothing behind.

mod channel;
pub mod dates;
#[cfg(feature = "online")]
pub mod download;
mod fetched;
pub mod html;
mod items;
mod namespace;

use std::path::{Path, PathBuf};

use chrono::DateTime;

use crate::diagnostic::Diagnostic;
use channel::{podcast_table, serial_if_numbered};
use items::episode_tables;

/// What to import.
#[derive(Clone)]
pub struct Options {
    /// The feed's bytes.
    pub feed: Vec<u8>,
    /// Where it came from (for messages and comments).
    pub source: String,
    /// The new show folder (made if missing; must hold no episodes.toml).
    pub dir: PathBuf,
    /// Where the new site will be served (`base_url`); a placeholder to
    /// change otherwise.
    pub base_url: Option<String>,
    /// The Apple category, where the feed has none podsmith can map.
    pub category: Option<String>,
    /// Fetch the media into `media_dir` (else they stay where they are hosted).
    pub download: bool,
    /// The folder in the show the media are fetched into (`media`).
    pub media_dir: String,
    /// Told how the downloads go.
    pub progress: std::sync::Arc<dyn crate::progress::Progress>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("source", &self.source)
            .field("dir", &self.dir)
            .field("base_url", &self.base_url)
            .field("download", &self.download)
            .finish_non_exhaustive()
    }
}

/// What `--download` fetches into the show.
#[derive(Debug, Default)]
struct ToFetch {
    /// The episodes' media.
    media: Vec<MediaFile>,
    /// The episodes' other files (chapters, transcripts) and the art.
    others: Vec<OtherFile>,
}

/// A media file to fetch.
#[derive(Debug)]
struct MediaFile {
    url: String,
    /// The item it is of, as said ("its title", or "item N").
    #[cfg_attr(not(feature = "online"), allow(dead_code))]
    label: String,
    /// Its name in the media folder.
    name: String,
    /// The length the feed gives it (what a download is checked against).
    #[cfg_attr(not(feature = "online"), allow(dead_code))]
    length: Option<u64>,
}

/// Another file of an episode to fetch (chapters, a transcript), or art
/// (the show's, an episode's).
#[derive(Debug)]
#[cfg_attr(not(feature = "online"), allow(dead_code))]
struct OtherFile {
    url: String,
    /// The item it is of, as said ("its title", or "item N"; "the show").
    label: String,
    /// Its path in the show.
    rel: String,
    /// What the episode keeps if it cannot be (the chapters its item
    /// gives inline as Podlove Simple Chapters).
    instead: Option<toml_edit::ArrayOfTables>,
}

/// The folder of the show `--download` fetches art into.
const ART_DIR: &str = "art";

/// With `--download`, the art the table `t` gives as a URL (`image`)
/// fetched into `art/NAME.jpg` (`.png`, where its URL ends so) and named
/// there, onto `others`: the show's art moves with its media. (What cannot
/// be fetched, or is not what its name says, keeps its URL: see
/// [`fetched::leave_out`].)
fn art_to_fetch(t: &mut toml_edit::Table, label: &str, name: &str, others: &mut Vec<OtherFile>) {
    let Some(url) = t.get("image").and_then(|v| v.as_str()).filter(|u| crate::url::HttpUrl::parse(u).is_ok()) else {
        return;
    };
    let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let extension = if path.ends_with(".png") { "png" } else { "jpg" };
    let rel = format!("{ART_DIR}/{name}.{extension}");
    others.push(OtherFile { url: url.to_string(), label: label.to_string(), rel: rel.clone(), instead: None });
    t["image"] = toml_edit::value(rel);
}

/// What was imported.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The manifest written.
    pub manifest: PathBuf,
    /// Episodes imported.
    pub episodes: usize,
    /// What was mapped, made up or left out, to tell the podcaster.
    pub notes: Vec<Diagnostic>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The feed cannot be read as an RSS feed.
    #[error("{0}")]
    Feed(String),
    /// The show cannot be imported as it is (what is missing, and what to do).
    #[error("{0}")]
    Refused(String),
    /// What the command was given cannot be done (a flag's value, a folder
    /// that is a show already): a usage error.
    #[error("{0}")]
    Usage(String),
    /// Writing failed.
    #[error("cannot write {}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    /// Media files could not be fetched (`--download`): what the import
    /// said so far, each file that failed with why among it, then what to do.
    #[error("{message}")]
    NotFetched {
        /// What the import said, the files that failed among it.
        notes: Vec<Diagnostic>,
        /// How many failed, and what to do.
        message: String,
    },
}

/// Where the placeholder cover goes, when the feed has none.
const PLACEHOLDER_COVER: &str = "media/cover.jpg";
/// [`PLACEHOLDER_COVER`]'s folder and name: a downloaded file never takes it.
const PLACEHOLDER_COVER_DIR: &str = "media";
const PLACEHOLDER_COVER_NAME: &str = "cover.jpg";

/// A note about the import.
fn note(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning("IMPORT", message)
}

/// A feed's language code as the manifest takes it: lower case, with the
/// two-letter code of a language given in three (`eng` → `en`); `None` if
/// it is not an ISO 639 code.
fn language_of(given: &str) -> Option<String> {
    let l = given.trim().to_ascii_lowercase();
    let l = crate::text::is_language_code(&l).then(|| crate::text::two_letter_form(&l).unwrap_or(l))?;
    Some(crate::text::bad_region(&l).map_or(l, |(_, fixed)| fixed))
}

/// What `import` is asked, checked before anything is read: a media
/// folder inside the show, a base URL of a folder, and no manifest at
/// `manifest` yet.
fn check_options(opts: &Options, manifest: &Path) -> Result<(), ImportError> {
    if !crate::site::record::is_plain_relative(&opts.media_dir) {
        return Err(ImportError::Usage(format!(
            "--media-dir \"{}\" is not a folder inside the show (a relative path without . or ..)",
            opts.media_dir
        )));
    }
    // (The build writes the site into public/ and refuses media there.)
    let first = opts.media_dir.split(['/', '\\']).find(|p| !p.is_empty()).unwrap_or_default();
    if first.eq_ignore_ascii_case(crate::site::DEFAULT_OUT) {
        return Err(ImportError::Usage(format!(
            "--media-dir \"{}\" is inside public/, the folder a build writes the site into, which the build \
             refuses as a place for media: give a folder of its own, e.g. --media-dir media",
            opts.media_dir
        )));
    }
    // (Checked whether the feed needs it or not.)
    if let Some(given) = &opts.category {
        channel::given_category(given)?;
    }
    if let Some(given) = &opts.base_url {
        let problem = crate::url::HttpUrl::parse(given.trim())
            .err()
            .or_else(|| given.contains(['?', '#']).then(|| "is not the URL of a folder (it has ? or #)".to_string()));
        if let Some(problem) = problem {
            return Err(ImportError::Usage(format!(
                "--base-url \"{given}\" {problem}: give the address where the new site will be served, e.g. \
                 --base-url https://example.com/podcast/"
            )));
        }
    }
    // The show folder is one, or is made: a file there (or on the way
    // there) is none.
    let first_there = opts.dir.ancestors().filter(|a| !a.as_os_str().is_empty()).find_map(|a| {
        let found = std::fs::metadata(a).ok()?;
        Some((a, found.is_dir()))
    });
    if let Some((file, false)) = first_there {
        let what = match file == opts.dir {
            true => format!("{} is a file", opts.dir.display()),
            false => format!("{} cannot be made: {} is a file", opts.dir.display(), file.display()),
        };
        return Err(ImportError::Usage(format!(
            "{what}, not a folder: give the folder for the new show (podsmith import FEED DIR)"
        )));
    }
    // (A link there, even one leading nowhere, is a manifest too: never
    // written through.)
    if let Ok(found) = manifest.symlink_metadata() {
        let what = match std::fs::read_link(manifest) {
            Ok(to) if found.is_symlink() => format!("is a link (to {}) already", to.display()),
            _ => "exists already".to_string(),
        };
        return Err(ImportError::Usage(format!(
            "{} {what}: import into a new folder (podsmith never overwrites a manifest, nor writes through a link)",
            manifest.display()
        )));
    }
    Ok(())
}

/// A feed read and made the manifest of a new show: what [`import`]
/// writes. Nothing is written to make it.
#[derive(Debug)]
pub struct Planned {
    text: String,
    episodes: usize,
    notes: Vec<Diagnostic>,
    to_fetch: ToFetch,
}

/// Reads the feed in `opts` and makes the new show's manifest, writing
/// nothing: a feed that cannot be read, or options that cannot be done,
/// leave no folder behind.
pub fn plan(opts: &Options) -> Result<Planned, ImportError> {
    check_options(opts, &opts.dir.join("episodes.toml"))?;
    let utf8 = utf8_of(&opts.feed);
    let mut notes = Vec::new();
    let bytes = utf8.as_ref().map_or(opts.feed.as_slice(), |(bytes, _)| bytes.as_slice());
    let amps = ampersands_escaped(bytes);
    let bytes = amps.as_ref().map_or(bytes, |(bytes, _, _)| bytes.as_slice());
    let channel = read_feed(bytes, &opts.source, &mut notes)?;
    let declared = declared_entities(bytes);
    let undefined = undefined_entities(bytes, &declared);
    if let Some((_, said)) = utf8 {
        notes.push(note(said));
    }
    if !undefined.is_empty() {
        notes.push(note(format!(
            "the feed refers to entities neither XML nor HTML defines ({}): kept as written (strict readers, \
             Apple's among them, refuse such a feed)",
            undefined.iter().map(|n| format!("&{n};")).collect::<Vec<_>>().join(", ")
        )));
    }
    if !declared.is_empty() {
        notes.push(note(format!(
            "the feed's DOCTYPE declares entities ({}), which podcast apps do not read: where the feed uses \
             one, it is kept as written (&name;), not expanded; write the text itself there",
            declared.iter().take(3).map(|n| format!("&{n};")).collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some((_, n, line)) = amps {
        let what = match n {
            1 => "an & that begins".to_string(),
            n => format!("{n} & signs that begin"),
        };
        notes.push(note(format!(
            "the feed has {what} no entity (the first on line {line}): read as the character & (strict readers, \
             Apple's among them, refuse such a feed: it is to be written &amp;)"
        )));
    }
    let mut to_fetch = ToFetch::default();
    let (text, episodes) = manifest_of(&channel, opts, &mut notes, &mut to_fetch)?;
    Ok(Planned { text, episodes, notes, to_fetch })
}

/// Writes the show `planned` (from `opts`) into its folder: the media
/// fetched (with `--download`), the manifest read back as a build reads it,
/// then `podsmith.lock` and the manifest last. The caller holds the
/// folder's lock ([`crate::show_lock::ShowLock`]): another import or an
/// init there waits, and what one killed part-way left is swept here.
pub fn import(opts: &Options, planned: Planned) -> Result<Imported, ImportError> {
    let Planned { mut text, mut episodes, mut notes, mut to_fetch } = planned;
    let manifest = opts.dir.join("episodes.toml");
    // (Again, under the lock: one another import wrote meanwhile.)
    check_options(opts, &manifest)?;
    // Nothing is written through a link out of the folder (a `media` that
    // leads elsewhere, in a folder that was there before).
    let needs_cover = text.contains(&format!("image = \"{PLACEHOLDER_COVER}\""));
    let mut folders: Vec<&Path> = to_fetch.others.iter().filter_map(|o| Path::new(&o.rel).parent()).collect();
    if opts.download {
        folders.push(Path::new(&opts.media_dir));
    }
    if needs_cover {
        folders.push(Path::new(PLACEHOLDER_COVER_DIR));
    }
    for folder in folders {
        if let Some(real) = leads_outside(&opts.dir, folder) {
            return Err(ImportError::Refused(format!(
                "{} leads to {}, outside {}; podsmith writes only inside the show folder: make it a folder of \
                 its own, or import into another folder",
                opts.dir.join(folder).display(),
                real.display(),
                opts.dir.display()
            )));
        }
    }
    // What an import killed part-way left where this one writes (there is
    // no manifest: not a show yet, whose other commands could be writing).
    crate::output::sweep_temps(&opts.dir, false);
    crate::output::sweep_temps(&opts.dir.join(&opts.media_dir), false);
    if opts.download {
        let fetched = fetched::fetch_media(opts, &to_fetch, &mut notes)?;
        fetched::leave_out(&mut text, &fetched.left_out, &to_fetch.others)?;
        episodes -= fetched::comment_out(&mut text, &fetched.gone)?;
        name_by_content(opts, &mut to_fetch, &mut text, &mut notes)?;
    }
    // Read back strictly before anything is written (beside a placeholder
    // cover, if it needs one).
    // (Downloaded media are in the show folder already: the cover goes there too.)
    let scratch = tempfile::tempdir().map_err(|e| ImportError::Io(std::env::temp_dir(), e))?;
    let root = if needs_cover && !opts.download { scratch.path() } else { opts.dir.as_path() };
    if needs_cover {
        let cover = root.join(PLACEHOLDER_COVER);
        let made = std::fs::create_dir_all(root.join("media"))
            .and_then(|()| crate::output::write_bytes(&cover, crate::init::PLACEHOLDER_COVER));
        made.map_err(|e| ImportError::Io(cover, e))?;
    }
    let show = crate::manifest::parse(&text, &manifest, root).map_err(|problems| {
        let first = problems.first().map(|p| format!("{}: {}", p.location, p.message)).unwrap_or_default();
        ImportError::Refused(format!(
            "the show cannot be imported as it is ({}; the first: {first})",
            crate::text::count(problems.len(), "problem")
        ))
    })?;
    // The published identities first: the manifest's presence says the import is done.
    let lock = opts.dir.join(crate::lock::FILE_NAME);
    // An episode dated in the future is scheduled, not published yet: the
    // lock records it when a build first publishes it (locked now, every
    // build would refuse to leave it out of the feed until then).
    let mut published = show.clone();
    published.episodes.retain(|e| e.date <= chrono::Utc::now());
    let lock_text = crate::lock::Lock::imported(&published, &|key| {
        let fetched = |m: &&MediaFile| key == format!("{}/{}", opts.media_dir, m.name);
        to_fetch.media.iter().find(fetched).map(|m| m.url.clone())
    })
    .render();
    fits(&lock_text, crate::fsutil::LOCK, &opts.source, None)?;
    std::fs::create_dir_all(&opts.dir).map_err(|e| ImportError::Io(opts.dir.clone(), e))?;
    if needs_cover {
        let cover = opts.dir.join(PLACEHOLDER_COVER);
        if !cover.exists() {
            let media = opts.dir.join("media");
            std::fs::create_dir_all(&media).map_err(|e| ImportError::Io(media, e))?;
            crate::output::write_bytes(&cover, crate::init::PLACEHOLDER_COVER)
                .map_err(|e| ImportError::Io(cover, e))?;
        }
    }
    crate::output::write_bytes(&lock, lock_text.as_bytes()).map_err(|e| ImportError::Io(lock.clone(), e))?;
    // (Never over one another import wrote meanwhile.)
    crate::output::write_new(&manifest, text.as_bytes()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => ImportError::Usage(format!(
            "{} appeared while the feed was imported (another import into the same folder?): it is left as it is",
            manifest.display()
        )),
        _ => ImportError::Io(manifest.clone(), e),
    })?;
    // (The show is made: what its runs fetched need not be told apart any more.)
    #[cfg(feature = "online")]
    let _ = std::fs::remove_file(fetched::record(opts).0);
    Ok(Imported { manifest, episodes, notes })
}

/// The manifest's text and how many episodes it has.
fn manifest_of(
    channel: &rss::Channel,
    opts: &Options,
    notes: &mut Vec<Diagnostic>,
    to_fetch: &mut ToFetch,
) -> Result<(String, usize), ImportError> {
    use toml_edit::{DocumentMut, Item};
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(format!(
        "# Imported by podsmith from {} ({}).\n# Every guid is as the feed published it: never change one.\n\n",
        opts.source,
        crate::text::count(channel.items().len(), "item")
    ));
    let mut dropped = namespace::Dropped::default();
    let mut podcast = podcast_table(channel, opts, notes, &mut dropped)?;
    if opts.download {
        art_to_fetch(&mut podcast, "the show", "cover", &mut to_fetch.others);
    }
    let mut trailing = String::new();
    let list = episode_tables(channel, opts, notes, to_fetch, &mut dropped, &mut trailing)?;
    dropped.say(notes);
    serial_if_numbered(&mut podcast, &list, notes);
    doc["podcast"] = Item::Table(podcast);
    let n = list.len();
    let notes_bytes = list.iter().filter_map(|t| t.get("notes")?.as_str()).map(str::len).sum();
    doc["episode"] = Item::ArrayOfTables(list);
    doc.set_trailing(trailing);
    let text = doc.to_string();
    fits(&text, crate::fsutil::MANIFEST, &opts.source, Some(notes_bytes))?;
    Ok((text, n))
}

/// Refuses a file the import would write that is larger than podsmith
/// reads it (`limit`): every other command would refuse the show. Of the
/// manifest, `notes` says how much of it is the episodes' notes.
fn fits(text: &str, limit: crate::fsutil::Limit, source: &str, notes: Option<usize>) -> Result<(), ImportError> {
    use crate::fsutil::human_size;
    if text.len() as u64 <= limit.bytes {
        return Ok(());
    }
    let of_it = notes.map_or_else(String::new, |n| format!(" ({} of it the episodes' notes)", human_size(n as u64)));
    Err(ImportError::Refused(format!(
        "{source}: {} made of it would be {}{of_it}, and podsmith reads at most {} of {}, so nothing is written: the \
         feed is too big for one show; import a feed of fewer episodes (its newest few hundred are plenty for apps)",
        limit.what,
        human_size(text.len() as u64),
        human_size(limit.bytes),
        limit.what
    )))
}

/// Where `root/rel` leads, if a part of it that is there already is a link
/// out of `root` (what is not there yet is made as a plain folder).
fn leads_outside(root: &Path, rel: &Path) -> Option<PathBuf> {
    let real_root = root.canonicalize().ok()?;
    let mut path = root.to_path_buf();
    for part in rel.components() {
        path.push(part);
        std::fs::symlink_metadata(&path).ok()?;
        match path.canonicalize() {
            Ok(real) if real.starts_with(&real_root) => {}
            Ok(real) => return Some(real),
            Err(_) => return Some(path), // a link that leads nowhere
        }
    }
    None
}

/// Each fetched media file named by what it holds, as apps and the build
/// go by the name: one whose extension is not its format's (the feed gave
/// it a wrong type, or none) is renamed, in the folder and in the manifest
/// `text`, never over another file. One that cannot be measured is left to
/// the build to report.
fn name_by_content(
    opts: &Options,
    to_fetch: &mut ToFetch,
    text: &mut String,
    notes: &mut Vec<Diagnostic>,
) -> Result<(), ImportError> {
    let folder = opts.dir.join(&opts.media_dir);
    let names = to_fetch.media.iter().map(|m| m.name.to_ascii_lowercase());
    let mut taken: items::Names = names.flat_map(|n| [format!("{n}.part"), n]).collect();
    taken.insert(PLACEHOLDER_COVER_NAME.to_string());
    let mut renamed: Vec<(String, String)> = Vec::new();
    for m in &mut to_fetch.media {
        let path = folder.join(&m.name);
        let Ok(info) = crate::probe::probe_file(&path) else { continue };
        if crate::catalog::extension_problem(&m.name, info.format).is_none() {
            continue;
        }
        let name = loop {
            let name = items::unique_name(&mut taken, &format!("file:///{}", m.name), Some(info.format));
            if std::fs::symlink_metadata(folder.join(&name)).is_err() {
                break name;
            }
        };
        std::fs::rename(&path, folder.join(&name)).map_err(|e| ImportError::Io(path.clone(), e))?;
        notes.push(note(format!(
            "{}/{}: the file holds {} audio; named {name}, as apps go by the name",
            opts.media_dir,
            m.name,
            info.format.label()
        )));
        renamed.push((format!("{}/{}", opts.media_dir, m.name), format!("{}/{name}", opts.media_dir)));
        m.name = name;
    }
    if renamed.is_empty() {
        return Ok(());
    }
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| ImportError::Refused(format!("the manifest made cannot be read back ({e})")))?;
    let episodes = doc.get_mut("episode").and_then(|e| e.as_array_of_tables_mut());
    for episode in episodes.into_iter().flat_map(|e| e.iter_mut()) {
        let Some(media) = episode.get_mut("media").and_then(|m| m.as_array_mut()) else { continue };
        for v in media.iter_mut() {
            if let Some((_, new)) = renamed.iter().find(|(old, _)| v.as_str() == Some(old)) {
                let decor = v.decor().clone();
                *v = toml_edit::Value::from(new.as_str());
                *v.decor_mut() = decor;
            }
        }
    }
    *text = doc.to_string();
    Ok(())
}

/// An https URL podsmith publishes (the namespace takes no other).
fn is_https(u: &str) -> bool {
    u.starts_with("https://") && crate::url::HttpUrl::parse(u).is_ok()
}

/// A comment above `key` in `t`.
fn comment(t: &mut toml_edit::Table, key: &str, text: &str) {
    if let Some(mut k) = t.key_mut(key) {
        k.leaf_decor_mut().set_prefix(format!("# {text}\n"));
    }
}

/// A host's feed, read: Apple's tags are taken as Apple's also where the
/// feed spells Apple's namespace otherwise (`https://`, a slash more) or
/// uses the `itunes:` prefix without declaring it, as apps take them. The
/// rss crate knows them only by the namespace as Apple spells it (in any
/// case) and keeps the others apart, as tags of an unknown namespace:
/// such a feed lost its categories, cover, owner, episode numbers and
/// serial order. A feed nested deeper than [`crate::validate::xml::MAX_DEPTH`]
/// is refused unread (`source` names it): the rss crate's reader recurses
/// into extension elements, and such a feed would run it out of stack.
fn read_feed(bytes: &[u8], source: &str, notes: &mut Vec<Diagnostic>) -> Result<rss::Channel, ImportError> {
    use rss::extension::itunes::{ITunesChannelExtension, ITunesItemExtension};
    let deepest = crate::validate::xml::deepest(bytes);
    if deepest > crate::validate::xml::MAX_DEPTH {
        return Err(ImportError::Feed(format!(
            "{source}: the feed nests elements {deepest} deep, more than any podcast feed (an RSS feed needs five \
             levels; podsmith reads {}), so it is not read: is it the show's feed?",
            crate::validate::xml::MAX_DEPTH
        )));
    }
    let mut channel = rss::Channel::read_from(bytes)
        .map_err(|e| ImportError::Feed(format!("{source}: not an RSS feed podsmith can read ({e})")))?;
    let apples = match channel.namespaces().get("itunes") {
        None => true,
        Some(uri) => is_apples_namespace(uri),
    };
    if !apples {
        return Ok(channel);
    }
    if channel.itunes_ext().is_none() {
        let mut ext = channel.extensions().clone();
        if let Some(map) = ext.remove("itunes") {
            channel.set_itunes_ext(ITunesChannelExtension::from_map(map));
            channel.set_extensions(ext);
        }
    }
    for item in channel.items_mut() {
        if item.itunes_ext().is_none() && item.extensions().contains_key("itunes") {
            let mut ext = item.extensions().clone();
            if let Some(map) = ext.remove("itunes") {
                item.set_itunes_ext(ITunesItemExtension::from_map(map));
                item.set_extensions(ext);
            }
        }
    }
    // `itunes:title`, which the rss crate does not keep, kept as the
    // item's own extension (see `itunes_title`); where the feed cannot be
    // read so, said (the categories, read so too, lose their second
    // subcategories: see `feed_categories`).
    let extras = item_extras(bytes).and_then(|t| match t.len() == channel.items().len() {
        true => Ok(t),
        false => Err(format!("its XML holds {} items where RSS reads {}", t.len(), channel.items().len())),
    });
    match extras {
        Err(why) => notes.push(note(format!(
            "{source}: {why}: the feed is read as apps that forgive that read it, but not its items' itunes:title (the \
             title Apple shows, where it differs), if they have one, nor a category's subcategories after its first, \
             nor an item's first enclosure where it has several (its last is read): set `itunes_title`, `categories` and `media` where they need them"
        ))),
        Ok(extras) => set_item_extras(&mut channel, extras),
    }
    Ok(channel)
}

/// What the rss crate does not keep of an item, read from the feed's XML.
struct ItemExtras {
    /// Its `itunes:title`, trimmed (`None`: it has none, or an empty one).
    title: Option<String>,
    /// Its `<enclosure>`s in order, each as its `url`, `type` and `length`.
    enclosures: Vec<[String; 3]>,
}

/// The name (in an item's extensions, under `podsmith`) of an item's
/// enclosures after its first, which the rss crate does not keep (see
/// `further_enclosures` in `items`).
pub(super) const FURTHER_ENCLOSURE: &str = "enclosure";

/// Each item's `itunes:title` and enclosures (`extras`, in order), which
/// the rss crate does not keep, kept: the title as its own extension (see
/// `itunes_title`); its first enclosure as its enclosure (the rss crate
/// keeps the last, where apps play the first), the others as extensions
/// `podsmith:enclosure` (see [`FURTHER_ENCLOSURE`]).
fn set_item_extras(channel: &mut rss::Channel, extras: Vec<ItemExtras>) {
    use rss::extension::Extension;
    for (item, ItemExtras { title, enclosures }) in channel.items_mut().iter_mut().zip(extras) {
        let mut ext = item.extensions().clone();
        if let Some(title) = title {
            let element = Extension { name: "itunes:title".into(), value: Some(title), ..Default::default() };
            ext.entry("itunes".into()).or_default().insert("title".into(), vec![element]);
        }
        let mut enclosures = enclosures.into_iter();
        if let Some([url, mime_type, length]) = enclosures.next() {
            item.set_enclosure(rss::Enclosure { url, length, mime_type });
        }
        let further: Vec<Extension> = enclosures
            .map(|[url, kind, length]| Extension {
                name: format!("podsmith:{FURTHER_ENCLOSURE}"),
                attrs: [("url".to_string(), url), ("type".to_string(), kind), ("length".to_string(), length)].into(),
                ..Default::default()
            })
            .collect();
        if !further.is_empty() {
            ext.entry("podsmith".into()).or_default().insert(FURTHER_ENCLOSURE.into(), further);
        }
        item.set_extensions(ext);
    }
}

/// A feed in another encoding than UTF-8 as UTF-8, its XML declaration's
/// encoding said so, with what to say of it: a UTF-16 one (by its
/// byte-order mark, or `<?` in UTF-16), or one its declaration says is in
/// another (ISO-8859-1, windows-1252 …; one that says so but is UTF-8,
/// as a misconfigured server sends it, is read as UTF-8). `None` for a
/// feed in UTF-8. Every reader of the import (the rss crate's, podsmith's
/// own) then reads the same text.
fn utf8_of(bytes: &[u8]) -> Option<(Vec<u8>, String)> {
    const SAID: &str = "podsmith's feeds are UTF-8, the only encoding Apple and most apps read";
    if let Some((text, order)) = crate::validate::xml::utf16(bytes) {
        let said = format!("the feed is UTF-16 ({order}): read as such ({SAID})");
        return Some((declared_utf8(text).into_bytes(), said));
    }
    let (label, _) = declared_encoding(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))?;
    let encoding = encoding_rs::Encoding::for_label(&label)?;
    if encoding == encoding_rs::UTF_8 {
        return None;
    }
    let label = String::from_utf8_lossy(&label).into_owned();
    if let Ok(text) = std::str::from_utf8(bytes) {
        // (Text in a one-byte encoding that is also UTF-8 with letters
        // beyond ASCII is all but unknown: this is UTF-8, declared wrong.)
        let said = (!text.is_ascii())
            .then(|| format!("the feed says it is {label} but is UTF-8: read as UTF-8 (declare encoding=\"UTF-8\")"))?;
        return Some((declared_utf8(text.to_string()).into_bytes(), said));
    }
    // (A UTF-8 byte-order mark before bytes that are not UTF-8 says
    // nothing true of them.)
    let (text, _) = encoding.decode_without_bom_handling(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let name = match label.eq_ignore_ascii_case(encoding.name()) {
        true => label,
        false => format!("{label} ({})", encoding.name()),
    };
    let said = format!("the feed is {name}: read as such ({SAID})");
    Some((declared_utf8(text.into_owned()).into_bytes(), said))
}

/// Where each `&` of `text` is, outside CDATA sections, comments and
/// processing instructions (whose `&` is their own: a stylesheet's URL).
fn ampersands(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(i) = memchr::memchr2(b'&', b'<', &text[at..]).map(|i| at + i) {
            let rest = &text[i..];
            let close: Option<&[u8]> = match rest {
                _ if rest.starts_with(b"<![CDATA[") => Some(b"]]>"),
                _ if rest.starts_with(b"<!--") => Some(b"-->"),
                _ if rest.starts_with(b"<?") => Some(b"?>"),
                _ => None,
            };
            at = match close {
                Some(close) => memchr::memmem::find(rest, close).map_or(text.len(), |end| i + end + close.len()),
                None => i + 1,
            };
            if rest[0] == b'&' {
                return Some(i);
            }
        }
        None
    })
}

/// The names of the entities `text` refers to that neither XML nor HTML
/// defines, nor its DOCTYPE (`declared`): each once, the first three.
fn undefined_entities(text: &[u8], declared: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for i in ampersands(text) {
        let rest = &text[i + 1..];
        let n = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')).count();
        if n == 0 || n > 32 || rest.get(n) != Some(&b';') {
            continue;
        }
        let name = String::from_utf8_lossy(&rest[..n]).into_owned();
        let defined = !crate::lenient_html::decode(&format!("&{name};")).starts_with('&') || name == "amp";
        if !defined && !declared.contains(&name) && !found.contains(&name) {
            found.push(name);
            if found.len() == 3 {
                break;
            }
        }
    }
    found
}

/// `text` with each `&` that begins no character or entity reference
/// (`AT&T`, `Q&A` written as they are) written `&amp;`, outside CDATA
/// sections and comments: how many, and the line of the first; `None` if
/// there is none (the feed is read as it is).
fn ampersands_escaped(text: &[u8]) -> Option<(Vec<u8>, usize, usize)> {
    let bare: Vec<usize> = ampersands(text).filter(|&i| !begins_reference(&text[i + 1..])).collect();
    let &first = bare.first()?;
    let line = 1 + memchr::memchr_iter(b'\n', &text[..first]).count();
    let mut out = Vec::with_capacity(text.len() + 4 * bare.len());
    let mut from = 0;
    for &i in &bare {
        out.extend_from_slice(&text[from..=i]);
        out.extend_from_slice(b"amp;");
        from = i + 1;
    }
    out.extend_from_slice(&text[from..]);
    Some((out, bare.len(), line))
}

/// The names of the entities `text`'s DOCTYPE declares (the first 256).
fn declared_entities(text: &[u8]) -> Vec<String> {
    let Some(doctype) = memchr::memmem::find(text, b"<!DOCTYPE") else { return Vec::new() };
    let end = memchr::memmem::find(&text[doctype..], b"]>").map_or(text.len(), |e| doctype + e);
    let body = &text[doctype..end];
    memchr::memmem::find_iter(body, b"<!ENTITY")
        .filter_map(|at| {
            let rest = body[at + b"<!ENTITY".len()..].trim_ascii_start();
            let rest = rest.strip_prefix(b"%").map_or(rest, <[u8]>::trim_ascii_start);
            let n = rest.iter().take_while(|b| !b.is_ascii_whitespace()).count().min(40);
            (n > 0).then(|| String::from_utf8_lossy(&rest[..n]).into_owned())
        })
        .take(256)
        .collect()
}

/// Whether `rest` (after a `&`) makes it a character or entity reference:
/// `#` and digits, `#x` and hex digits, or a name; then `;`.
fn begins_reference(rest: &[u8]) -> bool {
    fn in_name(b: &u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')
    }
    let (fits, body): (fn(&u8) -> bool, &[u8]) = match rest {
        [b'#', b'x' | b'X', body @ ..] => (u8::is_ascii_hexdigit, body),
        [b'#', body @ ..] => (u8::is_ascii_digit, body),
        body => (in_name, body),
    };
    let n = body.iter().take_while(|b| fits(b)).count();
    n > 0 && body.get(n) == Some(&b';')
}

/// The encoding `text`'s XML declaration names, and where in `text` the
/// name is.
fn declared_encoding(text: &[u8]) -> Option<(Vec<u8>, std::ops::Range<usize>)> {
    let rest = text.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")? + b"<?xml".len();
    let at = text[..end].windows(8).position(|w| w == b"encoding")?;
    let eq = at + text[at..end].iter().position(|&b| b == b'=')? + 1;
    let open = eq + text[eq..end].iter().position(|&b| b == b'"' || b == b'\'')?;
    let close = open + 1 + text[open + 1..end].iter().position(|&b| b == text[open])?;
    Some((text[open + 1..close].to_vec(), open + 1..close))
}

/// `text` with its XML declaration's encoding (if it names one) UTF-8,
/// and no byte-order mark.
fn declared_utf8(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if let Some((_, at)) = declared_encoding(text.as_bytes()) {
        text.replace_range(at, "UTF-8");
    }
    text
}

/// What the rss crate does not keep of each item, in order; why not, if
/// the feed cannot be read so (the first thing that kept it).
fn item_extras(bytes: &[u8]) -> Result<Vec<ItemExtras>, String> {
    use crate::validate::xml::{self, Ns};
    let mut findings = Vec::new();
    let Some(doc) = xml::parse(bytes, &mut findings) else {
        let first = findings.iter().find(|f| matches!(f.severity, crate::diagnostic::Severity::Error));
        return Err(match first.map(|f| (f, f.line())) {
            Some((f, Some(line))) => format!("line {line}: {}", f.message),
            Some((f, None)) => f.message.clone(),
            None => "the feed is not well-formed XML".to_string(),
        });
    };
    let channel = doc.nodes.first().and_then(|rss| doc.child(rss, &Ns::Rss, "channel"));
    let Some(channel) = channel else {
        return Err("its <rss> holds no <channel> outside any namespace".to_string());
    };
    let apples = |ns: &Ns| match *ns {
        Ns::Itunes => true,
        Ns::Other(i) => doc.names.get(i as usize).is_some_and(|uri| is_apples_namespace(uri)),
        Ns::Undeclared(i) => doc.names.get(i as usize).is_some_and(|prefix| &**prefix == "itunes"),
        _ => false,
    };
    let title = |item| doc.all_children(item).find(|n| &*n.local == "title" && apples(&n.ns));
    let text = |n: &xml::Node| Some(n.text.trim().to_string()).filter(|t| !t.is_empty());
    let attr = |n: &xml::Node, key: &str| n.attr(key).unwrap_or_default().to_string();
    let enclosures = |item| {
        doc.children(item, &Ns::Rss, "enclosure")
            .map(|e| [attr(e, "url"), attr(e, "type"), attr(e, "length")])
            .collect()
    };
    Ok(doc
        .children(channel, &Ns::Rss, "item")
        .map(|item| ItemExtras { title: title(item).and_then(text), enclosures: enclosures(item) })
        .collect())
}

/// Whether `uri` is Apple's podcast namespace however a feed spells it:
/// `http` or `https`, `www.` or not, any case, a trailing slash.
fn is_apples_namespace(uri: &str) -> bool {
    let uri = uri.trim().to_ascii_lowercase();
    let rest = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://")).unwrap_or(&uri);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    rest.trim_end_matches('/') == "itunes.com/dtds/podcast-1.0.dtd"
}

/// The text of the channel's `podcast:NAME`.
fn podcast_text(ext: &rss::extension::ExtensionMap, name: &str) -> Option<String> {
    ext.get("podcast")?.get(name)?.first()?.value().map(|v| v.trim().to_string())
}

/// A TOML date-time with the feed's offset (a leap second, which RFC 2822
/// dates may name, is its minute's 59th: a manifest date has no 60th).
fn toml_date(date: &DateTime<chrono::FixedOffset>) -> toml_edit::Datetime {
    use chrono::Timelike;
    let date = date.with_nanosecond(date.nanosecond() % 1_000_000_000).unwrap_or(*date);
    date.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        .parse()
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".parse().expect("a valid date-time"))
}

/// Notes as a TOML string: multi-line where they have lines.
fn multiline(notes: &str) -> toml_edit::Value {
    let mut v = toml_edit::Value::from(notes);
    if notes.contains('\n') {
        let repr = format!("\"\"\"\n{}\"\"\"", escape_multiline(notes));
        if let Ok(parsed) = repr.parse::<toml_edit::Value>()
            && parsed.as_str() == Some(notes)
        {
            v = parsed;
        }
    }
    v
}

fn escape_multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\t' => out.push('\t'),
            '\n' => out.push('\n'),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A title on one line, as the manifest takes it: a line break in a
/// feed's title (and the spaces around it) is one space.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    match s.contains(['\n', '\r']) {
        true => std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        false => std::borrow::Cow::Borrowed(s),
    }
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn non_empty_opt(s: Option<&str>) -> Option<&str> {
    s.and_then(non_empty)
}

/// The first e-mail in "ann@example.com (Ann)", "Ann <mailto:ann@example.com>",
/// "ann@example.com, bob@example.com" and the like.
fn email_in(s: Option<&str>) -> Option<&str> {
    s?.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | ',' | ';'))
        .map(|w| w.strip_prefix("mailto:").unwrap_or(w))
        .find(|w| crate::text::is_email(w))
}

/// Where `import` writes by default: a folder named after the feed.
pub fn default_dir(source: &str) -> PathBuf {
    let name = source.trim_end_matches('/').rsplit('/').next().unwrap_or("show");
    let name = name.split('.').next().filter(|n| !n.is_empty()).unwrap_or("show");
    Path::new(&crate::text::slugify(name)).to_path_buf()
}

/// The import as the fuzzer drives it (see [`crate::fuzzing`]).
#[doc(hidden)]
pub mod fuzz {
    use std::path::{Path, PathBuf};

    /// A show folder holding only the placeholder cover, made once: what
    /// an import's manifest is read back against (its media are hosted).
    fn scratch() -> Option<&'static Path> {
        static ROOT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
        crate::fuzzing::scratch_dir(&ROOT, "import", |dir| {
            std::fs::create_dir_all(dir.join("media"))?;
            std::fs::write(dir.join(super::PLACEHOLDER_COVER), crate::init::PLACEHOLDER_COVER)
        })
    }

    /// A host's feed (any bytes) made a manifest, which is then read back
    /// as `import` reads it before writing anything. With
    /// `PODSMITH_FUZZ_STRICT` set, a manifest the import made and podsmith
    /// refuses is a crash too (to find feeds the import maps badly).
    pub fn import(data: &[u8]) {
        import_checked(data, std::env::var_os("PODSMITH_FUZZ_STRICT").is_some());
    }

    /// [`import`], strict or not (`cargo test` replays the saved inputs
    /// strictly).
    pub fn import_checked(data: &[u8], strict: bool) {
        let Ok(channel) = super::read_feed(data, "feed.xml", &mut Vec::new()) else { return };
        let Some(root) = scratch() else { return };
        let opts = super::Options {
            feed: data.to_vec(),
            source: "feed.xml".into(),
            dir: root.to_path_buf(),
            base_url: None,
            category: Some("Technology".into()),
            download: false,
            media_dir: "media".into(),
            progress: std::sync::Arc::new(crate::progress::Silent),
        };
        let mut notes = Vec::new();
        let Ok((text, _)) = super::manifest_of(&channel, &opts, &mut notes, &mut super::ToFetch::default()) else {
            return;
        };
        let read = crate::manifest::parse(&text, &root.join("episodes.toml"), root);
        if let Err(problems) = read
            && strict
        {
            panic!("the import made a manifest podsmith refuses: {:?}\n{text}", problems.first());
        }
    }
}

#[cfg(test)]
mod tests {
    /// Slugs and file names of many items of one title (or one file name)
    /// are numbered in turn, around the names given meanwhile; each name is
    /// found from the number the last one of its base got (numbered from
    /// `-2` each time, 45,000 such items took 450 s).
    /// One transcript listed in two formats is one transcript, in the
    /// language one of them gives; a second of a format is left out.
    #[test]
    fn a_transcript_in_two_formats_is_one() {
        use crate::transcript::Kind::{Html, Json, Srt, Vtt};
        let en = || Some("en".to_string());
        let given = vec![(Vtt, en(), 1), (Srt, None, 2), (Json, None, 3), (Vtt, None, 4), (Html, en(), 5)];
        assert_eq!(super::items::one_of_each(given), [(Vtt, en(), 1), (Json, en(), 3), (Html, en(), 5)]);
        // Of two languages, one not given stays without.
        let de = || Some("de".to_string());
        let given = vec![(Srt, en(), 1), (Srt, de(), 2), (Srt, None, 3), (Vtt, de(), 4)];
        assert_eq!(super::items::one_of_each(given), [(Srt, en(), 1), (Srt, None, 3), (Vtt, de(), 4)]);
    }

    #[test]
    fn many_items_of_one_name_are_numbered_in_turn() {
        let mut slugs = super::items::Names::default();
        let mut slug = |title: &str| super::items::unique_slug(&mut slugs, None, title);
        assert_eq!([slug("Same"), slug("same-3"), slug("Same"), slug("Same")], ["same", "same-3", "same-2", "same-4"]);
        let slugs: Vec<String> = (0..20_000).map(|_| slug("Weekly")).collect();
        assert_eq!((slugs[0].as_str(), slugs[19_999].as_str()), ("weekly", "weekly-20000"));
        assert_eq!(slugs.iter().collect::<std::collections::HashSet<_>>().len(), 20_000);
        let mut names = super::items::Names::default();
        let names: Vec<String> = (0..20_000)
            .map(|n| super::items::unique_name(&mut names, &format!("https://h.example/{n}/audio.mp3"), None))
            .collect();
        assert_eq!(
            (names[0].as_str(), names[1].as_str(), names[19_999].as_str()),
            ("audio.mp3", "audio-2.mp3", "audio-20000.mp3")
        );
    }

    /// Names for `media/`: plain, unique, and short enough for any file
    /// system, whatever the URL's last part.
    #[test]
    fn media_names_are_plain_unique_and_short() {
        use crate::probe::AudioFormat::{Mp3, Ogg, Opus};
        let mut taken = super::items::Names::default();
        let mut name = |url: &str, format| super::items::unique_name(&mut taken, url, format);
        assert_eq!(name("https://h.example/a/Ep%201%20(final).MP3?x=1", Some(Mp3)), "Ep-1-final.mp3");
        assert_eq!(name("https://h.example/b/ep-1-final.mp3", None), "ep-1-final-2.mp3");
        // Transliterated, as slugs are: the name becomes a media URL for good.
        assert_eq!(name("https://h.example/c/Bj%C3%B6rn%20Gr%C3%BC%C3%9Fe.mp3", Some(Mp3)), "Bjorn-Grusse.mp3");
        assert_eq!(name("https://h.example/c/épisode 5.mp3", Some(Mp3)), "episode-5.mp3");
        assert_eq!(name("https://h.example/c/%E6%97%A5%E6%9C%AC%E8%AA%9E.mp3", Some(Mp3)), "Ri-Ben-Yu.mp3");
        let long = format!("https://h.example/{}.mp3", "x".repeat(400));
        let first = name(&long, Some(Mp3));
        assert_eq!((first.len(), first.ends_with(".mp3")), (super::items::NAME_STEM + 4, true));
        assert!(name(&long, Some(Mp3)).ends_with("-2.mp3"));
        assert_eq!(name("https://h.example/", None), "h.example");
        // Named by the feed's type where the URL hides or belies it.
        assert_eq!(name("https://h.example/stream/12345", Some(Mp3)), "12345.mp3");
        assert_eq!(name("https://h.example/download.php?id=7", Some(Mp3)), "download.mp3");
        assert_eq!(name("https://h.example/ep1.mp3.part", Some(Mp3)), "ep1.mp3.mp3");
        assert_eq!(name("https://h.example/talk.opus", Some(Ogg)), "talk.opus");
        assert_eq!(name("https://h.example/talk.oga", Some(Opus)), "talk.oga");
        assert_eq!(name("https://h.example/cover.jpg", Some(Mp3)), "cover.mp3");
        // Of no known type: only a media extension is kept.
        assert_eq!(name("https://h.example/get.php?id=8", None), "get");
        assert_eq!(name("https://h.example/b/..", None), "episode");
        // No name is another's download in progress (NAME.part), nor ends in `.part`.
        assert_eq!(name("https://h.example/p/z.mp3", Some(Mp3)), "z.mp3");
        assert_eq!(name("https://h.example/q/z.mp3.part.xyz", None), "z.mp3.part-2");
        assert_eq!(name("https://h.example/r/z.mp3.part", None), "z.mp3-2");
        // No name Windows keeps for a device, nor dots in a run.
        assert_eq!(name("https://h.example/s/CON.mp3", Some(Mp3)), "CON-1.mp3");
        assert_eq!(name("https://h.example/s/nul.mp3", Some(Mp3)), "nul-1.mp3");
        assert_eq!(name("https://h.example/s/com1.txt.mp3", Some(Mp3)), "com1-1.txt.mp3");
        assert_eq!(name("https://h.example/s/lpt9", Some(Mp3)), "lpt9-1.mp3");
        assert_eq!(name("https://h.example/s/console.mp3", Some(Mp3)), "console.mp3");
        assert_eq!(name("https://h.example/s/com0.mp3", Some(Mp3)), "com0.mp3");
        assert_eq!(name("https://h.example/s/a%5C..%5C..%5Cb.mp3", Some(Mp3)), "a-b.mp3");
    }

    /// Apple's namespace as feeds spell it, and namespaces that only look
    /// like it.
    #[test]
    fn apples_namespace_in_its_spellings() {
        for uri in [
            "http://www.itunes.com/dtds/podcast-1.0.dtd",
            "https://www.itunes.com/dtds/podcast-1.0.dtd",
            "http://www.itunes.com/DTDs/Podcast-1.0.dtd",
            "http://itunes.com/dtds/podcast-1.0.dtd/",
            " https://www.itunes.com/dtds/podcast-1.0.dtd ",
        ] {
            assert!(super::is_apples_namespace(uri), "{uri}");
        }
        for uri in ["http://www.itunes.com/dtds/podcast-2.0.dtd", "https://podcastindex.org/namespace/1.0", ""] {
            assert!(!super::is_apples_namespace(uri), "{uri}");
        }
    }
}
