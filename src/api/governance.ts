// Governance calls: identity, team policy, promotion requests and approvals, the signed audit
// trail (list, verify, export, import), deployment history and model cards.
import { z } from 'zod'
import { AliasName, ModelName, ShortText, Timestamp, VersionRef } from './common'

export const Role = z.enum(['viewer', 'contributor', 'approver', 'admin'])
export type Role = z.infer<typeof Role>

const Email = z
  .string()
  .trim()
  .min(3, 'Email is empty')
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'Email must look like name@domain')
const PersonName = z.string().trim().min(1, 'Name is empty').max(128)
const Fingerprint = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'A fingerprint is 64 lowercase hex characters')
/** A record id, or an unambiguous prefix of at least 8 hex characters. */
const RecordRef = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{8,64}$/, 'Give a request id (at least 8 hex characters)')

export const IdentityView = z.object({
  name: z.string(),
  email: z.string(),
  publicKey: z.string(),
  fingerprint: z.string(),
  shortFingerprint: z.string(),
  encrypted: z.boolean(),
  unlocked: z.boolean(),
  createdAt: Timestamp,
})
export type IdentityView = z.infer<typeof IdentityView>

export const TeamMember = z.object({
  name: z.string(),
  email: z.string(),
  publicKey: z.string(),
  fingerprint: z.string(),
  roles: z.array(Role),
})
export type TeamMember = z.infer<typeof TeamMember>

export const PolicyRequirements = z.object({
  gatePassedWithinDays: z.number().int().min(0).max(3650).nullable(),
  cardFields: z.array(z.string().min(1).max(64)).max(32),
})

export const TeamPolicy = z.object({
  team: z.string(),
  version: z.number(),
  policyId: z.string(),
  rootFingerprint: z.string(),
  members: z.array(TeamMember),
  protectedAliases: z.array(z.string()),
  approvalsRequired: z.number(),
  requirements: PolicyRequirements,
  signedBy: z.string(),
  at: Timestamp,
  /** The local identity's roles in this policy (empty when not a member). */
  myRoles: z.array(Role),
})
export type TeamPolicy = z.infer<typeof TeamPolicy>

export const PolicyChange = z
  .object({
    protectedAliases: z.array(AliasName).max(32).optional(),
    approvalsRequired: z.number().int().min(1).max(10).optional(),
    requirements: PolicyRequirements.optional(),
    /** Roles by member fingerprint; an empty list removes the member. */
    memberRoles: z.record(Fingerprint, z.array(Role)).optional(),
  })
  .strict()
export type PolicyChange = z.infer<typeof PolicyChange>

export const RequestStatus = z.enum([
  'pending',
  'approved',
  'rejected',
  'applied',
  'withdrawn',
  'superseded',
])
export type RequestStatus = z.infer<typeof RequestStatus>

export const Decision = z.object({
  by: z.string(),
  fingerprint: z.string(),
  at: Timestamp,
  comment: z.string(),
  counts: z.boolean(),
  reason: z.string().nullable(),
})

export const PromotionRequest = z.object({
  id: z.string(),
  model: z.string(),
  /** The version's number in this home, null when this home does not hold the version. */
  version: z.number().nullable(),
  versionSha256: z.string(),
  alias: z.string(),
  status: RequestStatus,
  comment: z.string(),
  requestedBy: z.string(),
  requestedByFingerprint: z.string(),
  createdAt: Timestamp,
  approvals: z.array(Decision),
  rejections: z.array(Decision),
  approvalsNeeded: z.number(),
  /** What still stands between the request and the alias move, in words; empty when none. */
  missing: z.array(z.string()),
  evidence: z.record(z.string(), z.unknown()),
  appliedAt: Timestamp.nullable(),
})
export type PromotionRequest = z.infer<typeof PromotionRequest>

export const AuditEntry = z.object({
  /** Record id for signed records; `legacy:N` for unsigned rows. */
  id: z.string(),
  signed: z.boolean(),
  type: z.string(),
  at: Timestamp,
  actor: z.string(),
  fingerprint: z.string().nullable(),
  seq: z.number().nullable(),
  model: z.string().nullable(),
  summary: z.string(),
  body: z.unknown(),
  origin: z.enum(['local', 'imported', 'legacy']),
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const AuditProblem = z.object({ record: z.string().nullable(), problem: z.string() })
export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  records: z.number(),
  signedRecords: z.number(),
  unsignedRecords: z.number(),
  policies: z.number(),
  problems: z.array(AuditProblem),
  /** The outcome in one sentence, for people. */
  summary: z.string(),
})
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>

export const HistoryEntry = z.object({
  alias: z.string(),
  version: z.number().nullable(),
  versionSha256: z.string().nullable(),
  from: Timestamp,
  until: Timestamp.nullable(),
  movedBy: z.string(),
  requestId: z.string().nullable(),
  approvedBy: z.array(z.string()),
})
export type HistoryEntry = z.infer<typeof HistoryEntry>

export const cardFieldNames = [
  'intendedUse',
  'outOfScope',
  'limitations',
  'ethicalConsiderations',
  'owner',
] as const
export const CardStatus = z.enum(['Draft', 'In review', 'Approved', 'Archived'])

