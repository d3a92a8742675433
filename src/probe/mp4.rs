//! An M4A's boxes: the edit list (the encoder's priming samples are not
//! part of the episode, which symphonia does not apply), whether the file
//! holds all the media data its boxes promise, and the AAC track's media
//! header and sample description, from which a plain file is measured
//! without symphonia parsing its whole sample table. Reads box headers and
//! the `moov` box only.

use std::io::{self, Read, Seek, SeekFrom};

/// The biggest `moov` read (an hour of AAC has a ~700 KB moov).
const MAX_MOOV: u64 = 64 * 1024 * 1024;
/// How much of a `moov` is read first: the boxes the length needs come
/// before the sample tables in the files encoders write.
const MOOV_PREFIX: u64 = 16 * 1024;

/// Media data cut short: how many bytes its box promises, how many the
/// file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Bytes the `mdat` box's header promises.
    pub promised: u64,
    /// Bytes of it the file holds.
    pub present: u64,
}

/// What the boxes say.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Boxes {
    /// Presented duration from the audio track's edit list, in seconds.
    pub edited_secs: Option<f64>,
    /// The media data box (`mdat`) promises more bytes than the file has.
    pub mdat_cut: Option<Cut>,
    /// A top-level box runs past the end of the file.
    pub cut: bool,
    /// The file has a `moov` box.
    pub has_moov: bool,
    /// The sound track, if it is plain AAC in an unfragmented file.
    pub aac: Option<Aac>,
    /// Movie fragments (`moof`) follow: the length is in them, not the `moov`.
    pub fragmented: bool,
    /// A track of moving pictures (H.264, HEVC, …): a video, not an M4A.
    /// An enhanced podcast's chapter pictures (a `jpeg`/`png ` track) are not.
    pub video: bool,
    /// The sound track's sample table cannot be true of this file.
    pub damage: Option<Damage>,
}

/// What is wrong with a sound track's sample table (in a file not cut
/// short: a cut one is [`Cut`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Damage {
    /// A table (`stts`, `stsc`, `stsz`, `stco`, `co64`) counts more entries
    /// than its box has room for.
    Count {
        /// The table's box type.
        table: [u8; 4],
        /// The entries it counts.
        count: u64,
        /// The entries its box holds.
        room: u64,
    },
    /// A sample lasts more than a second (`stts`): no audio frame does.
    Delta {
        /// How long, in seconds.
        secs: f64,
    },
    /// The last chunk of samples ends past the end of the file.
    PastEnd {
        /// The byte it ends at.
        end: u64,
        /// The file's length.
        len: u64,
    },
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Damage::Count { table, count, room } => write!(
                f,
                "the M4A's sample table counts more than it holds: its `{}` box says {count} entries and has room for \
                 {room}",
                String::from_utf8_lossy(&table)
            ),
            Damage::Delta { secs } => write!(
                f,
                "the M4A's sample table says one sample lasts {secs:.0} s (an audio frame lasts a few \
                 dozen milliseconds)"
            ),
            Damage::PastEnd { end, len } => write!(
                f,
                "the M4A's sample table points past the end of the file: its last samples end at byte {end}, the \
                 file has {len} bytes"
            ),
        }
    }
}

/// An AAC sound track, as its sample description and media header say.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Aac {
    /// The media's length (its media header), in seconds.
    pub media_secs: f64,
    /// Sample rate of the sample entry.
    pub sample_rate: u32,
    /// Channels of the sample entry.
    pub channels: u32,
}

/// The most a `chpl` box is read to (255 chapters of 255-byte titles
/// are 66 KB).
const MAX_CHPL: u64 = 1 << 20;

/// The chapters of an M4A's Nero chapter list (`moov/udta/chpl`, as
/// FFmpeg, mp4v2 and the audiobook tools write it), else of its QuickTime
/// chapter track (not where `reads` are few: see [`quicktime_chapters`]):
/// start and title each, each ending where the next starts. None where
/// there are none or they cannot be read (chapters are extra). Reads box
/// headers to find them, then their boxes.
pub fn chapters<R: Read + Seek + ?Sized>(
    src: &mut R,
    len: u64,
    reads: super::Reads,
) -> io::Result<Vec<super::id3::TaggedChapter>> {
    let Some(moov) = find_box(src, (0, len), b"moov")? else { return Ok(Vec::new()) };
    let list = match find_box(src, moov, b"udta")? {
        Some(udta) => find_box(src, udta, b"chpl")?,
        None => None,
    };
    let Some(within) = list else {
        // (GarageBand writes a chapter track alone: a read for each of
        // its chapters, which a hosted file, each read a request, is spared.)
        if reads == super::Reads::Few {
            return Ok(Vec::new());
        }
        let found = quicktime_chapters(src, moov)?;
        src.seek(SeekFrom::Start(0))?;
        return Ok(found);
    };
    let (at, size) = (within.0, within.1 - within.0);
    if size > MAX_CHPL {
        return Ok(Vec::new());
    }
    let body = read_at(src, at, size)?;
    src.seek(SeekFrom::Start(0))?;
    Ok(chpl(&body).unwrap_or_default())
}

