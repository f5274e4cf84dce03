// `slipway drift` as a demanding user drives it: the built CLI on a real registry home, the
// service for the stored report; numbers from scipy (test/fixtures/drift/generate_qa_refs.py).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DriftReport } from '../../src/api/drift'
import { Slipway } from '../../src/core/service'
import { runCli, type CliRun } from '../helpers/cli'
import { fixture, storedCounts, tempHome } from '../helpers/home'

interface Stats {
  ks: { statistic: number; pValue: number } | null
  psi: number | null
  jensenShannon: number | null
  wassersteinNormed: number | null
  chi2: { statistic: number; pValue: number; dof: number } | null
}
interface JsonColumn {
  name: string
  kind: string
  test: string | null
  statistic: number | null
  pValue: number | null
  threshold: number | null
  drifted: boolean
  why: string
  notes: string[]
  stats: Stats
}
const refs = JSON.parse(fs.readFileSync(fixture('drift', 'qa_refs.json'), 'utf8')) as {
  units: {
    psi: number
    jensenShannon: number
    decileJensenShannon: number
    chi2: { statistic: number; pValue: number; dof: number }
  }
  share: { jensenShannon: number; wassersteinNormed: number }
  spend: {
    referenceInfinite: number
    currentInfinite: number
    wassersteinDefined: boolean
    ks: { statistic: number; pValue: number }
  }
  tenure: { referencePresent: number; referenceMissing: number }
}

const drift = (name: string): string => fixture('drift', name)
let home: { dir: string; cleanup: () => void }
const cli = (...args: string[]): CliRun => runCli(['drift', '--home', home.dir, ...args])
const qa = ['--reference', drift('qa_reference.csv'), '--current', drift('qa_current.csv')]
const small = ['--reference', drift('reference.csv'), '--current', drift('current.csv')]

const close = (actual: number | null | undefined, want: number, rel = 1e-10): void => {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - want) <= 1e-15 + rel * Math.abs(want), `${actual} vs ${want}`).toBe(
    true,
  )
}
const columnOf = (run: CliRun, name: string): JsonColumn =>
  (run.json() as { columns: JsonColumn[] }).columns.find((c) => c.name === name)!

/** Drift runs, blobs and audit records a failed command must not add. */
function stored(): Record<string, number> {
  return storedCounts(home.dir, { runs: 'drift_runs', audit: 'audit_events' })
}

