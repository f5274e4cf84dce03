// The onnxruntime-node version in use: recorded with every evaluation and shown by app:info.
import { createRequire } from 'node:module'

export function onnxruntimeVersion(): string {
  try {
    const require = createRequire(__filename)
    return (require('onnxruntime-node/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}
