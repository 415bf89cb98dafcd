-- 0025: a referral carries the referring caseworker's note to the receiving organisation
-- (sealed under the store's key like every other free text, bound to
-- "case_referral.note:<id>"), and the moment the receiving organisation first opened it, so
-- that its inbox can count the referrals not yet read (issue 14 item 5).
ALTER TABLE case_referral ADD COLUMN note_sealed BLOB;
ALTER TABLE case_referral ADD COLUMN read_at TEXT;
CREATE INDEX IF NOT EXISTS case_referral_unread ON case_referral(to_org_id) WHERE read_at IS NULL;
