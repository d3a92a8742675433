//! Media where they are hosted: `media` entries that are URLs, measured
//! over HTTP `Range` requests to a real server on 127.0.0.1
//! (tests/testsuite/server.rs, which logs every request), built into the
//! same feeds and pages as the files on disk, and kept in the probe cache
//! (asked about again with one conditional request).

use std::collections::BTreeMap;

use snapbox::{assert_data_eq, str};

use crate::harness::*;
use crate::server::{Mode, Server};

/// The sample show's audio files (cover aside).
fn audio_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("media"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mp3") || n.ends_with(".ogg"))
        .collect();
    names.sort();
    names
}

/// The sample show with its audio served by a server (`mode`) from a
/// folder of its own, the manifest naming their URLs, and none of them in
/// the show folder. Returns the show, the server and the served folder.
fn hosted_sample(mode: Mode) -> (Show, Server, tempfile::TempDir) {
    let show = Show::sample();
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), mode);
    let mut manifest = show.read("episodes.toml");
    for name in audio_names() {
        std::fs::rename(show.path("media").join(&name), served.path().join(&name)).unwrap();
        manifest = manifest.replace(&format!("\"media/{name}\""), &format!("\"{}{name}\"", server.base()));
    }
    show.write("episodes.toml", &manifest);
    (show, server, served)
}

/// Each item's guid → (enclosure URL, length, type, itunes:duration).
fn enclosures(show: &Show, feed: &str) -> BTreeMap<String, (String, String, String, String)> {
    show.channel(feed)
        .items()
        .iter()
        .map(|i| {
            let e = i.enclosure().unwrap();
            let duration = i.itunes_ext().and_then(|x| x.duration()).unwrap_or_default().to_string();
            (
                i.guid().unwrap().value().to_string(),
                (e.url().to_string(), e.length().to_string(), e.mime_type().to_string(), duration),
            )
        })
        .collect()
}

