// The contract's number limits in words: every face words its messages from the schema itself.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { numberRange } from '../../src/api/common'
import { DriftBins, DriftChunks, DriftShare, DriftThreshold } from '../../src/api/drift'

describe('numberRange', () => {
  it('words the drift limits from their schemas', () => {
    expect(numberRange(DriftBins).words).toBe('a whole number from 2 to 100')
    expect(numberRange(DriftChunks).words).toBe('a whole number from 2 to 500')
    expect(numberRange(DriftShare).words).toBe('a number above 0 and at most 1')
    expect(numberRange(DriftShare).span).toBe('above 0 and at most 1')
    expect(numberRange(DriftThreshold).words).toBe('a number above 0 and at most 1000000')
  })

  it('words one-sided and open ranges', () => {
    expect(numberRange(z.number().int().min(1)).words).toBe('a whole number of at least 1')
    expect(numberRange(z.number().positive()).words).toBe('a number above 0')
    expect(numberRange(z.number().max(5)).words).toBe('a number of at most 5')
    expect(numberRange(z.number()).words).toBe('a number')
  })
})
