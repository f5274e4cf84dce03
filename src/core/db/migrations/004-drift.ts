// drift: stored drift runs, per-model monitors and the files a folder monitor has processed.
import type { Migration } from '../migrate'

export const migration004: Migration = {
  version: 4,
  name: 'drift',
  sql: `
CREATE TABLE drift_monitors (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  name TEXT NOT NULL,
  -- The version whose predictions are compared too; NULL compares features only.
  version_ref TEXT,
  reference_json TEXT NOT NULL,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('file', 'folder')),
  source_path TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX drift_monitors_model ON drift_monitors(model_id);

CREATE TABLE drift_runs (
  id INTEGER PRIMARY KEY,
  model_id INTEGER REFERENCES models(id),
  version_id INTEGER REFERENCES model_versions(id),
  monitor_id INTEGER REFERENCES drift_monitors(id) ON DELETE SET NULL,
  reference_name TEXT NOT NULL,
  reference_sha256 TEXT NOT NULL,
  current_name TEXT NOT NULL,
  current_sha256 TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  dataset_drift INTEGER NOT NULL CHECK (dataset_drift IN (0, 1)),
  drift_share REAL NOT NULL,
  drifted_columns INTEGER NOT NULL,
  tested_columns INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('no-drift', 'drifting-columns', 'dataset-drift')),
  report_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX drift_runs_model ON drift_runs(model_id, id);
CREATE INDEX drift_runs_monitor ON drift_runs(monitor_id, id);

CREATE TABLE drift_monitor_files (
  monitor_id INTEGER NOT NULL REFERENCES drift_monitors(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  run_id INTEGER REFERENCES drift_runs(id),
  error TEXT,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (monitor_id, path)
) STRICT;
`,
}
