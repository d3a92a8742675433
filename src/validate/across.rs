//! Rules that look across items: duplicate guids and media URLs, and a
//! serial show's numbering. They read [`ItemFacts`], not the items, so that
//! a build that validates only the items it changed (see
//! [`incremental`](super::incremental)) checks them over every item.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::rules::id;
use super::xml::{Node, Ns};
use super::{Cx, Finding, Where};
use crate::text::truncate_chars;

/// What the rules across items (and a few channel rules: is there anything
/// to play, are the URLs placeholders, one protocol) need from one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFacts {
    /// The line of its `<item>` tag.
    pub line: usize,
    /// How findings name it: its title, quoted and shortened; `None` when
    /// it has no title (it is then "item N").
    pub label: Option<String>,
    /// Its `<guid>`, if not empty, and the guid's line.
    pub guid: Option<(String, usize)>,
    /// Its first `<enclosure>`'s `url`, and the enclosure's line.
    pub enclosure: Option<(String, usize)>,
    /// Whether it has an `<itunes:episode>`, or needs none: a trailer or
    /// bonus episode of a serial show is normally unnumbered (ART19 and
    /// Acast publish them so, and Apple lists them).
    pub numbered: bool,
}

impl ItemFacts {
    /// The facts of `item`.
    pub(super) fn of(cx: &Cx<'_>, item: &Node) -> ItemFacts {
        let title = cx.child(item, &Ns::Rss, "title").map(|t| &*t.text).filter(|t| !t.is_empty());
        let guid = cx.child(item, &Ns::Rss, "guid").filter(|g| !g.text.is_empty());
        let enclosure = cx.child(item, &Ns::Rss, "enclosure");
        ItemFacts {
            line: item.line,
            label: title.map(|t| crate::text::quoted(&truncate_chars(t, 60))),
            guid: guid.map(|g| (g.text.to_string(), g.line)),
            enclosure: enclosure.and_then(|e| Some((e.attr("url")?.to_string(), e.line))),
            numbered: cx.child(item, &Ns::Itunes, "episode").is_some()
                || cx
                    .child(item, &Ns::Itunes, "episodeType")
                    .is_some_and(|t| matches!(t.text.trim(), "trailer" | "bonus")),
        }
    }

    /// Where item `index` (0-based) is, at `line`.
    pub fn at(&self, index: usize, line: usize) -> Where {
        let label = self.label.clone().unwrap_or_else(|| format!("item {}", index + 1));
        Where::Item(index + 1, label, line)
    }
}

/// The rules across items.
pub fn check(cx: &mut Cx<'_>) {
    let facts = std::mem::take(&mut cx.facts);
    let mut guids: HashMap<&str, usize> = HashMap::new();
    let mut urls: HashMap<&str, usize> = HashMap::new();
    // The items whose guid is a media URL: their number, and the guid's line.
    let mut media_guids: Vec<(usize, usize)> = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        if let Some((guid, line)) = &f.guid
            && is_media_url(guid.trim(), f.enclosure.as_ref().map(|(url, _)| url.trim()))
        {
            media_guids.push((i, *line));
        }
        if let Some((guid, line)) = &f.guid
            && let Some(first) = guids.insert(guid, i + 1)
        {
            cx.push(Finding::new(
                id::APPLE_IT_GUID,
                f.at(i, *line),
                format!("the guid \"{}\" is also the guid of item {first}", truncate_chars(guid, 80)),
                "every episode needs its own guid; apps merge or drop episodes that share one",
            ));
        }
        if let Some((url, line)) = &f.enclosure
            && let Some(first) = urls.insert(url, i + 1)
        {
            cx.push(Finding::new(
                id::APPLE_IT_ENCL_UNIQUE,
                f.at(i, *line),
                format!("item {first} has the same enclosure URL"),
                "every episode needs its own media file URL; Apple ignores the duplicates",
            ));
        }
        if cx.serial && !f.numbered {
            cx.push(Finding::new(
                id::APPLE_CH_SERIAL_EPNUM,
                f.at(i, f.line),
                "this serial show's item has no <itunes:episode>",
                "number every episode of a serial show: <itunes:episode>3</itunes:episode>",
            ));
        }
    }
    // podsmith's own feeds keep each published guid (podsmith.lock): theirs
    // never follow the URLs.
    let by_podsmith = cx.child(cx.channel, &Ns::Rss, "generator").is_some_and(|g| g.text.trim() == "podsmith");
    if let Some(&(i, line)) = media_guids.first().filter(|_| !by_podsmith) {
        let guid = facts[i].guid.as_ref().map(|(g, _)| truncate_chars(g.trim(), 80)).unwrap_or_default();
        let (more, others) = (media_guids.len() - 1, facts.len() - 1);
        let as_others = match (more, others) {
            (0, _) => String::new(),
            (1, 1) => ", as is the guid of the feed's other item".to_string(),
            (1, _) => format!(", as is the guid of 1 of the feed's {others} other items"),
            (m, o) if m == o => format!(", as are the guids of all the feed's {others} other items"),
            _ => format!(", as are the guids of {more} of the feed's {others} other items"),
        };
        let message = format!("the guid \"{guid}\" is a media URL{as_others}");
        cx.push(Finding::new(
            id::MISTAKE_GUID_UNSTABLE,
            facts[i].at(i, line),
            message,
            "keep the published guids as they are (a new guid is a new episode to every app), and give new episodes \
             guids that are not URLs; if the media move, the guids must not follow them (podsmith keeps each \
             published guid in podsmith.lock, and `podsmith import` takes them over unchanged)",
        ));
    }
    cx.facts = facts;
}

/// Whether `guid` is the item's media URL (`enclosure`), or the URL of an
/// audio or video file (its path ends in one's extension: also the file's
/// URL behind a tracking prefix).
pub(crate) fn is_media_url(guid: &str, enclosure: Option<&str>) -> bool {
    if guid.is_empty() {
        return false;
    }
    enclosure == Some(guid)
        || (crate::text::is_http_url(guid)
            && super::items::url_extension(guid)
                .is_some_and(|ext| crate::probe::MEDIA_EXTENSIONS.contains(&ext.as_str())))
}
