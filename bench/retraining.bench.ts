// A retraining run's overhead: the same training program (test/fixtures/retrain/train.mjs) run
// directly with execFile, against a Slipway run of it (data copied into a fresh folder, process
// group, live log with progress parsing, registration with lineage), in the same run; once quiet
// and once printing 20,000 log lines.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Slipway } from '../src/core/service'

const train = path.resolve('test/fixtures/retrain/train.mjs')
const data = path.resolve('test/fixtures/data/linear_binary-train.csv')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(extra: string[]): Promise<{ direct: number; slipway: number }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-train-'))
  const params = path.join(scratch, 'params.json')
  fs.writeFileSync(params, JSON.stringify({ epochs: 100 }))
  const direct: number[] = []
  const viaSlipway: number[] = []
  for (let i = 0; i < 5; i++) {
    let t = performance.now()
    execFileSync(
      process.execPath,
      [train, data, path.join(scratch, 'm.onnx'), params, scratch, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    )
    direct.push(performance.now() - t)

    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'))
    const slipway = new Slipway({ home, actor: 'bench' })
    await slipway.call('registry:register', {
      file: { path: path.resolve('test/fixtures/models/linear_binary.onnx') },
      model: 'churn',
    })
    await slipway.call('retrain:set-recipe', {
      model: 'churn',
      recipe: {
        command: [process.execPath, train, '{data}', '{output}', '{params}', '{workdir}', ...extra],
        params: { epochs: 100 },
      },
    })
    t = performance.now()
    const { run, job } = await slipway.call('retrain:start', {
      model: 'churn',
      data: { path: data },
    })
    await slipway.core.jobs.wait(job!.id)
    viaSlipway.push(performance.now() - t)
    const done = await slipway.call('retrain:get', { runId: run.id })
    if (done.status !== 'succeeded') throw new Error(`run ${done.status}: ${done.reason}`)
    slipway.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
  fs.rmSync(scratch, { recursive: true, force: true })
  return { direct: median(direct), slipway: median(viaSlipway) }
}

async function main(): Promise<void> {
  for (const [label, extra] of [
    ['quiet', []],
    ['20,000 log lines', ['--mode', 'noisy']],
  ] as const) {
    const { direct, slipway } = await measure([...extra])
    console.log(
      `${label}: train.mjs directly ${direct.toFixed(0)} ms, as a Slipway run ${slipway.toFixed(0)} ms (medians of 5)`,
    )
    console.log(
      `  ratio run/direct: ${(slipway / direct).toFixed(2)}x, overhead ${(slipway - direct).toFixed(0)} ms`,
    )
  }
}

void main()
