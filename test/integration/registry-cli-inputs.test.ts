// The registry CLI driven with the odd inputs a hurried user types: each test pins a bug once found.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { runCli, type CliRun } from '../helpers/cli'
import { blobFiles, fixture, tempHome } from '../helpers/home'
import { metadataEntry } from '../helpers/onnx-metadata'

let home: { dir: string; cleanup: () => void }
beforeEach(() => {
  home = tempHome('slipway-qa-')
})
afterEach(() => home.cleanup())

const linear = fixture('models', 'linear_binary.onnx')
const tree = fixture('models', 'tree_ensemble.onnx')
const cli = (...args: string[]): CliRun => runCli(['--home', home.dir, ...args])
const errorOf = (run: CliRun): { code: string; message: string } =>
  (run.json() as { error: { code: string; message: string } }).error

/** Row counts of the registry's tables, read straight from the SQLite file. */
function rows(dir: string): Record<string, number> {
  const file = path.join(dir, 'registry.sqlite')
  if (!fs.existsSync(file)) return {}
  const db = new Database(file, { readonly: true })
  try {
    const tables = ['models', 'model_versions', 'datasets', 'hyperparameters', 'tags', 'aliases']
    return Object.fromEntries(
      tables.map((t) => [
        t,
        (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
      ]),
    )
  } finally {
    db.close()
  }
}

const nothingWritten = (dir: string): void => {
  expect(Object.values(rows(dir)).every((n) => n === 0)).toBe(true)
  expect(blobFiles(dir)).toEqual([])
}

describe('usage errors', () => {
  it('with --json, a usage mistake prints the error object on stdout and exits 1', () => {
    const missing = cli('register', linear, '--json')
    expect(missing.status).toBe(1)
    expect(errorOf(missing)).toMatchObject({ code: 'INVALID_INPUT' })
    expect(errorOf(missing).message).toContain('--model')
    const unknown = cli('show', 'churn', '--bogus', '--json')
    expect(unknown.status).toBe(1)
    expect(errorOf(unknown).message).toContain('--bogus')
    // help and version are not errors
    expect(runCli(['register', '--help', '--json']).status).toBe(0)
    nothingWritten(home.dir)
  })

  it('without --json, a usage mistake shows terminal escapes escaped', () => {
    const run = cli('show', 'churn', '--\u001b[2Jx')
    expect(run.status).toBe(1)
    expect(run.stderr).not.toContain('\u001b')
    expect(run.stderr).toContain('\\x1b')
  })
})

describe('MODEL@REF', () => {
  it('refuses malformed references, quoting what was typed', () => {
    expect(cli('register', linear, '--model', 'churn').status).toBe(0)
    for (const ref of ['churn@@1', 'churn@1@2', 'churn@', '@1', 'churn@0', 'churn@-1']) {
      const run = cli('show', ref, '--json')
      expect(run.status, ref).toBe(1)
      expect(errorOf(run).code, ref).toBe('INVALID_INPUT')
      expect(errorOf(run).message, ref).toContain(`"${ref}"`)
    }
  })

  it('alias set and tag need an explicit version: a bare model name moves nothing', () => {
    expect(cli('register', linear, tree, '--model', 'churn').status).toBe(0)
    expect(cli('alias', 'set', 'churn@1', 'champion').status).toBe(0)
    const alias = cli('alias', 'set', 'churn', 'champion', '--json')
    expect(alias.status).toBe(1)
    expect(errorOf(alias).message).toContain('churn@')
    const tag = cli('tag', 'churn', 'stage=prod', '--json')
    expect(tag.status).toBe(1)
    const v2 = cli('show', 'churn@2', '--json').json() as { aliases: string[]; tags: object }
    expect(v2).toMatchObject({ aliases: [], tags: {} })
    // an explicit latest is still fine
    expect(cli('alias', 'set', 'churn@latest', 'challenger').status).toBe(0)
  })

  it('says so when an alias already points at the version, instead of "→ v1 (was v1)"', () => {
    expect(cli('register', linear, '--model', 'churn', '--alias', 'champion').status).toBe(0)
    const again = cli('alias', 'set', 'churn@1', 'champion')
    expect(again.status).toBe(0)
    expect(again.stdout).toMatch(/champion already points at v1/)
  })
})

describe('register options', () => {
  it('a bad option is reported once, naming the option and the value, and nothing is written', () => {
    const run = cli('register', linear, tree, '--model', 'my model', '--json')
    expect(run.status).toBe(1)
    const error = errorOf(run)
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toContain('--model "my model"')
    const human = cli('register', linear, tree, '--model', 'churn', '--code-version', ' ')
    expect(human.status).toBe(1)
    expect(human.stderr.trim().split('\n')).toHaveLength(1)
    expect(human.stderr).toContain('--code-version')
    nothingWritten(home.dir)
  })

  it('refuses --alias with several files: one alias names one version', () => {
    const run = cli('register', linear, tree, '--model', 'churn', '--alias', 'champion', '--json')
    expect(run.status).toBe(1)
    expect(errorOf(run).message).toContain('--alias')
    nothingWritten(home.dir)
  })

  it('refuses a hyperparameter or tag given twice instead of keeping the last silently', () => {
    const run = cli(
      'register',
      linear,
      '--model',
      'churn',
      '--param',
      'lr=1',
      '--param',
      'lr=2',
      '--json',
    )
    expect(run.status).toBe(1)
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_INPUT' })
    expect(errorOf(run).message).toMatch(/lr.*twice/)
    const tags = cli(
      'register',
      linear,
      '--model',
      'churn',
      '--tag',
      'a=1',
      '--tag',
      'a=1',
      '--json',
    )
    expect(tags.status).toBe(1)
    nothingWritten(home.dir)
  })

  it('the service refuses a repeated hyperparameter key for every face, writing nothing', async () => {
    const slipway = new Slipway({ home: home.dir, actor: 'qa' })
    try {
      const result = await slipway.invoke(
        'registry:register',
        {
          file: { path: linear },
          model: 'churn',
          hyperparameters: [
            { key: 'lr', value: '1' },
            { key: 'lr', value: '2' },
          ],
        },
        { face: 'electron', readLocalPaths: true },
      )
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    } finally {
      slipway.close()
    }
    nothingWritten(home.dir)
  })

  it('takes --parent as N or vN and refuses anything else by name', () => {
    expect(cli('register', linear, '--model', 'churn').status).toBe(0)
    const child = cli('register', tree, '--model', 'churn', '--parent', 'v1', '--json')
    expect(child.status, child.stdout).toBe(0)
    const show = cli('show', 'churn@2', '--json').json() as { lineage: { parentVersion: number } }
    expect(show.lineage.parentVersion).toBe(1)
    for (const parent of ['abc', '', '0', '1.5']) {
      const run = cli(
        'register',
        fixture('models', 'regression.onnx'),
        '--model',
        'churn',
        '--parent',
        parent,
        '--json',
      )
      expect(run.status, parent).toBe(1)
      expect(errorOf(run).message, parent).toContain(`--parent "${parent}"`)
    }
    expect(rows(home.dir).model_versions).toBe(2)
  })

  it('an error that is not about the bytes still names the file it stopped', () => {
    const run = cli('register', linear, '--model', 'churn', '--parent', '4', '--json')
    expect(run.status).toBe(1)
    expect(errorOf(run).code).toBe('NOT_FOUND')
    expect(errorOf(run).message).toContain('linear_binary.onnx')
    nothingWritten(home.dir)
  })

  it('"already registered" names the file that was given, not the first one registered', () => {
    const copy = path.join(home.dir, 'copy of model.onnx')
    fs.copyFileSync(linear, copy)
    expect(cli('register', linear, '--model', 'churn').status).toBe(0)
    const run = cli('register', copy, '--model', 'churn')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('copy of model.onnx: already registered as churn v1')
  })
})

describe('hostile ONNX', () => {
  it('a refusal quoting a 100,000-character metadata key stays short and escaped in --json', () => {
    // Appending fields to a protobuf message adds them: two metadata_props (field 14) entries.
    const key = `${'k'.repeat(100_000)}\u001b[31m`
    const file = path.join(home.dir, 'dup-keys.onnx')
    fs.writeFileSync(
      file,
      Buffer.concat([fs.readFileSync(linear), metadataEntry(key, 'a'), metadataEntry(key, 'b')]),
    )
    const run = cli('register', file, '--model', 'dup', '--json')
    expect(run.status).toBe(1)
    const error = errorOf(run)
    expect(error.code).toBe('ONNX_INVALID')
    expect(error.message).toMatch(
      /^dup-keys\.onnx: metadata key "k+… \(\d+ more characters\)" appears twice$/,
    )
    expect(error.message.length).toBeLessThan(300)
    nothingWritten(home.dir)
  })
})

describe('--home', () => {
  it('refuses a --home that is a file or empty, naming it, and touches no other registry', () => {
    const other = tempHome('slipway-qa-env-')
    try {
      const file = path.join(home.dir, 'not-a-dir')
      fs.writeFileSync(file, 'x')
      const run = runCli(['models', '--home', file, '--json'], { SLIPWAY_HOME: other.dir })
      expect(run.status).toBe(1)
      expect(errorOf(run).message).toContain(file)
      expect(errorOf(run).message).toMatch(/not a directory/)
      const empty = runCli(['models', '--home', '', '--json'], { SLIPWAY_HOME: other.dir })
      expect(empty.status).toBe(1)
      expect(errorOf(empty).message).toContain('--home')
      expect(fs.readdirSync(other.dir)).toEqual([])
    } finally {
      other.cleanup()
    }
  })

  it('a registry file that is not a database is named in the error', () => {
    fs.writeFileSync(path.join(home.dir, 'registry.sqlite'), 'this is not sqlite\n'.repeat(20))
    const run = cli('models', '--json')
    expect(run.status).toBe(1)
    expect(errorOf(run).message).toContain(path.join(home.dir, 'registry.sqlite'))
  })
})

describe('human output', () => {
  it('show prints the doc string, domain, model version and graph name, escaped', () => {
    const bytes = fs.readFileSync(linear)
    const doc = Buffer.from('Logistic regression (scikit-learn), binary.')
    const evil = Buffer.from('Doc \u001b[31mRED\u001b]0;t\u0007'.padEnd(doc.length, '.'))
    const at = bytes.indexOf(doc)
    expect(at).toBeGreaterThan(0)
    evil.copy(bytes, at)
    const file = path.join(home.dir, 'evil.onnx')
    fs.writeFileSync(file, bytes)
    expect(cli('register', file, '--model', 'evil').status).toBe(0)
    const show = cli('show', 'evil')
    expect(show.status, show.stderr).toBe(0)
    expect(show.stdout).not.toContain('\u001b')
    expect(show.stdout).not.toContain('\u0007')
    expect(show.stdout).toMatch(/Doc string\s+Doc \\x1b\[31mRED\\x1b\]0;t\\x07/)
    expect(show.stdout).toMatch(/Domain\s+dev\.slipway\.fixtures/)
    expect(show.stdout).toMatch(/Model version\s+1/)
    expect(show.stdout).toMatch(/Graph\s+logistic_regression/)
  })

  it('models --search with no match says nothing matched, not that the registry is empty', () => {
    expect(cli('register', linear, '--model', 'churn').status).toBe(0)
    const run = cli('models', '--search', 'zzz')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/No model matches "zzz"/)
  })
})
