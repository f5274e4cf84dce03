// A model's drift status for the registry pages: no drift, drifting columns or dataset drift,
// from the last stored drift run of that model (drift:model-status).
import { useEffect } from 'react'
import type { ModelDriftStatus } from '../../../../api/drift'
import { formatShare } from '../../lib/charts/drift-format'
import { formatTime } from '../../lib/format'
import { followDriftAlerts, useDrift } from '../../stores/drift'
import { hrefFor } from '../../stores/route'

const LABELS: Record<ModelDriftStatus['status'], string> = {
  'no-drift': 'no drift',
  'drifting-columns': 'drifting columns',
  'dataset-drift': 'dataset drift',
  unknown: 'not checked',
}

export function driftStatusTitle(status: ModelDriftStatus): string {
  if (status.status === 'unknown' || !status.lastRunAt)
    return 'No drift run stored for this model yet'
  const columns = status.driftedColumns.length
    ? `; drifted: ${status.driftedColumns.slice(0, 5).join(', ')}${status.driftedColumns.length > 5 ? '…' : ''}`
    : ''
  return `Last drift run ${formatTime(status.lastRunAt)}: ${formatShare(status.driftShare)} of columns drifted${columns}`
}

export function DriftStatusBadge({ model }: { model: string }) {
  const status = useDrift((state) => state.modelStatus[model])
  const loadModelStatus = useDrift((state) => state.loadModelStatus)

  useEffect(() => {
    void loadModelStatus()
    // A monitor run may change the status while the page is open.
    followDriftAlerts()
  }, [loadModelStatus])

  const value = status?.status ?? 'unknown'
  return (
    <a
      href={hrefFor('drift', 'model', model)}
      className={`drift-badge ${value}`}
      title={status ? driftStatusTitle(status) : 'No drift run stored for this model yet'}
      data-testid="drift-status-badge"
      data-status={value}
    >
      {LABELS[value]}
    </a>
  )
}
