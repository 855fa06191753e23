//! Long lists a screen pages through (intelligence, subjects, operations),
//! sorted by any column and filtered by one, and the dashboard's figures.
//! Every query applies need-to-know, exactly as the record queries do.
//!
//! A column is only ever turned into SQL through the fixed expression its
//! enum value names; the text a user filters by is always a bound
//! parameter.

use chrono::{Days, NaiveDate};
use rusqlite::ToSql;

use super::intelligence::{self as intel, IntelligenceRow, linked_codename};
use super::operations::{self as ops, OperationRow, current_leads};
use super::subjects::{self, SubjectRow};
use crate::domain::intelligence::{Category, SourceType, TriageStatus};
use crate::domain::operation::{OperationStatus, Priority};
use crate::domain::subject::{EmploymentType, SubjectStatus, VettingLevel};
use crate::domain::time::{start_of_uk_day, uk_date, uk_year, week_start};
use crate::store::plumbing::{Page, stored, with};
use crate::store::visibility::{Viewer, intelligence_visible, operation_visible, subject_visible};
use crate::store::write::Actor;
use crate::store::{CaseFile, Result, format_timestamp};

/// Defines a list's columns: `ALL` in display order, and `label()`, the
/// column heading.
macro_rules! columns {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $variant:ident => $label:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $variant, )+ }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The column heading.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }
        }
    };
}

columns! {
    /// The columns of the intelligence list.
    pub enum IntelligenceColumn {
        Urn => "URN",
        Received => "Received",
        Source => "Source",
        Grading => "Grading",
        Category => "Category",
        Triage => "Triage",
        Summary => "Summary",
        Operation => "Operation",
    }
}

columns! {
    /// The columns of the subject list.
    pub enum SubjectColumn {
        StaffNumber => "Staff no.",
        Name => "Name",
        Rank => "Rank or grade",
        Employment => "Employment",
        Department => "Department",
        Vetting => "Vetting",
        Status => "Status",
    }
}

columns! {
    /// The columns of the operation list.
    pub enum OperationColumn {
        Urn => "URN",
        Codename => "Codename",
        Status => "Status",
        Category => "Category",
        Priority => "Priority",
        Lead => "Lead",
        Opened => "Opened",
    }
}

/// How a list is sorted and filtered. Rows that tie on the sort column
/// keep the order in which they were recorded (reversed with the sort), so
/// the same query always pages through the same rows in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery<C> {
    pub sort: C,
    pub descending: bool,
    /// Only rows whose `C` contains this text, ignoring case. For a column
    /// of codes (category, triage, status...) the text may be part of the
    /// stored code or of its label. Empty text filters nothing.
    pub filter: Option<(C, String)>,
}

impl<C> ListQuery<C> {
    /// Sorted by `sort`, unfiltered.
    pub fn sorted(sort: C, descending: bool) -> ListQuery<C> {
        ListQuery {
            sort,
            descending,
            filter: None,
        }
    }

    /// The same query, showing only rows whose `column` contains `text`.
    pub fn filtered(self, column: C, text: impl Into<String>) -> ListQuery<C> {
        ListQuery {
            filter: Some((column, text.into())),
            ..self
        }
    }
}

/// Newest received first, as a screen opens the list.
impl Default for ListQuery<IntelligenceColumn> {
    fn default() -> Self {
        ListQuery::sorted(IntelligenceColumn::Received, true)
    }
}

/// By staff number, as a screen opens the list.
impl Default for ListQuery<SubjectColumn> {
    fn default() -> Self {
        ListQuery::sorted(SubjectColumn::StaffNumber, false)
    }
}

/// Newest opened first, as a screen opens the list.
impl Default for ListQuery<OperationColumn> {
    fn default() -> Self {
        ListQuery::sorted(OperationColumn::Opened, true)
    }
}

