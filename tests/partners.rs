//! The register of partner agencies on a real case file: partners, their
//! SPOCs replaced with history kept, engagements and the next contact in
//! the diary, intelligence linked from partner agencies (only what the
//! reader may see), every refusal leaving the file as it was, insiders
//! refused, the report logged, and a forged row found by `ccu check`.

mod common;

use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::partner::{Engagement, EngagementKind, NewPartner, PartnerType, Spoc};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::registers::partners::{Command as Partners, PartnerRef};
use ccu::store::{CheckReport, Command, DueKind, Error};
use chrono::{NaiveDate, TimeZone, Utc};
use common::*;

const STAFF: [(&str, &str); 6] = [
    ("ours", "investigator"),
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("aud", "auditor"),
    ("ao", "authorising-officer"),
];

fn day(d: u32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn org(n: u32) -> Urn {
    Urn::parse(UrnKind::Partner, &format!("ORG-2026-{n:04}")).unwrap()
}

fn item(source: SourceType, summary: &str) -> Command {
    Command::RecordIntelligence(
        NewIntelligence::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
            source,
            false,
            None,
            Grading::parse("2BP", "").unwrap(),
            Category::SexualMisconduct,
            true,
            Vec::new(),
            summary,
            "Fictional test record.",
        )
        .unwrap(),
    )
}

fn refuge() -> Command {
    Partners::Add {
        partner: NewPartner::new("Easthaven Women's Refuge", PartnerType::Refuge, "Easthaven")
            .unwrap(),
        spoc: Some(
            Spoc::new(
                "Dana Whitlow",
                "Safeguarding lead",
                "d.whitlow@refuge.example.org.uk",
                "01632 960123",
            )
            .unwrap(),
        ),
        unit_spoc: Some(username("ours")),
    }
    .into()
}

fn link(partner: PartnerRef, intelligence: &str) -> Command {
    Partners::LinkIntelligence {
        partner,
        intelligence: Urn::parse(UrnKind::Intelligence, intelligence).unwrap(),
    }
    .into()
}

