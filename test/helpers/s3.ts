// Starts the patched s3rver (test/helpers/s3-server.cjs) as a child process on 127.0.0.1 for
// one test file, with the credentials the SDK's default chain will pick up from the environment.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

export interface TestS3Server {
  endpoint: string
  bucket: string
  dir: string
  child: ChildProcess
  stop(): Promise<void>
}

export const S3_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
} as const

const SERVER_SCRIPT = path.resolve(__dirname, 's3-server.cjs')

export async function startS3Server(
  options: { bucket?: string; conditional?: boolean } = {},
): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'team-store'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-s3-'))
  const args = ['--openssl-legacy-provider', SERVER_SCRIPT, dir, bucket]
  if (options.conditional === false) args.push('--no-conditional')
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const lines = readline.createInterface({ input: child.stdout! })
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)))
  })
  Object.assign(process.env, S3_TEST_ENV)
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dir,
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
