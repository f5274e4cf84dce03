// Reads an ONNX model's signature, opsets and metadata straight from its protobuf bytes.
import { displayText } from '../../api/display'
import { SlipwayError } from '../../api/errors'
import type { OnnxInfo, TensorInfo } from '../../api/registry'
import {
  type ByteSource,
  MemorySource,
  WIRE_FIXED32,
  WIRE_LENGTH,
  WIRE_VARINT,
  WireError,
  WireReader,
  isSafeBig,
} from './wire'

/** The newest default-domain opset ONNX Runtime 1.30 loads; it refuses anything newer. */
export const MAX_DEFAULT_OPSET = 26
/** Tensors are fed through 32-bit sizes; a larger declared dimension can never be filled. */
export const MAX_FEEDABLE_DIM = 2n ** 31n - 1n
/** Deeper type nesting than this is not a real model, and would only exhaust the stack. */
const MAX_TYPE_DEPTH = 32

const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
  24: 'float8e8m0',
  25: 'uint2',
  26: 'int2',
}

const elementType = (code: number): string => ELEMENT_TYPES[code] ?? `type(${code})`

interface ParsedType {
  type: string
  shape: (number | string)[] | null
  /** Dimensions as declared, to check what Slipway can feed. */
  dims: bigint[]
}

interface ParsedValue {
  name: string
  type: ParsedType
  docString: string
}

interface ParsedTensor {
  name: string
  dims: bigint[]
  external: string | null
}

interface ParsedGraph {
  name: string
  inputs: ParsedValue[]
  outputs: ParsedValue[]
  initializers: ParsedTensor[]
  opTypes: Map<string, number>
  nodeCount: number
  /** Learned numbers held in node attributes (tree ensembles), counted with the weights. */
  attributeParameters: bigint
}

interface ParsedModel {
  irVersion: bigint | null
  producerName: string
  producerVersion: string
  domain: string
  modelVersion: bigint
  docString: string
  graph: ParsedGraph | null
  opsets: [string, bigint][]
  metadata: [string, string][]
}

/** Checks a field's wire type before reading it: a mismatch means these are not ONNX bytes. */
function expect(wire: number, wanted: number): void {
  if (wire !== wanted) throw new WireError(`wire type ${wire} where ${wanted} was expected`)
}

function parseStringPair(r: WireReader): [string, string] {
  let key = ''
  let value = ''
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1 || field === 2) {
      expect(wire, WIRE_LENGTH)
      if (field === 1) key = r.string()
      else value = r.string()
    } else r.skip(wire)
  }
  return [key, value]
}

function parseShape(r: WireReader, into: ParsedType): void {
  into.shape = []
  while (r.more()) {
    const [field, wire] = r.key()
    if (field !== 1) {
      r.skip(wire)
      continue
    }
    expect(wire, WIRE_LENGTH)
    const dim = r.message()
    let shown: number | string = '?'
    while (dim.more()) {
      const [f, w] = dim.key()
      if (f === 1) {
        expect(w, WIRE_VARINT)
        const value = dim.int64()
        into.dims.push(value)
        // Negative values are how some exporters write "unknown".
        shown = value < 0n ? '?' : isSafeBig(value) ? Number(value) : value.toString()
      } else if (f === 2) {
        expect(w, WIRE_LENGTH)
        shown = dim.string() || '?'
      } else dim.skip(w)
    }
    into.shape.push(shown)
  }
}

/** TypeProto.Tensor and TypeProto.SparseTensor share their layout. */
function parseTensorType(r: WireReader, sparse: boolean): ParsedType {
  const parsed: ParsedType = { type: '?', shape: null, dims: [] }
  let element = 0
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1) {
      expect(wire, WIRE_VARINT)
      element = r.varint()
    } else if (field === 2) {
      expect(wire, WIRE_LENGTH)
      parseShape(r.message(), parsed)
    } else r.skip(wire)
  }
  parsed.type = sparse ? `sparse(${elementType(element)})` : elementType(element)
  return parsed
}

