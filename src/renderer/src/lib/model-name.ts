// Suggests a model name from a file name, following the model-name rules of the contract.
import { ModelName } from '../../../api/common'

/** `Churn Model (v2).onnx` → `Churn-Model-v2`; always a valid model name. */
export function modelNameFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? ''
  const stem = base.replace(/\.onnx$/i, '')
  let name = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[-._]+$/, '')
    .slice(0, 128)
    .replace(/[-._]+$/, '')
  if (!ModelName.safeParse(name).success) name = 'model'
  return name
}

/** The contract's message for a bad model name, or null when it is fine. */
export function modelNameProblem(name: string): string | null {
  const parsed = ModelName.safeParse(name)
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Invalid model name')
}

export const isOnnxFileName = (fileName: string): boolean => /\.onnx$/i.test(fileName)
