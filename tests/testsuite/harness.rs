//! Test harness: show folders in temp dirs, the real binary, and readers
//! for what it writes (the feed parsed back with `rss` and quick-xml, pages
//! reduced to text).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The repository root (the sample show lives there).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed audio fixture.
pub fn audio(name: &str) -> PathBuf {
    repo().join("tests/fixtures/audio").join(name)
}

/// A show folder in a temporary directory.
pub struct Show {
    pub dir: tempfile::TempDir,
}

impl Show {
    /// An empty show folder.
    pub fn empty() -> Show {
        Show { dir: tempfile::tempdir().unwrap() }
    }

    /// A copy of the sample show at the repository root (manifest, media,
    /// transcripts).
    pub fn sample() -> Show {
        let show = Show::empty();
        fs::copy(repo().join("episodes.toml"), show.path("episodes.toml")).unwrap();
        for dir in ["media", "transcripts"] {
            fs::create_dir(show.path(dir)).unwrap();
            for entry in fs::read_dir(repo().join(dir)).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), show.path(dir).join(entry.file_name())).unwrap();
            }
        }
        show
    }

    /// A show with `manifest` and the named audio fixtures (plus a cover) in media/.
    pub fn with(manifest: &str, fixtures: &[&str]) -> Show {
        let show = Show::empty();
        fs::create_dir(show.path("media")).unwrap();
        fs::copy(repo().join("media/cover.jpg"), show.path("media/cover.jpg")).unwrap();
        for f in fixtures {
            fs::copy(audio(f), show.path("media").join(f)).unwrap();
        }
        show.write("episodes.toml", manifest);
        show
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    /// The build memos kept in the records folder `records` (such as
    /// `.podsmith`), by path.
    pub fn memos(&self, records: &str) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(self.path(records).join("memos")) else { return Vec::new() };
        let mut memos: Vec<PathBuf> =
            entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        memos.sort();
        memos
    }

    /// The one build memo in the records folder `records`.
    pub fn memo(&self, records: &str) -> PathBuf {
        let memos = self.memos(records);
        assert_eq!(memos.len(), 1, "{memos:?}");
        memos.into_iter().next().unwrap()
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs podsmith in the show folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::cargo_bin("podsmith").unwrap().current_dir(self.root()).args(args).output().unwrap();
        Run::from(out, self.root())
    }

    /// Runs podsmith in the show folder with `env` set (and no AWS settings
    /// but those: not the machine's, nor its ~/.aws files).
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::cargo_bin("podsmith").unwrap();
        cmd.current_dir(self.root()).args(args);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
            cmd.env_remove(k);
        }
        cmd.env("AWS_CONFIG_FILE", self.path(".no-aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path(".no-aws-credentials"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap(), self.root())
    }

    /// `podsmith build`, as of a fixed moment so tests do not depend on the clock.
    pub fn build(&self) -> Run {
        self.run(&["build", "--as-of", "2026-06-01T00:00:00Z"])
    }

    /// Every file under `public/`, with its bytes.
    pub fn public_files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        collect(&self.path("public"), &self.path("public"), &mut out);
        out
    }

    /// The feed parsed with the `rss` crate.
    pub fn channel(&self, feed: &str) -> rss::Channel {
        let xml = self.read(&format!("public/{feed}"));
        rss::Channel::read_from(xml.as_bytes()).unwrap_or_else(|e| panic!("{feed} does not parse: {e}\n{xml}"))
    }

    /// The feed as a flat list of namespaced elements.
    pub fn elements(&self, feed: &str) -> Vec<Element> {
        elements(&self.read(&format!("public/{feed}")))
    }
}

/// Every file under `dir` (a show folder) but podsmith's own records in
/// `.podsmith/`, with its bytes; one gone while it is read is left out.
pub fn files_but_records(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() && rel != ".podsmith" {
                stack.push(p);
            } else if p.is_file()
                && let Ok(bytes) = std::fs::read(&p)
            {
                out.insert(rel, bytes);
            }
        }
    }
    out
}

fn collect(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(base, &p, out);
        } else {
            out.insert(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"), fs::read(&p).unwrap());
        }
    }
}

