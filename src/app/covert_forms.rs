//! The covert workflow's forms: threshold proposals and decisions, bids,
//! authorisations and IOPC referrals, and the audit viewer's filter. They
//! make the same `Command`s as the library's callers, so the same rules
//! and the same audit apply.

use chrono::{DateTime, NaiveDate, Utc};

use super::audit_filter::{AuditFilter, audit_outcome, event_number};
use super::form::{Field, Form, FormKind, Submission, beside, parse_form_date};
use super::model::{Effect, Load};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::authorisation::AuthorisationType;
use crate::domain::bid::{BidDecision, BidLine, BidStatus};
use crate::domain::covert::{
    AuthorisationApplication, Cancellation, ConfidentialMaterial, IopcDecision, NewReferral,
    ProductFate, ProductHandling, Review, ThresholdCriteria, ThresholdOutcome,
};
use crate::domain::operation::Codename;
use crate::domain::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use crate::domain::subject::StaffNumber;
use crate::domain::tactic::{self as tactic_rules, Tactic, TacticCase, TacticDecision};
use crate::domain::text::{self, Rationale};
use crate::domain::time::{parse_uk_datetime, uk_date};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{Command, Drafting};

/// The criteria of a threshold proposal, in the order the domain names
/// them.
const CRITERIA: [&str; 7] = [
    "overt steps tried",
    "why they did not negate or corroborate",
    "seriousness",
    "necessity",
    "proportionality",
    "collateral intrusion",
    "confidential or privileged material",
];

/// The ids of each tactic's fields on the application form, one group per
/// tactic (its choice, its necessity, its proportionality), as many as
/// there are tactics. Each group has its own ids so that a refusal goes
/// beside the very line it is about.
pub const TACTIC_SLOTS: [[&str; 3]; 9] = [
    ["tactic 1", "tactic 1 necessity", "tactic 1 proportionality"],
    ["tactic 2", "tactic 2 necessity", "tactic 2 proportionality"],
    ["tactic 3", "tactic 3 necessity", "tactic 3 proportionality"],
    ["tactic 4", "tactic 4 necessity", "tactic 4 proportionality"],
    ["tactic 5", "tactic 5 necessity", "tactic 5 proportionality"],
    ["tactic 6", "tactic 6 necessity", "tactic 6 proportionality"],
    ["tactic 7", "tactic 7 necessity", "tactic 7 proportionality"],
    ["tactic 8", "tactic 8 necessity", "tactic 8 proportionality"],
    ["tactic 9", "tactic 9 necessity", "tactic 9 proportionality"],
];

/// The ids of each applied-for tactic's fields on the grant form: its
/// decision and the reason for refusing it.
pub const DECISION_SLOTS: [[&str; 2]; 9] = [
    ["tactic 1 decision", "tactic 1 reason"],
    ["tactic 2 decision", "tactic 2 reason"],
    ["tactic 3 decision", "tactic 3 reason"],
    ["tactic 4 decision", "tactic 4 reason"],
    ["tactic 5 decision", "tactic 5 reason"],
    ["tactic 6 decision", "tactic 6 reason"],
    ["tactic 7 decision", "tactic 7 reason"],
    ["tactic 8 decision", "tactic 8 reason"],
    ["tactic 9 decision", "tactic 9 reason"],
];

/// One tactic's group of fields on the application form.
fn tactic_group(slot: usize) -> [Field; 3] {
    let [choice, necessity, proportionality] = TACTIC_SLOTS[slot];
    let mut options = vec![(String::new(), "none".to_string())];
    options.extend(
        Tactic::ALL
            .iter()
            .map(|t| (t.code().to_string(), t.label().to_string())),
    );
    [
        Field::options(choice, false, options)
            .labelled(format!("tactic {}", slot + 1))
            .with_hint("choosing one adds room for another"),
        Field::text(necessity, false, "").labelled("  its necessity"),
        Field::text(proportionality, false, "").labelled("  its proportionality"),
    ]
}

