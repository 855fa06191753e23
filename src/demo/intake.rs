//! The people and the intelligence of the demo: subjects, and the
//! background intake that gives the intelligence list and its weekly chart
//! their shape.

use chrono::{Days, NaiveDate};

use super::Plan;
use crate::domain::intelligence::{Category, SourceType, TriageStatus};
use crate::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use crate::store;

pub(super) struct SubjectRow {
    pub(super) staff: &'static str,
    name: &'static str,
    rank: &'static str,
    employment: EmploymentType,
    department: &'static str,
    role: &'static str,
    vulnerable_contact: bool,
    vetting: VettingLevel,
    /// The vetting review date, in story days.
    review_day: Option<i64>,
    status: SubjectStatus,
}

macro_rules! subjects {
    ($( $staff:literal, $name:literal, $rank:literal, $emp:ident, $dept:literal, $role:literal,
        $vuln:literal, $vet:ident, $review:expr, $status:ident; )+) => {
        &[ $( SubjectRow {
            staff: $staff, name: $name, rank: $rank, employment: EmploymentType::$emp,
            department: $dept, role: $role, vulnerable_contact: $vuln,
            vetting: VettingLevel::$vet, review_day: $review, status: SubjectStatus::$status,
        }, )+ ]
    };
}

pub(super) const SUBJECTS: &[SubjectRow] = subjects! {
    // Subjects of the operations.
    "NS4127", "PS Gideon Thistlewaite", "Sergeant", Officer, "Custody, Northshire Central", "Custody sergeant", true, Nppv2, Some(410), Serving;
    "S20488", "Wendy Marchbank-Loame", "Grade 4", PoliceStaff, "Force Contact Centre", "Call handler", true, Nppv2, Some(300), Serving;
    "NS3902", "DC Felix Harrowgate", "Constable", Officer, "CID, Saltmere", "Detective constable", false, Nppv3, Some(520), Serving;
    "S31177", "Gareth Pennyfeather", "Grade 5", PoliceStaff, "Fleet Services", "Fuel card administrator", false, Nppv1, Some(220), Serving;
    "NS4780", "PC Ottilie Grimsdyke", "Constable", Officer, "Neighbourhood, Brinkmoor", "Neighbourhood officer", true, Nppv2, Some(380), RestrictedDuties;
    "NS2215", "Insp Roderick Falconbury", "Inspector", Officer, "Operations, Northshire HQ", "Licensing inspector", false, Management, Some(640), Serving;
    "NS6044", "PC Danny Wrenfield-Ayre", "Constable", Officer, "Roads Policing", "Roads policing officer", false, Nppv2, Some(250), Serving;
    "SC0712", "SC Lewis Amberley-Cole", "Special Constable", SpecialConstable, "Special Constabulary, Easthaven", "Special constable", true, Recruitment, Some(700), Serving;
    "NS3371", "DS Miriam Coldharbour", "Sergeant", Officer, "Public Protection Unit", "Investigating sergeant", true, Security, Some(460), Serving;
    "C90215", "Nathaniel Orrell-Vance", "Contractor", Contractor, "ICT Services (contracted)", "Network engineer", false, Nppv3, Some(180), Serving;
    "NS7120", "PC Amira Selbourne-Tey", "Constable", Officer, "Response, Saltmere", "Response officer", true, Recruitment, Some(800), Serving;
    "NS7288", "PC Jasper Kettlewell", "Student officer", Officer, "Student Officer Programme", "Student officer", true, Recruitment, Some(900), Serving;
    // Subjects of intelligence only.
    "NS5310", "PC Callum Brackenridge", "Constable", Officer, "Response, Easthaven", "Response officer", true, Recruitment, Some(560), Serving;
    "V0448", "Harriet Bellweather", "Volunteer", Volunteer, "Volunteer Police Cadets", "Cadet leader", true, Recruitment, Some(330), Serving;
    "S40221", "Colin Dunnock", "Grade 3", PoliceStaff, "Property Store, Northshire Central", "Property officer", false, Nppv1, Some(150), Serving;
    "NS5582", "PC Rhiannon Lutterworth", "Constable", Officer, "Response, Brinkmoor", "Response officer", true, Nppv2, Some(420), Serving;
    "NS4416", "PS Tobias Wendlebury", "Sergeant", Officer, "Response, Northshire Central", "Response sergeant", true, Nppv2, Some(610), Serving;
    "S28830", "Mark Ferncastle", "Grade 3", PoliceStaff, "Criminal Justice Unit", "Case file clerk", false, Nppv2, Some(270), Serving;
    "NS6690", "PC Jodie Hartswood", "Constable", Officer, "Neighbourhood, Saltmere", "Neighbourhood officer", true, CounterTerrorist, Some(350), Serving;
    "SC0930", "SC Owen Pryce-Lambert", "Special Constable", SpecialConstable, "Special Constabulary, Brinkmoor", "Special sergeant", true, Recruitment, Some(480), Serving;
    "C90311", "Eleni Stavrou-Pike", "Contractor", Contractor, "Custody Healthcare (contracted)", "Custody nurse", true, Nppv2, None, Left;
    "NS2988", "DS Victor Ashgrove", "Sergeant", Officer, "Economic Crime Unit", "Financial investigator", false, Nppv3, Some(390), Serving;
    "V0512", "Patrick Mulvenna-Hope", "Volunteer", Volunteer, "Rural Watch", "Rural watch volunteer", false, None, None, Serving;
    "NS7301", "PC Sienna Holbrook-Dane", "Constable", Officer, "Counter Terrorism Liaison", "Protective security officer", false, Developed, Some(730), Serving;
};

