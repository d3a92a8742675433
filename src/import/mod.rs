//! `podsmith import`: a show folder made from an existing feed, so a show
//! moves from any host without losing a subscriber: every episode keeps its
//! guid exactly as published, its date with its offset, its notes (HTML
//! made Markdown: [`html`]), numbers, type and art; the media stay where
//! they are hosted (URLs, measured where they are: see the hosted media of
//! `build`). The manifest is written with toml_edit, a comment beside each
//! value that was mapped or made up, and only once every item has been
//! read: a feed that cannot be imported leaves nothing behind.

pub mod dates;
#[cfg(feature = "online")]
pub mod download;
pub mod html;
mod namespace;

use std::path::{Path, PathBuf};

use chrono::DateTime;

use crate::diagnostic::Diagnostic;

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
    /// The episodes' other files (chapters, transcripts).
    others: Vec<OtherFile>,
}

/// A media file to fetch.
#[derive(Debug)]
struct MediaFile {
    url: String,
    /// Its name in the media folder.
    name: String,
    /// The length the feed gives it (what a download is checked against).
    #[cfg_attr(not(feature = "online"), allow(dead_code))]
    length: Option<u64>,
}

/// Another file of an episode to fetch (chapters, a transcript).
#[derive(Debug)]
#[cfg_attr(not(feature = "online"), allow(dead_code))]
struct OtherFile {
    url: String,
    /// Its path in the show.
    rel: String,
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
}

/// Where the placeholder cover goes, when the feed has none.
const PLACEHOLDER_COVER: &str = "media/cover.jpg";

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
    if manifest.exists() {
        return Err(ImportError::Usage(format!(
            "{} exists already: import into a new folder (podsmith never overwrites a manifest)",
            manifest.display()
        )));
    }
    Ok(())
}

/// Imports the feed in `opts` into a new show folder.
pub fn import(opts: &Options) -> Result<Imported, ImportError> {
    let manifest = opts.dir.join("episodes.toml");
    check_options(opts, &manifest)?;
    let utf16 = utf8_of_utf16(&opts.feed);
    let channel = read_feed(utf16.as_ref().map_or(opts.feed.as_slice(), |(bytes, _)| bytes.as_slice()))
        .map_err(|e| ImportError::Feed(format!("{}: not an RSS feed podsmith can read ({e})", opts.source)))?;
    let mut notes = Vec::new();
    if let Some((_, order)) = utf16 {
        notes.push(note(format!(
            "the feed is UTF-16 ({order}): read as such (podsmith's feeds are UTF-8, the only encoding Apple and most \
             apps read)"
        )));
    }
    let mut to_fetch = ToFetch::default();
    let (text, episodes) = manifest_of(&channel, opts, &mut notes, &mut to_fetch)?;
    if opts.download {
        fetch_media(opts, &to_fetch, &mut notes)?;
    }
    // Read back strictly before anything is written (beside a placeholder
    // cover, if it needs one).
    let needs_cover = text.contains(&format!("image = \"{PLACEHOLDER_COVER}\""));
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
    crate::output::write_bytes(&lock, lock_text.as_bytes()).map_err(|e| ImportError::Io(lock.clone(), e))?;
    crate::output::write_bytes(&manifest, text.as_bytes()).map_err(|e| ImportError::Io(manifest.clone(), e))?;
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
    let mut trailing = String::new();
    let list = episode_tables(channel, opts, notes, to_fetch, &mut dropped, &mut trailing)?;
    dropped.say(notes);
    serial_if_numbered(&mut podcast, &list, notes);
    doc["podcast"] = Item::Table(podcast);
    let n = list.len();
    doc["episode"] = Item::ArrayOfTables(list);
    doc.set_trailing(trailing);
    Ok((doc.to_string(), n))
}

/// A show the feed calls serial stays so only if every full episode has a
/// number (Apple needs one on each, and podsmith's manifest asks for it):
/// else it is imported as episodic, and said.
fn serial_if_numbered(podcast: &mut toml_edit::Table, list: &toml_edit::ArrayOfTables, notes: &mut Vec<Diagnostic>) {
    if podcast.get("type").and_then(toml_edit::Item::as_str) != Some("serial") {
        return;
    }
    let unnumbered = list.iter().filter(|t| !t.contains_key("episode") && !t.contains_key("type")).count();
    if unnumbered > 0 {
        podcast.remove("type");
        notes.push(note(format!(
            "the feed says the show is serial (itunes:type), but {} of its full episodes {} no number \
             (itunes:episode), which Apple needs on each in a serial show: imported as episodic; number them \
             (episode = 1, …) and set type = \"serial\" to keep it serial",
            unnumbered,
            if unnumbered == 1 { "has" } else { "have" }
        )));
    }
}

/// The manifest's `[podcast]` table, each value that was made up or mapped
/// with a comment beside it.
fn podcast_table(
    channel: &rss::Channel,
    opts: &Options,
    notes: &mut Vec<Diagnostic>,
    dropped: &mut namespace::Dropped,
) -> Result<toml_edit::Table, ImportError> {
    use toml_edit::value;
    let mut p = toml_edit::Table::new();
    // What was made up or mapped, said beside the value.
    let mut said: Vec<(&str, &str)> = Vec::new();
    who_and_what(channel, &mut p, notes, &mut said)?;
    let it = channel.itunes_ext();
    let before = notes.len();
    let list = feed_categories(&opts.feed, it);
    p["categories"] = value(categories(&list, opts.category.as_deref(), notes)?);
    if notes.len() > before || opts.category.is_some() {
        said.push(("categories", "mapped to Apple's current list (the import said how)"));
    }
    if let Some(explicit) = it.and_then(|i| i.explicit()) {
        p["explicit"] = value(matches!(explicit.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "explicit"));
    }
    if channel_type(channel).as_deref() == Some("serial") {
        p["type"] = value("serial");
    }
    where_it_lives(channel, opts, &mut p, notes, &mut said);
    if let Some(guid) = podcast_text(channel.extensions(), "guid").filter(|g| crate::text::is_uuid(g)) {
        p["guid"] = value(guid.as_str());
        comment(&mut p, "guid", "the show's podcast:guid, kept: Podcast Index apps know the show by it");
    } else if let Some(url) = old_feed_url(channel, opts) {
        // Without a podcast:guid of its own, Podcast Index knows the show
        // by the one Podcasting 2.0 makes from the feed's URL: made here
        // from the old URL and kept, or the new address would make another.
        p["guid"] = value(crate::xmlns::podcast_guid(&url));
        comment(
            &mut p,
            "guid",
            "the podcast:guid Podcast Index knows the show by, made from the old feed's URL (it had none): keep it",
        );
    } else {
        // Podcast Index knows such a show by a guid made from its old
        // address, which neither the file nor the feed tells.
        notes.push(note(
            "the feed has no podcast:guid and does not say its own address (no atom:link rel=\"self\"): the \
             podcast:guid Podcast Index knows the show by cannot be made, and the new one will be taken for another \
             show; import from the feed's URL instead (podsmith import https://…), or set `guid` in [podcast] to the \
             one podcastindex.org shows for the show",
        ));
    }
    block_and_complete(channel, &mut p, notes);
    namespace_tags(channel, &mut p, notes, dropped);
    namespace::channel(channel.extensions(), &mut p, notes, dropped);
    // The WebSub hub the apps subscribed to the old feed at: `publish`
    // tells it when the new feed changes.
    if let Some(hub) = atom_link(channel, "hub").filter(|u| crate::url::HttpUrl::parse(u).is_ok()) {
        p["websub_hub"] = value(hub);
    }
    if let Some(new) = it.and_then(|i| non_empty_opt(i.new_feed_url())) {
        notes.push(note(format!("the feed says it moved to {new} (itunes:new-feed-url): import that feed instead?")));
    }
    comment(&mut p, "base_url", "where public/ will be served: the new home of the feed");
    for (key, text) in said {
        comment(&mut p, key, text);
    }
    Ok(p)
}

