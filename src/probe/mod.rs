//! Measures media files: exact duration, size, format.
//!
//! This is the only module that touches symphonia. It reads through
//! symphonia's [`MediaSource`], so a file on disk and (later) a file behind
//! HTTP range requests are probed by the same code. A few small readers of
//! our own (`mp3`, `mp4`, `ogg`, `flac`) read what symphonia does not
//! expose, or what it reads at a much higher cost than the length needs.
//!
//! The policy, from `shared/probe-notes.md` (measured on symphonia 0.6.1):
//! - Trust the container's length when it is exact: MP3 with a LAME/Info tag
//!   (delay and padding already removed), Ogg Vorbis (last granule), Ogg Opus
//!   (minus the pre-skip), FLAC (or, streamed, its last frame header), WAV,
//!   M4A (its edit list).
//! - Plain Ogg and M4A files are measured from those headers by `ogg` and
//!   `mp4` alone (two pages; the `moov` box): symphonia's readers would
//!   CRC every page up to the end, or parse an hour's sample table, for the
//!   same number. Anything unusual goes to symphonia; a test holds the two
//!   to the same results on every fixture.
//! - symphonia sees an MP3 from its first frame, not its ID3v2 tag (a 500 KB
//!   cover is most of the work otherwise). Tags are read only when asked
//!   for ([`read_title`], for `add`).
//! - An MP3 without a LAME tag (the "length" symphonia reports there is a
//!   bitrate *estimate*, minutes off for VBR; also VBRI and bare Xing):
//!   walk every frame header (`mp3::walk`).
//! - A WAV: from the bytes its `data` chunk holds (a header that promises
//!   more is a cut upload; a streamed one's size is a placeholder).
//! - Any other file whose header has no length (an Ogg without its last
//!   page): count packets through the demuxer.
//! - Check the byte counts headers promise against the file (truncated
//!   uploads; a FLAC's last frame against its STREAMINFO total, before it a
//!   cut, past it a damaged total; an M4A's sample table against itself and
//!   the file's end; an MP3's Xing counts against the frames there). Never
//!   estimate from a bitrate; never decode.

pub mod cache;
mod flac;
pub mod id3;
pub mod loudness;
mod mp3;
mod mp4;
mod ogg;
#[cfg(feature = "online")]
pub mod remote;
mod wav;

use std::io::ErrorKind;
use std::path::Path;

use serde::{Deserialize, Serialize};
use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_ALAC, CODEC_ID_FLAC, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_VORBIS,
};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known::{
    FORMAT_ID_FLAC, FORMAT_ID_ISOMP4, FORMAT_ID_MP3, FORMAT_ID_OGG, FORMAT_ID_WAVE,
};
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

/// An audio format a podcast can be published in, told from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioFormat {
    /// MPEG layer III.
    Mp3,
    /// AAC in an MP4 container (`.m4a`).
    M4a,
    /// Vorbis in Ogg.
    Ogg,
    /// Opus in Ogg.
    Opus,
    /// FLAC.
    Flac,
    /// PCM in RIFF/WAVE.
    Wav,
}

/// Extensions of the audio and video files podcasts carry, lower case:
/// a file or URL named so is media (what `serve` watches as such, and a
/// guid that names one, MISTAKE-GUID-UNSTABLE).
pub const MEDIA_EXTENSIONS: &[&str] =
    &["mp3", "m4a", "m4b", "mp4", "m4v", "mov", "aac", "ogg", "oga", "opus", "flac", "wav"];

impl AudioFormat {
    /// Every format, in the order podsmith lists them.
    pub const ALL: [AudioFormat; 6] =
        [AudioFormat::Mp3, AudioFormat::M4a, AudioFormat::Ogg, AudioFormat::Opus, AudioFormat::Flac, AudioFormat::Wav];

    /// Upper-case name for listeners ("Listen to MP3").
    pub fn label(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "MP3",
            AudioFormat::M4a => "M4A",
            AudioFormat::Ogg => "OGG",
            AudioFormat::Opus => "Opus",
            AudioFormat::Flac => "FLAC",
            AudioFormat::Wav => "WAV",
        }
    }

    /// The MIME type for `enclosure@type` (Apple's spelling for M4A).
    pub fn mime_type(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "audio/mpeg",
            AudioFormat::M4a => "audio/x-m4a",
            AudioFormat::Ogg | AudioFormat::Opus => "audio/ogg",
            AudioFormat::Flac => "audio/flac",
            AudioFormat::Wav => "audio/wav",
        }
    }

    /// The format a feed's `enclosure@type` names, in the spellings feeds
    /// use (`audio/mp3` too); `None` for a type no podcast format has.
    pub fn from_mime(mime: &str) -> Option<AudioFormat> {
        let mime = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        Some(match mime.as_str() {
            "audio/mpeg" | "audio/mp3" | "audio/x-mp3" | "audio/mpeg3" | "audio/x-mpeg" => AudioFormat::Mp3,
            "audio/x-m4a" | "audio/mp4" | "audio/m4a" | "audio/aac" | "audio/x-aac" => AudioFormat::M4a,
            "audio/ogg" | "audio/vorbis" | "audio/x-ogg" | "application/ogg" => AudioFormat::Ogg,
            "audio/opus" => AudioFormat::Opus,
            "audio/flac" | "audio/x-flac" => AudioFormat::Flac,
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => AudioFormat::Wav,
            _ => return None,
        })
    }

    /// The usual file extension; also names the per-format feed (`feed.ogg.xml`).
    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "mp3",
            AudioFormat::M4a => "m4a",
            AudioFormat::Ogg => "ogg",
            AudioFormat::Opus => "opus",
            AudioFormat::Flac => "flac",
            AudioFormat::Wav => "wav",
        }
    }

    /// Extensions a file of this format may carry. AAC audio in MP4 is
    /// `.m4a` only: Apple takes `.mp4` as video (`video/mp4`) and lists no
    /// `.aac`, and the feed's type follows the content (`audio/x-m4a`).
    pub fn accepted_extensions(self) -> &'static [&'static str] {
        match self {
            AudioFormat::Mp3 => &["mp3"],
            AudioFormat::M4a => &["m4a"],
            AudioFormat::Ogg => &["ogg", "oga"],
            AudioFormat::Opus => &["opus", "ogg", "oga"],
            AudioFormat::Flac => &["flac"],
            AudioFormat::Wav => &["wav"],
        }
    }

    /// True for the formats Apple Podcasts lists from an RSS `<enclosure>` (MP3, AAC).
    pub fn apple_accepts(self) -> bool {
        matches!(self, AudioFormat::Mp3 | AudioFormat::M4a)
    }
}

/// How a duration was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// From an exact length field in the container.
    Header,
    /// By counting packets (no decoding).
    Scan,
}

/// The codec of the audio, from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// MPEG layer III.
    Mp3,
    /// AAC.
    Aac,
    /// Vorbis.
    Vorbis,
    /// Opus.
    Opus,
    /// FLAC.
    Flac,
    /// Uncompressed PCM (WAV).
    Pcm,
}

impl Codec {
    /// Its usual lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::Mp3 => "mp3",
            Codec::Aac => "aac",
            Codec::Vorbis => "vorbis",
            Codec::Opus => "opus",
            Codec::Flac => "flac",
            Codec::Pcm => "pcm",
        }
    }
}

impl std::fmt::Display for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The seek header in an MP3's first frame, which players read the length from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeekHeader {
    /// A Xing header (VBR).
    Xing,
    /// An Info header (CBR; LAME writes it).
    Info,
    /// A VBRI header (Fraunhofer).
    #[serde(rename = "VBRI")]
    Vbri,
    /// None: players guess the length from the first frames.
    #[serde(rename = "none")]
    None,
}

impl SeekHeader {
    /// The header the MP3 reader found (`"Xing"`, `"Info"`, `"VBRI"`), or none.
    fn of(kind: Option<&str>) -> SeekHeader {
        match kind {
            Some("Xing") => SeekHeader::Xing,
            Some("Info") => SeekHeader::Info,
            Some("VBRI") => SeekHeader::Vbri,
            _ => SeekHeader::None,
        }
    }
}

