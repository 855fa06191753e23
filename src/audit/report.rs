//! The two derived, non-authoritative files of an oversight export bundle:
//! `audit.csv` for spreadsheets and `report.html` for reading and printing.
//! Neither proves anything; `entries.jsonl` and the signed manifest do.
//! docs/oversight-export.md lists them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::Value;

use super::Event;
use crate::sanitise::{for_csv_cell, for_terminal};

/// The column order of `audit.csv`: the stored fields, in storage order.
pub const CSV_HEADER: [&str; 11] = [
    "seq",
    "at",
    "actor",
    "actor_roles",
    "action",
    "entity_type",
    "entity_ref",
    "outcome",
    "details",
    "prev_hash",
    "hash",
];

/// The label every report carries.
pub const NOT_AUTHORITATIVE: &str =
    "Derived from entries.jsonl; not authoritative \u{2014} verify with `ccu audit verify`";

/// Actions whose events are decisions.
const DECISION_ACTIONS: [&str; 4] = [
    "decision.record",
    "threshold.decide",
    "bid.decide",
    "intelligence.triage",
];

/// Fields of a decision's details shown in the decisions table, in order.
const DECISION_FIELDS: [&str; 4] = ["decision", "outcome", "after", "rationale"];

/// Longest one-line summary of details, in characters.
const SUMMARY_CHARS: usize = 240;

/// `audit.csv`: RFC 4180 (CRLF line ends, quoting where needed) with a
/// header row, every cell passed through [`for_csv_cell`]: control,
/// bidirectional and zero-width characters shown as [`for_terminal`] shows
/// them (a CR or LF inside a cell as `␍` or `␊`, so every record is one
/// line and `cat` of the file is safe), formula prefixes neutralised, and
/// otherwise exact. `entries.jsonl` is the exact text.
pub fn audit_csv(entries: &[Event]) -> Vec<u8> {
    let mut writer = CsvWriter::new(Vec::new()).expect("writing CSV to memory cannot fail");
    for e in entries {
        writer.push(e).expect("writing CSV to memory cannot fail");
    }
    writer.finish().expect("flushing CSV to memory cannot fail")
}

