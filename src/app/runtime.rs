//! Runs the effects `App::update` asks for against the case file, and feeds
//! what they came to back into `update`. This is the only part of the
//! application that touches the case file.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use super::view::ListRow;
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

/// How many audit events one step of verification checks: small enough
/// that a step stays well within a frame (about 5 ms at 180,000 events a
/// second), so keys are answered at once while a long trail is verified.
/// The event loop runs the steps back to back (`App::working`).
pub const VERIFY_STEP: u32 = 1_000;

/// How many search results are fetched.
pub const SEARCH_LIMIT: u32 = 200;

/// The case file and who is logged in to it.
pub struct Runtime {
    pub casefile: Option<CaseFile>,
    /// The case file found at start, until someone unlocks it.
    locked: Option<store::Locked>,
    actor: Option<Actor>,
    /// How far verification of the audit chain has got, kept while the
    /// application runs, so that opening the trail again resumes it.
    chain: Option<store::ChainCursor>,
    /// Where pages of the audit trail already read began, for the filter
    /// in use: the next page is then read from a known event instead of
    /// counting down from the newest (slow a million events deep).
    audit_anchors: Option<AuditAnchors>,
    /// Makes the clock a newly created case file uses.
    clock: fn() -> Clock,
}

impl Runtime {
    pub fn new(casefile: Option<CaseFile>, clock: fn() -> Clock) -> Runtime {
        Runtime {
            casefile,
            locked: None,
            actor: None,
            chain: None,
            audit_anchors: None,
            clock,
        }
    }

