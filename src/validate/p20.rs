//! Podcasting 2.0 rules (P20-*): the `podcast:` namespace, wherever its
//! elements appear.

// One arm per element reads better than guards spread over the match.
#![allow(clippy::collapsible_match)]

use super::rules::{RuleId, id};
use super::xml::{Node, Ns};
use super::{Cx, Finding, Scope, Severity, Where, dates};
use crate::text::{is_email, is_uuid, truncate_chars};

/// `podcast:person` roles and groups (taxonomy.json), lower case.
pub(crate) const ROLES: &[&str] = &[
    "director",
    "assistant director",
    "executive producer",
    "senior producer",
    "producer",
    "associate producer",
    "development producer",
    "creative director",
    "host",
    "co-host",
    "guest host",
    "guest",
    "voice actor",
    "narrator",
    "announcer",
    "reporter",
    "author",
    "editorial director",
    "co-writer",
    "writer",
    "songwriter",
    "guest writer",
    "story editor",
    "managing editor",
    "script editor",
    "script coordinator",
    "researcher",
    "editor",
    "fact checker",
    "translator",
    "translater",
    "transcriber",
    "logger",
    "studio coordinator",
    "technical director",
    "technical manager",
    "audio engineer",
    "remote recording engineer",
    "post production engineer",
    "audio editor",
    "sound designer",
    "foley artist",
    "composer",
    "theme music",
    "music production",
    "music contributor",
    "production coordinator",
    "booking coordinator",
    "production assistant",
    "content manager",
    "marketing manager",
    "sales representative",
    "sales manager",
    "graphic designer",
    "cover art designer",
    "social media manager",
    "consultant",
    "intern",
    "camera operator",
    "lighting designer",
    "camera grip",
    "assistant camera",
    "assistant editor",
];
/// The groups of the taxonomy each role is in (in its order: the first
/// is a role's group when none is given); "translator" is the taxonomy's
/// "translater" spelled right.
const ROLE_GROUPS: &[(&str, &str)] = &[
    ("director", "creative direction"),
    ("assistant director", "creative direction"),
    ("executive producer", "creative direction"),
    ("senior producer", "creative direction"),
    ("producer", "creative direction"),
    ("associate producer", "creative direction"),
    ("development producer", "creative direction"),
    ("creative director", "creative direction"),
    ("host", "cast"),
    ("co-host", "cast"),
    ("guest host", "cast"),
    ("guest", "cast"),
    ("voice actor", "cast"),
    ("narrator", "cast"),
    ("announcer", "cast"),
    ("reporter", "cast"),
    ("author", "writing"),
    ("editorial director", "writing"),
    ("co-writer", "writing"),
    ("writer", "writing"),
    ("songwriter", "writing"),
    ("guest writer", "writing"),
    ("story editor", "writing"),
    ("managing editor", "writing"),
    ("script editor", "writing"),
    ("script coordinator", "writing"),
    ("researcher", "writing"),
    ("editor", "writing"),
    ("editor", "video post-production"),
    ("fact checker", "writing"),
    ("translator", "writing"),
    ("translater", "writing"),
    ("transcriber", "writing"),
    ("logger", "writing"),
    ("studio coordinator", "audio production"),
    ("technical director", "audio production"),
    ("technical manager", "audio production"),
    ("audio engineer", "audio production"),
    ("remote recording engineer", "audio production"),
    ("post production engineer", "audio production"),
    ("audio editor", "audio post-production"),
    ("sound designer", "audio post-production"),
    ("foley artist", "audio post-production"),
    ("composer", "audio post-production"),
    ("theme music", "audio post-production"),
    ("music production", "audio post-production"),
    ("music contributor", "audio post-production"),
    ("production coordinator", "administration"),
    ("booking coordinator", "administration"),
    ("production assistant", "administration"),
    ("content manager", "administration"),
    ("marketing manager", "administration"),
    ("sales representative", "administration"),
    ("sales manager", "administration"),
    ("graphic designer", "visuals"),
    ("cover art designer", "visuals"),
    ("social media manager", "community"),
    ("consultant", "misc."),
    ("intern", "misc."),
    ("camera operator", "video production"),
    ("lighting designer", "video production"),
    ("camera grip", "video production"),
    ("assistant camera", "video production"),
    ("assistant editor", "video post-production"),
];

/// The group of the taxonomy a person of `role` (lower case) is in when
/// no group is given; `None` for a role the taxonomy does not have.
pub(crate) fn group_of(role: &str) -> Option<&'static str> {
    ROLE_GROUPS.iter().find(|(r, _)| *r == role).map(|(_, g)| *g)
}

/// Whether `role` and `group` (lower case) go together in the taxonomy: the
/// role is in the group, or is one of its roles that fit any group (a
/// consultant, an intern). Unknown ones are told on their own.
pub(crate) fn role_in_group(role: &str, group: &str) -> bool {
    matches!(role, "consultant" | "intern")
        || group_of(role).is_none()
        || !GROUPS.contains(&group)
        || ROLE_GROUPS.iter().any(|(r, g)| *r == role && *g == group)
}

pub(crate) const GROUPS: &[&str] = &[
    "creative direction",
    "cast",
    "writing",
    "audio production",
    "audio post-production",
    "administration",
    "visuals",
    "community",
    "misc.",
    "video production",
    "video post-production",
];
pub(crate) const MEDIUMS: &[&str] =
    &["podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course", "mixed"];
const TRANSCRIPT_TYPES: &[&str] =
    &["text/plain", "text/html", "text/vtt", "application/json", "application/x-subrip", "application/srt"];
/// Attributes that hold URLs.
const URL_ATTRS: &[&str] = &["url", "href", "uri", "img", "feedUrl"];

