//! Covert authorisations: application, grant, Judicial Commissioner
//! approval, review, renewal and cancellation, and the central record.
//! End dates come from `domain::authorisation`; nothing here does date
//! arithmetic of its own.

use crate::store::Cached;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;
use std::borrow::Cow;

use crate::domain::InvalidInput;
use crate::domain::account::Rank;
use crate::domain::authorisation::{self as law, AuthorisationType};
use crate::domain::covert::{
    AuthorisationApplication, AuthorisationStatus, Cancellation, ProductFate, Review,
    ThresholdOutcome,
};
use crate::domain::operation::{Codename, OperationStatus, TeamPart};
use crate::domain::similarity;
use crate::domain::tactic::{self, Tactic, TacticDecision};
use crate::domain::text::{self, Rationale};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::plumbing::{next_urn, stored, stored_codename, stored_urn, with};
use crate::store::visibility::{self, operation_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Error, Result, accounts, format_timestamp};

fn parse_time(text: &str) -> std::result::Result<DateTime<Utc>, InvalidInput> {
    crate::domain::time::parse_stored(text)
}

/// How many of the most recent other authorisations a new piece of
/// reasoning is compared with: enough to catch a template in use, and a
/// bound on the work however large the case file grows.
pub const SIMILARITY_WINDOW: i64 = 200;

/// Earlier text a new piece of reasoning may repeat: (authorisation id,
/// review id, field).
type Earlier = (i64, Option<i64>, Cow<'static, str>);

/// The fields of a tactic's lines, as the record names them: "following
/// on foot necessity".
fn tactic_fields(tactic: Tactic) -> [String; 2] {
    let name = tactic.label().to_lowercase();
    [
        format!("{name} necessity"),
        format!("{name} proportionality"),
    ]
}

/// The application (its tactics' lines too) and grant texts of the
/// [`SIMILARITY_WINDOW`] most recent authorisations other than `this`.
fn recent_texts(ctx: &Ctx<'_>, this: i64) -> Result<Vec<(Earlier, String)>, Fail> {
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT id, necessity, proportionality, collateral_intrusion, coalesce(decision_rationale, '')
         FROM authorisation WHERE id <> ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![this, SIMILARITY_WINDOW], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            [r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
        ))
    })?;
    let mut texts = Vec::new();
    for row in rows {
        let (id, [n, p, c, g]) = row?;
        texts.push(((id, None, "necessity".into()), n));
        texts.push(((id, None, "proportionality".into()), p));
        texts.push(((id, None, "collateral intrusion".into()), c));
        texts.push(((id, None, "grant rationale".into()), g));
    }
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT t.authorisation_id, t.tactic, t.necessity, t.proportionality
         FROM authorisation_tactic t
         WHERE t.authorisation_id IN (SELECT id FROM authorisation WHERE id <> ?1 ORDER BY id DESC LIMIT ?2)
         ORDER BY t.authorisation_id DESC, t.position",
    )?;
    let rows = stmt.query_map(params![this, SIMILARITY_WINDOW], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            stored(1, Tactic::parse, &r.get::<_, String>(1)?)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, tactic, n, p) = row?;
        let [nf, pf] = tactic_fields(tactic);
        texts.push(((id, None, nf.into()), n));
        texts.push(((id, None, pf.into()), p));
    }
    Ok(texts)
}

/// Records, for each of `fields` (name, text) of authorisation `id` (or
/// its review `review`), the earlier text it is near-identical to, if any.
fn record_similar(
    ctx: &Ctx<'_>,
    id: i64,
    review: Option<i64>,
    fields: &[(&str, &str)],
    earlier: &[(Earlier, String)],
) -> Result<Vec<serde_json::Value>, Fail> {
    let earlier: Vec<(&Earlier, similarity::Shingles)> = earlier
        .iter()
        .map(|(k, t)| (k, similarity::Shingles::of(t)))
        .collect();
    let mut found = Vec::new();
    for (field, text) in fields {
        let Some(m) = similarity::best_among(text, earlier.iter().map(|(k, s)| (*k, s))) else {
            continue;
        };
        let (other, other_review, other_field) = m.earlier;
        let other_field = other_field.as_ref();
        ctx.tx.exec_cached(
            "INSERT INTO authorisation_similarity (authorisation_id, review_id, field, percent,
                 earlier_authorisation_id, earlier_review_id, earlier_field, found_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                review,
                field,
                m.percent,
                other,
                other_review,
                other_field,
                ctx.at
            ],
        )?;
        found.push(json!({ "field": field, "percent": m.percent, "earlier_field": other_field }));
    }
    Ok(found)
}

/// An authorisation as the commands need it.
struct Current {
    id: i64,
    operation_id: i64,
    kind: AuthorisationType,
    urgent: bool,
    status: AuthorisationStatus,
    applied_by: i64,
    protected_premises: bool,
    confidential_likely: bool,
    granted_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
}

/// Finds an authorisation the actor may see (through its operation).
fn find(ctx: &Ctx<'_>, urn: &Urn) -> Result<Current, Fail> {
    let viewer = visibility::Viewer::of(ctx);
    let text_urn = urn.to_string();
    let found = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT a.id, a.operation_id, a.kind, a.urgent, a.status, a.applied_by, a.protected_premises,
                        a.granted_at, a.ends_at, a.confidential_likely, {}
                 FROM authorisation a WHERE a.urn = :urn",
                operation_visible("a.operation_id")
            ),
            &with(&viewer, &[(":urn", &text_urn as &dyn ToSql)])[..],
            |r| {
                let granted: Option<String> = r.get(7)?;
                let ends: Option<String> = r.get(8)?;
                Ok((
                    Current {
                        id: r.get(0)?,
                        operation_id: r.get(1)?,
                        kind: stored(2, AuthorisationType::parse, &r.get::<_, String>(2)?)?,
                        urgent: r.get(3)?,
                        status: stored(4, AuthorisationStatus::parse, &r.get::<_, String>(4)?)?,
                        applied_by: r.get(5)?,
                        protected_premises: r.get(6)?,
                        granted_at: granted.map(|t| stored(7, parse_time, &t)).transpose()?,
                        ends_at: ends.map(|t| stored(8, parse_time, &t)).transpose()?,
                        confidential_likely: r.get(9)?,
                    },
                    r.get::<_, bool>(10)?,
                ))
            },
        )
        .optional()?;
    match found {
        None => Err(Fail::Store(Error::NoSuch {
            what: "authorisation",
            reference: text_urn,
        })),
        Some((_, false)) => Err(Fail::Hidden {
            what: "authorisation",
            reference: text_urn,
            shown_as: None,
        }),
        Some((current, true)) => Ok(current),
    }
}

fn actor_rank(ctx: &Ctx<'_>) -> Result<Rank, Fail> {
    let rank: String = ctx.tx.row_cached(
        "SELECT rank FROM user_account WHERE id = ?1",
        [ctx.actor.id],
        |r| r.get(0),
    )?;
    Ok(Rank::parse(&rank)?)
}

