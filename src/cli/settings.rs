//! `ccu settings`: the rules the unit works to, shown and set. Each change
//! is an audited write, refused to those the setting is not theirs to set.

use std::io::Write;
use std::path::Path;

use clap::Subcommand;

use super::{AsUser, Failure, open, say};
use crate::domain::drift::DriftThreshold;
use crate::exit::ExitCode;
use crate::store::Command;
use crate::store::registers::drift::Command as Drift;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the referral deadline and the status drift threshold (anyone who reads case content)
    Show {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Set how many UK days after the day it became clear an IOPC referral is due, 0 to 30 (supervisors)
    ReferralDeadline {
        /// Days after the day it became clear
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=30))]
        days: u32,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Set when intelligence from one named person warns of CHIS status drift: COUNT items within DAYS days (supervisors)
    StatusDrift {
        /// How many items from the same person, 2 to 20
        #[arg(long, value_name = "COUNT")]
        count: u32,
        /// Within how many days, 1 to 730
        #[arg(long, value_name = "DAYS")]
        days: u32,
        #[command(flatten)]
        actor: AsUser,
    },
}

pub(super) fn run(
    path: &Path,
    command: SettingsCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    match command {
        SettingsCommand::Show { actor } => {
            let (mut casefile, actor) = open(path, &actor)?;
            let days = casefile.referral_deadline_days(&actor)?;
            let drift = casefile.drift_threshold(&actor)?;
            say(out, &deadline_line(days))?;
            say(out, &drift_line(drift))?;
        }
        SettingsCommand::ReferralDeadline { days, actor } => {
            let (mut casefile, actor) = open(path, &actor)?;
            casefile.execute(&actor, Command::SetReferralDeadline { days_after: days })?;
            say(out, &format!("Set. {}", deadline_line(days)))?;
        }
        SettingsCommand::StatusDrift { count, days, actor } => {
            // Checked before anyone is asked for a password.
            let threshold = DriftThreshold::new(count, days)?;
            let (mut casefile, actor) = open(path, &actor)?;
            casefile.execute(&actor, Drift::SetThreshold(threshold).into())?;
            say(out, &format!("Set. {}", drift_line(threshold)))?;
        }
    }
    Ok(ExitCode::Ok)
}

fn deadline_line(days: u32) -> String {
    format!(
        "Referral deadline: {days} UK day{} after the day it became clear (for referrals recorded from now on).",
        if days == 1 { "" } else { "s" }
    )
}

fn drift_line(t: DriftThreshold) -> String {
    format!(
        "Status drift: a warning when {} items from one named person fall within {} days.",
        t.count, t.days
    )
}
