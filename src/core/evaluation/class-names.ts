// The readable class names a model's `class_names` metadata gives its classes, keyed by the label
// the metrics use: a label is the class's position (0..C-1), or its entry in `class_labels`.
import type { OnnxInfo } from '../../api/registry'
import { SlipwayError } from '../../api/errors'

/**
 * `class_names` as a JSON list of strings, or a comma-separated list; null when absent or malformed.
 * JSON that is not a list (an object, a number) is never read as a comma list.
 */
export function parseClassNames(raw: string | undefined): string[] | null {
  if (raw === undefined || !raw.trim()) return null
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) &&
      parsed.every((v) => typeof v === 'string' || typeof v === 'number')
      ? parsed.map(String)
      : null
  } catch {
    // not JSON: a plain comma-separated list
  }
  const names = raw.split(',').map((name) => name.trim())
  return names.length > 1 && names.every(Boolean) ? names : null
}

/** `class_names` as a JSON object of label → name (`{"0": "setosa", "2": "virginica"}`); else null. */
export function parseClassNameMap(raw: string | undefined): Record<string, string> | null {
  if (raw === undefined || !raw.trim().startsWith('{')) return null
  try {
    const parsed: unknown = JSON.parse(raw)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null
    const entries = Object.entries(parsed)
    return entries.length && entries.every(([, v]) => typeof v === 'string')
      ? Object.fromEntries(entries as [string, string][])
      : null
  } catch {
    return null
  }
}

/**
 * Label → class name for the labels that have one; undefined when the model names none of them
 * (no `class_names`, or names that match no label), so results without names stay as they were.
 */
export function classNamesFor(
  onnx: OnnxInfo,
  labels: readonly string[],
): Record<string, string> | undefined {
  const byLabel = parseClassNameMap(onnx.metadata.class_names)
  if (byLabel) {
    const named: Record<string, string> = {}
    for (const label of labels) {
      const name = byLabel[label]
      if (name !== undefined && name !== label) named[label] = name
    }
    return Object.keys(named).length ? named : undefined
  }
  const names = parseClassNames(onnx.metadata.class_names)
  if (!names) return undefined
  let order: string[] | null = null
  try {
    const parsed: unknown = onnx.metadata.class_labels
      ? JSON.parse(onnx.metadata.class_labels)
      : null
    if (Array.isArray(parsed) && parsed.length === names.length) order = parsed.map(String)
  } catch {
    // no usable class_labels: positions 0..C-1
  }
  const out: Record<string, string> = {}
  for (const label of labels) {
    const index = order ? order.indexOf(label) : /^\d+$/.test(label) ? Number(label) : -1
    const name = index >= 0 ? names[index] : undefined
    if (name !== undefined && name !== label) out[label] = name
  }
  return Object.keys(out).length ? out : undefined
}

/** The label a code stands for; a code outside the labels is a bug in the caller, not bad input. */
export function labelAt(labels: readonly string[], code: number): string {
  const label = labels[code]
  if (label === undefined)
    throw new SlipwayError('INTERNAL', `label code ${code} is not one of ${labels.length} labels`)
  return label
}
