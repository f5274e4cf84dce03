// Distinct small ONNX models made from one fixture: each copy appends its own metadata_props
// entry (ModelProto field 14), so every copy has its own bytes and registers as its own version.
import fs from 'node:fs'
import path from 'node:path'

/** An ONNX metadata_props entry (ModelProto field 14) with short (< 128 byte) key and value. */
export function metadataEntry(key: string, value: string): Buffer {
  const k = Buffer.from(key)
  const v = Buffer.from(value)
  const inner = Buffer.concat([Buffer.from([0x0a, k.length]), k, Buffer.from([0x12, v.length]), v])
  return Buffer.concat([Buffer.from([0x72, inner.length]), inner])
}

/** The bytes of `base` with one more metadata entry `copy=<i>`. */
export function copyBytes(base: Buffer, i: number): Buffer {
  return Buffer.concat([base, metadataEntry('copy', String(i))])
}

/** Writes `count` distinct copies of `base` into `dir` as model-0000.onnx…; returns their paths. */
export function writeCopies(base: Buffer, dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true })
  const width = Math.max(4, String(count - 1).length)
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `model-${String(i).padStart(width, '0')}.onnx`)
    fs.writeFileSync(file, copyBytes(base, i))
    return file
  })
}
