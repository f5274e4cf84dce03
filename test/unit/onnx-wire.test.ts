// ONNX inspection of hand-encoded protobuf: every type and shape form, int64 edges, hostile bytes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isSlipwayError } from '../../src/api/errors'
import { OnnxInfo } from '../../src/api/registry'
import { inspectOnnx } from '../../src/core/onnx'
import { inspectSource } from '../../src/core/onnx/inspect'
import { type ByteSource, FileSource, MemorySource } from '../../src/core/onnx/wire'

// A minimal protobuf encoder, so each test states exactly the bytes it feeds.
type Bytes = Uint8Array
const utf8 = new TextEncoder()

function cat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function varint(value: bigint | number): Bytes {
  let v = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v) b |= 0x80
    out.push(b)
  } while (v)
  return Uint8Array.from(out)
}

const tag = (field: number, wire: number): Bytes => varint(field * 8 + wire)
const int = (field: number, value: bigint | number): Bytes => cat(tag(field, 0), varint(value))
const len = (field: number, payload: Bytes): Bytes =>
  cat(tag(field, 2), varint(payload.length), payload)
const str = (field: number, text: string): Bytes => len(field, utf8.encode(text))
const msg = (field: number, ...parts: Bytes[]): Bytes => len(field, cat(...parts))

const FLOAT = 1
const INT64 = 7
const STRING = 8
const BOOL = 9
const FLOAT16 = 10

type Dim = bigint | number | string | null
const dim = (d: Dim): Bytes =>
  msg(1, d === null ? new Uint8Array() : typeof d === 'string' ? str(2, d) : int(1, d))
/** TypeProto contents. */
const tensorT = (elem: number, dims?: Dim[]): Bytes =>
  msg(1, int(1, elem), ...(dims ? [msg(2, ...dims.map(dim))] : []))
const sparseT = (elem: number, dims: Dim[]): Bytes => msg(8, int(1, elem), msg(2, ...dims.map(dim)))
const seqT = (inner: Bytes): Bytes => msg(4, msg(1, inner))
const mapT = (key: number, inner: Bytes): Bytes => msg(5, int(1, key), msg(2, inner))
const optionalT = (inner: Bytes): Bytes => msg(9, msg(1, inner))
const value = (field: 11 | 12, name: string, type: Bytes, doc?: string): Bytes =>
  msg(field, str(1, name), msg(2, type), ...(doc ? [str(3, doc)] : []))
const node = (op: string, domain?: string): Bytes =>
  msg(1, str(1, 'x'), str(2, 'y'), str(4, op), ...(domain !== undefined ? [str(7, domain)] : []))
const initializer = (name: string, dims: number[], raw = new Uint8Array(), packed = true): Bytes =>
  msg(
    5,
    packed ? len(1, cat(...dims.map((d) => varint(d)))) : cat(...dims.map((d) => int(1, d))),
    int(2, FLOAT),
    str(8, name),
    len(9, raw),
  )

interface ModelParts {
  ir?: number | null
  modelVersion?: bigint | number
  opsets?: [string, number][]
  graph?: Bytes[] | null
  metadata?: [string, string][]
  extra?: Bytes[]
}

function model(parts: ModelParts = {}): Bytes {
  const graph = parts.graph === undefined ? [value(11, 'x', tensorT(FLOAT, ['N', 3]))] : parts.graph
  return cat(
    ...(parts.ir === null ? [] : [int(1, parts.ir ?? 8)]),
    str(2, 'handmade'),
    str(3, '0.1'),
    str(4, 'test.domain'),
    int(5, parts.modelVersion ?? 3),
    str(6, 'doc'),
    ...(graph === null ? [] : [msg(7, str(2, 'g'), ...graph)]),
    ...(parts.opsets ?? [['', 13]]).map(([d, v]) => msg(8, str(1, d), int(2, v))),
    ...(parts.metadata ?? []).map(([k, v]) => msg(14, str(1, k), str(2, v))),
    ...(parts.extra ?? []),
  )
}

