//! What symphonia does not tell about an MP3: the seek header in its first
//! frame (Xing, Info or VBRI, with the byte count it promises), the tags
//! around the audio, and whether the stream is free-format. Read with a few
//! small reads before symphonia sees the file.

use std::io::{self, Read, Seek, SeekFrom};

/// The first frame's seek header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Head {
    /// `Xing` (VBR), `Info` (CBR, as LAME writes it) or `VBRI`.
    pub kind: Option<&'static str>,
    /// The byte count the header promises (from the header's frame on).
    pub bytes: Option<u64>,
    /// Where the audio starts (after ID3v2 tags and junk up to the first frame).
    pub audio_start: u64,
    /// Bytes of tags after the audio (ID3v1, APEv2, Lyrics3).
    pub tail_tags: u64,
    /// The first frame says bitrate index 0: free-format, which symphonia cannot read.
    pub free_format: bool,
    /// Whether the bytes look like MPEG audio at all (a frame sync where the audio starts).
    pub has_sync: bool,
}

/// The last bytes of the file read for tags after the audio.
const TAIL: usize = 8192;

/// A 4-byte MPEG audio frame header: (frame length in bytes, is layer III).
/// `None` if `h` is not a valid header.
pub fn frame_len(h: &[u8]) -> Option<(usize, bool)> {
    if h.len() < 4 || h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    if version == 1 || layer == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let padding = usize::from((h[2] >> 1) & 1);
    const RATES: [[u32; 3]; 4] = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];
    let rate = RATES[usize::from(version)][rate_index];
    // Layer III bitrates (kbit/s) for MPEG-1, and for MPEG-2/2.5.
    const L3_V1: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    const L3_V2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    if layer != 1 {
        // Layers I and II: not podcast audio; only the sync matters here.
        return Some((0, false));
    }
    let kbps = if version == 3 { L3_V1[bitrate_index] } else { L3_V2[bitrate_index] };
    if kbps == 0 {
        return Some((0, true)); // free format: length unknown
    }
    let per_frame = if version == 3 { 144 } else { 72 };
    Some(((per_frame * kbps * 1000 / rate) as usize + padding, true))
}

/// The bytes at `at..at + n` of the source: from `head` (the file's first
/// bytes, already read) when it holds them, else read.
fn bytes_at<'h, R: Read + Seek + ?Sized>(
    src: &mut R,
    head: &'h [u8],
    at: u64,
    n: usize,
) -> io::Result<std::borrow::Cow<'h, [u8]>> {
    if let Some(inside) = usize::try_from(at).ok().and_then(|at| head.get(at..at.checked_add(n)?)) {
        return Ok(std::borrow::Cow::Borrowed(inside));
    }
    src.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; n];
    let got = super::read_full(src, &mut buf)?;
    buf.truncate(got);
    Ok(std::borrow::Cow::Owned(buf))
}

/// The first frame in `buf`: a layer III header followed by another
/// header where the frame ends (or by the end of `buf`'s data when `buf`
/// is all there is).
fn first_frame(buf: &[u8], all: bool) -> Option<usize> {
    (0..buf.len().saturating_sub(3)).find(|&i| {
        frame_len(&buf[i..]).is_some_and(|(len, l3)| {
            l3 && (len == 0
                || match buf.get(i + len..i + len + 4) {
                    Some(next) => frame_len(next).is_some(),
                    None => all,
                })
        })
    })
}

