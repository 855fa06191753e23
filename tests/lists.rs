//! The list screens' queries and the dashboard on a real case file: every
//! column sorts both ways, paging never repeats or skips a row, filters
//! match text and labels with LIKE's wildcards taken literally,
//! need-to-know holds in pages, totals and the dashboard, and the
//! dashboard counts by UK year and UK week.

mod common;

use std::collections::HashSet;

use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Closure, Codename, NewOperation, OperationStatus, Priority};
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{
    Actor, CaseFile, Command, IntelligenceColumn, IntelligenceRow, ListQuery, OperationColumn,
    OperationRow, Page, SubjectColumn, SubjectRow,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;

// ---------------------------------------------------------------------------
// Building the case file.

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn code(text: &str) -> Codename {
    Codename::parse(text).unwrap()
}

fn staff(text: &str) -> StaffNumber {
    StaffNumber::parse(text).unwrap()
}

struct Item {
    received: DateTime<Utc>,
    source: SourceType,
    grading: &'static str,
    conditions: &'static str,
    category: Category,
    summary: &'static str,
    reference: Option<String>,
}

fn new_intel(item: &Item) -> NewIntelligence {
    NewIntelligence::new(
        item.received,
        item.source,
        item.source == SourceType::ConfidentialLine,
        item.reference.clone(),
        Grading::parse(item.grading, item.conditions).unwrap(),
        item.category,
        false,
        vec![],
        item.summary,
        "",
    )
    .unwrap()
}

#[allow(clippy::too_many_arguments)]
fn subject(
    number: &str,
    name: &str,
    rank: &str,
    employment: EmploymentType,
    department: &str,
    vetting: VettingLevel,
    status: SubjectStatus,
) -> Command {
    Command::AddSubject(
        SubjectDetails::new(
            staff(number),
            name,
            rank,
            employment,
            department,
            "Patrol",
            false,
            vetting,
            None,
            status,
        )
        .unwrap(),
    )
}

fn operation(
    codename: &str,
    lead: &str,
    category: Category,
    priority: Priority,
    subjects: &[&str],
) -> Command {
    Command::OpenOperation(
        NewOperation::new(
            code(codename),
            &format!("Operation {codename}"),
            category,
            priority,
            username(lead),
            username("sup"),
            vec![],
            subjects.iter().map(|s| staff(s)).collect(),
        )
        .unwrap(),
    )
}

fn triage(number: u32, to: TriageStatus, operation: Option<&str>) -> Command {
    Command::TriageIntelligence {
        urn: Urn {
            kind: UrnKind::Intelligence,
            year: 2026,
            number,
        },
        to,
        operation: operation.map(code),
        rationale: why(&format!("Daily meeting: {}", to.code())),
    }
}

fn set_status(codename: &str, to: OperationStatus) -> Command {
    Command::ChangeOperationStatus {
        codename: code(codename),
        to,
        reason: why(&format!("Moving to {}", to.code())),
    }
}

/// Logged in by [`Unit::staffed`]: `lead` (investigator, lead of KESTREL
/// and HARRIER), `outsider` (investigator, lead of OSPREY and MERLIN; on
/// neither of lead's) and `sup` (supervisor of every operation; sees
/// everything).
const STAFF: [(&str, &str); 3] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
];

