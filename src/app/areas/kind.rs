//! What an area of the application declares: everything the shell needs
//! to list, open, make and act on its records. The registry
//! (`super::registry!`) wires each area into the shell, so an area cannot
//! be half-wired: every item here without a default must be written.

use std::fmt::Debug;

use crate::app::action::Action;
use crate::app::form::Form;
use crate::app::list::{Anchors, Column, ListSpec};
use crate::app::view::{DetailLine, ListRow};
use crate::domain::permission;
use crate::domain::urn::UrnKind;
use crate::store::{self, Actor, CaseFile, Command, Page, SearchKind};

/// The open case file and who reads it, for an area's loads; with the
/// audit viewer's page anchors, which outlive one load.
pub struct Reader<'a> {
    pub casefile: &'a mut CaseFile,
    pub actor: &'a Actor,
    pub anchors: &'a mut Anchors,
}

/// A resource type a bid may ask for: (code, label, weekly capacity), as
/// read at login and kept as capacities are set.
pub type Resource = (String, String, f64);

/// What a form needs from the application around it.
pub struct FormContext<'a> {
    /// The resource types bids may ask for.
    pub resources: &'a [Resource],
    /// The roles of the user the forms are for, so that a form they may
    /// not use is not offered (the case file refuses it anyway).
    pub roles: &'a [crate::domain::role::Role],
}

/// An opened record, before the registry says which area it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<R> {
    pub key: String,
    pub title: String,
    pub record: R,
    pub lines: Vec<DetailLine>,
    /// A bid's committed-against-capacity chart.
    pub chart: Vec<crate::app::view::CapacityBar>,
}

impl<R> Opened<R> {
    pub fn new(key: impl Into<String>, title: String, record: R, lines: Vec<DetailLine>) -> Self {
        Opened {
            key: key.into(),
            title,
            record,
            lines,
            chart: Vec::new(),
        }
    }
}

/// Why nothing opened.
#[derive(Debug)]
pub enum Unopened {
    Store(store::Error),
    /// Nothing opens here; the message says so.
    Nothing(String),
}

impl From<store::Error> for Unopened {
    fn from(e: store::Error) -> Self {
        Unopened::Store(e)
    }
}

impl From<crate::domain::InvalidInput> for Unopened {
    fn from(e: crate::domain::InvalidInput) -> Self {
        Unopened::Store(e.into())
    }
}

/// A list paged by the case file, as the store's query for it: the
/// column indexes of `spec` name the store's columns, in `all`'s order.
pub fn store_query<C: Copy>(spec: &ListSpec, all: &[C]) -> store::ListQuery<C> {
    let column = |i: usize| all[i.min(all.len() - 1)];
    store::ListQuery {
        sort: column(spec.sort),
        descending: spec.descending,
        filter: spec.filter.as_ref().map(|(c, t)| (column(*c), t.clone())),
    }
}

/// The columns of a list paged by the case file: the store's columns, in
/// its order, each with its width and weight from `widths`.
pub fn store_columns<C: Copy>(
    all: &[C],
    label: fn(C) -> &'static str,
    widths: &[(u16, u8)],
) -> Vec<Column> {
    // A static pairing: a column without a width (or the reverse) would
    // shift every filter and sort index after it.
    assert_eq!(all.len(), widths.len(), "a width for each store column");
    all.iter()
        .zip(widths.iter().copied())
        .map(|(c, (width, weight))| Column::text(label(*c), width, weight))
        .collect()
}

/// What an action on an open record comes to.
#[derive(Debug)]
pub enum RecordForm {
    /// A form about this record: once saved, the record opens again.
    Edit(Form),
    /// A form that makes a new record: once saved, that record opens.
    Make(Form),
    /// A command with nothing to fill in, asked about first; then the
    /// record opens again.
    Confirm { question: String, command: Command },
    /// The action is refused here, and why.
    Refuse(String),
    /// This record offers no such action.
    NotHere,
}

/// The one order a list keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedOrder {
    /// Shown beneath the list, where a sorted list names its column.
    pub label: &'static str,
    /// The answer to anyone who asks to sort it.
    pub why: &'static str,
}

/// One area of the application.
pub trait AreaKind {
    /// What the forms on an open record need to know of it.
    type Record: Clone + Debug + PartialEq;

