//! RSS 2.0 feeds with the iTunes, Podcasting 2.0, content and Atom
//! namespaces, written through quick-xml's writer from a [`Catalog`].
//!
//! This is the only place typed values become feed strings: dates become
//! RFC 2822 with a numeric offset, durations whole seconds, booleans Apple's
//! `true`/`false`. The `rss` crate has no `itunes:title` and writes extension
//! attributes in alphabetical order, so the feed is written here directly;
//! tests parse it back with `rss` as an independent reader.
//!
//! `feed.xml` carries each episode's MP3/AAC file as the `<enclosure>` (what
//! Apple and Spotify accept) and every format as a
//! `podcast:alternateEnclosure`; `feed.<ext>.xml` is the same show with that
//! format as the enclosure, for apps that prefer it.

use std::io;
use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesText, Event};

use crate::catalog::{Catalog, LiveEpisode, Media, feed_file_name};
use crate::manifest::Episode;
use crate::manifest::{Asset, Podcast};
use crate::probe::AudioFormat;

use crate::xmlns as ns;
pub use crate::xmlns::podcast_guid;

/// One feed of the site: its name, address and enclosure format. Its XML
/// is made by [`render`] when needed (a big show's feeds are tens of
/// megabytes, and are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// File name inside `public/` (`feed.xml`, `feed.ogg.xml`).
    pub file_name: String,
    /// Absolute URL.
    pub url: String,
    /// The format of its enclosures (`None`: the main feed, MP3/AAC).
    pub format: Option<AudioFormat>,
}

/// The feeds a catalog has: `feed.xml`, then one per additional format.
pub fn plan(catalog: &Catalog) -> Vec<Feed> {
    let mut variants = vec![None];
    variants.extend(catalog.formats.iter().skip(1).map(|f| Some(*f)));
    variants
        .into_iter()
        .map(|format| {
            let file_name = feed_file_name(format);
            let url = catalog.podcast.url_of(&file_name);
            Feed { file_name, url, format }
        })
        .collect()
}

/// RFC 2822 with a two-digit day and a numeric offset, weekday computed.
pub fn rfc2822(date: &DateTime<FixedOffset>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// Renders one feed: the main one (`None`) or the one for `format`.
pub fn render(catalog: &Catalog, format: Option<AudioFormat>) -> io::Result<Vec<u8>> {
    Ok(render_with(catalog, format, &|_| None)?.xml)
}

/// A feed as rendered, and where each item is in it.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The feed.
    pub xml: Vec<u8>,
    /// Each item's `<item>…</item>`, in catalog order.
    pub items: Vec<Range<usize>>,
}

/// Renders one feed, taking from `reuse` the `<item>…</item>` bytes of the
/// episodes (by index) that are as they were when a feed was last rendered
/// (see the build's memo): those items are not rendered again. The result
/// is byte for byte the one [`render`] gives when `reuse` gives what
/// `render` wrote.
pub fn render_with<'a>(
    catalog: &Catalog,
    format: Option<AudioFormat>,
    reuse: &dyn Fn(usize) -> Option<&'a [u8]>,
) -> io::Result<Rendered> {
    // Reserve about what the feed will take (the notes twice, as description
    // and content:encoded, plus the tags), so a big feed is not regrown.
    let notes: usize = catalog.episodes.iter().map(LiveEpisode::notes_html_len).sum();
    let estimate = 4096 + 2 * notes + 1600 * catalog.episodes.len();
    let mut w = Writer::new_with_indent(Vec::with_capacity(estimate), b' ', 2);
    let mut items = Vec::with_capacity(catalog.episodes.len());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut rss = w.create_element("rss").with_attributes([
        ("version", "2.0"),
        ("xmlns:itunes", ns::ITUNES),
        ("xmlns:podcast", ns::PODCAST),
        ("xmlns:content", ns::CONTENT),
        ("xmlns:atom", ns::ATOM),
    ]);
    // Declared where an item uses it (the rest of the root is the same for
    // every show).
    if catalog.episodes.iter().any(|e| psc_chapters(&e.episode).next().is_some()) {
        rss = rss.with_attribute(("xmlns:psc", ns::PSC));
    }
    rss.write_inner_content(|w| {
        w.create_element("channel").write_inner_content(|w| {
            channel(w, catalog, format)?;
            for (i, episode) in catalog.episodes.iter().enumerate() {
                match reuse(i) {
                    // The writer breaks the line before an element that
                    // follows another: so before the item written as is.
                    Some(bytes) => {
                        w.write_indent()?;
                        let start = w.get_ref().len();
                        w.get_mut().extend_from_slice(bytes);
                        items.push(start..w.get_ref().len());
                    }
                    None => {
                        let before = w.get_ref().len();
                        item(w, catalog, episode, format)?;
                        let written = &w.get_ref()[before..];
                        let start = before + written.iter().position(|&b| b == b'<').unwrap_or(0);
                        items.push(start..w.get_ref().len());
                    }
                }
            }
            Ok(())
        })?;
        Ok(())
    })?;
    let mut xml = w.into_inner();
    xml.push(b'\n');
    // The estimate is generous; a big feed is kept while it is validated.
    xml.shrink_to_fit();
    Ok(Rendered { xml, items })
}

