//! Oversight and the odd refusal, as a real trail has.

use super::steps::codename;
use crate::demo::Plan;
use crate::store::{Command, Credentials, Viewed};

pub(super) fn trail(plan: &mut Plan) {
    plan.step((30, 8, 55), |b| {
        // A mistyped password: the failed login is audited.
        let _ = b.cf.login(Credentials {
            username: "investigator",
            password: "demo pasword 2026",
        });
        Ok(())
    });
    plan.step((40, 15, 0), |b| {
        // Need-to-know: the investigator is not on BITTERN, so it is
        // reported as not existing, and the attempt is audited.
        let actor = b.actor("investigator")?;
        let _ = b.cf.open_operation(&actor, &codename("BITTERN")?);
        Ok(())
    });
    plan.cmd((90, 10, 0), "auditor", |_| {
        Ok(Command::View(Viewed::Operation(codename("KESTREL")?)))
    });
    plan.cmd((90, 10, 30), "auditor", |_| Ok(Command::RecordCheckpoint));
}