/// An authorising officer may not act on their own application.
fn not_own(ctx: &Ctx<'_>, a: &Current, what: &str) -> Result<(), Fail> {
    if a.applied_by == ctx.actor.id {
        return Err(Fail::SeparationOfDuties {
            reason: format!("{what} their own application"),
        });
    }
    Ok(())
}

fn expect_status(
    a: &Current,
    urn: &Urn,
    allowed: &[AuthorisationStatus],
    doing: &str,
) -> Result<(), Fail> {
    if allowed.contains(&a.status) {
        return Ok(());
    }
    Err(InvalidInput::new(
        "status",
        format!(
            "{urn} is {}: it cannot be {doing}",
            a.status.label().to_lowercase()
        ),
    )
    .into())
}

pub(in crate::store) fn apply(
    ctx: &Ctx<'_>,
    app: AuthorisationApplication,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, &app.codename)?;
    if matches!(
        op.status,
        OperationStatus::Closed | OperationStatus::Suspended
    ) {
        return Err(InvalidInput::new(
            "operation",
            format!("{} is {}", app.codename, op.status.label().to_lowercase()),
        )
        .into());
    }
    let asked = accounts::find(ctx.tx, &app.asked)?
        .filter(|a| a.status == accounts::AccountStatus::Active)
        .ok_or_else(|| {
            InvalidInput::new(
                "authorising officer",
                format!("there is no active account named '{}'", app.asked),
            )
        })?;
    if !asked
        .roles
        .contains(&crate::domain::role::Role::AuthorisingOfficer)
    {
        return Err(InvalidInput::new(
            "authorising officer",
            format!("{} does not hold the authorising-officer role", app.asked),
        )
        .into());
    }
    if asked.id == ctx.actor.id {
        return Err(InvalidInput::new(
            "authorising officer",
            "an application must go to someone other than the applicant",
        )
        .into());
    }
    tactic::check_tactics(app.kind, &app.tactics)?;
    let mut subject_ids = Vec::new();
    for staff in &app.subjects {
        subject_ids.push(
            visibility::subject_to_link(ctx, staff)?
                .ok_or_else(|| Fail::from(visibility::missing_subject(staff)))?,
        );
    }
    let urn = next_urn(ctx, UrnKind::Authorisation)?;
    ctx.tx.exec_cached(
        "INSERT INTO authorisation (urn, operation_id, kind, urgent, urgency_reason, description, necessity,
             proportionality, collateral_intrusion, confidential_likely, protected_premises, status,
             applied_at, applied_by, authorising_officer, confidential_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'applied', ?12, ?13, ?14, ?15)",
        params![
            urn.to_string(),
            op.id,
            app.kind.code(),
            app.urgent,
            app.urgency_reason,
            app.description,
            app.necessity,
            app.proportionality,
            app.collateral_intrusion,
            app.confidential.likely,
            app.protected_premises,
            ctx.at,
            ctx.actor.id,
            asked.id,
            app.confidential.reason
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    let tactic_lines: Vec<(String, &str)> = app
        .tactics
        .iter()
        .flat_map(|t| {
            let [nf, pf] = tactic_fields(t.tactic);
            [(nf, t.necessity.as_str()), (pf, t.proportionality.as_str())]
        })
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("necessity", &app.necessity),
        ("proportionality", &app.proportionality),
        ("collateral intrusion", &app.collateral_intrusion),
    ];
    fields.extend(tactic_lines.iter().map(|(f, t)| (f.as_str(), *t)));
    let similar = record_similar(ctx, id, None, &fields, &recent_texts(ctx, id)?)?;
    for subject in subject_ids {
        ctx.tx.exec_cached(
            "INSERT INTO authorisation_subject (authorisation_id, subject_id) VALUES (?1, ?2)",
            params![id, subject],
        )?;
    }
    for (position, case) in (1..).zip(&app.tactics) {
        ctx.tx.exec_cached(
            "INSERT INTO authorisation_tactic (authorisation_id, position, tactic, necessity, proportionality)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                position,
                case.tactic.code(),
                case.necessity.as_str(),
                case.proportionality.as_str()
            ],
        )?;
    }
    // The officer asked to act may see the operation from now on.
    let already: bool = ctx.tx.row_cached(
        "SELECT EXISTS (SELECT 1 FROM operation_member WHERE operation_id = ?1 AND user_id = ?2 AND removed_at IS NULL)",
        params![op.id, asked.id],
        |r| r.get(0),
    )?;
    if !already {
        ctx.tx.exec_cached(
            "INSERT INTO operation_member (operation_id, user_id, part, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![op.id, asked.id, TeamPart::AuthorisingOfficer.code(), ctx.at],
        )?;
    }
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "urn": urn.to_string(),
            "operation": app.codename.as_str(),
            "kind": app.kind.code(),
            "urgent": app.urgent,
            "urgency_reason": app.urgency_reason,
            "asked": app.asked.as_str(),
            "subjects": app.subjects.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "confidential_likely": app.confidential.likely,
            "confidential_reason": app.confidential.reason,
            "protected_premises": app.protected_premises,
            "tactics": app.tactics.iter().map(|t| t.tactic.code()).collect::<Vec<_>>(),
            "similar_text": similar,
        }),
    })
}

/// Whether the actor is on the operation's team other than as the
/// authorising officer asked to act: then they are directly involved.
fn directly_involved(ctx: &Ctx<'_>, operation_id: i64) -> rusqlite::Result<bool> {
    ctx.tx.row_cached(
        "SELECT EXISTS (SELECT 1 FROM operation_member WHERE operation_id = ?1 AND user_id = ?2
                        AND removed_at IS NULL AND part <> 'authorising-officer')",
        params![operation_id, ctx.actor.id],
        |r| r.get(0),
    )
}

