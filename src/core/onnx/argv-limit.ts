// onnxruntime-node 1.30 segfaults creating an InferenceSession in a process whose command line is
// longer than about 28 KB (the environment's size does not matter). Every face that can be started
// with many file paths (the CLI, the Electron app opened from the OS) checks its command line against
// this limit and, past it, runs the work in a process with a short one.

/** Command lines longer than this many bytes are not used for ONNX work; the crash starts near 28 KB. */
export const MAX_ARGV_BYTES = 8 * 1024

/** Bytes of a command line as the OS holds it (each argument NUL-terminated). */
export const argvBytes = (argv: readonly string[], execArgv: readonly string[] = []): number =>
  [...argv, ...execArgv].reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0)

/** Whether ONNX Runtime is at risk in a process started with this command line. */
export const argvTooLong = (argv: readonly string[], execArgv: readonly string[] = []): boolean =>
  argvBytes(argv, execArgv) > MAX_ARGV_BYTES
