// Evaluation, shadow comparison and promotion-gate calls. (Filled by the evaluation feature.)
export const evaluationCalls = {} as const
