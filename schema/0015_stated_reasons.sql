-- 0015: reasons the law's inspectors look for, recorded as reasons rather
-- than as a yes or a no. An application says why confidential or legally
-- privileged material is (un)likely; a cancellation says what became of the
-- product: kept (by whom, reviewed when), destroyed, or none obtained.
-- Rows from before keep NULL here, read as "not recorded" (their free-text
-- material arrangements are kept as they were written).

ALTER TABLE authorisation ADD COLUMN confidential_reason TEXT;
ALTER TABLE authorisation ADD COLUMN product_fate TEXT
    CHECK (product_fate IN ('kept', 'destroyed', 'none-obtained'));
ALTER TABLE authorisation ADD COLUMN product_keeper TEXT;
ALTER TABLE authorisation ADD COLUMN product_review_on TEXT
    CHECK (product_review_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
