// Draws Slipway's icon (a hull on a launching ramp) as PNGs without any image library:
// resources/icon.png for the window, build/icon.png for electron-builder.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function crc32(buf) {
  let c
  const table = []
  for (let n = 0; n < 256; n++) {
    c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  let crc = 0xffffffff
  for (const b of buf) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(size) {
  const rows = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4)
    for (let x = 0; x < size; x++) {
      const u = x / size
      const v = y / size
      const r2 = (u - 0.5) ** 2 + (v - 0.5) ** 2
      let rgba = [0, 0, 0, 0]
      if (r2 < 0.23) rgba = [30, 58, 95, 255] // disc
      if (r2 < 0.23 && v > 0.62 + (u - 0.5) * 0.35 && v < 0.7 + (u - 0.5) * 0.35)
        rgba = [148, 189, 222, 255] // ramp
      if (
        r2 < 0.23 &&
        v > 0.38 &&
        v < 0.56 &&
        u > 0.3 - (v - 0.38) * 0.4 &&
        u < 0.72 + (0.56 - v) * 0.3
      )
        rgba = [240, 244, 248, 255] // hull
      row.set(rgba, 1 + x * 4)
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8
  header[9] = 6
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

fs.mkdirSync(path.join(root, 'resources'), { recursive: true })
fs.mkdirSync(path.join(root, 'build'), { recursive: true })
fs.writeFileSync(path.join(root, 'resources', 'icon.png'), png(256))
fs.writeFileSync(path.join(root, 'build', 'icon.png'), png(512))
