//! Cover art read from its header: format by content, size, colour model.
//! A few hundred bytes of the file are enough; nothing is decoded.

/// Whether a file starting with `head` is a recording (MP3, Ogg, FLAC,
/// WAV, MP4 audio or video), as its first bytes say: no picture, whatever
/// its name.
pub fn is_audio(head: &[u8]) -> bool {
    let sync = head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0 && head[1] != 0xD8;
    let riff = head.len() >= 12 && &head[..4] == b"RIFF" && matches!(&head[8..12], b"WAVE" | b"AVI ");
    // (An MP4 of pictures, HEIC or AVIF, names itself so: its brand.)
    let mp4 = head.len() >= 12
        && &head[4..8] == b"ftyp"
        && !matches!(&head[8..12], b"heic" | b"heix" | b"mif1" | b"msf1" | b"avif" | b"avis" | b"hevc");
    sync || riff || mp4 || [&b"ID3"[..], b"OggS", b"fLaC", b"caff", b"FORM"].iter().any(|m| head.starts_with(m))
}

/// Image formats told apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (not accepted by Apple).
    Webp,
    /// GIF (not accepted by Apple).
    Gif,
    /// Anything else.
    Other,
}

impl Format {
    /// Its usual name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Other => "not an image Apple reads",
        }
    }

    /// Whether a URL ending in `ext` (lower case) names this format: a WebP
    /// at a .webp URL fits (Apple refuses it as WebP, APPLE-CH-IMAGE-FORMAT,
    /// not as a mismatch).
    pub fn fits_extension(self, ext: &str) -> bool {
        match self {
            Format::Jpeg => ext == "jpg" || ext == "jpeg",
            Format::Png => ext == "png",
            Format::Webp => ext == "webp",
            Format::Gif => ext == "gif",
            Format::Other => false,
        }
    }
}

/// Colour models that matter to Apple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// RGB or YCbCr.
    Rgb,
    /// CMYK or YCCK (refused by Apple).
    Cmyk,
    /// Greyscale.
    Gray,
    /// A palette (PNG).
    Palette,
}

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Image {
    /// Format by content.
    pub format: Format,
    /// Width and height in pixels, when found.
    pub size: Option<(u32, u32)>,
    /// Colour model, when found.
    pub color: Option<Color>,
    /// Whether it has an alpha channel.
    pub alpha: bool,
}

/// Tells the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Format::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Format::Webp
    } else if bytes.starts_with(b"GIF8") {
        Format::Gif
    } else {
        Format::Other
    }
}

/// The header of the image file at `path` (its first 64 KiB: where a JPEG's
/// frame header is, past an EXIF thumbnail; a feed reads this for every
/// episode's art, so no more).
pub fn inspect_file(path: &std::path::Path) -> Option<Image> {
    use std::io::Read;
    let mut head = Vec::new();
    crate::fsutil::open(path).ok()?.take(64 * 1024).read_to_end(&mut head).ok()?;
    Some(inspect(&head))
}

/// Whether the JPEG or PNG file at `path` ends as one does (a JPEG's end
/// marker, a PNG's `IEND` chunk, in its last KiB): a copy or upload cut
/// short does not. `true` for other formats, and for a file that cannot be read.
pub fn ends_whole(path: &std::path::Path, format: Format) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let tail = || -> std::io::Result<Vec<u8>> {
        let mut f = crate::fsutil::open(path)?;
        let len = f.metadata()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(1024)))?;
        let mut tail = Vec::new();
        f.take(1024).read_to_end(&mut tail)?;
        Ok(tail)
    };
    let Ok(tail) = tail() else { return true };
    match format {
        Format::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        Format::Png => tail.windows(8).any(|w| w == b"IEND\xAEB`\x82"),
        _ => true,
    }
}

/// Why apps cannot show a JPEG or PNG of these `bytes` (the whole
/// file, or its first part), where its structure tells: damaged (a PNG
/// chunk whose checksum is wrong; a JPEG whose segments before its picture
/// data break off, or that has no frame header or quantization table, or
/// an empty table), or a lossless JPEG, which no browser reads. Bytes
/// damaged inside a JPEG's picture data are not seen: only decoding would
/// see them.
pub fn damaged(bytes: &[u8], format: Format) -> Option<&'static str> {
    match format {
        Format::Png => damaged_png(bytes),
        Format::Jpeg => damaged_jpeg(bytes),
        _ => None,
    }
}

