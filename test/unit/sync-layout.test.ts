// Store keys and the Remotes page's form: pure parts of the shared store.
import { describe, expect, it } from 'vitest'
import {
  modelKey,
  numberKey,
  parsePolicyKey,
  parseRecordKey,
  recordKey,
  shaKey,
} from '../../src/core/sync/layout'
import { parseS3Location } from '../../src/core/sync/s3-store'
import { assertKey } from '../../src/core/sync/store'
import { addInput } from '../../src/renderer/src/stores/remotes'

const fp = 'ab'.repeat(32)

describe('store keys', () => {
  it('round-trips record and policy keys and sorts sequences numerically', () => {
    expect(recordKey(fp, 7)).toBe(`records/${fp}/0000000007.json`)
    expect(parseRecordKey(recordKey(fp, 1234))).toEqual({ author: fp, seq: 1234 })
    expect(parseRecordKey(`records/${fp}/7.json`)).toBeNull()
    expect(parsePolicyKey('policy/0000000003.json')).toBe(3)
    expect(recordKey(fp, 9) < recordKey(fp, 10)).toBe(true)
  })

  it('keys models by a hash: names differing in case or holding any character never collide', () => {
    expect(modelKey('Churn')).not.toBe(modelKey('churn'))
    expect(modelKey('a/../b')).toMatch(/^[0-9a-f]{32}$/)
    expect(() => assertKey(numberKey('../../etc', 1))).not.toThrow()
    expect(shaKey('m', 'c'.repeat(64))).toBe(`shas/${modelKey('m')}/${'c'.repeat(64)}.json`)
  })

  it('parses s3 locations and refuses bad bucket names', () => {
    expect(parseS3Location('s3://team-store/a/b/')).toEqual({ bucket: 'team-store', prefix: 'a/b' })
    expect(parseS3Location('s3://team-store')).toEqual({ bucket: 'team-store', prefix: '' })
    expect(() => parseS3Location('s3://UP')).toThrow(/Not an S3 bucket name/)
    expect(parseS3Location('/mnt/share')).toBeNull()
  })
})

describe('the add-store form', () => {
  it('sends only what the chosen kind uses', () => {
    const base = {
      name: ' team ',
      location: 'bucket/prefix',
      endpoint: 'http://h:9000',
      region: '',
      trust: ' ',
    }
    expect(addInput({ ...base, kind: 's3' })).toEqual({
      name: 'team',
      location: 's3://bucket/prefix',
      endpoint: 'http://h:9000',
    })
    expect(addInput({ ...base, kind: 'folder', location: '/share/x', trust: 'AB' })).toEqual({
      name: 'team',
      location: '/share/x',
      trust: 'ab',
    })
  })
})