/// A `chpl` box's body read: version and flags, (version 1) four
/// reserved bytes, a count, then each chapter's start (in 100 ns) and
/// title (its length, a byte, then UTF-8). `None` where it runs short.
fn chpl(b: &[u8]) -> Option<Vec<super::id3::TaggedChapter>> {
    let mut at = if *b.first()? == 1 { 8 } else { 4 };
    let count = *b.get(at)?;
    at += 1;
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let start = be64(b, at)?;
        let n = usize::from(*b.get(at + 8)?);
        let title = b.get(at + 9..at + 9 + n)?;
        at += 9 + n;
        out.push(super::id3::TaggedChapter {
            start_ms: u32::try_from(start / 10_000).unwrap_or(u32::MAX),
            end_ms: None,
            title: String::from_utf8_lossy(title).trim().to_string(),
            toc: true,
            url: None,
            picture: None,
        });
    }
    Some(ordered(out))
}

/// The most a chapter track's boxes are read to, and the most chapters
/// read of it.
const MAX_CHAPTER_TRAK: u64 = 4 << 20;
const MAX_CHAPTERS: usize = 1000;

/// The chapters of a QuickTime chapter track (a text track another track
/// names in its `tref/chap`, as GarageBand and iTunes write them): each
/// sample a title (a 16-bit length, then UTF-8 text), from when it starts.
fn quicktime_chapters<R: Read + Seek + ?Sized>(
    src: &mut R,
    moov: (u64, u64),
) -> io::Result<Vec<super::id3::TaggedChapter>> {
    let mut traks = Vec::new();
    let mut at = moov.0;
    while let Some(trak) = find_box(src, (at, moov.1), b"trak")? {
        at = trak.1;
        traks.push(trak);
    }
    // The tracks named as chapters, by id.
    let mut named = Vec::new();
    for &trak in &traks {
        if let Some(tref) = find_box(src, trak, b"tref")?
            && let Some(chap) = find_box(src, tref, b"chap")?
        {
            let ids = read_at(src, chap.0, (chap.1 - chap.0).min(64))?;
            named.extend(ids.chunks_exact(4).filter_map(|id| be32(id, 0)));
        }
    }
    for &trak in &traks {
        let size = trak.1 - trak.0;
        if named.is_empty() || size > MAX_CHAPTER_TRAK {
            continue;
        }
        let body = read_at(src, trak.0, size)?;
        let tree = Tree { short: std::cell::Cell::new(false) };
        let trak_body = Body { bytes: &body, whole: true };
        let id = tree.leaf(trak_body, b"tkhd").and_then(|t| be32(t, if t.first() == Some(&1) { 20 } else { 12 }));
        if !id.is_some_and(|id| named.contains(&id)) {
            continue;
        }
        let Some(samples) = text_samples(&tree, trak_body) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for (start_ms, offset, size) in samples.into_iter().take(MAX_CHAPTERS) {
            let text = read_at(src, offset, size.min(2 + 1024))?;
            let n = text.get(..2).map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
            let title = text.get(2..2 + n).map(String::from_utf8_lossy).unwrap_or_default();
            out.push(super::id3::TaggedChapter {
                start_ms,
                end_ms: None,
                title: title.trim().to_string(),
                toc: true,
                url: None,
                picture: None,
            });
        }
        return Ok(ordered(out));
    }
    Ok(Vec::new())
}

/// `n` bytes at `at` (fewer where the file ends).
fn read_at<R: Read + Seek + ?Sized>(src: &mut R, at: u64, n: u64) -> io::Result<Vec<u8>> {
    let mut body = vec![0u8; n as usize];
    src.seek(SeekFrom::Start(at))?;
    let got = super::read_full(src, &mut body)?;
    body.truncate(got);
    Ok(body)
}

/// A track's samples: when each starts (in ms), where it is, its size
/// (`stts`, `stsz`, `stsc`, `stco`/`co64`). `None` where a table runs short.
fn text_samples(tree: &Tree, trak: Body<'_>) -> Option<Vec<(u32, u64, u64)>> {
    let mdia = tree.child(trak, b"mdia")?;
    let mdhd = tree.leaf(mdia, b"mdhd")?;
    let scale = if mdhd.first() == Some(&1) { be32(mdhd, 20)? } else { be32(mdhd, 12)? };
    let stbl = tree.child(tree.child(mdia, b"minf")?, b"stbl")?;
    let (stts, stsz, stsc) = (tree.leaf(stbl, b"stts")?, tree.leaf(stbl, b"stsz")?, tree.leaf(stbl, b"stsc")?);
    let (offsets, wide) = match tree.leaf(stbl, b"stco") {
        Some(stco) => (stco, false),
        None => (tree.leaf(stbl, b"co64")?, true),
    };
    if scale == 0 {
        return None;
    }
    let count = usize::try_from(be32(stsz, 8)?).ok()?.min(MAX_CHAPTERS);
    let fixed = be32(stsz, 4)?;
    let size = |i: usize| if fixed != 0 { Some(fixed) } else { be32(stsz, 12 + 4 * i) };
    // Starts, from the durations.
    let mut starts = Vec::with_capacity(count);
    let mut t = 0u64;
    for e in 0..usize::try_from(be32(stts, 4)?).ok()? {
        let (n, delta) = (be32(stts, 8 + 8 * e)?, be32(stts, 12 + 8 * e)?);
        for _ in 0..n {
            if starts.len() == count {
                break;
            }
            starts.push(u32::try_from(t.saturating_mul(1000) / scale).unwrap_or(u32::MAX));
            t = t.saturating_add(delta);
        }
    }
    // Where each is: chunk by chunk, as the sample-to-chunk table says.
    let chunks = usize::try_from(be32(offsets, 4)?).ok()?;
    let chunk_at = |c: usize| if wide { be64(offsets, 8 + 8 * c) } else { be32(offsets, 8 + 4 * c) };
    let runs = usize::try_from(be32(stsc, 4)?).ok()?;
    let mut out = Vec::with_capacity(count);
    for r in 0..runs {
        let first = usize::try_from(be32(stsc, 8 + 12 * r)?).ok()?.checked_sub(1)?;
        let per = be32(stsc, 12 + 12 * r)?;
        let last = match r + 1 < runs {
            true => usize::try_from(be32(stsc, 8 + 12 * (r + 1))?).ok()?.checked_sub(1)?,
            false => chunks,
        };
        for c in first..last.min(chunks) {
            let mut at = chunk_at(c)?;
            for _ in 0..per {
                let i = out.len();
                if i == count {
                    return Some(out);
                }
                let n = size(i)?;
                out.push((*starts.get(i)?, at, n));
                at = at.saturating_add(n);
            }
        }
    }
    Some(out)
}

