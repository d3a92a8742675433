//! Chapters an MP3 carries in its ID3v2 tag (`CHAP` frames, as Hindenburg,
//! Auphonic, Forecast, Podcast Chapters and ffmpeg write them): read by
//! walking the tag's frame headers, so a tag with a big picture costs a few
//! small reads, not the picture.
//!
//! Only ID3v2.3 and 2.4 have chapters. The tag may be damaged or crafted:
//! every size is checked against the tag and the file, a frame over 1 MiB
//! is skipped, at most 1,024 frames and 512 chapters are read, and a title
//! is cut to 1,000 characters.

use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};

/// A chapter as the MP3's tag gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedChapter {
    /// Start, in milliseconds.
    pub start_ms: u32,
    /// End, in milliseconds (`None` where the tag leaves it open).
    pub end_ms: Option<u32>,
    /// Its `TIT2` title (empty if it has none).
    pub title: String,
    /// Listed by the tag's top-level table of contents (`CTOC`), or there
    /// is none; `false`: a chapter the tag keeps out of its contents.
    #[serde(default = "listed")]
    pub toc: bool,
}

fn listed() -> bool {
    true
}

const MAX_FRAME: u64 = 1 << 20;
const MAX_FRAMES: usize = 1024;
pub(crate) const MAX_CHAPTERS: usize = 512;

/// The chapters in the ID3v2 tag at the start of `src` (of `len` bytes),
/// by start time; none if there is no such tag or it has none.
pub fn chapters<R: Read + Seek + ?Sized>(src: &mut R, len: u64) -> std::io::Result<Vec<TaggedChapter>> {
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
    // The top-level table of contents' entries, if the tag has one.
    let mut contents: Option<Vec<String>> = None;
    for _ in 0..MAX_FRAMES {
        let mut frame = [0u8; 10];
        if at + 10 > tag_end {
            break;
        }
        src.seek(SeekFrom::Start(at))?;
        if read_up_to(src, &mut frame)? < 10 || !frame[..4].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            break; // padding, or the end of what can be read
        }
        let size = frame_size(version, &frame[4..8]);
        let body_at = at + 10;
        at = body_at.saturating_add(size);
        if at > tag_end {
            break;
        }
        let wanted = (&frame[..4] == b"CHAP" && out.len() < MAX_CHAPTERS) || &frame[..4] == b"CTOC";
        if wanted && size <= MAX_FRAME {
            let mut body = vec![0u8; size as usize];
            src.seek(SeekFrom::Start(body_at))?;
            if read_up_to(src, &mut body)? != body.len() {
                continue;
            }
            match &frame[..4] {
                b"CHAP" => out.extend(chapter(version, &body)),
                _ => {
                    if let Some(entries) = top_level_entries(&body)
                        && contents.is_none()
                    {
                        contents = Some(entries);
                    }
                }
            }
        }
    }
    let mut chapters: Vec<TaggedChapter> = out
        .into_iter()
        .map(|(id, mut c)| {
            c.toc = contents.as_ref().is_none_or(|ids| ids.contains(&id));
            c
        })
        .collect();
    chapters.sort_by_key(|c| c.start_ms);
    Ok(chapters)
}

/// A `CTOC` frame's child element ids, if it is the top-level one:
/// element id, flags (0x02: top level), entry count, the entries.
fn top_level_entries(body: &[u8]) -> Option<Vec<String>> {
    let id_end = body.iter().position(|&b| b == 0)?;
    let flags = *body.get(id_end + 1)?;
    let count = usize::from(*body.get(id_end + 2)?);
    if flags & 0x02 == 0 {
        return None;
    }
    let mut rest = body.get(id_end + 3..)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let end = rest.iter().position(|&b| b == 0)?;
        entries.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        rest = &rest[end + 1..];
    }
    Some(entries)
}

