// Numeric kernels shared by profiles, drift and evaluation: one home each.
export {
  decimalKeys,
  decimalScale,
  KeyScratch,
  sortFloat64,
  sortedCopy,
  sortUint32,
  type DecimalKeys,
  type DecimalScale,
} from './sort'
export { lerp, quantile, quantileAt, quantileRanks, quantileSorted, quantiles } from './quantile'
export { decimalSummary, type DecimalSummary, type NumberCount } from './summary'
export { compensatedSum, pairwiseSum } from './sum'