/// `out` by start, each ending where the next starts (the last, where
/// the audio ends; two at one start: the first ends nowhere of its own).
fn ordered(mut out: Vec<super::id3::TaggedChapter>) -> Vec<super::id3::TaggedChapter> {
    out.sort_by_key(|c| c.start_ms);
    let starts: Vec<u32> = out.iter().skip(1).map(|c| c.start_ms).collect();
    for (c, next) in out.iter_mut().zip(starts) {
        c.end_ms = (next > c.start_ms).then_some(next);
    }
    out
}

/// The body (start, end) of the first box of `kind` among those from
/// `within.0` to `within.1`, found by their headers alone.
fn find_box<R: Read + Seek + ?Sized>(
    src: &mut R,
    within: (u64, u64),
    kind: &[u8; 4],
) -> io::Result<Option<(u64, u64)>> {
    let (mut pos, end) = within;
    while let Some((found, declared, header)) = box_header(src, pos, end)? {
        // (A size of 0: to the end.)
        let size = if declared == 0 { end - pos } else { declared };
        if size < header || size > end - pos {
            break;
        }
        if &found == kind {
            return Ok(Some((pos + header, pos + size)));
        }
        pos += size;
    }
    Ok(None)
}

/// The header of the box at `pos` (before `end`): its type, its size as
/// declared (a 64-bit one read; 0: to the end of its parent), and the
/// header's length. `None` where no header fits.
fn box_header<R: Read + Seek + ?Sized>(src: &mut R, pos: u64, end: u64) -> io::Result<Option<([u8; 4], u64, u64)>> {
    if pos + 8 > end {
        return Ok(None);
    }
    src.seek(SeekFrom::Start(pos))?;
    let mut h = [0u8; 16];
    let n = super::read_full(src, &mut h)?;
    if n < 8 {
        return Ok(None);
    }
    let kind = [h[4], h[5], h[6], h[7]];
    Ok(Some(match be32(&h, 0).unwrap_or(0) {
        1 if n >= 16 => (kind, be64(&h, 8).unwrap_or(0), 16),
        size => (kind, size, 8),
    }))
}

fn be32(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4).map(|x| u64::from(u32::from_be_bytes([x[0], x[1], x[2], x[3]])))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|x| u64::from_be_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]))
}

/// Reads the top-level boxes of `src` (length `len`) and leaves it at its
/// start. With [`Reads::Few`](super::Reads::Few) (a hosted file, read over HTTP requests) the
/// sample table is checked only as far as the `moov`'s first bytes, read
/// anyway, hold it.
pub fn read_boxes<R: Read + Seek + ?Sized>(src: &mut R, len: u64, reads: super::Reads) -> io::Result<Boxes> {
    let mut out = Boxes::default();
    let mut pos = 0u64;
    // An `mdat` whose size field says "to the end of the file" cannot tell
    // a cut file: its sample table then must. (body start, moov start and size)
    let mut open_mdat: Option<u64> = None;
    let mut moov_at: Option<(u64, u64)> = None;
    let mut moov_prefix = Vec::new();
    while let Some((kind, mut size, header)) = box_header(src, pos, len)? {
        if size == 0 {
            size = len - pos; // to the end of the file
            if &kind == b"mdat" {
                open_mdat = Some(pos + header);
            }
        }
        if size < header {
            break;
        }
        if size > len - pos {
            out.cut = true;
            if &kind == b"mdat" {
                out.mdat_cut = Some(Cut { promised: size - header, present: len - pos - header });
            }
            break;
        }
        if &kind == b"moof" {
            out.fragmented = true;
        }
        if &kind == b"moov" && size - header <= MAX_MOOV {
            out.has_moov = true;
            let whole = size - header;
            moov_at = Some((pos + header, whole));
            let prefix = read_at(src, pos + header, whole.min(MOOV_PREFIX))?;
            let found = match read_moov(&prefix, prefix.len() as u64 == whole) {
                Some(found) => found,
                None => read_moov(&read_at(src, pos + header, whole)?, true).unwrap_or_default(),
            };
            (out.edited_secs, out.aac, out.video) = found;
            moov_prefix = prefix;
        }
        pos += size;
    }
    if out.fragmented {
        out.aac = None;
    }
    if let Some((at, whole)) = moov_at.filter(|_| !out.fragmented && out.mdat_cut.is_none()) {
        // (A file cut in an `mdat` "to the end of the file" is told only by
        // its sample table: that is read however the file is.)
        let few = reads == super::Reads::Few && open_mdat.is_none();
        let mut file = InFile { src: &mut *src, base: at, prefix: &moov_prefix, few };
        match sample_table(&mut file, (at, at + whole))? {
            // An `mdat` "to the end of the file" cannot say the file was cut:
            // its samples past the end do.
            Some(Table::End(end)) if end > len => match open_mdat {
                Some(mdat) => {
                    out.cut = true;
                    out.mdat_cut = Some(Cut { promised: end.saturating_sub(mdat), present: len.saturating_sub(mdat) });
                }
                None => out.damage = Some(Damage::PastEnd { end, len }),
            },
            Some(Table::Damaged(damage)) => out.damage = Some(damage),
            _ => {}
        }
    }
    src.seek(SeekFrom::Start(0))?;
    Ok(out)
}