/// Checks every `podcast:` element.
pub fn check(cx: &mut Cx<'_>) {
    let doc = cx.doc;
    // Which item each node belongs to, for messages.
    let mut owner: Vec<Option<usize>> = vec![None; doc.nodes.len()];
    for (i, item) in cx.items.iter().enumerate() {
        let mut stack: Vec<usize> = item.children.iter().map(|&c| c as usize).collect();
        while let Some(n) = stack.pop() {
            owner[n] = Some(i);
            stack.extend(doc.nodes[n].children.iter().map(|&c| c as usize));
        }
    }
    // remoteItems inside a podroll are checked with it (P20-PODROLL).
    let mut in_podroll = vec![false; doc.nodes.len()];
    for p in doc.nodes.iter().filter(|p| p.is(&Ns::Podcast, "podroll")) {
        for &c in p.children.iter() {
            in_podroll[c as usize] = true;
        }
    }
    for (index, node) in doc.nodes.iter().enumerate() {
        if node.ns != Ns::Podcast {
            continue;
        }
        let at = match owner[index] {
            Some(i) => cx.item_where(i).at(node.line),
            None if cx.scope == Scope::Items => continue,
            None => Where::Line(node.line),
        };
        for key in URL_ATTRS {
            if let Some(u) = node.attr(key) {
                url_scheme(cx, node, &format!("{key}=\"{u}\""), u, &at, is_link(&node.local, key));
            }
        }
        if &*node.local == "images"
            && let Some(set) = node.attr("srcset")
        {
            for u in srcset_urls(set) {
                url_scheme(cx, node, &format!("\"{u}\" in its srcset"), u, &at, false);
            }
        }
        element(cx, node, at, in_podroll[index]);
    }
    placement(cx);
    if cx.scope == Scope::Feed {
        guid(cx);
    }
}

/// The namespace's tags an `<item>` holds, not the channel.
const ITEM_ONLY: &[&str] =
    &["transcript", "chapters", "soundbite", "season", "episode", "alternateEnclosure", "socialInteract"];
/// The namespace's tags the `<channel>` holds, not an item.
const CHANNEL_ONLY: &[&str] =
    &["guid", "locked", "medium", "updateFrequency", "podroll", "trailer", "block", "liveItem", "publisher", "podping"];
/// The namespace's tags that stand inside another of its tags, and which.
const NESTED: &[(&str, &str)] = &[
    ("source", "alternateEnclosure"),
    ("integrity", "alternateEnclosure"),
    ("valueRecipient", "value"),
    ("valueTimeSplit", "value"),
];
/// The namespace's tags a channel or an item may hold (1.0, as of 2025);
/// with the three lists above, every tag it defines.
const EITHER: &[&str] = &[
    "funding",
    "person",
    "location",
    "license",
    "value",
    "images",
    "image",
    "txt",
    "remoteItem",
    "contentLink",
    "chat",
    "follow",
];

/// Whether the namespace defines `podcast:{name}`.
fn known(name: &str) -> bool {
    ITEM_ONLY.contains(&name)
        || CHANNEL_ONLY.contains(&name)
        || EITHER.contains(&name)
        || NESTED.iter().any(|(n, _)| *n == name)
}

/// P20-PLACE: each of the namespace's tags where the namespace puts it
/// (apps ignore one elsewhere: a transcript in the channel, a guid in an
/// item), and a note of a tag it does not define (a misspelling).
fn placement(cx: &mut Cx<'_>) {
    let doc = cx.doc;
    let (channel, items) = (cx.channel, cx.items.clone());
    let mut parents: Vec<(&Node, Option<usize>)> = items.iter().enumerate().map(|(i, n)| (*n, Some(i))).collect();
    if cx.scope != Scope::Items {
        parents.insert(0, (channel, None));
    }
    for (parent, item) in parents {
        for node in parent.children.iter().map(|&c| &doc.nodes[c as usize]).filter(|n| n.ns == Ns::Podcast) {
            let at = match item {
                Some(i) => cx.item_where(i).at(node.line),
                None => Where::Line(node.line),
            };
            let name = &*node.local;
            let (message, help) = if let Some((_, holder)) = NESTED.iter().find(|(n, _)| *n == name) {
                (
                    format!(
                        "<podcast:{name}> stands in the {} itself: it belongs inside a <podcast:{holder}>, and apps ignore it here",
                        if item.is_some() { "item" } else { "channel" }
                    ),
                    format!("put it inside the <podcast:{holder}> it is part of"),
                )
            } else if item.is_none() && ITEM_ONLY.contains(&name) {
                (
                    format!(
                        "<podcast:{name}> is in the channel: the namespace puts it in an <item>, and apps ignore it here"
                    ),
                    "move it into the item of the episode it is for".to_string(),
                )
            } else if item.is_some() && CHANNEL_ONLY.contains(&name) {
                (
                    format!(
                        "<podcast:{name}> is in an item: the namespace puts it in the <channel>, and apps ignore it here"
                    ),
                    "move it into the channel, once for the show".to_string(),
                )
            } else {
                continue;
            };
            cx.push(Finding::new(id::P20_PLACE, at, message, help).severity(Severity::Warning));
        }
    }
    unknown_tags(cx, &items);
}

