//! What a publish does, decided before anything is sent: the local site,
//! what the destination's record says podsmith published, and one listing
//! of the destination, in; the uploads (in an order that never breaks a
//! listener) and the deletions, out. Pure: no I/O.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::record::{Entry, Published, bare_etag};

/// When a file goes up: media and images first, then the pages, then the
/// per-format feeds (and the sitemap: see [`LocalFile::wave`]), then the
/// main feed last (so a feed never names a file that is not there yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Audio, cover art and other files the pages and feeds link to.
    Media,
    /// Show-notes pages and the index.
    Page,
    /// The feeds of one format each.
    Feed,
    /// `feed.xml`, which directories poll.
    MainFeed,
}

/// One file of the local site, as it is to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Its path in the site (`media/ep1.mp3`), which is its key under the prefix.
    pub key: String,
    /// What is known of it: size, fingerprint, headers.
    pub entry: Entry,
    /// When it goes up.
    pub phase: Phase,
}

impl LocalFile {
    /// When it goes up: with the files of its phase, but for the sitemap
    /// (a page, as its headers go), which goes with the per-format feeds. It
    /// names the pages (up by then), nothing links to it, and it is the
    /// biggest of them (130 KB at 1,000 episodes, where a page is a few):
    /// the pages a new episode adds need not wait for it.
    pub fn wave(&self) -> Phase {
        match self.phase {
            Phase::Page if self.key == crate::site::SITEMAP => Phase::Feed,
            phase => phase,
        }
    }
}

/// An object at the destination, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Size in bytes.
    pub size: u64,
    /// Its ETag, if the service gives one.
    pub etag: Option<String>,
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Not published before.
    New,
    /// Its content changed since it was published.
    Changed,
    /// Same content, other `Content-Type` or `Cache-Control`.
    Headers,
    /// Published, but no longer at the destination (deleted by hand; or
    /// `feed.xml`, new, whose record went up beside it and it did not land).
    Missing,
    /// Published, but the object there is not the one podsmith put
    /// (replaced by hand; or `feed.xml`, whose record went up beside it
    /// and it did not land: see `store::Sender::send_phases`).
    Replaced,
    /// An object podsmith did not publish is in the way (`--force`).
    Foreign,
}

impl Reason {
    /// As the plan prints it.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Changed => "changed",
            Reason::Headers => "headers changed",
            Reason::Missing => "missing at the destination (deleted by hand, or a publish stopped before it landed?)",
            Reason::Replaced => {
                "not as podsmith last put it (replaced at the destination, or a publish stopped before it landed)"
            }
            Reason::Foreign => "replaces an object podsmith did not publish (--force)",
        }
    }

    /// Whether the destination drifted from podsmith's record.
    pub fn is_drift(self) -> bool {
        matches!(self, Reason::Missing | Reason::Replaced)
    }
}

/// One upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put {
    /// The file.
    pub file: LocalFile,
    /// Why.
    pub reason: Reason,
}

/// What to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Uploads, in phase order (see [`Phase`]).
    pub puts: Vec<Put>,
    /// Objects podsmith published that the site no longer has, to delete
    /// once the new feeds are up.
    pub deletes: Vec<String>,
    /// Media of removed episodes left at the destination (no `--prune`).
    pub kept: Vec<String>,
    /// Files already at the destination as they are.
    pub unchanged: usize,
    /// Objects in the way that podsmith did not publish (refused without `--force`).
    pub foreign: Vec<String>,
    /// Objects podsmith published that the site no longer has, but that
    /// were replaced since (by hand, by another tool): left as they are,
    /// never deleted, and no longer podsmith's.
    pub left: Vec<String>,
    /// Objects podsmith did not publish that hold the very bytes of the site
    /// file at their key (by their ETag): taken as they are, and podsmith's
    /// from now on.
    pub adopted: Vec<String>,
    /// The record as it will be once every upload and deletion is done
    /// (the ETags of uploads are filled in as they land).
    pub record: Published,
}

impl Plan {
    /// Bytes to upload.
    pub fn bytes(&self) -> u64 {
        self.puts.iter().map(|p| p.file.entry.size).sum()
    }

