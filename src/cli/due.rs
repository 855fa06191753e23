//! `ccu due`: what is due or overdue, as a table or as JSON.

use std::io::Write;
use std::path::Path;

use super::{AsUser, Failure, open, say, say_json, table};
use crate::exit::ExitCode;

pub(super) fn run(
    path: &Path,
    within: u32,
    json: bool,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let (mut casefile, actor) = open(path, actor)?;
    let items = casefile.due(&actor, within)?;
    if json {
        let doc = serde_json::json!({
            "user": actor.username().as_str(),
            "within_days": within,
            "items": items,
        });
        say_json(out, &doc)?;
    } else if items.is_empty() {
        say(
            out,
            &format!("Nothing is due in the next {within} days, and nothing is overdue."),
        )?;
    } else {
        let rows: Vec<[String; 5]> = items
            .iter()
            .map(|i| {
                [
                    i.due_at.get(..16).unwrap_or(&i.due_at).replace('T', " "),
                    if i.overdue {
                        "OVERDUE".into()
                    } else {
                        String::new()
                    },
                    serde_json::to_value(i.what)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    i.reference.clone(),
                    i.why.clone(),
                ]
            })
            .collect();
        say(
            out,
            &table(&["DUE (UTC)", "", "WHAT", "REFERENCE", "WHY"], &rows),
        )?;
    }
    Ok(ExitCode::Ok)
}
