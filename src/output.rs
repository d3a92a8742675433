//! The one place files are written: a [`Site`] is the complete list of
//! what `public/` should contain, in the order it must appear, and
//! [`write_site`] puts it on disk.
//!
//! - Every file is written atomically: a temporary file in the same folder,
//!   then a rename, so a reader never sees half a feed.
//! - Order matters: media and images first, then pages, then feeds, so a
//!   feed never points at something not yet there.
//! - Media is hard-linked from the show folder (a copy where linking is not
//!   possible), so a big catalogue costs no disk space.
//! - Files whose content is already right are left alone (their mtime stays,
//!   which keeps HTTP caches and future "upload what changed" honest).
//!
//! A later publisher (S3 and the like) takes the same [`Site`].

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What one output file is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Bytes at hand.
    Bytes(Vec<u8>),
    /// A file from the show folder, published as it is (media, images).
    File(PathBuf),
    /// Page `n` of the site (0: the index), made when it is written by the
    /// generator given to [`write_site`].
    Page(usize),
    /// Feed `n` of the site (0: `feed.xml`), made when it is written.
    Feed(usize),
}

/// One file of the site.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Path inside the output folder, `/`-separated.
    pub rel: String,
    /// Its content.
    pub content: Content,
}

/// Everything `public/` should hold, in write order.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Files in the order they are written.
    pub files: Vec<OutputFile>,
}

impl Site {
    /// Adds a file; later additions are written later.
    pub fn push(&mut self, rel: impl Into<String>, content: Content) {
        self.files.push(OutputFile { rel: rel.into(), content });
    }
}

/// What writing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files created or replaced.
    pub written: usize,
    /// Files that already had the right content.
    pub unchanged: usize,
}

/// An output error, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{}`: {source}", path.display())]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// The cause.
    pub source: io::Error,
}

/// Writes `site` under `out`, file by file, atomically, in order, but the
/// files `as_it_is` says are already right (the build knows from its record
/// and memo), which are left alone, unread. Returns what it did, and which
/// of the site's files (by index) it wrote or published anew.
pub fn write_site(
    site: &Site,
    out: &Path,
    generate: &dyn Fn(&Content) -> io::Result<Generated>,
    as_it_is: &dyn Fn(usize) -> bool,
) -> Result<(WriteStats, Vec<usize>), WriteError> {
    let mut stats = WriteStats::default();
    let mut changed = Vec::new();
    for (i, file) in site.files.iter().enumerate() {
        if as_it_is(i) {
            stats.unchanged += 1;
            continue;
        }
        let dest = out.join(&file.rel);
        let wrote = match &file.content {
            Content::Bytes(bytes) => write_bytes(&dest, bytes),
            Content::File(src) => publish_file(src, &dest),
            made @ (Content::Page(_) | Content::Feed(_)) => generate(made).and_then(|g| match g.differs {
                true => write_atomically(&dest, &g.bytes, Flush::Yes, Compare::No),
                false => write_bytes(&dest, &g.bytes),
            }),
        }
        .map_err(|source| WriteError { path: dest.clone(), source })?;
        if wrote {
            stats.written += 1;
            changed.push(i);
        } else {
            stats.unchanged += 1;
        }
    }
    Ok((stats, changed))
}

