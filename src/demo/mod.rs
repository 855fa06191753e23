//! The demo case file: a new case file filled with clearly fictional
//! casework for the invented Northshire Constabulary, so that every screen
//! has something to show and every role can be tried.
//!
//! Everything in it is made the way a unit would make it: each account logs
//! in and runs [`Command`]s through [`CaseFile::execute`], so the rules are
//! applied and the audit trail is genuine (`ccu check` verifies it). The
//! clock is moved forward through some 120 days ending at `now`, so records
//! carry realistic dates and the audit trail's times only go forward. After
//! building, the case file's clock runs on from `now` in real time.
//!
//! A demo file is marked as one ([`Command::MarkDemo`], read back with
//! [`CaseFile::is_demo`]) before anything is put in it, and
//! [`open_or_create_demo`] refuses to treat any other case file as a demo.

mod intake;
mod story;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::London;

use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::intelligence::{Grading, NewIntelligence, TriageStatus};
use crate::domain::operation::{Codename, Decision, OperationStatus};
use crate::domain::subject::{StaffNumber, SubjectStatus};
use crate::domain::text::Rationale;
use crate::domain::time::uk_date;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{
    self, Actor, CaseFile, Clock, Command, Credentials, Executed, FirstAdministrator, Locked,
};
use intake::{Item, subject_details};
use story::story;

/// The password of every demo account. A demo file holds nothing real, so
/// the password is printed in the documentation and on the login screen.
pub const DEMO_PASSWORD: &str = "demo password 2026";

/// One of the demo accounts: who it is and what logging in as it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub rank: Rank,
    /// Role codes, as [`RoleSet::parse_list`] reads them.
    pub roles: &'static [&'static str],
    /// One line: what this account shows.
    pub what: &'static str,
}

/// The demo accounts, one for each role (the administrator first: it
/// creates the file), and a second investigator so that some operations can
/// be led by someone other than `investigator`. All use [`DEMO_PASSWORD`].
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        display_name: "Perpetua Quillfeather (systems administrator)",
        rank: Rank::PoliceStaff,
        roles: &["administrator"],
        what: "manages accounts and roles, and sees no case content at all",
    },
    DemoAccount {
        username: "head",
        display_name: "DCI Ottoline Ashgrove-Penhallow (head of unit)",
        rank: Rank::ChiefInspector,
        roles: &["supervisor"],
        what: "head of unit: a supervisor who also approves the access the administrator asks for",
    },
    DemoAccount {
        username: "investigator",
        display_name: "DC Robin Larkhollow",
        rank: Rank::Constable,
        roles: &["investigator"],
        what: "on 8 of the 12 operations: need-to-know hides the other 4 and what is linked to them",
    },
    DemoAccount {
        username: "researcher",
        display_name: "Jude Pennywhistle-Moor (intelligence researcher)",
        rank: Rank::PoliceStaff,
        roles: &["investigator"],
        what: "records and triages intelligence, and leads the operations the investigator is not on",
    },
    DemoAccount {
        username: "supervisor",
        display_name: "DS Hollis Brambleworth",
        rank: Rank::Sergeant,
        roles: &["supervisor"],
        what: "sees every operation; decides thresholds and bids, closes operations, refers to the IOPC",
    },
    DemoAccount {
        username: "authorising",
        display_name: "Supt Imogen Castlereagh-Vane",
        rank: Rank::Superintendent,
        roles: &["authorising-officer"],
        what: "grants, reviews and cancels covert authorisations; sees only the 5 operations asked to act on",
    },
    DemoAccount {
        username: "auditor",
        display_name: "Morwenna Tull (Office of the Police and Crime Commissioner)",
        rank: Rank::PoliceStaff,
        roles: &["auditor"],
        what: "oversight: reads everything, including the audit trail, and can change nothing",
    },
];

/// How far back the demo's story begins.
const STORY_DAYS: i64 = 120;