    /// Runs effects, and the effects their outcomes lead to, until none
    /// are left.
    pub fn run(&mut self, app: &mut App, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let outcome = self.perform(effect);
            queue.extend(app.update(Msg::Done(Box::new(outcome))));
        }
    }

    fn perform(&mut self, effect: Effect) -> Outcome {
        match effect {
            Effect::Create { path, admin, head } => self.create(path, admin, head),
            Effect::Login { username, password } => self.login(&username, &password),
            Effect::ChoosePassword { password } => self.choose_password(password),
            Effect::Unlock { password } => {
                let Some(actor) = &self.actor else {
                    return Outcome::Refused("nobody is logged in".into());
                };
                let username = actor.username().to_string();
                match self.login(&username, &password) {
                    Outcome::LoggedIn(..) => Outcome::Unlocked,
                    other => other,
                }
            }
            Effect::Load(load) => self.load(load).unwrap_or_else(failure),
            Effect::ExportCentralRecord { path } => self.export(&path),
            Effect::OpenAuditTrail => {
                // Verification carries on from where it stopped the last
                // time the trail was open: what was verified stays so.
                self.chain = Some(self.chain.take().unwrap_or_default().resumed());
                match self.session() {
                    Ok((casefile, actor)) => match casefile.open_audit_trail(actor) {
                        Ok(total) => Outcome::AuditOpened { total },
                        Err(e) => failure(e),
                    },
                    Err(e) => failure(e),
                }
            }
            Effect::VerifyChainStep => self.verify_step(),
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
                let decided = match &command {
                    Command::DecideAccess { approve: true, .. } => Some("Approved"),
                    Command::DecideAccess { approve: false, .. } => Some("Declined"),
                    _ => None,
                };
                match casefile.execute(actor, command) {
                    Ok(done) => {
                        let reference = view::shown(&done.reference);
                        let message = match (decided, &done.result) {
                            (Some(verb), store::Done::AccessDecided { username, kind }) => format!(
                                "{verb} {reference} ({} for {}).",
                                view::shown(kind.as_str()),
                                view::shown(username)
                            ),
                            _ => format!("Saved: {reference}"),
                        };
                        Outcome::Saved {
                            message,
                            reopen: reopen.or_else(|| made.map(|a| (a, done.reference))),
                            area,
                        }
                    }
                    Err(e) => failure(e),
                }
            }
        }
    }

    /// Verifies the next stretch of the audit chain.
    fn verify_step(&mut self) -> Outcome {
        let Some(cursor) = self.chain.take() else {
            return Outcome::Failed("the audit trail is not open".into());
        };
        let Some(casefile) = &self.casefile else {
            return Outcome::Failed("no case file is open".into());
        };
        match casefile.verify_chain_step(cursor, VERIFY_STEP) {
            Ok(progress) => {
                let outcome = Outcome::ChainChecked {
                    verified_through: progress.verified_through,
                    total: progress.total,
                    broken: progress
                        .broken
                        .map(|(seq, problem)| (seq, view::shown(&problem))),
                    done: progress.done,
                };
                self.chain = Some(progress.cursor);
                outcome
            }
            Err(e) => failure(e),
        }
    }

    /// Writes the central record to a new file (never over an old one).
    fn export(&mut self, path: &std::path::Path) -> Outcome {
        let (casefile, actor) = match self.session() {
            Ok(s) => s,
            Err(e) => return failure(e),
        };
        let entries = match casefile.central_record(actor) {
            Ok(e) => e,
            Err(e) => return failure(e),
        };
        let bytes = match store::central_record_csv(&entries) {
            Ok(b) => b,
            Err(e) => return Outcome::Failed(format!("cannot write CSV: {e}")),
        };
        // Whole or not at all, and never over a file that is there.
        let written = crate::files::write_new(path, &bytes);
        match written {
            Ok(()) => Outcome::Saved {
                message: format!(
                    "Exported {} authorisations to {}",
                    entries.len(),
                    view::shown(&path.display().to_string())
                ),
                reopen: None,
                area: Area::Authorisations,
            },
            Err(e) => Outcome::Invalid(crate::domain::InvalidInput::new(
                "file",
                format!("{}: {e}", view::shown(&path.display().to_string())),
            )),
        }
    }

    /// A runtime on a case file that is still locked: the first login
    /// unlocks it.
    pub fn locked(locked: store::Locked, clock: fn() -> Clock) -> Runtime {
        let mut runtime = Runtime::new(None, clock);
        runtime.locked = Some(locked);
        runtime
    }

    fn session(&mut self) -> store::Result<(&mut CaseFile, &Actor)> {
        logged_in(&mut self.casefile, &self.actor)
    }

    fn create(
        &mut self,
        path: PathBuf,
        admin: store::FirstAdministrator,
        head: store::HeadOfUnit,
    ) -> Outcome {
        let username = admin.username.to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            return Outcome::Failed(format!("{}: {e}", parent.display()));
        }
        match CaseFile::create(&path, admin, head, (self.clock)()) {
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
        let credentials = Credentials { username, password };
        let logged_in = match (&mut self.casefile, &self.locked) {
            (Some(casefile), _) => casefile.login(credentials),
            (None, Some(locked)) => match locked.unlock(credentials, (self.clock)()) {
                Ok((casefile, actor)) => {
                    self.casefile = Some(casefile);
                    self.locked = None;
                    Ok(actor)
                }
                Err(e) => Err(e),
            },
            (None, None) => return Outcome::Failed("no case file is open".into()),
        };
        let Some(casefile) = &mut self.casefile else {
            return match logged_in {
                Err(store::Error::LoginFailed { .. }) => Outcome::Refused(
                    "Login failed: wrong user or password, or the account has no access.".into(),
                ),
                Err(e @ store::Error::Throttled { .. }) => Outcome::Refused(throttled(&e)),
                Err(e) => failure(e),
                Ok(_) => Outcome::Failed("no case file is open".into()),
            };
        };
        let actor = match logged_in {
            Ok(actor) => actor,
            Err(store::Error::LoginFailed { .. }) => {
                return Outcome::Refused(
                    "Login failed: wrong user or password, or the account has no access.".into(),
                );
            }
            Err(e @ store::Error::Throttled { .. }) => return Outcome::Refused(throttled(&e)),
            Err(e) => return failure(e),
        };
        match casefile.one_time_password(&actor) {
            Ok(Some(one_time)) => {
                let username = actor.username().to_string();
                self.actor = Some(actor);
                return Outcome::MustChoosePassword {
                    username,
                    notice: one_time.line(),
                };
            }
            Ok(None) => {}
            Err(e) => return failure(e),
        }
        self.enter(actor, None)
    }

    /// The account's own password in place of the one-time password it
    /// logged in with; then into the application.
    fn choose_password(&mut self, password: crate::domain::account::NewPassword) -> Outcome {
        let (casefile, actor) = match logged_in(&mut self.casefile, &self.actor) {
            Ok((c, a)) => (c, a.clone()),
            Err(e) => return failure(e),
        };
        let changed = casefile.execute(
            &actor,
            Command::SetPassword {
                username: actor.username().clone(),
                password,
            },
        );
        match changed {
            Ok(_) => self.enter(
                actor,
                Some("Your password is changed; the one-time password no longer works."),
            ),
            Err(store::Error::Invalid(e)) => Outcome::Invalid(e),
            Err(e) => failure(e),
        }
    }

    /// Into the application as `actor`: the session's header and the
    /// resource types bids may ask for. `said`: put before the last-login line.
    fn enter(&mut self, actor: Actor, said: Option<&str>) -> Outcome {
        let Some(casefile) = &mut self.casefile else {
            return Outcome::Failed("no case file is open".into());
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
            last_login: {
                let line = casefile
                    .login_history(&actor)
                    .map(|h| h.line())
                    .unwrap_or_default();
                match said {
                    Some(said) => format!("{said} {line}"),
                    None => line,
                }
            },
        };
        let resources = casefile
            .resource_types(&actor)
            .map(|r| r.into_iter().map(|t| (t.code, t.label)).collect())
            .unwrap_or_default();
        self.actor = Some(actor);
        Outcome::LoggedIn(session, resources)
    }

    fn load(&mut self, load: Load) -> store::Result<Outcome> {
        // Borrowed field by field: the audit anchors are updated while the
        // case file is in use.
        let anchors = &mut self.audit_anchors;
        let (casefile, actor) = logged_in(&mut self.casefile, &self.actor)?;
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
                    Area::Audit => audit_page(casefile, actor, &spec, page, anchors)?,
                    short => {
                        let all = whole_list(casefile, actor, short)?;
                        let rows = sorted_and_filtered(all, &spec);
                        let total = rows.len() as u64;
                        let window = rows
                            .into_iter()
                            .skip(start as usize)
                            .take(super::WINDOW as usize)
                            .collect();
                        (total, window)
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
                        let mut detail = view::operation_detail(&record, threshold);
                        if let Ok(history) = casefile.threshold(actor, &codename)
                            && !history.entries.is_empty()
                        {
                            detail.lines.extend(view::threshold_lines(&history));
                        }
                        detail
                    }
                    Area::Bids => {
                        let urn = Urn::parse(UrnKind::Bid, &key)?;
                        view::bid_detail(&casefile.open_bid(actor, &urn)?)
                    }

                    Area::Authorisations => {
                        let urn = Urn::parse(UrnKind::Authorisation, &key)?;
                        view::authorisation_detail(&casefile.open_authorisation(actor, &urn)?)
                    }
                    Area::Referrals => {
                        let urn = Urn::parse(UrnKind::Referral, &key)?;
                        view::referral_detail(&casefile.open_referral(actor, &urn)?)
                    }
                    Area::Queue => {
                        return self.load(Load::Open {
                            area: Area::of_reference(&key),
                            key,
                        });
                    }
                    Area::Audit => {
                        return Ok(Outcome::Failed(format!(
                            "event {key}: open it from the list"
                        )));
                    }
                })
            }
        })
    }
}

