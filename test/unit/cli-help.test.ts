// Every command, option and argument of the CLI says what it is for in `--help`.
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli/program'

function walk(command: Command, path: string[], missing: string[]): void {
  const name = [...path, command.name()].join(' ')
  if (!command.description().trim()) missing.push(`command "${name}"`)
  for (const option of command.options)
    if (!option.description.trim()) missing.push(`option ${option.flags} of "${name}"`)
  for (const argument of command.registeredArguments)
    if (!argument.description.trim()) missing.push(`argument <${argument.name()}> of "${name}"`)
  for (const sub of command.commands) walk(sub, [...path, command.name()], missing)
}

describe('CLI help', () => {
  it('describes every command, option and argument', () => {
    const missing: string[] = []
    walk(buildProgram(), [], missing)
    expect(missing).toEqual([])
  })

  it('has the listings and archive commands a user looks for', () => {
    const names = buildProgram().commands.map((c) => c.name())
    expect(names).toEqual(
      expect.arrayContaining([
        'evaluations',
        'evaluation',
        'comparisons',
        'drift-runs',
        'drift-run',
      ]),
    )
  })
})
