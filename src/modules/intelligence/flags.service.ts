import { ConflictError, NotFoundError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { changeTasksBySource } from '../tasks/tasks.service.js'
import * as repo from './flags.repository.js'
import { TASK_SOURCE } from './rules.service.js'

export type { FlagStatus } from './flags.repository.js'
export type PersonFlag = Awaited<ReturnType<typeof repo.findFlagsOfPerson>>[number]
export type MyFlag = Awaited<ReturnType<typeof repo.findOpenFlagsOfMyPeople>>[number]

/** A person's flags, as the actor may see them; the read is audited. */
export async function viewFlagsOfPerson(db: Db, actor: Actor, personId: string, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const flags = await repo.findFlagsOfPerson(tx, actor, personId)
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [personId],
      categories: [...new Set(flags.map((f) => f.category))],
      origin,
      purpose: 'Flags raised by rules',
      detail: { flags: flags.length },
    })
    return flags
  })
}

/** Open flags of the actor's people for My day; the list is audited when it shows anyone. */
export async function openFlagsOfMyPeople(db: Db, actor: Actor, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const flags = await repo.findOpenFlagsOfMyPeople(tx, actor)
    if (flags.length > 0)
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: [...new Set(flags.map((f) => f.person_id))],
        categories: [...new Set(flags.map((f) => f.category))],
        origin,
        purpose: 'My day: flags for my people',
      })
    return flags
  })
}

export type FlagAction =
  | { kind: 'acknowledge' }
  | { kind: 'resolve'; reason: string; seenStatus: repo.FlagStatus }
  | { kind: 'dismiss'; reason: string; seenStatus: repo.FlagStatus }

/**
 * Acknowledges, resolves or dismisses one of a person's flags. The flag must be one the actor
 * can see; a flag someone else has changed since it was shown is a conflict.
 */
export async function actOnFlag(
  db: Db,
  actor: Actor,
  target: { personId: string; flagId: string },
  action: FlagAction,
  origin: Origin,
  clock: Clock,
) {
  const at = clock.now()
  await db.transaction().execute(async (tx) => {
    const visible = await repo.findFlagsOfPerson(tx, actor, target.personId)
    const flag = visible.find((f) => f.id === target.flagId)
    if (!flag) throw new NotFoundError()
    const changed =
      action.kind === 'acknowledge'
        ? await repo.acknowledgeFlag(tx, { ...target, userId: actor.userId, at })
        : await repo.closeFlag(tx, {
            ...target,
            seenStatus: action.seenStatus,
            status: action.kind === 'resolve' ? 'resolved' : 'dismissed',
            reason: action.reason,
            userId: actor.userId,
            at,
          })
    if (!changed) throw new ConflictError()
    const verb = { acknowledge: 'acknowledged', resolve: 'resolved', dismiss: 'dismissed' }[action.kind]
    if (action.kind !== 'acknowledge')
      await changeTasksBySource(
        tx,
        {
          personId: target.personId,
          source: TASK_SOURCE,
          refPrefix: target.flagId,
          status: 'cancelled',
          reason: `Flag ${verb}`,
        },
        clock,
      )
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [target.personId],
      categories: [flag.category],
      origin,
      purpose: `Flag ${verb}`,
      detail: {
        flagId: target.flagId,
        ruleCode: flag.rule_code,
        ...('reason' in action ? { reason: action.reason } : {}),
      },
    })
    await publish(tx, {
      type: `flag.${verb}`,
      personId: target.personId,
      payload: { flagId: target.flagId, ruleCode: flag.rule_code, byUserId: actor.userId, automatic: false },
    })
  })
}

export const recentFlagEventsOfMyPeople = repo.findRecentFlagEventsOfMyPeople
export const peopleAllocatedTo = repo.findPeopleAllocatedTo

/** Every flag event published to the outbox notifies its person's id here (migration 0022). */
export const FLAG_EVENTS_CHANNEL = 'flag_events'
