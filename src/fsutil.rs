//! Reading files safely: every read has a size limit, and only regular
//! files are read.
//!
//! A show folder may come from anyone (a cloned repository), and a path on
//! the command line may name anything: `/dev/zero` would never end, a named
//! pipe would block forever in `open`, a 5 GB "manifest" would fill the
//! memory. So each kind of file podsmith reads has a [`Limit`], and
//! [`read`] refuses devices, pipes, sockets and folders before opening them.
//! Standard input is read through [`read_stdin`], with the same limits.
//!
//! The one content fingerprint podsmith records about files it wrote
//! ([`Fingerprint`]) is defined here too.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// How much of one kind of file podsmith reads at most, and what to call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most bytes read.
    pub bytes: u64,
    /// What such a file is called in messages ("a manifest").
    pub what: &'static str,
}

/// `episodes.toml` (a show with thousands of episodes and long notes stays far below).
pub const MANIFEST: Limit = Limit { bytes: 32 << 20, what: "a manifest" };
/// One episode's show notes (`notes_file`, `add --notes`).
pub const NOTES: Limit = Limit { bytes: 4 << 20, what: "show notes" };
/// A page template.
pub const TEMPLATE: Limit = Limit { bytes: 1 << 20, what: "a template" };
/// podsmith's own records (`.podsmith/*.json`, `podsmith.lock`).
pub const RECORD: Limit = Limit { bytes: 64 << 20, what: "a record podsmith keeps" };
/// `podsmith.lock`: ~500 bytes an episode, so room for 30,000 (its TOML is
/// parsed whole, each value kept with its place: it is bounded tighter).
pub const LOCK: Limit = Limit { bytes: 16 << 20, what: "podsmith.lock" };
/// A feed to validate (what the directories accept, and then some).
pub const FEED: Limit = Limit { bytes: 64 << 20, what: "a feed" };
/// A transcript file.
pub const TRANSCRIPT: Limit = Limit { bytes: 16 << 20, what: "a transcript" };
/// A chapters or other JSON file a feed links to.
pub const JSON: Limit = Limit { bytes: 16 << 20, what: "a JSON file" };
/// A page of the site, as `serve` reads it back (a big show's index is megabytes).
pub const PAGE: Limit = Limit { bytes: 256 << 20, what: "a page" };
/// A small text file podsmith edits (`.gitignore`).
pub const TEXT: Limit = Limit { bytes: 1 << 20, what: "a text file" };

/// What a non-regular file is, for "… is a named pipe, not a file".
fn kind(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

fn not_a_file(kind: &str) -> io::Error {
    let msg = if kind == "not a regular file" { kind.to_string() } else { format!("it is {kind}, not a file") };
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// A human size in binary units, as podsmith's limits are set: "4.7 GB",
/// "64 MB", "812 KB".
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.1} GB", b / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        format!("{:.0} MB", b / f64::from(1u32 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn too_large(size: Option<u64>, limit: Limit) -> io::Error {
    let (is, most) = match size {
        // Just over: the rounded sizes would read the same ("it is 16 MB;
        // … at most 16 MB").
        Some(s) if human_size(s) == human_size(limit.bytes) => {
            (format!("it is {s} bytes"), format!("{} bytes ({})", limit.bytes, human_size(limit.bytes)))
        }
        Some(s) => (format!("it is {}", human_size(s)), human_size(limit.bytes)),
        None => ("it is larger".to_string(), human_size(limit.bytes)),
    };
    io::Error::new(io::ErrorKind::InvalidData, format!("{is}; podsmith reads at most {most} of {}", limit.what))
}

/// The metadata of `path` if it is a regular file (symlinks followed);
/// a clear error for a folder, device, pipe or socket.
pub fn regular_file(path: &Path) -> io::Result<fs::Metadata> {
    let meta = fs::metadata(path)?;
    match kind(&meta) {
        None => Ok(meta),
        Some(k) => Err(not_a_file(k)),
    }
}

/// Opens a regular file for reading (never a pipe or device, which could
/// block or never end).
pub fn open(path: &Path) -> io::Result<fs::File> {
    open_with_metadata(path).map(|(file, _)| file)
}

