//! Bids for covert resources in the case file: drafting, submitting,
//! deciding (never on one's own bid; covert lines only once the threshold
//! for covert investigation is met), closing, resource capacity, and the
//! queries screens use. A bid is seen only by those who may see its
//! operation.

use crate::store::Cached;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::{Value, json};

use super::thresholds;
use crate::domain::InvalidInput;
use crate::domain::bid::{
    self as rules, BidDecision, BidLine, BidOutcome, BidStatus, Demand, MAX_LINES,
};
use crate::domain::covert::ThresholdOutcome;
use crate::domain::operation::{Codename, OperationStatus};
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::plumbing::{Page, next_urn, stored, stored_codename, stored_urn, with};
use crate::store::visibility::{self, Viewer, operation_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Error, Result, accounts};

pub use crate::domain::bid::WeekLoad;

/// A bid as a command needs it.
struct BidRef {
    id: i64,
    status: BidStatus,
    operation_id: i64,
    operation_status: OperationStatus,
    codename: String,
    created_by: i64,
}

/// Finds a bid the actor may see: one on an operation they may not see is
/// `Fail::Hidden` (audited, and reported as if it did not exist).
fn bid(ctx: &Ctx<'_>, urn: &Urn) -> Result<BidRef, Fail> {
    let viewer = Viewer::of(ctx);
    let urn_text = urn.to_string();
    let found = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT b.id, b.status, b.operation_id, o.status, o.codename, b.created_by, {}
                 FROM bid b JOIN operation o ON o.id = b.operation_id WHERE b.urn = :urn",
                operation_visible("b.operation_id")
            ),
            &with(&viewer, &[(":urn", &urn_text as &dyn ToSql)])[..],
            |r| {
                Ok((
                    BidRef {
                        id: r.get(0)?,
                        status: stored(1, BidStatus::parse, &r.get::<_, String>(1)?)?,
                        operation_id: r.get(2)?,
                        operation_status: stored(
                            3,
                            OperationStatus::parse,
                            &r.get::<_, String>(3)?,
                        )?,
                        codename: r.get(4)?,
                        created_by: r.get(5)?,
                    },
                    r.get::<_, bool>(6)?,
                ))
            },
        )
        .optional()?;
    match found {
        None => Err(Fail::Store(Error::NoSuch {
            what: "bid",
            reference: urn_text,
        })),
        Some((_, false)) => Err(Fail::Hidden {
            what: "bid",
            reference: urn_text,
            shown_as: None,
        }),
        Some((b, true)) => Ok(b),
    }
}

fn refuse_if_closed(codename: &str, status: OperationStatus, what: &str) -> Result<(), Fail> {
    if status == OperationStatus::Closed {
        return Err(InvalidInput::new("operation", format!("{codename} is closed: {what}")).into());
    }
    Ok(())
}

