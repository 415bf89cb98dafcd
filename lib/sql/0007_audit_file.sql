-- 0007: the audit log in its own database file, DB.audit, next to the registry (and its key).
-- Its commits (the server's group commits, hundreds a second) then never change the
-- registry's file: in WAL mode every commit to a file makes each of its readers drop its page
-- cache, and searches paid for that on every commit (docs/BENCHMARKS.md, Server).
--
-- Before this file runs, the store has created DB.audit (table audit, the same columns and
-- index as 0002), attached it as `auditlog` and copied every entry into it, ids and hashes
-- unchanged, and checked that it holds exactly those entries (store_sqlite.c, audit_move).
-- An interrupted `ctip init` copies what is left and gets here again.
DROP TABLE main.audit;
