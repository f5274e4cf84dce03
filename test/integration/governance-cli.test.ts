// The governance CLI contract: JSON shapes, exit codes (1 errors, 5 audit not verified) and
// files written, across two homes that pass signed records with `audit export` / `audit import`.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { fixture, tempHome } from '../helpers/home'

const ana = tempHome('slipway-cli-ana-')
const bob = tempHome('slipway-cli-bob-')
afterAll(() => {
  ana.cleanup()
  bob.cleanup()
})
const as = (home: string, ...args: string[]) => runCli(['--home', home, '--json', ...args])
const ok = (home: string, ...args: string[]): unknown => {
  const run = as(home, ...args)
  if (run.status !== 0)
    throw new Error(`${args.join(' ')}: exit ${run.status}: ${run.stdout}${run.stderr}`)
  return run.json()
}

describe('governance CLI', () => {
  it('identity, team, request, approve, alias, requests, history, audit, card', () => {
    const a = ok(
      ana.dir,
      'identity',
      'init',
      '--name',
      'Ana',
      '--email',
      'ana@example.com',
    ) as Record<string, string>
    expect(Object.keys(a).sort()).toEqual(['email', 'fingerprint', 'name', 'publicKey'])
    expect(ok(ana.dir, 'identity', 'show')).toEqual(a)
    const b = ok(
      bob.dir,
      'identity',
      'init',
      '--name',
      'Bob',
      '--email',
      'bob@example.com',
    ) as Record<string, string>
    const team = ok(
      ana.dir,
      'team',
      'init',
      '--name',
      'Risk',
      '--approvals',
      '1',
      '--protect',
      'production,champion',
    ) as Record<string, unknown>
    expect(team).toMatchObject({
      team: 'Risk',
      version: 1,
      rootFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      members: [
        { name: 'Ana', email: 'ana@example.com', fingerprint: a.fingerprint, roles: ['admin'] },
      ],
      protectedAliases: ['production', 'champion'],
      approvalsRequired: 1,
    })
    ok(
      ana.dir,
      'team',
      'add-member',
      '--public-key',
      b.publicKey!,
      '--name',
      'Bob',
      '--email',
      'bob@example.com',
      '--role',
      'approver',
    )
    const teamFile = path.join(ana.dir, 'team.json')
    ok(ana.dir, 'team', 'export', '--out', teamFile)
    // Joining with the wrong root is refused, with nothing changed.
    const wrong = as(bob.dir, 'team', 'join', teamFile, '--root', 'a'.repeat(64))
    expect(wrong.status).toBe(1)
    expect((wrong.json() as { error: { code: string; message: string } }).error.message).toContain(
      'not at the pinned root',
    )
    ok(bob.dir, 'team', 'join', teamFile, '--root', team.rootFingerprint as string)
    expect(ok(bob.dir, 'team', 'show')).toMatchObject({ version: 2 })

    expect(
      runCli([
        '--home',
        ana.dir,
        'register',
        fixture('models', 'linear_binary.onnx'),
        '--model',
        'churn',
      ]).status,
    ).toBe(0)
    const refused = as(ana.dir, 'alias', 'set', 'churn@1', 'production')
    expect(refused.status).toBe(1)
    expect((refused.json() as { error: { code: string } }).error.code).toBe('APPROVAL_REQUIRED')

    const req = ok(
      ana.dir,
      'request',
      'churn@1',
      '--alias',
      'production',
      '--comment',
      'AUC up',
    ) as Record<string, unknown>
    expect(req).toMatchObject({
      model: 'churn',
      version: 1,
      alias: 'production',
      status: 'pending',
      requestedBy: 'Ana',
      approvals: [],
      approvalsNeeded: 1,
    })
    const id = req.id as string
    const aFile = path.join(ana.dir, 'a.json')
    ok(ana.dir, 'audit', 'export', '--format', 'json', '--out', aFile)
    ok(bob.dir, 'audit', 'import', aFile)
    // A rejection needs a comment (usage error, exit 1).
    expect(as(bob.dir, 'reject', id).status).toBe(1)
    const approved = ok(bob.dir, 'approve', id.slice(0, 12), '--comment', 'fine') as Record<
      string,
      unknown
    >
    expect(approved).toMatchObject({
      id,
      status: 'approved',
      approvals: [{ by: 'Bob', comment: 'fine', at: expect.any(String) }],
    })
    const bFile = path.join(bob.dir, 'b.json')
    ok(bob.dir, 'audit', 'export', '--format', 'json', '--out', bFile)
    expect(ok(ana.dir, 'audit', 'import', bFile)).toMatchObject({ imported: 2 })
    ok(ana.dir, 'alias', 'set', 'churn@1', 'production')
    expect(ok(ana.dir, 'requests', '--status', 'applied', '--model', 'churn')).toEqual([
      expect.objectContaining({ id, status: 'applied' }),
    ])
    expect(ok(ana.dir, 'history', 'churn', '--alias', 'production')).toEqual([
      {
        alias: 'production',
        version: 1,
        versionSha256: expect.any(String),
        from: expect.any(String),
        until: null,
        movedBy: 'Ana',
        requestId: id,
        approvedBy: ['Bob'],
      },
    ])
    const verify = as(ana.dir, 'audit', 'verify')
    expect(verify.status).toBe(0)
    expect(verify.json()).toMatchObject({ ok: true, problems: [] })
    expect(
      (ok(ana.dir, 'audit', '--model', 'churn') as { type: string }[]).map((e) => e.type),
    ).toEqual([
      'model.create',
      'version.register',
      'request.create',
      'request.approve',
      'alias.set',
    ])
    for (const format of ['csv', 'html']) {
      const out = path.join(ana.dir, `audit.${format}`)
      ok(ana.dir, 'audit', 'export', '--format', format, '--out', out)
      expect(fs.readFileSync(out, 'utf8')).toContain(
        format === 'csv'
          ? 'id,signed,type,at,actor,fingerprint,seq,model,summary,body'
          : 'Verified:',
      )
    }
    expect(
      as(ana.dir, 'audit', 'export', '--format', 'pdf', '--out', path.join(ana.dir, 'x')).status,
    ).toBe(1)
    expect(
      as(
        ana.dir,
        'audit',
        'export',
        '--format',
        'csv',
        '--out',
        path.join(ana.dir, 'missing', 'x.csv'),
      ).status,
    ).toBe(1)

    const card = ok(
      ana.dir,
      'card',
      'set',
      'churn@1',
      '--field',
      'intendedUse=Churn scores',
      '--field',
      'owner=Ana',
    ) as Record<string, unknown>
    expect(card).toMatchObject({
      model: 'churn',
      version: 1,
      status: 'Approved',
      fields: { intendedUse: 'Churn scores', owner: 'Ana' },
    })
    expect(ok(ana.dir, 'card', 'churn@1')).toMatchObject({ fields: { owner: 'Ana' } })
    const md = path.join(ana.dir, 'card.md')
    ok(ana.dir, 'card', 'export', 'churn@1', '--format', 'md', '--out', md)
    expect(fs.readFileSync(md, 'utf8')).toContain('## Intended use\n\nChurn scores')

    // Tampering turns verify's exit code to 5 and is printed in words without --json.
    const db = new Database(path.join(ana.dir, 'registry.sqlite'))
    db.prepare(
      "UPDATE signed_records SET record_json = replace(record_json, 'AUC up', 'AUC down') WHERE type = 'request.create'",
    ).run()
    db.close()
    const bad = runCli(['--home', ana.dir, 'audit', 'verify'])
    expect(bad.status).toBe(5)
    expect(bad.stdout).toContain('Verification failed')
    expect(bad.stdout).toContain('the record was edited')
  })
})
