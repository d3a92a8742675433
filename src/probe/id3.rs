//! Chapters an MP3 carries in its ID3v2 tag (`CHAP` frames, as Hindenburg,
//! Auphonic, Forecast, Podcast Chapters and ffmpeg write them), with each
//! chapter's link (a `WXXX` or other `W***` URL frame) and where its picture
//! (an `APIC` frame) is: read by walking the frame headers, so a tag with a
//! big picture costs a few small reads, not the picture.
//!
//! Only ID3v2.3 and 2.4 have chapters. The tag may be damaged or crafted:
//! every size is checked against the tag and the file, a `CTOC` frame over
//! 1 MiB and a title or link frame over 64 KiB are skipped (a picture is
//! only located, never read), at most 1,024 frames, 512 chapters and 64
//! frames in a chapter are read, the tables of contents are followed at
//! most 16 deep (once each), and a title is cut to 1,000 characters (a
//! link is kept to 2,001: one over 2,000 is not published).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};

use crate::fsutil::Fingerprint;

/// A chapter as the MP3's tag gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedChapter {
    /// Start, in milliseconds.
    pub start_ms: u32,
    /// End, in milliseconds (`None` where the tag leaves it open).
    pub end_ms: Option<u32>,
    /// Its `TIT2` title (empty if it has none).
    pub title: String,
    /// Listed by the tag's top-level table of contents (`CTOC`), directly
    /// or through the tables it lists, or there is none; `false`: a
    /// chapter the tag keeps out of its contents.
    #[serde(default = "listed")]
    pub toc: bool,
    /// Its link as the tag writes it: the first `WXXX` frame's URL, else
    /// the first other URL frame's (`WOAR` …); checked where it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where its picture (the first `APIC` frame) is in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
}

/// Where a chapter's picture is in the MP3, and what its first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// The offset of its first byte in the file.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Its format, by its first bytes.
    pub format: PictureFormat,
    /// Its fingerprint (see [`Fingerprint::of_range`]), for a JPEG or PNG
    /// podsmith can publish as it is: stored plainly (no compression,
    /// encryption or unsynchronisation), of at most [`MAX_PICTURE`] bytes,
    /// among the first [`PICTURES_READ`] bytes of pictures read in the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

impl Picture {
    /// The file name's extension it is published with, if it can be
    /// published (a plain JPEG or PNG, fingerprinted).
    pub fn published_as(&self) -> Option<(&'static str, Fingerprint)> {
        self.format.extension().zip(self.fingerprint)
    }
}

/// A picture's format, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PictureFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// Anything else (a GIF, a link to a picture: `-->`).
    Other,
}

impl PictureFormat {
    /// The file name's extension a JPEG or PNG is published with.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            PictureFormat::Jpeg => Some("jpg"),
            PictureFormat::Png => Some("png"),
            PictureFormat::Other => None,
        }
    }
}

fn listed() -> bool {
    true
}

const MAX_FRAME: u64 = 1 << 20;
const MAX_FRAMES: usize = 1024;
pub(crate) const MAX_CHAPTERS: usize = 512;
/// The largest title or link frame read.
const MAX_SUB_FRAME: u64 = 64 << 10;
/// The most frames read in one chapter.
const MAX_SUB_FRAMES: usize = 64;
/// The longest link published, in characters.
pub(crate) const MAX_LINK: usize = 2000;
/// How deep tables of contents are followed from the top-level one.
const MAX_DEPTH: usize = 16;
/// The biggest chapter picture published (bigger ones are left out).
pub const MAX_PICTURE: u64 = 4 << 20;
/// How many bytes of its chapters' pictures a tag is read for at most, to
/// fingerprint them (a picture is read whole up to 256 KiB, else its ends).
pub const PICTURES_READ: u64 = 16 << 20;

