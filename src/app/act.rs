//! What an action means where the user is: going between areas, moving
//! in lists, opening records and the forms on them.

use ratatui_textarea::TextArea;

use super::action::{Action, Context};
use super::areas::Area;
use super::areas::kind::RecordForm;
use super::form::Form;
use super::model::{App, Confirmed, Effect, Focus, Load, Popup, Screen};

impl App {
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
            Action::LogOut => self.ask_to_log_out(),
            Action::ExportBundle
            | Action::Checkpoint
            | Action::VerifyBundle
            | Action::JumpToEvent
            | Action::SetCapacity => {
                self.list_form(action);
                Vec::new()
            }
            Action::Go(_) => match Area::ALL.iter().find(|a| a.action() == action) {
                Some(area) => self.go(*area),
                None => Vec::new(),
            },
            Action::NextArea | Action::PrevArea => {
                let n = Area::ALL.len();
                let by = if action == Action::NextArea { 1 } else { n - 1 };
                self.go(Area::ALL[(self.area.index() + by) % n])
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.list_height() as i64)),
            Action::PageDown => self.move_by(self.list_height() as i64),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::Open => self.open_selected(action),
            Action::Back => {
                if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                } else if self.detail.is_some() {
                    self.detail = None;
                    // Opened from the queue, the dashboard or a search:
                    // back to where the user was.
                    if let Some(area) = self.return_to.take() {
                        return self.go(area);
                    }
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
            Action::SortNext
            | Action::SortReverse
            | Action::ClearFilter
            | Action::Refresh
            | Action::Filter => self.list_action(action),
            Action::New => {
                if let Some(refused) = self.refusal(self.area, action) {
                    self.complain(refused);
                    return Vec::new();
                }
                match self.area.new_form(&self.form_context()) {
                    Some(form) => self.form = Some(form),
                    None => self.complain(format!("{}: nothing is made here", self.area.title())),
                }
                Vec::new()
            }
            Action::Export => {
                match self.area.export_form() {
                    Some(form) => self.form = Some(form),
                    None => {
                        let there = Area::ALL
                            .iter()
                            .find(|a| a.export_form().is_some())
                            .map_or("", |a| a.title());
                        self.complain(format!(
                            "{}: go to {there} first",
                            Action::Export.description(),
                        ))
                    }
                }
                Vec::new()
            }
            Action::Edit
            | Action::AddDecision
            | Action::Triage
            | Action::Team
            | Action::LinkSubject
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
            | Action::IopcDecision
            | Action::ResetPassword
            | Action::RecordEngagement
            | Action::LinkPartner => {
                self.record_form(action);
                Vec::new()
            }
            Action::Save | Action::NextChoice | Action::PrevChoice | Action::Pick => Vec::new(),
        }
    }

    /// Opens what is selected: a diary entry, a row opened from itself,
    /// the form a row offers, or the record.
    pub(super) fn open_selected(&mut self, action: Action) -> Vec<Effect> {
        if !self.area.is_list() {
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
        let area = self.area;
        let Some(row) = self.list(area).selected_row() else {
            return Vec::new();
        };
        if let Some(detail) = area.open_row(row) {
            self.detail = Some(detail);
            self.focus = Focus::Detail;
            return Vec::new();
        }
        if let Some(form) = area.row_form(action, row) {
            self.form = Some(form);
            return Vec::new();
        }
        let key = row.key.clone();
        self.open(area, key)
    }

    /// Sorting, filtering and reloading a list.
    pub(super) fn list_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::SortNext | Action::SortReverse if self.area.fixed_order().is_some() => {
                self.complain(self.area.fixed_order().map_or("", |o| o.why));
                Vec::new()
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
                    Action::ClearFilter => {
                        list.spec.filter = None;
                        list.spec.audit = Default::default();
                    }
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
            Action::Filter => {
                // A list with a filter form of its own (the trail's) uses it.
                if let Some(form) = self.area.filter_form(&self.list(self.area).spec) {
                    self.form = Some(form);
                } else if self.area.is_list() {
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
            _ => Vec::new(),
        }
    }

    /// Opens the form an action on the open record needs, or says what to
    /// open first.
    pub(super) fn record_form(&mut self, action: Action) {
        let area = self.area;
        if let Some(form) = self
            .list(area)
            .selected_row()
            .and_then(|row| area.row_form(action, row))
        {
            self.form = Some(form);
            return;
        }
        if let Some(refused) = self
            .detail
            .as_ref()
            .and_then(|d| self.refusal(d.area, action))
        {
            self.complain(refused);
            return;
        }
        let chosen = self.detail.as_ref().map(|d| {
            (
                d.key.clone(),
                d.source.record_form(action, &self.form_context()),
            )
        });
        match chosen {
            Some((key, RecordForm::Edit(mut form))) => {
                form.about = Some(key);
                self.form = Some(form);
            }
            Some((_, RecordForm::Make(form))) => self.form = Some(form),
            Some((key, RecordForm::Confirm { question, command })) => {
                self.popup = Some(Popup::Confirm {
                    question,
                    yes: Confirmed::Run {
                        command: Box::new(command),
                        reopen: Some((area, key)),
                    },
                });
            }
            Some((_, RecordForm::Refuse(message))) => self.complain(message),
            Some((_, RecordForm::NotHere)) | None => {
                let open = self
                    .keymap
                    .hint(Context::List, Action::Open)
                    .unwrap_or_else(|| "Enter".into());
                self.complain(format!(
                    "{}: open {} first (select it and press {open})",
                    action.description(),
                    Area::offering(action),
                ))
            }
        }
    }

    /// Why the user may not use `action`'s form in `area`, if they may
    /// not: said before the form opens, not after it is filled in.
    pub(super) fn refusal(&self, area: Area, action: Action) -> Option<String> {
        let needed = area.needs(action)?;
        let session = self.session.as_ref()?;
        if session.may(needed) {
            return None;
        }
        Some(format!(
            "{}: your roles ({}) may not {}",
            action.description(),
            session.roles,
            needed.phrase(),
        ))
    }

    /// Opens the form (or asks the question) an action on the whole list
    /// needs, or says where it is offered.
    pub(super) fn list_form(&mut self, action: Action) {
        match self.area.list_form(action, &self.form_context()) {
            RecordForm::Edit(form) | RecordForm::Make(form) => self.form = Some(form),
            RecordForm::Confirm { question, command } => {
                self.popup = Some(Popup::Confirm {
                    question,
                    yes: Confirmed::Run {
                        command: Box::new(command),
                        reopen: None,
                    },
                })
            }
            RecordForm::Refuse(message) => self.complain(message),
            RecordForm::NotHere => {
                let context = self.form_context();
                let there = Area::ALL
                    .iter()
                    .find(|a| !matches!(a.list_form(action, &context), RecordForm::NotHere))
                    .map_or("", |a| a.title());
                self.complain(format!("{}: go to {there} first", action.description()))
            }
        }
    }

    /// Log out, asking first if a form holds what was typed.
    pub(super) fn ask_to_log_out(&mut self) -> Vec<Effect> {
        if self.session.is_none() {
            return Vec::new();
        }
        if self.unsaved_form() {
            self.popup = Some(Popup::Confirm {
                question: "Log out? What you typed in this form will be lost.".into(),
                yes: Confirmed::LogOut,
            });
            return Vec::new();
        }
        vec![Effect::LogOut]
    }

    /// The session is over: nothing of it stays on screen or in memory,
    /// and the login screen asks who is next.
    pub(super) fn logged_out(&mut self) {
        let username = self.session.take().map(|s| s.username).unwrap_or_default();
        self.screen = Screen::Login(Form::login(""));
        self.area = Area::ALL[0];
        self.detail = None;
        self.focus = Focus::List;
        self.dashboard = None;
        self.due_selected = 0;
        self.return_to = None;
        self.chain = None;
        self.trail_warning = None;
        self.popup = None;
        self.form = None;
        self.resources.clear();
        for (list, area) in self.lists.iter_mut().zip(Area::ALL) {
            *list = super::list::ListView {
                columns: area.columns(),
                ..super::list::ListView::default()
            };
            list.spec.descending = area.newest_first();
        }
        self.say(format!(
            "{username} logged out. Log in as anyone with an account."
        ));
    }

    pub(super) fn go(&mut self, area: Area) -> Vec<Effect> {
        self.return_to = None;
        if !self.may_read(area) {
            self.area = area;
            self.detail = None;
            self.focus = Focus::List;
            return Vec::new();
        }
        if area.verifies_chain() && self.chain.is_none() {
            self.area = area;
            self.detail = None;
            self.focus = Focus::List;
            self.status = None;
            return vec![Effect::OpenAuditTrail];
        }
        if !area.verifies_chain() {
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

    pub(super) fn open(&mut self, area: Area, key: String) -> Vec<Effect> {
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
    pub(super) fn reload(&mut self, area: Area) -> Vec<Effect> {
        // An area the roles may not read (case content, for an
        // administrator) would only be refused: nothing is asked for, and
        // the screen says why.
        if !self.may_read(area) {
            return Vec::new();
        }
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
    pub(super) fn load_visible(&mut self) -> Vec<Effect> {
        if !matches!(self.screen, Screen::Main) {
            return Vec::new();
        }
        let area = self.area;
        if area.is_list() && self.list(area).needs_window(self.list_height()) {
            return self.reload(area);
        }
        Vec::new()
    }

    pub(super) fn move_by(&mut self, by: i64) -> Vec<Effect> {
        if self.focus == Focus::Detail
            && let Some(detail) = self.detail.as_mut()
        {
            // To the last row of the record, never past it.
            let max = i64::from(super::view::detail_scroll_limit(
                &detail.lines,
                !detail.chart.is_empty(),
                self.size,
                self.now,
            ));
            detail.scroll = (detail.scroll as i64 + by).clamp(0, max) as u16;
            return Vec::new();
        }
        if !self.area.is_list() {
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
        self.screen = Screen::Locked(Form::unlock(&session.username));
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
}