/// Opens a regular file for reading, with its metadata. On Unix the file is
/// opened without waiting (`O_NONBLOCK`: opening a named pipe with no
/// writer returns at once instead of blocking) and then looked at: only a
/// regular file is kept, and reading a regular file is the same either way.
pub fn open_with_metadata(path: &Path) -> io::Result<(fs::File, fs::Metadata)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    regular_file(path)?;
    let file = options.open(path)?;
    let meta = file.metadata()?;
    match kind(&meta) {
        None => Ok((file, meta)),
        Some(k) => Err(not_a_file(k)),
    }
}

/// Reads a whole regular file of at most `limit.bytes`.
pub fn read(path: &Path, limit: Limit) -> io::Result<Vec<u8>> {
    let (file, meta) = open_with_metadata(path)?;
    if meta.len() > limit.bytes {
        return Err(too_large(Some(meta.len()), limit));
    }
    // Room for what the file holds now (and one byte to tell that it grew).
    let mut out = Vec::with_capacity(meta.len() as usize + 1);
    file.take(limit.bytes + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit.bytes {
        return Err(too_large(None, limit));
    }
    Ok(out)
}

/// Reads a whole regular UTF-8 text file of at most `limit.bytes`.
pub fn read_string(path: &Path, limit: Limit) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error()))
}

/// The error for text that is not UTF-8, naming the line.
pub fn not_utf8(bytes: &[u8], e: std::str::Utf8Error) -> io::Error {
    let at = e.valid_up_to();
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("it is not UTF-8 text (line {line}, byte 0x{:02X}); save it as UTF-8", bytes.get(at).unwrap_or(&0)),
    )
}

/// Reads standard input, at most `limit.bytes`.
pub fn read_stdin(limit: Limit) -> io::Result<Vec<u8>> {
    read_bounded(io::stdin().lock(), limit)
}

/// Reads `r` to its end, failing as soon as it holds more than `limit`.
pub fn read_bounded(r: impl Read, limit: Limit) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    r.take(limit.bytes + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit.bytes {
        return Err(too_large(None, limit));
    }
    Ok(out)
}

