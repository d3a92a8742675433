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
    /// The frame count a Xing/Info or VBRI header gives.
    pub frames: Option<u64>,
    /// Frames follow where the header's byte count ends: audio appended
    /// after encoding (an outro joined with `cat`), which the header does
    /// not count.
    pub frames_after: bool,
    /// The header's frame count cannot be true of its byte count
    /// ([`frames_contradict_bytes`]).
    pub frames_wrong: bool,
    /// Where the audio starts (after ID3v2 tags and junk up to the first frame).
    pub audio_start: u64,
    /// Bytes of tags after the audio (ID3v1, APEv2, Lyrics3).
    pub tail_tags: u64,
    /// The first frame says bitrate index 0: free-format, which symphonia cannot read.
    pub free_format: bool,
    /// Whether the bytes look like MPEG audio at all (a frame sync where the audio starts).
    pub has_sync: bool,
    /// The last 2 KiB of the audio its seek header counts are zeros: no
    /// frame is there (frames are at most 1,441 bytes, each with its sync),
    /// but a copy or upload that stopped after the file's space was
    /// claimed (preallocated, `rsync --inplace`) and left the right size.
    pub zeroed_end: bool,
    /// The bytes of the shortest frame of the first frame's layout (its
    /// lowest bitrate): a frame count that needs more bytes than the file
    /// has is not all there.
    pub shortest_frame: u64,
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
    bytes_in(src, head, 0, at, n)
}

/// The bytes at `at..at + n` of the source: from `buf` (the bytes from
/// `buf_from` on, already read) when it holds them, else read (fewer at
/// the end of the source).
fn bytes_in<'b, R: Read + Seek + ?Sized>(
    src: &mut R,
    buf: &'b [u8],
    buf_from: u64,
    at: u64,
    n: usize,
) -> io::Result<std::borrow::Cow<'b, [u8]>> {
    let inside =
        at.checked_sub(buf_from).and_then(|o| usize::try_from(o).ok()).and_then(|o| buf.get(o..o.checked_add(n)?));
    if let Some(inside) = inside {
        return Ok(std::borrow::Cow::Borrowed(inside));
    }
    src.seek(SeekFrom::Start(at))?;
    let mut out = vec![0u8; n];
    let got = super::read_full(src, &mut out)?;
    out.truncate(got);
    Ok(std::borrow::Cow::Owned(out))
}

/// The first frame in `buf`: a layer III header followed by another
/// header where the frame ends (or by the end of `buf`'s data when `buf`
/// is all there is); a free-format one, by another like it
/// ([`free_format_confirmed`]).
fn first_frame(buf: &[u8], all: bool) -> Option<usize> {
    (0..buf.len().saturating_sub(3)).find(|&i| {
        frame_len(&buf[i..]).is_some_and(|(len, l3)| {
            l3 && match (len, buf.get(i + len..i + len + 4)) {
                (0, _) => free_format_confirmed(buf, i),
                (_, Some(next)) => frame_len(next).is_some(),
                (_, None) => all,
            }
        })
    })
}

/// The bytes from one free-format frame's header to the next's: no fewer
/// than a header and its side information take, no more than the longest
/// frame free format allows (640 kb/s at 8 kHz: 5,760 bytes).
const FREE_FORMAT_FRAME: std::ops::RangeInclusive<usize> = 24..=5761;

