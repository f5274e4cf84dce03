// CLI commands of governance: identity, team, request/approve/reject, requests, audit (list,
// verify, export, import), history, card.
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { SlipwayError } from '../../api/errors'
import type { IdentityView, ModelCard, PromotionRequest, TeamPolicy } from '../../api/governance'
import { collect, parseKeyValues, parseModelRef, showAnswer, withSlipway } from '../context'
import { printJson, printTable, safe, type GlobalOptions } from '../output'
import { auditRemote } from './sync'

/** `audit verify` exits 5 when the trail does not verify, so a pipeline can tell it from an error. */
export const EXIT_NOT_VERIFIED = 5

const write = (text: string): void => {
  process.stdout.write(text)
}

function writeOut(file: string, content: string): string {
  const target = path.resolve(file)
  const dir = path.dirname(target)
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new SlipwayError('BAD_FILE', `${file}: the folder ${dir} does not exist`)
  const tmp = `${target}.${process.pid}.tmp`
  try {
    fs.writeFileSync(tmp, content)
    fs.renameSync(tmp, target)
  } catch (error) {
    fs.rmSync(tmp, { force: true })
    throw new SlipwayError(
      'BAD_FILE',
      `${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
  return target
}

function readJsonFile(file: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8')
  } catch {
    throw new SlipwayError('BAD_FILE', `${file}: no such file`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new SlipwayError('BAD_FILE', `${file}: not JSON`)
  }
}

const splitList = (text: string | undefined): string[] | undefined =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)

function parseCount(text: string, option: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SlipwayError('INVALID_INPUT', `${option} "${text}": give a whole number`)
  return n
}

function printTeam(t: TeamPolicy): void {
  write(
    `Team ${safe(t.team)} — policy version ${t.version}, signed by ${safe(t.signedBy)} at ${t.at}\n`,
  )
  write(`Root fingerprint: ${t.rootFingerprint}\n`)
  write(
    `Protected aliases: ${t.protectedAliases.join(', ') || 'none'}; approvals required: ${t.approvalsRequired}\n`,
  )
  const req = t.requirements
  if (req.gatePassedWithinDays !== null || req.cardFields.length)
    write(
      `Requirements: ${req.gatePassedWithinDays !== null ? `gate passed within ${req.gatePassedWithinDays} days; ` : ''}${req.cardFields.length ? `card fields ${req.cardFields.join(', ')}` : ''}\n`,
    )
  printTable(
    t.members.map((m) => ({
      name: m.name,
      email: m.email,
      fingerprint: m.fingerprint.slice(0, 16),
      roles: m.roles.join(','),
    })),
    ['name', 'email', 'fingerprint', 'roles'],
  )
}

function printRequest(r: PromotionRequest): void {
  write(`Request ${r.id}\n`)
  write(
    `  ${safe(r.model)} ${r.version !== null ? `v${r.version}` : `(${r.versionSha256.slice(0, 12)}…)`} → ${safe(r.alias)}: ${r.status.toUpperCase()}\n`,
  )
  write(
    `  requested by ${safe(r.requestedBy)} at ${r.createdAt}${r.comment ? `: ${safe(r.comment, 500)}` : ''}\n`,
  )
  write(`  approvals ${r.approvals.filter((a) => a.counts).length} of ${r.approvalsNeeded}\n`)
  for (const a of r.approvals)
    write(
      `    approved by ${safe(a.by)} at ${a.at}${a.comment ? `: ${safe(a.comment, 500)}` : ''}${a.counts ? '' : ` (does not count: ${a.reason})`}\n`,
    )
  for (const a of r.rejections)
    write(`    rejected by ${safe(a.by)} at ${a.at}: ${safe(a.comment, 500)}\n`)
  for (const m of r.missing) write(`  missing: ${safe(m, 500)}\n`)
}

const identityOut = (v: IdentityView) => ({
  name: v.name,
  email: v.email,
  publicKey: v.publicKey,
  fingerprint: v.fingerprint,
})

function printIdentity(v: IdentityView): void {
  write(
    `Identity ${safe(v.name)} <${safe(v.email)}>\nFingerprint ${v.shortFingerprint} (${v.fingerprint})\nPublic key  ${v.publicKey}\n`,
  )
}

const teamOut = (t: TeamPolicy) => ({
  team: t.team,
  version: t.version,
  rootFingerprint: t.rootFingerprint,
  members: t.members.map((m) => ({
    name: m.name,
    email: m.email,
    fingerprint: m.fingerprint,
    roles: m.roles,
  })),
  protectedAliases: t.protectedAliases,
  approvalsRequired: t.approvalsRequired,
  requirements: t.requirements,
  policyId: t.policyId,
})

/** The version a card or request command names: MODEL@VERSION, required. */
function versionRef(ref: string | undefined): { model: string; ref: string | number } {
  if (!ref) throw new SlipwayError('INVALID_INPUT', 'Name the version: slipway card MODEL@VERSION')
  return parseModelRef(ref, { requireRef: true })
}

function printCard(c: ModelCard): void {
  write(`Model card: ${safe(c.model)} v${c.version} — ${c.status}\n`)
  for (const [k, v] of Object.entries(c.fields)) write(`  ${k}: ${v ? safe(v, 2000) : '—'}\n`)
  const e = c.auto.evaluation
  if (e) write(`  latest evaluation (${String(e.at)}): ${JSON.stringify(e.headline)}\n`)
  if (c.auto.drift) write(`  drift: ${String(c.auto.drift.status)}\n`)
  for (const a of c.auto.approvals) write(`  ${String(a.alias)}: ${String(a.status)}\n`)
}

export function registerGovernanceCommands(program: Command): void {
  registerIdentityCommands(program)
  registerTeamCommands(program)
  registerRequestCommands(program)
  registerAuditCommands(program)
  registerHistoryCommand(program)
  registerCardCommands(program)
}

function registerIdentityCommands(program: Command): void {
  const identity = program
    .command('identity')
    .description("this home's identity (Ed25519 key pair)")
  identity
    .command('init')
    .description(
      'make an identity for this home; with --encrypt the key is protected by $SLIPWAY_PASSPHRASE',
    )
    .requiredOption('--name <name>', 'your name')
    .requiredOption('--email <email>', 'your email')
    .option('--encrypt', 'encrypt the private key with the passphrase in $SLIPWAY_PASSPHRASE')
    .action(
      showAnswer<IdentityView, { name: string; email: string; encrypt?: boolean }>(
        (slipway, opts) => {
          const passphrase = opts.encrypt ? process.env.SLIPWAY_PASSPHRASE : undefined
          if (opts.encrypt && !passphrase)
            throw new SlipwayError(
              'INVALID_INPUT',
              '--encrypt needs the passphrase in $SLIPWAY_PASSPHRASE (never on the command line)',
            )
          return slipway.call('identity:init', { name: opts.name, email: opts.email, passphrase })
        },
        printIdentity,
        identityOut,
      ),
    )
  identity
    .command('show')
    .description("print this home's name, email, public key and fingerprint")
    .action(
      showAnswer(
        async (slipway) => {
          const v = await slipway.call('identity:show', {})
          if (!v)
            throw new SlipwayError(
              'NOT_FOUND',
              'This home has no identity: run `slipway identity init --name NAME --email EMAIL`',
            )
          return v
        },
        printIdentity,
        identityOut,
      ),
    )
}

function registerTeamCommands(program: Command): void {
  const team = program
    .command('team')
    .description('the team policy: members, roles, protected aliases, approvals')
  team
    .command('init')
    .description('start a team with this identity as its admin (policy version 1)')
    .requiredOption('--name <team>', 'team name')
    .option('--approvals <n>', 'approvals required for a protected alias (default 1)')
    .option(
      '--protect <aliases>',
      'protected aliases, comma-separated (default production,champion)',
    )
    .action(
      showAnswer<TeamPolicy, { name: string; approvals?: string; protect?: string }>(
        (slipway, opts) =>
          slipway.call('team:init', {
            name: opts.name,
            approvals:
              opts.approvals === undefined ? undefined : parseCount(opts.approvals, '--approvals'),
            protect: splitList(opts.protect),
          }),
        printTeam,
        teamOut,
      ),
    )
  team
    .command('add-member')
    .description('sign a new policy version that adds a member (admins only)')
    .requiredOption('--public-key <key>', 'the key as `identity show` prints it (ed25519:…)')
    .requiredOption('--name <name>', "the new member's name")
    .requiredOption('--email <email>', "the new member's email")
    .requiredOption('--role <role>', 'viewer, contributor, approver or admin')
    .action(
      showAnswer<TeamPolicy, { publicKey: string; name: string; email: string; role: string }>(
        (slipway, opts) =>
          slipway.call('team:add-member', {
            publicKey: opts.publicKey,
            name: opts.name,
            email: opts.email,
            role: opts.role,
          }),
        printTeam,
        teamOut,
      ),
    )
  team
    .command('set')
    .description(
      'sign a new policy version with these changes (admins only); --dry-run shows the diff',
    )
    .option('--approvals <n>', 'approvals required for a protected alias')
    .option('--protect <aliases>', 'comma-separated')
    .option('--gate-days <n>', 'require a gate check passed within N days ("none" to drop)')
    .option('--card-fields <fields>', 'card fields required before a request, comma-separated')
    .option(
      '--role <fingerprint=roles>',
      "set a member's roles (comma-separated; empty removes)",
      collect,
    )
    .option('--dry-run', 'show the change without signing it')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        GlobalOptions & {
          approvals?: string
          protect?: string
          gateDays?: string
          cardFields?: string
          role?: string[]
          dryRun?: boolean
        }
      >()
      await withSlipway(opts, async (slipway) => {
        const current = await slipway.call('team:show', {})
        if (!current)
          throw new SlipwayError(
            'NOT_FOUND',
            'This home has no team: run `slipway team init --name TEAM` first',
          )
        const memberRoles = opts.role
          ? Object.fromEntries(
              parseKeyValues(opts.role, '--role').map(({ key, value }) => [
                key,
                splitList(value) ?? [],
              ]),
            )
          : undefined
        const requirements =
          opts.gateDays !== undefined || opts.cardFields !== undefined
            ? {
                gatePassedWithinDays:
                  opts.gateDays === undefined
                    ? current.requirements.gatePassedWithinDays
                    : opts.gateDays === 'none'
                      ? null
                      : parseCount(opts.gateDays, '--gate-days'),
                cardFields:
                  opts.cardFields === undefined
                    ? current.requirements.cardFields
                    : (splitList(opts.cardFields) ?? []),
              }
            : undefined
        const r = await slipway.call('team:update', {
          change: {
            approvalsRequired:
              opts.approvals === undefined ? undefined : parseCount(opts.approvals, '--approvals'),
            protectedAliases: splitList(opts.protect),
            requirements,
            memberRoles,
          },
          dryRun: opts.dryRun,
        })
        if (opts.json) printJson({ ...r, policy: teamOut(r.policy) })
        else {
          write(`${r.signed ? 'Signed' : 'Would sign'} policy version ${r.policy.version}:\n`)
          for (const d of r.diff) write(`  ${safe(d, 400)}\n`)
        }
      })
    })
  team
    .command('show')
    .description('print the team policy in force and its root fingerprint')
    .action(
      showAnswer(
        async (slipway) => {
          const t = await slipway.call('team:show', {})
          if (!t)
            throw new SlipwayError(
              'NOT_FOUND',
              'This home has no team (solo): `slipway team init` or `slipway team join`',
            )
          return t
        },
        printTeam,
        teamOut,
      ),
    )
  team
    .command('export')
    .description('write the policy chain for new members to join with')
    .requiredOption('--out <file>', 'file to write the policy chain to (JSON)')
    .action(
      showAnswer<{ file: string; root: string; policies: number }, { out: string }>(
        async (slipway, opts) => {
          const chain = await slipway.call('team:export', {})
          const file = writeOut(opts.out, `${JSON.stringify(chain, null, 2)}\n`)
          return { file, root: chain.root, policies: chain.policies.length }
        },
        (r) => write(`Wrote ${r.policies} policy version(s) to ${safe(r.file)}; root ${r.root}\n`),
        (r) => ({ out: r.file, root: r.root, policies: r.policies }),
      ),
    )
  team
    .command('join')
    .description(
      'join a team: the policy chain in FILE must start at the root fingerprint you were given',
    )
    .argument('<file>', 'from `team export` or `audit export --format json`')
    .requiredOption('--root <fingerprint>', 'the team root fingerprint, checked out of band')
    .action(
      showAnswer<TeamPolicy, { root: string }>(
        (slipway, opts, file = '') => {
          const data = readJsonFile(file) as { policies?: unknown }
          if (!Array.isArray(data.policies))
            throw new SlipwayError('BAD_FILE', `${file}: has no "policies" list`)
          return slipway.call('team:join', {
            policies: data.policies,
            root: opts.root.trim().toLowerCase(),
          })
        },
        printTeam,
        teamOut,
      ),
    )
}

function registerRequestCommands(program: Command): void {
  program
    .command('request')
    .description('ask to point a protected alias at a version (evidence attached)')
    .argument('<ref>', 'MODEL@VERSION')
    .requiredOption('--alias <alias>', 'the protected alias to point at the version')
    .option('--comment <text>', 'why, for the approvers')
    .action(
      showAnswer<PromotionRequest, { alias: string; comment?: string }>((slipway, opts, ref) => {
        const { model, ref: version } = versionRef(ref)
        return slipway.call('requests:create', {
          model,
          ref: version,
          alias: opts.alias,
          comment: opts.comment,
        })
      }, printRequest),
    )
  for (const [name, call, needsComment] of [
    ['approve', 'requests:approve', false],
    ['reject', 'requests:reject', true],
  ] as const) {
    const c = program
      .command(name)
      .description(`${name} a promotion request${needsComment ? ' (a comment is required)' : ''}`)
      .argument('<id>', 'request id (or its first 8+ characters)')
    if (needsComment) c.requiredOption('--comment <text>', 'why it is rejected')
    else c.option('--comment <text>', 'a note kept with the approval')
    c.action(
      showAnswer<PromotionRequest, { comment?: string }>(
        (slipway, opts, id = '') => slipway.call(call, { id, comment: opts.comment ?? '' }),
        printRequest,
      ),
    )
  }
  program
    .command('withdraw')
    .description('withdraw your own promotion request')
    .argument('<id>', 'request id (or its first 8+ characters)')
    .action(
      showAnswer(
        (slipway, _opts, id = '') => slipway.call('requests:withdraw', { id }),
        printRequest,
      ),
    )
  program
    .command('requests')
    .description('list promotion requests')
    .option('--status <status>', 'pending, approved, rejected, applied, withdrawn or superseded')
    .option('--model <model>', "only this model's requests")
    .action(
      showAnswer<PromotionRequest[], { status?: string; model?: string }>(
        (slipway, opts) =>
          slipway.call('requests:list', { status: opts.status, model: opts.model }),
        (list) => {
          if (list.length === 0) return write('No promotion requests\n')
          printTable(
            list.map((r) => ({
              id: r.id.slice(0, 12),
              model: r.model,
              version: r.version ?? r.versionSha256.slice(0, 8),
              alias: r.alias,
              status: r.status,
              approvals: `${r.approvals.filter((a) => a.counts).length}/${r.approvalsNeeded}`,
              by: r.requestedBy,
              at: r.createdAt,
            })),
            ['id', 'model', 'version', 'alias', 'status', 'approvals', 'by', 'at'],
          )
        },
      ),
    )
}

function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      'the signed audit trail; `audit verify` checks it (exit 5 when it does not verify)',
    )
    .option('--model <model>', "only this model's entries")
    .option('--limit <n>', 'show only the latest N entries')
    .action(
      showAnswer(
        (slipway, opts: GlobalOptions & { model?: string; limit?: string }) =>
          slipway.call('audit:list', {
            model: opts.model,
            limit: opts.limit === undefined ? undefined : parseCount(opts.limit, '--limit'),
          }),
        (list) =>
          printTable(
            list.map((e) => ({
              at: e.at,
              action: e.type,
              actor: e.actor,
              what: e.summary,
              signed: e.signed ? `seq ${e.seq}` : 'unsigned',
              record: e.id.slice(0, 12),
            })),
            ['at', 'action', 'actor', 'what', 'signed', 'record'],
          ),
      ),
    )
  audit
    .command('verify')
    .description(
      'check signatures, chains, roles, approvals and the policy chain; exit 0 ok, 5 not',
    )
    .option('--remote <name>', 'verify a shared store as a whole instead of this home')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { remote?: string }>()
      if (opts.remote !== undefined) return auditRemote({ ...opts, remote: opts.remote })
      await withSlipway(opts, async (slipway) => {
        const r = await slipway.call('audit:verify', {})
        if (opts.json)
          printJson({
            ok: r.ok,
            records: r.records,
            problems: r.problems,
            signedRecords: r.signedRecords,
            unsignedRecords: r.unsignedRecords,
            policies: r.policies,
            summary: r.summary,
          })
        else {
          write(`${safe(r.summary, 2000)}\n`)
          for (const p of r.problems.slice(0, 50))
            write(`  ${p.record ? p.record.slice(0, 12) : '—'}: ${safe(p.problem, 1000)}\n`)
        }
        if (!r.ok) process.exitCode = EXIT_NOT_VERIFIED
      })
    })
  audit
    .command('export')
    .description('write the trail as JSON (importable), CSV, or a self-contained HTML report')
    .requiredOption('--format <format>', 'json, csv or html')
    .requiredOption('--out <file>', 'file to write the trail to')
    .option('--model <model>', "only this model's records")
    .action(
      showAnswer<
        { out: string; format: string; bytes: number },
        ExportOptions & { model?: string }
      >(async (slipway, opts) => {
        const r = await slipway.call('audit:export', { format: opts.format, model: opts.model })
        return {
          out: writeOut(opts.out, r.content),
          format: opts.format,
          bytes: Buffer.byteLength(r.content),
        }
      }, printWrote),
    )
  audit
    .command('import')
    .description(
      'take in records signed elsewhere (from `audit export --format json`); verified first, all or nothing',
    )
    .argument('<file>', 'a JSON file from `audit export --format json`')
    .action(
      showAnswer(
        (slipway, _opts, file = '') => {
          const data = readJsonFile(file) as { policies?: unknown; records?: unknown }
          if (!Array.isArray(data.records))
            throw new SlipwayError('BAD_FILE', `${file}: has no "records" list`)
          return slipway.call('audit:import', {
            policies: Array.isArray(data.policies) ? data.policies : undefined,
            records: data.records,
          })
        },
        (r) =>
          write(
            `Imported ${r.imported} record(s) (${r.alreadyPresent} already here), ${r.policiesAdded} policy version(s)\n`,
          ),
      ),
    )
}

function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description(
      'deployment history: which version held each alias, when, moved by whom, approved by whom',
    )
    .argument('<model>', 'model name')
    .option('--alias <alias>', 'only the history of this alias')
    .action(
      showAnswer(
        (slipway, opts: GlobalOptions & { alias?: string }, model = '') =>
          slipway.call('history:get', { model, alias: opts.alias }),
        (list, _opts, model) => {
          if (list.length === 0) return write(`${safe(model)}: no alias has been set\n`)
          printTable(
            list.map((h) => ({
              alias: h.alias,
              version: h.version === null ? '—' : `v${h.version}`,
              from: h.from,
              until: h.until ?? 'now',
              movedBy: h.movedBy,
              request: h.requestId?.slice(0, 12) ?? '',
              approvedBy: h.approvedBy.join(', '),
            })),
            ['alias', 'version', 'from', 'until', 'movedBy', 'request', 'approvedBy'],
          )
        },
      ),
    )
}

function registerCardCommands(program: Command): void {
  const card = program
    .command('card')
    .description("a version's model card")
    .argument('[ref]', 'MODEL@VERSION')
    .action(
      showAnswer((slipway, _opts, ref) => {
        const { model, ref: version } = versionRef(ref)
        return slipway.call('cards:get', { model, ref: version })
      }, printCard),
    )
  card
    .command('set')
    .description("fill in fields of a version's model card")
    .argument('<ref>', 'MODEL@VERSION')
    .requiredOption(
      '--field <key=value>',
      'intendedUse, outOfScope, limitations, ethicalConsiderations, owner, or your own (repeat)',
      collect,
    )
    .action(
      showAnswer<ModelCard, { field: string[] }>((slipway, opts, ref) => {
        const { model, ref: version } = versionRef(ref)
        const fields = parseKeyValues(opts.field, '--field')
        const keys = fields.map((f) => f.key)
        const repeated = keys.find((k, i) => keys.indexOf(k) !== i)
        if (repeated) throw new SlipwayError('INVALID_INPUT', `--field ${repeated} is given twice`)
        return slipway.call('cards:set', {
          model,
          ref: version,
          fields: Object.fromEntries(fields.map((f) => [f.key, f.value])),
        })
      }, printCard),
    )
  card
    .command('export')
    .description("write a version's model card as Markdown or HTML")
    .argument('<ref>', 'MODEL@VERSION')
    .requiredOption('--format <format>', 'md or html')
    .requiredOption('--out <file>', 'file to write the card to')
    .action(
      showAnswer<{ out: string; format: string }, ExportOptions>(async (slipway, opts, ref) => {
        const { model, ref: version } = versionRef(ref)
        const r = await slipway.call('cards:export', { model, ref: version, format: opts.format })
        return { out: writeOut(opts.out, r.content), format: opts.format }
      }, printWrote),
    )
}

interface ExportOptions {
  format: string
  out: string
}

const printWrote = (r: { out: string }): void => write(`Wrote ${safe(r.out)}\n`)
