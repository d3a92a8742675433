//! The Podcasting 2.0 tags a publisher sets beyond the basics: people,
//! funding, licence, location, medium, update frequency, podroll,
//! value-for-value, `txt`, soundbites, season names, and a download
//! measurement prefix for enclosure URLs. Each is a documented manifest
//! key, read strictly here (a typo or a bad value is a manifest error with
//! its line), written by [`crate::feed`], and checked by `validate`.

use toml::Spanned;
use toml::de::DeValue;

use super::reader::{Context, Fields};
use crate::url::HttpUrl;

/// `podcast:person`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Its name, as listeners read it.
    pub name: String,
    /// A role of the taxonomy (lower case); default "host" for the show,
    /// "guest" for an episode.
    pub role: String,
    /// A group of the taxonomy; default "cast".
    pub group: String,
    /// A picture of them.
    pub img: Option<HttpUrl>,
    /// A page about them.
    pub href: Option<HttpUrl>,
}

/// `podcast:funding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funding {
    /// Where it is.
    pub url: HttpUrl,
    /// What listeners read.
    pub text: String,
}

/// `podcast:license`: an SPDX identifier, or a custom licence with its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    /// Its name, as listeners read it.
    pub name: String,
    /// Where it is.
    pub url: Option<HttpUrl>,
}

/// `podcast:location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Its name, as listeners read it.
    pub name: String,
    /// A `geo:` URI (RFC 5870), e.g. `geo:52.52,13.405`.
    pub geo: Option<String>,
    /// An OpenStreetMap element, e.g. `R62422`.
    pub osm: Option<String>,
    /// What the place is to the show: `"subject"` (what it is about) or
    /// `"creator"` (where it is made).
    pub rel: Option<String>,
    /// The country's ISO 3166-1 code, upper case (`"DE"`).
    pub country: Option<String>,
}

/// `podcast:updateFrequency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateFrequency {
    /// What listeners read ("Weekly").
    pub text: String,
    /// An RFC 5545 rule (`FREQ=WEEKLY`).
    pub rrule: Option<String>,
    /// The date (or date and time, RFC 3339) the rule counts from.
    pub dtstart: Option<String>,
    /// The show will not be updated again.
    pub complete: bool,
}

/// A `podcast:remoteItem` of the podroll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    /// The show's `podcast:guid`.
    pub feed_guid: String,
    /// Its feed.
    pub feed_url: Option<HttpUrl>,
}

/// `podcast:value` and its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// "lightning" (or another the spec lists).
    pub kind: String,
    /// "keysend", …
    pub method: String,
    /// A suggested amount.
    pub suggested: Option<String>,
    /// Who is paid, and their shares.
    pub recipients: Vec<Recipient>,
}

/// A `podcast:valueRecipient`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Its name, as listeners read it.
    pub name: Option<String>,
    /// "node", "lnaddress", …
    pub kind: String,
    /// Where it is paid.
    pub address: String,
    /// Its share.
    pub split: u32,
    /// A fee (not counted in the splits).
    pub fee: bool,
    /// A custom record key.
    pub custom_key: Option<String>,
    /// A custom record value.
    pub custom_value: Option<String>,
}

/// `podcast:txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txt {
    /// What listeners read.
    pub text: String,
    /// What it is for ("verify").
    pub purpose: Option<String>,
}

/// `podcast:soundbite`: a stretch of the episode to preview.
#[derive(Debug, Clone, PartialEq)]
pub struct Soundbite {
    /// Start, in seconds.
    pub start: f64,
    /// Length, in seconds.
    pub duration: f64,
    /// A title.
    pub title: Option<String>,
}

