-- 0016: audit entries written ahead in the registry's own file (issue 10, item 7).
-- A change made through the server and its audit entries are one transaction over both files
-- (the registry, and DB.audit attached as auditlog). In WAL mode SQLite commits such a
-- transaction file by file, the registry first: a crash between the two commits would keep the
-- change without its entry. So the transaction also writes its entries here, in the registry's
-- file, which commits atomically with the change; and lists them as chained in
-- auditlog.audit_from_pending, which commits atomically with the chain. An entry here that the
-- audit file does not list was lost with the audit file's commit: it is appended to the chain
-- when the database is next opened (lib/core/audit.c, ctip_audit_recover). Both tables stay small:
-- each write transaction forgets the entries of earlier ones that the chain holds.
CREATE TABLE IF NOT EXISTS audit_pending (
  pid    INTEGER PRIMARY KEY AUTOINCREMENT,
  at     TEXT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  detail TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS auditlog.audit_from_pending (
  pid INTEGER PRIMARY KEY
);
