//! `podsmith publish` against a real S3 server (s3s-fs on 127.0.0.1, real
//! SigV4) and to a folder: what lands is the site byte for byte, with the
//! right headers; a republish sends only what changed; removed files go,
//! media only with --prune, foreign objects never.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::harness::Show;
use crate::proxy::{Action, Proxy};
use crate::s3::{BUCKET, S3};
use crate::server::{Mode, Server};

const AS_OF: &str = "2026-06-01T00:00:00Z";

/// `podsmith publish --format json` to `s3://BUCKET/podcast` on `s3`, with `extra` flags.
fn publish(show: &Show, s3: &S3, extra: &[&str]) -> crate::harness::Run {
    publish_via(show, s3, &s3.endpoint(), extra)
}

/// The same through `endpoint` (a proxy in front of `s3`).
fn publish_via(show: &Show, s3: &S3, endpoint: &str, extra: &[&str]) -> crate::harness::Run {
    let to = format!("s3://{BUCKET}/podcast");
    let mut args = vec!["publish", "--to", &to, "--endpoint", endpoint, "--as-of", AS_OF, "--format", "json"];
    args.extend_from_slice(extra);
    show.run_env(&args, &s3.env())
}

/// The keys a JSON report says were uploaded, and deleted.
fn sent(run: &crate::harness::Run) -> (Vec<String>, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let keys = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap_or_else(|| panic!("no {k} in {v}"))
            .iter()
            .map(|x| x.get("key").unwrap_or(x).as_str().unwrap().to_string())
            .collect()
    };
    (keys("uploaded"), keys("deleted"))
}

/// `podsmith publish --to TO --as-of AS_OF EXTRA…` (a folder destination).
fn to_folder(show: &Show, to: &str, extra: &[&str]) -> crate::harness::Run {
    show.run_env(&[&["publish", "--to", to, "--as-of", AS_OF][..], extra].concat(), &[])
}

/// The sample show, published to `s3`.
fn published_sample(s3: &S3) -> Show {
    let show = Show::sample();
    publish(&show, s3, &[]).ok();
    show
}

/// Adds an episode "Bonus" to the sample show, with one MP3 (a copy of
/// another episode's).
fn add_bonus_episode(show: &Show) {
    std::fs::copy(show.path("media/coredns-miek-gieben.mp3"), show.path("media/bonus.mp3")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!(
            "{manifest}\n[[episode]]\ntitle = \"Bonus\"\nslug = \"bonus\"\nguid = \"bonus-1\"\n\
             date = 2017-04-13T09:00:00Z\nmedia = [\"media/bonus.mp3\"]\nnotes = \"More.\"\n"
        ),
    );
}

/// The site's files as published (without podsmith's record).
fn published(s3: &S3) -> BTreeMap<String, Vec<u8>> {
    let mut objects = s3.objects("podcast");
    objects.retain(|k, _| !k.starts_with(".podsmith/"));
    objects
}

/// `Content-Type` and `Cache-Control` of an object, as the server answers a GET.
fn headers(s3: &S3, key: &str) -> (String, String) {
    use object_store::ObjectStoreExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(BUCKET)
        .with_region("us-east-1")
        .with_endpoint(s3.endpoint())
        .with_access_key_id(crate::s3::ACCESS_KEY)
        .with_secret_access_key(crate::s3::SECRET_KEY)
        .with_client_options(object_store::ClientOptions::new().with_allow_http(true))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let got = rt.block_on(store.get(&object_store::path::Path::from(format!("podcast/{key}")))).unwrap();
    let attr = |a: object_store::Attribute| got.attributes.get(&a).map(|v| v.to_string()).unwrap_or_default();
    (attr(object_store::Attribute::ContentType), attr(object_store::Attribute::CacheControl))
}

#[test]
fn first_publish_puts_the_whole_site_with_its_headers_and_a_republish_sends_nothing() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    let run = publish(&show, &s3, &[]).ok();
    assert_eq!(published(&s3), show.public_files(), "the bucket holds the site, byte for byte");
    let (up, _) = sent(&run);
    assert_eq!(up.len(), show.public_files().len());
    assert_eq!(up.last().map(String::as_str), Some("feed.xml"), "feed.xml goes last: {up:?}");
    let first_page = up.iter().position(|k| !k.starts_with("media/")).unwrap();
    assert!(up[..first_page].iter().all(|k| k.starts_with("media/")), "media first: {up:?}");
    // Then the pages and what they link to (chapters, transcripts), then
    // the per-format feeds and the sitemap (which names the pages), then feed.xml.
    let after_pages = up.iter().position(|k| k.starts_with("feed.") || k == "sitemap.xml").unwrap();
    let pages = &up[first_page..after_pages];
    assert!(pages.iter().all(|k| k == "index.html" || k.starts_with("episodes/")), "{up:?}");
    assert!(pages.contains(&"episodes/coredns-miek-gieben/chapters.json".to_string()), "{up:?}");
    assert!(up[after_pages..].iter().all(|k| k.starts_with("feed.") || k == "sitemap.xml"), "{up:?}");
    assert!(up[after_pages..].contains(&"sitemap.xml".to_string()), "{up:?}");
    assert!(run.stderr.contains("Published to s3://show-bucket/podcast: 20 uploaded"), "{}", run.stderr);

    assert_eq!(headers(&s3, "feed.xml"), ("application/rss+xml; charset=utf-8".into(), "public, max-age=60".into()));
    assert_eq!(headers(&s3, "media/kubernetes-sarah-novotny.mp3").0, "audio/mpeg");
    assert_eq!(headers(&s3, "media/kubernetes-sarah-novotny.ogg").0, "audio/ogg");
    assert_eq!(headers(&s3, "media/cover.jpg"), ("image/jpeg".into(), "public, max-age=31536000, immutable".into()));
    assert_eq!(headers(&s3, "index.html"), ("text/html; charset=utf-8".into(), "public, max-age=300".into()));
    assert_eq!(headers(&s3, "sitemap.xml"), ("application/xml; charset=utf-8".into(), "public, max-age=300".into()));

    let record = s3.object("podcast/.podsmith/published.json");
    let before = std::fs::metadata(&record).unwrap().modified().unwrap();
    let again = publish(&show, &s3, &[]).ok();
    assert_eq!(sent(&again), (vec![], vec![]));
    assert!(again.stderr.contains("0 uploaded (0 bytes), 20 unchanged, 0 deleted"), "{}", again.stderr);
    assert_eq!(std::fs::metadata(&record).unwrap().modified().unwrap(), before, "no PUT at all, not even the record");
}

/// The sample show with one episode's MP3 renamed to `name`.
fn with_media_named(name: &str) -> Show {
    let show = Show::sample();
    std::fs::rename(show.path("media/fluentd-eduardo-silva.mp3"), show.path(&format!("media/{name}"))).unwrap();
    let manifest = show.read("episodes.toml").replace("media/fluentd-eduardo-silva.mp3", &format!("media/{name}"));
    show.write("episodes.toml", &manifest);
    show
}

/// Names a bucket keeps as they are, but object_store's `Path::from`
/// would percent-encode (`[`, `~`, `%` …): the object is named as the
/// feed's URL names it, under a prefix with such a character too, and a
/// republish finds it there.
#[test]
fn a_file_named_with_brackets_and_tildes_is_the_object_its_url_names() {
    let Some(s3) = S3::start() else { return };
    let name = "fluentd [1] ~50% off.mp3";
    let show = with_media_named(name);
    let to = format!("s3://{BUCKET}/pod~cast");
    let args = ["publish", "--to", &to, "--endpoint", &s3.endpoint(), "--as-of", AS_OF, "--format", "json"];
    let run = show.run_env(&args, &s3.env()).ok();
    assert_eq!(sent(&run).0.len(), 20, "{}", run.stderr);
    let objects: Vec<String> = s3.objects("pod~cast").into_keys().collect();
    assert!(objects.contains(&format!("media/{name}")), "{objects:?}");
    assert!(!objects.iter().any(|k| k.contains("%5B") || k.contains("%7E")), "{objects:?}");
    let feed = show.read("public/feed.xml");
    assert!(feed.contains("media/fluentd%20%5B1%5D%20~50%25%20off.mp3"), "the URL the object answers at");
    let again = show.run_env(&args, &s3.env()).ok();
    assert_eq!(sent(&again), (vec![], vec![]), "{}", again.stderr);
    // And to a folder: the file keeps its name there as well.
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("pod~cast").display());
    to_folder(&show, &to, &[]).ok();
    assert!(web.path().join("pod~cast/media").join(name).is_file());
    let again = to_folder(&show, &to, &[]).ok();
    assert!(again.stderr.contains("0 uploaded (0 bytes), 20 unchanged"), "{}", again.stderr);
}

#[test]
fn after_an_edit_only_what_changed_goes_up() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    // A title changes: its page, its chapters (the file names its episode),
    // the pages of the episodes before and after it (their links name it),
    // the index and the feeds; no media.
    let manifest = show.read("episodes.toml");
    let edited =
        manifest.replacen("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek Gieben on CoreDNS (2017)\"", 1);
    assert_ne!(manifest, edited);
    show.write("episodes.toml", &edited);
    let (mut up, deleted) = sent(&publish(&show, &s3, &[]).ok());
    assert!(deleted.is_empty());
    up.sort();
    let page = "episodes/coredns-miek-gieben/";
    assert_eq!(
        up,
        [
            &format!("{page}chapters.json"),
            &format!("{page}index.html"),
            "episodes/fluentd-eduardo-silva/index.html",
            "episodes/prometheus-bjorn-rabenstein/index.html",
            "feed.ogg.xml",
            "feed.xml",
            "index.html"
        ]
    );
    assert_eq!(published(&s3), show.public_files());
}

#[test]
fn a_removed_episode_loses_its_page_and_keeps_its_media_until_pruned() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    // An object of someone else's under the prefix is never touched.
    std::fs::write(s3.object("podcast/notes.txt"), "mine").unwrap();
    let manifest = show.read("episodes.toml");
    let start = manifest.find("[[episode]]").unwrap();
    let end = start + 1 + manifest[start + 1..].find("[[episode]]").unwrap();
    let removed = &manifest[start..end];
    let slug = removed.split("slug = \"").nth(1).map(|s| s.split('"').next().unwrap().to_string());
    show.write("episodes.toml", &format!("{}{}", &manifest[..start], &manifest[end..]));
    // Refused without --allow-changes, with this command's fix.
    let run = publish(&show, &s3, &[]).fails(1);
    assert!(run.stdout.contains("run `podsmith publish --allow-changes`"), "{}", run.stdout);
    let run = publish(&show, &s3, &["--allow-changes"]).ok();
    let (_, deleted) = sent(&run);
    let page = match slug {
        Some(s) => format!("episodes/{s}/index.html"),
        None => deleted.iter().find(|k| k.ends_with(".html")).cloned().unwrap(),
    };
    assert_eq!(deleted, std::slice::from_ref(&page));
    assert!(!s3.object(&format!("podcast/{page}")).exists());
    let kept: Vec<String> = serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept.len(), 2, "its MP3 and OGG stay: {kept:?}");
    assert!(kept.iter().all(|k| s3.object(&format!("podcast/{k}")).exists()));
    assert!(run.stderr.contains("kept 2 files the site no longer has (a removed episode's media"), "{}", run.stderr);

    let (_, pruned) = sent(&publish(&show, &s3, &["--prune"]).ok());
    assert_eq!(pruned, kept);
    assert!(kept.iter().all(|k| !s3.object(&format!("podcast/{k}")).exists()));
    assert_eq!(std::fs::read_to_string(s3.object("podcast/notes.txt")).unwrap(), "mine");
    let mut site = show.public_files();
    site.insert("notes.txt".into(), b"mine".to_vec());
    assert_eq!(published(&s3), site);
}

#[test]
fn drift_is_mended_and_said() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    std::fs::remove_file(s3.object("podcast/media/cover.jpg")).unwrap();
    std::fs::write(s3.object("podcast/index.html"), "defaced").unwrap();
    // A dry run says what it would do, not that it did it.
    let dry = publish(&show, &s3, &["--dry-run"]).ok();
    assert!(dry.stderr.contains("media/cover.jpg was missing at the destination"), "{}", dry.stderr);
    assert!(dry.stderr.contains("; would be uploaded again"), "{}", dry.stderr);
    assert!(!dry.stderr.contains("; uploaded again"), "{}", dry.stderr);
    assert!(!s3.object("podcast/media/cover.jpg").exists());
    let run = publish(&show, &s3, &[]).ok();
    assert!(run.stderr.contains("; uploaded again"), "{}", run.stderr);
    let (mut up, _) = sent(&run);
    up.sort();
    assert_eq!(up, ["index.html", "media/cover.jpg"]);
    assert!(run.stderr.contains("media/cover.jpg was missing at the destination"), "{}", run.stderr);
    assert!(run.stderr.contains("index.html was not as podsmith last put it (replaced at"), "{}", run.stderr);
    assert_eq!(published(&s3), show.public_files());
}

/// A publish that stops after its build still says what the build said:
/// the change to a published episode it was allowed to make, above all
/// (the lock records it; the next run has nothing more to say of it).
#[test]
fn a_publish_that_fails_after_its_build_says_what_the_build_said() {
    let show = Show::sample();
    show.build().ok();
    let manifest = show.read("episodes.toml");
    let start = manifest.find("[[episode]]\ntitle = \"Sarah").unwrap();
    show.write("episodes.toml", &manifest[..start]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let to = format!("file://{}", file.path().display());
    let run = to_folder(&show, &to, &["--allow-changes"]).fails(2);
    let at = |text: &str| run.stderr.find(text).unwrap_or_else(|| panic!("no {text:?} in {}", run.stderr));
    let said = at("warning: published identity changed (--allow-changes): episode \"Sarah Novotny");
    assert!(said < at("Built 3 episodes") && at("Built 3 episodes") < at("is a file, not a folder"), "{}", run.stderr);
    // In JSON too, among the diagnostics.
    show.write("episodes.toml", &manifest);
    show.build().ok();
    show.write("episodes.toml", &manifest[..start]);
    let run = to_folder(&show, &to, &["--allow-changes", "--format", "json"]).fails(2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|d| d["rule"] == "IDENTITY"), "{v}");
}

/// A publish killed after its last upload, before it wrote its record:
/// run again, it sends nothing, as what it finds there (named in its note,
/// with the site's very bytes) is what it was putting.
#[test]
fn a_publish_stopped_before_its_record_is_not_sent_again() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    let record = std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("Eduardo Silva on Fluentd", "Eduardo Silva on Fluentd (again)", 1));
    let run = publish(&show, &s3, &[]).ok();
    let (up, _) = sent(&run);
    assert!(up.contains(&"feed.xml".to_string()), "{up:?}");
    // As the publish left it had it been killed before its record: the
    // record of the publish before (its note, naming what it was putting, is there).
    s3.replace("podcast/.podsmith/published.json", &record);
    let run = publish(&show, &s3, &[]).ok();
    let (up, _) = sent(&run);
    assert!(up.is_empty(), "sent again: {up:?}\n{}", run.stderr);
    assert!(!run.stderr.contains("uploaded again"), "{}", run.stderr);
    assert_eq!(published(&s3), show.public_files());
    // And it is its record now: the next publish sends nothing either.
    let (up, _) = sent(&publish(&show, &s3, &[]).ok());
    assert!(up.is_empty(), "{up:?}");
}

