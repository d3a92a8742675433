//! `[podcast.words]`: the pages' own words as the show gives them, each
//! checked (a name the pages have, one line, the blanks its phrase takes);
//! for a language the pages have no words in, all of them or none.

use toml::Spanned;
use toml::de::DeValue;

use super::reader::{Context, Fields};
use crate::words::{GIVEN, GivenWords, LATER, Words, blanks};

/// The longest word or phrase a show may give.
const LONGEST: usize = 200;

/// The `[podcast.words]` table, if there is one; `language` is the show's
/// (if it could be read).
pub(super) fn given(t: &mut Fields<'_, '_>, cx: &mut Context<'_>, language: Option<&str>) -> Option<GivenWords> {
    let mut f = t.table(cx, "words")?;
    f.what = "[podcast.words]".into();
    let english = Words::for_language("en");
    let mut given = GivenWords::default();
    let mut fine = true;
    for &(name, takes) in GIVEN {
        let Some(word) = f.string(cx, name) else { continue };
        let example = format!("e.g. {name} = \"{}\" in the show's language", english.word(name).unwrap_or_default());
        let said = word_problem(name, takes, word.get_ref());
        match said {
            Some(message) => {
                cx.error(&word.span(), message, Some(example));
                fine = false;
            }
            None => {
                given.words.insert(name.to_string(), word.into_inner());
            }
        }
    }
    match months(&mut f, cx) {
        Ok(months) => given.months = months,
        Err(()) => fine = false,
    }
    given.decimal_comma = f.boolean(cx, "decimal_comma");
    let some = !given.words.is_empty() || given.months.is_some();
    if let Some(language) = language.filter(|l| fine && some && !Words::built_in(l) && !given.is_whole()) {
        let mut missing: Vec<&str> = GIVEN
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !given.words.contains_key(*name) && !LATER.contains(name))
            .collect();
        if given.months.is_none() {
            missing.push("months");
        }
        cx.error(
            &f.span,
            format!(
                "the pages have no words of their own in \"{language}\": [podcast.words] gives some of them but not {}",
                missing.join(", ")
            ),
            Some(
                "give them all (the README's \"Templates\" lists them), or none: the pages then keep their English \
                 words, marked as English"
                    .into(),
            ),
        );
    }
    f.finish(cx);
    Some(given)
}

/// What is wrong with word `name` given as `word` (`takes`: its blanks).
fn word_problem(name: &str, takes: &[&str], word: &str) -> Option<String> {
    let has = blanks(word);
    // The number's place, where a language puts it inside the word ("第{n}話").
    let numbered = crate::words::NUMBERED.contains(&name) && has == ["n"];
    match numbered || sorted(&has) == sorted(takes) {
        _ if word.trim().is_empty() || word.contains(['\n', '\r']) || word.chars().count() > LONGEST => {
            Some(format!("`{name}` in [podcast.words] must be one line of 1 to {LONGEST} characters"))
        }
        false if takes.is_empty() && crate::words::NUMBERED.contains(&name) => Some(format!(
            "`{name}` in [podcast.words] is a word, with at most the blank {{n}} (where the number goes); it has {}",
            braced(&has)
        )),
        false if takes.is_empty() => {
            Some(format!("`{name}` in [podcast.words] is a word, without blanks; it has {}", braced(&has)))
        }
        false => Some(format!(
            "`{name}` in [podcast.words] takes the blanks {}, once each; it has {}",
            braced(takes),
            if has.is_empty() { "none".to_string() } else { braced(&has) }
        )),
        true => None,
    }
}

/// `months`, if given: twelve names; `Err` once said what is wrong.
fn months(f: &mut Fields<'_, '_>, cx: &mut Context<'_>) -> Result<Option<Vec<String>>, ()> {
    let Some(months) = f.array(cx, "months", "[\"January\", \"February\", …] (twelve)") else { return Ok(None) };
    let bad = months.iter().position(|m| one_line(m.get_ref()).is_none());
    let (span, message) = match (bad, months.len()) {
        (None, 12) => return Ok(Some(months.iter().filter_map(|m| one_line(m.get_ref())).map(String::from).collect())),
        (Some(n), _) => (
            months[n].span(),
            format!("month {} in [podcast.words] is not a name of one line (1 to 40 characters)", n + 1),
        ),
        (None, len) => (
            months.first().map_or(f.span.clone(), Spanned::span),
            format!("`months` in [podcast.words] must be twelve names, January first; it has {len}"),
        ),
    };
    let help = "each a string of one line, as a date names the month: months = [\"janvier\", \"février\", …]";
    cx.error(&span, message, Some(help.into()));
    Err(())
}

/// A month's name: a string of one line, 1 to 40 characters.
fn one_line<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    match v {
        DeValue::String(s) if !s.trim().is_empty() && !s.contains(['\n', '\r']) && s.chars().count() <= 40 => {
            Some(s.as_ref())
        }
        _ => None,
    }
}

fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names
}

/// `{format}, {duration}`.
fn braced(names: &[&str]) -> String {
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}