/// What probing one file found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudioInfo {
    /// Duration in seconds, exact to a few milliseconds.
    pub duration_secs: f64,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Format, from the content (its MIME type: [`AudioInfo::mime_type`]).
    pub format: AudioFormat,
    /// The codec.
    pub codec: Codec,
    /// Sample rate in Hz.
    pub sample_rate: Option<u32>,
    /// Number of channels.
    pub channels: Option<u32>,
    /// Average bitrate in bits per second (size × 8 / duration).
    pub bitrate: Option<u64>,
    /// Where the duration came from.
    pub method: Method,
    /// Whether the bitrate varies: for MP3 from the seek header or the
    /// frames; Vorbis, Opus and FLAC always, PCM never; unknown for AAC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vbr: Option<bool>,
    /// MP3 only: the seek header in the first frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_seek_header: Option<SeekHeader>,
    /// The file's own chapters, by start: an MP3's in its ID3v2 tag (`CHAP`
    /// frames), an M4A's in its Nero chapter list (`chpl`) or QuickTime
    /// chapter track.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chapters: Vec<id3::TaggedChapter>,
}

impl AudioInfo {
    /// The MIME type for feeds and pages: the format's.
    pub fn mime_type(&self) -> &'static str {
        self.format.mime_type()
    }

    /// Whole seconds, rounded to nearest, as `itunes:duration` and pages show them.
    pub fn whole_seconds(&self) -> u64 {
        // (Under half a second is still a second: 0 is what apps show for "not known".)
        match self.duration_secs.round() as u64 {
            0 if self.duration_secs > 0.0 => 1,
            n => n,
        }
    }
}

/// Why a file could not be measured.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ProbeError {
    /// The file could not be opened or read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// A hosted file's server would not send it: it answered this 4xx status.
    #[error("cannot read the file: the server answered {0}")]
    Refused(u16),
    /// Empty file.
    #[error("the file is empty (0 bytes): the upload or copy did not finish")]
    Empty,
    /// Not a format symphonia reads.
    #[error("not a supported audio file (MP3, M4A/AAC, Ogg Vorbis/Opus, FLAC, WAV): {0}")]
    Unsupported(String),
    /// A container without an audio track.
    #[error("the file holds no audio track")]
    NoAudio,
    /// The container is damaged.
    #[error("the audio data is damaged: {0}; re-export the episode")]
    Corrupt(String),
    /// The audio ends before its headers say it should.
    #[error("{}", truncated_message(*.header, *.holds))]
    Truncated {
        /// What the header promises, in seconds, if it says.
        header: Option<f64>,
        /// What the file holds, in seconds.
        holds: f64,
    },
    /// The file has no measurable length.
    #[error("no duration could be measured: {0}")]
    NoDuration(String),
    /// symphonia itself failed unexpectedly.
    #[error("the audio parser failed on this file ({0}); please report it with the file")]
    Internal(String),
    /// A hosted file's server redirected where podsmith does not follow
    /// (into this computer or a private network, from a public URL: see
    /// `crate::url::redirect`): the URL and why, and what to do.
    #[error("cannot read the file: {why}")]
    Redirect {
        /// The URL and why it was not followed.
        why: String,
        /// What to do about it.
        help: &'static str,
    },
}

