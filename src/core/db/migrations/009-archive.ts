// archive: a model or version set aside (out of the default lists) without deleting anything, so
// the results and audit records that name it stay whole and the archive can be undone.
import type { Migration } from '../migrate'

export const migration009: Migration = {
  version: 9,
  name: 'archive',
  sql: `
ALTER TABLE models ADD COLUMN archived_at TEXT;
ALTER TABLE model_versions ADD COLUMN archived_at TEXT;
`,
}
