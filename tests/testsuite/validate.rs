//! `podsmith validate`: one broken feed per rule, the sample show, real
//! feeds from other tools, hostile input, and the hosting checks against a
//! real HTTP server on 127.0.0.1.

use std::fs;
use std::path::PathBuf;

use podsmith::validate::rules::{Kind, RULES};
use podsmith::validate::{LocalFiles, Options, Report, Severity, validate};

use snapbox::{assert_data_eq, str};

use crate::harness::*;
use crate::server::{ConnectProxy, Mode, Server};

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

/// Validates a committed rule feed in-process, with the fixtures as media root.
fn check_rule_feed(name: &str) -> Report {
    let bytes = fs::read(fixtures().join("rules").join(name)).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let local = LocalFiles { root: Some(fixtures()), ..Default::default() };
    validate(name, &bytes, &Options { local: Some(std::sync::Arc::new(local)), now, formats: Default::default() })
}

fn ids(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.code.as_ref()).collect()
}

#[test]
fn the_valid_rule_feed_passes_every_rule() {
    let report = check_rule_feed("valid.xml");
    assert!(report.media_checked);
    assert_eq!(report.findings, vec![], "valid.xml should have no findings at all");
}

#[test]
fn every_rule_has_a_broken_feed_that_fails_with_its_id() {
    let mut missing = Vec::new();
    for rule in RULES.iter().filter(|r| r.kind != Kind::Online) {
        let file = format!("{}.xml", rule.id);
        if !fixtures().join("rules").join(&file).exists() {
            missing.push(rule.id);
            continue;
        }
        let report = check_rule_feed(&file);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == rule.id).collect();
        assert!(!found.is_empty(), "{file} does not trigger {}: {:?}", rule.id, ids(&report));
        for f in found {
            assert!(!f.message.is_empty() && f.help.is_some(), "{}: a finding needs a message and a fix", rule.id);
        }
    }
    assert_eq!(missing, Vec::<&str>::new(), "rules without a broken feed in tests/fixtures/rules");
}

#[test]
fn the_cli_names_the_rule_line_and_fix() {
    let show = Show::empty();
    let feed = fixtures().join("rules/APPLE-CH-LANG.xml").display().to_string();
    let run = show.run(&["validate", &feed]).fails(1);
    assert_eq!(
        run.stdout,
        format!(
            "{feed}:\n  channel\n    error   APPLE-CH-LANG line 7: <language>english</language> is not an ISO 639 code\n            help: use two letters, optionally with a region: en, en-us, de\n{feed}: fails — 1 error, 0 warnings, 0 notes in 2 items (media not checked: give --media-root)\n"
        )
    );
}

/// The manifest given for the feed (as newcomers do): a usage error that
/// gives the command that checks the show, not an XML error about text
/// before the root element.
#[test]
fn a_manifest_given_for_the_feed_is_told_apart() {
    let show = Show::sample();
    let run = show.run(&["validate", "episodes.toml"]).fails(2);
    assert_eq!(
        run.stderr,
        "error: episodes.toml is a show's manifest, not a feed: `podsmith validate` builds the show's feeds and \
         checks them; give a feed (a file, or its https:// URL) to check one\n"
    );
    assert!(run.stdout.is_empty());
    std::fs::create_dir(show.path("elsewhere")).unwrap();
    std::fs::copy(show.path("episodes.toml"), show.path("elsewhere/show.toml")).unwrap();
    let run = show.run(&["validate", "elsewhere/show.toml"]).fails(2);
    assert!(run.stderr.contains("`podsmith validate --manifest elsewhere/show.toml`"), "{}", run.stderr);
    // A feed whose text merely starts like TOML is still a feed.
    show.build().ok();
    show.run(&["validate", "public/feed.xml"]).ok();
}

/// A cover cut short (a copy or upload that did not finish) has its
/// header, size and colours: its end tells it.
#[test]
fn a_cover_cut_short_is_an_error() {
    let show = Show::sample();
    let cover = fs::read(show.path("media/cover.jpg")).unwrap();
    show.build().ok();
    fs::write(show.path("media/cover.jpg"), &cover[..20_000]).unwrap();
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains(
            "media/cover.jpg ends before its picture does: the copy or upload was cut short [APPLE-CH-IMAGE-FORMAT]"
        ),
        "{}",
        run.stderr
    );
    fs::write(show.path("media/cover.jpg"), &cover).unwrap();
    show.build().ok();
}

/// `validate` of rule fixture `fixture` with `from` replaced by `to`:
/// fails, saying `said`.
fn validate_edited(fixture: &str, from: &str, to: &str, said: &str) {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules").join(fixture)).unwrap();
    assert!(xml.contains(from), "{fixture} has {from}");
    show.write("feed.xml", &xml.replace(from, to));
    let run = show.run(&["validate", "feed.xml"]).fails(1);
    assert!(run.stdout.contains(said), "{}", run.stdout);
}

/// A year from before podcasts and a year of two digits are told apart,
/// each with its fix.
#[test]
fn an_implausible_year_and_a_two_digit_one_have_their_own_fix() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    for (date, said) in [
        (
            "Sat, 01 Jan 0000 10:00:00 +0000",
            "has an implausible year\n            help: write the year the episode came out (one before 1990 is most \
             likely a mistake)\n",
        ),
        ("Mon, 01 Jan 24 10:00:00 +0000", "has a two-digit year\n            help: write the four-digit year\n"),
    ] {
        show.write("feed.xml", &xml.replace("Mon, 01 Jan 2024 10:00:00 +0000", date));
        let run = show.run(&["validate", "feed.xml"]).ok();
        assert!(run.stdout.contains(&format!("<pubDate>{date}</pubDate> {said}")), "{}", run.stdout);
    }
}

/// The right type with parameters (`audio/mpeg; charset=binary`) is a
/// warning with the type to write, not a mismatch of type and extension
/// (`--online` compares served types without their parameters, too).
#[test]
fn an_enclosure_type_with_parameters_is_a_warning_with_the_type_to_write() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    show.write(
        "feed.xml",
        &xml.replace("length=\"20271\" type=\"audio/mpeg\"", "length=\"20271\" type=\"audio/mpeg; charset=binary\""),
    );
    let run = show.run(&["validate", "feed.xml"]).ok();
    assert!(
        run.stdout.contains("warning APPLE-IT-ENCL-TYPE")
            && run.stdout.contains("type=\"audio/mpeg; charset=binary\" carries parameters")
            && run.stdout.contains("help: write type=\"audio/mpeg\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("does not match"), "{}", run.stdout);
}

#[test]
fn a_remote_item_names_its_show_by_a_uuid() {
    Show::empty().run(&["validate", &fixtures().join("rules/valid.xml").display().to_string()]).ok();
    validate_edited(
        "valid.xml",
        "feedGuid=\"917393e3-1b1e-5cef-ace4-edaa54e1f810\"",
        "feedGuid=\"https://other.example.com/feed.xml\"",
        "error   P20-ATTR-REQ line 23: <podcast:remoteItem feedGuid=\"https://other.example.com/feed.xml\"> is not a UUID",
    );
}

/// A value's recipients are paid at addresses that can be theirs: a node
/// key that is not 66 hex digits is an error, as is a suggested amount
/// that is not a number.
#[test]
fn a_value_recipient_s_address_and_a_suggested_amount_are_checked() {
    let key = "address=\"03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a\"";
    validate_edited(
        "valid.xml",
        key,
        "address=\"hello world\"",
        "error   P20-VALUE line 24: <podcast:valueRecipient type=\"node\" address=\"hello world\"> is not a node's public key (66 hex digits, 02 or 03 first)",
    );
    validate_edited(
        "valid.xml",
        "method=\"keysend\">",
        "method=\"keysend\" suggested=\"abc\">",
        "<podcast:value suggested=\"abc\"> is not an amount",
    );
}

/// A role outside its group and a publisher's medium on a feed of
/// episodes are warned of; an UNTIL of another form than the dtstart is
/// an error.
#[test]
fn a_person_s_group_a_publisher_medium_and_an_until_are_told() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let edited = xml
        .replace("<podcast:person role=\"host\"", "<podcast:person role=\"producer\" group=\"cast\"")
        .replace("<podcast:medium>podcast</podcast:medium>", "<podcast:medium>publisher</podcast:medium>")
        .replace(
            "<podcast:block>no</podcast:block>",
            "<podcast:block>no</podcast:block><podcast:updateFrequency rrule=\"FREQ=DAILY;UNTIL=20250101T000000Z\" dtstart=\"2024-01-05\">Daily</podcast:updateFrequency>",
        );
    show.write("feed.xml", &edited);
    let run = show.run(&["validate", "feed.xml"]).fails(1);
    for said in [
        "warning P20-PERSON line 28: podcast:person role=\"producer\" is not a role of group=\"cast\" in the taxonomy\n            help: write group=\"creative direction\"",
        "warning P20-MEDIUM line 19: <podcast:medium>publisher</podcast:medium> is a publisher's medium, for a feed of podcast:remoteItems",
        "is a rule whose UNTIL and dtstart are not both dates, or both dates and times",
    ] {
        assert!(run.stdout.contains(said), "{said}\n{}", run.stdout);
    }
}

#[test]
fn a_language_in_three_letters_where_two_exist_is_named_with_its_two() {
    validate_edited(
        "APPLE-CH-LANG.xml",
        "<language>english</language>",
        "<language>deu-CH</language>",
        "error   APPLE-CH-LANG line 7: <language>deu-CH</language> is a three-letter code where Apple takes two\n            help: use <language>de-CH</language>",
    );
}

/// A licence slug that neither SPDX nor Podcast Index lists (a typo) is a
/// warning with the nearest slug; one they list, in any case, is fine.
#[test]
fn a_licence_slug_off_the_lists_gets_the_nearest() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let from = "<podcast:license>CC-BY-4.0</podcast:license>";
    assert!(xml.contains(from));
    show.write("feed.xml", &xml.replace(from, "<podcast:license>CC-BY-40</podcast:license>"));
    let run = show.run(&["validate", "feed.xml"]).ok();
    assert!(
        run.stdout.contains(
            "warning P20-LICENSE line 21: the licence \"CC-BY-40\" is on neither the SPDX list nor Podcast Index's\n            \
             help: did you mean CC-BY-4.0? A licence of your own needs url=\"https://…\""
        ),
        "{}",
        run.stdout
    );
    for fine in ["cc-by-nc-4.0", "ARR", "Apache-2.0"] {
        show.write("feed.xml", &xml.replace(from, &format!("<podcast:license>{fine}</podcast:license>")));
        let run = show.run(&["validate", "--strict", "feed.xml"]).ok();
        assert!(!run.stdout.contains("P20-LICENSE"), "{fine}: {}", run.stdout);
    }
}

