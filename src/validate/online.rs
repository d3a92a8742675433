//! The \[N\] rules: what the hosting answers for every media and image URL
//! of a feed. HEAD, a two-byte Range request (after redirects, each judged
//! before it is followed: see the `redirects` module), lengths and types,
//! image bytes against the URL's extension. A few URLs at a time, each within a
//! deadline (all its requests together); a failure is a finding for that
//! URL, never the end of the run. A URL several feeds (or items) carry is
//! asked once, and what it answered is judged at each of them. A host none
//! of whose first few URLs can be fetched at all (down, unknown, refusing)
//! is not asked for the rest: one finding says how many were left (each
//! would have waited for its timeout).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ureq::Agent;

use super::art;
use super::items::url_extension;
use super::rules::id;
use super::{Finding, Target, Where};

mod redirects;

use redirects::{Ask, Outcome, Said};

/// How to check.
#[derive(Clone)]
pub struct Online {
    /// URLs checked at once.
    pub concurrency: usize,
    /// The most one URL may take, all its requests together: HEAD, the
    /// Range request, their redirects and bodies, measuring its duration.
    pub timeout: Duration,
    /// Told how many URLs are left.
    pub progress: std::sync::Arc<dyn crate::progress::Progress>,
}

impl Default for Online {
    fn default() -> Online {
        Online {
            concurrency: 8,
            timeout: Duration::from_secs(20),
            progress: std::sync::Arc::new(crate::progress::Silent),
        }
    }
}

/// Why a feed could not be fetched: what went wrong (after `cannot fetch
/// URL: `), and what to do where podsmith knows (a redirect it did not
/// follow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    /// What went wrong.
    pub why: String,
    /// What to do about it, if podsmith knows.
    pub help: Option<&'static str>,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

impl From<String> for FetchError {
    fn from(why: String) -> FetchError {
        FetchError { why, help: None }
    }
}

/// Fetches a feed (for `import URL`, `validate URL`, `publish --verify`):
/// at most `limit` bytes, all within `timeout`, its redirects followed
/// where `crate::url::redirect::follow` lets them lead.
pub fn fetch(url: &str, timeout: Duration, limit: u64) -> Result<Vec<u8>, FetchError> {
    use crate::url::redirect::Unfollowed;
    let agent = agent(timeout, 0, ureq::config::AutoHeaderValue::Default);
    let deadline = Instant::now() + timeout;
    let send = |at: &url::Url| {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ureq::Error::Timeout(ureq::Timeout::Global));
        }
        agent.get(at.as_str()).config().timeout_global(Some(left)).build().call()
    };
    let mut resp = match crate::url::redirect::follow(url, send, |_| {}) {
        Ok((resp, _)) => resp,
        Err(Unfollowed::Failed(e)) => return Err(crate::url::request_failed(&e).into()),
        Err(e) => return Err(FetchError { why: e.to_string(), help: e.help() }),
    };
    if !resp.status().is_success() {
        return Err(format!("the server answered {}", resp.status()).into());
    }
    let mut out = Vec::new();
    resp.body_mut().as_reader().take(limit + 1).read_to_end(&mut out).map_err(|e| match e.kind() {
        // (ureq says "timeout: global".)
        std::io::ErrorKind::TimedOut => {
            format!("no complete answer within {} s (timed out): the server is slow or stalled", timeout.as_secs())
        }
        _ if e.to_string().contains("timeout") => {
            format!("no complete answer within {} s (timed out): the server is slow or stalled", timeout.as_secs())
        }
        _ => e.to_string(),
    })?;
    if out.len() as u64 > limit {
        return Err(format!("the feed is larger than {} MB", limit >> 20).into());
    }
    Ok(out)
}

/// An agent waiting at most `timeout` for a request, following at most
/// `redirects` of them (0: a redirect is an answer), asking for the
/// `encoding` given (`identity` for media: their bytes as they are).
fn agent(timeout: Duration, redirects: u32, encoding: impl Into<ureq::config::AutoHeaderValue>) -> Agent {
    Agent::config_builder()
        .accept_encoding(encoding)
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(redirects)
        .user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"), " (feed validator)"))
        .build()
        .into()
}

/// How many URLs of one host that cannot be fetched at all (and none that
/// can) make [`check`] leave its other URLs unasked.
pub const GIVE_UP_AFTER: usize = 3;