/// A resource type as the rules need it: covert or not, and its capacity.
fn resource(conn: &rusqlite::Connection, code: &str) -> rusqlite::Result<Option<(bool, f64)>> {
    conn.query_row(
        "SELECT covert, weekly_capacity FROM resource_type WHERE code = ?1",
        [code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

fn unknown_resource(
    conn: &rusqlite::Connection,
    field: &'static str,
    prefix: &str,
    code: &str,
) -> Fail {
    let codes: rusqlite::Result<Vec<String>> = conn
        .prepare("SELECT code FROM resource_type ORDER BY rowid")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    match codes {
        Ok(codes) => InvalidInput::new(
            field,
            format!(
                "{prefix}there is no resource type '{code}'; the types are: {}",
                codes.join(", ")
            ),
        )
        .into(),
        Err(e) => e.into(),
    }
}

fn date(text: &str) -> std::result::Result<NaiveDate, InvalidInput> {
    crate::domain::time::parse_stored_date(text)
}

/// How a threshold status reads in a refusal.
fn threshold_words(status: Option<ThresholdOutcome>) -> String {
    match status {
        None => "no threshold decision yet".into(),
        Some(outcome) => outcome.label().to_lowercase(),
    }
}

/// Lines of active bids other than `except` that approve some of one of
/// `resources`, as the capacity arithmetic sees them.
fn committed_elsewhere(
    conn: &rusqlite::Connection,
    except: Option<i64>,
    resources: &[String],
) -> rusqlite::Result<Vec<Demand>> {
    let mut stmt = conn.prepare(
        "SELECT l.resource, l.approved_quantity, l.starts_on, l.ends_on
         FROM bid_line l JOIN bid b ON b.id = l.bid_id
         WHERE b.status = 'active' AND b.id IS NOT ?1 AND l.approved_quantity > 0
           AND l.resource = ?2",
    )?;
    let mut all = Vec::new();
    for code in resources {
        let rows = stmt.query_map(params![except, code], |r| {
            Ok(Demand {
                resource: r.get(0)?,
                quantity: r.get(1)?,
                starts_on: stored(2, date, &r.get::<_, String>(2)?)?,
                ends_on: stored(3, date, &r.get::<_, String>(3)?)?,
            })
        })?;
        for row in rows {
            all.push(row?);
        }
    }
    Ok(all)
}

/// The weekly capacity of each of `resources` (0 for one that is gone).
fn capacities(
    conn: &rusqlite::Connection,
    resources: &[String],
) -> rusqlite::Result<Vec<(String, f64)>> {
    resources
        .iter()
        .map(|code| Ok((code.clone(), resource(conn, code)?.map_or(0.0, |(_, c)| c))))
        .collect()
}

/// The loads of `this` against what other active bids have committed.
fn loads(
    conn: &rusqlite::Connection,
    except: Option<i64>,
    this: &[Demand],
) -> rusqlite::Result<Vec<WeekLoad>> {
    let mut resources: Vec<String> = this.iter().map(|d| d.resource.clone()).collect();
    resources.sort();
    resources.dedup();
    let elsewhere = committed_elsewhere(conn, except, &resources)?;
    let capacity = capacities(conn, &resources)?;
    Ok(rules::week_loads(this, &elsewhere, |code| {
        capacity
            .iter()
            .find(|(c, _)| c == code)
            .map_or(0.0, |(_, c)| *c)
    }))
}

/// A figure as recorded in the audit trail and the decision's warnings:
/// rounded to hundredths.
fn figure(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn week_load_json(w: &WeekLoad) -> Value {
    json!({
        "resource": w.resource,
        "week_starting": w.week_starting.to_string(),
        "committed_elsewhere": figure(w.committed_elsewhere),
        "this_bid": figure(w.this_bid),
        "capacity": figure(w.capacity),
        "over_by": figure(w.over_by()),
    })
}

fn week_load_from_json(v: &Value) -> Option<WeekLoad> {
    let committed_elsewhere = v["committed_elsewhere"].as_f64()?;
    let this_bid = v["this_bid"].as_f64()?;
    let capacity = v["capacity"].as_f64()?;
    Some(WeekLoad {
        resource: v["resource"].as_str()?.to_owned(),
        week_starting: date(v["week_starting"].as_str()?).ok()?,
        committed_elsewhere,
        this_bid,
        capacity,
        over: committed_elsewhere + this_bid > capacity + rules::CAPACITY_TOLERANCE,
    })
}

fn line_json(number: usize, l: &BidLine) -> Value {
    json!({
        "line": number,
        "resource": l.resource,
        "quantity": l.quantity,
        "starts_on": l.starts_on.to_string(),
        "ends_on": l.ends_on.to_string(),
        "justification": l.justification,
    })
}

pub(in crate::store) fn draft(
    ctx: &Ctx<'_>,
    codename: &Codename,
    justification: &Rationale,
    lines: Vec<BidLine>,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    refuse_if_closed(codename.as_str(), op.status, "no new bids")?;
    let justification = justification.as_str();
    if lines.is_empty() {
        return Err(InvalidInput::new("lines", "a bid asks for at least one resource").into());
    }
    if lines.len() > MAX_LINES {
        return Err(InvalidInput::new(
            "lines",
            format!(
                "{} lines is too many; a bid holds at most {MAX_LINES}",
                lines.len()
            ),
        )
        .into());
    }
    for (i, line) in lines.iter().enumerate() {
        if resource(ctx.tx, &line.resource)?.is_none() {
            return Err(unknown_resource(
                ctx.tx,
                "lines",
                &format!("line {}: ", i + 1),
                &line.resource,
            ));
        }
    }
    let urn = next_urn(ctx, UrnKind::Bid)?;
    ctx.tx.exec_cached(
        "INSERT INTO bid (urn, operation_id, justification, status, created_at, created_by)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5)",
        params![urn.to_string(), op.id, justification, ctx.at, ctx.actor.id],
    )?;
    let id = ctx.tx.last_insert_rowid();
    for (i, line) in lines.iter().enumerate() {
        ctx.tx.exec_cached(
            "INSERT INTO bid_line (bid_id, number, resource, quantity, starts_on, ends_on, justification)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                i as i64 + 1,
                line.resource,
                line.quantity,
                line.starts_on.to_string(),
                line.ends_on.to_string(),
                line.justification
            ],
        )?;
    }
    Ok(Applied {
        entity_type: "bid",
        entity_ref: urn.to_string(),
        details: json!({
            "urn": urn.to_string(),
            "operation": codename.as_str(),
            "status": BidStatus::Draft.code(),
            "justification": justification,
            "lines": lines.iter().enumerate().map(|(i, l)| line_json(i + 1, l)).collect::<Vec<_>>(),
        }),
    })
}

pub(in crate::store) fn submit(ctx: &Ctx<'_>, urn: &Urn) -> Result<Applied, Fail> {
    let b = bid(ctx, urn)?;
    b.status.transition(BidStatus::Submitted)?;
    refuse_if_closed(
        &b.codename,
        b.operation_status,
        "its bids can only be withdrawn",
    )?;
    ctx.tx.exec_cached(
        "UPDATE bid SET status = 'submitted', submitted_at = ?2 WHERE id = ?1",
        params![b.id, ctx.at],
    )?;
    Ok(Applied {
        entity_type: "bid",
        entity_ref: urn.to_string(),
        details: json!({
            "operation": b.codename,
            "before": { "status": b.status.code() },
            "after": { "status": BidStatus::Submitted.code() },
        }),
    })
}

/// A line as a decision needs it.
struct StoredLine {
    number: u32,
    resource: String,
    quantity: f64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    covert: bool,
}

fn stored_lines(conn: &rusqlite::Connection, bid_id: i64) -> rusqlite::Result<Vec<StoredLine>> {
    let mut stmt = conn.prepare(
        "SELECT l.number, l.resource, l.quantity, l.starts_on, l.ends_on, coalesce(t.covert, 0)
         FROM bid_line l LEFT JOIN resource_type t ON t.code = l.resource
         WHERE l.bid_id = ?1 ORDER BY l.number",
    )?;
    stmt.query_map([bid_id], |r| {
        Ok(StoredLine {
            number: r.get(0)?,
            resource: r.get(1)?,
            quantity: r.get(2)?,
            starts_on: stored(3, date, &r.get::<_, String>(3)?)?,
            ends_on: stored(4, date, &r.get::<_, String>(4)?)?,
            covert: r.get(5)?,
        })
    })?
    .collect()
}

/// Refuses approving covert lines while the operation's threshold for
/// covert investigation is not met, naming the lines and the status.
fn check_threshold(
    ctx: &Ctx<'_>,
    b: &BidRef,
    lines: &[StoredLine],
    approved: &[(u32, f64)],
) -> Result<(), Fail> {
    let covert: Vec<&StoredLine> = lines
        .iter()
        .filter(|l| l.covert && approved.iter().any(|(n, q)| *n == l.number && *q > 0.0))
        .collect();
    if covert.is_empty() {
        return Ok(());
    }
    let status = thresholds::current(ctx.tx, b.operation_id)?;
    if status == Some(ThresholdOutcome::Met) {
        return Ok(());
    }
    let named = covert
        .iter()
        .map(|l| format!("{} ({})", l.number, l.resource))
        .collect::<Vec<_>>()
        .join(", ");
    let (lines_word, is_are) = if covert.len() == 1 {
        ("line", "is a covert resource")
    } else {
        ("lines", "are covert resources")
    };
    Err(InvalidInput::new(
        "decision",
        format!(
            "{lines_word} {named} {is_are}, which cannot be approved until the threshold for covert investigation on {} is met; its threshold status: {}",
            b.codename,
            threshold_words(status)
        ),
    )
    .into())
}

pub(in crate::store) fn decide(
    ctx: &Ctx<'_>,
    urn: &Urn,
    decision: BidDecision,
    rationale: &Rationale,
) -> Result<Applied, Fail> {
    let b = bid(ctx, urn)?;
    if b.created_by == ctx.actor.id {
        return Err(Fail::SeparationOfDuties {
            reason: format!("decide {urn}, a bid they made themselves"),
        });
    }
    let to = decision.status();
    if b.status != BidStatus::Submitted {
        return Err(InvalidInput::new(
            "status",
            format!(
                "only a submitted bid is decided; {urn} is {}",
                b.status.label().to_lowercase()
            ),
        )
        .into());
    }
    b.status.transition(to)?;
    let rationale = rationale.as_str();
    if decision != BidDecision::Decline {
        refuse_if_closed(
            &b.codename,
            b.operation_status,
            "its bids can only be declined or withdrawn",
        )?;
    }
    let lines = stored_lines(ctx.tx, b.id)?;
    let requested: Vec<(u32, f64)> = lines.iter().map(|l| (l.number, l.quantity)).collect();
    let approved = decision.approved(&requested)?;
    let mut warnings = Vec::new();
    if let Some(approved) = &approved {
        check_threshold(ctx, &b, &lines, approved)?;
        let this: Vec<Demand> = lines
            .iter()
            .zip(approved)
            .filter(|(_, (_, q))| *q > 0.0)
            .map(|(l, (_, q))| Demand {
                resource: l.resource.clone(),
                quantity: *q,
                starts_on: l.starts_on,
                ends_on: l.ends_on,
            })
            .collect();
        let over = loads(ctx.tx, Some(b.id), &this)?;
        warnings = over
            .into_iter()
            .filter(|w| w.over && w.this_bid > 0.0)
            .collect();
        for (number, quantity) in approved {
            ctx.tx.exec_cached(
                "UPDATE bid_line SET approved_quantity = ?3 WHERE bid_id = ?1 AND number = ?2",
                params![b.id, number, quantity],
            )?;
        }
    }
    let warnings_json: Vec<Value> = warnings.iter().map(week_load_json).collect();
    let outcome = decision.outcome();
    ctx.tx.exec_cached(
        "INSERT INTO bid_decision (bid_id, outcome, rationale, warnings, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            b.id,
            outcome.code(),
            rationale,
            Value::Array(warnings_json.clone()).to_string(),
            ctx.at,
            ctx.actor.id
        ],
    )?;
    ctx.tx.exec_cached(
        "UPDATE bid SET status = ?2 WHERE id = ?1",
        params![b.id, to.code()],
    )?;
    let approved_json = approved.map(|approved| {
        lines
            .iter()
            .zip(approved)
            .map(|(l, (_, q))| {
                json!({ "line": l.number, "resource": l.resource, "requested": l.quantity, "approved": q })
            })
            .collect::<Vec<_>>()
    });
    Ok(Applied {
        entity_type: "bid",
        entity_ref: urn.to_string(),
        details: json!({
            "operation": b.codename,
            "outcome": outcome.code(),
            "before": { "status": b.status.code() },
            "after": { "status": to.code() },
            "rationale": rationale,
            "approved": approved_json,
            "capacity_warnings": warnings_json,
        }),
    })
}

pub(in crate::store) fn close(
    ctx: &Ctx<'_>,
    urn: &Urn,
    to: BidStatus,
    reason: &Rationale,
) -> Result<Applied, Fail> {
    if !matches!(to, BidStatus::Completed | BidStatus::Withdrawn) {
        return Err(InvalidInput::new(
            "status",
            format!(
                "a bid is closed as completed or withdrawn, not {}; {} is a supervisor's decision",
                to.code(),
                to.code()
            ),
        )
        .into());
    }
    let b = bid(ctx, urn)?;
    b.status.transition(to)?;
    let reason = reason.as_str();
    ctx.tx.exec_cached(
        "UPDATE bid SET status = ?2 WHERE id = ?1",
        params![b.id, to.code()],
    )?;
    Ok(Applied {
        entity_type: "bid",
        entity_ref: urn.to_string(),
        details: json!({
            "operation": b.codename,
            "before": { "status": b.status.code() },
            "after": { "status": to.code() },
            "reason": reason,
        }),
    })
}

pub(in crate::store) fn set_capacity(
    ctx: &Ctx<'_>,
    code: &str,
    weekly: f64,
) -> Result<Applied, Fail> {
    let code = code.trim().to_lowercase();
    let weekly = rules::check_capacity(weekly)?;
    let Some((_, before)) = resource(ctx.tx, &code)? else {
        return Err(unknown_resource(ctx.tx, "resource", "", &code));
    };
    ctx.tx.exec_cached(
        "UPDATE resource_type SET weekly_capacity = ?2 WHERE code = ?1",
        params![code, weekly],
    )?;
    Ok(Applied {
        entity_type: "resource",
        entity_ref: code,
        details: json!({
            "before": { "weekly_capacity": before },
            "after": { "weekly_capacity": weekly },
        }),
    })
}

// ---------------------------------------------------------------------------
// Reading.

/// A kind of resource a bid can ask for.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub code: String,
    pub label: String,
    pub unit: String,
    /// Approving it needs the operation's threshold decision to be "met".
    pub covert: bool,
    pub weekly_capacity: f64,
}

/// A bid in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidRow {
    pub urn: Urn,
    /// The operation's codename.
    pub codename: Codename,
    pub status: BidStatus,
    /// The username of whoever drafted it.
    pub created_by: String,
    pub created_at: String,
    /// When it was last submitted.
    pub submitted_at: Option<String>,
    /// How many lines it has.
    pub lines: u32,
}

