//! The Podcasting 2.0 tags of a feed as the manifest's keys (see
//! `manifest::namespace`): each value is taken only as the manifest reads
//! it and a build publishes it (https URLs, the lengths and forms the
//! namespace asks for), since one the manifest refuses would refuse the
//! whole import. What the manifest has no key for is counted by kind, to
//! be said once per kind.

use std::collections::BTreeMap;

use rss::extension::{Extension, ExtensionMap};
use toml_edit::{Array, InlineTable, Value};

use super::{Diagnostic, is_https, note};
use crate::manifest::namespace::{is_geo, is_osm};

/// The `podcast:` tags of the channel the import maps (the others are said
/// to be left out).
const CHANNEL: &[&str] = &[
    "guid",
    "locked",
    "medium",
    "license",
    "funding",
    "person",
    "location",
    "updateFrequency",
    "podroll",
    "value",
    "txt",
    "block",
];

/// The `podcast:` tags of an item the import maps (chapters and transcripts:
/// see `item_files`).
const ITEM: &[&str] = &[
    "chapters",
    "transcript",
    "alternateEnclosure",
    "person",
    "license",
    "soundbite",
    "season",
    "episode",
    "location",
    "value",
    "funding",
];

/// The `podcast:` tags left out: by name, whether the channel had it, and
/// in how many items; and the values of tags the import maps that it left
/// out as the manifest would refuse them (see [`Dropped::unusable`]).
#[derive(Debug, Default)]
pub(super) struct Dropped {
    tags: BTreeMap<String, (bool, usize)>,
    /// By what was left out and why: how many.
    unusable: BTreeMap<(&'static str, &'static str), usize>,
}

impl Dropped {
    /// Counts the tags of `ns` (the channel's, or an item's) the import does not map.
    fn count(&mut self, ns: &BTreeMap<String, Vec<Extension>>, channel: bool) {
        let mapped = if channel { CHANNEL } else { ITEM };
        for name in ns.keys().filter(|n| !mapped.contains(&n.as_str())) {
            let entry = self.tags.entry(name.clone()).or_default();
            if channel {
                entry.0 = true;
            } else {
                entry.1 += 1;
            }
        }
    }

    /// Counts a value of a tag the import maps that it leaves out (`what`:
    /// the tag, or the tag and its attribute), as the manifest would
    /// refuse it (`why`), to be said once with the others like it.
    pub(super) fn unusable(&mut self, what: &'static str, why: &'static str) {
        *self.unusable.entry((what, why)).or_default() += 1;
    }

    /// One note per kind of tag left out, and per kind of value.
    pub(super) fn say(&self, notes: &mut Vec<Diagnostic>) {
        for ((what, why), n) in &self.unusable {
            let left = match n {
                1 => format!("a {what} was left out"),
                n => format!("{n} {what} values were left out"),
            };
            notes.push(note(format!("{left}: {why}, which the manifest does not take")));
        }
        for (name, (channel, items)) in &self.tags {
            // (The possessive of "1 item" is "1 item's", of "2 items" "2 items'".)
            let items_of = |n: usize| match n {
                1 => "1 item's".to_string(),
                n => format!("{}'", crate::text::count(n, "item")),
            };
            let whose = match (*channel, *items) {
                (true, 0) => "the channel's".to_string(),
                (true, n) => format!("the channel's and {}", items_of(n)),
                (false, n) => items_of(n),
            };
            let why = match name.as_str() {
                "trailer" => "podsmith writes one for each episode of type = \"trailer\"",
                "images" | "image" => "podsmith writes it from the cover and episode art in the show folder",
                _ => "the manifest has no key for it",
            };
            notes.push(note(format!("{whose} podcast:{name} was left out ({why})")));
        }
    }
}

