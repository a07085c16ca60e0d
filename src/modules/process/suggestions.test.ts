import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testConfig } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as s from '../../../test/support/suggestions-factories.js'
import { buildApp } from '../../app.js'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { suggestionRoutes } from './suggestions.routes.js'
import {
  buildSuggestions,
  MAX_SHOWN,
  rankSuggestions,
  RULE_VERSIONS,
  type SuggestionFacts,
} from './suggestions.rules.js'
import {
  acceptPlan,
  decideSuggestion,
  DISMISSED_QUIET_DAYS,
  suggestionsFor,
  suggestionsForPeople,
} from './suggestions.service.js'

const ALL = ['identity', 'sentence', 'risk', 'supervision', 'accommodation', 'health', 'substance_misuse']
const facts = (over: Partial<SuggestionFacts> = {}): SuggestionFacts => ({
  today: '2026-03-10',
  categories: ALL,
  custodyStatus: 'in_custody',
  needs: [],
  objectives: [],
  actions: [],
  housingAction: false,
  tasks: [],
  expected: [],
  flags: [],
  nextAppointmentOn: null,
  releaseOn: null,
  registrations: [],
  ...over,
})
const need = (pathway: string, level: string) => ({
  id: `n-${pathway}`,
  pathway,
  level,
  description: 'No fixed abode',
  assessedOn: '2026-02-01',
})
const keys = (list: { key: string }[]) => list.map((x) => x.key)