pub(super) fn subject_details(
    start: NaiveDate,
    staff: &str,
    status: Option<SubjectStatus>,
) -> store::Result<SubjectDetails> {
    let row = SUBJECTS
        .iter()
        .find(|s| s.staff == staff)
        .expect("every demo subject is in SUBJECTS");
    Ok(SubjectDetails::new(
        StaffNumber::parse(row.staff)?,
        row.name,
        row.rank,
        row.employment,
        row.department,
        row.role,
        row.vulnerable_contact,
        row.vetting,
        row.review_day.map(|d| start + Days::new(d as u64)),
        status.unwrap_or(row.status),
    )?)
}

// ---------------------------------------------------------------------------
// Intelligence.

pub(super) struct Item {
    pub(super) recorder: &'static str,
    pub(super) source: SourceType,
    pub(super) anonymous: bool,
    pub(super) grading: &'static str,
    pub(super) conditions: &'static str,
    pub(super) category: Category,
    pub(super) apsp: bool,
    pub(super) subjects: Vec<&'static str>,
    pub(super) summary: &'static str,
    pub(super) full_text: String,
    /// The named person it came from, if recorded.
    pub(super) source_person: &'static str,
}

/// An item about an operation, told in full.
#[allow(clippy::too_many_arguments)]
pub(super) fn item(
    recorder: &'static str,
    source: SourceType,
    grading: &'static str,
    conditions: &'static str,
    category: Category,
    apsp: bool,
    subjects: &'static [&'static str],
    summary: &'static str,
    full_text: &str,
) -> Item {
    Item {
        recorder,
        source,
        anonymous: false,
        grading,
        conditions,
        category,
        apsp,
        subjects: subjects.to_vec(),
        summary,
        full_text: full_text.to_owned(),
        source_person: "",
    }
}

