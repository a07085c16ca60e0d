import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import type { Actor } from '../../platform/access/actor.js'
import { searchVisiblePeople, type SearchCriteria } from './people.repository.js'

let database: TestDatabase
let practitioner: Actor
let police: Actor
let team: string
let otherTeam: string
let cohort: string
const people: Record<string, { id: string; crn: string }> = {}

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  const probation = await f.makeAgency(db, { name: 'Probation North' })
  const policeAgency = await f.makeAgency(db, { kind: 'police', name: 'North Police' })
  team = await f.makeTeam(db, probation, 'Leeds 1')
  otherTeam = await f.makeTeam(db, probation, 'Leeds 2')
  cohort = await f.makeCohort(db, 'IOM')
  await f.makeAgreement(db, {
    agencyIds: [probation, policeAgency],
    cohortIds: [cohort],
    categories: ['identity'],
  })
  const userId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], teamIds: [team] })
  practitioner = { userId } as Actor
  police = { userId: await f.makeUser(db, { agencyId: policeAgency, roles: ['partner_worker'] }) } as Actor

  const person = (key: string, props: Omit<Parameters<typeof f.makePerson>[1], 'leadAgencyId'>) =>
    f.makePerson(db, { leadAgencyId: probation, leadTeamId: team, ...props }).then((p) => (people[key] = p))
  await person('ashSmith', { firstName: 'Ash', lastName: 'Smith', crn: 'S100001', nomsNumber: 'A1234BC' })
  await person('bobSmith', { firstName: 'Bob', lastName: 'Smith', crn: 'S100002', dateOfBirth: '1984-02-29' })
  await person('carolSmithe', { firstName: 'Carol', lastName: 'Smithe', crn: 'S100003' })
  await person('danJones', { firstName: 'Dan', lastName: 'Jones', crn: 'S100004' })
  await person('elsewhere', { firstName: 'Eve', lastName: 'Smith', crn: 'S100005', leadTeamId: otherTeam })
  await person('restricted', { firstName: 'Fay', lastName: 'Smith', crn: 'S100006' })
  await person('merged', { firstName: 'Gus', lastName: 'Smith', crn: 'S100007' })
  await f.restrict(db, people.restricted!.id, userId, 'deny')
  await db
    .updateTable('people')
    .set({ merged_into: people.ashSmith!.id })
    .where('id', '=', people.merged!.id)
    .execute()
  // Dan Jones was once known as Dan Smith; Bob Smith also as Robert Smith.
  await db
    .insertInto('person_aliases')
    .values([
      {
        person_id: people.danJones!.id,
        first_name: 'Dan',
        last_name: 'Smith',
        date_of_birth: null,
        source_record_id: null,
      },
      {
        person_id: people.bobSmith!.id,
        first_name: 'Robert',
        last_name: 'Smith',
        date_of_birth: null,
        source_record_id: null,
      },
    ])
    .execute()
  await f.joinCohort(db, people.carolSmithe!.id, cohort)
  await f.joinCohort(db, people.elsewhere!.id, cohort)

  // Beyond the practitioner's team: one allocated to them, one under a break-glass grant, one
  // whose grant has expired; and an alias the police reach through their agreement.
  for (const [key, firstName, crn] of [
    ['allocated', 'Hal', 'S100008'],
    ['glass', 'Ivy', 'S100009'],
    ['expired', 'Jo', 'S100010'],
  ] as const)
    await person(key, { firstName, lastName: 'Okafor', crn, leadTeamId: otherTeam })
  await f.allocate(db, people.allocated!.id, userId, { agencyId: probation })
  const grant = (personId: string, expiresAt: Date) => ({
    person_id: personId,
    user_id: userId,
    reason: 'Urgent safeguarding call out of hours',
    expires_at: expiresAt,
  })
  await db
    .insertInto('break_glass_grants')
    .values([
      grant(people.glass!.id, new Date(Date.now() + 3_600_000)),
      grant(people.expired!.id, new Date(Date.now() - 60_000)),
    ])
    .execute()
  await db
    .insertInto('person_aliases')
    .values({
      person_id: people.elsewhere!.id,
      first_name: 'Eve',
      last_name: 'Okonkwo',
      date_of_birth: null,
      source_record_id: null,
    })
    .execute()
}, 60_000)

afterAll(() => database.destroy())

const search = (actor: Actor, text: string, more: Partial<SearchCriteria> = {}) =>
  database.db
    .transaction()
    .execute((tx) => searchVisiblePeople(tx, actor, { text, limit: 50, ...more }))
    .then((found) => found.map((p) => p.crn))

describe(`search on ${engine}`, () => {
  it('finds exact names first, then near spellings and aliases, each person once, in name order within a score', async () => {
    const found = await search(practitioner, 'Smith')
    // Ash and Bob Smith (exact, by name; Bob's alias is no better), then Dan by his alias (scored
    // a little below a name), then Carol Smithe (a letter more).
    expect(found).toEqual(['S100001', 'S100002', 'S100004', 'S100003'])
  })

  it('finds a name typed with a letter wrong', async () => {
    expect(await search(practitioner, 'Dan Jomes')).toEqual(['S100004'])
  })

  it('finds by any identifier and by date of birth', async () => {
    expect(await search(practitioner, 'S100003')).toEqual(['S100003'])
    expect(await search(practitioner, 'a1234bc')).toEqual(['S100001'])
    expect(await search(practitioner, '1984-02-29')).toEqual(['S100002'])
  })

  it('never returns people the user may not see, merged records, or a restricted case', async () => {
    const all = await search(practitioner, 'Smith')
    for (const hidden of ['S100005', 'S100006', 'S100007']) expect(all).not.toContain(hidden)
    expect(await search(practitioner, 'S100005')).toEqual([])
    expect(await search(practitioner, 'S100006')).toEqual([])
  })

  it('shows a partner agency only the people its agreement covers', async () => {
    expect(await search(police, 'Smith')).toEqual(['S100005', 'S100003'])
    expect(await search(police, 'S100001')).toEqual([])
  })

  it('finds people by every route the user reaches them: allocation, break-glass, and an agreement by alias', async () => {
    expect(await search(practitioner, 'Okafor')).toEqual(['S100008', 'S100009'])
    expect(await search(practitioner, 'Hal Okafr')).toEqual(['S100008'])
    expect(await search(police, 'Okonkwo')).toEqual(['S100005'])
    expect(await search(police, 'Okafor')).toEqual([])
  })

  it('narrows by team and cohort', async () => {
    expect(await search(practitioner, 'Smith', { cohortId: cohort })).toEqual(['S100003'])
    expect(await search(practitioner, 'Smith', { teamId: otherTeam })).toEqual([])
    expect(await search(police, 'Smith', { teamId: otherTeam })).toEqual(['S100005'])
  })

  it('stops at the limit, keeping the best', async () => {
    expect(await search(practitioner, 'Smith', { limit: 2 })).toEqual(['S100001', 'S100002'])
  })

  // A common name's plan is estimated dear enough to be compiled, which took longer than running it.
  it.runIf(engine === 'postgres')('runs in sessions without JIT compilation', async () => {
    const { rows } = await sql<{ jit: string }>`show jit`.execute(database.db)
    expect(rows[0]?.jit).toBe('off')
  })
})
