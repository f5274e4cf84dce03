// CLI commands of the registry: register, models, versions, show, alias, tag.
import path from 'node:path'
import type { Command } from 'commander'
import { SlipwayError, isSlipwayError } from '../../api/errors'
import {
  RegisterInput,
  describeAliasOutcome,
  type RegisterResult,
  type VersionDetail,
} from '../../api/registry'
import { refuseRepeatedKeys } from '../../core/registry/register'
import {
  collect,
  expandFolders,
  parseKeyValues,
  parseModelRef,
  parseVersionNumber,
  readFileList,
  withSlipway,
} from '../context'
import {
  errorOf,
  printJson,
  printTable,
  reportError,
  safe,
  when,
  type GlobalOptions,
} from '../output'

interface RegisterOptions extends GlobalOptions {
  model: string
  codeVersion?: string
  param?: string[]
  tag?: string[]
  trainingData?: string
  description?: string
  alias?: string
  parent?: string
  filesFrom?: string
}

const formatShape = (shape: (number | string)[] | null): string =>
  shape ? `[${shape.map((d) => safe(d, 40)).join(', ')}]` : 'unknown'

/** One line per file, named as the user gave it, so each line matches one argument. */
function printRegistered(file: string, r: RegisterResult): void {
  const what = r.existing
    ? `already registered as ${r.model} v${r.version}`
    : `registered ${r.model} v${r.version}`
  const first =
    r.existing && r.fileName !== path.basename(file) ? `, first as ${safe(r.fileName)}` : ''
  const alias = describeAliasOutcome(r)
  process.stdout.write(
    `${safe(file)}: ${what} (sha256 ${r.sha256.slice(0, 12)}…, ${r.size} bytes${first})${alias ? `; ${safe(alias)}` : ''}\n`,
  )
}

/** The option each field of the register call comes from, to word a refusal in CLI terms. */
const OPTION_OF: Record<string, string> = {
  model: '--model',
  codeVersion: '--code-version',
  hyperparameters: '--param',
  tags: '--tag',
  description: '--description',
  alias: '--alias',
  parentVersion: '--parent',
}

type CommonRegisterInput = Omit<RegisterInput, 'file'>

/**
 * Checks the options every file shares once, before any file is read: a bad --model is one
 * error naming the option and its value, not the same error repeated per file.
 */
function commonRegisterInput(opts: RegisterOptions, files: string[]): CommonRegisterInput {
  const hyperparameters = parseKeyValues(opts.param, '--param')
  const tags = parseKeyValues(opts.tag, '--tag')
  if (opts.alias !== undefined && files.length > 1)
    throw new SlipwayError(
      'INVALID_INPUT',
      `--alias ${opts.alias} names one version, but ${files.length} files were given: register them first, then point the alias with \`slipway alias set ${opts.model}@VERSION ${opts.alias}\``,
    )
  const common: CommonRegisterInput = {
    model: opts.model,
    codeVersion: opts.codeVersion,
    hyperparameters,
    tags,
    trainingData: opts.trainingData ? { path: opts.trainingData } : undefined,
    description: opts.description,
    alias: opts.alias,
    parentVersion:
      opts.parent === undefined ? undefined : parseVersionNumber(opts.parent, '--parent'),
  }
  const parsed = RegisterInput.safeParse({ ...common, file: { path: files[0] ?? '-' } })
  if (!parsed.success) {
    const [issue] = parsed.error.issues
    if (!issue) throw new SlipwayError('INVALID_INPUT', parsed.error.message)
    const [field, index] = issue.path
    const option = OPTION_OF[String(field)] ?? `--${String(field)}`
    const given =
      field === 'hyperparameters' && typeof index === 'number'
        ? opts.param?.[index]
        : field === 'tags' && typeof index === 'number'
          ? opts.tag?.[index]
          : (opts as unknown as Record<string, unknown>)[
              field === 'parentVersion' ? 'parent' : String(field)
            ]
    const shown = typeof given === 'string' ? ` "${safe(given, 80)}"` : ''
    throw new SlipwayError('INVALID_INPUT', `${option}${shown}: ${issue.message}`)
  }
  refuseRepeatedKeys(hyperparameters, '--param')
  refuseRepeatedKeys(tags, '--tag')
  return common
}

