//! Where a site is published: `s3://BUCKET/PREFIX` (AWS S3 and every
//! service that speaks its API: Cloudflare R2, Backblaze B2, DigitalOcean
//! Spaces, Wasabi, MinIO …) or `file:///PATH` (a local or mounted web
//! root), and how to reach it: endpoint, region, credentials.
//!
//! Credentials never live in `episodes.toml`: they come from the standard
//! AWS environment variables, else from the shared credentials and config
//! files (`~/.aws/credentials`, `~/.aws/config`, profile `AWS_PROFILE` or
//! the `[publish]` table's `profile`, else `default`).

#[cfg(feature = "publish")]
use std::collections::HashMap;
#[cfg(feature = "publish")]
use std::path::Path;
use std::path::PathBuf;
#[cfg(feature = "publish")]
use std::sync::Arc;

#[cfg(feature = "publish")]
use object_store::ObjectStore;
#[cfg(feature = "publish")]
use object_store::aws::AmazonS3Builder;

use crate::manifest::PublishSettings;

/// A destination, as parsed from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A bucket of an S3-compatible service, and the prefix in it ("" for
    /// the bucket's root; else without leading or trailing `/`).
    S3 {
        /// The bucket.
        bucket: String,
        /// The prefix.
        prefix: String,
    },
    /// A folder on this machine (absolute).
    Folder(PathBuf),
}

impl Destination {
    /// Parses `s3://BUCKET[/PREFIX]` or `file:///PATH`.
    pub fn parse(url: &str) -> Result<Destination, String> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
            if !valid_bucket {
                return Err(format!(
                    "\"{bucket}\" is not a bucket name (3 to 63 lower-case letters, digits, '-' and '.')"
                ));
            }
            let prefix = prefix.trim_matches('/');
            if !prefix.is_empty() && !super::record::is_key(prefix) {
                return Err(format!(
                    "\"{}\" is not a plain prefix (no empty, '.' or '..' parts, no control characters)",
                    prefix.escape_debug()
                ));
            }
            return Ok(Destination::S3 { bucket: bucket.to_string(), prefix: prefix.to_string() });
        }
        if let Some(path) = url.strip_prefix("file://") {
            // `file://localhost/…` is the same as `file:///…` (RFC 8089).
            let path = path.strip_prefix("localhost").filter(|p| p.starts_with('/')).unwrap_or(path);
            if !path.starts_with('/') {
                return Err(match path.split('/').next().filter(|host| !host.is_empty()) {
                    // `file://server/share`: a folder of another machine.
                    Some(host) => format!(
                        "this names a folder on a machine called \"{}\": a file:// URL names a folder of this \
                         machine by its absolute path, after three slashes (file:///srv/www/podcast; a share \
                         of another machine, by the folder it is mounted at)",
                        host.escape_debug()
                    ),
                    None => "a file:// URL names an absolute path: file:///srv/www/podcast".into(),
                } + &did_you_mean(&format!("/{path}")));
            }
            // In a URL, `?` starts a query and `#` a fragment: a folder's
            // name holds them escaped (`%3F`, `%23`), as file managers copy it.
            if let Some(c) = path.chars().find(|c| matches!(c, '?' | '#')) {
                return Err(format!(
                    "\"{}\" has a '{c}', which in a URL ends the path: write it %{:02X} if the folder's name has it",
                    path.escape_debug(),
                    c as u32
                ));
            }
            // As file managers and browsers copy it: `%20` for a space.
            let path = match path.contains('%') {
                true => crate::text::decode_path(path).ok_or_else(|| match has_bad_escape(path) {
                    true => format!("\"{path}\" has a % that does not start an escape such as %20 (write %25 for a %)"),
                    false => format!("\"{path}\" has escapes that are not UTF-8 once decoded (a folder's name is)"),
                })?,
                false => path.to_string(),
            };
            return Ok(Destination::Folder(PathBuf::from(path)));
        }
        let hint = match url.starts_with('/') {
            true => did_you_mean(url),
            // A folder named as the shell names it (`./www`): its absolute path.
            false if !url.is_empty() && !url.contains(':') => {
                let whole = std::path::absolute(url).ok().map(|p| p.components().collect::<PathBuf>());
                whole.and_then(|p| p.to_str().map(did_you_mean)).unwrap_or_default()
            }
            false => String::new(),
        };
        Err(format!("the destination is s3://BUCKET/PREFIX or file:///PATH{hint}"))
    }

    /// As messages name it.
    pub fn describe(&self) -> String {
        match self {
            Destination::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            Destination::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Destination::Folder(p) => format!("file://{}", p.display()),
        }
    }
}