/// Reads the head and tail of a possible MP3 (`head`: its first bytes,
/// already read) and leaves `src` at its start.
pub fn read_head<R: Read + Seek + ?Sized>(src: &mut R, len: u64, head_bytes: &[u8]) -> io::Result<Head> {
    let mut head = Head::default();
    let mut start = 0u64;
    // ID3v2 tags (there may be several, one after another).
    loop {
        let h = bytes_at(src, head_bytes, start, 10)?;
        if h.len() < 10 || &h[..3] != b"ID3" {
            break;
        }
        let size = h[6..10].iter().fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7f));
        start += 10 + size + if h[5] & 0x10 != 0 { 10 } else { 0 };
    }
    // Up to 64 KiB of junk before the first frame (as symphonia tolerates):
    // first in a short read, then in the whole 64 KiB.
    let mut found = None;
    for n in [8 * 1024usize, 64 * 1024 + 4] {
        let buf = bytes_at(src, head_bytes, start, n)?;
        let all = start + (buf.len() as u64) >= len;
        // In the last try, a frame whose successor lies past the 64 KiB counts.
        if let Some(i) = first_frame(&buf, all || n > 8 * 1024) {
            found = Some((i, buf.into_owned()));
            break;
        }
        if all {
            break;
        }
    }
    if let Some((i, buf)) = found {
        head.has_sync = true;
        head.audio_start = start + i as u64;
        let frame = &buf[i..buf.len().min(i + 200)];
        head.free_format = frame_len(frame) == Some((0, true));
        for (tag, name) in [(&b"Xing"[..], "Xing"), (&b"Info"[..], "Info"), (&b"VBRI"[..], "VBRI")] {
            if let Some(at) = frame.windows(4).position(|w| w == tag) {
                head.kind = Some(name);
                let field =
                    |o: usize| frame.get(o..o + 4).map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])));
                head.bytes = if name == "VBRI" {
                    field(at + 10)
                } else {
                    let flags = field(at + 4).unwrap_or(0);
                    let bytes_at = at + 8 + if flags & 1 != 0 { 4 } else { 0 };
                    if flags & 2 != 0 { field(bytes_at) } else { None }
                };
                break;
            }
        }
    }
    // The tail: tags after the audio.
    let tail_len = (len.min(TAIL as u64)) as usize;
    src.seek(SeekFrom::Start(len - tail_len as u64))?;
    let mut tail = vec![0u8; tail_len];
    let got = super::read_full(src, &mut tail)?;
    tail.truncate(got);
    head.tail_tags = tail_tags(&tail);
    src.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// Bytes of ID3v1, APEv2 and Lyrics3 tags at the end of `tail`.
fn tail_tags(tail: &[u8]) -> u64 {
    let mut end = tail.len();
    let mut total = 0u64;
    for _ in 0..3 {
        if end >= 128 && &tail[end - 128..end - 125] == b"TAG" {
            end -= 128;
            total += 128;
            continue;
        }
        if end >= 32 && &tail[end - 32..end - 24] == b"APETAGEX" {
            let f = &tail[end - 32..end];
            let size = u64::from(u32::from_le_bytes([f[12], f[13], f[14], f[15]]));
            let has_header = f[23] & 0x80 != 0;
            let whole = size + if has_header { 32 } else { 0 };
            if whole as usize <= end {
                end -= whole as usize;
                total += whole;
                continue;
            }
        }
        if end >= 15
            && &tail[end - 9..end] == b"LYRICS200"
            && let Ok(size) = std::str::from_utf8(&tail[end - 15..end - 9]).unwrap_or("x").parse::<usize>()
            && size + 15 <= end
        {
            end -= size + 15;
            total += (size + 15) as u64;
            continue;
        }
        break;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lengths() {
        // MPEG-1 layer III 128 kbit/s 44.1 kHz, no padding: 417 bytes.
        assert_eq!(frame_len(&[0xFF, 0xFB, 0x90, 0x00]), Some((417, true)));
        // MPEG-2 layer III 64 kbit/s 22.05 kHz: 208 bytes.
        assert_eq!(frame_len(&[0xFF, 0xF3, 0x80, 0x00]), Some((208, true)));
        // Free format.
        assert_eq!(frame_len(&[0xFF, 0xFB, 0x00, 0x00]), Some((0, true)));
        assert_eq!(frame_len(b"<htm"), None);
    }

    #[test]
    fn tags_at_the_end_are_measured() {
        let mut tail = vec![0u8; 1000];
        tail.extend_from_slice(b"TAG");
        tail.extend_from_slice(&[0u8; 125]);
        assert_eq!(tail_tags(&tail), 128);
        assert_eq!(tail_tags(&[0u8; 10]), 0);
    }
}

/// What walking an MP3's frames found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Walk {
    /// Decoded samples per channel the frames hold (before any delay trim).
    pub samples: u64,
    /// Audio frames.
    pub frames: u64,
    /// Sample rate of the frames.
    pub sample_rate: u32,
    /// The bitrate changes from frame to frame.
    pub vbr: bool,
    /// The last frame runs past the end of the data: the file was cut.
    pub truncated: bool,
}

/// Samples per frame for a header: layer III has 1152 (MPEG-1) or 576
/// (MPEG-2/2.5); layers I and II 384 and 1152.
fn samples_per_frame(h: &[u8]) -> u64 {
    let version = (h[1] >> 3) & 3;
    match (h[1] >> 1) & 3 {
        1 if version == 3 => 1152,
        1 => 576,
        2 => 1152,
        _ => 384,
    }
}

