use std::fs;
use std::path::Path;

use super::reading::suggested_guid;
use super::*;

/// A show folder with a few empty "media" files (the manifest only checks
/// that they exist; probing happens later).
fn show_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("media")).unwrap();
    for f in ["a.mp3", "a.ogg", "b.mp3", "cover.jpg"] {
        fs::write(dir.path().join("media").join(f), b"x").unwrap();
    }
    dir
}

const PODCAST: &str = r#"[podcast]
title = "Show & Tell"
description = "About things."
author = "Ann"
owner = { email = "ann@example.com" }
language = "en"
categories = ["Technology", "Society & Culture > Documentary"]
base_url = "https://example.com/pod"
image = "media/cover.jpg"
"#;

const EPISODE: &str = r#"
[[episode]]
title = "First"
guid = "g-1"
date = 2024-03-01T10:00:00+01:00
media = ["media/a.mp3", "media/a.ogg"]
notes = "Hello"
"#;

fn parse_in(dir: &Path, src: &str) -> Result<Show, Vec<Problem>> {
    parse(src, Path::new("episodes.toml"), dir)
}

fn errors(src: &str) -> String {
    let dir = show_dir();
    let problems = parse_in(dir.path(), src).expect_err("should fail");
    // Each problem where it is, with its help; then how many.
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| match &p.help {
            Some(h) => format!("{}: {}\n  help: {h}", p.location, p.message),
            None => format!("{}: {}", p.location, p.message),
        })
        .collect();
    lines.push(ManifestError::Invalid { problems }.to_string());
    lines.join("\n")
}

#[test]
fn can_parse_a_minimal_show_with_defaults() {
    let dir = show_dir();
    let show = parse_in(dir.path(), &format!("{PODCAST}{EPISODE}")).unwrap();
    let p = &show.podcast;
    assert_eq!(p.title, "Show & Tell");
    assert_eq!(p.base_url.as_str(), "https://example.com/pod/");
    assert_eq!(p.link.as_str(), "https://example.com/pod/");
    assert_eq!(p.owner.name, "Ann");
    assert!(!p.explicit);
    assert_eq!(p.show_type, ShowType::Episodic);
    assert_eq!(p.categories[1], Category { name: "Society & Culture", sub: Some("Documentary") });
    let e = &show.episodes[0];
    assert_eq!(e.slug, "first");
    assert_eq!(e.date.to_rfc3339(), "2024-03-01T10:00:00+01:00");
    assert_eq!(e.media.iter().map(|m| m.key()).collect::<Vec<_>>(), ["media/a.mp3", "media/a.ogg"]);
    assert_eq!(e.media[0].line(), 15);
    assert_eq!(e.episode_type, EpisodeType::Full);
}

#[test]
fn accepts_show_as_an_alias_and_local_dates_take_the_shows_offset() {
    let dir = show_dir();
    let src = format!(
        "{}utc_offset = \"-05:00\"\n{}",
        PODCAST.replace("[podcast]", "[show]"),
        EPISODE.replace("2024-03-01T10:00:00+01:00", "2024-03-01")
    );
    let show = parse_in(dir.path(), &src).unwrap();
    assert_eq!(show.episodes[0].date.to_rfc3339(), "2024-03-01T00:00:00-05:00");
}

#[test]
fn errors_on_unknown_keys_with_a_suggestion() {
    let src = format!("{PODCAST}{}", EPISODE.replace("notes =", "noets ="));
    assert_eq!(
        errors(&src),
        "episodes.toml:16:1: unknown key `noets` in episode 1 (\"First\")\n  help: did you mean `notes`?\n1 problem in episodes.toml"
    );
}

/// Keys written below an `[[episode.chapters]]` header are the chapter's
/// in TOML (its best-known trap): each is said to belong above the
/// chapters, at its line; a key chapters have too (`title`), which the
/// last chapter takes, is said as the episode's missing one, with where
/// it is. No "add media = …" for an episode whose `media` is right there.
#[test]
fn episode_keys_below_a_chapter_header_are_said_to_belong_above_it() {
    let src = format!(
        "{PODCAST}\n[[episode]]\nguid = \"g-1\"\ndate = 2024-03-01T10:00:00+01:00\n\n[[episode.chapters]]\n\
         start = \"0:00\"\ntitle = \"Intro\"\n\n[[episode.chapters]]\nstart = \"0:01\"\ntitle = \"Talk\"\n\
         title = \"First\"\nmedia = [\"media/a.mp3\"]\nseason = 2\n"
    );
    let said = errors(&src);
    // (A title twice in one table is TOML's own error: a chapter with a
    // title of its own takes none of the episode's.)
    let src = src.replace("title = \"Talk\"\n", "");
    let said_too = errors(&src);
    assert!(said.contains("duplicate key"), "{said}");
    assert_eq!(
        said_too,
        "episodes.toml:11:1: episode 1 has no `title`\n  help: add title = \"Episode title\" above line 15 (the `title` \
         on line 21 is chapter 2's: in TOML every key after a [[episode.chapters]] header is that table's)\n\
         episodes.toml:22:1: `media` here belongs to chapter 2 of episode 1, not to the episode: it comes after the \
         chapter's `[[episode.chapters]]` header on line 19\n  help: in TOML every key after a [[...]] header is that \
         table's: move `media` above line 15 (the first chapter's header), with the episode's other keys\n\
         episodes.toml:23:1: `season` here belongs to chapter 2 of episode 1, not to the episode: it comes after the \
         chapter's `[[episode.chapters]]` header on line 19\n  help: in TOML every key after a [[...]] header is that \
         table's: move `season` above line 15 (the first chapter's header), with the episode's other keys\n3 \
         problems in episodes.toml"
    );
    // Moved above the chapters, they are the episode's.
    let fixed = src
        .replace("title = \"First\"\nmedia = [\"media/a.mp3\"]\nseason = 2\n", "")
        .replace("guid = \"g-1\"\n", "guid = \"g-1\"\ntitle = \"First\"\nmedia = [\"media/a.mp3\"]\nseason = 2\n");
    let fixed = fixed.replacen("start = \"0:01\"\n", "start = \"0:01\"\ntitle = \"Talk\"\n", 1);
    let show = parse_in(show_dir().path(), &fixed).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((show.episodes[0].title.as_str(), show.episodes[0].season), ("First", Some(2)));
}

/// A key under its name in RSS or another tool is told the manifest's
/// name for it; a key of the show in an episode (or the reverse) is told
/// where it goes; the keys listed otherwise are listed once each.
#[test]
fn keys_by_other_names_or_in_the_wrong_table_are_told_where_they_go() {
    for (given, help) in [
        ("description = \"x\"", "did you mean `notes`?"),
        ("pubDate = 2020-01-01", "did you mean `date`?"),
        ("enclosure = \"media/a.mp3\"", "did you mean `media`?"),
        ("episodeType = \"bonus\"", "did you mean `type`?"),
        ("\"itunes:summary\" = \"x\"", "did you mean `notes`?"),
        ("categories = [\"Arts\"]", "that is the show's: give it once, in [podcast]"),
    ] {
        let said = errors(&format!("{PODCAST}{EPISODE}{given}\n"));
        assert!(said.contains(&format!("\n  help: {help}\n1 problem")), "{given}: {said}");
    }
    for (given, help) in [
        ("summary = \"x\"", "did you mean `description`?"),
        ("season = 2", "that is an episode's: give it in each [[episode]] it is of"),
    ] {
        let said = errors(&format!("{}{EPISODE}", PODCAST.replace("[podcast]\n", &format!("[podcast]\n{given}\n"))));
        assert!(said.contains(&format!("\n  help: {help}\n1 problem")), "{given}: {said}");
    }
    let said = errors(&format!("{}{EPISODE}", PODCAST.replace("[podcast]\n", "[podcast]\nzz = 1\n")));
    let known =
        said.split_once("known keys here: ").map(|(_, k)| k.lines().next().unwrap_or_default()).unwrap_or_default();
    let keys: Vec<&str> = known.split(", ").collect();
    let mut once = keys.clone();
    once.sort_unstable();
    once.dedup();
    assert!(keys.len() > 20 && once.len() == keys.len(), "{known}");
}

/// An episode without a date is told the moment now, in the show's offset
/// (as `add` dates one): an example's date pasted as it is would sink it
/// to the foot of the feed.
#[test]
fn a_missing_date_is_told_now_in_the_shows_offset() {
    let src = format!(
        "{}{}",
        PODCAST.replace("language = \"en\"\n", "language = \"en\"\nutc_offset = \"+02:00\"\n"),
        EPISODE
    )
    .replace("date = 2024-03-01T10:00:00+01:00\n", "");
    let said = errors(&src);
    let told =
        said.split_once("help: add date = ").and_then(|(_, r)| r.split_once(" (now; or the moment it goes out)"));
    let told = told.unwrap_or_else(|| panic!("{said}")).0;
    let when = chrono::DateTime::parse_from_rfc3339(told).unwrap_or_else(|e| panic!("{told}: {e}"));
    assert_eq!(when.offset().local_minus_utc(), 7200, "{told}");
    assert!((chrono::Utc::now() - when.to_utc()).num_minutes().abs() <= 2, "{told}");
}

