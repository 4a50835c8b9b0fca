//! Contacts of the Directory: the account's contact fields (standard ones
//! with rules, custom ones free text) and the values a contact holds.

use std::collections::BTreeMap;

use super::agent::valid_email;
use super::name::{is_person_name, nfc};

/// Most fields an account may arrange.
pub const MAX_FIELDS: usize = 50;
const MAX_FIELD_NAME: usize = 40;

/// The fields we know the meaning of, by the name the contact card shows.
/// Matching is case-insensitive; the card always shows this spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    Name,
    Email,
    Address,
    Company,
    Designation,
    Dob,
}

impl Standard {
    const ALL: [Standard; 6] =
        [Standard::Name, Standard::Email, Standard::Address, Standard::Company, Standard::Designation, Standard::Dob];

    pub fn label(self) -> &'static str {
        match self {
            Standard::Name => "Name",
            Standard::Email => "Email",
            Standard::Address => "Address",
            Standard::Company => "Company",
            Standard::Designation => "Designation",
            Standard::Dob => "DOB",
        }
    }

    fn of(name: &str) -> Option<Standard> {
        Standard::ALL.into_iter().find(|s| s.label().eq_ignore_ascii_case(name))
    }

    /// What a value of this field takes, said for a refusal.
    fn takes(self) -> &'static str {
        match self {
            Standard::Name => "letters of any script, spaces, . ' and -, at most 100 characters",
            Standard::Email => "an email address like name@example.com, at most 100 characters",
            Standard::Dob => "a date dd-mm-YYYY",
            Standard::Address => "text of at most 500 characters",
            Standard::Company | Standard::Designation => "text of at most 100 characters",
        }
    }

    fn max_len(self) -> usize {
        match self {
            Standard::Address => 500,
            _ => 100,
        }
    }

    /// The value in stored form, or `None` when it breaks the field's rule.
    fn check(self, value: &str) -> Option<String> {
        let ok = match self {
            // Letters of any script with their marks, spaces, dots (the
            // DeepCall rule), and the apostrophes and hyphens real names carry.
            Standard::Name => is_person_name(value),
            Standard::Email => return valid_email(value),
            Standard::Dob => valid_dob(value),
            Standard::Address | Standard::Company | Standard::Designation => true,
        };
        ok.then(|| value.to_string())
    }
}

/// `dd-mm-YYYY`, a real calendar date.
fn valid_dob(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [d, m, y] = parts[..] else { return false };
    if d.len() != 2 || m.len() != 2 || y.len() != 4 || !value.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return false;
    }
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) else { return false };
    jiff::civil::Date::new(y, m, d).is_ok()
}

const CUSTOM_MAX_LEN: usize = 1000;

/// One field of the account's contact card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// As the card shows it: the standard spelling, or the custom name as given.
    pub name: String,
    pub standard: Option<Standard>,
}

impl Field {
    /// Where the contact's value for this field is kept.
    pub fn key(&self) -> String {
        self.name.to_lowercase()
    }

    pub fn kind(&self) -> &'static str {
        if self.standard.is_some() { "standard" } else { "custom" }
    }

    /// What a value of this field takes, said for a refusal.
    pub fn takes(&self) -> &'static str {
        self.standard.map_or("text of at most 1000 characters", Standard::takes)
    }

    /// The value in stored form (trimmed, NFC), or `None` when it breaks the
    /// rule. Lengths count characters of the composed form.
    pub fn check(&self, value: &str) -> Option<String> {
        let value = nfc(value.trim());
        let value = value.as_str();
        let max = self.standard.map_or(CUSTOM_MAX_LEN, Standard::max_len);
        if value.is_empty() {
            return Some(String::new());
        }
        if value.chars().count() > max {
            return None;
        }
        match self.standard {
            Some(s) => s.check(value),
            None => Some(value.to_string()),
        }
    }
}

/// The account's fields in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields(Vec<Field>);

/// Why a field list was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadFields;

impl Fields {
    /// What an account starts with.
    pub fn standard() -> Fields {
        Fields(Standard::ALL.into_iter().map(|s| Field { name: s.label().to_string(), standard: Some(s) }).collect())
    }

    /// 1–50 distinct names (case-insensitive) of letters, digits, spaces,
    /// `_`, `-`, `.`; `mobile` is the card's own key and cannot be a field.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Fields, BadFields> {
        let mut fields: Vec<Field> = Vec::new();
        for raw in names {
            let name = raw.trim();
            let shaped = !name.is_empty()
                && name.chars().count() <= MAX_FIELD_NAME
                && name.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'));
            if !shaped || name.eq_ignore_ascii_case("mobile") {
                return Err(BadFields);
            }
            let field = match Standard::of(name) {
                Some(s) => Field { name: s.label().to_string(), standard: Some(s) },
                None => Field { name: name.to_string(), standard: None },
            };
            if fields.iter().any(|f| f.key() == field.key()) {
                return Err(BadFields);
            }
            fields.push(field);
        }
        if fields.is_empty() || fields.len() > MAX_FIELDS {
            return Err(BadFields);
        }
        Ok(Fields(fields))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Field> {
        self.0.iter()
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|f| f.name.clone()).collect()
    }

    /// The field a request names, in any case.
    pub fn find(&self, name: &str) -> Option<&Field> {
        let key = name.trim().to_lowercase();
        self.0.iter().find(|f| f.key() == key)
    }
}

