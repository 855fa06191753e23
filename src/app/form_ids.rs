//! Tests that forms and the code reading them agree on field ids: every
//! form the application can show is built here, filled, varied and saved,
//! so a builder reading a field its form lacks (which `Form::value` stops
//! at) or a refusal naming no field of the form (which would show over
//! the whole form, away from what was wrong) fails a test rather than a
//! user.

use chrono::{DateTime, TimeZone, Utc};

use super::areas::Area;
use super::areas::kind::FormContext;
use super::form::{Field, Form, FormKind, Input};
use super::update::build_form;
use crate::domain::InvalidInput;
use crate::domain::intelligence::TriageStatus;
use crate::domain::operation::OperationStatus;
use crate::domain::text::LONG;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

/// The resources a bid may ask for: (code, label, weekly capacity).
fn resources() -> Vec<super::areas::kind::Resource> {
    [
        ("surveillance-team-days", "Surveillance team days", 10.0),
        ("analyst-hours", "Analyst hours", 30.0),
    ]
    .map(|(code, label, weekly)| (code.to_string(), label.to_string(), weekly))
    .to_vec()
}

/// Every form the application saves through a builder: the screens
/// around a session, and each area's (`Area::every_form`).
fn every_form() -> Vec<Form> {
    let resources = resources();
    let context = FormContext {
        resources: &resources,
        roles: &crate::domain::role::Role::ALL,
    };
    let mut forms = vec![
        Form::setup("case.ccu"),
        Form::login(""),
        Form::login("alice"),
        Form::choose_password("alice", "an administrator set a one-time password"),
    ];
    for area in Area::ALL {
        forms.extend(area.every_form(&context));
    }
    // The same form, reached from records in several states, once.
    let mut seen = std::collections::HashSet::new();
    forms.retain(|f| seen.insert(format!("{:?} {}", f.kind, f.title)));
    forms
}

/// Every form on screen: those, and the lock screen's, whose password is
/// read without a builder.
fn every_form_shown() -> Vec<Form> {
    let mut forms = every_form();
    forms.push(Form::unlock("alice"));
    forms
}

/// Each kind of form, numbered: a new kind fails to compile here until it
/// is numbered, and then `every_kind_of_form_is_tried` until
/// `every_form` reaches it.
fn numbered(kind: &FormKind) -> usize {
    match kind {
        FormKind::Setup => 0,
        FormKind::Login => 1,
        FormKind::DecideAccess { .. } => 2,
        FormKind::ChoosePassword { .. } => 3,
        FormKind::NewIntelligence => 4,
        FormKind::Triage { .. } => 5,
        FormKind::Area => 6,
        FormKind::NewOperation => 7,
        FormKind::Decision { .. } => 8,
        FormKind::OperationStatus { .. } => 9,
        FormKind::CloseOperation { .. } => 10,
        FormKind::ProposeThreshold { .. } => 11,
        FormKind::DecideThreshold { .. } => 12,
        FormKind::DraftBid => 13,
        FormKind::DecideBid { .. } => 14,
        FormKind::CloseBid { .. } => 15,
        FormKind::ApplyAuthorisation => 16,
        FormKind::DecideAuthorisation { .. } => 17,
        FormKind::JudicialApproval { .. } => 18,
        FormKind::ReviewAuthorisation { .. } => 19,
        FormKind::RenewAuthorisation { .. } => 20,
        FormKind::CancelAuthorisation { .. } => 21,
        FormKind::RecordReferral => 22,
        FormKind::IopcDecision { .. } => 23,
        FormKind::ExportCentralRecord => 24,
        FormKind::AuditFilter => 25,
    }
}
const KINDS: usize = 26;

