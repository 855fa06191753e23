//! The application's state: what is on screen, the messages that reach
//! `App::update`, the effects it asks the runtime for and what those came
//! to. Behaviour lives beside it: keys and messages in `update`, actions in
//! `act`, popups in `popups`, outcomes in `done`.

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::action::Context;
use super::areas::audit::ChainStatus;
use super::areas::kind::FormContext;
use super::areas::{Area, Detail, SearchLine};
use super::form::Form;
use super::list::{ListSpec, ListView};
use super::view::{DashboardView, ListRow};
use crate::domain::InvalidInput;
use crate::keymap::Keymap;
use crate::store::{Command, FirstAdministrator};

/// How many rows a list shows on a screen of `size`: all but the header,
/// tabs, status line, two borders and the column headings. The model
/// pages by it; the screen draws it.
pub fn list_rows(size: (u16, u16)) -> u16 {
    size.1.saturating_sub(6).max(1)
}

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// How long the screen stays unlocked with no key pressed, unless
/// configured otherwise.
pub const DEFAULT_LOCK_AFTER: Duration = Duration::minutes(10);

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// What a popup shows.
#[derive(Debug, Clone)]
pub enum Popup {
    /// Every binding of the context the user was in.
    Help { context: Context, scroll: u16 },
    /// Every action by name; typing narrows the list.
    Palette {
        input: TextArea<'static>,
        selected: usize,
    },
    /// Full-text search and its results.
    Search {
        input: TextArea<'static>,
        /// The query the hits are for.
        searched: Option<String>,
        hits: Vec<SearchLine>,
        selected: usize,
        error: Option<String>,
    },
    /// The filter text for the sorted column.
    Filter {
        column: usize,
        input: TextArea<'static>,
    },
    /// A question with a yes/no answer.
    Confirm { question: String, yes: Confirmed },
    /// What a check came to (a bundle verified), to read and close.
    Report {
        title: String,
        lines: Vec<String>,
        /// Whether it found a problem.
        failed: bool,
        scroll: u16,
    },
    /// A list to choose the focused field's value from; typing narrows
    /// it. `candidates` is `None` while it is read.
    Pick {
        kind: super::picker::PickKind,
        goes: super::picker::Goes,
        /// The form's field the choice goes into.
        field: usize,
        candidates: Option<Vec<(String, String)>>,
        input: TextArea<'static>,
        selected: usize,
    },
}

/// What a confirmation does when answered yes.
#[derive(Debug, Clone)]
pub enum Confirmed {
    DiscardForm,
    Quit,
    /// Log out, losing the form being filled in.
    LogOut,
    /// A command with nothing to fill in (submitting a bid, making a
    /// referral, signing a checkpoint), then the record to open again.
    Run {
        command: Box<Command>,
        reopen: Option<(Area, String)>,
    },
    /// A form's irreversible command: run it, the form staying on screen
    /// until it is saved (or refused beside its fields).
    Save {
        command: Box<Command>,
        reopen: Option<(Area, String)>,
    },
}

/// The screen as a whole.
#[derive(Debug, Clone)]
pub enum Screen {
    /// No case file yet: create one and its first account.
    Setup(Form),
    Login(Form),
    /// The application itself.
    Main,
    /// Locked after idling: nothing from the case file is shown until the
    /// password is given again.
    Locked(Form),
    /// Logged in with a one-time password: nothing from the case file is
    /// shown until the account has chosen its own.
    ChoosePassword(Form),
}

/// Who is logged in, as shown in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub username: String,
    pub display_name: String,
    pub rank: String,
    pub roles: String,
    /// The last login and the failed attempts since, shown as the session
    /// starts.
    pub last_login: String,
    /// The roles held, as the permission table reads them: an area whose
    /// list they may not read (case content, for an administrator) loads
    /// nothing, and the screen says what it is for.
    pub held: Vec<crate::domain::role::Role>,
    /// The audit trail's check at login, if it found a problem.
    pub trail_warning: Option<TrailWarning>,
}

/// The audit trail does not verify: the first event that does not, and
/// what was checked and found, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailWarning {
    pub seq: i64,
    pub text: String,
}

impl SessionInfo {
    /// Whether the roles held permit `action`.
    pub fn may(&self, action: crate::domain::permission::Action) -> bool {
        self.held.iter().any(|r| {
            crate::domain::role::RoleSet::new([*r])
                .is_ok_and(|one| crate::domain::permission::permits(&one, action))
        })
    }
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// One demo account, listed on a demo file's login screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub roles: String,
    pub what: String,
}

/// Everything that reaches `update`.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// The clock moved on (sent about once a second).
    Tick(DateTime<Utc>),
    Resize(u16, u16),
    /// Text pasted into the terminal, whole (bracketed paste): one edit,
    /// never a stream of keys that Enter in it would act on.
    Paste(String),
    /// What an effect came to.
    Done(Box<Outcome>),
}

