// drift: tables of the drift feature.
import type { Migration } from '../migrate'

export const migration004: Migration = {
  version: 4,
  name: 'drift',
  sql: `SELECT 1;`,
}