/// What a column's values are, which decides how it sorts and filters.
enum Values {
    /// Stored text compared as it is: timestamps, URNs, codenames.
    Exact,
    /// Text people typed: sorted without regard to (ASCII) case.
    Words,
    /// A code from a closed list, as (code, label) pairs: sorted by the
    /// label a screen shows, and filtered by code or label.
    Codes(Vec<(&'static str, &'static str)>),
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Values {
    Values::Codes(all.iter().map(|&v| (code(v), label(v))).collect())
}

/// A column as SQL: a fixed expression over the list's table, and what
/// its values are.
struct ColumnSql {
    expr: &'static str,
    values: Values,
}

/// A list as SQL: its table, the alias its expressions use, the predicate
/// that applies need-to-know, the columns of a row, and what a refused
/// read is recorded against.
struct ListSql {
    table: &'static str,
    alias: &'static str,
    visible: String,
    row_columns: &'static str,
    what: &'static str,
}

trait ListColumn: Copy {
    fn sql(self) -> ColumnSql;
    fn list() -> ListSql;
}

impl ListColumn for IntelligenceColumn {
    fn sql(self) -> ColumnSql {
        use IntelligenceColumn as C;
        let (expr, values) = match self {
            C::Urn => ("i.urn", Values::Exact),
            C::Received => ("i.received_at", Values::Exact),
            C::Source => (
                "i.source_type",
                codes(SourceType::ALL, SourceType::code, SourceType::label),
            ),
            C::Grading => ("i.grading", Values::Exact),
            C::Category => (
                "i.category",
                codes(Category::ALL, Category::code, Category::label),
            ),
            C::Triage => (
                "i.triage",
                codes(TriageStatus::ALL, TriageStatus::code, TriageStatus::label),
            ),
            C::Summary => ("i.summary", Values::Words),
            C::Operation => (linked_codename!(), Values::Exact),
        };
        ColumnSql { expr, values }
    }

    fn list() -> ListSql {
        ListSql {
            table: "intelligence",
            alias: "i",
            visible: intelligence_visible("i"),
            row_columns: intel::ROW_COLUMNS,
            what: "intelligence",
        }
    }
}

impl ListColumn for SubjectColumn {
    fn sql(self) -> ColumnSql {
        use SubjectColumn as C;
        let (expr, values) = match self {
            C::StaffNumber => ("s.staff_number", Values::Exact),
            C::Name => ("s.name", Values::Words),
            C::Rank => ("s.rank_or_grade", Values::Words),
            C::Employment => (
                "s.employment_type",
                codes(
                    EmploymentType::ALL,
                    EmploymentType::code,
                    EmploymentType::label,
                ),
            ),
            C::Department => ("s.department", Values::Words),
            C::Vetting => (
                "s.vetting_level",
                codes(VettingLevel::ALL, VettingLevel::code, VettingLevel::label),
            ),
            C::Status => (
                "s.status",
                codes(
                    SubjectStatus::ALL,
                    SubjectStatus::code,
                    SubjectStatus::label,
                ),
            ),
        };
        ColumnSql { expr, values }
    }

    fn list() -> ListSql {
        ListSql {
            table: "subject",
            alias: "s",
            visible: subject_visible("s"),
            row_columns: subjects::COLUMNS,
            what: "subjects",
        }
    }
}

impl ListColumn for OperationColumn {
    fn sql(self) -> ColumnSql {
        use OperationColumn as C;
        let (expr, values) = match self {
            C::Urn => ("o.urn", Values::Exact),
            C::Codename => ("o.codename", Values::Exact),
            C::Status => (
                "o.status",
                codes(
                    OperationStatus::ALL,
                    OperationStatus::code,
                    OperationStatus::label,
                ),
            ),
            C::Category => (
                "o.category",
                codes(Category::ALL, Category::code, Category::label),
            ),
            C::Priority => (
                "o.priority",
                codes(Priority::ALL, Priority::code, Priority::label),
            ),
            C::Lead => (current_leads!(), Values::Exact),
            C::Opened => ("o.opened_at", Values::Exact),
        };
        ColumnSql { expr, values }
    }

    fn list() -> ListSql {
        ListSql {
            table: "operation",
            alias: "o",
            visible: operation_visible("o.id"),
            row_columns: ops::ROW_COLUMNS,
            what: "operations",
        }
    }
}

/// A code as an SQL string literal. Codes are constants of this program,
/// never user text; quoting them anyway keeps the SQL well formed.
fn literal(code: &str) -> String {
    format!("'{}'", code.replace('\'', "''"))
}

impl ColumnSql {
    /// The expression a list is ordered by.
    fn sort_key(&self) -> String {
        match &self.values {
            Values::Exact => self.expr.to_owned(),
            Values::Words => format!("{} COLLATE NOCASE", self.expr),
            Values::Codes(pairs) => {
                let mut by_label: Vec<&(&str, &str)> = pairs.iter().collect();
                by_label.sort_by_key(|(code, label)| (label.to_lowercase(), *code));
                if by_label.is_sorted_by_key(|(code, _)| *code) {
                    // The codes sort as their labels do: the column itself
                    // is the key, and a plain index on it serves the sort.
                    return self.expr.to_owned();
                }
                let arms: String = by_label
                    .iter()
                    .enumerate()
                    .map(|(rank, (code, _))| format!(" WHEN {} THEN {rank}", literal(code)))
                    .collect();
                format!("CASE {}{arms} END", self.expr)
            }
        }
    }

