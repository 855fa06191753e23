//! Runs the effects `App::update` asks for against the case file, and feeds
//! what they came to back into `update`. This is the only part of the
//! application that touches the case file.

use std::collections::VecDeque;
use std::path::PathBuf;

use super::view::{self, DashboardView};
use super::{App, Area, Effect, ListSpec, Load, Msg, Outcome, SessionInfo};
use crate::domain::operation::Codename;
use crate::domain::subject::StaffNumber;
use crate::domain::time::uk_year;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{
    self, Actor, CaseFile, Clock, Command, Credentials, IntelligenceColumn, ListQuery,
    OperationColumn, Page, SubjectColumn,
};

/// How many search results are fetched.
pub const SEARCH_LIMIT: u32 = 200;

/// The case file and who is logged in to it.
pub struct Runtime {
    pub casefile: Option<CaseFile>,
    actor: Option<Actor>,
    /// Makes the clock a newly created case file uses.
    clock: fn() -> Clock,
}

impl Runtime {
    pub fn new(casefile: Option<CaseFile>, clock: fn() -> Clock) -> Runtime {
        Runtime {
            casefile,
            actor: None,
            clock,
        }
    }

    /// Runs effects, and the effects their outcomes lead to, until none
    /// are left.
    pub fn run(&mut self, app: &mut App, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let outcome = self.perform(effect);
            queue.extend(app.update(Msg::Done(outcome)));
        }
    }

    fn perform(&mut self, effect: Effect) -> Outcome {
        match effect {
            Effect::Create { path, admin } => self.create(path, admin),
            Effect::Login { username, password } => self.login(&username, &password),
            Effect::Unlock { password } => {
                let Some(actor) = &self.actor else {
                    return Outcome::Refused("nobody is logged in".into());
                };
                let username = actor.username().to_string();
                match self.login(&username, &password) {
                    Outcome::LoggedIn(_) => Outcome::Unlocked,
                    other => other,
                }
            }
            Effect::Load(load) => self.load(load).unwrap_or_else(failure),
            Effect::Search(query) => {
                let (casefile, actor) = match self.session() {
                    Ok(s) => s,
                    Err(e) => return failure(e),
                };
                match casefile.search(actor, &query, SEARCH_LIMIT) {
                    Ok(hits) => Outcome::Hits {
                        query,
                        hits: hits.iter().map(view::search_line).collect(),
                    },
                    Err(e) => Outcome::SearchFailed {
                        query,
                        message: view::shown(&e.to_string()),
                    },
                }
            }
            Effect::Execute {
                command,
                reopen,
                area,
            } => {
                let made = made_area(&command);
                let (casefile, actor) = match self.session() {
                    Ok(s) => s,
                    Err(e) => return failure(e),
                };
                match casefile.execute(actor, command) {
                    Ok(done) => {
                        let reference = view::shown(&done.reference);
                        Outcome::Saved {
                            message: format!("Saved: {reference}"),
                            reopen: reopen.or_else(|| made.map(|a| (a, done.reference))),
                            area,
                        }
                    }
                    Err(e) => failure(e),
                }
            }
        }
    }

    fn session(&mut self) -> store::Result<(&mut CaseFile, &Actor)> {
        match (&mut self.casefile, &self.actor) {
            (Some(c), Some(a)) => Ok((c, a)),
            _ => Err(store::Error::Invalid(crate::domain::InvalidInput::new(
                "session",
                "log in first",
            ))),
        }
    }

    fn create(&mut self, path: PathBuf, admin: store::FirstAdministrator) -> Outcome {
        let username = admin.username.to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            return Outcome::Failed(format!("{}: {e}", parent.display()));
        }
        match CaseFile::create(&path, admin, (self.clock)()) {
            Ok(casefile) => {
                let label = casefile_label(casefile.path());
                self.casefile = Some(casefile);
                Outcome::Created {
                    username,
                    casefile: label,
                }
            }
            Err(e) => failure(e),
        }
    }

    fn login(&mut self, username: &str, password: &str) -> Outcome {
        let Some(casefile) = &mut self.casefile else {
            return Outcome::Failed("no case file is open".into());
        };
        let actor = match casefile.login(Credentials { username, password }) {
            Ok(actor) => actor,
            Err(store::Error::LoginFailed { .. }) => {
                return Outcome::Refused(
                    "Login failed: unknown user, wrong password, or a disabled account.".into(),
                );
            }
            Err(e) => return failure(e),
        };
        let account = match casefile.own_account(&actor) {
            Ok(a) => a,
            Err(e) => return failure(e),
        };
        let session = SessionInfo {
            username: view::shown(&account.username),
            display_name: view::shown(&account.display_name),
            rank: crate::domain::account::Rank::parse(&account.rank)
                .map(|r| r.abbreviation().to_string())
                .unwrap_or_else(|_| view::shown(&account.rank)),
            roles: account
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        self.actor = Some(actor);
        Outcome::LoggedIn(session)
    }

    fn load(&mut self, load: Load) -> store::Result<Outcome> {
        let (casefile, actor) = self.session()?;
        Ok(match load {
            Load::Dashboard => Outcome::Dashboard(dashboard(casefile, actor)?),
            Load::Page { area, spec, start } => {
                let page = Page {
                    offset: start,
                    limit: super::WINDOW,
                };
                let (total, rows) = match area {
                    Area::Dashboard => (0, Vec::new()),
                    Area::Intelligence => {
                        let q = query(&spec, IntelligenceColumn::ALL);
                        let total = casefile.intelligence_total(actor, &q)?;
                        let rows = casefile.intelligence_page(actor, &q, page)?;
                        (total, rows.iter().map(view::intelligence_row).collect())
                    }
                    Area::Subjects => {
                        let q = query(&spec, SubjectColumn::ALL);
                        let total = casefile.subjects_total(actor, &q)?;
                        let rows = casefile.subjects_page(actor, &q, page)?;
                        (total, rows.iter().map(view::subject_row).collect())
                    }
                    Area::Operations => {
                        let q = query(&spec, OperationColumn::ALL);
                        let total = casefile.operations_total(actor, &q)?;
                        let rows = casefile.operations_page(actor, &q, page)?;
                        (total, rows.iter().map(view::operation_row).collect())
                    }
                };
                Outcome::Page {
                    area,
                    spec,
                    start,
                    total,
                    rows,
                }
            }
            Load::Open { area, key } => {
                Outcome::Opened(match area {
                    Area::Dashboard => return Ok(Outcome::Failed("nothing to open".into())),
                    Area::Intelligence => {
                        let urn = Urn::parse(UrnKind::Intelligence, &key)?;
                        view::intelligence_detail(&casefile.open_intelligence(actor, &urn)?)
                    }
                    Area::Subjects => {
                        let staff = StaffNumber::parse(&key)?;
                        view::subject_detail(&casefile.open_subject(actor, &staff)?)
                    }
                    Area::Operations => {
                        let codename = Codename::parse(&key)?;
                        let record = casefile.open_operation(actor, &codename)?;
                        let threshold = casefile.threshold(actor, &codename).ok().map(|t| match t
                            .current
                        {
                            Some(outcome) => outcome.label().to_string(),
                            None if t.entries.is_empty() => "not proposed".to_string(),
                            None => "proposed, awaiting a decision".to_string(),
                        });
                        view::operation_detail(&record, threshold)
                    }
                })
            }
        })
    }
}

