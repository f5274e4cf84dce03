// Worker-thread tasks of the data feature, by name.
import { SlipwayError } from '../../api/errors'
import type { TaskFn } from '../jobs/tasks'
import { describeFile } from './describe'

export interface DescribeTaskPayload {
  path: string
  fileName: string
}

const describeTask: TaskFn = async (payload, ctx) => {
  const { path, fileName } = payload as DescribeTaskPayload
  const controller = new AbortController()
  return describeFile(path, {
    fileName,
    signal: controller.signal,
    onProgress: (done, total, message) => {
      // The reader checks the signal between chunks; this is where a cancel reaches it.
      if (ctx.cancelled()) controller.abort()
      ctx.progress(done, total, message)
    },
  }).catch((error: unknown) => {
    if (controller.signal.aborted) throw new SlipwayError('CANCELLED', `${fileName}: cancelled`)
    throw error
  })
}

export const dataTasks: Record<string, TaskFn> = {
  'dataset-describe': describeTask,
}
