// datasets.table_sha256: the sha256 of the dataset's snapshot (its parsed table, written at import
// into home/tables; src/core/data/snapshot.ts). Runs read the snapshot instead of parsing the file
// when its bytes hash to this; a dataset imported before, or whose snapshot is gone, is parsed.
import type { Migration } from '../migrate'

export const migration015: Migration = {
  version: 15,
  name: 'dataset-snapshot',
  sql: `
ALTER TABLE datasets ADD COLUMN table_sha256 TEXT;
`,
}