/// The chapters in the ID3v2 tag at the start of `src` (of `len` bytes),
/// by start time; none if there is no such tag or it has none. Up to
/// `picture_bytes` bytes of their pictures are read to fingerprint them
/// ([`PICTURES_READ`] for a file on disk; 0 for a hosted one, whose
/// pictures are not published).
pub fn chapters<R: Read + Seek + ?Sized>(
    src: &mut R,
    len: u64,
    picture_bytes: u64,
) -> std::io::Result<Vec<TaggedChapter>> {
    let mut header = [0u8; 10];
    src.seek(SeekFrom::Start(0))?;
    if len < 10 || read_up_to(src, &mut header)? < 10 || &header[..3] != b"ID3" {
        return Ok(Vec::new());
    }
    let (version, flags) = (header[3], header[5]);
    // Unsynchronised tags (rare) would need undoing first: left alone.
    if !(3..=4).contains(&version) || flags & 0x80 != 0 {
        return Ok(Vec::new());
    }
    let tag_end = (10 + syncsafe(&header[6..10])).min(len);
    let mut at = 10u64;
    if flags & 0x40 != 0 {
        // An extended header: its size (v2.3 without, v2.4 with its own 4 bytes).
        let mut size = [0u8; 4];
        src.seek(SeekFrom::Start(at))?;
        read_up_to(src, &mut size)?;
        at += if version == 4 { syncsafe(&size) } else { 4 + u64::from(u32::from_be_bytes(size)) };
    }
    let mut out: Vec<(String, TaggedChapter)> = Vec::new();
    let mut tables: Vec<Toc> = Vec::new();
    let mut budget = picture_bytes;
    for _ in 0..MAX_FRAMES {
        let Some(Frame { id, body_at, size, .. }) = frame_header(src, version, at, tag_end)? else { break };
        at = body_at + size;
        match &id {
            b"CHAP" if out.len() < MAX_CHAPTERS => out.extend(chapter(src, version, body_at, at, &mut budget)?),
            b"CTOC" if size <= MAX_FRAME => {
                if let Some(body) = read_at(src, body_at, size)? {
                    tables.extend(toc(&body));
                }
            }
            _ => {}
        }
    }
    let contents = listed_ids(&tables);
    let mut chapters: Vec<TaggedChapter> = out
        .into_iter()
        .map(|(id, mut c)| {
            c.toc = contents.as_ref().is_none_or(|ids| ids.contains(id.as_str()));
            c
        })
        .collect();
    chapters.sort_by_key(|c| c.start_ms);
    Ok(chapters)
}

/// A frame's header, read.
struct Frame {
    id: [u8; 4],
    /// Where its body is.
    body_at: u64,
    /// Its body's size.
    size: u64,
    /// Whether its body is stored as it is (its format flags clear: not
    /// compressed, encrypted, grouped or unsynchronised, no data length
    /// indicator).
    plain: bool,
}

/// The frame whose header is at `at`, if one is there and ends by `end`.
fn frame_header<R: Read + Seek + ?Sized>(
    src: &mut R,
    version: u8,
    at: u64,
    end: u64,
) -> std::io::Result<Option<Frame>> {
    let mut frame = [0u8; 10];
    if at.saturating_add(10) > end {
        return Ok(None);
    }
    src.seek(SeekFrom::Start(at))?;
    if read_up_to(src, &mut frame)? < 10 || !frame[..4].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Ok(None); // padding, or the end of what can be read
    }
    let size = frame_size(version, &frame[4..8]);
    let body_at = at + 10;
    if body_at.saturating_add(size) > end {
        return Ok(None);
    }
    Ok(Some(Frame { id: [frame[0], frame[1], frame[2], frame[3]], body_at, size, plain: frame[9] == 0 }))
}

/// `len` bytes at `at`, if there are so many.
fn read_at<R: Read + Seek + ?Sized>(src: &mut R, at: u64, len: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut body = vec![0u8; len as usize];
    src.seek(SeekFrom::Start(at))?;
    Ok((read_up_to(src, &mut body)? == body.len()).then_some(body))
}

