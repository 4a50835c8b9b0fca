//! Phone numbers as people write them (`+91 98765-43210`, `0091 98765 43210`,
//! `+44 (0)20 7946 0958`), read into the digits-with-country-code form DeepCall stores.

/// A number as it was written, before any rule is applied.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    /// Every digit in order, an access code `00` and a bracketed trunk `0` included.
    digits: String,
    /// Written with a leading `+`.
    plus: bool,
    /// Where in `digits` the `0` of a bracketed trunk `(0)` stands.
    trunk: Option<usize>,
}

/// Reads the digits of `raw`, skipping the punctuation people type: spaces,
/// dashes, dots and parentheses. `None` for anything else (letters, a `+`
/// that does not lead, a second `(0)`).
fn read(raw: &str) -> Option<Written> {
    let raw = raw.trim();
    let (plus, mut rest) = match raw.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let mut written = Written { digits: String::with_capacity(raw.len()), plus, trunk: None };
    while let Some(c) = rest.chars().next() {
        let mut taken = c.len_utf8();
        match c {
            '0'..='9' => written.digits.push(c),
            ' ' | '-' | '.' | ')' => {}
            '(' => {
                if let Some(close) = rest.find(')')
                    && rest[1..close].trim() == "0"
                {
                    if written.trunk.replace(written.digits.len()).is_some() {
                        return None;
                    }
                    written.digits.push('0');
                    taken = close + 1;
                }
            }
            _ => return None,
        }
        rest = &rest[taken..];
    }
    Some(written)
}

/// The digits of a number-like input (a DID, a destination), punctuation
/// skipped as for phone numbers and no other rule applied.
pub fn digits_of(raw: &str) -> Option<String> {
    read(raw).map(|w| w.digits)
}

/// Longest country calling code (ITU E.164): where a trunk `(0)` may stand.
const MAX_COUNTRY_CODE: usize = 3;

/// A phone number as digits with the country code, the way DeepCall stores
/// it (`918442021533`), or `None` when it cannot be read as one.
///
/// - Written international — a leading `+`, or the access code `00` most
///   of the world dials for it — the digits after it are the whole number:
///   11–15 digits, not starting with `0`. A trunk `(0)` right after the
///   country code (1–3 digits) is dropped: `+44 (0)20 7946 0958` →
///   `442079460958`.
/// - Otherwise ten digits get `country_code`; a trunk `0` before ten digits
///   is replaced by it; 11–15 digits not starting with `0` are taken as
///   already international.
///
/// A `(0)` with no country code written before it (`(0)20 7946 0958`,
/// `+(0)44…`, `44 (0)20…`) is refused: it cannot be told which digits it
/// follows.
pub fn normalize_phone(raw: &str, country_code: &str) -> Option<String> {
    let Written { mut digits, plus, trunk } = read(raw)?;
    // How many digits the international prefix took: none for `+`, two for `00`.
    let prefix = if plus {
        Some(0)
    } else if digits.starts_with("00") {
        Some(2)
    } else {
        None
    };
    if let Some(at) = trunk {
        if !prefix.is_some_and(|p| (p + 1..=p + MAX_COUNTRY_CODE).contains(&at)) {
            return None;
        }
        digits.remove(at);
    }
    if let Some(p) = prefix {
        let number = &digits[p..];
        return ((11..=15).contains(&number.len()) && !number.starts_with('0')).then(|| number.to_string());
    }
    match digits.len() {
        10 if !digits.starts_with('0') => Some(format!("{country_code}{digits}")),
        11 if digits.starts_with('0') => Some(format!("{country_code}{}", &digits[1..])),
        11..=15 if !digits.starts_with('0') => Some(digits),
        _ => None,
    }
}

/// What `normalize_phone` reads, said for a refusal: the digits, their
/// count and where `country_code` comes in.
pub fn rule(country_code: &str) -> String {
    format!(
        "10 digits (country code {country_code} is added), a 0 and 10 digits, or 11 to 15 digits with the \
         country code (+ or 00 before it); spaces, -, . and () are skipped"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_write_them_are_read_with_their_country_code() {
        let table = [
            // National forms: the account's country code completes them.
            ("8442021533", "918442021533"),
            ("84420 21533", "918442021533"),
            ("08442021533", "918442021533"),
            ("098765-43210", "919876543210"),
            ("(0141) 222 3333", "911412223333"),
            ("0141-222.3333", "911412223333"),
            // Already international, with or without `+`.
            ("918442021533", "918442021533"),
            ("14155550123", "14155550123"),
            ("1 415 555 0123", "14155550123"),
            ("+91 84420-21533", "918442021533"),
            ("+1 (415) 555-0123", "14155550123"),
            ("(91) 8302.390884", "918302390884"),
            // `00` reads like `+`.
            ("0091 98765 43210", "919876543210"),
            ("0044 20 7946 0958", "442079460958"),
            ("00919876543210", "919876543210"),
            ("00 1 415 555 0123", "14155550123"),
            // A trunk `(0)` after the country code is dropped.
            ("+44 (0)20 7946 0958", "442079460958"),
            ("+91 (0) 98765 43210", "919876543210"),
            ("+44(0)2079460958", "442079460958"),
            ("+44 ( 0 ) 20 7946 0958", "442079460958"),
            ("0044 (0)20 7946 0958", "442079460958"),
            ("+353 (0)1 234 5678", "35312345678"),
            (" +918302390884 ", "918302390884"),
        ];
        for (raw, stored) in table {
            assert_eq!(normalize_phone(raw, "91").as_deref(), Some(stored), "{raw}");
        }
        assert_eq!(normalize_phone("07911 123456", "44").as_deref(), Some("447911123456"));
    }

    #[test]
    fn what_cannot_be_read_as_one_number_is_refused() {
        for bad in [
            "",
            "+",
            "12345",
            "0123456789",
            "1234567890123456",
            // Letters, and a `+` anywhere but in front.
            "84420215x3",
            "+91 98765 43210 ext 12",
            "98765 43210 ext 2",
            "++918442021533",
            "91+8442021533",
            "９８７６５４３２１０",
            // An international prefix needs the whole number after it.
            "00",
            "0091",
            "0098765432",
            "009876543210",
            "+8442021533",
            "+98765 43210",
            "+0 98765 43210",
            "000919876543210",
            "+1234567890123456",
            // `(0)` only stands after a written country code.
            "(0)20 7946 0958",
            "(0) 98765 43210",
            "+(0)44 20 7946 0958",
            "00 (0) 44 20 7946 0958",
            "44 (0)20 7946 0958",
            "+44 20 (0) 7946 0958",
            "+4420 (0)7946 0958",
            "+44 (0)(0)20 7946 0958",
        ] {
            assert_eq!(normalize_phone(bad, "91"), None, "{bad}");
        }
    }

    #[test]
    fn digits_keep_every_digit_written() {
        assert_eq!(digits_of("+91 (0) 98765").as_deref(), Some("91098765"));
        assert_eq!(digits_of("0044-20"), Some("004420".to_string()));
        assert_eq!(digits_of("12a"), None);
    }
}