function parseType(r: WireReader, depth: number): ParsedType {
  if (depth > MAX_TYPE_DEPTH) throw new WireError('types nested too deeply')
  let parsed: ParsedType = { type: '?', shape: null, dims: [] }
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 6) {
      r.skip(wire) // denotation
      continue
    }
    if (![1, 4, 5, 7, 8, 9].includes(field)) {
      r.skip(wire)
      continue
    }
    expect(wire, WIRE_LENGTH)
    const inner = r.message()
    if (field === 1) parsed = parseTensorType(inner, false)
    else if (field === 8) parsed = parseTensorType(inner, true)
    else if (field === 4 || field === 9) {
      let element: ParsedType = { type: '?', shape: null, dims: [] }
      while (inner.more()) {
        const [f, w] = inner.key()
        if (f === 1) {
          expect(w, WIRE_LENGTH)
          element = parseType(inner.message(), depth + 1)
        } else inner.skip(w)
      }
      const kind = field === 4 ? 'seq' : 'optional'
      parsed = { type: `${kind}(${element.type})`, shape: null, dims: [] }
    } else if (field === 5) {
      let key = 0
      let value: ParsedType = { type: '?', shape: null, dims: [] }
      while (inner.more()) {
        const [f, w] = inner.key()
        if (f === 1) {
          expect(w, WIRE_VARINT)
          key = inner.varint()
        } else if (f === 2) {
          expect(w, WIRE_LENGTH)
          value = parseType(inner.message(), depth + 1)
        } else inner.skip(w)
      }
      parsed = { type: `map(${elementType(key)},${value.type})`, shape: null, dims: [] }
    } else {
      let domain = ''
      let name = ''
      while (inner.more()) {
        const [f, w] = inner.key()
        if (f === 1 || f === 2) {
          expect(w, WIRE_LENGTH)
          if (f === 1) domain = inner.string()
          else name = inner.string()
        } else inner.skip(w)
      }
      parsed = {
        type: `opaque(${[domain, name].filter(Boolean).join('.')})`,
        shape: null,
        dims: [],
      }
    }
  }
  return parsed
}

function parseValueInfo(r: WireReader): ParsedValue {
  const value: ParsedValue = { name: '', type: { type: '?', shape: null, dims: [] }, docString: '' }
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1 || field === 2 || field === 3) {
      expect(wire, WIRE_LENGTH)
      if (field === 1) value.name = r.string()
      else if (field === 2) value.type = parseType(r.message(), 0)
      else value.docString = r.string()
    } else r.skip(wire)
  }
  return value
}

/** Name, dimensions and data location of a TensorProto; the weights themselves are skipped. */
function parseTensor(r: WireReader): ParsedTensor {
  const tensor: ParsedTensor = { name: '', dims: [], external: null }
  let location = ''
  let dataLocation = 0
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1) r.int64s(wire, tensor.dims)
    else if (field === 8) {
      expect(wire, WIRE_LENGTH)
      tensor.name = r.string()
    } else if (field === 13) {
      expect(wire, WIRE_LENGTH)
      const [key, value] = parseStringPair(r.message())
      if (key === 'location') location = value
    } else if (field === 14) {
      expect(wire, WIRE_VARINT)
      dataLocation = r.varint()
    } else r.skip(wire)
  }
  if (dataLocation === 1) tensor.external = location
  return tensor
}

function parseSparseTensor(r: WireReader): ParsedTensor {
  const sparse: ParsedTensor = { name: '', dims: [], external: null }
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1 || field === 2) {
      expect(wire, WIRE_LENGTH)
      const part = parseTensor(r.message())
      if (field === 1) sparse.name = part.name
      sparse.external ??= part.external
    } else if (field === 3) r.int64s(wire, sparse.dims)
    else r.skip(wire)
  }
  return sparse
}

/**
 * Attributes of ai.onnx.ml tree ensembles that hold learned numbers — split thresholds, leaf
 * values and weights, base values — counted as parameters, as Netron lists them: a forest keeps
 * its parameters in these attributes, not in initializers.
 */
const TREE_ENSEMBLES = new Set(['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'TreeEnsemble'])
const TREE_PARAMETERS = new Set([
  'nodes_values',
  'nodes_values_as_tensor',
  'class_weights',
  'class_weights_as_tensor',
  'target_weights',
  'target_weights_as_tensor',
  'base_values',
  'base_values_as_tensor',
  'nodes_splits',
  'leaf_weights',
])

/** An attribute's name and how many numbers it holds (floats, or a tensor's elements). */
function parseAttribute(r: WireReader): { name: string; numbers: bigint } {
  let name = ''
  let numbers = 0n
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 1) {
      expect(wire, WIRE_LENGTH)
      name = r.string()
    } else if (field === 7 && wire === WIRE_LENGTH) {
      // packed repeated float: four bytes each
      const packed = r.message()
      numbers += BigInt(Math.floor((packed.end - packed.pos) / 4))
    } else if (field === 7 && wire === WIRE_FIXED32) {
      r.skip(wire)
      numbers += 1n
    } else if (field === 2) {
      r.skip(wire)
      numbers += 1n
    } else if (field === 5) {
      expect(wire, WIRE_LENGTH)
      const tensor = parseTensor(r.message())
      const count = tensor.dims.reduce((product, dim) => product * dim, 1n)
      if (count > 0n) numbers += count
    } else r.skip(wire)
  }
  return { name, numbers }
}

