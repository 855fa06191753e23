//! Unique reference numbers that people quote, such as `INT-2026-00042`.
//! Numbers run per kind and UK calendar year and are never reused.

use std::fmt;

use super::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrnKind {
    Intelligence,
    Operation,
    Bid,
    Authorisation,
    Referral,
    /// A request for access that a head of unit approves or declines.
    AccessRequest,
    /// A partner agency in the register of partners.
    Partner,
}

impl UrnKind {
    pub fn prefix(self) -> &'static str {
        match self {
            UrnKind::Intelligence => "INT",
            UrnKind::Operation => "OP",
            UrnKind::Bid => "BID",
            UrnKind::Authorisation => "AUTH",
            UrnKind::Referral => "REF",
            UrnKind::AccessRequest => "ACR",
            UrnKind::Partner => "ORG",
        }
    }

    fn digits(self) -> usize {
        match self {
            UrnKind::Intelligence => 5,
            UrnKind::Operation
            | UrnKind::Bid
            | UrnKind::Authorisation
            | UrnKind::Referral
            | UrnKind::AccessRequest
            | UrnKind::Partner => 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Urn {
    pub kind: UrnKind,
    pub year: i32,
    pub number: u32,
}

impl Urn {
    pub fn parse(kind: UrnKind, text: &str) -> Result<Urn, InvalidInput> {
        let upper = text.trim().to_uppercase();
        let bad = || {
            InvalidInput::new(
                "reference",
                format!(
                    "'{}' is not a reference like {}",
                    text.trim(),
                    Urn {
                        kind,
                        year: 2026,
                        number: 42
                    }
                ),
            )
        };
        let mut parts = upper.split('-');
        let (Some(prefix), Some(year), Some(number), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if prefix != kind.prefix() || year.len() != 4 || number.len() != kind.digits() {
            return Err(bad());
        }
        match (year.parse(), number.parse()) {
            (Ok(year), Ok(number)) if number > 0 => Ok(Urn { kind, year, number }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:0width$}",
            self.kind.prefix(),
            self.year,
            self.number,
            width = self.kind.digits()
        )
    }
}

/// Written as its text, `INT-2026-00042`, as it is stored.
impl serde::Serialize for Urn {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse() {
        let urn = Urn {
            kind: UrnKind::Intelligence,
            year: 2026,
            number: 42,
        };
        assert_eq!(urn.to_string(), "INT-2026-00042");
        assert_eq!(serde_json::to_string(&urn).unwrap(), r#""INT-2026-00042""#);
        assert_eq!(
            Urn::parse(UrnKind::Intelligence, "int-2026-00042").unwrap(),
            urn
        );
        let op = Urn {
            kind: UrnKind::Operation,
            year: 2027,
            number: 7,
        };
        assert_eq!(op.to_string(), "OP-2027-0007");
        for bad in [
            "INT-2026-0042",
            "OP-2026-00042",
            "INT-26-00042",
            "INT-2026-00000",
            "INT-2026-000x2",
        ] {
            assert!(Urn::parse(UrnKind::Intelligence, bad).is_err(), "{bad}");
        }
    }
}
