// monitor claims: which process claimed a file it is running drift on, so a claim left by a
// process that died mid-run (a crash, a killed window) is taken up again by the next scan.
import type { Migration } from '../migrate'

export const migration006: Migration = {
  version: 6,
  name: 'monitor-claims',
  sql: `
-- NULL once the run is recorded (run_id or error); the claiming process's id while it runs.
ALTER TABLE drift_monitor_files ADD COLUMN claimed_by_pid INTEGER;
`,
}