/** A small CSV in the test's home folder. */
function csv(name: string, lines: string[]): string {
  const file = path.join(home.dir, name)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

beforeAll(() => {
  home = tempHome('slipway-drift-inputs-')
})
afterAll(() => home.cleanup())

describe('slipway drift: statistics a statistician can reproduce', () => {
  it('compares a numeric column with few values value by value, so a move to a new value drifts', () => {
    // Ten decile bins of a 95%-zero reference leave one edge at 0 and put 0, 1 and 2 in one bin:
    // the binned distance is exactly 0 although half of current data moved to a new value.
    expect(refs.units.decileJensenShannon).toBe(0)
    const run = cli(...qa, '--json', '--fail-on-drift')
    expect(run.stderr).toBe('')
    const units = columnOf(run, 'units')
    expect([units.kind, units.test, units.drifted]).toEqual(['numeric', 'jensenshannon', true])
    close(units.statistic, refs.units.jensenShannon)
    close(units.stats.jensenShannon, refs.units.jensenShannon)
    close(units.stats.psi, refs.units.psi)
    close(units.stats.chi2!.statistic, refs.units.chi2.statistic)
    expect(units.stats.chi2!.dof).toBe(refs.units.chi2.dof)
    expect(units.why).toMatch(/numeric with only 3 distinct values across both datasets\.$/)
    close(columnOf(run, 'share').stats.wassersteinNormed, refs.share.wassersteinNormed)
  })

  it('says why a statistic is undefined, and counts present values when the reference has gaps', () => {
    const run = cli(...qa, '--json')
    expect(refs.spend.wassersteinDefined).toBe(false)
    const spend = columnOf(run, 'spend')
    expect([spend.test, spend.statistic, spend.drifted]).toEqual(['wasserstein', null, false])
    expect(spend.why).toContain(
      `undefined here (infinite values: ${refs.spend.referenceInfinite} in the reference, ${refs.spend.currentInfinite} in current data)`,
    )
    close(spend.stats.ks!.statistic, refs.spend.ks.statistic)
    close(spend.stats.ks!.pValue, refs.spend.ks.pValue)
    // The table for people says so too, and gives the reason, as the drift share counts it.
    const table = cli(...qa)
    expect(table.stdout).toMatch(/\nspend +numeric +wasserstein +0\.1000 +not tested /)
    expect(table.stdout).toMatch(/\nspend: Not tested: the Normed Wasserstein distance/)
    expect(table.stdout).toMatch(/ of 3 feature columns drifted/)
    const tenure = columnOf(run, 'tenure')
    expect(tenure.why).toContain(
      `the reference has ${refs.tenure.referencePresent.toLocaleString('en-US')} values in this column (> 1,000; ${refs.tenure.referenceMissing} missing)`,
    )
  })

  it('prints the value and the threshold with enough digits that the why sentence is true', () => {
    // Thresholds a hair away from scipy's values: three digits would print "0.097 < 0.097".
    const jsLimit = Number(refs.share.jensenShannon.toPrecision(2))
    const pLimit = Number(refs.spend.ks.pValue.toPrecision(4))
    expect(Number(refs.share.jensenShannon.toPrecision(3))).toBe(jsLimit)
    const run = cli(
      ...qa,
      '--method',
      'share=jensenshannon',
      '--threshold',
      `share=${jsLimit}`,
      '--method',
      'spend=ks',
      '--threshold',
      `spend=${pLimit}`,
      '--json',
    )
    expect(run.stderr).toBe('')
    const cases: [JsonColumn, number, number][] = [
      [columnOf(run, 'share'), refs.share.jensenShannon, jsLimit],
      [columnOf(run, 'spend'), refs.spend.ks.pValue, pLimit],
    ]
    for (const [column, value, limit] of cases) {
      const drifted = column.test === 'ks' ? value <= limit : value >= limit
      expect(column.drifted, column.name).toBe(drifted)
      const m = /\((?:p = )?(\S+) (<|≤|>|≥) (\S+)\)/.exec(column.why)
      expect(m, column.why).not.toBeNull()
      const [shown, op, shownLimit] = [Number(m![1]), m![2], Number(m![3])]
      expect(shownLimit, column.why).toBe(limit)
      const holds = { '<': shown < shownLimit, '≤': shown <= shownLimit, '>': shown > shownLimit }
      expect(op === '≥' ? shown >= shownLimit : holds[op as '<'], column.why).toBe(true)
      expect(shown, column.why).not.toBe(shownLimit)
      expect(column.why).toMatch(/, the test chosen for this column in the settings\.$/)
      expect(column.why).not.toContain('chosen because chosen')
    }
  })
})

describe('slipway drift: refusals name the flag, file, column or cell, and store nothing', () => {
  it('refuses a p-value threshold of 1 or more, which would make every column drift', () => {
    const before = stored()
    for (const threshold of ['2', '1', 'age=1.5']) {
      const run = cli(...small, '--threshold', threshold)
      expect(run.status, threshold).toBe(1)
      expect(run.stderr).toMatch(
        /Column "age": the threshold (2|1|1\.5) of the ks test is a p-value level and must be below 1/,
      )
    }
    const z = cli(...small, '--method', 'age=z')
    expect(z.status).toBe(1)
    // age has hundreds of values; the count stops early, so the message must not name a number.
    expect(z.stderr).toMatch(
      /Column "age" has more than 5 distinct values across both datasets; the z test needs/,
    )
    expect(stored()).toEqual(before)
  })

  it('names the flag of a value out of range, and refuses contradictory flags', () => {
    const cases: [string[], RegExp][] = [
      [['--method', '=ks'], /--method "=ks": name a column before "="/],
      [['--threshold', 'age=0'], /--threshold "age=0": use a number above 0/],
      [['--threshold', 'age='], /--threshold "age=": give a number/],
      [['--bins', '1'], /--bins "1": use a whole number from 2 to 100/],
      [['--drift-share', '1.5'], /--drift-share "1.5": use a number above 0 and at most 1/],
      [['--chunks', '3', '--timestamp', 'ts'], /--chunks splits current data in row order/],
      [['--fail-on-degradation'], /--fail-on-degradation needs --model MODEL@REF/],
      [['--performance-drop', '0'], /--performance-drop "0": use a number above 0/],
    ]
    const folder = cli('--reference', fixture('drift'), '--current', drift('current.csv'))
    expect(folder.status).toBe(1)
    expect(folder.stderr).toMatch(/fixtures[\\/]drift: is a folder; give a CSV or Parquet file/)
    for (const [flags, message] of cases) {
      const run = cli(...small, ...flags)
      expect(run.status, flags.join(' ')).toBe(1)
      expect(run.stderr, flags.join(' ')).toMatch(message)
    }
  })

  it('names the cell that is not a date, an empty timestamp column, and a missing label column', () => {
    const before = stored()
    const reference = csv('ts-reference.csv', ['x', '1', '2', '3'])
    const cells = ['2026-03-01', '2026-03-01T10:00:00+02:00', 'yesterday', '']
    const bad = csv('ts-bad.csv', ['ts,x', ...cells.map((t, i) => `${t},${i}`)])
    const run = cli('--reference', reference, '--current', bad, '--timestamp', 'ts')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(
      /ts-bad\.csv: column "ts" holds .* not timestamps .*; row 3 holds "yesterday"/,
    )
    const empty = csv('ts-empty.csv', ['ts,x', ',1', ',2'])
    const none = cli('--reference', reference, '--current', empty, '--timestamp', 'ts')
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/ts-empty\.csv: column "ts" is empty in every row/)
    expect(none.stderr).not.toMatch(/numeric values/)
    const three = csv('three.csv', ['ts,x', '2026-03-01,1', '2026-03-02,2', '2026-03-03,3'])
    const chunks = cli('--reference', reference, '--current', three, '--chunks', '5')
    expect(chunks.status).toBe(1)
    expect(chunks.stderr).toMatch(/three\.csv: has 3 rows, fewer than the 5 chunks asked for/)
    // A test for a column that is not compared (here the one splitting windows) is no silent no-op.
    const split = cli(
      '--reference',
      three,
      '--current',
      three,
      '--timestamp',
      'ts',
      '--method',
      'ts=psi',
    )
    expect(split.status).toBe(1)
    expect(split.stderr).toMatch(
      /The settings give column "ts" a test or threshold, but it is not compared: the timestamp column/,
    )
    const data = (name: string): string => fixture('data', name)
    const reg = runCli([
      'register',
      '--home',
      home.dir,
      fixture('models', 'regression.onnx'),
      '--model',
      'house',
    ])
    expect(reg.status).toBe(0)
    const afterRegister = stored()
    const label = cli(
      '--reference',
      data('regression-train.csv'),
      '--current',
      data('regression-eval.csv'),
      '--model',
      'house@1',
      '--label',
      'price',
      '--chunks',
      '2',
    )
    expect(label.status).toBe(1)
    expect(label.stderr).toMatch(/regression-eval\.csv: has no label column "price"/)
    expect(stored()).toEqual(afterRegister)
    expect(before.runs).toBe(afterRegister.runs)
  })
})

