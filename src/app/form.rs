//! Forms: fields the user fills in, checked field by field as they go and
//! as a whole on save, turned into the same `Command` the library takes.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use crate::domain::operation::{
    Closure, Codename, Decision, NewOperation, OperationStatus, Priority,
};
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::domain::time::{parse_uk_date, parse_uk_datetime, uk_date};
use crate::store::{Command, FirstAdministrator, HeadOfUnit};

/// What a field holds and how it is edited.
#[derive(Debug, Clone)]
pub enum Input {
    /// One line of text.
    Line(TextArea<'static>),
    /// One line, shown masked.
    Password(TextArea<'static>),
    /// Several lines; Enter starts a new line.
    Text(TextArea<'static>),
    /// A UK date: `dd/mm/yyyy`, `today`, `+3d`, `-2w`.
    Date(TextArea<'static>),
    /// One value from a closed list: (stored code, label shown).
    Choice {
        options: Vec<(String, String)>,
        selected: Option<usize>,
    },
    /// Yes or no.
    Flag(bool),
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct Field {
    /// What the form's builder reads it by ([`Form::value`]), and the name
    /// the domain's and the case file's errors give it
    /// ([`InvalidInput::field`], which [`Form::fail`] puts beside it).
    pub id: &'static str,
    /// What the screen shows beside it: the id's words, unless
    /// [`Field::labelled`] says otherwise.
    pub label: String,
    pub required: bool,
    pub input: Input,
    /// A short line of help shown beside an empty field.
    pub hint: String,
    pub error: Option<String>,
    /// Something to know about what was typed that does not stop it being
    /// saved: reasoning near-identical to earlier text in the case file.
    pub note: Option<String>,
}

/// A password typed into a form is wiped from memory when its field goes
/// (the form closed, the password asked for afresh).
impl Drop for Field {
    fn drop(&mut self) {
        if let Input::Password(area) = &mut self.input {
            for mut line in std::mem::take(area).into_lines() {
                zeroize::Zeroize::zeroize(&mut line);
            }
        }
    }
}

/// The most a paste may hold, in characters: more than any field takes
/// (the longest, a full intelligence text, is checked by its own limit).
pub const PASTE_LIMIT: usize = 200_000;

/// Pasted text as a field takes it, and what was changed on the way in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    pub text: String,
    /// Line breaks that became spaces, in a one-line field.
    pub joined: usize,
    /// Control characters left out (a tab becomes a space, not counted).
    pub dropped: usize,
}

impl Pasted {
    /// What to tell the user of the paste into the field `label`, if
    /// anything was changed.
    pub fn said(&self, label: &str) -> Option<String> {
        let mut parts = Vec::new();
        if self.joined > 0 {
            parts.push(format!(
                "{} line break{} made a space (one-line field)",
                self.joined,
                if self.joined == 1 { "" } else { "s" }
            ));
        }
        if self.dropped > 0 {
            parts.push(format!(
                "{} control character{} left out",
                self.dropped,
                if self.dropped == 1 { "" } else { "s" }
            ));
        }
        (!parts.is_empty()).then(|| format!("Pasted in {label}: {}", parts.join("; ")))
    }
}

/// Cleans a paste: Windows and old Mac line ends become line breaks,
/// which a one-line field takes as spaces (a run of them as one); a tab is
/// a space; every other control character is left out and counted.
pub fn pasted(text: &str, one_line: bool) -> Pasted {
    let mut text = text.replace("\r\n", "\n").replace('\r', "\n");
    if one_line {
        // A copied line often ends with its line break: not worth a word.
        text.truncate(text.trim_end_matches('\n').len());
    }
    let mut out = String::with_capacity(text.len());
    let (mut joined, mut dropped) = (0, 0);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' if one_line => {
                joined += 1;
                while chars.peek() == Some(&'\n') {
                    chars.next();
                    joined += 1;
                }
                if !out.is_empty() && chars.peek().is_some() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => dropped += 1,
            c => out.push(c),
        }
    }
    Pasted {
        text: out,
        joined,
        dropped,
    }
}

fn text_area(initial: &str) -> TextArea<'static> {
    let mut area = TextArea::new(initial.lines().map(str::to_string).collect());
    if initial.is_empty() {
        area = TextArea::default();
    }
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

impl Field {
    pub fn line(id: &'static str, required: bool, initial: &str) -> Field {
        Field::new(id, required, Input::Line(text_area(initial)))
    }

    pub fn password(id: &'static str) -> Field {
        let mut area = TextArea::default();
        area.set_mask_char('•');
        // No undo history: it would keep copies of what was typed.
        area.set_max_histories(0);
        Field::new(id, true, Input::Password(area))
    }

    pub fn text(id: &'static str, required: bool, initial: &str) -> Field {
        Field::new(id, required, Input::Text(text_area(initial)))
    }

    pub fn date(id: &'static str, required: bool, initial: &str) -> Field {
        Field::new(id, required, Input::Date(text_area(initial)))
            .with_hint("dd/mm/yyyy, today, +3d, -2w")
    }

    pub fn choice<T: Copy + PartialEq>(
        id: &'static str,
        required: bool,
        all: &[T],
        code: impl Fn(T) -> &'static str,
        shown: impl Fn(T) -> &'static str,
        initial: Option<T>,
    ) -> Field {
        let options = all
            .iter()
            .map(|v| (code(*v).to_string(), shown(*v).to_string()))
            .collect();
        let selected = initial.and_then(|i| all.iter().position(|v| *v == i));
        Field::new(id, required, Input::Choice { options, selected })
    }

    /// A pick-list of values known only at run time (read from the case
    /// file): (stored code, label shown), the first chosen.
    pub fn options(id: &'static str, required: bool, options: Vec<(String, String)>) -> Field {
        let selected = (!options.is_empty()).then_some(0);
        Field::new(id, required, Input::Choice { options, selected })
    }

    pub fn flag(id: &'static str, initial: bool) -> Field {
        Field::new(id, false, Input::Flag(initial))
    }

    fn new(id: &'static str, required: bool, input: Input) -> Field {
        Field {
            id,
            label: id.to_string(),
            required,
            input,
            hint: String::new(),
            error: None,
            note: None,
        }
    }

    /// Shows other words than its id beside it.
    pub fn labelled(mut self, label: impl Into<String>) -> Field {
        self.label = label.into();
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = hint.into();
        self
    }

    /// The text typed, lines joined by newlines; for a choice, its code;
    /// for a flag, "yes" or "no".
    pub fn value(&self) -> String {
        match &self.input {
            Input::Line(a) | Input::Password(a) | Input::Date(a) | Input::Text(a) => {
                a.lines().join("\n")
            }
            Input::Choice { options, selected } => {
                selected.map(|i| options[i].0.clone()).unwrap_or_default()
            }
            Input::Flag(on) => if *on { "yes" } else { "no" }.to_string(),
        }
    }

    /// Fills the field as if typed: for a choice, the option with this
    /// code; for a flag, "yes" or "no".
    pub(crate) fn set(&mut self, value: &str) {
        match &mut self.input {
            Input::Line(a) | Input::Password(a) | Input::Date(a) | Input::Text(a) => {
                *a = text_area(value);
            }
            Input::Choice { options, selected } => {
                *selected = options.iter().position(|(code, _)| code == value);
            }
            Input::Flag(on) => *on = value == "yes",
        }
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.input, Input::Text(_))
    }

    /// Whether typed characters go into this field (so single-letter keys
    /// must not be taken as commands).
    pub fn takes_text(&self) -> bool {
        matches!(
            self.input,
            Input::Line(_) | Input::Password(_) | Input::Text(_) | Input::Date(_)
        )
    }

    /// Passes a key to the field. Returns whether the value changed.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        match &mut self.input {
            Input::Line(a) | Input::Password(a) | Input::Date(a) => {
                if key.code == KeyCode::Enter {
                    return false;
                }
                a.input(key)
            }
            Input::Text(a) => a.input(key),
            Input::Choice { options, selected } => match key.code {
                KeyCode::Right | KeyCode::Char(' ') => {
                    step(selected, options.len(), 1);
                    true
                }
                KeyCode::Left => {
                    step(selected, options.len(), -1);
                    true
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    // Jump to the next option starting with the letter typed.
                    let c = c.to_ascii_lowercase();
                    let n = options.len();
                    let from = selected.map(|i| i + 1).unwrap_or(0);
                    let found = (0..n).map(|k| (from + k) % n).find(|&i| {
                        let (code, label) = &options[i];
                        code.to_ascii_lowercase().starts_with(c)
                            || label.to_ascii_lowercase().starts_with(c)
                    });
                    if found.is_some() && found != *selected {
                        *selected = found;
                        true
                    } else {
                        false
                    }
                }
                _ => false,
            },
            Input::Flag(on) => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
                    *on = !*on;
                    true
                }
                KeyCode::Char('y') | KeyCode::Char('Y') => !std::mem::replace(on, true),
                KeyCode::Char('n') | KeyCode::Char('N') => std::mem::replace(on, false),
                _ => false,
            },
        }
    }

    /// Pastes `text` at the cursor: whether the field changed, and what
    /// to tell the user of the paste (what was changed or refused). A
    /// one-line field takes line breaks as spaces; control characters are
    /// left out; a pick-list takes a paste that names one of its choices.
    pub fn paste(&mut self, text: &str) -> (bool, Option<String>) {
        let chars = text.chars().count();
        if chars > PASTE_LIMIT {
            return (
                false,
                Some(format!(
                    "the paste is {chars} characters, more than the {PASTE_LIMIT} a field takes: nothing was pasted"
                )),
            );
        }
        let one_line = !matches!(self.input, Input::Text(_));
        let clean = pasted(text, one_line);
        let label = self.label.clone();
        match &mut self.input {
            Input::Line(a) | Input::Password(a) | Input::Date(a) | Input::Text(a) => {
                let changed = !clean.text.is_empty() && a.insert_str(&clean.text);
                (changed, clean.said(&label))
            }
            Input::Choice { options, selected } => {
                let wanted = clean.text.trim().to_lowercase();
                match options.iter().position(|(code, shown)| {
                    code.to_lowercase() == wanted || shown.to_lowercase() == wanted
                }) {
                    Some(i) => (selected.replace(i) != Some(i), None),
                    None => (
                        false,
                        Some(format!(
                            "{label}: \"{}\" is not one of its choices: choose with ←/→",
                            crate::app::view::shown(clean.text.trim())
                        )),
                    ),
                }
            }
            Input::Flag(_) => (
                false,
                Some(format!("{label}: a yes/no field takes y or n, not a paste")),
            ),
        }
    }

    /// Moves a pick-list's selection; false for other fields.
    pub fn cycle(&mut self, by: i32) -> bool {
        match &mut self.input {
            Input::Choice { options, selected } => {
                step(selected, options.len(), by);
                true
            }
            Input::Flag(on) => {
                *on = !*on;
                true
            }
            _ => false,
        }
    }
}

