//! An Ogg Vorbis or Opus file's length from two pages: the first (the
//! codec's identification header: rate, channels, Opus pre-skip) and the
//! last (its granule position: samples up to the end of the stream).
//!
//! This is the same arithmetic symphonia's Ogg reader does, without the
//! rest of its work (CRC-checking every page it passes on the way to the
//! end, parsing the Vorbis codebooks): a probe reads two small blocks, and
//! a few small ones between them (the same file joined with itself counts
//! its pages up again). A capture of a live stream, whose granules do not
//! start at 0, is measured from its first audio page's start; bytes after
//! the last page are not part of the stream. Anything unusual (several
//! logical streams, a chained file, a last page that is not marked as the
//! end, a bad checksum) is left to symphonia, which handles it or reports
//! the damage.

use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::checksum::Crc32;
use symphonia::core::io::Monitor;

/// What the two pages say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stream {
    /// `true` for Opus, `false` for Vorbis.
    pub opus: bool,
    /// The codec's sample rate (Vorbis) or the encoder's input rate (Opus).
    pub sample_rate: u32,
    /// Channels.
    pub channels: u32,
    /// Playable samples: the last granule (minus the pre-skip for Opus).
    pub samples: u64,
    /// The rate `samples` counts in (48 kHz for Opus, whatever its input).
    pub time_base: u32,
}

/// A page header at the start of `b`: (header type, granule, serial,
/// header length, body length).
fn page(b: &[u8]) -> Option<(u8, u64, u32, usize, usize)> {
    if b.len() < 27 || &b[..4] != b"OggS" || b[4] != 0 {
        return None;
    }
    let segments = usize::from(b[26]);
    let lacing = b.get(27..27 + segments)?;
    let body = lacing.iter().map(|&l| usize::from(l)).sum();
    let granule = u64::from_le_bytes(b[6..14].try_into().ok()?);
    let serial = u32::from_le_bytes(b[14..18].try_into().ok()?);
    Some((b[5], granule, serial, 27 + segments, body))
}

/// The Ogg CRC-32 (polynomial 0x04C11DB7, not reflected, no initial or
/// final xor) of `bytes`, continuing from `crc`: symphonia's, which its Ogg
/// reader checks pages with.
pub(crate) fn crc_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = Crc32::new(crc);
    c.process_buf_bytes(bytes);
    c.crc()
}

/// Whether a whole page (header and body) carries a matching checksum
/// (computed with the checksum field as zeros).
fn crc_ok(page: &[u8]) -> bool {
    let stored = u32::from_le_bytes([page[22], page[23], page[24], page[25]]);
    let crc = crc_update(crc_update(crc_update(0, &page[..22]), &[0; 4]), &page[26..]);
    crc == stored
}

/// What the first and last pages of an Ogg file say.
#[derive(Debug, PartialEq)]
pub enum Reading {
    /// One stream, its length read.
    Stream(Stream),
    /// The file ends another stream than it starts: streams one after
    /// another ("chained", as `cat a.ogg b.ogg` makes), whose lengths no
    /// header adds up.
    Chained,
    /// No Ogg page in the file's last MiB: what follows the stream is not
    /// audio, or the file is damaged.
    NoEnd,
    /// Something else: symphonia looks.
    Other,
}

/// Reads the stream's length from `head` (the file's first bytes) and its
/// last page (see [`Reading`]).
pub fn read<R: Read + Seek + ?Sized>(src: &mut R, len: u64, head: &[u8]) -> io::Result<Reading> {
    Ok(match read_stream(src, len, head)? {
        Ok(stream) => Reading::Stream(stream),
        Err(reading) => reading,
    })
}

