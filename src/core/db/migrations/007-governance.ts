// governance: identity-signed records (the audit trail from the moment a home has an identity),
// the team policy chain, promotion requests and their decisions, model cards. Unsigned
// audit_events rows stay as they are: they keep their hash chain and are read as "unsigned".
import type { Migration } from '../migrate'

export const migration007: Migration = {
  version: 7,
  name: 'governance',
  sql: `
-- Every signed record this home holds, its own and imported ones. record_json is the record
-- exactly as signed (canonical JSON); the other columns are copies for queries and are checked
-- against it by audit verify. rowid order is the order the home received them.
CREATE TABLE signed_records (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  author TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  model TEXT,
  record_json TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
  received_at TEXT NOT NULL,
  UNIQUE (author, seq)
) STRICT;
CREATE INDEX signed_records_model ON signed_records(model, rowid);
CREATE INDEX signed_records_type ON signed_records(type, rowid);

-- The team policy chain as signed documents; team_link pins the root this home trusts.
CREATE TABLE policies (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE,
  at TEXT NOT NULL,
  doc_json TEXT NOT NULL
) STRICT;
CREATE TABLE team_link (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  root TEXT NOT NULL,
  linked_at TEXT NOT NULL
) STRICT;

-- Promotion requests, by the id of their request.create record; models and versions by name
-- and SHA-256 so a request made on another laptop can be held here too.
CREATE TABLE promotion_requests (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  version_sha256 TEXT NOT NULL,
  alias TEXT NOT NULL,
  comment TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  withdrawn_at TEXT,
  applied_at TEXT,
  applied_by TEXT,
  superseded_at TEXT
) STRICT;
CREATE INDEX promotion_requests_model ON promotion_requests(model, alias);

CREATE TABLE request_decisions (
  record_id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES promotion_requests(id),
  decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
  by TEXT NOT NULL,
  comment TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX request_decisions_request ON request_decisions(request_id);

CREATE TABLE model_cards (
  model TEXT NOT NULL,
  version_sha256 TEXT NOT NULL,
  fields_json TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (model, version_sha256)
) STRICT;

-- Who moved an alias (fingerprint when signed) and under which request.
ALTER TABLE alias_events ADD COLUMN by_fingerprint TEXT;
ALTER TABLE alias_events ADD COLUMN request_id TEXT;
`,
}
