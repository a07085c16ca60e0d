import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as f from '../../../test/support/factories.js'
import * as i from '../../../test/support/intelligence-factories.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { ConflictError } from '../../errors.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { findActor as loadActor } from '../../platform/auth/auth.repository.js'
import { actOnFlag } from './flags.service.js'
import { previewRule } from './rule-editor.service.js'
import { escalateUnacknowledgedFlags, evaluateForEvent, sweepTimedRules } from './rules.service.js'

let database: TestDatabase
let db: Db
let agencyId: string
let teamId: string
let practitionerId: string
let managerId: string
const NOW = new Date('2026-03-20T10:00:00Z')
const TODAY = '2026-03-20'
const origin = { route: 'test', requestId: null }

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  agencyId = await f.makeAgency(db)
  teamId = await f.makeTeam(db, agencyId)
  practitionerId = await f.makeUser(db, { agencyId, roles: ['practitioner'], teamIds: [teamId] })
  managerId = await f.makeUser(db, { agencyId, roles: ['manager'], teamIds: [teamId] })
})
afterAll(async () => {
  await database.destroy()
})

async function person(props: { roshLevel?: string } = {}) {
  const p = await f.makePerson(db, { leadAgencyId: agencyId, leadTeamId: teamId, ...props })
  await f.allocate(db, p.id, practitionerId, { agencyId, isLead: true })
  return p.id
}

function evaluate(personId: string, type: string, now = NOW) {
  return db.transaction().execute((tx) => evaluateForEvent(tx, { type, personId }, now))
}

function flagsOf(personId: string) {
  return db.selectFrom('flags').selectAll().where('person_id', '=', personId).orderBy('raised_at').execute()
}

const open = async (personId: string, code: string) =>
  (await flagsOf(personId)).filter(
    (fl) => fl.rule_code === code && ['raised', 'acknowledged'].includes(fl.status),
  )

interface Scenario {
  code: string
  event: string
  reason: RegExp
  /** Makes the condition hold; returns how to make it clear. */
  arrange(personId: string): Promise<() => Promise<void>>
}

