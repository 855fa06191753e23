//! Need-to-know. An operation is restricted: only its current team
//! (including the authorising officers asked to act on it), and those whose
//! roles see every operation (supervisors, auditors), may list or open it,
//! its decision log, and what is linked only through it. These rules are
//! SQL predicates used by every query, not a filter applied on screen.

use super::Cached;
use rusqlite::{OptionalExtension, ToSql};
use serde_json::json;

use super::Error;
use super::command::Viewed;
use super::write::{Applied, Ctx, Fail};
use crate::domain::operation::{Codename, OperationStatus};
use crate::domain::permission::Action;
use crate::domain::subject::StaffNumber;
use crate::domain::urn::Urn;

/// Who is looking, as the queries need it.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub(super) user_id: i64,
    pub(super) sees_all: bool,
}

impl Viewer {
    pub(super) fn of(ctx: &Ctx<'_>) -> Viewer {
        Viewer {
            user_id: ctx.actor.id,
            sees_all: ctx.may(Action::SeeAllOperations),
        }
    }

    /// The `:uid` and `:all` parameters the predicates below use.
    pub(super) fn params(&self) -> [(&'static str, &dyn ToSql); 2] {
        [(":uid", &self.user_id), (":all", &self.sees_all)]
    }
}

/// True when the operation whose id is `col` may be seen.
pub(super) fn operation_visible(col: &str) -> String {
    format!(
        "(:all = 1 OR EXISTS (SELECT 1 FROM operation_member vm
            WHERE vm.operation_id = {col} AND vm.user_id = :uid AND vm.removed_at IS NULL))"
    )
}

/// True when intelligence row `i` may be seen: it is linked to no operation,
/// or to one that may be seen. `:all` is tested first, so for those who see
/// everything the row itself need not be read: a list walking an index
/// stays in the index.
pub(super) fn intelligence_visible(i: &str) -> String {
    format!(
        "(:all = 1 OR {i}.operation_id IS NULL OR {})",
        operation_visible(&format!("{i}.operation_id"))
    )
}

/// A referral is visible when it is linked to no operation, or to one the
/// actor may see.
pub(super) fn referral_visible(r: &str) -> String {
    format!(
        "({r}.operation_id IS NULL OR {})",
        operation_visible(&format!("{r}.operation_id"))
    )
}

/// True when subject row `s` may be seen: it is linked to something that
/// may be seen, or to no operation at all (directly or through intelligence).
pub(super) fn subject_visible(s: &str) -> String {
    format!(
        "(:all = 1
          OR EXISTS (SELECT 1 FROM intelligence_subject vx JOIN intelligence vi ON vi.id = vx.intelligence_id
                     WHERE vx.subject_id = {s}.id AND {vi})
          OR EXISTS (SELECT 1 FROM operation_subject vo WHERE vo.subject_id = {s}.id AND {vo})
          OR (NOT EXISTS (SELECT 1 FROM operation_subject vo2 WHERE vo2.subject_id = {s}.id)
              AND NOT EXISTS (SELECT 1 FROM intelligence_subject vx2 JOIN intelligence vi2 ON vi2.id = vx2.intelligence_id
                              WHERE vx2.subject_id = {s}.id AND vi2.operation_id IS NOT NULL)))",
        vi = intelligence_visible("vi"),
        vo = operation_visible("vo.operation_id"),
    )
}

/// An operation as a command needs it.
pub(super) struct OperationRef {
    pub id: i64,
    pub status: OperationStatus,
}

fn no_such(what: &'static str, reference: String) -> Fail {
    Fail::Store(Error::NoSuch { what, reference })
}

/// Finds an operation the actor may see. One that exists but is hidden is
/// `Fail::Hidden` (audited, and reported as if it did not exist).
pub(super) fn operation(ctx: &Ctx<'_>, codename: &Codename) -> Result<OperationRef, Fail> {
    let viewer = Viewer::of(ctx);
    let found: Option<(i64, String, bool)> = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT o.id, o.status, {} FROM operation o WHERE o.codename = :codename",
                operation_visible("o.id")
            ),
            &[
                viewer.params().as_slice(),
                &[(":codename", &codename.as_str() as &dyn ToSql)],
            ]
            .concat()[..],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match found {
        None => Err(no_such("operation", codename.to_string())),
        Some((_, _, false)) => Err(Fail::Hidden {
            what: "operation",
            reference: codename.to_string(),
            shown_as: None,
        }),
        Some((id, status, true)) => Ok(OperationRef {
            id,
            status: OperationStatus::parse(&status)?,
        }),
    }
}

