//! Secrets: random tokens stored only as SHA-256 hashes, passwords and call
//! passwords stored with argon2id. Nothing here ever logs a secret.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngExt;
use sha2::{Digest, Sha256};

/// A fresh token or session id: 160 random bits, hex-encoded.
pub fn new_token() -> String {
    let bytes: [u8; 20] = rand::random();
    hex::encode(bytes)
}

/// What we store for a token or session id. Tokens carry 160 bits of entropy,
/// so a fast hash is enough; argon2 is for human-chosen secrets.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash no password matches, checked when an email is unknown so that a
/// login takes as long whether or not the email exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// A generated panel password: 16 letters and digits, shown once.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A generated call password: eight digits, not starting with 0 so that
/// clients that read it as a number keep all eight.
pub fn new_call_password() -> String {
    rand::rng().random_range(10_000_000u32..100_000_000).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let stored = hash_password("s3cret-pass").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("s3cret-pass", &stored));
        assert!(!verify_password("other", &stored));
        assert!(!verify_password("s3cret-pass", "not a hash"));
    }

    #[test]
    fn generated_secrets_have_their_documented_shape() {
        assert_eq!(new_token().len(), 40);
        assert_ne!(new_token(), new_token());
        assert_eq!(token_hash("abc").len(), 64);
        let call = new_call_password();
        assert!(call.len() == 8 && call.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(new_password().len(), 16);
    }
}
