import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as pf from '../../../test/support/plans-factories.js'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { updateObjective } from './objectives.repository.js'

let database: TestDatabase
let db: Db
let app: FastifyInstance
const clock = fixedClock('2026-11-23T10:00:00Z')
let probation: string
let housing: string
let health: string
let users: Record<'lead' | 'colleague' | 'housing' | 'health', string>
let person: { id: string; crn: string }
const client = async (userId: string) => new Client(app, await f.sessionCookie(db, userId))
const url = (objectiveId: string) => `/people/${person.crn}/plan/objectives/${objectiveId}`

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Leeds Housing' })
  health = await f.makeAgency(db, { kind: 'health', name: 'Forward Leeds' })
  const cohort = await f.makeCohort(db, 'IOM')
  await f.makeAgreement(db, {
    agencyIds: [probation, housing],
    cohortIds: [cohort],
    categories: ['identity', 'accommodation'],
  })
  await f.makeAgreement(db, {
    agencyIds: [probation, health],
    cohortIds: [cohort],
    categories: ['identity', 'health'],
  })
  users = {
    lead: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Lee Lead' }),
    colleague: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Cai Colleague' }),
    housing: await f.makeUser(db, { agencyId: housing, roles: ['partner_worker'], name: 'Hana Housing' }),
    health: await f.makeUser(db, { agencyId: health, roles: ['partner_worker'], name: 'Hal Health' }),
  }
  person = await f.makePerson(db, { leadAgencyId: probation, crn: 'L200001' })
  await f.joinCohort(db, person.id, cohort)
  await f.allocate(db, person.id, users.lead, { agencyId: probation, isLead: true })
  await f.allocate(db, person.id, users.colleague, { agencyId: probation })
  await f.allocate(db, person.id, users.housing, { agencyId: housing, role: 'housing_officer' })
  await f.allocate(db, person.id, users.health, { agencyId: health, role: 'drug_and_alcohol_worker' })
  app = await testApp(db, { clock })
}, 60_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

const stored = (objectiveId: string) =>
  db
    .selectFrom('plan_objectives')
    .select(['description', 'status', 'version'])
    .where('id', '=', objectiveId)
    .executeTakeFirstOrThrow()

