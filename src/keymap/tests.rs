use super::*;
use crossterm::event::KeyEvent;

fn chord(s: &str) -> KeyChord {
    KeyChord::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn press(s: &str) -> KeyEvent {
    let c = chord(s);
    KeyEvent::new(c.code(), c.modifiers())
}

fn user(text: &str) -> (Keymap, Vec<KeymapError>) {
    let (file, errors) = KeymapFile::parse_partial("keymap.toml", text);
    let mut keymap = Keymap::builtin();
    keymap.merge(&file);
    (keymap, errors)
}

fn user_ok(text: &str) -> Keymap {
    let (keymap, errors) = user(text);
    assert!(errors.is_empty(), "{errors:#?}");
    keymap
}

#[test]
fn the_embedded_presets_parse() {
    KeymapFile::parse_preset("default.toml", DEFAULT_TOML).unwrap();
    KeymapFile::parse_preset("vim.toml", VIM_TOML).unwrap();
    for name in PRESETS {
        assert!(Keymap::preset(name).is_some(), "{name}");
    }
    assert_eq!(Keymap::preset("default"), Some(Keymap::builtin()));
    assert_eq!(Keymap::preset("emacs"), None);
}

#[test]
fn the_default_binds_every_action() {
    let file = KeymapFile::parse_preset("default.toml", DEFAULT_TOML).unwrap();
    for action in Action::ALL {
        assert!(
            file.bindings().iter().any(|b| b.action == Some(*action)),
            "{} has no key in default.toml",
            action.name()
        );
    }
}

#[test]
fn the_default_keys_resolve() {
    let keymap = Keymap::builtin();
    let cases = [
        (Context::Global, "q", Action::Quit),
        (Context::Global, "ctrl-c", Action::Quit),
        (Context::List, "?", Action::Help),
        (Context::List, "j", Action::Down),
        (Context::List, "G", Action::Bottom),
        (Context::List, "S", Action::SortReverse),
        (Context::List, "enter", Action::Open),
        (Context::Detail, "x", Action::Close),
        (
            Context::Detail,
            "2",
            Action::Go(crate::app::action::Place::Intelligence),
        ),
        (Context::Form, "ctrl-s", Action::Save),
        (Context::Form, "ctrl-c", Action::Quit),
        (Context::Form, "ctrl-l", Action::Lock),
        (Context::Form, "f1", Action::Help),
        (Context::Popup, "q", Action::Back),
    ];
    for (context, key, action) in cases {
        assert_eq!(
            keymap.action(context, &press(key)),
            Some(action),
            "{key:?} in {}",
            context.name()
        );
    }
    // "G" as a terminal reports it: the character with SHIFT.
    let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(
        keymap.action(Context::List, &shifted_g),
        Some(Action::Bottom)
    );
    assert_eq!(keymap.action(Context::List, &press("z")), None);
    // [list] keys do not leak into other contexts: s sorts a list, and
    // submits an open bid or referral.
    assert_eq!(
        keymap.action(Context::List, &press("s")),
        Some(Action::SortNext)
    );
    assert_eq!(
        keymap.action(Context::Detail, &press("s")),
        Some(Action::Submit)
    );
    assert_eq!(keymap.action(Context::Detail, &press("f")), None);
}

#[test]
fn key_releases_do_nothing() {
    let keymap = Keymap::builtin();
    let mut event = press("q");
    event.kind = KeyEventKind::Release;
    assert_eq!(keymap.action(Context::List, &event), None);
    event.kind = KeyEventKind::Repeat;
    assert_eq!(keymap.action(Context::List, &event), Some(Action::Quit));
}

#[test]
fn a_user_file_overrides_key_by_key_per_context() {
    let keymap = user_ok(
        r#"
[list]
"x" = "open"
"j" = { action = "page_down", desc = "Jump" }

[detail]
"j" = "bottom"
"#,
    );
    assert_eq!(
        keymap.action(Context::List, &press("x")),
        Some(Action::Open)
    );
    assert_eq!(
        keymap.action(Context::List, &press("j")),
        Some(Action::PageDown)
    );
    assert_eq!(
        keymap.action(Context::Detail, &press("j")),
        Some(Action::Bottom)
    );
    // Keys the file does not mention keep their defaults.
    assert_eq!(keymap.action(Context::List, &press("k")), Some(Action::Up));
    assert_eq!(
        keymap.action(Context::Detail, &press("k")),
        Some(Action::Up)
    );
    assert_eq!(
        keymap.action(Context::List, &press("q")),
        Some(Action::Quit)
    );

    let list = keymap.bindings(Context::List);
    let x = list.iter().find(|b| b.key == "x").unwrap();
    assert_eq!(x.desc, Action::Open.description());
    let j = list.iter().find(|b| b.key == "j").unwrap();
    assert_eq!((j.action, j.desc.as_str()), (Action::PageDown, "Jump"));
    // A replaced key keeps its place, so "j" still comes before "ctrl-..."
    // keys a user adds for the same action.
    let keymap = user_ok("[list]\n\"ctrl-j\" = \"down\"\n");
    assert_eq!(
        keymap.hint(Context::List, Action::Down).as_deref(),
        Some("j")
    );
}

#[test]
fn none_unbinds_a_key_in_its_context() {
    let keymap = user_ok(
        r#"
[list]
"n" = "none"
"q" = "none"

[global]
"1" = { action = "none" }
"#,
    );
    assert_eq!(keymap.action(Context::List, &press("n")), None);
    // Unbinding in [list] also stops the [global] binding there ...
    assert_eq!(keymap.action(Context::List, &press("q")), None);
    // ... but nowhere else.
    assert_eq!(
        keymap.action(Context::Detail, &press("q")),
        Some(Action::Quit)
    );
    assert_eq!(keymap.action(Context::Detail, &press("1")), None);
    assert_eq!(keymap.action(Context::List, &press("1")), None);
    assert!(
        !keymap
            .bindings(Context::List)
            .iter()
            .any(|b| ["n", "q", "1"].contains(&b.key.as_str()))
    );
    assert_eq!(keymap.hint(Context::List, Action::New), None);
    assert_eq!(
        keymap.hint(Context::List, Action::Quit).as_deref(),
        Some("Ctrl-C")
    );
}

#[test]
fn in_a_form_characters_go_to_the_field() {
    let keymap = Keymap::builtin();
    for key in ["q", "?", "/", ":", "1", "j", "G", "space", "]"] {
        assert_eq!(keymap.action(Context::Form, &press(key)), None, "{key:?}");
    }
    for key in ["enter", "backspace", "delete", "left", "right"] {
        assert_eq!(keymap.action(Context::Form, &press(key)), None, "{key:?}");
    }
    // Keys with ctrl, and other named keys, reach [form] and then [global].
    assert_eq!(
        keymap.action(Context::Form, &press("ctrl-s")),
        Some(Action::Save)
    );
    assert_eq!(
        keymap.action(Context::Form, &press("ctrl-c")),
        Some(Action::Quit)
    );
    assert_eq!(
        keymap.action(Context::Form, &press("esc")),
        Some(Action::Back)
    );
    assert_eq!(
        keymap.action(Context::Form, &press("tab")),
        Some(Action::NextPane)
    );
    // Even a user's [global] binding of a text key stays out of forms.
    let keymap = user_ok("[global]\n\"left\" = \"prev_area\"\n\"x\" = \"quit\"\n");
    assert_eq!(
        keymap.action(Context::List, &press("left")),
        Some(Action::PrevArea)
    );
    assert_eq!(keymap.action(Context::Form, &press("left")), None);
    assert_eq!(keymap.action(Context::Form, &press("x")), None);
    let form = keymap.bindings(Context::Form);
    assert!(
        !form.iter().any(|b| edits_text(b.chord)),
        "help for a form lists text keys: {form:?}"
    );
}

#[test]
fn form_sections_cannot_bind_text_keys() {
    for key in ["x", "G", "space", "enter", "backspace", "left"] {
        let text = format!("[form]\n{key:?} = \"save\"\n");
        let (keymap, errors) = user(&text);
        assert_eq!(errors.len(), 1, "{key:?}: {errors:?}");
        assert!(
            matches!(errors[0].problem, Problem::EditsText { .. }),
            "{errors:?}"
        );
        assert_eq!(keymap, Keymap::builtin());
    }
    // With ctrl they are fine.
    let keymap = user_ok("[form]\n\"ctrl-x\" = \"save\"\n");
    assert_eq!(
        keymap.action(Context::Form, &press("ctrl-x")),
        Some(Action::Save)
    );
}

#[test]
fn always_on_keys_survive_a_user_file() {
    let (keymap, errors) = user(
        r#"
[global]
"up" = "quit"
"esc" = "none"
"enter" = "help"

[list]
"down" = "top"
"tab" = "none"
"pgdn" = { action = "page_down", desc = "A page further" }
"#,
    );
    let bad: Vec<&str> = errors.iter().filter_map(|e| e.key.as_deref()).collect();
    assert_eq!(bad, ["up", "esc", "enter", "down", "tab"], "{errors:#?}");
    for e in &errors {
        assert!(matches!(e.problem, Problem::AlwaysOn { .. }), "{e}");
    }
    assert!(errors[0].to_string().contains("Up always means \"up\""));

    for context in Context::ALL {
        for (code, action) in ALWAYS_ON {
            let event = KeyEvent::new(*code, KeyModifiers::NONE);
            let expected = if context == Context::Form && *code == KeyCode::Enter {
                None
            } else {
                Some(*action)
            };
            assert_eq!(
                keymap.action(context, &event),
                expected,
                "{code:?} in {}",
                context.name()
            );
        }
    }
    // Binding one to its own action is fine, and gives it a desc.
    let pgdn = keymap
        .bindings(Context::List)
        .into_iter()
        .find(|b| b.key == "PgDn")
        .unwrap();
    assert_eq!(pgdn.desc, "A page further");
    // Enter is not always on in a form, but [form] cannot bind it either.
    let (_, errors) = user("[form]\n\"enter\" = \"save\"\n");
    assert!(matches!(errors[0].problem, Problem::EditsText { .. }));
}

#[test]
fn always_on_keys_work_with_an_empty_keymap() {
    let keymap = Keymap::empty();
    assert_eq!(
        keymap.action(Context::List, &press("pgdn")),
        Some(Action::PageDown)
    );
    assert_eq!(keymap.action(Context::List, &press("q")), None);
    let help = keymap.bindings(Context::List);
    assert_eq!(help.len(), ALWAYS_ON.len());
    assert_eq!(keymap.bindings(Context::Form).len(), ALWAYS_ON.len() - 1);
    assert_eq!(
        keymap.hint(Context::List, Action::Back).as_deref(),
        Some("Esc")
    );
}

#[test]
fn help_lists_the_context_then_global_sorted_by_action() {
    let keymap = Keymap::builtin();
    let list = keymap.bindings(Context::List);
    let keys: Vec<&str> = list.iter().map(|b| b.key.as_str()).collect();
    // Sorted by action, stably.
    assert!(list.windows(2).all(|w| w[0].action <= w[1].action));
    assert_eq!(keys[0], "q");
    assert_eq!(keys[1], "Ctrl-C");
    // Within an action, [list] keys come before [global] ones.
    let down: Vec<&str> = list
        .iter()
        .filter(|b| b.action == Action::Down)
        .map(|b| b.key.as_str())
        .collect();
    assert_eq!(down, ["j", "Down"]);
    // Each key appears once, and only if it does what the help says.
    let mut chords: Vec<String> = list.iter().map(|b| b.key.clone()).collect();
    chords.sort();
    chords.dedup();
    assert_eq!(chords.len(), list.len());
    for context in Context::ALL {
        for b in keymap.bindings(context) {
            assert_eq!(
                keymap.action_for(context, b.chord),
                Some(b.action),
                "{} in {}",
                b.key,
                context.name()
            );
            assert!(!b.desc.is_empty());
        }
    }
    // [popup] "q" shadows the global quit.
    let popup = keymap.bindings(Context::Popup);
    let q: Vec<Action> = popup
        .iter()
        .filter(|b| b.key == "q")
        .map(|b| b.action)
        .collect();
    assert_eq!(q, [Action::Back]);
}

#[test]
fn hints_name_the_first_key() {
    let keymap = Keymap::builtin();
    let hint = |context, action| keymap.hint(context, action);
    assert_eq!(hint(Context::List, Action::New).as_deref(), Some("n"));
    assert_eq!(hint(Context::List, Action::Search).as_deref(), Some("/"));
    assert_eq!(
        hint(Context::List, Action::PageDown).as_deref(),
        Some("PgDn")
    );
    assert_eq!(hint(Context::Form, Action::Save).as_deref(), Some("Ctrl-S"));
    assert_eq!(hint(Context::Form, Action::Quit).as_deref(), Some("Ctrl-C"));
    assert_eq!(hint(Context::Form, Action::Open), None);
    assert_eq!(hint(Context::Detail, Action::Save), None);
}

#[test]
fn the_vim_preset_adds_to_the_default() {
    let vim = Keymap::preset("vim").unwrap();
    assert_eq!(vim.action(Context::List, &press("l")), Some(Action::Open));
    assert_eq!(vim.action(Context::List, &press("h")), Some(Action::Back));
    assert_eq!(
        vim.action(Context::Detail, &press("ctrl-d")),
        Some(Action::PageDown)
    );
    assert_eq!(vim.action(Context::List, &press("n")), Some(Action::New));
    assert_eq!(vim.action(Context::List, &press("q")), Some(Action::Quit));
}

#[test]
fn errors_carry_file_line_and_key() {
    let text = r#"[list]
"j" = "down"
"pgdown" = "page_down"
"k" = "opne"

[lists]
"x" = "open"

[detail]
"e" = 3
"f" = { action = "filter", descr = "typo" }
"g" = { desc = "no action" }
"G" = { action = "bottom", desc = 5 }
"#;
    let (file, errors) = KeymapFile::parse_partial("mine.toml", text);
    let got: Vec<(Option<usize>, Option<&str>)> =
        errors.iter().map(|e| (e.line, e.key.as_deref())).collect();
    assert_eq!(
        got,
        [
            (Some(3), Some("pgdown")),
            (Some(4), Some("k")),
            (Some(6), Some("lists")),
            (Some(10), Some("e")),
            (Some(11), Some("f")),
            (Some(12), Some("g")),
            (Some(13), Some("G")),
        ],
        "{errors:#?}"
    );
    for e in &errors {
        assert_eq!(e.file, "mine.toml");
    }
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages[0],
        format!(
            "mine.toml:3: \"pgdown\": bad key: {}",
            KeyError::UnknownName("pgdown".into())
        )
    );
    assert!(messages[0].contains("unknown key name \"pgdown\""));
    assert!(messages[1].starts_with("mine.toml:4: \"k\": unknown action \"opne\""));
    assert!(messages[2].contains("unknown section [lists]"));
    assert!(messages[3].contains("this is an integer"));
    assert!(messages[4].contains("unknown field \"descr\""));
    assert!(messages[5].contains("no action"));
    assert!(messages[6].contains("desc must be a string"));
    let keys: Vec<&str> = file.bindings().iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys, ["j"]);
    assert!(KeymapFile::parse("mine.toml", text).is_err());
}

