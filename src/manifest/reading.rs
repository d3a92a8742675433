//! Reading the manifest's tables into the show: [`Reading`] walks the
//! `[podcast]` table and each `[[episode]]`, field by field, checking each
//! value where it is (its line and column) and collecting every problem;
//! the helpers below read the fields that need more than a type.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use toml::Spanned;
use toml::de::DeValue;
use toml_datetime::{Datetime, Offset};

use super::reader::{self, Context, Fields};
use super::{
    Asset, Category, Episode, EpisodeType, FormatPolicy, HostedFile, LocalFile, MediaFile, NotesFrom, Owner, Podcast,
    PublishSettings, ShowType, categories, hosted_media, namespace, page_words,
};
use crate::text::{is_email, is_language_code, is_uuid, two_letter_form};
use crate::url::HttpUrl;

/// The `[publish]` table, checked as far as it can be without the network.
pub(super) fn publish_settings(mut t: Fields<'_, '_>, cx: &mut Context<'_>) -> PublishSettings {
    t.what = "[publish]".into();
    let to = t.string(cx, "to").and_then(|to| match crate::publish::Destination::parse(to.get_ref()) {
        Ok(_) => Some(to.into_inner()),
        Err(why) => {
            cx.error(&to.span(), format!("`to` in [publish]: {why}"), Some(PUBLISH_TO_EXAMPLE.into()));
            None
        }
    });
    let endpoint = t.string(cx, "endpoint").and_then(|e| match crate::publish::check_endpoint(e.get_ref()) {
        Ok(()) => Some(e.into_inner()),
        Err(why) => {
            cx.error(&e.span(), why, Some("e.g. endpoint = \"https://ACCOUNT.r2.cloudflarestorage.com\"".into()));
            None
        }
    });
    let region = t.string(cx, "region").map(Spanned::into_inner);
    let profile = t.string(cx, "profile").map(Spanned::into_inner);
    let virtual_hosted = t.boolean(cx, "virtual_hosted").unwrap_or(false);
    let public_read = t
        .choice(
            cx,
            "acl",
            &[("private", false), ("public-read", true)],
            false,
            Some("\"public-read\" for a service whose bucket is not public by its policy; else leave it out"),
        )
        .unwrap_or(false);
    let jobs = t.positive_int(cx, "jobs").and_then(|j| match *j.get_ref() {
        1..=64 => Some(j.into_inner()),
        n => {
            cx.error(
                &j.span(),
                format!("`jobs` in [publish] is {n}; at most 64 uploads run at once"),
                Some("e.g. jobs = 8".into()),
            );
            None
        }
    });
    let notify = notify_services(&mut t, cx);
    t.finish(cx);
    PublishSettings { to, endpoint, region, profile, virtual_hosted, public_read, jobs, notify }
}

/// Podcast Index's endpoint that takes a feed URL to fetch again now (no
/// API key; it also sends a Podping to the apps that listen for them).
pub const PODCAST_INDEX_NOTIFY: &str = "https://api.podcastindex.org/api/1.0/hub/pubnotify";

/// `notify = ["podcastindex", "https://…"]` in `[publish]`.
fn notify_services(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Vec<HttpUrl> {
    let example = "[\"podcastindex\"]";
    let mut out = Vec::new();
    for s in t.string_list(cx, "notify", example).unwrap_or_default() {
        let given = s.get_ref().trim();
        let url = match given {
            "podcastindex" => HttpUrl::parse(PODCAST_INDEX_NOTIFY),
            _ => HttpUrl::parse(given),
        };
        match url {
            Ok(u) if !out.contains(&u) => out.push(u),
            Ok(_) => {}
            Err(problem) => cx.error(
                &s.span(),
                format!("`notify` in [publish]: \"{given}\" is neither \"podcastindex\" nor a URL ({problem})"),
                Some(format!(
                    "write it like: notify = {example}, or the https:// address of a service that takes ?url=FEED"
                )),
            ),
        }
    }
    out
}

const PUBLISH_TO_EXAMPLE: &str = "write it like: to = \"s3://my-bucket/podcast\" or to = \"file:///srv/www/podcast\"";

/// What earlier episodes had, to tell duplicates.
#[derive(Default)]
struct Seen {
    guids: HashMap<String, usize>,
    slugs: HashMap<String, usize>,
    media: HashMap<String, usize>,
    /// Each local media file by its device and inode (see [`Reading::one_file`]).
    files: HashMap<(u64, u64), (String, usize)>,
    /// Media files that are another episode's file by a link: the file,
    /// its line, the other and its line.
    linked: Vec<(String, usize, String, usize)>,
    /// Every published file, by its name in lower case.
    published: HashMap<String, (String, usize)>,
}

pub(super) struct Reading<'s> {
    pub(super) root: &'s Path,
    pub(super) canonical_root: PathBuf,
    /// Folders resolved so far (see `real_path`).
    pub(super) real_dirs: HashMap<PathBuf, PathBuf>,
    /// `[publish] to`, which `s3://` media must be in.
    pub(super) publish_to: Option<crate::publish::Destination>,
    /// The files named, as looked at (see [`super::Show::looked`]).
    pub(super) looked: HashMap<std::ffi::OsString, crate::fsutil::Status>,
    /// The whole manifest, as parsed: what it names elsewhere, for the
    /// "did you mean" of a missing file (see `similar_file`).
    pub(super) doc: &'s toml::de::DeTable<'s>,
    /// Every path the manifest names (lower-case), gathered from `doc` the
    /// first time a named file is missing.
    pub(super) named: Option<std::collections::HashSet<String>>,
    /// Files not in the show yet, read as there (see [`super::parse_expecting`]).
    pub(super) to_come: &'s HashMap<String, PathBuf>,
    /// Media files that do not exist, said here rather than as problems
    /// (`None`: they are problems; see [`super::parse_despite_missing`]).
    pub(super) missing: Option<Vec<super::Problem>>,
    pub(super) cx: Context<'s>,
}

/// Where a link of the notes that leads to no published file leads (see
/// [`Reading::linked`]).
enum LinkTo {
    /// To no file of the show folder: with the path of the show folder's
    /// file of that name, if there is one.
    Missing(Option<String>),
    /// To a file podsmith never publishes.
    Unpublished,
}

/// The most paths of the site one episode's notes may link to that are
/// looked for in the show folder.
const MAX_LINKED: usize = 1000;

/// Every key of an `[[episode]]` (what [`Reading::episode`] reads; a test
/// holds them to it): one written below the episode's
/// `[[episode.chapters]]` is said to belong above it.
pub const EPISODE_KEYS: &[&str] = &[
    "title",
    "itunes_title",
    "slug",
    "guid",
    "date",
    "media",
    "notes",
    "notes_file",
    "guests",
    "season",
    "episode",
    "type",
    "explicit",
    "image",
    "chapters",
    "chapters_file",
    "transcript",
    "season_name",
    "persons",
    "location",
    "license",
    "soundbites",
    "value",
    "funding",
];

/// Why a path the notes link to is not published (see `linked_file`).
enum NotLinked {
    /// No file there.
    Missing,
    /// Something there that a link does not publish.
    Refused,
}

const CATEGORY_EXAMPLE: &str = "[\"Technology\"] or [\"Society & Culture > Documentary\"]";

