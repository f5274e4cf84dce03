// The headline numbers of an evaluation, each with its reason when it could not be computed.
import { metricCards } from '../../lib/charts/metrics'
import { Text } from '../Text'

export function MetricCards({
  task,
  metrics,
  reasons,
}: {
  task: 'classification' | 'regression'
  metrics: Record<string, unknown>
  reasons: Record<string, string>
}) {
  const cards = metricCards(task, metrics, reasons)
  return (
    <div className="metric-cards" data-testid="metric-cards">
      {cards.map((card) => (
        <div
          key={card.key}
          className={card.value === null ? 'metric-card missing' : 'metric-card'}
          data-testid="metric-card"
          data-metric={card.key}
          data-value={card.value === null ? '' : String(card.value)}
          title={card.value === null ? undefined : String(card.value)}
        >
          <div className="metric-label">{card.label}</div>
          <div className="metric-value" data-testid={`metric-${card.key}`}>
            {card.text}
          </div>
          {card.reason && (
            <div className="metric-reason" data-testid="metric-reason">
              <Text value={card.reason} max={300} />
            </div>
          )}
        </div>
      ))}
    </div>
  )
}