/// A value the field accepts: by its id where its format is particular,
/// otherwise by its input.
fn sample(field: &Field) -> String {
    let by_id = match field.id {
        // A link names one subject, under the id the case file's refusals give.
        "subjects" if field.label == "staff number" => "E1234",
        "case file" => "case.ccu",
        "file" => "central-record.csv",
        "username" | "lead" | "authorising officer" | "user" => "alice",
        "supervisor" => "bob",
        "head of unit" => "harriet",
        "team" => "carol, dave",
        "password" | "password again" | "new password" | "new password again" => {
            "correct horse battery staple"
        }
        "head's password" | "head's password again" => "a different long passphrase",
        "received" | "stop instruction" | "approved at" => "now",
        "grading" => "2BP",
        "subjects" => "E1234, E5678",
        "staff number" => "E1234",
        "codename" | "operation" => "KESTREL",
        "corrects" => "1",
        "lines" => "surveillance-team-days 5 today +14d follow the subject",
        "line" => "1",
        "review frequency" => "28",
        "tactic 1" => "static-observation",
        "weekly capacity" => "12.5",
        "re-referral of" => "REF-2026-0001",
        "action" => "login",
        "outcome" => "denied",
        "up to event" | "event" => "120",
        "rank" => "DS",
        "roles" => "investigator",
        "one-time password" | "one-time password again" => "a long first passphrase",
        "folder" => "bundle",
        "characteristic" => "victim-contact",
        "weight" | "benchmark" => "5",
        "email" => "a.spoc@refuge.example.org.uk",
        "phone" => "01632 960123",
        "intelligence" => "INT-2026-00042",
        "next contact due" => "+12w",
        "harm" | "likelihood" | "capacity" => "3",
        "owner" => "alice",
        "next review" => "+4w",
        _ => "",
    };
    if !by_id.is_empty() {
        return by_id.to_string();
    }
    match &field.input {
        Input::Date(_) => "today".to_string(),
        Input::Text(_) => "Some words\non two lines".to_string(),
        Input::Line(_) | Input::Password(_) => "Some words".to_string(),
        Input::Choice { options, selected } => options
            .get(selected.unwrap_or(0))
            .map(|o| o.0.clone())
            .unwrap_or_default(),
        Input::Flag(_) => field.value(),
    }
}

/// The form with every field filled as `sample` says.
fn filled(form: &Form) -> Form {
    let mut form = form.clone();
    for field in &mut form.fields {
        let value = sample(field);
        field.set(&value);
    }
    form
}

/// The filled form, and from it: each choice at each option, each flag
/// the other way, each optional field left empty. Which fields a builder
/// reads turns on these.
fn variations(form: &Form) -> Vec<Form> {
    let base = filled(form);
    let mut all = vec![base.clone()];
    for (i, field) in base.fields.iter().enumerate() {
        let values: Vec<String> = match &field.input {
            Input::Choice { options, .. } => options.iter().map(|o| o.0.clone()).collect(),
            Input::Flag(on) => vec![if *on { "no" } else { "yes" }.to_string()],
            _ if !field.required => vec![String::new()],
            _ => Vec::new(),
        };
        for value in values {
            let mut varied = base.clone();
            varied.fields[i].set(&value);
            all.push(varied);
        }
    }
    all
}

