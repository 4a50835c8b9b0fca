//! `Agent/list` items in seed 002's exact key order, minus the secrets: no
//! `password`, and `call_pass` masked. `cad` is ours and comes last.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::store::{AccountId, AgentGroup, AgentRow};

/// What stands in for the call password on every read.
pub const MASKED: &str = "********";

/// One agent, in seed 002's key order; `password` is never sent and
/// `call_pass` is always `"********"`.
#[allow(non_snake_case)]
#[derive(Serialize, ToSchema)]
pub struct AgentItem<'a> {
    name: &'a str,
    favorite: &'a str,
    email: &'a str,
    phone: &'a str,
    address: &'a str,
    dest_type: &'a str,
    dest_value: &'a str,
    /// Always `********`: no read shows a call password.
    call_pass: &'static str,
    /// The role id as a string, as seed 002 shows it.
    #[serde(serialize_with = "as_string")]
    #[schema(value_type = String)]
    role: i64,
    /// The agent's place in the tree: `,START,` under the root, else the ids above it.
    parent: &'a str,
    /// Unix seconds.
    create_date: i64,
    create_by: &'a str,
    create_by_type: &'a str,
    user_id: &'a str,
    unique_id: i64,
    /// `""` when none, else a list — both shapes appear in seed 002.
    allowDid: AllowDid<'a>,
    /// 1 active, 0 inactive.
    status: i64,
    isDeleted: u8,
    /// 1 while a deletion waits for the agent to go offline.
    preDeleted: u8,
    group: GroupIds<'a>,
    working: Working<'a>,
    /// `[{"17":"Perm"},{"4":"Unknown group (4)"}]`, in the order of `group`.
    groupNames: GroupNames<'a>,
    roleName: &'a str,
    /// Ours: the CAD flag (0/1).
    cad: u8,
}

/// Working hours: minutes of the day, 0–1439.
#[allow(non_snake_case)]
#[derive(Serialize, ToSchema)]
pub struct WorkingItem<'a> {
    /// `MON` … `SUN`.
    wDays: &'a [&'static str],
    from: i64,
    to: i64,
    agentId: i64,
}

/// `quick: true`: just enough to fill a picker.
#[derive(Serialize, ToSchema)]
pub struct QuickItem<'a> {
    name: &'a str,
    email: &'a str,
    unique_id: i64,
    status: i64,
    group: GroupIds<'a>,
}

// The nested parts of an item are written straight from the stored row:
// a page is 50 agents, and building maps and strings for each cost more
// than writing them.

fn as_string<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

struct AllowDid<'a>(&'a [String]);

impl Serialize for AllowDid<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() { serializer.serialize_str("") } else { self.0.serialize(serializer) }
    }
}

impl PartialSchema for AllowDid<'_> {
    fn schema() -> RefOr<Schema> {
        let none = ObjectBuilder::new().schema_type(Type::String).enum_values(Some([""]));
        OneOfBuilder::new()
            .item(none)
            .item(Vec::<String>::schema())
            .description(Some("The DIDs the agent may call from: `\"\"` when none, else a list."))
            .into()
    }
}

impl ToSchema for AllowDid<'_> {}

struct GroupIds<'a>(&'a [AgentGroup]);

impl Serialize for GroupIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|g| g.id))
    }
}

impl PartialSchema for GroupIds<'_> {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(i64::schema()).description(Some("The ids of the agent's groups.")).into()
    }
}

impl ToSchema for GroupIds<'_> {}

struct GroupNames<'a>(&'a [AgentGroup]);

impl PartialSchema for GroupNames<'_> {
    fn schema() -> RefOr<Schema> {
        let named = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(String::schema()))
            .min_properties(Some(1))
            .max_properties(Some(1));
        ArrayBuilder::new()
            .items(named)
            .description(Some(
                "`[{\"<groupId>\":\"<name>\"}]` in the order of `group`; `\"Unknown group (<id>)\"` for a group that is gone.",
            ))
            .into()
    }
}

impl ToSchema for GroupNames<'_> {}

impl Serialize for GroupNames<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Named<'a>(i64, &'a Option<String>);
        impl Serialize for Named<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                match self.1 {
                    Some(name) => map.serialize_entry(&self.0, name)?,
                    None => map.serialize_entry(&self.0, &format_args!("Unknown group ({})", self.0))?,
                }
                map.end()
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for group in self.0 {
            seq.serialize_element(&Named(group.id.get(), &group.name))?;
        }
        seq.end()
    }
}

struct Working<'a>(&'a AgentRow);

impl PartialSchema for Working<'_> {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(WorkingItem::name()))).into()
    }
}

impl ToSchema for Working<'_> {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((WorkingItem::name().into(), WorkingItem::schema()));
    }
}

