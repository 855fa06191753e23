//! `ccu report KIND --json|--csv`: a register's rows for analysts, with
//! need-to-know applied as when the register is listed. Reading a report
//! is a consultation: the register logs it (a `view` of the report) before
//! it reads anything. The JSON field names are in docs/reports.md, and a
//! test holds the binary's output to them.

use std::io::Write;
use std::path::Path;

use clap::Subcommand;
use serde::Serialize;

use super::{AsUser, Failure, open, say_json};
use crate::exit::ExitCode;
use crate::store::{Actor, CaseFile};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Lessons learned from closed operations: where each went and what came back
    Lessons(ReportArgs),
    /// Subjects' risk assessments: score, breakdown, evidence and intervention
    Risk(ReportArgs),
    /// Partner agencies: their SPOCs, engagements, next contact and the intelligence each produced
    Partners(ReportArgs),
    /// The strategic threat assessment in priority order: scores and intelligence per quarter
    Threats(ReportArgs),
}

#[derive(Debug, clap::Args)]
#[group(id = "format", required = true, multiple = false)]
pub struct ReportArgs {
    /// As JSON: one object, `{ "report", "user", "generated_at", "rows": [...] }`
    #[arg(long, group = "format")]
    json: bool,
    /// As CSV (RFC 4180; cells safe to open in a spreadsheet)
    #[arg(long, group = "format")]
    csv: bool,
    #[command(flatten)]
    actor: AsUser,
}

/// A report's rows: what each is in JSON, and its lines in CSV.
pub(crate) trait ReportRows: Serialize {
    /// The CSV header.
    const COLUMNS: &'static [&'static str];
    /// The CSV lines of one row, each in [`Self::COLUMNS`] order (a row
    /// with parts, such as a lesson sent to several departments, is one
    /// line per part).
    fn lines(&self) -> Vec<Vec<String>>;
}

pub(super) fn run(
    path: &Path,
    command: ReportCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    match command {
        ReportCommand::Lessons(args) => {
            report(path, "lessons", &args, out, |c, a| c.lessons_report(a))
        }
        ReportCommand::Risk(args) => report(path, "risk", &args, out, |c, a| c.risk_report(a)),
        ReportCommand::Partners(args) => {
            report(path, "partners", &args, out, |c, a| c.partners_report(a))
        }
        ReportCommand::Threats(args) => {
            report(path, "threats", &args, out, |c, a| c.threats_report(a))
        }
    }
}

/// Opens the case file as the user, reads the report (which logs the
/// consultation) and prints it in the format asked for.
fn report<R: ReportRows>(
    path: &Path,
    name: &str,
    args: &ReportArgs,
    out: &mut impl Write,
    read: impl FnOnce(&mut CaseFile, &Actor) -> crate::store::Result<Vec<R>>,
) -> Result<ExitCode, Failure> {
    let (mut casefile, actor) = open(path, &args.actor)?;
    let rows = read(&mut casefile, &actor)?;
    if args.json {
        say_json(
            out,
            &serde_json::json!({
                "report": name,
                "user": actor.username().to_string(),
                "generated_at": crate::store::format_timestamp(chrono::Utc::now()),
                "rows": rows,
            }),
        )?;
    } else {
        let bytes = csv_of::<R>(&rows).map_err(|e| Failure {
            message: format!("cannot write CSV: {e}"),
            code: ExitCode::Failure,
        })?;
        out.write_all(&bytes).map_err(|e| Failure {
            message: format!("cannot write to standard output: {e}"),
            code: ExitCode::Failure,
        })?;
    }
    Ok(ExitCode::Ok)
}

