-- Push: the account's webhook subscriptions, the deliveries they owe and
-- every attempt made. The event log is the outbox: a subscription's
-- `cursor` is the last event sequence already turned into deliveries,
-- moved in the same transaction that writes them.
-- Lockstep twin: migrations/postgres/0009_webhooks.sql.

ALTER TABLE accounts ADD COLUMN next_webhook_id BIGINT NOT NULL DEFAULT 1;

CREATE TABLE webhooks (
    account_id      TEXT NOT NULL,
    id              BIGINT NOT NULL,
    url             TEXT NOT NULL,
    -- JSON array: "callReport", event kinds, or "*".
    events          TEXT NOT NULL,
    -- json | form (call reports as push_report=…)
    format          TEXT NOT NULL,
    active          BIGINT NOT NULL DEFAULT 1,
    -- whsec_… kept as is: signing needs it; never returned after creation.
    secret          TEXT NOT NULL,
    -- The secret before the last rotation, still signing until previous_until.
    previous_secret TEXT,
    previous_until  BIGINT,
    cursor          BIGINT NOT NULL,
    -- The first failed attempt since the last success (NULL: not failing).
    failing_since   BIGINT,
    -- Why the server switched it off (NULL: it did not).
    disabled_reason TEXT,
    disabled_at     BIGINT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX webhooks_active ON webhooks(active);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    account_id   TEXT NOT NULL,
    webhook_id   BIGINT NOT NULL,
    -- The `webhook-id` header: stable across retries and redeliveries.
    message_id   TEXT NOT NULL,
    -- An event kind, callReport or test.
    kind         TEXT NOT NULL,
    -- The event sequence it reports (a call report: the one that finished
    -- the call); orders deliveries sharing an order_key.
    seq          BIGINT NOT NULL,
    -- agent:<id>: one agent's deliveries go one at a time, in seq order.
    order_key    TEXT,
    -- Call reports: the call id, so a call is reported once per subscription.
    dedupe       TEXT,
    content_type TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- pending | delivered | failed
    status       TEXT NOT NULL,
    -- Attempts ever made (numbers the attempt log) and in the current run
    -- of the retry ladder (a redelivery starts a new run).
    attempts     BIGINT NOT NULL DEFAULT 0,
    tries        BIGINT NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    -- A node sending it holds it until then; after that anyone may retry.
    lease_until  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries(account_id, webhook_id, dedupe)
    WHERE dedupe IS NOT NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(account_id, webhook_id, id);
CREATE INDEX webhook_deliveries_ordered ON webhook_deliveries(webhook_id, order_key, seq) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    delivery_id  BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    -- NULL: no HTTP answer (refused, timed out, private address).
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    -- The answer's first bytes, or what went wrong.
    excerpt      TEXT NOT NULL,
    PRIMARY KEY (delivery_id, n)
);