/// Background intake: (story day, category, APSP, subject, summary).
#[rustfmt::skip]
const BACKGROUND: &[(i64, Category, bool, Option<&str>, &str)] = {
    use Category::*;
    &[
        (1, TheftFraud, false, None, "Cash recorded at a seizure differs from the cash booked into the property store"),
        (3, Infiltration, false, None, "Applicant's referee appears to be a known associate of an organised crime group"),
        (4, MisusingSystems, false, None, "Officer searched the records of a television presenter the day after a news story"),
        (6, Drugs, false, Some("NS6690"), "Officer reported to use cocaine at weekends with friends from a football club"),
        (8, Disclosure, false, None, "Officer posted photographs from a crime scene in a private messaging group"),
        (10, AbuseOfAuthority, true, None, "Officer said to have offered to make a traffic ticket go away in return for a date"),
        (11, SexualMisconduct, true, None, "Officer sent unsolicited messages to a woman he met at a road collision"),
        (13, Vulnerability, false, None, "Officer disclosed debts of over £40,000 in a welfare meeting"),
        (15, PervertingJustice, false, None, "Officer allegedly told a driver how to avoid a speeding prosecution"),
        (17, InappropriateAssociation, false, None, "Officer trains at a gym run by a man convicted of supplying steroids"),
        (19, Other, false, Some("NS5310"), "Undeclared secondary employment as a private hire driver"),
        (21, AssistOffender, false, None, "Officer allegedly warned a cousin that his flat was about to be searched"),
        (24, TheftFraud, false, Some("NS2988"), "Overtime claimed for shifts on which the officer was on annual leave"),
        (27, Infiltration, false, None, "Police staff applicant omitted a previous address linked to a drugs warrant"),
        (29, MisusingSystems, false, None, "Staff member viewed an incident log about her own neighbour's arrest"),
        (31, Disclosure, false, Some("S28830"), "Case file clerk suspected of telling a neighbour about a pending arrest"),
        (36, Drugs, false, Some("SC0930"), "Letter alleges a special constable supplies cannabis to friends"),
        (39, InappropriateAssociation, false, None, "Staff member's partner was released from prison last month; not declared"),
        (41, AbuseOfAuthority, false, Some("NS4416"), "Sergeant used a stop and search power on a neighbour during a boundary dispute"),
        (43, PervertingJustice, false, None, "Exhibit log entries amended after the exhibit was reported missing"),
        (45, Vulnerability, false, None, "Staff member reported to be gambling heavily on a phone during shifts"),
        (49, AssistOffender, false, None, "Custody detention officer said to pass messages between detainees"),
        (50, SexualMisconduct, false, Some("V0448"), "Volunteer cadet leader messaging a cadet on a personal social media account"),
        (51, TheftFraud, false, None, "Mileage claims for journeys the vehicle tracker does not show"),
        (52, Infiltration, false, Some("V0512"), "Rural watch volunteer repeatedly asked about the custody suite layout"),
        (52, AbuseOfAuthority, false, None, "Inspector said to have pressed staff to reclassify a reported crime"),
        (53, SexualMisconduct, false, None, "Officer said to be in a relationship with a witness in a live case"),
        (54, Drugs, false, None, "Drugs seized at a stop and search not booked into property"),
        (55, Disclosure, false, None, "Details of a domestic abuse call appeared on a community page within the hour"),
        (55, InappropriateAssociation, false, None, "Officer seen drinking after hours with a licensee under investigation"),
        (56, MisusingSystems, false, None, "Shared login detected: one account open at two stations at once"),
        (57, Disclosure, false, None, "Officer discussed a named suspect's bail conditions in a pub"),
        (58, MisusingSystems, false, Some("NS5582"), "Officer searched intelligence records on a family member after his arrest"),
        (59, PervertingJustice, false, None, "Officer suspected of discouraging a witness from giving a statement"),
        (60, Vulnerability, false, None, "Officer's partner arrested; officer said to be under pressure from the family"),
        (62, AssistOffender, false, None, "Staff member suspected of helping a wanted man avoid arrest"),
        (63, TheftFraud, false, Some("S40221"), "Property officer suspected of selling unclaimed bicycles online"),
        (66, Other, false, None, "Officer accepted hospitality from a supplier during a tender"),
        (71, Drugs, false, None, "Officer's car seen repeatedly outside an address subject to a drugs warrant"),
        (78, Infiltration, false, None, "Vetting flag: new recruit's partner has undisclosed convictions"),
        (79, AbuseOfAuthority, true, None, "Officer visited a vulnerable victim off duty and out of uniform"),
        (86, SexualMisconduct, false, Some("C90311"), "Contracted custody nurse reported for unwanted touching of a colleague"),
        (88, MisusingSystems, false, None, "Repeated vehicle-database checks on a car registered to a colleague's former partner"),
        (89, InappropriateAssociation, false, Some("NS7301"), "Officer follows several organised crime nominals on social media"),
        (92, Vulnerability, false, None, "Officer reported to be drinking heavily before early shifts"),
        (93, Disclosure, false, None, "A journalist appears to have seen an unpublished briefing note"),
        (96, AssistOffender, false, None, "Officer said to have stored a friend's stolen tools in his garage"),
        (99, PervertingJustice, false, None, "Body-worn video not switched on at three arrests by the same officer"),
        (102, TheftFraud, false, None, "Force purchase card used at a restaurant on the holder's rest day"),
        (103, Other, false, None, "Complaint with too little detail to identify anyone"),
        (107, AbuseOfAuthority, false, None, "Officer used a warrant card to ask for a discount in a shop"),
        (111, Infiltration, false, None, "Contractor badge used to enter headquarters out of hours with no booking"),
        (114, InappropriateAssociation, false, None, "Special constable is a director of a firm with a known money launderer"),
        (116, SexualMisconduct, true, None, "Woman reports an officer contacted her on social media after taking her statement"),
        (117, Vulnerability, false, None, "Staff member being blackmailed over intimate images"),
        (118, Drugs, false, None, "Random drugs test refused, then taken two days later"),
        (119, MisusingSystems, false, None, "Search of an ex-partner's address history flagged overnight"),
    ]
};

