//! Rules that compare the feed with the files behind it (\[M\]): sizes,
//! durations and types against the measured media, the artwork's pixels,
//! chapters JSON.

use super::art::{self, Color};
use super::items::url_extension;
use super::rules::{RuleId, id};
use super::xml::{Node, Ns};
use super::{Cx, Finding, LocalFile, Scope, Severity, Where, dates};
use crate::probe::{AudioFormat, AudioInfo};

/// How a PLACEHOLDER finding ends that is of the show's cover: the one
/// `podsmith init` wrote, not replaced yet.
pub const PLACEHOLDER_COVER_SAID: &str = " is podsmith's placeholder cover";

/// The biggest cover podsmith reads (anything bigger is certainly too big).
const MAX_IMAGE_READ: u64 = 64 * 1024 * 1024;

/// MIME types a feed may use for each format.
fn types_for(format: AudioFormat) -> &'static [&'static str] {
    match format {
        AudioFormat::Mp3 => &["audio/mpeg", "audio/mp3"],
        AudioFormat::M4a => &["audio/x-m4a", "audio/mp4", "audio/m4a", "audio/aac"],
        AudioFormat::Ogg => &["audio/ogg", "audio/vorbis", "application/ogg"],
        AudioFormat::Opus => &["audio/ogg", "audio/opus"],
        AudioFormat::Flac => &["audio/flac", "audio/x-flac"],
        AudioFormat::Wav => &["audio/wav", "audio/x-wav", "audio/wave"],
    }
}

/// A media URL of an item, as the feed declares it.
struct MediaRef<'a> {
    url: String,
    /// Its declared length in bytes, and type.
    length: Option<&'a str>,
    mime: Option<&'a str>,
    /// The element that names it.
    node: &'a Node,
    /// Whether it is the enclosure (else an alternate source).
    enclosure: bool,
}

/// The \[M\] rules.
pub fn check(cx: &mut Cx<'_>) {
    let Some(local) = cx.opts.local.clone() else { return };
    let base = cx.base.clone();
    let lookup = |url: &str| local.lookup(url, base.as_deref());

    // Show cover.
    if cx.scope == Scope::Feed
        && let Some(img) = cx.child(cx.channel, &Ns::Itunes, "image")
        && let Some(href) = img.attr("href")
    {
        match lookup(href) {
            Some(file) => artwork(cx, &file, href, Where::Line(img.line), true),
            None => missing(cx, href, Where::Line(img.line), "cover"),
        }
    }
    for i in 0..cx.items.len() {
        let item = cx.items[i];
        let w = cx.item_where(i);
        let at = |n: &Node| w.at(n.line);
        if let Some(img) = cx.child(item, &Ns::Itunes, "image")
            && let Some(href) = img.attr("href")
        {
            match lookup(href) {
                Some(file) => artwork(cx, &file, href, at(img), false),
                None => missing(cx, href, at(img), "episode image"),
            }
        }
        let declared =
            cx.child(item, &Ns::Itunes, "duration").and_then(|d| dates::duration(&d.text).ok().map(|s| (s, d)));
        let mut measured: Vec<(String, f64)> = Vec::new();
        for media in media_of(cx, item) {
            let Some(file) = lookup(&media.url) else {
                missing(cx, &media.url, at(media.node), "media");
                continue;
            };
            let declared = if media.enclosure { declared } else { None };
            if let Some(secs) = media_file(cx, &file, &media, declared, at(media.node)) {
                measured.push((url_extension(&media.url).unwrap_or_default().to_ascii_uppercase(), secs));
            }
        }
        formats_agree(cx, &measured, &w);
        if let Some(ch) = cx.child(item, &Ns::Podcast, "chapters")
            && let Some(url) = ch.attr("url")
        {
            match lookup(url) {
                Some(file) => chapters_json(cx, &file, at(ch), measured.first().map(|m| m.1)),
                // (A build writes the chapters file itself: only a folder
                // of published files, --media-root, may lack it.)
                None if local.root.is_some() => missing(cx, url, at(ch), "chapters"),
                None => {}
            }
        }
    }
}