pub(in crate::store) fn grant(
    ctx: &Ctx<'_>,
    urn: &Urn,
    review_every_days: u32,
    rationale: &Rationale,
    involvement: Option<&Rationale>,
    tactics: &[(Tactic, TacticDecision)],
) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    not_own(ctx, &a, "grant")?;
    expect_status(&a, urn, &[AuthorisationStatus::Applied], "granted")?;
    // Each tactic applied for is decided on its own; only those granted
    // are authorised.
    let applied = applied_tactics(ctx, a.id)?;
    tactic::check_decisions(
        &applied.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        tactics,
    )?;
    let rationale = rationale.as_str();
    let rank = actor_rank(ctx)?;
    law::check_authorising_rank(a.kind, rank, a.urgent, a.confidential_likely)?;
    law::check_review_frequency(a.kind, review_every_days)?;
    let involved = directly_involved(ctx, a.operation_id)?;
    let involvement = involvement.map_or("", Rationale::as_str);
    if involved && involvement.is_empty() {
        return Err(InvalidInput::new(
            "involvement",
            "you are on this operation's team: say why you, rather than an officer not involved, are granting it",
        )
        .into());
    }
    if !involved && !involvement.is_empty() {
        return Err(InvalidInput::new(
            "involvement",
            "is only for an authorising officer on the operation's team",
        )
        .into());
    }
    let needs_approval = law::needs_judicial_approval(a.kind, a.protected_premises);
    let status = if needs_approval {
        AuthorisationStatus::AwaitingApproval
    } else {
        AuthorisationStatus::Granted
    };
    // One needing a Judicial Commissioner's approval takes effect, and its
    // period begins, only when the approval is given and notified (RIPA
    // s.36(2), s.43(3); Police Act 1997 s.97(1)): until then it has no
    // period and no end. An urgent grant's 72 hours run from the grant.
    let ends_at = (!needs_approval || a.urgent).then(|| law::ends_at(a.kind, ctx.now, a.urgent));
    let ends_text = ends_at.map(format_timestamp);
    ctx.tx.exec_cached(
        "UPDATE authorisation SET status = ?2, authorising_officer = ?3, authorising_rank = ?4, granted_at = ?5,
             directly_involved = ?6, involvement_reason = ?7, review_every_days = ?8,
             effective_from = CASE WHEN ?9 IS NULL THEN NULL ELSE ?5 END,
             ends_at = ?9, decision_rationale = ?10
         WHERE id = ?1",
        params![
            a.id,
            status.code(),
            ctx.actor.id,
            rank.as_str(),
            ctx.at,
            involved,
            if involved { Some(&involvement) } else { None },
            review_every_days,
            ends_text,
            rationale
        ],
    )?;
    for (tactic, decision) in tactics {
        let Some((tactic_id, _)) = applied.iter().find(|(_, t)| t == tactic) else {
            continue;
        };
        let reason = match decision {
            TacticDecision::Granted => None,
            TacticDecision::Refused(why) => Some(why.as_str()),
        };
        ctx.tx.exec_cached(
            "INSERT INTO authorisation_tactic_decision (tactic_id, granted, reason, decided_at, decided_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![tactic_id, reason.is_none(), reason, ctx.at, ctx.actor.id],
        )?;
    }
    let similar = record_similar(
        ctx,
        a.id,
        None,
        &[("grant rationale", rationale)],
        &recent_texts(ctx, a.id)?,
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "status": a.status.code() },
            "after": { "status": status.code() },
            "rank": rank.as_str(),
            "ends_at": ends_text,
            "last_day": ends_at.map(|e| law::last_day(e).to_string()),
            "review_every_days": review_every_days,
            "directly_involved": involved,
            "involvement": involvement,
            "rationale": rationale,
            "tactics": tactics.iter().map(|(t, d)| match d {
                TacticDecision::Granted => json!({ "tactic": t.code(), "granted": true }),
                TacticDecision::Refused(why) => json!({ "tactic": t.code(), "granted": false, "reason": why.as_str() }),
            }).collect::<Vec<_>>(),
            "similar_text": similar,
        }),
    })
}

/// The tactics authorisation `id` applied for, in order: (row id, tactic).
fn applied_tactics(ctx: &Ctx<'_>, id: i64) -> Result<Vec<(i64, Tactic)>, Fail> {
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT id, tactic FROM authorisation_tactic WHERE authorisation_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            stored(1, Tactic::parse, &r.get::<_, String>(1)?)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(in crate::store) fn refuse(
    ctx: &Ctx<'_>,
    urn: &Urn,
    rationale: &Rationale,
) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    not_own(ctx, &a, "refuse")?;
    expect_status(&a, urn, &[AuthorisationStatus::Applied], "refused")?;
    let rationale = rationale.as_str();
    ctx.tx.exec_cached(
        "UPDATE authorisation SET status = 'refused', authorising_officer = ?2, decision_rationale = ?3 WHERE id = ?1",
        params![a.id, ctx.actor.id, rationale],
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({ "before": { "status": a.status.code() }, "after": { "status": "refused" }, "rationale": rationale }),
    })
}

/// Records that a Judicial Commissioner's approval was given and notified
/// to the grantor at `approved_at`: the authorisation takes effect then, and
/// its period, reviews and renewals are timed from it (see
/// [`law::approval`]).
pub(in crate::store) fn judicial_approval(
    ctx: &Ctx<'_>,
    urn: &Urn,
    reference: &str,
    approved_at: DateTime<Utc>,
) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    not_own(ctx, &a, "record the approval of")?;
    expect_status(
        &a,
        urn,
        &[AuthorisationStatus::AwaitingApproval],
        "given a Judicial Commissioner's approval",
    )?;
    let reference = text::line("Judicial Commissioner's reference", reference, 200)?;
    let granted_at = a
        .granted_at
        .expect("a granted authorisation has a grant time");
    let (takes_effect, ends_at) =
        law::approval(a.kind, a.urgent, granted_at, approved_at, ctx.now)?;
    if ctx.now >= ends_at {
        return Err(InvalidInput::new(
            "approval",
            format!(
                "{urn} ended at the end of {} before it was approved",
                law::last_day(ends_at)
            ),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "UPDATE authorisation SET status = 'granted', judicial_approval_at = ?2, judicial_reference = ?3,
             effective_from = ?4, ends_at = ?5
         WHERE id = ?1",
        params![
            a.id,
            format_timestamp(approved_at),
            reference,
            format_timestamp(takes_effect),
            format_timestamp(ends_at)
        ],
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "status": a.status.code(), "ends_at": a.ends_at.map(format_timestamp) },
            "after": {
                "status": "granted",
                "ends_at": format_timestamp(ends_at),
                "last_day": law::last_day(ends_at).to_string(),
            },
            "reference": reference,
            "approved_at": format_timestamp(approved_at),
            "takes_effect_at": format_timestamp(takes_effect),
        }),
    })
}

fn live(a: &Current, urn: &Urn, ctx: &Ctx<'_>, doing: &str) -> Result<DateTime<Utc>, Fail> {
    expect_status(
        a,
        urn,
        &[
            AuthorisationStatus::Granted,
            AuthorisationStatus::AwaitingApproval,
        ],
        doing,
    )?;
    let Some(end) = a.ends_at else {
        // Granted, but not in effect until a Judicial Commissioner approves:
        // its period, reviews and renewals are all timed from the approval.
        return Err(InvalidInput::new(
            "status",
            format!("{urn} is not in effect until a Judicial Commissioner's approval is recorded: it cannot be {doing} before then"),
        )
        .into());
    };
    if ctx.now >= end {
        return Err(InvalidInput::new(
            "status",
            format!(
                "{urn} ended at the end of {}: it cannot be {doing}",
                law::last_day(end)
            ),
        )
        .into());
    }
    Ok(end)
}