/// Whether a feed's yes/no tag says yes (Apple takes "Yes" in any case).
fn says_yes(v: Option<&str>) -> bool {
    v.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "yes" | "true"))
}

/// `itunes:block` / `podcast:block` and `itunes:complete` into `p` (`block`,
/// `complete`), loudly said: a show its owner kept out of the directories
/// must not become listed by moving.
fn block_and_complete(channel: &rss::Channel, p: &mut toml_edit::Table, notes: &mut Vec<Diagnostic>) {
    let it = channel.itunes_ext();
    let blocks =
        channel.extensions().get("podcast").and_then(|n| n.get("block")).map(Vec::as_slice).unwrap_or_default();
    let everywhere = blocks.iter().any(|b| !b.attrs().contains_key("id") && says_yes(b.value()));
    if says_yes(it.and_then(|i| i.block())) || everywhere {
        p["block"] = toml_edit::value(true);
        comment(p, "block", "the old feed blocked the show (itunes:block): it stays out of the directories");
        notes.push(note(
            "the feed blocks the show (itunes:block or podcast:block): imported as block = true, so it stays out of \
             Apple Podcasts and the other directories; remove it only if the show is to be listed",
        ));
    }
    let some: Vec<&str> =
        blocks.iter().filter(|b| says_yes(b.value())).filter_map(|b| b.attrs().get("id").map(|i| i.trim())).collect();
    if !some.is_empty() && !p.contains_key("block") {
        notes.push(note(format!(
            "the feed blocks the show on {} only (podcast:block with an id), which the manifest cannot say: left \
             out, so the show WILL be listed there after the move; set block = true to keep it out of every directory",
            some.join(", ")
        )));
    }
    if says_yes(it.and_then(|i| i.complete())) {
        p["complete"] = toml_edit::value(true);
        notes.push(note(
            "the feed says the show is complete (itunes:complete): imported as complete = true, so apps expect no \
             new episode; remove it before publishing one",
        ));
    }
}

/// The show's title, description, author, owner and language into `p`
/// (what is made up said in `notes` and `said`).
fn who_and_what(
    channel: &rss::Channel,
    p: &mut toml_edit::Table,
    notes: &mut Vec<Diagnostic>,
    said: &mut Vec<(&str, &str)>,
) -> Result<(), ImportError> {
    use toml_edit::value;
    let it = channel.itunes_ext();
    let title =
        non_empty(channel.title()).ok_or_else(|| ImportError::Refused("the feed's channel has no title".into()))?;
    p["title"] = value(one_line(title).as_ref());
    let (description, _) = html::to_markdown(channel.description());
    let description = crate::markdown::excerpt(&description, 4000);
    p["description"] = value(non_empty(&description).unwrap_or(title));
    let author = it.and_then(|i| non_empty_opt(i.author())).or_else(|| non_empty_opt(channel.managing_editor()));
    let author = author.map(str::to_string).unwrap_or_else(|| {
        notes.push(note("the feed names no author: the show's title is used (set `author`)"));
        said.push(("author", "the feed names no author: the show's title, to change"));
        title.to_string()
    });
    p["author"] = value(author.as_str());
    // An address podsmith takes: one the feed wrote otherwise (with a name,
    // "mailto:", two of them) is read for the first e-mail in it.
    let given = it.and_then(|i| i.owner()).and_then(|o| non_empty_opt(o.email()));
    if let Some(given) = given.filter(|g| email_in(Some(g)).is_none()) {
        notes.push(note(format!(
            "the feed's owner e-mail (itunes:owner) \"{}\" is not an e-mail address: left out",
            crate::text::truncate_chars(given, 80)
        )));
    }
    let owner_email = email_in(given)
        .or_else(|| email_in(channel.managing_editor()))
        .or_else(|| email_in(channel.webmaster()))
        .unwrap_or_else(|| {
            notes.push(note(
                "the feed gives no owner e-mail (itunes:owner, managingEditor): a placeholder is written; set \
                 `owner` (directories send ownership codes there)",
            ));
            said.push((
                "owner",
                "a placeholder: the feed gives no owner e-mail; directories send ownership codes here",
            ));
            "you@example.com"
        });
    let mut owner = toml_edit::InlineTable::new();
    if let Some(name) = it.and_then(|i| i.owner()).and_then(|o| non_empty_opt(o.name())) {
        owner.insert("name", name.into());
    }
    owner.insert("email", owner_email.into());
    p["owner"] = value(owner);
    let language = channel.language().and_then(language_of);
    if let Some(given) = channel.language().map(str::trim)
        && let Some((region, _)) = crate::text::bad_region(&given.to_ascii_lowercase())
        && let Some(written) = &language
    {
        notes.push(note(format!(
            "the feed's language \"{}\" has \"{region}\", which is no country's code: \"{written}\" is written",
            crate::text::truncate_chars(given, 40)
        )));
    }
    p["language"] = value(language.clone().unwrap_or_else(|| {
        notes.push(note(match channel.language().map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => {
                format!("the feed's language \"{}\" is not an ISO 639 code: \"en\" is written", l.escape_debug())
            }
            None => "the feed gives no language: \"en\" is written".to_string(),
        }));
        said.push(("language", "the feed's language is not an ISO 639 code: \"en\", to check"));
        "en".into()
    }));
    Ok(())
}

/// The show's addresses into `p`: base_url, link, cover image, copyright
/// (a placeholder said in `notes` and `said`).
fn where_it_lives(
    channel: &rss::Channel,
    opts: &Options,
    p: &mut toml_edit::Table,
    notes: &mut Vec<Diagnostic>,
    said: &mut Vec<(&str, &str)>,
) {
    use toml_edit::value;
    let base_url = match &opts.base_url {
        Some(b) => b.trim().to_string(),
        None => {
            notes.push(note(
                "base_url is a placeholder: set it to where the new site will be served (--base-url), then redirect \
                 the old feed there",
            ));
            "https://example.com/podcast/".into()
        }
    };
    p["base_url"] = value(base_url.as_str());
    if let Some(link) = non_empty_opt(Some(channel.link())).filter(|l| crate::url::HttpUrl::parse(l).is_ok()) {
        p["link"] = value(link);
    }
    let it = channel.itunes_ext();
    let image = it.and_then(|i| non_empty_opt(i.image())).or_else(|| channel.image().map(|i| i.url()));
    match image.filter(|u| crate::url::HttpUrl::parse(u).is_ok()) {
        Some(url) => {
            if let Some(ext) = crate::validate::media::refused_art_type(url) {
                notes.push(note(format!(
                    "the cover {url} is a .{ext}: Apple takes JPEG or PNG art only, so the show does not build \
                     until it is one: save the art as media/cover.jpg (1400-3000 px square) and set image = \
                     \"media/cover.jpg\""
                )));
            }
            p["image"] = value(url);
        }
        None => {
            notes.push(note(
                "the feed has no cover image URL (itunes:image): media/cover.jpg is a placeholder; replace it with \
                 the show's art (1400-3000 px square JPEG or PNG)",
            ));
            p["image"] = value(PLACEHOLDER_COVER);
            said.push(("image", "a placeholder: the feed has no cover image; replace media/cover.jpg"));
        }
    }
    if let Some(c) = non_empty_opt(channel.copyright()) {
        p["copyright"] = value(c);
    }
}

