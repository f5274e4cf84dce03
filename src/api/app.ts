// Calls about the running application itself.
import { z } from 'zod'

export const AppInfo = z.object({
  version: z.string(),
  home: z.string(),
  user: z.string(),
  face: z.enum(['electron', 'web', 'cli']),
  onnxruntimeVersion: z.string(),
  schemaVersion: z.number(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const appCalls = {
  'app:info': {
    input: z.object({}).strict(),
    output: AppInfo,
  },
} as const
