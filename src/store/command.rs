//! Every change a user can ask for, what each needs, and which rule runs it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::accounts;
use super::casework::{intelligence, operations, subjects};
use super::covert::{authorisations, bids, referrals, thresholds};
use super::file::settings;
use super::trail::export::ExportRequest;
use super::write::{Applied, Ctx, Done, Fail};
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::bid::{BidDecision, BidLine, BidStatus};
use crate::domain::covert::{
    AuthorisationApplication, Cancellation, IopcDecision, NewReferral, Review, ThresholdCriteria,
    ThresholdOutcome,
};
use crate::domain::intelligence::{NewIntelligence, TriageStatus};
use crate::domain::operation::{
    Closure, Codename, Decision, NewOperation, OperationStatus, TeamPart,
};
use crate::domain::permission::Action;
use crate::domain::role::RoleSet;
use crate::domain::subject::{StaffNumber, SubjectDetails};
use crate::domain::tactic::{Tactic, TacticDecision};
use crate::domain::text::Rationale;
use crate::domain::urn::Urn;

/// A record whose opening is a consultation, logged as a `view` event
/// (Data Protection Act 2018 s.62).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewed {
    Operation(Codename),
    Subject(StaffNumber),
    Intelligence(Urn),
    Bid(Urn),
    Authorisation(Urn),
    Referral(Urn),
}

/// Every change a user can ask for.
#[derive(Debug, Clone)]
pub enum Command {
    AddUser {
        username: Username,
        display_name: DisplayName,
        rank: Rank,
        roles: RoleSet,
        password: NewPassword,
    },
    DisableUser {
        username: Username,
    },
    EnableUser {
        username: Username,
    },
    SetRoles {
        username: Username,
        roles: RoleSet,
    },
    /// One's own password, or (as an administrator) someone else's.
    SetPassword {
        username: Username,
        password: NewPassword,
    },
    /// Consulting the account list: recorded as a `view` event.
    ViewAccounts,
    /// A head of unit's decision on a request for access.
    DecideAccess {
        urn: Urn,
        approve: bool,
        /// Required to decline.
        reason: Option<Rationale>,
    },
    /// How long a request for access waits for a decision.
    SetAccessExpiry {
        hours: u32,
    },
    /// Consulting the requests for access: recorded as a `view` event.
    ViewAccessRequests,
    /// Opening the audit trail on screen: recorded as a `view` event.
    ViewAuditTrail,

    RecordIntelligence(NewIntelligence),
    /// A bulk intake, all in one transaction. Items whose source reference
    /// is already in the case file are skipped, so a file imports once.
    ImportIntelligence {
        label: String,
        items: Vec<NewIntelligence>,
    },
    TriageIntelligence {
        urn: Urn,
        to: TriageStatus,
        /// Required when `to` is linked-to-operation, refused otherwise.
        operation: Option<Codename>,
        rationale: Rationale,
    },
    /// Links a subject to intelligence already recorded, when who it
    /// concerns comes out after it was recorded.
    LinkIntelligenceSubject {
        urn: Urn,
        staff_number: StaffNumber,
    },
    AddSubject(SubjectDetails),
    /// Replaces a subject's details (found by staff number).
    UpdateSubject(SubjectDetails),
    OpenOperation(NewOperation),
    ChangeOperationStatus {
        codename: Codename,
        to: OperationStatus,
        reason: Rationale,
    },
    CloseOperation {
        codename: Codename,
        closure: Closure,
    },
    AddToTeam {
        codename: Codename,
        username: Username,
        part: TeamPart,
    },
    RemoveFromTeam {
        codename: Codename,
        username: Username,
    },
    LinkSubject {
        codename: Codename,
        staff_number: StaffNumber,
    },
    RecordDecision {
        codename: Codename,
        decision: Decision,
    },
    View(Viewed),

    /// A bid for resources on an operation, in draft.
    DraftBid {
        codename: Codename,
        justification: Rationale,
        lines: Vec<BidLine>,
    },
    SubmitBid {
        urn: Urn,
    },
    /// A supervisor's decision; never on a bid they made themselves.
    DecideBid {
        urn: Urn,
        decision: BidDecision,
        rationale: Rationale,
    },
    /// An active bid completed, or any undecided or active bid withdrawn.
    CloseBid {
        urn: Urn,
        to: BidStatus,
        reason: Rationale,
    },
    /// The weekly capacity of a resource type.
    SetCapacity {
        resource: String,
        weekly: f64,
    },

