//! Redirects followed by hand, one hop at a time, each judged before it is
//! asked: a public URL that redirects to this computer, into a private
//! network (a cloud's metadata service at 169.254.169.254 among them) or
//! to an address no server is at is said (APPLE-HOST-PUBLIC, as the
//! feed's own URLs are judged offline), and that hop is not requested:
//! directories and listeners can never fetch it, and podsmith does not
//! ask such an address on a feed's word. A hop from https to http is said
//! too (APPLE-HOST-HTTPS), and followed.
//!
//! A URL that is itself on such a host (already said offline, e.g. a show
//! previewed on 127.0.0.1) may redirect within that kind of host.

use std::time::Instant;

use ureq::http::Response;
use ureq::{Agent, Body};
use url::Url;

use super::super::rules::{RuleId, id};
use crate::url::Reach;

/// The most redirects followed for one request (as browsers do).
pub(super) const MAX_HOPS: usize = 10;

/// A finding's rule, message and help, before it is placed in a feed.
pub(super) type Said = (RuleId, String, String);

/// One request to make: its method, `Range` and deadline.
pub(super) struct Ask<'a> {
    /// An agent that follows no redirect.
    pub agent: &'a Agent,
    /// HEAD, else GET.
    pub head: bool,
    /// The `Range` header's value.
    pub range: Option<&'a str>,
    /// When the request, its redirects and its body must be done by.
    pub deadline: Instant,
    /// `media` or `image`, for messages.
    pub what: &'a str,
}

/// What a request came to.
pub(super) enum Outcome {
    /// An answer that is no redirect to follow, and the URL that gave it.
    Answered(Response<Body>, String),
    /// A request failed (too many redirects among the ways).
    Failed(ureq::Error),
    /// A redirect was not followed: why.
    Stopped(Said),
}

/// Where a redirect may lead, for a URL whose own host is `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// To a public host, or to one of the URL's own kind.
    Follow,
    /// From https to http: followed, and said.
    Downgrade,
    /// To a host that is not public, nor of the URL's own kind: not asked.
    Refuse(Reach),
    /// To a URL that is not http(s): nothing to ask.
    NotHttp,
}

use crate::url::reach_of;

/// Where the redirect from `from` to `to` may lead, for a URL whose host
/// is `origin`.
pub(super) fn verdict(origin: Reach, from: &Url, to: &Url) -> Verdict {
    if !matches!(to.scheme(), "http" | "https") {
        return Verdict::NotHttp;
    }
    if let Err(reach) = crate::url::redirect_allowed(origin, to) {
        return Verdict::Refuse(reach);
    }
    if from.scheme() == "https" && to.scheme() == "http" {
        return Verdict::Downgrade;
    }
    Verdict::Follow
}

/// Makes `ask` of `url`, following its redirects as [`verdict`] allows, at
/// most [`MAX_HOPS`]; a hop followed but said (from https to http) is
/// added to `said`, once.
pub(super) fn follow(ask: &Ask<'_>, url: &str, said: &mut Vec<Said>) -> Outcome {
    let method = if ask.head { "HEAD" } else { "GET" };
    let mut at = match Url::parse(url) {
        Ok(u) => u,
        Err(e) => {
            let why = format!("{method} {url}: not a URL podsmith can ask ({e})");
            return Outcome::Stopped((id::HOST_UNREACHABLE, why, "check the URL".into()));
        }
    };
    let origin = reach_of(&at);
    for hop in 0..=MAX_HOPS {
        let answer = match send(ask, at.as_str()) {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(e),
        };
        let Some(location) = location(&answer) else { return Outcome::Answered(answer, at.into()) };
        if hop == MAX_HOPS {
            break;
        }
        let Ok(to) = at.join(&location) else {
            let why = format!("{method} {url}: redirected to \"{location}\", which is not a URL");
            return Outcome::Stopped((id::HOST_UNREACHABLE, why, "check the server's redirect".into()));
        };
        let via = if hop == 0 { String::new() } else { format!(" (redirect {}, from {at})", hop + 1) };
        match verdict(origin, &at, &to) {
            Verdict::Follow => {}
            Verdict::Downgrade => {
                let s = downgraded(ask.what, url, &to, &via);
                if !said.contains(&s) {
                    said.push(s);
                }
            }
            Verdict::Refuse(reach) => return Outcome::Stopped(refused(ask.what, url, &to, &via, reach)),
            Verdict::NotHttp => {
                let why = format!("{method} {url}: redirected to {to}{via}, which is not an http(s) URL");
                return Outcome::Stopped((id::HOST_UNREACHABLE, why, "check the server's redirect".into()));
            }
        }
        at = to;
    }
    Outcome::Failed(ureq::Error::TooManyRedirects)
}

