// Shared schemas: names, file references and version references.
import { z } from 'zod'

/** Model names end up in CLI refs (MODEL@REF) and UI routes, never in paths. */
export const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export const ModelName = z
  .string()
  .trim()
  .min(1, 'Model name is empty')
  .max(128, 'Model name is longer than 128 characters')
  .refine((name) => modelNamePattern.test(name) && !name.includes('..'), {
    message:
      "Model name may contain only letters, digits, '.', '_' and '-', must start with a letter or digit, and may not contain '..' or path separators",
  })

export const AliasName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
    'Alias must start with a letter and use letters, digits, _ or -',
  )
  // `MODEL@v2` and `MODEL@latest` name versions, so an alias spelled so could never be reached.
  .refine((alias) => !/^(v\d+|latest)$/i.test(alias), {
    message: 'Alias cannot be "latest" or look like a version number (v1, v2, …)',
  })

export const TagKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'Tag key must use letters, digits, . _ : / or -')

export const ShortText = z.string().max(10_000)

/**
 * A file handed to the core: a local path (Electron, CLI) or the id of a file uploaded
 * to web mode. Web mode refuses paths, so a page can never name a file on disk.
 */
export const FileRef = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ uploadId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Malformed upload id') }).strict(),
])
export type FileRef = z.infer<typeof FileRef>

/** `3`, `v3`, `champion`, `latest`. */
export const VersionRef = z.union([z.number().int().positive(), z.string().trim().min(1).max(64)])
export type VersionRef = z.infer<typeof VersionRef>

export const Timestamp = z.string() // ISO-8601, UTC

/**
 * The numbers a number schema accepts, in words, for faces to word their own messages from the
 * contract's limits: `{ whole: true, span: 'from 2 to 100', words: 'a whole number from 2 to 100' }`.
 */
export function numberRange(schema: z.ZodNumber): { whole: boolean; span: string; words: string } {
  const whole = schema.isInt
  const min = schema.minValue
  const max = schema.maxValue
  // Whole-number schemas carry the safe-integer bounds: those are no limit worth naming.
  const finite = (v: number | null): v is number =>
    v !== null && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER
  const low = finite(min)
    ? schema.safeParse(min).success
      ? { text: `from ${min}`, inclusive: true }
      : { text: `above ${min}`, inclusive: false }
    : null
  let span: string
  if (low && finite(max))
    span = low.inclusive ? `${low.text} to ${max}` : `${low.text} and at most ${max}`
  else if (low) span = low.inclusive ? `of at least ${min}` : low.text
  else if (finite(max)) span = `of at most ${max}`
  else span = ''
  const kind = whole ? 'a whole number' : 'a number'
  return { whole, span, words: span ? `${kind} ${span}` : kind }
}