fn build_json(show: &Show, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["build", "--as-of", "2026-06-01T00:00:00Z", "--format", "json"];
    args.extend(extra);
    let run = show.run(&args).ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn the_sample_show_builds_with_its_media_hosted_as_with_them_on_disk() {
    let on_disk = Show::sample();
    on_disk.build().ok();
    let (show, server, served) = hosted_sample(Mode::Good);
    let report = build_json(&show, &[]);
    assert_eq!(report["hosted"]["measured"], 8, "{report}");
    for feed in ["feed.xml", "feed.ogg.xml"] {
        let (here, there) = (enclosures(&on_disk, feed), enclosures(&show, feed));
        assert_eq!(here.len(), 4);
        for (guid, (url, length, kind, duration)) in &there {
            let (local_url, local_length, local_kind, local_duration) = &here[guid];
            let name = local_url.rsplit('/').next().unwrap();
            assert_eq!(url, &format!("{}{name}", server.base()), "{feed}: the enclosure is the hosted file");
            // The server's size, the type from the content, the exact duration.
            assert_eq!((length, kind, duration), (local_length, local_kind, local_duration), "{feed} {name}");
            assert_eq!(length.parse::<u64>().unwrap(), std::fs::metadata(served.path().join(name)).unwrap().len());
        }
    }
    // What measuring cost, as the server saw it: an Ogg file (its length in
    // its last page) two requests and 128 KiB at most; these MP3s (no
    // Xing/LAME frame: counted frame by frame) streamed once, no byte twice.
    for name in audio_names() {
        let (requests, bytes) = server.served(&name);
        let size = std::fs::metadata(served.path().join(&name)).unwrap().len();
        match name.ends_with(".ogg") {
            true => assert!(requests <= 2 && bytes <= 128 << 10, "{name}: {requests} requests, {bytes} bytes"),
            false => assert!(requests >= 1 && bytes <= size, "{name}: {requests} requests, {bytes} of {size} bytes"),
        }
    }
    // The pages link to the hosted files, with the same words as on disk.
    let page = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(page.contains(&format!("href=\"{}coredns-miek-gieben.mp3\"", server.base())), "{page}");
    assert!(page.contains(&format!("src=\"{}coredns-miek-gieben.ogg\"", server.base())), "{page}");
    // (Its JSON-LD names the audio's URL: the hosted one.)
    let as_on_disk = page.replace(&server.base(), "https://podcast.example.com/cloud-native/media/");
    assert_eq!(page_text(&as_on_disk), page_text(&on_disk.read("public/episodes/coredns-miek-gieben/index.html")));
    // Nothing hosted is copied into the site.
    let files = show.public_files();
    assert!(files.keys().all(|k| !k.ends_with(".mp3") && !k.ends_with(".ogg")), "{:?}", files.keys());
    assert!(files.contains_key("media/cover.jpg"));
    // The feed is one directories accept, hosted enclosures and all.
    show.run(&["validate", "public/feed.xml"]).ok();
}

#[test]
fn a_warm_rebuild_asks_nothing_and_recheck_asks_once_per_file() {
    let (show, server, served) = hosted_sample(Mode::Good);
    build_json(&show, &[]);
    let before = show.public_files();
    server.forget();
    // Within the hour: the cache answers, no request at all.
    let warm = build_json(&show, &[]);
    assert_eq!(warm["nothing_changed"], true, "{warm}");
    assert_eq!(server.log(), vec![], "a warm rebuild makes no request");
    // --recheck: one conditional request per file, answered 304.
    let rechecked = build_json(&show, &["--recheck"]);
    assert_eq!(rechecked["nothing_changed"], true, "{rechecked}");
    let log = server.log();
    assert_eq!(log.len(), 8, "{log:?}");
    assert!(log.iter().all(|(method, _, bytes)| method == "HEAD (304)" && *bytes == 0), "{log:?}");
    assert_eq!(show.public_files(), before);

    // A hosted file replaced: told by the conditional request, measured again.
    server.forget();
    let replaced = served.path().join("coredns-miek-gieben.ogg");
    std::fs::copy(served.path().join("fluentd-eduardo-silva.ogg"), &replaced).unwrap();
    let changed = build_json(&show, &["--recheck"]);
    assert_eq!(changed["nothing_changed"], false, "{changed}");
    assert_eq!(changed["hosted"]["measured"], 1, "{changed}");
    let log = server.log();
    assert_eq!(log.iter().filter(|(m, _, _)| m == "HEAD (304)").count(), 7, "{log:?}");
    let of_it: Vec<_> = log.iter().filter(|(_, p, _)| p == "coredns-miek-gieben.ogg").collect();
    assert_eq!(of_it[0].0, "HEAD", "{log:?}");
    assert!(of_it[1..].iter().all(|(m, _, _)| m == "GET") && of_it.len() <= 3, "{log:?}");
    let feed = enclosures(&show, "feed.ogg.xml");
    let (_, length, _, duration) = feed.values().find(|(u, ..)| u.ends_with("coredns-miek-gieben.ogg")).unwrap();
    let (_, fluentd_length, _, fluentd_duration) =
        feed.values().find(|(u, ..)| u.ends_with("fluentd-eduardo-silva.ogg")).unwrap();
    assert_eq!((length, duration), (fluentd_length, fluentd_duration));

    // --no-cache measures every file again.
    server.forget();
    let cold = build_json(&show, &["--no-cache"]);
    assert_eq!(cold["hosted"]["measured"], 8, "{cold}");
    assert!(server.log().iter().all(|(m, _, _)| m == "GET"));
}

/// Through redirects, a flaky server, and one that compresses what a
/// request accepts compressed (podsmith asks for the files as they are: a
/// range of a gzipped answer made good files "truncated").
#[test]
fn hosted_media_through_redirects_a_flaky_or_a_compressing_server_measure_the_same() {
    let (reference, _server, _served) = hosted_sample(Mode::Good);
    build_json(&reference, &[]);
    for mode in [Mode::Redirect, Mode::Flaky, Mode::Compressing] {
        let (show, server, _served) = hosted_sample(mode);
        build_json(&show, &[]);
        for feed in ["feed.xml", "feed.ogg.xml"] {
            let lengths = |s: &Show| -> Vec<(String, String)> {
                enclosures(s, feed).into_values().map(|(_, l, _, d)| (l, d)).collect()
            };
            assert_eq!(lengths(&show), lengths(&reference), "{mode:?} {feed}");
        }
        if mode == Mode::Redirect {
            assert!(server.log().iter().any(|(m, _, _)| m == "GET (302)"));
        }
    }
}

/// A hosted file's redirects are judged before each is asked, as
/// `validate --online` judges them: from 127.0.0.1, one into a private
/// network (0.0.0.0, which Linux connects to this computer through, so the
/// test sees whether it is asked) stops the build with the episode, the
/// hop and what to do, and that address is never asked; the same redirect
/// to 127.0.0.1 is followed.
#[test]
fn hosted_media_are_not_led_by_a_redirect_into_a_private_network() {
    let (show, server, served) = hosted_sample(Mode::Good);
    let elsewhere = Server::start(served.path().to_path_buf(), Mode::Good);
    let name = "coredns-miek-gieben.ogg";
    let manifest = show.read("episodes.toml");
    let entry = format!("{}{name}", server.base());
    let away = |host: &str| format!("{}away/{host}:{}/{name}", server.base(), elsewhere.port);
    show.write("episodes.toml", &manifest.replace(&entry, &away("0.0.0.0")));
    let run = show.build().fails(1);
    let said = run.stderr.replace(&server.port.to_string(), "[HERE]").replace(&elsewhere.port.to_string(), "[THERE]");
    assert_data_eq!(
        said,
        str![[r#"
error: episodes.toml:55: http://127.0.0.1:[HERE]/away/0.0.0.0:[THERE]/coredns-miek-gieben.ogg (episode "Miek Gieben on CoreDNS"): cannot read the file: redirected to http://0.0.0.0:[THERE]/coredns-miek-gieben.ogg, whose host 0.0.0.0 is an address on a private network that directories cannot reach (not followed)
  help: make every redirect lead to a public address: check the server's or CDN's rule that sends it there
error: 1 media file cannot be published; nothing was written

"#]]
    );
    assert_eq!(elsewhere.log(), []);
    assert!(!show.path("public/feed.xml").exists());
    show.write("episodes.toml", &manifest.replace(&entry, &away("127.0.0.1")));
    show.build().ok();
    assert!(elsewhere.served(name).0 > 0);
}

#[test]
fn a_server_without_ranges_is_read_whole_with_a_warning_naming_the_host() {
    let (show, server, _served) = hosted_sample(Mode::NoRange);
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    let host = server.base().trim_end_matches('/').trim_start_matches("http://").to_string();
    assert!(run.stderr.contains(&format!("{host} does not answer byte-range requests")), "{}", run.stderr);
    assert_eq!(show.channel("feed.xml").items().len(), 4);
}

#[test]
fn add_says_a_server_without_ranges_as_the_build_does() {
    let show = Show::sample();
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::NoRange);
    std::fs::copy(audio("pair-5s.mp3"), served.path().join("pair-5s.mp3")).unwrap();
    let url = format!("{}pair-5s.mp3", server.base());
    let host = server.base().trim_end_matches('/').trim_start_matches("http://").to_string();
    let said = format!("warning: {host} does not answer byte-range requests: {url} was downloaded whole (");
    let help = "help: turn on range requests (HTTP `Range`) at the host";
    // Before anything is changed (a dry run), and when it is added.
    let run = show.run(&["add", &url, "--title", "Whole", "--date", "2018-01-01", "--dry-run"]).ok();
    assert!(run.stderr.contains(&said) && run.stderr.contains(help), "{}", run.stderr);
    let run = show.run(&["add", &url, "--title", "Whole", "--date", "2018-01-01", "--format", "json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules: Vec<&str> = json["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["rule"].as_str()).collect();
    assert_eq!(rules, ["HOSTED-WHOLE"], "{json}");
    assert!(show.read("episodes.toml").contains(&format!("media = [\"{url}\"]")));
    // The build, measuring it again, says it in the same words.
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(run.stderr.contains(&said) && run.stderr.contains(help), "{}", run.stderr);
}

#[test]
fn hosted_files_that_fail_name_the_episode_and_url_and_nothing_is_written() {
    let (show, server, served) = hosted_sample(Mode::Good);
    std::fs::remove_file(served.path().join("prometheus-bjorn-rabenstein.ogg")).unwrap();
    // A truncated file: cut inside its first page.
    let cut = served.path().join("kubernetes-sarah-novotny.ogg");
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..20]).unwrap();
    let run = show.build().fails(1);
    let gone = format!("{}prometheus-bjorn-rabenstein.ogg", server.base());
    assert!(run.stderr.contains(&gone) && run.stderr.contains("404"), "{}", run.stderr);
    assert!(run.stderr.contains("Bjorn Rabenstein") || run.stderr.contains("Björn"), "{}", run.stderr);
    assert!(run.stderr.contains("kubernetes-sarah-novotny.ogg"), "{}", run.stderr);
    assert!(!show.path("public/feed.xml").exists());
}

#[test]
fn a_dropped_transfer_is_an_error_not_a_wrong_length() {
    let (show, _server, _served) = hosted_sample(Mode::ShortBody);
    let run = show.build().fails(1);
    assert!(run.stderr.contains("coredns-miek-gieben"), "{}", run.stderr);
    assert!(!show.path("public/feed.xml").exists());
}

/// A transfer dropped once partway (a reset connection) is asked for again,
/// and the file measured as it is: the same durations as from a server
/// that never drops one.
#[test]
fn a_transfer_dropped_once_is_asked_for_again() {
    let measured = |show: &Show| {
        let e = enclosures(show, "feed.xml");
        e.into_iter().map(|(guid, (_, length, kind, duration))| (guid, length, kind, duration)).collect::<Vec<_>>()
    };
    let (show, dropping, _served) = hosted_sample(Mode::DropsOnce);
    show.build().ok();
    let (good, server, _served) = hosted_sample(Mode::Good);
    good.build().ok();
    assert_eq!(measured(&show), measured(&good));
    // Each file that took a second request took a third: the one dropped, asked again.
    let (asked, again) = (server.log().len(), dropping.log().len());
    assert!(again > asked, "{again} requests with drops, {asked} without");
}

#[test]
fn hosted_media_entries_are_checked_where_they_are_read() {
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    for (entry, says) in [
        ("ftp://example.com/a.mp3", "fetch only http(s)"),
        ("https://user:secret@example.com/a.mp3", "https://"),
        ("s3://other-bucket/media/a.mp3", "publish destination"),
    ] {
        show.write("episodes.toml", &manifest.replace("\"media/coredns-miek-gieben.ogg\"", &format!("\"{entry}\"")));
        let run = show.build().fails(1);
        assert!(run.stderr.contains("episodes.toml:") && run.stderr.contains(says), "{entry}: {}", run.stderr);
    }
}

#[test]
fn s3_media_are_objects_of_the_destination_served_under_base_url() {
    let (show, server, _served) = hosted_sample(Mode::Good);
    // base_url serves the destination's prefix: an object is at base_url + its key there.
    let hosted = format!("\"{}coredns-miek-gieben.ogg\"", server.base());
    let manifest = show.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", &server.base());
    let with = |entry: &str| {
        let m = manifest.replace(&hosted, &format!("\"{entry}\""));
        show.write("episodes.toml", &format!("{m}\n[publish]\nto = \"s3://my-bucket/site\"\n"));
    };
    for outside in [
        "s3://my-bucket/other/coredns-miek-gieben.ogg",
        "s3://my-bucket/site/a/../b.ogg",
        "s3://their-bucket/site/x.ogg",
    ] {
        with(outside);
        let run = show.build().fails(1);
        assert!(run.stderr.contains("not in the publish destination"), "{outside}: {}", run.stderr);
    }
    with("s3://my-bucket/site/coredns-miek-gieben.ogg");
    build_json(&show, &[]);
    let feed = enclosures(&show, "feed.ogg.xml");
    assert!(feed.values().any(|(u, ..)| *u == format!("{}coredns-miek-gieben.ogg", server.base())), "{feed:?}");
}

#[test]
fn add_takes_a_hosted_recording_and_the_next_build_measures_it_from_the_cache_or_once() {
    let show = Show::sample();
    let served = tempfile::tempdir().unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    for f in ["tagged-id3v2-id3v1.mp3", "pair-5s.mp3", "vorbis-5s.ogg"] {
        std::fs::copy(audio(f), served.path().join(f)).unwrap();
    }
    let url = |f: &str| format!("{}{f}", server.base());
    // The title from the hosted file's tags; its URL in the table; nothing copied.
    let manifest = show.read("episodes.toml");
    let run = show.run(&["add", &url("tagged-id3v2-id3v1.mp3"), "--date", "2018-01-01", "--dry-run"]).ok();
    assert!(run.stdout.starts_with("[[episode]]\ntitle = \"Tagged & <quoted>\"\n"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("media = [\"{}\"]\n", url("tagged-id3v2-id3v1.mp3"))), "{}", run.stdout);
    assert_eq!(show.read("episodes.toml"), manifest);
    // An MP3 at an address that hides its name is not listed by Apple: refused now, not at the build.
    std::fs::create_dir(served.path().join("stream")).unwrap();
    std::fs::copy(audio("pair-5s.mp3"), served.path().join("stream/12345")).unwrap();
    for dry in [true, false] {
        let hidden = url("stream/12345");
        let mut args = vec!["add", hidden.as_str(), "--title", "Hidden"];
        if dry {
            args.push("--dry-run");
        }
        let run = show.run(&args).fails(1);
        assert!(
            run.stderr.contains(&format!("{hidden} is MP3 but its address does not end in .mp3: Apple Podcasts")),
            "{}",
            run.stderr
        );
        assert_eq!(show.read("episodes.toml"), manifest);
    }
    // Formats of one recording must agree in length, hosted or not.
    let run = show.run(&["add", &url("tagged-id3v2-id3v1.mp3"), &url("vorbis-5s.ogg"), "--title", "X"]).fails(1);
    assert!(run.stderr.contains("the same recording"), "{}", run.stderr);
    // A hosted MP3 beside an Ogg file of the same length on disk.
    show.run(&[
        "add",
        &url("pair-5s.mp3"),
        &audio("vorbis-5s.ogg").display().to_string(),
        "--title",
        "Pair",
        "--date",
        "2018-01-02",
    ])
    .ok();
    assert!(show.read("episodes.toml").contains(&format!("\"{}\"", url("pair-5s.mp3"))));
    assert!(!show.path("media/pair-5s.mp3").exists() && show.path("media/vorbis-5s.ogg").exists());
    // Given twice, or already another episode's: refused.
    let run = show.run(&["add", &url("pair-5s.mp3"), "--title", "Again"]).fails(1);
    assert!(run.stderr.contains("already the media of the episode \"Pair\""), "{}", run.stderr);
    let report = build_json(&show, &[]);
    assert_eq!(report["hosted"]["measured"], 1, "{report}");
    let item = show.channel("feed.xml").items().iter().find(|i| i.title() == Some("Pair")).cloned().unwrap();
    let len = std::fs::metadata(served.path().join("pair-5s.mp3")).unwrap().len();
    assert_eq!(item.enclosure().unwrap().url(), url("pair-5s.mp3"));
    assert_eq!(item.enclosure().unwrap().length(), len.to_string());
}

#[test]
fn hosted_files_are_measured_jobs_at_a_time() {
    for (jobs, most) in [("1", 1..=1), ("4", 2..=4)] {
        let (show, server, _served) = hosted_sample(Mode::Slow);
        build_json(&show, &["--jobs", jobs]);
        assert!(most.contains(&server.most_at_once()), "--jobs {jobs}: {} at once", server.most_at_once());
        assert_eq!(show.channel("feed.xml").items().len(), 4);
    }
}

/// A hosted MP3's own chapters are published from its tag, read over
/// `Range` requests; their pictures are not (podsmith publishes those of
/// an MP3 in the show folder: it does not download a hosted one's), and
/// the warning says why.
#[test]
fn a_hosted_mp3s_chapters_are_published_without_their_pictures_and_said() {
    let served = tempfile::tempdir().unwrap();
    std::fs::copy(audio("chapters-nested.mp3"), served.path().join("n.mp3")).unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let item = format!(
        "\n[[episode]]\ntitle = \"N\"\nguid = \"n-guid\"\ndate = 2024-01-01T00:00:00Z\nmedia = [\"{}n.mp3\"]\n",
        server.base()
    );
    let show = Show::with(&format!("{PODCAST_TABLE}{item}"), &[]);
    let run = show.build().ok();
    assert!(
        run.stderr.contains(
            "the chapters in this MP3's ID3 tag: chapters 2, 3, 4 have pictures (APIC) podsmith cannot publish (it \
             publishes those of an MP3 in the show folder, not of a hosted one): published without them"
        ),
        "{}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&show.read("public/episodes/n/chapters.json")).unwrap();
    let titles: Vec<(&str, Option<&str>)> = json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["title"].as_str().unwrap(), c["img"].as_str()))
        .collect();
    assert_eq!(titles, [("Intro", None), ("Part A", None), ("Part B", None), ("Part C", None)]);
    let published: Vec<String> = show.public_files().into_keys().filter(|k| k.starts_with("episodes/")).collect();
    assert_eq!(published, ["episodes/n/chapters.json", "episodes/n/index.html"]);
}

