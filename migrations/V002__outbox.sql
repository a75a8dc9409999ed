-- Mail delivered by the `outbox` transport: kept in the database instead of leaving the machine,
-- readable at /dev/mailbox and GET /api/v1/dev/outbox. message_id makes a retried send a no-op.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    message_id TEXT    NOT NULL UNIQUE,
    to_addr    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    template   TEXT    NOT NULL,
    text_body  TEXT    NOT NULL,
    html_body  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_by_recipient ON outbox (to_addr, id);