/// The file name shown in the header.
pub fn casefile_label(path: &std::path::Path) -> String {
    view::shown(
        &path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    )
}

fn query<C: Copy>(spec: &ListSpec, all: &[C]) -> ListQuery<C> {
    let column = |i: usize| all[i.min(all.len() - 1)];
    ListQuery {
        sort: column(spec.sort),
        descending: spec.descending,
        filter: spec.filter.as_ref().map(|(c, t)| (column(*c), t.clone())),
    }
}

/// Which area a command makes a new record in.
fn made_area(command: &Command) -> Option<Area> {
    match command {
        Command::RecordIntelligence(_) => Some(Area::Intelligence),
        Command::AddSubject(_) => Some(Area::Subjects),
        Command::OpenOperation(_) => Some(Area::Operations),
        _ => None,
    }
}

fn dashboard(casefile: &mut CaseFile, actor: &Actor) -> store::Result<DashboardView> {
    let figures = casefile.dashboard(actor)?;
    let due = casefile.due(actor, 7)?;
    let now = casefile.current_time();
    Ok(DashboardView {
        due: due.iter().map(|d| view::due_line(d, now)).collect(),
        operations_by_status: figures
            .operations_by_status
            .iter()
            .map(|(s, n)| (s.label(), *n))
            .collect(),
        intelligence_by_triage: figures
            .intelligence_by_triage
            .iter()
            .map(|(s, n)| (s.label(), *n))
            .collect(),
        year: uk_year(now),
        category_this_year: figures
            .category_this_year
            .iter()
            .map(|(c, n)| (c.label(), *n))
            .collect(),
        weeks_from: figures
            .weekly_intake
            .first()
            .map(|(d, _)| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        weekly_intake: figures.weekly_intake.iter().map(|(_, n)| *n).collect(),
    })
}

/// An error as the screen shows it: bad input goes beside its field.
fn failure(e: store::Error) -> Outcome {
    match e {
        store::Error::Invalid(invalid) => Outcome::Invalid(invalid),
        other => Outcome::Failed(view::shown(&other.to_string())),
    }
}