/// At 10:00 on 10/11/2026: the refuge (ORG-2026-0001, the unit's SPOC
/// `ours`) and three items: INT-00001 from a partner agency, unlinked to
/// any operation; INT-00002 from a partner agency, linked to HAWK
/// (outsider's); INT-00003 from a colleague.
fn unit() -> Unit {
    let clock = TestClock::at("2026-11-02T10:00:00Z");
    let mut u = Unit::at(clock, &sergeants(&STAFF)).logged_in();
    let (sup, outsider) = (u.actor("sup"), u.actor("outsider"));
    u.cf.execute(&sup, refuge()).unwrap();
    let op = NewOperation::new(
        Codename::parse("HAWK").unwrap(),
        "An operation",
        Category::SexualMisconduct,
        Priority::P2,
        username("outsider"),
        username("sup"),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    u.cf.execute(&outsider, Command::OpenOperation(op)).unwrap();
    for (source, summary) in [
        (SourceType::PartnerAgency, "Refuge reports messages"),
        (SourceType::PartnerAgency, "Refuge reports a visit"),
        (SourceType::Colleague, "A colleague's concern"),
    ] {
        u.cf.execute(&sup, item(source, summary)).unwrap();
    }
    let urn = Urn::parse(UrnKind::Intelligence, "INT-2026-00002").unwrap();
    for (to, operation) in [
        (TriageStatus::Assessed, None),
        (TriageStatus::Develop, None),
        (
            TriageStatus::LinkedToOperation,
            Some(Codename::parse("HAWK").unwrap()),
        ),
    ] {
        u.cf.execute(
            &sup,
            Command::TriageIntelligence {
                urn,
                to,
                operation,
                rationale: Rationale::new("rationale", "triaged").unwrap(),
            },
        )
        .unwrap();
    }
    u.clock.set("2026-11-10T10:00:00Z");
    u
}

/// The register's own rows, as sqlite sees them.
fn rows(u: &Unit) -> String {
    raw_conn(&u.path)
        .query_row(
            "SELECT json_array(
                (SELECT json_group_array(json_array(urn, name)) FROM partner),
                (SELECT json_group_array(json_array(partner_id, name, email)) FROM partner_spoc),
                (SELECT json_group_array(json_array(partner_id, user_id)) FROM partner_unit_spoc),
                (SELECT json_group_array(json_array(partner_id, engaged_on)) FROM partner_engagement),
                (SELECT json_group_array(json_array(intelligence_id, partner_id)) FROM partner_intelligence))",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_partner_is_added_with_its_spocs_and_listed() {
    let mut u = unit();
    let ours = u.actor("ours");
    let list = u.cf.partners(&ours).unwrap();
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(p.urn.to_string(), "ORG-2026-0001");
    assert_eq!(p.name, "Easthaven Women's Refuge");
    assert_eq!(p.kind, PartnerType::Refuge);
    assert_eq!(p.spoc.as_deref(), Some("Dana Whitlow"));
    assert_eq!(p.unit_spoc.as_deref(), Some("ours"));
    assert_eq!(p.last_contact, None);
    // First contact is due 28 days after it was added on 02/11/2026.
    assert_eq!(p.next_due, "2026-11-30");

    let before = seen(&u.path);
    let record = u.cf.open_partner(&ours, &org(1)).unwrap();
    assert_eq!(
        since(&u.path, before),
        [ev("ours", "view", "partner", "ORG-2026-0001", "ok")],
        "opening a partner is a consultation, logged"
    );
    assert_eq!(
        record.spocs[0].email.as_deref(),
        Some("d.whitlow@refuge.example.org.uk")
    );
    assert_eq!(record.spocs[0].phone.as_deref(), Some("01632 960123"));
    assert_eq!(record.recorded_by, "sup");
}

#[test]
fn a_spoc_is_replaced_and_the_earlier_one_kept() {
    let mut u = unit();
    let (ours, sup) = (u.actor("ours"), u.actor("sup"));
    let start = seen(&u.path);
    u.cf.execute(
        &ours,
        Partners::ReplaceSpoc {
            partner: org(1),
            spoc: Spoc::new("Priya Anand", "Refuge manager", "", "+44 1632 960456").unwrap(),
        }
        .into(),
    )
    .unwrap();
    u.cf.execute(
        &sup,
        Partners::SetUnitSpoc {
            partner: org(1),
            username: username("lead"),
        }
        .into(),
    )
    .unwrap();
    assert_eq!(
        since(&u.path, start),
        [
            ev("ours", "partner.spoc", "partner", "ORG-2026-0001", "ok"),
            ev("sup", "partner.unit-spoc", "partner", "ORG-2026-0001", "ok"),
        ]
    );
    let record = u.cf.open_partner(&ours, &org(1)).unwrap();
    let names: Vec<_> = record.spocs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Priya Anand", "Dana Whitlow"], "current first");
    assert_eq!(record.spocs[0].email, None);
    let unit: Vec<_> = record
        .unit_spocs
        .iter()
        .map(|s| s.username.as_str())
        .collect();
    assert_eq!(unit, ["lead", "ours"]);
    assert_eq!(record.row.spoc.as_deref(), Some("Priya Anand"));
    assert_eq!(record.row.unit_spoc.as_deref(), Some("lead"));
    assert_eq!(count(&u.path, "SELECT count(*) FROM partner_spoc"), 2);
}

#[test]
fn engagements_set_the_next_contact_which_the_diary_shows() {
    let mut u = unit();
    let ours = u.actor("ours");
    let due = |u: &mut Unit, who: &str| -> Vec<(String, String, bool, String)> {
        let actor = u.actor(who);
        u.cf.due(&actor, 60)
            .unwrap()
            .into_iter()
            .filter(|d| d.what == DueKind::PartnerContact)
            .map(|d| (d.reference, d.due_at, d.overdue, d.why))
            .collect()
    };
    let first = due(&mut u, "ours");
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].0, "ORG-2026-0001");
    // Due by the end of 30/11/2026 (the diary's instants are exclusive ends).
    assert!(first[0].1.starts_with("2026-12-01T00:00:00"), "{first:?}");
    assert!(
        first[0]
            .3
            .contains("first contact with Easthaven Women's Refuge due by 30/11/2026"),
        "{first:?}"
    );
    // The supervisor oversees every partner; another investigator is not
    // its SPOC and is not reminded.
    assert_eq!(due(&mut u, "sup").len(), 1);
    assert!(due(&mut u, "lead").is_empty());

    let meeting = |on, next| -> Command {
        Partners::RecordEngagement {
            partner: org(1),
            engagement: Engagement::new(
                on,
                EngagementKind::Meeting,
                "Quarterly meeting with the refuge's safeguarding lead",
                next,
            )
            .unwrap(),
        }
        .into()
    };
    u.cf.execute(&ours, meeting(day(9, 11), None)).unwrap();
    let row = u.cf.partners(&ours).unwrap().remove(0);
    assert_eq!(row.last_contact.as_deref(), Some("2026-11-09"));
    assert_eq!(row.next_due, "2027-02-07", "90 days after 09/11/2026");
    assert!(
        due(&mut u, "ours").is_empty(),
        "the next contact is beyond the diary's 60 days"
    );

    // An engagement that sets its own date; an earlier-dated one logged
    // afterwards does not move the next contact back.
    u.cf.execute(&ours, meeting(day(10, 11), Some(day(24, 11))))
        .unwrap();
    u.cf.execute(&ours, meeting(day(1, 11), Some(day(5, 11))))
        .unwrap();
    let shown = due(&mut u, "ours");
    assert_eq!(shown.len(), 1);
    assert!(shown[0].1.starts_with("2026-11-25T00:00:00"), "{shown:?}");
    assert!(
        shown[0].3.contains("last contact on 10/11/2026"),
        "{shown:?}"
    );
    assert!(!shown[0].2);
    u.clock.set("2026-11-25T10:00:00Z");
    assert!(due(&mut u, "ours")[0].2, "overdue once the day has passed");
    let record = u.cf.open_partner(&ours, &org(1)).unwrap();
    let days: Vec<_> = record.engagements.iter().map(|e| e.on.as_str()).collect();
    assert_eq!(days, ["2026-11-10", "2026-11-09", "2026-11-01"]);
}