describe('drift report: kinds, infinities and histograms', () => {
  it('notes a changed kind and every unseen category, and keeps histograms finite with infinities', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      const reference = csv('kind-reference.csv', ['code', ...['1', '2', '3', '4', '5', '6', '7']])
      const current = csv('kind-current.csv', [
        'code',
        'one',
        'two',
        'three',
        'four',
        'five',
        'six',
      ])
      const run = async (ref: string, cur: string): Promise<DriftReport> => {
        const job = await slipway.call('drift:start', {
          reference: { file: { path: ref } },
          current: { file: { path: cur } },
        })
        const done = await slipway.core.jobs.wait(job.id)
        expect(done.status, done.error?.message).toBe('done')
        return done.result as DriftReport
      }
      const kinds = await run(reference, current)
      expect(kinds.columns[0]!.notes[0]).toBe(
        'Numeric in the reference but text in current data; compared as categories.',
      )
      // 10,000 distinct cities in current data, 50 of them known: the note counts all the others.
      const cities = await run(
        csv('cities-reference.csv', [
          'city',
          ...Array.from({ length: 1200 }, (_, i) => `c${i % 50}`),
        ]),
        csv('cities-current.csv', ['city', ...Array.from({ length: 10000 }, (_, i) => `c${i}`)]),
      )
      const city = cities.columns[0]!
      expect([city.test, city.drifted, city.stats.unseenCategories.length]).toEqual([
        'jensenshannon',
        true,
        1000,
      ])
      expect(city.notes.join(' ')).toMatch(/ and 9,945 more \(the first 1,000 are listed\)\.$/)
      const report = await run(drift('qa_reference.csv'), drift('qa_current.csv'))
      const spend = report.columns.find((c) => c.name === 'spend')!
      const h = spend.histogram
      expect(h.kind).toBe('numeric')
      if (h.kind !== 'numeric') return
      expect(h.edges).toHaveLength(21)
      expect(h.edges.every(Number.isFinite)).toBe(true)
      // Every value counted once, the infinities in the outer bins.
      expect(h.reference.reduce((a, b) => a + b, 0)).toBe(spend.reference.count)
      expect(h.current.reduce((a, b) => a + b, 0)).toBe(spend.current.count)
      expect(h.reference.at(-1)).toBeGreaterThanOrEqual(refs.spend.referenceInfinite)
      expect(h.current[0]).toBeGreaterThanOrEqual(refs.spend.currentInfinite)
      // p5…p95 by position: five, or none, never a shorter list that shifts the labels.
      for (const side of [spend.reference, spend.current])
        expect(side.quantiles === null || side.quantiles.length === 5).toBe(true)
    } finally {
      slipway.close()
    }
  })
})