/// APPLE-HOST-PUBLIC for a redirect to `to`, not followed.
fn refused(what: &str, url: &str, to: &Url, via: &str, reach: Reach) -> Said {
    let host = to.host_str().unwrap_or("");
    let there = reach.describe();
    (
        id::APPLE_HOST_PUBLIC,
        format!("the {what} URL {url} redirects to {to}{via}, whose host {host} is {there} (not followed)"),
        "make every redirect lead to a public address: check the server's or CDN's rule that sends it there".into(),
    )
}

/// APPLE-HOST-HTTPS for a redirect from https to http.
fn downgraded(what: &str, url: &str, to: &Url, via: &str) -> Said {
    (
        id::APPLE_HOST_HTTPS,
        format!("the {what} URL {url} redirects from https to http: {to}{via}"),
        "serve every redirect over https: Apple has announced secure feeds will be required, and browsers block mixed content".into(),
    )
}

/// Makes one request of `url`, in the time left before the deadline.
fn send(ask: &Ask<'_>, url: &str) -> Result<Response<Body>, ureq::Error> {
    let left = ask.deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ureq::Error::Timeout(ureq::Timeout::Global));
    }
    if ask.head {
        return ask.agent.head(url).config().timeout_global(Some(left)).build().call();
    }
    let mut request = ask.agent.get(url);
    if let Some(range) = ask.range {
        request = request.header("Range", range);
    }
    request.config().timeout_global(Some(left)).build().call()
}

/// Where a redirect answer sends the request (301, 302, 303, 307, 308
/// with a `Location`).
fn location(r: &Response<Body>) -> Option<String> {
    if !matches!(r.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// The decision for each hop: into a host that is not public only from
    /// a URL of the same kind; from https to http said.
    #[test]
    fn each_hop_is_judged_against_the_urls_own_host() {
        let public = url("https://files.example.com/a.mp3");
        for (to, expected) in [
            ("https://cdn.example.net/a.mp3", Verdict::Follow),
            ("http://cdn.example.net/a.mp3", Verdict::Downgrade),
            ("http://169.254.169.254/latest/meta-data/", Verdict::Refuse(Reach::Private)),
            ("https://10.0.0.7/a.mp3", Verdict::Refuse(Reach::Private)),
            ("https://[fd00::1]/a.mp3", Verdict::Refuse(Reach::Private)),
            ("https://nas.local/a.mp3", Verdict::Refuse(Reach::Private)),
            ("http://127.0.0.1:8080/a.mp3", Verdict::Refuse(Reach::Loopback)),
            ("http://localhost./a.mp3", Verdict::Refuse(Reach::Loopback)),
            ("http://0x7f000001/a.mp3", Verdict::Refuse(Reach::Loopback)),
            ("https://224.0.0.1/a.mp3", Verdict::Refuse(Reach::Unserved("a multicast address"))),
            ("https://intranet/a.mp3", Verdict::Refuse(Reach::OneLabel)),
            ("ftp://files.example.com/a.mp3", Verdict::NotHttp),
        ] {
            assert_eq!(verdict(reach_of(&public), &public, &url(to)), expected, "{to}");
        }
        // A URL on this computer (already said offline) may redirect on it.
        let local = url("http://127.0.0.1:9000/a.mp3");
        assert_eq!(verdict(reach_of(&local), &local, &url("http://127.0.0.1:9000/b.mp3")), Verdict::Follow);
        assert_eq!(verdict(reach_of(&local), &local, &url("http://169.254.169.254/")), Verdict::Refuse(Reach::Private));
    }
}