    /// Whether nothing is to be sent or deleted.
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }

    /// The record to write before the uploads: the record as it was
    /// (`before`), with what this plan found at the destination as it is
    /// (an interrupted publish's uploads among it), and the uploads about to
    /// be made as pending.
    pub fn pending_record(&self, before: Option<&Published>) -> Published {
        let mut record = before.cloned().unwrap_or_default();
        let uploading: BTreeMap<String, Entry> =
            self.puts.iter().map(|p| (p.file.key.clone(), p.file.entry.clone())).collect();
        for (key, entry) in &self.record.objects {
            if !uploading.contains_key(key) {
                record.objects.insert(key.clone(), entry.clone());
            }
        }
        record.pending = uploading;
        record
    }
}

/// The plan: `site` is the local site, `record` what podsmith published
/// there before (`None` the first time), `listed` the destination's
/// objects under the prefix (keys relative to it). `prune`: delete the
/// media of removed episodes too; `force`: replace objects podsmith did
/// not publish.
pub fn make(
    site: &[LocalFile],
    record: Option<&Published>,
    listed: &HashMap<String, Listed>,
    prune: bool,
    force: bool,
) -> Plan {
    let none = HashSet::new();
    make_with(site, record, listed, Terms { prune, force, identical: &none, hosted: &none })
}

/// What a plan may do, and what it knows besides the site, the record and
/// the listing (see [`make_with`]).
#[derive(Debug, Clone, Copy)]
pub struct Terms<'a> {
    /// Delete the media of removed episodes too.
    pub prune: bool,
    /// Replace objects podsmith did not publish.
    pub force: bool,
    /// The objects in the way known to hold the very bytes of the site's
    /// file (see [`Plan::adopted`]).
    pub identical: &'a HashSet<String>,
    /// The objects the show lists as hosted media (`s3://` ones, or files
    /// under `base_url`): never deleted, even with `prune` (a file
    /// published before and now listed as hosted stays where it is).
    pub hosted: &'a HashSet<String>,
}

/// [`make`], on `terms`.
pub fn make_with(
    site: &[LocalFile],
    record: Option<&Published>,
    listed: &HashMap<String, Listed>,
    terms: Terms<'_>,
) -> Plan {
    let Terms { prune, force, identical, hosted } = terms;
    let empty = Published::default();
    let record = record.unwrap_or(&empty);
    let mut plan = Plan::default();
    let mut objects: BTreeMap<String, Entry> = BTreeMap::new();
    let mut site: Vec<&LocalFile> = site.iter().collect();
    // Stable: within a wave, the site's own order.
    site.sort_by_key(|f| f.wave());
    for file in site {
        let reason = match (record.objects.get(&file.key), listed.get(&file.key)) {
            // Set out to be put again by a publish that did not finish, and
            // there with the site's very bytes (`identical`): it landed.
            (Some(was), Some(_))
                if record.pending.contains_key(&file.key)
                    && identical.contains(&file.key)
                    && was.same_headers(&file.entry) =>
            {
                None
            }
            // Not as podsmith left it by the listing, but with the very
            // bytes it put (`identical`): a folder copied, restored or touched.
            (Some(was), Some(there))
                if !is_ours(was, there)
                    && identical.contains(&file.key)
                    && was.same_content(&file.entry)
                    && was.same_headers(&file.entry) =>
            {
                None
            }
            (Some(was), Some(there)) if !is_ours(was, there) => Some(Reason::Replaced),
            (Some(was), Some(_)) if !was.same_content(&file.entry) => Some(Reason::Changed),
            (Some(was), Some(_)) if !was.same_headers(&file.entry) => Some(Reason::Headers),
            (Some(_), Some(_)) => None,
            (Some(_), None) => Some(Reason::Missing),
            (None, None) => Some(Reason::New),
            // Set out to be uploaded by a publish that did not finish: ours
            // if it is what that publish was putting.
            (None, Some(there)) => match record.pending.get(&file.key) {
                Some(p) if p.size == there.size && p.same_content(&file.entry) && p.same_headers(&file.entry) => None,
                Some(_) => Some(Reason::Changed),
                None if identical.contains(&file.key) => {
                    plan.adopted.push(file.key.clone());
                    None
                }
                None if force => Some(Reason::Foreign),
                None => {
                    plan.foreign.push(file.key.clone());
                    continue;
                }
            },
        };
        match reason {
            Some(reason) => {
                objects.insert(file.key.clone(), file.entry.clone());
                plan.puts.push(Put { file: file.clone(), reason });
            }
            None => {
                let mut entry = file.entry.clone();
                // A listing without ETags (some services give none) leaves
                // the one the upload got (the object is podsmith's, as put).
                let uploaded = || record.objects.get(&file.key).and_then(|was| was.etag.clone());
                entry.etag = listed.get(&file.key).and_then(|l| l.etag.clone()).or_else(uploaded);
                objects.insert(file.key.clone(), entry);
                plan.unchanged += 1;
            }
        }
    }
    gone(&mut plan, &mut objects, record, listed, prune, hosted);
    plan.record = Published { objects, ..Published::default() };
    plan
}