impl ProbeError {
    /// What to do about it, where there is more to say than the message.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            ProbeError::Redirect { help, .. } => Some(help),
            // A hosted file's server, as it answered (see `remote`).
            ProbeError::Refused(404 | 410) => {
                Some("check the URL: the server has no file there (a typo, or the file was moved or deleted)")
            }
            ProbeError::Refused(401 | 403) => Some(
                "the server will not send it: make the file public (its bucket's or folder's permissions), or check \
                 the URL",
            ),
            ProbeError::Io(why) => match () {
                _ if why.contains("failed to lookup address") || why.contains("Connection refused") => {
                    Some("check the host name in the URL, and that the server is up")
                }
                _ if why.starts_with(crate::url::NO_ANSWER) => {
                    Some("the host did not answer: check that it is up, then build again")
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The longest a measured length may be: 1,000 hours. A header or a
/// timestamp that says more is damage (an Opus granule of 2^62, an MP4
/// edit list of 0xFFFFFFFF), not a recording.
pub(crate) const MAX_SECONDS: f64 = 3_600_000.0;

/// The fewest bits a second of `codec` takes, whatever it holds (silence
/// too): a Vorbis or Opus packet is at least a byte, and holds at most
/// 4,096 samples (half of Vorbis's longest block) or 120 ms (Opus's
/// longest). 0 for the others: their lengths come from frame counts.
pub(crate) fn least_bitrate(codec: Codec, sample_rate: Option<u32>) -> f64 {
    match codec {
        Codec::Opus => 8.0 / 0.120,
        Codec::Vorbis => 8.0 * f64::from(sample_rate.unwrap_or(0)) / 4096.0,
        _ => 0.0,
    }
}

/// A length `bytes` cannot hold at `codec`'s [`least_bitrate`] (an Ogg
/// whose last page's granule was damaged or crafted) is damage: `said` is
/// what gave it ("its last page").
fn check_bytes_hold(
    secs: f64,
    bytes: u64,
    codec: Codec,
    sample_rate: Option<u32>,
    said: &str,
) -> Result<(), ProbeError> {
    let (least, average) = (least_bitrate(codec, sample_rate), bytes as f64 * 8.0 / secs);
    if average >= least {
        return Ok(());
    }
    let average = match average {
        a if a < 1.0 => "less than 1 bit/s".to_string(),
        a => format!("{a:.0} bit/s"),
    };
    Err(ProbeError::Corrupt(format!(
        "{said} says it lasts {}, more than its {bytes} bytes can hold ({average} on average; {} takes at least \
         {least:.0} bit/s, even for silence)",
        crate::text::clock(secs.round() as u64),
        match codec {
            Codec::Opus => "Opus",
            _ => "Vorbis",
        }
    )))
}

/// Reads until `buf` is full or the source ends; returns how much was read.
pub(crate) fn read_full<R: std::io::Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn truncated_message(header: Option<f64>, holds: f64) -> String {
    // (An estimate a little under nothing is nothing: not "-0.0 s".)
    let holds = holds.max(0.0);
    match header {
        // (Where a millisecond would say the same of both: what is missing.)
        Some(h) if format!("{h:.3}") == format!("{holds:.3}") => format!(
            "the file is truncated: its header says {h:.3} s, and the file ends a few bytes short of it (under a \
             millisecond of audio); upload or copy it again"
        ),
        // (Said to the millisecond where a tenth would say the same of both.)
        Some(h) if format!("{h:.1}") == format!("{holds:.1}") => format!(
            "the file is truncated: its header says {h:.3} s, the file holds {holds:.3} s; upload or copy it again"
        ),
        Some(h) => format!(
            "the file is truncated: its header says {h:.1} s, the file holds {holds:.1} s; upload or copy it again"
        ),
        None => format!("the file is truncated: it ends after {holds:.1} s of audio; upload or copy it again"),
    }
}

/// What is read before symphonia sees the file.
struct Pre {
    mp3: mp3::Head,
    mp4: Option<mp4::Boxes>,
    /// A FLAC without a total in STREAMINFO, or one whose frames go on
    /// past it: (samples, rate) from its last frame, as a player plays it.
    flac_total: Option<(u64, u32)>,
    /// A FLAC whose last frame ends over a frame short of STREAMINFO's
    /// total (a cut file): (samples it holds, rate).
    flac_held: Option<(u64, u32)>,
    /// An Ogg Vorbis/Opus file's length from its first and last pages.
    ogg: Option<ogg::Stream>,
    /// An Ogg file of streams one after another (see [`ogg::Reading::Chained`]).
    ogg_chained: bool,
    /// Its first stream is Opus (its first page names it).
    ogg_opus: bool,
    /// An ID3v2 tag at its start goes on past the file's end.
    id3_past_end: bool,
    /// An Ogg file with no page in its last MiB (see [`ogg::Reading::NoEnd`]).
    ogg_no_end: bool,
    /// The chapters of an ID3v2 tag.
    chapters: Vec<id3::TaggedChapter>,
    /// A WAV file's `data` chunk.
    wav: Option<wav::Data>,
    /// The file starts as a RIFF/WAVE file does.
    riff_wave: bool,
    /// What the file is, if its first bytes say it is audio (or video) in
    /// a container podcast apps do not play (see [`unplayable`]).
    /// (And the extension such a file usually has.)
    unplayable: Option<(&'static str, &'static str)>,
}

/// What a file is whose first bytes (`head`) are those of a container that
/// audio editors and old tools export but podcast apps do not play (and
/// podsmith does not measure): said by name, rather than "no audio format
/// recognised", with how to make an episode of it. None of these can be
/// the start of an MP3 (an ID3 tag or a frame).
fn unplayable(head: &[u8]) -> Option<(&'static str, &'static str)> {
    const WAVE64: [u8; 16] = *b"riff\x2e\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00";
    const ASF: [u8; 8] = [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11];
    const EBML: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];
    let at = |from: usize, magic: &[u8]| head.get(from..from + magic.len()) == Some(magic);
    Some(match () {
        _ if at(0, b"caff") => ("a Core Audio file (CAF, as Logic and GarageBand export)", "caf"),
        _ if at(0, b"FORM") && at(8, b"AIFF") => ("an AIFF file", "aiff"),
        _ if at(0, b"FORM") && at(8, b"AIFC") => ("an AIFF-C file", "aifc"),
        _ if (at(0, b"RF64") || at(0, b"BW64")) && at(8, b"WAVE") => {
            ("an RF64 WAV (the WAV of recorders and editors for files over 4 GB)", "wav")
        }
        _ if at(0, &WAVE64) => ("a Sony Wave64 file", "w64"),
        _ if at(0, &ASF) => ("a Windows Media file (WMA or ASF)", "wma"),
        _ if at(0, b"#!AMR") => ("an AMR voice recording", "amr"),
        _ if at(0, b"MAC ") => ("a Monkey's Audio file (APE)", "ape"),
        _ if at(0, b"wvpk") => ("a WavPack file", "wv"),
        _ if at(0, &EBML) => ("a Matroska or WebM file", "mka"),
        _ if at(0, b"RIFF") && at(8, b"AVI ") => ("an AVI video", "avi"),
        _ if adts(head) => ("raw AAC (ADTS, as some recorders write it: no container apps read)", "aac"),
        _ => return None,
    })
}

/// Whether `head` starts with two ADTS frames of AAC (a sync word and layer
/// 0, which no MPEG audio frame has, the second where the first's length
/// says).
fn adts(head: &[u8]) -> bool {
    let frame = |at: usize| head.get(at..at + 7).filter(|h| h[0] == 0xFF && h[1] & 0xF6 == 0xF0);
    let Some(h) = frame(0) else { return false };
    let len = (usize::from(h[3] & 0x03) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
    len >= 7 && frame(len).is_some()
}

/// How much of the file's start is read at once: the container's magic,
/// ID3v2 headers, the first MP3 frame, the first Ogg pages.
const HEAD: u64 = 8 * 1024;

/// Probes a file on disk.
pub fn probe_file(path: &Path) -> Result<AudioInfo, ProbeError> {
    let open = || -> std::io::Result<Box<dyn MediaSource>> { Ok(Box::new(crate::fsutil::open(path)?)) };
    probe_with(&open)
}

/// A way to open the same media again (a file, or later a ranged HTTP
/// reader): an MP3 without a length is counted frame by frame on a second
/// reader, faster than through the demuxer.
pub type Opener<'a> = &'a dyn Fn() -> std::io::Result<Box<dyn MediaSource>>;

/// Probes media that `open` can open as often as needed: any seekable
/// source of known length (a file, or later a ranged HTTP reader).
pub fn probe_with(open: Opener<'_>) -> Result<AudioInfo, ProbeError> {
    probe_reading(open, Engine::Auto, Reads::Any)
}

/// [`probe_with`] of a source each read of which costs (a hosted file,
/// read over HTTP requests): checks that need reads of their own beyond
/// what measuring reads are left out.
pub fn probe_with_few_reads(open: Opener<'_>) -> Result<AudioInfo, ProbeError> {
    probe_reading(open, Engine::Auto, Reads::Few)
}

/// How freely a source may be read (see [`probe_with_few_reads`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// As often as the checks need (a file on disk).
    Any,
    /// Only what measuring needs (a hosted file).
    Few,
}

/// Which code measures a file (for tests that compare the two).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Ogg and M4A lengths from their own headers where those are plain;
    /// symphonia for everything else.
    Auto,
    /// symphonia's format readers for every file.
    Symphonia,
}

#[doc(hidden)]
pub fn probe_engine(open: Opener<'_>, engine: Engine) -> Result<AudioInfo, ProbeError> {
    probe_reading(open, engine, Reads::Any)
}

fn probe_reading(open: Opener<'_>, engine: Engine, reads: Reads) -> Result<AudioInfo, ProbeError> {
    let mut source = open().map_err(|e| ProbeError::Io(e.to_string()))?;
    let bytes = source.byte_len().ok_or_else(|| ProbeError::Io("the size of the source is unknown".into()))?;
    if bytes == 0 {
        return Err(ProbeError::Empty);
    }
    // Our own readers and symphonia's are both kept from taking the
    // process down on a file no one foresaw.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let pre = read_pre(&mut source, bytes, reads).map_err(|e| ProbeError::Io(e.to_string()))?;
        if let Some((what, ext)) = pre.unplayable {
            return Err(ProbeError::Unsupported(format!(
                "{what}, which podcast apps and directories do not take: export the episode as MP3 (or \
                 M4A), e.g. ffmpeg -i episode.{ext} -c:a libmp3lame -q:a 2 episode.mp3"
            )));
        }
        if let Some(b) = pre.mp4.filter(|b| b.video) {
            // Its sound taken as it is where it is AAC; else made AAC (PCM
            // from a recorder cannot go into an M4A as it is).
            return Err(ProbeError::Unsupported(match b.aac {
                Some(_) => "a video (its MP4 holds a video track), and podsmith publishes audio: export the sound \
                            as M4A or MP3, e.g. ffmpeg -i episode.mp4 -vn -c:a copy episode.m4a"
                    .into(),
                None => "a video (its MP4 holds a video track, and no AAC sound track), and podsmith publishes \
                         audio: export the sound as M4A or MP3, e.g. ffmpeg -i episode.mp4 -vn -c:a aac -b:a 128k \
                         episode.m4a (if it has no sound at all, export the episode again with it)"
                    .into(),
            }));
        }
        if let Some(damage) = pre.mp4.and_then(|b| b.damage) {
            return Err(ProbeError::Corrupt(damage.to_string()));
        }
        if pre.ogg_chained {
            return Err(ProbeError::NoDuration(format!(
                "an Ogg file of several streams one after another (files joined with `cat`, say): podcast apps \
                     play or count only the first; make it one file with an audio editor or {}",
                match pre.ogg_opus {
                    true => "ffmpeg -i joined.opus -c:a libopus episode.opus",
                    false => "ffmpeg -i joined.ogg -c:a libvorbis episode.ogg",
                }
            )));
        }
        if pre.ogg_no_end {
            return Err(ProbeError::Corrupt(
                "no Ogg page in the file's last MiB: bytes that are not audio follow the stream (appended \
                 by a copy or an upload; cut them off after its last page), or the file is damaged"
                    .into(),
            ));
        }
        if engine == Engine::Auto
            && let Some(found) = from_headers(&pre, bytes)
        {
            return found;
        }
        let fragmented = pre.mp4.is_some_and(|b| b.fragmented);
        match measure(source, bytes, &pre, open) {
            // symphonia reads no frames from movie fragments: say what the
            // file is, not that it holds no audio.
            Err(ProbeError::NoDuration(_)) if fragmented => Err(ProbeError::Unsupported(
                "a fragmented MP4 (its audio is in movie fragments, as streaming tools write it), which podsmith \
                 cannot measure: re-export it as a plain M4A, e.g. \
                 ffmpeg -i in.m4a -c copy -movflags +faststart out.m4a"
                    .into(),
            )),
            other => other,
        }
    }))
    .unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        Err(ProbeError::Internal(msg))
    })
}

