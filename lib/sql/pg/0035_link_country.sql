-- Record linkage compares the countries of exploitation too (lib/link, C_COUNTRY): a change
-- of a country alone marks the record changed, as one of its period does, so that an
-- incremental run reads it again instead of its prepared record from the cache. The trigger
-- that does it is made by `ctip init` from lib/link/link_watch.h (store_pg_link_watch.c),
-- which lists the column; nothing is left for this migration to do.
SELECT 1;
