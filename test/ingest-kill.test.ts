import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from './support/database.js'
import { event, sns } from './support/domain-events.js'
import * as f from './support/factories.js'

/**
 * The crash test: `tandem ingest` is killed with SIGKILL part-way through a 100,000-event
 * stream, then run again over the same stream. Every event must be applied exactly once.
 * It needs a server database the killed process and the test can share, so it runs on
 * PostgreSQL only (PGlite is in-process and single-user).
 */
const EVENTS = 100_000
const PEOPLE = 2_000

describe.skipIf(engine !== 'postgres')(
  'ingest killed mid-stream (PostgreSQL only: set TEST_DATABASE_URL)',
  () => {
    let database: TestDatabase
    let dir: string
    let file: string

    beforeAll(async () => {
      database = await freshDatabase()
      const agency = await f.makeAgency(database.db)
      await sql`insert into people (crn, first_name, last_name, date_of_birth, gender, lead_agency_id)
      select 'K' || lpad(n::text, 6, '0'), 'Kim', 'Stream' || n, date '1990-01-01' + n, 'female', ${agency}::uuid
      from generate_series(1, ${PEOPLE}::int) n`.execute(database.db)
      await sql`insert into person_identifiers (type, value, person_id)
      select 'crn', crn, id from people`.execute(database.db)
      const types = [
        'probation-case.engagement.created',
        'tier.calculation.complete',
        'intervention.referral.sent',
        'pre-sentence.report.started',
        'approved-premises.booking.made',
      ]
      const stream = Array.from({ length: EVENTS }, (_, i) => {
        const person = { crn: `K${String((i % PEOPLE) + 1).padStart(6, '0')}`, noms: 'A0000AA' }
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()
        const body = event(types[i % types.length]!, person, { referralId: `r-${i}` }, { occurredAt: at })
        // Half arrive SNS-wrapped with a message id; half bare, keyed by their content.
        return i % 2 ? sns(body, `kill-${i}`) : body
      })
      dir = mkdtempSync(path.join(tmpdir(), 'tandem-kill-'))
      file = path.join(dir, 'stream.json')
      writeFileSync(file, JSON.stringify(stream))
    }, 120_000)
    afterAll(async () => {
      if (dir) rmSync(dir, { recursive: true, force: true })
      await database?.destroy()
    })

    const run = (): { child: ChildProcess; output: Promise<string> } => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ingest', file], {
        env: { ...process.env, DATABASE_URL: database.url!, NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr!.on('data', () => undefined)
      const output = new Promise<string>((resolve) => child.on('exit', () => resolve(out)))
      return { child, output }
    }
    const applied = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from inbound_messages`.execute(database.db)).rows[0]!
          .n,
      )

    it('applies every event exactly once across a SIGKILL and a rerun', async () => {
      const first = run()
      // Kill it once a good part of the stream has been committed, but well before the end.
      const deadline = Date.now() + 120_000
      while ((await applied()) < EVENTS / 5 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      first.child.kill('SIGKILL')
      await first.output
      const committed = await applied()
      expect(committed).toBeGreaterThan(0)
      expect(committed).toBeLessThan(EVENTS)

      const second = run()
      const lines = (await second.output)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: string })
      expect(lines).toHaveLength(EVENTS)
      const outcomes = (o: string) => lines.filter((l) => l.outcome === o).length
      expect(outcomes('dead-letter')).toBe(0)
      expect(outcomes('duplicate')).toBe(committed)
      expect(outcomes('applied')).toBe(EVENTS - committed)

      // Nothing lost and nothing twice: one inbox row, one timeline item and one Tandem event per message.
      const totals = await sql<Record<string, number>>`
      select (select count(*) from inbound_messages) as inbox,
             (select count(*) from timeline_events) as items,
             (select count(*) from outbox) as events,
             (select count(distinct payload->>'messageKey') from outbox) as distinct_events`.execute(
        database.db,
      )
      expect(Object.values(totals.rows[0]!).map(Number)).toEqual([EVENTS, EVENTS, EVENTS, EVENTS])
    }, 600_000)
  },
)
