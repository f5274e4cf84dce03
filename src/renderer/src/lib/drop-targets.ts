// Who takes files dropped on the window. A view registers a handler while it is shown (e.g. CSV
// files on a datasets page); .onnx files and anything no handler accepts go to the register dialog.
export interface DropHandler {
  accepts(file: File): boolean
  take(files: File[]): void
  /** What a drop does with the files this handler takes, for the overlay shown while dragging. */
  describe: string
}

const handlers = new Set<DropHandler>()

/** Registers a handler; returns the function that removes it (call it from a useEffect cleanup). */
export function addDropHandler(handler: DropHandler): () => void {
  handlers.add(handler)
  return () => handlers.delete(handler)
}

/** Splits dropped files: each handler gets the files it accepts, the rest are returned. */
export function routeDroppedFiles(files: File[]): File[] {
  let rest = files
  // The newest handler (the page on screen) is asked first.
  for (const handler of [...handlers].reverse()) {
    const taken = rest.filter((file) => handler.accepts(file))
    if (taken.length === 0) continue
    rest = rest.filter((file) => !taken.includes(file))
    handler.take(taken)
  }
  return rest
}

/** What a drop on the window does now, one line per kind of file: the page's handlers first. */
export function describeDrop(): string[] {
  // Handlers of one page take data files before the window's own: only the newest says what happens.
  const newest = [...handlers].reverse()[0]
  return [
    ...(newest ? [newest.describe] : []),
    'Model files (.onnx): the register dialog opens, to choose the model of each',
  ].filter((line, index, all) => all.indexOf(line) === index)
}
