-- 0006: indexes for the audit viewer (src/store/audit_view.rs), which
-- pages through the trail newest first, filtered by user, action (exactly
-- or by a prefix such as 'bid.'), time, or the references that belong to
-- an operation, and counts what a filter selects.
--
-- An index on a column of a rowid table also holds the rowid, which for
-- audit_event is seq: each of these is in effect (column, seq), so an
-- exact user, action or reference gives its events already in seq order,
-- a page is read straight off the index, and a total counts index entries
-- alone. A range (a prefix of actions, a span of days) reads only the
-- matching entries and sorts their seqs.
--
-- At a million events these take filtered totals from 130-290 ms to under
-- 2 ms for an exact filter, and a first page for a rare user from about
-- 70 ms to under 1 ms (benches/audit.rs). The file grows by about a fifth,
-- and each new event writes four more index entries.

CREATE INDEX audit_event_by_actor ON audit_event (actor);

CREATE INDEX audit_event_by_action ON audit_event (action);

CREATE INDEX audit_event_by_at ON audit_event (at);

CREATE INDEX audit_event_by_entity_ref ON audit_event (entity_ref);
