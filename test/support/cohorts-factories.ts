import type { Db } from '../../src/platform/database/database.js'
import type { Criteria } from '../../src/modules/cohorts/cohorts.schema.js'

/** Builders for the cohorts module's tests. */

let counter = 0
const next = () => ++counter

export async function makeRegion(db: Db, name?: string) {
  const n = next()
  const row = await db
    .insertInto('regions')
    .values({ code: `CR${n}`, name: name ?? `Region ${n}` })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeCohortWith(
  db: Db,
  props: { code?: string; name?: string; criteria?: Criteria; regionId?: string | null } = {},
) {
  const n = next()
  const code = props.code ?? `CT${n}`
  const row = await db
    .insertInto('cohorts')
    .values({
      code,
      name: props.name ?? `Cohort ${code}`,
      criteria: JSON.stringify(props.criteria ?? {}),
      region_id: props.regionId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, code }
}

/** Sets what the criteria look at on a person: area, custody status, risk and date of birth. */
export async function describePerson(
  db: Db,
  personId: string,
  props: { regionId?: string | null; custodyStatus?: string; roshLevel?: string; dateOfBirth?: string },
) {
  await db
    .updateTable('people')
    .set({
      ...(props.regionId !== undefined ? { region_id: props.regionId } : {}),
      ...(props.custodyStatus ? { custody_status: props.custodyStatus } : {}),
      ...(props.roshLevel ? { rosh_level: props.roshLevel } : {}),
      ...(props.dateOfBirth ? { date_of_birth: props.dateOfBirth } : {}),
    })
    .where('id', '=', personId)
    .execute()
}

export async function addSentence(
  db: Db,
  personId: string,
  props: {
    type: string
    offenceCategory: string
    offence?: string
    lengthDays: number | null
    sentencedOn?: string
    endedOn?: string | null
  },
) {
  const n = next()
  await db
    .insertInto('sentences')
    .values({
      person_id: personId,
      event_number: n,
      sentence_type: props.type,
      description: props.type,
      offence: props.offence ?? props.offenceCategory,
      offence_category: props.offenceCategory,
      court: 'Test Magistrates’ Court',
      sentenced_on: props.sentencedOn ?? '2026-01-10',
      length_days: props.lengthDays,
      expected_release_on: null,
      licence_end_on: null,
      sentence_end_on: null,
      ended_on: props.endedOn ?? null,
    })
    .execute()
}
