//! Nothing lost, nothing escapes (issue 11): podsmith's own records are
//! untrusted input, files it did not write are never replaced or deleted,
//! concurrent and interrupted builds leave a consistent site.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

use podsmith::show_lock::{Access, ShowLock, Wait};

use snapbox::{assert_data_eq, str};

use crate::harness::*;

fn one_episode_show() -> Show {
    let manifest = format!("{PODCAST_TABLE}{}", episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    Show::with(&manifest, &["cbr-xing.mp3"])
}

/// A show of two episodes ("One", "Two"), and its manifest.
fn two_episode_show() -> (Show, String) {
    let manifest = format!(
        "{PODCAST_TABLE}{}{}",
        episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]),
        episode("Two", "g2", "2024-01-02T00:00:00Z", &["vbr-xing.mp3"])
    );
    (Show::with(&manifest, &["cbr-xing.mp3", "vbr-xing.mp3"]), manifest)
}

/// Every file under `dir` whose name is one of podsmith's temporary files.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            out.extend(temporary_files(&p));
        } else if e.file_name().to_string_lossy().starts_with(".podsmith-") {
            out.push(p);
        }
    }
    out
}

/// The build record as JSON, to craft.
fn record(show: &Show) -> serde_json::Value {
    serde_json::from_str(&show.read(".podsmith/build.json")).unwrap()
}