/// The items of [`listed`], in the order recorded (INT-2026-00001 first).
fn items() -> Vec<Item> {
    use Category as C;
    use SourceType as S;
    let item = |received, source, grading, category, summary| Item {
        received,
        source,
        grading,
        conditions: "",
        category,
        summary,
        reference: None,
    };
    vec![
        // 1: linked to KESTREL
        item(
            at(2026, 11, 20, 8, 0, 0),
            S::PartnerAgency,
            "2BP",
            C::AbuseOfAuthority,
            "Partner report marmalade",
        ),
        // 2: new; the first moment of the current UK week
        item(
            at(2026, 11, 23, 0, 0, 0),
            S::Colleague,
            "1AP",
            C::Drugs,
            "Colleague saw ZEPPELIN",
        ),
        // 3: assessed; the last moment of the week before
        item(
            at(2026, 11, 22, 23, 59, 59),
            S::IctMonitoring,
            "3EP",
            C::Disclosure,
            "alert quokka",
        ),
        // 4: no further action; Monday 7 September 00:00 in UK summer time,
        // the first moment of the oldest week the dashboard shows
        Item {
            conditions: "Not to be shared outside PSD",
            ..item(
                at(2026, 9, 6, 23, 0, 0),
                S::PublicComplaint,
                "2BC",
                C::TheftFraud,
                "Cut of 50% agreed",
            )
        },
        // 5: filed; a second before that week
        item(
            at(2026, 9, 6, 22, 59, 59),
            S::ConfidentialLine,
            "2BP",
            C::TheftFraud,
            "Paid 500 pounds",
        ),
        // 6: develop; the first moment of the UK year
        item(
            at(2026, 1, 1, 0, 0, 0),
            S::OtherForce,
            "1BP",
            C::Other,
            "Paid 50 pounds, ref_7",
        ),
        // 7: new; the last moment of last year
        item(
            at(2025, 12, 31, 23, 59, 59),
            S::Other,
            "2CP",
            C::Drugs,
            "Old report from last year",
        ),
        // 8: linked to OSPREY; received with item 1
        item(
            at(2026, 11, 20, 8, 0, 0),
            S::PartnerAgency,
            "2BP",
            C::AbuseOfAuthority,
            "Marmalade again",
        ),
        // 9: linked to HARRIER
        item(
            at(2026, 10, 15, 10, 0, 0),
            S::IctMonitoring,
            "2BP",
            C::Vulnerability,
            "Back\\slash report",
        ),
        // 10: new; an older 5x5x5 grade
        Item {
            reference: Some("OLD-1".into()),
            ..item(
                at(2024, 5, 1, 12, 0, 0),
                S::Other,
                "B24",
                C::Other,
                "Legacy item imported",
            )
        },
    ]
}

/// The unit of [`STAFF`] at the tests' fixed clock (Monday 23 November
/// 2026, 09:30 UTC): five subjects, four operations and the ten [`items`].
///
/// - KESTREL (lead, scoping) has subject K100 and item 1;
/// - HARRIER (lead, active-overt) has item 9;
/// - OSPREY (outsider, active-covert) has item 8;
/// - MERLIN (outsider, closed) has nothing.
fn listed() -> Unit {
    let mut u = Unit::staffed(&STAFF);
    let [lead, sup] = u.actors(["lead", "sup"]);
    let cf = &mut u.cf;
    use EmploymentType as E;
    use SubjectStatus as St;
    use VettingLevel as V;
    for command in [
        subject(
            "K100",
            "Kerry Shadowfax",
            "PC",
            E::Officer,
            "Custody",
            V::Recruitment,
            St::Serving,
        ),
        subject(
            "F200",
            "frank Open",
            "Grade 4",
            E::PoliceStaff,
            "roads",
            V::Management,
            St::Suspended,
        ),
        subject(
            "A300",
            "Amy Zed",
            "SC",
            E::SpecialConstable,
            "CID",
            V::Nppv3,
            St::RestrictedDuties,
        ),
        subject(
            "B400",
            "Ben Young",
            "contractor",
            E::Contractor,
            "Control room",
            V::None,
            St::Left,
        ),
        subject(
            "C500",
            "carla Mendes",
            "sergeant",
            E::Officer,
            "CID",
            V::Nppv3,
            St::Serving,
        ),
    ] {
        cf.execute(&sup, command).unwrap();
    }
    for command in [
        operation(
            "KESTREL",
            "lead",
            Category::AbuseOfAuthority,
            Priority::P2,
            &["K100"],
        ),
        operation("OSPREY", "outsider", Category::Drugs, Priority::P1, &[]),
        operation("HARRIER", "lead", Category::Disclosure, Priority::P4, &[]),
        operation(
            "MERLIN",
            "outsider",
            Category::TheftFraud,
            Priority::P3,
            &[],
        ),
    ] {
        cf.execute(&sup, command).unwrap();
    }
    for item in items() {
        cf.execute(&lead, Command::RecordIntelligence(new_intel(&item)))
            .unwrap();
    }
    use TriageStatus as T;
    for command in [
        triage(1, T::Assessed, None),
        triage(1, T::LinkedToOperation, Some("KESTREL")),
        triage(3, T::Assessed, None),
        triage(4, T::Assessed, None),
        triage(4, T::NoFurtherAction, None),
        triage(5, T::Assessed, None),
        triage(5, T::Filed, None),
        triage(6, T::Assessed, None),
        triage(6, T::Develop, None),
        triage(8, T::Assessed, None),
        triage(8, T::LinkedToOperation, Some("OSPREY")),
        triage(9, T::Assessed, None),
        triage(9, T::LinkedToOperation, Some("HARRIER")),
        set_status("OSPREY", OperationStatus::ActiveCovert),
        set_status("HARRIER", OperationStatus::ActiveOvert),
        Command::CloseOperation {
            codename: code("MERLIN"),
            closure: Closure::new("No case to answer", "Check the duty rosters first").unwrap(),
        },
    ] {
        cf.execute(&sup, command).unwrap();
    }
    u
}