/** A failure that does not already name the file gets its name, so every error says which. */
function naming(file: string, error: unknown): unknown {
  if (!isSlipwayError(error) || error.message.includes(path.basename(file))) return error
  return new SlipwayError(error.code, `${file}: ${error.message}`)
}

function printVersion(v: VersionDetail): void {
  const line = (label: string, value: unknown): void => {
    process.stdout.write(`${label.padEnd(18)}${safe(value, 200)}\n`)
  }
  line('Model', `${v.model} v${v.version}`)
  line('File', v.fileName)
  line('SHA-256', v.sha256)
  line('Size', `${v.size} bytes`)
  line('Registered', `${when(v.registeredAt)} by ${v.registeredBy}`)
  line('Aliases', v.aliases.join(', ') || '—')
  line(
    'Tags',
    Object.entries(v.tags)
      .map(([k, val]) => `${k}=${val}`)
      .join(', ') || '—',
  )
  line('Description', v.lineage.description || '—')
  line('Code version', v.lineage.codeVersion ?? '—')
  const ds = v.lineage.trainingDataset
  line(
    'Training data',
    ds
      ? `${ds.name} (${ds.rows} rows, ${ds.columns.length} columns, sha256 ${ds.sha256.slice(0, 12)}…)`
      : '—',
  )
  line(
    'Hyperparameters',
    Object.entries(v.lineage.hyperparameters)
      .map(([k, val]) => `${k}=${val}`)
      .join(', ') || '—',
  )
  line('Parent version', v.lineage.parentVersion ?? '—')
  const o = v.onnx
  line('Producer', `${o.producer.name} ${o.producer.version}`.trim() || '—')
  line('IR version', o.irVersion)
  line(
    'Opsets',
    Object.entries(o.opsets)
      .map(([d, n]) => `${d} ${n}`)
      .join(', '),
  )
  line(
    'Nodes',
    `${o.nodeCount} (${Object.entries(o.opTypes)
      .map(([op, n]) => `${op}×${n}`)
      .join(', ')})`,
  )
  line('Parameters', o.parameterCount)
  line('Model version', o.modelVersion)
  line('Domain', o.domain || '—')
  line('Graph', o.graphName || '—')
  line('Doc string', o.docString || '—')
  process.stdout.write('Inputs\n')
  for (const t of o.inputs)
    process.stdout.write(`  ${safe(t.name, 80)}  ${safe(t.type, 80)}  ${formatShape(t.shape)}\n`)
  process.stdout.write('Outputs\n')
  for (const t of o.outputs)
    process.stdout.write(`  ${safe(t.name, 80)}  ${safe(t.type, 80)}  ${formatShape(t.shape)}\n`)
  const meta = Object.entries(o.metadata)
  if (meta.length) {
    process.stdout.write('Metadata\n')
    for (const [k, val] of meta) process.stdout.write(`  ${safe(k, 60)} = ${safe(val, 120)}\n`)
  }
  if (o.warnings.length) {
    process.stdout.write('Warnings\n')
    for (const w of o.warnings) process.stdout.write(`  ${safe(w, 200)}\n`)
  }
  if (v.aliasHistory.length) {
    process.stdout.write('Alias history\n')
    for (const e of v.aliasHistory)
      process.stdout.write(
        `  ${when(e.at)}  ${e.alias}: ${e.fromVersion ? `v${e.fromVersion}` : '—'} → ${e.toVersion ? `v${e.toVersion}` : '—'} by ${safe(e.by, 60)}\n`,
      )
  }
}

