//! Choosing a field's value from a list rather than typing it from
//! memory: the staff numbers of the subjects, the codenames of the
//! operations, the codes of the resource types and the usernames of the
//! unit's case workers, as the user may see them.

use super::areas::Area;
use super::areas::kind::{Reader, Unopened};
use super::form::{Field, Input};
use super::list::ListSpec;
use crate::store::Page;

/// What a field's value is chosen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    /// Staff numbers, from the subjects the user may see.
    Subject,
    /// Codenames, from the operations the user may see.
    Operation,
    /// Resource type codes, from those bids may ask for.
    Resource,
    /// Usernames, from the unit's case workers.
    Colleague,
    /// Partner agencies' references, from the register of partners.
    Partner,
}

impl PickKind {
    /// What the popup's title calls the list.
    pub fn title(self) -> &'static str {
        match self {
            PickKind::Subject => "Choose a subject",
            PickKind::Operation => "Choose an operation",
            PickKind::Resource => "Choose a resource type",
            PickKind::Colleague => "Choose a colleague",
            PickKind::Partner => "Choose a partner agency",
        }
    }
}

/// How a chosen value goes into its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goes {
    /// It becomes the field's value.
    Replace,
    /// It is added to a comma-separated list, once.
    List,
    /// It is typed where the cursor is (a bid line's resource).
    Insert,
}

/// What a field is chosen from, by its id, and how the choice goes in (a
/// field for one staff number, labelled so, takes one).
pub fn for_field(field: &Field) -> Option<(PickKind, Goes)> {
    Some(match field.id {
        "subjects" if field.label == "staff number" => (PickKind::Subject, Goes::Replace),
        "subjects" => (PickKind::Subject, Goes::List),
        "operation" => (PickKind::Operation, Goes::Replace),
        "lines" => (PickKind::Resource, Goes::Insert),
        "lead" | "supervisor" | "authorising officer" | "owner" => {
            (PickKind::Colleague, Goes::Replace)
        }
        // The team form's; an account's own new username is made, not chosen.
        "username" if field.label == "colleague" => (PickKind::Colleague, Goes::Replace),
        "team" => (PickKind::Colleague, Goes::List),
        "partner" => (PickKind::Partner, Goes::Replace),
        _ => return None,
    })
}

/// The candidates of a kind read from the case file, each as (value,
/// what is shown beside it): the area's own list, so that only what the
/// user may see is offered.
pub fn candidates(r: &mut Reader, kind: PickKind) -> Result<Vec<(String, String)>, Unopened> {
    let area = match kind {
        PickKind::Subject => Area::Subjects,
        PickKind::Operation => Area::Operations,
        PickKind::Partner => Area::Partners,
        PickKind::Resource => return Ok(Vec::new()),
        PickKind::Colleague => {
            return Ok(r
                .casefile
                .colleagues(r.actor)?
                .into_iter()
                .map(|(username, name, roles)| (username, format!("{name}  {roles}")))
                .collect());
        }
    };
    let (_, rows) = area.load(r, &ListSpec::default(), Page::ALL)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let about: Vec<&str> = row
                .cells
                .iter()
                .map(String::as_str)
                .filter(|c| *c != row.key && !c.is_empty())
                .take(3)
                .collect();
            (row.key.clone(), about.join("  "))
        })
        .collect())
}

/// Those of `all` whose value or description holds `typed`, ignoring case.
pub fn matching<'a>(all: &'a [(String, String)], typed: &str) -> Vec<&'a (String, String)> {
    let typed = typed.trim().to_lowercase();
    all.iter()
        .filter(|(value, about)| {
            typed.is_empty()
                || value.to_lowercase().contains(&typed)
                || about.to_lowercase().contains(&typed)
        })
        .collect()
}

/// A value chosen from the list put into its field, as `goes` says.
pub fn choose(field: &mut Field, value: &str, goes: Goes) {
    match (&mut field.input, goes) {
        (Input::Text(area) | Input::Line(area), Goes::Insert) => {
            area.insert_str(format!("{value} "));
        }
        _ => {
            let value = put(&field.value(), value, goes);
            field.set(&value);
        }
    }
}

/// `value` put into a field holding `current`, as `into` says.
pub fn put(current: &str, value: &str, into: Goes) -> String {
    match into {
        Goes::Replace | Goes::Insert => value.to_string(),
        Goes::List => {
            let mut items: Vec<&str> = current
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if !items.iter().any(|i| i.eq_ignore_ascii_case(value)) {
                items.push(value);
            }
            items.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_takes_each_value_once_and_a_single_value_is_replaced() {
        assert_eq!(put("", "E1", Goes::List), "E1");
        assert_eq!(put("E1", "E2", Goes::List), "E1, E2");
        assert_eq!(put("E1, E2", "e2", Goes::List), "E1, E2");
        assert_eq!(put("KESTREL", "MERLIN", Goes::Replace), "MERLIN");
    }

    #[test]
    fn typing_narrows_by_value_or_description() {
        let all = vec![
            ("AB1001".to_string(), "Alex Example".to_string()),
            ("AB1002".to_string(), "Sam Sample".to_string()),
        ];
        assert_eq!(matching(&all, "sam").len(), 1);
        assert_eq!(matching(&all, "ab10").len(), 2);
        assert_eq!(matching(&all, "").len(), 2);
        assert!(matching(&all, "zzz").is_empty());
    }
}