#[test]
fn warnings_pass_unless_strict() {
    let show = Show::empty();
    let feed = fixtures().join("rules/APPLE-CH-OWNER.xml").display().to_string();
    let run = show.run(&["validate", &feed]).ok();
    assert!(
        run.stdout.contains("warning APPLE-CH-OWNER line 12: <itunes:owner> has no <itunes:name>"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("APPLE-CH-OWNER.xml: passes — 0 errors, 1 warning"), "{}", run.stdout);
    let run = show.run(&["validate", "--strict", &feed]).fails(1);
    assert!(run.stdout.contains("APPLE-CH-OWNER.xml: fails under --strict — 0 errors, 1 warning"), "{}", run.stdout);
}

#[test]
fn json_output_lists_findings_with_rule_severity_line_and_episode() {
    let show = Show::empty();
    let feed = fixtures().join("rules/MEDIA-DURATION.xml").display().to_string();
    let media = fixtures().display().to_string();
    let run = show.run(&["validate", "--format", "json", "--media-root", &media, &feed]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["errors"], 1);
    assert_eq!(v["ok"], false, "as the exit code says");
    let f = &v["feeds"][0]["findings"][0];
    assert_eq!(f["rule"], "MEDIA-DURATION");
    assert_eq!(f["severity"], "error");
    assert_eq!((f["episode"].as_str(), f["item"].as_u64()), (Some("Second"), Some(2)), "the title as it is: {f}");
    assert_eq!(f["line"], 65);
    assert!(f["message"].as_str().unwrap().starts_with("itunes:duration says 1:00 but "), "{f}");
    assert_eq!(f["help"], "write <itunes:duration>3</itunes:duration>");
}

#[test]
fn the_sample_show_validates_with_no_errors() {
    let show = Show::sample();
    let run = show.run(&["validate", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stdout.ends_with(
            "feed.xml: passes — 0 errors, 1 warning, 0 notes in 4 items\nfeed.ogg.xml: passes — 0 errors, 1 warning, 4 notes in 4 items\n"
        ),
        "{}",
        run.stdout
    );
    // The one warning: its URLs are on example.com, where nothing is served.
    assert_eq!(
        run.stdout
            .matches("warning PLACEHOLDER line 12: the feed's URLs are on podcast.example.com and the owner e-mail on example.com")
            .count(),
        2,
        "{}",
        run.stdout
    );
    // The notes are counted, and people are told how to see them.
    assert!(!run.stdout.contains("APPLE-IT-ENCL-EXT"), "{}", run.stdout);
    assert_eq!(run.stderr, "(podsmith validate -v shows the notes too)\n");
    // The per-format feed's OGG enclosures are notes: it is not the feed for Apple.
    let run = show.run(&["-v", "validate", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.contains("note    APPLE-IT-ENCL-EXT line"), "{}", run.stdout);
    assert!(!run.stderr.contains("shows the note"), "{}", run.stderr);
}

/// podsmith's own per-format feed, checked as a file (as published), is
/// judged as when the show is validated: its OGG enclosures are notes. A
/// feed that only looks like one (another generator) is not, and its fixes
/// do not name an episodes.toml it has not got.
#[test]
fn a_per_format_feed_validated_from_its_file_is_judged_as_one() {
    let show = Show::sample();
    show.build().ok();
    let run = show.run(&["-v", "validate", "public/feed.ogg.xml", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stdout.contains("note    APPLE-IT-ENCL-EXT line"), "{}", run.stdout);
    assert!(run.stdout.contains("feed.ogg.xml: passes — 0 errors"), "{}", run.stdout);
    let other =
        show.read("public/feed.ogg.xml").replace("<generator>podsmith</generator>", "<generator>other</generator>");
    show.write("public/other.ogg.xml", &other);
    let run = show.run(&["validate", "public/other.ogg.xml", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert!(run.stdout.contains("error   APPLE-IT-ENCL-EXT line"), "{}", run.stdout);
    // A feed podsmith did not make has no episodes.toml to fix.
    assert!(
        run.stdout.contains("help: give the feed the addresses it is served at, and a real e-mail"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("episodes.toml"), "{}", run.stdout);
}

#[test]
fn a_built_feed_validates_from_its_file_with_media_root() {
    let show = Show::sample();
    show.build().ok();
    let run =
        show.run(&["validate", "public/feed.xml", "--media-root", "public", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stdout.ends_with("public/feed.xml: passes — 0 errors, 1 warning, 0 notes in 4 items\n"),
        "{}",
        run.stdout
    );
    // Mirrors of an alternate enclosure (another https copy, ipfs:, a
    // torrent) are not files of the show: its first source is checked, once.
    let feed = show.read("public/feed.xml");
    let ogg = "<podcast:source uri=\"https://podcast.example.com/cloud-native/media/kubernetes-sarah-novotny.ogg\"/>";
    assert!(feed.contains(ogg));
    let mirrors = "<podcast:source uri=\"https://cdn.example.net/k.ogg\"/><podcast:source uri=\"ipfs://QmdwGqd3d2gFPGeJNLLCshdiPert45fMu84552Y4XHTy4y\"/>\
                   <podcast:source uri=\"https://podcast.example.com/k.torrent\" contentType=\"application/x-bittorrent\"/>";
    show.write("mirrored.xml", &feed.replacen(ogg, &format!("{ogg}{mirrors}"), 1));
    let args = ["validate", "mirrored.xml", "--media-root", "public", "--as-of", "2026-06-01T00:00:00Z"];
    let run = show.run(&args).ok();
    assert!(run.stdout.ends_with("mirrored.xml: passes — 0 errors, 1 warning, 0 notes in 4 items\n"), "{}", run.stdout);
    // Its length is the namespace's (Apple reads no alternate enclosure).
    let wrong = feed.replacen("type=\"audio/ogg\" length=\"", "type=\"audio/ogg\" length=\"1", 1);
    show.write("wrong.xml", &wrong);
    let run =
        show.run(&["validate", "wrong.xml", "--media-root", "public", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert_eq!(run.stdout.matches("error   P20-ALTENC").count(), 1, "{}", run.stdout);
    assert!(!run.stdout.contains("APPLE-IT-ENCL-LENGTH"), "{}", run.stdout);
    // A manifest given with a FEED would be ignored: a usage error, not a silent pass.
    let run = show.run(&["validate", "public/feed.xml", "--manifest", "nowhere.toml"]).fails(2);
    assert!(run.stderr.contains("'[FEED]' cannot be used with '--manifest <MANIFEST>'"), "{}", run.stderr);
}

#[test]
fn build_refuses_cover_art_apple_would_reject() {
    let manifest = format!("{PODCAST_TABLE}{}", episode("Pilot", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    let show = Show::with(&manifest, &["cbr-xing.mp3"]);
    fs::copy(fixtures().join("rules/images/small.jpg"), show.path("media/cover.jpg")).unwrap();
    let run = show.build().fails(1);
    assert!(
        run.stderr.contains("error: episodes.toml:9: media/cover.jpg is 500×500 px; Apple wants a square of 1400 to 3000 px [APPLE-CH-IMAGE-SIZE]\n"),
        "{}",
        run.stderr
    );
    assert!(!show.path("public").exists());
}

/// An indexed PNG's palette is of RGB colours: such a cover is RGB art
/// (it was refused as "not in the RGB colour space").
#[test]
fn an_indexed_png_cover_is_rgb_art() {
    let cover = "https://rulefixtures.net/podcast/rules/images/cover.jpg";
    let report = edited_valid(&|s| s.replace(cover, "https://rulefixtures.net/podcast/rules/images/palette.png"));
    assert!(report.media_checked);
    assert!(of(&report, "APPLE-CH-IMAGE-COLOR").is_empty(), "{:?}", ids(&report));
    assert!(of(&report, "APPLE-CH-IMAGE-FORMAT").is_empty(), "{:?}", ids(&report));
    let report = edited_valid(&|s| s.replace(cover, "https://rulefixtures.net/podcast/rules/images/cmyk.jpg"));
    assert_eq!(of(&report, "APPLE-CH-IMAGE-COLOR").len(), 1, "{:?}", ids(&report));
}

#[test]
fn the_rule_table_in_the_readme_is_the_generated_one() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let table = Show::empty().run(&["validate", "--list-rules"]).ok().stdout;
    assert!(readme.contains(&table), "README.md's rule list is out of date: paste `podsmith validate --list-rules`");
    assert_eq!(table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| rule")).count(), RULES.len());
    // For programs: the same list, one JSON object.
    let json = Show::empty().run(&["validate", "--list-rules", "--format", "json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for (r, rule) in rules.iter().zip(RULES) {
        assert_eq!(r["id"], rule.id);
        assert!(table.contains(&format!(
            "| {} | {} | {} | {} |",
            rule.id,
            r["severity"].as_str().unwrap(),
            r["needs"].as_str().unwrap(),
            r["what"].as_str().unwrap()
        )));
    }
    assert!(!v["covered"].as_array().unwrap().is_empty() && !v["not_checked"].as_array().unwrap().is_empty());
}

/// Each real feed's verdict: its error rule ids (sorted, unique), recorded
/// in verdicts.txt so that a change of behaviour shows up in review;
/// `UPDATE_VERDICTS=1` rewrites it. Every feed is read without a panic or a
/// hang.
///
/// Where feeds that Apple lists today got errors, the severities were
/// decided from shared/directory-rules.md:
/// - legacy `itunes:explicit` yes/no/clean (BBC, Anchor, Libsyn) and a
///   missing XML declaration (Podcasting 2.0 feeds) or owner e-mail are
///   warnings: Apple reads such feeds;
/// - `type="audio/mp3"` is a warning (unregistered but played everywhere);
/// - a missing `itunes:explicit` stays an error (Podcasts Connect's own
///   message refuses it), as do http URLs in `podcast:*` of files apps
///   fetch (the namespace says must; a media source, or a link a listener
///   follows such as a person's home page, is a warning: no directory
///   refuses a feed for it), a serial show without episode
///   numbers (Apple: mandatory), undefined entities (not XML), and a
///   miscased or slashed namespace URI (the tags are then not read);
/// - a non-URL guid not marked isPermaLink="false" (Apple's own sample
///   feed), and a channel without `link` (Apple: recommended), are
///   warnings.
#[test]
fn real_feeds_from_other_tools_get_their_recorded_verdicts() {
    let dir = fixtures().join("real-feeds");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 50);
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let mut lines = String::new();
    for name in &names {
        let bytes = fs::read(dir.join(name)).unwrap();
        let started = std::time::Instant::now();
        let report = validate(name, &bytes, &Options { local: None, now, formats: Default::default() });
        assert!(started.elapsed().as_secs() < 5, "{name} took too long");
        let mut errors: Vec<&str> =
            report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.code.as_ref()).collect();
        errors.sort();
        errors.dedup();
        let verdict = if errors.is_empty() { "passes".to_string() } else { errors.join(" ") };
        lines.push_str(&format!("{name}: {verdict}\n"));
    }
    let recorded = dir.join("verdicts.txt");
    if std::env::var_os("UPDATE_VERDICTS").is_some() {
        fs::write(&recorded, &lines).unwrap();
    }
    assert_eq!(
        fs::read_to_string(&recorded).unwrap_or_default(),
        lines,
        "verdicts changed: review, then UPDATE_VERDICTS=1"
    );
}

#[test]
fn hostile_and_non_feed_input_gets_a_clear_error_quickly() {
    let show = Show::empty();
    let cases: Vec<(&str, String, &str)> = vec![
        ("html.xml", "<!DOCTYPE html>\n<html><body><p>Not Found</body></html>".into(), "XML-WELLFORMED"),
        (
            "atom.xml",
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>".into(),
            "RSS-ROOT",
        ),
        ("empty.xml", String::new(), "XML-WELLFORMED"),
        (
            "laughs.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">{}]><rss version=\"2.0\"><channel><title>&j;</title></channel></rss>",
                (b'b'..=b'j')
                    .map(|c| format!("<!ENTITY {} \"{}\">", c as char, format!("&{};", (c - 1) as char).repeat(10)))
                    .collect::<String>()
            ),
            "XML-WELLFORMED",
        ),
        ("deep.xml", format!("<rss version=\"2.0\"><channel>{}", "<a>".repeat(100_000)), "XML-WELLFORMED"),
    ];
    for (name, content, rule) in cases {
        show.write(name, &content);
        let started = std::time::Instant::now();
        let run = show.run(&["validate", "--format", "json", name]).fails(1);
        assert!(started.elapsed().as_secs() < 10, "{name} took too long");
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let rules: Vec<&str> =
            v["feeds"][0]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&rule), "{name}: {rules:?}");
    }
    // A feed bigger than 64 MB is refused without reading it all.
    let big = show.path("big.xml");
    let f = fs::File::create(&big).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    let run = show.run(&["validate", "big.xml"]).fails(1);
    assert!(run.stdout.contains("XML-WELLFORMED") && run.stdout.contains("more than podsmith reads"), "{}", run.stdout);
    // A missing file is a usage error.
    let run = show.run(&["validate", "nope.xml"]).fails(2);
    assert!(run.stderr.starts_with("error: cannot read nope.xml: "), "{}", run.stderr);
}

/// A show served from `public/` by a local server in `mode`.
fn served_show(mode: Mode) -> (Show, Server) {
    let show = Show::sample();
    let server = Server::start(show.path("public"), mode);
    let manifest = show.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", &server.base());
    show.write("episodes.toml", &manifest);
    show.build().ok();
    (show, server)
}

fn online(show: &Show, feed: &str) -> (i32, Vec<(String, String)>) {
    let run = show.run(&["validate", "--online", "--format", "json", "--as-of", "2026-06-01T00:00:00Z", feed]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let findings = v["feeds"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()))
        .collect();
    (run.code, findings)
}

/// A server that compresses what a request accepts compressed: the files
/// are asked for as they are, so their lengths are the files' (it was a
/// false APPLE-HOST-LENGTH, "upload the file again"); the feed itself may
/// come gzipped.
#[test]
fn online_passes_against_a_server_that_compresses_when_asked() {
    let (show, server) = served_show(Mode::Compressing);
    let (code, errors) = online(&show, "public/feed.xml");
    assert_eq!((code, errors), (0, vec![]));
    let (code, errors) = online(&show, &format!("{}feed.xml", server.base()));
    assert_eq!((code, errors), (0, vec![]));
}

/// Behind a proxy (`HTTP_PROXY`), `validate --online` asks through it, as
/// `probe`, `build` and `add` do: a host only the proxy reaches is
/// checked, not reported unreachable.
#[test]
fn online_asks_through_the_proxy_the_environment_names() {
    let show = Show::sample();
    let server = Server::start(show.path("public"), Mode::Good);
    let proxy = ConnectProxy::start(server.port);
    let manifest =
        show.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", "http://media.example.com/");
    show.write("episodes.toml", &manifest);
    show.build().ok();
    let env = [
        ("HTTP_PROXY", proxy.url()),
        ("http_proxy", proxy.url()),
        ("NO_PROXY", String::new()),
        ("no_proxy", String::new()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = show.run_env(&["validate", "--online", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"], &env);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let errors: Vec<&serde_json::Value> = v["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!((run.code, errors), (0, vec![]), "{}", run.stderr);
    let asked = proxy.asked();
    assert!(!asked.is_empty() && asked.iter().all(|h| h == "media.example.com:80"), "{asked:?}");
    // The enclosures were asked for through it (and measured).
    assert!(server.served("media/kubernetes-sarah-novotny.mp3").0 >= 2, "{:?}", server.log());
    // `probe` asks through it as well.
    let url = "http://media.example.com/media/kubernetes-sarah-novotny.mp3";
    let probed = show.run_env(&["probe", url], &env).ok();
    let on_disk = show.run(&["probe", "media/kubernetes-sarah-novotny.mp3"]).ok();
    let column = |out: &str| out.split('\t').nth(1).map(str::to_string);
    assert_eq!(column(&probed.stdout), column(&on_disk.stdout));
}

#[test]
fn online_passes_against_a_server_with_range_support() {
    let (show, server) = served_show(Mode::Good);
    let (code, errors) = online(&show, "public/feed.xml");
    assert_eq!(errors, vec![]);
    assert_eq!(code, 0);
    // The feed can also be fetched by URL.
    let url = format!("{}feed.xml", server.base());
    let (code, errors) = online(&show, &url);
    assert_eq!((code, errors), (0, vec![]));
}

#[test]
fn online_fails_against_a_server_without_range_support() {
    let (show, server) = served_show(Mode::NoRange);
    let (code, errors) = online(&show, "public/feed.xml");
    assert_eq!(code, 1);
    let range: Vec<&(String, String)> = errors.iter().filter(|(r, _)| r == "APPLE-HOST-RANGE").collect();
    // Four MP3 enclosures and four OGG alternates.
    assert_eq!(range.len(), 8, "{errors:?}");
    assert_eq!(
        range[0].1,
        format!(
            "GET {}media/kubernetes-sarah-novotny.mp3 with Range: bytes=0-1 answered 200 without Content-Range instead of 206 Partial Content",
            server.base()
        )
    );
}

#[test]
fn online_reports_each_hosting_fault_per_url() {
    let (show, _server) = served_show(Mode::NoHead);
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(errors.iter().any(|(r, m)| r == "APPLE-HOST-HEAD" && m.contains("answered 405")), "{errors:?}");

    let (show, _server2) = served_show(Mode::NoType);
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(
        errors.iter().any(|(r, m)| r == "APPLE-HOST-CTYPE" && m.ends_with("is served without a Content-Type")),
        "{errors:?}"
    );

    // The feed claims other lengths than the files have; the cover is WebP.
    let (show, server3) = served_show(Mode::Good);
    let feed = show.read("public/feed.xml").replace("length=\"1254168\"", "length=\"1254000\"");
    show.write("public/feed.xml", &feed);
    fs::copy(fixtures().join("rules/images/webp.png"), show.path("public/media/cover.jpg")).unwrap();
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(
        errors.iter().any(|(r, m)| r == "APPLE-HOST-LENGTH"
            && m.contains("is 1254168 bytes on the server but the feed says length=\"1254000\"")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(r, m)| r == "APPLE-HOST-IMGTYPE" && m.ends_with("is WebP but its URL ends in .jpg")),
        "{errors:?}"
    );
    // A JPEG at a URL without an extension has none to mismatch.
    fs::copy(show.path("media/cover.jpg"), show.path("public/media/artwork")).unwrap();
    show.write("public/feed.xml", &show.read("public/feed.xml").replace("media/cover.jpg", "media/artwork"));
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(!errors.iter().any(|(r, _)| r == "APPLE-HOST-IMGTYPE"), "{errors:?}");
    // A WebP at a .webp URL is refused as WebP (APPLE-CH-IMAGE-FORMAT),
    // not also as bytes that mismatch their URL.
    fs::copy(fixtures().join("rules/images/webp.png"), show.path("public/media/cover.webp")).unwrap();
    show.write("public/feed.xml", &show.read("public/feed.xml").replace("media/artwork", "media/cover.webp"));
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(errors.iter().any(|(r, _)| r == "APPLE-CH-IMAGE-FORMAT"), "{errors:?}");
    assert!(!errors.iter().any(|(r, _)| r == "APPLE-HOST-IMGTYPE"), "{errors:?}");
    // A file that is not there is one finding (HEAD answered 404), not
    // three (no range, not audio) for one cause.
    fs::remove_file(show.path("public/media/kubernetes-sarah-novotny.mp3")).unwrap();
    let (_, errors) = online(&show, "public/feed.xml");
    let of_it: Vec<_> = errors.iter().filter(|(_, m)| m.contains("media/kubernetes-sarah-novotny.mp3 ")).collect();
    assert_eq!(of_it.len(), 1, "{of_it:?}");
    assert!(of_it[0].0 == "APPLE-HOST-HEAD" && of_it[0].1.ends_with("answered 404 Not Found"), "{of_it:?}");
    let file = "media/kubernetes-sarah-novotny.mp3";
    fs::copy(show.path(file), show.path(&format!("public/{file}"))).unwrap();
    // An enclosure without a type: its own finding, not a mismatch with nothing.
    show.write("public/feed.xml", &show.read("public/feed.xml").replace("type=\"audio/mpeg\"", "type=\"\""));
    let (_, errors) = online(&show, "public/feed.xml");
    assert!(!errors.iter().any(|(r, m)| r == "APPLE-HOST-CTYPE" && m.contains("the feed says")), "{errors:?}");

    // A URL nobody answers is one finding, not the end of the run.
    // Port 1 (tcpmux) on the loopback: nothing listens there, so the
    // connection is refused at once. (A port found free and let go could be
    // taken by another test's server before it is used.)
    let dead = "http://127.0.0.1:1/".to_string();
    let feed = show
        .read("public/feed.xml")
        .replace(&format!("{}media/coredns", server3.base()), &format!("{dead}media/coredns"));
    show.write("public/feed.xml", &feed);
    let (code, errors) = online(&show, "public/feed.xml");
    assert_eq!(code, 1);
    assert!(errors.iter().any(|(r, _)| r == "HOST-UNREACHABLE"), "{errors:?}");
    assert!(errors.iter().any(|(r, _)| r == "APPLE-HOST-LENGTH"), "the other URLs were still checked: {errors:?}");
}

/// A host that answers is reached, whatever it answers: ten URLs caught
/// in a redirect loop are ten findings, and the host's five working URLs
/// are still checked (they were left unasked as if the host were down).
#[cfg(feature = "online")]
#[test]
fn online_a_host_answering_with_redirect_loops_is_not_taken_for_down() {
    use podsmith::validate::Target;
    use podsmith::validate::online::{Online, check};
    let show = Show::empty();
    let mp3 = fs::read(fixtures().join("audio/pair-5s.mp3")).unwrap();
    show.write("ok/.keep", "");
    for n in 0..5 {
        fs::write(show.path(&format!("ok/{n}.mp3")), &mp3).unwrap();
    }
    let server = Server::start(show.path(""), Mode::Good);
    let target = |path: String| Target {
        url: format!("{}{path}", server.base()),
        media: true,
        length: Some(mp3.len() as u64),
        mime_type: Some("audio/mpeg".into()),
        item: None,
        line: 1,
        duration: None,
    };
    let mut targets: Vec<Target> = (0..10).map(|n| target(format!("loop/{n}.mp3"))).collect();
    targets.extend((0..5).map(|n| target(format!("ok/{n}.mp3"))));
    let found = check(&targets, &Online { timeout: std::time::Duration::from_secs(10), ..Online::default() });
    let messages: Vec<String> = found.iter().map(|f| format!("{} {}", f.code, f.message)).collect();
    assert_eq!(found.len(), 10, "{messages:#?}");
    assert!(found.iter().all(|f| f.code == "HOST-UNREACHABLE" && f.message.contains("/loop/")), "{messages:#?}");
    for n in 0..5 {
        assert_eq!(server.served_with("HEAD", &format!("ok/{n}.mp3")), 1, "{messages:#?}");
    }
}

/// A redirect is judged before it is followed: a URL that redirects into
/// a private network (a cloud's metadata address, 10.x) is an error, and
/// that address is not asked (the server's log has the redirect alone);
/// a redirect to a host of the URL's own kind (here 127.0.0.1, already a
/// warning offline) is followed, and the file there passes.
#[test]
fn online_a_redirect_into_a_private_network_is_said_and_not_followed() {
    let (show, server) = served_show(Mode::Good);
    let base = server.base();
    let meta = "away/169.254.169.254/latest/meta-data/iam.mp3";
    let lan = "away/10.0.0.1/ogg/coredns-miek-gieben.ogg";
    let here = format!("away/127.0.0.1:{}/media/fluentd-eduardo-silva.mp3", server.port);
    let feed = show
        .read("public/feed.xml")
        .replace(&format!("{base}media/kubernetes-sarah-novotny.mp3"), &format!("{base}{meta}"))
        .replace(&format!("{base}media/coredns-miek-gieben.ogg"), &format!("{base}{lan}"))
        .replace(&format!("{base}media/fluentd-eduardo-silva.mp3"), &format!("{base}{here}"));
    show.write("public/feed.xml", &feed);
    let (code, errors) = online(&show, "public/feed.xml");
    assert_eq!(code, 1);
    let public: Vec<&str> = errors.iter().filter(|(r, _)| r == "APPLE-HOST-PUBLIC").map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        public,
        [
            format!(
                "the media URL {base}{meta} redirects to http://169.254.169.254/latest/meta-data/iam.mp3, whose host 169.254.169.254 is an address on a private network that directories cannot reach (not followed)"
            ),
            format!(
                "the media URL {base}{lan} redirects to http://10.0.0.1/ogg/coredns-miek-gieben.ogg, whose host 10.0.0.1 is an address on a private network that directories cannot reach (not followed)"
            ),
        ],
        "{errors:#?}"
    );
    // Nothing else of those two: not asked further, nor taken for down.
    assert!(!errors.iter().any(|(_, m)| m.contains("/away/1") && !m.contains("not followed")), "{errors:#?}");
    for path in [meta, lan] {
        let asked: Vec<_> = server.log().into_iter().filter(|(_, p, _)| p == path).collect();
        assert_eq!(asked, [("HEAD (302 away)".to_string(), path.to_string(), 0)]);
    }
    // The redirect on 127.0.0.1 was followed, HEAD and GET alike, and passes.
    assert_eq!(server.served_with("GET (302 away)", &here), 1);
    assert_eq!(server.served_with("HEAD", "media/fluentd-eduardo-silva.mp3"), 1);
    assert!(!errors.iter().any(|(_, m)| m.contains(&here)), "{errors:#?}");
}

/// A FEED given by URL is fetched with its redirects judged as its media's
/// are: one from 127.0.0.1 into a private network (0.0.0.0, which Linux
/// connects to this computer through) is said with what to do, and not
/// asked.
#[test]
fn a_feed_url_that_redirects_into_a_private_network_is_not_fetched() {
    let (show, server) = served_show(Mode::Good);
    let elsewhere = Server::start(show.path("public"), Mode::Good);
    let url = format!("{}away/0.0.0.0:{}/feed.xml", server.base(), elsewhere.port);
    let run = show.run(&["validate", &url]).fails(1);
    let said = run.stderr.replace(&server.port.to_string(), "[HERE]").replace(&elsewhere.port.to_string(), "[THERE]");
    assert_data_eq!(
        said,
        str![[r#"
error: cannot fetch http://127.0.0.1:[HERE]/away/0.0.0.0:[THERE]/feed.xml: redirected to http://0.0.0.0:[THERE]/feed.xml, whose host 0.0.0.0 is an address on a private network that directories cannot reach (not followed)
  help: make every redirect lead to a public address: check the server's or CDN's rule that sends it there

"#]]
    );
    assert_eq!(elsewhere.log(), []);
}

/// The show's own `validate --online` checks every feed it builds
/// (feed.xml and the per-format feeds): a URL several of them carry is
/// asked once, and its findings are said in each.
#[test]
fn online_the_shows_own_feeds_ask_each_url_once() {
    let (show, server) = served_show(Mode::NoRange);
    server.forget();
    let run = show.run(&["validate", "--online", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let feeds = v["feeds"].as_array().unwrap();
    let range_errors = |name: &str| -> Vec<String> {
        let feed = feeds.iter().find(|f| f["feed"] == name).unwrap_or_else(|| panic!("{name}: {v}"));
        feed["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "APPLE-HOST-RANGE")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    // Both feeds carry both formats (one as enclosures, the other as
    // alternates); each feed says what every one of them answered.
    let (mut main, mut ogg) = (range_errors("feed.xml"), range_errors("feed.ogg.xml"));
    assert_eq!(main.len(), 8, "{main:#?}");
    main.sort();
    ogg.sort();
    assert_eq!(ogg, main);
    let log = server.log();
    let mut heads: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (method, path, _) in &log {
        if method == "HEAD" {
            *heads.entry(path.clone()).or_default() += 1;
        }
    }
    assert!(heads.keys().any(|p| p.ends_with(".ogg")) && heads.contains_key("media/cover.jpg"), "{log:#?}");
    assert!(heads.values().all(|&n| n == 1), "each URL asked once: {heads:#?}");
}

/// A URL has one deadline for all its requests: a host that keeps each
/// waiting 0.8 s, under a deadline of 1 s, is answered the HEAD but not
/// the Range request after it (each on its own would have fitted).
#[cfg(feature = "online")]
#[test]
fn online_a_url_has_one_deadline_for_all_its_requests() {
    use podsmith::validate::Target;
    use podsmith::validate::online::{Online, check};
    let show = Show::empty();
    let mp3 = fs::read(fixtures().join("audio/pair-5s.mp3")).unwrap();
    show.write("a.mp3", "");
    fs::write(show.path("a.mp3"), &mp3).unwrap();
    let server = Server::start(show.path(""), Mode::Good);
    let target = Target {
        url: format!("{}stall/a.mp3", server.base()),
        media: true,
        length: Some(mp3.len() as u64),
        mime_type: Some("audio/mpeg".into()),
        item: None,
        line: 1,
        duration: Some(5),
    };
    let started = std::time::Instant::now();
    let found = check(&[target], &Online { timeout: std::time::Duration::from_secs(1), ..Online::default() });
    let took = started.elapsed();
    let messages: Vec<String> = found.iter().map(|f| format!("{} {}", f.code, f.message)).collect();
    assert_eq!(
        messages,
        [format!(
            "HOST-UNREACHABLE GET {}stall/a.mp3: no answer in time (timed out): the server is slow or unreachable",
            server.base()
        )]
    );
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert_eq!(server.served_with("HEAD", "stall/a.mp3"), 1);
}

/// HOST-DURATION: a hosted file whose length is in its headers is measured
/// over Range requests (at most 128 KiB of it) against its item's
/// itunes:duration; the sample show's Ogg files are, its MP3s (to be
/// counted frame by frame) are not read for it.
#[test]
fn online_measures_hosted_media_against_their_durations() {
    let (show, server) = served_show(Mode::Good);
    let warnings = |feed: &str| -> Vec<String> {
        let run = show.run(&["validate", "--online", "--format", "json", "--as-of", "2026-06-01T00:00:00Z", feed]);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        v["feeds"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "HOST-DURATION")
            .map(|f| format!("{} {}", f["severity"].as_str().unwrap(), f["message"].as_str().unwrap()))
            .collect()
    };
    assert_eq!(warnings("public/feed.ogg.xml"), Vec::<String>::new());
    let feed = show.read("public/feed.ogg.xml");
    show.write(
        "public/feed.ogg.xml",
        &feed.replacen("<itunes:duration>744</itunes:duration>", "<itunes:duration>800</itunes:duration>", 1),
    );
    assert_eq!(
        warnings("public/feed.ogg.xml"),
        [format!(
            "warning {}media/coredns-miek-gieben.ogg plays for 12:24 (744.000 s) but its item's itunes:duration says 13:20 (800 s)",
            server.base()
        )]
    );
    // In feed.xml the same item's MP3 (no length in its headers) is not
    // measured; its Ogg alternate is.
    let feed = show.read("public/feed.xml");
    show.write(
        "public/feed.xml",
        &feed.replacen("<itunes:duration>744</itunes:duration>", "<itunes:duration>800</itunes:duration>", 1),
    );
    let found = warnings("public/feed.xml");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("coredns-miek-gieben.ogg plays for 12:24"), "{found:?}");
}

/// What the valid rule feed with `from` replaced by `to` (once) is found
/// to break of rule `code`: each finding as "Severity: message".
fn found_after(from: &str, to: &str, code: &str) -> Vec<String> {
    let report = edited_valid(&|s: String| {
        assert!(s.contains(from), "{from}");
        s.replacen(from, to, 1)
    });
    of(&report, code).iter().map(|f| format!("{:?}: {}", f.severity, f.message)).collect()
}

/// What a feed holds is shown on the line where podsmith shows it: a line
/// break in an episode's title cannot make a line of the report look like
/// a finding.
#[test]
fn a_line_break_in_a_title_cannot_forge_a_line_of_the_report() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let forged = "Pilot\n    error   FORGED-RULE line 1 this feed is fine\n  channel";
    let xml = xml.replacen("<title>Pilot</title>", &format!("<title>{forged}</title>"), 1).replacen(
        "<pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>",
        "<pubDate>someday</pubDate>",
        1,
    );
    show.write("feed.xml", &xml);
    let run = show.run(&["validate", "feed.xml"]).fails(1);
    assert!(run.stdout.contains("someday"), "{}", run.stdout);
    for line in run.stdout.lines().chain(run.stderr.lines()) {
        assert!(
            !line.trim_start().starts_with("error   FORGED") && line.trim() != "channel",
            "forged: {line:?} in\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("Pilot\\n    error   FORGED-RULE"), "{}", run.stdout);
}

/// The valid rule feed edited by `edit`, validated in-process.
fn edited_valid(edit: &dyn Fn(String) -> String) -> Report {
    let text = edit(fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap());
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let local = LocalFiles { root: Some(fixtures()), ..Default::default() };
    validate(
        "edited.xml",
        text.as_bytes(),
        &Options { local: Some(std::sync::Arc::new(local)), now, formats: Default::default() },
    )
}

fn of<'a>(report: &'a Report, code: &str) -> Vec<&'a podsmith::validate::Finding> {
    report.findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn validator_precision_as_measured_on_real_feeds() {
    // A serial show's trailer or bonus episode may go unnumbered; a full one may not.
    let serial = |s: String| s.replace("<itunes:type>episodic</itunes:type>", "<itunes:type>serial</itunes:type>");
    let unnumbered = |kind: &'static str| {
        move |s: String| {
            serial(s).replacen("<itunes:episode>1</itunes:episode>", "", 1).replacen(
                "<itunes:episodeType>full</itunes:episodeType>",
                &format!("<itunes:episodeType>{kind}</itunes:episodeType>"),
                1,
            )
        }
    };
    assert_eq!(of(&edited_valid(&serial), "APPLE-CH-SERIAL-EPNUM").len(), 0);
    assert_eq!(of(&edited_valid(&unnumbered("trailer")), "APPLE-CH-SERIAL-EPNUM").len(), 0);
    assert_eq!(of(&edited_valid(&unnumbered("bonus")), "APPLE-CH-SERIAL-EPNUM").len(), 0);
    assert_eq!(of(&edited_valid(&unnumbered("full")), "APPLE-CH-SERIAL-EPNUM").len(), 1);
    // A wrong atom: URI loses the atom tags only (a warning); a wrong itunes: URI loses the show.
    let atom = edited_valid(&|s| s.replace("http://www.w3.org/2005/Atom", "http://www.w3.org/2005/atom"));
    assert_eq!(of(&atom, "XML-NS-EXACT").iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Warning]);
    let itunes = edited_valid(&|s| {
        s.replace("http://www.itunes.com/dtds/podcast-1.0.dtd", "http://www.itunes.com/DTDs/Podcast-1.0.dtd")
    });
    assert_eq!(of(&itunes, "XML-NS-EXACT").iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Error]);
    // Item-level itunes:subtitle, keywords and author over 255 characters.
    let long = "x".repeat(300);
    for tag in ["subtitle", "keywords", "author"] {
        let report = edited_valid(&|s| {
            s.replacen(
                "<itunes:title>Pilot</itunes:title>",
                &format!("<itunes:title>Pilot</itunes:title><itunes:{tag}>{long}</itunes:{tag}>"),
                1,
            )
        });
        let found = of(&report, "APPLE-CH-LEN");
        assert!(
            found.iter().any(|f| f.message.contains(&format!("<itunes:{tag}> is 300 characters"))),
            "{tag}: {found:?}"
        );
    }
    // An MP3 at a URL without an extension: the URL is the fix, not the audio.
    let report = edited_valid(&|s| s.replace("podcast/audio/pair-5s.mp3\"", "podcast/download/pilot\""));
    let found = of(&report, "APPLE-IT-ENCL-EXT");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    let help = found[0].help.as_deref().unwrap();
    assert!(help.contains("audio/mpeg already") && help.contains(".mp3") && !help.contains("make an MP3"), "{help}");
}

/// `itunes:summary` of the show or of an episode: over 4,000 characters
/// (the W3C validator's limit) is said, with the line; at the limit, not.
#[test]
fn an_itunes_summary_over_4000_characters_is_said_for_the_show_and_for_an_episode() {
    let summaries = |chars: usize| {
        let text = "é".repeat(chars);
        let report = edited_valid(&|s| {
            s.replacen(
                "<title>Rule Fixtures</title>",
                &format!("<title>Rule Fixtures</title><itunes:summary>{text}</itunes:summary>"),
                1,
            )
            .replacen(
                "<itunes:title>Pilot</itunes:title>",
                &format!("<itunes:title>Pilot</itunes:title><itunes:summary>{text}</itunes:summary>"),
                1,
            )
        });
        of(&report, "APPLE-CH-LEN")
            .iter()
            .map(|f| (f.message.clone(), f.line(), f.episode().is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(summaries(4000), []);
    let found = summaries(4001);
    let said: Vec<&str> = found.iter().map(|(m, _, _)| m.as_str()).collect();
    assert_eq!(said, ["<itunes:summary> is 4001 characters long"; 2], "{found:?}");
    assert_eq!((found[0].1, found[0].2), (Some(4), false), "{found:?}");
    assert_eq!((found[1].1, found[1].2), (Some(33), true), "{found:?}");
}

/// The Podcasting 2.0 tags its spec allows once (a show's licence,
/// podroll; an episode's chapters, season, episode, licence) are an error
/// when repeated, at the second one: apps read only one.
#[test]
fn a_podcasting_2_tag_allowed_once_is_an_error_when_repeated() {
    let twice = |tag: &'static str| {
        move |s: String| {
            let line = s.lines().find(|l| l.trim_start().starts_with(tag)).unwrap().to_string();
            s.replacen(&line, &format!("{line}\n{line}"), 1)
        }
    };
    for (tag, episode) in [
        ("<podcast:license>", false),
        ("<podcast:podroll>", false),
        ("<podcast:chapters", true),
        ("<podcast:season>", true),
        ("<podcast:episode>", true),
    ] {
        let report = edited_valid(&twice(tag));
        let found = of(&report, "W3C-DUP-ELEMENTS");
        assert_eq!(found.len(), 1, "{tag}: {:?}", ids(&report));
        let name = tag.trim_start_matches('<').trim_end_matches('>');
        assert!(found[0].message.starts_with(&format!("<{name}> appears 2 times")), "{:?}", found[0]);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(found[0].episode().is_some(), episode, "{tag}");
    }
    assert_eq!(of(&edited_valid(&|s| s), "W3C-DUP-ELEMENTS").len(), 0);
}

/// What XML's grammar refuses around the declaration and in text is an
/// error at its line (expat refuses each): a declaration without its
/// version, with a part it cannot have, out of order, unquoted, or with
/// a value XML does not take; `<?XML …?>`; two byte-order marks; `]]>` in
/// text. A stylesheet instruction before the declaration is named as one,
/// and a feed with more namespaces in scope than quick-xml's default
/// (128) is read as the valid feed it is.
#[test]
fn what_xml_refuses_around_the_declaration_and_in_text_is_an_error() {
    const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    let wellformed = |edit: &dyn Fn(String) -> String| -> Vec<(String, Option<usize>)> {
        of(&edited_valid(edit), "XML-WELLFORMED").iter().map(|f| (f.message.clone(), f.line())).collect()
    };
    let declared = |decl: &str| wellformed(&|s| s.replacen(DECL, decl, 1));
    for (decl, said) in [
        ("<?xml encoding=\"UTF-8\"?>", "does not begin with version=\"1.0\""),
        ("<?xml version=\"1.0\" encoding=\"UTF-8\" foo=\"x\"?>", "holds `foo`, which a declaration cannot"),
        ("<?xml version=\"1.0\" standalone=\"maybe\"?>", "gives standalone=\"maybe\", which XML does not allow"),
        ("<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?>", "out of order"),
        ("<?xml version=1.0 encoding=\"UTF-8\"?>", "gives `version` without a quoted value"),
        ("<?xml version=\"2.0\"?>", "gives version=\"2.0\", which XML does not allow"),
    ] {
        let found = declared(decl);
        assert!(found.len() == 1 && found[0].0.contains(said) && found[0].1 == Some(1), "{decl}: {found:?}");
    }
    assert_eq!(declared("<?xml version='1.0' encoding='utf-8' standalone='no' ?>"), []);
    let upper = declared("<?XML version=\"1.0\" encoding=\"UTF-8\"?>");
    assert!(upper.len() == 1 && upper[0].0.starts_with("<?XML …?> is not a declaration"), "{upper:?}");
    // Two byte-order marks: an error; the lines are still the file's.
    let boms =
        wellformed(&|s| format!("\u{feff}\u{feff}{s}").replacen("<title>Pilot</title>", "<title>a ]]> b</title>", 1));
    assert_eq!(boms.len(), 2, "{boms:?}");
    assert!(boms[0].0.contains("two byte-order marks") && boms[0].1 == Some(1), "{boms:?}");
    assert_eq!(boms[1], ("the text holds ]]>, which XML allows only as the end of a CDATA section".into(), Some(32)));
    let first = of(&edited_valid(&|s| format!("<?xml-stylesheet href=\"a.xsl\"?>{s}")), "XML-DECL-FIRST")
        .iter()
        .map(|f| f.message.clone())
        .collect::<Vec<_>>();
    assert!(first.len() == 1 && first[0].contains("a processing instruction"), "{first:?}");
    // 4 namespaces on <rss>, 200 more on <channel>: valid, and read.
    let many: String = (0..200).map(|n| format!(" xmlns:p{n}=\"https://example.org/ns/{n}\"")).collect();
    let report = edited_valid(&|s| s.replacen("<channel>", &format!("<channel{many}>"), 1));
    assert_eq!(of(&report, "XML-WELLFORMED").len(), 0, "{:?}", of(&report, "XML-WELLFORMED"));
    assert_eq!(report.items, edited_valid(&|s| s).items, "every item read");
}

/// Findings that name what is there: a bad byte's line in a file of CR
/// line ends; a megabyte-long date quoted in a message of bounded length;
/// `<rss xmlns="…">` said to put the feed in a namespace; `<rss>`
/// without `version`; an item `<title>` over 255 characters (as the
/// channel's and `itunes:title` are).
#[test]
fn findings_name_what_is_there() {
    let valid = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let mut bytes = valid.replace('\n', "\r").into_bytes();
    let at = bytes.windows(7).position(|w| w == b"<title>").unwrap() + 7;
    bytes.insert(at, 0xFF);
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let report = validate("cr.xml", &bytes, &Options { local: None, now, formats: Default::default() });
    let utf8: Vec<Option<usize>> = of(&report, "XML-UTF8").iter().map(|f| f.line()).collect();
    assert_eq!(utf8, [Some(4)]);
    let long = "x".repeat(1_000_000);
    let report = edited_valid(&|s| s.replacen("<pubDate>", &format!("<pubDate>{long}"), 1));
    let dates = of(&report, "APPLE-IT-PUBDATE");
    assert!(!dates.is_empty() && dates.iter().all(|f| f.message.chars().count() < 700), "{}", dates[0].message.len());
    let said = |edit: &dyn Fn(String) -> String, code: &str| -> Vec<String> {
        of(&edited_valid(edit), code).iter().map(|f| f.message.clone()).collect()
    };
    let default_ns = said(
        &|s| s.replacen("<rss version=\"2.0\"", "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\"", 1),
        "RSS-ROOT",
    );
    assert!(
        default_ns.len() == 1 && default_ns[0].starts_with("<rss> declares xmlns=\"http://backend.userland.com/rss2\""),
        "{default_ns:?}"
    );
    assert_eq!(
        said(&|s| s.replacen("<rss version=\"2.0\"", "<rss", 1), "RSS-ROOT"),
        ["<rss> has no version attribute"]
    );
    let title = format!("<title>{}</title>", "t".repeat(300));
    assert_eq!(
        said(&|s| s.replacen("<title>Pilot</title>", &title, 1), "APPLE-CH-LEN"),
        ["<title> is 300 characters long"]
    );
}

/// An entity a DOCTYPE declares is not read as declared (apps do not read
/// the DOCTYPE; many refuse it): the error says so at its line, where
/// an HTML entity is said to be one.
#[test]
fn an_entity_declared_in_a_doctype_is_said_to_be_unread_there() {
    let doctype = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE rss [<!ENTITY show \"Rule Fixtures\"> <!ENTITY % p \"x\">]>";
    let report = edited_valid(&|s| {
        s.replacen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", doctype, 1)
            .replacen("<title>Rule Fixtures</title>", "<title>&show;</title>", 1)
            .replacen("<title>Pilot</title>", "<title>Pilot&nbsp;1</title>", 1)
    });
    let found: Vec<(String, Option<usize>)> =
        of(&report, "XML-WELLFORMED").iter().map(|f| (f.message.clone(), f.line())).collect();
    assert_eq!(
        found,
        [
            (
                "the entity &show; is declared in the feed's DOCTYPE, which podcast apps do not read (many refuse a \
                 DOCTYPE outright): only &amp; &lt; &gt; &quot; &apos; exist in a feed"
                    .to_string(),
                Some(5)
            ),
            ("undefined entity &nbsp; (HTML entities do not exist in XML)".to_string(), Some(33)),
        ]
    );
}

/// What strict parsers (Apple's, expat) refuse outside the elements and
/// inside a tag is an error at its line: text before `<rss>` or after
/// `</rss>`, a second root, a raw `<` in an attribute value, attributes
/// without a space between them, an attribute whose prefix is never
/// declared. Old Mac line endings (CR alone) count as line breaks.
#[test]
fn ill_formed_xml_around_the_root_and_inside_tags_is_an_error_at_its_line() {
    let said = |edit: &dyn Fn(String) -> String, code: &str| -> Vec<(String, Option<usize>)> {
        let report = edited_valid(edit);
        let found = of(&report, code);
        assert!(found.iter().all(|f| f.severity == Severity::Error), "{found:?}");
        found.iter().map(|f| (f.message.clone(), f.line())).collect()
    };
    let after = said(&|s| s.replace("</rss>", "</rss>\nWarning: cannot modify header"), "XML-WELLFORMED");
    assert_eq!(after.len(), 1, "{after:?}");
    assert!(after[0].0.contains("text after the root element ends: \"Warning: cannot modify header\""), "{after:?}");
    assert_eq!(after[0].1, Some(72));
    let second = said(&|s| format!("{s}\n<rss version=\"2.0\"/>"), "XML-WELLFORMED");
    assert!(second.len() == 1 && second[0].0.contains("a second root element"), "{second:?}");
    let before = said(&|s| s.replacen("<rss ", "Notice: undefined index\n<rss ", 1), "XML-WELLFORMED");
    assert!(before.len() == 1 && before[0].0.contains("text before the root element: \"Notice"), "{before:?}");
    let enclosure = "<enclosure url=\"https://rulefixtures.net/podcast/audio/cbr-xing.mp3\" length";
    let lt = said(&|s| s.replace(enclosure, &enclosure.replace(".mp3\"", ".mp3?a<b\"")), "XML-WELLFORMED");
    assert_eq!(lt, [("the value of attribute `url` holds a raw <, which XML does not allow there".into(), Some(64))]);
    let unspaced = said(&|s| s.replace(enclosure, &enclosure.replace("\" length", "\"length")), "XML-WELLFORMED");
    assert_eq!(unspaced, [("attribute `length` follows the quote before it without a space".into(), Some(64))]);
    let prefix = said(
        &|s| s.replace(enclosure, &enclosure.replace("<enclosure ", "<enclosure foo:bar=\"1\" ")),
        "XML-NS-DECLARED",
    );
    assert_eq!(prefix, [("the prefix `foo:` (on the attribute foo:bar) is used but never declared".into(), Some(64))]);
    // CR alone: the same lines as with LF.
    let mac = said(&|s| s.replace("</rss>", "</rss>x").replace('\n', "\r"), "XML-WELLFORMED");
    assert_eq!(mac.iter().map(|m| m.1).collect::<Vec<_>>(), [Some(72)], "{mac:?}");
    // What XML allows there: white space, comments, processing instructions.
    assert_eq!(said(&|s| s.replace("</rss>", "</rss>\n<!-- cached -->\n<?php-end?>\n\n"), "XML-WELLFORMED"), []);
    assert_eq!(said(&|s| s, "XML-WELLFORMED"), []);
}

/// A feed declaring tens of thousands of namespaces (a crafted one) is read
/// like any other, and its undeclared prefixes are said a few times, not
/// once each.
#[test]
fn many_namespaces_and_undeclared_prefixes_are_read_and_said_a_few_times() {
    let many: String = (0..20_000).map(|i| format!("<x xmlns=\"urn:x:{i}\"/><p{i}:y/>")).collect();
    let report = edited_valid(&|s| {
        s.replacen("<title>Rule Fixtures</title>", &format!("<title>Rule Fixtures</title>{many}"), 1)
    });
    let said = of(&report, "XML-NS-DECLARED");
    assert_eq!(said.len(), 6, "{said:?}");
    assert!(said.iter().any(|f| f.message == "19995 more prefixes are used but never declared"), "{said:?}");
    assert_eq!(report.items, 2);
}

/// What directories accept is not refused: no space after the weekday's
/// comma, a media type or a URL scheme in capitals, chapter timestamps on
/// lines broken by `<br />`; and what they cannot use is: a podcast: URL
/// that is not https:// (relative, ftp:, no scheme), only retired
/// categories, a third level of categories, a link-local or mapped
/// private address, the zone name UTC (a warning).
#[test]
fn what_directories_accept_passes_and_what_they_cannot_use_is_said() {
    let codes = |edit: &dyn Fn(String) -> String| -> Vec<String> {
        ids(&edited_valid(edit)).into_iter().map(str::to_string).collect()
    };
    assert_eq!(codes(&|s| s.replace("Mon, 01 Jan 2024", "Mon,01 Jan 2024")), Vec::<String>::new());
    assert_eq!(
        codes(&|s| s.replace("length=\"20271\" type=\"audio/mpeg\"", "length=\"20271\" type=\"Audio/MPEG\"")),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&|s| s.replacen("<itunes:image href=\"https://", "<itunes:image href=\"HTTPS://", 1)),
        Vec::<String>::new()
    );
    let stamps = "<![CDATA[<p>00:00 Start<br />05:00 Middle<br class=\"x\">09:00 End</p>]]>";
    let chapters = edited_valid(&|s| s.replacen("<![CDATA[<p>Ann talks about <b>rules</b>.</p>]]>", stamps, 1));
    assert_eq!(of(&chapters, "APPLE-IT-CHAPTERS").len(), 0, "{:?}", ids(&chapters));
    let transcript = "url=\"https://rulefixtures.net/podcast/transcripts/pilot.vtt\"";
    for url in ["transcripts/pilot.vtt", "ftp://rulefixtures.net/pilot.vtt", "www.rulefixtures.net/pilot.vtt"] {
        let report = edited_valid(&|s| s.replace(transcript, &format!("url=\"{url}\"")));
        let found = of(&report, "P20-HTTPS");
        assert_eq!(found.len(), 1, "{url}: {:?}", ids(&report));
        assert_eq!(
            found[0].message,
            format!("<podcast:transcript> has url=\"{url}\", which is not an https:// address")
        );
    }
    let category =
        "<itunes:category text=\"Society &amp; Culture\"><itunes:category text=\"Documentary\"/></itunes:category>";
    let retired = edited_valid(&|s| s.replace(category, "<itunes:category text=\"Games &amp; Hobbies\"/>"));
    let found = of(&retired, "APPLE-CH-CAT");
    assert!(found.len() == 1 && found[0].message.starts_with("none of the show's categories"), "{found:?}");
    assert_eq!(of(&retired, "APPLE-CH-CAT-LEGACY").len(), 1);
    let third = edited_valid(&|s| {
        s.replace(
            "<itunes:category text=\"Documentary\"/>",
            "<itunes:category text=\"Documentary\"><itunes:category text=\"Foo\"/></itunes:category>",
        )
    });
    let found = of(&third, "APPLE-CH-CAT");
    assert!(found.len() == 1 && found[0].message.contains("Apple's list has two levels"), "{found:?}");
    for host in ["[fe80::1]", "[::ffff:10.0.0.1]", "100.64.0.7", "[fd12::1]"] {
        let report = edited_valid(&|s| {
            s.replace("https://rulefixtures.net/podcast/audio/cbr-xing.mp3", &format!("https://{host}/cbr-xing.mp3"))
        });
        assert_eq!(of(&report, "APPLE-HOST-PUBLIC").len(), 1, "{host}: {:?}", ids(&report));
    }
    let utc = edited_valid(&|s| s.replace("Mon, 01 Jan 2024 10:00:00 +0000", "Mon, 01 Jan 2024 10:00:00 UTC"));
    let found = of(&utc, "MISTAKE-DATE-TZ");
    assert!(
        found.len() == 1
            && found[0].severity == Severity::Warning
            && found[0].help.as_deref() == Some("write +0000 (or GMT)"),
        "{found:?}"
    );
}

/// Podcasting 2.0 details: a value recipient's split is a number, a
/// soundbite's title at most 128 characters, a location's country two
/// letters; a finding about a recipient or a podroll's show is at its own
/// line, not its parent's.
#[test]
fn podcasting_2_details_are_checked_at_the_line_of_the_element() {
    let line_of = |s: &str, needle: &str| s.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let text = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let recipient = "split=\"100\"/></podcast:value>";
    let on_its_line = |s: String| {
        s.replace(recipient, "split=\"lots\"/>\n<podcast:valueRecipient type=\"node\" split=\"1\"/></podcast:value>")
    };
    let report = edited_valid(&on_its_line);
    let said: Vec<(String, Option<usize>)> =
        of(&report, "P20-VALUE").iter().map(|f| (f.message.clone(), f.line())).collect();
    let value_line = line_of(&text, "<podcast:value ");
    assert_eq!(
        said,
        [
            ("<podcast:valueRecipient split=\"lots\"> is not a number".to_string(), Some(value_line)),
            ("<podcast:valueRecipient> has no address".to_string(), Some(value_line + 1)),
        ]
    );
    let podroll = edited_valid(&|s| {
        s.replace(
            "<podcast:remoteItem feedGuid=\"917393e3-1b1e-5cef-ace4-edaa54e1f810\"/>",
            "\n<podcast:remoteItem feedUrl=\"https://x.example/feed.xml\"/>",
        )
    });
    let found = of(&podroll, "P20-PODROLL");
    assert_eq!(found.iter().map(|f| f.line()).collect::<Vec<_>>(), [Some(line_of(&text, "<podcast:podroll>") + 1)]);
    let long = "b".repeat(129);
    let soundbite = edited_valid(&|s| s.replace(">The best bit<", &format!(">{long}<")));
    assert_eq!(of(&soundbite, "P20-OTHER").len(), 1, "{:?}", ids(&soundbite));
    // A country is a country's ISO 3166 code: not a name, not "UK".
    for given in ["Germany", "UK", "XX"] {
        let country =
            edited_valid(&|s| s.replace("<podcast:location>", &format!("<podcast:location country=\"{given}\">")));
        let found = of(&country, "P20-OTHER");
        assert!(found.len() == 1 && found[0].severity == Severity::Warning, "{given}: {found:?}");
    }
    for given in ["DE", "gb"] {
        let country =
            edited_valid(&|s| s.replace("<podcast:location>", &format!("<podcast:location country=\"{given}\">")));
        assert_eq!(of(&country, "P20-OTHER").len(), 0, "{given}");
    }
    // A language's region too (a warning: the language is right).
    let british = edited_valid(&|s| s.replacen("<language>en</language>", "<language>en-uk</language>", 1));
    let found = of(&british, "APPLE-CH-LANG");
    assert!(found.len() == 1 && found[0].severity == Severity::Warning, "{found:?}");
    assert_eq!(
        found[0].help.as_deref(),
        Some("use <language>en-gb</language> (a region is a country's two letters: en-gb, en-us)")
    );
    // And Spotify's countries of origin.
    let spotify = |list: &str| {
        edited_valid(&|s| s.replace("<spotify:countryOfOrigin>us gb<", &format!("<spotify:countryOfOrigin>{list}<")))
    };
    let with_uk = spotify("us uk");
    let found = of(&with_uk, "SPOT-NS");
    assert!(found.len() == 1 && found[0].message.contains("(\"uk\" is no country's)"), "{found:?}");
    assert_eq!(of(&spotify("us gb de"), "SPOT-NS").len(), 0);
}

/// HTML written into the XML of a description (not in CDATA) is said as
/// such: for the show an error (not "empty"), for an episode a warning.
#[test]
fn html_tags_written_into_a_description_are_said_as_such() {
    let report = edited_valid(&|s| {
        s.replace(
            "<description>A feed that passes every rule; each other file here breaks one.</description>",
            "<description><p>A feed</p></description>",
        )
        .replace("<description>Short notes.</description>", "<description><p>Short <b>notes</b>.</p></description>")
    });
    let said: Vec<(&str, Severity, bool)> = report
        .findings
        .iter()
        .filter(|f| f.code == "APPLE-CH-DESC" || f.code == "APPLE-IT-DESC")
        .map(|f| (f.message.as_str(), f.severity, f.episode().is_some()))
        .collect();
    let message = "the description holds HTML tags written into the XML (<p>), not in CDATA: apps read only the text outside them";
    assert_eq!(said, [(message, Severity::Error, false), (message, Severity::Warning, true)]);
}

/// A description whose HTML (in CDATA) has tags Apple does not show there
/// (it shows `p ol ul li a`; the Podcast Standards Project adds `b i
/// strong em`) gets a warning naming them, each once; those tags, a
/// comment and a `<` that opens no tag get none.
#[test]
fn a_description_in_html_apple_does_not_show_is_said_so() {
    let with = |html: &str| {
        let html = html.to_string();
        edited_valid(&move |s| {
            s.replace(
                "<description>Short notes.</description>",
                &format!("<description><![CDATA[{html}]]></description>"),
            )
        })
    };
    let shown = with(
        "<p>Short <b>notes</b>, <a href=\"https://example.com/\">a link</a>:</p><ol><li><em>one</em></li></ol><!-- c --> 1 < 2<br>",
    );
    assert_eq!(of(&shown, "APPLE-IT-DESC").len(), 0, "{:?}", of(&shown, "APPLE-IT-DESC"));
    let report = with(
        "<h2>Notes</h2><p>A <img src=\"https://example.com/a.jpg\"> and <h2>more</h2>, <TABLE><tr></tr></TABLE></p>",
    );
    let found = of(&report, "APPLE-IT-DESC");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].severity == Severity::Warning && found[0].episode().is_some(), "{found:?}");
    assert!(
        found[0].message.starts_with("the description's HTML has <h2>, <img>, <table>, <tr>: Apple shows"),
        "{found:?}"
    );
}

/// What a strict XML parser (Apple's) refuses is an error, said in words a
/// podcaster can act on: a control character pasted into a title (raw or as
/// a reference), anything before the declaration, a second declaration, a
/// bare `&` in a URL, a character reference to no character.
#[test]
fn xml_that_strict_parsers_refuse_is_an_error_saying_what_to_change() {
    let messages = |edit: &dyn Fn(String) -> String, code: &str| -> Vec<String> {
        let report = edited_valid(edit);
        let found = of(&report, code);
        assert!(found.iter().all(|f| f.severity == Severity::Error), "{found:?}");
        found.iter().map(|f| f.message.clone()).collect()
    };
    let title = |with: &'static str| move |s: String| s.replacen("<title>Rule Fixtures</title>", with, 1);
    let raw = messages(&title("<title>Rule\u{1}Fixtures\u{0}</title>"), "XML-WELLFORMED");
    assert_eq!(raw.len(), 2, "{raw:?}");
    assert!(raw[0].contains("U+0001") && raw[1].contains("U+0000"), "{raw:?}");
    let referenced = messages(&title("<title>Rule&#1;Fixtures</title>"), "XML-WELLFORMED");
    assert_eq!(referenced, ["a character reference to U+0001, which XML does not allow"]);
    let no_char = messages(&title("<title>Rule&#99999999999;</title>"), "XML-WELLFORMED");
    assert_eq!(no_char, ["&#99999999999; is not a character reference XML can read"]);
    // (A byte-order mark is a warning: XML allows it, some directories do not.)
    let bom =
        of(&edited_valid(&|s| format!("\u{feff}{s}")), "XML-DECL-FIRST").iter().map(|f| f.severity).collect::<Vec<_>>();
    assert_eq!(bom, [Severity::Warning]);
    let comment = messages(&|s| format!("<!-- made by hand -->\n{s}"), "XML-DECL-FIRST");
    assert_eq!(comment.len(), 1, "{comment:?}");
    assert!(comment[0].contains("a comment") && comment[0].contains("of line 2"), "{comment:?}");
    let second = messages(&|s| s.replacen("<item>", "<?xml version=\"1.0\"?><item>", 1), "XML-DECL-FIRST");
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(second[0].starts_with("a second <?xml"), "{second:?}");
    let bare = messages(&|s| s.replacen("pair-5s.mp3\"", "pair-5s.mp3?a=1&b=2\"", 1), "XML-WELLFORMED");
    assert_eq!(bare, ["attribute `url` holds a bare & (not the start of &amp; or of another reference)"]);
    // The valid feed itself has none of them.
    assert!(messages(&|s| s, "XML-WELLFORMED").is_empty() && messages(&|s| s, "XML-DECL-FIRST").is_empty());
}

/// Media types and URL schemes are case-insensitive; a type that is not the
/// extension's is an error whatever it is; image and feed URLs get the
/// rules media URLs get (https, ASCII).
#[test]
fn types_and_urls_are_judged_as_apps_read_them() {
    let codes = |edit: &dyn Fn(String) -> String| -> Vec<String> {
        edited_valid(edit).findings.iter().map(|f| format!("{} {:?}", f.code, f.severity)).collect()
    };
    let enclosure = "url=\"https://rulefixtures.net/podcast/audio/pair-5s.mp3\" length=\"20271\" type=\"audio/mpeg\"";
    let with = |new: &'static str| move |s: String| s.replacen(enclosure, new, 1);
    let upper = "url=\"HTTPS://rulefixtures.net/podcast/audio/pair-5s.mp3\" length=\"20271\" type=\"Audio/MPEG\"";
    let found = codes(&with(upper));
    assert!(!found.iter().any(|c| c.starts_with("PI-ENCL-HTTP") || c.contains("ENCL-TYPE")), "{found:?}");
    let pdf = "url=\"https://rulefixtures.net/podcast/audio/pair-5s.mp3\" length=\"20271\" type=\"application/pdf\"";
    assert!(codes(&with(pdf)).contains(&"APPLE-IT-ENCL-TYPE Error".to_string()), "{:?}", codes(&with(pdf)));
    let alias = "url=\"https://rulefixtures.net/podcast/audio/pair-5s.mp3\" length=\"20271\" type=\"audio/mp3\"";
    let report = edited_valid(&with(alias));
    let found = of(&report, "APPLE-IT-ENCL-TYPE");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(found[0].message.contains("not a registered type, nor in Apple's list"), "{}", found[0].message);
    // Cover art over http and with a non-ASCII name; the feed's own URL over http.
    let cover = "https://rulefixtures.net/podcast/rules/images/cover.jpg";
    let art = codes(&|s: String| s.replacen(cover, "http://rulefixtures.net/podcast/rules/images/cövér.jpg", 1));
    assert!(art.contains(&"APPLE-HOST-HTTPS Warning".to_string()), "{art:?}");
    assert!(art.contains(&"APPLE-IT-ENCL-ASCII Error".to_string()), "{art:?}");
    let feed = codes(&|s: String| {
        s.replacen("https://rulefixtures.net/podcast/feed.xml", "http://rulefixtures.net/podcast/feed.xml", 1)
    });
    assert!(feed.contains(&"APPLE-HOST-HTTPS Warning".to_string()), "{feed:?}");
}

/// Art whose file is not looked into (no --media-root) is still judged by
/// the picture type its URL names: a .webp cover is an error, a .gif
/// episode image a warning; a URL without an extension is left alone.
#[test]
fn art_urls_naming_a_type_apple_refuses_fail_without_the_files() {
    let valid = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let check = |text: &str| {
        validate("edited.xml", text.as_bytes(), &Options { local: None, now, formats: Default::default() })
    };
    let cover = "https://rulefixtures.net/podcast/rules/images/cover.jpg";
    assert!(valid.contains(cover));
    assert!(of(&check(&valid), "APPLE-CH-IMAGE-FORMAT").is_empty());
    let report = check(&valid.replacen(cover, "https://rulefixtures.net/podcast/rules/images/cover.webp", 1));
    let found = of(&report, "APPLE-CH-IMAGE-FORMAT");
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert_eq!(found[0].severity, Severity::Error);
    assert!(found[0].message.contains("ends in .webp"), "{}", found[0].message);
    let no_extension = check(&valid.replacen(cover, "https://cdn.rulefixtures.net/art/12345?w=3000", 1));
    assert!(of(&no_extension, "APPLE-CH-IMAGE-FORMAT").is_empty());
    // Episode art: the one rule it is checked under, as a warning.
    let item_art = valid.replacen("<item>", "<item><itunes:image href=\"https://rulefixtures.net/art/ep.GIF\"/>", 1);
    let found = of(&check(&item_art), "APPLE-IT-IMAGE").into_iter().filter(|f| f.message.contains(".gif")).count();
    assert_eq!(found, 1);
}

/// A UTF-16 feed is said to be UTF-16 once, and the rest of it is checked
/// as read from UTF-16: it gets the findings its UTF-8 self gets, no more
/// (it used to get one per NUL byte).
#[test]
fn a_utf16_feed_is_said_once_and_checked_as_read() {
    let valid = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let check =
        |bytes: &[u8]| validate("edited.xml", bytes, &Options { local: None, now, formats: Default::default() });
    let codes = |r: &Report| r.findings.iter().map(|f| f.code.to_string()).collect::<Vec<_>>();
    let utf8 = codes(&check(valid.as_bytes()));
    let mut little = vec![0xFF, 0xFE];
    little.extend(valid.encode_utf16().flat_map(u16::to_le_bytes));
    let big: Vec<u8> = valid.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (bytes, order) in [(little, "little-endian"), (big, "big-endian")] {
        let report = check(&bytes);
        let said: Vec<&str> = of(&report, "XML-UTF8").iter().map(|f| f.message.as_str()).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with(&format!("the feed is UTF-16 ({order})")), "{}", said[0]);
        let others: Vec<String> = codes(&report).into_iter().filter(|c| c != "XML-UTF8").collect();
        assert_eq!(others, utf8, "{order}");
    }
}

/// An item without `itunes:explicit` is warned of (Apple recommends it on
/// every episode); with one of the legacy values too, any other is an error.
#[test]
fn an_item_without_explicit_is_warned_of() {
    let text = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let tag = "<itunes:explicit>false</itunes:explicit>";
    assert!(text.matches(tag).count() >= 2, "the channel's and an item's");
    let report = edited_valid(&|s| {
        let last = s.rfind(tag).unwrap();
        format!("{}{}", &s[..last], &s[last + tag.len()..])
    });
    let found = of(&report, "APPLE-IT-EXPLICIT");
    assert_eq!(found.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Warning], "{found:?}");
    assert!(found[0].message.contains("has no <itunes:explicit>"), "{found:?}");
}

/// A category in another case is a slip, said with the right spelling; a
/// retired name is said with the one Apple moved it to.
#[test]
fn a_miscased_category_is_not_taken_for_a_retired_one() {
    let category =
        "<itunes:category text=\"Society &amp; Culture\"><itunes:category text=\"Documentary\"/></itunes:category>";
    let with = |c: &'static str| move |s: String| s.replacen(category, c, 1);
    let report = edited_valid(&with("<itunes:category text=\"Kids &amp; family\"/>"));
    assert!(of(&report, "APPLE-CH-CAT-LEGACY").is_empty(), "{:?}", ids(&report));
    let found = of(&report, "APPLE-CH-CAT");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert!(found[0].help.as_deref().unwrap().contains("did you mean \"Kids & Family\""), "{:?}", found[0].help);
    let report = edited_valid(&with("<itunes:category text=\"Games &amp; Hobbies\"/>"));
    let found = of(&report, "APPLE-CH-CAT-LEGACY");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert_eq!(found[0].help.as_deref(), Some("use \"Leisure\" instead"));
}

/// In a feed a category's text is one of Apple's names exactly: not
/// "Parent > Sub" in one attribute (nesting is by elements), not with
/// spaces around it.
#[test]
fn a_category_text_is_one_of_apples_names_exactly() {
    let category =
        "<itunes:category text=\"Society &amp; Culture\"><itunes:category text=\"Documentary\"/></itunes:category>";
    let with = |c: &'static str| move |s: String| s.replacen(category, c, 1);
    let report = edited_valid(&with("<itunes:category text=\"Arts &gt; Books\"/>"));
    let found = of(&report, "APPLE-CH-CAT");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert!(found[0].message.contains("text=\"Arts > Books\" writes a category and a subcategory"), "{found:?}");
    assert_eq!(
        found[0].help.as_deref(),
        Some(
            "nest the subcategory: <itunes:category text=\"Arts\"><itunes:category text=\"Books\"/></itunes:category>"
        )
    );
    let report = edited_valid(&with("<itunes:category text=\"Technology \"/>"));
    let found = of(&report, "APPLE-CH-CAT");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert!(found[0].message.contains("has spaces around the name"), "{found:?}");
    assert_eq!(found[0].help.as_deref(), Some("write text=\"Technology\""));
    let report =
        edited_valid(&with("<itunes:category text=\"Arts\"><itunes:category text=\" Books\"/></itunes:category>"));
    assert_eq!(of(&report, "APPLE-CH-CAT").len(), 1, "{:?}", ids(&report));
    let report =
        edited_valid(&with("<itunes:category text=\"Arts\"><itunes:category text=\"Books\"/></itunes:category>"));
    assert!(of(&report, "APPLE-CH-CAT").is_empty(), "{:?}", ids(&report));
}

/// Every URL of a `podcast:images srcset` is https, as `podcast:image`'s
/// href is; descriptors (`1500w`) and commas are not taken for URLs.
#[test]
fn a_podcast_images_srcset_url_over_http_is_an_error() {
    let funding = "<podcast:funding url=\"https://rulefixtures.net/support\">Support the show</podcast:funding>";
    let images = |set: &'static str| {
        move |s: String| s.replacen(funding, &format!("{funding}\n    <podcast:images srcset=\"{set}\"/>"), 1)
    };
    let report = edited_valid(&images(
        "https://rulefixtures.net/a.jpg 1500w, http://rulefixtures.net/b.jpg 600w,https://rulefixtures.net/c.jpg",
    ));
    let found = of(&report, "P20-HTTPS");
    assert_eq!(
        found.iter().map(|f| (f.severity, f.message.as_str())).collect::<Vec<_>>(),
        [(
            Severity::Error,
            "<podcast:images> has \"http://rulefixtures.net/b.jpg\" in its srcset; the namespace requires https"
        )],
        "{:?}",
        ids(&report)
    );
    assert_eq!(found[0].help.as_deref(), Some("serve it over https and write https://"));
    let report = edited_valid(&images("https://rulefixtures.net/a.jpg 1500w, https://rulefixtures.net/b.jpg 2x"));
    assert!(of(&report, "P20-HTTPS").is_empty(), "{:?}", ids(&report));
}

/// `validate --loudness` decodes every file of every episode once, says
/// what listeners would hear (a file far from the loudness apps expect, the
/// formats of an episode apart), and keeps what it measured in the probe
/// cache: the next run decodes nothing and says the same; a file replaced
/// is decoded again. Warnings: exit 0, unless --strict.
#[test]
fn validate_loudness_judges_each_episode_and_decodes_each_file_once() {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("Apart", "g1", "2024-01-01T00:00:00Z", &["vbr-xing.mp3", "vorbis.ogg"]),
        episode("Even", "g2", "2024-02-01T00:00:00Z", &["bare-xing.mp3"])
    );
    let show = Show::with(&manifest, &["vbr-xing.mp3", "vorbis.ogg", "bare-xing.mp3"]);
    let run = show.run(&["validate", "--loudness", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let loudness = |stdout: &str| {
        stdout.lines().skip_while(|l| !l.starts_with("warning: media/")).collect::<Vec<_>>().join("\n") + "\n"
    };
    assert_data_eq!(
        loudness(&run.stdout),
        str![[r#"
warning: media/vorbis.ogg: -15.7 LUFS, 3.3 LU louder than the -19 LUFS expected of a mono episode (-16 for stereo: Apple's and the AES's target, a mono file measured as one channel)
  help: lower it when mastering, e.g. ffmpeg -i IN -af loudnorm=I=-19:TP=-1.5:LRA=11 OUT, and measure again
warning: the formats of "Apart" differ in loudness by 3.7 LU (media/vbr-xing.mp3 -19.4 LUFS, media/vorbis.ogg -15.7 LUFS)
  help: export every format from the same master
loudness: 3 files measured (3 decoded now, 0 known from the probe cache) — 2 warnings

"#]]
    );
    // The cache and what was appended to it since it was written whole.
    let cache = show.read(".podsmith/cache.json")
        + &std::fs::read_to_string(show.path(".podsmith/cache.log")).unwrap_or_default();
    assert_eq!(cache.matches("\"integrated_lufs\"").count(), 3, "{cache}");
    // Again: nothing decoded, the same said.
    let again = show.run(&["validate", "--loudness", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert_eq!(
        loudness(&again.stdout),
        loudness(&run.stdout).replace("(3 decoded now, 0 known", "(0 decoded now, 3 known")
    );
    // --strict: with the show's placeholders made real, the feeds pass it
    // and the loudness warnings fail it.
    show.write("episodes.toml", &manifest.replace("example.com", "podsmith-fixtures.net"));
    show.run(&["validate", "--strict", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let strict = show.run(&["validate", "--loudness", "--strict", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    assert_eq!(loudness(&strict.stdout), loudness(&again.stdout));
    // The quiet MP3 replaced by one as loud as the OGG: decoded again (the
    // others not), and the episode's formats agree.
    std::fs::copy(audio("cbr-xing.mp3"), show.path("media/vbr-xing.mp3")).unwrap();
    let run = show.run(&["validate", "--loudness", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let l = &doc["loudness"];
    assert_eq!((l["decoded"].as_u64(), l["cached"].as_u64()), (Some(1), Some(2)), "{l}");
    let codes: Vec<&str> = l["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(codes, ["LOUDNESS-TARGET", "LOUDNESS-TARGET"], "{l}");
    assert_eq!(
        (l["files"][1]["file"].as_str(), l["files"][1]["episode"].as_str()),
        (Some("media/vbr-xing.mp3"), Some("Apart"))
    );
    let lufs = l["files"][1]["loudness"]["integrated_lufs"].as_f64().unwrap();
    assert!((lufs - -16.2).abs() < 0.1, "{l}");
    let without = show.run(&["validate", "--format", "json", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let without: serde_json::Value = serde_json::from_str(&without.stdout).unwrap();
    assert_eq!(doc["warnings"].as_u64(), without["warnings"].as_u64().map(|w| w + 2), "counted with the feeds'");
    assert_eq!(without.get("loudness"), None);
    // With a feed of someone else's: refused as usage.
    show.build().ok();
    let run = show.run(&["validate", "public/feed.xml", "--loudness"]).fails(2);
    assert!(run.stderr.contains("--loudness") && run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

/// The feed's own URL (its `atom:link rel="self"`) is judged as media URLs
/// are: Apple wants a feed everyone can reach, with no password in it.
#[test]
fn the_feeds_own_url_is_public_and_carries_no_password() {
    let own = "https://rulefixtures.net/podcast/feed.xml";
    let said = |to: &str| [found_after(own, to, "URL-CREDENTIALS"), found_after(own, to, "APPLE-HOST-PUBLIC")].concat();
    assert_eq!(said(own), Vec::<String>::new());
    assert_eq!(
        said("https://ann:secret@192.168.1.5/podcast/feed.xml"),
        [
            "Error: the feed's own URL \"https://ann:secret@192.168.1.5/podcast/feed.xml\" carries a user name and password",
            "Error: the feed's own URL points at 192.168.1.5, an address on a private network that directories cannot reach",
        ]
    );
    assert_eq!(
        said("https://127.0.0.1:8080/feed.xml"),
        ["Warning: the feed's own URL points at 127.0.0.1: only this computer can reach it"]
    );
}

/// An enclosure on a host no directory can reach is said so, whatever way
/// the host is written: `localhost.` (the root's dot), a name of one label,
/// a multicast or the broadcast address.
#[test]
fn an_enclosure_host_directories_cannot_reach_is_said() {
    let url = "https://rulefixtures.net/podcast/audio/cbr-xing.mp3";
    let said = |host: &str| -> Vec<String> {
        let report = edited_valid(&|s| s.replace(url, &format!("https://{host}/cbr-xing.mp3")));
        of(&report, "APPLE-HOST-PUBLIC").iter().map(|f| format!("{:?}: {}", f.severity, f.message)).collect()
    };
    assert_eq!(said("rulefixtures.net"), Vec::<String>::new());
    assert_eq!(
        said("localhost."),
        ["Warning: the enclosure URL points at localhost.: only this computer can reach it"]
    );
    assert_eq!(
        said("intranet"),
        [
            "Error: the enclosure URL's host \"intranet\" is a name of one label, without a domain: public DNS does not resolve it, only a local network can"
        ]
    );
    assert_eq!(
        said("224.0.0.1"),
        ["Error: the enclosure URL points at 224.0.0.1, a multicast address: no server can be reached there"]
    );
    assert_eq!(
        said("255.255.255.255:8080"),
        ["Error: the enclosure URL points at 255.255.255.255, the broadcast address: no server can be reached there"]
    );
    assert_eq!(said("nas.local.").len(), 1);
}

/// Sizes and numbers are plain digits: a leading `+`, which Rust's parse
/// takes, is not a number to Apple's validator.
#[test]
fn a_number_with_a_plus_sign_is_not_a_whole_number() {
    assert_eq!(
        found_after("length=\"20271\"", "length=\"+20271\"", "APPLE-IT-ENCL-LENGTH"),
        ["Error: length=\"+20271\" is not a size in bytes (a whole number)"]
    );
    assert_eq!(
        found_after("<itunes:episode>1</itunes:episode>", "<itunes:episode>+1</itunes:episode>", "APPLE-IT-EPISODE"),
        ["Error: <itunes:episode>+1</itunes:episode> is not a whole number from 1 up"]
    );
    assert_eq!(
        found_after("<itunes:season>1</itunes:season>", "<itunes:season>+1</itunes:season>", "APPLE-IT-SEASON"),
        ["Error: <itunes:season>+1</itunes:season> is not a whole number from 1 up"]
    );
}

/// An episode title repeats the show's name only where the name is whole
/// words in it: "Tech" is not repeated in "FinTech".
#[test]
fn a_show_name_inside_a_word_of_a_title_is_not_a_repeat() {
    let titled = |episode: &'static str| {
        move |s: String| {
            s.replacen("<title>Rule Fixtures</title>", "<title>Tech</title>", 1).replacen(
                "<title>Pilot</title>",
                &format!("<title>{episode}</title>"),
                1,
            )
        }
    };
    let report = edited_valid(&titled("FinTech trends in 2024"));
    assert!(of(&report, "APPLE-IT-TITLE").is_empty(), "{:?}", ids(&report));
    let report = edited_valid(&titled("Big Tech in 2024"));
    let found = of(&report, "APPLE-IT-TITLE");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert!(found[0].message.contains("repeats the show's name"), "{found:?}");
}

/// A guid that is no URL is said to be a permalink as the feed makes it:
/// by default, or marked so.
#[test]
fn a_permalink_guid_that_is_no_url_is_said_as_the_feed_marks_it() {
    let guid = "<guid isPermaLink=\"false\">pilot-guid</guid>";
    assert_eq!(
        found_after(guid, "<guid isPermaLink=\"true\">urn:uuid:1234</guid>", "RSS-GUID-PERMALINK"),
        ["Warning: the guid \"urn:uuid:1234\" is marked as a permalink (isPermaLink=\"true\") but not an http(s) URL"]
    );
    assert_eq!(
        found_after(guid, "<guid>urn:uuid:1234</guid>", "RSS-GUID-PERMALINK"),
        ["Warning: the guid \"urn:uuid:1234\" is a permalink (isPermaLink is true by default) but not an http(s) URL"]
    );
}

/// A cover whose URL has no extension, its file looked into: said so, not
/// as a URL that "ends in .".
#[test]
fn a_cover_url_without_an_extension_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("rules/images")).unwrap();
    fs::copy(fixtures().join("rules/images/cover.jpg"), dir.path().join("rules/images/cover")).unwrap();
    let cover = "https://rulefixtures.net/podcast/rules/images/cover.jpg";
    let valid = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    assert!(valid.contains(cover));
    let text = valid.replacen(cover, "https://rulefixtures.net/podcast/rules/images/cover", 1);
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let local = LocalFiles { root: Some(dir.path().to_path_buf()), ..Default::default() };
    let opts = Options { local: Some(std::sync::Arc::new(local)), now, formats: Default::default() };
    let report = validate("edited.xml", text.as_bytes(), &opts);
    let found: Vec<&str> = of(&report, "APPLE-CH-IMAGE-FORMAT").iter().map(|f| f.message.as_str()).collect();
    let file = dir.path().join("rules/images/cover");
    assert_eq!(found, [format!("{} is a JPEG but its URL has no file extension", file.display())]);
}

/// `itunes:title` is held to `<title>`'s rule (no episode number, not the
/// show's name); a trailer's title is kept within 128 characters and its
/// season is a season number.
#[test]
fn an_itunes_title_and_a_trailer_are_held_to_their_rules() {
    let said = found_after;
    let pilot = "<itunes:title>Pilot</itunes:title>";
    assert_eq!(said(pilot, pilot, "APPLE-IT-TITLE"), Vec::<String>::new());
    assert_eq!(
        said(pilot, "<itunes:title>Episode 1: Pilot</itunes:title>", "APPLE-IT-TITLE"),
        ["Warning: <itunes:title>: its title \"Episode 1: Pilot\" starts with an episode number"]
    );
    assert_eq!(
        said(pilot, "<itunes:title>Pilot of Rule Fixtures</itunes:title>", "APPLE-IT-TITLE"),
        ["Warning: <itunes:title>: its title \"Pilot of Rule Fixtures\" repeats the show's name"]
    );
    let trailer = "type=\"audio/mpeg\">The trailer</podcast:trailer>";
    assert_eq!(said(trailer, trailer, "P20-TRAILER"), Vec::<String>::new());
    let long = format!("type=\"audio/mpeg\">{}</podcast:trailer>", "t".repeat(129));
    assert_eq!(said(trailer, &long, "P20-TRAILER"), ["Warning: the trailer's title is 129 characters long"]);
    assert_eq!(said(trailer, &format!("season=\"2\" {trailer}"), "P20-TRAILER"), Vec::<String>::new());
    assert_eq!(
        said(trailer, &format!("season=\"two\" {trailer}"), "P20-TRAILER"),
        ["Error: the trailer's season \"two\" is not a season number"]
    );
}

/// `podcast:updateFrequency`: a text, `complete` true or false, `dtstart`
/// a date, `rrule` an RFC 5545 rule, with a `dtstart` if it counts.
#[test]
fn an_update_frequency_is_checked_as_the_namespace_says() {
    let locked = "<podcast:locked owner=\"ann@rulefixtures.net\">yes</podcast:locked>";
    let said = |element: &str| found_after(locked, &format!("{locked}\n    {element}"), "P20-OTHER");
    let fine = [
        "<podcast:updateFrequency rrule=\"FREQ=WEEKLY\">Weekly</podcast:updateFrequency>",
        "<podcast:updateFrequency complete=\"true\" dtstart=\"2023-04-01T00:00:00.000Z\" rrule=\"FREQ=DAILY;COUNT=10\">Ten days</podcast:updateFrequency>",
        "<podcast:updateFrequency dtstart=\"2026-01-05\">Now and then</podcast:updateFrequency>",
    ];
    for element in fine {
        assert_eq!(said(element), Vec::<String>::new(), "{element}");
    }
    assert_eq!(
        said("<podcast:updateFrequency complete=\"yes\" dtstart=\"April\" rrule=\"WEEKLY\"></podcast:updateFrequency>"),
        [
            "Error: <podcast:updateFrequency> is empty",
            "Error: <podcast:updateFrequency complete=\"yes\"> is not true or false",
            "Error: <podcast:updateFrequency dtstart=\"April\"> is not an ISO 8601 date",
            "Error: <podcast:updateFrequency rrule=\"WEEKLY\"> is not an RFC 5545 rule (KEY=VALUE;…)",
        ]
    );
    assert_eq!(
        said("<podcast:updateFrequency rrule=\"INTERVAL=2\">Now and then</podcast:updateFrequency>"),
        [
            "Error: <podcast:updateFrequency rrule=\"INTERVAL=2\"> is an RFC 5545 rule with no FREQ (DAILY, WEEKLY, MONTHLY …)"
        ]
    );
    assert_eq!(
        said("<podcast:updateFrequency rrule=\"FREQ=WEEKLY;COUNT=6\">Six weeks</podcast:updateFrequency>"),
        [
            "Error: <podcast:updateFrequency rrule=\"FREQ=WEEKLY;COUNT=6\"> is a rule that counts its releases (COUNT) with no dtstart to count from"
        ]
    );
}

/// A title or name that opens or ends with spaces (Apple's tags take
/// none; apps show them as written) is said, for the show and for an
/// episode, CDATA too; the line breaks and indentation of a title written
/// on lines of its own are not spaces in it.
#[test]
fn a_title_or_name_with_spaces_around_it_is_said_and_indentation_is_not() {
    let padded = |from: &'static str, to: &'static str| {
        let report = edited_valid(&|s: String| {
            assert!(s.contains(from), "{from}");
            s.replacen(from, to, 1)
        });
        of(&report, "APPLE-CH-LEN")
            .iter()
            .map(|f| (f.message.clone(), f.line(), f.episode().is_some()))
            .collect::<Vec<_>>()
    };
    let said = |m: &str| {
        let (tag, text) = m.split_once(' ').unwrap();
        format!("{tag} opens or ends with spaces (around {text})")
    };
    assert_eq!(
        padded("<title>Rule Fixtures</title>", "<title> Rule Fixtures</title>"),
        [(said("<title> \"Rule Fixtures\""), Some(4), false)]
    );
    assert_eq!(
        padded("<itunes:author>Ann Example</itunes:author>", "<itunes:author><![CDATA[Ann Example ]]></itunes:author>"),
        [(said("<itunes:author> \"Ann Example\""), Some(11), false)]
    );
    assert_eq!(
        padded("<itunes:name>Ann Example</itunes:name>", "<itunes:name>\tAnn Example</itunes:name>"),
        [(said("<itunes:name> \"Ann Example\""), Some(12), false)]
    );
    assert_eq!(padded("<title>Pilot</title>", "<title>Pilot </title>"), [(said("<title> \"Pilot\""), Some(32), true)]);
    // On lines of their own: no spaces in the title.
    assert_eq!(padded("<title>Pilot</title>", "<title>\n        Pilot\n      </title>"), []);
    assert_eq!(padded("<title>Rule Fixtures</title>", "<title>\r\n  Rule Fixtures\r\n</title>"), []);
}

/// A guid that is a media URL (the enclosure's, or any audio file's: also
/// one behind a tracking prefix) is a warning, said once for the feed at
/// the first such item, with how many others share it; a guid that is
/// another URL (a page's) is not. podsmith's own feeds (their `generator`)
/// are not warned: their guids stay as published (podsmith.lock), here
/// one that a podcaster gave as a media URL.
#[test]
fn a_guid_that_is_a_media_url_is_a_warning_except_in_podsmiths_own_feeds() {
    const PILOT: &str = r#"<guid isPermaLink="false">pilot-guid</guid>"#;
    const SECOND: &str = r#"<guid isPermaLink="false">second-guid</guid>"#;
    let report =
        edited_valid(&|s| s.replacen(SECOND, "<guid>https://rulefixtures.net/podcast/audio/cbr-xing.mp3</guid>", 1));
    let found = of(&report, "MISTAKE-GUID-UNSTABLE");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].message, "the guid \"https://rulefixtures.net/podcast/audio/cbr-xing.mp3\" is a media URL");
    // Both, one behind a tracking prefix: said once, at the first.
    let both = |s: String| {
        s.replacen(
            PILOT,
            "<guid>https://dts.podtrac.com/redirect.mp3/rulefixtures.net/podcast/audio/pair-5s.mp3</guid>",
            1,
        )
        .replacen(SECOND, "<guid>https://rulefixtures.net/podcast/audio/cbr-xing.mp3</guid>", 1)
    };
    let report = edited_valid(&both);
    let found = of(&report, "MISTAKE-GUID-UNSTABLE");
    assert_eq!(found.len(), 1, "{:?}", ids(&report));
    assert!(
        found[0].message.ends_with("is a media URL, as is the guid of the feed's other item"),
        "{}",
        found[0].message
    );
    // The enclosure's very URL, even without a media extension.
    let report = edited_valid(&|s| {
        s.replacen(
            r#"<enclosure url="https://rulefixtures.net/podcast/audio/cbr-xing.mp3""#,
            r#"<enclosure url="https://rulefixtures.net/podcast/audio/2""#,
            1,
        )
        .replacen(SECOND, "<guid>https://rulefixtures.net/podcast/audio/2</guid>", 1)
    });
    assert_eq!(of(&report, "MISTAKE-GUID-UNSTABLE").len(), 1, "{:?}", ids(&report));
    // A page's URL, the RSS default of a permalink guid, is not a media URL.
    let report =
        edited_valid(&|s| s.replacen(SECOND, "<guid>https://rulefixtures.net/podcast/episodes/second/</guid>", 1));
    assert!(of(&report, "MISTAKE-GUID-UNSTABLE").is_empty(), "{:?}", ids(&report));
    // podsmith's own feed.
    let report =
        edited_valid(&|s| both(s).replacen("<language>", "<generator>podsmith</generator>\n    <language>", 1));
    assert!(of(&report, "MISTAKE-GUID-UNSTABLE").is_empty(), "{:?}", ids(&report));
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let guid = "c709453a-f377-4b70-b132-fea0cf9a9ee4";
    assert!(manifest.contains(guid));
    show.write("episodes.toml", &manifest.replacen(guid, "https://media.example.net/episode.mp3", 1));
    let run = show.build().ok();
    assert!(!run.stderr.contains("MISTAKE-GUID-UNSTABLE"), "{}", run.stderr);
    let run = show.run(&["validate", "public/feed.xml"]);
    assert!(!run.stdout.contains("MISTAKE-GUID-UNSTABLE"), "{}", run.stdout);
}

/// Two full episodes with one number (a hand edit; `add` refuses a number
/// taken) are a warning naming both and their lines, in `build` and in
/// `validate` of the show (which counts it for `--strict`). A bonus episode
/// with that number is the episode's bonus content, and is fine.
#[test]
fn two_full_episodes_with_one_number_are_a_warning_naming_both() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("\nepisode = 3\n", "\nepisode = 2\n", 1));
    let said = "warning: episodes.toml:79:1: episode 3 (\"Björn Rabenstein on Prometheus\") has the same episode \
                number 2 as episode 2 (\"Miek Gieben on CoreDNS\") at line 48\n  help: apps list a show's episodes \
                by their numbers: give one of them its own (episode = 5 is free), or, if it is the other's trailer \
                or bonus content, say so: type = \"trailer\" or type = \"bonus\"\n";
    let as_of = ["--as-of", "2026-06-01T00:00:00Z"];
    let run = show.run(&[&["validate"][..], &as_of].concat()).ok();
    assert!(run.stdout.starts_with(&format!("{said}feed.xml:\n")), "{}", run.stdout);
    assert!(run.stdout.contains("\nthe show's files: passes — 1 warning\n"), "{}", run.stdout);
    // Under --strict the verdict says why it fails, though each feed passes.
    let run = show.run(&[&["validate", "--strict"][..], &as_of].concat()).fails(1);
    assert!(run.stdout.contains("\nthe show's files: fails under --strict — 1 warning\n"), "{}", run.stdout);
    let run = show.run(&[&["validate", "--format", "json"][..], &as_of].concat()).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((&v["diagnostics"][0]["rule"], &v["diagnostics"][0]["line"]), (&"EPISODE-NUMBER".into(), &79.into()));
    assert_eq!(v["warnings"], 3, "the number's, and each feed's PLACEHOLDER");
    let run = show.run(&[&["build"][..], &as_of].concat()).ok();
    assert_eq!(run.stderr.matches(said).count(), 1, "{}", run.stderr);

    // Of another season, or a bonus: fine.
    for fine in ["\nepisode = 2\ntype = \"bonus\"\n", "\nepisode = 2\nseason = 2\n"] {
        show.write("episodes.toml", &manifest.replacen("\nepisode = 3\n", fine, 1));
        let run = show.run(&[&["validate"][..], &as_of].concat()).ok();
        assert!(run.stdout.starts_with("feed.xml:\n"), "only the PLACEHOLDER warnings: {}", run.stdout);
    }
}

/// What a directory reviewer found too strict, too quiet or unclear, each
/// as a directory takes it: a blocked show is a warning and a blocked
/// episode a note (either may be meant); a channel without `link` (Apple: recommended), an http link a
/// listener follows (a person's home page) and the http form of the
/// podcast namespace (Podcast Index reads it) are warnings, while an http
/// file apps fetch (chapters) stays an error; a leap second is a time.
#[test]
fn what_directories_accept_is_not_an_error_and_a_block_is_a_note() {
    let said = found_after;
    let block = "<itunes:type>episodic</itunes:type>";
    assert_eq!(
        said(block, &format!("{block}<itunes:block>Yes</itunes:block>"), "APPLE-CH-BLOCK"),
        ["Warning: <itunes:block>Yes</itunes:block>: Apple Podcasts will not list the show"]
    );
    let date = "<pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>";
    assert_eq!(
        said(date, &format!("{date}<itunes:block>yes</itunes:block>"), "APPLE-IT-BLOCK"),
        ["Info: <itunes:block>yes</itunes:block>: Apple Podcasts hides the episode"]
    );
    assert_eq!(
        said(block, &format!("{block}<podcast:block>yes</podcast:block>"), "P20-OTHER"),
        [
            "Warning: <podcast:block>yes</podcast:block>: apps and directories that honour it (Podcast Index) will not list the show"
        ]
    );
    assert_eq!(
        said("<link>https://rulefixtures.net/podcast/</link>", "", "RSS-CH-REQ"),
        ["Warning: the channel has no <link>"]
    );
    assert_eq!(
        said("href=\"https://rulefixtures.net/ann\"", "href=\"http://rulefixtures.net/ann\"", "P20-HTTPS"),
        ["Warning: <podcast:person> has href=\"http://rulefixtures.net/ann\"; the namespace requires https"]
    );
    let chapters = "url=\"https://rulefixtures.net/podcast/rules/chapters.json\"";
    let found = said(chapters, "url=\"http://rulefixtures.net/podcast/rules/chapters.json\"", "P20-HTTPS");
    assert!(found.len() == 1 && found[0].starts_with("Error: <podcast:chapters> has url="), "{found:?}");
    // The podcast namespace written with http: said once, its tags still read.
    let report = edited_valid(&|s| {
        s.replacen("https://podcastindex.org/namespace/1.0", "http://podcastindex.org/namespace/1.0", 1)
    });
    let exact: Vec<String> = of(&report, "XML-NS-EXACT").iter().map(|f| format!("{:?}", f.severity)).collect();
    assert_eq!(exact, ["Warning"], "{:?}", ids(&report));
    assert!(of(&report, "PSP-CH-REC").is_empty(), "{:?}", ids(&report));
    // Apple's namespace written with https: an error, said once, not as every tag missing.
    let report = edited_valid(&|s| s.replacen("http://www.itunes.com/dtds", "https://www.itunes.com/dtds", 1));
    assert_eq!(of(&report, "XML-NS-EXACT").len(), 1, "{:?}", ids(&report));
    assert!(of(&report, "APPLE-CH-IMAGE").is_empty() && of(&report, "APPLE-CH-CAT").is_empty(), "{:?}", ids(&report));
    assert!(said(date, "<pubDate>Sat, 31 Dec 2016 23:59:60 +0000</pubDate>", "APPLE-IT-PUBDATE").is_empty());
    // Whatever the prefix it is bound to, the https URI is said.
    let report = edited_valid(&|s| {
        s.replace("itunes:", "it:")
            .replace("xmlns:itunes=\"http://www.itunes.com/dtds", "xmlns:it=\"https://www.itunes.com/dtds")
    });
    let exact: Vec<&str> = of(&report, "XML-NS-EXACT").iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        exact,
        ["xmlns:it=\"https://www.itunes.com/dtds/podcast-1.0.dtd\" is not the itunes namespace apps look for"],
        "{:?}",
        ids(&report)
    );
}

/// Messages that say what is wrong, and the fix that helps.
#[test]
fn the_fix_said_is_the_one_that_helps() {
    let help = |from: &str, to: &str, code: &str| {
        let report = edited_valid(&|s: String| s.replacen(from, to, 1));
        of(&report, code)
            .iter()
            .map(|f| format!("{} | {}", f.message, f.help.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let lang = "<language>en</language>";
    let found = help(lang, "<language>iw</language>", "APPLE-CH-LANG");
    assert!(
        found.len() == 1 && found[0].ends_with("\"iw\" is the withdrawn code: use <language>he</language>"),
        "{found:?}"
    );
    let found = help(lang, "<language>in_</language>", "APPLE-CH-LANG");
    assert!(found.len() == 1 && found[0].ends_with("use <language>id</language>"), "{found:?}");
    let found = help(lang, "<language>en_US</language>", "APPLE-CH-LANG");
    assert!(
        found.len() == 1 && found[0].ends_with("join the region with a hyphen: <language>en-US</language>"),
        "{found:?}"
    );
    let sub = "<itunes:category text=\"Documentary\"/>";
    let found = help(sub, "<itunes:category>Documentary</itunes:category>", "APPLE-CH-CAT");
    assert_eq!(
        found,
        [
            "the subcategory \"Documentary\" of \"Society & Culture\" is written as the element's text, not in its text attribute: Apple reads only the attribute | write <itunes:category text=\"Documentary\"/> inside <itunes:category text=\"Society & Culture\">"
        ]
    );
    // A subcategory nested in a parent it is not Apple's under: its own.
    let found = help(sub, "<itunes:category text=\"Investing\"/>", "APPLE-CH-CAT");
    assert_eq!(
        found,
        [
            "\"Society & Culture > Investing\" is not an Apple Podcasts category | \"Investing\" is a subcategory of \"Business\": <itunes:category text=\"Business\"><itunes:category text=\"Investing\"/></itunes:category>"
        ]
    );
    let found = help("split=\"100\"", "split=\"-5\"", "P20-VALUE");
    assert!(
        found.len() == 1
            && found[0].starts_with("<podcast:valueRecipient split=\"-5\"> is not a share of zero or more"),
        "{found:?}"
    );
}

/// A raw < in text is said once, as itself, not as every word after it a
/// malformed attribute (35 errors, the first 34 asking to quote attributes).
#[test]
fn a_raw_less_than_in_text_is_said_once_as_itself() {
    for text in ["Conversations < the people who build", "I <3 this show"] {
        let report = edited_valid(&|s| s.replacen("<description>", &format!("<description>{text} "), 1));
        let found: Vec<&str> = of(&report, "XML-WELLFORMED").iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found, ["a < that starts no tag (no name after it): it is a raw < in the text"], "{text}");
    }
    // One that reads as a tag with a name: each such tag said once.
    let report = edited_valid(&|s| s.replacen("<description>", "<description>x<y and z w ", 1));
    let malformed =
        of(&report, "XML-WELLFORMED").iter().filter(|f| f.message.starts_with("a malformed attribute")).count();
    assert!(malformed <= 2, "{:?}", of(&report, "XML-WELLFORMED"));
}

/// A namespace tag where the namespace does not put it is said (apps
/// ignore it there), with where it goes; a tag it does not define is a
/// note with the name meant; the valid feed's own tags are where they go.
#[test]
fn a_namespace_tag_out_of_its_place_is_said_and_an_unknown_one_noted() {
    let report = edited_valid(&|s| {
        s.replacen("    <item>", "    <podcast:season>1</podcast:season>\n    <item>", 1).replacen(
            "      <podcast:transcript ",
            "      <podcast:locked>no</podcast:locked><podcast:transcripts url=\"https://x.example/t.vtt\"/><podcast:funding url=\"https://x.example/tip\">Tip this episode</podcast:funding><podcast:transcript ",
            1,
        )
    });
    // (An episode's own funding is where the namespace allows it: no finding.)
    assert!(of(&report, "P20-FUNDING").is_empty(), "{:?}", ids(&report));
    let found: Vec<String> = of(&report, "P20-PLACE")
        .iter()
        .map(|f| format!("{:?}: {} | {}", f.severity, f.message, f.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            "Warning: <podcast:season> is in the channel: the namespace puts it in an <item>, and apps ignore it here | move it into the item of the episode it is for",
            "Info: <podcast:transcripts> is not a tag of the Podcasting 2.0 namespace: apps ignore it | did you mean <podcast:transcript>?",
            "Warning: <podcast:locked> is in an item: the namespace puts it in the <channel>, and apps ignore it here | move it into the channel, once for the show",
        ],
        "{:?}",
        ids(&report)
    );
}

/// Values the build refuses in a manifest are said by `validate` in a
/// feed: a transcript's language and rel, a location's geo, osm and rel;
/// the namespace's older address is a note.
#[test]
fn namespace_values_the_build_refuses_are_said_in_a_feed() {
    let report = edited_valid(&|s| {
        s.replacen(" type=\"text/vtt\"/>", " type=\"text/vtt\" language=\"english\" rel=\"caption\"/>", 1)
            .replacen(
                "<podcast:license>",
                "<podcast:location geo=\"52.5,13.4\" osm=\"62422\" rel=\"place\">Berlin</podcast:location><podcast:license>",
                1,
            )
            .replacen(
                "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"",
                "xmlns:podcast=\"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md\"",
                1,
            )
    });
    let said = |code: &str| -> Vec<String> {
        of(&report, code).iter().map(|f| format!("{:?}: {}", f.severity, f.message)).collect()
    };
    assert_eq!(
        said("P20-TRANSCRIPT"),
        [
            "Warning: transcript language=\"english\" is not an ISO 639 language code",
            "Warning: transcript rel=\"caption\" is not one the namespace defines: apps do not take it for captions",
        ]
    );
    assert_eq!(
        said("P20-OTHER"),
        [
            "Warning: <podcast:location geo=\"52.5,13.4\"> is not a geo: URI (RFC 5870)",
            "Warning: <podcast:location osm=\"62422\"> is not an OpenStreetMap element",
            "Warning: <podcast:location rel=\"place\"> is neither subject nor creator",
        ]
    );
    let list = edited_valid(&|s| s.replacen("<podcast:medium>podcast<", "<podcast:medium>podcastL<", 1));
    let found: Vec<String> =
        of(&list, "P20-MEDIUM").iter().map(|f| format!("{:?}: {}", f.severity, f.message)).collect();
    assert_eq!(
        found,
        [
            "Warning: <podcast:medium>podcastL</podcast:medium> is a list medium, for a feed of podcast:remoteItems, but the feed has items: apps may not show them"
        ]
    );
    assert_eq!(
        said("XML-NS-EXACT"),
        [
            "Info: xmlns:podcast=\"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md\" is the podcast namespace at its older address: readers must accept it, but it is no longer the namespace's own"
        ]
    );
}

/// What a directory reviewer found too quiet: a live item's status, times
/// and content link; HTML in `itunes:summary` and `itunes:subtitle`,
/// which are plain text; a show description of tags alone.
#[test]
fn live_items_plain_text_tags_and_a_description_of_tags_alone_are_checked() {
    let said = found_after;
    let end = "  </channel>";
    let live = |attrs: &str, inner: &str| {
        format!(
            "<podcast:liveItem {attrs}><title>Live</title><guid isPermaLink=\"false\">live-1</guid>\
             <enclosure url=\"https://rulefixtures.net/live.mp3\" type=\"audio/mpeg\" length=\"33\"/>{inner}\
             </podcast:liveItem>\n{end}"
        )
    };
    let link = "<podcast:contentLink href=\"https://rulefixtures.net/watch\">Watch</podcast:contentLink>";
    assert_eq!(
        said(end, &live("status=\"live\" start=\"2021-09-26T07:30:00.000-0600\"", link), "P20-ATTR-REQ"),
        [""; 0]
    );
    assert_eq!(
        said(end, &live("status=\"soon\" start=\"Mon, 01 Jul 2024 16:00:00 -0500\"", ""), "P20-ATTR-REQ"),
        [
            "Error: <podcast:liveItem status=\"soon\"> is not pending, live or ended",
            "Error: <podcast:liveItem start=\"Mon, 01 Jul 2024 16:00:00 -0500\"> is not an ISO 8601 date and time",
            "Warning: <podcast:liveItem> has no <podcast:contentLink>",
        ]
    );
    let description = "<description>Short notes.</description>";
    assert_eq!(
        said(
            description,
            &format!(
                "{description}<itunes:summary>Hello &lt;b&gt;world&lt;/b&gt;</itunes:summary><itunes:subtitle><![CDATA[a < b, <i>hi</i>]]></itunes:subtitle>"
            ),
            "APPLE-CH-LEN"
        ),
        [
            "Warning: <itunes:summary> holds HTML (<b>): it is plain text, and apps show the tags as written",
            "Warning: <itunes:subtitle> holds HTML (<i>): it is plain text, and apps show the tags as written",
        ]
    );
    let show = "<description>A feed that passes every rule; each other file here breaks one.</description>";
    for empty in ["<description><![CDATA[<p></p>]]></description>", "<description>&lt;br/&gt; &amp;nbsp;</description>"]
    {
        assert_eq!(
            said(show, empty, "APPLE-CH-DESC"),
            ["Error: the show description is empty once its HTML tags are left out"],
            "{empty}"
        );
    }
    assert_eq!(said(show, "<description><![CDATA[<p>a &lt; b</p>]]></description>", "APPLE-CH-DESC"), [""; 0]);
}

/// A URL of a kind podsmith does not fetch is said as such, not as a file
/// not found; a folder is not told to be piped in.
#[test]
fn a_url_podsmith_does_not_fetch_and_a_folder_are_said_as_they_are() {
    let show = Show::empty();
    let run = show.run(&["validate", "ftp://example.com/feed.xml"]).fails(2);
    assert!(run.stderr.contains("podsmith fetches http:// and https:// URLs only"), "{}", run.stderr);
    std::fs::create_dir_all(show.path("feeds")).unwrap();
    let run = show.run(&["validate", "feeds"]).fails(2);
    assert!(run.stderr.contains("cannot read feeds: it is a folder, not a file\n"), "{}", run.stderr);
    assert!(!run.stderr.contains("pipe"), "{}", run.stderr);
}

/// A whole number too large for apps is said so, not as "not a whole number".
#[test]
fn a_number_too_large_is_said_so() {
    let date = "<pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>";
    assert_eq!(
        found_after(date, &format!("{date}<itunes:episode>4294967296</itunes:episode>"), "APPLE-IT-EPISODE"),
        ["Error: <itunes:episode>4294967296</itunes:episode> is too large for apps (at most 4294967295)"]
    );
    assert_eq!(
        found_after(date, &format!("{date}<itunes:episode>0</itunes:episode>"), "APPLE-IT-EPISODE"),
        ["Error: <itunes:episode>0</itunes:episode> is not a whole number from 1 up"]
    );
}

/// A namespace not declared is said first: the findings of tags not found
/// that follow come of it.
#[test]
fn a_namespace_not_declared_is_said_before_what_comes_of_it() {
    let report =
        edited_valid(&|s: String| s.replacen(" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"", "", 1));
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_ref()).collect();
    assert_eq!(codes.first(), Some(&"XML-NS-DECLARED"), "{codes:?}");
    assert!(codes.contains(&"APPLE-CH-IMAGE"), "{codes:?}");
}

/// An item without a title is headed by its place alone, not as
/// "episode item 2 (item 2)".
#[test]
fn an_item_without_a_title_is_headed_by_its_place() {
    let show = Show::empty();
    let xml = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    assert!(xml.contains("<title>Second</title>"));
    show.write("feed.xml", &xml.replacen("<title>Second</title>", "", 1));
    let run = show.run(&["validate", "feed.xml"]).fails(1);
    assert!(run.stdout.contains("\n  item 2\n    error   APPLE-IT-TITLE"), "{}", run.stdout);
    assert!(!run.stdout.contains("episode item 2"), "{}", run.stdout);
}

/// Spaces around an enclosure URL are one finding: the URL within is
/// judged as it is (not said to lack its scheme, nor to end in ".mp3 ").
#[test]
fn spaces_around_an_enclosure_url_are_one_finding() {
    let url = "<enclosure url=\"https://rulefixtures.net/podcast/audio/cbr-xing.mp3\"";
    let spaced = "<enclosure url=\" https://rulefixtures.net/podcast/audio/cbr-xing.mp3 \"";
    let report = edited_valid(&|s: String| {
        assert!(s.contains(url));
        s.replacen(url, spaced, 1)
    });
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_ref()).collect();
    assert_eq!(codes, ["APPLE-IT-ENCL-ASCII"], "{:?}", report.findings);
    assert!(report.findings[0].message.ends_with("has spaces around it"), "{:?}", report.findings);
}

/// A DOCTYPE is a warning (parsers that refuse DTDs refuse the feed); one
/// that declares entities is said where they are used, once.
#[test]
fn a_doctype_is_warned_of() {
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let doctype = "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n";
    let report = edited_valid(&|s: String| {
        assert!(s.starts_with(decl));
        s.replacen(decl, &format!("{decl}{doctype}"), 1)
    });
    let found: Vec<String> =
        report.findings.iter().map(|f| format!("{:?} {}: {}", f.severity, f.code, f.message)).collect();
    assert_eq!(
        found,
        [
            "Warning XML-WELLFORMED: the feed has a DOCTYPE, which podcast apps do not read; parsers that refuse DTDs (the .NET default among them) refuse the whole feed"
        ]
    );
}

/// An episode's empty `itunes:title` (apps that show it rather than its
/// title show none), and HTML written as elements into `itunes:summary`
/// (plain text, as much as HTML in CDATA is) are warned of; a cover URL
/// with a space in it is told as one (not as no absolute URL).
#[test]
fn an_empty_itunes_title_html_elements_in_a_summary_and_a_cover_url_with_a_space_are_told() {
    let said = |report: &Report, code: &str| -> Vec<String> {
        of(report, code).iter().map(|f| format!("{:?}: {}", f.severity, f.message)).collect()
    };
    let report =
        edited_valid(&|s| s.replacen("<itunes:title>Pilot</itunes:title>", "<itunes:title></itunes:title>", 1));
    assert_eq!(
        said(&report, "APPLE-IT-TITLE"),
        [
            "Warning: the item's <itunes:title> is empty: apps that show it rather than <title> (Apple, Podcast Index) show no title"
        ]
    );
    let report = edited_valid(&|s| {
        s.replacen(
            "<itunes:title>Pilot</itunes:title>",
            "<itunes:summary>Ann talks about <b>rules</b>.</itunes:summary>",
            1,
        )
    });
    assert_eq!(
        said(&report, "APPLE-CH-LEN"),
        ["Warning: <itunes:summary> holds HTML (<b>): it is plain text, and apps show the tags as written"]
    );
    // An element of another namespace is no HTML.
    let report = edited_valid(&|s| {
        s.replacen(
            "<itunes:title>Pilot</itunes:title>",
            "<itunes:summary>Ann <x:b xmlns:x=\"urn:x\">talks</x:b>.</itunes:summary>",
            1,
        )
    });
    assert!(said(&report, "APPLE-CH-LEN").is_empty(), "{:?}", ids(&report));
    // Spaces around the address are spaces in it, not a URL that is not absolute.
    let report = edited_valid(&|s| s.replacen("<itunes:image href=\"https", "<itunes:image href=\" https", 1));
    assert!(said(&report, "APPLE-CH-IMAGE").is_empty(), "{:?}", ids(&report));
    assert_eq!(said(&report, "APPLE-IT-ENCL-ASCII").len(), 1, "{:?}", ids(&report));
    let report = edited_valid(&|s| s.replacen("images/cover.jpg\"/>", "images/my cover.jpg\"/>", 1));
    assert!(said(&report, "APPLE-CH-IMAGE").is_empty(), "{:?}", ids(&report));
    assert_eq!(
        said(&report, "APPLE-IT-ENCL-ASCII"),
        [
            "Error: the cover art URL \"https://rulefixtures.net/podcast/rules/images/my cover.jpg\" has spaces or non-ASCII characters"
        ]
    );
}

/// A chapters file (with --media-root) lists chapters, each from 0 and
/// before the audio ends, or it is said; one not there is said as a
/// missing file is.
#[test]
fn a_chapters_file_is_checked_against_its_audio_and_a_missing_one_is_said() {
    let root = tempfile::tempdir().unwrap();
    for folder in ["audio", "rules/images"] {
        fs::create_dir_all(root.path().join(folder)).unwrap();
        for f in fs::read_dir(fixtures().join(folder)).unwrap().filter_map(Result::ok).filter(|f| f.path().is_file()) {
            fs::copy(f.path(), root.path().join(folder).join(f.file_name())).unwrap();
        }
    }
    let text = fs::read_to_string(fixtures().join("rules/valid.xml")).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let found = |chapters: Option<&str>| -> Vec<String> {
        let path = root.path().join("rules/chapters.json");
        match chapters {
            Some(json) => fs::write(&path, json).unwrap(),
            None => drop(fs::remove_file(&path)),
        }
        let local = LocalFiles { root: Some(root.path().to_path_buf()), ..Default::default() };
        let opts = Options { local: Some(std::sync::Arc::new(local)), now, formats: Default::default() };
        let report = validate("valid.xml", text.as_bytes(), &opts);
        let codes = ["P20-CHAPTERS", "MEDIA-MISSING"];
        report.findings.iter().filter(|f| codes.contains(&f.code.as_ref())).map(|f| f.message.clone()).collect()
    };
    let chapters = |starts: &str| format!("{{\"version\": \"1.2.0\", \"chapters\": [{starts}]}}");
    assert_eq!(found(Some(&chapters("{\"startTime\": 0}, {\"startTime\": 2.5}"))), Vec::<String>::new());
    let file = root.path().join("rules/chapters.json").display().to_string();
    let name = file.rsplit('/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/");
    let said = found(Some(&chapters("{\"startTime\": -5}")));
    assert!(said.len() == 1 && said[0].ends_with("starts at -5 seconds, before the audio does"), "{said:?}");
    let said = found(Some(&chapters("{\"startTime\": 0}, {\"startTime\": 500}")));
    assert!(
        said.len() == 1 && said[0].contains("chapter 2 in ") && said[0].contains("after the audio ends (5."),
        "{said:?}"
    );
    let said = found(Some(&chapters("")));
    assert!(said.len() == 1 && said[0].ends_with("lists no chapters"), "{said:?}");
    assert!(said[0].contains(&name), "{said:?} {name}");
    assert_eq!(
        found(None),
        [
            "no local file for the chapters URL https://rulefixtures.net/podcast/rules/chapters.json; its [M] checks were skipped"
        ]
    );
}

/// An empty `psc:chapters`, a trailer's length that is no number, an
/// empty licence and an episode number with a sign or an exponent are said.
#[test]
fn empty_simple_chapters_a_trailer_length_an_empty_licence_and_an_odd_episode_number_are_said() {
    // (What the valid feed holds, what it is made, the rule, what is said.)
    let episode = |n: &str| format!("</itunes:episode><podcast:episode>{n}</podcast:episode>");
    let odd = |n: &str| format!("<podcast:episode>{n}</podcast:episode> is not a number as the namespace writes one");
    let psc = "<psc:chapters version=\"1.2\">";
    let cases = [
        (
            psc,
            format!("{psc}</psc:chapters>{psc}"),
            "PSC-CHAPTERS",
            Some("<psc:chapters> holds no <psc:chapter>".into()),
        ),
        (
            "length=\"24449\" type=\"audio/mpeg\">The trailer",
            "length=\"abc\" type=\"audio/mpeg\">The trailer".into(),
            "P20-TRAILER",
            Some("the trailer's length \"abc\" is not a number of bytes".into()),
        ),
        (
            "<podcast:license>CC-BY-4.0</podcast:license>",
            "<podcast:license></podcast:license>".into(),
            "P20-LICENSE",
            Some("<podcast:license> is empty".into()),
        ),
        ("</itunes:episode>", episode("-2"), "P20-EPISODE", Some(odd("-2"))),
        ("</itunes:episode>", episode("1e3"), "P20-EPISODE", Some(odd("1e3"))),
        ("</itunes:episode>", episode("315.5"), "P20-EPISODE", None),
    ];
    for (from, to, code, expected) in cases {
        let report = edited_valid(&|s| s.replacen(from, &to, 1));
        let said: Vec<String> = of(&report, code).iter().map(|f| f.message.clone()).collect();
        assert_eq!(said, expected.into_iter().collect::<Vec<String>>(), "{to}");
    }
}
