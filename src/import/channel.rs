//! The `[podcast]` table made from the feed's channel: who and what the
//! show is, where it lives (its old feed URL, the new one), its
//! categories as Apple lists them now, its type and blocks.

use super::{
    ImportError, Options, PLACEHOLDER_COVER, comment, email_in, html, is_apples_namespace, language_of, namespace,
    non_empty, non_empty_opt, note, one_line, podcast_text,
};
use crate::diagnostic::Diagnostic;

/// A show the feed calls serial stays so only if every full episode has a
/// number (Apple needs one on each, and podsmith's manifest asks for it):
/// else it is imported as episodic, and said.
pub(super) fn serial_if_numbered(
    podcast: &mut toml_edit::Table,
    list: &toml_edit::ArrayOfTables,
    notes: &mut Vec<Diagnostic>,
) {
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
pub(super) fn podcast_table(
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
    let (list, flag) = categories(&list, opts.category.as_deref(), notes)?;
    p["categories"] = value(list);
    if flag {
        said.push(("categories", "given with --category"));
    } else if let Some(given) = &opts.category {
        notes.push(note(format!(
            "--category \"{given}\" is not used: the feed's own categories are kept (change `categories` in \
             episodes.toml to give others)"
        )));
    } else if notes.len() > before {
        said.push(("categories", "mapped to Apple's current list (the import said how)"));
    }
    if let Some(explicit) = it.and_then(|i| i.explicit()) {
        p["explicit"] = value(matches!(explicit.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "explicit"));
    }
    if channel_type(channel).as_deref() == Some("serial") {
        p["type"] = value("serial");
    }
    where_it_lives(channel, opts, &mut p, notes, &mut said);
    let given = podcast_text(channel.extensions(), "guid");
    if let Some(guid) = given.as_ref().filter(|g| !crate::text::is_uuid(g)) {
        notes.push(note(format!(
            "the feed's podcast:guid \"{}\" is not a UUID, as the namespace writes one: left out",
            crate::text::truncate_chars(guid, 60)
        )));
    }
    if let Some(guid) = given.filter(|g| crate::text::is_uuid(g)) {
        p["guid"] = value(guid.as_str());
        comment(&mut p, "guid", "the show's podcast:guid, kept: Podcast Index apps know the show by it");
    } else if let Some(url) = old_feed_url(channel, opts) {
        // Without a podcast:guid of its own, Podcast Index knows the show
        // by the one Podcasting 2.0 makes from the feed's URL: made here
        // from the old URL and kept, or the new address would make another.
        // (A self link to a site's root, `https://www.example.com`, is no feed's.)
        let path = url.split_once("://").map_or("", |(_, rest)| rest.find('/').map_or("", |at| &rest[at..]));
        if url != opts.source.trim() && matches!(path, "" | "/") {
            notes.push(note(format!(
                "the feed's atom:link rel=\"self\" ({url}) is a site's home page, not a feed: the podcast:guid \
                 made from it may not be the one Podcast Index knows the show by; check it on podcastindex.org, \
                 or import from the feed's URL (podsmith import https://…)"
            )));
        }
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
            "the feed has no podcast:guid podsmith can keep and does not say its own address (no atom:link rel=\"self\"): the \
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
pub(super) fn says_yes(v: Option<&str>) -> bool {
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

/// Markdown as plain text (the manifest's `description`), its paragraphs
/// and lines kept as apps show a plain-text description; cut at a word to
/// at most `max` characters, on one line, if longer.
fn plain_paragraphs(markdown: &str, max: usize) -> String {
    let paragraphs: Vec<String> = markdown
        .split("\n\n")
        .map(|block| {
            let lines = block.lines().map(|l| crate::markdown::excerpt(l, max));
            lines.filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
        })
        .filter(|p| !p.is_empty())
        .collect();
    let text = paragraphs.join("\n\n");
    match text.chars().count() > max {
        true => crate::markdown::excerpt(markdown, max),
        false => text,
    }
}

/// The show's `title` as apps show it (`&amp;` in a title, as hosts write
/// it in CDATA, is `&`), said in `notes` where that is not as written.
fn shown_title(title: &str, notes: &mut Vec<Diagnostic>) -> String {
    let given = one_line(title);
    let decoded = html::decode(&given);
    if decoded != given {
        notes.push(note(format!(
            "the show's title had HTML character references ({}): read as apps show them (it was written {})",
            super::items::references_in(&given).join(", "),
            crate::text::quoted(&given)
        )));
    }
    decoded
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
    p["title"] = value(shown_title(title, notes).as_str());
    // (Hosts that write Apple's summary may leave the description empty.)
    let summary = it.and_then(|i| i.summary());
    let page = Some(channel.link().trim()).filter(|l| crate::url::HttpUrl::parse(l).is_ok());
    let given = non_empty(channel.description()).or(non_empty_opt(summary)).unwrap_or("");
    let (description, _) = html::to_markdown(given, page);
    let description = plain_paragraphs(&description, 4000);
    if non_empty(&description).is_none() {
        notes.push(note("the feed's channel has no description: the show's title is used (set `description`)"));
        said.push(("description", "the feed has no description: the show's title, to change"));
    }
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
        said.push(match channel.language().map(str::trim).filter(|l| !l.is_empty()) {
            Some(_) => ("language", "the feed's language is not an ISO 639 code: \"en\", to check"),
            None => ("language", "the feed gives no language: \"en\", to check"),
        });
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
    // A relative address (`/s/cover.jpg`, as Squarespace writes it) is
    // read as apps read it: against the feed's own.
    let base = feed_base(channel, opts);
    let absolute_image = image.and_then(|u| absolute(u.trim(), base.as_deref()));
    if let (Some(given), None) = (image.map(str::trim).filter(|u| !u.is_empty()), &absolute_image) {
        notes.push(note(format!(
            "the feed's cover image address \"{}\" is not an http(s) URL, nor one relative to the feed's address \
             that can be read (import from the feed's URL to read it)",
            crate::text::truncate_chars(given, 200).escape_debug()
        )));
    }
    match absolute_image.as_deref() {
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
            notes.push(note(format!(
                "the feed has no {}cover image URL (itunes:image): media/cover.jpg is a placeholder; replace it \
                 with the show's art (1400-3000 px square JPEG or PNG)",
                if image.is_some_and(|i| !i.trim().is_empty()) { "usable " } else { "" }
            )));
            p["image"] = value(PLACEHOLDER_COVER);
            said.push(("image", "a placeholder: the feed has no cover image; replace media/cover.jpg"));
        }
    }
    if let Some(c) = non_empty_opt(channel.copyright()) {
        p["copyright"] = value(c);
    }
}

/// The channel's Podcasting 2.0 tags podsmith writes too: locked, medium,
/// license, funding, persons (each kept only if podsmith would take it).
fn namespace_tags(
    channel: &rss::Channel,
    p: &mut toml_edit::Table,
    notes: &mut Vec<Diagnostic>,
    dropped: &mut namespace::Dropped,
) {
    use toml_edit::value;
    let Some(ns) = channel.extensions().get("podcast") else { return };
    let text = |name: &str| ns.get(name).and_then(|l| l.first()).and_then(|e| e.value()).map(str::trim);
    if text("locked").is_some_and(|v| v.eq_ignore_ascii_case("yes")) {
        p["locked"] = value(true);
        // podsmith names the show's owner e-mail in podcast:locked: said
        // where the old feed named another (who may move the show).
        let named = ns.get("locked").and_then(|l| l.first()).and_then(|l| l.attrs().get("owner")).map(|o| o.trim());
        let owner = p.get("owner").and_then(|o| o.get("email")).and_then(|e| e.as_str()).unwrap_or_default();
        match named.filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(owner)) {
            Some(named) => notes.push(note(format!(
                "the feed's podcast:locked names \"{}\" as the owner who may move the show; the new feed names the \
                 owner e-mail, \"{owner}\": to keep the first, set it as `owner`'s email in [podcast]",
                crate::text::truncate_chars(named, 80)
            ))),
            // (What the tag is for: a word to whoever imports it.)
            None => notes.push(note(
                "the feed is locked (podcast:locked): its owner asks that no other host import it; go on only if \
                 the show is yours (the new feed stays locked)",
            )),
        }
    }
    let known_medium = |m: &str| crate::validate::p20::MEDIUMS.contains(&m.strip_suffix('L').unwrap_or(m));
    // (A list's medium, or a publisher's, is of a feed of feeds: the
    // manifest refuses it for a show of episodes.)
    let of_feeds = |m: &str| m.ends_with('L') || m == "mixed" || m == "publisher";
    match text("medium").filter(|m| !m.is_empty()) {
        Some(m) if known_medium(m) && of_feeds(m) => {
            dropped.unusable("podcast:medium", "the medium of a feed of other feeds, not of episodes")
        }
        Some(m) if known_medium(m) => p["medium"] = value(m),
        Some(_) => dropped.unusable("podcast:medium", "not one of the namespace's mediums"),
        None => {}
    }
    if let Some(l) = ns.get("license").and_then(|l| l.first()).and_then(|l| namespace::license(l, dropped)) {
        p["license"] = value(l);
    }
    let funding = namespace::funding(ns, dropped);
    if !funding.is_empty() {
        p["funding"] = value(funding);
    }
    let persons = namespace::persons(
        ns.get("person").map(Vec::as_slice).unwrap_or_default(),
        "host",
        &mut |why| notes.push(note(why)),
        dropped,
    );
    if !persons.is_empty() {
        p["persons"] = value(persons);
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
) -> Result<(toml_edit::Array, bool), ImportError> {
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
        let (name, sub) = given_category(given)?;
        out.push(crate::manifest::Category { name, sub }.label());
        return Ok((out, true));
    }
    Ok((out, false))
}

/// `--category`, as the manifest's lists it; a usage error if it is none of
/// Apple's.
pub(super) fn given_category(given: &str) -> Result<(&'static str, Option<&'static str>), ImportError> {
    crate::manifest::categories::lookup(given).map_err(|suggestion| {
        ImportError::Usage(format!(
            "--category \"{given}\" is not an Apple Podcasts category{}",
            suggestion.map_or(String::new(), |s| format!(": did you mean \"{s}\"?"))
        ))
    })
}

/// The address the old feed is fetched at: the URL it was imported from,
/// else the one it names as its own (`atom:link rel="self"`).
fn old_feed_url(channel: &rss::Channel, opts: &Options) -> Option<String> {
    let given = crate::url::HttpUrl::parse(opts.source.trim()).is_ok().then(|| opts.source.trim().to_string());
    given.or_else(|| atom_link(channel, "self").filter(|u| crate::url::HttpUrl::parse(u).is_ok()))
}

/// The address a relative enclosure URL is read against, as apps read it:
/// the feed's own (`atom:link rel="self"`), else the http(s) URL it was
/// imported from; never the show's web page (`<link>`), which is another
/// document. `None` for a file that does not say its address.
pub(super) fn feed_base(channel: &rss::Channel, opts: &Options) -> Option<String> {
    let given = Some(opts.source.trim()).filter(|s| crate::url::HttpUrl::parse(s).is_ok()).map(str::to_string);
    atom_link(channel, "self").filter(|u| crate::url::HttpUrl::parse(u).is_ok()).or(given)
}

/// The `href` of the channel's first `atom:link` with `rel`.
fn atom_link(channel: &rss::Channel, rel: &str) -> Option<String> {
    let atom = channel.extensions().get("atom").and_then(|a| a.get("link"));
    let link = atom.into_iter().flatten().find(|l| l.attrs().get("rel").map(|r| r.trim()) == Some(rel))?;
    link.attrs().get("href").map(|h| h.trim().to_string())
}

/// `url` as it is when it is an http(s) URL, else a relative reference
/// resolved against `base` (RFC 3986: `//host/path` takes the base's
/// scheme, `/path` its host, `path` its folder, the base's query and
/// fragment never counting as path); `None` if it is neither, or resolves
/// to another scheme (`javascript:`, `data:`, `file:`, …). A `\`, which
/// apps read as a `/`, is not resolved (it is refused as it is).
pub(super) fn absolute(url: &str, base: Option<&str>) -> Option<String> {
    if crate::url::HttpUrl::parse(url).is_ok() {
        return Some(url.to_string());
    }
    if url.is_empty() || url.contains('\\') || scheme_of(url).is_some() {
        return None;
    }
    let joined = url::Url::parse(base?).ok()?.join(url).ok()?;
    if !matches!(joined.scheme(), "http" | "https") {
        return None;
    }
    crate::url::HttpUrl::parse(joined.as_str()).ok().map(|u| u.to_string())
}

/// The scheme `url` starts with (RFC 3986: a letter, then letters, digits,
/// `+`, `-` or `.`, then `:`), in lower case; `None` for a relative
/// reference (`media/a.mp3`, `//host/a.mp3`, `./a:b.mp3`).
pub(super) fn scheme_of(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| scheme.to_ascii_lowercase())
}

/// `itunes:type` (serial or episodic), lower-cased.
fn channel_type(channel: &rss::Channel) -> Option<String> {
    Some(channel.itunes_ext()?.r#type()?.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    /// Enclosure URLs read as RFC 3986 reads a reference against the
    /// feed's address: other schemes are none of podsmith's, `//host`
    /// takes the base's scheme, the base's query is no part of its path.
    #[test]
    fn references_are_resolved_as_rfc_3986_says() {
        let base = Some("http://127.0.0.1:8080/feeds/trav.xml?format=a/b#top");
        let cases = [
            ("https://cdn.example.com/Ep%201.mp3", Some("https://cdn.example.com/Ep%201.mp3")),
            ("javascript:alert(1)", None),
            ("data:audio/mpeg;base64,AAAA", None),
            ("file:///home/ann/ep.mp3", None),
            ("mailto:ann@example.com", None),
            ("//127.0.0.1:8080/ep1.ogg", Some("http://127.0.0.1:8080/ep1.ogg")),
            ("ep2.mp3", Some("http://127.0.0.1:8080/feeds/ep2.mp3")),
            ("../ep3.mp3", Some("http://127.0.0.1:8080/ep3.mp3")),
            ("../../../ep4.mp3", Some("http://127.0.0.1:8080/ep4.mp3")),
            ("/a/./b/../ep5.mp3?x=1", Some("http://127.0.0.1:8080/a/ep5.mp3?x=1")),
            ("./a:b.mp3", Some("http://127.0.0.1:8080/feeds/a:b.mp3")),
            ("media\\ep6.mp3", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(super::absolute(url, base).as_deref(), want, "{url}");
        }
        assert_eq!(super::absolute("ep.mp3", None), None, "no base: not guessed");
        assert_eq!(
            super::absolute("//cdn.example.com/ep.mp3", Some("https://old.example.com/f.xml")).as_deref(),
            Some("https://cdn.example.com/ep.mp3")
        );
        assert_eq!(super::scheme_of("Data:x").as_deref(), Some("data"));
        assert_eq!(super::scheme_of("./a:b"), None);
        assert_eq!(super::scheme_of("1a:b"), None);
    }
}
