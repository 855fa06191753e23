//! What the covert workflow records and checks: threshold criteria,
//! applications for covert authorisations, reviews and cancellations, and
//! IOPC referrals. Date arithmetic lives in `authorisation` and `referral`.

use chrono::{DateTime, NaiveDate, Utc};

use super::InvalidInput;
use super::account::Username;
use super::authorisation::AuthorisationType;
use super::codes::code_list;
use super::operation::Codename;
use super::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use super::subject::StaffNumber;
use super::tactic::{self, TacticCase};
use super::text;
use super::urn::Urn;

use super::text::LONG;

code_list! {
    /// The outcome of a threshold decision.
    pub enum ThresholdOutcome ("outcome") {
        Met = "met", "Met";
        NotMet = "not-met", "Not met";
        MoreInformation = "more-information", "More information needed";
    }
}

/// The threshold for covert investigation (seed 003, para 33): covert means
/// only where overt steps have failed to negate or corroborate the
/// allegation. A proposal states the overt steps and why they did not
/// negate or corroborate; it may leave the other criteria for later, but
/// "met" needs every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdCriteria {
    pub overt_steps: String,
    pub why_not_enough: String,
    pub seriousness: String,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub confidential_material: String,
    pub review_date: NaiveDate,
}

impl ThresholdCriteria {
    /// The criteria with their names, in the order the form shows them.
    pub fn named(&self) -> [(&'static str, &str); 7] {
        [
            ("overt steps tried", &self.overt_steps),
            (
                "why they did not negate or corroborate",
                &self.why_not_enough,
            ),
            ("seriousness", &self.seriousness),
            ("necessity", &self.necessity),
            ("proportionality", &self.proportionality),
            ("collateral intrusion", &self.collateral_intrusion),
            (
                "confidential or privileged material",
                &self.confidential_material,
            ),
        ]
    }

    #[allow(clippy::too_many_arguments)]
    pub fn new(
        overt_steps: &str,
        why_not_enough: &str,
        seriousness: &str,
        necessity: &str,
        proportionality: &str,
        collateral_intrusion: &str,
        confidential_material: &str,
        review_date: NaiveDate,
    ) -> Result<ThresholdCriteria, InvalidInput> {
        Ok(ThresholdCriteria {
            overt_steps: text::required("overt steps tried", overt_steps, LONG)?,
            why_not_enough: text::required(
                "why they did not negate or corroborate",
                why_not_enough,
                LONG,
            )?,
            seriousness: text::optional("seriousness", seriousness, LONG)?,
            necessity: text::optional("necessity", necessity, LONG)?,
            proportionality: text::optional("proportionality", proportionality, LONG)?,
            collateral_intrusion: text::optional(
                "collateral intrusion",
                collateral_intrusion,
                LONG,
            )?,
            confidential_material: text::optional(
                "confidential or privileged material",
                confidential_material,
                LONG,
            )?,
            review_date,
        })
    }

    /// Checks that `outcome` may be decided on these criteria: "met" needs
    /// every criterion filled.
    pub fn allows(&self, outcome: ThresholdOutcome) -> Result<(), InvalidInput> {
        if outcome != ThresholdOutcome::Met {
            return Ok(());
        }
        let missing: Vec<&str> = self
            .named()
            .iter()
            .filter(|(_, text)| text.trim().is_empty())
            .map(|(name, _)| *name)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(InvalidInput::new(
                "outcome",
                format!(
                    "the threshold cannot be met while these criteria are blank: {}",
                    missing.join(", ")
                ),
            ))
        }
    }
}

/// An application for a covert authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisationApplication {
    pub codename: Codename,
    /// The authorising officer asked to act on it: they are put on the
    /// operation's team as such, so they may see it.
    pub asked: Username,
    pub kind: AuthorisationType,
    pub urgent: bool,
    pub urgency_reason: String,
    pub description: String,
    pub subjects: Vec<StaffNumber>,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    /// Whether confidential or legally privileged material is likely, and
    /// why: never a bare yes or no.
    pub confidential: ConfidentialMaterial,
    /// Dwellings, offices, or legally privileged material: property
    /// interference there needs a Judicial Commissioner's prior approval.
    pub protected_premises: bool,
    /// Each tactic asked for, with its own necessity and proportionality
    /// ([`AuthorisationApplication::with_tactics`]); the case file refuses
    /// an application of a type that lists tactics without them.
    pub tactics: Vec<TacticCase>,
}