/// A media name that differs from a file's only in case (its folder's
/// too) is told that file, as a show made on a disk that ignores case
/// names it; not another format's file the edit distance finds.
#[test]
fn a_media_name_in_another_case_is_told_the_file_it_means() {
    for given in ["media/a.MP3", "media/A.mp3", "Media/a.mp3"] {
        let said = errors(&format!("{PODCAST}{EPISODE}").replace("\"media/a.mp3\"", &format!("\"{given}\"")));
        assert!(
            said.contains("help: did you mean \"media/a.mp3\"? (names differ by case here, and on most hosting)"),
            "{given}: {said}"
        );
    }
}

/// Values said where they are, with a help that fits: an empty list at
/// its own line, a category given twice, a number past what apps count to,
/// a transcript outside the show folder told of transcripts.
#[test]
fn values_are_said_at_their_line_with_a_help_that_fits() {
    let empty = errors(
        &format!("{PODCAST}{EPISODE}")
            .replace("categories = [\"Technology\", \"Society & Culture > Documentary\"]", "categories = []"),
    );
    assert!(empty.starts_with("episodes.toml:7:14: `categories` in [podcast] is empty"), "{empty}");
    let no_media =
        errors(&format!("{PODCAST}{EPISODE}").replace("media = [\"media/a.mp3\", \"media/a.ogg\"]", "media = []"));
    assert!(no_media.starts_with("episodes.toml:15:9: `media` in episode 1 (\"First\") is empty"), "{no_media}");
    let twice =
        errors(&format!("{PODCAST}{EPISODE}").replace("[\"Technology\", ", "[\"Technology\", \"Technology\", "));
    assert!(
        twice.contains("episodes.toml:7:29: `categories` in [podcast] gives \"Technology\" twice\n  help: keep one"),
        "{twice}"
    );
    let big = errors(&format!("{PODCAST}{EPISODE}episode = 4294967296\n"));
    assert!(big.contains("must be a whole number from 1 to 4294967295, not 4294967296"), "{big}");
    let offset = errors(&format!(
        "{}{EPISODE}",
        PODCAST.replace("language = \"en\"\n", "language = \"en\"\nutc_offset = \"+0530\"\n")
    ));
    assert!(offset.contains("help: write utc_offset = \"+05:30\""), "{offset}");
    // UTC in other words: its offset.
    let utc = errors(&format!(
        "{}{EPISODE}",
        PODCAST.replace("language = \"en\"\n", "language = \"en\"\nutc_offset = \"gmt\"\n")
    ));
    assert!(utc.contains("help: write utc_offset = \"+00:00\""), "{utc}");
    // A zone's name: the offset is fixed, and says so.
    for zone in ["America/New_York", "EST"] {
        let named = errors(&format!(
            "{}{EPISODE}",
            PODCAST.replace("language = \"en\"\n", &format!("language = \"en\"\nutc_offset = \"{zone}\"\n"))
        ));
        assert!(named.contains("is an offset from UTC, not a time zone's name"), "{named}");
        assert!(named.contains("daylight saving time"), "{named}");
    }
    let blank = errors(&format!(
        "{}{EPISODE}",
        PODCAST.replace("language = \"en\"\n", "language = \"en\"\ncopyright = \"  \"\n")
    ));
    assert!(blank.contains("`copyright` in [podcast] is empty"), "{blank}");
    let long = errors(&format!("{PODCAST}{EPISODE}{} = 1\n", "k".repeat(100_000)));
    assert!(long.len() < 2000, "a key is cut where it is said: {}", long.len());
    // A hosted transcript (as a host gives its address): told to download it.
    let hosted = errors(&format!("{PODCAST}{EPISODE}transcript = \"https://example.org/t.vtt\"\n"));
    assert!(
        hosted.contains("is a web address: a `transcript` is a file of the show folder, published with the site\n  help: download it into the show folder and name that file here, e.g. transcript = \"transcripts/t.vtt\""),
        "{hosted}"
    );
    let out = errors(&format!("{PODCAST}{EPISODE}transcript = \"../t.vtt\"\n"));
    assert!(out.contains("help: keep transcripts inside the show folder"), "{out}");
}

/// A quoted date that is none says why where it can (April has 30 days),
/// and one in another form (a feed's, a month in one digit) is told as
/// the manifest writes it.
#[test]
fn a_quoted_date_says_why_it_is_none_or_how_to_write_it() {
    for (given, said) in [
        ("\"2017-04-31\"", "is not a date: \"2017-04-31\": April 2017 has 30 days"),
        ("\"2024-02-30\"", "is not a date: \"2024-02-30\": February 2024 has 29 days"),
        ("\"2017-4-12\"", "help: write date = 2017-04-12\n"),
        ("\"Wed, 12 Apr 2017 09:00:00 -0400\"", "(a feed's form)\n  help: write date = 2017-04-12T09:00:00-04:00\n"),
    ] {
        let errors = errors(&format!("{PODCAST}{EPISODE}").replace("2024-03-01T10:00:00+01:00", given));
        assert!(errors.contains(said), "{given}: {errors}");
    }
}

/// What the first review of these messages found: independent syntax
/// errors are each said (only what follows a list or text left open is
/// cut); an unquoted first item of a list written one a line is told to
/// quote it; C1 controls, which TOML takes, are cleaned with a warning; an
/// extended language subtag is a language code's; a key under another
/// name is said there only; a chapter's own title is not the episode's.
#[test]
fn syntax_and_key_helps_do_not_mislead() {
    let two = errors(
        &format!("{PODCAST}{EPISODE}")
            .replace("guid = \"g-1\"", "guid = g-1")
            .replace("notes = \"Hello\"", "notes = Hello"),
    );
    assert_eq!(two.matches("TOML syntax").count(), 2, "{two}");
    let unquoted = errors(
        &format!("{PODCAST}{EPISODE}")
            .replace("media = [\"media/a.mp3\", \"media/a.ogg\"]", "media = [\n  media/a.mp3,\n]"),
    );
    assert!(unquoted.contains("help: write text in double quotes") && !unquoted.contains("closed?"), "{unquoted}");
    let c1 = format!("{PODCAST}{EPISODE}").replace("notes = \"Hello\"", "notes = \"today\u{e2}\u{80}\u{99}s\"");
    let show = parse_in(show_dir().path(), &c1).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(show.episodes[0].notes, "today\u{e2}s");
    let yue = format!("{PODCAST}{EPISODE}").replace("language = \"en\"", "language = \"zh-yue\"");
    assert!(parse_in(show_dir().path(), &yue).is_ok());
    let pubdate = errors(&format!("{PODCAST}{EPISODE}").replace("date = ", "pubDate = "));
    assert!(!pubdate.contains("has no `date`") && pubdate.contains("did you mean `date`?"), "{pubdate}");
    // No title of its own, and chapters with theirs: said as missing, with
    // where the last chapter's is, not as the episode's.
    let untitled = errors(
        &format!("{PODCAST}{EPISODE}[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"Intro\"\n\n[[episode.chapters]]\nstart = \"0:01\"\ntitle = \"Talk\"\n")
            .replace("title = \"First\"\n", ""),
    );
    assert!(
        untitled.contains("episode 1 has no `title`\n  help: add title = \"Episode title\" above line 16 (the `title` on line 22 is chapter 2's"),
        "{untitled}"
    );
}

/// [`super::reading::EPISODE_KEYS`] are the keys an episode is read with.
#[test]
fn the_episode_keys_are_those_an_episode_is_read_with() {
    let said = errors(&format!("{PODCAST}{EPISODE}zzz = 1\n"));
    let known = said.split_once("known keys here: ").and_then(|(_, k)| k.split_once('\n')).map(|(k, _)| k);
    assert_eq!(known, Some(super::reading::EPISODE_KEYS.join(", ").as_str()), "{said}");
}

#[test]
fn a_slug_that_cannot_be_made_plain_is_given_one_from_the_title() {
    for (slug, tried) in [("..", "first"), ("Bad Slug!", "bad-slug"), ("", "first")] {
        let src = format!("{PODCAST}{EPISODE}").replace("notes = \"Hello\"", &format!("slug = \"{slug}\""));
        let errors = errors(&src);
        assert!(errors.contains(&format!("help: try slug = \"{tried}\"")), "{slug}: {errors}");
    }
}

#[test]
fn a_title_is_one_line() {
    let src = format!("{PODCAST}{EPISODE}").replace("title = \"First\"", "title = \"Fir\\nst\"");
    assert_eq!(
        errors(&src),
        "episodes.toml:12:9: an episode's `title` \"Fir\\nst\" has a line break\n  help: write it on one line: apps and pages show a title on one\n1 problem in episodes.toml"
    );
}