#[test]
fn partner_intelligence_links_and_the_register_shows_what_each_produced() {
    let mut u = unit();
    let (ours, outsider) = (u.actor("ours"), u.actor("outsider"));
    let before = seen(&u.path);
    // By name from the intelligence record, by reference from the partner's.
    u.cf.execute(
        &ours,
        link(
            PartnerRef::parse(" easthaven women's refuge ").unwrap(),
            "INT-2026-00001",
        ),
    )
    .unwrap();
    u.cf.execute(&outsider, link(PartnerRef::Urn(org(1)), "INT-2026-00002"))
        .unwrap();
    assert_eq!(
        since(&u.path, before),
        [
            ev(
                "ours",
                "partner.intelligence.link",
                "partner",
                "ORG-2026-0001",
                "ok"
            ),
            ev(
                "outsider",
                "partner.intelligence.link",
                "partner",
                "ORG-2026-0001",
                "ok"
            ),
        ]
    );
    let produced = |u: &mut Unit, who: &str| -> (u32, Vec<String>) {
        let actor = u.actor(who);
        let row = u.cf.partners(&actor).unwrap().remove(0);
        let record = u.cf.open_partner(&actor, &org(1)).unwrap();
        (
            row.intelligence,
            record.produced.iter().map(|p| p.urn.to_string()).collect(),
        )
    };
    // HAWK's item is seen by its team and by the supervisor, not by
    // another investigator: the register shows each only what they may see.
    assert_eq!(
        produced(&mut u, "outsider"),
        (
            2,
            vec!["INT-2026-00002".to_string(), "INT-2026-00001".to_string()]
        )
    );
    assert_eq!(produced(&mut u, "sup").0, 2);
    assert_eq!(
        produced(&mut u, "ours"),
        (1, vec!["INT-2026-00001".to_string()])
    );
}