/// What a run printed, with the temp folder replaced by `[ROOT]`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output, root: &Path) -> Run {
        let redact = |b: Vec<u8>| {
            let s = String::from_utf8(b).unwrap();
            let root = root.canonicalize().unwrap_or(root.to_path_buf());
            s.replace(&root.display().to_string(), "[ROOT]")
        };
        Run { code: out.status.code().unwrap_or(-1), stdout: redact(out.stdout), stderr: redact(out.stderr) }
    }

    /// Panics with the output unless the run succeeded.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Panics unless the run failed with `code`.
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// One XML element: namespace URI, local name, attributes, text.
#[derive(Debug, Clone)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
    /// Local names of the enclosing elements, outermost first.
    pub path: Vec<String>,
}

/// Reads a whole feed with quick-xml's namespace-aware reader; panics on
/// malformed XML or an undeclared prefix.
pub fn elements(xml: &str) -> Vec<Element> {
    let mut reader = NsReader::from_str(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let (res, event) = reader.read_resolved_event().unwrap_or_else(|e| panic!("malformed XML: {e}"));
        let ns = match res {
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_string()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => panic!("undeclared prefix {p}"),
        };
        let text = match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = a.key.as_ref().to_string();
                        (key, a.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned())
                    })
                    .collect();
                let path = open.iter().map(|i| out[*i].name.clone()).collect();
                out.push(Element { ns, name, attrs, text: String::new(), path });
                if matches!(event, Event::Start(_)) {
                    open.push(out.len() - 1);
                }
                None
            }
            Event::End(_) => {
                open.pop();
                None
            }
            Event::Text(t) => Some(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::CData(t) => Some(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::GeneralRef(r) => Some(match r.resolve_char_ref().unwrap() {
                Some(c) => c.to_string(),
                None => match r.xml_content(XmlVersion::Implicit1_0).as_ref() {
                    "amp" => "&".into(),
                    "lt" => "<".into(),
                    "gt" => ">".into(),
                    "quot" => "\"".into(),
                    "apos" => "'".into(),
                    other => panic!("undefined entity &{other};"),
                },
            }),
            Event::Eof => break,
            _ => None,
        };
        if let (Some(t), Some(i)) = (text, open.last()) {
            out[*i].text.push_str(&t);
        }
    }
    for e in &mut out {
        e.text = e.text.trim().to_string();
    }
    out
}

/// The elements named `local` in namespace `ns` (None: no namespace).
pub fn find<'a>(elements: &'a [Element], ns: Option<&str>, local: &str) -> Vec<&'a Element> {
    elements.iter().filter(|e| e.ns.as_deref() == ns && e.name == local).collect()
}

/// Visible text of an HTML page: tags dropped, the five entities decoded.
pub fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The `[podcast]` table used by fixture shows.
pub const PODCAST_TABLE: &str = r#"[podcast]
title = "Fixture Show"
description = "A show made of test fixtures."
author = "Ann Example"
owner = { email = "ann@example.com" }
language = "en"
categories = ["Technology"]
base_url = "https://example.com/show/"
image = "media/cover.jpg"
"#;

/// One `[[episode]]` table.
pub fn episode(title: &str, guid: &str, date: &str, media: &[&str]) -> String {
    let media: Vec<String> = media.iter().map(|m| format!("\"media/{m}\"")).collect();
    format!("\n[[episode]]\ntitle = \"{title}\"\nguid = \"{guid}\"\ndate = {date}\nmedia = [{}]\n", media.join(", "))
}

