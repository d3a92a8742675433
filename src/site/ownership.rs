//! Which files in the output folder are podsmith's: the ones it may
//! replace, and the ones it may delete.
//!
//! - A file the site is about to write over is podsmith's if the build
//!   record lists it (its size and time, or its fingerprint, also of an
//!   interrupted build), or if it already holds exactly what is about to be
//!   written, or, for a feed or page, if it is this show's own (podsmith's
//!   generator mark and this show's feed URL in its head: a build whose
//!   record was deleted). A file that cannot hold such a mark (an
//!   episode's chapters or transcripts) is this show's when there is no
//!   record of the folder at all and the episode's page beside it is this
//!   show's; with a record, only the record tells it (a file it does not
//!   list there, or lists with other bytes, was put there or edited by
//!   hand). Any other file there is someone else's: the build stops and
//!   names it, unless `--force`.
//! - A file the show no longer publishes is deleted only if (a) its path
//!   is a plain relative path that stays inside the output folder, through
//!   real folders, not links; (b) the record lists it as written by
//!   podsmith; (c) it still has the fingerprint recorded, or is still the
//!   hard link to the show's file of the same path that published it
//!   (written over through that file since); and (d) it is
//!   none of the show's own files (manifest, lock, media, images). Anything
//!   else is kept and said.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::record::{SiteRecord, is_plain_relative};
use crate::fsutil::Fingerprint;
use crate::output::Site;

/// How a file of the site is told as this show's, written by podsmith,
/// when no record lists it: by the head of a file in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The file whose head tells it (relative to the output folder): the
    /// file itself (a feed, a page, the sitemap), or, for one that cannot
    /// hold a mark, the episode's page beside it (which tells it only when
    /// there is no record of the folder: see the module docs).
    pub at: String,
    /// The texts that head holds when podsmith wrote it for this show.
    pub texts: Vec<String>,
}

/// The files of `site` that exist under `out` and are not podsmith's
/// (see the module docs), in site order.
/// `marks` gives, for site file `i`, how it is told as this show's (see
/// [`Mark`]); `lstat` what is at a site file's path (by index), not
/// following a link (`None` for a file the build leaves as it is: it is
/// not in the way).
pub fn foreign_files(
    site: &Site,
    out: &Path,
    record: Option<&SiteRecord>,
    planned: &BTreeMap<String, Fingerprint>,
    marks: &dyn Fn(usize) -> Option<Mark>,
    lstat: &dyn Fn(usize) -> Option<crate::fsutil::Status>,
) -> Vec<String> {
    let mut foreign = Vec::new();
    for (i, f) in site.files.iter().enumerate() {
        let Some(meta) = lstat(i) else { continue };
        if meta.is_link {
            foreign.push(format!("{} (a link)", f.rel));
            continue;
        }
        if !meta.is_file {
            foreign.push(format!("{} (not a file)", f.rel));
            continue;
        }
        // Most files are as the record says: their path is made only if not.
        let path = std::cell::OnceCell::new();
        let path = || path.get_or_init(|| out.join(&f.rel));
        let mut cached: Option<Option<Fingerprint>> = None;
        let mut fingerprint = || *cached.get_or_insert_with(|| Fingerprint::of_file(path()).ok());
        if record.is_some_and(|r| r.wrote(&f.rel, meta.stamp(), &mut fingerprint)) {
            continue;
        }
        // Already what it is going to be: writing it changes nothing.
        if fingerprint().is_some_and(|fp| planned.get(&f.rel) == Some(&fp)) {
            continue;
        }
        let told = |m: Mark| (m.at == f.rel || record.is_none()) && carries(&out.join(&m.at), &m.texts);
        if marks(i).is_some_and(told) {
            continue;
        }
        foreign.push(f.rel.clone());
    }
    foreign
}

/// Whether the file at `path` is a file (not a link) whose first 16 KiB
/// hold every one of `marks`.
fn carries(path: &Path, marks: &[String]) -> bool {
    use std::io::Read;
    if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = crate::fsutil::open(path) else { return false };
    let mut head = Vec::new();
    if file.take(16 << 10).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    !marks.is_empty() && marks.iter().all(|m| head.contains(m.as_str()))
}

/// What pruning did.
#[derive(Debug, Default)]
pub struct Pruned {
    /// Files removed (relative to the output folder).
    pub removed: Vec<String>,
    /// Files an earlier build wrote that were kept, with why.
    pub kept: Vec<String>,
}

