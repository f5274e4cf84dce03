// ONNX inspection of the fixture models and bad files, checked against facts written by python onnx.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { afterAll, describe, expect, test } from 'vitest'
import { displayText, escapeControl } from '../../src/api/display'
import { isSlipwayError } from '../../src/api/errors'
import { OnnxInfo } from '../../src/api/registry'
import { checkLoads, inspectOnnx, inspectOnnxFile } from '../../src/core/onnx'

const FIXTURES = join(__dirname, '..', 'fixtures')

interface ModelFacts {
  file: string
  irVersion: number
  opsets: Record<string, number>
  producer: { name: string; version: string }
  modelVersion: number
  docString: string
  domain: string
  graphName: string
  metadata: Record<string, string>
  inputs: { name: string; type: string; shape: (number | string)[] | null }[]
  outputs: { name: string; type: string; shape: (number | string)[] | null }[]
  nodeCount: number
  opTypes: Record<string, number>
  parameterCount: number
  initializerCount: number
  featureNames: string[] | null
  labelColumn: string | null
  evalCsv: string
  reference: string
}

interface BadFacts {
  expect: 'ONNX_INVALID' | 'MODEL_LOAD_FAILED' | 'OK'
  reason: string
  ortLoads: boolean
}

interface Manifest {
  models: Record<string, ModelFacts>
  bad: Record<string, BadFacts>
}

interface ClassifierReference {
  classes: number[]
  predict: number[]
  predict_proba: number[][]
}

interface RegressionReference {
  predictions: number[]
}

