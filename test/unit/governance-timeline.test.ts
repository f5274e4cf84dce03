// The deployment-history timeline's geometry: bars as shares of the span from the first move to now.
import { describe, expect, it } from 'vitest'
import { timelineBars } from '../../src/renderer/src/components/governance/DeploymentTimeline'

const entry = (alias: string, version: number, from: string, until: string | null) => ({
  alias,
  version,
  versionSha256: null,
  from,
  until,
  movedBy: 'Ana',
  requestId: null,
  approvedBy: [],
})

describe('timelineBars', () => {
  it('places each holder from its move until the next, the last until now', () => {
    const now = Date.parse('2026-01-11T00:00:00Z')
    const bars = timelineBars(
      [
        entry('production', 1, '2026-01-01T00:00:00Z', '2026-01-06T00:00:00Z'),
        entry('production', 2, '2026-01-06T00:00:00Z', null),
      ],
      now,
    )
    expect(bars.map((b) => [b.left, b.width])).toEqual([
      [0, 50],
      [50, 50],
    ])
    expect(timelineBars([], now)).toEqual([])
    // A move that lasted no time still shows.
    expect(
      timelineBars(
        [
          entry('a', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
          entry('a', 2, '2026-01-01T00:00:00Z', null),
        ],
        now,
      )[0]!.width,
    ).toBe(0.5)
  })
})