#[test]
fn an_update_frequency_rule_has_a_freq_and_counts_from_a_dtstart() {
    let with = |table: &str| format!("{PODCAST}update_frequency = {table}\n{EPISODE}");
    assert_eq!(
        errors(&with("{ text = \"Weekly\", rrule = \"FREQ=WEEKLY;COUNT=6\" }")),
        "episodes.toml:10:47: `rrule` \"FREQ=WEEKLY;COUNT=6\" is a rule that counts its releases (COUNT) with no \
         dtstart to count from\n  help: e.g. rrule = \"FREQ=WEEKLY\"; a COUNT needs a dtstart, and an UNTIL is of its \
         form (UNTIL=20261231 with dtstart = 2026-01-05)\n1 problem in episodes.toml"
    );
    // An UNTIL of another form than the dtstart's (RFC 5545 3.3.10).
    let until = "{ text = \"Daily\", rrule = \"FREQ=DAILY;UNTIL=20250101T000000Z\", dtstart = 2024-01-05 }";
    assert!(
        errors(&with(until)).contains("is a rule whose UNTIL and dtstart are not both dates, or both dates and times")
    );
    assert!(
        errors(&with("{ text = \"Daily\", rrule = \"FREQ=DAILY;UNTIL=2025\" }")).contains("whose UNTIL is not a date")
    );
    for fine in [
        "{ text = \"Daily\", rrule = \"FREQ=DAILY;UNTIL=20250101\", dtstart = 2024-01-05 }",
        "{ text = \"Daily\", rrule = \"FREQ=DAILY;UNTIL=20250101T000000Z\", dtstart = 2024-01-05T09:00:00Z }",
        "{ text = \"Daily\", rrule = \"FREQ=DAILY;UNTIL=20250101T000000Z\" }",
    ] {
        parse_in(show_dir().path(), &with(fine)).unwrap_or_else(|e| panic!("{fine}: {e:?}"));
    }
    assert!(
        errors(&with("{ text = \"Weekly\", rrule = \"INTERVAL=2\" }")).contains("is an RFC 5545 rule with no FREQ")
    );
    assert!(
        errors(&with("{ text = \"Weekly\", rrule = \"FREQ=WEEKLY\", dtstart = 2026-01-05T09:00:00 }"))
            .contains("`dtstart` 2026-01-05T09:00:00 has a time but no offset")
    );
    for (table, dtstart) in [
        ("{ text = \"Weekly\", rrule = \"FREQ=WEEKLY;COUNT=6\", dtstart = 2026-01-05 }", Some("2026-01-05")),
        ("{ text = \"Daily\", rrule = \"FREQ=DAILY\", dtstart = 2026-01-05T09:00:00Z }", Some("2026-01-05T09:00:00Z")),
        ("{ text = \"Now and then\" }", None),
    ] {
        let show = parse_in(show_dir().path(), &with(table)).unwrap_or_else(|e| panic!("{table}: {e:?}"));
        assert_eq!(show.podcast.tags.update_frequency.unwrap().dtstart.as_deref(), dtstart, "{table}");
    }
}

/// A value's recipients are paid at their addresses: a node's public key
/// or a Lightning address that cannot be one is an error at its place,
/// as is a suggested amount that is not a number; a recipient refused
/// for its own reason is not said again as "no recipients".
#[test]
fn value_recipients_are_paid_at_addresses_that_can_be_theirs() {
    let key = "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a";
    let with = |value: &str| format!("{PODCAST}value = {value}\n{EPISODE}");
    let value = |suggested: &str, recipients: &str| {
        with(&format!("{{ type = \"lightning\", method = \"keysend\"{suggested}, recipients = [{recipients}] }}"))
    };
    let said = errors(&value(
        ", suggested = \"abc\"",
        "{ type = \"node\", address = \"hello world\", split = 1 }, { type = \"lnaddress\", address = \"ann\", split = 2 }",
    ));
    assert!(said.contains("`suggested` \"abc\" in `value` of [podcast] is not an amount"), "{said}");
    assert!(said.contains("`address` \"hello world\" of `recipients` 1 of `value` in [podcast] is not a node's public key (66 hex digits, 02 or 03 first)\n  help: copy the node's public key"), "{said}");
    assert!(
        said.contains(
            "`address` \"ann\" of `recipients` 2 of `value` in [podcast] is not a Lightning address (name@domain)"
        ),
        "{said}"
    );
    assert!(said.ends_with("3 problems in episodes.toml"), "{said}");
    // A missing address: the help's example is none a build takes (a real
    // key pasted from it would send the show's payments to its owner).
    for (kind, example) in [
        ("node", "add address = \"<your node's public key: 66 hex digits, 02 or 03 first>\""),
        ("lnaddress", "add address = \"<your Lightning address, name@domain>\""),
    ] {
        let said = errors(&value("", &format!("{{ type = \"{kind}\", split = 1 }}")));
        assert!(said.contains("`recipients` 1 of `value` in [podcast] has no `address`"), "{said}");
        // (Misspelt, it is one problem: the key misspelt.)
        let misspelt = errors(&value("", &format!("{{ type = \"{kind}\", adress = \"{key}\", split = 1 }}")));
        assert!(
            misspelt.contains(
                "did you mean `address`? (`recipients` 1 of `value` in [podcast] has no `address` otherwise)"
            ),
            "{misspelt}"
        );
        assert!(misspelt.ends_with("1 problem in episodes.toml"), "{misspelt}");
        assert!(said.contains(example) && !said.contains("add address = \"03"), "{said}");
        let pasted = value("", &format!("{{ type = \"{kind}\", {}, split = 1 }}", example.trim_start_matches("add ")));
        assert!(errors(&pasted).contains("is not a"), "the example is refused as it is");
    }
    let said = errors(&value("", &format!("{{ type = \"node\", address = \"{key}\", split = 0 }}")));
    assert!(!said.contains("has no recipients") && said.ends_with("1 problem in episodes.toml"), "{said}");
    assert!(
        errors(&with("{ type = \"lightning\", method = \"keysend\", recipients = [] }")).contains("has no recipients")
    );
    let show = parse_in(
        show_dir().path(),
        &value(
            ", suggested = \"0.00000005000\"",
            &format!("{{ type = \"node\", address = \"{key}\", split = 90 }}, {{ type = \"lnaddress\", address = \"ann@getalby.com\", split = 10 }}, {{ type = \"wallet\", address = \"anything\", split = 1 }}"),
        ),
    )
    .unwrap();
    let v = show.podcast.tags.value.unwrap();
    assert_eq!((v.suggested.as_deref(), v.recipients.len()), (Some("0.00000005000"), 3));
}

/// A person's group is the one the taxonomy puts the role in: given none,
/// the role's; given another, an error (a consultant or an intern fits any).
#[test]
fn a_persons_group_is_the_one_of_their_role() {
    let with = |persons: &str| format!("{PODCAST}persons = [{persons}]\n{EPISODE}");
    let show = parse_in(
        show_dir().path(),
        &with("{ name = \"Ann\", role = \"producer\" }, { name = \"Bo\" }, { name = \"Cy\", role = \"Editor\", group = \"video post-production\" }, { name = \"Di\", role = \"intern\", group = \"visuals\" }"),
    )
    .unwrap();
    let groups: Vec<(&str, &str)> =
        show.podcast.tags.persons.iter().map(|p| (p.role.as_str(), p.group.as_str())).collect();
    assert_eq!(
        groups,
        [
            ("producer", "creative direction"),
            ("host", "cast"),
            ("editor", "video post-production"),
            ("intern", "visuals")
        ]
    );
    assert_eq!(
        errors(&with("{ name = \"Bo\", role = \"producer\", group = \"cast\" }")),
        "episodes.toml:10:54: `role` \"producer\" of person 1 of [podcast] is not a role of `group` \"cast\" in the \
         taxonomy\n  help: write group = \"creative direction\", or leave `group` out: the role's is written\n\
         1 problem in episodes.toml"
    );
}

/// A place says what it is to the show (`rel`) and its country, and its
/// geo: URI is read whatever the case of its scheme (written as the
/// namespace writes it).
#[test]
fn a_location_gives_its_relation_and_country() {
    let with = |location: &str| format!("{PODCAST}location = {location}\n{EPISODE}");
    let show = parse_in(
        show_dir().path(),
        &with("{ name = \"Berlin\", geo = \"GEO:52.52,13.405\", rel = \"creator\", country = \"de\" }"),
    )
    .unwrap();
    let l = show.podcast.tags.location.unwrap();
    assert_eq!(
        (l.geo.as_deref(), l.rel.as_deref(), l.country.as_deref()),
        (Some("geo:52.52,13.405"), Some("creator"), Some("DE"))
    );
    assert!(errors(&with("{ name = \"Berlin\", rel = \"home\" }")).contains("`rel` \"home\" is not \"subject\""));
    assert!(
        errors(&with("{ name = \"London\", country = \"UK\" }"))
            .contains("`country` \"UK\" is not a country's ISO 3166 code")
    );
    assert!(errors(&with("{ name = \"Nowhere\", geo = \"geo:95,0\" }")).contains("latitude -90 to 90"));
    // Every wrong value of a place at once.
    let both = errors(&with("{ name = \"Austin\", geo = \"30.26,97.74\", country = \"USA\" }"));
    assert!(both.contains("`geo` \"30.26,97.74\" is not a geo: URI") && both.contains("`country` \"USA\""), "{both}");
}

