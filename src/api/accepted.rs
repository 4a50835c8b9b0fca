//! Which keys each endpoint's body may hold, read off its OpenAPI request
//! schema (the endpoint table's), so the document and the refusals cannot drift.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::{Ref, RefOr};

use super::routes::{ENDPOINTS, Endpoint};
use crate::wire::Detail;

/// The keys a request object takes; a key holding a list of objects
/// (`events`) knows the keys of its items too. Other values (`group`,
/// `contactinfo`, `filter` items) are read by their handlers, which say
/// what they refuse.
#[derive(Debug, Default)]
pub struct Keys {
    names: Vec<String>,
    items: BTreeMap<String, Keys>,
}

/// Keys every request may carry, whatever its schema says: the credentials
/// the auth layer reads, so a wrong credential for an endpoint is answered
/// as such (`setWebPingTime` with a token is 1503, not an unknown key).
const CREDENTIALS: &[&str] = &["ssid", "userId", "token"];

/// Every endpoint's keys, in `ENDPOINTS` order.
static ACCEPTED: LazyLock<Vec<Keys>> = LazyLock::new(|| ENDPOINTS.iter().map(Keys::of).collect());

/// The first key of `body` that `endpoint`'s schema does not name, with a
/// pointer to it and what to send instead; `None` when every key is known.
pub fn unknown_key(endpoint: &Endpoint, body: &Map<String, Value>) -> Option<Detail> {
    let index = ENDPOINTS.iter().position(|e| std::ptr::eq(e, endpoint))?;
    ACCEPTED[index].first_unknown(body, &mut Vec::new())
}

impl Keys {
    fn of(endpoint: &Endpoint) -> Keys {
        let mut named = Vec::new();
        (endpoint.components)(&mut named);
        let components: BTreeMap<String, RefOr<Schema>> = named.into_iter().collect();
        let mut keys = Keys::default();
        keys.collect(&(endpoint.request)(), &components);
        keys
    }

    /// Adds the properties of `schema` (through `$ref`, `allOf`, `oneOf`, `anyOf`).
    fn collect(&mut self, schema: &RefOr<Schema>, components: &BTreeMap<String, RefOr<Schema>>) {
        let Some(schema) = resolve(schema, components) else { return };
        match schema {
            Schema::Object(object) => {
                for (name, property) in &object.properties {
                    if !self.names.contains(name) {
                        self.names.push(name.clone());
                    }
                    if let Some(item) = list_item(property, components) {
                        let mut keys = Keys::default();
                        keys.collect(item, components);
                        if !keys.names.is_empty() {
                            self.items.insert(name.clone(), keys);
                        }
                    }
                }
            }
            Schema::AllOf(all) => all.items.iter().for_each(|s| self.collect(s, components)),
            Schema::OneOf(one) => one.items.iter().for_each(|s| self.collect(s, components)),
            Schema::AnyOf(any) => any.items.iter().for_each(|s| self.collect(s, components)),
            _ => {}
        }
    }

    fn first_unknown(&self, object: &Map<String, Value>, path: &mut Vec<String>) -> Option<Detail> {
        for (key, value) in object {
            path.push(key.clone());
            let common = path.len() == 1 && CREDENTIALS.contains(&key.as_str());
            if !common && !self.names.iter().any(|n| n == key) {
                return Some(Detail::at(path, self.advice(key)));
            }
            if let (Some(keys), Value::Array(list)) = (self.items.get(key), value) {
                for (i, item) in list.iter().enumerate() {
                    let Value::Object(item) = item else { continue };
                    path.push(i.to_string());
                    if let Some(found) = keys.first_unknown(item, path) {
                        return Some(found);
                    }
                    path.pop();
                }
            }
            path.pop();
        }
        None
    }

