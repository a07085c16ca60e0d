import fc from 'fast-check'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { formatPnc } from './identifiers.js'
import {
  decideReview,
  mergePeople,
  receiveRecord,
  unmergePeople,
  type IncomingRecord,
} from './identity.service.js'
import { scoreMatch, type IdentityFacts } from './matching.js'

let database: TestDatabase
let probation: string
let admin: Actor
const origin = { route: 'test', requestId: null }
let ref = 0

function record(values: Partial<IncomingRecord>): IncomingRecord {
  return {
    sourceSystem: 'nDelius',
    sourceRef: `ref-${++ref}`,
    agencyId: probation,
    crn: null,
    nomsNumber: null,
    pncNumber: null,
    croNumber: null,
    firstName: 'Samuel',
    lastName: 'Okonkwo',
    dateOfBirth: '1991-04-12',
    gender: 'male',
    postcode: 'M14 5RT',
    ...values,
  }
}

beforeAll(async () => {
  database = await freshDatabase()
  probation = await f.makeAgency(database.db)
  admin = (await findActor(
    database.db,
    await f.makeUser(database.db, { agencyId: probation, roles: ['administrator'] }),
  ))!
})
afterAll(async () => {
  await database.destroy()
})

const facts = (values: Partial<IdentityFacts>): IdentityFacts => ({
  firstName: 'Samuel',
  lastName: 'Okonkwo',
  dateOfBirth: '1991-04-12',
  gender: 'male',
  postcode: 'M14 5RT',
  crn: null,
  nomsNumber: null,
  pncNumber: null,
  croNumber: null,
  ...values,
})

describe('match scoring', () => {
  it('explains each field and puts clear cases in the right band', () => {
    const nickname = scoreMatch(facts({ firstName: 'Sam' }), facts({}))
    expect(nickname.band).toBe('automatic')
    expect(nickname.comparisons.find((c) => c.field === 'forename')?.outcome).toBe(
      'a short form of the same name',
    )
    const twin = scoreMatch(facts({ firstName: 'David' }), facts({}))
    expect(twin.band).toBe('review')
    const swapped = scoreMatch(facts({ dateOfBirth: '1991-12-04', postcode: null }), facts({}))
    expect(swapped.comparisons.find((c) => c.field === 'date of birth')?.outcome).toBe(
      'day and month swapped',
    )
    expect(swapped.band).toBe('review')
    const transposed = scoreMatch(facts({ firstName: 'Okonkwo', lastName: 'Samuel' }), facts({}))
    expect(transposed.comparisons[0]?.outcome).toContain('first and last names swapped')
    const stranger = scoreMatch(
      facts({ firstName: 'Grace', lastName: 'Hughes', dateOfBirth: '1970-01-30' }),
      facts({}),
    )
    expect(stranger.band).toBe('none')
    const differentPnc = scoreMatch(
      facts({ pncNumber: formatPnc(2001, 1) }),
      facts({ pncNumber: formatPnc(2001, 2) }),
    )
    expect(differentPnc.band).not.toBe('automatic')
  })

  it('always matches a record with itself, automatically', () => {
    const name = fc.string({ minLength: 2, maxLength: 12 }).filter((s) => /[a-z]{2}/i.test(s))
    fc.assert(
      fc.property(
        name,
        name,
        fc.date({ min: new Date('1940-01-01'), max: new Date('2008-12-31'), noInvalidDate: true }),
        (first, last, born) => {
          const self = facts({
            firstName: first,
            lastName: last,
            dateOfBirth: born.toISOString().slice(0, 10),
          })
          expect(scoreMatch(self, self).band).toBe('automatic')
        },
      ),
    )
  })
})