/// The record names the SHA-256 of every big file (whose fingerprint only
/// samples it: the media), of the very bytes that went up (hashed while
/// they went): a file changed in its unsampled middle is told by it.
#[test]
fn the_record_names_the_sha256_of_each_big_file_as_it_went_up() {
    use sha2::Digest;
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    publish(&show, &s3, &[]).ok();
    let record = std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let record = podsmith::publish::record::Published::parse(&record).unwrap();
    let hashed: Vec<(&String, &String)> =
        record.objects.iter().filter_map(|(k, e)| Some((k, e.sha256.as_ref()?))).collect();
    // (The sample's MP3s are over 256 KB; its OGGs and pages, fingerprinted whole, are not.)
    assert_eq!(hashed.iter().filter(|(k, _)| k.ends_with(".mp3")).count(), 4, "{hashed:?}");
    for (key, sha) in hashed {
        let bytes = std::fs::read(s3.object(&format!("podcast/{key}"))).unwrap();
        assert_eq!(bytes, std::fs::read(show.path(&format!("public/{key}"))).unwrap(), "{key}");
        let want: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sha, &want, "{key}");
    }
}

/// Drift mended with the very bytes podsmith had put there leaves the
/// record as it was, to its ETag: the note of the uploads under way,
/// written over that record, must not hold over it after (every later
/// publish would take it for an unfinished one, and write the record again).
#[test]
fn a_record_written_the_same_as_before_leaves_no_note_holding_over_it() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let record = || std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let before = record();
    std::fs::remove_file(s3.object("podcast/media/cover.jpg")).unwrap();
    let (up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert_eq!(up, ["media/cover.jpg"]);
    assert_eq!(record(), before, "the same record, byte for byte");
    proxy.log.lock().unwrap().clear();
    assert_eq!(sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok()), (vec![], vec![]));
    let log = proxy.log.lock().unwrap().clone();
    assert!(log.iter().all(|(m, _)| m == "GET"), "{log:?}");
}

/// The copy of the destination's record the show keeps, if any.
fn record_copy(show: &Show) -> Option<std::path::PathBuf> {
    let records = std::fs::read_dir(show.path(".podsmith")).ok()?;
    records.flatten().map(|e| e.path()).find(|p| p.to_string_lossy().ends_with(".record"))
}

/// A record (as written at a destination) that also claims `key` as
/// podsmith's: an object of `size` bytes, of no known ETag.
fn claiming(record: &[u8], key: &str, size: u64) -> Vec<u8> {
    let mut record = podsmith::publish::record::Published::parse(record).unwrap();
    let mut entry = record.objects.values().next().unwrap().clone();
    (entry.size, entry.etag) = (size, None);
    record.objects.insert(key.to_string(), entry);
    record.encode()
}

/// The record podsmith wrote at a bucket is kept in the show too, under
/// its MD5 (the ETag the service gives it), and read from there only where
/// the destination says it holds those very bytes: a service that answers
/// "not modified" (S3, Garage; here a proxy that answers as they do) sends
/// no record; one that sends it whatever it is asked (s3s-fs) is read as
/// before. A copy made up to claim someone else's object as podsmith's,
/// kept under the real record's ETag, is set aside (and mended): the
/// object stays, pruned or not. A copy of a record someone else has
/// written over since is not used.
#[test]
fn the_record_is_read_from_this_computers_copy_only_where_the_destination_holds_it() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Conditional));
    let show = Show::sample();
    let via = |show: &Show, extra: &[&str]| sent(&publish_via(show, &s3, &proxy.endpoint(), extra).ok());
    via(&show, &[]);
    let record = || std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let copy = record_copy(&show).expect("a copy kept");
    let kept = std::fs::read(&copy).unwrap();
    let (etag, bytes) = kept.split_at(33);
    assert!(etag[..32].iter().all(u8::is_ascii_hexdigit) && etag[32] == b'\n', "{etag:?}");
    assert_eq!(bytes, record(), "the record as written");
    // Nothing changed: "not modified", and nothing sent.
    assert_eq!(via(&show, &[]), (vec![], vec![]));
    assert_eq!(proxy.not_modified.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Made up, under the real ETag: not used, whether the destination says
    // "not modified" or sends the record.
    std::fs::write(s3.object("podcast/media/foreign.mp3"), "someone else's").unwrap();
    let made_up = [etag, &claiming(&record(), "media/foreign.mp3", 14)].concat();
    std::fs::write(&copy, &made_up).unwrap();
    assert_eq!(via(&show, &["--prune"]), (vec![], vec![]));
    assert!(s3.object("podcast/media/foreign.mp3").exists(), "someone else's object stays");
    assert_eq!(std::fs::read(&copy).unwrap(), kept, "the copy mended");
    std::fs::write(&copy, &made_up).unwrap();
    assert_eq!(sent(&publish(&show, &s3, &["--prune"]).ok()), (vec![], vec![]));
    assert!(s3.object("podcast/media/foreign.mp3").exists(), "someone else's object stays");
    // Someone else publishes there (another title): this show's copy is
    // stale, and its own pages go up again.
    let other = Show::sample();
    let manifest = other.read("episodes.toml");
    other.write("episodes.toml", &manifest.replacen("Miek Gieben on CoreDNS", "Miek Gieben on DNS", 1));
    assert!(!via(&other, &[]).0.is_empty());
    let (up, _) = via(&show, &[]);
    assert!(up.contains(&"episodes/coredns-miek-gieben/index.html".to_string()), "{up:?}");
}

/// A new episode's keys are asked about (a HEAD each: is someone else's
/// object there?) as soon as this computer's copy of the record is read,
/// while the destination is still asked for its record, not after it
/// answers: a round trip less before anything goes up, over a network.
/// Here the destination takes a second and a half to answer for its
/// record; the HEADs come within the first half of it. What goes up is
/// still decided by the record the destination holds.
#[test]
fn new_keys_are_asked_about_while_the_destination_answers_for_its_record() {
    let Some(s3) = S3::start() else { return };
    const SLOW: u64 = 1500;
    let arrived: Arrived = Arc::default();
    let seen = arrived.clone();
    let proxy = Proxy::start(
        s3.port,
        Box::new(move |method, path, _| {
            seen.lock().unwrap().push((method.to_string(), path.to_string(), Instant::now()));
            match method == "GET" && path.contains("/.podsmith/published.json") {
                true => Action::Delay(SLOW),
                false => Action::Forward,
            }
        }),
    );
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert!(record_copy(&show).is_some(), "a copy kept");
    add_bonus_episode(&show);
    show.run(&["build", "--as-of", AS_OF]).ok();
    arrived.lock().unwrap().clear();
    let (up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert!(up.contains(&"media/bonus.mp3".to_string()) && up.contains(&"feed.xml".to_string()), "{up:?}");
    let arrived = arrived.lock().unwrap();
    let asked = |method: &str, part: &str| -> Vec<(String, Instant)> {
        let asked = arrived.iter().filter(|(m, p, _)| m == method && p.contains(part));
        asked.map(|(_, p, at)| (p.clone(), *at)).collect()
    };
    let (_, record_asked) = asked("GET", "/.podsmith/published.json")[0].clone();
    let heads = asked("HEAD", "bonus");
    assert!(heads.len() >= 2, "the new episode's media and page asked about: {arrived:?}");
    for (path, at) in heads {
        let after = at.duration_since(record_asked).as_millis();
        assert!(after < u128::from(SLOW / 2), "HEAD {path} {after} ms after the record was asked for");
    }
    assert_eq!(published(&s3), show.public_files());
}

#[test]
fn a_dry_run_says_the_plan_and_sends_nothing() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    let to = format!("s3://{BUCKET}/podcast");
    let run = show
        .run_env(&["publish", "--to", &to, "--endpoint", &s3.endpoint(), "--as-of", AS_OF, "--dry-run"], &s3.env())
        .ok();
    assert!(run.stdout.lines().any(|l| l.starts_with("PUT feed.xml (") && l.ends_with("): new")), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("PUT ")).count(), 20);
    assert!(run.stderr.contains("dry run: nothing was sent"), "{}", run.stderr);
    assert!(s3.objects("").is_empty(), "nothing at the destination");
    // A show never published: no lock written, and none said to be.
    assert!(!show.path("podsmith.lock").exists());
    assert!(!run.stderr.contains("podsmith.lock: keep it"), "{}", run.stderr);
    // To a folder that is not there yet: the plan, and no folder made.
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let run = to_folder(&show, &to, &["--dry-run"]).ok();
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("PUT ")).count(), 20, "{}", run.stdout);
    assert!(!web.path().join("podcast").exists());
}

/// What is wrong in podsmith.lock is said of podsmith.lock by a dry run
/// too, not of the copy it reads (`.podsmith/dry-run/podsmith.lock`).
#[test]
fn a_dry_run_names_the_shows_lock_in_what_it_says_of_it() {
    let show = Show::sample();
    show.build().ok();
    show.write("podsmith.lock", &format!("{}\n[[future]]\nx = 1\n", show.read("podsmith.lock")));
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let run = to_folder(&show, &to, &["--dry-run"]).fails(1);
    assert!(run.stderr.contains("error: podsmith.lock:"), "{}", run.stderr);
    assert!(!run.stderr.contains("dry-run"), "{}", run.stderr);
}

/// A dry run builds apart (in `.podsmith/dry-run/`, with a copy of the
/// lock): the show's output folder, `podsmith.lock` and build record stay
/// as they are. So an identity change a dry run was allowed to make is
/// still refused by the next publish, and an episode a dry run saw is
/// still new to `list` and `diff`.
#[test]
fn a_dry_run_leaves_the_lock_and_the_output_folder_as_they_are() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    to_folder(&show, &to, &[]).ok();
    // (A dry run with every episode: its own copy of the site has them all.)
    to_folder(&show, &to, &["--dry-run"]).ok();
    let (lock, public) = (show.read("podsmith.lock"), show.public_files());
    let manifest = show.read("episodes.toml");
    let last = manifest.rfind("[[episode]]").unwrap();
    show.write("episodes.toml", &manifest[..last]);
    let dry = to_folder(&show, &to, &["--dry-run", "--prune", "--allow-changes"]).ok();
    let deletes = dry.stdout.lines().filter(|l| l.starts_with("DELETE media/")).count();
    assert_eq!(deletes, 2, "{}", dry.stdout);
    // What would go is the plan's to say; nothing of the show's was removed.
    assert!(!dry.stderr.contains("removed"), "{}", dry.stderr);
    assert!(show.read("podsmith.lock") == lock && show.public_files() == public, "the show's lock or public/ changed");
    // Again (its own record: nothing to build again), and still nothing of the show's changed.
    let again = to_folder(&show, &to, &["--dry-run", "--prune", "--allow-changes"]).ok();
    assert_eq!(again.stdout, dry.stdout);
    assert!(show.read("podsmith.lock") == lock && show.public_files() == public, "the show's lock or public/ changed");
    let refused = to_folder(&show, &to, &["--prune"]).fails(1);
    assert!(refused.stderr.contains("is no longer in the feed"), "{}", refused.stderr);
    // An episode added, seen by a dry run: still new.
    show.write("episodes.toml", &manifest);
    add_bonus_episode(&show);
    to_folder(&show, &to, &["--dry-run"]).ok();
    assert!(show.read("podsmith.lock") == lock, "the lock changed");
    let list = show.run(&["list", "--as-of", AS_OF]).ok();
    let bonus = list.stdout.lines().find(|l| l.contains("Bonus")).unwrap_or_default();
    assert!(bonus.contains("new"), "{}", list.stdout);
    let diff = show.run(&["diff", "--as-of", AS_OF]).ok();
    assert!(diff.stdout.contains("+ new episode \"Bonus\""), "{}", diff.stdout);
}

#[test]
fn objects_in_the_way_are_refused_unless_forced() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    std::fs::create_dir_all(s3.object("podcast")).unwrap();
    std::fs::write(s3.object("podcast/feed.xml"), "an old feed from another tool").unwrap();
    let run = publish(&show, &s3, &[]).fails(2);
    // With --format json, the refusal is a diagnostic in the JSON on stdout.
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let refusal = said["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "PUBLISH-FOREIGN").unwrap();
    assert!(refusal["message"].as_str().unwrap().ends_with("where the site's files go: feed.xml"), "{refusal}");
    assert!(refusal["help"].as_str().unwrap().contains("--force"), "{refusal}");
    assert_eq!(std::fs::read_to_string(s3.object("podcast/feed.xml")).unwrap(), "an old feed from another tool");
    publish(&show, &s3, &["--force"]).ok();
    assert_eq!(published(&s3), show.public_files());

    // A new episode whose file's key holds someone else's object: refused,
    // and nothing is sent (not even what could go up while the
    // destination is listed).
    add_bonus_episode(&show);
    std::fs::write(s3.object("podcast/media/bonus.mp3"), "someone's recording").unwrap();
    let before = s3.objects("podcast");
    let run = publish(&show, &s3, &[]).fails(2);
    assert!(run.stdout.contains("where the site's files go: media/bonus.mp3"), "{}", run.stdout);
    assert!(s3.objects("podcast") == before, "nothing sent, the record as it was");
}