/// Checks every target; findings come back in target order.
pub fn check(targets: &[Target], opts: &Online) -> Vec<Finding> {
    check_feeds(&[targets], opts).pop().unwrap_or_default()
}

/// Checks the targets of several feeds, each distinct URL once however
/// many feeds carry it: what it answered is judged at each of its targets
/// (against what each says of it). Each feed's findings come back in its
/// target order.
pub fn check_feeds(feeds: &[&[Target]], opts: &Online) -> Vec<Vec<Finding>> {
    let urls = Urls::of(feeds);
    let (fetched, hosts) = fetch_all(&urls, opts);
    let mut out = Vec::new();
    for (targets, of) in feeds.iter().zip(&urls.of) {
        let mut found: Vec<(usize, Vec<Finding>)> = Vec::new();
        let mut left = Vec::new();
        for (i, (t, &u)) in targets.iter().zip(of).enumerate() {
            match &fetched[u] {
                Some(x) => found.push((i, judge(t, x))),
                None => left.push(i),
            }
        }
        found.extend(hosts.left(targets, &left));
        found.sort_by_key(|(i, _)| *i);
        out.push(found.into_iter().flat_map(|(_, f)| f).collect());
    }
    out
}

/// The distinct URLs of some feeds' targets (as media or as images), and
/// which carry each.
struct Urls<'a> {
    /// Each URL's first target, and whether any of its targets says how
    /// long it plays (then it is measured).
    first: Vec<(&'a Target, bool)>,
    /// For each feed, for each of its targets, its URL's place in `first`.
    of: Vec<Vec<usize>>,
}

impl<'a> Urls<'a> {
    fn of(feeds: &[&'a [Target]]) -> Urls<'a> {
        let mut first: Vec<(&Target, bool)> = Vec::new();
        let mut index: HashMap<(&str, bool), usize> = HashMap::new();
        let mut of = Vec::new();
        for targets in feeds {
            let mut places = Vec::new();
            for t in *targets {
                let u = *index.entry((t.url.as_str(), t.media)).or_insert_with(|| {
                    first.push((t, false));
                    first.len() - 1
                });
                first[u].1 |= t.media && t.duration.is_some();
                places.push(u);
            }
            of.push(places);
        }
        Urls { first, of }
    }
}

/// Asks every URL of `urls`, a few at a time: what each answered (`None`:
/// left unasked, its host given up), and what was found of each host.
fn fetch_all(urls: &Urls<'_>, opts: &Online) -> (Vec<Option<Fetched>>, Hosts) {
    // The files as they are, not compressed: their lengths and ranges are
    // the files' (what apps get), whatever a server would compress.
    let agent = agent(opts.timeout, 0, "identity");
    let targets = &urls.first;
    let next = AtomicUsize::new(0);
    // Targets held back while their host's first URLs were asked, now to
    // be asked after all (see [`Hosts::take`]).
    let again: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let results: Mutex<Vec<(usize, Fetched)>> = Mutex::new(Vec::new());
    let hosts = Hosts::default();
    let bar = &opts.progress;
    bar.start("checking hosting", targets.len() as u64);
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.clamp(1, 32).min(targets.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let held = again.lock().unwrap_or_else(|p| p.into_inner()).pop();
                    let i = held.unwrap_or_else(|| next.fetch_add(1, Ordering::Relaxed));
                    let Some(&(target, measure)) = targets.get(i) else { break };
                    let host = host_of(&target.url);
                    match hosts.take(&host, i) {
                        Take::Ask => {}
                        Take::Held => continue,
                        Take::Left => {
                            bar.advance(1);
                            continue;
                        }
                    }
                    let (found, reached) = check_one(&agent, target, measure, opts.timeout);
                    let released = hosts.tell(host, reached);
                    again.lock().unwrap_or_else(|p| p.into_inner()).extend(released);
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((i, found));
                    bar.advance(1);
                }
            });
        }
    });
    bar.finish();
    let mut fetched: Vec<Option<Fetched>> = targets.iter().map(|_| None).collect();
    for (i, found) in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
        fetched[i] = Some(found);
    }
    (fetched, hosts)
}

/// What the checks found of each host (by [`host_of`]).
#[derive(Default)]
struct Hosts(Mutex<HashMap<String, Host>>);