function refusal(bytes: Bytes, fileName = 'crafted.onnx'): string {
  try {
    inspectOnnx(bytes, fileName)
  } catch (error) {
    if (isSlipwayError(error) && error.code === 'ONNX_INVALID') return error.message
    throw error
  }
  throw new Error('expected ONNX_INVALID')
}

describe('types and shapes', () => {
  test('every type form and dimension form is named', () => {
    const info = inspectOnnx(
      model({
        graph: [
          value(11, 'features', tensorT(FLOAT, ['batch', 4]), 'rows of features'),
          value(11, 'unknown', tensorT(INT64, [null, -1, 2147483647])),
          value(11, 'scalar', tensorT(BOOL, [])),
          value(11, 'noshape', tensorT(STRING)),
          value(11, 'half', tensorT(FLOAT16, [2])),
          value(11, 'odd', tensorT(99, [1])),
          value(11, 'sparse', sparseT(FLOAT, [10, 10])),
          value(12, 'zipmap', seqT(mapT(INT64, tensorT(FLOAT)))),
          value(12, 'maybe', optionalT(tensorT(FLOAT, [1]))),
          value(12, 'named', msg(7, str(1, 'com.x'), str(2, 'Blob'))),
        ],
      }),
      'types.onnx',
    )
    expect(info.inputs).toEqual([
      { name: 'features', type: 'float32', shape: ['batch', 4], docString: 'rows of features' },
      { name: 'unknown', type: 'int64', shape: ['?', '?', 2147483647] },
      { name: 'scalar', type: 'bool', shape: [] },
      { name: 'noshape', type: 'string', shape: null },
      { name: 'half', type: 'float16', shape: [2] },
      { name: 'odd', type: 'type(99)', shape: [1] },
      { name: 'sparse', type: 'sparse(float32)', shape: [10, 10] },
    ])
    expect(info.outputs).toEqual([
      { name: 'zipmap', type: 'seq(map(int64,float32))', shape: null },
      { name: 'maybe', type: 'optional(float32)', shape: null },
      { name: 'named', type: 'opaque(com.x.Blob)', shape: null },
    ])
    expect(OnnxInfo.parse(info)).toEqual(info)
  })

  test('an output dimension past 2^31-1 is refused with its exact value', () => {
    const bytes = model({
      graph: [value(11, 'x', tensorT(FLOAT, [1])), value(12, 'y', tensorT(FLOAT, [2 ** 31]))],
    })
    expect(refusal(bytes)).toBe(
      'crafted.onnx: output "y" declares dimension 2147483648, larger than Slipway can feed',
    )
    const huge = model({ graph: [value(11, 'x', tensorT(FLOAT, [2n ** 62n + 1n]))] })
    expect(refusal(huge)).toContain('declares dimension 4611686018427387905,')
  })

  test('types nested deeper than any real model are refused, not a stack overflow', () => {
    let type = tensorT(FLOAT)
    for (let i = 0; i < 40; i++) type = seqT(type)
    expect(refusal(model({ graph: [value(11, 'x', type)] }))).toBe(
      'crafted.onnx: truncated or not an ONNX file',
    )
    let deep = tensorT(FLOAT)
    for (let i = 0; i < 20; i++) deep = seqT(deep)
    const info = inspectOnnx(model({ graph: [value(11, 'x', deep)] }), 'deep.onnx')
    expect(info.inputs[0]!.type).toBe(`${'seq('.repeat(20)}float32${')'.repeat(20)}`)
  })
})