/// What the frames of one stream layout (sync, version, layer, sample
/// rate) share: frame lengths per bitrate index, without padding.
#[derive(Default)]
struct Layout {
    /// The header bits it was made from (sync, version, layer, rate).
    key: u32,
    /// Frame length per bitrate index; 0 where the index is not a frame.
    base: [usize; 16],
    samples: u64,
    rate: u32,
}

impl Layout {
    fn of(header: &[u8]) -> Option<Layout> {
        let key = (u32::from(header[0]) << 16) | (u32::from(header[1]) << 8) | u32::from(header[2] & 0x0C);
        let mut base = [0usize; 16];
        let mut any = false;
        for (index, slot) in base.iter_mut().enumerate() {
            let h = [header[0], header[1], (index as u8) << 4 | (header[2] & 0x0C), 0];
            if let Some((len, _)) = frame_len(&h).filter(|(len, _)| *len > 0) {
                *slot = len;
                any = true;
            }
        }
        let rate = match ((header[1] >> 3) & 3, (header[2] >> 2) & 3) {
            (_, 3) => return None,
            (3, r) => [44100, 48000, 32000][usize::from(r)],
            (2, r) => [22050, 24000, 16000][usize::from(r)],
            (_, r) => [11025, 12000, 8000][usize::from(r)],
        };
        any.then(|| Layout { key, base, samples: samples_per_frame(header), rate })
    }
}

/// Walks the frames from `start` to `end` (the end of the audio, before any
/// tags) reading large blocks: only the 4-byte headers are looked at, the
/// way a frame counter must to be exact for VBR. `skip_first` skips the
/// Xing/Info/VBRI frame, which holds no audio.
pub fn walk<R: Read + Seek + ?Sized>(src: &mut R, start: u64, end: u64, skip_first: bool) -> io::Result<Walk> {
    // 256 KiB: large enough that the read calls cost nothing, small enough
    // to stay in the CPU's cache while its headers are looked at.
    const BLOCK: u64 = 256 * 1024;
    let mut out = Walk::default();
    let mut buf = vec![0u8; end.saturating_sub(start).min(BLOCK) as usize];
    let mut filled = 0usize; // valid bytes in buf
    let mut buf_start = start; // file offset of buf[0]
    let mut pos = start; // file offset of the next frame
    let mut skip = skip_first;
    let mut layout = Layout::default();
    let mut bitrates = 0u16; // bitrate indexes seen
    src.seek(SeekFrom::Start(start))?;
    while pos < end {
        let at = (pos - buf_start) as usize;
        if at + 4 > filled {
            // Refill from `pos`, keeping the bytes already read past it.
            if at <= filled {
                buf.copy_within(at..filled, 0);
                filled -= at;
            } else {
                filled = 0;
                src.seek(SeekFrom::Start(pos))?;
            }
            buf_start = pos;
            let remaining = end - (buf_start + filled as u64);
            if remaining == 0 {
                // Fewer than four bytes left where a frame should start.
                out.truncated = filled > 0 && buf[0] == 0xFF;
                break;
            }
            let want = (buf.len() - filled).min(remaining.try_into().unwrap_or(usize::MAX));
            let n = super::read_full(src, &mut buf[filled..filled + want])?;
            filled += n;
            if n == 0 {
                break;
            }
            continue;
        }
        let header = &buf[at..at + 4];
        // The frames of a stream share their version, layer and sample
        // rate; only the bitrate (VBR) and the padding bit change. Frame
        // lengths per bitrate are worked out once per stream layout.
        let key = (u32::from(header[0]) << 16) | (u32::from(header[1]) << 8) | u32::from(header[2] & 0x0C);
        let index = usize::from(header[2] >> 4);
        if header[0] == 0xFF && key != layout.key {
            layout = Layout::of(header).unwrap_or(Layout { key, ..Layout::default() });
        }
        match if header[0] == 0xFF { layout.base[index] } else { 0 } {
            base if base > 0 => {
                let len = base + usize::from((header[2] >> 1) & 1);
                if pos + len as u64 > end {
                    out.truncated = true;
                    break;
                }
                if skip {
                    skip = false;
                } else {
                    out.frames += 1;
                    out.samples += layout.samples;
                    out.sample_rate = layout.rate;
                    bitrates |= 1 << index;
                }
                pos += len as u64;
            }
            // Not a frame here (a stray tag or damage): look for the next one.
            _ => pos += 1,
        }
    }
    out.vbr = bitrates.count_ones() > 1;
    Ok(out)
}
