// Proves ONNX Runtime can load a model, and words its refusal for people.
import { dirname } from 'node:path'
import { InferenceSession } from 'onnxruntime-node'
import { SlipwayError } from '../../api/errors'

const MAX_REASON = 600

/**
 * ORT's messages carry the path it was given and the C++ source location and signature that
 * threw; keep only the sentence a person can act on.
 */
export function ortReason(error: unknown, file: string): string {
  let reason = error instanceof Error ? error.message : String(error)
  reason = reason.replace(/^Load model from .*? failed:/s, '')
  reason = reason.replace(/\/onnxruntime_src\/\S+:\d+\s+(?:[^()]*\([^)]*\)\s*)?/g, '')
  reason = reason.split(file).join('<model>').split(dirname(file)).join('<model folder>')
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  reason = reason.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()
  if (reason.length > MAX_REASON) reason = `${reason.slice(0, MAX_REASON)}…`
  return reason || 'no reason given'
}

/** Creates and releases an inference session; the time it took is what a user waits for. */
export async function checkLoads(file: string, fileName: string): Promise<{ loadMs: number }> {
  const started = performance.now()
  let session: InferenceSession
  try {
    session = await InferenceSession.create(file, { logSeverityLevel: 3 })
  } catch (error) {
    throw new SlipwayError(
      'MODEL_LOAD_FAILED',
      `${fileName}: ONNX Runtime cannot load this model: ${ortReason(error, file)}`,
    )
  }
  const loadMs = performance.now() - started
  await session.release()
  return { loadMs }
}
