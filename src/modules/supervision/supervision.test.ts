import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import {
  appointmentVersion,
  makeAppointment,
  makeContact,
} from '../../../test/support/supervision-factories.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { enforcementStep, failuresInWindow } from './enforcement.js'

let database: TestDatabase
let db: Db
let app: FastifyInstance
let probation: string
let police: string
let leadId: string
let officerId: string
let lead: Client
let officer: Client
let person: { id: string; crn: string }
const clock = fixedClock('2026-03-10T10:00:00Z')

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  police = await f.makeAgency(db, { kind: 'police', name: 'North Police' })
  const cohort = await f.makeCohort(db, 'IOM')
  // Police see identity and police intelligence: not supervision.
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [cohort],
    categories: ['identity', 'police_intelligence'],
  })
  person = await f.makePerson(db, { leadAgencyId: probation, firstName: 'Jordan', lastName: 'Pike' })
  await f.joinCohort(db, person.id, cohort)
  leadId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Lee Lead' })
  officerId = await f.makeUser(db, { agencyId: police, roles: ['partner_worker'], name: 'Olu Officer' })
  await f.allocate(db, person.id, leadId, { agencyId: probation, isLead: true })
  await f.allocate(db, person.id, officerId, { agencyId: police, role: 'police_iom_officer' })
  app = await testApp(db, { clock })
  lead = new Client(app, await f.sessionCookie(db, leadId))
  officer = new Client(app, await f.sessionCookie(db, officerId))
})
afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

const DAY = 86_400_000
const failure = (appointmentId: string, at: string) => ({ appointmentId, startsAt: new Date(at) })

describe('enforcement counting', () => {
  it('counts a failure 364 days before towards a breach, but not one 366 days before', () => {
    const second = new Date('2026-03-01T10:00:00Z')
    const near = [
      failure('a', new Date(second.getTime() - 364 * DAY).toISOString()),
      failure('b', second.toISOString()),
    ]
    const far = [
      failure('a', new Date(second.getTime() - 366 * DAY).toISOString()),
      failure('b', second.toISOString()),
    ]
    expect(enforcementStep(near, 'b')).toMatchObject({ kind: 'breach_decision', count: 2, dueInDays: 10 })
    expect(enforcementStep(far, 'b')).toMatchObject({ kind: 'enforcement_warning', count: 1, dueInDays: 5 })
    expect(enforcementStep(near, 'a')).toMatchObject({ kind: 'enforcement_warning', count: 1 })
    expect(enforcementStep(near, 'not-a-failure')).toBeNull()
    expect(failuresInWindow(far, second)).toBe(1)
  })
})

async function recordOutcome(client: Client, appointmentId: string, form: Record<string, string>) {
  const version = await appointmentVersion(db, appointmentId)
  return client.post(`/people/${person.crn}/appointments/${appointmentId}/outcome`, { version, ...form })
}

function enforcementTasks(personId = person.id) {
  return db
    .selectFrom('tasks')
    .select([
      'kind',
      'title',
      'status',
      'owner_user_id',
      'owner_role',
      'owner_agency_id',
      'due_on',
      'source_ref',
    ])
    .where('person_id', '=', personId)
    .where('source', '=', 'enforcement')
    .orderBy('created_at')
    .orderBy('kind', 'desc')
    .execute()
}

