//! What an effect came to, taken into the model.

use super::areas::audit::ChainStatus;
use super::form::{self, Form};
use super::model::{App, Effect, Focus, Load, Outcome, Popup, Screen};

impl App {
    pub(super) fn done(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::Created { username, casefile } => {
                self.casefile = casefile;
                self.screen = Screen::Login(Form::login(&username));
                self.say("Case file created. Log in with the password you chose.");
                Vec::new()
            }
            Outcome::LoggedIn(session, resources) => self.logged_in(session, resources),
            Outcome::Choices(read, found) => {
                if let Some(Popup::Pick {
                    kind, candidates, ..
                }) = &mut self.popup
                    && *kind == read
                {
                    *candidates = Some(found);
                }
                Vec::new()
            }
            Outcome::Similar {
                field,
                id,
                text,
                found,
            } => {
                // Only if the field still holds what was compared: the form
                // may have closed, or the text changed, since it was asked.
                if let Some(f) = self.form.as_mut().and_then(|f| f.fields.get_mut(field))
                    && f.id == id
                    && f.value() == text
                {
                    f.note = found;
                }
                Vec::new()
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
            Outcome::LoggedOut => {
                self.logged_out();
                Vec::new()
            }
            Outcome::Report {
                title,
                lines,
                failed,
            } => {
                self.form = None;
                self.status = None;
                self.popup = Some(Popup::Report {
                    title,
                    lines,
                    failed,
                    scroll: 0,
                });
                Vec::new()
            }
            Outcome::Refused(message) => {
                if let Screen::Login(form) | Screen::Locked(form) = &mut self.screen {
                    form.error = Some(message);
                    // The password is asked for afresh.
                    if let Some(field) = form.fields.iter_mut().find(|f| f.id == "password") {
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
            } => self.page_loaded(area, spec, start, total, rows),
            Outcome::Opened(mut detail) => {
                // The same record loaded again (`r`, or another session's
                // change) stays where it was read to.
                if let Some(shown) = &self.detail
                    && shown.area == detail.area
                    && shown.key == detail.key
                {
                    detail.scroll = shown.scroll;
                }
                if self.area != detail.area {
                    self.return_to = Some(self.area);
                }
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
                if let Some((code, weekly)) = self
                    .form
                    .as_ref()
                    .and_then(super::areas::bids::capacity_set)
                {
                    for resource in self.resources.iter_mut().filter(|r| r.0 == code) {
                        resource.2 = weekly;
                    }
                }
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
                let mut effects = self.reload(self.area);
                effects.push(Effect::VerifyChainStep);
                effects
            }
            Outcome::ChainChecked(status) => {
                if let Some((seq, problem)) = &status.broken {
                    self.trail_warning = Some(super::model::TrailWarning {
                        seq: *seq,
                        text: format!(
                            "the audit trail does not verify at event {seq} (the whole trail checked in the audit viewer): {problem}"
                        ),
                    });
                }
                if let Some(c) = &mut self.chain {
                    *c = status;
                }
                Vec::new()
            }
            Outcome::ChangedElsewhere(false) => Vec::new(),
            Outcome::ChangedElsewhere(true) => {
                if self.form.is_some() || self.popup.is_some() {
                    // Nothing being typed is lost or moved: the notice only.
                    self.stale = true;
                    self.say("Changed by another session: the screen reloads once this is closed.");
                    return Vec::new();
                }
                self.refresh_for_others()
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

    /// Logged in: the session starts where it was, with what the user
    /// must know first.
    fn logged_in(
        &mut self,
        session: super::model::SessionInfo,
        resources: Vec<super::areas::kind::Resource>,
    ) -> Vec<Effect> {
        let last_login = session.last_login.clone();
        self.trail_warning = session.trail_warning.clone();
        self.session = Some(session);
        self.resources = resources;
        self.screen = Screen::Main;
        self.last_activity = self.now;
        // Where the user's roles read nothing (an administrator on the
        // dashboard), the first area they may read.
        if !self.may_read(self.area)
            && let Some(area) = super::areas::Area::ALL
                .iter()
                .copied()
                .find(|a| self.may_read(*a))
        {
            self.area = area;
        }
        let effects = self.go(self.area);
        if let Some(warning) = &self.trail_warning {
            self.complain(format!("Warning: {}", warning.text));
        } else if !self.file_warnings.is_empty() {
            self.complain(self.file_warnings.join("; "));
        } else if self.keymap_problems.is_empty() {
            self.status = None;
            if !last_login.is_empty() {
                self.say(last_login);
            }
        } else {
            let problems = &self.keymap_problems;
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more: help lists them all)", n - 1),
            };
            self.complain(if self.keymap_ignored {
                format!(
                    "Your keymap file is not used, so every key is the default: {}{more}",
                    problems[0]
                )
            } else {
                format!(
                    "Your keymap file has {} problem{}; the defaults stand for those keys: {}{more}",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    problems[0]
                )
            });
        }
        effects
    }

    /// A window of a list arrived (unless it answers an older question).
    fn page_loaded(
        &mut self,
        area: super::areas::Area,
        spec: super::list::ListSpec,
        start: u64,
        total: u64,
        rows: Vec<super::view::ListRow>,
    ) -> Vec<Effect> {
        let open_key = self
            .detail
            .as_ref()
            .filter(|d| d.area == area)
            .map(|d| d.key.clone());
        let list = self.list_mut(area);
        if list.spec != spec {
            return Vec::new(); // an answer to an older question
        }
        // After another session's change, the selection stays on the row
        // it was on, wherever that row now is in the window.
        let keep = self.keep_selected.take();
        let list = self.list_mut(area);
        if let Some(key) = keep
            && let Some(i) = rows.iter().position(|r| r.key == key)
        {
            list.selected = start + i as u64;
        }
        list.total = total;
        list.window_start = start;
        list.rows = rows;
        list.loaded = true;
        // The selection follows the record open beside the list.
        if let Some(key) = open_key
            && let Some(i) = list.rows.iter().position(|r| r.key == key)
        {
            list.selected = start + i as u64;
        }
        if list.selected >= total {
            list.selected = total.saturating_sub(1);
            if total > 0 && list.needs_window(0) {
                return self.reload(area);
            }
        }
        Vec::new()
    }

    /// Another session changed the case file: the list on screen is read
    /// again (a list read is not audited), keeping its selection, and the
    /// open record is opened again as `r` does (a consultation, logged as
    /// a `view` once for each change made elsewhere, never for each tick:
    /// a view changes no row, so it does not set the other session
    /// reloading in turn).
    pub(super) fn refresh_for_others(&mut self) -> Vec<Effect> {
        self.stale = false;
        let area = self.area;
        if area.is_list() {
            let list = self.list(area);
            self.keep_selected = list.selected_row().map(|r| r.key.clone());
        }
        let mut effects = self.reload(area);
        if let Some(detail) = &self.detail
            && detail.area == area
        {
            effects.push(Effect::Load(Load::Open {
                area: detail.area,
                key: detail.key.clone(),
            }));
        }
        effects
    }
}
