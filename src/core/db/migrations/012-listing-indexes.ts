// listing-indexes: the registry's lists page by their sort keys (keyset paging), so the models
// list in its `updated` order, a version's aliases, and a version search each have an index; a
// page costs the same at the 10,000th row as at the first.
import type { Migration } from '../migrate'

export const migration012: Migration = {
  version: 12,
  name: 'listing-indexes',
  sql: `
CREATE INDEX models_updated ON models(updated_at DESC, name);
CREATE INDEX aliases_version ON aliases(version_id);
-- Covers a version search: the text it matches without reading the rows' ONNX summaries.
CREATE INDEX model_versions_listing
  ON model_versions(model_id, version, file_name, description, code_version);
`,
}