/** `register`: ONNX files (or folders of them) as new versions, one result per file. */
function registerRegisterCommand(program: Command): void {
  program
    .command('register')
    .description('register ONNX files as new versions of a model')
    .argument('[files...]', 'ONNX files, or folders (every .onnx file directly inside)')
    .option('--files-from <file>', 'read more file paths from FILE, one a line (- for stdin)')
    .requiredOption('--model <name>', 'model name (created if new)')
    .option('--code-version <ref>', 'code version (git commit or any string)')
    .option('--param <key=value>', 'hyperparameter (repeatable)', collect)
    .option('--tag <key=value>', 'tag (repeatable)', collect)
    .option('--training-data <file>', 'training dataset (CSV or Parquet); hashed and recorded')
    .option('--description <text>', 'version description')
    .option('--alias <name>', 'point this alias (e.g. champion) at the new version (one file only)')
    .option('--parent <version>', 'parent version of the same model (3 or v3)')
    .action(async (given: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RegisterOptions>()
      await withSlipway(opts, async (slipway) => {
        const listed = opts.filesFrom ? readFileList(opts.filesFrom, '--files-from') : []
        const files = expandFolders([...given, ...listed], ['.onnx'], 'ONNX models')
        if (!files.length)
          throw new SlipwayError(
            'INVALID_INPUT',
            'No files given: name ONNX files or folders, or list them with --files-from FILE',
          )
        const common = commonRegisterInput(opts, files)
        const results: unknown[] = []
        let failed = 0
        for (const file of files) {
          try {
            const r = await slipway.call('registry:register', { ...common, file: { path: file } })
            if (opts.json) results.push(r)
            else printRegistered(file, r)
          } catch (error) {
            failed++
            if (opts.json) results.push({ file, error: errorOf(naming(file, error)) })
            else reportError(naming(file, error), false)
          }
        }
        if (opts.json) {
          if (files.length === 1 && failed === 1)
            printJson({ error: (results[0] as { error: unknown }).error })
          else printJson(files.length === 1 ? results[0] : results)
        }
        if (failed) process.exitCode = 1
      })
    })
}

/** `models`, `versions` and `show`: what the registry holds. */
function registerListingCommands(program: Command): void {
  program
    .command('models')
    .description('list models (archived ones only with --archived)')
    .option('--search <text>', 'filter by name or description')
    .option('--archived', 'include archived models')
    .option('--sort <order>', 'updated (most recently changed first, the default) or name')
    .option('--limit <n>', 'at most N models (one page); the next page is shown with --cursor')
    .option('--cursor <cursor>', 'continue a listing from the cursor a previous page printed')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        GlobalOptions & {
          search?: string
          archived?: boolean
          sort?: string
          limit?: string
          cursor?: string
        }
      >()
      await withSlipway(opts, async (slipway) => {
        const page = await slipway.call('registry:list-models', {
          search: opts.search,
          ...(opts.archived ? { includeArchived: true } : {}),
          ...(opts.sort !== undefined ? { sort: opts.sort as 'updated' | 'name' } : {}),
          ...(opts.limit !== undefined ? { limit: Number(opts.limit) } : {}),
          ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
        })
        const models = page.models
        if (page.nextCursor)
          process.stderr.write(
            `${models.length} of ${page.total} models; the next page: --cursor ${page.nextCursor}\n`,
          )
        if (opts.json) return printJson(models)
        if (!models.length) {
          if (opts.search?.trim())
            return void process.stdout.write(
              `No model matches "${safe(opts.search.trim(), 80)}".\n`,
            )
          // Archived models are out of the list, not gone: say so rather than "no models yet".
          const all = opts.archived
            ? page
            : await slipway.call('registry:list-models', { includeArchived: true, limit: 1 })
          return void process.stdout.write(
            all.total > 0
              ? `No models in use: ${all.total} archived (\`slipway models --archived\` lists them).\n`
              : 'No models yet. Register one with `slipway register FILE --model NAME`.\n',
          )
        }
        printTable(
          models.map((m) => ({
            name: m.name,
            versions: m.versionCount,
            latest: m.latestVersion ? `v${m.latestVersion}` : '—',
            aliases: Object.entries(m.aliases)
              .map(([a, v]) => `${a}→v${v}`)
              .join(' '),
            task: m.task ?? '',
            updated: when(m.updatedAt),
          })),
          ['name', 'versions', 'latest', 'aliases', 'task', 'updated'],
        )
      })
    })

  program
    .command('versions')
    .description("list a model's versions")
    .argument('<model>', 'model name')
    .option('--search <text>', 'only versions whose number, alias, tag, file or description match')
    .option('--sort <order>', 'newest (the default) or oldest')
    .option('--limit <n>', 'at most N versions (one page); the next page is shown with --cursor')
    .option('--cursor <cursor>', 'continue a listing from the cursor a previous page printed')
    .action(async (model: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<
        GlobalOptions & { search?: string; sort?: string; limit?: string; cursor?: string }
      >()
      await withSlipway(opts, async (slipway) => {
        const page = await slipway.call('registry:list-versions', {
          model,
          ...(opts.search !== undefined ? { search: opts.search } : {}),
          ...(opts.sort !== undefined ? { sort: opts.sort as 'newest' | 'oldest' } : {}),
          ...(opts.limit !== undefined ? { limit: Number(opts.limit) } : {}),
          ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
        })
        if (page.nextCursor)
          process.stderr.write(
            `${page.versions.length} of ${page.total} versions; the next page: --cursor ${page.nextCursor}\n`,
          )
        const detail = { versions: page.versions }
        // Local numbers (v3) are this laptop's; team numbers (#12) are the shared store's.
        const team = new Map<string, number>()
        for (const t of await slipway.call('sync:team-versions', { model }))
          if (!team.has(t.sha256)) team.set(t.sha256, t.teamNumber)
        const withTeam = detail.versions.map((v) => ({
          ...v,
          teamNumber: team.get(v.sha256) ?? null,
        }))
        if (opts.json) return printJson(withTeam)
        if (!withTeam.length && opts.search?.trim())
          return void process.stdout.write(
            `No version of ${safe(model, 80)} matches "${safe(opts.search.trim(), 80)}".\n`,
          )
        printTable(
          withTeam.map((v) => ({
            version: v.archivedAt ? `v${v.version} (archived)` : `v${v.version}`,
            team: v.teamNumber === null ? 'local only' : `#${v.teamNumber}`,
            file: v.fileName,
            sha256: v.sha256.slice(0, 12),
            aliases: v.aliases.join(' '),
            'code version': v.codeVersion ?? '',
            'registered by': v.registeredBy,
            'registered at': when(v.registeredAt),
          })),
          [
            'version',
            'team',
            'file',
            'sha256',
            'aliases',
            'code version',
            'registered by',
            'registered at',
          ],
        )
      })
    })

  program
    .command('show')
    .description('show a version with its signature, metadata, lineage, aliases and tags')
    .argument('<ref>', 'MODEL, MODEL@VERSION or MODEL@ALIAS')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const { model, ref: versionRef } = parseModelRef(ref)
        const v = await slipway.call('registry:get-version', { model, ref: versionRef })
        if (opts.json) printJson(v)
        else printVersion(v)
      })
    })
}