/// Smaller slips: a season name with no season, a publisher's medium,
/// an empty guid (with one to write), a tab in a title, a date's fraction
/// of a second.
#[test]
fn smaller_slips_are_said_or_made_plain() {
    let said = errors(&format!("{PODCAST}{EPISODE}season_name = \"Origins\"\n"));
    assert!(said.contains("`season_name` in episode 1 (\"First\") names a season, but the episode has no `season`\n  help: give the episode its season's number: season = 1"), "{said}");
    parse_in(show_dir().path(), &format!("{PODCAST}{EPISODE}season = 1\nseason_name = \"Origins\"\n")).unwrap();
    let said = errors(&format!("{PODCAST}medium = \"publisher\"\n{EPISODE}"));
    assert!(said.contains("`medium` \"publisher\" is a publisher's medium: a feed that lists the feeds a publisher owns, not one of episodes"), "{said}");
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("guid = \"g-1\"", "guid = \"\"")));
    assert!(said.contains("`guid` in episode 1 (\"First\") is empty\n  help: write guid = \""), "{said}");
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("guid = \"g-1\"", "guid = \" g-1\"")));
    assert!(said.contains("has spaces around it\n  help: write guid = \"g-1\""), "{said}");
    let dir = show_dir();
    let src =
        format!("{PODCAST}{}", EPISODE.replace("First", "Tab\\there").replace("10:00:00+01:00", "10:00:00.999+01:00"));
    let show = parse_in(dir.path(), &src).unwrap();
    assert_eq!(show.episodes[0].title, "Tab here");
    assert_eq!(show.episodes[0].date.to_rfc3339(), "2024-03-01T10:00:00+01:00");
    assert!(show.cleaned.iter().any(|d| d.message.contains("replaced 1 tab in `title`")), "{:?}", show.cleaned);
}

#[test]
fn a_licence_slug_is_one_spdx_or_podcast_index_lists() {
    let with = |licence: &str| format!("{PODCAST}license = {licence}\n{EPISODE}");
    assert_eq!(
        errors(&with("\"CC-BY-40\"")),
        "episodes.toml:10:11: `license` \"CC-BY-40\" of [podcast] is not on the SPDX licence list nor Podcast Index's\n  \
         help: did you mean \"CC-BY-4.0\"? (a licence of your own: license = { name = \"…\", url = \"https://…\" })\n\
         1 problem in episodes.toml"
    );
    assert_eq!(
        errors(&with("\"Creative Commons\"")),
        "episodes.toml:10:11: `license` \"Creative Commons\" of [podcast] is not on the SPDX licence list nor Podcast \
         Index's\n  help: use an SPDX identifier such as \"CC-BY-4.0\", or a licence of your own: license = { name = \
         \"…\", url = \"https://…\" }\n1 problem in episodes.toml"
    );
    // Any case; Podcast Index's own; a licence of one's own with its URL.
    for fine in ["\"cc-by-sa-4.0\"", "\"ARR\"", "\"MIT\"", "{ name = \"Mine\", url = \"https://example.com/l\" }"] {
        let show = parse_in(show_dir().path(), &with(fine)).unwrap_or_else(|e| panic!("{fine}: {e:?}"));
        assert!(show.podcast.tags.license.is_some(), "{fine}");
    }
}

#[test]
fn the_pages_words_a_show_gives_are_checked() {
    let with = |language: &str, words: &str| {
        format!("{PODCAST}\n[podcast.words]\n{words}\n{EPISODE}")
            .replace("language = \"en\"", &format!("language = \"{language}\""))
    };
    // Some words in place of German ones.
    let show =
        parse_in(show_dir().path(), &with("de", "listen = \"Hör rein: {format} ({duration})\"\ndecimal_comma = false"))
            .unwrap();
    let given = show.podcast.words.unwrap();
    assert_eq!(given.words.get("listen").map(String::as_str), Some("Hör rein: {format} ({duration})"));
    assert_eq!(given.decimal_comma, Some(false));
    assert_eq!(
        errors(&with("de", "listen = \"Hör rein ({duration})\"\nby = \"von {show}\"\nchapter = \"Kapitel\"")),
        "episodes.toml:12:10: `listen` in [podcast.words] takes the blanks {format}, {duration}, once each; it has \
         {duration}\n  help: e.g. listen = \"Listen to {format} ({duration})\" in the show's language\n\
         episodes.toml:13:6: `by` in [podcast.words] is a word, without blanks; it has {show}\n  help: e.g. by = \"by\" \
         in the show's language\nepisodes.toml:14:1: unknown key `chapter` in [podcast.words]\n  help: did you mean \
         `chapters`?\n3 problems in episodes.toml"
    );
    assert_eq!(
        errors(&with("de", "months = [\"Jänner\", \"Feber\"]")),
        "episodes.toml:12:11: `months` in [podcast.words] must be twelve names, January first; it has 2\n  help: each a \
         string of one line, as a date names the month: months = [\"janvier\", \"février\", …]\n1 problem in episodes.toml"
    );
    let twelve = "months = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", 9, \"j\", \"k\", \"l\"]";
    assert_eq!(
        errors(&with("de", twelve)),
        "episodes.toml:12:51: month 9 in [podcast.words] is not a name of one line (1 to 40 characters)\n  help: each a \
         string of one line, as a date names the month: months = [\"janvier\", \"février\", …]\n1 problem in episodes.toml"
    );
    // A language the pages have no words in: all of them, or none.
    let said = errors(&with("pl", "listen = \"Słuchaj ({format}, {duration})\""));
    assert!(
        said.starts_with(
            "episodes.toml:11:1: the pages have no words of their own in \"pl\": [podcast.words] gives some of them but \
             not by, with, with_cap,"
        ) && said.contains(", date, months\n  help: give them all"),
        "{said}"
    );
    assert!(parse_in(show_dir().path(), &with("pl", "")).is_ok_and(|s| s.podcast.words.is_some_and(|w| !w.is_whole())));
}

#[test]
fn a_language_given_in_three_letters_where_two_exist_is_an_error() {
    let src = format!("{PODCAST}{EPISODE}").replace("language = \"en\"", "language = \"eng\"");
    assert_eq!(
        errors(&src),
        "episodes.toml:6:12: `language` \"eng\" has a two-letter code, which Apple requires\n  help: write language = \"en\"\n1 problem in episodes.toml"
    );
    // Filipino has only three.
    let src = format!("{PODCAST}{EPISODE}").replace("language = \"en\"", "language = \"fil\"");
    assert!(parse_in(show_dir().path(), &src).is_ok());
}

#[test]
fn reports_every_problem_at_once_in_file_order() {
    let src = r#"[podcast]
title = "T"
description = ""
author = "A"
owner = { email = "not-an-email" }
language = "english"
categories = ["Kids & family", "Technology > Investing"]
explicit = "no"
base_url = "example.com"
image = "media/cover.png"

[[episode]]
title = "One"
guid = "same"
date = 2024-13-01
media = ["../outside.mp3"]

[[episode]]
title = "Two"
guid = "same"
date = "yesterday"
episode = 0
media = ["media/missing.mp3"]
"#;
    // An impossible date is a TOML syntax error, reported on its own first.
    let text = errors(src);
    assert!(text.starts_with("episodes.toml:15:8: TOML syntax:"), "{text}");
    // An offset no place has: said how to write one.
    let offset = errors(&src.replace("date = 2024-13-01", "date = 2024-12-01T09:00:00+25:00"));
    assert!(
        offset.contains("help: write the offset of the place it is dated in, between -14:00 and +14:00"),
        "{offset}"
    );

    let src = src.replace("date = 2024-13-01", "date = 2024-12-01");
    assert_eq!(
        errors(&src),
        r#"episodes.toml:3:15: `description` in [podcast] is empty
  help: fill it in, e.g. description = "What the show is about."
episodes.toml:5:19: owner `email` "not-an-email" is not an e-mail address
  help: Spotify and YouTube send the ownership code there: give a real address
episodes.toml:6:12: `language` "english" is not an ISO 639 language code
  help: use two letters, optionally with a region: "en", "en-us", "de"
episodes.toml:7:15: "Kids & family" is not an Apple Podcasts category
  help: did you mean "Kids & Family"? (Apple's list since 2019, exact spelling)
episodes.toml:7:32: "Technology > Investing" is not an Apple Podcasts category
  help: "Investing" is a subcategory of "Business": "Business > Investing"
episodes.toml:8:12: `explicit` in [podcast] must be true or false without quotes, not "no"
  help: write explicit = false
episodes.toml:9:12: `base_url` "example.com" is not an absolute URL; write it in full, starting with https://
  help: give the address where public/ will be served, e.g. "https://example.com/podcast/"
episodes.toml:10:9: `image` "media/cover.png" in [podcast] does not exist
  help: did you mean "media/cover.jpg"?
episodes.toml:16:10: `media` "../outside.mp3" in episode 1 ("One") points outside the show folder
  help: keep media inside the show folder (e.g. in media/) and give the path relative to episodes.toml
episodes.toml:18:1: episode 2 ("Two") has the same guid "same" as the episode at line 12
  help: every episode needs its own guid that never changes: guid = "dde8445a-0185-5a82-9e98-8044d71e78e0"
episodes.toml:21:8: `date` in episode 2 ("Two") is not a date: "yesterday"
  help: write an RFC 3339 date-time without quotes: date = 2017-04-12T09:00:00-04:00 (or just 2017-04-12)
episodes.toml:22:11: `episode` in episode 2 ("Two") must be a whole number from 1 up, not 0
  help: Apple counts from 1: episode = 1
episodes.toml:23:10: `media` "media/missing.mp3" in episode 2 ("Two") does not exist
  help: check the name, or put the file at media/missing.mp3 in the show folder
13 problems in episodes.toml"#
    );
}

/// A guest named twice in one episode is published once, and said; one
/// without a name is left out, and said.
#[test]
fn a_guest_named_twice_is_published_once_and_said() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["media/a.mp3", "media/a.ogg", "media/cover.jpg"] {
        std::fs::create_dir_all(dir.path().join("media")).unwrap();
        std::fs::write(dir.path().join(f), b"x").unwrap();
    }
    let src =
        format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", "guests = [\"Bob\", \"Ann\", \"bob \", \" \"]"));
    let show = parse_in(dir.path(), &src).unwrap();
    assert_eq!(show.episodes[0].guests, ["Bob", "Ann"]);
    // (A guest without a name is left out, and said too.)
    assert!(show.cleaned.iter().any(|d| d.message.contains("a guest in `guests` has no name: left out")));
    let said: Vec<String> = show.cleaned.iter().map(|d| format!("{}: {}", d.location, d.message)).collect();
    assert!(
        said.iter().any(|s| s.contains(":16:25:") && s.contains("the guest \"bob \" is named twice: published once")),
        "{said:?}"
    );
}