    ProposeThreshold {
        codename: Codename,
        criteria: ThresholdCriteria,
    },
    /// Decides the operation's latest undecided proposal.
    DecideThreshold {
        codename: Codename,
        outcome: ThresholdOutcome,
        rationale: Rationale,
    },

    ApplyForAuthorisation(AuthorisationApplication),
    /// Never by the applicant. An officer on the operation's team must say
    /// why they grant it (`involvement`), and the grant is flagged; no
    /// other officer gives one.
    ///
    /// `tactics` decides each tactic the application lists, granted or
    /// refused with a reason: it grants only those granted, and at least
    /// one must be. Empty for an application that lists none.
    GrantAuthorisation {
        urn: Urn,
        review_every_days: u32,
        rationale: Rationale,
        involvement: Option<Rationale>,
        tactics: Vec<(Tactic, TacticDecision)>,
    },
    RefuseAuthorisation {
        urn: Urn,
        rationale: Rationale,
    },
    /// A Judicial Commissioner's approval, given and notified to the
    /// grantor at `approved_at`: the authorisation takes effect then.
    RecordJudicialApproval {
        urn: Urn,
        reference: String,
        approved_at: DateTime<Utc>,
    },
    ReviewAuthorisation {
        urn: Urn,
        review: Review,
    },
    RenewAuthorisation {
        urn: Urn,
        rationale: Rationale,
    },
    CancelAuthorisation {
        urn: Urn,
        cancellation: Cancellation,
    },

    RecordReferral(NewReferral),
    MakeReferral {
        urn: Urn,
    },
    RecordIopcDecision {
        urn: Urn,
        decision: IopcDecision,
    },
    /// How many UK days after the day it became clear a referral is due.
    SetReferralDeadline {
        days_after: u32,
    },
    /// Signs a checkpoint of the whole audit trail as it stands.
    RecordCheckpoint,
    /// Writes an oversight export bundle (with a new checkpoint).
    ExportAudit(ExportRequest),
    /// Marks a new case file, before anything is put in it, as a
    /// demonstration file holding only fictional data.
    MarkDemo,
    /// A command a register declares in its own file (`Registered`).
    Register(Registered),
}

