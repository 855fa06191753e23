//! The application model (Elm style): `App` holds what is on screen,
//! `App::update` turns a message (a key, a tick, a result) into a new state
//! and the effects to run, and `runtime::Runtime` runs those effects against
//! the case file in one place. Rendering (`crate::ui`) only reads `App`.

pub mod action;
pub mod audit_filter;
pub mod covert_forms;
pub mod form;
pub mod runtime;
pub mod view;

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

pub use action::{Action, Context};
use form::{Form, FormKind, Submission};
use view::{DashboardView, Detail, DetailSource, ListRow, SearchLine};

use crate::domain::InvalidInput;
use crate::keymap::Keymap;
use crate::store::{Command, FirstAdministrator};

/// What a checked form asks for: a covert workflow form's by
/// `covert_forms::build`, any other's by `Form::build_casework`.
fn build_form(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    covert_forms::build(form, now)
        .or_else(|| form.build_casework(now))
        .unwrap_or_else(|| Err(InvalidInput::new("form", "this form has nothing to save")))
}

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

/// Rows kept in memory around the selection of a list: lists are virtual,
/// and only this window is ever loaded.
pub const WINDOW: u64 = 200;

/// The areas of the application, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Dashboard,
    Intelligence,
    Subjects,
    Operations,
    Bids,
    Authorisations,
    Referrals,
    /// What waits for the user's decision.
    Queue,
    Audit,
}

impl Area {
    pub const ALL: [Area; 9] = [
        Area::Dashboard,
        Area::Intelligence,
        Area::Subjects,
        Area::Operations,
        Area::Bids,
        Area::Authorisations,
        Area::Referrals,
        Area::Queue,
        Area::Audit,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Area::Dashboard => "Dashboard",
            Area::Intelligence => "Intelligence",
            Area::Subjects => "Subjects",
            Area::Operations => "Operations",
            Area::Bids => "Bids",
            Area::Authorisations => "Authorisations",
            Area::Referrals => "Referrals",
            Area::Queue => "Waiting for me",
            Area::Audit => "Audit trail",
        }
    }

    /// The title where room is short (the tabs on a narrow screen).
    pub fn short_title(self) -> &'static str {
        match self {
            Area::Dashboard => "Home",
            Area::Intelligence => "Intel",
            Area::Subjects => "Subj",
            Area::Operations => "Ops",
            Area::Bids => "Bids",
            Area::Authorisations => "Auth",
            Area::Referrals => "Refs",
            Area::Queue => "Queue",
            Area::Audit => "Audit",
        }
    }

    /// The action that goes to this area.
    pub fn action(self) -> Action {
        match self {
            Area::Dashboard => Action::Dashboard,
            Area::Intelligence => Action::Intelligence,
            Area::Subjects => Action::Subjects,
            Area::Operations => Action::Operations,
            Area::Bids => Action::Bids,
            Area::Authorisations => Action::Authorisations,
            Area::Referrals => Action::Referrals,
            Area::Queue => Action::Queue,
            Area::Audit => Action::Audit,
        }
    }

    /// Whether the area is a list of records.
    pub fn is_list(self) -> bool {
        self != Area::Dashboard
    }

    /// Lists short enough to be read whole and sorted and filtered in
    /// memory; the others are paged by the case file.
    pub fn in_memory(self) -> bool {
        matches!(
            self,
            Area::Bids | Area::Authorisations | Area::Referrals | Area::Queue
        )
    }

    /// The area whose records carry this reference: a URN names its kind,
    /// anything else is a codename.
    pub fn of_reference(reference: &str) -> Area {
        match reference.split('-').next() {
            Some("INT") => Area::Intelligence,
            Some("BID") => Area::Bids,
            Some("AUTH") => Area::Authorisations,
            Some("REF") => Area::Referrals,
            _ => Area::Operations,
        }
    }

    fn index(self) -> usize {
        Area::ALL.iter().position(|a| *a == self).expect("listed")
    }
}

/// Sort and filter of a list, by column index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListSpec {
    pub sort: usize,
    pub descending: bool,
    pub filter: Option<(usize, String)>,
    /// The audit viewer's own filter (the audit list only).
    pub audit: audit_filter::AuditFilter,
}

/// A list of records, of which only a window is loaded.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub columns: Vec<&'static str>,
    pub spec: ListSpec,
    /// How many rows match, in all.
    pub total: u64,
    pub selected: u64,
    /// The index of `rows[0]`.
    pub window_start: u64,
    /// Already sanitised for the screen.
    pub rows: Vec<ListRow>,
    pub loaded: bool,
}

