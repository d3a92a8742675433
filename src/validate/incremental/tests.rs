//! The incremental validation gives the full validation's report: on every
//! committed feed (one broken feed per rule, real feeds of other tools), and
//! on feeds edited item by item with the other items' checks kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::validate::{LocalFiles, validate};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn opts() -> Options {
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let local = LocalFiles { root: Some(fixtures()), ..Default::default() };
    Options { local: Some(std::sync::Arc::new(local)), now, formats: Default::default() }
}

fn feeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["rules", "real-feeds"] {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(fixtures().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.extension().is_some_and(|x| x == "xml")) {
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

/// The checks of `old`'s items, by the items' bytes: what a build keeps.
fn kept(old: &[u8], opts: &Options) -> HashMap<Vec<u8>, ItemCheck> {
    let spans = find_spans(old);
    let (_, checks) = itemized("old", old, &spans, opts);
    spans.iter().map(|s| old[s.clone()].to_vec()).zip(checks.unwrap_or_default()).collect()
}

fn spliced_with(new: &[u8], kept: &HashMap<Vec<u8>, ItemCheck>, opts: &Options) -> (Report, Option<Vec<ItemCheck>>) {
    let spans = find_spans(new);
    let known = spans.iter().map(|s| kept.get(&new[s.clone()]).cloned()).collect();
    spliced("feed.xml", new, &spans, known, opts)
}

#[test]
fn every_committed_feed_gets_the_full_report_item_by_item() {
    let opts = opts();
    let mut incremental = 0;
    for (name, bytes) in feeds() {
        let full = validate("feed.xml", &bytes, &opts);
        let spans = find_spans(&bytes);
        let (report, checks) = itemized("feed.xml", &bytes, &spans, &opts);
        assert_eq!(report.findings, full.findings, "{name}: itemized");
        // Nothing known: every item checked alone.
        let (report, _) = spliced("feed.xml", &bytes, &spans, vec![None; spans.len()], &opts);
        assert_eq!(report.findings, full.findings, "{name}: every item alone");
        assert_eq!(report.items, full.items, "{name}");
        // Everything known.
        if let Some(checks) = checks {
            incremental += 1;
            let (report, again) =
                spliced("feed.xml", &bytes, &spans, checks.iter().cloned().map(Some).collect(), &opts);
            assert_eq!(report.findings, full.findings, "{name}: every item known");
            assert_eq!(again.as_ref(), Some(&checks), "{name}: the checks kept are the checks made");
        }
    }
    // Most of them are checked item by item (the rest are not RSS, or broken).
    assert!(incremental > 80, "only {incremental} feeds were checked item by item");
}

/// Edits of a feed's items, each applied to the feed's text.
fn edits(feed: &str) -> Vec<(&'static str, String)> {
    let spans = find_spans(feed.as_bytes());
    let item = |i: usize| &feed[spans[i].clone()];
    let guid_of = |i: usize| {
        let it = item(i);
        let start = it.find("<guid").unwrap();
        let end = it[start..].find("</guid>").unwrap() + start + "</guid>".len();
        it[start..end].to_string()
    };
    let mut out = Vec::new();
    // A copy of the second item at the top: duplicate guid and URL, every line moves.
    let top = spans[0].start;
    out.push(("copy on top", format!("{}{}\n    {}", &feed[..top], item(1), &feed[top..])));
    // The first item takes the second's guid.
    let (g0, g1) = (guid_of(0), guid_of(1));
    let first = item(0).replacen(&g0, &g1, 1);
    out.push(("guid taken", format!("{}{}{}", &feed[..spans[0].start], first, &feed[spans[0].end..])));
    // The last item goes.
    let last = spans.len() - 1;
    out.push(("last removed", format!("{}{}", &feed[..spans[last - 1].end], &feed[spans[last].end..])));
    // The second item gets more lines and a title with a number.
    let longer = item(1).replacen("<title>", "<title>Episode 12:\n", 1).replacen("</guid>", "</guid>\n\n\n", 1);
    out.push(("longer", format!("{}{}{}", &feed[..spans[1].start], longer, &feed[spans[1].end..])));
    // The second item loses its title (named by position) and its enclosure.
    let bare = item(1);
    let t = (bare.find("<title>").unwrap(), bare.find("</title>").unwrap() + "</title>".len());
    let mut bare = format!("{}{}", &bare[..t.0], &bare[t.1..]);
    if let Some(e) = bare.find("<enclosure") {
        let close = bare[e..].find('>').unwrap() + e + 1;
        let end = match bare[e..close].ends_with("/>") {
            true => close,
            false => bare[e..].find("</enclosure>").map_or(close, |i| i + e + "</enclosure>".len()),
        };
        bare = format!("{}{}", &bare[..e], &bare[end..]);
    }
    out.push(("untitled", format!("{}{}{}", &feed[..spans[1].start], bare, &feed[spans[1].end..])));
    out
}

#[test]
fn edited_feeds_get_the_full_report_with_the_other_items_kept() {
    let opts = opts();
    let mut tried = 0;
    for (name, bytes) in feeds() {
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let spans = find_spans(&bytes);
        let (_, checks) = itemized("feed.xml", &bytes, &spans, &opts);
        if checks.is_none() || spans.len() < 3 || !text[spans[0].clone()].contains("<guid") {
            continue;
        }
        if !text[spans[1].clone()].contains("<guid") || !text[spans[1].clone()].contains("<title>") {
            continue;
        }
        let kept = kept(&bytes, &opts);
        for (what, edited) in edits(text) {
            let full = validate("feed.xml", edited.as_bytes(), &opts);
            let (report, checks) = spliced_with(edited.as_bytes(), &kept, &opts);
            assert!(checks.is_some(), "{name}, {what}: not checked item by item");
            assert_eq!(report.findings, full.findings, "{name}, {what}");
            tried += 1;
        }
    }
    assert!(tried >= 20, "only {tried} edits tried");
}

#[test]
fn the_rules_across_items_see_items_kept_and_items_new() {
    let opts = opts();
    let (_, bytes) = feeds().into_iter().find(|(n, _)| n == "valid.xml").unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let spans = find_spans(text.as_bytes());
    assert!(spans.len() >= 2, "valid.xml has two items or more");
    let kept = kept(text.as_bytes(), &opts);
    let (_, edited) = edits(&text).into_iter().find(|(w, _)| *w == "guid taken").unwrap();
    let (report, _) = spliced_with(edited.as_bytes(), &kept, &opts);
    let dup: Vec<&Finding> = report.findings.iter().filter(|f| f.code == "APPLE-IT-GUID").collect();
    assert_eq!(dup.len(), 1, "{:#?}", report.findings);
    assert_eq!(dup[0].item(), Some(2), "the second of the two is named");
    assert!(dup[0].message.contains("also the guid of item 1"), "{}", dup[0].message);
}

#[test]
fn a_check_that_does_not_fit_its_item_is_not_used() {
    let opts = opts();
    let (_, bytes) = feeds().into_iter().find(|(n, _)| n == "valid.xml").unwrap();
    let spans = find_spans(&bytes);
    let (_, checks) = itemized("feed.xml", &bytes, &spans, &opts);
    let mut checks = checks.unwrap();
    // A kept check (crafted, or of another item) pointing past its item.
    checks[0].facts.line = 10_000;
    checks[0].findings.clear();
    let full = validate("feed.xml", &bytes, &opts);
    let (report, again) = spliced("feed.xml", &bytes, &spans, checks.into_iter().map(Some).collect(), &opts);
    assert_eq!(report.findings, full.findings);
    assert_eq!(again.unwrap()[0].facts.line, 1, "the item was checked again");
}
