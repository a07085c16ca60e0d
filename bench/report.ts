import type { FlagLatency } from './flag-latency.js'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Evaluation } from '../src/cli/seed/identity-test-set.js'
import { ROOT } from './server.js'

export interface ScenarioResult {
  name: string
  description: string
  concurrency: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
  rps: number
  errors: number
  baseline_p50_ms: number
  baseline_p95_ms: number
  baseline_p99_ms: number
  baseline_rps: number
  /** Throughput through the whole application over throughput of its SQL alone. */
  ratio: number
}

export interface BenchResults {
  date: string
  command: string
  machine: {
    cpus: number
    cpu: string
    memory_gib: number
    node: string
    postgres: string
    /** How the server and the baseline reach PostgreSQL: 'unix socket' or 'TCP'. */
    connection?: string
  }
  people: number
  events: number
  seconds_per_scenario: number
  scenarios: ScenarioResult[]
  matching?: Omit<Evaluation, 'misses'>
  import?: {
    rows: number
    seconds: number
    rowsPerSecond: number
    peakRssMib: number
    startRssMib: number
    outcomes: Record<string, number>
  }
  ingest?: {
    events: number
    applied: number
    consumers: number
    seconds: number
    events_per_second: number
    baseline_per_second: number
    ratio: number
  }
  flag_latency?: FlagLatency
  memory?: { idle_rss_mib: number; loaded_rss_mib: number }
  startup?: { first_start_ms: number; restart_ms: number }
  scaling?: {
    people: number
    events: number
    scenarios: Pick<ScenarioResult, 'name' | 'p50_ms' | 'p95_ms' | 'baseline_p95_ms'>[]
  }[]
}

export function machine(postgres: string, connection: string): BenchResults['machine'] {
  return {
    connection,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
  }
}

const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places

export function writeResults(results: BenchResults, quick: boolean): string {
  const dir = path.join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const name = `${results.date.slice(0, 10)}${quick ? '-quick' : ''}.json`
  const text = JSON.stringify(results, null, 2) + '\n'
  writeFileSync(path.join(dir, name), text)
  writeFileSync(path.join(dir, quick ? 'latest-quick.json' : 'latest.json'), text)
  return path.join('bench/results', name)
}

