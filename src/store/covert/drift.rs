//! The register of CHIS status drift (`domain::drift`): the threshold the
//! unit works to, the warnings it raises from the items a user may see, and
//! the acknowledgements, each the decision log of one source: who
//! considered whether the person is being used as a CHIS, why they
//! concluded as they did, and the items they took into account. A register:
//! it declares its own commands, which the build wires into the one write
//! path (`store::command::RegisterCommand`).
//!
//! The decision log of an operation (`decision_log_entry`) belongs to an
//! operation, and the items that raise a warning are often linked to none
//! (or to several), so an acknowledgement is its own record, naming the
//! person and the items.

use rusqlite::{Connection, ToSql, params};
use serde_json::{Value, json};

use crate::domain::InvalidInput;
use crate::domain::drift::{ACKNOWLEDGE, Drift, DriftThreshold, SET_THRESHOLD, SourcedItem, drift};
use crate::domain::permission::Action;
use crate::domain::text::Rationale;
use crate::domain::time::parse_stored;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::command::RegisterCommand;
use crate::store::plumbing::{stored, stored_urn, with};
use crate::store::visibility::{self, Viewer, intelligence_visible};
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{Cached, CaseFile, Result};

/// What can be done in the register.
#[derive(Debug, Clone)]
pub enum Command {
    /// Sets how many items from one named person within how many days
    /// raise the warning.
    SetThreshold(DriftThreshold),
    /// Acknowledges the warning standing for the person `item` came from,
    /// with the reasons; it takes into account the items the warning names.
    Acknowledge { item: Urn, rationale: Rationale },
}

impl RegisterCommand for Command {
    fn audit_action(&self) -> &'static str {
        match self {
            Command::SetThreshold(_) => "setting.status-drift",
            Command::Acknowledge { .. } => "status-drift.acknowledge",
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self {
            Command::SetThreshold(_) => ("setting", "drift".to_owned()),
            Command::Acknowledge { item, .. } => ("intelligence", item.to_string()),
        }
    }

    fn permission(&self) -> Action {
        match self {
            Command::SetThreshold(_) => Action::Declared(&SET_THRESHOLD),
            Command::Acknowledge { .. } => Action::Declared(&ACKNOWLEDGE),
        }
    }

    fn apply(self, ctx: &Ctx<'_>) -> std::result::Result<(Applied, Done), Fail> {
        let (entity_type, entity_ref) = self.entity();
        let details = match self {
            Command::SetThreshold(t) => set_threshold(ctx, t)?,
            Command::Acknowledge { item, rationale } => acknowledge(ctx, &item, &rationale)?,
        };
        let applied = Applied {
            entity_type,
            entity_ref,
            details,
        };
        Ok((applied, Done::Recorded))
    }
}

/// The threshold the case file holds (the default if a value is unreadable).
fn threshold(conn: &Connection) -> rusqlite::Result<DriftThreshold> {
    let value = |key: &str| -> rusqlite::Result<Option<u32>> {
        let text: String =
            conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })?;
        Ok(text.parse().ok())
    };
    let d = DriftThreshold::DEFAULT;
    Ok(DriftThreshold::new(
        value("drift_count")?.unwrap_or(d.count),
        value("drift_days")?.unwrap_or(d.days),
    )
    .unwrap_or(d))
}