    /// What to send instead of `key`: the key it is most likely a misspelling
    /// of, else the keys this object takes.
    fn advice(&self, key: &str) -> String {
        // The nearest name: one that differs only in case, else one or two
        // edits away (for keys long enough that two edits are a typo).
        let distance = |n: &str| if n.eq_ignore_ascii_case(key) { 0 } else { edits(n, key) };
        let nearest = self.names.iter().map(|n| (distance(n), n)).min_by_key(|(d, _)| *d);
        if let Some((d, near)) = nearest
            && (d == 0 || key.len() > 3 && d <= 2)
        {
            return format!("unknown key; did you mean {near}?");
        }
        if self.names.iter().any(|n| n == "contactinfo") {
            return "unknown key; contact fields go inside contactinfo".to_string();
        }
        format!("unknown key; this takes {}", self.names.join(", "))
    }
}

/// The schema a `$ref` names, or `schema` itself.
fn resolve<'a>(schema: &'a RefOr<Schema>, components: &'a BTreeMap<String, RefOr<Schema>>) -> Option<&'a Schema> {
    match schema {
        RefOr::T(schema) => Some(schema),
        RefOr::Ref(Ref { ref_location, .. }) => {
            let name = ref_location.rsplit('/').next()?;
            match components.get(name)? {
                RefOr::T(schema) => Some(schema),
                RefOr::Ref(_) => None,
            }
        }
    }
}

/// The item schema of a list, looking through `Option`'s `oneOf` with `null`.
fn list_item<'a>(
    schema: &'a RefOr<Schema>,
    components: &'a BTreeMap<String, RefOr<Schema>>,
) -> Option<&'a RefOr<Schema>> {
    match resolve(schema, components)? {
        Schema::Array(array) => match &array.items {
            ArrayItems::RefOrSchema(item) => Some(item),
            ArrayItems::False => None,
        },
        Schema::OneOf(one) => one.items.iter().find_map(|s| list_item(s, components)),
        Schema::AnyOf(any) => any.items.iter().find_map(|s| list_item(s, components)),
        _ => None,
    }
}

/// Levenshtein distance, for "did you mean": keys are short.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_count_insertions_deletions_and_changes() {
        assert_eq!(edits("groupid", "groupid"), 0);
        assert_eq!(edits("groupid", "grupid"), 1);
        assert_eq!(edits("agentId", "agnetId"), 2);
        assert_eq!(edits("", "abc"), 3);
    }

    fn keys_of(section: &str, name: &str) -> &'static Keys {
        let index = ENDPOINTS.iter().position(|e| e.section == section && e.name == name).expect("an endpoint");
        &ACCEPTED[index]
    }

    #[test]
    fn every_endpoint_declares_its_unknown_key_code() {
        for endpoint in ENDPOINTS {
            assert!(endpoint.declares(endpoint.unknown_key_code()), "{}", endpoint.path());
        }
    }

    #[test]
    fn keys_come_from_the_request_schema_through_flatten_and_option() {
        assert_eq!(keys_of("Agent", "live").names, ["ssid", "userId", "token", "agentId", "groupid", "groupId"]);
        let batch = &keys_of("", "callEvent").items["events"].names;
        assert!(batch.iter().any(|n| n == "callerNumber") && batch.iter().any(|n| n == "groupId"), "{batch:?}");
    }

    #[test]
    fn an_unknown_key_is_pointed_at_with_advice() {
        let body = |text: &str| serde_json::from_str::<Map<String, Value>>(text).unwrap();
        let live = &ENDPOINTS[ENDPOINTS.iter().position(|e| e.name == "live").unwrap()];
        assert_eq!(
            unknown_key(live, &body(r#"{"token":"t","groupID":1}"#)),
            Some(Detail::at(&["groupID"], "unknown key; did you mean groupid?"))
        );
        assert_eq!(unknown_key(live, &body(r#"{"ssid":"s","agentId":1}"#)), None);
        assert_eq!(
            unknown_key(live, &body(r#"{"zone":1}"#)),
            Some(Detail::at(&["zone"], "unknown key; this takes ssid, userId, token, agentId, groupid, groupId"))
        );
    }
}
