-- `subscriber` becomes a table kept by triggers, in the same transaction as
-- each credential write. Kamailio's SQLite driver prepares its query again
-- for every digest, and preparing the view with its join to `accounts` cost
-- more per request than the lookup (BENCHMARKS.md, SIP side). The rows and
-- the rule are the view's: enabled credentials in their own account's realm.
DROP VIEW subscriber;
CREATE TABLE subscriber (
    id       INTEGER PRIMARY KEY,            -- credentials.seq
    username TEXT NOT NULL,
    domain   TEXT NOT NULL,
    password TEXT NOT NULL DEFAULT '',
    ha1      TEXT NOT NULL,
    ha1b     TEXT NOT NULL,
    CONSTRAINT subscriber_user_domain UNIQUE (username, domain)
);
INSERT INTO subscriber (id, username, domain, ha1, ha1b)
    SELECT c.seq, c.username, c.realm, c.ha1, c.ha1b
    FROM credentials c JOIN accounts a ON a.auth_id = c.account_id AND a.realm = c.realm
    WHERE c.enabled = 1;

CREATE TRIGGER subscriber_insert AFTER INSERT ON credentials
    WHEN NEW.enabled = 1
     AND NEW.realm = (SELECT realm FROM accounts WHERE auth_id = NEW.account_id)
BEGIN
    INSERT INTO subscriber (id, username, domain, ha1, ha1b)
        VALUES (NEW.seq, NEW.username, NEW.realm, NEW.ha1, NEW.ha1b);
END;

-- Any change (password, username, enabled) replaces the row.
CREATE TRIGGER subscriber_update AFTER UPDATE ON credentials
BEGIN
    DELETE FROM subscriber WHERE id = OLD.seq;
    INSERT INTO subscriber (id, username, domain, ha1, ha1b)
        SELECT NEW.seq, NEW.username, NEW.realm, NEW.ha1, NEW.ha1b
        WHERE NEW.enabled = 1
          AND NEW.realm = (SELECT realm FROM accounts WHERE auth_id = NEW.account_id);
END;

-- Also fires for the rows an account's or a credential list's delete cascades to.
CREATE TRIGGER subscriber_delete AFTER DELETE ON credentials
BEGIN
    DELETE FROM subscriber WHERE id = OLD.seq;
END;
