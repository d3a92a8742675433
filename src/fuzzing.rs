//! Fuzzing targets: each takes arbitrary bytes to one parser. `fuzz/` runs
//! them under AFL++ (`bash fuzz/run.sh`); every input that once crashed or
//! hung one is kept in `fuzz/regressions/<target>/` and replayed by
//! `cargo test` (the test at the bottom of this file).
//!
//! Parsers run here without the `catch_unwind` that guards the probe in
//! real use, so that a panic anywhere is a crash the fuzzer sees.

#![doc(hidden)]

use std::path::Path;

/// One fuzzing target: a name (the folder of its seeds and regressions)
/// and the function that feeds it.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("mp3", crate::probe::fuzz::mp3),
    ("ogg", crate::probe::fuzz::ogg),
    ("mp4", crate::probe::fuzz::mp4),
    ("flac", crate::probe::fuzz::flac),
    ("symphonia", crate::probe::fuzz::symphonia),
    ("probe", crate::probe::fuzz::probe),
    ("manifest", manifest),
    ("feed", feed),
    ("art", art),
    ("markdown", markdown),
    ("import", crate::import::fuzz::import),
    ("transcript", transcript),
    ("chapters", chapters),
    ("serve", crate::serve::fuzz::serve),
    ("records", records),
    ("add", crate::add::fuzz::add),
    ("site", site),
    ("loudness", crate::probe::loudness::fuzz::loudness),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// A target's own folder, made and filled (by `fill`) once per process in
/// `cell`, kept for the run: `podsmith-fuzz-<what>-…` in the temporary folder.
pub(crate) fn scratch_dir(
    cell: &'static std::sync::OnceLock<Option<std::path::PathBuf>>,
    what: &str,
    fill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Option<&'static Path> {
    cell.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix(&format!("podsmith-fuzz-{what}-")).tempdir().ok()?.keep();
        fill(&dir).ok()?;
        Some(dir)
    })
    .as_deref()
}

/// The manifest reader, over any text (media paths resolve against a
/// folder that does not exist, so every file is "missing").
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = Path::new("/nonexistent/podsmith-fuzz");
    let _ = crate::manifest::parse(text, Path::new("episodes.toml"), root);
}

/// The feed parser and every validation rule that reads the XML alone.
pub fn feed(data: &[u8]) {
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
    let opts = crate::validate::Options { local: None, now, formats: Default::default() };
    let _ = crate::validate::validate("feed.xml", data, &opts);
    let _ = crate::validate::targets(data);
}

/// The cover-art header reader.
pub fn art(data: &[u8]) {
    let _ = crate::validate::art::inspect(data);
    let _ = crate::validate::art::damaged(data, crate::validate::art::Format::Jpeg);
    let _ = crate::validate::art::damaged(data, crate::validate::art::Format::Png);
}

/// Markdown notes to sanitised HTML, to an episode's excerpt, to its
/// page's notes (the same as the feed's when no heading can be in them)
/// and to a feed description cut to fit.
pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::markdown::to_html(&text, None);
    // (A short excerpt too: notes of a few hundred bytes are long for it,
    // so they are read from their start, as notes of kilobytes are for 200.)
    for max in [200, 20] {
        let excerpt = crate::markdown::episode_excerpt(&text, "Pilot", max);
        assert_eq!(excerpt, crate::markdown::whole_excerpt(&text, "Pilot", max), "notes read from their start");
    }
    let page = crate::markdown::page_html(&text, "Pilot", None);
    if !crate::markdown::page_differs(&text) {
        assert_eq!(page, crate::markdown::to_html(&text, None), "notes the page shows as written look the same there");
    }
    let told = crate::markdown::tags_shown_as_text(&text);
    assert_eq!(told, crate::markdown::read_for_tags_shown_as_text(&text), "tags told from the bytes as from a reading");
    // A feed description of at most `max` bytes, in the HTML Apple shows:
    // whole notes that fit, else their start (the start of the whole, or
    // their words) and the link.
    let link = "https://example.com/e/";
    let whole = crate::markdown::fitted(&text, &[], usize::MAX, link);
    assert!(crate::markdown::only_description_tags(&whole), "a description in the HTML Apple shows: {whole:?}");
    for max in [300, 120] {
        let fit = crate::markdown::fitted(&text, &[], max, link);
        if whole.len() <= max {
            assert_eq!(fit, whole, "notes that fit are the description");
            continue;
        }
        assert!(fit.len() <= max, "a description of {} bytes, over {max}", fit.len());
        let head = fit.strip_suffix(&format!("<p><a href=\"{link}\">{link}</a></p>\n")).expect("the link last");
        let words = head.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>\n"));
        // Or the first items of a list too long to fit whole (its end added).
        let list_cut = ["</ul>\n", "</ol>\n"]
            .iter()
            .any(|end| head.strip_suffix(end).is_some_and(|p| p.ends_with("</li>\n") && whole.starts_with(p)));
        assert!(
            whole.starts_with(head) || list_cut || words.is_some_and(|w| !w.contains('<')),
            "the notes' start: {head:?}"
        );
    }
}

