// Error codes and the result envelope that every call returns across a boundary.
export const errorCodes = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'BAD_FILE',
  'ONNX_INVALID',
  'MODEL_LOAD_FAILED',
  'DATA_INVALID',
  'MAPPING_INVALID',
  'CANCELLED',
  'UNAUTHORIZED',
  'PERMISSION_DENIED',
  'APPROVAL_REQUIRED',
  /** Another process held the registry's write lock too long; nothing was changed, try again. */
  'BUSY',
  /** Stored bytes (a model version's or a dataset's blob) no longer match their recorded hash. */
  'INTEGRITY',
  /** Something read from outside (a shared store) failed verification: CLI exit code 5. */
  'VERIFICATION_FAILED',
  'INTERNAL',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export interface ApiError {
  code: ErrorCode
  message: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** Thrown inside core and faces; converted to `{ ok: false, error }` at every boundary. */
export class SlipwayError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'SlipwayError'
    this.code = code
  }
}

export const isSlipwayError = (error: unknown): error is SlipwayError =>
  error instanceof Error &&
  (error as { name?: string }).name === 'SlipwayError' &&
  typeof (error as { code?: unknown }).code === 'string'

/**
 * Failures that can pass when the same call is made again unchanged: a lost connection or an
 * internal fault, a cancelled run, a race with another process. A bad file, bad input or a
 * missing thing fails the same way every time, so no "Try again" is offered for it.
 */
export const isRetryable = (code: ErrorCode): boolean =>
  code === 'INTERNAL' || code === 'CANCELLED' || code === 'CONFLICT'