/** The results as Markdown for docs/BENCHMARKS.md: machine, data, command and figures. */
export function markdownSection(results: BenchResults): string {
  const m = results.machine
  const rows = results.scenarios.map(
    (s) =>
      `| ${s.name} | ${s.concurrency} | ${round(s.p50_ms)} | ${round(s.p95_ms)} | ${round(s.p99_ms)} | ${Math.round(s.rps)} | ` +
      `${round(s.baseline_p50_ms)} | ${round(s.baseline_p95_ms)} | ${Math.round(s.baseline_rps)} | ${round(s.ratio, 2)} |`,
  )
  const lines = [
    `Measured ${results.date.slice(0, 10)} with \`${results.command}\` on ${m.cpus} × ${m.cpu}, ${m.memory_gib} GiB,`,
    `Node.js ${m.node}, PostgreSQL ${m.postgres} (default settings), the server, database and load generator sharing the machine` +
      (m.connection ? ` (the server and the baseline connect by ${m.connection}).` : '.'),
    `Data: ${results.people.toLocaleString('en-GB')} people and ${results.events.toLocaleString('en-GB')} timeline events.`,
    `The database was read into the operating system's cache first (pg_prewarm). Each scenario ran for ${results.seconds_per_scenario} s after a 1 s warm-up; latencies are per request at the client.`,
    '',
    '| scenario | clients | p50 ms | p95 ms | p99 ms | req/s | SQL p50 ms | SQL p95 ms | SQL req/s | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...results.scenarios.map((s) => `- **${s.name}**: ${s.description}.`),
  ]
  if (results.matching) {
    const m = results.matching
    lines.push(
      '',
      `Identity matching, against everyone in the database: ${m.records.toLocaleString('en-GB')} records, ${m.trueMatches.toLocaleString('en-GB')} about known people ` +
        `(typos, nicknames, swapped names, aliases, day/month swaps, missing identifiers) and the rest about new people built to resemble known ones. ` +
        `Precision of automatic links **${m.precision.toFixed(4)}** (${m.automaticWrong} wrong of ${m.automaticCorrect + m.automaticWrong}); ` +
        `recall, automatic or for review, **${m.recall.toFixed(4)}**; ${(m.reviewRate * 100).toFixed(1)}% of records sent for review; ` +
        `matching one record took ${round(m.matchMs.p50)} ms at the median and ${round(m.matchMs.p95)} ms at p95.`,
    )
  }
  if (results.ingest) {
    const i = results.ingest
    lines.push(
      '',
      `Domain event ingest: ${i.events.toLocaleString('en-GB')} HMPPS domain events (SNS-wrapped; eight types, half of them changing state: ` +
        `registrations, custody, risk scores) in batches of 500 from ${i.consumers} consumers at once, each found by CRN or prison number, ` +
        `claimed in the inbox, applied and published to the outbox: **${Math.round(i.events_per_second).toLocaleString('en-GB')} events/s**. ` +
        `Inserting the same inbox and timeline rows directly: ${Math.round(i.baseline_per_second).toLocaleString('en-GB')} rows/s (ratio ${i.ratio.toFixed(2)}).`,
    )
  }
  if (results.flag_latency) {
    const f = results.flag_latency
    lines.push(
      '',
      `Event to flag on My day: while a partner system posted HMPPS domain events to \`/api/v1/events\` at ` +
        `${Math.round(f.events_per_second).toLocaleString('en-GB')} a second (target ${f.rate_target.toLocaleString('en-GB')}), ` +
        `${f.probes} domestic abuse registrations for the demo practitioner's people were among them (after a 5 s warm-up of the stream); each flag reached the ` +
        `practitioner's open My day (server-sent events) **p50 ${Math.round(f.p50_ms)} ms, p99 ${Math.round(f.p99_ms)} ms** ` +
        `(max ${Math.round(f.max_ms)} ms; ${f.seen} of ${f.probes} seen; ${f.outbox_backlog_after} outbox events still waiting then, handled within ${f.drain_seconds.toFixed(1)} s).`,
    )
  }
  if (results.import) {
    const i = results.import
    lines.push(
      '',
      `Legacy import: a people CSV of ${i.rows.toLocaleString('en-GB')} rows through \`tandem import --kind people\` (streamed, batches of 500, ` +
        `identity checked against everyone known) took **${i.seconds} s** (${i.rowsPerSecond.toLocaleString('en-GB')} rows/s); ` +
        `memory ${i.startRssMib} MiB before the first row and ${i.peakRssMib} MiB at the peak.`,
    )
  }
  if (results.memory) {
    lines.push(
      '',
      `Server memory (resident, web and worker processes): ${results.memory.idle_rss_mib} MiB idle, ${results.memory.loaded_rss_mib} MiB at most under load.`,
    )
  }
  if (results.startup) {
    lines.push(
      `Start-up on the embedded database (\`npm start\`'s command to the first page): ${(results.startup.first_start_ms / 1000).toFixed(1)} s ` +
        `on first start, including migrations and seeding the 300-person demo region; ${(results.startup.restart_ms / 1000).toFixed(1)} s on restart.`,
    )
  }
  if (results.scaling) {
    lines.push(
      '',
      '### How cost grows with data',
      '',
      '![p95 latency of search and single view at each data size](bench-scaling.svg)',
      '',
      '| people | timeline events | search p95 ms | search by CRN p95 ms | single view p95 ms |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...results.scaling.map((size) => {
        const p95 = (name: string) => round(size.scenarios.find((r) => r.name === name)?.p95_ms ?? 0)
        return `| ${size.people.toLocaleString('en-GB')} | ${size.events.toLocaleString('en-GB')} | ${p95('search')} | ${p95('search-identifier')} | ${p95('single-view')} |`
      }),
    )
  }
  return lines.join('\n')
}

