//! Free text typed or imported by users: required or optional, with limits.

use super::InvalidInput;

/// The limit of a long free-text field, in characters: a rationale, a
/// reason, a justification, a description, lessons learned. One limit,
/// which forms and the store both check, so nothing a form accepts is
/// refused on saving.
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
}