/// A slug given twice is said with the episode's other mistakes, not only
/// once they are put right; a slip in a choice is told its fix.
#[test]
fn a_duplicate_slug_is_said_beside_another_mistake_and_a_slip_in_a_choice_is_told_its_fix() {
    let second = EPISODE
        .replace("\"First\"", "\"Second\"")
        .replace("guid = \"g-1\"", "guid = \"g-2\"\nslug = \"first\"\ntype = \"ful\"")
        .replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"media/b.mp3\"]");
    let text = errors(&format!("{PODCAST}{EPISODE}{second}"));
    assert!(text.contains("`type` in episode 2 (\"Second\") must be \"full\", \"trailer\" or \"bonus\", not \"ful\"\n  help: did you mean type = \"full\"?"), "{text}");
    assert!(text.contains("episode 2 (\"Second\") has the same slug \"first\" as the episode at line 11"), "{text}");
    assert!(text.ends_with("2 problems in episodes.toml"), "{text}");
}

#[test]
fn errors_on_duplicate_guids_slugs_and_media() {
    let src = format!(
        "{PODCAST}{EPISODE}{}",
        EPISODE.replace("\"First\"", "\"first!\"").replace("media/a.ogg", "media/b.mp3")
    );
    let text = errors(&src);
    assert_eq!(
        text,
        "episodes.toml:18:1: episode 2 (\"first!\") has the same guid \"g-1\" as the episode at line 11\n  help: every episode needs its own guid that never changes: guid = \"".to_string()
            + &suggested_guid(parse_podcast_only().as_ref(), "first", 2)
            + "\"\n\
episodes.toml:18:1: episode 2 (\"first!\") has the same slug \"first\" as the episode at line 11\n  help: give one of them its own slug = \"...\"\n\
episodes.toml:22:1: \"media/a.mp3\" is already the media of the episode at line 15\n  help: each file belongs to one episode; its URL identifies the episode in apps\n\
3 problems in episodes.toml"
    );
}

/// One file written two ways in one episode's `media` is said as given
/// twice in that episode, not as another episode's; a path that goes up a
/// folder and back in is told the path to write, not that it leaves the show.
#[test]
fn a_file_written_twice_in_one_episode_and_a_path_through_dot_dot_are_told_their_fix() {
    let src = format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"./media/a.mp3\""));
    assert_eq!(
        errors(&src),
        "episodes.toml:15:1: \"media/a.mp3\" is given twice in the `media` of episode 1 (\"First\")\n  \
         help: list each file once (\"./media/a.mp3\" and \"media/a.mp3\" are one file)\n1 problem in episodes.toml"
    );
    let src = format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"media/../media/./a.ogg\""));
    assert_eq!(
        errors(&src),
        "episodes.toml:15:25: `media` \"media/../media/./a.ogg\" in episode 1 (\"First\") goes up a folder (..) and \
         back into the show folder\n  help: write the path without \"..\": \"media/a.ogg\"\n1 problem in episodes.toml"
    );
    // Up and out is still out.
    let src = format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"media/../../a.ogg\""));
    assert!(errors(&src).contains("\"media/../../a.ogg\" in episode 1 (\"First\") points outside the show folder"));
}

/// A path is a file's name as it is: a control character or a direction
/// mark in it is refused there, not taken out (which named another file);
/// a backslash is said to be read as a folder; a show's address with
/// letters beyond ASCII is told its percent-encoded form.
#[test]
fn paths_are_not_cleaned_but_refused_and_urls_beyond_ascii_are_told_their_encoding() {
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"media/ctl\\u0001x.mp3\"")));
    assert!(
        said.contains("`media` \"media/ctl\u{1}x.mp3\" in episode 1 (\"First\") has a control character in its name"),
        "{said}"
    );
    assert!(said.ends_with("1 problem in episodes.toml"), "{said}");
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"media/bidi\\u202E3pm.mp3\"")));
    assert!(said.contains("has a direction mark (U+202E) in its name"), "{said}");
    assert!(!said.contains('\u{202C}'), "nothing added to the path: {said}");
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"other\\\\b.ogg\"")));
    assert!(
        said.contains("put the file at other/b.ogg in the show folder (a \\ in a path is read as /, a folder)"),
        "{said}"
    );
    let said = errors(&format!("{}{EPISODE}", PODCAST.replace("example.com/pod", "example.com/sh\u{f6}w")));
    assert!(
        said.contains("`base_url` \"https://example.com/sh\u{f6}w\" holds \"\u{f6}\", which Apple Podcasts takes only percent-encoded in this URL: write \"https://example.com/sh%C3%B6w\""),
        "{said}"
    );
    let said = errors(&format!(
        "{PODCAST}{}",
        EPISODE.replace("notes = \"Hello\"", "image = \"https://cdn.example.com/\u{e9}t\u{e9}.jpg\"")
    ));
    assert!(said.contains("write \"https://cdn.example.com/%C3%A9t%C3%A9.jpg\""), "{said}");
    // An invisible character pasted with it is told to go, not to be encoded.
    let said = errors(&format!(
        "{PODCAST}{}",
        EPISODE.replace("notes = \"Hello\"", "image = \"https://cdn.example.com/a.jpg\\u200E\"")
    ));
    assert!(said.contains("holds an invisible character (U+200E): take it out"), "{said}");
    // A chapter's picture is not Apple's: its address is taken as it is written.
    let src = format!(
        "{PODCAST}{EPISODE}[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"A\"\nimage = \"https://cdn.example.com/\u{fc}ber.jpg\"\n"
    );
    assert!(parse_in(show_dir().path(), &src).is_ok());
}

/// A show's address written otherwise than as the folder it is is told
/// the folder's URL to write.
#[test]
fn a_base_url_with_dot_parts_or_a_page_at_its_end_is_told_the_folder() {
    for (given, fixed) in [
        ("https://example.com/show/./x/../", "https://example.com/show/"),
        ("https://example.com/show/index.html", "https://example.com/show/"),
        ("https://example.com/feed.xml", "https://example.com/"),
    ] {
        let said = errors(&format!("{}{EPISODE}", PODCAST.replace("https://example.com/pod", given)));
        assert!(said.contains(&format!("write \"{fixed}\"")), "{given}: {said}");
    }
    // A host in capitals or the scheme's own port: a warning, with the address apps write.
    for (given, plain) in [
        ("https://Example.COM/pod", "https://example.com/pod"),
        ("https://example.com:443/pod", "https://example.com/pod"),
        ("http://EXAMPLE.com:80/pod", "http://example.com/pod"),
    ] {
        let show =
            parse_in(show_dir().path(), &format!("{}{EPISODE}", PODCAST.replace("https://example.com/pod", given)))
                .unwrap_or_else(|e| panic!("{given}: {e:?}"));
        let said: Vec<&str> =
            show.cleaned.iter().filter(|d| d.code == "BASE-URL").map(|d| d.message.as_str()).collect();
        assert!(
            said.len() == 1 && said[0].contains(&format!("apps and directories write the address as \"{plain}\"")),
            "{given}: {said:?}"
        );
    }
    for fine in [
        "https://example.com",
        "https://example.com/",
        "https://example.com/a.b/",
        "https://example.com/v1.2",
        "https://example.com/show.xml/",
        "https://example.com//podcast/",
    ] {
        let src = format!("{}{EPISODE}", PODCAST.replace("https://example.com/pod", fine));
        let show = parse_in(show_dir().path(), &src).unwrap_or_else(|e| panic!("{fine}: {e:?}"));
        assert!(show.cleaned.is_empty(), "{fine}: {:?}", show.cleaned);
    }
}

