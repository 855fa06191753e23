//! Day 0: the unit's accounts, its capacity and the subjects of older
//! intelligence.

use super::steps::user;
use crate::demo::intake::SUBJECTS;
use crate::demo::{DEMO_ACCOUNTS, FOUNDERS, Plan, STORY_DAYS, first_password};
use crate::domain::account::{DisplayName, NewPassword};
use crate::domain::role::RoleSet;
use crate::store::Command;

pub(super) fn set_up(plan: &mut Plan) {
    accounts(plan);
    new_starter(plan);
    capacity(plan);
    older_subjects(plan);
}

/// Day 0: the file is set up with its administrator and head of unit.
/// The administrator marks it as a demo before anything else goes in,
/// then asks for the unit's accounts, and the head approves each.
fn accounts(plan: &mut Plan) {
    plan.cmd((0, 7, 50), "admin", |_| Ok(Command::MarkDemo));
    for (i, account) in DEMO_ACCOUNTS.iter().enumerate().skip(FOUNDERS) {
        plan.cmd((0, 8, i as u32), "admin", move |_| {
            Ok(Command::AddUser {
                username: user(account.username)?,
                display_name: DisplayName::parse(account.display_name)?,
                rank: account.rank,
                roles: RoleSet::parse_list(&account.roles.join(","))?,
                password: NewPassword::parse(
                    first_password(account.username),
                    &user(account.username)?,
                )?,
            })
        });
    }
    plan.step((0, 8, 30), |b| {
        let head = b.actor("head")?;
        for request in b.cf.access_requests(&head, false)? {
            b.cf.execute(
                &head,
                Command::DecideAccess {
                    urn: request.urn,
                    approve: true,
                    reason: None,
                },
            )?;
        }
        Ok(())
    });
}

/// Yesterday the administrator asked for a new starter's account; it
/// waits in the head of unit's queue (and `ccu user list` shows it
/// pending) until the head decides it.
fn new_starter(plan: &mut Plan) {
    plan.cmd((STORY_DAYS - 1, 16, 10), "admin", |_| {
        Ok(Command::AddUser {
            username: user("trainee")?,
            display_name: DisplayName::parse("DC Wren Foxley-Abbott (joins next week)")?,
            rank: crate::domain::account::Rank::Constable,
            roles: RoleSet::parse_list("investigator")?,
            password: NewPassword::parse(first_password("trainee"), &user("trainee")?)?,
        })
    });
}

/// The analysts' weekly hours, against which bids are weighed.
fn capacity(plan: &mut Plan) {
    plan.cmd((0, 9, 0), "supervisor", |_| {
        Ok(Command::SetCapacity {
            resource: "analyst-hours".to_owned(),
            weekly: 30.0,
        })
    });
}

/// The researcher loads the subjects of older intelligence.
fn older_subjects(plan: &mut Plan) {
    for (i, row) in SUBJECTS.iter().skip(12).enumerate() {
        plan.add_subject((0, 10, i as u32 * 3), "researcher", row.staff);
    }
}