/// Finds a subject's id if the actor may see it.
pub(super) fn subject(ctx: &Ctx<'_>, staff_number: &StaffNumber) -> Result<i64, Fail> {
    let viewer = Viewer::of(ctx);
    let found: Option<(i64, bool)> = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT s.id, {} FROM subject s WHERE s.staff_number = :staff",
                subject_visible("s")
            ),
            &[
                viewer.params().as_slice(),
                &[(":staff", &staff_number.as_str() as &dyn ToSql)],
            ]
            .concat()[..],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        None => Err(no_such("subject", staff_number.to_string())),
        Some((_, false)) => Err(Fail::Hidden {
            what: "subject",
            reference: staff_number.to_string(),
            shown_as: None,
        }),
        Some((id, true)) => Ok(id),
    }
}

/// A subject named by staff number in a new record (intelligence, an
/// operation): `Ok(None)` if there is none, and a hidden one is refused
/// with the very message a missing one gets, so naming a staff number
/// never reveals a subject the user may not see.
pub(super) fn subject_to_link(
    ctx: &Ctx<'_>,
    staff_number: &StaffNumber,
) -> Result<Option<i64>, Fail> {
    match subject(ctx, staff_number) {
        Ok(id) => Ok(Some(id)),
        Err(Fail::Store(Error::NoSuch { .. })) => Ok(None),
        Err(Fail::Hidden {
            what, reference, ..
        }) => Err(Fail::Hidden {
            what,
            reference,
            shown_as: Some(missing_subject(staff_number)),
        }),
        Err(e) => Err(e),
    }
}

/// How a record that names an unknown staff number is refused.
pub(super) fn missing_subject(staff_number: &StaffNumber) -> crate::domain::InvalidInput {
    crate::domain::InvalidInput::new(
        "subjects",
        format!("there is no subject with staff number {staff_number}; add the subject first"),
    )
}

/// Finds an intelligence item's id and triage status if the actor may see it.
pub(super) fn intelligence(ctx: &Ctx<'_>, urn: &Urn) -> Result<(i64, String), Fail> {
    let viewer = Viewer::of(ctx);
    let found: Option<(i64, String, bool)> = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT i.id, i.triage, {} FROM intelligence i WHERE i.urn = :urn",
                intelligence_visible("i")
            ),
            &[
                viewer.params().as_slice(),
                &[(":urn", &urn.to_string() as &dyn ToSql)],
            ]
            .concat()[..],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match found {
        None => Err(no_such("intelligence item", urn.to_string())),
        Some((_, _, false)) => Err(Fail::Hidden {
            what: "intelligence item",
            reference: urn.to_string(),
            shown_as: None,
        }),
        Some((id, triage, true)) => Ok((id, triage)),
    }
}

/// Finds a bid, authorisation or referral by URN where the actor may see it,
/// by the predicate its list uses; a hidden one is `Fail::Hidden`.
fn covert_record(
    ctx: &Ctx<'_>,
    table: &'static str,
    what: &'static str,
    visible: &str,
    urn: &Urn,
) -> Result<(), Fail> {
    let viewer = Viewer::of(ctx);
    let text = urn.to_string();
    let found: Option<bool> = ctx
        .tx
        .row_cached(
            &format!("SELECT {visible} FROM {table} x WHERE x.urn = :urn"),
            &[viewer.params().as_slice(), &[(":urn", &text as &dyn ToSql)]].concat()[..],
            |r| r.get(0),
        )
        .optional()?;
    match found {
        None => Err(no_such(what, text)),
        Some(false) => Err(Fail::Hidden {
            what,
            reference: text,
            shown_as: None,
        }),
        Some(true) => Ok(()),
    }
}

/// Opening a record: allowed only where need-to-know allows, and logged.
pub(super) fn view(ctx: &Ctx<'_>, viewed: Viewed) -> Result<Applied, Fail> {
    let (entity_type, entity_ref) = match &viewed {
        Viewed::Operation(c) => {
            operation(ctx, c)?;
            ("operation", c.to_string())
        }
        Viewed::Subject(s) => {
            subject(ctx, s)?;
            ("subject", s.to_string())
        }
        Viewed::Intelligence(u) => {
            intelligence(ctx, u)?;
            ("intelligence", u.to_string())
        }
        Viewed::Bid(u) => {
            covert_record(ctx, "bid", "bid", &operation_visible("x.operation_id"), u)?;
            ("bid", u.to_string())
        }
        Viewed::Authorisation(u) => {
            let visible = operation_visible("x.operation_id");
            covert_record(ctx, "authorisation", "authorisation", &visible, u)?;
            ("authorisation", u.to_string())
        }
        Viewed::Referral(u) => {
            let visible = referral_visible("x");
            covert_record(ctx, "referral", "referral", &visible, u)?;
            ("referral", u.to_string())
        }
    };
    Ok(Applied {
        entity_type,
        entity_ref,
        details: json!({ "what": "record opened" }),
    })
}
