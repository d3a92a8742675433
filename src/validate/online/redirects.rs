//! Redirects of the URLs `validate --online` checks, followed by hand one
//! hop at a time, each judged before it is asked (see
//! [`crate::url::redirect`]): a public URL that redirects to this
//! computer, into a private network (a cloud's metadata service at
//! 169.254.169.254 among them) or to an address no server is at is said
//! (APPLE-HOST-PUBLIC, as the feed's own URLs are judged offline), and
//! that hop is not requested: directories and listeners can never fetch
//! it, and podsmith does not ask such an address on a feed's word. A hop
//! from https to http is said too (APPLE-HOST-HTTPS), and followed.
//!
//! A URL that is itself on such a host (already said offline, e.g. a show
//! previewed on 127.0.0.1) may redirect within that kind of host.

use std::time::Instant;

use ureq::http::Response;
use ureq::{Agent, Body};
use url::Url;

use super::super::rules::{RuleId, id};
use crate::url::Reach;
use crate::url::redirect::{Hop, Unfollowed};

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

/// Makes `ask` of `url`, following its redirects as
/// [`crate::url::redirect::follow`] allows; a hop followed but said (from
/// https to http) is added to `said`, once.
pub(super) fn follow(ask: &Ask<'_>, url: &str, said: &mut Vec<Said>) -> Outcome {
    let method = if ask.head { "HEAD" } else { "GET" };
    let downgrade = |hop: &Hop| {
        if hop.from.scheme() == "https" && hop.to.scheme() == "http" {
            let s = downgraded(ask.what, url, &hop.to, &hop.via());
            if !said.contains(&s) {
                said.push(s);
            }
        }
    };
    let unreachable = |why: String, help: &str| Outcome::Stopped((id::HOST_UNREACHABLE, why, help.into()));
    match crate::url::redirect::follow(url, |at| send(ask, at), downgrade) {
        Ok((answer, at)) => Outcome::Answered(answer, at.into()),
        Err(Unfollowed::Failed(e)) => Outcome::Failed(e),
        Err(Unfollowed::TooMany) => Outcome::Failed(ureq::Error::TooManyRedirects),
        Err(Unfollowed::Refused(hop, reach)) => Outcome::Stopped(refused(ask.what, url, &hop, reach)),
        Err(Unfollowed::NotAUrl(e)) => {
            unreachable(format!("{method} {url}: not a URL podsmith can ask ({e})"), "check the URL")
        }
        Err(e @ (Unfollowed::BadLocation(..) | Unfollowed::NotHttp(_))) => {
            unreachable(format!("{method} {url}: {e}"), e.help().unwrap_or("check the server's redirect"))
        }
    }
}

/// APPLE-HOST-PUBLIC for a redirect, not followed.
fn refused(what: &str, url: &str, hop: &Hop, reach: Reach) -> Said {
    let (to, via) = (&hop.to, hop.via());
    let host = to.host_str().unwrap_or("");
    let there = reach.describe();
    (
        id::APPLE_HOST_PUBLIC,
        format!("the {what} URL {url} redirects to {to}{via}, whose host {host} is {there} (not followed)"),
        crate::url::redirect::REFUSED_HELP.into(),
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
fn send(ask: &Ask<'_>, url: &Url) -> Result<Response<Body>, ureq::Error> {
    let left = ask.deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ureq::Error::Timeout(ureq::Timeout::Global));
    }
    if ask.head {
        return ask.agent.head(url.as_str()).config().timeout_global(Some(left)).build().call();
    }
    let mut request = ask.agent.get(url.as_str());
    if let Some(range) = ask.range {
        request = request.header("Range", range);
    }
    request.config().timeout_global(Some(left)).build().call()
}
