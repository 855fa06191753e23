//! The strategic threat assessment (`domain::threat`): each threat with
//! its category, theme and every version of its assessment, put in
//! priority order, with the intelligence volume behind it counted live
//! from the case file. A register: it declares its own commands, which the
//! build wires into the one write path (`store::command::RegisterCommand`).

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::intelligence::Category;
use crate::domain::permission::Action;
use crate::domain::threat::{
    ASSESS, Assessment, Confidence, Ranked, Scores, last_four_quarters, priority, reference,
};
use crate::domain::time::{parse_stored_date, start_of_uk_day, uk_date};
use crate::store::command::RegisterCommand;
use crate::store::plumbing::stored;
use crate::store::visibility::intelligence_visible;
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{Cached, CaseFile, Error, Result, accounts, format_timestamp};

/// What can be done in the register.
#[derive(Debug, Clone)]
pub enum Command {
    /// A new threat, with its first assessment.
    Record {
        category: Category,
        theme: String,
        assessment: Assessment,
    },
    /// A threat reviewed: a new version of its assessment.
    Review {
        reference: String,
        assessment: Assessment,
    },
    /// Opening a threat: a consultation, logged as a `view` event.
    View(String),
    /// Reading the threats report (`ccu report threats`): a consultation,
    /// logged as a `view` event.
    ReadReport,
}

impl RegisterCommand for Command {
    fn audit_action(&self) -> &'static str {
        match self {
            Command::Record { .. } => "threat.record",
            Command::Review { .. } => "threat.review",
            Command::View(_) | Command::ReadReport => "view",
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self {
            Command::Record { .. } => ("threat", "new".to_owned()),
            Command::Review { reference, .. } | Command::View(reference) => {
                ("threat", reference.clone())
            }
            Command::ReadReport => ("report", "threats".to_owned()),
        }
    }

    fn permission(&self) -> Action {
        match self {
            Command::Record { .. } | Command::Review { .. } => Action::Declared(&ASSESS),
            Command::View(_) | Command::ReadReport => Action::ReadCaseContent,
        }
    }

    fn apply(self, ctx: &Ctx<'_>) -> std::result::Result<(Applied, Done), Fail> {
        let (entity_type, mut entity_ref) = self.entity();
        let details = match self {
            Command::Record {
                category,
                theme,
                assessment,
            } => {
                let (made, details) = record(ctx, category, &theme, &assessment)?;
                entity_ref = made;
                details
            }
            Command::Review {
                reference,
                assessment,
            } => {
                let id = threat_id(ctx, &reference)?;
                add_version(ctx, id, &assessment)?
            }
            Command::View(reference) => {
                threat_id(ctx, &reference)?;
                json!({ "what": "record opened" })
            }
            Command::ReadReport => json!({ "what": "report read" }),
        };
        let applied = Applied {
            entity_type,
            entity_ref,
            details,
        };
        Ok((applied, Done::Recorded))
    }
}

fn no_such(reference: &str) -> Fail {
    InvalidInput::new("threat", format!("there is no threat {reference}")).into()
}

fn threat_id(ctx: &Ctx<'_>, reference: &str) -> std::result::Result<i64, Fail> {
    ctx.tx
        .row_cached(
            "SELECT id FROM threat WHERE reference = ?1",
            [reference],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| no_such(reference))
}

/// An owner: an active account that does case work.
fn owner_id(ctx: &Ctx<'_>, owner: &Username) -> std::result::Result<i64, Fail> {
    let account = accounts::find(ctx.tx, owner)?.ok_or_else(|| {
        InvalidInput::new("owner", format!("there is no account named '{owner}'"))
    })?;
    if account.status != accounts::AccountStatus::Active {
        return Err(InvalidInput::new("owner", format!("{owner}'s account is disabled")).into());
    }
    if !account.roles.iter().any(|r| ASSESS.roles.contains(r)) {
        return Err(InvalidInput::new(
            "owner",
            format!("{owner} cannot own a threat: that needs the investigator or supervisor role"),
        )
        .into());
    }
    Ok(account.id)
}

fn record(
    ctx: &Ctx<'_>,
    category: Category,
    theme: &str,
    a: &Assessment,
) -> std::result::Result<(String, serde_json::Value), Fail> {
    let n: u32 = ctx
        .tx
        .row_cached("SELECT count(*) FROM threat", [], |r| r.get(0))?;
    let made = reference(n + 1);
    ctx.tx.exec_cached(
        "INSERT INTO threat (reference, category, theme, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![made, category.code(), theme, ctx.actor.id, ctx.at],
    )?;
    let id = ctx.tx.last_insert_rowid();
    let mut details = add_version(ctx, id, a)?;
    details["category"] = json!(category.code());
    details["theme"] = json!(theme);
    Ok((made, details))
}