describe('ranking next best actions', () => {
  it('finds a plan gap for an assessed need with no active objective, and none once planned', () => {
    const [gap, ...rest] = buildSuggestions(facts({ needs: [need('accommodation', 'high')] }))
    expect(rest).toEqual([])
    expect(gap).toMatchObject({
      key: 'plan-gap:accommodation',
      kind: 'plan_gap',
      title: 'Add an accommodation objective to the plan',
      ruleVersion: RULE_VERSIONS.plan_gap,
      inputs: { categories: ['supervision', 'accommodation'], pathway: 'accommodation' },
    })
    expect(gap!.reason).toBe(
      'Accommodation need assessed as high on 1 February 2026 (No fixed abode) and the plan has no active accommodation objective',
    )
    const planned = facts({
      needs: [need('accommodation', 'high')],
      objectives: [{ pathway: 'accommodation' }],
    })
    expect(buildSuggestions(planned)).toEqual([])
  })

  it('suggests accommodation for a release within 14 days with nothing in the plan for it', () => {
    const [release] = buildSuggestions(facts({ releaseOn: '2026-03-19' }))
    expect(release).toMatchObject({ key: 'release-accommodation:2026-03-19', kind: 'release_accommodation' })
    expect(release!.reason).toBe(
      'Release on 19 March 2026 is in 9 days and there is no accommodation objective or housing action in the plan',
    )
    expect(buildSuggestions(facts({ releaseOn: '2026-03-19', housingAction: true }))).toEqual([])
    expect(
      buildSuggestions(facts({ releaseOn: '2026-03-19', objectives: [{ pathway: 'accommodation' }] })),
    ).toEqual([])
    expect(buildSuggestions(facts({ releaseOn: '2026-03-30' }))).toEqual([])
  })

  it('names tasks due soon or overdue, and stage tasks as such', () => {
    const list = buildSuggestions(
      facts({
        tasks: [
          { id: 't1', title: 'Home visit', dueOn: '2026-03-12', source: 'manual' },
          { id: 't2', title: 'Initial assessment', dueOn: '2026-03-07', source: 'process' },
        ],
      }),
    )
    expect(list.map((x) => [x.title, x.reason])).toEqual([
      [
        'Complete overdue task: Initial assessment',
        'Stage task ‘Initial assessment’ was due on 7 March 2026, 3 days ago',
      ],
      ['Complete task due soon: Home visit', 'Task ‘Home visit’ is due on 12 March 2026, in 2 days'],
    ])
  })

  it('suggests acknowledging raised flags, the most severe first', () => {
    const flag = (id: string, severity: string) => ({
      id,
      severity,
      title: `Flag ${id}`,
      reason: 'Two absences',
      raisedAt: '2026-03-09T09:00:00Z',
    })
    const list = buildSuggestions(
      facts({ flags: [flag('a', 'low'), flag('b', 'critical'), flag('c', 'high')] }),
    )
    expect(keys(list)).toEqual(['flag:b', 'flag:c', 'flag:a'])
    expect(list[0]!.reason).toBe(
      'Critical severity flag raised on 9 March 2026 has not been acknowledged: Two absences',
    )
  })

  it('reviews overdue plan actions and asks for an owner of unowned ones', () => {
    const list = buildSuggestions(
      facts({
        actions: [
          {
            id: 'a1',
            description: 'Housing referral',
            pathway: 'accommodation',
            dueOn: '2026-03-01',
            ownerUserId: 'u',
          },
          {
            id: 'a2',
            description: 'Script review',
            pathway: 'drugs_alcohol',
            dueOn: null,
            ownerUserId: null,
          },
        ],
      }),
    )
    expect(keys(list)).toEqual(['plan-action-overdue:a1', 'plan-action-unowned:a2'])
    expect(list[0]!.reason).toBe(
      'Plan action ‘Housing referral’ (accommodation) was due on 1 March 2026, 9 days ago and is not done',
    )
    expect(list[1]!.inputs.categories).toEqual(['substance_misuse'])
  })

  it('suggests booking an appointment only for someone under supervision with none in 14 days', () => {
    const community = { custodyStatus: 'community' }
    expect(keys(buildSuggestions(facts(community)))).toEqual(['no-appointment'])
    expect(buildSuggestions(facts({ ...community, nextAppointmentOn: '2026-03-15' }))).toEqual([])
    expect(buildSuggestions(facts({ custodyStatus: 'in_custody' }))).toEqual([])
    const [late] = buildSuggestions(
      facts({ custodyStatus: 'released_on_licence', nextAppointmentOn: '2026-04-02' }),
    )
    expect(late!.reason).toBe(
      'On licence and no appointment is booked in the next 14 days (the next is on 2 April 2026)',
    )
  })

  it('suggests a review after a new registration and creating tasks the stage expects', () => {
    const list = buildSuggestions(
      facts({
        registrations: [{ id: 'r1', typeDescription: 'MAPPA', category: 'risk', registeredOn: '2026-03-07' }],
        expected: [
          {
            processId: 'p1',
            templateName: 'IOM pathway',
            stageCode: 'pre-release',
            stageName: 'Pre-release',
            ref: 'p1:pre-release:housing',
            title: 'Housing referral',
            milestone: false,
            dueOn: '2026-03-20',
          },
        ],
      }),
    )
    expect(keys(list)).toEqual(['new-registration:r1', 'stage-expected:p1:pre-release:housing'])
    expect(list[0]!.reason).toContain('‘MAPPA’ was added on 7 March 2026, 3 days ago')
    expect(list[1]!.reason).toBe(
      'The ‘IOM pathway’ process expects ‘Housing referral’ at the Pre-release stage and there is no task for it yet (it is due on 20 March 2026, in 10 days)',
    )
  })

  it('ranks by urgency and shows at most five', () => {
    const many = facts({
      custodyStatus: 'community',
      releaseOn: '2026-03-12',
      needs: [need('accommodation', 'high'), need('health', 'low'), need('drugs_alcohol', 'medium')],
      flags: [{ id: 'f', severity: 'critical', title: 'F', reason: 'R', raisedAt: '2026-03-09' }],
      tasks: [{ id: 't', title: 'T', dueOn: '2026-03-11', source: 'manual' }],
    })
    expect(keys(buildSuggestions(many))).toEqual([
      'flag:f',
      'release-accommodation:2026-03-12',
      'plan-gap:accommodation',
      'no-appointment',
      'task-due:t',
      'plan-gap:drugs_alcohol',
      'plan-gap:health',
    ])
    expect(rankSuggestions(many)).toHaveLength(MAX_SHOWN)
    expect(keys(rankSuggestions(many))).toEqual(keys(buildSuggestions(many)).slice(0, 5))
  })

  it('never makes a suggestion resting on a category the viewer may not see', () => {
    const partner = facts({
      categories: ['identity', 'accommodation'],
      releaseOn: '2026-03-12',
      needs: [need('accommodation', 'high')],
      flags: [{ id: 'f', severity: 'critical', title: 'F', reason: 'R', raisedAt: '2026-03-09' }],
    })
    expect(buildSuggestions(partner)).toEqual([])
  })

  it('accepting makes a task for the work and leads to where it is done', () => {
    const gap = { id: 'sid', kind: 'plan_gap', title: 'Add', reason: 'R', inputs: {} }
    expect(acceptPlan(gap, '2026-03-10')).toEqual({
      task: {
        kind: 'suggestion.plan_gap',
        title: 'Add',
        dueOn: '2026-03-17',
        source: 'suggestion',
        sourceRef: 'sid',
      },
      page: '/plan',
    })
    expect(acceptPlan({ ...gap, kind: 'task_due' }, '2026-03-10')).toEqual({ task: null, page: '/tasks' })
  })
})