/// A transcript (the first byte picks the format: VTT, SRT, JSON, HTML),
/// and, read, its counterpart in the other timed format (what a build
/// publishes beside it), which must read back to the same cues.
pub fn transcript(data: &[u8]) {
    use crate::transcript::Kind;
    let Some((&pick, bytes)) = data.split_first() else { return };
    let kind = [Kind::Vtt, Kind::Srt, Kind::Json, Kind::Html][usize::from(pick % 4)];
    if kind == Kind::Html {
        // Written anew as a build publishes it: cleaning that again changes nothing.
        let once = crate::lenient_html::clean::clean(&String::from_utf8_lossy(bytes)).html;
        assert_eq!(crate::lenient_html::clean::clean(&once).html, once, "cleaned twice differs");
        return;
    }
    let Ok(cues) = crate::transcript::parse(kind, bytes) else { return };
    let t = crate::transcript::Transcript {
        rel: "t".into(),
        kind,
        language: "en".into(),
        bytes: bytes.to_vec(),
        cues,
        left_out: Vec::new(),
        relative: Vec::new(),
    };
    let _ = t.problem(60.0, "the audio");
    let Some((other, made)) = t.counterpart() else { return };
    // SubRip has no escapes and no voices: an SRT counterpart says what the
    // writer could say (a `<` that would be a tag as `‹`, the speaker as a
    // `Name: ` that a cue of no one's may also start with).
    let same = |a: &crate::transcript::Cue, b: &crate::transcript::Cue| match other {
        Kind::Srt => crate::transcript::said(a) == crate::transcript::srt_read_back(b),
        _ => a.speaker == b.speaker && a.text == b.text,
    };
    match crate::transcript::parse(other, &made) {
        Ok(again) => assert!(
            again.len() == t.cues.len()
                && again
                    .iter()
                    .zip(&t.cues)
                    .all(|(a, b)| { (a.start - b.start).abs() < 0.002 && (a.end - b.end).abs() < 0.002 && same(a, b) }),
            "the counterpart reads back to other cues: {:?}\n{:?}",
            t.cues,
            again
        ),
        Err(e) => panic!("the counterpart does not read back: {e}\n{}", String::from_utf8_lossy(&made)),
    }
}

/// A Podcasting 2.0 chapters file, read, checked, and written again (as a
/// build publishes it), which must read back to the same chapters.
pub fn chapters(data: &[u8]) {
    use crate::manifest::Asset;
    let Ok(list) = crate::chapters::from_json(data) else { return };
    let c = crate::chapters::Chapters { list, origin: crate::chapters::Origin::Inline, waypoints: false };
    let _ = c.problems(60.0, "the audio");
    let json = c.to_json(&crate::chapters::About::default(), &|a| match a {
        Asset::Remote(u) => u.to_string(),
        Asset::Local(f) => f.rel.clone(),
    });
    match crate::chapters::from_json(&json) {
        Ok(again) => assert_eq!(format!("{again:?}"), format!("{:?}", c.list), "written again, they read otherwise"),
        Err(e) => panic!("written again, they do not read back: {e}\n{}", String::from_utf8_lossy(&json)),
    }
}