describe(`identity matching on ${engine}`, () => {
  it('links by identifier, and takes the same record twice only once', async () => {
    const person = await f.makePerson(database.db, { leadAgencyId: probation, crn: 'A100001' })
    const incoming = record({ crn: 'a100001', nomsNumber: 'A1234BC', firstName: 'Someone', lastName: 'Else' })
    expect(await receiveRecord(database.db, null, incoming, origin)).toEqual({
      outcome: 'identifier',
      personId: person.id,
    })
    expect(await receiveRecord(database.db, null, incoming, origin)).toEqual({
      outcome: 'duplicate',
      personId: person.id,
    })
    const row = await database.db
      .selectFrom('people')
      .select('noms_number')
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow()
    expect(row.noms_number).toBe('A1234BC')
    const aliases = await database.db
      .selectFrom('person_aliases')
      .select(['first_name', 'last_name'])
      .where('person_id', '=', person.id)
      .execute()
    expect(aliases).toEqual([{ first_name: 'Someone', last_name: 'Else' }])
  })

  it('refuses identifiers with wrong check letters, naming the field', async () => {
    await expect(
      receiveRecord(database.db, null, record({ pncNumber: '2001/0123456G' }), origin),
    ).rejects.toMatchObject({
      problems: [{ field: 'pncNumber', message: expect.stringContaining('check letter') }],
    })
  })

  it('links automatically above the high threshold, queues the middle band, and opens a new person below', async () => {
    const first = await receiveRecord(database.db, null, record({ crn: 'B100001' }), origin)
    expect(first.outcome).toBe('new')
    const nickname = await receiveRecord(
      database.db,
      null,
      record({ sourceSystem: 'Police', firstName: 'Sam', crn: null }),
      origin,
    )
    expect(nickname).toMatchObject({ outcome: 'automatic', personId: first.personId })
    const twin = await receiveRecord(
      database.db,
      null,
      record({ sourceSystem: 'Police', firstName: 'Daniel', crn: 'B100002' }),
      origin,
    )
    expect(twin).toMatchObject({ outcome: 'pending', candidates: 1 })
    const stranger = await receiveRecord(
      database.db,
      null,
      record({
        firstName: 'Priya',
        lastName: 'Natarajan',
        dateOfBirth: '1984-09-02',
        crn: 'B100003',
        postcode: null,
      }),
      origin,
    )
    expect(stranger.outcome).toBe('new')
    const unknown = await receiveRecord(
      database.db,
      null,
      record({
        sourceSystem: 'Police',
        firstName: 'Zed',
        lastName: 'Unheard',
        dateOfBirth: '1960-02-02',
        postcode: null,
      }),
      origin,
    )
    expect(unknown).toEqual({ outcome: 'pending', personId: null, candidates: 0 })

    const review = await database.db
      .selectFrom('match_reviews')
      .select(['id', 'explanation'])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow()
    expect(review.explanation).toContainEqual(
      expect.objectContaining({ field: 'forename', outcome: 'different' }),
    )
    const decided = await decideReview(database.db, admin, review.id, 'different', origin)
    expect(decided.personId).toBeDefined()
    expect(decided.personId).not.toBe(first.personId)
  })

  it('makes one person of 100 records with one CRN arriving at once', async () => {
    const arrivals = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        receiveRecord(
          database.db,
          null,
          record({ sourceSystem: `system-${i}`, crn: 'C100001', firstName: 'Con', lastName: 'Current' }),
          origin,
        ),
      ),
    )
    const people = new Set(arrivals.map((a) => a.personId))
    expect(people.size).toBe(1)
    expect(arrivals.filter((a) => a.outcome === 'new')).toHaveLength(1)
    const count = await sql<{
      n: number
    }>`select count(*)::int as n from people where crn = 'C100001'`.execute(database.db)
    expect(count.rows[0]!.n).toBe(1)
  })
})

describe(`merge and unmerge on ${engine}`, () => {
  /** Everything that belongs to a person, keyed by table, for before/after comparison. */
  async function snapshot(personId: string) {
    const tables = [
      'person_identifiers',
      'person_aliases',
      'allocations',
      'cohort_memberships',
      'registrations',
      'timeline_events',
      'case_restrictions',
      'source_records',
    ] as const
    const out: Record<string, unknown[]> = {}
    for (const table of tables) {
      const { rows } = await sql`select * from ${sql.table(table)} where person_id = ${personId}`.execute(
        database.db,
      )
      out[table] = rows.map((r) => JSON.stringify(r)).sort()
    }
    return out
  }

  it('restores both people exactly, whatever they held', async () => {
    const team = await f.makeTeam(database.db, probation)
    const cohort = await f.makeCohort(database.db)
    const userId = await f.makeUser(database.db, { agencyId: probation, roles: ['practitioner'] })
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          events: fc.nat(4),
          lead: fc.boolean(),
          cohort: fc.boolean(),
          alias: fc.boolean(),
          restricted: fc.boolean(),
        }),
        fc.record({
          events: fc.nat(4),
          lead: fc.boolean(),
          cohort: fc.boolean(),
          alias: fc.boolean(),
          restricted: fc.boolean(),
        }),
        async (a, b) => {
          const people = []
          for (const spec of [a, b]) {
            const person = await f.makePerson(database.db, {
              leadAgencyId: probation,
              leadTeamId: team,
              crn: `D${String(100000 + ++n)}`,
            })
            for (let e = 0; e < spec.events; e++)
              await f.addTimelineEvent(database.db, person.id, {
                category: 'supervision',
                agencyId: probation,
              })
            if (spec.lead)
              await f.allocate(database.db, person.id, userId, { agencyId: probation, isLead: true })
            if (spec.cohort) await f.joinCohort(database.db, person.id, cohort)
            if (spec.restricted) await f.restrict(database.db, person.id, userId, 'allow')
            if (spec.alias)
              await database.db
                .insertInto('person_aliases')
                .values({
                  person_id: person.id,
                  first_name: 'Al',
                  last_name: 'Ias',
                  date_of_birth: null,
                  source_record_id: null,
                })
                .execute()
            people.push(person)
          }
          const [survivor, merged] = people as [(typeof people)[0], (typeof people)[0]]
          const before = [await snapshot(survivor.id), await snapshot(merged.id)]
          const mergeId = await mergePeople(
            database.db,
            admin,
            survivor.id,
            merged.id,
            'property test',
            origin,
          )
          const during = await snapshot(merged.id)
          expect(during.timeline_events!.length).toBeLessThanOrEqual(before[1]!.timeline_events!.length)
          await unmergePeople(database.db, admin, mergeId, 'property test', origin)
          const after = [await snapshot(survivor.id), await snapshot(merged.id)]
          // The survivor also keeps the two notes saying it was merged and unmerged.
          const notes = (rows: unknown[]) => rows.filter((r) => !String(r).includes('"identity.changed"'))
          expect(notes(after[0]!.timeline_events!)).toEqual(before[0]!.timeline_events)
          expect({ ...after[0], timeline_events: [] }).toEqual({ ...before[0], timeline_events: [] })
          expect(after[1]).toEqual(before[1])
        },
      ),
      { numRuns: 15 },
    )
  })

  it('moves everything while merged, and redirects the merged CRN to the survivor', async () => {
    const a = await f.makePerson(database.db, { leadAgencyId: probation, crn: 'E100001' })
    const b = await f.makePerson(database.db, { leadAgencyId: probation, crn: 'E100002' })
    await f.addTimelineEvent(database.db, b.id, {
      category: 'risk',
      agencyId: probation,
      title: 'Moves with the merge',
    })
    await mergePeople(database.db, admin, a.id, b.id, 'same person', origin)
    const moved = await database.db
      .selectFrom('timeline_events')
      .select('person_id')
      .where('title', '=', 'Moves with the merge')
      .executeTakeFirstOrThrow()
    expect(moved.person_id).toBe(a.id)
    const arrival = await receiveRecord(
      database.db,
      null,
      record({ crn: 'E100002', firstName: 'X', lastName: 'Y' }),
      origin,
    )
    expect(arrival).toMatchObject({ outcome: 'identifier', personId: a.id })
    await expect(mergePeople(database.db, admin, a.id, b.id, 'again', origin)).rejects.toThrow(
      /already been merged/,
    )
  })
})

