-- Lists walk an account's credentials in creation order and stop at the
-- page's end, instead of sorting every row of the account per request.
CREATE INDEX credentials_account_seq ON credentials(account_id, seq);