/// What podsmith published (per `record`) that the site no longer has,
/// into `plan`: pages and feeds go; media stay unless pruned (an old
/// episode's file may still be in listeners' apps). What stays is kept in
/// `objects`, the next record.
fn gone(
    plan: &mut Plan,
    objects: &mut BTreeMap<String, Entry>,
    record: &Published,
    listed: &HashMap<String, Listed>,
    prune: bool,
    hosted: &HashSet<String>,
) {
    let published = record.objects.iter().chain(&record.pending);
    for (key, entry) in published {
        if objects.contains_key(key) || plan.deletes.contains(key) || plan.kept.contains(key) {
            continue;
        }
        if !listed.contains_key(key) {
            continue; // gone already
        }
        if hosted.contains(key) {
            objects.insert(key.clone(), entry.clone());
            continue; // the show's hosted medium now
        }
        if record.pending.contains_key(key) && !record.objects.contains_key(key) && !is_pending(entry, &listed[key]) {
            continue; // someone else's object now
        }
        // Deleted only if it can be told to be ours: a record entry without
        // the ETag the object has (a damaged or crafted record) cannot.
        let untold = |was: &Entry| was.etag.is_none() && listed[key].etag.is_some();
        if record.objects.get(key).is_some_and(|was| !is_ours(was, &listed[key]) || untold(was)) {
            plan.left.push(key.clone()); // replaced since: someone else's object now
            continue;
        }
        if prune || !is_media(key) {
            plan.deletes.push(key.clone());
        } else {
            plan.kept.push(key.clone());
            objects.insert(key.clone(), entry.clone());
        }
    }
}

/// The destination as `record` says it is: a listing of its objects (what a
/// plan is made from before the listing comes: see [`agrees`]).
pub fn as_recorded(record: &Published) -> HashMap<String, Listed> {
    record.objects.iter().map(|(k, e)| (k.clone(), Listed { size: e.size, etag: e.etag.clone() })).collect()
}

/// The keys of `site`'s files, as [`agrees`] and [`with_listed_etags`]
/// take them.
pub fn keys(site: &[LocalFile]) -> Vec<&str> {
    site.iter().map(|f| f.key.as_str()).collect()
}

/// Whether `listed` shows the destination as `record` says it is, as far as
/// a plan of the site of files `site` (their keys) can tell: nothing
/// pending, every object the record names there and the one podsmith put
/// (its size, and its ETag where both are known), and nothing at a key of
/// the site the record does not name. A plan made from [`as_recorded`] is
/// then the plan [`make_with`] makes from `listed` (on the same terms), once
/// given the listing's ETags by [`with_listed_etags`]: a publish makes it
/// while the listing comes.
pub fn agrees(site: &[&str], record: &Published, listed: &HashMap<String, Listed>) -> bool {
    record.pending.is_empty()
        && record.objects.iter().all(|(key, was)| listed.get(key).is_some_and(|there| is_ours(was, there)))
        && match in_key_order(site) {
            // One pass along the site and the record, both in key order
            // (a look-up in the record for each of thousands of files
            // comes last in a publish, once the listing is in).
            true => {
                let mut named = record.objects.keys().peekable();
                site.iter().all(|f| {
                    while named.next_if(|k| k.as_str() < *f).is_some() {}
                    named.peek().is_some_and(|k| k == f) || !listed.contains_key(*f)
                })
            }
            false => site.iter().all(|f| record.objects.contains_key(*f) || !listed.contains_key(*f)),
        }
}

