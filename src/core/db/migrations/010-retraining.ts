// retraining: versioned per-model recipes, their runs (with the log kept in a file), schedule
// state, and monitors that can be paused or start a retraining run when they cross into drift.
import type { Migration } from '../migrate'

export const migration010: Migration = {
  version: 10,
  name: 'retraining',
  sql: `
-- Every change is a new row; recipe_json NULL records a removal. The current recipe is the last row.
CREATE TABLE retrain_recipes (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  version INTEGER NOT NULL,
  recipe_json TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (model_id, version)
) STRICT;

-- What the triggers remember between sessions.
CREATE TABLE retrain_state (
  model_id INTEGER PRIMARY KEY REFERENCES models(id),
  -- The schedule's last due time that was run (or skipped), ISO-8601.
  schedule_done_at TEXT,
  -- The newest training-folder file already trained on: path|size|mtime.
  last_data_key TEXT
) STRICT;

CREATE TABLE retrain_runs (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  recipe_version INTEGER,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'timed-out', 'skipped')),
  trigger TEXT NOT NULL,
  trigger_detail TEXT,
  reason TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  exit_code INTEGER,
  -- The process running the command, and the Slipway process that started it.
  pid INTEGER,
  owner_pid INTEGER,
  job_id TEXT,
  data_json TEXT,
  eval_data_json TEXT,
  version_id INTEGER REFERENCES model_versions(id),
  result_json TEXT,
  log_bytes INTEGER NOT NULL DEFAULT 0,
  log_truncated INTEGER NOT NULL DEFAULT 0,
  request_alias TEXT,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX retrain_runs_model ON retrain_runs(model_id, id);

ALTER TABLE drift_monitors ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drift_monitors ADD COLUMN retrain_on_drift INTEGER NOT NULL DEFAULT 0;
`,
}
