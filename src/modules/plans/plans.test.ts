import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as pf from '../../../test/support/plans-factories.js'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { daysBetween, SUSPENDED_BECAUSE } from './pivot.service.js'
import { findActions, findObjectives, updateAction } from './plans.repository.js'
import { adaptPlanToChange, type CircumstanceChange } from './plans.service.js'

let database: TestDatabase
let db: Db
let app: FastifyInstance
const clock = fixedClock('2026-11-23T10:00:00Z')
let probation: string
let housing: string
let health: string
let cohort: string
let users: Record<'lead' | 'colleague' | 'housing' | 'health' | 'coordinator', string>
let person: { id: string; crn: string }
const client = async (userId: string) => new Client(app, await f.sessionCookie(db, userId))
const actor = async (userId: string) => (await findActor(db, userId)) as Actor

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Leeds Housing' })
  health = await f.makeAgency(db, { kind: 'health', name: 'Forward Leeds' })
  cohort = await f.makeCohort(db, 'IOM')
  await f.makeAgreement(db, {
    agencyIds: [probation, housing],
    cohortIds: [cohort],
    categories: ['identity', 'accommodation'],
  })
  await f.makeAgreement(db, {
    agencyIds: [probation, health],
    cohortIds: [cohort],
    categories: ['identity', 'health', 'substance_misuse'],
  })
  users = {
    lead: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Lee Lead' }),
    colleague: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Cai Colleague' }),
    housing: await f.makeUser(db, { agencyId: housing, roles: ['partner_worker'], name: 'Hana Housing' }),
    health: await f.makeUser(db, { agencyId: health, roles: ['partner_worker'], name: 'Hal Health' }),
    coordinator: await f.makeUser(db, { agencyId: probation, roles: ['coordinator'], name: 'Coco Ord' }),
  }
  person = await f.makePerson(db, { leadAgencyId: probation, crn: 'L100001' })
  await f.joinCohort(db, person.id, cohort)
  await f.allocate(db, person.id, users.lead, { agencyId: probation, isLead: true })
  await f.allocate(db, person.id, users.colleague, { agencyId: probation })
  await f.allocate(db, person.id, users.coordinator, { agencyId: probation, role: 'iom_coordinator' })
  await f.allocate(db, person.id, users.housing, { agencyId: housing, role: 'housing_officer' })
  await f.allocate(db, person.id, users.health, { agencyId: health, role: 'drug_and_alcohol_worker' })
  app = await testApp(db, { clock })
}, 60_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

const dueParts = (iso: string) => {
  const [year, month, day] = iso.split('-')
  return { 'dueOn-day': String(Number(day)), 'dueOn-month': String(Number(month)), 'dueOn-year': year! }
}