/// What the form holds, for a failure's message.
fn described(form: &Form) -> String {
    form.fields
        .iter()
        .map(|f| format!("{} = {:?}", f.id, f.value()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn every_kind_of_form_is_tried() {
    let mut tried = [false; KINDS];
    for form in every_form() {
        tried[numbered(&form.kind)] = true;
    }
    let missing: Vec<usize> = (0..KINDS).filter(|k| !tried[*k]).collect();
    assert!(missing.is_empty(), "kinds of form never built: {missing:?}");
}

#[test]
fn every_field_has_an_id_of_its_own() {
    for form in every_form_shown() {
        let ids: Vec<&str> = form.fields.iter().map(|f| f.id).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!id.is_empty(), "{}: field {i} has no id", form.title);
            // A field repeated once per item (a bid's lines) is one run,
            // read with `Form::values`; any other id names one field.
            let first = ids.iter().position(|x| x == id).unwrap();
            assert!(
                ids[first..=i].iter().all(|x| x == id),
                "{}: \"{id}\" names two fields",
                form.title
            );
        }
    }
}

#[test]
fn a_refusal_naming_a_field_shows_beside_it_and_any_other_over_the_form() {
    for form in every_form_shown() {
        for field in &form.fields {
            let mut refused = form.clone();
            refused.fail(InvalidInput::new(field.id, "refused here"));
            let beside = form.fields.iter().position(|f| f.id == field.id).unwrap();
            assert_eq!(
                refused.fields[beside].error.as_deref(),
                Some("refused here"),
                "{}: {}",
                form.title,
                field.id
            );
            assert_eq!(refused.focus, beside, "{}: {}", form.title, field.id);
            assert_eq!(refused.error, None, "{}: {}", form.title, field.id);
            let marked = refused.fields.iter().filter(|f| f.error.is_some()).count();
            assert_eq!(marked, 1, "{}: {}", form.title, field.id);
        }
        let mut refused = form.clone();
        refused.fail(InvalidInput::new("no such field", "refused"));
        assert_eq!(
            refused.error.as_deref(),
            Some("no such field: refused"),
            "{}",
            form.title
        );
        assert!(refused.fields.iter().all(|f| f.error.is_none()));
    }
}

/// Saving each variation of each form runs its builder down each of its
/// ways, reading only fields the form has (`Form::value` panics in a test
/// build at any other); and at least one filling saves, so the builder
/// was read to its end.
#[test]
fn every_form_saves_from_the_fields_it_has() {
    let mut problems = Vec::new();
    for form in every_form() {
        let mut saved = 0;
        let mut refusals = std::collections::BTreeSet::new();
        for mut variant in variations(&form) {
            if variant.submit(now(), build_form).is_some() {
                saved += 1;
            }
            if let Some(error) = &variant.error {
                problems.push(format!(
                    "{}: {error:?} names no field of the form, with {}",
                    form.title,
                    described(&variant)
                ));
            }
            refusals.extend(
                variant
                    .fields
                    .iter()
                    .filter_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.id))),
            );
        }
        // A closed operation's status form offers no status to move to,
        // so nothing fills it; what its builder reads is tried on the
        // others'.
        let offers_nothing = form.fields.iter().any(|f| {
            f.required && matches!(&f.input, Input::Choice { options, .. } if options.is_empty())
        });
        if saved == 0 && !offers_nothing {
            problems.push(format!(
                "{}: no filling saves (give `sample` a value for the field refused): {refusals:?}",
                form.title
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Whatever is typed into a field, what the form or the domain refuses is
/// shown beside a field of the form: the domain names the field, and the
/// name is one of the form's ids.
#[test]
fn a_bad_value_in_any_field_is_refused_beside_a_field() {
    // Longer than any limit: of free text, and of a line.
    let long = "x".repeat(LONG + 1);
    let long_line = "x".repeat(1_000);
    let bad = ["", "   ", "???", "a\0b", "31/02/2027", "-1", "0"];
    let mut problems = std::collections::BTreeSet::new();
    for form in every_form() {
        // Each filling that saves, so that what refuses is the bad value.
        let saving = variations(&form)
            .into_iter()
            .filter(|v| v.clone().submit(now(), build_form).is_some());
        for variant in saving {
            for (i, field) in variant.fields.iter().enumerate() {
                if matches!(field.input, Input::Choice { .. } | Input::Flag(_)) {
                    continue;
                }
                let too_long: &str = if field.is_multiline() {
                    &long
                } else {
                    &long_line
                };
                for value in bad.into_iter().chain([too_long]) {
                    let mut typed = variant.clone();
                    typed.fields[i].set(value);
                    typed.submit(now(), build_form);
                    if let Some(error) = &typed.error {
                        let error: String = error.chars().take(80).collect();
                        problems.insert(format!(
                            "{:?}: {:?} in \"{}\" is refused over the form: {error}",
                            form.kind,
                            value.chars().take(20).collect::<String>(),
                            field.id,
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The names the case file's own refusals give (the rules in `store`),
/// each on a form where it can arise: each is one of the form's ids.
#[test]
fn the_case_files_refusals_name_fields_of_their_forms() {
    let resources = resources();
    let context = FormContext {
        resources: &resources,
        roles: &crate::domain::role::Role::ALL,
    };
    let area_form = |area: Area| area.every_form(&context).remove(0);
    // Not here: choosing one's own password, where the case file's
    // refusal of the one-time password again ("password") shows over the
    // form and leaves the focus where it was, which
    // tests/terminal_access.rs relies on.
    let cases: Vec<(Form, &[&str])> = vec![
        (Form::new_intelligence(), &["source reference", "subjects"]),
        (
            Form::triage("INT-2026-00001", TriageStatus::New),
            &["operation"],
        ),
        (area_form(Area::Subjects), &["staff number"]),
        (Form::new_operation(), &["codename", "team", "subjects"]),
        (Form::decision("KESTREL"), &["corrects"]),
        (
            Form::operation_status("KESTREL", OperationStatus::Scoping),
            &["status"],
        ),
        (
            Form::draft_bid(Some("KESTREL"), &resources),
            &["operation", "lines"],
        ),
        (
            Form::decide_bid(
                "BID-2026-0001",
                &[(1, "Surveillance team days".into(), 5.0)],
            ),
            &["decision"],
        ),
        (
            Form::apply_authorisation(None),
            &["operation", "authorising officer", "subjects", "tactic 1"],
        ),
        (
            Form::decide_authorisation(
                "AUTH-2026-0001",
                &[crate::domain::tactic::Tactic::StaticObservation],
            ),
            &["review frequency", "involvement", "tactic 1 decision"],
        ),
        (
            Form::cancel_authorisation("AUTH-2026-0001"),
            &["stop instruction"],
        ),
        (
            Form::record_referral(None, None),
            &["became clear", "subjects"],
        ),
        (Form::iopc_decision("REF-2026-0001"), &["decided on"]),
        (area_form(Area::Lessons), &["department"]),
    ];
    let mut problems = Vec::new();
    for (form, names) in cases {
        for name in names {
            if !form.fields.iter().any(|f| f.id == *name) {
                problems.push(format!("{}: \"{name}\"", form.title));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the case file's refusals would show over these forms: {problems:#?}"
    );
}
