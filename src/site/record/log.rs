//! `.podsmith/build.log`: what each save changed in the build record since
//! `.podsmith/build.json` was last written whole.
//!
//! A build that changes one episode of a show of thousands changes a few
//! of the record's tens of thousands of entries: it appends one line of
//! JSON (the sites in their order, and of each site that changed, its
//! inputs, summary and pending files, and the outputs that changed or
//! went), flushed as the whole record was, instead of writing megabytes.
//! Each line names the record file it changes by that file's `id`; the log
//! is folded into a new record file (with a new `id`) once it outgrows a
//! quarter of it.
//!
//! Read as untrusted like the record: a line of another record file (the
//! log outlived its record: a save killed between the two) is left out; a
//! damaged line (a save killed while writing it) and every line after it
//! are left out, and the next save writes the record whole; every path in
//! a line is checked as the record's are ([`SiteRecord::checked`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{MAX_SITES, RawSite, RawWritten, Records, SiteRecord, Summary, Written};
use crate::fsutil::Fingerprint;

/// The log's path, relative to the show folder.
pub const LOG_PATH: &str = ".podsmith/build.log";
/// The log is never folded into the record below this size (see
/// [`crate::journal`]).
const LOG_MIN_BYTES: u64 = 64 << 10;

/// A site as the record file and its log say it is on disk (what a save
/// compares the records with, to append only what changed).
#[derive(Debug, Clone)]
pub(super) struct Saved {
    out: PathBuf,
    head: Head,
    outputs: BTreeMap<String, Written>,
}

/// A site's record but for its outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Head {
    #[serde(skip_serializing_if = "Option::is_none")]
    root: Option<PathBuf>,
    inputs: String,
    content: String,
    memo: Option<Fingerprint>,
    pending: BTreeMap<String, Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<String>,
    summary: Summary,
}

impl Head {
    fn of(site: &SiteRecord) -> Head {
        Head {
            root: site.root.clone(),
            inputs: site.inputs.clone(),
            content: site.content.clone(),
            memo: site.memo,
            pending: site.pending.clone(),
            build: site.build.clone(),
            summary: site.summary.clone(),
        }
    }
}

/// What the records know of the files they were read from.
#[derive(Debug, Default)]
pub(super) struct OnDisk {
    /// The record file's `id` (empty: none, or of a podsmith before the
    /// log: the next save writes it whole).
    pub id: String,
    /// The next save writes the record whole (it was set aside, its log is
    /// damaged, or what is on disk is not known).
    pub whole: bool,
    /// The sizes of the record file and of its log.
    pub sizes: (u64, u64),
    /// The sites as on disk, in their order.
    pub saved: Option<Vec<Saved>>,
}

/// One line of the log, as written.
#[derive(Serialize)]
struct Line<'a> {
    base: &'a str,
    order: Vec<&'a Path>,
    sites: Vec<Delta<'a>>,
}

#[derive(Serialize)]
struct Delta<'a> {
    out: &'a Path,
    #[serde(flatten)]
    head: Head,
    outputs: BTreeMap<String, Option<&'a Written>>,
}

/// One line of the log, as read (nothing in it trusted yet): each site
/// as the record has it, but for its outputs, of which only those that
/// changed (`null`: gone).
#[derive(Deserialize)]
struct RawLine {
    base: String,
    order: Vec<PathBuf>,
    sites: Vec<RawSite<Option<RawWritten>>>,
}

impl Records {
    /// Applies the lines of the log under `root` that change this record
    /// file, up to a damaged one; then takes note of the sites as on disk.
    /// A record that lists what cannot be a file podsmith wrote (`ignored`)
    /// is written whole by the next save, without it.
    pub(super) fn read_log(&mut self, root: &Path, ignored: &mut Vec<String>) {
        if !self.disk.whole && !self.disk.id.is_empty() {
            match crate::journal::read(&root.join(LOG_PATH), &self.disk.id, |l: &RawLine| &l.base) {
                crate::journal::Read::None => {}
                crate::journal::Read::Unreadable => self.disk.whole = true,
                crate::journal::Read::Lines { lines, damaged, size } => {
                    self.disk.sizes.1 = size;
                    self.disk.whole |= damaged;
                    for line in lines {
                        self.apply_line(line, ignored);
                    }
                }
            }
        }
        self.disk.whole |= !ignored.is_empty();
        let saved =
            self.sites.iter().map(|s| Saved { out: s.out.clone(), head: Head::of(s), outputs: s.outputs.clone() });
        self.disk.saved = Some(saved.collect());
    }