const scenarios: Scenario[] = [
  {
    code: 'RELEASE_NO_ACCOMMODATION',
    event: 'sentence.dates-changed',
    reason: /Due for release on 30 March 2026 \(10 days\) with no confirmed accommodation/,
    async arrange(id) {
      await i.setCustodyStatus(db, id, 'in_custody')
      await i.makeSentence(db, { personId: id, expectedReleaseOn: '2026-03-30' })
      return async () => {
        await i.makeAddress(db, { personId: id, kind: 'approved_premises', startsOn: '2026-03-30' })
      }
    },
  },
  {
    code: 'RELEASED_HOMELESS',
    event: 'custody.released',
    reason: /Released on 18 March 2026 with no fixed abode/,
    async arrange(id) {
      await i.setCustodyStatus(db, id, 'released_on_licence')
      await i.makeCustodyEpisode(db, { personId: id, receivedOn: '2025-01-01', releasedOn: '2026-03-18' })
      const nfa = await i.makeAddress(db, { personId: id, kind: 'no_fixed_abode', startsOn: '2026-03-18' })
      return async () => {
        await db
          .updateTable('person_addresses')
          .set({ ends_on: '2026-03-19' })
          .where('id', '=', nfa)
          .execute()
      }
    },
  },
  {
    code: 'UNACCEPTABLE_ABSENCES',
    event: 'appointment.outcome.recorded',
    reason: /2 unacceptable absences in 30 days: 3 March 2026 and 17 March 2026/,
    async arrange(id) {
      await i.makeAppointment(db, {
        personId: id,
        agencyId,
        startsAt: new Date('2026-03-03T10:00:00Z'),
        outcome: 'unacceptable_absence',
      })
      const second = await i.makeAppointment(db, {
        personId: id,
        agencyId,
        startsAt: new Date('2026-03-17T10:00:00Z'),
        outcome: 'unacceptable_absence',
      })
      return async () => {
        await db
          .updateTable('appointments')
          .set({ outcome: 'acceptable_absence' })
          .where('id', '=', second)
          .execute()
      }
    },
  },
  {
    code: 'NO_CONTACT_HIGH_ROSH',
    event: 'contact.recorded',
    reason: /No contact for 25 days \(last contact 23 February 2026\); risk of serious harm very high/,
    async arrange(id) {
      await db.updateTable('people').set({ rosh_level: 'very_high' }).where('id', '=', id).execute()
      await i.makeContact(db, { personId: id, agencyId, occurredAt: new Date('2026-02-23T10:00:00Z') })
      return async () => {
        await i.makeContact(db, { personId: id, agencyId, occurredAt: new Date('2026-03-19T10:00:00Z') })
      }
    },
  },
  {
    code: 'SAFEGUARDING_REGISTRATION',
    event: 'registration.added',
    reason: /New registration: Child Concerns on 19 March 2026/,
    async arrange(id) {
      const reg = await i.makeRegistration(db, {
        personId: id,
        typeCode: 'RCCO',
        description: 'Child Concerns',
        registeredOn: '2026-03-19',
      })
      return async () => {
        await db.updateTable('registrations').set({ deregistered_on: TODAY }).where('id', '=', reg).execute()
      }
    },
  },
  {
    code: 'MAPPA_RAISED',
    event: 'registration.added',
    reason: /MAPPA level raised from 1 to 2 on 15 March 2026/,
    async arrange(id) {
      await i.makeRegistration(db, {
        personId: id,
        typeCode: 'MAPP',
        level: 'M1',
        registeredOn: '2025-06-01',
        deregisteredOn: '2026-03-15',
      })
      const reg = await i.makeRegistration(db, {
        personId: id,
        typeCode: 'MAPP',
        level: 'M2',
        registeredOn: '2026-03-15',
      })
      return async () => {
        await db.updateTable('registrations').set({ deregistered_on: TODAY }).where('id', '=', reg).execute()
      }
    },
  },
  {
    code: 'LICENCE_END_APPROACHING',
    event: 'sentence.dates-changed',
    reason: /Licence ends on 3 April 2026 \(14 days\)/,
    async arrange(id) {
      await i.setCustodyStatus(db, id, 'released_on_licence')
      const s = await i.makeSentence(db, { personId: id, licenceEndOn: '2026-04-03' })
      return async () => {
        await db.updateTable('sentences').set({ licence_end_on: '2026-09-01' }).where('id', '=', s).execute()
      }
    },
  },
  {
    code: 'OVERDUE_PLAN_ACTIONS',
    event: 'plan.action.updated',
    reason: /1 plan actions overdue, the oldest due on 10 March 2026/,
    async arrange(id) {
      const action = await i.makePlanAction(db, { personId: id, agencyId, dueOn: '2026-03-10' })
      return async () => {
        await db.updateTable('plan_actions').set({ status: 'done' }).where('id', '=', action).execute()
      }
    },
  },
  {
    code: 'DUPLICATE_SERVICES',
    event: 'plan.duplicate-service.detected',
    reason: /Housing is provided by more than one agency/,
    async arrange(id) {
      const dup = await i.makeDuplicateService(db, { personId: id })
      return async () => {
        await db.updateTable('duplicate_services').set({ status: 'resolved' }).where('id', '=', dup).execute()
      }
    },
  },
  {
    code: 'RECALL',
    event: 'recall.considered',
    reason: /Recall being considered on 19 March 2026/,
    async arrange(id) {
      await i.makeTimelineEvent(db, {
        personId: id,
        agencyId,
        kind: 'recall.considered',
        title: 'Recall being considered',
        occurredAt: new Date('2026-03-19T09:00:00Z'),
      })
      return async () => {
        await i.makeTimelineEvent(db, {
          personId: id,
          agencyId,
          kind: 'recall.recommendation-deleted',
          title: 'Recall recommendation deleted',
          occurredAt: new Date('2026-03-20T09:00:00Z'),
        })
      }
    },
  },
]

describe('built-in rules', () => {
  it.each(scenarios.map((s) => [s.code, s] as const))(
    '%s raises a flag with its evidence and clears',
    async (code, s) => {
      const id = await person()
      const clear = await s.arrange(id)
      await evaluate(id, s.event)
      const [flag, ...others] = await open(id, code)
      expect(others).toEqual([])
      expect(flag?.reason).toMatch(s.reason)
      expect(flag?.rule_version).toBe(1)
      expect(flag?.evidence).toHaveProperty('fingerprint')
      // No other rule fired on this person's facts.
      expect((await flagsOf(id)).map((fl) => fl.rule_code)).toEqual([code])

      await clear()
      await evaluate(id, s.event)
      const [closed] = await flagsOf(id)
      expect(closed).toMatchObject({ status: 'resolved', close_reason: 'Condition no longer holds' })
      const events = await db.selectFrom('outbox').select('event_type').where('person_id', '=', id).execute()
      expect(events.map((e) => e.event_type).filter((t) => t.startsWith('flag.'))).toEqual([
        'flag.raised',
        'flag.resolved',
      ])
    },
  )

  it('creates the rule task for the lead practitioner, once', async () => {
    const id = await person()
    await scenarios[2]!.arrange(id)
    await evaluate(id, 'appointment.outcome.recorded')
    await evaluate(id, 'appointment.outcome.recorded')
    const tasks = await db.selectFrom('tasks').selectAll().where('person_id', '=', id).execute()
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({ owner_user_id: practitionerId, due_on: '2026-03-25', source: 'rule' })
  })
})

