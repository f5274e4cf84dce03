// evaluation: tables of the evaluation feature.
import type { Migration } from '../migrate'

export const migration003: Migration = {
  version: 3,
  name: 'evaluation',
  sql: `SELECT 1;`,
}
