-- A team's live board reads its members from this index alone: with the
-- agent id in it, the planner walks one team's entries instead of every
-- membership of the account.
-- Lockstep twin: migrations/postgres/0006_team_boards.sql.

DROP INDEX group_members_by_group;
CREATE INDEX group_members_by_group ON group_members(account_id, group_id, agent_id);