/// The `podcast:guid` of the feed of `format` (`None`: the main feed,
/// `feed.xml`): the show's `guid` for the main feed, or its `feed_guids`
/// entry for a per-format feed, if the manifest sets one; else the UUIDv5
/// of the feed's URL (each per-format feed is a show of its own to Podcast
/// Index).
pub fn feed_guid(p: &crate::manifest::Podcast, format: Option<AudioFormat>) -> String {
    let kept = match format {
        None => p.guid.as_ref(),
        Some(f) => p.feed_guids.get(f.extension()),
    };
    kept.cloned().unwrap_or_else(|| podcast_guid(&p.url_of(&feed_file_name(format))))
}

/// The channel's own elements: RSS, then Apple's, then Podcasting 2.0's.
fn channel(w: &mut Writer<Vec<u8>>, catalog: &Catalog, format: Option<AudioFormat>) -> io::Result<()> {
    let p = &catalog.podcast;
    let url = p.url_of(&feed_file_name(format));
    let title = match format {
        None => p.title.clone(),
        Some(f) => format!("{} ({})", p.title, f.label()),
    };
    text(w, "title", &title)?;
    text(w, "link", p.link.as_str())?;
    text(w, "description", &p.description)?;
    text(w, "language", &p.language)?;
    if let Some(c) = &p.copyright {
        text(w, "copyright", c)?;
    }
    text(w, "generator", "podsmith")?;
    if let Some(last) = catalog.last_date() {
        text(w, "lastBuildDate", &rfc2822(&last))?;
        text(w, "pubDate", &rfc2822(&last))?;
    }
    w.create_element("atom:link")
        .with_attributes([("href", url.as_str()), ("rel", "self"), ("type", "application/rss+xml")])
        .write_empty()?;
    // Where apps subscribe to be told of a new episode (WebSub); `publish`
    // tells the hub.
    if let Some(hub) = &p.tags.websub_hub {
        w.create_element("atom:link").with_attributes([("href", hub.as_str()), ("rel", "hub")]).write_empty()?;
    }
    let image_url = asset_url(catalog, &p.image);
    w.create_element("image").write_inner_content(|w| {
        text(w, "url", &image_url)?;
        text(w, "title", &title)?;
        text(w, "link", p.link.as_str())?;
        Ok(())
    })?;
    itunes_channel(w, p, &image_url, format)?;
    text(w, "podcast:guid", &feed_guid(p, format))?;
    w.create_element("podcast:locked")
        .with_attribute(("owner", p.owner.email.as_str()))
        .write_text_content(BytesText::new(if p.locked { "yes" } else { "no" }))?;
    show_tags(w, catalog)?;
    Ok(())
}