/// A page or feed made to be written.
#[derive(Debug)]
pub struct Generated {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Whether they are known to differ from the file there (compared with
    /// it already): then the file is replaced without being read again.
    pub differs: bool,
}

impl Generated {
    /// Bytes not compared with the file there.
    pub fn new(bytes: Vec<u8>) -> Generated {
        Generated { bytes, differs: false }
    }
}

/// The longest name of one file or folder most file systems take (bytes).
pub const NAME_MAX: usize = 255;
/// The longest path the operating system takes (bytes, Linux's `PATH_MAX` less its NUL).
pub const PATH_MAX: usize = 4095;

/// Checks, before anything is written, that every file of `site` can be
/// written under `out`: names and paths short enough for the file system,
/// and no link or file where a folder of the site goes (podsmith never
/// writes through a link inside its output folder; `out` itself may be
/// one). Returns every problem, one line each.
/// Files `as_it_is` says are already right are not written, and not checked.
pub fn check_paths(site: &Site, out: &Path, as_it_is: &dyn Fn(usize) -> bool) -> Vec<String> {
    let out_len = std::path::absolute(out).map_or(out.as_os_str().len(), |p| p.as_os_str().len());
    let mut problems = Vec::new();
    let mut seen_dirs: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (_, f) in site.files.iter().enumerate().filter(|(i, _)| !as_it_is(*i)) {
        if let Some(long) = f.rel.split('/').find(|c| c.len() > NAME_MAX) {
            problems.push(format!(
                "{}: the name \"{}…\" is {} bytes; file systems take at most {NAME_MAX}",
                f.rel,
                crate::text::truncate_chars(long, 40),
                long.len()
            ));
            continue;
        }
        if out_len + 1 + f.rel.len() > PATH_MAX {
            problems.push(format!(
                "{}: the path would be {} bytes long, more than the system takes ({PATH_MAX}); choose an output folder with a shorter path",
                f.rel,
                out_len + 1 + f.rel.len()
            ));
            continue;
        }
        // Every folder on the way, once.
        let mut dir = String::new();
        for part in f.rel.split('/').collect::<Vec<_>>().iter().rev().skip(1).rev() {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(part);
            if !seen_dirs.insert(dir.clone()) {
                continue;
            }
            match fs::symlink_metadata(out.join(&dir)) {
                Ok(m) if m.file_type().is_symlink() => problems.push(format!(
                    "{dir}/ in the output folder is a link; podsmith never writes through a link there: remove it, or build into another folder"
                )),
                Ok(m) if !m.is_dir() => problems.push(format!(
                    "{dir} in the output folder is a file where the site needs a folder: move it away"
                )),
                _ => {}
            }
        }
    }
    problems
}

/// Whether `name` is one of podsmith's own temporary files
/// (`.podsmith-<random>.tmp`, as [`write_bytes`] and the others make them).
pub fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(".podsmith-")
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|mid| mid.len() == 6 && mid.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temporary files an interrupted command left in `dir` (and,
/// if `deep`, in its folders, never following a link). The caller holds the
/// show's lock, so no other podsmith command is writing them. Returns how
/// many were removed.
pub fn sweep_temps(dir: &Path, deep: bool) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_file() && is_temp_name(&e.file_name().to_string_lossy()) {
            removed += usize::from(fs::remove_file(e.path()).is_ok());
        } else if deep && t.is_dir() {
            removed += sweep_temps(&e.path(), true);
        }
    }
    removed
}

/// Writes `bytes` to `dest` atomically, unless it already holds them.
/// Returns whether the file changed.
pub fn write_bytes(dest: &Path, bytes: &[u8]) -> io::Result<bool> {
    write_atomically(dest, bytes, Flush::Yes, Compare::Yes)
}

/// [`write_bytes`] for a file that only saves time (a cache): atomic, but
/// not flushed to disk before it replaces the old one. A crash of the
/// machine may leave it empty or old, which its reader tells and sets aside.
pub fn write_cache_bytes(dest: &Path, bytes: &[u8]) -> io::Result<bool> {
    write_atomically(dest, bytes, Flush::No, Compare::Yes)
}

/// Whether a file is flushed to disk before it replaces the old one.
#[derive(PartialEq)]
enum Flush {
    Yes,
    No,
}

/// Whether the file there is read first, to leave it alone if it holds
/// the bytes already.
#[derive(PartialEq)]
enum Compare {
    Yes,
    No,
}

fn write_atomically(dest: &Path, bytes: &[u8], flush: Flush, compare: Compare) -> io::Result<bool> {
    if compare == Compare::Yes && holds(dest, bytes) {
        return Ok(false);
    }
    let dir = parent_dir(dest)?;
    let mut tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    readable(tmp.as_file(), dest)?;
    if flush == Flush::Yes {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dest).map_err(|e| e.error)?;
    Ok(true)
}

/// Whether `dest` is a regular file (not a link) holding exactly `bytes`;
/// only a file of the same length is read.
fn holds(dest: &Path, bytes: &[u8]) -> bool {
    let same_len = fs::symlink_metadata(dest).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    same_len
        && crate::fsutil::read(dest, crate::fsutil::Limit { bytes: bytes.len() as u64, what: "an output file" })
            .is_ok_and(|old| old == bytes)
}

/// Copies `src` to a new file `dest`, atomically; fails if `dest` exists.
pub fn copy_new(src: &Path, dest: &Path) -> io::Result<()> {
    create_new(dest, |tmp| io::copy(&mut crate::fsutil::open(src)?, tmp).map(|_| ()))
}

/// Writes `bytes` to a new file `dest`, atomically; fails if `dest` exists.
pub fn write_new(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    create_new(dest, |tmp| tmp.write_all(bytes))
}

fn create_new(dest: &Path, fill: impl FnOnce(&mut fs::File) -> io::Result<()>) -> io::Result<()> {
    let dir = parent_dir(dest)?;
    let mut tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir)?;
    fill(tmp.as_file_mut())?;
    readable(tmp.as_file(), dest)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(dest).map_err(|e| e.error)?;
    Ok(())
}