/// A box body as read, and whether all of it was read: of a big `moov`
/// only the first [`MOOV_PREFIX`] bytes are read first, which may end
/// inside a box.
#[derive(Clone, Copy)]
struct Body<'a> {
    bytes: &'a [u8],
    whole: bool,
}

/// Looks boxes up in a `moov` (or a prefix of it), noting when something
/// the length depends on lies past what was read (`short`): the whole box
/// is then read and looked at again.
struct Tree {
    short: std::cell::Cell<bool>,
}

impl Tree {
    /// Children of a box body: (type, body). The last child of a cut body is cut too.
    fn children<'a>(&self, body: Body<'a>) -> Vec<([u8; 4], Body<'a>)> {
        let bytes = body.bytes;
        let mut out = Vec::new();
        let mut pos = 0usize;
        while pos + 8 <= bytes.len() {
            let mut size = be32(bytes, pos).unwrap_or(0) as usize;
            let kind = [bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]];
            let mut header = 8;
            if size == 1 {
                size = be64(bytes, pos + 8).unwrap_or(0) as usize;
                header = 16;
            } else if size == 0 {
                size = bytes.len() - pos;
            }
            if size < header {
                break;
            }
            if size > bytes.len() - pos {
                if !body.whole && pos + header <= bytes.len() {
                    out.push((kind, Body { bytes: &bytes[pos + header..], whole: false }));
                }
                break;
            }
            out.push((kind, Body { bytes: &bytes[pos + header..pos + size], whole: true }));
            pos += size;
        }
        out
    }

    /// A child box, whole or cut (for containers).
    fn child<'a>(&self, body: Body<'a>, kind: &[u8; 4]) -> Option<Body<'a>> {
        let found = self.children(body).into_iter().find(|(k, _)| k == kind).map(|(_, b)| b);
        if found.is_none() && !body.whole {
            self.short.set(true);
        }
        found
    }

    /// A child box that must be whole (its fields are read).
    fn leaf<'a>(&self, body: Body<'a>, kind: &[u8; 4]) -> Option<&'a [u8]> {
        let found = self.child(body, kind)?;
        if !found.whole {
            self.short.set(true);
            return None;
        }
        Some(found.bytes)
    }
}

/// The edit list's length and the AAC track of a `moov` body; `None` when
/// `moov` is a prefix that ends before what they need.
fn read_moov(moov: &[u8], whole: bool) -> Option<(Option<f64>, Option<Aac>, bool)> {
    let tree = Tree { short: std::cell::Cell::new(false) };
    let root = Body { bytes: moov, whole };
    let found = (edited_duration(&tree, root), aac_track(&tree, root), has_video(&tree, root));
    (!tree.short.get()).then_some(found)
}

/// Whether a track of `moov` is moving pictures: handler `vide` and a
/// video codec's sample entry.
fn has_video(tree: &Tree, moov: Body<'_>) -> bool {
    const VIDEO: [&[u8; 4]; 9] = [b"avc1", b"avc3", b"hvc1", b"hev1", b"mp4v", b"vp09", b"av01", b"s263", b"dvh1"];
    tree.children(moov).into_iter().filter(|(kind, _)| kind == b"trak").any(|(_, trak)| {
        let Some(mdia) = tree.child(trak, b"mdia") else { return false };
        if tree.leaf(mdia, b"hdlr").and_then(|h| h.get(8..12)) != Some(b"vide") {
            return false;
        }
        let stsd = tree.child(mdia, b"minf").and_then(|m| tree.child(m, b"stbl")).and_then(|s| tree.leaf(s, b"stsd"));
        let entry = stsd
            .and_then(|s| s.get(8..))
            .and_then(|e| tree.children(Body { bytes: e, whole: true }).into_iter().next());
        entry.is_some_and(|(kind, _)| VIDEO.contains(&&kind))
    })
}

