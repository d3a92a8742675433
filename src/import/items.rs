//! An `[[episode]]` table made from each item: its identity exactly as
//! published (guid, enclosure, page), its numbers, chapters and files;
//! what cannot be kept said, and written beside the manifest as comments.

use chrono::DateTime;

use super::channel::{absolute, feed_base, says_yes, scheme_of};
use super::{
    ImportError, MediaFile, Options, OtherFile, ToFetch, comment, dates, html, language_of, multiline, namespace,
    non_empty_opt, note, one_line, toml_date,
};
use crate::diagnostic::Diagnostic;

/// What the items taken so far hold, that a later item may not take again.
#[derive(Default)]
struct Taken {
    guids: std::collections::HashSet<String>,
    slugs: Names,
    media: std::collections::HashSet<String>,
    /// File names in the media folder (with `--download`).
    names: Names,
}

/// Names given (slugs, file names), and of each name asked for, the number
/// to try first next time: a feed of 45,000 items of one title (or one
/// file name) numbers them in linear time (each tried `-2`, `-3`, … from
/// the start: 450 s).
#[derive(Default)]
pub(super) struct Names {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Names {
    /// Takes `name` (if free: whether it was).
    pub(super) fn insert(&mut self, name: String) -> bool {
        self.taken.insert(name)
    }

    fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }

    /// The first free of `numbered(1)`, `numbered(2)`, … for `base` (as
    /// `free` tells), where those below the number `base` last got are
    /// known to be taken (nothing is ever freed).
    fn first_free(
        &mut self,
        base: &str,
        numbered: impl Fn(usize) -> String,
        free: impl Fn(&Names, &str) -> bool,
    ) -> String {
        let mut n = self.next.get(base).copied().unwrap_or(1);
        loop {
            let name = numbered(n);
            if free(self, &name) {
                self.next.insert(base.to_string(), n + 1);
                return name;
            }
            n += 1;
        }
    }
}

impl FromIterator<String> for Names {
    fn from_iter<I: IntoIterator<Item = String>>(names: I) -> Names {
        Names { taken: names.into_iter().collect(), next: std::collections::HashMap::new() }
    }
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
    /// Items whose date cannot be read (or that have none), each named
    /// with why and as its table (its `date` left for the podcaster to give).
    undated: Vec<(String, toml_edit::Table)>,
    /// Items whose notes keep a relative link or image as it is (no web
    /// page to read it against), and the first such address.
    relative_links: (Vec<String>, Option<String>),
    /// What is said of an item, each said once for the items it is said of.
    of_items: OfItems,
}

/// What is said of items, each thing said once, naming the items it is
/// said of (a feed of 20 videos said the same 20 times), in the order
/// first said.
#[derive(Default)]
struct OfItems {
    said: Vec<OfSome>,
    /// Where each thing is in `said`.
    at: std::collections::HashMap<(&'static str, String), usize>,
}

/// A thing said of items.
struct OfSome {
    /// What goes between an item's name and `why`: ": ", or " " (`"Ep 1" had no guid`).
    sep: &'static str,
    why: String,
    /// The items (their labels).
    items: Vec<String>,
}

impl OfItems {
    /// `why` said of the item `label` (after `sep`, see [`OfSome::sep`]).
    fn say(&mut self, label: &str, sep: &'static str, why: String) {
        let at = *self.at.entry((sep, why.clone())).or_insert_with(|| {
            self.said.push(OfSome { sep, why, items: Vec::new() });
            self.said.len() - 1
        });
        self.said[at].items.push(label.to_string());
    }

