// listing-indexes: the registry's lists page by their sort keys (keyset paging), so the models
// list in its `updated` order and a version's aliases have an index each; a page costs the same
// at the 10,000th row as at the first.
import type { Migration } from '../migrate'

export const migration012: Migration = {
  version: 12,
  name: 'listing-indexes',
  sql: `
CREATE INDEX models_updated ON models(updated_at DESC, name);
CREATE INDEX aliases_version ON aliases(version_id);
`,
}
