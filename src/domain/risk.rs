//! The subject risk matrix (seed 003 paras 25-27): "key characteristics
//! that are related to police employees who commit or attempt to commit
//! offences against vulnerable people", each with a weight, and "a
//! benchmark ... that defines a person(s) who may offend". An assessment
//! records which characteristics apply to a subject, with the evidence for
//! each; its score is the sum of their weights. The score decides nothing:
//! one at or over the benchmark goes to a supervisor, who records an
//! intervention with the reasons for it.

use super::InvalidInput;
use super::permission::Declared;
use super::role::Role::{Investigator, Supervisor};
use super::text;
use super::urn::{Urn, UrnKind};

/// Recording an assessment of a subject against the matrix.
pub const ASSESS: Declared = Declared::case_write(
    "record a risk assessment of a subject",
    &[Investigator, Supervisor],
);

/// Changing the matrix (a characteristic, a weight, the benchmark).
pub const MAINTAIN: Declared = Declared::case_write("change the risk matrix", &[Supervisor]);

/// Recording the intervention an assessment at or over the benchmark led to.
pub const INTERVENE: Declared =
    Declared::case_write("record an intervention on a risk assessment", &[Supervisor]);

/// The most characteristics a matrix holds (the assessment form has a
/// line for each).
pub const MOST_CHARACTERISTICS: usize = 16;

/// The heaviest weight one characteristic may carry.
pub const MOST_WEIGHT: u32 = 10;

/// The longest characteristic code, in characters.
pub const CODE_CHARS: usize = 30;

/// The longest characteristic label, in characters.
pub const LABEL_CHARS: usize = 120;

/// One characteristic: its code (stable across versions), what it is
/// called, what it means in practice, and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Characteristic {
    pub code: String,
    pub label: String,
    pub description: String,
    pub weight: u32,
}

impl Characteristic {
    pub fn new(
        code: &str,
        label: &str,
        description: &str,
        weight: u32,
    ) -> Result<Characteristic, InvalidInput> {
        if weight == 0 || weight > MOST_WEIGHT {
            return Err(InvalidInput::new(
                "weight",
                format!("{weight} is not a weight from 1 to {MOST_WEIGHT}"),
            ));
        }
        Ok(Characteristic {
            code: code_of(code)?,
            label: text::line("label", label, LABEL_CHARS)?,
            description: text::required("description", description, text::STATEMENT)?,
            weight,
        })
    }
}

/// A characteristic's code: lower-case letters, digits and `-`.
pub fn code_of(text: &str) -> Result<String, InvalidInput> {
    let code = text.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.chars().count() > CODE_CHARS
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(InvalidInput::new(
            "characteristic",
            format!(
                "'{}' is not a code of 1 to {CODE_CHARS} letters, digits and '-'",
                text.trim()
            ),
        ));
    }
    Ok(code)
}

/// The characteristics and the benchmark, as one version of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub characteristics: Vec<Characteristic>,
    pub benchmark: u32,
}

/// One change to the matrix, which makes its next version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revision {
    /// Adds a characteristic, or replaces the one with its code.
    Set(Characteristic),
    /// Takes a characteristic out of the matrix (old assessments keep it).
    Withdraw(String),
    /// Sets the benchmark score.
    Benchmark(u32),
}

