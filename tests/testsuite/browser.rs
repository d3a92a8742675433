//! The built pages in a real browser: headless Chromium loads the sample
//! show's pages from a real HTTP server on 127.0.0.1 (with `Range`, as
//! players ask), plays nothing aloud, and reports what a listener would
//! meet: the player's media loads and says its duration (within a second
//! of the probe), a chapter link and a transcript timestamp seek the
//! player, and the axe-core accessibility check finds no violation.
//!
//! Needs Debian's `chromium` and axe-core from npm: `.ci/run` installs both
//! (axe-core into `~/.cache/podsmith-axe`); elsewhere the test is skipped
//! with a note when they are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;
use crate::server::{Mode, Server};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.is_file())
}

fn axe() -> Option<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME")?);
    let p = home.join(".cache/podsmith-axe/node_modules/axe-core/axe.min.js");
    p.is_file().then_some(p)
}

/// Chromium and axe-core, or `None` (with a note) off CI.
fn tools() -> Option<(PathBuf, PathBuf)> {
    match (chromium(), axe()) {
        (Some(c), Some(a)) => Some((c, a)),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "chromium or axe-core is missing: .ci/run installs them (apt-get install chromium; npm install \
                 --prefix ~/.cache/podsmith-axe axe-core)"
            );
            eprintln!("skipped: chromium or axe-core is not installed");
            None
        }
    }
}

