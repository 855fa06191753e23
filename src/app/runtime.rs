//! Runs the effects `App::update` asks for against the case file, and feeds
//! what they came to back into `update`. This is the only part of the
//! application that touches the case file.

use std::collections::VecDeque;
use std::path::PathBuf;

use super::areas::audit::Verifier;
use super::areas::kind::{Reader, Unopened};
use super::areas::{Area, SearchLine, dashboard};
use super::list::{Anchors, WINDOW};
use super::model::{App, Effect, Load, Msg, Outcome, SessionInfo, TrailWarning};
use super::view;
use crate::store::{self, Actor, CaseFile, Clock, Command, Credentials, Page};

/// How many of the newest audit events are verified at every login:
/// about a twentieth of a second, where the whole of a trail of ten
/// million takes about a minute.
pub const LOGIN_CHECK_EVENTS: u32 = 10_000;

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
    chain: Verifier,
    /// Where pages of the audit trail already read began, for the filter
    /// in use: the next page is then read from a known event instead of
    /// counting down from the newest (slow a million events deep).
    anchors: Anchors,
    /// Makes the clock a newly created case file uses.
    clock: fn() -> Clock,
    /// Where the case file stood when this session last looked, to tell
    /// when another session has changed it.
    seen: Option<store::ChangeMark>,
}

