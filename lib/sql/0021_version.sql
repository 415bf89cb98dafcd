-- 0021: a version per case and per person record (issue 11, item 4). Each change of a case
-- through the API moves its version on by one (store_server.h, case_bump); an update that
-- names the version it read is refused with 409 when the case has moved on since (docs/API.md),
-- so that of two concurrent writers the second is told, not silently overwritten.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE person ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
