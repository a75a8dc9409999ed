-- The `simulated` payment provider keeps its side of the world here, as Stripe would on its
-- servers, so authorisations survive a restart and tests can compare the provider's records
-- with our ledger. Unused with the `stripe` provider.
CREATE TABLE sim_intents (
    id                TEXT    PRIMARY KEY,
    payment_method    TEXT    NOT NULL,
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    destination       TEXT,
    -- Set at capture: what the platform keeps; the destination gets the rest.
    application_fee_cents INTEGER,
    refunded_cents    INTEGER NOT NULL DEFAULT 0,
    -- Pulled back from the destination by refunds with reverse_transfer.
    reversed_cents    INTEGER NOT NULL DEFAULT 0,
    status            TEXT    NOT NULL CHECK (status IN ('requires_action', 'authorized', 'captured', 'released')),
    created_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE sim_transfers (
    id             TEXT    PRIMARY KEY,
    destination    TEXT    NOT NULL,
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    reversed_cents INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
) STRICT;

-- Every call, with its answer: a repeated idempotency key gets the first answer back.
CREATE TABLE sim_calls (
    id              INTEGER PRIMARY KEY,
    operation       TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    amount_cents    INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    reply           TEXT    NOT NULL CHECK (json_valid(reply)),
    created_at      INTEGER NOT NULL
) STRICT;