const manifest = JSON.parse(
  readFileSync(join(FIXTURES, 'models', 'manifest.json'), 'utf8'),
) as Manifest
const modelNames = Object.keys(manifest.models)
const badNames = Object.keys(manifest.bad)

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (isSlipwayError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

function syncFailure(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    if (isSlipwayError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

const tmp = mkdtempSync(join(tmpdir(), 'slipway-onnx-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('fixture models', () => {
  test('the manifest lists the five models and every bad file', () => {
    expect(modelNames.sort()).toEqual([
      'linear_binary',
      'linear_nometa',
      'mlp_multiclass',
      'regression',
      'tree_ensemble',
    ])
    expect([...badNames].sort()).toEqual(readdirSync(join(FIXTURES, 'bad')).sort())
  })

  test.each(modelNames)('%s inspects to the signature python onnx reads', async (name) => {
    const facts = manifest.models[name]!
    const file = join(FIXTURES, facts.file)
    const info = await inspectOnnxFile(file, `${name}.onnx`)
    expect(OnnxInfo.parse(info)).toEqual(info)
    expect(info).toEqual({
      irVersion: facts.irVersion,
      opsets: facts.opsets,
      producer: facts.producer,
      modelVersion: facts.modelVersion,
      docString: facts.docString,
      domain: facts.domain,
      graphName: facts.graphName,
      metadata: facts.metadata,
      inputs: facts.inputs,
      outputs: facts.outputs,
      nodeCount: facts.nodeCount,
      opTypes: facts.opTypes,
      parameterCount: facts.parameterCount,
      initializerCount: facts.initializerCount,
      featureNames: facts.featureNames,
      labelColumn: facts.labelColumn,
      warnings: [],
    })
    // The same answer from bytes in memory as from the windowed file reader.
    expect(inspectOnnx(readFileSync(file), `${name}.onnx`)).toEqual(info)
  })

  test('weights listed among the graph inputs are not model inputs', () => {
    const info = inspectOnnx(readFileSync(join(FIXTURES, 'models', 'linear_nometa.onnx')), 'm.onnx')
    expect(info.inputs.map((input) => input.name)).toEqual(['float_input'])
    expect(info.initializerCount).toBe(3)
    expect(info.featureNames).toBeNull()
    expect(info.labelColumn).toBeNull()
    expect(info.metadata).toEqual({})
  })

  test('checkLoads reports how long ONNX Runtime took to load a model', async () => {
    const { loadMs } = await checkLoads(join(FIXTURES, 'models', 'mlp_multiclass.onnx'), 'mlp.onnx')
    expect(loadMs).toBeGreaterThan(0)
  })

  // The fixtures are the ground truth for every evaluation test, so prove they agree with sklearn.
  test.each(modelNames)(
    '%s run by ONNX Runtime reproduces scikit-learn on its eval CSV',
    async (name) => {
      const facts = manifest.models[name]!
      const lines = readFileSync(join(FIXTURES, facts.evalCsv), 'utf8').trim().split('\n')
      const header = lines[0]!.split(',')
      const features = header.length - 1
      expect(header.slice(0, features)).toEqual(facts.featureNames ?? header.slice(0, features))
      const rows = lines.slice(1).map((line) => line.split(',').map(Number))
      const x = new Float32Array(rows.length * features)
      rows.forEach((row, i) => row.slice(0, features).forEach((v, j) => (x[i * features + j] = v)))
      const session = await InferenceSession.create(join(FIXTURES, facts.file), {
        logSeverityLevel: 3,
      })
      const inputName = facts.inputs[0]!.name
      const out = await session.run({
        [inputName]: new Tensor('float32', x, [rows.length, features]),
      })
      await session.release()
      const reference = JSON.parse(readFileSync(join(FIXTURES, facts.reference), 'utf8')) as
        ClassifierReference | RegressionReference
      if ('predictions' in reference) {
        const predicted = out.prediction!.data as Float32Array
        expect(predicted.length).toBe(rows.length)
        reference.predictions.forEach((value, i) =>
          expect(Math.abs(predicted[i]! - value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(value))),
        )
        return
      }
      const labels = Array.from(out.label!.data as BigInt64Array, Number)
      expect(labels).toEqual(reference.predict)
      const proba = out.probabilities!.data as Float32Array
      const classes = reference.classes.length
      let worst = 0
      reference.predict_proba.forEach((row, i) =>
        row.forEach((p, k) => (worst = Math.max(worst, Math.abs(proba[i * classes + k]! - p)))),
      )
      expect(worst).toBeLessThan(1e-5)
    },
  )
})

describe('tree ensembles', () => {
  test('a 100-tree random forest counts its thresholds and leaf weights as parameters', async () => {
    // Counted by python onnx from the same file (test/fixtures/forest/generate_forest.py).
    const facts = JSON.parse(readFileSync(join(FIXTURES, 'forest', 'forest_100.json'), 'utf8')) as {
      trees: number
      nodes: number
      leaves: number
      parameterCount: number
    }
    expect(facts.trees).toBe(100)
    const info = await inspectOnnxFile(join(FIXTURES, 'forest', 'forest_100.onnx'), 'forest.onnx')
    expect(info.parameterCount).toBeGreaterThan(0)
    expect(info.parameterCount).toBe(facts.parameterCount)
    // One threshold per node and one weight per leaf (binary), plus the two small initializers.
    expect(info.parameterCount).toBe(facts.nodes + facts.leaves + 2)
  })
})

describe('bad files', () => {
  test.each(badNames)('%s gets the outcome the manifest records', async (name) => {
    const expected = manifest.bad[name]!.expect
    const file = join(FIXTURES, 'bad', name)
    if (expected === 'OK') {
      const info = await inspectOnnxFile(file, name)
      expect(OnnxInfo.parse(info)).toEqual(info)
      return
    }
    const { code, message } = await failure(inspectOnnxFile(file, name))
    expect(code).toBe(expected)
    expect(message.startsWith(`${name}: `)).toBe(true)
  })

  // What ORT itself does with each file, parser bypassed: the reason Slipway checks some up front.
  test.each(badNames)('%s: ONNX Runtime 1.30 behaves as recorded', async (name) => {
    const run = checkLoads(join(FIXTURES, 'bad', name), name)
    if (manifest.bad[name]!.ortLoads) {
      await expect(run).resolves.toHaveProperty('loadMs')
      return
    }
    const { code, message } = await failure(run)
    expect(code).toBe('MODEL_LOAD_FAILED')
    expect(message).toMatch(
      new RegExp(`^${name.replace('.', '\\.')}: ONNX Runtime cannot load this model: \\S`),
    )
    expect(message).not.toContain('/onnxruntime_src/')
    expect(message).not.toContain(join(FIXTURES, 'bad'))
  })

  test('each refusal says what is wrong', async () => {
    const messages: Record<string, string> = {}
    for (const name of badNames) {
      if (manifest.bad[name]!.expect === 'OK') continue
      messages[name] = (await failure(inspectOnnxFile(join(FIXTURES, 'bad', name), name))).message
    }
    expect(messages['empty.onnx']).toBe(
      'empty.onnx: the file is empty (0 bytes), not an ONNX model',
    )
    expect(messages['truncated.onnx']).toBe('truncated.onnx: truncated or not an ONNX file')
    expect(messages['random_bytes.onnx']).toBe('random_bytes.onnx: truncated or not an ONNX file')
    expect(messages['png_renamed.onnx']).toBe(
      'png_renamed.onnx: this is a PNG image, not an ONNX model',
    )
    expect(messages['text_renamed.onnx']).toBe(
      'text_renamed.onnx: this is a text file, not an ONNX model',
    )
    expect(messages['no_opset.onnx']).toContain('declares no operator set')
    expect(messages['bad_opset.onnx']).toContain('needs ONNX opset 999')
    expect(messages['unknown_op.onnx']).toContain('FrobnicateX')
    expect(messages['unknown_domain.onnx']).toContain('com.nowhere')
    expect(messages['metadata_dupkeys.onnx']).toBe(
      'metadata_dupkeys.onnx: metadata key "owner" appears twice',
    )
    expect(messages['external_data.onnx']).toContain(
      'initializer "coef" keeps its weights in a separate file',
    )
    // Exact decimals, never rounded through a double (2^63-1 would print as ...776000).
    expect(messages['dim_2p32.onnx']).toBe(
      'dim_2p32.onnx: input "input" declares dimension 4294967296, larger than Slipway can feed',
    )
    expect(messages['dim_int64max.onnx']).toBe(
      'dim_int64max.onnx: input "input" declares dimension 9223372036854775807, larger than Slipway can feed',
    )
  })

  test('the ORT reason names the file as the user knows it, not where it is stored', async () => {
    const stored = join(tmp, 'blob-1234')
    copyFileSync(join(FIXTURES, 'bad', 'unknown_op.onnx'), stored)
    const { message } = await failure(inspectOnnxFile(stored, 'my model.onnx'))
    expect(message).toMatch(/^my model\.onnx: ONNX Runtime cannot load this model: .*FrobnicateX/)
    expect(message).not.toContain(tmp)
  })

  test('refusals from bytes in memory match the file path', () => {
    const bytes = readFileSync(join(FIXTURES, 'bad', 'truncated.onnx'))
    expect(syncFailure(() => inspectOnnx(bytes, 'x.onnx'))).toEqual({
      code: 'ONNX_INVALID',
      message: 'x.onnx: truncated or not an ONNX file',
    })
  })
})

describe('metadata is kept verbatim', () => {
  const read = (name: string): OnnxInfo =>
    inspectOnnx(readFileSync(join(FIXTURES, 'bad', name)), name)

  test('HTML stays text', () => {
    expect(read('metadata_html.onnx').metadata.description).toBe(
      '<script>alert(1)</script><img src=x onerror="alert(2)">',
    )
  })

  test('terminal escapes are kept, and escaped only for display', () => {
    const note = read('metadata_escape.onnx').metadata.note!
    expect(note).toBe(
      'red \x1b[31mALERT\x1b[0m title \x1b]0;owned\x07 bell \x07 nul-free \x9b2J end',
    )
    const shown = displayText(note)
    expect(shown).toBe(
      'red \\x1b[31mALERT\\x1b[0m title \\x1b]0;owned\\x07 bell \\x07 nul-free \\x9b2J end',
    )
    expect(
      [...shown].some(
        (ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f),
      ),
    ).toBe(false)
  })

  test('a 100,000-character value is whole', () => {
    const notes = read('metadata_long.onnx').metadata.notes!
    expect(notes.length).toBe(100_000)
    expect(notes.slice(0, 12)).toBe('abcdefghijab')
    expect(displayText(notes)).toBe(`${notes.slice(0, 200)}… (99800 more characters)`)
  })

  test('path-shaped keys and values are data', () => {
    const info = read('metadata_path.onnx')
    expect(info.metadata['../../etc/passwd']).toBe('../../etc/passwd')
    expect(info.metadata.artifact).toBe('/etc/shadow')
  })

  test('malformed feature_names is ignored with a warning', () => {
    const info = read('metadata_badfeatures.onnx')
    expect(info.featureNames).toBeNull()
    expect(info.labelColumn).toBe('label')
    expect(info.metadata.feature_names).toBe('["a", 2, ')
    expect(info.warnings).toEqual([
      'metadata feature_names is not a JSON list of strings; it was ignored',
    ])
  })
})

describe('displayText', () => {
  test('escapes C0, DEL and C1 controls visibly', () => {
    expect(displayText('a\x00b\x1bc\x7fd\x85e\n\t\r')).toBe('a\\x00b\\x1bc\\x7fd\\x85e\\n\\t\\r')
  })

  test('escapes characters that reorder or hide text', () => {
    expect(displayText('invoice\u202Efdp.onnx')).toBe('invoice\\u202efdp.onnx')
    expect(displayText('a\u200bb\ufeffc\u2066d')).toBe('a\\u200bb\\ufeffc\\u2066d')
    expect(escapeControl('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate')
  })

  test('leaves ordinary text, HTML and emoji alone', () => {
    expect(displayText('<b>Prix: 12 €</b> 🚀 ünïcode')).toBe('<b>Prix: 12 €</b> 🚀 ünïcode')
  })

  test('truncates with a count, never inside an escape or an emoji', () => {
    expect(displayText('abcdef', 4)).toBe('abcd… (2 more characters)')
    expect(displayText('abcdef', 6)).toBe('abcdef')
    expect(displayText('ab\x1bcd', 4)).toBe('ab… (3 more characters)')
    expect(displayText('abc🚀d', 4)).toBe('abc… (3 more characters)')
  })
})

test('a file that cannot be read is BAD_FILE, named as the user knows it', async () => {
  expect(await failure(inspectOnnxFile(join(tmp, 'missing.onnx'), 'gone.onnx'))).toEqual({
    code: 'BAD_FILE',
    message: 'gone.onnx: the file cannot be read (ENOENT)',
  })
})
