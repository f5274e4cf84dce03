// The classification metrics the contract names, written out once for the tests that compare them
// with scikit-learn or check the keys a report carries.

/** Metrics computed from the predicted labels alone. */
export const LABEL_METRICS = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'precisionMacro',
  'recallMacro',
  'f1Macro',
  'precisionWeighted',
  'recallWeighted',
  'f1Weighted',
] as const

/** Metrics that need the predicted probabilities. */
export const PROBA_METRICS = ['rocAuc', 'prAuc', 'logLoss', 'brier'] as const

/** Every scalar classification metric. */
export const SCALAR_METRICS = [...LABEL_METRICS, ...PROBA_METRICS] as const