/// Reads the file's start (one read) and, per container, the few other
/// bytes the length needs; leaves `source` at its start.
fn read_pre(source: &mut Box<dyn MediaSource>, bytes: u64, reads: Reads) -> std::io::Result<Pre> {
    let mut head = vec![0u8; bytes.min(HEAD) as usize];
    let got = read_full(source, &mut head)?;
    head.truncate(got);
    let mut pre = Pre {
        mp3: mp3::Head::default(),
        mp4: None,
        flac_total: None,
        flac_held: None,
        ogg: None,
        ogg_chained: false,
        id3_past_end: false,
        ogg_opus: head.starts_with(b"OggS") && head.windows(8).take(200).any(|w| w == b"OpusHead"),
        ogg_no_end: false,
        chapters: Vec::new(),
        wav: None,
        riff_wave: false,
        unplayable: unplayable(&head),
    };
    if pre.unplayable.is_some() {
        // Nothing more to read: it is refused by name.
    } else if head.get(4..8) == Some(b"ftyp") {
        let boxes = mp4::read_boxes(source, bytes, reads)?;
        if boxes.has_moov && !boxes.video && !boxes.fragmented {
            // Chapters are extra: a list they cannot be read from has none.
            pre.chapters = mp4::chapters(source, bytes, reads).unwrap_or_default();
        }
        pre.mp4 = Some(boxes);
    } else if head.starts_with(b"OggS") {
        match ogg::read(source, bytes, &head)? {
            ogg::Reading::Stream(s) => pre.ogg = Some(s),
            ogg::Reading::Chained => pre.ogg_chained = true,
            ogg::Reading::NoEnd => pre.ogg_no_end = true,
            ogg::Reading::Other => {}
        }
    } else if head.starts_with(b"fLaC") {
        // STREAMINFO: its 4-byte block header, then 34 bytes.
        if let Some(info) = head.get(8..42).filter(|_| head[4] & 0x7F == 0) {
            let block = u64::from(u16::from_be_bytes([info[2], info[3]]));
            let packed =
                u64::from_be_bytes([info[10], info[11], info[12], info[13], info[14], info[15], info[16], info[17]]);
            let rate = (packed >> 44) as u32;
            let total = packed & ((1 << 36) - 1);
            if rate > 0 {
                // The last frame tells where the audio ends: without a total
                // (streamed), or past the total (a damaged STREAMINFO:
                // players and decoders play every frame), that is the
                // length; before the total, a cut.
                match flac::total_from_tail(source, bytes, block)? {
                    Some(end) if total == 0 || end > total => pre.flac_total = Some((end, rate)),
                    Some(end) if end.saturating_add(block) < total => pre.flac_held = Some((end, rate)),
                    _ => {}
                }
            }
        }
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        pre.riff_wave = true;
        pre.wav = wav::read(source, bytes, &head)?;
    } else {
        pre.mp3 = mp3::read_head(source, bytes, &head)?;
        pre.id3_past_end = mp3::id3v2_len(&head).is_some_and(|tag| tag > bytes);
        if head.starts_with(b"ID3") {
            // Chapters are extra: a tag they cannot be read from has none.
            let pictures = if reads == Reads::Any { id3::PICTURES_READ } else { 0 };
            pre.chapters = id3::chapters(source.as_mut(), bytes, pictures).unwrap_or_default();
        }
    }
    source.seek(std::io::SeekFrom::Start(0))?;
    Ok(pre)
}

/// The length from the container's own headers, where they are plain
/// enough to need no demuxer: Ogg Vorbis/Opus (first and last page) and
/// AAC in M4A (media header and edit list). `None`: symphonia measures.
fn from_headers(pre: &Pre, bytes: u64) -> Option<Result<AudioInfo, ProbeError>> {
    if let Some(data) = pre.wav {
        return Some(wav_info(data, bytes));
    }
    let (format, codec, secs, sample_rate, channels) = if let Some(o) = pre.ogg {
        let secs = o.samples as f64 / f64::from(o.time_base);
        // Opus decodes at 48 kHz whatever the encoder's input was.
        let (format, codec, rate) = if o.opus {
            (AudioFormat::Opus, Codec::Opus, 48_000)
        } else {
            (AudioFormat::Ogg, Codec::Vorbis, o.sample_rate)
        };
        (format, codec, secs, rate, o.channels)
    } else if let Some(b) = pre.mp4.filter(|b| !b.cut || b.mdat_cut.is_some()) {
        let aac = b.aac?;
        // An edit list that says more than any recording is damage; the
        // track's own length then stands.
        let secs = b.edited_secs.filter(|s| *s < MAX_SECONDS).unwrap_or(aac.media_secs);
        if let Some(cut) = b.mdat_cut {
            return Some(Err(media_data_cut(secs, cut)));
        }
        (AudioFormat::M4a, Codec::Aac, secs, aac.sample_rate, aac.channels)
    } else {
        return None;
    };
    // Else symphonia measures, and says what is wrong.
    if !(secs.is_finite() && secs > 0.0 && secs < MAX_SECONDS) {
        return None;
    }
    if let Err(e) = check_bytes_hold(secs, bytes, codec, Some(sample_rate), "its last page") {
        return Some(Err(e));
    }
    Some(Ok(AudioInfo {
        duration_secs: secs,
        bytes,
        format,
        codec,
        sample_rate: Some(sample_rate),
        channels: Some(channels),
        bitrate: Some((bytes as f64 * 8.0 / secs).round() as u64),
        method: Method::Header,
        // Vorbis and Opus vary their bitrate by design; for AAC the container does not say cheaply.
        vbr: (format != AudioFormat::M4a).then_some(true),
        has_seek_header: None,
        chapters: pre.chapters.clone(),
    }))
}

/// A PCM WAV measured from its `fmt ` and `data` chunks alone (symphonia's
/// reader refuses a data chunk larger than the file, which a damaged or
/// unfinished header has).
fn wav_info(data: wav::Data, bytes: u64) -> Result<AudioInfo, ProbeError> {
    // The data chunk's size is a header of its own (`Some`): exact unless a placeholder.
    let (secs, method, _) = wav_length(data, bytes, data.sample_rate, Some(0.0))?;
    if secs <= 0.0 {
        return Err(ProbeError::NoDuration("the file holds no audio frames".into()));
    }
    Ok(AudioInfo {
        duration_secs: secs,
        bytes,
        format: AudioFormat::Wav,
        codec: Codec::Pcm,
        sample_rate: Some(data.sample_rate),
        channels: Some(data.channels),
        bitrate: Some((bytes as f64 * 8.0 / secs).round() as u64),
        method,
        vbr: Some(false),
        has_seek_header: None,
        chapters: Vec::new(),
    })
}

/// An M4A that holds `present` of the `promised` bytes of media data: the
/// audio it holds, in proportion.
fn media_data_cut(secs: f64, mp4::Cut { promised, present }: mp4::Cut) -> ProbeError {
    let holds = secs * present as f64 / promised.max(1) as f64;
    ProbeError::Truncated { header: Some(secs), holds }
}

/// A view of a source from `start` on. symphonia is shown an MP3 from its
/// first frame: the ID3v2 tag before it (often a 500 KB cover picture) has
/// nothing to do with the length, and parsing it is most of the work.
struct Window {
    inner: Box<dyn MediaSource>,
    start: u64,
}

impl std::io::Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl std::io::Seek for Window {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        use std::io::SeekFrom;
        let target = match pos {
            SeekFrom::Start(p) => SeekFrom::Start(self.start.saturating_add(p)),
            other => other,
        };
        let at = self.inner.seek(target)?;
        if at < self.start {
            self.inner.seek(SeekFrom::Start(self.start))?;
            return Err(std::io::Error::new(ErrorKind::InvalidInput, "seek before the start of the audio"));
        }
        Ok(at - self.start)
    }
}

impl MediaSource for Window {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner.byte_len().map(|len| len.saturating_sub(self.start))
    }
}

/// The title in a file's tags (ID3v2 TIT2, Vorbis comment TITLE, MP4
/// ©nam), for `add`. Read apart from [`probe_file`], which skips tags.
pub fn read_title(path: &Path) -> Option<String> {
    read_title_from(Box::new(crate::fsutil::open(path).ok()?))
}

/// [`read_title`] of any source (a hosted file's ranged reader).
pub fn read_title_from(source: Box<dyn MediaSource>) -> Option<String> {
    let mss = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    let probed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut reader = symphonia::default::get_probe()
            .probe(&Hint::new(), mss, FormatOptions::default(), MetadataOptions::default())
            .ok()?;
        tagged_title(reader.as_mut())
    }));
    probed.ok().flatten()
}