fn read_stream<R: Read + Seek + ?Sized>(src: &mut R, len: u64, head: &[u8]) -> io::Result<Result<Stream, Reading>> {
    let other = Err(Reading::Other);
    // The first page: beginning of stream, one packet (the identification header).
    let Some((kind, granule, serial, header_len, body_len)) = page(head) else { return Ok(other) };
    let Some(packet) = head.get(header_len..header_len + body_len) else { return Ok(other) };
    if kind != 0x02 || granule != 0 {
        return Ok(other);
    }
    // Vorbis: its short and long block sizes.
    let vorbis_blocks = packet.get(28).map_or([0; 2], |b| [1u64 << (b & 0x0F), 1u64 << (b >> 4)]);
    let (opus, sample_rate, channels, pre_skip) = if packet.len() >= 30 && packet.starts_with(b"\x01vorbis") {
        let rate = u32::from_le_bytes([packet[12], packet[13], packet[14], packet[15]]);
        (false, rate, u32::from(packet[11]), 0u64)
    } else if packet.len() >= 19 && packet.starts_with(b"OpusHead") {
        let pre_skip = u64::from(u16::from_le_bytes([packet[10], packet[11]]));
        let rate = u32::from_le_bytes([packet[12], packet[13], packet[14], packet[15]]);
        (true, if rate == 0 { 48_000 } else { rate }, u32::from(packet[9]), pre_skip)
    } else {
        return Ok(other);
    };
    if sample_rate == 0 || channels == 0 {
        return Ok(other);
    }
    // The next page must continue this stream: a second stream starting
    // here (a multiplexed file) is symphonia's business.
    let next = header_len + body_len;
    match head.get(next..).and_then(page) {
        Some((next_kind, _, next_serial, ..)) if next_kind & 0x02 == 0 && next_serial == serial => {}
        _ => return Ok(other),
    }
    let Some(last) = last_page(src, len)? else { return Ok(Err(Reading::NoEnd)) };
    if last.serial != serial && last.kind & 0x04 != 0 {
        return Ok(Err(Reading::Chained));
    }
    // Its last page ends the stream; or, without the end-of-stream flag (a
    // recorder or encoder stopped, not finished), it is whole and ends the
    // file: all the audio is there, and apps play it. A file cut off
    // (an upload) ends in the middle of a page.
    let ends = last.kind & 0x04 != 0 || last.end == len;
    let usable = ends && last.serial == serial && last.granule != u64::MAX;
    if !usable {
        return Ok(other);
    }
    // The file's first block (a hosted file's first request fetches it).
    let mut first = vec![0u8; len.min(FIRST_BLOCK) as usize];
    src.seek(SeekFrom::Start(0))?;
    let got = super::read_full(src, &mut first)?;
    first.truncate(got);
    if joined(src, len, (&first, serial), &last)? {
        return Ok(Err(Reading::Chained));
    }
    // A capture of a live stream counts on from where the capture began.
    let codec = if opus { Codec::Opus } else { Codec::Vorbis { blocks: vorbis_blocks } };
    let start = stream_start(src, (len, &first), serial, codec)?;
    let Some(samples) = last.granule.checked_sub(start + pre_skip) else { return Ok(other) };
    let time_base = if opus { 48_000 } else { sample_rate };
    Ok(Ok(Stream { opus, sample_rate, channels, samples, time_base }))
}

/// How many pages the codec headers may take (tags with a cover picture
/// take many): the first audio page is looked for among them.
const MAX_HEADER_PAGES: usize = 256;

/// The most bytes of a Vorbis setup header kept (they are a few KiB).
const MAX_SETUP: usize = 256 * 1024;

/// How the packets of a stream say how many samples they hold.
#[derive(Debug, Clone, Copy)]
enum Codec {
    /// Opus: its TOC byte.
    Opus,
    /// Vorbis: its mode's block size (short, long), with the previous one.
    Vorbis { blocks: [u64; 2] },
}

