// The benchmarks' shared input: one generated CSV of 1,000,000 rows × 30 float features + label,
// made once into bench/.data and reused by the ingest and evaluation benches.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export const ROWS = 1_000_000
export const FEATURES = 30
export const dataDir = path.join(process.cwd(), 'bench', '.data')
// The name carries a version: a change to the generator must change it, or old caches are read.
export const csvFile = path.join(dataDir, `ingest-v2-${ROWS}x${FEATURES}.csv`)

/** Deterministic features written with 6 decimals, as exported feature tables usually are. */
export function generateCsv(): void {
  if (fs.existsSync(csvFile)) return
  fs.mkdirSync(dataDir, { recursive: true })
  console.log(`generating ${csvFile} …`)
  // mulberry32: 32-bit integer arithmetic, so the stream stays exact (no float LCG collapse).
  let seed = 12345
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const tmp = `${csvFile}.part`
  const fd = fs.openSync(tmp, 'w')
  fs.writeSync(
    fd,
    `${[...Array.from({ length: FEATURES }, (_, i) => `f${i}`), 'label'].join(',')}\n`,
  )
  let lines: string[] = []
  for (let r = 0; r < ROWS; r++) {
    const cells: string[] = []
    let sum = 0
    for (let j = 0; j < FEATURES; j++) {
      const v = (random() + random() + random() - 1.5) * (j + 1)
      sum += v
      cells.push(v.toFixed(6))
    }
    cells.push(sum > 0 ? '1' : '0')
    lines.push(cells.join(','))
    if (lines.length === 10_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`)
      lines = []
    }
  }
  if (lines.length) fs.writeSync(fd, `${lines.join('\n')}\n`)
  fs.closeSync(fd)
  fs.renameSync(tmp, csvFile)
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function normals(rand: () => number, n: number, mean: number, sd: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand()
    const v = rand()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = mean + sd * r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(2 * Math.PI * v)
  }
  return out
}

/** The benches' model: a logistic regression over f0..f29 of the shared CSV. */
export const modelFile = path.join(dataDir, 'linear-30.onnx')

/** A logistic regression over f0..f29 (python onnx), with the metadata Slipway maps by. */
const MODEL_SCRIPT = `
import json, math, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
n = 30
w = np.array([[0.1 * (1 + 0.3 * math.sin(j))] for j in range(n)], dtype=np.float32)
b = np.array([0.05], dtype=np.float32)
nodes = [
    helper.make_node('MatMul', ['input', 'w'], ['z0']),
    helper.make_node('Add', ['z0', 'b'], ['z']),
    helper.make_node('Sigmoid', ['z'], ['p1']),
    helper.make_node('Sub', ['one', 'p1'], ['p0']),
    helper.make_node('Concat', ['p0', 'p1'], ['probabilities'], axis=1),
    helper.make_node('ArgMax', ['probabilities'], ['label'], axis=1, keepdims=0),
]
graph = helper.make_graph(nodes, 'linear30',
    [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', n])],
    [helper.make_tensor_value_info('label', TensorProto.INT64, ['N']),
     helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['N', 2])],
    [numpy_helper.from_array(w, 'w'), numpy_helper.from_array(b, 'b'), numpy_helper.from_array(np.array([1.0], dtype=np.float32), 'one')])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='slipway-bench')
model.ir_version = 8
for k, v in {'feature_names': json.dumps(['f%d' % j for j in range(n)]), 'label_column': 'label', 'task': 'classification', 'positive_class': '1', 'class_labels': json.dumps(['0', '1'])}.items():
    model.metadata_props.add(key=k, value=v)
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
`

export function makeModel(): void {
  if (fs.existsSync(modelFile)) return
  execFileSync('/usr/bin/python3', ['-c', MODEL_SCRIPT, modelFile], { stdio: 'inherit' })
}
