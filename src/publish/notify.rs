//! After a publish that changed a feed: the services that fetch it are told,
//! so that apps see a new episode within seconds rather than at their next
//! poll (hours, for most). The WebSub hub the feeds name (`websub_hub` in
//! `[podcast]`, written as `<atom:link rel="hub">`) is sent
//! `hub.mode=publish` with the feed's URL, as WebSub publishers do; each
//! service of `[publish] notify` is asked `GET SERVICE?url=FEED` (Podcast
//! Index's `pubnotify`, which needs no API key and sends a Podping on to the
//! apps listening for one). Each feed the publish uploaded is told once to
//! each; a service that fails is a warning: the site is published either way.

use crate::url::HttpUrl;

/// How long one service is waited for.
#[cfg(feature = "publish")]
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// One service told of one feed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notified {
    /// The service: the hub's or the notify service's URL.
    pub service: String,
    /// How it was told: `websub` (a POST) or `ping` (a GET with `?url=`).
    pub how: &'static str,
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

/// Who is told of which feed: (service, how, feed URL), hub first.
pub fn planned(hub: Option<&HttpUrl>, services: &[HttpUrl], feeds: &[String]) -> Vec<(HttpUrl, &'static str, String)> {
    let mut out = Vec::new();
    for feed in feeds {
        if let Some(hub) = hub {
            out.push((hub.clone(), "websub", feed.clone()));
        }
        for s in services {
            out.push((s.clone(), "ping", feed.clone()));
        }
    }
    out
}

/// The services of `plan`, not told (yet): no status, no error.
pub fn not_yet(plan: Vec<(HttpUrl, &'static str, String)>) -> Vec<Notified> {
    plan.into_iter()
        .map(|(s, how, feed)| Notified { service: s.to_string(), how, feed, status: None, error: None })
        .collect()
}

/// Tells every service of every feed (a few at once).
#[cfg(feature = "publish")]
pub async fn notify(plan: Vec<(HttpUrl, &'static str, String)>) -> Vec<Notified> {
    if plan.is_empty() {
        return Vec::new();
    }
    let client =
        reqwest::Client::builder().timeout(TIMEOUT).user_agent(concat!("podsmith/", env!("CARGO_PKG_VERSION"))).build();
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            let why = format!("no HTTP client: {e}");
            return plan
                .into_iter()
                .map(|(s, how, feed)| Notified {
                    service: s.to_string(),
                    how,
                    feed,
                    status: None,
                    error: Some(why.clone()),
                })
                .collect();
        }
    };
    use futures::StreamExt;
    futures::stream::iter(plan)
        .map(|(service, how, feed)| {
            let client = &client;
            async move {
                let request = match how {
                    "websub" => client.post(service.as_str()).form(&[("hub.mode", "publish"), ("hub.url", &feed)]),
                    _ => client.get(service.as_str()).query(&[("url", &feed)]),
                };
                let (status, error) = match request.send().await {
                    Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
                    Ok(r) => (Some(r.status().as_u16()), Some(format!("it answered {}", r.status()))),
                    Err(e) if e.is_timeout() => (None, Some(format!("no answer within {} s", TIMEOUT.as_secs()))),
                    Err(e) => (None, Some(crate::text::truncate_chars(&e.to_string(), 300))),
                };
                Notified { service: service.to_string(), how, feed, status, error }
            }
        })
        .buffered(4)
        .collect()
        .await
}