impl AuthorisationApplication {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        codename: Codename,
        asked: Username,
        kind: AuthorisationType,
        urgent: bool,
        urgency_reason: &str,
        description: &str,
        subjects: Vec<StaffNumber>,
        necessity: &str,
        proportionality: &str,
        collateral_intrusion: &str,
        confidential: ConfidentialMaterial,
        protected_premises: bool,
    ) -> Result<AuthorisationApplication, InvalidInput> {
        let urgency_reason = text::optional("urgency reason", urgency_reason, LONG)?;
        if urgent && urgency_reason.is_empty() {
            return Err(InvalidInput::new(
                "urgency reason",
                "an urgent application must say why the urgency provisions are used",
            ));
        }
        if !urgent && !urgency_reason.is_empty() {
            return Err(InvalidInput::new(
                "urgency reason",
                "is only for urgent applications",
            ));
        }
        if protected_premises && kind != AuthorisationType::PropertyInterference {
            return Err(InvalidInput::new(
                "protected premises",
                "applies only to property interference",
            ));
        }
        let mut subjects = subjects;
        subjects.sort();
        subjects.dedup();
        Ok(AuthorisationApplication {
            codename,
            asked,
            kind,
            urgent,
            urgency_reason,
            description: text::required("description", description, LONG)?,
            subjects,
            necessity: text::required("necessity", necessity, LONG)?,
            proportionality: text::required("proportionality", proportionality, LONG)?,
            collateral_intrusion: text::required(
                "collateral intrusion",
                collateral_intrusion,
                LONG,
            )?,
            confidential,
            protected_premises,
            tactics: Vec::new(),
        })
    }

    /// The tactics asked for, in order, checked against the type
    /// ([`tactic::check_tactics`]).
    pub fn with_tactics(
        mut self,
        tactics: Vec<TacticCase>,
    ) -> Result<AuthorisationApplication, InvalidInput> {
        tactic::check_tactics(self.kind, &tactics)?;
        self.tactics = tactics;
        Ok(self)
    }
}

/// Whether confidential or legally privileged material is likely to be
/// obtained, with the reason. IPCO inspectors criticise a generic
/// "unlikely": the reason must say why ("unlikely because the subject's
/// solicitor is not in the area watched"), so one that is only a yes or a
/// no in other words, or under three words, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidentialMaterial {
    pub likely: bool,
    pub reason: String,
}

/// Answers that say yes or no without saying why.
const BARE_ANSWERS: &[&str] = &[
    "no",
    "none",
    "nil",
    "n/a",
    "na",
    "unlikely",
    "not likely",
    "likely",
    "yes",
    "none expected",
    "none anticipated",
    "not anticipated",
    "not expected",
    "none known",
    "highly unlikely",
    "very unlikely",
    "it is unlikely",
    "not applicable",
];

/// The fewest words a reason about confidential material may have.
pub const CONFIDENTIAL_REASON_MIN_WORDS: usize = 3;

impl ConfidentialMaterial {
    pub fn new(likely: bool, reason: &str) -> Result<ConfidentialMaterial, InvalidInput> {
        const FIELD: &str = "confidential reason";
        let reason = text::required(FIELD, reason, LONG)?;
        let plain = reason
            .to_lowercase()
            .trim_end_matches(['.', '!'])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let words = plain.split(' ').count();
        if BARE_ANSWERS.contains(&plain.as_str()) || words < CONFIDENTIAL_REASON_MIN_WORDS {
            return Err(InvalidInput::new(
                FIELD,
                format!(
                    "say why confidential or privileged material is {} (\"{}ly because ...\"), not only '{}'",
                    if likely { "likely" } else { "unlikely" },
                    if likely { "like" } else { "unlike" },
                    reason.trim()
                ),
            ));
        }
        Ok(ConfidentialMaterial { likely, reason })
    }
}