#[test]
fn a_crafted_build_record_deletes_nothing_outside_the_output_folder() {
    let show = one_episode_show();
    show.build().ok();
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("secret.txt");
    fs::write(&victim, "keep me").unwrap();
    let absolute = victim_dir.path().join("absolute.txt");
    fs::write(&absolute, "keep me too").unwrap();
    // Entries naming the victim, the manifest and a media file, each with
    // the size, time and fingerprint they really have: only the path is wrong.
    let mut rec = record(&show);
    let outputs = rec["sites"][0]["outputs"].as_object_mut().unwrap();
    let template = outputs["feed.xml"].clone();
    let public = show.path("public").canonicalize().unwrap();
    let victim_rel = pathdiff(&victim, &public);
    for (rel, file) in [
        (victim_rel.as_str(), victim.clone()),
        ("../episodes.toml", show.path("episodes.toml")),
        ("../media/cbr-xing.mp3", show.path("media/cbr-xing.mp3")),
        (absolute.to_str().unwrap(), absolute.clone()),
    ] {
        let meta = fs::metadata(&file).unwrap();
        let mut entry = template.clone();
        entry["size"] = meta.len().into();
        entry["mtime_ns"] =
            (meta.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64).into();
        entry["fingerprint"] = podsmith::fsutil::Fingerprint::of_file(&file).unwrap().to_string().into();
        outputs.insert(rel.to_string(), entry);
    }
    rec["sites"][0]["pending"] = serde_json::json!({ "../podsmith.lock": template["fingerprint"] });
    fs::write(show.path(".podsmith/build.json"), rec.to_string()).unwrap();
    let manifest = show.read("episodes.toml");

    let run = show.run(&["build", "--no-cache", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stderr.contains(
            "warning: .podsmith/build.json lists 5 entries that cannot be a file podsmith wrote inside its output folder"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(fs::read_to_string(&absolute).unwrap(), "keep me too");
    assert_eq!(show.read("episodes.toml"), manifest);
    assert!(show.path("media/cbr-xing.mp3").exists() && show.path("podsmith.lock").exists());
    // The next record is clean again.
    let run = show.run(&["build", "--no-cache", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(!run.stderr.contains("build.json"), "{}", run.stderr);
}

/// `to` relative to `from`, with `..` steps.
fn pathdiff(to: &Path, from: &Path) -> String {
    let to = to.canonicalize().unwrap();
    let common = from.ancestors().find(|a| to.starts_with(a)).unwrap();
    let ups = from.strip_prefix(common).unwrap().components().count();
    let mut s = "../".repeat(ups);
    s.push_str(&to.strip_prefix(common).unwrap().to_string_lossy());
    s
}

#[test]
fn a_file_changed_after_podsmith_wrote_it_is_kept_not_pruned() {
    let (show, _) = two_episode_show();
    show.build().ok();
    // The podcaster edits the page of "Two" by hand, then removes the episode.
    fs::write(show.path("public/episodes/two/index.html"), "my own page now").unwrap();
    let one = format!("{PODCAST_TABLE}{}", episode("One", "g1", "2024-01-01T00:00:00Z", &["cbr-xing.mp3"]));
    show.write("episodes.toml", &one);
    let run = show.run(&["build", "--allow-changes", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stderr.contains("removed 1 file an earlier build published and this one does not: media/vbr-xing.mp3"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: kept episodes/two/index.html: it changed since podsmith wrote it"),
        "{}",
        run.stderr
    );
    assert_eq!(show.read("public/episodes/two/index.html"), "my own page now");
}

#[test]
fn a_record_whose_summary_an_older_podsmith_wrote_is_still_read() {
    let show = Show::sample();
    show.build().ok();
    // Older podsmiths kept the summary's warnings as plain text.
    let mut rec = record(&show);
    let sites = rec["sites"].as_array_mut().unwrap();
    assert!(!sites[0]["summary"]["warnings"].as_array().unwrap().is_empty(), "{rec}");
    sites[0]["summary"]["warnings"] = serde_json::json!(["warning: something an older podsmith said"]);
    fs::write(show.path(".podsmith/build.json"), rec.to_string()).unwrap();
    let run = show.run(&["build", "-v"]).ok();
    assert!(run.stderr.contains("nothing changed since the last build"), "{}", run.stderr);
    assert!(!run.stderr.contains("set aside"), "{}", run.stderr);
}

#[test]
fn a_refusal_says_why_the_record_could_not_tell_the_files() {
    let (show, manifest) = two_episode_show();
    show.build().ok();
    // The record is damaged, and a page was made someone else's by hand;
    // then the episode's title changes, so the build would replace the page.
    fs::write(show.path(".podsmith/build.json"), "{ not json").unwrap();
    fs::write(show.path("public/episodes/two/index.html"), "my own page now").unwrap();
    show.write("episodes.toml", &manifest.replace("title = \"Two\"", "title = \"Two, again\"\nslug = \"two\""));
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
warning: .podsmith/build.json is damaged (key must be a string at line 1 column 3); it is set aside: this build does everything again, and replaces or deletes nothing it cannot tell it wrote
error: public holds 1 file podsmith has no record of writing, which this build would replace: episodes/two/index.html
  help: move them away or build into another folder (--out); to replace them (or if they are this show's from a build whose record, .podsmith/build.json, is gone), build with --force (nothing was written)

"#]]
    );
    assert_eq!(show.read("public/episodes/two/index.html"), "my own page now");
}

#[test]
fn files_podsmith_did_not_write_are_not_replaced_without_force() {
    let show = one_episode_show();
    let site = tempfile::tempdir().unwrap();
    fs::write(site.path().join("index.html"), "<h1>my homepage</h1>").unwrap();
    fs::write(site.path().join("feed.xml"), "<rss>my blog</rss>").unwrap();
    fs::write(site.path().join("about.html"), "about me").unwrap();
    let out = site.path().display().to_string();
    let run = show.run(&["build", "--out", &out, "--as-of", "2026-06-01T00:00:00Z"]).fails(2);
    assert_data_eq!(
        run.stderr.replace(&out, "[OUT]"),
        str![[r#"
error: [OUT] holds 2 files podsmith has no record of writing, which this build would replace: index.html, feed.xml
  help: move them away or build into another folder (--out); to replace them (or if they are this show's from a build whose record, .podsmith/build.json, is gone), build with --force (nothing was written)

"#]]
    );
    assert_eq!(fs::read_to_string(site.path().join("index.html")).unwrap(), "<h1>my homepage</h1>");
    assert!(!site.path().join("media").exists() && !site.path().join("episodes").exists(), "nothing was written");
    // --force replaces them; what is not the site's stays.
    show.run(&["build", "--out", &out, "--force", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(fs::read_to_string(site.path().join("feed.xml")).unwrap().contains("<title>Fixture Show</title>"));
    assert_eq!(fs::read_to_string(site.path().join("about.html")).unwrap(), "about me");
    // From then on they are podsmith's: the next build needs no --force.
    show.run(&["build", "--out", &out, "--no-cache", "--as-of", "2026-06-01T00:00:00Z"]).ok();
}

#[cfg(unix)]
#[test]
fn no_write_goes_through_a_linked_folder_in_the_output() {
    let show = one_episode_show();
    show.build().ok();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::remove_dir_all(show.path("public/media")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), show.path("public/media")).unwrap();
    for extra in [&[][..], &["--force"]] {
        let mut args = vec!["build", "--no-cache", "--as-of", "2026-06-01T00:00:00Z"];
        args.extend_from_slice(extra);
        let run = show.run(&args).fails(2);
        assert!(
            run.stderr.starts_with(
                "error: media/ in the output folder is a link; podsmith never writes through a link there"
            ),
            "{}",
            run.stderr
        );
    }
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // Nor is the show's own records folder a way out.
    let show = one_episode_show();
    std::os::unix::fs::symlink(elsewhere.path(), show.path(".podsmith")).unwrap();
    let run = show.build().fails(2);
    assert!(
        run.stderr.contains(".podsmith is a link; podsmith keeps its records in a folder of its own"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// A crafted record listing a file from outside the show, reached through
/// a link to its folder in the output folder, with the size, time and
/// fingerprint the file really has. Not even a build with nothing to do,
/// nor one whose media were only touched, vouches for it: the build looks
/// and says, and the record lets it go.
#[cfg(unix)]
#[test]
fn a_crafted_record_never_vouches_for_a_file_through_a_linked_folder() {
    for touched in [false, true] {
        let show = one_episode_show();
        show.build().ok();
        let elsewhere = secret_listed_through_a_link(&show);
        let secret = elsewhere.path().join("secret.env");
        if touched {
            let later = std::time::SystemTime::now() + Duration::from_secs(60);
            fs::File::options().write(true).open(show.path("media/cbr-xing.mp3")).unwrap().set_modified(later).unwrap();
        }
        let run = show.run(&["-q", "build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
        assert_data_eq!(
            run.stderr,
            str![[r#"
warning: kept evil/secret.env: public/evil is not a folder of podsmith's (a link or a file)
warning: episodes.toml:8: the feed's URLs and the owner e-mail are on example.com, a domain reserved for examples: nothing is served or delivered there [PLACEHOLDER]
  help: set base_url and the owner's email in episodes.toml to real ones

"#]]
        );
        // (The record as the next build reads it: the file and its log.)
        let records = podsmith::site::record::Records::read(show.root());
        let site = records.site(&show.path("public").canonicalize().unwrap()).unwrap();
        assert!(!site.outputs.contains_key("evil/secret.env"), "touched: {touched}");
        assert_eq!(fs::read_to_string(&secret).unwrap(), "SECRET=hunter2\n");
    }
}

#[test]
fn the_output_folder_may_not_hold_the_shows_own_files() {
    let show = one_episode_show();
    let run = show.run(&["build", "--out", "media"]).fails(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: the output folder `media` holds the show's own files (media/cover.jpg); podsmith would publish over them: choose a folder of its own, e.g. --out public

"#]]
    );
    // Transcripts and podsmith's own folders are the show's too (a crafted
    // record could otherwise have a build there delete a transcript).
    let show = Show::sample();
    let run = show.run(&["build", "--out", "transcripts"]).fails(2);
    assert!(run.stderr.contains("holds the show's own files (transcripts/"), "{}", run.stderr);
    for folder in [".podsmith/site", "templates", "new/../transcripts"] {
        let run = show.run(&["build", "--out", folder]).fails(2);
        assert!(run.stderr.contains("choose a folder of its own"), "{folder}: {}", run.stderr);
        assert!(!show.path(folder).join("feed.xml").exists());
    }
}

/// An output folder (or a new show's) that cannot be made is the command
/// line's to fix: a usage error (2) that says where to choose, not an error
/// in the show's content.
#[test]
fn a_folder_that_cannot_be_made_is_a_usage_error() {
    let show = one_episode_show();
    let run = show.run(&["build", "--out", "episodes.toml/site"]).fails(2);
    assert!(
        run.stderr.starts_with("error: cannot create the output folder `episodes.toml/site`: ")
            && run.stderr.contains("choose one in a place you may write to (--out)"),
        "{}",
        run.stderr
    );
    let run = show.run(&["init", "episodes.toml/new"]).fails(2);
    assert!(run.stderr.contains("help: choose a folder in a place you may write to"), "{}", run.stderr);
}

#[test]
fn a_second_command_waits_for_the_first_or_stops_with_no_wait() {
    let show = one_episode_show();
    let held = ShowLock::acquire(show.root(), Access::Exclusive, Wait::No, "build (a test)").unwrap();
    let run = show.run(&["build", "--no-wait"]).fails(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: another podsmith command is working on this show (pid {}: podsmith build (a test)); run this one \
             when it has finished, or without --no-wait to wait for it\n",
            std::process::id()
        )
    );
    assert!(!show.path("public").exists());
    // Without --no-wait it waits, says so, and builds once the lock is free.
    let child = Std::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(show.root())
        .args(["build", "--as-of", "2026-06-01T00:00:00Z"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(!show.path("public").exists(), "it did not wait");
    drop(held);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "waiting for another podsmith command working on this show to finish (pid {}: podsmith build (a test)) …\n",
            std::process::id()
        )),
        "{stderr}"
    );
    assert!(show.path("public/feed.xml").exists());
}

#[test]
fn two_builds_at_once_both_finish_and_leave_no_temporary_files() {
    let show = Show::sample();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Std::new(assert_cmd::cargo::cargo_bin("podsmith"))
                .current_dir(show.root())
                .args(["build", "--no-cache", "--as-of", "2026-06-01T00:00:00Z"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(temporary_files(show.root()), Vec::<PathBuf>::new());
}

/// A show of `n` episodes, each with its own (hard-linked) small MP3.
fn big_show(n: usize) -> Show {
    let show = Show::with(PODCAST_TABLE, &["mpeg25-8k-mono.mp3"]);
    let mut manifest = String::from(PODCAST_TABLE);
    for i in 0..n {
        let name = format!("ep-{i:04}.mp3");
        fs::hard_link(show.path("media/mpeg25-8k-mono.mp3"), show.path("media").join(&name)).unwrap();
        let date = format!("2020-01-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60);
        manifest.push_str(&episode(&format!("Episode {i}"), &format!("guid-{i}"), &date, &[&name]));
        manifest.push_str(&format!("slug = \"ep-{i:04}\"\nnotes = \"Notes of episode {i}.\"\n"));
    }
    fs::remove_file(show.path("media/mpeg25-8k-mono.mp3")).unwrap();
    show.write("episodes.toml", &manifest);
    show
}

/// After any interruption, the live feed is whole and everything it points
/// at is there.
fn assert_consistent(show: &Show, when: &str) {
    let feed_path = show.path("public/feed.xml");
    let Ok(xml) = fs::read_to_string(&feed_path) else { return };
    let els = elements(&xml); // panics unless the whole document parses
    let base = "https://example.com/show/";
    let mut urls: Vec<&str> = Vec::new();
    for e in &els {
        match (e.name.as_str(), e.path.last().map(String::as_str)) {
            ("enclosure", _) => urls.push(&e.attrs["url"]),
            ("link", Some("item")) => urls.push(&e.text),
            ("image", _) if e.attrs.contains_key("href") => urls.push(&e.attrs["href"]),
            _ => {}
        }
    }
    assert!(urls.len() > 2, "{when}: {} URLs", urls.len());
    for url in urls {
        let rel = url.strip_prefix(base).unwrap_or_else(|| panic!("{when}: {url}"));
        let path =
            show.path("public").join(if rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() });
        assert!(path.is_file(), "{when}: feed.xml points at {url}, which is not there");
    }
}

/// `kill -9` a build of a 2,000-episode show at several points; each time
/// the site is consistent, and the next build finishes it and leaves no
/// temporary file behind.
#[cfg(unix)]
#[test]
fn a_killed_build_leaves_a_consistent_site_and_the_next_one_cleans_up() {
    let n = 2000;
    let show = big_show(n);
    let count = |dir: &str| fs::read_dir(show.path(dir)).map(|d| d.count()).unwrap_or(0);
    type Point<'a> = (&'a str, Box<dyn Fn() -> bool + 'a>);
    let points: Vec<Point> = vec![
        ("while copying media", Box::new(|| count("public/media") > n / 4)),
        ("early in the pages", Box::new(|| count("public/episodes") > 50)),
        ("late in the pages", Box::new(|| count("public/episodes") > n * 3 / 4)),
    ];
    let mut killed = 0;
    for round in 0..2 {
        if round == 1 {
            // A complete build, then a changed show: the old site must survive a kill.
            show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
            assert_consistent(&show, "after a full build");
            let text = show.read("episodes.toml").replace("Notes of episode", "New notes of episode");
            show.write("episodes.toml", &text);
        }
        for (when, reached) in &points {
            let mut child = Std::new(assert_cmd::cargo::cargo_bin("podsmith"))
                .current_dir(show.root())
                .args(["build", "--as-of", "2026-06-01T00:00:00Z"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let started = Instant::now();
            loop {
                if child.try_wait().unwrap().is_some() {
                    break; // finished before the point: nothing to kill
                }
                if reached() {
                    child.kill().unwrap(); // SIGKILL
                    killed += 1;
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(120), "the build takes too long");
                std::thread::sleep(Duration::from_micros(200));
            }
            child.wait().unwrap();
            assert_consistent(&show, &format!("round {round}, killed {when}"));
        }
    }
    assert!(killed >= 3, "only {killed} builds were killed part-way");
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains(&format!("Built {n} episodes")), "{}", run.stderr);
    assert_consistent(&show, "after the last build");
    assert_eq!(temporary_files(show.root()), Vec::<PathBuf>::new());
    assert_eq!(count("public/episodes"), n);
    assert!(show.read("public/episodes/ep-0007/index.html").contains("New notes of episode 7."));
}

/// Whether `after` is `before` with lines added: every line of `before`
/// in it, in order.
fn keeps_every_line(before: &str, after: &str) -> bool {
    let mut lines = after.lines();
    before.lines().all(|line| lines.any(|l| l == line))
}

/// `podsmith add` killed (`kill -9`) at random moments as it copies or
/// moves a recording in: the manifest is always the one before or the one
/// with the new episode (every line of the other kept), a recording it
/// names is there whole, and one moved is in the show or where it was;
/// the same `add` run again finishes the job (or says the episode is in
/// already), and leaves nothing half-written. (`PODSMITH_TEST_SEED` and
/// `PODSMITH_TEST_STEPS` as for the random-edit builds.)
#[cfg(unix)]
#[test]
fn adds_killed_at_random_moments_lose_nothing_and_the_same_add_finishes_the_job() {
    use crate::incremental::{Dice, Kills, podsmith};
    let (seed, steps) = Dice::seed_and_steps(0x0add_5eed, 20);
    let mut dice = Dice::new(seed);
    let show = one_episode_show();
    let incoming = tempfile::tempdir().unwrap();
    let recordings = ["cbr-xing.mp3", "vbr-xing.mp3", "pair-5s.mp3", "cbr-noxing.mp3"];
    // How long an add takes here: the kills fall within it.
    fs::copy(audio("vbr-xing.mp3"), incoming.path().join("timed.mp3")).unwrap();
    let started = Instant::now();
    show.run(&["add", &incoming.path().join("timed.mp3").display().to_string(), "--title", "Timed"]).ok();
    let mut kills = Kills::within(started.elapsed());
    for step in 0..steps {
        let before = show.read("episodes.toml");
        let name = format!("new-{step}.mp3");
        let (source, rel) = (incoming.path().join(&name), format!("media/{name}"));
        let bytes = fs::read(audio(recordings[dice.below(recordings.len())])).unwrap();
        fs::write(&source, &bytes).unwrap();
        let how = ["--copy", "--move"][dice.below(2)];
        let title = format!("New {step}");
        let args = ["add", &source.display().to_string(), "--title", &title, how];
        let what = format!("step {step} (seed {seed:#x}), add {how}");
        kills.run(&mut dice, &mut podsmith(&show, &args));
        let after = show.read("episodes.toml");
        let named = after.contains(&format!("\"{rel}\""));
        if after != before {
            assert!(named && keeps_every_line(&before, &after), "{what}: the manifest is neither\n{after}");
        }
        if named || !source.exists() {
            assert!(fs::read(show.path(&rel)).ok() == Some(bytes.clone()), "{what}: {rel} is not whole");
        }
        // Moved: the job is done. Else the same add again finishes it.
        assert!(named || source.exists(), "{what}: moved, yet not added");
        if source.exists() {
            let again = show.run(&args);
            let done = again.code == 0
                || (again.code == 1 && again.stderr.contains(&format!("{rel} is already the media of")));
            assert!(done, "{what}: run again, add says\n{}", again.stderr);
        }
        assert!(show.read("episodes.toml").contains(&format!("\"{rel}\"")), "{what}: not added");
        assert!(fs::read(show.path(&rel)).ok() == Some(bytes), "{what}: {rel} is not whole");
        assert_eq!(temporary_files(show.root()), Vec::<PathBuf>::new(), "{what}");
    }
    kills.most_were_killed();
    // (Each added a second after the one before: some are still to come.)
    let run = show.run(&["build", "--as-of", "2100-01-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains(&format!("Built {} episodes", steps + 2)), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn add_copies_nothing_through_a_link_out_of_the_show() {
    let show = one_episode_show();
    let elsewhere = tempfile::tempdir().unwrap();
    // The show's files are in audio/; media/, where add copies to, is a link out.
    fs::rename(show.path("media"), show.path("audio")).unwrap();
    show.write("episodes.toml", &show.read("episodes.toml").replace("media/", "audio/"));
    std::os::unix::fs::symlink(elsewhere.path(), show.path("media")).unwrap();
    let before = show.read("episodes.toml");
    let run = show.run(&["add", &audio("vbr-xing.mp3").display().to_string(), "--title", "Two"]).fails(1);
    assert!(run.stderr.contains("outside the show folder; podsmith copies files only into the show"), "{}", run.stderr);
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    assert_eq!(show.read("episodes.toml"), before);
}

/// `.podsmith/` is podsmith's own folder, and people clear it like a cache:
/// this show's feeds and pages are still recognised as its own.
#[test]
fn a_lost_build_record_does_not_make_the_shows_own_pages_foreign() {
    let show = Show::sample();
    show.build().ok();
    fs::remove_dir_all(show.path(".podsmith")).unwrap();
    let text = show.read("episodes.toml").replacen(
        "title = \"Eduardo Silva on Fluentd\"",
        "title = \"Eduardo Silva on Fluentd!\"",
        1,
    );
    show.write("episodes.toml", &text);
    let run = show.build().ok();
    assert!(
        run.stderr.contains("~ title \"Eduardo Silva on Fluentd\" is now \"Eduardo Silva on Fluentd!\""),
        "{}",
        run.stderr
    );
    assert!(show.read("public/feed.xml").contains("Eduardo Silva on Fluentd!"));
    // Another show's page in the way is still someone else's.
    let other = Show::sample();
    let text =
        other.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", "https://other.example.com/");
    other.write("episodes.toml", &text);
    let out = show.path("public").display().to_string();
    let run = other.run(&["build", "--out", &out, "--as-of", "2026-06-01T00:00:00Z"]).fails(2);
    assert!(run.stderr.contains("which this build would replace: index.html, episodes/"), "{}", run.stderr);
}

/// `show` moved (a rename) to a folder of its own, as `Show`.
fn moved(show: Show) -> Show {
    let to = Show::empty();
    fs::remove_dir(to.root()).unwrap();
    fs::rename(show.root(), to.root()).unwrap();
    to
}

/// The sample show without its last episode (Sarah Novotny's).
fn without_last_episode(show: &Show) -> String {
    let text = show.read("episodes.toml");
    text[..text.find("[[episode]]\ntitle = \"Sarah").unwrap()].to_string()
}

/// Whether a build of `show` has nothing to do.
fn unchanged(show: &Show) -> bool {
    let run = show.run(&["build", "-v", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    run.stderr.contains("nothing changed since the last build")
}

const LAST_EPISODE_FILES: &str = "episodes/kubernetes-sarah-novotny/index.html, \
     media/kubernetes-sarah-novotny.mp3, media/kubernetes-sarah-novotny.ogg";

/// A chapter of the sample's second episode renamed (its chapters file
/// changes) and that episode's page edited by hand, then a build, which
/// must refuse: the page, what it held as built, and the refusal.
fn chapter_renamed_and_page_edited(show: &Show) -> (&'static str, String, crate::harness::Run) {
    let text = show.read("episodes.toml").replacen("title = \"Introduction\"", "title = \"Intro\"", 1);
    show.write("episodes.toml", &text);
    let page = "public/episodes/coredns-miek-gieben/index.html";
    let built = show.read(page);
    show.write(page, "my own page");
    (page, built, show.build().fails(2))
}

/// A show folder moved or renamed (its output folder and its records in
/// it) is the same show: a build that changes the chapters rewrites them,
/// and one that drops an episode removes its page and media, as before
/// the move; a file edited by hand since is still someone else's.
#[test]
fn a_moved_show_folder_takes_its_record_along() {
    let show = Show::sample();
    show.build().ok();
    let show = moved(show);
    // A page edited by hand since the move: in the way, it is refused.
    let (page, built, run) = chapter_renamed_and_page_edited(&show);
    assert!(
        run.stderr.contains("which this build would replace: episodes/coredns-miek-gieben/index.html\n"),
        "{}",
        run.stderr
    );
    show.write(page, &built);
    show.build().ok();
    assert!(show.read("public/episodes/coredns-miek-gieben/chapters.json").contains("\"Intro\""));
    // Moved again, an episode dropped: its files go.
    let show = moved(show);
    show.write("episodes.toml", &without_last_episode(&show));
    let run = show.run(&["build", "--allow-changes", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let removed = format!("removed 3 files an earlier build published and this one does not: {LAST_EPISODE_FILES}");
    assert!(run.stderr.contains(&removed), "{}", run.stderr);
    assert!(!show.path("public/episodes/kubernetes-sarah-novotny").exists());
    // The record is of the folder where it is now: nothing left to do.
    assert!(unchanged(&show), "{}", show.build().stderr);
}

/// The output folder moved elsewhere and linked from where it was (to a
/// disk of its own, say), in the same build as an episode is removed:
/// the record of what the last build wrote there is still its own, so the
/// episode's files go, and the next build has nothing to do.
#[cfg(unix)]
#[test]
fn an_output_folder_made_a_link_keeps_its_record() {
    let show = Show::sample();
    show.build().ok();
    let elsewhere = tempfile::tempdir().unwrap();
    let moved_to = elsewhere.path().join("site");
    fs::rename(show.path("public"), &moved_to).unwrap();
    std::os::unix::fs::symlink(&moved_to, show.path("public")).unwrap();
    show.write("episodes.toml", &without_last_episode(&show));
    let run = show.run(&["build", "--allow-changes", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let removed = format!("removed 3 files an earlier build published and this one does not: {LAST_EPISODE_FILES}");
    assert!(run.stderr.contains(&removed), "{}", run.stderr);
    assert!(!moved_to.join("episodes/kubernetes-sarah-novotny").exists());
    assert!(unchanged(&show), "{}", show.build().stderr);
}

/// A show folder copied whole (`cp -a`) is a show of its own: its build
/// takes the record of its copy of the output folder, and writes and
/// removes there only, never in the original's.
#[cfg(unix)]
#[test]
fn a_copied_show_folder_builds_its_own_output_folder_only() {
    let show = Show::sample();
    show.build().ok();
    let copy = Show::empty();
    let status = Std::new("cp").arg("-a").arg(show.root().join(".")).arg(copy.root()).status().unwrap();
    assert!(status.success());
    let original = files_but_records(show.root());
    copy.write("episodes.toml", &without_last_episode(&copy));
    let run = copy.run(&["build", "--allow-changes", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let removed = format!("removed 3 files an earlier build published and this one does not: {LAST_EPISODE_FILES}");
    assert!(run.stderr.contains(&removed), "{}", run.stderr);
    assert!(!copy.path("public/episodes/kubernetes-sarah-novotny").exists());
    assert!(files_but_records(show.root()) == original, "the original show is as it was");
    // Each folder's record is its own: neither has anything to do.
    assert!(unchanged(&copy), "{}", copy.build().stderr);
    assert!(unchanged(&show), "{}", show.build().stderr);
}

/// A record that came with the show from another folder (a clone's, or a
/// crafted one) is not enough to remove a file the podcaster put in the
/// output folder, however well it names its bytes (an empty `.nojekyll`,
/// a `CNAME`): a file it recorded goes only if its size and time are
/// still as recorded. Kept, and said; the record forgets it.
#[test]
fn a_record_from_another_folder_removes_no_file_by_its_fingerprint_alone() {
    let show = Show::sample();
    show.build().ok();
    let fingerprint = |bytes: &[u8]| {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
        h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let mut record: serde_json::Value = serde_json::from_str(&show.read(".podsmith/build.json")).unwrap();
    let site = &mut record["sites"][0];
    site["root"] = "/home/someone/show".into();
    site["out"] = "/home/someone/show/public".into();
    let cname = b"podcast.example.com\n";
    site["outputs"][".nojekyll"] = serde_json::json!({"size": 0, "mtime_ns": 1, "fingerprint": fingerprint(b"")});
    site["outputs"]["CNAME"] = serde_json::json!({"size": 20, "mtime_ns": 1, "fingerprint": fingerprint(cname)});
    fs::write(show.path(".podsmith/build.json"), serde_json::to_vec(&record).unwrap()).unwrap();
    let _ = fs::remove_file(show.path(".podsmith/build.log"));
    fs::write(show.path("public/.nojekyll"), b"").unwrap();
    fs::write(show.path("public/CNAME"), cname).unwrap();
    let run = show.build().ok();
    assert!(
        run.stderr.contains("kept CNAME: the record of it came with the show from another folder"),
        "{}",
        run.stderr
    );
    assert!(show.path("public/.nojekyll").exists() && show.path("public/CNAME").exists());
    // Forgotten: the next build that writes says nothing of them.
    show.write("episodes.toml", &show.read("episodes.toml").replacen("**Fluentd**", "**FluentD**", 1));
    let run = show.build().ok();
    assert!(!run.stderr.contains("CNAME"), "{}", run.stderr);
    assert!(show.path("public/CNAME").exists());
}

/// With `.podsmith/` cleared, the files made beside an episode's page
/// (chapters, transcripts) are this show's as the page is; beside a page
/// that is not this show's, they are someone else's.
#[test]
fn a_lost_build_record_does_not_make_the_shows_chapters_foreign() {
    let show = Show::sample();
    show.build().ok();
    fs::remove_dir_all(show.path(".podsmith")).unwrap();
    let (page, built, run) = chapter_renamed_and_page_edited(&show);
    assert!(
        run.stderr.contains(
            "holds 2 files podsmith has no record of writing, which this build would replace: \
             episodes/coredns-miek-gieben/chapters.json, episodes/coredns-miek-gieben/index.html\n"
        ),
        "{}",
        run.stderr
    );
    show.write(page, &built);
    show.build().ok();
    assert!(show.read("public/episodes/coredns-miek-gieben/chapters.json").contains("\"Intro\""));
}

/// With `.podsmith/` cleared, the pages of the archive's years are this
/// show's as its other pages are.
#[test]
fn a_lost_build_record_does_not_make_the_shows_archive_foreign() {
    let show = weekly_show(120);
    show.build().ok();
    assert!(show.path("public/archive/2023/index.html").exists());
    fs::remove_dir_all(show.path(".podsmith")).unwrap();
    let text = show.read("episodes.toml").replacen("Notes of episode 3.", "Notes of episode three.", 1);
    show.write("episodes.toml", &text);
    show.build().ok();
    assert!(show.read("public/archive/2023/index.html").contains("Notes of episode three."));
}

/// A media file that is a link to another file in the show is published as
/// that file (a hard link to the link itself would lead nowhere from
/// `public/`), and the next build, with something to do, knows it as its own.
#[cfg(unix)]
#[test]
fn a_media_file_linked_within_the_show_is_published_as_the_file() {
    let show = Show::sample();
    let mp3 = show.path("media/fluentd-eduardo-silva.mp3");
    fs::rename(&mp3, show.path("media/real.mp3")).unwrap();
    std::os::unix::fs::symlink("real.mp3", &mp3).unwrap();
    show.build().ok();
    let published = show.path("public/media/fluentd-eduardo-silva.mp3");
    assert!(!fs::symlink_metadata(&published).unwrap().file_type().is_symlink());
    assert_eq!(fs::read(&published).unwrap(), fs::read(show.path("media/real.mp3")).unwrap());
    // Another episode's notes edited: a build with something to do.
    let text = show.read("episodes.toml").replacen("**Fluentd**", "**FluentD**", 1);
    show.write("episodes.toml", &text);
    let run = show.build().ok();
    assert!(!run.stderr.contains("has no record of writing"), "{}", run.stderr);
}

/// A manifest kept elsewhere and linked into the show is written where it
/// leads when `add` adds an episode: the link stays a link. The temporary
/// file an `add` killed while writing it left there (a whole copy of the
/// manifest) goes with the next `add`; nothing else there is touched.
#[cfg(unix)]
#[test]
fn add_writes_a_linked_manifest_where_it_leads() {
    let show = one_episode_show();
    let kept = tempfile::tempdir().unwrap();
    let real = kept.path().join("episodes.toml");
    fs::rename(show.path("episodes.toml"), &real).unwrap();
    std::os::unix::fs::symlink(&real, show.path("episodes.toml")).unwrap();
    let left = kept.path().join(".podsmith-Ab12Cd.tmp");
    fs::copy(&real, &left).unwrap();
    fs::write(kept.path().join("notes.txt"), "mine").unwrap();
    show.run(&["add", &audio("vbr-xing.mp3").display().to_string(), "--title", "Two"]).ok();
    assert!(fs::symlink_metadata(show.path("episodes.toml")).unwrap().file_type().is_symlink());
    assert!(fs::read_to_string(&real).unwrap().contains("title = \"Two\""));
    assert!(!left.exists(), "the temporary file a killed add left beside the manifest goes");
    assert_eq!(fs::read_to_string(kept.path().join("notes.txt")).unwrap(), "mine");
}

/// The logs beside the build record and the probe cache are appended to
/// only as files of their own: one that is a hard link to a file outside
/// the show (here one holding a line the log would take), or a link, is
/// replaced by a whole record (the outside file untouched), and the builds
/// go on as before.
#[test]
fn a_log_linked_out_of_the_show_is_replaced_never_appended_to() {
    let show = one_episode_show();
    show.build().ok();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    let touch = |n: u64| {
        let t = std::time::SystemTime::now() + Duration::from_secs(n * 60);
        fs::File::options().write(true).open(show.path("media/cbr-xing.mp3")).unwrap().set_modified(t).unwrap();
    };
    let id_of = |record: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(&show.read(record)).unwrap();
        v["id"].as_str().unwrap_or_default().to_string()
    };
    for (n, (log, record)) in
        [(".podsmith/build.log", ".podsmith/build.json"), (".podsmith/cache.log", ".podsmith/cache.json")]
            .into_iter()
            .enumerate()
    {
        for linked in [true, false] {
            // A line of the record file as it is: a log the build would read and append to.
            let id = id_of(record);
            assert!(!id.is_empty(), "{record} has an id");
            let line = match n {
                0 => format!("{{\"base\":\"{id}\",\"order\":[],\"sites\":[]}}\n"),
                _ => format!("{{\"base\":\"{id}\"}}\n"),
            };
            fs::write(&victim, &line).unwrap();
            let path = show.path(log);
            let _ = fs::remove_file(&path);
            match linked {
                true => fs::hard_link(&victim, &path).unwrap(),
                false => std::os::unix::fs::symlink(&victim, &path).unwrap(),
            }
            // A touched file: the build saves the record and the cache.
            touch(2 * n as u64 + u64::from(linked) + 1);
            let run = show.build().ok();
            assert!(run.stderr.contains("Built 1 episode"), "{}", run.stderr);
            assert_eq!(fs::read_to_string(&victim).unwrap(), line, "{log} linked: appended to");
            let kind = fs::symlink_metadata(&path).map(|m| m.file_type());
            assert!(kind.as_ref().map_or(true, |k| k.is_file()), "{log} is still a link: {kind:?}");
        }
    }
    // And the records read back are whole: nothing changed, nothing to do.
    let run = show.build().ok();
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
}

/// `podsmith init` killed (`kill -9`) at random moments: the same `init`
/// run again (without `--force`) finishes the job, taking what the killed
/// one made for its own (or says the folder is a show already, once its
/// manifest is there), and the folder ends as an init never killed leaves
/// it. (`PODSMITH_TEST_SEED` as for the random-edit builds.)
#[cfg(unix)]
#[test]
fn an_init_killed_at_random_moments_is_finished_by_the_same_init_run_again() {
    use crate::incremental::{Dice, Kills, podsmith};
    let (seed, _) = Dice::seed_and_steps(0x1417, 0);
    let args = ["init", "show", "--title", "Killed & Again"];
    let whole = Show::empty();
    let started = Instant::now();
    whole.run(&args).ok();
    let mut kills = Kills::within(started.elapsed());
    let expected = files_but_records(&whole.path("show"));
    let mut dice = Dice::new(seed);
    for round in 0..16 {
        let new = Show::empty();
        kills.run(&mut dice, &mut podsmith(&new, &args));
        let again = new.run(&args);
        let done = again.code == 0 || (again.code == 2 && again.stderr.contains("already has an episodes.toml"));
        assert!(done, "round {round} (seed {seed:#x}): init run again says\n{}", again.stderr);
        assert!(
            files_but_records(&new.path("show")) == expected,
            "round {round} (seed {seed:#x}): not what init makes"
        );
    }
    kills.most_were_killed();
    // What is not init's is still refused.
    let other = Show::empty();
    fs::create_dir_all(other.path("show/media")).unwrap();
    fs::write(other.path("show/media/cover.jpg"), fs::read(whole.path("show/media/cover.jpg")).unwrap()).unwrap();
    fs::write(other.path("show/.gitignore"), "/public/\n").unwrap();
    let refused = other.run(&args).fails(2);
    assert!(refused.stderr.contains("show is not empty (.gitignore)"), "{}", refused.stderr);
}

/// A folder in the place of a memo (a memo is named by what it holds: the
/// build that makes the same site again saves it there) is said, named,
/// with what to do: not "cannot write .podsmith/memos: Is a directory".
#[test]
fn a_folder_where_a_memo_goes_is_named_with_what_to_do() {
    let show = one_episode_show();
    show.build().ok();
    let memos: Vec<std::path::PathBuf> =
        fs::read_dir(show.path(".podsmith/memos")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(memos.len(), 1, "{memos:?}");
    fs::remove_file(&memos[0]).unwrap();
    fs::create_dir(&memos[0]).unwrap();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("title = \"One\"", "title = \"Uno\"\nslug = \"one\"", 1));
    show.build().ok();
    show.write("episodes.toml", &manifest);
    let run = show.build().fails(1);
    let name = memos[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        run.stderr.contains(&format!(
            ".podsmith/memos/{name} is a folder; podsmith keeps a memo of its own in a file of that name: move the \
             folder away"
        )),
        "{}",
        run.stderr
    );
    fs::remove_dir(&memos[0]).unwrap();
    show.build().ok();
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("<title>One</title>") && !feed.contains("Uno"), "{feed}");
}

/// A record podsmith would save after writing the site that cannot be
/// saved where it is (a folder in the place of `build.json` or a log, the
/// memos' folder a link) stops a build before it writes anything, as a
/// usage error naming it and what to do; not after the site and the lock
/// are written, again at every build.
#[cfg(unix)]
#[test]
fn records_that_cannot_be_saved_where_they_are_stop_a_build_before_it_writes() {
    let outside = tempfile::tempdir().unwrap();
    for (entry, said) in [
        (".podsmith/build.json", "is a folder; podsmith keeps a record of its own in a file of that name"),
        (".podsmith/build.log", "is a folder; podsmith keeps a record of its own in a file of that name"),
        (".podsmith/cache.json", "is a folder; podsmith keeps a record of its own in a file of that name"),
        (".podsmith/memos", "is a link; podsmith keeps its records in a folder of its own"),
    ] {
        let show = one_episode_show();
        show.build().ok();
        let _ = fs::remove_file(show.path(entry));
        let _ = fs::remove_dir_all(show.path(entry));
        match entry.ends_with("memos") {
            true => std::os::unix::fs::symlink(outside.path(), show.path(entry)).unwrap(),
            false => fs::create_dir(show.path(entry)).unwrap(),
        }
        let (feed, lock) = (show.read("public/feed.xml"), show.read("podsmith.lock"));
        show.write(
            "episodes.toml",
            &show.read("episodes.toml").replacen("title = \"One\"", "title = \"Uno\"\nslug = \"one\"", 1),
        );
        let run = show.build().fails(2);
        assert!(run.stderr.starts_with(&format!("error: ./{entry} {said}")), "{entry}: {}", run.stderr);
        assert_eq!(show.read("public/feed.xml"), feed, "{entry}: nothing written");
        assert_eq!(show.read("podsmith.lock"), lock, "{entry}");
        // Put right, the build goes on.
        match entry.ends_with("memos") {
            true => fs::remove_file(show.path(entry)).unwrap(),
            false => fs::remove_dir(show.path(entry)).unwrap(),
        }
        show.build().ok();
        assert!(show.read("public/feed.xml").contains("Uno"), "{entry}");
    }
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written through the link");
    // The show's lock itself: a folder in its place is said so, with the fix.
    let show = one_episode_show();
    fs::create_dir_all(show.path(".podsmith/lock")).unwrap();
    let run = show.build().fails(2);
    assert!(
        run.stderr.contains("./.podsmith/lock is a folder; podsmith keeps the show's lock in a file of that name"),
        "{}",
        run.stderr
    );
}
