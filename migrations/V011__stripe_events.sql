-- Stripe webhook events, recorded by id so each is processed once however often Stripe
-- delivers it, and the newest state seen per connected account, so events that arrive out of
-- order never move an account backwards.
CREATE TABLE stripe_events (
    id          TEXT    PRIMARY KEY,
    type        TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    account     TEXT,
    received_at INTEGER NOT NULL
) STRICT;

CREATE TABLE stripe_accounts (
    account            TEXT    PRIMARY KEY,
    charges_enabled    INTEGER NOT NULL CHECK (charges_enabled IN (0, 1)),
    payouts_enabled    INTEGER NOT NULL CHECK (payouts_enabled IN (0, 1)),
    last_event_created INTEGER NOT NULL
) STRICT;
