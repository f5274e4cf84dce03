// A real scikit-learn recipe (test/fixtures/retrain/train_sklearn.py, Debian python3-sklearn and
// python3-onnx under /usr/bin/python3): the challenger it registers predicts what sklearn's own
// coefficients predict, with sklearn's params in its lineage. Runs only with SLIPWAY_SKLEARN=1
// (scripts/ci-sklearn.sh sets it after checking the packages); skipped with the reason otherwise.
import fs from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from '../helpers/home'

const enabled = process.env.SLIPWAY_SKLEARN === '1'
const reason =
  'needs SLIPWAY_SKLEARN=1 and Debian python3-sklearn + python3-onnx (scripts/ci-sklearn.sh)'
if (!enabled) console.warn(`retraining-sklearn: skipped — ${reason}`)

let home: { dir: string; cleanup: () => void }
let slipway: Slipway

beforeEach(() => {
  home = tempHome('slipway-sklearn-')
  slipway = new Slipway({ home: home.dir, actor: 'tester' })
})

afterEach(() => {
  slipway.close()
  home.cleanup()
})

async function addDataset(file: string, name: string): Promise<void> {
  const job = await slipway.call('datasets:add', { file: { path: fixture('data', file) }, name })
  await slipway.core.jobs.wait(job.id)
}

describe('a scikit-learn recipe', () => {
  it.skipIf(!enabled)(
    `trains, registers and evaluates a LogisticRegression (${enabled ? 'SLIPWAY_SKLEARN=1' : `skipped: ${reason}`})`,
    async () => {
      await slipway.call('registry:register', {
        file: { path: fixture('models', 'linear_binary.onnx') },
        model: 'churn',
      })
      await slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
      await addDataset('linear_binary-train.csv', 'churn-train')
      await addDataset('linear_binary-eval.csv', 'churn-eval')
      await slipway.call('gates:set-policy', {
        model: 'churn',
        policy: { rules: [{ metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true }] },
      })
      await slipway.call('retrain:set-recipe', {
        model: 'churn',
        recipe: {
          command: [
            '/usr/bin/python3',
            fixture('retrain', 'train_sklearn.py'),
            '{data}',
            '{output}',
            '{params}',
            '{workdir}',
          ],
          env: { PYTHONDONTWRITEBYTECODE: '1' },
          trainData: { dataset: 'churn-train' },
          evalData: { dataset: 'churn-eval' },
          params: { C: 0.5, max_iter: 300 },
          timeoutSec: 300,
        },
      })
      const { run: started, job } = await slipway.call('retrain:start', { model: 'churn' })
      await slipway.core.jobs.wait(job!.id)
      const run = await slipway.call('retrain:get', { runId: started.id })
      expect(run.status, run.reason ?? '').toBe('succeeded')
      expect(run.version).toBe(2)
      expect(run.lineage).toMatchObject({
        parent: 1,
        params: { C: '0.5', max_iter: '300', solver: 'lbfgs' },
      })
      // Accuracy from sklearn's own coefficients (float64), computed here on the eval file.
      const metrics = run.trainingMetrics as { coef: number[]; intercept: number }
      const rows = fs
        .readFileSync(fixture('data', 'linear_binary-eval.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').map(Number))
      const right = rows.filter((r) => {
        const z = metrics.intercept + metrics.coef.reduce((s, c, i) => s + c * r[i]!, 0)
        return (z >= 0 ? 1 : 0) === r[4]
      }).length
      expect(run.evaluation!.metrics.accuracy).toBeCloseTo(right / rows.length, 3)
      expect(run.comparison!.champion).toBe(1)
      expect(run.gate).not.toBeNull()
      const version = await slipway.call('registry:get-version', { model: 'churn', ref: 2 })
      expect(version.description).toBe('scikit-learn LogisticRegression on 1200 rows')
      expect(version.onnx.featureNames).toEqual(['age', 'income', 'tenure', 'balance'])
    },
    120_000,
  )
})