/// The first sound track, if it is AAC (`mp4a` with an MPEG-4 audio
/// decoder config) in a file that is not fragmented.
fn aac_track(tree: &Tree, moov: Body<'_>) -> Option<Aac> {
    let mdia = sound_track(tree, moov)?.1;
    let (scale, duration) = media_header(tree, mdia)?;
    let entry = mp4a_entry(tree, mdia)?;
    // Sample entry: 6 reserved + data reference index, 8 reserved, channel
    // count, sample size, 4 reserved, rate as 16.16; then its child boxes.
    let channels = u32::from(u16::from_be_bytes([*entry.get(16)?, *entry.get(17)?]));
    let sample_rate = (be32(entry, 24)? >> 16) as u32;
    let esds = tree.leaf(Body { bytes: entry.get(28..)?, whole: true }, b"esds")?;
    // The AudioSpecificConfig, not the sample entry (which often says 2
    // channels), is what decoders use.
    let (mut channels, mut sample_rate) = (channels, sample_rate);
    if let Some(asc) = mpeg4_audio_config(esds)? {
        let (rate, config) = rate_and_channel_config(asc);
        if rate > 0 {
            sample_rate = rate;
        }
        if (1..=7).contains(&config) {
            channels = if config == 7 { 8 } else { config };
        }
    }
    if channels == 0 || sample_rate == 0 {
        return None;
    }
    Some(Aac { media_secs: duration as f64 / scale as f64, sample_rate, channels })
}

/// The media header's (time scale, duration); `None` when either is zero
/// or the duration is unknown (all ones).
fn media_header(tree: &Tree, mdia: Body<'_>) -> Option<(u64, u64)> {
    let mdhd = tree.leaf(mdia, b"mdhd")?;
    let (scale, duration) =
        if mdhd.first() == Some(&1) { (be32(mdhd, 20)?, be64(mdhd, 24)?) } else { (be32(mdhd, 12)?, be32(mdhd, 16)?) };
    if scale == 0 || duration == 0 || duration == u64::from(u32::MAX) || duration == u64::MAX {
        return None;
    }
    Some((scale, duration))
}

/// The body of the track's first sample entry, if it is `mp4a`.
fn mp4a_entry<'a>(tree: &Tree, mdia: Body<'a>) -> Option<&'a [u8]> {
    let stsd = tree.leaf(tree.child(tree.child(mdia, b"minf")?, b"stbl")?, b"stsd")?;
    // stsd: version/flags, entry count, then the first sample entry (a box).
    let entries = Body { bytes: stsd.get(8..)?, whole: true };
    let (kind, entry) = tree.children(entries).into_iter().next()?;
    if &kind != b"mp4a" {
        return None;
    }
    Some(entry.bytes)
}

/// Past a descriptor's length (bytes with the top bit set, then a last
/// one) that starts at `at` in `d`.
fn skip_len(d: &[u8], mut at: usize) -> Option<usize> {
    while d.get(at)? & 0x80 != 0 {
        at += 1;
    }
    Some(at + 1)
}

/// The `esds` body's AudioSpecificConfig: `None` when it does not describe
/// MPEG-4 audio, `Some(None)` when it does but holds no such config.
fn mpeg4_audio_config(esds: &[u8]) -> Option<Option<&[u8]>> {
    // ES descriptor (tag 3): its id, flags and optional fields, then the
    // decoder config descriptor (tag 4), whose object type 0x40 is MPEG-4 audio.
    let d = esds.get(4..)?;
    if *d.first()? != 0x03 {
        return None;
    }
    let mut at = skip_len(d, 1)?;
    let flags = *d.get(at + 2)?;
    at += 3;
    if flags & 0x80 != 0 {
        at += 2;
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(*d.get(at)?);
    }
    if flags & 0x20 != 0 {
        at += 2;
    }
    if *d.get(at)? != 0x04 {
        return None;
    }
    let config = skip_len(d, at + 1)?;
    if *d.get(config)? != 0x40 {
        return None;
    }
    // The decoder specific info (tag 5, after 13 bytes of config) is the
    // AudioSpecificConfig.
    if d.get(config + 13) == Some(&0x05) {
        return Some(Some(d.get(skip_len(d, config + 14)?..)?));
    }
    Some(None)
}

/// An AudioSpecificConfig's sample rate (0 when the index is unknown) and
/// channel configuration: object type (5 bits, or 5 + 6), frequency index
/// (4 bits, or 4 + 24), channel configuration (4 bits).
fn rate_and_channel_config(asc: &[u8]) -> (u32, u32) {
    let bits = asc
        .iter()
        .take(8)
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        .checked_shl(8 * (8 - asc.len().min(8)) as u32)
        .unwrap_or(0);
    let take = |from: u32, n: u32| ((bits >> (64 - from - n)) & ((1 << n) - 1)) as u32;
    let mut at = 5;
    if take(0, 5) == 31 {
        at += 6;
    }
    const RATES: [u32; 13] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
    let index = take(at, 4);
    at += 4;
    let rate = if index == 15 {
        at += 24;
        take(at - 24, 24)
    } else {
        RATES.get(index as usize).copied().unwrap_or(0)
    };
    (rate, take(at, 4))
}

/// The sound track's presented duration: its edit list, in movie time.
fn edited_duration(tree: &Tree, moov: Body<'_>) -> Option<f64> {
    let mvhd = tree.leaf(moov, b"mvhd")?;
    let movie_scale = if mvhd.first() == Some(&1) { be32(mvhd, 20)? } else { be32(mvhd, 12)? };
    if movie_scale == 0 {
        return None;
    }
    let trak = sound_track(tree, moov)?.0;
    let elst = tree.leaf(tree.child(trak, b"edts")?, b"elst")?;
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
            total = total.checked_add(duration)?;
        }
    }
    (total > 0).then(|| total as f64 / movie_scale as f64)
}

