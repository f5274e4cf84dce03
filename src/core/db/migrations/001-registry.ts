// Registry: models, versions, lineage, aliases and their history, tags, datasets, audit.
import type { Migration } from '../migrate'

export const migration001: Migration = {
  version: 1,
  name: 'registry',
  sql: `
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  task TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('csv', 'parquet')),
  row_count INTEGER NOT NULL,
  columns_json TEXT NOT NULL,
  profile_json TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  version INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  code_version TEXT,
  training_dataset_id INTEGER REFERENCES datasets(id),
  parent_version_id INTEGER REFERENCES model_versions(id),
  onnx_json TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  UNIQUE (model_id, version),
  UNIQUE (model_id, sha256)
) STRICT;

CREATE TABLE hyperparameters (
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (version_id, key)
) STRICT;

CREATE TABLE tags (
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (version_id, key)
) STRICT;

CREATE TABLE aliases (
  model_id INTEGER NOT NULL REFERENCES models(id),
  alias TEXT NOT NULL,
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (model_id, alias)
) STRICT;

CREATE TABLE alias_events (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  alias TEXT NOT NULL,
  from_version_id INTEGER REFERENCES model_versions(id),
  to_version_id INTEGER REFERENCES model_versions(id),
  at TEXT NOT NULL,
  by TEXT NOT NULL
) STRICT;
CREATE INDEX alias_events_model ON alias_events(model_id, id);

-- Every step of the lifecycle writes one record; each record hashes the one before it.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  model_id INTEGER REFERENCES models(id),
  version_id INTEGER REFERENCES model_versions(id),
  details_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_model ON audit_events(model_id, id);
`,
}
