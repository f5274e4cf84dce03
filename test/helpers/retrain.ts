// Helpers for retraining tests: the Node training program's command, pids it prints, and
// whether a process is really gone (a zombie nobody reaped counts as gone).
import fs from 'node:fs'
import { fixture } from './home'

/** argv running test/fixtures/retrain/train.mjs with the four placeholders. */
export const trainCommand = (): string[] => [
  process.execPath,
  fixture('retrain', 'train.mjs'),
  '{data}',
  '{output}',
  '{params}',
  '{workdir}',
]

/** `train.mjs pid P child pid C` → [P, C]. */
export function pidsInLog(text: string): number[] {
  const m = /train\.mjs pid (\d+) child pid (\d+)/.exec(text)
  return m ? [Number(m[1]), Number(m[2])] : []
}

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

/** Polls until `check` is true (every 50 ms, at most `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}
