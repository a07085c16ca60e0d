import { randomUUID } from 'node:crypto'
import { recordAudit } from '../../../platform/audit/audit.js'
import type { Queryable, Tx } from '../../../platform/database/database.js'
import {
  changedProblem,
  unknownAgency,
  type BatchContext,
  type BatchOutcome,
  type ValidRow,
} from './batch.js'
import type { AnyRow, RowProblem, SentenceRow } from './import.schema.js'
import * as repo from './import.repository.js'
import { typesOf, WRITERS, type RecordKind, type Resolved, type Writer } from './records.writers.js'

/** Imports (or, in a dry run, checks) one batch of sentences, appointments, contacts or registrations. */
export async function importRecordsBatch(ctx: BatchContext, rows: ValidRow[], outcome: BatchOutcome) {
  const writer = WRITERS[ctx.kind as RecordKind]
  const emailOf = (r: AnyRow) =>
    writer.staffColumn ? ((r as Record<string, unknown>)[writer.staffColumn] as string | null) : null
  await ctx.agencies.load(
    ctx.db,
    rows.map((r) => r.value.agency_code),
  )
  await ctx.users.load(
    ctx.db,
    rows.map((r) => emailOf(r.value)),
  )
  const run = async (q: Queryable, tx: Tx | null) => {
    const people = new Map(
      (await repo.findPeopleByCrn(q, [...new Set(rows.map((r) => crnOf(r)))])).map((p) => [p.crn, p]),
    )
    const resolved: (ValidRow & { at: Resolved })[] = []
    for (const row of rows) {
      const problems: RowProblem[] = []
      const person = people.get(crnOf(row))
      if (!person)
        problems.push({
          row: row.row,
          column: 'crn',
          message: `no person with CRN ${crnOf(row)}`,
          kind: 'unknown CRN',
        })
      const code = row.value.agency_code
      if (code && !ctx.agencies.get(code)) problems.push(unknownAgency(row, code))
      const email = emailOf(row.value)
      if (email && !ctx.users.get(email))
        problems.push({
          row: row.row,
          column: writer.staffColumn,
          message: `there is no user with email ${email}`,
          kind: 'unknown user',
        })
      if (problems.length || !person) {
        outcome.problems.push(...problems)
        continue
      }
      const agencyId = (code && ctx.agencies.get(code)) || person.lead_agency_id
      const staffId = email ? ctx.users.get(email) : null
      resolved.push({
        ...row,
        at: { id: randomUUID(), personId: person.person_id, agencyId, staffId, eventNumber: 0 },
      })
    }
    const seen = new Map(
      (
        await repo.findImportedRows(
          q,
          ctx.sourceSystem,
          ctx.kind as RecordKind,
          resolved.map((r) => r.key),
        )
      ).map((s) => [s.row_key, s.row_hash]),
    )
    const fresh = resolved.filter((r) => {
      const hash = seen.get(r.key)
      if (hash === undefined) return true
      if (hash === r.hash) outcome.unchanged += 1
      else outcome.problems.push(changedProblem(r))
      return false
    })
    if (!tx) {
      outcome.imported += fresh.length
      return
    }
    const claimed = await repo.claimImportRows(
      tx,
      fresh.map((r) => ({
        source_system: ctx.sourceSystem,
        kind: ctx.kind as RecordKind,
        row_key: r.key,
        row_hash: r.hash,
        person_id: r.at.personId,
        target_id: r.at.id,
      })),
    )
    const writing = fresh.filter((r) => claimed.has(r.key))
    outcome.unchanged += fresh.length - writing.length
    outcome.imported += writing.length
    if (writing.length === 0) return
    await write(tx, ctx, writer, writing)
  }
  if (ctx.dryRun) await run(ctx.db, null)
  else await ctx.db.transaction().execute((tx) => run(tx, tx))
}

const crnOf = (row: ValidRow) => (row.value as { crn: string }).crn

async function write(
  tx: Tx,
  ctx: BatchContext,
  writer: Writer<AnyRow>,
  rows: (ValidRow & { at: Resolved })[],
) {
  if (writer.table === 'sentences') {
    // Imported sentences follow on from the person's existing events, in file order.
    const last = new Map(
      (await repo.lastEventNumbers(tx, [...new Set(rows.map((r) => r.at.personId))])).map((e) => [
        e.person_id,
        Number(e.last ?? 0),
      ]),
    )
    for (const r of rows) {
      const given = (r.value as SentenceRow).event_number
      const next = given ?? (last.get(r.at.personId) ?? 0) + 1
      last.set(r.at.personId, Math.max(next, last.get(r.at.personId) ?? 0))
      r.at.eventNumber = next
    }
  }
  const records = rows.map((r) => writer.record(r.value, r.at, ctx.sourceSystem))
  await repo.insertMany(tx, writer.table, typesOf(writer.table, records[0]!), records)
  await repo.insertMany(
    tx,
    'timeline_events',
    repo.TIMELINE_COLUMNS,
    rows.flatMap((r) => {
      const item = writer.timeline(r.value)
      return item
        ? [{ ...item, person_id: r.at.personId, agency_id: r.at.agencyId, source_system: ctx.sourceSystem }]
        : []
    }),
  )
  await repo.publishMany(
    tx,
    rows.map((r) => ({
      type: writer.event,
      personId: r.at.personId,
      payload: { id: r.at.id, sourceSystem: ctx.sourceSystem, rowKey: r.key },
    })),
  )
  await recordAudit(tx, {
    actor: null,
    actorLabel: 'tandem import',
    action: 'create',
    personIds: [...new Set(rows.map((r) => r.at.personId))],
    categories: [...new Set(rows.map((r) => writer.category(r.value)))],
    origin: ctx.origin,
    purpose: `Legacy import of ${ctx.kind} from ${ctx.sourceSystem}`,
    detail: { file: ctx.file, rows: rows.map((r) => r.row), sourceSystem: ctx.sourceSystem },
  })
}
