// One line per goal of the issue a benchmark measures, in one format: the goal, the ratio
// measured in this run against its baseline from the same run, and met / NOT MET.
export function goal(name: string, ratio: number, target: string, met: boolean): void {
  console.log(`GOAL ${name}: ${ratio.toFixed(2)}× (goal ${target}) ${met ? 'met' : 'NOT MET'}`)
}

export function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted[Math.floor(sorted.length / 2)] ?? NaN
  return `min ${(sorted[0] ?? NaN).toFixed(2)}, median ${mid.toFixed(2)}, max ${(sorted.at(-1) ?? NaN).toFixed(2)}`
}
