//! Lists of records: what a list's columns are, how it is sorted and
//! filtered, and the window of rows the model holds. Lists are virtual:
//! only a window around the selection is ever loaded.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::audit_filter::AuditFilter;
use super::view::ListRow;

/// Rows kept in memory around the selection of a list: lists are virtual,
/// and only this window is ever loaded.
pub const WINDOW: u64 = 200;

/// How a column of a list read whole is put in order. Lists paged by the
/// case file are sorted there, by the store's own column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Text, ignoring case.
    Text,
    /// A number.
    Number,
    /// A UK date (`dd/mm/yyyy`), optionally followed by a time.
    Date,
}

impl SortKey {
    /// The key a cell of this column sorts by: dates in date order,
    /// numbers in numeric order, anything else (and a cell that does not
    /// hold what its column declares) ignoring case.
    pub fn of(self, cell: &str) -> String {
        match self {
            SortKey::Date => {
                let day = cell
                    .get(..10)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%d/%m/%Y").ok());
                if let Some(day) = day {
                    return format!("{}{}", day.format("%Y%m%d"), &cell[10..]);
                }
            }
            SortKey::Number => {
                if let Ok(n) = cell.trim().parse::<f64>() {
                    return format!("{:020.4}", n);
                }
            }
            SortKey::Text => {}
        }
        cell.to_lowercase()
    }
}

/// A column of a list: its heading, how wide it wants to be (0: it takes
/// what is left, at least 20), how much it matters (0 most: on a narrow
/// screen the columns that matter least are left out), and how it sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub label: &'static str,
    pub width: u16,
    pub weight: u8,
    pub sort: SortKey,
}

impl Column {
    pub const fn new(label: &'static str, width: u16, weight: u8, sort: SortKey) -> Column {
        Column {
            label,
            width,
            weight,
            sort,
        }
    }

    /// A text column.
    pub const fn text(label: &'static str, width: u16, weight: u8) -> Column {
        Column::new(label, width, weight, SortKey::Text)
    }
}

/// Sort and filter of a list, by column index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListSpec {
    pub sort: usize,
    pub descending: bool,
    pub filter: Option<(usize, String)>,
    /// The audit viewer's own filter (the audit list only).
    pub audit: AuditFilter,
}

/// A list of records, of which only a window is loaded.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub columns: Vec<Column>,
    pub spec: ListSpec,
    /// How many rows match, in all.
    pub total: u64,
    pub selected: u64,
    /// The index of `rows[0]`.
    pub window_start: u64,
    /// Already sanitised for the screen.
    pub rows: Vec<ListRow>,
    pub loaded: bool,
}

impl ListView {
    pub fn row(&self, index: u64) -> Option<&ListRow> {
        index
            .checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i as usize))
    }

    pub fn selected_row(&self) -> Option<&ListRow> {
        self.row(self.selected)
    }

    /// Whether rows around the selection are missing from the window.
    pub fn needs_window(&self, margin: u64) -> bool {
        if !self.loaded {
            return true;
        }
        let end = self.window_start + self.rows.len() as u64;
        let low = self.selected.saturating_sub(margin);
        let high = (self.selected + margin).min(self.total);
        low < self.window_start || high > end
    }

    /// Where to start a window that covers the selection.
    pub fn window_for_selection(&self) -> u64 {
        self.selected.saturating_sub(WINDOW / 2)
    }
}

/// A list read whole, sorted by one column and filtered by another, in
/// memory; with the window asked for and the number of rows that match.
pub fn window_of(
    mut rows: Vec<ListRow>,
    columns: &[Column],
    spec: &ListSpec,
    start: u64,
) -> (u64, Vec<ListRow>) {
    if let Some((column, text)) = &spec.filter {
        let text = text.to_lowercase();
        rows.retain(|r| {
            r.cells
                .get(*column)
                .is_some_and(|c| c.to_lowercase().contains(&text))
        });
    }
    let sort = columns.get(spec.sort).map_or(SortKey::Text, |c| c.sort);
    rows.sort_by_cached_key(|r| {
        r.cells
            .get(spec.sort)
            .map(|c| sort.of(c))
            .unwrap_or_default()
    });
    if spec.descending {
        rows.reverse();
    }
    let total = rows.len() as u64;
    let window = rows
        .into_iter()
        .skip(start as usize)
        .take(WINDOW as usize)
        .collect();
    (total, window)
}

/// Page starts already read in a list paged by position in a trail that
/// only grows: valid for one filter and one size of the list (a new row
/// shifts every offset by one). Each maps a position to the row's seq.
#[derive(Debug, Default)]
pub struct Anchors {
    valid_for: Option<(AuditFilter, u64)>,
    pub known: BTreeMap<u64, i64>,
}

impl Anchors {
    /// The anchors for this filter and size, forgetting any others.
    pub fn for_list(&mut self, filter: &AuditFilter, total: u64) -> &mut BTreeMap<u64, i64> {
        if self
            .valid_for
            .as_ref()
            .is_none_or(|(f, size)| f != filter || *size != total)
        {
            self.valid_for = Some((filter.clone(), total));
            self.known.clear();
        }
        &mut self.known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_sort_in_date_order_and_numbers_in_numeric_order() {
        assert!(SortKey::Date.of("02/01/2027") > SortKey::Date.of("31/12/2026"));
        assert!(SortKey::Date.of("01/06/2027 10:00") > SortKey::Date.of("01/06/2027 09:00"));
        assert!(SortKey::Number.of("10") > SortKey::Number.of("9"));
        // As text, "10" sorts before "9".
        assert!(SortKey::Text.of("10") < SortKey::Text.of("9"));
        // What a column does not hold as declared sorts as text.
        assert_eq!(SortKey::Date.of("-"), "-");
        assert_eq!(SortKey::Number.of("OVER"), "over");
    }

    #[test]
    fn a_window_is_filtered_sorted_and_cut() {
        let rows: Vec<ListRow> = ["9", "10", "x", "1"]
            .iter()
            .map(|n| ListRow {
                key: n.to_string(),
                cells: vec![n.to_string()],
            })
            .collect();
        let columns = [Column::new("N", 5, 0, SortKey::Number)];
        let spec = ListSpec::default();
        let (total, window) = window_of(rows.clone(), &columns, &spec, 1);
        assert_eq!(total, 4);
        let keys: Vec<&str> = window.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["9", "10", "x"]);
        let spec = ListSpec {
            filter: Some((0, "1".into())),
            descending: true,
            ..ListSpec::default()
        };
        let (total, window) = window_of(rows, &columns, &spec, 0);
        assert_eq!(total, 2);
        assert_eq!(window[0].key, "10");
    }
}
