// A run's log on disk, size-capped: the first part is written as it comes (so it can be followed
// live) and, past the cap, only the last part is kept and written when the run ends.
import fs from 'node:fs'

const PROGRESS =
  /^\s*(?:slipway:\s*)?progress\b[:\s]+(\d+(?:\.\d+)?)\s*(?:(?:\/|of)\s*(\d+(?:\.\d+)?))?\s*(%)?\s*(.*)$/i

/** `progress 3/10 epoch 3`, `slipway: progress 40%`, `progress: 2 of 5` → done, total, message. */
export function parseProgressLine(
  line: string,
): { done: number; total: number | null; message: string } | null {
  const m = PROGRESS.exec(line)
  if (!m) return null
  const done = Number(m[1])
  const total = m[3] ? 100 : m[2] !== undefined ? Number(m[2]) : null
  if (!Number.isFinite(done) || (total !== null && !(total > 0))) return null
  return { done, total, message: (m[4] ?? '').trim() }
}

export class RunLogWriter {
  private readonly fd: number
  private headBytes = 0
  private tail: Buffer[] = []
  private tailBytes = 0
  private omitted = 0
  private partial = ''
  private closed = false

  constructor(
    readonly file: string,
    private readonly limitBytes: number,
    private readonly onLine: (line: string) => void = () => {},
  ) {
    this.fd = fs.openSync(file, 'w')
  }

  private get headLimit(): number {
    return Math.floor(this.limitBytes * 0.75)
  }

  private get tailLimit(): number {
    return this.limitBytes - this.headLimit
  }

  write(chunk: Buffer | string): void {
    if (this.closed) return
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.scanLines(buf)
    const room = this.headLimit - this.headBytes
    if (room > 0) {
      const head = buf.subarray(0, room)
      fs.writeSync(this.fd, head)
      this.headBytes += head.length
    }
    const rest = room > 0 ? buf.subarray(room) : buf
    if (rest.length === 0) return
    this.tail.push(Buffer.from(rest))
    this.tailBytes += rest.length
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0]
      if (!first) break
      const over = this.tailBytes - this.tailLimit
      if (first.length <= over) {
        this.tail.shift()
        this.tailBytes -= first.length
        this.omitted += first.length
      } else {
        this.tail[0] = first.subarray(over)
        this.tailBytes -= over
        this.omitted += over
      }
    }
  }

  private scanLines(buf: Buffer): void {
    const text = this.partial + buf.toString('utf8')
    const lines = text.split(/\r?\n|\r/)
    this.partial = (lines.pop() ?? '').slice(-4096)
    for (const line of lines) this.onLine(line)
  }

  get truncated(): boolean {
    return this.omitted > 0
  }

  /** Writes the kept tail (after a marker saying how much was left out) and closes the file. */
  close(): { bytes: number; truncated: boolean } {
    if (this.closed) return { bytes: fs.statSync(this.file).size, truncated: this.truncated }
    if (this.partial) this.onLine(this.partial)
    if (this.omitted > 0)
      fs.writeSync(
        this.fd,
        `\n[slipway: ${this.omitted} bytes of output left out; the log keeps its first and last part]\n`,
      )
    for (const part of this.tail) fs.writeSync(this.fd, part)
    this.tail = []
    fs.closeSync(this.fd)
    this.closed = true
    return { bytes: fs.statSync(this.file).size, truncated: this.omitted > 0 }
  }

  /** A line from Slipway itself (what it ran, why it failed), marked so it is not the program's. */
  note(text: string): void {
    if (this.closed) return
    const line = Buffer.from(`[slipway] ${text}\n`)
    // Notes always land, even past the cap, and in order: they say what happened to the run.
    if (this.headBytes < this.headLimit && this.tail.length === 0) {
      fs.writeSync(this.fd, line)
      this.headBytes += line.length
    } else this.tail.push(line)
  }
}
