import type { Value } from './people.js'

/** Encodes one value for PostgreSQL's COPY text format. */
function field(value: Value): string {
  if (value === null) return '\\N'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'number') return String(value)
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  )
}

export function copyText(rows: Value[][]): string {
  let out = ''
  for (const row of rows) out += row.map(field).join('\t') + '\n'
  return out
}