/// Publishes `src` at `dest`: a hard link if possible, else a copy; both
/// land atomically. Returns whether anything changed.
fn publish_file(src: &Path, dest: &Path) -> io::Result<bool> {
    if same_file(src, dest)? {
        return Ok(false);
    }
    let dir = parent_dir(dest)?;
    let tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").make_in(dir, |p| fs::hard_link(src, p));
    match tmp {
        Ok(tmp) => {
            tmp.persist(dest).map_err(|e| e.error)?;
        }
        Err(_) => {
            if fs::symlink_metadata(dest).is_ok_and(|d| d.is_file()) && crate::fsutil::same_content(src, dest)? {
                return Ok(false);
            }
            let mut tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir)?;
            io::copy(&mut crate::fsutil::open(src)?, tmp.as_file_mut())?;
            readable(tmp.as_file(), dest)?;
            tmp.as_file().sync_all()?;
            tmp.persist(dest).map_err(|e| e.error)?;
        }
    }
    Ok(true)
}

/// Temporary files are created owner-only (0600); a published file must be
/// readable by the web server: keep the mode of the file it replaces, else
/// rw-r--r--.
#[cfg(unix)]
fn readable(tmp: &fs::File, dest: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(dest).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
    tmp.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn readable(_tmp: &fs::File, _dest: &Path) -> io::Result<()> {
    Ok(())
}

fn parent_dir(dest: &Path) -> io::Result<&Path> {
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    Ok(dir)
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else { return Ok(false) };
    Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino())
}

#[cfg(not(unix))]
fn same_file(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_order_and_skips_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.mp3");
        fs::write(&src, b"audio").unwrap();
        let out = dir.path().join("public");
        let mut site = Site::default();
        site.push("media/src.mp3", Content::File(src.clone()));
        site.push("a/b/index.html", Content::Bytes(b"<p>hi</p>".to_vec()));
        let (stats, changed) = write_site(&site, &out, &|_| Ok(Generated::new(Vec::new())), &|_| false).unwrap();
        assert_eq!((stats, changed), (WriteStats { written: 2, unchanged: 0 }, vec![0, 1]));
        assert_eq!(fs::read(out.join("a/b/index.html")).unwrap(), b"<p>hi</p>");
        assert_eq!(fs::read(out.join("media/src.mp3")).unwrap(), b"audio");
        let (stats, changed) = write_site(&site, &out, &|_| Ok(Generated::new(Vec::new())), &|_| false).unwrap();
        assert_eq!((stats, changed), (WriteStats { written: 0, unchanged: 2 }, vec![]));
        // A file known to be right is not even looked at.
        fs::write(out.join("a/b/index.html"), b"changed behind podsmith's back").unwrap();
        let (stats, _) = write_site(&site, &out, &|_| Ok(Generated::new(Vec::new())), &|i| i == 1).unwrap();
        assert_eq!(stats, WriteStats { written: 0, unchanged: 2 });
        // No temporary files are left behind.
        let leftovers: Vec<_> = walk(&out).into_iter().filter(|p| p.to_string_lossy().contains(".podsmith-")).collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn replaces_a_stale_media_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("x.mp3");
        fs::write(&src, b"new").unwrap();
        let dest = dir.path().join("public/x.mp3");
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::write(&dest, b"old").unwrap();
        assert!(publish_file(&src, &dest).unwrap());
        assert_eq!(fs::read(&dest).unwrap(), b"new");
    }

    #[test]
    fn only_podsmiths_own_temporary_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir.path()).unwrap();
        let (_, kept_tmp) = tmp.keep().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/.podsmith-abc123.tmp"), b"x").unwrap();
        for other in [".podsmith-notes.txt", ".podsmith-abc12.tmp", "podsmith-abc123.tmp", "index.html"] {
            fs::write(dir.path().join(other), b"x").unwrap();
        }
        assert_eq!(sweep_temps(dir.path(), false), 1);
        assert!(!kept_tmp.exists());
        assert_eq!(sweep_temps(dir.path(), true), 1);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 5);
    }

    #[test]
    fn long_names_and_links_in_the_way_are_found_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("episodes")).unwrap();
        fs::write(out.join("media"), b"a file").unwrap();
        let mut site = Site::default();
        site.push(format!("episodes/{}/index.html", "x".repeat(300)), Content::Bytes(Vec::new()));
        site.push("media/a.mp3", Content::Bytes(Vec::new()));
        site.push("feed.xml", Content::Bytes(Vec::new()));
        let problems = check_paths(&site, &out, &|_| false);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("is 300 bytes; file systems take at most 255"), "{}", problems[0]);
        assert!(problems[1].starts_with("media in the output folder is a file"), "{}", problems[1]);
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            fs::remove_file(out.join("media")).unwrap();
            std::os::unix::fs::symlink(elsewhere.path(), out.join("media")).unwrap();
            let problems = check_paths(&site, &out, &|_| false);
            assert!(problems[1].starts_with("media/ in the output folder is a link"), "{}", problems[1]);
        }
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
        }
        out
    }
}
