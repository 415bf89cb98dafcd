-- Record linkage compares the countries of exploitation too (lib/link, C_COUNTRY): a change
-- of a country alone marks the record changed, as one of its period does (0002), so that an
-- incremental run reads it again instead of its prepared record from the cache.
DROP TRIGGER IF EXISTS link_changed_expl_upd ON exploitation;
CREATE TRIGGER link_changed_expl_upd AFTER UPDATE OF case_person_id, start_date, end_date,
  country ON exploitation FOR EACH ROW EXECUTE FUNCTION link_changed_expl();