fn add_version(
    ctx: &Ctx<'_>,
    threat: i64,
    a: &Assessment,
) -> std::result::Result<serde_json::Value, Fail> {
    a.check_review(uk_date(ctx.now))?;
    let owner = owner_id(ctx, &a.owner)?;
    let version: u32 = ctx.tx.row_cached(
        "SELECT coalesce(max(version), 0) + 1 FROM threat_version WHERE threat_id = ?1",
        [threat],
        |r| r.get(0),
    )?;
    let s = a.scores;
    let review = a.next_review.format("%Y-%m-%d").to_string();
    ctx.tx.exec_cached(
        "INSERT INTO threat_version (threat_id, version, harm, likelihood, confidence, capacity,
             owner_id, rationale, next_review, reviewed_by, reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            threat,
            version,
            s.harm,
            s.likelihood,
            s.confidence.code(),
            s.capacity,
            owner,
            a.rationale,
            review,
            ctx.actor.id,
            ctx.at
        ],
    )?;
    Ok(json!({
        "version": version,
        "harm": s.harm,
        "likelihood": s.likelihood,
        "confidence": s.confidence.code(),
        "capacity": s.capacity,
        "score": s.score(),
        "owner": a.owner.as_str(),
        "next_review": review,
    }))
}

/// One version of a threat's assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatVersion {
    pub version: u32,
    pub scores: Scores,
    pub owner: String,
    pub rationale: String,
    pub next_review: NaiveDate,
    pub reviewed_by: String,
    /// As stored (RFC 3339, UTC).
    pub reviewed_at: String,
}

/// A threat as it stands: its latest version, its place in the priority
/// order, and the intelligence in its category the reader may see, per
/// quarter for the last four (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatRow {
    pub rank: u32,
    pub reference: String,
    pub category: Category,
    pub theme: String,
    pub current: ThreatVersion,
    pub volume: Vec<(String, u32)>,
}

/// A threat opened in full: with every version, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatRecord {
    pub row: ThreatRow,
    pub recorded_by: String,
    pub history: Vec<ThreatVersion>,
}

const VERSION_SQL: &str = "SELECT v.version, v.harm, v.likelihood, v.confidence, v.capacity,
        o.username, v.rationale, v.next_review, r.username, v.reviewed_at, v.threat_id
     FROM threat_version v
     JOIN user_account o ON o.id = v.owner_id
     JOIN user_account r ON r.id = v.reviewed_by";

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, ThreatVersion)> {
    let confidence = stored(3, Confidence::parse, &r.get::<_, String>(3)?)?;
    let (harm, likelihood, capacity) = (r.get(1)?, r.get(2)?, r.get(4)?);
    let scores = stored(
        1,
        |_| Scores::new(harm, likelihood, confidence, capacity),
        "",
    )?;
    Ok((
        r.get(10)?,
        ThreatVersion {
            version: r.get(0)?,
            scores,
            owner: r.get(5)?,
            rationale: r.get(6)?,
            next_review: stored(7, parse_stored_date, &r.get::<_, String>(7)?)?,
            reviewed_by: r.get(8)?,
            reviewed_at: r.get(9)?,
        },
    ))
}