/// Whether two regular files hold the same bytes (read in blocks, never whole).
pub fn same_content(a: &Path, b: &Path) -> io::Result<bool> {
    let ((mut fa, ma), (mut fb, mb)) = (open_with_metadata(a)?, open_with_metadata(b)?);
    if ma.len() != mb.len() {
        return Ok(false);
    }
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let na = crate::probe::read_full(&mut fa, &mut ba)?;
        let nb = crate::probe::read_full(&mut fb, &mut bb)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

/// Whether `rel` is a plain path inside a folder: `/`-separated names,
/// none empty, `.` or `..`, no backslash or NUL, no name over 255 bytes.
pub fn is_plain_relative(rel: &str) -> bool {
    !rel.is_empty()
        && rel.len() <= 4096
        && !rel.contains(['\\', '\0'])
        && rel.split('/').all(|c| !c.is_empty() && c != "." && c != ".." && c.len() <= 255)
}

/// What podsmith records to recognise a file it wrote: SHA-256 over the
/// length and the bytes: all of them up to 256 KiB (a page), else the first
/// and last 64 KiB (a media file is recognised by reading 128 KiB of it,
/// not all of it).
/// Written as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint([u8; 32]);

/// Files up to this size are hashed whole.
const WHOLE: u64 = 256 << 10;
/// Above it, this much of the start and of the end.
const SAMPLE: u64 = 64 << 10;

impl Fingerprint {
    /// Whether the fingerprint of `len` bytes samples them (its first and
    /// last bytes) rather than hashing them all.
    pub fn samples(len: u64) -> bool {
        len > WHOLE
    }

    /// How many bytes of `len` the fingerprint reads.
    pub fn reads(len: u64) -> u64 {
        if len <= WHOLE { len } else { 2 * SAMPLE }
    }

    /// The fingerprint of content held in memory.
    pub fn of_bytes(bytes: &[u8]) -> Fingerprint {
        let len = bytes.len() as u64;
        if len <= WHOLE {
            return Self::finish(len, &[bytes]);
        }
        let s = SAMPLE as usize;
        Self::finish(len, &[&bytes[..s], &bytes[bytes.len() - s..]])
    }

    /// The fingerprint of a regular file on disk.
    pub fn of_file(path: &Path) -> io::Result<Fingerprint> {
        use std::io::{Seek, SeekFrom};
        let (mut f, meta) = open_with_metadata(path)?;
        let len = meta.len();
        if len <= WHOLE {
            let bytes = read_bounded(&mut f, Limit { bytes: WHOLE, what: "a file" })?;
            // A file that changed size while read is fingerprinted as it was read.
            return Ok(Self::finish(bytes.len() as u64, &[&bytes]));
        }
        let mut head = vec![0u8; SAMPLE as usize];
        let mut tail = vec![0u8; SAMPLE as usize];
        let nh = crate::probe::read_full(&mut f, &mut head)?;
        f.seek(SeekFrom::Start(len - SAMPLE))?;
        let nt = crate::probe::read_full(&mut f, &mut tail)?;
        Ok(Self::finish(len, &[&head[..nh], &tail[..nt]]))
    }

    /// The fingerprint of the `len` bytes at `offset` in `src` (a picture
    /// inside an MP3), as [`Fingerprint::of_file`] gives that of a file
    /// holding just them; `None` if `src` ends before they do.
    pub fn of_range<R: io::Read + io::Seek + ?Sized>(
        src: &mut R,
        offset: u64,
        len: u64,
    ) -> io::Result<Option<Fingerprint>> {
        let mut read = |at: u64, n: u64| -> io::Result<Option<Vec<u8>>> {
            let mut buf = vec![0u8; n as usize];
            src.seek(io::SeekFrom::Start(at))?;
            Ok((crate::probe::read_full(src, &mut buf)? == buf.len()).then_some(buf))
        };
        if len <= WHOLE {
            return Ok(read(offset, len)?.map(|b| Self::finish(len, &[&b])));
        }
        let Some(end) = offset.checked_add(len) else { return Ok(None) };
        let (Some(head), Some(tail)) = (read(offset, SAMPLE)?, read(end - SAMPLE, SAMPLE)?) else { return Ok(None) };
        Ok(Some(Self::finish(len, &[&head, &tail])))
    }

    fn finish(len: u64, parts: &[&[u8]]) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(len.to_le_bytes());
        for p in parts {
            h.update(p);
        }
        Fingerprint(h.finalize().into())
    }

    /// A SHA-256 digest computed elsewhere (a key of the build's memo).
    pub(crate) fn from_digest(digest: [u8; 32]) -> Fingerprint {
        Fingerprint(digest)
    }

    /// The digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The fingerprint written as `s` (64 lower-case hex digits), if it is one.
    pub fn parse(s: &str) -> Option<Fingerprint> {
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let digit = |b: u8| if b.is_ascii_digit() { b - b'0' } else { b - b'a' + 10 };
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
            *byte = digit(pair[0]) << 4 | digit(pair[1]);
        }
        Some(Fingerprint(out))
    }
}

impl Fingerprint {
    /// The 64 hex digits, without formatting machinery (records hold
    /// tens of thousands of them).
    fn hex(&self) -> [u8; 64] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (i, b) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(b >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(b & 15)];
        }
        out
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fingerprint, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Fingerprint::parse(&s).ok_or_else(|| serde::de::Error::custom("not a fingerprint (64 hex digits)"))
    }
}

/// What a look at a file tells, as far as podsmith uses it: small enough
/// to keep for every file of a big show (a build looks at each once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since 1970 (0 if unknown).
    pub mtime_ns: u128,
    /// Status-change time, nanoseconds since 1970 (Unix; else 0).
    pub ctime_ns: u128,
    /// Device and inode (Unix; else 0).
    pub dev: u64,
    /// See `dev`.
    pub ino: u64,
    /// A regular file (not a link).
    pub is_file: bool,
    /// A symbolic link (from a look that does not follow links).
    pub is_link: bool,
}