impl ListView {
    pub fn row(&self, index: u64) -> Option<&ListRow> {
        index
            .checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i as usize))
    }

    pub fn selected_row(&self) -> Option<&ListRow> {
        self.row(self.selected)
    }

    /// Whether rows around the selection are missing from the window.
    fn needs_window(&self, margin: u64) -> bool {
        if !self.loaded {
            return true;
        }
        let end = self.window_start + self.rows.len() as u64;
        let low = self.selected.saturating_sub(margin);
        let high = (self.selected + margin).min(self.total);
        low < self.window_start || high > end
    }

    /// Where to start a window that covers the selection.
    fn window_for_selection(&self) -> u64 {
        self.selected.saturating_sub(WINDOW / 2)
    }
}

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
}

/// What a confirmation does when answered yes.
#[derive(Debug, Clone)]
pub enum Confirmed {
    DiscardForm,
    Quit,
    /// A command with nothing to fill in (submitting a bid, making a
    /// referral), then the record to open again.
    Run {
        command: Box<Command>,
        reopen: (Area, String),
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

/// How far the audit viewer has verified the chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainStatus {
    pub verified_through: i64,
    pub total: i64,
    /// The first break: its seq and what is wrong.
    pub broken: Option<(i64, String)>,
    pub done: bool,
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
    /// Writes the central record as CSV to a new file.
    ExportCentralRecord {
        path: std::path::PathBuf,
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
    Created {
        username: String,
        casefile: String,
    },
    /// Logged in; with the resource types bids may ask for.
    LoggedIn(SessionInfo, Vec<(String, String)>),
    /// Logged in with a one-time password: the account must choose its
    /// own first; `notice` says who set the one-time password.
    MustChoosePassword {
        username: String,
        notice: String,
    },
    Unlocked,
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
    ChainChecked {
        verified_through: i64,
        total: i64,
        broken: Option<(i64, String)>,
        done: bool,
    },
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
    pub lists: [ListView; 9],
    pub detail: Option<Detail>,
    pub focus: Focus,
    pub dashboard: Option<DashboardView>,
    /// The selected entry of the dashboard's diary.
    pub due_selected: usize,
    /// The audit viewer's verification of the chain, once it is open.
    pub chain: Option<ChainStatus>,
    pub popup: Option<Popup>,
    pub form: Option<Form>,
    pub status: Option<Status>,
    /// The resource types bids may ask for: (code, label).
    pub resources: Vec<(String, String)>,
    pub lock_after: Duration,
    pub last_activity: DateTime<Utc>,
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
        let mut lists: [ListView; 9] = Default::default();
        for area in Area::ALL {
            lists[area.index()].columns = view::columns(area);
        }
        // Newest first where records arrive over time.
        lists[Area::Intelligence.index()].spec.descending = true;
        lists[Area::Operations.index()].spec.descending = true;
        App {
            now,
            size,
            keymap,
            keymap_problems: Vec::new(),
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
            chain: None,
            popup: None,
            form: None,
            status: None,
            resources: Vec::new(),
            lock_after: DEFAULT_LOCK_AFTER,
            last_activity: now,
            quit: false,
        }
    }

    pub fn list(&self, area: Area) -> &ListView {
        &self.lists[area.index()]
    }

    fn list_mut(&mut self, area: Area) -> &mut ListView {
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

    /// How many list rows fit on screen at the current size; used for
    /// paging so PgDn moves exactly one screenful.
    pub fn list_height(&self) -> u64 {
        list_rows(self.size) as u64
    }

    /// Time left before the screen locks.
    pub fn lock_in(&self) -> Duration {
        (self.last_activity + self.lock_after - self.now).max(Duration::zero())
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// Whether work goes on in the background (the audit chain verified a
    /// step a tick): the event loop then ticks as soon as no key waits,
    /// instead of every half second.
    pub fn working(&self) -> bool {
        matches!(self.screen, Screen::Main)
            && self.area == Area::Audit
            && self.chain.as_ref().is_some_and(|c| !c.done)
    }

    /// The one place state changes.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Tick(now) => {
                self.now = now;
                if matches!(self.screen, Screen::Main) && self.lock_in().is_zero() {
                    self.lock();
                    return Vec::new();
                }
                // Verification of the audit chain goes on a stretch a tick
                // while the viewer is open.
                match &self.chain {
                    Some(c) if !c.done && self.area == Area::Audit => vec![Effect::VerifyChainStep],
                    _ => Vec::new(),
                }
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.load_visible()
            }
            Msg::Key(key) => {
                if key.kind == KeyEventKind::Release {
                    return Vec::new();
                }
                self.last_activity = self.now;
                self.key(key)
            }
            Msg::Done(outcome) => self.done(*outcome),
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        match &mut self.screen {
            Screen::Setup(_) | Screen::Login(_) | Screen::Locked(_) | Screen::ChoosePassword(_) => {
                if ctrl_c {
                    self.quit = true;
                    return Vec::new();
                }
                self.key_outer_form(key)
            }
            Screen::Main => {
                if self.popup.is_some() {
                    self.key_popup(key)
                } else if self.form.is_some() {
                    self.key_form(key)
                } else {
                    match self.keymap.action(self.context(), &key) {
                        Some(action) => self.act(action),
                        None => Vec::new(),
                    }
                }
            }
        }
    }

    /// Keys on the setup, login and lock screens.
    fn key_outer_form(&mut self, key: KeyEvent) -> Vec<Effect> {
        let now = self.now;
        let form = match &mut self.screen {
            Screen::Setup(f) | Screen::Login(f) | Screen::Locked(f) | Screen::ChoosePassword(f) => {
                f
            }
            Screen::Main => return Vec::new(),
        };
        let last = form.focus + 1 == form.fields.len();
        let save = key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Tab | KeyCode::Down => form.move_focus(1, now),
            KeyCode::BackTab | KeyCode::Up => form.move_focus(-1, now),
            KeyCode::Enter if !last => form.move_focus(1, now),
            KeyCode::Enter => return self.submit_outer(),
            _ if save => return self.submit_outer(),
            _ => form.key(key),
        }
        Vec::new()
    }