/// What to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    Dashboard,
    Page {
        area: Area,
        spec: ListSpec,
        start: u64,
    },
    Open {
        area: Area,
        key: String,
    },
    /// What a field's value may be chosen from.
    Choices(super::picker::PickKind),
    /// The earlier reasoning the text of form field `field` (by index,
    /// with its id) is near-identical to, if any.
    Similar {
        field: usize,
        id: &'static str,
        text: String,
        drafting: crate::store::Drafting,
    },
}

/// Side effects, run by the runtime; `update` never touches the case file.
pub enum Effect {
    Create {
        path: std::path::PathBuf,
        admin: FirstAdministrator,
        head: crate::store::HeadOfUnit,
    },
    Login {
        username: String,
        password: zeroize::Zeroizing<String>,
    },
    /// Ends the session: back to the login screen.
    LogOut,
    /// Verifies an export bundle (reads only; no case file is needed).
    VerifyBundle {
        dir: std::path::PathBuf,
        /// None: the case file's own verifier key.
        key: Option<String>,
        since: Option<std::path::PathBuf>,
    },
    /// The same user's password, to unlock.
    Unlock {
        password: zeroize::Zeroizing<String>,
    },
    /// The logged-in account's own password, replacing a one-time one.
    ChoosePassword {
        password: crate::domain::account::NewPassword,
    },
    Load(Load),
    Search(String),
    /// Opens the audit trail (audited once) and starts verifying it.
    OpenAuditTrail,
    /// Verifies the next stretch of the audit chain.
    VerifyChainStep,
    /// Asks whether another session changed the case file since last
    /// asked (every tick; cheap: see `CaseFile::changed_since`).
    CheckChanged,
    /// Writes the central record as CSV to a new file.
    ExportCentralRecord {
        path: std::path::PathBuf,
        /// The area to load again once it is written.
        area: Area,
    },
    Execute {
        command: Command,
        /// What to open afterwards: the record the form was about, or the
        /// new record (`None` opens what the command made).
        reopen: Option<(Area, String)>,
        area: Area,
    },
}

/// What running an effect came to.
#[derive(Debug)]
pub enum Outcome {
    /// What a field's value may be chosen from, as read.
    Choices(super::picker::PickKind, Vec<(String, String)>),
    /// What the text of form field `field` was found near-identical to
    /// ("92% the same as AUTH-2026-0003's proportionality"), if anything.
    Similar {
        field: usize,
        id: &'static str,
        text: String,
        found: Option<String>,
    },
    Created {
        username: String,
        casefile: String,
    },
    /// Logged in; with the resource types bids may ask for.
    LoggedIn(SessionInfo, Vec<super::areas::kind::Resource>),
    /// Logged in with a one-time password: the account must choose its
    /// own first; `notice` says who set the one-time password.
    MustChoosePassword {
        username: String,
        notice: String,
    },
    Unlocked,
    LoggedOut,
    /// A check's result, to read.
    Report {
        title: String,
        lines: Vec<String>,
        failed: bool,
    },
    /// Login or unlock refused; the message says why without saying which
    /// of username and password was wrong.
    Refused(String),
    Page {
        area: Area,
        spec: ListSpec,
        start: u64,
        total: u64,
        rows: Vec<ListRow>,
    },
    Opened(Detail),
    Dashboard(DashboardView),
    Hits {
        query: String,
        hits: Vec<SearchLine>,
    },
    SearchFailed {
        query: String,
        message: String,
    },
    Saved {
        message: String,
        reopen: Option<(Area, String)>,
        area: Area,
    },
    /// The audit trail was opened; it holds `total` events.
    AuditOpened {
        total: u64,
    },
    ChainChecked(ChainStatus),
    /// Whether another session changed the case file since last asked.
    ChangedElsewhere(bool),
    /// Bad input the case file refused (nothing was written).
    Invalid(InvalidInput),
    /// Anything else that went wrong, as a message for the status line.
    Failed(String),
}