/// What the checks found of one host.
#[derive(Default)]
struct Host {
    /// Whether any of its URLs could be fetched (whatever it answered).
    reached: bool,
    /// How many of its URLs could not be fetched at all.
    failed: usize,
    /// How many of its URLs are being asked now.
    asking: usize,
    /// Its URLs held back until those being asked have answered.
    held: Vec<usize>,
}

/// What to do with a target taken from the list.
enum Take {
    /// Ask its host.
    Ask,
    /// Held back: [`Hosts::tell`] gives it back once the host's URLs being
    /// asked say whether the host can be reached.
    Held,
    /// Left unasked: its host's first [`GIVE_UP_AFTER`] URLs could not be
    /// fetched at all.
    Left,
}

impl Hosts {
    /// What to do with target `i` on `host`. Until the host has been
    /// reached, at most [`GIVE_UP_AFTER`] of its URLs are asked, failed and
    /// being asked counted together (under the lock [`Hosts::tell`] counts
    /// failures under), so a host is given up after exactly that many
    /// failures, however many workers there are.
    fn take(&self, host: &str, i: usize) -> Take {
        let mut hosts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let h = hosts.entry(host.to_string()).or_default();
        if !h.reached && h.failed >= GIVE_UP_AFTER {
            return Take::Left;
        }
        if !h.reached && h.failed + h.asking >= GIVE_UP_AFTER {
            h.held.push(i);
            return Take::Held;
        }
        h.asking += 1;
        Take::Ask
    }

    /// Takes note of whether a URL on `host` could be fetched; gives back
    /// the URLs held for it that may now be asked (those held when the host
    /// is given up are left unasked).
    fn tell(&self, host: String, reached: bool) -> Vec<usize> {
        let mut hosts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let h = hosts.entry(host).or_default();
        h.asking = h.asking.saturating_sub(1);
        h.reached |= reached;
        h.failed += usize::from(!reached);
        if h.reached {
            return std::mem::take(&mut h.held);
        }
        if h.failed >= GIVE_UP_AFTER {
            h.held.clear();
            return Vec::new();
        }
        let free = GIVE_UP_AFTER - h.failed - h.asking.min(GIVE_UP_AFTER - h.failed);
        let keep = h.held.len().saturating_sub(free);
        h.held.split_off(keep)
    }

    /// For each host with targets left unasked (`left`, places in
    /// `targets`), one finding (at the first of them), saying how many.
    fn left(&self, targets: &[Target], left: &[usize]) -> Vec<(usize, Vec<Finding>)> {
        let hosts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut of_host: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in left {
            of_host.entry(host_of(&targets[i].url)).or_default().push(i);
        }
        let mut out = Vec::new();
        for (host, left) in of_host {
            let failed = hosts.get(&host).map_or(0, |h| h.failed);
            let message = format!(
                "{} on {host} not checked: none of its first {failed} could be fetched at all (see above)",
                crate::text::count(left.len(), "more URL"),
            );
            let help = "check the address, DNS and certificate, then validate again: each is checked once it answers";
            let at = where_of(&targets[left[0]]);
            out.push((left[0], vec![Finding::new(id::HOST_UNREACHABLE, at, message, help)]));
        }
        out
    }
}

/// Where target `t` is in its feed: its item, or its line.
fn where_of(t: &Target) -> Where {
    match &t.item {
        Some((n, label)) => Where::Item(*n, label.clone(), t.line),
        None => Where::Line(t.line),
    }
}

/// The host of `url` (with its port, if it names one), lowercased: what is
/// between `//` and the path.
fn host_of(url: &str) -> String {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest).to_ascii_lowercase()
}

