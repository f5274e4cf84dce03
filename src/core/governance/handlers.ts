// Handlers of the governance calls.
import fs from 'node:fs'
import { SlipwayError } from '../../api/errors'
import type { governanceCalls, IdentityView } from '../../api/governance'
import type { CoreContext, HandlersFor } from '../context'
import { legacyHead } from './audit'
import { exportCard, getCard, setCard } from './cards'
import { deploymentHistory } from './history'
import { createIdentity, identityDir, shortFingerprint, type LoadedIdentity } from './identity'
import { createRequest, decideRequest, getRequest, listRequests } from './requests'
import { appendSigned, importSignedRecords } from './store'
import {
  addMember,
  applyPolicyChange,
  exportTeam,
  initTeam,
  joinTeam,
  showTeam,
  updatePolicy,
} from './team'
import { exportAudit, listAudit, verifyHome } from './trail'

export const identityView = (identity: LoadedIdentity): IdentityView => ({
  name: identity.info.name,
  email: identity.info.email,
  publicKey: identity.info.publicKey,
  fingerprint: identity.info.fingerprint,
  shortFingerprint: shortFingerprint(identity.info.fingerprint),
  encrypted: identity.info.encrypted,
  unlocked: identity.privateKey !== null,
  createdAt: identity.info.createdAt,
})

export function createGovernanceHandlers(core: CoreContext): HandlersFor<typeof governanceCalls> {
  const { db } = core
  return {
    'identity:init': async ({ name, email, passphrase }, call) => {
      if (core.identity)
        throw new SlipwayError(
          'CONFLICT',
          `This home already has an identity: ${core.identity.info.name} (${shortFingerprint(core.identity.info.fingerprint)})`,
        )
      // A passphrase wins; else the face's protector (safeStorage in the app); else a 0600 file.
      const identity = createIdentity(
        core.home,
        { name, email, passphrase },
        passphrase ? undefined : (core.keyProtector ?? undefined),
      )
      core.identity = identity
      try {
        // seq 1: the public key for verifiers, and the unsigned rows before it, anchored.
        appendSigned(core, { name, fingerprint: identity.info.fingerprint }, 'identity.init', {
          name,
          email,
          publicKey: identity.info.publicKey,
          legacy: legacyHead(db),
          face: call.face,
        })
      } catch (error) {
        core.identity = null
        fs.rmSync(identityDir(core.home), { recursive: true, force: true })
        throw error
      }
      return identityView(identity)
    },
    'identity:show': async () => (core.identity ? identityView(core.identity) : null),
    'team:init': async (input, { actor }) => initTeam(core, actor, input),
    'team:add-member': async (input, { actor }) => addMember(core, actor, input),
    'team:update': async ({ change, dryRun }, { actor }) =>
      updatePolicy(core, actor, (body) => applyPolicyChange(body, change), dryRun),
    'team:show': async () => showTeam(core),
    'team:export': async () => exportTeam(core),
    'team:join': async ({ policies, root }) => joinTeam(core, policies, root),
    'requests:create': async (input, { actor }) => createRequest(core, actor, input),
    'requests:approve': async ({ id, comment }, { actor }) =>
      decideRequest(core, actor, id, 'approve', comment ?? ''),
    'requests:reject': async ({ id, comment }, { actor }) =>
      decideRequest(core, actor, id, 'reject', comment),
    'requests:withdraw': async ({ id }, { actor }) => decideRequest(core, actor, id, 'withdraw'),
    'requests:get': async ({ id }) => getRequest(db, id),
    'requests:list': async (filter) => listRequests(db, filter),
    'audit:list': async (filter) => listAudit(core, filter),
    'audit:verify': async () => verifyHome(core),
    'audit:export': async ({ format, model }) => exportAudit(core, format, model),
    'audit:import': async (bundle) => importSignedRecords(core, bundle),
    'history:get': async ({ model, alias }) => deploymentHistory(db, model, alias),
    'cards:get': async ({ model, ref }) => getCard(db, model, ref),
    'cards:set': async ({ model, ref, fields }, { actor }) =>
      setCard(core, actor, model, ref, fields),
    'cards:export': async ({ model, ref, format }) => exportCard(db, model, ref, format),
  }
}
