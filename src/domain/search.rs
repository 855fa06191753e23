//! What a user types into search, made into a full-text query that means
//! what they typed. People search for references (`INT-2026-00056`),
//! hyphenated words (`ex-partner`), names with apostrophes (`O'Brien`) and
//! odd words (`NOT`); FTS5 reads each of those as its own syntax and fails.
//!
//! So every word and every `"quoted phrase"` is searched as written: each
//! becomes an FTS5 string, matching its words in order. A word ending in
//! `*` is a prefix (`zepp*`). `OR` and `NOT` in capitals between two terms
//! keep their meaning (`zeppelin OR quokka`, `lanyard NOT stall`);
//! anywhere else they are words. Terms side by side must all match.
//! Parentheses and control characters are read as spaces, and a stray `"`
//! as quoting to the end: nothing a user types is a syntax error.

use super::InvalidInput;

/// The longest search, in characters: far longer than anyone types, short
/// enough that a paste cannot make a query SQLite takes long to plan.
pub const MOST_CHARS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Term { text: String, prefix: bool },
    Or,
    Not,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == '(' || c == ')' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|c| *c != '"').collect();
            out.push(Token::Term {
                text: phrase,
                prefix: false,
            });
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(match word.as_str() {
                "OR" => Token::Or,
                "NOT" => Token::Not,
                _ => {
                    let body = word.trim_end_matches('*');
                    Token::Term {
                        prefix: body.len() < word.len(),
                        text: body.to_owned(),
                    }
                }
            });
        }
    }
    out
}

/// Whether FTS5's tokenizer finds a word in `text` (letters or digits).
fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn quoted(text: &str, prefix: bool) -> String {
    let mut out = format!("\"{}\"", text.replace('"', "\"\""));
    if prefix {
        out.push('*');
    }
    out
}

/// The FTS5 query for what the user typed; bad input only when there is
/// nothing to search for, or far too much.
pub fn fts_query(text: &str) -> Result<String, InvalidInput> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(InvalidInput::new("search", "type something to search for"));
    }
    let chars = trimmed.chars().count();
    if chars > MOST_CHARS {
        return Err(InvalidInput::new(
            "search",
            format!("is {chars} characters long; at most {MOST_CHARS} are searched"),
        ));
    }
    // Control characters (a NUL would end the query early) are spaces.
    let cleaned: String = trimmed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let tokens = tokens(&cleaned);
    // An operator counts only between two terms; elsewhere it is a word.
    let is_term =
        |t: Option<&Token>| matches!(t, Some(Token::Term { text, .. }) if has_words(text));
    let mut parts: Vec<String> = Vec::new();
    let mut last_was_term = false;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Term { text, prefix } => {
                if has_words(text) {
                    parts.push(quoted(text, *prefix));
                    last_was_term = true;
                }
            }
            Token::Or | Token::Not => {
                let word = if *token == Token::Or { "OR" } else { "NOT" };
                if last_was_term && is_term(tokens.get(i + 1)) {
                    parts.push(word.to_owned());
                } else {
                    parts.push(quoted(word, false));
                    last_was_term = true;
                    continue;
                }
                last_was_term = false;
            }
        }
    }
    if parts.is_empty() {
        return Err(InvalidInput::new(
            "search",
            format!("'{trimmed}' has no letters or digits to search for"),
        ));
    }
    Ok(parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> String {
        fts_query(text).unwrap()
    }

    #[test]
    fn what_users_type_is_searched_as_written() {
        assert_eq!(q("INT-2026-00056"), "\"INT-2026-00056\"");
        assert_eq!(q("ex-partner"), "\"ex-partner\"");
        assert_eq!(q("O'Brien"), "\"O'Brien\"");
        assert_eq!(q("NOT"), "\"NOT\"");
        assert_eq!(q("OR NOT"), "\"OR\" \"NOT\"");
        assert_eq!(q("nosuchcolumn:word"), "\"nosuchcolumn:word\"");
        assert_eq!(q("  lanyard   stall "), "\"lanyard\" \"stall\"");
    }

    #[test]
    fn phrases_prefixes_or_and_not_keep_their_meaning() {
        assert_eq!(q("\"Lee Lanyard\""), "\"Lee Lanyard\"");
        assert_eq!(q("zepp*"), "\"zepp\"*");
        assert_eq!(q("zeppelin OR quokka"), "\"zeppelin\" OR \"quokka\"");
        assert_eq!(q("lanyard NOT stall"), "\"lanyard\" NOT \"stall\"");
        // Lower case is a word, not an operator.
        assert_eq!(q("cats or dogs"), "\"cats\" \"or\" \"dogs\"");
    }

    #[test]
    fn an_operator_without_a_term_on_each_side_is_a_word() {
        assert_eq!(q("NOT lanyard"), "\"NOT\" \"lanyard\"");
        assert_eq!(q("lanyard OR"), "\"lanyard\" \"OR\"");
        assert_eq!(q("a OR OR b"), "\"a\" \"OR\" OR \"b\"");
        assert_eq!(q("lanyard NOT \"\""), "\"lanyard\" \"NOT\"");
    }

    #[test]
    fn stray_quotes_brackets_and_punctuation_are_no_syntax_error() {
        assert_eq!(q("\"unbalanced"), "\"unbalanced\"");
        assert_eq!(q("say \"hi"), "\"say\" \"hi\"");
        assert_eq!(q("(a OR b)"), "\"a\" OR \"b\"");
        assert_eq!(q("a\"b"), "\"a\" \"b\"");
        assert_eq!(q("***x"), "\"***x\"");
        assert_eq!(q("A\0B\u{1b}[2J"), "\"A\" \"B\" \"[2J\"");
        assert!(fts_query("*** !!").is_err());
        assert_eq!(
            fts_query("--").unwrap_err().message,
            "'--' has no letters or digits to search for"
        );
        assert_eq!(
            fts_query("  ").unwrap_err().message,
            "type something to search for"
        );
        let long = "a".repeat(MOST_CHARS + 1);
        assert!(
            fts_query(&long)
                .unwrap_err()
                .message
                .contains("at most 1000")
        );
    }
}