/// The open case file and who is logged in to it.
fn logged_in<'a>(
    casefile: &'a mut Option<CaseFile>,
    actor: &'a Option<Actor>,
) -> store::Result<(&'a mut CaseFile, &'a Actor)> {
    match (casefile, actor) {
        (Some(c), Some(a)) => Ok((c, a)),
        _ => Err(store::Error::Invalid(crate::domain::InvalidInput::new(
            "session",
            "log in first",
        ))),
    }
}

/// A short list read whole: bids, authorisations, referrals, or what
/// waits for the user.
fn whole_list(casefile: &mut CaseFile, actor: &Actor, area: Area) -> store::Result<Vec<ListRow>> {
    Ok(match area {
        Area::Bids => casefile
            .bids(actor, Page::ALL)?
            .iter()
            .map(view::bid_row)
            .collect(),
        Area::Authorisations => casefile
            .central_record(actor)?
            .iter()
            .map(view::authorisation_row)
            .collect(),
        Area::Referrals => casefile
            .referrals(actor)?
            .iter()
            .map(view::referral_row)
            .collect(),
        Area::Queue => queue(casefile, actor)?,
        _ => Vec::new(),
    })
}

/// What waits for the user's decision: for a head of unit, requests for
/// access; for a supervisor, bids, threshold
/// proposals and source references two items share (an import by someone
/// who could not see the first); for an authorising officer, applications
/// naming them and reviews of what they granted.
fn queue(casefile: &mut CaseFile, actor: &Actor) -> store::Result<Vec<ListRow>> {
    use crate::domain::role::Role;
    let mut rows = Vec::new();
    if actor.roles().contains(Role::Supervisor) {
        // A head of unit decides the access administrators ask for.
        for r in casefile.access_requests_to_decide(actor)? {
            rows.push(ListRow {
                key: r.urn.clone(),
                cells: vec![
                    format!("Access to decide: {}", view::shown(&r.summary())),
                    view::shown(&r.urn),
                    String::new(),
                    view::uk_time(&r.requested_at),
                ],
            });
        }
        for b in casefile.bids_awaiting_decision(actor)? {
            rows.push(ListRow {
                key: b.urn.clone(),
                cells: vec![
                    "Bid to decide".into(),
                    view::shown(&b.urn),
                    view::shown(&b.codename),
                    b.submitted_at
                        .as_deref()
                        .map(view::uk_time)
                        .unwrap_or_default(),
                ],
            });
        }
        for t in casefile.thresholds_awaiting_decision(actor)? {
            rows.push(ListRow {
                key: t.codename.clone(),
                cells: vec![
                    "Threshold to decide".into(),
                    format!("{} T{}", view::shown(&t.codename), t.number),
                    view::shown(&t.codename),
                    view::uk_time(&t.proposed_at),
                ],
            });
        }
        // A supervisor sees every item, so every reference two items share.
        for shared in casefile.shared_source_references(actor, store::SHARED_REFERENCES_SHOWN)? {
            let Some(first) = shared.urns.first() else {
                continue;
            };
            rows.push(ListRow {
                key: first.clone(),
                cells: vec![
                    format!(
                        "{} items share source reference {}: {}",
                        match shared.urns.len() {
                            2 => "two".to_owned(),
                            n => n.to_string(),
                        },
                        view::shown(&shared.source_reference),
                        view::shown(&shared.urns.join(", "))
                    ),
                    view::shown(first),
                    String::new(),
                    view::uk_time(&shared.latest_recorded_at),
                ],
            });
        }
    }
    if actor.roles().contains(Role::AuthorisingOfficer) {
        rows.extend(authorising_queue(casefile, actor)?);
    }
    Ok(rows)
}