/// The granule a stream starts from: 0, except in a capture of a live
/// stream, whose granules count on from where the capture began. It is the
/// first audio page's granule less the samples of the packets that end on
/// it (Vorbis: the first packet gives none, and a granule below the sum
/// trims the start instead, so the start is 0). 0 when that page is not
/// found or a packet cannot be read.
fn stream_start<R: Read + Seek + ?Sized>(
    src: &mut R,
    (len, head): (u64, &[u8]),
    serial: u32,
    codec: Codec,
) -> io::Result<u64> {
    let headers = match codec {
        Codec::Opus => 2,
        Codec::Vorbis { .. } => 3,
    };
    let (mut at, mut done, mut setup) = (0u64, 0usize, Vec::new());
    for _ in 0..MAX_HEADER_PAGES {
        let Some(top) = page_at(src, len, head, at, false)? else { return Ok(0) };
        let Some((kind, granule, _, h, b)) = page(&top).filter(|p| p.2 == serial) else { return Ok(0) };
        // Only the setup header's bytes are kept (not a cover in the tags).
        let ends = top[27..h].iter().filter(|l| **l < 255).count();
        let setup_here =
            headers == 3 && done <= 2 && (done + ends > 2 || (done + ends == 2 && top[27..h].last() == Some(&255)));
        if done < headers && !setup_here {
            done += ends;
            at += (h + b) as u64;
            continue;
        }
        let Some(p) = page_at(src, len, head, at, true)? else { return Ok(0) };
        if done < headers {
            for (bytes, complete) in packets_of(&p, h) {
                if done == 2 && setup.len() + bytes.len() <= MAX_SETUP {
                    setup.extend_from_slice(bytes);
                }
                done += usize::from(complete);
            }
            at += p.len() as u64;
            continue;
        }
        // Continued, or the last page too (its granule is trimmed).
        if kind & 0x05 != 0 || granule == u64::MAX {
            return Ok(0);
        }
        let packets = packets_of(&p, h).into_iter().filter(|(_, complete)| *complete).map(|(b, _)| b);
        let samples = match codec {
            Codec::Opus => packets.map(opus_samples).sum::<Option<u64>>(),
            Codec::Vorbis { blocks } => vorbis_modes(&setup).and_then(|modes| vorbis_samples(packets, &modes, blocks)),
        };
        return Ok(samples.map_or(0, |n| granule.saturating_sub(n)));
    }
    Ok(0)
}

/// The packets on a page (`h`: its header length), and whether each ends
/// on it.
fn packets_of(p: &[u8], h: usize) -> Vec<(&[u8], bool)> {
    let mut out = Vec::new();
    let (mut from, mut size) = (h, 0usize);
    for &l in &p[27..h] {
        size += usize::from(l);
        if l < 255 {
            out.push((&p[from..from + size], true));
            from += size;
            size = 0;
        }
    }
    if p[27..h].last() == Some(&255) {
        out.push((&p[from..from + size], false));
    }
    out
}

/// The samples Vorbis audio packets decode to: a quarter of the previous
/// and of this packet's block; the stream's first packet gives none.
fn vorbis_samples<'a>(packets: impl Iterator<Item = &'a [u8]>, modes: &[bool], blocks: [u64; 2]) -> Option<u64> {
    let bits = u64::BITS - (modes.len().saturating_sub(1) as u64).leading_zeros();
    let (mut total, mut previous) = (0u64, None::<u64>);
    for packet in packets.filter(|p| !p.is_empty()) {
        // Bit 0: 0 for audio; then the mode number.
        let first = u64::from(packet[0]);
        let mode = (first >> 1) & ((1 << bits) - 1);
        if first & 1 != 0 {
            return None;
        }
        let block = blocks[usize::from(*modes.get(mode as usize)?)];
        total += previous.map_or(0, |p| p / 4 + block / 4);
        previous = Some(block);
    }
    Some(total)
}

/// Each mode's block flag (long block), from the end of a Vorbis setup
/// header, where the modes are: read backwards from the framing bit, each
/// is a mapping number (8 bits, under 64), two zero types (16 bits each)
/// and the flag, and their count less one (6 bits) comes before them (as
/// ffmpeg's parser reads them; the codebooks before need not be parsed).
fn vorbis_modes(setup: &[u8]) -> Option<Vec<bool>> {
    let mut pos = setup.len() * 8;
    let read = |pos: &mut usize, n: usize| -> Option<u64> {
        (0..n).try_fold(0u64, |v, _| {
            *pos = pos.checked_sub(1)?;
            Some((v << 1) | u64::from((setup[*pos / 8] >> (*pos % 8)) & 1))
        })
    };
    while read(&mut pos, 1)? == 0 {}
    let (mut flags, mut count) = (Vec::new(), None);
    while flags.len() < 64 {
        let mut p = pos;
        let (Some(mapping), Some(0), Some(0), Some(flag)) =
            (read(&mut p, 8), read(&mut p, 16), read(&mut p, 16), read(&mut p, 1))
        else {
            break;
        };
        if mapping > 63 {
            break;
        }
        flags.push(flag == 1);
        pos = p;
        if read(&mut p, 6) == Some(flags.len() as u64 - 1) {
            count = Some(flags.len());
        }
    }
    // Read from the last mode back.
    let mut modes = flags[..count?].to_vec();
    modes.reverse();
    Some(modes)
}

