//! The keymap files in `keymaps/` as shipped, and a user's file as the
//! application loads it.

use std::path::{Path, PathBuf};

use ccu::keymap::{Action, Context, KeyChord, Keymap, KeymapFile, Problem};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn keymaps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps")
}

fn preset_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(keymaps_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn press(key: &str) -> KeyEvent {
    let chord = KeyChord::parse(key).unwrap();
    KeyEvent::new(chord.code(), chord.modifiers())
}

#[test]
fn every_keymap_file_parses_and_gives_a_desc_only_where_it_says_more() {
    let files = preset_files();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"default.toml"), "{names:?}");
    assert!(names.contains(&"vim.toml"), "{names:?}");
    for (name, text) in &files {
        // parse_preset refuses unknown actions, bad keys and blank descs.
        let file = KeymapFile::parse_preset(name, text).unwrap_or_else(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{}", errors.join("\n"))
        });
        assert!(!file.bindings().is_empty(), "{name} binds nothing");
        for binding in file.bindings() {
            let action = binding.action.expect("presets bind, they do not unbind");
            assert!(Action::parse(action.name()).is_some());
            // A desc is given only where it says more than the action's
            // own description, which help shows otherwise.
            if let Some(desc) = binding.desc.as_deref() {
                assert!(!desc.trim().is_empty(), "{name}: {:?}", binding.key);
                assert_ne!(
                    desc,
                    action.description(),
                    "{name}: {:?} repeats its action's description; leave the desc out",
                    binding.key
                );
            }
        }
    }
}

#[test]
fn every_preset_file_is_a_preset() {
    for (name, _) in preset_files() {
        let preset = name.trim_end_matches(".toml");
        assert!(
            Keymap::preset(preset).is_some(),
            "keymaps/{name} is not embedded as a preset"
        );
    }
}

#[test]
fn every_action_is_bound_in_default_toml() {
    let text = std::fs::read_to_string(keymaps_dir().join("default.toml")).unwrap();
    let file = KeymapFile::parse_preset("default.toml", &text).unwrap();
    for action in Action::ALL {
        assert!(
            file.bindings().iter().any(|b| b.action == Some(*action)),
            "{} is not bound in default.toml",
            action.name()
        );
    }
}

#[test]
fn the_readme_names_every_action() {
    let readme = std::fs::read_to_string(keymaps_dir().join("README.md")).unwrap();
    for action in Action::ALL {
        assert!(
            readme.contains(&format!("`{}`", action.name())),
            "keymaps/README.md does not describe {}",
            action.name()
        );
    }
}

#[test]
fn a_user_file_with_errors_reports_them_and_keeps_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(
        &path,
        r#"# my keys
[list]
"x" = "open"
"j" = "opne"
"pgdown" = "page_down"

[detail]
"e" = "none"
"#,
    )
    .unwrap();

    let (keymap, errors) = Keymap::with_user_file(&path);
    let file_name = path.display().to_string();
    let got: Vec<(&str, Option<usize>, Option<&str>)> = errors
        .iter()
        .map(|e| (e.file.as_str(), e.line, e.key.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (file_name.as_str(), Some(4), Some("j")),
            (file_name.as_str(), Some(5), Some("pgdown")),
        ]
    );
    assert_eq!(errors[0].problem, Problem::UnknownAction("opne".into()));
    let first = errors[0].to_string();
    assert!(
        first.starts_with(&format!("{file_name}:4: \"j\": ")),
        "{first}"
    );
    assert!(first.contains("unknown action \"opne\""), "{first}");
    let second = errors[1].to_string();
    assert!(second.contains(":5: \"pgdown\": "), "{second}");
    assert!(second.contains("unknown key name \"pgdown\""), "{second}");

    // The bad entries leave the defaults in force ...
    assert_eq!(
        keymap.action(Context::List, &press("j")),
        Some(Action::Down)
    );
    let pgdn = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
    assert_eq!(keymap.action(Context::List, &pgdn), Some(Action::PageDown));
    assert_eq!(keymap.action(Context::List, &press("k")), Some(Action::Up));
    // ... and the good ones apply.
    assert_eq!(
        keymap.action(Context::List, &press("x")),
        Some(Action::Open)
    );
    assert_eq!(keymap.action(Context::Detail, &press("e")), None);
}

#[test]
fn a_missing_user_file_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let (keymap, errors) = Keymap::with_user_file(&dir.path().join("keymap.toml"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(keymap, Keymap::builtin());
}

#[test]
fn a_user_file_that_is_not_toml_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, "[list]\n\"x\" = \"open\"\n\"y\" = open\n").unwrap();
    let (keymap, errors) = Keymap::with_user_file(&path);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(3));
    assert!(matches!(errors[0].problem, Problem::NotToml(_)));
    assert_eq!(keymap, Keymap::builtin());
}

#[test]
fn a_user_file_that_cannot_be_read_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be.
    let path = dir.path().join("keymap.toml");
    std::fs::create_dir(&path).unwrap();
    let (keymap, errors) = Keymap::with_user_file(&path);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, None);
    assert!(matches!(errors[0].problem, Problem::Unreadable(_)));
    assert_eq!(keymap, Keymap::builtin());
}