/// What the items taken so far hold, that a later item may not take again.
#[derive(Default)]
struct Taken {
    guids: std::collections::HashSet<String>,
    slugs: std::collections::HashSet<String>,
    media: std::collections::HashSet<String>,
    /// File names in the media folder (with `--download`).
    names: std::collections::HashSet<String>,
}

/// What the items left out, said once for all of them.
#[derive(Default)]
struct LeftOut {
    /// Items not imported, and why.
    skipped: Vec<String>,
    /// Kinds of file the items link to at the old host (without `--download`).
    linked: std::collections::BTreeSet<&'static str>,
    /// HTML elements dropped from the notes.
    dropped_tags: Vec<String>,
    /// Items whose Podlove chapters could not be used, and why.
    unusable_chapters: Vec<String>,
    /// Items the old feed blocked (`itunes:block` on the item).
    blocked: Vec<String>,
    /// Trailers whose media are served over http, each named and as its table.
    http_trailers: Vec<(String, toml_edit::Table)>,
}

/// The media URL of a trailer `t` served over http: podsmith publishes each
/// trailer as `podcast:trailer` too, whose URL the namespace requires to
/// be https (every build would fail, P20-HTTPS).
fn http_trailer(t: &toml_edit::Table) -> Option<String> {
    let url = t.get("media")?.as_array()?.get(0)?.as_str()?;
    (t.get("type")?.as_str()? == "trailer" && url.starts_with("http://")).then(|| url.to_string())
}

/// The trailers left out for their http media, as commented `[[episode]]`
/// tables to put back once their media are served over https.
fn commented_trailers(left: &LeftOut) -> String {
    if left.http_trailers.is_empty() {
        return String::new();
    }
    let mut list = toml_edit::ArrayOfTables::new();
    for (_, t) in &left.http_trailers {
        list.push(t.clone());
    }
    let mut doc = toml_edit::DocumentMut::new();
    doc["episode"] = toml_edit::Item::ArrayOfTables(list);
    let tables: String = doc.to_string().lines().map(|l| format!("# {l}\n").replace("# \n", "#\n")).collect();
    format!(
        "\n# Left out by the import: trailers whose media are served over http, which podcast:trailer may not \
         name.\n# Serve each over https (or import with --download), write its https:// URL, then uncomment it.\n\
         {tables}"
    )
}

/// The manifest's `[[episode]]` tables, one per item podsmith can import
/// (what it left out said in `notes`; an error if that is every item;
/// with `--download`, the files to fetch added to `to_fetch`).
fn episode_tables(
    channel: &rss::Channel,
    opts: &Options,
    notes: &mut Vec<Diagnostic>,
    to_fetch: &mut ToFetch,
    dropped: &mut namespace::Dropped,
    trailing: &mut String,
) -> Result<toml_edit::ArrayOfTables, ImportError> {
    let feed_url = self_url(channel).or_else(|| opts.source.starts_with("http").then(|| opts.source.clone()));
    let mut list = toml_edit::ArrayOfTables::new();
    let mut items = Items { opts, notes, to_fetch, dropped, taken: Taken::default(), left: LeftOut::default() };
    for (n, item) in channel.items().iter().enumerate() {
        let label = item.title().map_or_else(|| format!("item {}", n + 1), |t| format!("\"{t}\""));
        match item_identity(item, feed_url.as_deref(), &mut items.taken) {
            Ok(id) => {
                let t = items.episode_table(item, &label, &id);
                match http_trailer(&t) {
                    Some(url) => items.left.http_trailers.push((format!("{label} ({url})"), t)),
                    None => list.push(t),
                }
            }
            Err(why) => items.left.skipped.push(format!("{label} ({why})")),
        }
    }
    let Items { notes, left, .. } = items;
    say_left_out(&left, notes);
    *trailing = commented_trailers(&left);
    if list.is_empty() {
        let mut why = left.skipped.clone();
        why.extend(left.http_trailers.iter().map(|(name, _)| {
            format!("{name}: a trailer served over http, which podcast:trailer may not name: serve it over https")
        }));
        return Err(ImportError::Refused(format!(
            "the feed has no episode podsmith can import{}",
            if why.is_empty() { String::new() } else { format!(": {}", why.join("; ")) }
        )));
    }
    Ok(list)
}

/// What makes an item an episode of its own.
struct Identity {
    /// Its enclosure's URL, absolute.
    url: String,
    guid: String,
    /// The guid is made up (the item has none): its enclosure's URL, as Apple does.
    made_up: bool,
    date: DateTime<chrono::FixedOffset>,
    /// The date was read leniently (not RFC 2822): what was off.
    lenient_date: Option<Vec<String>>,
    /// The enclosure URL as the feed wrote it, where `url` spells it otherwise.
    respelled: Option<String>,
}

/// What makes `item` an episode of its own; `Err` with why the item cannot
/// be imported.
fn item_identity(item: &rss::Item, feed_url: Option<&str>, taken: &mut Taken) -> Result<Identity, String> {
    let given = item.enclosure().map(|e| e.url().trim()).ok_or("no enclosure")?;
    // Spelled as a feed may carry it (the same address, as apps request
    // it); a relative URL read against the feed's own address, as apps do.
    let spelled = respelled(given);
    let url = absolute(&spelled, feed_url).ok_or_else(|| unusable(given))?;
    if !taken.media.insert(url.clone()) {
        return Err("its enclosure is an earlier item's: apps keep the first".into());
    }
    let (guid, made_up) = match item.guid().map(|g| g.value().trim()).filter(|g| !g.is_empty()) {
        Some(g) => (g.to_string(), false),
        // As Apple does for an item without one: the URL as the feed wrote it.
        None if spelled != given && given.contains("://") => (given.to_string(), true),
        None => (url.clone(), true),
    };
    if !taken.guids.insert(guid.clone()) {
        return Err(format!("its guid {guid} is an earlier item's: apps show only the first"));
    }
    // As apps read it: RFC 2822, its common slips, and what hosts write besides.
    let read = dates::read(item.pub_date().ok_or("no pubDate")?)?;
    let respelled = (spelled != given).then(|| given.to_string());
    Ok(Identity { url, guid, made_up, date: read.at, lenient_date: read.lenient, respelled })
}

