//! CHIS status drift on a real case file: the warning raised at the
//! threshold and not below it, from the items each user may see only; the
//! acknowledgement, refused without permission with nothing written, and
//! holding until a further item arrives; and the threshold, set by a
//! supervisor through the audited write path.

mod common;

use ccu::domain::drift::DriftThreshold;
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::registers::drift::Command as Drift;
use ccu::store::{Command, Done, DriftWarning, Error};
use chrono::{DateTime, Utc};
use common::*;

const STAFF: [(&str, &str); 5] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("aud", "auditor"),
    ("ao", "authorising-officer"),
];

/// The unit at 10:00 on 10/11/2026, with KESTREL (lead's) open.
fn unit() -> Unit {
    let clock = TestClock::at("2026-11-10T10:00:00Z");
    let mut u = Unit::at(clock, &sergeants(&STAFF)).logged_in();
    let op = NewOperation::new(
        Codename::parse("KESTREL").unwrap(),
        "Disclosure to an organised crime group",
        Category::Disclosure,
        Priority::P2,
        username("lead"),
        username("sup"),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    u.cf.execute(&u.actor("lead"), Command::OpenOperation(op))
        .unwrap();
    u
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Records, as `who`, an item received at `received` from `person`.
fn from(u: &mut Unit, who: &str, person: &str, received: &str) -> Urn {
    let item = NewIntelligence::new(
        at(received),
        SourceType::Colleague,
        false,
        None,
        Grading::parse("2BP", "").unwrap(),
        Category::Disclosure,
        false,
        Vec::new(),
        "Colleague reports PC seen with a known associate",
        "",
    )
    .unwrap()
    .from_person(person)
    .unwrap();
    let done =
        u.cf.execute(&u.actor(who), Command::RecordIntelligence(item))
            .unwrap();
    Urn::parse(UrnKind::Intelligence, &done.reference).unwrap()
}

/// Links `urn` to KESTREL, as its lead.
fn to_kestrel(u: &mut Unit, urn: Urn) {
    let lead = u.actor("lead");
    for (to, operation) in [
        (TriageStatus::Assessed, None),
        (
            TriageStatus::LinkedToOperation,
            Some(Codename::parse("KESTREL").unwrap()),
        ),
    ] {
        u.cf.execute(
            &lead,
            Command::TriageIntelligence {
                urn,
                to,
                operation,
                rationale: why("Concerns the subject of KESTREL"),
            },
        )
        .unwrap();
    }
}

fn warnings(u: &mut Unit, who: &str) -> Vec<DriftWarning> {
    let actor = u.actor(who);
    u.cf.status_drift(&actor).unwrap()
}

fn acknowledge(item: Urn, text: &str) -> Command {
    Drift::Acknowledge {
        item,
        rationale: why(text),
    }
    .into()
}

/// The register's rows and its settings, as sqlite sees them.
fn rows(u: &Unit) -> String {
    raw_conn(&u.path)
        .query_row(
            "SELECT json_array(
                (SELECT json_group_array(json_array(id, person_key, person, rationale, acknowledged_by))
                   FROM drift_acknowledgement),
                (SELECT json_group_array(json_array(acknowledgement_id, intelligence_id))
                   FROM drift_acknowledged_item),
                (SELECT json_group_array(json_array(key, value)) FROM setting WHERE key LIKE 'drift%'))",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_warning_comes_at_the_threshold_and_not_below_it() {
    let mut u = unit();
    let first = from(&mut u, "lead", "Jo Bloggs", "2026-08-20T09:00:00Z");
    let second = from(&mut u, "lead", "JO  BLOGGS", "2026-09-01T09:00:00Z");
    // Someone else, and the same person long before: neither counts.
    from(&mut u, "lead", "Jo Blogs", "2026-09-02T09:00:00Z");
    from(&mut u, "lead", "Jo Bloggs", "2026-01-05T09:00:00Z");
    assert_eq!(warnings(&mut u, "sup"), []);
    assert_eq!(warnings(&mut u, "lead"), []);

    // The third within 90 days of the first: exactly 90 days later.
    u.clock.set("2026-11-20T10:00:00Z");
    let third = from(&mut u, "sup", " jo bloggs", "2026-11-18T09:00:00Z");
    let expected = DriftWarning {
        person: "Jo Bloggs".into(),
        items: vec![first, second, third],
        latest_received_at: "2026-11-18T09:00:00.000000Z".into(),
    };
    assert_eq!(warnings(&mut u, "sup"), std::slice::from_ref(&expected));
    assert_eq!(warnings(&mut u, "lead"), std::slice::from_ref(&expected));
    assert_eq!(warnings(&mut u, "outsider"), [expected]);
    // An administrator reads no case content, warnings included.
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.status_drift(&admin),
        Err(Error::Denied { .. })
    ));
}