fn step(selected: &mut Option<usize>, n: usize, by: i32) {
    if n == 0 {
        return;
    }
    *selected = Some(match *selected {
        None if by >= 0 => 0,
        None => n - 1,
        Some(i) => (i as i64 + by as i64).rem_euclid(n as i64) as usize,
    });
}

/// Puts a refusal beside the field `id`: for a value parsed by a type whose
/// refusals name the type (a codename, a username, a reference) rather
/// than the field it was typed in.
pub(crate) fn beside(id: &'static str) -> impl Fn(InvalidInput) -> InvalidInput {
    move |e| InvalidInput::new(id, e.message)
}

/// A date typed in a form: `dd/mm/yyyy` (or ISO), `today`, `yesterday`,
/// `tomorrow`, or an offset from today such as `+3d`, `-2w`.
pub fn parse_form_date(
    field: &'static str,
    text: &str,
    today: NaiveDate,
) -> Result<NaiveDate, InvalidInput> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "today" => return Ok(today),
        "yesterday" => return Ok(today - Duration::days(1)),
        "tomorrow" => return Ok(today + Duration::days(1)),
        _ => {}
    }
    if let Some(sign) = t.chars().next().filter(|c| *c == '+' || *c == '-') {
        let body = &t[1..];
        let (number, unit) = body.split_at(body.len().saturating_sub(1));
        let days_per = match unit {
            "d" => Some(1),
            "w" => Some(7),
            _ => None,
        };
        if let (Some(per), Ok(n)) = (days_per, number.parse::<i64>())
            && n <= 36_600
        {
            let days = Duration::days(n * per);
            let day = if sign == '+' {
                today + days
            } else {
                today - days
            };
            return crate::domain::time::date_in_range(field, text.trim(), day);
        }
        return Err(InvalidInput::new(
            field,
            format!("'{}' is not an offset; write +3d or -2w", text.trim()),
        ));
    }
    parse_uk_date(field, &t)
}

