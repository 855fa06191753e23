//! Irreversible acts ask before they run: closing an operation, deciding a
//! threshold, and granting, refusing, renewing or cancelling an
//! authorisation. A form that makes one of these commands asks a y/n
//! question naming the record and the act; "n" or Esc leaves the form as
//! it was, with nothing written.

use chrono::{DateTime, Utc};

use crate::domain::authorisation::{self as law, AuthorisationType};
use crate::domain::tactic::{Tactic, TacticDecision};
use crate::domain::time::uk_datetime;
use crate::store::Command;

/// What a form's question needs to know of the record it acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ask {
    /// Shown on the form and before its question, such as an operation
    /// whose threshold is not met.
    pub warning: Option<String>,
    /// The authorisation the form acts on.
    pub authorisation: Option<Facts>,
    /// The grounds the decision weighs, shown beneath the fields as room
    /// allows (the record page has them in full): (heading, text).
    pub grounds: Vec<(&'static str, String)>,
}

/// What the question on an authorisation says of its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub kind: AuthorisationType,
    pub urgent: bool,
    /// When the period in effect began (the grant, or the latest renewal
    /// to take effect).
    pub period_start: Option<DateTime<Utc>>,
    /// The end of the latest period granted.
    pub ends_at: Option<DateTime<Utc>>,
}

/// The question an irreversible command asks before it runs, made `now`;
/// None for a command that runs at once. A renewal the law refuses asks
/// nothing: the case file's refusal says why.
pub fn question(command: &Command, ask: &Ask, now: DateTime<Utc>) -> Option<String> {
    let facts = ask.authorisation;
    let act = match command {
        Command::CloseOperation { codename, .. } => {
            format!("Close {codename}? A closed operation stays closed.")
        }
        Command::DecideThreshold {
            codename, outcome, ..
        } => format!(
            "Decide {codename}'s threshold: {}? The decision stands; a change needs a new proposal.",
            outcome.label().to_lowercase()
        ),
        Command::GrantAuthorisation { urn, tactics, .. } => {
            let until = facts
                .map(|f| {
                    format!(
                        " until {}",
                        uk_datetime(law::ends_at(f.kind, now, f.urgent))
                    )
                })
                .unwrap_or_default();
            format!("Grant {urn}{until}{}?", which_tactics(tactics))
        }
        Command::RefuseAuthorisation { urn, .. } => format!("Refuse {urn}? A refusal stands."),
        Command::RenewAuthorisation { urn, .. } => {
            let f = facts?;
            let (start, end) = (f.period_start?, f.ends_at?);
            let (_, until) = law::renewal(f.kind, start, end, now).ok()?;
            format!("Renew {urn} until {}?", uk_datetime(until))
        }
        Command::CancelAuthorisation { urn, .. } => {
            format!("Cancel {urn}? A cancelled authorisation cannot be renewed.")
        }
        // Approving past capacity is allowed (the decision records the
        // warning), but never unawares.
        Command::DecideBid { urn, decision, .. }
            if ask.warning.is_some()
                && matches!(
                    decision,
                    crate::domain::bid::BidDecision::Approve
                        | crate::domain::bid::BidDecision::PartlyApprove(_)
                ) =>
        {
            format!(
                "{}. Approve {urn}?",
                ask.warning.as_deref().unwrap_or_default()
            )
        }
        _ => return None,
    };
    Some(match (&ask.warning, command) {
        (Some(w), Command::GrantAuthorisation { .. }) => format!("{w}. {act}"),
        _ => act,
    })
}

/// What a grant's question says of its tactics: " for static observation
/// only, refusing covert photography or video"; nothing when it has none.
fn which_tactics(tactics: &[(Tactic, TacticDecision)]) -> String {
    let named = |granted: bool| {
        tactics
            .iter()
            .filter(|(_, d)| matches!(d, TacticDecision::Granted) == granted)
            .map(|(t, _)| t.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named(true), named(false)) {
        (granted, _) if granted.is_empty() => String::new(),
        (granted, refused) if refused.is_empty() => format!(" for {granted}"),
        (granted, refused) => format!(" for {granted} only, refusing {refused}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::Rationale;
    use crate::domain::urn::{Urn, UrnKind};
    use chrono::TimeZone;

    fn urn() -> Urn {
        Urn::parse(UrnKind::Authorisation, "AUTH-2026-0004").unwrap()
    }

    #[test]
    fn a_grant_names_its_end_and_any_warning_first() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let mut grant = Command::GrantAuthorisation {
            urn: urn(),
            review_every_days: 28,
            rationale: Rationale::new("rationale", "Necessary").unwrap(),
            involvement: None,
            tactics: Vec::new(),
        };
        let ask = Ask {
            grounds: Vec::new(),
            warning: Some("HERON's threshold is not met (proposed 12/11/2026)".into()),
            authorisation: Some(Facts {
                kind: AuthorisationType::DirectedSurveillance,
                urgent: false,
                period_start: None,
                ends_at: None,
            }),
        };
        assert_eq!(
            question(&grant, &ask, now).unwrap(),
            "HERON's threshold is not met (proposed 12/11/2026). Grant AUTH-2026-0004 until 02/03/2027 00:00?"
        );
        // It names the tactics it grants, and those it refuses.
        let Command::GrantAuthorisation { tactics, .. } = &mut grant else {
            unreachable!()
        };
        tactics.push((Tactic::StaticObservation, TacticDecision::Granted));
        assert!(
            question(&grant, &ask, now)
                .unwrap()
                .ends_with("until 02/03/2027 00:00 for static observation?")
        );
        let Command::GrantAuthorisation { tactics, .. } = &mut grant else {
            unreachable!()
        };
        tactics.push((
            Tactic::CovertPhotography,
            TacticDecision::Refused(Rationale::new("reason", "Not yet").unwrap()),
        ));
        assert!(
            question(&grant, &ask, now)
                .unwrap()
                .ends_with("for static observation only, refusing covert photography or video?")
        );
    }

    #[test]
    fn a_renewal_the_law_refuses_asks_nothing() {
        let granted = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let end = law::ends_at(AuthorisationType::DirectedSurveillance, granted, false);
        let renew = Command::RenewAuthorisation {
            urn: urn(),
            rationale: Rationale::new("rationale", "Still needed").unwrap(),
        };
        let mut ask = Ask {
            grounds: Vec::new(),
            warning: None,
            authorisation: Some(Facts {
                kind: AuthorisationType::DirectedSurveillance,
                urgent: false,
                period_start: Some(granted),
                ends_at: Some(end),
            }),
        };
        assert_eq!(
            question(&renew, &ask, granted).unwrap(),
            "Renew AUTH-2026-0004 until 02/06/2027 00:00?"
        );
        // Renewed already: its next period has not begun.
        ask.authorisation.as_mut().unwrap().period_start = Some(end);
        assert_eq!(question(&renew, &ask, granted), None);
    }
}
