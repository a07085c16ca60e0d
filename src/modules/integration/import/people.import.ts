import { randomUUID } from 'node:crypto'
import { ValidationError } from '../../../errors.js'
import { recordAudit } from '../../../platform/audit/audit.js'
import type { Queryable, Tx } from '../../../platform/database/database.js'
import { receiveRecord } from '../../people/identity.service.js'
import { normaliseName, scoreMatch } from '../../people/matching.js'
import {
  changedProblem,
  unknownAgency,
  type BatchContext,
  type BatchOutcome,
  type ValidRow,
} from './batch.js'
import type { PeopleRow } from './import.schema.js'
import * as repo from './import.repository.js'
import { dobVariants, mightMatch, personFacts, rowFacts } from './lookalike.js'
import { writePeople, type Planned } from './people.write.js'

/*
 * How people rows find out who they are. Full identity matching (identity.service
 * receiveRecord) costs 5-15 ms a row, mostly its fuzzy candidate search: about an hour for a
 * national extract of 250,000 people. Most rows need none of it, so a batch is decided in bulk:
 *  - a row whose identifiers one person holds links to that person (what receiveRecord does);
 *  - a row whose identifiers nobody holds is compared with everyone born on its date of birth
 *    or a likely mistyping of it (the matcher's date-of-birth candidates, fetched for the whole
 *    batch in one query) and with new people earlier in the batch: a cheap name test, then the
 *    matcher's own scoreMatch. If no one scores even in the review band it is a new person;
 *  - everything else (identifiers held by two people, or a lookalike) goes through
 *    receiveRecord one row at a time, so linking, review queueing and merging stay in one place.
 * What the bulk path gives up is the matcher's name-only search (similar names born years
 * apart): a probation extract keys people by CRN, and those pairs are rare and reviewable later.
 */

const identifiersOf = (r: PeopleRow) => [
  { type: 'crn', value: r.crn },
  ...(r.noms_number ? [{ type: 'noms', value: r.noms_number }] : []),
  ...(r.pnc_number ? [{ type: 'pnc', value: r.pnc_number }] : []),
  ...(r.cro_number ? [{ type: 'cro', value: r.cro_number }] : []),
]
const idKey = (i: { type: string; value: string }) => `${i.type}:${i.value}`

/** Whether a source record says what the row says (so re-importing the row is a no-op). */
function sameRecord(stored: Record<string, unknown>, r: PeopleRow) {
  return (
    [
      'crn',
      'noms_number',
      'pnc_number',
      'cro_number',
      'first_name',
      'last_name',
      'date_of_birth',
      'gender',
      'postcode',
    ] as const
  ).every((c) => (stored[c] ?? null) === (r[c] ?? null))
}

/** Imports (or, in a dry run, plans) one batch of people rows. */
export async function importPeopleBatch(
  ctx: BatchContext,
  rows: ValidRow<PeopleRow>[],
  outcome: BatchOutcome,
) {
  await ctx.agencies.load(
    ctx.db,
    rows.map((r) => r.value.agency_code),
  )
  const ready = rows.filter((r) => {
    const code = r.value.agency_code
    if (code && !ctx.agencies.get(code)) outcome.problems.push(unknownAgency(r, code))
    return !code || !!ctx.agencies.get(code)
  })
  if (ready.length === 0) return
  const planned = ctx.dryRun
    ? await plan(ctx.db, ctx, ready, outcome)
    : await ctx.db.transaction().execute(async (tx) => {
        await repo.lockKeys(tx, [
          ...ready.flatMap((r) => identifiersOf(r.value).map(idKey)),
          ...ready.map((r) => `record:${ctx.sourceSystem}/${r.key}`),
        ])
        const decided = await plan(tx, ctx, ready, outcome)
        const written = decided.filter((p) => p.how !== 'full')
        await writePeople(tx, ctx, written)
        if (written.length)
          await recordAudit(tx, {
            actor: null,
            actorLabel: 'tandem import',
            action: 'create',
            personIds: [...new Set(written.map((p) => p.personId!))],
            categories: ['identity'],
            origin: ctx.origin,
            purpose: `Legacy import of people from ${ctx.sourceSystem}`,
            detail: { file: ctx.file, rows: written.map((p) => p.row.row), sourceSystem: ctx.sourceSystem },
          })
        return decided
      })
  for (const p of planned) {
    if (p.how === 'new') outcome.created += 1
    if (p.how === 'link') outcome.linked += 1
    if (p.how !== 'full') outcome.imported += 1
  }
  const full = planned.filter((p) => p.how === 'full')
  if (ctx.dryRun) outcome.matched += full.length
  else for (const p of full) await matchOne(ctx, p, outcome)
}

