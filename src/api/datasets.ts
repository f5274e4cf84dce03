// Dataset calls: import CSV/Parquet, list, show profile. (Filled by the datasets feature.)
export const datasetCalls = {} as const
