// Registering a 100 MB ONNX model, against `sha256sum` of the same file in the same run.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Slipway } from '../src/core/service'

const dataDir = path.resolve('bench/.data')
const modelFile = path.join(dataDir, 'large-100mb.onnx')
fs.mkdirSync(dataDir, { recursive: true })
if (!fs.existsSync(modelFile))
  execFileSync('/usr/bin/python3', ['bench/make_large_model.py', modelFile], { stdio: 'inherit' })
const size = fs.statSync(modelFile).size

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main(): Promise<void> {
  // Warm the page cache so both sides read from memory.
  execFileSync('sha256sum', [modelFile])
  const shaRuns: number[] = []
  const registerRuns: number[] = []
  for (let i = 0; i < 3; i++) {
    let t = performance.now()
    execFileSync('sha256sum', [modelFile])
    shaRuns.push(performance.now() - t)

    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'))
    const slipway = new Slipway({ home, actor: 'bench' })
    t = performance.now()
    const r = await slipway.call('registry:register', { file: { path: modelFile }, model: 'large' })
    registerRuns.push(performance.now() - t)
    if (r.existing) throw new Error('expected a new version')
    slipway.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
  const sha = median(shaRuns)
  const reg = median(registerRuns)
  console.log(`model file: ${(size / 1e6).toFixed(1)} MB`)
  console.log(`sha256sum:            ${sha.toFixed(0)} ms (median of 3)`)
  console.log(
    `slipway register:     ${reg.toFixed(0)} ms (median of 3: hash+copy, inspect, ONNX Runtime load, one transaction)`,
  )
  console.log(`ratio register/sha256sum: ${(reg / sha).toFixed(2)}x`)
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
}

void main()
