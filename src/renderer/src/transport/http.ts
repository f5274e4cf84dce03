// ApiClient for web mode: fetch for calls, XMLHttpRequest for uploads (progress), EventSource
// for pushed events. The token comes from the page address and stays in memory.
import type { ApiEvent, CallInput, CallName, CallOutput } from '../../../api/calls'
import type { FileRef } from '../../../api/common'
import type { Result } from '../../../api/errors'
import type { ApiClient } from './client'

const unreachable = (detail: string): Result<never> => ({
  ok: false,
  error: {
    code: 'INTERNAL',
    message: `Cannot reach the Slipway server (${detail}). Is it still running?`,
  },
})

export function tokenFromLocation(search: string): string {
  return new URLSearchParams(search).get('token') ?? ''
}

export function createHttpClient(token: string): ApiClient {
  const listeners = new Set<(event: ApiEvent) => void>()
  let source: EventSource | null = null

  const connect = (): void => {
    if (source) return
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
    source.onmessage = (message: MessageEvent<string>) => {
      let event: ApiEvent
      try {
        event = JSON.parse(message.data) as ApiEvent
      } catch {
        return
      }
      for (const listener of listeners) listener(event)
    }
  }

  return {
    face: 'web',
    async call<K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>> {
      let response: Response
      try {
        response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        })
      } catch (error) {
        return unreachable(error instanceof Error ? error.message : String(error))
      }
      try {
        return (await response.json()) as Result<CallOutput<K>>
      } catch {
        return unreachable(`HTTP ${response.status}`)
      }
    },
    onEvent(listener) {
      listeners.add(listener)
      connect()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && source) {
          source.close()
          source = null
        }
      }
    },
    onMenuCommand: () => () => {},
    onOpenedFiles: () => () => {},
    uploadOrPath(file, onProgress) {
      return new Promise<FileRef>((resolve, reject) => {
        const xhr = new XMLHttpRequest()
        xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`)
        xhr.setRequestHeader('Authorization', `Bearer ${token}`)
        xhr.setRequestHeader('Content-Type', 'application/octet-stream')
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
        }
        xhr.onerror = () => reject(new Error(`${file.name}: the upload failed (connection lost)`))
        xhr.onload = () => {
          let result: Result<{ uploadId: string }>
          try {
            result = JSON.parse(xhr.responseText) as Result<{ uploadId: string }>
          } catch {
            reject(new Error(`${file.name}: the upload failed (HTTP ${xhr.status})`))
            return
          }
          if (!result.ok) {
            reject(new Error(`${file.name}: ${result.error.message}`))
            return
          }
          onProgress(1)
          resolve({ uploadId: result.value.uploadId })
        }
        xhr.send(file)
      })
    },
    openFiles: null,
  }
}
