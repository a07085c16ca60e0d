import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../app.js'
import { Client, testConfig } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as i from '../../../test/support/intelligence-factories.js'
import { systemClock } from '../../platform/clock.js'
import { intelligenceRoutes } from './intelligence.routes.js'
import { evaluateForEvent } from './rules.service.js'

let database: TestDatabase
let app: FastifyInstance
let agencyId: string
let practitioner: Client
let coordinator: Client
let person: { id: string; crn: string }

/** The app with this module's routes, registered here until app.ts mounts them. */
export async function appWithIntelligence(db: TestDatabase['db']) {
  const built = await buildApp({ config: testConfig(), db, clock: systemClock })
  if (!built.hasRoute({ method: 'GET', url: '/rules' }))
    intelligenceRoutes(built, { config: testConfig(), db, clock: systemClock })
  await built.ready()
  return built
}

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  app = await appWithIntelligence(db)
  agencyId = await f.makeAgency(db)
  const teamId = await f.makeTeam(db, agencyId)
  const practitionerId = await f.makeUser(db, { agencyId, roles: ['practitioner'], teamIds: [teamId] })
  const coordinatorId = await f.makeUser(db, { agencyId, roles: ['coordinator'] })
  person = await f.makePerson(db, {
    leadAgencyId: agencyId,
    leadTeamId: teamId,
    firstName: 'Ada',
    lastName: 'Lovelace',
  })
  await f.allocate(db, person.id, practitionerId, { agencyId, isLead: true })
  practitioner = new Client(app, await f.sessionCookie(db, practitionerId))
  coordinator = new Client(app, await f.sessionCookie(db, coordinatorId))
  const now = new Date()
  await i.makeAppointment(db, {
    personId: person.id,
    agencyId,
    startsAt: i.daysBefore(now, 3),
    outcome: 'unacceptable_absence',
  })
  await i.makeAppointment(db, {
    personId: person.id,
    agencyId,
    startsAt: i.daysBefore(now, 1),
    outcome: 'unacceptable_absence',
  })
  await db
    .transaction()
    .execute((tx) => evaluateForEvent(tx, { type: 'appointment.outcome.recorded', personId: person.id }, now))
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

describe('My day', () => {
  it('shows flags by severity with their reasons, and the rule task due', async () => {
    await database.db
      .updateTable('tasks')
      .set({ due_on: new Date().toISOString().slice(0, 10) })
      .execute()
    const page = await practitioner.get('/')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Flags for my people')
    expect(page.body).toMatch(/High \(1\)/)
    expect(page.body).toMatch(/2 unacceptable absences in 30 days/)
    expect(page.body).toContain(`/people/${person.crn}/flags#flag-`)
    expect(page.body).toContain('Tasks due')
    expect(page.body).toContain('/my-day/live.mjs')
  })

  it('serves the live script', async () => {
    const script = await practitioner.get('/my-day/live.mjs')
    expect(script.headers['content-type']).toMatch(/javascript/)
    expect(script.body).toContain('EventSource')
  })
})

describe('a person’s flags', () => {
  it('needs a reason to dismiss, acknowledges, then resolves', async () => {
    const page = await practitioner.get(`/people/${person.crn}/flags`)
    expect(page.statusCode).toBe(200)
    const flagId = /\/flags\/([0-9a-f-]{36})"/.exec(page.body)![1]!
    const noReason = await practitioner.post(`/people/${person.crn}/flags/${flagId}`, {
      action: 'dismiss',
      status: 'raised',
      reason: ' ',
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Enter why you are dismissing this flag')
    expect(noReason.body).toContain(`href="#reason-${flagId}"`)

    const ack = await practitioner.post(`/people/${person.crn}/flags/${flagId}`, { action: 'acknowledge' })
    expect(ack.statusCode).toBe(303)
    const stale = await practitioner.post(`/people/${person.crn}/flags/${flagId}`, {
      action: 'resolve',
      status: 'raised',
      reason: '',
    })
    expect(stale.statusCode).toBe(409)
    const resolve = await practitioner.post(`/people/${person.crn}/flags/${flagId}`, {
      action: 'resolve',
      status: 'acknowledged',
      reason: 'Breach action taken',
    })
    expect(resolve.statusCode).toBe(303)
    const after = await practitioner.get(`/people/${person.crn}/flags`)
    expect(after.body).toContain('Breach action taken')
    expect(after.body).toContain('There are no open flags')
  })

  it('is not shown to someone who may not see the person', async () => {
    expect((await coordinator.get(`/people/${person.crn}/flags`)).statusCode).toBe(404)
  })
})

describe('the rule editor', () => {
  it('is for coordinators', async () => {
    expect((await practitioner.get('/rules')).statusCode).toBe(403)
    const list = await coordinator.get('/rules')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('Unacceptable absences')
  })

  it('validates a new version, previews it and switches it on', async () => {
    const form = {
      basedOn: '1',
      name: 'Unacceptable absences',
      severity: 'high',
      reasonTemplate: '{count} in {days} days {nonsense}',
      acknowledgeWithinHours: '48',
      taskOwnerRole: 'lead_practitioner',
      taskDueDays: '',
      count: '0',
      days: '30',
    }
    const bad = await coordinator.post('/rules/UNACCEPTABLE_ABSENCES/edit', form)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('The number of absences must be 1 or more')
    expect(bad.body).toContain('Reason text can only use')
    expect(bad.body).toContain('Enter the days until the task is due')

    const good = await coordinator.post('/rules/UNACCEPTABLE_ABSENCES/edit', {
      ...form,
      count: '1',
      taskDueDays: '3',
      reasonTemplate: '{count} absence in {days} days: {dates}',
    })
    expect(good.statusCode).toBe(303)
    expect(good.headers.location).toBe('/rules/UNACCEPTABLE_ABSENCES/versions/2/preview')
    const preview = await coordinator.get('/rules/UNACCEPTABLE_ABSENCES/versions/2/preview')
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toMatch(/<strong>1<\/strong> person in total, of whom you may see 0/)
    expect((await coordinator.post('/rules/UNACCEPTABLE_ABSENCES/versions/2/enable', {})).statusCode).toBe(
      303,
    )
    const versions = await database.db
      .selectFrom('rules')
      .select(['version', 'status'])
      .where('code', '=', 'UNACCEPTABLE_ABSENCES')
      .orderBy('version')
      .execute()
    expect(versions).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'enabled' },
    ])
    // Editing from a stale version is a conflict, not a silent overwrite.
    expect(
      (
        await coordinator.post('/rules/UNACCEPTABLE_ABSENCES/edit', {
          ...form,
          count: '1',
          taskDueDays: '3',
          reasonTemplate: '{count}',
        })
      ).statusCode,
    ).toBe(409)
  })
})
