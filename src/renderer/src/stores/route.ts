// Where the user is: the hash path (`#/registry/churn/3`) as segments, so reloads keep the page.
import { create } from 'zustand'

export interface RouteState {
  segments: string[]
  navigate(path: string): void
  syncFromLocation(hash: string): void
}

export function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        return segment
      }
    })
}

/** Builds `#/a/b` with each segment encoded, so untrusted names cannot add path segments. */
export const hrefFor = (...segments: Array<string | number>): string =>
  `#/${segments.map((segment) => encodeURIComponent(String(segment))).join('/')}`

export const initialRouteState = { segments: [] as string[] }

export const useRoute = create<RouteState>()((set) => ({
  ...initialRouteState,
  navigate(path) {
    if (typeof window !== 'undefined' && window.location.hash !== path) window.location.hash = path
    set({ segments: parseHash(path) })
  },
  syncFromLocation(hash) {
    set({ segments: parseHash(hash) })
  },
}))
