//! Names as people write them in any script: one composed form (NFC) for
//! storing and comparing, and what a person's name may be made of.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// `raw` in Unicode Normalization Form C. Keyboards and platforms send the
/// same name composed (`é`, U+00E9) or decomposed (`e` + U+0301); stored
/// and compared in one form, both spellings are one name.
pub fn nfc(raw: &str) -> String {
    raw.nfc().collect()
}

/// The key two names are compared by (uniqueness, lookups): the same name
/// in any case is one name.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Zero-width non-joiner and joiner: inside a word they choose how letters
/// join (Persian names, Malayalam chillus) and belong to the spelling.
const JOINERS: [char; 2] = ['\u{200C}', '\u{200D}'];

/// Whether `name` (already NFC) is made only of letters of any script with
/// their combining marks (Unicode general categories L and M), spaces, `.`,
/// `'` and `-`, and a joiner right after a letter or mark. Digits, symbols
/// and other punctuation make it something else than a name.
pub fn is_person_name(name: &str) -> bool {
    let mut after_letter = false;
    name.chars().all(|c| {
        let letter = matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark);
        let ok = letter || matches!(c, ' ' | '.' | '\'' | '-') || (after_letter && JOINERS.contains(&c));
        after_letter = letter;
        ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_every_script_are_names() {
        for name in [
            "Asha K. D'Souza",
            "Jean-Luc",
            "தமிழ் செல்வன்",
            "देवनागरी नाम",
            "محمد عبد الله",
            "זאב",
            "김민준",
            "山田 太郎",
            "Ñuñez",
            "ĀNANYA",
            "Nguyễn Văn Anh",
            "ไพโรจน์",
            "زهرا\u{200C}سادات",
            "e\u{0301}",
        ] {
            assert!(is_person_name(&nfc(name)), "{name}");
        }
    }

    #[test]
    fn digits_symbols_and_stray_joiners_are_not() {
        for name in [
            "R2D2",
            "Asha_Rao",
            "Asha@Rao",
            "A+B",
            "५ नाम",
            "٣ محمد",
            "Ben 😀",
            "\u{200C}Asha",
            "Asha \u{200D}Rao",
            "a\tb",
        ] {
            assert!(!is_person_name(&nfc(name)), "{name:?}");
        }
    }

    #[test]
    fn decomposed_spellings_compose() {
        assert_eq!(nfc("Rene\u{0301}e"), "Ren\u{e9}e");
        // Tamil ொ and Devanagari ऩ, typed as their two parts.
        assert_eq!(nfc("\u{0B95}\u{0BC6}\u{0BBE}"), "\u{0B95}\u{0BCA}");
        assert_eq!(nfc("\u{0928}\u{093C}"), "\u{0929}");
        assert_eq!(nfc("தமிழ் செல்வன்"), "தமிழ் செல்வன்");
    }
}