impl Reading<'_> {
    pub(super) fn podcast(&mut self, mut t: Fields<'_, '_>) -> Option<Podcast> {
        t.what = "[podcast]".into();
        let lines = podcast_lines(&mut t, &self.cx);
        let cx = &mut self.cx;
        let title = t.required_string(cx, "title", "\"My Show\"").filter(|t| one_line(cx, t, "the show's"));
        let description = t.required_string(cx, "description", "\"What the show is about.\"");
        let author = t.required_string(cx, "author", "\"Ann Example\"");
        let language = language(&mut t, cx);
        let owner = owner(&mut t, cx);
        let categories = self.categories(&mut t);
        let cx = &mut self.cx;
        let explicit = t.boolean(cx, "explicit").unwrap_or(false);
        let show_type = t.choice(
            cx,
            "type",
            &[("episodic", ShowType::Episodic), ("serial", ShowType::Serial)],
            ShowType::Episodic,
            Some("episodic: newest first (most shows); serial: listen in order, every episode numbered"),
        );
        let base_url = base_url(&mut t, cx);
        let link = self.url(&mut t, "link");
        let image =
            self.required_asset(&mut t, "image", "\"media/cover.jpg\" (1400×1400 to 3000×3000 px, JPEG or PNG)");
        let cx = &mut self.cx;
        let copyright = copyright(&mut t, cx);
        let guid = show_guid(&mut t, cx);
        let feed_guids = feed_guids(&mut t, cx);
        let locked = t.boolean(cx, "locked").unwrap_or(false);
        let new_feed_url = self.url(&mut t, "new_feed_url");
        let cx = &mut self.cx;
        let new_feed_urls = new_feed_urls(&mut t, cx);
        let block = t.boolean(cx, "block").unwrap_or(false);
        let complete = t.boolean(cx, "complete").unwrap_or(false);
        let utc_offset = utc_offset(&mut t, cx);
        let formats = t.choice(
            cx,
            "formats",
            &[("apple", FormatPolicy::Apple), ("any", FormatPolicy::Any)],
            FormatPolicy::Apple,
            Some(
                "\"apple\" (the default): every episode has an MP3 or M4A; \"any\": a show not meant for Apple \
                 Podcasts or Spotify",
            ),
        );
        let tags = namespace::show(&mut t, cx);
        let words = page_words::given(&mut t, cx, language.as_deref());
        t.finish(cx);

        let (owner_name, owner_email) = owner?;
        let author = author?.into_inner();
        let base_url = base_url?;
        Some(Podcast {
            title: title?.into_inner(),
            description: description?.into_inner(),
            owner: Owner { name: owner_name.unwrap_or_else(|| author.clone()), email: owner_email },
            author,
            language: language?,
            categories: categories?,
            explicit,
            show_type: show_type?,
            link: link.unwrap_or_else(|| base_url.clone()),
            base_url,
            image: image?,
            copyright,
            guid,
            feed_guids,
            locked,
            new_feed_url,
            new_feed_urls,
            block,
            complete,
            utc_offset: utc_offset?,
            formats: formats?,
            tags,
            words,
            lines,
        })
    }

    /// A file or URL that must be there.
    fn required_asset(&mut self, t: &mut Fields<'_, '_>, key: &'static str, example: &str) -> Option<Asset> {
        let asset = self.asset(t, key, true);
        if asset.is_none() && !t.has(key) {
            t.missing(&mut self.cx, key, example);
        }
        asset
    }

    fn categories(&mut self, t: &mut Fields<'_, '_>) -> Option<Vec<Category>> {
        let cx = &mut self.cx;
        let Some(list) = t.string_list(cx, "categories", CATEGORY_EXAMPLE) else {
            if !t.has("categories") {
                t.missing(cx, "categories", CATEGORY_EXAMPLE);
            }
            return None;
        };
        if list.is_empty() {
            cx.error(
                &t.value_span("categories").unwrap_or_else(|| t.span.clone()),
                "`categories` in [podcast] is empty",
                Some(format!("Apple needs one: categories = {CATEGORY_EXAMPLE}")),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in list {
            match categories::lookup(item.get_ref()) {
                Ok((name, sub)) if out.iter().any(|c: &Category| c.name == name && c.sub == sub) => {
                    ok = false;
                    cx.error(
                        &item.span(),
                        format!("`categories` in [podcast] gives \"{}\" twice", item.get_ref()),
                        Some("keep one: a feed names each category once".into()),
                    );
                }
                Ok((name, sub)) => out.push(Category { name, sub }),
                Err(suggestion) => {
                    ok = false;
                    let moved = |s: &str| {
                        let (_, want) = item.get_ref().split_once('>')?;
                        let (parent, sub) = s.split_once(" > ")?;
                        want.trim()
                            .eq_ignore_ascii_case(sub)
                            .then(|| format!("\"{sub}\" is a subcategory of \"{parent}\": \"{s}\""))
                    };
                    let help = match suggestion {
                        Some(s) if let Some(said) = moved(&s) => said,
                        Some(s) => format!("did you mean \"{s}\"? (Apple's list since 2019, exact spelling)"),
                        None => "use a category from Apple's list, e.g. \"Technology\", \"Society & Culture > Documentary\" (see the README)".into(),
                    };
                    cx.error(
                        &item.span(),
                        format!("\"{}\" is not an Apple Podcasts category", item.get_ref()),
                        Some(help),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// An optional absolute http(s) URL.
    fn url(&mut self, t: &mut Fields<'_, '_>, key: &'static str) -> Option<HttpUrl> {
        let u = t.string(&mut self.cx, key)?;
        match HttpUrl::parse(u.get_ref()) {
            Ok(url) => Some(url),
            Err(problem) => {
                self.cx.error(
                    &u.span(),
                    format!("`{key}` in {} \"{}\" {problem}", t.what, u.get_ref()),
                    Some("write the full address, starting with https://".into()),
                );
                None
            }
        }
    }

    /// A file in the show folder, or an http(s) URL (in plain ASCII where
    /// it is art `apples` reads).
    fn asset(&mut self, t: &mut Fields<'_, '_>, key: &'static str, apples: bool) -> Option<Asset> {
        let s = t.string(&mut self.cx, key)?;
        if s.get_ref().contains("://") {
            let parsed = HttpUrl::parse(s.get_ref()).and_then(|url| match apples {
                true => crate::text::unencoded(s.get_ref()).map_or(Ok(url), Err),
                false => Ok(url),
            });
            match parsed {
                Ok(url) => return Some(Asset::Remote(url)),
                Err(problem) => {
                    self.cx.error(
                        &s.span(),
                        format!("`{key}` in {} \"{}\" {problem}", t.what, s.get_ref()),
                        Some("give a file in the show folder, or the full https:// address of the image".into()),
                    );
                    return None;
                }
            }
        }
        self.local_file(&s, key, &t.what).map(Asset::Local)
    }

    /// The error of path `rel` (as written: `s`), which leads out of the
    /// show folder or is absolute: an absolute path into the show folder
    /// is not outside it, and is said with the path to write instead.
    fn escaping(&mut self, s: &Spanned<String>, key: &str, what: &str, rel: &str) {
        let raw = s.get_ref();
        let rel_path = Path::new(rel);
        let example = match key {
            "media" => "media inside the show folder (e.g. in media/)",
            "notes_file" => "notes files inside the show folder (e.g. notes/episode-1.md)",
            "transcript" => "transcripts inside the show folder (e.g. transcripts/episode-1.vtt)",
            "chapters_file" => "chapters files inside the show folder (e.g. chapters/episode-1.json)",
            _ => "images inside the show folder (e.g. media/cover.jpg)",
        };
        let root = self.canonical_root.as_path();
        // Where it really is (`…/show/media/../media/x.mp3` too), else as written.
        let within = |p: &Path| match p.canonicalize() {
            Ok(real) => Some(real.strip_prefix(root).ok()?.to_path_buf()),
            Err(_) => Some(p.strip_prefix(root).ok()?.to_path_buf()),
        };
        let absolute = rel_path.is_absolute() || rel.starts_with('/');
        let inside = absolute
            .then(|| within(rel_path))
            .flatten()
            .filter(|r| !r.as_os_str().is_empty() && !r.components().any(|c| matches!(c, Component::ParentDir)));
        if let Some(plain) = (!absolute).then(|| within_lexically(rel)).flatten() {
            // `media/../media/x.mp3`: inside, but a URL is made of it as
            // written. (Through a link, `..` leads elsewhere than by name.)
            let real = |p: &str| self.root.join(p).canonicalize().ok();
            let help = match (real(rel), real(&plain)) {
                (Some(a), Some(b)) if a != b => "write the path of the file itself, without \"..\"".to_string(),
                _ => format!("write the path without \"..\": \"{plain}\""),
            };
            return self.cx.error(
                &s.span(),
                format!("`{key}` \"{raw}\" in {what} goes up a folder (..) and back into the show folder"),
                Some(help),
            );
        }
        match inside.as_ref().and_then(|r| r.to_str()) {
            Some(within) => self.cx.error(
                &s.span(),
                format!("`{key}` \"{raw}\" in {what} is an absolute path"),
                Some(format!(
                    "give the path relative to episodes.toml, so that the show can move: \"{}\"",
                    within.replace('\\', "/")
                )),
            ),
            None => self.cx.error(
                &s.span(),
                format!("`{key}` \"{raw}\" in {what} points outside the show folder"),
                Some(format!("keep {example} and give the path relative to episodes.toml")),
            ),
        }
    }

    /// Checks that a path names an existing file inside the show folder.
    fn local_file(&mut self, s: &Spanned<String>, key: &str, what: &str) -> Option<LocalFile> {
        let raw = s.get_ref();
        let (line, _) = self.cx.line_col(s.span().start);
        let rel = raw.replace('\\', "/");
        let rel_path = Path::new(&rel);
        let escapes = rel_path.is_absolute()
            || rel.starts_with('/')
            || rel_path.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
        let scheme =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if raw.split_once("://").is_some_and(|(s, _)| scheme(s)) {
            // (A hosted transcript or chapters file, as a host gives it.)
            let name = raw.trim_end_matches('/').rsplit('/').next().unwrap_or("file");
            let folder = match key {
                "transcript" => "transcripts",
                "chapters_file" => "chapters",
                _ => "notes",
            };
            self.cx.error(
                &s.span(),
                format!("`{key}` \"{raw}\" in {what} is a web address: a `{key}` is a file of the show folder, published with the site"),
                Some(format!("download it into the show folder and name that file here, e.g. {key} = \"{folder}/{name}\"")),
            );
            return None;
        }
        if rel.trim().is_empty() {
            self.cx.error(
                &s.span(),
                format!("`{key}` in {what} is empty"),
                Some("name a file, e.g. \"media/episode-1.mp3\"".into()),
            );
            return None;
        }
        if escapes {
            self.escaping(s, key, what, &rel);
            return None;
        }
        let rel = rel.trim_start_matches("./").to_string();
        if let Some((message, help)) = unplain(&rel) {
            self.cx.error(&s.span(), format!("`{key}` \"{raw}\" in {what} {message}"), Some(help));
            return None;
        }
        let path = self.root.join(&rel);
        if let Some(source) = self.to_come.get(&rel) {
            // To be copied in (the destination checked by `add`).
            return match std::fs::metadata(source) {
                Ok(m) if m.is_file() => Some(LocalFile { rel, path, line }),
                _ => {
                    self.cx.error(&s.span(), format!("`{key}` \"{raw}\" in {what} is not a file"), None);
                    None
                }
            };
        }
        // One look, unless it is a link (then where it leads, too).
        let (meta, is_link) = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => (std::fs::metadata(&path), true),
            other => (other, false),
        };
        match meta {
            Ok(m) if m.is_file() => {
                self.looked.insert(path.as_os_str().to_owned(), crate::fsutil::Status::of(&m));
            }
            Ok(_) => {
                self.cx.error(&s.span(), format!("`{key}` \"{raw}\" in {what} is not a file"), None);
                return None;
            }
            Err(_) => {
                let said = self.cx.problems.len();
                self.does_not_exist(s, key, what, &rel);
                if let (Some(missing), "media") = (self.missing.as_mut(), key) {
                    missing.extend(self.cx.problems.drain(said..));
                    return Some(LocalFile { rel, path, line });
                }
                return None;
            }
        }
        if !self.leads_inside(s, &format!("`{key}` \"{raw}\" in {what}"), &path, is_link) {
            return None;
        }
        Some(LocalFile { rel, path, line })
    }

    /// Says that the file `rel` (`key` of `what`, at `s`) does not exist,
    /// with the file meant where one is like it.
    fn does_not_exist(&mut self, s: &Spanned<String>, key: &str, what: &str, rel: &str) {
        let raw = s.get_ref();
        // (`media\\a.mp3`, written on Windows, is `media/a.mp3` everywhere.)
        let slash = match raw.contains('\\') {
            true => " (a \\ in a path is read as /, a folder)",
            false => "",
        };
        let help = self.similar_file(rel).map_or_else(
            || format!("check the name, or put the file at {rel} in the show folder{slash}"),
            |f| {
                let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
                match () {
                    _ if f.to_lowercase() == rel.to_lowercase() => {
                        format!("did you mean \"{f}\"? (names differ by case here, and on most hosting)")
                    }
                    _ if nfc.normalize(&f.to_lowercase()) == nfc.normalize(&rel.to_lowercase()) => format!(
                        "the file there writes its accented letters in another Unicode form (as macOS does): copy \
                         its name into episodes.toml (\"{}\"), or rename the file as it is named here",
                        toml_escaped(&f)
                    ),
                    _ => format!("did you mean \"{f}\"?{slash}"),
                }
            },
        );
        self.cx.error(&s.span(), format!("`{key}` \"{raw}\" in {what} does not exist"), Some(help));
    }

    /// Whether the file at `path` (`named` so in messages; a link if
    /// `is_link`) really is a file of the show folder that is not hidden:
    /// a link (of it or of a folder on its way) may lead out of it, or into
    /// a hidden folder of it (`.git`). Said if not.
    fn leads_inside(&mut self, s: &Spanned<String>, named: &str, path: &Path, is_link: bool) -> bool {
        let Some(real) = self.real_path(path, is_link) else { return true };
        let (message, help) = match real.strip_prefix(&self.canonical_root) {
            Ok(inside) if hidden_part(inside) => (
                format!("{named} is a link to {}, a hidden file", real.display()),
                "podsmith neither reads nor publishes hidden files: copy the file into the show folder",
            ),
            Ok(_) => return true,
            Err(_) => (
                format!("{named} is a link to {}, outside the show folder", real.display()),
                "copy the file into the show folder",
            ),
        };
        self.cx.error(&s.span(), message, Some(help.into()));
        false
    }

    /// Where `path` really is: its folder resolved once for all the files in
    /// it (a show of thousands of episodes has one or two media folders),
    /// the file itself only if it is a link.
    fn real_path(&mut self, path: &Path, is_link: bool) -> Option<PathBuf> {
        if is_link {
            return path.canonicalize().ok();
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let real_dir = match self.real_dirs.get(dir) {
            Some(real) => real.clone(),
            None => {
                let real = dir.canonicalize().ok()?;
                self.real_dirs.insert(dir.to_path_buf(), real.clone());
                real
            }
        };
        Some(real_dir.join(path.file_name()?))
    }

    /// A file in the same folder whose name is close to `rel`'s, and that
    /// the manifest names nowhere (an episode's other format, the cover:
    /// each is where it should be); one of the same extension first.
    /// A name that differs from `rel` only in case (its folders' too) is
    /// the file meant, whether named elsewhere or not: a show made on a
    /// disk that ignores case (Windows, macOS) names it so.
    fn similar_file(&mut self, rel: &str) -> Option<String> {
        let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
        let dir = match self.root.join(dir).is_dir() {
            true => dir.to_string(),
            false => folder_by_case(self.root, dir)?,
        };
        let entries = std::fs::read_dir(self.root.join(&dir)).ok()?;
        let at = |n: &str| if dir.is_empty() { n.to_string() } else { format!("{dir}/{n}") };
        let all: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).take(100_000).collect();
        let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
        let same = |a: &str, b: &str| nfc.normalize(&a.to_lowercase()) == nfc.normalize(&b.to_lowercase());
        if let Some(n) = all.iter().find(|n| same(&at(n), rel) && at(n) != rel) {
            return Some(at(n));
        }
        let named = self.named.get_or_insert_with(|| named_paths(self.doc));
        let names: Vec<String> = all.into_iter().filter(|n| !named.contains(&at(n).to_lowercase())).collect();
        let extension = |n: &str| n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let alike: Vec<&str> = names.iter().map(String::as_str).filter(|n| extension(n) == extension(name)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let found = crate::text::did_you_mean(name, &alike).or_else(|| crate::text::did_you_mean(name, &refs))?;
        Some(at(found))
    }
}

/// Folder `dir` of the show folder `root` (`/` between its parts) as it
/// is on disk where it is written in another case (`Media/` for `media/`).
fn folder_by_case(root: &Path, dir: &str) -> Option<String> {
    let mut found = String::new();
    for part in dir.split('/') {
        let here = root.join(&found);
        let entry = std::fs::read_dir(&here)
            .ok()?
            .take(100_000)
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .find(|n| n.eq_ignore_ascii_case(part) || n.to_lowercase() == part.to_lowercase())?;
        if !found.is_empty() {
            found.push('/');
        }
        found.push_str(&entry);
    }
    root.join(&found).is_dir().then_some(found)
}

impl Reading<'_> {
    pub(super) fn episodes(&mut self, top: &mut Fields<'_, '_>, podcast: Option<&Podcast>) -> Vec<Episode> {
        let mut episodes = Vec::new();
        let Some(list) = top_episode_list(top, &mut self.cx) else {
            return episodes;
        };
        let mut seen = Seen::default();
        if let Some(Asset::Local(cover)) = podcast.map(|p| &p.image) {
            seen.published.insert(cover.rel.to_lowercase(), (cover.rel.clone(), cover.line));
        }
        for (i, item) in list.iter().enumerate() {
            let n = i + 1;
            let DeValue::Table(table) = item.get_ref() else {
                self.cx.error(
                    &item.span(),
                    format!("episode {n} is {}, not a table", reader::type_name(item.get_ref())),
                    Some("write each episode as an [[episode]] table".into()),
                );
                continue;
            };
            // Duplicate guids are checked on the raw value (as the episode
            // has it: without control characters), so that they are reported
            // even when something else in the episode is wrong.
            let raw = |key: &str| {
                table.iter().find(|(k, _)| k.get_ref() == key).and_then(|(_, v)| match v.get_ref() {
                    DeValue::String(s) => Some(crate::text::strip_control(s).0),
                    _ => None,
                })
            };
            let (raw_guid, raw_title, raw_slug) = (raw("guid"), raw("title"), raw("slug"));
            let (line, _) = self.cx.line_col(item.span().start);
            let ep = self.episode(Fields::new(table, item.span(), format!("episode {n}")), n, podcast);
            let what = match &raw_title {
                Some(title) => format!("episode {n} ({})", crate::text::quoted(title)),
                None => format!("episode {n}"),
            };
            if let Some(guid) = raw_guid {
                let slug = ep.as_ref().map_or_else(|| format!("episode-{n}"), |ep| ep.slug.clone());
                // The guid it was published with, if another (a guid pasted
                // over it), else one made for it: looked for only if it is
                // needed (the lock is read then).
                let root = self.root;
                let suggestion = || match published_guid(root, &slug).filter(|g| *g != guid) {
                    Some(published) => Suggested::Published(published),
                    None => Suggested::Made(suggested_guid(podcast, &slug, n)),
                };
                self.same_guid(&mut seen.guids, &guid, line, &what, suggestion);
            }
            let Some(ep) = ep else {
                // A slug given is checked too, as a guid is (else it was
                // said only once the other mistake was put right).
                if let Some(slug) = raw_slug {
                    self.same_slug(&mut seen.slugs, &slug, line, &what);
                }
                continue;
            };
            self.same_files(&mut seen, &ep, &what);
            episodes.push(ep);
        }
        self.one_file(&seen.linked);
        self.same_numbers(&episodes);
        episodes
    }

    /// Two full episodes with one number in one season (or both with no
    /// season), as `add` refuses: a warning at the later one, naming both.
    /// Apple lists a show's episodes by their numbers; a trailer or bonus
    /// episode numbered as a full one is that episode's trailer or bonus
    /// content, so those may share a number.
    fn same_numbers(&mut self, episodes: &[Episode]) {
        let mut seen: HashMap<(Option<u32>, u32), (usize, &Episode)> = HashMap::new();
        for (i, ep) in episodes.iter().enumerate() {
            let Some(number) = ep.number.filter(|_| ep.episode_type == EpisodeType::Full) else { continue };
            let (first_n, first) = *seen.entry((ep.season, number)).or_insert((i + 1, ep));
            if first_n == i + 1 {
                continue;
            }
            let in_season = ep.season.map(|s| format!(" in season {s}")).unwrap_or_default();
            let free = episodes.iter().filter(|e| e.season == ep.season).filter_map(|e| e.number).max().unwrap_or(0);
            let message = format!(
                "episode {} ({}) has the same episode number {number}{in_season} as episode {first_n} ({}) at line {}",
                i + 1,
                crate::text::quoted(&ep.title),
                crate::text::quoted(&first.title),
                first.line
            );
            let help = format!(
                "apps list a show's episodes by their numbers: give one of them its own (episode = {} is free), or, if \
                 it is the other's trailer or bonus content, say so: type = \"trailer\" or type = \"bonus\"",
                free.saturating_add(1)
            );
            self.cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning("EPISODE-NUMBER", message)
                    .at(crate::diagnostic::Location::file(self.cx.file(), ep.line, Some(1)))
                    .help(help),
            );
        }
    }

    /// Two episodes with one guid (a UUID is the same whatever its case).
    fn same_guid(
        &mut self,
        guids: &mut HashMap<String, usize>,
        guid: &str,
        line: usize,
        what: &str,
        suggestion: impl FnOnce() -> Suggested,
    ) {
        let key = if is_uuid(guid) { guid.to_ascii_lowercase() } else { guid.to_string() };
        if let Some(first) = guids.insert(key, line) {
            let case = if is_uuid(guid) { " (a UUID is the same whatever its case)" } else { "" };
            let help = match suggestion() {
                Suggested::Published(g) => {
                    format!("put back guid = \"{g}\", the guid this episode was published with (podsmith.lock)")
                }
                Suggested::Made(g) => format!("every episode needs its own guid that never changes: guid = \"{g}\""),
            };
            self.cx.error_at_line(
                line,
                format!("{what} has the same guid \"{guid}\" as the episode at line {first}{case}"),
                Some(help),
            );
        }
    }

    /// Two episodes with one slug (one page address).
    fn same_slug(&mut self, slugs: &mut HashMap<String, usize>, slug: &str, line: usize, what: &str) {
        if let Some(first) = slugs.insert(slug.to_string(), line) {
            self.cx.error_at_line(
                line,
                format!("{what} has the same slug \"{slug}\" as the episode at line {first}"),
                Some("give one of them its own slug = \"...\"".into()),
            );
        }
    }

    /// An episode's slug or media that an earlier one has, or a published
    /// file whose name differs from an earlier one's only in case.
    fn same_files(&mut self, seen: &mut Seen, ep: &Episode, what: &str) {
        self.same_slug(&mut seen.slugs, &ep.slug, ep.line, what);
        let mut own = std::collections::HashSet::new();
        for m in &ep.media {
            // A hosted file in the site's place is the same file as the
            // local one published there.
            let same = m.hosted().and_then(|h| h.in_site.as_deref()).unwrap_or(m.key());
            if !own.insert(same) {
                self.cx.error_at_line(
                    m.line(),
                    format!("\"{}\" is given twice in the `media` of {what}", m.key()),
                    Some("list each file once (\"./media/a.mp3\" and \"media/a.mp3\" are one file)".into()),
                );
                continue;
            }
            if let Some(first) = seen.media.insert(same.to_string(), m.line()) {
                self.cx.error_at_line(
                    m.line(),
                    format!("\"{}\" is already the media of the episode at line {first}", m.key()),
                    Some("each file belongs to one episode; its URL identifies the episode in apps".into()),
                );
            }
        }
        let image = ep.image.iter().filter_map(|a| match a {
            Asset::Local(f) => Some(f),
            Asset::Remote(_) => None,
        });
        for f in ep.media.iter().filter_map(MediaFile::local).chain(image) {
            self.case_collision(&mut seen.published, f);
        }
        for f in ep.media.iter().filter_map(MediaFile::local) {
            let Some(status) = self.looked.get(f.path.as_os_str()).filter(|s| s.ino != 0) else { continue };
            match seen.files.get(&(status.dev, status.ino)) {
                Some((other, line)) if *other != f.rel => {
                    seen.linked.push((f.rel.clone(), f.line, other.clone(), *line));
                }
                Some(_) => {}
                None => {
                    seen.files.insert((status.dev, status.ino), (f.rel.clone(), f.line));
                }
            }
        }
    }

    /// One warning of the media files that are an earlier episode's file
    /// under another name (a symbolic or hard link): both episodes would
    /// play one recording, the later one as new. (A show may hold many,
    /// made by a tool that links files alike: one warning says them all.)
    fn one_file(&mut self, linked: &[(String, usize, String, usize)]) {
        let Some((file, line, other, other_line)) = linked.first() else { return };
        let more = match linked.len() {
            1 => String::new(),
            n => format!(" (and {} more such files)", n - 1),
        };
        self.cx.cleaned.push(
            crate::diagnostic::Diagnostic::warning(
                "MEDIA-SAME-FILE",
                format!(
                    "\"{file}\" is the same file as \"{other}\", the media of the episode at line {other_line} (a \
                     link to it): both episodes play one recording{more}"
                ),
            )
            .at(crate::diagnostic::Location::file(self.cx.file(), *line, None))
            .help("give each episode its own recording: a link publishes the other's audio again, as new"),
        );
    }

    /// Two published files whose names differ only in case are one file on
    /// hosting that ignores case (Windows, macOS, some CDNs and buckets);
    /// two whose names are one name in two Unicode forms (`é` as one
    /// letter, or as `e` and an accent: macOS writes the second) are one
    /// file on macOS disks, and one name to whoever reads them.
    fn case_collision(&mut self, published: &mut HashMap<String, (String, usize)>, f: &LocalFile) {
        let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
        let key = nfc.normalize(&f.rel.to_lowercase()).into_owned();
        match published.get(&key) {
            Some((other, line)) if *other != f.rel => {
                let (how, where_) = match other.to_lowercase() == f.rel.to_lowercase() {
                    true => {
                        ("differ only in case", "where case is not told apart (Windows and macOS disks, some hosting)")
                    }
                    false => (
                        "are one name written in two Unicode forms (an accented letter as one character, or as a \
                         letter and an accent)",
                        "where the forms are not told apart (macOS disks, some hosting and sync tools)",
                    ),
                };
                self.cx.error_at_line(
                    f.line,
                    format!("\"{}\" and \"{other}\" (line {line}) {how}", f.rel),
                    Some(format!("{where_} one would replace the other: rename one of them")),
                );
            }
            Some(_) => {}
            None => {
                published.insert(key, (f.rel.clone(), f.line));
            }
        }
    }

    /// An episode (`[[episode]]`, the `n`th), its keys those of [`EPISODE_KEYS`].
    fn episode(&mut self, mut t: Fields<'_, '_>, n: usize, podcast: Option<&Podcast>) -> Option<Episode> {
        let cx = &mut self.cx;
        let (line, _) = cx.line_col(t.span.start);
        let title = t.required_string(cx, "title", "\"Episode title\"").filter(|t| one_line(cx, t, "an episode's"));
        if let Some(title) = &title {
            t.what = format!("episode {n} ({})", crate::text::quoted(title.get_ref()));
        }
        let itunes_title = itunes_title(&mut t, cx);
        let slug = slug(&mut t, cx, title.as_ref().map(|t| t.get_ref().as_str()));
        let guid = episode_guid(&mut t, cx, (podcast, self.root), slug.as_deref(), n);
        let date = date(&mut t, cx, podcast);
        let media = self.media(&mut t, podcast);
        let notes = self.notes(&mut t);
        let cx = &mut self.cx;
        let guests = guests(&mut t, cx);
        let season = t.positive_int(cx, "season").map(Spanned::into_inner);
        let number = t.positive_int(cx, "episode").map(Spanned::into_inner);
        let types = [("full", EpisodeType::Full), ("trailer", EpisodeType::Trailer), ("bonus", EpisodeType::Bonus)];
        let episode_type = t.choice(cx, "type", &types, EpisodeType::Full, None);
        // Trailers and bonus episodes of a serial show go unnumbered.
        if number.is_none()
            && !t.has("episode")
            && episode_type == Some(EpisodeType::Full)
            && podcast.is_some_and(|p| p.show_type == ShowType::Serial)
        {
            cx.error(
                &t.span,
                format!("{} has no `episode` number, and the show is serial", t.what),
                Some(
                    "Apple needs a number on every full episode of a serial show: episode = 1 (a trailer or bonus \
                     episode may have none)"
                        .into(),
                ),
            );
        }
        let explicit = t.boolean(cx, "explicit");
        let image = self.asset(&mut t, "image", true);
        let image_ok = image.is_some() || !t.has("image");
        let chapters = self.chapters(&mut t);
        let chapters_ok = chapters.is_some() || !(t.has("chapters") || t.has("chapters_file"));
        let transcripts = self.transcripts(&mut t, podcast, title.as_ref().map(|t| t.get_ref().as_str()));
        let tags = namespace::episode(&mut t, &mut self.cx);
        t.finish(&mut self.cx);
        let (title, slug, guid, date, media, (notes, notes_from), episode_type) =
            (title?, slug?, guid?, date?, media?, notes?, episode_type?);
        (image_ok && chapters_ok).then_some(())?;
        let transcripts = transcripts?;
        let linked = self.linked(&notes, &notes_from, &slug, line, &title);
        Some(Episode {
            title: title.into_inner(),
            itunes_title: itunes_title?,
            slug,
            guid,
            date,
            media,
            notes,
            notes_from,
            guests,
            season,
            number,
            episode_type,
            explicit,
            image,
            chapters: chapters.flatten(),
            transcripts,
            tags,
            linked,
            line,
        })
    }

    /// The files of the show folder the relative links and images of an
    /// episode's `notes` lead to (see [`Episode::linked`]), each looked at,
    /// at most [`MAX_LINKED`]; a warning for an image that leads to no file
    /// of the show folder (but to one the build makes beside the page: see
    /// [`made_beside_the_page`]), or to one that is not published.
    fn linked(
        &mut self,
        notes: &str,
        notes_from: &NotesFrom,
        slug: &str,
        line: usize,
        title: &Spanned<String>,
    ) -> Vec<LocalFile> {
        let urls = crate::markdown::relative_urls(notes);
        if urls.is_empty() {
            return Vec::new();
        }
        let page_path = super::page_path_of(slug);
        let mut linked: Vec<LocalFile> = Vec::new();
        let (mut missing, mut refused, mut more): (Vec<&str>, Vec<&str>, usize) = (Vec::new(), Vec::new(), 0);
        // Links to files (not pages) that lead to none: with the file of
        // that name where the show folder has one, if it does.
        let mut missing_links: Vec<(&str, LinkTo)> = Vec::new();
        let mut looked: HashSet<String> = HashSet::new();
        for u in &urls {
            let rel = match super::site_path_of_link(&page_path, &u.url) {
                Ok(rel) => rel,
                Err(super::OffSite::Unpublished) => {
                    match u.image {
                        true => refused.push(&u.url),
                        false => missing_links.push((&u.url, LinkTo::Unpublished)),
                    }
                    continue;
                }
                Err(_) => continue,
            };
            if looked.contains(&rel) {
                continue;
            }
            if looked.len() == MAX_LINKED {
                more += 1;
                continue;
            }
            looked.insert(rel.clone());
            match self.linked_file(&rel) {
                Ok(path) => linked.push(LocalFile { rel, path, line }),
                Err(NotLinked::Missing) if u.image && !made_beside_the_page(&rel, &page_path) => missing.push(&u.url),
                Err(NotLinked::Missing) if !u.image && !made_by_the_build(&rel, &page_path) => {
                    missing_links.push((&u.url, LinkTo::Missing(self.meant_file(&u.url, &rel, &page_path))));
                }
                Err(NotLinked::Refused) if u.image => refused.push(&u.url),
                Err(NotLinked::Refused) => missing_links.push((&u.url, LinkTo::Unpublished)),
                Err(_) => {}
            }
        }
        let ep = crate::text::episode_place(title.get_ref());
        let mut warn = |urls: &[&str], said: &str, help: &str| {
            let Some(first) = urls.first() else { return };
            let offset = crate::text::written_at(notes, first).unwrap_or(0);
            let (file, at) = notes_from.at(notes, offset, (self.cx.file(), line));
            let shown: Vec<_> = urls.iter().map(|u| crate::text::shown(u)).collect();
            let list = match urls.len() {
                1 => format!("the image {} leads", shown[0]),
                _ => format!("the images {} lead", shown.join(", ")),
            };
            self.cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning("NOTES-LINK", format!("{ep}: in the notes, {list} {said}"))
                    .at(crate::diagnostic::Location::file(file, at, None))
                    .help(help.to_string()),
            );
        };
        warn(
            &missing,
            "to no file of the show folder: the page shows it broken",
            "a relative image in notes is read against the episode page's URL (episodes/<slug>/): \
             \"../../media/plan.png\" is the show's media/plan.png, published with the site; put the file \
             there, or give the image's https URL",
        );
        warn(
            &refused,
            "to no file podsmith publishes (a hidden one, one reached through a link or not a plain file, the \
             manifest or podsmith.lock, or a path with an escaped `/` or an empty part): the page shows it broken",
            "put the picture itself in the show folder (in media/, say) and link to it there",
        );
        self.missing_links(&missing_links, notes, notes_from, line, &ep, &page_path);
        self.too_many_paths(&ep, more, line);
        linked
    }

    /// Says that the notes of `ep` (at `line`) link to `more` paths past
    /// [`MAX_LINKED`], if any: their files are not published.
    fn too_many_paths(&mut self, ep: &str, more: usize, line: usize) {
        if more > 0 {
            self.cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning(
                    "NOTES-LINK",
                    format!(
                        "{ep}: the notes link to more than {MAX_LINKED} paths of the site: the files of the \
                     {more} after those are not published"
                    ),
                )
                .at(crate::diagnostic::Location::file(self.cx.file(), line, None)),
            );
        }
    }

    /// Warns of the links of the notes (`notes`, from `notes_from`; of
    /// the episode `ep` at `line`, its page at `page_path`) that lead to no
    /// file (see [`Reading::linked`]): each URL, with the path meant if
    /// known; the first five.
    fn missing_links(
        &mut self,
        missing_links: &[(&str, LinkTo)],
        notes: &str,
        notes_from: &NotesFrom,
        line: usize,
        ep: &str,
        page_path: &str,
    ) {
        // (The first five, the last saying how many more.)
        let more = missing_links.len().saturating_sub(5);
        for (n, (url, meant)) in missing_links.iter().take(5).enumerate() {
            let more = match (n, more) {
                (4, 1..) => format!(" (and {more} more such link{})", crate::text::plural(more)),
                _ => String::new(),
            };
            let offset = crate::text::written_at(notes, url).unwrap_or(0);
            let (file, at) = notes_from.at(notes, offset, (self.cx.file(), line));
            let help = match meant {
                LinkTo::Unpublished => "link to a file of the show folder podsmith publishes (a copy in media/, say), \
                                        or give its https URL"
                    .to_string(),
                LinkTo::Missing(Some(m)) => format!(
                    "a relative link in notes is read against the episode page's URL ({page_path}): the show \
                 folder's {} is \"{m}\"",
                    crate::text::shown(m.trim_start_matches("../"))
                ),
                LinkTo::Missing(None) => format!(
                    "it leads to the site's {rel}, published from the show folder's: put the file there, or give \
                 the link's https URL (a relative link in notes is read against the episode page's URL, \
                 {page_path})",
                    rel = super::site_path_of_link(page_path, url).unwrap_or_default()
                ),
            };
            self.cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning(
                    "NOTES-LINK",
                    format!(
                        "{ep}: in the notes, the link {} leads to {}: listeners find nothing there{more}",
                        crate::text::shown(url),
                        match meant {
                            LinkTo::Unpublished =>
                                "a file podsmith never publishes (the manifest, podsmith.lock, \
                                                    a hidden file or one reached through a link)",
                            LinkTo::Missing(_) => "no file of the show folder",
                        }
                    ),
                )
                .at(crate::diagnostic::Location::file(file, at, None))
                .help(help),
            );
        }
    }

    /// The path from the page at `page_path` to the show folder's file that
    /// a link `url` of its notes (to `rel`, which is none) means, if there is
    /// one: `slides.pdf` meant as the show folder's, `../../slides.pdf`.
    fn meant_file(&self, url: &str, rel: &str, page_path: &str) -> Option<String> {
        super::site_path_of_link("", url)
            .ok()
            .filter(|r| r != rel && !self.not_published(r) && self.root.join(r).is_file())
            .map(|r| format!("{}{r}", "../".repeat(page_path.matches('/').count())))
    }

    /// The show's own files a link never publishes, though in the show
    /// folder: the manifest, and `podsmith.lock`.
    fn not_published(&self, rel: &str) -> bool {
        let manifest = self.cx.file().file_name().and_then(|n| n.to_str());
        rel == crate::lock::FILE_NAME || Some(rel) == manifest
    }

    /// Where the file at `rel` in the show folder is, if a link may
    /// publish it: a plain file, reached through no link (a folder link
    /// such as `assets -> .git` would lead a note to what is never
    /// published), not [`Reading::not_published`]. Looked at once.
    fn linked_file(&mut self, rel: &str) -> Result<PathBuf, NotLinked> {
        if self.not_published(rel) {
            return Err(NotLinked::Refused);
        }
        let path = self.root.join(rel);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NotLinked::Missing),
            Err(_) => return Err(NotLinked::Refused),
        };
        if !meta.is_file() {
            return Err(NotLinked::Refused);
        }
        // Its folder, as it really is, must be the one its path names.
        match self.real_path(&path, false) {
            Some(real) if real == self.canonical_root.join(rel) => {}
            _ => return Err(NotLinked::Refused),
        }
        self.looked.insert(path.as_os_str().to_owned(), crate::fsutil::Status::of(&meta));
        Ok(path)
    }

    /// `transcript`: a file, or a list of files or `{ file, language }`
    /// tables; each read and checked. `None`: something is wrong (reported).
    fn transcripts(
        &mut self,
        t: &mut Fields<'_, '_>,
        podcast: Option<&Podcast>,
        title: Option<&str>,
    ) -> Option<Vec<crate::transcript::Transcript>> {
        let what = t.what.clone();
        let Some(v) = t.value("transcript") else { return Some(Vec::new()) };
        let example = "\"transcripts/episode.vtt\" or [{ file = \"transcripts/episode.vtt\", language = \"en\" }]";
        let items: Vec<&Spanned<DeValue<'_>>> = match v.get_ref() {
            DeValue::String(_) => vec![v],
            DeValue::Array(items) => items.iter().collect(),
            other => {
                self.cx.error(
                    &v.span(),
                    format!("`transcript` in {what} must be a file or a list, not {}", reader::type_name(other)),
                    Some(format!("write transcript = {example}")),
                );
                return None;
            }
        };
        let default_language = podcast.map_or_else(|| "en".to_string(), |p| p.language.clone());
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.into_iter().enumerate() {
            let (file, language) = match item.get_ref() {
                DeValue::String(s) => (Some(Spanned::new(item.span(), s.to_string())), None),
                DeValue::Table(table) => {
                    let mut f = Fields::new(table, item.span(), format!("transcript {} of {what}", i + 1));
                    let file = f.required_string(&mut self.cx, "file", "\"transcripts/episode.vtt\"");
                    let language = f.string(&mut self.cx, "language");
                    f.finish(&mut self.cx);
                    if file.is_none() {
                        ok = false;
                        continue;
                    }
                    (file, language)
                }
                other => {
                    self.cx.error(
                        &item.span(),
                        format!(
                            "transcript {} of {what} is {}, not a file or a table",
                            i + 1,
                            reader::type_name(other)
                        ),
                        Some(format!("write transcript = {example}")),
                    );
                    ok = false;
                    continue;
                }
            };
            let Some(file) = file else { continue };
            match self.transcript(&file, language, &default_language, (&what, title)) {
                Some(t)
                    if out
                        .iter()
                        .any(|o: &crate::transcript::Transcript| o.kind == t.kind && o.language == t.language) =>
                {
                    self.cx.error(
                        &file.span(),
                        format!(
                            "{what} has two {} transcripts in \"{}\"",
                            t.kind.extension().to_uppercase(),
                            t.language
                        ),
                        Some("give one transcript per format and language".into()),
                    );
                    ok = false;
                }
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// One transcript file, read and parsed.
    fn transcript(
        &mut self,
        file: &Spanned<String>,
        language: Option<Spanned<String>>,
        default_language: &str,
        (what, title): (&str, Option<&str>),
    ) -> Option<crate::transcript::Transcript> {
        use crate::transcript::{Kind, Transcript};
        let local = self.local_file(file, "transcript", what)?;
        let Some(kind) = Kind::of(&local.rel) else {
            self.cx.error(
                &file.span(),
                format!("transcript \"{}\" in {what} is not a .vtt, .srt, .json or .html file", file.get_ref()),
                Some(
                    "give a WebVTT (.vtt), SubRip (.srt), Podcasting 2.0 JSON (.json) or HTML (.html) transcript"
                        .into(),
                ),
            );
            return None;
        };
        if let Some(l) = &language
            && !is_language_code(l.get_ref())
        {
            self.cx.error(
                &l.span(),
                format!("`language` \"{}\" of a transcript in {what} is not an ISO 639 language code", l.get_ref()),
                Some("use two letters, optionally with a region: \"en\", \"en-us\", \"de\"".into()),
            );
            return None;
        }
        if let Some((l, two)) = language.as_ref().and_then(|l| Some((l, two_letter_form(l.get_ref())?))) {
            self.cx.error(
                &l.span(),
                format!("`language` \"{}\" of a transcript in {what} has a two-letter code", l.get_ref()),
                Some(format!("write language = \"{two}\", as the show's own language is written")),
            );
            return None;
        }
        let read = crate::fsutil::read(&local.path, crate::fsutil::TRANSCRIPT).map_err(|e| e.to_string());
        let parsed = read.and_then(|bytes| crate::transcript::parse(kind, &bytes).map(|cues| (bytes, cues)));
        match parsed {
            Ok((bytes, cues)) => {
                let (bytes, left_out, relative) = match kind {
                    // UTF-8: parse has checked.
                    Kind::Html => {
                        let lang = language.as_ref().map_or(default_language, |l| l.get_ref().as_str());
                        let html = String::from_utf8_lossy(&bytes);
                        let cleaned = crate::lenient_html::clean::clean_in(&html, Some(lang), title);
                        (cleaned.html.into_bytes(), cleaned.removed, cleaned.relative)
                    }
                    _ => (bytes, Vec::new(), Vec::new()),
                };
                Some(Transcript {
                    rel: local.rel,
                    kind,
                    language: language.map_or_else(|| default_language.to_string(), Spanned::into_inner),
                    bytes,
                    cues,
                    left_out,
                    relative,
                })
            }
            Err(e) => {
                self.cx.error(
                    &file.span(),
                    format!("transcript \"{}\" in {what}: {e}", file.get_ref()),
                    Some("fix the file (podcast apps skip a transcript they cannot read)".into()),
                );
                None
            }
        }
    }

    /// `what` gives both `key` and `key_file` (`file`, where it is said):
    /// an error, and nothing taken of either.
    fn both<T, S>(&mut self, file: &Spanned<S>, what: &str, key: &str) -> Option<T> {
        let message = format!("{what} has both `{key}` and `{key}_file`");
        self.cx.error(&file.span(), message, Some("keep one of them".into()));
        None
    }

    /// The chapters of `chapters_file` (`f`), a Podcasting 2.0 chapters JSON
    /// file in the show folder; `None` where it cannot be read, is not
    /// one, or has no chapters (reported).
    fn chapters_file(&mut self, f: &Spanned<String>, what: &str) -> Option<crate::chapters::Chapters> {
        use crate::chapters::{Chapters, Origin};
        let file = self.local_file(f, "chapters_file", what)?;
        let read = crate::fsutil::read(&file.path, crate::fsutil::JSON).map_err(|e| e.to_string());
        let read = read.and_then(|bytes| Ok((crate::chapters::from_json(&bytes)?, crate::chapters::waypoints(&bytes))));
        match read {
            // An empty list would publish <podcast:chapters> of nothing.
            Ok((list, _)) if list.is_empty() => {
                self.cx.error(
                    &f.span(),
                    format!("chapters_file \"{}\" in {what} has no chapters", f.get_ref()),
                    Some(format!(
                        "give the episode's chapters in {} ({{\"startTime\": 0, \"title\": \"Intro\"}}, …), or take \
                         chapters_file out of the episode",
                        file.rel
                    )),
                );
                None
            }
            Ok((mut list, waypoints)) => {
                list.iter_mut().for_each(|c| c.line = file.line);
                Some(Chapters { list, origin: Origin::File(file.rel), waypoints })
            }
            Err(e) => {
                self.cx.error(
                    &f.span(),
                    format!("chapters_file \"{}\" in {what}: {e}", f.get_ref()),
                    Some("a Podcasting 2.0 chapters file: {\"version\": \"1.2.0\", \"chapters\": [{\"startTime\": 0, \"title\": \"Intro\"}]}".into()),
                );
                None
            }
        }
    }

    /// `[[episode.chapters]]` tables, or `chapters_file` (a Podcasting 2.0
    /// chapters JSON file in the show folder), not both. `Some(None)`:
    /// neither; `None`: something is wrong (reported).
    fn chapters(&mut self, t: &mut Fields<'_, '_>) -> Option<Option<crate::chapters::Chapters>> {
        use crate::chapters::{Chapter, Chapters, Origin};
        let what = t.what.clone();
        let example = "[[episode.chapters]] tables: start = \"0:00\", title = \"Intro\"";
        let inline = t.array(&mut self.cx, "chapters", example);
        let file = t.string(&mut self.cx, "chapters_file");
        match (inline, file) {
            (Some(_), Some(f)) => self.both(&f, &what, "chapters"),
            (None, None) => Some(None),
            (None, Some(f)) => self.chapters_file(&f, &what).map(Some),
            (Some([]), None) => {
                self.cx.error(
                    &t.span,
                    format!("`chapters` in {what} is empty"),
                    Some(format!("give the episode's chapters as {example}, or take `chapters` out")),
                );
                None
            }
            (Some(items), None) if items.len() > crate::chapters::MAX_CHAPTERS => {
                self.cx.error(
                    &t.value_span("chapters").unwrap_or_else(|| t.span.clone()),
                    format!("{what} has {} chapters: at most 10,000", items.len()),
                    Some("keep the chapters a listener skips between".into()),
                );
                None
            }
            (Some(items), None) => {
                let mut list = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let DeValue::Table(table) = item.get_ref() else {
                        self.cx.error(
                            &item.span(),
                            format!("chapter {} of {what} is not a table", i + 1),
                            Some(example.into()),
                        );
                        ok = false;
                        continue;
                    };
                    let mut c = Fields::new(table, item.span(), format!("chapter {} of {what}", i + 1));
                    let start = c.time(&mut self.cx, "start");
                    if start.is_none() && !c.has("start") {
                        c.missing(&mut self.cx, "start", "\"12:30\"");
                    }
                    let end = c.time(&mut self.cx, "end").map(Spanned::into_inner);
                    let title = c.required_string(&mut self.cx, "title", "\"Intro\"").map(Spanned::into_inner);
                    let url = self.url(&mut c, "url");
                    // (A chapter's picture is not Apple's to read.)
                    let image = self.asset(&mut c, "image", false);
                    let image_ok = image.is_some() || !c.has("image");
                    let toc = c.boolean(&mut self.cx, "toc").unwrap_or(true);
                    let first = self.cx.line_col(items.first().map_or(0, |f| f.span().start)).0;
                    c.finish_under(&mut self.cx, Some((EPISODE_KEYS, first)));
                    match (start, title, image_ok) {
                        (Some(start), Some(title), true) => {
                            let (line, _) = self.cx.line_col(item.span().start);
                            list.push(Chapter {
                                start: start.into_inner(),
                                end,
                                title,
                                url,
                                image,
                                toc,
                                line,
                                location: None,
                                embedded: None,
                            })
                        }
                        _ => ok = false,
                    }
                }
                ok.then_some(Some(Chapters { list, origin: Origin::Inline, waypoints: false }))
            }
        }
    }

    /// `media`: one file or more, each in the show folder or hosted.
    fn media(&mut self, t: &mut Fields<'_, '_>, podcast: Option<&Podcast>) -> Option<Vec<MediaFile>> {
        let example = "[\"media/episode.mp3\", \"media/episode.ogg\"]";
        let what = t.what.clone();
        match t.string_list(&mut self.cx, "media", example) {
            Some(list) if list.is_empty() => {
                self.cx.error(
                    &t.value_span("media").unwrap_or_else(|| t.span.clone()),
                    format!("`media` in {what} is empty"),
                    Some("list the episode's audio: media = [\"media/episode.mp3\"]".into()),
                );
                None
            }
            Some(list) => {
                let files: Vec<_> = list
                    .iter()
                    .map(|s| match s.get_ref().contains("://") {
                        true => self.hosted_file(s, &what, podcast).map(MediaFile::Hosted),
                        false => self.local_file(s, "media", &what).map(MediaFile::Local),
                    })
                    .collect();
                files.into_iter().collect::<Option<Vec<_>>>()
            }
            None => {
                if !t.has("media") {
                    t.missing(&mut self.cx, "media", example);
                }
                None
            }
        }
    }

    /// A hosted media file: an `https://` (or `http://`) URL, or
    /// `s3://BUCKET/KEY`, an object of the publish destination (served under
    /// `base_url`).
    fn hosted_file(&mut self, s: &Spanned<String>, what: &str, podcast: Option<&Podcast>) -> Option<HostedFile> {
        let (line, _) = self.cx.line_col(s.span().start);
        let base = &podcast?.base_url;
        let ascii = match crate::text::unencoded(s.get_ref()) {
            Some(problem) if !s.get_ref().starts_with("s3://") => Err((
                format!("\"{}\" {problem}", s.get_ref()),
                "an enclosure's URL is plain ASCII in every feed".to_string(),
            )),
            _ => Ok(()),
        };
        match ascii.and_then(|()| hosted_media(s.get_ref(), base, self.publish_to.as_ref())) {
            Ok((url, in_site)) => Some(HostedFile { url, in_site, line }),
            Err((problem, help)) => {
                self.cx.error(&s.span(), format!("`media` in {what}: {problem}"), Some(help));
                None
            }
        }
    }
    /// `notes` (Markdown), or `notes_file` (a file in the show folder), not
    /// both; and where they are written.
    fn notes(&mut self, t: &mut Fields<'_, '_>) -> Option<(String, NotesFrom)> {
        let what = t.what.clone();
        let notes = t.string(&mut self.cx, "notes").map(|n| {
            let span = n.span();
            // As long as a notes file may be, at most.
            let most = crate::fsutil::NOTES.bytes;
            if n.get_ref().len() as u64 > most {
                self.cx.error(
                    &span,
                    format!(
                        "`notes` in {what} are longer than the {} of show notes podsmith publishes",
                        crate::fsutil::human_size(most)
                    ),
                    Some("keep the notes to what apps show (Apple shows 4,000 characters), and link to a page for the rest".into()),
                );
            }
            let from = NotesFrom::manifest(self.cx.text(&span), self.cx.line_col(span.start).0, n.get_ref());
            (n.into_inner(), from)
        });
        let notes_file = t.string(&mut self.cx, "notes_file");
        match (notes, notes_file) {
            (Some(_), Some(f)) => self.both(&f, &what, "notes"),
            (Some(n), None) => Some(n),
            (None, Some(f)) => {
                let file = self.local_file(&f, "notes_file", &what)?;
                crate::fsutil::read_string(&file.path, crate::fsutil::NOTES)
                    // (Named as the manifest is: `notes/a.md`, not `./notes/a.md`.)
                    .map(|notes| {
                        let path = file.path.strip_prefix(".").unwrap_or(&file.path).to_path_buf();
                        // As Windows editors save it: a byte-order mark, not text
                        // (before it, a first `# heading` would be read as words).
                        let notes = match notes.strip_prefix('\u{feff}') {
                            Some(rest) => rest.to_string(),
                            None => notes,
                        };
                        (notes, NotesFrom::File(path))
                    })
                    .map_err(|e| {
                        self.cx.error(
                            &f.span(),
                            format!("cannot read notes_file \"{}\": {e}", f.get_ref()),
                            Some("a notes file is Markdown: UTF-8 text of at most 4 MB".into()),
                        );
                    })
                    .ok()
            }
            (None, None) => Some((String::new(), NotesFrom::Nowhere)),
        }
    }
}