fn measure(source: Box<dyn MediaSource>, bytes: u64, pre: &Pre, reopen: Opener<'_>) -> Result<AudioInfo, ProbeError> {
    let mut reader = open_reader(source, pre)?;
    let track = reader.default_track(TrackType::Audio).cloned().ok_or(ProbeError::NoAudio)?;
    let audio = track.codec_params.as_ref().and_then(|c| c.audio());
    let codec_id = audio.map(|a| a.codec);
    let sample_rate = audio.and_then(|a| a.sample_rate);
    let channels = audio.and_then(|a| a.channels.as_ref()).map(|c| c.count() as u32);
    let (format, codec) = classify(reader.format_info().format, codec_id)?;
    // By the codec: an MP3 stream is counted by its frames whatever holds it.
    let is_mp3 = codec_id == Some(CODEC_ID_MP3);
    let is_opus = codec_id == Some(CODEC_ID_OPUS);
    // An MP3 that holds far more than its LAME/Info tag counts (two files
    // joined with `cat`, or audio appended after encoding) is counted by its
    // frames: the tag tells only of the first part.
    let header =
        header_length(&track, sample_rate, format, codec_id, pre).filter(|_| !(is_mp3 && holds_more(bytes, pre)));
    let wav = pre.wav.filter(|_| format == AudioFormat::Wav).zip(sample_rate.filter(|r| *r > 0));
    let (duration_secs, method, vbr) = match (header, wav) {
        (_, Some((data, rate))) => wav_length(data, bytes, rate, header)?,
        (Some(secs), _) => (secs, Method::Header, None),
        (None, _) if is_mp3 => {
            let (secs, vbr) = count_mp3_frames(bytes, pre, reopen)?;
            (secs, Method::Scan, Some(vbr))
        }
        (None, _) => {
            // A WAV whose data chunk could not be found: its end of file
            // is the end of the audio.
            let eof_is_end = format == AudioFormat::Wav;
            let secs = scan(reader.as_mut(), track.id, track.time_base, sample_rate, is_opus, eof_is_end)?;
            (secs, Method::Scan, None)
        }
    };
    if is_mp3 {
        check_mp3_promises(duration_secs, method, bytes, pre, reopen)?;
    }
    check_promised_bytes(duration_secs, pre)?;
    if !(duration_secs.is_finite() && duration_secs > 0.0) {
        return Err(ProbeError::NoDuration("the file holds no audio frames".into()));
    }
    if duration_secs >= MAX_SECONDS {
        return Err(ProbeError::Corrupt(match (method, is_mp3) {
            // (Counted no further than that.)
            (Method::Scan, true) => {
                format!("its frames add up to more than {:.0} hours, longer than any recording", MAX_SECONDS / 3600.0)
            }
            _ => format!(
                "its {} says it lasts {:.0} hours, longer than any recording",
                if method == Method::Header { "header" } else { "last timestamp" },
                duration_secs / 3600.0
            ),
        }));
    }
    let said = if method == Method::Header { "its header" } else { "its last timestamp" };
    check_bytes_hold(duration_secs, bytes, codec, sample_rate, said)?;
    Ok(AudioInfo {
        duration_secs,
        bytes,
        format,
        codec,
        sample_rate,
        channels,
        // (An MP3's tags are no audio: a 5 MB cover made a 128 kb/s file 795.)
        bitrate: Some((audio_bytes(bytes, is_mp3, pre) as f64 * 8.0 / duration_secs).round() as u64),
        method,
        vbr: varies(format, is_mp3, vbr, pre.mp3.kind),
        has_seek_header: is_mp3.then(|| SeekHeader::of(pre.mp3.kind)),
        chapters: pre.chapters.clone(),
    })
}

/// The bytes of the file's audio: an MP3's without its tags before and
/// after (what a bitrate is of, which apps choose a version by).
fn audio_bytes(bytes: u64, is_mp3: bool, pre: &Pre) -> u64 {
    match is_mp3 {
        true => bytes.saturating_sub(pre.mp3.audio_start.saturating_add(pre.mp3.tail_tags)).max(1),
        false => bytes,
    }
}

/// symphonia's format reader for the file (an MP3 seen from its first
/// frame), or why the file is not one podsmith can measure.
fn open_reader(source: Box<dyn MediaSource>, pre: &Pre) -> Result<Box<dyn FormatReader>, ProbeError> {
    let source: Box<dyn MediaSource> = if pre.mp3.has_sync && pre.mp3.audio_start > 0 {
        let mut inner = source;
        inner.seek(std::io::SeekFrom::Start(pre.mp3.audio_start)).map_err(|e| ProbeError::Io(e.to_string()))?;
        Box::new(Window { inner, start: pre.mp3.audio_start })
    } else {
        source
    };
    let mss = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    // No extension hint: the format comes from the content.
    symphonia::default::get_probe()
        .probe(&Hint::new(), mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| {
            if pre.mp3.free_format {
                return ProbeError::Unsupported(
                    "a free-format MP3 (no bitrate in its frames), which podcast tools cannot measure: re-encode it with a fixed or variable bitrate".into(),
                );
            }
            if pre.mp4.is_some_and(|b| b.cut && !b.has_moov) {
                return ProbeError::Corrupt(
                    "the M4A ends inside its media data and has no index (moov box): the upload was cut short".into(),
                );
            }
            if pre.riff_wave {
                return wav_unreadable(e);
            }
            // An MP3 whose ID3 tag (a big cover) goes on past the file's end:
            // an upload cut before its audio began.
            if pre.id3_past_end {
                return ProbeError::Truncated { header: None, holds: 0.0 };
            }
            match e {
                SymError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    ProbeError::Unsupported("no audio frames found".into())
                }
                SymError::IoError(e) => ProbeError::Io(e.to_string()),
                other => ProbeError::Unsupported(describe(&other)),
            }
        })
}

/// Why symphonia could not open a RIFF/WAVE file, in podsmith's words: an
/// encoding it does not read, or chunks whose sizes cannot be true.
fn wav_unreadable(e: SymError) -> ProbeError {
    match e {
        SymError::IoError(e) if e.kind() != ErrorKind::UnexpectedEof => ProbeError::Io(e.to_string()),
        SymError::Unsupported(_) => ProbeError::Unsupported(
            "a WAV whose audio is in an encoding podsmith cannot read: export the episode as MP3 (or M4A), e.g. \
             ffmpeg -i episode.wav -c:a libmp3lame -q:a 2 episode.mp3"
                .into(),
        ),
        _ => ProbeError::Corrupt(
            "the WAV's chunks cannot be read: a size in its header is wrong (larger than the file, or than the \
             chunk that holds it; ffmpeg -i episode.wav -c:a pcm_s16le fixed.wav writes it again from the audio \
             it holds)"
                .into(),
        ),
    }
}

/// The length the headers give, where it is exact: the track's frame
/// count (not an MP3's without a LAME tag: that is an estimate from the
/// first frames' bitrate), an M4A's edit list (without the encoder's
/// priming), or a FLAC's last frame where STREAMINFO has no total (a
/// streamed FLAC) or one short of its frames.
fn header_length(
    track: &symphonia::core::formats::Track,
    sample_rate: Option<u32>,
    format: AudioFormat,
    codec_id: Option<symphonia::core::codecs::audio::AudioCodecId>,
    pre: &Pre,
) -> Option<f64> {
    let (is_mp3, is_opus) = (codec_id == Some(CODEC_ID_MP3), codec_id == Some(CODEC_ID_OPUS));
    let header = match (track.num_frames, sample_rate) {
        (Some(n), Some(sr)) if sr > 0 && !(is_mp3 && track.delay.is_none()) => {
            let n = if is_opus { n.saturating_sub(u64::from(track.delay.unwrap_or(0))) } else { n };
            // Opus counts in 48 kHz ticks whatever the input rate.
            let rate = if is_opus { 48_000 } else { sr };
            Some(n as f64 / f64::from(rate))
        }
        _ => None,
    };
    if format == AudioFormat::M4a
        && let Some(edited) = pre.mp4.and_then(|b| b.edited_secs)
    {
        return Some(edited);
    }
    match (header, pre.flac_total) {
        (_, Some((samples, rate))) if format == AudioFormat::Flac => Some(samples as f64 / f64::from(rate)),
        (h, _) => h,
    }
}