describe('model fields', () => {
  test('int64 model versions stay exact', () => {
    expect(inspectOnnx(model({ modelVersion: 7 }), 'm').modelVersion).toBe(7)
    expect(inspectOnnx(model({ modelVersion: 2n ** 63n - 1n }), 'm').modelVersion).toBe(
      '9223372036854775807',
    )
    expect(inspectOnnx(model({ modelVersion: -5 }), 'm').modelVersion).toBe(-5)
  })

  test('op types are counted per domain, the default domain by plain name', () => {
    const info = inspectOnnx(
      model({
        opsets: [
          ['', 17],
          ['ai.onnx.ml', 3],
          ['com.microsoft', 1],
        ],
        graph: [
          node('Relu'),
          node('Relu', 'ai.onnx'),
          node('Relu', ''),
          node('FusedMatMul', 'com.microsoft'),
          node('Scaler', 'ai.onnx.ml'),
        ],
      }),
      'ops.onnx',
    )
    expect(info.nodeCount).toBe(5)
    expect(info.opTypes).toEqual({
      Relu: 3,
      'com.microsoft:FusedMatMul': 1,
      'ai.onnx.ml:Scaler': 1,
    })
    expect(info.opsets).toEqual({ 'ai.onnx': 17, 'ai.onnx.ml': 3, 'com.microsoft': 1 })
  })

  test('parameters count packed, unpacked, scalar and sparse initializers; inputs that are weights drop out', () => {
    const sparse = msg(
      15,
      msg(1, int(1, 4), int(2, FLOAT), str(8, 'S')),
      msg(2, int(1, 4), int(2, INT64)),
      int(3, 100),
      int(3, 50),
    )
    const info = inspectOnnx(
      model({
        graph: [
          value(11, 'x', tensorT(FLOAT, ['N', 3])),
          value(11, 'W', tensorT(FLOAT, [3, 2])),
          value(11, 'S', sparseT(FLOAT, [100, 50])),
          initializer('W', [3, 2], new Uint8Array(24)),
          initializer('B', [2], new Uint8Array(8), false),
          initializer('scale', []),
          sparse,
        ],
      }),
      'params.onnx',
    )
    expect(info.inputs.map((i) => i.name)).toEqual(['x'])
    expect(info.initializerCount).toBe(4)
    expect(info.parameterCount).toBe(6 + 2 + 1 + 5000)
  })

  test('metadata keys that are special to JavaScript objects are kept as plain keys', () => {
    const info = inspectOnnx(
      model({
        metadata: [
          ['__proto__', 'x'],
          ['constructor', 'y'],
          ['', 'empty key'],
        ],
      }),
      'm',
    )
    expect(Object.keys(info.metadata)).toEqual(['__proto__', 'constructor', ''])
    expect(info.metadata.__proto__).toBe('x')
    expect(Object.getPrototypeOf(info.metadata)).toBe(Object.prototype)
  })

  test('feature_names must be a JSON list of strings', () => {
    const names = (raw: string): [string[] | null, string[]] => {
      const info = inspectOnnx(model({ metadata: [['feature_names', raw]] }), 'm')
      return [info.featureNames, info.warnings]
    }
    expect(names('["a","b"]')).toEqual([['a', 'b'], []])
    expect(names('[]')).toEqual([[], []])
    expect(names('{"a":1}')[0]).toBeNull()
    expect(names('"a,b"')[1]).toHaveLength(1)
    expect(names('a,b')[0]).toBeNull()
  })

  test('unknown fields of every wire type are skipped', () => {
    const fixed64 = cat(tag(90, 1), new Uint8Array(8))
    const fixed32 = cat(tag(91, 5), new Uint8Array(4))
    const info = inspectOnnx(
      model({
        graph: [value(11, 'x', tensorT(FLOAT, [1])), int(77, 5), fixed64, str(78, 'x'), fixed32],
        extra: [int(92, 2n ** 64n - 1n), fixed64, fixed32, msg(25, str(1, 'function'))],
      }),
      'm',
    )
    expect(info.inputs).toEqual([{ name: 'x', type: 'float32', shape: [1] }])
  })
})