/// A `CHAP` frame's body: element id, start and end (ms), byte offsets,
/// then sub-frames (its `TIT2` title).
fn chapter(version: u8, body: &[u8]) -> Option<(String, TaggedChapter)> {
    let id_end = body.iter().position(|&b| b == 0)?;
    let id = String::from_utf8_lossy(&body[..id_end]).into_owned();
    let times = body.get(id_end + 1..id_end + 17)?;
    let word = |i: usize| u32::from_be_bytes([times[i], times[i + 1], times[i + 2], times[i + 3]]);
    let (start_ms, end_ms) = (word(0), word(4));
    let mut title = String::new();
    let mut sub = &body[id_end + 17..];
    while sub.len() >= 10 {
        let size = frame_size(version, &sub[4..8]) as usize;
        let Some(content) = sub.get(10..10 + size) else { break };
        if &sub[..4] == b"TIT2" {
            title = text(content);
        }
        sub = &sub[10 + size..];
    }
    let end_ms = (end_ms != u32::MAX && end_ms > start_ms).then_some(end_ms);
    Some((id, TaggedChapter { start_ms, end_ms, title, toc: true }))
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
        chapters(&mut f, len).unwrap()
    }

    #[test]
    fn chapters_of_id3v23_and_v24_tags() {
        for name in ["chapters-id3v23.mp3", "chapters-id3v24.mp3"] {
            assert_eq!(
                of(name),
                [
                    TaggedChapter { start_ms: 0, end_ms: Some(2000), title: "Intro – Grüße".into(), toc: true },
                    TaggedChapter { start_ms: 2000, end_ms: Some(5000), title: "The interview".into(), toc: true },
                ],
                "{name}"
            );
        }
        assert_eq!(of("pair-5s.mp3"), []);
        assert_eq!(of("big-id3v2.mp3"), []);
    }

    #[test]
    fn damaged_tags_give_no_chapters_and_no_panic() {
        let good = std::fs::read(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/chapters-id3v23.mp3"),
        )
        .unwrap();
        // Every prefix, and every byte of the tag set to 0xFF in turn.
        for cut in 0..0x160 {
            let data = &good[..cut];
            let _ = chapters(&mut std::io::Cursor::new(data), data.len() as u64).unwrap();
        }
        for i in 0..0x160 {
            let mut data = good.clone();
            data[i] = 0xFF;
            let _ = chapters(&mut std::io::Cursor::new(&data), data.len() as u64).unwrap();
        }
    }

    #[test]
    fn a_chapter_the_top_level_contents_leave_out_is_not_in_the_table_of_contents() {
        // An ID3v2.3 tag: a top-level CTOC listing ch0 only, then ch0 and ch1.
        let frame = |id: &[u8], body: Vec<u8>| {
            let mut f = id.to_vec();
            f.extend((body.len() as u32).to_be_bytes());
            f.extend([0, 0]);
            f.extend(body);
            f
        };
        let chap = |id: &str, start: u32, end: u32| {
            let mut b = id.as_bytes().to_vec();
            b.push(0);
            for v in [start, end, u32::MAX, u32::MAX] {
                b.extend(v.to_be_bytes());
            }
            frame(b"CHAP", b)
        };
        let mut toc = b"toc\0".to_vec();
        toc.extend([0x03, 1]);
        toc.extend(b"ch0\0");
        let mut frames = frame(b"CTOC", toc);
        frames.extend(chap("ch0", 0, 1000));
        frames.extend(chap("ch1", 1000, 2000));
        let size = frames.len() as u32;
        let mut tag = b"ID3\x03\x00\x00".to_vec();
        tag.extend([(size >> 21) as u8 & 0x7f, (size >> 14) as u8 & 0x7f, (size >> 7) as u8 & 0x7f, size as u8 & 0x7f]);
        tag.extend(frames);
        let got = chapters(&mut std::io::Cursor::new(&tag), tag.len() as u64).unwrap();
        assert_eq!(got.iter().map(|c| (c.start_ms, c.toc)).collect::<Vec<_>>(), [(0, true), (1000, false)]);
    }
}