let database: TestDatabase
let db: Db
let app: FastifyInstance
let probation: string
let cohort: string
let practitioner: Actor
let partner: Actor
let lead: Client
const clock = fixedClock('2026-03-10T10:00:00Z')

async function newPerson(custody: string) {
  const person = await f.makePerson(db, { leadAgencyId: probation })
  await f.joinCohort(db, person.id, cohort)
  await f.allocate(db, person.id, practitioner.userId, { agencyId: probation, isLead: true })
  await db.updateTable('people').set({ custody_status: custody }).where('id', '=', person.id).execute()
  return person
}

const suggest = (actor: Actor, personId: string) =>
  db.transaction().execute((tx) => suggestionsFor(tx, actor, personId, clock))

const rows = (personId: string) =>
  db
    .selectFrom('suggestions')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('rank')
    .orderBy('created_at')
    .execute()

const origin = { route: 'test', requestId: null }

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  const housing = await f.makeAgency(db, { kind: 'third_sector', name: 'Safe Homes' })
  cohort = await f.makeCohort(db, 'IOM')
  await f.makeAgreement(db, {
    agencyIds: [probation, housing],
    cohortIds: [cohort],
    categories: ['identity', 'supervision', 'accommodation'],
  })
  const practitionerId = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] })
  const partnerId = await f.makeUser(db, { agencyId: housing, roles: ['partner_worker'] })
  practitioner = (await findActor(db, practitionerId))!
  partner = (await findActor(db, partnerId))!
  const config = testConfig()
  app = await buildApp({ config, db, clock })
  // Until app.ts mounts them, mount the routes here (and not twice once it does).
  if (!app.hasRoute({ method: 'POST', url: '/people/:crn/suggestions/:id/accept' }))
    suggestionRoutes(app, { config, db, clock })
  await app.ready()
  lead = new Client(app, await f.sessionCookie(db, practitionerId, clock.now()))
})
afterAll(async () => {
  await app?.close()
  await database.destroy()
})

