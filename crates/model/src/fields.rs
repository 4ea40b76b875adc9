//! Validated newtypes for the fields of credentials and ACLs (seed 000).

use crate::dialect::{Dialect, Policy};
use crate::error::{describe_char, is_hidden, FieldError};
use std::fmt;

fn char_count(s: &str) -> usize {
    s.chars().count()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Checks a character count against `min..=max` and says what is wrong.
pub(crate) fn check_length(
    field: &'static str,
    rule: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let n = char_count(value);
    if n == 0 && min > 0 {
        return Err(FieldError::new(field, rule, "it is empty"));
    }
    if n < min {
        return Err(FieldError::new(
            field,
            rule,
            format!("it has {n} character{}; {} more needed", plural(n), min - n),
        ));
    }
    if n > max {
        return Err(FieldError::new(
            field,
            rule,
            format!("it has {n} characters; {} too many", n - max),
        ));
    }
    Ok(())
}

/// A SIP username: 3–64 characters, ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub const FIELD: &'static str = "username";
    pub const RULE: &'static str = "3–64 characters: letters, digits, '.', '_' or '-'";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::parse_with(value, &Dialect::Plivo.policy())
    }

    /// The username under a provider's policy (its length limit).
    pub fn parse_with(value: &str, policy: &Policy) -> Result<Self, FieldError> {
        let rule = policy.username_rule;
        check_length(Self::FIELD, rule, value, 3, policy.username_max)?;
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(FieldError::new(
                Self::FIELD,
                rule,
                format!("{} is not allowed", describe_char(c)),
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A SIP password: 12–128 characters with an uppercase letter, a lowercase
/// letter and a digit. Write-only: `Debug` and errors never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const FIELD: &'static str = "password";
    pub const RULE: &'static str =
        "12–128 characters, with an uppercase letter, a lowercase letter and a digit";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::parse_with(value, &Dialect::Plivo.policy())
    }

    /// The password under a provider's policy (length, required classes).
    pub fn parse_with(value: &str, policy: &Policy) -> Result<Self, FieldError> {
        let rule = policy.password_rule;
        check_length(Self::FIELD, rule, value, policy.password_min, 128)?;
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            return Err(FieldError::new(
                Self::FIELD,
                rule,
                format!("{} is not allowed", describe_char(c)),
            ));
        }
        if !policy.password_mixed {
            return Ok(Self(value.to_string()));
        }
        let missing: Vec<&str> = [
            (
                value.chars().any(|c| c.is_ascii_uppercase()),
                "an uppercase letter",
            ),
            (
                value.chars().any(|c| c.is_ascii_lowercase()),
                "a lowercase letter",
            ),
            (value.chars().any(|c| c.is_ascii_digit()), "a digit"),
        ]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, what)| what)
        .collect();
        if !missing.is_empty() {
            return Err(FieldError::new(
                Self::FIELD,
                rule,
                format!("it is missing {}", join_and(&missing)),
            ));
        }
        Ok(Self(value.to_string()))
    }

    /// The secret itself, for hashing. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A digest realm: 1–253 characters of letters, digits, `.` and `-`, the
/// shape of a domain name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Realm(String);