#[test]
fn an_investigator_sees_no_name_from_items_they_may_not_see() {
    let mut u = unit();
    let items = [
        from(&mut u, "lead", "Sam Fenwick", "2026-10-01T09:00:00Z"),
        from(&mut u, "lead", "Sam Fenwick", "2026-10-08T09:00:00Z"),
        from(&mut u, "lead", "Sam Fenwick", "2026-10-15T09:00:00Z"),
    ];
    to_kestrel(&mut u, items[1]);
    to_kestrel(&mut u, items[2]);
    assert_eq!(warnings(&mut u, "lead")[0].items, items);
    assert_eq!(warnings(&mut u, "sup")[0].items, items);
    // The outsider, not on KESTREL, sees one of the three: no warning, and
    // nothing they are given names the person of the hidden ones.
    let outsider = u.actor("outsider");
    assert_eq!(warnings(&mut u, "outsider"), []);
    let acks = u.cf.drift_acknowledgements(&outsider, &items[1]).unwrap();
    assert_eq!(acks, []);
    let before = rows(&u);
    let refused =
        u.cf.execute(&outsider, acknowledge(items[1], "Looked at it"))
            .unwrap_err();
    assert!(!refused.to_string().contains("Fenwick"), "{refused}");
    assert!(
        refused.to_string().contains("that you may see"),
        "{refused}"
    );
    // The one they may see is below the threshold for them.
    let below =
        u.cf.execute(&outsider, acknowledge(items[0], "Looked at it"))
            .unwrap_err();
    assert!(
        below.to_string().contains("no status drift warning"),
        "{below}"
    );
    assert_eq!(rows(&u), before);

    // Once the lead acknowledges, the acknowledgement shows on the items
    // they may see, and only those to the outsider.
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        acknowledge(items[0], "Considered: a colleague reporting, not tasked"),
    )
    .unwrap();
    let seen_by_outsider = u.cf.drift_acknowledgements(&outsider, &items[0]).unwrap();
    assert_eq!(seen_by_outsider.len(), 1);
    assert_eq!(seen_by_outsider[0].items, [items[0]]);
    assert_eq!(
        u.cf.drift_acknowledgements(&lead, &items[0]).unwrap()[0].items,
        items
    );
}