/// The whole state of the application.
pub struct App {
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub keymap: Keymap,
    /// Problems found in the user's keymap file, shown once after login.
    pub keymap_problems: Vec<String>,
    /// The user's keymap file could not be used at all (unreadable, or
    /// not TOML), so every key is the default.
    pub keymap_ignored: bool,
    /// Warnings about the case file itself (others can read it), shown
    /// once someone has logged in.
    pub file_warnings: Vec<String>,
    /// The case file's name, for the header.
    pub casefile: String,
    /// Set for a demo case file: its accounts, listed on the login screen.
    pub demo: Option<(Vec<DemoLogin>, String)>,
    pub screen: Screen,
    pub session: Option<SessionInfo>,
    pub area: Area,
    /// One list per area, in the registry's order.
    pub lists: Vec<ListView>,
    pub detail: Option<Detail>,
    pub focus: Focus,
    pub dashboard: Option<DashboardView>,
    /// The selected entry of the dashboard's diary.
    pub due_selected: usize,
    /// The area a record was opened from, when it opened in another (from
    /// the queue, the dashboard or a search): closing it goes back there.
    pub return_to: Option<Area>,
    /// The audit viewer's verification of the chain, once it is open.
    pub chain: Option<ChainStatus>,
    /// The audit trail does not verify (found at login, or by the audit
    /// viewer): shown to every user in the header until they log out.
    pub trail_warning: Option<TrailWarning>,
    pub popup: Option<Popup>,
    pub form: Option<Form>,
    pub status: Option<Status>,
    /// The resource types bids may ask for: (code, label).
    pub resources: Vec<super::areas::kind::Resource>,
    pub lock_after: Duration,
    pub last_activity: DateTime<Utc>,
    /// Another session changed the case file while a form or popup was
    /// open: what is on screen reloads once it is closed.
    pub stale: bool,
    /// The key of the row selected when a reload for another session's
    /// change was asked for: the selection stays on it.
    pub(super) keep_selected: Option<String>,
    pub quit: bool,
}

impl App {
    /// An application starting on the login screen of an open case file,
    /// or (with `setup`) on the form that creates one.
    pub fn new(
        now: DateTime<Utc>,
        size: (u16, u16),
        keymap: Keymap,
        casefile: String,
        setup: Option<String>,
    ) -> App {
        let screen = match setup {
            Some(path) => Screen::Setup(Form::setup(&path)),
            None => Screen::Login(Form::login("")),
        };
        let lists = Area::ALL
            .iter()
            .map(|area| {
                let mut list = ListView {
                    columns: area.columns(),
                    ..ListView::default()
                };
                list.spec.descending = area.newest_first();
                list
            })
            .collect();
        App {
            now,
            size,
            keymap,
            keymap_problems: Vec::new(),
            keymap_ignored: false,
            file_warnings: Vec::new(),
            casefile,
            demo: None,
            screen,
            session: None,
            area: Area::Dashboard,
            lists,
            detail: None,
            focus: Focus::List,
            dashboard: None,
            due_selected: 0,
            return_to: None,
            chain: None,
            trail_warning: None,
            popup: None,
            form: None,
            status: None,
            resources: Vec::new(),
            lock_after: DEFAULT_LOCK_AFTER,
            last_activity: now,
            stale: false,
            keep_selected: None,
            quit: false,
        }
    }

    pub fn list(&self, area: Area) -> &ListView {
        &self.lists[area.index()]
    }

    pub(super) fn list_mut(&mut self, area: Area) -> &mut ListView {
        &mut self.lists[area.index()]
    }

    /// The keymap context the keyboard is in.
    pub fn context(&self) -> Context {
        if self.popup.is_some() {
            Context::Popup
        } else if self.form.is_some() || !matches!(self.screen, Screen::Main) {
            Context::Form
        } else if self.focus == Focus::Detail && self.detail.is_some() {
            Context::Detail
        } else {
            Context::List
        }
    }

    /// The screen is smaller than ccu draws in: only the message saying so
    /// is shown, so no key may act on what cannot be seen.
    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// A form with changes not yet saved is open, hidden or not.
    pub fn unsaved_form(&self) -> bool {
        self.form.as_ref().is_some_and(|f| f.dirty)
    }

    /// How many list rows fit on screen at the current size; used for
    /// paging so PgDn moves exactly one screenful.
    pub fn list_height(&self) -> u64 {
        list_rows(self.size) as u64
    }

    /// Time left before the screen locks.
    pub fn lock_in(&self) -> Duration {
        (self.last_activity + self.lock_after - self.now).max(Duration::zero())
    }

    /// The status line can quote what someone typed or what the case file
    /// holds (a refusal naming a department, a search): sanitised here, on
    /// the way in, like everything else the screens show.
    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: crate::sanitise::for_terminal(&text.into()).into_owned(),
            error: false,
        });
    }

    pub(super) fn complain(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: crate::sanitise::for_terminal(&text.into()).into_owned(),
            error: true,
        });
    }

    /// Whether work goes on in the background (the audit chain verified a
    /// step a tick): the event loop then ticks as soon as no key waits,
    /// instead of every half second.
    pub fn working(&self) -> bool {
        matches!(self.screen, Screen::Main)
            && self.area.verifies_chain()
            && self.chain.as_ref().is_some_and(|c| !c.done)
    }

    /// Whether the user may read the area's list (an administrator reads
    /// no case content, only the accounts).
    pub fn may_read(&self, area: Area) -> bool {
        self.session.as_ref().is_none_or(|s| s.may(area.reads()))
    }

    /// What the forms need from the application around them.
    pub fn form_context(&self) -> FormContext<'_> {
        FormContext {
            resources: &self.resources,
            roles: self.session.as_ref().map_or(&[], |s| &s.held),
        }
    }
}