impl Realm {
    pub const FIELD: &'static str = "realm";
    pub const RULE: &'static str =
        "1–253 characters: letters, digits, '.' or '-', not starting or ending with '.'";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_length(Self::FIELD, Self::RULE, value, 1, 253)?;
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
        {
            return Err(FieldError::new(
                Self::FIELD,
                Self::RULE,
                format!("{} is not allowed", describe_char(c)),
            ));
        }
        if value.starts_with('.') || value.ends_with('.') || value.contains("..") {
            return Err(FieldError::new(
                Self::FIELD,
                Self::RULE,
                "it has an empty label ('.' at an end or '..')",
            ));
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Realm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The friendly name of an IP ACL: 1–120 characters, not only spaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct AclName(String);

impl AclName {
    pub const FIELD: &'static str = "name";
    pub const RULE: &'static str = "1–120 characters, not only spaces";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        parse_name(Self::FIELD, Self::RULE, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The friendly name of a twilio credential list or IP access control list:
/// "up to 64 characters" (seeds 002, 004), not only spaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FriendlyName(String);

impl FriendlyName {
    pub const FIELD: &'static str = "FriendlyName";
    pub const RULE: &'static str = "1–64 characters, not only spaces";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        parse_name_up_to(Self::FIELD, Self::RULE, value, 64).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text description: at most 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub const FIELD: &'static str = "description";
    pub const RULE: &'static str = "up to 255 characters";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_length(Self::FIELD, Self::RULE, value, 0, 255)?;
        reject_control(Self::FIELD, Self::RULE, value)?;
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An application's name: 1–120 characters, not only spaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct AppName(String);

impl AppName {
    pub const FIELD: &'static str = "app_name";
    pub const RULE: &'static str = "1–120 characters, not only spaces";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        parse_name(Self::FIELD, Self::RULE, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The URL an application fetches when a call arrives: empty, or an
/// http(s) URL of at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct AnswerUrl(String);

impl AnswerUrl {
    pub const FIELD: &'static str = "answer_url";
    pub const RULE: &'static str = "empty, or an http:// or https:// URL of up to 500 characters";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        check_length(Self::FIELD, Self::RULE, value, 0, 500)?;
        if value.is_empty() {
            return Ok(Self::default());
        }
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| {
                FieldError::new(
                    Self::FIELD,
                    Self::RULE,
                    "it does not start with http:// or https://",
                )
            })?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(FieldError::new(
                Self::FIELD,
                Self::RULE,
                "it has no host name",
            ));
        }
        if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new(
                Self::FIELD,
                Self::RULE,
                format!("{} is not allowed", describe_char(c)),
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: trimmed, 1–120 characters, not only spaces, no control
/// characters (ACL and application names share this rule).
fn parse_name(field: &'static str, rule: &'static str, value: &str) -> Result<String, FieldError> {
    parse_name_up_to(field, rule, value, 120)
}

pub(crate) fn parse_name_up_to(
    field: &'static str,
    rule: &'static str,
    value: &str,
    max: usize,
) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() && !value.is_empty() {
        return Err(FieldError::new(field, rule, "it is only spaces"));
    }
    check_length(field, rule, trimmed, 1, max)?;
    reject_control(field, rule, trimmed)?;
    Ok(trimmed.to_string())
}

fn reject_control(field: &'static str, rule: &'static str, value: &str) -> Result<(), FieldError> {
    match value.chars().find(|c| is_hidden(*c)) {
        Some(c) => Err(FieldError::new(
            field,
            rule,
            format!("{} is not allowed", describe_char(c)),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Runs a table of (input, expected problem or None for valid).
    fn check<T: fmt::Debug>(
        parse: fn(&str) -> Result<T, FieldError>,
        field: &str,
        table: &[(&str, Option<&str>)],
    ) {
        for (input, expected) in table {
            match (parse(input), expected) {
                (Ok(_), None) => {}
                (Err(e), Some(problem)) => {
                    assert_eq!(e.field, field, "field for {input:?}");
                    assert!(
                        e.problem.contains(problem),
                        "{input:?}: expected problem containing {problem:?}, got {:?}",
                        e.problem
                    );
                    assert!(!e.rule.is_empty());
                }
                (got, want) => panic!("{input:?}: expected {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn username_rules() {
        let sixty_four = "a".repeat(64);
        let sixty_five = "a".repeat(65);
        check(
            Username::parse,
            "username",
            &[
                ("", Some("it is empty")),
                ("ab", Some("it has 2 characters; 1 more needed")),
                ("abc", None),
                (&sixty_four, None),
                (&sixty_five, Some("it has 65 characters; 1 too many")),
                ("sip.user_1-a", None),
                ("sip user", Some("a space is not allowed")),
                ("josé", Some("'é' is not allowed")),
                ("user@example", Some("'@' is not allowed")),
                ("tab\tuser", Some("a tab is not allowed")),
            ],
        );
    }

    #[test]
    fn password_rules() {
        check(
            Password::parse,
            "password",
            &[
                ("", Some("it is empty")),
                ("Abcdefghij1", Some("it has 11 characters; 1 more needed")),
                ("Abcdefghijk1", None),
                (&format!("A1{}", "b".repeat(126)), None),
                (
                    &format!("A1{}", "b".repeat(127)),
                    Some("it has 129 characters; 1 too many"),
                ),
                ("abcdefghijk1", Some("it is missing an uppercase letter")),
                ("ABCDEFGHIJK1", Some("it is missing a lowercase letter")),
                ("Abcdefghijkl", Some("it is missing a digit")),
                (
                    "abcdefghijkl",
                    Some("it is missing an uppercase letter and a digit"),
                ),
                ("Ünïcödé Pass 12", None),
                ("Ünïcödé pass 12", Some("it is missing an uppercase letter")),
                ("Abcdefghijk1\n", Some("a control character")),
            ],
        );
    }

    #[test]
    fn password_never_shows_itself() {
        let secret = "Sup3rSecretValue";
        let p = Password::parse(secret).unwrap();
        assert!(!format!("{p:?}").contains(secret));
        let e = Password::parse("sup3rsecretvalue").unwrap_err();
        assert!(!e.to_string().contains("sup3rsecretvalue"));
        assert_eq!(p.expose(), secret);
    }

    #[test]
    fn realm_rules() {
        check(
            Realm::parse,
            "realm",
            &[
                ("", Some("it is empty")),
                ("sip.example.com", None),
                ("a", None),
                (".example.com", Some("empty label")),
                ("example..com", Some("empty label")),
                ("exa mple.com", Some("a space is not allowed")),
                ("exämple.com", Some("'ä' is not allowed")),
                (&"a".repeat(254), Some("1 too many")),
            ],
        );
        assert_eq!(
            Realm::parse("SIP.Example.COM").unwrap().as_str(),
            "sip.example.com"
        );
    }

    #[test]
    fn acl_name_rules() {
        check(
            AclName::parse,
            "name",
            &[
                ("", Some("it is empty")),
                ("   ", Some("only spaces")),
                ("O", None),
                ("Office Network", None),
                ("Büro Zürich", None),
                (&"n".repeat(120), None),
                (&"n".repeat(121), Some("it has 121 characters; 1 too many")),
                ("line\nbreak", Some("a control character")),
            ],
        );
        assert_eq!(AclName::parse("  Office  ").unwrap().as_str(), "Office");
    }

    #[test]
    fn friendly_name_rules() {
        check(
            FriendlyName::parse,
            "FriendlyName",
            &[
                ("", Some("it is empty")),
                ("  ", Some("only spaces")),
                ("Desk phones", None),
                (&"n".repeat(64), None),
                (&"n".repeat(65), Some("it has 65 characters; 1 too many")),
            ],
        );
    }

    #[test]
    fn app_name_rules() {
        check(
            AppName::parse,
            "app_name",
            &[
                ("", Some("it is empty")),
                ("  ", Some("only spaces")),
                ("Support line", None),
                (&"a".repeat(120), None),
                (&"a".repeat(121), Some("1 too many")),
            ],
        );
    }

    #[test]
    fn answer_url_rules() {
        check(
            AnswerUrl::parse,
            "answer_url",
            &[
                ("", None),
                ("https://example.com/answer", None),
                ("http://10.0.0.1:8000/a?b=c", None),
                ("ftp://example.com", Some("does not start with http")),
                ("https://", Some("no host name")),
                ("https://exa mple.com", Some("a space is not allowed")),
                (
                    &format!("https://e.com/{}", "a".repeat(490)),
                    Some("too many"),
                ),
            ],
        );
    }

    #[test]
    fn description_rules() {
        check(
            Description::parse,
            "description",
            &[
                ("", None),
                ("Primary PBX", None),
                (&"d".repeat(255), None),
                (&"d".repeat(256), Some("it has 256 characters; 1 too many")),
                ("é".repeat(255).as_str(), None),
            ],
        );
    }

    #[test]
    fn names_and_descriptions_refuse_invisible_and_reordering_characters() {
        let reversed = "invoice\u{202E}fdp.exe";
        let e = AclName::parse(reversed).unwrap_err();
        assert_eq!(e.field, "name");
        assert_eq!(
            e.problem,
            "an invisible formatting character (U+202E) is not allowed"
        );
        for hidden in ["a\u{200B}b", "\u{FEFF}PBX", "x\u{2066}y", "a\u{0007}"] {
            assert!(Description::parse(hidden).is_err(), "{hidden:?}");
            assert!(AppName::parse(hidden).is_err(), "{hidden:?}");
            assert!(FriendlyName::parse(hidden).is_err(), "{hidden:?}");
        }
        // Letters of every script stay welcome.
        for fine in ["Büro Zürich", "東京オフィス", "مكتب", "Ωmega-1"] {
            assert!(AclName::parse(fine).is_ok(), "{fine}");
        }
    }
}