describe(`storing next best actions on ${engine}`, () => {
  it('keeps one open row per suggestion, refreshing its facts, however often it is worked out', async () => {
    const person = await newPerson('in_custody')
    await s.addSentence(db, person.id, { expectedReleaseOn: '2026-03-19' })
    await s.addNeed(db, person.id, { pathway: 'health', level: 'medium' })
    const first = await suggest(practitioner, person.id)
    expect(first.map((x) => x.title)).toEqual([
      'Plan accommodation for release',
      'Add a health objective to the plan',
    ])
    clock.advance(86_400_000)
    const second = await suggest(practitioner, person.id)
    clock.set('2026-03-10T10:00:00Z')
    expect(second.map((x) => x.id)).toEqual(first.map((x) => x.id))
    expect(second[0]!.reason).toContain('is in 8 days')
    const stored = await rows(person.id)
    expect(stored).toHaveLength(2)
    expect(stored[0]).toMatchObject({
      status: 'open',
      rule_version: 1,
      suggestion_key: 'release-accommodation:2026-03-19',
    })
    expect(stored[0]!.inputs).toEqual({ categories: ['sentence', 'accommodation'], releaseOn: '2026-03-19' })
  })

  it('writes nothing when the suggestions worked out again are the ones stored', async () => {
    const person = await newPerson('in_custody')
    await s.addNeed(db, person.id, { pathway: 'health', level: 'medium' })
    await suggest(practitioner, person.id)
    // A row's xmin is the transaction that last wrote it: unchanged means not rewritten (or locked).
    const versions = () =>
      sql<{ xmin: string }>`select xmin::text from suggestions where person_id = ${person.id}::uuid`
        .execute(db)
        .then((r) => r.rows.map((row) => row.xmin))
    const before = await versions()
    await suggest(practitioner, person.id)
    expect(await versions()).toEqual(before)
  })

  it('expires a suggestion once its condition clears', async () => {
    const person = await newPerson('in_custody')
    await s.addNeed(db, person.id, { pathway: 'accommodation', level: 'high' })
    const [gap] = await suggest(practitioner, person.id)
    await s.addObjective(db, person.id, 'accommodation')
    expect(await suggest(practitioner, person.id)).toEqual([])
    const [row] = await rows(person.id)
    expect(row).toMatchObject({ id: gap!.id, status: 'expired', decision_reason: 'No longer applies' })
  })

  it('does not suggest again what was dismissed in the last 30 days, and stores the decision', async () => {
    const person = await newPerson('in_custody')
    await s.addNeed(db, person.id, { pathway: 'accommodation', level: 'high' })
    const [gap] = await suggest(practitioner, person.id)
    const decision = await decideSuggestion(
      db,
      practitioner,
      {
        crn: person.crn,
        id: gap!.id,
        decision: 'dismissed',
        reason: 'Housing is being arranged by the prison',
      },
      origin,
      clock,
    )
    expect(decision).toEqual({ kind: 'dismissed', redirect: `/people/${person.crn}/tasks` })
    expect(await suggest(practitioner, person.id)).toEqual([])
    const [row] = await rows(person.id)
    expect(row).toMatchObject({
      status: 'dismissed',
      decided_by: practitioner.userId,
      decision_reason: 'Housing is being arranged by the prison',
    })
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where(sql<boolean>`${person.id} = any(person_ids)`)
      .execute()
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'update',
        actor_user_id: practitioner.userId,
        detail: expect.objectContaining({
          decision: 'dismissed',
          reason: 'Housing is being arranged by the prison',
        }),
      }),
    )
    const events = await db
      .selectFrom('outbox')
      .select('event_type')
      .where('person_id', '=', person.id)
      .execute()
    expect(events.map((e) => e.event_type)).toEqual(['suggestion.dismissed'])

    clock.advance((DISMISSED_QUIET_DAYS + 1) * 86_400_000)
    const again = await suggest(practitioner, person.id)
    clock.set('2026-03-10T10:00:00Z')
    expect(again.map((x) => x.title)).toEqual(['Add an accommodation objective to the plan'])
    expect(again[0]!.id).not.toBe(gap!.id)
  })

  it('gives a partner only suggestions resting on what they may see, and leaves the others alone', async () => {
    const person = await newPerson('in_custody')
    await s.addSentence(db, person.id, { expectedReleaseOn: '2026-03-19' })
    await s.addNeed(db, person.id, { pathway: 'accommodation', level: 'high' })
    await s.addNeed(db, person.id, { pathway: 'health', level: 'high' })
    await s.addFlag(db, person.id, { severity: 'critical' })
    const all = await suggest(practitioner, person.id)
    expect(all).toHaveLength(4)
    const seen = await suggest(partner, person.id)
    expect(seen.map((x) => x.title)).toEqual(['Add an accommodation objective to the plan'])
    expect((await rows(person.id)).filter((r) => r.status === 'open')).toHaveLength(4)
    const flag = all.find((x) => x.kind === 'flag_unacknowledged')!
    await expect(
      decideSuggestion(
        db,
        partner,
        { crn: person.crn, id: flag.id, decision: 'accepted', reason: null },
        origin,
        clock,
      ),
    ).rejects.toThrow()
  })

  it('works out several people at once as it does each alone, and none for people the viewer may not see', async () => {
    const released = await newPerson('in_custody')
    await s.addSentence(db, released.id, { expectedReleaseOn: '2026-03-19' })
    await s.addNeed(db, released.id, { pathway: 'health', level: 'high' })
    const flagged = await newPerson('community')
    await s.addFlag(db, flagged.id, { severity: 'high' })
    const planned = await newPerson('in_custody')
    await s.addNeed(db, planned.id, { pathway: 'accommodation', level: 'high' })
    const stranger = await f.makePerson(db, { leadAgencyId: await f.makeAgency(db, { name: 'Elsewhere' }) })
    await s.addNeed(db, stranger.id, { pathway: 'health', level: 'high' })

    const ids = [released.id, flagged.id, planned.id, stranger.id]
    const together = await db
      .transaction()
      .execute((tx) => suggestionsForPeople(tx, practitioner, ids, clock))
    expect(together.has(stranger.id)).toBe(false)
    expect(await rows(stranger.id)).toEqual([])
    for (const person of [released, flagged, planned]) {
      expect(together.get(person.id)!.length).toBeGreaterThan(0)
      expect(await suggest(practitioner, person.id)).toEqual(together.get(person.id))
    }
    // A change to one person expires only that person's suggestion.
    await s.addObjective(db, planned.id, 'accommodation')
    const after = await db.transaction().execute((tx) => suggestionsForPeople(tx, practitioner, ids, clock))
    expect(after.get(planned.id)).toEqual([])
    expect(after.get(released.id)).toEqual(together.get(released.id))
    expect(after.get(flagged.id)).toEqual(together.get(flagged.id))
  })

  it('reads tasks, plan actions, appointments and registrations from the record', async () => {
    const person = await newPerson('community')
    await s.addTask(db, person.id, { title: 'Home visit', dueOn: '2026-03-08' })
    await s.addTask(db, person.id, { title: 'Far off', dueOn: '2026-04-30' })
    const objective = await s.addObjective(db, person.id, 'accommodation')
    await s.addAction(db, person.id, objective, {
      agencyId: probation,
      description: 'Housing referral',
      ownerUserId: practitioner.userId,
      dueOn: '2026-03-05',
    })
    await s.addAction(db, person.id, objective, {
      agencyId: probation,
      description: 'Deposit',
      dueOn: '2026-05-01',
    })
    await s.addRegistration(db, person.id, {
      category: 'risk',
      typeDescription: 'MAPPA',
      registeredOn: '2026-03-08',
    })
    await s.addRegistration(db, person.id, {
      category: 'risk',
      typeDescription: 'Old',
      registeredOn: '2026-01-08',
    })
    await s.addAppointment(db, person.id, { agencyId: probation, startsAt: '2026-03-30T10:00:00Z' })
    const shown = await suggest(practitioner, person.id)
    expect(shown.map((x) => x.title)).toEqual([
      'Review overdue plan action: Housing referral',
      'Complete overdue task: Home visit',
      'Book a supervision appointment',
      'Review the plan after a new registration: MAPPA',
      'Name someone to do plan action: Deposit',
    ])
    expect(shown[2]!.reason).toContain('(the next is on 30 March 2026)')
    await s.addAppointment(db, person.id, { agencyId: probation, startsAt: '2026-03-12T10:00:00Z' })
    expect((await suggest(practitioner, person.id)).map((x) => x.kind)).not.toContain('no_appointment')
  })

  it('suggests the tasks the current stage expects until they exist', async () => {
    const person = await newPerson('in_custody')
    const processId = await s.startProcess(db, person.id, {
      code: 'pre-release',
      name: 'Pre-release',
      tasks: [{ code: 'housing', title: 'Housing referral', dueDays: 14 }],
      milestones: [{ name: 'Licence explained', optional: false }],
      enteredAt: '2026-03-01T09:00:00Z',
    })
    await s.addTask(db, person.id, {
      title: 'Housing referral',
      dueOn: '2026-03-30',
      source: 'process',
      sourceRef: `${processId}:pre-release:housing`,
    })
    const [milestone, ...rest] = await suggest(practitioner, person.id)
    expect(rest).toEqual([])
    expect(milestone!.title).toBe('Plan for milestone: Licence explained')
    await decideSuggestion(
      db,
      practitioner,
      { crn: person.crn, id: milestone!.id, decision: 'accepted', reason: null },
      origin,
      clock,
    )
    const task = await db
      .selectFrom('tasks')
      .selectAll()
      .where('person_id', '=', person.id)
      .where('source', '=', 'process-milestone')
      .executeTakeFirstOrThrow()
    expect(task).toMatchObject({
      title: 'Reach milestone: Licence explained',
      owner_user_id: practitioner.userId,
    })
  })
})

