//! The risk matrix at work: the custody sergeant of KESTREL is assessed
//! from the refuge's report and the systems audit, reassessed as the
//! anonymous call adds to the pattern, and his supervisor's intervention
//! is recorded; the matrix is reweighed once; the special constable of
//! SISKIN is assessed at or over the benchmark and waits in the queue.

use crate::demo::Plan;
use crate::domain::risk::{Characteristic, Finding, Intervention, Revision};
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::store::registers::risk::Command as Risk;

pub(super) fn assessments(plan: &mut Plan) {
    // (day, subject, [(characteristic, intelligence labels, note)], summary)
    type Found = (&'static str, &'static [&'static str], &'static str);
    let steps: [(i64, &str, &[Found], &str); 3] = [
        (
            5,
            "NS4127",
            &[
                (
                    "victim-contact",
                    &["k1"],
                    "messages to a woman after her release from custody, asking to meet",
                ),
                (
                    "system-searches",
                    &["k2"],
                    "custody and local system searches on detainees with no booking purpose",
                ),
                (
                    "unsupervised-access",
                    &[],
                    "custody sergeant on nights, often the only supervisor in the suite",
                ),
            ],
            "Two weighty characteristics backed by intelligence and the audit; opportunity in the role.",
        ),
        (
            26,
            "NS4127",
            &[
                (
                    "victim-contact",
                    &["k1", "k3"],
                    "the anonymous caller describes a second woman contacted the same way",
                ),
                ("system-searches", &["k2"], "as before"),
                (
                    "unsupervised-access",
                    &[],
                    "still on nights in the custody suite",
                ),
                (
                    "earlier-reports",
                    &["k3"],
                    "the caller says it has happened before, over years",
                ),
            ],
            "The pattern repeats with a second woman: higher than at the first assessment.",
        ),
        (
            110,
            "SC0712",
            &[
                (
                    "victim-contact",
                    &["si1"],
                    "more than 40 messages to a domestic abuse victim met on a call",
                ),
                (
                    "social-media",
                    &["si1"],
                    "asked to meet 'off the record' by private message",
                ),
                (
                    "avoids-oversight",
                    &[],
                    "special constable attending alone outside his usual area",
                ),
            ],
            "At the benchmark on the adviser's report alone; for the supervisor.",
        ),
    ];
    for (day, staff, found, summary) in steps {
        plan.cmd((day, 14, 0), "supervisor", move |b| {
            let mut findings = Vec::new();
            for (code, labels, note) in found {
                let refs: Vec<String> = labels
                    .iter()
                    .map(|l| b.urn(l).map(|u| u.to_string()))
                    .collect::<crate::store::Result<_>>()?;
                findings.push(Finding::parse(code, &format!("{} {note}", refs.join(" ")))?);
            }
            Ok(Risk::Assess {
                staff_number: StaffNumber::parse(staff)?,
                findings,
                summary: summary.to_owned(),
            }
            .into())
        });
    }
    plan.cmd((6, 10, 0), "supervisor", |_| {
        Ok(Risk::Intervene {
            staff_number: StaffNumber::parse("NS4127")?,
            intervention: Intervention::CovertMethods,
            rationale: Rationale::new(
                "rationale",
                "A management discussion would alert him to an investigation already open (KESTREL). The threshold for covert methods is proposed on the operation.",
            )?,
        }
        .into())
    });
    plan.cmd((27, 9, 0), "supervisor", |_| {
        Ok(Risk::Intervene {
            staff_number: StaffNumber::parse("NS4127")?,
            intervention: Intervention::RestrictedDuties,
            rationale: Rationale::new(
                "rationale",
                "Moved off custody to restricted duties with no contact with detainees while the investigation continues; covert methods already authorised on KESTREL.",
            )?,
        }
        .into())
    });
    plan.cmd((60, 11, 0), "supervisor", |_| {
        Ok(Risk::ReviseMatrix {
            revision: Revision::Set(Characteristic::new(
                "avoids-oversight",
                "Working that avoids oversight",
                "Body-worn video not used, visits not logged, or attending calls outside one's own area or role without reason. Reweighed: in KESTREL and earlier cases it came with contact with victims.",
                3,
            )?),
            reason: Rationale::new(
                "reason",
                "The force's review of earlier cases found avoiding oversight alongside most unnecessary contact with victims: weight 2 to 3.",
            )?,
        }
        .into())
    });
}