#[test]
fn acknowledging_needs_permission_and_holds_until_a_further_item() {
    let mut u = unit();
    let mut items: Vec<Urn> = ["2026-10-01", "2026-10-20", "2026-11-01"]
        .iter()
        .map(|d| from(&mut u, "lead", "Jo Bloggs", &format!("{d}T09:00:00Z")))
        .collect();
    let before = rows(&u);
    for who in ["aud", "ao"] {
        let start = seen(&u.path);
        let err =
            u.cf.execute(&u.actor(who), acknowledge(items[0], "Seen"))
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{who}: {err}");
        assert!(
            err.to_string()
                .contains("acknowledge a status drift warning"),
            "{err}"
        );
        assert_eq!(
            since(&u.path, start),
            [ev(
                who,
                "status-drift.acknowledge",
                "intelligence",
                &items[0].to_string(),
                "denied"
            )]
        );
        assert_eq!(rows(&u), before, "{who}");
    }
    assert_eq!(warnings(&mut u, "sup").len(), 1);

    let start = seen(&u.path);
    let sup = u.actor("sup");
    let done = u
        .cf
        .execute(
            &sup,
            acknowledge(items[2], "Jo Bloggs volunteers what they see at work; not tasked, no relationship maintained for a covert purpose"),
        )
        .unwrap();
    assert!(matches!(done.result, Done::Recorded));
    assert_eq!(
        since(&u.path, start),
        [ev(
            "sup",
            "status-drift.acknowledge",
            "intelligence",
            &items[2].to_string(),
            "ok"
        )]
    );
    let details = &details_since(&u.path, start)[0];
    assert_eq!(details["person"], "Jo Bloggs");
    assert_eq!(details["items"].as_array().unwrap().len(), 3);
    assert_eq!(warnings(&mut u, "sup"), []);
    assert_eq!(warnings(&mut u, "lead"), []);
    let again =
        u.cf.execute(&sup, acknowledge(items[0], "Again"))
            .unwrap_err();
    assert!(
        again.to_string().contains("already acknowledged"),
        "{again}"
    );

    // A further item brings it back, with every item in the period.
    items.push(from(&mut u, "lead", "jo bloggs", "2026-11-09T09:00:00Z"));
    let back = warnings(&mut u, "sup");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].items, items);
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        acknowledge(items[3], "Referred to the CHIS controller"),
    )
    .unwrap();
    assert_eq!(warnings(&mut u, "sup"), []);
    let log = u.cf.drift_acknowledgements(&sup, &items[0]).unwrap();
    assert_eq!(
        log.iter()
            .map(|a| a.acknowledged_by.as_str())
            .collect::<Vec<_>>(),
        ["sup", "lead"]
    );
    assert_eq!(log[1].items, items);
}

#[test]
fn an_item_with_no_named_source_has_no_warning_to_acknowledge() {
    let mut u = unit();
    let item = from(&mut u, "lead", "", "2026-11-01T09:00:00Z");
    let before = rows(&u);
    let err =
        u.cf.execute(&u.actor("lead"), acknowledge(item, "Seen"))
            .unwrap_err();
    assert!(err.to_string().contains("names no source person"), "{err}");
    assert_eq!(rows(&u), before);
}

#[test]
fn a_supervisor_sets_the_threshold_through_the_audited_write_path() {
    let mut u = unit();
    let sup = u.actor("sup");
    assert_eq!(u.cf.drift_threshold(&sup).unwrap(), DriftThreshold::DEFAULT);
    let two_in_a_week: Command = Drift::SetThreshold(DriftThreshold::new(2, 7).unwrap()).into();
    let before = rows(&u);
    for who in ["lead", "aud"] {
        let err =
            u.cf.execute(&u.actor(who), two_in_a_week.clone())
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{who}: {err}");
        assert_eq!(rows(&u), before);
    }
    let items = [
        from(&mut u, "lead", "Jo Bloggs", "2026-11-01T09:00:00Z"),
        from(&mut u, "lead", "Jo Bloggs", "2026-11-08T09:00:00Z"),
    ];
    assert_eq!(warnings(&mut u, "sup"), []);

    let start = seen(&u.path);
    u.cf.execute(&sup, two_in_a_week.clone()).unwrap();
    assert_eq!(
        since(&u.path, start),
        [ev("sup", "setting.status-drift", "setting", "drift", "ok")]
    );
    let details = &details_since(&u.path, start)[0];
    assert_eq!(details["before"]["count"], 3);
    assert_eq!(details["after"]["days"], 7);
    assert_eq!(warnings(&mut u, "sup")[0].items, items);
    assert_eq!(
        u.cf.drift_threshold(&sup).unwrap(),
        DriftThreshold::new(2, 7).unwrap()
    );
    // The same again is refused, saying what it already is.
    let before = rows(&u);
    let same = u.cf.execute(&sup, two_in_a_week).unwrap_err();
    assert!(
        same.to_string()
            .contains("already raised at 2 items within 7 days"),
        "{same}"
    );
    assert_eq!(rows(&u), before);
}
