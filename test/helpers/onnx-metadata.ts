// A fixture model with one more metadata entry, for tests of what metadata changes.
import { readFileSync } from 'node:fs'

/** One `metadata_props` entry (field 14) of a ModelProto: appended to a model's bytes, it adds to them. */
export function metadataEntry(key: string, value: string): Buffer {
  const varint = (n: number): Buffer => {
    const out: number[] = []
    for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128)
    return Buffer.from([...out, n])
  }
  const field = (tag: number, body: Buffer): Buffer =>
    Buffer.concat([Buffer.from([tag]), varint(body.length), body])
  return field(
    0x72,
    Buffer.concat([field(0x0a, Buffer.from(key)), field(0x12, Buffer.from(value))]),
  )
}

/** The model file's bytes with `key: value` appended to its metadata (protobuf fields concatenate). */
export function withMetadata(file: string, key: string, value: string): Buffer {
  return Buffer.concat([readFileSync(file), metadataEntry(key, value)])
}