/// The script put at the end of a copy of a page: waits for the player's
/// metadata (if it has a player), clicks the `n`th seeking link (if any), runs axe, and writes
/// what it found into the page as JSON.
const PROBE: &str = r#"<script src="/axe.min.js"></script>
<script>
(async () => {
  const out = {};
  // (A page of the archive has no player.)
  const p = document.querySelector('audio') || document.createElement('audio');
  p.preload = 'metadata';
  p.load();
  await new Promise(r => { if (p.readyState >= 1 || !p.src && !p.querySelector('source')) return r(); p.addEventListener('loadedmetadata', r); setTimeout(r, 10000); });
  out.duration = p.duration;
  out.seeks = [];
  for (const a of document.querySelectorAll('[data-seek]')) {
    a.click();
    await new Promise(r => setTimeout(r, 200));
    out.seeks.push([Number(a.dataset.seek), p.currentTime]);
    p.pause();
  }
  out.dark = matchMedia('(prefers-color-scheme: dark)').matches;
  out.width = [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  out.background = getComputedStyle(document.body).backgroundColor;
  const found = await axe.run(document);
  out.violations = found.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
  const pre = document.createElement('pre');
  pre.id = 'podsmith-results';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
</body>"#;

/// Loads `page` (a path under the served folder) in headless Chromium and
/// returns what the probe script found.
fn visit(chromium: &Path, served: &Path, server: &Server, page: &str) -> serde_json::Value {
    visit_with(chromium, served, server, page, &[])
}

/// [`visit`], with Chromium given `flags` too.
fn visit_with(chromium: &Path, served: &Path, server: &Server, page: &str, flags: &[&str]) -> serde_json::Value {
    let probe_page = with_probe(served, page);
    dump(chromium, server, &probe_page, flags)
}

/// Writes a copy of `page` (a path under `served`) with the probe script
/// at its end, beside it; returns the copy's path.
fn with_probe(served: &Path, page: &str) -> String {
    let html = std::fs::read_to_string(served.join(page)).unwrap();
    let probe_page = page.replace("index.html", "browser-test.html");
    std::fs::write(served.join(&probe_page), html.replace("</body>", PROBE)).unwrap();
    probe_page
}

/// What the probe script found in `page` (a path under the served
/// folder), loaded in headless Chromium given `flags` too.
fn dump(chromium: &Path, server: &Server, page: &str, flags: &[&str]) -> serde_json::Value {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--mute-audio",
            "--autoplay-policy=no-user-gesture-required",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ])
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("{}{page}", server.base()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"podsmith-results\">").unwrap_or_else(|| {
        panic!(
            "{page}: no results\n{dom}\n{}",
            String::from_utf8_lossy(&out.stderr).chars().take(3000).collect::<String>()
        )
    }) + 27;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end].replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
fn pages_play_seek_and_pass_the_accessibility_check_in_chromium() {
    let Some((chromium, axe)) = tools() else { return };
    let show = Show::sample();
    show.build().ok();
    let served = show.path("public");
    std::fs::copy(&axe, served.join("axe.min.js")).unwrap();
    let server = Server::start(served.clone(), Mode::Good);
    // The probe's durations, to compare with the browser's.
    let probed: serde_json::Value = serde_json::from_str(
        &show
            .run(&["probe", "--json", "media/coredns-miek-gieben.mp3", "media/kubernetes-sarah-novotny.mp3"])
            .ok()
            .stdout,
    )
    .unwrap();
    let seconds = |n: usize| probed[n]["duration_secs"].as_f64().unwrap();

    // An episode page: the player, its chapters and transcript.
    let found = visit(&chromium, &served, &server, "episodes/coredns-miek-gieben/index.html");
    let duration = found["duration"].as_f64().unwrap_or(f64::NAN);
    assert!((duration - seconds(0)).abs() <= 1.0, "the player says {duration} s, the probe {} s", seconds(0));
    let seeks = found["seeks"].as_array().unwrap();
    // Two chapters and the transcript's paragraph (its three cues, one sentence).
    assert_eq!(seeks.len(), 3, "{found}");
    for s in seeks {
        let (to, at) = (s[0].as_f64().unwrap(), s[1].as_f64().unwrap());
        assert!((to - at).abs() < 0.5, "a link to {to} s left the player at {at} s");
    }
    assert_eq!(found["violations"], serde_json::json!([]), "axe-core on the episode page");

    // The index: the latest episode's player, and no violation.
    let found = visit(&chromium, &served, &server, "index.html");
    let duration = found["duration"].as_f64().unwrap_or(f64::NAN);
    assert!((duration - seconds(1)).abs() <= 1.0, "the index's player says {duration} s, the probe {} s", seconds(1));
    assert_eq!(found["violations"], serde_json::json!([]), "axe-core on the index");
    assert_eq!(
        (&found["dark"], &found["background"]),
        (&serde_json::json!(false), &serde_json::json!("rgba(0, 0, 0, 0)"))
    );
    // The pages in a dark colour scheme (the listener's system's): dark,
    // and their contrast checked again.
    let dark = ["--blink-settings=preferredColorScheme=0"];
    for page in ["index.html", "episodes/coredns-miek-gieben/index.html"] {
        let found = visit_with(&chromium, &served, &server, page, &dark);
        assert_eq!(
            (&found["dark"], &found["background"]),
            (&serde_json::json!(true), &serde_json::json!("rgb(21, 24, 27)"))
        );
        assert_eq!(found["violations"], serde_json::json!([]), "axe-core on {page}, dark");
    }

    // A show of more than a hundred episodes: its index and a page of its archive.
    let big = weekly_show(120);
    big.build().ok();
    let served = big.path("public");
    std::fs::copy(&axe, served.join("axe.min.js")).unwrap();
    let server = Server::start(served.clone(), Mode::Good);
    for page in ["index.html", "archive/2024/index.html"] {
        let found = visit(&chromium, &served, &server, page);
        assert_eq!(found["violations"], serde_json::json!([]), "axe-core on a big show's {page}");
    }

    // An episode page in German: the pages' own words in the show's language.
    let german = Show::sample();
    let manifest = german.read("episodes.toml");
    german.write("episodes.toml", &manifest.replacen("language = \"en\"", "language = \"de\"", 1));
    german.build().ok();
    let served = german.path("public");
    std::fs::copy(&axe, served.join("axe.min.js")).unwrap();
    let server = Server::start(served.clone(), Mode::Good);
    let found = visit(&chromium, &served, &server, "episodes/coredns-miek-gieben/index.html");
    assert_eq!(found["seeks"].as_array().map(Vec::len), Some(3), "{found}");
    assert_eq!(found["violations"], serde_json::json!([]), "axe-core on a German episode page");
}

/// A show whose title is one long word, and notes that open at `###`
/// with a code block, a table and a picture wider than a phone: their
/// index and episode page are no wider than the screen at 320 and 390
/// pixels (the code and the table scroll in a box of their own, the
/// picture fits the column), and axe finds no violation (the box is
/// reached by keyboard; no heading rank is skipped).
#[test]
fn long_titles_and_wide_notes_fit_a_phone_screen_in_chromium() {
    let Some((chromium, axe)) = tools() else { return };
    let show = Show::sample();
    let served = show.path("public");
    std::fs::create_dir(&served).unwrap();
    // (Served at its base URL: the picture, linked absolute, loads.)
    let server = Server::start(served.clone(), Mode::Good);
    wide_show(&show, &server.base());
    show.build().ok();
    std::fs::copy(&axe, served.join("axe.min.js")).unwrap();
    for width in [320, 390] {
        for page in ["index.html", "episodes/coredns-miek-gieben/index.html"] {
            let found = visit_at_width(&chromium, &served, &server, page, width);
            // As wide as the frame (but its scroll bar): nothing wider.
            let (scroll, client) = (found["width"][0].as_u64().unwrap(), found["width"][1].as_u64().unwrap());
            assert!(scroll == client && client + 20 > u64::from(width), "{page} at {width} px: {found}");
            assert_eq!(found["violations"], serde_json::json!([]), "axe-core on {page} at {width} px");
        }
    }
}

/// [`visit`], the page shown `width` pixels wide (a phone's screen; a
/// headless window is no narrower than about 500): in a frame of that
/// width, whose results the frame's host page takes as its own.
fn visit_at_width(chromium: &Path, served: &Path, server: &Server, page: &str, width: u32) -> serde_json::Value {
    let host = format!("phone-{width}.html");
    let probe_page = with_probe(served, page);
    let frame = format!(
        "<!DOCTYPE html><title>phone</title><iframe id=\"f\" src=\"/{probe_page}\" width=\"{width}\" height=\"800\" style=\"border: 0\"></iframe>
<script>
const wait = setInterval(() => {{
  const done = document.getElementById('f').contentDocument?.getElementById('podsmith-results');
  if (!done) return;
  clearInterval(wait);
  const pre = document.createElement('pre');
  pre.id = 'podsmith-results';
  pre.textContent = done.textContent;
  document.body.appendChild(pre);
}}, 100);
</script>"
    );
    std::fs::write(served.join(&host), frame).unwrap();
    dump(chromium, server, &host, &[])
}

/// The sample `show` at `base_url`, its title made one long word and its
/// notes opening at `###`, with a long line of code, a wide table and a
/// wide picture.
fn wide_show(show: &Show, base_url: &str) {
    let manifest = show.read("episodes.toml");
    let title = "title = \"Talking Cloud Native with Gordon Haff\"";
    let notes = "notes = \"\"\"\n**CoreDNS**";
    let base = "base_url = \"https://podcast.example.com/cloud-native/\"";
    assert!(manifest.contains(title) && manifest.contains(notes) && manifest.contains(base));
    let code =
        "fn main() { println!(\"{}\", [1u64; 64].iter().map(|n| n.to_string()).collect::<Vec<_>>().join(\"\")); }";
    let header = (1..=12).map(|n| format!("column_number_{n}")).collect::<Vec<_>>().join(" | ");
    let rule = (1..=12).map(|_| "---").collect::<Vec<_>>().join("|");
    let row = (1..=12).map(|n| format!("value_{n}_without_spaces")).collect::<Vec<_>>().join(" | ");
    let wide = format!(
        "### Deep heading\n\n```\n{code}\n```\n\n{header}\n{rule}\n{row}\n\n![The cover, 1400 pixels wide](../../media/cover.jpg)\n\n"
    );
    let edited = manifest
        .replacen(title, "title = \"Talking_Cloud_Native_with_Gordon_Haff_and_a_title_that_never_ends_at_all\"", 1)
        .replacen(notes, &format!("notes = \"\"\"\n{wide}**CoreDNS**"), 1)
        .replacen(base, &format!("base_url = \"{base_url}\""), 1);
    show.write("episodes.toml", &edited);
}

/// The Nu HTML Checker (the W3C's validator, `vnu-jar` from npm) and a Java
/// to run it, or `None` (with a note) off CI.
fn vnu() -> Option<PathBuf> {
    let home = PathBuf::from(std::env::var_os("HOME")?);
    let jar = home.join(".cache/podsmith-axe/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    match (jar.is_file(), java) {
        (true, true) => Some(jar),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "java or vnu-jar is missing: .ci/run installs them (apt-get install default-jre-headless; npm install \
                 --prefix ~/.cache/podsmith-axe vnu-jar)"
            );
            eprintln!("skipped: java or the Nu HTML Checker (vnu-jar) is not installed");
            None
        }
    }
}