/// The default set, version 1: (code, label, weight, description). The
/// weights follow what inspections of abuse of position for a sexual
/// purpose found before offending: contact and approaches to victims
/// outside any policing purpose weigh most (5), system misuse and earlier
/// reports of the same kind next (4), and circumstances that give
/// opportunity rather than show intent least (2 or 3). docs/prevention.md gives
/// the reasoning for each.
pub const DEFAULT_SET: &[(&str, &str, u32, &str)] = &[
    (
        "victim-contact",
        "Repeated unnecessary contact with victims",
        5,
        "Visits, calls or messages to victims or witnesses beyond what the investigation needs, especially to the vulnerable; the pattern most often seen before abuse of position.",
    ),
    (
        "social-media",
        "Off-duty contact through social media",
        5,
        "Friend requests, private messages or a personal number given to a victim or a member of the public met on duty.",
    ),
    (
        "system-searches",
        "Searches about victims or associates",
        4,
        "Searches on force systems (PNC, PND, the local intelligence and crime systems) about victims or their associates with no policing purpose.",
    ),
    (
        "earlier-reports",
        "Earlier complaints or intelligence",
        4,
        "Complaints, conduct matters or intelligence of a similar kind before, whatever their outcome: a pattern matters more than any one report.",
    ),
    (
        "unsupervised-access",
        "Unsupervised access to vulnerable people",
        3,
        "A role or pattern of work that gives lone access to vulnerable people (safeguarding, domestic abuse, missing persons, custody) with little supervision.",
    ),
    (
        "vetting-issues",
        "Vetting issues",
        3,
        "Adverse vetting information, lapsed or incomplete vetting, or a change of circumstances not declared.",
    ),
    (
        "undeclared-relationship",
        "Undeclared relationship from duty",
        4,
        "A relationship with someone met through duty that was not declared, as the code of ethics requires.",
    ),
    (
        "avoids-oversight",
        "Working that avoids oversight",
        2,
        "Body-worn video not used, visits not logged, or attending calls outside one's own area or role without reason.",
    ),
];

/// The default set's benchmark: one weighty characteristic alone is not
/// enough; two of them with one other is.
pub const DEFAULT_BENCHMARK: u32 = 12;

/// What an assessment found for one characteristic that applies: the
/// intelligence it rests on, and what the assessor says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: String,
    pub intelligence: Vec<Urn>,
    pub note: String,
}

/// The longest note on one finding, in characters.
pub const NOTE_CHARS: usize = 2_000;

impl Finding {
    /// A finding from what was typed for a characteristic: the
    /// intelligence references first (separated by spaces or commas), then
    /// anything else as the note. Either may be left out, not both.
    pub fn parse(code: &str, typed: &str) -> Result<Finding, InvalidInput> {
        let mut intelligence = Vec::new();
        let mut rest = typed.trim();
        loop {
            let word_end = rest.find([' ', ',', ';']).unwrap_or(rest.len());
            let word = &rest[..word_end];
            match Urn::parse(UrnKind::Intelligence, word) {
                Ok(urn) if !word.is_empty() => {
                    if !intelligence.contains(&urn) {
                        intelligence.push(urn);
                    }
                    rest = rest[word_end..].trim_start_matches([' ', ',', ';']);
                }
                _ => break,
            }
        }
        let rest = rest.trim_start_matches([':', '-', ' ']);
        let note = text::optional("evidence", rest, NOTE_CHARS)?;
        if intelligence.is_empty() && note.is_empty() {
            return Err(InvalidInput::new(
                "evidence",
                "give the intelligence it rests on (INT-...) or say what the evidence is",
            ));
        }
        Ok(Finding {
            code: code_of(code)?,
            intelligence,
            note,
        })
    }
}

/// An assessment's score: the weight of each characteristic that applies,
/// in the matrix's order, and their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub parts: Vec<(String, u32)>,
    pub total: u32,
    pub benchmark: u32,
}

impl Score {
    /// Whether it goes to a supervisor's queue.
    pub fn at_or_over(&self) -> bool {
        self.total >= self.benchmark
    }
}

impl Matrix {
    /// Version 1: the default set and its benchmark.
    pub fn default_set() -> Matrix {
        Matrix {
            characteristics: DEFAULT_SET
                .iter()
                .map(|(code, label, weight, description)| Characteristic {
                    code: (*code).to_owned(),
                    label: (*label).to_owned(),
                    description: (*description).to_owned(),
                    weight: *weight,
                })
                .collect(),
            benchmark: DEFAULT_BENCHMARK,
        }
    }

    /// The most an assessment can score.
    pub fn most(&self) -> u32 {
        self.characteristics.iter().map(|c| c.weight).sum()
    }

    pub fn get(&self, code: &str) -> Option<&Characteristic> {
        self.characteristics.iter().find(|c| c.code == code)
    }