/// A probe cache another podsmith wrote (an upgrade) is set aside, but its
/// hosted measurements are kept as that podsmith's: each file is measured
/// again, and with its server out of reach, published as measured before
/// (with a warning) rather than failing the build; the cache keeps them
/// for the next build, which measures them once the server answers.
#[test]
fn an_earlier_podsmiths_hosted_measurements_stand_while_the_server_is_out_of_reach() {
    let (show, server, _served) = hosted_sample(Mode::Good);
    build_json(&show, &[]);
    let before = (enclosures(&show, "feed.xml"), enclosures(&show, "feed.ogg.xml"));
    let cache = show.read(".podsmith/cache.json");
    let mut doc: serde_json::Value = serde_json::from_str(&cache).unwrap();
    assert_eq!(doc["hosted"].as_object().map(serde_json::Map::len), Some(8), "{doc}");
    doc["version"] = 1.into();
    show.write(".podsmith/cache.json", &doc.to_string());
    let _ = std::fs::remove_file(show.path(".podsmith/cache.log"));
    let base = server.base();
    drop(server);
    show.write("episodes.toml", &format!("{}\n# upgraded\n", show.read("episodes.toml")));
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).ok();
    assert!(
        run.stderr.contains("the probe cache was set aside (it was written by an earlier podsmith"),
        "{}",
        run.stderr
    );
    let said = "it is published as an earlier podsmith measured it, and measured again once its server answers";
    assert_eq!(run.stderr.matches(said).count(), 8, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{base}coredns-miek-gieben.mp3 could not be measured")), "{}", run.stderr);
    assert_eq!((enclosures(&show, "feed.xml"), enclosures(&show, "feed.ogg.xml")), before);
    // Kept as another's: the next build (the server still away) says the same.
    let kept: serde_json::Value = serde_json::from_str(&show.read(".podsmith/cache.json")).unwrap();
    assert!(kept["hosted"].as_object().unwrap().values().all(|e| e["stamp"]["earlier"] == true), "{kept}");
}