// ---------------------------------------------------------------------------
// Reading lists.

fn all_intel(
    cf: &mut CaseFile,
    who: &Actor,
    query: &ListQuery<IntelligenceColumn>,
) -> Vec<IntelligenceRow> {
    cf.intelligence_page(who, query, Page::ALL).unwrap()
}

fn urns_of(rows: &[IntelligenceRow]) -> Vec<String> {
    rows.iter().map(|r| r.urn.to_string()).collect()
}

fn int(number: u32) -> String {
    format!("INT-2026-{number:05}")
}

fn ints(numbers: &[u32]) -> Vec<String> {
    numbers.iter().map(|&n| int(n)).collect()
}

fn filtered_urns(
    cf: &mut CaseFile,
    who: &Actor,
    column: IntelligenceColumn,
    text: &str,
) -> Vec<String> {
    let query = ListQuery::sorted(IntelligenceColumn::Urn, false).filtered(column, text);
    let urns = urns_of(&all_intel(cf, who, &query));
    assert_eq!(
        cf.intelligence_total(who, &query).unwrap(),
        urns.len() as u64,
        "the total agrees with the rows for {column:?} {text:?}"
    );
    urns
}

/// How SQLite's NOCASE compares: ASCII letters folded, nothing else.
fn nocase(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// `rows` (in the order recorded) sorted by `key`, ties in the order
/// recorded, as the list sorts ascending.
fn sorted_by<T: Clone, K: Ord>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| key(r));
    rows
}

// ---------------------------------------------------------------------------
// Sorting.

#[test]
fn intelligence_sorts_by_every_column_both_ways() {
    let mut u = listed();
    let sup = u.actor("sup");
    let recorded = all_intel(
        &mut u.cf,
        &sup,
        &ListQuery::sorted(IntelligenceColumn::Urn, false),
    );
    assert_eq!(urns_of(&recorded), ints(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));

    type Key = Box<dyn Fn(&IntelligenceRow) -> (String, Option<String>)>;
    let text = |f: fn(&IntelligenceRow) -> String| -> Key { Box::new(move |r| (f(r), None)) };
    for column in IntelligenceColumn::ALL.iter().copied() {
        use IntelligenceColumn as C;
        let key: Key = match column {
            C::Urn => text(|r| r.urn.to_string()),
            C::Received => text(|r| r.received_at.clone()),
            C::Source => text(|r| r.source_type.label().to_lowercase()),
            C::Grading => text(|r| r.grading.code()),
            C::Category => text(|r| r.category.label().to_lowercase()),
            C::Triage => text(|r| r.triage.label().to_lowercase()),
            C::Summary => text(|r| nocase(&r.summary)),
            // No operation sorts first.
            C::Operation => {
                Box::new(|r| (String::new(), r.operation.as_ref().map(ToString::to_string)))
            }
        };
        let expected = urns_of(&sorted_by(&recorded, key));
        let ascending = urns_of(&all_intel(
            &mut u.cf,
            &sup,
            &ListQuery::sorted(column, false),
        ));
        assert_eq!(ascending, expected, "{column:?} ascending");
        let descending = urns_of(&all_intel(
            &mut u.cf,
            &sup,
            &ListQuery::sorted(column, true),
        ));
        let reversed: Vec<String> = expected.into_iter().rev().collect();
        assert_eq!(descending, reversed, "{column:?} descending");
    }

    // Spelled out for the columns whose order is least obvious. Categories
    // sort by the label shown: "Abuse of authority", "Controlled drug use
    // and supply" (drugs), "Disclosure of information", "Other", "Theft and
    // fraud", "Vulnerability"; ties in the order recorded.
    let by_category = all_intel(
        &mut u.cf,
        &sup,
        &ListQuery::sorted(IntelligenceColumn::Category, false),
    );
    assert_eq!(
        urns_of(&by_category),
        ints(&[1, 8, 2, 7, 3, 6, 10, 4, 5, 9])
    );
    // Received newest first, the two received together newest recorded first.
    let newest = all_intel(&mut u.cf, &sup, &ListQuery::default());
    assert_eq!(urns_of(&newest), ints(&[2, 3, 8, 1, 9, 4, 5, 6, 7, 10]));
    // Summaries ignore case: "alert quokka" before "Back\slash report".
    let by_summary = all_intel(
        &mut u.cf,
        &sup,
        &ListQuery::sorted(IntelligenceColumn::Summary, false),
    );
    assert_eq!(urns_of(&by_summary), ints(&[3, 9, 2, 4, 10, 8, 7, 6, 5, 1]));
}

