//! Operator actions on tenants: creating an account with its first API
//! token, tokens, and the admin password.

use crate::domain::agent::{valid_email, valid_name};
use crate::domain::secret;
use crate::store::{AccountId, NewAccount, SharedStore};

/// The credentials of a new account; the token is shown only here.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedAccount {
    pub user_id: String,
    pub token: String,
}

pub async fn create_account(
    store: &SharedStore,
    name: &str,
    email: &str,
    password: Option<&str>,
) -> anyhow::Result<CreatedAccount> {
    let name = valid_name(name).ok_or_else(|| anyhow::anyhow!("the account name must be 1-100 characters"))?;
    let email = valid_email(email).ok_or_else(|| anyhow::anyhow!("{email:?} is not an email address"))?;
    let password_hash = match password {
        Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => {
            anyhow::bail!("the password must have at least {MIN_PASSWORD_CHARS} characters")
        }
        Some(p) => Some(secret::hash_password(p)?),
        None => None,
    };
    let token = secret::new_token();
    let new = NewAccount {
        name,
        email: email.clone(),
        password_hash,
        token_hash: secret::token_hash(&token),
        country_code: "91".to_string(),
        now: crate::clock::now(),
    };
    let account = store.create_account(&new).await.map_err(|e| match e {
        crate::store::StoreError::Conflict => anyhow::anyhow!("an account with email {email} already exists"),
        other => anyhow::anyhow!(other),
    })?;
    Ok(CreatedAccount { user_id: account.id.to_string(), token })
}

/// A new API token for an existing account, shown only here.
pub async fn add_token(store: &SharedStore, user_id: &str) -> anyhow::Result<CreatedAccount> {
    let token = secret::new_token();
    store.add_token(&AccountId::new(user_id), &secret::token_hash(&token), crate::clock::now()).await.map_err(|e| {
        match e {
            crate::store::StoreError::NotFound => anyhow::anyhow!("no account {user_id}"),
            other => anyhow::anyhow!(other),
        }
    })?;
    Ok(CreatedAccount { user_id: user_id.to_string(), token })
}

/// Revokes a token: from now on it answers 1014.
pub async fn revoke_token(store: &SharedStore, user_id: &str, token: &str) -> anyhow::Result<()> {
    if store.revoke_token(&AccountId::new(user_id), &secret::token_hash(token)).await? {
        Ok(())
    } else {
        anyhow::bail!("account {user_id} has no such token")
    }
}

/// The shortest admin or agent password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Sets (or resets) an account's admin password, for `auth/login` with
/// the account's email: `password`, or a new random one, returned. Every
/// admin session of the account ends; a running server learns of it within
/// a second.
pub async fn set_admin_password(store: &SharedStore, user_id: &str, password: Option<&str>) -> anyhow::Result<String> {
    let password = match password {
        Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => {
            anyhow::bail!("the password must have at least {MIN_PASSWORD_CHARS} characters")
        }
        Some(p) => p.to_string(),
        None => secret::new_password(),
    };
    let hash = secret::hash_password(&password)?;
    store.set_admin_password(&AccountId::new(user_id), &hash, None).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => anyhow::anyhow!("no account {user_id}"),
        other => anyhow::anyhow!(other),
    })?;
    Ok(password)
}