impl Serialize for Working<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = self.0;
        serializer.collect_seq(row.working.iter().map(|w| WorkingItem {
            wDays: &w.days,
            from: w.from,
            to: w.to,
            agentId: row.id.get(),
        }))
    }
}

/// An item of `Agent/list` as the document shows it: a whole agent, or with
/// `quick` its picker fields. `anyOf`, since a whole agent has them too.
pub enum AgentListItem {}

impl Serialize for AgentListItem {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

impl PartialSchema for AgentListItem {
    fn schema() -> RefOr<Schema> {
        let reference = |name: std::borrow::Cow<'static, str>| RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name));
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(reference(AgentItem::name()))
            .item(reference(QuickItem::name()))
            .into()
    }
}

impl ToSchema for AgentListItem {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((AgentItem::name().into(), AgentItem::schema()));
        AgentItem::schemas(schemas);
        schemas.push((QuickItem::name().into(), QuickItem::schema()));
        QuickItem::schemas(schemas);
    }
}

pub fn item<'a>(row: &'a AgentRow, account: &'a AccountId) -> AgentItem<'a> {
    AgentItem {
        name: &row.name,
        favorite: &row.favorite,
        email: &row.email,
        phone: &row.phone,
        address: &row.address,
        dest_type: &row.dest_type,
        dest_value: &row.dest_value,
        call_pass: MASKED,
        role: row.role_id.get(),
        parent: &row.parent_path,
        create_date: row.create_date,
        create_by: &row.create_by,
        create_by_type: &row.create_by_type,
        user_id: account.as_str(),
        unique_id: row.id.get(),
        allowDid: AllowDid(&row.allow_did),
        status: row.status,
        isDeleted: row.is_deleted as u8,
        preDeleted: row.pre_deleted as u8,
        group: GroupIds(&row.groups),
        working: Working(row),
        groupNames: GroupNames(&row.groups),
        roleName: row.role_name.as_deref().unwrap_or(""),
        cad: row.cad as u8,
    }
}

pub fn quick_item(row: &AgentRow) -> QuickItem<'_> {
    QuickItem {
        name: &row.name,
        email: &row.email,
        unique_id: row.id.get(),
        status: row.status,
        group: GroupIds(&row.groups),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::working::WorkingTime;
    use crate::store::{AgentId, GroupId, RoleId};

    /// Seed 002's first agent, as we store it (its secrets are not ours to show).
    fn seed_agent() -> AgentRow {
        AgentRow {
            id: AgentId(2),
            name: "bhawesh".into(),
            favorite: String::new(),
            email: "bbx12345@gmail.com".into(),
            phone: "918442021533".into(),
            address: "jaipur".into(),
            dest_type: "MOBILE".into(),
            dest_value: "8442021533".into(),
            role_id: RoleId(1),
            role_name: Some("test".into()),
            parent_path: ",START,".into(),
            create_date: 1720093436,
            create_by: "29791451".into(),
            create_by_type: String::new(),
            allow_did: Vec::new(),
            status: 1,
            is_deleted: false,
            pre_deleted: true,
            cad: false,
            groups: vec![
                AgentGroup { id: GroupId(17), name: Some("Perm".into()) },
                AgentGroup { id: GroupId(4), name: None },
                AgentGroup { id: GroupId(28), name: Some("Mahipal singh".into()) },
            ],
            working: vec![WorkingTime { days: vec!["TUE", "WED"], from: 60, to: 360 }],
        }
    }

    #[test]
    fn an_item_is_seed_002s_agent_without_its_secrets() {
        let row = seed_agent();
        let json = serde_json::to_string(&item(&row, &AccountId::new("29791451"))).unwrap();
        // Seed 002's bytes with `password` removed, `call_pass` masked and `cad` appended.
        let expected = r#"{"name":"bhawesh","favorite":"","email":"bbx12345@gmail.com","phone":"918442021533","address":"jaipur","dest_type":"MOBILE","dest_value":"8442021533","call_pass":"********","role":"1","parent":",START,","create_date":1720093436,"create_by":"29791451","create_by_type":"","user_id":"29791451","unique_id":2,"allowDid":"","status":1,"isDeleted":0,"preDeleted":1,"group":[17,4,28],"working":[{"wDays":["TUE","WED"],"from":60,"to":360,"agentId":2}],"groupNames":[{"17":"Perm"},{"4":"Unknown group (4)"},{"28":"Mahipal singh"}],"roleName":"test","cad":0}"#;
        assert_eq!(json, expected);
    }

    #[test]
    fn allowed_dids_are_a_list_when_there_are_some() {
        let row = AgentRow { allow_did: vec!["918645313598".into()], ..seed_agent() };
        let json = serde_json::to_value(item(&row, &AccountId::new("29791451"))).unwrap();
        assert_eq!(json["allowDid"], serde_json::json!(["918645313598"]));
    }
}
