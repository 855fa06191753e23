//! Free text typed or imported by users: required or optional, with limits.

use super::InvalidInput;

/// The limit of a long free-text field, in characters: a rationale, a
/// reason, a justification, a description, lessons learned. One limit,
/// checked where the value is made (a `Rationale`, or the domain type that
/// holds the text), so nothing a form accepts is refused on saving.
pub const LONG: usize = 20_000;

/// The limit of a shorter statement: a decision, an outcome.
pub const STATEMENT: usize = 10_000;

/// Trimmed text that must not be empty and must fit `max_chars`.
pub fn required(field: &'static str, text: &str, max_chars: usize) -> Result<String, InvalidInput> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    limited(field, text, max_chars)
}

/// Trimmed text that may be empty but must fit `max_chars`.
pub fn optional(field: &'static str, text: &str, max_chars: usize) -> Result<String, InvalidInput> {
    limited(field, text.trim(), max_chars)
}

fn limited(field: &'static str, text: &str, max_chars: usize) -> Result<String, InvalidInput> {
    if text.contains('\0') {
        return Err(InvalidInput::new(field, "contains a NUL character"));
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(InvalidInput::new(
            field,
            format!("is {chars} characters long; at most {max_chars} are allowed"),
        ));
    }
    Ok(text.to_owned())
}

/// A rationale, a reason or a justification: trimmed, required, at most
/// `LONG` characters and without NUL. Made only by `Rationale::new`, which
/// checks it, so a command that carries one never carries an empty or
/// over-long one, and the store need not check it again. The field named in
/// its error is the one the user typed it in ("rationale", "reason"...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rationale(String);

impl Rationale {
    pub fn new(field: &'static str, text: &str) -> Result<Rationale, InvalidInput> {
        required(field, text, LONG).map(Rationale)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Rationale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Single-line text: required, and with no line breaks or tabs.
pub fn line(field: &'static str, text: &str, max_chars: usize) -> Result<String, InvalidInput> {
    let text = required(field, text, max_chars)?;
    if text.chars().any(|c| c.is_control()) {
        return Err(InvalidInput::new(
            field,
            "must be a single line without control characters",
        ));
    }
    Ok(text)
}

/// `yes`/`no` and the usual spellings.
pub fn yes_no(field: &'static str, text: &str) -> Result<bool, InvalidInput> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "1" => Ok(true),
        "" | "n" | "no" | "false" | "0" => Ok(false),
        other => Err(InvalidInput::new(
            field,
            format!("'{other}' is not yes or no"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_requirements() {
        assert_eq!(required("f", "  a ", 5).unwrap(), "a");
        assert_eq!(required("f", "   ", 5).unwrap_err().message, "is required");
        assert!(
            required("f", "abcdef", 5)
                .unwrap_err()
                .message
                .contains("at most 5")
        );
        assert_eq!(optional("f", "", 5).unwrap(), "");
        assert!(optional("f", "a\0b", 5).is_err());
        assert!(line("f", "two\nlines", 50).is_err());
        assert_eq!(yes_no("f", "Yes"), Ok(true));
        assert_eq!(yes_no("f", ""), Ok(false));
        assert!(yes_no("f", "maybe").is_err());
    }

    #[test]
    fn a_rationale_is_required_trimmed_and_limited() {
        assert_eq!(
            Rationale::new("rationale", "").unwrap_err(),
            InvalidInput::new("rationale", "is required")
        );
        assert_eq!(
            Rationale::new("reason", " \t\n ").unwrap_err(),
            InvalidInput::new("reason", "is required")
        );
        let r = Rationale::new("rationale", "  because  ").unwrap();
        assert_eq!(r.as_str(), "because");
        assert_eq!(r.to_string(), "because");
        assert_eq!(r.into_string(), "because");

        let exactly = "é".repeat(LONG);
        assert_eq!(
            Rationale::new("justification", &exactly).unwrap().as_str(),
            exactly
        );
        let over = "x".repeat(LONG + 1);
        assert_eq!(
            Rationale::new("justification", &over).unwrap_err(),
            InvalidInput::new(
                "justification",
                "is 20001 characters long; at most 20000 are allowed"
            )
        );
        assert_eq!(
            Rationale::new("involvement", "a\0b").unwrap_err(),
            InvalidInput::new("involvement", "contains a NUL character")
        );
    }
}