describe('windows and counts at their edges', () => {
  async function absencesApart(days: number) {
    const id = await person()
    await i.makeAppointment(db, {
      personId: id,
      agencyId,
      startsAt: i.daysBefore(NOW, days),
      outcome: 'unacceptable_absence',
    })
    await i.makeAppointment(db, { personId: id, agencyId, startsAt: NOW, outcome: 'unacceptable_absence' })
    await evaluate(id, 'appointment.outcome.recorded')
    return open(id, 'UNACCEPTABLE_ABSENCES')
  }
  it('counts two absences 29 days apart but not 31 days apart', async () => {
    expect(await absencesApart(29)).toHaveLength(1)
    expect(await absencesApart(31)).toHaveLength(0)
  })
  it('needs two absences: one is not enough, and acceptable absences do not count', async () => {
    const id = await person()
    await i.makeAppointment(db, {
      personId: id,
      agencyId,
      startsAt: i.daysBefore(NOW, 2),
      outcome: 'unacceptable_absence',
    })
    await i.makeAppointment(db, {
      personId: id,
      agencyId,
      startsAt: i.daysBefore(NOW, 1),
      outcome: 'acceptable_absence',
    })
    await evaluate(id, 'appointment.outcome.recorded')
    expect(await open(id, 'UNACCEPTABLE_ABSENCES')).toHaveLength(0)
  })
  it('flags release 14 days ahead but not 15, and clears as the window passes in the sweep', async () => {
    const at14 = await person()
    const at15 = await person()
    for (const [id, on] of [
      [at14, i.dayOffset(NOW, 14)],
      [at15, i.dayOffset(NOW, 15)],
    ] as const) {
      await i.setCustodyStatus(db, id, 'in_custody')
      await i.makeSentence(db, { personId: id, expectedReleaseOn: on })
    }
    await sweepTimedRules(db, fixedClock(NOW))
    expect(await open(at14, 'RELEASE_NO_ACCOMMODATION')).toHaveLength(1)
    expect(await open(at15, 'RELEASE_NO_ACCOMMODATION')).toHaveLength(0)
  })
  it('no contact: 21 days flags, 20 does not; a medium risk person is not flagged', async () => {
    const ids = {
      at21: await person({ roshLevel: 'high' }),
      at20: await person({ roshLevel: 'high' }),
      medium: await person({ roshLevel: 'medium' }),
    }
    await i.makeContact(db, { personId: ids.at21, agencyId, occurredAt: i.daysBefore(NOW, 21) })
    await i.makeContact(db, { personId: ids.at20, agencyId, occurredAt: i.daysBefore(NOW, 20) })
    await i.makeContact(db, { personId: ids.medium, agencyId, occurredAt: i.daysBefore(NOW, 60) })
    await sweepTimedRules(db, fixedClock(NOW))
    expect(await open(ids.at21, 'NO_CONTACT_HIGH_ROSH')).toHaveLength(1)
    expect(await open(ids.at20, 'NO_CONTACT_HIGH_ROSH')).toHaveLength(0)
    expect(await open(ids.medium, 'NO_CONTACT_HIGH_ROSH')).toHaveLength(0)
  })
})

describe('no duplicate flags', () => {
  it('handling the same event twice, or two events at once, raises one flag', async () => {
    const id = await person()
    await scenarios[2]!.arrange(id)
    await evaluate(id, 'appointment.outcome.recorded')
    await evaluate(id, 'appointment.outcome.recorded')
    await Promise.all([evaluate(id, 'appointment.outcome.recorded'), evaluate(id, 'appointment.updated')])
    expect(await open(id, 'UNACCEPTABLE_ABSENCES')).toHaveLength(1)

    const other = await person()
    await scenarios[2]!.arrange(other)
    await Promise.all([
      evaluate(other, 'appointment.outcome.recorded'),
      evaluate(other, 'appointment.outcome.recorded'),
    ])
    expect(await open(other, 'UNACCEPTABLE_ABSENCES')).toHaveLength(1)
    const raised = await db
      .selectFrom('outbox')
      .select('id')
      .where('person_id', '=', other)
      .where('event_type', '=', 'flag.raised')
      .execute()
    expect(raised).toHaveLength(1)
  })
})