    const TITLE: &'static str;
    /// The title where room is short (the tabs on a narrow screen).
    const SHORT_TITLE: &'static str;
    /// Whether the area is a list of records.
    const IS_LIST: bool = true;
    /// Read whole and sorted and filtered in memory, rather than paged by
    /// the case file.
    const IN_MEMORY: bool = false;
    /// Newest first, where records arrive over time.
    const NEWEST_FIRST: bool = false;
    /// Its rows are other areas' records, opened in their own areas by
    /// their references.
    const OPENS_ELSEWHERE: bool = false;
    /// The list keeps one order, and this says which, to anyone who
    /// asks to sort it.
    const FIXED_ORDER: Option<FixedOrder> = None;
    /// The audit chain is verified, a stretch at a time, while the area is
    /// open.
    const VERIFIES_CHAIN: bool = false;
    /// The permission its list is read with: a user without it is told
    /// what the area is for, and nothing is asked of the case file.
    const READS: crate::domain::permission::Action =
        crate::domain::permission::Action::ReadCaseContent;
    /// What one record is called, with its article ("an operation"), for
    /// "open an operation first".
    const NOUN: &'static str = "";
    /// The kind of URN its records carry.
    const URN: Option<UrnKind> = None;
    /// The prefix of its records' references where they are not URNs
    /// (`THR` for `THR-001`), so that the diary opens them here.
    const PREFIX: Option<&'static str> = None;
    /// The kinds of search hit that open here.
    const SEARCH: &'static [SearchKind] = &[];
    /// What its records offer, beyond opening them.
    const RECORD_ACTIONS: &'static [Action] = &[];
    /// What each of its forms needs the user to be permitted: a form
    /// opens only for those who may use it (the case file checks again
    /// as it writes). Every record action, and `New` and `Export` where
    /// the area has those forms, is listed (a test checks).
    const NEEDS: &'static [(Action, permission::Action)] = &[];
    /// The hints in the status line with a record open, most useful first.
    const DETAIL_HINTS: &'static [Action] = &[Action::Back, Action::Help];
    /// The hints in the status line on its list, most useful first.
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::New,
        Action::Search,
        Action::SortNext,
        Action::Filter,
        Action::Palette,
        Action::Help,
        Action::Quit,
    ];

    /// The columns of its list, in the order of its rows' cells.
    fn columns() -> Vec<Column>;

    /// A window of its list, and how many rows match in all.
    fn load(reader: &mut Reader, spec: &ListSpec, page: Page)
    -> store::Result<(u64, Vec<ListRow>)>;

    /// The record a key names, opened (and its consultation logged by the
    /// case file).
    fn open(reader: &mut Reader, key: &str) -> Result<Opened<Self::Record>, Unopened>;

    /// A record opened from its row alone, needing no read.
    fn open_row(_row: &ListRow) -> Option<Opened<Self::Record>> {
        None
    }

    /// A form a row itself offers for an action (`Open` or another),
    /// rather than a record to open: a request for access on the queue.
    fn row_form(_action: Action, _row: &ListRow) -> Option<Form> {
        None
    }

    /// The list's own filter form, in place of filtering by the sorted
    /// column.
    fn filter_form(_spec: &ListSpec) -> Option<Form> {
        None
    }

    /// The form that exports this area's records.
    fn export_form() -> Option<Form> {
        None
    }

    /// The form that makes a new record here.
    fn new_form(_context: &FormContext) -> Option<Form> {
        None
    }

    /// What an action on one of its open records comes to.
    fn record_form(_action: Action, _record: &Self::Record, _context: &FormContext) -> RecordForm {
        RecordForm::NotHere
    }

    /// What an action on the list as a whole comes to (the audit trail's
    /// tools: export a bundle, sign a checkpoint, verify a bundle, go to
    /// an event), for the user's roles.
    fn list_form(_action: Action, _context: &FormContext) -> RecordForm {
        RecordForm::NotHere
    }

    /// Whether this command makes a new record here.
    fn makes(_command: &Command) -> bool {
        false
    }

    /// Records of each kind its record forms differ by, each with the key
    /// it opens by, for the tests that build every form the application
    /// can show.
    #[cfg(test)]
    fn samples() -> Vec<(String, Self::Record)> {
        Vec::new()
    }

    /// Rows whose row forms those tests build.
    #[cfg(test)]
    fn sample_rows() -> Vec<ListRow> {
        Vec::new()
    }
}
