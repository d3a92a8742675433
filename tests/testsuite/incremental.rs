//! Incremental builds: after each change a podcaster makes, the build that
//! renders only what changed leaves exactly the files a full build
//! (`--no-cache`, into another folder) writes, and touches nothing else.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::harness::*;

const AS_OF: &str = "2026-06-01T00:00:00Z";

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Builds incrementally, then in full a copy of the show, and requires the same files.
fn build_matches_a_full_build(show: &Show, what: &str) -> Run {
    build_with(show, what, &[])
}

/// A copy of the show's own files (not what podsmith made or keeps beside
/// them: `public/`, `staging/`, `.podsmith/`), `podsmith.lock` included.
fn copy_of(show: &Show) -> Show {
    fn copy(from: &Path, to: &Path) {
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let (name, path) = (e.file_name(), e.path());
            if name == "public" || name == "staging" || name == ".podsmith" {
                continue;
            }
            if path.is_dir() {
                fs::create_dir(to.join(&name)).unwrap();
                copy(&path, &to.join(&name));
            } else {
                fs::copy(&path, to.join(&name)).unwrap();
            }
        }
    }
    let other = Show::empty();
    copy(show.root(), other.root());
    other
}

/// Builds with `args` (incrementally, taking what the last build kept),
/// then builds a copy of the show in full (`--no-cache`, in a folder of its
/// own: its records and memo are not the show's, so the next build of the
/// show takes what this one kept), and requires the same files.
fn build_with(show: &Show, what: &str, args: &[&str]) -> Run {
    let run = show.run(&[&["build", "-v", "--as-of", AS_OF], args].concat()).ok();
    let other = copy_of(show);
    let full_run = other.run(&[&["build", "--no-cache", "--as-of", AS_OF], args].concat()).ok();
    // The feeds' findings too: items checked alone, with the files behind
    // their URLs listed only for them, say what a whole check says.
    assert_eq!(findings(&run.stderr), findings(&full_run.stderr), "{what}: other findings");
    // The output folder: `public`, or the one given with `--out`.
    let out = args.iter().skip_while(|a| **a != "--out").nth(1).copied().unwrap_or("public");
    let (incremental, full) = (files(&show.path(out)), files(&other.path(out)));
    assert_eq!(incremental.keys().collect::<Vec<_>>(), full.keys().collect::<Vec<_>>(), "{what}: other files");
    for (rel, bytes) in &incremental {
        assert!(full[rel] == *bytes, "{what}: {rel} differs from a full build's\n{}", String::from_utf8_lossy(bytes));
    }
    run
}

/// The sample show's Fluentd episode, its notes edited.
fn edit_one_episodes_notes(show: &Show) {
    let manifest = show.read("episodes.toml");
    assert!(manifest.contains("**Fluentd**"), "{manifest}");
    show.write("episodes.toml", &manifest.replacen("**Fluentd**", "**FluentD**", 1));
}

/// The feeds' findings a build printed (rule by rule).
fn findings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| (l.starts_with("warning: ") || l.starts_with("error: ")) && l.ends_with(']')).collect()
}

/// How many files the build says it wrote.
fn written(run: &Run) -> usize {
    let line = run.stderr.lines().find(|l| l.starts_with("Built ")).unwrap_or_else(|| panic!("{}", run.stderr));
    let (_, rest) = line.split_once("; ").unwrap();
    rest.split(' ').next().unwrap().parse().unwrap()
}

fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
}

#[test]
fn after_every_kind_of_change_the_build_is_a_full_builds_byte_for_byte() {
    let show = Show::sample();
    fs::copy(audio("pair-5s.mp3"), show.path("media/extra.mp3")).unwrap();
    show.build().ok();
    // Nothing changed: nothing done.
    assert_eq!(written(&build_matches_a_full_build(&show, "nothing")), 0);

    // A media file touched: measured again, found the same, nothing written.
    let mp3 = show.path("media/fluentd-eduardo-silva.mp3");
    set_mtime(&mp3, SystemTime::now() + Duration::from_secs(3600));
    let run = build_matches_a_full_build(&show, "touched");
    assert_eq!(written(&run), 0, "{}", run.stderr);
    assert!(run.stderr.contains("probed 1 media file"), "{}", run.stderr);

    // A media file replaced by another recording (copied over it: the
    // published file is the same file): its page and the feeds.
    let ogg = show.path("media/fluentd-eduardo-silva.ogg");
    fs::copy(audio("vorbis-5s.ogg"), &ogg).unwrap();
    let run = build_matches_a_full_build(&show, "replaced");
    assert_eq!(written(&run), 3, "its page, two feeds\n{}", run.stderr);
    // Replaced by a new file (a new hard link to publish), with another duration.
    fs::remove_file(&ogg).unwrap();
    fs::copy(audio("vorbis.ogg"), &ogg).unwrap();
    let run = build_matches_a_full_build(&show, "replaced by a new file");
    assert_eq!(written(&run), 4, "the OGG, its page, two feeds\n{}", run.stderr);
    // Its MP3 and OGG now play for different times: said of the new item.
    assert!(findings(&run.stderr).iter().any(|l| l.contains("[MEDIA-FORMATS-AGREE]")), "{}", run.stderr);

    // An episode's notes edited in the manifest: its page, the index (its
    // excerpt) and the feeds.
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("**Fluentd** is", "**Fluentd**, the log collector, is", 1));
    let run = build_matches_a_full_build(&show, "notes");
    assert_eq!(written(&run), 4, "its page, the index, two feeds\n{}", run.stderr);

    // An episode added.
    let added = episode("Extra", "extra-1", "2026-05-01T10:00:00Z", &["extra.mp3"]);
    show.write("episodes.toml", &format!("{}{added}", show.read("episodes.toml")));
    build_matches_a_full_build(&show, "added");

    // Notes moved to a file, then the file edited.
    show.write("notes/extra.md", "First *notes*.");
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replace("guid = \"extra-1\"", "guid = \"extra-1\"\nnotes_file = \"notes/extra.md\""),
    );
    build_matches_a_full_build(&show, "notes file");
    show.write("notes/extra.md", "Second *notes*, longer.");
    let run = build_matches_a_full_build(&show, "notes file edited");
    assert!(show.read("public/episodes/extra/index.html").contains("Second"), "{}", run.stderr);

    // A template of the show's own: every page.
    let base = fs::read_to_string(repo().join("src/pages/templates/base.html")).unwrap();
    show.write("templates/base.html", &base.replacen("<body>", "<body>\n<p>Our own header</p>", 1));
    build_matches_a_full_build(&show, "template");
    assert!(show.read("public/index.html").contains("Our own header"));

    // The show's title: every page and item.
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("title = \"", "title = \"The ", 1));
    build_matches_a_full_build(&show, "show title");

    // An episode removed (and its media with it).
    let manifest = show.read("episodes.toml");
    let cut = manifest.rfind("\n[[episode]]").unwrap();
    show.write("episodes.toml", &manifest[..cut]);
    build_with(&show, "removed", &["--allow-changes"]);
}