describe(`editing an objective on ${engine}`, () => {
  it('rewords it and marks it achieved, with the read audited and a timeline item and event', async () => {
    const needId = await pf.makeNeed(db, person.id, {
      pathway: 'accommodation',
      description: 'No fixed abode',
    })
    const objective = await pf.makeObjective(db, person.id, {
      pathway: 'accommodation',
      needId,
      description: 'Somewhere to live',
    })
    const action = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: housing,
      description: 'Housing register application',
    })
    const lead = await client(users.lead)
    const plan = await lead.get(`/people/${person.crn}/plan`)
    expect(plan.body).toContain(`href="${url(objective)}"`)
    const page = await lead.get(url(objective))
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Somewhere to live')
    expect(page.body).toContain('No fixed abode')
    expect(page.body).toContain('Housing register application')
    expect(page.body).toContain('name="version" value="1"')
    const reads = await db
      .selectFrom('audit_log')
      .select(['action', 'categories'])
      .where('route', '=', 'GET /people/:crn/plan/objectives/:objectiveId')
      .execute()
    expect(reads).toEqual([{ action: 'read', categories: ['identity', 'accommodation'] }])

    const saved = await lead.post(url(objective), {
      description: 'Settled accommodation on release',
      status: 'achieved',
      statusReason: 'Tenancy signed with Leeds Housing',
      version: '1',
    })
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe(`/people/${person.crn}/plan#objective-${objective}`)
    expect(await stored(objective)).toEqual({
      description: 'Settled accommodation on release',
      status: 'achieved',
      version: 2,
    })
    // Achieving leaves the work under it alone: its owners close it.
    expect((await pf.actionsOf(db, person.id)).find((a) => a.id === action)).toMatchObject({
      status: 'not_started',
      version: 1,
    })
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['title', 'summary', 'category', 'pathway'])
      .where('person_id', '=', person.id)
      .where('kind', '=', 'plan.objective.updated')
      .execute()
    expect(timeline).toEqual([
      {
        title: 'Plan objective achieved: Accommodation',
        summary: 'Settled accommodation on release (Tenancy signed with Leeds Housing)',
        category: 'accommodation',
        pathway: 'accommodation',
      },
    ])
    const event = await db
      .selectFrom('outbox')
      .select('payload')
      .where('person_id', '=', person.id)
      .where('event_type', '=', 'plan.objective.updated')
      .executeTakeFirstOrThrow()
    expect(event.payload).toEqual({
      objectiveId: objective,
      status: 'achieved',
      previousStatus: 'active',
      reason: 'Tenancy signed with Leeds Housing',
      version: 2,
      cancelledActionIds: [],
    })
    const changes = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('route', '=', 'POST /people/:crn/plan/objectives/:objectiveId')
      .execute()
    expect(changes).toEqual([{ action: 'update', actor_user_id: users.lead }])

    const after = await lead.get(`/people/${person.crn}/plan`)
    expect(after.body).toMatch(/govuk-tag--green">Achieved</)
    // An objective no longer active takes no new actions.
    expect(after.body).not.toContain(`/plan/objectives/${objective}/actions/new`)
    // Reopening needs no reason.
    const reopened = await lead.post(url(objective), {
      description: 'Settled accommodation on release',
      status: 'active',
      version: '2',
    })
    expect(reopened.statusCode).toBe(303)
    expect(await stored(objective)).toMatchObject({ status: 'active', version: 3 })
  })

  it('gives the second of two editors a conflict page with both versions, and loses nothing', async () => {
    const objective = await pf.makeObjective(db, person.id, {
      pathway: 'health',
      description: 'Register with a GP',
    })
    const first = await client(users.lead)
    const second = await client(users.colleague)
    expect((await first.get(url(objective))).body).toContain('name="version" value="1"')
    expect((await second.get(url(objective))).body).toContain('name="version" value="1"')
    const saved = await first.post(url(objective), {
      description: 'Register with a GP near the hostel',
      status: 'active',
      version: '1',
    })
    expect(saved.statusCode).toBe(303)
    const stale = await second.post(url(objective), {
      description: 'Register with a GP',
      status: 'withdrawn',
      statusReason: 'Already registered',
      version: '1',
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Someone else has changed this objective')
    expect(stale.body).toContain('Your change')
    expect(stale.body).toContain('The current version')
    expect(stale.body).toContain('Register with a GP near the hostel')
    expect(stale.body).toContain('Already registered')
    expect(stale.body).toContain('name="version" value="2"')
    expect(await stored(objective)).toEqual({
      description: 'Register with a GP near the hostel',
      status: 'active',
      version: 2,
    })
    const reapplied = await second.post(url(objective), {
      description: 'Register with a GP near the hostel',
      status: 'withdrawn',
      statusReason: 'Already registered',
      version: '2',
    })
    expect(reapplied.statusCode).toBe(303)
    expect(await stored(objective)).toEqual({
      description: 'Register with a GP near the hostel',
      status: 'withdrawn',
      version: 3,
    })
    const titles = await db
      .selectFrom('timeline_events')
      .select('title')
      .where('person_id', '=', person.id)
      .where('pathway', '=', 'health')
      .orderBy('id')
      .execute()
    expect(titles.map((t) => t.title)).toEqual([
      'Plan objective updated: Health',
      'Plan objective withdrawn: Health',
    ])
  })

  it('lets only the lead agency change objectives, in SQL and through the routes', async () => {
    const shared = await pf.makeObjective(db, person.id, {
      pathway: 'accommodation',
      description: 'A home by spring',
    })
    const unshared = await pf.makeObjective(db, person.id, {
      pathway: 'drugs_alcohol',
      description: 'Stable on a script',
    })
    await pf.makeAction(db, person.id, unshared, { ownerAgencyId: health, description: 'Script review' })
    const housingClient = await client(users.housing)
    // A partner the pathway is shared with may read the objective, not change it.
    const readOnly = await housingClient.get(url(shared))
    expect(readOnly.statusCode).toBe(200)
    expect(readOnly.body).toContain('A home by spring')
    expect(readOnly.body).toContain('Only the lead agency changes objectives')
    expect(readOnly.body).not.toContain('Save changes')
    const plan = await housingClient.get(`/people/${person.crn}/plan`)
    expect(plan.body).toContain('View<span class="govuk-visually-hidden"> the objective: A home by spring')
    const change = { description: 'Taken over', status: 'withdrawn', statusReason: 'Ours now', version: '1' }
    expect((await housingClient.post(url(shared), change)).statusCode).toBe(403)
    // A partner who knows of an objective only through its own action there sees neither page.
    const healthClient = await client(users.health)
    expect((await healthClient.get(url(unshared))).statusCode).toBe(403)
    expect((await healthClient.post(url(unshared), change)).statusCode).toBe(403)
    expect((await healthClient.get(url(shared))).statusCode).toBe(404)
    // Checked in the update itself too, so no other caller can skip it.
    const partner = (await findActor(db, users.housing)) as Actor
    const fields = {
      personId: person.id,
      version: 1,
      description: 'x',
      status: 'withdrawn' as const,
      at: clock.now(),
    }
    expect(await updateObjective(db, partner, { ...fields, objectiveId: shared })).toBe(false)
    expect(await stored(shared)).toEqual({ description: 'A home by spring', status: 'active', version: 1 })
    expect(await stored(unshared)).toEqual({
      description: 'Stable on a script',
      status: 'active',
      version: 1,
    })
    // A colleague in the lead agency may.
    const colleague = await client(users.colleague)
    expect(
      (await colleague.post(url(shared), { ...change, description: 'A home by summer' })).statusCode,
    ).toBe(303)
  })

  it('turns bad input into GOV.UK error messages, never a 500', async () => {
    const objective = await pf.makeObjective(db, person.id, {
      pathway: 'children_families',
      description: 'Contact with children',
    })
    const lead = await client(users.lead)
    const empty = await lead.post(url(objective), { description: ' ', status: 'sideways', version: '' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('Enter what the objective is')
    expect(empty.body).toContain('Choose whether the objective is active, achieved or withdrawn')
    expect(empty.body).toContain('Reload the page and try again')
    expect(empty.body).toContain('govuk-error-summary')
    const noReason = await lead.post(url(objective), {
      description: 'Contact with children',
      status: 'withdrawn',
      version: '1',
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Enter why the objective is withdrawn')
    const tooLong = await lead.post(url(objective), {
      description: 'x'.repeat(1001),
      status: 'active',
      statusReason: 'y'.repeat(501),
      version: '1',
    })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.body).toContain('What the objective is must be 1000 characters or fewer')
    expect(tooLong.body).toContain('Reason must be 500 characters or fewer')
    const badIds = await lead.post(url(objective), {
      description: 'Contact with children',
      status: 'withdrawn',
      statusReason: 'x',
      version: '1',
      confirmCancel: 'not-an-id',
    })
    expect(badIds.statusCode).toBe(400)
    expect((await lead.get(url('not-a-uuid'))).statusCode).toBe(404)
    expect((await lead.get(url(crypto.randomUUID()))).statusCode).toBe(404)
    expect(
      (await lead.post(url(crypto.randomUUID()), { description: 'x', status: 'active', version: '1' }))
        .statusCode,
    ).toBe(404)
    expect((await lead.get(`/people/lowercase/plan/objectives/${objective}`)).statusCode).toBe(404)
    expect(await stored(objective)).toEqual({
      description: 'Contact with children',
      status: 'active',
      version: 1,
    })
  })

  it('asks before withdrawing an objective with unfinished actions, then cancels them and tells their owners', async () => {
    const objective = await pf.makeObjective(db, person.id, {
      pathway: 'accommodation',
      description: 'Move to supported housing',
    })
    const theirs = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: housing,
      ownerUserId: users.housing,
      description: 'Supported housing referral',
      status: 'in_progress',
    })
    const mine = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: probation,
      ownerUserId: users.lead,
      description: 'Discuss at supervision',
    })
    const finished = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: housing,
      description: 'Housing assessment',
      status: 'done',
    })
    const lead = await client(users.lead)
    expect((await lead.get(url(objective))).body).toContain('its 2 unfinished actions will be cancelled')
    const withdraw = {
      description: 'Move to supported housing',
      status: 'withdrawn',
      statusReason: 'Moved in with family',
      version: '1',
    }
    const ask = await lead.post(url(objective), withdraw)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('Withdraw this objective and cancel its 2 unfinished actions?')
    expect(ask.body).toContain('Supported housing referral')
    expect(ask.body).toContain('Hana Housing')
    expect(ask.body).not.toContain('Housing assessment')
    expect(await stored(objective)).toMatchObject({ status: 'active', version: 1 })

    // Someone adds work meanwhile: the confirmation covered only what was shown, so it asks again.
    const late = await pf.makeAction(db, person.id, objective, {
      ownerAgencyId: probation,
      description: 'Late addition',
    })
    const again = await lead.post(url(objective), { ...withdraw, confirmCancel: [theirs, mine] })
    expect(again.statusCode).toBe(200)
    expect(again.body).toContain('The unfinished actions have changed')
    expect(again.body).toContain('Late addition')
    expect(await stored(objective)).toMatchObject({ status: 'active', version: 1 })

    const confirmed = await lead.post(url(objective), { ...withdraw, confirmCancel: [theirs, mine, late] })
    expect(confirmed.statusCode).toBe(303)
    expect(await stored(objective)).toMatchObject({ status: 'withdrawn', version: 2 })
    const actions = Object.fromEntries((await pf.actionsOf(db, person.id)).map((a) => [a.id, a]))
    for (const id of [theirs, mine, late])
      expect(actions[id]).toMatchObject({
        status: 'cancelled',
        status_reason: 'Objective withdrawn: Moved in with family',
        version: 2,
      })
    expect(actions[finished]).toMatchObject({ status: 'done', version: 1 })
    // The other owners are told; the practitioner who withdrew it is not told of their own action.
    const told = await db
      .selectFrom('tasks')
      .select(['owner_user_id', 'owner_agency_id', 'title'])
      .where('person_id', '=', person.id)
      .where('kind', '=', 'plan_changed')
      .execute()
    expect(told).toHaveLength(2)
    expect(told).toEqual(
      expect.arrayContaining([
        {
          owner_user_id: null,
          owner_agency_id: probation,
          title: 'Plan changed (objective withdrawn): 1 of your actions cancelled',
        },
        {
          owner_user_id: users.housing,
          owner_agency_id: housing,
          title: 'Plan changed (objective withdrawn): 1 of your actions cancelled',
        },
      ]),
    )
    const event = await db
      .selectFrom('outbox')
      .select('payload')
      .where('person_id', '=', person.id)
      .where('event_type', '=', 'plan.objective.updated')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(event.payload).toMatchObject({ status: 'withdrawn', reason: 'Moved in with family' })
    expect((event.payload.cancelledActionIds as string[]).sort()).toEqual([theirs, mine, late].sort())
    const item = await db
      .selectFrom('timeline_events')
      .select(['title', 'summary'])
      .where('person_id', '=', person.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(item).toEqual({
      title: 'Plan objective withdrawn: Accommodation',
      summary: 'Move to supported housing (Moved in with family). 3 unfinished actions cancelled',
    })
    // The partner's open edit of their action now meets the conflict page, not a silent revival.
    const partner = await client(users.housing)
    const revived = await partner.post(`/people/${person.crn}/plan/actions/${theirs}`, {
      description: 'Supported housing referral',
      ownerAgencyId: housing,
      status: 'in_progress',
      version: '1',
    })
    expect(revived.statusCode).toBe(409)
  })
})
