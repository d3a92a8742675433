//! Validating a feed of which only some items are new.
//!
//! A build renders a big show's feeds again whenever one episode changes,
//! but most items are the bytes they were. Every rule but those across
//! items (duplicate guids and URLs, a serial show's numbering) looks at one
//! item alone, so an item's findings are a function of its bytes and the
//! channel: the build keeps them ([`ItemCheck`]) and checks again only the
//! items that are new, each in a feed of its own (the real channel, that
//! one item). The channel and the rules across items are checked every
//! time, the latter over every item's [`ItemFacts`].
//!
//! The result is the report a full [`validate`](super::validate) gives (the
//! tests compare the two); the caller keys each kept [`ItemCheck`] by
//! everything the item's findings depend on (its bytes, the channel, the
//! files behind its URLs).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Checked, Finding, Findings, ItemFacts, Options, Report, Scope, check, xml};
use crate::diagnostic::Location;

/// One item's share of a feed's validation, as kept between builds:
/// positions and lines are relative to the item (its `<item>` tag is on
/// line 1, and it is item 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCheck {
    /// What the rules across items need of it.
    pub facts: ItemFacts,
    /// Its findings (those located at the item).
    pub findings: Vec<Finding>,
}

impl ItemCheck {
    /// An item's facts and findings, found at `lines` of a feed, made
    /// relative to the item; `None` if any of them points outside it.
    fn relative(facts: &ItemFacts, findings: Vec<Finding>, lines: &Range<usize>) -> Option<ItemCheck> {
        let shift = |line: usize| (lines.contains(&line)).then(|| line + 1 - lines.start);
        let mut out = Vec::with_capacity(findings.len());
        for mut f in findings {
            if let Location::Feed { line, item, .. } = &mut f.location {
                *line = match line {
                    Some(l) => Some(shift(*l)?),
                    None => None,
                };
                if let Some((n, _)) = item {
                    *n = 1;
                }
            }
            out.push(f);
        }
        let facts = ItemFacts {
            line: shift(facts.line)?,
            label: facts.label.clone(),
            guid: match &facts.guid {
                Some((g, l)) => Some((g.clone(), shift(*l)?)),
                None => None,
            },
            enclosure: match &facts.enclosure {
                Some((u, l)) => Some((u.clone(), shift(*l)?)),
                None => None,
            },
            numbered: facts.numbered,
        };
        Some(ItemCheck { facts, findings: out })
    }

    /// This check for the item at `index` whose `<item>` tag is on `first_line`.
    fn placed(&self, index: usize, first_line: usize) -> (ItemFacts, Vec<Finding>) {
        let line = |l: usize| l + first_line - 1;
        let facts = ItemFacts {
            line: line(self.facts.line),
            label: self.facts.label.clone(),
            guid: self.facts.guid.as_ref().map(|(g, l)| (g.clone(), line(*l))),
            enclosure: self.facts.enclosure.as_ref().map(|(u, l)| (u.clone(), line(*l))),
            numbered: self.facts.numbered,
        };
        let findings = self
            .findings
            .iter()
            .map(|f| {
                let mut f = f.clone();
                if let Location::Feed { line: l, item, .. } = &mut f.location {
                    *l = l.map(line);
                    if item.is_some() {
                        let label = facts.label.clone().unwrap_or_else(|| format!("item {}", index + 1));
                        *item = Some((index + 1, label));
                    }
                }
                f
            })
            .collect();
        (facts, findings)
    }

    /// Whether the check holds together: lines from 1, inside `lines` lines.
    fn fits(&self, lines: usize) -> bool {
        let ok = |l: usize| (1..=lines).contains(&l);
        let f = &self.facts;
        ok(f.line)
            && f.guid.as_ref().is_none_or(|(_, l)| ok(*l))
            && f.enclosure.as_ref().is_none_or(|(_, l)| ok(*l))
            && self.findings.iter().all(|d| d.line().is_none_or(ok))
    }
}