/// A touched media file's new measurement is appended to the probe
/// cache's log: the cache file is not written again, the next build reads
/// both and has nothing to do; a log cut short (a build killed while
/// appending) costs one file measured again, and the cache is written
/// whole again.
#[test]
fn a_touched_file_is_appended_to_the_cache_log_and_read_back_from_it() {
    let show = Show::sample();
    show.build().ok();
    let cache = fs::read(show.path(".podsmith/cache.json")).unwrap();
    // (The first build may have appended already: the files it published
    // by hard links, their change time moved.)
    let log = show.path(".podsmith/cache.log");
    let lines = || fs::read_to_string(&log).unwrap_or_default().lines().map(String::from).collect::<Vec<_>>();
    let before = lines().len();
    let mp3 = show.path("media/fluentd-eduardo-silva.mp3");
    set_mtime(&mp3, SystemTime::now() + Duration::from_secs(3600));
    let run = build_matches_a_full_build(&show, "touched");
    assert!(run.stderr.contains("probed 1 media file"), "{}", run.stderr);
    assert_eq!(fs::read(show.path(".podsmith/cache.json")).unwrap(), cache, "the cache file as it was");
    let after = lines();
    assert_eq!(after.len(), before + 1);
    let line = &after[before];
    assert!(line.contains("fluentd-eduardo-silva.mp3") && !line.contains("kubernetes"), "{line}");
    // Another file replaced: the touched one is known from the log (only
    // the replaced one is measured).
    fs::copy(audio("vorbis-5s.ogg"), show.path("media/kubernetes-sarah-novotny.ogg")).unwrap();
    let run = build_matches_a_full_build(&show, "another replaced");
    assert!(run.stderr.contains("probed 1 media file"), "{}", run.stderr);
    assert_eq!(lines().len(), before + 2);
    // Touched again, its line cut short as by a crash: measured again.
    set_mtime(&mp3, SystemTime::now() + Duration::from_secs(7200));
    show.build().ok();
    let lines = fs::read(&log).unwrap();
    fs::write(&log, &lines[..lines.len() - 5]).unwrap();
    set_mtime(&mp3, SystemTime::now() + Duration::from_secs(9000));
    let run = build_matches_a_full_build(&show, "after a cut log");
    assert!(run.stderr.contains("probed 1 media file"), "{}", run.stderr);
    assert!(!log.exists(), "the cache written whole, its log gone");
    assert_ne!(fs::read(show.path(".podsmith/cache.json")).unwrap(), cache);
}

#[test]
fn a_damaged_or_crafted_memo_costs_time_not_correctness() {
    let show = Show::sample();
    show.build().ok();
    let memo_path = show.memo(".podsmith");
    let memo = fs::read_to_string(&memo_path).unwrap();
    assert!(memo.contains("\"pages\""), "{memo}");

    // Crafted: every item's span moved; the record no longer vouches for it.
    let crafted = memo.replace("\"span\":[", "\"span\":[1");
    fs::write(&memo_path, &crafted).unwrap();
    fs::copy(audio("vorbis-5s.ogg"), show.path("media/fluentd-eduardo-silva.ogg")).unwrap();
    build_matches_a_full_build(&show, "crafted memo");

    // Damaged.
    fs::write(show.memo(".podsmith"), b"{ not json").unwrap();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("Fluentd", "FluentD", 1));
    build_matches_a_full_build(&show, "damaged memo");

    // Another build's memo, put back: not the one the record vouches for.
    let before = fs::read(show.memo(".podsmith")).unwrap();
    show.write("episodes.toml", &manifest);
    build_matches_a_full_build(&show, "edit undone");
    fs::write(show.memo(".podsmith"), &before).unwrap();
    show.write("episodes.toml", &manifest.replacen("Fluentd", "FluentD", 1));
    build_matches_a_full_build(&show, "an older memo");
}