/// The key a cell sorts by: UK dates (and times) in date order, numbers
/// in numeric order, anything else ignoring case.
fn sort_key(cell: &str) -> String {
    let b = cell.as_bytes();
    if b.len() >= 10 && b[2] == b'/' && b[5] == b'/' {
        return format!(
            "{}{}{}{}",
            &cell[6..10],
            &cell[3..5],
            &cell[0..2],
            &cell[10..]
        );
    }
    if let Ok(n) = cell.trim().parse::<f64>() {
        return format!("{:020.4}", n);
    }
    cell.to_lowercase()
}

/// A whole list sorted by one column and filtered by another, in memory.
fn sorted_and_filtered(mut rows: Vec<ListRow>, spec: &ListSpec) -> Vec<ListRow> {
    if let Some((column, text)) = &spec.filter {
        let text = text.to_lowercase();
        rows.retain(|r| {
            r.cells
                .get(*column)
                .is_some_and(|c| c.to_lowercase().contains(&text))
        });
    }
    rows.sort_by_cached_key(|r| {
        r.cells
            .get(spec.sort)
            .map(|c| sort_key(c))
            .unwrap_or_default()
    });
    if spec.descending {
        rows.reverse();
    }
    rows
}

/// The file name shown in the header.
/// A login refused for too many failures, in the screen's words (the
/// username typed is not repeated).
fn throttled(e: &store::Error) -> String {
    match e {
        store::Error::Throttled { until, seconds, .. } => format!(
            "Login refused: too many failed attempts in a row. Try again after {until} UTC (in {seconds} s)."
        ),
        other => other.to_string(),
    }
}

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
        Command::DraftBid { .. } => Some(Area::Bids),
        Command::ApplyForAuthorisation(_) => Some(Area::Authorisations),
        Command::RecordReferral(_) => Some(Area::Referrals),
        _ => None,
    }
}