    /// The matrix after one change: refused when it would leave no
    /// characteristic, more than [`MOST_CHARACTERISTICS`], or a benchmark
    /// no assessment could reach.
    pub fn revised(&self, revision: &Revision) -> Result<Matrix, InvalidInput> {
        let mut next = self.clone();
        match revision {
            Revision::Set(c) => match next.characteristics.iter().position(|o| o.code == c.code) {
                Some(i) => next.characteristics[i] = c.clone(),
                None if next.characteristics.len() >= MOST_CHARACTERISTICS => {
                    return Err(InvalidInput::new(
                        "characteristic",
                        format!(
                            "the matrix holds at most {MOST_CHARACTERISTICS} characteristics: withdraw one first"
                        ),
                    ));
                }
                None => next.characteristics.push(c.clone()),
            },
            Revision::Withdraw(code) => {
                if self.get(code).is_none() {
                    return Err(InvalidInput::new(
                        "characteristic",
                        format!("there is no characteristic '{code}' in the matrix"),
                    ));
                }
                next.characteristics.retain(|c| &c.code != code);
                if next.characteristics.is_empty() {
                    return Err(InvalidInput::new(
                        "characteristic",
                        "the matrix would be left with no characteristic",
                    ));
                }
            }
            Revision::Benchmark(b) => next.benchmark = *b,
        }
        if next == *self {
            return Err(InvalidInput::new(
                "characteristic",
                "that is what the matrix already says",
            ));
        }
        if next.benchmark == 0 || next.benchmark > next.most() {
            return Err(InvalidInput::new(
                "benchmark",
                format!(
                    "{} is not a benchmark from 1 to {}, the most an assessment can score",
                    next.benchmark,
                    next.most()
                ),
            ));
        }
        Ok(next)
    }

    /// The score of these findings: each characteristic's weight once,
    /// in the matrix's order. A code the matrix does not hold, or one
    /// found twice, is refused.
    pub fn score(&self, findings: &[Finding]) -> Result<Score, InvalidInput> {
        for (i, f) in findings.iter().enumerate() {
            if self.get(&f.code).is_none() {
                return Err(InvalidInput::new(
                    "characteristic",
                    format!("there is no characteristic '{}' in the matrix now", f.code),
                ));
            }
            if findings[..i].iter().any(|e| e.code == f.code) {
                return Err(InvalidInput::new(
                    "characteristic",
                    format!("'{}' is found twice", f.code),
                ));
            }
        }
        let parts: Vec<(String, u32)> = self
            .characteristics
            .iter()
            .filter(|c| findings.iter().any(|f| f.code == c.code))
            .map(|c| (c.code.clone(), c.weight))
            .collect();
        Ok(Score {
            total: parts.iter().map(|(_, w)| w).sum(),
            parts,
            benchmark: self.benchmark,
        })
    }
}

/// What a supervisor decides an assessment calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intervention {
    ManagementDiscussion,
    RoleChange,
    RestrictedDuties,
    VettingReferral,
    /// Covert methods, which go through the threshold process on an
    /// operation: recording this authorises nothing.
    CovertMethods,
    /// Considered, and nothing more is needed now.
    NoFurtherAction,
}

impl Intervention {
    pub const ALL: [Intervention; 6] = [
        Intervention::ManagementDiscussion,
        Intervention::RoleChange,
        Intervention::RestrictedDuties,
        Intervention::VettingReferral,
        Intervention::CovertMethods,
        Intervention::NoFurtherAction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Intervention::ManagementDiscussion => "management-discussion",
            Intervention::RoleChange => "role-change",
            Intervention::RestrictedDuties => "restricted-duties",
            Intervention::VettingReferral => "vetting-referral",
            Intervention::CovertMethods => "covert-methods",
            Intervention::NoFurtherAction => "no-further-action",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Intervention::ManagementDiscussion => "management discussion",
            Intervention::RoleChange => "role change",
            Intervention::RestrictedDuties => "restricted duties",
            Intervention::VettingReferral => "referral to vetting",
            Intervention::CovertMethods => "covert methods (threshold process)",
            Intervention::NoFurtherAction => "no further action now",
        }
    }

    pub fn parse(text: &str) -> Result<Intervention, InvalidInput> {
        let key = text.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Intervention::ALL
            .into_iter()
            .find(|i| i.code() == key)
            .ok_or_else(|| {
                let all: Vec<&str> = Intervention::ALL.iter().map(|i| i.code()).collect();
                InvalidInput::new(
                    "intervention",
                    format!("'{}' is not one of {}", text.trim(), all.join(", ")),
                )
            })
    }

    /// What follows from recording it, where something must be done
    /// elsewhere.
    pub fn next_step(self) -> Option<&'static str> {
        match self {
            Intervention::CovertMethods => Some(
                "covert methods need the threshold process: propose a threshold on the subject's operation (P on the open operation); this records no authority",
            ),
            _ => None,
        }
    }
}

