// A report people can keep: one document model (title, facts, sentences, tables, charts) rendered
// as a self-contained HTML file (inline CSS and SVG, no script, a CSP that forbids every request,
// so it opens offline and fetches nothing) and as CSV (every table, one after another).

export interface ReportTable {
  /** Names the table in the CSV export and on the page. */
  name: string
  columns: string[]
  rows: (string | number | boolean | null)[][]
}

export interface BarChart {
  kind: 'bars'
  title: string
  labels: string[]
  series: { name: string; values: number[] }[]
}

export interface LineChart {
  kind: 'lines'
  title: string
  xLabel: string
  yLabel: string
  series: { name: string; x: number[]; y: (number | null)[] }[]
  /** Horizontal reference lines (bounds, thresholds). */
  rules?: { name: string; y: number }[]
}

export type ReportChart = BarChart | LineChart

export interface ReportSection {
  heading: string
  /** Shown red when true, green when false, plain when absent. */
  alarm?: boolean
  sentences?: string[]
  facts?: [string, string][]
  tables?: ReportTable[]
  charts?: ReportChart[]
}

export interface ReportDocument {
  /** e.g. "Drift run #12". */
  title: string
  /** The one-line answer, first on the page. */
  headline: string
  alarm: boolean
  createdAt: string
  /** The model version the report is about: named with its registry address. */
  model: { name: string; version: number } | null
  sections: ReportSection[]
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
/** Text as HTML: every markup character escaped, so names from files cannot inject markup. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

/** A number for people: integers with separators, others at 4 significant figures. */
export function cellText(value: string | number | boolean | null): string {
  if (value === null) return '—'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  const a = Math.abs(value)
  return a !== 0 && (a < 1e-3 || a >= 1e6)
    ? value.toExponential(3)
    : String(Number(value.toPrecision(4)))
}

const COLORS = ['#3366cc', '#e0862b', '#2e9c6a', '#b3321f', '#7a4fb5', '#777777']

function barChartSvg(chart: BarChart): string {
  const width = 640
  const height = 220
  const pad = { left: 48, right: 12, top: 24, bottom: 40 }
  const n = chart.labels.length
  const max = Math.max(1e-300, ...chart.series.flatMap((s) => s.values.filter(Number.isFinite)))
  const groupWidth = (width - pad.left - pad.right) / Math.max(n, 1)
  const barWidth = (groupWidth * 0.8) / Math.max(chart.series.length, 1)
  const plotHeight = height - pad.top - pad.bottom
  const bars: string[] = []
  chart.series.forEach((s, k) =>
    s.values.forEach((v, i) => {
      const h = Number.isFinite(v) ? (v / max) * plotHeight : 0
      const x = pad.left + i * groupWidth + groupWidth * 0.1 + k * barWidth
      bars.push(
        `<rect x="${x.toFixed(1)}" y="${(pad.top + plotHeight - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[k % COLORS.length]}"><title>${escapeHtml(`${s.name} · ${chart.labels[i]}: ${cellText(v)}`)}</title></rect>`,
      )
    }),
  )
  const every = Math.max(1, Math.ceil(n / 10))
  const labels = chart.labels
    .map((l, i) =>
      i % every === 0
        ? `<text x="${(pad.left + (i + 0.5) * groupWidth).toFixed(1)}" y="${height - pad.bottom + 14}" text-anchor="middle">${escapeHtml(l.length > 14 ? `${l.slice(0, 13)}…` : l)}</text>`
        : '',
    )
    .join('')
  return svgFrame(
    chart.title,
    width,
    height,
    pad,
    `${bars.join('')}${labels}`,
    [cellText(max), '0'],
    chart.series.map((s) => s.name),
  )
}

function lineChartSvg(chart: LineChart): string {
  const width = 640
  const height = 240
  const pad = { left: 48, right: 12, top: 24, bottom: 40 }
  const xs = chart.series.flatMap((s) => s.x).filter(Number.isFinite)
  const ys = [
    ...chart.series
      .flatMap((s) => s.y)
      .filter((v): v is number => v !== null && Number.isFinite(v)),
    ...(chart.rules ?? []).map((r) => r.y).filter(Number.isFinite),
  ]
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)]
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1]
  const px = (x: number): number =>
    pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right)
  const py = (y: number): number =>
    pad.top + (1 - (y - y0) / (y1 - y0)) * (height - pad.top - pad.bottom)
  const paths = chart.series.map((s, k) => {
    const points = s.x
      .map((x, i) => {
        const y = s.y[i]
        return y === null || y === undefined || !Number.isFinite(y)
          ? null
          : `${px(x).toFixed(1)},${py(y).toFixed(1)}`
      })
      .filter((p) => p !== null)
    return `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2" points="${points.join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`
  })
  const rules = (chart.rules ?? []).map(
    (r) =>
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${py(r.y).toFixed(1)}" y2="${py(r.y).toFixed(1)}" stroke="#b3321f" stroke-dasharray="4 3"><title>${escapeHtml(`${r.name}: ${cellText(r.y)}`)}</title></line>`,
  )
  const axes = `<text x="${width / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`
  return svgFrame(
    chart.title,
    width,
    height,
    pad,
    `${paths.join('')}${rules.join('')}${axes}`,
    [cellText(y1), cellText(y0)],
    chart.series.map((s) => s.name),
  )
}

