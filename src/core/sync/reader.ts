// Reads what is new in a shared store since a home's cursors: policy documents and each author's
// records after the last one this home accepted. A no-op read costs one listing for the policy,
// one for the authors and one per author, whatever the size of the store.
import { listAll } from './open'
import { authorPrefix, parsePolicyKey, parseRecordKey } from './layout'
import { mapLimit, type RemoteStore } from './store'

export interface StoreCursors {
  /** The last policy key read. */
  policy?: string
  /** Per author fingerprint: the key of the last record this home accepted. */
  records: Record<string, string>
}

export interface StoredObject {
  key: string
  /** Parsed JSON, or null when the object is not JSON (then `problem` says so). */
  value: unknown
  problem: string | null
}

export interface RecordObject extends StoredObject {
  author: string
  seq: number
}

export interface NewObjects {
  policies: StoredObject[]
  records: RecordObject[]
  /** Keys under records/ or policy/ that are not where a record or policy can be. */
  strays: string[]
}

function parseJson(key: string, bytes: Buffer | null): StoredObject {
  if (!bytes) return { key, value: null, problem: 'listed but unreadable' }
  try {
    return { key, value: JSON.parse(bytes.toString('utf8')) as unknown, problem: null }
  } catch {
    return { key, value: null, problem: 'not valid JSON' }
  }
}

export async function readNew(store: RemoteStore, cursors: StoreCursors): Promise<NewObjects> {
  const strays: string[] = []
  const policyKeys = (await listAll(store, 'policy/', cursors.policy)).filter((key) => {
    if (parsePolicyKey(key) !== null) return true
    strays.push(key)
    return false
  })
  const policies = await mapLimit(policyKeys, 8, async (key) =>
    parseJson(key, await store.get(key)),
  )

  const authorDirs = await store.listPrefixes('records/')
  const recordKeys: { key: string; author: string; seq: number }[] = []
  await mapLimit(authorDirs, 8, async (dir) => {
    const author = dir.slice('records/'.length, -1)
    if (!/^[0-9a-f]{64}$/.test(author)) {
      strays.push(dir)
      return
    }
    for (const key of await listAll(store, authorPrefix(author), cursors.records[author])) {
      const parsed = parseRecordKey(key)
      if (parsed) recordKeys.push({ key, ...parsed })
      else strays.push(key)
    }
  })
  const records = await mapLimit(recordKeys, 16, async (r) => ({
    ...parseJson(r.key, await store.get(r.key)),
    author: r.author,
    seq: r.seq,
  }))
  records.sort((a, b) => (a.author === b.author ? a.seq - b.seq : a.author < b.author ? -1 : 1))
  return { policies, records, strays }
}
