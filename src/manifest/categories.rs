//! Apple Podcasts' category list (the July 2019 hierarchy), and the legacy
//! names that feeds still carry, so a typo gets a "did you mean".
//!
//! Source: `shared/directory-rules.md` §1d (w3c/feedvalidator, witandwire,
//! rssblue/badpod), with the decisions recorded there: "Religion" under
//! Religion & Spirituality and "Sexuality" under Health & Fitness are in;
//! "Self-Improvement" and "How To" are spelled that way.

/// Every Apple category with its subcategories.
pub const APPLE_CATEGORIES: &[(&str, &[&str])] = &[
    ("Arts", &["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"]),
    ("Business", &["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"]),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    ("Education", &["Courses", "How To", "Language Learning", "Self-Improvement"]),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    ("Health & Fitness", &["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"]),
    ("Kids & Family", &["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"]),
    (
        "Leisure",
        &["Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games"],
    ),
    ("Music", &["Music Commentary", "Music History", "Music Interviews"]),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &["Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    ("Society & Culture", &["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"]),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    ("TV & Film", &["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"]),
];

/// Pre-2019 names and where Apple moved them.
const LEGACY: &[(&str, &str)] = &[
    ("Games & Hobbies", "Leisure"),
    ("Games & Hobbies > Video Games", "Leisure > Video Games"),
    ("Games & Hobbies > Hobbies", "Leisure > Hobbies"),
    ("Games & Hobbies > Automotive", "Leisure > Automotive"),
    ("Games & Hobbies > Aviation", "Leisure > Aviation"),
    ("Games & Hobbies > Other Games", "Leisure > Games"),
    ("Science & Medicine", "Science"),
    ("Science & Medicine > Medicine", "Health & Fitness > Medicine"),
    ("Science & Medicine > Natural Sciences", "Science > Natural Sciences"),
    ("Science & Medicine > Social Sciences", "Science > Social Sciences"),
    ("News & Politics", "News"),
    ("Technology > Podcasting", "Technology"),
    ("Technology > Tech News", "News > Tech News"),
    ("Technology > Gadgets", "Technology"),
    ("Technology > Computers", "Technology"),
    ("Technology > Software How-To", "Technology"),
    ("Arts > Literature", "Arts > Books"),
    ("Education > Educational Technology", "Education"),
    ("Education > Higher Education", "Education > Courses"),
    ("Education > K-12", "Education"),
    ("Education > Training", "Education > How To"),
    ("Health", "Health & Fitness"),
    ("Health > Fitness & Nutrition", "Health & Fitness > Fitness"),
    ("Health > Alternative Health", "Health & Fitness > Alternative Health"),
    ("Health > Self-Help", "Education > Self-Improvement"),
    ("Health > Sexuality", "Health & Fitness > Sexuality"),
    ("Government & Organizations", "Government"),
    ("Society & Culture > History", "History"),
    ("Society & Culture > Personal Journals", "Society & Culture > Personal Journals"),
    ("TV & Film", "TV & Film"),
    ("Sports & Recreation", "Sports"),
    ("Kids & Family", "Kids & Family"),
    ("Religion & Spirituality > Other", "Religion & Spirituality > Religion"),
];

/// Looks up `"Parent"` or `"Parent > Sub"`.
///
/// `Ok((parent, sub))` when Apple lists it; otherwise `Err` with the name to
/// suggest, if one is close enough (a legacy name, a case slip, a typo).
pub fn lookup(text: &str) -> Result<(&'static str, Option<&'static str>), Option<String>> {
    let (parent, sub) = match text.split_once('>') {
        Some((p, s)) => (p.trim(), Some(s.trim())),
        None => (text.trim(), None),
    };
    if let Some((p, subs)) = APPLE_CATEGORIES.iter().find(|(p, _)| *p == parent) {
        match sub {
            None => return Ok((p, None)),
            Some(s) => {
                if let Some(found) = subs.iter().find(|x| **x == s) {
                    return Ok((p, Some(found)));
                }
            }
        }
    }
    Err(suggest(parent, sub))
}

/// Whether a feed names Apple's category `parent` (and subcategory `sub`,
/// the text of an `itunes:category` nested in it) exactly as Apple lists
/// them: no spaces around, no `>` (the manifest's `"Arts > Books"`, which
/// [`lookup`] reads, is nesting written out; in a feed nesting is by
/// elements, and Apple reads a text as one name).
pub fn listed_exactly(parent: &str, sub: Option<&str>) -> bool {
    APPLE_CATEGORIES.iter().any(|(p, subs)| *p == parent && sub.is_none_or(|s| subs.contains(&s)))
}

/// The name Apple gives today to `full`, a category it retired in 2019,
/// written as Apple wrote it (a name in another case is a slip, not a
/// retired one): where Apple moved it (`"Games & Hobbies"` → `"Leisure"`).
pub fn retired(full: &str) -> Option<&'static str> {
    LEGACY.iter().find(|(old, new)| *old == full && old != new).map(|(_, new)| *new)
}