/// Creates a new demo case file at `path`, filled with fictional casework
/// dated over the 120 days up to `now`. Refuses an existing path, as
/// [`CaseFile::create`] does; if anything fails part way, the half-built
/// file is removed. The returned case file's clock runs on from `now`.
pub fn create_demo(path: &Path, now: DateTime<Utc>) -> store::Result<CaseFile> {
    let plan = Plan::new(now);
    let clock = Arc::new(Mutex::new(Phase::Building(plan.time(0, 7, 45))));
    let admin = &DEMO_ACCOUNTS[0];
    let head = &DEMO_ACCOUNTS[1];
    let last = plan.time(0, 7, 45);
    let story_clock = clock.clone();
    let fill = move |casefile: CaseFile| {
        let mut builder = Builder {
            cf: casefile,
            clock: story_clock,
            last,
            now,
            actors: HashMap::new(),
            refs: HashMap::new(),
        };
        builder.build(plan)?;
        Ok(builder.cf)
    };
    let casefile = CaseFile::create_staged(
        path,
        FirstAdministrator {
            username: Username::parse(admin.username)?,
            display_name: DisplayName::parse(admin.display_name)?,
            rank: admin.rank,
            password: demo_password(admin.username)?,
        },
        store::HeadOfUnit {
            username: Username::parse(head.username)?,
            display_name: DisplayName::parse(head.display_name)?,
            rank: head.rank,
            password: demo_password(head.username)?,
        },
        shared_clock(clock.clone()),
        true,
        fill,
    )?;
    *clock.lock().expect("the demo clock") = Phase::Running {
        from: now,
        since: Instant::now(),
    };
    Ok(casefile)
}

/// Finds the demo case file at `path`, creating it first if there is
/// none, ready to be unlocked with a demo account and [`DEMO_PASSWORD`]. A
/// case file there that is not a demo file is refused with
/// [`store::Error::NotDemo`] and left as it was.
pub fn open_or_create_demo(path: &Path, now: DateTime<Utc>) -> store::Result<Locked> {
    if !path.exists() {
        drop(create_demo(path, now)?);
    }
    let locked = match CaseFile::locate(path) {
        Err(store::Error::Unencrypted { .. }) if store::plain_demo_marked(path) => {
            return Err(store::Error::OldDemo {
                path: path.to_owned(),
            });
        }
        found => found?,
    };
    if !locked.is_demo() {
        return Err(store::Error::NotDemo {
            path: path.to_owned(),
        });
    }
    Ok(locked)
}

/// The clock a demo file opened at `now` runs on.
pub fn demo_clock(now: DateTime<Utc>) -> Clock {
    running_clock(now)
}

/// The accounts made with the file itself, who chose their own password.
const FOUNDERS: usize = 2;

/// The one-time password the administrator gives a demo account when
/// adding it; the account replaces it with [`DEMO_PASSWORD`] at its first
/// login, as every new account must.
fn first_password(_username: &str) -> String {
    "first login, one time only".to_owned()
}

fn demo_password(username: &str) -> store::Result<NewPassword> {
    Ok(NewPassword::parse(
        DEMO_PASSWORD.to_owned(),
        &Username::parse(username)?,
    )?)
}

/// The demo clock: set by the builder while the story is written, then
/// running in real time from `now`.
enum Phase {
    Building(DateTime<Utc>),
    Running { from: DateTime<Utc>, since: Instant },
}

fn shared_clock(phase: Arc<Mutex<Phase>>) -> Clock {
    Box::new(move || match *phase.lock().expect("the demo clock") {
        Phase::Building(at) => at,
        Phase::Running { from, since } => after(from, since),
    })
}

fn running_clock(from: DateTime<Utc>) -> Clock {
    let since = Instant::now();
    Box::new(move || after(from, since))
}

fn after(from: DateTime<Utc>, since: Instant) -> DateTime<Utc> {
    from + TimeDelta::from_std(since.elapsed()).unwrap_or(TimeDelta::zero())
}