#[test]
fn subjects_sort_by_every_column_both_ways() {
    let mut u = listed();
    let sup = u.actor("sup");
    let recorded = ["K100", "F200", "A300", "B400", "C500"];
    let mut rows: Vec<SubjectRow> =
        u.cf.subjects_page(&sup, &ListQuery::default(), Page::ALL)
            .unwrap();
    rows.sort_by_key(|r| recorded.iter().position(|s| *s == r.staff_number.as_str()));
    let numbers = |rows: &[SubjectRow]| -> Vec<String> {
        rows.iter().map(|r| r.staff_number.to_string()).collect()
    };
    assert_eq!(numbers(&rows), recorded);

    for column in SubjectColumn::ALL.iter().copied() {
        use SubjectColumn as C;
        let key: fn(&SubjectRow) -> String = match column {
            C::StaffNumber => |r| r.staff_number.to_string(),
            C::Name => |r| nocase(&r.name),
            C::Rank => |r| nocase(&r.rank_or_grade),
            C::Employment => |r| r.employment_type.label().to_lowercase(),
            C::Department => |r| nocase(&r.department),
            C::Vetting => |r| r.vetting_level.label().to_lowercase(),
            C::Status => |r| r.status.label().to_lowercase(),
        };
        let expected = numbers(&sorted_by(&rows, key));
        let query = ListQuery::sorted(column, false);
        let ascending = numbers(&u.cf.subjects_page(&sup, &query, Page::ALL).unwrap());
        assert_eq!(ascending, expected, "{column:?} ascending");
        let query = ListQuery::sorted(column, true);
        let descending = numbers(&u.cf.subjects_page(&sup, &query, Page::ALL).unwrap());
        let reversed: Vec<String> = expected.into_iter().rev().collect();
        assert_eq!(descending, reversed, "{column:?} descending");
    }

    let query = ListQuery::sorted(SubjectColumn::Name, false);
    let by_name = numbers(&u.cf.subjects_page(&sup, &query, Page::ALL).unwrap());
    assert_eq!(by_name, ["A300", "B400", "C500", "F200", "K100"]);
}

#[test]
fn operations_sort_by_every_column_both_ways() {
    let mut u = listed();
    let sup = u.actor("sup");
    let all = |cf: &mut CaseFile, query: &ListQuery<OperationColumn>| -> Vec<String> {
        cf.operations_page(&sup, query, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|o| o.codename.to_string())
            .collect()
    };
    let recorded: Vec<OperationRow> =
        u.cf.operations_page(
            &sup,
            &ListQuery::sorted(OperationColumn::Urn, false),
            Page::ALL,
        )
        .unwrap();
    let codenames = |rows: &[OperationRow]| -> Vec<String> {
        rows.iter().map(|o| o.codename.to_string()).collect()
    };
    assert_eq!(
        codenames(&recorded),
        ["KESTREL", "OSPREY", "HARRIER", "MERLIN"]
    );

    for column in OperationColumn::ALL.iter().copied() {
        use OperationColumn as C;
        let key: fn(&OperationRow) -> String = match column {
            C::Urn => |o| o.urn.to_string(),
            C::Codename => |o| o.codename.to_string(),
            C::Status => |o| o.status.label().to_lowercase(),
            C::Category => |o| o.category.label().to_lowercase(),
            C::Priority => |o| o.priority.label().to_lowercase(),
            C::Lead => |o| o.lead.clone(),
            C::Opened => |o| o.opened_at.clone(),
        };
        let expected = codenames(&sorted_by(&recorded, key));
        assert_eq!(
            all(&mut u.cf, &ListQuery::sorted(column, false)),
            expected,
            "{column:?}"
        );
        let reversed: Vec<String> = expected.into_iter().rev().collect();
        assert_eq!(
            all(&mut u.cf, &ListQuery::sorted(column, true)),
            reversed,
            "{column:?}"
        );
    }

    // Statuses by their labels: "Active (covert phase)", "Active (overt
    // phase)", "Closed", "Scoping".
    let by_status = all(
        &mut u.cf,
        &ListQuery::sorted(OperationColumn::Status, false),
    );
    assert_eq!(by_status, ["OSPREY", "HARRIER", "MERLIN", "KESTREL"]);
    let by_priority = all(
        &mut u.cf,
        &ListQuery::sorted(OperationColumn::Priority, true),
    );
    assert_eq!(by_priority, ["HARRIER", "MERLIN", "KESTREL", "OSPREY"]);
}

