//! The covert tactics an application asks for, each justified on its own
//! and decided on its own. IPCO inspectors criticise "a broad range of
//! tactics authorised without considering each": an application lists
//! every tactic with its own necessity and proportionality, and the grant
//! says for each whether it is granted, with the reason for any refused.
//! The table of which tactic belongs to which authorisation type is kept
//! as data so that a reader can check it against the Codes.

use super::InvalidInput;
use super::authorisation::AuthorisationType;
use super::codes::code_list;
use super::text::Rationale;

code_list! {
    /// A tactic an application may ask to use.
    pub enum Tactic ("tactic") {
        StaticObservation = "static-observation", "Static observation";
        FollowingOnFoot = "following-on-foot", "Following on foot";
        FollowingByVehicle = "following-by-vehicle", "Following by vehicle";
        VehicleTrackingDevice = "vehicle-tracking-device", "Vehicle tracking device";
        CovertPhotography = "covert-photography", "Covert photography or video";
        DeviceInPrivatePlace = "device-in-private-place", "Device in a home or private vehicle";
        CovertEntry = "covert-entry", "Covert entry on property";
        PropertyInterference = "property-interference", "Interference with property";
        CovertSearch = "covert-search", "Covert search of property";
    }
}

/// One row of the tactics table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TacticRules {
    pub tactic: Tactic,
    /// The authorisation types under which it may be asked for.
    pub kinds: &'static [AuthorisationType],
    /// What it covers, as the form and the record explain it.
    pub covers: &'static str,
}

use AuthorisationType::{DirectedSurveillance, IntrusiveSurveillance, PropertyInterference};

/// The tactics table, one row per tactic (a test holds us to that). Our
/// reading of the Covert Surveillance and Property Interference Code:
/// surveillance in public is directed (ch. 3); anything in residential
/// premises or a private vehicle, by a person or a device there, is
/// intrusive (ch. 3); entering or interfering with property, fitting a
/// device included, needs a property interference authorisation (ch. 7),
/// and a tracking device's use to follow movements is directed
/// surveillance beside it.
pub const TACTICS: &[TacticRules] = &[
    TacticRules {
        tactic: Tactic::StaticObservation,
        kinds: &[DirectedSurveillance, IntrusiveSurveillance],
        covers: "watching a place from a fixed point",
    },
    TacticRules {
        tactic: Tactic::FollowingOnFoot,
        kinds: &[DirectedSurveillance],
        covers: "following the subject on foot in public",
    },
    TacticRules {
        tactic: Tactic::FollowingByVehicle,
        kinds: &[DirectedSurveillance],
        covers: "following the subject by vehicle in public",
    },
    TacticRules {
        tactic: Tactic::VehicleTrackingDevice,
        kinds: &[DirectedSurveillance, PropertyInterference],
        covers: "a device showing where a vehicle goes (fitting it is property interference)",
    },
    TacticRules {
        tactic: Tactic::CovertPhotography,
        kinds: &[DirectedSurveillance, IntrusiveSurveillance],
        covers: "covert still or video recording",
    },
    TacticRules {
        tactic: Tactic::DeviceInPrivatePlace,
        kinds: &[IntrusiveSurveillance, PropertyInterference],
        covers: "a listening or viewing device in residential premises or a private vehicle",
    },
    TacticRules {
        tactic: Tactic::CovertEntry,
        kinds: &[PropertyInterference],
        covers: "entering property without the occupier knowing",
    },
    TacticRules {
        tactic: Tactic::PropertyInterference,
        kinds: &[PropertyInterference],
        covers: "interfering with property, such as fitting or retrieving a device",
    },
    TacticRules {
        tactic: Tactic::CovertSearch,
        kinds: &[PropertyInterference],
        covers: "searching property without the occupier knowing",
    },
];

/// The row of the tactics table for `tactic`.
pub fn rules(tactic: Tactic) -> &'static TacticRules {
    TACTICS
        .iter()
        .find(|row| row.tactic == tactic)
        .expect("every tactic has a row in TACTICS")
}

/// The tactics an authorisation of `kind` may list, in the table's order;
/// none for a type whose authorisation is not of tactics (a CHIS,
/// communications data).
pub fn tactics_for(kind: AuthorisationType) -> Vec<Tactic> {
    TACTICS
        .iter()
        .filter(|row| row.kinds.contains(&kind))
        .map(|row| row.tactic)
        .collect()
}

/// Whether an application of `kind` must list its tactics.
pub fn lists_tactics(kind: AuthorisationType) -> bool {
    !tactics_for(kind).is_empty()
}

/// A tactic applied for, with its own necessity and proportionality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TacticCase {
    pub tactic: Tactic,
    pub necessity: Rationale,
    pub proportionality: Rationale,
}