/// An earlier copy of the site at the destination, sent by another tool
/// (no podsmith record): the objects with the site's very bytes (their
/// ETag, the MD5 the server computed) are taken as they are, not sent
/// again; one with other bytes is still refused.
#[test]
fn an_earlier_copy_with_the_same_bytes_is_taken_as_it_is() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    show.build().ok();
    for (key, bytes) in show.public_files() {
        let path = s3.object(&format!("podcast/{key}"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(s3.object("podcast/index.html"), "another page").unwrap();
    let run = publish(&show, &s3, &[]).fails(2);
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let refusal = said["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "PUBLISH-FOREIGN").unwrap();
    assert!(refusal["message"].as_str().unwrap().ends_with("where the site's files go: index.html"), "{refusal}");
    // The page put right by hand: everything is taken, nothing sent.
    std::fs::write(s3.object("podcast/index.html"), show.read("public/index.html")).unwrap();
    let run = publish(&show, &s3, &[]).ok();
    assert_eq!(sent(&run), (vec![], vec![]), "{}", run.stderr);
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(said["adopted"].as_array().unwrap().len(), 20, "{said}");
    assert!(
        run.stderr.contains(
            "20 objects podsmith had not published hold the site's very bytes (by their ETag) and are taken as \
             they are: "
        ),
        "{}",
        run.stderr
    );
    // And they are podsmith's now: the next publish has nothing to say.
    let run = publish(&show, &s3, &[]).ok();
    assert!(run.stderr.contains("0 uploaded (0 bytes), 20 unchanged"), "{}", run.stderr);
    assert!(!run.stderr.contains("very bytes"), "{}", run.stderr);
    assert_eq!(published(&s3), show.public_files());
}

#[test]
fn wrong_credentials_and_a_missing_bucket_say_what_to_check() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    let endpoint = s3.endpoint();
    let to = format!("s3://{BUCKET}/podcast");
    let args = ["publish", "--to", &to, "--endpoint", &endpoint, "--as-of", AS_OF];
    let bad = [("AWS_ACCESS_KEY_ID", "nobody"), ("AWS_SECRET_ACCESS_KEY", "wrong")];
    // The setup's fault: exit 2.
    let run = show.run_env(&args, &bad).fails(2);
    assert!(run.stderr.contains("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{}", run.stderr);
    let args = ["publish", "--to", "s3://no-such-bucket/x", "--endpoint", &endpoint, "--as-of", AS_OF];
    let run = show.run_env(&args, &s3.env()).fails(2);
    assert!(run.stderr.contains("the bucket does not exist"), "{}", run.stderr);
    assert!(s3.objects("").is_empty());
}

/// A prefix that makes a site file's key longer than S3 takes is refused
/// before anything is sent, naming the file and how long the prefix may
/// be; the same site under a prefix that fits is planned as ever.
#[test]
fn keys_longer_than_s3_takes_are_refused_before_anything_is_sent() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    let endpoint = s3.endpoint();
    let long = vec!["p".repeat(199); 5].join("/");
    let to = format!("s3://{BUCKET}/{long}");
    let args = ["publish", "--to", &to, "--endpoint", &endpoint, "--as-of", AS_OF];
    let run = show.run_env(&args, &s3.env()).fails(2);
    assert!(run.stderr.contains("S3 takes keys of at most 1024; nothing was sent"), "{}", run.stderr);
    assert!(run.stderr.contains("shorten the prefix to at most"), "{}", run.stderr);
    assert!(s3.objects("").is_empty());
    // (A dry run: s3s-fs, a folder, cannot hold keys this long itself.)
    let fits = format!("s3://{BUCKET}/{}", vec!["p".repeat(199); 4].join("/"));
    let args = ["publish", "--to", &fits, "--endpoint", &endpoint, "--as-of", AS_OF, "--dry-run"];
    let run = show.run_env(&args, &s3.env()).ok();
    assert!(run.stdout.contains("PUT"), "{}", run.stdout);
    assert!(s3.objects("").is_empty());
}

/// An object under the prefix whose name the S3 client cannot read (a
/// control character) fails every listing: that is said as what to do
/// about the object (exit 2), not "run publish again".
#[test]
fn an_object_the_client_cannot_name_is_said_with_what_to_do() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    std::fs::write(s3.object("podcast/notes\tx.txt"), "theirs").unwrap();
    let to = format!("s3://{BUCKET}/podcast");
    let run =
        show.run_env(&["publish", "--to", &to, "--endpoint", &s3.endpoint(), "--as-of", AS_OF], &s3.env()).fails(2);
    assert!(run.stderr.contains("has a name the S3 client cannot read"), "{}", run.stderr);
    assert!(run.stderr.contains("rename or delete that object"), "{}", run.stderr);
    assert!(!run.stderr.contains("run publish again"), "{}", run.stderr);
}

/// An endpoint that cannot be reached (a name that never resolves, RFC
/// 2606's `.invalid`; a port nothing listens on) is said as such, with its
/// cause, not as a failed request: the setup's (exit 2), not the show's.
#[test]
fn an_endpoint_that_cannot_be_reached_says_to_check_it() {
    let show = Show::sample();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = format!("http://127.0.0.1:{closed}");
    for (endpoint, cause) in [("http://podsmith-test.invalid:9000", "dns"), (closed.as_str(), "connect")] {
        let args = ["publish", "--to", "s3://bucket/x", "--endpoint", endpoint, "--as-of", AS_OF];
        let env = [("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b"), ("AWS_REGION", "us-east-1")];
        let run = show.run_env(&args, &env).fails(2);
        assert!(
            run.stderr.contains("help: the service could not be reached: check the endpoint URL and the network"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.to_ascii_lowercase().contains(cause), "the cause is said: {}", run.stderr);
    }
    // An endpoint that is no http(s) URL: refused before anything, with
    // one to give (not what podcast apps fetch: the endpoint is no feed's).
    for (endpoint, example) in [
        ("127.0.0.1:9000", "such as http://127.0.0.1:9000"),
        ("ftp://127.0.0.1:9000", "such as https://s3.eu-central-1.amazonaws.com"),
    ] {
        let args = ["publish", "--to", "s3://bucket/x", "--endpoint", endpoint, "--as-of", AS_OF];
        let run = show.run(&args).fails(2);
        assert!(
            run.stderr.contains(&format!("the endpoint \"{endpoint}\" is not an http:// or https:// URL"))
                && run.stderr.contains(example)
                && !run.stderr.contains("podcast apps"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn credentials_come_from_a_profile_when_the_environment_has_none() {
    let Some(s3) = S3::start() else { return };
    let show = Show::sample();
    let creds = format!(
        "[podcasting]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        crate::s3::ACCESS_KEY,
        crate::s3::SECRET_KEY
    );
    show.write("aws/credentials", &creds);
    show.write("aws/config", &format!("[profile podcasting]\nendpoint_url = {}\n", s3.endpoint()));
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!("{manifest}\n[publish]\nto = \"s3://{BUCKET}/podcast\"\nprofile = \"podcasting\"\n"),
    );
    let (creds, config) = (show.path("aws/credentials"), show.path("aws/config"));
    let env = [("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()), ("AWS_CONFIG_FILE", config.to_str().unwrap())];
    show.run_env(&["publish", "--as-of", AS_OF], &env).ok();
    assert_eq!(published(&s3), show.public_files());
}

#[test]
fn a_folder_is_a_destination_too() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let run = to_folder(&show, &to, &[]).ok();
    assert!(run.stderr.contains("20 uploaded"), "{}", run.stderr);
    let mut there = BTreeMap::new();
    for (k, v) in walk(&web.path().join("podcast")) {
        if !k.starts_with(".podsmith/") {
            there.insert(k, v);
        }
    }
    assert_eq!(there, show.public_files());
    let again = to_folder(&show, &to, &[]).ok();
    assert!(again.stderr.contains("0 uploaded (0 bytes), 20 unchanged"), "{}", again.stderr);
    // An episode removed and pruned: its page's folder goes with its files.
    let manifest = show.read("episodes.toml");
    let start = manifest.find("[[episode]]").unwrap();
    let end = start + 1 + manifest[start + 1..].find("[[episode]]").unwrap();
    assert!(manifest[start..end].contains("slug = \"fluentd-eduardo-silva\""));
    show.write("episodes.toml", &format!("{}{}", &manifest[..start], &manifest[end..]));
    to_folder(&show, &to, &["--allow-changes", "--prune"]).ok();
    let episodes = web.path().join("podcast/episodes");
    assert!(!episodes.join("fluentd-eduardo-silva").exists());
    assert!(episodes.join("kubernetes-sarah-novotny/index.html").is_file());
    assert!(!web.path().join("podcast/media/fluentd-eduardo-silva.mp3").exists());
}

/// A crafted build record listing a file from outside the show, reached
/// through a link in the output folder to its folder, with the size, time
/// and fingerprint it really has: it is never sent, and a warning says why
/// (the build's, which keeps it out of the site; else publish's own, which
/// never reads a file through a link, whatever the record says).
#[cfg(unix)]
#[test]
fn a_file_through_a_linked_folder_in_the_output_is_never_published() {
    let show = Show::sample();
    show.build().ok();
    let _elsewhere = crate::harness::secret_listed_through_a_link(&show);
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let run = to_folder(&show, &to, &["--format", "json"]).ok();
    assert!(!web.path().join("podcast/evil").exists(), "{}", run.stdout);
    let (uploaded, _) = sent(&run);
    assert_eq!(uploaded.len(), 20, "{uploaded:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let said = report["diagnostics"].as_array().unwrap().iter().any(|d| {
        let message = d["message"].as_str().unwrap();
        d["severity"] == "warning"
            && message.contains("evil/secret.env: public/evil is not a folder of podsmith's (a link or a file)")
    });
    assert!(said, "{}", run.stdout);
}

/// The sample show, published to the folder `podcast/` of a web root:
/// the show, the web root, that folder and its `file://` URL.
fn sample_published_to_a_folder() -> (Show, tempfile::TempDir, std::path::PathBuf, String) {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let podcast = web.path().join("podcast");
    let to = format!("file://{}", podcast.display());
    to_folder(&show, &to, &[]).ok();
    (show, web, podcast, to)
}

/// A record that names an object it has no ETag for (damaged, or crafted
/// by whoever could write it) does not get it deleted: an object of the
/// same size, put there by someone else, is left, and said.
#[test]
fn a_record_entry_without_an_etag_deletes_nothing() {
    let (show, _web, podcast, to) = sample_published_to_a_folder();
    std::fs::write(podcast.join("foreign.html"), b"<p>not podsmith's</p>").unwrap();
    let record = podcast.join(".podsmith/published.json");
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(std::fs::File::open(&record).unwrap()), &mut json)
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["objects"]["foreign.html"] = serde_json::json!({
        "size": 21, "fingerprint": "0".repeat(64), "content_type": "text/html; charset=utf-8",
        "cache_control": "public, max-age=300"
    });
    std::fs::write(&record, value.to_string()).unwrap();
    let run = to_folder(&show, &to, &["--prune"]).ok();
    assert_eq!(std::fs::read(podcast.join("foreign.html")).unwrap(), b"<p>not podsmith's</p>", "{}", run.stderr);
    assert!(run.stderr.contains("foreign.html"), "it is said: {}", run.stderr);
}

/// A write killed half way leaves, in a folder destination, the temporary
/// file object_store writes a key through (`KEY#N`), which nothing would
/// ever remove, and which a web server serves. The next publish removes
/// those of podsmith's keys and says so; not another's, nor one written
/// since it began (a write under way).
#[cfg(unix)]
#[test]
fn what_a_killed_publish_left_half_written_in_a_folder_is_removed_by_the_next() {
    let (show, _web, podcast, to) = sample_published_to_a_folder();
    let left = ["feed.xml#1", "media/coredns-miek-gieben.mp3#2", "episodes/coredns-miek-gieben/index.html#1"];
    let kept = ["notes.txt#1", "media/feed.xml#1", "feed.xml#x", "index.html#3"];
    for rel in left.iter().chain(&kept) {
        std::fs::write(podcast.join(rel), "half").unwrap();
    }
    // Written a moment from now: as if by a write under way.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(podcast.join("index.html#3")).unwrap().set_modified(later).unwrap();
    // A dry run says what it would remove, and removes nothing.
    let dry = to_folder(&show, &to, &["--dry-run"]).ok();
    let said: Vec<&str> = dry.stdout.lines().filter(|l| l.starts_with("REMOVE ")).collect();
    assert_eq!(
        said,
        [
            "REMOVE episodes/coredns-miek-gieben/index.html#1: half-written by a publish killed part-way",
            "REMOVE feed.xml#1: half-written by a publish killed part-way",
            "REMOVE media/coredns-miek-gieben.mp3#2: half-written by a publish killed part-way",
        ],
        "{}",
        dry.stdout
    );
    assert!(dry.stderr.contains("3 half-written files to remove (dry run: nothing was sent)"), "{}", dry.stderr);
    assert!(left.iter().all(|rel| podcast.join(rel).exists()));
    let run = to_folder(&show, &to, &[]).ok();
    assert!(
        run.stderr.contains("0 uploaded (0 bytes), 20 unchanged, 0 deleted, 3 half-written files removed (left by publishes killed part-way)"),
        "{}",
        run.stderr
    );
    for rel in left {
        assert!(!podcast.join(rel).exists(), "{rel} is left");
    }
    for rel in kept {
        assert!(podcast.join(rel).exists(), "{rel} was removed");
    }
    let again = to_folder(&show, &to, &["--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(v["swept"], serde_json::json!([]), "{v}");
}

#[test]
fn the_websub_hub_and_the_notify_services_are_told_of_the_feeds_a_publish_changed() {
    // A real HTTP server on 127.0.0.1 as the hub (POST) and a ping service
    // (GET ?url=); `missing` answers 404.
    let served = tempfile::tempdir().unwrap();
    std::fs::write(served.path().join("hub"), "").unwrap();
    std::fs::write(served.path().join("pubnotify"), "{\"success\":true}").unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Good);
    let base = server.base();
    let show = Show::sample();
    let manifest =
        show.read("episodes.toml").replacen("[podcast]\n", &format!("[podcast]\nwebsub_hub = \"{base}hub\"\n"), 1);
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nnotify = [\"{base}pubnotify\", \"{base}missing\"]\n"));
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let feed = "https://podcast.example.com/cloud-native/feed.xml";
    let ogg = "https://podcast.example.com/cloud-native/feed.ogg.xml";
    let host = base.trim_start_matches("http://").trim_end_matches('/');

    // A dry run says who would be told, and asks no one.
    let run = to_folder(&show, &to, &["--dry-run"]).ok();
    assert!(run.stderr.contains(&format!("would tell the WebSub hub {host} of {feed}\n")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("would tell {host} of {ogg}\n")), "{}", run.stderr);
    assert_eq!(server.log(), vec![]);

    // Published: each feed told to the hub and to each service, once.
    let run = to_folder(&show, &to, &[]).ok();
    assert!(show.read("public/feed.xml").contains(&format!("<atom:link href=\"{base}hub\" rel=\"hub\"/>")));
    let encoded = |u: &str| u.replace(':', "%3A").replace('/', "%2F");
    let mut log: Vec<(String, String)> = server.log().into_iter().map(|(m, p, _)| (m, p)).collect();
    log.sort();
    let mut expected = Vec::new();
    for f in [feed, ogg] {
        expected.push(("GET".to_string(), format!("pubnotify?url={}", encoded(f))));
        expected.push(("POST (204)".to_string(), format!("hub?hub.mode=publish&hub.url={}", encoded(f))));
    }
    expected.sort();
    // (The server logs no 404 for a file it does not have.)
    assert_eq!(log, expected);
    assert!(run.stderr.contains(&format!("told the WebSub hub {host} of {feed} (204)")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("told {host} of {feed} (200)")), "{}", run.stderr);
    // The service that fails is a warning; the publish stands.
    assert!(
        run.stderr.contains(&format!(
            "warning: {host} was not told of {feed}: it answered 404 Not Found\n  help: the site is published all the same"
        )),
        "{}",
        run.stderr
    );

    // Nothing changed: no feed went up, so no one is told.
    server.forget();
    to_folder(&show, &to, &[]).ok();
    assert_eq!(server.log(), vec![]);
    // A new title changes both feeds: both are told again.
    show.write(
        "episodes.toml",
        &show.read("episodes.toml").replacen("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek Gieben on DNS\"", 1),
    );
    let run = to_folder(&show, &to, &["--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let told: Vec<(&str, &str, Option<u64>)> = v["notified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["how"].as_str().unwrap(), n["feed"].as_str().unwrap(), n["status"].as_u64()))
        .collect();
    assert_eq!(
        told,
        [
            ("websub", feed, Some(204)),
            ("ping", feed, Some(200)),
            ("ping", feed, Some(404)),
            ("websub", ogg, Some(204)),
            ("ping", ogg, Some(200)),
            ("ping", ogg, Some(404)),
        ]
    );
}

#[test]
fn a_notify_service_that_answers_a_server_error_is_asked_again() {
    // Answers every other request for a path with 500, the first first.
    let served = tempfile::tempdir().unwrap();
    std::fs::write(served.path().join("pubnotify"), "{\"success\":true}").unwrap();
    let server = Server::start(served.path().to_path_buf(), Mode::Flaky);
    // And a service no one answers at (a port just closed).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let services = format!("[\"{}pubnotify\", \"http://127.0.0.1:{closed}/ping\"]", server.base());
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nnotify = {services}\n"));
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let run = to_folder(&show, &to, &["--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let told: Vec<(Option<u64>, bool)> =
        v["notified"].as_array().unwrap().iter().map(|n| (n["status"].as_u64(), n["error"].is_null())).collect();
    assert_eq!(told, [(Some(200), true), (None, false), (Some(200), true), (None, false)], "{v}");
    // The one not reached: asked three times, and said so.
    assert!(v["notified"][1]["error"].as_str().unwrap().ends_with("(asked 3 times)"), "{v}");
    // Each feed: a 500, then told.
    let feed = "https://podcast.example.com/cloud-native/feed.xml";
    let path = format!("pubnotify?url={}", feed.replace(':', "%3A").replace('/', "%2F"));
    let asked: Vec<String> = server.log().into_iter().filter(|(_, p, _)| *p == path).map(|(m, _, _)| m).collect();
    assert_eq!(asked, ["GET (500)", "GET"]);
}

/// A feed over 256 KiB (whose fingerprint samples its ends) edited in its
/// middle, its size kept: all of its bytes tell, so it goes up; and again
/// without the digest cache, and from a folder whose files have new times.
#[test]
fn a_big_feed_edited_in_its_middle_goes_up() {
    let show = Show::sample();
    // Long notes in the first episode: the feeds carry them whole (in
    // content:encoded; the description has their start).
    let manifest = show.read("episodes.toml");
    let long = "Listeners asked about caching, tracing and logs. ".repeat(8000);
    let at = manifest.find("notes = \"\"\"").unwrap() + "notes = \"\"\"".len();
    show.write("episodes.toml", &format!("{}{long}{}", &manifest[..at], &manifest[at..]));
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let publish = || to_folder(&show, &to, &[]).ok();
    publish();
    let feed_size = std::fs::metadata(show.path("public/feed.xml")).unwrap().len();
    assert!(feed_size > 3 * (256 << 10) / 2, "{feed_size}");
    // One letter, deep in the notes: same size, same first and last 64 KiB.
    let edit = |from: &str, to_: &str| {
        let manifest = show.read("episodes.toml");
        let at = manifest.find("notes = \"\"\"").unwrap() + long.len() / 2;
        let at = at + manifest[at..].find(from).unwrap();
        show.write("episodes.toml", &format!("{}{to_}{}", &manifest[..at], &manifest[at + from.len()..]));
    };
    edit("caching", "cashing");
    let run = publish();
    assert_eq!(std::fs::metadata(show.path("public/feed.xml")).unwrap().len(), feed_size);
    assert!(run.stderr.contains("3 uploaded"), "{}", run.stderr);
    let live = std::fs::read_to_string(web.path().join("podcast/feed.xml")).unwrap();
    assert!(live.contains("cashing"), "the live feed has the edit");
    assert!(publish().stderr.contains("0 uploaded"));
    // Without the cache of digests every big file is read again: nothing
    // is sent, and an edit is still told.
    std::fs::remove_file(show.path(".podsmith/digests.json")).unwrap();
    assert!(publish().stderr.contains("0 uploaded"));
    edit("cashing", "caching");
    std::fs::remove_file(show.path(".podsmith/digests.json")).unwrap();
    let run = publish();
    assert!(run.stderr.contains("3 uploaded"), "{}", run.stderr);
    let live = std::fs::read_to_string(web.path().join("podcast/feed.xml")).unwrap();
    assert!(!live.contains("cashing"));
}

/// A web root filled earlier by another tool (rsync, say) with the site's
/// very files: they are taken as they are (compared byte for byte), and
/// one with other bytes is refused.
#[test]
fn a_folder_filled_earlier_with_the_same_files_is_taken_as_it_is() {
    let show = Show::sample();
    show.build().ok();
    let web = tempfile::tempdir().unwrap();
    let podcast = web.path().join("podcast");
    for (key, bytes) in show.public_files() {
        std::fs::create_dir_all(podcast.join(&key).parent().unwrap()).unwrap();
        std::fs::write(podcast.join(&key), bytes).unwrap();
    }
    let page = podcast.join("index.html");
    let right = std::fs::read(&page).unwrap();
    let mut wrong = right.clone();
    *wrong.last_mut().unwrap() ^= 1;
    std::fs::write(&page, &wrong).unwrap();
    let to = format!("file://{}", podcast.display());
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(run.stderr.contains("where the site's files go: index.html"), "{}", run.stderr);
    std::fs::write(&page, &right).unwrap();
    // A dry run says what it would take, and takes nothing.
    let dry = to_folder(&show, &to, &["--dry-run"]).ok();
    assert!(dry.stdout.contains("TAKE index.html: already there with the same bytes"), "{}", dry.stdout);
    assert!(!podcast.join(".podsmith").exists(), "no record written by a dry run");
    let run = to_folder(&show, &to, &[]).ok();
    assert!(run.stderr.contains("0 uploaded (0 bytes), 20 unchanged"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "20 objects podsmith had not published hold the site's very bytes (byte for byte) and are taken as \
             they are: "
        ),
        "{}",
        run.stderr
    );
}

/// A link in the destination folder where the site has a folder is never
/// written or deleted through: the publish stops before any upload.
#[cfg(unix)]
#[test]
fn a_folder_destination_is_never_written_through_a_link() {
    let (show, web, podcast, to) = sample_published_to_a_folder();
    // An episode's folder is now a link to a folder elsewhere.
    let elsewhere = web.path().join("elsewhere");
    std::fs::rename(podcast.join("episodes/coredns-miek-gieben"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, podcast.join("episodes/coredns-miek-gieben")).unwrap();
    let page_there = std::fs::read(elsewhere.join("index.html")).unwrap();
    let feed_there = std::fs::read(podcast.join("feed.xml")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &manifest.replacen("title = \"Miek Gieben on CoreDNS\"", "title = \"Miek Gieben on CoreDNS (2017)\"", 1),
    );
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(run.stderr.contains("episodes/coredns-miek-gieben/ is a link"), "{}", run.stderr);
    assert!(run.stderr.contains("never writes or deletes through a link"), "{}", run.stderr);
    assert_eq!(std::fs::read(elsewhere.join("index.html")).unwrap(), page_there);
    assert_eq!(std::fs::read(podcast.join("feed.xml")).unwrap(), feed_there, "nothing went up");
    // The link gone, the page is published in a folder of its own.
    std::fs::remove_file(podcast.join("episodes/coredns-miek-gieben")).unwrap();
    to_folder(&show, &to, &[]).ok();
    assert_eq!(std::fs::read(elsewhere.join("index.html")).unwrap(), page_there);
    let page = std::fs::read_to_string(podcast.join("episodes/coredns-miek-gieben/index.html")).unwrap();
    assert!(page.contains("Miek Gieben on CoreDNS (2017)"));
    // In a folder published to for the first time, a link where a site file
    // goes (to a copy of it, even) is someone else's: refused unless
    // --force, which puts the file in its place and leaves where it led.
    let fresh = web.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    let copy = web.path().join("feed-copy.xml");
    std::fs::copy(show.path("public/feed.xml"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, fresh.join("feed.xml")).unwrap();
    let to = format!("file://{}", fresh.display());
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(run.stderr.contains("feed.xml"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(fresh.join("feed.xml")).unwrap().file_type().is_symlink());
    to_folder(&show, &to, &["--force"]).ok();
    assert!(std::fs::symlink_metadata(fresh.join("feed.xml")).unwrap().is_file());
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(show.path("public/feed.xml")).unwrap());
}

/// A folder where a site file goes (feed.xml, here) is refused before
/// anything is sent, naming it: its upload could never land, and every
/// publish would send all the rest again and stop there.
#[test]
fn a_folder_where_a_site_file_goes_is_refused_before_anything_is_sent() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("feed.xml")).unwrap();
    std::fs::write(web.path().join("feed.xml/keep.txt"), "x").unwrap();
    let to = format!("file://{}", web.path().display());
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(run.stderr.contains("feed.xml is a folder where the site needs a file"), "{}", run.stderr);
    assert!(!web.path().join("media").exists(), "nothing sent");
    assert_eq!(std::fs::read_to_string(web.path().join("feed.xml/keep.txt")).unwrap(), "x");
}

/// Links in a folder destination are not followed when it is listed: one
/// back to the folder itself (a loop) and one to a folder elsewhere are
/// neither walked nor touched, and the site is as it was.
#[cfg(unix)]
#[test]
fn a_folder_destination_is_listed_without_following_links() {
    let (show, web, podcast, to) = sample_published_to_a_folder();
    let elsewhere = web.path().join("elsewhere/media");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("coredns-miek-gieben.mp3"), b"someone else's").unwrap();
    std::os::unix::fs::symlink(&podcast, podcast.join("loop")).unwrap();
    std::os::unix::fs::symlink(web.path().join("elsewhere"), podcast.join("other")).unwrap();
    let run = to_folder(&show, &to, &["--prune"]).ok();
    assert!(run.stderr.contains("0 uploaded (0 bytes), 20 unchanged, 0 deleted"), "{}", run.stderr);
    assert_eq!(std::fs::read(elsewhere.join("coredns-miek-gieben.mp3")).unwrap(), b"someone else's");
    assert!(podcast.join("loop").is_symlink() && podcast.join("other").is_symlink());
}

#[test]
fn a_folder_inside_the_show_is_refused() {
    let show = Show::sample();
    let lock = std::fs::read(show.path("podsmith.lock")).ok();
    for inside in ["public", "www/podcast", "."] {
        let to = format!("file://{}", show.path(inside).display());
        let run = to_folder(&show, &to, &[]).fails(2);
        assert!(run.stderr.contains("is inside the show's folder"), "{inside}: {}", run.stderr);
        // Refused before the build: nothing built, no episode recorded as published.
        assert!(!run.stderr.contains("Built") && !show.path("public/feed.xml").exists(), "{}", run.stderr);
        assert_eq!(std::fs::read(show.path("podsmith.lock")).ok(), lock);
    }
    // Named in the manifest in any TOML form: refused before the build too.
    let manifest = show.read("episodes.toml");
    let to = format!("file://{}", show.path("www").display());
    for form in [format!("publish = {{ to = {to:?} }}\n"), format!("publish.to = {to:?}\n")] {
        show.write("episodes.toml", &format!("{form}{manifest}"));
        let run = show.run_env(&["publish", "--as-of", AS_OF], &[]).fails(2);
        assert!(run.stderr.contains("is inside the show's folder"), "{form}: {}", run.stderr);
        assert!(!run.stderr.contains("Built") && !show.path("public/feed.xml").exists(), "{}", run.stderr);
        assert_eq!(std::fs::read(show.path("podsmith.lock")).ok(), lock);
    }
    show.write("episodes.toml", &manifest);
    assert!(!show.path("www").exists() && !show.path("public/.podsmith").exists());
    // Nor a folder that holds the show: its keys would reach the show's files.
    let above = show.path("episodes.toml").canonicalize().unwrap();
    let above = above.parent().unwrap().parent().unwrap();
    let run = to_folder(&show, &format!("file://{}", above.display()), &[]).fails(2);
    assert!(run.stderr.contains("holds the show's folder"), "{}", run.stderr);
    assert!(!above.join(".podsmith").exists() && !above.join("feed.xml").exists());
}

/// A folder outside the show that is the output folder `--out` names, is
/// in it or holds it, is refused before the build writes there, from the
/// command line or from `[publish]`.
#[test]
fn a_folder_that_is_the_output_folder_is_refused_before_the_build() {
    let show = Show::sample();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("site");
    let out_arg = out.display().to_string();
    for (to, relation) in [(out.clone(), "is"), (out.join("www"), "is inside"), (outside.path().to_path_buf(), "holds")]
    {
        let to = format!("file://{}", to.display());
        let run = to_folder(&show, &to, &["--out", &out_arg]).fails(2);
        assert!(run.stderr.contains(&format!("{relation} the build's output folder")), "{to}: {}", run.stderr);
        assert!(!out.exists(), "the build wrote nothing: {to}");
    }
    let manifest = format!("{}\n[publish]\nto = \"file://{}\"\n", show.read("episodes.toml"), out.display());
    show.write("episodes.toml", &manifest);
    let run = show.run_env(&["publish", "--out", &out_arg, "--as-of", AS_OF], &[]).fails(2);
    assert!(run.stderr.contains("is the build's output folder"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn no_destination_and_bad_settings_are_usage_errors() {
    let show = Show::sample();
    let lock = std::fs::read(show.path("podsmith.lock")).ok();
    let run = show.run_env(&["publish", "--as-of", AS_OF], &[]).fails(2);
    assert!(run.stderr.contains("no destination to publish to"), "{}", run.stderr);
    assert!(!run.stderr.contains("Built") && !show.path("public/feed.xml").exists(), "{}", run.stderr);
    assert_eq!(std::fs::read(show.path("podsmith.lock")).ok(), lock);
    // A destination in an inline table (or a dotted key) is one all the same.
    let web = tempfile::tempdir().unwrap();
    let manifest = show.read("episodes.toml");
    let to = format!("file://{}", web.path().join("podcast").display());
    show.write("episodes.toml", &format!("publish = {{ to = \"{to}\" }}\n{manifest}"));
    show.run_env(&["publish", "--as-of", AS_OF], &[]).ok();
    assert!(web.path().join("podcast/feed.xml").exists());
    show.write("episodes.toml", &manifest);
    let run = show.run_env(&["publish", "--to", "ftp://x/y"], &[]).fails(2);
    assert!(run.stderr.contains("s3://BUCKET/PREFIX or file:///PATH"), "{}", run.stderr);
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nto = \"s3://Bad_Bucket\"\njobz = 3\n"));
    // Like every problem in the manifest, a content error (exit 1), with its line.
    let run = show.run_env(&["publish"], &[]).fails(1);
    assert!(run.stderr.contains("episodes.toml:122:6: `to` in [publish]"), "{}", run.stderr);
    assert!(run.stderr.contains("is not a bucket name"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown key `jobz` in [publish]"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `jobs`?"), "{}", run.stderr);
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nto = \"s3://ok-bucket\"\njobs = 500\n"));
    let run = show.run_env(&["publish"], &[]).fails(1);
    assert!(run.stderr.contains("`jobs` in [publish] is 500; at most 64"), "{}", run.stderr);
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nto = \"s3://ok-bucket\"\njobs = 0\n"));
    let run = show.run_env(&["publish"], &[]).fails(1);
    assert!(
        run.stderr.contains("must be a whole number from 1 up, not 0\n  help: write jobs = 1 or more"),
        "{}",
        run.stderr
    );
    show.write(
        "episodes.toml",
        &format!("{manifest}\n[publish]\nto = \"s3://ok-bucket\"\nnotify = [\"podcast-index\"]\n"),
    );
    let run = show.run_env(&["publish"], &[]).fails(1);
    assert!(
        run.stderr.contains("`notify` in [publish]: \"podcast-index\" is neither \"podcastindex\" nor a URL"),
        "{}",
        run.stderr
    );
    // The hub is the feed's: a URL in [podcast], read as strictly.
    let hub = manifest.replacen("[podcast]\n", "[podcast]\nwebsub_hub = \"pubsubhubbub.appspot.com\"\n", 1);
    show.write("episodes.toml", &hub);
    let run = show.run_env(&["build"], &[]).fails(1);
    assert!(
        run.stderr.contains("`websub_hub` in [podcast] \"pubsubhubbub.appspot.com\" is not an absolute URL"),
        "{}",
        run.stderr
    );
    let run = show.run_env(&["publish", "--to", "s3://ok-bucket", "--jobs", "0"], &[]).fails(2);
    assert!(run.stderr.contains("--jobs"), "{}", run.stderr);
}

fn walk(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn requests_are_one_listing_and_what_changed() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert_eq!(proxy.count("PUT"), 20 + 2, "every file, the note of the uploads under way, and the record");
    proxy.log.lock().unwrap().clear();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let log = proxy.log.lock().unwrap().clone();
    // The record and the note beside it, and one listing (one page). Nothing else.
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log.iter().filter(|(m, p)| m == "GET" && p.ends_with("/podcast/.podsmith/published.json")).count(), 1);
    assert_eq!(log.iter().filter(|(m, p)| m == "GET" && p.ends_with("/podcast/.podsmith/publishing.json")).count(), 1);
    assert_eq!(log.iter().filter(|(m, p)| m == "GET" && p.contains("list-type=2")).count(), 1, "{log:?}");
    drop(log);
    // One episode added: its two files, its page, the page of the one
    // before it (its "Next episode"), the index, the sitemap, two feeds.
    proxy.log.lock().unwrap().clear();
    std::fs::copy(show.path("media/coredns-miek-gieben.mp3"), show.path("media/bonus.mp3")).unwrap();
    std::fs::copy(show.path("media/coredns-miek-gieben.ogg"), show.path("media/bonus.ogg")).unwrap();
    let manifest = show.read("episodes.toml");
    show.write(
        "episodes.toml",
        &format!(
            "{manifest}\n[[episode]]\ntitle = \"Bonus\"\nslug = \"bonus\"\nguid = \"bonus-1\"\ndate = 2017-04-13T09:00:00Z\nepisode = 5\n\
             media = [\"media/bonus.mp3\", \"media/bonus.ogg\"]\nnotes = \"More.\"\n"
        ),
    );
    let (mut up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    up.sort();
    assert_eq!(
        up,
        [
            "episodes/bonus/index.html",
            "episodes/kubernetes-sarah-novotny/index.html",
            "feed.ogg.xml",
            "feed.xml",
            "index.html",
            "media/bonus.mp3",
            "media/bonus.ogg",
            "sitemap.xml"
        ]
    );
    assert_eq!(proxy.count("PUT"), 8 + 2);
    // The new files go up while the destination is listed: each asked
    // about first (a HEAD), in case someone else's object is there.
    assert_eq!(proxy.count("HEAD"), 3);
    let log = proxy.log.lock().unwrap().clone();
    let at = |m: &str, end: &str| log.iter().position(|(method, p)| method == m && p.ends_with(end));
    assert!(at("HEAD", "media/bonus.mp3") < at("PUT", "media/bonus.mp3"), "{log:?}");
    assert!(at("PUT", "media/bonus.ogg") < at("PUT", "episodes/bonus/index.html"), "{log:?}");
    assert!(at("PUT", "episodes/bonus/index.html") < at("PUT", "feed.ogg.xml"), "{log:?}");
    assert!(at("PUT", "feed.ogg.xml") < at("PUT", "podcast/feed.xml"), "{log:?}");
    assert_eq!(published(&s3), show.public_files());
}

/// The sample show published to `s3` through a proxy that answers every
/// listing 1.5 s late, then given a bonus episode (see [`add_bonus_episode`]).
fn late_listings_and_a_bonus_episode(s3: &S3) -> (Proxy, Show) {
    let rule = |_: &str, path: &str, _: usize| match path.contains("list-type=2") {
        true => Action::Delay(1500),
        false => Action::Forward,
    };
    published_through(s3, Box::new(rule))
}

/// The sample show published to `s3` through a proxy that answers as
/// `rule` says, then given a bonus episode (see [`add_bonus_episode`]).
fn published_through(s3: &S3, rule: Box<crate::proxy::Rule>) -> (Proxy, Show) {
    let proxy = Proxy::start(s3.port, rule);
    let show = Show::sample();
    publish_via(&show, s3, &proxy.endpoint(), &[]).ok();
    add_bonus_episode(&show);
    (proxy, show)
}

/// `s3` holds `show`'s site as published, and its record says so: a
/// publish through `proxy` has nothing more to send.
fn published_as_recorded(show: &Show, s3: &S3, proxy: &Proxy) {
    assert_eq!(published(s3), show.public_files());
    let (up, deleted) = sent(&publish_via(show, s3, &proxy.endpoint(), &[]).ok());
    assert!(up.is_empty() && deleted.is_empty(), "{up:?} {deleted:?}");
}

#[test]
fn what_goes_up_while_the_listing_comes_is_said_as_uploaded_whatever_the_listing_saw() {
    let Some(s3) = S3::start() else { return };
    // The listing is answered late: the new episode's files, sent while it
    // was coming, are in it.
    let (proxy, show) = late_listings_and_a_bonus_episode(&s3);
    proxy.log.lock().unwrap().clear();
    let run = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let (mut up, _) = sent(&run);
    up.sort();
    assert_eq!(
        up,
        [
            "episodes/bonus/index.html",
            "episodes/kubernetes-sarah-novotny/index.html",
            "feed.ogg.xml",
            "feed.xml",
            "index.html",
            "media/bonus.mp3",
            "sitemap.xml"
        ]
    );
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(said["adopted"], serde_json::json!([]), "{said}");
    assert!(!run.stderr.contains("uploaded again"), "{}", run.stderr);
    let log = proxy.log.lock().unwrap().clone();
    assert_eq!(proxy.count("HEAD"), 2, "the new media file and page asked about, nothing else: {log:?}");
    assert_eq!(proxy.count("PUT"), 7 + 2);
    published_as_recorded(&show, &s3, &proxy);
}

#[test]
fn what_the_listing_finds_changed_by_hand_goes_up_after_the_feeds_sent_ahead_and_they_go_again_last() {
    let Some(s3) = S3::start() else { return };
    let (proxy, show) = late_listings_and_a_bonus_episode(&s3);
    // A media file deleted by hand: only the (late) listing tells it.
    let puts = drift_mended(&s3, &proxy, &show);
    let at = |key: &str| positions(&puts, key);
    let (feeds, ogg_feeds, put_back) = (at("/feed.xml"), at("/feed.ogg.xml"), at("/media/coredns-miek-gieben.ogg"));
    assert_eq!(ogg_feeds.len(), 2, "{puts:?}");
    // The feeds went up while the listing came (the new episode's files
    // were up), then again after the file the listing found missing.
    assert!(at("/media/bonus.mp3")[0] < ogg_feeds[0] && ogg_feeds[0] < feeds[0], "{puts:?}");
    assert!(put_back[0] < ogg_feeds[1] && ogg_feeds[1] < feeds[1], "{puts:?}");
    published_as_recorded(&show, &s3, &proxy);
}

/// Where `key` was sent among `puts` (the paths of the PUTs, in order).
fn positions(puts: &[String], key: &str) -> Vec<usize> {
    (0..puts.len()).filter(|&n| puts[n].ends_with(key)).collect()
}

/// A media file of the published `show` deleted by hand at `s3`, then a
/// publish through `proxy`: the file goes up again, said as missing,
/// between two uploads of `feed.xml`, and only the record after the
/// second. Returns the paths of the PUTs, in order.
fn drift_mended(s3: &S3, proxy: &Proxy, show: &Show) -> Vec<String> {
    std::fs::remove_file(s3.object("podcast/media/coredns-miek-gieben.ogg")).unwrap();
    proxy.log.lock().unwrap().clear();
    let run = publish_via(show, s3, &proxy.endpoint(), &[]).ok();
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let why =
        |k: &str| said["uploaded"].as_array().unwrap().iter().find(|u| u["key"] == k).map(|u| u["reason"].clone());
    assert_eq!(why("media/coredns-miek-gieben.ogg"), Some(serde_json::json!("missing")), "{said}");
    let puts: Vec<String> =
        proxy.log.lock().unwrap().iter().filter(|(m, _)| m == "PUT").map(|(_, p)| p.clone()).collect();
    let (feeds, put_back) = (positions(&puts, "/feed.xml"), positions(&puts, "/media/coredns-miek-gieben.ogg"));
    assert_eq!((feeds.len(), put_back.len()), (2, 1), "{puts:?}");
    assert!(feeds[0] < put_back[0] && put_back[0] < feeds[1], "{puts:?}");
    // feed.xml the last upload; only the record after it.
    assert!(puts[feeds[1] + 1..].iter().all(|p| p.contains("/.podsmith/published.json")), "{puts:?}");
    puts
}

/// The sample show published to `s3` through a proxy that holds every
/// upload of `feed.ogg.xml` 0.8 s (the listing is in, and checked, before
/// the files sent ahead of it are up), then given a bonus episode.
fn slow_feeds_and_a_bonus_episode(s3: &S3) -> (Proxy, Show) {
    let rule = |method: &str, path: &str, _: usize| match method == "PUT" && path.ends_with("/feed.ogg.xml") {
        true => Action::Delay(800),
        false => Action::Forward,
    };
    published_through(s3, Box::new(rule))
}

#[test]
fn a_listing_in_before_the_files_sent_ahead_are_up_is_checked_meanwhile() {
    let Some(s3) = S3::start() else { return };
    let (proxy, show) = slow_feeds_and_a_bonus_episode(&s3);
    proxy.log.lock().unwrap().clear();
    let run = show.run_env(
        &["publish", "--to", &format!("s3://{BUCKET}/podcast"), "--endpoint", &proxy.endpoint(), "--as-of", AS_OF],
        &[&s3.env()[..], &[("PODSMITH_TIMINGS", "1")]].concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let steps: Vec<String> = crate::harness::timed_steps(&run.stderr).into_iter().map(|(_, s)| s).collect();
    let at = |name: &str| steps.iter().rposition(|s| s == name).unwrap_or_else(|| panic!("{name}: {steps:?}"));
    // Listed while the files went up, and found as the record says: the
    // record is written as soon as feed.xml is up, before the plan is
    // told (it was made meanwhile).
    assert!(at("destination listed") < at("feed.xml up"), "{steps:?}");
    assert_eq!(at("destination's record written"), at("feed.xml up") + 1, "{steps:?}");
    assert!(at("destination's record written") < at("plan made"), "{steps:?}");
    let puts: Vec<String> =
        proxy.log.lock().unwrap().iter().filter(|(m, _)| m == "PUT").map(|(_, p)| p.clone()).collect();
    assert_eq!(puts.len(), 7 + 2, "the new files, the note of the uploads under way, and the record: {puts:?}");
    assert!(puts.last().unwrap().ends_with("/.podsmith/published.json"), "{puts:?}");
    // The record holds the ETags the uploads and the listing gave: a
    // publish after it sends nothing.
    published_as_recorded(&show, &s3, &proxy);

    // A file deleted by hand, told by a listing that is in before the
    // feeds are up: it goes up after them, and they go again, feed.xml last.
    let (proxy, show) = slow_feeds_and_a_bonus_episode(&s3);
    drift_mended(&s3, &proxy, &show);
    published_as_recorded(&show, &s3, &proxy);
}

/// Every request a proxy was sent: method, path, and when it came.
type Arrived = Arc<Mutex<Vec<(String, String, Instant)>>>;

/// A proxy in front of `s3` whose listings give ETags, as S3's and
/// Garage's do, that answers each PUT of `feed.xml` as `feed` says; and
/// when each request came, by method and path.
fn etags_listed(s3: &S3, feed: Action) -> (Proxy, Arrived) {
    etags_listed_pages_after(s3, feed, None)
}

/// As [`etags_listed`]; and with `listed` given, each page's upload is
/// held until the listing has come, and `listed` milliseconds more (for
/// its answer to be in before the feeds go, however busy the machine).
fn etags_listed_pages_after(s3: &S3, feed: Action, listed: Option<u64>) -> (Proxy, Arrived) {
    let arrived: Arrived = Arc::default();
    let (seen, bucket) = (arrived.clone(), s3.object(""));
    let rule = move |method: &str, path: &str, _: usize| {
        seen.lock().unwrap().push((method.to_string(), path.to_string(), Instant::now()));
        if let Some(ms) = listed.filter(|_| method == "PUT" && path.ends_with(".html")) {
            let waited = Instant::now();
            while !seen.lock().unwrap().iter().any(|(m, p, _)| m == "GET" && p.contains("list-type=2")) {
                assert!(waited.elapsed().as_secs() < 30, "no listing came");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            return Action::Delay(ms);
        }
        match method == "PUT" && path.ends_with("/podcast/feed.xml") {
            true => feed.clone(),
            false => Action::ListingEtags(bucket.clone()),
        }
    };
    (Proxy::start(s3.port, Box::new(rule)), arrived)
}

/// The first PUT of a path ending in `end`, and when it came.
fn first_put(arrived: &Mutex<Vec<(String, String, Instant)>>, end: &str) -> Option<Instant> {
    arrived.lock().unwrap().iter().find(|(m, p, _)| m == "PUT" && p.ends_with(end)).map(|(_, _, at)| *at)
}

/// Where the destination's listing gives ETags, the record goes up beside
/// `feed.xml`, not after it (a round trip less), naming the ETag
/// `feed.xml` gets: here `feed.xml`'s upload is answered 1.2 s late, and
/// the record comes well within that time, on a first publish and on one
/// that sends a new episode while the destination is listed. Once each
/// is done, the destination is the site, and the next publish sends
/// nothing, not even the record. (The pages wait for the listing to be
/// in: a listing that comes after the feeds leaves the record to go up
/// after `feed.xml`, as it must.)
#[test]
fn the_record_goes_up_beside_feed_xml_where_the_listing_gives_etags() {
    let Some(s3) = S3::start() else { return };
    const SLOW: u64 = 1200;
    let (proxy, arrived) = etags_listed_pages_after(&s3, Action::Delay(SLOW), Some(500));
    let show = Show::sample();
    for round in ["first", "a new episode"] {
        if round == "a new episode" {
            add_bonus_episode(&show);
            show.run(&["build", "--as-of", AS_OF]).ok();
        }
        arrived.lock().unwrap().clear();
        let (up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
        assert_eq!(up.last().map(String::as_str), Some("feed.xml"), "{round}: {up:?}");
        let feed = first_put(&arrived, "/podcast/feed.xml").expect("feed.xml sent");
        let record = first_put(&arrived, "/.podsmith/published.json").expect("the record written");
        let after = record.saturating_duration_since(feed).as_millis();
        assert!(after < u128::from(SLOW / 2), "{round}: the record came {after} ms after feed.xml");
        let records =
            arrived.lock().unwrap().iter().filter(|(m, p, _)| m == "PUT" && p.ends_with("published.json")).count();
        assert_eq!(records, 1, "{round}: the record written once");
        published_as_recorded(&show, &s3, &proxy);
    }
}

/// A publish stopped after the record went up beside `feed.xml` but
/// before `feed.xml` landed leaves a record that names a `feed.xml` the
/// destination does not have: the next publish's listing tells it (its
/// ETag), and `feed.xml` goes up again.
#[test]
fn a_publish_stopped_before_feed_xml_landed_beside_its_record_sends_it_again() {
    let Some(s3) = S3::start() else { return };
    let (proxy, arrived) = etags_listed(&s3, Action::ListingEtags(s3.object("")));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("Miek Gieben on CoreDNS", "Miek Gieben on DNS", 1));
    show.build().ok();
    let old_feed = std::fs::read(s3.object("podcast/feed.xml")).unwrap();
    // feed.xml's upload is never answered: the publish is stopped once
    // the record has gone up beside it. (The pages wait for the listing:
    // on a busy machine it could come after the feeds went, and then the
    // record would wait for feed.xml.)
    let (stalling, arrived_there) = etags_listed_pages_after(&s3, Action::Stall, Some(300));
    let mut child = publish_in_the_background(&show, &stalling.endpoint());
    let waited = Instant::now();
    while first_put(&arrived_there, "/.podsmith/published.json").is_none() {
        assert!(waited.elapsed().as_secs() < 60, "the record never went up");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(s3.object("podcast/feed.xml")).unwrap(), old_feed, "feed.xml did not land");
    let record = std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let record = podsmith::publish::record::Published::parse(&record).unwrap();
    let new_feed = std::fs::read(show.path("public/feed.xml")).unwrap();
    assert_eq!(record.objects["feed.xml"].size, new_feed.len() as u64, "the record names the new feed.xml");
    // Taken up again: feed.xml goes up, last.
    arrived.lock().unwrap().clear();
    let (up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert_eq!(up.last().map(String::as_str), Some("feed.xml"), "{up:?}");
    published_as_recorded(&show, &s3, &proxy);
}

/// Pages and feeds, small and waiting on round trips rather than bytes, go
/// up four times as many at once as media (`--jobs`): with `--jobs 1`
/// and every page's upload answered 400 ms late, the media go one by one
/// and the pages four at a time.
#[test]
fn pages_go_up_four_times_as_many_at_once_as_media() {
    let Some(s3) = S3::start() else { return };
    let arrived: Arrived = Arc::default();
    let seen = arrived.clone();
    let rule = move |method: &str, path: &str, _: usize| {
        seen.lock().unwrap().push((method.to_string(), path.to_string(), Instant::now()));
        match method == "PUT" && (path.ends_with(".html") || path.contains("/media/")) {
            true => Action::Delay(400),
            false => Action::Forward,
        }
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &["--jobs", "1"]).ok();
    assert_eq!(published(&s3), show.public_files());
    // How many of the PUTs of `part` came within 350 ms of the first (the
    // next ones wait for an answer, 400 ms late: the margin is for a busy
    // machine).
    let together = |part: &str| {
        let arrived = arrived.lock().unwrap();
        let at: Vec<Instant> =
            arrived.iter().filter(|(m, p, _)| m == "PUT" && p.contains(part)).map(|(_, _, at)| *at).collect();
        at.iter().filter(|t| t.duration_since(at[0]).as_millis() < 350).count()
    };
    assert_eq!(together("/media/"), 1, "media one at a time");
    assert_eq!(together(".html"), 4, "pages four at a time");
}

#[test]
fn server_errors_are_retried() {
    let Some(s3) = S3::start() else { return };
    // Every upload fails once with a 500, then goes through.
    let rule = |method: &str, _: &str, before: usize| match (method, before) {
        ("PUT", 0) => Action::Fail,
        _ => Action::Forward,
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert_eq!(published(&s3), show.public_files());
    assert!(proxy.count("PUT") >= 2 * 16, "each file tried twice: {}", proxy.count("PUT"));
}

/// `podsmith publish -q` of `show` to `s3://BUCKET/podcast` through
/// `endpoint`, started and left running (to be killed).
fn publish_in_the_background(show: &Show, endpoint: &str) -> std::process::Child {
    let to = format!("s3://{BUCKET}/podcast");
    std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(show.root())
        .args(["publish", "--to", &to, "--endpoint", endpoint, "--as-of", AS_OF, "-q"])
        .env("AWS_ACCESS_KEY_ID", crate::s3::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::s3::SECRET_KEY)
        .env("AWS_CONFIG_FILE", show.path(".none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", show.path(".none"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Starts `podsmith publish` through `proxy`, waits until it sends a page
/// (which the proxy holds), and kills it there.
fn publish_killed_at_the_pages(show: &Show, proxy: &Proxy) {
    let mut child = publish_in_the_background(show, &proxy.endpoint());
    let waited = std::time::Instant::now();
    while !proxy.log.lock().unwrap().iter().any(|(m, p)| m == "PUT" && p.ends_with("index.html")) {
        assert!(waited.elapsed().as_secs() < 60, "the publish never reached the pages");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_publish_killed_half_way_never_leaves_the_feed_ahead_and_is_taken_up_again() {
    let Some(s3) = S3::start() else { return };
    // The pages never get an answer: the publish hangs after the media.
    let rule = |method: &str, path: &str, _: usize| match method == "PUT" && path.ends_with("index.html") {
        true => Action::Stall,
        false => Action::Forward,
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    let show = Show::sample();
    show.build().ok();
    publish_killed_at_the_pages(&show, &proxy);
    let there = published(&s3);
    assert!(there.keys().any(|k| k.starts_with("media/")), "the media went first: {:?}", there.keys());
    assert!(!there.contains_key("feed.xml") && !there.contains_key("feed.ogg.xml"), "no feed before its pages");
    let media_puts = || proxy.log.lock().unwrap().iter().filter(|(m, p)| m == "PUT" && p.contains("/media/")).count();
    assert_eq!(media_puts(), 9, "8 recordings and the cover, each sent once");

    // Killed again at the same place: the media the first run put are still
    // podsmith's (not sent again, and not taken for someone else's after).
    proxy.log.lock().unwrap().clear();
    publish_killed_at_the_pages(&show, &proxy);
    assert_eq!(media_puts(), 0);

    // Run again: only what is not there goes up.
    let (up, _) = sent(&publish(&show, &s3, &[]).ok());
    assert!(up.iter().all(|k| !k.starts_with("media/")), "the media are not sent again: {up:?}");
    assert_eq!(up.last().map(String::as_str), Some("feed.xml"));
    assert_eq!(published(&s3), show.public_files());
}

/// Adds the bonus episode to `show` and publishes it to `s3` through a
/// proxy that never answers the pages: killed once the media went up.
fn bonus_episode_published_until_the_pages(s3: &S3, show: &Show) {
    add_bonus_episode(show);
    let rule = |method: &str, path: &str, _: usize| match method == "PUT" && path.ends_with("index.html") {
        true => Action::Stall,
        false => Action::Forward,
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    publish_killed_at_the_pages(show, &proxy);
}

/// A publish notes what it is about to upload in a small object beside the
/// record, not in the whole record written once more: killed half way, it
/// leaves the record as it was, and the next publish takes what the note
/// names as podsmith's (an upload that landed is replaced if the site has
/// other bytes there now, not refused as someone else's).
#[test]
fn a_publish_killed_half_way_left_a_note_of_its_uploads_and_the_next_takes_them_as_its_own() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    let record = || std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap();
    let before = record();
    bonus_episode_published_until_the_pages(&s3, &show);
    assert!(s3.object("podcast/media/bonus.mp3").exists(), "the media went up first");
    assert_eq!(record(), before, "the record is as it was");
    let note = std::fs::read(s3.object("podcast/.podsmith/publishing.json")).unwrap();
    assert!(note.len() < before.len() / 2, "a note of {} bytes, the record {}", note.len(), before.len());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&note[..]), &mut text).unwrap();
    assert!(text.contains("\"media/bonus.mp3\"") && text.contains("\"feed.xml\""), "{text}");

    // The recording is exported again before the next publish: what the
    // killed one put there is podsmith's, and is replaced.
    std::fs::copy(show.path("media/kubernetes-sarah-novotny.mp3"), show.path("media/bonus.mp3")).unwrap();
    let (up, _) = sent(&publish(&show, &s3, &[]).ok());
    assert!(up.contains(&"media/bonus.mp3".to_string()), "{up:?}");
    assert_eq!(up.last().map(String::as_str), Some("feed.xml"));
    assert_eq!(published(&s3), show.public_files());
    assert_eq!(sent(&publish(&show, &s3, &[]).ok()), (vec![], vec![]), "the record took it all in");
}

/// A note of a killed publish that cannot be read (damaged, or of another
/// format) is as good as none, and the publish says so: what it named is
/// taken where it holds the site's bytes; where it does not, the refusal
/// says why podsmith cannot tell it is its own.
#[test]
fn a_damaged_note_of_a_killed_publish_is_told_and_what_it_named_is_taken_only_by_its_bytes() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    bonus_episode_published_until_the_pages(&s3, &show);
    let note = s3.object("podcast/.podsmith/publishing.json");
    assert!(note.exists() && s3.object("podcast/media/bonus.mp3").exists());
    std::fs::write(&note, b"\x1f\x8b not gzip at all").unwrap();

    // The recording was exported again: the object the killed publish sent
    // is not the site's, and nothing says it is podsmith's.
    std::fs::copy(show.path("media/kubernetes-sarah-novotny.mp3"), show.path("media/bonus.mp3")).unwrap();
    let run = publish(&show, &s3, &[]).fails(2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    // (After what the build said.)
    let d = v["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "PUBLISH-FOREIGN");
    let d = d.unwrap_or_else(|| panic!("{v}"));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains(": media/bonus.mp3 (the note of a publish that did not finish, .podsmith/publishing.json"),
        "{message}"
    );
    assert!(message.contains("cannot be read: "), "{message}");

    // As it was sent: taken, and the publish says the note could not be read.
    std::fs::write(show.path("media/bonus.mp3"), std::fs::read(s3.object("podcast/media/bonus.mp3")).unwrap()).unwrap();
    let run = publish(&show, &s3, &[]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let told: Vec<&serde_json::Value> =
        v["diagnostics"].as_array().unwrap().iter().filter(|d| d["rule"] == "PUBLISH-NOTE").collect();
    assert_eq!(told.len(), 1, "{v}");
    assert!(told[0]["message"].as_str().unwrap().contains("(.podsmith/publishing.json) cannot be read ("), "{v}");
    let (up, _) = sent(&run);
    assert!(!up.contains(&"media/bonus.mp3".to_string()), "{up:?}");
    assert_eq!(up.last().map(String::as_str), Some("feed.xml"));
    assert_eq!(published(&s3), show.public_files());
    // Once a publish has written its record, there is no note left to tell of.
    let run = publish(&show, &s3, &[]).ok();
    assert!(!run.stdout.contains("PUBLISH-NOTE"), "{}", run.stdout);
}

/// A show of one episode of four minutes of 16-bit mono PCM: a WAV file
/// of 21 MB, over the one-request limit.
fn long_wav_show() -> Show {
    let wav = crate::harness::pcm_wav(1, 44_100, 44_100 * 240, |n| f64::from(n % 251) / 251.0 - 0.5);
    let manifest = format!(
        "{}formats = \"any\"\n{}notes = \"Long.\"\n",
        crate::harness::PODCAST_TABLE,
        crate::harness::episode("Long", "long-1", "2026-01-05T09:00:00Z", &["long.wav"])
    );
    let show = Show::with(&manifest, &[]);
    std::fs::write(show.path("media/long.wav"), &wav).unwrap();
    show
}

#[test]
fn a_big_file_goes_up_in_parts() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = long_wav_show();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert_eq!(published(&s3), show.public_files());
    let log = proxy.log.lock().unwrap();
    let parts = log.iter().filter(|(m, p)| m == "PUT" && p.contains("long.wav?") && p.contains("partNumber=")).count();
    assert_eq!(parts, 5, "21 MB in 5 MiB parts: {log:?}");
    assert!(log.iter().any(|(m, p)| m == "POST" && p.contains("long.wav?uploads")), "{log:?}");
}

/// The parts of uploads in parts the server holds (s3s-fs keeps each
/// upload's parts and its note as files beside the buckets).
fn parts_held(s3: &S3) -> Vec<String> {
    let names =
        std::fs::read_dir(s3.root.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    names.filter(|n| n.starts_with(".upload")).collect()
}

/// A publish killed while a big file goes up in parts leaves the parts
/// at the service (kept, and billed, until the upload is aborted); the
/// next publish aborts that upload, and says so, then sends the file.
#[cfg(unix)]
#[test]
fn an_upload_in_parts_a_killed_publish_left_is_aborted_by_the_next() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let Some(s3) = S3::start() else { return };
    // The third part never gets an answer (until told): the publish hangs there.
    let stall = Arc::new(AtomicBool::new(true));
    let stalls = stall.clone();
    let rule = move |method: &str, path: &str, _: usize| match stalls.load(Ordering::SeqCst)
        && method == "PUT"
        && path.contains("partNumber=3")
    {
        true => Action::Stall,
        false => Action::Forward,
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    let show = long_wav_show();
    show.build().ok();
    let mut child = publish_in_the_background(&show, &proxy.endpoint());
    let waited = Instant::now();
    while !proxy.log.lock().unwrap().iter().any(|(m, p)| m == "PUT" && p.contains("partNumber=3")) {
        assert!(waited.elapsed().as_secs() < 60, "the publish never reached the third part");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // (The parts before it landed.)
    let landed = || proxy.log.lock().unwrap().iter().filter(|(m, p)| m == "PUT" && p.contains("partNumber=")).count();
    while parts_held(&s3).len() < 3 && waited.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(landed() >= 3, "{:?}", proxy.log.lock().unwrap());
    assert!(parts_held(&s3).len() >= 3, "the upload's note and parts are held: {:?}", parts_held(&s3));
    assert!(!published(&s3).contains_key("media/long.wav"), "not whole: not an object");
    // The same destination (the same endpoint), now answering. A dry run
    // says the upload it would abort, and aborts nothing.
    stall.store(false, Ordering::SeqCst);
    let dry = publish_via(&show, &s3, &proxy.endpoint(), &["--dry-run"]).ok();
    let v: serde_json::Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(v["swept"], serde_json::json!(["media/long.wav"]), "{v}");
    assert!(parts_held(&s3).len() >= 3, "{:?}", parts_held(&s3));
    let note = std::fs::read_dir(show.path(".podsmith"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "uploads"))
        .expect("the note of the uploads under way");
    let noted = std::fs::read(&note).unwrap();
    let run = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["swept"], serde_json::json!(["media/long.wav"]), "{v}");
    assert_eq!(parts_held(&s3), Vec::<String>::new(), "the killed upload is aborted, and the new one done");
    assert_eq!(published(&s3), show.public_files());
    // Nothing is left to abort.
    let again = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&again.stdout).unwrap()["swept"], serde_json::json!([]));
    // An upload the service will not abort (s3s-fs answers AccessDenied for
    // one it no longer has; AWS, NoSuchUpload, which ends it) is said, with
    // what to do, and tried again next time; the third publish to try gives
    // it up (said so), and the next says nothing of it.
    std::fs::write(&note, &noted).unwrap();
    for _ in 0..2 {
        let run = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let stuck = v["stuck"].as_array().cloned().unwrap_or_default();
        assert!(stuck.len() == 1 && stuck[0].as_str().unwrap().starts_with("media/long.wav (upload "), "{v}");
        let said = v["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "PUBLISH-ABORT").cloned();
        let said = said.unwrap_or_else(|| panic!("{v}"));
        let message = said["message"].as_str().unwrap();
        assert!(message.contains("left could not be aborted: media/long.wav (upload "), "{said}");
        assert!(said["help"].as_str().unwrap().starts_with("its parts may still be kept (and billed)"), "{said}");
    }
    let run = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let given_up = v["given_up"].as_array().cloned().unwrap_or_default();
    assert!(given_up.len() == 1 && v["stuck"] == serde_json::json!([]), "{v}");
    let said = v["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "PUBLISH-ABORT").cloned();
    let message = said.as_ref().and_then(|s| s["message"].as_str()).unwrap_or_default().to_string();
    assert!(message.contains("by three publishes in a row, and is no longer tried: media/long.wav"), "{v}");
    let run = publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["stuck"] == serde_json::json!([]) && v["given_up"] == serde_json::json!([]), "{v}");
    assert!(!run.stderr.contains("PUBLISH-ABORT"), "{}", run.stderr);
}

/// A big file that grows while it goes up in parts (more is recorded onto
/// the show's file, which the published one is by a hard link) stops the
/// publish once it is read a byte past its size as built (not at its new
/// end): said, the upload aborted (no part left at the service), nothing
/// of it published.
#[cfg(unix)]
#[test]
fn a_big_file_that_grows_while_it_goes_up_stops_the_publish_and_its_upload_is_aborted() {
    let Some(s3) = S3::start() else { return };
    // The first part is held a while: the file grows meanwhile.
    let rule = |method: &str, path: &str, _: usize| match method == "PUT" && path.contains("partNumber=1") {
        true => Action::Delay(1500),
        false => Action::Forward,
    };
    let proxy = Proxy::start(s3.port, Box::new(rule));
    let show = long_wav_show();
    show.build().ok();
    let to = format!("s3://{BUCKET}/podcast");
    let endpoint = proxy.endpoint();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("podsmith"))
        .current_dir(show.root())
        .args(["publish", "--to", &to, "--endpoint", &endpoint, "--as-of", AS_OF])
        .envs(s3.env())
        .env("AWS_CONFIG_FILE", show.path(".none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", show.path(".none"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while !proxy.log.lock().unwrap().iter().any(|(m, p)| m == "PUT" && p.contains("partNumber=1")) {
        assert!(waited.elapsed().as_secs() < 60, "the publish never reached the first part");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // 25 MiB more: five more parts, were it read to its end.
    let wav = std::fs::OpenOptions::new().append(true).open(show.path("media/long.wav")).unwrap();
    wav.set_len(wav.metadata().unwrap().len() + (25 << 20)).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("its size changed after the build"), "{stderr}");
    assert_eq!(parts_held(&s3), Vec::<String>::new(), "the upload is aborted");
    assert!(!published(&s3).contains_key("media/long.wav"));
    // Read no further than a byte past its size as built (21 MB: 5 MiB parts).
    let log = proxy.log.lock().unwrap();
    let parts = log.iter().filter(|(m, p)| m == "PUT" && p.contains("long.wav?") && p.contains("partNumber=")).count();
    assert!(parts <= 5, "{parts} parts sent: {log:?}");
}

#[test]
fn a_big_site_is_listed_in_ranges_side_by_side_and_nothing_between_them_is_missed() {
    let Some(s3) = S3::start() else { return };
    // S3 gives at most 1,000 keys a page, whatever is asked (s3s-fs gives them all).
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::CapListing(1000)));
    // 1,100 episodes of one short MP3 each: 1,100 pages, 1,100 media files.
    let show = Show::with("", &["pair-5s.mp3"]);
    let mut manifest = String::from(crate::harness::PODCAST_TABLE);
    for i in 1..=1100 {
        let name = format!("ep{i:04}.mp3");
        std::fs::hard_link(show.path("media/pair-5s.mp3"), show.path(&format!("media/{name}"))).unwrap();
        manifest.push_str(&crate::harness::episode(
            &format!("Episode {i}"),
            &format!("g{i}"),
            "2026-01-01T09:00:00Z",
            &[&name],
        ));
    }
    std::fs::remove_file(show.path("media/pair-5s.mp3")).unwrap();
    show.write("episodes.toml", &manifest);
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    assert_eq!(published(&s3), show.public_files());
    // The note of 2,201 uploads, big, is deleted once the record took it in
    // (a small one stays: see a_publish_killed_half_way_left_a_note…).
    assert!(!s3.object("podcast/.podsmith/publishing.json").exists());
    assert!(proxy.log.lock().unwrap().iter().any(|(m, p)| m == "PUT" && p.ends_with("/.podsmith/publishing.json")));
    // Someone's file between the ranges, and one of podsmith's deleted by hand past the first.
    std::fs::write(s3.object("podcast/media/ep0555-extra.mp3"), "mine").unwrap();
    std::fs::remove_file(s3.object("podcast/media/ep1050.mp3")).unwrap();
    proxy.log.lock().unwrap().clear();
    let (up, deleted) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert_eq!(up, ["media/ep1050.mp3"]);
    assert!(deleted.is_empty());
    assert!(s3.object("podcast/media/ep0555-extra.mp3").exists());
    let lists: Vec<String> =
        proxy.log.lock().unwrap().iter().filter(|(_, p)| p.contains("list-type=2")).map(|(_, p)| p.clone()).collect();
    // 2,201 keys of the site (and one more): a first page of 1,000, then
    // the rest in ranges of 900 keys the record names, side by side.
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert_eq!(lists.iter().filter(|p| p.contains("start-after=")).count(), 2, "{lists:?}");

    // A service that gives every key asked for: one request.
    let direct = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    std::fs::remove_file(s3.object("podcast/media/ep0999.mp3")).unwrap();
    let (up, _) = sent(&publish_via(&show, &s3, &direct.endpoint(), &[]).ok());
    assert_eq!(up, ["media/ep0999.mp3"]);
    let lists = direct.log.lock().unwrap().iter().filter(|(_, p)| p.contains("list-type=2")).count();
    assert_eq!(lists, 1, "{:?}", direct.log.lock().unwrap());

    // The show keeps how each destination pages its listing: the one that
    // cuts pages at 1,000 is listed whole in ranges from the start, side
    // by side, split by the site's keys as the last build left them (while
    // the record is read); nothing between them is missed.
    let paging = show.read(".podsmith/listing.json");
    assert!(paging.contains(&format!("\"s3://{BUCKET}/podcast {}\":1000", proxy.endpoint())), "{paging}");
    std::fs::remove_file(s3.object("podcast/media/ep0777.mp3")).unwrap();
    std::fs::remove_file(s3.object("podcast/media/ep1099.mp3")).unwrap();
    proxy.log.lock().unwrap().clear();
    let (up, deleted) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert_eq!(up, ["media/ep0777.mp3", "media/ep1099.mp3"]);
    assert!(deleted.is_empty());
    assert!(s3.object("podcast/media/ep0555-extra.mp3").exists());
    let log = proxy.log.lock().unwrap().clone();
    let lists: Vec<&String> = log.iter().filter(|(_, p)| p.contains("list-type=2")).map(|(_, p)| p).collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert_eq!(lists.iter().filter(|p| p.contains("start-after=")).count(), 2, "{lists:?}");
    // Split at the site's 900th key (not after a first page).
    let keys: Vec<String> = show.public_files().into_keys().collect();
    let split = format!("start-after={}", format!("podcast/{}", keys[899]).replace('/', "%2F"));
    assert!(lists.iter().any(|p| p.contains(&split)), "{split} in {lists:?}");
    listed_while_a_slow_record_is_read(&show, &s3, &proxy);

    // No build record (the build starts afresh): split by the keys the
    // destination's record names, once it is read.
    std::fs::remove_file(show.path(".podsmith/build.json")).unwrap();
    std::fs::remove_file(s3.object("podcast/media/ep0888.mp3")).unwrap();
    proxy.log.lock().unwrap().clear();
    let (up, _) = sent(&publish_via(&show, &s3, &proxy.endpoint(), &[]).ok());
    assert_eq!(up, ["media/ep0888.mp3"]);
    let log = proxy.log.lock().unwrap().clone();
    let lists: Vec<&String> = log.iter().filter(|(_, p)| p.contains("list-type=2")).map(|(_, p)| p).collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert!(lists.iter().any(|p| p.contains(&split)), "{split} in {lists:?}");
    let record = log.iter().position(|(m, p)| m == "GET" && p.contains(".podsmith/published.json"));
    let first_list = log.iter().position(|(_, p)| p.contains("list-type=2"));
    assert!(record.is_some() && record < first_list, "{log:?}");
}

/// A publish of the big `show` (one listing cut at 1,000 keys a page, as
/// `proxy` does, kept in the show's paging cache) lists side by side with
/// the record's reading: a record slow to come does not hold it back.
fn listed_while_a_slow_record_is_read(show: &Show, s3: &S3, proxy: &Proxy) {
    let arrived: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let seen = arrived.clone();
    let slow_record = Proxy::start(
        s3.port,
        Box::new(move |method: &str, path: &str, _: usize| {
            seen.lock().unwrap().push((path.to_string(), Instant::now()));
            match (method, path) {
                ("GET", p) if p.ends_with("/.podsmith/published.json") => Action::Delay(1500),
                _ => Action::CapListing(1000),
            }
        }),
    );
    let paging = show.read(".podsmith/listing.json");
    show.write(".podsmith/listing.json", &paging.replace(&proxy.endpoint(), &slow_record.endpoint()));
    std::fs::remove_file(s3.object("podcast/media/ep0666.mp3")).unwrap();
    let (up, _) = sent(&publish_via(show, s3, &slow_record.endpoint(), &[]).ok());
    assert_eq!(up, ["media/ep0666.mp3"]);
    let arrived = arrived.lock().unwrap().clone();
    let at = |what: &str| arrived.iter().filter(|(p, _)| p.contains(what)).map(|(_, t)| *t).collect::<Vec<_>>();
    let (record, lists) = (at(".podsmith/published.json")[0], at("list-type=2"));
    assert_eq!(lists.len(), 3, "{arrived:?}");
    assert!(lists.iter().all(|t| t.saturating_duration_since(record).as_millis() < 1000), "{arrived:?}");
    show.write(".podsmith/listing.json", &paging);
}

#[test]
fn verify_fetches_the_feeds_and_checks_every_url_where_listeners_do() {
    let Some(s3) = S3::start() else { return };
    // Listeners read the bucket without credentials, through another server over the same folder.
    let public = s3.anonymous_reader();
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let base = format!("http://127.0.0.1:{}/{BUCKET}/podcast/", public.port);
    show.write("episodes.toml", &manifest.replace("https://podcast.example.com/cloud-native/", &base));
    let to = format!("s3://{BUCKET}/podcast");
    let args = ["publish", "--to", &to, "--endpoint", &s3.endpoint(), "--as-of", AS_OF, "--verify"];
    let run = show.run_env(&args, &s3.env()).ok();
    assert!(run.stderr.contains("verified 2 feeds as published: 0 errors"), "{}", run.stderr);

    // A file deleted from the bucket by hand: the publish puts it back
    // (the listing shows it missing) before the check, which then passes.
    std::fs::remove_file(s3.object("podcast/media/coredns-miek-gieben.ogg")).unwrap();
    let json = [&args[..], &["--format", "json"]].concat();
    let run = show.run_env(&json, &s3.env()).ok();
    let said: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(said["uploaded"][0]["key"], "media/coredns-miek-gieben.ogg");
    assert_eq!(said["verify"].as_array().map(Vec::len), Some(2), "{said}");
    assert!(s3.object("podcast/media/coredns-miek-gieben.ogg").exists());

    // A base_url the destination is not served at: every feed fails to fetch.
    let wrong = format!("http://127.0.0.1:{}/{BUCKET}/elsewhere/", public.port);
    show.write("episodes.toml", &manifest.replace("https://podcast.example.com/cloud-native/", &wrong));
    let moved = [&args[..], &["--allow-changes"]].concat();
    let run = show.run_env(&moved, &s3.env()).fails(1);
    assert!(run.stderr.contains("cannot fetch the feed at"), "{}", run.stderr);
    assert!(
        run.stderr.contains("check that base_url in episodes.toml is where the destination is served"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_damaged_record_is_set_aside_and_nothing_is_deleted_on_its_word() {
    let Some(s3) = S3::start() else { return };
    let show = published_sample(&s3);
    // A record that names a file outside the site, and one of someone else's.
    std::fs::write(s3.object("podcast/notes.txt"), "mine").unwrap();
    let crafted = r#"{"version":1,"objects":{"../escape":{"size":4,"fingerprint":"x","content_type":"","cache_control":""},
        "notes.txt":{"size":4,"fingerprint":"x","content_type":"","cache_control":""}}}"#;
    s3.replace("podcast/.podsmith/published.json", crafted.as_bytes());
    // The record no longer tells the site's objects as podsmith's; they hold
    // the site's very bytes (their ETags say), so they are taken as they are,
    // sent again or not; nothing else is touched, even with --prune.
    let to = format!("s3://{BUCKET}/podcast");
    let args = ["publish", "--to", &to, "--endpoint", &s3.endpoint(), "--as-of", AS_OF, "--prune"];
    // A dry run says what it would do.
    let dry = show.run_env(&[&args[..], &["--dry-run"]].concat(), &s3.env()).ok();
    assert!(
        dry.stderr.contains("a new one would be written; nothing would be deleted")
            && dry.stderr.contains("and would be taken as they are: "),
        "{}",
        dry.stderr
    );
    assert_eq!(std::fs::read(s3.object("podcast/.podsmith/published.json")).unwrap(), crafted.as_bytes());
    let run = show.run_env(&args, &s3.env()).ok();
    assert!(run.stderr.contains("was set aside (it names \"../escape\""), "{}", run.stderr);
    assert!(run.stderr.contains("a new one was written; nothing was deleted"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "20 objects podsmith had not published hold the site's very bytes (by their ETag) and are taken as \
             they are: "
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(s3.object("podcast/notes.txt")).unwrap(),
        "mine",
        "never deleted on a record's word"
    );
    let mut site = show.public_files();
    site.insert("notes.txt".into(), b"mine".to_vec());
    assert_eq!(published(&s3), site);
    // The new record is podsmith's own again: the next publish sends nothing.
    assert_eq!(sent(&publish(&show, &s3, &[]).ok()), (vec![], vec![]));
    // Set aside again, with a title changed: the objects of the pages and
    // feeds, which now differ, are in the way, and the refusal says why
    // none can be told to be podsmith's.
    s3.replace("podcast/.podsmith/published.json", crafted.as_bytes());
    show.write("episodes.toml", &show.read("episodes.toml").replace("Eduardo Silva", "E. Silva"));
    let run = show.run_env(&args, &s3.env()).fails(2);
    assert!(
        run.stderr.contains("error[PUBLISH-FOREIGN]") || run.stderr.contains("podsmith did not publish"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("its record of what podsmith published there, .podsmith/published.json, was set aside: it names \"../escape\""),
        "{}",
        run.stderr
    );
}

#[test]
fn acl_public_read_goes_with_every_upload() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nacl = \"public-read\"\njobs = 2\n"));
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let log = proxy.log.lock().unwrap();
    let heads = proxy.heads.lock().unwrap();
    let puts: Vec<&Vec<String>> =
        log.iter().zip(heads.iter()).filter(|((m, _), _)| m == "PUT").map(|(_, h)| h).collect();
    assert_eq!(puts.len(), 22);
    assert!(puts.iter().all(|h| h.iter().any(|l| l.eq_ignore_ascii_case("x-amz-acl: public-read"))), "{puts:?}");
}

/// To a server on this computer the payload is not hashed into each
/// request's signature (nothing is between: see the README); set
/// `AWS_UNSIGNED_PAYLOAD=false` and it is (the signature then covers the
/// bytes), and the same site lands.
#[test]
fn payloads_are_signed_only_where_something_could_change_them_on_the_way() {
    let Some(s3) = S3::start() else { return };
    let puts_sha = |proxy: &Proxy| -> Vec<String> {
        let log = proxy.log.lock().unwrap();
        let heads = proxy.heads.lock().unwrap();
        let sha = |h: &Vec<String>| {
            let line = h.iter().find(|l| l.to_ascii_lowercase().starts_with("x-amz-content-sha256:")).unwrap();
            line.split_once(':').unwrap().1.trim().to_string()
        };
        log.iter().zip(heads.iter()).filter(|((m, _), _)| m == "PUT").map(|(_, h)| sha(h)).collect()
    };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = Show::sample();
    publish_via(&show, &s3, &proxy.endpoint(), &[]).ok();
    let unsigned = puts_sha(&proxy);
    assert_eq!(unsigned.len(), 22);
    assert!(unsigned.iter().all(|s| s == "UNSIGNED-PAYLOAD"), "{unsigned:?}");
    // Asked for, into a new prefix: every payload's SHA-256.
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let to = format!("s3://{BUCKET}/signed");
    let args = ["publish", "--to", &to, "--endpoint", &proxy.endpoint(), "--as-of", AS_OF];
    let mut env = s3.env();
    env.push(("AWS_UNSIGNED_PAYLOAD", "false"));
    show.run_env(&args, &env).ok();
    let signed = puts_sha(&proxy);
    assert_eq!(signed.len(), 22);
    assert!(signed.iter().all(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())), "{signed:?}");
    // (The note of the uploads under way is not the same: the second knew
    // the big files' SHA-256 before they went up, from the first.)
    let objects = |prefix: &str| {
        let mut objects = s3.objects(prefix);
        objects.remove(".podsmith/publishing.json").expect("a note of the uploads under way");
        objects
    };
    assert_eq!(objects("signed"), objects("podcast"));
}

/// The destination is read while the manifest is parsed, as a glance at
/// its `[publish]` table tells: once. A table the glance does not read
/// (its name quoted) has the reading thrown away and made again from the
/// parsed manifest: the publish is the same.
#[test]
fn the_destination_is_read_once_while_the_manifest_is_parsed() {
    let Some(s3) = S3::start() else { return };
    let proxy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let show = Show::sample();
    let manifest = show.read("episodes.toml");
    let table =
        format!("to = \"s3://{BUCKET}/podcast\"\nendpoint = \"{}\"\njobs = 2 # two at once\n", proxy.endpoint());
    show.write("episodes.toml", &format!("{manifest}\n[publish]\n{table}"));
    let run = show.run_env(&["publish", "--as-of", AS_OF], &s3.env()).ok();
    assert!(run.stderr.contains("20 uploaded"), "{}", run.stderr);
    assert_eq!(published(&s3), show.public_files());
    let reads = |log: &[(String, String)]| {
        let record = log.iter().filter(|(m, p)| m == "GET" && p.ends_with("/.podsmith/published.json")).count();
        (record, log.iter().filter(|(_, p)| p.contains("list-type=2")).count())
    };
    let log = proxy.log.lock().unwrap().clone();
    assert_eq!(reads(&log), (1, 1), "{log:?}");

    // A table in the notes is text, not a table: nothing goes where it
    // says, though it reads as one (the glance finds headers as TOML's
    // lexer does, not line by line).
    let decoy = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    let notes = format!(
        "notes = \"\"\"\n[publish]\nto = \"s3://{BUCKET}/podcast\"\nendpoint = \"{}\"\n[more]\n",
        decoy.endpoint()
    );
    let edited = manifest.replace("Cloud Native", "Cloud-Native").replacen("notes = \"\"\"\n", &notes, 1);
    assert_ne!(edited, manifest.replace("Cloud Native", "Cloud-Native"));
    proxy.log.lock().unwrap().clear();
    show.write("episodes.toml", &format!("{edited}\n[publish]\n{table}"));
    let run = show.run_env(&["publish", "--as-of", AS_OF, "--format", "json"], &s3.env()).ok();
    assert!(!sent(&run).0.is_empty(), "{}", run.stdout);
    assert_eq!(published(&s3), show.public_files());
    assert!(decoy.log.lock().unwrap().is_empty(), "{:?}", decoy.log.lock().unwrap());
    let log = proxy.log.lock().unwrap().clone();
    assert_eq!(reads(&log), (1, 1), "{log:?}");

    // Misread: the early reading goes to the command line's destination,
    // the parsed table says two uploads at once; what counts is the table.
    let other = Proxy::start(s3.port, Box::new(|_, _, _| Action::Forward));
    show.write("episodes.toml", &format!("{manifest}\n[\"publish\"]\njobs = 2\n"));
    let to = format!("s3://{BUCKET}/podcast");
    let args = ["publish", "--to", &to, "--endpoint", &other.endpoint(), "--as-of", AS_OF, "--format", "json"];
    let run = show.run_env(&args, &s3.env()).ok();
    let (up, deleted) = sent(&run);
    assert!(!up.is_empty() && deleted.is_empty(), "{}", run.stdout);
    assert_eq!(published(&s3), show.public_files());
    let log = other.log.lock().unwrap().clone();
    let (record, lists) = reads(&log);
    assert!((1..=2).contains(&record) && (1..=2).contains(&lists), "{log:?}");
}

#[test]
fn media_published_then_listed_as_s3_objects_stay_and_keep_their_urls() {
    let Some(s3) = S3::start() else { return };
    // Listeners read the bucket without credentials; base_url is its prefix.
    let reader = s3.anonymous_reader();
    let base = format!("{}/{BUCKET}/podcast/", reader.endpoint());
    let show = Show::sample();
    let manifest = show.read("episodes.toml").replace("https://podcast.example.com/cloud-native/", &base);
    show.write("episodes.toml", &manifest);
    publish(&show, &s3, &[]).ok();
    let before = published(&s3);
    // The archive leaves the laptop: each audio file is given as its object.
    let mut manifest = show.read("episodes.toml");
    let audio: Vec<String> = before
        .keys()
        .filter(|k| k.ends_with(".mp3") || k.ends_with(".ogg"))
        .map(|k| k.trim_start_matches("media/").to_string())
        .collect();
    assert_eq!(audio.len(), 8);
    for name in &audio {
        manifest = manifest.replace(&format!("\"media/{name}\""), &format!("\"s3://{BUCKET}/podcast/media/{name}\""));
        std::fs::remove_file(show.path("media").join(name)).unwrap();
    }
    show.write("episodes.toml", &format!("{manifest}\n[publish]\nto = \"s3://{BUCKET}/podcast\"\n"));
    let run = publish(&show, &s3, &["--prune"]).ok();
    let (uploaded, deleted) = sent(&run);
    assert_eq!(deleted, Vec::<String>::new(), "{}", run.stdout);
    // Same URLs, lengths and durations: the feeds do not change; the pages
    // now link to the objects' URLs.
    assert!(
        !uploaded.iter().any(|k| k.ends_with(".xml") || k.ends_with(".mp3") || k.ends_with(".ogg")),
        "{uploaded:?}"
    );
    assert!(uploaded.iter().any(|k| k.ends_with("index.html")), "{uploaded:?}");
    let after = published(&s3);
    for name in &audio {
        let key = format!("media/{name}");
        assert_eq!(after.get(&key), before.get(&key), "{key} stays as it was");
    }
    let page = show.read("public/episodes/coredns-miek-gieben/index.html");
    assert!(page.contains(&format!("href=\"{base}media/coredns-miek-gieben.mp3\"")), "{page}");
    // A republish asks nothing more of them (measured within the hour).
    let again = publish(&show, &s3, &["--prune"]).ok();
    assert_eq!(sent(&again), (vec![], vec![]));
}

/// `PODSMITH_TIMINGS=1 podsmith publish` says on stderr when each step
/// ended: the build's, then the destination's record and listing, the plan,
/// each phase of the upload in its order, and the record written last; a
/// republish with nothing to send ends with the plan.
#[test]
fn podsmith_timings_names_each_step_of_a_publish_as_it_ends() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("podcast").display());
    let publish = || show.run_env(&["publish", "--to", &to], &[("PODSMITH_TIMINGS", "1")]);
    let first = publish();
    assert_eq!(first.code, 0, "{}", first.stderr);
    let timeline = crate::harness::timed_steps(&first.stderr);
    let names: Vec<&str> = timeline.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(names.first(), Some(&"manifest read and parsed"), "{names:?}");
    let after_build = &names[names.iter().position(|n| *n == "build records saved").unwrap() + 1..];
    assert_eq!(
        after_build,
        [
            "build done",
            "destination's record read",
            "destination listed",
            "plan made",
            "uploads under way noted",
            "media and images up",
            "pages up",
            "per-format feeds up",
            "feed.xml up",
            "destination's record written",
        ]
    );
    assert!(timeline.windows(2).all(|w| w[0].0 <= w[1].0), "times since the start only grow: {timeline:?}");
    // Nothing to send: the plan is the last step.
    let again = crate::harness::timed_steps(&publish().stderr);
    let names: Vec<&str> = again.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(names.last(), Some(&"plan made"), "{names:?}");
    assert!(names.contains(&"nothing changed") && !names.iter().any(|n| n.ends_with(" up")), "{names:?}");
}

/// The show's files a live feed at `web` names under `base` (enclosures,
/// pages, art, transcripts, chapters), each as a file there: a page's URL
/// ends in `/` and is its `index.html`.
fn named_by_the_feeds(web: &std::path::Path, base: &str) -> Vec<String> {
    let mut named = Vec::new();
    for e in std::fs::read_dir(web).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !(name.starts_with("feed") && name.ends_with(".xml")) {
            continue;
        }
        let xml = std::fs::read_to_string(web.join(&name)).unwrap();
        for el in crate::harness::elements(&xml) {
            let urls = el.attrs.iter().filter(|(k, _)| ["url", "href", "uri"].contains(&k.as_str())).map(|(_, v)| v);
            let link = (el.name == "link" && el.ns.is_none()).then_some(&el.text);
            for url in urls.chain(link) {
                if let Some(rel) = url.strip_prefix(base) {
                    named.push(match rel.is_empty() || rel.ends_with('/') {
                        true => format!("{rel}index.html"),
                        false => rel.to_string(),
                    });
                }
            }
        }
    }
    named
}

/// Random edits of every kind (those of the random-edit builds, in
/// `incremental.rs`), each published by a publish killed (`kill -9`) at a
/// random moment, while it builds, uploads, deletes or saves its record,
/// then by one left to finish (every third with `--prune`), with `to`
/// (and `env`): a destination whose objects are the files of `dest`.
/// After every kill the live feeds name only files that are there; after
/// every finished publish `dest` holds the site byte for byte (and,
/// without `--prune`, only what apps may still fetch of a removed episode
/// besides: not its page), nothing half-written, and the files podsmith
/// never published as they were. (`PODSMITH_TEST_SEED` and
/// `PODSMITH_TEST_STEPS` as for the builds.)
#[cfg(unix)]
fn publishes_killed_at_random_moments(seed: u64, to: &[&str], env: &[(&str, &str)], dest: &std::path::Path) {
    use crate::incremental::{Kills, RandomEdits, podsmith};
    let mut run = RandomEdits::start(seed, 25, 5);
    let seed = run.seed;
    // Someone else's files there.
    let foreign = [("foreign.txt", b"not the show's".as_slice()), ("media/foreign.mp3", b"ID3 not ours")];
    for (rel, bytes) in foreign {
        std::fs::create_dir_all(dest.join(rel).parent().unwrap()).unwrap();
        std::fs::write(dest.join(rel), bytes).unwrap();
    }
    let args = [&["publish", "--as-of", AS_OF, "--allow-changes"][..], to].concat();
    let started = Instant::now();
    run.show.run_env(&args, env).ok();
    let mut kills = Kills::within(started.elapsed());
    for step in 0..run.steps {
        let what = run.edit(step);
        let what = format!("step {step} (seed {seed:#x}): {what}");
        let prune = run.dice.below(3) == 0;
        let extra: &[&str] = if prune { &["--prune"] } else { &[] };
        kills.run(&mut run.dice, podsmith(&run.show, &args).args(extra).envs(env.iter().copied()));
        for rel in named_by_the_feeds(dest, "https://example.com/show/") {
            assert!(dest.join(&rel).is_file(), "{what}: a live feed names {rel}, which is not there");
        }
        run.show.run_env(&[&args[..], extra].concat(), env).ok();
        let mut there = walk(dest);
        there.retain(|k, _| !k.starts_with(".podsmith/"));
        for (rel, bytes) in foreign {
            assert_eq!(there.remove(rel).as_deref(), Some(bytes), "{what}: {rel} was touched");
        }
        let site = run.show.public_files();
        for (rel, bytes) in &site {
            assert!(there.get(rel) == Some(bytes), "{what}: {rel} is not the site's");
        }
        let left: Vec<&String> = there.keys().filter(|k| !site.contains_key(*k)).collect();
        match prune {
            true => assert!(left.is_empty(), "{what}: pruned, yet left {left:?}"),
            false => {
                assert!(left.iter().all(|k| !k.ends_with(".html") && !k.ends_with(".xml")), "{what}: left {left:?}")
            }
        }
    }
    kills.most_were_killed();
}

/// [`publishes_killed_at_random_moments`] to a folder.
#[cfg(unix)]
#[test]
fn publishes_to_a_folder_killed_at_random_moments_never_leave_the_feed_ahead_and_the_next_one_mends_all() {
    let web = tempfile::tempdir().unwrap();
    let dest = web.path().join("podcast");
    let to = format!("file://{}", dest.display());
    publishes_killed_at_random_moments(0x0b5e_55ed, &["--to", &to], &[], &dest);
}

/// [`publishes_killed_at_random_moments`] to a real S3 server.
#[cfg(unix)]
#[test]
fn publishes_to_s3_killed_at_random_moments_never_leave_the_feed_ahead_and_the_next_one_mends_all() {
    let Some(s3) = S3::start() else { return };
    let (to, endpoint) = (format!("s3://{BUCKET}/podcast"), s3.endpoint());
    let mut env = s3.env();
    // (No profile of this machine's.)
    let none = s3.root.path().join(".none").to_string_lossy().into_owned();
    env.extend([("AWS_CONFIG_FILE", none.as_str()), ("AWS_SHARED_CREDENTIALS_FILE", none.as_str())]);
    let to = ["--to", &to, "--endpoint", &endpoint];
    publishes_killed_at_random_moments(0x5355_ed00, &to, &env, &s3.object("podcast"));
}

/// A publish to a folder another publish is writing to is refused, said,
/// with nothing sent (two at once could leave the feed of the one that
/// ends last naming what the other removed); once it is done, it goes.
/// A pipe where the record goes is set aside as a record that cannot be
/// read, not waited on for ever.
#[cfg(unix)]
#[test]
fn a_folder_another_publish_is_writing_to_is_left_to_it() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let folder = web.path().join("podcast");
    let to = format!("file://{}", folder.display());
    to_folder(&show, &to, &[]).ok();
    let manifest = show.read("episodes.toml");
    show.write("episodes.toml", &manifest.replacen("title = \"", "title = \"New: ", 1));
    let other = std::fs::File::open(&folder).unwrap();
    other.lock().unwrap();
    let feed = std::fs::read(folder.join("feed.xml")).unwrap();
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(
        run.stderr.contains(&format!("another podsmith publish is publishing to {} now", folder.display())),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(folder.join("feed.xml")).unwrap(), feed, "nothing sent");
    drop(other);
    to_folder(&show, &to, &[]).ok();
    assert!(String::from_utf8(std::fs::read(folder.join("feed.xml")).unwrap()).unwrap().contains("New: "));
    // A pipe for a record.
    let record = folder.join(".podsmith/published.json");
    std::fs::remove_file(&record).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(&record).status().unwrap().success());
    let run = to_folder(&show, &to, &[]).ok();
    assert!(run.stderr.contains("was set aside (it is not a file)"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&record).unwrap().is_file());
    // A folder for a record: a setup to mend (exit 2), said in plain words.
    std::fs::remove_file(&record).unwrap();
    std::fs::create_dir(&record).unwrap();
    let run = to_folder(&show, &to, &[]).fails(2);
    assert!(
        run.stderr.contains("writing .podsmith/published.json failed: Unable to rename file: Is a directory"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: a folder is where a file podsmith writes (named above) goes"), "{}", run.stderr);
    assert!(!run.stderr.contains("Generic LocalFileSystem error"), "{}", run.stderr);
}

/// A folder destination copied or restored (`cp -a`: new file numbers) or
/// touched is not sent again: its files hold the bytes podsmith put, read
/// to tell; a file of the same size with other bytes is sent again, said.
#[cfg(unix)]
#[test]
fn a_copied_or_touched_folder_is_not_sent_again() {
    let show = Show::sample();
    let web = tempfile::tempdir().unwrap();
    let to = format!("file://{}", web.path().join("first").display());
    to_folder(&show, &to, &[]).ok();
    let copy = web.path().join("copy");
    assert!(
        std::process::Command::new("cp").arg("-a").arg(web.path().join("first")).arg(&copy).status().unwrap().success()
    );
    let to = format!("file://{}", copy.display());
    let run = to_folder(&show, &to, &[]).ok();
    assert!(run.stderr.contains(": 0 uploaded (0 bytes), 20 unchanged"), "{}", run.stderr);
    assert!(!run.stderr.contains("not as podsmith last put it"), "{}", run.stderr);
    let feed = copy.join("feed.xml");
    let mut bytes = std::fs::read(&feed).unwrap();
    // Touched (and not changed): not sent either.
    assert!(std::process::Command::new("touch").arg(copy.join("index.html")).status().unwrap().success());
    let at = bytes.len() - 20;
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(&feed, &bytes).unwrap();
    let run = to_folder(&show, &to, &[]).ok();
    assert!(run.stderr.contains("feed.xml was not as podsmith last put it"), "{}", run.stderr);
    assert!(run.stderr.contains(": 1 uploaded"), "{}", run.stderr);
    assert!(!run.stderr.contains("index.html was not"), "{}", run.stderr);
}
