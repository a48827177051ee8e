/* SPDX-License-Identifier: MIT */
/*
 * schema.c -- the store's schema as versioned migrations.
 *
 * Each migration runs once, in its own transaction, and is recorded in
 * schema_migrations. A migration is never edited after it ships: a change
 * is a new migration. The same text serves SQLite and PostgreSQL: {ID}
 * becomes an auto-assigned 64-bit key and {BLOB} a byte string; every
 * other type is written the way both accept (BIGINT, TEXT). Times are
 * epoch milliseconds; flags are 0/1 integers.
 *
 * What is where (ENFORCEMENT.md): reports and their frozen, encrypted
 * evidence; one case per accountable account; immutable decisions;
 * sanctions (scope x target x window, with a revision number the in-memory
 * check cache follows); strikes; appeals; rights notices and blinding; the
 * outbox; the hash-chained audit log (never purged with evidence);
 * reporters' mutes; identifier fingerprints; API tokens (keyed hashes);
 * the media hash bank (entries with their source case or notice and a
 * revision per change) and media evidence (encrypted bytes, PDQ hashes).
 */
#include "store/store_int.h"

static const char m1_core[] =
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);\n"
    "INSERT INTO counters (name, value) VALUES ('sanction_rev', 0);\n"
    "CREATE TABLE cases (\n"
    "  id {ID},\n"
    "  account TEXT NOT NULL UNIQUE,\n"
    "  status TEXT NOT NULL,\n"
    "  priority BIGINT NOT NULL DEFAULT 0,\n"
    "  reporters BIGINT NOT NULL DEFAULT 0,\n"
    "  max_score BIGINT NOT NULL DEFAULT 0,\n"
    "  top_category TEXT,\n"
    "  opened_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  closed_at BIGINT);\n"
    "CREATE INDEX cases_queue ON cases (status, priority);\n"
    "CREATE TABLE reports (\n"
    "  id {ID},\n"
    "  case_id BIGINT REFERENCES cases (id),\n"
    "  reporter TEXT NOT NULL,\n"
    "  subject_type TEXT NOT NULL,\n"
    "  subject_id TEXT NOT NULL,\n"
    "  account TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  channel TEXT NOT NULL,\n"
    "  external_id TEXT,\n"
    "  comment_kid TEXT,\n"
    "  comment_nonce {BLOB},\n"
    "  comment_ct {BLOB},\n"
    "  findings TEXT,\n"
    "  score BIGINT NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  retain_until BIGINT NOT NULL,\n"
    "  legal_hold BIGINT NOT NULL DEFAULT 0,\n"
    "  purged_at BIGINT);\n"
    "CREATE UNIQUE INDEX reports_external ON reports (reporter, external_id);\n"
    "CREATE INDEX reports_dedup ON reports (reporter, subject_type, subject_id, reason, created_at);\n"
    "CREATE INDEX reports_reporter_time ON reports (reporter, created_at);\n"
    "CREATE INDEX reports_case ON reports (case_id);\n"
    "CREATE TABLE evidence (\n"
    "  id {ID},\n"
    "  report_id BIGINT NOT NULL REFERENCES reports (id),\n"
    "  ord BIGINT NOT NULL,\n"
    "  kid TEXT,\n"
    "  nonce {BLOB},\n"
    "  ciphertext {BLOB},\n"
    "  sender TEXT,\n"
    "  room TEXT,\n"
    "  surface TEXT,\n"
    "  message_id TEXT,\n"
    "  sent_at BIGINT,\n"
    "  findings TEXT,\n"
    "  retain_until BIGINT NOT NULL,\n"
    "  legal_hold BIGINT NOT NULL DEFAULT 0,\n"
    "  purged_at BIGINT,\n"
    "  UNIQUE (report_id, ord));\n"
    "CREATE INDEX evidence_retention ON evidence (retain_until);\n"
    "CREATE TABLE decisions (\n"
    "  id {ID},\n"
    "  case_id BIGINT NOT NULL REFERENCES cases (id),\n"
    "  account TEXT NOT NULL,\n"
    "  outcome TEXT NOT NULL,\n"
    "  categories TEXT NOT NULL,\n"
    "  severity TEXT,\n"
    "  strikes BIGINT NOT NULL DEFAULT 0,\n"
    "  automated BIGINT NOT NULL DEFAULT 0,\n"
    "  decided_by TEXT NOT NULL,\n"
    "  decided_role TEXT NOT NULL,\n"
    "  note TEXT,\n"
    "  proposed TEXT,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX decisions_case ON decisions (case_id);\n"
    "CREATE TABLE notices (\n"
    "  id {ID},\n"
    "  requester TEXT NOT NULL,\n"
    "  object TEXT NOT NULL,\n"
    "  poster TEXT NOT NULL,\n"
    "  claim_kid TEXT,\n"
    "  claim_nonce {BLOB},\n"
    "  claim_ct {BLOB},\n"
    "  requested_days BIGINT NOT NULL,\n"
    "  state TEXT NOT NULL,\n"
    "  blinded_at BIGINT,\n"
    "  deadline BIGINT,\n"
    "  sanction_id BIGINT,\n"
    "  handled_by TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL);\n"
    "CREATE INDEX notices_deadline ON notices (state, deadline);\n"
    "CREATE TABLE sanctions (\n"
    "  id {ID},\n"
    "  account TEXT NOT NULL,\n"
    "  scope TEXT NOT NULL,\n"
    "  container TEXT,\n"
    "  object TEXT,\n"
    "  starts_at BIGINT NOT NULL,\n"
    "  ends_at BIGINT,\n"
    "  state TEXT NOT NULL,\n"
    "  decision_id BIGINT REFERENCES decisions (id),\n"
    "  notice_id BIGINT REFERENCES notices (id),\n"
    "  created_by TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  rev BIGINT NOT NULL);\n"
    "CREATE INDEX sanctions_account ON sanctions (account);\n"
    "CREATE INDEX sanctions_rev ON sanctions (rev);\n"
    "CREATE INDEX sanctions_decision ON sanctions (decision_id);\n"
    "CREATE TABLE strikes (\n"
    "  id {ID},\n"
    "  account TEXT NOT NULL,\n"
    "  decision_id BIGINT NOT NULL REFERENCES decisions (id),\n"
    "  count BIGINT NOT NULL,\n"
    "  state TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  expires_at BIGINT NOT NULL);\n"
    "CREATE INDEX strikes_account ON strikes (account, state, expires_at);\n"
    "CREATE TABLE appeals (\n"
    "  id {ID},\n"
    "  decision_id BIGINT NOT NULL UNIQUE REFERENCES decisions (id),\n"
    "  filed_by TEXT NOT NULL,\n"
    "  statement TEXT,\n"
    "  state TEXT NOT NULL,\n"
    "  resolved_by TEXT,\n"
    "  note TEXT,\n"
    "  filed_at BIGINT NOT NULL,\n"
    "  resolved_at BIGINT);\n"
    "CREATE TABLE outbox (\n"
    "  id {ID},\n"
    "  topic TEXT NOT NULL,\n"
    "  recipient TEXT,\n"
    "  payload TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  attempts BIGINT NOT NULL DEFAULT 0,\n"
    "  next_attempt_at BIGINT NOT NULL,\n"
    "  delivered_at BIGINT);\n"
    "CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);\n"
    "CREATE TABLE audit (\n"
    "  seq BIGINT PRIMARY KEY,\n"
    "  ts BIGINT NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"
    "  role TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  object_type TEXT NOT NULL,\n"
    "  object_id TEXT NOT NULL,\n"
    "  ip TEXT,\n"
    "  reason TEXT,\n"
    "  detail TEXT,\n"
    "  kid TEXT NOT NULL,\n"
    "  prev_hash TEXT NOT NULL,\n"
    "  hash TEXT NOT NULL);\n"
    "CREATE TABLE audit_head (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);\n"
    "CREATE TABLE reporters (\n"
    "  reporter TEXT PRIMARY KEY,\n"
    "  muted_until BIGINT,\n"
    "  muted_by TEXT,\n"
    "  updated_at BIGINT NOT NULL);\n"
    "CREATE TABLE identifiers (\n"
    "  fp TEXT NOT NULL,\n"
    "  kid TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  account TEXT NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (fp, account, source));\n"
    "CREATE TABLE tokens (\n"
    "  id {ID},\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  kid TEXT NOT NULL,\n"
    "  role TEXT NOT NULL,\n"
    "  label TEXT,\n"
    "  created_by TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  revoked_at BIGINT);\n";

