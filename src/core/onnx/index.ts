// ONNX inspection: the model's signature and metadata from its bytes, then a real load by ORT.
import { SlipwayError, isSlipwayError } from '../../api/errors'
import type { OnnxInfo } from '../../api/registry'
import { inspectSource } from './inspect'
import { checkLoads } from './load'
import { FileSource } from './wire'

export { inspectOnnx, MAX_DEFAULT_OPSET, MAX_FEEDABLE_DIM } from './inspect'
export { checkLoads } from './load'

/** Reads only the structure of the file (weights are skipped), then has ONNX Runtime load it. */
export async function inspectOnnxFile(file: string, fileName: string): Promise<OnnxInfo> {
  let info: OnnxInfo
  try {
    const source = new FileSource(file)
    try {
      info = inspectSource(source, fileName)
    } finally {
      source.close()
    }
  } catch (error) {
    if (isSlipwayError(error)) throw error
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new SlipwayError('BAD_FILE', `${fileName}: the file cannot be read (${reason})`)
  }
  await checkLoads(file, fileName)
  return info
}