/// What podsmith reads back of its own (records, probe cache, memo, lock,
/// and the record `publish` keeps at a destination), as a damaged or
/// crafted file may hold it: the first byte picks the file, the rest is
/// written there in a scratch show folder and read. A build record taken in
/// names only plain paths inside absolute folders (else a crash): those are
/// all a build may replace or delete. A destination's record taken in names
/// only plain keys outside `.podsmith/` (all a publish may replace or
/// delete), and reads back as it is written again.
pub fn records(data: &[u8]) {
    static ROOT: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    // One input at a time in the scratch folder: the unit tests run the
    // target on several threads, and one's files are not another's.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = scratch_dir(&ROOT, "records", |dir| std::fs::create_dir_all(dir.join(".podsmith")));
    let (Some(root), Some((&pick, bytes))) = (root, data.split_first()) else { return };
    let files = [
        crate::site::record::RECORD_PATH,
        crate::site::record::PENDING_PATH,
        crate::probe::cache::CACHE_PATH,
        crate::site::memo::OLD_MEMO_PATH,
        crate::lock::FILE_NAME,
        crate::probe::cache::CACHE_LOG_PATH,
        crate::site::record::LOG_PATH,
        crate::publish::record::KEY,
        crate::publish::record::PUBLISHING_KEY,
    ];
    // (Pick 9: this computer's note of a destination's uploads in parts.)
    let uploads = crate::publish::uploads::Unfinished::path_of(root, NOTED_AT);
    let _ = std::fs::remove_file(&uploads);
    let pick = usize::from(pick) % (files.len() + 1);
    let Some(&rel) = files.get(pick) else { return uploads_checked(root, &uploads, bytes) };
    for f in files {
        let _ = std::fs::remove_file(root.join(f));
    }
    if std::fs::write(root.join(rel), bytes).is_err() {
        return;
    }
    match rel {
        crate::probe::cache::CACHE_PATH => {
            let _ = crate::probe::cache::Cache::open(root);
        }
        crate::probe::cache::CACHE_LOG_PATH => {
            // A log is read only beside a cache file whose id its lines name.
            let base =
                format!(r#"{{"version":{},"id":"0123456789abcdef","entries":{{}}}}"#, crate::probe::cache::VERSION);
            let _ = std::fs::write(root.join(crate::probe::cache::CACHE_PATH), base);
            let _ = crate::probe::cache::Cache::open(root);
        }
        crate::site::record::LOG_PATH => {
            // A log is read only beside a record whose id its lines name.
            let base = r#"{"version":2,"id":"0123456789abcdef","sites":[{"out":"/tmp/podsmith-fuzz-out","inputs":"","outputs":{},"summary":{"episodes":0,"feeds":[],"pages":0,"files":0,"media":0,"warnings":[]}}]}"#;
            let _ = std::fs::write(root.join(crate::site::record::RECORD_PATH), base);
            records_checked(&crate::site::record::Records::read(root));
        }
        crate::publish::record::KEY => published_checked(bytes),
        crate::publish::record::PUBLISHING_KEY => publishing_checked(bytes),
        crate::site::memo::OLD_MEMO_PATH => {
            // (Any bytes: the memo a record vouches for is read the same way.)
            if let Some(mut memo) = crate::site::memo::Memo::from_bytes(bytes) {
                memo.read_feeds();
            }
        }
        crate::lock::FILE_NAME => {
            let _ = crate::lock::Lock::read(&root.join(rel));
            if let Ok(old) = std::str::from_utf8(bytes) {
                lock_compared(old);
            }
        }
        _ => records_checked(&crate::site::record::Records::read(root)),
    }
}

/// The destination whose note of uploads in parts the `records` target reads.
const NOTED_AT: &str = "s3://fuzz/show http://127.0.0.1:9000";

/// This computer's note of the uploads in parts under way at a destination
/// (`bytes` written at `path`, where [`crate::publish::uploads::Unfinished`]
/// reads it for `root`) names only uploads a publish may abort (keys of the
/// site, ids as services give them); noting one more and ending it leaves
/// the note naming what it named; one refused is noted still or given up.
fn uploads_checked(root: &Path, path: &Path, bytes: &[u8]) {
    use crate::publish::uploads::{Unfinished, is_upload_id};
    if std::fs::write(path, bytes).is_err() {
        return;
    }
    let note = Unfinished::of(root, NOTED_AT);
    for (id, key) in note.left() {
        assert!(is_upload_id(id) && crate::publish::record::is_key(key), "{id:?} of {key:?} was taken");
    }
    let left = note.left().to_vec();
    if note.begin("fuzz-upload", "media/fuzz.mp3").is_ok() {
        note.end("fuzz-upload");
        let mut again = Unfinished::of(root, NOTED_AT).left().to_vec();
        again.retain(|(id, _)| id != "fuzz-upload");
        let mut was = left;
        was.retain(|(id, _)| id != "fuzz-upload");
        assert_eq!(again, was, "written again, the note reads back otherwise");
        // One the service would not abort, counted (whatever count the note
        // gave it): given up, it is no longer noted; else it is noted still.
        if let Some((id, _)) = was.first() {
            let given_up = Unfinished::of(root, NOTED_AT).refused(id);
            let noted = Unfinished::of(root, NOTED_AT).left().iter().any(|(i, _)| i == id);
            assert_ne!(given_up, noted, "{id:?}: given up {given_up}, noted {noted}");
        }
    }
}

/// A destination's record (`bytes`, as a bucket holds it: JSON, gzipped or
/// not) taken in names only keys a publish may replace or delete, and reads
/// back as it is written again.
fn published_checked(bytes: &[u8]) {
    use crate::publish::record::Published;
    let Ok(record) = Published::parse(bytes) else { return };
    read_back(&record, &mut record.objects.keys().chain(record.pending.keys()), Published::parse(&record.encode()));
}

/// A destination's note of the uploads under way (`bytes`, as a bucket
/// holds it) taken in names only keys a publish may replace or delete,
/// reads back as it is written again, and the record taken with it too.
fn publishing_checked(bytes: &[u8]) {
    use crate::publish::record::{Published, Publishing};
    let Ok(note) = Publishing::parse(bytes) else { return };
    read_back(&note, &mut note.objects.keys().chain(note.pending.keys()), Publishing::parse(&note.encode()));
    published_checked(&Published::default().with(note).encode());
}

/// `taken` (read from a bucket) names only `keys` a publish may replace or
/// delete, and is `again` as it is written and read once more.
fn read_back<T: PartialEq + std::fmt::Debug>(
    taken: &T,
    keys: &mut dyn Iterator<Item = &String>,
    again: Result<T, String>,
) {
    for key in keys {
        assert!(crate::publish::record::is_key(key), "{key:?} was taken");
    }
    match again {
        Ok(again) => assert_eq!(&again, taken, "written again, it reads back otherwise"),
        Err(e) => panic!("written again, it does not read back: {e}"),
    }
}

/// What a build may replace or delete is only ever a plain path inside an
/// absolute output folder, whatever the records said.
fn records_checked(records: &crate::site::record::Records) {
    for site in records.all() {
        assert!(site.out.is_absolute(), "{}", site.out.display());
        for rel in site.outputs.keys().chain(site.pending.keys()) {
            assert!(crate::site::record::is_plain_relative(rel), "{rel:?} was taken");
        }
    }
}

/// A build's lock compared with the old lock `old_text` table by table,
/// where it can be (see [`crate::lock::Lock::after`]), finds what
/// comparing with the whole parse of it finds (and fails where that does).
fn lock_compared(old_text: &str) {
    use crate::lock::{Lock, Published, PublishedShow, compare};
    let episode = |n: u32| Published {
        guid: format!("g{n}"),
        title: format!("Episode {n}"),
        itunes_title: n.is_multiple_of(3).then(|| format!("{n}")),
        slug: format!("e{n}"),
        page: Some(format!("https://example.com/show/episodes/e{n}/")),
        urls: vec![format!("https://example.com/show/media/e{n}.mp3")],
        lengths: vec![1000 + u64::from(n)],
        notes: format!("{:016x}", n),
        date: n.is_multiple_of(2).then(|| format!("2024-01-{:02}T09:00:00+00:00", n % 28 + 1)),
        season: n.is_multiple_of(4).then_some(1),
        number: n.is_multiple_of(2).then_some(n),
        episode_type: n.is_multiple_of(5).then(|| "bonus".into()),
        explicit: n.is_multiple_of(7).then_some(true),
    };
    let feeds = [("ogg".to_string(), "0b8e3a9f-5b1e-5c2a-9d5e-1f2a3b4c5d6e".to_string())].into();
    let show = PublishedShow {
        guid: "3e8bb759-978b-5ea1-9095-4a41a002c648".into(),
        title: "Show".into(),
        description: Some("0123456789abcdef".into()),
        categories: vec!["Technology".into(), "Society & Culture > Documentary".into()],
        cover: Some("https://example.com/show/media/cover.jpg".into()),
        cover_fingerprint: Some("0123456789abcdef".into()),
        feeds,
        itunes_titles: true,
        settings: [("explicit", "false"), ("type", "episodic")].map(|(k, v)| (k.to_string(), v.to_string())).into(),
    };
    let new = Lock { show: Some(show), episodes: (1..=4).rev().map(episode).collect(), retired: Vec::new() };
    let path = Path::new(crate::lock::FILE_NAME);
    match (Lock::parse(path, old_text), new.clone().after(path, old_text)) {
        (Ok(old), Ok((lock, text, found))) => {
            assert_eq!(found, compare(&old, &new), "compared otherwise than the whole lock");
            let mut whole = new.clone();
            whole.retire(&old);
            assert_eq!(lock, whole, "retired otherwise than from the whole lock");
            assert_eq!(text, whole.render(), "written otherwise than the lock it keeps");
        }
        (Err(_), Err(_)) => {}
        (whole, found) => panic!("the whole lock: {whole:?}; table by table: {found:?}"),
    }
}

/// A show folder for [`site`]: the sample show's files (its media small
/// ones, an MP3 and an OGG fixture under each name), and what the probe
/// measures of each (by extension, as long as the sample's episodes).
struct Scratch {
    root: &'static Path,
    mp3: crate::probe::AudioInfo,
    ogg: crate::probe::AudioInfo,
}

fn scratch_show() -> Option<&'static Scratch> {
    static ROOT: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    static SHOW: std::sync::OnceLock<Option<Scratch>> = std::sync::OnceLock::new();
    SHOW.get_or_init(|| {
        let root = scratch_dir(&ROOT, "site", |root| {
            let media = root.join("media");
            std::fs::create_dir_all(&media)?;
            std::fs::create_dir_all(root.join("transcripts"))?;
            let (mp3, ogg) = (
                include_bytes!("../tests/fixtures/audio/pair-5s.mp3").as_slice(),
                include_bytes!("../tests/fixtures/audio/vorbis.ogg").as_slice(),
            );
            for name in [
                "fluentd-eduardo-silva",
                "coredns-miek-gieben",
                "prometheus-bjorn-rabenstein",
                "kubernetes-sarah-novotny",
            ] {
                std::fs::write(media.join(format!("{name}.mp3")), mp3)?;
                std::fs::write(media.join(format!("{name}.ogg")), ogg)?;
            }
            std::fs::write(media.join("cover.jpg"), crate::init::PLACEHOLDER_COVER)?;
            let vtt = include_bytes!("../transcripts/coredns-miek-gieben.vtt").as_slice();
            std::fs::write(root.join("transcripts/coredns-miek-gieben.vtt"), vtt)
        })?;
        let long = |mut info: crate::probe::AudioInfo| {
            info.duration_secs = 910.0;
            info
        };
        let mp3 = long(crate::probe::probe_file(&root.join("media/coredns-miek-gieben.mp3")).ok()?);
        let ogg = long(crate::probe::probe_file(&root.join("media/coredns-miek-gieben.ogg")).ok()?);
        Some(Scratch { root, mp3, ogg })
    })
    .as_ref()
}