    /// Each thing once, into `notes`.
    fn into_notes(self, notes: &mut Vec<Diagnostic>) {
        for OfSome { sep, why, items } in self.said {
            let whom = first_few(&items);
            notes.push(note(match (items.len(), sep) {
                (1, sep) => format!("{whom}{sep}{why}"),
                (_, " ") => format!("{whom} each {why}"),
                _ => format!("{whom}, each{sep}{why}"),
            }));
        }
    }
}

/// The media URL of a trailer `t` served over http: podsmith publishes each
/// trailer as `podcast:trailer` too, whose URL the namespace requires to
/// be https (every build would fail, P20-HTTPS).
fn http_trailer(t: &toml_edit::Table) -> Option<String> {
    let url = t.get("media")?.as_array()?.get(0)?.as_str()?;
    (t.get("type")?.as_str()? == "trailer" && url.starts_with("http://")).then(|| url.to_string())
}

/// The trailers left out for their http media and the items left out for
/// their dates, as commented `[[episode]]` tables to put back once their
/// media are served over https or their dates given.
fn commented_tables(left: &LeftOut) -> String {
    let trailers = "Left out by the import: trailers whose media are served over http, which podcast:trailer may \
                    not name.\n# Serve each over https (or import with --download), write its https:// URL, then \
                    uncomment it.";
    let undated = "Left out by the import: items whose date cannot be read (apps sort episodes by it).\n# Write \
                   the date each was published (date = 2026-03-03T10:00:00Z, without quotes), then uncomment it.";
    [(trailers, &left.http_trailers), (undated, &left.undated)]
        .into_iter()
        .filter(|(_, tables)| !tables.is_empty())
        .map(|(heading, tables)| {
            let mut list = toml_edit::ArrayOfTables::new();
            for (_, t) in tables {
                list.push(t.clone());
            }
            let mut doc = toml_edit::DocumentMut::new();
            doc["episode"] = toml_edit::Item::ArrayOfTables(list);
            let tables: String = doc.to_string().lines().map(|l| format!("# {l}\n").replace("# \n", "#\n")).collect();
            format!("\n# {heading}\n{tables}")
        })
        .collect()
}

/// The manifest's `[[episode]]` tables, one per item podsmith can import
/// (what it left out said in `notes`; an error if that is every item;
/// with `--download`, the files to fetch added to `to_fetch`).
pub(super) fn episode_tables(
    channel: &rss::Channel,
    opts: &Options,
    notes: &mut Vec<Diagnostic>,
    to_fetch: &mut ToFetch,
    dropped: &mut namespace::Dropped,
    trailing: &mut String,
) -> Result<toml_edit::ArrayOfTables, ImportError> {
    let feed_url = feed_base(channel, opts);
    let mut list = toml_edit::ArrayOfTables::new();
    let site = Some(channel.link().trim()).filter(|l| crate::url::HttpUrl::parse(l).is_ok()).map(str::to_string);
    let mut items = Items {
        opts,
        notes,
        to_fetch,
        dropped,
        site,
        feed_url: feed_url.clone(),
        taken: Taken::default(),
        left: LeftOut::default(),
        media_guids: 0,
        shared_link_slugs: shared_link_slugs(channel),
    };
    for (n, item) in channel.items().iter().enumerate() {
        // (As apps show the title: `Don&rsquo;t` is `Don’t`.)
        let label = item.title().map_or_else(|| format!("item {}", n + 1), |t| format!("\"{}\"", html::decode(t)));
        match item_identity(item, feed_url.as_deref(), &mut items.taken) {
            Ok(id) => {
                items.media_guids += usize::from(!id.made_up && crate::validate::is_media_url(&id.guid, Some(&id.url)));
                let t = items.episode_table(item, &label, &id);
                match (http_trailer(&t), &id.date) {
                    (Some(url), _) => items.left.http_trailers.push((format!("{label} ({url})"), t)),
                    (None, Err(why)) => items.left.undated.push((format!("{label} ({why})"), t)),
                    (None, Ok(_)) => list.push(t),
                }
            }
            Err(why) => items.left.skipped.push(format!("{label} ({why})")),
        }
    }
    let Items { notes, mut left, media_guids, .. } = items;
    std::mem::take(&mut left.of_items).into_notes(notes);
    if media_guids > 0 {
        let whose = match media_guids {
            1 => "the guid of one item is its media URL".to_string(),
            n => format!("the guids of {n} items are their media URLs"),
        };
        notes.push(note(format!(
            "{whose}: kept as published (a guid names an episode; apps do not fetch it), so apps keep the \
             episodes wherever their media are served from"
        )));
    }
    say_left_out(&left, notes);
    *trailing = commented_tables(&left);
    // (Items whose dates cannot be read are written commented out, for the
    // podcaster to date: a show of nothing else is imported so too.)
    if list.is_empty() && left.undated.is_empty() {
        let mut why = left.skipped.clone();
        why.extend(left.http_trailers.iter().map(|(name, _)| {
            format!("{name}: a trailer served over http, which podcast:trailer may not name: serve it over https")
        }));
        why.extend(left.undated.iter().map(|(name, _)| name.clone()));
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
    /// `Err`: why the item's date cannot be read (the episode is written
    /// commented out, for the podcaster to give it).
    date: Result<DateTime<chrono::FixedOffset>, String>,
    /// The date was read leniently (not RFC 2822): what was off.
    lenient_date: Option<Vec<String>>,
    /// The date's offset, more than 14 hours from UTC: the date is in UTC.
    far_offset: Option<String>,
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
    let url = absolute(&spelled, feed_url).ok_or_else(|| unusable(given, feed_url.is_some()))?;
    if !taken.media.insert(url.clone()) {
        return Err("its enclosure is an earlier item's: apps keep the first".into());
    }
    let (guid, made_up) = match item.guid().map(|g| g.value().trim()).filter(|g| !g.is_empty()) {
        Some(g) => (g.to_string(), false),
        // As Apple does for an item without one: the URL as the feed wrote it.
        None if spelled != given && given.contains("://") => (given.to_string(), true),
        None => (url.clone(), true),
    };
    // A UUID is the same whatever its case, as the manifest reads it.
    let uuid = crate::text::is_uuid(&guid);
    if !taken.guids.insert(if uuid { guid.to_ascii_lowercase() } else { guid.clone() }) {
        let case = if uuid { ", a UUID being the same whatever its case" } else { "" };
        return Err(format!("its guid {guid} is an earlier item's{case}: apps show only the first"));
    }
    // As apps read it: RFC 2822, its common slips, and what hosts write besides.
    // (An item without one is still an episode apps list: kept, for its date to be given.)
    let read = item.pub_date().ok_or_else(|| "it has no pubDate".to_string()).and_then(dates::read);
    let (date, lenient_date, far_offset) = match read {
        // An offset no zone has (RFC 2822 allows up to ±99:59): the same moment, in UTC.
        Ok(read) if read.at.offset().local_minus_utc().abs() > crate::manifest::MAX_OFFSET_MINUTES * 60 => {
            let utc = read.at.with_timezone(&chrono::Utc).fixed_offset();
            (Ok(utc), read.lenient, Some(read.at.offset().to_string()))
        }
        Ok(read) => (Ok(read.at), read.lenient, None),
        Err(why) => (Err(why), None, None),
    };
    let respelled = (spelled != given).then(|| given.to_string());
    Ok(Identity { url, guid, made_up, date, lenient_date, far_offset, respelled })
}

/// `url` as a feed may carry it, where the feed wrote it otherwise but
/// apps still fetch it: the scheme in lower case (`HTTP://`), tabs and
/// line breaks left out and the characters a URL may not carry as they
/// are (a space, `"`, `<`, `>`, `` ` ``, `{`, `}`, `|`, `^`, other
/// controls and white space, a letter outside ASCII such as `é`)
/// percent-encoded (as UTF-8), as apps send them, a host's letters
/// outside ASCII written as its IDNA (`xn--`) name: the same address,
/// spelled as podsmith publishes it (`\`, which apps read as a `/`, is
/// left as it is, and refused).
fn respelled(url: &str) -> std::borrow::Cow<'_, str> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => (Some(s), r),
        _ => (None, url),
    };
    let odd = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || !c.is_ascii()
            || matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^')
    };
    if scheme.is_none_or(|s| s == s.to_ascii_lowercase()) && !rest.contains(odd) {
        return std::borrow::Cow::Borrowed(url);
    }
    let mut out = scheme.map(|s| format!("{}://", s.to_ascii_lowercase())).unwrap_or_default();
    // A host outside ASCII, as apps ask for it: its IDNA name.
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let rest = match scheme.and_then(|_| idna_host(&rest[..host_end])) {
        Some(host) => std::borrow::Cow::Owned(host + &rest[host_end..]),
        None => std::borrow::Cow::Borrowed(rest),
    };
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