/// Whether `path` has a `%` that is not followed by two hex digits.
fn has_bad_escape(path: &str) -> bool {
    path.match_indices('%')
        .any(|(at, _)| path.as_bytes().get(at + 1..at + 3).is_none_or(|hex| !hex.iter().all(u8::is_ascii_hexdigit)))
}

/// ` (did you mean file:///PATH?)`, for the absolute `path` meant.
fn did_you_mean(path: &str) -> String {
    let escaped: String = path
        .chars()
        .map(|c| match c {
            ' ' | '%' | '?' | '#' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    format!(" (did you mean file://{escaped}?)")
}

/// How to reach a destination.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// The service's endpoint (`--endpoint` or `[publish] endpoint`).
    pub endpoint: Option<String>,
    /// The `[publish]` table.
    pub settings: PublishSettings,
}

#[cfg(feature = "publish")]
/// An open destination: the store, and the prefix keys go under.
pub struct Opened {
    /// The store.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix ("" for the root).
    pub prefix: String,
    /// Whether the store takes `Content-Type` and `Cache-Control` (a folder does not).
    pub headers: bool,
    /// The store's listing page by page, in key order (S3's; a folder has
    /// none): a listing can be split into ranges of keys, and pages of more
    /// than S3's 1,000 keys asked for where the service gives them.
    pub pages: Option<Arc<dyn object_store::list::PaginatedListStore>>,
    /// A folder destination's folder: listed by podsmith, never through a
    /// link (object_store's listing of a folder follows them).
    pub folder: Option<std::path::PathBuf>,
    /// The store's multipart uploads by their ids (S3's; a folder writes a
    /// big file whole under a temporary name): those a publish killed
    /// part-way left can be aborted by the next.
    pub multipart: Option<Arc<dyn object_store::multipart::MultipartStore>>,
    /// A folder destination held for this publish alone (a lock on the
    /// folder itself, which the system lets go of when the process ends),
    /// as long as this is.
    pub held: Option<std::fs::File>,
}

#[cfg(feature = "publish")]
impl Opened {
    /// The store's path of a site file: the key as it is, so the object's
    /// name is the one its URL in the feed names (`Path::from` would
    /// percent-encode `[`, `~`, `%` … into the name itself). A key or
    /// prefix `Path::parse` refuses (a control character, an empty or
    /// dot part) is refused before (see [`super::record::is_key`] and
    /// [`Destination::parse`]); should one come, it is encoded as before
    /// rather than sent anywhere unchecked.
    pub fn path(&self, key: &str) -> object_store::path::Path {
        let whole = match self.prefix.is_empty() {
            true => key.to_string(),
            false => format!("{}/{key}", self.prefix),
        };
        object_store::path::Path::parse(&whole).unwrap_or_else(|_| object_store::path::Path::from(whole.as_str()))
    }

    /// A site file's key, from the store's path (`None` if not under the prefix).
    pub fn key<'a>(&self, path: &'a str) -> Option<&'a str> {
        match self.prefix.is_empty() {
            true => Some(path),
            false => path.strip_prefix(self.prefix.as_str())?.strip_prefix('/'),
        }
    }
}

#[cfg(feature = "publish")]
/// Opens `dest`; `Err` says what is wrong with the configuration.
pub fn open(dest: &Destination, access: &Access) -> Result<Opened, String> {
    match dest {
        Destination::Folder(path) => {
            std::fs::create_dir_all(path).map_err(|e| match (path.is_file(), std::fs::read_link(path)) {
                (true, _) => format!("{} is a file, not a folder: give the folder the site goes in", path.display()),
                (false, Ok(to)) => format!(
                    "{} is a link to {}, which is not there: make that folder, or give the folder itself",
                    path.display(),
                    to.display()
                ),
                (false, Err(_)) => format!("cannot make the folder {}: {e}", path.display()),
            })?;
            // A folder left empty by a deletion (a removed episode's) goes
            // too. Each file is on the disk, with its name, before its write
            // returns (as a bucket's is): the feeds, written after the media
            // and pages they name, are never on the disk ahead of them, not
            // even across a power cut.
            let held = publishing_alone(path)?;
            let store = object_store::local::LocalFileSystem::new_with_prefix(path)
                .map_err(|e| format!("cannot open the folder {}: {e}", path.display()))?
                .with_automatic_cleanup(true)
                .with_fsync(folders_flush(path));
            Ok(Opened {
                store: Arc::new(store),
                prefix: String::new(),
                headers: false,
                pages: None,
                folder: Some(path.clone()),
                multipart: None,
                held: Some(held),
            })
        }
        Destination::S3 { bucket, prefix } => {
            let store = Arc::new(s3_builder(bucket, access)?.build().map_err(|e| e.to_string())?);
            Ok(Opened {
                store: store.clone(),
                prefix: prefix.clone(),
                headers: true,
                pages: Some(store.clone()),
                folder: None,
                multipart: Some(store),
                held: None,
            })
        }
    }
}

