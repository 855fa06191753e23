//! Full-text search (SQLite FTS5) over every kind of casework record
//! (intelligence, operations, subjects, decision logs, bids, covert
//! authorisations, IOPC referrals and lessons learned), ranked, showing
//! only what the searcher may see, by the predicate each kind's list uses.

use rusqlite::ToSql;

use crate::domain::InvalidInput;
use crate::domain::search::fts_query;
use crate::store::plumbing::with;
use crate::store::visibility::{
    intelligence_visible, operation_visible, referral_visible, subject_visible,
};
use crate::store::write::Actor;
use crate::store::{CaseFile, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Intelligence,
    Operation,
    Subject,
    Decision,
    Bid,
    Authorisation,
    Referral,
    /// A closed operation's lessons learned, with where they went.
    Lesson,
}

impl SearchKind {
    fn from_stored(text: &str) -> Option<SearchKind> {
        Some(match text {
            "intelligence" => SearchKind::Intelligence,
            "operation" => SearchKind::Operation,
            "subject" => SearchKind::Subject,
            "decision" => SearchKind::Decision,
            "bid" => SearchKind::Bid,
            "authorisation" => SearchKind::Authorisation,
            "referral" => SearchKind::Referral,
            "lesson" => SearchKind::Lesson,
            _ => return None,
        })
    }

    /// What a hit of the kind is called in a list of results.
    pub fn label(self) -> &'static str {
        match self {
            SearchKind::Intelligence => "intelligence",
            SearchKind::Operation => "operation",
            SearchKind::Subject => "subject",
            SearchKind::Decision => "decision",
            SearchKind::Bid => "bid",
            SearchKind::Authorisation => "authorisation",
            SearchKind::Referral => "referral",
            SearchKind::Lesson => "lesson",
        }
    }
}

/// One search result, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: SearchKind,
    /// What people quote: a URN (intelligence, bids, authorisations,
    /// referrals), a codename (operations, and their lessons), a staff
    /// number, or `CODENAME/D3` for decision-log entry 3.
    pub reference: String,
    pub title: String,
    /// Matching text with the matches between `[` and `]`.
    pub snippet: String,
    /// FTS5's bm25 rank: lower is better.
    pub rank: f64,
}

impl CaseFile {
    /// Searches everything the actor may see for what they typed, read as
    /// `domain::search` reads it: words and `"phrases"` as written
    /// (references, hyphens and apostrophes included), `prefix*`, and `OR`
    /// and `NOT` between terms. Only an empty or over-long search is bad
    /// input.
    pub fn search(&mut self, actor: &Actor, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let fts = fts_query(query)?;
        let query = query.trim();
        let viewer = self.reader(actor, "search")?;
        let sql = format!(
            "SELECT s.kind,
                    CASE s.kind
                        WHEN 'intelligence' THEN (SELECT urn FROM intelligence WHERE id = s.item_id)
                        WHEN 'operation' THEN (SELECT codename FROM operation WHERE id = s.item_id)
                        WHEN 'subject' THEN (SELECT staff_number FROM subject WHERE id = s.item_id)
                        WHEN 'decision' THEN (SELECT o.codename || '/D' || d.number FROM decision_log_entry d
                              JOIN operation o ON o.id = d.operation_id WHERE d.id = s.item_id)
                        WHEN 'bid' THEN (SELECT urn FROM bid WHERE id = s.item_id)
                        WHEN 'authorisation' THEN (SELECT urn FROM authorisation WHERE id = s.item_id)
                        WHEN 'referral' THEN (SELECT urn FROM referral WHERE id = s.item_id)
                        WHEN 'lesson' THEN (SELECT codename FROM operation WHERE id = s.item_id)
                    END,
                    s.title,
                    snippet(search_index, -1, '[', ']', '…', 16),
                    bm25(search_index)
             FROM search_index s
             WHERE search_index MATCH :query
               AND CASE s.kind
                   WHEN 'intelligence' THEN EXISTS (SELECT 1 FROM intelligence i WHERE i.id = s.item_id AND {intel})
                   WHEN 'operation' THEN {op}
                   WHEN 'subject' THEN EXISTS (SELECT 1 FROM subject sj WHERE sj.id = s.item_id AND {subject})
                   WHEN 'decision' THEN EXISTS (SELECT 1 FROM decision_log_entry d WHERE d.id = s.item_id AND {decision})
                   WHEN 'bid' THEN EXISTS (SELECT 1 FROM bid b WHERE b.id = s.item_id AND {bid})
                   WHEN 'authorisation' THEN EXISTS (SELECT 1 FROM authorisation a WHERE a.id = s.item_id AND {authorisation})
                   WHEN 'referral' THEN EXISTS (SELECT 1 FROM referral r WHERE r.id = s.item_id AND {referral})
                   WHEN 'lesson' THEN EXISTS (SELECT 1 FROM operation l WHERE l.id = s.item_id
                                              AND l.status = 'closed' AND {lesson})
                   ELSE 0
               END
             ORDER BY bm25(search_index) LIMIT :limit",
            intel = intelligence_visible("i"),
            op = operation_visible("s.item_id"),
            subject = subject_visible("sj"),
            decision = operation_visible("d.operation_id"),
            bid = operation_visible("b.operation_id"),
            authorisation = operation_visible("a.operation_id"),
            referral = referral_visible("r"),
            lesson = operation_visible("l.id"),
        );
        let limit = i64::from(limit);
        let params = with(
            &viewer,
            &[(":query", &fts as &dyn ToSql), (":limit", &limit)],
        );
        let hits = self.query_rows(&sql, &params, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, f64>(4)?,
            ))
        });
        let hits = match hits {
            Ok(hits) => hits,
            Err(Error::Sqlite {
                source: rusqlite::Error::SqliteFailure(_, Some(message)),
                ..
            }) if is_query_error(&message) => {
                return Err(InvalidInput::new(
                    "search",
                    format!("'{query}' could not be searched ({message})"),
                )
                .into());
            }
            Err(e) => return Err(e),
        };
        Ok(hits
            .into_iter()
            .filter_map(|(kind, reference, title, snippet, rank)| {
                Some(SearchHit {
                    kind: SearchKind::from_stored(&kind)?,
                    reference: reference?,
                    title,
                    snippet,
                    rank,
                })
            })
            .collect())
    }
}

/// Errors that come from the query text rather than the database.
fn is_query_error(message: &str) -> bool {
    message.starts_with("fts5:")
        || message.contains("syntax error")
        || message.starts_with("no such column")
        || message.contains("unknown special query")
        || message.contains("unterminated string")
}
