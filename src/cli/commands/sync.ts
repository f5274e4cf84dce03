// CLI commands of the shared store: remote add/list/remove, push, pull, sync, fetch and
// `audit verify --remote`. fetch and audit verify exit 5 when something does not verify.
import path from 'node:path'
import type { Command } from 'commander'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import { AliasName } from '../../api/common'
import type { PullResult, PushResult } from '../../api/sync'
import { openRemoteStore } from '../../core/sync/open'
import { fetchAliased } from '../../core/sync/fetch'
import type { TransferProgress } from '../../core/sync/store'
import type { Slipway } from '../../core/service'
import { parseModelRef, withSlipway } from '../context'
import { printJson, printTable, reportError, safe, type GlobalOptions } from '../output'

/** Exit code of `fetch` and `audit verify --remote` when something fails to verify. */
const EXIT_UNVERIFIED = 5 // the same as governance's EXIT_NOT_VERIFIED for `audit verify`

const exitCodeOf = (error: unknown): number =>
  isSlipwayError(error) && error.code === 'VERIFICATION_FAILED' ? EXIT_UNVERIFIED : 1

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

/** A progress line on stderr for people at a terminal; nothing in --json or when piped. */
function progressPrinter(
  json: boolean | undefined,
  what: string,
): ((p: TransferProgress) => void) | undefined {
  if (json || !process.stderr.isTTY) return undefined
  return (p) => {
    const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`
    process.stderr.write(
      `\r${what}: ${mb(p.done)} of ${mb(p.total)} (${mb(p.bytesPerSecond)}/s${eta})   `,
    )
    if (p.done >= p.total) process.stderr.write('\n')
  }
}

function withProgress<T>(
  slipway: Slipway,
  json: boolean | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const print = progressPrinter(json, 'transfer')
  const off = slipway.onEvent((event) => {
    if (event.name === 'sync:progress' && event.payload.transfer && print)
      print(event.payload.transfer)
  })
  return fn().finally(off)
}

function printRejected(rejected: { object: string; reason: string }[]): void {
  if (!rejected.length) return
  process.stdout.write(`Rejected (${rejected.length}), not applied:\n`)
  for (const r of rejected)
    process.stdout.write(`  ${safe(r.object, 120)}: ${safe(r.reason, 400)}\n`)
}

function printPull(r: PullResult): void {
  process.stdout.write(
    `Pulled ${r.versions} version(s), ${r.records} record(s)${r.policies ? `, ${r.policies} policy version(s)` : ''}.\n`,
  )
  printRejected(r.rejected)
}

function printPush(r: PushResult): void {
  process.stdout.write(
    `Published ${safe(r.model)} v${r.localVersion} (local) as team #${r.version} (sha256 ${r.sha256.slice(0, 12)}…, ${mb(r.bytesUploaded)} uploaded, ${r.records} record(s)).\n`,
  )
}

/** `--remote` of fetch: a remote of this home by name, else a folder path or s3:// location. */
const looksLikeLocation = (value: string): boolean =>
  /^s3:\/\//i.test(value) ||
  value.includes('/') ||
  value.includes(path.sep) ||
  value.startsWith('.')

export function registerSyncCommands(program: Command): void {
  registerRemoteCommands(program)
  registerTransferCommands(program)
}