/// Removes the files an earlier build wrote under `out` (as `record` says,
/// finished or interrupted) that `site` no longer has, and the folders
/// they leave empty. `protected` gives the canonical paths of the show's
/// own files, which are never removed, wherever a record says they are
/// (asked for only when there is something to remove); `show` is the show
/// folder.
pub fn prune<V>(
    out: &Path,
    show: &Path,
    record: &SiteRecord,
    site: &BTreeMap<String, V>,
    protected: &dyn Fn() -> HashSet<PathBuf>,
) -> Pruned {
    let mut candidates: BTreeSet<&str> = not_in(record.outputs.keys(), site).collect();
    candidates.extend(not_in(record.pending.keys(), site));
    let mut pruned = Pruned::default();
    if candidates.is_empty() {
        return pruned;
    }
    let protected = protected();
    for rel in candidates {
        match removable(out, show, rel, record, &protected) {
            // Gone already (a build killed as it removed it, before its
            // folder): the folder, left empty, goes.
            Ok(None) => remove_empty_folders(out, rel),
            Ok(Some(path)) => match fs::remove_file(&path) {
                Ok(()) => {
                    pruned.removed.push(rel.to_string());
                    remove_empty_folders(out, rel);
                }
                Err(e) => pruned.kept.push(format!("{rel}: cannot remove it ({e})")),
            },
            Err(why) => pruned.kept.push(format!("{rel}: {why}")),
        }
    }
    pruned
}

/// The paths of `sorted` (in order) that are not keys of `site`: both are
/// walked once, side by side (a big site has tens of thousands).
fn not_in<'a, V>(
    sorted: impl Iterator<Item = &'a String>,
    site: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = &'a str> {
    let mut current = site.keys().peekable();
    sorted
        .filter(move |rel| {
            while current.next_if(|c| c < rel).is_some() {}
            current.peek() != Some(rel)
        })
        .map(String::as_str)
}

/// The path of `rel` if it may be removed; `None` if it is not there.
fn removable(
    out: &Path,
    show: &Path,
    rel: &str,
    record: &SiteRecord,
    protected: &HashSet<PathBuf>,
) -> Result<Option<PathBuf>, String> {
    if !is_plain_relative(rel) {
        return Err("not a path inside the output folder".into());
    }
    let parts: Vec<&str> = rel.split('/').collect();
    let mut dir = out.to_path_buf();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("{} is not a folder of podsmith's (a link or a file)", dir.display())),
            Err(_) => return Ok(None),
        }
    }
    let path = dir.join(parts[parts.len() - 1]);
    match fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err("it is not a file podsmith wrote (a link or a folder)".into()),
        Err(_) => return Ok(None),
    }
    let known = record.fingerprints(rel);
    if known.is_empty() {
        return Err("an older podsmith recorded it without a fingerprint; delete it by hand if it is not needed".into());
    }
    let now = Fingerprint::of_file(&path).map_err(|e| format!("cannot read it ({e})"))?;
    // A hard link to the show's file of the same path is how podsmith
    // publishes media: written over through the show's file, it is still
    // podsmith's, and removing it takes nothing from the show.
    if !known.contains(&now) && !crate::output::same_file(&path, &show.join(rel)).unwrap_or(false) {
        return Err("it changed since podsmith wrote it".into());
    }
    if record.followed && super::record::stat(&path) != record.outputs.get(rel).map(|w| (w.size, w.mtime_ns)) {
        return Err("the record of it came with the show from another folder, and its size or time is not as \
                    recorded; delete it by hand if it is not needed"
            .into());
    }
    if path.canonicalize().is_ok_and(|real| protected.contains(&real)) {
        return Err("it is one of the show's own files".into());
    }
    Ok(Some(path))
}