pub(in crate::store) fn review(ctx: &Ctx<'_>, urn: &Urn, review: Review) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    not_own(ctx, &a, "review")?;
    live(&a, urn, ctx, "reviewed")?;
    ctx.tx.exec_cached(
        "INSERT INTO authorisation_review (authorisation_id, necessity, proportionality, continue, reviewed_at, reviewed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![a.id, review.necessity, review.proportionality, review.continue_, ctx.at, ctx.actor.id],
    )?;
    let review_id = ctx.tx.last_insert_rowid();
    // A review re-tests necessity and proportionality: compared first with
    // its own application and earlier reviews, then with other
    // authorisations.
    let mut earlier: Vec<(Earlier, String)> = Vec::new();
    let (n, p): (String, String) = ctx.tx.row_cached(
        "SELECT necessity, proportionality FROM authorisation WHERE id = ?1",
        [a.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    earlier.push(((a.id, None, "necessity".into()), n));
    earlier.push(((a.id, None, "proportionality".into()), p));
    {
        let mut stmt = ctx.tx.prepare_cached(
            "SELECT id, necessity, proportionality FROM authorisation_review
             WHERE authorisation_id = ?1 AND id <> ?2 ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![a.id, review_id, SIMILARITY_WINDOW], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (rid, n, p) = row?;
            earlier.push(((a.id, Some(rid), "necessity".into()), n));
            earlier.push(((a.id, Some(rid), "proportionality".into()), p));
        }
    }
    earlier.extend(recent_texts(ctx, a.id)?);
    let similar = record_similar(
        ctx,
        a.id,
        Some(review_id),
        &[
            ("necessity", &review.necessity),
            ("proportionality", &review.proportionality),
        ],
        &earlier,
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "necessity": review.necessity,
            "proportionality": review.proportionality,
            "continue": review.continue_,
            "similar_text": similar,
        }),
    })
}

pub(in crate::store) fn renew(
    ctx: &Ctx<'_>,
    urn: &Urn,
    rationale: &Rationale,
) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    not_own(ctx, &a, "renew")?;
    let end = live(&a, urn, ctx, "renewed")?;
    if a.status != AuthorisationStatus::Granted {
        return Err(InvalidInput::new(
            "status",
            format!("{urn} still awaits a Judicial Commissioner's approval"),
        )
        .into());
    }
    let rationale = rationale.as_str();
    let rank = actor_rank(ctx)?;
    law::check_authorising_rank(a.kind, rank, false, a.confidential_likely)?;
    // The period in effect began with the latest renewal to take effect,
    // or with the day the authorisation took effect (a Judicial
    // Commissioner's approval, RIPA s.43(3)), or the grant: one renewed
    // already waits for its successor.
    let period_start: Option<String> = ctx.tx.row_cached(
        "SELECT coalesce((SELECT max(takes_effect_at) FROM authorisation_renewal WHERE authorisation_id = ?1), (SELECT effective_from FROM authorisation WHERE id = ?1), ?2)",
        params![a.id, a.granted_at.map(format_timestamp)],
        |r| r.get(0),
    )?;
    let period_start = match period_start {
        Some(t) => parse_time(&t)?,
        None => a.granted_at.expect("a granted authorisation has a grant"),
    };
    let (takes_effect, new_end) = law::renewal(a.kind, period_start, end, ctx.now)?;
    if law::rules(a.kind).review_before_renewal {
        // RIPA s.43(6): a CHIS authorisation is reviewed before it is renewed.
        let since: String = ctx.tx.row_cached(
            "SELECT coalesce((SELECT max(renewed_at) FROM authorisation_renewal WHERE authorisation_id = ?1), ?2)",
            params![a.id, a.granted_at.map(format_timestamp)],
            |r| r.get(0),
        )?;
        let reviewed: bool = ctx.tx.row_cached(
            "SELECT EXISTS (SELECT 1 FROM authorisation_review WHERE authorisation_id = ?1 AND reviewed_at >= ?2)",
            params![a.id, since],
            |r| r.get(0),
        )?;
        if !reviewed {
            return Err(InvalidInput::new(
                "review",
                format!("a {} must be reviewed before it is renewed (RIPA s.43(6)); there has been no review since {}", a.kind.label(), crate::domain::time::uk_datetime(parse_time(&since)?)),
            )
            .into());
        }
    }
    ctx.tx.exec_cached(
        "INSERT INTO authorisation_renewal (authorisation_id, rationale, renewed_at, renewed_by, renewed_rank, takes_effect_at, ends_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![a.id, rationale, ctx.at, ctx.actor.id, rank.as_str(), format_timestamp(takes_effect), format_timestamp(new_end)],
    )?;
    ctx.tx.exec_cached(
        "UPDATE authorisation SET ends_at = ?2 WHERE id = ?1",
        params![a.id, format_timestamp(new_end)],
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "ends_at": format_timestamp(end) },
            "after": { "ends_at": format_timestamp(new_end), "last_day": law::last_day(new_end).to_string() },
            "takes_effect_at": format_timestamp(takes_effect),
            "rank": rank.as_str(),
            "rationale": rationale,
        }),
    })
}

pub(in crate::store) fn cancel(ctx: &Ctx<'_>, urn: &Urn, c: Cancellation) -> Result<Applied, Fail> {
    let a = find(ctx, urn)?;
    expect_status(
        &a,
        urn,
        &[
            AuthorisationStatus::Granted,
            AuthorisationStatus::AwaitingApproval,
        ],
        "cancelled",
    )?;
    if c.stop_instruction_at > ctx.now {
        return Err(InvalidInput::new("stop instruction", "cannot be in the future").into());
    }
    if a.granted_at.is_some_and(|g| c.stop_instruction_at < g) {
        return Err(InvalidInput::new("stop instruction", "cannot be before the grant").into());
    }
    ctx.tx.exec_cached(
        "UPDATE authorisation SET status = 'cancelled', cancelled_at = ?2, stop_instruction_at = ?3,
             cancellation_reason = ?4, cancellation_outcome = ?5, material_arrangements = ?6,
             product_fate = ?7, product_keeper = ?8, product_review_on = ?9
         WHERE id = ?1",
        params![
            a.id,
            ctx.at,
            format_timestamp(c.stop_instruction_at),
            c.reason,
            c.outcome,
            c.product.arrangements,
            c.product.fate.code(),
            (!c.product.keeper.is_empty()).then_some(&c.product.keeper),
            c.product.review_on.map(|d| d.to_string())
        ],
    )?;
    Ok(Applied {
        entity_type: "authorisation",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "status": a.status.code() },
            "after": { "status": "cancelled" },
            "stop_instruction_at": format_timestamp(c.stop_instruction_at),
            "reason": c.reason,
            "outcome": c.outcome,
            "product": c.product.fate.code(),
            "product_keeper": c.product.keeper,
            "product_review_on": c.product.review_on.map(|d| d.to_string()),
            "material_arrangements": c.product.arrangements,
        }),
    })
}

