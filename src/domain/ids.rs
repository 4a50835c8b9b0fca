//! Ids of what an account holds, one type each, so that an agent id cannot
//! be passed where a group id is expected and a store signature says what it
//! takes. On the wire and in the database they stay what DeepCall made them:
//! the account's `userId` is a string of digits, the others are integers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An account (tenant): DeepCall's `userId`, a string of digits given at
/// creation. Every store read and write is scoped by one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub(crate) String);

impl AccountId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<String> for AccountId {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl std::borrow::Borrow<str> for AccountId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// An agent within its account (DeepCall's `agentId`), given in creation
    /// order from 1; a deleted agent's id is never given again.
    AgentId
);
numeric_id!(
    /// A call group within its account (DeepCall's `groupId`).
    GroupId
);
numeric_id!(
    /// A role within its account (DeepCall's `roleId`); `1` is the default
    /// role every account is created with.
    RoleId
);
