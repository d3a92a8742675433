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
    /// Bytes inside a file of the show, published as a file of their own
    /// (a chapter's picture inside an MP3).
    Part(Part),
}

/// Bytes inside a file of the show (see [`Content::Part`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The file that holds them.
    pub src: PathBuf,
    /// Where they start in it.
    pub offset: u64,
    /// How many there are (at most [`Part::MAX`]).
    pub len: u64,
    /// Their fingerprint as measured (when the show was probed): what is
    /// read when they are written must have it.
    pub fingerprint: crate::fsutil::Fingerprint,
}

impl Part {
    /// The most bytes a part is (a chapter's picture: see
    /// [`crate::probe::id3::MAX_PICTURE`]).
    pub const MAX: u64 = crate::probe::id3::MAX_PICTURE;

    /// Its bytes, read from its file: an error if they are not (or no
    /// longer) those measured.
    fn read(&self) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let changed = || io::Error::other("it changed while podsmith was building; build again");
        if self.len > Part::MAX {
            return Err(io::Error::other(format!("it is over {} MiB", Part::MAX >> 20)));
        }
        let mut f = crate::fsutil::open(&self.src)?;
        f.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::with_capacity(self.len as usize);
        f.take(self.len).read_to_end(&mut bytes)?;
        match bytes.len() as u64 == self.len && crate::fsutil::Fingerprint::of_bytes(&bytes) == self.fingerprint {
            true => Ok(bytes),
            false => Err(changed()),
        }
    }
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

/// Writes `site` under `out`, atomically, in order, but the files
/// `as_it_is` says are already right (the build knows from its record and
/// memo), which are left alone, unread. A few files at a time are written
/// (and flushed) side by side beside their places, then put in place one
/// after another in the site's order: a file is in place only once every
/// file before it is. Returns what it did, and which of the site's files
/// (by index) it wrote or published anew.
pub fn write_site(
    site: &Site,
    out: &Path,
    generate: &dyn Fn(&Content) -> io::Result<Generated>,
    as_it_is: &dyn Fn(usize) -> bool,
) -> Result<(WriteStats, Vec<usize>), WriteError> {
    let mut stats = WriteStats::default();
    let mut changed = Vec::new();
    let todo: Vec<usize> = (0..site.files.len()).filter(|&i| !as_it_is(i)).collect();
    stats.unchanged = site.files.len() - todo.len();
    // A build that writes few files gives each a thread of its own (their
    // flushes wait on the disk, not the processor); one that writes many
    // shares the processors'.
    let own_threads = todo.len() <= FEW;
    let mut jobs = Vec::with_capacity(BATCH);
    let mut held = 0;
    for (n, &i) in todo.iter().enumerate() {
        let file = &site.files[i];
        let dest = out.join(&file.rel);
        let job = match &file.content {
            Content::Bytes(bytes) => Job::Bytes(std::borrow::Cow::Borrowed(bytes), Compare::Yes),
            Content::File(src) => Job::File(src),
            Content::Part(part) => Job::Part(part),
            made @ (Content::Page(_) | Content::Feed(_)) => {
                let g = generate(made).map_err(|source| WriteError { path: dest.clone(), source })?;
                if !g.held {
                    held += g.bytes.len();
                }
                let compare = if g.differs { Compare::No } else { Compare::Yes };
                Job::Bytes(std::borrow::Cow::Owned(g.bytes), compare)
            }
        };
        jobs.push((i, dest, job));
        // A batch is full at so many files, or so many bytes made for it (a
        // big show's feeds made again are written one at a time; those kept
        // from the build's checks go side by side).
        if jobs.len() == BATCH || held >= BATCH_BYTES || n + 1 == todo.len() {
            write_batch(&mut jobs, own_threads, &mut stats, &mut changed)?;
            held = 0;
        }
    }
    Ok((stats, changed))
}