/// Notes written in the manifest are held to a notes file's limit.
#[test]
fn notes_in_the_manifest_are_held_to_a_notes_files_limit() {
    let most = usize::try_from(crate::fsutil::NOTES.bytes).unwrap();
    let long = "a".repeat(most + 1);
    let said = errors(&format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", &format!("notes = \"{long}\""))));
    assert!(
        said.contains("`notes` in episode 1 (\"First\") are longer than the 4 MB of show notes podsmith publishes"),
        "{}",
        &said[..said.len().min(400)]
    );
    let fits = "a".repeat(most);
    let src = format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", &format!("notes = \"{fits}\"")));
    assert!(parse_in(show_dir().path(), &src).is_ok());
}

/// Chapters in the manifest are held to a chapters file's limit.
#[test]
fn chapters_in_the_manifest_are_held_to_a_chapters_files_limit() {
    let chapters: String = (0..=crate::chapters::MAX_CHAPTERS)
        .map(|i| format!("[[episode.chapters]]\nstart = {i}\ntitle = \"C\"\n"))
        .collect();
    let said = errors(&format!("{PODCAST}{EPISODE}{chapters}"));
    assert!(
        said.contains("episode 1 (\"First\") has 10001 chapters: at most 10,000"),
        "{}",
        &said[..said.len().min(400)]
    );
    assert!(said.ends_with("1 problem in episodes.toml"), "{}", &said[said.len().saturating_sub(400)..]);
}

/// Two files whose names are one name in two Unicode forms (as macOS
/// writes an accented letter, and as most editors do) are told, as two
/// that differ only in case are.
#[test]
fn names_that_are_one_name_in_two_unicode_forms_are_told() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    for f in ["media/caf\u{e9}.mp3", "media/cafe\u{301}.mp3", "media/cover.jpg", "media/A.mp3", "media/a.mp3"] {
        std::fs::write(dir.path().join(f), b"x").unwrap();
    }
    let one = EPISODE.replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"media/caf\u{e9}.mp3\"]");
    let two = EPISODE
        .replace("\"First\"", "\"Second\"")
        .replace("g-1", "g-2")
        .replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"media/cafe\u{301}.mp3\"]");
    let problems = parse_in(dir.path(), &format!("{PODCAST}{one}{two}")).expect_err("one name twice");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.ends_with("(line 15) are one name written in two Unicode forms (an accented letter as one character, or as a letter and an accent)"), "{problems:?}");
    // One named in the other form than the file's is told the file's name.
    let nfd = EPISODE.replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"media/d\u{e9}j\u{e0}.mp3\"]");
    std::fs::write(dir.path().join("media/de\u{301}ja\u{300}.mp3"), b"x").unwrap();
    let problems = parse_in(dir.path(), &format!("{PODCAST}{nfd}")).expect_err("not there");
    assert_eq!(
        problems[0].help.as_deref(),
        Some(
            "the file there writes its accented letters in another Unicode form (as macOS does): copy its name into episodes.toml (\"media/de\\u0301ja\\u0300.mp3\"), or rename the file as it is named here"
        ),
        "{problems:?}"
    );
    // Case alone is said as it was.
    let one = EPISODE.replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"media/A.mp3\"]");
    let two = EPISODE.replace("\"First\"", "\"Second\"").replace("g-1", "g-2").replace(", \"media/a.ogg\"", "");
    let problems = parse_in(dir.path(), &format!("{PODCAST}{one}{two}")).expect_err("one name twice");
    assert!(problems[0].message.ends_with("(line 15) differ only in case"), "{problems:?}");
}

/// A guid that is another's but for a control character (pasted by
/// accident, removed as the manifest is read) is the same guid.
#[test]
fn a_guid_the_same_but_for_a_control_character_is_a_duplicate() {
    let second = EPISODE.replace("\"First\"", "\"Second\"").replace("\"g-1\"", "\"g-1\\u0001\"");
    let second = second.replace("media/a.mp3\", \"media/a.ogg", "media/b.mp3");
    let text = errors(&format!("{PODCAST}{EPISODE}{second}"));
    assert!(
        text.starts_with(
            "episodes.toml:18:1: episode 2 (\"Second\") has the same guid \"g-1\" as the episode at line 11"
        ),
        "{text}"
    );
}

/// The common TOML mistakes are said with their fix: a key or a table
/// given twice (named), text without quotes, a string left open.
#[test]
fn toml_syntax_errors_name_the_key_and_the_fix() {
    let twice =
        errors(&format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", "notes = \"Hello\"\nnotes = \"Again\"")));
    assert!(twice.starts_with("episodes.toml:17:1: TOML syntax: duplicate key `notes`\n  help: `notes` is given twice in the same table (first on line 16): keep one; each [[episode]] starts a new table"), "{twice}");
    // Outside an episode, nothing of episodes; a chapter in single
    // brackets is told to be in two; a table given inline and as a table
    // too is told both ways.
    let twice = errors(&format!(
        "{}{EPISODE}",
        PODCAST.replace("language = \"en\"\n", "language = \"en\"\nlanguage = \"de\"\n")
    ));
    assert!(
        twice.contains("help: `language` is given twice in the same table (first on line 6): keep one\n"),
        "{twice}"
    );
    let chapters = "[episode.chapters]\nstart = \"0:00\"\ntitle = \"A\"\n\n[[episode.chapters]]\nstart = \"0:01\"\ntitle = \"B\"\n";
    let single = errors(&format!("{PODCAST}{EPISODE}{chapters}"));
    assert!(
        single.contains("help: each chapter is its own [[episode.chapters]] table, in two brackets: write [[episode.chapters]] above each"),
        "{single}"
    );
    let owner = errors(&format!("{PODCAST}\n[podcast.owner]\nemail = \"b@example.com\"\n{EPISODE}"));
    assert!(
        owner.contains("help: [podcast.owner] is given twice: as a table, and as owner = { … } in [podcast]"),
        "{owner}"
    );
    // (Its keys are not said to be given twice too: once, at the header.)
    assert!(
        single.ends_with("\n1 problem in episodes.toml") && owner.ends_with("\n1 problem in episodes.toml"),
        "{single}\n{owner}"
    );
    // A line of notes that opens with `[` is no table: the key's first line is found.
    let linked = errors(
        &format!("{PODCAST}{EPISODE}")
            .replace("notes = \"Hello\"", "notes = \"\"\"\n[A link](https://example.com/)\n\"\"\"\nguid = \"g-2\""),
    );
    assert!(linked.contains("(first on line 13): keep one; each [[episode]] starts a new table"), "{linked}");
    let table = errors(&format!("{PODCAST}\n[ podcast ]\n"));
    assert!(
        table.contains(
            "TOML syntax: duplicate key `podcast`\n  help: [podcast] is written twice: merge the two tables into one"
        ),
        "{table}"
    );
    let bare = errors(&format!("{PODCAST}{}", EPISODE.replace("title = \"First\"", "title = Hello")));
    assert!(
        bare.contains("string values must be quoted, expected literal string\n  help: write text in double quotes"),
        "{bare}"
    );
}

/// An episode written `[episode]` among `[[episode]]` ones is said once, at
/// its own line, not at each right `[[episode]]` after it; and where it
/// comes first (the parser finds nothing wrong there) it is said too.
#[test]
fn an_episode_in_single_brackets_is_said_at_its_own_line_only() {
    let ep = |header: &str, title: &str| format!("\n{header}\ntitle = \"{title}\"\n");
    let expected = |line: usize| {
        format!(
            "episodes.toml:{line}:2: TOML syntax: [episode] is written in single brackets\n  help: each episode is its \
             own [[episode]] table, in two brackets: write [[episode]] here\n1 problem in episodes.toml"
        )
    };
    let second = [ep("[[episode]]", "a"), ep("[episode]", "b"), ep("[[episode]]", "c"), ep("[[episode]]", "d")];
    assert_eq!(errors(&format!("{PODCAST}{}", second.concat())), expected(14));
    let first = [ep("[episode]", "a"), ep("[[episode]]", "b"), ep("[[episode]]", "c")];
    assert_eq!(errors(&format!("{PODCAST}{}", first.concat())), expected(11));
    // Every episode so: each of them.
    let all = errors(&format!("{PODCAST}{}{}", ep("[episode]", "a"), ep("[ episode ]", "b")));
    assert_eq!(all.matches("in single brackets").count(), 2, "{all}");
    assert!(all.starts_with("episodes.toml:11:2: ") && all.contains("\nepisodes.toml:14:3: "), "{all}");
}