/// The build memos kept (file names), and the output folders they are of.
fn memos_and_folders(show: &Show) -> (Vec<String>, Vec<String>) {
    let files: Vec<String> =
        show.memos(".podsmith").iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let mut folders: Vec<String> = show
        .memos(".podsmith")
        .iter()
        .map(|p| {
            let memo: serde_json::Value = serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap();
            Path::new(memo["out"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    folders.sort();
    (files, folders)
}

/// Builds into two output folders (the site, and a copy to look at before
/// it goes live, say) keep a memo each: a build into one does not throw
/// away what the other's next build takes. Each build is a full build's,
/// byte for byte; a memo no record vouches for (a build killed after
/// saving it) and the one memo of an older podsmith go.
#[test]
fn builds_into_two_output_folders_keep_a_memo_each() {
    let show = Show::sample();
    let staging = ["--out", "staging"];
    build_with(&show, "public", &[]);
    show.write(".podsmith/memo.json", "{}");
    build_with(&show, "staging", &staging);
    let (first, folders) = memos_and_folders(&show);
    assert_eq!(folders, ["public", "staging"]);
    assert!(!show.path(".podsmith/memo.json").exists(), "an older podsmith's memo");
    let stray = show.path(&format!(".podsmith/memos/{}.json", "0".repeat(64)));
    fs::write(&stray, "{}").unwrap();
    edit_one_episodes_notes(&show);
    build_with(&show, "public, notes edited", &[]);
    build_with(&show, "staging, notes edited", &staging);
    let (now, folders) = memos_and_folders(&show);
    assert_eq!(folders, ["public", "staging"]);
    assert!(now.iter().all(|m| !first.contains(m)), "both memos made anew: {first:?} {now:?}");
    assert!(!stray.exists());
    // Nothing changed for either.
    assert_eq!(written(&build_with(&show, "public again", &[])), 0);
    assert_eq!(written(&build_with(&show, "staging again", &staging)), 0);
    assert_eq!(memos_and_folders(&show).0, now);
}

#[test]
fn a_crafted_memo_vouched_for_by_a_crafted_record_cannot_swap_items() {
    use sha2::Digest;
    let show = Show::sample();
    show.build().ok();
    // Someone who can write .podsmith/ swaps the keys of the first two items
    // of feed.xml in the memo (each key now names the other's bytes), and
    // makes the record vouch for it.
    let mut memo: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(show.memo(".podsmith")).unwrap()).unwrap();
    let items = memo["feeds"]["feed.xml"].as_array_mut().unwrap();
    let (a, b) = (items[0]["key"].clone(), items[1]["key"].clone());
    (items[0]["key"], items[1]["key"]) = (b, a);
    let bytes = serde_json::to_vec(&memo).unwrap();
    let hash: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    fs::write(show.path(&format!(".podsmith/memos/{hash}.json")), &bytes).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&show.read(".podsmith/build.json")).unwrap();
    record["sites"][0]["memo"] = serde_json::Value::String(hash);
    fs::write(show.path(".podsmith/build.json"), serde_json::to_vec(&record).unwrap()).unwrap();
    // A change to another episode: the two items' keys are as they were.
    fs::copy(audio("vorbis-5s.ogg"), show.path("media/fluentd-eduardo-silva.ogg")).unwrap();
    build_matches_a_full_build(&show, "swapped items");
}

#[test]
fn a_page_or_feed_edited_by_hand_is_rendered_again_not_kept() {
    let show = Show::sample();
    show.build().ok();
    let page = show.path("public/episodes/fluentd-eduardo-silva/index.html");
    let html = fs::read_to_string(&page).unwrap();
    fs::write(&page, html.replacen("Fluentd", "Fluxtd", 1)).unwrap();
    let feed = show.read("public/feed.xml");
    fs::write(show.path("public/feed.xml"), feed.replacen("<item>", "<item>\n      <title>Injected</title>", 1))
        .unwrap();
    // And a media file touched, so the build is not "nothing changed".
    set_mtime(&show.path("media/fluentd-eduardo-silva.mp3"), SystemTime::now() + Duration::from_secs(60));
    let run = build_matches_a_full_build(&show, "edited by hand");
    assert_eq!(written(&run), 2, "the page and the feed\n{}", run.stderr);
    assert_eq!(fs::read_to_string(&page).unwrap(), html);
}

#[test]
fn a_page_or_media_file_deleted_by_hand_is_written_again_by_a_build_that_changes_another_episode() {
    let show = Show::sample();
    show.build().ok();
    // Gone from public/ since the last build (which the record lists, and
    // which a build looks at while the manifest is parsed).
    let page = show.path("public/episodes/coredns-miek-gieben/index.html");
    let html = fs::read_to_string(&page).unwrap();
    fs::remove_file(&page).unwrap();
    fs::remove_file(show.path("public/media/coredns-miek-gieben.ogg")).unwrap();
    // Another episode's notes edited: its page and the feeds change.
    edit_one_episodes_notes(&show);
    let run = build_matches_a_full_build(&show, "deleted by hand");
    assert_eq!(fs::read_to_string(&page).unwrap(), html);
    assert!(show.path("public/media/coredns-miek-gieben.ogg").is_file());
    // The two deleted files, the edited episode's page, the index (its
    // excerpt), the two feeds.
    assert_eq!(written(&run), 6, "{}", run.stderr);
}

#[test]
fn a_build_that_changes_one_episode_sweeps_what_an_interrupted_command_left() {
    let show = Show::sample();
    show.build().ok();
    // Left by a killed `add --copy` and by a killed write of the site.
    let left = ["media/.podsmith-AbCd12.tmp", "public/.podsmith-EfGh34.tmp", ".podsmith-IjKl56.tmp"];
    for rel in left {
        show.write(rel, "half a file");
    }
    let mine = "media/.podsmith-notes.txt"; // not podsmith's name for a temporary file
    show.write(mine, "keep me");
    edit_one_episodes_notes(&show);
    let run = build_matches_a_full_build(&show, "temporary files left");
    assert!(run.stderr.contains("removed 3 temporary files"), "{}", run.stderr);
    for rel in left {
        assert!(!show.path(rel).exists(), "{rel} is still there");
    }
    assert_eq!(show.read(mine), "keep me");
    assert_eq!(written(&run), 4, "the edited episode's page, the index and the two feeds: {}", run.stderr);
    // A build with nothing to do sweeps beside the manifest, in the
    // records and in the memos (a killed `add` or save); `add` sweeps
    // where it writes.
    let left = [".podsmith-MnOp78.tmp", ".podsmith/.podsmith-QrSt90.tmp", ".podsmith/memos/.podsmith-vSwTz9.tmp"];
    for rel in left {
        show.write(rel, "half a file");
    }
    let run = build_matches_a_full_build(&show, "nothing, temporary files left");
    assert!(run.stderr.contains("removed 3 temporary files"), "{}", run.stderr);
    assert_eq!(written(&run), 0, "{}", run.stderr);
    assert!(left.iter().all(|rel| !show.path(rel).exists()));
    show.write("media/.podsmith-UvWx12.tmp", "half a copy");
    let mp3 = repo().join("tests/fixtures/audio/cbr-xing.mp3").display().to_string();
    show.run(&["add", &mp3, "--title", "Later", "--date", "2026-05-01"]).ok();
    assert!(!show.path("media/.podsmith-UvWx12.tmp").exists());
    assert_eq!(show.read(mine), "keep me");
}

/// What stops a build after it wrote the site and the lock, before it
/// saves its records, as a kill there would.
const STOP_BEFORE_RECORDS: &[(&str, &str)] = &[("PODSMITH_TEST_STOP_BEFORE_RECORDS", "1")];

/// A show folder moved (with `public/` and `.podsmith/` in it) whose first
/// build there was killed once it had saved its pending list: the next
/// build still knows the files of the record it moved with, and removes
/// the pages and media of an episode taken out (they stayed for good).
#[test]
fn a_moved_show_whose_first_build_there_was_killed_still_removes_what_it_dropped() {
    let show = Show::sample();
    show.build().ok();
    let away = tempfile::tempdir().unwrap();
    let moved = away.path().join("show");
    fs::rename(show.root(), &moved).unwrap();
    let moved = moved.canonicalize().unwrap();
    // What the killed build left: its pending list, for the folder where it is now.
    let record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(moved.join(".podsmith/build.json")).unwrap()).unwrap();
    let feed = record["sites"][0]["outputs"]["feed.xml"]["fingerprint"].as_str().unwrap().to_string();
    let pending = serde_json::json!({ "version": 2, "sites": [
        { "out": moved.join("public"), "pending": { "feed.xml": feed }, "build": "killed" }
    ]});
    fs::write(moved.join(".podsmith/pending.json"), pending.to_string()).unwrap();
    // Fluentd's episode taken out.
    let manifest = fs::read_to_string(moved.join("episodes.toml")).unwrap();
    let tables: Vec<&str> = manifest.split("\n[[episode]]\n").collect();
    let kept: Vec<&str> = tables.iter().copied().filter(|t| !t.contains("slug = \"fluentd-eduardo-silva\"")).collect();
    assert_eq!(kept.len() + 1, tables.len());
    fs::write(moved.join("episodes.toml"), kept.join("\n[[episode]]\n")).unwrap();
    let page = moved.join("public/episodes/fluentd-eduardo-silva/index.html");
    assert!(page.is_file());
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(&moved)
        .args(["build", "--as-of", AS_OF, "--allow-changes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!page.exists() && !moved.join("public/media/fluentd-eduardo-silva.mp3").exists(), "{stderr}");
    assert!(stderr.contains("removed "), "{stderr}");
}

#[test]
fn files_a_build_that_did_not_finish_wrote_are_known_from_its_pending_list() {
    let show = Show::sample();
    show.build().ok();
    // The next build stops after writing the site, before it saves its
    // record (as a kill there would): its pending list is all that tells
    // the files it wrote.
    fs::copy(audio("pair-5s.mp3"), show.path("media/extra.mp3")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!("{manifest}{}", episode("Extra", "extra-1", "2026-05-01T10:00:00Z", &["extra.mp3"])),
    );
    let run = show.run_env(&["build", "--as-of", AS_OF], STOP_BEFORE_RECORDS);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(show.path("public/episodes/extra/index.html").is_file(), "{}", run.stderr);
    assert!(show.path(".podsmith/pending.json").is_file());
    // The episode is taken back out before any build finished: its page
    // and media go, as podsmith's own.
    show.write("episodes.toml", &manifest);
    fs::remove_file(show.path("media/extra.mp3")).unwrap();
    let run = build_with(&show, "taken back", &["--allow-changes"]);
    assert!(!show.path("public/episodes/extra").exists(), "{}", run.stderr);
    assert!(!show.path("public/media/extra.mp3").exists(), "{}", run.stderr);
    assert!(!show.path(".podsmith/pending.json").exists(), "the record took the list in");
    assert!(!run.stderr.contains("kept"), "{}", run.stderr);
}

/// A file published anew with the bytes the record knows (the cover saved
/// again as a new file) is pending too: a build that stops while writing
/// it (here: it cannot save its memo, so it stops after writing the site,
/// its record as the build before left it) may leave a temporary file
/// beside it, which the next build sweeps, as it sweeps the whole output
/// folder after any build that did not finish.
#[test]
fn a_file_published_anew_with_the_same_bytes_is_pending_and_its_temporary_file_swept() {
    let show = Show::sample();
    show.build().ok();
    let cover = fs::read(show.path("media/cover.jpg")).unwrap();
    let saved = fs::metadata(show.path("media/cover.jpg")).unwrap().modified().unwrap();
    fs::remove_file(show.path("media/cover.jpg")).unwrap();
    fs::write(show.path("media/cover.jpg"), &cover).unwrap();
    let run = show.run_env(&["build", "--as-of", AS_OF], STOP_BEFORE_RECORDS);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("stopped before saving the records"), "{}", run.stderr);
    let pending = show.read(".podsmith/pending.json");
    assert_eq!(pending.matches("\"media/").count(), 1, "only the cover is written: {pending}");
    assert!(pending.contains("\"media/cover.jpg\""), "{pending}");
    // As a build killed between linking the cover and renaming the link
    // leaves it; and the cover given its time back, so the show is as the
    // record has it (the last build did not finish all the same).
    let tmp = show.path("public/media/.podsmith-aB3dE6.tmp");
    fs::hard_link(show.path("media/cover.jpg"), &tmp).unwrap();
    set_mtime(&show.path("media/cover.jpg"), saved);
    let run = build_matches_a_full_build(&show, "after a build that did not finish");
    assert!(!tmp.exists(), "{}", run.stderr);
    assert!(!show.path(".podsmith/pending.json").exists());
    assert_eq!(written(&build_matches_a_full_build(&show, "nothing")), 0);
}

/// A build killed after listing what it set out to write and making a
/// temporary file for it, but before it replaced anything: the show is as
/// the record has it, yet the next build is not "nothing changed": it
/// builds, sweeping the temporary file, and takes the list in.
#[test]
fn a_build_after_one_that_did_not_finish_is_never_nothing_changed() {
    let show = Show::sample();
    show.build().ok();
    let out = show.path("public").canonicalize().unwrap();
    let list = serde_json::json!({
        "version": 2,
        "sites": [{"out": out, "pending": {"episodes/fluentd-eduardo-silva/index.html": "ab".repeat(32)}, "build": "1a2b-3c"}],
    });
    show.write(".podsmith/pending.json", &list.to_string());
    let tmp = show.path("public/episodes/fluentd-eduardo-silva/.podsmith-Zx81Qa.tmp");
    fs::write(&tmp, "<html>half a page").unwrap();
    let run = build_matches_a_full_build(&show, "after a build that did not finish");
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert!(!tmp.exists(), "{}", run.stderr);
    assert!(!show.path(".podsmith/pending.json").exists());
    let run = build_matches_a_full_build(&show, "nothing");
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
}

#[test]
fn another_build_of_podsmith_does_the_work_again_once() {
    let show = Show::sample();
    show.build().ok();
    // The same program elsewhere (a new build would differ the same way: its size or time).
    let copy = show.path("podsmith-copy");
    fs::copy(assert_cmd::cargo::cargo_bin("podsmith"), &copy).unwrap();
    let run = |bin: &std::path::Path| {
        let mut tries = 0;
        let out = loop {
            let command = std::process::Command::new(bin)
                .current_dir(show.root())
                .args(["-v", "build", "--as-of", "2026-06-01T00:00:00Z"])
                .output();
            match command {
                // A process another test forked while the copy was being
                // written holds it open until it runs its own program.
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.unwrap(),
            }
        };
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let first = run(&copy);
    assert!(!first.contains("nothing changed since the last build"), "{first}");
    assert!(first.contains("0 written, 20 unchanged"), "the same site: {first}");
    assert!(run(&copy).contains("nothing changed since the last build"));
}

/// An episode's art replaced in place (the same file name, another picture
/// of another size): the build takes the new picture, as a full build does,
/// and says what a full build says of it (art under 1,400 px).
#[test]
fn episode_art_replaced_in_place_is_published_anew() {
    let show = Show::sample();
    let art = |name: &str| fs::read(repo().join("tests/fixtures/rules/images").join(name)).unwrap();
    fs::write(show.path("media/fluentd-art.jpg"), art("cover.jpg")).unwrap();
    let manifest = show.read("episodes.toml");
    let titled = "title = \"Eduardo Silva on Fluentd\"\n";
    assert!(manifest.contains(titled), "{manifest}");
    show.write("episodes.toml", &manifest.replacen(titled, &format!("{titled}image = \"media/fluentd-art.jpg\"\n"), 1));
    show.build().ok();
    assert_eq!(fs::read(show.path("public/media/fluentd-art.jpg")).unwrap(), art("cover.jpg"));
    // 500 px in place of 1,400, saved as a new file (as an editor saves:
    // the published copy, a hard link of the old file, still holds the old).
    fs::remove_file(show.path("media/fluentd-art.jpg")).unwrap();
    fs::write(show.path("media/fluentd-art.jpg"), art("small.jpg")).unwrap();
    let run = build_matches_a_full_build(&show, "episode art replaced");
    assert!(written(&run) >= 1, "{}", run.stderr);
    assert_eq!(fs::read(show.path("public/media/fluentd-art.jpg")).unwrap(), art("small.jpg"));
    assert_eq!(written(&build_matches_a_full_build(&show, "nothing")), 0);
}

/// A recording written over in place (`ffmpeg -y`, `cp` onto it) is the
/// very file published by a hard link, and another command (`list`) may
/// have measured it already, so the probe cache holds its new measurement:
/// the build still tells it from a touched file by its bytes, and publishes
/// its new length and duration.
#[test]
fn a_recording_written_over_in_place_and_listed_first_is_published_anew() {
    let show = Show::sample();
    show.build().ok();
    let target = show.path("media/fluentd-eduardo-silva.mp3");
    assert!(target.exists());
    let before = fs::read(show.path("public/feed.xml")).unwrap();
    // In place: the same file (inode), so public/media's hard link holds it too.
    let mut f = fs::File::options().write(true).truncate(true).open(&target).unwrap();
    std::io::Write::write_all(&mut f, &fs::read(repo().join("tests/fixtures/audio/cbr-xing.mp3")).unwrap()).unwrap();
    drop(f);
    show.run(&["list", "--as-of", AS_OF]).ok();
    let run = build_matches_a_full_build(&show, "a recording written over in place");
    assert!(written(&run) >= 2, "{}", run.stderr);
    assert_ne!(fs::read(show.path("public/feed.xml")).unwrap(), before);
    assert_eq!(written(&build_matches_a_full_build(&show, "nothing")), 0);
}

/// A recording put in place of the published one with the same size and
/// time (a restore with `cp -p`, `tar` or `rsync -t`, other bytes) is
/// another file: published anew, not "nothing changed", and said to be
/// replaced under its URL although it differs only in the middle (where
/// the fingerprint, which reads a big file's ends, does not look). The
/// same bytes put back so are published anew, and nothing is said.
#[test]
fn a_recording_replaced_with_the_same_size_and_time_is_published_anew() {
    let show = Show::sample();
    show.build().ok();
    let target = show.path("media/fluentd-eduardo-silva.mp3");
    let mut other = fs::read(&target).unwrap();
    let middle = other.len() / 2;
    other[middle..middle + 4].iter_mut().for_each(|b| *b ^= 0xff);
    let mtime = fs::metadata(&target).unwrap().modified().unwrap();
    let put_back = |bytes: &[u8]| {
        let new = show.path("new.mp3");
        fs::write(&new, bytes).unwrap();
        set_mtime(&new, mtime);
        fs::rename(&new, &target).unwrap();
    };
    put_back(&other);
    let run = build_matches_a_full_build(&show, "a recording replaced with the same size and time");
    assert_eq!(written(&run), 1, "{}", run.stderr);
    let replaced = "fluentd-eduardo-silva.mp3 was replaced under the same URL by another of the same size (889 KB)";
    assert!(run.stderr.contains(replaced), "{}", run.stderr);
    assert_eq!(fs::read(show.path("public/media/fluentd-eduardo-silva.mp3")).unwrap(), other);
    assert_eq!(written(&build_matches_a_full_build(&show, "nothing")), 0);
    // The same bytes, another file: published as it, nothing to say.
    put_back(&other);
    let run = build_matches_a_full_build(&show, "the same recording restored");
    assert_eq!(written(&run), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("was replaced"), "{}", run.stderr);
}

/// `podsmith.lock` edited, its length kept (a published guid changed by a
/// digit, a lock from another branch): the build checks the identities
/// again, and refuses the change, not "nothing changed".
#[test]
fn a_lock_edited_to_the_same_length_is_checked_again() {
    let show = Show::sample();
    show.build().ok();
    let lock = show.read("podsmith.lock");
    let guid = lock.lines().find_map(|l| l.strip_prefix("guid = \"")).unwrap().trim_end_matches('"').to_string();
    let last = guid.chars().last().unwrap();
    let changed = format!("{}{}", &guid[..guid.len() - 1], if last == '0' { '1' } else { '0' });
    show.write("podsmith.lock", &lock.replacen(&guid, &changed, 1));
    assert_eq!(show.read("podsmith.lock").len(), lock.len());
    let run = show.build().fails(1);
    // The first guid in the lock is the show's podcast:guid.
    assert!(
        run.stderr.contains(&format!("podcast:guid changed from {changed} to {guid}"))
            && run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    show.write("podsmith.lock", &lock);
    assert_eq!(written(&show.build().ok()), 0);
}

/// The episodes an index lists: the latest one's (in its box), then the others'.
fn listed_on_index(index: &str) -> Vec<&str> {
    let latest = index.split_once("<section class=\"latest\"").map(|(_, rest)| rest).unwrap_or_default();
    let first = latest.split_once("<h3><a href=\"").and_then(|(_, rest)| Some(&rest[..rest.find('"')?]));
    first.into_iter().chain(links_in(index, "<ul class=\"episodes\" role=\"list\">")).collect()
}

/// The `href`s of the links in `html`'s element that opens with `open`.
fn links_in<'a>(html: &'a str, open: &str) -> Vec<&'a str> {
    let start = html.find(open).unwrap_or_else(|| panic!("no {open} in\n{html}"));
    let part = &html[start..start + html[start..].find("</ul>").unwrap()];
    part.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect()
}

/// A show of more than a hundred episodes lists its newest hundred on the
/// index, every episode on the page of its year, and links every year from
/// the index and from each year's page; the sitemap lists those pages. An
/// edit to an old episode renders its page and its year's again, not the
/// index; an added one, the index and its year's.
#[test]
fn a_big_show_has_an_archive_page_a_year_and_an_index_of_its_newest_hundred() {
    // 150 weeks from 2023-01-02: 52 in 2023, 53 in 2024, 45 in 2025.
    let show = weekly_show(150);
    build_matches_a_full_build(&show, "first");
    let index = show.read("public/index.html");
    let listed = listed_on_index(&index);
    let newest: Vec<String> = (50..150).rev().map(|i| format!("episodes/ep-{i:03}/")).collect();
    assert_eq!(listed, newest, "the newest hundred, newest first");
    assert_eq!(links_in(&index, "<nav class=\"archive\""), ["archive/2025/", "archive/2024/", "archive/2023/"]);
    assert!(index.contains("<a href=\"archive/2024/\">2024</a> (53)"), "{index}");
    assert!(
        index.contains("<nav class=\"archive\" aria-labelledby=\"archive\">\n<h2 id=\"archive\"><span>Archive</span> 2023–2025</h2>"),
        "{index}"
    );
    let years = [(2025, 105..150), (2024, 52..105), (2023, 0..52)];
    for (year, episodes) in years.clone() {
        let page = show.read(&format!("public/archive/{year}/index.html"));
        assert!(page.contains(&format!("<title>{year} · Fixture Show</title>")), "{page}");
        // A link preview of the page says what it is.
        let said = format!("{year} · A show made of test fixtures.");
        assert!(page.contains(&format!("<meta property=\"og:description\" content=\"{said}\">")), "{page}");
        assert!(page.contains(&format!("<h1><span>Archive</span> {year}</h1>")), "{page}");
        let listed = links_in(&page, "<ul class=\"episodes\" role=\"list\">");
        let expected: Vec<String> = episodes.rev().map(|i| format!("../../episodes/ep-{i:03}/")).collect();
        assert_eq!(listed, expected, "{year}");
        // The other years linked, this one marked as the page's own.
        let others: Vec<String> =
            [2025, 2024, 2023].iter().filter(|&&y| y != year).map(|y| format!("../../archive/{y}/")).collect();
        assert_eq!(links_in(&page, "<nav class=\"archive\""), others);
        assert!(page.contains(&format!("<span aria-current=\"page\">{year}</span>")), "{page}");
        // Every link leads to a page of the site.
        for link in listed {
            assert!(show.path(&format!("public/archive/{year}/{link}index.html")).exists(), "{link}");
        }
    }
    let sitemap = show.read("public/sitemap.xml");
    for year in [2023, 2024, 2025] {
        assert!(sitemap.contains(&format!("<loc>https://example.com/show/archive/{year}/</loc>")), "{sitemap}");
    }

    // An old episode's notes edited: its page and its year's page, and
    // the feeds; the index is as it was.
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replace("Notes of episode 7.", "Notes of episode 7, edited."));
    let run = build_matches_a_full_build(&show, "old notes");
    assert_eq!(written(&run), 3, "its page, 2023's page, feed.xml\n{}", run.stderr);
    assert!(show.read("public/archive/2023/index.html").contains("Notes of episode 7, edited."));
    assert_eq!(show.read("public/index.html"), index);

    // A new episode: the index, its year's page, its own page, the sitemap and the feed.
    fs::hard_link(show.path("media/ep-000.mp3"), show.path("media/ep-new.mp3")).unwrap();
    let added = episode("Newest", "guid-new", "2025-12-30T09:00:00Z", &["ep-new.mp3"]);
    show.write("episodes.toml", &format!("{}{added}", show.read("episodes.toml")));
    build_matches_a_full_build(&show, "added");
    let index = show.read("public/index.html");
    assert_eq!(listed_on_index(&index)[0], "episodes/newest/");
    assert!(index.contains("<a href=\"archive/2025/\">2025</a> (46)"), "{index}");
    assert!(show.read("public/archive/2025/index.html").contains("Newest"));
}

/// A show of a hundred episodes or fewer has its index alone: no archive.
#[test]
fn a_show_of_a_hundred_episodes_lists_them_all_on_its_index() {
    let show = weekly_show(100);
    show.build().ok();
    assert_eq!(listed_on_index(&show.read("public/index.html")).len(), 100);
    assert!(!show.read("public/index.html").contains("class=\"archive\""));
    assert!(!show.path("public/archive").exists());
}

/// The list of episodes is one template (`episodes.html`, a macro) that the
/// index and the archive's pages share: a show's own changes both.
#[test]
fn a_shows_own_list_of_episodes_is_the_index_and_the_archives() {
    let show = weekly_show(101);
    show.write(
        "templates/episodes.html",
        "{% macro list(episodes, root, show) %}<ol class=\"ours\">{% for e in episodes %}<li><a href=\"{{ root }}{{ e.path }}\">{{ e.title }}</a></li>{% endfor %}</ol>{% endmacro %}",
    );
    build_matches_a_full_build(&show, "own list");
    let index = show.read("public/index.html");
    // (The newest, ep-100, is in the latest box: the list has the others.)
    assert!(index.contains("<ol class=\"ours\"><li><a href=\"episodes/ep-099/\">Episode 99</a></li>"), "{index}");
    let year = show.read("public/archive/2023/index.html");
    assert!(year.contains("<ol class=\"ours\"><li><a href=\"../../episodes/ep-051/\">Episode 51</a></li>"), "{year}");
}

/// A show kept as a model, its manifest written from it whole after every
/// edit (an episode's table changes only where the edit is), and the files
/// beside it (notes, chapters and transcript files) written where their
/// text changed.
struct Model {
    title: String,
    description: String,
    episodes: Vec<ModelEpisode>,
    next: usize,
    /// Every episode's chapters also in its description.
    chapters_in_notes: bool,
    /// The text of a line the show's own `templates/base.html` adds, if it has one.
    template: Option<String>,
}

struct ModelEpisode {
    id: usize,
    title: String,
    /// Hours past the start of 2026; past 3,600 the episode is scheduled
    /// (after AS_OF).
    hour: u32,
    media: Vec<String>,
    notes: String,
    /// The notes in `notes/ep-ID.md` (`notes_file`), not in the manifest.
    notes_in_file: bool,
    number: Option<u32>,
    season: Option<u32>,
    guests: Vec<String>,
    explicit: bool,
    itunes_title: Option<String>,
    /// `type`: "bonus" or "trailer" (none: a full episode).
    kind: Option<&'static str>,
    /// Episode art in `media/art-ID.jpg`.
    art: bool,
    /// Chapter titles (at 0 s, 1 s, …), in the manifest or in
    /// `chapters/ep-ID.json` (`chapters_file`).
    chapters: Vec<String>,
    chapters_in_file: bool,
    /// A transcript's one cue, in `transcripts/ep-ID.vtt`.
    transcript: Option<String>,
}

/// A small, fixed-seed generator of choices (the test is the same on every run).
pub(crate) struct Dice(u64);

impl Dice {
    /// The dice of seed `seed` (not 0).
    pub(crate) fn new(seed: u64) -> Dice {
        Dice(seed.max(1))
    }

    /// A random test's seed and number of steps: `PODSMITH_TEST_SEED` and
    /// `PODSMITH_TEST_STEPS` if given, else the test's own.
    pub(crate) fn seed_and_steps(seed: u64, steps: u64) -> (u64, u64) {
        let var = |name: &str| std::env::var(name).ok().and_then(|s| s.parse().ok());
        (var("PODSMITH_TEST_SEED").unwrap_or(seed), var("PODSMITH_TEST_STEPS").unwrap_or(steps))
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const MP3S: [&str; 4] = ["pair-5s.mp3", "cbr-xing.mp3", "vbr-xing.mp3", "cbr-noxing.mp3"];
const WORDS: [&str; 8] =
    ["logs", "**metrics**", "a [link](https://example.com/a)", "DNS", "<b>bold</b>", "&", "é", "`code`"];
/// Pictures for episode art and the cover (1,400 px, 500 px, CMYK).
const ART: [&str; 3] = ["cover.jpg", "small.jpg", "cmyk.jpg"];
const SCHEDULED: u32 = 3700;

/// A picture of the rule fixtures.
fn picture(name: &str) -> Vec<u8> {
    fs::read(repo().join("tests/fixtures/rules/images").join(name)).unwrap()
}

/// `bytes` into `show`'s file `rel`: over the file in place (the same
/// file, so a published hard link of it too) or, as most editors save, as
/// a new file in its place.
fn save_picture(show: &Show, rel: &str, bytes: &[u8], in_place: bool) {
    let path = show.path(rel);
    if !in_place {
        let _ = fs::remove_file(&path);
    }
    fs::write(path, bytes).unwrap();
}

/// `text` into `show`'s file `rel`, unless it holds that already (a file
/// written again with the same text would only be touched).
fn write_if_changed(show: &Show, rel: &str, text: &str) {
    if fs::read_to_string(show.path(rel)).ok().as_deref() != Some(text) {
        show.write(rel, text);
    }
}

impl Model {
    fn manifest(&self) -> String {
        let mut podcast = PODCAST_TABLE
            .replacen(
                "description = \"A show made of test fixtures.\"",
                &format!("description = \"{}\"", self.description),
                1,
            )
            .replacen("title = \"Fixture Show\"", &format!("title = \"{}\"", self.title), 1);
        if self.chapters_in_notes {
            podcast.push_str("chapters_in_notes = true\n");
        }
        let mut m = podcast;
        for e in &self.episodes {
            let date = chrono::DateTime::parse_from_rfc3339("2026-01-01T09:00:00Z").unwrap()
                + chrono::Duration::hours(i64::from(e.hour));
            let media: Vec<&str> = e.media.iter().map(String::as_str).collect();
            m.push_str(&episode(&e.title, &format!("guid-{}", e.id), &date.to_rfc3339(), &media));
            m.push_str(&format!("slug = \"ep-{}\"\n", e.id));
            match e.notes_in_file {
                true => m.push_str(&format!("notes_file = \"notes/ep-{}.md\"\n", e.id)),
                false => m.push_str(&format!("notes = \"\"\"\n{}\n\"\"\"\n", e.notes)),
            }
            if let Some(n) = e.number {
                m.push_str(&format!("episode = {n}\n"));
            }
            if let Some(n) = e.season {
                m.push_str(&format!("season = {n}\n"));
            }
            if !e.guests.is_empty() {
                let quoted: Vec<String> = e.guests.iter().map(|g| format!("\"{g}\"")).collect();
                m.push_str(&format!("guests = [{}]\n", quoted.join(", ")));
            }
            if e.explicit {
                m.push_str("explicit = true\n");
            }
            if let Some(t) = &e.itunes_title {
                m.push_str(&format!("itunes_title = \"{t}\"\n"));
            }
            if let Some(kind) = e.kind {
                m.push_str(&format!("type = \"{kind}\"\n"));
            }
            if e.art {
                m.push_str(&format!("image = \"media/art-{}.jpg\"\n", e.id));
            }
            if e.transcript.is_some() {
                m.push_str(&format!("transcript = \"transcripts/ep-{}.vtt\"\n", e.id));
            }
            if !e.chapters.is_empty() && e.chapters_in_file {
                m.push_str(&format!("chapters_file = \"chapters/ep-{}.json\"\n", e.id));
            }
            if !e.chapters_in_file {
                for (start, title) in e.chapters.iter().enumerate() {
                    m.push_str(&format!("\n[[episode.chapters]]\nstart = {start}\ntitle = \"{title}\"\n"));
                }
            }
        }
        m
    }

    /// The files the manifest names beside it, written where their text changed.
    fn write_files(&self, show: &Show) {
        for e in &self.episodes {
            if e.notes_in_file {
                write_if_changed(show, &format!("notes/ep-{}.md", e.id), &e.notes);
            }
            if e.chapters_in_file && !e.chapters.is_empty() {
                let chapters: Vec<String> = e
                    .chapters
                    .iter()
                    .enumerate()
                    .map(|(start, title)| format!("{{\"startTime\": {start}, \"title\": \"{title}\"}}"))
                    .collect();
                let json = format!("{{\"version\": \"1.2.0\", \"chapters\": [{}]}}", chapters.join(", "));
                write_if_changed(show, &format!("chapters/ep-{}.json", e.id), &json);
            }
            if let Some(cue) = &e.transcript {
                let vtt = format!("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>{cue}\n");
                write_if_changed(show, &format!("transcripts/ep-{}.vtt", e.id), &vtt);
            }
        }
        if let Some(line) = &self.template {
            let base = fs::read_to_string(repo().join("src/pages/templates/base.html")).unwrap();
            write_if_changed(
                show,
                "templates/base.html",
                &base.replacen("<body>", &format!("<body>\n<p>{line}</p>"), 1),
            );
        } else {
            let _ = fs::remove_file(show.path("templates/base.html"));
        }
    }

    /// A new live episode, with an MP3 of its own in `show`.
    fn add(&mut self, show: &Show, dice: &mut Dice) {
        let id = self.next;
        self.next += 1;
        let name = format!("ep-{id}.mp3");
        fs::copy(audio(MP3S[dice.below(MP3S.len())]), show.path(&format!("media/{name}"))).unwrap();
        let hour = dice.below(3000) as u32;
        let (title, notes) = (format!("Episode {id}"), format!("Notes of {id}."));
        self.episodes.push(ModelEpisode {
            id,
            title,
            hour,
            media: vec![name],
            notes,
            notes_in_file: false,
            number: None,
            season: None,
            guests: Vec::new(),
            explicit: false,
            itunes_title: None,
            kind: None,
            art: false,
            chapters: Vec::new(),
            chapters_in_file: false,
            transcript: None,
        });
    }

    /// One random edit (of the show's files too); what it was. Some
    /// episode stays live (a show with none is refused, rightly).
    fn edit(&mut self, show: &Show, dice: &mut Dice, step: u64) -> &'static str {
        let n = self.episodes.len();
        let (e, other) = (dice.below(n), dice.below(n));
        let live = self.episodes.iter().filter(|x| x.hour < SCHEDULED).count();
        let others_live = live - usize::from(self.episodes[e].hour < SCHEDULED) > 0;
        let other_is_live = self.episodes[other].hour < SCHEDULED;
        let kind = dice.below(29);
        if kind >= 17 {
            return self.edit_more(show, dice, e, kind);
        }
        let ep = &mut self.episodes[e];
        match kind {
            0 => ep.title.push_str(" again"),
            1 | 2 => ep.notes.push_str(&format!(" {}", WORDS[dice.below(WORDS.len())])),
            3 => ep.hour = dice.below(3000) as u32,
            4 if others_live => ep.hour = SCHEDULED,
            5 => ep.number = Some(dice.below(50) as u32 + 1),
            6 => self.description.push_str(" More."),
            7 => self.add(show, dice),
            8 if others_live => drop(self.episodes.remove(e)),
            11 => self.title.push_str(" Again"),
            // Two episodes at the same moment: the manifest's order tells
            // them apart, and it changes.
            12 if others_live || other_is_live => {
                self.episodes[e].hour = self.episodes[other].hour;
                self.episodes.swap(e, other);
            }
            13 if ep.media.len() > 1 => drop(ep.media.pop()),
            14 => ep.guests.push(["Ann", "Björn", "Chloé & Co"][dice.below(3)].to_string()),
            15 => ep.season = Some(dice.below(3) as u32 + 1),
            16 => ep.explicit = !ep.explicit,
            4 | 8 | 9 => {
                let to = show.path(&format!("media/{}", ep.media[0]));
                fs::copy(audio(MP3S[dice.below(MP3S.len())]), to).unwrap();
                return "a media file replaced";
            }
            _ if ep.media.len() == 1 => {
                let ogg = format!("ep-{}.ogg", ep.id);
                fs::copy(audio("vorbis-5s.ogg"), show.path(&format!("media/{ogg}"))).unwrap();
                ep.media.push(ogg);
                return "a second format";
            }
            _ => {
                let media = show.path(&format!("media/{}", ep.media[0]));
                set_mtime(&media, SystemTime::now() + Duration::from_secs(60 * (step + 1)));
                return "a media file touched";
            }
        }
        [
            "a title",
            "notes",
            "notes",
            "a date",
            "an episode scheduled",
            "a number",
            "the show's description",
            "an episode added",
            "an episode removed",
            "",
            "",
            "the show's title",
            "two episodes at one moment, swapped",
            "a second format dropped",
            "a guest",
            "a season",
            "explicit or not",
        ][kind]
    }

    /// The edits of files beside the manifest, and of what the feeds and
    /// pages take from them: notes files, episode art, chapters,
    /// transcripts, Apple's title, the episode type, the show's template
    /// and cover (`kind` 17 to 28, of episode `e`).
    fn edit_more(&mut self, show: &Show, dice: &mut Dice, e: usize, kind: usize) -> &'static str {
        let ep = &mut self.episodes[e];
        match kind {
            17 => {
                ep.notes_in_file = !ep.notes_in_file;
                "notes moved into a file or out of it"
            }
            18 => {
                let rel = format!("media/art-{}.jpg", ep.id);
                save_picture(show, &rel, &picture(ART[dice.below(ART.len())]), dice.below(2) == 0);
                ep.art = true;
                "episode art given or replaced"
            }
            19 => {
                ep.art = false;
                "episode art dropped"
            }
            20 => {
                let (at, count) = (dice.below(ep.chapters.len() + 1), ep.chapters.len());
                match ep.chapters.get_mut(at) {
                    Some(title) => title.push_str(" & more"),
                    None if count < 3 => ep.chapters.push(format!("Part {at}")),
                    None => ep.chapters.clear(),
                }
                "chapters"
            }
            21 => {
                ep.chapters_in_file = !ep.chapters_in_file;
                "chapters moved into a file or out of it"
            }
            22 => {
                ep.transcript = match (&ep.transcript, dice.below(3)) {
                    (Some(_), 0) => None,
                    (Some(cue), _) => Some(format!("{cue} {}", WORDS[dice.below(WORDS.len())])),
                    (None, _) => Some("Hello & welcome.".into()),
                };
                "a transcript"
            }
            23 => {
                ep.itunes_title = match ep.itunes_title.take() {
                    None => Some(format!("Apple's {}", ep.id)),
                    Some(_) => None,
                };
                "Apple's title"
            }
            24 => {
                ep.kind = match ep.kind {
                    None => Some("bonus"),
                    Some("bonus") => Some("trailer"),
                    Some(_) => None,
                };
                "the episode type"
            }
            25 => {
                self.template = match (&self.template, dice.below(3)) {
                    (Some(_), 0) => None,
                    (Some(line), _) => Some(format!("{line} & more")),
                    (None, _) => Some("Our own header".into()),
                };
                "the show's template"
            }
            26 => {
                let cover = match dice.below(2) {
                    0 => fs::read(repo().join("media/cover.jpg")).unwrap(),
                    _ => picture("cover.jpg"),
                };
                save_picture(show, "media/cover.jpg", &cover, dice.below(2) == 0);
                "the show's cover replaced"
            }
            27 => {
                self.chapters_in_notes = !self.chapters_in_notes;
                "chapters in the notes or not"
            }
            _ => {
                ep.notes.push_str(&format!("\n\n{}", WORDS[dice.below(WORDS.len())]));
                "a paragraph of notes"
            }
        }
    }
}

/// A run of random edits, set up: its seed and number of steps (given by
/// `PODSMITH_TEST_SEED` and `PODSMITH_TEST_STEPS`, else the defaults), and
/// a show of `episodes` random episodes, built once.
pub(crate) struct RandomEdits {
    pub(crate) seed: u64,
    pub(crate) steps: u64,
    pub(crate) dice: Dice,
    pub(crate) show: Show,
    model: Model,
}

impl RandomEdits {
    pub(crate) fn start(seed: u64, steps: u64, episodes: usize) -> RandomEdits {
        let (seed, steps) = Dice::seed_and_steps(seed, steps);
        let mut dice = Dice::new(seed);
        let show = Show::with(PODCAST_TABLE, &[]);
        let (title, description) = ("Fixture Show".into(), "A show made of test fixtures.".into());
        let mut model =
            Model { title, description, episodes: Vec::new(), next: 0, chapters_in_notes: false, template: None };
        for _ in 0..episodes {
            model.add(&show, &mut dice);
        }
        show.write("episodes.toml", &model.manifest());
        build_with(&show, "the first build", &[]);
        RandomEdits { seed, steps, dice, show, model }
    }

    /// One random edit made to the show (step `step`); what it was.
    pub(crate) fn edit(&mut self, step: u64) -> &'static str {
        let what = self.model.edit(&self.show, &mut self.dice, step);
        self.model.write_files(&self.show);
        self.show.write("episodes.toml", &self.model.manifest());
        what
    }
}