// ---------------------------------------------------------------------------
// Paging.

#[test]
fn paging_through_any_sort_never_repeats_or_skips_a_row() {
    let mut u = listed();
    let [sup, outsider] = u.actors(["sup", "outsider"]);
    // Fifty more items with many ties: five categories, three summaries,
    // four moments of receipt.
    let more: Vec<NewIntelligence> = (0..50)
        .map(|i| {
            new_intel(&Item {
                received: at(2026, 10, 1 + (i % 4), 12, 0, 0),
                source: SourceType::ALL[i as usize % 3],
                grading: ["1AP", "2BP"][i as usize % 2],
                conditions: "",
                category: Category::ALL[i as usize % 5],
                summary: ["Same words", "same WORDS", "Other words"][i as usize % 3],
                reference: Some(format!("BULK-{i}")),
            })
        })
        .collect();
    u.cf.import_intelligence(&sup, "bulk.csv", more).unwrap();
    // Some of them linked to KESTREL, so hidden from the outsider.
    for n in [11, 17, 30, 44] {
        u.cf.execute(&sup, triage(n, TriageStatus::Assessed, None))
            .unwrap();
        u.cf.execute(
            &sup,
            triage(n, TriageStatus::LinkedToOperation, Some("KESTREL")),
        )
        .unwrap();
    }

    for who in [&sup, &outsider] {
        for column in IntelligenceColumn::ALL.iter().copied() {
            for descending in [false, true] {
                for query in [
                    ListQuery::sorted(column, descending),
                    ListQuery::sorted(column, descending)
                        .filtered(IntelligenceColumn::Summary, "words"),
                ] {
                    let whole = urns_of(&all_intel(&mut u.cf, who, &query));
                    let total = u.cf.intelligence_total(who, &query).unwrap();
                    assert_eq!(whole.len() as u64, total, "{query:?}");
                    let mut paged = Vec::new();
                    let mut offset = 0;
                    loop {
                        let page =
                            u.cf.intelligence_page(who, &query, Page { offset, limit: 7 })
                                .unwrap();
                        if page.is_empty() {
                            break;
                        }
                        assert!(page.len() <= 7);
                        paged.extend(urns_of(&page));
                        offset += 7;
                    }
                    assert_eq!(paged, whole, "{query:?}");
                    let distinct: HashSet<&String> = paged.iter().collect();
                    assert_eq!(distinct.len(), paged.len(), "no row twice: {query:?}");
                }
            }
        }
    }
    let everything = ListQuery::default();
    assert_eq!(u.cf.intelligence_total(&sup, &everything).unwrap(), 60);
    // Items 1, 9 and the four linked above are KESTREL's or HARRIER's.
    assert_eq!(u.cf.intelligence_total(&outsider, &everything).unwrap(), 54);
    let beyond =
        u.cf.intelligence_page(
            &sup,
            &everything,
            Page {
                offset: 60,
                limit: 7,
            },
        )
        .unwrap();
    assert!(beyond.is_empty());
}

// ---------------------------------------------------------------------------
// Filtering.

