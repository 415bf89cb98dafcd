-- 0030: the communications tracker (issue 15 item 2; lib/comms/comms.c, docs/COMMS.md). UN
-- allegation letters and urgent appeals, government replies, TIP questionnaire items and
-- requests from other countries, kept by the organisation that records them. What can be
-- listed and filtered (reference, kind, sender, dates, status) is in clear; the questions,
-- answers and evidence are one JSON document sealed under the registry's key
-- (communication.body:ID), since an answer is typed by hand and may name someone.
-- version counts the saves: a save of an older version is refused (409), never overwrites.
CREATE TABLE communication (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES organisation(id),
  ref         TEXT NOT NULL,
  kind        TEXT NOT NULL,
  sender      TEXT NOT NULL,
  subject     TEXT NOT NULL DEFAULT '',
  received    TEXT NOT NULL,
  due         TEXT,
  status      TEXT NOT NULL,
  in_reply_to TEXT,
  body_sealed BLOB,
  version     INTEGER NOT NULL DEFAULT 1,
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX communication_ref ON communication(org_id, ref COLLATE NOCASE);
CREATE INDEX communication_received ON communication(org_id, received);