/// `url` as a feed may carry it, where the feed wrote it otherwise but
/// apps still fetch it: the scheme in lower case (`HTTP://`), tabs and
/// line breaks left out and the characters a URL may not carry as they
/// are (a space, `"`, `<`, `>`, `` ` ``, `{`, `}`, `|`, `^`, other
/// controls and white space) percent-encoded, as apps send them: the same
/// address, spelled as podsmith publishes it (`\`, which apps read as a
/// `/`, is left as it is, and refused).
fn respelled(url: &str) -> std::borrow::Cow<'_, str> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => (Some(s), r),
        _ => (None, url),
    };
    let odd =
        |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^');
    if scheme.is_none_or(|s| s == s.to_ascii_lowercase()) && !rest.contains(odd) {
        return std::borrow::Cow::Borrowed(url);
    }
    let mut out = scheme.map(|s| format!("{}://", s.to_ascii_lowercase())).unwrap_or_default();
    for c in rest.chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            c if odd(c) => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Why an item's enclosure URL `given` cannot be imported, and what to do.
fn unusable(given: &str) -> String {
    if given.is_empty() {
        return "its enclosure has no URL".into();
    }
    let problem = crate::text::url_problem(given).unwrap_or_else(|| "cannot be read against the feed's address".into());
    format!(
        "its enclosure URL \"{}\" {problem}; apps cannot fetch it either: host the file at an http(s) address and add \
         the episode by hand",
        crate::text::truncate_chars(given, 100)
    )
}

/// The items being mapped to episodes, and what their mapping gathers.
struct Items<'a> {
    opts: &'a Options,
    /// What was mapped or made up, to tell the podcaster.
    notes: &'a mut Vec<Diagnostic>,
    /// With `--download`: the files to fetch.
    to_fetch: &'a mut ToFetch,
    /// The `podcast:` tags left out, by kind.
    dropped: &'a mut namespace::Dropped,
    /// What the items before took.
    taken: Taken,
    /// What the items left out, said once for all of them.
    left: LeftOut,
}

impl Items<'_> {
    /// An item's `[[episode]]` table; `label` names it in what podsmith
    /// says, `id` is what makes it an episode of its own.
    fn episode_table(&mut self, item: &rss::Item, label: &str, id: &Identity) -> toml_edit::Table {
        use toml_edit::value;
        let mut t = toml_edit::Table::new();
        let title = one_line(non_empty_opt(item.title()).unwrap_or("Untitled"));
        let title = title.as_ref();
        t["title"] = value(title);
        if let Some(apples) = itunes_title(item, title) {
            t["itunes_title"] = value(one_line(apples).as_ref());
        }
        let slug = unique_slug(&mut self.taken.slugs, item.link(), title);
        t["slug"] = value(slug.as_str());
        t["guid"] = value(id.guid.as_str());
        if id.made_up {
            comment(&mut t, "guid", "the item had no guid: its enclosure URL, as Apple uses");
            self.notes.push(note(format!("{label} had no guid: its enclosure URL is its guid, as in Apple Podcasts")));
        }
        t["date"] = value(toml_date(&id.date));
        if id.date > chrono::Utc::now() {
            self.notes.push(note(format!(
                "{label} is dated {}, in the future: it is imported as a scheduled episode, which builds leave out \
                 of the feed and pages until then (the old feed listed it already)",
                toml_date(&id.date)
            )));
        }
        if let Some(given) = &id.respelled {
            self.notes.push(note(format!(
                "{label}: its enclosure URL \"{given}\" is written \"{}\", the same file as apps request it: a feed's \
                 URL has its scheme in lower case and may not carry spaces, |, {{ }}, ^, quotes or angle brackets as \
                 they are; the episode keeps its guid, so apps keep it",
                id.url
            )));
        }
        if let Some(why) = &id.lenient_date {
            let given = item.pub_date().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
            self.notes.push(note(format!(
                "{label}: its date \"{}\" is not RFC 2822; read leniently, as apps read it, as {}{}: check it",
                crate::text::truncate_chars(&given, 80),
                toml_date(&id.date),
                why.iter().map(|w| format!(" ({w})")).collect::<String>()
            )));
        }
        item_numbers(item, &mut t);
        namespace::item(item, &mut t, self.notes, self.dropped);
        let media = self.item_media(item, &id.url);
        t["media"] = value(media.iter().map(String::as_str).collect::<toml_edit::Array>());
        let it = item.itunes_ext();
        if says_yes(it.and_then(|i| i.block())) {
            self.left.blocked.push(label.to_string());
        }
        if let Some(img) = it.and_then(|i| non_empty_opt(i.image())).filter(|u| crate::url::HttpUrl::parse(u).is_ok()) {
            t["image"] = value(img);
        }
        self.item_files(item, ItemNames { label, slug: &slug }, &mut t);
        let html_notes = item.content().or(item.description()).unwrap_or_default();
        let (markdown, dropped) = html::to_markdown(html_notes);
        for tag in dropped.tags {
            if !self.left.dropped_tags.contains(&tag) {
                self.left.dropped_tags.push(tag);
            }
        }
        if !markdown.is_empty() {
            t["notes"] = value(multiline(&markdown));
        }
        t
    }

    /// An item's media: its enclosure `url`, then one file per other audio
    /// type (as the manifest takes them); with `--download`, the names they
    /// are fetched to (each added to the files to fetch).
    fn item_media(&mut self, item: &rss::Item, url: &str) -> Vec<String> {
        let mut media = vec![url.to_string()];
        let mut types = vec![item.enclosure().map(|e| e.mime_type().trim().to_ascii_lowercase()).unwrap_or_default()];
        const ALT: &str = "podcast:alternateEnclosure";
        for (alt, kind) in alternate_sources(item) {
            let kind = kind.trim().to_ascii_lowercase();
            // (The enclosure itself, as the default alternate names it: nothing to say.)
            if media.contains(&alt) {
            } else if !kind.starts_with("audio/") {
                self.dropped.unusable(ALT, "not audio (an episode's media are audio)");
            } else if types.contains(&kind) {
                self.dropped.unusable(ALT, "of a type the episode has already (one file per format)");
            } else if crate::url::HttpUrl::parse(&alt).is_err() {
                self.dropped.unusable(ALT, "without a source whose uri is an http(s) URL");
            } else if !self.taken.media.insert(alt.clone()) {
                self.dropped.unusable(ALT, "a file another episode has already");
            } else {
                media.push(alt);
                types.push(kind);
            }
        }
        if self.opts.download {
            let length = item.enclosure().and_then(|e| e.length().trim().parse::<u64>().ok());
            for (n, url) in media.iter_mut().enumerate() {
                let name = unique_name(&mut self.taken.names, url);
                let length = if n == 0 { length } else { None };
                self.to_fetch.media.push(MediaFile { url: url.clone(), name: name.clone(), length });
                *url = format!("{}/{name}", self.opts.media_dir);
            }
        }
        media
    }

    /// An item's chapters and transcript into `t`: Podlove Simple Chapters
    /// in the feed itself become the manifest's chapters (unless a chapters
    /// file comes along); with `--download` the files are fetched with the
    /// media, else what stays at the old host is noted.
    fn item_files(&mut self, item: &rss::Item, ItemNames { label, slug }: ItemNames<'_>, t: &mut toml_edit::Table) {
        let inline = match simple_chapters(item) {
            Some(Ok(tables)) => Some(tables),
            Some(Err(why)) => {
                self.left.unusable_chapters.push(format!("{label} ({why})"));
                None
            }
            None => None,
        };
        match self.opts.download {
            // Fetched with the media: the manifest names them as files of the show.
            true => episode_files(item, slug, t, &mut self.to_fetch.others),
            false => {
                for tag in ["chapters", "transcript"] {
                    let kept = tag == "chapters" && inline.is_some();
                    let linked = item.extensions().get("podcast").and_then(|p| p.get(tag));
                    if !kept && linked.is_some_and(|l| !l.is_empty()) {
                        self.left.linked.insert(tag);
                    }
                }
            }
        }
        if let Some(tables) = inline.filter(|_| !t.contains_key("chapters_file")) {
            t["chapters"] = toml_edit::Item::ArrayOfTables(tables);
        }
    }
}

