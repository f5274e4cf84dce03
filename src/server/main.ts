// Web mode entry (out/node/server.cjs): `--home DIR --port N`, prints the tokened URL in one line.
import { SlipwayError } from '../api/errors'
import { startServer } from './server'

export interface ServerArgs {
  home?: string
  port: number
}

export function parseServerArgs(argv: string[]): ServerArgs {
  const args: ServerArgs = { port: 0 }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === undefined) break
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined]
    const value = (): string => {
      const next = inline ?? argv[++i]
      if (next === undefined || next === '')
        throw new SlipwayError('INVALID_INPUT', `${flag} needs a value`)
      return next
    }
    if (flag === '--home') args.home = value()
    else if (flag === '--port') {
      const text = value()
      const port = Number(text)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new SlipwayError('INVALID_INPUT', `--port ${text} is not a port number (0-65535)`)
      }
      args.port = port
    } else
      throw new SlipwayError('INVALID_INPUT', `Unknown option ${arg} (use --home DIR and --port N)`)
  }
  return args
}

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2))
  const server = await startServer({ home: args.home, port: args.port })
  server.slipway.startMonitors()
  console.log(`Slipway web mode: ${server.url}`)
  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`slipway web mode: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