/// Whether the free-format header (bitrate index 0) at `buf[i..]` is
/// confirmed by a second one like it (the same version, layer, sample
/// rate and channel mode, and no bitrate either) where a free-format frame
/// could end ([`FREE_FORMAT_FRAME`]): a frame's length is known only from
/// the next header, and four bytes that look like one header are common
/// in random data (a file that is not audio at all).
fn free_format_confirmed(buf: &[u8], i: usize) -> bool {
    let h = &buf[i..i + 4];
    let like = |n: &[u8]| n[0] == 0xFF && n[1] == h[1] && n[2] & 0xFC == h[2] & 0xFC && n[3] & 0xC0 == h[3] & 0xC0;
    let (from, to) = (i + FREE_FORMAT_FRAME.start(), (i + FREE_FORMAT_FRAME.end()).min(buf.len().saturating_sub(4)));
    (from..=to).any(|j| buf.get(j..j + 4).is_some_and(like))
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
                (head.bytes, head.frames) = if name == "VBRI" {
                    (field(at + 10), field(at + 14))
                } else {
                    let flags = field(at + 4).unwrap_or(0);
                    let bytes_at = at + 8 + if flags & 1 != 0 { 4 } else { 0 };
                    let frames = if flags & 1 != 0 { field(at + 8) } else { None };
                    (if flags & 2 != 0 { field(bytes_at) } else { None }, frames)
                };
                break;
            }
        }
        head.frames_wrong = frames_contradict_bytes(&head, frame);
        let lengths = frame.get(..4).and_then(Layout::of).map(|l| l.base);
        head.shortest_frame = lengths.and_then(|b| b.into_iter().filter(|l| *l > 0).min()).unwrap_or(0) as u64;
    }
    // The tail: tags after the audio.
    let tail_len = (len.min(TAIL as u64)) as usize;
    src.seek(SeekFrom::Start(len - tail_len as u64))?;
    let mut tail = vec![0u8; tail_len];
    let got = super::read_full(src, &mut tail)?;
    tail.truncate(got);
    let floor = if head.has_sync { head.audio_start + 4 } else { 0 };
    head.tail_tags = tail_tags(src, len, &tail, floor)?;
    head.frames_after = frames_after(src, &head, len)?;
    head.zeroed_end = head.kind.is_some() && zeroed_end(src, &tail, len, &head)?;
    src.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// See [`Head::zeroed_end`]; `tail` is the file's last bytes, read.
fn zeroed_end<R: Read + Seek + ?Sized>(src: &mut R, tail: &[u8], len: u64, head: &Head) -> io::Result<bool> {
    const LOOK: u64 = 2048;
    let end = len.saturating_sub(head.tail_tags);
    let end = head.bytes.filter(|b| *b > 0).map_or(end, |b| end.min(head.audio_start.saturating_add(b)));
    if end.saturating_sub(head.audio_start) < LOOK {
        return Ok(false);
    }
    let bytes = bytes_in(src, tail, len - tail.len() as u64, end - LOOK, LOOK as usize)?;
    Ok(bytes.len() as u64 == LOOK && bytes.iter().all(|b| *b == 0))
}

/// Whether frames (or an ID3v2 tag and frames: a second file joined with
/// `cat`) follow where the seek header's byte count ends, before the tags
/// at the end. A tag editor's padding or stray bytes there are not frames.
fn frames_after<R: Read + Seek + ?Sized>(src: &mut R, head: &Head, len: u64) -> io::Result<bool> {
    let Some(promised) = head.bytes.filter(|b| *b > 0) else { return Ok(false) };
    let end = len.saturating_sub(head.tail_tags);
    let mut at = head.audio_start.saturating_add(promised);
    for _ in 0..4 {
        if at.saturating_add(4) > end {
            return Ok(false);
        }
        let n = (end - at).min(4 * 1024) as usize;
        let buf = bytes_at(src, &[], at, n)?;
        match id3v2_len(&buf) {
            Some(tag) => at = at.saturating_add(tag),
            None => return Ok(first_frame(&buf, at + n as u64 >= end).is_some_and(|i| i < 64)),
        }
    }
    Ok(false)
}

/// Whether the seek header's frame count cannot be true of its byte count:
/// frames on average shorter than the layout's lowest bitrate makes, or
/// longer than its highest (a count damaged or written by a tool that was
/// killed: 0). `first` is the first frame's header.
fn frames_contradict_bytes(head: &Head, first: &[u8]) -> bool {
    let Some(frames) = head.frames else { return false };
    let Some(bytes) = head.bytes.filter(|b| *b > 0) else { return frames == 0 };
    let Some(layout) = first.get(..4).and_then(Layout::of) else { return false };
    let lengths = layout.base.iter().filter(|l| **l > 0);
    let (Some(shortest), Some(longest)) = (lengths.clone().min(), lengths.max()) else { return false };
    // Frames past the header's own, and one frame's slack either way.
    frames == 0 || bytes / frames + 1 < *shortest as u64 || bytes / frames > *longest as u64 + 1
}

