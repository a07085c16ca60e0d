import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../../../platform/database/database.js'
import { normaliseName } from '../../people/matching.js'
import type { BatchContext, ValidRow } from './batch.js'
import type { PeopleRow } from './import.schema.js'
import * as repo from './import.repository.js'

/** A people row and what the batch decided about it. */
export interface Planned {
  row: ValidRow<PeopleRow>
  /** link: its identifiers name one person; new: no one like them; full: full identity matching. */
  how: 'link' | 'new' | 'full'
  personId: string | null
  agencyId: string | null
  facts: repo.PersonFacts | null
}

const compact = (postcode: string | null) => postcode?.toUpperCase().replace(/\s/g, '') ?? null
const nameKey = (first: string, last: string) => `${normaliseName(first)} ${normaliseName(last)}`

/**
 * Writes a batch's linked and new people in one pass per table, as identity linking does row by
 * row (identity.service linkRecord): the source record, its identifiers, identifiers the person
 * lacked, a new name as an alias, a new postcode as an address, a timeline item and the events.
 */
export async function writePeople(tx: Tx, ctx: BatchContext, planned: Planned[]) {
  if (planned.length === 0) return
  const today = new Date().toISOString().slice(0, 10)
  const rows = planned.map((p) => ({ ...p, sourceId: randomUUID(), person: p.facts!, r: p.row.value }))
  const created = rows.filter((p) => p.how === 'new')
  await repo.insertMany(
    tx,
    'people',
    {
      id: 'uuid',
      crn: 'text',
      noms_number: 'text',
      pnc_number: 'text',
      cro_number: 'text',
      first_name: 'text',
      last_name: 'text',
      date_of_birth: 'date',
      gender: 'text',
      lead_agency_id: 'uuid',
    },
    created.map(({ person, r }) => ({
      id: person.id,
      crn: r.crn,
      noms_number: r.noms_number,
      pnc_number: r.pnc_number,
      cro_number: r.cro_number,
      first_name: r.first_name,
      last_name: r.last_name,
      date_of_birth: r.date_of_birth,
      gender: r.gender ?? 'not_known',
      lead_agency_id: person.lead_agency_id,
    })),
  )
  await repo.insertMany(
    tx,
    'source_records',
    {
      id: 'uuid',
      person_id: 'uuid',
      source_system: 'text',
      source_ref: 'text',
      agency_id: 'uuid',
      crn: 'text',
      noms_number: 'text',
      pnc_number: 'text',
      cro_number: 'text',
      first_name: 'text',
      last_name: 'text',
      date_of_birth: 'date',
      gender: 'text',
      postcode: 'text',
      match_outcome: 'text',
    },
    rows.map(({ sourceId, person, r, row, agencyId, how }) => ({
      id: sourceId,
      person_id: person.id,
      source_system: ctx.sourceSystem,
      source_ref: row.key,
      agency_id: agencyId,
      crn: r.crn,
      noms_number: r.noms_number,
      pnc_number: r.pnc_number,
      cro_number: r.cro_number,
      first_name: r.first_name,
      last_name: r.last_name,
      date_of_birth: r.date_of_birth,
      gender: r.gender,
      postcode: r.postcode,
      match_outcome: how === 'new' ? 'new' : 'identifier',
    })),
  )
  await repo.insertMany(
    tx,
    'person_identifiers',
    { type: 'text', value: 'text', person_id: 'uuid', source_record_id: 'uuid' },
    rows.flatMap(({ r, person, sourceId }) =>
      (
        [
          ['crn', r.crn],
          ['noms', r.noms_number],
          ['pnc', r.pnc_number],
          ['cro', r.cro_number],
        ] as const
      )
        .filter(([, value]) => value)
        .map(([type, value]) => ({ type, value: value!, person_id: person.id, source_record_id: sourceId })),
    ),
    sql`on conflict do nothing`,
  )
  await repo.fillMissingIdentifiers(
    tx,
    rows
      .filter((p) => p.how === 'link')
      .map(({ person, r }) => ({
        personId: person.id,
        noms: r.noms_number,
        pnc: r.pnc_number,
        cro: r.cro_number,
      })),
  )

  // Names and postcodes the person is not yet known by, deduplicated across the batch too.
  const names = new Map<string, Set<string>>()
  const postcodes = new Map<string, string | null>()
  const aliases: {
    person_id: string
    first_name: string
    last_name: string
    date_of_birth: string | null
    source_record_id: string
  }[] = []
  const addresses: {
    person_id: string
    kind: string
    postcode: string
    starts_on: string
    source_record_id: string
  }[] = []
  for (const { person, r, sourceId } of rows) {
    const known =
      names.get(person.id) ??
      new Set(
        [person, ...person.aliases.map((a) => ({ first_name: a.firstName, last_name: a.lastName }))].map(
          (n) => nameKey(n.first_name, n.last_name),
        ),
      )
    names.set(person.id, known)
    const others = [
      { firstName: r.first_name, lastName: r.last_name, dateOfBirth: r.date_of_birth },
      ...(r.aliases ?? []).map((a) => ({ ...a, dateOfBirth: null })),
    ]
    for (const name of others) {
      const key = nameKey(name.firstName, name.lastName)
      if (known.has(key)) continue
      known.add(key)
      aliases.push({
        person_id: person.id,
        first_name: name.firstName,
        last_name: name.lastName,
        date_of_birth: name.dateOfBirth,
        source_record_id: sourceId,
      })
    }
    const current = postcodes.has(person.id) ? postcodes.get(person.id)! : person.postcode
    if (r.postcode && compact(current) !== compact(r.postcode)) {
      addresses.push({
        person_id: person.id,
        kind: 'main',
        postcode: r.postcode,
        starts_on: today,
        source_record_id: sourceId,
      })
      postcodes.set(person.id, r.postcode)
    }
  }
  await repo.insertMany(
    tx,
    'person_aliases',
    {
      person_id: 'uuid',
      first_name: 'text',
      last_name: 'text',
      date_of_birth: 'date',
      source_record_id: 'uuid',
    },
    aliases,
  )
  await repo.insertMany(
    tx,
    'person_addresses',
    { person_id: 'uuid', kind: 'text', postcode: 'text', starts_on: 'date', source_record_id: 'uuid' },
    addresses,
  )
  const now = new Date().toISOString()
  await repo.insertMany(
    tx,
    'timeline_events',
    repo.TIMELINE_COLUMNS,
    rows.map(({ person, agencyId, row, how }) => ({
      person_id: person.id,
      occurred_at: now,
      kind: 'identity.record-linked',
      category: 'identity',
      agency_id: agencyId ?? person.lead_agency_id,
      source_system: ctx.sourceSystem,
      title: `Record ${row.key} from ${ctx.sourceSystem} linked`,
      summary: how === 'new' ? 'New person' : 'Matched by identifier',
    })),
  )
  await repo.publishMany(tx, [
    ...created.map(({ person, r }) => ({
      type: 'person.created',
      personId: person.id,
      payload: { crn: r.crn },
    })),
    ...rows.map(({ person, sourceId, how }) => ({
      type: 'person.record.linked',
      personId: person.id,
      payload: { sourceRecordId: sourceId, how: how === 'new' ? 'new' : 'identifier' },
    })),
  ])
}