/// Every item with a named source that `viewer` may see (need-to-know: a
/// name on an item they may not see is never read), with whether an
/// acknowledgement took it into account. Only `key`'s, if given.
fn sourced(
    conn: &Connection,
    viewer: &Viewer,
    key: Option<&str>,
) -> rusqlite::Result<Vec<(SourcedItem, String)>> {
    let sql = format!(
        "SELECT i.urn, i.source_person, i.received_at,
                EXISTS (SELECT 1 FROM drift_acknowledged_item a WHERE a.intelligence_id = i.id)
         FROM intelligence i INDEXED BY intelligence_by_source_person
         WHERE i.source_person_key IS NOT NULL
           AND (:key IS NULL OR i.source_person_key = :key) AND {}
         ORDER BY i.source_person_key, i.received_at, i.id",
        intelligence_visible("i")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(&with(viewer, &[(":key", &key as &dyn ToSql)])[..], |r| {
        let received: String = r.get(2)?;
        Ok((
            SourcedItem {
                urn: stored_urn(r, 0, UrnKind::Intelligence)?,
                person: r.get(1)?,
                received_at: stored(2, parse_stored, &received)?,
                acknowledged: r.get(3)?,
            },
            received,
        ))
    })?;
    rows.collect()
}

fn set_threshold(ctx: &Ctx<'_>, to: DriftThreshold) -> std::result::Result<Value, Fail> {
    let before = threshold(ctx.tx)?;
    if before == to {
        return Err(InvalidInput::new(
            "count",
            format!(
                "the warning is already raised at {} items within {} days",
                to.count, to.days
            ),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "UPDATE setting SET value = ?1 WHERE key = 'drift_count'",
        [to.count.to_string()],
    )?;
    ctx.tx.exec_cached(
        "UPDATE setting SET value = ?1 WHERE key = 'drift_days'",
        [to.days.to_string()],
    )?;
    Ok(json!({
        "before": { "count": before.count, "days": before.days },
        "after": { "count": to.count, "days": to.days },
    }))
}

fn acknowledge(
    ctx: &Ctx<'_>,
    item: &Urn,
    rationale: &Rationale,
) -> std::result::Result<Value, Fail> {
    visibility::intelligence(ctx, item)?;
    let key: Option<String> = ctx.tx.row_cached(
        "SELECT source_person_key FROM intelligence WHERE urn = ?1",
        [item.to_string()],
        |r| r.get(0),
    )?;
    let Some(key) = key else {
        return Err(InvalidInput::new(
            "item",
            format!("{item} names no source person, so no status drift warning is about it"),
        )
        .into());
    };
    let viewer = Viewer::of(ctx);
    let items: Vec<SourcedItem> = sourced(ctx.tx, &viewer, Some(&key))?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let Some(warning) = drift(&items, threshold(ctx.tx)?).pop() else {
        return Err(InvalidInput::new(
            "item",
            format!(
                "no status drift warning stands for the source of {item}: it is below the threshold, or already acknowledged"
            ),
        )
        .into());
    };
    ctx.tx.exec_cached(
        "INSERT INTO drift_acknowledgement
             (person_key, person, rationale, acknowledged_by, acknowledged_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            warning.key,
            warning.person,
            rationale.as_str(),
            ctx.actor.id,
            ctx.at
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    for urn in &warning.items {
        ctx.tx.exec_cached(
            "INSERT INTO drift_acknowledged_item (acknowledgement_id, intelligence_id)
             SELECT ?1, id FROM intelligence WHERE urn = ?2",
            params![id, urn.to_string()],
        )?;
    }
    let urns: Vec<String> = warning.items.iter().map(ToString::to_string).collect();
    Ok(json!({
        "person": warning.person,
        "items": urns,
        "rationale": rationale.as_str(),
    }))
}

/// A status drift warning as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftWarning {
    /// The name as recorded on the earliest of the items.
    pub person: String,
    /// The items that reach the threshold, oldest first.
    pub items: Vec<Urn>,
    /// When the latest of them was received (RFC 3339, UTC).
    pub latest_received_at: String,
}

/// One acknowledgement in a source's decision log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftAcknowledgement {
    pub person: String,
    pub rationale: String,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    /// The items it took into account that the reader may see.
    pub items: Vec<Urn>,
}

impl CaseFile {
    /// The status drift threshold the unit works to.
    pub fn drift_threshold(&mut self, actor: &Actor) -> Result<DriftThreshold> {
        self.reader(actor, "status drift")?;
        threshold(&self.conn).map_err(|e| self.sqlite_err(e))
    }

    /// The status drift warnings standing, from the items the actor may see
    /// only, in order of the people's names.
    pub fn status_drift(&mut self, actor: &Actor) -> Result<Vec<DriftWarning>> {
        let viewer = self.reader(actor, "status drift")?;
        let (rows, t) = sourced(&self.conn, &viewer, None)
            .and_then(|rows| Ok((rows, threshold(&self.conn)?)))
            .map_err(|e| self.sqlite_err(e))?;
        let received: std::collections::HashMap<Urn, String> =
            rows.iter().map(|(i, at)| (i.urn, at.clone())).collect();
        let items: Vec<SourcedItem> = rows.into_iter().map(|(i, _)| i).collect();
        Ok(drift(&items, t)
            .into_iter()
            .map(|Drift { person, items, .. }| DriftWarning {
                latest_received_at: items
                    .iter()
                    .filter_map(|u| received.get(u))
                    .max()
                    .cloned()
                    .unwrap_or_default(),
                person,
                items,
            })
            .collect())
    }

    /// The acknowledgements that took `item` into account, oldest first;
    /// none for an item the actor may not see.
    pub fn drift_acknowledgements(
        &mut self,
        actor: &Actor,
        item: &Urn,
    ) -> Result<Vec<DriftAcknowledgement>> {
        let viewer = self.reader(actor, "status drift")?;
        let acks: Vec<(i64, DriftAcknowledgement)> = self.query_rows(
            &format!(
                "SELECT k.id, k.person, k.rationale, u.username, k.acknowledged_at
             FROM drift_acknowledgement k
             JOIN drift_acknowledged_item a ON a.acknowledgement_id = k.id
             JOIN intelligence i ON i.id = a.intelligence_id
             JOIN user_account u ON u.id = k.acknowledged_by
             WHERE i.urn = :urn AND {} ORDER BY k.id",
                intelligence_visible("i")
            ),
            &with(&viewer, &[(":urn", &item.to_string() as &dyn ToSql)]),
            |r| {
                Ok((
                    r.get(0)?,
                    DriftAcknowledgement {
                        person: r.get(1)?,
                        rationale: r.get(2)?,
                        acknowledged_by: r.get(3)?,
                        acknowledged_at: r.get(4)?,
                        items: Vec::new(),
                    },
                ))
            },
        )?;
        let items_sql = format!(
            "SELECT i.urn FROM drift_acknowledged_item a JOIN intelligence i ON i.id = a.intelligence_id
             WHERE a.acknowledgement_id = :id AND {} ORDER BY i.received_at, i.id",
            intelligence_visible("i")
        );
        let mut out = Vec::with_capacity(acks.len());
        for (id, mut ack) in acks {
            ack.items = self.query_rows(&items_sql, &with(&viewer, &[(":id", &id)]), |r| {
                stored_urn(r, 0, UrnKind::Intelligence)
            })?;
            out.push(ack);
        }
        Ok(out)
    }
}