const GRADES: &[&str] = &[
    "2BP", "1AP", "3CP", "2CC", "1BP", "2DP", "3EP", "2BC", "1CP", "2AP", "3DP", "1BC", "2CP",
    "3BP", "2EP", "1AC",
];

const CONDITIONS: &[&str] = &[
    "Not to be shared outside PSD without the source handler's agreement",
    "Share with the vetting unit only",
    "Source protection: no disclosure to the subject's line management",
];

const SOURCES: &[SourceType] = &[
    SourceType::ConfidentialLine,
    SourceType::Colleague,
    SourceType::PartnerAgency,
    SourceType::PublicComplaint,
    SourceType::ConfidentialLine,
    SourceType::OtherForce,
    SourceType::Other,
];

fn background_item(
    i: usize,
    category: Category,
    apsp: bool,
    subject: Option<&'static str>,
    summary: &'static str,
) -> Item {
    let source = if category == Category::MisusingSystems {
        SourceType::IctMonitoring
    } else {
        SOURCES[i % SOURCES.len()]
    };
    let grading = GRADES[i % GRADES.len()];
    let conditions = if grading.ends_with('C') {
        CONDITIONS[i % CONDITIONS.len()]
    } else {
        ""
    };
    let how = match source {
        SourceType::ConfidentialLine => "Reported to the confidential reporting line.",
        SourceType::IctMonitoring => {
            "Raised by the ICT-monitoring software; the search log is attached to the alert."
        }
        SourceType::PartnerAgency => {
            "Passed on by a partner agency supporting the person concerned."
        }
        SourceType::Colleague => {
            "Reported in person by a colleague, who asked that their name be protected."
        }
        SourceType::PublicComplaint => "Received as a complaint from a member of the public.",
        SourceType::OtherForce => "Disseminated by a neighbouring force's counter corruption unit.",
        SourceType::Other => "Noticed during routine audit work in the department concerned.",
    };
    Item {
        recorder: if i.is_multiple_of(3) {
            "investigator"
        } else {
            "researcher"
        },
        source,
        anonymous: source == SourceType::ConfidentialLine && i.is_multiple_of(2),
        grading,
        conditions,
        category,
        apsp,
        subjects: subject.into_iter().collect(),
        summary,
        full_text: format!(
            "{summary}.\n\n{how} Fictional demonstration record: no real person or event is described."
        ),
        source_person: "",
    }
}

