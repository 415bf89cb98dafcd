-- 0005: search within what an organisation may see, inside the name index (docs/DESIGN.md,
-- Search). Before, a name was matched over the whole registry and every match was then
-- checked against what the user may see: the work grew with the registry.
--
-- Each record's document in person_name gets, after the name's blind-index tokens, the same
-- tokens scoped to the organisation that owns it (a keyed hash of the organisation and the
-- token: ctip_name_doc), so that a search within one organisation's records reads only that
-- organisation's doclists. (An organisation token ANDed with the name's was tried: FTS5 reads
-- both doclists whole, and the organisation's is a tenth of the registry.) Rebuilt here from
-- the sort key sealed with each identity, under the key `ctip init` loaded.
INSERT INTO person_name(person_name) VALUES ('delete-all');
INSERT INTO person_name(rowid, tokens)
  SELECT id, doc FROM (SELECT id, ctip_name_doc(ctip_sortkey(identity, id), org_id, 1) AS doc
                       FROM person WHERE identity IS NOT NULL)
  WHERE doc <> '';

-- Records another organisation may see with their identity through a referral (a case of
-- theirs referred to it, not declined, with the person's consent to share with referral
-- organisations and to share the identity) get one document per such organisation: the
-- name's tokens scoped to that organisation; rowid = record id * 2^20 + organisation id.
-- Filled, after this migration, by the store (store_sqlite_open.c, from the one definition of
-- the access rule in lib/store/access_rule.h: no copy of the rule here) and kept up to date by
-- it whenever a referral, a consent or a name changes. The content is kept (not contentless) so
-- that a record's documents can be deleted by rowid.
CREATE VIRTUAL TABLE person_referred USING fts5(tokens, detail=none);