/// The boxes of a `moov` as they lie in the file: read from its first
/// bytes (`prefix`, read from `base` on) where they hold them, else a few
/// bytes at a time, so that an hour's sample table is never read whole;
/// or (`few`) nothing past those first bytes: each read elsewhere would
/// be one more request of a hosted file.
struct InFile<'a, R: ?Sized> {
    src: &'a mut R,
    base: u64,
    prefix: &'a [u8],
    few: bool,
}

/// A box in the file: (type, body start, body end).
type Span = ([u8; 4], u64, u64);

/// At most this many children of one box are looked at.
const MAX_CHILDREN: usize = 1024;
/// The most of one table read to check it (a `stsc` or `stts` of many
/// runs; a last chunk's sizes): past it, the check is left out.
const MAX_TABLE_READ: u64 = 1024 * 1024;

impl<R: Read + Seek + ?Sized> InFile<'_, R> {
    /// `n` bytes at `at` (fewer at the end of the file).
    fn bytes(&mut self, at: u64, n: u64) -> io::Result<Vec<u8>> {
        let inside = at
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .and_then(|o| self.prefix.get(o..o.checked_add(usize::try_from(n).ok()?)?));
        if let Some(inside) = inside {
            return Ok(inside.to_vec());
        }
        if self.few {
            // Not known: the check is left out (see `read_boxes`).
            return Ok(Vec::new());
        }
        self.src.seek(SeekFrom::Start(at))?;
        let mut out = vec![0u8; n as usize];
        let got = super::read_full(self.src, &mut out)?;
        out.truncate(got);
        Ok(out)
    }

    /// The child boxes of the body from `from` to `to`.
    fn children(&mut self, (from, to): (u64, u64)) -> io::Result<Vec<Span>> {
        let mut out = Vec::new();
        let mut pos = from;
        while pos.saturating_add(8) <= to && out.len() < MAX_CHILDREN {
            let h = self.bytes(pos, 16)?;
            let (Some(mut size), Some(kind)) = (be32(&h, 0), h.get(4..8)) else { break };
            let kind = [kind[0], kind[1], kind[2], kind[3]];
            let mut header = 8;
            if size == 1 {
                let Some(large) = be64(&h, 8) else { break };
                (size, header) = (large, 16);
            } else if size == 0 {
                size = to - pos;
            }
            if size < header || size > to - pos {
                break;
            }
            out.push((kind, pos + header, pos + size));
            pos += size;
        }
        Ok(out)
    }

    /// The first child box of `kind`: its body.
    fn child(&mut self, body: (u64, u64), kind: &[u8; 4]) -> io::Result<Option<(u64, u64)>> {
        Ok(self.children(body)?.into_iter().find(|(k, ..)| k == kind).map(|(_, from, to)| (from, to)))
    }
}

/// What the sound track's sample table says of the file.
enum Table {
    /// Where its last sample ends.
    End(u64),
    /// It cannot be true.
    Damaged(Damage),
}

/// The sound track's sample table checked against itself: each table's
/// count fits its box, no sample lasts over a second, and where its last
/// chunk ends (the offset `stco`/`co64` gives it, plus the sizes `stsz`
/// gives the samples `stsc` puts in it). Reads the tables' headers, a
/// short `stts`, and the few entries the last chunk needs.
fn sample_table<R: Read + Seek + ?Sized>(f: &mut InFile<'_, R>, moov: (u64, u64)) -> io::Result<Option<Table>> {
    let Some((mdia, scale)) = sound_media(f, moov)? else { return Ok(None) };
    let Some(minf) = f.child(mdia, b"minf")? else { return Ok(None) };
    let Some(stbl) = f.child(minf, b"stbl")? else { return Ok(None) };
    let boxes = f.children(stbl)?;
    let find = |kind: &[u8; 4]| boxes.iter().find(|(k, ..)| k == kind).copied();
    let (Some(stts), Some(stsc), Some(stsz)) = (find(b"stts"), find(b"stsc"), find(b"stsz")) else { return Ok(None) };
    let Some(chunks) = find(b"stco").or_else(|| find(b"co64")) else { return Ok(None) };
    let wide = &chunks.0 == b"co64";
    let mut counts = [0u64; 4];
    for (i, (span, head, entry)) in
        [(stts, 8, 8), (stsc, 8, 12), (chunks, 8, if wide { 8 } else { 4 }), (stsz, 12, 4)].into_iter().enumerate()
    {
        match table_count(f, span, head, entry)? {
            Ok(count) => counts[i] = count,
            Err(damage) => return Ok(Some(Table::Damaged(damage))),
        }
    }
    let [runs, stsc_runs, chunk_count, _] = counts;
    if let Some(secs) = longest_sample(f, stts, runs, scale)?.filter(|s| *s > 1.0) {
        return Ok(Some(Table::Damaged(Damage::Delta { secs })));
    }
    let Some(last) = chunk_count.checked_sub(1) else { return Ok(None) };
    let entry = if wide { 8 } else { 4 };
    let at = chunks.1 + 8 + last * entry;
    let b = f.bytes(at, entry)?;
    let Some(offset) = (if wide { be64(&b, 0) } else { be32(&b, 0) }) else { return Ok(None) };
    let Some(per_chunk) = samples_in_chunk(f, stsc, stsc_runs, chunk_count)? else { return Ok(None) };
    let Some(bytes) = last_samples_size(f, stsz, per_chunk)? else { return Ok(None) };
    Ok(offset.checked_add(bytes).map(Table::End))
}