/// A WAV's length from the bytes its `data` chunk holds: a header that
/// promises more is a cut file, reported as a cut MP3 is; a streamed one
/// (size unknown) ends where the file ends, and counts as scanned.
fn wav_length(
    data: wav::Data,
    bytes: u64,
    rate: u32,
    header: Option<f64>,
) -> Result<(f64, Method, Option<bool>), ProbeError> {
    let (frames, cut) = data.frames(bytes);
    let secs = frames as f64 / f64::from(rate);
    if cut && data.size_damaged() {
        return Err(ProbeError::Corrupt(format!(
            "the WAV's data chunk says it holds {} bytes, more than the file ({bytes} bytes) and than the whole \
             file its RIFF header describes ({} bytes): its header is wrong (ffmpeg -i episode.wav -c:a pcm_s16le \
             fixed.wav writes it again from the audio it holds)",
            data.declared,
            data.riff.saturating_add(8)
        )));
    }
    if cut {
        let promised = (data.declared / data.block_align) as f64 / f64::from(rate);
        return Err(ProbeError::Truncated { header: Some(promised), holds: secs });
    }
    let method = if data.streamed() || header.is_none() { Method::Scan } else { Method::Header };
    Ok((secs, method, None))
}

/// An MP3 without an exact length: its frames counted on a second reader
/// (headers only, big reads), exact for CBR and VBR; a last frame cut short
/// means a cut upload. The length, and whether the bitrate varies.
fn count_mp3_frames(bytes: u64, pre: &Pre, reopen: Opener<'_>) -> Result<(f64, bool), ProbeError> {
    let walk = walk_mp3(bytes, pre, reopen)?;
    if walk.frames == 0 {
        return Err(ProbeError::NoDuration("the file holds no audio frames".into()));
    }
    let secs = walk.seconds;
    if walk.truncated {
        return Err(ProbeError::Truncated { header: None, holds: secs });
    }
    Ok((secs, walk.vbr))
}

/// An MP3's frame headers walked on a second reader, from its first frame
/// to the tags after it.
fn walk_mp3(bytes: u64, pre: &Pre, reopen: Opener<'_>) -> Result<mp3::Walk, ProbeError> {
    let mut src = reopen().map_err(|e| ProbeError::Io(e.to_string()))?;
    let head = &pre.mp3;
    let end = bytes.saturating_sub(head.tail_tags);
    let walk =
        mp3::walk(&mut src, head.audio_start, end, head.kind.is_some()).map_err(|e| ProbeError::Io(e.to_string()))?;
    match walk.not_audio {
        0 => Ok(walk),
        n => Err(ProbeError::Corrupt(format!(
            "its last {} hold no MP3 audio for over {} in a row (so the rest was not read), after {} of audio",
            crate::fsutil::human_size(n),
            crate::fsutil::human_size(mp3::MAX_NOT_AUDIO),
            crate::text::clock(walk.seconds.round() as u64)
        ))),
    }
}

/// An MP3 whose seek header promises more than the file holds: a byte
/// count past its end, or more frames than its bytes hold at the lowest
/// bitrate. The frames there are counted: all the header counts (its byte
/// count alone is damaged) is a whole file; fewer, a cut one, which holds
/// what they last, never a share of a count that may be damaged. A header
/// whose counts contradict each other is not believed at all: the file was
/// counted, and a last frame cut short said so.
fn check_mp3_promises(
    duration_secs: f64,
    method: Method,
    bytes: u64,
    pre: &Pre,
    reopen: Opener<'_>,
) -> Result<(), ProbeError> {
    let head = &pre.mp3;
    if head.frames_wrong {
        return Ok(());
    }
    let present = bytes.saturating_sub(head.audio_start).saturating_sub(head.tail_tags);
    let by_bytes = head.bytes.is_some_and(|b| b > 0 && present + 4 < b);
    let slack = present.saturating_add(head.shortest_frame);
    let by_frames = head.frames.is_some_and(|f| f.saturating_mul(head.shortest_frame) > slack);
    if !(by_bytes || by_frames || head.zeroed_end) {
        return Ok(());
    }
    let walk = walk_mp3(bytes, pre, reopen)?;
    if head.frames.is_some_and(|f| walk.frames + 1 >= f) {
        return Ok(());
    }
    let header = match method {
        Method::Header => Some(duration_secs),
        // What the header's frame count lasts, at the frames' own rate.
        Method::Scan => head
            .frames
            .filter(|_| walk.frames > 0 && walk.sample_rate > 0)
            .map(|f| f as f64 * (walk.samples as f64 / walk.frames as f64) / f64::from(walk.sample_rate)),
    };
    Err(ProbeError::Truncated { header, holds: walk.seconds })
}

/// Whether an MP3's Xing/Info tag does not tell its length: frames follow
/// where its byte count ends (audio joined after encoding), it holds far
/// more bytes than counted (by over 1% and 8 KiB: a tag editor's padding is
/// not a second recording), or its frame count cannot be true of its byte
/// count (damaged, or 0 from an encoder that was killed).
fn holds_more(bytes: u64, pre: &Pre) -> bool {
    if pre.mp3.frames_wrong || pre.mp3.frames_after {
        return true;
    }
    let Some(promised) = pre.mp3.bytes.filter(|b| *b > 0) else { return false };
    let present = bytes.saturating_sub(pre.mp3.audio_start).saturating_sub(pre.mp3.tail_tags);
    present > promised.saturating_add(8192).saturating_add(promised / 100)
}

/// The byte counts headers promise (an M4A's media data) and a FLAC's
/// STREAMINFO total, against what the file holds: a cut upload is an error.
/// (An MP3's: [`check_mp3_promises`].)
fn check_promised_bytes(duration_secs: f64, pre: &Pre) -> Result<(), ProbeError> {
    if let Some((held, rate)) = pre.flac_held {
        return Err(ProbeError::Truncated { header: Some(duration_secs), holds: held as f64 / f64::from(rate) });
    }
    match pre.mp4.and_then(|b| b.mdat_cut) {
        Some(cut) => Err(media_data_cut(duration_secs, cut)),
        None => Ok(()),
    }
}

/// Whether the bitrate varies: Vorbis, Opus and FLAC by design, PCM never;
/// an MP3 by its frames or its seek header; AAC's container does not say cheaply.
fn varies(format: AudioFormat, is_mp3: bool, counted: Option<bool>, seek_header: Option<&str>) -> Option<bool> {
    match (is_mp3, counted, seek_header) {
        (false, ..) => match format {
            AudioFormat::Ogg | AudioFormat::Opus | AudioFormat::Flac => Some(true),
            AudioFormat::Wav => Some(false),
            AudioFormat::M4a | AudioFormat::Mp3 => None,
        },
        (true, Some(v), _) => Some(v),
        (true, None, Some("Info")) => Some(false),
        (true, None, Some(_)) => Some(true),
        (true, None, None) => None,
    }
}

/// The title tag, from the newest metadata revision (media-level, then per track).
fn tagged_title(reader: &mut dyn FormatReader) -> Option<String> {
    use symphonia::core::meta::StandardTag;
    let mut metadata = reader.metadata();
    let revision = metadata.skip_to_latest()?;
    let tags = revision.media.tags.iter().chain(revision.per_track.iter().flat_map(|t| t.metadata.tags.iter()));
    let title = tags.into_iter().find_map(|t| match &t.std {
        Some(StandardTag::TrackTitle(s)) => Some(s.trim().to_string()),
        _ => None,
    })?;
    (!title.is_empty()).then_some(title)
}