/// Random edits of every kind a podcaster makes, one after another, each
/// built incrementally and compared with a full build of the same show:
/// titles, notes, dates (the order of the feed, an episode scheduled),
/// numbers, seasons, guests, explicit or not, the show's title and
/// description, episodes added and removed, two at one moment swapped in
/// the manifest, media files replaced, a second format given or dropped, a
/// file only touched; and what lives beside the manifest: notes moved into
/// a file and out, episode art given, replaced (in place or as a new file)
/// and dropped, chapters (inline or in a file), transcripts, Apple's
/// title, the episode type, the show's own template and its cover, chapters
/// in the notes; now and then a build into a second folder too, which keeps
/// a memo of its own. (Set `PODSMITH_TEST_SEED` to run other edits,
/// `PODSMITH_TEST_STEPS` for more of them.)
#[test]
fn after_a_long_run_of_random_edits_every_build_is_a_full_builds_byte_for_byte() {
    let mut run = RandomEdits::start(0x5eed_cafe, 40, 4);
    let seed = run.seed;
    for step in 0..run.steps {
        let what = run.edit(step);
        let show = &run.show;
        build_with(show, &format!("step {step} (seed {seed:#x}): {what}"), &["--allow-changes"]);
        // Now and then into a second folder too: each keeps its own memo.
        if run.dice.below(4) == 0 {
            let what = format!("step {step} (seed {seed:#x}), into staging/: {what}");
            build_with(show, &what, &["--allow-changes", "--out", "staging"]);
        }
    }
}