/// The lines of each item: `spans` are the byte ranges of the items'
/// `<item>…</item>`, in order.
fn item_lines(bytes: &[u8], spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut line = 1;
    let mut at = 0;
    spans
        .iter()
        .map(|s| {
            line += newlines(&bytes[at..s.start]);
            let first = line;
            line += newlines(&bytes[s.clone()]);
            at = s.end;
            first..line + 1
        })
        .collect()
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Whether `spans` are the items of a feed as podsmith writes one: in
/// order, inside it, with only whitespace between them.
fn well_placed(bytes: &[u8], spans: &[Range<usize>]) -> bool {
    let inside = spans.iter().all(|s| s.start < s.end && s.end <= bytes.len());
    inside
        && spans
            .windows(2)
            .all(|w| w[0].end <= w[1].start && bytes[w[0].end..w[1].start].iter().all(u8::is_ascii_whitespace))
        && spans.iter().all(|s| bytes[s.clone()].starts_with(b"<item>") && bytes[s.clone()].ends_with(b"</item>"))
}

/// Validates a feed in full, and says what each item's share is, to keep
/// for the next build. `spans` are the items' byte ranges; the checks are
/// `None` if they do not match the feed's items.
pub fn itemized(name: &str, bytes: &[u8], spans: &[Range<usize>], opts: &Options) -> (Report, Option<Vec<ItemCheck>>) {
    itemized_from(name, std::borrow::Cow::Borrowed(bytes), spans, opts)
}

/// [`itemized`], given the feed to keep: its bytes are let go once parsed,
/// so that a big feed and the tree made of it are not both held while the
/// rules run (a 12 MB feed's tree is 15 MB more).
pub fn itemized_owned(
    name: &str,
    bytes: Vec<u8>,
    spans: &[Range<usize>],
    opts: &Options,
) -> (Report, Option<Vec<ItemCheck>>) {
    itemized_from(name, std::borrow::Cow::Owned(bytes), spans, opts)
}

fn itemized_from(
    name: &str,
    bytes: std::borrow::Cow<'_, [u8]>,
    spans: &[Range<usize>],
    opts: &Options,
) -> (Report, Option<Vec<ItemCheck>>) {
    let mut findings = Findings::new();
    let Some(doc) = xml::parse(&bytes, &mut findings) else {
        return (Report { feed: name.to_string(), findings, items: 0, media_checked: false }, None);
    };
    super::channel::document(&doc, &bytes, &mut findings);
    // What the items' checks need of the bytes, before they go.
    let lines = well_placed(&bytes, spans).then(|| item_lines(&bytes, spans));
    drop(bytes);
    let checked = check(&doc, opts, findings, Scope::Feed, None);
    drop(doc);
    let items = checked.items;
    let checks = lines.filter(|_| items == spans.len()).and_then(|lines| split(&checked, &lines));
    (checked.report(name, items), checks)
}

/// Each item's share of a full check: the findings located at the item.
/// `None` when the parser or the document rules found something inside an
/// item (not a feed podsmith writes; such a feed is checked in full).
fn split(checked: &Checked, lines: &[Range<usize>]) -> Option<Vec<ItemCheck>> {
    if checked.findings[..checked.of_document].iter().any(|f| f.line().is_some_and(|l| in_items(lines, l))) {
        return None;
    }
    let mut per_item: Vec<Vec<Finding>> = vec![Vec::new(); lines.len()];
    for f in &checked.findings[checked.of_document..] {
        if let Some(n) = f.item() {
            per_item.get_mut(n.checked_sub(1)?)?.push(f.clone());
        }
    }
    checked
        .facts
        .iter()
        .zip(per_item)
        .zip(lines)
        .map(|((facts, findings), lines)| ItemCheck::relative(facts, findings, lines))
        .collect()
}

/// Whether `line` is a line of one of the items.
fn in_items(lines: &[Range<usize>], line: usize) -> bool {
    lines.iter().any(|r| r.contains(&line))
}

/// Validates a feed whose items at `spans` are, where `known` has a check,
/// items validated before: only the others are checked again, each in a
/// feed of its own; then the channel, and the rules across items over
/// every item. Gives the report [`validate`](super::validate) gives, and
/// every item's check for the next build. Falls back to a full check when
/// the feed is not one podsmith wrote (items not where `spans` say).
pub fn spliced(
    name: &str,
    bytes: &[u8],
    spans: &[Range<usize>],
    known: Vec<Option<ItemCheck>>,
    opts: &Options,
) -> (Report, Option<Vec<ItemCheck>>) {
    if spans.is_empty() || known.len() != spans.len() || bytes.len() > xml::MAX_FEED_BYTES || !well_placed(bytes, spans)
    {
        return itemized(name, bytes, spans, opts);
    }
    let lines = item_lines(bytes, spans);
    let head = &bytes[..spans[0].start];
    let tail = &bytes[spans[spans.len() - 1].end..];
    let mut checks = Vec::with_capacity(spans.len());
    for ((span, known), lines) in spans.iter().zip(known).zip(&lines) {
        let check = match known.filter(|k| k.fits(lines.len())) {
            Some(k) => k,
            None => match alone(head, &bytes[span.clone()], tail, opts) {
                Some(c) => c,
                None => return itemized(name, bytes, spans, opts),
            },
        };
        checks.push(check);
    }
    let mut facts = Vec::with_capacity(checks.len());
    let mut item_findings = Vec::new();
    for (i, (c, lines)) in checks.iter().zip(&lines).enumerate() {
        let (f, found) = c.placed(i, lines.start);
        facts.push(f);
        item_findings.extend(found);
    }
    // The channel, at its own lines: the items' lines are kept as blank lines.
    let mut rest = Vec::with_capacity(head.len() + tail.len() + lines.len() * 32);
    rest.extend_from_slice(head);
    rest.resize(rest.len() + newlines(&bytes[spans[0].start..spans[spans.len() - 1].end]), b'\n');
    rest.extend_from_slice(tail);
    let mut findings = Findings::new();
    let Some(doc) = xml::parse(&rest, &mut findings) else { return itemized(name, bytes, spans, opts) };
    super::channel::document(&doc, &rest, &mut findings);
    let mut checked = check(&doc, opts, findings, Scope::Feed, Some(facts));
    if checked.items != 0 {
        return itemized(name, bytes, spans, opts);
    }
    checked.findings.extend(item_findings);
    (checked.report(name, spans.len()), Some(checks))
}

/// One item's check: the item alone in the feed's channel.
fn alone(head: &[u8], item: &[u8], tail: &[u8], opts: &Options) -> Option<ItemCheck> {
    let mut feed = Vec::with_capacity(head.len() + item.len() + tail.len());
    feed.extend_from_slice(head);
    feed.extend_from_slice(item);
    feed.extend_from_slice(tail);
    let mut findings = Findings::new();
    let doc = xml::parse(&feed, &mut findings)?;
    super::channel::document(&doc, &feed, &mut findings);
    let checked = check(&doc, opts, findings, Scope::Items, None);
    if checked.items != 1 {
        return None;
    }
    let first = 1 + newlines(head);
    let lines = first..first + newlines(item) + 1;
    let of_document = &checked.findings[..checked.of_document];
    if of_document.iter().any(|f| f.line().is_some_and(|l| lines.contains(&l))) {
        return None;
    }
    let findings: Vec<Finding> =
        checked.findings[checked.of_document..].iter().filter(|f| f.item().is_some()).cloned().collect();
    ItemCheck::relative(&checked.facts[0], findings, &lines)
}

/// The byte ranges of the `<item>…</item>` elements of a feed, found by
/// searching for the tags: right for feeds whose notes do not quote those
/// tags. For tests; the build knows where it wrote each item.
#[doc(hidden)]
pub fn find_spans(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&bytes[at..], b"<item>").map(|i| i + at) {
        let Some(end) = find(&bytes[start..], b"</item>").map(|i| i + start + b"</item>".len()) else { break };
        out.push(start..end);
        at = end;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests;