/// `audit.csv` (see [`audit_csv`]) written one entry at a time.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file with its header row.
    pub fn new(out: W) -> io::Result<Self> {
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        inner.write_record(CSV_HEADER.iter().map(|h| for_csv_cell(h).into_owned()))?;
        Ok(CsvWriter { inner })
    }

    pub fn push(&mut self, e: &Event) -> io::Result<()> {
        let seq = e.seq.to_string();
        let fields: [&str; 11] = [
            &seq,
            &e.at,
            &e.actor,
            &e.actor_roles,
            &e.action,
            &e.entity_type,
            &e.entity_ref,
            &e.outcome,
            &e.details,
            &e.prev_hash,
            &e.hash,
        ];
        for f in fields {
            self.inner.write_field(for_csv_cell(f).as_bytes())?;
        }
        // An empty record ends the one the fields were written into.
        self.inner.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes, and gives back the writer.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// `report.html`: one self-contained printable page (inline CSS, no
/// scripts, no external resources). Every piece of text taken from the
/// entries is made visible with [`for_terminal`] and then HTML-escaped.
pub fn report_html(title: &str, entries: &[Event]) -> String {
    let mut sorted: Vec<&Event> = entries.iter().collect();
    sorted.sort_by_key(|e| e.seq);
    let mut report =
        Report::new(rusqlite::Connection::open_in_memory().expect("an in-memory database opens"))
            .expect("a report starts in memory");
    for e in sorted {
        report.push(e).expect("a report row is written to memory");
    }
    let mut out = Vec::new();
    report
        .finish(title, &mut out)
        .expect("writing a report to memory cannot fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// The sections of the report that list events, in page order.
const TIMELINE: i64 = 0;
const DECISIONS: i64 = 1;
const AUTHORISATIONS: i64 = 2;
const DENIED: i64 = 3;

fn db(e: rusqlite::Error) -> io::Error {
    io::Error::other(e)
}

/// `report.html` built one entry at a time, so a trail of any length is
/// reported in flat memory: the summary and the counts are kept as the
/// entries pass (one count per user and per action), and each section's
/// rows, already rendered, go into a scratch SQLite database keyed by
/// section, operation and seq, which [`Report::finish`] reads back in
/// page order. The scratch database is the caller's: a file beside the
/// bundle (the same text as the bundle, removed after) or in memory.
pub struct Report {
    scratch: rusqlite::Connection,
    events: u64,
    denied: u64,
    seqs: Option<(i64, i64)>,
    first_at: Option<String>,
    last_at: Option<String>,
    by_user: BTreeMap<String, (u64, u64)>,
    by_action: BTreeMap<String, (u64, u64)>,
}

impl Report {
    pub fn new(scratch: rusqlite::Connection) -> io::Result<Self> {
        scratch
            .execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                 CREATE TABLE row (section INTEGER, key TEXT, seq INTEGER, html TEXT,
                                   PRIMARY KEY (section, key, seq)) WITHOUT ROWID;
                 BEGIN;",
            )
            .map_err(db)?;
        Ok(Report {
            scratch,
            events: 0,
            denied: 0,
            seqs: None,
            first_at: None,
            last_at: None,
            by_user: BTreeMap::new(),
            by_action: BTreeMap::new(),
        })
    }

    fn row(&self, section: i64, key: &str, seq: i64, html: &str) -> io::Result<()> {
        self.scratch
            .prepare_cached("INSERT OR IGNORE INTO row VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(rusqlite::params![section, key, seq, html]))
            .map_err(db)?;
        Ok(())
    }

    /// Takes in the next entry (entries come in seq order).
    pub fn push(&mut self, e: &Event) -> io::Result<()> {
        let denied = u64::from(e.outcome == "denied");
        self.events += 1;
        self.denied += denied;
        self.seqs = Some(match self.seqs {
            None => (e.seq, e.seq),
            Some((first, _)) => (first, e.seq),
        });
        if self.first_at.as_deref().is_none_or(|at| e.at.as_str() < at) {
            self.first_at = Some(e.at.clone());
        }
        if self.last_at.as_deref().is_none_or(|at| e.at.as_str() > at) {
            self.last_at = Some(e.at.clone());
        }
        for (map, key) in [
            (&mut self.by_user, &e.actor),
            (&mut self.by_action, &e.action),
        ] {
            let count = match map.get_mut(key) {
                Some(count) => count,
                None => map.entry(key.clone()).or_default(),
            };
            count.0 += 1;
            count.1 += denied;
        }

        let details = parse_details(e);
        let details = details.as_ref();
        let mut ops: Vec<&str> = Vec::new();
        if e.entity_type == "operation" {
            ops.push(&e.entity_ref);
        }
        if let Some(op) = details_operation(details) {
            ops.push(op);
        }
        if !ops.is_empty() {
            let mut html = String::new();
            event_row(&mut html, e, &[text(&details_summary(e, details))]);
            for op in ops {
                self.row(TIMELINE, op, e.seq, &html)?;
            }
        }
        let subject = || text(&format!("{} {}", e.entity_type, e.entity_ref));
        if DECISION_ACTIONS.contains(&e.action.as_str()) {
            let (decision, rationale) = match details {
                Some(Value::Object(map)) => {
                    let decision = DECISION_FIELDS
                        .iter()
                        .filter(|&&k| k != "rationale")
                        .filter_map(|&k| map.get(k).filter(|v| !v.is_null()).map(|v| (k, v)))
                        .map(|(k, v)| format!("{k}: {}", plain(v)))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let rationale = map.get("rationale").map(plain).unwrap_or_default();
                    (decision, rationale)
                }
                _ => (details_summary(e, details), String::new()),
            };
            let mut html = String::new();
            event_row(
                &mut html,
                e,
                &[subject(), text(&decision), text(&rationale)],
            );
            self.row(DECISIONS, "", e.seq, &html)?;
        }
        if e.action.starts_with("authorisation.") {
            let mut html = String::new();
            let summary = text(&details_summary(e, details));
            event_row(&mut html, e, &[subject(), summary]);
            self.row(AUTHORISATIONS, "", e.seq, &html)?;
        }
        if denied == 1 {
            let reason = match details.and_then(|v| v.get("reason")) {
                Some(r) => truncate(&plain(r), SUMMARY_CHARS),
                None => details_summary(e, details),
            };
            let mut html = String::new();
            event_row(&mut html, e, &[subject(), text(&reason)]);
            self.row(DENIED, "", e.seq, &html)?;
        }
        Ok(())
    }

    /// Writes the whole page to `out`.
    pub fn finish(self, title: &str, out: &mut impl Write) -> io::Result<()> {
        let title = text(title);
        let mut head = String::new();
        let _ = write!(
            head,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
             <h1>{title}</h1>\n<p class=\"label\">{}</p>\n",
            escape(NOT_AUTHORITATIVE)
        );
        self.summary(&mut head);
        self.counts(&mut head);
        out.write_all(head.as_bytes())?;

        self.scratch.execute_batch("COMMIT").map_err(db)?;
        let mut stmt = self
            .scratch
            .prepare("SELECT section, key, html FROM row ORDER BY section, key, seq")
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        // Each section's heading, and its table once it has a row.
        let headings: [(&str, &[&str]); 4] = [
            ("Timeline by operation", &[]),
            ("Decisions", &["Subject", "Decision", "Rationale"]),
            ("Authorisations", &["Subject", "Details"]),
            ("Denied attempts", &["Subject", "Reason"]),
        ];
        let mut section: i64 = -1;
        let mut key: Option<String> = None;
        let mut table_open = false;
        let mut buf = String::new();
        let close = |buf: &mut String, section: i64, table_open: bool| {
            if section < 0 {
                return;
            }
            if table_open {
                buf.push_str("</tbody>\n</table>\n");
            } else {
                none(buf);
            }
            buf.push_str("</section>\n");
        };
        let open = |buf: &mut String, section: i64| {
            let _ = write!(
                buf,
                "<section>\n<h2>{}</h2>\n",
                headings[section as usize].0
            );
        };
        loop {
            let row = rows.next().map_err(db)?;
            let next: Option<(i64, String, String)> = match row {
                Some(r) => Some((
                    r.get(0).map_err(db)?,
                    r.get(1).map_err(db)?,
                    r.get(2).map_err(db)?,
                )),
                None => None,
            };
            let next_section = next.as_ref().map_or(4, |n| n.0);
            // Sections with no rows at all still appear, saying so.
            while section < next_section {
                close(&mut buf, section, table_open);
                section += 1;
                table_open = false;
                key = None;
                if section < 4 {
                    open(&mut buf, section);
                }
            }
            let Some((_, row_key, html)) = next else {
                break;
            };
            if section == TIMELINE {
                if key.as_deref() != Some(row_key.as_str()) {
                    if table_open {
                        buf.push_str("</tbody>\n</table>\n");
                    }
                    let _ = writeln!(buf, "<h3>Operation {}</h3>", text(&row_key));
                    event_table_head(&mut buf, &["Details"]);
                    key = Some(row_key);
                    table_open = true;
                }
            } else if !table_open {
                event_table_head(&mut buf, headings[section as usize].1);
                table_open = true;
            }
            buf.push_str(&html);
            if buf.len() > 1 << 16 {
                out.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        let _ = write!(
            buf,
            "<footer><p class=\"label\">{}</p></footer>\n</body>\n</html>\n",
            escape(NOT_AUTHORITATIVE)
        );
        out.write_all(buf.as_bytes())
    }

    fn summary(&self, out: &mut String) {
        let seqs = match self.seqs {
            Some((a, b)) => format!("{a} to {b}"),
            None => "none".to_string(),
        };
        let _ = write!(
            out,
            "<section>\n<h2>Summary</h2>\n<dl>\n\
             <dt>Events</dt><dd>{}</dd>\n\
             <dt>Sequence numbers</dt><dd>{seqs}</dd>\n\
             <dt>First event</dt><dd>{}</dd>\n\
             <dt>Last event</dt><dd>{}</dd>\n\
             <dt>Denied</dt><dd>{}</dd>\n</dl>\n</section>\n",
            self.events,
            self.first_at
                .as_deref()
                .map_or_else(|| "none".to_string(), text),
            self.last_at
                .as_deref()
                .map_or_else(|| "none".to_string(), text),
            self.denied,
        );
    }

    fn counts(&self, out: &mut String) {
        for (heading, column, map) in [
            ("Events by user", "User", &self.by_user),
            ("Events by action", "Action", &self.by_action),
        ] {
            let _ = write!(out, "<section>\n<h2>{heading}</h2>\n");
            if map.is_empty() {
                out.push_str("<p class=\"none\">None.</p>\n</section>\n");
                continue;
            }
            let _ = write!(
                out,
                "<table>\n<thead><tr><th>{column}</th><th>Events</th><th>Denied</th></tr></thead>\n<tbody>\n"
            );
            for (key, (total, denied)) in map {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{total}</td><td class=\"n\">{denied}</td></tr>",
                    text(key)
                );
            }
            out.push_str("</tbody>\n</table>\n</section>\n");
        }
    }
}

const CSS: &str = "\
body{font-family:Georgia,'Times New Roman',serif;color:#000;background:#fff;\
margin:2em auto;max-width:60em;line-height:1.35}\
h1{font-size:1.6em;margin-bottom:.2em}\
h2{font-size:1.25em;border-bottom:1px solid #000;margin-top:1.6em}\
h3{font-size:1.05em;margin-bottom:.3em}\
.label{font-weight:bold;border:2px solid #000;padding:.4em .6em}\
table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.9em}\
th,td{border:1px solid #666;padding:.2em .4em;text-align:left;vertical-align:top}\
th{background:#eee}\
td{overflow-wrap:anywhere}\
td.n{text-align:right;white-space:nowrap}\
.none{font-style:italic}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\
dt{font-weight:bold}dd{margin:0}\
@media print{body{margin:0;max-width:none;font-size:10pt}\
h2,h3{break-after:avoid;page-break-after:avoid}\
tr{break-inside:avoid;page-break-inside:avoid}\
thead{display:table-header-group}\
th{background:#fff}}";

/// Escapes text for HTML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text, made visible and then escaped.
fn text(s: &str) -> String {
    escape(&for_terminal(s))
}

fn parse_details(e: &Event) -> Option<Value> {
    serde_json::from_str(&e.details).ok()
}

/// The `operation` string field of a details object, if any.
fn details_operation(details: Option<&Value>) -> Option<&str> {
    details?.get("operation")?.as_str()
}

/// A JSON value as short plain text: strings without quotes, the rest
/// as compact JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// At most `max` characters of `s`, with an ellipsis if cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}\u{2026}", &s[..i]),
        None => s.to_string(),
    }
}

/// One line about the details: `key: value; ...` for an object, the raw
/// text for anything that is not JSON. Returned unescaped.
fn details_summary(e: &Event, details: Option<&Value>) -> String {
    let line = match details {
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}: {}", plain(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None => e.details.clone(),
    };
    truncate(&line, SUMMARY_CHARS)
}

/// Opens a table of events with the given extra columns after the common
/// ones (seq, time, actor, action, outcome).
fn event_table_head(out: &mut String, extra: &[&str]) {
    out.push_str(
        "<table>\n<thead><tr><th>Seq</th><th>Time</th><th>Actor</th><th>Action</th><th>Outcome</th>",
    );
    for h in extra {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

/// One row: the common columns, then `extra` cells (already escaped).
fn event_row(out: &mut String, e: &Event, extra: &[String]) {
    let _ = write!(
        out,
        "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        e.seq,
        text(&e.at),
        text(&e.actor),
        text(&e.action),
        text(&e.outcome)
    );
    for cell in extra {
        let _ = write!(out, "<td>{cell}</td>");
    }
    out.push_str("</tr>\n");
}

fn none(out: &mut String) {
    out.push_str("<p class=\"none\">None.</p>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        seq: i64,
        actor: &str,
        action: &str,
        entity_type: &str,
        entity_ref: &str,
        outcome: &str,
        details: &str,
    ) -> Event {
        Event {
            seq,
            at: format!("2026-11-23T21:30:{:02}.000000Z", seq),
            actor: actor.into(),
            actor_roles: "investigator,supervisor".into(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_ref: entity_ref.into(),
            outcome: outcome.into(),
            details: details.into(),
            rows_hash: None,
            prev_hash: format!("{:064x}", seq - 1),
            hash: format!("{seq:064x}"),
        }
    }

    fn awkward() -> Vec<Event> {
        vec![
            event(
                1,
                "jokafor",
                "casefile.init",
                "casefile",
                "abc,def",
                "ok",
                "{}",
            ),
            event(
                2,
                "=HYPERLINK(\"x\",\"y\")",
                "login",
                "user",
                "+44 20 7946 0000",
                "denied",
                r#"{"reason":"bad password, \"twice\""}"#,
            ),
            event(
                3,
                "@SUM(A1)",
                "operation.open",
                "operation",
                "-KESTREL",
                "ok",
                "{\"note\":\"line one\\nline two\"}",
            ),
            event(
                4,
                "\tindented",
                "decision.record",
                "operation",
                "KESTREL",
                "ok",
                "multi\nline\r\nnot json, \"quoted\"",
            ),
            event(
                5,
                "\rcarriage",
                "view",
                "operation",
                "Zoë – Ωmega 🦅",
                "ok",
                r#"{"operation":"KESTREL"}"#,
            ),
            event(6, "", "user.add", "user", "\"quoted\"", "ok", "=1+1"),
        ]
    }

    fn fields(e: &Event) -> Vec<String> {
        vec![
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.actor_roles.clone(),
            e.action.clone(),
            e.entity_type.clone(),
            e.entity_ref.clone(),
            e.outcome.clone(),
            e.details.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ]
    }

    fn is_formula_start(s: &str) -> bool {
        s.starts_with(['=', '+', '-', '@', '\t', '\r'])
    }

    #[test]
    fn csv_round_trips_with_formulas_neutralised() {
        let events = awkward();
        let bytes = audit_csv(&events);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("valid CSV")).collect();
        assert_eq!(rows.len(), events.len() + 1);
        assert_eq!(rows[0].iter().collect::<Vec<_>>(), CSV_HEADER);
        for (row, e) in rows[1..].iter().zip(&events) {
            let original = fields(e);
            assert_eq!(row.len(), original.len());
            for (cell, field) in row.iter().zip(&original) {
                assert!(!is_formula_start(cell), "{cell:?}");
                assert!(
                    !cell.chars().any(crate::sanitise::is_hidden_or_control),
                    "{cell:?}"
                );
                let visible = for_terminal(field);
                if is_formula_start(&visible) {
                    assert_eq!(cell, format!("'{visible}"));
                } else {
                    assert_eq!(cell, visible);
                }
            }
        }
        // RFC 4180 record terminators, and a CR or LF only in them: every
        // record is one line.
        assert!(bytes.ends_with(b"\r\n"));
        let lines = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lines, events.len() + 1);
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), lines);
        assert_eq!(bytes.iter().filter(|&&b| b == b'\r').count(), lines);
        assert!(bytes.starts_with(b"seq,at,actor,actor_roles,action,entity_type,"));
    }

    #[test]
    fn csv_of_no_events_is_the_header() {
        assert_eq!(
            audit_csv(&[]),
            b"seq,at,actor,actor_roles,action,entity_type,entity_ref,outcome,details,prev_hash,hash\r\n"
        );
    }

    fn hostile() -> Vec<Event> {
        let mut events = awkward();
        events.push(event(
            7,
            "<script>alert(1)</script>",
            "intelligence.triage",
            "intelligence",
            "INT-1",
            "ok",
            r#"{"operation":"KESTREL","rationale":"<script src=x></script> \u001b[2J \u202e evil","after":{"triage":"linked"}}"#,
        ));
        events.push(event(
            8,
            "esc\u{1b}[31mred\u{202e}",
            "authorisation.grant",
            "authorisation",
            "AUTH-1",
            "ok",
            r#"{"operation":"HERON","after":"granted"}"#,
        ));
        events.push(event(
            9,
            "jokafor",
            "threshold.decide",
            "operation",
            "HERON",
            "ok",
            r#"{"proposal":1,"after":{"threshold":"met"},"rationale":"Sound reasons & more"}"#,
        ));
        events.push(event(
            10,
            "jokafor",
            "bid.decide",
            "bid",
            "BID-1",
            "denied",
            r#"{"reason":"not a supervisor"}"#,
        ));
        events
    }

    #[test]
    fn csv_is_safe_to_cat_with_hostile_text() {
        let mut events = hostile();
        events.push(event(
            11,
            "\u{1b}]0;pwned\u{7}\u{1b}[2J=cmd",
            "login",
            "user",
            "\u{1b}]0;pwned\u{7}\u{1b}[2J=cmd",
            "denied",
            "{\"reason\":\"no such account\",\"note\":\"\u{9b}\u{200b}\u{2028}\u{7f}\"}",
        ));
        let bytes = audit_csv(&events);
        let text = std::str::from_utf8(&bytes).unwrap();
        for (i, line) in text.split_terminator("\r\n").enumerate() {
            assert!(
                !line.chars().any(crate::sanitise::is_hidden_or_control),
                "line {i}: {line:?}"
            );
        }
        assert!(text.contains(",␛]0;pwned␇␛[2J=cmd,"), "{text}");
        assert!(text.contains("<U+009B><U+200B><U+2028>␡"), "{text}");
    }

    #[test]
    fn html_is_labelled_escaped_and_self_contained() {
        let html = report_html("Export <b>KESTREL</b>", &hostile());
        assert!(html.contains(&escape(NOT_AUTHORITATIVE)));
        assert!(html.contains("not authoritative"));
        assert!(html.contains("Export &lt;b&gt;KESTREL&lt;/b&gt;"));
        assert!(!html.contains("<b>"));
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{html}");
        assert!(lower.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!lower.contains("<link"));
        assert!(!lower.contains("http://"));
        assert!(!lower.contains("https://"));
        assert!(!lower.contains("url("));
        assert!(!html.contains('\u{1b}'));
        assert!(!html.contains('\u{202e}'));
        assert!(html.contains("esc\u{241b}[31mred&lt;U+202E&gt;"));
        assert!(html.contains("Sound reasons &amp; more"));
        // Nothing hidden slipped through anywhere.
        assert!(
            !html
                .chars()
                .filter(|&c| c != '\n')
                .any(crate::sanitise::is_hidden_or_control)
        );
    }

    fn section<'a>(html: &'a str, heading: &str) -> &'a str {
        let start = html.find(heading).expect(heading);
        let rest = &html[start..];
        let end = rest.find("</section>").expect("section ends");
        &rest[..end]
    }

    #[test]
    fn timeline_groups_an_operations_events_in_seq_order() {
        let html = report_html("t", &hostile());
        let timeline = section(&html, "<h2>Timeline by operation</h2>");
        let kestrel = timeline
            .split("<h3>")
            .find(|s| s.starts_with("Operation KESTREL</h3>"))
            .expect("KESTREL timeline");
        // Seq 4 (entity operation KESTREL), 5 (details.operation) and 7.
        let seqs: Vec<&str> = kestrel
            .split("<tr><td class=\"n\">")
            .skip(1)
            .map(|r| r.split('<').next().unwrap())
            .collect();
        assert_eq!(seqs, ["4", "5", "7"]);
        let heron = timeline
            .split("<h3>")
            .find(|s| s.starts_with("Operation HERON</h3>"))
            .expect("HERON timeline");
        assert!(heron.contains("authorisation.grant"));
        assert!(heron.contains("threshold.decide"));
        // Event 4's details are not JSON: shown as text on one line.
        assert!(kestrel.contains("multi\u{240a}line\u{240d}\u{240a}not json, &quot;quoted&quot;"));
        assert!(timeline.contains("Operation Zo\u{eb} \u{2013} \u{3a9}mega"));
    }

    #[test]
    fn counts_by_user_are_right() {
        let html = report_html("t", &hostile());
        let users = section(&html, "<h2>Events by user</h2>");
        assert!(
            users.contains("<tr><td>jokafor</td><td class=\"n\">3</td><td class=\"n\">1</td></tr>")
        );
        assert!(
            users
                .contains("<tr><td>@SUM(A1)</td><td class=\"n\">1</td><td class=\"n\">0</td></tr>")
        );
        assert!(users.contains(
            "<tr><td>=HYPERLINK(&quot;x&quot;,&quot;y&quot;)</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>"
        ));
        assert_eq!(users.matches("<tr><td>").count(), 8);
        let summary = section(&html, "<h2>Summary</h2>");
        assert!(summary.contains("<dt>Events</dt><dd>10</dd>"));
        assert!(summary.contains("<dt>Denied</dt><dd>2</dd>"));
        assert!(summary.contains("2026-11-23T21:30:01.000000Z"));
        assert!(summary.contains("2026-11-23T21:30:10.000000Z"));
    }

    #[test]
    fn decisions_authorisations_and_denials_are_listed() {
        let html = report_html("t", &hostile());
        let decisions = section(&html, "<h2>Decisions</h2>");
        assert!(decisions.contains("threshold.decide"));
        assert!(decisions.contains("intelligence.triage"));
        assert!(decisions.contains("after: {&quot;threshold&quot;:&quot;met&quot;}"));
        assert!(decisions.contains("<td>Sound reasons &amp; more</td>"));
        let auths = section(&html, "<h2>Authorisations</h2>");
        assert!(auths.contains("authorisation.grant"));
        assert!(!auths.contains("threshold.decide"));
        let denied = section(&html, "<h2>Denied attempts</h2>");
        assert!(denied.contains("<td>not a supervisor</td>"));
        assert!(denied.contains("bad password, &quot;twice&quot;"));
    }

    #[test]
    fn an_empty_trail_still_makes_a_page() {
        let html = report_html("empty", &[]);
        assert!(html.contains("<dt>Events</dt><dd>0</dd>"));
        assert!(html.contains("not authoritative"));
    }
}
