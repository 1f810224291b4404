-- Market entities, complete: qualifications and the bond bank account (JSON text), and the reason
-- and end date of a suspension or bar ('' when none).
ALTER TABLE entities ADD COLUMN qualifications TEXT NOT NULL DEFAULT '[]';
ALTER TABLE entities ADD COLUMN bank_account TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN restriction_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE entities ADD COLUMN restricted_until TEXT NOT NULL DEFAULT '';