fn parse_podcast_only() -> Option<Podcast> {
    let dir = show_dir();
    parse_in(dir.path(), PODCAST).ok().map(|s| s.podcast)
}

#[test]
fn a_missing_guid_comes_with_a_stable_suggestion() {
    let src = format!("{PODCAST}{}", EPISODE.replace("guid = \"g-1\"\n", ""));
    let first = errors(&src);
    assert!(
        first.starts_with("episodes.toml:11:1: episode 1 (\"First\") has no `guid`\n  help: add guid = \""),
        "{first}"
    );
    assert_eq!(first, errors(&src), "the suggested guid must not change between runs");
}

#[test]
fn missing_required_fields_are_named() {
    let text = errors("[podcast]\ntitle = \"T\"\n");
    assert_eq!(
        text,
        r#"episodes.toml:1:1: [podcast] has no `description`
  help: add description = "What the show is about."
episodes.toml:1:1: [podcast] has no `author`
  help: add author = "Ann Example"
episodes.toml:1:1: [podcast] has no `language`
  help: add language = "en"
episodes.toml:1:1: [podcast] has no `owner`
  help: add owner = { name = "Ann Example", email = "ann@example.com" }
episodes.toml:1:1: [podcast] has no `categories`
  help: add categories = ["Technology"] or ["Society & Culture > Documentary"]
episodes.toml:1:1: [podcast] has no `base_url`
  help: add base_url = "https://example.com/podcast/"
episodes.toml:1:1: [podcast] has no `image`
  help: add image = "media/cover.jpg" (1400×1400 to 3000×3000 px, JPEG or PNG)
7 problems in episodes.toml"#
    );
}

#[test]
fn serial_shows_need_episode_numbers() {
    let src = format!("{}type = \"serial\"\n{EPISODE}", PODCAST);
    let text = errors(&src);
    assert!(text.contains("has no `episode` number, and the show is serial"), "{text}");
    // A trailer or bonus episode may go unnumbered, as Apple's own sample feed does.
    let dir = show_dir();
    for kind in ["trailer", "bonus"] {
        let src = format!(
            "{}type = \"serial\"\n{}",
            PODCAST,
            EPISODE.replace("notes =", &format!("type = \"{kind}\"\nnotes ="))
        );
        assert!(parse_in(dir.path(), &src).is_ok(), "{kind}");
    }
}

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    let text = errors("[podcast]\ntitle = \"unterminated\n");
    assert!(text.starts_with("episodes.toml:2:"), "{text}");
    assert!(text.contains("TOML syntax"), "{text}");
}

#[test]
fn wrong_types_are_explained() {
    let src = format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", "notes = 42\nseason = \"two\""));
    assert_eq!(
        errors(&src),
        "episodes.toml:16:9: `notes` in episode 1 (\"First\") must be a string, not an integer\n  help: write it like: notes = \"...\"\n\
episodes.toml:17:10: `season` in episode 1 (\"First\") must be a whole number, not a string\n  help: write it like: season = 1\n\
2 problems in episodes.toml"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_show_folder_is_refused() {
    let dir = show_dir();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("media/link.mp3")).unwrap();
    let src = format!("{PODCAST}{}", EPISODE.replace("media/a.ogg", "media/link.mp3"));
    let problems = parse_in(dir.path(), &src).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("is a link to"), "{:?}", problems[0]);
}

#[test]
fn urls_with_passwords_bad_ports_or_quotes_are_refused() {
    for (url, problem) in [
        ("https://ann:secret@example.com/pod", "holds a user name or password (user:password@)"),
        ("https://example.com:99999/pod", "has the port \"99999\"; a port is a number from 1 to 65535"),
        ("https://example.com/p\\\"od", "holds a double quote (\"), which a URL may not carry as it is"),
        ("https://example.com/<pod>", "holds an angle bracket (<), which a URL may not carry as it is"),
    ] {
        let src = format!("{}{EPISODE}", PODCAST.replace("https://example.com/pod", url));
        let text = errors(&src);
        let shown = url.replace("\\\"", "\"");
        assert!(text.starts_with(&format!("episodes.toml:8:12: `base_url` \"{shown}\" {problem}")), "{text}");
    }
    let src = format!("{PODCAST}link = \"https://x:y@example.com/\"\n{EPISODE}");
    assert!(errors(&src).contains("`link` in [podcast] \"https://x:y@example.com/\" holds a user name or password"));
}

#[test]
fn uuid_guids_that_differ_only_in_case_are_the_same_guid() {
    let guid = "0b8a5cda-7f2c-4d8f-9d0e-0c4a3b8d2f11";
    let second = EPISODE
        .replace("g-1", &guid.to_uppercase())
        .replace("First", "Second")
        .replace("media = [\"media/a.mp3\", \"media/a.ogg\"]", "media = [\"media/b.mp3\"]");
    let src = format!("{PODCAST}{}{second}", EPISODE.replace("g-1", guid));
    let text = errors(&src);
    assert!(
        text.starts_with(&format!(
            "episodes.toml:18:1: episode 2 (\"Second\") has the same guid \"{}\" as the episode at line 11 (a UUID is the same whatever its case)",
            guid.to_uppercase()
        )),
        "{text}"
    );
    // Other guids are compared as they are written.
    let src = format!("{PODCAST}{}{}", EPISODE.replace("g-1", "Ep-1"), second.replace(&guid.to_uppercase(), "ep-1"));
    let dir = show_dir();
    assert!(parse_in(dir.path(), &src).is_ok());
}

#[test]
fn media_names_that_differ_only_in_case_are_refused() {
    let dir = show_dir();
    fs::write(dir.path().join("media/A.mp3"), b"x").unwrap();
    let second = EPISODE
        .replace("g-1", "g-2")
        .replace("First", "Second")
        .replace("media = [\"media/a.mp3\", \"media/a.ogg\"]", "media = [\"media/A.mp3\"]");
    let problems = parse_in(dir.path(), &format!("{PODCAST}{EPISODE}{second}")).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line(), Some(22));
    assert_eq!(problems[0].message, "\"media/A.mp3\" and \"media/a.mp3\" (line 15) differ only in case");
}

#[test]
fn hosted_media_are_read_with_their_place_in_the_site() {
    let dir = show_dir();
    let src = format!(
        "{PODCAST}{}\n[publish]\nto = \"s3://pod-bucket/site\"\n",
        EPISODE.replace(
            "[\"media/a.mp3\", \"media/a.ogg\"]",
            "[\"https://cdn.example.net/a%20b.mp3\", \"https://example.com/pod/media/b%20c.ogg\", \
             \"s3://pod-bucket/site/media/d.opus\"]"
        )
    );
    let show = parse_in(dir.path(), &src).unwrap();
    let hosted: Vec<(&str, Option<&str>)> = show.episodes[0]
        .media
        .iter()
        .map(|m| m.hosted().unwrap())
        .map(|h| (h.url.as_str(), h.in_site.as_deref()))
        .collect();
    assert_eq!(
        hosted,
        [
            ("https://cdn.example.net/a%20b.mp3", None),
            ("https://example.com/pod/media/b%20c.ogg", Some("media/b c.ogg")),
            ("https://example.com/pod/media/d.opus", Some("media/d.opus")),
        ]
    );
    // The file in the site's place is the local file published there.
    let src = format!(
        "{PODCAST}{EPISODE}{}",
        EPISODE
            .replace("g-1", "g-2")
            .replace("\"First\"", "\"Second\"")
            .replace("[\"media/a.mp3\", \"media/a.ogg\"]", "[\"https://example.com/pod/media/a.mp3\"]")
    );
    let text = errors(&src);
    assert!(
        text.contains("\"https://example.com/pod/media/a.mp3\" is already the media of the episode at line 15"),
        "{text}"
    );
    // An s3:// medium needs a bucket destination.
    let src = format!("{PODCAST}{}", EPISODE.replace("\"media/a.ogg\"", "\"s3://pod-bucket/a.ogg\""));
    assert!(errors(&src).contains("set `to = \"s3://BUCKET/PREFIX\"` in [publish]"), "{}", errors(&src));
}