/// One row of the force's central record (Covert Surveillance and Property
/// Interference Code, ch. 8), with every field it lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CentralRecordEntry {
    pub urn: Urn,
    pub kind: String,
    /// Written (JSON, CSV) as its label, e.g. "Granted".
    #[serde(serialize_with = "status_label")]
    pub status: AuthorisationStatus,
    pub in_effect: bool,
    pub operation: Codename,
    pub operation_urn: Urn,
    pub description: String,
    pub subjects: Vec<String>,
    pub applied_at: String,
    pub applied_by: String,
    pub date_given: Option<String>,
    pub authorising_officer: Option<String>,
    pub authorising_officer_rank: Option<String>,
    pub urgent: bool,
    pub urgency_reason: String,
    pub confidential_information_likely: bool,
    /// Why it is (un)likely; None on applications from before ccu asked.
    pub confidential_reason: Option<String>,
    pub directly_involved: bool,
    pub involvement_reason: Option<String>,
    pub judicial_approval_at: Option<String>,
    pub judicial_reference: Option<String>,
    pub ends_at: Option<String>,
    pub last_day: Option<String>,
    pub review_every_days: Option<u32>,
    pub next_review_due: Option<String>,
    pub reviews: Vec<String>,
    /// "date by whom (rank)" for each renewal.
    pub renewals: Vec<String>,
    pub cancelled_at: Option<String>,
    /// What became of the product at cancellation: "kept by X, next
    /// reviewed yyyy-mm-dd: ...", "destroyed: ...", "none obtained: ...",
    /// or for a cancellation from before ccu asked, its arrangements as
    /// written.
    pub product_handling: Option<String>,
    /// Reasoning near-identical to earlier text in the case file, one line
    /// each: "proportionality: 92% the same as AUTH-2026-0003's
    /// proportionality", "review of 2026-03-01 necessity: 97% the same as
    /// its application's necessity". An authorisation the reader may not
    /// see is not named.
    pub similar_text: Vec<String>,
    /// Each tactic applied for, in the application's order, with its own
    /// necessity and proportionality and what the grant decided. Empty
    /// for a type that lists no tactics, and for an application recorded
    /// before tactics were kept ([`CentralRecordEntry::tactics_listed`]).
    pub tactics: Vec<TacticEntry>,
    /// Whether the application was of a type that lists tactics but
    /// lists none: it was recorded before ccu kept them. Not a field of
    /// its own in the export: the CSV's tactics cell says so in words, and
    /// in JSON an empty list of tactics on such a type means the same.
    #[serde(skip)]
    pub tactics_not_kept: bool,
    /// The first UK day (yyyy-mm-dd) this entry may be reviewed for
    /// destruction: 3 years after the authorisation's end, or its
    /// cancellation if earlier (CSPI Code ch. 8). None until it has an end.
    /// Nothing is deleted; this says only when a person may first consider it.
    pub destruction_review_from: Option<String>,
}

/// The fields of [`CentralRecordEntry`], in order: the CSV header.
pub const CENTRAL_RECORD_COLUMNS: &[&str] = &[
    "urn",
    "kind",
    "status",
    "in_effect",
    "operation",
    "operation_urn",
    "description",
    "subjects",
    "applied_at",
    "applied_by",
    "date_given",
    "authorising_officer",
    "authorising_officer_rank",
    "urgent",
    "urgency_reason",
    "confidential_information_likely",
    "confidential_reason",
    "directly_involved",
    "involvement_reason",
    "judicial_approval_at",
    "judicial_reference",
    "ends_at",
    "last_day",
    "review_every_days",
    "next_review_due",
    "reviews",
    "renewals",
    "cancelled_at",
    "product_handling",
    "similar_text",
    "tactics",
    "destruction_review_from",
];

/// What the record says of an application of a type that lists tactics,
/// recorded before ccu kept them.
pub const TACTICS_NOT_KEPT: &str = "no tactics listed (recorded before tactics were kept)";

/// One tactic applied for, and what the grant decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TacticEntry {
    /// Written (JSON) as its label, e.g. "Following on foot".
    #[serde(serialize_with = "tactic_label")]
    pub tactic: Tactic,
    pub necessity: String,
    pub proportionality: String,
    /// Some(true) granted, Some(false) refused, None not yet decided.
    pub granted: Option<bool>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
}

impl TacticEntry {
    /// "granted", "refused: too intrusive for the street", or "applied
    /// for, not yet decided".
    pub fn decision(&self) -> String {
        match (self.granted, &self.refusal_reason) {
            (Some(true), _) => "granted".into(),
            (Some(false), Some(why)) => format!("refused: {why}"),
            (Some(false), None) => "refused".into(),
            (None, _) => "applied for, not yet decided".into(),
        }
    }
}