describe(`identity pages and API on ${engine}`, () => {
  it('takes records through the API, queues the unclear ones, and lets an administrator decide side by side', async () => {
    const { testApp, Client } = await import('../../../test/support/app.js')
    const app = await testApp(database.db)
    try {
      const client = await f.makeApiClient(database.db, probation, ['records:write'])
      const send = (body: Record<string, unknown>) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/records',
          headers: { authorization: `Bearer ${client.token}` },
          payload: body,
        })
      const first = await send({
        sourceSystem: 'nDelius',
        sourceRef: 'api-1',
        crn: 'F100001',
        firstName: 'Harriet',
        lastName: 'Lowe',
        dateOfBirth: '1988-07-09',
        gender: 'female',
        postcode: 'BL1 2AB',
      })
      expect(first.json()).toMatchObject({ outcome: 'new' })
      const sister = await send({
        sourceSystem: 'Police',
        sourceRef: 'api-2',
        firstName: 'Georgia',
        lastName: 'Lowe',
        dateOfBirth: '1988-07-09',
        gender: 'female',
        postcode: 'BL1 2AB',
      })
      expect(sister.json()).toMatchObject({ outcome: 'pending', personId: null })
      const bad = await send({
        sourceSystem: 'Police',
        sourceRef: 'api-3',
        firstName: 'X',
        lastName: 'Y',
        croNumber: '123456/08A',
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().errors).toContainEqual({
        field: 'croNumber',
        message: expect.stringContaining('check letter'),
      })

      const adminId = await f.makeUser(database.db, { agencyId: probation, roles: ['administrator'] })
      const page = new Client(app, await f.sessionCookie(database.db, adminId))
      const queue = await page.get('/identity')
      expect(queue.body).toContain('Georgia Lowe')
      const link = /href="\/identity\/reviews\/([0-9a-f-]{36})">Georgia Lowe/.exec(queue.body)![1]!
      const detail = await page.get(`/identity/reviews/${link}`)
      expect(detail.body).toContain('How the score was worked out')
      expect(detail.body).toContain('F100001')
      const missing = await page.post(`/identity/reviews/${link}`, {})
      expect(missing.statusCode).toBe(400)
      expect(missing.body).toContain('Choose whether these are the same person')
      expect((await page.post(`/identity/reviews/${link}`, { decision: 'different' })).statusCode).toBe(303)
      const short = await page.post('/identity/merge', {
        survivorCrn: 'F100001',
        mergedCrn: 'Z999999',
        reason: 'short',
      })
      expect(short.statusCode).toBe(400)
      expect(short.body).toContain('in at least 10 characters')
      const unknown = await page.post('/identity/merge', {
        survivorCrn: 'F100001',
        mergedCrn: 'Z999999',
        reason: 'Same PNC on both records',
      })
      expect(unknown.statusCode).toBe(400)
      expect(unknown.body).toContain('There is no person with this CRN')
      expect(unknown.body).toContain('Same PNC on both records</textarea>')
    } finally {
      await app.close()
    }
  })
})
