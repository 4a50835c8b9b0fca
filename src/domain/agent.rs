//! Rules for an agent's directory fields, free of I/O: names, phone numbers,
//! destinations, call passwords, DIDs and group-mapping flags.

use super::ids::AgentId;
use super::name::nfc;

/// Longest name, email or address we keep, in characters.
pub const MAX_TEXT: usize = 255;

/// A display name (of an agent, group, role, break or account): trimmed,
/// in NFC, 1 to 100 characters of the composed form, no control characters.
/// Any script is welcome.
pub fn valid_name(raw: &str) -> Option<String> {
    let name = nfc(raw.trim());
    let len = name.chars().count();
    ((1..=100).contains(&len) && !name.chars().any(char::is_control)).then_some(name)
}

/// A login email: trimmed, one `@`, a dotted domain, no spaces. Returned
/// lower-cased, which is also how uniqueness is checked.
pub fn valid_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= MAX_TEXT
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(email)
}

// Phones are read by the rule every number of the product follows; the
// agent API finds it here with the rest of an agent's fields.
use super::phone::digits_of;
pub use super::phone::normalize_phone;

/// What a name takes (`valid_name`), said for a refusal.
pub const NAME_RULE: &str = "1 to 100 characters, no control characters";
/// What an email takes (`valid_email`), said for a refusal.
pub const EMAIL_RULE: &str =
    "an address like name@example.com: one @, a dotted domain, no spaces, at most 255 characters";
/// What a DID takes (`valid_did`), said for a refusal.
pub const DID_RULE: &str = "6 to 15 digits";

/// A DID the agent may present: 6–15 digits.
pub fn valid_did(raw: &str) -> Option<String> {
    let digits = digits_of(raw)?;
    (6..=15).contains(&digits.len()).then_some(digits)
}

/// A call password: exactly eight digits (error 1519 says so).
pub fn valid_call_password(raw: &str) -> bool {
    raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// Where the agent's calls are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestType {
    Mobile,
    Landline,
    Sip,
}

impl DestType {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "MOBILE" => Some(Self::Mobile),
            "LANDLINE" => Some(Self::Landline),
            "SIP" => Some(Self::Sip),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "MOBILE",
            Self::Landline => "LANDLINE",
            Self::Sip => "SIP",
        }
    }

    /// What `destination` takes for this type, said for a refusal.
    pub fn takes(self) -> &'static str {
        match self {
            Self::Mobile | Self::Landline => "6 to 15 digits",
            Self::Sip => "a SIP user or URI: 1 to 128 letters, digits and . _ @ : + -",
        }
    }

    /// The destination in stored form: a number's digits (without country
    /// code, as in seed 002), or a SIP user/URI.
    pub fn destination(self, raw: &str) -> Option<String> {
        match self {
            Self::Mobile | Self::Landline => {
                let digits = digits_of(raw)?;
                (6..=15).contains(&digits.len()).then_some(digits)
            }
            Self::Sip => {
                let v = raw.trim();
                let ok = (1..=128).contains(&v.len())
                    && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@:+-".contains(&b));
                ok.then(|| v.to_string())
            }
        }
    }
}

/// Whether an agent takes calls for a group: DeepCall's `"Y"` / `"N"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiveCall {
    Yes,
    No,
}

impl ReceiveCall {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "Y" => Some(Self::Yes),
            "N" => Some(Self::No),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "Y",
            Self::No => "N",
        }
    }
}

/// The ancestor path DeepCall keeps in `parent`: `",START,"` for a top-level
/// agent, `",START,4,"` for an agent under agent 4.
pub const ROOT_PATH: &str = ",START,";

/// The path of an agent placed under `parent_id`, whose own path is `parent_path`.
pub fn child_path(parent_path: &str, parent_id: AgentId) -> String {
    format!("{parent_path}{parent_id},")
}

/// True when `path` passes through `agent_id`, i.e. making the owner of
/// `path` a parent of `agent_id` would create a cycle.
pub fn path_contains(path: &str, agent_id: AgentId) -> bool {
    path.contains(&format!(",{agent_id},"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_passwords_are_exactly_eight_digits() {
        assert!(valid_call_password("52597981"));
        assert!(!valid_call_password("7672883"));
        assert!(!valid_call_password("5259798a"));
        assert!(!valid_call_password("525979811"));
    }

    #[test]
    fn names_and_emails_are_trimmed_and_checked() {
        assert_eq!(valid_name("  Bhawna ").as_deref(), Some("Bhawna"));
        assert_eq!(valid_name("   "), None);
        assert_eq!(valid_name("a\u{7}b"), None);
        assert_eq!(valid_name(" Rene\u{301}e ").as_deref(), Some("Ren\u{e9}e"));
        assert_eq!(valid_name("अनन्या शर्मा").as_deref(), Some("अनन्या शर्मा"));
        // A hundred characters once composed, though more were sent.
        assert_eq!(valid_name(&"e\u{301}".repeat(100)), Some("\u{e9}".repeat(100)));
        assert_eq!(valid_email(" Vijay.K@Sarv.com ").as_deref(), Some("vijay.k@sarv.com"));
        for bad in ["nobody", "a@b", "a b@c.com", "@c.com", "a@.com", "a@b.c@d.com"] {
            assert_eq!(valid_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn destinations_depend_on_their_type() {
        assert_eq!(DestType::Mobile.destination("84420 21533").as_deref(), Some("8442021533"));
        assert_eq!(DestType::Mobile.destination("sip:1001"), None);
        assert_eq!(DestType::Sip.destination("agent1001@pbx.local").as_deref(), Some("agent1001@pbx.local"));
        assert_eq!(DestType::Sip.destination("a b"), None);
        assert_eq!(DestType::parse("mobile"), Some(DestType::Mobile));
        assert_eq!(DestType::parse("FAX"), None);
    }

    #[test]
    fn parent_paths_detect_cycles() {
        let under_4 = child_path(ROOT_PATH, AgentId(4));
        assert_eq!(under_4, ",START,4,");
        assert!(path_contains(&child_path(&under_4, AgentId(5)), AgentId(4)));
        assert!(!path_contains(&under_4, AgentId(44)));
    }
}