/// The folder destination `folder`, held for one publish at a time (a lock
/// on the folder itself, which puts no file in it, and which the system
/// lets go of when the process ends, however it ends): two at once (from
/// two clones of the show, a laptop and CI) would each go by the record as
/// it read it, and the feed of the one that ends last could name the
/// media the other deleted. The next is refused, to be run again.
#[cfg(feature = "publish")]
fn publishing_alone(folder: &Path) -> Result<std::fs::File, String> {
    let dir = std::fs::File::open(folder).map_err(|e| format!("cannot open the folder {}: {e}", folder.display()))?;
    match dir.try_lock() {
        Ok(()) => Ok(dir),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another podsmith publish is publishing to {} now: run this one again once it is done (two at once \
             could leave the feed of the one that ends last naming what the other removed)",
            folder.display()
        )),
        // (A file system that cannot lock: as before, one at a time is the podcaster's to keep.)
        Err(std::fs::TryLockError::Error(_)) => Ok(dir),
    }
}

/// Whether the filesystem `folder` is on flushes a folder's entries to its
/// disk when asked (`fsync` of the folder): most do; a few mounted ones
/// (VirtualBox's shared folders) refuse it as a thing they cannot do, and
/// every write would then fail after it was made. Those are written as
/// object_store writes a folder by default, unflushed; any other answer is
/// left for the writes themselves to report.
#[cfg(feature = "publish")]
fn folders_flush(folder: &Path) -> bool {
    use std::io::ErrorKind::{InvalidInput, Unsupported};
    match std::fs::File::open(folder).and_then(|dir| dir.sync_all()) {
        Err(e) => !matches!(e.kind(), InvalidInput | Unsupported),
        Ok(()) => true,
    }
}

#[cfg(feature = "publish")]
/// The S3 client: the environment's settings, then the profile's where the
/// environment has none, then the show's and the command line's.
fn s3_builder(bucket: &str, access: &Access) -> Result<AmazonS3Builder, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let profile_name = access.settings.profile.clone().or_else(|| env("AWS_PROFILE")).unwrap_or("default".into());
    let profile = Profile::load(&profile_name);
    if access.settings.profile.is_some() && profile.is_empty() {
        return Err(format!(
            "the profile \"{profile_name}\" ([publish] profile) is in neither ~/.aws/credentials nor ~/.aws/config"
        ));
    }
    if env("AWS_ACCESS_KEY_ID").is_none()
        && let (Some(id), Some(secret)) = (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key"))
    {
        b = b.with_access_key_id(id).with_secret_access_key(secret);
        if let Some(token) = profile.get("aws_session_token") {
            b = b.with_token(token);
        }
    }
    let region = access
        .settings
        .region
        .clone()
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| profile.get("region").map(str::to_string))
        .unwrap_or_else(|| "us-east-1".into());
    b = b.with_region(region);
    let endpoint = access
        .endpoint
        .clone()
        .or_else(|| access.settings.endpoint.clone())
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| env("AWS_ENDPOINT"))
        .or_else(|| profile.get("endpoint_url").map(str::to_string));
    let mut allow_http = false;
    // The payload's SHA-256 goes into each request's signature only where
    // nothing else guards the bytes on their way (see `payload_signed`).
    let mut signed = false;
    if let Some(endpoint) = endpoint {
        check_endpoint(&endpoint)?;
        allow_http = endpoint.starts_with("http://");
        signed = payload_signed(&endpoint);
        b = b.with_endpoint(endpoint);
    }
    if env("AWS_UNSIGNED_PAYLOAD").is_none() {
        b = b.with_unsigned_payload(!signed);
    }
    b = b.with_virtual_hosted_style_request(access.settings.virtual_hosted);
    // A plain-HTTP endpoint (a server on this machine) needs no certificates:
    // the system's are not loaded for it (milliseconds at every publish).
    let mut client = object_store::ClientOptions::new()
        .with_allow_http(allow_http)
        .with_no_system_certificates(allow_http)
        .with_timeout(std::time::Duration::from_secs(120))
        .with_connect_timeout(std::time::Duration::from_secs(15));
    if access.settings.public_read {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-acl", http::HeaderValue::from_static("public-read"));
        client = client.with_default_headers(headers);
    }
    let retry = object_store::RetryConfig {
        max_retries: 5,
        retry_timeout: std::time::Duration::from_secs(120),
        backoff: object_store::BackoffConfig {
            init_backoff: std::time::Duration::from_millis(200),
            max_backoff: std::time::Duration::from_secs(10),
            base: 2.0,
        },
    };
    Ok(b.with_client_options(client).with_retry(retry))
}

