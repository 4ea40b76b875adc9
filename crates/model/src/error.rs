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
        c if is_format(c) => format!("an invisible formatting character (U+{:04X})", c as u32),
        c => format!("'{c}'"),
    }
}

/// Unicode's format characters (category Cf): invisible, and some reorder
/// the text around them (U+202E shows "gpj.exe" as "exe.jpg"), so a name
/// holding one can read as another.
pub(crate) fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// A character that must not be in a name or description: control or
/// formatting characters.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c)
}