/// Sums packet durations without decoding. Per probe-notes pitfall 2, the
/// sum differs by format: MP3's `dur` is untrimmed in 0.6.1 (and a file
/// reaching here has no LAME tag, so there is nothing to trim), Ogg Vorbis,
/// FLAC and WAV are already trimmed, Opus needs its trims subtracted.
fn scan(
    reader: &mut dyn FormatReader,
    track_id: u32,
    time_base: Option<symphonia::core::units::TimeBase>,
    sample_rate: Option<u32>,
    is_opus: bool,
    eof_is_end: bool,
) -> Result<f64, ProbeError> {
    let (mut sum, mut sum_trimmed, mut packets) = (0u64, 0u64, 0u64);
    let mut truncated = false;
    loop {
        match reader.next_packet() {
            Ok(Some(p)) => {
                if p.track_id != track_id {
                    continue;
                }
                packets += 1;
                let dur = p.dur.get();
                sum += dur;
                sum_trimmed += dur.saturating_sub(p.trim_start.get() + p.trim_end.get());
            }
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                truncated = !eof_is_end;
                break;
            }
            // A chained Ogg (a new logical stream follows): what came before is
            // one whole stream; the rest is not part of this episode's track.
            Err(SymError::ResetRequired) => break,
            Err(e) => return Err(ProbeError::Corrupt(describe(&e))),
        }
    }
    if packets == 0 {
        return Err(ProbeError::NoDuration("the file holds no audio frames".into()));
    }
    let ticks = if is_opus { sum_trimmed } else { sum };
    let secs = match (time_base, sample_rate) {
        (Some(tb), _) => ticks as f64 * f64::from(tb.numer.get()) / f64::from(tb.denom.get()),
        (None, Some(sr)) if sr > 0 => ticks as f64 / f64::from(sr),
        _ => return Err(ProbeError::NoDuration("the stream has neither a time base nor a sample rate".into())),
    };
    // An Ogg cut mid-page ends with UnexpectedEof: the audio that is there
    // was measured, but publishing it would publish half an episode.
    if truncated {
        return Err(ProbeError::Truncated { header: None, holds: secs });
    }
    Ok(secs)
}

fn classify(
    format: symphonia::core::formats::FormatId,
    codec: Option<symphonia::core::codecs::audio::AudioCodecId>,
) -> Result<(AudioFormat, Codec), ProbeError> {
    let found = match format {
        f if f == FORMAT_ID_MP3 => Some((AudioFormat::Mp3, Codec::Mp3)),
        f if f == FORMAT_ID_ISOMP4 => match codec {
            Some(c) if c == CODEC_ID_AAC => Some((AudioFormat::M4a, Codec::Aac)),
            Some(c) if c == CODEC_ID_ALAC => {
                return Err(ProbeError::Unsupported(
                    "Apple Lossless (ALAC) in an M4A, which podcast apps do not play (an M4A episode is AAC): \
                     ffmpeg -i episode.m4a -c:a aac -b:a 128k episode-aac.m4a"
                        .into(),
                ));
            }
            _ => None,
        },
        f if f == FORMAT_ID_OGG => match codec {
            Some(c) if c == CODEC_ID_VORBIS => Some((AudioFormat::Ogg, Codec::Vorbis)),
            Some(c) if c == CODEC_ID_OPUS => Some((AudioFormat::Opus, Codec::Opus)),
            Some(c) if c == CODEC_ID_FLAC => Some((AudioFormat::Ogg, Codec::Flac)),
            _ => None,
        },
        f if f == FORMAT_ID_FLAC => Some((AudioFormat::Flac, Codec::Flac)),
        f if f == FORMAT_ID_WAVE => Some((AudioFormat::Wav, Codec::Pcm)),
        _ => None,
    };
    found.ok_or_else(|| ProbeError::Unsupported("a container or codec podcast apps do not play".into()))
}

/// Why symphonia found no audio it can read, in podsmith's words where
/// the case is known.
fn describe(e: &SymError) -> String {
    match e {
        SymError::Unsupported(what) if what.contains("no suitable format reader") => {
            "no audio format recognised in its content".into()
        }
        // An "ID3" where no audio was found before it, of a version none
        // reads (ID3v2.9) or damaged: random bytes, or a tag alone.
        SymError::Unsupported(what) | SymError::DecodeError(what) if what.starts_with("id3v2:") => {
            "no audio format recognised in its content, only a tag that claims to be ID3 but is damaged or of a \
             version that does not exist"
                .into()
        }
        other => other.to_string(),
    }
}

/// Entry points for the fuzzer (`fuzz/`) and its regression test
/// ([`crate::fuzzing`]): arbitrary bytes through each reader, outside the
/// `catch_unwind` that guards [`probe_file`], so that a panic is a crash.
#[doc(hidden)]
pub mod fuzz {
    use std::io::Cursor;

    use super::*;

    fn source(data: &[u8]) -> Box<dyn MediaSource> {
        Box::new(Cursor::new(data.to_vec()))
    }

    /// The MP3 head reader (ID3v2, first frame, Xing/Info/VBRI/LAME, tail
    /// tags) and the frame walker.
    pub fn mp3(data: &[u8]) {
        let len = data.len() as u64;
        let head = &data[..data.len().min(HEAD as usize)];
        if let Ok(h) = mp3::read_head(&mut Cursor::new(data), len, head)
            && h.has_sync
        {
            let end = len.saturating_sub(h.tail_tags);
            let _ = mp3::walk(&mut Cursor::new(data), h.audio_start, end, h.kind.is_some());
        }
    }

    /// The Ogg first-and-last-page reader.
    pub fn ogg(data: &[u8]) {
        let head = &data[..data.len().min(HEAD as usize)];
        let _ = ogg::read(&mut Cursor::new(data), data.len() as u64, head);
    }

    /// The MP4 box reader.
    pub fn mp4(data: &[u8]) {
        let _ = mp4::read_boxes(&mut Cursor::new(data), data.len() as u64, super::Reads::Any);
    }

    /// The streamed-FLAC tail reader (the first two bytes pick the block size).
    pub fn flac(data: &[u8]) {
        let block = data.first().map_or(4096, |b| u64::from(*b) * 64 + 16);
        let _ = flac::total_from_tail(&mut Cursor::new(data), data.len() as u64, block);
    }

    /// symphonia's demuxers, as `probe` runs them for an unusual file.
    pub fn symphonia(data: &[u8]) {
        unguarded(data, Engine::Symphonia);
    }

    /// The whole probe: our header readers, then symphonia where needed.
    pub fn probe(data: &[u8]) {
        unguarded(data, Engine::Auto);
    }

    fn unguarded(data: &[u8], engine: Engine) {
        let bytes = data.len() as u64;
        if bytes == 0 {
            return;
        }
        let open = || -> std::io::Result<Box<dyn MediaSource>> { Ok(source(data)) };
        let mut src = source(data);
        let Ok(pre) = read_pre(&mut src, bytes, super::Reads::Any) else { return };
        if engine == Engine::Auto
            && let Some(_found) = from_headers(&pre, bytes)
        {
            return;
        }
        let _ = measure(src, bytes, &pre, &open);
    }
}

#[cfg(test)]
mod tests {
    /// Raw AAC (ADTS) is told by two frames' sync words and layer 0; an
    /// MP3's frame (layer III) is not it.
    #[test]
    fn raw_aac_is_told_from_an_mp3() {
        let frame = |len: usize| {
            let mut f = vec![0xFF, 0xF1, 0x50, 0x80, (len >> 3) as u8, ((len & 7) << 5) as u8 | 0x1F, 0xFC];
            f.resize(len, 0x21);
            f
        };
        let two = [frame(20), frame(20)].concat();
        assert!(adts(&two));
        assert!(unplayable(&two).is_some_and(|(what, ext)| what.starts_with("raw AAC (ADTS") && ext == "aac"));
        assert!(!adts(&frame(20)), "one frame is not enough");
        let mut mp3 = two.clone();
        (mp3[1], mp3[21]) = (0xFB, 0xFB);
        assert!(!adts(&mp3));
    }

    use super::*;

    fn probe_bytes(data: Vec<u8>) -> Result<AudioInfo, ProbeError> {
        let open = || -> std::io::Result<Box<dyn MediaSource>> { Ok(Box::new(std::io::Cursor::new(data.clone()))) };
        probe_with(&open)
    }

    /// A cut file's message never says the same length twice: to the
    /// tenth, to the millisecond, or what is missing where both agree.
    #[test]
    fn a_cut_files_two_lengths_always_read_apart() {
        let said = |h, holds| truncated_message(Some(h), holds);
        assert!(said(120.0, 60.5).contains("its header says 120.0 s, the file holds 60.5 s"));
        assert!(said(120.0, 119.98).contains("its header says 120.000 s, the file holds 119.980 s"));
        assert!(said(10.0, 9.99995).contains("its header says 10.000 s, and the file ends a few bytes short of it"));
        assert!(truncated_message(None, -0.01).contains("it ends after 0.0 s of audio"));
    }