#[test]
fn filters_match_text_ignoring_case_and_codes_by_code_or_label() {
    let mut u = listed();
    let sup = u.actor("sup");
    let cf = &mut u.cf;
    use IntelligenceColumn as C;
    assert_eq!(
        filtered_urns(cf, &sup, C::Summary, "MARMALADE"),
        ints(&[1, 8])
    );
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "zeppelin"), ints(&[2]));
    // A category by (part of) its label, or of its code.
    assert_eq!(
        filtered_urns(cf, &sup, C::Category, "drug use"),
        ints(&[2, 7])
    );
    assert_eq!(filtered_urns(cf, &sup, C::Category, "DRUGS"), ints(&[2, 7]));
    assert_eq!(
        filtered_urns(cf, &sup, C::Category, "theft and"),
        ints(&[4, 5])
    );
    assert_eq!(
        filtered_urns(cf, &sup, C::Category, "nothing like it"),
        ints(&[])
    );
    assert_eq!(filtered_urns(cf, &sup, C::Triage, "further"), ints(&[4]));
    assert_eq!(
        filtered_urns(cf, &sup, C::Triage, "linked"),
        ints(&[1, 8, 9])
    );
    assert_eq!(filtered_urns(cf, &sup, C::Source, "ict-mon"), ints(&[3, 9]));
    assert_eq!(
        filtered_urns(cf, &sup, C::Source, "reporting line"),
        ints(&[5])
    );
    assert_eq!(filtered_urns(cf, &sup, C::Grading, "2bc"), ints(&[4]));
    assert_eq!(filtered_urns(cf, &sup, C::Grading, "B24"), ints(&[10]));
    assert_eq!(filtered_urns(cf, &sup, C::Operation, "osp"), ints(&[8]));
    assert_eq!(filtered_urns(cf, &sup, C::Received, "2025-12"), ints(&[7]));
    assert_eq!(filtered_urns(cf, &sup, C::Urn, "00010"), ints(&[10]));
    // Empty text filters nothing.
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "").len(), 10);

    let sup = u.actor("sup");
    let query = ListQuery::default().filtered(SubjectColumn::Department, "cid");
    let found: Vec<String> =
        u.cf.subjects_page(&sup, &query, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|s| s.staff_number.to_string())
            .collect();
    assert_eq!(found, ["A300", "C500"]);
    assert_eq!(u.cf.subjects_total(&sup, &query).unwrap(), 2);
    let query = ListQuery::default().filtered(SubjectColumn::Status, "restricted duties");
    assert_eq!(u.cf.subjects_total(&sup, &query).unwrap(), 1);
    let query = ListQuery::default().filtered(SubjectColumn::Vetting, "nppv");
    assert_eq!(u.cf.subjects_total(&sup, &query).unwrap(), 2);

    let query = ListQuery::default().filtered(OperationColumn::Lead, "outsider");
    let found: Vec<String> =
        u.cf.operations_page(&sup, &query, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|o| o.codename.to_string())
            .collect();
    // Opened together: the one opened last first.
    assert_eq!(found, ["MERLIN", "OSPREY"]);
    let query = ListQuery::default().filtered(OperationColumn::Status, "active");
    assert_eq!(u.cf.operations_total(&sup, &query).unwrap(), 2);
    let query = ListQuery::default().filtered(OperationColumn::Priority, "highest");
    assert_eq!(u.cf.operations_total(&sup, &query).unwrap(), 1);
}

#[test]
fn like_wildcards_in_filter_text_are_literal() {
    let mut u = listed();
    let sup = u.actor("sup");
    let cf = &mut u.cf;
    use IntelligenceColumn as C;
    // "50%" is not "50 followed by anything": only the item that says 50%.
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "50%"), ints(&[4]));
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "%"), ints(&[4]));
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "50"), ints(&[4, 5, 6]));
    // "_" is an underscore, not any one character.
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "_"), ints(&[6]));
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "ref_7"), ints(&[6]));
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "ref%7"), ints(&[]));
    // The escape character itself is literal too.
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "\\"), ints(&[9]));
    assert_eq!(filtered_urns(cf, &sup, C::Summary, "k\\s"), ints(&[9]));
    // Quotes are just text.
    assert_eq!(
        filtered_urns(cf, &sup, C::Summary, "' OR 1=1 --"),
        ints(&[])
    );
}

// ---------------------------------------------------------------------------
// Need-to-know.