#[test]
fn every_refusal_says_why_and_leaves_the_file_as_it_was() {
    let mut u = unit();
    let ours = u.actor("ours");
    u.cf.execute(&ours, link(PartnerRef::Urn(org(1)), "INT-2026-00001"))
        .unwrap();
    let engagement = |on| -> Command {
        Partners::RecordEngagement {
            partner: org(1),
            engagement: Engagement::new(on, EngagementKind::Call, "Call", None).unwrap(),
        }
        .into()
    };
    let before = (seen(&u.path), rows(&u));
    for (command, message) in [
        (
            link(PartnerRef::Urn(org(1)), "INT-2026-00003"),
            "intelligence: INT-2026-00003's source is Colleague, not a partner agency: only intelligence from a partner agency is linked to one",
        ),
        (
            link(PartnerRef::Urn(org(1)), "INT-2026-00001"),
            "intelligence: INT-2026-00001 is already linked to Easthaven Women's Refuge (ORG-2026-0001)",
        ),
        (
            link(PartnerRef::Urn(org(7)), "INT-2026-00001"),
            "partner: there is no partner agency 'ORG-2026-0007' in the register",
        ),
        (
            link(
                PartnerRef::parse("Nowhere Trust").unwrap(),
                "INT-2026-00004",
            ),
            "there is no intelligence item 'INT-2026-00004' that you may see",
        ),
        (engagement(day(11, 11)), "on: 11/11/2026 is in the future"),
        (
            refuge(),
            "name: Easthaven Women's Refuge is already in the register as ORG-2026-0001",
        ),
        (
            Partners::SetUnitSpoc {
                partner: org(1),
                username: username("ours"),
            }
            .into(),
            "username: ours is already the unit's SPOC for this partner",
        ),
        (
            Partners::SetUnitSpoc {
                partner: org(1),
                username: username("aud"),
            }
            .into(),
            "username: aud cannot be the unit's SPOC: that needs the investigator or supervisor role",
        ),
        (
            Partners::SetUnitSpoc {
                partner: org(1),
                username: username("nobody"),
            }
            .into(),
            "username: there is no account named 'nobody'",
        ),
        (
            Partners::ReplaceSpoc {
                partner: org(2),
                spoc: Spoc::new("A", "", "a@b.uk", "").unwrap(),
            }
            .into(),
            "partner: there is no partner agency 'ORG-2026-0002' in the register",
        ),
    ] {
        let err = u.cf.execute(&ours, command).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(since(&u.path, before.0), [], "{message}: no event");
        assert_eq!(rows(&u), before.1, "{message}: no row");
    }
    // Another unlinked partner item, but a partner that does not exist.
    u.cf.execute(&ours, item(SourceType::PartnerAgency, "Another"))
        .unwrap();
    let before = (seen(&u.path), rows(&u));
    let err =
        u.cf.execute(
            &ours,
            link(
                PartnerRef::parse("Nowhere Trust").unwrap(),
                "INT-2026-00004",
            ),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "partner: there is no partner agency 'Nowhere Trust' in the register"
    );
    assert_eq!((seen(&u.path), rows(&u)), before);
}