/// An endpoint must be an http(s) URL.
pub fn check_endpoint(endpoint: &str) -> Result<(), String> {
    crate::url::HttpUrl::parse(endpoint).map(|_| ()).map_err(|why| {
        // (Its reason speaks of what apps fetch: the endpoint is the storage service's.)
        let why = why.split("; podcast apps").next().unwrap_or(&why).to_string();
        let example = match endpoint.contains("://") {
            false if !endpoint.trim().is_empty() => format!("http://{}", endpoint.trim()),
            _ => "https://s3.eu-central-1.amazonaws.com".to_string(),
        };
        format!(
            "the endpoint \"{endpoint}\" is not an http:// or https:// URL ({why}): give the storage \
                 service's address, such as {example}"
        )
    })
}

/// Whether requests to `endpoint` (an http(s) URL) sign their payload (its
/// SHA-256 in the signature, which the service checks: every byte hashed
/// twice). Only over plain HTTP to another computer: over HTTPS the
/// connection guards the bytes (AWS's own CLI signs S3 payloads only over
/// plain HTTP, too), and to a server on this computer (a loopback address,
/// `localhost`) nothing is between.
pub fn payload_signed(endpoint: &str) -> bool {
    let host = |e: &str| crate::url::HttpUrl::parse(e).map(|u| crate::url::host_name(u.host()));
    !endpoint.starts_with("https://") && !host(endpoint).is_ok_and(|h| crate::url::is_loopback(&h))
}

#[cfg(feature = "publish")]
/// A profile of the shared AWS files: its settings, credentials file first.
#[derive(Debug, Default)]
struct Profile(HashMap<String, String>);