/// An item's `podcast:episode` into `t`: its number, where the item has no
/// `itunes:episode` (the build writes both from `episode`); one that differs
/// from it, or that the manifest does not take (a fraction), and its
/// `display` (which podsmith does not write) said.
fn episode(e: &Extension, t: &mut toml_edit::Table, say: &mut dyn FnMut(String), dropped: &mut Dropped) {
    let given = text(e).unwrap_or("");
    let number = super::items::whole_number(given);
    match (t.get("episode").and_then(toml_edit::Item::as_integer), number) {
        (None, Some(n)) => t["episode"] = toml_edit::value(i64::from(n)),
        (Some(kept), Some(n)) if kept == i64::from(n) => {}
        (Some(kept), _) => say(format!(
            "its podcast:episode \"{}\" is not its itunes:episode {kept}: {kept} is kept",
            crate::text::truncate_chars(given, 40).escape_debug()
        )),
        (None, None) => say(format!(
            "its podcast:episode \"{}\" was left out (the manifest's `episode` is a whole number from 1)",
            crate::text::truncate_chars(given, 40).escape_debug()
        )),
    }
    if attr(e, "display").is_some() {
        dropped.unusable("podcast:episode display", "a label apps would show instead of the number");
    }
}

/// The first `podcast:NAME` of `ns`.
fn first<'a>(ns: &'a BTreeMap<String, Vec<Extension>>, name: &str) -> Option<&'a Extension> {
    ns.get(name)?.first()
}

/// An element's trimmed text, if it has any.
fn text(e: &Extension) -> Option<&str> {
    e.value().map(str::trim).filter(|t| !t.is_empty())
}

/// An attribute, trimmed, if not empty.
fn attr<'a>(e: &'a Extension, key: &str) -> Option<&'a str> {
    e.attrs().get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The channel's location, update frequency, podroll, value and txt into
/// `p` (the other mapped tags: `namespace_tags`); what is left out counted
/// in `dropped`.
pub(super) fn channel(
    ext: &ExtensionMap,
    p: &mut toml_edit::Table,
    notes: &mut Vec<Diagnostic>,
    dropped: &mut Dropped,
) {
    let Some(ns) = ext.get("podcast") else { return };
    dropped.count(ns, true);
    if let Some(l) = first(ns, "location").and_then(|l| location(l, dropped)) {
        p["location"] = toml_edit::value(l);
    }
    if let Some(u) = first(ns, "updateFrequency").and_then(|u| update_frequency(u, dropped)) {
        p["update_frequency"] = toml_edit::value(u);
    }
    if let Some(r) = first(ns, "podroll").map(|r| podroll(r, notes, dropped)).filter(|r| !r.is_empty()) {
        p["podroll"] = toml_edit::value(r);
    }
    if let Some(v) = first(ns, "value").and_then(|v| value(v, true, dropped)) {
        p["value"] = toml_edit::value(v);
    }
    let mut txt = Array::new();
    for x in ns.get("txt").into_iter().flatten() {
        let Some(t) = text(x).filter(|t| t.chars().count() <= 4000) else {
            dropped.unusable("podcast:txt", "empty, or over 4,000 characters");
            continue;
        };
        let mut entry = InlineTable::new();
        entry.insert("text", t.into());
        match attr(x, "purpose") {
            Some(purpose) if purpose.chars().count() <= 128 => {
                entry.insert("purpose", purpose.into());
            }
            Some(_) => dropped.unusable("podcast:txt purpose", "over 128 characters"),
            None => {}
        }
        txt.push(entry);
    }
    if !txt.is_empty() {
        p["txt"] = toml_edit::value(txt);
    }
}

/// The `podcast:funding` tags of `ns` (a channel's or an item's) that the
/// manifest takes: with a text and an https URL.
pub(super) fn funding(ns: &BTreeMap<String, Vec<Extension>>, dropped: &mut Dropped) -> Array {
    let mut out = Array::new();
    for f in ns.get("funding").into_iter().flatten() {
        let (Some(url), Some(text)) = (f.attrs().get("url"), f.value().map(str::trim).filter(|t| !t.is_empty())) else {
            dropped.unusable("podcast:funding", "without a URL or a text");
            continue;
        };
        // (An http one the manifest takes, with the namespace's warning: a
        // page a listener opens, not a file apps fetch.)
        if crate::url::HttpUrl::parse(url).is_err() {
            dropped.unusable("podcast:funding url", "not an http(s) URL");
        } else {
            let mut t = InlineTable::new();
            t.insert("url", url.as_str().into());
            t.insert("text", crate::text::truncate_chars(text, 128).into());
            out.push(t);
        }
    }
    out
}

