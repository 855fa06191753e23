//! The one sanitiser for untrusted text on its way to a terminal.
//!
//! Text in a case file may have been typed by anyone, imported, or edited
//! from outside ccu. Escape sequences could repaint or take over a terminal
//! and bidirectional overrides can make text read differently from what it
//! is, so every such character is shown as a visible placeholder instead.
//! Machine formats stay lossless: [`for_json_output`] writes each such
//! character as a JSON `\uXXXX` escape, which parses back to itself.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0 controls
/// (tab and newline included), DEL, C1 controls, bidirectional controls,
/// zero-width and other invisible characters (the soft hyphen, the
/// combining grapheme joiner, the Mongolian vowel separator, Hangul
/// fillers, interlinear annotation marks), the byte-order mark, and the
/// tag characters U+E0000 to U+E007F, which can carry a whole hidden text.
/// Variation selectors stay: emoji need them, and they hide no text.
pub fn is_hidden_or_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{34f}'
        | '\u{61c}'
        | '\u{115f}'..='\u{1160}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{3164}'
        | '\u{feff}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// Whether `text` holds a character [`is_hidden_or_control`] names (other
/// than those `allowed`). Printable ASCII, which most text is, is passed
/// over a byte at a time; only text with other bytes is read by character.
fn holds_hidden(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    // A fold rather than `all`, so that it is not cut short and the
    // compiler can check many bytes at once: b is 0x20 to 0x7e exactly
    // when b - 0x20, wrapping, is below 0x5f.
    if text
        .bytes()
        .fold(true, |plain, b| plain & (b.wrapping_sub(0x20) < 0x5f))
    {
        return false;
    }
    text.chars().any(|c| is_hidden_or_control(c) && !allowed(c))
}

/// Replaces every character that [`is_hidden_or_control`] names with a
/// visible placeholder: C0 controls and DEL become their Unicode control
/// pictures (ESC shows as `␛`), everything else `<U+XXXX>`.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !holds_hidden(text, |_| false) {
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

/// Makes one CSV cell safe to `cat` and to open in a spreadsheet: every
/// character that [`is_hidden_or_control`] names is shown as
/// [`for_terminal`] shows it (so a CR or LF inside a cell becomes `␍` or
/// `␊` and never breaks a record), and then a cell that begins with `=`,
/// `+`, `-` or `@` gets a leading `'`, so a spreadsheet shows it as text
/// instead of running it. (Quoting is the CSV writer's.)
pub fn for_csv_cell(text: &str) -> Cow<'_, str> {
    let visible = for_terminal(text);
    if visible.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{visible}"))
    } else {
        visible
    }
}

