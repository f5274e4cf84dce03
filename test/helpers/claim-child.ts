// A separate process that claims team numbers in a store, for the concurrency tests (bundled by
// the test with esbuild). argv: LOCATION ENDPOINT|- MODEL COUNT SEED; prints one JSON line.
import { createHash } from 'node:crypto'
import { claimNumber } from '../../src/core/sync/layout'
import { openRemoteStore } from '../../src/core/sync/open'

async function main(): Promise<void> {
  const [location, endpoint, model, count, seed] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
  ]
  const store = openRemoteStore(location, { endpoint: endpoint === '-' ? null : endpoint })
  const claims: { sha256: string; number: number }[] = []
  let cursor: string | undefined
  for (let i = 0; i < Number(count); i++) {
    const sha256 = createHash('sha256').update(`${seed}-${i}`).digest('hex')
    const result = await claimNumber(store, model, sha256, cursor)
    cursor = result.cursor
    claims.push({ sha256, number: result.number })
  }
  // The bytes every writer shares get one number, whoever claims it.
  const shared = createHash('sha256').update('shared').digest('hex')
  const sharedNumber = (await claimNumber(store, model, shared, cursor)).number
  process.stdout.write(
    JSON.stringify({ claims, sharedNumber, requests: store.requestCount }) + '\n',
  )
  store.close()
}

main().catch((error: unknown) => {
  process.stderr.write(String((error as Error).stack ?? error) + '\n')
  process.exit(1)
})