/// The most bytes one tag after the audio may take: a size field that
/// claims more (damaged or crafted) is not believed. A tag's size comes
/// from its footer; the tag itself is never read.
const MAX_TAIL_TAG: u64 = 64 * 1024 * 1024;

/// Bytes of tags after the audio, whatever their size: ID3v1, APEv2 (before
/// or after ID3v1), Lyrics3v2 and ID3v2 with a footer (`3DI`), found by
/// their footers from the end backwards. `tail` holds the file's last bytes
/// (from `len - tail.len()`); a tag that starts before them costs two
/// small reads. `floor` is where the audio starts: no tag reaches before it.
fn tail_tags<R: Read + Seek + ?Sized>(src: &mut R, len: u64, tail: &[u8], floor: u64) -> io::Result<u64> {
    let from = len - tail.len() as u64;
    let mut end = len;
    // A handful of tags at most follow one another.
    for _ in 0..8 {
        match tag_before(src, (tail, from), end, floor)? {
            Some(size) => end -= size,
            None => break,
        }
    }
    Ok(len - end)
}

/// The size of the tag that ends at `end`, from its footer, confirmed by
/// its header where it has one; `None` if no tag ends there.
fn tag_before<R: Read + Seek + ?Sized>(
    src: &mut R,
    (tail, from): (&[u8], u64),
    end: u64,
    floor: u64,
) -> io::Result<Option<u64>> {
    let n = end.saturating_sub(floor).min(128) as usize;
    let last = bytes_in(src, tail, from, end - n as u64, n)?;
    if last.len() < n {
        return Ok(None);
    }
    let found: Option<(u64, &[u8])> = if n >= 128 && &last[n - 128..n - 125] == b"TAG" {
        Some((128, b""))
    } else if n >= 32 && &last[n - 32..n - 24] == b"APETAGEX" {
        // Its size counts the items and this footer; a header may precede them.
        let f = &last[n - 32..];
        let size = u64::from(u32::from_le_bytes([f[12], f[13], f[14], f[15]]));
        let has_header = f[23] & 0x80 != 0;
        let magic: &[u8] = if has_header { b"APETAGEX" } else { b"" };
        (size >= 32).then_some((size + if has_header { 32 } else { 0 }, magic))
    } else if n >= 15 && &last[n - 9..] == b"LYRICS200" {
        // Six digits: the bytes from LYRICSBEGIN up to them.
        let digits = std::str::from_utf8(&last[n - 15..n - 9]).ok().filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        digits.and_then(|d| d.parse::<u64>().ok()).map(|size| (size + 15, &b"LYRICSBEGIN"[..]))
    } else if n >= 10 && &last[n - 10..n - 7] == b"3DI" && last[n - 4..].iter().all(|b| b & 0x80 == 0) {
        // An ID3v2.4 footer: the size excludes the 10-byte header and footer.
        let size = last[n - 4..].iter().fold(0u64, |acc, b| (acc << 7) | u64::from(*b));
        Some((size + 20, &b"ID3"[..]))
    } else {
        None
    };
    let Some((size, magic)) = found.filter(|(size, _)| *size <= MAX_TAIL_TAG && *size <= end - floor) else {
        return Ok(None);
    };
    let start = bytes_in(src, tail, from, end - size, magic.len())?;
    Ok((*start == *magic).then_some(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of one frame repeated, `len` bytes long, read without being
    /// held: a host's file of any size. Counts the bytes read.
    struct Repeated {
        frame: Vec<u8>,
        len: u64,
        pos: u64,
        read: u64,
    }

    impl Read for Repeated {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let at = (self.pos % self.frame.len() as u64) as usize;
            let n = buf.len().min(self.frame.len() - at).min(self.len.saturating_sub(self.pos) as usize);
            buf[..n].copy_from_slice(&self.frame[at..at + n]);
            self.pos += n as u64;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl Seek for Repeated {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                SeekFrom::End(d) => self.len.saturating_add_signed(d),
                SeekFrom::Current(d) => self.pos.saturating_add_signed(d),
            };
            Ok(self.pos)
        }
    }

    /// Frames past what any recording lasts are counted no further: the
    /// verdict is known (a host's 31 GB were read to the end first).
    #[test]
    fn frames_are_counted_no_further_than_any_recording_lasts() {
        // MPEG-2.5 layer III, 8 kbit/s, 8 kHz, mono: 72 bytes, 576 samples
        // (1,000 hours are 3.6 GB of them; the file is 8 GB).
        let mut frame = vec![0u8; 72];
        frame[..4].copy_from_slice(&[0xFF, 0xE3, 0x18, 0xC0]);
        assert_eq!(frame_len(&frame[..4]).map(|(len, _)| len), Some(72));
        let len = 8 << 30;
        let mut src = Repeated { frame, len, pos: 0, read: 0 };
        let walk = walk(&mut src, 0, len, false).unwrap();
        // (Looked at every 65,536 frames: here 4,719 s of them.)
        assert!(
            walk.seconds >= crate::probe::MAX_SECONDS && walk.seconds < crate::probe::MAX_SECONDS + 4720.0,
            "{}",
            walk.seconds
        );
        assert!(src.read < len / 2, "{} bytes read", src.read);
    }

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

    /// A free-format header (bitrate index 0) is a frame only where a
    /// second one like it follows at a free-format frame's distance.
    #[test]
    fn a_free_format_header_needs_a_second_to_be_a_frame() {
        let header = [0xFF, 0xFB, 0x00, 0xC4];
        let mut buf = vec![0x55u8; 8192];
        buf[100..104].copy_from_slice(&header);
        assert_eq!(first_frame(&buf, true), None, "a header alone");
        // One of another sample rate, or too far for any frame: no more.
        buf[1406..1410].copy_from_slice(&[0xFF, 0xFB, 0x04, 0xC4]);
        buf[6000..6004].copy_from_slice(&header);
        assert_eq!(first_frame(&buf, true), None);
        // 400 kb/s at 44.1 kHz: 1,306 bytes on.
        buf[1406..1410].copy_from_slice(&header);
        assert_eq!(first_frame(&buf, true), Some(100));
    }

    /// The tags after `audio`, measured as `read_head` does (its last 8 KiB read first).
    fn tags_after(audio: &[u8], tags: &[u8]) -> u64 {
        let data = [audio, tags].concat();
        let len = data.len() as u64;
        let tail = &data[data.len().saturating_sub(TAIL)..];
        tail_tags(&mut std::io::Cursor::new(&data), len, tail, 4).unwrap()
    }

    fn apev2(item: usize, header: bool) -> Vec<u8> {
        let size = (item + 32) as u32;
        let field = |flags: u32| {
            let mut f = b"APETAGEX".to_vec();
            for v in [2000, size, 1, flags] {
                f.extend_from_slice(&u32::to_le_bytes(v));
            }
            f.extend_from_slice(&[0; 8]);
            f
        };
        let mut tag = if header { field(0xA000_0000) } else { Vec::new() };
        tag.extend(std::iter::repeat_n(0xFF, item));
        tag.extend(field(if header { 0x8000_0000 } else { 0 }));
        tag
    }

    #[test]
    fn tags_at_the_end_are_measured_whatever_their_size() {
        let audio = vec![0xFFu8; 1000];
        let id3v1 = [&b"TAG"[..], &[0u8; 125]].concat();
        assert_eq!(tags_after(&audio, &id3v1), 128);
        assert_eq!(tags_after(&audio, b""), 0);
        // An APEv2 tag of 200 KB, with and without its header, before an ID3v1 tag.
        let ape = apev2(200_000, true);
        assert_eq!(tags_after(&audio, &[ape.as_slice(), &id3v1].concat()), 200_000 + 64 + 128);
        assert_eq!(tags_after(&audio, &apev2(200_000, false)), 200_000 + 32);
        // An ID3v2.4 tag appended, with its footer.
        let size = [0x00, 0x12, 0x0F, 0x20]; // synchsafe 296_864
        let id3 = [&b"ID3\x04\x00\x10"[..], &size, &vec![0x55; 296_864], b"3DI\x04\x00\x10", &size].concat();
        assert_eq!(tags_after(&audio, &id3), 296_884);
        // Lyrics3v2, 100 KB.
        let body = [&b"LYRICSBEGININD0000311"[..], &vec![b'x'; 99_979]].concat();
        let lyrics = [body.as_slice(), b"100000LYRICS200"].concat();
        assert_eq!(tags_after(&audio, &[lyrics.as_slice(), &id3v1].concat()), 100_015 + 128);
    }

    #[test]
    fn a_footer_whose_tag_is_not_there_is_not_a_tag() {
        let audio = vec![0xFFu8; 1000];
        // Its header flag says "APETAGEX" starts the tag, but audio is there.
        let mut ape = apev2(500, true);
        ape[0] = b'X';
        assert_eq!(tags_after(&audio, &ape), 0);
        // Sizes past the start of the audio, or past any sane tag.
        assert_eq!(tags_after(&audio, &apev2(5_000, false)[4_000..]), 0);
        let huge = [&b"3DI\x04\x00\x10"[..], &[0x7F; 4]].concat();
        assert_eq!(tags_after(&vec![0xFF; 300_000_000 / 1000], &huge), 0);
        assert_eq!(tags_after(&audio, b"12x456LYRICS200"), 0);
    }
}

/// What walking an MP3's frames found.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Walk {
    /// Decoded samples per channel the frames hold (before any delay trim).
    pub samples: u64,
    /// Their length in seconds: each frame's samples at its own sample rate
    /// (files of different rates joined with `cat` are each their length).
    pub seconds: f64,
    /// Audio frames.
    pub frames: u64,
    /// Sample rate of the last frames.
    pub sample_rate: u32,
    /// The bitrate changes from frame to frame.
    pub vbr: bool,
    /// The last frame runs past the end of the data: the file was cut.
    pub truncated: bool,
    /// Bytes from where the frames stopped to the end, where over
    /// [`MAX_NOT_AUDIO`] of them in a row held no frame (a file padded
    /// with gigabytes of zeros): those are not read.
    pub not_audio: u64,
}

