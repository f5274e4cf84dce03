// blob leases: a call that has stored bytes in the blob store but not yet written the row that
// references them holds a lease, so a failing call in another process never removes those bytes.
import type { Migration } from '../migrate'

export const migration005: Migration = {
  version: 5,
  name: 'blob-leases',
  sql: `
CREATE TABLE blob_leases (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  -- The holder's process; a lease whose process is gone was left by a crash.
  pid INTEGER NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX blob_leases_sha256 ON blob_leases (sha256);
`,
}
