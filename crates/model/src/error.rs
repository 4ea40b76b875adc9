use std::fmt;

/// A value that breaks a rule: which field, which rule, and what is wrong
/// with the value. The problem never quotes a password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The API name of the field, e.g. `username`.
    pub field: &'static str,
    /// The rule in words, e.g. `3–64 characters: letters, digits, '.', '_' or '-'`.
    pub rule: &'static str,
    /// What is wrong with this value, e.g. `it has 2 characters`.
    pub problem: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, rule: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            rule,
            problem: problem.into(),
        }
    }

    /// The same problem, for a field the API names differently.
    pub fn renamed(self, field: &'static str) -> Self {
        Self { field, ..self }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (rule: {})", self.field, self.problem, self.rule)
    }
}

impl std::error::Error for FieldError {}

/// Describes the first character that is not allowed, for error messages.
pub(crate) fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c => format!("'{c}'"),
    }
}