/// An item's enclosure, then every alternate source.
fn media_of<'a>(cx: &Cx<'a>, item: &'a Node) -> Vec<MediaRef<'a>> {
    let mut files: Vec<MediaRef<'a>> = Vec::new();
    if let Some(e) = cx.child(item, &Ns::Rss, "enclosure")
        && let Some(url) = e.attr("url")
    {
        let (length, mime) = (e.attr("length"), e.attr("type"));
        // (Spaces around it are said by APPLE-IT-ENCL-ASCII; the file is the URL's within.)
        files.push(MediaRef { url: url.trim().to_string(), length, mime, node: e, enclosure: true });
    }
    // Of each alternate enclosure, its first source a file can be: its
    // others are mirrors of the same file, and one at another scheme
    // (ipfs:) or of a torrent (`contentType`) is not a file of the show.
    for alt in cx.children(item, &Ns::Podcast, "alternateEnclosure") {
        let file = cx.children(alt, &Ns::Podcast, "source").into_iter().find(|src| {
            src.attr("uri").is_some_and(crate::text::is_http_url)
                && src.attr("contentType").is_none_or(|t| !t.to_ascii_lowercase().contains("bittorrent"))
        });
        if let Some(src) = file
            && let Some(uri) = src.attr("uri")
            && !files.iter().any(|f| f.url == uri)
        {
            let (length, mime) = (alt.attr("length"), alt.attr("type"));
            files.push(MediaRef { url: uri.to_string(), length, mime, node: src, enclosure: false });
        }
    }
    files
}

/// One media file against what the feed says of it: its length in bytes,
/// its type, its duration (for the enclosure: `declared`), its seek header.
/// Returns how long it plays, if it could be measured.
fn media_file(
    cx: &mut Cx<'_>,
    file: &LocalFile,
    MediaRef { length, mime, enclosure, .. }: &MediaRef<'_>,
    declared: Option<(u64, &Node)>,
    at: Where,
) -> Option<f64> {
    let bytes = match &file.probe {
        Some(Ok(info)) => Some(info.bytes),
        _ => std::fs::metadata(&file.path).map(|m| m.len()).ok(),
    };
    if let (Some(l), Some(b)) = (length.and_then(|l| l.parse::<u64>().ok()), bytes)
        && l != b
    {
        // (An alternate enclosure's is the namespace's, not Apple's, which reads none.)
        let rule = if *enclosure { id::APPLE_IT_ENCL_LENGTH } else { id::P20_ALTENC };
        cx.push(Finding::new(
            rule,
            at.clone(),
            format!("length=\"{l}\" but {} is {b} bytes", shown(&file.path)),
            format!("write length=\"{b}\" (podsmith writes the real size)"),
        ));
    }
    let probe = match file.probe.clone() {
        Some(p) => p,
        None => crate::probe::probe_file(&file.path).map_err(|e| e.to_string()),
    };
    let info: AudioInfo = match probe {
        Ok(info) => info,
        Err(e) => {
            cx.push(Finding::new(
                id::MEDIA_UNREADABLE,
                at,
                format!("{}: {e}", shown(&file.path)),
                "replace the file with a complete export of the episode",
            ));
            return None;
        }
    };
    // Media types are case-insensitive (RFC 2045): Audio/MPEG is audio/mpeg.
    if let Some(m) = mime
        && !types_for(info.format).contains(&m.to_ascii_lowercase().as_str())
    {
        cx.push(Finding::new(
            id::MEDIA_TYPE,
            at.clone(),
            format!("type=\"{m}\" but {} is {} ({})", shown(&file.path), info.format.label(), info.mime_type()),
            format!("write type=\"{}\", or point the URL at the right file", info.mime_type()),
        ));
    }
    if let Some((secs, d)) = declared
        && (secs as f64 - info.duration_secs).abs() > 1.0
    {
        cx.push(Finding::new(
            id::MEDIA_DURATION,
            at.at(d.line),
            format!(
                "itunes:duration says {} but {} plays for {} ({:.3} s)",
                crate::text::clock(secs),
                shown(&file.path),
                crate::text::clock(info.whole_seconds()),
                info.duration_secs
            ),
            format!("write <itunes:duration>{}</itunes:duration>", info.whole_seconds()),
        ));
    }
    if info.vbr == Some(true) && info.has_seek_header == Some(crate::probe::SeekHeader::None) {
        cx.push(Finding::new(
            id::MEDIA_VBR_NO_HEADER,
            at,
            format!(
                "{} is a VBR MP3 without a Xing or VBRI header: players guess its length from the first frames and seek badly",
                shown(&file.path)
            ),
            "re-encode it with LAME (which writes a Xing/LAME header), or export it as CBR",
        ));
    }
    Some(info.duration_secs)
}