/// What `[podcast]` sets of the namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShowTags {
    /// People (`podcast:person`).
    pub persons: Vec<Person>,
    /// Where to support the show (`podcast:funding`).
    pub funding: Vec<Funding>,
    /// Its licence (`podcast:license`).
    pub license: Option<License>,
    /// What it is about or recorded at (`podcast:location`).
    pub location: Option<Location>,
    /// What kind of show it is (`podcast:medium`).
    pub medium: Option<String>,
    /// How often it is updated (`podcast:updateFrequency`).
    pub update_frequency: Option<UpdateFrequency>,
    /// Shows it recommends (`podcast:podroll`).
    pub podroll: Vec<RemoteItem>,
    /// Value-for-value payments (`podcast:value`).
    pub value: Option<Value>,
    /// Free-form text, e.g. a verification code (`podcast:txt`).
    pub txt: Vec<Txt>,
    /// Put before every enclosure URL (OP3, Podtrac, Chartable …), e.g.
    /// `https://op3.dev/e/`: the URL follows without its `https://`.
    pub prefix: Option<HttpUrl>,
    /// Where listeners subscribe (the pages' links): label and URL, in
    /// the order of [`SUBSCRIBE`].
    pub subscribe: Vec<(&'static str, HttpUrl)>,
    /// Add the chapters to each episode's description in the feed as
    /// timestamp lines (`0:00 Introduction`), as Apple Podcasts shows them.
    pub chapters_in_notes: bool,
    /// A WebSub hub (`atom:link rel="hub"`), told by `publish` when a feed
    /// changed, so that apps subscribed there hear of it at once.
    pub websub_hub: Option<HttpUrl>,
}

/// The apps `[podcast] subscribe` takes a link to: key and label.
pub const SUBSCRIBE: &[(&str, &str)] = &[
    ("apple", "Apple Podcasts"),
    ("spotify", "Spotify"),
    ("youtube", "YouTube Music"),
    ("amazon", "Amazon Music"),
    ("pocket_casts", "Pocket Casts"),
    ("overcast", "Overcast"),
    ("castro", "Castro"),
    ("antennapod", "AntennaPod"),
    ("podcast_addict", "Podcast Addict"),
    ("castbox", "Castbox"),
    ("podverse", "Podverse"),
    ("fountain", "Fountain"),
    ("podcast_index", "Podcast Index"),
];

/// What an `[[episode]]` sets of the namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpisodeTags {
    /// People (`podcast:person`).
    pub persons: Vec<Person>,
    /// What it is about or recorded at (`podcast:location`).
    pub location: Option<Location>,
    /// Its licence (`podcast:license`).
    pub license: Option<License>,
    /// The season's name (`podcast:season name`).
    pub season_name: Option<String>,
    /// Stretches to preview (`podcast:soundbite`).
    pub soundbites: Vec<Soundbite>,
    /// Value-for-value payments (`podcast:value`).
    pub value: Option<Value>,
    /// Where to support this episode (`podcast:funding`): a guest's cause,
    /// a sponsor of the episode.
    pub funding: Vec<Funding>,
}

