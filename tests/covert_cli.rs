//! `ccu due` and `ccu authorisations --central-record` with the real
//! binary: the diary's JSON shape and order, and a central record whose
//! CSV is complete and safe to open in a spreadsheet.

mod common;

use ccu::domain::account::{Rank, Username};
use ccu::domain::authorisation::AuthorisationType;
use ccu::domain::covert::{
    AuthorisationApplication, NewReferral, ThresholdCriteria, ThresholdOutcome,
};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::referral::{MatterType, ReferralCriterion};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::Command;
use chrono::{Duration, Utc};
use common::*;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

/// A case file written with the real clock (the binary uses it too): an
/// authorisation granted now, and a referral that became clear a week ago.
fn casefile(dir: &std::path::Path) -> std::path::PathBuf {
    let (mut cf, path) = new_casefile_with(dir, ccu::store::system_clock());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    for (name, roles, rank) in [
        ("inv", "investigator", Rank::Constable),
        ("sup", "supervisor", Rank::Sergeant),
        ("supt", "authorising-officer", Rank::Superintendent),
    ] {
        common::add_account(
            &mut cf,
            &admin,
            name,
            &format!("@Officer {name}"),
            roles,
            rank,
        );
    }
    let [inv, sup, supt] = ["inv", "sup", "supt"].map(|n| login(&mut cf, n, USER_PASSWORD));
    let kestrel = Codename::parse("KESTREL").unwrap();
    cf.execute(
        &inv,
        Command::OpenOperation(
            NewOperation::new(
                kestrel.clone(),
                "Inquiry",
                Category::AbuseOfAuthority,
                Priority::P1,
                user("inv"),
                user("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
    let today = ccu::domain::time::uk_date(Utc::now());
    let criteria = ThresholdCriteria::new(
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        today + Duration::days(30),
    )
    .unwrap();
    cf.execute(
        &inv,
        Command::ProposeThreshold {
            codename: kestrel.clone(),
            criteria,
        },
    )
    .unwrap();
    cf.execute(
        &sup,
        Command::DecideThreshold {
            codename: kestrel.clone(),
            outcome: ThresholdOutcome::Met,
            rationale: why("r"),
        },
    )
    .unwrap();
    cf.execute(
        &inv,
        Command::ApplyForAuthorisation(
            AuthorisationApplication::new(
                kestrel.clone(),
                user("supt"),
                AuthorisationType::DirectedSurveillance,
                false,
                "",
                "=cmd|' /C calc'!A0",
                vec![],
                "n",
                "p",
                "c",
                ccu::domain::covert::ConfidentialMaterial::new(
                    false,
                    "Unlikely because public places only, away from any lawyer",
                )
                .unwrap(),
                false,
            )
            .unwrap()
            .with_tactics(vec![
                ccu::domain::tactic::TacticCase::new(
                    ccu::domain::tactic::Tactic::StaticObservation,
                    "Only watching the car park shows the contact",
                    "One parked vehicle, two hours after late shifts",
                )
                .unwrap(),
            ])
            .unwrap(),
        ),
    )
    .unwrap();
    cf.execute(
        &supt,
        Command::GrantAuthorisation {
            urn: Urn::parse(
                UrnKind::Authorisation,
                &format!("AUTH-{}-0001", ccu::domain::time::uk_year(Utc::now())),
            )
            .unwrap(),
            review_every_days: 14,
            rationale: why("+necessary"),
            involvement: None,
            tactics: vec![(
                ccu::domain::tactic::Tactic::StaticObservation,
                ccu::domain::tactic::TacticDecision::Granted,
            )],
        },
    )
    .unwrap();
    cf.execute(
        &inv,
        Command::RecordReferral(
            NewReferral::new(
                Some(kestrel),
                "PSD/1",
                MatterType::Conduct,
                ReferralCriterion::SeriousCorruption,
                today - Duration::days(7),
                vec![],
                "s",
                false,
                "",
                None,
            )
            .unwrap(),
        ),
    )
    .unwrap();
    path
}

#[test]
fn due_as_json_is_soonest_first_with_stable_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = casefile(dir.path());
    let out = ccu(
        &[
            "due",
            "--json",
            "--within",
            "120",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "sup",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["user"], "sup");
    assert_eq!(doc["within_days"], 120);
    let items = doc["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["what"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "referral-deadline",
            "authorisation-review",
            "operation-quiet",
            "threshold-review",
            "authorisation-ends"
        ]
    );
    for item in items {
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["due_at", "operation", "overdue", "reference", "what", "why"]
        );
    }
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[1]["overdue"], false);
    let due: Vec<&str> = items
        .iter()
        .map(|i| i["due_at"].as_str().unwrap())
        .collect();
    let mut sorted = due.clone();
    sorted.sort();
    assert_eq!(due, sorted);

    // The table form says the same, and a shorter window drops the end.
    let out = ccu(
        &["due", "--file", path.to_str().unwrap(), "--as", "sup"],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    let text = stdout(&out);
    assert!(text.starts_with("DUE (UTC)"), "{text}");
    assert!(text.contains("OVERDUE  referral-deadline"), "{text}");
    assert!(!text.contains("authorisation-ends"), "{text}");
}

#[test]
fn the_central_record_csv_has_every_field_and_no_live_formula() {
    let dir = tempfile::tempdir().unwrap();
    let path = casefile(dir.path());
    let out = ccu(
        &[
            "authorisations",
            "--central-record",
            "--csv",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "supt",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ccu::store::CENTRAL_RECORD_COLUMNS);
    for needed in [
        "kind",
        "date_given",
        "authorising_officer",
        "authorising_officer_rank",
        "urn",
        "operation",
        "description",
        "subjects",
        "urgent",
        "urgency_reason",
        "renewals",
        "confidential_information_likely",
        "directly_involved",
        "cancelled_at",
        "destruction_review_from",
    ] {
        assert!(header.iter().any(|h| h == needed), "{needed}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let cell = |name: &str| rows[0][header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("description"), "'=cmd|' /C calc'!A0");
    assert_eq!(cell("authorising_officer"), "'@Officer supt");
    assert_eq!(cell("authorising_officer_rank"), "Superintendent");
    assert_eq!(cell("confidential_information_likely"), "false");
    assert!(!cell("destruction_review_from").is_empty());
    assert_eq!(cell("tactics"), "Static observation: granted");
    for field in rows[0].iter() {
        assert!(
            !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{field:?}"
        );
    }

    let out = ccu(
        &[
            "authorisations",
            "--central-record",
            "--json",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "supt",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&String> = doc[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), ccu::store::CENTRAL_RECORD_COLUMNS.len());
    assert_eq!(doc[0]["tactics"][0]["tactic"], "Static observation");
    assert_eq!(doc[0]["tactics"][0]["granted"], true);

    // The table form, and an administrator may not read it at all.
    let out = ccu(
        &[
            "authorisations",
            "--central-record",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "inv",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("URN "), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Directed surveillance  KESTREL"),
        "{}",
        stdout(&out)
    );
    let out = ccu(
        &[
            "authorisations",
            "--central-record",
            "--file",
            path.to_str().unwrap(),
            "--as",
            ADMIN,
        ],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}
