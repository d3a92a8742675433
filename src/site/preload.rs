//! What a build that has something to do reads besides the manifest and
//! the build record: the probe cache, the memo, and the feeds the memo
//! tells of (whose unchanged items a build takes as they are). They are
//! read on a second thread while the manifest is parsed, so a build that
//! changes one episode of a big show does not wait for them; a build with
//! nothing to do does not use them.
//!
//! The probe cache is the show's, whatever the build; the memo is the
//! build's own (a preview keeps its own: see
//! [`Options::state_root`](super::Options::state_root)).
//!
//! Nothing is trusted more for being read early: the memo is used only
//! once the build record vouches for it ([`Memo::vouched`]), and the cache
//! checks each entry against the file when it is asked for it.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use super::memo::{Loaded, Memo};
use crate::probe::cache::Cache;

/// The probe cache and the memo of a show, being read.
#[derive(Debug)]
pub struct Preload {
    root: PathBuf,
    /// Where the memo is (see [`super::Options::state_root`]).
    state: PathBuf,
    reading: Option<JoinHandle<(Option<Cache>, Option<Loaded>)>>,
    cache: Option<Cache>,
    memo: Option<Loaded>,
    use_cache: bool,
}

impl Preload {
    /// Starts reading the probe cache of the show in folder `root` and the
    /// memo under `state` (neither when the build is not to use what
    /// earlier builds kept).
    pub fn start(root: &Path, state: &Path, use_cache: bool) -> Preload {
        let (dir, memo_dir) = (root.to_path_buf(), state.to_path_buf());
        let reading = use_cache
            .then(|| {
                std::thread::Builder::new()
                    .name("podsmith-preload".into())
                    .spawn(move || {
                        let cache = Cache::open(&dir);
                        let mut memo = Memo::load(&memo_dir);
                        if let Some(memo) = memo.as_mut() {
                            memo.read_feeds();
                        }
                        (Some(cache), memo)
                    })
                    .ok()
            })
            .flatten();
        Preload { root: root.to_path_buf(), state: state.to_path_buf(), reading, cache: None, memo: None, use_cache }
    }

    /// Nothing read ahead: each is read when asked for.
    pub fn none(root: &Path, state: &Path, use_cache: bool) -> Preload {
        let (root, state) = (root.to_path_buf(), state.to_path_buf());
        Preload { root, state, reading: None, cache: None, memo: None, use_cache }
    }

    /// Waits for the reading, if it is under way.
    fn join(&mut self) {
        if let Some(reading) = self.reading.take() {
            // A panic there (there should be none) only means reading here.
            if let Ok((cache, memo)) = reading.join() {
                (self.cache, self.memo) = (cache, memo);
            }
        }
    }

    /// The probe cache (`None` when the build does not use it).
    pub fn cache(&mut self) -> Option<Cache> {
        self.join();
        if !self.use_cache {
            return None;
        }
        Some(self.cache.take().unwrap_or_else(|| Cache::open(&self.root)))
    }

    /// Gives back the probe cache taken by [`Preload::cache`], for the
    /// next to ask for it.
    pub fn give_back(&mut self, cache: Cache) {
        self.cache = Some(cache);
    }

    /// The memo, as read (to be vouched for by the build record; `None`
    /// when the build does not use it).
    pub fn memo(&mut self) -> Option<Loaded> {
        self.join();
        if !self.use_cache {
            return None;
        }
        self.memo.take().or_else(|| Memo::load(&self.state))
    }
}