code_list! {
    /// What became of the product (the material obtained) when an
    /// authorisation was cancelled.
    pub enum ProductFate ("product") {
        Kept = "kept", "Kept, with a keeper and a review date";
        Destroyed = "destroyed", "Destroyed";
        NoneObtained = "none-obtained", "None was obtained";
    }
}

/// The product's handling at cancellation: who keeps it and when it is
/// next reviewed, or that it was destroyed (or that none was obtained),
/// and the arrangements in words. "A simple confirmation of cancellation
/// is not sufficient" (IPCO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHandling {
    pub fate: ProductFate,
    /// Who keeps it (a person or a role); only when kept.
    pub keeper: String,
    /// When it is next reviewed (UK day); only when kept.
    pub review_on: Option<NaiveDate>,
    /// How it is stored, reviewed or was destroyed.
    pub arrangements: String,
}

impl ProductHandling {
    /// `today` is the UK day of the cancellation: a review date is not
    /// before it.
    pub fn new(
        fate: ProductFate,
        keeper: &str,
        review_on: Option<NaiveDate>,
        arrangements: &str,
        today: NaiveDate,
    ) -> Result<ProductHandling, InvalidInput> {
        let keeper = text::optional("product keeper", keeper, 200)?;
        let arrangements = text::required("material arrangements", arrangements, LONG)?;
        match fate {
            ProductFate::Kept => {
                if keeper.is_empty() {
                    return Err(InvalidInput::new(
                        "product keeper",
                        "kept product needs the person or role who keeps it",
                    ));
                }
                match review_on {
                    None => {
                        return Err(InvalidInput::new(
                            "product review",
                            "kept product needs the date it is next reviewed",
                        ));
                    }
                    Some(day) if day < today => {
                        return Err(InvalidInput::new(
                            "product review",
                            "the next review of the product cannot be in the past",
                        ));
                    }
                    Some(_) => {}
                }
            }
            ProductFate::Destroyed | ProductFate::NoneObtained => {
                if !keeper.is_empty() || review_on.is_some() {
                    return Err(InvalidInput::new(
                        if keeper.is_empty() {
                            "product review"
                        } else {
                            "product keeper"
                        },
                        "is only for product that is kept",
                    ));
                }
            }
        }
        Ok(ProductHandling {
            fate,
            keeper,
            review_on,
            arrangements,
        })
    }
}

code_list! {
    /// Where an authorisation stands. Whether it is in effect also depends
    /// on the time: see [`in_effect`].
    pub enum AuthorisationStatus ("status") {
        Applied = "applied", "Applied for";
        Refused = "refused", "Refused";
        AwaitingApproval = "awaiting-approval", "Granted, awaiting a Judicial Commissioner's approval";
        Granted = "granted", "Granted";
        Cancelled = "cancelled", "Cancelled";
    }
}

/// Whether an authorisation is in effect at `now`: granted (with any
/// approval it needs), and before its end.
pub fn in_effect(
    status: AuthorisationStatus,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == AuthorisationStatus::Granted && ends_at.is_some_and(|end| now < end)
}

/// What cancelling an authorisation records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// When the instruction to stop was given.
    pub stop_instruction_at: DateTime<Utc>,
    pub reason: String,
    pub outcome: String,
    /// What became of the material obtained.
    pub product: ProductHandling,
}

impl Cancellation {
    pub fn new(
        stop_instruction_at: DateTime<Utc>,
        reason: &str,
        outcome: &str,
        product: ProductHandling,
    ) -> Result<Cancellation, InvalidInput> {
        Ok(Cancellation {
            stop_instruction_at,
            reason: text::required("reason", reason, LONG)?,
            outcome: text::required("outcome", outcome, LONG)?,
            product,
        })
    }
}

/// A review re-tests necessity and proportionality now, rather than
/// restating the intelligence case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub necessity: String,
    pub proportionality: String,
    pub continue_: bool,
}

impl Review {
    pub fn new(
        necessity: &str,
        proportionality: &str,
        continue_: bool,
    ) -> Result<Review, InvalidInput> {
        Ok(Review {
            necessity: text::required("necessity", necessity, LONG)?,
            proportionality: text::required("proportionality", proportionality, LONG)?,
            continue_,
        })
    }
}

