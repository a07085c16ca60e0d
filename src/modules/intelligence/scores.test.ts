import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { drainOutbox, publish } from '../../platform/outbox/outbox.js'
import { systemClock } from '../../platform/clock.js'
import { scoreSubscriber } from './scores.service.js'

let database: TestDatabase
let app: FastifyInstance
let person: { id: string; crn: string }
let practitioner: Client
let stranger: Client
let police: Client
let coordinator: Client
const subscribers = [scoreSubscriber(systemClock)]

async function addSentence(sentencedOn: string, offenceCategory = 'theft_non_motor', who = person) {
  await database.db
    .insertInto('sentences')
    .values({
      person_id: who.id,
      event_number: 1,
      sentence_type: 'community',
      description: 'Community order',
      offence: 'Theft from a shop',
      offence_category: offenceCategory,
      court: 'Leeds Magistrates’ Court',
      sentenced_on: sentencedOn,
      length_days: 365,
      expected_release_on: null,
      licence_end_on: null,
      sentence_end_on: null,
      ended_on: null,
    })
    .execute()
}

async function deliver(type: string) {
  await publish(database.db, { type, personId: person.id, payload: {} })
  while ((await drainOutbox(database.db, subscribers)) > 0);
}

type Stored = { kind: string; status: string; score: number | null; inputs: Record<string, unknown> }
async function stored(kind = 'ogrs3', who = person) {
  const { rows } = await sql<Stored & { superseded_at: Date | null; cause: string; settings: unknown }>`
    select kind, status, score, inputs, settings, superseded_at, cause from person_scores
    where person_id = ${who.id}::uuid and kind = ${kind} order by computed_at, created_at`.execute(
    database.db,
  )
  return rows
}

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  app = await testApp(db)
  const probation = await f.makeAgency(db)
  const policeAgency = await f.makeAgency(db, { kind: 'police' })
  const cohort = await f.makeCohort(db)
  await f.makeAgreement(db, {
    agencyIds: [probation, policeAgency],
    cohortIds: [cohort],
    categories: ['identity', 'risk'],
  })
  person = await f.makePerson(db, { leadAgencyId: probation, firstName: 'Ada', lastName: 'Scored' })
  await f.joinCohort(db, person.id, cohort)
  const practitionerId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] })
  await f.allocate(db, person.id, practitionerId, { agencyId: probation, isLead: true })
  practitioner = new Client(app, await f.sessionCookie(db, practitionerId))
  stranger = new Client(
    app,
    await f.sessionCookie(db, await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] })),
  )
  police = new Client(
    app,
    await f.sessionCookie(db, await f.makeUser(db, { agencyId: policeAgency, roles: ['partner_worker'] })),
  )
  coordinator = new Client(
    app,
    await f.sessionCookie(db, await f.makeUser(db, { agencyId: probation, roles: ['coordinator'] })),
  )
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

describe('scores recalculated when their inputs change', () => {
  it('stores OGRS3 and the tier with inputs, settings and cause when a sentence arrives', async () => {
    await addSentence('2015-06-01')
    await addSentence('2024-01-10')
    await deliver('person.sentence.imported')
    const [ogrs3] = await stored()
    expect(ogrs3).toMatchObject({
      status: 'calculated',
      cause: 'person.sentence.imported',
      superseded_at: null,
    })
    expect(ogrs3!.inputs).toMatchObject({ sanctions: 2, dateOfCurrentConviction: '2024-01-10', sex: 'M' })
    expect(ogrs3!.settings).toEqual({
      sexualNotAgainstChildWeight: 0.003276327,
      femaleUnder16Weights: 'negative',
    })
    // RoSH medium from the factory: 10 points, protect level C.
    expect(await stored('tier')).toMatchObject([{ status: 'calculated', score: 10 }])
  })

  it('stores nothing new when an event is redelivered or changes nothing the scores rest on', async () => {
    const event = await database.db
      .selectFrom('outbox')
      .select(['id', 'event_type', 'person_id', 'payload', 'occurred_at'])
      .where('event_type', '=', 'person.sentence.imported')
      .executeTakeFirstOrThrow()
    // At-least-once delivery: the same event handled again.
    await database.db.transaction().execute((tx) =>
      subscribers[0]!.handle(tx, {
        id: event.id,
        type: event.event_type,
        personId: event.person_id,
        payload: event.payload,
        occurredAt: event.occurred_at,
      }),
    )
    await deliver('registration.added')
    expect(await stored()).toHaveLength(1)
    expect(await stored('tier')).toHaveLength(1)
  })

  it('stores a new score, keeping the old one, when a new conviction arrives', async () => {
    await addSentence('2025-02-03', 'burglary_domestic')
    await deliver('person.sentence.imported')
    const rows = await stored()
    expect(rows).toHaveLength(2)
    expect(rows[0]!.superseded_at).not.toBeNull()
    expect(rows[1]).toMatchObject({ superseded_at: null })
    expect(rows[1]!.inputs).toMatchObject({ sanctions: 3, offenceCategory: 'burglary_domestic' })
    expect(rows[1]!.score).not.toBe(rows[0]!.score)
  })

  it('recalculates the tier when a register it counts is added', async () => {
    await database.db
      .insertInto('registrations')
      .values({
        person_id: person.id,
        type_code: 'ALSH',
        type_description: 'Suicide/Self Harm',
        category: 'risk',
        level: null,
        registered_on: '2025-03-01',
        next_review_on: null,
        deregistered_on: null,
        source_ref: null,
        register_category: null,
      })
      .execute()
    await deliver('registration.added')
    expect((await stored('tier')).map((r) => r.score)).toEqual([10, 12])
  })

  it('scores each person in a busy batch once, from their own record, with their latest event as cause', async () => {
    const db = database.db
    const probation = await f.makeAgency(db)
    const [first, second] = [
      await f.makePerson(db, { leadAgencyId: probation }),
      await f.makePerson(db, { leadAgencyId: probation }),
    ]
    await addSentence('2024-05-01', 'burglary_domestic', first)
    await addSentence('2023-01-01', 'theft_non_motor', second)
    await addSentence('2024-02-02', 'theft_non_motor', second)
    for (const [who, type] of [
      [first, 'person.sentence.imported'],
      [second, 'person.sentence.imported'],
      [first, 'registration.added'],
    ] as const)
      await publish(db, { type, personId: who.id, payload: {} })
    await drainOutbox(db, subscribers)
    const [firstScores, secondScores] = [await stored('ogrs3', first), await stored('ogrs3', second)]
    expect(firstScores).toMatchObject([{ cause: 'registration.added', superseded_at: null }])
    expect(firstScores[0]!.inputs).toMatchObject({ sanctions: 1, offenceCategory: 'burglary_domestic' })
    expect(secondScores).toMatchObject([{ cause: 'person.sentence.imported', superseded_at: null }])
    expect(secondScores[0]!.inputs).toMatchObject({ sanctions: 2, offenceCategory: 'theft_non_motor' })
  })
})

