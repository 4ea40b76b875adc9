use crate::{FieldError, Password, Realm, Username};
use md5::{Digest, Md5};

/// HA1 = md5(`username:realm:password`) in lowercase hex: the only form in
/// which a SIP password is ever stored, and what digest servers check against.
pub fn ha1(username: &Username, realm: &Realm, password: &Password) -> String {
    md5_hex(&[
        username.as_str(),
        ":",
        realm.as_str(),
        ":",
        password.expose(),
    ])
}

/// What is stored for a password: HA1, and HA1b = md5(`username@realm:realm:password`)
/// for devices that send `user@domain` as the digest username (the domain
/// is the realm: an account's SIP names live under it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub ha1: String,
    pub ha1b: String,
}

pub fn digests(username: &Username, realm: &Realm, password: &Password) -> Digests {
    let (u, r, p) = (username.as_str(), realm.as_str(), password.expose());
    Digests {
        ha1: ha1(username, realm, password),
        ha1b: md5_hex(&[u, "@", r, ":", r, ":", p]),
    }
}

/// A credential's username is fixed where the provider says so (plivo,
/// vobiz): a new one means a new credential.
pub fn username_is_fixed() -> FieldError {
    FieldError::new(
        Username::FIELD,
        "fixed once the credential exists; create a new credential instead",
        "cannot be changed",
    )
}

/// A new username needs the password with it: the stored digests cover both,
/// and the password itself is never kept.
pub fn rename_needs_password() -> FieldError {
    FieldError::new(
        Password::FIELD,
        "a new username needs the password too (the stored digest covers both)",
        "it is missing",
    )
}

fn md5_hex(parts: &[&str]) -> String {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ha1_matches_known_digests() {
        // Reference values computed with `printf 'user:realm:pass' | md5sum`.
        let table = [
            (
                "sipuser1",
                "app.plivo.com",
                "Sup3rSecretValue",
                "127b36b65a5cd1a1c4d2212cebb07e96",
            ),
            (
                "alice",
                "sip.example.com",
                "Wonderland2024",
                "e2acd4fa992a411a0d992c8bd1351bf6",
            ),
        ];
        for (user, realm, pass, want) in table {
            let got = ha1(
                &Username::parse(user).unwrap(),
                &Realm::parse(realm).unwrap(),
                &Password::parse(pass).unwrap(),
            );
            assert_eq!(got, want, "{user}:{realm}");
        }
    }

    #[test]
    fn ha1b_digests_user_at_realm() {
        // `printf 'alice@sip.example.com:sip.example.com:Wonderland2024' | md5sum`
        let d = digests(
            &Username::parse("alice").unwrap(),
            &Realm::parse("sip.example.com").unwrap(),
            &Password::parse("Wonderland2024").unwrap(),
        );
        assert_eq!(d.ha1, "e2acd4fa992a411a0d992c8bd1351bf6");
        assert_eq!(d.ha1b, "25ffcc6a32de230a1ad0fbb55b9cb981");
    }
}