/// Reads the namespace keys of `[podcast]`.
pub(super) fn show(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> ShowTags {
    ShowTags {
        persons: persons(t, cx, "persons", "host"),
        funding: list(
            t,
            cx,
            "funding",
            "[{ url = \"https://example.com/support\", text = \"Support the show\" }]",
            funding,
        ),
        license: license(t, cx),
        location: location(t, cx),
        medium: medium(t, cx),
        update_frequency: update_frequency(t, cx),
        podroll: list(t, cx, "podroll", "[{ feed_guid = \"917393e3-1b1e-5cef-ace4-edaa54e1f810\" }]", remote_item),
        value: value(t, cx),
        txt: list(t, cx, "txt", "[{ text = \"S6lpp-7ZCn8-dZfGc-OoyaG\", purpose = \"verify\" }]", txt),
        prefix: prefix(t, cx),
        subscribe: subscribe(t, cx),
        chapters_in_notes: t.boolean(cx, "chapters_in_notes").unwrap_or(false),
        websub_hub: url(t, cx, "websub_hub"),
    }
}

/// `subscribe = { apple = "https://podcasts.apple.com/…", … }`.
fn subscribe(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Vec<(&'static str, HttpUrl)> {
    let Some(mut f) = t.table(cx, "subscribe") else { return Vec::new() };
    let mut out = Vec::new();
    for (key, label) in SUBSCRIBE {
        if let Some(u) = url(&mut f, cx, key) {
            out.push((*label, u));
        }
    }
    f.finish(cx);
    out
}

/// Reads the namespace keys of an `[[episode]]`.
pub(super) fn episode(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> EpisodeTags {
    let season_name = t.string(cx, "season_name");
    if let Some(name) = &season_name {
        if name.get_ref().chars().count() > 128 {
            cx.error(&name.span(), format!("`season_name` in {} is over 128 characters", t.what), None);
        } else if !t.has("season") {
            // (podcast:season carries the name: without a number, there is none.)
            cx.error(
                &name.span(),
                format!("`season_name` in {} names a season, but the episode has no `season`", t.what),
                Some("give the episode its season's number: season = 1".into()),
            );
        }
    }
    let season_name = season_name.map(Spanned::into_inner);
    EpisodeTags {
        persons: persons(t, cx, "persons", "guest"),
        location: location(t, cx),
        license: license(t, cx),
        season_name,
        soundbites: list(
            t,
            cx,
            "soundbites",
            "[{ start = \"1:30\", duration = 45, title = \"The best bit\" }]",
            soundbite,
        ),
        value: value(t, cx),
        funding: list(
            t,
            cx,
            "funding",
            "[{ url = \"https://example.com/support\", text = \"Support this episode\" }]",
            funding,
        ),
    }
}

type Item<T> = fn(&mut Fields<'_, '_>, &mut Context<'_>) -> Option<T>;

/// A list of tables, each read by `item`.
fn list<T>(t: &mut Fields<'_, '_>, cx: &mut Context<'_>, key: &'static str, example: &str, item: Item<T>) -> Vec<T> {
    let what = t.what.clone();
    let Some(items) = t.array(cx, key, example) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        match v.get_ref() {
            DeValue::Table(table) => {
                let mut f = Fields::new(table, v.span(), format!("`{key}` {} of {what}", i + 1));
                let got = item(&mut f, cx);
                f.finish(cx);
                out.extend(got);
            }
            _ => cx.error(
                &v.span(),
                format!("`{key}` {} of {what} is not a table", i + 1),
                Some(format!("write {key} = {example}")),
            ),
        }
    }
    out
}

fn url(f: &mut Fields<'_, '_>, cx: &mut Context<'_>, key: &'static str) -> Option<HttpUrl> {
    let u = f.string(cx, key)?;
    match HttpUrl::parse(u.get_ref()) {
        Ok(url) => Some(url),
        Err(problem) => {
            cx.error(
                &u.span(),
                format!("`{key}` in {} \"{}\" {problem}", f.what, u.get_ref()),
                Some("write the full https:// address".into()),
            );
            None
        }
    }
}

fn persons(t: &mut Fields<'_, '_>, cx: &mut Context<'_>, key: &'static str, default_role: &'static str) -> Vec<Person> {
    let example = "[{ name = \"Ann Example\", role = \"host\", href = \"https://example.com/ann\" }]";
    let what = t.what.clone();
    let Some(items) = t.array(cx, key, example) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let DeValue::Table(table) = v.get_ref() else {
            cx.error(
                &v.span(),
                format!("`{key}` {} of {what} is not a table", i + 1),
                Some(format!("write {key} = {example}")),
            );
            continue;
        };
        let mut f = Fields::new(table, v.span(), format!("person {} of {what}", i + 1));
        let name = f.required_string(cx, "name", "\"Ann Example\"").map(Spanned::into_inner);
        let group_at = f.value("group").map(|v| v.span());
        let mut taxonomy = |key: &'static str, list: &[&str], default: &str| -> Option<String> {
            match f.string(cx, key) {
                None => Some(default.to_string()),
                Some(s) if list.contains(&s.get_ref().to_lowercase().as_str()) => Some(s.get_ref().to_lowercase()),
                Some(s) => {
                    let suggestion = crate::text::did_you_mean(&s.get_ref().to_lowercase(), list);
                    cx.error(
                        &s.span(),
                        format!(
                            "`{key}` \"{}\" of person {} of {what} is not in the Podcasting 2.0 taxonomy",
                            s.get_ref(),
                            i + 1
                        ),
                        Some(match suggestion {
                            Some(x) => format!("did you mean \"{x}\"?"),
                            None => format!("e.g. \"{default}\" (see podcasting2.org's taxonomy.json)"),
                        }),
                    );
                    None
                }
            }
        };
        let role = taxonomy("role", crate::validate::p20::ROLES, default_role);
        // (Without one, the role's group.)
        let default_group = role.as_deref().and_then(crate::validate::p20::group_of).unwrap_or("cast");
        let group = taxonomy("group", crate::validate::p20::GROUPS, default_group);
        if let (Some(r), Some(g), Some(at)) = (&role, &group, group_at)
            && !crate::validate::p20::role_in_group(r, g)
        {
            cx.error(
                &at,
                format!(
                    "`role` \"{r}\" of person {} of {what} is not a role of `group` \"{g}\" in the taxonomy",
                    i + 1
                ),
                Some(format!("write group = \"{default_group}\", or leave `group` out: the role's is written")),
            );
        }
        let img = url(&mut f, cx, "img");
        let href = url(&mut f, cx, "href");
        f.finish(cx);
        if let (Some(name), Some(role), Some(group)) = (name, role, group) {
            out.push(Person { name, role, group, img, href });
        }
    }
    out
}

fn funding(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Funding> {
    let url = url(f, cx, "url");
    if url.is_none() && !f.has("url") {
        f.missing(cx, "url", "\"https://example.com/support\"");
    }
    let text = f.required_string(cx, "text", "\"Support the show\"")?.into_inner();
    if text.chars().count() > 128 {
        cx.error(
            &f.span,
            format!("`text` of {} is over 128 characters", f.what),
            Some("apps show it on a button: keep it short".into()),
        );
    }
    Some(Funding { url: url?, text })
}

fn license(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<License> {
    let v = t.value("license")?;
    match v.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() && s.len() <= 128 => match super::licences::lookup(s) {
            Ok(_) => Some(License { name: s.to_string(), url: None }),
            Err(nearest) => {
                let own = "a licence of your own: license = { name = \"…\", url = \"https://…\" }";
                cx.error(
                    &v.span(),
                    format!("`license` \"{s}\" of {} is not on the SPDX licence list nor Podcast Index's", t.what),
                    Some(match nearest {
                        Some(slug) => format!("did you mean \"{slug}\"? ({own})"),
                        None => format!("use an SPDX identifier such as \"CC-BY-4.0\", or {own}"),
                    }),
                );
                None
            }
        },
        DeValue::Table(table) => {
            let mut f = Fields::new(table, v.span(), format!("`license` of {}", t.what));
            let name = f.required_string(cx, "name", "\"my-license-v1\"").map(Spanned::into_inner);
            let url = url(&mut f, cx, "url");
            if url.is_none() && !f.has("url") {
                f.missing(
                    cx,
                    "url",
                    "\"https://example.com/license\" (a licence that is not an SPDX identifier needs its text's URL)",
                );
            }
            f.finish(cx);
            Some(License { name: name?, url: Some(url?) })
        }
        _ => {
            cx.error(
                &v.span(),
                format!("`license` of {} must be an SPDX identifier or {{ name, url }}", t.what),
                Some(
                    "write license = \"CC-BY-4.0\", or license = { name = \"my-license\", url = \"https://…\" }".into(),
                ),
            );
            None
        }
    }
}

fn location(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Location> {
    let v = t.value("location")?;
    let bad = |cx: &mut Context<'_>, span: std::ops::Range<usize>, what: String| {
        cx.error(
            &span,
            what,
            Some(
                "write location = \"Berlin\", or { name = \"Berlin\", geo = \"geo:52.52,13.405\", osm = \"R62422\", \
                 rel = \"creator\", country = \"DE\" }"
                    .into(),
            ),
        );
    };
    match v.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() && s.chars().count() <= 128 => {
            Some(Location { name: s.to_string(), geo: None, osm: None, rel: None, country: None })
        }
        DeValue::Table(table) => {
            let mut f = Fields::new(table, v.span(), format!("`location` of {}", t.what));
            let name = f.required_string(cx, "name", "\"Berlin\"").map(Spanned::into_inner);
            let geo = f.string(cx, "geo");
            let osm = f.string(cx, "osm");
            let rel = f.string(cx, "rel");
            let country = f.string(cx, "country");
            f.finish(cx);
            // Each value that cannot be what its key says, with why.
            let wrong = [
                geo.as_ref().filter(|g| !is_geo(g.get_ref())).map(|g| {
                    let why = "is not a geo: URI (geo:LATITUDE,LONGITUDE, latitude -90 to 90, longitude -180 to 180)";
                    (g, "geo", why)
                }),
                rel.as_ref().filter(|r| !matches!(r.get_ref().as_str(), "subject" | "creator")).map(|r| {
                    (r, "rel", "is not \"subject\" (what the show is about) or \"creator\" (where it is made)")
                }),
                country.as_ref().filter(|c| !crate::text::is_country_code(c.get_ref())).map(|c| {
                    (
                        c,
                        "country",
                        "is not a country's ISO 3166 code (two letters: \"DE\"; the United Kingdom is \"GB\")",
                    )
                }),
                osm.as_ref()
                    .filter(|o| !is_osm(o.get_ref()))
                    .map(|o| (o, "osm", "is not an OpenStreetMap element (N, W or R and its number)")),
            ];
            // (Every one said at once, as every other problem of the manifest.)
            let mut any = false;
            for (v, key, why) in wrong.into_iter().flatten() {
                bad(cx, v.span(), format!("`{key}` \"{}\" {why}", v.get_ref()));
                any = true;
            }
            if any {
                return None;
            }
            Some(Location {
                name: name?,
                // (The scheme as the namespace writes it: apps may look for it so.)
                geo: geo.map(|g| format!("geo:{}", &g.get_ref()[4..])),
                osm: osm.map(Spanned::into_inner),
                rel: rel.map(Spanned::into_inner),
                country: country.map(|c| c.get_ref().to_ascii_uppercase()),
            })
        }
        _ => {
            bad(
                cx,
                v.span(),
                format!("`location` of {} must be a place name (at most 128 characters) or a table", t.what),
            );
            None
        }
    }
}

/// `geo:LAT,LON[,ALT][;u=UNCERTAINTY]` (RFC 5870; the scheme in any case).
pub(crate) fn is_geo(s: &str) -> bool {
    let Some(rest) = s.get(..4).filter(|p| p.eq_ignore_ascii_case("geo:")).map(|_| &s[4..]) else { return false };
    let coords = rest.split(';').next().unwrap_or_default();
    let parts: Vec<&str> = coords.split(',').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| p.parse::<f64>().is_ok_and(f64::is_finite))
        && parts[0].parse::<f64>().is_ok_and(|lat| (-90.0..=90.0).contains(&lat))
        && parts[1].parse::<f64>().is_ok_and(|lon| (-180.0..=180.0).contains(&lon))
}