/// What a register's own `Command` enum says of each of its commands. A
/// store file that declares `pub enum Command` is a register: the build
/// (`build.rs`) finds it and wires its commands into `Registered`, so the
/// write path audits, permits and runs them like every other, and the
/// register's file is the one place that knows them.
pub(in crate::store) trait RegisterCommand {
    /// The audit trail's name for the command, `area.verb`.
    fn audit_action(&self) -> &'static str;
    /// What it is about, as far as is known before it runs.
    fn entity(&self) -> (&'static str, String);
    /// What the actor must be permitted.
    fn permission(&self) -> Action;
    /// Runs its rule and writes its rows: what it did, and what it reports.
    fn apply(self, ctx: &Ctx<'_>) -> Result<(Applied, Done), Fail>;
}

include!(concat!(env!("OUT_DIR"), "/registers.rs"));

impl Command {
    /// The audit trail's name for this command.
    pub fn audit_action(&self) -> &'static str {
        match self {
            Command::AddUser { .. } => "user.add",
            Command::DisableUser { .. } => "user.disable",
            Command::EnableUser { .. } => "user.enable",
            Command::SetRoles { .. } => "user.roles",
            Command::SetPassword { .. } => "user.passwd",
            Command::DecideAccess { approve: true, .. } => "access.approve",
            Command::DecideAccess { approve: false, .. } => "access.decline",
            Command::SetAccessExpiry { .. } => "setting.access-request-hours",
            Command::ViewAccounts
            | Command::ViewAccessRequests
            | Command::ViewAuditTrail
            | Command::View(_) => "view",
            Command::RecordIntelligence(_) => "intelligence.record",
            Command::ImportIntelligence { .. } => "intelligence.import",
            Command::TriageIntelligence { .. } => "intelligence.triage",
            Command::LinkIntelligenceSubject { .. } => "intelligence.subject.link",
            Command::AddSubject(_) => "subject.add",
            Command::UpdateSubject(_) => "subject.update",
            Command::OpenOperation(_) => "operation.open",
            Command::ChangeOperationStatus { .. } => "operation.status",
            Command::CloseOperation { .. } => "operation.close",
            Command::AddToTeam { .. } => "operation.team.add",
            Command::RemoveFromTeam { .. } => "operation.team.remove",
            Command::LinkSubject { .. } => "operation.subject.link",
            Command::RecordDecision { .. } => "decision.record",
            Command::DraftBid { .. } => "bid.draft",
            Command::SubmitBid { .. } => "bid.submit",
            Command::DecideBid { .. } => "bid.decide",
            Command::CloseBid { .. } => "bid.close",
            Command::SetCapacity { .. } => "capacity.set",
            Command::ProposeThreshold { .. } => "threshold.propose",
            Command::DecideThreshold { .. } => "threshold.decide",
            Command::ApplyForAuthorisation(_) => "authorisation.apply",
            Command::GrantAuthorisation { .. } => "authorisation.grant",
            Command::RefuseAuthorisation { .. } => "authorisation.refuse",
            Command::RecordJudicialApproval { .. } => "authorisation.judicial-approval",
            Command::ReviewAuthorisation { .. } => "authorisation.review",
            Command::RenewAuthorisation { .. } => "authorisation.renew",
            Command::CancelAuthorisation { .. } => "authorisation.cancel",
            Command::RecordReferral(_) => "referral.record",
            Command::MakeReferral { .. } => "referral.refer",
            Command::RecordIopcDecision { .. } => "referral.iopc-decision",
            Command::SetReferralDeadline { .. } => "setting.referral-deadline",
            Command::RecordCheckpoint => "audit.checkpoint",
            Command::ExportAudit(_) => "audit.export",
            Command::MarkDemo => "casefile.demo",
            Command::Register(c) => c.audit_action(),
        }
    }

    /// The account a user-management command is about.
    pub(super) fn target(&self) -> Option<&Username> {
        match self {
            Command::AddUser { username, .. }
            | Command::DisableUser { username }
            | Command::EnableUser { username }
            | Command::SetRoles { username, .. }
            | Command::SetPassword { username, .. } => Some(username),
            _ => None,
        }
    }

    /// What the command is about, as far as is known before it runs (a new
    /// item has no URN yet).
    pub(super) fn entity(&self) -> (&'static str, String) {
        if let Some(username) = self.target() {
            return ("user", username.to_string());
        }
        match self {
            Command::ViewAccounts => ("accounts", "*".to_owned()),
            Command::ViewAccessRequests => ("access-requests", "*".to_owned()),
            Command::DecideAccess { urn, .. } => ("access-request", urn.to_string()),
            Command::SetAccessExpiry { .. } => ("setting", super::access::EXPIRY_KEY.to_owned()),
            Command::ViewAuditTrail => ("audit", "*".to_owned()),
            Command::RecordIntelligence(_) => ("intelligence", "new".to_owned()),
            Command::ImportIntelligence { label, .. } => ("import", label.clone()),
            Command::TriageIntelligence { urn, .. }
            | Command::LinkIntelligenceSubject { urn, .. } => ("intelligence", urn.to_string()),
            Command::AddSubject(s) | Command::UpdateSubject(s) => {
                ("subject", s.staff_number.to_string())
            }
            Command::OpenOperation(op) => ("operation", op.codename.to_string()),
            Command::ChangeOperationStatus { codename, .. }
            | Command::CloseOperation { codename, .. }
            | Command::AddToTeam { codename, .. }
            | Command::RemoveFromTeam { codename, .. }
            | Command::LinkSubject { codename, .. }
            | Command::RecordDecision { codename, .. } => ("operation", codename.to_string()),
            Command::View(Viewed::Operation(c)) => ("operation", c.to_string()),
            Command::View(Viewed::Subject(s)) => ("subject", s.to_string()),
            Command::View(Viewed::Intelligence(u)) => ("intelligence", u.to_string()),
            Command::View(Viewed::Bid(u)) => ("bid", u.to_string()),
            Command::View(Viewed::Authorisation(u)) => ("authorisation", u.to_string()),
            Command::View(Viewed::Referral(u)) => ("referral", u.to_string()),
            Command::DraftBid { codename, .. } => ("operation", codename.to_string()),
            Command::SubmitBid { urn }
            | Command::DecideBid { urn, .. }
            | Command::CloseBid { urn, .. } => ("bid", urn.to_string()),
            Command::SetCapacity { resource, .. } => ("resource", resource.clone()),
            Command::ProposeThreshold { codename, .. }
            | Command::DecideThreshold { codename, .. } => ("operation", codename.to_string()),
            Command::ApplyForAuthorisation(app) => ("operation", app.codename.to_string()),
            Command::GrantAuthorisation { urn, .. }
            | Command::RefuseAuthorisation { urn, .. }
            | Command::RecordJudicialApproval { urn, .. }
            | Command::ReviewAuthorisation { urn, .. }
            | Command::RenewAuthorisation { urn, .. }
            | Command::CancelAuthorisation { urn, .. } => ("authorisation", urn.to_string()),
            Command::RecordReferral(r) => (
                "referral",
                r.codename
                    .as_ref()
                    .map_or("new".to_owned(), |c| format!("new on {c}")),
            ),
            Command::MakeReferral { urn } | Command::RecordIopcDecision { urn, .. } => {
                ("referral", urn.to_string())
            }
            Command::SetReferralDeadline { .. } => {
                ("setting", "referral_deadline_days_after".to_owned())
            }
            Command::RecordCheckpoint => ("checkpoint", "new".to_owned()),
            Command::ExportAudit(r) => ("export", r.out.display().to_string()),
            Command::MarkDemo => ("setting", settings::DEMO_KEY.to_owned()),
            Command::Register(c) => c.entity(),
            // Answered by `target` above; named here so that a new command
            // without an entity is a compile error, not a panic.
            Command::AddUser { .. }
            | Command::DisableUser { .. }
            | Command::EnableUser { .. }
            | Command::SetRoles { .. }
            | Command::SetPassword { .. } => ("user", String::new()),
        }
    }

    pub(super) fn required_permission(&self, actor: &Username) -> Action {
        match self {
            Command::SetPassword { username, .. } if username == actor => Action::ChangeOwnPassword,
            Command::AddUser { .. }
            | Command::DisableUser { .. }
            | Command::EnableUser { .. }
            | Command::SetRoles { .. }
            | Command::SetPassword { .. } => Action::ManageAccounts,
            Command::ViewAccounts => Action::ListAccounts,
            Command::DecideAccess { .. } | Command::SetAccessExpiry { .. } => Action::DecideAccess,
            Command::ViewAccessRequests => Action::ListAccessRequests,
            Command::RecordIntelligence(_) | Command::ImportIntelligence { .. } => {
                Action::RecordIntelligence
            }
            Command::TriageIntelligence { .. } => Action::TriageIntelligence,
            Command::AddSubject(_) | Command::UpdateSubject(_) => Action::ManageSubjects,
            Command::OpenOperation(_) => Action::OpenOperation,
            Command::ChangeOperationStatus { .. } => Action::ChangeOperationStatus,
            Command::CloseOperation { .. } => Action::CloseOperation,
            Command::AddToTeam { .. } | Command::RemoveFromTeam { .. } => Action::AllocateTeam,
            Command::LinkSubject { .. } | Command::LinkIntelligenceSubject { .. } => {
                Action::LinkSubjects
            }
            Command::RecordDecision { .. } => Action::RecordDecision,
            Command::View(_) => Action::ReadCaseContent,
            Command::DraftBid { .. } | Command::SubmitBid { .. } | Command::CloseBid { .. } => {
                Action::MakeBid
            }
            Command::DecideBid { .. } => Action::DecideBid,
            Command::SetCapacity { .. } => Action::SetCapacity,
            Command::ProposeThreshold { .. } => Action::ProposeThreshold,
            Command::DecideThreshold { .. } => Action::DecideThreshold,
            Command::ApplyForAuthorisation(_) => Action::ApplyForAuthorisation,
            Command::GrantAuthorisation { .. }
            | Command::RefuseAuthorisation { .. }
            | Command::RecordJudicialApproval { .. }
            | Command::ReviewAuthorisation { .. }
            | Command::RenewAuthorisation { .. }
            | Command::CancelAuthorisation { .. } => Action::ActOnAuthorisation,
            Command::RecordReferral(_) | Command::RecordIopcDecision { .. } => {
                Action::RecordReferral
            }
            Command::MakeReferral { .. } => Action::MakeReferral,
            Command::SetReferralDeadline { .. } => Action::SetDeadlines,
            Command::RecordCheckpoint | Command::ExportAudit(_) | Command::ViewAuditTrail => {
                Action::ReadAuditTrail
            }
            Command::MarkDemo => Action::MarkDemo,
            Command::Register(c) => c.permission(),
        }
    }
}

/// Runs a permitted command's rule and writes its rows; returns what it
/// did, and what it reports to whoever ran it.
pub(super) fn apply(
    ctx: &Ctx<'_>,
    command: Command,
    public_key: Option<String>,
) -> Result<(Applied, Done), Fail> {
    let (entity_type, entity_ref) = command.entity();
    let simple = |details: Value| Applied {
        entity_type,
        entity_ref: entity_ref.clone(),
        details,
    };
    // The commands that report something return; the rest have only
    // been recorded.
    let applied = match command {
        Command::AddUser { .. }
        | Command::DisableUser { .. }
        | Command::EnableUser { .. }
        | Command::SetRoles { .. }
        | Command::SetPassword { .. }
        | Command::ViewAccounts => {
            let (details, done) = accounts::apply(ctx, &command, public_key)?;
            return Ok((simple(details), done));
        }
        Command::DecideAccess {
            urn,
            approve,
            reason,
        } => return super::access::decide(ctx, &urn, approve, reason.as_ref()),
        Command::SetAccessExpiry { hours } => super::access::set_expiry(ctx, hours),
        Command::ViewAccessRequests => Ok(simple(json!({ "what": "requests for access" }))),
        Command::RecordIntelligence(item) => intelligence::record(ctx, item, None),
        Command::ImportIntelligence { label, items } => {
            return intelligence::import(ctx, &label, items);
        }
        Command::TriageIntelligence {
            urn,
            to,
            operation,
            rationale,
        } => intelligence::triage(ctx, urn, to, operation, &rationale),
        Command::LinkIntelligenceSubject { urn, staff_number } => {
            intelligence::link_subject(ctx, &urn, &staff_number)
        }
        Command::AddSubject(details) => subjects::add(ctx, details),
        Command::UpdateSubject(details) => subjects::update(ctx, details),
        Command::OpenOperation(op) => operations::open(ctx, op),
        Command::ChangeOperationStatus {
            codename,
            to,
            reason,
        } => operations::change_status(ctx, &codename, to, &reason),
        Command::CloseOperation { codename, closure } => operations::close(ctx, &codename, closure),
        Command::AddToTeam {
            codename,
            username,
            part,
        } => operations::add_to_team(ctx, &codename, &username, part),
        Command::RemoveFromTeam { codename, username } => {
            operations::remove_from_team(ctx, &codename, &username)
        }
        Command::LinkSubject {
            codename,
            staff_number,
        } => operations::link_subject(ctx, &codename, &staff_number),
        Command::RecordDecision { codename, decision } => {
            operations::record_decision(ctx, &codename, decision)
        }
        Command::View(viewed) => super::visibility::view(ctx, viewed),
        Command::ViewAuditTrail => Ok(simple(json!({ "what": "audit trail" }))),
        Command::DraftBid {
            codename,
            justification,
            lines,
        } => bids::draft(ctx, &codename, &justification, lines),
        Command::SubmitBid { urn } => bids::submit(ctx, &urn),
        Command::DecideBid {
            urn,
            decision,
            rationale,
        } => bids::decide(ctx, &urn, decision, &rationale),
        Command::CloseBid { urn, to, reason } => bids::close(ctx, &urn, to, &reason),
        Command::SetCapacity { resource, weekly } => bids::set_capacity(ctx, &resource, weekly),
        Command::ProposeThreshold { codename, criteria } => {
            thresholds::propose(ctx, &codename, criteria)
        }
        Command::DecideThreshold {
            codename,
            outcome,
            rationale,
        } => thresholds::decide(ctx, &codename, outcome, &rationale),
        Command::ApplyForAuthorisation(app) => authorisations::apply(ctx, app),
        Command::GrantAuthorisation {
            urn,
            review_every_days,
            rationale,
            involvement,
            tactics,
        } => authorisations::grant(
            ctx,
            &urn,
            review_every_days,
            &rationale,
            involvement.as_ref(),
            &tactics,
        ),
        Command::RefuseAuthorisation { urn, rationale } => {
            authorisations::refuse(ctx, &urn, &rationale)
        }
        Command::RecordJudicialApproval {
            urn,
            reference,
            approved_at,
        } => authorisations::judicial_approval(ctx, &urn, &reference, approved_at),
        Command::ReviewAuthorisation { urn, review } => authorisations::review(ctx, &urn, review),
        Command::RenewAuthorisation { urn, rationale } => {
            authorisations::renew(ctx, &urn, &rationale)
        }
        Command::CancelAuthorisation { urn, cancellation } => {
            authorisations::cancel(ctx, &urn, cancellation)
        }
        Command::RecordReferral(r) => referrals::record(ctx, r),
        Command::MakeReferral { urn } => referrals::refer(ctx, &urn),
        Command::RecordIopcDecision { urn, decision } => {
            referrals::iopc_decision(ctx, &urn, decision)
        }
        Command::SetReferralDeadline { days_after } => {
            referrals::set_deadline_days(ctx, days_after)
        }
        Command::RecordCheckpoint => return super::keys::record_checkpoint(ctx),
        Command::ExportAudit(request) => return super::export::export(ctx, request),
        Command::MarkDemo => settings::mark_demo(ctx),
        Command::Register(c) => return c.apply(ctx),
    };
    Ok((applied?, Done::Recorded))
}
