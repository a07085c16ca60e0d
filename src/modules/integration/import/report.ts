import type { ImportSummary } from './import.service.js'

const n = (value: number) => value.toLocaleString('en-GB')

/** The closing summary of an import or a dry run, line by line, for the command line. */
export function summaryLines(s: ImportSummary): string[] {
  const lines: string[] = []
  const people = s.people
  const how = people
    ? ` (${[
        `${n(people.created)} new people`,
        `${n(people.linked)} linked to a known person by identifier`,
        s.dryRun
          ? `${n(people.matched)} to go through full identity matching, as they resemble someone known`
          : `${n(people.matched)} matched by full identity matching`,
        ...(s.dryRun ? [] : [`${n(people.queued)} queued for identity review`]),
      ].join(', ')})`
    : ''
  if (s.dryRun) {
    lines.push(`Dry run of a ${s.kind} import from ${s.sourceSystem}: nothing was written.`)
    lines.push(`Rows read: ${n(s.rowsRead)}`)
    lines.push(`Valid: ${n(s.valid)}`)
    lines.push(`With problems: ${n(s.withProblems)}`)
    lines.push(...byKind(s))
    lines.push(`Would import: ${n(s.imported)}${how}`)
    lines.push(`Would be unchanged (imported before): ${n(s.unchanged)}`)
  } else {
    lines.push(`Imported ${s.kind} from ${s.sourceSystem}.`)
    lines.push(`Imported: ${n(s.imported)}${how}`)
    lines.push(`Unchanged (imported before): ${n(s.unchanged)}`)
    lines.push(`Skipped with problems: ${n(s.withProblems)}`)
    lines.push(...byKind(s))
  }
  const rate = s.seconds > 0 ? Math.round(s.rowsRead / s.seconds) : s.rowsRead
  lines.push(
    `${n(s.rowsRead)} rows in ${s.seconds.toFixed(1)} s (${n(rate)} rows a second); peak memory ${n(Math.round(s.peakRssMib))} MiB`,
  )
  return lines
}

function byKind(s: ImportSummary): string[] {
  return Object.entries(s.problemsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `  ${kind}: ${n(count)}`)
}