    fn submit_outer(&mut self) -> Vec<Effect> {
        let now = self.now;
        let locked_user = matches!(self.screen, Screen::Locked(_))
            .then(|| self.session.as_ref().map(|s| s.username.clone()))
            .flatten();
        let form = match &mut self.screen {
            Screen::Setup(f) | Screen::Login(f) | Screen::Locked(f) | Screen::ChoosePassword(f) => {
                f
            }
            Screen::Main => return Vec::new(),
        };
        if locked_user.is_some() {
            // The lock screen: the same user, password only.
            let password = zeroize::Zeroizing::new(form.fields[0].value());
            return vec![Effect::Unlock { password }];
        }
        match form.submit(now, build_form) {
            Some(Submission::Setup { path, admin, head }) => {
                vec![Effect::Create { path, admin, head }]
            }
            Some(Submission::Login { username, password }) => {
                vec![Effect::Login { username, password }]
            }
            Some(Submission::ChoosePassword(password)) => {
                vec![Effect::ChoosePassword { password }]
            }
            _ => Vec::new(),
        }
    }

    /// Keys in a record form.
    fn key_form(&mut self, key: KeyEvent) -> Vec<Effect> {
        let now = self.now;
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        let takes_text = form.focused().takes_text();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Printable keys belong to a text field; Enter starts a new line in
        // a multi-line one and moves on from anything else.
        if takes_text && plain && matches!(key.code, KeyCode::Char(_)) {
            form.key(key);
            return Vec::new();
        }
        if key.code == KeyCode::Enter && plain {
            if form.focused().is_multiline() {
                form.key(key);
            } else if form.focus + 1 == form.fields.len() {
                return self.save_form();
            } else {
                form.move_focus(1, now);
            }
            return Vec::new();
        }
        match self.keymap.action(Context::Form, &key) {
            Some(Action::Save) => return self.save_form(),
            Some(Action::Back) => {
                if form.dirty {
                    self.popup = Some(Popup::Confirm {
                        question: "Leave this form? What you typed will be lost.".into(),
                        yes: Confirmed::DiscardForm,
                    });
                } else {
                    self.form = None;
                }
            }
            Some(Action::NextPane) | Some(Action::Down) if !form.focused().is_multiline() => {
                form.move_focus(1, now)
            }
            Some(Action::PrevPane) | Some(Action::Up) if !form.focused().is_multiline() => {
                form.move_focus(-1, now)
            }
            Some(Action::NextPane) => form.move_focus(1, now),
            Some(Action::PrevPane) => form.move_focus(-1, now),
            Some(Action::NextChoice) => form.cycle(1),
            Some(Action::PrevChoice) => form.cycle(-1),
            Some(Action::Help) => {
                self.popup = Some(Popup::Help {
                    context: Context::Form,
                    scroll: 0,
                })
            }
            Some(Action::Quit) if !plain => {
                self.popup = Some(Popup::Confirm {
                    question: "Quit ccu? What you typed in this form will be lost.".into(),
                    yes: Confirmed::Quit,
                })
            }
            _ => form.key(key),
        }
        Vec::new()
    }

    fn save_form(&mut self) -> Vec<Effect> {
        let now = self.now;
        let area = self.area;
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        let reopen = match &form.kind {
            FormKind::Triage { urn, .. } => Some((Area::Intelligence, urn.clone())),
            FormKind::EditSubject { staff_number } => Some((Area::Subjects, staff_number.clone())),
            FormKind::Decision { codename }
            | FormKind::OperationStatus { codename, .. }
            | FormKind::CloseOperation { codename }
            | FormKind::ProposeThreshold { codename }
            | FormKind::DecideThreshold { codename } => Some((Area::Operations, codename.clone())),
            FormKind::DecideBid { urn, .. } | FormKind::CloseBid { urn } => {
                Some((Area::Bids, urn.clone()))
            }
            FormKind::DecideAuthorisation { urn }
            | FormKind::JudicialApproval { urn }
            | FormKind::ReviewAuthorisation { urn }
            | FormKind::RenewAuthorisation { urn }
            | FormKind::CancelAuthorisation { urn } => Some((Area::Authorisations, urn.clone())),
            FormKind::IopcDecision { urn } => Some((Area::Referrals, urn.clone())),
            _ => None,
        };
        match form.submit(now, build_form) {
            Some(Submission::Command(command)) => vec![Effect::Execute {
                command,
                reopen,
                area,
            }],
            Some(Submission::ExportCentralRecord { path }) => {
                vec![Effect::ExportCentralRecord { path }]
            }
            Some(Submission::AuditFilter(filter)) => {
                self.form = None;
                let list = self.list_mut(Area::Audit);
                list.spec.audit = filter;
                list.selected = 0;
                self.reload(Area::Audit)
            }
            _ => Vec::new(),
        }
    }