static const char m2_media[] =
    "CREATE TABLE media_banks (name TEXT PRIMARY KEY, created_at BIGINT NOT NULL);\n"
    "CREATE TABLE media_bank_entries (\n"
    "  id {ID},\n"
    "  bank TEXT NOT NULL REFERENCES media_banks (name),\n"
    "  pdq {BLOB} NOT NULL,\n"
    "  source_case_id BIGINT,\n"
    "  enabled BIGINT NOT NULL DEFAULT 1,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX media_bank_entries_enabled ON media_bank_entries (enabled, id);\n";

/* Migration 3: where bank entries come from and a revision per change, so
 * an in-memory index (the service's) follows the table the way the
 * sanction cache follows `sanctions`; and media evidence: the photo or
 * video a report or a rights notice carries, encrypted like message
 * evidence, with its PDQ hashes in a table of their own. */
static const char m3_media_evidence[] =
    "ALTER TABLE media_bank_entries ADD COLUMN source_notice_id BIGINT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN origin TEXT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN decision_id BIGINT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN quality BIGINT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN created_by TEXT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN note TEXT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN disabled_at BIGINT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN disabled_by TEXT;\n"
    "ALTER TABLE media_bank_entries ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;\n"
    "CREATE INDEX media_bank_entries_rev ON media_bank_entries (rev, id);\n"
    "CREATE INDEX media_bank_entries_hash ON media_bank_entries (bank, pdq);\n"
    "INSERT INTO counters (name, value) VALUES ('media_rev', 0);\n"
    "CREATE TABLE evidence_media (\n"
    "  id {ID},\n"
    "  report_id BIGINT REFERENCES reports (id),\n"
    "  notice_id BIGINT REFERENCES notices (id),\n"
    "  ord BIGINT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  content_type TEXT,\n"
    "  size BIGINT NOT NULL DEFAULT 0,\n"
    "  kid TEXT,\n"
    "  nonce {BLOB},\n"
    "  ciphertext {BLOB},\n"
    "  created_at BIGINT NOT NULL,\n"
    "  retain_until BIGINT NOT NULL,\n"
    "  legal_hold BIGINT NOT NULL DEFAULT 0,\n"
    "  purged_at BIGINT);\n"
    "CREATE INDEX evidence_media_report ON evidence_media (report_id);\n"
    "CREATE INDEX evidence_media_notice ON evidence_media (notice_id);\n"
    "CREATE INDEX evidence_media_retention ON evidence_media (retain_until);\n"
    "CREATE TABLE evidence_media_hashes (\n"
    "  media_id BIGINT NOT NULL REFERENCES evidence_media (id),\n"
    "  ord BIGINT NOT NULL,\n"
    "  pdq {BLOB} NOT NULL,\n"
    "  quality BIGINT NOT NULL,\n"
    "  t_ms BIGINT,\n"
    "  PRIMARY KEY (media_id, ord));\n";

/* Migration 4: the reviewers' queue. A case can be acknowledged by triage
 * (who and when; cleared when the case is reopened), and the queue's
 * orders have indexes: priority (highest first, then id) and opening time
 * (oldest or newest first, then id), each within a status. Evidence is
 * found by surface through reports_case and evidence (report_id, ord). */
static const char m4_queue[] =
    "ALTER TABLE cases ADD COLUMN acknowledged_at BIGINT;\n"
    "ALTER TABLE cases ADD COLUMN acknowledged_by TEXT;\n"
    "CREATE INDEX cases_queue_priority ON cases (status, priority DESC, id);\n"
    "CREATE INDEX cases_queue_opened ON cases (status, opened_at, id);\n";

static const pvg_migration_t migrations[] = {
    {1, "enforcement core", m1_core},
    {2, "media hash bank", m2_media},
    {3, "media bank sources and media evidence", m3_media_evidence},
    {4, "queue: acknowledgement and order indexes", m4_queue},
};

const pvg_migration_t *pvg__store_migrations(size_t *n)
{
    *n = sizeof migrations / sizeof migrations[0];
    return migrations;
}