/// One line of a bid as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct BidLineRow {
    pub number: u32,
    pub resource: String,
    pub resource_label: String,
    pub unit: String,
    pub covert: bool,
    pub requested: f64,
    /// Set by an approval or partial approval (0 for a line not approved).
    pub approved: Option<f64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub justification: String,
}

/// A decision on a bid, with the capacity warnings shown when it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct BidDecisionRow {
    pub outcome: BidOutcome,
    pub rationale: String,
    pub warnings: Vec<WeekLoad>,
    pub decided_by: String,
    pub decided_at: String,
}

/// A bid opened in full.
#[derive(Debug, Clone, PartialEq)]
pub struct BidRecord {
    pub row: BidRow,
    pub justification: String,
    /// The operation's current threshold status (the outcome of its latest
    /// threshold decision), if it has one.
    pub threshold: Option<ThresholdOutcome>,
    pub lines: Vec<BidLineRow>,
    /// Oldest first.
    pub decisions: Vec<BidDecisionRow>,
    /// Per resource and ISO week the bid's lines touch: what other active
    /// bids have committed, what this bid takes (its approved quantities
    /// once approved, otherwise what it asks for) and the capacity.
    pub capacity: Vec<WeekLoad>,
}

const ROW_COLUMNS: &str = "b.urn, o.codename, b.status,
    (SELECT username FROM user_account WHERE id = b.created_by), b.created_at, b.submitted_at,
    (SELECT count(*) FROM bid_line l WHERE l.bid_id = b.id)";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BidRow> {
    Ok(BidRow {
        urn: stored_urn(r, 0, UrnKind::Bid)?,
        codename: stored_codename(r, 1)?,
        status: stored(2, BidStatus::parse, &r.get::<_, String>(2)?)?,
        created_by: r.get(3)?,
        created_at: r.get(4)?,
        submitted_at: r.get(5)?,
        lines: r.get(6)?,
    })
}