#[cfg(feature = "publish")]
impl Profile {
    fn load(name: &str) -> Profile {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let file = |var: &str, default: &str| {
            std::env::var_os(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
        };
        let mut settings = HashMap::new();
        if let Some(config) = file("AWS_CONFIG_FILE", "config") {
            let section = if name == "default" { "default".to_string() } else { format!("profile {name}") };
            settings.extend(ini_section(&config, &section));
        }
        if let Some(credentials) = file("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
            settings.extend(ini_section(&credentials, name));
        }
        Profile(settings)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(feature = "publish")]
/// The `key = value` lines of `[section]` in an INI file (bounded read; a
/// file that cannot be read has none).
fn ini_section(path: &Path, section: &str) -> HashMap<String, String> {
    let limit = crate::fsutil::Limit { bytes: 1 << 20, what: "an AWS settings file" };
    let Ok(text) = crate::fsutil::read_string(path, limit) else { return HashMap::new() };
    let mut out = HashMap::new();
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
        } else if inside && let Some((k, v)) = line.split_once('=') {
            out.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    out
}

/// The folders on the way to `keys` in the folder destination `root` that
/// are links, or files, one line each: podsmith never writes or deletes
/// through a link there (the folder itself may be one). Each folder is
/// looked at once, not following links.
#[cfg(feature = "publish")]
pub fn links_on_the_way<'a>(root: &std::path::Path, keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for key in keys {
        let mut dir = String::new();
        let parts: Vec<&str> = key.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(part);
            if !seen.insert(dir.clone()) {
                continue;
            }
            match std::fs::symlink_metadata(root.join(&dir)) {
                Ok(m) if m.file_type().is_symlink() => problems.push(format!("{dir}/ is a link")),
                Ok(m) if !m.is_dir() => problems.push(format!("{dir} is a file where the site needs a folder")),
                _ => {}
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            Destination::parse("s3://my-show/podcast/").unwrap(),
            Destination::S3 { bucket: "my-show".into(), prefix: "podcast".into() }
        );
        assert_eq!(
            Destination::parse("s3://my-show").unwrap(),
            Destination::S3 { bucket: "my-show".into(), prefix: String::new() }
        );
        assert_eq!(Destination::parse("file:///srv/www").unwrap(), Destination::Folder("/srv/www".into()));
        // As a file manager copies it, and with the host RFC 8089 allows.
        assert_eq!(
            Destination::parse("file:///srv/my%20show/caf%C3%A9").unwrap(),
            Destination::Folder("/srv/my show/café".into())
        );
        assert_eq!(Destination::parse("file://localhost/srv/www").unwrap(), Destination::Folder("/srv/www".into()));
        for bad in ["s3://A_B/x", "s3://ok-bucket/a/../b", "file://relative", "ftp://x", "s3://x", "file:///a%zz"] {
            assert!(Destination::parse(bad).is_err(), "{bad}");
        }
        // A host in a file:// URL is said as such.
        let said = Destination::parse("file://nas/podcast").unwrap_err();
        assert!(said.starts_with("this names a folder on a machine called \"nas\""), "{said}");
        assert!(Destination::parse("file://").unwrap_err().contains("names an absolute path"));
        // Near misses are said with the URL meant; what a URL reads otherwise, with why.
        for (given, said) in [
            ("/srv/my show", "file:///PATH (did you mean file:///srv/my%20show?)"),
            ("file://srv/www", "(did you mean file:///srv/www?)"),
            ("./www", "/www?)"),
            ("site", "/site?)"),
            ("file:///srv/q?x=1", "has a '?', which in a URL ends the path: write it %3F"),
            ("file:///srv/a#b", "has a '#', which in a URL ends the path: write it %23"),
            ("file:///srv/d%FFx", "has escapes that are not UTF-8 once decoded"),
            ("file:///srv/d%zz", "has a % that does not start an escape such as %20"),
        ] {
            let why = Destination::parse(given).unwrap_err();
            assert!(why.contains(said), "{given}: {why}");
        }
        assert!(check_endpoint("http://127.0.0.1:9000").is_ok());
        // The payload signed only over plain HTTP to another computer.
        for (endpoint, signed) in [
            ("https://s3.example.com", false),
            ("http://127.0.0.1:9000", false),
            ("http://[::1]:9000/", false),
            ("http://localhost:3900", false),
            ("http://minio.lan:9000", true),
            ("http://10.0.0.5:9000", true),
        ] {
            assert_eq!(payload_signed(endpoint), signed, "{endpoint}");
        }
        assert!(check_endpoint("127.0.0.1:9000").is_err());
    }

    /// A folder destination flushes each file it writes to the disk
    /// before the write returns (object_store's folder store does not
    /// unless told, and says whether it was in its `Debug`).
    #[cfg(feature = "publish")]
    #[test]
    fn a_folder_is_written_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let access = Access { endpoint: None, settings: PublishSettings::default() };
        let opened = open(&Destination::Folder(dir.path().join("web")), &access).unwrap();
        let store = format!("{:?}", opened.store);
        assert!(store.contains("fsync: true"), "{store}");
    }

    #[cfg(feature = "publish")]
    #[test]
    fn profiles_are_read_from_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config");
        let creds = dir.path().join("credentials");
        std::fs::write(
            &cfg,
            "[default]\nregion = eu-west-1\n[profile show]\nregion = auto\nendpoint_url = https://x.r2.example\n",
        )
        .unwrap();
        std::fs::write(&creds, "[show]\naws_access_key_id = AK\naws_secret_access_key = SK\n").unwrap();
        assert_eq!(ini_section(&cfg, "profile show").get("region").map(String::as_str), Some("auto"));
        assert_eq!(ini_section(&creds, "show").get("aws_access_key_id").map(String::as_str), Some("AK"));
        assert!(ini_section(&creds, "default").is_empty());
    }
}