/** `alias set` and `alias remove`. */
function registerAliasCommands(program: Command): void {
  const alias = program.command('alias').description('manage aliases (champion, challenger, …)')
  alias
    .command('set')
    .description('point an alias at a version (moving it from the version it named before)')
    .argument('<ref>', 'MODEL@VERSION')
    .argument('<alias>', 'alias name, e.g. champion')
    .action(async (ref: string, name: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const { model, ref: version } = parseModelRef(ref, { requireRef: true })
        const resolved = await slipway.call('registry:get-version', { model, ref: version })
        const event = await slipway.call('registry:set-alias', {
          model,
          version: resolved.version,
          alias: name,
        })
        if (opts.json) printJson(event)
        else if (event.fromVersion === event.toVersion)
          process.stdout.write(`${model}: ${name} already points at v${event.toVersion}\n`)
        else
          process.stdout.write(
            `${model}: ${name} → v${event.toVersion}${event.fromVersion ? ` (was v${event.fromVersion})` : ''}\n`,
          )
      })
    })
  alias
    .command('remove')
    .description('remove an alias from a model (the version stays)')
    .argument('<model>', 'model name')
    .argument('<alias>', 'alias name')
    .action(async (model: string, name: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const event = await slipway.call('registry:remove-alias', { model, alias: name })
        if (opts.json) printJson(event)
        else process.stdout.write(`${model}: removed ${name} (was v${event.fromVersion})\n`)
      })
    })
}

