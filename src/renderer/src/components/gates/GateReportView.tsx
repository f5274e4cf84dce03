// One gate report: passed or failed, and each rule with its value, baseline, threshold and why.
import type { GateReport } from '../../../../api/evaluation'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatTime } from '../../lib/format'
import { ReportDownloads } from '../ReportDownloads'
import { Text } from '../Text'

export function GateReportView({ report }: { report: GateReport }) {
  return (
    <div className="gate-report" data-testid="gate-report" data-passed={String(report.passed)}>
      <p
        className={report.passed ? 'gate-verdict pass' : 'gate-verdict fail'}
        data-testid="gate-verdict"
      >
        {report.passed
          ? 'All gates passed'
          : `${report.rules.filter((r) => !r.passed).length} of ${report.rules.length} gates failed`}
        <span className="muted small">
          {' '}
          · report #{report.id} · {formatTime(report.createdAt)} · on{' '}
          <Text value={report.dataset.name} max={60} />
          {report.baseline
            ? ` · baseline: champion v${report.baseline.version}`
            : ' · no champion to compare with'}
        </span>
      </p>
      <ReportDownloads kind="gate" id={report.id} />
      <table className="data compact" data-testid="gate-rules">
        <thead>
          <tr>
            <th>Rule</th>
            <th className="num">Value</th>
            <th className="num">Baseline</th>
            <th className="num">Threshold</th>
            <th>Result</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {report.rules.map((rule, index) => (
            <tr key={index} data-testid="gate-rule" data-passed={String(rule.passed)}>
              <td>
                <Text value={rule.rule || metricInfo(rule.metric).label} max={80} />
              </td>
              <td className="num">{formatMetric(rule.metric, rule.value)}</td>
              <td className="num">
                {rule.baseline === null ? '—' : formatMetric(rule.metric, rule.baseline)}
              </td>
              <td className="num">
                {rule.threshold === null ? '—' : formatMetric(rule.metric, rule.threshold)}
              </td>
              <td>
                <span className={rule.passed ? 'pill pass' : 'pill fail'}>
                  {rule.passed ? 'pass' : 'fail'}
                </span>
              </td>
              <td className="wrap">
                <Text value={rule.why} max={400} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
