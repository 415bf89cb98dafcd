-- 0012: an assistance provider that is not a registered organisation is kept as text, as in
-- SQLite's 0024 (issue 14 item 5): the server never registers a provider typed in a form as
-- an organisation. Reading gives the organisation's name, else this text.
ALTER TABLE assistance ADD COLUMN provider_text text;
