//! `ccu authorisations --central-record`: the central record of covert
//! authorisations, as a table, CSV or JSON.

use std::io::Write;
use std::path::Path;

use super::{AsUser, Failure, open, say, say_json, table};
use crate::exit::ExitCode;
use crate::store;

pub(super) fn central_record(
    path: &Path,
    csv: bool,
    json: bool,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let (mut casefile, actor) = open(path, actor)?;
    let entries = casefile.central_record(&actor)?;
    if json {
        say_json(out, &entries)?;
    } else if csv {
        let bytes = store::central_record_csv(&entries).map_err(|e| Failure {
            message: format!("cannot write CSV: {e}"),
            code: ExitCode::Failure,
        })?;
        out.write_all(&bytes).map_err(|e| Failure {
            message: format!("cannot write to standard output: {e}"),
            code: ExitCode::Failure,
        })?;
    } else {
        let rows: Vec<[String; 7]> = entries
            .iter()
            .map(|e| {
                [
                    e.urn.to_string(),
                    e.kind.clone(),
                    e.operation.to_string(),
                    e.status.label().to_owned(),
                    e.last_day.clone().unwrap_or_default(),
                    e.authorising_officer.clone().unwrap_or_default(),
                    if e.directly_involved {
                        "DIRECTLY INVOLVED".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        say(
            out,
            &table(
                &[
                    "URN",
                    "TYPE",
                    "OPERATION",
                    "STATUS",
                    "LAST DAY",
                    "AUTHORISED BY",
                    "",
                ],
                &rows,
            ),
        )?;
    }
    Ok(ExitCode::Ok)
}