/// The most bytes in a row without a frame (nor an ID3 tag) that are
/// read through to find the next one: damage is kilobytes, an APE tag
/// with its cover a few megabytes.
pub const MAX_NOT_AUDIO: u64 = 64 << 20;

/// The whole length of the ID3v2 tag whose 10-byte header is `h`
/// (header, body and footer), if `h` is one.
pub(crate) fn id3v2_len(h: &[u8]) -> Option<u64> {
    let h = h.get(..10)?;
    let valid = &h[..3] == b"ID3" && h[3] < 5 && h[6..10].iter().all(|b| b & 0x80 == 0);
    let size = h[6..10].iter().fold(0u64, |acc, b| (acc << 7) | u64::from(*b));
    valid.then_some(10 + size + if h[5] & 0x10 != 0 { 10 } else { 0 })
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
    let mut tally = Tally::default();
    // Whether `pos` follows a frame (or is the first frame read_head
    // found). After bytes that are not a frame, a header found is taken
    // only when the next frame's header follows it: in damaged or random
    // bytes a frame-like header turns up every few kilobytes; two in a row,
    // of the same layout, do not.
    let mut synced = true;
    // Where the bytes without a frame began.
    let mut lost_at = start;
    src.seek(SeekFrom::Start(start))?;
    while pos < end {
        let at = (pos - buf_start) as usize;
        // Ten bytes are looked at where a tag may start; four at the end;
        // past the longest frame and the next header when not in sync.
        let more = buf_start + (filled as u64) < end;
        let look = if synced { 10 } else { MAX_FRAME + 4 };
        if at + 4 > filled || (at + look > filled && more) {
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
            base if base > 0 && (synced || is_followed(&buf[at..filled], base, pos, end, &layout)) => {
                let len = base + usize::from((header[2] >> 1) & 1);
                if pos + len as u64 > end {
                    out.truncated = true;
                    break;
                }
                if skip {
                    skip = false;
                } else if tally.count(&mut out, &layout, index) {
                    break;
                }
                synced = true;
                pos += len as u64;
            }
            // Not a frame here: an ID3v2 tag (files joined with `cat`, each
            // with its cover) is skipped whole, however many sync-like bytes
            // its picture holds; after damage, the next frame is looked for.
            _ => {
                if synced {
                    lost_at = pos;
                }
                synced = false;
                let (step, tag) = not_a_frame(&buf[at..filled]);
                pos += step;
                if tag {
                    lost_at = pos;
                }
                if pos - lost_at > MAX_NOT_AUDIO {
                    out.not_audio = end - lost_at;
                    break;
                }
            }
        }
    }
    out.seconds = seconds_of(&tally.by_rate);
    out.vbr = tally.bitrates.count_ones() > 1;
    Ok(out)
}

