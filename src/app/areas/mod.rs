//! The areas of the application, in tab order. Each is one module that
//! declares everything the shell needs of it ([`kind::AreaKind`]): its
//! title, its columns and how they sort, how its list loads and a record
//! opens, the form that makes a record, what an open record offers and the
//! hints for both. The shell (`App`, the runtime, the screens) iterates
//! this registry and never names an area's particulars. The build
//! (`build.rs`) finds every file in this folder and reads its `area!`
//! declaration (its place in the tab order and its "go to" action), so a
//! new area is one new file here and nothing else in `src/app`.

pub mod kind;

use kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};

use crate::app::action::{Action, Place};
use crate::app::form::Form;
use crate::app::list::{Column, ListSpec};
use crate::app::view::{CapacityBar, DetailLine, ListRow, shown};
use crate::store::{self, Command, Page, SearchHit, SearchKind};

/// Lists the areas: `Variant => module::Kind`, in tab order.
macro_rules! registry {
    ($($variant:ident => $module:ident :: $kind:ident,)*) => {
        /// The areas of the application, in tab order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Area {
            $($variant,)*
        }

        /// An open record's own facts, which the forms on it need, by
        /// its area.
        #[derive(Debug, Clone, PartialEq)]
        pub enum DetailSource {
            $($variant(<$module::$kind as AreaKind>::Record),)*
        }

        /// An area's declared facts, read through its `AreaKind`.
        macro_rules! declared {
            ($area:expr, $item:ident) => {
                match $area {
                    $(Area::$variant => <$module::$kind as AreaKind>::$item,)*
                }
            };
        }

        impl Area {
            pub const ALL: &'static [Area] = &[$(Area::$variant,)*];

            /// Where this area's "go to" action goes.
            pub fn place(self) -> Place {
                match self {
                    $(Area::$variant => Place::$variant,)*
                }
            }

            /// What the area's file declares in `area!`, as rustc reads it.
            #[cfg(test)]
            fn manifest(self) -> (u32, &'static str, &'static str) {
                match self {
                    $(Area::$variant => $module::MANIFEST,)*
                }
            }

            pub fn columns(self) -> Vec<Column> {
                declared!(self, columns)()
            }

            /// A window of the area's list, and how many rows match.
            pub fn load(
                self,
                reader: &mut Reader,
                spec: &ListSpec,
                page: Page,
            ) -> store::Result<(u64, Vec<ListRow>)> {
                declared!(self, load)(reader, spec, page)
            }

            fn open_here(self, reader: &mut Reader, key: &str) -> Result<Detail, Unopened> {
                match self {
                    $(Area::$variant => <$module::$kind as AreaKind>::open(reader, key)
                        .map(|o| Detail::of(self, o, DetailSource::$variant)),)*
                }
            }

            /// A record opened from its row alone, needing no read.
            pub fn open_row(self, row: &ListRow) -> Option<Detail> {
                match self {
                    $(Area::$variant => <$module::$kind as AreaKind>::open_row(row)
                        .map(|o| Detail::of(self, o, DetailSource::$variant)),)*
                }
            }

            /// A form the row itself offers for an action.
            pub fn row_form(self, action: Action, row: &ListRow) -> Option<Form> {
                declared!(self, row_form)(action, row)
            }

            /// The form that makes a new record here.
            pub fn new_form(self, context: &FormContext) -> Option<Form> {
                declared!(self, new_form)(context)
            }

            /// The list's own filter form.
            pub fn filter_form(self, spec: &ListSpec) -> Option<Form> {
                declared!(self, filter_form)(spec)
            }

            /// The form that exports this area's records.
            pub fn export_form(self) -> Option<Form> {
                declared!(self, export_form)()
            }

            /// What an action on the list as a whole comes to.
            pub fn list_form(self, action: Action, context: &FormContext) -> RecordForm {
                declared!(self, list_form)(action, context)
            }

            /// Whether this command makes a new record here.
            pub fn makes(self, command: &Command) -> bool {
                declared!(self, makes)(command)
            }

            /// The area's sample records (`AreaKind::samples`), opened.
            #[cfg(test)]
            fn samples(self) -> Vec<(String, DetailSource)> {
                match self {
                    $(Area::$variant => <$module::$kind as AreaKind>::samples()
                        .into_iter()
                        .map(|(key, record)| (key, DetailSource::$variant(record)))
                        .collect(),)*
                }
            }
        }

        impl DetailSource {
            /// What an action on this open record comes to.
            pub fn record_form(&self, action: Action, context: &FormContext) -> RecordForm {
                match self {
                    $(DetailSource::$variant(r) =>
                        <$module::$kind as AreaKind>::record_form(action, r, context),)*
                }
            }
        }
    };
}