/// An item's season, episode number, type and explicit flag into `t`.
fn item_numbers(item: &rss::Item, t: &mut toml_edit::Table) {
    use toml_edit::value;
    let it = item.itunes_ext();
    if let Some(n) = it.and_then(|i| i.season()).and_then(|s| s.trim().parse::<u32>().ok()).filter(|n| *n > 0) {
        t["season"] = value(i64::from(n));
    }
    if let Some(n) = it.and_then(|i| i.episode()).and_then(|s| s.trim().parse::<u32>().ok()).filter(|n| *n > 0) {
        t["episode"] = value(i64::from(n));
    }
    let kind = it.and_then(|i| i.episode_type()).map(|t| t.trim().to_ascii_lowercase());
    if let Some(kind @ ("trailer" | "bonus")) = kind.as_deref() {
        t["type"] = value(kind);
    }
    if let Some(e) = it.and_then(|i| i.explicit()) {
        t["explicit"] = value(matches!(e.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "explicit"));
    }
}

/// How an item is named: in what podsmith says of it (its quoted title,
/// or "item N"), and in the show (its episode's slug).
#[derive(Debug, Clone, Copy)]
struct ItemNames<'a> {
    label: &'a str,
    slug: &'a str,
}

/// What the items left out, said in `notes`.
fn say_left_out(left: &LeftOut, notes: &mut Vec<Diagnostic>) {
    if !left.skipped.is_empty() {
        notes.push(note(format!(
            "{} not imported: {}",
            crate::text::count(left.skipped.len(), "item"),
            left.skipped.join("; ")
        )));
    }
    if !left.linked.is_empty() {
        let what: Vec<&str> = left.linked.iter().copied().collect();
        notes.push(note(format!(
            "the items' {} files stay at the old host and are not linked from the new feed: import with --download \
             to bring them, or put them in the show folder (chapters_file, transcript)",
            what.join(" and ")
        )));
    }
    if !left.unusable_chapters.is_empty() {
        notes.push(note(format!(
            "the Podlove chapters (psc:chapters) of {} were left out: {}; add them as [[episode.chapters]] \
             by hand",
            crate::text::count(left.unusable_chapters.len(), "item"),
            left.unusable_chapters.join("; ")
        )));
    }
    if !left.http_trailers.is_empty() {
        let names: Vec<&str> = left.http_trailers.iter().map(|(n, _)| n.as_str()).collect();
        notes.push(note(format!(
            "{} left out: {}: each is published as a podcast:trailer too, whose URL the Podcasting 2.0 namespace \
             requires to be https, so every build would fail (P20-HTTPS); {} at the end of episodes.toml as a \
             comment: serve the file over https (or import with --download), write its https:// URL and uncomment it",
            crate::text::count(names.len(), "trailer served over http was"),
            names.join("; "),
            if names.len() == 1 { "it is" } else { "they are" }
        )));
    }
    if !left.blocked.is_empty() {
        notes.push(note(format!(
            "the feed blocks {} in Apple Podcasts (itunes:block on the item), which the manifest cannot say: \
             imported, so {} WILL be listed after the move: {}; remove {} from episodes.toml if {} must stay hidden",
            crate::text::count(left.blocked.len(), "episode"),
            if left.blocked.len() == 1 { "it" } else { "they" },
            left.blocked.join(", "),
            if left.blocked.len() == 1 { "it" } else { "them" },
            if left.blocked.len() == 1 { "it" } else { "they" },
        )));
    }
    if !left.dropped_tags.is_empty() {
        notes.push(note(format!(
            "the notes' {} elements were left out (a show page does not run them)",
            left.dropped_tags.join(", ")
        )));
    }
}

/// An item's Podlove Simple Chapters (`psc:chapters`) as the manifest's
/// `[[episode.chapters]]` tables: `None` if it has none, `Err` with why if
/// they cannot be taken as they are (the manifest's chapters start at 0,
/// in order, each with a title).
fn simple_chapters(item: &rss::Item) -> Option<Result<toml_edit::ArrayOfTables, String>> {
    let list = item.extensions().get("psc")?.get("chapters")?.first()?;
    let chapters = list.children().get("chapter").filter(|c| !c.is_empty())?;
    let mut tables = toml_edit::ArrayOfTables::new();
    let mut last: Option<f64> = None;
    for (n, c) in chapters.iter().enumerate() {
        let attr = |k: &str| c.attrs().get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let Some(start) = attr("start").and_then(crate::chapters::parse_time) else {
            return Some(Err(format!("chapter {} has no start podsmith can read", n + 1)));
        };
        let Some(title) = attr("title") else { return Some(Err(format!("chapter {} has no title", n + 1))) };
        match last {
            None if start != 0.0 => return Some(Err("the first chapter does not start at 0".into())),
            Some(l) if start <= l => {
                return Some(Err(format!("chapter {} does not start after the one before", n + 1)));
            }
            _ => last = Some(start),
        }
        let mut t = toml_edit::Table::new();
        t["start"] = match start.fract() == 0.0 {
            true => toml_edit::value(crate::text::clock(start as u64)),
            false => toml_edit::value(start),
        };
        t["title"] = toml_edit::value(title);
        let usable = |u: &&str| crate::url::HttpUrl::parse(u).is_ok();
        if let Some(href) = attr("href").filter(usable) {
            t["url"] = toml_edit::value(href);
        }
        if let Some(image) = attr("image").filter(usable) {
            t["image"] = toml_edit::value(image);
        }
        tables.push(t);
    }
    Some(Ok(tables))
}

