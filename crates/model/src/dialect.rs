//! The provider APIs the console speaks, and the credential rules each one
//! sets (seeds 000–004 and design.md). The plivo rules are the strictest
//! common ground and stay the default.

use crate::{Password, Username};
use std::fmt;
use std::str::FromStr;

/// A provider's wire format and vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Plivo SipAuth (seed 000), the primary one.
    Plivo,
    /// Plivo Zentrunk (seed 001): credentials and trunks.
    Zentrunk,
    /// Twilio SIP (seeds 002, 004): credential lists, IP ACLs, domains.
    Twilio,
    /// Vobiz (seed 003): account credentials that can be disabled.
    Vobiz,
}

impl Dialect {
    pub const ALL: [Dialect; 4] = [
        Dialect::Plivo,
        Dialect::Zentrunk,
        Dialect::Twilio,
        Dialect::Vobiz,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Plivo => "plivo",
            Dialect::Zentrunk => "zentrunk",
            Dialect::Twilio => "twilio",
            Dialect::Vobiz => "vobiz",
        }
    }

    /// The credential rules of this provider.
    pub fn policy(self) -> Policy {
        match self {
            // Zentrunk documents no rule of its own: the SipAuth one applies.
            Dialect::Plivo | Dialect::Zentrunk => Policy {
                username_max: 64,
                username_rule: Username::RULE,
                password_min: 12,
                password_mixed: true,
                password_rule: Password::RULE,
            },
            // "It can be up to 32 characters long"; "a minimum of 12
            // characters, contain at least 1 digit, and have mixed case".
            Dialect::Twilio => Policy {
                username_max: 32,
                username_rule: "3–32 characters: letters, digits, '.', '_' or '-'",
                password_min: 12,
                password_mixed: true,
                password_rule: Password::RULE,
            },
            // Vobiz asks for at least 8 characters and recommends, but does
            // not require, mixed classes: the strength meter advises.
            Dialect::Vobiz => Policy {
                username_max: 64,
                username_rule: Username::RULE,
                password_min: 8,
                password_mixed: false,
                password_rule: "8–128 characters",
            },
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not one of plivo, zentrunk, twilio, vobiz"))
    }
}

/// What a provider accepts as a SIP username and password. The character
/// rules are the same everywhere (safe in a SIP URI and a digest header);
/// the lengths and required character classes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub username_max: usize,
    pub username_rule: &'static str,
    pub password_min: usize,
    /// An uppercase letter, a lowercase letter and a digit are required.
    pub password_mixed: bool,
    pub password_rule: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(d.as_str().parse::<Dialect>(), Ok(d));
        }
        assert_eq!(
            "signalwire".parse::<Dialect>(),
            Err("\"signalwire\" is not one of plivo, zentrunk, twilio, vobiz".to_string())
        );
    }

    #[test]
    fn usernames_follow_each_providers_length() {
        let name33 = "a".repeat(33);
        assert!(Username::parse_with(&name33, &Dialect::Plivo.policy()).is_ok());
        let e = Username::parse_with(&name33, &Dialect::Twilio.policy()).unwrap_err();
        assert_eq!(e.rule, "3–32 characters: letters, digits, '.', '_' or '-'");
        assert!(e.problem.contains("33 characters"), "{}", e.problem);
        assert!(Username::parse_with(&"a".repeat(32), &Dialect::Twilio.policy()).is_ok());
    }

    #[test]
    fn passwords_follow_each_providers_policy() {
        // (password, plivo, zentrunk, twilio, vobiz)
        let table = [
            ("IWasAtSignal2018", true, true, true, true),
            ("alllowercase1", false, false, false, true),
            ("Short1aA", false, false, false, true),
            ("short7", false, false, false, false),
        ];
        for (password, plivo, zentrunk, twilio, vobiz) in table {
            for (dialect, want) in [
                (Dialect::Plivo, plivo),
                (Dialect::Zentrunk, zentrunk),
                (Dialect::Twilio, twilio),
                (Dialect::Vobiz, vobiz),
            ] {
                let got = Password::parse_with(password, &dialect.policy());
                assert_eq!(got.is_ok(), want, "{dialect} {password:?}: {got:?}");
            }
        }
        let e = Password::parse_with("short7", &Dialect::Vobiz.policy()).unwrap_err();
        assert_eq!(e.rule, "8–128 characters");
        assert!(
            e.problem.contains("6 characters; 2 more needed"),
            "{}",
            e.problem
        );
        assert!(
            !e.problem.contains("short7"),
            "the problem never quotes a password"
        );
    }
}