/// Which form, and the record it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// The first run: a new case file and its first administrator.
    Setup,
    Login,
    /// A head of unit's decision on a request for access.
    DecideAccess {
        urn: String,
        summary: String,
    },
    /// After a login with a one-time password an administrator set: the
    /// account chooses its own before anything else. `notice` says who
    /// set the one-time password, and when.
    ChoosePassword {
        username: String,
        notice: String,
    },
    NewIntelligence,
    Triage {
        urn: String,
        from: TriageStatus,
    },
    /// A form its area builds itself (`Form::builder`).
    Area,
    NewOperation,
    Decision {
        codename: String,
    },
    OperationStatus {
        codename: String,
        from: OperationStatus,
    },
    CloseOperation {
        codename: String,
    },
    ProposeThreshold {
        codename: String,
    },
    DecideThreshold {
        codename: String,
    },
    DraftBid,
    DecideBid {
        urn: String,
        /// The bid's line numbers.
        lines: Vec<u32>,
    },
    CloseBid {
        urn: String,
    },
    ApplyAuthorisation,
    DecideAuthorisation {
        urn: String,
        /// The tactics applied for, each decided on the form.
        tactics: Vec<crate::domain::tactic::Tactic>,
    },
    JudicialApproval {
        urn: String,
    },
    ReviewAuthorisation {
        urn: String,
    },
    RenewAuthorisation {
        urn: String,
    },
    CancelAuthorisation {
        urn: String,
    },
    RecordReferral,
    IopcDecision {
        urn: String,
    },
    ExportCentralRecord,
    AuditFilter,
}

/// What a successful form asks to be done.
pub enum Submission {
    Setup {
        path: std::path::PathBuf,
        admin: FirstAdministrator,
        head: HeadOfUnit,
    },
    Login {
        username: String,
        password: zeroize::Zeroizing<String>,
    },
    /// The account's own password, in place of a one-time one.
    ChoosePassword(NewPassword),
    Command(Command),
    ExportCentralRecord {
        path: std::path::PathBuf,
    },
    AuditFilter(super::audit_filter::AuditFilter),
    /// An export bundle to verify, with the verifier key (none: the case
    /// file's own) and an earlier checkpoint it must extend.
    VerifyBundle {
        dir: std::path::PathBuf,
        key: Option<String>,
        since: Option<std::path::PathBuf>,
    },
}

/// A form on screen.
#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Whether anything has been typed since it opened.
    pub dirty: bool,
    /// A message about the form as a whole (what the case file refused).
    pub error: Option<String>,
    /// The record the form is about (its key, in the area on screen),
    /// opened again once the form is saved; `None` for a form that makes a
    /// record, which opens what it made.
    pub about: Option<String>,
    /// What the form asks for, for a form its area builds itself (with
    /// `FormKind::Area`); other forms are built by their kind.
    pub builder: Option<Builder>,
    /// What its question says before an irreversible act runs, and the
    /// warning shown on it ([`super::confirm`]).
    pub ask: super::confirm::Ask,
}