/// The central record as CSV (RFC 4180: CRLF record ends, quoting where
/// needed), header first. Every cell goes through
/// [`crate::sanitise::for_csv_cell`], so it is safe for a terminal and a
/// spreadsheet: control, bidirectional and zero-width characters (a CR or
/// LF inside a cell too) shown as placeholders, formula prefixes
/// neutralised.
pub fn central_record_csv(
    entries: &[CentralRecordEntry],
) -> std::result::Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(CENTRAL_RECORD_COLUMNS)?;
    for entry in entries {
        let cells: Vec<String> = entry
            .cells()
            .iter()
            .map(|c| crate::sanitise::for_csv_cell(c).into_owned())
            .collect();
        writer.write_record(&cells)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn tactic_label<S: serde::Serializer>(
    tactic: &Tactic,
    out: S,
) -> std::result::Result<S::Ok, S::Error> {
    out.serialize_str(tactic.label())
}

fn status_label<S: serde::Serializer>(
    status: &AuthorisationStatus,
    out: S,
) -> std::result::Result<S::Ok, S::Error> {
    out.serialize_str(status.label())
}

impl CentralRecordEntry {
    /// Whether the record has tactics to show, or says why it has none.
    pub fn tactics_listed(&self) -> bool {
        !self.tactics.is_empty()
    }

    /// The tactics as one cell: "Static observation: granted; Following on
    /// foot: refused: ...", or [`TACTICS_NOT_KEPT`].
    pub fn tactics_cell(&self) -> String {
        if self.tactics_not_kept {
            return TACTICS_NOT_KEPT.into();
        }
        self.tactics
            .iter()
            .map(|t| format!("{}: {}", t.tactic, t.decision()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The cells of a CSV row, in [`CENTRAL_RECORD_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.urn.to_string(),
            self.kind.clone(),
            self.status.label().to_owned(),
            self.in_effect.to_string(),
            self.operation.to_string(),
            self.operation_urn.to_string(),
            self.description.clone(),
            self.subjects.join("; "),
            self.applied_at.clone(),
            self.applied_by.clone(),
            opt(&self.date_given),
            opt(&self.authorising_officer),
            opt(&self.authorising_officer_rank),
            self.urgent.to_string(),
            self.urgency_reason.clone(),
            self.confidential_information_likely.to_string(),
            opt(&self.confidential_reason),
            self.directly_involved.to_string(),
            opt(&self.involvement_reason),
            opt(&self.judicial_approval_at),
            opt(&self.judicial_reference),
            opt(&self.ends_at),
            opt(&self.last_day),
            self.review_every_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            opt(&self.next_review_due),
            self.reviews.join("; "),
            self.renewals.join("; "),
            opt(&self.cancelled_at),
            opt(&self.product_handling),
            self.similar_text.join("; "),
            self.tactics_cell(),
            opt(&self.destruction_review_from),
        ]
    }
}

/// What an authorisation's record shows beyond its central record
/// entry: the grounds it was applied for on, its operation's threshold,
/// and each review, renewal and the cancellation in full. Read with the
/// entry, as one consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisationRecord {
    pub entry: CentralRecordEntry,
    pub kind: AuthorisationType,
    pub grounds: Grounds,
    pub threshold: ThresholdState,
    /// The grant's or refusal's rationale.
    pub decision_rationale: Option<String>,
    /// When the period in effect began: the grant, or the latest renewal
    /// to take effect (UTC, RFC 3339).
    pub period_start: Option<String>,
    /// Oldest first.
    pub reviews: Vec<ReviewEntry>,
    /// Oldest first.
    pub renewals: Vec<RenewalEntry>,
    pub cancellation: Option<CancellationEntry>,
}

impl std::ops::Deref for AuthorisationRecord {
    type Target = CentralRecordEntry;
    fn deref(&self) -> &CentralRecordEntry {
        &self.entry
    }
}

/// The case the applicant made, as the authorising officer weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grounds {
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub confidential_likely: bool,
    pub protected_premises: bool,
}

/// An operation's threshold for going covert, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdState {
    /// The latest decision's outcome and when it was made; None if none
    /// was.
    pub decided: Option<(ThresholdOutcome, String)>,
    /// When the proposal still waiting for a decision was made, if one is.
    pub pending_since: Option<String>,
}

impl ThresholdState {
    pub fn is_met(&self) -> bool {
        matches!(self.decided, Some((ThresholdOutcome::Met, _)))
    }
}

/// One review, with what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewEntry {
    pub reviewed_at: String,
    pub reviewed_by: String,
    pub necessity: String,
    pub proportionality: String,
    pub continue_: bool,
}

/// One renewal: when made, by whom, and the period it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalEntry {
    pub renewed_at: String,
    pub renewed_by: String,
    pub rank: String,
    pub rationale: String,
    pub takes_effect_at: String,
    pub ends_at: String,
}

/// How an authorisation was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationEntry {
    pub cancelled_at: String,
    pub stop_instruction_at: Option<String>,
    pub reason: String,
    pub outcome: String,
    pub material_arrangements: String,
}

impl CaseFile {
    /// The central record: every authorisation on the operations the actor
    /// may see, newest application first.
    pub fn central_record(&mut self, actor: &Actor) -> Result<Vec<CentralRecordEntry>> {
        self.central_record_of(actor, None)
    }

    /// Opens one authorisation's central record entry; the consultation
    /// is audited (`view`). One on an operation the actor may not see is
    /// reported as if it did not exist.
    pub fn open_authorisation(&mut self, actor: &Actor, urn: &Urn) -> Result<AuthorisationRecord> {
        self.execute(
            actor,
            crate::store::Command::View(crate::store::Viewed::Authorisation(*urn)),
        )?;
        let entry = self
            .central_record_of(actor, Some(urn))?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "authorisation",
                reference: urn.to_string(),
            })?;
        self.authorisation_record(entry)
    }

    /// The rest of an authorisation's record, for an entry already read
    /// (and so visible to the actor).
    fn authorisation_record(&mut self, entry: CentralRecordEntry) -> Result<AuthorisationRecord> {
        let text_urn = entry.urn.to_string();
        let by_urn: [(&str, &dyn ToSql); 1] = [(":urn", &text_urn)];
        type Row = (
            i64,
            i64,
            String,
            Grounds,
            Option<String>,
            Option<String>,
            Option<CancellationEntry>,
        );
        let (id, operation_id, kind, grounds, decision_rationale, granted_at, cancellation): Row =
            self.query_rows(
                "SELECT id, operation_id, kind, necessity, proportionality, collateral_intrusion,
                        confidential_likely, protected_premises, decision_rationale, granted_at,
                        cancelled_at, stop_instruction_at, cancellation_reason, cancellation_outcome,
                        material_arrangements
                 FROM authorisation WHERE urn = :urn",
                &by_urn,
                |r| {
                    let cancelled_at: Option<String> = r.get(10)?;
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        Grounds {
                            necessity: r.get(3)?,
                            proportionality: r.get(4)?,
                            collateral_intrusion: r.get(5)?,
                            confidential_likely: r.get(6)?,
                            protected_premises: r.get(7)?,
                        },
                        r.get(8)?,
                        r.get(9)?,
                        match cancelled_at {
                            Some(cancelled_at) => Some(CancellationEntry {
                                cancelled_at,
                                stop_instruction_at: r.get(11)?,
                                reason: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                                outcome: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
                                material_arrangements: r
                                    .get::<_, Option<String>>(14)?
                                    .unwrap_or_default(),
                            }),
                            None => None,
                        },
                    ))
                },
            )?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "authorisation",
                reference: text_urn.clone(),
            })?;
        let kind = AuthorisationType::parse(&kind).map_err(Error::Invalid)?;
        let by_id: [(&str, &dyn ToSql); 1] = [(":id", &id)];
        let reviews = self.query_rows(
            "SELECT v.reviewed_at, u.display_name, v.necessity, v.proportionality, v.continue
             FROM authorisation_review v JOIN user_account u ON u.id = v.reviewed_by
             WHERE v.authorisation_id = :id ORDER BY v.id",
            &by_id,
            |r| {
                Ok(ReviewEntry {
                    reviewed_at: r.get(0)?,
                    reviewed_by: r.get(1)?,
                    necessity: r.get(2)?,
                    proportionality: r.get(3)?,
                    continue_: r.get(4)?,
                })
            },
        )?;
        let renewals = self.query_rows(
            "SELECT n.renewed_at, u.display_name, n.renewed_rank, n.rationale, n.takes_effect_at, n.ends_at
             FROM authorisation_renewal n JOIN user_account u ON u.id = n.renewed_by
             WHERE n.authorisation_id = :id ORDER BY n.id",
            &by_id,
            |r| {
                Ok(RenewalEntry {
                    renewed_at: r.get(0)?,
                    renewed_by: r.get(1)?,
                    rank: r.get(2)?,
                    rationale: r.get(3)?,
                    takes_effect_at: r.get(4)?,
                    ends_at: r.get(5)?,
                })
            },
        )?;
        let period_start = renewals
            .iter()
            .map(|n| n.takes_effect_at.clone())
            .max()
            .or(granted_at);
        let by_op: [(&str, &dyn ToSql); 1] = [(":op", &operation_id)];
        let decided = self
            .query_rows(
                "SELECT d.outcome, d.decided_at FROM threshold_decision d
                 JOIN threshold_proposal p ON p.id = d.proposal_id
                 WHERE p.operation_id = :op ORDER BY d.id DESC LIMIT 1",
                &by_op,
                |r| {
                    Ok((
                        stored(0, ThresholdOutcome::parse, &r.get::<_, String>(0)?)?,
                        r.get::<_, String>(1)?,
                    ))
                },
            )?
            .pop();
        let pending_since = self
            .query_rows(
                "SELECT p.proposed_at FROM threshold_proposal p
                 WHERE p.operation_id = :op
                   AND NOT EXISTS (SELECT 1 FROM threshold_decision d WHERE d.proposal_id = p.id)
                 ORDER BY p.id DESC LIMIT 1",
                &by_op,
                |r| r.get::<_, String>(0),
            )?
            .pop();
        Ok(AuthorisationRecord {
            entry,
            kind,
            grounds,
            threshold: ThresholdState {
                decided,
                pending_since,
            },
            decision_rationale,
            period_start,
            reviews,
            renewals,
            cancellation,
        })
    }

    /// The central record's entries, or the one of `urn`.
    fn central_record_of(
        &mut self,
        actor: &Actor,
        urn: Option<&Urn>,
    ) -> Result<Vec<CentralRecordEntry>> {
        let viewer = self.reader(actor, "authorisations")?;
        let urn = urn.map(|u| u.to_string());
        let now = (self.clock)();
        let sql = format!(
            "SELECT a.id, a.urn, a.kind, a.status, o.codename, o.urn, a.description,
                    a.applied_at, (SELECT username FROM user_account WHERE id = a.applied_by),
                    a.granted_at,
                    (SELECT display_name FROM user_account WHERE id = a.authorising_officer),
                    a.authorising_rank, a.urgent, a.urgency_reason, a.confidential_likely,
                    a.directly_involved, a.involvement_reason, a.judicial_approval_at, a.judicial_reference,
                    a.ends_at, a.review_every_days, a.cancelled_at,
                    (SELECT max(reviewed_at) FROM authorisation_review WHERE authorisation_id = a.id),
                    coalesce(a.effective_from, a.granted_at), a.confidential_reason,
                    a.product_fate, a.product_keeper, a.product_review_on, a.material_arrangements
             FROM authorisation a JOIN operation o ON o.id = a.operation_id
             WHERE (:urn IS NULL OR a.urn = :urn) AND {}
             ORDER BY a.applied_at DESC, a.id DESC",
            operation_visible("a.operation_id")
        );
        let rows = self.query_rows(&sql, &with(&viewer, &[(":urn", &urn)]), |r| {
            let status = stored(3, AuthorisationStatus::parse, &r.get::<_, String>(3)?)?;
            let kind = stored(2, AuthorisationType::parse, &r.get::<_, String>(2)?)?;
            let ends: Option<String> = r.get(19)?;
            let ends_at = ends
                .as_deref()
                .map(|t| stored(19, parse_time, t))
                .transpose()?;
            let granted: Option<String> = r.get(9)?;
            let every: Option<u32> = r.get(20)?;
            let last_review: Option<String> = r.get(22)?;
            let took_effect: Option<String> = r.get(23)?;
            let arrangements: Option<String> = r.get(28)?;
            let product_handling = match r.get::<_, Option<String>>(25)? {
                Some(fate) => {
                    let fate = stored(25, ProductFate::parse, &fate)?;
                    let said = arrangements.clone().unwrap_or_default();
                    Some(match fate {
                        ProductFate::Kept => format!(
                            "kept by {}, next reviewed {}: {said}",
                            r.get::<_, Option<String>>(26)?.unwrap_or_default(),
                            r.get::<_, Option<String>>(27)?.unwrap_or_default(),
                        ),
                        ProductFate::Destroyed => format!("destroyed: {said}"),
                        ProductFate::NoneObtained => format!("none obtained: {said}"),
                    })
                }
                None => arrangements,
            };
            let cancelled: Option<String> = r.get(21)?;
            let cancelled_at = cancelled
                .as_deref()
                .map(|t| stored(21, parse_time, t))
                .transpose()?;
            // Retention runs from the end of the authorisation: its
            // cancellation, if that came first.
            let ended = match (ends_at, cancelled_at) {
                (Some(e), Some(c)) => Some(e.min(c)),
                (e, c) => e.or(c),
            };
            let next_review_due = match (every, last_review.as_ref().or(took_effect.as_ref())) {
                (Some(days), Some(from))
                    if ends_at.is_some()
                        && matches!(
                            status,
                            AuthorisationStatus::Granted | AuthorisationStatus::AwaitingApproval
                        ) =>
                {
                    Some(format_timestamp(law::review_due(
                        stored(22, parse_time, from)?,
                        days,
                    )))
                }
                _ => None,
            };
            Ok((
                r.get::<_, i64>(0)?,
                CentralRecordEntry {
                    urn: stored_urn(r, 1, UrnKind::Authorisation)?,
                    kind: kind.label().to_owned(),
                    status,
                    in_effect: crate::domain::covert::in_effect(status, ends_at, now),
                    operation: stored_codename(r, 4)?,
                    operation_urn: stored_urn(r, 5, UrnKind::Operation)?,
                    description: r.get(6)?,
                    subjects: Vec::new(),
                    applied_at: r.get(7)?,
                    applied_by: r.get(8)?,
                    date_given: granted,
                    authorising_officer: r.get(10)?,
                    authorising_officer_rank: r.get(11)?,
                    urgent: r.get(12)?,
                    urgency_reason: r.get(13)?,
                    confidential_information_likely: r.get(14)?,
                    confidential_reason: r.get(24)?,
                    directly_involved: r.get(15)?,
                    involvement_reason: r.get(16)?,
                    judicial_approval_at: r.get(17)?,
                    judicial_reference: r.get(18)?,
                    ends_at: ends,
                    last_day: ends_at.map(|e| law::last_day(e).to_string()),
                    review_every_days: every,
                    next_review_due,
                    reviews: Vec::new(),
                    renewals: Vec::new(),
                    cancelled_at: cancelled,
                    product_handling,
                    similar_text: Vec::new(),
                    tactics: Vec::new(),
                    // Until its tactics are read, below.
                    tactics_not_kept: tactic::lists_tactics(kind),
                    destruction_review_from: ended
                        .map(|e| law::destruction_review_from(e).to_string()),
                },
            ))
        })?;
        let mut entries = Vec::with_capacity(rows.len());
        for (id, mut entry) in rows {
            let by_id: [(&str, &dyn ToSql); 1] = [(":id", &id)];
            entry.subjects = self.query_rows(
                "SELECT s.staff_number || ' ' || s.name FROM authorisation_subject x JOIN subject s ON s.id = x.subject_id
                 WHERE x.authorisation_id = :id ORDER BY s.staff_number",
                &by_id,
                |r| r.get(0),
            )?;
            entry.reviews = self.query_rows(
                "SELECT v.reviewed_at || ' by ' || u.display_name || CASE v.continue WHEN 1 THEN '' ELSE ' (recommended cancellation)' END
                 FROM authorisation_review v JOIN user_account u ON u.id = v.reviewed_by
                 WHERE v.authorisation_id = :id ORDER BY v.id",
                &by_id,
                |r| r.get(0),
            )?;
            entry.renewals = self.query_rows(
                "SELECT n.renewed_at || ' by ' || u.display_name || ' (' || n.renewed_rank || '), to ' || n.ends_at
                 FROM authorisation_renewal n JOIN user_account u ON u.id = n.renewed_by
                 WHERE n.authorisation_id = :id ORDER BY n.id",
                &by_id,
                |r| r.get(0),
            )?;
            let found = self.query_rows(
                &format!(
                    "SELECT s.field, s.percent,
                            (SELECT reviewed_at FROM authorisation_review WHERE id = s.review_id),
                            s.earlier_authorisation_id = s.authorisation_id, e.urn, s.earlier_field,
                            (SELECT reviewed_at FROM authorisation_review WHERE id = s.earlier_review_id),
                            {}
                     FROM authorisation_similarity s JOIN authorisation e ON e.id = s.earlier_authorisation_id
                     WHERE s.authorisation_id = :id ORDER BY s.id",
                    operation_visible("e.operation_id")
                ),
                &with(&viewer, &[(":id", &id as &dyn ToSql)]),
                |r| {
                    let day = |i: usize| -> rusqlite::Result<Option<String>> {
                        r.get::<_, Option<String>>(i)?
                            .map(|t| {
                                stored(i, parse_time, &t)
                                    .map(|at| crate::domain::time::uk_date(at).to_string())
                            })
                            .transpose()
                    };
                    let field: String = r.get(0)?;
                    let percent: u8 = r.get(1)?;
                    let earlier_field: String = r.get(5)?;
                    let what = match day(2)? {
                        Some(d) => format!("review of {d} {field}"),
                        None => field,
                    };
                    let earlier = match (r.get::<_, bool>(3)?, day(6)?, r.get::<_, bool>(7)?) {
                        (true, Some(d), _) => format!("its review of {d}'s {earlier_field}"),
                        (true, None, _) => format!("its application's {earlier_field}"),
                        (false, _, true) => {
                            format!("{}'s {earlier_field}", stored_urn(r, 4, UrnKind::Authorisation)?)
                        }
                        (false, _, false) => format!("another authorisation's {earlier_field}"),
                    };
                    Ok(format!("{what}: {percent}% the same as {earlier}"))
                },
            )?;
            entry.similar_text = found;
            entry.tactics = self.query_rows(
                "SELECT t.tactic, t.necessity, t.proportionality, d.granted, d.reason
                 FROM authorisation_tactic t LEFT JOIN authorisation_tactic_decision d ON d.tactic_id = t.id
                 WHERE t.authorisation_id = :id ORDER BY t.position",
                &by_id,
                |r| {
                    Ok(TacticEntry {
                        tactic: stored(0, Tactic::parse, &r.get::<_, String>(0)?)?,
                        necessity: r.get(1)?,
                        proportionality: r.get(2)?,
                        granted: r.get(3)?,
                        refusal_reason: r.get(4)?,
                    })
                },
            )?;
            entry.tactics_not_kept &= entry.tactics.is_empty();
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// What the reasoning typed on a form is being written for, so that it is
/// compared with what the record will compare it with once saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafting {
    /// A new application: compared with other authorisations.
    Application,
    /// The grant of this authorisation: compared with other authorisations.
    Grant(Urn),
    /// A review of this authorisation: compared first with its own
    /// application and reviews, then with other authorisations.
    Review(Urn),
}

impl CaseFile {
    /// The earlier reasoning that `text`, being typed on a form, is
    /// near-identical to, in the record's words: "92% the same as
    /// AUTH-2026-0003's proportionality", "97% the same as its
    /// application's necessity". None when nothing reaches
    /// [`similarity::FLAG_AT_PERCENT`]. The measure and the window are the
    /// record's; the earlier texts are only those of authorisations the
    /// actor may see (the form asks each time a field is left, so it must
    /// not become a way to test guesses against text the actor may not
    /// read). Reads only; writes nothing.
    pub fn similar_reasoning(
        &mut self,
        actor: &Actor,
        drafting: Drafting,
        text: &str,
    ) -> Result<Option<String>> {
        if similarity::Shingles::of(text).is_empty() {
            return Ok(None);
        }
        let viewer = self.reader(actor, "authorisations")?;
        let this = match drafting {
            Drafting::Application => None,
            Drafting::Grant(urn) | Drafting::Review(urn) => Some(urn.to_string()),
        };
        let this_id: i64 = match &this {
            None => -1,
            Some(urn) => self
                .query_rows(
                    &format!(
                        "SELECT a.id FROM authorisation a WHERE a.urn = :urn AND {}",
                        operation_visible("a.operation_id")
                    ),
                    &with(&viewer, &[(":urn", urn as &dyn ToSql)]),
                    |r| r.get(0),
                )?
                .pop()
                .unwrap_or(-1),
        };
        let mut earlier: Vec<(String, String)> = Vec::new();
        if let Drafting::Review(_) = drafting {
            let by_id: [(&str, &dyn ToSql); 1] = [(":id", &this_id)];
            for (n, p) in self.query_rows(
                "SELECT necessity, proportionality FROM authorisation WHERE id = :id",
                &by_id,
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )? {
                earlier.push(("its application's necessity".into(), n));
                earlier.push(("its application's proportionality".into(), p));
            }
            let window: [(&str, &dyn ToSql); 2] =
                [(":id", &this_id), (":window", &SIMILARITY_WINDOW)];
            for (at, n, p) in self.query_rows(
                "SELECT reviewed_at, necessity, proportionality FROM authorisation_review
                 WHERE authorisation_id = :id ORDER BY id DESC LIMIT :window",
                &window,
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )? {
                let day = parse_time(&at)
                    .map(|t| crate::domain::time::uk_date(t).to_string())
                    .unwrap_or(at);
                earlier.push((format!("its review of {day}'s necessity"), n));
                earlier.push((format!("its review of {day}'s proportionality"), p));
            }
        }
        let rows = self.query_rows(
            &format!(
                "SELECT a.urn, a.necessity, a.proportionality, a.collateral_intrusion,
                        coalesce(a.decision_rationale, '')
                 FROM authorisation a
                 WHERE a.id <> :id AND {}
                 ORDER BY a.id DESC LIMIT :window",
                operation_visible("a.operation_id")
            ),
            &with(
                &viewer,
                &[
                    (":id", &this_id as &dyn ToSql),
                    (":window", &SIMILARITY_WINDOW),
                ],
            ),
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    [r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                ))
            },
        )?;
        for (urn, [n, p, c, g]) in rows {
            earlier.push((format!("{urn}'s necessity"), n));
            earlier.push((format!("{urn}'s proportionality"), p));
            earlier.push((format!("{urn}'s collateral intrusion"), c));
            earlier.push((format!("{urn}'s grant rationale"), g));
        }
        let lines = self.query_rows(
            &format!(
                "SELECT a.urn, t.tactic, t.necessity, t.proportionality
                 FROM authorisation_tactic t JOIN authorisation a ON a.id = t.authorisation_id
                 WHERE t.authorisation_id IN (
                     SELECT a.id FROM authorisation a WHERE a.id <> :id AND {}
                     ORDER BY a.id DESC LIMIT :window)
                 ORDER BY t.authorisation_id DESC, t.position",
                operation_visible("a.operation_id")
            ),
            &with(
                &viewer,
                &[
                    (":id", &this_id as &dyn ToSql),
                    (":window", &SIMILARITY_WINDOW),
                ],
            ),
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    stored(1, Tactic::parse, &r.get::<_, String>(1)?)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        for (urn, tactic, n, p) in lines {
            let [nf, pf] = tactic_fields(tactic);
            earlier.push((format!("{urn}'s {nf}"), n));
            earlier.push((format!("{urn}'s {pf}"), p));
        }
        Ok(similarity::best_match(text, earlier)
            .map(|m| format!("{}% the same as {}", m.percent, m.earlier)))
    }
}