impl Status {
    /// The status in `meta`.
    pub fn of(meta: &fs::Metadata) -> Status {
        let mtime_ns = mtime_ns(meta);
        #[cfg(unix)]
        let (ctime_ns, dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            let ctime = u128::try_from(meta.ctime()).unwrap_or(0) * 1_000_000_000
                + u128::try_from(meta.ctime_nsec()).unwrap_or(0);
            (ctime, meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime_ns, dev, ino) = (0, 0, 0);
        Status {
            size: meta.len(),
            mtime_ns: mtime_ns.unwrap_or(0),
            ctime_ns,
            dev,
            ino,
            is_file: meta.is_file(),
            is_link: meta.file_type().is_symlink(),
        }
    }

    /// Size and modification time, if a regular file.
    pub fn stamp(&self) -> Option<(u64, u128)> {
        self.is_file.then_some((self.size, self.mtime_ns))
    }

    /// Inode and status-change time, where known (Unix).
    pub fn change(&self) -> Option<(u64, u128)> {
        (cfg!(unix) && self.ino != 0).then_some((self.ino, self.ctime_ns))
    }

    /// Whether `self` (a regular file) is the file `other` is: the same
    /// inode (Unix; elsewhere never known).
    pub fn same_file(&self, other: &Status) -> bool {
        cfg!(unix) && self.is_file && self.ino != 0 && (self.dev, self.ino) == (other.dev, other.ino)
    }
}

/// Size and modification time (nanoseconds since 1970) of a regular file,
/// from its metadata: the cheap look that tells a file is as it was.
pub fn size_and_time(meta: &fs::Metadata) -> Option<(u64, u128)> {
    meta.is_file().then_some((meta.len(), mtime_ns(meta)?))
}

/// Modification time in nanoseconds since 1970, if the system tells it.
pub fn mtime_ns(meta: &fs::Metadata) -> Option<u128> {
    Some(meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos())
}

/// FNV-1a, 64 bits: a cheap, stable hash for telling that something
/// changed (notes in `podsmith.lock`, a media file's ends in the probe
/// cache). Not for recognising files podsmith may delete: that is
/// [`Fingerprint`].
pub fn fnv64(bytes: &[u8]) -> u64 {
    fnv64_of(&[bytes])
}

/// [`fnv64`] of `parts` one after the other (as of their concatenation).
pub fn fnv64_of(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `path` as it is or will be: absolute, each existing part resolved
/// (links followed), the rest as written (`..` in it taken as written:
/// what does not exist yet holds no link).
/// A link that leads to nothing yet (`web -> /srv/www/podcast`, not made)
/// is followed to where it leads, as a write through it would go.
pub fn resolved(path: &Path) -> std::path::PathBuf {
    resolved_within(path, 40)
}

/// [`resolved`], following at most `hops` links that lead to nothing yet
/// (a loop of them is left as it is).
fn resolved_within(path: &Path, hops: usize) -> std::path::PathBuf {
    use std::path::Component;
    let mut real = std::env::current_dir().unwrap_or_default();
    for c in path.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => real.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                real.push(name);
                if let Ok(r) = real.canonicalize() {
                    real = r;
                } else if hops > 0
                    && let Ok(target) = std::fs::read_link(&real)
                {
                    // (Relative to the link's folder.)
                    let at = real.parent().map(Path::to_path_buf).unwrap_or_default();
                    real = resolved_within(&at.join(target), hops - 1);
                }
            }
        }
    }
    real
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link to what is not there yet is followed to where a write
    /// through it would go; a loop of them is left as it is.
    #[cfg(unix)]
    #[test]
    fn a_link_to_nothing_yet_resolves_to_where_it_leads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(root.join("out/site"), root.join("web")).unwrap();
        std::os::unix::fs::symlink("out", root.join("rel")).unwrap();
        assert_eq!(resolved(&root.join("web")), root.join("out/site"));
        assert_eq!(resolved(&root.join("web/x")), root.join("out/site/x"));
        assert_eq!(resolved(&root.join("rel/a")), root.join("out/a"));
        std::os::unix::fs::symlink("b", root.join("a")).unwrap();
        std::os::unix::fs::symlink("a", root.join("b")).unwrap();
        assert!(resolved(&root.join("a")).starts_with(&root));
    }

    #[test]
    fn devices_pipes_and_folders_are_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), MANIFEST).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a file");
        #[cfg(unix)]
        {
            let err = read(Path::new("/dev/zero"), MANIFEST).unwrap_err();
            assert_eq!(err.to_string(), "it is a device, not a file");
            let fifo = dir.path().join("fifo");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            // Opening a pipe with no writer would block forever.
            let err = read(&fifo, MANIFEST).unwrap_err();
            assert_eq!(err.to_string(), "it is a named pipe, not a file");
        }
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.md");
        fs::write(&p, vec![b'a'; 2000]).unwrap();
        let small = Limit { bytes: 1000, what: "show notes" };
        assert_eq!(
            read(&p, small).unwrap_err().to_string(),
            "it is 2 KB; podsmith reads at most 1000 bytes of show notes"
        );
        // A stream that does not say its size is cut off at the limit + 1 byte.
        let endless = std::io::repeat(b'x');
        let err = read_bounded(endless, small).unwrap_err();
        assert_eq!(err.to_string(), "it is larger; podsmith reads at most 1000 bytes of show notes");
        let limit = Limit { bytes: 16 << 20, what: "podsmith.lock" };
        assert_eq!(
            too_large(Some((16 << 20) + 1), limit).to_string(),
            "it is 16777217 bytes; podsmith reads at most 16777216 bytes (16 MB) of podsmith.lock"
        );
        assert_eq!(read(&p, Limit { bytes: 2000, what: "x" }).unwrap().len(), 2000);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.md");
        fs::write(&p, b"one\ntwo\nthr\xE9e\n").unwrap();
        let err = read_string(&p, NOTES).unwrap_err();
        assert_eq!(err.to_string(), "it is not UTF-8 text (line 3, byte 0xE9); save it as UTF-8");
    }

    #[test]
    fn a_file_and_its_bytes_have_the_same_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 10, WHOLE as usize, WHOLE as usize + 1, 3 << 20] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let p = dir.path().join(format!("f{len}"));
            fs::write(&p, &bytes).unwrap();
            assert_eq!(Fingerprint::of_file(&p).unwrap(), Fingerprint::of_bytes(&bytes), "{len}");
        }
        // Bytes inside a bigger file: as a file of their own; none past its end.
        let all: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 13 % 241) as u8).collect();
        let mut src = std::io::Cursor::new(&all);
        for (at, len) in [(0usize, 0usize), (5, 1000), (100, WHOLE as usize), (7, WHOLE as usize + 9), (3, 600 << 10)] {
            let got = Fingerprint::of_range(&mut src, at as u64, len as u64).unwrap();
            assert_eq!(got, Some(Fingerprint::of_bytes(&all[at..at + len])), "{at} {len}");
        }
        assert_eq!(Fingerprint::of_range(&mut src, (1 << 20) - 10, 11).unwrap(), None);
        assert_eq!(Fingerprint::of_range(&mut src, (1 << 20) - 10, 600 << 10).unwrap(), None);
        assert_eq!(Fingerprint::of_range(&mut src, u64::MAX - 5, 600 << 10).unwrap(), None);
        // The length is part of it; so is every byte of a small file.
        assert_ne!(Fingerprint::of_bytes(b"ab"), Fingerprint::of_bytes(b"ab\0"));
        assert_ne!(Fingerprint::of_bytes(b"ab"), Fingerprint::of_bytes(b"ac"));
        let fp = Fingerprint::of_bytes(b"x");
        assert_eq!(Fingerprint::parse(&fp.to_string()), Some(fp));
        assert_eq!(fp.to_string().len(), 64);
        assert_eq!(Fingerprint::parse("../../etc/passwd"), None);
    }

    #[test]
    fn same_content_compares_in_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let mut bytes = vec![1u8; 200_000];
        fs::write(&a, &bytes).unwrap();
        fs::write(&b, &bytes).unwrap();
        assert!(same_content(&a, &b).unwrap());
        bytes[150_000] = 2;
        fs::write(&b, &bytes).unwrap();
        assert!(!same_content(&a, &b).unwrap());
    }
}
