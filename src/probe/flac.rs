//! A "streamed" FLAC (written to a pipe, so STREAMINFO says 0 samples) still
//! knows its length: the last frame's header carries its frame or sample
//! number. Found by reading the file's tail backwards for a frame header
//! whose CRC-8 matches, confirmed by the header before it.

use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::checksum::Crc8Ccitt;
use symphonia::core::io::Monitor;

/// How far back to look for the last frame headers: a frame of 4096
/// samples is at most a few dozen KiB; try a short tail first.
const TAILS: [u64; 3] = [16 * 1024, 256 * 1024, 1024 * 1024];

/// The CRC-8 (polynomial 0x07) a FLAC frame header ends with: symphonia's.
fn crc8(bytes: &[u8]) -> u8 {
    let mut c = Crc8Ccitt::new(0);
    c.process_buf_bytes(bytes);
    c.crc()
}

/// A frame header at the start of `b`: (number, block size, variable-blocksize).
fn frame_header(b: &[u8]) -> Option<(u64, u64, bool)> {
    if b.len() < 6 || b[0] != 0xFF || (b[1] & 0xFE) != 0xF8 {
        return None;
    }
    let variable = b[1] & 1 == 1;
    let bs_code = b[2] >> 4;
    let rate_code = b[2] & 0x0F;
    if bs_code == 0 || rate_code == 15 || b[3] >> 4 >= 11 || b[3] & 1 != 0 || (b[3] >> 1) & 7 == 3 {
        return None;
    }
    // The UTF-8-style coded number.
    let lead = b[4];
    let extra = match lead {
        0x00..=0x7F => 0,
        0xC0..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF7 => 3,
        0xF8..=0xFB => 4,
        0xFC..=0xFD => 5,
        0xFE => 6,
        _ => return None,
    };
    let mut number = u64::from(if extra == 0 { lead } else { lead & (0x7F >> (extra + 1)) });
    let mut at = 5;
    for _ in 0..extra {
        let c = *b.get(at)?;
        if c & 0xC0 != 0x80 {
            return None;
        }
        number = (number << 6) | u64::from(c & 0x3F);
        at += 1;
    }
    let block = match bs_code {
        1 => 192,
        2..=5 => 576 << (bs_code - 2),
        6 => {
            at += 1;
            u64::from(*b.get(at - 1)?) + 1
        }
        7 => {
            at += 2;
            u64::from(u16::from_be_bytes([*b.get(at - 2)?, *b.get(at - 1)?])) + 1
        }
        _ => 256 << (bs_code - 8),
    };
    at += match rate_code {
        12 => 1,
        13 | 14 => 2,
        _ => 0,
    };
    let crc = *b.get(at)?;
    (crc8(&b[..at]) == crc).then_some((number, block, variable))
}

/// The total samples of a FLAC whose STREAMINFO has none, from its last frames.
/// `block` is STREAMINFO's (fixed) block size.
pub fn total_from_tail<R: Read + Seek + ?Sized>(src: &mut R, len: u64, block: u64) -> io::Result<Option<u64>> {
    for tail_len in TAILS {
        let from = len.saturating_sub(tail_len);
        src.seek(SeekFrom::Start(from))?;
        let mut tail = vec![0u8; (len - from) as usize];
        let n = super::read_full(src, &mut tail)?;
        tail.truncate(n);
        src.seek(SeekFrom::Start(0))?;
        if let Some(total) = last_frame_end(&tail, block) {
            return Ok(Some(total));
        }
        if from == 0 {
            break;
        }
    }
    Ok(None)
}

fn last_frame_end(tail: &[u8], block: u64) -> Option<u64> {
    // Frame headers from the end backwards. The answer is the last header
    // that an earlier one confirms (the frame before it: number - 1, or its
    // first sample + block size); a false sync inside audio data is not
    // confirmed by anything. Stops as soon as the very last header is
    // confirmed, which is at the frame before it in a well-formed file.
    let mut headers: Vec<(u64, u64, bool)> = Vec::new();
    let mut best: Option<usize> = None;
    for i in (0..tail.len().saturating_sub(5)).rev() {
        if tail[i] != 0xFF {
            continue;
        }
        let Some((prev, prev_size, prev_variable)) = frame_header(&tail[i..]) else { continue };
        let confirms = headers.iter().position(|&(num, _, variable)| {
            prev_variable == variable && if variable { prev + prev_size == num } else { prev + 1 == num }
        });
        if let Some(j) = confirms {
            best = Some(best.map_or(j, |b| b.min(j)));
        }
        headers.push((prev, prev_size, prev_variable));
        if best == Some(0) || headers.len() >= 64 {
            break;
        }
    }
    let (num, size, variable) = headers[best?];
    let first_sample = if variable { num } else { num * block };
    Some(first_sample + size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_matches_the_flac_polynomial() {
        assert_eq!(crc8(b"123456789"), 0xF4);
    }
}
