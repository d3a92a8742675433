//! The XML namespaces podcast feeds use, exactly as the directories expect
//! them (case and all), and the Podcasting 2.0 rule for `podcast:guid`: one
//! definition for the feed writer ([`crate::feed`]) and the validator
//! ([`crate::validate`]).
//!
//! ```
//! // The example of the Podcasting 2.0 namespace's own documentation.
//! assert_eq!(
//!     podsmith::xmlns::podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml"),
//!     "917393e3-1b1e-5cef-ace4-edaa54e1f810"
//! );
//! ```

/// Apple's iTunes namespace (case-sensitive).
pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
/// Podcasting 2.0.
pub const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
/// The older URI readers must accept for Podcasting 2.0.
pub const PODCAST_ALT: &str = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md";
/// Podcasting 2.0's URI written with http: not the namespace's, but Podcast
/// Index's own parser reads it as the namespace.
pub const PODCAST_HTTP: &str = "http://podcastindex.org/namespace/1.0";
/// Apple's namespace written with https: not Apple's (whose guide says the
/// namespace is case-sensitive), but plainly meant as it.
pub const ITUNES_HTTPS: &str = "https://www.itunes.com/dtds/podcast-1.0.dtd";
/// RSS content module (`content:encoded`).
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
/// Atom (`atom:link rel="self"`).
pub const ATOM: &str = "http://www.w3.org/2005/Atom";
/// Spotify.
pub const SPOTIFY: &str = "http://www.spotify.com/ns/rss";
/// Media RSS.
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
/// Podlove Simple Chapters (`psc:chapters`), which Spotify, Podcast Addict
/// and AntennaPod read.
pub const PSC: &str = "http://podlove.org/simple-chapters";

/// The namespace UUID Podcasting 2.0 derives `podcast:guid` with.
pub const PODCAST_GUID_NAMESPACE: uuid::Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");

/// The `podcast:guid` of a feed URL: the UUIDv5 of the URL without its
/// scheme and trailing slashes, as the Podcasting 2.0 namespace specifies.
pub fn podcast_guid(feed_url: &str) -> String {
    let seed = feed_url.split_once("://").map_or(feed_url, |(_, rest)| rest).trim_end_matches('/');
    uuid::Uuid::new_v5(&PODCAST_GUID_NAMESPACE, seed.as_bytes()).to_string()
}