    /// The filter as SQL with its one bound parameter, `:filter`.
    fn filter(&self, text: &str) -> (String, String) {
        match &self.values {
            Values::Exact | Values::Words => (
                format!("{} LIKE :filter ESCAPE '\\'", self.expr),
                like_pattern(text),
            ),
            Values::Codes(pairs) => {
                let needle = text.to_lowercase();
                let matching: Vec<&str> = pairs
                    .iter()
                    .filter(|(code, label)| {
                        code.to_lowercase().contains(&needle)
                            || label.to_lowercase().contains(&needle)
                    })
                    .map(|(code, _)| *code)
                    .collect();
                (
                    format!("{} IN (SELECT value FROM json_each(:filter))", self.expr),
                    serde_json::to_string(&matching).expect("a list of strings is JSON"),
                )
            }
        }
    }
}

/// `text` anywhere, with LIKE's wildcards (and its escape) taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The WHERE clause of a query (need-to-know, then the filter if any) and
/// the filter's bound value.
fn conditions<C: ListColumn>(list: &ListSql, query: &ListQuery<C>) -> (String, Option<String>) {
    match &query.filter {
        Some((column, text)) if !text.is_empty() => {
            let (sql, value) = column.sql().filter(text);
            (format!("{} AND {sql}", list.visible), Some(value))
        }
        _ => (list.visible.clone(), None),
    }
}

/// A page of a list as SQL (with `:limit` and `:offset`), and the filter's
/// bound value.
fn page_sql<C: ListColumn>(query: &ListQuery<C>) -> (String, Option<String>) {
    let list = C::list();
    let (conditions, filter) = conditions(&list, query);
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = format!(
        "{} {direction}, {a}.id {direction}",
        query.sort.sql().sort_key(),
        a = list.alias
    );
    // The page's ids first, and only then their columns, so rows skipped by
    // the offset cost no more than their sort key.
    let sql = format!(
        "SELECT {columns} FROM {table} {a} WHERE {a}.id IN (
             SELECT {a}.id FROM {table} {a} WHERE {conditions}
             ORDER BY {order} LIMIT :limit OFFSET :offset)
         ORDER BY {order}",
        columns = list.row_columns,
        table = list.table,
        a = list.alias,
    );
    (sql, filter)
}

fn limits(page: Page) -> (i64, i64) {
    let clamp = |n: u64| n.min(i64::MAX as u64) as i64;
    (clamp(page.offset), clamp(page.limit))
}

/// The dashboard's figures, counted over what the user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Every operation status, in the order of [`OperationStatus::ALL`].
    pub operations_by_status: Vec<(OperationStatus, u64)>,
    /// Every triage status, in the order of [`TriageStatus::ALL`].
    pub intelligence_by_triage: Vec<(TriageStatus, u64)>,
    /// The UK calendar year `category_this_year` counts.
    pub year: i32,
    /// Every national category, in the order of [`Category::ALL`]: the
    /// items received in the current UK year.
    pub category_this_year: Vec<(Category, u64)>,
    /// The last 12 weeks, oldest first and including the current one: the
    /// Monday each begins (UK), and the items received that week.
    pub weekly_intake: Vec<(NaiveDate, u64)>,
}

/// How many weeks `Dashboard::weekly_intake` covers.
pub const DASHBOARD_WEEKS: u64 = 12;

impl CaseFile {
    fn list_page<C: ListColumn, T>(
        &mut self,
        actor: &Actor,
        query: &ListQuery<C>,
        page: Page,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let viewer = self.reader(actor, C::list().what)?;
        let (offset, limit) = limits(page);
        let (sql, filter) = page_sql(query);
        let mut params = with(&viewer, &[(":limit", &limit), (":offset", &offset)]);
        if let Some(value) = &filter {
            params.push((":filter", value as &dyn ToSql));
        }
        self.query_rows(&sql, &params, map)
    }

    fn list_total<C: ListColumn>(&mut self, actor: &Actor, query: &ListQuery<C>) -> Result<u64> {
        let list = C::list();
        let viewer = self.reader(actor, list.what)?;
        let (conditions, filter) = conditions(&list, query);
        let sql = format!(
            "SELECT count(*) FROM {table} {a} WHERE {conditions}",
            table = list.table,
            a = list.alias,
        );
        let mut params = viewer.params().to_vec();
        if let Some(value) = &filter {
            params.push((":filter", value as &dyn ToSql));
        }
        let n: i64 = self
            .conn
            .query_row(&sql, &params[..], |r| r.get(0))
            .map_err(|e| self.sqlite_err(e))?;
        Ok(n as u64)
    }

