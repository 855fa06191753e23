//! Partner agencies: each organisation, its SPOC and the unit's, the
//! engagements with it, the next contact due and the intelligence it
//! produced (`store::registers::partners`).

area! {
    tab: 77,
    go: "go_partners", "Go to partner agencies and their SPOCs",
}

use chrono::{DateTime, NaiveDate, Utc};

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission, parse_form_date};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{DetailLine, ListRow, shown, uk_day};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::partner::{
    CONTACT_EVERY_DAYS, Engagement, EngagementKind, MANAGE, NewPartner, PartnerType, Spoc,
};
use crate::domain::permission::Action as Needed;
use crate::domain::time::uk_date;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::registers::partners::{Command, PartnerRecord, PartnerRef, PartnerRow};
use crate::store::{self, Page, SearchKind};

pub struct Partners;

impl AreaKind for Partners {
    type Record = Urn;
    const TITLE: &'static str = "Partner agencies";
    const SHORT_TITLE: &'static str = "Orgs";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "a partner agency";
    const URN: Option<UrnKind> = Some(UrnKind::Partner);
    const SEARCH: &'static [SearchKind] = &[];
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::Declared(&MANAGE)),
        (Action::Edit, Needed::Declared(&MANAGE)),
        (Action::RecordEngagement, Needed::Declared(&MANAGE)),
        (Action::LinkPartner, Needed::Declared(&MANAGE)),
    ];
    const RECORD_ACTIONS: &'static [Action] =
        &[Action::RecordEngagement, Action::Edit, Action::LinkPartner];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::RecordEngagement,
        Action::Edit,
        Action::LinkPartner,
        Action::Back,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("Reference", 13, 0),
            Column::text("Partner", 12, 3),
            Column::text("Type", 10, 2),
            Column::text("District", 10, 1),
            Column::new("Next due", 10, 0, SortKey::Date),
            Column::new("Intel", 5, 0, SortKey::Number),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .partners(r.actor)?
            .iter()
            .map(partner_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Urn>, Unopened> {
        let urn = Urn::parse(UrnKind::Partner, key)?;
        Ok(partner_detail(&r.casefile.open_partner(r.actor, &urn)?))
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        let mut fields = vec![
            Field::line("name", true, "").with_hint("e.g. Easthaven Women's Refuge"),
            Field::choice(
                "type",
                true,
                PartnerType::ALL,
                PartnerType::code,
                PartnerType::label,
                None,
            ),
            Field::line("district", true, "").with_hint("the district safeguarding unit's"),
        ];
        fields.extend(spoc_fields(false));
        Some(Form::built_by("Add a partner agency", fields, add))
    }

    fn record_form(action: Action, urn: &Urn, _: &FormContext) -> RecordForm {
        match action {
            Action::RecordEngagement => RecordForm::Edit(Form::built_by(
                format!("Record an engagement with {urn}"),
                vec![
                    Field::choice(
                        "kind",
                        true,
                        EngagementKind::ALL,
                        EngagementKind::code,
                        EngagementKind::label,
                        Some(EngagementKind::Meeting),
                    ),
                    Field::date("on", true, "today").with_hint("dd/mm/yyyy, today, -2w"),
                    Field::text("summary", true, "").with_hint("what was said or received"),
                    Field::date("next contact due", false, "").with_hint(format!(
                        "dd/mm/yyyy, +4w; blank: {CONTACT_EVERY_DAYS} days on"
                    )),
                ],
                engagement,
            )),
            Action::Edit => {
                let mut fields = vec![Field::choice(
                    "replace",
                    true,
                    &Replace::ALL,
                    Replace::code,
                    Replace::label,
                    Some(Replace::Theirs),
                )];
                fields.extend(spoc_fields(true));
                RecordForm::Edit(Form::built_by(
                    format!("Replace a SPOC for {urn}"),
                    fields,
                    replace,
                ))
            }
            Action::LinkPartner => RecordForm::Edit(Form::built_by(
                format!("Link intelligence to {urn}"),
                vec![
                    Field::line("intelligence", true, "")
                        .with_hint("its reference, e.g. INT-2026-00042 (from a partner agency)"),
                ],
                link_item,
            )),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &store::Command) -> bool {
        matches!(
            command,
            store::Command::Register(store::Registered::Partners(Command::Add { .. }))
        )
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Urn)> {
        vec![(
            "ORG-2026-0001".into(),
            Urn::parse(UrnKind::Partner, "ORG-2026-0001").unwrap(),
        )]
    }
}

/// Which SPOC the edit form replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    Theirs,
    Ours,
}

