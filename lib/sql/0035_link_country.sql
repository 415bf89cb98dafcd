-- Record linkage compares the countries of exploitation too (lib/link, C_COUNTRY): a change
-- of a country alone marks the record changed, as one of its period does (0011), so that an
-- incremental run reads it again instead of its prepared record from the cache.
DROP TRIGGER IF EXISTS link_changed_expl_upd;
CREATE TRIGGER link_changed_expl_upd AFTER UPDATE OF case_person_id, start_date, end_date,
country ON exploitation
BEGIN
  INSERT OR IGNORE INTO link_changed(person_id) SELECT cp.person_id FROM case_person cp
  WHERE cp.id IN (OLD.case_person_id, NEW.case_person_id) AND EXISTS (SELECT 1 FROM
  link_person l WHERE l.person_id = cp.person_id);
END;
