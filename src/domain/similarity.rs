//! How much of one piece of reasoning is already written elsewhere, so that
//! templated wording is visible (IPCO inspection reports criticise generic
//! proportionality and collateral-intrusion text, and reviews that repeat
//! the application). ccu never writes reasoning; it only shows where the
//! words came from.
//!
//! The measure: both texts are normalised to words (lower case, letters and
//! digits only, everything else a separator), the words are taken in
//! overlapping runs of [`SHINGLE_WORDS`] (word shingles), and the score is
//! the *containment* of the new text in the earlier one: the share of the
//! new text's distinct shingles that the earlier text also has. A paragraph
//! copied into a longer text scores 100% however much is added around it;
//! rewording breaks the runs and the score falls quickly. A text shorter
//! than [`MIN_WORDS`] words is never scored: a short phrase is shared by
//! chance, and says too little to be called a template.

use std::collections::HashSet;

/// Words in each shingle.
pub const SHINGLE_WORDS: usize = 3;

/// Texts with fewer words than this are not compared.
pub const MIN_WORDS: usize = 8;

/// A score at or above this percentage is shown as near-identical.
pub const FLAG_AT_PERCENT: u8 = 80;

/// A text's normalised word shingles, ready to compare. Empty when the
/// text is too short to be compared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shingles(HashSet<Vec<String>>);

impl Shingles {
    pub fn of(text: &str) -> Shingles {
        let words = words(text);
        if words.len() < MIN_WORDS {
            return Shingles::default();
        }
        Shingles(
            words
                .windows(SHINGLE_WORDS)
                .map(<[String]>::to_vec)
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The percentage (0 to 100, rounded down) of this text's shingles that
    /// `earlier` has too; 0 if either is too short to compare.
    pub fn contained_in(&self, earlier: &Shingles) -> u8 {
        if self.0.is_empty() || earlier.0.is_empty() {
            return 0;
        }
        let shared = self.0.intersection(&earlier.0).count();
        // At most 100, so the conversion cannot fail.
        u8::try_from(shared * 100 / self.0.len()).unwrap_or(100)
    }
}

/// The words of `text`, normalised: lower case, runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// One near-identical earlier text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<K> {
    /// What the earlier text was, as the caller names it.
    pub earlier: K,
    pub percent: u8,
}

/// The earlier text that contains most of `text`, if any reaches
/// [`FLAG_AT_PERCENT`]. Ties go to the first candidate given.
pub fn best_match<K>(
    text: &str,
    earlier: impl IntoIterator<Item = (K, String)>,
) -> Option<Match<K>> {
    let earlier: Vec<(K, Shingles)> = earlier
        .into_iter()
        .map(|(k, t)| (k, Shingles::of(&t)))
        .collect();
    let found = best_among(text, earlier.iter().enumerate().map(|(i, (_, s))| (i, s)))?;
    let (key, _) = earlier.into_iter().nth(found.earlier)?;
    Some(Match {
        earlier: key,
        percent: found.percent,
    })
}

/// [`best_match`] over texts already made into shingles, so that several
/// new texts can be compared with the same earlier ones.
pub fn best_among<'a, K>(
    text: &str,
    earlier: impl IntoIterator<Item = (K, &'a Shingles)>,
) -> Option<Match<K>> {
    let new = Shingles::of(text);
    if new.is_empty() {
        return None;
    }
    let mut best: Option<Match<K>> = None;
    for (key, other) in earlier {
        let percent = new.contained_in(other);
        if percent >= FLAG_AT_PERCENT && best.as_ref().is_none_or(|b| percent > b.percent) {
            best = Some(Match {
                earlier: key,
                percent,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "The surveillance is proportionate because it is limited to public \
        places, will last no longer than necessary, and the least intrusive means have been \
        considered and found inadequate.";

    fn score(new: &str, earlier: &str) -> u8 {
        Shingles::of(new).contained_in(&Shingles::of(earlier))
    }

    #[test]
    fn a_copied_proportionality_paragraph_is_flagged() {
        // Copied whole, with different case, spacing and punctuation.
        let copied = TEMPLATE.to_uppercase().replace(", ", " ; ");
        assert_eq!(score(&copied, TEMPLATE), 100);
        // Copied inside a longer text: the new text is mostly the template.
        let padded = format!("{TEMPLATE} Two officers only.");
        assert!(
            score(&padded, TEMPLATE) >= FLAG_AT_PERCENT,
            "{}",
            score(&padded, TEMPLATE)
        );
        let found = best_match(
            &copied,
            [
                (
                    "AUTH-2026-0001",
                    "Something else entirely about a different operation and its reasons".into(),
                ),
                ("AUTH-2026-0003", TEMPLATE.to_string()),
            ],
        )
        .unwrap();
        assert_eq!(found.earlier, "AUTH-2026-0003");
        assert_eq!(found.percent, 100);
    }

    #[test]
    fn a_genuinely_different_paragraph_is_not_flagged() {
        let different = "Observation is confined to the two evenings a week the subject \
            visits the victim's street, from a parked vehicle, so neighbours are not watched; \
            covert contact with the victim was rejected as it would put her at risk.";
        assert!(
            score(different, TEMPLATE) < 20,
            "{}",
            score(different, TEMPLATE)
        );
        assert_eq!(
            best_match(different, [("AUTH-2026-0003", TEMPLATE.to_string())]),
            None
        );
        // Sharing a few stock words is not sharing the reasoning.
        let stock = "It is proportionate because the least intrusive means, a review of the \
            duty rosters, showed nothing about the contact after shifts.";
        assert!(
            score(stock, TEMPLATE) < FLAG_AT_PERCENT,
            "{}",
            score(stock, TEMPLATE)
        );
    }

    #[test]
    fn short_texts_are_never_compared() {
        assert!(Shingles::of("Necessary and proportionate").is_empty());
        assert_eq!(
            score("Necessary and proportionate", "Necessary and proportionate"),
            0
        );
        assert_eq!(
            words(" Über-große  CASE, 42! "),
            ["über", "große", "case", "42"]
        );
    }

    #[test]
    fn the_highest_score_wins_and_ties_go_to_the_first() {
        let half: String = TEMPLATE.split(' ').take(16).collect::<Vec<_>>().join(" ");
        let found = best_match(
            TEMPLATE,
            [
                ("first", TEMPLATE.to_string()),
                ("half", half),
                ("second", TEMPLATE.to_string()),
            ],
        )
        .unwrap();
        assert_eq!((found.earlier, found.percent), ("first", 100));
    }
}