/// The formats of one episode play for the same time, within a second.
fn formats_agree(cx: &mut Cx<'_>, measured: &[(String, f64)], w: &Where) {
    let Some((first_label, first)) = measured.first() else { return };
    for (label, secs) in &measured[1..] {
        if (secs - first).abs() > 1.0 {
            cx.push(Finding::new(
                id::MEDIA_FORMATS_AGREE,
                w.clone(),
                format!("the {label} file plays for {secs:.1} s but the {first_label} file for {first:.1} s"),
                "export every format from the same final mix",
            ));
        }
    }
}

/// A path as the user would write it (no leading `./`).
fn shown(p: &std::path::Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn missing(cx: &mut Cx<'_>, url: &str, at: Where, what: &str) {
    // A build knows every file of its site; a URL elsewhere (a cover or
    // media hosted on another server) is checked online, not here.
    let hosted_elsewhere = cx.opts.local.as_ref().is_some_and(|l| l.root.is_none())
        && cx.base.as_deref().is_none_or(|base| !url.starts_with(base));
    if hosted_elsewhere {
        return;
    }
    cx.push(Finding::new(
        id::MEDIA_MISSING,
        at,
        format!("no local file for the {what} URL {url}; its [M] checks were skipped"),
        "give --media-root the folder that holds the published files",
    ));
}

fn artwork(cx: &mut Cx<'_>, file: &LocalFile, url: &str, at: Where, show: bool) {
    let data = match crate::fsutil::open(&file.path).and_then(|f| {
        use std::io::Read;
        let mut head = Vec::new();
        f.take(4 * 1024 * 1024).read_to_end(&mut head)?;
        Ok(head)
    }) {
        Ok(d) => d,
        Err(e) => {
            cx.push(Finding::new(
                id::MEDIA_MISSING,
                at,
                format!("cannot read {}: {e}", shown(&file.path)),
                "check the file",
            ));
            return;
        }
    };
    let size = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0).min(MAX_IMAGE_READ);
    let img = art::inspect(&data);
    let name = shown(&file.path);
    if show && data.windows(crate::init::PLACEHOLDER_MARK.len()).any(|w| w == crate::init::PLACEHOLDER_MARK) {
        cx.push(Finding::new(
            id::PLACEHOLDER,
            at.clone(),
            format!("{name}{PLACEHOLDER_COVER_SAID}"),
            "replace it with the show's art (1400–3000 px square, JPEG or PNG, RGB) before you submit the show",
        ));
    }
    // Episode art gets warnings under one rule; the show cover errors under several.
    let art = Art { name, show, at };
    if art_format(cx, &art, &img, &data, url) {
        if !art::ends_whole(&file.path, img.format) {
            cx.push(Finding::new(
                art.rule(id::APPLE_CH_IMAGE_FORMAT),
                art.at.clone(),
                format!("{} ends before its picture does: the copy or upload was cut short", art.name),
                "export or copy the picture again",
            ));
        } else if let Some(why) = art::damaged(&data, img.format) {
            cx.push(Finding::new(
                art.rule(id::APPLE_CH_IMAGE_FORMAT),
                art.at.clone(),
                format!("{} {why}, so apps cannot show it", art.name),
                "export the picture again from the original, as an ordinary JPEG or a PNG",
            ));
        }
        art_pixels(cx, &art, &img, size);
    }
}

/// Art whose file is not looked into (no local copy of it: without
/// `--media-root`, or hosted elsewhere) whose URL names a picture type that
/// is not JPEG or PNG (`.webp`, `.gif`…): Apple takes neither, and wants the
/// URL to say the type. A URL without an extension is left to `--online`.
pub fn art_url(cx: &mut Cx<'_>, url: &str, at: Where, show: bool) {
    let base = cx.base.clone();
    if cx.opts.local.as_ref().is_some_and(|l| l.lookup(url, base.as_deref()).is_some()) {
        return; // the file itself is looked into (see `artwork`)
    }
    let Some(ext) = refused_art_type(url) else { return };
    let art = Art { name: if show { "the cover" } else { "the episode art" }.into(), show, at };
    cx.push(Finding::new(
        art.rule(id::APPLE_CH_IMAGE_FORMAT),
        art.at.clone(),
        format!("{}'s URL ends in .{ext}: Apple takes JPEG or PNG art only, named .jpg, .jpeg or .png", art.name),
        "save the art as JPEG or PNG and publish it under a .jpg or .png name",
    ));
}

