-- Sticky agents (DeepCall's Directory/setSticky): a caller (`contact`,
-- digits as the number rule stores them) pinned to an agent for every call
-- (`all`), calls to one of the account's numbers (`cli`) or calls to that
-- number routed to one group (`cli_group`). One pin per scope; `cli` is ''
-- and `group_id` 0 where the scope has none; `expiry` NULL: never.
-- Read by the routing decision per call, not cached.
-- Lockstep twin: migrations/sqlite/0014_sticky_agents.sql.

CREATE TABLE sticky_agents (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    contact     TEXT NOT NULL,
    scope       TEXT NOT NULL,
    cli         TEXT NOT NULL,
    group_id    BIGINT NOT NULL,
    agent_id    BIGINT NOT NULL,
    expiry      BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, contact, scope, cli, group_id)
);
CREATE INDEX sticky_agents_by_agent ON sticky_agents(account_id, agent_id);