/// `podcast:funding`, each of `list`.
fn funding(w: &mut Writer<Vec<u8>>, list: &[crate::manifest::namespace::Funding]) -> io::Result<()> {
    for f in list {
        w.create_element("podcast:funding")
            .with_attribute(("url", f.url.as_str()))
            .write_text_content(BytesText::new(&f.text))?;
    }
    Ok(())
}

/// The Podcasting 2.0 tags of the channel the manifest sets, and a
/// `podcast:trailer` for each live trailer episode.
fn show_tags(w: &mut Writer<Vec<u8>>, catalog: &Catalog) -> io::Result<()> {
    let p = &catalog.podcast;
    let t = &p.tags;
    if p.block {
        text(w, "podcast:block", "yes")?;
    }
    images(w, catalog, &p.image)?;
    if let Some(m) = &t.medium {
        text(w, "podcast:medium", m)?;
    }
    persons(w, &t.persons)?;
    funding(w, &t.funding)?;
    if let Some(l) = &t.license {
        license(w, l)?;
    }
    if let Some(l) = &t.location {
        location(w, l)?;
    }
    if let Some(u) = &t.update_frequency {
        let mut el = w.create_element("podcast:updateFrequency");
        if let Some(r) = &u.rrule {
            el = el.with_attribute(("rrule", r.as_str()));
        }
        if let Some(d) = &u.dtstart {
            el = el.with_attribute(("dtstart", d.as_str()));
        }
        if u.complete {
            el = el.with_attribute(("complete", "true"));
        }
        el.write_text_content(BytesText::new(&u.text))?;
    }
    if !t.podroll.is_empty() {
        w.create_element("podcast:podroll").write_inner_content(|w| {
            for r in &t.podroll {
                let mut el = w.create_element("podcast:remoteItem").with_attribute(("feedGuid", r.feed_guid.as_str()));
                if let Some(u) = &r.feed_url {
                    el = el.with_attribute(("feedUrl", u.as_str()));
                }
                el.write_empty()?;
            }
            Ok(())
        })?;
    }
    if let Some(v) = &t.value {
        value(w, v)?;
    }
    for x in &t.txt {
        let mut el = w.create_element("podcast:txt");
        if let Some(purpose) = &x.purpose {
            el = el.with_attribute(("purpose", purpose.as_str()));
        }
        el.write_text_content(BytesText::new(&x.text))?;
    }
    for e in catalog.episodes.iter().filter(|e| e.episode.episode_type == crate::manifest::EpisodeType::Trailer) {
        let m = e.primary_media();
        let (date, length) = (rfc2822(&e.episode.date), m.info.bytes.to_string());
        let mut el = w.create_element("podcast:trailer").with_attributes([
            ("pubdate", date.as_str()),
            ("url", m.url.as_str()),
            ("length", length.as_str()),
            ("type", m.info.mime_type()),
        ]);
        let season = e.episode.season.map(|s| s.to_string());
        if let Some(s) = &season {
            el = el.with_attribute(("season", s.as_str()));
        }
        el.write_text_content(BytesText::new(&e.episode.title))?;
    }
    Ok(())
}

/// `podcast:person` tags.
fn persons(w: &mut Writer<Vec<u8>>, persons: &[crate::manifest::namespace::Person]) -> io::Result<()> {
    for person in persons {
        let mut el = w
            .create_element("podcast:person")
            .with_attributes([("role", person.role.as_str()), ("group", person.group.as_str())]);
        if let Some(img) = &person.img {
            el = el.with_attribute(("img", img.as_str()));
        }
        if let Some(href) = &person.href {
            el = el.with_attribute(("href", href.as_str()));
        }
        el.write_text_content(BytesText::new(&person.name))?;
    }
    Ok(())
}

fn license(w: &mut Writer<Vec<u8>>, l: &crate::manifest::namespace::License) -> io::Result<()> {
    let mut el = w.create_element("podcast:license");
    if let Some(u) = &l.url {
        el = el.with_attribute(("url", u.as_str()));
    }
    el.write_text_content(BytesText::new(&l.name))?;
    Ok(())
}