/// A referral to the IOPC, before it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub codename: Option<Codename>,
    pub force_reference: String,
    pub matter_type: MatterType,
    pub criterion: ReferralCriterion,
    /// The UK day it first became clear that the matter must be referred.
    pub became_clear_on: NaiveDate,
    pub subjects: Vec<StaffNumber>,
    pub summary: String,
    pub covert_sensitive: bool,
    /// Current restrictions on the subjects (suspension, restricted duties).
    pub restrictions: String,
    /// A re-referral of new concerns names the first referral.
    pub re_referral_of: Option<Urn>,
}

impl NewReferral {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        codename: Option<Codename>,
        force_reference: &str,
        matter_type: MatterType,
        criterion: ReferralCriterion,
        became_clear_on: NaiveDate,
        subjects: Vec<StaffNumber>,
        summary: &str,
        covert_sensitive: bool,
        restrictions: &str,
        re_referral_of: Option<Urn>,
    ) -> Result<NewReferral, InvalidInput> {
        let mut subjects = subjects;
        subjects.sort();
        subjects.dedup();
        Ok(NewReferral {
            codename,
            force_reference: text::line("force reference", force_reference, 100)?,
            matter_type,
            criterion,
            became_clear_on,
            subjects,
            summary: text::required("summary", summary, LONG)?,
            covert_sensitive,
            restrictions: text::optional("restrictions", restrictions, LONG)?,
            re_referral_of,
        })
    }
}

/// The IOPC's decision on the mode of investigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IopcDecision {
    pub iopc_reference: String,
    pub mode: ModeOfInvestigation,
    pub decided_on: NaiveDate,
}