/// `N123`, `W123` or `R123`, with an optional `#revision`.
pub(crate) fn is_osm(s: &str) -> bool {
    let (element, _) = s.split_once('#').unwrap_or((s, ""));
    element.len() > 1 && element.starts_with(['N', 'W', 'R']) && element[1..].bytes().all(|b| b.is_ascii_digit())
}

fn medium(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<String> {
    let m = t.string(cx, "medium")?;
    let base = m.get_ref().strip_suffix('L').unwrap_or(m.get_ref());
    if crate::validate::p20::MEDIUMS.contains(&base) && m.get_ref() != "mixedL" {
        if base != m.get_ref() || base == "mixed" || base == "publisher" {
            // A list medium, or a publisher's, is a feed of other feeds
            // (podcast:remoteItem), not of episodes: apps would not show
            // this show's.
            let what = match base == "publisher" {
                true => "a publisher's medium: a feed that lists the feeds a publisher owns",
                false => "a list medium: a feed that lists other feeds",
            };
            cx.error(
                &m.span(),
                format!("`medium` \"{}\" is {what}, not one of episodes", m.get_ref()),
                Some(match base {
                    "mixed" => {
                        "write medium = \"podcast\" for a show of episodes (mixed is for lists of feeds of several media)"
                            .to_string()
                    }
                    "publisher" => "write medium = \"podcast\" for a show of episodes (publisher is for the feed that \
                                    lists a publisher's shows)"
                        .to_string(),
                    _ => format!("write medium = \"{base}\" for a show of episodes"),
                }),
            );
            return None;
        }
        return Some(m.into_inner());
    }
    cx.error(
        &m.span(),
        format!("`medium` \"{}\" is not a medium the Podcasting 2.0 spec lists", m.get_ref()),
        Some("podcast, music, video, film, audiobook, newsletter, blog, publisher or course (an L after one: a list of them)".into()),
    );
    None
}

fn update_frequency(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<UpdateFrequency> {
    let mut f = t.table(cx, "update_frequency")?;
    let text = f.required_string(cx, "text", "\"Weekly\"").map(Spanned::into_inner);
    let rrule = f.string(cx, "rrule");
    let dtstart = f.datetime(cx, "dtstart");
    let complete = f.boolean(cx, "complete").unwrap_or(false);
    f.finish(cx);
    // A date, or a date and time with its offset: as the namespace writes it.
    let dtstart = match dtstart {
        Some(d) if d.get_ref().date.is_some() && (d.get_ref().time.is_none() || d.get_ref().offset.is_some()) => {
            Some(d.get_ref().to_string())
        }
        Some(d) => {
            cx.error(
                &d.span(),
                format!("`dtstart` {} has a time but no offset", d.get_ref()),
                Some(
                    "give a date, dtstart = 2026-01-05, or a date and time with its offset, 2026-01-05T09:00:00Z"
                        .into(),
                ),
            );
            return None;
        }
        None => None,
    };
    if let Some(r) = &rrule
        && let Some(why) = crate::text::rrule_problem(r.get_ref(), dtstart.as_deref())
    {
        cx.error(
            &r.span(),
            format!("`rrule` \"{}\" is {why}", r.get_ref()),
            Some(
                "e.g. rrule = \"FREQ=WEEKLY\"; a COUNT needs a dtstart, and an UNTIL is of its form (UNTIL=20261231 \
                 with dtstart = 2026-01-05)"
                    .into(),
            ),
        );
        return None;
    }
    Some(UpdateFrequency { text: text?, rrule: rrule.map(Spanned::into_inner), dtstart, complete })
}

fn remote_item(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<RemoteItem> {
    let guid = f.required_string(cx, "feed_guid", "\"917393e3-1b1e-5cef-ace4-edaa54e1f810\"")?;
    let feed_url = url(f, cx, "feed_url");
    if !crate::text::is_uuid(guid.get_ref()) {
        cx.error(
            &guid.span(),
            format!("`feed_guid` \"{}\" is not a podcast:guid (a UUID)", guid.get_ref()),
            Some("copy the show's podcast:guid from its feed".into()),
        );
        return None;
    }
    Some(RemoteItem { feed_guid: guid.into_inner(), feed_url })
}

fn txt(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Txt> {
    let text = f.required_string(cx, "text", "\"S6lpp-7ZCn8-dZfGc-OoyaG\"")?;
    let purpose = f.string(cx, "purpose").map(Spanned::into_inner);
    if text.get_ref().chars().count() > 4000 {
        cx.error(&text.span(), "a `txt` text is over 4,000 characters", None);
        return None;
    }
    Some(Txt { text: text.into_inner(), purpose })
}

fn soundbite(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Soundbite> {
    let start = f.time(cx, "start");
    if start.is_none() && !f.has("start") {
        f.missing(cx, "start", "\"1:30\"");
    }
    let duration = f.time(cx, "duration");
    if duration.is_none() && !f.has("duration") {
        f.missing(cx, "duration", "45");
    }
    let title = f.string(cx, "title").map(Spanned::into_inner);
    let duration = duration?;
    if !(*duration.get_ref() > 0.0 && *duration.get_ref() <= 600.0) {
        cx.error(
            &duration.span(),
            "a soundbite lasts more than 0 and at most 600 seconds",
            Some("apps play 15 to 120 s: duration = 45".into()),
        );
        return None;
    }
    Some(Soundbite { start: start?.into_inner(), duration: duration.into_inner(), title })
}

fn value(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Value> {
    let mut f = t.table(cx, "value")?;
    let kind = f.required_string(cx, "type", "\"lightning\"").map(Spanned::into_inner);
    let method = f.required_string(cx, "method", "\"keysend\"").map(Spanned::into_inner);
    let suggested = f.string(cx, "suggested");
    if let Some(s) = suggested.as_ref().filter(|s| !crate::text::is_amount(s.get_ref())) {
        cx.error(
            &s.span(),
            format!("`suggested` \"{}\" in `value` of {} is not an amount", s.get_ref(), t.what),
            Some("write an amount in the value's currency, e.g. suggested = \"0.00000005000\" (5 sats)".into()),
        );
    }
    let suggested = suggested.filter(|s| crate::text::is_amount(s.get_ref())).map(Spanned::into_inner);
    let told = cx.problems.len();
    let recipients = list(
        &mut f,
        cx,
        "recipients",
        "[{ name = \"Ann\", type = \"node\", address = \"03ae…\", split = 100 }]",
        recipient,
    );
    f.finish(cx);
    // (Recipients given, each refused with its reason: not said again.)
    if recipients.is_empty() && cx.problems.len() == told {
        cx.error(
            &t.span,
            format!("`value` of {} has no recipients", t.what),
            Some("add recipients = [{ name, type, address, split }]".into()),
        );
        return None;
    }
    Some(Value { kind: kind?, method: method?, suggested, recipients })
}

fn recipient(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Recipient> {
    let name = f.string(cx, "name").map(Spanned::into_inner);
    let kind = f.required_string(cx, "type", "\"node\"").map(Spanned::into_inner);
    // The example is one no build takes: a real key pasted from a help
    // would send the show's payments to whoever holds it.
    let example = match kind.as_deref() {
        Some("lnaddress") => "\"<your Lightning address, name@domain>\"",
        _ => "\"<your node's public key: 66 hex digits, 02 or 03 first>\"",
    };
    let address = f.required_string(cx, "address", example).and_then(|a| {
        let why = crate::text::recipient_address_problem(kind.as_deref()?, a.get_ref());
        if let Some(why) = why {
            cx.error(
                &a.span(),
                format!("`address` \"{}\" of {} {why}", a.get_ref(), f.what),
                Some(match kind.as_deref() {
                    Some("node") => "copy the node's public key from the wallet or node (66 hex digits)".into(),
                    _ => "write the Lightning address as the wallet gives it, e.g. ann@getalby.com".into(),
                }),
            );
            return None;
        }
        Some(a.into_inner())
    });
    let split = f.positive_int(cx, "split").map(Spanned::into_inner);
    if split.is_none() && !f.has("split") {
        f.missing(cx, "split", "100");
    }
    let fee = f.boolean(cx, "fee").unwrap_or(false);
    let custom_key = f.string(cx, "custom_key").map(Spanned::into_inner);
    let custom_value = f.string(cx, "custom_value").map(Spanned::into_inner);
    Some(Recipient { name, kind: kind?, address: address?, split: split?, fee, custom_key, custom_value })
}

fn prefix(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<HttpUrl> {
    let p = t.string(cx, "prefix")?;
    match HttpUrl::parse(p.get_ref()) {
        Ok(url) if url.as_str().ends_with('/') && url.as_str().starts_with("https://") => Some(url),
        _ => {
            cx.error(
                &p.span(),
                format!("`prefix` \"{}\" is not a measurement prefix", p.get_ref()),
                Some(
                    "an https:// address ending in /, as the service gives it: prefix = \"https://op3.dev/e/\"".into(),
                ),
            );
            None
        }
    }
}

/// `url` behind a measurement `prefix`: the prefix, then the URL without
/// its `https://` (as OP3, Podtrac and Chartable take it).
pub fn prefixed(prefix: Option<&HttpUrl>, url: &str) -> String {
    match prefix {
        None => url.to_string(),
        Some(p) => format!("{}{}", p.as_str(), url.strip_prefix("https://").unwrap_or(url)),
    }
}
