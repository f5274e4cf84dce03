// datasets: look-up by name (`--data NAME`, `dataset show NAME`) without a scan.
import type { Migration } from '../migrate'

export const migration002: Migration = {
  version: 2,
  name: 'datasets',
  sql: `CREATE INDEX datasets_name ON datasets(name, id);`,
}
