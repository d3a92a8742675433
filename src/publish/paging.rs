//! `.podsmith/listing.json`: how many keys each destination gives in one
//! page of its listing, where it cuts a listing short (S3 and the services
//! that follow it stop at 1,000; s3s-fs and a folder give all that is
//! asked). A publish that knows its destination cuts pages lists the whole
//! prefix at once, in ranges of the keys the destination's record names,
//! side by side; one that does not (or whose destination gives every key
//! in one page) asks for one page first and splits the rest after it.
//!
//! A cache beside the show's other records: read back as untrusted
//! (bounded; a damaged one is set aside), replaced atomically, never needed
//! (without it the listing takes one page more before it goes side by side).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where the cache is, in the show folder.
pub const PATH: &str = ".podsmith/listing.json";
/// Its format.
const VERSION: u32 = 1;
/// The largest cache read.
const MAX_BYTES: u64 = 1 << 20;
/// The most destinations kept.
const MAX_DESTINATIONS: usize = 100;

/// The cache: each destination (as [`Paging::key`] names it) and the most
/// keys a page of its listing had where it was cut short.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Paging {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    cut_at: BTreeMap<String, usize>,
}

impl Paging {
    /// The cache of the show at `root` (empty if there is none, or if it is
    /// damaged or of another format).
    pub fn load(root: &Path) -> Paging {
        let limit = crate::fsutil::Limit { bytes: MAX_BYTES, what: "a record podsmith keeps" };
        let read = crate::fsutil::read(&root.join(PATH), limit).ok();
        let parsed = read.and_then(|bytes| serde_json::from_slice::<Paging>(&bytes).ok());
        parsed.filter(|p| p.version == VERSION).unwrap_or_default()
    }

    /// How a destination is named here: where it is, and through which endpoint.
    pub fn key(destination: &str, endpoint: Option<&str>) -> String {
        format!("{destination} {}", endpoint.unwrap_or(""))
    }

    /// How many keys a page of `destination`'s listing has where it is cut
    /// short, as the last listing found (`None`: not known, or it is not).
    pub fn cut_at(&self, destination: &str) -> Option<usize> {
        self.cut_at.get(destination).copied().filter(|&n| n > 0)
    }

    /// Takes note of what a listing of `destination` found (`cut`: the most
    /// keys a page had where it was cut short; `None`: no page was), and
    /// saves the cache into the show folder `root` if that changed it. A
    /// listing of fewer keys than a page says nothing.
    pub fn learn(mut self, root: &Path, destination: &str, (cut, listed): (Option<usize>, usize)) {
        let before = self.cut_at.get(destination).copied();
        match cut {
            Some(n) => {
                self.cut_at.insert(destination.to_string(), n);
            }
            None if before.is_some_and(|n| listed > n) => {
                self.cut_at.remove(destination);
            }
            None => {}
        }
        if self.cut_at.get(destination).copied() == before {
            return;
        }
        while self.cut_at.len() > MAX_DESTINATIONS {
            let Some(other) = self.cut_at.keys().find(|k| *k != destination).cloned() else { break };
            self.cut_at.remove(&other);
        }
        self.version = VERSION;
        if let Ok(json) = serde_json::to_vec(&self)
            && crate::show_lock::own_dir(&root.join(crate::show_lock::RECORDS_DIR)).is_ok()
        {
            let _ = crate::output::write_cache_bytes(&root.join(PATH), &json);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_where_a_destination_cuts_its_listing_and_forgets_it_when_it_no_longer_does() {
        let dir = tempfile::tempdir().unwrap();
        let dest = Paging::key("s3://b/show", Some("http://127.0.0.1:9000"));
        assert_eq!(Paging::load(dir.path()).cut_at(&dest), None);
        Paging::load(dir.path()).learn(dir.path(), &dest, (Some(1000), 3000));
        assert_eq!(Paging::load(dir.path()).cut_at(&dest), Some(1000));
        // Fewer keys than a page: says nothing.
        Paging::load(dir.path()).learn(dir.path(), &dest, (None, 500));
        assert_eq!(Paging::load(dir.path()).cut_at(&dest), Some(1000));
        // More than a page, none cut: it gives every key asked for.
        Paging::load(dir.path()).learn(dir.path(), &dest, (None, 3000));
        assert_eq!(Paging::load(dir.path()).cut_at(&dest), None);
        // A damaged cache is set aside.
        std::fs::write(dir.path().join(PATH), b"{\"version\":1,\"cut_at\":{\"x\":\"a\"}").unwrap();
        assert_eq!(Paging::load(dir.path()).cut_at("x"), None);
        let other = Paging::key("s3://b/show", None);
        Paging::load(dir.path()).learn(dir.path(), &other, (Some(1000), 2000));
        assert_eq!(Paging::load(dir.path()).cut_at(&other), Some(1000));
        assert_eq!(Paging::load(dir.path()).cut_at(&dest), None);
    }
}
