//! After a publish that changed a feed: the services that fetch it are told,
//! so that apps see a new episode within seconds rather than at their next
//! poll (hours, for most). The WebSub hub the feeds name (`websub_hub` in
//! `[podcast]`, written as `<atom:link rel="hub">`) is sent
//! `hub.mode=publish` with the feed's URL, as WebSub publishers do; each
//! service of `[publish] notify` is asked `GET SERVICE?url=FEED` (Podcast
//! Index's `pubnotify`, which needs no API key and sends a Podping on to the
//! apps listening for one). Each feed the publish uploaded is told once to
//! each; a service that answers a server error (5xx, 429) or cannot be
//! reached is asked again, twice at most, after a short wait; one that
//! still fails is a warning: the site is published either way.

use crate::url::HttpUrl;

/// How long one service is waited for.
#[cfg(feature = "publish")]
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// How long to wait before asking a service again, each time (no answer
/// within [`TIMEOUT`] is not asked again: it was waited for long enough).
#[cfg(feature = "publish")]
const RETRIES: [std::time::Duration; 2] =
    [std::time::Duration::from_millis(300), std::time::Duration::from_millis(1200)];

/// How a service is told of a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// A WebSub hub: `POST hub.mode=publish&hub.url=FEED`.
    Websub,
    /// A ping service: `GET SERVICE?url=FEED`.
    Ping,
}

/// One service to tell of one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The service: the hub's or the notify service's URL.
    pub service: HttpUrl,
    /// How it is told.
    pub how: How,
    /// The feed's URL.
    pub feed: String,
}

impl Notice {
    /// What became of it: `status` answered, or `error`.
    fn told(self, status: Option<u16>, error: Option<String>) -> Notified {
        let Notice { service, how, feed } = self;
        Notified { service, how, feed, status, error }
    }
}

/// One service told of one feed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notified {
    /// The service: the hub's or the notify service's URL.
    pub service: HttpUrl,
    /// How it was told: `websub` (a POST) or `ping` (a GET with `?url=`).
    pub how: How,
    /// The feed's URL.
    pub feed: String,
    /// The HTTP status it answered, if it answered.
    pub status: Option<u16>,
    /// Why it was not told (no answer, or an answer other than 2xx).
    pub error: Option<String>,
}

impl Notified {
    /// Whether the service took it.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Who is told of which feed, the hub first.
pub fn planned(hub: Option<&HttpUrl>, services: &[HttpUrl], feeds: &[String]) -> Vec<Notice> {
    let mut out = Vec::new();
    for feed in feeds {
        if let Some(hub) = hub {
            out.push(Notice { service: hub.clone(), how: How::Websub, feed: feed.clone() });
        }
        for s in services {
            out.push(Notice { service: s.clone(), how: How::Ping, feed: feed.clone() });
        }
    }
    out
}

/// The services of `plan`, not told (yet): no status, no error.
pub fn not_yet(plan: Vec<Notice>) -> Vec<Notified> {
    plan.into_iter().map(|n| n.told(None, None)).collect()
}

/// Tells every service of every feed (a few at once).
#[cfg(feature = "publish")]
pub async fn notify(plan: Vec<Notice>) -> Vec<Notified> {
    if plan.is_empty() {
        return Vec::new();
    }
    let client =
        reqwest::Client::builder().timeout(TIMEOUT).user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"))).build();
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            let why = format!("no HTTP client: {e}");
            return plan.into_iter().map(|n| n.told(None, Some(why.clone()))).collect();
        }
    };
    use futures::StreamExt;
    futures::stream::iter(plan)
        .map(|notice| {
            let client = &client;
            async move {
                let (service, feed) = (notice.service.as_str(), notice.feed.as_str());
                let request = || match notice.how {
                    How::Websub => client.post(service).form(&[("hub.mode", "publish"), ("hub.url", feed)]),
                    How::Ping => client.get(service).query(&[("url", feed)]),
                };
                let (status, error) = tell(request).await;
                notice.told(status, error)
            }
        })
        .buffered(4)
        .collect()
        .await
}

/// Sends `request` (made anew for each try), again after each of
/// [`RETRIES`] while the service answers a server error or cannot be
/// reached. Returns the status it last answered, and why it was not told.
#[cfg(feature = "publish")]
async fn tell(request: impl Fn() -> reqwest::RequestBuilder) -> (Option<u16>, Option<String>) {
    let mut waits = RETRIES.iter();
    let mut tries = 0;
    loop {
        tries += 1;
        let (status, error, again) = match request().send().await {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None, false),
            Ok(r) => {
                let again = r.status().is_server_error() || r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS;
                (Some(r.status().as_u16()), Some(format!("it answered {}", r.status())), again)
            }
            Err(e) if e.is_timeout() => (None, Some(format!("no answer within {} s", TIMEOUT.as_secs())), false),
            // Not reached (refused, reset): asked again; another failure is not.
            Err(e) => (None, Some(crate::text::truncate_chars(&e.to_string(), 300)), e.is_connect()),
        };
        match waits.next() {
            Some(wait) if again => tokio::time::sleep(*wait).await,
            _ if tries > 1 => return (status, error.map(|e| format!("{e} (asked {tries} times)"))),
            _ => return (status, error),
        }
    }
}
