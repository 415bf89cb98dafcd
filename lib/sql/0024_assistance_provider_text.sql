-- 0024: an assistance provider that is not a registered organisation is kept as text
-- (issue 14 item 5). The API used to register every provider name typed in a form as a new
-- organisation, so a typo became an organisation; now a name that matches an organisation
-- (organisation.name, exactly) links to it, and any other is stored here, as typed, and never
-- creates an organisation. Reading gives the organisation's name, else this text.
ALTER TABLE assistance ADD COLUMN provider_text TEXT;