/// Writes `jobs` side by side, then puts them in place in order; a failure
/// leaves the rest unplaced (their temporary files go). Empties `jobs`.
fn write_batch(
    jobs: &mut Vec<(usize, PathBuf, Job)>,
    own_threads: bool,
    stats: &mut WriteStats,
    changed: &mut Vec<usize>,
) -> Result<(), WriteError> {
    let staged: Vec<io::Result<Option<tempfile::TempPath>>> = match (jobs.len(), own_threads) {
        (0 | 1, _) => jobs.iter().map(|(_, dest, job)| job.stage(dest)).collect(),
        (_, true) => std::thread::scope(|scope| {
            let running: Vec<_> = jobs.iter().map(|(_, dest, job)| scope.spawn(move || job.stage(dest))).collect();
            running
                .into_iter()
                .map(|r| r.join().unwrap_or_else(|_| Err(io::Error::other("it could not be written"))))
                .collect()
        }),
        (_, false) => {
            use rayon::prelude::*;
            jobs.par_iter().map(|(_, dest, job)| job.stage(dest)).collect()
        }
    };
    for ((i, dest, _), staged) in jobs.drain(..).zip(staged) {
        match staged.and_then(|tmp| land(tmp, &dest)).map_err(|source| WriteError { path: dest.clone(), source })? {
            true => {
                stats.written += 1;
                changed.push(i);
            }
            false => stats.unchanged += 1,
        }
    }
    Ok(())
}

/// How many files [`write_site`] writes side by side.
const BATCH: usize = 8;
/// How many bytes of made pages and feeds [`write_site`] holds at most
/// (more, if one file is bigger).
const BATCH_BYTES: usize = 1 << 20;
/// Up to how many files to write [`write_site`] gives each its own thread.
const FEW: usize = 64;