// ---------------------------------------------------------------------------
// The machinery: a plan of dated steps, run in time order.

type Step = Box<dyn FnOnce(&mut Builder) -> store::Result<()>>;

struct Plan {
    /// Day 0 of the story (UK date); `now` falls on day 120.
    start: NaiveDate,
    steps: Vec<(DateTime<Utc>, Step)>,
}

impl Plan {
    fn new(now: DateTime<Utc>) -> Plan {
        Plan {
            start: uk_date(now) - Days::new(STORY_DAYS as u64),
            steps: Vec::new(),
        }
    }

    /// The UK date of a story day.
    fn date(&self, day: i64) -> NaiveDate {
        if day >= 0 {
            self.start + Days::new(day as u64)
        } else {
            self.start - Days::new(day.unsigned_abs())
        }
    }

    /// A UK wall-clock time on a story day, in UTC.
    fn time(&self, day: i64, hour: u32, minute: u32) -> DateTime<Utc> {
        let local = self
            .date(day)
            .and_hms_opt(hour, minute, 0)
            .expect("a time of day");
        London
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    fn step(
        &mut self,
        (day, hour, minute): (i64, u32, u32),
        f: impl FnOnce(&mut Builder) -> store::Result<()> + 'static,
    ) {
        let at = self.time(day, hour, minute);
        self.steps.push((at, Box::new(f)));
    }

    /// A command run by `who` at a story time.
    fn cmd(
        &mut self,
        when: (i64, u32, u32),
        who: &'static str,
        make: impl FnOnce(&Builder) -> store::Result<Command> + 'static,
    ) {
        self.step(when, move |b| {
            let command = make(b)?;
            b.exec(who, command).map(|_| ())
        });
    }

    /// A command whose result is a URN kept under `label` for later steps.
    fn keep(
        &mut self,
        when: (i64, u32, u32),
        who: &'static str,
        label: &'static str,
        kind: UrnKind,
        make: impl FnOnce(&Builder) -> store::Result<Command> + 'static,
    ) {
        self.step(when, move |b| {
            let command = make(b)?;
            let done = b.exec(who, command)?;
            b.refs.insert(label, Urn::parse(kind, &done.reference)?);
            Ok(())
        });
    }

    fn decision(
        &mut self,
        when: (i64, u32, u32),
        who: &'static str,
        op: &'static str,
        (decision, rationale, alternatives): (&'static str, &'static str, &'static str),
        corrects: Option<u32>,
    ) {
        self.cmd(when, who, move |_| {
            Ok(Command::RecordDecision {
                codename: Codename::parse(op)?,
                decision: Decision::new(decision, rationale, alternatives, corrects)?,
            })
        });
    }

    fn status(
        &mut self,
        when: (i64, u32, u32),
        op: &'static str,
        to: OperationStatus,
        reason: &'static str,
    ) {
        self.cmd(when, "supervisor", move |_| {
            Ok(Command::ChangeOperationStatus {
                codename: Codename::parse(op)?,
                to,
                reason: Rationale::new("reason", reason)?,
            })
        });
    }

    fn add_subject(&mut self, when: (i64, u32, u32), who: &'static str, staff: &'static str) {
        let start = self.start;
        self.cmd(when, who, move |_| {
            Ok(Command::AddSubject(subject_details(start, staff, None)?))
        });
    }

    fn update_subject(
        &mut self,
        when: (i64, u32, u32),
        staff: &'static str,
        status: SubjectStatus,
    ) {
        let start = self.start;
        self.cmd(when, "supervisor", move |_| {
            Ok(Command::UpdateSubject(subject_details(
                start,
                staff,
                Some(status),
            )?))
        });
    }

    /// Records an item received at `received`, two hours later.
    fn intel(&mut self, label: &'static str, received: (i64, u32, u32), item: Item) {
        let at = self.time(received.0, received.1, received.2);
        let recorded = (received.0, received.1 + 2, received.2);
        self.keep(
            recorded,
            item.recorder,
            label,
            UrnKind::Intelligence,
            move |_| {
                Ok(Command::RecordIntelligence(
                    NewIntelligence::new(
                        at,
                        item.source,
                        item.anonymous,
                        None,
                        Grading::parse(item.grading, item.conditions)?,
                        item.category,
                        item.apsp,
                        item.subjects
                            .iter()
                            .map(|s| StaffNumber::parse(s))
                            .collect::<Result<_, _>>()?,
                        item.summary,
                        &item.full_text,
                    )?
                    .from_person(item.source_person)?,
                ))
            },
        );
    }

    fn triage(
        &mut self,
        when: (i64, u32, u32),
        who: &'static str,
        label: &'static str,
        to: TriageStatus,
        op: Option<&'static str>,
        rationale: &'static str,
    ) {
        self.cmd(when, who, move |b| {
            Ok(Command::TriageIntelligence {
                urn: b.urn(label)?,
                to,
                operation: op.map(Codename::parse).transpose()?,
                rationale: Rationale::new("rationale", rationale)?,
            })
        });
    }

    /// The daily meeting's two moves: assessed, then linked to `op`.
    fn link(&mut self, day: i64, label: &'static str, op: &'static str, why: &'static str) {
        self.triage(
            (day, 9, 30),
            "supervisor",
            label,
            TriageStatus::Assessed,
            None,
            "Graded and categorised at the daily intelligence meeting",
        );
        self.triage(
            (day, 9, 35),
            "supervisor",
            label,
            TriageStatus::LinkedToOperation,
            Some(op),
            why,
        );
    }
}

struct Builder {
    cf: CaseFile,
    clock: Arc<Mutex<Phase>>,
    last: DateTime<Utc>,
    now: DateTime<Utc>,
    actors: HashMap<&'static str, Actor>,
    refs: HashMap<&'static str, Urn>,
}

impl Builder {
    fn build(&mut self, mut plan: Plan) -> store::Result<()> {
        story(&mut plan);
        let mut steps = std::mem::take(&mut plan.steps);
        // Stable: steps at the same moment keep the order they were planned in.
        steps.sort_by_key(|(at, _)| *at);
        for (at, step) in steps {
            self.set_time(at);
            step(self)?;
        }
        Ok(())
    }

    /// Moves the clock to `at`, never backwards (each step at least a
    /// second after the last) and never past `now`.
    fn set_time(&mut self, at: DateTime<Utc>) {
        let at = at.max(self.last + TimeDelta::seconds(1));
        let at = at.min(self.now).max(self.last);
        self.last = at;
        *self.clock.lock().expect("the demo clock") = Phase::Building(at);
    }

    fn actor(&mut self, who: &'static str) -> store::Result<Actor> {
        if let Some(actor) = self.actors.get(who) {
            return Ok(actor.clone());
        }
        let founder = DEMO_ACCOUNTS[..FOUNDERS].iter().any(|a| a.username == who);
        let first = first_password(who);
        let actor = self.cf.login(Credentials {
            username: who,
            password: if founder { DEMO_PASSWORD } else { &first },
        })?;
        if self.cf.one_time_password(&actor)?.is_some() {
            self.cf.execute(
                &actor,
                Command::SetPassword {
                    username: actor.username().clone(),
                    password: demo_password(who)?,
                },
            )?;
        }
        self.actors.insert(who, actor.clone());
        Ok(actor)
    }

    fn exec(&mut self, who: &'static str, command: Command) -> store::Result<Executed> {
        let actor = self.actor(who)?;
        self.cf.execute(&actor, command)
    }

    fn urn(&self, label: &str) -> store::Result<Urn> {
        self.refs.get(label).copied().ok_or_else(|| {
            store::Error::Invalid(crate::domain::InvalidInput::new(
                "demo",
                format!("the demo story names {label} before making it"),
            ))
        })
    }
}
