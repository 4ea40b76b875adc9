//! Random tokens, token digests and password hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `len` characters drawn uniformly from `alphabet` with the OS RNG.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        OsRng.fill_bytes(&mut buf);
        for &b in &buf {
            if (b as usize) < limit && out.len() < len {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

/// A new API token (40 characters, about 238 bits).
pub fn new_token() -> String {
    random_from(ALNUM, 40)
}

/// A plivo-style account id: `MA` and 18 uppercase letters or digits.
pub fn new_auth_id() -> String {
    format!("MA{}", random_from(UPPER_DIGITS, 18))
}

/// A Twilio-style SID: a two-letter prefix (`CL`, `CR`, …) and 32 hex digits.
pub fn new_sid(prefix: &str) -> String {
    format!("{prefix}{}", random_from(b"0123456789abcdef", 32))
}

/// Fills `buf` from the OS RNG (for the model's password generator).
pub fn fill_random(buf: &mut [u8]) {
    OsRng.fill_bytes(buf);
}

pub fn sha256(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Constant-time comparison, so response time says nothing about how much
/// of a guessed token was right.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// argon2id PHC string for an operator password. CPU-heavy: call from
/// `spawn_blocking`.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a PHC string. CPU-heavy: call from `spawn_blocking`.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the operator does not exist, so that
/// unknown and known usernames take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-operator-password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_shape() {
        let id = new_auth_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("MA"));
        assert!(id[2..].bytes().all(|b| UPPER_DIGITS.contains(&b)));
        let t = new_token();
        assert_eq!(t.len(), 40);
        assert_ne!(t, new_token());
    }

    #[test]
    fn password_hash_round_trip() {
        let h = hash_password("Operator-Pass-123");
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("Operator-Pass-123"));
        assert!(verify_password("Operator-Pass-123", &h));
        assert!(!verify_password("Operator-Pass-124", &h));
        assert!(!verify_password("x", "not a phc string"));
    }
}