fn dashboard(casefile: &mut CaseFile, actor: &Actor) -> store::Result<DashboardView> {
    let figures = casefile.dashboard(actor)?;
    let due = casefile.due(actor, 7)?;
    let now = casefile.current_time();
    // Not everyone may read the central record; for them the panel is empty.
    let mut in_effect: Vec<(String, String, chrono::DateTime<chrono::Utc>, String)> = casefile
        .central_record(actor)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.in_effect)
        .filter_map(|a| {
            let end = chrono::DateTime::parse_from_rfc3339(a.ends_at.as_deref()?).ok()?;
            Some((
                view::shown(&a.urn),
                view::shown(&a.kind),
                end.with_timezone(&chrono::Utc),
                a.last_day.as_deref().map(view::iso_day).unwrap_or_default(),
            ))
        })
        .collect();
    in_effect.sort_by_key(|(_, _, end, _)| *end);
    Ok(DashboardView {
        due: due.iter().map(|d| view::due_line(d, now)).collect(),
        in_effect,
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

/// The authorising officer's part of the queue.
fn authorising_queue(casefile: &mut CaseFile, actor: &Actor) -> store::Result<Vec<ListRow>> {
    Ok(casefile
        .authorisations_awaiting(actor)?
        .iter()
        .map(|a| {
            let what = match (a.what, a.overdue) {
                (store::Awaiting::Decision, _) => "Application to decide",
                (store::Awaiting::Review, true) => "Review OVERDUE",
                (store::Awaiting::Review, false) => "Review due",
            };
            ListRow {
                key: a.urn.clone(),
                cells: vec![
                    format!("{what}: {}", a.kind.label()),
                    view::shown(&a.urn),
                    view::shown(&a.operation),
                    a.due_at.as_deref().map(view::uk_time).unwrap_or_default(),
                ],
            }
        })
        .collect())
}

/// The audit viewer's filter as the case file takes it.
fn audit_query(spec: &ListSpec) -> store::Result<store::AuditQuery> {
    let f = &spec.audit;
    Ok(store::AuditQuery {
        operation: f.operation.as_deref().map(Codename::parse).transpose()?,
        user: f.user.clone(),
        action: f.action.clone(),
        from: f.from,
        to: f.to,
    })
}

/// Page starts already read in the audit trail: valid for one filter and
/// one size of the trail (a new event shifts every offset by one).
type AuditAnchors = (super::audit_filter::AuditFilter, u64, BTreeMap<u64, i64>);

/// How far past a known page start a page may begin and still be read
/// from it rather than by offset.
const ANCHOR_REACH: u64 = 5_000;

/// A page of the audit trail, newest first, as the viewer's filter asks.
/// Beyond the columns shown, each row carries the event's roles, its time
/// in full and its details, so opening it needs no second read.
fn audit_page(
    casefile: &mut CaseFile,
    actor: &Actor,
    spec: &ListSpec,
    page: Page,
    anchors: &mut Option<AuditAnchors>,
) -> store::Result<(u64, Vec<ListRow>)> {
    let query = audit_query(spec)?;
    let total = casefile.audit_total(actor, &query)?;
    if anchors
        .as_ref()
        .is_none_or(|(filter, size, _)| *filter != spec.audit || *size != total)
    {
        *anchors = Some((spec.audit.clone(), total, BTreeMap::new()));
    }
    let known = &mut anchors.as_mut().expect("set above").2;
    // The nearest known event at or above the page's start (read down
    // from it), or else below the page's end (read up from it).
    let above = known
        .range(..=page.offset)
        .next_back()
        .filter(|(at, _)| page.offset - **at <= ANCHOR_REACH)
        .map(|(at, seq)| (*at, *seq));
    let end = (page.offset + page.limit).min(total);
    let below = known
        .range(end..)
        .next()
        .filter(|(at, _)| **at - end <= ANCHOR_REACH)
        .map(|(at, seq)| (*at, *seq));
    // Each way reads the rows between the known event and the page too:
    // take the nearer.
    let (above, below) = match (above, below) {
        (Some(a), Some(b)) if b.0 - end < page.offset - a.0 => (None, Some(b)),
        other => other,
    };
    let events = match (above, below) {
        (Some((at, seq)), _) => {
            let skip = (page.offset - at) as usize;
            let mut rows = casefile.audit_page_before(
                actor,
                &query,
                Some(seq + 1),
                skip as u64 + page.limit,
            )?;
            rows.drain(..skip.min(rows.len()));
            rows
        }
        (None, Some((at, seq))) => {
            // Events newer than the known one, nearest first: the page is
            // the top `limit` of the `at - offset` read.
            let mut rows = casefile.audit_page_after(actor, &query, seq, at - page.offset)?;
            rows.truncate(page.limit as usize);
            rows
        }
        (None, None) => casefile.audit_page(actor, &query, page)?,
    };
    if let Some(first) = events.first() {
        known.insert(page.offset, first.seq);
    }
    if let Some(last) = events.last() {
        known.insert(page.offset + events.len() as u64 - 1, last.seq);
    }
    let rows = events
        .into_iter()
        .map(|e| ListRow {
            key: e.seq.to_string(),
            cells: vec![
                e.seq.to_string(),
                view::uk_time(&e.at),
                view::shown(&e.actor),
                view::shown(&e.action),
                view::shown(&format!("{} {}", e.entity_type, e.entity_ref)),
                view::shown(&e.outcome),
                view::shown(&e.actor_roles),
                view::shown(&e.at),
                view::shown(&e.details),
            ],
        })
        .collect();
    Ok((total, rows))
}
