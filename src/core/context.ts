// What every feature's handlers get: the open registry, blob store, uploads, jobs, the actor.
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import type { z } from 'zod'
import type { ApiEvent } from '../api/calls'
import type { FileRef } from '../api/common'
import { SlipwayError } from '../api/errors'
import type { BlobStore } from './artifacts/blobs'
import type { UploadStore } from './artifacts/uploads'
import type { JobManager } from './jobs/manager'

export type Face = 'electron' | 'web' | 'cli'

/** What a face tells core about the call it passes on. */
export interface CallContext {
  face: Face
  /**
   * Whether the caller may name files on this machine by path. The CLI and the window may; web
   * mode may not (a page must not read the server's disk), so it passes uploads only.
   */
  readLocalPaths: boolean
}

/** The context of a call made on the user's own behalf on this machine (the CLI, tests). */
export const localCall: CallContext = { face: 'cli', readLocalPaths: true }

export interface ResolvedFile {
  path: string
  /** The name the user knows the file by (an upload keeps its original name). */
  fileName: string
  /** Set for uploads: remove the uploaded copy once the call has consumed it. */
  uploadId?: string
}

export interface CoreContext {
  home: string
  db: Database.Database
  blobs: BlobStore
  uploads: UploadStore
  jobs: JobManager
  actor: string
  schemaVersion: number
  resolveFile(ref: FileRef, call: CallContext): ResolvedFile
  emit(event: ApiEvent): void
}

type CallMap = Record<string, { input: z.ZodType; output: z.ZodType }>

/** One handler per call of a feature's call map, taking the parsed input. */
export type HandlersFor<T extends CallMap> = {
  [K in keyof T]: (
    input: z.output<T[K]['input']>,
    call: CallContext,
  ) => Promise<z.output<T[K]['output']>>
}

/** Checks that a local path names a readable regular file; the message names the file. */
export function resolveLocalFile(file: string): ResolvedFile {
  const absolute = path.resolve(file)
  let stat: fs.Stats
  try {
    stat = fs.statSync(absolute)
  } catch {
    throw new SlipwayError('BAD_FILE', `${file}: no such file`)
  }
  if (stat.isDirectory()) throw new SlipwayError('BAD_FILE', `${file}: is a directory, not a file`)
  if (!stat.isFile()) throw new SlipwayError('BAD_FILE', `${file}: is not a regular file`)
  try {
    fs.accessSync(absolute, fs.constants.R_OK)
  } catch {
    throw new SlipwayError('BAD_FILE', `${file}: cannot be read (permission denied)`)
  }
  return { path: absolute, fileName: path.basename(absolute) }
}