/// The extension of an art URL that names a picture type Apple does not
/// take (`webp`, `gif`…), if it does.
pub fn refused_art_type(url: &str) -> Option<String> {
    const NOT_APPLES: &[&str] = &["gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif", "svg", "ico"];
    super::items::url_extension(url).filter(|e| NOT_APPLES.contains(&e.as_str()))
}

/// A cover or episode image being checked.
struct Art {
    name: String,
    show: bool,
    at: Where,
}

impl Art {
    /// The show cover's rule, or the one rule episode art is checked under.
    fn rule(&self, show_rule: RuleId) -> RuleId {
        if self.show { show_rule } else { id::APPLE_IT_IMAGE }
    }
}

/// JPEG or PNG, named for what it is. `false`: not an image to look into.
fn art_format(cx: &mut Cx<'_>, art: &Art, img: &art::Image, head: &[u8], url: &str) -> bool {
    let (name, at) = (&art.name, &art.at);
    let ext = url_extension(url).unwrap_or_default();
    if img.format == art::Format::Other && !art.show && art::is_audio(head) {
        // A recording named as the art (an MP3, the episode's own file): no
        // app shows it. (The cover's rule is an error already; a picture
        // in another format, BMP or HEIC, is warned of below.)
        cx.push(
            Finding::new(
                art.rule(id::APPLE_CH_IMAGE_FORMAT),
                at.clone(),
                format!("{name} is an audio file, not a picture: no app can show it as the episode's art"),
                "give the episode's `image` its art, a JPEG or PNG file",
            )
            .severity(Severity::Error),
        );
        return false;
    }
    if !matches!(img.format, art::Format::Jpeg | art::Format::Png) {
        cx.push(Finding::new(
            art.rule(id::APPLE_CH_IMAGE_FORMAT),
            at.clone(),
            format!("{name} is {}, not JPEG or PNG", img.format.name()),
            "save the art as JPEG or PNG",
        ));
        return false;
    }
    if !img.format.fits_extension(&ext) {
        cx.push(Finding::new(
            art.rule(id::APPLE_CH_IMAGE_FORMAT),
            at.clone(),
            match ext.as_str() {
                "" => format!("{name} is a {} but its URL has no file extension", img.format.name()),
                _ => format!("{name} is a {} but its URL ends in .{ext}", img.format.name()),
            },
            format!(
                "name it .{}: Apple checks that the URL matches the file type",
                if img.format == art::Format::Png { "png" } else { "jpg" }
            ),
        ));
    }
    true
}

/// Square, 1400–3000 px, RGB without transparency, at most 512 KB.
fn art_pixels(cx: &mut Cx<'_>, art: &Art, img: &art::Image, size: u64) {
    let (name, at) = (&art.name, &art.at);
    match img.size {
        Some((w, h)) if w != h || !(1400..=3000).contains(&w) => cx.push(Finding::new(
            art.rule(id::APPLE_CH_IMAGE_SIZE),
            at.clone(),
            format!("{name} is {w}×{h} px; Apple wants a square of 1400 to 3000 px"),
            "export the art at 3000×3000 px (or at least 1400×1400)",
        )),
        None => cx.push(Finding::new(
            art.rule(id::APPLE_CH_IMAGE_SIZE),
            at.clone(),
            format!("{name}: its size could not be read"),
            "re-export the image",
        )),
        Some(_) => {}
    }
    match img.color {
        Some(Color::Cmyk) => cx.push(Finding::new(
            art.rule(id::APPLE_CH_IMAGE_COLOR),
            at.clone(),
            format!("{name} is CMYK; Apple accepts only RGB art"),
            "convert it to RGB (sRGB) and export again",
        )),
        // (A palette is of RGB colours: indexed PNGs are RGB art.)
        Some(Color::Gray) => cx.push(
            Finding::new(
                art.rule(id::APPLE_CH_IMAGE_COLOR),
                at.clone(),
                format!("{name} is greyscale, not in the RGB colour space"),
                "export it as RGB",
            )
            .severity(if art.show { Severity::Error } else { Severity::Warning }),
        ),
        _ => {}
    }
    if img.alpha {
        cx.push(
            Finding::new(
                art.rule(id::APPLE_CH_IMAGE_COLOR),
                at.clone(),
                format!("{name} has an alpha channel (transparency)"),
                "flatten it onto a background",
            )
            .severity(Severity::Warning),
        );
    }
    if size > 512 * 1024 {
        cx.push(
            Finding::new(
                art.rule(id::APPLE_CH_IMAGE_BYTES),
                at.clone(),
                format!("{name} is {} KB; Spotify and NPR One want at most 512 KB", size.div_ceil(1024)),
                "save it as a JPEG at a lower quality",
            )
            .severity(Severity::Warning),
        );
    }
}

