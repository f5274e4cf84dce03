// Numeric kernels shared by profiles, drift and evaluation: one home each.
export { sortFloat64, sortedCopy, sortUint32 } from './sort'
export { lerp, quantile, quantileSorted, quantiles } from './quantile'
export { compensatedSum, pairwiseSum } from './sum'