/// The samples (at 48 kHz) an Opus packet decodes to, from its TOC byte
/// (RFC 6716, 3.1).
fn opus_samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = usize::from(toc >> 3);
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][config & 3],
        12..=15 => [480, 960][config & 1],
        _ => [120, 240, 480, 960][config & 3],
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3F),
    };
    Some(frame * frames)
}

/// The page at `at` (only its header and lacing unless `whole`), from
/// `head` when it holds it, else read.
fn page_at<R: Read + Seek + ?Sized>(
    src: &mut R,
    len: u64,
    head: &[u8],
    at: u64,
    whole: bool,
) -> io::Result<Option<Vec<u8>>> {
    let read = |src: &mut R, at: u64, n: usize| -> io::Result<Vec<u8>> {
        if let Some(b) = usize::try_from(at).ok().and_then(|a| head.get(a..a.checked_add(n)?)) {
            return Ok(b.to_vec());
        }
        let mut b = vec![0u8; n.min(usize::try_from(len.saturating_sub(at)).unwrap_or(usize::MAX))];
        src.seek(SeekFrom::Start(at))?;
        let got = super::read_full(src, &mut b)?;
        b.truncate(got);
        Ok(b)
    };
    let top = read(src, at, 27)?;
    let Some(segments) = top.get(26).map(|s| usize::from(*s)) else { return Ok(None) };
    let header = read(src, at, 27 + segments)?;
    let Some((.., h, b)) = page(&header) else { return Ok(None) };
    if !whole {
        return Ok(Some(header));
    }
    let page = read(src, at, h + b)?;
    Ok((page.len() == h + b).then_some(page))
}

/// The last page of a file, checksum intact.
#[derive(Debug, Clone, Copy)]
struct Last {
    /// Where it starts.
    offset: u64,
    /// Where it ends.
    end: u64,
    kind: u8,
    granule: u64,
    serial: u32,
    sequence: u32,
}

/// How far from the end the last page is looked for: a page is at most
/// 65,307 bytes, so no page there means bytes that are not Ogg (over a
/// few hundred KiB of them: not an upload's stray tail) or damage.
const TAILS: [u64; 3] = [8 * 1024, 72 * 1024, 1024 * 1024];

/// The last whole page with a matching checksum in the file's last MiB
/// (read in growing steps: the last 8 KiB is enough for most files).
/// Bytes after it (a tag, zeros from a copy) are not part of the stream.
fn last_page<R: Read + Seek + ?Sized>(src: &mut R, len: u64) -> io::Result<Option<Last>> {
    for tail_len in TAILS {
        let from = len.saturating_sub(tail_len);
        src.seek(SeekFrom::Start(from))?;
        let mut tail = vec![0u8; (len - from) as usize];
        let got = super::read_full(src, &mut tail)?;
        tail.truncate(got);
        let last = (0..(tail.len() + 1).saturating_sub(27)).rev().find_map(|at| {
            let (kind, granule, serial, h, b) = page(&tail[at..])?;
            let whole = tail.get(at..at + h + b).filter(|p| crc_ok(p))?;
            let sequence = u32::from_le_bytes([whole[18], whole[19], whole[20], whole[21]]);
            let offset = from + at as u64;
            Some(Last { offset, end: offset + (h + b) as u64, kind, granule, serial, sequence })
        });
        if last.is_some() || from == 0 {
            return Ok(last);
        }
    }
    Ok(None)
}

/// How much of the file's start is read for its first pages.
const FIRST_BLOCK: u64 = 64 * 1024;

/// How many times the pages' average size in the first block the file's
/// size per page (by the last page's sequence number) may be before the
/// pages between are looked at: the same file twice has twice its size for
/// the pages its last one counts.
const TOO_BIG: f64 = 1.5;