/// Builds what a checked form asks for, or says which field is wrong.
pub type Builder = fn(&Form, DateTime<Utc>) -> Result<Submission, InvalidInput>;

impl Form {
    pub(crate) fn new(kind: FormKind, title: impl Into<String>, fields: Vec<Field>) -> Form {
        Form {
            kind,
            title: title.into(),
            fields,
            focus: 0,
            dirty: false,
            error: None,
            about: None,
            builder: None,
            ask: Default::default(),
        }
    }

    /// A form an area builds itself: `build` makes what it asks for.
    pub fn built_by(title: impl Into<String>, fields: Vec<Field>, build: Builder) -> Form {
        Form {
            builder: Some(build),
            ..Form::new(FormKind::Area, title, fields)
        }
    }

    pub fn setup(default_path: &str) -> Form {
        Form::new(
            FormKind::Setup,
            "Create a case file",
            vec![
                Field::line("case file", true, default_path),
                Field::line("username", true, "").with_hint("the first administrator"),
                Field::line("display name", false, "").with_hint("as other users see you"),
                Field::choice(
                    "rank",
                    true,
                    &Rank::ALL,
                    |r| r.as_str(),
                    |r| r.as_str(),
                    Some(Rank::PoliceStaff),
                ),
                Field::password("password").with_hint("at least 12 characters"),
                Field::password("password again"),
                Field::line("head of unit", true, "")
                    .with_hint("username: a supervisor, Inspector or above, who approves access"),
                Field::line("head's display name", false, ""),
                Field::choice(
                    "head's rank",
                    true,
                    &Rank::ALL[3..],
                    |r| r.as_str(),
                    |r| r.as_str(),
                    Some(Rank::Inspector),
                ),
                Field::password("head's password")
                    .with_hint("typed by the head of unit, not the administrator"),
                Field::password("head's password again"),
            ],
        )
    }

    /// A head of unit approves or declines request `urn`, which would
    /// `summary` (as the queue describes it).
    pub fn decide_access(urn: &str, summary: &str) -> Form {
        Form::new(
            FormKind::DecideAccess {
                urn: urn.to_owned(),
                summary: summary.to_owned(),
            },
            format!("Decide {urn}: {summary}"),
            vec![
                Field::choice(
                    "decision",
                    true,
                    &["approve", "decline"],
                    |v| v,
                    |v| if v == "approve" { "Approve" } else { "Decline" },
                    None,
                ),
                Field::line("reason", false, "")
                    .with_hint("required to decline; a note for the trail when approving"),
            ],
        )
    }

    /// The account's own password, in place of the one-time password it
    /// logged in with.
    pub fn choose_password(username: &str, notice: &str) -> Form {
        Form::new(
            FormKind::ChoosePassword {
                username: username.to_owned(),
                notice: notice.to_owned(),
            },
            "Choose your own password",
            vec![
                Field::password("new password")
                    .with_hint("at least 12 characters, known only to you"),
                Field::password("new password again"),
            ],
        )
    }

    pub fn login(username: &str) -> Form {
        let mut form = Form::new(
            FormKind::Login,
            "Log in",
            vec![
                Field::line("username", true, username),
                Field::password("password"),
            ],
        );
        if !username.is_empty() {
            form.focus = 1;
        }
        form
    }

    /// The lock screen: the password of the user already logged in.
    pub fn unlock(username: &str) -> Form {
        Form::new(
            FormKind::Login,
            format!("Locked: password for {username}"),
            vec![Field::password("password")],
        )
    }

