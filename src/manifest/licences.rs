//! The licences `podcast:license` names by a slug: the SPDX licence list
//! (from the `spdx` crate's table) and the two Podcast Index adds to it
//! (`ARR`, all rights reserved; `POD-V4V-1.0`), compared without regard to
//! case (the spec's text says lower case, its examples and list upper), so
//! that a typo gets a "did you mean".

/// The slugs Podcast Index lists that SPDX does not
/// (podcast-namespace `docs/examples/license/licenses.json`).
const PODCAST_INDEX: &[&str] = &["ARR", "POD-V4V-1.0"];

/// The licence `name` names, spelled as its list spells it (`"CC-BY-4.0"`
/// for `"cc-by-4.0"`); else the nearest slug there is, if one is near.
pub fn lookup(name: &str) -> Result<&'static str, Option<&'static str>> {
    let known = known();
    let lower = name.to_ascii_lowercase();
    if let Some(&slug) = known.get(&lower) {
        return Ok(slug);
    }
    let candidates: Vec<&str> = known.keys().map(String::as_str).collect();
    Err(crate::text::did_you_mean(&lower, &candidates).and_then(|n| known.get(n).copied()))
}

/// Every slug, by its lower case.
fn known() -> &'static std::collections::BTreeMap<String, &'static str> {
    static KNOWN: std::sync::OnceLock<std::collections::BTreeMap<String, &'static str>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let slugs = PODCAST_INDEX.iter().copied().chain(spdx::identifiers::LICENSES.iter().map(|l| l.name));
        slugs.map(|slug| (slug.to_ascii_lowercase(), slug)).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_found_in_any_case_and_typos_get_the_nearest() {
        assert_eq!(lookup("CC-BY-4.0"), Ok("CC-BY-4.0"));
        assert_eq!(lookup("cc-by-sa-4.0"), Ok("CC-BY-SA-4.0"));
        assert_eq!(lookup("MIT"), Ok("MIT"));
        assert_eq!(lookup("arr"), Ok("ARR"));
        assert_eq!(lookup("POD-V4V-1.0"), Ok("POD-V4V-1.0"));
        assert_eq!(lookup("CC-BY-40"), Err(Some("CC-BY-4.0")));
        assert_eq!(lookup("cc-by-nc-nd-4"), Err(Some("CC-BY-NC-ND-4.0")));
        assert_eq!(lookup("My very own licence"), Err(None));
    }
}
