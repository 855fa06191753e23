//! Partner agencies: the organisations that support vulnerable people
//! (seed 003) and whose single points of contact (SPOCs) the unit keeps in
//! regular touch with (seed 000: "identifying SPOCs within each
//! organisation for ongoing and regular contact"). Each organisation has
//! a type and a district, its own SPOC (replaced, never overwritten), the
//! unit's SPOC for it, a log of engagements, and the next contact due.

use chrono::{Days, NaiveDate};

use super::InvalidInput;
use super::codes::code_list;
use super::permission::Declared;
use super::role::Role::{Investigator, Supervisor};
use super::text;

/// Keeping the register: adding an organisation, its SPOCs, engagements
/// and the intelligence it produced.
pub const MANAGE: Declared = Declared::case_write(
    "keep the register of partner agencies",
    &[Investigator, Supervisor],
);

/// The next contact is due this many days after an engagement, unless the
/// engagement sets its own date.
pub const CONTACT_EVERY_DAYS: u64 = 90;

/// A new organisation's first contact is due this many days after it is
/// added.
pub const FIRST_CONTACT_DAYS: u64 = 28;

/// The furthest ahead a next contact may be set: two years.
pub const MOST_DAYS_TO_NEXT: u64 = 731;

/// An organisation's name, a person's name or role, a district.
pub const NAME_CHARS: usize = 120;

/// An engagement's summary.
pub const SUMMARY_CHARS: usize = 2_000;

code_list! {
    /// What kind of organisation a partner is.
    pub enum PartnerType ("type") {
        Sarc = "sarc", "Sexual assault referral centre";
        DomesticAbuse = "domestic-abuse", "Domestic abuse service";
        Refuge = "refuge", "Refuge";
        Safeguarding = "safeguarding", "Local authority safeguarding";
        Health = "health", "Health";
        Education = "education", "Education";
        DrugAlcohol = "drug-alcohol", "Drug and alcohol service";
        SexWorkerSupport = "sex-worker-support", "Sex worker support";
        Charity = "charity", "Charity";
        Other = "other", "Other";
    }
}

code_list! {
    /// What an engagement with a partner was.
    pub enum EngagementKind ("kind") {
        Meeting = "meeting", "Meeting";
        Briefing = "briefing", "Briefing";
        ReferralReceived = "referral-received", "Referral received";
        Call = "call", "Call";
        Training = "training", "Training";
        Other = "other", "Other";
    }
}

/// A partner organisation as added to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartner {
    pub name: String,
    pub kind: PartnerType,
    pub district: String,
}

impl NewPartner {
    pub fn new(name: &str, kind: PartnerType, district: &str) -> Result<NewPartner, InvalidInput> {
        Ok(NewPartner {
            name: text::line("name", name, NAME_CHARS)?,
            kind,
            district: text::line("district", district, NAME_CHARS)?,
        })
    }
}

/// A partner's single point of contact: who, their role there, and how to
/// reach them (an email address, a UK telephone number, or both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spoc {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Spoc {
    pub fn new(name: &str, role: &str, email: &str, phone: &str) -> Result<Spoc, InvalidInput> {
        let name = text::line("SPOC", name, NAME_CHARS)?;
        let role = if role.trim().is_empty() {
            String::new()
        } else {
            text::line("role", role, NAME_CHARS)?
        };
        let email = (!email.trim().is_empty())
            .then(|| email_address(email))
            .transpose()?;
        let phone = (!phone.trim().is_empty())
            .then(|| uk_phone(phone))
            .transpose()?;
        if email.is_none() && phone.is_none() {
            return Err(InvalidInput::new(
                "email",
                "give an email address or a telephone number to reach the SPOC by",
            ));
        }
        Ok(Spoc {
            name,
            role,
            email,
            phone,
        })
    }
}

/// An email address of the plain shape `name@domain.tld`: one `@`, no
/// spaces, a dot in the domain, at most 254 characters.
pub fn email_address(text: &str) -> Result<String, InvalidInput> {
    let email = text.trim();
    let bad = |why: &str| InvalidInput::new("email", format!("'{email}' {why}"));
    if email.chars().count() > 254 {
        return Err(InvalidInput::new(
            "email",
            "is longer than an email address can be (254 characters)",
        ));
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || crate::sanitise::is_hidden_or_control(c))
    {
        return Err(bad("has spaces or hidden characters in it"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("is not an email address: it has no @"));
    };
    let labels: Vec<&str> = domain.split('.').collect();
    if local.is_empty()
        || domain.contains('@')
        || labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
        || !domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(bad("is not an email address like name@example.org.uk"));
    }
    Ok(email.to_owned())
}

/// A UK telephone number: `0` and ten digits (or nine, for a few old
/// numbers), or the same after `+44`; spaces, hyphens and brackets are
/// allowed between digits. Kept as written, trimmed.
pub fn uk_phone(text: &str) -> Result<String, InvalidInput> {
    let phone = text.trim();
    let bad = || {
        InvalidInput::new(
            "phone",
            format!("'{phone}' is not a UK telephone number like 01632 960 123 or +44 1632 960123"),
        )
    };
    if phone.chars().count() > 24
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'))
        || phone.rfind('+').is_some_and(|at| at != 0)
    {
        return Err(bad());
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = match phone.strip_prefix('+') {
        Some(_) => match digits.strip_prefix("44") {
            Some(rest) if !rest.starts_with('0') => format!("0{rest}"),
            _ => return Err(bad()),
        },
        None => digits,
    };
    if !national.starts_with('0') || !(10..=11).contains(&national.len()) {
        return Err(bad());
    }
    Ok(phone.to_owned())
}

/// One engagement with a partner: on which day, what kind, what was said,
/// and when the next contact is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    pub on: NaiveDate,
    pub kind: EngagementKind,
    pub summary: String,
    pub next_due: NaiveDate,
}

