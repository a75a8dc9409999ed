-- Cards a student saved with the payment provider. Only the provider's reference and what a
-- person needs to recognise the card (brand, last four digits) are kept; never card numbers.
CREATE TABLE payment_methods (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_ref TEXT    NOT NULL,
    brand        TEXT    NOT NULL,
    last4        TEXT    NOT NULL CHECK (length(last4) = 4),
    is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at   INTEGER NOT NULL,
    UNIQUE (user_id, provider_ref)
) STRICT;
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (user_id) WHERE is_default = 1;
