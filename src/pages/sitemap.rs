//! `sitemap.xml`: the site's pages for search engines
//! (<https://www.sitemaps.org/protocol.html>): the index, dated by the
//! newest episode, every live episode's page, dated by its episode, and
//! the archive's pages of a big show, each dated by its newest episode.
//! Written by the XML writer, in catalog order, so the same show gives the
//! same bytes.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::catalog::Catalog;

/// The sitemaps protocol's namespace.
const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The most URLs one sitemap may list (the protocol's limit).
pub const MAX_URLS: usize = 50_000;
/// The comment that says who made it.
const MARK: &str = " made by podsmith ";

/// What a sitemap of this show's holds near its start: podsmith's mark and
/// the index page's URL (a build whose record is lost tells its own
/// sitemap by them).
pub fn marks(catalog: &Catalog) -> Vec<String> {
    let index = quick_xml::escape::escape(catalog.podcast.base_url.as_str());
    vec![format!("<!--{MARK}-->"), format!("<loc>{index}</loc>")]
}

/// The show's sitemap: the index page first, then each episode's page, at
/// most [`MAX_URLS`] (the newest, where a show has more), then the pages
/// of the archive's years.
pub fn sitemap(catalog: &Catalog) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(256 + 160 * catalog.episodes.len()), b' ', 2);
    let written: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        // Tells it as podsmith's, with the index's <loc> (see [`marks`]).
        w.write_event(Event::Comment(BytesText::from_escaped(MARK)))?;
        w.create_element("urlset").with_attribute(("xmlns", NAMESPACE)).write_inner_content(|w| {
            let index = catalog.podcast.base_url.as_str();
            url(w, index, catalog.last_date().map(|d| d.to_rfc3339()).as_deref())?;
            let mut newest: Vec<_> = catalog.episodes.iter().collect();
            newest.sort_by_key(|e| std::cmp::Reverse(e.episode.date));
            let years = super::archive_years(catalog);
            for e in newest.into_iter().take((MAX_URLS - 1).saturating_sub(years.len())) {
                url(w, &e.page_url, Some(&e.episode.date.to_rfc3339()))?;
            }
            for y in &years {
                let newest = y.episodes.iter().map(|&n| catalog.episodes[n].episode.date).max();
                url(w, &catalog.podcast.url_of(&y.folder()), newest.map(|d| d.to_rfc3339()).as_deref())?;
            }
            Ok(())
        })?;
        Ok(())
    })();
    // Writing to memory does not fail.
    debug_assert!(written.is_ok());
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    bytes
}

/// One `<url>`: where, and when it last changed.
fn url(w: &mut Writer<Vec<u8>>, loc: &str, lastmod: Option<&str>) -> std::io::Result<()> {
    w.create_element("url").write_inner_content(|w| {
        w.create_element("loc").write_text_content(BytesText::new(loc))?;
        if let Some(lastmod) = lastmod {
            w.create_element("lastmod").write_text_content(BytesText::new(lastmod))?;
        }
        Ok(())
    })?;
    Ok(())
}