#[test]
fn an_investigator_not_on_an_operation_sees_none_of_its_items_anywhere() {
    let mut u = listed();
    let [lead, outsider, sup] = u.actors(["lead", "outsider", "sup"]);
    let everything = ListQuery::sorted(IntelligenceColumn::Urn, false);

    let urns = urns_of(&all_intel(&mut u.cf, &outsider, &everything));
    assert_eq!(
        urns,
        ints(&[2, 3, 4, 5, 6, 7, 8, 10]),
        "not KESTREL's 1 or HARRIER's 9"
    );
    assert_eq!(u.cf.intelligence_total(&outsider, &everything).unwrap(), 8);
    let urns = urns_of(&all_intel(&mut u.cf, &lead, &everything));
    assert_eq!(urns, ints(&[1, 2, 3, 4, 5, 6, 7, 9, 10]), "not OSPREY's 8");
    assert_eq!(u.cf.intelligence_total(&sup, &everything).unwrap(), 10);

    // Filtering by the hidden codename, or by what the hidden item says,
    // finds nothing and counts nothing.
    use IntelligenceColumn as C;
    assert_eq!(
        filtered_urns(&mut u.cf, &outsider, C::Operation, "KESTREL"),
        ints(&[])
    );
    assert_eq!(
        filtered_urns(&mut u.cf, &outsider, C::Summary, "marmalade"),
        ints(&[8])
    );
    assert_eq!(
        filtered_urns(&mut u.cf, &outsider, C::Triage, "linked"),
        ints(&[8])
    );
    // A page deep in the list never reaches past what may be seen.
    let page =
        u.cf.intelligence_page(
            &outsider,
            &everything,
            Page {
                offset: 6,
                limit: 5,
            },
        )
        .unwrap();
    assert_eq!(urns_of(&page), ints(&[8, 10]));

    // Subjects: K100 is linked only to KESTREL.
    let q = ListQuery::<SubjectColumn>::default();
    let staff: Vec<String> =
        u.cf.subjects_page(&outsider, &q, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|s| s.staff_number.to_string())
            .collect();
    assert_eq!(staff, ["A300", "B400", "C500", "F200"]);
    assert_eq!(u.cf.subjects_total(&outsider, &q).unwrap(), 4);
    let by_name = q.clone().filtered(SubjectColumn::Name, "kerry");
    assert_eq!(u.cf.subjects_total(&outsider, &by_name).unwrap(), 0);
    assert_eq!(u.cf.subjects_total(&lead, &by_name).unwrap(), 1);

    // Operations.
    let q = ListQuery::sorted(OperationColumn::Codename, false);
    let codenames: Vec<String> =
        u.cf.operations_page(&outsider, &q, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|o| o.codename.to_string())
            .collect();
    assert_eq!(codenames, ["MERLIN", "OSPREY"]);
    assert_eq!(u.cf.operations_total(&outsider, &q).unwrap(), 2);
    assert_eq!(u.cf.operations_total(&lead, &q).unwrap(), 2);
    assert_eq!(u.cf.operations_total(&sup, &q).unwrap(), 4);

    // The dashboard counts only what each may see.
    use OperationStatus as O;
    use TriageStatus as T;
    let d = u.cf.dashboard(&outsider).unwrap();
    assert_eq!(
        d.operations_by_status,
        [
            (O::Scoping, 0),
            (O::ActiveOvert, 0),
            (O::ActiveCovert, 1),
            (O::Suspended, 0),
            (O::Closed, 1)
        ]
    );
    assert_eq!(
        d.intelligence_by_triage,
        [
            (T::New, 3),
            (T::Assessed, 1),
            (T::NoFurtherAction, 1),
            (T::Filed, 1),
            (T::Develop, 1),
            (T::LinkedToOperation, 1)
        ]
    );
    let count = |d: &ccu::store::Dashboard, c: Category| {
        d.category_this_year
            .iter()
            .find(|(k, _)| *k == c)
            .unwrap()
            .1
    };
    assert_eq!(
        count(&d, Category::AbuseOfAuthority),
        1,
        "OSPREY's, not KESTREL's"
    );
    assert_eq!(
        count(&d, Category::Vulnerability),
        0,
        "HARRIER's item is hidden"
    );
    let week = |d: &ccu::store::Dashboard, monday: NaiveDate| {
        d.weekly_intake
            .iter()
            .find(|(m, _)| *m == monday)
            .unwrap()
            .1
    };
    assert_eq!(week(&d, date(2026, 11, 16)), 2);
    assert_eq!(week(&d, date(2026, 10, 12)), 0);

    let d = u.cf.dashboard(&lead).unwrap();
    assert_eq!(
        d.operations_by_status,
        [
            (O::Scoping, 1),
            (O::ActiveOvert, 1),
            (O::ActiveCovert, 0),
            (O::Suspended, 0),
            (O::Closed, 0)
        ]
    );
    assert_eq!(d.intelligence_by_triage[5], (T::LinkedToOperation, 2));
    assert_eq!(
        count(&d, Category::AbuseOfAuthority),
        1,
        "KESTREL's, not OSPREY's"
    );
    assert_eq!(week(&d, date(2026, 11, 16)), 2);
    assert_eq!(week(&d, date(2026, 10, 12)), 1);
}

#[test]
fn an_administrator_reads_no_lists_and_the_refusal_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    let before = audit_rows(&path).len();
    assert!(
        cf.intelligence_page(&admin, &ListQuery::default(), Page::ALL)
            .is_err()
    );
    assert!(cf.subjects_total(&admin, &ListQuery::default()).is_err());
    assert!(
        cf.operations_page(&admin, &ListQuery::default(), Page::ALL)
            .is_err()
    );
    let err = cf.dashboard(&admin).unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    let rows = audit_rows(&path);
    assert_eq!(rows.len(), before + 4);
    let last = rows.last().unwrap();
    assert_eq!((last.2.as_str(), last.4.as_str()), ("view", "denied"));
}