/// The glance at `[publish]` reads what the parse reads, or says it cannot
/// (where the parse would say more); without the header, the defaults.
#[test]
fn a_glance_at_the_publish_table_reads_it_as_the_parse_does() {
    let table = "[publish] # where it goes\nto = \"s3://shows/pod\"\nendpoint = \"http://127.0.0.1:9000\"\nregion = \"auto\"\n\
                 acl = \"public-read\"\njobs = 3\nnotify = [\n  \"podcastindex\",\n]\n";
    let dir = show_dir();
    for text in
        [format!("{PODCAST}{table}{EPISODE}"), format!("{table}{PODCAST}"), format!("{PODCAST}{EPISODE}{table}")]
    {
        let glanced = publish_glance(&text).expect(&text);
        let parsed = parse(&text, &dir.path().join("episodes.toml"), dir.path()).unwrap().publish;
        assert_eq!(glanced, parsed, "{text}");
        assert_eq!(glanced.jobs, Some(3));
    }
    assert_eq!(publish_glance(&format!("{PODCAST}{EPISODE}")), Some(PublishSettings::default()));
    // A header spelt with spaces is one; one in a string is not (notes
    // may say anything); a quoted name is not glanced (the parse decides).
    let spaced = format!("{PODCAST}[ publish ]\njobs = 3\n");
    assert_eq!(publish_glance(&spaced).unwrap().jobs, Some(3));
    let notes = "\n[[episode]]\ntitle = \"T\"\nnotes = \"\"\"\n[publish]\nendpoint = \"https://elsewhere.example\"\n[more]\n\"\"\"\n";
    for text in [format!("{PODCAST}{notes}"), format!("{PODCAST}{notes}{table}")] {
        let glanced = publish_glance(&text).unwrap();
        assert_ne!(glanced.endpoint.as_deref(), Some("https://elsewhere.example"), "{text}");
    }
    assert_eq!(publish_glance(&format!("{PODCAST}{notes}{table}")).unwrap().jobs, Some(3));
    assert_eq!(publish_glance(&format!("{PODCAST}[\"publish\"]\njobs = 3\n")), Some(PublishSettings::default()));
    // What the parse would refuse is no guess.
    for bad in [
        "[publish]\njobs = 0\n",
        "[publish]\nto = \"ftp://x\"\n",
        "[publish]\njobz = 1\n",
        "[publish]\nto = \"s3://b\n",
    ] {
        assert_eq!(publish_glance(&format!("{PODCAST}{bad}")), None, "{bad}");
    }
}

/// TOML allows a leap second (`…:60`); a feed's date does not: said as
/// that, not as a date without a day.
#[test]
fn a_leap_second_is_said_as_such() {
    let text = errors(&format!("{PODCAST}{}", EPISODE.replace("10:00:00+01:00", "10:00:60+01:00")));
    assert!(text.contains("has a 60th second (a leap second)") && text.contains("write :59"), "{text}");
    assert!(!text.contains("needs a day"), "{text}");
}

/// Where notes are written: a line of them is found in the manifest where
/// the manifest's lines are theirs, else the notes' first line is given.
#[test]
fn notes_tell_where_their_lines_are() {
    let dir = show_dir();
    let ep = |notes: &str| {
        let src = format!("{PODCAST}{}", EPISODE.replace("notes = \"Hello\"", notes));
        let show = parse_in(dir.path(), &src).unwrap();
        let e = &show.episodes[0];
        let at = |needle: &str| e.notes_from.at(&e.notes, e.notes.find(needle).unwrap(), (Path::new("m"), 99)).1;
        let line_of = |needle: &str| src.lines().position(|l| l.contains(needle)).unwrap() + 1;
        (at("<x>"), line_of("<x>"), line_of("notes ="))
    };
    // A multi-line string, its first line break not part of the text.
    let (found, real, _) = ep("notes = \"\"\"\nOne.\n\nTwo <x>.\n\"\"\"");
    assert_eq!(found, real);
    // Text on the opening line, and a literal string.
    let (found, real, _) = ep("notes = '''One.\n\n<x>\n'''");
    assert_eq!(found, real);
    // Escaped line breaks, or a line-ending backslash: the notes' line.
    let (found, _, notes) = ep("notes = \"One.\\n\\n<x>\"");
    assert_eq!(found, notes);
    let (found, _, notes) = ep("notes = \"\"\"\nOne \\\n  two.\n\n<x>\"\"\"");
    assert_eq!(found, notes + 1);
    // A one-line string: its line.
    let src = format!("{PODCAST}{EPISODE}");
    let line = src.lines().position(|l| l.starts_with("notes =")).unwrap() + 1;
    let e = &parse_in(dir.path(), &src).unwrap().episodes[0];
    assert_eq!(e.notes_from, NotesFrom::Manifest { line, exact: true });
    // A notes file: its own lines; none: the episode's line.
    assert_eq!(NotesFrom::File("n.md".into()).at("a\nb\n<x>", 4, (Path::new("m"), 7)), (PathBuf::from("n.md"), 3));
    assert_eq!(NotesFrom::Nowhere.at("", 0, (Path::new("m"), 7)), (PathBuf::from("m"), 7));
}

/// Notes or chapters given both inline and as a file: an error at the
/// file's key, naming both, and neither is taken.
#[test]
fn notes_or_chapters_inline_and_as_a_file_is_an_error_at_the_file_key() {
    let both_notes = format!("{PODCAST}{EPISODE}notes_file = \"notes/first.md\"\n");
    let out = errors(&both_notes);
    assert!(out.contains("episodes.toml:17:14: episode 1 (\"First\") has both `notes` and `notes_file`"), "{out}");
    assert!(out.contains("help: keep one of them"), "{out}");
    let both_chapters = format!(
        "{PODCAST}{EPISODE}chapters_file = \"chapters.json\"\n[[episode.chapters]]\nstart = \"0:00\"\ntitle = \"Intro\"\n"
    );
    let out = errors(&both_chapters);
    assert!(out.contains("has both `chapters` and `chapters_file`"), "{out}");
    assert!(out.contains("episodes.toml:17:17:"), "{out}");
}

/// A missing file's "did you mean" is never a file the manifest already
/// names (the episode's other format, another episode's file), and is one
/// of the same extension where one is close.
#[test]
fn a_missing_files_suggestion_is_a_file_nothing_uses_of_its_kind_first() {
    let dir = show_dir();
    for f in ["interview-part-one.mp3", "interview-part-two.mp3", "interview-part-eins.ogg"] {
        fs::write(dir.path().join("media").join(f), b"x").unwrap();
    }
    let episode = |n: &str| {
        EPISODE
            .replace("\"First\"", &format!("\"Part {n}\""))
            .replace("g-1", &format!("g-{n}"))
            .replace("media/a.mp3", &format!("media/interview-part-{n}.mp3"))
            .replace("media/a.ogg", &format!("media/interview-part-{n}.ogg"))
    };
    let problems = parse_in(dir.path(), &format!("{PODCAST}{}{}", episode("one"), episode("two"))).unwrap_err();
    let helps: Vec<(&str, &str)> =
        problems.iter().map(|p| (p.message.as_str(), p.help.as_deref().unwrap_or_default())).collect();
    assert_eq!(
        helps,
        [
            (
                "`media` \"media/interview-part-one.ogg\" in episode 1 (\"Part one\") does not exist",
                "did you mean \"media/interview-part-eins.ogg\"?"
            ),
            (
                "`media` \"media/interview-part-two.ogg\" in episode 2 (\"Part two\") does not exist",
                "did you mean \"media/interview-part-eins.ogg\"?"
            ),
        ]
    );
    // Without an Ogg file to suggest: none (not the episode's own MP3).
    fs::remove_file(dir.path().join("media/interview-part-eins.ogg")).unwrap();
    let problems = parse_in(dir.path(), &format!("{PODCAST}{}{}", episode("one"), episode("two"))).unwrap_err();
    let helps: Vec<&str> = problems.iter().filter_map(|p| p.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            "check the name, or put the file at media/interview-part-one.ogg in the show folder",
            "check the name, or put the file at media/interview-part-two.ogg in the show folder"
        ]
    );
}

#[test]
fn a_notes_link_leads_to_the_site_path_its_page_url_makes_it() {
    use super::OffSite::{Elsewhere, Unpublished};
    let page = page_path_of("one");
    let cases = [
        ("../../media/plan.png", Ok("media/plan.png")),
        ("plan%20b.png#top", Ok("episodes/one/plan b.png")),
        ("./slides.pdf?v=2", Ok("episodes/one/slides.pdf")),
        ("../two/", Err(Elsewhere)),
        ("../../", Err(Elsewhere)),
        ("../../../plan.png", Err(Elsewhere)),
        ("../../../site/media/plan.png", Err(Elsewhere)),
        ("/media/plan.png", Err(Elsewhere)),
        ("//example.com/plan.png", Err(Elsewhere)),
        ("https://example.com/plan.png", Err(Elsewhere)),
        ("#top", Err(Elsewhere)),
        ("../../.git/config", Err(Unpublished)),
        ("../../.podsmith/build.json", Err(Unpublished)),
        ("../../media/%2e%2E/x.png", Ok("x.png")),
        ("..\\..\\media\\plan.png", Ok("media/plan.png")),
        ("../../media//plan.png", Err(Unpublished)),
        ("../../media/a%2Fb.png", Err(Unpublished)),
        ("../../media%2Fcover.jpg", Err(Unpublished)),
        ("../../media/%ZZ.png", Err(Unpublished)),
        ("../../media/%FF.png", Err(Unpublished)),
    ];
    for (url, site) in cases {
        assert_eq!(site_path_of_link(&page, url).as_deref().map_err(|e| *e), site, "{url}");
    }
}
