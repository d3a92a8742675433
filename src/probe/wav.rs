//! Where a WAV file's audio data starts and how long its `data` chunk says
//! it is: a file cut short (an interrupted upload) or written to a pipe
//! (the size is a placeholder, 0xFFFFFFFF) is measured by the bytes it
//! holds, not by the size its header promises.

use std::io::{self, Read, Seek, SeekFrom};

/// The `data` chunk of a WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data {
    /// Offset of the first audio byte.
    pub start: u64,
    /// The size the chunk declares (0xFFFFFFFF: unknown, written to a pipe).
    pub declared: u64,
    /// Bytes per frame (all channels), from the `fmt ` chunk.
    pub block_align: u64,
    /// Frames per second, from the `fmt ` chunk.
    pub sample_rate: u32,
    /// Channels, from the `fmt ` chunk.
    pub channels: u32,
    /// The size the RIFF header declares for the whole file, less 8.
    pub riff: u64,
}

/// The placeholder size a writer that cannot seek back leaves in the header.
pub const UNKNOWN_SIZE: u64 = 0xFFFF_FFFF;

/// At most this many chunks are passed before `data` (`fmt `, `LIST`,
/// `bext`, `JUNK`, ...): a crafted file cannot make the probe walk on.
const MAX_CHUNKS: usize = 64;

/// The `data` chunk of a RIFF/WAVE file (`head`: its first bytes), found by
/// walking the chunk headers (one small read per chunk past `head`);
/// `None` if there is none before the end or no `fmt ` chunk before it.
pub fn read<R: Read + Seek + ?Sized>(src: &mut R, len: u64, head: &[u8]) -> io::Result<Option<Data>> {
    let mut at = 12u64;
    let mut format = None;
    let riff = head.get(4..8).map_or(0, |r| u64::from(u32::from_le_bytes([r[0], r[1], r[2], r[3]])));
    for _ in 0..MAX_CHUNKS {
        let Some(h) = chunk_header(src, head, at)? else { return Ok(None) };
        let (id, size) = (&h[..4], u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]])));
        if id == b"fmt " {
            // Only where a block is one frame: PCM, float, A-law, mu-law
            // (or extensible, which holds those); not ADPCM's blocks.
            // (format tag, channels, sample rate), then (byte rate, block align, bits).
            let first = chunk_header(src, head, at + 8)?;
            let tag = first.map(|f| u16::from_le_bytes([f[0], f[1]]));
            let fmt = chunk_header(src, head, at + 8 + 8)?.filter(|_| matches!(tag, Some(1 | 3 | 6 | 7 | 0xFFFE)));
            format = first.zip(fmt).map(|(f, g)| {
                let channels = u32::from(u16::from_le_bytes([f[2], f[3]]));
                let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                (u64::from(u16::from_le_bytes([g[4], g[5]])), rate, channels)
            });
        } else if id == b"data" {
            let format = format.filter(|(block_align, rate, channels)| *block_align > 0 && *rate > 0 && *channels > 0);
            return Ok(format.map(|(block_align, sample_rate, channels)| Data {
                start: at + 8,
                declared: size,
                block_align,
                sample_rate,
                channels,
                riff,
            }));
        }
        // Chunks are padded to an even size.
        at = at.saturating_add(8 + size + (size & 1));
        if at >= len {
            return Ok(None);
        }
    }
    Ok(None)
}

/// The 8 bytes at `at`, from `head` when it holds them, else read.
fn chunk_header<R: Read + Seek + ?Sized>(src: &mut R, head: &[u8], at: u64) -> io::Result<Option<[u8; 8]>> {
    let inside = usize::try_from(at).ok().and_then(|at| head.get(at..at.checked_add(8)?));
    if let Some(h) = inside {
        return Ok(h.try_into().ok());
    }
    src.seek(SeekFrom::Start(at))?;
    let mut h = [0u8; 8];
    let got = super::read_full(src, &mut h)?;
    Ok((got == 8).then_some(h))
}

impl Data {
    /// Whether the size is a placeholder (0xFFFFFFFF, or 0, which some
    /// writers leave and ffmpeg reads to the end of the file).
    pub fn streamed(&self) -> bool {
        self.declared == UNKNOWN_SIZE || self.declared == 0
    }

    /// Whether the data chunk's size cannot be true: it ends past the end
    /// the RIFF header gives the whole file (where that is not a
    /// placeholder too), so it is damage, not a cut upload (whose headers
    /// agree, and promise more than the file holds).
    pub fn size_damaged(&self) -> bool {
        let riff_known = self.riff != UNKNOWN_SIZE && self.riff != 0;
        !self.streamed() && riff_known && self.start.saturating_add(self.declared) > self.riff.saturating_add(8)
    }

    /// Whole frames the file holds, and whether they are fewer than the
    /// header promises (the file was cut). A placeholder size (a stream)
    /// promises nothing: the file's end is the audio's end.
    pub fn frames(&self, len: u64) -> (u64, bool) {
        let present = len.saturating_sub(self.start);
        if self.streamed() {
            return (present / self.block_align, false);
        }
        let promised = self.declared / self.block_align;
        let held = present.min(self.declared) / self.block_align;
        (held, held < promised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(data_size: u32, data: usize) -> Vec<u8> {
        let mut w = b"RIFF\xFF\xFF\xFF\xFFWAVEfmt \x10\x00\x00\x00".to_vec();
        // PCM, 2 channels, 8000 Hz, 32000 bytes/s, block align 4, 16 bits.
        w.extend_from_slice(&[1, 0, 2, 0, 0x40, 0x1F, 0, 0, 0, 0x7D, 0, 0, 4, 0, 16, 0]);
        w.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data_size.to_le_bytes());
        w.extend(std::iter::repeat_n(0u8, data));
        w
    }

    fn data_of(w: &[u8]) -> Option<Data> {
        read(&mut std::io::Cursor::new(w), w.len() as u64, &w[..w.len().min(40)]).unwrap()
    }

    #[test]
    fn the_data_chunk_is_found_past_other_chunks() {
        let w = wav(400, 400);
        let data = data_of(&w).unwrap();
        assert_eq!(
            data,
            Data {
                start: 56,
                declared: 400,
                block_align: 4,
                sample_rate: 8000,
                channels: 2,
                riff: u64::from(u32::MAX)
            }
        );
        assert_eq!(data.frames(w.len() as u64), (100, false));
    }

    #[test]
    fn compressed_blocks_are_left_to_the_demuxer() {
        let mut adpcm = wav(400, 400);
        adpcm[20] = 2; // Microsoft ADPCM: a block holds many frames
        assert_eq!(data_of(&adpcm), None);
    }

    #[test]
    fn a_cut_or_streamed_file_is_measured_by_what_it_holds() {
        let cut = wav(400, 202);
        assert_eq!(data_of(&cut).unwrap().frames(cut.len() as u64), (50, true));
        let streamed = wav(u32::MAX, 202);
        assert_eq!(data_of(&streamed).unwrap().frames(streamed.len() as u64), (50, false));
        let no_data = &wav(400, 0)[..48];
        assert_eq!(data_of(no_data), None);
    }
}
