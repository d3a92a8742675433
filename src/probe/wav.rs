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
    let mut block_align = None;
    for _ in 0..MAX_CHUNKS {
        let Some(h) = chunk_header(src, head, at)? else { return Ok(None) };
        let (id, size) = (&h[..4], u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]])));
        if id == b"fmt " {
            // Only where a block is one frame: PCM, float, A-law, mu-law
            // (or extensible, which holds those); not ADPCM's blocks.
            let tag = chunk_header(src, head, at + 8)?.map(|f| u16::from_le_bytes([f[0], f[1]]));
            let fmt = chunk_header(src, head, at + 8 + 12)?.filter(|_| matches!(tag, Some(1 | 3 | 6 | 7 | 0xFFFE)));
            block_align = fmt.map(|f| u64::from(u16::from_le_bytes([f[0], f[1]])));
        } else if id == b"data" {
            let block_align = block_align.filter(|b| *b > 0);
            return Ok(block_align.map(|block_align| Data { start: at + 8, declared: size, block_align }));
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
        assert_eq!(data, Data { start: 56, declared: 400, block_align: 4 });
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
