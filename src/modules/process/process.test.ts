import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as p from '../../../test/support/process-factories.js'
import { fixedClock } from '../../platform/clock.js'
import { drainOutbox, publish, type OutboxEvent } from '../../platform/outbox/outbox.js'
import { advanceTimedStages, createStageTasks, processSubscribersWith } from './process.service.js'
import { findPersonFacts } from './process.repository.js'
import { checkDefinition, parseDefinition, type Definition } from './process.schema.js'
import { migrateToVersion } from './migrate.service.js'
import { parseTaskRef } from './stages.js'
import { seedProcessTemplates } from '../../cli/seed/process-templates.js'

let database: TestDatabase
let app: FastifyInstance
const clock = fixedClock('2026-03-02T10:00:00Z')
const [stages, pivot] = processSubscribersWith(clock) as [
  ReturnType<typeof processSubscribersWith>[number],
  ReturnType<typeof processSubscribersWith>[number],
]
let probation: string
let lead: string
let police: string
let cohortId: string

const DAY = 24 * 60 * 60 * 1000

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db, { name: 'Probation' })
  const policeAgency = await f.makeAgency(db, { kind: 'police', name: 'Police' })
  lead = await f.makeUser(db, { agencyId: probation, roles: ['practitioner'] })
  police = await f.makeUser(db, { agencyId: policeAgency, roles: ['partner_worker'] })
  cohortId = await f.makeCohort(db, 'IOM Fixed')
  await p.makeTemplate(db, { cohortId, name: 'IOM resettlement' })
  app = await testApp(db, { clock })
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

async function handle(event: OutboxEvent) {
  await database.db.transaction().execute(async (tx) => {
    await stages.handle(tx, event)
    await pivot.handle(tx, event)
  })
}

/** A person allocated to the lead practitioner and the police, in the given circumstances. */
async function person(circumstances: Parameters<typeof p.setCircumstances>[2]) {
  const db = database.db
  const { id, crn } = await f.makePerson(db, { leadAgencyId: probation })
  await f.allocate(db, id, lead, { agencyId: probation, isLead: true })
  await f.allocate(db, id, police, { agencyId: probation, role: 'police_iom_officer' })
  await p.setCircumstances(db, id, circumstances)
  return { id, crn }
}

const join = (personId: string, cohort = cohortId) =>
  handle(
    p.outboxEvent('person.cohort.joined', personId, {
      cohortId: cohort,
      cohortCode: 'IOM',
      reason: 'Selected',
    }),
  )

const processOf = (personId: string) =>
  database.db
    .selectFrom('person_processes')
    .selectAll()
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow()

const tasksOf = (personId: string) =>
  database.db
    .selectFrom('tasks')
    .select(['id', 'title', 'status', 'due_on', 'owner_user_id', 'required', 'source_ref', 'version'])
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute()

const task = async (personId: string, title: string) =>
  (await tasksOf(personId)).find((t) => t.title === title)