async function plan(q: Queryable, ctx: BatchContext, rows: ValidRow<PeopleRow>[], outcome: BatchOutcome) {
  const seen = new Map(
    (
      await repo.findSourceRecords(
        q,
        ctx.sourceSystem,
        rows.map((r) => r.key),
      )
    ).map((s) => [s.source_ref, s]),
  )
  const fresh = rows.filter((r) => {
    const record = seen.get(r.key)
    if (!record) return true
    if (sameRecord(record, r.value)) outcome.unchanged += 1
    else outcome.problems.push(changedProblem(r))
    return false
  })
  const holders = new Map<string, Set<string>>()
  for (const h of await repo.findIdentifierHolders(
    q,
    fresh.flatMap((r) => identifiersOf(r.value)),
  ))
    holders.set(idKey(h), (holders.get(idKey(h)) ?? new Set()).add(h.person_id))
  const facts = new Map(
    (await repo.findFacts(q, [...new Set([...holders.values()].flatMap((s) => [...s]))])).map((f) => [
      f.id,
      f,
    ]),
  )
  // Lookalikes in the database, for rows whose identifiers no one holds: by name first, then scored.
  const unheld = fresh.filter((r) => identifiersOf(r.value).every((i) => !holders.has(idKey(i))))
  const bornOn = new Map<string, Awaited<ReturnType<typeof repo.findNamesBornOn>>>()
  const dobs = [...new Set(unheld.flatMap((r) => dobVariants(r.value.date_of_birth)))]
  for (const c of await repo.findNamesBornOn(q, dobs))
    bornOn.set(c.date_of_birth, [...(bornOn.get(c.date_of_birth) ?? []), c])
  const near = new Map(
    unheld.map((r) => [
      r,
      dobVariants(r.value.date_of_birth)
        .flatMap((d) => bornOn.get(d) ?? [])
        .filter((c) => mightMatch(r.value, c))
        .map((c) => c.id),
    ]),
  )
  for (const f of await repo.findFacts(q, [...new Set([...near.values()].flat())])) facts.set(f.id, f)
  const newBornOn = new Map<string, repo.PersonFacts[]>()

  const planned: Planned[] = []
  for (const row of fresh) {
    const r = row.value
    const agencyId = r.agency_code ? ctx.agencies.get(r.agency_code) : ctx.defaultAgencyId
    const held = new Set(identifiersOf(r).flatMap((i) => [...(holders.get(idKey(i)) ?? [])]))
    const holder = held.size === 1 ? facts.get([...held][0]!) : undefined
    let entry: Planned
    if (held.size > 1 || (held.size === 1 && !holder)) {
      entry = { row, how: 'full', personId: null, agencyId, facts: null }
    } else if (holder) {
      entry = { row, how: 'link', personId: holder.id, agencyId, facts: holder }
    } else {
      const me = rowFacts(r)
      const candidates = [
        ...(near.get(row) ?? []).flatMap((id) => facts.get(id) ?? []),
        ...dobVariants(r.date_of_birth)
          .flatMap((d) => newBornOn.get(d) ?? [])
          .filter((c) => mightMatch(r, c)),
      ]
      const lookalike = candidates.some((c) => scoreMatch(me, personFacts(c)).band !== 'none')
      if (lookalike) {
        entry = { row, how: 'full', personId: null, agencyId, facts: null }
      } else if (!agencyId) {
        outcome.problems.push(noAgency(row))
        continue
      } else {
        const created: repo.PersonFacts = {
          ...{ noms_number: null, pnc_number: null, cro_number: null, postcode: null, aliases: [] },
          ...{ id: randomUUID(), lead_agency_id: agencyId, first_name: r.first_name, last_name: r.last_name },
          ...{ date_of_birth: r.date_of_birth, gender: r.gender ?? 'not_known', crn: r.crn },
        }
        facts.set(created.id, created)
        newBornOn.set(r.date_of_birth, [...(newBornOn.get(r.date_of_birth) ?? []), created])
        entry = { row, how: 'new', personId: created.id, agencyId, facts: created }
      }
    }
    // Later rows in the batch see who this row's identifiers now belong to.
    if (entry.personId)
      for (const i of identifiersOf(r))
        if (!holders.has(idKey(i))) holders.set(idKey(i), new Set([entry.personId]))
    planned.push(entry)
  }
  return planned
}

