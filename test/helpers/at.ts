// Indexing a list that must hold the index, with a clear failure instead of a `!`.
export function at<T>(list: ArrayLike<T>, index: number, what = 'item'): T {
  const value = list[index]
  if (value === undefined) throw new Error(`Expected ${what} ${index}, the list has ${list.length}`)
  return value
}