fn suggest(parent: &str, sub: Option<&str>) -> Option<String> {
    let full = match sub {
        Some(s) => format!("{parent} > {s}"),
        None => parent.to_string(),
    };
    if let Some((_, new)) = LEGACY.iter().find(|(old, _)| old.eq_ignore_ascii_case(&full)) {
        return Some((*new).to_string());
    }
    let all = all_names();
    let lower = full.to_lowercase();
    // A name (or its last part, the subcategory) that is the text given,
    // then one that starts with it ("Tech" is Technology, not News, three
    // letters away), the shortest first (a category before its
    // subcategories); then the nearest typo.
    let last = |name: &str| name.rsplit(" > ").next().unwrap_or(name).to_lowercase();
    let shortest = |keep: &dyn Fn(&str) -> bool| all.iter().filter(|n| keep(n)).min_by_key(|n| n.len());
    // A subcategory Apple lists under another parent ("Technology >
    // Investing") is that one ("Business > Investing").
    let moved = || {
        let sub = sub?.to_lowercase();
        all.iter().find(|n| n.contains(" > ") && last(n) == sub)
    };
    shortest(&|n| n.to_lowercase() == lower || last(n) == lower)
        .or_else(moved)
        .or_else(|| {
            (lower.chars().count() >= 3)
                .then(|| shortest(&|n| n.to_lowercase().starts_with(&lower) || last(n).starts_with(&lower)))
                .flatten()
        })
        .or_else(|| {
            all.iter()
                .filter_map(|name| Some((crate::text::edit_distance_within(&name.to_lowercase(), &lower, 3)?, name)))
                .min_by_key(|(d, _)| *d)
                .map(|(_, name)| name)
        })
        // A subcategory Apple does not have, in a category it does: that category.
        .or_else(|| all.iter().find(|n| sub.is_some() && n.to_lowercase() == parent.to_lowercase()))
        .cloned()
}

fn all_names() -> Vec<String> {
    let mut names = Vec::new();
    for (p, subs) in APPLE_CATEGORIES {
        names.push((*p).to_string());
        names.extend(subs.iter().map(|s| format!("{p} > {s}")));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_parent_and_subcategory() {
        assert_eq!(lookup("Technology"), Ok(("Technology", None)));
        assert_eq!(lookup("Society & Culture > Documentary"), Ok(("Society & Culture", Some("Documentary"))));
        assert_eq!(lookup("Religion & Spirituality > Religion"), Ok(("Religion & Spirituality", Some("Religion"))));
    }

    #[test]
    fn counts_nineteen_categories_and_ninety_one_subcategories() {
        assert_eq!(APPLE_CATEGORIES.len(), 19);
        assert_eq!(APPLE_CATEGORIES.iter().map(|(_, s)| s.len()).sum::<usize>(), 91);
    }

    #[test]
    fn suggests_the_right_spelling() {
        assert_eq!(lookup("Kids & family"), Err(Some("Kids & Family".into())));
        assert_eq!(lookup("Technology > Podcasting"), Err(Some("Technology".into())));
        assert_eq!(lookup("Games & Hobbies"), Err(Some("Leisure".into())));
        assert_eq!(lookup("Tecnology"), Err(Some("Technology".into())));
        assert_eq!(lookup("Underwater Basket Weaving"), Err(None));
        // What it starts with before what is a few letters away ("Tech" is 3 from "News").
        assert_eq!(lookup("Tech"), Err(Some("Technology".into())));
        assert_eq!(lookup("tech"), Err(Some("Technology".into())));
        assert_eq!(lookup("Edu"), Err(Some("Education".into())));
        // A subcategory given alone.
        assert_eq!(lookup("Documentary"), Err(Some("Society & Culture > Documentary".into())));
        assert_eq!(lookup("Invest"), Err(Some("Business > Investing".into())));
        // A subcategory under another parent: its own.
        assert_eq!(lookup("Technology > Investing"), Err(Some("Business > Investing".into())));
        assert_eq!(lookup("Arts > comedy interviews"), Err(Some("Comedy > Comedy Interviews".into())));
        assert_eq!(lookup("Technology > Podcastng"), Err(Some("Technology".into())));
    }

    #[test]
    fn a_feed_name_is_listed_only_as_apple_spells_it() {
        assert!(listed_exactly("Technology", None));
        assert!(listed_exactly("Arts", Some("Books")));
        assert!(!listed_exactly("Arts > Books", None));
        assert!(!listed_exactly("Technology ", None));
        assert!(!listed_exactly("Arts", Some(" Books")));
        assert!(!listed_exactly("Arts", Some("Drama")));
        // The manifest's own syntax still reads.
        assert_eq!(lookup("Arts > Books"), Ok(("Arts", Some("Books"))));
    }
}
