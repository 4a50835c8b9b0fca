//! The domain's ids bound and read as the columns they are stored in
//! (`INTEGER`/`BIGINT`, the account's `TEXT`): each delegates to `i64` or
//! `String`, so a query binds an `AgentId` as it would the number, and the
//! domain itself knows nothing of SQL.

use sqlx::any::AnyTypeInfo;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

use crate::domain::ids::{AccountId, AgentId, GroupId, RoleId};

macro_rules! stored_as {
    ($id:ty, $inner:ty, $wrap:expr, $field:tt) => {
        impl Type<Any> for $id {
            fn type_info() -> AnyTypeInfo {
                <$inner as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <$inner as Type<Any>>::compatible(ty)
            }
        }

        impl Encode<'_, Any> for $id {
            fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <$inner as Encode<'_, Any>>::encode_by_ref(&self.$field, buf)
            }
        }

        impl<'r> Decode<'r, Any> for $id {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok($wrap(<$inner as Decode<'r, Any>>::decode(value)?))
            }
        }
    };
}

stored_as!(AgentId, i64, AgentId, 0);
stored_as!(GroupId, i64, GroupId, 0);
stored_as!(RoleId, i64, RoleId, 0);
stored_as!(AccountId, String, AccountId::new, 0);