/// An item's people, licence, soundbites, season name, location, value
/// and funding into `t`; what is left out counted in `dropped`, what is
/// mapped said to `say` (of the item).
pub(super) fn item(item: &rss::Item, t: &mut toml_edit::Table, say: &mut dyn FnMut(String), dropped: &mut Dropped) {
    let Some(ns) = item.extensions().get("podcast") else { return };
    dropped.count(ns, false);
    let persons = persons(ns.get("person").map(Vec::as_slice).unwrap_or_default(), "guest", say, dropped);
    if !persons.is_empty() {
        t["persons"] = toml_edit::value(persons);
    }
    if let Some(l) = first(ns, "license").and_then(|l| license(l, dropped)) {
        t["license"] = toml_edit::value(l);
    }
    let funding = funding(ns, dropped);
    if !funding.is_empty() {
        t["funding"] = toml_edit::value(funding);
    }
    let bites: Array = ns
        .get("soundbite")
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let bite = soundbite(s);
            if bite.is_none() {
                dropped.unusable(
                    "podcast:soundbite",
                    "without a start time, or with a duration not over 0 and up to 600 s",
                );
            }
            bite
        })
        .collect();
    if !bites.is_empty() {
        t["soundbites"] = toml_edit::value(bites);
    }
    if let Some(e) = first(ns, "episode") {
        episode(e, t, say, dropped);
    }
    if let Some(season) = first(ns, "season") {
        let number = text(season).and_then(|n| n.parse::<u32>().ok()).filter(|n| *n > 0);
        match number {
            Some(n) if !t.contains_key("season") => t["season"] = toml_edit::value(i64::from(n)),
            Some(_) => {}
            None => dropped.unusable("podcast:season", "not a whole number from 1"),
        }
        match attr(season, "name") {
            Some(name) if name.chars().count() <= 128 && t.contains_key("season") => {
                t["season_name"] = toml_edit::value(name);
            }
            Some(name) if name.chars().count() > 128 => dropped.unusable("podcast:season name", "over 128 characters"),
            _ => {}
        }
    }
    if let Some(l) = first(ns, "location").and_then(|l| location(l, dropped)) {
        t["location"] = toml_edit::value(l);
    }
    if let Some(v) = first(ns, "value").and_then(|v| value(v, false, dropped)) {
        t["value"] = toml_edit::value(v);
    }
}

/// `podcast:person`s as the manifest's `persons` (`default_role` when the
/// feed's is not in the taxonomy, said to `say`).
pub(super) fn persons(
    list: &[Extension],
    default_role: &str,
    say: &mut dyn FnMut(String),
    dropped: &mut Dropped,
) -> Array {
    let mut persons = Array::new();
    for person in list {
        let Some(name) = text(person).filter(|n| n.chars().count() <= 128) else {
            dropped.unusable("podcast:person", "without a name, or with one over 128 characters");
            continue;
        };
        let mut t = InlineTable::new();
        t.insert("name", name.into());
        for (key, list, default) in
            [("role", crate::validate::p20::ROLES, default_role), ("group", crate::validate::p20::GROUPS, "cast")]
        {
            match person.attrs().get(key).map(|v| v.trim().to_lowercase()) {
                Some(v) if list.contains(&v.as_str()) => {
                    t.insert(key, v.into());
                }
                Some(v) => say(format!("{name}'s {key} \"{v}\" is not in the taxonomy: \"{default}\" is used")),
                None => {}
            }
        }
        for (key, what) in [("img", "podcast:person img"), ("href", "podcast:person href")] {
            match person.attrs().get(key) {
                Some(u) if is_https(u) => {
                    t.insert(key, u.as_str().into());
                }
                Some(_) => dropped.unusable(what, "not an https URL"),
                None => {}
            }
        }
        persons.push(t);
    }
    persons
}