impl Runtime {
    pub fn new(casefile: Option<CaseFile>, clock: fn() -> Clock) -> Runtime {
        Runtime {
            casefile,
            locked: None,
            actor: None,
            chain: Verifier::default(),
            anchors: Anchors::default(),
            clock,
            seen: None,
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
            Effect::LogOut => {
                // The next login starts afresh: whose trail consultation
                // was resumed, and where its pages began, go with them.
                self.actor = None;
                self.chain = Verifier::default();
                self.anchors = Anchors::default();
                self.seen = None;
                Outcome::LoggedOut
            }
            Effect::VerifyBundle { dir, key, since } => self.verify_bundle(&dir, key, since),
            Effect::Load(load) => self.load(load).unwrap_or_else(unopened),
            Effect::ExportCentralRecord { path, area } => self.export(&path, area),
            Effect::OpenAuditTrail => {
                self.chain.resume();
                match self.session() {
                    Ok((casefile, actor)) => match casefile.open_audit_trail(actor) {
                        Ok(total) => Outcome::AuditOpened { total },
                        Err(e) => failure(e),
                    },
                    Err(e) => failure(e),
                }
            }
            Effect::VerifyChainStep => self.verify_step(),
            Effect::CheckChanged => self.check_changed(),
            Effect::Search(query) => {
                let (casefile, actor) = match self.session() {
                    Ok(s) => s,
                    Err(e) => return failure(e),
                };
                match casefile.search(actor, &query, SEARCH_LIMIT) {
                    Ok(hits) => Outcome::Hits {
                        query,
                        hits: hits.iter().map(SearchLine::of).collect(),
                    },
                    Err(e) => Outcome::SearchFailed {
                        query,
                        message: view::shown(&e.to_string()),
                    },
                }
            }
            Effect::Execute {
                mut command,
                reopen,
                area,
            } => {
                let made = Area::ALL.iter().copied().find(|a| a.makes(&command));
                let (casefile, actor) = match self.session() {
                    Ok(s) => s,
                    Err(e) => return failure(e),
                };
                // A bundle's folder named alone goes beside the case file.
                if let Command::ExportAudit(request) = &mut command {
                    request.out = beside(casefile, &request.out);
                }
                let written = match &command {
                    Command::ExportAudit(request) => Some(request.out.clone()),
                    _ => None,
                };
                let disabled = match &command {
                    Command::DisableUser { username } => Some(username.to_string()),
                    _ => None,
                };
                let decided = match &command {
                    Command::DecideAccess { approve: true, .. } => Some("Approved"),
                    Command::DecideAccess { approve: false, .. } => Some("Declined"),
                    _ => None,
                };
                let executed = casefile.execute(actor, command);
                // This session's own change is not another's.
                self.seen = self.casefile.as_ref().and_then(|c| c.change_mark().ok());
                match executed {
                    Ok(done) => {
                        let reference = view::shown(&done.reference);
                        let message = match (decided, &done.result) {
                            (Some(verb), store::Done::AccessDecided { username, kind }) => format!(
                                "{verb} {reference} ({} for {}).",
                                view::shown(kind.as_str()),
                                view::shown(username)
                            ),
                            (_, store::Done::AccessRequested(request)) => format!(
                                "Saved {reference}; what gives access waits for a head of unit: request {} (expires {}), from their queue.",
                                request.urn,
                                view::uk_time(&request.expires_at)
                            ),
                            (_, store::Done::Checkpoint { tree_size, root }) => format!(
                                "Signed a checkpoint of {tree_size} events (Merkle root {}).",
                                view::shown(root)
                            ),
                            (
                                _,
                                store::Done::Exported {
                                    entries,
                                    full,
                                    tree_size,
                                },
                            ) => format!(
                                "Wrote {entries} entries to {} ({} export; checkpoint of {tree_size} events).",
                                view::shown(
                                    &written.map(|p| p.display().to_string()).unwrap_or_default()
                                ),
                                if *full { "full" } else { "filtered" }
                            ),
                            _ => match disabled {
                                Some(name) => format!(
                                    "Disabled {name}: the account is kept and can be enabled again. Run ccu rekey so that a copy of the keyring they kept opens nothing."
                                ),
                                None => format!("Saved: {reference}"),
                            },
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

    /// Whether another session changed the case file since this one last
    /// looked. The first look only takes the mark.
    fn check_changed(&mut self) -> Outcome {
        let Some(casefile) = &self.casefile else {
            return Outcome::ChangedElsewhere(false);
        };
        let changed = match &mut self.seen {
            Some(seen) => casefile.changed_since(seen),
            None => {
                self.seen = casefile.change_mark().ok();
                Ok(false)
            }
        };
        Outcome::ChangedElsewhere(changed.unwrap_or(false))
    }

    /// Verifies the next stretch of the audit chain.
    fn verify_step(&mut self) -> Outcome {
        let Some(casefile) = &self.casefile else {
            return Outcome::Failed("no case file is open".into());
        };
        match self.chain.step(casefile) {
            Ok(status) => Outcome::ChainChecked(status),
            Err(e) => unopened(e),
        }
    }

    /// Writes the central record to a new file (never over an old one).
    fn export(&mut self, path: &std::path::Path, area: Area) -> Outcome {
        let (casefile, actor) = match self.session() {
            Ok(s) => s,
            Err(e) => return failure(e),
        };
        let entries = match casefile.central_record(actor) {
            Ok(e) => e,
            Err(e) => return failure(e),
        };
        // A name without a folder goes beside the case file, not wherever
        // ccu happened to be started.
        let path = beside(casefile, path);
        let bytes = match store::central_record_csv(&entries) {
            Ok(b) => b,
            Err(e) => return Outcome::Failed(format!("cannot write CSV: {e}")),
        };
        let shown_path = view::shown(&path.display().to_string());
        // Whole or not at all, and never over a file that is there.
        match crate::files::write_new(&path, &bytes) {
            Ok(()) => Outcome::Saved {
                message: format!("Exported {} authorisations to {shown_path}", entries.len()),
                reopen: None,
                area,
            },
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Outcome::Invalid(crate::domain::InvalidInput::new(
                    "file",
                    format!(
                        "{shown_path} is already there, and ccu never writes over a file: give a new name"
                    ),
                ))
            }
            Err(e) => Outcome::Invalid(crate::domain::InvalidInput::new(
                "file",
                format!("{shown_path}: {e}"),
            )),
        }
    }

    /// Verifies an export bundle as `ccu audit verify` does: with nothing
    /// but the bundle and the verifier key (this case file's, unless
    /// another is given), and an earlier checkpoint it must extend.
    fn verify_bundle(
        &mut self,
        dir: &std::path::Path,
        key: Option<String>,
        since: Option<PathBuf>,
    ) -> Outcome {
        use crate::audit::bundle::MAX_HELD_CHECKPOINT_BYTES;
        let Some(casefile) = &self.casefile else {
            return Outcome::Failed("no case file is open".into());
        };
        let dir = beside(casefile, dir);
        let key = match key {
            Some(key) => key,
            None => match casefile.verifier_key() {
                Ok((key, _)) => key,
                Err(e) => return failure(e),
            },
        };
        let since = match since.map(|p| {
            crate::files::read_bounded_text(
                &beside(casefile, &p),
                MAX_HELD_CHECKPOINT_BYTES,
                "the earlier checkpoint",
            )
        }) {
            None => None,
            Some(Ok(text)) => Some(text),
            Some(Err(e)) => {
                return Outcome::Invalid(crate::domain::InvalidInput::new(
                    "earlier checkpoint",
                    view::shown(&e.to_string()),
                ));
            }
        };
        let title = format!("Bundle {}", view::shown(&dir.display().to_string()));
        match crate::audit::bundle::verify(&dir, &key, since.as_deref()) {
            Ok(verified) => Outcome::Report {
                title,
                lines: verified.to_string().lines().map(view::shown).collect(),
                failed: false,
            },
            Err(e) => Outcome::Report {
                title,
                lines: vec![format!(
                    "Verification failed: {}",
                    view::shown(&e.to_string())
                )],
                failed: true,
            },
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
        let reads_case_content = crate::domain::role::RoleSet::new(account.roles.iter().copied())
            .is_ok_and(|roles| {
                crate::domain::permission::permits(
                    &roles,
                    crate::domain::permission::Action::ReadCaseContent,
                )
            });
        let mut session = SessionInfo {
            trail_warning: None,
            held: account.roles.clone(),
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
        // The newest events are checked at every login (the whole trail is
        // verified, a stretch at a time, in the audit viewer).
        let trail_warning = match casefile.verify_tail(LOGIN_CHECK_EVENTS) {
            Ok(check) => check.broken.map(|(seq, problem)| TrailWarning {
                seq,
                text: {
                let checked = match check.whole {
                    true => "the whole trail checked at login".to_owned(),
                    false => format!(
                        "events {} to {} checked at login",
                        check.from, check.through
                    ),
                };
                format!(
                    "the audit trail does not verify at event {seq} ({checked}): {}; tell the auditor, and run ccu check",
                    view::shown(&problem)
                )
                },
            }),
            Err(e) => Some(TrailWarning {
                seq: 0,
                text: format!(
                    "the audit trail could not be checked at login: {}",
                    view::shown(&e.to_string())
                ),
            }),
        };
        session.trail_warning = trail_warning;
        // Asked only of those who may read it, so an administrator's
        // session starts with no refusal in the trail.
        let resources = match reads_case_content {
            true => casefile
                .resource_types(&actor)
                .map(|r| {
                    r.into_iter()
                        .map(|t| (t.code, t.label, t.weekly_capacity))
                        .collect()
                })
                .unwrap_or_default(),
            false => Vec::new(),
        };
        self.actor = Some(actor);
        self.seen = casefile.change_mark().ok();
        Outcome::LoggedIn(session, resources)
    }

    fn load(&mut self, load: Load) -> Result<Outcome, Unopened> {
        let (casefile, actor) = logged_in(&mut self.casefile, &self.actor)?;
        if let Load::Dashboard = load {
            return Ok(Outcome::Dashboard(dashboard::view(casefile, actor)?));
        }
        let mut reader = Reader {
            casefile,
            actor,
            anchors: &mut self.anchors,
        };
        Ok(match load {
            Load::Dashboard => unreachable!("read above"),
            Load::Page { area, spec, start } => {
                let page = Page {
                    offset: start,
                    limit: WINDOW,
                };
                let (total, rows) = area.load(&mut reader, &spec, page)?;
                Outcome::Page {
                    area,
                    spec,
                    start,
                    total,
                    rows,
                }
            }
            Load::Open { area, key } => Outcome::Opened(area.open(&mut reader, &key)?),
            Load::Choices(kind) => {
                Outcome::Choices(kind, super::picker::candidates(&mut reader, kind)?)
            }
            Load::Similar {
                field,
                id,
                text,
                drafting,
            } => {
                let found = reader
                    .casefile
                    .similar_reasoning(reader.actor, drafting, &text)?;
                Outcome::Similar {
                    field,
                    id,
                    text,
                    found,
                }
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

/// A path as the user gave it, a relative one taken from the case file's
/// folder rather than from wherever ccu was started.
fn beside(casefile: &CaseFile, path: &std::path::Path) -> PathBuf {
    match path.is_relative() {
        true => casefile
            .path()
            .parent()
            .map_or_else(|| path.to_path_buf(), |folder| folder.join(path)),
        false => path.to_path_buf(),
    }
}

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

/// Why nothing opened, as the screen shows it.
fn unopened(e: Unopened) -> Outcome {
    match e {
        Unopened::Store(e) => failure(e),
        Unopened::Nothing(message) => Outcome::Failed(message),
    }
}

/// An error as the screen shows it: bad input goes beside its field.
fn failure(e: store::Error) -> Outcome {
    match e {
        store::Error::Invalid(invalid) => Outcome::Invalid(invalid),
        other => Outcome::Failed(view::shown(&other.to_string())),
    }
}
