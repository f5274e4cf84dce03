// A small protobuf wire-format reader over bytes in memory or in a file, for ONNX inspection.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export const WIRE_VARINT = 0
export const WIRE_FIXED64 = 1
export const WIRE_LENGTH = 2
export const WIRE_FIXED32 = 5

/** Random access to the bytes of a model; callers never ask for more than `length`. */
export interface ByteSource {
  readonly length: number
  byte(pos: number): number
  /** Bytes `[start, end)`; the result may be a view that is only valid until the next call. */
  bytes(start: number, end: number): Uint8Array
}

export class MemorySource implements ByteSource {
  constructor(private readonly data: Uint8Array) {}
  get length(): number {
    return this.data.length
  }
  byte(pos: number): number {
    return this.data[pos] ?? 0
  }
  bytes(start: number, end: number): Uint8Array {
    return this.data.subarray(start, end)
  }
}

const WINDOW = 64 * 1024

/**
 * Reads a file through one small window, so inspecting a model of hundreds of megabytes only
 * touches the bytes of its structure and skips the weights without reading them.
 */
export class FileSource implements ByteSource {
  readonly length: number
  private readonly fd: number
  private readonly window = Buffer.alloc(WINDOW)
  private windowStart = 0
  private windowEnd = 0

  constructor(file: string) {
    this.fd = openSync(file, 'r')
    try {
      this.length = fstatSync(this.fd).size
    } catch (error) {
      closeSync(this.fd)
      throw error
    }
  }

  close(): void {
    closeSync(this.fd)
  }

  byte(pos: number): number {
    if (pos < this.windowStart || pos >= this.windowEnd) this.fill(pos)
    return this.window[pos - this.windowStart] ?? 0
  }

  bytes(start: number, end: number): Uint8Array {
    if (end - start > WINDOW) {
      const out = Buffer.alloc(end - start)
      this.readAt(out, start)
      return out
    }
    if (start < this.windowStart || end > this.windowEnd) this.fill(start)
    return this.window.subarray(start - this.windowStart, end - this.windowStart)
  }

  private fill(pos: number): void {
    const wanted = Math.min(WINDOW, this.length - pos)
    this.readAt(this.window.subarray(0, wanted), pos)
    this.windowStart = pos
    this.windowEnd = pos + wanted
  }

  private readAt(target: Uint8Array, pos: number): void {
    let done = 0
    while (done < target.length) {
      const n = readSync(this.fd, target, done, target.length - done, pos + done)
      if (n === 0) throw new Error('file shrank while it was being read')
      done += n
    }
  }
}

/** Thrown by the reader on anything that is not well-formed protobuf; the caller words it. */
export class WireError extends Error {}

const utf8 = new TextDecoder('utf-8')

/** Reads the fields of one message between `pos` and `end`. */
export class WireReader {
  pos: number

  constructor(
    private readonly src: ByteSource,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
  }

  static over(src: ByteSource): WireReader {
    return new WireReader(src, 0, src.length)
  }

  more(): boolean {
    return this.pos < this.end
  }

  /** The next field key as `[field number, wire type]`. */
  key(): [number, number] {
    const key = this.varint()
    const field = Math.floor(key / 8)
    if (field === 0) throw new WireError('field number 0')
    return [field, key % 8]
  }

  /** An unsigned varint that must fit in a safe integer (keys, lengths, enums, small counts). */
  varint(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.next()
      value += (b & 0x7f) * scale
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) throw new WireError('varint too large')
        return value
      }
      scale *= 128
    }
    throw new WireError('varint longer than 10 bytes')
  }

  /** A varint read exactly as a signed 64-bit integer (int64 fields such as dimensions). */
  int64(): bigint {
    let low = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      const b = this.next()
      low |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return BigInt.asIntN(64, low)
      shift += 7n
    }
    throw new WireError('varint longer than 10 bytes')
  }

  /** A length-delimited field's bounds, checked against the enclosing message. */
  span(): [number, number] {
    const length = this.varint()
    const start = this.pos
    if (length > this.end - start) throw new WireError('field runs past the end')
    this.pos = start + length
    return [start, start + length]
  }

  message(): WireReader {
    const [start, end] = this.span()
    return new WireReader(this.src, start, end)
  }

  string(): string {
    const [start, end] = this.span()
    return utf8.decode(this.src.bytes(start, end))
  }

  /** Skips a field of any valid wire type without reading its contents. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint64Skip()
        return
      case WIRE_FIXED64:
        this.advance(8)
        return
      case WIRE_LENGTH:
        this.span()
        return
      case WIRE_FIXED32:
        this.advance(4)
        return
      default:
        throw new WireError(`wire type ${wire}`)
    }
  }

  /** Reads a repeated int64 field that may be packed or not; `wire` is the key's wire type. */
  int64s(wire: number, into: bigint[]): void {
    if (wire === WIRE_VARINT) {
      into.push(this.int64())
      return
    }
    if (wire !== WIRE_LENGTH) throw new WireError('repeated int64 with wrong wire type')
    const packed = this.message()
    while (packed.more()) into.push(packed.int64())
  }

  private varint64Skip(): void {
    for (let i = 0; i < 10; i++) if (this.next() < 0x80) return
    throw new WireError('varint longer than 10 bytes')
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new WireError('field runs past the end')
    this.pos += n
  }

  private next(): number {
    if (this.pos >= this.end) throw new WireError('varint runs past the end')
    return this.src.byte(this.pos++)
  }
}

/** True when `value` (from `int64()`) is a safe JavaScript integer. */
export const isSafeBig = (value: bigint): boolean =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)
