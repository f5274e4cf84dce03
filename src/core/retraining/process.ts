// Runs a recipe's command without a shell, as the leader of its own process group, and ends the
// whole tree (every descendant, even one that left the group) on cancel or timeout.
import { spawn } from 'node:child_process'
import fs from 'node:fs'

export interface CommandOutcome {
  exitCode: number | null
  /** The signal that ended the program, when one did. */
  signal: NodeJS.Signals | null
  timedOut: boolean
  cancelled: boolean
  /** Set when the program could not be started at all (not found, not executable). */
  spawnError: string | null
}

export interface RunCommandOptions {
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  signal: AbortSignal
  onSpawn(pid: number): void
  onOutput(chunk: Buffer): void
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number
}

/** Children of every process, read from /proc (Linux); empty elsewhere. */
function childrenByParent(): Map<number, number[]> {
  const map = new Map<number, number[]>()
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return map
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The name is in parentheses and may itself contain spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ppid = Number(fields[1])
      const list = map.get(ppid) ?? []
      list.push(Number(entry))
      map.set(ppid, list)
    } catch {
      // The process ended while we looked.
    }
  }
  return map
}

/** The process and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const children = childrenByParent()
  const out: number[] = []
  const queue = [pid]
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    out.push(next)
    queue.push(...(children.get(next) ?? []))
  }
  return out
}

function signalAll(pid: number, pids: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is gone already.
  }
  for (const p of pids) {
    try {
      process.kill(p, signal)
    } catch {
      // Gone already.
    }
  }
}

/**
 * Ends the tree: SIGTERM to the group and every descendant found, then SIGKILL to whatever is
 * still there after the grace period. The descendants are collected before the first signal,
 * since a child whose parent dies is re-parented and could no longer be found from the root.
 */
export async function killTree(pid: number, graceMs = 2000): Promise<void> {
  const pids = processTree(pid)
  signalAll(pid, pids, 'SIGTERM')
  const deadline = Date.now() + graceMs
  const alive = (): number[] =>
    pids.filter((p) => {
      try {
        process.kill(p, 0)
        return !isZombie(p)
      } catch {
        return false
      }
    })
  while (Date.now() < deadline && alive().length) await new Promise((r) => setTimeout(r, 50))
  // Descendants started during the grace period are caught too.
  const late = alive().flatMap((p) => processTree(p))
  if (late.length) signalAll(pid, late, 'SIGKILL')
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

export function runCommand(argv: string[], options: RunCommandOptions): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const outcome: CommandOutcome = {
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled: false,
      spawnError: null,
    }
    if (options.signal.aborted) {
      outcome.cancelled = true
      resolve(outcome)
      return
    }
    const [program, ...args] = argv
    if (program === undefined) {
      outcome.spawnError = 'The command is empty: give the program and its arguments'
      resolve(outcome)
      return
    }
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    })
    let ending: Promise<void> | null = null
    const end = (): void => {
      if (!ending && child.pid) ending = killTree(child.pid, options.graceMs)
    }
    const timer = setTimeout(() => {
      outcome.timedOut = true
      end()
    }, options.timeoutMs)
    const onAbort = (): void => {
      outcome.cancelled = true
      end()
    }
    options.signal.addEventListener('abort', onAbort)
    child.stdout.on('data', (chunk: Buffer) => options.onOutput(chunk))
    child.stderr.on('data', (chunk: Buffer) => options.onOutput(chunk))
    child.on('spawn', () => {
      if (child.pid) options.onSpawn(child.pid)
    })
    const finish = (): void => {
      clearTimeout(timer)
      options.signal.removeEventListener('abort', onAbort)
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish()
      outcome.spawnError =
        error.code === 'ENOENT'
          ? `${argv[0]}: program not found (check the path, or the working directory ${options.cwd})`
          : error.code === 'EACCES'
            ? `${argv[0]}: not executable (permission denied)`
            : `${argv[0]}: ${error.message}`
      resolve(outcome)
    })
    let closed = false
    child.on('close', () => {
      closed = true
    })
    child.on('exit', (code, signal) => {
      finish()
      outcome.exitCode = code
      outcome.signal = signal
      void (async () => {
        // Children that outlived the program are ended too: nothing is left running.
        if (child.pid) {
          let groupAlive = true
          try {
            process.kill(-child.pid, 0)
          } catch {
            groupAlive = false
          }
          if (groupAlive) ending ??= killTree(child.pid, options.graceMs)
        }
        if (ending) await ending
        // The last output may still be in the pipes; a stray that escaped the group and holds
        // them open must not keep the run waiting forever.
        const deadline = Date.now() + 5000
        while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        if (!closed) {
          child.stdout.destroy()
          child.stderr.destroy()
        }
        resolve(outcome)
      })()
    })
  })
}