/// A WAV file of 16-bit PCM: `channels` channels at `rate` Hz, `frames`
/// frames, every channel's sample at frame n `sample(n)` (-1 to 1).
pub fn pcm_wav(channels: u16, rate: u32, frames: u32, sample: impl Fn(u32) -> f64) -> Vec<u8> {
    let data = frames * u32::from(channels) * 2;
    let mut wav = Vec::with_capacity(44 + data as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&channels.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    wav.extend_from_slice(&(channels * 2).to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data.to_le_bytes());
    for n in 0..frames {
        let s = ((sample(n) * 32767.0).round() as i16).to_le_bytes();
        for _ in 0..channels {
            wav.extend_from_slice(&s);
        }
    }
    wav
}

/// A show of `n` episodes (each its own hard link to one short MP3), one a
/// week from 2023-01-02: 52 or 53 a year.
pub fn weekly_show(n: usize) -> Show {
    let show = Show::with(PODCAST_TABLE, &["mpeg25-8k-mono.mp3"]);
    let mut manifest = String::from(PODCAST_TABLE);
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    for i in 0..n {
        let name = format!("ep-{i:03}.mp3");
        std::fs::hard_link(show.path("media/mpeg25-8k-mono.mp3"), show.path("media").join(&name)).unwrap();
        let date = format!("{}T09:00:00Z", start + chrono::Days::new(7 * i as u64));
        manifest.push_str(&episode(&format!("Episode {i}"), &format!("guid-{i}"), &date, &[&name]));
        manifest.push_str(&format!("slug = \"ep-{i:03}\"\nnotes = \"Notes of episode {i}.\"\n"));
    }
    std::fs::remove_file(show.path("media/mpeg25-8k-mono.mp3")).unwrap();
    show.write("episodes.toml", &manifest);
    show
}

/// The steps `PODSMITH_TIMINGS` names, in order, with the time since the
/// build (or publish) started at which each ended.
pub fn timed_steps(stderr: &str) -> Vec<(f64, String)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("timing:"))
        .map(|l| {
            let (since_start, rest) = l.trim_start().split_once(" ms").unwrap();
            let (_, step) = rest.trim_start().split_once(" ms  ").unwrap();
            (since_start.trim().parse().unwrap(), step.to_string())
        })
        .collect()
}

/// A file from outside the show (`secret.env` in a folder of its own,
/// returned) that the show's build record, crafted, lists as
/// `public/evil/secret.env`, with the size, time and fingerprint it really
/// has: `public/evil` is a link to its folder. (The record's log goes: it
/// would name the record as it was.)
#[cfg(unix)]
pub fn secret_listed_through_a_link(show: &Show) -> tempfile::TempDir {
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.env");
    fs::write(&secret, "SECRET=hunter2\n").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), show.path("public/evil")).unwrap();
    let mut rec: serde_json::Value = serde_json::from_str(&show.read(".podsmith/build.json")).unwrap();
    let meta = fs::metadata(&secret).unwrap();
    let mtime_ns = meta.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let fingerprint = podsmith::fsutil::Fingerprint::of_file(&secret).unwrap().to_string();
    rec["sites"][0]["outputs"]["evil/secret.env"] =
        serde_json::json!({ "size": meta.len(), "mtime_ns": mtime_ns as u64, "fingerprint": fingerprint });
    fs::write(show.path(".podsmith/build.json"), rec.to_string()).unwrap();
    let _ = fs::remove_file(show.path(".podsmith/build.log"));
    elsewhere
}

/// A folder that takes no new file and gives none up, while this lives:
/// immutable (`chattr +i`: not even root writes in it), or else (a file
/// system without the attribute, a user who may not set it) read-only,
/// which stops anyone but root. `None` (a skip, failed on CI) where
/// neither holds.
pub struct Unwritable {
    folder: PathBuf,
    immutable: bool,
}

impl Unwritable {
    pub fn make(folder: &Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        let chattr = std::process::Command::new("chattr").arg("+i").arg(folder).status();
        let immutable = chattr.is_ok_and(|s| s.success());
        if !immutable {
            fs::set_permissions(folder, fs::Permissions::from_mode(0o555)).unwrap();
        }
        let guard = Unwritable { folder: folder.to_path_buf(), immutable };
        if fs::write(folder.join(".probe"), b"").is_ok() {
            drop(guard);
            fs::remove_file(folder.join(".probe")).unwrap();
            assert!(std::env::var("CI").is_err(), "no folder here refuses new files: the test cannot run");
            eprintln!("skipped: neither chattr +i nor a read-only folder refuses new files here");
            return None;
        }
        Some(guard)
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        match self.immutable {
            true => {
                let status = std::process::Command::new("chattr").arg("-i").arg(&self.folder).status();
                assert!(status.is_ok_and(|s| s.success()), "chattr -i {}", self.folder.display());
            }
            false => fs::set_permissions(&self.folder, fs::Permissions::from_mode(0o755)).unwrap(),
        }
    }
}