/// P20-PLACE's note of a tag the namespace does not define, wherever it is
/// (of the items checked, `items`, when only some are).
fn unknown_tags(cx: &mut Cx<'_>, items: &[&Node]) {
    let doc = cx.doc;
    let within: Vec<&Node> = match cx.scope {
        Scope::Items => {
            let mut stack: Vec<u32> = items.iter().flat_map(|i| i.children.iter().copied()).collect();
            let mut found = Vec::new();
            while let Some(n) = stack.pop() {
                let node = &doc.nodes[n as usize];
                stack.extend(node.children.iter().copied());
                found.push(node);
            }
            found
        }
        _ => doc.nodes.iter().collect(),
    };
    let mut said: Vec<&str> = Vec::new();
    for node in within.into_iter().filter(|n| n.ns == Ns::Podcast && !known(&n.local)) {
        if said.contains(&&*node.local) {
            continue;
        }
        said.push(&node.local);
        let near = ITEM_ONLY
            .iter()
            .chain(CHANNEL_ONLY)
            .chain(EITHER)
            .chain(NESTED.iter().map(|(n, _)| n))
            .filter_map(|k| {
                Some((crate::text::edit_distance_within(&k.to_lowercase(), &node.local.to_lowercase(), 2)?, *k))
            })
            .min_by_key(|(d, _)| *d);
        let help = match near {
            Some((_, k)) => format!("did you mean <podcast:{k}>?"),
            None => "check the name against the namespace (podcastindex.org/namespace/1.0)".to_string(),
        };
        cx.push(
            Finding::new(
                id::P20_PLACE,
                Where::Line(node.line),
                format!("<podcast:{}> is not a tag of the Podcasting 2.0 namespace: apps ignore it", node.local),
                help,
            )
            .severity(Severity::Info),
        );
    }
}

/// Whether attribute `key` of `podcast:{local}` is a link a listener
/// follows (a web page, an address to pay at, another show's feed), not a
/// file apps fetch to play or show with the episode.
fn is_link(local: &str, key: &str) -> bool {
    matches!(
        (local, key),
        ("person", "href" | "img")
            | ("contentLink", "href")
            | ("funding", "url")
            | ("license", "url")
            | ("remoteItem", "feedUrl")
    )
}

/// P20-HTTPS for the URL `u` of `node`, shown in messages as `shown`;
/// `link`: a link a listener follows (see [`is_link`]).
fn url_scheme(cx: &mut Cx<'_>, node: &Node, shown: &str, u: &str, at: &Where, link: bool) {
    if super::items::has_scheme(u, "http") {
        // A media source may use any scheme (ipfs:, magnet: …); an
        // http one is the enclosure's own problem (APPLE-HOST-HTTPS).
        // So is a file beside the feed of a site served over http
        // (its chapters, its transcripts): the fix is the site's. A link
        // to someone's page is often not the podcaster's to move to https,
        // and no directory refuses a feed for it.
        let beside_the_feed = cx.base.as_deref().is_some_and(|b| b.starts_with("http://") && u.starts_with(b));
        let lesser = &*node.local == "source" || beside_the_feed || link;
        let severity = if lesser { Severity::Warning } else { Severity::Error };
        let help = match link {
            true => "write https:// if the site serves it (the namespace asks for https; browsers warn on http)",
            false => "serve it over https and write https://",
        };
        cx.push(
            Finding::new(
                id::P20_HTTPS,
                at.clone(),
                format!("<podcast:{}> has {shown}; the namespace requires https", node.local),
                help,
            )
            .severity(severity),
        );
    } else if !super::items::has_scheme(u, "https")
        // A media source or a post to comment on may use any scheme
        // (ipfs:, magnet:, at:, acct: …).
        && !matches!(&*node.local, "source" | "socialInteract")
        && !u.trim().is_empty()
    {
        // Relative (apps resolve it against nothing), another
        // scheme (ftp:), or no scheme at all (www.…).
        cx.push(Finding::new(
            id::P20_HTTPS,
            at.clone(),
            format!("<podcast:{}> has {shown}, which is not an https:// address", node.local),
            "write the full address, starting with https://",
        ));
    }
}

/// The URLs of a `srcset` (`podcast:images`, read as HTML reads one): each
/// candidate is a URL (no white space in it) and optional descriptors
/// (`1500w`, `2x`) up to the next comma.
fn srcset_urls(set: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = set;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let url = &rest[..end];
        let trimmed = url.trim_end_matches(',');
        urls.push(trimmed);
        rest = &rest[end..];
        if trimmed.len() == url.len() {
            // Descriptors, up to the comma that ends this candidate.
            rest = rest.find(',').map_or("", |c| &rest[c..]);
        }
    }
}

fn need(cx: &mut Cx<'_>, rule: RuleId, node: &Node, at: &Where, attrs: &[&str]) -> bool {
    let missing: Vec<&str> =
        attrs.iter().copied().filter(|a| node.attr(a).is_none_or(|v| v.trim().is_empty())).collect();
    if !missing.is_empty() {
        cx.push(Finding::new(
            rule,
            at.clone(),
            format!("<podcast:{}> has no {}", node.local, missing.join(", ")),
            format!(
                "add {} (required by the Podcasting 2.0 spec)",
                missing.iter().map(|m| format!("{m}=\"…\"")).collect::<Vec<_>>().join(" ")
            ),
        ));
    }
    missing.is_empty()
}

fn too_long(cx: &mut Cx<'_>, rule: RuleId, at: &Where, what: String, value: &str, max: usize) {
    if value.chars().count() > max {
        cx.push(
            Finding::new(
                rule,
                at.clone(),
                format!("{what} is {} characters, over {max}", value.chars().count()),
                format!("shorten it to {max} characters"),
            )
            .severity(Severity::Warning),
        );
    }
}