/// Adds room for another tactic on the application form once the last
/// group's tactic is chosen, so any number (up to every tactic) may be
/// listed without a key of its own. Whether the form changed.
pub(super) fn grow_tactics(form: &mut Form) -> bool {
    if form.kind != FormKind::ApplyAuthorisation {
        return false;
    }
    let Some(last) = (0..TACTIC_SLOTS.len())
        .rev()
        .find(|i| form.fields.iter().any(|f| f.id == TACTIC_SLOTS[*i][0]))
    else {
        return false;
    };
    if last + 1 == TACTIC_SLOTS.len() || form.value(TACTIC_SLOTS[last][0]).is_empty() {
        return false;
    }
    let Some(at) = form
        .fields
        .iter()
        .position(|f| f.id == TACTIC_SLOTS[last][2])
    else {
        return false;
    };
    for (i, field) in tactic_group(last + 1).into_iter().enumerate() {
        form.fields.insert(at + 1 + i, field);
    }
    true
}

/// The tactics listed on the application form, each refused beside the
/// field it is about.
fn tactics_on(form: &Form, kind: AuthorisationType) -> Result<Vec<TacticCase>, InvalidInput> {
    let mut cases = Vec::new();
    for [choice, necessity, proportionality] in TACTIC_SLOTS {
        if !form.fields.iter().any(|f| f.id == choice) {
            break;
        }
        let (n, p) = (form.value(necessity), form.value(proportionality));
        let code = form.value(choice);
        if code.is_empty() {
            if !n.trim().is_empty() || !p.trim().is_empty() {
                return Err(InvalidInput::new(
                    choice,
                    "choose the tactic these lines are for, or clear them",
                ));
            }
            continue;
        }
        let tactic = Tactic::parse(&code).map_err(beside(choice))?;
        if !tactic_rules::lists_tactics(kind) {
            return Err(InvalidInput::new(
                choice,
                format!(
                    "a {} application lists no tactics: choose none",
                    kind.label()
                ),
            ));
        }
        if !tactic_rules::tactics_for(kind).contains(&tactic) {
            return Err(InvalidInput::new(
                choice,
                format!(
                    "{} is not a tactic of {}",
                    tactic.label(),
                    kind.label().to_lowercase()
                ),
            ));
        }
        if cases.iter().any(|c: &TacticCase| c.tactic == tactic) {
            return Err(InvalidInput::new(
                choice,
                format!("{} is listed already", tactic.label()),
            ));
        }
        cases.push(TacticCase::named(
            tactic,
            &n,
            &p,
            (necessity, proportionality),
        )?);
    }
    Ok(cases)
}

/// The grant form's decision on each tactic applied for.
fn decisions_on(
    form: &Form,
    tactics: &[Tactic],
) -> Result<Vec<(Tactic, TacticDecision)>, InvalidInput> {
    let mut decided = Vec::new();
    for (tactic, [decision, reason]) in tactics.iter().zip(DECISION_SLOTS) {
        let why = form.value(reason);
        decided.push((
            *tactic,
            match form.value(decision).as_str() {
                "granted" => {
                    if !why.trim().is_empty() {
                        return Err(InvalidInput::new(reason, "is only for a tactic refused"));
                    }
                    TacticDecision::Granted
                }
                "refused" => {
                    TacticDecision::Refused(Rationale::new(reason, &why).map_err(|e| {
                        InvalidInput::new(
                            reason,
                            format!(
                                "say why {} is refused ({})",
                                tactic.label().to_lowercase(),
                                e.message
                            ),
                        )
                    })?)
                }
                _ => {
                    return Err(InvalidInput::new(
                        decision,
                        format!("grant or refuse {}", tactic.label().to_lowercase()),
                    ));
                }
            },
        ));
    }
    Ok(decided)
}