/// An episode's `itunes_title`: one line, not empty. `None`: wrong (said).
fn itunes_title(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<Option<String>> {
    let Some(given) = t.string(cx, "itunes_title") else { return Some(None).filter(|_| !t.has("itunes_title")) };
    let text = given.get_ref().trim();
    let (why, fix) = match () {
        _ if text.is_empty() => ("is empty", "leave it out: Apple Podcasts then shows the `title`"),
        _ if text.contains(['\n', '\r']) => ("has a line break", "write it on one line: apps show a title on one"),
        _ => return Some(Some(text.to_string())),
    };
    cx.error(&given.span(), format!("`itunes_title` of {} {why}", t.what), Some(fix.into()));
    None
}

/// Whether a title is on one line, as apps and pages show it (said if not).
fn one_line(cx: &mut Context<'_>, title: &Spanned<String>, whose: &str) -> bool {
    if !title.get_ref().contains(['\n', '\r']) {
        return true;
    }
    cx.error(
        &title.span(),
        format!("{whose} `title` {} has a line break", crate::text::quoted(title.get_ref())),
        Some("write it on one line: apps and pages show a title on one".into()),
    );
    false
}

/// `language`: an ISO 639 code.
fn language(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<String> {
    let l = t.required_string(cx, "language", "\"en\"")?;
    if !is_language_code(l.get_ref()) {
        cx.error(
            &l.span(),
            format!("`language` \"{}\" is not an ISO 639 language code", l.get_ref()),
            Some("use two letters, optionally with a region: \"en\", \"en-us\", \"de\"".into()),
        );
        return None;
    }
    if let Some(two) = two_letter_form(l.get_ref()) {
        cx.error(
            &l.span(),
            format!("`language` \"{}\" has a two-letter code, which Apple requires", l.get_ref()),
            Some(format!("write language = \"{two}\"")),
        );
        return None;
    }
    if let Some((part, fixed)) = crate::text::misplaced_subtag(l.get_ref()) {
        cx.error(
            &l.span(),
            format!("`language` \"{}\": \"{part}\" is no part a language code has there", l.get_ref()),
            Some(format!("write language = \"{fixed}\" (a language, then optionally a country: en-gb, en-us, fr-ch)")),
        );
        return None;
    }
    if let Some((region, fixed)) = crate::text::bad_region(l.get_ref()) {
        cx.error(
            &l.span(),
            format!("`language` \"{}\": \"{region}\" is no country's code (ISO 3166)", l.get_ref()),
            Some(format!("write language = \"{fixed}\" (a region is a country's two letters: en-gb, en-us, fr-ch)")),
        );
        return None;
    }
    Some(l.into_inner())
}

/// `owner = { name, email }`: the name (if given) and a real e-mail.
fn owner(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<(Option<String>, String)> {
    let Some(mut o) = t.table(cx, "owner") else {
        if !t.has("owner") {
            t.missing(cx, "owner", "{ name = \"Ann Example\", email = \"ann@example.com\" }");
        }
        return None;
    };
    let name = o.string(cx, "name").map(Spanned::into_inner);
    let email = o.required_string(cx, "email", "\"you@example.com\"");
    if let Some(e) = &email
        && !is_email(e.get_ref())
    {
        cx.error(
            &e.span(),
            format!("owner `email` \"{}\" is not an e-mail address", e.get_ref()),
            Some("Spotify and YouTube send the ownership code there: give a real address".into()),
        );
    }
    o.finish(cx);
    Some((name, email?.into_inner()))
}

/// `base_url`: the publishable URL of a folder.
fn base_url(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<HttpUrl> {
    let u = t.required_string(cx, "base_url", "\"https://example.com/podcast/\"")?;
    let parsed = HttpUrl::parse(u.get_ref()).and_then(|url| {
        if u.get_ref().contains(['?', '#']) {
            return Err("is not the URL of a folder (it has ? or #)".to_string());
        }
        if let Some(problem) = crate::text::unencoded(u.get_ref()) {
            return Err(problem);
        }
        if let Some(problem) = not_a_folder(u.get_ref()) {
            return Err(problem);
        }
        Ok(url.as_folder())
    });
    if let Some(plain) = parsed.as_ref().ok().and_then(|_| unplain_host(u.get_ref())) {
        // A warning, not an error: the show may be published under it
        // already (its podcast:guid is made of it).
        let (line, column) = cx.line_col(u.span().start);
        cx.cleaned.push(
            crate::diagnostic::Diagnostic::warning(
                "BASE-URL",
                format!(
                    "`base_url` \"{}\" writes its host in capitals or with its scheme's own port: apps and \
                     directories write the address as \"{plain}\", so the feed's own address differs from the one \
                     they fetch, and so does the show's podcast:guid made of it",
                    u.get_ref()
                ),
            )
            .at(crate::diagnostic::Location::file(cx.file(), line, Some(column)))
            .help(format!("write base_url = \"{plain}\" before the show is first published")),
        );
    }
    parsed
        .map_err(|problem| {
            cx.error(
                &u.span(),
                format!("`base_url` \"{}\" {problem}", u.get_ref()),
                Some("give the address where public/ will be served, e.g. \"https://example.com/podcast/\"".into()),
            );
        })
        .ok()
}

/// `u` (an http(s) URL) as apps write it, where its host is written in
/// capitals or with the scheme's own port (`:443` for https).
fn unplain_host(u: &str) -> Option<String> {
    let (scheme, rest) = u.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let own = match scheme {
        "https" => ":443",
        _ => ":80",
    };
    let host = authority.strip_suffix(own).unwrap_or(authority);
    let plain = format!("{scheme}://{}{path}", host.to_ascii_lowercase());
    (plain != u).then_some(plain)
}

/// Why `base_url` (`u`, an http(s) URL) is not written as the folder it
/// names, with the URL to write: a `.`, `..` or empty part (apps resolve
/// it, so the feed's own address would not be the one they fetch), or a
/// page's name at its end (`…/index.html`: every URL would be under it).
fn not_a_folder(u: &str) -> Option<String> {
    let (scheme, rest) = u.split_once("://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    // (Empty parts stay as written: apps do not resolve them.)
    let mut parts: Vec<&str> = Vec::new();
    let mut resolved = false;
    for part in path.split('/') {
        match part {
            "." => resolved = true,
            ".." => {
                resolved = true;
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    // A page's name at the end, not a folder's (`…/show.xml/` is a folder).
    let page = !path.is_empty()
        && !path.ends_with('/')
        && parts.last().and_then(|p| p.rsplit_once('.')).is_some_and(|(_, ext)| {
            matches!(ext.to_ascii_lowercase().as_str(), "html" | "htm" | "xml" | "rss" | "php" | "asp" | "aspx" | "jsp")
        });
    if page {
        parts.pop();
    }
    if !page && !resolved {
        return None;
    }
    let folder = parts.join("/");
    let fixed =
        format!("{scheme}://{host}/{folder}{}", if folder.is_empty() || folder.ends_with('/') { "" } else { "/" });
    Some(match page {
        true => format!("ends in the name of a page, not a folder: every URL would be under it; write \"{fixed}\""),
        false => format!("has a . or .. part, which apps resolve: write \"{fixed}\""),
    })
}

/// `guid` of the show: a UUID, if given.
fn show_guid(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<String> {
    let g = t.string(cx, "guid")?;
    if is_uuid(g.get_ref()) {
        return Some(g.into_inner().to_ascii_lowercase());
    }
    cx.error(
        &g.span(),
        format!("`guid` in [podcast] \"{}\" is not a UUID", g.get_ref()),
        Some("remove it to use the UUIDv5 of the feed URL, as Podcasting 2.0 asks".into()),
    );
    None
}

/// `feed_guids` of the show: `{ ogg = "UUID" }`, the `podcast:guid` of
/// each per-format feed that is to keep one (a show that moved).
fn feed_guids(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> std::collections::BTreeMap<String, String> {
    by_format(t, cx, "feed_guids", |g, ext| match is_uuid(g) {
        true => Ok(g.to_ascii_lowercase()),
        false => Err((
            "is not a UUID".to_string(),
            format!("give the podcast:guid feed.{ext}.xml had, or remove it to use the UUIDv5 of its URL"),
        )),
    })
}

/// `new_feed_urls` of the show: `{ ogg = "https://…/feed.ogg.xml" }`, the
/// new address of each per-format feed that moved with the show.
fn new_feed_urls(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> std::collections::BTreeMap<String, HttpUrl> {
    by_format(t, cx, "new_feed_urls", |u, ext| {
        HttpUrl::parse(u).map_err(|problem| {
            (problem, format!("write the full address feed.{ext}.xml moved to, starting with https://"))
        })
    })
}

/// A table of `[podcast]` keyed by format extension (`{ ogg = "…" }`), each
/// value read by `read` (given the value and the extension; an error is
/// what is wrong with it and how to fix it).
fn by_format<T>(
    t: &mut Fields<'_, '_>,
    cx: &mut Context<'_>,
    key: &'static str,
    read: impl Fn(&str, &str) -> Result<T, (String, String)>,
) -> std::collections::BTreeMap<String, T> {
    use crate::probe::AudioFormat;
    let mut out = std::collections::BTreeMap::new();
    let Some(mut table) = t.table(cx, key) else { return out };
    for format in AudioFormat::ALL {
        let ext = format.extension();
        let Some(v) = table.string(cx, ext) else { continue };
        match read(v.get_ref(), ext) {
            Ok(value) => {
                out.insert(ext.to_string(), value);
            }
            Err((problem, help)) => cx.error(
                &v.span(),
                format!("`{ext}` in `{key}` in [podcast] \"{}\" {problem}", v.get_ref()),
                Some(help),
            ),
        }
    }
    table.finish(cx);
    out
}

/// `utc_offset`: `+02:00`, `-05:00`; UTC when absent.
fn utc_offset(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<FixedOffset> {
    let Some(s) = t.string(cx, "utc_offset") else { return FixedOffset::east_opt(0) };
    parse_offset(s.get_ref()).or_else(|| {
        // "+0400", "+04": the offset meant, written as it is read.
        let given = s.get_ref().trim();
        let (sign, digits) = given.split_at(given.find(|c: char| c.is_ascii_digit()).unwrap_or(given.len()));
        let meant = match (sign, digits.len(), digits.bytes().all(|b| b.is_ascii_digit())) {
            ("+" | "-", 2, true) => Some(format!("{sign}{digits}:00")),
            ("+" | "-", 4, true) => Some(format!("{sign}{}:{}", &digits[..2], &digits[2..])),
            _ => None,
        };
        // "Europe/Berlin", "EST": a zone's name, which a fixed offset is not.
        let named = given.chars().any(|c| c.is_ascii_alphabetic()) && !given.chars().any(|c| c.is_ascii_digit());
        let utc = ["utc", "gmt", "z"].iter().any(|u| given.eq_ignore_ascii_case(u));
        let meant = if utc { Some("+00:00".to_string()) } else { meant };
        let help = match meant.filter(|m| parse_offset(m).is_some()) {
            Some(m) => format!("write utc_offset = \"{m}\""),
            None if named => "`utc_offset` is an offset from UTC, not a time zone's name: write the zone's offset, \
                              e.g. \"-05:00\" (it is the same all year: where daylight saving time moves it, give \
                              those episodes' dates with their own offset, e.g. date = 2026-07-01T09:00:00-04:00)"
                .into(),
            None => "write it as \"+02:00\", \"-05:00\" or \"+00:00\" (between -14:00 and +14:00)".into(),
        };
        cx.error(&s.span(), format!("`utc_offset` \"{}\" is not an offset", s.get_ref()), Some(help));
        None
    })
}

/// `copyright`, if given (not blank: a feed would carry it empty).
fn copyright(t: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Option<String> {
    let c = t.string(cx, "copyright")?;
    if c.get_ref().trim().is_empty() {
        cx.error(
            &c.span(),
            "`copyright` in [podcast] is empty",
            Some("fill it in, e.g. copyright = \"© 2026 Ann Example\", or take it out".into()),
        );
        return None;
    }
    Some(c.into_inner())
}

/// An episode's `slug`, or one made from its title.
fn slug(t: &mut Fields<'_, '_>, cx: &mut Context<'_>, title: Option<&str>) -> Option<String> {
    let Some(s) = t.string(cx, "slug") else {
        let made = title.map(crate::text::slugify).filter(|s| !s.is_empty());
        if made.is_none() && title.is_some() && !t.has("slug") {
            cx.error(
                &t.span,
                format!("{} has no letters or digits in its title to make a page name from", t.what),
                Some("add slug = \"episode-1\"".into()),
            );
        }
        return made;
    };
    let given = s.get_ref();
    let max = crate::text::SLUG_MAX_GIVEN;
    let plain = crate::text::is_plain_slug(given);
    if !plain {
        // What to try: the slug made plain, else one made from the title.
        let made =
            [Some(given.as_str()), title].into_iter().flatten().map(crate::text::slugify).find(|m| !m.is_empty());
        cx.error(
            &s.span(),
            format!("`slug` \"{given}\" in {} may only hold a-z, 0-9, - and _", t.what),
            Some(format!("try slug = \"{}\"", made.as_deref().unwrap_or("episode-1"))),
        );
    } else if given.len() > max {
        cx.error(
            &s.span(),
            format!("`slug` in {} is {} characters long; at most {max} are allowed", t.what, given.len()),
            Some(format!("it is the page's address, people share it: try slug = \"{}\"", crate::text::slugify(given))),
        );
    }
    (plain && given.len() <= max).then(|| s.into_inner())
}

/// An episode's `guid`; when missing, the error suggests one.
fn episode_guid(
    t: &mut Fields<'_, '_>,
    cx: &mut Context<'_>,
    (podcast, root): (Option<&Podcast>, &Path),
    slug: Option<&str>,
    n: usize,
) -> Option<String> {
    let help = |verb: &str| match slug.and_then(|slug| published_guid(root, slug)) {
        Some(guid) => format!("put back guid = \"{guid}\", the guid it was published with (podsmith.lock)"),
        None => format!(
            "{verb} guid = \"{}\" (made for you; once published it must never change)",
            suggested_guid(podcast, slug.unwrap_or(""), n)
        ),
    };
    match t.string(cx, "guid") {
        Some(g) if g.get_ref().trim().is_empty() => {
            cx.error(&g.span(), format!("`guid` in {} is empty", t.what), Some(help("write")));
            None
        }
        Some(g) if g.get_ref().trim() != g.get_ref() => {
            let trimmed = crate::text::quoted(g.get_ref().trim());
            cx.error(
                &g.span(),
                format!("`guid` in {} has spaces around it", t.what),
                Some(format!("write guid = {trimmed} (apps compare guids as they are written)")),
            );
            None
        }
        Some(g) => Some(g.into_inner()),
        None => {
            if !t.has("guid") {
                cx.error(&t.span, format!("{} has no `guid`", t.what), Some(help("add")));
            }
            None
        }
    }
}

/// An episode's `date`, with the show's offset where it has none.
fn date(t: &mut Fields<'_, '_>, cx: &mut Context<'_>, podcast: Option<&Podcast>) -> Option<DateTime<FixedOffset>> {
    let Some(d) = t.datetime(cx, "date") else {
        if !t.has("date") {
            // Now, to the minute, in the show's offset (as `add` dates an
            // episode): a date from an example pasted as it is would sink
            // the episode to the foot of the feed, never told as new.
            let offset = podcast.map_or_else(|| chrono::Offset::fix(&chrono::Utc), |p| p.utc_offset);
            let now = chrono::Utc::now().with_timezone(&offset);
            let now = chrono::Timelike::with_second(&now, 0).unwrap_or(now);
            let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            t.missing(cx, "date", &format!("{now} (now; or the moment it goes out)"));
        }
        return None;
    };
    // (A fraction of a second is cut: a feed's dates (RFC 2822) name none,
    // and the pages, the sitemap and the lock say the moment the feed does.)
    let whole = |d: DateTime<FixedOffset>| chrono::Timelike::with_nanosecond(&d, 0).unwrap_or(d);
    to_chrono(d.get_ref(), podcast.map(|p| p.utc_offset)).map(whole).or_else(|| {
        let (what, help) = match d.get_ref().time {
            // TOML allows a leap second; a feed's date (RFC 2822) does not.
            Some(time) if d.get_ref().date.is_some() && time.second == Some(60) => {
                ("has a 60th second (a leap second)", "write :59 for its seconds")
            }
            // RFC 2822 would take it, but no feed reader does: no zone is
            // more than 14 hours from UTC.
            _ if matches!(d.get_ref().offset, Some(Offset::Custom { minutes }) if i32::from(minutes).abs() > super::MAX_OFFSET_MINUTES) => {
                (
                    "has an offset more than 14 hours from UTC",
                    "write the offset of the place it is dated in, between -14:00 and +14:00",
                )
            }
            _ => ("needs a day", "write date = 2017-04-12T09:00:00-04:00"),
        };
        cx.error(&d.span(), format!("`date` in {} {what}: {}", t.what, d.get_ref()), Some(help.into()));
        None
    })
}

/// The `[[episode]]` array, if there is one and it is an array.
/// Every string in the manifest `doc`, written as a path is read
/// (`\` as `/`, without a leading `./`) and in lower case: among them,
/// every file it names.
fn named_paths(doc: &toml::de::DeTable<'_>) -> std::collections::HashSet<String> {
    fn gather(v: &DeValue<'_>, out: &mut std::collections::HashSet<String>) {
        match v {
            DeValue::String(s) => {
                out.insert(s.replace('\\', "/").trim_start_matches("./").to_lowercase());
            }
            DeValue::Array(items) => items.iter().for_each(|i| gather(i.get_ref(), out)),
            DeValue::Table(t) => t.values().for_each(|i| gather(i.get_ref(), out)),
            _ => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    doc.values().for_each(|v| gather(v.get_ref(), &mut out));
    out
}

fn top_episode_list<'t, 'i>(top: &mut Fields<'t, 'i>, cx: &mut Context<'_>) -> Option<&'t [Spanned<DeValue<'i>>]> {
    top.array(cx, "episode", "[[episode]] tables")
}

/// A GUID to suggest for an episode that lacks one: stable for the same
/// show, slug and position, so the suggestion does not change between runs.
/// The guid to suggest for an episode whose own is missing or taken.
enum Suggested {
    /// The one `podsmith.lock` records for it.
    Published(String),
    /// One made for it (see [`suggested_guid`]).
    Made(String),
}

/// The guid `podsmith.lock` beside the manifest (in `root`) records for
/// the episode whose slug is `slug`: what to put back where a published
/// episode's guid was lost or pasted over (a new one, a build refuses as a
/// changed guid). Only a plain one: a crafted lock's text is not put into
/// a line podsmith suggests.
fn published_guid(root: &Path, slug: &str) -> Option<String> {
    let lock = crate::lock::Lock::read(&root.join(crate::lock::FILE_NAME)).ok()??;
    let guid = lock.episodes.into_iter().find(|e| e.slug == slug)?.guid;
    let plain = |c: char| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '\'');
    (!guid.is_empty() && guid.len() <= 200 && guid.chars().all(plain)).then_some(guid)
}

pub(super) fn suggested_guid(podcast: Option<&Podcast>, slug: &str, n: usize) -> String {
    let base = podcast.map_or("", |p| p.base_url.as_str());
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{base}episodes/{slug}#{n}").as_bytes()).to_string()
}

/// Turns a TOML date-time into a zoned date-time; local values take `default_offset`.
pub(super) fn to_chrono(d: &Datetime, default_offset: Option<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let date = d.date?;
    let day = NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))?;
    let naive = match d.time {
        Some(t) => day.and_hms_nano_opt(
            u32::from(t.hour),
            u32::from(t.minute),
            u32::from(t.second.unwrap_or(0)),
            t.nanosecond.unwrap_or(0),
        )?,
        None => day.and_hms_opt(0, 0, 0)?,
    };
    let offset = match d.offset {
        Some(Offset::Z) => FixedOffset::east_opt(0)?,
        Some(Offset::Custom { minutes }) if i32::from(minutes).abs() <= super::MAX_OFFSET_MINUTES => {
            FixedOffset::east_opt(i32::from(minutes) * 60)?
        }
        Some(Offset::Custom { .. }) => return None,
        None => default_offset.unwrap_or(FixedOffset::east_opt(0)?),
    };
    offset.from_local_datetime(&naive).single()
}

pub(super) fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" || s == "UTC" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h * 60 + m > super::MAX_OFFSET_MINUTES {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Why the path of a file in the show (`rel`, without a leading `./`)
/// cannot be published as written, and the fix: an empty or `.` part
/// (`media//a.mp3`, `media/./a.mp3`) names the same file as the plain path
/// but gives it another URL (a bucket's key is the name as written, and
/// two episodes could share the file unseen); `.podsmith/` is podsmith's
/// own folder, never published.
/// Whether a path inside the show folder has a hidden part (`.git/…`).
fn hidden_part(inside: &Path) -> bool {
    inside.components().any(|c| c.as_os_str().as_encoded_bytes().starts_with(b"."))
}

fn unplain(rel: &str) -> Option<(String, String)> {
    if rel.chars().any(char::is_control) {
        return Some((
            "has a control character in its name (a tab, a line break): object stores and URLs cannot carry it".into(),
            "rename the file without it, and name it so here".into(),
        ));
    }
    if let Some(mark) = rel
        .chars()
        .find(|c| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Some((
            format!(
                "has a direction mark (U+{:04X}) in its name: the name is shown in another order than it is, in file \
                 lists and messages",
                u32::from(mark)
            ),
            "rename the file without it, and name it so here".into(),
        ));
    }
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.first() == Some(&".podsmith") {
        return Some((
            "is in .podsmith/, the folder podsmith keeps its own records in (never published)".into(),
            "move the file into media/ and name it there, e.g. \"media/episode-1.mp3\"".into(),
        ));
    }
    if let Some(hidden) = parts.iter().find(|p| p.starts_with('.')) {
        return Some((
            format!(
                "is hidden ({hidden} starts with a dot): podsmith neither reads nor publishes hidden files (.git, .env …)"
            ),
            "move the file out of there (into media/, say) and name it there".into(),
        ));
    }
    let plain = parts.join("/");
    (plain != rel).then(|| {
        ("has an empty or \".\" part, which gives the file a URL of its own".into(), format!("write it as \"{plain}\""))
    })
}

/// Whether the site file at `rel`, linked from the page at `page_path`,
/// is one a build makes (so none of the show folder need be there): a page
/// or feed anywhere (`.html`, `.xml`: the index, an episode's page, the
/// feeds, the sitemap; a name without an extension, a page's folder), or
/// what is made beside a page (see [`made_beside_the_page`]).
fn made_by_the_build(rel: &str, page_path: &str) -> bool {
    // (A name without an extension is a page's folder written without its
    // `/`: `../two`, `../../archive/2017`.)
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_none() {
        return true;
    }
    // (Beside another episode's page too: its transcript, say.)
    let beside_its_page = rel
        .rsplit_once('/')
        .is_some_and(|(folder, _)| folder.starts_with("episodes/") && made_beside_the_page(rel, &format!("{folder}/")));
    matches!(ext.as_deref(), Some("html" | "htm" | "xml")) || made_beside_the_page(rel, page_path) || beside_its_page
}

/// Whether the build itself makes a file at `rel`, beside the episode's
/// page at `page_path`: the page, its chapters, its transcripts, the
/// pictures of an MP3's own chapters (`chapter-<hash>.jpg`). A note's image
/// there is the build's to publish; any other there is the show's.
fn made_beside_the_page(rel: &str, page_path: &str) -> bool {
    // `transcript.vtt`, `transcript.de.srt`; `chapter-<16 hex digits>.jpg`.
    let transcript = |name: &str| {
        name.strip_prefix("transcript.")
            .and_then(|rest| rest.rsplit('.').next())
            .is_some_and(|ext| ["vtt", "srt", "json", "html"].contains(&ext))
            && name.matches('.').count() <= 2
    };
    let chapter_picture = |name: &str| {
        name.strip_prefix("chapter-").and_then(|rest| rest.split_once('.')).is_some_and(|(hash, ext)| {
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && ["jpg", "png"].contains(&ext)
        })
    };
    rel.strip_prefix(page_path).is_some_and(|name| {
        !name.contains('/')
            && (name == "index.html" || name == "chapters.json" || transcript(name) || chapter_picture(name))
    })
}

/// An episode's `guests`, each once (a guest named twice is said).
fn guests(t: &mut Fields<'_, '_>, cx: &mut reader::Context<'_>) -> Vec<String> {
    let given = t.string_list(cx, "guests", "[\"Ann Example\"]").unwrap_or_default();
    let mut guests: Vec<String> = Vec::with_capacity(given.len());
    for g in given {
        let span = g.span();
        let g = g.into_inner();
        if g.trim().is_empty() {
            // (An `add --guest ""` or a name deleted and its quotes left.)
            let (line, col) = cx.line_col(span.start);
            cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning(
                    "EPISODE-GUESTS",
                    format!("{}: a guest in `guests` has no name: left out", t.what),
                )
                .at(crate::diagnostic::Location::file(cx.file(), line, Some(col)))
                .help("write the guest's name between the quotes, or take the empty one out"),
            );
            continue;
        }
        // A guest named twice is one person: published once (a second
        // podcast:person of the same name is a second guest to apps).
        if guests.iter().any(|had| had.trim().eq_ignore_ascii_case(g.trim())) {
            let (line, col) = cx.line_col(span.start);
            cx.cleaned.push(
                crate::diagnostic::Diagnostic::warning(
                    "EPISODE-GUESTS",
                    format!("{}: the guest {} is named twice: published once", t.what, crate::text::quoted(&g)),
                )
                .at(crate::diagnostic::Location::file(cx.file(), line, Some(col)))
                .help("leave the second one out of `guests`"),
            );
            continue;
        }
        guests.push(g);
    }
    guests
}

/// Where `[podcast]` (`t`) writes the keys later stages say something of.
fn podcast_lines(t: &mut Fields<'_, '_>, cx: &Context<'_>) -> crate::manifest::PodcastLines {
    let line = |span: std::ops::Range<usize>| cx.line_col(span.start).0;
    // (The owner's e-mail where it is written: in a table of its own, its line.)
    let owner = t.value("owner").map_or(0, |v| match v.get_ref() {
        DeValue::Table(table) => {
            let email = table.iter().find(|(k, _)| k.get_ref().as_ref() == "email");
            line(email.map_or(v.span(), |(_, e)| e.span()))
        }
        _ => line(v.span()),
    });
    let mut line_of = |key| t.value(key).map_or(0, |v| line(v.span()));
    crate::manifest::PodcastLines {
        title: line_of("title"),
        description: line_of("description"),
        author: line_of("author"),
        owner,
        base_url: line_of("base_url"),
        new_feed_url: line_of("new_feed_url"),
        new_feed_urls: line_of("new_feed_urls"),
    }
}

/// Relative path `rel` with its `..` (and `.`) resolved by name, if it
/// never leaves the folder it is relative to and names something in it.
fn within_lexically(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `s` with its letters beyond ASCII written as TOML escapes (`\u0301`):
/// a name that looks the same in two Unicode forms, told apart.
fn toml_escaped(s: &str) -> String {
    s.chars()
        .map(|c| match u32::from(c) {
            n if c.is_ascii() => char::from_u32(n).map_or_else(String::new, String::from),
            n if n <= 0xFFFF => format!("\\u{n:04X}"),
            n => format!("\\U{n:08X}"),
        })
        .collect()
}