#[test]
fn a_duplicate_key_keeps_the_first() {
    let (file, errors) = KeymapFile::parse_partial(
        "k.toml",
        "[list]\n\"G\" = \"top\"\n\"shift-g\" = \"bottom\"\n",
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(3));
    assert_eq!(file.bindings().len(), 1);
    assert_eq!(file.bindings()[0].action, Some(Action::Top));
    // The same key in different sections is fine.
    KeymapFile::parse(
        "k.toml",
        "[list]\n\"j\" = \"down\"\n[detail]\n\"j\" = \"down\"\n",
    )
    .unwrap();
}

#[test]
fn invalid_toml_changes_nothing() {
    let text = "[list]\n\"j\" = \"down\"\n\"k\" = up\n[detail\n";
    let (file, errors) = KeymapFile::parse_partial("bad.toml", text);
    assert!(file.bindings().is_empty());
    let lines: Vec<Option<usize>> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(3), Some(4)], "{errors:#?}");
    assert!(matches!(errors[0].problem, Problem::NotToml(_)));
}

#[test]
fn a_preset_binding_without_a_desc_shows_its_actions_description() {
    let text =
        "[list]\n\"j\" = \"down\"\n\"k\" = { action = \"up\", desc = \"  \" }\n\"x\" = \"none\"\n";
    let file = KeymapFile::parse_preset("p.toml", text).unwrap();
    assert!(file.bindings().iter().all(|b| b.desc.is_none()));
    let mut keymap = Keymap::empty();
    keymap.merge(&file);
    let bindings = keymap.bindings(Context::List);
    let up = bindings.iter().find(|b| b.action == Action::Up).unwrap();
    assert_eq!(up.desc, Action::Up.description());
    // The presets, which leave out the descs that would repeat it.
    let default = Keymap::preset("default").unwrap();
    let open = default
        .bindings(Context::List)
        .into_iter()
        .find(|b| b.action == Action::Open)
        .unwrap();
    assert_eq!(open.desc, Action::Open.description());
}

#[test]
fn sections_and_inline_tables_can_be_written_other_ways() {
    let keymap = user_ok(
        "list = { \"x\" = \"open\", \"y\" = { action = \"new\", desc = \"Add one\" } }\ndetail.z = \"edit\"\n",
    );
    assert_eq!(
        keymap.action(Context::List, &press("x")),
        Some(Action::Open)
    );
    assert_eq!(keymap.action(Context::List, &press("y")), Some(Action::New));
    assert_eq!(
        keymap.action(Context::Detail, &press("z")),
        Some(Action::Edit)
    );
    let (_, errors) = user("list = \"open\"\n");
    assert!(matches!(errors[0].problem, Problem::SectionNotTable { .. }));
}

#[test]
fn the_user_file_lives_in_the_config_directory() {
    if let Some(path) = Keymap::user_file_path() {
        assert_eq!(path.file_name().unwrap(), "keymap.toml");
        assert!(path.parent().unwrap().to_string_lossy().contains("ccu"));
    }
}