impl Form {
    pub fn propose_threshold(codename: &str) -> Form {
        // The overt steps and why they were not enough are the threshold
        // itself (seed 003 para 33): a proposal states them. The rest may
        // wait for more information, but "met" needs them all.
        let mut fields: Vec<Field> = CRITERIA
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                0 | 1 => Field::text(c, true, ""),
                _ => Field::text(c, false, "").with_hint("needed before \"met\" can be decided"),
            })
            .collect();
        fields.push(Field::date("review date", true, "+28d"));
        Form::new(
            FormKind::ProposeThreshold {
                codename: codename.into(),
            },
            format!("Threshold for going covert: {codename} (all criteria needed for \"met\")"),
            fields,
        )
    }

    pub fn decide_threshold(codename: &str) -> Form {
        Form::new(
            FormKind::DecideThreshold {
                codename: codename.into(),
            },
            format!("Decide the threshold: {codename}"),
            vec![
                Field::choice(
                    "outcome",
                    true,
                    ThresholdOutcome::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::text("rationale", true, ""),
            ],
        )
    }

    /// A new bid; `codename` fills the operation when it is known.
    pub fn draft_bid(codename: Option<&str>, resources: &[super::areas::kind::Resource]) -> Form {
        let hint = format!(
            "one per line: resource quantity from to why; resources: {}",
            resources
                .iter()
                .map(|(code, ..)| code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Form::new(
            FormKind::DraftBid,
            "Bid for resources (a draft until submitted)",
            vec![
                Field::line("operation", true, codename.unwrap_or("")),
                Field::text("justification", true, ""),
                Field::text("lines", true, "").with_hint(hint),
            ],
        )
    }

    /// A supervisor's decision; `lines` are (number, what, quantity asked).
    pub fn decide_bid(urn: &str, lines: &[(u32, String, f64)]) -> Form {
        let mut fields = vec![Field::choice(
            "decision",
            true,
            &["approve", "partly-approve", "decline", "defer"],
            |v| v,
            |v| match v {
                "approve" => "Approve",
                "partly-approve" => "Approve in part",
                "decline" => "Decline",
                _ => "Defer",
            },
            None,
        )];
        // One field per line, in the bid's order: each an approved quantity.
        for (number, _, asked) in lines {
            fields.push(
                Field::line("line", false, &trim_number(*asked))
                    .labelled(format!("line {number}"))
                    .with_hint("approved quantity, when approving in part"),
            );
        }
        fields.push(Field::text("rationale", true, ""));
        let mut form = Form::new(
            FormKind::DecideBid {
                urn: urn.into(),
                lines: lines.iter().map(|l| l.0).collect(),
            },
            format!("Decide bid {urn}"),
            fields,
        );
        // Name each line's resource beside its quantity.
        for (i, (_, what, asked)) in lines.iter().enumerate() {
            form.fields[i + 1].hint = format!("{what}: asked {}", trim_number(*asked));
        }
        form
    }

    pub fn close_bid(urn: &str, status: BidStatus) -> Form {
        let next: Vec<BidStatus> = status
            .next()
            .iter()
            .copied()
            .filter(|s| matches!(s, BidStatus::Completed | BidStatus::Withdrawn))
            .collect();
        Form::new(
            FormKind::CloseBid { urn: urn.into() },
            format!("Close bid {urn}"),
            vec![
                Field::choice("to", true, &next, |v| v.code(), |v| v.label(), None),
                Field::text("reason", true, ""),
            ],
        )
    }

    pub fn apply_authorisation(codename: Option<&str>) -> Form {
        let first_tactic = tactic_group(0);
        Form::new(
            FormKind::ApplyAuthorisation,
            "Apply for a covert authorisation",
            vec![
                Field::line("operation", true, codename.unwrap_or("")),
                Field::choice(
                    "authorisation type",
                    true,
                    AuthorisationType::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::line("authorising officer", true, "")
                    .with_hint("username of the officer asked to decide"),
                Field::flag("urgent", false),
                Field::text("urgency reason", false, ""),
                Field::text("description", true, ""),
                Field::line("subjects", false, "").with_hint("staff numbers, comma separated"),
                Field::text("necessity", true, ""),
                Field::text("proportionality", true, ""),
                Field::text("collateral intrusion", true, ""),
                first_tactic[0].clone(),
                first_tactic[1].clone(),
                first_tactic[2].clone(),
                Field::flag("confidential information likely", false),
                Field::text("confidential reason", true, "")
                    .labelled("why (un)likely")
                    .with_hint(
                        "confidential or privileged material: likely, or unlikely, because ...",
                    ),
                Field::flag("protected premises", false)
                    .with_hint("property interference on a home, hotel room or office"),
            ],
        )
    }

    /// The authorising officer's decision on `urn`, which applied for
    /// `tactics`: each is granted or refused on its own.
    pub fn decide_authorisation(urn: &str, tactics: &[Tactic]) -> Form {
        let mut each = Vec::new();
        for (tactic, [decision, reason]) in tactics.iter().zip(DECISION_SLOTS) {
            each.push(
                Field::choice(
                    decision,
                    false,
                    &["granted", "refused"],
                    |v| v,
                    |v| if v == "granted" { "Granted" } else { "Refused" },
                    None,
                )
                .labelled(tactic.label()),
            );
            each.push(
                Field::line(reason, false, "")
                    .labelled("  why refused")
                    .with_hint("if refused"),
            );
        }
        let mut form = Form::new(
            FormKind::DecideAuthorisation {
                urn: urn.into(),
                tactics: tactics.to_vec(),
            },
            format!("Decide {urn} (authorising officer)"),
            vec![
                Field::choice(
                    "decision",
                    true,
                    &["grant", "refuse"],
                    |v| v,
                    |v| if v == "grant" { "Grant" } else { "Refuse" },
                    None,
                ),
                Field::line("review frequency", false, "28")
                    .labelled("review every (days)")
                    .with_hint("when granting"),
                Field::text("rationale", true, ""),
                Field::text("involvement", false, "").with_hint(
                    "if you are on the operation's team: why you grant it (flagged directly involved)",
                ),
            ],
        );
        // Each tactic's decision after the decision on the whole.
        for (i, field) in each.into_iter().enumerate() {
            form.fields.insert(1 + i, field);
        }
        form
    }

    pub fn judicial_approval(urn: &str) -> Form {
        Form::new(
            FormKind::JudicialApproval { urn: urn.into() },
            format!("Judicial Commissioner's approval of {urn}"),
            vec![
                Field::line("reference", true, ""),
                Field::line("approved at", true, "now")
                    .labelled("approved and notified")
                    .with_hint("now, or dd/mm/yyyy HH:MM: it takes effect then"),
            ],
        )
    }

    pub fn review_authorisation(urn: &str) -> Form {
        Form::new(
            FormKind::ReviewAuthorisation { urn: urn.into() },
            format!("Review {urn}"),
            vec![
                Field::text("necessity", true, ""),
                Field::text("proportionality", true, ""),
                Field::flag("continue", true),
            ],
        )
    }

    pub fn renew_authorisation(urn: &str) -> Form {
        Form::new(
            FormKind::RenewAuthorisation { urn: urn.into() },
            format!("Renew {urn} from its end"),
            vec![Field::text("rationale", true, "")],
        )
    }

    pub fn cancel_authorisation(urn: &str) -> Form {
        Form::new(
            FormKind::CancelAuthorisation { urn: urn.into() },
            format!("Cancel {urn}"),
            vec![
                Field::line("stop instruction", true, "now")
                    .labelled("stop instruction given")
                    .with_hint("now, or dd/mm/yyyy HH:MM"),
                Field::text("reason", true, ""),
                Field::text("outcome", true, ""),
                Field::choice(
                    "product",
                    true,
                    ProductFate::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                )
                .labelled("product obtained"),
                Field::line("product keeper", false, "")
                    .labelled("kept by")
                    .with_hint("if kept: the person or role who keeps it"),
                Field::date("product review", false, "")
                    .labelled("next reviewed")
                    .with_hint("if kept: dd/mm/yyyy, +4w"),
                Field::text("material arrangements", true, "")
                    .with_hint("how it is stored and reviewed, or how and when it was destroyed"),
            ],
        )
    }

    /// A referral; `re_referral_of` makes it a re-referral.
    pub fn record_referral(codename: Option<&str>, re_referral_of: Option<&str>) -> Form {
        let title = match re_referral_of {
            Some(urn) => format!("Re-refer {urn} to the IOPC"),
            None => "Record an IOPC referral".to_string(),
        };
        Form::new(
            FormKind::RecordReferral,
            title,
            vec![
                Field::line("operation", false, codename.unwrap_or("")),
                Field::line("force reference", true, ""),
                Field::choice(
                    "matter type",
                    true,
                    MatterType::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::choice(
                    "criterion",
                    true,
                    ReferralCriterion::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::date("became clear", true, "today").labelled("became clear on"),
                Field::line("subjects", false, "").with_hint("staff numbers, comma separated"),
                Field::text("summary", true, ""),
                Field::flag("covert sensitive", false),
                Field::text("restrictions", false, ""),
                Field::line("re-referral of", false, re_referral_of.unwrap_or("")),
            ],
        )
    }

    pub fn iopc_decision(urn: &str) -> Form {
        Form::new(
            FormKind::IopcDecision { urn: urn.into() },
            format!("The IOPC's decision on {urn}"),
            vec![
                Field::line("IOPC reference", true, ""),
                Field::choice(
                    "mode",
                    true,
                    ModeOfInvestigation::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::date("decided on", true, "today"),
            ],
        )
    }

    pub fn export_central_record(default_path: &str) -> Form {
        Form::new(
            FormKind::ExportCentralRecord,
            "Export the central record (CSV)",
            vec![Field::line("file", true, default_path).with_hint("a new file")],
        )
    }

    pub fn audit_filter(current: &AuditFilter) -> Form {
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
        Form::new(
            FormKind::AuditFilter,
            "Filter the audit trail (empty fields: everything)",
            vec![
                Field::line(
                    "operation",
                    false,
                    current.operation.as_deref().unwrap_or(""),
                )
                .with_hint("codename: events about it and its records"),
                Field::line("user", false, current.user.as_deref().unwrap_or("")),
                Field::line("action", false, current.action.as_deref().unwrap_or(""))
                    .with_hint("e.g. login, or bid. for every bid action"),
                Field::date("from", false, &day(current.from).unwrap_or_default()),
                Field::date("to", false, &day(current.to).unwrap_or_default()),
                Field::line("outcome", false, current.outcome.as_deref().unwrap_or(""))
                    .with_hint("ok, or denied for the refusals"),
                Field::line(
                    "up to event",
                    false,
                    &current.through.map(|n| n.to_string()).unwrap_or_default(),
                )
                .with_hint("an event number: the trail from it back"),
            ],
        )
    }
}

fn trim_number(n: f64) -> String {
    let text = format!("{n:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn urn(kind: UrnKind, text: &str) -> Result<Urn, InvalidInput> {
    Urn::parse(kind, text)
}

fn quantity(field: &'static str, text: &str) -> Result<f64, InvalidInput> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| InvalidInput::new(field, format!("'{}' is not a number", text.trim())))
}

/// Bid lines typed one per line: `resource quantity from to why`.
fn bid_lines(text: &str, today: NaiveDate) -> Result<Vec<BidLine>, InvalidInput> {
    let mut lines = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let n = i + 1;
        let bad = |what: String| InvalidInput::new("lines", format!("line {n}: {what}"));
        let mut words = line.split_whitespace();
        let (Some(resource), Some(qty), Some(from), Some(to)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(bad(
                "write: resource quantity from to why, e.g. surveillance-team-days 5 01/12/2026 +14d follow the subject".into(),
            ));
        };
        let why: Vec<&str> = words.collect();
        let qty = quantity("lines", qty).map_err(|e| bad(e.message))?;
        let from = parse_form_date("lines", from, today).map_err(|e| bad(e.message))?;
        let to = parse_form_date("lines", to, today).map_err(|e| bad(e.message))?;
        lines.push(
            BidLine::new(resource, qty, from, to, &why.join(" "))
                .map_err(|e| bad(e.to_string()))?,
        );
    }
    if lines.is_empty() {
        return Err(InvalidInput::new("lines", "a bid needs at least one line"));
    }
    Ok(lines)
}

/// A date and time typed into field `id`: "now", or dd/mm/yyyy HH:MM.
fn when(id: &'static str, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
    if text.trim().eq_ignore_ascii_case("now") {
        Ok(now)
    } else {
        parse_uk_datetime(id, text)
    }
}

/// Asks whether the reasoning in field `index` of an application, a
/// grant or a review repeats earlier text in the case file (the record's
/// measure, over what the user may see), to show beside the field. Never
/// stops the form being saved, and never changes what was typed.
pub(super) fn similar_check(form: &Form, index: usize) -> Option<Effect> {
    let field = form.fields.get(index)?;
    let of = |u: &str| Urn::parse(UrnKind::Authorisation, u).ok();
    let drafting = match (&form.kind, field.id) {
        (FormKind::ApplyAuthorisation, id)
            if matches!(id, "necessity" | "proportionality" | "collateral intrusion")
                || TACTIC_SLOTS.iter().any(|s| s[1] == id || s[2] == id) =>
        {
            Drafting::Application
        }
        (FormKind::DecideAuthorisation { urn, .. }, "rationale")
            if form.value("decision") == "grant" =>
        {
            Drafting::Grant(of(urn)?)
        }
        (FormKind::ReviewAuthorisation { urn }, "necessity" | "proportionality") => {
            Drafting::Review(of(urn)?)
        }
        _ => return None,
    };
    Some(Effect::Load(Load::Similar {
        field: index,
        id: field.id,
        text: field.value(),
        drafting,
    }))
}

/// What a covert workflow form (or the audit viewer's filter) asks for;
/// None for a casework form ([`Form::build_casework`]).
pub(super) fn build(form: &Form, now: DateTime<Utc>) -> Option<Result<Submission, InvalidInput>> {
    build_covert(form, now).transpose()
}

/// [`build`]: `Ok(None)` for a form that is not this module's.
fn build_covert(form: &Form, now: DateTime<Utc>) -> Result<Option<Submission>, InvalidInput> {
    let v = |id: &str| form.value(id);
    let opt = |id: &str| Some(v(id)).filter(|s| !s.trim().is_empty());
    let today = uk_date(now);
    let yes = |id: &str| v(id) == "yes";
    let command = match &form.kind {
        FormKind::ProposeThreshold { codename } => {
            let c: Vec<String> = CRITERIA.iter().map(|c| v(c)).collect();
            Command::ProposeThreshold {
                codename: Codename::parse(codename)?,
                criteria: ThresholdCriteria::new(
                    &c[0],
                    &c[1],
                    &c[2],
                    &c[3],
                    &c[4],
                    &c[5],
                    &c[6],
                    parse_form_date("review date", &v("review date"), today)?,
                )?,
            }
        }
        FormKind::DecideThreshold { codename } => Command::DecideThreshold {
            codename: Codename::parse(codename)?,
            outcome: ThresholdOutcome::parse(&v("outcome"))?,
            rationale: Rationale::new("rationale", &v("rationale"))?,
        },
        FormKind::DraftBid => Command::DraftBid {
            codename: Codename::parse(&v("operation")).map_err(beside("operation"))?,
            justification: Rationale::new("justification", &v("justification"))?,
            lines: bid_lines(&v("lines"), today)?,
        },
        FormKind::DecideBid { urn: u, lines } => {
            let decision = match v("decision").as_str() {
                "approve" => BidDecision::Approve,
                "decline" => BidDecision::Decline,
                "defer" => BidDecision::Defer,
                _ => {
                    let mut approved = Vec::new();
                    for (n, q) in lines.iter().zip(form.values("line")) {
                        if q.trim().is_empty() {
                            continue;
                        }
                        let q = q.trim().parse::<f64>().map_err(|_| {
                            InvalidInput::new(
                                "decision",
                                format!("line {n}: '{q}' is not a number"),
                            )
                        })?;
                        approved.push((*n, q));
                    }
                    BidDecision::PartlyApprove(approved)
                }
            };
            Command::DecideBid {
                urn: urn(UrnKind::Bid, u)?,
                decision,
                rationale: Rationale::new("rationale", &v("rationale"))?,
            }
        }
        FormKind::CloseBid { urn: u } => Command::CloseBid {
            urn: urn(UrnKind::Bid, u)?,
            to: BidStatus::parse(&v("to"))?,
            reason: Rationale::new("reason", &v("reason"))?,
        },
        FormKind::ApplyAuthorisation => {
            let kind = AuthorisationType::parse(&v("authorisation type"))?;
            let tactics = tactics_on(form, kind)?;
            let application = AuthorisationApplication::new(
                Codename::parse(&v("operation")).map_err(beside("operation"))?,
                Username::parse(&v("authorising officer"))
                    .map_err(beside("authorising officer"))?,
                kind,
                yes("urgent"),
                &v("urgency reason"),
                &v("description"),
                StaffNumber::parse_list(&v("subjects"))?,
                &v("necessity"),
                &v("proportionality"),
                &v("collateral intrusion"),
                ConfidentialMaterial::new(
                    yes("confidential information likely"),
                    &v("confidential reason"),
                )?,
                yes("protected premises"),
            )?;
            Command::ApplyForAuthorisation(
                application
                    .with_tactics(tactics)
                    .map_err(beside(TACTIC_SLOTS[0][0]))?,
            )
        }
        FormKind::DecideAuthorisation { urn: u, tactics } => {
            let urn = urn(UrnKind::Authorisation, u)?;
            let rationale = Rationale::new("rationale", &v("rationale"))?;
            if v("decision") == "refuse" {
                Command::RefuseAuthorisation { urn, rationale }
            } else {
                let days = v("review frequency");
                let review_every_days = days.trim().parse::<u32>().map_err(|_| {
                    InvalidInput::new(
                        "review frequency",
                        format!("'{}' is not a number of days", days.trim()),
                    )
                })?;
                Command::GrantAuthorisation {
                    urn,
                    review_every_days,
                    rationale,
                    involvement: opt("involvement")
                        .map(|t| Rationale::new("involvement", &t))
                        .transpose()?,
                    tactics: {
                        let decided = decisions_on(form, tactics)?;
                        tactic_rules::check_decisions(tactics, &decided)
                            .map_err(beside(DECISION_SLOTS[0][0]))?;
                        decided
                    },
                }
            }
        }
        FormKind::JudicialApproval { urn: u } => Command::RecordJudicialApproval {
            urn: urn(UrnKind::Authorisation, u)?,
            reference: text::line("reference", &v("reference"), 200)?,
            approved_at: when("approved at", &v("approved at"), now)?,
        },
        FormKind::ReviewAuthorisation { urn: u } => Command::ReviewAuthorisation {
            urn: urn(UrnKind::Authorisation, u)?,
            review: Review::new(&v("necessity"), &v("proportionality"), yes("continue"))?,
        },
        FormKind::RenewAuthorisation { urn: u } => Command::RenewAuthorisation {
            urn: urn(UrnKind::Authorisation, u)?,
            rationale: Rationale::new("rationale", &v("rationale"))?,
        },
        FormKind::CancelAuthorisation { urn: u } => Command::CancelAuthorisation {
            urn: urn(UrnKind::Authorisation, u)?,
            cancellation: Cancellation::new(
                when("stop instruction", &v("stop instruction"), now)?,
                &v("reason"),
                &v("outcome"),
                ProductHandling::new(
                    ProductFate::parse(&v("product"))?,
                    &v("product keeper"),
                    opt("product review")
                        .map(|d| parse_form_date("product review", &d, today))
                        .transpose()?,
                    &v("material arrangements"),
                    today,
                )?,
            )?,
        },
        FormKind::RecordReferral => Command::RecordReferral(NewReferral::new(
            opt("operation")
                .map(|c| Codename::parse(&c).map_err(beside("operation")))
                .transpose()?,
            &v("force reference"),
            MatterType::parse(&v("matter type"))?,
            ReferralCriterion::parse(&v("criterion"))?,
            parse_form_date("became clear", &v("became clear"), today)?,
            StaffNumber::parse_list(&v("subjects"))?,
            &v("summary"),
            yes("covert sensitive"),
            &v("restrictions"),
            opt("re-referral of")
                .map(|u| urn(UrnKind::Referral, &u).map_err(beside("re-referral of")))
                .transpose()?,
        )?),
        FormKind::IopcDecision { urn: u } => Command::RecordIopcDecision {
            urn: urn(UrnKind::Referral, u)?,
            decision: IopcDecision::new(
                &v("IOPC reference"),
                ModeOfInvestigation::parse(&v("mode"))?,
                parse_form_date("decided on", &v("decided on"), today)?,
            )?,
        },
        FormKind::ExportCentralRecord => {
            return Ok(Some(Submission::ExportCentralRecord {
                path: std::path::PathBuf::from(v("file").trim()),
            }));
        }
        FormKind::AuditFilter => {
            let day = |id: &'static str| -> Result<Option<NaiveDate>, InvalidInput> {
                opt(id).map(|d| parse_form_date(id, &d, today)).transpose()
            };
            let filter = AuditFilter {
                operation: opt("operation")
                    .map(|c| {
                        Codename::parse(&c)
                            .map(|c| c.to_string())
                            .map_err(beside("operation"))
                    })
                    .transpose()?,
                user: opt("user").map(|u| u.trim().to_string()),
                action: opt("action").map(|a| a.trim().to_string()),
                from: day("from")?,
                to: day("to")?,
                outcome: opt("outcome").map(|o| audit_outcome(&o)).transpose()?,
                through: opt("up to event")
                    .map(|n| event_number("up to event", &n))
                    .transpose()?,
            };
            if let (Some(from), Some(to)) = (filter.from, filter.to)
                && to < from
            {
                return Err(InvalidInput::new("to", "is before from"));
            }
            return Ok(Some(Submission::AuditFilter(filter)));
        }
        _ => return Ok(None),
    };
    Ok(Some(Submission::Command(command)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn an_involvement_over_the_limit_is_refused_beside_it_and_a_blank_one_is_none() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, 9, 30, 0).unwrap();
        let mut form = Form::decide_authorisation("AUTH-2026-0001", &[]);
        form.fields[0].cycle(1);
        assert_eq!(form.value("decision"), "grant");
        form.fields[2] = Field::text("rationale", true, "Necessary and proportionate");
        let over = "x".repeat(text::LONG + 1);
        form.fields[3] = Field::text("involvement", false, &over);
        assert!(form.submit(now, |f, now| build(f, now).unwrap()).is_none());
        assert_eq!(
            form.fields[3].error.as_deref(),
            Some("is 20001 characters long; at most 20000 are allowed")
        );
        form.fields[3] = Field::text("involvement", false, " ");
        let Some(Submission::Command(Command::GrantAuthorisation { involvement, .. })) =
            form.submit(now, |f, now| build(f, now).unwrap())
        else {
            panic!("a grant with no involvement makes the command");
        };
        assert_eq!(involvement, None);
    }

    /// Each tactic chosen in the last group makes room for one more, up to
    /// every tactic; a tactic refused is refused beside its own group.
    #[test]
    fn tactic_groups_grow_as_each_is_chosen_and_refusals_go_beside_their_group() {
        let mut form = Form::apply_authorisation(Some("KESTREL"));
        let groups = |f: &Form| {
            TACTIC_SLOTS
                .iter()
                .filter(|s| f.fields.iter().any(|x| x.id == s[0]))
                .count()
        };
        assert_eq!(groups(&form), 1);
        assert!(!grow_tactics(&mut form), "nothing chosen yet");
        for (i, tactic) in Tactic::ALL.iter().enumerate() {
            let at = form
                .fields
                .iter()
                .position(|f| f.id == TACTIC_SLOTS[i][0])
                .unwrap();
            form.fields[at].set(tactic.code());
            grow_tactics(&mut form);
            assert_eq!(groups(&form), (i + 2).min(TACTIC_SLOTS.len()));
        }
        assert_eq!(TACTIC_SLOTS.len(), Tactic::ALL.len());
        assert_eq!(DECISION_SLOTS.len(), Tactic::ALL.len());
        // The second is not of directed surveillance: said beside it.
        let mut form = Form::apply_authorisation(Some("KESTREL"));
        let set = |form: &mut Form, id: &str, value: &str| {
            let at = form.fields.iter().position(|f| f.id == id).unwrap();
            form.fields[at].set(value);
        };
        set(&mut form, "tactic 1", "static-observation");
        set(&mut form, "tactic 1 necessity", "n");
        set(&mut form, "tactic 1 proportionality", "p");
        grow_tactics(&mut form);
        set(&mut form, "tactic 2", "covert-entry");
        let e = tactics_on(&form, AuthorisationType::DirectedSurveillance).unwrap_err();
        assert_eq!(e.field, "tactic 2");
        assert_eq!(
            e.message,
            "Covert entry on property is not a tactic of directed surveillance"
        );
        let e = tactics_on(&form, AuthorisationType::Chis).unwrap_err();
        assert_eq!(e.field, "tactic 1");
        assert!(
            e.message.ends_with("lists no tactics: choose none"),
            "{e:?}"
        );
    }

    #[test]
    fn bid_lines_are_read_one_per_line() {
        let lines = bid_lines(
            "surveillance-team-days 5 01/12/2026 +14d follow the subject\n\n tech-deployments 1 today today a camera",
            today(),
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].resource, "surveillance-team-days");
        assert_eq!(
            lines[0].ends_on,
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        assert_eq!(lines[1].justification, "a camera");
        let e = bid_lines("x 5 01/12/2026", today()).unwrap_err();
        assert!(e.message.starts_with("line 1: write"), "{e:?}");
        let e = bid_lines(
            "a 1 01/12/2026 01/12/2026 ok\nb two today today why",
            today(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("line 2") && e.message.contains("'two'"),
            "{e:?}"
        );
        assert!(bid_lines("  \n", today()).is_err());
    }
}