    fn apply_line(&mut self, line: RawLine, ignored: &mut Vec<String>) {
        // (At most MAX_SITES, as in the record: a crafted log naming many
        // folders costs no more than one naming a few.)
        for delta in line.sites.into_iter().take(MAX_SITES) {
            self.apply(delta, ignored);
        }
        // The order of the sites, as that save left them. (A save that lets
        // a site go writes the record whole: a site a line does not name,
        // as a damaged or crafted one may not, keeps its place after them.)
        let mut sites = std::mem::take(&mut self.sites);
        for out in line.order.iter().take(MAX_SITES) {
            if let Some(i) = sites.iter().position(|s| &s.out == out) {
                self.sites.push(sites.remove(i));
            }
        }
        self.sites.extend(sites);
    }

    /// One site's changes: checked as the record's entries are.
    fn apply(&mut self, delta: RawSite<Option<RawWritten>>, ignored: &mut Vec<String>) {
        let RawSite { out, root, inputs, content, memo, pending, build, summary, outputs } = delta;
        let (mut changed, mut gone) = (BTreeMap::new(), Vec::new());
        for (rel, w) in outputs {
            match w {
                Some(w) => {
                    changed.insert(rel, w);
                }
                None => gone.push(rel),
            }
        }
        let raw = RawSite { out, root, inputs, content, memo, outputs: changed, pending, build, summary };
        let Some(new) = SiteRecord::checked(raw, ignored) else { return };
        let site = match self.sites.iter().position(|s| s.out == new.out) {
            Some(i) => &mut self.sites[i],
            None if self.sites.len() < MAX_SITES => {
                self.sites.push(SiteRecord { out: new.out.clone(), ..Default::default() });
                self.sites.last_mut().expect("just pushed")
            }
            None => {
                ignored.push(format!(
                    "a record of {} past the {MAX_SITES} output folders kept",
                    crate::text::truncate_chars(&new.out.display().to_string(), 80)
                ));
                return;
            }
        };
        for rel in gone {
            site.outputs.remove(&rel);
        }
        let SiteRecord { root, inputs, content, memo, outputs, pending, build, summary, .. } = new;
        site.outputs.extend(outputs);
        (site.root, site.inputs, site.content, site.memo, site.pending, site.build, site.summary) =
            (root, inputs, content, memo, pending, build, summary);
    }