/// An earlier podsmith's measurement stands in only for a file whose
/// server is out of reach: one its server says is gone (a 404) fails the
/// build, with what to check, as a file never measured does.
#[test]
fn an_earlier_podsmiths_measurement_does_not_stand_for_a_file_its_server_says_is_gone() {
    let (show, server, served) = hosted_sample(Mode::Good);
    build_json(&show, &[]);
    let mut doc: serde_json::Value = serde_json::from_str(&show.read(".podsmith/cache.json")).unwrap();
    doc["version"] = 1.into();
    show.write(".podsmith/cache.json", &doc.to_string());
    let _ = std::fs::remove_file(show.path(".podsmith/cache.log"));
    std::fs::remove_file(served.path().join("coredns-miek-gieben.mp3")).unwrap();
    show.write("episodes.toml", &format!("{}\n# upgraded\n", show.read("episodes.toml")));
    let run = show.run(&["build", "--as-of", "2026-06-01T00:00:00Z"]).fails(1);
    let gone = format!("{}coredns-miek-gieben.mp3", server.base());
    assert!(run.stderr.contains("the server answered 404"), "{}", run.stderr);
    assert!(run.stderr.contains("help: check the URL: the server has no file there"), "{}", run.stderr);
    assert!(!run.stderr.contains(&format!("{gone} could not be measured")), "{}", run.stderr);
}