/// `podcast:license`: its name, with its URL when it has an https one.
pub(super) fn license(l: &Extension, dropped: &mut Dropped) -> Option<Value> {
    let Some(name) = text(l).filter(|n| n.len() <= 128) else {
        dropped.unusable("podcast:license", "without a name, or with one over 128 bytes");
        return None;
    };
    let url = l.attrs().get("url");
    if url.is_some_and(|u| !is_https(u)) {
        dropped.unusable("podcast:license url", "not an https URL");
    }
    let url = url.filter(|u| is_https(u));
    if url.is_none() && crate::manifest::licences::lookup(name).is_err() {
        dropped.unusable("podcast:license", "neither an SPDX identifier nor given with its licence's https URL");
        return None;
    }
    Some(match url {
        Some(url) => {
            let mut t = InlineTable::new();
            t.insert("name", name.into());
            t.insert("url", url.as_str().into());
            t.into()
        }
        None => name.into(),
    })
}

/// `podcast:location`: its name, with `geo` and `osm` where they are well formed.
fn location(l: &Extension, dropped: &mut Dropped) -> Option<Value> {
    let Some(name) = text(l).filter(|n| n.chars().count() <= 128) else {
        dropped.unusable("podcast:location", "without a name, or with one over 128 characters");
        return None;
    };
    if attr(l, "geo").is_some_and(|g| !is_geo(g)) {
        dropped.unusable("podcast:location geo", "not geo:LATITUDE,LONGITUDE");
    }
    if attr(l, "osm").is_some_and(|o| !is_osm(o)) {
        dropped.unusable("podcast:location osm", "not N, W or R and a number");
    }
    if attr(l, "rel").is_some_and(|r| !matches!(r, "subject" | "creator")) {
        dropped.unusable("podcast:location rel", "not subject or creator");
    }
    if attr(l, "country").is_some_and(|c| !crate::text::is_country_code(c)) {
        dropped.unusable("podcast:location country", "not a country's ISO 3166 code");
    }
    let geo = attr(l, "geo").filter(|g| is_geo(g));
    let osm = attr(l, "osm").filter(|o| is_osm(o));
    let rel = attr(l, "rel").filter(|r| matches!(*r, "subject" | "creator"));
    let country = attr(l, "country").filter(|c| crate::text::is_country_code(c));
    if geo.is_none() && osm.is_none() && rel.is_none() && country.is_none() {
        return Some(name.into());
    }
    let mut t = InlineTable::new();
    t.insert("name", name.into());
    for (key, v) in [("geo", geo), ("osm", osm), ("rel", rel), ("country", country)] {
        if let Some(v) = v {
            t.insert(key, v.into());
        }
    }
    Some(t.into())
}

/// `podcast:updateFrequency`: its text, RFC 5545 rule and `complete`.
fn update_frequency(u: &Extension, dropped: &mut Dropped) -> Option<Value> {
    let Some(text) = text(u) else {
        dropped.unusable("podcast:updateFrequency", "without a text");
        return None;
    };
    let mut t = InlineTable::new();
    t.insert("text", text.into());
    let dtstart = attr(u, "dtstart").filter(|d| {
        let date = d.parse::<toml::value::Datetime>().is_ok_and(|t| t.time.is_none() || t.offset.is_some());
        let kept = crate::text::is_iso_date(d) && date;
        if !kept {
            dropped.unusable("podcast:updateFrequency dtstart", "not an ISO 8601 date");
        }
        kept
    });
    if let Some(r) = attr(u, "rrule") {
        match crate::text::rrule_problem(r, dtstart) {
            None => {
                t.insert("rrule", r.into());
                if let Some(d) = dtstart.and_then(|d| d.parse::<toml::value::Datetime>().ok()) {
                    t.insert("dtstart", d.into());
                }
            }
            Some(why) => dropped.unusable("podcast:updateFrequency rrule", why),
        }
    }
    if attr(u, "complete").is_some_and(|c| c.eq_ignore_ascii_case("true")) {
        t.insert("complete", true.into());
    }
    Some(t.into())
}