pub(super) fn plan_background(plan: &mut Plan) {
    const LABELS: [&str; 64] = [
        "bg0", "bg1", "bg2", "bg3", "bg4", "bg5", "bg6", "bg7", "bg8", "bg9", "bg10", "bg11",
        "bg12", "bg13", "bg14", "bg15", "bg16", "bg17", "bg18", "bg19", "bg20", "bg21", "bg22",
        "bg23", "bg24", "bg25", "bg26", "bg27", "bg28", "bg29", "bg30", "bg31", "bg32", "bg33",
        "bg34", "bg35", "bg36", "bg37", "bg38", "bg39", "bg40", "bg41", "bg42", "bg43", "bg44",
        "bg45", "bg46", "bg47", "bg48", "bg49", "bg50", "bg51", "bg52", "bg53", "bg54", "bg55",
        "bg56", "bg57", "bg58", "bg59", "bg60", "bg61", "bg62", "bg63",
    ];
    for (i, &(day, category, apsp, subject, summary)) in BACKGROUND.iter().enumerate() {
        let label = LABELS[i];
        let hour = 8 + (i as u32 * 5) % 8;
        plan.intel(
            label,
            (day, hour, (i as u32 * 7) % 60),
            background_item(i, category, apsp, subject, summary),
        );
        if day >= 117 {
            continue; // Still new: the meeting has not seen it yet.
        }
        let meeting = day + 1;
        let who = if i % 4 == 1 {
            "researcher"
        } else {
            "supervisor"
        };
        plan.triage(
            (meeting, 9, 40),
            who,
            label,
            TriageStatus::Assessed,
            None,
            "Graded and categorised at the daily intelligence meeting",
        );
        let (to, why) = match i % 7 {
            0 | 4 => (
                TriageStatus::NoFurtherAction,
                "Checked against duty records and systems: no misconduct or criminality disclosed",
            ),
            1 | 5 => (
                TriageStatus::Filed,
                "Not enough to act on alone; filed so that anything further can be linked to it",
            ),
            2 | 6 => (
                TriageStatus::Develop,
                "Specific and credible: research tasked to the intelligence desk",
            ),
            _ => continue, // Assessed only: awaiting the researcher's checks.
        };
        if day >= 112 && to != TriageStatus::Develop {
            continue;
        }
        plan.triage((meeting, 9, 45), who, label, to, None, why);
        if to == TriageStatus::Develop && day < 90 {
            let (later, why) = if i % 2 == 0 {
                (
                    TriageStatus::NoFurtherAction,
                    "Research complete: the account could not be corroborated and the subject's records are in order",
                )
            } else {
                (
                    TriageStatus::Filed,
                    "Research complete: partly corroborated but not enough to open an operation; filed",
                )
            };
            plan.triage((meeting + 14, 10, 0), "researcher", label, later, None, why);
        }
    }

    // An item whose text arrived with terminal control sequences and a
    // right-to-left override in it: the screens show them as placeholders.
    plan.intel(
        "sanitiser",
        (84, 11, 20),
        Item {
            recorder: "researcher",
            source: SourceType::PublicComplaint,
            anonymous: false,
            grading: "2DP",
            conditions: "",
            category: Category::Other,
            apsp: false,
            subjects: Vec::new(),
            summary: "Email to PSD claims an officer took a bribe; attachment named invoice_\u{202e}fdp.exe",
            source_person: "",
            full_text: "The email was pasted in as received.\n\n\u{1b}[31mURGENT: OPEN THE ATTACHMENT NOW\u{1b}[0m\n\nAttachment: invoice_\u{202e}fdp.exe (the name is written right to left after the underscore, so it looks like a PDF).\n\nNo officer is named. Passed to ICT security as a phishing attempt.".to_owned(),
        },
    );
    plan.triage(
        (85, 9, 40),
        "supervisor",
        "sanitiser",
        TriageStatus::Assessed,
        None,
        "Graded and categorised at the daily intelligence meeting",
    );
    plan.triage(
        (85, 9, 45),
        "supervisor",
        "sanitiser",
        TriageStatus::NoFurtherAction,
        None,
        "A phishing email, not a report of corruption: passed to ICT security",
    );
}
