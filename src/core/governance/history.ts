// Deployment history: which version held each alias of a model from when until when, who moved
// it, under which request, approved by whom (mlflow#2169's question).
import type Database from 'better-sqlite3'
import type { HistoryEntry } from '../../api/governance'
import { requireModel } from '../registry/registry'
import { getRequest } from './requests'

export function deploymentHistory(
  db: Database.Database,
  modelName: string,
  alias?: string,
): HistoryEntry[] {
  const model = requireModel(db, modelName)
  const events = db
    .prepare(
      `SELECT e.alias, e.at, e.by, e.request_id, t.version, t.sha256 FROM alias_events e
       LEFT JOIN model_versions t ON t.id = e.to_version_id
       WHERE e.model_id = ? ${alias ? 'AND e.alias = ?' : ''} ORDER BY e.id`,
    )
    .all(...(alias ? [model.id, alias] : [model.id])) as {
    alias: string
    at: string
    by: string
    request_id: string | null
    version: number | null
    sha256: string | null
  }[]
  const out: HistoryEntry[] = []
  const open = new Map<string, HistoryEntry>()
  for (const e of events) {
    const current = open.get(e.alias)
    if (current) current.until = e.at
    open.delete(e.alias)
    if (e.version === null) continue // removed: the previous holder's period ends here
    let approvedBy: string[] = []
    if (e.request_id) {
      try {
        approvedBy = getRequest(db, e.request_id)
          .approvals.filter((a) => a.counts)
          .map((a) => a.by)
      } catch {
        approvedBy = []
      }
    }
    const entry: HistoryEntry = {
      alias: e.alias,
      version: e.version,
      versionSha256: e.sha256,
      from: e.at,
      until: null,
      movedBy: e.by,
      requestId: e.request_id,
      approvedBy,
    }
    out.push(entry)
    open.set(e.alias, entry)
  }
  return out.sort((a, b) => a.alias.localeCompare(b.alias) || a.from.localeCompare(b.from))
}