/** A node's operator (domain-qualified outside the default domain) and its attribute parameters. */
function parseNode(r: WireReader): { op: string; parameters: bigint } {
  let op = ''
  let domain = ''
  const attributes: { name: string; numbers: bigint }[] = []
  while (r.more()) {
    const [field, wire] = r.key()
    if (field === 4 || field === 7) {
      expect(wire, WIRE_LENGTH)
      if (field === 4) op = r.string()
      else domain = r.string()
    } else if (field === 5) {
      expect(wire, WIRE_LENGTH)
      attributes.push(parseAttribute(r.message()))
    } else r.skip(wire)
  }
  let parameters = 0n
  if (domain === 'ai.onnx.ml' && TREE_ENSEMBLES.has(op))
    for (const a of attributes) if (TREE_PARAMETERS.has(a.name)) parameters += a.numbers
  return { op: domain === '' || domain === 'ai.onnx' ? op : `${domain}:${op}`, parameters }
}

function parseGraph(r: WireReader): ParsedGraph {
  const graph: ParsedGraph = {
    name: '',
    inputs: [],
    outputs: [],
    initializers: [],
    opTypes: new Map(),
    nodeCount: 0,
    attributeParameters: 0n,
  }
  while (r.more()) {
    const [field, wire] = r.key()
    if (![1, 2, 5, 11, 12, 15].includes(field)) {
      r.skip(wire)
      continue
    }
    expect(wire, WIRE_LENGTH)
    if (field === 2) {
      graph.name = r.string()
      continue
    }
    const inner = r.message()
    if (field === 1) {
      const { op, parameters } = parseNode(inner)
      graph.attributeParameters += parameters
      graph.nodeCount++
      graph.opTypes.set(op, (graph.opTypes.get(op) ?? 0) + 1)
    } else if (field === 5) graph.initializers.push(parseTensor(inner))
    else if (field === 15) graph.initializers.push(parseSparseTensor(inner))
    else if (field === 11) graph.inputs.push(parseValueInfo(inner))
    else graph.outputs.push(parseValueInfo(inner))
  }
  return graph
}

function parseModel(src: ByteSource): ParsedModel {
  const model: ParsedModel = {
    irVersion: null,
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0n,
    docString: '',
    graph: null,
    opsets: [],
    metadata: [],
  }
  const r = WireReader.over(src)
  while (r.more()) {
    const [field, wire] = r.key()
    switch (field) {
      case 1:
        expect(wire, WIRE_VARINT)
        model.irVersion = r.int64()
        break
      case 5:
        expect(wire, WIRE_VARINT)
        model.modelVersion = r.int64()
        break
      case 2:
      case 3:
      case 4:
      case 6: {
        expect(wire, WIRE_LENGTH)
        const text = r.string()
        if (field === 2) model.producerName = text
        else if (field === 3) model.producerVersion = text
        else if (field === 4) model.domain = text
        else model.docString = text
        break
      }
      case 7:
        expect(wire, WIRE_LENGTH)
        model.graph = parseGraph(r.message())
        break
      case 8: {
        expect(wire, WIRE_LENGTH)
        const opset = r.message()
        let domain = ''
        let version = 0n
        while (opset.more()) {
          const [f, w] = opset.key()
          if (f === 1) {
            expect(w, WIRE_LENGTH)
            domain = opset.string()
          } else if (f === 2) {
            expect(w, WIRE_VARINT)
            version = opset.int64()
          } else opset.skip(w)
        }
        model.opsets.push([domain, version])
        break
      }
      case 14:
        expect(wire, WIRE_LENGTH)
        model.metadata.push(parseStringPair(r.message()))
        break
      default:
        r.skip(wire)
    }
  }
  return model
}

const startsWith = (src: ByteSource, magic: number[]): boolean =>
  src.length >= magic.length && magic.every((b, i) => src.byte(i) === b)

/** Names common files that get renamed to .onnx by mistake, for a clearer refusal. */
function recognise(src: ByteSource): string | null {
  const kinds: [string, number[]][] = [
    ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
    ['a JPEG image', [0xff, 0xd8, 0xff]],
    ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
    ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
    [
      'a ZIP archive (PyTorch .pt and Keras files are ZIP archives; export to ONNX first)',
      [0x50, 0x4b, 0x03, 0x04],
    ],
    ['a gzip archive', [0x1f, 0x8b]],
    ['an HDF5 file', [0x89, 0x48, 0x44, 0x46]],
    ['a Python pickle', [0x80]],
  ]
  for (const [kind, magic] of kinds) if (startsWith(src, magic)) return kind
  const head = src.bytes(0, Math.min(src.length, 512))
  const text = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127))
  return text ? 'a text file' : null
}

/** A name from the file, as a refusal quotes it: escaped and cut, since the file may be hostile. */
const quoted = (text: string): string => `"${displayText(text, 80)}"`

function refuse(fileName: string, problem: string): never {
  throw new SlipwayError('ONNX_INVALID', `${fileName}: ${problem}`)
}