impl CaseFile {
    /// Bids on operations the actor may see, newest first.
    pub fn bids(&mut self, actor: &Actor, page: Page) -> Result<Vec<BidRow>> {
        let viewer = self.reader(actor, "bids")?;
        let (offset, limit) = (page.offset as i64, page.limit.min(i64::MAX as u64) as i64);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM bid b JOIN operation o ON o.id = b.operation_id
             WHERE {} ORDER BY b.created_at DESC, b.id DESC LIMIT :limit OFFSET :offset",
            operation_visible("b.operation_id")
        );
        self.query_rows(
            &sql,
            &with(&viewer, &[(":limit", &limit), (":offset", &offset)]),
            row,
        )
    }

    /// Submitted bids the actor may see and did not make, oldest
    /// submission first: the queue a supervisor decides from.
    pub fn bids_awaiting_decision(&mut self, actor: &Actor) -> Result<Vec<BidRow>> {
        let viewer = self.reader(actor, "bids")?;
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM bid b JOIN operation o ON o.id = b.operation_id
             WHERE b.status = 'submitted' AND b.created_by <> :uid AND {}
             ORDER BY b.submitted_at, b.id",
            operation_visible("b.operation_id")
        );
        self.query_rows(&sql, &viewer.params(), row)
    }

    /// The kinds of resource a bid can ask for, with their capacities.
    pub fn resource_types(&mut self, actor: &Actor) -> Result<Vec<ResourceType>> {
        self.reader(actor, "resources")?;
        self.query_rows(
            "SELECT code, label, unit, covert, weekly_capacity FROM resource_type ORDER BY rowid",
            &[],
            |r| {
                Ok(ResourceType {
                    code: r.get(0)?,
                    label: r.get(1)?,
                    unit: r.get(2)?,
                    covert: r.get(3)?,
                    weekly_capacity: r.get(4)?,
                })
            },
        )
    }

    /// Opens a bid in full: its lines, its decisions and the capacity it
    /// draws on; the consultation is audited (`view`). One on an operation
    /// the actor may not see is reported as if it did not exist, and the
    /// attempt is audited as `denied`.
    pub fn open_bid(&mut self, actor: &Actor, urn: &Urn) -> Result<BidRecord> {
        self.execute(
            actor,
            crate::store::Command::View(crate::store::Viewed::Bid(*urn)),
        )?;
        let viewer = self.reader(actor, "bids")?;
        let urn_text = urn.to_string();
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ROW_COLUMNS}, b.justification, b.id, b.operation_id, {}
                     FROM bid b JOIN operation o ON o.id = b.operation_id WHERE b.urn = :urn",
                    operation_visible("b.operation_id")
                ),
                &with(&viewer, &[(":urn", &urn_text as &dyn ToSql)])[..],
                |r| {
                    Ok((
                        row(r)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, i64>(8)?,
                        r.get::<_, i64>(9)?,
                        r.get::<_, bool>(10)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sqlite_err(e))?;
        let missing = Error::NoSuch {
            what: "bid",
            reference: urn_text.clone(),
        };
        let (row, justification, id, operation_id) = match found {
            None => return Err(missing),
            Some((.., false)) => return Err(self.refuse_hidden_bid(&viewer, &urn_text, missing)),
            Some((row, justification, id, operation_id, true)) => {
                (row, justification, id, operation_id)
            }
        };
        let by_id: [(&str, &dyn ToSql); 1] = [(":id", &id)];
        let lines = self.query_rows(
            "SELECT l.number, l.resource, coalesce(t.label, l.resource), coalesce(t.unit, ''),
                    coalesce(t.covert, 0), l.quantity, l.approved_quantity, l.starts_on, l.ends_on,
                    l.justification
             FROM bid_line l LEFT JOIN resource_type t ON t.code = l.resource
             WHERE l.bid_id = :id ORDER BY l.number",
            &by_id,
            |r| {
                Ok(BidLineRow {
                    number: r.get(0)?,
                    resource: r.get(1)?,
                    resource_label: r.get(2)?,
                    unit: r.get(3)?,
                    covert: r.get(4)?,
                    requested: r.get(5)?,
                    approved: r.get(6)?,
                    starts_on: stored(7, date, &r.get::<_, String>(7)?)?,
                    ends_on: stored(8, date, &r.get::<_, String>(8)?)?,
                    justification: r.get(9)?,
                })
            },
        )?;
        let decisions = self.query_rows(
            "SELECT d.outcome, d.rationale, d.warnings,
                    (SELECT username FROM user_account WHERE id = d.decided_by), d.decided_at
             FROM bid_decision d WHERE d.bid_id = :id ORDER BY d.id",
            &by_id,
            |r| {
                let warnings: String = r.get(2)?;
                let warnings: Value = serde_json::from_str(&warnings).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        2,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?;
                Ok(BidDecisionRow {
                    outcome: stored(0, BidOutcome::parse, &r.get::<_, String>(0)?)?,
                    rationale: r.get(1)?,
                    warnings: warnings
                        .as_array()
                        .map(|a| a.iter().filter_map(week_load_from_json).collect())
                        .unwrap_or_default(),
                    decided_by: r.get(3)?,
                    decided_at: r.get(4)?,
                })
            },
        )?;
        let this: Vec<Demand> = lines
            .iter()
            .map(|l| Demand {
                resource: l.resource.clone(),
                quantity: l.approved.unwrap_or(l.requested),
                starts_on: l.starts_on,
                ends_on: l.ends_on,
            })
            .collect();
        let capacity = loads(&self.conn, Some(id), &this).map_err(|e| self.sqlite_err(e))?;
        let threshold =
            thresholds::current(&self.conn, operation_id).map_err(|e| self.sqlite_err(e))?;
        Ok(BidRecord {
            row,
            justification,
            threshold,
            lines,
            decisions,
            capacity,
        })
    }

    /// Audits an attempt to open a bid on an operation the actor may not
    /// see, and returns `error` (reported as if the bid did not exist).
    fn refuse_hidden_bid(&mut self, viewer: &Viewer, urn: &str, error: Error) -> Error {
        let account = match accounts::find_by_id(&self.conn, viewer.user_id) {
            Ok(Some(account)) => account,
            Ok(None) => return error,
            Err(e) => return self.sqlite_err(e),
        };
        self.refuse(
            &account,
            "view",
            ("bid", urn),
            json!({ "reason": "need to know: not on the operation's team" }),
            error,
        )
    }
}