// ---------------------------------------------------------------------------
// The dashboard.

#[test]
fn the_dashboard_counts_every_status_and_buckets_by_uk_year_and_week() {
    let mut u = listed();
    let sup = u.actor("sup");
    let d = u.cf.dashboard(&sup).unwrap();
    use OperationStatus as O;
    use TriageStatus as T;
    assert_eq!(
        d.operations_by_status,
        [
            (O::Scoping, 1),
            (O::ActiveOvert, 1),
            (O::ActiveCovert, 1),
            (O::Suspended, 0),
            (O::Closed, 1)
        ]
    );
    assert_eq!(
        d.intelligence_by_triage,
        [
            (T::New, 3),
            (T::Assessed, 1),
            (T::NoFurtherAction, 1),
            (T::Filed, 1),
            (T::Develop, 1),
            (T::LinkedToOperation, 3)
        ]
    );
    // 2026 in the UK: item 6 (00:00 on 1 January) is in it, item 7 (a
    // second earlier) and item 10 (2024) are not.
    assert_eq!(d.year, 2026);
    use Category as C;
    assert_eq!(
        d.category_this_year,
        [
            (C::Infiltration, 0),
            (C::Disclosure, 1),
            (C::PervertingJustice, 0),
            (C::SexualMisconduct, 0),
            (C::Drugs, 1),
            (C::TheftFraud, 2),
            (C::MisusingSystems, 0),
            (C::AbuseOfAuthority, 2),
            (C::InappropriateAssociation, 0),
            (C::Vulnerability, 1),
            (C::AssistOffender, 0),
            (C::Other, 1),
        ]
    );
    // Twelve UK weeks, Monday to Sunday, the current one last. The oldest
    // begins at 00:00 UK summer time on 7 September (23:00 UTC on the 6th):
    // item 4 is in it, item 5 a second before is not. Item 3, at 23:59:59
    // on Sunday 22 November, is in the week before the current one; item 2,
    // at midnight, begins the current week.
    assert_eq!(
        d.weekly_intake,
        [
            (date(2026, 9, 7), 1),
            (date(2026, 9, 14), 0),
            (date(2026, 9, 21), 0),
            (date(2026, 9, 28), 0),
            (date(2026, 10, 5), 0),
            (date(2026, 10, 12), 1),
            (date(2026, 10, 19), 0),
            (date(2026, 10, 26), 0),
            (date(2026, 11, 2), 0),
            (date(2026, 11, 9), 0),
            (date(2026, 11, 16), 3),
            (date(2026, 11, 23), 1),
        ]
    );
}

#[test]
fn just_after_new_year_the_dashboard_counts_the_new_year_and_the_week_across_it() {
    // Friday 1 January 2027, 00:30 in the UK.
    let mut u = Unit::at(TestClock::at("2027-01-01T00:30:00Z"), &sergeants(&STAFF)).logged_in();
    let lead = u.actor("lead");
    let cf = &mut u.cf;
    for (received, category) in [
        (at(2026, 12, 27, 23, 59, 59), Category::Drugs),
        (at(2026, 12, 31, 23, 59, 59), Category::Drugs),
        (at(2027, 1, 1, 0, 0, 0), Category::Disclosure),
    ] {
        let item = Item {
            received,
            source: SourceType::Colleague,
            grading: "2BP",
            conditions: "",
            category,
            summary: "Seen at the party",
            reference: None,
        };
        cf.execute(&lead, Command::RecordIntelligence(new_intel(&item)))
            .unwrap();
    }
    let d = cf.dashboard(&lead).unwrap();
    assert_eq!(d.year, 2027);
    let counted: Vec<(Category, u64)> = d
        .category_this_year
        .iter()
        .copied()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(counted, [(Category::Disclosure, 1)]);
    assert_eq!(d.category_this_year.len(), 12);
    let weeks = &d.weekly_intake;
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[0].0, date(2026, 10, 12));
    assert_eq!(weeks[10], (date(2026, 12, 21), 1));
    assert_eq!(weeks[11], (date(2026, 12, 28), 2));
    assert!(weeks[..10].iter().all(|(_, n)| *n == 0));
    // Every status is listed, even with nothing in it.
    assert_eq!(d.operations_by_status.len(), OperationStatus::ALL.len());
    assert!(d.operations_by_status.iter().all(|(_, n)| *n == 0));
    assert_eq!(d.intelligence_by_triage[0], (TriageStatus::New, 3));
}