describe(`deciding next best actions on ${engine}`, () => {
  it('accepting makes a task for the actor and leads to where the work is done', async () => {
    const person = await newPerson('in_custody')
    await s.addNeed(db, person.id, { pathway: 'accommodation', level: 'high' })
    const [gap] = await suggest(practitioner, person.id)
    const response = await lead.post(`/people/${person.crn}/suggestions/${gap!.id}/accept`, {})
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe(`/people/${person.crn}/plan`)
    const task = await db
      .selectFrom('tasks')
      .selectAll()
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow()
    expect(task).toMatchObject({
      title: 'Add an accommodation objective to the plan',
      source: 'suggestion',
      source_ref: gap!.id,
      owner_user_id: practitioner.userId,
      due_on: '2026-03-17',
    })
    const [row] = await rows(person.id)
    expect(row).toMatchObject({ status: 'accepted', decided_by: practitioner.userId })

    const twice = await lead.post(`/people/${person.crn}/suggestions/${gap!.id}/accept`, {})
    expect(twice.statusCode).toBe(409)
    expect(twice.body).toContain('This suggestion has already been accepted')
    const dismissLate = await lead.get(`/people/${person.crn}/suggestions/${gap!.id}/dismiss`)
    expect(dismissLate.statusCode).toBe(409)
    expect(
      await db.selectFrom('tasks').select('id').where('person_id', '=', person.id).execute(),
    ).toHaveLength(1)
  })

  it('dismissing needs a reason, and is shown again with the problem without one', async () => {
    const person = await newPerson('community')
    const [booking] = await suggest(practitioner, person.id)
    expect(booking!.title).toBe('Book a supervision appointment')
    const url = `/people/${person.crn}/suggestions/${booking!.id}/dismiss`
    const page = await lead.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Book a supervision appointment')
    expect(page.body).toContain('name="reason"')

    const empty = await lead.post(url, { reason: '  ' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('govuk-error-summary')
    expect(empty.body).toContain('Enter why you are dismissing this suggestion')
    expect((await rows(person.id))[0]!.status).toBe('open')

    const done = await lead.post(url, { reason: 'Seen at home visit yesterday' })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe(`/people/${person.crn}/tasks`)
    expect((await rows(person.id))[0]).toMatchObject({
      status: 'dismissed',
      decision_reason: 'Seen at home visit yesterday',
    })
    const again = await lead.post(url, { reason: 'Again' })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain('already been dismissed')
  })

  it('answers not found for unknown suggestions and people the user may not see', async () => {
    const person = await newPerson('community')
    const [booking] = await suggest(practitioner, person.id)
    expect((await lead.post(`/people/${person.crn}/suggestions/not-a-uuid/accept`, {})).statusCode).toBe(404)
    const unknown = `/people/${person.crn}/suggestions/00000000-0000-4000-8000-000000000000/accept`
    expect((await lead.post(unknown, {})).statusCode).toBe(404)
    const stranger = new Client(
      app,
      await f.sessionCookie(
        db,
        await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] }),
        clock.now(),
      ),
    )
    expect(
      (await stranger.post(`/people/${person.crn}/suggestions/${booking!.id}/accept`, {})).statusCode,
    ).toBe(404)
    const analyst = new Client(
      app,
      await f.sessionCookie(
        db,
        await f.makeUser(db, { agencyId: probation, roles: ['analyst'] }),
        clock.now(),
      ),
    )
    expect(
      (await analyst.post(`/people/${person.crn}/suggestions/${booking!.id}/accept`, {})).statusCode,
    ).toBe(403)
    expect((await rows(person.id))[0]!.status).toBe('open')
  })

  it('renders the suggestions partial with accept and dismiss for each', async () => {
    const html = await app.view('process/views/_suggestions.njk', {
      suggestions: [{ id: 'abc', title: 'Book a supervision appointment', reason: 'No appointment booked' }],
      person: { crn: 'X123456', firstName: 'Sam' },
      csrfToken: 'token',
    })
    expect(html).toContain('action="/people/X123456/suggestions/abc/accept"')
    expect(html).toContain('href="/people/X123456/suggestions/abc/dismiss"')
    expect(html).toContain('name="_csrf" value="token"')
    const none = await app.view('process/views/_suggestions.njk', {
      suggestions: [],
      person: { crn: 'X123456' },
    })
    expect(none).toContain('There are no suggested actions')
  })
})
