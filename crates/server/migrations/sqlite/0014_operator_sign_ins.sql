-- When each operator last signed in, for the console's Operators page.
ALTER TABLE operators ADD COLUMN last_sign_in_at TEXT;