export const ModelCard = z.object({
  model: z.string(),
  version: z.number(),
  versionSha256: z.string(),
  status: CardStatus,
  fields: z.record(z.string(), z.string()),
  updatedAt: Timestamp.nullable(),
  updatedBy: z.string().nullable(),
  /** What Slipway fills in itself. */
  auto: z.object({
    lineage: z.record(z.string(), z.unknown()),
    trainingData: z.record(z.string(), z.unknown()).nullable(),
    evaluation: z.record(z.string(), z.unknown()).nullable(),
    latency: z.record(z.string(), z.unknown()).nullable(),
    drift: z.record(z.string(), z.unknown()).nullable(),
    approvals: z.array(z.record(z.string(), z.unknown())),
  }),
})
export type ModelCard = z.infer<typeof ModelCard>

const CardFieldKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'Card field names use letters, digits and _')
const ExportText = z.object({ content: z.string(), mediaType: z.string(), fileName: z.string() })

export const SignedBundle = z.object({
  policies: z.array(z.unknown()).max(10_000).optional(),
  records: z.array(z.unknown()).max(5_000_000),
})

export const governanceCalls = {
  'identity:init': {
    input: z
      .object({
        name: PersonName,
        email: Email,
        passphrase: z
          .string()
          .min(8, 'A passphrase needs at least 8 characters')
          .max(1024)
          .optional(),
      })
      .strict(),
    output: IdentityView,
  },
  'identity:show': { input: z.object({}).strict(), output: IdentityView.nullable() },
  'team:init': {
    input: z
      .object({
        name: z.string().trim().min(1, 'Team name is empty').max(128),
        approvals: z.number().int().min(1).max(10).optional(),
        protect: z.array(AliasName).max(32).optional(),
      })
      .strict(),
    output: TeamPolicy,
  },
  'team:add-member': {
    input: z
      .object({
        publicKey: z.string().trim().min(1).max(200),
        name: PersonName,
        email: Email,
        role: Role,
      })
      .strict(),
    output: TeamPolicy,
  },
  'team:update': {
    input: z.object({ change: PolicyChange, dryRun: z.boolean().optional() }).strict(),
    output: z.object({ policy: TeamPolicy, diff: z.array(z.string()), signed: z.boolean() }),
  },
  'team:show': { input: z.object({}).strict(), output: TeamPolicy.nullable() },
  'team:export': {
    input: z.object({}).strict(),
    output: z.object({ root: z.string(), policies: z.array(z.unknown()) }),
  },
  'team:join': {
    input: z
      .object({ policies: z.array(z.unknown()).min(1).max(10_000), root: Fingerprint })
      .strict(),
    output: TeamPolicy,
  },
  'requests:create': {
    input: z
      .object({
        model: ModelName,
        ref: VersionRef,
        alias: AliasName,
        comment: ShortText.optional(),
      })
      .strict(),
    output: PromotionRequest,
  },
  'requests:approve': {
    input: z.object({ id: RecordRef, comment: ShortText.optional() }).strict(),
    output: PromotionRequest,
  },
  'requests:reject': {
    input: z
      .object({
        id: RecordRef,
        comment: z.string().trim().min(1, 'A rejection needs a comment').max(10_000),
      })
      .strict(),
    output: PromotionRequest,
  },
  'requests:withdraw': { input: z.object({ id: RecordRef }).strict(), output: PromotionRequest },
  'requests:get': { input: z.object({ id: RecordRef }).strict(), output: PromotionRequest },
  'requests:list': {
    input: z.object({ status: RequestStatus.optional(), model: ModelName.optional() }).strict(),
    output: z.array(PromotionRequest),
  },
  'audit:list': {
    input: z
      .object({
        model: ModelName.optional(),
        limit: z.number().int().min(1).max(100_000).optional(),
      })
      .strict(),
    output: z.array(AuditEntry),
  },
  'audit:verify': { input: z.object({}).strict(), output: AuditVerifyResult },
  'audit:export': {
    input: z
      .object({ format: z.enum(['json', 'csv', 'html']), model: ModelName.optional() })
      .strict(),
    output: ExportText,
  },
  'audit:import': {
    // The whole `audit export --format json` file is accepted: its other fields are ignored.
    input: SignedBundle,
    output: z.object({
      imported: z.number(),
      alreadyPresent: z.number(),
      policiesAdded: z.number(),
    }),
  },
  'history:get': {
    input: z.object({ model: ModelName, alias: AliasName.optional() }).strict(),
    output: z.array(HistoryEntry),
  },
  'cards:get': {
    input: z.object({ model: ModelName, ref: VersionRef }).strict(),
    output: ModelCard,
  },
  'cards:set': {
    input: z
      .object({
        model: ModelName,
        ref: VersionRef,
        fields: z.record(CardFieldKey, z.string().max(20_000)),
      })
      .strict(),
    output: ModelCard,
  },
  'cards:export': {
    input: z.object({ model: ModelName, ref: VersionRef, format: z.enum(['md', 'html']) }).strict(),
    output: ExportText,
  },
} as const