    /// One page of the intelligence the actor may see, sorted and filtered.
    pub fn intelligence_page(
        &mut self,
        actor: &Actor,
        query: &ListQuery<IntelligenceColumn>,
        page: Page,
    ) -> Result<Vec<IntelligenceRow>> {
        self.list_page(actor, query, page, intel::row)
    }

    /// How many rows the intelligence list has with `query`'s filter.
    pub fn intelligence_total(
        &mut self,
        actor: &Actor,
        query: &ListQuery<IntelligenceColumn>,
    ) -> Result<u64> {
        self.list_total(actor, query)
    }

    /// One page of the subjects the actor may see, sorted and filtered.
    pub fn subjects_page(
        &mut self,
        actor: &Actor,
        query: &ListQuery<SubjectColumn>,
        page: Page,
    ) -> Result<Vec<SubjectRow>> {
        self.list_page(actor, query, page, subjects::details_row)
    }

    /// How many rows the subject list has with `query`'s filter.
    pub fn subjects_total(
        &mut self,
        actor: &Actor,
        query: &ListQuery<SubjectColumn>,
    ) -> Result<u64> {
        self.list_total(actor, query)
    }

    /// One page of the operations the actor may see, sorted and filtered.
    pub fn operations_page(
        &mut self,
        actor: &Actor,
        query: &ListQuery<OperationColumn>,
        page: Page,
    ) -> Result<Vec<OperationRow>> {
        self.list_page(actor, query, page, ops::row)
    }

    /// How many rows the operation list has with `query`'s filter.
    pub fn operations_total(
        &mut self,
        actor: &Actor,
        query: &ListQuery<OperationColumn>,
    ) -> Result<u64> {
        self.list_total(actor, query)
    }

    /// The dashboard's figures, at the case file's clock.
    pub fn dashboard(&mut self, actor: &Actor) -> Result<Dashboard> {
        let viewer = self.reader(actor, "dashboard")?;
        let now = (self.clock)();

        let operations_by_status = self.count_by(
            &format!(
                "SELECT o.status, count(*) FROM operation o WHERE {} GROUP BY o.status",
                operation_visible("o.id")
            ),
            &viewer,
            &[],
            OperationStatus::ALL,
            OperationStatus::parse,
        )?;
        let intelligence_by_triage = self.count_by(
            &format!(
                "SELECT i.triage, count(*) FROM intelligence i WHERE {} GROUP BY i.triage",
                intelligence_visible("i")
            ),
            &viewer,
            &[],
            TriageStatus::ALL,
            TriageStatus::parse,
        )?;

        let year = uk_year(now);
        let new_year = |y: i32| {
            format_timestamp(start_of_uk_day(
                NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January exists"),
            ))
        };
        let (from, to) = (new_year(year), new_year(year + 1));
        // One count per category through the index on (category,
        // received_at): a grouped count over the year's range sorted every
        // item of the year to group them.
        let sql = format!(
            "SELECT count(*) FROM intelligence i INDEXED BY intelligence_by_category_received
             WHERE i.category = :category AND i.received_at >= :from AND i.received_at < :to AND {}",
            intelligence_visible("i")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite_err(e))?;
        let mut category_this_year = Vec::with_capacity(Category::ALL.len());
        for &category in Category::ALL.iter() {
            let code = category.code();
            let n: i64 = stmt
                .query_row(
                    &with(
                        &viewer,
                        &[(":category", &code), (":from", &from), (":to", &to)],
                    )[..],
                    |r| r.get(0),
                )
                .map_err(|e| self.sqlite_err(e))?;
            category_this_year.push((category, n.max(0) as u64));
        }
        drop(stmt);

        let this_week = week_start(uk_date(now));
        let mondays: Vec<NaiveDate> = (0..DASHBOARD_WEEKS)
            .rev()
            .map(|back| this_week - Days::new(7 * back))
            .collect();
        let sql = format!(
            "SELECT count(*) FROM intelligence i
             WHERE i.received_at >= :from AND i.received_at < :to AND {}",
            intelligence_visible("i")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite_err(e))?;
        let mut weekly_intake = Vec::with_capacity(mondays.len());
        for monday in mondays {
            let from = format_timestamp(start_of_uk_day(monday));
            let to = format_timestamp(start_of_uk_day(monday + Days::new(7)));
            let n: i64 = stmt
                .query_row(&with(&viewer, &[(":from", &from), (":to", &to)])[..], |r| {
                    r.get(0)
                })
                .map_err(|e| self.sqlite_err(e))?;
            weekly_intake.push((monday, n as u64));
        }
        drop(stmt);

        Ok(Dashboard {
            operations_by_status,
            intelligence_by_triage,
            year,
            category_this_year,
            weekly_intake,
        })
    }