#[test]
fn every_page_is_valid_html5_by_the_w3c_checker() {
    let Some(jar) = vnu() else { return };
    // The sample show, and a show with every page feature: chapters with
    // links, a transcript with speakers, subscribe links, hosted-looking
    // titles full of markup characters.
    let show = Show::sample();
    let manifest = show.read("episodes.toml").replace(
        "utc_offset = \"-04:00\"\n",
        "utc_offset = \"-04:00\"\nsubscribe = { apple = \"https://podcasts.apple.com/podcast/id1\" }\n",
    );
    show.write("episodes.toml", &manifest.replace("title = \"Introduction\"", "title = \"Intro <b> & \\\"more\\\"\""));
    show.build().ok();
    // And the sample show in French (the pages' words in its language) and
    // in Japanese (English words, marked as such).
    let (french, japanese) = (Show::sample(), Show::sample());
    for (other, language) in [(&french, "fr"), (&japanese, "ja")] {
        let manifest = other.read("episodes.toml");
        assert!(manifest.contains("language = \"en\""));
        other.write("episodes.toml", &manifest.replacen("language = \"en\"", &format!("language = \"{language}\""), 1));
        other.build().ok();
    }
    // And a show of more than a hundred episodes: its index and archive pages.
    let big = weekly_show(120);
    big.build().ok();
    // And notes that open at `###` with a code block, a table and a picture.
    let wide = Show::sample();
    wide_show(&wide, "https://podcast.example.com/cloud-native/");
    wide.build().ok();
    let mut pages = vec![big.path("public/index.html"), big.path("public/archive/2024/index.html")];
    for show in [&show, &french, &japanese, &wide] {
        pages.push(show.path("public/index.html"));
        for e in std::fs::read_dir(show.path("public/episodes")).unwrap() {
            pages.push(e.unwrap().path().join("index.html"));
        }
    }
    let out = Command::new("java").arg("-jar").arg(&jar).arg("--errors-only").args(&pages).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "the Nu HTML Checker found errors:\n{said}");
}