/// A contact's values, by field key (lower-case name).
pub type Values = BTreeMap<String, String>;

/// What is wrong with one value of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    UnknownField,
    Invalid,
}

/// A refused change: the field's name as sent, what is wrong and (for an
/// invalid value) what the field takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadChange {
    pub name: String,
    pub bad: BadValue,
    pub takes: &'static str,
}

/// Applies `changes` (field name as sent → value; empty clears) to `values`.
pub fn apply(fields: &Fields, values: &mut Values, changes: &[(String, String)]) -> Result<(), BadChange> {
    for (name, value) in changes {
        let refused = |bad, takes| BadChange { name: name.clone(), bad, takes };
        let field = fields.find(name).ok_or_else(|| refused(BadValue::UnknownField, ""))?;
        let value = field.check(value).ok_or_else(|| refused(BadValue::Invalid, field.takes()))?;
        if value.is_empty() {
            values.remove(&field.key());
        } else {
            values.insert(field.key(), value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names_take_their_standard_spelling_and_the_rest_stay_custom() {
        let fields = Fields::parse(["name", "Address", "test", "city", "EMAIL", "efwf", "tarun"]).unwrap();
        assert_eq!(fields.names(), ["Name", "Address", "test", "city", "Email", "efwf", "tarun"]);
        assert_eq!(fields.find("CITY").unwrap().kind(), "custom");
        assert_eq!(fields.find("email").unwrap().standard, Some(Standard::Email));
    }

    #[test]
    fn bad_field_lists_are_refused() {
        for bad in
            [vec![], vec!["Name", "name"], vec!["mobile"], vec![""], vec!["a;b"], vec!["x".repeat(41).leak() as &str]]
        {
            assert_eq!(Fields::parse(bad.clone()), Err(BadFields), "{bad:?}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("f{i}")).collect();
        assert_eq!(Fields::parse(many.iter().map(String::as_str)), Err(BadFields));
    }

    #[test]
    fn values_follow_their_field_rules() {
        let fields = Fields::parse(["Name", "Email", "DOB", "notes"]).unwrap();
        let mut values = Values::new();
        let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(apply(&fields, &mut values, &set("name", " Asha K. D'Souza ")), Ok(()));
        assert_eq!(values["name"], "Asha K. D'Souza");
        assert_eq!(apply(&fields, &mut values, &set("Name", "R2D2")).map_err(|e| e.bad), Err(BadValue::Invalid));
        assert_eq!(
            apply(&fields, &mut values, &set("Email", "not-an-email")).map_err(|e| e.bad),
            Err(BadValue::Invalid)
        );
        assert_eq!(apply(&fields, &mut values, &set("dob", "31-02-1990")).map_err(|e| e.bad), Err(BadValue::Invalid));
        assert_eq!(apply(&fields, &mut values, &set("dob", "29-02-1992")), Ok(()));
        assert_eq!(apply(&fields, &mut values, &set("city", "Pune")).map_err(|e| e.bad), Err(BadValue::UnknownField));
        assert_eq!(apply(&fields, &mut values, &set("notes", "any text, 123 !")), Ok(()));
        assert_eq!(apply(&fields, &mut values, &set("NAME", "")), Ok(()));
        assert!(!values.contains_key("name"));
    }

    #[test]
    fn names_of_any_script_are_stored_composed_and_other_signs_are_refused() {
        let fields = Fields::standard();
        let mut values = Values::new();
        let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(apply(&fields, &mut values, &set("Name", "தமிழ் செல்வன்")), Ok(()));
        assert_eq!(values["name"], "தமிழ் செல்வன்");
        assert_eq!(apply(&fields, &mut values, &set("Name", " Rene\u{301}e ")), Ok(()));
        assert_eq!(values["name"], "Ren\u{e9}e");
        assert_eq!(apply(&fields, &mut values, &set("Company", "Cafe\u{301}")), Ok(()));
        assert_eq!(values["company"], "Caf\u{e9}");
        for bad in ["செல்வன் 2", "Asha_Rao", "Asha@Rao", "Ben 😀"] {
            assert_eq!(
                apply(&fields, &mut values, &set("Name", bad)).map_err(|e| e.bad),
                Err(BadValue::Invalid),
                "{bad}"
            );
        }
        // A hundred characters once composed.
        assert_eq!(apply(&fields, &mut values, &set("Name", &"e\u{301}".repeat(100))), Ok(()));
        assert_eq!(
            apply(&fields, &mut values, &set("Name", &"e".repeat(101))).map_err(|e| e.bad),
            Err(BadValue::Invalid)
        );
    }
}
