-- 0014: an authorisation that needs a Judicial Commissioner's approval
-- takes effect only when the approval is given and notified to the grantor
-- (RIPA s.36(2), Police Act 1997 s.97(1)), and its period begins with the
-- day it takes effect (RIPA s.43(3)). Until now the period ran from the
-- grant. One still awaiting approval (and not urgent, whose 72 hours run
-- from the grant) therefore has no period yet: its end is cleared, and is
-- set when the approval is recorded. One approved before this version keeps
-- the end it was given, the earlier reading, which never shows it as live
-- after its legal end. The upgrade's event records a baseline of every row.

UPDATE authorisation SET effective_from = NULL, ends_at = NULL
WHERE status = 'awaiting-approval' AND urgent = 0;