/// Commands killed (`kill -9`) at random moments within about how long
/// one takes here, kept to it as the machine's load changes: sooner after
/// one that finished first, later after one killed.
#[cfg(unix)]
pub(crate) struct Kills {
    /// Microseconds.
    span: usize,
    killed: usize,
    tried: usize,
}

#[cfg(unix)]
impl Kills {
    /// Kills within `took` (how long one of the commands took), at first.
    pub(crate) fn within(took: Duration) -> Kills {
        Kills { span: took.as_micros().max(1_000) as usize, killed: 0, tried: 0 }
    }

    /// Runs `cmd` (its output dropped), killed after a random wait unless
    /// it finished first; whether it was killed.
    pub(crate) fn run(&mut self, dice: &mut Dice, cmd: &mut std::process::Command) -> bool {
        use std::process::Stdio;
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(dice.below(self.span) as u64));
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap();
            self.killed += 1;
            self.span += self.span / 8;
        } else {
            self.span = (self.span / 2).max(200);
        }
        child.wait().unwrap();
        self.tried += 1;
        killed
    }

    /// Requires that most were killed part-way (the test tested something).
    pub(crate) fn most_were_killed(&self) {
        assert!(self.killed * 2 >= self.tried, "only {} of {} were killed part-way", self.killed, self.tried);
    }
}