fn base_type(v: &str) -> String {
    v.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn same_type(a: &str, b: &str) -> bool {
    let norm = |t: String| match t.as_str() {
        "audio/mp3" => "audio/mpeg".to_string(),
        "audio/mp4" | "audio/m4a" => "audio/x-m4a".to_string(),
        _ => t,
    };
    norm(base_type(a)) == norm(base_type(b))
}

/// Whether a request that failed with `e` reached its host all the same:
/// the host answered (a redirect loop, a redirect to nowhere, a reply that
/// is not HTTP or is too big). Only a failure to connect (DNS, refused, TLS,
/// timeout) says the host cannot be reached.
fn reached_despite(e: &ureq::Error) -> bool {
    use ureq::Error as E;
    matches!(
        e,
        E::StatusCode(_)
            | E::TooManyRedirects
            | E::RedirectFailed
            | E::BadUri(_)
            | E::Protocol(_)
            | E::BodyExceedsLimit(_)
            | E::LargeResponseHeader(..)
    )
}

/// What one URL's requests found, to be judged at each target that
/// carries it.
struct Fetched {
    /// What holds whatever a feed says of the URL: it cannot be fetched,
    /// a redirect of it, HEAD's answer.
    said: Vec<Said>,
    /// What was served, if there is anything to judge (not a file that
    /// is not there).
    served: Option<Served>,
    /// Media: how long it plays, if measured.
    plays: Option<f64>,
}

impl Fetched {
    fn said(said: Vec<Said>) -> Fetched {
        Fetched { said, served: None, plays: None }
    }
}

/// The findings at target `t` of what its URL answered.
fn judge(t: &Target, x: &Fetched) -> Vec<Finding> {
    let at = || where_of(t);
    let mut out: Vec<Finding> = x.said.iter().map(|(rule, m, help)| Finding::new(*rule, at(), m, help)).collect();
    let Some(served) = &x.served else { return out };
    if t.media {
        media_hosting(t, served, at(), &mut out);
        if let (Some(plays), Some(declared)) = (x.plays, t.duration) {
            duration(t, plays, declared, at(), &mut out);
        }
    } else {
        image_hosting(t, served, at(), &mut out)
    }
    out
}

/// What URL `t` answers (measuring how long it plays if `measure`), all
/// within `timeout`; and whether it could be fetched at all.
fn check_one(agent: &Agent, t: &Target, measure: bool, timeout: Duration) -> (Fetched, bool) {
    let deadline = Instant::now() + timeout;
    let what = if t.media { "media" } else { "image" };
    let mut said = Vec::new();
    let ask = |head, range| Ask { agent, head, range, deadline, what };
    // HEAD.
    let head = match redirects::follow(&ask(true, None), &t.url, &mut said) {
        Outcome::Answered(r, _) => r,
        Outcome::Failed(e) => {
            said.push((
                id::HOST_UNREACHABLE,
                format!("{what} {}: {}", t.url, crate::url::request_failed(&e)),
                "check the address, DNS and certificate; directories must reach it".into(),
            ));
            return (Fetched::said(said), reached_despite(&e));
        }
        Outcome::Stopped(why) => {
            said.push(why);
            return (Fetched::said(said), true);
        }
    };
    let head_ok = head.status().is_success();
    if !head_ok {
        said.push((
            id::APPLE_HOST_HEAD,
            format!("HEAD {} answered {}", t.url, head.status()),
            "the server (and every redirect) must answer HEAD with 200: Apple checks media and art that way".into(),
        ));
    }
    let head_length = header(&head, "content-length").and_then(|v| v.parse::<u64>().ok()).filter(|_| head_ok);
    let head_type = header(&head, "content-type");
    drop(head);
    // A two-byte range (a few more for images, to see what they are).
    let range = if t.media { "bytes=0-1" } else { "bytes=0-15" };
    let (mut get, served_at) = match redirects::follow(&ask(false, Some(range)), &t.url, &mut said) {
        Outcome::Answered(r, url) => (r, url),
        Outcome::Failed(e) => {
            let why = format!("GET {}: {}", t.url, crate::url::request_failed(&e));
            said.push((id::HOST_UNREACHABLE, why, "check the server".into()));
            return (Fetched::said(said), true);
        }
        Outcome::Stopped(why) => {
            said.push(why);
            return (Fetched::said(said), true);
        }
    };
    let mut first_bytes = Vec::new();
    let _ = get.body_mut().as_reader().take(16).read_to_end(&mut first_bytes);
    let served = Served {
        status: get.status().as_u16(),
        content_range: header(&get, "content-range"),
        content_type: header(&get, "content-type").or(head_type),
        head_length,
        first_bytes,
    };
    drop(get);
    // Not served at all (a 404 to HEAD and GET alike): the HEAD finding
    // says it; no range, type or length to judge.
    if !head_ok && served.status >= 400 {
        return (Fetched::said(said), true);
    }
    let plays = (t.media && measure && served.status == 206).then(|| plays(&served_at, deadline)).flatten();
    (Fetched { said, served: Some(served), plays }, true)
}

/// How long the media file at `url` (its redirects followed) plays, where
/// its length is in its headers (measured as `podsmith probe URL` does,
/// reading at most 128 KiB of it, by `deadline`; a file that would take
/// more is not measured).
fn plays(url: &str, deadline: Instant) -> Option<f64> {
    let prober = crate::probe::remote::Prober::until(deadline);
    let m = prober.measure_within(url, 2 * crate::probe::remote::BLOCK).ok()??;
    Some(m.info.duration_secs)
}

/// HOST-DURATION: the file served plays for what its item says.
fn duration(t: &Target, plays: f64, declared: u64, at: Where, out: &mut Vec<Finding>) {
    // (More than a second off, as MEDIA-DURATION judges a file on disk.)
    if (plays - declared as f64).abs() > 1.0 {
        out.push(Finding::new(
            id::HOST_DURATION,
            at,
            format!(
                "{} plays for {} ({plays:.3} s) but its item's itunes:duration says {} ({declared} s)",
                t.url,
                crate::text::clock(plays.round() as u64),
                crate::text::clock(declared)
            ),
            "set itunes:duration to the file's length (podsmith measures it), or serve the file the feed means",
        ));
    }
}

/// A response's header, as text.
fn header(r: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// What the server answered for one URL.
struct Served {
    /// The status of the ranged GET.
    status: u16,
    /// Its `Content-Range`.
    content_range: Option<String>,
    /// The `Content-Type` of the GET, else of the HEAD.
    content_type: Option<String>,
    /// The HEAD's `Content-Length`, when the HEAD succeeded.
    head_length: Option<u64>,
    /// The first bytes of the body.
    first_bytes: Vec<u8>,
}

/// Media: byte ranges answered, the length and type the feed says.
fn media_hosting(t: &Target, s: &Served, at: Where, out: &mut Vec<Finding>) {
    if s.status != 206 || s.content_range.is_none() {
        out.push(Finding::new(
            id::APPLE_HOST_RANGE,
            at.clone(),
            if s.status == 206 {
                format!(
                    "GET {} with Range: bytes=0-1 answered 206 Partial Content without a Content-Range header, which says what part of the file was sent",
                    t.url
                )
            } else {
                format!(
                    "GET {} with Range: bytes=0-1 answered {}{} instead of 206 Partial Content",
                    t.url,
                    s.status,
                    if s.content_range.is_none() { " without Content-Range" } else { "" }
                )
            },
            "turn on byte-range requests on the server (and on every redirect/tracking hop): Apple requires them",
        ));
    }
    let total_from_range =
        s.content_range.as_deref().and_then(|r| r.rsplit('/').next()).and_then(|n| n.parse::<u64>().ok());
    if let (Some(declared), Some(served)) = (t.length, s.head_length.or(total_from_range))
        && declared != served
    {
        out.push(Finding::new(
            id::APPLE_HOST_LENGTH,
            at.clone(),
            format!("{} is {served} bytes on the server but the feed says length=\"{declared}\"", t.url),
            "upload the file again or rebuild the feed so that the two agree",
        ));
    }
    match (s.content_type.as_deref(), t.mime_type.as_deref()) {
        (None, _) | (Some(""), _) => out.push(Finding::new(
            id::APPLE_HOST_CTYPE,
            at,
            format!("{} is served without a Content-Type", t.url),
            "configure the server to send audio/mpeg (etc.): Apple's player refuses untyped media",
        )),
        // (A feed that gives no type has its own finding: nothing to compare.)
        (Some(served), Some(declared)) if !declared.trim().is_empty() && !same_type(served, declared) => {
            out.push(Finding::new(
                id::APPLE_HOST_CTYPE,
                at,
                format!("{} is served as {served} but the feed says {declared}", t.url),
                format!("configure the server to send Content-Type: {declared}"),
            ))
        }
        _ => {}
    }
}

/// Images: served as an image, of the type their URL says.
fn image_hosting(t: &Target, s: &Served, at: Where, out: &mut Vec<Finding>) {
    let served_type = s.content_type.clone().unwrap_or_default();
    if !base_type(&served_type).starts_with("image/") {
        out.push(Finding::new(
            id::APPLE_HOST_CTYPE,
            at.clone(),
            format!("the image {} is served as \"{served_type}\"", t.url),
            "serve artwork as image/jpeg or image/png",
        ));
    }
    let format = art::sniff(&s.first_bytes);
    // (A URL without an extension has none to mismatch: what is served
    // says what it is.)
    if let Some(ext) = url_extension(&t.url)
        && !format.fits_extension(&ext)
    {
        out.push(Finding::new(
            id::APPLE_HOST_IMGTYPE,
            at,
            format!("the image {} is {} but its URL ends in .{ext}", t.url, format.name()),
            "serve a JPEG at a .jpg URL or a PNG at a .png URL (CDNs that convert to WebP break this)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target {
            url: url.into(),
            media: true,
            length: Some(1000),
            mime_type: Some("audio/mpeg".into()),
            item: None,
            line: 1,
            duration: None,
        }
    }

    /// A host none of whose first URLs can be fetched is not asked for the
    /// rest (each would wait for its timeout): one finding says how many
    /// were left; another host's URLs are each asked for. Nothing listens
    /// on port 1 of the loopback addresses: the connection is refused at
    /// once.
    #[test]
    fn a_host_that_cannot_be_reached_is_given_up_after_its_first_urls() {
        let mut targets: Vec<Target> = (0..7).map(|n| target(&format!("http://127.0.0.1:1/media/{n}.mp3"))).collect();
        targets.insert(1, target("http://127.0.0.2:1/a.mp3"));
        targets.push(target("HTTP://127.0.0.2:1/b.mp3"));
        let opts = Online { concurrency: 1, timeout: Duration::from_secs(5), ..Online::default() };
        let found = check(&targets, &opts);
        assert!(found.iter().all(|f| f.code.as_ref() == "HOST-UNREACHABLE"), "{found:?}");
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), GIVE_UP_AFTER + 1 + 2, "{messages:#?}");
        assert_eq!(
            messages.iter().filter(|m| m.contains("127.0.0.2:1/")).count(),
            2,
            "the other host's URLs are each asked for: {messages:#?}"
        );
        let left = messages.iter().find(|m| m.contains("not checked")).expect("one finding for those left");
        assert_eq!(
            *left,
            format!(
                "4 more URLs on 127.0.0.1:1 not checked: none of its first {GIVE_UP_AFTER} could be fetched at all (see above)"
            )
        );
        // In target order: the finding for those left is where the first of them was.
        let at = messages.iter().position(|m| m.contains("not checked")).unwrap();
        assert_eq!(at, GIVE_UP_AFTER + 1, "{messages:#?}");
    }

    /// However many workers ask at once, a host that cannot be reached is
    /// given up after [`GIVE_UP_AFTER`] of its URLs, as the README says:
    /// the others wait for those to answer instead of being asked too.
    #[test]
    fn eight_workers_give_a_host_up_after_its_first_three_urls() {
        let targets: Vec<Target> = (0..12).map(|n| target(&format!("http://127.0.0.1:1/media/{n}.mp3"))).collect();
        let opts = Online { concurrency: 8, timeout: Duration::from_secs(5), ..Online::default() };
        let found = check(&targets, &opts);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), GIVE_UP_AFTER + 1, "{messages:#?}");
        assert!(
            messages.contains(
                &"9 more URLs on 127.0.0.1:1 not checked: none of its first 3 could be fetched at all (see above)"
            ),
            "{messages:#?}"
        );
    }

    /// A 206 without Content-Range is said as that, not as "instead of 206".
    #[test]
    fn a_206_without_content_range_says_what_is_missing() {
        let served = Served {
            status: 206,
            content_range: None,
            content_type: Some("audio/mpeg".into()),
            head_length: Some(1000),
            first_bytes: Vec::new(),
        };
        let mut out = Vec::new();
        media_hosting(&target("https://files.example.net/a.mp3"), &served, Where::Line(1), &mut out);
        let messages: Vec<&str> = out.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "GET https://files.example.net/a.mp3 with Range: bytes=0-1 answered 206 Partial Content without a Content-Range header, which says what part of the file was sent"
            ]
        );
    }
}
