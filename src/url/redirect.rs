//! Redirects followed by hand, one hop at a time, each judged before it is
//! asked, for every request podsmith makes of a URL it was given (a feed,
//! hosted media, a file to download, a URL `validate --online` checks):
//! a public URL is never led by its server into this computer, a private
//! network (a cloud's metadata service at 169.254.169.254 among them) or
//! an address no server is at, and such an address is never requested on
//! a server's word. A URL that is itself on such a host (a show previewed
//! on 127.0.0.1) may redirect within that kind of host (see
//! [`super::redirect_allowed`]).
//!
//! The agents asking follow no redirect of their own (`max_redirects(0)`):
//! [`follow`] makes each request, reads its `Location`, judges it, and
//! asks the next, at most [`MAX_HOPS`] times.

use std::fmt;

use ureq::Body;
use ureq::http::Response;
use url::Url;

use super::{Reach, reach_of, redirect_allowed};

/// The most redirects followed for one request (as browsers do).
pub(crate) const MAX_HOPS: usize = 10;

/// One redirect on the way to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    /// Its place in the chain: 1 for the redirect of the URL asked.
    pub number: usize,
    /// The URL that answered with it.
    pub from: Url,
    /// Where it leads.
    pub to: Url,
}

impl Hop {
    /// Where in the chain it was, for messages: nothing for the URL's own
    /// redirect, ` (redirect N, from URL)` after it.
    pub(crate) fn via(&self) -> String {
        via(self.number, &self.from)
    }
}

/// Where in the chain redirect `number`, from `from`, was (see [`Hop::via`]).
fn via(number: usize, from: &Url) -> String {
    match number {
        1 => String::new(),
        n => format!(" (redirect {n}, from {from})"),
    }
}

/// Why a request was not followed to an answer.
#[derive(Debug)]
pub(crate) enum Unfollowed<E> {
    /// The URL asked is not one podsmith can ask.
    NotAUrl(url::ParseError),
    /// A request failed (of the URL, or of a redirect followed).
    Failed(E),
    /// A redirect's `Location` that is not a URL, and its place (the hop
    /// it would have been).
    BadLocation(String, usize, Box<Url>),
    /// A redirect to a URL that is not http(s): nothing to ask.
    NotHttp(Box<Hop>),
    /// A redirect to a host of the kind given, where the URL's own host
    /// may not lead: not asked.
    Refused(Box<Hop>, Reach),
    /// More than [`MAX_HOPS`] redirects.
    TooMany,
}

/// Whether a redirect to `to` may be followed, for a URL whose host is of
/// kind `origin`: `Err` says why not (a scheme that is not http(s), or the
/// kind of host [`redirect_allowed`] refuses).
pub(crate) fn judge(origin: Reach, to: &Url) -> Result<(), Refusal> {
    if !matches!(to.scheme(), "http" | "https") {
        return Err(Refusal::NotHttp);
    }
    redirect_allowed(origin, to).map_err(Refusal::Host)
}

/// Why a redirect is not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// It leads to a URL that is not http(s).
    NotHttp,
    /// It leads to a host of this kind, which the URL's own may not lead to.
    Host(Reach),
}

/// Asks `url` with `send` (one request, no redirect followed), then each
/// redirect of it that [`judge`] allows, at most [`MAX_HOPS`]; `followed`
/// is told of each before it is asked. Returns the answer that is no
/// redirect, and the URL that gave it.
pub(crate) fn follow<E>(
    url: &str,
    mut send: impl FnMut(&Url) -> Result<Response<Body>, E>,
    mut followed: impl FnMut(&Hop),
) -> Result<(Response<Body>, Url), Unfollowed<E>> {
    let mut at = Url::parse(url).map_err(Unfollowed::NotAUrl)?;
    let origin = reach_of(&at);
    for number in 1..=MAX_HOPS + 1 {
        let answer = send(&at).map_err(Unfollowed::Failed)?;
        let Some(location) = location(&answer) else { return Ok((answer, at)) };
        if number > MAX_HOPS {
            break;
        }
        let Ok(to) = at.join(&location) else { return Err(Unfollowed::BadLocation(location, number, Box::new(at))) };
        let hop = Box::new(Hop { number, from: at, to });
        match judge(origin, &hop.to) {
            Ok(()) => followed(&hop),
            Err(Refusal::NotHttp) => return Err(Unfollowed::NotHttp(hop)),
            Err(Refusal::Host(reach)) => return Err(Unfollowed::Refused(hop, reach)),
        }
        at = hop.to;
    }
    Err(Unfollowed::TooMany)
}