impl CaseFile {
    /// Every threat as it stands, in priority order (`domain::threat`),
    /// each with the intelligence volume behind it: only intelligence the
    /// actor may see is counted.
    pub fn threats(&mut self, actor: &Actor) -> Result<Vec<ThreatRow>> {
        let viewer = self.reader(actor, "threats")?;
        let threats: Vec<(i64, String, Category, String)> = self.query_rows(
            "SELECT id, reference, category, theme FROM threat ORDER BY id",
            &[],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    stored(2, Category::parse, &r.get::<_, String>(2)?)?,
                    r.get(3)?,
                ))
            },
        )?;
        let latest = self.query_rows(
            &format!(
                "{VERSION_SQL} WHERE v.version =
                    (SELECT max(version) FROM threat_version WHERE threat_id = v.threat_id)"
            ),
            &[],
            version_row,
        )?;
        let quarters = last_four_quarters(uk_date((self.clock)()));
        let mut rows = Vec::new();
        for (id, reference, category, theme) in threats {
            let Some((_, current)) = latest.iter().find(|(t, _)| *t == id).cloned() else {
                return Err(Error::Invalid(InvalidInput::new(
                    "threat",
                    format!("{reference} has no assessment in the case file"),
                )));
            };
            let mut volume = Vec::new();
            for (label, from, to) in &quarters {
                let from = format_timestamp(start_of_uk_day(*from));
                let to = format_timestamp(start_of_uk_day(*to));
                let code = category.code();
                let params: Vec<(&str, &dyn ToSql)> = [
                    viewer.params().as_slice(),
                    &[
                        (":category", &code as &dyn ToSql),
                        (":from", &from as &dyn ToSql),
                        (":to", &to as &dyn ToSql),
                    ],
                ]
                .concat();
                let n: Vec<u32> = self.query_rows(
                    &format!(
                        "SELECT count(*) FROM intelligence i
                         WHERE i.category = :category AND i.received_at >= :from
                           AND i.received_at < :to AND {}",
                        intelligence_visible("i")
                    ),
                    &params,
                    |r| r.get(0),
                )?;
                volume.push((label.clone(), n.first().copied().unwrap_or(0)));
            }
            rows.push(ThreatRow {
                rank: 0,
                reference,
                category,
                theme,
                current,
                volume,
            });
        }
        rows.sort_by(|a, b| priority(&ranked(a), &ranked(b)));
        for (i, row) in rows.iter_mut().enumerate() {
            row.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        Ok(rows)
    }

    /// Opens one threat with every version of its assessment; the
    /// consultation is audited (`view`).
    pub fn open_threat(&mut self, actor: &Actor, reference: &str) -> Result<ThreatRecord> {
        self.execute(actor, Command::View(reference.to_owned()).into())?;
        let row = self
            .threats(actor)?
            .into_iter()
            .find(|t| t.reference == reference)
            .ok_or_else(|| Error::NoSuch {
                what: "threat",
                reference: reference.to_owned(),
            })?;
        let recorded_by = self
            .query_rows(
                "SELECT u.username FROM threat t JOIN user_account u ON u.id = t.recorded_by
                 WHERE t.reference = :r",
                &[(":r", &reference as &dyn ToSql)],
                |r| r.get::<_, String>(0),
            )?
            .pop()
            .unwrap_or_default();
        let history = self
            .query_rows(
                &format!(
                    "{VERSION_SQL} JOIN threat t ON t.id = v.threat_id
                     WHERE t.reference = :r ORDER BY v.version DESC"
                ),
                &[(":r", &reference as &dyn ToSql)],
                version_row,
            )?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        Ok(ThreatRecord {
            row,
            recorded_by,
            history,
        })
    }

    /// The threats report (`ccu report threats`): every threat in priority
    /// order with its scores and the intelligence volume per quarter.
    /// Reading it is a consultation, logged (`view` of the report) before
    /// anything is read.
    pub fn threats_report(&mut self, actor: &Actor) -> Result<Vec<ThreatReportRow>> {
        self.execute(actor, Command::ReadReport.into())?;
        Ok(self
            .threats(actor)?
            .into_iter()
            .map(ThreatReportRow::from)
            .collect())
    }
}

fn ranked(t: &ThreatRow) -> Ranked<'_> {
    Ranked {
        scores: t.current.scores,
        next_review: t.current.next_review,
        reference: &t.reference,
    }
}

/// One threat in the threats report; the JSON field names are documented
/// in docs/reports.md and never renamed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThreatReportRow {
    pub rank: u32,
    pub reference: String,
    /// The national corruption category's code.
    pub category: String,
    pub theme: String,
    pub version: u32,
    pub harm: u8,
    pub likelihood: u8,
    pub confidence: String,
    pub capacity: u8,
    pub risk: u32,
    pub score: u32,
    pub owner: String,
    /// `yyyy-mm-dd`.
    pub next_review: String,
    pub reviewed_by: String,
    /// UTC, RFC 3339.
    pub reviewed_at: String,
    pub volume: Vec<ThreatReportVolume>,
}

/// The intelligence in a threat's category in one quarter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThreatReportVolume {
    /// `2026 Q4`.
    pub quarter: String,
    pub items: u32,
}

impl From<ThreatRow> for ThreatReportRow {
    fn from(t: ThreatRow) -> Self {
        let v = t.current;
        ThreatReportRow {
            rank: t.rank,
            reference: t.reference,
            category: t.category.code().to_owned(),
            theme: t.theme,
            version: v.version,
            harm: v.scores.harm,
            likelihood: v.scores.likelihood,
            confidence: v.scores.confidence.code().to_owned(),
            capacity: v.scores.capacity,
            risk: v.scores.risk(),
            score: v.scores.score(),
            owner: v.owner,
            next_review: v.next_review.format("%Y-%m-%d").to_string(),
            reviewed_by: v.reviewed_by,
            reviewed_at: v.reviewed_at,
            volume: t
                .volume
                .into_iter()
                .map(|(quarter, items)| ThreatReportVolume { quarter, items })
                .collect(),
        }
    }
}