/// A subject's scores, oldest first, as a trend: `12 → 18 → 21
/// (benchmark 15)`, against the latest assessment's benchmark.
pub fn trend(scores: &[u32], benchmark: u32) -> String {
    let shown: Vec<String> = scores.iter().map(u32::to_string).collect();
    format!("{} (benchmark {benchmark})", shown.join(" → "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(weights: &[(&str, u32)], benchmark: u32) -> Matrix {
        Matrix {
            characteristics: weights
                .iter()
                .map(|(code, w)| Characteristic::new(code, code, "what it means", *w).unwrap())
                .collect(),
            benchmark,
        }
    }

    fn found(codes: &[&str]) -> Vec<Finding> {
        codes
            .iter()
            .map(|c| Finding::parse(c, "seen in the duty log").unwrap())
            .collect()
    }

    #[test]
    fn a_score_is_the_sum_of_the_weights_that_apply_in_the_matrix_order() {
        let m = matrix(&[("a", 5), ("b", 4), ("c", 3), ("d", 2)], 9);
        // (found, total, breakdown, at or over the benchmark)
        type Row = (
            &'static [&'static str],
            u32,
            &'static [(&'static str, u32)],
            bool,
        );
        let table: &[Row] = &[
            (&[], 0, &[], false),
            (&["c"], 3, &[("c", 3)], false),
            (&["a", "b"], 9, &[("a", 5), ("b", 4)], true),
            (&["b", "a"], 9, &[("a", 5), ("b", 4)], true),
            (&["d", "c", "b"], 9, &[("b", 4), ("c", 3), ("d", 2)], true),
            (&["a", "c"], 8, &[("a", 5), ("c", 3)], false),
            (
                &["a", "b", "c", "d"],
                14,
                &[("a", 5), ("b", 4), ("c", 3), ("d", 2)],
                true,
            ),
        ];
        for (codes, total, parts, over) in table {
            let s = m.score(&found(codes)).unwrap();
            assert_eq!(s.total, *total, "{codes:?}");
            let parts: Vec<(String, u32)> =
                parts.iter().map(|(c, w)| ((*c).to_owned(), *w)).collect();
            assert_eq!(s.parts, parts, "{codes:?}");
            assert_eq!(s.at_or_over(), *over, "{codes:?}");
            assert_eq!(s.benchmark, 9);
        }
    }

    #[test]
    fn the_default_set_scores_as_documented() {
        let m = Matrix::default_set();
        assert_eq!(m.characteristics.len(), 8);
        assert_eq!(m.most(), 30);
        assert_eq!(m.benchmark, 12);
        let table: &[(&[&str], u32, bool)] = &[
            (&["victim-contact"], 5, false),
            (&["victim-contact", "social-media"], 10, false),
            (
                &["victim-contact", "social-media", "avoids-oversight"],
                12,
                true,
            ),
            (
                &["system-searches", "earlier-reports", "vetting-issues"],
                11,
                false,
            ),
            (
                &[
                    "system-searches",
                    "earlier-reports",
                    "unsupervised-access",
                    "vetting-issues",
                ],
                14,
                true,
            ),
        ];
        for (codes, total, over) in table {
            let s = m.score(&found(codes)).unwrap();
            assert_eq!((s.total, s.at_or_over()), (*total, *over), "{codes:?}");
        }
        for (code, label, weight, description) in DEFAULT_SET {
            let c = Characteristic::new(code, label, description, *weight).unwrap();
            assert_eq!(c.code, *code, "each default is a valid characteristic");
        }
    }

    #[test]
    fn a_score_refuses_an_unknown_or_repeated_characteristic() {
        let m = matrix(&[("a", 5), ("b", 4)], 5);
        let e = m.score(&found(&["z"])).unwrap_err();
        assert_eq!(
            e.message,
            "there is no characteristic 'z' in the matrix now"
        );
        let e = m.score(&found(&["a", "a"])).unwrap_err();
        assert_eq!(e.message, "'a' is found twice");
    }

    #[test]
    fn a_revision_makes_the_next_matrix_or_says_why_not() {
        let m = matrix(&[("a", 5), ("b", 4)], 6);
        let heavier = m
            .revised(&Revision::Set(
                Characteristic::new("b", "b", "x", 7).unwrap(),
            ))
            .unwrap();
        assert_eq!(heavier.get("b").unwrap().weight, 7);
        let added = m
            .revised(&Revision::Set(
                Characteristic::new("c", "c", "x", 1).unwrap(),
            ))
            .unwrap();
        assert_eq!(added.most(), 10);
        assert_eq!(m.revised(&Revision::Benchmark(9)).unwrap().benchmark, 9);
        let e = m.revised(&Revision::Benchmark(10)).unwrap_err();
        assert_eq!(
            e.message,
            "10 is not a benchmark from 1 to 9, the most an assessment can score"
        );
        assert_eq!(
            m.revised(&Revision::Benchmark(0)).unwrap_err().field,
            "benchmark"
        );
        // Withdrawing "a" would leave 4, under the benchmark of 6.
        assert_eq!(
            m.revised(&Revision::Withdraw("a".into()))
                .unwrap_err()
                .field,
            "benchmark"
        );
        assert!(m.revised(&Revision::Withdraw("z".into())).is_err());
        assert_eq!(
            m.revised(&Revision::Benchmark(6)).unwrap_err().message,
            "that is what the matrix already says"
        );
        let one = matrix(&[("a", 5)], 5);
        assert!(one.revised(&Revision::Withdraw("a".into())).is_err());
        assert!(Characteristic::new("a", "a", "x", 0).is_err());
        assert!(Characteristic::new("a", "a", "x", 11).is_err());
        assert!(Characteristic::new("a b", "a", "x", 1).is_err());
    }

    #[test]
    fn a_finding_reads_its_intelligence_then_its_note() {
        let f = Finding::parse(
            "victim-contact",
            "INT-2026-00003, int-2026-00007 three visits to the victim after the case closed",
        )
        .unwrap();
        assert_eq!(
            f.intelligence
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["INT-2026-00003", "INT-2026-00007"]
        );
        assert_eq!(f.note, "three visits to the victim after the case closed");
        let only = Finding::parse("a", "INT-2026-00003").unwrap();
        assert!(only.note.is_empty());
        let note = Finding::parse("a", "duty log shows visits").unwrap();
        assert!(note.intelligence.is_empty());
        assert_eq!(Finding::parse("a", "  ").unwrap_err().field, "evidence");
    }

    #[test]
    fn an_intervention_parses_and_covert_methods_point_to_the_threshold() {
        for i in Intervention::ALL {
            assert_eq!(Intervention::parse(i.code()).unwrap(), i);
        }
        assert!(Intervention::parse("sack them").is_err());
        assert!(
            Intervention::CovertMethods
                .next_step()
                .unwrap()
                .contains("threshold")
        );
        assert_eq!(Intervention::RoleChange.next_step(), None);
    }

    #[test]
    fn a_trend_reads_oldest_first() {
        assert_eq!(trend(&[12, 18, 21], 15), "12 → 18 → 21 (benchmark 15)");
        assert_eq!(trend(&[4], 12), "4 (benchmark 12)");
    }
}