/// Whether the file holds the stream `serial` more than once, one copy
/// after the other (`cat a.ogg a.ogg`: one serial number, and its last page
/// tells only of one copy). Seen in the first block (`first`) when a copy
/// begins in it; else, when the file is too big for the pages its last one
/// counts, by [`counts_up`] (a few more reads, which a plain file does not
/// need: a hosted one is measured in two requests).
fn joined<R: Read + Seek + ?Sized>(
    src: &mut R,
    len: u64,
    (first, serial): (&[u8], u32),
    last: &Last,
) -> io::Result<bool> {
    let (mut at, mut pages, mut before) = (0usize, 0usize, None::<u32>);
    while let Some((kind, _, page_serial, h, b)) =
        first.get(at..).and_then(page).filter(|p| at + p.3 + p.4 <= first.len())
    {
        if page_serial == serial {
            let sequence = u32::from_le_bytes([first[at + 18], first[at + 19], first[at + 20], first[at + 21]]);
            if (at > 0 && kind & 0x02 != 0) || before.is_some_and(|s| sequence < s) {
                return Ok(true);
            }
            before = Some(sequence);
        }
        pages += 1;
        at += h + b;
    }
    let per_page = len as f64 / (f64::from(last.sequence) + 1.0);
    if pages == 0 || per_page <= TOO_BIG * at as f64 / pages as f64 {
        return Ok(false);
    }
    Ok(!counts_up(src, len, serial, last)?)
}

/// How many places between the first and the last page are looked at, and
/// how much is read at each.
const SAMPLES: u64 = 5;
const SAMPLE_WINDOW: usize = 8 * 1024;

/// Whether the stream's pages count up from the start to `last`: at a few
/// evenly spaced offsets, the first page of `serial` has a higher sequence
/// number and no lower granule than the one before, and none begins a
/// stream. The same file twice (`cat a.ogg a.ogg`: one serial number)
/// counts from 0 again in its second copy, and its last page tells only
/// of one copy.
fn counts_up<R: Read + Seek + ?Sized>(src: &mut R, len: u64, serial: u32, last: &Last) -> io::Result<bool> {
    let mut before: Option<(u32, u64)> = None;
    // Windows do not overlap, even in a small file.
    let step = len / (SAMPLES + 1);
    let mut window = vec![0u8; SAMPLE_WINDOW.min(step as usize)];
    // Past the page found before.
    let mut past = 0u64;
    for k in 1..=SAMPLES {
        let at = (step * k).max(past);
        let Some(n) = last.offset.checked_sub(at).map(|room| room.min(window.len() as u64) as usize) else { break };
        src.seek(SeekFrom::Start(at))?;
        let got = super::read_full(src, &mut window[..n])?;
        let found = (0..(got + 1).saturating_sub(27)).find_map(|i| {
            let (kind, granule, ..) = page(&window[i..got]).filter(|p| p.2 == serial)?;
            Some((i, kind, granule, u32::from_le_bytes(window[i + 18..i + 22].try_into().ok()?)))
        });
        let Some((i, kind, granule, sequence)) = found else { continue };
        past = at + i as u64 + 1;
        if kind & 0x02 != 0 || !follows(before, (sequence, granule)) {
            return Ok(false);
        }
        before = Some((sequence, granule));
    }
    Ok(follows(before, (last.sequence, last.granule)))
}

