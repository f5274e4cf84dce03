// remotes: the shared stores this home syncs with, what it has read from each (cursors, so a
// pull costs what is new), the team numbers the stores gave versions, and what was rejected.
import type { Migration } from '../migrate'

export const migration011: Migration = {
  version: 11,
  name: 'remotes',
  sql: `
CREATE TABLE remotes (
  name TEXT PRIMARY KEY,
  location TEXT NOT NULL,
  endpoint TEXT,
  region TEXT,
  -- The team root fingerprint the store was checked against when it was added.
  root TEXT NOT NULL,
  added_at TEXT NOT NULL,
  last_sync_at TEXT,
  last_sync_json TEXT
) STRICT;

-- scope: 'policy', 'records:<author>', 'numbers:<model key>'; cursor: the last key read.
CREATE TABLE remote_cursors (
  remote TEXT NOT NULL REFERENCES remotes(name) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  cursor TEXT NOT NULL,
  PRIMARY KEY (remote, scope)
) STRICT;

-- The team number a store gave a version's bytes; the same in every store of one team.
CREATE TABLE team_versions (
  model TEXT NOT NULL,
  version_sha256 TEXT NOT NULL,
  number INTEGER NOT NULL,
  remote TEXT NOT NULL,
  -- 'pushed' from this home, or 'pulled' (then published_by names the registrant).
  origin TEXT NOT NULL CHECK (origin IN ('pushed', 'pulled')),
  published_by TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (model, version_sha256, remote)
) STRICT;
CREATE INDEX team_versions_number ON team_versions(model, number);

-- Objects a pull, fetch or audit refused, with the reason; replaced at each pull.
CREATE TABLE remote_rejections (
  remote TEXT NOT NULL REFERENCES remotes(name) ON DELETE CASCADE,
  object TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (remote, object)
) STRICT;
`,
}
