//! The register of partner agencies (`domain::partner`): each
//! organisation, its SPOC and the unit's SPOC for it (each replaced by a
//! new row, never overwritten), its engagements, the next contact due,
//! and the intelligence it produced. A register: it declares its own
//! commands, which the build wires into the one write path
//! (`store::command::RegisterCommand`). Contact details are case content:
//! only those who read case content see them, and of the intelligence a
//! partner produced each reader sees only the items they may open.

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::intelligence::SourceType;
use crate::domain::partner::{
    Engagement, EngagementKind, FIRST_CONTACT_DAYS, MANAGE, NAME_CHARS, NewPartner, PartnerType,
    Spoc,
};
use crate::domain::permission::Action;
use crate::domain::role::Role;
use crate::domain::text;
use crate::domain::time::{parse_stored, uk_date};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::command::RegisterCommand;
use crate::store::plumbing::{next_urn, stored, stored_urn};
use crate::store::visibility::{self, Viewer, intelligence_visible};
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{Cached, CaseFile, DueItem, DueKind, Error, Result, accounts, format_timestamp};

/// A partner named by its reference (`ORG-2026-0001`) or by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerRef {
    Urn(Urn),
    Name(String),
}

impl PartnerRef {
    pub fn parse(text: &str) -> std::result::Result<PartnerRef, InvalidInput> {
        match Urn::parse(UrnKind::Partner, text) {
            Ok(urn) => Ok(PartnerRef::Urn(urn)),
            Err(_) => Ok(PartnerRef::Name(text::line("partner", text, NAME_CHARS)?)),
        }
    }
}

impl std::fmt::Display for PartnerRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartnerRef::Urn(urn) => write!(f, "{urn}"),
            PartnerRef::Name(name) => f.write_str(name),
        }
    }
}

/// What can be done in the register.
#[derive(Debug, Clone)]
pub enum Command {
    /// A partner added, with its SPOC and the unit's SPOC where known.
    Add {
        partner: NewPartner,
        spoc: Option<Spoc>,
        unit_spoc: Option<Username>,
    },
    /// The partner names a new SPOC: the earlier one is kept as history.
    ReplaceSpoc { partner: Urn, spoc: Spoc },
    /// A member of the unit becomes its SPOC for the partner.
    SetUnitSpoc { partner: Urn, username: Username },
    /// A meeting, briefing, referral received...: with the next contact due.
    RecordEngagement {
        partner: Urn,
        engagement: Engagement,
    },
    /// An intelligence item whose source is a partner agency, linked to
    /// the partner it came from.
    LinkIntelligence {
        partner: PartnerRef,
        intelligence: Urn,
    },
    /// Opening a partner's record: a consultation, logged as a `view`.
    View(Urn),
    /// Reading the partners report (`ccu report partners`): logged as a
    /// `view` of the report.
    ReadReport,
}

impl RegisterCommand for Command {
    fn audit_action(&self) -> &'static str {
        match self {
            Command::Add { .. } => "partner.add",
            Command::ReplaceSpoc { .. } => "partner.spoc",
            Command::SetUnitSpoc { .. } => "partner.unit-spoc",
            Command::RecordEngagement { .. } => "partner.engagement",
            Command::LinkIntelligence { .. } => "partner.intelligence.link",
            Command::View(_) | Command::ReadReport => "view",
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self {
            Command::Add { .. } => ("partner", "new".to_owned()),
            Command::ReplaceSpoc { partner, .. }
            | Command::SetUnitSpoc { partner, .. }
            | Command::RecordEngagement { partner, .. }
            | Command::View(partner) => ("partner", partner.to_string()),
            Command::LinkIntelligence { partner, .. } => ("partner", partner.to_string()),
            Command::ReadReport => ("report", "partners".to_owned()),
        }
    }

    fn permission(&self) -> Action {
        match self {
            Command::View(_) | Command::ReadReport => Action::ReadCaseContent,
            _ => Action::Declared(&MANAGE),
        }
    }