/// Checks one `podcast:` element by what it is: each rule group has its own function.
fn element(cx: &mut Cx<'_>, node: &Node, at: Where, in_podroll: bool) {
    match &*node.local {
        "locked" => locked(cx, node, at),
        "transcript" => transcript(cx, node, at),
        "chapters" => chapters(cx, node, at),
        "person" => person(cx, node, at),
        "funding" => funding(cx, node, at),
        "alternateEnclosure" => alternate_enclosure(cx, node, at),
        "source" => {
            need(cx, id::P20_SOURCE, node, &at, &["uri"]);
        }
        "integrity" => integrity(cx, node, at),
        "season" => season(cx, node, at),
        "episode" => episode(cx, node, at),
        "medium" => medium(cx, node, at),
        "license" => license(cx, node, at),
        "txt" => txt(cx, node, at),
        "podroll" => podroll(cx, node, at),
        "remoteItem" => {
            if !in_podroll {
                need(cx, id::P20_ATTR_REQ, node, &at, &["feedGuid"]);
            }
            remote_feed_guid(cx, node, at);
        }
        "value" => value(cx, node, at),
        "trailer" => trailer(cx, node, at),
        "soundbite" => soundbite(cx, node, at),
        "location" => location(cx, node, at),
        "updateFrequency" => update_frequency(cx, node, at),
        "block" => block(cx, node, at),
        "image" => {
            need(cx, id::P20_OTHER, node, &at, &["href"]);
        }
        "contentLink" => {
            need(cx, id::P20_ATTR_REQ, node, &at, &["href"]);
        }
        "socialInteract" => social_interact(cx, node, at),
        "liveItem" => live_item(cx, node, at),
        "chat" => {
            need(cx, id::P20_ATTR_REQ, node, &at, &["server", "protocol"]);
        }
        "images" => {
            need(cx, id::P20_ATTR_REQ, node, &at, &["srcset"]);
        }
        _ => {}
    }
}

/// P20-ATTR-REQ: a live item has a `status` of the three the namespace
/// names (apps show the stream as live by it), a `start` (and any `end`)
/// of ISO 8601, and a `podcast:contentLink` (where to watch or listen
/// besides the stream itself).
fn live_item(cx: &mut Cx<'_>, node: &Node, at: Where) {
    need(cx, id::P20_ATTR_REQ, node, &at, &["status", "start"]);
    if let Some(status) =
        node.attr("status").filter(|s| !s.trim().is_empty() && !["pending", "live", "ended"].contains(s))
    {
        cx.push(Finding::new(
            id::P20_ATTR_REQ,
            at.clone(),
            format!("<podcast:liveItem status=\"{}\"> is not pending, live or ended", truncate_chars(status, 40)),
            "write status=\"pending\" before the stream, \"live\" during it and \"ended\" after",
        ));
    }
    for name in ["start", "end"] {
        if let Some(d) = node.attr(name).filter(|d| !d.trim().is_empty() && !is_live_time(d)) {
            cx.push(Finding::new(
                id::P20_ATTR_REQ,
                at.clone(),
                format!("<podcast:liveItem {name}=\"{}\"> is not an ISO 8601 date and time", truncate_chars(d, 40)),
                format!("write {name}=\"2026-07-01T16:00:00-05:00\""),
            ));
        }
    }
    // (A warning: apps show the stream without it, as many feeds have it.)
    if cx.child(node, &Ns::Podcast, "contentLink").is_none() {
        cx.push(
            Finding::new(
                id::P20_ATTR_REQ,
                at,
                "<podcast:liveItem> has no <podcast:contentLink>",
                "add <podcast:contentLink href=\"https://…\">Watch on …</podcast:contentLink> (required by the \
                 Podcasting 2.0 spec: where else the stream can be followed)",
            )
            .severity(Severity::Warning),
        );
    }
}

/// Whether `s` is a live item's time as apps read it: ISO 8601 with a
/// zone (`Z`, `-05:00`, or `-0500` as the namespace's own example writes
/// it), fractions of a second or not.
fn is_live_time(s: &str) -> bool {
    let s = s.trim();
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"].iter().any(|f| chrono::DateTime::parse_from_str(s, f).is_ok())
}

/// P20-LOCKED: the text is yes or no; an `owner` is an e-mail address.
fn locked(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if !["yes", "no"].contains(&&*node.text) {
        cx.push(Finding::new(
            id::P20_LOCKED,
            at.clone(),
            format!("<podcast:locked>{}</podcast:locked> is not yes or no", node.text),
            "write yes (other hosts must not import the feed) or no",
        ));
    }
    if let Some(o) = node.attr("owner")
        && !is_email(o)
    {
        cx.push(Finding::new(
            id::P20_LOCKED,
            at,
            format!("podcast:locked owner=\"{o}\" is not an e-mail address"),
            "give the owner's e-mail address",
        ));
    }
}

/// P20-TRANSCRIPT: `url` and `type` are there, and the type is one apps know.
fn transcript(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if need(cx, id::P20_TRANSCRIPT, node, &at, &["url", "type"])
        && let Some(t) = node.attr("type")
        && !TRANSCRIPT_TYPES.contains(&t)
    {
        cx.push(
            Finding::new(
                id::P20_TRANSCRIPT,
                at.clone(),
                format!("transcript type \"{t}\" is not one apps know"),
                "use text/vtt, application/x-subrip, application/json, text/html or text/plain",
            )
            .severity(Severity::Warning),
        );
    }
    if let Some(l) = node.attr("language").filter(|l| !crate::text::is_language_code(l)) {
        cx.push(
            Finding::new(
                id::P20_TRANSCRIPT,
                at.clone(),
                format!("transcript language=\"{}\" is not an ISO 639 language code", truncate_chars(l, 40)),
                "write the language's code, e.g. language=\"en\" or \"pt-BR\"",
            )
            .severity(Severity::Warning),
        );
    }
    if let Some(rel) = node.attr("rel").filter(|r| *r != "captions") {
        cx.push(
            Finding::new(
                id::P20_TRANSCRIPT,
                at,
                format!(
                    "transcript rel=\"{}\" is not one the namespace defines: apps do not take it for captions",
                    truncate_chars(rel, 40)
                ),
                "write rel=\"captions\" for a file of timed captions, or leave rel out",
            )
            .severity(Severity::Warning),
        );
    }
}