/// `podsmith ARGS…` in `show`, as a command to start.
#[cfg(unix)]
pub(crate) fn podsmith(show: &Show, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"));
    cmd.current_dir(show.root()).args(args);
    cmd
}

/// Random edits as above, each built by a build killed (`kill -9`) at a
/// random moment, before, while or after it writes the site, its memo and
/// its records (a quarter of them into a second folder); the build after
/// it, left to finish, is a full build's byte for byte, findings too.
/// (`PODSMITH_TEST_SEED` and `PODSMITH_TEST_STEPS` as above; the moments
/// are random, so a failure names its step.)
#[cfg(unix)]
#[test]
fn after_edits_whose_builds_were_killed_at_random_moments_the_next_build_is_a_full_builds() {
    let mut run = RandomEdits::start(0xdead_beef, 25, 6);
    let seed = run.seed;
    // How long a build with one change takes here: the kills fall within it.
    run.model.episodes[0].notes.push_str(" Timed.");
    run.show.write("episodes.toml", &run.model.manifest());
    let started = std::time::Instant::now();
    run.show.run(&["build", "--as-of", AS_OF]).ok();
    let mut kills = Kills::within(started.elapsed());
    for step in 0..run.steps {
        let what = run.edit(step);
        // A quarter of the killed builds are into a second folder.
        let staging = run.dice.below(4) == 0;
        let show = &run.show;
        let mut build = podsmith(show, &["build", "--allow-changes", "--as-of", AS_OF]);
        kills.run(&mut run.dice, build.args(if staging { &["--out", "staging"][..] } else { &[] }));
        build_with(show, &format!("step {step} (seed {seed:#x}), after a killed build: {what}"), &["--allow-changes"]);
        if staging {
            let what = format!("step {step} (seed {seed:#x}), into staging/ after a killed build there: {what}");
            build_with(show, &what, &["--allow-changes", "--out", "staging"]);
        }
    }
    kills.most_were_killed();
}