    #[test]
    fn containers_apps_do_not_take_are_named_by_their_first_bytes() {
        let with = |magic: &[u8], at8: &[u8]| {
            let mut head = magic.to_vec();
            head.resize(head.len().max(8), 0);
            head.extend_from_slice(at8);
            head.resize(4096, 0x55);
            head
        };
        let cases: [(Vec<u8>, &str); 9] = [
            (with(b"FORM", b"AIFC"), "aifc"),
            (with(b"BW64", b"WAVE"), "wav"),
            (with(b"riff\x2e\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00", b""), "w64"),
            (with(b"#!AMR\n", b""), "amr"),
            (with(b"MAC ", b""), "ape"),
            (with(b"wvpk", b""), "wv"),
            (with(&[0x1A, 0x45, 0xDF, 0xA3], b""), "mka"),
            (with(b"RIFF", b"AVI "), "avi"),
            (with(&[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11], b""), "wma"),
        ];
        for (head, ext) in cases {
            assert_eq!(unplayable(&head).map(|(_, e)| e), Some(ext), "{ext}");
            let err = probe_bytes(head).unwrap_err().to_string();
            assert!(err.contains(&format!("ffmpeg -i episode.{ext} ")), "{err}");
        }
        // Not the start of any of them: an MP3 (a tag or a frame), a WAV, a
        // FORM that is not AIFF.
        for head in [&b"ID3\x04\0\0\0\0\0\0"[..], &[0xFF, 0xFB, 0x90, 0x64], b"RIFF\0\0\0\0WAVE", b"FORM\0\0\0\08SVX"] {
            assert_eq!(unplayable(head), None);
        }
    }

    /// Our own header readers run on damaged and cut copies of every
    /// fixture without a panic (outside the `catch_unwind` a panic in them
    /// would be caught, but as an "internal error" to report).
    #[test]
    fn the_header_readers_survive_damaged_and_cut_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio");
        let mut x: u32 = 0x9E37_79B9;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut runs = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("mp3" | "ogg" | "opus" | "m4a" | "flac" | "wav")
            ) {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            if data.is_empty() {
                continue;
            }
            let mut variants: Vec<Vec<u8>> = Vec::new();
            for _ in 0..150 {
                let mut d = data.clone();
                // Damage where the readers look: the first and last 4 KiB.
                for _ in 0..1 + next() % 8 {
                    let span = d.len().min(4096);
                    let at = next() as usize % span;
                    let at = if next() % 2 == 0 { at } else { d.len() - 1 - at };
                    d[at] = next() as u8;
                }
                variants.push(d);
            }
            for _ in 0..40 {
                variants.push(data[..next() as usize % data.len()].to_vec());
            }
            for d in variants {
                let len = d.len() as u64;
                let mut source: Box<dyn MediaSource> = Box::new(std::io::Cursor::new(d.clone()));
                if let Ok(pre) = read_pre(&mut source, len, Reads::Any) {
                    let _ = from_headers(&pre, len);
                    if pre.mp3.has_sync {
                        let _ = mp3::walk(&mut std::io::Cursor::new(&d), pre.mp3.audio_start, len, false);
                    }
                }
                runs += 1;
            }
        }
        assert!(runs > 2000, "{runs}");
    }

    /// `n` pseudo-random bytes, the same from the same `seed` (xorshift;
    /// each byte the top of a step, full of 0xFF sync-like bytes).
    fn noise(mut x: u32, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect()
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name)).unwrap()
    }

    /// Files of other sample rates joined with `cat` are each their own
    /// length; bytes that are not audio after the frames add nothing.
    #[test]
    fn joined_mp3s_of_other_rates_are_each_their_length() {
        let (a, b) = (fixture("cbr-noxing.mp3"), fixture("mpeg2-22k-mono.mp3"));
        let (la, lb) = (probe_bytes(a.clone()).unwrap().duration_secs, probe_bytes(b.clone()).unwrap().duration_secs);
        for joined in [[&a[..], &b].concat(), [&b[..], &a].concat()] {
            let secs = probe_bytes(joined).unwrap().duration_secs;
            // The second file's Info frame and encoder delay are counted as audio: a frame or two.
            assert!((secs - (la + lb)).abs() < 0.1, "{secs} for {la} + {lb}");
        }
        // 50 KB of random bytes after a file without a seek header.
        let noise = noise(0x2545_F491, 50_000);
        let vbr = fixture("vbr-noxing.mp3");
        let alone = probe_bytes(vbr.clone()).unwrap().duration_secs;
        let secs = probe_bytes([&vbr[..], &noise].concat()).unwrap().duration_secs;
        assert!((secs - alone).abs() < 0.1, "{secs}, alone {alone}");
    }

    /// An outro joined after a file whose Info header counts only itself is
    /// counted, however short; a header whose frame count is 0 (an encode
    /// killed before it was written) or cannot be true is not believed.
    #[test]
    fn what_a_seek_header_does_not_count_is_counted() {
        let xing = fixture("cbr-xing.mp3");
        let alone = probe_bytes(xing.clone()).unwrap().duration_secs;
        // The outro: 0.5 s of the same stream, whole frames (64 kbit/s at 44.1 kHz: 208 or 209 bytes).
        let noxing = fixture("cbr-noxing.mp3");
        let start = noxing.iter().position(|b| *b == 0xFF).unwrap();
        let mut end = start;
        for _ in 0..19 {
            end += mp3::frame_len(&noxing[end..]).unwrap().0;
        }
        let info = probe_bytes([&xing[..], &noxing[start..end]].concat()).unwrap();
        let outro = 19.0 * 1152.0 / 44_100.0;
        // Counted, the first part keeps its encoder delay and padding: a frame or two.
        assert!((info.duration_secs - (alone + outro)).abs() < 0.06, "{} for {alone} + {outro}", info.duration_secs);
        // The frame count set to 0, then to a count no bitrate gives.
        let at = xing.windows(4).position(|w| w == b"Info").unwrap();
        for frames in [0u32, 1, 1_000_000] {
            let mut bad = xing.clone();
            bad[at + 8..at + 12].copy_from_slice(&frames.to_be_bytes());
            let secs = probe_bytes(bad).unwrap().duration_secs;
            assert!((secs - alone).abs() < 0.06, "{frames} frames: {secs}, truly {alone}");
        }
    }

    /// A header or timestamp that says more than 1,000 hours is damage.
    #[test]
    fn a_length_no_recording_has_is_an_error() {
        let mut opus = fixture("opus.opus");
        // The last page's granule position (bytes 6..14 of its header) set to 2^62.
        let last = opus.windows(4).rposition(|w| w == b"OggS").unwrap();
        opus[last + 6..last + 14].copy_from_slice(&(1u64 << 62).to_le_bytes());
        // Its CRC (bytes 22..26) made again, so the page is read.
        opus[last + 22..last + 26].copy_from_slice(&[0; 4]);
        let crc = ogg::crc_update(0, &opus[last..]);
        opus[last + 22..last + 26].copy_from_slice(&crc.to_le_bytes());
        match probe_bytes(opus) {
            Err(ProbeError::Corrupt(why)) => assert!(why.contains("longer than any recording"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// A video's MP4 is not an M4A.
    #[test]
    fn a_video_is_not_taken_for_an_m4a() {
        let video = fixture("broken-video.mp4");
        match probe_bytes(video) {
            Err(ProbeError::Unsupported(why)) => {
                assert!(why.starts_with("a video (its MP4 holds a video track)"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_input_is_an_error_not_a_panic() {
        let err = probe_bytes(Vec::new()).unwrap_err();
        assert_eq!(err, ProbeError::Empty);
    }

    #[test]
    fn random_bytes_are_unsupported() {
        // A deterministic pseudo-random buffer, full of 0xFF sync-like bytes.
        let result = probe_bytes(noise(0x1234_5678, 50_000));
        assert!(result.is_err(), "{result:?}");
    }

    #[test]
    fn html_saved_as_audio_is_unsupported() {
        let page = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n".repeat(20);
        let err = probe_bytes(page).unwrap_err();
        assert!(matches!(err, ProbeError::Unsupported(_)), "{err:?}");
    }

    #[test]
    fn apple_accepts_only_mp3_and_aac() {
        assert!(AudioFormat::Mp3.apple_accepts());
        assert!(AudioFormat::M4a.apple_accepts());
        assert!(!AudioFormat::Ogg.apple_accepts());
        assert!(!AudioFormat::Opus.apple_accepts());
    }
}