    fn key_popup(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.keymap.action(Context::Popup, &key);
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let Some(popup) = self.popup.as_mut() else {
            return Vec::new();
        };
        match popup {
            Popup::Help { scroll, .. } => match action {
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::Top) => *scroll = 0,
                Some(Action::Back | Action::Help | Action::Open | Action::Quit) => {
                    self.popup = None
                }
                _ => {}
            },
            Popup::Confirm { yes, .. } => {
                let yes = yes.clone();
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                        self.popup = None;
                        match yes {
                            Confirmed::DiscardForm => self.form = None,
                            Confirmed::Quit => self.quit = true,
                            Confirmed::Run { command, reopen } => {
                                return vec![Effect::Execute {
                                    command: *command,
                                    reopen: Some(reopen),
                                    area: self.area,
                                }];
                            }
                        }
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.popup = None,
                    _ => {}
                }
            }
            Popup::Filter { column, input } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Tab | KeyCode::BackTab => {
                    let n = self.lists[self.area.index()].columns.len().max(1);
                    let by = if key.code == KeyCode::Tab { 1 } else { n - 1 };
                    *column = (*column + by) % n;
                }
                KeyCode::Enter => {
                    let text = input.lines().join(" ").trim().to_string();
                    let column = *column;
                    self.popup = None;
                    let area = self.area;
                    let list = self.list_mut(area);
                    list.spec.filter = (!text.is_empty()).then_some((column, text));
                    list.selected = 0;
                    return self.reload(area);
                }
                _ => {
                    input.input(key);
                }
            },
            Popup::Palette { input, selected } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Down => *selected += 1,
                KeyCode::Enter => {
                    let query = input.lines().join(" ");
                    let matches = palette_matches(&query);
                    let chosen = matches.get((*selected).min(matches.len().saturating_sub(1)));
                    self.popup = None;
                    if let Some(action) = chosen.copied() {
                        return self.act(action);
                    }
                }
                _ => {
                    if input.input(key) {
                        *selected = 0;
                    }
                }
            },
            Popup::Search {
                input,
                searched,
                hits,
                selected,
                error,
            } => {
                let query = input.lines().join(" ").trim().to_string();
                match key.code {
                    KeyCode::Esc => self.popup = None,
                    KeyCode::Up => *selected = selected.saturating_sub(1),
                    KeyCode::Down => *selected = (*selected + 1).min(hits.len().saturating_sub(1)),
                    KeyCode::Enter if searched.as_deref() != Some(query.as_str()) => {
                        *error = None;
                        if query.is_empty() {
                            *error = Some("type something to search for".into());
                            return Vec::new();
                        }
                        return vec![Effect::Search(query)];
                    }
                    KeyCode::Enter => {
                        if let Some(hit) = hits.get(*selected) {
                            let (area, key) = (hit.area, hit.key.clone());
                            self.popup = None;
                            return self.open(area, key);
                        }
                    }
                    _ if plain || key.code != KeyCode::Char('c') => {
                        input.input(key);
                    }
                    _ => {}
                }
            }
        }
        Vec::new()
    }

    /// Does what an action means where the user is.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                if self.form.as_ref().is_some_and(|f| f.dirty) {
                    self.popup = Some(Popup::Confirm {
                        question: "Quit ccu? What you typed in this form will be lost.".into(),
                        yes: Confirmed::Quit,
                    });
                } else {
                    self.quit = true;
                }
                Vec::new()
            }
            Action::Help => {
                self.popup = Some(Popup::Help {
                    context: self.context(),
                    scroll: 0,
                });
                Vec::new()
            }
            Action::Palette => {
                self.popup = Some(Popup::Palette {
                    input: TextArea::default(),
                    selected: 0,
                });
                Vec::new()
            }
            Action::Search => {
                self.popup = Some(Popup::Search {
                    input: TextArea::default(),
                    searched: None,
                    hits: Vec::new(),
                    selected: 0,
                    error: None,
                });
                Vec::new()
            }
            Action::Lock => {
                self.lock();
                Vec::new()
            }
            Action::Dashboard => self.go(Area::Dashboard),
            Action::Intelligence => self.go(Area::Intelligence),
            Action::Subjects => self.go(Area::Subjects),
            Action::Operations => self.go(Area::Operations),
            Action::Bids => self.go(Area::Bids),
            Action::Authorisations => self.go(Area::Authorisations),
            Action::Referrals => self.go(Area::Referrals),
            Action::Queue => self.go(Area::Queue),
            Action::Audit => self.go(Area::Audit),
            Action::NextArea | Action::PrevArea => {
                let n = Area::ALL.len();
                let by = if action == Action::NextArea { 1 } else { n - 1 };
                self.go(Area::ALL[(self.area.index() + by) % Area::ALL.len()])
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.list_height() as i64)),
            Action::PageDown => self.move_by(self.list_height() as i64),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::Open => {
                if self.area == Area::Dashboard {
                    let chosen = self
                        .dashboard
                        .as_ref()
                        .and_then(|d| d.due.get(self.due_selected))
                        .map(|d| d.key.clone());
                    return match chosen {
                        Some(key) => self.open(Area::of_reference(&key), key),
                        None => Vec::new(),
                    };
                }
                if self.area == Area::Audit {
                    if let Some(row) = self.list(Area::Audit).selected_row() {
                        self.detail = Some(view::audit_detail(row));
                        self.focus = Focus::Detail;
                    }
                    return Vec::new();
                }
                if let Some(form) = self.access_form() {
                    self.form = Some(form);
                    return Vec::new();
                }
                match self.list(self.area).selected_row() {
                    Some(row) => {
                        let key = row.key.clone();
                        self.open(self.area, key)
                    }
                    None => Vec::new(),
                }
            }
            Action::Back => {
                if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                } else if self.detail.is_some() {
                    self.detail = None;
                }
                Vec::new()
            }
            Action::NextPane | Action::PrevPane => {
                if self.detail.is_some() {
                    self.focus = match self.focus {
                        Focus::List => Focus::Detail,
                        Focus::Detail => Focus::List,
                    };
                }
                Vec::new()
            }
            Action::SortNext | Action::SortReverse if self.area == Area::Audit => {
                self.complain(
                    "The audit trail is shown in the order it was recorded, newest first.",
                );
                Vec::new()
            }
            Action::ClearFilter if self.area == Area::Audit => {
                let list = self.list_mut(Area::Audit);
                list.spec.audit = audit_filter::AuditFilter::default();
                list.selected = 0;
                self.reload(Area::Audit)
            }
            Action::SortNext | Action::SortReverse | Action::ClearFilter | Action::Refresh => {
                let area = self.area;
                if !area.is_list() {
                    return self.reload(area);
                }
                let list = self.list_mut(area);
                match action {
                    Action::SortNext => {
                        list.spec.sort = (list.spec.sort + 1) % list.columns.len();
                        list.spec.descending = false;
                    }
                    Action::SortReverse => list.spec.descending = !list.spec.descending,
                    Action::ClearFilter => list.spec.filter = None,
                    _ => {}
                }
                if action != Action::Refresh {
                    list.selected = 0;
                }
                let mut effects = self.reload(area);
                if action == Action::Refresh
                    && let Some(detail) = &self.detail
                {
                    effects.push(Effect::Load(Load::Open {
                        area: detail.area,
                        key: detail.key.clone(),
                    }));
                }
                effects
            }
            Action::Filter if self.area == Area::Audit => {
                self.form = Some(Form::audit_filter(&self.list(Area::Audit).spec.audit));
                Vec::new()
            }
            Action::Filter => {
                if self.area.is_list() {
                    let list = self.list(self.area);
                    let column = list.spec.sort;
                    let mut input = TextArea::default();
                    if let Some((c, text)) = &list.spec.filter
                        && *c == column
                    {
                        input.insert_str(text);
                    }
                    self.popup = Some(Popup::Filter { column, input });
                }
                Vec::new()
            }
            Action::New => {
                let form = match self.area {
                    Area::Dashboard | Area::Intelligence => Form::new_intelligence(),
                    Area::Subjects => Form::new_subject(),
                    Area::Operations => Form::new_operation(),
                    Area::Bids => Form::draft_bid(None, &self.resources),
                    Area::Authorisations => Form::apply_authorisation(None),
                    Area::Referrals => Form::record_referral(None, None),
                    Area::Queue | Area::Audit => {
                        self.complain(format!("{}: nothing is made here", self.area.title()));
                        return Vec::new();
                    }
                };
                self.form = Some(form);
                Vec::new()
            }
            Action::Export => {
                if self.area == Area::Authorisations {
                    self.form = Some(Form::export_central_record("central-record.csv"));
                } else {
                    self.complain(format!(
                        "{}: go to {} first",
                        Action::Export.description(),
                        Area::Authorisations.title()
                    ));
                }
                Vec::new()
            }
            Action::Edit
            | Action::AddDecision
            | Action::Triage
            | Action::ChangeStatus
            | Action::Close
            | Action::ProposeThreshold
            | Action::Decide
            | Action::Submit
            | Action::NewBid
            | Action::ApplyAuthorisation
            | Action::NewReferral
            | Action::Review
            | Action::Renew
            | Action::JudicialApproval
            | Action::IopcDecision => {
                self.record_form(action);
                Vec::new()
            }
            Action::Save | Action::NextChoice | Action::PrevChoice => Vec::new(),
        }
    }

    /// On the queue, with a request for access selected: the form that
    /// decides it (a request is no record to open).
    fn access_form(&self) -> Option<Form> {
        if self.area != Area::Queue {
            return None;
        }
        let row = self.list(Area::Queue).selected_row()?;
        row.key.starts_with("ACR-").then(|| {
            let summary = row
                .cells
                .first()
                .and_then(|c| c.strip_prefix("Access to decide: "))
                .unwrap_or_default();
            Form::decide_access(&row.key, summary)
        })
    }

    /// Opens the form an action on the open record needs, or says what to
    /// open first.
    fn record_form(&mut self, action: Action) {
        if action == Action::Decide
            && let Some(form) = self.access_form()
        {
            self.form = Some(form);
            return;
        }
        use DetailSource as S;
        let source = self.detail.as_ref().map(|d| d.source.clone());
        let form = match (action, source) {
            (Action::Edit, Some(S::Subject(details))) => Form::edit_subject(&details),
            (Action::Triage, Some(S::Intelligence { urn, triage })) => {
                if triage.next().is_empty() {
                    return self.complain(format!(
                        "{urn} is {}: no further triage is possible",
                        triage.label()
                    ));
                }
                Form::triage(&urn, triage)
            }
            (Action::AddDecision, Some(S::Operation { codename, .. })) => Form::decision(&codename),
            (Action::ChangeStatus, Some(S::Operation { codename, status })) => {
                Form::operation_status(&codename, status)
            }
            (Action::Close, Some(S::Operation { codename, .. })) => {
                Form::close_operation(&codename)
            }
            (Action::Close, Some(S::Bid { urn, status, .. })) => {
                if !status.next().iter().any(|s| {
                    matches!(
                        s,
                        crate::domain::bid::BidStatus::Completed
                            | crate::domain::bid::BidStatus::Withdrawn
                    )
                }) {
                    return self
                        .complain(format!("{urn} is {}: it cannot be closed", status.label()));
                }
                Form::close_bid(&urn, status)
            }
            (Action::Close, Some(S::Authorisation { urn, .. })) => Form::cancel_authorisation(&urn),
            (Action::ProposeThreshold, Some(S::Operation { codename, .. })) => {
                Form::propose_threshold(&codename)
            }
            (Action::Decide, Some(S::Operation { codename, .. })) => {
                Form::decide_threshold(&codename)
            }
            (Action::Decide, Some(S::Bid { urn, lines, .. })) => Form::decide_bid(&urn, &lines),
            (Action::Decide, Some(S::Authorisation { urn, .. })) => {
                Form::decide_authorisation(&urn)
            }
            (Action::Submit, Some(S::Bid { urn, .. })) => {
                if let Ok(u) =
                    crate::domain::urn::Urn::parse(crate::domain::urn::UrnKind::Bid, &urn)
                {
                    self.popup = Some(Popup::Confirm {
                        question: format!("Submit {urn} for a supervisor's decision?"),
                        yes: Confirmed::Run {
                            command: Box::new(Command::SubmitBid { urn: u }),
                            reopen: (Area::Bids, urn),
                        },
                    });
                }
                return;
            }
            (Action::Submit, Some(S::Referral { urn, .. })) => {
                if let Ok(u) =
                    crate::domain::urn::Urn::parse(crate::domain::urn::UrnKind::Referral, &urn)
                {
                    self.popup = Some(Popup::Confirm {
                        question: format!("Record {urn} as referred to the IOPC now?"),
                        yes: Confirmed::Run {
                            command: Box::new(Command::MakeReferral { urn: u }),
                            reopen: (Area::Referrals, urn),
                        },
                    });
                }
                return;
            }
            (Action::NewBid, Some(S::Operation { codename, .. })) => {
                Form::draft_bid(Some(&codename), &self.resources)
            }
            (Action::ApplyAuthorisation, Some(S::Operation { codename, .. })) => {
                Form::apply_authorisation(Some(&codename))
            }
            (Action::NewReferral, Some(S::Operation { codename, .. })) => {
                Form::record_referral(Some(&codename), None)
            }
            (Action::NewReferral, Some(S::Referral { urn, operation, .. })) => {
                Form::record_referral(operation.as_deref(), Some(&urn))
            }
            (Action::Review, Some(S::Authorisation { urn, .. })) => {
                Form::review_authorisation(&urn)
            }
            (Action::Renew, Some(S::Authorisation { urn, .. })) => Form::renew_authorisation(&urn),
            (Action::JudicialApproval, Some(S::Authorisation { urn, .. })) => {
                Form::judicial_approval(&urn)
            }
            (Action::IopcDecision, Some(S::Referral { urn, .. })) => Form::iopc_decision(&urn),
            _ => {
                let what = match action {
                    Action::Edit => "a subject",
                    Action::Triage => "an intelligence item",
                    Action::Close => "an operation, a bid or an authorisation",
                    Action::Decide => "an operation, a bid or an authorisation",
                    Action::Submit => "a bid or a referral",
                    Action::Review | Action::Renew | Action::JudicialApproval => "an authorisation",
                    Action::IopcDecision => "a referral",
                    Action::NewReferral => "an operation or a referral",
                    _ => "an operation",
                };
                return self.complain(format!(
                    "{}: open {what} first (select it and press {})",
                    action.description(),
                    self.keymap
                        .hint(Context::List, Action::Open)
                        .unwrap_or_else(|| "Enter".into())
                ));
            }
        };
        self.form = Some(form);
    }

    fn go(&mut self, area: Area) -> Vec<Effect> {
        if area == Area::Audit && self.chain.is_none() {
            self.area = area;
            self.detail = None;
            self.focus = Focus::List;
            self.status = None;
            return vec![Effect::OpenAuditTrail];
        }
        if area != Area::Audit {
            // Leaving the viewer ends the consultation; coming back is a
            // new one, audited again.
            self.chain = None;
        }
        if self.area != area {
            self.status = None;
            self.detail = None;
            self.focus = Focus::List;
        }
        self.area = area;
        self.reload(area)
    }

    fn open(&mut self, area: Area, key: String) -> Vec<Effect> {
        self.area = area;
        let mut effects = Vec::new();
        if !self.list(area).loaded {
            effects = self.reload(area);
        }
        effects.push(Effect::Load(Load::Open { area, key }));
        effects
    }

    /// Loads an area afresh: its list from the top of the window, or the
    /// dashboard.
    fn reload(&mut self, area: Area) -> Vec<Effect> {
        if !area.is_list() {
            return vec![Effect::Load(Load::Dashboard)];
        }
        let list = self.list(area);
        vec![Effect::Load(Load::Page {
            area,
            spec: list.spec.clone(),
            start: list.window_for_selection(),
        })]
    }

    /// Loads what the screen shows now, if it is not loaded.
    fn load_visible(&mut self) -> Vec<Effect> {
        if !matches!(self.screen, Screen::Main) {
            return Vec::new();
        }
        let area = self.area;
        if area.is_list() && self.list(area).needs_window(self.list_height()) {
            return self.reload(area);
        }
        Vec::new()
    }

    fn move_by(&mut self, by: i64) -> Vec<Effect> {
        if self.focus == Focus::Detail
            && let Some(detail) = self.detail.as_mut()
        {
            let max = detail.lines.len().saturating_sub(1) as i64;
            detail.scroll = (detail.scroll as i64 + by).clamp(0, max) as u16;
            return Vec::new();
        }
        if self.area == Area::Dashboard {
            let n = self.dashboard.as_ref().map(|d| d.due.len()).unwrap_or(0);
            if n > 0 {
                self.due_selected = (self.due_selected as i64)
                    .saturating_add(by)
                    .clamp(0, n as i64 - 1) as usize;
            }
            return Vec::new();
        }
        let area = self.area;
        let list = self.list_mut(area);
        if list.total == 0 {
            return Vec::new();
        }
        let last = list.total - 1;
        list.selected = (list.selected as i64)
            .saturating_add(by)
            .clamp(0, last as i64) as u64;
        self.load_visible()
    }

    /// Locks the screen: case content is dropped from memory and the
    /// password is asked for again. An unsaved form is kept, unseen.
    pub fn lock(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let mut form = Form::login(&session.username);
        form.kind = FormKind::Login;
        form.fields.remove(0);
        form.focus = 0;
        form.title = format!("Locked: password for {}", session.username);
        self.screen = Screen::Locked(form);
        self.popup = None;
        self.dashboard = None;
        self.chain = None;
        for list in &mut self.lists {
            list.rows.clear();
            list.loaded = false;
        }
        if let Some(detail) = &mut self.detail {
            detail.lines.clear();
        }
        self.status = None;
    }

    fn done(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::Created { username, casefile } => {
                self.casefile = casefile;
                self.screen = Screen::Login(Form::login(&username));
                self.say("Case file created. Log in with the password you chose.");
                Vec::new()
            }
            Outcome::LoggedIn(session, resources) => {
                let last_login = session.last_login.clone();
                self.session = Some(session);
                self.resources = resources;
                self.screen = Screen::Main;
                self.last_activity = self.now;
                let effects = self.go(self.area);
                if !self.file_warnings.is_empty() {
                    self.complain(self.file_warnings.join("; "));
                } else if self.keymap_problems.is_empty() {
                    self.status = None;
                    if !last_login.is_empty() {
                        self.say(last_login);
                    }
                } else {
                    self.complain(format!(
                        "Your keymap file has problems; the defaults stand for those keys: {}",
                        self.keymap_problems.join("; ")
                    ));
                }
                effects
            }
            Outcome::MustChoosePassword { username, notice } => {
                self.screen = Screen::ChoosePassword(Form::choose_password(&username, &notice));
                self.status = None;
                Vec::new()
            }
            Outcome::Unlocked => {
                self.screen = Screen::Main;
                self.last_activity = self.now;
                let mut effects = self.reload(self.area);
                if let Some(detail) = &self.detail {
                    effects.push(Effect::Load(Load::Open {
                        area: detail.area,
                        key: detail.key.clone(),
                    }));
                }
                effects
            }
            Outcome::Refused(message) => {
                if let Screen::Login(form) | Screen::Locked(form) = &mut self.screen {
                    form.error = Some(message);
                    // The password is asked for afresh.
                    if let Some(field) = form.fields.iter_mut().find(|f| f.label == "password") {
                        *field = form::Field::password("password");
                    }
                    form.focus = form.fields.len() - 1;
                }
                Vec::new()
            }
            Outcome::Page {
                area,
                spec,
                start,
                total,
                rows,
            } => {
                let list = self.list_mut(area);
                if list.spec != spec {
                    return Vec::new(); // an answer to an older question
                }
                list.total = total;
                list.window_start = start;
                list.rows = rows;
                list.loaded = true;
                if list.selected >= total {
                    list.selected = total.saturating_sub(1);
                    if total > 0 && list.needs_window(0) {
                        return self.reload(area);
                    }
                }
                Vec::new()
            }
            Outcome::Opened(detail) => {
                self.area = detail.area;
                let mut effects = Vec::new();
                if !self.list(detail.area).loaded {
                    effects = self.reload(detail.area);
                }
                let list = self.list_mut(detail.area);
                // Select the record in its list when it is in the window.
                if let Some(i) = list.rows.iter().position(|r| r.key == detail.key) {
                    list.selected = list.window_start + i as u64;
                }
                self.detail = Some(detail);
                self.focus = Focus::Detail;
                effects
            }
            Outcome::Dashboard(view) => {
                self.due_selected = self.due_selected.min(view.due.len().saturating_sub(1));
                self.dashboard = Some(view);
                Vec::new()
            }
            Outcome::Hits { query, hits } => {
                if let Some(Popup::Search {
                    searched,
                    hits: shown,
                    selected,
                    error,
                    ..
                }) = &mut self.popup
                {
                    *error = hits
                        .is_empty()
                        .then(|| format!("nothing you may see matches '{query}'"));
                    *searched = Some(query);
                    *shown = hits;
                    *selected = 0;
                }
                Vec::new()
            }
            Outcome::SearchFailed { query, message } => {
                if let Some(Popup::Search {
                    searched,
                    hits,
                    error,
                    ..
                }) = &mut self.popup
                {
                    *searched = Some(query);
                    hits.clear();
                    *error = Some(message);
                }
                Vec::new()
            }
            Outcome::Saved {
                message,
                reopen,
                area,
            } => {
                self.form = None;
                self.say(message);
                let mut effects = self.reload(area);
                if let Some((area, key)) = reopen {
                    effects.push(Effect::Load(Load::Open { area, key }));
                }
                effects
            }
            Outcome::AuditOpened { total } => {
                self.chain = Some(ChainStatus {
                    total: total as i64,
                    ..ChainStatus::default()
                });
                let mut effects = self.reload(Area::Audit);
                effects.push(Effect::VerifyChainStep);
                effects
            }
            Outcome::ChainChecked {
                verified_through,
                total,
                broken,
                done,
            } => {
                if let Some(c) = &mut self.chain {
                    *c = ChainStatus {
                        verified_through,
                        total,
                        broken,
                        done,
                    };
                }
                Vec::new()
            }
            Outcome::Invalid(e) => {
                match &mut self.form {
                    Some(form) => {
                        self.status = None;
                        form.fail(e)
                    }
                    None => match &mut self.screen {
                        Screen::Setup(form) | Screen::ChoosePassword(form) => form.fail(e),
                        _ => self.complain(e.to_string()),
                    },
                }
                Vec::new()
            }
            Outcome::Failed(message) => {
                match (&mut self.form, &mut self.screen) {
                    (Some(form), _) => {
                        self.status = None;
                        form.error = Some(message)
                    }
                    (None, Screen::Setup(form)) => form.error = Some(message),
                    _ => self.complain(message),
                }
                Vec::new()
            }
        }
    }
}

/// The actions the palette offers for what has been typed: every action
/// whose name or description contains each word.
pub fn palette_matches(query: &str) -> Vec<Action> {
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
    let mut found: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|a| {
            let hay = format!("{} {}", a.name(), a.description()).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    // Actions whose name holds what was typed come first.
    found.sort_by_key(|a| !words.iter().all(|w| a.name().contains(w.as_str())));
    found
}
