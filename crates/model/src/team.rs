//! The names of the console's team: operators and API keys.

use crate::error::{describe_char, FieldError};
use crate::fields::{check_length, parse_name_up_to};

/// An operator's sign-in name: 1–64 ASCII letters, digits, `.`, `_`, `@`
/// or `-` (an e-mail address fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorName(String);

impl OperatorName {
    pub const FIELD: &'static str = "username";
    pub const RULE: &'static str = "1–64 characters: letters, digits, '.', '_', '@' or '-'";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_length(Self::FIELD, Self::RULE, value, 1, 64)?;
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-')))
        {
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

/// An API key's name, for people to tell keys apart: 1–64 characters, not
/// only spaces, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    pub const FIELD: &'static str = "name";
    pub const RULE: &'static str = "1–64 characters, not only spaces";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        parse_name_up_to(Self::FIELD, Self::RULE, value, 64).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        let long = "x".repeat(64);
        for ok in ["a", "ops", "vera@example.com", "first.last_2-b", &long] {
            assert_eq!(OperatorName::parse(ok).unwrap().as_str(), ok);
        }
        for (bad, problem) in [
            ("", "it is empty"),
            ("has space", "a space is not allowed"),
            ("émile", "'é' is not allowed"),
            ("a/b", "'/' is not allowed"),
            (&"x".repeat(65), "1 too many"),
        ] {
            let e = OperatorName::parse(bad).unwrap_err();
            assert_eq!(e.field, "username");
            assert!(e.problem.contains(problem), "{bad}: {}", e.problem);
        }
    }

    #[test]
    fn key_names() {
        assert_eq!(
            KeyName::parse("  CI deploys ").unwrap().as_str(),
            "CI deploys"
        );
        for bad in ["", "   ", "tab\there", &"x".repeat(65)] {
            assert_eq!(KeyName::parse(bad).unwrap_err().field, "name", "{bad:?}");
        }
    }
}
