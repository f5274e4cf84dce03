// datasets: "delete, keep the results". A dataset whose results are kept is retired: its snapshot
// waits in the trash (and is purged with it) while its row stays so evaluations and comparisons
// keep opening. A retired dataset is out of lists and pickers, refused for new runs, and no longer
// holds its name (the unique index covers live datasets only).
import type { Migration } from '../migrate'

export const migration014: Migration = {
  version: 14,
  name: 'dataset-retired',
  sql: `
ALTER TABLE datasets ADD COLUMN retired_at TEXT;
DROP INDEX datasets_name;
CREATE UNIQUE INDEX datasets_name ON datasets(name) WHERE retired_at IS NULL;
`,
}