describe('building the plan through the pages', () => {
  it('shows an assessed need as a gap, and an objective added from it closes the gap', async () => {
    const needId = await pf.makeNeed(db, person.id, {
      pathway: 'accommodation',
      description: 'No fixed abode',
    })
    const lead = await client(users.lead)
    let page = await lead.get(`/people/${person.crn}/plan`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Assessed need not in the plan')
    expect(page.body).toContain(`/plan/objectives/new?need=${needId}`)
    const form = await lead.get(`/people/${person.crn}/plan/objectives/new?need=${needId}`)
    expect(form.statusCode).toBe(200)
    const saved = await lead.post(`/people/${person.crn}/plan/objectives`, {
      needId,
      pathway: 'accommodation',
      description: 'Settled accommodation on release',
    })
    expect(saved.statusCode).toBe(303)
    page = await lead.get(`/people/${person.crn}/plan`)
    expect(page.body).toContain('Settled accommodation on release')
    expect(page.body).not.toContain('No fixed abode (high need')
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['category', 'pathway'])
      .where('person_id', '=', person.id)
      .where('kind', '=', 'plan.objective.added')
      .execute()
    expect(timeline).toEqual([{ category: 'accommodation', pathway: 'accommodation' }])
    const events = await db
      .selectFrom('outbox')
      .select('event_type')
      .where('person_id', '=', person.id)
      .execute()
    expect(events.map((e) => e.event_type)).toContain('plan.objective.added')
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('route', '=', 'POST /people/:crn/plan/objectives')
      .execute()
    expect(audit).toEqual([{ action: 'create', actor_user_id: users.lead }])
  })

  it('turns bad input into GOV.UK error messages, never a 500', async () => {
    const lead = await client(users.lead)
    const empty = await lead.post(`/people/${person.crn}/plan/objectives`, {})
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('Choose a pathway')
    expect(empty.body).toContain('Enter what the objective is')
    const healthNeed = await pf.makeNeed(db, person.id, { pathway: 'health' })
    const wrong = await lead.post(`/people/${person.crn}/plan/objectives`, {
      needId: healthNeed,
      pathway: 'accommodation',
      description: 'x',
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('Choose a need in the accommodation pathway')
    const objective = await pf.makeObjective(db, person.id, { pathway: 'accommodation' })
    const badDate = await lead.post(`/people/${person.crn}/plan/objectives/${objective}/actions`, {
      description: 'Apply for housing',
      ownerAgencyId: probation,
      'dueOn-day': '31',
      'dueOn-month': '2',
      'dueOn-year': '2027',
      dependsOn: 'nonsense',
    })
    expect(badDate.statusCode).toBe(400)
    expect(badDate.body).toContain('Due date must be a real date')
    expect(badDate.body).toContain('Choose circumstances from the list')
    const action = await pf.makeAction(db, person.id, objective, { ownerAgencyId: probation })
    const noReason = await lead.post(`/people/${person.crn}/plan/actions/${action}`, {
      description: 'x',
      ownerAgencyId: probation,
      status: 'suspended',
      version: '1',
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Enter why the action is suspended')
    expect((await lead.get(`/people/${person.crn}/plan/actions/not-a-uuid`)).statusCode).toBe(404)
    expect((await lead.get(`/people/lowercase/plan`)).statusCode).toBe(404)
    expect(
      (await lead.post(`/people/${person.crn}/plan/actions/${action}/notes`, { note: ' ' })).statusCode,
    ).toBe(400)
    const stranger = await lead.post(`/people/${person.crn}/plan/objectives/${objective}/actions`, {
      description: 'Someone not working with them',
      ownerAgencyId: await f.makeAgency(db),
    })
    expect(stranger.statusCode).toBe(400)
    expect(stranger.body).toContain('Choose an agency that works with this person')
  })
})

describe('what a partner sees and may change', () => {
  let shared: string
  let unshared: string
  let hidden: string
  let housingOwn: string
  let healthOwn: string

  beforeAll(async () => {
    const p = await f.makePerson(db, { leadAgencyId: probation, crn: 'L100002' })
    await f.joinCohort(db, p.id, cohort)
    await f.allocate(db, p.id, users.lead, { agencyId: probation, isLead: true })
    await f.allocate(db, p.id, users.housing, { agencyId: housing })
    await f.allocate(db, p.id, users.health, { agencyId: health })
    shared = await pf.makeObjective(db, p.id, { pathway: 'accommodation', description: 'A home by spring' })
    unshared = await pf.makeObjective(db, p.id, {
      pathway: 'drugs_alcohol',
      description: 'Stable on a script',
    })
    hidden = await pf.makeObjective(db, p.id, {
      pathway: 'attitudes_thinking_behaviour',
      description: 'Finish TSP',
    })
    housingOwn = await pf.makeAction(db, p.id, unshared, {
      ownerAgencyId: housing,
      description: 'Housing-run recovery café',
    })
    healthOwn = await pf.makeAction(db, p.id, unshared, {
      ownerAgencyId: health,
      description: 'Methadone script review',
    })
    await pf.makeAction(db, p.id, hidden, {
      ownerAgencyId: probation,
      description: 'Thinking skills sessions',
    })
    person2 = p
  })
  let person2: { id: string; crn: string }

  it('limits objectives and actions in SQL to shared categories and own actions', async () => {
    const partner = await actor(users.housing)
    const objectives = await findObjectives(db, partner, person2.id)
    const byId = Object.fromEntries(objectives.map((o) => [o.id, o]))
    expect(byId[shared]?.description).toBe('A home by spring')
    expect(byId[unshared]).toMatchObject({ pathway: 'drugs_alcohol', description: null, shared: false })
    expect(byId[hidden]).toBeUndefined()
    const actions = await findActions(db, partner, person2.id)
    expect(actions.map((a) => a.description)).toEqual(['Housing-run recovery café'])
    const lead = await actor(users.lead)
    expect(await findActions(db, lead, person2.id)).toHaveLength(3)
    const healthWorker = await actor(users.health)
    expect((await findActions(db, healthWorker, person2.id)).map((a) => a.description).sort()).toEqual([
      'Housing-run recovery café',
      'Methadone script review',
    ])
  })

  it('shows the partner only those parts on the page', async () => {
    const page = await (await client(users.housing)).get(`/people/${person2.crn}/plan`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('A home by spring')
    expect(page.body).toContain('Housing-run recovery café')
    expect(page.body).toContain('details not shared with your agency')
    for (const secret of [
      'Stable on a script',
      'Methadone script review',
      'Finish TSP',
      'Thinking skills sessions',
    ])
      expect(page.body).not.toContain(secret)
    expect(page.body).not.toContain('Add an objective')
  })

  it('lets a partner update only actions its agency owns, in SQL and through the routes', async () => {
    const partner = await actor(users.housing)
    const fields = {
      personId: person2.id,
      description: 'Taken over',
      serviceType: null,
      ownerAgencyId: housing,
      ownerUserId: null,
      dueOn: null,
      dependsOn: [],
      status: 'cancelled' as const,
      statusReason: 'No',
      version: 1,
      at: clock.now(),
    }
    expect(await updateAction(db, partner, { ...fields, actionId: healthOwn })).toBe(false)
    const housingClient = await client(users.housing)
    const other = await housingClient.post(`/people/${person2.crn}/plan/actions/${healthOwn}`, {
      description: 'Taken over',
      ownerAgencyId: housing,
      status: 'cancelled',
      statusReason: 'No',
      version: '1',
    })
    expect(other.statusCode).toBe(404)
    expect(
      (await housingClient.post(`/people/${person2.crn}/plan/actions/${healthOwn}/notes`, { note: 'hi' }))
        .statusCode,
    ).toBe(404)
    const healthClient = await client(users.health)
    const visibleButNotOwned = await healthClient.post(`/people/${person2.crn}/plan/actions/${housingOwn}`, {
      description: 'Taken over',
      ownerAgencyId: health,
      status: 'in_progress',
      version: '1',
    })
    expect(visibleButNotOwned.statusCode).toBe(403)
    const own = await housingClient.post(`/people/${person2.crn}/plan/actions/${housingOwn}`, {
      description: 'Housing-run recovery café',
      ownerAgencyId: housing,
      status: 'in_progress',
      ...dueParts('2026-12-20'),
      version: '1',
    })
    expect(own.statusCode).toBe(303)
    expect(
      (
        await housingClient.post(`/people/${person2.crn}/plan/actions/${housingOwn}/notes`, {
          note: 'Went once',
        })
      ).statusCode,
    ).toBe(303)
    const stored = (await pf.actionsOf(db, person2.id)).find((a) => a.id === healthOwn)
    expect(stored).toMatchObject({
      description: 'Methadone script review',
      status: 'not_started',
      version: 1,
    })
    expect((await pf.actionsOf(db, person2.id)).find((a) => a.id === housingOwn)).toMatchObject({
      status: 'in_progress',
      due_on: '2026-12-20',
    })
  })

  it('lets a partner add actions for its own agency under shared objectives only, and no objectives', async () => {
    const housingClient = await client(users.housing)
    expect(
      (
        await housingClient.post(`/people/${person2.crn}/plan/objectives`, {
          pathway: 'accommodation',
          description: 'x',
        })
      ).statusCode,
    ).toBe(403)
    expect(
      (await housingClient.get(`/people/${person2.crn}/plan/objectives/${unshared}/actions/new`)).statusCode,
    ).toBe(403)
    const forOthers = await housingClient.post(`/people/${person2.crn}/plan/objectives/${shared}/actions`, {
      description: 'Probation should do this',
      ownerAgencyId: probation,
    })
    expect(forOthers.statusCode).toBe(400)
    expect(forOthers.body).toContain('Choose your own agency')
    const mine = await housingClient.post(`/people/${person2.crn}/plan/objectives/${shared}/actions`, {
      description: 'Housing register application',
      ownerAgencyId: housing,
      ownerUserId: users.housing,
    })
    expect(mine.statusCode).toBe(303)
    const notTheirs = await housingClient.post(`/people/${person2.crn}/plan/objectives/${shared}/actions`, {
      description: 'Given to a health worker',
      ownerAgencyId: housing,
      ownerUserId: users.health,
    })
    expect(notTheirs.statusCode).toBe(400)
  })
})

describe('two editors of one action', () => {
  it('gives the second a conflict page with both versions, and loses nothing', async () => {
    const objective = await pf.makeObjective(db, person.id, {
      pathway: 'health',
      description: 'Register with a GP',
    })
    const action = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: probation,
      description: 'Book a GP appointment',
    })
    const first = await client(users.lead)
    const second = await client(users.colleague)
    const url = `/people/${person.crn}/plan/actions/${action}`
    expect((await first.get(url)).body).toContain('name="version" value="1"')
    expect((await second.get(url)).statusCode).toBe(200)
    const base = { ownerAgencyId: probation, version: '1' }
    const saved = await first.post(url, { ...base, description: 'Book a GP appointment', status: 'done' })
    expect(saved.statusCode).toBe(303)
    const stale = await second.post(url, {
      ...base,
      description: 'Book a GP appointment at the walk-in centre',
      status: 'in_progress',
      ...dueParts('2026-12-01'),
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Your change')
    expect(stale.body).toContain('The current version')
    expect(stale.body).toContain('Book a GP appointment at the walk-in centre')
    expect(stale.body).toContain('name="version" value="2"')
    let stored = (await pf.actionsOf(db, person.id)).find((a) => a.id === action)
    expect(stored).toMatchObject({ description: 'Book a GP appointment', status: 'done', version: 2 })
    const reapplied = await second.post(url, {
      ...base,
      version: '2',
      description: 'Book a GP appointment at the walk-in centre',
      status: 'done',
      ...dueParts('2026-12-01'),
    })
    expect(reapplied.statusCode).toBe(303)
    stored = (await pf.actionsOf(db, person.id)).find((a) => a.id === action)
    expect(stored).toMatchObject({
      description: 'Book a GP appointment at the walk-in centre',
      due_on: '2026-12-01',
      version: 3,
    })
  })
})

describe('duplicate work', () => {
  it('is detected across two agencies, shown to both owners, and resolved with a note', async () => {
    const p = await f.makePerson(db, { leadAgencyId: probation, crn: 'L100003' })
    await f.joinCohort(db, p.id, cohort)
    await f.allocate(db, p.id, users.lead, { agencyId: probation, isLead: true })
    await f.allocate(db, p.id, users.housing, { agencyId: housing })
    await f.allocate(db, p.id, users.coordinator, { agencyId: probation, role: 'iom_coordinator' })
    const objective = await pf.makeObjective(db, p.id, { pathway: 'accommodation', description: 'A home' })
    const lead = await client(users.lead)
    const partner = await client(users.housing)
    const add = (c: Client, agency: string, description: string, serviceType: string) =>
      c.post(`/people/${p.crn}/plan/objectives/${objective}/actions`, {
        description,
        ownerAgencyId: agency,
        serviceType,
      })
    expect((await add(lead, probation, 'Mentor meets weekly', 'mentoring')).statusCode).toBe(303)
    expect((await add(lead, probation, 'Peer mentor too', 'mentoring')).statusCode).toBe(303)
    expect(
      await db.selectFrom('duplicate_services').selectAll().where('person_id', '=', p.id).execute(),
    ).toEqual([])

    expect((await add(partner, housing, 'Housing options interview', 'housing')).statusCode).toBe(303)
    expect((await add(lead, probation, 'Approved premises referral', 'housing')).statusCode).toBe(303)
    const duplicates = await db
      .selectFrom('duplicate_services')
      .selectAll()
      .where('person_id', '=', p.id)
      .execute()
    expect(duplicates).toHaveLength(1)
    expect(duplicates[0]).toMatchObject({ service_type: 'housing', status: 'open' })
    const tasks = await db
      .selectFrom('tasks')
      .select(['owner_agency_id', 'kind'])
      .where('person_id', '=', p.id)
      .where('kind', '=', 'duplicate_service')
      .execute()
    expect(tasks.map((t) => t.owner_agency_id).sort()).toEqual([probation, housing].sort())
    const events = await db
      .selectFrom('outbox')
      .select('event_type')
      .where('person_id', '=', p.id)
      .where('event_type', '=', 'plan.duplicate-service.detected')
      .execute()
    expect(events).toHaveLength(1)
    for (const c of [lead, partner]) {
      const page = await c.get(`/people/${p.crn}/plan`)
      expect(page.body.match(/Possible duplicate/g)).toHaveLength(2)
      expect(page.body).toContain(`href="#action-${duplicates[0]!.first_action_id}"`)
      expect(page.body).toContain(`href="#action-${duplicates[0]!.second_action_id}"`)
    }
    const report = await (await client(users.coordinator)).get(`/plans/duplicates?cohort=${cohort}`)
    expect(report.statusCode).toBe(200)
    expect(report.body).toContain(p.crn)
    expect(report.body).toContain('Leeds Housing and Probation North')
    expect((await lead.get('/plans/duplicates')).statusCode).toBe(403)
    expect((await (await client(users.coordinator)).get('/plans/duplicates?cohort=nope')).statusCode).toBe(
      400,
    )

    const actionUrl = `/people/${p.crn}/plan/actions/${duplicates[0]!.first_action_id}`
    const blank = await partner.post(`${actionUrl}/duplicates/${duplicates[0]!.id}/resolve`, {
      resolution: '',
    })
    expect(blank.statusCode).toBe(400)
    expect(blank.body).toContain('Enter how the duplication was resolved')
    const resolved = await partner.post(`${actionUrl}/duplicates/${duplicates[0]!.id}/resolve`, {
      resolution: 'Probation withdraws its referral',
    })
    expect(resolved.statusCode).toBe(303)
    expect((await lead.get(`/people/${p.crn}/plan`)).body).not.toContain('Possible duplicate')
  })

  it('counts old work only while it is open or inside the window', async () => {
    const p = await f.makePerson(db, { leadAgencyId: probation, crn: 'L100004' })
    await f.allocate(db, p.id, users.lead, { agencyId: probation, isLead: true })
    await f.allocate(db, p.id, users.health, { agencyId: health })
    const objective = await pf.makeObjective(db, p.id, { pathway: 'finance_benefit_debt' })
    await pf.makeAction(db, p.id, objective, {
      ownerAgencyId: health,
      serviceType: 'benefits',
      status: 'done',
      createdAt: '2026-07-01T10:00:00Z',
    })
    const lead = await client(users.lead)
    const add = (serviceType: string) =>
      lead.post(`/people/${p.crn}/plan/objectives/${objective}/actions`, {
        description: `New ${serviceType}`,
        ownerAgencyId: probation,
        serviceType,
      })
    await add('benefits')
    const count = async () =>
      (await db.selectFrom('duplicate_services').select('id').where('person_id', '=', p.id).execute()).length
    expect(await count()).toBe(0)
    await pf.makeAction(db, p.id, objective, {
      ownerAgencyId: health,
      serviceType: 'employment_support',
      status: 'in_progress',
      createdAt: '2026-01-01T10:00:00Z',
    })
    await pf.makeAction(db, p.id, objective, {
      ownerAgencyId: health,
      serviceType: 'drug_treatment',
      status: 'done',
      createdAt: '2026-10-01T10:00:00Z',
    })
    await add('employment_support')
    await add('drug_treatment')
    expect(await count()).toBe(2)
  })
})

describe('the pivot: adapting the plan to a change of circumstances', () => {
  let p: { id: string; crn: string }
  let ids: Record<string, string>
  const change = (c: Partial<CircumstanceChange> & Pick<CircumstanceChange, 'change' | 'causeRef'>) =>
    db
      .transaction()
      .execute((tx) =>
        adaptPlanToChange(tx, { personId: p.id, reason: 'Recalled to HMP Leeds', ...c }, clock),
      )
  const status = async () => Object.fromEntries((await pf.actionsOf(db, p.id)).map((a) => [a.id, a]))

  beforeAll(async () => {
    p = await f.makePerson(db, { leadAgencyId: probation, crn: 'L100005' })
    await f.allocate(db, p.id, users.lead, { agencyId: probation, isLead: true })
    await f.allocate(db, p.id, users.housing, { agencyId: housing, role: 'housing_officer' })
    await db
      .insertInto('responsibilities')
      .values({
        pathway: 'accommodation',
        lead_agency_kind: 'local_authority_housing',
        cohort_id: null,
        region_id: null,
        task_type: null,
        allocation_role: null,
      })
      .execute()
    const work = await pf.makeObjective(db, p.id, { pathway: 'education_training_employment' })
    const home = await pf.makeObjective(db, p.id, { pathway: 'accommodation' })
    const make = (
      description: string,
      props: Omit<Parameters<typeof pf.makeAction>[3], 'ownerAgencyId'>,
      objective = work,
    ) =>
      pf.makeAction(db, p.id, objective, {
        ownerAgencyId: probation,
        ownerUserId: users.lead,
        description,
        ...props,
      })
    ids = {
      college: await make('College course', { dependsOn: ['in_community'], status: 'in_progress' }),
      finished: await make('CV written', { dependsOn: ['in_community'], status: 'done' }),
      dropped: await make('Old placement', {
        dependsOn: ['in_community'],
        status: 'cancelled',
        statusReason: 'Closed',
      }),
      gate: await make('Meet at the gate', { dependsOn: ['release_date'], dueOn: '2027-01-10' }),
      gateDone: await make('Gate plan agreed', {
        dependsOn: ['release_date'],
        dueOn: '2026-11-01',
        status: 'done',
      }),
      tenancy: await make('Tenancy sustainment', { dependsOn: ['accommodation'] }, home),
    }
  })

  it('suspends what relies on being in the community, keeps done work, and is idempotent', async () => {
    const before = await status()
    const result = await change({ change: 'recalled', causeRef: 'event-1' })
    expect(result.suspended).toEqual([ids.college])
    expect(result.tasksCreated).toBe(1)
    const after = await status()
    expect(after[ids.college!]).toMatchObject({ status: 'suspended' })
    expect(after[ids.college!]!.status_reason).toContain(SUSPENDED_BECAUSE.recalled)
    expect(after[ids.finished!]).toEqual(before[ids.finished!])
    expect(after[ids.dropped!]).toEqual(before[ids.dropped!])
    const again = await change({ change: 'recalled', causeRef: 'event-1' })
    expect(again).toEqual({ suspended: [], cancelled: [], rescheduled: [], resumed: [], tasksCreated: 0 })
    expect(await status()).toEqual(after)
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['title', 'summary'])
      .where('person_id', '=', p.id)
      .where('kind', '=', 'plan.adapted')
      .execute()
    expect(timeline).toHaveLength(1)
    expect(timeline[0]!.summary).toContain('Recalled to HMP Leeds')
    const told = await db
      .selectFrom('tasks')
      .select(['kind', 'owner_user_id'])
      .where('person_id', '=', p.id)
      .execute()
    expect(told).toEqual([{ kind: 'plan_changed', owner_user_id: users.lead }])
  })

  it('resumes on release what custody or recall suspended, and only that', async () => {
    const result = await change({ change: 'released', causeRef: 'event-2', reason: 'Released on licence' })
    expect(result.resumed).toEqual([ids.college])
    expect((await status())[ids.college!]).toMatchObject({ status: 'not_started', status_reason: null })
    expect((await status())[ids.finished!]).toMatchObject({ status: 'done' })
  })

  it('moves due dates by as many days as the release date moved, either way', async () => {
    expect(daysBetween('2027-01-10', '2027-01-24')).toBe(14)
    expect(daysBetween('2027-03-20', '2027-03-31')).toBe(11)
    expect(daysBetween('2028-03-01', '2028-02-28')).toBe(-2)
    expect(daysBetween(null, '2027-01-01')).toBeNull()
    const later = await change({
      change: 'release_date_changed',
      causeRef: 'event-3',
      reason: 'Release date moved',
      previousReleaseOn: '2027-01-03',
      newReleaseOn: '2027-01-17',
    })
    expect(later.rescheduled).toEqual([ids.gate])
    expect((await status())[ids.gate!]!.due_on).toBe('2027-01-24')
    await change({
      change: 'release_date_changed',
      causeRef: 'event-3',
      previousReleaseOn: '2027-01-03',
      newReleaseOn: '2027-01-17',
    })
    expect((await status())[ids.gate!]!.due_on).toBe('2027-01-24')
    await change({
      change: 'release_date_changed',
      causeRef: 'event-4',
      previousReleaseOn: '2027-01-17',
      newReleaseOn: '2026-12-29',
    })
    expect((await status())[ids.gate!]!.due_on).toBe('2027-01-05')
    expect((await status())[ids.gateDone!]!.due_on).toBe('2026-11-01')
  })

  it('on lost accommodation suspends what relied on it and gives the housing lead an urgent action', async () => {
    const result = await change({
      change: 'accommodation_lost',
      causeRef: 'event-5',
      reason: 'Evicted from hostel',
    })
    expect(result.suspended).toEqual([ids.tenancy])
    const urgent = (await pf.actionsOf(db, p.id)).filter((a) => a.description.startsWith('Urgent'))
    expect(urgent).toHaveLength(1)
    expect(urgent[0]).toMatchObject({ owner_agency_id: housing, status: 'not_started' })
    const tasks = await db
      .selectFrom('tasks')
      .select(['kind', 'owner_user_id'])
      .where('person_id', '=', p.id)
      .where('kind', '=', 'urgent_accommodation')
      .execute()
    expect(tasks).toEqual([{ kind: 'urgent_accommodation', owner_user_id: users.housing }])
    await change({ change: 'accommodation_lost', causeRef: 'event-6', reason: 'Evicted again' })
    expect((await pf.actionsOf(db, p.id)).filter((a) => a.description.startsWith('Urgent'))).toHaveLength(1)
  })

  it('asks the lead to review the plan after a new conviction', async () => {
    await change({ change: 'new_conviction', causeRef: 'event-7', reason: 'Convicted of theft' })
    await change({ change: 'new_conviction', causeRef: 'event-7', reason: 'Convicted of theft' })
    const reviews = await db
      .selectFrom('tasks')
      .select(['owner_user_id'])
      .where('person_id', '=', p.id)
      .where('kind', '=', 'plan_review')
      .execute()
    expect(reviews).toEqual([{ owner_user_id: users.lead }])
  })
})