const noAgency = (row: ValidRow) => ({
  row: row.row,
  column: 'agency_code',
  message:
    'this is a new person: give the code of the agency that holds their case in agency_code, or run the import with --agency',
  kind: 'no agency for a new person',
})

/** One row through full identity matching, then its other names. */
async function matchOne(ctx: BatchContext, p: Planned, outcome: BatchOutcome) {
  const r = p.row.value
  try {
    const arrival = await receiveRecord(
      ctx.db,
      null,
      {
        sourceSystem: ctx.sourceSystem,
        sourceRef: p.row.key,
        agencyId: p.agencyId,
        crn: r.crn,
        nomsNumber: r.noms_number,
        pncNumber: r.pnc_number,
        croNumber: r.cro_number,
        firstName: r.first_name,
        lastName: r.last_name,
        dateOfBirth: r.date_of_birth,
        gender: r.gender,
        postcode: r.postcode,
      },
      ctx.origin,
    )
    if (arrival.outcome === 'duplicate') {
      outcome.unchanged += 1
      return
    }
    outcome.imported += 1
    if (arrival.outcome === 'pending') outcome.queued += 1
    else if (arrival.outcome === 'new') outcome.created += 1
    else outcome.matched += 1
    if (arrival.personId && r.aliases?.length) await addAliases(ctx, arrival.personId, p.row)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    outcome.problems.push(
      error.problems.some((e) => e.field === 'agencyId')
        ? noAgency(p.row)
        : { row: p.row.row, column: null, message: error.message, kind: 'identity matching' },
    )
  }
}

async function addAliases(ctx: BatchContext, personId: string, row: ValidRow<PeopleRow>) {
  await ctx.db.transaction().execute(async (tx: Tx) => {
    const [person] = await repo.findFacts(tx, [personId])
    if (!person) return
    const known = new Set(
      [person, ...person.aliases.map((a) => ({ first_name: a.firstName, last_name: a.lastName }))].map(
        (n) => `${normaliseName(n.first_name)} ${normaliseName(n.last_name)}`,
      ),
    )
    const source = await tx
      .selectFrom('source_records')
      .select('id')
      .where('source_system', '=', ctx.sourceSystem)
      .where('source_ref', '=', row.key)
      .executeTakeFirst()
    const names = (row.value.aliases ?? []).filter((a) => {
      const name = `${normaliseName(a.firstName)} ${normaliseName(a.lastName)}`
      return !known.has(name) && !!known.add(name)
    })
    await repo.insertMany(
      tx,
      'person_aliases',
      { person_id: 'uuid', first_name: 'text', last_name: 'text', source_record_id: 'uuid' },
      names.map((a) => ({
        person_id: personId,
        first_name: a.firstName,
        last_name: a.lastName,
        source_record_id: source?.id ?? null,
      })),
    )
  })
}
