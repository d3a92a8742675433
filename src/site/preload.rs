//! What a build reads besides the manifest, on a second thread while the
//! manifest is parsed: first the build records, and the files the record
//! of the output folder lists (looked at: whether a build has anything to
//! do is told from them), handed over as soon as they are ready; then
//! what only a build that has something to do uses: the probe cache
//! (handed over as soon as it is read: the media are measured while the
//! rest is read), the memo, and (once the build says it has something to
//! do) the feeds the memo tells of, whose unchanged items a build takes as
//! they are. A build that changes one episode of a big show does not wait
//! for them; a build with nothing to do does not use them (nor hold the
//! feeds, also when it asks for the cache to recheck hosted media). A build
//! whose caller has work of its own on the other core (a publish, listing
//! the destination meanwhile) reads the cache and the memo only once asked
//! for them: with nothing to do, it does not read them at all.
//!
//! The probe cache is the show's, whatever the build; the memo is the
//! build's own (a preview keeps its own: see
//! [`Options::state_root`](super::Options::state_root)).
//!
//! Nothing is trusted more for being read early: the records are checked
//! as they are read, the memo is used only once the build record vouches
//! for it ([`Loaded::vouched`](super::memo::Loaded::vouched)), and the cache checks each entry against the
//! file when it is asked for it. The files are looked at under the show's
//! lock, as they would be after the parse.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::memo::{Loaded, Memo};
use super::record::Records;
use crate::fsutil::{Fingerprint, Status};
use crate::probe::cache::Cache;

/// An output folder (absolute) and the files its record lists, as they
/// were (`None`: not there).
pub type Looked = (PathBuf, HashMap<String, Option<Status>>);

/// The build records, the probe cache and the memo of a show, being read.
#[derive(Debug)]
pub struct Preload {
    root: PathBuf,
    /// Where the build records and the memo are (see [`super::Options::state_root`]).
    state: PathBuf,
    /// The records, and the files of the output folder they list, as soon
    /// as they are read and looked at (before the cache and the memo).
    records: Option<mpsc::Receiver<(Records, Option<Looked>)>>,
    /// Told that the build has something to do: the last feeds are read
    /// then (not by a build with nothing to do, whose peak memory they
    /// would raise by their size); and, when not reading ahead, that the
    /// probe cache is wanted.
    go: Option<mpsc::Sender<Step>>,
    /// Whether the probe cache and the memo are read before they are asked
    /// for (see [`Preload::start`]).
    ahead: bool,
    /// Whether the probe cache was asked for (not reading ahead).
    cache_asked: bool,
    /// The probe cache, as soon as it is read (before the memo and the
    /// feeds: the media are measured meanwhile).
    cache_read: Option<mpsc::Receiver<Cache>>,
    reading: Option<JoinHandle<Option<Loaded>>>,
    cache: Option<Cache>,
    memo: Option<Loaded>,
    use_cache: bool,
}

impl Preload {
    /// Starts reading, on a thread of their own, the build records under
    /// `state` (and looking at the files the record of output folder `out`
    /// lists: a build with nothing to do looks at every one), then the
    /// probe cache of the show in folder `root` and the memo under
    /// `state` (neither, nor looking, when the build is not to use what
    /// earlier builds kept). Those two are read `ahead` (before the build
    /// knows whether it has anything to do, on a core otherwise idle while
    /// the manifest is parsed), or only once asked for (the caller has work
    /// of its own on that core: a build with nothing to do then spends no
    /// time on them). `told` (if given) is told the record of output folder
    /// `out` as soon as the records are read, on the thread that reads them.
    pub fn start(
        root: &Path,
        state: &Path,
        out: &Path,
        use_cache: bool,
        ahead: bool,
        told: Option<super::RecordsTold>,
    ) -> Preload {
        let (dir, state_dir, out) = (root.to_path_buf(), state.to_path_buf(), out.to_path_buf());
        let (send, records) = mpsc::channel();
        let (go, told_to_go) = mpsc::channel();
        let (send_cache, cache_read) = mpsc::channel();
        let read = move || {
            let mut records = Records::read(&state_dir);
            let out_abs = out.canonicalize().ok();
            // The output folder made a link to where it is now: its record.
            if let Some(o) = &out_abs {
                records.follow_link(o);
            }
            // The records in the show folder moved with it (and its output
            // folder in it), if the folder has none of its own (or only the
            // pending list of a first build there that did not finish).
            if let Some(o) = &out_abs
                && state_dir == dir
                && records.site(o).is_none_or(|s| s.outputs.is_empty())
                && let Ok(root) = dir.canonicalize()
            {
                records.follow_show(&root, o);
            }
            let record = out_abs.and_then(|o| records.site(&o));
            // The memo the record of the output folder vouches for (no other is read).
            let vouched = record.and_then(|r| r.memo);
            if let Some(told) = told {
                told(record);
            }
            let looked = use_cache.then(|| look(&records, &out)).flatten();
            let _ = send.send((records, looked));
            if !use_cache {
                return None;
            }
            // Not reading ahead: nothing until asked (the build then has
            // something to do, or hosted media to ask about).
            let mut told = match ahead {
                true => None,
                false => Some(told_to_go.recv().ok()?),
            };
            let _ = send_cache.send(Cache::open(&dir));
            if told == Some(Step::Cache) {
                told = Some(told_to_go.recv().ok()?);
            }
            let mut memo = Memo::load(&state_dir, &vouched?);
            if let Some(memo) = memo.as_mut()
                && (told == Some(Step::Go) || told_to_go.recv().is_ok())
            {
                memo.read_feeds();
            }
            memo
        };
        let reading = std::thread::Builder::new().name("podsmith-preload".into()).spawn(read).ok();
        let records = reading.is_some().then_some(records);
        let cache_read = reading.is_some().then_some(cache_read);
        let (root, state, go) = (root.to_path_buf(), state.to_path_buf(), Some(go));
        Preload {
            root,
            state,
            records,
            go,
            ahead,
            cache_asked: false,
            cache_read,
            reading,
            cache: None,
            memo: None,
            use_cache,
        }
    }

