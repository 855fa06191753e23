//! The partner agencies the unit keeps in touch with (seed 000: a list
//! from each district safeguarding unit, with SPOCs for regular contact;
//! seed 003: partners supporting vulnerable people): their SPOCs, one
//! replaced; the engagements, one partner overdue a contact; and the
//! items the refuge and the domestic abuse service passed on, linked to
//! them. Every organisation, person, address and number is invented
//! (the telephone numbers are in the ranges set aside for drama).

use super::super::Plan;
use crate::domain::account::Username;
use crate::domain::partner::{Engagement, EngagementKind, NewPartner, PartnerType, Spoc};
use crate::domain::urn::UrnKind;
use crate::store::registers::partners::{Command as Partners, PartnerRef};

type Contact = (&'static str, &'static str, &'static str, &'static str);

/// (label, day added, name, type, district, SPOC, the unit's SPOC)
const PARTNERS: &[(&str, i64, &str, PartnerType, &str, Contact, &str)] = &[
    (
        "refuge",
        1,
        "Easthaven Women's Refuge",
        PartnerType::Refuge,
        "Easthaven",
        (
            "Dana Whitlow",
            "Safeguarding lead",
            "d.whitlow@easthaven-refuge.example",
            "01632 960 118",
        ),
        "investigator",
    ),
    (
        "sarc",
        1,
        "The Lantern Sexual Assault Referral Centre",
        PartnerType::Sarc,
        "Northshire Central",
        (
            "Dr Ama Okonjo-Reed",
            "Clinical lead",
            "referrals@lantern-sarc.example",
            "",
        ),
        "researcher",
    ),
    (
        "harbour",
        1,
        "Harbour Lights Project",
        PartnerType::SexWorkerSupport,
        "Portmere",
        (
            "Kit Ravensworth",
            "Outreach coordinator",
            "",
            "07700 900 461",
        ),
        "researcher",
    ),
    (
        "westmoor",
        1,
        "Westmoor Domestic Abuse Service",
        PartnerType::DomesticAbuse,
        "Westmoor",
        (
            "Bernadette Oyelaran",
            "IDVA service manager",
            "b.oyelaran@westmoor-das.example",
            "01632 960 342",
        ),
        "investigator",
    ),
    (
        "recovery",
        30,
        "Northshire Recovery Partnership",
        PartnerType::DrugAlcohol,
        "Northshire Central",
        (
            "Tomasz Greenhalgh",
            "Service manager",
            "t.greenhalgh@ns-recovery.example",
            "",
        ),
        "",
    ),
    (
        "council",
        100,
        "Northshire Council Adult Safeguarding",
        PartnerType::Safeguarding,
        "Northshire Central",
        (
            "Glenys Marchbanks",
            "Safeguarding Adults Board manager",
            "sab@northshire-council.example",
            "01632 960 900",
        ),
        "supervisor",
    ),
];

/// (label, day, kind, summary, next contact due: days on, or the default)
const ENGAGEMENTS: &[(&str, i64, EngagementKind, &str, Option<i64>)] = &[
    (
        "refuge",
        2,
        EngagementKind::ReferralReceived,
        "Support worker passed on a resident's account of messages from a custody sergeant; agreed the refuge will be told before anyone approaches her.",
        Some(14),
    ),
    (
        "refuge",
        16,
        EngagementKind::Call,
        "Update call: the resident is safe and has moved on; the refuge asked how to pass on anything further without the resident being named.",
        None,
    ),
    (
        "sarc",
        20,
        EngagementKind::Briefing,
        "Briefed the SARC's crisis workers on abuse of position for a sexual purpose: what to look for when the person who harmed a client is a police officer, and how to reach the unit.",
        Some(105),
    ),
    (
        "harbour",
        22,
        EngagementKind::Meeting,
        "Met outreach staff at the drop-in: women reported that some officers ask for 'favours' to look the other way; agreed a route for anonymous reports.",
        None,
    ),
    (
        "recovery",
        45,
        EngagementKind::Meeting,
        "First meeting with the service manager: keyworkers hear of officers supplying or taking drugs with clients; agreed they pass concerns to the unit's SPOC.",
        None,
    ),
    (
        "westmoor",
        40,
        EngagementKind::Training,
        "Joint session for IDVAs on recognising officers who contact victims after attending a call.",
        None,
    ),
    (
        "westmoor",
        108,
        EngagementKind::ReferralReceived,
        "IDVA reported a special constable messaging a victim he met on duty; the victim's safety plan was reviewed the same day.",
        Some(14),
    ),
    (
        "refuge",
        104,
        EngagementKind::Meeting,
        "Quarterly meeting with the new safeguarding lead: introductions, and the refuge's referral route to the unit confirmed.",
        None,
    ),
];

pub(super) fn work(plan: &mut Plan) {
    for &(label, day, name, kind, district, (spoc, role, email, phone), ours) in PARTNERS {
        plan.keep(
            (day, 9, 30),
            "supervisor",
            label,
            UrnKind::Partner,
            move |_| {
                Ok(Partners::Add {
                    partner: NewPartner::new(name, kind, district)?,
                    spoc: Some(Spoc::new(spoc, role, email, phone)?),
                    unit_spoc: (!ours.is_empty())
                        .then(|| Username::parse(ours))
                        .transpose()?,
                }
                .into())
            },
        );
    }
    // The refuge's safeguarding lead moves on; her successor is named.
    plan.cmd((95, 11, 0), "investigator", |b| {
        Ok(Partners::ReplaceSpoc {
            partner: b.urn("refuge")?,
            spoc: Spoc::new(
                "Priya Anand",
                "Safeguarding lead",
                "p.anand@easthaven-refuge.example",
                "01632 960 118",
            )?,
        }
        .into())
    });
    for &(label, day, kind, summary, next) in ENGAGEMENTS {
        let on = plan.date(day);
        let next = next.map(|n| plan.date(day + n));
        plan.cmd((day, 15, 0), "investigator", move |b| {
            Ok(Partners::RecordEngagement {
                partner: b.urn(label)?,
                engagement: Engagement::new(on, kind, summary, next)?,
            }
            .into())
        });
    }
    // What the refuge and the domestic abuse service passed on, linked to them.
    for (day, partner, item) in [(3, "refuge", "k1"), (109, "westmoor", "si1")] {
        plan.cmd((day, 16, 0), "supervisor", move |b| {
            Ok(Partners::LinkIntelligence {
                partner: PartnerRef::Urn(b.urn(partner)?),
                intelligence: b.urn(item)?,
            }
            .into())
        });
    }
}