/// Where a redirect answer sends the request (301, 302, 303, 307, 308
/// with a `Location`).
fn location(r: &Response<Body>) -> Option<String> {
    if !matches!(r.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// What to do about a redirect that was not followed, for one who was
/// told of it.
pub(crate) const REFUSED_HELP: &str =
    "make every redirect lead to a public address: check the server's or CDN's rule that sends it there";

impl<E> Unfollowed<E> {
    /// What to do about it, where podsmith knows (a redirect refused).
    pub(crate) fn help(&self) -> Option<&'static str> {
        match self {
            Unfollowed::Refused(..) => Some(REFUSED_HELP),
            Unfollowed::BadLocation(..) | Unfollowed::NotHttp(_) => Some("check the server's redirect"),
            _ => None,
        }
    }
}

/// In words, after the URL asked (`URL: redirected to …`); a request that
/// failed as `E` says.
impl<E: fmt::Display> fmt::Display for Unfollowed<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfollowed::NotAUrl(e) => write!(f, "not a URL podsmith can ask ({e})"),
            Unfollowed::Failed(e) => e.fmt(f),
            Unfollowed::BadLocation(location, number, from) => {
                let via = via(*number, from);
                write!(f, "redirected to \"{}\"{via}, which is not a URL", location.escape_debug())
            }
            Unfollowed::NotHttp(hop) => write!(f, "redirected to {}{}, which is not an http(s) URL", hop.to, hop.via()),
            Unfollowed::Refused(hop, reach) => {
                let host = hop.to.host_str().unwrap_or_default();
                let kind = reach.describe();
                write!(f, "redirected to {}{}, whose host {host} is {kind} (not followed)", hop.to, hop.via())
            }
            Unfollowed::TooMany => write!(f, "redirected more than {MAX_HOPS} times"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// The decision for each hop: into a host that is not public only from
    /// a URL of the same kind.
    #[test]
    fn each_hop_is_judged_against_the_urls_own_host() {
        let public = reach_of(&url("https://files.example.com/a.mp3"));
        for (to, expected) in [
            ("https://cdn.example.net/a.mp3", Ok(())),
            ("http://cdn.example.net/a.mp3", Ok(())),
            ("http://169.254.169.254/latest/meta-data/", Err(Refusal::Host(Reach::Private))),
            ("https://10.0.0.7/a.mp3", Err(Refusal::Host(Reach::Private))),
            ("https://[fd00::1]/a.mp3", Err(Refusal::Host(Reach::Private))),
            ("https://nas.local/a.mp3", Err(Refusal::Host(Reach::Private))),
            ("http://0.0.0.0:8080/a.mp3", Err(Refusal::Host(Reach::Private))),
            ("http://127.0.0.1:8080/a.mp3", Err(Refusal::Host(Reach::Loopback))),
            ("http://localhost./a.mp3", Err(Refusal::Host(Reach::Loopback))),
            ("http://0x7f000001/a.mp3", Err(Refusal::Host(Reach::Loopback))),
            ("https://224.0.0.1/a.mp3", Err(Refusal::Host(Reach::Unserved("a multicast address")))),
            ("https://intranet/a.mp3", Err(Refusal::Host(Reach::OneLabel))),
            ("ftp://files.example.com/a.mp3", Err(Refusal::NotHttp)),
        ] {
            assert_eq!(judge(public, &url(to)), expected, "{to}");
        }
        // A URL on this computer (already said offline) may redirect on it.
        let local = reach_of(&url("http://127.0.0.1:9000/a.mp3"));
        assert_eq!(judge(local, &url("http://127.0.0.1:9000/b.mp3")), Ok(()));
        assert_eq!(judge(local, &url("http://169.254.169.254/")), Err(Refusal::Host(Reach::Private)));
    }

    #[test]
    fn a_refused_redirect_names_the_hop_and_the_kind_of_host() {
        let hop = |number| Hop { number, from: url("https://a.example.com/x"), to: url("http://10.0.0.1/y") };
        let refused = Unfollowed::<String>::Refused(Box::new(hop(1)), Reach::Private);
        assert_eq!(
            refused.to_string(),
            "redirected to http://10.0.0.1/y, whose host 10.0.0.1 is an address on a private network that \
             directories cannot reach (not followed)"
        );
        assert_eq!(refused.help(), Some(REFUSED_HELP));
        assert_eq!(
            Unfollowed::<String>::Refused(Box::new(hop(3)), Reach::Loopback).to_string(),
            "redirected to http://10.0.0.1/y (redirect 3, from https://a.example.com/x), whose host 10.0.0.1 is a \
             loopback address: only the computer asking can reach it (not followed)"
        );
    }
}
