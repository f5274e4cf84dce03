// Column → input mapping and label choice: feature_names, input names, numeric columns in file
// order, explicit mappings, and the MAPPING_INVALID messages that name what is missing.
import { describe, expect, it } from 'vitest'
import type { OnnxInfo, TensorInfo } from '../../src/api/registry'
import type { Table } from '../../src/core/data/table'
import {
  classLabels,
  resolveLabel,
  resolveMapping,
  taskFromMetadata,
} from '../../src/core/evaluation/mapping'

const onnx = (
  inputs: TensorInfo[],
  metadata: Record<string, string> = {},
  featureNames: string[] | null = null,
): OnnxInfo =>
  ({
    inputs,
    outputs: [],
    metadata,
    featureNames,
    labelColumn: metadata.label_column ?? null,
  }) as unknown as OnnxInfo

const numeric = (name: string) => ({
  name,
  kind: 'numeric' as const,
  values: new Float64Array(2),
  missing: new Uint8Array(2),
  missingCount: 0,
})
const table = (...names: string[]): Table => ({
  rowCount: 2,
  columns: names.map((n) =>
    n.startsWith('cat:')
      ? {
          name: n.slice(4),
          kind: 'categorical' as const,
          codes: new Int32Array(2),
          categories: ['a'],
          missingCount: 0,
        }
      : numeric(n),
  ),
})
const opts = { label: 'label', fileName: 'data.csv' }
const input2d = (name: string, width: number | string): TensorInfo => ({
  name,
  type: 'float32',
  shape: ['N', width],
})

describe('resolveMapping', () => {
  it('feature_names pick columns by name, in the model order', () => {
    const m = resolveMapping(
      table('b', 'a', 'label', 'id'),
      onnx([input2d('input', 2)], {}, ['a', 'b']),
      opts,
    )
    expect(m).toEqual({
      source: 'feature_names',
      inputs: [{ name: 'input', type: 'float32', columns: ['a', 'b'] }],
      label: 'label',
    })
  })
  it('a feature_names column missing from the data is named', () => {
    expect(() =>
      resolveMapping(table('a', 'label'), onnx([input2d('input', 2)], {}, ['a', 'b']), opts),
    ).toThrow(/data\.csv: has no column "b" \(needed for model input "input"\)/)
  })
  it('feature_names that disagree with the input width are refused', () => {
    expect(() =>
      resolveMapping(table('a', 'b', 'c'), onnx([input2d('input', 3)], {}, ['a', 'b']), opts),
    ).toThrow(/feature_names lists 2 features but its input "input" takes 3/)
  })
  it('inputs of width 1 are fed by their names', () => {
    const m = resolveMapping(
      table('x', 'y', 'label'),
      onnx([input2d('x', 1), { name: 'y', type: 'float32', shape: ['N'] }]),
      opts,
    )
    expect(m.source).toBe('input_names')
    expect(m.inputs.map((i) => i.columns)).toEqual([['x'], ['y']])
  })
  it('a single 2-D input takes the numeric non-label columns in file order when the count matches', () => {
    const m = resolveMapping(
      table('z', 'cat:city', 'a', 'label'),
      onnx([input2d('float_input', 2)]),
      opts,
    )
    expect(m.inputs[0]!.columns).toEqual(['z', 'a'])
    expect(m.source).toBe('numeric_columns')
  })
  it('…and names the columns when it does not', () => {
    expect(() =>
      resolveMapping(table('z', 'a', 'b', 'label'), onnx([input2d('float_input', 2)]), opts),
    ).toThrow(
      'Model input "float_input" takes 2 features, but data.csv has 3 numeric non-label columns (z, a, b); map the columns explicitly',
    )
  })
  it('explicit mappings by index, INPUT[i] and input name', () => {
    const byIndex = resolveMapping(table('p', 'q', 'label'), onnx([input2d('in', 2)]), {
      ...opts,
      explicit: { '1': 'p', '0': 'q' },
    })
    expect(byIndex.inputs[0]!.columns).toEqual(['q', 'p'])
    const byName = resolveMapping(table('p', 'q'), onnx([input2d('in', 2)]), {
      ...opts,
      explicit: { 'in[0]': 'p', 'in[1]': 'q' },
    })
    expect(byName.inputs[0]!.columns).toEqual(['p', 'q'])
    expect(() =>
      resolveMapping(table('p', 'q'), onnx([input2d('in', 2)]), {
        ...opts,
        explicit: { nope: 'p' },
      }),
    ).toThrow(/Mapping names "nope", which is not an input of the model \(inputs: in\)/)
    expect(() =>
      resolveMapping(table('p', 'q'), onnx([input2d('in', 2)]), {
        ...opts,
        explicit: { '5': 'p' },
      }),
    ).toThrow(/feature 5 of input "in", which has only 2/)
  })
  it('a categorical column for a float input is refused, naming both', () => {
    expect(() =>
      resolveMapping(table('cat:city', 'label'), onnx([input2d('in', 1)]), {
        ...opts,
        explicit: { in: 'city' },
      }),
    ).toThrow('data.csv: column "city" is categorical, but model input "in" takes float32 numbers')
  })
  it('an input whose width is unknown needs feature names or a mapping', () => {
    expect(() => resolveMapping(table('a', 'b'), onnx([input2d('in', 'F')]), opts)).toThrow(
      /does not say how many features/,
    )
  })
})

describe('label, classes and task', () => {
  it('--label, else label_column metadata, else label or target', () => {
    const t = table('a', 'target', 'y')
    expect(resolveLabel(t, onnx([], { label_column: 'y' }), 'a', 'd.csv')).toBe('a')
    expect(resolveLabel(t, onnx([], { label_column: 'y' }), undefined, 'd.csv')).toBe('y')
    expect(resolveLabel(t, onnx([]), undefined, 'd.csv')).toBe('target')
    expect(resolveLabel(table('a'), onnx([]), undefined, 'd.csv')).toBeNull()
    expect(() => resolveLabel(t, onnx([]), 'nope', 'd.csv')).toThrow(
      'd.csv: has no label column "nope"',
    )
  })
  it('class_labels metadata orders the probability columns; else 0..C-1', () => {
    expect(classLabels(onnx([], { class_labels: '["no", "yes"]' }), 2)).toEqual(['no', 'yes'])
    expect(classLabels(onnx([], { class_labels: '[0, 1, 2]' }), 3)).toEqual(['0', '1', '2'])
    expect(classLabels(onnx([], { class_labels: 'broken' }), 2)).toEqual(['0', '1'])
  })
  it('task metadata', () => {
    expect(taskFromMetadata(onnx([], { task: 'binary_classification' }))).toBe('classification')
    expect(taskFromMetadata(onnx([], { task: 'Regression' }))).toBe('regression')
    expect(taskFromMetadata(onnx([]))).toBeNull()
  })
})