/// RFC 4180 with CRLF, every cell neutralised for spreadsheets.
fn csv_of<R: ReportRows>(rows: &[R]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(R::COLUMNS)?;
    for row in rows {
        for line in row.lines() {
            debug_assert_eq!(line.len(), R::COLUMNS.len());
            let cells: Vec<String> = line
                .iter()
                .map(|c| crate::sanitise::for_csv_cell(c).into_owned())
                .collect();
            writer.write_record(&cells)?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

impl ReportRows for crate::store::registers::lessons::LessonReportRow {
    const COLUMNS: &'static [&'static str] = &[
        "operation",
        "operation_urn",
        "category",
        "closed_at",
        "outcome",
        "lessons",
        "department",
        "disseminated_on",
        "means",
        "recorded_by",
        "response",
    ];

    fn lines(&self) -> Vec<Vec<String>> {
        let head = [
            self.operation.clone(),
            self.operation_urn.clone(),
            self.category.clone(),
            self.closed_at.clone(),
            self.outcome.clone(),
            self.lessons.clone(),
        ];
        if self.disseminated.is_empty() {
            let mut line = head.to_vec();
            line.extend(std::iter::repeat_n(String::new(), 5));
            return vec![line];
        }
        self.disseminated
            .iter()
            .map(|d| {
                let mut line = head.to_vec();
                line.extend([
                    d.department.clone(),
                    d.on.clone(),
                    d.means.clone(),
                    d.recorded_by.clone(),
                    d.response.clone().unwrap_or_default(),
                ]);
                line
            })
            .collect()
    }
}

impl ReportRows for crate::store::registers::risk::RiskReportRow {
    const COLUMNS: &'static [&'static str] = &[
        "staff_number",
        "name",
        "matrix_version",
        "score",
        "benchmark",
        "at_or_over",
        "assessed_by",
        "assessed_at",
        "summary",
        "intervention",
        "intervention_rationale",
        "intervention_by",
        "characteristic",
        "weight",
        "note",
        "intelligence",
    ];

    /// One line per characteristic found (one line with those cells empty
    /// for an assessment where none applies).
    fn lines(&self) -> Vec<Vec<String>> {
        let head = [
            self.staff_number.clone(),
            self.name.clone(),
            self.matrix_version.to_string(),
            self.score.to_string(),
            self.benchmark.to_string(),
            self.at_or_over.to_string(),
            self.assessed_by.clone(),
            self.assessed_at.clone(),
            self.summary.clone(),
            self.intervention.clone().unwrap_or_default(),
            self.intervention_rationale.clone().unwrap_or_default(),
            self.intervention_by.clone().unwrap_or_default(),
        ];
        if self.findings.is_empty() {
            let mut line = head.to_vec();
            line.extend(std::iter::repeat_n(String::new(), 4));
            return vec![line];
        }
        self.findings
            .iter()
            .map(|f| {
                let mut line = head.to_vec();
                line.extend([
                    f.characteristic.clone(),
                    f.weight.to_string(),
                    f.note.clone(),
                    f.intelligence.join(" "),
                ]);
                line
            })
            .collect()
    }
}

impl ReportRows for crate::store::registers::partners::PartnerReportRow {
    const COLUMNS: &'static [&'static str] = &[
        "urn",
        "name",
        "type",
        "district",
        "spoc",
        "spoc_role",
        "spoc_email",
        "spoc_phone",
        "unit_spoc",
        "engagements",
        "last_contact_on",
        "next_contact_due",
        "intelligence_count",
        "intelligence",
        "added_at",
    ];

    /// One line per partner: its current SPOC, how many engagements, and
    /// the references of the intelligence it produced, space-separated.
    fn lines(&self) -> Vec<Vec<String>> {
        let spoc = self.spocs.first();
        let of =
            |f: fn(&crate::store::registers::partners::PartnerReportSpoc) -> Option<String>| {
                spoc.and_then(f).unwrap_or_default()
            };
        vec![vec![
            self.urn.clone(),
            self.name.clone(),
            self.kind.clone(),
            self.district.clone(),
            of(|s| Some(s.name.clone())),
            of(|s| Some(s.role.clone())),
            of(|s| s.email.clone()),
            of(|s| s.phone.clone()),
            self.unit_spoc.clone().unwrap_or_default(),
            self.engagements.len().to_string(),
            self.last_contact_on.clone().unwrap_or_default(),
            self.next_contact_due.clone(),
            self.intelligence.len().to_string(),
            self.intelligence.join(" "),
            self.added_at.clone(),
        ]]
    }
}

impl ReportRows for crate::store::registers::threats::ThreatReportRow {
    const COLUMNS: &'static [&'static str] = &[
        "rank",
        "reference",
        "category",
        "theme",
        "version",
        "harm",
        "likelihood",
        "confidence",
        "capacity",
        "risk",
        "score",
        "owner",
        "next_review",
        "reviewed_by",
        "reviewed_at",
        "quarter",
        "items",
    ];

    /// One line per quarter counted.
    fn lines(&self) -> Vec<Vec<String>> {
        let head = [
            self.rank.to_string(),
            self.reference.clone(),
            self.category.clone(),
            self.theme.clone(),
            self.version.to_string(),
            self.harm.to_string(),
            self.likelihood.to_string(),
            self.confidence.clone(),
            self.capacity.to_string(),
            self.risk.to_string(),
            self.score.to_string(),
            self.owner.clone(),
            self.next_review.clone(),
            self.reviewed_by.clone(),
            self.reviewed_at.clone(),
        ];
        self.volume
            .iter()
            .map(|v| {
                let mut line = head.to_vec();
                line.extend([v.quarter.clone(), v.items.to_string()]);
                line
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::registers::lessons::{LessonReportDissemination, LessonReportRow};

    fn lesson(lessons: &str, sent: &[&str]) -> LessonReportRow {
        LessonReportRow {
            operation: "KESTREL".into(),
            operation_urn: "OP-2026-0001".into(),
            category: "abuse-of-authority".into(),
            closed_at: "2026-11-02T10:00:00.000000Z".into(),
            outcome: "Gross misconduct proven".into(),
            lessons: lessons.into(),
            disseminated: sent
                .iter()
                .map(|d| LessonReportDissemination {
                    department: (*d).into(),
                    on: "2026-11-04".into(),
                    means: "briefing".into(),
                    recorded_by: "sup".into(),
                    response: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_lesson_is_one_line_per_department_and_formulas_are_neutralised() {
        let rows = [
            lesson(
                "=HYPERLINK(\"http://x\")\nsecond line",
                &["Custody", "@Finance"],
            ),
            lesson("Audit access monthly", &[]),
        ];
        let text = String::from_utf8(csv_of(&rows).unwrap()).unwrap();
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0].split(',').count(), 11);
        assert!(
            lines[1].contains("\"'=HYPERLINK(\"\"http://x\"\")␊second line\""),
            "{text}"
        );
        assert!(lines[1].contains(",Custody,"), "{text}");
        assert!(lines[2].contains(",'@Finance,"), "{text}");
        assert!(lines[3].ends_with("Audit access monthly,,,,,"), "{text}");
    }
}