impl Engagement {
    /// `next_due`, when not given, is [`CONTACT_EVERY_DAYS`] after `on`.
    pub fn new(
        on: NaiveDate,
        kind: EngagementKind,
        summary: &str,
        next_due: Option<NaiveDate>,
    ) -> Result<Engagement, InvalidInput> {
        let next_due = next_due.unwrap_or(on + Days::new(CONTACT_EVERY_DAYS));
        let shown = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        if next_due <= on {
            return Err(InvalidInput::new(
                "next contact due",
                format!(
                    "{} is not after the engagement on {}",
                    shown(next_due),
                    shown(on)
                ),
            ));
        }
        if next_due > on + Days::new(MOST_DAYS_TO_NEXT) {
            return Err(InvalidInput::new(
                "next contact due",
                format!(
                    "{} is more than two years after the engagement on {}",
                    shown(next_due),
                    shown(on)
                ),
            ));
        }
        Ok(Engagement {
            on,
            kind,
            summary: text::required("summary", summary, SUMMARY_CHARS)?,
            next_due,
        })
    }

    /// Refused when dated after today.
    pub fn check_date(&self, today: NaiveDate) -> Result<(), InvalidInput> {
        if self.on > today {
            return Err(InvalidInput::new(
                "on",
                format!("{} is in the future", self.on.format("%d/%m/%Y")),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn email_addresses_have_the_plain_shape() {
        for good in ["a.spoc@refuge.org.uk", " j_smith+ccu@nhs.net ", "x@a-b.co"] {
            assert_eq!(email_address(good).unwrap(), good.trim(), "{good}");
        }
        for bad in [
            "no-at-sign",
            "@refuge.org.uk",
            "a@nodot",
            "a@b..uk",
            "a@b@c.uk",
            "a b@c.uk",
            "a@c.uk\u{202e}",
            "a@exa_mple.uk",
        ] {
            let e = email_address(bad).unwrap_err();
            assert_eq!(e.field, "email", "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(email_address(&long).unwrap_err().message.contains("254"));
    }

    #[test]
    fn phone_numbers_are_uk_numbers() {
        for good in [
            "01632 960123",
            "(01632) 960 123",
            "+44 1632 960123",
            "07700-900123",
            "0800 123 456",
        ] {
            assert_eq!(uk_phone(good).unwrap(), good, "{good}");
        }
        for bad in [
            "1632 960123",
            "+44 01632 960123",
            "+1 555 0100",
            "0163",
            "016329601234567",
            "01632 96O123",
            "0163+2960123",
            "999",
        ] {
            let e = uk_phone(bad).unwrap_err();
            assert_eq!(e.field, "phone", "{bad}");
            assert!(e.message.contains("is not a UK telephone number"), "{bad}");
        }
    }

    #[test]
    fn a_spoc_needs_a_name_and_a_way_to_reach_them() {
        let s = Spoc::new(" Dana Whitlow ", "", "", "01632 960123").unwrap();
        assert_eq!((s.name.as_str(), s.role.as_str()), ("Dana Whitlow", ""));
        assert_eq!(s.email, None);
        assert_eq!(Spoc::new("", "", "a@b.uk", "").unwrap_err().field, "SPOC");
        let none = Spoc::new("Dana", "Manager", " ", "").unwrap_err();
        assert_eq!(none.field, "email");
        assert!(none.message.contains("telephone"));
        assert_eq!(
            Spoc::new("Dana", "Line\nbreak", "a@b.uk", "")
                .unwrap_err()
                .field,
            "role"
        );
    }

    #[test]
    fn an_engagement_sets_the_next_contact_due() {
        let e = Engagement::new(day(3, 11), EngagementKind::Meeting, "Quarterly", None).unwrap();
        assert_eq!(e.next_due, day(1, 2).with_year(2027).unwrap());
        let set =
            Engagement::new(day(3, 11), EngagementKind::Call, "Call", Some(day(17, 11))).unwrap();
        assert_eq!(set.next_due, day(17, 11));
        let same = Engagement::new(day(3, 11), EngagementKind::Call, "x", Some(day(3, 11)));
        assert_eq!(
            same.unwrap_err().message,
            "03/11/2026 is not after the engagement on 03/11/2026"
        );
        let far = Engagement::new(
            day(3, 11),
            EngagementKind::Call,
            "x",
            Some(day(3, 11).with_year(2029).unwrap()),
        );
        assert!(far.unwrap_err().message.contains("two years"));
        assert_eq!(
            Engagement::new(day(3, 11), EngagementKind::Call, " ", None)
                .unwrap_err()
                .field,
            "summary"
        );
        assert!(e.check_date(day(3, 11)).is_ok());
        assert_eq!(
            e.check_date(day(2, 11)).unwrap_err().message,
            "03/11/2026 is in the future"
        );
    }

    use chrono::Datelike;
}
