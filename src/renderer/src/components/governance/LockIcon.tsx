// A small padlock for protected aliases, drawn as SVG so it shows without an emoji font.
import { useEffect } from 'react'
import { useGovernance } from '../../stores/governance'

export function LockIcon({
  title = 'Protected: moves need approved requests',
}: {
  title?: string
}) {
  return (
    <svg className="lock" width="11" height="12" viewBox="0 0 11 12" role="img" aria-label={title}>
      <title>{title}</title>
      <path d="M3 5V3.5a2.5 2.5 0 0 1 5 0V5" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <rect x="1" y="5" width="9" height="6.5" rx="1.2" fill="currentColor" />
    </svg>
  )
}

/** The lock before an alias the team policy protects; nothing for other aliases or solo homes. */
export function ProtectedLock({ alias }: { alias: string }) {
  const loaded = useGovernance((s) => s.loaded)
  const protectedAliases = useGovernance((s) => s.team?.protectedAliases)
  useEffect(() => {
    if (!loaded) void useGovernance.getState().loadOnce()
  }, [loaded])
  if (!protectedAliases?.includes(alias)) return null
  return (
    <span data-testid="alias-lock">
      <LockIcon />
    </span>
  )
}
