// trash: deleted evaluations, comparisons, drift runs and datasets wait here, whole, until they are
// restored or purged (30 days after the delete), so every delete can be undone — also after the
// window that made it closed. A dataset's snapshot stays in the blob store until the purge.
// (Numbered 013: 012 is the registry listing indexes, copied here unchanged from branch tenk.)
import type { Migration } from '../migrate'

export const migration013: Migration = {
  version: 13,
  name: 'trash',
  sql: `
CREATE TABLE trash (
  -- AUTOINCREMENT: a trash id names one deleted item, never a later one.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('evaluation', 'comparison', 'drift-run', 'dataset')),
  item_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  model_id INTEGER,
  row_json TEXT NOT NULL,
  blob_sha256 TEXT,
  deleted_at TEXT NOT NULL,
  deleted_by TEXT NOT NULL
) STRICT;
-- Not unique: ids are reused after a delete, so two entries may carry the same kind and id.
CREATE INDEX trash_item ON trash(kind, item_id);
CREATE INDEX trash_deleted ON trash(deleted_at);
`,
}