fn location(w: &mut Writer<Vec<u8>>, l: &crate::manifest::namespace::Location) -> io::Result<()> {
    let mut el = w.create_element("podcast:location");
    if let Some(g) = &l.geo {
        el = el.with_attribute(("geo", g.as_str()));
    }
    if let Some(o) = &l.osm {
        el = el.with_attribute(("osm", o.as_str()));
    }
    if let Some(r) = &l.rel {
        el = el.with_attribute(("rel", r.as_str()));
    }
    if let Some(c) = &l.country {
        el = el.with_attribute(("country", c.as_str()));
    }
    el.write_text_content(BytesText::new(&l.name))?;
    Ok(())
}

fn value(w: &mut Writer<Vec<u8>>, v: &crate::manifest::namespace::Value) -> io::Result<()> {
    let mut el =
        w.create_element("podcast:value").with_attributes([("type", v.kind.as_str()), ("method", v.method.as_str())]);
    if let Some(s) = &v.suggested {
        el = el.with_attribute(("suggested", s.as_str()));
    }
    el.write_inner_content(|w| {
        for r in &v.recipients {
            let split = r.split.to_string();
            let mut el = w.create_element("podcast:valueRecipient");
            if let Some(n) = &r.name {
                el = el.with_attribute(("name", n.as_str()));
            }
            el = el.with_attributes([
                ("type", r.kind.as_str()),
                ("address", r.address.as_str()),
                ("split", split.as_str()),
            ]);
            if let Some(k) = &r.custom_key {
                el = el.with_attribute(("customKey", k.as_str()));
            }
            if let Some(v) = &r.custom_value {
                el = el.with_attribute(("customValue", v.as_str()));
            }
            if r.fee {
                el = el.with_attribute(("fee", "true"));
            }
            el.write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Apple's channel tags.
fn itunes_channel(
    w: &mut Writer<Vec<u8>>,
    p: &Podcast,
    image_url: &str,
    format: Option<AudioFormat>,
) -> io::Result<()> {
    text(w, "itunes:author", &p.author)?;
    w.create_element("itunes:owner").write_inner_content(|w| {
        text(w, "itunes:name", &p.owner.name)?;
        text(w, "itunes:email", &p.owner.email)?;
        Ok(())
    })?;
    w.create_element("itunes:image").with_attribute(("href", image_url)).write_empty()?;
    for c in &p.categories {
        let el = w.create_element("itunes:category").with_attribute(("text", c.name));
        match c.sub {
            None => el.write_empty()?,
            Some(sub) => el.write_inner_content(|w| {
                w.create_element("itunes:category").with_attribute(("text", sub)).write_empty()?;
                Ok(())
            })?,
        };
    }
    text(w, "itunes:explicit", bool_word(p.explicit))?;
    text(w, "itunes:type", p.show_type.as_str())?;
    // Each feed's own new address: a per-format feed's subscribers moved
    // to feed.xml would get another format and another podcast:guid.
    let new_feed_url = match format {
        None => p.new_feed_url.as_ref(),
        Some(f) => p.new_feed_urls.get(f.extension()),
    };
    if let Some(new) = new_feed_url {
        text(w, "itunes:new-feed-url", new.as_str())?;
    }
    if p.block {
        text(w, "itunes:block", "Yes")?;
    }
    if p.complete {
        text(w, "itunes:complete", "Yes")?;
    }
    Ok(())
}

fn item(w: &mut Writer<Vec<u8>>, catalog: &Catalog, e: &LiveEpisode, format: Option<AudioFormat>) -> io::Result<()> {
    let ep = &e.episode;
    let enclosure: &Media = format.and_then(|f| e.media_of(f)).unwrap_or_else(|| e.primary_media());
    w.create_element("item").write_inner_content(|w| {
        text(w, "title", &ep.title)?;
        text(w, "itunes:title", ep.itunes_title.as_deref().unwrap_or(&ep.title))?;
        text(w, "link", &e.page_url)?;
        w.create_element("guid")
            .with_attribute(("isPermaLink", "false"))
            .write_text_content(BytesText::new(&ep.guid))?;
        text(w, "pubDate", &rfc2822(&ep.date))?;
        item_notes(w, &catalog.podcast, e)?;
        enclosures(w, e, enclosure)?;
        item_itunes(w, catalog, e, enclosure)?;
        item_podcasting20(w, e, &catalog.podcast.tags.persons)?;
        simple_chapters(w, catalog, ep)?;
        Ok(())
    })?;
    Ok(())
}

/// An item's show notes (with the chapters' times, where the show asks
/// for them), as content:encoded and, in the HTML Apple shows there and
/// as much of them as it reads ([`DESCRIPTION_LIMIT`](crate::validate::DESCRIPTION_LIMIT)
/// bytes), as description: headings in bold, code as paragraphs …; longer
/// notes cut after a whole paragraph (or list …), with a link to the
/// episode's page (see [`crate::markdown::fitted`]).
fn item_notes(w: &mut Writer<Vec<u8>>, p: &Podcast, e: &LiveEpisode) -> io::Result<()> {
    let ep = &e.episode;
    let lines: Vec<String> = match (&ep.chapters, p.tags.chapters_in_notes) {
        (Some(c), true) => {
            let shown: Vec<_> = c.list.iter().filter(|c| c.toc).collect();
            // Only lines Apple makes chapters of: three or more, from 0:00
            // (fewer would be only text, which APPLE-IT-CHAPTERS warns of).
            match shown.len() >= 3 && shown[0].start < 1.0 {
                true => shown.iter().map(|c| format!("{} {}", crate::chapters::clock(c.start), c.title)).collect(),
                false => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let with_chapters;
    // (Without a first heading of the title, which apps show above it.)
    let written = crate::markdown::without_title(&ep.notes, &ep.title);
    let notes = match lines.is_empty() {
        true => e.notes_html(),
        false => {
            with_chapters = crate::markdown::with_timestamps(written, &lines, Some(&e.page_url));
            with_chapters.as_str()
        }
    };
    if !notes.trim().is_empty() {
        const LIMIT: usize = crate::validate::DESCRIPTION_LIMIT;
        match notes.len() <= LIMIT && crate::markdown::only_description_tags(notes) {
            true => cdata(w, "description", notes)?,
            false => {
                let fitted = || crate::markdown::fitted(written, &lines, LIMIT, &e.page_url);
                cdata(w, "description", e.description.get_or_init(fitted))?;
            }
        }
        cdata(w, "content:encoded", notes)?;
    }
    Ok(())
}

/// An item's enclosure (the feed's format), and each of its media files as
/// a podcast:alternateEnclosure (the enclosure's the default).
fn enclosures(w: &mut Writer<Vec<u8>>, e: &LiveEpisode, enclosure: &Media) -> io::Result<()> {
    let length = enclosure.info.bytes.to_string();
    w.create_element("enclosure")
        .with_attributes([
            ("url", enclosure.url.as_str()),
            ("length", length.as_str()),
            ("type", enclosure.info.mime_type()),
        ])
        .write_empty()?;
    for m in &e.media {
        let length = m.info.bytes.to_string();
        let mut el = w
            .create_element("podcast:alternateEnclosure")
            .with_attributes([("type", m.info.mime_type()), ("length", length.as_str())]);
        let bitrate = m.info.bitrate.map(|b| b.to_string());
        if let Some(b) = &bitrate {
            el = el.with_attribute(("bitrate", b.as_str()));
        }
        el = el.with_attribute(("title", m.info.format.label()));
        if m.info.format == AudioFormat::Opus {
            el = el.with_attribute(("codecs", "opus"));
        }
        if std::ptr::eq(m, enclosure) {
            el = el.with_attribute(("default", "true"));
        }
        el.write_inner_content(|w| {
            w.create_element("podcast:source").with_attribute(("uri", m.url.as_str())).write_empty()?;
            Ok(())
        })?;
    }
    Ok(())
}

/// An item's iTunes tags: duration (the enclosure's), season and number,
/// type, explicit, art.
fn item_itunes(w: &mut Writer<Vec<u8>>, catalog: &Catalog, e: &LiveEpisode, enclosure: &Media) -> io::Result<()> {
    let ep = &e.episode;
    text(w, "itunes:duration", &enclosure.info.whole_seconds().to_string())?;
    if let Some(season) = ep.season {
        text(w, "itunes:season", &season.to_string())?;
    }
    if let Some(number) = ep.number {
        text(w, "itunes:episode", &number.to_string())?;
    }
    text(w, "itunes:episodeType", ep.episode_type.as_str())?;
    text(w, "itunes:explicit", bool_word(ep.is_explicit(&catalog.podcast)))?;
    if let Some(image) = &ep.image {
        w.create_element("itunes:image").with_attribute(("href", asset_url(catalog, image).as_str())).write_empty()?;
        images(w, catalog, image)?;
    }
    Ok(())
}

/// An item's Podcasting 2.0 tags: people, season, location, license,
/// soundbites, value, transcripts, chapters. An item's people replace the
/// show's (`show_persons`) wholly, the namespace says: an episode that
/// names any (a guest) names the show's again first, or apps show it with
/// no host.
fn item_podcasting20(
    w: &mut Writer<Vec<u8>>,
    e: &LiveEpisode,
    show_persons: &[crate::manifest::namespace::Person],
) -> io::Result<()> {
    let ep = &e.episode;
    if !ep.guests.is_empty() || !ep.tags.persons.is_empty() {
        let restated: Vec<_> = show_persons
            .iter()
            // (One the episode names itself, in whatever role, as it names them.)
            .filter(|p| !(ep.tags.persons.iter().any(|q| q.name == p.name) || ep.guests.contains(&p.name)))
            .cloned()
            .collect();
        persons(w, &restated)?;
    }
    for guest in &ep.guests {
        w.create_element("podcast:person")
            .with_attributes([("role", "guest"), ("group", "cast")])
            .write_text_content(BytesText::new(guest))?;
    }
    let t = &ep.tags;
    persons(w, &t.persons)?;
    funding(w, &t.funding)?;
    if let Some(season) = ep.season {
        let mut el = w.create_element("podcast:season");
        if let Some(name) = &t.season_name {
            el = el.with_attribute(("name", name.as_str()));
        }
        el.write_text_content(BytesText::new(&season.to_string()))?;
    }
    // (Podcast Index apps read podcast:season and podcast:episode as a pair.)
    if let Some(number) = ep.number {
        text(w, "podcast:episode", &number.to_string())?;
    }
    if let Some(l) = &t.location {
        location(w, l)?;
    }
    if let Some(l) = &t.license {
        license(w, l)?;
    }
    for s in &t.soundbites {
        let (start, duration) = (format!("{:.3}", s.start), format!("{:.3}", s.duration));
        let el = w
            .create_element("podcast:soundbite")
            .with_attributes([("startTime", start.as_str()), ("duration", duration.as_str())]);
        match &s.title {
            Some(title) => el.write_text_content(BytesText::new(title))?,
            None => el.write_empty()?,
        };
    }
    if let Some(v) = &t.value {
        value(w, v)?;
    }
    for (name, kind, language) in transcript_links(ep) {
        let url = format!("{}{name}", e.page_url);
        let mut el = w.create_element("podcast:transcript").with_attributes([
            ("url", url.as_str()),
            ("type", kind.mime_type()),
            ("language", language),
        ]);
        if kind.is_timed() {
            el = el.with_attribute(("rel", "captions"));
        }
        el.write_empty()?;
    }
    if ep.chapters.is_some() {
        let url = format!("{}chapters.json", e.page_url);
        w.create_element("podcast:chapters")
            .with_attributes([("url", url.as_str()), ("type", "application/json+chapters")])
            .write_empty()?;
    }
    Ok(())
}

/// The chapters Podlove Simple Chapters lists: those of the table of
/// contents (a silent marker, `toc = false`, has no place in it).
fn psc_chapters(ep: &Episode) -> impl Iterator<Item = &crate::chapters::Chapter> {
    ep.chapters.iter().flat_map(|c| &c.list).filter(|c| c.toc)
}

/// `<psc:chapters version="1.2">`: the episode's chapters inline, as
/// Spotify, Podcast Addict and AntennaPod read them (Apple and the
/// Podcasting 2.0 apps read `podcast:chapters`).
fn simple_chapters(w: &mut Writer<Vec<u8>>, catalog: &Catalog, ep: &Episode) -> io::Result<()> {
    if psc_chapters(ep).next().is_none() {
        return Ok(());
    }
    w.create_element("psc:chapters").with_attribute(("version", "1.2")).write_inner_content(|w| {
        for c in psc_chapters(ep) {
            let start = crate::chapters::normal_play_time(c.start);
            let mut el = w
                .create_element("psc:chapter")
                .with_attributes([("start", start.as_str()), ("title", c.title.as_str())]);
            if let Some(url) = &c.url {
                el = el.with_attribute(("href", url.as_str()));
            }
            let image = c.image.as_ref().map(|a| asset_url(catalog, a));
            if let Some(image) = &image {
                el = el.with_attribute(("image", image.as_str()));
            }
            el.write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The name a transcript is published under, beside the episode's page:
/// `transcript.vtt`, or `transcript.de.vtt` in a language other than the
/// first transcript's.
fn transcript_name(ep: &Episode, t: &crate::transcript::Transcript, kind: crate::transcript::Kind) -> String {
    let first = ep.transcripts.first().map(|f| f.language.as_str());
    match first == Some(t.language.as_str()) {
        true => format!("transcript.{}", kind.extension()),
        false => format!("transcript.{}.{}", t.language, kind.extension()),
    }
}

/// The transcript files published beside an episode's page: each as
/// given, and its counterpart (SRT for VTT, VTT for SRT and JSON) unless
/// the episode has that one already; with format and language.
pub fn transcript_files(ep: &Episode) -> Vec<(String, crate::transcript::Kind, &str, Vec<u8>)> {
    let mut out = Vec::new();
    for t in &ep.transcripts {
        let language = t.language.as_str();
        out.push((transcript_name(ep, t, t.kind), t.kind, language, t.bytes.clone()));
        if let Some((kind, bytes)) = t.counterpart()
            && !ep.transcripts.iter().any(|o| o.kind == kind && o.language == t.language)
        {
            out.push((transcript_name(ep, t, kind), kind, language, bytes));
        }
    }
    out
}

/// The `podcast:transcript` tags of an episode: name, format, language.
fn transcript_links(ep: &Episode) -> Vec<(String, crate::transcript::Kind, &str)> {
    transcript_files(ep).into_iter().map(|(name, kind, language, _)| (name, kind, language)).collect()
}

/// `podcast:images` of an image in the show folder whose width its header
/// gives (`srcset` needs it); nothing for a hosted one.
fn images(w: &mut Writer<Vec<u8>>, catalog: &Catalog, image: &Asset) -> io::Result<()> {
    let url = asset_url(catalog, image);
    // (The namespace takes https addresses alone.)
    let https = url.starts_with("https://");
    let Asset::Local(f) = image else {
        // A hosted image: its address is what is known of it.
        if https {
            w.create_element("podcast:image").with_attribute(("href", url.as_str())).write_empty()?;
        }
        return Ok(());
    };
    let info = crate::validate::art::inspect_file(&f.path);
    let mime = match info.as_ref().map(|i| i.format) {
        Some(crate::validate::art::Format::Jpeg) => Some("image/jpeg"),
        Some(crate::validate::art::Format::Png) => Some("image/png"),
        _ => None,
    };
    let Some((width, height)) = info.and_then(|i| i.size) else {
        if https {
            w.create_element("podcast:image").with_attribute(("href", url.as_str())).write_empty()?;
        }
        return Ok(());
    };
    // `podcast:image` (the namespace's since 2024), and `podcast:images`,
    // which it replaced, for the apps that read that one alone.
    if !https {
        let srcset = format!("{url} {width}w");
        w.create_element("podcast:images").with_attribute(("srcset", srcset.as_str())).write_empty()?;
        return Ok(());
    }
    let (w_text, h_text) = (width.to_string(), height.to_string());
    let (mut a, mut b) = (width, height);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let ratio = format!("{}/{}", width / a.max(1), height / a.max(1));
    let mut el = w.create_element("podcast:image").with_attributes([
        ("href", url.as_str()),
        ("width", w_text.as_str()),
        ("height", h_text.as_str()),
        ("aspect-ratio", ratio.as_str()),
    ]);
    if let Some(mime) = mime {
        el = el.with_attribute(("type", mime));
    }
    el.with_attribute(("purpose", "artwork")).write_empty()?;
    let srcset = format!("{url} {width}w");
    w.create_element("podcast:images").with_attribute(("srcset", srcset.as_str())).write_empty()?;
    Ok(())
}

/// The public URL of an image: a local file is published at its path.
pub fn asset_url(catalog: &Catalog, asset: &Asset) -> String {
    match asset {
        Asset::Local(f) => catalog.podcast.url_of(&f.rel),
        Asset::Remote(url) => url.to_string(),
    }
}

fn bool_word(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `<name>escaped text</name>`.
fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

/// `<name><![CDATA[…]]></name>`, splitting any `]]>` in the content so the
/// section cannot be closed early.
fn cdata(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        for part in BytesCData::escaped(value) {
            w.write_event(Event::CData(part))?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podcast_guid_matches_the_spec_vectors() {
        assert_eq!(podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml"), "917393e3-1b1e-5cef-ace4-edaa54e1f810");
        assert_eq!(podcast_guid("podnews.net/rss"), "9b024349-ccf0-5f69-a609-6b82873eab3c");
        assert_eq!(podcast_guid("https://podnews.net/rss/"), "9b024349-ccf0-5f69-a609-6b82873eab3c");
    }

    #[test]
    fn dates_have_a_zero_padded_day_and_numeric_offset() {
        let d = DateTime::parse_from_rfc3339("2017-04-02T09:05:00-04:00").unwrap();
        assert_eq!(rfc2822(&d), "Sun, 02 Apr 2017 09:05:00 -0400");
    }

    #[test]
    fn items_written_as_they_were_give_the_same_feed() {
        let catalog = crate::catalog::tests::sample_catalog();
        for format in [None, Some(AudioFormat::Ogg)] {
            let full = render_with(&catalog, format, &|_| None).unwrap();
            assert_eq!(full.items.len(), catalog.episodes.len());
            for span in &full.items {
                assert!(full.xml[span.clone()].starts_with(b"<item>") && full.xml[span.clone()].ends_with(b"</item>"));
            }
            // Every item kept, and every other one.
            let kept = |i: usize| Some(&full.xml[full.items[i].clone()]);
            let again = render_with(&catalog, format, &kept).unwrap();
            assert_eq!(again.xml, full.xml);
            assert_eq!(again.items, full.items);
            let some = |i: usize| (i % 2 == 1).then(|| &full.xml[full.items[i].clone()]);
            assert_eq!(render_with(&catalog, format, &some).unwrap().xml, full.xml);
        }
    }

    #[test]
    fn cdata_splits_the_terminator() {
        let mut w = Writer::new(Vec::new());
        cdata(&mut w, "d", "a ]]> b").unwrap();
        assert_eq!(String::from_utf8(w.into_inner()).unwrap(), "<d><![CDATA[a ]]]]><![CDATA[> b]]></d>");
    }
}
