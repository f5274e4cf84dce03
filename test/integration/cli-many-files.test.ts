// Registering many files at once: 1,500 paths on one command line (onnxruntime-node segfaults
// creating a session in a process whose command line is over ~28 KB), a folder, and --files-from.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { argvBytes } from '../../src/core/onnx/argv-limit'
import { runCli } from '../helpers/cli'
import { fixture, tempHome } from '../helpers/home'
import { metadataEntry } from '../helpers/onnx-copies'

const COUNT = 1500

let models: string
let files: string[]
beforeAll(() => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-many-models-'))
  const base = fs.readFileSync(fixture('models', 'linear_binary.onnx'))
  files = []
  for (let i = 0; i < COUNT; i++) {
    const file = path.join(models, `model-${String(i).padStart(4, '0')}.onnx`)
    fs.writeFileSync(file, Buffer.concat([base, metadataEntry('copy', String(i))]))
    files.push(file)
  }
})
afterAll(() => fs.rmSync(models, { recursive: true, force: true }))

let home: { dir: string; cleanup: () => void }
beforeEach(() => {
  home = tempHome()
})
afterEach(() => home.cleanup())

const cli = path.resolve(__dirname, '..', '..', 'out', 'node', 'cli.cjs')

/** The CLI with room for 1,500 results on stdout (runCli keeps spawnSync's 1 MB limit). */
function runBig(
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string; json: () => unknown } {
  const run = spawnSync(process.execPath, [cli, ...args], {
    input,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, SLIPWAY_USER: 'ci-user' },
  })
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    json: () => JSON.parse(run.stdout) as unknown,
  }
}

const versionsOf = (run: { json: () => unknown }): number[] =>
  (run.json() as { version: number; existing: boolean }[]).map((r) => r.version)

describe('register with many files', () => {
  it(`registers ${COUNT} files named on one command line without crashing`, () => {
    const args = ['register', ...files, '--model', 'many', '--home', home.dir, '--json']
    // The command line is well past the length at which ONNX Runtime crashes.
    expect(argvBytes(args)).toBeGreaterThan(28 * 1024)
    const run = runBig(args)
    expect(run.status, run.stderr).toBe(0)
    const results = run.json() as { version: number; existing: boolean; fileName: string }[]
    expect(results).toHaveLength(COUNT)
    expect(results.every((r) => !r.existing)).toBe(true)
    expect(versionsOf(run)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1))
    expect(results[COUNT - 1]!.fileName).toBe(`model-${COUNT - 1}.onnx`)
    // The temporary argument file the child read is gone.
    const left = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('slipway-argv-'))
    expect(left).toEqual([])
  })

  it('takes every .onnx file directly inside a folder, in name order', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-folder-'))
    try {
      for (const file of files.slice(0, 12))
        fs.copyFileSync(file, path.join(folder, path.basename(file)))
      fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a model')
      fs.mkdirSync(path.join(folder, 'nested.onnx'))
      const run = runCli(['register', folder, '--model', 'folder', '--home', home.dir, '--json'])
      expect(run.status, run.stderr).toBe(0)
      const results = run.json() as { version: number; fileName: string }[]
      expect(results.map((r) => r.fileName)).toEqual(
        files.slice(0, 12).map((f) => path.basename(f)),
      )
    } finally {
      fs.rmSync(folder, { recursive: true, force: true })
    }
  })

  it('refuses a folder with no .onnx file, naming it, and registers nothing', () => {
    const run = runCli(['register', home.dir, '--model', 'none', '--home', home.dir, '--json'])
    expect(run.status).toBe(1)
    expect(run.json()).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringContaining(`${home.dir}: the folder holds no ONNX models`),
      },
    })
  })

  it('refuses a command with no file at all', () => {
    const run = runCli(['register', '--model', 'none', '--home', home.dir, '--json'])
    expect(run.status).toBe(1)
    expect((run.json() as { error: { message: string } }).error.message).toMatch(
      /No files given.*--files-from/,
    )
  })

  it('reads paths from --files-from FILE and from standard input', () => {
    const list = path.join(home.dir, 'list.txt')
    fs.mkdirSync(home.dir, { recursive: true })
    fs.writeFileSync(list, `${files.slice(0, 5).join('\r\n')}\r\n\r\n`)
    const fromFile = runCli([
      'register',
      '--files-from',
      list,
      '--model',
      'listed',
      '--home',
      home.dir,
      '--json',
    ])
    expect(fromFile.status, fromFile.stderr).toBe(0)
    expect(versionsOf(fromFile)).toEqual([1, 2, 3, 4, 5])

    // All 1,500 through stdin: a short command line, so no relaunch is involved.
    const fromStdin = runBig(
      ['register', '--files-from', '-', '--model', 'piped', '--home', home.dir, '--json'],
      `${files.join('\n')}\n`,
    )
    expect(fromStdin.status, fromStdin.stderr).toBe(0)
    expect((fromStdin.json() as unknown[]).length).toBe(COUNT)
  })

  it('names the list file that cannot be read', () => {
    const run = runCli([
      'register',
      '--files-from',
      path.join(home.dir, 'absent.txt'),
      '--model',
      'x',
      '--home',
      home.dir,
      '--json',
    ])
    expect(run.status).toBe(1)
    expect(run.json()).toEqual({
      error: {
        code: 'BAD_FILE',
        message: expect.stringMatching(
          /--files-from .*absent\.txt: cannot read the list \(no such file\)/,
        ),
      },
    })
  })
})