impl IopcDecision {
    pub fn new(
        iopc_reference: &str,
        mode: ModeOfInvestigation,
        decided_on: NaiveDate,
    ) -> Result<IopcDecision, InvalidInput> {
        Ok(IopcDecision {
            iopc_reference: text::line("IOPC reference", iopc_reference, 100)?,
            mode,
            decided_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criteria(blank: Option<usize>) -> ThresholdCriteria {
        try_criteria(blank).unwrap()
    }

    fn try_criteria(blank: Option<usize>) -> Result<ThresholdCriteria, InvalidInput> {
        let mut texts = [
            "steps", "why", "serious", "needed", "balanced", "little", "unlikely",
        ]
        .map(String::from);
        if let Some(i) = blank {
            texts[i] = " ".into();
        }
        ThresholdCriteria::new(
            &texts[0],
            &texts[1],
            &texts[2],
            &texts[3],
            &texts[4],
            &texts[5],
            &texts[6],
            NaiveDate::from_ymd_opt(2026, 12, 23).unwrap(),
        )
    }

    #[test]
    fn in_effect_only_when_granted_and_before_the_end() {
        use chrono::TimeZone;
        let end = Utc.with_ymd_and_hms(2026, 4, 14, 23, 0, 0).unwrap();
        let before = end - chrono::Duration::seconds(1);
        assert!(in_effect(AuthorisationStatus::Granted, Some(end), before));
        assert!(!in_effect(AuthorisationStatus::Granted, Some(end), end));
        for status in [
            AuthorisationStatus::Applied,
            AuthorisationStatus::Refused,
            AuthorisationStatus::AwaitingApproval,
            AuthorisationStatus::Cancelled,
        ] {
            assert!(!in_effect(status, Some(end), before), "{status:?}");
        }
    }

    #[test]
    fn a_proposal_states_the_overt_steps_and_why_they_were_not_enough() {
        for (i, field) in [
            (0, "overt steps tried"),
            (1, "why they did not negate or corroborate"),
        ] {
            let err = try_criteria(Some(i)).unwrap_err();
            assert_eq!((err.field, err.message.as_str()), (field, "is required"));
        }
        for i in 2..7 {
            assert!(try_criteria(Some(i)).is_ok(), "criterion {i} may wait");
        }
    }

    #[test]
    fn met_needs_every_criterion_and_other_outcomes_do_not() {
        assert!(criteria(None).allows(ThresholdOutcome::Met).is_ok());
        for i in 2..7 {
            let c = criteria(Some(i));
            let err = c.allows(ThresholdOutcome::Met).unwrap_err();
            assert!(err.message.contains(c.named()[i].0), "{err}");
            assert!(c.allows(ThresholdOutcome::NotMet).is_ok());
            assert!(c.allows(ThresholdOutcome::MoreInformation).is_ok());
        }
    }

    #[test]
    fn urgent_applications_say_why_and_protected_premises_is_for_property() {
        let make = |kind, urgent, reason: &str, premises| {
            AuthorisationApplication::new(
                Codename::parse("KESTREL").unwrap(),
                Username::parse("supt").unwrap(),
                kind,
                urgent,
                reason,
                "d",
                vec![],
                "n",
                "p",
                "c",
                ConfidentialMaterial::new(false, "unlikely because public places only").unwrap(),
                premises,
            )
        };
        assert!(make(AuthorisationType::DirectedSurveillance, true, "", false).is_err());
        assert!(
            make(
                AuthorisationType::DirectedSurveillance,
                true,
                "risk to a victim tonight",
                false
            )
            .is_ok()
        );
        assert!(make(AuthorisationType::DirectedSurveillance, false, "why", false).is_err());
        assert!(make(AuthorisationType::DirectedSurveillance, false, "", true).is_err());
        assert!(make(AuthorisationType::PropertyInterference, false, "", true).is_ok());
    }

    #[test]
    fn confidential_material_needs_a_reason_not_a_yes_or_no() {
        // (likely, reason, accepted)
        let table = [
            (
                false,
                "Unlikely because the subject is watched only at work",
                true,
            ),
            (
                true,
                "Likely because the office shares a floor with a solicitor",
                true,
            ),
            (false, "", false),
            (false, "unlikely", false),
            (false, "Unlikely.", false),
            (false, "None expected", false),
            (false, "  highly   UNLIKELY ", false),
            (true, "yes", false),
            (false, "not at work", true),
            (false, "no lawyers", false),
        ];
        for (likely, reason, accepted) in table {
            let result = ConfidentialMaterial::new(likely, reason);
            assert_eq!(result.is_ok(), accepted, "{reason:?}");
            if let Err(err) = result {
                assert_eq!(err.field, "confidential reason");
            }
        }
        let err = ConfidentialMaterial::new(false, "Unlikely").unwrap_err();
        assert_eq!(
            err.message,
            "say why confidential or privileged material is unlikely (\"unlikely because ...\"), not only 'Unlikely'"
        );
    }

    #[test]
    fn a_cancellation_says_who_keeps_the_product_and_when_it_is_reviewed_or_that_it_went() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let later = NaiveDate::from_ymd_opt(2026, 8, 1);
        let past = NaiveDate::from_ymd_opt(2026, 1, 31);
        // (fate, keeper, review, arrangements, refused beside)
        let table = [
            (
                ProductFate::Kept,
                "Disclosure officer",
                later,
                "Exhibits store",
                None,
            ),
            (
                ProductFate::Kept,
                "",
                later,
                "Exhibits store",
                Some("product keeper"),
            ),
            (
                ProductFate::Kept,
                "Disclosure officer",
                None,
                "Exhibits store",
                Some("product review"),
            ),
            (
                ProductFate::Kept,
                "Disclosure officer",
                past,
                "Exhibits store",
                Some("product review"),
            ),
            (
                ProductFate::Kept,
                "Disclosure officer",
                later,
                " ",
                Some("material arrangements"),
            ),
            (
                ProductFate::Destroyed,
                "",
                None,
                "Shredded 1/2/2026, witnessed",
                None,
            ),
            (
                ProductFate::Destroyed,
                "Someone",
                None,
                "Shredded",
                Some("product keeper"),
            ),
            (
                ProductFate::Destroyed,
                "",
                later,
                "Shredded",
                Some("product review"),
            ),
            (
                ProductFate::NoneObtained,
                "",
                None,
                "Nothing was seen or recorded",
                None,
            ),
            (
                ProductFate::NoneObtained,
                "",
                None,
                "",
                Some("material arrangements"),
            ),
        ];
        for (fate, keeper, review, arrangements, refused) in table {
            let result = ProductHandling::new(fate, keeper, review, arrangements, today);
            assert_eq!(
                result.as_ref().err().map(|e| e.field),
                refused,
                "{fate:?} {keeper:?} {review:?} {arrangements:?}"
            );
        }
    }
}