/// A table of contents (`CTOC` frame): its element id, whether it is the
/// top-level one, its child elements (chapters or other tables).
#[derive(Debug)]
struct Toc {
    id: String,
    top: bool,
    children: Vec<String>,
}

/// A `CTOC` frame's body: element id, flags (0x02: top level), entry
/// count, the entries (then sub-frames, not read).
fn toc(body: &[u8]) -> Option<Toc> {
    let id_end = body.iter().position(|&b| b == 0)?;
    let flags = *body.get(id_end + 1)?;
    let count = usize::from(*body.get(id_end + 2)?);
    let mut rest = body.get(id_end + 3..)?;
    let mut children = Vec::with_capacity(count);
    for _ in 0..count {
        let end = rest.iter().position(|&b| b == 0)?;
        children.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        rest = &rest[end + 1..];
    }
    let id = String::from_utf8_lossy(&body[..id_end]).into_owned();
    Some(Toc { id, top: flags & 0x02 != 0, children })
}

/// The element ids the tag's table of contents lists, if it has one: the
/// first top-level table's children, and the children of the tables it
/// lists, and so on (a table's children may be tables: the ID3v2 Chapter
/// Frame Addendum's hierarchical table of contents). Each table is
/// followed once (a tag may list a table inside itself), at most
/// [`MAX_DEPTH`] deep.
fn listed_ids(tables: &[Toc]) -> Option<HashSet<&str>> {
    let top = tables.iter().find(|t| t.top)?;
    let mut by_id: HashMap<&str, &Toc> = HashMap::new();
    for t in tables {
        by_id.entry(t.id.as_str()).or_insert(t);
    }
    let mut listed = HashSet::new();
    let mut followed = HashSet::from([top.id.as_str()]);
    let mut todo = vec![(top, 0)];
    while let Some((table, depth)) = todo.pop() {
        for child in &table.children {
            match by_id.get(child.as_str()) {
                Some(t) => {
                    if depth + 1 < MAX_DEPTH && followed.insert(t.id.as_str()) {
                        todo.push((t, depth + 1));
                    }
                }
                None => {
                    listed.insert(child.as_str());
                }
            }
        }
    }
    Some(listed)
}

/// A `CHAP` frame, its body at `at..end`: element id, start and end (ms),
/// byte offsets, then sub-frames (its `TIT2` title, its link, its picture:
/// fingerprinted while `budget` bytes are left to read).
fn chapter<R: Read + Seek + ?Sized>(
    src: &mut R,
    version: u8,
    at: u64,
    end: u64,
    budget: &mut u64,
) -> std::io::Result<Option<(String, TaggedChapter)>> {
    // The element id (a short text: those over a few hundred bytes are damage), the times.
    let Some(head) = read_at(src, at, (end - at).min(1024))? else { return Ok(None) };
    let Some(id_end) = head.iter().position(|&b| b == 0) else { return Ok(None) };
    let Some(times) = head.get(id_end + 1..id_end + 17) else { return Ok(None) };
    let id = String::from_utf8_lossy(&head[..id_end]).into_owned();
    let word = |i: usize| u32::from_be_bytes([times[i], times[i + 1], times[i + 2], times[i + 3]]);
    let (start_ms, end_ms) = (word(0), word(4));
    // (An end at or before the start is kept as the tag has it: the
    // chapters are made fit to publish, and what was wrong said, later.)
    let end_ms = (end_ms != u32::MAX).then_some(end_ms);
    let mut c = TaggedChapter { start_ms, end_ms, title: String::new(), toc: true, url: None, picture: None };
    let (mut sub, mut other_url) = (at + id_end as u64 + 17, None);
    for _ in 0..MAX_SUB_FRAMES {
        let Some(Frame { id, body_at, size, plain }) = frame_header(src, version, sub, end)? else { break };
        sub = body_at + size;
        match &id {
            b"APIC" if c.picture.is_none() => {
                c.picture = picture(src, body_at, size)?;
                if let Some(p) = c.picture.as_mut().filter(|p| plain && p.format.extension().is_some()) {
                    fingerprint(src, p, budget)?;
                }
            }
            b"TIT2" | b"WXXX" | [b'W', ..] if size <= MAX_SUB_FRAME => {
                let Some(body) = read_at(src, body_at, size)? else { break };
                match &id {
                    b"TIT2" => c.title = text(&body),
                    b"WXXX" => c.url = c.url.take().or_else(|| user_link(&body)),
                    _ => other_url = other_url.or_else(|| link(&body)),
                }
            }
            _ => {}
        }
    }
    c.url = c.url.or(other_url);
    Ok(Some((id, c)))
}