#[test]
fn a_user_file_merges_over_a_preset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, "[list]\n\"l\" = \"new\"\n").unwrap();
    let (keymap, errors) = Keymap::preset("vim").unwrap().overlay_file(&path);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(keymap.action(Context::List, &press("l")), Some(Action::New));
    assert_eq!(
        keymap.action(Context::List, &press("h")),
        Some(Action::Back)
    );
}

#[test]
fn a_file_with_an_error_on_each_of_many_lines_reports_each_at_its_line() {
    // 20,000 bad keys, every other one also bound to an unknown action,
    // with blank and comment lines between, in two sections: each error is
    // reported at its own line, in order.
    let mut text = String::from("# many mistakes\n[list]\n");
    let mut line = 3;
    let mut expected = Vec::new();
    for i in 0..20_000 {
        if i == 10_000 {
            text.push_str("\n[detail]\n");
            line += 2;
        }
        if i % 2 == 0 {
            text.push_str(&format!("\"bad{i}-x\" = \"down\"\n"));
            expected.push((line, format!("bad{i}-x"), "bad key"));
            line += 1;
        } else {
            text.push_str(&format!("\"bad{i}-x\" = \"no_such_{i}\"\n# note\n"));
            expected.push((line, format!("bad{i}-x"), "bad key"));
            expected.push((line, format!("bad{i}-x"), "unknown action"));
            line += 2;
        }
    }
    let (file, errors) = KeymapFile::parse_partial("keymap.toml", &text);
    assert!(file.bindings().is_empty());
    assert_eq!(errors.len(), expected.len());
    for (error, (line, key, what)) in errors.iter().zip(&expected) {
        let shown = error.to_string();
        assert_eq!(error.line, Some(*line), "{shown}");
        assert_eq!(error.key.as_deref(), Some(key.as_str()), "{shown}");
        assert!(
            shown.starts_with(&format!("keymap.toml:{line}: \"{key}\": {what}")),
            "{shown}"
        );
    }
    let last = errors.last().unwrap().to_string();
    assert!(last.contains("unknown action \"no_such_19999\""), "{last}");
}

#[test]
fn a_device_or_pipe_in_place_of_the_user_file_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("keymap.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.path().join("fifo.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    for (path, kind) in [
        (&zero, "a character device"),
        (&fifo, "a named pipe (FIFO)"),
    ] {
        let (keymap, errors) = Keymap::with_user_file(path);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].to_string(),
            format!(
                "{}: cannot read the file: it is {kind}, not a regular file",
                path.display()
            )
        );
        assert_eq!(keymap, Keymap::builtin());
    }
}

#[test]
fn a_user_file_over_the_limit_is_reported_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    let mut text = String::from("[list]\n\"x\" = \"open\"\n");
    while text.len() as u64 <= ccu::keymap::MAX_FILE_BYTES {
        text.push_str("# padding padding padding padding padding padding\n");
    }
    std::fs::write(&path, &text).unwrap();
    let (keymap, errors) = Keymap::with_user_file(&path);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        format!(
            "{}: cannot read the file: it is larger than 1 MiB, the most ccu reads for this file",
            path.display()
        )
    );
    // Nothing of it applies.
    assert_eq!(keymap, Keymap::builtin());
    // At the limit, it is read.
    text.truncate(ccu::keymap::MAX_FILE_BYTES as usize);
    let text = &text[..=text.rfind('\n').unwrap()];
    std::fs::write(&path, text).unwrap();
    let (keymap, errors) = Keymap::with_user_file(&path);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        keymap.action(Context::List, &press("x")),
        Some(Action::Open)
    );
}

#[test]
fn a_file_of_many_bindings_merges_each_over_the_defaults() {
    // 40,000 keys (CJK characters, with and without alt), and a default
    // key rebound at the end: each is in the merged keymap once, and does
    // what the file says.
    let mut text = String::from("[list]\n");
    let chars: Vec<char> = (0x4E00..0x4E00 + 20_000)
        .filter_map(char::from_u32)
        .collect();
    for c in &chars {
        text.push_str(&format!("\"{c}\" = \"down\"\n\"alt-{c}\" = \"up\"\n"));
    }
    text.push_str("\"j\" = \"new\"\n");
    let file = KeymapFile::parse("keymap.toml", &text).unwrap();
    assert_eq!(file.bindings().len(), 40_001);
    let mut keymap = Keymap::builtin();
    let default_order: Vec<String> = keymap
        .bindings(Context::List)
        .into_iter()
        .map(|b| b.key)
        .collect();
    keymap.merge(&file);
    for c in chars.iter().step_by(97) {
        let key = c.to_string();
        assert_eq!(
            keymap.action(Context::List, &press(&key)),
            Some(Action::Down)
        );
        assert_eq!(
            keymap.action(Context::List, &press(&format!("alt-{c}"))),
            Some(Action::Up)
        );
    }
    assert_eq!(keymap.action(Context::List, &press("j")), Some(Action::New));
    let merged = keymap.bindings(Context::List);
    assert!(default_order.contains(&"j".to_owned()));
    assert_eq!(merged.len(), default_order.len() + 40_000);
    let downs = merged.iter().filter(|b| b.action == Action::Down).count();
    let ups = merged.iter().filter(|b| b.action == Action::Up).count();
    assert!(downs > 20_000 && ups > 20_000, "{downs} {ups}");
}
