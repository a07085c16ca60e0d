import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../database/database.js'

const GENESIS = '0'.repeat(64)
const SEALER_LOCK = 7243002

/**
 * The canonical text of a row's content, produced by PostgreSQL itself so that sealing and
 * verifying hash exactly the same bytes (microsecond timestamps, normalised jsonb).
 */
const CONTENT = sql<string>`jsonb_build_array(
  id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor_user_id, actor_label,
  actor_agency_id, action, person_ids, categories, route, purpose, relationship, detail, request_id)::text`

function link(prevHash: string, seq: number, content: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${content}`).digest('hex')
}

/**
 * Seals unsealed audit rows into the hash chain, oldest first, up to `limit` rows.
 * Only one sealer runs at a time across all processes (an advisory lock); others return 0.
 */
export async function sealAuditLog(db: Db, limit = 5000): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { rows: lock } = await sql<{
      got: boolean
    }>`select pg_try_advisory_xact_lock(${SEALER_LOCK}) as got`.execute(tx)
    if (!lock[0]?.got) return 0
    const pending = await tx
      .selectFrom('audit_log')
      .select(['id', CONTENT.as('content')])
      .where('seq', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute()
    if (pending.length === 0) return 0
    const last = await tx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('seq', 'is not', null)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    let seq = last?.seq ?? 0
    let prev = last?.hash ?? GENESIS
    const seals = pending.map((row) => {
      seq += 1
      const hash = link(prev, seq, row.content)
      const seal = { id: row.id, seq, prev, hash }
      prev = hash
      return seal
    })
    await sql`
      update audit_log set seq = v.seq, prev_hash = v.prev, hash = v.hash
      from (select * from unnest(${seals.map((s) => s.id)}::bigint[], ${seals.map((s) => s.seq)}::bigint[],
                                 ${seals.map((s) => s.prev)}::text[], ${seals.map((s) => s.hash)}::text[])
            as t(id, seq, prev, hash)) v
      where audit_log.id = v.id`.execute(tx)
    return seals.length
  })
}

export interface ChainReport {
  ok: boolean
  sealed: number
  unsealed: number
  /** Unsealed rows older than a minute: the sealer is behind or stopped. */
  staleUnsealed: number
  problems: string[]
}

/** Recomputes the whole chain and reports every break: edited, removed or reordered rows. */
export async function verifyAuditLog(db: Db, batch = 10_000): Promise<ChainReport> {
  const problems: string[] = []
  let expectedSeq = 1
  let prev = GENESIS
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'seq', 'prev_hash', 'hash', CONTENT.as('content')])
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batch)
      .execute()
    for (const row of rows) {
      const seq = row.seq as number
      if (seq !== expectedSeq) problems.push(`records ${expectedSeq} to ${seq - 1} of the chain are missing`)
      if (row.prev_hash !== prev)
        problems.push(`record ${seq} (id ${row.id}) does not follow the record before it`)
      if (row.hash !== link(row.prev_hash ?? '', seq, row.content)) {
        problems.push(`record ${seq} (id ${row.id}) has been altered since it was sealed`)
      }
      expectedSeq = seq + 1
      prev = row.hash ?? ''
    }
    if (rows.length < batch) break
  }
  const counts = await db
    .selectFrom('audit_log')
    .select([
      sql<number>`count(*) filter (where seq is null)`.as('unsealed'),
      sql<number>`count(*) filter (where seq is null and occurred_at < now() - interval '1 minute')`.as(
        'stale',
      ),
    ])
    .executeTakeFirstOrThrow()
  return {
    ok: problems.length === 0,
    sealed: expectedSeq - 1,
    unsealed: Number(counts.unsealed),
    staleUnsealed: Number(counts.stale),
    problems,
  }
}
