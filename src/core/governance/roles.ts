// Which role each call needs in a home linked to a team. Reads need only membership (viewer);
// changes need contributor; approving and rejecting need approver; changing the policy, admin.
// A home with no team is not checked at all: a solo user works as before.
import { SlipwayError } from '../../api/errors'
import type { CallName } from '../../api/calls'
import type { CoreContext } from '../context'
import { shortFingerprint } from './identity'
import { roleAtLeast, topRole, type Role } from './policy'
import { myRoles } from './team'

const needs: Partial<Record<CallName, Role | 'anyone'>> = {
  'registry:register': 'contributor',
  'registry:set-alias': 'contributor',
  'registry:remove-alias': 'contributor',
  'registry:set-tag': 'contributor',
  'registry:remove-tag': 'contributor',
  'registry:update-model': 'contributor',
  'datasets:add': 'contributor',
  'datasets:remove': 'contributor',
  'trash:restore': 'contributor',
  'eval:remove': 'contributor',
  'shadow:remove': 'contributor',
  'drift:remove-run': 'contributor',
  'eval:start': 'contributor',
  'eval:set-mapping': 'contributor',
  'shadow:start': 'contributor',
  'gates:set-policy': 'contributor',
  'gates:check': 'contributor',
  'drift:start': 'contributor',
  'monitors:create': 'contributor',
  'monitors:delete': 'contributor',
  'monitors:run-now': 'contributor',
  'jobs:cancel': 'contributor',
  'requests:create': 'contributor',
  'requests:withdraw': 'contributor',
  'cards:set': 'contributor',
  'requests:approve': 'approver',
  'requests:reject': 'approver',
  'team:add-member': 'admin',
  'team:update': 'admin',
  // Who a home is and what it reads must stay answerable even for a removed member.
  'app:info': 'anyone',
  'identity:show': 'anyone',
  'identity:init': 'anyone',
  'team:show': 'anyone',
  'team:export': 'anyone',
  'team:join': 'anyone',
  'team:init': 'anyone',
  'audit:verify': 'anyone',
  'audit:import': 'anyone',
  // Shared store: publishing is a change; reading, listing and auditing stores are not.
  'sync:push': 'contributor',
  'sync:remote-add': 'anyone',
  'sync:remote-list': 'anyone',
  'sync:remote-remove': 'anyone',
  'sync:audit': 'anyone',
  'sync:rejections': 'anyone',
  'sync:team-versions': 'anyone',
  'sync:cancel': 'anyone',
}

export const roleNeeded = (name: CallName): Role | 'anyone' => needs[name] ?? 'viewer'

/** Throws PERMISSION_DENIED naming the role a call needs when the local identity lacks it. */
export function enforceRole(core: CoreContext, name: CallName): void {
  const needed = roleNeeded(name)
  if (needed === 'anyone') return
  const roles = myRoles(core)
  if (roles === null) return // no team: today's behaviour
  if (roles.length && roleAtLeast(roles, needed)) return
  const who = core.identity
    ? `${core.identity.info.name} (${shortFingerprint(core.identity.info.fingerprint)})`
    : 'this home (no identity)'
  throw new SlipwayError(
    'PERMISSION_DENIED',
    roles.length
      ? `${name} needs role ${needed}; ${who} is ${topRole(roles)} in the team policy`
      : `${name} needs role ${needed}; ${who} is not a member of the team policy`,
  )
}
