import { readFile } from 'node:fs/promises'
import { text } from 'node:stream/consumers'
import type { Database } from '../platform/database/database.js'
import { ingest } from '../modules/integration/ingest.service.js'

const BATCH = 500

/**
 * `tandem ingest <file|->`: one message, or a JSON array of messages (bare or SNS-wrapped),
 * through the same pipeline as the HTTP endpoint; one JSON line per message on standard
 * output with its event type and outcome. Batches commit as they go, so a run that is killed
 * can simply be run again: what was applied comes back as `duplicate`.
 */
export async function ingestCommand(
  database: Database,
  source: string,
  write = (line: string) => console.log(line),
) {
  const input = source === '-' ? await text(process.stdin) : await readFile(source, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(input)
  } catch {
    // Not JSON at all: still one message, kept as a dead letter with the reason.
    parsed = input
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed]
  const counts = { applied: 0, duplicate: 0, 'dead-letter': 0 }
  for (let start = 0; start < messages.length; start += BATCH) {
    const outcomes = await ingest(database.db, messages.slice(start, start + BATCH), {
      origin: { route: 'cli tandem ingest', requestId: null },
      actor: null,
      label: 'tandem ingest',
    })
    for (const o of outcomes) {
      counts[o.outcome] += 1
      write(
        JSON.stringify({
          eventType: o.eventType,
          outcome: o.outcome,
          ...(o.reason ? { reason: o.reason } : {}),
          key: o.key,
        }),
      )
    }
  }
  return counts
}