/// The first sound track's `mdia` body and media time scale.
fn sound_media<R: Read + Seek + ?Sized>(
    f: &mut InFile<'_, R>,
    moov: (u64, u64),
) -> io::Result<Option<((u64, u64), u64)>> {
    for (kind, from, to) in f.children(moov)? {
        if &kind != b"trak" {
            continue;
        }
        let Some(mdia) = f.child((from, to), b"mdia")? else { continue };
        let Some(hdlr) = f.child(mdia, b"hdlr")? else { continue };
        if f.bytes(hdlr.0, 12)?.get(8..12) != Some(b"soun") {
            continue;
        }
        let Some(mdhd) = f.child(mdia, b"mdhd")? else { return Ok(None) };
        let h = f.bytes(mdhd.0, 24)?;
        let scale = if h.first() == Some(&1) { be32(&h, 20) } else { be32(&h, 12) };
        return Ok(scale.filter(|s| *s > 0).map(|s| (mdia, s)));
    }
    Ok(None)
}

/// A table's entry count (after `head` bytes of fields; `entry` bytes
/// each), or that it is more than its box holds. A `stsz` whose samples
/// are all one size has no entries.
fn table_count<R: Read + Seek + ?Sized>(
    f: &mut InFile<'_, R>,
    (kind, from, to): Span,
    head: u64,
    entry: u64,
) -> io::Result<Result<u64, Damage>> {
    let h = f.bytes(from, head)?;
    // A box cut before its count: the file's end, which other checks name.
    let Some(count) = be32(&h, head as usize - 4) else { return Ok(Ok(0)) };
    let fixed_size = &kind == b"stsz" && be32(&h, 4) != Some(0);
    let room = (to - from).saturating_sub(head) / entry;
    if count > room && !fixed_size {
        return Ok(Err(Damage::Count { table: kind, count, room }));
    }
    Ok(Ok(count))
}

/// The longest sample `stts` gives, in seconds (`None` for a table too big
/// to read here).
fn longest_sample<R: Read + Seek + ?Sized>(
    f: &mut InFile<'_, R>,
    (_, from, _): Span,
    runs: u64,
    scale: u64,
) -> io::Result<Option<f64>> {
    if runs * 8 > MAX_TABLE_READ {
        return Ok(None);
    }
    let t = f.bytes(from + 8, runs * 8)?;
    let longest = t.chunks_exact(8).filter(|e| be32(e, 0) != Some(0)).filter_map(|e| be32(e, 4)).max();
    Ok(longest.map(|d| d as f64 / scale as f64))
}

/// How many samples the last chunk (of `chunks`) holds: the `stsc` run
/// that starts last at or before it (its last run, in a well-formed file).
fn samples_in_chunk<R: Read + Seek + ?Sized>(
    f: &mut InFile<'_, R>,
    (_, from, _): Span,
    runs: u64,
    chunks: u64,
) -> io::Result<Option<u64>> {
    let Some(last) = runs.checked_sub(1) else { return Ok(None) };
    let e = f.bytes(from + 8 + last * 12, 8)?;
    if let (Some(first), Some(per)) = (be32(&e, 0), be32(&e, 4))
        && first <= chunks
    {
        return Ok(Some(per));
    }
    if runs * 12 > MAX_TABLE_READ {
        return Ok(None);
    }
    let t = f.bytes(from + 8, runs * 12)?;
    let runs = t.chunks_exact(12).map_while(|e| Some((be32(e, 0)?, be32(e, 4)?)));
    Ok(runs.take_while(|(first, _)| *first <= chunks).last().map(|(_, per)| per))
}

/// The bytes of the last `per_chunk` samples (`stsz`); `None` when the
/// table holds fewer, or too many to read here.
fn last_samples_size<R: Read + Seek + ?Sized>(
    f: &mut InFile<'_, R>,
    (_, from, _): Span,
    per_chunk: u64,
) -> io::Result<Option<u64>> {
    let h = f.bytes(from, 12)?;
    let (Some(fixed), Some(samples)) = (be32(&h, 4), be32(&h, 8)) else { return Ok(None) };
    if fixed != 0 {
        return Ok(fixed.checked_mul(per_chunk));
    }
    let Some(first) = samples.checked_sub(per_chunk) else { return Ok(None) };
    if per_chunk * 4 > MAX_TABLE_READ {
        return Ok(None);
    }
    let sizes = f.bytes(from + 12 + first * 4, per_chunk * 4)?;
    if (sizes.len() as u64) < per_chunk * 4 {
        return Ok(None);
    }
    Ok(Some(sizes.chunks_exact(4).filter_map(|e| be32(e, 0)).sum()))
}

/// The first track whose handler is `soun`: (trak, mdia).
fn sound_track<'a>(tree: &Tree, moov: Body<'a>) -> Option<(Body<'a>, Body<'a>)> {
    for (kind, trak) in tree.children(moov) {
        if &kind != b"trak" {
            continue;
        }
        let mdia = tree.child(trak, b"mdia")?;
        if tree.leaf(mdia, b"hdlr").and_then(|h| h.get(8..12)) == Some(b"soun") {
            return Some((trak, mdia));
        }
    }
    if !moov.whole {
        tree.short.set(true);
    }
    None
}

