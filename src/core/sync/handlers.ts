// Handlers of the shared-store calls. Long work (pull, push, sync) reports progress as
// `sync:progress` events and stops on `sync:cancel`.
import { SlipwayError } from '../../api/errors'
import type { Remote, syncCalls } from '../../api/sync'
import type { CoreContext, HandlersFor } from '../context'
import { findModel } from '../registry/registry'
import {
  addRemote,
  getRemote,
  listRemotes,
  openRemote,
  pull,
  push,
  removeRemote,
  sync,
  type RemoteRow,
  type SyncOptions,
} from './engine'
import { auditStore } from './fetch'
import { isS3Location } from './open'
import { StoreError } from './store'

function toRemote(core: CoreContext, row: RemoteRow): Remote {
  const rejected = (
    core.db
      .prepare('SELECT COUNT(*) AS n FROM remote_rejections WHERE remote = ?')
      .get(row.name) as { n: number }
  ).n
  return {
    name: row.name,
    location: row.location,
    kind: isS3Location(row.location) ? 's3' : 'folder',
    endpoint: row.endpoint,
    region: row.region,
    root: row.root,
    addedAt: row.added_at,
    lastSyncAt: row.last_sync_at,
    rejected,
  }
}

export function createSyncHandlers(core: CoreContext): HandlersFor<typeof syncCalls> {
  const { db } = core
  const running = new Map<AbortController, string>()
  const withProgress = async <T>(
    remote: string | undefined,
    fn: (options: SyncOptions) => Promise<T>,
  ): Promise<T> => {
    const name = getRemote(db, remote).name
    const controller = new AbortController()
    running.set(controller, name)
    try {
      return await fn({
        signal: controller.signal,
        onProgress: (progress) => core.emit({ name: 'sync:progress', payload: progress }),
      })
    } finally {
      running.delete(controller)
    }
  }
  return {
    'sync:remote-add': async (input) => {
      const added = await addRemote(core, input)
      return { ...added, remote: toRemote(core, added.remote) }
    },
    'sync:remote-list': async () => listRemotes(db).map((row) => toRemote(core, row)),
    'sync:remote-remove': async ({ name }) => {
      removeRemote(db, name)
      return { removed: name }
    },
    'sync:push': async ({ model, ref, remote }) =>
      withProgress(remote, (options) => push(core, { model, ref, remote }, options)),
    'sync:pull': async ({ remote }) =>
      withProgress(remote, (options) => pull(core, { remote }, options)),
    'sync:run': async ({ remote }) =>
      withProgress(remote, (options) => sync(core, { remote }, options)),
    'sync:cancel': async ({ remote }) => {
      let cancelled = 0
      for (const [controller, name] of running)
        if (remote === undefined || remote === name) {
          controller.abort()
          cancelled++
        }
      return { cancelled }
    },
    'sync:rejections': async ({ remote }) => {
      getRemote(db, remote)
      return db
        .prepare(
          'SELECT object, reason, at FROM remote_rejections WHERE remote = ? ORDER BY object',
        )
        .all(remote) as { object: string; reason: string; at: string }[]
    },
    'sync:team-versions': async ({ model }) => {
      if (
        model !== undefined &&
        !findModel(db, model) &&
        !db.prepare('SELECT 1 FROM team_versions WHERE model = ?').get(model)
      )
        throw new SlipwayError('NOT_FOUND', `No model named "${model}"`)
      const rows = db
        .prepare(
          `SELECT t.model, t.version_sha256 AS sha256, v.version AS localVersion, t.number AS teamNumber,
                  t.remote, t.origin, t.published_by AS publishedBy
           FROM team_versions t
           LEFT JOIN models m ON m.name = t.model
           LEFT JOIN model_versions v ON v.model_id = m.id AND v.sha256 = t.version_sha256
           WHERE (? IS NULL OR t.model = ?) ORDER BY t.model, t.number`,
        )
        .all(model ?? null, model ?? null) as {
        model: string
        sha256: string
        localVersion: number | null
        teamNumber: number
        remote: string
        origin: 'pushed' | 'pulled'
        publishedBy: string | null
      }[]
      return rows
    },
    'sync:audit': async ({ remote }) => {
      const row = getRemote(db, remote)
      const store = openRemote(core, row)
      try {
        return await auditStore(store, row.root)
      } catch (error) {
        if (error instanceof StoreError)
          throw new SlipwayError('VERIFICATION_FAILED', error.message)
        throw error
      } finally {
        store.close()
      }
    },
  }
}