/// Random edits as above, made while `podsmith serve` runs (now and then
/// two in a row, the second while the preview rebuilds): after each,
/// the preview it rebuilds on its own comes to be, byte for byte, what a
/// full build of the show makes at the preview's address (an edit the
/// preview missed, or took in half, never does). (`PODSMITH_TEST_SEED`
/// and `PODSMITH_TEST_STEPS` as above.)
#[test]
fn a_preview_follows_random_edits_to_what_a_full_build_makes() {
    let mut run = RandomEdits::start(0x5e4e_ed17, 10, 4);
    let serving = crate::serve::start(&run.show);
    let base = format!("base_url = \"http://127.0.0.1:{}/\"", serving.port);
    let preview = run.show.path(".podsmith/preview/site");
    for step in 0..run.steps {
        let (seed, mut edit) = (run.seed, run.edit(step).to_string());
        // Now and then another edit soon after: while the preview rebuilds.
        if run.dice.below(2) == 0 {
            std::thread::sleep(Duration::from_millis(run.dice.below(500) as u64));
            edit = format!("{edit}, then {}", run.edit(step));
        }
        let what = format!("step {step} (seed {seed:#x}): {edit}");
        let other = copy_of(&run.show);
        other.write(
            "episodes.toml",
            &other.read("episodes.toml").replacen("base_url = \"https://example.com/show/\"", &base, 1),
        );
        other.run(&["build", "--no-cache", "--allow-changes"]).ok();
        let expected = files(&other.path("public"));
        let started = std::time::Instant::now();
        loop {
            let now = files_but_records(&preview);
            if now == expected {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let differ: Vec<&String> =
                    now.keys().chain(expected.keys()).filter(|k| now.get(*k) != expected.get(*k)).collect();
                panic!("{what}: the preview is not what a full build makes: {differ:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Media published as copies (a `public/` restored from a backup, or a
/// file system that refuses the links): the same bytes, not the show's
/// files, made after them. Neither `diff` nor a build calls them replaced.
#[test]
fn media_published_as_copies_are_not_said_to_be_replaced() {
    let show = Show::sample();
    show.build().ok();
    for e in fs::read_dir(show.path("public/media")).unwrap() {
        let path = e.unwrap().path();
        let copy = path.with_extension("copy");
        fs::copy(&path, &copy).unwrap();
        fs::rename(&copy, &path).unwrap();
    }
    let run = show.run(&["diff", "--as-of", AS_OF]).ok();
    assert!(run.stdout.starts_with("no changes since the last build"), "{}", run.stdout);
    // A title edited: a rebuild, which looks at every media file.
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replacen("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek Gieben on DNS\"", 1),
    );
    let run = show.run(&["build", "--as-of", AS_OF]).ok();
    assert!(!run.stderr.contains("was replaced"), "{}", run.stderr);
}