/// What [`walk`] counts of the frames beside [`Walk`]'s totals.
#[derive(Default)]
struct Tally {
    /// Samples by sample rate, for the seconds.
    by_rate: Vec<(u32, u64)>,
    /// Bitrate indexes seen.
    bitrates: u16,
}

impl Tally {
    /// Counts a frame of `layout` at bitrate `index` into `out`. Whether the
    /// verdict is known: past what any recording lasts, the rest
    /// (gigabytes, from a host) is not read.
    fn count(&mut self, out: &mut Walk, layout: &Layout, index: usize) -> bool {
        out.frames += 1;
        out.samples += layout.samples;
        out.sample_rate = layout.rate;
        match self.by_rate.iter_mut().find(|(r, _)| *r == layout.rate) {
            Some((_, n)) => *n += layout.samples,
            None => self.by_rate.push((layout.rate, layout.samples)),
        }
        self.bitrates |= 1 << index;
        out.frames.is_multiple_of(65_536) && seconds_of(&self.by_rate) >= super::MAX_SECONDS
    }
}

/// How far past `bytes` (at a place that is not a frame) the next frame
/// may be: past an ID3v2 tag, whole (`true`), else to the next byte a
/// frame or a tag can start with.
fn not_a_frame(bytes: &[u8]) -> (u64, bool) {
    match id3v2_len(bytes) {
        Some(tag) => (tag, true),
        None => (memchr::memchr2(0xFF, b'I', &bytes[1..]).map_or(bytes.len(), |i| i + 1) as u64, false),
    }
}

/// The seconds that samples counted by sample rate last.
fn seconds_of(by_rate: &[(u32, u64)]) -> f64 {
    by_rate.iter().map(|(rate, n)| *n as f64 / f64::from(*rate)).sum()
}

/// The longest layer III frame: 320 kbit/s at 32 kHz (MPEG-1), 160 kbit/s
/// at 8 kHz (MPEG-2.5), with padding.
const MAX_FRAME: usize = 1441;

/// Whether the frame of `layout` that starts `bytes` (at `pos`, `base`
/// bytes long without padding) ends where the audio ends or where another
/// frame of the same layout starts.
fn is_followed(bytes: &[u8], base: usize, pos: u64, end: u64, layout: &Layout) -> bool {
    let len = base + usize::from((bytes[2] >> 1) & 1);
    if pos + len as u64 == end {
        return true;
    }
    let Some(next) = bytes.get(len..len + 4) else { return false };
    let key = (u32::from(next[0]) << 16) | (u32::from(next[1]) << 8) | u32::from(next[2] & 0x0C);
    next[0] == 0xFF && key == layout.key && layout.base[usize::from(next[2] >> 4)] > 0
}