/// An item's chapters (JSON) and transcripts, to fetch into `chapters/`
/// and `transcripts/`, and the keys that name them.
fn episode_files(item: &rss::Item, slug: &str, t: &mut toml_edit::Table, others: &mut Vec<OtherFile>) {
    use crate::transcript::Kind;
    let Some(ns) = item.extensions().get("podcast") else { return };
    let usable = |u: &String| crate::url::HttpUrl::parse(u).is_ok();
    if let Some(c) = ns.get("chapters").and_then(|l| l.first())
        && let Some(url) = c.attrs().get("url").filter(|u| usable(u))
        && c.attrs().get("type").is_none_or(|t| t.contains("json"))
    {
        let rel = format!("chapters/{slug}.json");
        others.push(OtherFile { url: url.clone(), rel: rel.clone() });
        t["chapters_file"] = toml_edit::value(rel);
    }
    let mut transcripts = toml_edit::Array::new();
    let mut taken: Vec<(Kind, String)> = Vec::new();
    for tr in ns.get("transcript").into_iter().flatten() {
        let Some(url) = tr.attrs().get("url").filter(|u| usable(u)) else { continue };
        let kind = match tr.attrs().get("type").map(|t| t.trim().to_ascii_lowercase()).as_deref() {
            Some("text/vtt") => Kind::Vtt,
            Some("application/x-subrip" | "application/srt") => Kind::Srt,
            Some("application/json") => Kind::Json,
            Some("text/html") => Kind::Html,
            _ => continue,
        };
        let language = tr.attrs().get("language").and_then(|l| language_of(l));
        let key = (kind, language.clone().unwrap_or_default());
        if taken.contains(&key) {
            continue;
        }
        taken.push(key);
        let rel = match &language {
            Some(l) => format!("transcripts/{slug}.{l}.{}", kind.extension()),
            None => format!("transcripts/{slug}.{}", kind.extension()),
        };
        others.push(OtherFile { url: url.clone(), rel: rel.clone() });
        let mut entry = toml_edit::InlineTable::new();
        entry.insert("file", rel.into());
        if let Some(l) = language {
            entry.insert("language", l.into());
        }
        transcripts.push(entry);
    }
    if !transcripts.is_empty() {
        t["transcript"] = toml_edit::value(transcripts);
    }
}

/// A file name for the media at `url` in `media/`: its own, made plain
/// (ASCII letters, digits, `.`, `-`, `_`), short enough for any file
/// system (its stem at most [`NAME_STEM`] bytes), unique.
fn unique_name(taken: &mut std::collections::HashSet<String>, url: &str) -> String {
    let last = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let last = html::decode(&crate::text::decode_path(last).unwrap_or_else(|| last.to_string()));
    let plain: String =
        last.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect();
    // One `-` for each run of them ("Ep 1 (final)" is "Ep-1-final").
    let plain = plain.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    let plain = plain.trim_matches(['.', '-']).to_string();
    let (stem, ext) = match plain.rsplit_once('.') {
        Some((s, e)) if !s.trim_end_matches('-').is_empty() && e.len() <= 5 => {
            (s.trim_end_matches('-').to_string(), format!(".{}", e.to_ascii_lowercase()))
        }
        _ => (if plain.is_empty() { "episode".to_string() } else { plain.clone() }, String::new()),
    };
    let stem = match stem.len() > NAME_STEM {
        true => stem[..NAME_STEM].trim_end_matches(['.', '-']).to_string(),
        false => stem,
    };
    let mut name = format!("{stem}{ext}");
    let mut n = 2;
    while !taken.insert(name.to_ascii_lowercase()) {
        name = format!("{stem}-{n}{ext}");
        n += 1;
    }
    name
}

/// The longest stem [`unique_name`] gives (ASCII: bytes are characters),
/// leaving room in a file system's 255 bytes for `-N` and an extension.
const NAME_STEM: usize = 120;

/// Fetches the media into `media/` (those there already from an earlier
/// run are kept): what was wrong is said; a file that could not be
/// fetched stops the import (a new run resumes it).
#[cfg(feature = "online")]
fn fetch_media(opts: &Options, to_fetch: &ToFetch, notes: &mut Vec<Diagnostic>) -> Result<(), ImportError> {
    let media = opts.dir.join(&opts.media_dir);
    std::fs::create_dir_all(&media).map_err(|e| ImportError::Io(media.clone(), e))?;
    let audio = to_fetch.media.iter().map(|m| download::Fetch {
        url: m.url.clone(),
        path: media.join(&m.name),
        length: m.length,
        audio: true,
    });
    let others = to_fetch.others.iter().map(|o| download::Fetch {
        url: o.url.clone(),
        path: opts.dir.join(&o.rel),
        length: None,
        audio: false,
    });
    let todo: Vec<download::Fetch> = audio.chain(others).filter(|f| !f.path.exists()).collect();
    let found = download::fetch_all(&todo, 8, &opts.progress);
    let mut failed = 0;
    for (f, problem) in todo.iter().zip(found) {
        if let Some(p) = problem {
            failed += usize::from(!f.path.exists());
            notes.push(note(p));
        }
    }
    if failed > 0 {
        return Err(ImportError::Refused(format!(
            "{} could not be fetched (see above); run the same import again to resume",
            crate::text::count(failed, "media file")
        )));
    }
    Ok(())
}

#[cfg(not(feature = "online"))]
fn fetch_media(_: &Options, _: &ToFetch, _: &mut Vec<Diagnostic>) -> Result<(), ImportError> {
    Err(ImportError::Usage("--download needs podsmith built with the `online` feature (the default)".into()))
}

/// The channel's Podcasting 2.0 tags podsmith writes too: locked, medium,
/// license, funding, persons (each kept only if podsmith would take it).
fn namespace_tags(
    channel: &rss::Channel,
    p: &mut toml_edit::Table,
    notes: &mut Vec<Diagnostic>,
    dropped: &mut namespace::Dropped,
) {
    use toml_edit::{InlineTable, value};
    let Some(ns) = channel.extensions().get("podcast") else { return };
    let text = |name: &str| ns.get(name).and_then(|l| l.first()).and_then(|e| e.value()).map(str::trim);
    if text("locked").is_some_and(|v| v.eq_ignore_ascii_case("yes")) {
        p["locked"] = value(true);
        // podsmith names the show's owner e-mail in podcast:locked: said
        // where the old feed named another (who may move the show).
        let named = ns.get("locked").and_then(|l| l.first()).and_then(|l| l.attrs().get("owner")).map(|o| o.trim());
        let owner = p.get("owner").and_then(|o| o.get("email")).and_then(|e| e.as_str()).unwrap_or_default();
        if let Some(named) = named.filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(owner)) {
            notes.push(note(format!(
                "the feed's podcast:locked names \"{}\" as the owner who may move the show; the new feed names the \
                 owner e-mail, \"{owner}\": to keep the first, set it as `owner`'s email in [podcast]",
                crate::text::truncate_chars(named, 80)
            )));
        }
    }
    let known_medium = |m: &str| crate::validate::p20::MEDIUMS.contains(&m.strip_suffix('L').unwrap_or(m));
    match text("medium").filter(|m| !m.is_empty()) {
        Some(m) if known_medium(m) => p["medium"] = value(m),
        Some(_) => dropped.unusable("podcast:medium", "not one of the namespace's mediums"),
        None => {}
    }
    if let Some(l) = ns.get("license").and_then(|l| l.first()).and_then(|l| namespace::license(l, dropped)) {
        p["license"] = value(l);
    }
    let mut funding = toml_edit::Array::new();
    for f in ns.get("funding").into_iter().flatten() {
        let (Some(url), Some(text)) = (f.attrs().get("url"), f.value().map(str::trim).filter(|t| !t.is_empty())) else {
            dropped.unusable("podcast:funding", "without a URL or a text");
            continue;
        };
        if !is_https(url) {
            dropped.unusable("podcast:funding url", "not an https URL");
        } else {
            let mut t = InlineTable::new();
            t.insert("url", url.as_str().into());
            t.insert("text", crate::text::truncate_chars(text, 128).into());
            funding.push(t);
        }
    }
    if !funding.is_empty() {
        p["funding"] = value(funding);
    }
    let persons = namespace::persons(ns.get("person").map(Vec::as_slice).unwrap_or_default(), "host", notes, dropped);
    if !persons.is_empty() {
        p["persons"] = value(persons);
    }
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

