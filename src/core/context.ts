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
import type { KeyProtector, LoadedIdentity } from './governance/identity'
import type { JobManager } from './jobs/manager'

export type Face = 'electron' | 'web' | 'cli'

/**
 * Who acts in a call: the display name recorded with what the call changes, and the identity's
 * fingerprint when the home has one (its key signs the call's records). A home without an identity
 * acts as the OS user (or SLIPWAY_USER), fingerprint null.
 */
export interface Actor {
  name: string
  fingerprint: string | null
}

/** What a face passes with each call; `actor` defaults to the home's own actor. */
export interface CallOrigin {
  face: Face
  /**
   * Whether the caller may name files on this machine by path. The CLI and the window may; web
   * mode may not (a page must not read the server's disk), so it passes uploads only.
   */
  readLocalPaths: boolean
  actor?: Actor
}

/** What every handler gets: the face, what it may read, and the acting identity of this call. */
export interface CallContext extends CallOrigin {
  actor: Actor
}

/** The context of a call made on the user's own behalf on this machine (the CLI, tests). */
export const localCall: CallOrigin = { face: 'cli', readLocalPaths: true }

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
  /** The home's own actor (its identity, else the OS user): for work no call started. */
  homeActor(): Actor
  /** The home's identity (null for a home without one); `identity init` sets it. */
  identity: LoadedIdentity | null
  /** Seals new private keys outside the home when the face has a way (Electron's safeStorage). */
  keyProtector: KeyProtector | null
  schemaVersion: number
  resolveFile(ref: FileRef, call: CallOrigin): ResolvedFile
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