#[cfg(test)]
mod tests {
    /// A Nero chapter list of either version is read; one that runs short
    /// is none.
    #[test]
    fn a_chapter_list_is_read_and_a_short_one_is_none() {
        let entry =
            |start: u64, title: &str| [&start.to_be_bytes()[..], &[title.len() as u8], title.as_bytes()].concat();
        let list = |version: u8| {
            let head: &[u8] = if version == 1 { &[1, 0, 0, 0, 0, 0, 0, 0] } else { &[0, 0, 0, 0] };
            [head, &[2], &entry(0, "A")[..], &entry(615_000_000, "B")[..]].concat()
        };
        for version in [0, 1] {
            let got = chpl(&list(version)).unwrap();
            let said: Vec<(u32, Option<u32>, &str)> =
                got.iter().map(|c| (c.start_ms, c.end_ms, c.title.as_str())).collect();
            assert_eq!(said, [(0, Some(61_500), "A"), (61_500, None, "B")]);
        }
        let whole = list(1);
        assert!(chpl(&whole[..whole.len() - 1]).is_none());
    }

    use super::*;

    fn boxes(name: &str, keep: f64) -> Boxes {
        let data =
            std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name))
                .unwrap();
        let data = &data[..(data.len() as f64 * keep) as usize];
        read_boxes(&mut std::io::Cursor::new(data), data.len() as u64, super::super::Reads::Any).unwrap()
    }

    #[test]
    fn an_aac_track_is_read_from_the_moov() {
        // truth.csv: m4a-aac.m4a and m4a-faststart.m4a are 3 s, mono, 44.1 kHz.
        for name in ["m4a-aac.m4a", "m4a-faststart.m4a"] {
            let b = boxes(name, 1.0);
            let aac = b.aac.unwrap();
            assert_eq!((aac.sample_rate, aac.channels), (44_100, 1), "{name}");
            // The media header counts the encoder's priming too; the edit list does not.
            assert!(aac.media_secs > 3.02 && aac.media_secs < 3.05, "{name}: {aac:?}");
            assert!((b.edited_secs.unwrap() - 3.0).abs() < 0.001, "{name}: {b:?}");
            assert_eq!((b.cut, b.mdat_cut), (false, None));
        }
        let cut = boxes("m4a-faststart.m4a", 0.5);
        assert!(cut.cut && cut.mdat_cut.is_some() && cut.aac.is_some(), "{cut:?}");
        let no_index = boxes("m4a-aac.m4a", 0.5);
        assert!(no_index.cut && !no_index.has_moov && no_index.aac.is_none(), "{no_index:?}");
    }

    #[test]
    fn a_moov_read_in_part_gives_the_whole_answer_or_asks_for_more() {
        for name in ["m4a-aac.m4a", "m4a-faststart.m4a"] {
            let data =
                std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name))
                    .unwrap();
            let at = data.windows(4).position(|w| w == b"moov").unwrap();
            let size = u32::from_be_bytes(data[at - 4..at].try_into().unwrap()) as usize;
            let moov = &data[at + 4..at - 4 + size];
            let whole = read_moov(moov, true).unwrap();
            assert!(whole.0.is_some() && whole.1.is_some(), "{name}");
            let mut answered = 0;
            for cut in 0..moov.len() {
                if let Some(part) = read_moov(&moov[..cut], false) {
                    assert_eq!(part, whole, "{name} cut at {cut}");
                    answered += 1;
                }
            }
            // Encoders put the sample tables last: most prefixes that hold
            // the sample description answer without the rest.
            assert!(answered > 0, "{name}");
        }
    }

    /// A box: size, type, body.
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        [&(8 + body.len() as u32).to_be_bytes()[..], kind, body].concat()
    }

    #[test]
    fn sizes_near_the_top_of_u64_are_boxes_past_the_end_not_overflows() {
        // A 64-bit size of almost 2^64 after an empty box, at the top level and inside the moov.
        let huge = [&mp4_box(b"free", &[])[..], &1u32.to_be_bytes(), b"free", &(u64::MAX - 3).to_be_bytes()].concat();
        let b = read_boxes(&mut std::io::Cursor::new(&huge), huge.len() as u64, super::super::Reads::Any).unwrap();
        assert!(b.cut && !b.has_moov, "{b:?}");
        let moov = mp4_box(b"moov", &huge);
        let b = read_boxes(&mut std::io::Cursor::new(&moov), moov.len() as u64, super::super::Reads::Any).unwrap();
        assert!(!b.cut && b.has_moov && b.edited_secs.is_none(), "{b:?}");
        // Edit list (version 1) durations that add up past 2^64 give no length.
        let mvhd = mp4_box(b"mvhd", &[&[0u8; 12][..], &1000u32.to_be_bytes(), &[0u8; 4]].concat());
        let hdlr = mp4_box(b"hdlr", &[&[0u8; 8][..], b"soun", &[0u8; 12]].concat());
        let entry = [&(u64::MAX / 2 + 1).to_be_bytes()[..], &0u64.to_be_bytes(), &[0, 1, 0, 0]].concat();
        let elst = mp4_box(b"elst", &[&[1u8, 0, 0, 0][..], &2u32.to_be_bytes(), &entry, &entry].concat());
        let trak = mp4_box(b"trak", &[mp4_box(b"edts", &elst), mp4_box(b"mdia", &hdlr)].concat());
        let moov = [mvhd, trak].concat();
        assert_eq!(read_moov(&moov, true), Some((None, None, false)));
    }
}
