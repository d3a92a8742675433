//! A URL that may be published: absolute `http(s)://`, with a host, and
//! nothing in it a feed or page should not carry (see
//! [`crate::text::url_problem`]). The manifest's URLs are [`HttpUrl`]s, so
//! what reaches a feed has been checked once, where it was read.
//!
//! ```
//! use podsmith::url::HttpUrl;
//!
//! let base = HttpUrl::parse("https://example.com/podcast").unwrap().as_folder();
//! assert_eq!(base.as_str(), "https://example.com/podcast/");
//! assert_eq!(base.join("media/ep 1.mp3"), "https://example.com/podcast/media/ep%201.mp3");
//! assert!(HttpUrl::parse("https://ann:secret@example.com/").is_err());
//! ```

use std::fmt;

#[cfg(feature = "online")]
pub(crate) mod redirect;

/// An absolute http(s) URL that passed [`crate::text::url_problem`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// `s` as a URL, or why it may not be published.
    pub fn parse(s: &str) -> Result<HttpUrl, String> {
        match crate::text::url_problem(s) {
            None => Ok(HttpUrl(s.to_string())),
            Some(problem) => Err(problem),
        }
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its host (with the port, if it names one): what is between `//`
    /// and the path.
    ///
    /// ```
    /// use podsmith::url::HttpUrl;
    ///
    /// assert_eq!(HttpUrl::parse("https://hub.example.com:8443/publish").unwrap().host(), "hub.example.com:8443");
    /// assert_eq!(HttpUrl::parse("http://example.com?x=1").unwrap().host(), "example.com");
    /// ```
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("//").map_or(self.0.as_str(), |(_, rest)| rest);
        rest.split(['/', '?', '#']).next().unwrap_or(rest)
    }

    /// The same URL as a folder: ending in `/`.
    pub fn as_folder(mut self) -> HttpUrl {
        if !self.0.ends_with('/') {
            self.0.push('/');
        }
        self
    }

    /// The URL of `rel` (a `/`-separated relative path) under this folder,
    /// percent-encoded as Apple asks.
    pub fn join(&self, rel: &str) -> String {
        format!("{}{}", self.0, crate::text::encode_path(rel))
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for HttpUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The host an authority (`host`, `user@host:port`, `[::1]:9000`) names:
/// the name or address alone, lower-cased.
pub(crate) fn host_name(authority: &str) -> String {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.split_once(']'))
        .map_or_else(|| host.split(':').next().unwrap_or(""), |(h, _)| h);
    host.to_ascii_lowercase()
}

/// `host` (a name or address, as [`host_name`] gives it) as an IP address;
/// an IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) as the IPv4 one.
/// A host whose last label is a number (`0x7f000001`, `2130706433`,
/// `127.1`, `0177.0.0.1`) is an IPv4 address as browsers and apps read it
/// (the WHATWG URL standard, which the `url` crate follows).
pub(crate) fn ip_of(host: &str) -> Option<std::net::IpAddr> {
    use std::net::IpAddr;
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => {
            let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
            if !last.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            match url::Host::parse(host).ok()? {
                url::Host::Ipv4(v4) => IpAddr::V4(v4),
                url::Host::Ipv6(v6) => IpAddr::V6(v6),
                url::Host::Domain(_) => return None,
            }
        }
    };
    match ip {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// Whether `host` (as [`host_name`] gives it) is this computer: `localhost`,
/// a name under it, or a loopback address (a name with the root's dot at
/// its end, `localhost.`, is the same name).
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host == "localhost" || host.ends_with(".localhost") || ip_of(host).is_some_and(|ip| ip.is_loopback())
}

/// Whether `host` (as [`host_name`] gives it) is one only a local network
/// reaches: a private, link-local, shared (carrier-grade NAT) or
/// unique-local address, or a local name (`.local`, `.lan`, `.internal`).
pub(crate) fn is_private(host: &str) -> bool {
    use std::net::IpAddr;
    let host = host.strip_suffix('.').unwrap_or(host);
    let by_address = match ip_of(host) {
        Some(IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_link_local() || v4.is_unspecified() || (a == 100 && (64..=127).contains(&b))
        }
        Some(IpAddr::V6(v6)) => {
            let first = v6.segments()[0];
            v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        None => false,
    };
    by_address || host.ends_with(".local") || host.ends_with(".lan") || host.ends_with(".internal")
}

/// What kind of address `host` is when no server can be reached at it at
/// all: a multicast group, the broadcast address, or one reserved for
/// future use (240.0.0.0/4).
pub(crate) fn unserved_address(host: &str) -> Option<&'static str> {
    use std::net::IpAddr;
    match ip_of(host)? {
        IpAddr::V4(v4) if v4.is_broadcast() => Some("the broadcast address"),
        IpAddr::V4(v4) if v4.is_multicast() => Some("a multicast address"),
        IpAddr::V4(v4) if v4.octets()[0] >= 240 => Some("an address reserved for future use"),
        IpAddr::V6(v6) if v6.is_multicast() => Some("a multicast address"),
        _ => None,
    }
}

