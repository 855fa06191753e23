//! The application's modules import one another without circles: inside
//! `src/app`, and between `src/app` and `src/ui` (the screens read the
//! model; the model never reads the screens). Read from the source itself:
//! every `use` and every `crate::`/`super::` path names a module, and the
//! files those name must form no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path (`["app", "areas", "kind"]`) of each file under `src/`.
fn modules(root: &Path, dir: &str) -> BTreeMap<Vec<String>, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).expect("under src");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            found.insert(parts, fs::read_to_string(&path).expect("source"));
        }
    }
    found
}

/// The text without comments and string literals (which may hold `::`).
fn code_of(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_string = false;
        let mut previous = ' ';
        for c in line.chars() {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            } else if !in_string {
                out.push(c);
            }
            previous = c;
        }
        out.push('\n');
    }
    out
}

/// Every path a `use` tree names, braces expanded: `a::{b, c::d}` gives
/// `a::b` and `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').expect("balanced")];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| match p.as_str() {
            "self" => prefix.trim_end_matches("::").to_string(),
            _ => format!("{prefix}{p}"),
        })
        .collect()
}

/// The paths a file names: its `use` trees, and `crate::`/`super::` paths
/// written in its code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let starts_word = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        let after = &rest[at + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if starts_word {
            paths.extend(expand(&after[..end]));
        }
        rest = &after[end.min(after.len())..];
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            let mut end = at;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
            {
                end += 1;
            }
            paths.push(code[at..end].trim_end_matches(':').to_string());
            from = end.max(at + 1);
        }
    }
    paths
}

/// The module a path names, of those known: its longest known prefix.
fn resolve(
    path: &str,
    here: &[String],
    known: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split("::").filter(|s| !s.is_empty()).peekable();
    match parts.peek().copied() {
        Some("crate") => {
            parts.next();
        }
        Some("super") | Some("self") => {
            // `super` is the parent of the module the path is written in,
            // whether that is a file or a folder's `mod.rs`.
            segments = here.to_vec();
            while let Some(p) = parts.peek().copied() {
                match p {
                    "super" => segments.pop(),
                    "self" => None,
                    _ => break,
                };
                parts.next();
            }
        }
        // A child module, named from its parent.
        Some(child) if known.contains_key(&[here, &[child.to_string()]].concat()) => {
            segments = here.to_vec();
        }
        _ => return None, // another crate, or a name in scope
    }
    segments.extend(parts.map(str::to_string));
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].to_vec())
        .find(|m| known.contains_key(m))
}

/// Strongly connected groups of more than one module (each a cycle).
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    // Two modules are in one cycle when each reaches the other.
    let reach = |from: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<_, _> = edges.keys().map(|m| (m.clone(), reach(m))).collect();
    let mut groups: Vec<Vec<Vec<String>>> = Vec::new();
    for m in edges.keys() {
        if !reached[m].contains(m) || groups.iter().any(|g| g.contains(m)) {
            continue;
        }
        let group: Vec<_> = edges
            .keys()
            .filter(|o| reached[m].contains(*o) && reached[*o].contains(m))
            .cloned()
            .collect();
        groups.push(group);
    }
    groups
}

fn import_graph(src: &Path, dirs: &[&str]) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut known = BTreeMap::new();
    for dir in dirs {
        known.extend(modules(src, dir));
    }
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, source) in &known {
        // A file's own tests (`mod tests`, at its end) are a module of
        // their own, whose `super` is the file itself.
        let code = code_of(source.split("#[cfg(test)]").next().unwrap_or(""));
        let targets = edges.entry(module.clone()).or_default();
        for path in named_paths(&code) {
            if let Some(target) = resolve(&path, module, &known)
                && target != *module
            {
                targets.insert(target);
            }
        }
    }
    edges
}

/// The source read: this crate's, or another tree's (to see a check fail
/// on one that breaks it): CCU_SOURCE_DIR names its `src`.
fn source_dir() -> std::path::PathBuf {
    std::env::var_os("CCU_SOURCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn the_application_and_the_screens_import_in_one_direction() {
    let src = source_dir();
    let edges = import_graph(&src, &["app", "ui"]);
    let found = cycles(&edges);
    let described: Vec<String> = found
        .iter()
        .map(|g| {
            g.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" <-> ")
        })
        .collect();
    assert!(
        described.is_empty(),
        "import circles in src/app and src/ui: {described:#?}"
    );
    // The screens read the application; the application never reads them.
    for (module, targets) in &edges {
        if module[0] == "app" {
            assert!(
                targets.iter().all(|t| t[0] != "ui"),
                "{} imports the screens",
                module.join("::")
            );
        }
    }
}

/// The store's wings (folders under `src/store`) import the root and their
/// own files, never another wing's files; what a wing offers another it
/// re-exports from its `mod.rs` by name (the trail's three, to the file
/// wing).
#[test]
fn no_wing_of_the_store_reaches_into_another() {
    let src = source_dir();
    let edges = import_graph(&src, &["store"]);
    let wing = |m: &[String]| (m.len() > 2).then(|| m[1].clone());
    let mut crossings = Vec::new();
    for (module, targets) in &edges {
        let Some(from) = wing(module) else { continue };
        for target in targets {
            // A wing's `mod.rs` is its door; its files are its own.
            if let Some(to) = wing(target)
                && to != from
            {
                crossings.push(format!("{} -> {}", module.join("::"), target.join("::")));
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "wings reaching into another: {crossings:#?}"
    );
    // The wings exist, so the check reads something.
    assert!(edges.keys().filter(|m| wing(m).is_some()).count() >= 20);
}

#[test]
fn the_reader_sees_imports_and_finds_a_planted_circle() {
    // The parser itself, on the shapes the source uses.
    assert_eq!(
        expand("super::{kind::{A, B}, view::{self, C}}"),
        [
            "super::kind::A",
            "super::kind::B",
            "super::view",
            "super::view::C"
        ]
    );
    let mut known = BTreeMap::new();
    for m in [["app", "model"], ["app", "areas"]] {
        known.insert(
            m.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            String::new(),
        );
    }
    let here: Vec<String> = vec!["app".into(), "model".into()];
    assert_eq!(
        resolve("super::areas::Area", &here, &known),
        Some(vec!["app".to_string(), "areas".to_string()])
    );
    assert_eq!(resolve("ratatui::Frame", &here, &known), None);
    let app: Vec<String> = vec!["app".into()];
    assert_eq!(
        resolve("model::App", &app, &known),
        Some(vec!["app".to_string(), "model".to_string()])
    );
    // A circle of two is found; a chain is not.
    let m = |s: &str| vec![s.to_string()];
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b")]));
    edges.insert(m("b"), BTreeSet::from([m("c")]));
    edges.insert(m("c"), BTreeSet::new());
    assert!(cycles(&edges).is_empty());
    edges.get_mut(&m("c")).unwrap().insert(m("b"));
    assert_eq!(cycles(&edges), vec![vec![m("b"), m("c")]]);
}
