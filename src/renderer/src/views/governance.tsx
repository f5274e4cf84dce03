// Governance view: identity and team → the requests inbox → the audit trail.
import { AuditPage } from '../components/governance/AuditPage'
import { IdentityTeamPage } from '../components/governance/IdentityTeamPage'
import { RequestsInbox } from '../components/governance/RequestsInbox'
import { hrefFor } from '../stores/route'
import type { ViewDefinition, ViewProps } from './types'

const TABS = [
  ['', 'Identity & team'],
  ['requests', 'Requests'],
  ['audit', 'Audit'],
] as const

function GovernanceView({ segments }: ViewProps) {
  const tab = segments[0] ?? ''
  return (
    <>
      <nav className="tabs" data-testid="governance-tabs">
        {TABS.map(([id, title]) => (
          <a
            key={id}
            href={id ? hrefFor('governance', id) : hrefFor('governance')}
            className={tab === id ? 'active' : ''}
            data-testid={`governance-tab-${id || 'identity'}`}
          >
            {title}
          </a>
        ))}
      </nav>
      {tab === 'requests' ? (
        <RequestsInbox />
      ) : tab === 'audit' ? (
        <AuditPage />
      ) : (
        <IdentityTeamPage />
      )}
    </>
  )
}

export const governanceView: ViewDefinition = {
  id: 'governance',
  title: 'Governance',
  component: GovernanceView,
}
