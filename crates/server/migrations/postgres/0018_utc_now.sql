-- The time now in the store's text format (2026-12-02T04:17:37.422Z), as a
-- view both backends have: statements read `(SELECT now FROM utc)` instead
-- of an engine's own date function, so one text serves both.
CREATE VIEW utc AS SELECT utc_now() AS now;
