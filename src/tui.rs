//! The terminal application's main loop: read a key, update, run effects,
//! draw. The terminal is restored on quitting and on a panic.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use ratatui::crossterm::event::{self, Event};

use crate::app::runtime::{Runtime, casefile_label};
use crate::app::{App, DemoLogin, Msg};
use crate::keymap::Keymap;
use crate::store;

/// How the application starts.
pub struct Options {
    pub lock_after: Duration,
    /// The keymap preset the user's file is merged over.
    pub keymap: String,
}

/// Where the application starts: a case file that exists, or the path of
/// one to create.
pub enum Start {
    Open(Box<store::Locked>),
    Create(PathBuf),
}

/// Builds the application for a case file (or for creating one).
pub fn prepare(
    start: Start,
    options: &Options,
    keymap: Keymap,
    problems: Vec<String>,
    size: (u16, u16),
) -> store::Result<(App, Runtime)> {
    let now = Utc::now();
    let warnings: Vec<String> = match &start {
        Start::Open(locked) => locked.warnings().to_vec(),
        Start::Create(_) => Vec::new(),
    };
    let (mut app, runtime) = match start {
        Start::Open(locked) => {
            let mut app = App::new(now, size, keymap, casefile_label(locked.path()), None);
            if locked.is_demo() {
                app.demo = Some((demo_logins(), crate::demo::DEMO_PASSWORD.to_string()));
            }
            (app, Runtime::locked(*locked, store::system_clock))
        }
        Start::Create(path) => (
            App::new(
                now,
                size,
                keymap,
                casefile_label(&path),
                Some(path.display().to_string()),
            ),
            Runtime::new(None, store::system_clock),
        ),
    };
    app.lock_after = options.lock_after;
    app.keymap_problems = problems;
    app.file_warnings = warnings;
    Ok((app, runtime))
}

/// The demo accounts as the login screen lists them.
pub fn demo_logins() -> Vec<DemoLogin> {
    crate::demo::DEMO_ACCOUNTS
        .iter()
        .map(|a| DemoLogin {
            username: a.username.to_string(),
            roles: a.roles.join(", "),
            what: a.what.to_string(),
        })
        .collect()
}

/// The keymap: the preset (`default` or `vim`) with the user's file
/// merged over it, and any problems with the user's file, one line each.
/// The keymap, what is wrong with the user's file, and whether the file
/// was not used at all.
pub type LoadedKeymap = (Keymap, Vec<String>, bool);

pub fn load_keymap(preset: &str) -> Result<LoadedKeymap, String> {
    let keymap = Keymap::preset(preset).ok_or_else(|| {
        format!(
            "there is no keymap preset '{preset}'; choose one of: {}",
            crate::keymap::PRESETS.join(", ")
        )
    })?;
    Ok(match Keymap::user_file_path() {
        Some(path) => {
            let (keymap, errors) = keymap.overlay_file(&path);
            let ignored = Keymap::file_ignored(&errors);
            (
                keymap,
                errors.iter().map(|e| e.to_string()).collect(),
                ignored,
            )
        }
        None => (keymap, Vec::new(), false),
    })
}

/// Runs the application until the user quits.
pub fn run(start: Start, options: Options) -> std::io::Result<()> {
    let (keymap, problems, ignored) =
        load_keymap(&options.keymap).map_err(std::io::Error::other)?;
    let mut terminal = ratatui::try_init()?;
    // A paste arrives whole, as one event, not as keys that would act.
    ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::EnableBracketedPaste
    )?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::event::DisableBracketedPaste
        );
        hook(info);
    }));
    store::on_lock_wait(waiting_notice);
    let size = terminal.size()?;
    let result = prepare(
        start,
        &options,
        keymap,
        problems.clone(),
        (size.width, size.height),
    )
    .map_err(std::io::Error::other)
    .and_then(|(mut app, mut runtime)| {
        app.keymap_ignored = ignored;
        event_loop(&mut terminal, &mut app, &mut runtime)
    });
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableBracketedPaste
    );
    ratatui::try_restore()?;
    // Said again once the screen is given back, where they stay to read
    // (printed before, they were hidden behind the application).
    for p in &problems {
        eprintln!("ccu: {}", crate::sanitise::for_terminal(p));
    }
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    runtime: &mut Runtime,
) -> std::io::Result<()> {
    // Colours are the terminal's business, not the application model's.
    let theme = crate::ui::theme::Theme::from_env();
    loop {
        terminal.draw(|frame| crate::ui::render(app, &theme, frame))?;
        if app.quit {
            return Ok(());
        }
        // Half a second between ticks when idle; none while work goes on
        // in the background, a step of which is kept within a frame, so a
        // key is still read between steps.
        let wait = if app.working() { 0 } else { 500 };
        let msg = if event::poll(StdDuration::from_millis(wait))? {
            match event::read()? {
                Event::Key(key) => Msg::Key(key),
                Event::Resize(w, h) => Msg::Resize(w, h),
                Event::Paste(text) => Msg::Paste(text),
                _ => continue,
            }
        } else {
            Msg::Tick(Utc::now())
        };
        // The clock moves with every message, so the lock counts from the
        // real time of the last key.
        let effects = app.update(Msg::Tick(Utc::now()));
        runtime.run(app, effects);
        let effects = app.update(msg);
        runtime.run(app, effects);
        if NOTICE_SHOWN.swap(false, std::sync::atomic::Ordering::Relaxed) {
            // The notice was written past ratatui's buffer: all of the
            // screen is drawn again.
            terminal.clear()?;
        }
    }
}

/// Whether [`waiting_notice`] wrote on the screen since the last draw.
static NOTICE_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// While a write waits for another's to finish, the screen cannot be
/// drawn (the wait is inside it); this writes the notice straight onto the
/// status line, the last row.
fn waiting_notice() {
    use ratatui::crossterm::{cursor, queue, style, terminal};
    use std::io::Write;
    let rows = terminal::size().map_or(1, |(_, rows)| rows);
    let mut out = std::io::stdout();
    let _ = queue!(
        out,
        cursor::MoveTo(0, rows.saturating_sub(1)),
        terminal::Clear(terminal::ClearType::CurrentLine),
        style::SetAttribute(style::Attribute::Reverse),
        style::Print(" waiting for another write to finish... "),
        style::SetAttribute(style::Attribute::Reset),
    );
    let _ = out.flush();
    NOTICE_SHOWN.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The default place of the demo case file.
pub fn default_demo_path(casefile_default: &Path) -> PathBuf {
    casefile_default.with_file_name("demo.ccu")
}