/// Tried as an insider: an auditor, an authorising officer and the
/// administrator try to keep the register; an investigator off HAWK tries
/// to link HAWK's item to a partner (to learn it exists). Each is refused
/// and nothing is written.
#[test]
fn insiders_without_the_permission_or_need_to_know_are_refused() {
    let mut u = unit();
    let before_rows = rows(&u);
    for who in ["aud", "ao"] {
        let actor = u.actor(who);
        let before = seen(&u.path);
        let err =
            u.cf.execute(&actor, link(PartnerRef::Urn(org(1)), "INT-2026-00001"))
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{who}: {err:?}");
        assert!(
            err.to_string()
                .contains("keep the register of partner agencies"),
            "{err}"
        );
        assert_eq!(
            since(&u.path, before),
            [ev(
                who,
                "partner.intelligence.link",
                "partner",
                "ORG-2026-0001",
                "denied"
            )]
        );
    }
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.execute(&admin, refuge()),
        Err(Error::Denied { .. })
    ));
    // The administrator reads no case content: not even the list of
    // partners with their contact details.
    assert!(matches!(u.cf.partners(&admin), Err(Error::Denied { .. })));
    assert!(matches!(
        u.cf.open_partner(&admin, &org(1)),
        Err(Error::Denied { .. })
    ));

    let lead = u.actor("lead");
    let before = seen(&u.path);
    let err =
        u.cf.execute(&lead, link(PartnerRef::Urn(org(1)), "INT-2026-00002"))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no intelligence item 'INT-2026-00002' that you may see"
    );
    let refused = since(&u.path, before);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].4, "denied");
    assert_eq!(rows(&u), before_rows, "nothing written by any of them");
}

#[test]
fn the_partners_report_is_need_to_know_and_every_read_is_logged() {
    let mut u = unit();
    let sup = u.actor("sup");
    for i in ["INT-2026-00001", "INT-2026-00002"] {
        u.cf.execute(&sup, link(PartnerRef::Urn(org(1)), i))
            .unwrap();
    }
    let report = |u: &mut Unit, who: &str| {
        let actor = u.actor(who);
        u.cf.partners_report(&actor).unwrap()
    };
    let all = report(&mut u, "sup");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].intelligence, ["INT-2026-00002", "INT-2026-00001"]);
    assert_eq!(
        all[0].spocs[0].email.as_deref(),
        Some("d.whitlow@refuge.example.org.uk")
    );
    assert_eq!(all[0].unit_spoc.as_deref(), Some("ours"));
    assert_eq!(report(&mut u, "lead")[0].intelligence, ["INT-2026-00001"]);

    let before = seen(&u.path);
    report(&mut u, "ours");
    assert_eq!(
        since(&u.path, before),
        [ev("ours", "view", "report", "partners", "ok")]
    );
    let before = seen(&u.path);
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.partners_report(&admin),
        Err(Error::Denied { .. })
    ));
    let refused = since(&u.path, before);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].4, "denied");
}

/// Tried as an insider: with a copy of the file and its key, name a SPOC
/// who never was (to send a partner's reports elsewhere), or quietly
/// rewrite one. The first is a row no event answers for; the second is
/// refused by the file itself.
#[test]
fn a_spoc_forged_from_outside_is_found_by_check() {
    let u = unit();
    let (_dir, path) = u.close();
    assert!(matches!(
        check_open(&path).check().unwrap(),
        CheckReport::Verified { .. }
    ));
    let out = try_sqlcipher(
        &path,
        "UPDATE partner_spoc SET email = 'x@elsewhere.example';",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a SPOC is replaced, never edited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sqlcipher(
        &path,
        "INSERT INTO partner_spoc (partner_id, name, role, email, phone, recorded_by, recorded_at)
         SELECT partner_id, 'Someone Else', '', 'x@elsewhere.example', NULL, recorded_by, recorded_at
         FROM partner_spoc;",
    );
    match check_open(&path).check().unwrap() {
        CheckReport::Altered { findings, .. } => {
            assert!(
                findings.iter().any(|f| f.contains("partner_spoc")),
                "{findings:?}"
            );
        }
        other => panic!("a forged SPOC went unnoticed: {other:?}"),
    }
}