/// Makes JSON text safe to print, losslessly: every character that
/// [`is_hidden_or_control`] names is written as a JSON `\uXXXX` escape,
/// except the tab, line feed and carriage return of the JSON text's own
/// layout. A JSON parser reads the result back to exactly the same value.
///
/// `json` must be valid JSON (as `serde_json` writes it): there, a C0
/// control can only be layout (inside a string it must already be
/// escaped), and every other such character can only be inside a string,
/// where `\uXXXX` means the same character (a character beyond the Basic
/// Multilingual Plane would be written as its UTF-16 surrogate pair).
pub fn for_json_output(json: &str) -> Cow<'_, str> {
    let layout = |c: char| matches!(c, '\t' | '\n' | '\r');
    let escaped = |c: char| is_hidden_or_control(c) && !layout(c);
    if !holds_hidden(json, layout) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escaped(c) {
            // A tag character, beyond the BMP, as its surrogate pair.
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends a value as compact JSON text, safe to print (see
/// [`for_json_output`]), to `out`: for writing many without copying each.
pub fn write_json<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> serde_json::Result<()> {
    let start = out.len();
    serde_json::to_writer(&mut *out, value)?;
    let text = std::str::from_utf8(&out[start..]).expect("serde_json writes UTF-8");
    if let Cow::Owned(safe) = for_json_output(text) {
        out.truncate(start);
        out.extend_from_slice(safe.as_bytes());
    }
    Ok(())
}

/// A value as compact JSON text, safe to print (see [`for_json_output`]).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(|j| for_json_output(&j).into_owned())
}

/// A value as indented JSON text, safe to print (see [`for_json_output`]).
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(|j| for_json_output(&j).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printable_ascii_shortcut_agrees_with_reading_every_character() {
        // Every character up to U+00FF, and the rest that are named, alone
        // and amid plain text: the shortcut may only skip text with none.
        let named = [
            '\u{34f}',
            '\u{200b}',
            '\u{202e}',
            '\u{feff}',
            '\u{e0041}',
            'é',
            '€',
        ];
        for c in (0u32..=0xff).filter_map(char::from_u32).chain(named) {
            for text in [
                c.to_string(),
                format!("plain {c} text"),
                format!("{}{c}", "x".repeat(40)),
            ] {
                assert_eq!(
                    holds_hidden(&text, |_| false),
                    text.chars().any(is_hidden_or_control),
                    "{text:?}"
                );
            }
        }
        let mut out = b"[".to_vec();
        write_json(&mut out, "tab\there\u{202e}").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"["tab\there\u202e""#);
    }

    #[test]
    fn formula_prefixes_are_neutralised_in_csv_cells() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)"] {
            let safe = for_csv_cell(cell);
            assert!(safe.starts_with('\''), "{cell:?}");
            assert_eq!(&safe[1..], cell);
        }
        assert_eq!(for_csv_cell("Op KESTREL"), "Op KESTREL");
        assert!(matches!(for_csv_cell("Op KESTREL"), Cow::Borrowed(_)));
        assert_eq!(for_csv_cell(""), "");
    }

    #[test]
    fn csv_cells_carry_no_control_or_invisible_character() {
        assert_eq!(for_csv_cell("\tx"), "␉x");
        assert_eq!(for_csv_cell("\rx"), "␍x");
        assert_eq!(for_csv_cell("two\r\nlines"), "two␍␊lines");
        assert_eq!(
            for_csv_cell("\u{1b}]0;pwned\u{7}\u{1b}[2J=cmd"),
            "␛]0;pwned␇␛[2J=cmd"
        );
        assert_eq!(for_csv_cell("\u{202e}=x"), "<U+202E>=x");
        // Tag characters spell out hidden text; each is shown.
        assert_eq!(for_csv_cell("ok\u{e0069}\u{e0067}"), "ok<U+E0069><U+E0067>");
        assert_eq!(for_csv_cell("soft\u{ad}hyphen"), "soft<U+00AD>hyphen");
        // An emoji's variation selector is not hidden text.
        assert_eq!(for_csv_cell("\u{2764}\u{fe0f}"), "\u{2764}\u{fe0f}");
        // A formula behind an invisible character is still a formula to
        // some spreadsheets; shown, it is text and starts with `<`.
        assert_eq!(for_csv_cell("\u{200b}=1+1"), "<U+200B>=1+1");
        assert_eq!(for_csv_cell("=\u{9b}"), "'=<U+009B>");
        let every: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(!for_csv_cell(&every).chars().any(is_hidden_or_control));
    }

    /// Hostile strings for the JSON round trip.
    fn hostile() -> Vec<String> {
        let mut all: Vec<String> = [
            "\u{1b}]0;pwned\u{7}\u{1b}[2J=cmd",
            "bell\u{7} del\u{7f} csi\u{9b}2J nel\u{85}",
            "abc\u{202e}fed\u{202c} \u{2066}iso\u{2069} \u{61c}",
            "zero\u{200b}width\u{200d}joiner\u{feff}",
            "line\u{2028}sep\u{2029}para",
            "astral \u{1f600} \u{10ffff} \u{e0001}",
            "quote\" back\\slash /solidus",
            "tab\tnl\ncr\r nul\u{0}",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        // Every character up to U+3000, and a deterministic sample of
        // mixtures of the awkward ones with plain and astral characters.
        all.push((0u32..0x3000).filter_map(char::from_u32).collect());
        let pool: Vec<char> = "\u{0}\u{7}\t\n\r\u{1b}\u{1f}\u{7f}\u{80}\u{9b}\u{9f}\u{61c}\u{200b}\u{200f}\u{2028}\u{2029}\u{202a}\u{202e}\u{2060}\u{2066}\u{2069}\u{feff}a\\\"é\u{1f600}\u{10ffff}"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..500 {
            let mut s = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(pool[(state % pool.len() as u64) as usize]);
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            all.push(s);
        }
        all
    }

    #[test]
    fn json_output_round_trips_hostile_text_and_is_safe_to_print() {
        for text in hostile() {
            let value = serde_json::json!({ "text": text, "list": [text, 1] });
            for json in [to_json(&value).unwrap(), to_json_pretty(&value).unwrap()] {
                let back: serde_json::Value = serde_json::from_str(&json).unwrap();
                assert_eq!(back, value, "{text:?}");
                assert_eq!(back["text"].as_str(), Some(text.as_str()));
                assert!(
                    !json
                        .chars()
                        .any(|c| is_hidden_or_control(c) && c != '\n' && c != ' '),
                    "{json:?}"
                );
                assert!(!json.contains("<U+"), "rewritten: {json:?}");
            }
        }
    }

    #[test]
    fn json_output_escapes_exactly_the_hidden_characters() {
        let json = to_json(&"a\u{1b}[2J\u{202e}b\u{200b}\u{7f}\u{9b}\u{2028}\u{1f600}").unwrap();
        assert_eq!(
            json,
            "\"a\\u001b[2J\\u202eb\\u200b\\u007f\\u009b\\u2028\u{1f600}\""
        );
        assert!(matches!(
            for_json_output("{\"a\": \"b\"}\n"),
            Cow::Borrowed(_)
        ));
        let pretty = to_json_pretty(&serde_json::json!({"k": ["v"]})).unwrap();
        assert_eq!(pretty, "{\n  \"k\": [\n    \"v\"\n  ]\n}");
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
