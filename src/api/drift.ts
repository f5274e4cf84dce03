// Drift calls: reports, monitors, runs. (Filled by the drift feature.)
export const driftCalls = {} as const