/** `tag` (and `tag set`) and `tag remove`. */
function registerTagCommands(program: Command): void {
  const setTag = async (ref: string, pair: string, cmd: Command): Promise<void> => {
    const opts = cmd.optsWithGlobals<GlobalOptions>()
    await withSlipway(opts, async (slipway) => {
      const [tag] = parseKeyValues([pair], 'Tag')
      if (!tag) throw new SlipwayError('INVALID_INPUT', `Tag "${pair}" is not KEY=VALUE`)
      const { model, ref: version } = parseModelRef(ref, { requireRef: true })
      const resolved = await slipway.call('registry:get-version', { model, ref: version })
      const result = await slipway.call('registry:set-tag', {
        model,
        version: resolved.version,
        key: tag.key,
        value: tag.value,
      })
      if (opts.json) printJson(result)
      else
        process.stdout.write(`${model} v${resolved.version}: ${result.key}=${safe(result.value)}\n`)
    })
  }
  const tag = program
    .command('tag')
    .description('set a tag on a version (`tag MODEL@VERSION key=value`), or `tag remove`')
    .argument('[ref]', 'MODEL@VERSION')
    .argument('[key=value]', 'the tag to set')
    .action(
      async (ref: string | undefined, pair: string | undefined, _opts: unknown, cmd: Command) => {
        if (!ref || !pair)
          return cmd.error('error: tag needs MODEL@VERSION and key=value', { exitCode: 1 })
        await setTag(ref, pair, cmd)
      },
    )
  tag
    .command('set')
    .description('set a tag on a version (the same as `tag MODEL@VERSION key=value`)')
    .argument('<ref>', 'MODEL@VERSION')
    .argument('<key=value>', 'the tag to set')
    .action(async (ref: string, pair: string, _opts: unknown, cmd: Command) =>
      setTag(ref, pair, cmd),
    )
  tag
    .command('remove')
    .description('remove a tag from a version')
    .argument('<ref>', 'MODEL@VERSION')
    .argument('<key>', 'the tag key to remove')
    .action(async (ref: string, key: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const { model, ref: version } = parseModelRef(ref, { requireRef: true })
        const resolved = await slipway.call('registry:get-version', { model, ref: version })
        const result = await slipway.call('registry:remove-tag', {
          model,
          version: resolved.version,
          key,
        })
        if (!result.removed)
          throw new SlipwayError(
            'NOT_FOUND',
            `${model} v${resolved.version} has no tag "${safe(key, 80)}"`,
          )
        if (opts.json) printJson({ model, version: resolved.version, key, removed: true })
        else process.stdout.write(`${model} v${resolved.version}: removed tag ${safe(key, 80)}\n`)
      })
    })
}

/** `model archive` and `version archive`, each with --undo. */
function registerArchiveCommands(program: Command): void {
  const model = program.command('model').description('archive or restore a model')
  model
    .command('archive')
    .description('archive a model: out of `slipway models` and the window, nothing deleted')
    .argument('<model>', 'model name')
    .option('--undo', 'bring an archived model back')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { undo?: boolean }>()
      await withSlipway(opts, async (slipway) => {
        const result = await slipway.call('registry:archive-model', {
          model: name,
          archived: !opts.undo,
        })
        if (opts.json) printJson(result)
        else
          process.stdout.write(
            opts.undo
              ? `${safe(result.name, 80)}: restored\n`
              : `${safe(result.name, 80)}: archived (undo with \`slipway model archive ${safe(result.name, 80)} --undo\`)\n`,
          )
      })
    })
  const version = program.command('version').description('archive or restore a model version')
  version
    .command('archive')
    .description('archive a version: marked archived in listings, nothing deleted')
    .argument('<ref>', 'MODEL@VERSION')
    .option('--undo', 'bring an archived version back')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { undo?: boolean }>()
      await withSlipway(opts, async (slipway) => {
        const { model: name, ref: versionRef } = parseModelRef(ref, { requireRef: true })
        const resolved = await slipway.call('registry:get-version', {
          model: name,
          ref: versionRef,
        })
        const result = await slipway.call('registry:archive-version', {
          model: name,
          version: resolved.version,
          archived: !opts.undo,
        })
        if (opts.json) printJson(result)
        else
          process.stdout.write(
            opts.undo
              ? `${safe(name, 80)} v${result.version}: restored\n`
              : `${safe(name, 80)} v${result.version}: archived (undo with \`slipway version archive ${safe(name, 80)}@${result.version} --undo\`)\n`,
          )
      })
    })
}

export function registerRegistryCommands(program: Command): void {
  registerRegisterCommand(program)
  registerListingCommands(program)
  registerAliasCommands(program)
  registerTagCommands(program)
  registerArchiveCommands(program)
}