impl Replace {
    const ALL: [Replace; 2] = [Replace::Theirs, Replace::Ours];

    fn code(self) -> &'static str {
        match self {
            Replace::Theirs => "theirs",
            Replace::Ours => "ours",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Replace::Theirs => "the partner's SPOC",
            Replace::Ours => "the unit's SPOC",
        }
    }
}

/// The SPOC's fields, and the unit's SPOC (a colleague, F2 to choose).
fn spoc_fields(replacing: bool) -> Vec<Field> {
    let theirs = if replacing { "the partner's: " } else { "" };
    vec![
        Field::line("SPOC", false, "").with_hint(format!("{theirs}their SPOC's name")),
        Field::line("role", false, "").with_hint("e.g. Safeguarding lead"),
        Field::line("email", false, "").with_hint("name@example.org.uk"),
        Field::line("phone", false, "").with_hint("a UK number, e.g. 01632 960123"),
        Field::line("username", false, "")
            .labelled("colleague")
            .with_hint(if replacing {
                "the unit's: a colleague's username; F2 to choose"
            } else {
                "the unit's SPOC: a colleague's username; F2 to choose"
            }),
    ]
}

/// The partner's SPOC as typed, if any of it was.
fn typed_spoc(form: &Form) -> Result<Option<Spoc>, InvalidInput> {
    let v = |id: &str| form.value(id);
    if ["SPOC", "role", "email", "phone"]
        .iter()
        .all(|id| v(id).trim().is_empty())
    {
        return Ok(None);
    }
    Spoc::new(&v("SPOC"), &v("role"), &v("email"), &v("phone")).map(Some)
}

fn typed_username(form: &Form) -> Result<Option<Username>, InvalidInput> {
    let text = form.value("username");
    if text.trim().is_empty() {
        return Ok(None);
    }
    Username::parse(text.trim())
        .map(Some)
        .map_err(|e| InvalidInput::new("username", e.message))
}

fn add(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let partner = NewPartner::new(
        &form.value("name"),
        PartnerType::parse(&form.value("type"))?,
        &form.value("district"),
    )?;
    Ok(Submission::Command(
        Command::Add {
            partner,
            spoc: typed_spoc(form)?,
            unit_spoc: typed_username(form)?,
        }
        .into(),
    ))
}

fn about(form: &Form) -> Result<Urn, InvalidInput> {
    Urn::parse(UrnKind::Partner, form.about.as_deref().unwrap_or(""))
}

fn replace(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let partner = about(form)?;
    let command = if form.value("replace") == Replace::Ours.code() {
        let username = typed_username(form)?
            .ok_or_else(|| InvalidInput::new("username", "is required for the unit's SPOC"))?;
        Command::SetUnitSpoc { partner, username }
    } else {
        if !form.value("username").trim().is_empty() {
            return Err(InvalidInput::new(
                "username",
                "is the unit's SPOC: choose \"the unit's SPOC\" to replace it",
            ));
        }
        let spoc = typed_spoc(form)?
            .ok_or_else(|| InvalidInput::new("SPOC", "is required for the partner's SPOC"))?;
        Command::ReplaceSpoc { partner, spoc }
    };
    Ok(Submission::Command(command.into()))
}

fn engagement(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let today = uk_date(now);
    let on = parse_form_date("on", &form.value("on"), today)?;
    let next = form.value("next contact due");
    let next = if next.trim().is_empty() {
        None
    } else {
        Some(parse_form_date("next contact due", &next, today)?)
    };
    let engagement = Engagement::new(
        on,
        EngagementKind::parse(&form.value("kind"))?,
        &form.value("summary"),
        next,
    )?;
    Ok(Submission::Command(
        Command::RecordEngagement {
            partner: about(form)?,
            engagement,
        }
        .into(),
    ))
}

fn link_item(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let intelligence = Urn::parse(UrnKind::Intelligence, &form.value("intelligence"))
        .map_err(|e| InvalidInput::new("intelligence", e.message))?;
    Ok(Submission::Command(
        Command::LinkIntelligence {
            partner: PartnerRef::Urn(about(form)?),
            intelligence,
        }
        .into(),
    ))
}

/// The form on an intelligence item that links it to the partner agency
/// it came from (`intelligence` area, `link_partner`).
pub fn link_from_intelligence(urn: &Urn) -> Form {
    Form::built_by(
        format!("Link {urn} to the partner it came from"),
        vec![
            Field::line("partner", true, "")
                .with_hint("its name or reference (ORG-...); F2 to choose"),
        ],
        link_to_partner,
    )
}