/// The channel's `itunes:category` elements as the feed nests them: each
/// top-level one's text, with the text of every subcategory in it (the rss
/// crate keeps only the first subcategory of each); read from the feed's
/// bytes, else (a feed only the rss crate reads) from `it`.
fn feed_categories(
    bytes: &[u8],
    it: Option<&rss::extension::itunes::ITunesChannelExtension>,
) -> Vec<(String, Vec<String>)> {
    use crate::validate::xml::Ns;
    let mut findings = Vec::new();
    let doc = crate::validate::xml::parse(bytes, &mut findings);
    let apples = |doc: &crate::validate::xml::Doc, ns: &Ns| match ns {
        Ns::Itunes => true,
        Ns::Other(i) => doc.names.get(*i as usize).is_some_and(|u| is_apples_namespace(u)),
        Ns::Undeclared(i) => doc.names.get(*i as usize).is_some_and(|p| &**p == "itunes"),
        _ => false,
    };
    let read = doc.as_ref().and_then(|doc| {
        let channel = doc.child(doc.nodes.first()?, &Ns::Rss, "channel")?;
        let is_category = |n: &&crate::validate::xml::Node| &*n.local == "category" && apples(doc, &n.ns);
        let text = |n: &crate::validate::xml::Node| n.attr("text").map(|t| t.trim().to_string());
        let list: Vec<(String, Vec<String>)> = doc
            .all_children(channel)
            .filter(is_category)
            .filter_map(|c| Some((text(c)?, doc.all_children(c).filter(is_category).filter_map(text).collect())))
            .collect();
        (!list.is_empty()).then_some(list)
    });
    read.unwrap_or_else(|| {
        let list = it.map(|i| i.categories()).unwrap_or_default().iter();
        list.map(|c| {
            (c.text().trim().to_string(), c.subcategory().map(|s| s.text().trim().to_string()).into_iter().collect())
        })
        .collect()
    })
}

/// `name` (`"Parent"` or `"Parent > Sub"`) in Apple's current list: as it
/// is, with a case slip mended, or where Apple moved it in 2019.
fn current_category(name: &str) -> Option<String> {
    let label = |(n, s)| crate::manifest::Category { name: n, sub: s }.label();
    match crate::manifest::categories::lookup(name) {
        Ok(found) => Some(label(found)),
        Err(Some(s)) if s.eq_ignore_ascii_case(name) => Some(s),
        Err(_) => {
            let moved = crate::manifest::categories::retired(name)?;
            crate::manifest::categories::lookup(moved).ok().map(label)
        }
    }
}

/// The channel's Apple categories (`list`, as [`feed_categories`] reads
/// them), mapped to the current list: every subcategory kept, each
/// category Apple renamed in 2019 mapped to its new name, and said.
fn categories(
    list: &[(String, Vec<String>)],
    given: Option<&str>,
    notes: &mut Vec<Diagnostic>,
) -> Result<toml_edit::Array, ImportError> {
    let mut out = toml_edit::Array::new();
    let keep = |label: String, out: &mut toml_edit::Array| {
        if !out.iter().any(|v| v.as_str() == Some(label.as_str())) {
            out.push(label);
        }
    };
    for (parent, subs) in list {
        let names: Vec<String> = match subs.is_empty() {
            true => vec![parent.clone()],
            false => subs.iter().map(|s| format!("{parent} > {s}")).collect(),
        };
        for name in names {
            match current_category(&name) {
                Some(label) if label == name => keep(label, &mut out),
                Some(label) => {
                    let why = match crate::manifest::categories::retired(&name) {
                        Some(_) => "a name Apple retired in 2019",
                        None => "spelled otherwise",
                    };
                    notes.push(note(format!("category \"{name}\" ({why}) is mapped to \"{label}\"")));
                    keep(label, &mut out);
                }
                None => match current_category(parent).filter(|_| name != *parent) {
                    Some(label) => {
                        notes.push(note(format!(
                            "category \"{name}\" is not in Apple's current list: its subcategory is left out, \
                             \"{label}\" kept"
                        )));
                        keep(label, &mut out);
                    }
                    None => notes.push(note(format!("category \"{name}\" is not in Apple's current list: left out"))),
                },
            }
        }
    }
    if out.is_empty() {
        let Some(given) = given else {
            return Err(ImportError::Refused(
                "the feed has no Apple category podsmith can map (itunes:category): Apple needs one; give it with \
                 --category \"Technology\" (or \"Society & Culture > Documentary\")"
                    .into(),
            ));
        };
        let (name, sub) = crate::manifest::categories::lookup(given).map_err(|suggestion| {
            ImportError::Usage(format!(
                "--category \"{given}\" is not an Apple Podcasts category{}",
                suggestion.map_or(String::new(), |s| format!(": did you mean \"{s}\"?"))
            ))
        })?;
        out.push(crate::manifest::Category { name, sub }.label());
    }
    Ok(out)
}

/// The address the old feed is fetched at: the URL it was imported from,
/// else the one it names as its own (`atom:link rel="self"`).
fn old_feed_url(channel: &rss::Channel, opts: &Options) -> Option<String> {
    let given = crate::url::HttpUrl::parse(opts.source.trim()).is_ok().then(|| opts.source.trim().to_string());
    given.or_else(|| atom_link(channel, "self").filter(|u| crate::url::HttpUrl::parse(u).is_ok()))
}

/// The feed's own address (`atom:link rel="self"`), else its web page's.
fn self_url(channel: &rss::Channel) -> Option<String> {
    atom_link(channel, "self")
        .or_else(|| Some(channel.link().to_string()))
        .filter(|u| crate::url::HttpUrl::parse(u).is_ok())
}

/// The `href` of the channel's first `atom:link` with `rel`.
fn atom_link(channel: &rss::Channel, rel: &str) -> Option<String> {
    let atom = channel.extensions().get("atom").and_then(|a| a.get("link"));
    let link = atom.into_iter().flatten().find(|l| l.attrs().get("rel").map(|r| r.trim()) == Some(rel))?;
    link.attrs().get("href").map(|h| h.trim().to_string())
}

