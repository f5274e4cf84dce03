// dataset names are unique: `--data reference` and the pickers name one dataset. Older homes may
// hold several datasets of one name; the first keeps it, later ones become NAME-2, NAME-3, … (or
// NAME #ID where that is taken too), so every existing dataset stays reachable by a name.
import type { Migration } from '../migrate'

export const migration008: Migration = {
  version: 8,
  name: 'dataset-names',
  sql: `
CREATE TEMP TABLE dataset_renames AS
  SELECT d.id AS id,
         d.name || '-' || (SELECT COUNT(*) FROM datasets e WHERE e.name = d.name AND e.id <= d.id) AS candidate,
         d.name || ' #' || d.id AS fallback
  FROM datasets d
  WHERE EXISTS (SELECT 1 FROM datasets e WHERE e.name = d.name AND e.id < d.id);
UPDATE datasets SET name = (
  SELECT CASE WHEN EXISTS (SELECT 1 FROM datasets e WHERE e.name = r.candidate)
              THEN r.fallback ELSE r.candidate END
  FROM dataset_renames r WHERE r.id = datasets.id)
WHERE id IN (SELECT id FROM dataset_renames);
DROP TABLE dataset_renames;
DROP INDEX datasets_name;
CREATE UNIQUE INDEX datasets_name ON datasets(name);
`,
}