/// Removes the folders of `rel` under `out` that are left empty, deepest first.
fn remove_empty_folders(out: &Path, rel: &str) {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    while !parts.is_empty() {
        let dir = out.join(parts.join("/"));
        let real_dir = fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        if !real_dir || fs::remove_dir(&dir).is_err() {
            break; // not empty, or not podsmith's to remove
        }
        parts.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is at each site file's path now.
    fn live<'a>(site: &'a Site, out: &'a Path) -> impl Fn(usize) -> Option<crate::fsutil::Status> + 'a {
        move |i| fs::symlink_metadata(out.join(&site.files[i].rel)).ok().map(|m| crate::fsutil::Status::of(&m))
    }
    use crate::output::Content;
    use crate::site::record::Written;

    fn written(path: &Path) -> Written {
        let (size, mtime_ns) = super::super::record::stat(path).unwrap();
        Written { size, mtime_ns, fingerprint: Some(Fingerprint::of_file(path).unwrap()) }
    }

    #[test]
    fn prunes_only_unchanged_files_it_wrote_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("episodes/old")).unwrap();
        fs::write(out.join("episodes/old/index.html"), b"old page").unwrap();
        fs::write(out.join("changed.html"), b"as written").unwrap();
        fs::write(dir.path().join("episodes.toml"), b"the manifest").unwrap();
        let mut record = SiteRecord { out: out.clone(), ..Default::default() };
        for rel in ["episodes/old/index.html", "changed.html"] {
            record.outputs.insert(rel.into(), written(&out.join(rel)));
        }
        // A crafted entry naming the manifest, with its true fingerprint.
        let manifest_fp = Fingerprint::of_file(&dir.path().join("episodes.toml")).unwrap();
        record
            .outputs
            .insert("../episodes.toml".into(), Written { size: 12, mtime_ns: 0, fingerprint: Some(manifest_fp) });
        fs::write(out.join("changed.html"), b"edited by hand").unwrap();
        let pruned = prune(&out, dir.path(), &record, &BTreeMap::<String, ()>::new(), &HashSet::new);
        assert_eq!(pruned.removed, ["episodes/old/index.html"]);
        assert!(!out.join("episodes").exists(), "emptied folders go");
        assert!(dir.path().join("episodes.toml").exists());
        assert_eq!(
            pruned.kept,
            [
                "../episodes.toml: not a path inside the output folder",
                "changed.html: it changed since podsmith wrote it"
            ]
        );
    }

    /// A page a killed build removed before its folder: the next one
    /// removes the folder it left empty (not one that holds anything).
    #[test]
    fn the_empty_folder_of_a_file_gone_already_goes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("episodes/gone")).unwrap();
        fs::create_dir_all(out.join("episodes/kept")).unwrap();
        fs::write(out.join("episodes/kept/mine.txt"), b"mine").unwrap();
        let mut record = SiteRecord { out: out.clone(), ..Default::default() };
        for rel in ["episodes/gone/index.html", "episodes/kept/index.html"] {
            let fingerprint = Some(Fingerprint::of_bytes(b"page"));
            record.outputs.insert(rel.into(), Written { size: 4, mtime_ns: 1, fingerprint });
        }
        let pruned = prune(&out, dir.path(), &record, &BTreeMap::<String, ()>::new(), &HashSet::new);
        assert!(pruned.removed.is_empty() && pruned.kept.is_empty(), "{pruned:?}");
        assert!(!out.join("episodes/gone").exists());
        assert!(out.join("episodes/kept/mine.txt").exists());
    }

    /// A media file published as a hard link, then written over in place
    /// through the show's file (a new recording, `cp` onto it) before the
    /// folder was built again: gone from the show, it is still podsmith's
    /// to remove (the show's file stays); a file of other bytes is not.
    #[cfg(unix)]
    #[test]
    fn a_published_link_written_over_through_the_shows_file_is_still_podsmiths() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("media")).unwrap();
        fs::create_dir_all(dir.path().join("media")).unwrap();
        fs::write(dir.path().join("media/old.mp3"), b"first recording").unwrap();
        fs::hard_link(dir.path().join("media/old.mp3"), out.join("media/old.mp3")).unwrap();
        fs::write(out.join("media/other.mp3"), b"published").unwrap();
        let mut record = SiteRecord { out: out.clone(), ..Default::default() };
        for rel in ["media/old.mp3", "media/other.mp3"] {
            record.outputs.insert(rel.into(), written(&out.join(rel)));
        }
        fs::write(dir.path().join("media/old.mp3"), b"second recording, longer").unwrap();
        fs::write(out.join("media/other.mp3"), b"edited by hand").unwrap();
        let pruned = prune(&out, dir.path(), &record, &BTreeMap::<String, ()>::new(), &HashSet::new);
        assert_eq!(pruned.removed, ["media/old.mp3"]);
        assert_eq!(fs::read(dir.path().join("media/old.mp3")).unwrap(), b"second recording, longer");
        assert_eq!(pruned.kept, ["media/other.mp3: it changed since podsmith wrote it"]);
    }

    #[cfg(unix)]
    #[test]
    fn never_prunes_through_a_linked_folder_or_a_protected_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let victim = dir.path().join("victim");
        fs::create_dir_all(&out).unwrap();
        fs::create_dir_all(&victim).unwrap();
        fs::write(victim.join("secret.txt"), b"secret").unwrap();
        std::os::unix::fs::symlink(&victim, out.join("media")).unwrap();
        fs::write(out.join("keep.mp3"), b"audio").unwrap();
        let mut record = SiteRecord { out: out.clone(), ..Default::default() };
        record.outputs.insert("media/secret.txt".into(), written(&victim.join("secret.txt")));
        record.outputs.insert("keep.mp3".into(), written(&out.join("keep.mp3")));
        let protected = || -> HashSet<PathBuf> { [out.join("keep.mp3").canonicalize().unwrap()].into() };
        let pruned = prune(&out, dir.path(), &record, &BTreeMap::<String, ()>::new(), &protected);
        assert!(pruned.removed.is_empty(), "{:?}", pruned.removed);
        assert!(victim.join("secret.txt").exists() && out.join("keep.mp3").exists());
        assert_eq!(pruned.kept.len(), 2, "{:?}", pruned.kept);
    }

    #[test]
    fn files_that_are_not_podsmiths_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        fs::write(out.join("index.html"), b"someone's page").unwrap();
        fs::write(out.join("feed.xml"), b"<rss/>").unwrap();
        fs::write(out.join("same.html"), b"same").unwrap();
        let mut site = Site::default();
        for rel in ["index.html", "feed.xml", "same.html", "new.html"] {
            site.push(rel, Content::Bytes(Vec::new()));
        }
        let planned: BTreeMap<String, Fingerprint> = [("same.html".to_string(), Fingerprint::of_bytes(b"same"))].into();
        let none = |_: usize| None;
        assert_eq!(foreign_files(&site, &out, None, &planned, &none, &live(&site, &out)), ["index.html", "feed.xml"]);
        let mut record = SiteRecord { out: out.clone(), ..Default::default() };
        record.outputs.insert("feed.xml".into(), written(&out.join("feed.xml")));
        assert_eq!(foreign_files(&site, &out, Some(&record), &planned, &none, &live(&site, &out)), ["index.html"]);
        // This show's own page, by its marks (its record lost).
        fs::write(
            out.join("index.html"),
            "<head><meta name=\"generator\" content=\"podsmith\"><link href=\"https://x/feed.xml\">",
        )
        .unwrap();
        let mark =
            |texts: &[&str]| Mark { at: "index.html".into(), texts: texts.iter().map(|t| t.to_string()).collect() };
        let marks = |i: usize| (i == 0).then(|| mark(&["content=\"podsmith\"", "href=\"https://x/feed.xml\""]));
        assert!(foreign_files(&site, &out, Some(&record), &planned, &marks, &live(&site, &out)).is_empty());
        let other_show = |i: usize| (i == 0).then(|| mark(&["href=\"https://y/feed.xml\""]));
        assert_eq!(
            foreign_files(&site, &out, Some(&record), &planned, &other_show, &live(&site, &out)),
            ["index.html"]
        );
    }

    /// A file that cannot hold a mark (an episode's chapters) is this
    /// show's when the page beside it is and there is no record of the
    /// folder; with a record that does not know it, or beside another
    /// show's page (or a link to this show's), it is someone else's.
    #[test]
    fn a_file_beside_this_shows_page_is_its_own_only_without_a_record() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        fs::create_dir_all(out.join("episodes/one")).unwrap();
        fs::write(out.join("episodes/one/chapters.json"), b"{\"chapters\": []}").unwrap();
        let own_page = "<head><meta name=\"generator\" content=\"podsmith\"><link href=\"https://x/feed.xml\">";
        fs::write(out.join("episodes/one/index.html"), own_page).unwrap();
        let mut site = Site::default();
        site.push("episodes/one/chapters.json", Content::Bytes(b"{}".to_vec()));
        let planned = BTreeMap::new();
        let beside = |texts: &'static str| {
            move |_: usize| Some(Mark { at: "episodes/one/index.html".into(), texts: vec![texts.to_string()] })
        };
        let ours = beside("href=\"https://x/feed.xml\"");
        assert!(foreign_files(&site, &out, None, &planned, &ours, &live(&site, &out)).is_empty());
        let record = SiteRecord { out: out.clone(), ..Default::default() };
        let refused = ["episodes/one/chapters.json"];
        assert_eq!(foreign_files(&site, &out, Some(&record), &planned, &ours, &live(&site, &out)), refused);
        let theirs = beside("href=\"https://y/feed.xml\"");
        assert_eq!(foreign_files(&site, &out, None, &planned, &theirs, &live(&site, &out)), refused);
        #[cfg(unix)]
        {
            fs::write(dir.path().join("elsewhere.html"), own_page).unwrap();
            fs::remove_file(out.join("episodes/one/index.html")).unwrap();
            std::os::unix::fs::symlink(dir.path().join("elsewhere.html"), out.join("episodes/one/index.html")).unwrap();
            assert_eq!(foreign_files(&site, &out, None, &planned, &ours, &live(&site, &out)), refused);
        }
    }
}