impl TacticCase {
    pub fn new(
        tactic: Tactic,
        necessity: &str,
        proportionality: &str,
    ) -> Result<TacticCase, InvalidInput> {
        TacticCase::named(tactic, necessity, proportionality, ("tactic", "tactic"))
    }

    /// As [`TacticCase::new`], a refusal naming the field (`necessity`,
    /// `proportionality`) each line was typed in; the message names the
    /// tactic.
    pub fn named(
        tactic: Tactic,
        necessity: &str,
        proportionality: &str,
        (n_field, p_field): (&'static str, &'static str),
    ) -> Result<TacticCase, InvalidInput> {
        let line = |field: &'static str, what: &str, text: &str| {
            Rationale::new(field, text).map_err(|e| {
                InvalidInput::new(field, format!("{}'s {what} {}", tactic.label(), e.message))
            })
        };
        Ok(TacticCase {
            tactic,
            necessity: line(n_field, "necessity", necessity)?,
            proportionality: line(p_field, "proportionality", proportionality)?,
        })
    }
}

/// Checks the tactics of an application of `kind`: at least one for a type
/// that lists them, none for one that does not, each of the type, none
/// twice.
pub fn check_tactics(kind: AuthorisationType, tactics: &[TacticCase]) -> Result<(), InvalidInput> {
    let allowed = tactics_for(kind);
    if allowed.is_empty() {
        if !tactics.is_empty() {
            return Err(InvalidInput::new(
                "tactic",
                format!("a {} application does not list tactics", kind.label()),
            ));
        }
        return Ok(());
    }
    if tactics.is_empty() {
        return Err(InvalidInput::new(
            "tactic",
            format!(
                "list each tactic asked for, with its own necessity and proportionality: a {} application may ask for {}",
                kind.label(),
                allowed
                    .iter()
                    .map(|t| t.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for (i, case) in tactics.iter().enumerate() {
        if !allowed.contains(&case.tactic) {
            return Err(InvalidInput::new(
                "tactic",
                format!(
                    "{} is not a tactic of {} (it is of {})",
                    case.tactic.label(),
                    kind.label().to_lowercase(),
                    rules(case.tactic)
                        .kinds
                        .iter()
                        .map(|k| k.label().to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if tactics[..i].iter().any(|t| t.tactic == case.tactic) {
            return Err(InvalidInput::new(
                "tactic",
                format!("{} is listed twice", case.tactic.label()),
            ));
        }
    }
    Ok(())
}

/// The authorising officer's decision on one tactic applied for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TacticDecision {
    Granted,
    /// Refused, with the reason.
    Refused(Rationale),
}

/// Checks a grant's decisions against the tactics applied for: each
/// tactic applied for decided exactly once, none that was not applied
/// for, and at least one granted (a grant of nothing is a refusal, and is
/// made as one).
pub fn check_decisions(
    applied: &[Tactic],
    decisions: &[(Tactic, TacticDecision)],
) -> Result<(), InvalidInput> {
    for (i, (tactic, _)) in decisions.iter().enumerate() {
        if !applied.contains(tactic) {
            return Err(InvalidInput::new(
                "tactic",
                format!(
                    "{} was not applied for: only a tactic the application lists can be decided",
                    tactic.label()
                ),
            ));
        }
        if decisions[..i].iter().any(|(t, _)| t == tactic) {
            return Err(InvalidInput::new(
                "tactic",
                format!("{} is decided twice", tactic.label()),
            ));
        }
    }
    if let Some(missing) = applied
        .iter()
        .find(|t| !decisions.iter().any(|(d, _)| d == *t))
    {
        return Err(InvalidInput::new(
            "tactic",
            format!(
                "{} was applied for: grant or refuse it, with a reason if refused",
                missing.label()
            ),
        ));
    }
    if !applied.is_empty()
        && !decisions
            .iter()
            .any(|(_, d)| matches!(d, TacticDecision::Granted))
    {
        return Err(InvalidInput::new(
            "tactic",
            "no tactic is granted: an authorisation that grants none is a refusal; refuse the application instead",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(t: Tactic) -> TacticCase {
        TacticCase::new(t, "Only this shows the contact", "Two evenings a week").unwrap()
    }

    #[test]
    fn every_tactic_has_exactly_one_row_and_belongs_to_a_type() {
        for tactic in Tactic::ALL {
            assert_eq!(
                TACTICS.iter().filter(|r| r.tactic == *tactic).count(),
                1,
                "{tactic:?}"
            );
            assert!(!rules(*tactic).kinds.is_empty(), "{tactic:?}");
        }
        assert_eq!(TACTICS.len(), Tactic::ALL.len());
    }

    #[test]
    fn the_table_as_data() {
        use AuthorisationType::*;
        assert_eq!(
            tactics_for(DirectedSurveillance),
            [
                Tactic::StaticObservation,
                Tactic::FollowingOnFoot,
                Tactic::FollowingByVehicle,
                Tactic::VehicleTrackingDevice,
                Tactic::CovertPhotography,
            ]
        );
        assert_eq!(
            tactics_for(IntrusiveSurveillance),
            [
                Tactic::StaticObservation,
                Tactic::CovertPhotography,
                Tactic::DeviceInPrivatePlace
            ]
        );
        assert_eq!(
            tactics_for(PropertyInterference),
            [
                Tactic::VehicleTrackingDevice,
                Tactic::DeviceInPrivatePlace,
                Tactic::CovertEntry,
                Tactic::PropertyInterference,
                Tactic::CovertSearch,
            ]
        );
        for kind in [Chis, JuvenileChis, CommunicationsData] {
            assert!(tactics_for(kind).is_empty(), "{kind:?}");
            assert!(!lists_tactics(kind));
        }
        assert_eq!(
            Tactic::parse("Following on foot").unwrap(),
            Tactic::FollowingOnFoot
        );
    }

    #[test]
    fn each_tactic_needs_its_own_lines_and_a_refusal_names_field_and_tactic() {
        let e = TacticCase::new(Tactic::FollowingOnFoot, "  ", "p").unwrap_err();
        assert_eq!(e.field, "tactic");
        assert_eq!(e.message, "Following on foot's necessity is required");
        let e = TacticCase::named(
            Tactic::CovertPhotography,
            "n",
            "",
            ("tactic 2 necessity", "tactic 2 proportionality"),
        )
        .unwrap_err();
        assert_eq!(e.field, "tactic 2 proportionality");
        assert_eq!(
            e.message,
            "Covert photography or video's proportionality is required"
        );
    }

    #[test]
    fn an_application_lists_tactics_of_its_type_once_each() {
        use AuthorisationType::*;
        assert!(check_tactics(DirectedSurveillance, &[case(Tactic::FollowingOnFoot)]).is_ok());
        let none = check_tactics(DirectedSurveillance, &[]).unwrap_err();
        assert!(
            none.message.starts_with("list each tactic"),
            "{}",
            none.message
        );
        let wrong = check_tactics(DirectedSurveillance, &[case(Tactic::CovertEntry)]).unwrap_err();
        assert_eq!(
            wrong.message,
            "Covert entry on property is not a tactic of directed surveillance (it is of property interference)"
        );
        let twice = check_tactics(
            PropertyInterference,
            &[case(Tactic::CovertEntry), case(Tactic::CovertEntry)],
        )
        .unwrap_err();
        assert_eq!(twice.message, "Covert entry on property is listed twice");
        assert!(check_tactics(Chis, &[]).is_ok());
        assert!(check_tactics(Chis, &[case(Tactic::FollowingOnFoot)]).is_err());
    }

    #[test]
    fn a_grant_decides_every_tactic_applied_for_and_grants_at_least_one() {
        let applied = [Tactic::StaticObservation, Tactic::FollowingOnFoot];
        let refused =
            || TacticDecision::Refused(Rationale::new("reason", "Too intrusive").unwrap());
        assert!(
            check_decisions(
                &applied,
                &[
                    (Tactic::StaticObservation, TacticDecision::Granted),
                    (Tactic::FollowingOnFoot, refused()),
                ]
            )
            .is_ok()
        );
        let none = check_decisions(
            &applied,
            &[
                (Tactic::StaticObservation, refused()),
                (Tactic::FollowingOnFoot, refused()),
            ],
        )
        .unwrap_err();
        assert!(none.message.starts_with("no tactic is granted"), "{none:?}");
        let stranger = check_decisions(
            &applied,
            &[
                (Tactic::StaticObservation, TacticDecision::Granted),
                (Tactic::FollowingOnFoot, TacticDecision::Granted),
                (Tactic::CovertSearch, TacticDecision::Granted),
            ],
        )
        .unwrap_err();
        assert_eq!(
            stranger.message,
            "Covert search of property was not applied for: only a tactic the application lists can be decided"
        );
        let missing = check_decisions(
            &applied,
            &[(Tactic::StaticObservation, TacticDecision::Granted)],
        )
        .unwrap_err();
        assert!(
            missing
                .message
                .starts_with("Following on foot was applied for"),
            "{missing:?}"
        );
        // An application from before tactics were kept is granted whole.
        assert!(check_decisions(&[], &[]).is_ok());
    }
}