    fn apply(self, ctx: &Ctx<'_>) -> std::result::Result<(Applied, Done), Fail> {
        let (entity_type, mut entity_ref) = self.entity();
        let details = match self {
            Command::Add {
                partner,
                spoc,
                unit_spoc,
            } => {
                let (urn, details) = add(ctx, partner, spoc, unit_spoc)?;
                entity_ref = urn.to_string();
                details
            }
            Command::ReplaceSpoc { partner, spoc } => {
                let (id, _) = find(ctx, &PartnerRef::Urn(partner))?;
                insert_spoc(ctx, id, &spoc)?;
                spoc_details(&spoc)
            }
            Command::SetUnitSpoc { partner, username } => {
                let (id, _) = find(ctx, &PartnerRef::Urn(partner))?;
                set_unit_spoc(ctx, id, &username)?;
                json!({ "unit_spoc": username.as_str() })
            }
            Command::RecordEngagement {
                partner,
                engagement,
            } => {
                let (id, _) = find(ctx, &PartnerRef::Urn(partner))?;
                engage(ctx, id, &engagement)?
            }
            Command::LinkIntelligence {
                partner,
                intelligence,
            } => {
                let (urn, details) = link(ctx, &partner, &intelligence)?;
                entity_ref = urn.to_string();
                details
            }
            Command::View(partner) => {
                find(ctx, &PartnerRef::Urn(partner))?;
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

/// A partner's id and URN.
fn find(ctx: &Ctx<'_>, partner: &PartnerRef) -> std::result::Result<(i64, Urn), Fail> {
    let found: Option<(i64, Urn)> = match partner {
        PartnerRef::Urn(urn) => ctx.tx.row_cached(
            "SELECT id, urn FROM partner WHERE urn = ?1",
            [urn.to_string()],
            |r| Ok((r.get(0)?, stored_urn(r, 1, UrnKind::Partner)?)),
        ),
        PartnerRef::Name(name) => {
            ctx.tx
                .row_cached("SELECT id, urn FROM partner WHERE name = ?1", [name], |r| {
                    Ok((r.get(0)?, stored_urn(r, 1, UrnKind::Partner)?))
                })
        }
    }
    .optional()?;
    found.ok_or_else(|| {
        InvalidInput::new(
            "partner",
            format!("there is no partner agency '{partner}' in the register"),
        )
        .into()
    })
}

fn add(
    ctx: &Ctx<'_>,
    p: NewPartner,
    spoc: Option<Spoc>,
    unit_spoc: Option<Username>,
) -> std::result::Result<(Urn, serde_json::Value), Fail> {
    let earlier: Option<String> = ctx
        .tx
        .row_cached("SELECT urn FROM partner WHERE name = ?1", [&p.name], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(urn) = earlier {
        return Err(InvalidInput::new(
            "name",
            format!("{} is already in the register as {urn}", p.name),
        )
        .into());
    }
    let unit_user = unit_spoc.as_ref().map(|u| member(ctx, u)).transpose()?;
    let urn = next_urn(ctx, UrnKind::Partner)?;
    ctx.tx.exec_cached(
        "INSERT INTO partner (urn, name, kind, district, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            urn.to_string(),
            p.name,
            p.kind.code(),
            p.district,
            ctx.actor.id,
            ctx.at
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    if let Some(spoc) = &spoc {
        insert_spoc(ctx, id, spoc)?;
    }
    if let Some(user) = unit_user {
        insert_unit_spoc(ctx, id, user)?;
    }
    Ok((
        urn,
        json!({
            "name": p.name,
            "type": p.kind.code(),
            "district": p.district,
            "spoc": spoc.as_ref().map(spoc_details),
            "unit_spoc": unit_spoc.as_ref().map(Username::as_str),
        }),
    ))
}

fn spoc_details(s: &Spoc) -> serde_json::Value {
    json!({ "name": s.name, "role": s.role, "email": s.email, "phone": s.phone })
}

fn insert_spoc(ctx: &Ctx<'_>, partner: i64, s: &Spoc) -> rusqlite::Result<()> {
    ctx.tx.exec_cached(
        "INSERT INTO partner_spoc (partner_id, name, role, email, phone, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            partner,
            s.name,
            s.role,
            s.email,
            s.phone,
            ctx.actor.id,
            ctx.at
        ],
    )?;
    Ok(())
}

/// The id of an active account that works cases (an investigator or a
/// supervisor): the unit's SPOC for a partner is one of its case workers.
fn member(ctx: &Ctx<'_>, username: &Username) -> std::result::Result<i64, Fail> {
    let account = accounts::find(ctx.tx, username)?.ok_or_else(|| {
        InvalidInput::new(
            "username",
            format!("there is no account named '{username}'"),
        )
    })?;
    if account.status != accounts::AccountStatus::Active {
        return Err(
            InvalidInput::new("username", format!("{username}'s account is disabled")).into(),
        );
    }
    if !account
        .roles
        .iter()
        .any(|r| matches!(r, Role::Investigator | Role::Supervisor))
    {
        return Err(InvalidInput::new(
            "username",
            format!(
                "{username} cannot be the unit's SPOC: that needs the investigator or supervisor role"
            ),
        )
        .into());
    }
    Ok(account.id)
}

fn insert_unit_spoc(ctx: &Ctx<'_>, partner: i64, user: i64) -> rusqlite::Result<()> {
    ctx.tx.exec_cached(
        "INSERT INTO partner_unit_spoc (partner_id, user_id, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![partner, user, ctx.actor.id, ctx.at],
    )?;
    Ok(())
}

fn set_unit_spoc(
    ctx: &Ctx<'_>,
    partner: i64,
    username: &Username,
) -> std::result::Result<(), Fail> {
    let user = member(ctx, username)?;
    let current: Option<i64> = ctx
        .tx
        .row_cached(
            "SELECT user_id FROM partner_unit_spoc WHERE partner_id = ?1 ORDER BY id DESC LIMIT 1",
            [partner],
            |r| r.get(0),
        )
        .optional()?;
    if current == Some(user) {
        return Err(InvalidInput::new(
            "username",
            format!("{username} is already the unit's SPOC for this partner"),
        )
        .into());
    }
    insert_unit_spoc(ctx, partner, user)?;
    Ok(())
}

fn engage(
    ctx: &Ctx<'_>,
    partner: i64,
    e: &Engagement,
) -> std::result::Result<serde_json::Value, Fail> {
    e.check_date(uk_date(ctx.now))?;
    let on = e.on.format("%Y-%m-%d").to_string();
    let next = e.next_due.format("%Y-%m-%d").to_string();
    ctx.tx.exec_cached(
        "INSERT INTO partner_engagement
             (partner_id, engaged_on, kind, summary, next_due, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            partner,
            on,
            e.kind.code(),
            e.summary,
            next,
            ctx.actor.id,
            ctx.at
        ],
    )?;
    Ok(json!({ "on": on, "kind": e.kind.code(), "summary": e.summary, "next_due": next }))
}

fn link(
    ctx: &Ctx<'_>,
    partner: &PartnerRef,
    item: &Urn,
) -> std::result::Result<(Urn, serde_json::Value), Fail> {
    let (intelligence_id, _) = visibility::intelligence(ctx, item)?;
    let (id, urn) = find(ctx, partner)?;
    let source: String = ctx.tx.row_cached(
        "SELECT source_type FROM intelligence WHERE id = ?1",
        [intelligence_id],
        |r| r.get(0),
    )?;
    if source != SourceType::PartnerAgency.code() {
        let label = SourceType::parse(&source).map_or(source.clone(), |s| s.label().to_owned());
        return Err(InvalidInput::new(
            "intelligence",
            format!(
                "{item}'s source is {label}, not a partner agency: only intelligence from a partner agency is linked to one"
            ),
        )
        .into());
    }
    let linked: Option<(String, String)> = ctx
        .tx
        .row_cached(
            "SELECT p.urn, p.name FROM partner_intelligence l JOIN partner p ON p.id = l.partner_id
             WHERE l.intelligence_id = ?1",
            [intelligence_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((urn, name)) = linked {
        return Err(InvalidInput::new(
            "intelligence",
            format!("{item} is already linked to {name} ({urn})"),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO partner_intelligence (intelligence_id, partner_id, linked_by, linked_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![intelligence_id, id, ctx.actor.id, ctx.at],
    )?;
    Ok((urn, json!({ "intelligence": item.to_string() })))
}

/// A partner in the register's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub urn: Urn,
    pub name: String,
    pub kind: PartnerType,
    pub district: String,
    /// The current SPOC's name, if one has been named.
    pub spoc: Option<String>,
    /// The unit's current SPOC for it: a username.
    pub unit_spoc: Option<String>,
    /// The day of the latest engagement, `yyyy-mm-dd`.
    pub last_contact: Option<String>,
    /// When the next contact is due, `yyyy-mm-dd`: as the latest
    /// engagement set it, or [`FIRST_CONTACT_DAYS`] after it was added.
    pub next_due: String,
    /// How many intelligence items it produced that the reader may see.
    pub intelligence: u32,
}

/// One of a partner's SPOCs, as named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpocRow {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub recorded_by: String,
    /// UTC, RFC 3339.
    pub recorded_at: String,
}

/// One of the unit's SPOCs for a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSpocRow {
    pub username: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// One engagement with a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementRow {
    /// `yyyy-mm-dd`.
    pub on: String,
    pub kind: EngagementKind,
    pub summary: String,
    /// `yyyy-mm-dd`.
    pub next_due: String,
    pub recorded_by: String,
}

/// An intelligence item a partner produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducedRow {
    pub urn: Urn,
    /// UTC, RFC 3339.
    pub received_at: String,
    pub summary: String,
}

/// A partner opened in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub row: PartnerRow,
    /// Every SPOC it has named, the current one first.
    pub spocs: Vec<SpocRow>,
    /// Every SPOC the unit has had for it, the current one first.
    pub unit_spocs: Vec<UnitSpocRow>,
    /// Newest first.
    pub engagements: Vec<EngagementRow>,
    /// The items it produced that the reader may see, newest first.
    pub produced: Vec<ProducedRow>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const LATEST: &str = "FROM partner_engagement e WHERE e.partner_id = p.id
                      ORDER BY e.engaged_on DESC, e.id DESC LIMIT 1";

fn row_sql(filter: &str) -> String {
    format!(
        "SELECT p.urn, p.name, p.kind, p.district, p.recorded_at,
            (SELECT s.name FROM partner_spoc s WHERE s.partner_id = p.id ORDER BY s.id DESC LIMIT 1),
            (SELECT u.username FROM partner_unit_spoc c JOIN user_account u ON u.id = c.user_id
              WHERE c.partner_id = p.id ORDER BY c.id DESC LIMIT 1),
            (SELECT e.engaged_on {LATEST}),
            (SELECT e.next_due {LATEST}),
            (SELECT count(*) FROM partner_intelligence l JOIN intelligence i ON i.id = l.intelligence_id
              WHERE l.partner_id = p.id AND {}),
            p.id, (SELECT username FROM user_account WHERE id = p.recorded_by)
         FROM partner p {filter} ORDER BY p.name",
        intelligence_visible("i")
    )
}

/// When a partner first added on `recorded_at` (as stored) is due its
/// first contact, `yyyy-mm-dd`.
fn first_contact(recorded_at: DateTime<Utc>) -> String {
    (uk_date(recorded_at) + Days::new(FIRST_CONTACT_DAYS))
        .format("%Y-%m-%d")
        .to_string()
}

type Read = (PartnerRow, i64, String, String);

fn partner_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Read> {
    let recorded_at: String = r.get(4)?;
    let added = stored(4, parse_stored, &recorded_at)?;
    let next: Option<String> = r.get(8)?;
    Ok((
        PartnerRow {
            urn: stored_urn(r, 0, UrnKind::Partner)?,
            name: r.get(1)?,
            kind: stored(2, PartnerType::parse, &r.get::<_, String>(2)?)?,
            district: r.get(3)?,
            spoc: r.get(5)?,
            unit_spoc: r.get(6)?,
            last_contact: r.get(7)?,
            next_due: next.unwrap_or_else(|| first_contact(added)),
            intelligence: r.get(9)?,
        },
        r.get(10)?,
        r.get::<_, Option<String>>(11)?.unwrap_or_default(),
        recorded_at,
    ))
}

impl CaseFile {
    /// Every partner in the register, by name; what each produced counts
    /// only the items the actor may see.
    pub fn partners(&mut self, actor: &Actor) -> Result<Vec<PartnerRow>> {
        let viewer = self.reader(actor, "partners")?;
        let rows = self.query_rows(&row_sql(""), &viewer.params(), partner_row)?;
        Ok(rows.into_iter().map(|(row, ..)| row).collect())
    }

    /// Opens one partner with its SPOCs, engagements and the intelligence
    /// it produced that the actor may see; the consultation is audited.
    pub fn open_partner(&mut self, actor: &Actor, urn: &Urn) -> Result<PartnerRecord> {
        self.execute(actor, Command::View(*urn).into())?;
        let viewer = self.reader(actor, "partners")?;
        self.partner_records(viewer, Some(urn))?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "partner",
                reference: urn.to_string(),
            })
    }

    fn partner_records(&self, viewer: Viewer, urn: Option<&Urn>) -> Result<Vec<PartnerRecord>> {
        let text = urn.map(Urn::to_string);
        let mut params: Vec<(&str, &dyn ToSql)> = viewer.params().to_vec();
        if let Some(text) = &text {
            params.push((":urn", text as &dyn ToSql));
        }
        let filter = if urn.is_some() {
            "WHERE p.urn = :urn"
        } else {
            ""
        };
        let rows = self.query_rows(&row_sql(filter), &params, partner_row)?;
        rows.into_iter()
            .map(|(row, id, recorded_by, recorded_at)| {
                Ok(PartnerRecord {
                    spocs: self.spocs(id)?,
                    unit_spocs: self.unit_spocs(id)?,
                    engagements: self.engagements(id)?,
                    produced: self.produced(viewer, id)?,
                    row,
                    recorded_by,
                    recorded_at,
                })
            })
            .collect()
    }

    fn spocs(&self, id: i64) -> Result<Vec<SpocRow>> {
        self.query_rows(
            "SELECT s.name, s.role, s.email, s.phone, u.username, s.recorded_at
             FROM partner_spoc s JOIN user_account u ON u.id = s.recorded_by
             WHERE s.partner_id = :id ORDER BY s.id DESC",
            &[(":id", &id as &dyn ToSql)],
            |r| {
                Ok(SpocRow {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    email: r.get(2)?,
                    phone: r.get(3)?,
                    recorded_by: r.get(4)?,
                    recorded_at: r.get(5)?,
                })
            },
        )
    }

    fn unit_spocs(&self, id: i64) -> Result<Vec<UnitSpocRow>> {
        self.query_rows(
            "SELECT u.username, b.username, c.recorded_at
             FROM partner_unit_spoc c JOIN user_account u ON u.id = c.user_id
             JOIN user_account b ON b.id = c.recorded_by
             WHERE c.partner_id = :id ORDER BY c.id DESC",
            &[(":id", &id as &dyn ToSql)],
            |r| {
                Ok(UnitSpocRow {
                    username: r.get(0)?,
                    recorded_by: r.get(1)?,
                    recorded_at: r.get(2)?,
                })
            },
        )
    }

    fn engagements(&self, id: i64) -> Result<Vec<EngagementRow>> {
        self.query_rows(
            "SELECT e.engaged_on, e.kind, e.summary, e.next_due, u.username
             FROM partner_engagement e JOIN user_account u ON u.id = e.recorded_by
             WHERE e.partner_id = :id ORDER BY e.engaged_on DESC, e.id DESC",
            &[(":id", &id as &dyn ToSql)],
            |r| {
                Ok(EngagementRow {
                    on: r.get(0)?,
                    kind: stored(1, EngagementKind::parse, &r.get::<_, String>(1)?)?,
                    summary: r.get(2)?,
                    next_due: r.get(3)?,
                    recorded_by: r.get(4)?,
                })
            },
        )
    }

    fn produced(&self, viewer: Viewer, id: i64) -> Result<Vec<ProducedRow>> {
        let params: Vec<(&str, &dyn ToSql)> =
            [viewer.params().as_slice(), &[(":id", &id as &dyn ToSql)]].concat();
        self.query_rows(
            &format!(
                "SELECT i.urn, i.received_at, i.summary
                 FROM partner_intelligence l JOIN intelligence i ON i.id = l.intelligence_id
                 WHERE l.partner_id = :id AND {} ORDER BY i.received_at DESC, i.id DESC",
                intelligence_visible("i")
            ),
            &params,
            |r| {
                Ok(ProducedRow {
                    urn: stored_urn(r, 0, UrnKind::Intelligence)?,
                    received_at: r.get(1)?,
                    summary: r.get(2)?,
                })
            },
        )
    }

    /// The partners report (`ccu report partners`): every partner with its
    /// SPOCs, engagements and the intelligence it produced that the actor
    /// may see. Reading it is a consultation, logged before anything is
    /// read.
    pub fn partners_report(&mut self, actor: &Actor) -> Result<Vec<PartnerReportRow>> {
        self.execute(actor, Command::ReadReport.into())?;
        let viewer = self.reader(actor, "partners")?;
        Ok(self
            .partner_records(viewer, None)?
            .into_iter()
            .map(PartnerReportRow::from)
            .collect())
    }

    /// The partner contacts due, for the diary: each partner's next
    /// contact, to the unit's SPOC for it and to those who see every
    /// operation (who oversee the unit's work).
    pub(in crate::store) fn partner_contacts_due(
        &self,
        viewer: Viewer,
        now: DateTime<Utc>,
    ) -> Result<Vec<DueItem>> {
        let rows = self.query_rows(
            &row_sql(
                "WHERE :all = 1
                    OR (SELECT c.user_id FROM partner_unit_spoc c WHERE c.partner_id = p.id
                        ORDER BY c.id DESC LIMIT 1) = :uid",
            ),
            &viewer.params(),
            partner_row,
        )?;
        let mut items = Vec::new();
        for (row, ..) in rows {
            let day = NaiveDate::parse_from_str(&row.next_due, "%Y-%m-%d").map_err(|_| {
                InvalidInput::new(
                    "next contact due",
                    format!("'{}' is not a date", row.next_due),
                )
            })?;
            let due = crate::domain::time::end_of_uk_day(day);
            let shown = |d: &str| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_else(|_| d.to_owned())
            };
            items.push(DueItem {
                due_at: format_timestamp(due),
                overdue: now >= due,
                what: DueKind::PartnerContact,
                reference: row.urn.to_string(),
                operation: None,
                why: match &row.last_contact {
                    Some(last) => format!(
                        "next contact with {} due by {}; last contact on {}",
                        row.name,
                        shown(&row.next_due),
                        shown(last)
                    ),
                    None => format!(
                        "first contact with {} due by {}; none recorded since it was added",
                        row.name,
                        shown(&row.next_due)
                    ),
                },
            });
        }
        Ok(items)
    }
}

/// One partner in the partners report; the JSON field names are
/// documented in docs/reports.md and never renamed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartnerReportRow {
    pub urn: String,
    pub name: String,
    /// The partner type's code.
    #[serde(rename = "type")]
    pub kind: String,
    pub district: String,
    /// Every SPOC it has named, the current one first.
    pub spocs: Vec<PartnerReportSpoc>,
    /// The unit's current SPOC for it: a username.
    pub unit_spoc: Option<String>,
    /// `yyyy-mm-dd`.
    pub last_contact_on: Option<String>,
    /// `yyyy-mm-dd`.
    pub next_contact_due: String,
    pub engagements: Vec<PartnerReportEngagement>,
    /// The URNs of the intelligence it produced that the reader may see,
    /// newest first.
    pub intelligence: Vec<String>,
    /// When it was added: UTC, RFC 3339.
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartnerReportSpoc {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When named: UTC, RFC 3339.
    pub named_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartnerReportEngagement {
    /// `yyyy-mm-dd`.
    pub on: String,
    pub kind: String,
    pub summary: String,
    pub next_due: String,
    pub recorded_by: String,
}

impl From<PartnerRecord> for PartnerReportRow {
    fn from(r: PartnerRecord) -> Self {
        PartnerReportRow {
            urn: r.row.urn.to_string(),
            name: r.row.name,
            kind: r.row.kind.code().to_owned(),
            district: r.row.district,
            spocs: r
                .spocs
                .into_iter()
                .map(|s| PartnerReportSpoc {
                    name: s.name,
                    role: s.role,
                    email: s.email,
                    phone: s.phone,
                    named_at: s.recorded_at,
                })
                .collect(),
            unit_spoc: r.row.unit_spoc,
            last_contact_on: r.row.last_contact,
            next_contact_due: r.row.next_due,
            engagements: r
                .engagements
                .into_iter()
                .map(|e| PartnerReportEngagement {
                    on: e.on,
                    kind: e.kind.code().to_owned(),
                    summary: e.summary,
                    next_due: e.next_due,
                    recorded_by: e.recorded_by,
                })
                .collect(),
            intelligence: r.produced.iter().map(|p| p.urn.to_string()).collect(),
            added_at: r.recorded_at,
        }
    }
}
