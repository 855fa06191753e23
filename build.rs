//! Finds the parts of ccu that are one file each, so that adding one is
//! adding its file and nothing else (docs/architecture.md, "Adding an
//! area"). It writes, into `OUT_DIR`, what would otherwise be lists kept by
//! hand:
//!
//! - `areas.rs`: a module for every file in `src/app/areas/` (but `mod.rs`
//!   and `kind.rs`) and the `registry!` of them, in the tab order each
//!   declares in its `area! { tab: N, go: "name", "description" }`;
//! - `places.rs`: the "go to" actions, from the same declarations;
//! - `domain.rs`: a module for every file in `src/domain/`;
//! - `store_WING.rs`: a module for every file in a store wing;
//! - `registers.rs` and `register_modules.rs`: every store file that
//!   declares its own `pub enum Command` (a register), its commands wired
//!   into the one write path and its module public as `store::registers`;
//! - `schema.rs`: every `schema/NNNN_*.sql`, in order.
//!
//! Nothing here is clever: it reads file names and two plain declarations,
//! and stops the build with a message naming the file when one is wrong.
//! rustc then checks everything it wrote.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const WINGS: [&str; 4] = ["casework", "covert", "trail", "file"];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=build.rs");

    write(&out.join("areas.rs"), &out.join("places.rs"), &root);
    let domain = modules(&root.join("src/domain"), &["mod.rs"]);
    let mut text = String::new();
    for (name, path) in &domain {
        module(&mut text, "pub", name, path);
    }
    fs::write(out.join("domain.rs"), text).unwrap();

    let mut registers = Vec::new();
    for wing in WINGS {
        let mut text = String::new();
        for (name, path) in modules(&root.join("src/store").join(wing), &["mod.rs"]) {
            let source = read(&path);
            let is_register = source.lines().any(|l| l.starts_with("pub enum Command "));
            module(
                &mut text,
                if is_register { "pub" } else { "pub(super)" },
                &name,
                &path,
            );
            if is_register {
                registers.push((wing, name));
            }
        }
        fs::write(out.join(format!("store_{wing}.rs")), text).unwrap();
    }
    write_registers(&out, &registers);
    write_schema(&out, &root.join("schema"));
}

/// The `.rs` files of `dir` but `except`, as (module name, path), by name.
fn modules(dir: &Path, except: &[&str]) -> Vec<(String, PathBuf)> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter(|p| !except.iter().any(|x| p.file_name().unwrap() == *x))
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap().to_owned();
            if !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                panic!("{}: a module's file name is lower_snake_case", p.display());
            }
            (name, p)
        })
        .collect();
    found.sort();
    found
}