/// Whether a page (sequence number, granule) can come after `before`; a
/// granule of -1 (no packet ends on the page) says nothing. An equal
/// sequence number is let pass (a muxer's slip, not a second copy).
fn follows(before: Option<(u32, u64)>, (sequence, granule): (u32, u64)) -> bool {
    before.is_none_or(|(s, g)| sequence >= s && (granule == u64::MAX || g == u64::MAX || granule >= g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_ogg_s() {
        // A minimal page with its checksum field zeroed, then set.
        let mut p = b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
            .to_vec();
        // Bit by bit, from the polynomial.
        let crc = p.iter().fold(0u32, |mut crc, &b| {
            crc ^= u32::from(b) << 24;
            for _ in 0..8 {
                crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04C1_1DB7 } else { crc << 1 };
            }
            crc
        });
        assert_eq!(crc_update(0, &p), crc);
        assert_eq!(crc_update(crc_update(0, &p[..5]), &p[5..]), crc); // in pieces
        assert_eq!(crc_update(0, b"123456789"), 0x89A1_897F); // CRC-32/MPEG-2 without its init and final xor
        p[22..26].copy_from_slice(&crc.to_le_bytes());
        assert!(crc_ok(&p));
        p[5] = 0x04;
        assert!(!crc_ok(&p));
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name)).unwrap()
    }

    fn read_bytes(data: &[u8]) -> Option<Stream> {
        let head = &data[..data.len().min(16 * 1024)];
        match read(&mut std::io::Cursor::new(data), data.len() as u64, head).unwrap() {
            Reading::Stream(s) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn vorbis_and_opus_are_read_from_two_pages() {
        // truth.csv: vorbis.ogg and opus.opus are 3 s (44.1 kHz; Opus counts at 48 kHz).
        let vorbis = read_bytes(&fixture("vorbis.ogg")).unwrap();
        assert_eq!((vorbis.opus, vorbis.sample_rate, vorbis.time_base), (false, 44_100, 44_100));
        assert_eq!(vorbis.samples, 132_300);
        let opus = read_bytes(&fixture("opus.opus")).unwrap();
        assert!(opus.opus);
        assert_eq!((opus.samples, opus.time_base), (144_000, 48_000));
    }

    #[test]
    fn two_streams_one_after_another_are_told() {
        let (vorbis, opus) = (fixture("vorbis.ogg"), fixture("opus.opus"));
        let chained = [vorbis.as_slice(), opus.as_slice()].concat();
        let head = &chained[..16 * 1024.min(chained.len())];
        let read = read(&mut std::io::Cursor::new(&chained), chained.len() as u64, head).unwrap();
        assert_eq!(read, Reading::Chained);
    }

    #[test]
    fn bytes_after_the_last_page_are_not_part_of_the_stream() {
        let ogg = fixture("vorbis.ogg");
        for junk in [4, 100_000] {
            let trailing = [ogg.as_slice(), &vec![0; junk]].concat();
            assert_eq!(read_bytes(&trailing).map(|s| s.samples), Some(132_300), "{junk}");
        }
        let far = [ogg.as_slice(), &vec![0; 1100 * 1024]].concat();
        let head = &far[..16 * 1024];
        assert_eq!(read(&mut std::io::Cursor::new(&far), far.len() as u64, head).unwrap(), Reading::NoEnd);
    }

    #[test]
    fn anything_unusual_is_left_to_symphonia() {
        let ogg = fixture("vorbis.ogg");
        let mut flipped = ogg.clone();
        let at = ogg.len() - 10;
        flipped[at] ^= 0xFF; // the last page's checksum no longer matches
        assert_eq!(read_bytes(&flipped), None);
        assert_eq!(read_bytes(&ogg[..ogg.len() - 1]), None);
        assert_eq!(read_bytes(b"OggS"), None);
    }

    /// A stream whose last page has no end-of-stream flag but ends the
    /// file whole (a recorder stopped) is measured; one cut in the middle
    /// of a page is not (an upload cut short: symphonia then says so).
    #[test]
    fn a_last_page_without_the_end_flag_that_ends_the_file_ends_the_stream() {
        let ogg = fixture("vorbis.ogg");
        let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
        let mut data = ogg.clone();
        data[last + 5] &= !0x04;
        data[last + 22..last + 26].copy_from_slice(&[0; 4]);
        let crc = crc_update(0, &data[last..]);
        data[last + 22..last + 26].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(read_bytes(&data).map(|s| s.samples), read_bytes(&ogg).map(|s| s.samples));
        assert!(read_bytes(&data[..data.len() - 100]).is_none());
    }

    #[test]
    fn an_empty_end_of_stream_page_ends_the_stream() {
        let ogg = fixture("vorbis.ogg");
        let set_crc = |page: &mut [u8]| {
            page[22..26].copy_from_slice(&[0; 4]);
            let crc = crc_update(0, page);
            page[22..26].copy_from_slice(&crc.to_le_bytes());
        };
        let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
        let mut data = ogg.clone();
        data[last + 5] &= !0x04;
        set_crc(&mut data[last..]);
        let mut nil = ogg[last..last + 27].to_vec();
        nil[5] = 0x04;
        nil[26] = 0;
        set_crc(&mut nil);
        data.extend_from_slice(&nil);
        assert_eq!(read_bytes(&data).map(|s| s.samples), Some(132_300));
    }
}