/// Whether `host` (as [`host_name`] gives it) is a name of one label
/// (`intranet`, `nas`): public DNS resolves none, only a local network's
/// search domain does. Addresses (`::1`, `2130706433`) are not names.
pub(crate) fn is_single_label(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty() && !host.contains('.') && ip_of(host).is_none() && !host.contains(':')
}

/// Who can reach a host, as APPLE-HOST-PUBLIC tells hosts apart (the feed's
/// URLs offline, each redirect of them with `validate --online`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Anyone: a public name or address.
    Public,
    /// This computer only ([`is_loopback`]).
    Loopback,
    /// A local network only ([`is_private`]).
    Private,
    /// No one: no server can be reached at such an address ([`unserved_address`]: what it is).
    Unserved(&'static str),
    /// A local network's search domain only: a name of one label ([`is_single_label`]).
    OneLabel,
}

#[cfg(feature = "online")]
impl Reach {
    /// What such a host is, in words.
    pub(crate) fn describe(self) -> String {
        match self {
            Reach::Loopback => "a loopback address: only the computer asking can reach it".to_string(),
            Reach::Private => "an address on a private network that directories cannot reach".to_string(),
            Reach::Unserved(kind) => format!("{kind}: no server can be reached there"),
            Reach::OneLabel => "a name of one label, which public DNS does not resolve".to_string(),
            Reach::Public => "a public address".to_string(),
        }
    }
}

/// Who can reach `host` (as [`host_name`] gives it).
pub(crate) fn reach(host: &str) -> Reach {
    if is_loopback(host) {
        Reach::Loopback
    } else if is_private(host) {
        Reach::Private
    } else if let Some(kind) = unserved_address(host) {
        Reach::Unserved(kind)
    } else if is_single_label(host) {
        Reach::OneLabel
    } else {
        Reach::Public
    }
}

/// Who can reach the host of `url` (anyone, if it names none).
#[cfg(feature = "online")]
pub(crate) fn reach_of(url: &::url::Url) -> Reach {
    url.host_str().map_or(Reach::Public, |h| reach(&host_name(h)))
}

/// Where a redirect may lead a request for a URL whose host is of kind
/// `origin`: to a public host, or to one of the URL's own kind (a show
/// served on 127.0.0.1 may redirect on it); `Err` with the host's kind
/// where not: a public URL is never led by its server into this computer,
/// a private network (a cloud's metadata service at 169.254.169.254) or
/// an address no server is at.
#[cfg(feature = "online")]
pub(crate) fn redirect_allowed(origin: Reach, to: &::url::Url) -> Result<(), Reach> {
    match reach_of(to) {
        Reach::Public => Ok(()),
        r if r == origin => Ok(()),
        r => Err(r),
    }
}

/// How [`request_failed`] says a request had no answer in time.
pub const NO_ANSWER: &str = "no answer in time";

/// What went wrong with an HTTP request, in words: ureq says a timeout as
/// "timeout: global", which tells a podcaster nothing.
#[cfg(feature = "online")]
pub fn request_failed(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("{NO_ANSWER} (timed out): the server is slow or unreachable"),
        other => other.to_string(),
    }
}

#[cfg(all(test, feature = "online"))]
mod tests {
    #[test]
    fn a_timeout_is_said_in_words() {
        let said = super::request_failed(&ureq::Error::Timeout(ureq::Timeout::Global));
        assert!(said.starts_with("no answer in time (timed out)"), "{said}");
        assert!(!said.contains("global"));
    }
}

#[cfg(test)]
mod host_tests {
    use super::*;

    #[test]
    fn a_number_for_a_host_is_the_address_apps_read_it_as() {
        for host in ["0x7f000001", "2130706433", "127.1", "0177.0.0.1", "127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(host), "{host}");
        }
        assert_eq!(ip_of("0xa.1"), Some("10.0.0.1".parse().unwrap()));
        for host in ["example.com", "cafe", "1e100.net", "example.123", "0x7f.example"] {
            assert!(!is_loopback(host) && ip_of(host).is_none(), "{host}");
        }
    }

    #[test]
    fn hosts_no_directory_can_reach_are_told_apart() {
        assert!(is_loopback("localhost.") && is_loopback("app.localhost."));
        assert!(is_private("nas.local.") && is_private("10.0.0.1"));
        assert_eq!(unserved_address("224.0.0.1"), Some("a multicast address"));
        assert_eq!(unserved_address("255.255.255.255"), Some("the broadcast address"));
        assert_eq!(unserved_address("ff02::1"), Some("a multicast address"));
        assert_eq!(unserved_address("93.184.215.14"), None);
        assert!(is_single_label("intranet") && is_single_label("intranet."));
        for host in ["example.com", "127.0.0.1", "2130706433", "::1", ""] {
            assert!(!is_single_label(host), "{host}");
        }
        assert_eq!(reach("127.0.0.1"), Reach::Loopback);
        assert_eq!(reach("169.254.169.254"), Reach::Private);
        assert_eq!(reach("fd00::1"), Reach::Private);
        assert_eq!(reach("224.0.0.1"), Reach::Unserved("a multicast address"));
        assert_eq!(reach("intranet"), Reach::OneLabel);
        assert_eq!(reach("files.example.com"), Reach::Public);
    }
}