/// Where an area says where it sits in the tab order and what its "go to"
/// action is called: `area! { tab: N, go: "go_name", "Go to ..." }`, read
/// by the build. In a test it is also a constant, so that what the build
/// read is checked against what rustc reads.
macro_rules! area {
    (tab: $tab:literal, go: $name:literal, $description:literal $(,)?) => {
        #[cfg(test)]
        pub(super) const MANIFEST: (u32, &str, &str) = ($tab, $name, $description);
    };
}

include!(concat!(env!("OUT_DIR"), "/areas.rs"));

impl Area {
    pub fn title(self) -> &'static str {
        declared!(self, TITLE)
    }

    /// The title where room is short (the tabs on a narrow screen).
    pub fn short_title(self) -> &'static str {
        declared!(self, SHORT_TITLE)
    }

    /// The action that goes to this area.
    pub fn action(self) -> Action {
        Action::Go(self.place())
    }

    /// Whether the area is a list of records.
    pub fn is_list(self) -> bool {
        declared!(self, IS_LIST)
    }

    /// Lists short enough to be read whole and sorted and filtered in
    /// memory; the others are paged by the case file.
    pub fn in_memory(self) -> bool {
        declared!(self, IN_MEMORY)
    }

    pub fn newest_first(self) -> bool {
        declared!(self, NEWEST_FIRST)
    }

    /// The one order the list keeps, if it keeps one.
    pub fn fixed_order(self) -> Option<kind::FixedOrder> {
        declared!(self, FIXED_ORDER)
    }

    /// The permission the area's list is read with.
    pub fn reads(self) -> crate::domain::permission::Action {
        declared!(self, READS)
    }

    /// Whether the audit chain is verified while the area is open.
    pub fn verifies_chain(self) -> bool {
        declared!(self, VERIFIES_CHAIN)
    }

    /// What the user must be permitted for this action's form here.
    pub fn needs(self, action: Action) -> Option<crate::domain::permission::Action> {
        declared!(self, NEEDS)
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, needed)| *needed)
    }

    pub fn detail_hints(self) -> &'static [Action] {
        declared!(self, DETAIL_HINTS)
    }

    pub fn list_hints(self) -> &'static [Action] {
        declared!(self, LIST_HINTS)
    }

    /// The area's place in tab order.
    pub fn index(self) -> usize {
        Area::ALL.iter().position(|a| *a == self).expect("listed")
    }

    /// The area whose records carry this reference: a URN names its kind,
    /// `risk:` a subject's risk record, anything else is a codename, which
    /// names an operation.
    pub fn of_reference(reference: &str) -> Area {
        if reference.starts_with(crate::store::registers::risk::KEY_PREFIX) {
            return Area::Risk;
        }
        let prefix = reference.split('-').next();
        Area::ALL
            .iter()
            .copied()
            .find(|a| {
                declared!(*a, URN)
                    .map(|k| k.prefix())
                    .or(declared!(*a, PREFIX))
                    .is_some_and(|p| Some(p) == prefix)
            })
            .unwrap_or(Area::Operations)
    }

    /// The record a key names, opened in its area (an area whose rows are
    /// other areas' records opens each in its own).
    pub fn open(self, reader: &mut Reader, key: &str) -> Result<Detail, Unopened> {
        if declared!(self, OPENS_ELSEWHERE) {
            let area = Area::of_reference(key);
            if !declared!(area, OPENS_ELSEWHERE) {
                return area.open_here(reader, key);
            }
        }
        self.open_here(reader, key)
    }

    /// The records that offer an action, for "open an operation or a bid
    /// first".
    pub fn offering(action: Action) -> String {
        let nouns: Vec<&str> = Area::ALL
            .iter()
            .filter(|a| declared!(**a, RECORD_ACTIONS).contains(&action))
            .map(|a| declared!(*a, NOUN))
            .collect();
        match nouns.split_last() {
            None => "a record".to_string(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    /// Whether some area's records offer this action.
    pub fn is_record_action(action: Action) -> bool {
        Area::ALL
            .iter()
            .any(|a| declared!(*a, RECORD_ACTIONS).contains(&action))
    }

    /// Every form the area offers: to make a record, to filter or export
    /// its list, and each action's on its sample rows and records.
    #[cfg(test)]
    pub(crate) fn every_form(self, context: &FormContext) -> Vec<Form> {
        let mut forms: Vec<Form> = [
            self.new_form(context),
            self.filter_form(&ListSpec::default()),
            self.export_form(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let rows = declared!(self, sample_rows)();
        let records = self.samples();
        for action in Action::ALL {
            if let RecordForm::Edit(form) | RecordForm::Make(form) =
                self.list_form(*action, context)
            {
                forms.push(form);
            }
            forms.extend(rows.iter().filter_map(|row| self.row_form(*action, row)));
            for (key, record) in &records {
                // As `App::record_form` opens them.
                match record.record_form(*action, context) {
                    RecordForm::Edit(mut form) => {
                        form.about = Some(key.clone());
                        forms.push(form);
                    }
                    RecordForm::Make(form) => forms.push(form),
                    _ => {}
                }
            }
        }
        forms
    }
}

/// An opened record.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub area: Area,
    pub key: String,
    pub title: String,
    pub source: DetailSource,
    pub lines: Vec<DetailLine>,
    pub scroll: u16,
    /// A bid's committed-against-capacity chart.
    pub chart: Vec<CapacityBar>,
}

impl Detail {
    fn of<R>(area: Area, opened: Opened<R>, source: fn(R) -> DetailSource) -> Detail {
        Detail {
            area,
            key: opened.key,
            title: opened.title,
            source: source(opened.record),
            lines: opened.lines,
            scroll: 0,
            chart: opened.chart,
        }
    }
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchLine {
    pub area: Area,
    pub key: String,
    pub kind: &'static str,
    pub title: String,
    pub snippet: String,
}

impl SearchLine {
    /// A hit, to open in the area its kind belongs to.
    pub fn of(hit: &SearchHit) -> SearchLine {
        let area = Area::ALL
            .iter()
            .copied()
            .find(|a| declared!(*a, SEARCH).contains(&hit.kind))
            .unwrap_or(Area::Dashboard);
        let key = match hit.kind {
            // A decision-log entry opens its operation: `CODENAME/D3`.
            SearchKind::Decision => hit
                .reference
                .split_once("/D")
                .map(|(c, _)| c.to_string())
                .unwrap_or_else(|| hit.reference.clone()),
            _ => hit.reference.clone(),
        };
        SearchLine {
            area,
            key,
            kind: hit.kind.label(),
            title: shown(&hit.title),
            snippet: shown(&hit.snippet),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the build read of each `area!` is what rustc reads: the tab
    /// order, and the name and description of each "go to" action.
    #[test]
    fn the_build_reads_every_area_declaration_as_rustc_does() {
        let tabs: Vec<u32> = Area::ALL.iter().map(|a| a.manifest().0).collect();
        assert!(tabs.is_sorted(), "{tabs:?}");
        for area in Area::ALL {
            let (_, name, description) = area.manifest();
            assert_eq!(area.action().name(), name);
            assert_eq!(area.action().description(), description);
            assert_eq!(Action::parse(name), Some(area.action()));
        }
    }

    #[test]
    fn references_open_in_their_areas() {
        assert_eq!(Area::of_reference("INT-2026-00001"), Area::Intelligence);
        assert_eq!(Area::of_reference("BID-2026-0001"), Area::Bids);
        assert_eq!(Area::of_reference("AUTH-2026-0001"), Area::Authorisations);
        assert_eq!(Area::of_reference("REF-2026-0001"), Area::Referrals);
        assert_eq!(Area::of_reference("KESTREL"), Area::Operations);
    }

    #[test]
    fn every_record_action_names_what_offers_it() {
        assert_eq!(
            Area::offering(Action::Close),
            "an operation, a bid or an authorisation"
        );
        assert_eq!(Area::offering(Action::Submit), "a bid or a referral");
        assert_eq!(Area::offering(Action::Triage), "an intelligence item");
        for area in Area::ALL {
            for action in declared!(*area, RECORD_ACTIONS) {
                assert!(Area::is_record_action(*action));
                assert!(
                    !declared!(*area, NOUN).is_empty(),
                    "{area:?} offers {action:?}"
                );
            }
        }
    }

    /// The tests of forms (`app::form_ids`) try every record form on an
    /// area's samples, so an area whose records offer actions has some.
    #[test]
    fn every_area_with_record_actions_has_samples() {
        for area in Area::ALL {
            if !declared!(*area, RECORD_ACTIONS).is_empty() {
                assert!(!area.samples().is_empty(), "{area:?} has no samples");
            }
        }
    }

    #[test]
    fn every_form_names_the_permission_it_needs() {
        let context = FormContext {
            resources: &[],
            roles: &[],
        };
        for area in Area::ALL {
            let mut offered: Vec<Action> = declared!(*area, RECORD_ACTIONS).to_vec();
            if area.new_form(&context).is_some() {
                offered.push(Action::New);
            }
            for action in offered {
                assert!(
                    area.needs(action).is_some(),
                    "{}: {} opens a form but NEEDS names no permission for it",
                    area.title(),
                    action.name(),
                );
            }
        }
    }

    #[test]
    fn each_list_has_columns_and_hints() {
        for area in Area::ALL.iter().filter(|a| a.is_list()) {
            let columns = area.columns();
            assert!(!columns.is_empty(), "{area:?}");
            assert!(columns.iter().all(|c| !c.label.is_empty()));
            assert!(!area.list_hints().is_empty());
        }
    }
}