/** `remote add|list|remove`: the shared stores this home syncs with. */
function registerRemoteCommands(program: Command): void {
  const remote = program.command('remote').description('shared stores this home syncs with')
  remote
    .command('add')
    .description('add a shared store: a folder path or s3://bucket/prefix')
    .argument('<name>', 'a name for the remote, used with --remote')
    .argument('<location>', 'a folder path or s3://bucket/prefix')
    .option('--endpoint <url>', 'S3-compatible endpoint (MinIO, Ceph, R2...)')
    .option('--region <region>', 'S3 region')
    .option('--trust <fingerprint>', "the team's root fingerprint, to join an existing store")
    .action(async (name: string, location: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        GlobalOptions & { endpoint?: string; region?: string; trust?: string }
      >()
      await withSlipway(opts, async (slipway) => {
        const r = await slipway.call('sync:remote-add', {
          name,
          location,
          endpoint: opts.endpoint,
          region: opts.region,
          trust: opts.trust,
        })
        if (opts.json) return printJson(r)
        const how = r.initialised
          ? "initialised with this home's team policy"
          : r.joined
            ? 'joined its team'
            : 'same team'
        process.stdout.write(
          `Added remote ${safe(r.remote.name)} → ${safe(r.remote.location)} (${how}; root ${r.remote.root.slice(0, 16)}…).\n`,
        )
      })
    })
  remote
    .command('list')
    .description('list the remotes')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const remotes = await slipway.call('sync:remote-list', {})
        if (opts.json) return printJson(remotes)
        if (!remotes.length)
          return void process.stdout.write(
            'No remotes. Add one with `slipway remote add NAME LOCATION`.\n',
          )
        printTable(
          remotes.map((r) => ({
            name: r.name,
            location: r.location,
            endpoint: r.endpoint ?? '',
            'last sync': r.lastSyncAt ?? 'never',
            rejected: r.rejected,
          })),
          ['name', 'location', 'endpoint', 'last sync', 'rejected'],
        )
      })
    })
  remote
    .command('remove')
    .description('forget a remote (nothing in the store changes)')
    .argument('<name>', 'the remote to forget')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const r = await slipway.call('sync:remote-remove', { name })
        if (opts.json) return printJson(r)
        process.stdout.write(`Removed remote ${safe(name)}.\n`)
      })
    })
}

