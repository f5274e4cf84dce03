// evaluation: stored evaluations, shadow comparisons, per-model gate policies and column
// mappings, and dated gate reports. Results are JSON documents; the columns are what is queried.
import type { Migration } from '../migrate'

export const migration003: Migration = {
  version: 3,
  name: 'evaluation',
  sql: `
CREATE TABLE evaluations (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  dataset_sha256 TEXT NOT NULL,
  task TEXT NOT NULL CHECK (task IN ('classification', 'regression')),
  row_count INTEGER NOT NULL,
  mapping_json TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  onnxruntime_version TEXT NOT NULL,
  headline_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX evaluations_version ON evaluations(version_id, id);
CREATE INDEX evaluations_dataset ON evaluations(dataset_sha256, version_id, id);

CREATE TABLE shadow_comparisons (
  id INTEGER PRIMARY KEY,
  champion_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  challenger_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  dataset_sha256 TEXT NOT NULL,
  mapping_json TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  onnxruntime_version TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX shadow_comparisons_champion ON shadow_comparisons(champion_version_id, id);
CREATE INDEX shadow_comparisons_challenger ON shadow_comparisons(challenger_version_id, id);

CREATE TABLE gate_policies (
  model_id INTEGER PRIMARY KEY REFERENCES models(id),
  policy_json TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE gate_reports (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES model_versions(id),
  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
  baseline_version_id INTEGER REFERENCES model_versions(id),
  baseline_evaluation_id INTEGER REFERENCES evaluations(id),
  passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
  policy_json TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX gate_reports_version ON gate_reports(version_id, id);

CREATE TABLE column_mappings (
  model_id INTEGER PRIMARY KEY REFERENCES models(id),
  mapping_json TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
`,
}