/// P20-CHAPTERS: `url` and `type` are there, and the type is `application/json+chapters`.
fn chapters(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if need(cx, id::P20_CHAPTERS, node, &at, &["url", "type"])
        && let Some(t) = node.attr("type")
        && t != "application/json+chapters"
    {
        cx.push(
            Finding::new(
                id::P20_CHAPTERS,
                at,
                format!("chapters type \"{t}\" is not application/json+chapters"),
                "use JSON chapters, typed application/json+chapters",
            )
            .severity(Severity::Warning),
        );
    }
}

/// P20-PERSON: a name of at most 128 characters; `role` and `group` from the taxonomy.
fn person(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if node.text.is_empty() {
        cx.push(Finding::new(
            id::P20_PERSON,
            at.clone(),
            "<podcast:person> names nobody",
            "write the person's name as the element's text",
        ));
    }
    too_long(cx, id::P20_PERSON, &at, "the person's name".into(), &node.text, 128);
    let lower = |key: &str| node.attr(key).map(|v| v.trim().to_ascii_lowercase());
    if let (Some(role), Some(group)) = (lower("role"), lower("group"))
        && !role_in_group(&role, &group)
    {
        cx.push(
            Finding::new(
                id::P20_PERSON,
                at.clone(),
                format!("podcast:person role=\"{role}\" is not a role of group=\"{group}\" in the taxonomy"),
                format!("write group=\"{}\": apps look the role up under its group", group_of(&role).unwrap_or("cast")),
            )
            .severity(Severity::Warning),
        );
    }
    for (key, list) in [("role", ROLES), ("group", GROUPS)] {
        if let Some(v) = node.attr(key)
            && !list.contains(&v.trim().to_ascii_lowercase().as_str())
        {
            cx.push(
                Finding::new(
                    id::P20_PERSON,
                    at.clone(),
                    format!("podcast:person {key}=\"{v}\" is not in the namespace's taxonomy"),
                    format!("use a {key} from taxonomy.json, e.g. {}", list[if key == "role" { 8 } else { 1 }]),
                )
                .severity(Severity::Warning),
            );
        }
    }
}

/// P20-FUNDING: a `url`, and text of at most 128 characters.
fn funding(cx: &mut Cx<'_>, node: &Node, at: Where) {
    need(cx, id::P20_FUNDING, node, &at, &["url"]);
    too_long(cx, id::P20_FUNDING, &at, "the funding text".into(), &node.text, 128);
}

/// P20-ALTENC: `type`, a `length` in bytes, a true/false `default`, a short
/// `title`, at least one `podcast:source` and at most one `podcast:integrity`.
fn alternate_enclosure(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let doc = cx.doc;
    need(cx, id::P20_ALTENC, node, &at, &["type"]);
    if node.attr("length").is_none() {
        cx.push(
            Finding::new(
                id::P20_ALTENC,
                at.clone(),
                "<podcast:alternateEnclosure> has no length",
                "add length=\"bytes\" (recommended)",
            )
            .severity(Severity::Warning),
        );
    } else if node.attr("length").is_some_and(|l| crate::text::whole_number::<u64>(l).is_none()) {
        cx.push(Finding::new(
            id::P20_ALTENC,
            at.clone(),
            "the alternateEnclosure's length is not a whole number of bytes",
            "write the size in bytes",
        ));
    }
    if let Some(d) = node.attr("default")
        && d != "true"
        && d != "false"
    {
        cx.push(Finding::new(
            id::P20_ALTENC,
            at.clone(),
            format!("default=\"{d}\" is not true or false"),
            "write default=\"true\" on the one that equals the enclosure",
        ));
    }
    if let Some(t) = node.attr("title") {
        too_long(cx, id::P20_ALTENC, &at, "the alternateEnclosure title".into(), t, 32);
    }
    let sources = doc.children(node, &Ns::Podcast, "source").count();
    if sources == 0 {
        cx.push(Finding::new(
            id::P20_ALTENC,
            at.clone(),
            "<podcast:alternateEnclosure> has no <podcast:source>",
            "add <podcast:source uri=\"https://…\"/> inside it",
        ));
    }
    if doc.children(node, &Ns::Podcast, "integrity").count() > 1 {
        cx.push(Finding::new(
            id::P20_ALTENC,
            at,
            "<podcast:alternateEnclosure> has more than one <podcast:integrity>",
            "keep one",
        ));
    }
}

/// P20-ATTR-REQ for `podcast:integrity`: `type` and `value`, the type sri or pgp-signature.
fn integrity(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if need(cx, id::P20_ATTR_REQ, node, &at, &["type", "value"])
        && !matches!(node.attr("type"), Some("sri" | "pgp-signature"))
    {
        cx.push(Finding::new(
            id::P20_ATTR_REQ,
            at,
            "podcast:integrity type is not sri or pgp-signature",
            "write type=\"sri\" or type=\"pgp-signature\"",
        ));
    }
}

/// P20-SEASON: a whole number, its `name` at most 128 characters.
fn season(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if crate::text::whole_number::<u32>(&node.text).is_none() {
        cx.push(Finding::new(
            id::P20_SEASON,
            at.clone(),
            format!("<podcast:season>{}</podcast:season> is not a whole number", node.text),
            "write the season number",
        ));
    }
    if let Some(n) = node.attr("name") {
        too_long(cx, id::P20_SEASON, &at, "the season name".into(), n, 128);
    }
}