/** `push`, `pull`, `sync` and `fetch`: moving records and models to and from a store. */
function registerTransferCommands(program: Command): void {
  program
    .command('push')
    .description('publish a version to a shared store: it gets its team number there')
    .argument('<model@ref...>', 'one or more versions; with several, --json prints a list')
    .option('--remote <name>', 'remote to push to (needed when there are several)')
    .action(async (texts: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { remote?: string }>()
      await withSlipway(opts, async (slipway) => {
        const refs = texts.map((text) => parseModelRef(text, { requireRef: true }))
        const results: PushResult[] = []
        for (const { model, ref } of refs) {
          const r = await withProgress(slipway, opts.json, () =>
            slipway.call('sync:push', { model, ref, remote: opts.remote }),
          )
          if (!opts.json) printPush(r)
          results.push(r)
        }
        if (opts.json) printJson(texts.length === 1 ? results[0] : results)
      })
    })

  program
    .command('pull')
    .description('read what is new in a shared store, verify it and apply what verifies')
    .option('--remote <name>', 'remote to pull from')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { remote?: string }>()
      await withSlipway(opts, async (slipway) => {
        const r = await withProgress(slipway, opts.json, () =>
          slipway.call('sync:pull', { remote: opts.remote }),
        )
        if (opts.json) return printJson(r)
        printPull(r)
      })
    })

  program
    .command('sync')
    .description(
      'pull, then push what the team policy says travels (requested and approved versions, your records)',
    )
    .option('--remote <name>', 'remote to sync with')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { remote?: string }>()
      await withSlipway(opts, async (slipway) => {
        const r = await withProgress(slipway, opts.json, () =>
          slipway.call('sync:run', { remote: opts.remote }),
        )
        if (opts.json) return printJson(r)
        printPull(r.pulled)
        for (const p of r.pushed) printPush(p)
        process.stdout.write(`Pushed ${r.records} record(s).\n`)
      })
    })

  program
    .command('fetch')
    .description(
      'download the version a protected alias points to, after verifying its chain of trust (exit 5 when it does not verify)',
    )
    .argument('<model@alias>', 'model and protected alias, e.g. churn@production')
    .requiredOption(
      '--remote <name|location>',
      'a remote of this home, or a folder path / s3://bucket/prefix',
    )
    .requiredOption('--out <file>', 'where to write the model file')
    .option('--trust <fingerprint>', "the team's root fingerprint (needed with a location)")
    .option('--endpoint <url>', 'S3-compatible endpoint, with an s3:// location')
    .option('--region <region>', 'S3 region, with an s3:// location')
    .action(async (text: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        GlobalOptions & {
          remote: string
          out: string
          trust?: string
          endpoint?: string
          region?: string
        }
      >()
      try {
        const parts = text.split('@')
        const model = parts[0] ?? ''
        const alias = parts[1]?.trim()
        if (parts.length !== 2 || !model.trim() || !alias || !AliasName.safeParse(alias).success)
          throw new SlipwayError(
            'INVALID_INPUT',
            `"${text}": write MODEL@ALIAS, e.g. churn@production`,
          )
        let location = opts.remote
        let endpoint = opts.endpoint
        let region = opts.region
        let trust = opts.trust
        if (trust !== undefined && !/^[0-9a-f]{64}$/.test(trust))
          throw new SlipwayError(
            'INVALID_INPUT',
            `--trust "${trust}" is not a root fingerprint (64 hex characters)`,
          )
        if (!looksLikeLocation(opts.remote)) {
          // A remote of this home: its location and pinned root come from the home.
          let found:
            | { location: string; endpoint: string | null; region: string | null; root: string }
            | undefined
          await withSlipway(opts, async (slipway) => {
            found = (await slipway.call('sync:remote-list', {})).find((r) => r.name === opts.remote)
            if (!found)
              throw new SlipwayError(
                'NOT_FOUND',
                `No remote named "${opts.remote}" in this home; give a location with --trust instead`,
              )
          })
          if (!found) return
          location = found.location
          endpoint = found.endpoint ?? undefined
          region = found.region ?? undefined
          if (trust && trust !== found.root)
            throw new SlipwayError(
              'VERIFICATION_FAILED',
              `--trust ${trust.slice(0, 16)}… is not the root this home pinned for ${opts.remote}`,
            )
          trust = found.root
        }
        if (!trust)
          throw new SlipwayError(
            'INVALID_INPUT',
            `fetch from a location needs --trust with the team's root fingerprint (\`slipway team show\`)`,
          )
        let store
        try {
          store = openRemoteStore(location, { endpoint, region })
        } catch (error) {
          throw new SlipwayError('INVALID_INPUT', (error as Error).message)
        }
        try {
          const r = await fetchAliased(
            store,
            { model, alias, out: opts.out, trust },
            { onProgress: progressPrinter(opts.json, 'download') },
          )
          if (opts.json) return printJson(r)
          process.stdout.write(
            `Fetched ${safe(r.model)}@${safe(r.alias)} = team #${r.version ?? '?'} (sha256 ${r.sha256.slice(0, 12)}…, ${mb(r.size)}), approved by ${r.approvedBy.map((n) => safe(n)).join(', ') || 'nobody'}; verified → ${safe(r.out)}\n`,
          )
        } finally {
          store.close()
        }
      } catch (error) {
        if (process.exitCode === 1) return
        reportError(error, opts.json, exitCodeOf(error))
      }
    })
}

/** `slipway audit verify --remote NAME`: the store as a whole; exit 5 on problems. */
export async function auditRemote(opts: GlobalOptions & { remote: string }): Promise<void> {
  await withSlipway(opts, async (slipway) => {
    try {
      const r = await slipway.call('sync:audit', { remote: opts.remote })
      if (opts.json) printJson(r)
      else {
        process.stdout.write(
          `${safe(r.location)}: ${r.records} record(s), ${r.policies} policy version(s), ${r.versions} published version(s): ${r.ok ? 'verified' : `${r.problems.length} problem(s)`}\n`,
        )
        for (const p of r.problems)
          process.stdout.write(`  ${safe(p.object, 120)}: ${safe(p.reason, 400)}\n`)
      }
      if (!r.ok) process.exitCode = EXIT_UNVERIFIED
    } catch (error) {
      reportError(error, opts.json, exitCodeOf(error))
    }
  })
}