    /// Saves what changed since the records were read or last saved: a line
    /// appended to the log (flushed if `flush`), or the record whole. Then
    /// `.podsmith/pending.json`, taken in, goes.
    pub(super) fn save_changes(&mut self, root: &Path, flush: bool) -> std::io::Result<()> {
        crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR))?;
        // A site let go is let go from the file too (a record file is
        // written whole, also when it lists what cannot be one of
        // podsmith's files: see `read_log`).
        let dropped = |saved: &[Saved]| saved.iter().any(|s| !self.sites.iter().any(|n| n.out == s.out));
        let line = match (&self.disk.saved, self.disk.whole || self.disk.id.is_empty()) {
            (Some(saved), false) if !dropped(saved) => Some(self.line(saved)?),
            _ => None,
        };
        match line {
            Some(None) => {} // nothing changed
            // (A log that cannot be appended to is replaced by a whole record.)
            Some(Some(line))
                if crate::journal::has_room(self.disk.sizes, line.len(), LOG_MIN_BYTES)
                    && crate::output::append_record_line(&root.join(LOG_PATH), &line, flush).is_ok() =>
            {
                self.disk.sizes.1 += line.len() as u64;
                // What is on disk is known again only by reading it (a save
                // to come in this process writes the record whole).
                self.disk.saved = None;
            }
            _ => self.save_whole(root, flush)?,
        }
        match std::fs::remove_file(root.join(super::PENDING_PATH)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The line that takes the record on disk (`saved`) to what it is now
    /// (`None`: it is that already).
    fn line(&self, saved: &[Saved]) -> std::io::Result<Option<Vec<u8>>> {
        let mut sites = Vec::new();
        for site in &self.sites {
            let before = saved.iter().find(|s| s.out == site.out);
            let head = Head::of(site);
            let outputs = match before {
                Some(b) => changed_outputs(&b.outputs, &site.outputs),
                None => site.outputs.iter().map(|(rel, w)| (rel.clone(), Some(w))).collect(),
            };
            if before.is_some_and(|b| b.head == head) && outputs.is_empty() {
                continue;
            }
            sites.push(Delta { out: &site.out, head, outputs });
        }
        let order: Vec<&Path> = self.sites.iter().map(|s| s.out.as_path()).collect();
        if sites.is_empty() && order.iter().eq(saved.iter().map(|s| &s.out)) {
            return Ok(None);
        }
        let mut line =
            serde_json::to_vec(&Line { base: &self.disk.id, order, sites }).map_err(std::io::Error::other)?;
        line.push(b'\n');
        Ok(Some(line))
    }

    /// Writes the record whole, with a new `id`, and removes the log (whose
    /// lines name the old one, should the removal not happen).
    fn save_whole(&mut self, root: &Path, flush: bool) -> std::io::Result<()> {
        let id = crate::journal::new_id(&self.disk.id);
        let file = super::RecordFile { version: super::VERSION, id: &id, sites: &self.sites };
        let json = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        let write = if flush { crate::output::write_record_bytes } else { crate::output::write_cache_bytes };
        write(&root.join(super::RECORD_PATH), &json)?;
        // What is on disk is known again only by reading it (a save to come
        // in this process writes the record whole).
        self.disk = OnDisk { id, whole: false, sizes: (json.len() as u64, 0), saved: None };
        match std::fs::remove_file(root.join(LOG_PATH)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The outputs of `now` that are not in `before` as they are, and those of
/// `before` that are gone (`None`): the two maps walked side by side.
fn changed_outputs<'a>(
    before: &BTreeMap<String, Written>,
    now: &'a BTreeMap<String, Written>,
) -> BTreeMap<String, Option<&'a Written>> {
    let mut out = BTreeMap::new();
    let (mut b, mut n) = (before.iter().peekable(), now.iter().peekable());
    loop {
        let gone = match (b.peek(), n.peek()) {
            (None, None) => return out,
            (Some((bk, _)), Some((nk, _))) => bk < nk,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if gone {
            if let Some((rel, _)) = b.next() {
                out.insert(rel.clone(), None);
            }
            continue;
        }
        let Some((rel, w)) = n.next() else { return out };
        match b.peek() {
            Some((bk, bw)) if *bk == rel => {
                if *bw != w {
                    out.insert(rel.clone(), Some(w));
                }
                b.next();
            }
            _ => {
                out.insert(rel.clone(), Some(w));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RECORD_PATH, Records, SiteRecord, Written};
    use super::LOG_PATH;
    use crate::fsutil::Fingerprint;
    use std::path::{Path, PathBuf};

    fn written(n: u64) -> Written {
        Written { size: n, mtime_ns: u128::from(n) * 7, fingerprint: Some(Fingerprint::of_bytes(&n.to_le_bytes())) }
    }

    fn site(out: &str, files: &[(&str, u64)]) -> SiteRecord {
        let mut s = SiteRecord { out: PathBuf::from(out), inputs: format!("inputs of {out}"), ..Default::default() };
        for (rel, n) in files {
            s.outputs.insert((*rel).to_string(), written(*n));
        }
        s
    }

    /// A site's folder, inputs and outputs.
    type Seen = (PathBuf, String, Vec<(String, Written)>);

    /// Each site's record as read, in order (what a build goes by).
    fn as_read(root: &Path) -> Vec<Seen> {
        let r = Records::read(root);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        r.all().iter().map(|s| (s.out.clone(), s.inputs.clone(), s.outputs.clone().into_iter().collect())).collect()
    }

    fn in_memory(r: &Records) -> Vec<Seen> {
        r.all().iter().map(|s| (s.out.clone(), s.inputs.clone(), s.outputs.clone().into_iter().collect())).collect()
    }

    /// The first save writes the record whole; the next appends only what
    /// changed (a file rewritten, one gone, one new, another site first),
    /// and the record read back is the one saved.
    #[test]
    fn a_save_appends_what_changed_and_the_record_is_read_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Records::default();
        r.put(site("/srv/b", &[("index.html", 1)]));
        r.put(site("/srv/a", &[("feed.xml", 1), ("index.html", 2), ("old.html", 3)]));
        r.save(dir.path()).unwrap();
        let whole = std::fs::read(dir.path().join(RECORD_PATH)).unwrap();
        assert!(!dir.path().join(LOG_PATH).exists());
        let mut r = Records::read(dir.path());
        let mut a = r.take(Path::new("/srv/a")).unwrap();
        a.outputs.insert("feed.xml".into(), written(10));
        a.outputs.remove("old.html");
        a.outputs.insert("new.html".into(), written(4));
        a.inputs = "new inputs".into();
        r.put(a);
        let mut b = r.take(Path::new("/srv/b")).unwrap();
        b.pending.insert("late.html".into(), Fingerprint::of_bytes(b"late"));
        r.put(b);
        r.save(dir.path()).unwrap();
        assert_eq!(std::fs::read(dir.path().join(RECORD_PATH)).unwrap(), whole, "the record file as it was");
        let line = std::fs::read_to_string(dir.path().join(LOG_PATH)).unwrap();
        assert_eq!(line.lines().count(), 1);
        assert!(line.contains("new.html") && line.contains("old.html") && !line.contains("\"index.html\""), "{line}");
        assert_eq!(as_read(dir.path()), in_memory(&r));
        assert_eq!(Records::read(dir.path()).all()[0].out, PathBuf::from("/srv/b"), "the order as saved");
        let read = Records::read(dir.path());
        assert_eq!(read.site(Path::new("/srv/b")).unwrap().pending.len(), 1);
        // Nothing changed: nothing appended.
        let mut again = Records::read(dir.path());
        again.save(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(LOG_PATH)).unwrap(), line);
        assert_eq!(as_read(dir.path()), in_memory(&r));
    }

    /// A line cut short or damaged is left out with every line after it,
    /// and the next save writes the record whole (the log goes); a line of
    /// another record file is left out; a line naming a file outside the
    /// output folder has that entry ignored, said, and the record written
    /// whole without it.
    #[test]
    fn a_damaged_crafted_or_foreign_log_line_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Records::default();
        r.put(site("/srv/a", &[("feed.xml", 1)]));
        r.save(dir.path()).unwrap();
        let mut r = Records::read(dir.path());
        let mut a = r.take(Path::new("/srv/a")).unwrap();
        a.outputs.insert("page.html".into(), written(2));
        r.put(a);
        r.save(dir.path()).unwrap();
        let log = dir.path().join(LOG_PATH);
        let good = std::fs::read_to_string(&log).unwrap();
        let id = Records::read(dir.path()).disk.id.clone();
        let has_page = |root: &Path| Records::read(root).all()[0].outputs.contains_key("page.html");
        assert!(has_page(dir.path()));
        // Another record file's line: left out.
        std::fs::write(&log, good.replace(&id, "0123456789abcdef")).unwrap();
        assert!(!has_page(dir.path()) && !Records::read(dir.path()).disk.whole);
        for damaged in [good[..good.len() - 1].to_string(), format!("{{\"base\":1}}\n{good}")] {
            std::fs::write(&log, &damaged).unwrap();
            let mut read = Records::read(dir.path());
            assert!(read.disk.whole && !has_page(dir.path()), "{damaged}");
            read.save(dir.path()).unwrap();
            assert!(!log.exists(), "written whole, the log is gone");
            std::fs::write(&log, &good).unwrap(); // of the old record file: left out from now on
            assert!(!has_page(dir.path()));
        }
        // A crafted line: its entries outside the folder ignored and said.
        let id = Records::read(dir.path()).disk.id.clone();
        let crafted = format!(
            "{{\"base\":\"{id}\",\"order\":[\"/srv/a\"],\"sites\":[{{\"out\":\"/srv/a\",\"inputs\":\"x\",\"summary\":{{\"episodes\":0,\"feeds\":[],\"pages\":0,\"files\":0,\"media\":0,\"warnings\":[]}},\"outputs\":{{\"../../etc/passwd\":{{\"size\":1,\"mtime_ns\":1}},\"ok.html\":{{\"size\":1,\"mtime_ns\":1}}}},\"pending\":{{\"/etc/x\":\"{}\"}}}}]}}\n",
            Fingerprint::of_bytes(b"x")
        );
        std::fs::write(&log, crafted).unwrap();
        let mut read = Records::read(dir.path());
        assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
        assert!(read.warnings[0].message.contains("2 entries"), "{:?}", read.warnings);
        let a = read.site(Path::new("/srv/a")).unwrap();
        assert!(a.outputs.contains_key("ok.html") && a.outputs.len() == 2 && a.pending.is_empty());
        read.save(dir.path()).unwrap();
        assert!(!log.exists());
        assert!(Records::read(dir.path()).warnings.is_empty(), "written whole, without them");
    }

    /// A line whose order of the sites leaves some out (a save never
    /// writes one: letting a site go writes the record whole) loses none
    /// of them: they keep their place after the sites it names.
    #[test]
    fn a_log_line_that_orders_fewer_sites_drops_none() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Records::default();
        r.put(site("/srv/c", &[("feed.xml", 3)]));
        r.put(site("/srv/b", &[("feed.xml", 2)]));
        r.put(site("/srv/a", &[("feed.xml", 1)]));
        r.save(dir.path()).unwrap();
        let order = |root: &Path| Records::read(root).all().iter().map(|s| s.out.clone()).collect::<Vec<_>>();
        let before = order(dir.path());
        let id = Records::read(dir.path()).disk.id.clone();
        for (named, first) in [("", None), ("\"/srv/c\"", Some("/srv/c"))] {
            let line = format!("{{\"base\":\"{id}\",\"order\":[{named}],\"sites\":[]}}\n");
            std::fs::write(dir.path().join(LOG_PATH), line).unwrap();
            let now = order(dir.path());
            assert_eq!(now.len(), 3, "{now:?}");
            let mut expected: Vec<PathBuf> = first.map(PathBuf::from).into_iter().collect();
            expected.extend(before.iter().filter(|o| Some(o.as_path()) != first.map(Path::new)).cloned());
            assert_eq!(now, expected);
        }
    }

    /// A crafted line naming many output folders is read as the record
    /// is: at most MAX_SITES of them kept, the rest said, at a cost that
    /// does not grow with their square (50,000 took minutes).
    #[test]
    fn a_log_line_naming_many_output_folders_keeps_as_many_as_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Records::default();
        r.put(site("/srv/a", &[("feed.xml", 1)]));
        r.save(dir.path()).unwrap();
        let id = Records::read(dir.path()).disk.id.clone();
        let summary = "{\"episodes\":0,\"feeds\":[],\"pages\":0,\"files\":0,\"media\":0,\"warnings\":[]}";
        let sites: Vec<String> = (0..50_000)
            .map(|n| format!("{{\"out\":\"/srv/{n}\",\"inputs\":\"x\",\"summary\":{summary},\"outputs\":{{}}}}"))
            .collect();
        let line = format!("{{\"base\":\"{id}\",\"order\":[\"/srv/a\"],\"sites\":[{}]}}\n", sites.join(","));
        std::fs::write(dir.path().join(LOG_PATH), line).unwrap();
        let started = std::time::Instant::now();
        let read = Records::read(dir.path());
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(read.all().len() <= super::super::MAX_SITES, "{}", read.all().len());
        assert!(read.site(Path::new("/srv/a")).is_some());
    }

    /// Once the log outgrows its share of the record, the next save writes
    /// the record whole and the log goes.
    #[test]
    fn a_long_log_is_folded_into_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Records::default();
        r.put(site("/srv/a", &[("feed.xml", 1)]));
        r.save(dir.path()).unwrap();
        let log = dir.path().join(LOG_PATH);
        for n in 2..10_000u64 {
            let mut r = Records::read(dir.path());
            let mut a = r.take(Path::new("/srv/a")).unwrap();
            a.outputs.insert("feed.xml".into(), written(n));
            r.put(a);
            r.save(dir.path()).unwrap();
            if !log.exists() {
                assert_eq!(Records::read(dir.path()).all()[0].outputs["feed.xml"], written(n));
                return;
            }
            assert!(std::fs::metadata(&log).unwrap().len() <= super::LOG_MIN_BYTES);
        }
        panic!("the log was never folded in");
    }
}
