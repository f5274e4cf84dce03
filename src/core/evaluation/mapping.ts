// Which dataset columns feed which model inputs, which column is the label, and how the model's
// outputs are read (label, class probabilities, regression prediction).
import type { ColumnMapping, ResolvedMapping, Task } from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import type { OnnxInfo, TensorInfo } from '../../api/registry'
import type { Column, Table } from '../data/table'

const NUMERIC_TYPES = new Set([
  'float32',
  'float64',
  'float16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'double',
  'float',
])

export const isNumericType = (type: string): boolean => NUMERIC_TYPES.has(type)

/** Feature count of an input: the last dimension of a 2-D input, 1 for a 1-D one, null if unknown. */
export function inputWidth(input: TensorInfo): number | null {
  if (!input.shape) return null
  if (input.shape.length === 1) return 1
  if (input.shape.length === 2) return typeof input.shape[1] === 'number' ? input.shape[1] : null
  return null
}

/**
 * A column whose name differs from `name` only by surrounding spaces or case (`" income"` after
 * "age, income" in a header): said in the message, since the two look the same on screen.
 */
export function nearMiss(table: Table, name: string): string {
  const key = name.trim().toLowerCase()
  const like = table.columns.find((c) => c.name !== name && c.name.trim().toLowerCase() === key)
  return like ? `; column ${JSON.stringify(like.name)} differs from it only by spaces or case` : ''
}

function checkColumn(table: Table, column: string, input: TensorInfo, fileName: string): Column {
  const found = table.columns.find((c) => c.name === column)
  if (!found)
    throw new SlipwayError(
      'MAPPING_INVALID',
      `${fileName}: has no column "${column}" (needed for model input "${input.name}")${nearMiss(table, column)}`,
    )
  const numericInput = isNumericType(input.type)
  if (numericInput && found.kind !== 'numeric' && found.kind !== 'boolean') {
    throw new SlipwayError(
      'MAPPING_INVALID',
      `${fileName}: column "${column}" is ${found.kind}, but model input "${input.name}" takes ${input.type} numbers`,
    )
  }
  if (input.type === 'string' && found.kind === 'numeric') {
    // Numbers can be fed as their text; allowed.
  }
  return found
}

/** The label column: --label, else the model's `label_column` metadata, else `label` or `target`. */
export function resolveLabel(
  table: Table,
  onnx: OnnxInfo,
  label: string | undefined,
  fileName: string,
): string | null {
  const has = (name: string): boolean => table.columns.some((c) => c.name === name)
  if (label !== undefined) {
    if (!has(label))
      throw new SlipwayError(
        'MAPPING_INVALID',
        `${fileName}: has no label column "${label}"${nearMiss(table, label)}`,
      )
    return label
  }
  if (onnx.labelColumn && has(onnx.labelColumn)) return onnx.labelColumn
  if (has('label')) return 'label'
  if (has('target')) return 'target'
  return null
}

/** Why no label column was found: what was looked for, and a look-alike column if there is one. */
export function noLabelMessage(table: Table, onnx: OnnxInfo, fileName: string): string {
  const wanted = [...new Set([onnx.labelColumn, 'label', 'target'].filter((n) => n))] as string[]
  const like = wanted.map((n) => nearMiss(table, n)).find((hint) => hint) ?? ''
  const named = onnx.labelColumn
    ? `the model's label_column "${onnx.labelColumn}" is not among the columns`
    : 'the model names none'
  return `${fileName}: no label column (${named}, and there is no ${wanted
    .filter((n) => n !== onnx.labelColumn)
    .map((n) => `"${n}"`)
    .join(
      ' or ',
    )} column${onnx.labelColumn ? ' either' : ''})${like}; choose the label column (--label in the CLI)`
}

/**
 * Maps columns to inputs: an explicit mapping; else the model's `feature_names`; else inputs of
 * width 1 by their names; else a single 2-D input takes the numeric non-label columns in file
 * order when their count matches. Anything missing or extra is an error naming it.
 */