describe(`process templates on ${engine}`, () => {
  it('starts the cohort’s template at the stage the person’s circumstances call for', async () => {
    // In custody, due out in 30 days: pre-release, with tasks timed from the release date.
    const inside = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(inside.id)
    expect((await processOf(inside.id)).stage_code).toBe('pre-release')
    const plan = await task(inside.id, 'Agree the release plan')
    expect(plan).toMatchObject({ due_on: '2026-03-04', owner_user_id: lead, status: 'open' })
    expect((await task(inside.id, 'Start a benefits claim'))?.required).toBe(false)

    // Released on licence ten days ago: release day, then time has moved them on to supervision.
    const out = await person({ custodyStatus: 'released_on_licence', releasedOn: '2026-02-20' })
    await join(out.id)
    expect((await processOf(out.id)).stage_code).toBe('supervision')
    expect((await tasksOf(out.id)).map((t) => t.title)).toEqual(['Review progress'])

    // In the community: where supervision continues.
    const community = await person({ custodyStatus: 'community' })
    await join(community.id)
    expect((await processOf(community.id)).stage_code).toBe('supervision')

    // An area's own template wins over the national one.
    const region = await database.db
      .insertInto('regions')
      .values({ code: 'NE', name: 'North East' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const cohort2 = await f.makeCohort(database.db)
    await p.makeTemplate(database.db, { cohortId: cohort2, name: 'National' })
    const local = await p.makeTemplate(database.db, { cohortId: cohort2, regionId: region.id, name: 'Local' })
    const there = await person({ custodyStatus: 'community' })
    await database.db.updateTable('people').set({ region_id: region.id }).where('id', '=', there.id).execute()
    await join(there.id, cohort2)
    expect((await processOf(there.id)).template_id).toBe(local.id)
  })

  it('moves to release day on release, keeping required work open and cancelling optional work', async () => {
    const db = database.db
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(someone.id)
    await handle(
      p.outboxEvent('custody.released', someone.id, {
        occurredAt: '2026-03-02T09:00:00Z',
        reason: 'RELEASED',
      }),
    )
    const process = await processOf(someone.id)
    expect(process.stage_code).toBe('release-day')
    expect(await task(someone.id, 'Agree the release plan')).toMatchObject({ status: 'open' })
    expect(await task(someone.id, 'Start a benefits claim')).toMatchObject({ status: 'cancelled' })
    expect(await task(someone.id, 'Release day appointment')).toMatchObject({
      status: 'open',
      due_on: '2026-03-02',
    })
    const moves = await db
      .selectFrom('person_stage_moves')
      .select(['from_stage', 'to_stage', 'cause'])
      .where('person_id', '=', someone.id)
      .orderBy('moved_at')
      .execute()
    expect(moves.map((m) => [m.from_stage, m.to_stage])).toEqual([
      [null, 'pre-release'],
      ['pre-release', 'release-day'],
    ])
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['title', 'category'])
      .where('person_id', '=', someone.id)
      .where('kind', '=', 'process.stage-changed')
      .execute()
    expect(timeline.map((t) => t.title)).toContain('Moved to the Release day stage')
    expect(timeline.every((t) => t.category === 'supervision')).toBe(true)
    const events = await db
      .selectFrom('outbox')
      .select('payload')
      .where('person_id', '=', someone.id)
      .where('event_type', '=', 'process.stage.changed')
      .execute()
    expect(events.map((e) => e.payload.to)).toEqual(['pre-release', 'release-day'])
  })

  it('moves on by time alone with an injected clock, and makes owed moves in order', async () => {
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(someone.id)
    await handle(p.outboxEvent('custody.released', someone.id, { occurredAt: clock.now().toISOString() }))
    const later = fixedClock(new Date(clock.now().getTime() + DAY / 2))
    await advanceTimedStages(database.db, later)
    expect((await processOf(someone.id)).stage_code).toBe('release-day')
    later.advance(DAY)
    expect(await advanceTimedStages(database.db, later)).toBeGreaterThanOrEqual(1)
    expect((await processOf(someone.id)).stage_code).toBe('first-72-hours')
    expect(await task(someone.id, 'Meet at the gate')).toMatchObject({ status: 'cancelled' })
    expect(await task(someone.id, 'Home visit')).toMatchObject({ status: 'open', owner_user_id: police })
    // A week later both owed moves are made, the second timed from the first.
    later.advance(7 * DAY)
    await advanceTimedStages(database.db, later)
    const process = await processOf(someone.id)
    expect(process.stage_code).toBe('supervision')
    expect(new Date(process.stage_entered_at).toISOString()).toBe(
      new Date(clock.now().getTime() + 4 * DAY).toISOString(),
    )
  })

  it('moves to the recall stage when someone on licence is received into custody', async () => {
    const someone = await person({ custodyStatus: 'community' })
    await join(someone.id)
    expect((await processOf(someone.id)).stage_code).toBe('supervision')
    await handle(
      p.outboxEvent('custody.received', someone.id, {
        reason: 'ADMISSION',
        prisonId: 'LEI',
        occurredAt: '2026-03-02T09:00:00Z',
      }),
    )
    expect((await processOf(someone.id)).stage_code).toBe('recalled')
    expect(await task(someone.id, 'Review after recall')).toMatchObject({
      status: 'open',
      due_on: '2026-03-09',
    })
    expect(await task(someone.id, 'Review progress')).toMatchObject({ status: 'open' })

    // A transfer between prisons while awaiting release is not a recall.
    const inside = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(inside.id)
    await handle(p.outboxEvent('custody.received', inside.id, { reason: 'TRANSFERRED', prisonId: 'MDI' }))
    expect((await processOf(inside.id)).stage_code).toBe('pre-release')
  })

  it('re-times open pre-release tasks when the release date changes', async () => {
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(someone.id)
    const done = (await task(someone.id, 'Start a benefits claim'))!
    await database.db.updateTable('tasks').set({ status: 'done' }).where('id', '=', done.id).execute()
    await p.setExpectedRelease(database.db, someone.id, '2026-05-01')
    await handle(p.outboxEvent('sentence.dates-changed', someone.id, {}))
    expect(await task(someone.id, 'Agree the release plan')).toMatchObject({
      due_on: '2026-04-03',
      status: 'open',
    })
    // Completed work keeps its date.
    expect(await task(someone.id, 'Start a benefits claim')).toMatchObject({
      due_on: '2026-03-25',
      status: 'done',
    })
    expect((await processOf(someone.id)).stage_code).toBe('pre-release')
  })

  it('changes nothing when an event is delivered again or repeated by a second source', async () => {
    const db = database.db
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(someone.id)
    await join(someone.id)
    const released = p.outboxEvent('custody.released', someone.id, { occurredAt: '2026-03-02T09:00:00Z' })
    await handle(released)
    await handle(released)
    await handle(p.outboxEvent('custody.released', someone.id, { occurredAt: '2026-03-02T09:45:00Z' }))
    const count = async () => ({
      processes: (
        await db.selectFrom('person_processes').select('id').where('person_id', '=', someone.id).execute()
      ).length,
      moves: (
        await db.selectFrom('person_stage_moves').select('id').where('person_id', '=', someone.id).execute()
      ).length,
      tasks: (await tasksOf(someone.id)).length,
    })
    expect(await count()).toEqual({ processes: 1, moves: 2, tasks: 4 })

    // Through the outbox: the release event is handled once however often the worker drains.
    const other = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    await join(other.id)
    await publish(db, {
      type: 'custody.released',
      personId: other.id,
      payload: { occurredAt: '2026-03-02T09:00:00Z' },
    })
    await drainOutbox(db, [stages, pivot])
    await drainOutbox(db, [stages, pivot])
    const moves = await db
      .selectFrom('person_stage_moves')
      .select('to_stage')
      .where('person_id', '=', other.id)
      .execute()
    expect(moves.map((m) => m.to_stage)).toEqual(['pre-release', 'release-day'])
  })

  it('handles a busy batch at once: a person joining then released moves, people in no process are skipped', async () => {
    const db = database.db
    const joiner = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-04-01' })
    const bystanders = [
      await person({ custodyStatus: 'in_custody' }),
      await person({ custodyStatus: 'community' }),
    ]
    await publish(db, {
      type: 'person.cohort.joined',
      personId: joiner.id,
      payload: { cohortId, cohortCode: 'IOM', reason: 'Selected' },
    })
    for (const who of [joiner, ...bystanders])
      await publish(db, {
        type: 'custody.released',
        personId: who.id,
        payload: { occurredAt: '2026-03-02T09:00:00Z' },
      })
    await drainOutbox(db, [stages, pivot])
    const moves = await db
      .selectFrom('person_stage_moves')
      .select(['person_id', 'to_stage'])
      .where(
        'person_id',
        'in',
        [joiner, ...bystanders].map((w) => w.id),
      )
      .execute()
    expect(moves.map((m) => [m.person_id, m.to_stage]).sort()).toEqual([
      [joiner.id, 'pre-release'],
      [joiner.id, 'release-day'],
    ])
  })

  it('gives a stage entered again fresh tasks, while a redelivered event still adds none', async () => {
    const db = database.db
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-03-02' })
    await join(someone.id)
    const releasedAt = '2026-03-02T09:00:00Z'
    await handle(p.outboxEvent('custody.released', someone.id, { occurredAt: releasedAt }))
    const later = fixedClock(new Date(Date.parse(releasedAt) + 1.5 * DAY))
    await advanceTimedStages(db, later)
    expect((await processOf(someone.id)).stage_code).toBe('first-72-hours')
    const firstTime = await tasksOf(someone.id)
    const appointment = firstTime.find((t) => t.title === 'Release day appointment')!
    await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', appointment.id).execute()

    // Recalled, then released again: release day and the first 72 hours begin anew.
    await handle(p.outboxEvent('custody.received', someone.id, { reason: 'RECALL', prisonId: 'LEI' }))
    expect((await processOf(someone.id)).stage_code).toBe('recalled')
    const again = p.outboxEvent('custody.released', someone.id, { occurredAt: '2026-03-20T09:00:00Z' })
    await handle(again)
    expect((await processOf(someone.id)).stage_code).toBe('release-day')
    const titled = async (title: string) => (await tasksOf(someone.id)).filter((t) => t.title === title)
    const appointments = await titled('Release day appointment')
    expect(appointments.map((t) => [t.status, t.due_on])).toEqual([
      ['done', '2026-03-02'],
      ['open', '2026-03-20'],
    ])
    expect(appointments[1]!.source_ref).toMatch(/:release-day:appointment:2$/)
    // The optional gate task of the first release was cancelled on leaving; the second is new.
    expect((await titled('Meet at the gate')).map((t) => t.status)).toEqual(['cancelled', 'open'])

    // The same release delivered again, directly or through the outbox, changes nothing.
    const before = await tasksOf(someone.id)
    await handle(again)
    await publish(db, {
      type: 'custody.released',
      personId: someone.id,
      payload: { occurredAt: '2026-03-20T09:00:00Z' },
    })
    await drainOutbox(db, [stages, pivot])
    await drainOutbox(db, [stages, pivot])
    expect(await tasksOf(someone.id)).toEqual(before)
    // Creating the current entry's tasks again (as a retried handler would) adds nothing either.
    const process = await processOf(someone.id)
    const template = await db
      .selectFrom('process_templates')
      .select(['name', 'definition'])
      .where('id', '=', process.template_id)
      .executeTakeFirstOrThrow()
    const releaseDay = parseDefinition(template.definition).stages.find((s) => s.code === 'release-day')!
    const facts = (await findPersonFacts(db, someone.id))!
    const ids = { processId: process.id, personId: someone.id, templateName: template.name }
    await db.transaction().execute(async (tx) => {
      expect(await createStageTasks(tx, { ...ids, entry: 2 }, releaseDay, new Date(), facts)).toBe(0)
      expect(await createStageTasks(tx, ids, releaseDay, new Date(), facts)).toBe(0)
    })
    expect(await tasksOf(someone.id)).toEqual(before)

    // Time moves them on into the first 72 hours a second time: its task comes again too.
    await advanceTimedStages(db, fixedClock('2026-03-21T21:00:00Z'))
    expect((await processOf(someone.id)).stage_code).toBe('first-72-hours')
    expect((await titled('Home visit')).map((t) => t.source_ref!.split(':').slice(1))).toEqual([
      ['first-72-hours', 'home-visit'],
      ['first-72-hours', 'home-visit', '2'],
    ])
    expect(parseTaskRef(appointments[1]!.source_ref)).toMatchObject({ stageCode: 'release-day', entry: 2 })
    expect(parseTaskRef(appointments[0]!.source_ref)).toMatchObject({ stageCode: 'release-day', entry: 1 })
    expect(parseTaskRef(`${process.id}:release-day:milestone:found`)).toBeNull()
    // Moves are stamped by different clocks here, so compare them as a set of entries.
    const moves = await db
      .selectFrom('person_stage_moves')
      .select('to_stage')
      .where('person_id', '=', someone.id)
      .execute()
    expect(moves.map((m) => m.to_stage).sort()).toEqual([
      'first-72-hours',
      'first-72-hours',
      'pre-release',
      'recalled',
      'release-day',
      'release-day',
    ])
  })

  it('moves live processes to a new version, keeping completed work', async () => {
    const db = database.db
    const cohort = await f.makeCohort(db)
    const v1 = await p.makeTemplate(db, { cohortId: cohort, name: 'Resettlement' })
    const early = await person({ custodyStatus: 'released_on_licence', releasedOn: '2026-02-28' })
    const settled = await person({ custodyStatus: 'community' })
    await join(early.id, cohort)
    await join(settled.id, cohort)
    expect((await processOf(early.id)).stage_code).toBe('first-72-hours')
    const review = (await task(settled.id, 'Review progress'))!
    await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', review.id).execute()

    const v2: Definition = structuredClone(p.TEST_DEFINITION)
    const hours = v2.stages[2]!
    hours.tasks = [
      { code: 'phone', title: 'Phone the person', ownerRole: 'lead', dueDays: 1, required: true },
    ]
    v2.stages[3] = { ...v2.stages[3]!, code: 'ongoing', name: 'Ongoing' }
    await db.updateTable('process_templates').set({ status: 'retired' }).where('id', '=', v1.id).execute()
    const second = await p.makeTemplate(db, {
      cohortId: cohort,
      familyId: v1.family_id,
      version: 2,
      definition: v2,
    })
    const coordinator = await f.makeUser(db, { agencyId: probation, roles: ['coordinator'] })
    const actor = { userId: coordinator } as never
    const origin = { route: 'test', requestId: null }
    await expect(migrateToVersion(db, actor, origin, second.id, {}, clock)).rejects.toThrow(
      /Choose the stage/,
    )
    const result = await migrateToVersion(db, actor, origin, second.id, { supervision: 'ongoing' }, clock)
    expect(result).toEqual({ processes: 2, stagesChanged: 1, tasksCancelled: 1, tasksCreated: 2 })
    expect(await processOf(early.id)).toMatchObject({ template_id: second.id, stage_code: 'first-72-hours' })
    expect(await task(early.id, 'Home visit')).toMatchObject({ status: 'cancelled' })
    expect(await task(early.id, 'Phone the person')).toMatchObject({ status: 'open' })
    expect(await processOf(settled.id)).toMatchObject({ template_id: second.id, stage_code: 'ongoing' })
    expect(await task(settled.id, 'Review progress')).toMatchObject({ status: 'done' })
    expect((await tasksOf(settled.id)).filter((t) => t.title === 'Review progress')).toHaveLength(2)
    expect(await migrateToVersion(db, actor, origin, second.id, {}, clock)).toMatchObject({ processes: 0 })
  })

  it('seeds published default templates that people then start', async () => {
    const short = await f.makeCohort(database.db, 'Short sentences')
    expect(await seedProcessTemplates(database.db, { 'SHORT-SENTENCE': short })).toBe(1)
    const someone = await person({ custodyStatus: 'in_custody', expectedReleaseOn: '2026-03-20' })
    await join(someone.id, short)
    expect((await processOf(someone.id)).stage_code).toBe('pre-release')
    expect(await task(someone.id, 'Confirm the release address')).toMatchObject({ due_on: '2026-03-06' })
  })

  it('names the stage and field of every problem in a definition', () => {
    const bad: Definition = {
      stages: [
        { code: 'wait', name: 'Waiting', entry: { kind: 'after_days', days: 0 }, milestones: [], tasks: [] },
        {
          code: 'wait',
          name: 'Release',
          entry: { kind: 'event', event: 'released' },
          milestones: [{ name: ' ', optional: false }],
          tasks: [
            { code: 'a', title: 'Call', ownerRole: 'astrologer', dueDays: -1, required: true },
            { code: 'a', title: '', ownerRole: 'lead', dueDays: 1, required: true },
          ],
        },
        {
          code: 'again',
          name: 'Again',
          entry: { kind: 'event', event: 'released' },
          milestones: [],
          tasks: [],
        },
      ],
    }
    const messages = checkDefinition(bad, true).map((p) => p.message)
    expect(messages).toEqual([
      'Stage 1 (Waiting): the number of days must be between 1 and 3650',
      'Stage 1 (Waiting): no one can reach this stage, because the first stage cannot start after days in a previous stage',
      'Stage 2 (Release): the code wait is already used',
      'Stage 2 (Release), task 1 (Call): choose a known owner role',
      'Stage 2 (Release), task 1 (Call): the due days must be between 0 and 3650',
      'Stage 2 (Release), task 2: enter a title',
      'Stage 2 (Release), task 2: the code a is already used in this stage',
      'Stage 2 (Release), milestone 1: enter a name',
      'Stage 3 (Again): Stage 2 (Release) already starts on “Released from custody”',
    ])
    expect(checkDefinition({ stages: [] }, true).map((p) => p.message)).toEqual(['Add at least one stage'])
    expect(checkDefinition(p.TEST_DEFINITION, true)).toEqual([])
  })
})