/// One file of the site to write.
enum Job<'a> {
    /// These bytes; compared with the file there first, or known to differ.
    Bytes(std::borrow::Cow<'a, [u8]>, Compare),
    /// This file of the show, published (see [`stage_file`]).
    File(&'a Path),
    /// These bytes of a file of the show, compared with the file there first.
    Part(&'a Part),
}

impl Job<'_> {
    /// Written beside `dest`, flushed; `None` if `dest` is it already.
    fn stage(&self, dest: &Path) -> io::Result<Option<tempfile::TempPath>> {
        match self {
            Job::Bytes(bytes, compare) => stage_bytes(dest, bytes, Flush::Yes, *compare),
            Job::File(src) => stage_file(src, dest),
            Job::Part(part) => stage_bytes(dest, &part.read()?, Flush::Yes, Compare::Yes),
        }
    }
}

/// Puts a staged file in place at `dest`; whether there was one.
fn land(staged: Option<tempfile::TempPath>, dest: &Path) -> io::Result<bool> {
    match staged {
        Some(tmp) => tmp.persist(dest).map(|()| true).map_err(|e| e.error),
        None => Ok(false),
    }
}

/// A page or feed made to be written.
#[derive(Debug)]
pub struct Generated {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Whether they are known to differ from the file there (compared with
    /// it already): then the file is replaced without being read again.
    pub differs: bool,
    /// Whether they were made before and held until now (a page or feed
    /// rendered while the build checked them): writing them side by side
    /// with others holds nothing more than was held already.
    pub held: bool,
}

impl Generated {
    /// Bytes not compared with the file there.
    pub fn new(bytes: Vec<u8>) -> Generated {
        Generated { bytes, differs: false, held: false }
    }

    /// Bytes made before and held until now (see [`Generated::held`]).
    pub fn held(bytes: Vec<u8>, differs: bool) -> Generated {
        Generated { bytes, differs, held: true }
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

/// [`write_bytes`] for a record that changes whenever it is saved (the
/// build record: the times it holds move with every build that saves it):
/// flushed as every record is, but not read first to be compared (a big
/// show's is megabytes).
pub fn write_record_bytes(dest: &Path, bytes: &[u8]) -> io::Result<bool> {
    write_atomically(dest, bytes, Flush::Yes, Compare::No)
}

/// [`write_bytes`] for a file that only saves time (a cache) and that its
/// caller saves only when it changed: atomic, but neither compared with the
/// file there (a big cache would be read again for nothing) nor flushed to
/// disk before it replaces the old one. A crash of the machine may leave it
/// empty or old, which its reader tells and sets aside.
pub fn write_cache_bytes(dest: &Path, bytes: &[u8]) -> io::Result<bool> {
    write_atomically(dest, bytes, Flush::No, Compare::No)
}

/// Appends `line` to the record `dest` (made if there is none) in one
/// write, flushed to disk if `flush`: a log of changes to a record or
/// cache, which its reader checks line by line (a line cut short by a crash
/// is left out). Never through a link, and never to a file with another
/// name (a hard link a crafted show folder may hold: the write would land
/// outside the show): an error, on which the caller writes its record
/// whole, replacing the log.
pub fn append_record_line(dest: &Path, line: &[u8], flush: bool) -> io::Result<()> {
    let mut open = fs::OpenOptions::new();
    open.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = open.open(dest)?;
    let meta = file.metadata()?;
    #[cfg(unix)]
    let other_names = std::os::unix::fs::MetadataExt::nlink(&meta) > 1;
    #[cfg(not(unix))]
    let other_names = false;
    if !meta.is_file() || other_names {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file of its own", dest.display()),
        ));
    }
    file.write_all(line)?;
    if flush {
        file.sync_data()?;
    }
    Ok(())
}

/// Whether a file is flushed to disk before it replaces the old one.
#[derive(PartialEq)]
enum Flush {
    Yes,
    No,
}

/// Whether the file there is read first, to leave it alone if it holds
/// the bytes already.
#[derive(PartialEq, Clone, Copy)]
enum Compare {
    Yes,
    No,
}

fn write_atomically(dest: &Path, bytes: &[u8], flush: Flush, compare: Compare) -> io::Result<bool> {
    land(stage_bytes(dest, bytes, flush, compare)?, dest)
}

/// `bytes` written (and flushed, if asked) into a temporary file beside
/// `dest`; `None` if `dest` holds them already (when asked to compare).
fn stage_bytes(dest: &Path, bytes: &[u8], flush: Flush, compare: Compare) -> io::Result<Option<tempfile::TempPath>> {
    if compare == Compare::Yes && holds(dest, bytes) {
        return Ok(None);
    }
    let dir = parent_dir(dest)?;
    let mut tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    readable(tmp.as_file(), dest)?;
    if flush == Flush::Yes {
        tmp.as_file().sync_all()?;
    }
    Ok(Some(tmp.into_temp_path()))
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
#[cfg(test)]
fn publish_file(src: &Path, dest: &Path) -> io::Result<bool> {
    land(stage_file(src, dest)?, dest)
}

/// `src` as a temporary file beside `dest`: a hard link to it if possible,
/// else a flushed copy; `None` if `dest` is it (or a copy of it) already.
fn stage_file(src: &Path, dest: &Path) -> io::Result<Option<tempfile::TempPath>> {
    // A link in the show (to a file in it: the manifest's reading made sure)
    // is published as the file it leads to: a hard link to the link itself
    // would be a link in `public/`, leading nowhere from there.
    let resolved;
    let src = match fs::symlink_metadata(src)?.file_type().is_symlink() {
        true => {
            resolved = fs::canonicalize(src)?;
            resolved.as_path()
        }
        false => src,
    };
    if same_file(src, dest)? {
        return Ok(None);
    }
    let dir = parent_dir(dest)?;
    let tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").make_in(dir, |p| fs::hard_link(src, p));
    if let Ok(tmp) = tmp {
        return Ok(Some(tmp.into_temp_path()));
    }
    if fs::symlink_metadata(dest).is_ok_and(|d| d.is_file()) && crate::fsutil::same_content(src, dest)? {
        return Ok(None);
    }
    let mut tmp = tempfile::Builder::new().prefix(".podsmith-").suffix(".tmp").tempfile_in(dir)?;
    io::copy(&mut crate::fsutil::open(src)?, tmp.as_file_mut())?;
    readable(tmp.as_file(), dest)?;
    tmp.as_file().sync_all()?;
    Ok(Some(tmp.into_temp_path()))
}

/// Temporary files are created owner-only (0600); a published file must be
/// readable by the web server: keep the permissions of the file it
/// replaces, else rw-r--r--. Only a plain file's, and never its setuid,
/// setgid or sticky bits: a link put in its place (a crafted show) does
/// not lend podsmith's file the mode of what it leads to.
#[cfg(unix)]
fn readable(tmp: &fs::File, dest: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match fs::symlink_metadata(dest) {
        Ok(m) if m.file_type().is_file() => m.permissions().mode() & 0o777,
        _ => 0o644,
    };
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

/// Whether `a` and `b` are the same file (device and inode; links followed).
#[cfg(unix)]
pub(crate) fn same_file(a: &Path, b: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else { return Ok(false) };
    Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino())
}

/// Whether `a` and `b` are the same file: not told here.
#[cfg(not(unix))]
pub(crate) fn same_file(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written over keeps its permissions, but not through a link
    /// nor its special bits (a crafted `.podsmith/digests.json` linked to a
    /// setuid, world-writable file gave podsmith's record that mode).
    #[cfg(unix)]
    #[test]
    fn a_file_written_over_keeps_a_plain_files_permissions_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
        let plain = dir.path().join("plain.html");
        fs::write(&plain, "old").unwrap();
        fs::set_permissions(&plain, fs::Permissions::from_mode(0o6775)).unwrap();
        write_bytes(&plain, b"new").unwrap();
        assert_eq!(mode(&plain), 0o775);
        let target = dir.path().join("target");
        fs::write(&target, "x").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o6777)).unwrap();
        let linked = dir.path().join("digests.json");
        std::os::unix::fs::symlink(&target, &linked).unwrap();
        write_bytes(&linked, b"{}").unwrap();
        assert_eq!(mode(&linked), 0o644);
        assert_eq!(fs::read(&target).unwrap(), b"x");
    }

    /// Files are written side by side but put in place in order: when one
    /// cannot be written, those before it are in place, none after it is,
    /// and no temporary file is left, in either kind of batch.
    #[test]
    fn a_file_that_cannot_be_written_stops_the_ones_after_it() {
        for count in [5, FEW + 5] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("public");
            let mut site = Site::default();
            for n in 0..count {
                site.push(format!("p{n:03}/index.html"), Content::Bytes(format!("page {n}").into_bytes()));
            }
            // A file where the third page's folder goes.
            fs::create_dir_all(&out).unwrap();
            fs::write(out.join("p002"), b"in the way").unwrap();
            let err = write_site(&site, &out, &|_| Ok(Generated::new(Vec::new())), &|_| false).unwrap_err();
            assert!(err.path.ends_with("p002/index.html"), "{err:?}");
            for n in 0..count {
                let page = out.join(format!("p{n:03}/index.html"));
                assert_eq!(page.exists(), n < 2, "page {n} of {count}");
            }
            let mut temps = Vec::new();
            for e in walk(&out) {
                if is_temp_name(&e.file_name().unwrap().to_string_lossy()) {
                    temps.push(e);
                }
            }
            assert!(temps.is_empty(), "{temps:?}");
            // Out of the way, every page is written, in order.
            fs::remove_file(out.join("p002")).unwrap();
            let (stats, changed) = write_site(&site, &out, &|_| Ok(Generated::new(Vec::new())), &|_| false).unwrap();
            assert_eq!(stats, WriteStats { written: count - 2, unchanged: 2 });
            assert_eq!(changed, (2..count).collect::<Vec<_>>());
            assert_eq!(fs::read_to_string(out.join("p004/index.html")).unwrap(), "page 4");
        }
    }

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