/// A URL's host (with its port) outside ASCII as apps ask for it: its
/// IDNA (`xn--`) name; `None` for a host in ASCII, one with a user's name,
/// or one that cannot be read.
fn idna_host(authority: &str) -> Option<String> {
    if authority.is_ascii() || authority.contains('@') {
        return None;
    }
    let u = url::Url::parse(&format!("http://{authority}/")).ok()?;
    Some(u.host_str()?.to_string() + &u.port().map(|p| format!(":{p}")).unwrap_or_default())
}

/// Why an item's enclosure URL `given` cannot be imported, and what to do
/// (`based`: the feed's own address is known, to read a relative URL against).
fn unusable(given: &str, based: bool) -> String {
    if given.is_empty() {
        return "its enclosure has no URL".into();
    }
    let problem = match scheme_of(given) {
        Some(scheme) if !matches!(scheme.as_str(), "http" | "https") => {
            format!("is a {scheme}: URL; podcast apps fetch only http(s)")
        }
        Some(_) => crate::text::url_problem(given).unwrap_or_else(|| "cannot be read".into()),
        None if !based => {
            return format!(
                "its enclosure URL \"{}\" is relative, and the feed does not say its own address (no \
                 atom:link rel=\"self\") to read it against: import from the feed's URL (podsmith import https://…) \
                 to read it as apps do, or write it in full",
                crate::text::truncate_chars(given, 100)
            );
        }
        None if given.contains('\\') => "holds \\, which a URL may not carry as it is (write / for a folder)".into(),
        None => "cannot be read against the feed's address".into(),
    };
    let given = crate::text::truncate_chars(given, 100);
    format!(
        "its enclosure URL \"{given}\" {problem}; apps cannot fetch it either: host the file at an http(s) address and \
         add the episode by hand"
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
    /// The show's web page (the channel's `<link>`), what the relative
    /// links in the notes of an item without a page of its own are read against.
    site: Option<String>,
    /// The feed's own address, what relative enclosure URLs are read against.
    feed_url: Option<String>,
    /// What the items before took.
    taken: Taken,
    /// What the items left out, said once for all of them.
    left: LeftOut,
    /// How many items' own guids are media URLs (see
    /// [`crate::validate::is_media_url`]), said once for all of them.
    media_guids: usize,
    /// The slugs of web page addresses that name no episode of their own
    /// (see [`shared_link_slugs`]).
    shared_link_slugs: std::collections::HashSet<String>,
}

impl Items<'_> {
    /// An item's title (and Apple's, if another) into `t`: as apps show it
    /// (`&amp;` in a title, as hosts that put it in CDATA write it, is `&`).
    fn titles(&mut self, item: &rss::Item, label: &str, t: &mut toml_edit::Table) -> String {
        // No title: Apple's, where it has one; else one made up, and said.
        let apples = item.extensions().get("itunes").and_then(|i| i.get("title")?.first()?.value());
        let given = match (non_empty_opt(item.title()), apples.and_then(|a| non_empty_opt(Some(a)))) {
            (Some(title), _) => one_line(title),
            (None, Some(apples)) => {
                self.left.of_items.say(label, " ", "had no title: its itunes:title is its title".to_string());
                one_line(apples)
            }
            (None, None) => {
                self.left.of_items.say(label, " ", "had no title: \"Untitled\" is written; give it one".to_string());
                std::borrow::Cow::Borrowed("Untitled")
            }
        };
        let title = html::decode(&given);
        if title != given {
            let why = format!(
                "had HTML character references in its title ({}): read as apps show them (it was written {})",
                references_in(&given).join(", "),
                crate::text::quoted(&given)
            );
            self.left.of_items.say(label, " ", why);
        }
        t["title"] = toml_edit::value(title.as_str());
        if non_empty_opt(item.title()).is_none() && non_empty_opt(apples).is_none() {
            comment(t, "title", "the item had no title: give it one");
        }
        if let Some(apples) = itunes_title(item, &title) {
            t["itunes_title"] = toml_edit::value(html::decode(&one_line(apples)).as_str());
        }
        title
    }

    /// An item's `[[episode]]` table; `label` names it in what podsmith
    /// says, `id` is what makes it an episode of its own.
    fn episode_table(&mut self, item: &rss::Item, label: &str, id: &Identity) -> toml_edit::Table {
        use toml_edit::value;
        let mut t = toml_edit::Table::new();
        let title = self.titles(item, label, &mut t);
        let title = title.as_str();
        let from_link = item.link().and_then(link_slug).filter(|s| !self.shared_link_slugs.contains(s));
        let slug = unique_slug(&mut self.taken.slugs, from_link, title);
        t["slug"] = value(slug.as_str());
        t["guid"] = value(id.guid.as_str());
        if id.made_up {
            comment(&mut t, "guid", "the item had no guid: its enclosure URL, as Apple uses");
            self.left.of_items.say(
                label,
                " ",
                "had no guid: its enclosure URL is its guid, as in Apple Podcasts".into(),
            );
        }
        match &id.date {
            Ok(date) => {
                t["date"] = value(toml_date(date));
                if *date > chrono::Utc::now() {
                    self.notes.push(note(format!(
                        "{label} is dated {}, in the future: it is imported as a scheduled episode, which builds \
                         leave out of the feed and pages until then (the old feed listed it already)",
                        toml_date(date)
                    )));
                }
            }
            Err(why) => {
                t["date"] = value("");
                super::comment(&mut t, "date", &format!("{why}: write the date it was published"));
            }
        }
        if let Some(given) = &id.respelled {
            self.notes.push(note(format!(
                "{label}: its enclosure URL \"{given}\" is written \"{}\", the same file as apps request it: a feed's \
                 URL has its scheme in lower case and may not carry spaces, |, {{ }}, ^, quotes, angle brackets or \
                 letters outside ASCII as they are (Apple refuses them); the episode keeps its guid, so apps keep it",
                id.url
            )));
        }
        if let (Some(why), Ok(date)) = (&id.lenient_date, &id.date) {
            let given = item.pub_date().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
            self.notes.push(note(format!(
                "{label}: its date \"{}\" is not RFC 2822; read leniently, as apps read it, as {}{}: check it",
                crate::text::truncate_chars(&given, 80),
                toml_date(date),
                why.iter().map(|w| format!(" ({w})")).collect::<String>()
            )));
        }
        if let (Some(offset), Ok(date)) = (&id.far_offset, &id.date) {
            self.notes.push(note(format!(
                "{label}: its date's offset {offset} is more than 14 hours from UTC, which no time zone is and feed \
                 readers refuse; the same moment is written in UTC, as {}",
                toml_date(date)
            )));
        }
        let mut said = Vec::new();
        item_numbers(item, &mut t, &mut |why| said.push(why));
        namespace::item(item, &mut t, &mut |why| said.push(why), self.dropped);
        for why in said {
            self.left.of_items.say(label, ": ", why);
        }
        let media = self.item_media(item, label, &id.url);
        t["media"] = value(media.iter().map(String::as_str).collect::<toml_edit::Array>());
        let it = item.itunes_ext();
        if says_yes(it.and_then(|i| i.block())) {
            self.left.blocked.push(label.to_string());
        }
        if let Some(img) = it.and_then(|i| non_empty_opt(i.image())).filter(|u| crate::url::HttpUrl::parse(u).is_ok()) {
            t["image"] = value(img);
            if self.opts.download {
                super::art_to_fetch(&mut t, label, &format!("episodes/{slug}"), &mut self.to_fetch.others);
            }
        }
        self.item_files(item, ItemNames { label, slug: &slug }, &mut t);
        self.item_notes(item, label, &mut t);
        t
    }

    /// An item's notes (HTML) into `t` as Markdown, what they lost noted.
    fn item_notes(&mut self, item: &rss::Item, label: &str, t: &mut toml_edit::Table) {
        // The first of them an item has: hosts that write Apple's summary may write no other.
        let summary = item.itunes_ext().and_then(|i| i.summary());
        let html_notes = [item.content(), item.description(), summary].into_iter().find_map(non_empty_opt);
        let html_notes = html_notes.unwrap_or_default();
        // (Read against the item's web page, else the show's: where they were shown.)
        let page = item.link().map(str::trim).filter(|l| crate::url::HttpUrl::parse(l).is_ok());
        let (markdown, dropped) = html::to_markdown(html_notes, page.or(self.site.as_deref()));
        if let Some(relative) = dropped.relative {
            self.left.relative_links.0.push(label.to_string());
            self.left.relative_links.1.get_or_insert(relative);
        }
        for tag in dropped.tags {
            if !self.left.dropped_tags.contains(&tag) {
                self.left.dropped_tags.push(tag);
            }
        }
        if !markdown.is_empty() {
            t["notes"] = toml_edit::value(multiline(&markdown));
        }
    }

    /// An item's media: its enclosure `url`, then one file per other audio
    /// type (as the manifest takes them); with `--download`, the names they
    /// are fetched to (each added to the files to fetch).
    fn item_media(&mut self, item: &rss::Item, label: &str, url: &str) -> Vec<String> {
        let mut media = vec![url.to_string()];
        let mut types = vec![item.enclosure().map(|e| e.mime_type().trim().to_ascii_lowercase()).unwrap_or_default()];
        let mut lengths = vec![item.enclosure().and_then(|e| e.length().trim().parse::<u64>().ok())];
        self.further_enclosures(item, label, (&mut media, &mut types, &mut lengths));
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
                lengths.push(None);
            }
        }
        if let Some(why) = refused_by_build(&media, &types, self.opts.download) {
            self.left.of_items.say(label, ": ", why);
        }
        if self.opts.download {
            if self.taken.names.is_empty() && self.opts.media_dir == super::PLACEHOLDER_COVER_DIR {
                // The placeholder cover's name, should the show need one.
                self.taken.names.insert(super::PLACEHOLDER_COVER_NAME.to_string());
            }
            for ((url, kind), length) in media.iter_mut().zip(&types).zip(lengths) {
                let name = unique_name(&mut self.taken.names, url, crate::probe::AudioFormat::from_mime(kind));
                self.to_fetch.media.push(MediaFile {
                    url: url.clone(),
                    label: label.to_string(),
                    name: name.clone(),
                    length,
                });
                *url = format!("{}/{name}", self.opts.media_dir);
            }
        }
        media
    }

    /// An item's enclosures after its first (which apps play: the
    /// episode's media) into its `media`, `types` and `lengths`, each one
    /// of a format it has not yet (one file per format, as the manifest
    /// takes them); any other said, naming the item, and left out.
    fn further_enclosures(&mut self, item: &rss::Item, label: &str, (media, types, lengths): MediaSoFar<'_>) {
        use crate::probe::AudioFormat;
        let further = item.extensions().get("podsmith").and_then(|p| p.get(super::FURTHER_ENCLOSURE));
        let format = |url: &str, kind: &str| {
            AudioFormat::from_mime(kind).or_else(|| {
                let ext = crate::validate::url_extension(url)?;
                AudioFormat::ALL.into_iter().find(|f| f.accepted_extensions().contains(&ext.as_str()))
            })
        };
        for e in further.map(Vec::as_slice).unwrap_or_default() {
            let attr = |key: &str| e.attrs().get(key).map_or("", |v| v.trim());
            let (given, kind) = (attr("url"), attr("type").to_ascii_lowercase());
            let url = absolute(&respelled(given), self.feed_url.as_deref());
            let had: Vec<Option<AudioFormat>> = media.iter().zip(types.iter()).map(|(u, t)| format(u, t)).collect();
            let why = match &url {
                None => Some(unusable(given, self.feed_url.is_some())),
                Some(u) if media.contains(u) => Some("the same file as an enclosure before it".into()),
                Some(_) if kind.starts_with("video/") => {
                    Some(format!("a video ({kind}); an episode's media are audio"))
                }
                Some(u) => match format(u, &kind) {
                    None => Some("of no audio format its type or address names".into()),
                    Some(f) if had.contains(&Some(f)) => {
                        Some(format!("{}, a format the episode has already: one file per format", f.label()))
                    }
                    Some(_) if !self.taken.media.insert(u.clone()) => Some("a file another episode has already".into()),
                    Some(_) => None,
                },
            };
            match (why, url) {
                (None, Some(u)) => {
                    media.push(u);
                    types.push(kind);
                    lengths.push(attr("length").parse::<u64>().ok());
                }
                (why, _) => self.left.of_items.say(
                    label,
                    ": ",
                    format!(
                        "has another <enclosure> after its first, \"{}\", left out ({}); apps play only an item's \
                         first enclosure",
                        crate::text::truncate_chars(given, 100),
                        why.unwrap_or_default()
                    ),
                ),
            }
        }
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
            true => {
                let others = &mut self.to_fetch.others;
                let before = others.len();
                episode_files(item, ItemNames { label, slug }, t, others);
                // The inline chapters are what the episode keeps if the
                // chapters file cannot be fetched or read.
                let chapters_file = t.get("chapters_file").and_then(|c| c.as_str());
                if let Some(file) = others[before..].iter_mut().find(|o| Some(o.rel.as_str()) == chapters_file) {
                    file.instead = inline.clone();
                }
            }
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

/// An episode's media so far, each with its type and length.
type MediaSoFar<'a> = (&'a mut Vec<String>, &'a mut Vec<String>, &'a mut Vec<Option<u64>>);