describe('the scores page', () => {
  it('shows the result with its inputs and terms, and audits the read', async () => {
    const page = await practitioner.get(`/people/${person.crn}/scores`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('OGRS3: proven reoffending')
    expect(page.body).toContain('Burglary (domestic)')
    expect(page.body).toContain('Copas rate')
    expect(page.body).toContain('What Tandem assumes')
    expect(page.body).toMatch(/Protect level calculated by Tandem<\/dt>\s*<dd[^>]*>C \(12 points\)/)
    expect(page.body).toContain('Different from B2')
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'categories', 'person_ids'])
      .where('route', '=', 'GET /people/:crn/scores')
      .execute()
    expect(audit).toEqual([
      { action: 'read', categories: ['identity', 'risk', 'sentence'], person_ids: [person.id] },
    ])
  })

  it('shows nothing to a practitioner with no relationship, and only what an agreement shares', async () => {
    const refused = await stranger.get(`/people/${person.crn}/scores`)
    expect(refused.statusCode).toBe(404)
    expect(refused.body).not.toContain('Ada')
    // The police share identity and risk but not sentences: the tier shows, OGRS3 does not.
    const partner = await police.get(`/people/${person.crn}/scores`)
    expect(partner.statusCode).toBe(200)
    expect(partner.body).not.toContain('Copas rate')
    expect(partner.body).toContain('Not shown: it rests on information you may not see.')
    expect(partner.body).toContain('Protect level calculated by Tandem')
  })

  it('brings a score up to date when shown after a change no event announced (a corrected date of birth)', async () => {
    await database.db
      .updateTable('people')
      .set({ date_of_birth: '1960-03-21' })
      .where('id', '=', person.id)
      .execute()
    await practitioner.get(`/people/${person.crn}/scores`)
    const rows = await stored()
    expect(rows.at(-1)).toMatchObject({
      cause: 'shown',
      superseded_at: null,
      inputs: { dateOfBirth: '1960-03-21' },
    })
    expect(rows.filter((r) => !r.superseded_at)).toHaveLength(1)
  })

  it('lets a coordinator change the disputed weights, and refuses a value that is not one of them', async () => {
    const bad = await coordinator.post('/scores/weights', {
      version: '1',
      sexualNotAgainstChildWeight: '0.5',
      femaleUnder16Weights: 'positive',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Select the weight for sexual offences not against a child')
    const saved = await coordinator.post('/scores/weights', {
      version: '1',
      sexualNotAgainstChildWeight: '0.0328',
      femaleUnder16Weights: 'positive',
    })
    expect(saved.statusCode).toBe(303)
    const stale = await coordinator.post('/scores/weights', {
      version: '1',
      sexualNotAgainstChildWeight: '0.0328',
      femaleUnder16Weights: 'negative',
    })
    expect(stale.statusCode).toBe(409)
    await practitioner.get(`/people/${person.crn}/scores`)
    expect((await stored()).at(-1)!.settings).toEqual({
      sexualNotAgainstChildWeight: 0.0328,
      femaleUnder16Weights: 'positive',
    })
    expect((await practitioner.get('/scores/weights')).statusCode).toBe(403)
  })
})