/// `podcast:podroll`'s remote items (each with a `feedGuid`; a feed URL
/// that is not https is left out, and said: the namespace requires https).
fn podroll(r: &Extension, notes: &mut Vec<Diagnostic>, dropped: &mut Dropped) -> Array {
    let mut out = Array::new();
    for item in r.children().get("remoteItem").into_iter().flatten() {
        let Some(guid) = attr(item, "feedGuid").filter(|g| crate::text::is_uuid(g)) else {
            dropped.unusable("podcast:remoteItem", "without a feedGuid that is a UUID");
            continue;
        };
        let mut t = InlineTable::new();
        t.insert("feed_guid", guid.into());
        match attr(item, "feedUrl") {
            Some(u) if is_https(u) => {
                t.insert("feed_url", u.into());
            }
            Some(u) => notes.push(note(format!(
                "the podroll's feed URL \"{u}\" is not https, which the namespace requires: left out (the show \
                 is still named by its guid {guid})"
            ))),
            None => {}
        }
        out.push(t);
    }
    out
}

/// `podcast:value` with its recipients (those with a type, an address and
/// a split from 1 up); `None` if it has none. What it holds beyond them
/// (`valueTimeSplit`) is counted in `dropped` (of the channel's or an item's).
fn value(v: &Extension, channel: bool, dropped: &mut Dropped) -> Option<Value> {
    let mut recipients = Array::new();
    for r in v.children().get("valueRecipient").into_iter().flatten() {
        let split = attr(r, "split").and_then(|s| s.parse::<u32>().ok()).filter(|s| *s > 0);
        let (Some(kind), Some(address), Some(split)) = (attr(r, "type"), attr(r, "address"), split) else {
            dropped.unusable("podcast:valueRecipient", "without a type, an address, or a split of 1 or more");
            continue;
        };
        if let Some(why) = crate::text::recipient_address_problem(kind, address) {
            dropped.unusable("podcast:valueRecipient address", why.strip_prefix("is ").unwrap_or(why));
            continue;
        }
        let mut t = InlineTable::new();
        if let Some(name) = attr(r, "name") {
            t.insert("name", name.into());
        }
        t.insert("type", kind.into());
        t.insert("address", address.into());
        t.insert("split", i64::from(split).into());
        if attr(r, "fee").is_some_and(|f| f.eq_ignore_ascii_case("true")) {
            t.insert("fee", true.into());
        }
        for (key, given) in [("custom_key", "customKey"), ("custom_value", "customValue")] {
            if let Some(c) = attr(r, given) {
                t.insert(key, c.into());
            }
        }
        recipients.push(t);
    }
    let mut beyond = v.children().clone();
    beyond.remove("valueRecipient");
    dropped.count(&beyond, channel);
    let (Some(kind), Some(method)) = (attr(v, "type"), attr(v, "method")) else {
        dropped.unusable("podcast:value", "without a type or a method");
        return None;
    };
    if recipients.is_empty() {
        dropped.unusable("podcast:value", "without a recipient it could pay");
        return None;
    }
    let mut t = InlineTable::new();
    t.insert("type", kind.into());
    t.insert("method", method.into());
    match attr(v, "suggested") {
        Some(s) if crate::text::is_amount(s) => {
            t.insert("suggested", s.trim().into());
        }
        Some(_) => dropped.unusable("podcast:value suggested", "not an amount"),
        None => {}
    }
    t.insert("recipients", recipients.into());
    Some(t.into())
}

/// `podcast:soundbite` as the manifest takes it: a start, a duration of
/// more than 0 and at most 600 seconds, and its title.
fn soundbite(s: &Extension) -> Option<Value> {
    let start = attr(s, "startTime")?.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    let duration = attr(s, "duration")?.parse::<f64>().ok().filter(|d| *d > 0.0 && *d <= 600.0)?;
    let mut t = InlineTable::new();
    t.insert("start", start.into());
    t.insert("duration", duration.into());
    if let Some(title) = text(s) {
        t.insert("title", title.into());
    }
    Some(t.into())
}