function svgFrame(
  title: string,
  width: number,
  height: number,
  pad: { left: number; right: number; top: number; bottom: number },
  body: string,
  [top, bottom]: [string, string],
  legend: string[],
): string {
  const keys = legend
    .map(
      (name, k) =>
        `<rect x="${pad.left + k * 150}" y="6" width="10" height="10" fill="${COLORS[k % COLORS.length]}"/><text x="${pad.left + k * 150 + 14}" y="15">${escapeHtml(name.length > 20 ? `${name.slice(0, 19)}…` : name)}</text>`,
    )
    .join('')
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/><line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/><text x="${pad.left - 4}" y="${pad.top + 4}" text-anchor="end">${escapeHtml(top)}</text><text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end">${escapeHtml(bottom)}</text>${keys}${body}</svg></figure>`
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}.headline{font-size:20px;font-weight:700;margin:12px 0}
.alarm{color:#b3321f}.calm{color:#2e7d4f}section{border:1px solid #ddd;border-left:5px solid #bbb;border-radius:6px;padding:12px 16px;margin:14px 0}
section.alarm{border-left-color:#c83e2d;color:inherit}section.calm{border-left-color:#2e9c6a;color:inherit}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid #e5e5e5;padding:3px 10px;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{color:#666}dd{margin:0}
figure{margin:10px 0}figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:11px;fill:#444}.muted{color:#666;font-size:12px}`

/** The whole report as one HTML file that needs nothing else. */
export function renderHtml(doc: ReportDocument): string {
  const section = (s: ReportSection): string => {
    const cls = s.alarm === undefined ? '' : s.alarm ? ' class="alarm"' : ' class="calm"'
    const facts = s.facts?.length
      ? `<dl>${s.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`
      : ''
    const sentences = (s.sentences ?? []).map((t) => `<p>${escapeHtml(t)}</p>`).join('')
    const tables = (s.tables ?? [])
      .map((t) => {
        const numeric = t.columns.map((_, j) => t.rows.some((r) => typeof r[j] === 'number'))
        const head = t.columns
          .map((c, j) => `<th${numeric[j] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`)
          .join('')
        const body = t.rows
          .map(
            (r) =>
              `<tr>${r.map((v, j) => `<td${numeric[j] ? ' class="num"' : ''}>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`,
          )
          .join('')
        return `<table data-table="${escapeHtml(t.name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
      })
      .join('')
    const charts = (s.charts ?? [])
      .map((c) => (c.kind === 'bars' ? barChartSvg(c) : lineChartSvg(c)))
      .join('')
    return `<section${cls}><h2>${escapeHtml(s.heading)}</h2>${sentences}${facts}${tables}${charts}</section>`
  }
  const model = doc.model
    ? `<p class="muted">Model: <a href="#/registry/${encodeURIComponent(doc.model.name)}/${doc.model.version}" data-model-version="${escapeHtml(`${doc.model.name}@${doc.model.version}`)}">${escapeHtml(doc.model.name)} v${doc.model.version}</a> (in Slipway: Registry → ${escapeHtml(doc.model.name)} → version ${doc.model.version})</p>`
    : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(doc.title)}</h1><p class="muted">Slipway report · ${escapeHtml(doc.createdAt)}</p>${model}
<p class="headline ${doc.alarm ? 'alarm' : 'calm'}" data-headline>${escapeHtml(doc.headline)}</p></header>
${doc.sections.map(section).join('\n')}
</body></html>
`
}

const csvCell = (v: string | number | boolean | null): string => {
  const text = v === null ? '' : typeof v === 'number' ? String(v) : String(v)
  // Quote what needs it; a leading =, +, - or @ would be read as a formula by spreadsheets.
  const safe = /^[=+\-@]/.test(text) && typeof v !== 'number' ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** Every table of the report as CSV: a "# name" line, the header, the rows, a blank line. */
export function renderCsv(doc: ReportDocument): string {
  const tables = doc.sections.flatMap((s) => s.tables ?? [])
  return tables
    .map(
      (t) =>
        `# ${t.name}\n${t.columns.map(csvCell).join(',')}\n${t.rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`,
    )
    .join('\n')
}