/** Replaces the generated part of docs/BENCHMARKS.md, between its markers. */
export function updateBenchmarksDoc(section: string) {
  const file = path.join(ROOT, 'docs/BENCHMARKS.md')
  const doc = readFileSync(file, 'utf8')
  const start = '<!-- results:start -->'
  const end = '<!-- results:end -->'
  const before = doc.slice(0, doc.indexOf(start) + start.length)
  const after = doc.slice(doc.indexOf(end))
  writeFileSync(file, `${before}\n${section}\n${after}`)
}

/** A line chart of p95 latency against people, one line per scenario, as accessible SVG. */
export function scalingChart(scaling: NonNullable<BenchResults['scaling']>, names: string[]): string {
  const width = 640
  const height = 360
  const left = 60
  const right = 150
  const top = 40
  const bottom = 50
  const xs = scaling.map((s) => s.people)
  const maxX = Math.max(...xs)
  const values = scaling.flatMap((s) =>
    s.scenarios.filter((r) => names.includes(r.name)).map((r) => r.p95_ms),
  )
  const maxY = Math.max(1, ...values) * 1.15
  const x = (people: number) => left + (people / maxX) * (width - left - right)
  const y = (ms: number) => height - bottom - (ms / maxY) * (height - top - bottom)
  const colours = ['#1d70b8', '#d4351c', '#00703c', '#6f72af']
  const lines = names.map((name, i) => {
    const points = scaling
      .map((s) => ({ people: s.people, ms: s.scenarios.find((r) => r.name === name)?.p95_ms }))
      .filter((p): p is { people: number; ms: number } => p.ms !== undefined)
    const d = points
      .map((p, j) => `${j ? 'L' : 'M'}${x(p.people).toFixed(1)},${y(p.ms).toFixed(1)}`)
      .join(' ')
    const last = points.at(-1)
    return (
      `<path d="${d}" fill="none" stroke="${colours[i % colours.length]}" stroke-width="3"/>` +
      points
        .map(
          (p) =>
            `<circle cx="${x(p.people).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="4" fill="${colours[i % colours.length]}"/>`,
        )
        .join('') +
      (last
        ? `<text x="${(x(last.people) + 8).toFixed(1)}" y="${(y(last.ms) + 4).toFixed(1)}" font-size="14">${name} p95</text>`
        : '')
    )
  })
  const ticksY = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY)
  const table = scaling
    .map(
      (s) =>
        `${s.people.toLocaleString('en-GB')} people: ${names.map((n) => `${n} ${round(s.scenarios.find((r) => r.name === n)?.p95_ms ?? 0)} ms`).join(', ')}`,
    )
    .join('; ')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title desc" font-family="Arial, sans-serif">
<title id="title">p95 latency against number of people on probation</title>
<desc id="desc">${table}</desc>
<rect width="${width}" height="${height}" fill="#ffffff"/>
${ticksY.map((t) => `<line x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#b1b4b6"/><text x="${left - 8}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="12">${round(t)}</text>`).join('\n')}
${xs.map((p) => `<text x="${x(p).toFixed(1)}" y="${height - bottom + 20}" text-anchor="middle" font-size="12">${p >= 1000 ? `${p / 1000}k` : p}</text>`).join('\n')}
<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle" font-size="13">people on probation (about 100 timeline events each)</text>
<text x="14" y="${(top + height - bottom) / 2}" transform="rotate(-90 14 ${(top + height - bottom) / 2})" text-anchor="middle" font-size="13">p95 ms, 32 clients</text>
<text x="${left}" y="24" font-size="15" font-weight="bold">How latency grows with data size</text>
${lines.join('\n')}
</svg>
`
}