fn damaged_png(bytes: &[u8]) -> Option<&'static str> {
    let mut i = 8;
    while let Some(head) = bytes.get(i..i + 8) {
        let len = usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]])).ok()?;
        let crc = bytes.get(i + 8 + len..i + 12 + len)?;
        if crc32fast::hash(&bytes[i + 4..i + 8 + len]).to_be_bytes() != crc {
            return Some("is damaged: a chunk of it does not match its checksum");
        }
        if &head[4..8] == b"IEND" {
            return None;
        }
        i += 12 + len;
    }
    None
}

/// How many stray bytes before a JPEG marker a decoder reads past (a
/// tool's leftovers); more is damage.
const STRAY: usize = 64;

fn damaged_jpeg(bytes: &[u8]) -> Option<&'static str> {
    let broken = Some("is damaged: its header breaks off before the picture");
    let (mut quantized, mut framed, mut i) = (false, false, 2);
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            match bytes[i..bytes.len().min(i + STRAY)].iter().position(|&b| b == 0xFF) {
                Some(n) => i += n,
                // (The part read ends there: not known.)
                None if bytes.len() < i + STRAY => return None,
                None => return broken,
            }
            continue;
        }
        let marker = bytes[i + 1];
        match marker {
            0xFF => {
                i += 1;
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            0x00 | 0xD8 | 0xD9 => return broken,
            0xC3 | 0xC7 | 0xCB | 0xCF => return Some("is a lossless JPEG, a kind no browser or app shows"),
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => framed = true,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 {
            return broken;
        }
        let seg = bytes.get(i + 4..i + 2 + len)?;
        match marker {
            0xDA if !framed => return Some("is damaged: it has no frame header before its picture"),
            0xDA => return (!quantized).then_some("is damaged: it has no quantization table"),
            0xDB => {
                quantized = true;
                let mut t = seg;
                while let Some((&pq, rest)) = t.split_first() {
                    let size = if pq >> 4 == 0 { 64 } else { 128 };
                    let Some(table) = rest.get(..size) else { return broken };
                    if pq >> 4 > 1 || table.iter().all(|&b| b == 0) {
                        return Some("is damaged: a quantization table of it is empty");
                    }
                    t = &rest[size..];
                }
            }
            0xC4 => {
                let mut t = seg;
                while t.len() >= 17 {
                    let codes: usize = t[1..17].iter().map(|&n| usize::from(n)).sum();
                    if t[0] >> 4 > 1 || codes == 0 || codes > 256 || t.len() < 17 + codes {
                        return Some("is damaged: a Huffman table of it is empty or cut");
                    }
                    t = &t[17 + codes..];
                }
            }
            _ => {}
        }
        i += 2 + len;
    }
    None
}