export function resolveMapping(
  table: Table,
  onnx: OnnxInfo,
  options: {
    label: string | null
    slice?: string | null
    explicit?: ColumnMapping | null
    explicitSource?: 'explicit' | 'saved'
    fileName: string
  },
): ResolvedMapping {
  const { fileName, label } = options
  const inputs = onnx.inputs
  const first = inputs[0]
  if (!first) throw new SlipwayError('MAPPING_INVALID', 'The model has no inputs to feed')
  const done = (source: ResolvedMapping['source'], columns: string[][]): ResolvedMapping => {
    const resolved = inputs.map((input, i) => {
      const names = columns[i]
      if (!names) throw new SlipwayError('INTERNAL', `no columns for model input "${input.name}"`)
      names.forEach((c) => checkColumn(table, c, input, fileName))
      return { input, names }
    })
    // Scoring a model against one of its own inputs measures nothing (and a continuous input as
    // the truth makes one class per distinct value): almost always a wrong --label.
    const fed = resolved.find(({ names }) => label !== null && names.includes(label))
    if (fed)
      throw new SlipwayError(
        'MAPPING_INVALID',
        `${fileName}: label column "${label}" is also fed to model input "${fed.input.name}"; choose the column that holds the truth as the label column (--label in the CLI)`,
      )
    return {
      source,
      inputs: resolved.map(({ input, names }) => ({
        name: input.name,
        type: input.type,
        columns: names,
      })),
      label,
    }
  }

  if (options.explicit && Object.keys(options.explicit).length) {
    const slots = inputs.map((input) => ({
      input,
      columns: new Array<string | undefined>(inputWidth(input) ?? 0).fill(undefined),
    }))
    for (const [key, column] of Object.entries(options.explicit)) {
      let inputIndex = inputs.findIndex((input) => input.name === key)
      let feature = 0
      if (inputIndex < 0) {
        const m = /^(.*)\[(\d+)\]$/.exec(key) ?? (/^(\d+)$/.test(key) ? [key, '', key] : null)
        if (!m)
          throw new SlipwayError(
            'MAPPING_INVALID',
            `Mapping names "${key}", which is not an input of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`,
          )
        inputIndex =
          m[1] === ''
            ? inputs.length === 1
              ? 0
              : -1
            : inputs.findIndex((input) => input.name === m[1])
        if (inputIndex < 0) {
          throw new SlipwayError(
            'MAPPING_INVALID',
            `Mapping names "${key}", but the model has ${inputs.length} inputs; write INPUT[INDEX]=COLUMN`,
          )
        }
        feature = Number(m[2])
      }
      const slot = slots[inputIndex]
      if (!slot) throw new SlipwayError('INTERNAL', `model input ${inputIndex} of ${inputs.length}`)
      const slotList = slot.columns
      if (slotList.length === 0 && feature === 0) slotList.push(undefined)
      if (feature >= slotList.length) {
        // A width the model leaves open grows with the mapping.
        if (inputWidth(slot.input) === null)
          while (slotList.length <= feature) slotList.push(undefined)
        else
          throw new SlipwayError(
            'MAPPING_INVALID',
            `Mapping names feature ${feature} of input "${slot.input.name}", which has only ${slotList.length}`,
          )
      }
      slotList[feature] = column
    }
    const columns = slots.map(({ input, columns: slotList }) =>
      slotList.map((column, f) => {
        if (column === undefined) {
          throw new SlipwayError(
            'MAPPING_INVALID',
            `Feature ${f} of model input "${input.name}" is not mapped to a column`,
          )
        }
        return column
      }),
    )
    slots.forEach(({ input }, i) => {
      if (columns[i]?.length === 0)
        throw new SlipwayError(
          'MAPPING_INVALID',
          `Model input "${input.name}" is not mapped to any column`,
        )
    })
    return done(options.explicitSource ?? 'explicit', columns)
  }

  const features = onnx.featureNames
  if (features && features.length) {
    if (inputs.length === 1) {
      const width = inputWidth(first)
      if (width !== null && width !== features.length) {
        throw new SlipwayError(
          'MAPPING_INVALID',
          `The model's feature_names lists ${features.length} features but its input "${first.name}" takes ${width}`,
        )
      }
      return done('feature_names', [features])
    }
    if (inputs.every((input) => inputWidth(input) === 1) && features.length === inputs.length) {
      return done(
        'feature_names',
        features.map((f) => [f]),
      )
    }
  }

  if (inputs.length > 1 || inputWidth(first) === 1) {
    if (inputs.every((input) => inputWidth(input) === 1 || inputWidth(input) === null)) {
      return done(
        'input_names',
        inputs.map((input) => [input.name]),
      )
    }
    throw new SlipwayError(
      'MAPPING_INVALID',
      `The model has ${inputs.length} inputs of several features each; map the columns explicitly (INPUT[INDEX]=COLUMN)`,
    )
  }

  const input = first
  const width = inputWidth(input)
  const numeric = table.columns
    .filter((c) => c.kind === 'numeric' && c.name !== label && c.name !== options.slice)
    .map((c) => c.name)
  if (width === null) {
    throw new SlipwayError(
      'MAPPING_INVALID',
      `The model's input "${input.name}" does not say how many features it takes and has no feature_names; map the columns explicitly`,
    )
  }
  if (numeric.length !== width) {
    throw new SlipwayError(
      'MAPPING_INVALID',
      `Model input "${input.name}" takes ${width} features, but ${fileName} has ${numeric.length} numeric non-label columns (${numeric.slice(0, 20).join(', ')}${numeric.length > 20 ? ', …' : ''}); map the columns explicitly`,
    )
  }
  return done('numeric_columns', [numeric])
}

/** Class names from `class_labels` metadata (a JSON list), else 0..C-1. */
export function classLabels(onnx: OnnxInfo, count: number): string[] {
  const raw = onnx.metadata.class_labels
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as unknown
      if (Array.isArray(parsed) && parsed.length === count) return parsed.map((v) => String(v))
    } catch {
      // fall through to 0..C-1
    }
  }
  return Array.from({ length: count }, (_, i) => String(i))
}

/** The task from `task` metadata when it names one. */
export function taskFromMetadata(onnx: OnnxInfo): Task | null {
  const task = (onnx.metadata.task ?? '').trim().toLowerCase()
  if (/class|binary|multiclass/.test(task)) return 'classification'
  if (/regress/.test(task)) return 'regression'
  return null
}

export const positiveClassOf = (onnx: OnnxInfo): string | null =>
  onnx.metadata.positive_class ?? null