/// P20-EPISODE: a number (decimals allowed), its `display` at most 32 characters.
fn episode(cx: &mut Cx<'_>, node: &Node, at: Where) {
    // A number as the namespace writes one (315.5): no sign, no exponent.
    let decimal = !node.text.is_empty()
        && node.text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && node.text.parse::<f64>().is_ok();
    if !decimal {
        cx.push(Finding::new(
            id::P20_EPISODE,
            at.clone(),
            format!("<podcast:episode>{}</podcast:episode> is not a number as the namespace writes one", node.text),
            "write the episode number in digits, with a point for a part (12, 12.5): no sign, no exponent",
        ));
    }
    if let Some(d) = node.attr("display") {
        too_long(cx, id::P20_EPISODE, &at, "the episode display".into(), d, 32);
    }
}

/// P20-MEDIUM: one of the spec's mediums, or its list form ending in L (but not mixedL).
fn medium(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let base = node.text.strip_suffix('L').unwrap_or(&node.text);
    if !MEDIUMS.contains(&base) || &*node.text == "mixedL" {
        cx.push(Finding::new(
            id::P20_MEDIUM,
            at,
            format!("<podcast:medium>{}</podcast:medium> is not a medium the spec lists", node.text),
            "use podcast, music, video, film, audiobook, newsletter, blog, publisher or course",
        ));
    } else if (base != &*node.text || base == "mixed" || base == "publisher") && !cx.items.is_empty() {
        cx.push(
            Finding::new(
                id::P20_MEDIUM,
                at,
                format!(
                    "<podcast:medium>{}</podcast:medium> is {}, for a feed of podcast:remoteItems, but the feed has items: apps may not show them",
                    node.text,
                    if base == "publisher" { "a publisher's medium" } else { "a list medium" }
                ),
                format!(
                    "write <podcast:medium>{}</podcast:medium> for a feed of episodes",
                    if base == "mixed" || base == "publisher" { "podcast" } else { base }
                ),
            )
            .severity(Severity::Warning),
        );
    }
}

/// P20-LICENSE: a custom licence (not a slug) has a `url`; a slug without
/// one is on the SPDX list or Podcast Index's (else a warning); at most
/// 128 characters.
fn license(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let slug_like = !node.text.is_empty() && node.text.chars().all(|c| c.is_ascii_alphanumeric() || "-.+".contains(c));
    if node.text.is_empty() {
        cx.push(Finding::new(
            id::P20_LICENSE,
            at.clone(),
            "<podcast:license> is empty",
            "write the licence's slug (CC-BY-4.0, ARR …) or its name with a url, or leave the tag out",
        ));
    } else if !slug_like && node.attr("url").is_none() {
        cx.push(Finding::new(
            id::P20_LICENSE,
            at.clone(),
            format!("the custom licence \"{}\" has no url", node.text),
            "add url=\"https://…\" pointing at the licence text, or use a slug like CC-BY-4.0",
        ));
    } else if slug_like
        && node.attr("url").is_none()
        && let Err(nearest) = crate::manifest::licences::lookup(&node.text)
    {
        let help = match nearest {
            Some(slug) => format!("did you mean {slug}? A licence of your own needs url=\"https://…\""),
            None => {
                "use an SPDX identifier such as CC-BY-4.0, or add url=\"https://…\" pointing at the licence text".into()
            }
        };
        let message = format!("the licence \"{}\" is on neither the SPDX list nor Podcast Index's", node.text);
        cx.push(Finding::new(id::P20_LICENSE, at.clone(), message, help).severity(Severity::Warning));
    }
    too_long(cx, id::P20_LICENSE, &at, "the licence".into(), &node.text, 128);
}

/// P20-TXT: at most 4000 characters, its `purpose` at most 128.
fn txt(cx: &mut Cx<'_>, node: &Node, at: Where) {
    too_long(cx, id::P20_TXT, &at, "<podcast:txt>".into(), &node.text, 4000);
    if let Some(p) = node.attr("purpose") {
        too_long(cx, id::P20_TXT, &at, "the txt purpose".into(), p, 128);
    }
}

/// P20-PODROLL: at least one `podcast:remoteItem`, each with a `feedGuid`.
fn podroll(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let doc = cx.doc;
    let items: Vec<&Node> = doc.children(node, &Ns::Podcast, "remoteItem").collect();
    if items.is_empty() {
        cx.push(Finding::new(
            id::P20_PODROLL,
            at.clone(),
            "<podcast:podroll> lists no <podcast:remoteItem>",
            "add the shows you recommend as <podcast:remoteItem feedGuid=\"…\"/>",
        ));
    }
    for r in items {
        if r.attr("feedGuid").is_none() {
            cx.push(Finding::new(
                id::P20_PODROLL,
                at.at(r.line),
                "a podroll <podcast:remoteItem> has no feedGuid",
                "add feedGuid=\"<the show's podcast:guid>\"",
            ));
        }
    }
}

/// P20-ATTR-REQ: a `podcast:remoteItem`'s `feedGuid` is the other show's
/// `podcast:guid`, a UUID: anything else finds no show.
fn remote_feed_guid(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if let Some(g) = node.attr("feedGuid").filter(|g| !is_uuid(g.trim())) {
        cx.push(Finding::new(
            id::P20_ATTR_REQ,
            at,
            format!("<podcast:remoteItem feedGuid=\"{}\"> is not a UUID", truncate_chars(g, 80)),
            "give the other show's podcast:guid (a UUID, as its feed or podcastindex.org shows it)",
        ));
    }
}