    /// Runs a `SELECT code, count(*) ... GROUP BY code` and gives a count
    /// for every value of the code list, zeros included, in its order.
    fn count_by<T: Copy + PartialEq>(
        &self,
        sql: &str,
        viewer: &Viewer,
        extra: &[(&'static str, &dyn ToSql)],
        all: &[T],
        parse: fn(&str) -> std::result::Result<T, crate::domain::InvalidInput>,
    ) -> Result<Vec<(T, u64)>> {
        let found = self.query_rows(sql, &with(viewer, extra), |r| {
            Ok((
                stored(0, parse, &r.get::<_, String>(0)?)?,
                r.get::<_, i64>(1)? as u64,
            ))
        })?;
        Ok(all
            .iter()
            .map(|&value| {
                let n = found
                    .iter()
                    .filter(|(v, _)| *v == value)
                    .map(|(_, n)| n)
                    .sum();
                (value, n)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_pattern("50%"), "%50\\%%");
        assert_eq!(like_pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn codes_sort_by_their_labels() {
        let key = IntelligenceColumn::Category.sql().sort_key();
        // "Abuse of authority" sorts first, "Vulnerability" last, and
        // "Controlled drug use and supply" (drugs) before "Disclosure".
        assert!(key.starts_with("CASE i.category WHEN 'abuse-of-authority' THEN 0 "));
        assert!(key.contains("WHEN 'drugs' THEN 2 WHEN 'disclosure' THEN 3 "));
        assert!(key.ends_with("WHEN 'vulnerability' THEN 11 END"));
        // Triage codes already sort as their labels do.
        assert_eq!(IntelligenceColumn::Triage.sql().sort_key(), "i.triage");
    }

    #[test]
    fn a_code_filter_matches_codes_and_labels() {
        let column = IntelligenceColumn::Category.sql();
        assert_eq!(column.filter("DRUG use").1, r#"["drugs"]"#);
        assert_eq!(column.filter("theft-").1, r#"["theft-fraud"]"#);
        assert_eq!(column.filter("zzz").1, "[]");
    }

    /// How SQLite would run a page of the intelligence list on an empty
    /// case file with every migration applied.
    fn plan(query: &ListQuery<IntelligenceColumn>) -> String {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::schema::migrations()
            .to_latest(&mut conn)
            .unwrap();
        let (sql, _) = page_sql(query);
        let viewer = Viewer {
            user_id: 1,
            sees_all: false,
        };
        let (limit, offset) = (50i64, 90_000i64);
        let params = with(&viewer, &[(":limit", &limit), (":offset", &offset)]);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(&params[..], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("\n")
    }

    #[test]
    fn the_intelligence_list_is_sorted_by_its_indexes() {
        use IntelligenceColumn as C;
        for (column, index) in [
            (C::Urn, "sqlite_autoindex_intelligence_1"),
            (C::Received, "intelligence_by_received"),
            (C::Source, "intelligence_by_source"),
            (C::Grading, "intelligence_by_grading"),
            (C::Category, "intelligence_by_category_label"),
            (C::Triage, "intelligence_by_triage"),
            (C::Summary, "intelligence_by_summary"),
        ] {
            for descending in [false, true] {
                let plan = plan(&ListQuery::sorted(column, descending));
                assert!(
                    plan.contains(&format!("SCAN i USING INDEX {index}"))
                        || plan.contains(&format!("SCAN i USING COVERING INDEX {index}")),
                    "{column:?} should be read in order from {index}:\n{plan}"
                );
                // Only the page itself, 50 rows, is sorted.
                assert_eq!(sorts(&plan), 1, "{column:?} sorts the list:\n{plan}");
            }
        }
        // The operation's codename is looked up row by row: no index can
        // serve it, and the whole list is sorted.
        let plan = plan(&ListQuery::sorted(C::Operation, false));
        assert_eq!(sorts(&plan), 2, "{plan}");
    }

    fn sorts(plan: &str) -> usize {
        plan.matches("USE TEMP B-TREE FOR ORDER BY").count()
    }

    #[test]
    fn every_column_has_a_heading() {
        for c in IntelligenceColumn::ALL {
            assert!(!c.label().is_empty());
        }
        for c in SubjectColumn::ALL {
            assert!(!c.label().is_empty());
        }
        for c in OperationColumn::ALL {
            assert!(!c.label().is_empty());
        }
    }
}