/// Any manifest, and if podsmith reads it, its show built in memory (its
/// media measured as the MP3 and the OGG of the scratch folder, by
/// extension): every feed must be XML that the rss crate reads back, with
/// one item per live episode, and every page must render.
pub fn site(data: &[u8]) {
    let _ = site_checked(data);
}

/// [`site`]: how many feeds it checked.
fn site_checked(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else { return 0 };
    let Some(s) = scratch_show() else { return 0 };
    let Ok(show) = crate::manifest::parse(text, &s.root.join("episodes.toml"), s.root) else { return 0 };
    let probes: crate::catalog::Probes = show
        .episodes
        .iter()
        .flat_map(|e| &e.media)
        .map(|m| {
            let info = if m.key().to_ascii_lowercase().ends_with(".ogg") { &s.ogg } else { &s.mp3 };
            (m.key().to_string(), Ok(info.clone()))
        })
        .collect();
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
    let Ok(catalog) = crate::catalog::Catalog::assemble(show, &probes, now) else { return 0 };
    let catalog = std::sync::Arc::new(catalog);
    let feeds = crate::feed::plan(&catalog);
    for f in &feeds {
        let xml = crate::feed::render(&catalog, f.format).unwrap_or_else(|e| panic!("{}: {e}", f.file_name));
        match rss::Channel::read_from(xml.as_slice()) {
            Ok(channel) => assert_eq!(channel.items().len(), catalog.episodes.len(), "{}", f.file_name),
            Err(e) => panic!("{} is not a feed: {e}\n{}", f.file_name, String::from_utf8_lossy(&xml)),
        }
    }
    if let Ok(pages) = crate::pages::Renderer::new(&catalog, &feeds, &s.root.join("templates")) {
        for i in 0..pages.len() {
            let _ = pages.render(i);
        }
    }
    feeds.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `site` target builds the sample show's manifest (its seed): both
    /// feeds are read back, so mutations of it reach the feed writer.
    #[test]
    fn the_site_target_builds_the_sample_manifest() {
        assert_eq!(site_checked(include_bytes!("../episodes.toml")), 2);
    }

    /// The `records` target's pick 7 is a destination's record: one as
    /// publish writes it (gzipped) or as plain JSON is taken in and reads
    /// back as written; one naming a path outside the destination is set
    /// aside, and so is gzip that unzips to nonsense.
    #[test]
    fn the_records_target_reads_a_destinations_record() {
        use crate::publish::record::{Entry, Published};
        let entry = |size| Entry {
            size,
            fingerprint: "ab".into(),
            content_type: "audio/mpeg".into(),
            cache_control: "public".into(),
            etag: Some("\"e\"".into()),
            sha256: None,
        };
        let mut written = Published::default();
        written.objects.insert("media/a.mp3".into(), entry(3));
        written.pending.insert("feed.xml".into(), entry(4));
        let gzipped = written.encode();
        let plain = serde_json::to_vec(&Published { version: 1, ..written.clone() }).unwrap();
        for bytes in [&gzipped, &plain] {
            assert_eq!(Published::parse(bytes).unwrap().objects.len(), 1);
            records(&[&[7u8][..], bytes].concat());
            published_checked(bytes);
        }
        let outside =
            br#"{"version":1,"objects":{"../x":{"size":1,"fingerprint":"","content_type":"","cache_control":""}}}"#;
        assert!(Published::parse(outside).is_err());
        published_checked(outside);
        published_checked(&[0x1f, 0x8b, 8, 0, 1, 2, 3]);
        // A note of the uploads under way (pick 8), as a publish writes it, and crafted.
        let note = crate::publish::record::Publishing::between(&Published::default(), &written, Some("\"r\"".into()));
        let note = note.unwrap().encode();
        assert!(crate::publish::record::Publishing::parse(&note).is_ok());
        records(&[&[8u8][..], &note].concat());
        publishing_checked(&note);
        let outside = br#"{"version":1,"over":null,"pending":{"../x":{"size":1,"fingerprint":"","content_type":"","cache_control":""}}}"#;
        assert!(crate::publish::record::Publishing::parse(outside).is_err());
        publishing_checked(outside);
    }

    /// The `records` target's pick 9: this computer's note of uploads in
    /// parts, as a publish writes it, is taken and read back the same
    /// after an upload is noted and ended in it; one naming a key outside
    /// the site is as good as none.
    #[test]
    fn the_records_target_reads_a_note_of_uploads_in_parts() {
        use crate::publish::uploads::Unfinished;
        let dir = tempfile::tempdir().unwrap();
        Unfinished::of(dir.path(), NOTED_AT).begin("2~abc.def", "media/b.ogg").unwrap();
        let path = Unfinished::path_of(dir.path(), NOTED_AT);
        let note = std::fs::read(&path).unwrap();
        records(&[&[9u8][..], &note].concat());
        uploads_checked(dir.path(), &path, &note);
        let left = [("2~abc.def".to_string(), "media/b.ogg".to_string())];
        assert_eq!(Unfinished::of(dir.path(), NOTED_AT).left(), left);
        uploads_checked(dir.path(), &path, br#"{"version":1,"uploads":{"id":"../outside"}}"#);
        assert!(Unfinished::of(dir.path(), NOTED_AT).left().is_empty());
    }

    /// Every input the fuzzer ever found a crash or hang with runs again,
    /// through the same target (the import's strictly), without a panic.
    #[test]
    fn every_saved_crash_and_hang_runs_clean() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
        let mut ran = 0;
        for (name, run) in TARGETS {
            // The import's inputs were found in its strict mode: replayed so.
            let run: fn(&[u8]) = match *name {
                "import" => |d| crate::import::fuzz::import_checked(d, true),
                _ => *run,
            };
            let Ok(entries) = std::fs::read_dir(dir.join(name)) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let started = std::time::Instant::now();
                run(&data);
                // An input the fuzzer saved as a hang (over AFL's 1 s in an
                // optimised build) must now be quick even in a debug build:
                // a fixed one takes milliseconds. A crash input has the
                // generous limit.
                let hang = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("hang-"));
                let limit = std::time::Duration::from_secs(if hang { 2 } else { 10 });
                assert!(started.elapsed() < limit, "{} took {:?}", path.display(), started.elapsed());
                ran += 1;
            }
        }
        // The JPEG segment-length panic (issue 11) is one of them.
        assert!(ran >= 1, "no regression inputs found under {}", dir.display());
    }
}