/// P20-VALUE: `type` and `method`, and recipients with `type`, `address` and `split`.
fn value(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let doc = cx.doc;
    need(cx, id::P20_VALUE, node, &at, &["type", "method"]);
    if let Some(s) = node.attr("suggested").filter(|s| !crate::text::is_amount(s)) {
        cx.push(Finding::new(
            id::P20_VALUE,
            at.clone(),
            format!("<podcast:value suggested=\"{}\"> is not an amount", truncate_chars(s, 40)),
            "write an amount in the value's currency, e.g. suggested=\"0.00000005000\"",
        ));
    }
    let recipients: Vec<&Node> = doc.children(node, &Ns::Podcast, "valueRecipient").collect();
    if recipients.is_empty() {
        cx.push(Finding::new(
            id::P20_VALUE,
            at.clone(),
            "<podcast:value> has no <podcast:valueRecipient>",
            "add at least one recipient with type, address and split",
        ));
    }
    for r in recipients {
        let at = at.at(r.line);
        need(cx, id::P20_VALUE, r, &at, &["type", "address", "split"]);
        if let (Some(kind), Some(address)) = (r.attr("type"), r.attr("address"))
            && let Some(why) = crate::text::recipient_address_problem(kind, address)
        {
            cx.push(Finding::new(
                id::P20_VALUE,
                at.clone(),
                format!(
                    "<podcast:valueRecipient type=\"{}\" address=\"{}\"> {why}",
                    truncate_chars(kind, 20),
                    truncate_chars(address, 80)
                ),
                "give the recipient's address as its wallet or node gives it: payments to it go nowhere",
            ));
        }
        if let Some(split) =
            r.attr("split").filter(|v| !v.trim().is_empty() && !v.trim().parse::<f64>().is_ok_and(|x| x >= 0.0))
        {
            cx.push(Finding::new(
                id::P20_VALUE,
                at,
                format!(
                    "<podcast:valueRecipient split=\"{}\"> is not {}",
                    truncate_chars(split, 40),
                    if split.trim().parse::<f64>().is_ok() { "a share of zero or more" } else { "a number" }
                ),
                "write the recipient's share as a number, e.g. split=\"90\"",
            ));
        }
    }
}

/// P20-TRAILER: a title (of at most 128 characters, else a warning), a
/// `url`, an RFC 2822 `pubdate`, and a `length` and a `season`, if any,
/// that are numbers.
fn trailer(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let length = node.text.chars().count();
    if node.text.is_empty() {
        cx.push(Finding::new(
            id::P20_TRAILER,
            at.clone(),
            "<podcast:trailer> has no title",
            "write the trailer's title as the element's text",
        ));
    } else if length > 128 {
        cx.push(
            Finding::new(
                id::P20_TRAILER,
                at.clone(),
                format!("the trailer's title is {length} characters long"),
                "keep it within 128 characters: apps may cut it",
            )
            .severity(Severity::Warning),
        );
    }
    if let Some(length) = node.attr("length")
        && crate::text::whole_number::<u64>(length.trim()).is_none()
    {
        cx.push(Finding::new(
            id::P20_TRAILER,
            at.clone(),
            format!("the trailer's length \"{length}\" is not a number of bytes"),
            "write the file's size in bytes (length=\"1048576\"), or leave length out",
        ));
    }
    if let Some(season) = node.attr("season")
        && crate::text::whole_number::<u32>(season.trim()).is_none_or(|n| n < 1)
    {
        cx.push(Finding::new(
            id::P20_TRAILER,
            at.clone(),
            format!("the trailer's season \"{season}\" is not a season number"),
            "write the number of the season the trailer is for (season=\"2\"), or leave season out",
        ));
    }
    if need(cx, id::P20_TRAILER, node, &at, &["url", "pubdate"])
        && let Some(d) = node.attr("pubdate")
        && let Err(why) = dates::parse(d)
    {
        cx.push(Finding::new(
            id::P20_TRAILER,
            at,
            format!("the trailer's pubdate \"{d}\" is not an RFC 2822 date: {why}"),
            "write it like Wed, 02 Oct 2002 13:00:00 +0000",
        ));
    }
}

/// P20-OTHER for `podcast:soundbite`: `startTime` and `duration`, both seconds.
fn soundbite(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if need(cx, id::P20_OTHER, node, &at, &["startTime", "duration"]) {
        for key in ["startTime", "duration"] {
            if !node.attr(key).is_some_and(|v| v.parse::<f64>().is_ok_and(|x| x >= 0.0)) {
                cx.push(Finding::new(
                    id::P20_OTHER,
                    at.clone(),
                    format!("podcast:soundbite {key} is not a number of seconds"),
                    "write seconds, e.g. 73.0",
                ));
            }
        }
    }
    too_long(cx, id::P20_OTHER, &at, "the soundbite title".into(), &node.text, 128);
}

/// P20-OTHER for `podcast:location`: names a place, in at most 128 characters.
fn location(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if node.text.is_empty() {
        cx.push(Finding::new(id::P20_OTHER, at.clone(), "<podcast:location> is empty", "name the place"));
    }
    too_long(cx, id::P20_OTHER, &at, "the location".into(), &node.text, 128);
    if let Some(c) = node.attr("country").filter(|c| !crate::text::is_country_code(c)) {
        cx.push(
            Finding::new(
                id::P20_OTHER,
                at.clone(),
                format!("<podcast:location country=\"{}\"> is not a country's ISO 3166 code", truncate_chars(c, 40)),
                "write the country's two letters, e.g. country=\"DE\" (the United Kingdom is \"GB\")",
            )
            .severity(Severity::Warning),
        );
    }
    let mut warn = |message: String, help: &str| {
        cx.push(Finding::new(id::P20_OTHER, at.clone(), message, help).severity(Severity::Warning));
    };
    if let Some(g) = node.attr("geo").filter(|g| !crate::manifest::namespace::is_geo(g)) {
        warn(
            format!("<podcast:location geo=\"{}\"> is not a geo: URI (RFC 5870)", truncate_chars(g, 60)),
            "write geo=\"geo:LATITUDE,LONGITUDE\", e.g. geo=\"geo:52.52,13.405\"",
        );
    }
    if let Some(o) = node.attr("osm").filter(|o| !crate::manifest::namespace::is_osm(o)) {
        warn(
            format!("<podcast:location osm=\"{}\"> is not an OpenStreetMap element", truncate_chars(o, 40)),
            "write N, W or R (node, way, relation) and its number, e.g. osm=\"R62422\"",
        );
    }
    if let Some(rel) = node.attr("rel").filter(|r| !matches!(*r, "subject" | "creator")) {
        warn(
            format!("<podcast:location rel=\"{}\"> is neither subject nor creator", truncate_chars(rel, 40)),
            "write rel=\"subject\" (the place the episode is about) or rel=\"creator\" (where it was made)",
        );
    }
}

