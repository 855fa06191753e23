//! The one sanitiser for untrusted text on its way to a terminal.
//!
//! Text in a case file may have been typed by anyone, imported, or edited
//! from outside ccu. Escape sequences could repaint or take over a terminal
//! and bidirectional overrides can make text read differently from what it
//! is, so every such character is shown as a visible placeholder instead.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0 controls
/// (tab and newline included), DEL, C1 controls, bidirectional controls,
/// zero-width characters and the byte-order mark.
pub fn is_hidden_or_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
    )
}

/// Replaces every character that [`is_hidden_or_control`] names with a
/// visible placeholder: C0 controls and DEL become their Unicode control
/// pictures (ESC shows as `␛`), everything else `<U+XXXX>`.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_or_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).expect("control picture"))
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if is_hidden_or_control(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Neutralises a spreadsheet formula: a cell that begins with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'`, so a spreadsheet
/// shows it as text instead of running it. (Quoting is the CSV writer's.)
pub fn for_csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_neutralised_in_csv_cells() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let safe = for_csv_cell(cell);
            assert!(safe.starts_with('\''), "{cell:?}");
            assert_eq!(&safe[1..], cell);
        }
        assert_eq!(for_csv_cell("Op KESTREL"), "Op KESTREL");
        assert_eq!(for_csv_cell(""), "");
    }

    #[test]
    fn plain_text_passes_through_unchanged() {
        assert!(matches!(
            for_terminal("DS Jane Okafor – Op KESTREL"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_and_invisible_characters_become_visible() {
        assert_eq!(for_terminal("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(for_terminal("line\nnext\ttab"), "line␊next␉tab");
        assert_eq!(for_terminal("del\u{7f}"), "del␡");
        assert_eq!(for_terminal("c1\u{9b}"), "c1<U+009B>");
        assert_eq!(for_terminal("abc\u{202e}fed"), "abc<U+202E>fed");
        assert_eq!(for_terminal("zero\u{200b}width"), "zero<U+200B>width");
        assert_eq!(for_terminal("\u{feff}bom"), "<U+FEFF>bom");
        assert_eq!(for_terminal("iso\u{2066}late"), "iso<U+2066>late");
    }

    #[test]
    fn output_never_contains_a_hidden_or_control_character() {
        let every: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(!for_terminal(&every).chars().any(is_hidden_or_control));
    }
}
