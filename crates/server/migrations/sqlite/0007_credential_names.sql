-- Zentrunk names its credentials; vobiz describes them. Plivo and twilio
-- leave both empty.
ALTER TABLE credentials ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN description TEXT NOT NULL DEFAULT '';