/// Whether the keys of `site` are in key order (as a build's record lists them).
fn in_key_order(site: &[&str]) -> bool {
    site.is_sorted()
}

/// `plan` (made from [`as_recorded`]) with the ETags `listed` gives for
/// the files of `site` (their keys) it leaves as they are: as [`make_with`]
/// records them (the listing's, else the one the upload got).
pub fn with_listed_etags(mut plan: Plan, site: &[&str], listed: &HashMap<String, Listed>) -> Plan {
    let putting: HashSet<&str> = plan.puts.iter().map(|p| p.file.key.as_str()).collect();
    for (key, etag) in listed_etags(site, &plan.record, &putting, listed) {
        if let Some(entry) = plan.record.objects.get_mut(&key) {
            entry.etag = Some(etag);
        }
    }
    plan
}

/// The ETags `listed` gives for the files of `site` (their keys) that
/// `record` names and `putting` leaves as they are, where the record has
/// another (or none): what [`with_listed_etags`] gives a plan whose record
/// is `record` for those files (a publish works it out while the files it
/// sends ahead go up).
pub fn listed_etags(
    site: &[&str],
    record: &Published,
    putting: &HashSet<&str>,
    listed: &HashMap<String, Listed>,
) -> Vec<(String, String)> {
    let mut changed = Vec::new();
    let mut check = |key: &str, entry: &Entry| {
        if let Some(etag) = listed.get(key).and_then(|l| l.etag.as_ref())
            && !putting.contains(key)
            && entry.etag.as_ref() != Some(etag)
        {
            changed.push((key.to_string(), etag.clone()));
        }
    };
    if in_key_order(site) {
        // One pass along the record and the site, both in key order.
        let mut files = site.iter().copied().peekable();
        for (key, entry) in &record.objects {
            while files.next_if(|f| *f < key.as_str()).is_some() {}
            if files.peek() == Some(&key.as_str()) {
                check(key, entry);
            }
        }
    } else {
        for f in site {
            if let Some(entry) = record.objects.get(*f) {
                check(f, entry);
            }
        }
    }
    changed
}

/// Whether the object listed is the one podsmith put (as far as the listing
/// can tell: its size, and its ETag where both are known).
pub(super) fn is_ours(was: &Entry, there: &Listed) -> bool {
    let same_etag = match (&was.etag, &there.etag) {
        (Some(a), Some(b)) => bare_etag(a) == bare_etag(b),
        _ => true,
    };
    was.size == there.size && same_etag
}

/// Whether an object listed may be the one an unfinished publish was putting.
fn is_pending(entry: &Entry, there: &Listed) -> bool {
    entry.size == there.size
}

