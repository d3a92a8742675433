//! What symphonia does not tell about an M4A: the edit list (the encoder's
//! priming samples are not part of the episode) and whether the file holds
//! all the media data its boxes promise. Reads box headers and the `moov`
//! box only.

use std::io::{self, Read, Seek, SeekFrom};

/// The biggest `moov` read (an hour of AAC has a ~700 KB moov).
const MAX_MOOV: u64 = 64 * 1024 * 1024;

/// What the boxes say.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Boxes {
    /// Presented duration from the audio track's edit list, in seconds.
    pub edited_secs: Option<f64>,
    /// The media data box (`mdat`) promises more bytes than the file has:
    /// (bytes promised, bytes present).
    pub mdat_cut: Option<(u64, u64)>,
    /// A top-level box runs past the end of the file.
    pub cut: bool,
    /// The file has a `moov` box.
    pub has_moov: bool,
}

fn be32(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4).map(|x| u64::from(u32::from_be_bytes([x[0], x[1], x[2], x[3]])))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|x| u64::from_be_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]))
}

/// Reads the top-level boxes of `src` (length `len`) and leaves it at its start.
pub fn read_boxes<R: Read + Seek + ?Sized>(src: &mut R, len: u64) -> io::Result<Boxes> {
    let mut out = Boxes::default();
    let mut pos = 0u64;
    let mut moov: Option<Vec<u8>> = None;
    while pos + 8 <= len {
        src.seek(SeekFrom::Start(pos))?;
        let mut h = [0u8; 16];
        let n = super::read_full(src, &mut h)?;
        if n < 8 {
            break;
        }
        let mut size = be32(&h, 0).unwrap_or(0);
        let kind = [h[4], h[5], h[6], h[7]];
        let mut header = 8;
        if size == 1 && n >= 16 {
            size = be64(&h, 8).unwrap_or(0);
            header = 16;
        } else if size == 0 {
            size = len - pos; // to the end of the file
        }
        if size < header {
            break;
        }
        if pos + size > len {
            out.cut = true;
            if &kind == b"mdat" {
                out.mdat_cut = Some((size - header, len - pos - header));
            }
            break;
        }
        if &kind == b"moov" && size - header <= MAX_MOOV {
            let mut body = vec![0u8; (size - header) as usize];
            src.seek(SeekFrom::Start(pos + header))?;
            super::read_full(src, &mut body)?;
            moov = Some(body);
        }
        pos += size;
    }
    src.seek(SeekFrom::Start(0))?;
    if let Some(moov) = moov {
        out.has_moov = true;
        out.edited_secs = edited_duration(&moov);
    }
    Ok(out)
}

/// Children of a box body: (type, body).
fn children(body: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 8 <= body.len() {
        let mut size = be32(body, pos).unwrap_or(0) as usize;
        let kind = [body[pos + 4], body[pos + 5], body[pos + 6], body[pos + 7]];
        let mut header = 8;
        if size == 1 {
            size = be64(body, pos + 8).unwrap_or(0) as usize;
            header = 16;
        } else if size == 0 {
            size = body.len() - pos;
        }
        if size < header || pos + size > body.len() {
            break;
        }
        out.push((kind, &body[pos + header..pos + size]));
        pos += size;
    }
    out
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(body).into_iter().find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// The sound track's presented duration: its edit list, in movie time.
fn edited_duration(moov: &[u8]) -> Option<f64> {
    let mvhd = child(moov, b"mvhd")?;
    let movie_scale = if mvhd.first() == Some(&1) { be32(mvhd, 20)? } else { be32(mvhd, 12)? };
    if movie_scale == 0 {
        return None;
    }
    for (kind, trak) in children(moov) {
        if &kind != b"trak" {
            continue;
        }
        let mdia = child(trak, b"mdia")?;
        let handler = child(mdia, b"hdlr").and_then(|h| h.get(8..12));
        if handler != Some(b"soun") {
            continue;
        }
        let elst = child(trak, b"edts").and_then(|e| child(e, b"elst"))?;
        let v1 = elst.first() == Some(&1);
        let count = be32(elst, 4)? as usize;
        let entry = if v1 { 20 } else { 12 };
        let mut total = 0u64;
        for i in 0..count.min(1024) {
            let at = 8 + i * entry;
            let (duration, media_time) = if v1 {
                (be64(elst, at)?, be64(elst, at + 8)? as i64)
            } else {
                (be32(elst, at)?, i64::from(be32(elst, at + 4)? as u32 as i32))
            };
            if media_time != -1 {
                total += duration;
            }
        }
        return (total > 0).then(|| total as f64 / movie_scale as f64);
    }
    None
}
