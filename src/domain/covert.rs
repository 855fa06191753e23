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
    pub confidential_likely: bool,
    /// Dwellings, offices, or legally privileged material: property
    /// interference there needs a Judicial Commissioner's prior approval.
    pub protected_premises: bool,
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
        confidential_likely: bool,
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
            confidential_likely,
            protected_premises,
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
    /// How the material obtained is stored, reviewed or destroyed.
    pub material_arrangements: String,
}

impl Cancellation {
    pub fn new(
        stop_instruction_at: DateTime<Utc>,
        reason: &str,
        outcome: &str,
        material_arrangements: &str,
    ) -> Result<Cancellation, InvalidInput> {
        Ok(Cancellation {
            stop_instruction_at,
            reason: text::required("reason", reason, LONG)?,
            outcome: text::required("outcome", outcome, LONG)?,
            material_arrangements: text::required(
                "material arrangements",
                material_arrangements,
                LONG,
            )?,
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
                false,
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
}