/// P20-OTHER for `podcast:updateFrequency`: a text that says how often (at
/// most 128 characters); `complete` true or false; `dtstart` an ISO 8601
/// date or date and time; `rrule` an RFC 5545 rule with a FREQ, and a
/// `dtstart` if it counts its releases (COUNT).
fn update_frequency(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let mut said = |what: String, fix: &str| cx.push(Finding::new(id::P20_OTHER, at.clone(), what, fix));
    if node.text.trim().is_empty() {
        said("<podcast:updateFrequency> is empty".into(), "say how often episodes come, e.g. Weekly");
    }
    if let Some(c) = node.attr("complete").filter(|c| !["true", "false"].contains(c)) {
        said(
            format!("<podcast:updateFrequency complete=\"{}\"> is not true or false", truncate_chars(c, 40)),
            "write complete=\"true\" (no more episodes will come) or leave it out",
        );
    }
    let dtstart = node.attr("dtstart");
    if let Some(d) = dtstart.filter(|d| !crate::text::is_iso_date(d)) {
        said(
            format!("<podcast:updateFrequency dtstart=\"{}\"> is not an ISO 8601 date", truncate_chars(d, 40)),
            "write a date, 2026-01-05, or a date and time, 2026-01-05T09:00:00Z",
        );
    }
    if let Some(rule) = node.attr("rrule")
        && let Some(why) = crate::text::rrule_problem(rule, dtstart)
    {
        said(
            format!("<podcast:updateFrequency rrule=\"{}\"> is {why}", truncate_chars(rule, 60)),
            "write a rule such as FREQ=WEEKLY or FREQ=MONTHLY;BYMONTHDAY=1 (a COUNT with a dtstart; an UNTIL of the \
             dtstart's form)",
        );
    }
    too_long(cx, id::P20_OTHER, &at, "the update frequency".into(), &node.text, 128);
}

/// P20-OTHER for `podcast:block`: yes or no (yes: a note).
fn block(cx: &mut Cx<'_>, node: &Node, at: Where) {
    if &*node.text == "yes" {
        let whom = match node.attr("id") {
            Some(platform) => format!("the platform \"{}\"", truncate_chars(platform, 40)),
            None => "apps and directories that honour it (Podcast Index)".to_string(),
        };
        // (A warning: a show kept out is rarely what a feed about to be
        // submitted means.)
        cx.push(
            Finding::new(
                id::P20_OTHER,
                at,
                format!("<podcast:block>yes</podcast:block>: {whom} will not list the show"),
                "fine if that is meant; remove the tag for the show to be listed",
            )
            .severity(Severity::Warning),
        );
    } else if !["yes", "no"].contains(&&*node.text) {
        cx.push(Finding::new(
            id::P20_OTHER,
            at,
            format!("<podcast:block>{}</podcast:block> is not yes or no", node.text),
            "write yes or no",
        ));
    }
}

/// P20-ATTR-REQ for `podcast:socialInteract`: a `protocol`, and a `uri` unless disabled.
fn social_interact(cx: &mut Cx<'_>, node: &Node, at: Where) {
    let attrs: &[&str] = if node.attr("protocol") == Some("disabled") { &["protocol"] } else { &["protocol", "uri"] };
    need(cx, id::P20_ATTR_REQ, node, &at, attrs);
}

/// P20-GUID: a UUID; version 5; derived from the feed URL.
fn guid(cx: &mut Cx<'_>) {
    let Some(g) = cx.child(cx.channel, &Ns::Podcast, "guid") else { return };
    let at = Where::Line(g.line);
    if !is_uuid(&g.text) {
        cx.push(Finding::new(
            id::P20_GUID,
            at,
            format!("<podcast:guid>{}</podcast:guid> is not a UUID", g.text),
            "use the UUIDv5 of the feed URL (podsmith computes it)",
        ));
        return;
    }
    if g.text.as_bytes()[14] != b'5' {
        cx.push(
            Finding::new(
                id::P20_GUID,
                at.clone(),
                "podcast:guid is not a version 5 UUID",
                "the spec derives it from the feed URL with UUIDv5",
            )
            .severity(Severity::Warning),
        );
    }
    let self_url = cx
        .children(cx.channel, &Ns::Atom, "link")
        .into_iter()
        .find(|l| l.attr("rel") == Some("self"))
        .and_then(|l| l.attr("href"));
    if let Some(url) = self_url {
        let expected = crate::xmlns::podcast_guid(url);
        if !g.text.eq_ignore_ascii_case(&expected) {
            cx.push(
                Finding::new(
                    id::P20_GUID,
                    at,
                    format!("podcast:guid is not the UUIDv5 of this feed's URL ({expected})"),
                    "fine if the show moved (the guid must stay); otherwise use the computed one",
                )
                .severity(Severity::Info),
            );
        }
    }
}