describe('refusals', () => {
  test('structure that is not an ONNX model', () => {
    expect(refusal(model({ graph: null }))).toBe('crafted.onnx: truncated or not an ONNX file')
    expect(refusal(model({ ir: null }))).toBe('crafted.onnx: truncated or not an ONNX file')
    expect(refusal(cat(int(1, 8), int(7, 1)))).toBe('crafted.onnx: truncated or not an ONNX file')
    expect(refusal(cat(model(), tag(40, 3)))).toBe('crafted.onnx: truncated or not an ONNX file')
    expect(refusal(cat(model(), tag(40, 0), new Uint8Array(11).fill(0xff)))).toBe(
      'crafted.onnx: truncated or not an ONNX file',
    )
    expect(refusal(cat(model(), tag(40, 2), varint(1000), new Uint8Array(3)))).toBe(
      'crafted.onnx: truncated or not an ONNX file',
    )
    expect(refusal(model({ opsets: [] }))).toBe(
      'crafted.onnx: the model declares no operator set (opset_import is missing)',
    )
    expect(refusal(model({ opsets: [['', 27]] }))).toBe(
      'crafted.onnx: the model needs ONNX opset 27, but ONNX Runtime supports opsets up to 26',
    )
    expect(inspectOnnx(model({ opsets: [['', 26]] }), 'm').opsets).toEqual({ 'ai.onnx': 26 })
  })

  test('every prefix of a real model either inspects or is refused cleanly', () => {
    const bytes = readFileSync(join(__dirname, '..', 'fixtures', 'models', 'tree_ensemble.onnx'))
    let refused = 0
    for (let cut = 0; cut < bytes.length; cut += 7) {
      try {
        OnnxInfo.parse(inspectOnnx(bytes.subarray(0, cut), 'cut.onnx'))
      } catch (error) {
        expect(isSlipwayError(error) && error.code === 'ONNX_INVALID').toBe(true)
        expect((error as Error).message.startsWith('cut.onnx: ')).toBe(true)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(bytes.length / 7 - 5)
  })

  test('corrupted bytes never escape as anything but ONNX_INVALID', () => {
    const original = readFileSync(
      join(__dirname, '..', 'fixtures', 'models', 'mlp_multiclass.onnx'),
    )
    let seed = 12345
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const outcomes = { inspected: 0, refused: 0 }
    for (let round = 0; round < 400; round++) {
      const bytes = Uint8Array.from(original)
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
      }
      try {
        OnnxInfo.parse(inspectOnnx(bytes, 'fuzz.onnx'))
        outcomes.inspected++
      } catch (error) {
        if (!isSlipwayError(error)) throw error
        expect(error.code).toBe('ONNX_INVALID')
        outcomes.refused++
      }
    }
    expect(outcomes.inspected + outcomes.refused).toBe(400)
    expect(outcomes.refused).toBeGreaterThan(0)
  })
})

describe('large models', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-onnx-wire-'))
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  /** Counts the bytes inspection actually looks at. */
  class CountingSource implements ByteSource {
    touched = 0
    constructor(private readonly inner: ByteSource) {}
    get length(): number {
      return this.inner.length
    }
    byte(pos: number): number {
      this.touched++
      return this.inner.byte(pos)
    }
    bytes(start: number, end: number): Uint8Array {
      this.touched += end - start
      return this.inner.bytes(start, end)
    }
  }

  test('weights are skipped, not read', () => {
    const weights = new Uint8Array(24 * 1024 * 1024)
    const bytes = model({
      graph: [
        value(11, 'x', tensorT(FLOAT, ['N', 3072])),
        initializer('W1', [3072, 1024], weights.subarray(0, 12 * 1024 * 1024)),
        initializer('W2', [3072, 1024], weights.subarray(12 * 1024 * 1024)),
        node('MatMul'),
      ],
    })
    const counting = new CountingSource(new MemorySource(bytes))
    const info = inspectSource(counting, 'big.onnx')
    expect(info.parameterCount).toBe(2 * 3072 * 1024)
    expect(counting.touched).toBeLessThan(1000)

    const file = join(tmp, 'big.onnx')
    writeFileSync(file, bytes)
    const source = new FileSource(file)
    try {
      expect(inspectSource(source, 'big.onnx')).toEqual(info)
    } finally {
      source.close()
    }
  })
})