/// `url`, or read against `base` when it is relative; `None` if it is not
/// an http(s) URL either way.
fn absolute(url: &str, base: Option<&str>) -> Option<String> {
    if crate::url::HttpUrl::parse(url).is_ok() {
        return Some(url.to_string());
    }
    let base = base?;
    if url.contains("://") || url.is_empty() {
        return None;
    }
    let joined = match url.strip_prefix('/') {
        Some(path) => {
            let origin_end =
                base.find("://").map(|i| i + 3).and_then(|i| base[i..].find('/').map(|j| i + j)).unwrap_or(base.len());
            format!("{}/{path}", &base[..origin_end])
        }
        None => format!("{}{url}", &base[..base.rfind('/').map_or(base.len(), |i| i + 1)]),
    };
    crate::url::HttpUrl::parse(&without_dot_segments(&joined)).ok().map(|u| u.to_string())
}

/// A URL with its path's `.` and `..` segments resolved (RFC 3986 5.2.4).
fn without_dot_segments(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let path_start = url[scheme_end..].find('/').map_or(url.len(), |i| scheme_end + i);
    let (origin, path) = url.split_at(path_start);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
        if i + 1 == segments.len() && matches!(*seg, "." | "..") {
            out.push("");
        }
    }
    format!("{origin}/{}", out.join("/"))
}

/// `itunes:type` (serial or episodic), lower-cased.
fn channel_type(channel: &rss::Channel) -> Option<String> {
    Some(channel.itunes_ext()?.r#type()?.trim().to_ascii_lowercase())
}

/// A host's feed, read: Apple's tags are taken as Apple's also where the
/// feed spells Apple's namespace otherwise (`https://`, a slash more) or
/// uses the `itunes:` prefix without declaring it, as apps take them. The
/// rss crate knows them only by the namespace as Apple spells it (in any
/// case) and keeps the others apart, as tags of an unknown namespace:
/// such a feed lost its categories, cover, owner, episode numbers and
/// serial order.
fn read_feed(bytes: &[u8]) -> Result<rss::Channel, rss::Error> {
    use rss::extension::itunes::{ITunesChannelExtension, ITunesItemExtension};
    let mut channel = rss::Channel::read_from(bytes)?;
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
    // item's own extension (see `itunes_title`).
    if let Some(titles) = itunes_titles(bytes).filter(|t| t.len() == channel.items().len()) {
        for (item, title) in channel.items_mut().iter_mut().zip(titles) {
            let Some(title) = title else { continue };
            let mut ext = item.extensions().clone();
            let element =
                rss::extension::Extension { name: "itunes:title".into(), value: Some(title), ..Default::default() };
            ext.entry("itunes".into()).or_default().insert("title".into(), vec![element]);
            item.set_extensions(ext);
        }
    }
    Ok(channel)
}

/// A UTF-16 feed (by its byte-order mark, or `<?` in UTF-16) as UTF-8,
/// its XML declaration's encoding said so, with its byte order; `None` for
/// any other feed. (The rss crate's reader cannot decode UTF-16.)
fn utf8_of_utf16(bytes: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    let (mut text, order) = crate::validate::xml::utf16(bytes)?;
    let declaration = text.strip_prefix("<?xml").and_then(|rest| rest.find("?>")).map(|end| end + "<?xml".len());
    if let Some(end) = declaration
        && let Some(at) = text[..end].find("encoding")
        && let Some(eq) = text[at..end].find('=').map(|i| at + i + 1)
        && let Some(open) = text[eq..end].find(['"', '\'']).map(|i| eq + i)
        && let Some(close) = text[open + 1..end].find(text[open..].chars().next()?).map(|i| open + 1 + i)
    {
        text.replace_range(open + 1..close, "UTF-8");
    }
    Some((text.into_bytes(), order))
}

/// Each item's `itunes:title` in order, trimmed (`None`: it has none, or
/// an empty one); `None` if the feed cannot be read so.
fn itunes_titles(bytes: &[u8]) -> Option<Vec<Option<String>>> {
    use crate::validate::xml::{self, Ns};
    let doc = xml::parse(bytes, &mut Vec::new())?;
    let channel = doc.child(doc.nodes.first()?, &Ns::Rss, "channel")?;
    let apples = |ns: &Ns| match *ns {
        Ns::Itunes => true,
        Ns::Other(i) => doc.names.get(i as usize).is_some_and(|uri| is_apples_namespace(uri)),
        Ns::Undeclared(i) => doc.names.get(i as usize).is_some_and(|prefix| &**prefix == "itunes"),
        _ => false,
    };
    let title = |item| doc.all_children(item).find(|n| &*n.local == "title" && apples(&n.ns));
    let text = |n: &xml::Node| Some(n.text.trim().to_string()).filter(|t| !t.is_empty());
    Some(doc.children(channel, &Ns::Rss, "item").map(|item| title(item).and_then(text)).collect())
}

/// The item's `itunes:title` (see [`read_feed`]), where it says other than
/// the title `title` (as imported).
fn itunes_title<'a>(item: &'a rss::Item, title: &str) -> Option<&'a str> {
    let given = item.extensions().get("itunes")?.get("title")?.first()?.value()?;
    (one_line(given).as_ref() != title).then_some(given)
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

/// The `podcast:alternateEnclosure` sources of an item, with their type
/// (each enclosure's first source).
fn alternate_sources(item: &rss::Item) -> Vec<(String, String)> {
    let Some(alts) = item.extensions().get("podcast").and_then(|p| p.get("alternateEnclosure")) else {
        return Vec::new();
    };
    alts.iter()
        .map(|a| {
            let kind = a.attrs().get("type").cloned().unwrap_or_default();
            // No source (or no uri): an empty one, which is said as no URL.
            let source = a.children().get("source").and_then(|s| s.first());
            let uri = source.and_then(|s| s.attrs().get("uri")).map(|u| u.trim().to_string());
            (uri.unwrap_or_default(), kind)
        })
        .collect()
}

/// A slug for the episode: from its web page's last path segment (so its
/// address reads the same), else from its title; unique.
fn unique_slug(taken: &mut std::collections::HashSet<String>, link: Option<&str>, title: &str) -> String {
    let from_link = link
        .and_then(|l| l.split(['?', '#']).next())
        .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
        .map(crate::text::slugify)
        .filter(|s| !s.is_empty() && s.len() <= 80 && link.is_some_and(|l| l.matches('/').count() > 3));
    let base = from_link.unwrap_or_else(|| crate::text::slugify(title));
    let base = if base.is_empty() { "episode".to_string() } else { base };
    let mut slug = base.clone();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
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
        let Ok(channel) = super::read_feed(data) else { return };
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
    /// Names for `media/`: plain, unique, and short enough for any file
    /// system, whatever the URL's last part.
    #[test]
    fn media_names_are_plain_unique_and_short() {
        let mut taken = std::collections::HashSet::new();
        assert_eq!(super::unique_name(&mut taken, "https://h.example/a/Ep%201%20(final).MP3?x=1"), "Ep-1-final.mp3");
        assert_eq!(super::unique_name(&mut taken, "https://h.example/b/ep-1-final.mp3"), "ep-1-final-2.mp3");
        let long = format!("https://h.example/{}.mp3", "x".repeat(400));
        let name = super::unique_name(&mut taken, &long);
        assert_eq!((name.len(), name.ends_with(".mp3")), (super::NAME_STEM + 4, true));
        assert!(super::unique_name(&mut taken, &long).ends_with("-2.mp3"));
        assert_eq!(super::unique_name(&mut taken, "https://h.example/"), "h.example");
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