fn link_to_partner(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let intelligence = Urn::parse(UrnKind::Intelligence, form.about.as_deref().unwrap_or(""))?;
    Ok(Submission::Command(
        Command::LinkIntelligence {
            partner: PartnerRef::parse(&form.value("partner"))?,
            intelligence,
        }
        .into(),
    ))
}

/// `2026-11-03` as `03/11/2026`.
fn day(stored: &str) -> String {
    NaiveDate::parse_from_str(stored, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| shown(stored))
}

fn partner_row(r: &PartnerRow) -> ListRow {
    ListRow {
        key: r.urn.to_string(),
        cells: vec![
            r.urn.to_string(),
            shown(&r.name),
            r.kind.label().to_string(),
            shown(&r.district),
            day(&r.next_due),
            r.intelligence.to_string(),
        ],
    }
}

fn partner_detail(r: &PartnerRecord) -> Opened<Urn> {
    let row = &r.row;
    let mut lines = vec![
        DetailLine::Field("Partner", shown(&row.name)),
        DetailLine::Field("Reference", row.urn.to_string()),
        DetailLine::Field("Type", row.kind.label().to_string()),
        DetailLine::Field("District", shown(&row.district)),
        DetailLine::Field(
            "Added",
            format!("{} by {}", uk_day(&r.recorded_at), shown(&r.recorded_by)),
        ),
        DetailLine::Blank,
        DetailLine::Heading("Contact".into()),
    ];
    match r.spocs.first() {
        Some(s) => {
            let role = if s.role.is_empty() {
                String::new()
            } else {
                format!(", {}", shown(&s.role))
            };
            lines.push(DetailLine::Field(
                "SPOC",
                format!("{}{role}", shown(&s.name)),
            ));
            if let Some(email) = &s.email {
                lines.push(DetailLine::Field("Email", shown(email)));
            }
            if let Some(phone) = &s.phone {
                lines.push(DetailLine::Field("Phone", shown(phone)));
            }
        }
        None => lines.push(DetailLine::Warning("SPOC", "none named yet".into())),
    }
    match r.unit_spocs.first() {
        Some(u) => lines.push(DetailLine::Field("Unit's SPOC", shown(&u.username))),
        None => lines.push(DetailLine::Warning("Unit's SPOC", "none yet".into())),
    }
    let next = format!("{} ", day(&row.next_due));
    lines.push(DetailLine::Field(
        "Next contact",
        match &row.last_contact {
            Some(last) => format!("{next}(last {})", day(last)),
            None => format!("{next}(first contact)"),
        },
    ));
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Engagements ({})",
        r.engagements.len()
    )));
    if r.engagements.is_empty() {
        lines.push(DetailLine::Text("none recorded yet".into()));
    }
    for e in &r.engagements {
        lines.push(DetailLine::Field(
            "On",
            format!(
                "{} {} (by {}; next due {})",
                day(&e.on),
                e.kind.label().to_lowercase(),
                shown(&e.recorded_by),
                day(&e.next_due)
            ),
        ));
        for l in e.summary.lines() {
            lines.push(DetailLine::Text(format!("  {}", shown(l))));
        }
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Intelligence it produced ({})",
        r.produced.len()
    )));
    if r.produced.is_empty() {
        lines.push(DetailLine::Text(
            "none linked that you may see (link from an item with o)".into(),
        ));
    }
    for p in &r.produced {
        lines.push(DetailLine::Field(
            "Item",
            format!("{} {} {}", p.urn, uk_day(&p.received_at), shown(&p.summary)),
        ));
    }
    if r.spocs.len() > 1 || r.unit_spocs.len() > 1 {
        lines.push(DetailLine::Blank);
        lines.push(DetailLine::Heading("Earlier SPOCs".into()));
        for s in r.spocs.iter().skip(1) {
            let how: Vec<&str> = [s.email.as_deref(), s.phone.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            lines.push(DetailLine::Field(
                "Theirs",
                format!(
                    "{} ({}), named {}",
                    shown(&s.name),
                    shown(&how.join(", ")),
                    uk_day(&s.recorded_at)
                ),
            ));
        }
        for u in r.unit_spocs.iter().skip(1) {
            lines.push(DetailLine::Field(
                "Unit's",
                format!("{}, from {}", shown(&u.username), uk_day(&u.recorded_at)),
            ));
        }
    }
    Opened::new(
        row.urn.to_string(),
        format!("Partner {}", shown(&row.name)),
        row.urn,
        lines,
    )
}