/// Reads the header of an image file's bytes.
pub fn inspect(bytes: &[u8]) -> Image {
    let format = sniff(bytes);
    let mut image = Image { format, size: None, color: None, alpha: false };
    match format {
        Format::Png if bytes.len() >= 26 && &bytes[12..16] == b"IHDR" => {
            let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
            let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
            image.size = Some((w, h));
            let (color, alpha) = match bytes[25] {
                0 => (Color::Gray, false),
                2 => (Color::Rgb, false),
                3 => (Color::Palette, false),
                4 => (Color::Gray, true),
                _ => (Color::Rgb, bytes[25] == 6),
            };
            image.color = Some(color);
            image.alpha = alpha;
        }
        Format::Jpeg => {
            let mut i = 2;
            while i + 4 <= bytes.len() {
                if bytes[i] != 0xFF {
                    break;
                }
                let marker = bytes[i + 1];
                if marker == 0xFF {
                    i += 1;
                    continue;
                }
                let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
                // A segment's length counts its own two bytes: 0 or 1 is damage.
                if len < 2 {
                    break;
                }
                let seg = &bytes[i + 4..bytes.len().min(i + 2 + len)];
                let is_sof = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
                if is_sof && seg.len() >= 6 {
                    let h = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
                    let w = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
                    image.size = Some((w, h));
                    image.color = Some(match seg[5] {
                        1 => Color::Gray,
                        4 => Color::Cmyk,
                        _ => Color::Rgb,
                    });
                    break;
                }
                if marker == 0xDA {
                    break;
                }
                i += 2 + len;
            }
        }
        _ => {}
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real art is whole; the same art with its tables or a chunk
    /// overwritten (a disk's or a copy's damage) is told damaged.
    #[test]
    fn damaged_art_is_told_and_whole_art_is_not() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in ["media", "tests/fixtures/rules/images"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                let format = sniff(&bytes);
                if matches!(format, Format::Jpeg | Format::Png) {
                    seen += 1;
                    assert_eq!(damaged(&bytes, format), None, "{}", path.display());
                }
            }
        }
        assert!(seen >= 6, "{seen}");
        let cover = std::fs::read(root.join("media/cover.jpg")).unwrap();
        let mut zeroed = cover.clone();
        zeroed[200..5200].fill(0);
        assert!(damaged(&zeroed, Format::Jpeg).is_some());
        let png = std::fs::read(root.join("tests/fixtures/rules/images/palette.png")).unwrap();
        let mut flipped = png.clone();
        let last = flipped.len() - 20;
        flipped[last] ^= 0x55;
        assert_eq!(damaged(&flipped, Format::Png), Some("is damaged: a chunk of it does not match its checksum"));
        // A few stray bytes before a marker are read past, as decoders do.
        let dht = cover.windows(2).position(|w| w == [0xFF, 0xC4]).unwrap();
        let stray = [&cover[..dht], &[0x00, 0x00], &cover[dht..]].concat();
        assert_eq!(damaged(&stray, Format::Jpeg), None);
        // A lossless JPEG is no damage, but no app shows it either.
        let sof = cover.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let mut lossless = cover.clone();
        lossless[sof + 1] = 0xC3;
        assert_eq!(damaged(&lossless, Format::Jpeg), Some("is a lossless JPEG, a kind no browser or app shows"));
        // Cut short, or a head of a big file only: not damage (said otherwise, if at all).
        assert_eq!(damaged(&png[..png.len() / 2], Format::Png), None);
        assert_eq!(damaged(&cover[..100], Format::Jpeg), None);
    }

    #[test]
    fn a_format_fits_its_own_extension_only() {
        assert!(Format::Webp.fits_extension("webp") && Format::Gif.fits_extension("gif"));
        assert!(Format::Jpeg.fits_extension("jpeg") && Format::Png.fits_extension("png"));
        assert!(!Format::Webp.fits_extension("png") && !Format::Png.fits_extension("jpg"));
        assert!(!Format::Other.fits_extension("webp"));
    }

    #[test]
    fn the_sample_cover_is_a_1400_px_rgb_jpeg() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/media/cover.jpg")).unwrap();
        let img = inspect(&bytes);
        assert_eq!(
            img,
            Image { format: Format::Jpeg, size: Some((1400, 1400)), color: Some(Color::Rgb), alpha: false }
        );
    }

    #[test]
    fn truncated_and_foreign_bytes_do_not_panic() {
        for bytes in [
            &b""[..],
            b"\xFF\xD8\xFF",
            b"\xFF\xD8\xFF\xC0\x00",
            // Segment lengths of 0 and 1 (less than the length field itself).
            b"\xFF\xD8\xFF\xE0\x00\x00\xFF\xC0",
            b"\xFF\xD8\xFF\xE0\x00\x01\xFF\xC0\x00\x11",
            b"\x89PNG\r\n\x1a\n\0\0",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"<html>",
        ] {
            let _ = inspect(bytes);
        }
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Format::Webp);
    }

    /// Real covers cut at every length through their headers, and with each
    /// header byte replaced by values that break lengths and markers
    /// (0x00 and 0x01 make segment lengths shorter than their own field):
    /// these reach the JPEG segment walk and the PNG header, unlike bytes
    /// made by hand.
    #[test]
    fn real_covers_cut_or_damaged_anywhere_in_their_headers_do_not_panic() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let covers = ["media/cover.jpg", "src/init/placeholder-cover.jpg", "tests/fixtures/rules/images/alpha.png"];
        for path in covers {
            let bytes = std::fs::read(root.join(path)).unwrap();
            let whole = inspect(&bytes);
            assert!(whole.size.is_some(), "{path} reads whole: {whole:?}");
            let head = bytes.len().min(2048);
            for cut in 0..=head {
                let _ = inspect(&bytes[..cut]);
                let _ = damaged(&bytes[..cut], whole.format);
            }
            let mut broken = bytes[..head].to_vec();
            for at in 0..head {
                let was = broken[at];
                for value in [0x00, 0x01, 0xFF, was ^ 0x80] {
                    broken[at] = value;
                    let _ = inspect(&broken);
                    let _ = damaged(&broken, whole.format);
                }
                broken[at] = was;
            }
        }
    }
}