/// Why a build would refuse an episode of the media `urls` of `types`
/// (the enclosure first), as the show's `formats` ("apple") has it, and
/// what to do: a video; no MP3 or M4A (Apple Podcasts and Spotify list no
/// other, as `add` refuses); hosted, no URL ending in the extension of an
/// MP3 or M4A (Apple lists an episode by its URL; `--download` names the
/// file by its type, or by what it holds).
fn refused_by_build(urls: &[String], types: &[String], download: bool) -> Option<String> {
    use crate::probe::AudioFormat;
    let enclosure_type = types.first().map_or("", String::as_str);
    if enclosure_type.starts_with("video/") {
        return Some(format!(
            "its enclosure is a video ({enclosure_type}), and podsmith publishes audio: the build will refuse it; \
             export the sound as an MP3 (or M4A) and name that in its media in episodes.toml"
        ));
    }
    let by_name = |url: &str| {
        let ext = crate::validate::url_extension(url)?;
        AudioFormat::ALL.into_iter().find(|f| f.accepted_extensions().contains(&ext.as_str()))
    };
    let formats: Vec<Option<AudioFormat>> =
        urls.iter().zip(types).map(|(u, t)| AudioFormat::from_mime(t).or_else(|| by_name(u))).collect();
    let known: Vec<AudioFormat> = formats.iter().flatten().copied().collect();
    if !known.is_empty() && !known.iter().any(|f| f.apple_accepts()) {
        let labels: Vec<&str> = known.iter().map(|f| f.label()).collect();
        return Some(format!(
            "its media are {} alone: Apple Podcasts and Spotify list only MP3 and M4A (AAC), and the build will \
             refuse the episode; add an MP3 of it to its media in episodes.toml, or set formats = \"any\" in \
             [podcast] if the show is not meant for them",
            labels.join(" and ")
        ));
    }
    if download || urls.iter().any(|u| crate::validate::apple_lists_url(u)) {
        return None;
    }
    let what = match known.first() {
        Some(f) => format!("is {} but its address does not end in .{}", f.label(), f.extension()),
        None => format!("has no extension and its type (\"{enclosure_type}\") names no format"),
    };
    Some(format!(
        "its enclosure {} {what}: Apple Podcasts lists an episode only by a URL whose path ends in the file's \
         extension, and the build will refuse it (APPLE-IT-ENCL-EXT); import with --download, which names the file \
         by what it holds, or give a direct link to the file",
        urls.first().map_or("", String::as_str)
    ))
}

