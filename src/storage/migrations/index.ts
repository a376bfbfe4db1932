/**
 * Migrations as { up, down }, in order. Written with the schema builder so the
 * same migration runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely';
import { focusGroupsMigration } from './0006-focus-groups.js';
import { focusGroupTurnsMigration } from './0008-focus-group-turns.js';
import { answerReasoningOnceMigration } from './0009-answer-reasoning-once.js';
import { focusGroupResultsMigration } from './0010-focus-group-results.js';
import { respondentAnswersMigration } from './0011-respondent-answers.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('responses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('background', 'integer', (c) => c.notNull())
        .addColumn('persona_id', 'text')
        .addColumn('engine', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('input_items', 'text', (c) => c.notNull())
        .addColumn('request', 'text')
        .addColumn('events', 'text')
        .execute();
      await db.schema.createIndex('responses_workspace_created').on('responses').columns(['workspace_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('responses').execute();
      await db.schema.dropTable('api_keys').execute();
      await db.schema.dropTable('workspaces').execute();
    },
  },
};

/** Credits, ledger, holds, limits and in-flight ownership (accounts issue). */
migrations['0002_credits'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('workspaces').addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('workspaces').addColumn('held', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('workspaces').addColumn('month_spent', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('workspaces').addColumn('spend_month', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('workspaces').addColumn('monthly_budget', 'bigint').execute();
    await db.schema.alterTable('workspaces').addColumn('rpm_limit', 'integer').execute();
    await db.schema.alterTable('workspaces').addColumn('rpd_limit', 'integer').execute();
    await db.schema.alterTable('responses').addColumn('owner', 'text').execute();
    await db.schema
      .createTable('credit_ledger')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('balance_after', 'bigint', (c) => c.notNull())
      .addColumn('operation', 'text')
      .addColumn('response_id', 'text')
      .addColumn('key_id', 'text')
      .addColumn('persona_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('input_tokens', 'bigint')
      .addColumn('output_tokens', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('credit_ledger_workspace_created').on('credit_ledger').columns(['workspace_id', 'created_at']).execute();
    await db.schema.createIndex('credit_ledger_response').on('credit_ledger').columns(['response_id', 'kind']).unique().execute();
    await db.schema
      .createTable('credit_holds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('response_id', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('credit_holds_workspace').on('credit_holds').column('workspace_id').execute();
    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('instances').execute();
    await db.schema.dropTable('credit_holds').execute();
    await db.schema.dropTable('credit_ledger').execute();
    await db.schema.alterTable('responses').dropColumn('owner').execute();
    for (const c of ['rpd_limit', 'rpm_limit', 'monthly_budget', 'spend_month', 'month_spent', 'held', 'balance']) await db.schema.alterTable('workspaces').dropColumn(c).execute();
  },
};

/** Custom personas and their versions (custom personas issue). */
migrations['0003_custom_personas'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('custom_personas')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('is_expert', 'integer', (c) => c.notNull())
      .addColumn('pipeline_type', 'text', (c) => c.notNull())
      .addColumn('persona_type', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('profile', 'text', (c) => c.notNull())
      .addColumn('guided', 'text', (c) => c.notNull())
      .addColumn('cloned_from', 'text')
      .addColumn('credits_charged', 'bigint', (c) => c.notNull())
      .addColumn('created_by_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema.createIndex('custom_personas_workspace').on('custom_personas').columns(['workspace_id', 'id']).execute();
    await db.schema
      .createTable('custom_persona_versions')
      .addColumn('persona_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('is_expert', 'integer', (c) => c.notNull())
      .addColumn('persona_type', 'text', (c) => c.notNull())
      .addColumn('profile', 'text', (c) => c.notNull())
      .addColumn('guided', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('custom_persona_versions_pk', ['persona_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('custom_persona_versions').execute();
    await db.schema.dropTable('custom_personas').execute();
  },
};

/** Test-key traffic, for the usage report: it spends no credits, so the ledger never sees it (issue 17). */
migrations['0004_test_usage'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('test_usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('response_id', 'text')
      .addColumn('key_id', 'text')
      .addColumn('persona_id', 'text')
      .addColumn('input_tokens', 'bigint', (c) => c.notNull())
      .addColumn('output_tokens', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('test_usage_workspace').on('test_usage').columns(['workspace_id', 'created_at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('test_usage').execute();
  },
};

/**
 * Each server process records its heartbeat interval, so that others judge its
 * silence by its own pace (COHORT_HEARTBEAT_MS); rows without it beat every 10 s.
 */
migrations['0005_instance_heartbeat'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('instances').addColumn('heartbeat_ms', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('instances').dropColumn('heartbeat_ms').execute();
  },
};
/** Focus groups: studies, respondents, answers (focus groups issue). */
migrations['0006_focus_groups'] = focusGroupsMigration;

/** Console sign-in sessions (web console issue): an API key exchanged for a cookie, stored by hash with an expiry. */
migrations['0007_console_sessions'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('console_sessions_key').on('console_sessions').columns(['key_id', 'created_at']).execute();
    await db.schema.createIndex('console_sessions_expires').on('console_sessions').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('console_sessions').execute();
  },
};

/** Discussion-mode transcripts: the turns of each moderated session. */
migrations['0008_focus_group_turns'] = focusGroupTurnsMigration;
migrations['0009_answer_reasoning_once'] = answerReasoningOnceMigration;
migrations['0010_focus_group_results'] = focusGroupResultsMigration;
migrations['0011_respondent_answers'] = respondentAnswersMigration;