/// P20-CHAPTERS of a chapters file: JSON, with its version, and chapters
/// in time order from 0 within the audio (`audio`: the enclosure's seconds,
/// as measured).
fn chapters_json(cx: &mut Cx<'_>, file: &LocalFile, at: Where, audio: Option<f64>) {
    let name = shown(&file.path);
    let parsed: Result<serde_json::Value, String> = crate::fsutil::read(&file.path, crate::fsutil::JSON)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            cx.push(Finding::new(
                id::P20_CHAPTERS,
                at,
                format!("{name} is not valid JSON: {e}"),
                "fix the chapters file",
            ));
            return;
        }
    };
    if !value.get("version").is_some_and(|v| v.is_string()) {
        cx.push(Finding::new(
            id::P20_CHAPTERS,
            at.clone(),
            format!("{name} has no \"version\" string"),
            "add \"version\": \"1.2.0\"",
        ));
    }
    let Some(chapters) = value.get("chapters").and_then(|c| c.as_array()) else {
        cx.push(Finding::new(
            id::P20_CHAPTERS,
            at,
            format!("{name} has no \"chapters\" array"),
            "add \"chapters\": [{\"startTime\": 0, \"title\": \"…\"}]",
        ));
        return;
    };
    if chapters.is_empty() {
        cx.push(Finding::new(
            id::P20_CHAPTERS,
            at,
            format!("{name} lists no chapters"),
            "list the chapters, or leave <podcast:chapters> out",
        ));
        return;
    }
    if let Some((message, help, severity)) = out_of_time(chapters, &name, audio) {
        cx.push(Finding::new(id::P20_CHAPTERS, at, message, help).severity(severity));
    }
}

/// The first chapter of a chapters file (`name`) whose start is no number
/// of seconds from 0, lies past the audio's end (`audio`), or comes before
/// the one above it: what to say of it, what to do, how bad.
fn out_of_time(
    chapters: &[serde_json::Value],
    name: &str,
    audio: Option<f64>,
) -> Option<(String, &'static str, Severity)> {
    let mut last = 0.0f64;
    for (i, c) in chapters.iter().enumerate() {
        let n = i + 1;
        let said = match c.get("startTime").and_then(serde_json::Value::as_f64) {
            None => (
                format!("chapter {n} in {name} has no numeric startTime"),
                "give every chapter its start in seconds",
                Severity::Error,
            ),
            Some(s) if s < 0.0 => (
                format!("chapter {n} in {name} starts at {s} seconds, before the audio does"),
                "give every chapter its start in seconds from the beginning, 0 or more",
                Severity::Error,
            ),
            Some(s) if audio.is_some_and(|end| s >= end) => (
                format!(
                    "chapter {n} in {name} starts at {s} seconds, after the audio ends ({:.1} s)",
                    audio.unwrap_or_default()
                ),
                "give each chapter its start within the episode's audio",
                Severity::Error,
            ),
            Some(s) if s < last => (
                format!("chapter {n} in {name} starts before the one above it"),
                "list chapters in time order",
                Severity::Warning,
            ),
            Some(s) => {
                last = s;
                continue;
            }
        };
        return Some(said);
    }
    None
}