/// Where an `APIC` frame's picture (its body at `at`, of `size` bytes) is,
/// and its format: text encoding, MIME type, picture type, description,
/// then the picture. Its first bytes are read, not the rest.
fn picture<R: Read + Seek + ?Sized>(src: &mut R, at: u64, size: u64) -> std::io::Result<Option<Picture>> {
    let Some(head) = read_at(src, at, size.min(2048))? else { return Ok(None) };
    let Some((&encoding, rest)) = head.split_first() else { return Ok(None) };
    let Some(mime_end) = rest.iter().position(|&b| b == 0) else { return Ok(None) };
    // After the MIME type's NUL, the picture type, then the description.
    let Some(description) = rest.get(mime_end + 2..) else { return Ok(None) };
    let Some(description_len) = terminated(encoding, description) else { return Ok(None) };
    let data_at = (1 + mime_end + 2 + description_len) as u64;
    let Some(len) = size.checked_sub(data_at).filter(|&n| n > 0) else { return Ok(None) };
    let first = match head.get(data_at as usize..).filter(|b| b.len() >= 8) {
        Some(b) => b[..8].to_vec(),
        None => read_at(src, at + data_at, len.min(8))?.unwrap_or_default(),
    };
    let format = match crate::validate::art::sniff(&first) {
        crate::validate::art::Format::Jpeg => PictureFormat::Jpeg,
        crate::validate::art::Format::Png => PictureFormat::Png,
        _ => PictureFormat::Other,
    };
    Ok(Some(Picture { offset: at + data_at, len, format, fingerprint: None }))
}

/// Fingerprints picture `p` if it is small enough and `budget` (bytes left
/// to read for the tag's pictures) allows; takes what is read from it.
fn fingerprint<R: Read + Seek + ?Sized>(src: &mut R, p: &mut Picture, budget: &mut u64) -> std::io::Result<()> {
    let reads = Fingerprint::reads(p.len);
    if p.len > MAX_PICTURE || reads > *budget {
        return Ok(());
    }
    *budget -= reads;
    p.fingerprint = Fingerprint::of_range(src, p.offset, p.len)?;
    Ok(())
}

/// The length of a text in `encoding` that ends with its terminator (one
/// NUL, two for UTF-16), terminator included; `None` if it has none.
fn terminated(encoding: u8, bytes: &[u8]) -> Option<usize> {
    match encoding {
        1 | 2 => bytes.chunks_exact(2).position(|p| p == [0, 0]).map(|units| units * 2 + 2),
        _ => bytes.iter().position(|&b| b == 0).map(|n| n + 1),
    }
}

/// A `WXXX` frame's link: text encoding, description, then the URL
/// (ISO-8859-1).
fn user_link(body: &[u8]) -> Option<String> {
    let (&encoding, rest) = body.split_first()?;
    link(rest.get(terminated(encoding, rest)?..)?)
}

/// A URL frame's link (ISO-8859-1), up to a NUL; none if empty. One over
/// [`MAX_LINK`] characters is cut one past it (and so refused where it
/// would be published).
fn link(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let s: String = bytes[..end].iter().map(|&b| char::from(b)).collect();
    Some(s.trim().chars().take(MAX_LINK + 1).collect::<String>()).filter(|s| !s.is_empty())
}