function notOnnx(src: ByteSource, fileName: string): never {
  const kind = recognise(src)
  refuse(fileName, kind ? `this is ${kind}, not an ONNX model` : 'truncated or not an ONNX file')
}

function featureNamesFrom(metadata: Map<string, string>, warnings: string[]): string[] | null {
  const raw = metadata.get('feature_names')
  if (raw === undefined) return null
  try {
    const parsed: unknown = JSON.parse(raw)
    if (Array.isArray(parsed) && parsed.every((name): name is string => typeof name === 'string')) {
      return parsed
    }
  } catch {
    // Reported below like any other malformed value.
  }
  warnings.push('metadata feature_names is not a JSON list of strings; it was ignored')
  return null
}

function tensorInfo(value: ParsedValue): TensorInfo {
  const info: TensorInfo = { name: value.name, type: value.type.type, shape: value.type.shape }
  if (value.docString) info.docString = value.docString
  return info
}

function checkFeedable(fileName: string, role: string, values: ParsedValue[]): void {
  for (const value of values) {
    const big = value.type.dims.find((dim) => dim > MAX_FEEDABLE_DIM)
    if (big !== undefined) {
      refuse(
        fileName,
        `${role} ${quoted(value.name)} declares dimension ${big.toString()}, larger than Slipway can feed`,
      )
    }
  }
}

/** Inspects a model held in `src`; throws ONNX_INVALID naming `fileName` and the problem. */
export function inspectSource(src: ByteSource, fileName: string): OnnxInfo {
  if (src.length === 0) refuse(fileName, 'the file is empty (0 bytes), not an ONNX model')
  let model: ParsedModel
  try {
    model = parseModel(src)
  } catch (error) {
    if (error instanceof WireError) notOnnx(src, fileName)
    throw error
  }
  const graph = model.graph
  if (!graph || model.irVersion === null) notOnnx(src, fileName)

  const metadata = new Map<string, string>()
  for (const [key, value] of model.metadata) {
    if (metadata.has(key)) refuse(fileName, `metadata key ${quoted(key)} appears twice`)
    metadata.set(key, value)
  }

  if (model.opsets.length === 0) {
    refuse(fileName, 'the model declares no operator set (opset_import is missing)')
  }
  const opsets = new Map<string, number>()
  for (const [domain, version] of model.opsets) {
    const name = domain === '' ? 'ai.onnx' : domain
    if (name === 'ai.onnx' && version > BigInt(MAX_DEFAULT_OPSET)) {
      refuse(
        fileName,
        `the model needs ONNX opset ${version.toString()}, but ONNX Runtime supports opsets up to ${MAX_DEFAULT_OPSET}`,
      )
    }
    opsets.set(name, Number(version))
  }

  // Old exporters list initializers among the inputs; they are weights, not inputs to feed.
  const weights = new Set(graph.initializers.map((tensor) => tensor.name))
  const inputs = graph.inputs.filter((input) => !weights.has(input.name))
  checkFeedable(fileName, 'input', inputs)
  checkFeedable(fileName, 'output', graph.outputs)

  const external = graph.initializers.find((tensor) => tensor.external !== null)
  if (external) {
    refuse(
      fileName,
      `initializer ${quoted(external.name)} keeps its weights in a separate file (${displayText(external.external ?? '', 200)}); ` +
        'Slipway registers single-file models only: save the model with its weights inside',
    )
  }

  let parameters = graph.attributeParameters
  for (const tensor of graph.initializers) {
    const count = tensor.dims.reduce((product, dim) => product * dim, 1n)
    if (count > 0n) parameters += count
  }

  const warnings: string[] = []
  const featureNames = featureNamesFrom(metadata, warnings)
  const labelColumn = metadata.get('label_column')

  return {
    irVersion: Number(model.irVersion),
    opsets: Object.fromEntries(opsets),
    producer: { name: model.producerName, version: model.producerVersion },
    modelVersion: isSafeBig(model.modelVersion)
      ? Number(model.modelVersion)
      : model.modelVersion.toString(),
    docString: model.docString,
    domain: model.domain,
    graphName: graph.name,
    metadata: Object.fromEntries(metadata),
    inputs: inputs.map(tensorInfo),
    outputs: graph.outputs.map(tensorInfo),
    nodeCount: graph.nodeCount,
    opTypes: Object.fromEntries(graph.opTypes),
    parameterCount: Number(parameters),
    initializerCount: graph.initializers.length,
    featureNames,
    labelColumn: labelColumn ? labelColumn : null,
    warnings,
  }
}

/** Inspects the bytes of an ONNX model; `fileName` is what error messages call it. */
export function inspectOnnx(bytes: Uint8Array, fileName: string): OnnxInfo {
  return inspectSource(new MemorySource(bytes), fileName)
}