/// Whether a key is a media file or image (kept without `--prune`), not a
/// page or a feed.
pub fn is_media(key: &str) -> bool {
    !(key.ends_with(".html") || key.ends_with(".xml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64, fp: &str) -> Entry {
        Entry {
            size,
            fingerprint: fp.into(),
            content_type: "audio/mpeg".into(),
            cache_control: "public, max-age=31536000, immutable".into(),
            etag: None,
            sha256: None,
        }
    }

    fn file(key: &str, size: u64, fp: &str, phase: Phase) -> LocalFile {
        LocalFile { key: key.into(), entry: entry(size, fp), phase }
    }

    fn site() -> Vec<LocalFile> {
        vec![
            file("feed.xml", 10, "f1", Phase::MainFeed),
            file("feed.ogg.xml", 11, "f2", Phase::Feed),
            file("index.html", 12, "p1", Phase::Page),
            file("media/a.mp3", 1000, "m1", Phase::Media),
        ]
    }

    fn listed(of: &[(&str, u64, &str)]) -> HashMap<String, Listed> {
        of.iter().map(|(k, s, e)| (k.to_string(), Listed { size: *s, etag: Some(e.to_string()) })).collect()
    }

    /// The record a publish of `site` leaves, with ETags "e-KEY".
    fn published(site: &[LocalFile]) -> (Published, HashMap<String, Listed>) {
        let plan = make(site, None, &HashMap::new(), false, false);
        let mut record = plan.record;
        let mut there = HashMap::new();
        for (k, e) in record.objects.iter_mut() {
            e.etag = Some(format!("e-{k}"));
            there.insert(k.clone(), Listed { size: e.size, etag: e.etag.clone() });
        }
        (record, there)
    }

    #[test]
    fn first_publish_puts_everything_media_first_main_feed_last() {
        let plan = make(&site(), None, &HashMap::new(), false, false);
        let keys: Vec<&str> = plan.puts.iter().map(|p| p.file.key.as_str()).collect();
        assert_eq!(keys, ["media/a.mp3", "index.html", "feed.ogg.xml", "feed.xml"]);
        assert!(plan.puts.iter().all(|p| p.reason == Reason::New));
        assert_eq!(plan.bytes(), 1033);
    }

    #[test]
    fn nothing_changed_puts_nothing() {
        let (record, there) = published(&site());
        let plan = make(&site(), Some(&record), &there, false, false);
        assert!(plan.is_empty(), "{plan:?}");
        assert_eq!(plan.unchanged, 4);
        assert_eq!(plan.record.objects["feed.xml"].etag.as_deref(), Some("e-feed.xml"));
    }

    #[test]
    fn changes_and_drift_are_told_apart() {
        let (record, mut there) = published(&site());
        let mut now = site();
        now[2].entry.fingerprint = "p2".into(); // index.html edited
        now[1].entry.cache_control = "no-cache".into(); // headers only
        there.remove("media/a.mp3"); // deleted by hand
        there.get_mut("feed.xml").unwrap().etag = Some("someone".into()); // replaced by hand
        let plan = make(&now, Some(&record), &there, false, false);
        let got: Vec<(&str, Reason)> = plan.puts.iter().map(|p| (p.file.key.as_str(), p.reason)).collect();
        assert_eq!(
            got,
            [
                ("media/a.mp3", Reason::Missing),
                ("index.html", Reason::Changed),
                ("feed.ogg.xml", Reason::Headers),
                ("feed.xml", Reason::Replaced)
            ]
        );
    }

    /// A big file's fingerprint samples it: all of its bytes tell an edit
    /// that kept its size and ends; a record without them (an older one)
    /// goes by the fingerprint.
    #[test]
    fn big_files_are_told_by_all_their_bytes() {
        let mut now = site();
        now[0].entry.sha256 = Some("all-1".into());
        let (record, there) = published(&now);
        assert!(make(&now, Some(&record), &there, false, false).is_empty());
        now[0].entry.sha256 = Some("all-2".into()); // same size, same ends
        let plan = make(&now, Some(&record), &there, false, false);
        let got: Vec<(&str, Reason)> = plan.puts.iter().map(|p| (p.file.key.as_str(), p.reason)).collect();
        assert_eq!(got, [("feed.xml", Reason::Changed)]);
        let (older, there) = published(&site());
        assert!(make(&now, Some(&older), &there, false, false).is_empty());
    }

    #[test]
    fn etags_are_compared_without_their_quotes() {
        let (mut record, mut there) = published(&site());
        record.objects.get_mut("feed.xml").unwrap().etag = Some("\"abc\"".into());
        there.get_mut("feed.xml").unwrap().etag = Some("abc".into());
        assert!(make(&site(), Some(&record), &there, false, false).is_empty());
        there.get_mut("feed.xml").unwrap().etag = Some("W/\"abd\"".into());
        let plan = make(&site(), Some(&record), &there, false, false);
        assert_eq!(plan.puts.iter().map(|p| p.reason).collect::<Vec<_>>(), [Reason::Replaced]);
    }

    #[test]
    fn a_listing_without_etags_leaves_those_the_uploads_got() {
        let (record, mut there) = published(&site());
        for l in there.values_mut() {
            l.etag = None;
        }
        let plan = make(&site(), Some(&record), &there, false, false);
        assert!(plan.is_empty());
        assert_eq!(plan.record.objects, record.objects, "the ETags the uploads got are kept");
        // Where the listing gives one, it is the one recorded.
        there.insert("index.html".into(), Listed { size: 12, etag: Some("\"e-index.html\"".into()) });
        let plan = make(&site(), Some(&record), &there, false, false);
        assert_eq!(plan.record.objects["index.html"].etag.as_deref(), Some("\"e-index.html\""));
    }

    #[test]
    fn removed_pages_go_removed_media_stay_unless_pruned() {
        let mut before = site();
        before.push(file("episodes/old/index.html", 5, "o", Phase::Page));
        before.push(file("media/old.mp3", 500, "o2", Phase::Media));
        let (record, mut there) = published(&before);
        there.insert("notes.txt".into(), Listed { size: 3, etag: None }); // not podsmith's
        let plan = make(&site(), Some(&record), &there, false, false);
        assert_eq!(plan.deletes, ["episodes/old/index.html"]);
        assert_eq!(plan.kept, ["media/old.mp3"]);
        assert!(plan.record.objects.contains_key("media/old.mp3"), "kept media stay podsmith's");
        let pruned = make(&site(), Some(&record), &there, true, false);
        assert_eq!(pruned.deletes, ["episodes/old/index.html", "media/old.mp3"]);
        assert!(!pruned.record.objects.contains_key("media/old.mp3"));
        assert!(!pruned.deletes.contains(&"notes.txt".to_string()), "a foreign object is never deleted");
    }

    #[test]
    fn a_removed_page_or_medium_replaced_there_since_is_left_not_deleted() {
        let mut before = site();
        before.push(file("episodes/old/index.html", 5, "o", Phase::Page));
        before.push(file("media/old.mp3", 500, "o2", Phase::Media));
        let (record, mut there) = published(&before);
        // Someone's own page now, and someone's own recording (another size).
        there.get_mut("episodes/old/index.html").unwrap().etag = Some("theirs".into());
        there.get_mut("media/old.mp3").unwrap().size = 501;
        let plan = make(&site(), Some(&record), &there, true, false);
        assert!(plan.deletes.is_empty(), "{:?}", plan.deletes);
        assert_eq!(plan.left, ["episodes/old/index.html", "media/old.mp3"]);
        assert!(!plan.record.objects.contains_key("media/old.mp3"), "no longer podsmith's");
        assert!(!plan.record.objects.contains_key("episodes/old/index.html"));
    }

    #[test]
    fn objects_in_the_way_with_the_same_bytes_are_adopted() {
        let there = listed(&[("feed.xml", 10, "x"), ("index.html", 12, "y")]);
        let same: HashSet<String> = ["feed.xml".to_string()].into();
        let none = HashSet::new();
        let plan =
            make_with(&site(), None, &there, Terms { prune: false, force: false, identical: &same, hosted: &none });
        assert_eq!(plan.adopted, ["feed.xml"]);
        assert_eq!(plan.foreign, ["index.html"]);
        assert!(!plan.puts.iter().any(|p| p.file.key == "feed.xml"));
        assert_eq!(plan.record.objects["feed.xml"].etag.as_deref(), Some("x"));
    }

    /// A publish killed after its last upload, before its record: the
    /// objects it was putting again are there with the site's very bytes,
    /// and are not sent a second time; one still as before is.
    #[test]
    fn objects_a_stopped_publish_put_again_are_not_sent_again() {
        let (mut record, mut there) = published(&site());
        let now: Vec<LocalFile> = site()
            .into_iter()
            .map(|mut f| {
                if f.key != "media/a.mp3" {
                    f.entry.fingerprint.push('2');
                }
                f
            })
            .collect();
        for f in now.iter().filter(|f| f.key != "media/a.mp3") {
            record.pending.insert(f.key.clone(), f.entry.clone());
        }
        // feed.ogg.xml and index.html landed (new ETags); feed.xml did not.
        for k in ["feed.ogg.xml", "index.html"] {
            there.get_mut(k).unwrap().etag = Some(format!("new-{k}"));
        }
        let same: HashSet<String> = ["feed.ogg.xml".to_string(), "index.html".to_string()].into();
        let none = HashSet::new();
        let plan = make_with(
            &now,
            Some(&record),
            &there,
            Terms { prune: false, force: false, identical: &same, hosted: &none },
        );
        let puts: Vec<(&str, Reason)> = plan.puts.iter().map(|p| (p.file.key.as_str(), p.reason)).collect();
        assert_eq!(puts, [("feed.xml", Reason::Changed)]);
        assert_eq!(plan.record.objects["index.html"].etag.as_deref(), Some("new-index.html"));
        assert_eq!(plan.record.objects["feed.ogg.xml"].fingerprint, "f22");
        // Without the note, the same objects are drift: sent again.
        record.pending.clear();
        let plan = make_with(
            &now,
            Some(&record),
            &there,
            Terms { prune: false, force: false, identical: &same, hosted: &none },
        );
        assert_eq!(plan.puts.len(), 3);
    }

    #[test]
    fn foreign_objects_in_the_way_are_refused_unless_forced() {
        let there = listed(&[("feed.xml", 3, "x")]);
        let plan = make(&site(), None, &there, false, false);
        assert_eq!(plan.foreign, ["feed.xml"]);
        assert!(plan.puts.iter().all(|p| p.file.key != "feed.xml"));
        let forced = make(&site(), None, &there, false, true);
        assert!(forced.foreign.is_empty());
        assert_eq!(forced.puts.last().map(|p| p.reason), Some(Reason::Foreign));
    }

    #[test]
    fn an_interrupted_publish_is_taken_up_where_it_stopped() {
        // The record names what the interrupted run was putting; the media
        // landed, the feed did not.
        let mut record = Published::default();
        for f in site() {
            record.pending.insert(f.key.clone(), f.entry.clone());
        }
        let there = listed(&[("media/a.mp3", 1000, "e1")]);
        let plan = make(&site(), Some(&record), &there, false, false);
        let keys: Vec<&str> = plan.puts.iter().map(|p| p.file.key.as_str()).collect();
        assert_eq!(keys, ["index.html", "feed.ogg.xml", "feed.xml"]);
        assert!(plan.foreign.is_empty());
        assert_eq!(plan.record.objects["media/a.mp3"].etag.as_deref(), Some("e1"));
        // Written before this run's uploads, the record keeps what landed.
        let pending = plan.pending_record(Some(&record));
        assert!(pending.objects.contains_key("media/a.mp3"));
        assert_eq!(pending.pending.keys().collect::<Vec<_>>(), ["feed.ogg.xml", "feed.xml", "index.html"]);
    }

    /// A plan made from the record before the listing comes is the plan
    /// the listing gives whenever the listing agrees with the record, and
    /// the listing is found not to agree whenever the plans differ.
    #[test]
    fn a_plan_made_from_the_record_is_the_listings_when_they_agree() {
        let mut before = site();
        before.push(file("episodes/old/index.html", 5, "o", Phase::Page));
        before.push(file("media/old.mp3", 500, "o2", Phase::Media));
        let (record, there) = published(&before);
        let mut now = site();
        now[2].entry.fingerprint = "p2".into(); // index.html edited
        now.push(file("media/new.mp3", 700, "n", Phase::Media));
        let quoted = |l: &HashMap<String, Listed>| -> HashMap<String, Listed> {
            let etag = |e: &Option<String>| e.as_ref().map(|e| format!("\"{e}\""));
            l.iter().map(|(k, v)| (k.clone(), Listed { size: v.size, etag: etag(&v.etag) })).collect()
        };
        let mut listings: Vec<(&str, HashMap<String, Listed>)> = vec![("as recorded", there.clone())];
        listings.push(("ETags quoted", quoted(&there)));
        listings
            .push(("no ETags", there.iter().map(|(k, v)| (k.clone(), Listed { etag: None, ..v.clone() })).collect()));
        let mut foreign = there.clone();
        foreign.insert("notes.txt".into(), Listed { size: 3, etag: None }); // not the site's: no matter
        listings.push(("a foreign object beside", foreign));
        let mut gone = there.clone();
        gone.remove("feed.ogg.xml");
        listings.push(("deleted by hand", gone));
        let mut replaced = there.clone();
        replaced.get_mut("media/a.mp3").unwrap().etag = Some("theirs".into());
        listings.push(("replaced by hand", replaced));
        let mut resized = there.clone();
        resized.get_mut("episodes/old/index.html").unwrap().size = 6;
        listings.push(("a removed page replaced", resized));
        let mut in_the_way = there.clone();
        in_the_way.insert("media/new.mp3".into(), Listed { size: 700, etag: None });
        listings.push(("an object at a new key", in_the_way));
        let none = HashSet::new();
        // The site as a build lists it (in key order: one pass along it and
        // the record), and in another order (a look-up for each file).
        let mut sorted = now.clone();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        assert!(in_key_order(&keys(&sorted)) && !in_key_order(&keys(&now)));
        for ((prune, force), now) in [(false, false), (true, false), (false, true)]
            .into_iter()
            .flat_map(|terms| [(terms, &now), (terms, &sorted)])
        {
            let terms = Terms { prune, force, identical: &none, hosted: &none };
            let ahead = make_with(now, Some(&record), &as_recorded(&record), terms);
            for (what, listed) in &listings {
                let plan = make_with(now, Some(&record), listed, terms);
                let agreed = agrees(&keys(now), &record, listed);
                let expected = ["as recorded", "ETags quoted", "no ETags", "a foreign object beside"];
                assert_eq!(agreed, expected.contains(what), "{what}");
                if agreed {
                    assert_eq!(with_listed_etags(ahead.clone(), &keys(now), listed), plan, "{what}");
                    // As a publish works them out while it sends ahead: from
                    // the record as read, not the plan's.
                    let putting: HashSet<&str> = ahead.puts.iter().map(|p| p.file.key.as_str()).collect();
                    let mut given = ahead.clone();
                    for (key, etag) in listed_etags(&keys(now), &record, &putting, listed) {
                        given.record.objects.get_mut(&key).unwrap().etag = Some(etag);
                    }
                    assert_eq!(given, plan, "{what}: the ETags worked out from the record");
                } else {
                    assert_ne!(ahead.puts.len() + ahead.deletes.len(), 0);
                    assert_ne!(
                        (ahead.puts.clone(), ahead.deletes.clone(), ahead.foreign.clone(), ahead.left.clone()),
                        (plan.puts.clone(), plan.deletes.clone(), plan.foreign.clone(), plan.left.clone()),
                        "{what}: the listing changes the plan"
                    );
                }
            }
        }
        // Nothing agrees while an unfinished publish's uploads are pending.
        let mut unfinished = record.clone();
        unfinished.pending.insert("media/new.mp3".into(), now[4].entry.clone());
        assert!(!agrees(&keys(&now), &unfinished, &there));
    }

    #[test]
    fn a_published_file_the_show_now_lists_as_hosted_is_never_deleted() {
        let (record, there) = published(&site());
        let without: Vec<LocalFile> = site().into_iter().filter(|f| f.key != "media/a.mp3").collect();
        let hosted: HashSet<String> = ["media/a.mp3".to_string()].into();
        let none = HashSet::new();
        let terms = Terms { prune: true, force: false, identical: &none, hosted: &hosted };
        let plan = make_with(&without, Some(&record), &there, terms);
        assert_eq!(plan.deletes, Vec::<String>::new());
        assert!(plan.kept.is_empty(), "not an old episode's file: not said to be kept");
        assert!(plan.record.objects.contains_key("media/a.mp3"), "still recorded");
        // Not listed as hosted, --prune deletes it.
        let plan = make_with(&without, Some(&record), &there, Terms { hosted: &none, ..terms });
        assert_eq!(plan.deletes, ["media/a.mp3"]);
    }
}
