import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as p from '../../../test/support/process-factories.js'
import { fixedClock } from '../../platform/clock.js'
import { processSubscribersWith } from './process.service.js'

let database: TestDatabase
let app: FastifyInstance
let coordinator: Client
let practitioner: Client
let probation: string
let practitionerId: string
let cohortId: string
const clock = fixedClock('2026-03-02T10:00:00Z')

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db)
  const coordinatorId = await f.makeUser(db, { agencyId: probation, roles: ['coordinator'] })
  practitionerId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] })
  cohortId = await f.makeCohort(db, 'Short sentences')
  app = await testApp(db, { clock })
  coordinator = new Client(app, await f.sessionCookie(db, coordinatorId))
  practitioner = new Client(app, await f.sessionCookie(db, practitionerId))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

const revisionOn = (body: string) => /name="revision" value="([0-9a-f]{16})"/.exec(body)![1]!

describe(`the template editor and the person's stage and tasks on ${engine}`, () => {
  it('is for coordinators', async () => {
    expect((await practitioner.get('/templates')).statusCode).toBe(403)
    expect((await practitioner.post('/templates/new', { name: 'X', cohortId })).statusCode).toBe(403)
  })

  it('creates a draft, edits it form by form, refuses a bad one and publishes a sound one', async () => {
    expect((await coordinator.post('/templates/new', { name: '', cohortId: 'nope' })).body).toContain(
      'Enter a name',
    )
    const created = await coordinator.post('/templates/new', { name: 'Short custody', cohortId })
    expect(created.statusCode).toBe(303)
    const url = String(created.headers.location)
    let page = await coordinator.get(url)
    expect(page.body).toContain('There are no stages yet')

    // The first stage cannot follow a previous one: allowed in a draft, refused at publication.
    let response = await coordinator.post(`${url}/stages`, {
      revision: revisionOn(page.body),
      code: 'Waiting',
      name: 'Waiting',
      entryKind: 'after_days',
      afterDays: 'ten',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Days in the previous stage must be a whole number')
    response = await coordinator.post(`${url}/stages`, {
      revision: revisionOn(page.body),
      code: 'waiting',
      name: 'Waiting',
      entryKind: 'after_days',
      afterDays: '10',
    })
    expect(response.statusCode).toBe(303)
    page = await coordinator.get(url)
    response = await coordinator.post(`${url}/publish`, { revision: revisionOn(page.body) })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Stage 1 (Waiting): no one can reach this stage')
    expect(response.body).toContain('href="#stage-1"')

    // A stale edit is a conflict, not an overwrite.
    const stale = revisionOn(page.body)
    await coordinator.post(`${url}/stages/waiting`, {
      revision: stale,
      code: 'release-day',
      name: 'Release day',
      entryKind: 'event',
      event: 'released',
    })
    expect((await coordinator.post(`${url}/stages/release-day/remove`, { revision: stale })).statusCode).toBe(
      409,
    )

    page = await coordinator.get(`${url}/stages/release-day`)
    response = await coordinator.post(`${url}/stages/release-day/tasks`, {
      revision: revisionOn(page.body),
      code: 'appointment',
      title: 'Release day appointment',
      ownerRole: 'lead',
      dueDays: '0',
      required: 'yes',
    })
    expect(response.statusCode).toBe(303)
    page = await coordinator.get(`${url}/stages/release-day`)
    response = await coordinator.post(`${url}/stages/release-day/tasks`, {
      revision: revisionOn(page.body),
      code: 'appointment',
      title: 'Again',
      ownerRole: 'lead',
      dueDays: '0',
      required: 'no',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('the code appointment is already used in this stage')
    page = await coordinator.get(url)
    expect(page.body).toContain('Release day appointment')
    response = await coordinator.post(`${url}/publish`, { revision: revisionOn(page.body) })
    expect(response.statusCode).toBe(303)
    page = await coordinator.get(url)
    expect(page.body).toContain('cannot be changed')
    expect(page.body).not.toContain('Add a stage')

    // A new version copies the published one; publishing it retires the first.
    response = await coordinator.post(`${url}/new-version`, {})
    const second = String(response.headers.location)
    expect(second).not.toBe(url)
    page = await coordinator.get(second)
    expect(page.body).toContain('Release day appointment')
    response = await coordinator.post(`${second}/publish`, { revision: revisionOn(page.body) })
    expect(response.headers.location).toBe(`${second}/migrate`)
    const list = await coordinator.get('/templates')
    expect(list.body).toMatch(/Retired/)
    expect((await coordinator.get(`${second}/migrate`)).body).toContain('Nobody is on an earlier version')
  })

  it('shows a person their stage and tasks, and completes and reopens a task from the version seen', async () => {
    const db = database.db
    const cohort = await f.makeCohort(db)
    await p.makeTemplate(db, { cohortId: cohort, name: 'IOM resettlement' })
    const { id, crn } = await f.makePerson(db, { leadAgencyId: probation })
    await f.allocate(db, id, practitionerId, { agencyId: probation, isLead: true })
    await p.setCircumstances(db, id, { custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    const [stages] = processSubscribersWith(clock)
    await db
      .transaction()
      .execute((tx) => stages!.handle(tx, p.outboxEvent('person.cohort.joined', id, { cohortId: cohort })))

    let page = await practitioner.get(`/people/${crn}/tasks`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Pre-release')
    expect(page.body).toContain('IOM resettlement, version 1')
    expect(page.body).toContain('Agree the release plan')
    const task = await db
      .selectFrom('tasks')
      .select(['id', 'version'])
      .where('person_id', '=', id)
      .where('title', '=', 'Agree the release plan')
      .executeTakeFirstOrThrow()
    const done = await practitioner.post(`/people/${crn}/tasks/${task.id}`, {
      version: String(task.version),
      status: 'done',
    })
    expect(done.statusCode).toBe(303)
    expect(
      (
        await practitioner.post(`/people/${crn}/tasks/${task.id}`, {
          version: String(task.version),
          status: 'open',
        })
      ).statusCode,
    ).toBe(409)
    page = await practitioner.get(`/people/${crn}/tasks`)
    expect(page.body).toContain('Reopen')

    // Someone who may not see the person gets the same answer as for a person who does not exist.
    const other = await f.makeUser(db, { agencyId: await f.makeAgency(db), roles: ['practitioner'] })
    const stranger = new Client(app, await f.sessionCookie(db, other))
    expect((await stranger.get(`/people/${crn}/tasks`)).statusCode).toBe(404)
    expect(
      (
        await stranger.post(`/people/${crn}/tasks/${task.id}`, {
          version: String(task.version + 1),
          status: 'open',
        })
      ).statusCode,
    ).toBe(404)
  })
})