    /// Tells the reading that the build has something to do: it reads the
    /// last feeds too, once it has the memo.
    pub fn go(&mut self) {
        if let Some(go) = self.go.take() {
            let _ = go.send(Step::Go);
        }
    }

    /// The build records (read here if they were not read ahead), and the
    /// files of the output folder they list, if looked at.
    pub fn records(&mut self) -> (Records, Option<Looked>) {
        match self.records.take().map(|r| r.recv()) {
            Some(Ok(read)) => read,
            _ => (Records::read(&self.state), None),
        }
    }

    /// Nothing read ahead: each is read when asked for.
    pub fn none(root: &Path, state: &Path, use_cache: bool) -> Preload {
        let (root, state) = (root.to_path_buf(), state.to_path_buf());
        Preload {
            root,
            state,
            records: None,
            go: None,
            ahead: true,
            cache_asked: false,
            cache_read: None,
            reading: None,
            cache: None,
            memo: None,
            use_cache,
        }
    }

    /// Waits for the reading, if it is under way (told to go on first:
    /// whoever asks for what it reads has something to do).
    fn join(&mut self) {
        self.go();
        if let Some(reading) = self.reading.take() {
            // A panic there (there should be none) only means reading here.
            if let Ok(memo) = reading.join() {
                self.memo = memo;
            }
        }
    }

    /// The probe cache (`None` when the build does not use it): as soon as
    /// it is read (the memo and the last feeds are read on meanwhile).
    pub fn cache(&mut self) -> Option<Cache> {
        if !self.use_cache {
            return None;
        }
        if let (false, false, Some(go)) = (self.ahead, self.cache_asked, &self.go) {
            let _ = go.send(Step::Cache);
            self.cache_asked = true;
        }
        let read = self.cache_read.take().and_then(|r| r.recv().ok());
        Some(self.cache.take().or(read).unwrap_or_else(|| Cache::open(&self.root)))
    }

    /// Gives back the probe cache taken by [`Preload::cache`], for the
    /// next to ask for it.
    pub fn give_back(&mut self, cache: Cache) {
        self.cache = Some(cache);
    }

    /// The memo, as read (to be vouched for by the build record, whose
    /// SHA-256 of it is `vouched`; `None` when the build does not use it).
    pub fn memo(&mut self, vouched: &Fingerprint) -> Option<Loaded> {
        self.join();
        if !self.use_cache {
            return None;
        }
        self.memo.take().or_else(|| Memo::load(&self.state, vouched))
    }
}

/// What the reading is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The probe cache is wanted (when it is not read ahead).
    Cache,
    /// The build has something to do: everything is wanted.
    Go,
}

/// The files the record of output folder `out` lists, looked at (not
/// following links).
fn look(records: &Records, out: &Path) -> Option<Looked> {
    let out = out.canonicalize().ok()?;
    let rec = records.site(&out)?;
    let status = |rel: &String| std::fs::symlink_metadata(out.join(rel)).ok().map(|m| Status::of(&m));
    let seen = rec.outputs.keys().map(|rel| (rel.clone(), status(rel))).collect();
    Some((out, seen))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not reading ahead, nothing but the records is read until asked for;
    /// asked for (the cache first, as a build with hosted media asks, then
    /// everything), each comes; and a build that asks for nothing more
    /// leaves the reading to end on its own.
    #[test]
    fn ahead_or_not_every_ask_is_answered_and_nothing_waits_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let out = root.join("public");
        for ahead in [true, false] {
            let mut preload = Preload::start(root, root, &out, true, ahead, None);
            let (records, looked) = preload.records();
            assert!(records.site(&out).is_none() && looked.is_none());
            let cache = preload.cache().expect("a cache, empty");
            preload.give_back(cache);
            assert!(preload.cache().is_some(), "given back, taken again");
            let any = Fingerprint::of_bytes(b"memo");
            assert!(preload.memo(&any).is_none(), "no memo: none read, and no wait");
            let mut idle = Preload::start(root, root, &out, true, ahead, None);
            let _ = idle.records();
            drop(idle); // a build with nothing to do
        }
        let mut told = Preload::start(root, root, &out, true, false, None);
        told.go();
        assert!(told.cache().is_some(), "a build told to go gets its cache");
    }
}