/// An item's season, episode number, type and explicit flag into `t`; a
/// number that is not one the manifest takes said (`say`) as left out.
fn item_numbers(item: &rss::Item, t: &mut toml_edit::Table, say: &mut dyn FnMut(String)) {
    use toml_edit::value;
    let it = item.itunes_ext();
    for (tag, key, given) in [
        ("itunes:season", "season", it.and_then(|i| i.season())),
        ("itunes:episode", "episode", it.and_then(|i| i.episode())),
    ] {
        let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else { continue };
        match whole_number(given) {
            Some(n) => t[key] = value(i64::from(n)),
            None => say(format!(
                "its {tag} \"{}\" was left out (the manifest's `{key}` is a whole number from 1)",
                crate::text::truncate_chars(given, 40).escape_debug()
            )),
        }
    }
    let kind = it.and_then(|i| i.episode_type()).map(|t| t.trim().to_ascii_lowercase());
    if let Some(kind @ ("trailer" | "bonus")) = kind.as_deref() {
        t["type"] = value(kind);
    }
    if let Some(e) = it.and_then(|i| i.explicit()) {
        t["explicit"] = value(matches!(e.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "explicit"));
    }
}

/// A season or episode number as feeds write it: `3`, `03`, `3.0`; one
/// from 1 (not a fraction, nor 0).
pub(super) fn whole_number(given: &str) -> Option<u32> {
    let given = given.trim();
    let n = match given.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let (whole, fraction) = given.split_once('.')?;
            if whole.is_empty() || !fraction.bytes().all(|b| b == b'0') {
                return None;
            }
            whole.parse::<u32>().ok()?
        }
    };
    (n > 0).then_some(n)
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
            match names.len() {
                1 => "1 trailer served over http was".to_string(),
                n => format!("{n} trailers served over http were"),
            },
            names.join("; "),
            if names.len() == 1 { "it is" } else { "they are" }
        )));
    }
    if !left.undated.is_empty() {
        let names: Vec<&str> = left.undated.iter().map(|(n, _)| n.as_str()).collect();
        notes.push(note(format!(
            "{} left out: {}; {} at the end of episodes.toml as a comment: write the date {} published and \
             uncomment it",
            match names.len() {
                1 => "1 item whose date cannot be read was".to_string(),
                n => format!("{n} items whose dates cannot be read were"),
            },
            names.join("; "),
            if names.len() == 1 { "it is" } else { "they are" },
            if names.len() == 1 { "it was" } else { "each was" },
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
    if let (items, Some(first)) = &left.relative_links {
        notes.push(note(format!(
            "the notes of {} have relative links or images (\"{}\"), and neither the items nor the feed give the \
             web page they were on (<link>) to read them against: kept as they are, they lead nowhere on the new \
             site; write them in full in episodes.toml",
            first_few(items),
            crate::text::truncate_chars(first, 100)
        )));
    }
}

/// Items named as said once for all of them: "\"A\"", "2 items (\"A\", \"B\")", or
/// the first few of many and how many more.
fn first_few(labels: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = labels.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    match labels.len() {
        1 => shown,
        n if n <= SHOWN => format!("{n} items ({shown})"),
        n => format!("{n} items ({shown} and {} more)", n - SHOWN),
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
fn episode_files(item: &rss::Item, names: ItemNames<'_>, t: &mut toml_edit::Table, others: &mut Vec<OtherFile>) {
    let ItemNames { label, slug } = names;
    use crate::transcript::Kind;
    let Some(ns) = item.extensions().get("podcast") else { return };
    let usable = |u: &String| crate::url::HttpUrl::parse(u).is_ok();
    if let Some(c) = ns.get("chapters").and_then(|l| l.first())
        && let Some(url) = c.attrs().get("url").filter(|u| usable(u))
        && c.attrs().get("type").is_none_or(|t| t.contains("json"))
    {
        let rel = format!("chapters/{slug}.json");
        others.push(OtherFile { url: url.clone(), label: label.to_string(), rel: rel.clone(), instead: None });
        t["chapters_file"] = toml_edit::value(rel);
    }
    let mut given: Vec<(Kind, Option<String>, &String)> = Vec::new();
    for tr in ns.get("transcript").into_iter().flatten() {
        let Some(url) = tr.attrs().get("url").filter(|u| usable(u)) else { continue };
        let kind = match tr.attrs().get("type").map(|t| t.trim().to_ascii_lowercase()).as_deref() {
            Some("text/vtt") => Kind::Vtt,
            Some("application/x-subrip" | "application/srt") => Kind::Srt,
            Some("application/json") => Kind::Json,
            Some("text/html") => Kind::Html,
            _ => continue,
        };
        given.push((kind, tr.attrs().get("language").and_then(|l| language_of(l)), url));
    }
    let mut transcripts = toml_edit::Array::new();
    for (kind, language, url) in one_of_each(given) {
        let rel = match &language {
            Some(l) => format!("transcripts/{slug}.{l}.{}", kind.extension()),
            None => format!("transcripts/{slug}.{}", kind.extension()),
        };
        others.push(OtherFile { url: url.clone(), label: label.to_string(), rel: rel.clone(), instead: None });
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

/// An item's transcripts, each once: one without a language is in the
/// language the others are in (where they are all in one: hosts list one
/// transcript in several formats, giving the language once); a WebVTT
/// and an SRT file of one language are one transcript, the WebVTT kept
/// (the build makes the SRT from it); a second of a format and language
/// is left out.
pub(super) fn one_of_each<U>(
    mut given: Vec<(crate::transcript::Kind, Option<String>, U)>,
) -> Vec<(crate::transcript::Kind, Option<String>, U)> {
    use crate::transcript::Kind;
    let languages: std::collections::BTreeSet<String> = given.iter().filter_map(|(_, l, _)| l.clone()).collect();
    if let [only] = Vec::from_iter(&languages)[..] {
        for (_, l, _) in &mut given {
            l.get_or_insert_with(|| only.clone());
        }
    }
    let has = |given: &[(Kind, Option<String>, U)], kind: Kind, language: &Option<String>| {
        given.iter().any(|(k, l, _)| *k == kind && l == language)
    };
    let mut kept: Vec<(Kind, Option<String>, U)> = Vec::new();
    let vtt: Vec<bool> = given.iter().map(|(k, l, _)| *k == Kind::Srt && has(&given, Kind::Vtt, l)).collect();
    for ((kind, language, url), srt_of_a_vtt) in given.into_iter().zip(vtt) {
        if !srt_of_a_vtt && !has(&kept, kind, &language) {
            kept.push((kind, language, url));
        }
    }
    kept
}

/// A file name for the media at `url` in `media/`: its own, made plain
/// (any script transliterated, then ASCII letters, digits, `.`, `-`, `_`), short enough for any file
/// system (its stem at most [`NAME_STEM`] bytes), unique, and ending in
/// the extension of its `format` (the feed's type for it), as apps and the
/// build go by the name: `/stream/12345` of type audio/mpeg is `12345.mp3`.
/// Of no known format, a name keeps only a media extension (the file is
/// named by what it holds once fetched: see `import::fetch_media`).
pub(super) fn unique_name(taken: &mut Names, url: &str, format: Option<crate::probe::AudioFormat>) -> String {
    let last = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let last = html::decode(&crate::text::decode_path(last).unwrap_or_else(|| last.to_string()));
    // Any script transliterated, as slugs are (`Björn Grüße` is `Bjorn-Grusse`):
    // the name becomes a media URL the lock keeps.
    let last = deunicode::deunicode_with_tofu(&last, "-");
    let plain: String =
        last.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect();
    // (Dots in a run, `..`, are none of a plain name's.)
    let plain = plain.split("..").collect::<Vec<_>>().join("-");
    // One `-` for each run of them ("Ep 1 (final)" is "Ep-1-final").
    let plain = plain.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    let plain = plain.trim_matches(['.', '-']).to_string();
    let (stem, ext) = match plain.rsplit_once('.') {
        Some((s, e)) if !s.trim_end_matches('-').is_empty() && e.len() <= 5 => {
            (s.trim_end_matches('-').to_string(), format!(".{}", e.to_ascii_lowercase()))
        }
        _ => (if plain.is_empty() { "episode".to_string() } else { plain.clone() }, String::new()),
    };
    let given = ext.trim_start_matches('.');
    // (audio/ogg is Vorbis or Opus: `.opus` is as good as `.ogg` for it.)
    let accepted = |f: crate::probe::AudioFormat| match f {
        crate::probe::AudioFormat::Ogg => crate::probe::AudioFormat::Opus.accepted_extensions(),
        f => f.accepted_extensions(),
    };
    let ext = match format {
        Some(f) if accepted(f).contains(&given) => ext,
        Some(f) => format!(".{}", f.extension()),
        None if crate::probe::MEDIA_EXTENSIONS.contains(&given) => ext,
        None => String::new(),
    };
    let stem = match stem.len() > NAME_STEM {
        true => stem[..NAME_STEM].trim_end_matches(['.', '-']).to_string(),
        false => stem,
    };
    let stem = not_a_device(stem);
    // Each download goes to NAME.part first: a name is taken with its
    // `.part`, and no name ends in `.part` (it would be another's).
    let numbered = |n: usize| match n {
        1 => format!("{stem}{ext}"),
        n => format!("{stem}-{n}{ext}"),
    };
    let free = |taken: &Names, name: &str| {
        let lower = name.to_ascii_lowercase();
        !lower.ends_with(".part") && !taken.contains(&lower) && !taken.contains(&format!("{lower}.part"))
    };
    let name = taken.first_free(&format!("{stem}{ext}").to_ascii_lowercase(), numbered, free);
    let lower = name.to_ascii_lowercase();
    taken.insert(format!("{lower}.part"));
    taken.insert(lower);
    name
}

/// `stem`, unless what comes before its first `.` is a name Windows keeps
/// for a device (`CON`, `nul`, `COM1` …, in any case: a file so named cannot
/// be made there, and a show committed with one cannot be checked out
/// there): then with `-1` after that part (`CON-1`, `com1-1.txt`).
fn not_a_device(mut stem: String) -> String {
    let first = stem.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let numbered =
        |p: &str| first.strip_prefix(p).is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit() && n != "0");
    if matches!(first.as_str(), "CON" | "PRN" | "AUX" | "NUL") || numbered("COM") || numbered("LPT") {
        stem.insert_str(first.len(), "-1");
    }
    stem
}

/// The longest stem [`unique_name`] gives (ASCII: bytes are characters),
/// leaving room in a file system's 255 bytes for `-N` and an extension.
pub(super) const NAME_STEM: usize = 120;

/// The item's `itunes:title` (see [`read_feed`](super::read_feed)), where it says other than
/// the title `title` (as imported).
fn itunes_title<'a>(item: &'a rss::Item, title: &str) -> Option<&'a str> {
    let given = item.extensions().get("itunes")?.get("title")?.first()?.value()?;
    (html::decode(&one_line(given)) != title).then_some(given)
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

/// The slug an episode's web page address (`link`) reads as: its last
/// path segment (`/episodes/ep-3-tomatoes/`, `/ep-3-tomatoes.html`), if the
/// path names the page; not if a query does (`/blog/?p=123`: the path is
/// the blog's; a campaign tag, `?utm_source=rss`, names nothing).
fn link_slug(link: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    let tracking = |k: &str| k.starts_with("utm_") || matches!(k, "ref" | "source" | "fbclid" | "gclid");
    if url.query_pairs().any(|(k, _)| !tracking(&k)) {
        return None;
    }
    let last = url.path_segments()?.rfind(|s| !s.is_empty())?;
    let last = crate::text::decode_path(last).unwrap_or_else(|| last.to_string());
    let stem = match last.rsplit_once('.') {
        Some((stem, ext)) if ["html", "htm", "php", "aspx", "asp"].contains(&ext.to_ascii_lowercase().as_str()) => stem,
        _ => &last,
    };
    Some(crate::text::slugify(stem)).filter(|s| !s.is_empty() && s.len() <= 80)
}

/// The slugs of the items' web pages ([`link_slug`]) that name no episode
/// of their own: the show's page's (the channel `link`), and any that
/// several items' links give (each links the show's home page, or a page
/// of its latest episodes).
fn shared_link_slugs(channel: &rss::Channel) -> std::collections::HashSet<String> {
    let mut seen = std::collections::HashSet::new();
    let mut shared: std::collections::HashSet<String> = link_slug(channel.link()).into_iter().collect();
    for slug in channel.items().iter().filter_map(|i| link_slug(i.link()?)) {
        if !seen.insert(slug.clone()) {
            shared.insert(slug);
        }
    }
    shared
}

/// A slug for the episode: from its web page's last path segment (so its
/// address reads the same), else from its title; unique.
pub(super) fn unique_slug(taken: &mut Names, from_link: Option<String>, title: &str) -> String {
    let base = from_link.unwrap_or_else(|| crate::text::slugify(title));
    let base = if base.is_empty() { "episode".to_string() } else { base };
    let numbered = |n: usize| match n {
        1 => base.clone(),
        n => format!("{base}-{n}"),
    };
    let slug = taken.first_free(&base, numbered, |taken, slug| !taken.contains(slug));
    taken.insert(slug.clone());
    slug
}

/// The character and entity references in `text` (`&amp;`, `&#8217;`),
/// each once, the first three.
pub(super) fn references_in(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices('&') {
        let rest = &text[at + 1..];
        let Some(end) = rest.find(';').filter(|&end| end > 0 && end <= 32) else { continue };
        let name = &rest[..end];
        let fits = name.strip_prefix('#').map_or(name, |n| n.strip_prefix(['x', 'X']).unwrap_or(n));
        if !fits.is_empty() && fits.chars().all(|c| c.is_ascii_alphanumeric()) {
            let reference = &text[at..at + end + 2];
            if !found.contains(&reference) {
                found.push(reference);
            }
        }
        if found.len() == 3 {
            break;
        }
    }
    found
}