    pub fn new_intelligence() -> Form {
        Form::new(
            FormKind::NewIntelligence,
            "Record intelligence",
            vec![
                Field::line("received", true, "now")
                    .with_hint("now, or dd/mm/yyyy HH:MM (UK time)"),
                Field::choice(
                    "source type",
                    true,
                    SourceType::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::flag("anonymous", false),
                Field::line("source reference", false, ""),
                Field::line("source person", false, "")
                    .with_hint("the named person it came from, if not anonymous"),
                Field::line("grading", true, "")
                    .with_hint("3x5x2, e.g. 2BP, or 1AC with conditions"),
                Field::line("handling conditions", false, "")
                    .with_hint("required with handling code C"),
                Field::choice(
                    "category",
                    true,
                    Category::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::flag("apsp", false),
                Field::line("subjects", false, "").with_hint("staff numbers, comma separated"),
                Field::line("summary", true, ""),
                Field::text("full text", true, ""),
            ],
        )
    }

    pub fn triage(urn: &str, from: TriageStatus) -> Form {
        let next = from.next();
        Form::new(
            FormKind::Triage {
                urn: urn.to_string(),
                from,
            },
            format!("Triage {urn} (now {})", from.label()),
            vec![
                Field::choice("triage", true, next, |v| v.code(), |v| v.label(), None),
                Field::line("operation", false, "")
                    .with_hint("codename, when linking to an operation"),
                Field::text("rationale", true, ""),
            ],
        )
    }

    pub fn new_operation() -> Form {
        Form::new(
            FormKind::NewOperation,
            "Open an operation",
            vec![
                Field::line("codename", true, "").with_hint("one or two words, never reused"),
                Field::choice(
                    "category",
                    true,
                    Category::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::choice(
                    "priority",
                    true,
                    Priority::ALL,
                    |v| v.code(),
                    |v| v.label(),
                    None,
                ),
                Field::line("lead", true, "").with_hint("username of the lead investigator"),
                Field::line("supervisor", true, "").with_hint("username"),
                Field::line("team", false, "").with_hint("usernames, comma separated"),
                Field::line("subjects", false, "").with_hint("staff numbers, comma separated"),
                Field::text("description", true, ""),
            ],
        )
    }

    pub fn decision(codename: &str) -> Form {
        Form::new(
            FormKind::Decision {
                codename: codename.to_string(),
            },
            format!("Decision log: {codename}"),
            vec![
                Field::text("decision", true, ""),
                Field::text("rationale", true, ""),
                Field::text("alternatives considered", false, ""),
                Field::line("corrects", false, "").with_hint("number of the entry this corrects"),
            ],
        )
    }

    pub fn operation_status(codename: &str, from: OperationStatus) -> Form {
        let next: Vec<OperationStatus> = from
            .next()
            .iter()
            .copied()
            .filter(|s| *s != OperationStatus::Closed)
            .collect();
        Form::new(
            FormKind::OperationStatus {
                codename: codename.to_string(),
                from,
            },
            format!("Status of {codename} (now {})", from.label()),
            vec![
                Field::choice("status", true, &next, |v| v.code(), |v| v.label(), None),
                Field::text("reason", true, ""),
            ],
        )
    }

    pub fn close_operation(codename: &str) -> Form {
        Form::new(
            FormKind::CloseOperation {
                codename: codename.to_string(),
            },
            format!("Close {codename}"),
            vec![
                Field::text("outcome", true, ""),
                Field::text("lessons learned", true, ""),
            ],
        )
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn focused_mut(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }

    /// Moves to another field, checking the one left.
    pub fn move_focus(&mut self, by: i32, now: DateTime<Utc>) {
        self.check_field(self.focus, now);
        let n = self.fields.len() as i64;
        self.focus = (self.focus as i64 + by as i64).rem_euclid(n) as usize;
    }

    /// Passes a key to the focused field.
    pub fn key(&mut self, key: KeyEvent) {
        if self.focused_mut().key(key) {
            self.dirty = true;
            self.edited();
        }
    }

    /// Pastes into the focused field, as one edit: what changed in the
    /// text on the way in is said, never silent.
    pub fn paste(&mut self, text: &str) -> Option<String> {
        let (changed, said) = self.focused_mut().paste(text);
        if changed {
            self.dirty = true;
            self.edited();
        }
        said
    }

    /// The focused field changed: what was said about it, and what the
    /// case file said about the form as a whole, no longer stands.
    fn edited(&mut self) {
        self.focused_mut().error = None;
        self.focused_mut().note = None;
        self.error = None;
    }

    pub fn cycle(&mut self, by: i32) {
        if self.focused_mut().cycle(by) {
            self.dirty = true;
            self.edited();
        }
    }

    /// The value of the field `id` names. Reading a field the form does
    /// not have (or has more than one of) is a mistake in the code that
    /// reads it, which a debug build stops at.
    pub(crate) fn value(&self, id: &str) -> String {
        let mut named = self.fields.iter().filter(|f| f.id == id);
        let field = named.next();
        debug_assert!(
            field.is_some(),
            "the form \"{}\" has no field \"{id}\"",
            self.title
        );
        debug_assert!(
            named.next().is_none(),
            "the form \"{}\" has more than one field \"{id}\": read them with values",
            self.title
        );
        field.map(Field::value).unwrap_or_default()
    }

    /// The values of a field repeated once per item (a bid's lines), in
    /// order.
    pub(crate) fn values(&self, id: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.id == id)
            .map(Field::value)
            .collect()
    }

    /// Checks one field on its own (required, and its format), so a mistake
    /// shows as soon as the user moves on.
    fn check_field(&mut self, index: usize, now: DateTime<Utc>) {
        let field = &self.fields[index];
        let value = field.value();
        let error = if field.required && value.trim().is_empty() {
            Some("required".to_string())
        } else if value.trim().is_empty() {
            None
        } else {
            match &field.input {
                Input::Date(_) => parse_form_date("date", &value, uk_date(now))
                    .err()
                    .map(|e| e.message),
                _ => self.check_format(field.id, &value, now).err(),
            }
        };
        self.fields[index].error = error;
    }

    fn check_format(&self, id: &str, value: &str, now: DateTime<Utc>) -> Result<(), String> {
        let m = |e: InvalidInput| e.message;
        match (&self.kind, id) {
            (_, "received") => received(value, now).map(|_| ()).map_err(m),
            (_, "grading") => Grading::parse(value, "")
                .map(|_| ())
                .or_else(|e| {
                    // Handling code C is only complete with its conditions.
                    if Grading::parse(value, "conditions").is_ok() {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(m),
            (_, "subjects") => StaffNumber::parse_list(value).map(|_| ()).map_err(m),
            (_, "staff number") => StaffNumber::parse(value).map(|_| ()).map_err(m),
            (FormKind::NewOperation, "codename") => Codename::parse(value).map(|_| ()).map_err(m),
            (FormKind::Setup, "username" | "head of unit") | (_, "lead") | (_, "supervisor") => {
                Username::parse(value).map(|_| ()).map_err(m)
            }
            (_, "stop instruction") if !value.trim().eq_ignore_ascii_case("now") => {
                parse_uk_datetime("stop instruction", value)
                    .map(|_| ())
                    .map_err(m)
            }
            (_, "approved at") if !value.trim().eq_ignore_ascii_case("now") => {
                parse_uk_datetime("approved at", value)
                    .map(|_| ())
                    .map_err(m)
            }
            (_, "corrects") => value
                .trim()
                .parse::<u32>()
                .map(|_| ())
                .map_err(|_| format!("'{}' is not an entry number", value.trim())),
            _ => Ok(()),
        }
    }

    /// Checks every field and, if all is well, what to do. On failure the
    /// errors are put beside their fields and nothing is returned.
    pub fn submit(
        &mut self,
        now: DateTime<Utc>,
        build: impl Fn(&Form, DateTime<Utc>) -> Result<Submission, InvalidInput>,
    ) -> Option<Submission> {
        self.error = None;
        for i in 0..self.fields.len() {
            self.check_field(i, now);
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
            return None;
        }
        match build(self, now) {
            Ok(s) => Some(s),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Shows what the domain or the case file refused: beside the field it
    /// names when there is one, otherwise over the whole form.
    pub fn fail(&mut self, e: InvalidInput) {
        // The field the error names: by its id, or else by the words the
        // screen labels it with (`staff_number`, `Staff number`).
        let words = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        let named = words(e.field);
        let at = self
            .fields
            .iter()
            .position(|f| f.id == e.field)
            .or_else(|| {
                self.fields
                    .iter()
                    .position(|f| words(f.id) == named || words(&f.label) == named)
            });
        match at {
            Some(i) => {
                self.fields[i].error = Some(e.message);
                self.focus = i;
            }
            None => self.error = Some(e.to_string()),
        }
    }

    /// What a casework form (login, setup, intelligence, subjects,
    /// operations) asks for; None for any other, the covert workflow's
    /// being `covert_forms::build`'s.
    pub fn build_casework(&self, now: DateTime<Utc>) -> Option<Result<Submission, InvalidInput>> {
        self.casework(now).transpose()
    }

    fn casework(&self, now: DateTime<Utc>) -> Result<Option<Submission>, InvalidInput> {
        let v = |id: &str| self.value(id);
        let opt = |id: &str| Some(v(id)).filter(|s| !s.trim().is_empty());
        let list = |id: &str| -> Vec<String> {
            v(id)
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let command = match &self.kind {
            FormKind::Setup => {
                let username = Username::parse(&v("username"))?;
                let display_name = match opt("display name") {
                    Some(d) => DisplayName::parse(&d)?,
                    None => DisplayName::parse(username.as_str())?,
                };
                if v("password") != v("password again") {
                    return Err(InvalidInput::new(
                        "password again",
                        "the two passwords differ",
                    ));
                }
                let password = NewPassword::parse(v("password"), &username)?;
                let head_name =
                    Username::parse(&v("head of unit")).map_err(beside("head of unit"))?;
                let head_display = match opt("head's display name") {
                    Some(d) => DisplayName::parse(&d).map_err(beside("head's display name"))?,
                    None => DisplayName::parse(head_name.as_str())?,
                };
                if v("head's password") != v("head's password again") {
                    return Err(InvalidInput::new(
                        "head's password again",
                        "the two passwords differ",
                    ));
                }
                let head_password = NewPassword::parse(v("head's password"), &head_name)
                    .map_err(beside("head's password"))?;
                let head = HeadOfUnit {
                    username: head_name,
                    display_name: head_display,
                    rank: Rank::parse(&v("head's rank"))?,
                    password: head_password,
                };
                head.check(&username).map_err(beside("head of unit"))?;
                return Ok(Some(Submission::Setup {
                    path: std::path::PathBuf::from(v("case file").trim()),
                    admin: FirstAdministrator {
                        username,
                        display_name,
                        rank: Rank::parse(&v("rank"))?,
                        password,
                    },
                    head,
                }));
            }
            FormKind::DecideAccess { urn, .. } => {
                let approve = v("decision") == "approve";
                let reason = opt("reason")
                    .map(|r| Rationale::new("reason", &r))
                    .transpose()?;
                if !approve && reason.is_none() {
                    return Err(InvalidInput::new(
                        "reason",
                        "say why the request is declined (the administrator and the trail are told)",
                    ));
                }
                Command::DecideAccess {
                    urn: crate::domain::urn::Urn::parse(
                        crate::domain::urn::UrnKind::AccessRequest,
                        urn,
                    )?,
                    approve,
                    reason,
                }
            }
            FormKind::ChoosePassword { username, .. } => {
                if v("new password") != v("new password again") {
                    return Err(InvalidInput::new(
                        "new password again",
                        "the two passwords differ",
                    ));
                }
                let username = Username::parse(username)?;
                let password = NewPassword::parse(v("new password"), &username)
                    .map_err(beside("new password"))?;
                return Ok(Some(Submission::ChoosePassword(password)));
            }
            FormKind::Login => {
                return Ok(Some(Submission::Login {
                    username: v("username").trim().to_string(),
                    password: zeroize::Zeroizing::new(v("password")),
                }));
            }
            FormKind::NewIntelligence => {
                let received_at = received(&v("received"), now)?;
                let subjects = StaffNumber::parse_list(&v("subjects"))?;
                Command::RecordIntelligence(
                    NewIntelligence::new(
                        received_at,
                        SourceType::parse(&v("source type"))?,
                        v("anonymous") == "yes",
                        opt("source reference"),
                        Grading::parse(&v("grading"), &v("handling conditions"))?,
                        Category::parse(&v("category"))?,
                        v("apsp") == "yes",
                        subjects,
                        &v("summary"),
                        &v("full text"),
                    )?
                    .from_person(&v("source person"))?,
                )
            }
            FormKind::Triage { urn, .. } => Command::TriageIntelligence {
                urn: crate::domain::urn::Urn::parse(
                    crate::domain::urn::UrnKind::Intelligence,
                    urn,
                )?,
                to: TriageStatus::parse(&v("triage"))?,
                operation: opt("operation")
                    .map(|c| Codename::parse(&c).map_err(beside("operation")))
                    .transpose()?,
                rationale: Rationale::new("rationale", &v("rationale"))?,
            },
            FormKind::NewOperation => {
                let team = list("team")
                    .iter()
                    .map(|u| Username::parse(u).map_err(beside("team")))
                    .collect::<Result<Vec<_>, _>>()?;
                Command::OpenOperation(NewOperation::new(
                    Codename::parse(&v("codename"))?,
                    &v("description"),
                    Category::parse(&v("category"))?,
                    Priority::parse(&v("priority"))?,
                    Username::parse(&v("lead")).map_err(beside("lead"))?,
                    Username::parse(&v("supervisor")).map_err(beside("supervisor"))?,
                    team,
                    StaffNumber::parse_list(&v("subjects"))?,
                )?)
            }
            FormKind::Decision { codename } => {
                let corrects = match opt("corrects") {
                    Some(n) => Some(n.trim().parse::<u32>().map_err(|_| {
                        InvalidInput::new(
                            "corrects",
                            format!("'{}' is not an entry number", n.trim()),
                        )
                    })?),
                    None => None,
                };
                Command::RecordDecision {
                    codename: Codename::parse(codename)?,
                    decision: Decision::new(
                        &v("decision"),
                        &v("rationale"),
                        &v("alternatives considered"),
                        corrects,
                    )?,
                }
            }
            FormKind::OperationStatus { codename, .. } => Command::ChangeOperationStatus {
                codename: Codename::parse(codename)?,
                to: OperationStatus::parse(&v("status"))?,
                reason: Rationale::new("reason", &v("reason"))?,
            },
            FormKind::CloseOperation { codename } => Command::CloseOperation {
                codename: Codename::parse(codename)?,
                closure: Closure::new(&v("outcome"), &v("lessons learned"))?,
            },
            _ => return Ok(None),
        };
        Ok(Some(Submission::Command(command)))
    }
}

/// When intelligence was received: `now`, or a UK date and time; never in
/// the future.
fn received(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
    let t = text.trim();
    let at = if t.eq_ignore_ascii_case("now") {
        now
    } else if let Ok(day) = parse_form_date("received", t, uk_date(now)) {
        crate::domain::time::start_of_uk_day(day)
    } else {
        parse_uk_datetime("received", t)?
    };
    if at > now {
        return Err(InvalidInput::new("received", "cannot be in the future"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_goes_beside_the_field_it_names_by_id_or_label_words() {
        let mut form = Form::new_operation();
        form.fields[3] = Field::line("lead", true, "").labelled("Lead investigator");
        form.fail(InvalidInput::new("lead_investigator", "no such user"));
        assert_eq!(form.fields[3].error.as_deref(), Some("no such user"));
        assert_eq!((form.focus, form.error.clone()), (3, None));
        form.fail(InvalidInput::new("Codename", "already used"));
        assert_eq!(form.fields[0].error.as_deref(), Some("already used"));
        // Naming no field, it is about the whole form.
        form.fail(InvalidInput::new("operation", "closed"));
        assert_eq!(form.error.as_deref(), Some("operation: closed"));
    }

    #[test]
    fn a_paste_into_one_line_joins_its_lines_and_says_so() {
        let p = pasted("first line\r\nsecond\n\nthird\n", true);
        assert_eq!(p.text, "first line second third");
        assert_eq!(p.joined, 3);
        assert_eq!(p.dropped, 0);
        assert!(
            p.said("summary")
                .unwrap()
                .contains("3 line breaks made a space")
        );
        // A copied line's own line break is not worth a word.
        assert_eq!(pasted("2BP\n", true).said("grading"), None);
    }

    #[test]
    fn a_paste_keeps_lines_in_text_and_leaves_out_control_characters() {
        let p = pasted("one\x1b[31m\ttwo\x07\nthree\u{85}", false);
        assert_eq!(p.text, "one[31m two\nthree");
        assert_eq!(p.dropped, 3);
        assert_eq!(p.joined, 0);
        assert!(
            p.said("details")
                .unwrap()
                .contains("3 control characters left out")
        );
    }

    #[test]
    fn a_paste_goes_into_the_focused_field_only_and_too_much_is_refused() {
        let mut form = Form::new_intelligence();
        form.focus = 3;
        let said = form.paste("NS4127\nsecond line");
        assert_eq!(form.fields[3].value(), "NS4127 second line");
        assert_eq!(form.focus, 3, "the paste does not move to the next field");
        assert!(form.fields[4].value().is_empty());
        assert!(said.unwrap().contains("1 line break made a space"));
        assert!(form.dirty);
        let huge = "x".repeat(PASTE_LIMIT + 1);
        let said = form.paste(&huge).unwrap();
        assert!(said.contains("nothing was pasted"), "{said}");
        assert_eq!(form.fields[3].value(), "NS4127 second line");
        // A pick-list takes a paste that names a choice, and says so if not.
        form.focus = 1;
        assert!(
            form.paste("widgets")
                .unwrap()
                .contains("not one of its choices")
        );
        assert_eq!(form.fields[1].value(), "");
    }

    use super::*;
    use chrono::TimeZone;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// A date and time no calendar has is refused on leaving the field,
    /// not only on saving.
    #[test]
    fn a_stop_instruction_time_is_checked_as_it_is_left() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        for (typed, wrong) in [
            ("25/13/2026 10:00", true),
            ("23/11/2026 25:00", true),
            ("23/11/2026 09:00", false),
            ("now", false),
        ] {
            let mut form = Form::cancel_authorisation("AUTH-2026-0001");
            form.fields[0] = Field::line("stop instruction", true, typed);
            form.move_focus(1, now);
            assert_eq!(
                form.fields[0].error.is_some(),
                wrong,
                "{typed}: {:?}",
                form.fields[0].error
            );
        }
    }

    #[test]
    fn form_date_offsets_stay_within_the_years_ccu_records() {
        let d = |t| parse_form_date("when", t, today());
        let far = d("+36000w").unwrap_err();
        assert!(far.message.contains("1900 to 2200"), "{}", far.message);
        assert!(d("-10000w").is_err());
        assert!(d("+9999999999999999999d").is_err());
        assert!(d("+1000w").is_ok());
    }

    #[test]
    fn form_dates_accept_shorthands() {
        let d = |t| parse_form_date("when", t, today());
        assert_eq!(d("today").unwrap(), today());
        assert_eq!(
            d("+3d").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        );
        assert_eq!(
            d("-2w").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()
        );
        assert_eq!(
            d("01/02/2027").unwrap(),
            NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
        );
        assert!(d("+3x").unwrap_err().message.contains("+3d"));
        assert!(d("31/02/2027").unwrap_err().message.contains("dd/mm/yyyy"));
    }

    #[test]
    fn required_fields_and_formats_are_reported_beside_the_field() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let mut form = Form::decision("BLUE HERON");
        form.fields[3] = Field::line("corrects", false, "two");
        let casework = |f: &Form, now| f.build_casework(now).unwrap();
        assert!(form.submit(now, casework).is_none());
        assert_eq!(form.fields[0].error.as_deref(), Some("required"));
        assert_eq!(form.fields[1].error.as_deref(), Some("required"));
        assert_eq!(form.fields[2].error, None);
        assert!(form.fields[3].error.as_deref().unwrap().contains("'two'"));
        assert_eq!(form.focus, 0, "focus goes to the first field in error");
    }

    #[test]
    fn a_rationale_over_the_limit_is_refused_beside_its_field_and_one_at_it_is_carried_whole() {
        use crate::domain::text::LONG;
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let casework = |f: &Form, now| f.build_casework(now).unwrap();
        let mut form = Form::triage("INT-2026-00001", TriageStatus::New);
        form.fields[0].cycle(1);
        form.fields[2] = Field::text("rationale", true, &"x".repeat(LONG + 1));
        assert!(form.submit(now, casework).is_none());
        assert_eq!(
            form.fields[2].error.as_deref(),
            Some("is 20001 characters long; at most 20000 are allowed")
        );
        assert_eq!(form.focus, 2);

        form.fields[2] = Field::text("rationale", true, &"x".repeat(LONG));
        let Some(Submission::Command(Command::TriageIntelligence { rationale, .. })) =
            form.submit(now, casework)
        else {
            panic!("a rationale of exactly {LONG} characters makes the command");
        };
        assert_eq!(rationale.as_str().chars().count(), LONG);
    }

    #[test]
    fn a_decline_reason_over_the_limit_is_refused_beside_its_field() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let casework = |f: &Form, now| f.build_casework(now).unwrap();
        let mut form = Form::decide_access("ACR-2026-0001", "investigator for jo");
        form.fields[0].cycle(-1);
        assert_eq!(form.value("decision"), "decline");
        let over = "x".repeat(crate::domain::text::LONG + 1);
        form.fields[1] = Field::line("reason", false, &over);
        assert!(form.submit(now, casework).is_none());
        assert_eq!(
            form.fields[1].error.as_deref(),
            Some("is 20001 characters long; at most 20000 are allowed")
        );
        // Blank is no reason at all, which a decline needs.
        form.fields[1] = Field::line("reason", false, "  ");
        assert!(form.submit(now, casework).is_none());
        assert!(
            form.fields[1]
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("say why")),
            "{:?}",
            form.fields[1].error
        );
    }

    #[test]
    fn received_cannot_be_in_the_future() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        assert_eq!(received("now", now).unwrap(), now);
        assert!(received("+1d", now).is_err());
        assert_eq!(
            received("23/11/2026 08:00", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
        );
    }

    #[test]
    fn pick_lists_cycle_and_jump_by_letter() {
        let mut f = Field::choice(
            "priority",
            true,
            Priority::ALL,
            |v| v.code(),
            |v| v.label(),
            None,
        );
        assert_eq!(f.value(), "");
        f.cycle(1);
        assert_eq!(f.value(), Priority::ALL[0].code());
        f.cycle(-1);
        assert_eq!(f.value(), Priority::ALL[Priority::ALL.len() - 1].code());
    }
}
