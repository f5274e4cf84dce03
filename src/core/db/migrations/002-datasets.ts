// datasets: tables of the datasets feature.
import type { Migration } from '../migrate'

export const migration002: Migration = {
  version: 2,
  name: 'datasets',
  sql: `SELECT 1;`,
}