fn read(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn module(text: &mut String, visibility: &str, name: &str, path: &Path) {
    let path = path.to_str().expect("the source path is UTF-8");
    writeln!(text, "#[path = {path:?}]\n{visibility} mod {name};").unwrap();
}

/// `lessons_learned` as `LessonsLearned`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

struct AreaFile {
    name: String,
    path: PathBuf,
    tab: u32,
    go_name: String,
    go_description: String,
}

/// Reads `area! { tab: N, go: "name", "description" }` from an area's file.
fn area_manifest(name: String, path: PathBuf) -> AreaFile {
    let source = read(&path);
    let fail = |why: &str| -> ! {
        panic!(
            "{}: {why}; an area declares `area! {{ tab: N, go: \"go_name\", \"Go to ...\" }}`",
            path.display()
        )
    };
    let start = source
        .find("\narea! {")
        .unwrap_or_else(|| fail("no area! declaration"));
    let body = &source[start + "\narea! {".len()..];
    let body = &body[..body
        .find('}')
        .unwrap_or_else(|| fail("area! is not closed"))];
    let after = |key: &str| -> &str {
        let at = body
            .find(key)
            .unwrap_or_else(|| fail(&format!("no `{key}` in area!")));
        body[at + key.len()..].trim_start()
    };
    let tab_text: String = after("tab:")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let tab = tab_text
        .parse()
        .unwrap_or_else(|_| fail("`tab:` is not a number"));
    let mut strings = after("go:").split('"');
    let (Some(""), Some(go_name), Some(comma), Some(go_description)) = (
        strings.next(),
        strings.next(),
        strings.next(),
        strings.next(),
    ) else {
        fail("`go:` is not two strings")
    };
    if comma.trim() != "," || go_description.contains('\\') || go_name.contains('\\') {
        fail("`go:` is two plain strings, a name and a description, with no escapes");
    }
    AreaFile {
        name,
        path,
        tab,
        go_name: go_name.to_owned(),
        go_description: go_description.to_owned(),
    }
}

fn write(areas_out: &Path, places_out: &Path, root: &Path) {
    let mut areas: Vec<AreaFile> = modules(&root.join("src/app/areas"), &["mod.rs", "kind.rs"])
        .into_iter()
        .map(|(name, path)| area_manifest(name, path))
        .collect();
    areas.sort_by_key(|a| a.tab);
    for pair in areas.windows(2) {
        if pair[0].tab == pair[1].tab {
            panic!(
                "{} and {} both declare tab {}: each area has its own place in the tab order",
                pair[0].path.display(),
                pair[1].path.display(),
                pair[0].tab
            );
        }
    }
    let mut text = String::new();
    for a in &areas {
        module(&mut text, "pub", &a.name, &a.path);
    }
    text.push_str("registry! {\n");
    for a in &areas {
        writeln!(
            text,
            "    {} => {}::{},",
            camel(&a.name),
            a.name,
            camel(&a.name)
        )
        .unwrap();
    }
    text.push_str("}\n");
    fs::write(areas_out, text).unwrap();

    let mut places = String::from(
        "/// The actions with the \"go to\" actions of every area, in tab order.\n\
         macro_rules! actions_with_places {\n\
         ({ $($before:tt)* } { $($after:tt)* }) => {\n\
         actions! {\n{ $($before)* }\ngo {\n",
    );
    for a in &areas {
        writeln!(
            places,
            "    {} => {:?}, {:?};",
            camel(&a.name),
            a.go_name,
            a.go_description
        )
        .unwrap();
    }
    places.push_str("}\n{ $($after)* }\n}\n};\n}\n");
    fs::write(places_out, places).unwrap();
}

fn write_registers(out: &Path, registers: &[(&str, String)]) {
    let mut text = String::from(
        "/// The commands of every register: each store file that declares its\n\
         /// own `pub enum Command` (see `RegisterCommand`).\n\
         #[derive(Debug, Clone)]\n\
         pub enum Registered {\n",
    );
    for (wing, name) in registers {
        writeln!(text, "    {}(super::{wing}::{name}::Command),", camel(name)).unwrap();
    }
    text.push_str("}\n\n");
    for (wing, name) in registers {
        writeln!(
            text,
            "impl From<super::{wing}::{name}::Command> for Command {{\n\
             fn from(c: super::{wing}::{name}::Command) -> Command {{\n\
             Command::Register(Registered::{}(c))\n}}\n}}\n",
            camel(name)
        )
        .unwrap();
    }
    // An enum with no variants is matched through `*self`.
    let on = if registers.is_empty() {
        "*self"
    } else {
        "self"
    };
    let arms = |call: &str| -> String {
        let mut s = String::new();
        for (_, name) in registers {
            writeln!(s, "Registered::{}(c) => c.{call},", camel(name)).unwrap();
        }
        s
    };
    write!(
        text,
        "impl Registered {{\n\
         pub fn audit_action(&self) -> &'static str {{ match {on} {{ {} }} }}\n\
         pub(super) fn entity(&self) -> (&'static str, String) {{ match {on} {{ {} }} }}\n\
         pub(super) fn permission(&self) -> Action {{ match {on} {{ {} }} }}\n\
         pub(super) fn apply(self, ctx: &Ctx<'_>) -> Result<(Applied, Done), Fail> {{ match self {{ {} }} }}\n\
         }}\n",
        arms("audit_action()"),
        arms("entity()"),
        arms("permission()"),
        arms("apply(ctx)"),
    )
    .unwrap();
    fs::write(out.join("registers.rs"), text).unwrap();

    let mut modules = String::from(
        "/// The registers: each store file that declares its own commands, as\n\
         /// `store::registers::NAME`.\n\
         pub mod registers {\n",
    );
    for (wing, name) in registers {
        writeln!(modules, "    pub use super::{wing}::{name};").unwrap();
    }
    modules.push_str("}\n");
    fs::write(out.join("register_modules.rs"), modules).unwrap();
}

fn write_schema(out: &Path, dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let mut text = String::from(
        "/// Every file in `schema/`, in order, found by the build.\n\
         pub const SCHEMA_FILES: &[(&str, &str)] = &[\n",
    );
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_str().unwrap();
        if !name.starts_with(&format!("{:04}_", i + 1)) {
            panic!(
                "{}: schema files are numbered in sequence from 0001_, and this should be {:04}_",
                path.display(),
                i + 1
            );
        }
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            text,
            "    ({name:?}, include_str!({:?})),",
            path.to_str().unwrap()
        )
        .unwrap();
    }
    text.push_str("];\n");
    fs::write(out.join("schema.rs"), text).unwrap();
}