describe('recording outcomes', () => {
  let first: string
  let second: string
  let third: string

  beforeAll(async () => {
    const at = (iso: string) => ({
      personId: person.id,
      agencyId: probation,
      staffUserId: leadId,
      startsAt: iso,
    })
    first = await makeAppointment(db, { ...at('2026-01-05T10:00:00Z'), location: 'Room one' })
    second = await makeAppointment(db, { ...at('2026-02-02T10:00:00Z'), location: 'Room two' })
    third = await makeAppointment(db, { ...at('2026-03-02T10:00:00Z'), location: 'Room three' })
  })

  it('gives the lead a warning task for the first failure and a breach decision for the second', async () => {
    const absent = { outcome: 'unacceptable_absence', notes: 'No reason given' }
    expect((await recordOutcome(lead, first, absent)).statusCode).toBe(303)
    expect(await enforcementTasks()).toEqual([
      expect.objectContaining({
        kind: 'enforcement_warning',
        title: 'Issue a warning letter',
        owner_user_id: leadId,
        due_on: '2026-03-15',
        status: 'open',
      }),
    ])
    const failed = { outcome: 'attended_failed_to_comply', notes: 'Refused the drug test' }
    expect((await recordOutcome(lead, second, failed)).statusCode).toBe(303)
    const tasks = await enforcementTasks()
    expect(tasks.map((t) => [t.kind, t.due_on])).toEqual([
      ['enforcement_warning', '2026-03-15'],
      ['breach_decision', '2026-03-20'],
    ])
    const page = await lead.get(`/people/${person.crn}/appointments`)
    expect(page.body).toContain('2 unacceptable absences or failures to comply in the last 12 months')

    const timeline = await db
      .selectFrom('timeline_events')
      .select(['kind', 'category', 'title'])
      .where('person_id', '=', person.id)
      .where('kind', '=', 'appointment.outcome')
      .execute()
    expect(timeline).toHaveLength(2)
    expect(timeline).toContainEqual({
      kind: 'appointment.outcome',
      category: 'supervision',
      title: 'Supervision: Failed to attend (unacceptable absence)',
    })
    const events = await db
      .selectFrom('outbox')
      .select('payload')
      .where('event_type', '=', 'appointment.outcome.recorded')
      .execute()
    expect(events.map((e) => e.payload)).toContainEqual({
      appointmentId: first,
      outcome: 'unacceptable_absence',
      startsAt: '2026-01-05T10:00:00.000Z',
    })
  })

  it('never duplicates a task when the same outcome is recorded again', async () => {
    await recordOutcome(lead, first, { outcome: 'unacceptable_absence', notes: 'Still no reason' })
    await recordOutcome(lead, second, { outcome: 'attended_failed_to_comply', notes: 'Again' })
    expect(await enforcementTasks()).toHaveLength(2)
  })

  it('stops counting an outcome changed away from a failure, and counts it once if changed back', async () => {
    await recordOutcome(lead, first, { outcome: 'acceptable_absence', notes: 'Was in hospital: letter seen' })
    let tasks = await enforcementTasks()
    expect(tasks.find((t) => t.kind === 'enforcement_warning')?.status).toBe('cancelled')
    await recordOutcome(lead, third, { outcome: 'unacceptable_absence', notes: 'No reason given' })
    tasks = await enforcementTasks()
    // Two failures now stand (second and third), not three.
    const page = await lead.get(`/people/${person.crn}/appointments`)
    expect(page.body).toContain('2 unacceptable absences or failures to comply in the last 12 months')
    expect(tasks.filter((t) => t.kind === 'breach_decision')).toHaveLength(2)
    await recordOutcome(lead, first, { outcome: 'unacceptable_absence', notes: 'Hospital letter was forged' })
    tasks = await enforcementTasks()
    expect(tasks).toHaveLength(3)
    expect(tasks.find((t) => t.kind === 'enforcement_warning')?.status).toBe('open')
  })

  it('refuses a stale edit with a clear message and keeps the earlier outcome', async () => {
    const id = await makeAppointment(db, {
      personId: person.id,
      agencyId: probation,
      staffUserId: leadId,
      startsAt: '2026-03-09T09:00:00Z',
      enforceable: false,
      attendees: [{ userId: officerId, agencyId: police }],
    })
    const version = await appointmentVersion(db, id)
    const url = `/people/${person.crn}/appointments/${id}/outcome`
    expect((await lead.post(url, { version, outcome: 'attended_complied' })).statusCode).toBe(303)
    const stale = await officer.post(url, { version, outcome: 'acceptable_absence', notes: 'Ill' })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Someone else has recorded an outcome for this appointment')
    expect(stale.body).toContain('Attended and complied')
    const row = await db
      .selectFrom('appointments')
      .select('outcome')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.outcome).toBe('attended_complied')
  })

  it('books the new appointment when one is rescheduled', async () => {
    const id = await makeAppointment(db, {
      personId: person.id,
      agencyId: probation,
      staffUserId: leadId,
      startsAt: '2026-03-10T14:00:00Z',
      minutes: 45,
      attendees: [{ userId: officerId, agencyId: police }],
    })
    const missing = await recordOutcome(lead, id, { outcome: 'rescheduled' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Enter the date of the new appointment')
    const response = await recordOutcome(lead, id, {
      outcome: 'rescheduled',
      'newDate-day': '17',
      'newDate-month': '3',
      'newDate-year': '2026',
      newTime: '2:30pm',
    })
    expect(response.statusCode).toBe(303)
    const rebooked = await db
      .selectFrom('appointments')
      .select(['id', 'starts_at', 'ends_at'])
      .where('rescheduled_from', '=', id)
      .executeTakeFirstOrThrow()
    expect(new Date(rebooked.starts_at).toISOString()).toBe('2026-03-17T14:30:00.000Z')
    expect(new Date(rebooked.ends_at).getTime() - new Date(rebooked.starts_at).getTime()).toBe(45 * 60_000)
    const attendees = await db
      .selectFrom('appointment_attendees')
      .select('user_id')
      .where('appointment_id', '=', rebooked.id)
      .execute()
    expect(attendees.map((a) => a.user_id)).toEqual([officerId])
  })

  it('asks for notes when someone is absent', async () => {
    const response = await recordOutcome(lead, third, { outcome: 'acceptable_absence', notes: '' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Enter the reason for the absence')
  })

  it('gives the work to the lead agency’s probation practitioners when there is no lead', async () => {
    const orphan = await f.makePerson(db, { leadAgencyId: probation })
    await f.allocate(db, orphan.id, leadId, { agencyId: probation })
    const id = await makeAppointment(db, {
      personId: orphan.id,
      agencyId: probation,
      staffUserId: leadId,
      startsAt: '2026-03-03T10:00:00Z',
    })
    const version = await appointmentVersion(db, id)
    const response = await lead.post(`/people/${orphan.crn}/appointments/${id}/outcome`, {
      version,
      outcome: 'unacceptable_absence',
      notes: 'No reason',
    })
    expect(response.statusCode).toBe(303)
    expect(await enforcementTasks(orphan.id)).toEqual([
      expect.objectContaining({
        owner_user_id: null,
        owner_role: 'probation_practitioner',
        owner_agency_id: probation,
      }),
    ])
  })
})

describe('scheduling and the diary', () => {
  const form = (over: Record<string, string | string[]> = {}) => ({
    'date-day': '12',
    'date-month': '3',
    'date-year': '2026',
    time: '10:00',
    duration: '60',
    kind: 'multi_agency_visit',
    location: 'Home address',
    attendees: [officerId],
    ...over,
  })

  it('schedules a multi-agency visit that the attendee sees in their day and week', async () => {
    const response = await lead.post(`/people/${person.crn}/appointments`, form())
    expect(response.statusCode).toBe(303)
    const day = await officer.get('/appointments?view=day&date=2026-03-12')
    expect(day.statusCode).toBe(200)
    expect(day.body).toContain('Jordan Pike')
    expect(day.body).toContain('Led by Lee Lead')
    const week = await officer.get('/appointments?view=week&date=2026-03-10')
    expect(week.body).toContain('Jordan Pike')
    expect(week.body).toContain('9 March 2026 to 15 March 2026')
    const elsewhere = await officer.get('/appointments?view=day&date=2026-03-13')
    expect(elsewhere.body).not.toContain('Jordan Pike')
  })

  it('warns of a clash and schedules only once confirmed', async () => {
    const clash = await lead.post(
      `/people/${person.crn}/appointments`,
      form({ time: '10:30', attendees: [] }),
    )
    expect(clash.statusCode).toBe(200)
    expect(clash.body).toContain('Lee Lead already has an appointment from 10am to 11am')
    const count = async () =>
      (await db.selectFrom('appointments').select('id').where('location', '=', 'Clash room').execute()).length
    await lead.post(
      `/people/${person.crn}/appointments`,
      form({ time: '10:30', attendees: [], location: 'Clash room' }),
    )
    expect(await count()).toBe(0)
    const confirmed = await lead.post(
      `/people/${person.crn}/appointments`,
      form({ time: '10:30', attendees: [], location: 'Clash room', confirmClash: 'yes' }),
    )
    expect(confirmed.statusCode).toBe(303)
    expect(await count()).toBe(1)
  })

  it('shows a partner without the supervision category only the appointments they attend', async () => {
    const page = await officer.get(`/people/${person.crn}/appointments`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Home address')
    expect(page.body).not.toContain('Room one')
    expect(page.body).not.toContain('Clash room')
    expect(page.body).not.toContain('in the last 12 months')
    const lists = await lead.get(`/people/${person.crn}/appointments`)
    expect(lists.body).toContain('Room one')
  })

  it.each([
    [{ 'date-day': '31', 'date-month': '2' }, 'The date of the appointment must be a real date'],
    [{ 'date-day': '', 'date-month': '', 'date-year': '' }, 'Enter the date of the appointment'],
    [{ 'date-day': '1', 'date-month': '3' }, 'The appointment must be in the future'],
    [{ time: '25:00' }, 'Enter the start time as a real time'],
    [{ 'date-day': '29', time: '1:30am' }, 'clocks go forward'],
    [{ duration: '0' }, 'Choose how long the appointment lasts'],
    [{ attendees: ['00000000-0000-0000-0000-000000000000'] }, 'Choose attendees from the list'],
  ])('gives an error, not a failure, for bad input %j', async (over, message) => {
    const response = await lead.post(`/people/${person.crn}/appointments`, form(over))
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('There is a problem')
    expect(response.body).toContain(message)
  })

  it('gives an error for an impossible diary date', async () => {
    const response = await lead.get('/appointments?view=week&date=2026-02-30')
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('The date must be a real date')
  })

  it('lets only allocated workers and the lead team schedule', async () => {
    const coordinatorId = await f.makeUser(db, { agencyId: police, roles: ['coordinator'] })
    const coordinator = new Client(app, await f.sessionCookie(db, coordinatorId))
    const page = await coordinator.get(`/people/${person.crn}/appointments`)
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('Schedule an appointment')
    const response = await coordinator.post(`/people/${person.crn}/appointments`, form({ time: '15:00' }))
    expect(response.statusCode).toBe(403)
  })
})

describe('contacts', () => {
  it('records a contact with a timeline entry, and a correction keeps the history', async () => {
    const response = await lead.post(`/people/${person.crn}/contacts`, {
      kind: 'contact.phone',
      'date-day': '10',
      'date-month': '3',
      'date-year': '2026',
      time: '09:15',
      summary: 'Called about the missed appointment',
      category: 'supervision',
    })
    expect(response.statusCode).toBe(303)
    const original = await db
      .selectFrom('contacts')
      .select('id')
      .where('summary', '=', 'Called about the missed appointment')
      .executeTakeFirstOrThrow()
    const corrected = await lead.post(`/people/${person.crn}/contacts/${original.id}`, {
      kind: 'contact.phone',
      'date-day': '10',
      'date-month': '3',
      'date-year': '2026',
      time: '09:15',
      summary: 'Called about the missed appointment on 2 March',
      category: 'supervision',
    })
    expect(corrected.statusCode).toBe(303)
    const log = await lead.get(`/people/${person.crn}/contacts`)
    expect(log.body).toContain('Called about the missed appointment on 2 March')
    expect(log.body).not.toContain('Called about the missed appointment</p>')
    const history = await lead.get(corrected.headers.location as string)
    expect(history.body).toContain('Earlier versions')
    expect(history.body).toMatch(/Called about the missed appointment\s*</)
    const again = await lead.post(`/people/${person.crn}/contacts/${original.id}`, {
      kind: 'contact.phone',
      'date-day': '10',
      'date-month': '3',
      'date-year': '2026',
      time: '09:15',
      summary: 'A stale correction',
      category: 'supervision',
    })
    expect(again.statusCode).toBe(409)
    const kinds = await db
      .selectFrom('timeline_events')
      .select('kind')
      .where('person_id', '=', person.id)
      .where('kind', 'like', 'contact.%')
      .execute()
    expect(kinds.map((k) => k.kind).sort()).toEqual(['contact.corrected', 'contact.recorded'])
  })

  it('shows a sensitive contact only inside the author’s agency', async () => {
    await makeContact(db, {
      personId: person.id,
      agencyId: probation,
      authorUserId: leadId,
      category: 'police_intelligence',
      summary: 'Disclosed an associate’s name in confidence',
      sensitive: true,
    })
    await makeContact(db, {
      personId: person.id,
      agencyId: probation,
      authorUserId: leadId,
      category: 'police_intelligence',
      summary: 'Seen with known associates',
    })
    const mine = await lead.get(`/people/${person.crn}/contacts`)
    expect(mine.body).toContain('Disclosed an associate’s name in confidence')
    const theirs = await officer.get(`/people/${person.crn}/contacts`)
    expect(theirs.body).toContain('Seen with known associates')
    expect(theirs.body).not.toContain('Disclosed an associate')
    expect(theirs.body).not.toContain('Called about the missed appointment')
  })

  it('offers only the categories the user may see, and refuses another', async () => {
    const page = await officer.get(`/people/${person.crn}/contacts`)
    expect(page.body).toContain('value="police_intelligence"')
    expect(page.body).not.toContain('value="supervision"')
    const response = await officer.post(`/people/${person.crn}/contacts`, {
      kind: 'contact.phone',
      'date-day': '10',
      'date-month': '3',
      'date-year': '2026',
      time: '09:00',
      summary: 'x',
      category: 'health',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Choose a sensitivity category from the list')
  })

  it('gives an error for a contact in the future or on an impossible date', async () => {
    const base = { kind: 'contact.phone', time: '09:00', summary: 'x', category: 'supervision' }
    const future = await lead.post(`/people/${person.crn}/contacts`, {
      ...base,
      'date-day': '11',
      'date-month': '3',
      'date-year': '2026',
    })
    expect(future.statusCode).toBe(400)
    expect(future.body).toContain('The contact must be in the past')
    const impossible = await lead.post(`/people/${person.crn}/contacts`, {
      ...base,
      'date-day': '30',
      'date-month': '2',
      'date-year': '2026',
    })
    expect(impossible.statusCode).toBe(400)
    expect(impossible.body).toContain('must be a real date')
  })
})