describe('flag lifecycle', () => {
  it('escalates to the team manager once the acknowledgement deadline passes', async () => {
    const id = await person()
    await scenarios[2]!.arrange(id) // 48 hours to acknowledge
    await evaluate(id, 'appointment.outcome.recorded')
    const clock = fixedClock(NOW)
    // Other tests' flags share the database; look only at this person's.
    const escalated = async () => (await open(id, 'UNACCEPTABLE_ABSENCES'))[0]?.escalated_at ?? null
    await escalateUnacknowledgedFlags(db, clock) // flags of earlier tests with shorter deadlines
    clock.advance(48 * 3600_000 - 60_000)
    await escalateUnacknowledgedFlags(db, clock)
    expect(await escalated()).toBeNull()
    clock.advance(60_000)
    expect(await escalateUnacknowledgedFlags(db, clock)).toBeGreaterThanOrEqual(1)
    expect(await escalateUnacknowledgedFlags(db, clock)).toBe(0)
    const [flag] = await open(id, 'UNACCEPTABLE_ABSENCES')
    expect(flag?.escalated_at).toEqual(clock.now())
    const task = await db
      .selectFrom('tasks')
      .selectAll()
      .where('person_id', '=', id)
      .where('kind', '=', 'flag_escalation')
      .executeTakeFirst()
    expect(task).toMatchObject({ owner_user_id: managerId, owner_role: 'manager' })
    const events = await db.selectFrom('outbox').select('event_type').where('person_id', '=', id).execute()
    expect(events.map((e) => e.event_type)).toContain('flag.escalated')
  })

  it('does not escalate an acknowledged flag', async () => {
    const id = await person()
    await scenarios[2]!.arrange(id)
    await evaluate(id, 'appointment.outcome.recorded')
    const [flag] = await open(id, 'UNACCEPTABLE_ABSENCES')
    const actor = (await loadActor(db, practitionerId))!
    await actOnFlag(
      db,
      actor,
      { personId: id, flagId: flag!.id },
      { kind: 'acknowledge' },
      origin,
      fixedClock(NOW),
    )
    const clock = fixedClock(NOW)
    clock.advance(100 * 3600_000)
    await escalateUnacknowledgedFlags(db, clock)
    expect((await flagsOf(id))[0]).toMatchObject({
      status: 'acknowledged',
      escalated_at: null,
      acknowledged_by: practitionerId,
    })
  })

  it('a dismissed flag is not raised again for the same evidence, but is for new evidence', async () => {
    const id = await person()
    await scenarios[2]!.arrange(id)
    await evaluate(id, 'appointment.outcome.recorded')
    const [flag] = await open(id, 'UNACCEPTABLE_ABSENCES')
    const actor = (await loadActor(db, practitionerId))!
    await actOnFlag(
      db,
      actor,
      { personId: id, flagId: flag!.id },
      { kind: 'dismiss', reason: 'Already in breach', seenStatus: 'raised' },
      origin,
      fixedClock(NOW),
    )
    await evaluate(id, 'appointment.outcome.recorded')
    expect(await open(id, 'UNACCEPTABLE_ABSENCES')).toHaveLength(0)
    await expect(
      actOnFlag(
        db,
        actor,
        { personId: id, flagId: flag!.id },
        { kind: 'resolve', reason: '', seenStatus: 'raised' },
        origin,
        fixedClock(NOW),
      ),
    ).rejects.toBeInstanceOf(ConflictError)
    await i.makeAppointment(db, {
      personId: id,
      agencyId,
      startsAt: new Date('2026-03-19T10:00:00Z'),
      outcome: 'unacceptable_absence',
    })
    await evaluate(id, 'appointment.outcome.recorded')
    expect(await open(id, 'UNACCEPTABLE_ABSENCES')).toHaveLength(1)
  })
})

describe('rule preview', () => {
  it('counts everyone the rule would flag but names only people the coordinator may see', async () => {
    const visible = await person()
    const hidden = await f.makePerson(db, { leadAgencyId: await f.makeAgency(db) })
    for (const id of [visible, hidden.id])
      await i.makeDuplicateService(db, { personId: id, serviceType: 'mentoring' })
    const coordinatorId = await f.makeUser(db, { agencyId, roles: ['coordinator'] })
    await f.allocate(db, visible, coordinatorId, { agencyId })
    const coordinator = (await loadActor(db, coordinatorId))!
    const preview = await previewRule(db, coordinator, 'DUPLICATE_SERVICES', 1, origin, fixedClock(NOW))
    expect(preview.total).toBeGreaterThanOrEqual(2)
    expect(preview.people.map((p) => p.id)).toEqual([visible])
    expect(preview.people[0]?.reason).toMatch(/Mentoring is provided by more than one agency/)
  })
})