#[test]
fn the_preview_plays_its_audio_and_reloads_itself_in_chromium() {
    let Some((chromium, _)) = tools() else { return };
    let node_has_websocket = Command::new("node")
        .args(["--experimental-websocket", "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"])
        .status()
        .is_ok_and(|s| s.success());
    if !node_has_websocket {
        assert!(std::env::var("CI").is_err(), "node with WebSocket (20.10 or later) is needed on CI");
        eprintln!("skipped: node with WebSocket is not installed");
        return;
    }
    let show = Show::sample();
    let serving = crate::serve::start(&show);
    let url = format!("http://127.0.0.1:{}/episodes/coredns-miek-gieben/", serving.port);
    let mut driver = Command::new("node")
        .arg("--experimental-websocket")
        .arg(repo().join("tests/browser/preview.mjs"))
        .args([chromium.display().to_string(), url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(driver.stdout.take().unwrap()));
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    // The player's media loaded through the preview (Range answers) and says its length.
    let duration = first["duration"].as_f64().unwrap_or(f64::NAN);
    assert!((duration - 744.19).abs() <= 1.0, "the preview's player says {duration} s");
    assert_eq!(first["title"], "Miek Gieben on CoreDNS");
    // A save: the open page reloads by itself and shows it.
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replace("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek on CoreDNS\""));
    std::io::Write::write_all(driver.stdin.as_mut().unwrap(), b"edited\n").unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(second["title"], "Miek on CoreDNS", "the page did not reload");
    let _ = driver.wait();
}
