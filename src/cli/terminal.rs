//! The terminal application, opened with no command or with `ccu demo`.

use std::path::Path;

use super::{Failure, locate};
use crate::exit::ExitCode;

/// Opens the terminal application: on the case file at `path`, on a form
/// that creates it when there is none, or on the demo file.
pub(super) fn run(
    path: &Path,
    demo: bool,
    options: crate::tui::Options,
) -> Result<ExitCode, Failure> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure {
            message: "the terminal application needs a terminal; in scripts, use the commands in `ccu --help`".into(),
            code: ExitCode::Usage,
        });
    }
    if crate::keymap::Keymap::preset(&options.keymap).is_none() {
        return Err(Failure {
            message: format!(
                "--keymap: there is no preset '{}'; choose one of: {}",
                options.keymap,
                crate::keymap::PRESETS.join(", ")
            ),
            code: ExitCode::Usage,
        });
    }
    let start = if demo {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Failure {
                message: format!("{}: {e}", parent.display()),
                code: ExitCode::Failure,
            })?;
        }
        if !path.exists() {
            eprintln!("Building the demo case file {} …", path.display());
        }
        crate::tui::Start::Open(Box::new(crate::demo::open_or_create_demo(
            path,
            chrono::Utc::now(),
        )?))
    } else if path.exists() {
        crate::tui::Start::Open(Box::new(locate(path)?))
    } else {
        crate::tui::Start::Create(path.to_path_buf())
    };
    crate::tui::run(start, options).map_err(|e| Failure {
        message: format!("terminal: {e}"),
        code: ExitCode::Failure,
    })?;
    Ok(ExitCode::Ok)
}