/// A text frame's content: its encoding byte, then the text.
fn text(content: &[u8]) -> String {
    let Some((&encoding, bytes)) = content.split_first() else { return String::new() };
    let s = match encoding {
        0 => bytes.iter().map(|&b| char::from(b)).collect(),
        1 | 2 => {
            let (big_endian, bytes) = match bytes {
                [0xFF, 0xFE, rest @ ..] => (false, rest),
                [0xFE, 0xFF, rest @ ..] => (true, rest),
                _ => (encoding == 2, bytes),
            };
            let units = bytes.chunks_exact(2).map(|p| match big_endian {
                true => u16::from_be_bytes([p[0], p[1]]),
                false => u16::from_le_bytes([p[0], p[1]]),
            });
            char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let s = s.trim_end_matches('\0');
    // Several values are separated by NUL: the first is the title.
    let first = s.split('\0').next().unwrap_or_default().trim();
    crate::text::truncate_chars(first, 1000)
}

fn syncsafe(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 7) | u64::from(x & 0x7f))
}

fn frame_size(version: u8, b: &[u8]) -> u64 {
    match version {
        4 => syncsafe(b),
        _ => u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
    }
}

/// Reads into `buf` until it is full or the source ends; how much was read.
fn read_up_to<R: Read + ?Sized>(src: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(name: &str) -> Vec<TaggedChapter> {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name);
        let mut f = std::fs::File::open(&path).unwrap();
        let len = f.metadata().unwrap().len();
        chapters(&mut f, len, PICTURES_READ).unwrap()
    }

    #[test]
    fn chapters_of_id3v23_and_v24_tags() {
        for name in ["chapters-id3v23.mp3", "chapters-id3v24.mp3"] {
            assert_eq!(
                of(name),
                [
                    TaggedChapter { end_ms: Some(2000), ..plain(0, "Intro – Grüße") },
                    TaggedChapter { end_ms: Some(5000), ..plain(2000, "The interview") },
                ],
                "{name}"
            );
        }
        assert_eq!(of("pair-5s.mp3"), []);
        assert_eq!(of("big-id3v2.mp3"), []);
    }

    /// A cut or damaged tag is no error and no panic: a tag cut short
    /// gives the chapters read whole before the cut, one whole gives its
    /// two; a byte damaged anywhere gives at most two (their times may be
    /// wild: `Chapters::repair` makes them fit the audio).
    #[test]
    fn damaged_tags_give_at_most_their_chapters_and_no_panic() {
        let good = std::fs::read(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/chapters-id3v23.mp3"),
        )
        .unwrap();
        let whole = chapters(&mut std::io::Cursor::new(&good), good.len() as u64, PICTURES_READ).unwrap();
        assert_eq!(whole.len(), 2);
        // The tag's size: its header's ten bytes and the syncsafe size after.
        let tag = 10 + good[6..10].iter().fold(0usize, |n, &b| n << 7 | usize::from(b));
        assert!(tag < 0x160);
        // Every prefix, and every byte of the tag set to 0xFF in turn.
        for cut in 0..0x160 {
            let data = &good[..cut];
            let got = chapters(&mut std::io::Cursor::new(data), data.len() as u64, PICTURES_READ).unwrap();
            match cut < tag {
                true => assert!(whole.starts_with(&got), "cut at {cut}: {got:?}"),
                false => assert_eq!(got, whole, "cut at {cut}"),
            }
        }
        for i in 0..0x160 {
            let mut data = good.clone();
            data[i] = 0xFF;
            let got = chapters(&mut std::io::Cursor::new(&data), data.len() as u64, PICTURES_READ).unwrap();
            assert!(got.len() <= 2, "byte {i}: {got:?}");
        }
    }

    fn plain(start_ms: u32, title: &str) -> TaggedChapter {
        TaggedChapter { start_ms, end_ms: None, title: title.into(), toc: true, url: None, picture: None }
    }

    /// An ID3v2.3 frame.
    fn frame(id: &[u8], body: Vec<u8>) -> Vec<u8> {
        let mut f = id.to_vec();
        f.extend((body.len() as u32).to_be_bytes());
        f.extend([0, 0]);
        f.extend(body);
        f
    }

    /// A `CHAP` frame with these sub-frames.
    fn chap(id: &str, start: u32, end: u32, subs: &[Vec<u8>]) -> Vec<u8> {
        let mut b = id.as_bytes().to_vec();
        b.push(0);
        for v in [start, end, u32::MAX, u32::MAX] {
            b.extend(v.to_be_bytes());
        }
        b.extend(subs.concat());
        frame(b"CHAP", b)
    }

    /// A `CTOC` frame (top level or not) listing `children`.
    fn ctoc(id: &str, top: bool, children: &[&str]) -> Vec<u8> {
        let mut b = format!("{id}\0").into_bytes();
        b.extend([if top { 0x03 } else { 0x01 }, children.len() as u8]);
        for c in children {
            b.extend(c.as_bytes());
            b.push(0);
        }
        frame(b"CTOC", b)
    }

    /// The chapters of an ID3v2.3 tag of these frames.
    fn of_frames(frames: &[Vec<u8>]) -> Vec<TaggedChapter> {
        let frames = frames.concat();
        let size = frames.len() as u32;
        let mut tag = b"ID3\x03\x00\x00".to_vec();
        tag.extend([(size >> 21) as u8 & 0x7f, (size >> 14) as u8 & 0x7f, (size >> 7) as u8 & 0x7f, size as u8 & 0x7f]);
        tag.extend(frames);
        chapters(&mut std::io::Cursor::new(&tag), tag.len() as u64, PICTURES_READ).unwrap()
    }

    fn listed(got: &[TaggedChapter]) -> Vec<(u32, bool)> {
        got.iter().map(|c| (c.start_ms, c.toc)).collect()
    }

    #[test]
    fn a_chapter_the_top_level_contents_leave_out_is_not_in_the_table_of_contents() {
        let got = of_frames(&[ctoc("toc", true, &["ch0"]), chap("ch0", 0, 1000, &[]), chap("ch1", 1000, 2000, &[])]);
        assert_eq!(listed(&got), [(0, true), (1000, false)]);
    }

    /// The top-level table may list tables, which list chapters (the
    /// Chapter Frame Addendum's hierarchical table of contents): those
    /// chapters are in the table of contents; one no table reached is not.
    #[test]
    fn chapters_listed_through_a_nested_table_are_in_the_table_of_contents() {
        let got = of_frames(&[
            ctoc("toc", true, &["ch0", "part"]),
            ctoc("part", false, &["ch1", "inner"]),
            ctoc("inner", false, &["ch2"]),
            ctoc("aside", false, &["ch3"]),
            chap("ch0", 0, 1000, &[]),
            chap("ch1", 1000, 2000, &[]),
            chap("ch2", 2000, 3000, &[]),
            chap("ch3", 3000, 4000, &[]),
        ]);
        assert_eq!(listed(&got), [(0, true), (1000, true), (2000, true), (3000, false)]);
    }

    /// Tables that list each other (or themselves) are followed once each;
    /// a chain of tables is followed at most [`MAX_DEPTH`] deep.
    #[test]
    fn tables_of_contents_in_a_cycle_or_too_deep_end() {
        let got = of_frames(&[
            ctoc("toc", true, &["a", "toc"]),
            ctoc("a", false, &["b", "a", "ch0"]),
            ctoc("b", false, &["toc", "a", "ch1"]),
            chap("ch0", 0, 1000, &[]),
            chap("ch1", 1000, 2000, &[]),
        ]);
        assert_eq!(listed(&got), [(0, true), (1000, true)]);
        // t0 (top) -> t1 -> … -> t19, table tN listing chapter cN.
        let mut frames: Vec<Vec<u8>> = (0..20)
            .map(|n| {
                let (next, chapter) = (format!("t{}", n + 1), format!("c{n}"));
                ctoc(&format!("t{n}"), n == 0, &[&chapter, &next])
            })
            .collect();
        frames.extend((0..20).map(|n| chap(&format!("c{n}"), n * 1000, n * 1000 + 1000, &[])));
        let got = of_frames(&frames);
        let deep = |n: u32| n < MAX_DEPTH as u32;
        assert_eq!(listed(&got), (0..20).map(|n| (n * 1000, deep(n))).collect::<Vec<_>>());
    }

    /// A chapter's link: its `WXXX` frame's (whatever the description's
    /// encoding), else another URL frame's; its picture: where the `APIC`
    /// frame's picture is, its format by its first bytes, and (stored
    /// plainly) its fingerprint.
    #[test]
    fn a_chapters_link_and_picture_are_read() {
        let text = |s: &str| frame(b"TIT2", [&[3u8][..], s.as_bytes()].concat());
        let wxxx = |encoding: u8, description: &[u8], url: &str| {
            frame(b"WXXX", [&[encoding][..], description, url.as_bytes()].concat())
        };
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6];
        let apic = frame(b"APIC", [&b"\0image/jpeg\0\x03\0"[..], &jpeg].concat());
        let utf16_apic = frame(b"APIC", [&b"\x01image/png\0\x03\xff\xfea\0\0\0"[..], b"GIF89a.."].concat());
        // The same JPEG, its frame flagged as compressed (v2.3: 0x80).
        let mut compressed = apic.clone();
        compressed[9] = 0x80;
        let frames = [
            chap("ch0", 0, 1000, &[text("A"), wxxx(0, b"\0", "https://example.org/a"), apic.clone()]),
            chap("ch1", 1000, 2000, &[wxxx(1, b"\xff\xfed\0\0\0", "https://example.org/b\0"), utf16_apic]),
            chap("ch2", 2000, 3000, &[frame(b"WOAR", b"https://example.org/c".to_vec()), wxxx(3, b"d\0", "ftp://x")]),
            chap("ch3", 3000, 4000, &[frame(b"WOAR", b" https://example.org/d ".to_vec()), text("D"), compressed]),
        ];
        let got = of_frames(&frames);
        let links: Vec<_> = got.iter().map(|c| (c.title.as_str(), c.url.as_deref())).collect();
        assert_eq!(
            links,
            [
                ("A", Some("https://example.org/a")),
                ("", Some("https://example.org/b")),
                ("", Some("ftp://x")),
                ("D", Some("https://example.org/d")),
            ]
        );
        let tag_start = 10 + 10; // the tag's header, the CHAP frame's
        let at = tag_start + 4 + 16 + text("A").len() + wxxx(0, b"\0", "https://example.org/a").len() + 10 + 14;
        // A plain JPEG or PNG is fingerprinted (to be published), as a file of its bytes would be.
        let fingerprint = Fingerprint::of_bytes(&jpeg);
        let jpeg_at =
            Picture { offset: at as u64, len: 10, format: PictureFormat::Jpeg, fingerprint: Some(fingerprint) };
        assert_eq!(got[0].picture, Some(jpeg_at));
        assert_eq!(got[0].picture.and_then(|p| p.published_as()), Some(("jpg", fingerprint)));
        assert_eq!(got[1].picture.map(|p| (p.len, p.format, p.fingerprint)), Some((8, PictureFormat::Other, None)));
        assert_eq!(got[2].picture, None);
        assert_eq!(got[3].picture.map(|p| (p.format, p.published_as())), Some((PictureFormat::Jpeg, None)));
    }
}
