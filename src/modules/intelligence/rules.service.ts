import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import { publish, type OutboxEvent, type Subscriber } from '../../platform/outbox/outbox.js'
import { londonDate } from '../../platform/views/format.js'
import { changeTasksBySource, createTask } from '../tasks/tasks.service.js'
import { findChanges, findHolds, type At, type People } from './rule-conditions.repository.js'
import { concernsKind, isConditionKind, KINDS, renderReason, type Hold } from './rule-conditions.js'
import * as repo from './rules.repository.js'

export type Rule = repo.RuleRow
export const TASK_SOURCE = 'rule'

function atOf(now: Date): At {
  return { now, today: londonDate(now) }
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

function withReasons(rule: Rule, holds: Hold[]) {
  return holds.map((h) => ({ ...h, reason: renderReason(rule.reason_template, h.evidence) }))
}

/** The people a rule's condition holds for now (of those given, or everyone), with the reason written. */
export async function holdsFor(db: Queryable, rule: Rule, people: People, now: Date) {
  if (!isConditionKind(rule.kind)) return []
  const holds = await findHolds(
    db,
    { code: rule.code, kind: rule.kind, parameters: rule.parameters },
    people,
    atOf(now),
  )
  return withReasons(rule, holds)
}

/**
 * Brings one rule's flags in line with its condition for some people or everyone: raises what
 * holds (never twice), resolves what no longer holds, creates the rule's task and publishes
 * flag.raised / flag.resolved, all in the caller's transaction.
 */
export async function applyRule(tx: Tx, rule: Rule, people: People, now: Date) {
  if (!isConditionKind(rule.kind)) return { raised: 0, resolved: 0 }
  const changes = await findChanges(
    tx,
    { code: rule.code, kind: rule.kind, parameters: rule.parameters },
    people,
    atOf(now),
  )
  const key = (personId: string, conditionKey: string) => `${personId}|${conditionKey}`
  const toRaise = withReasons(rule, changes.raise)
  const holdsByKey = new Map<string, Hold>(toRaise.map((h) => [key(h.personId, h.conditionKey), h]))
  const raised = await repo.insertFlags(tx, rule, toRaise, now)
  const resolved = await repo.resolveFlags(tx, changes.clear, now)
  for (const flag of raised) {
    const hold = holdsByKey.get(key(flag.person_id, flag.condition_key))
    await publish(tx, {
      type: 'flag.raised',
      personId: flag.person_id,
      payload: {
        flagId: flag.id,
        ruleCode: rule.code,
        ruleVersion: rule.version,
        severity: rule.severity,
        conditionKey: flag.condition_key,
        evidence: hold?.evidence ?? {},
      },
    })
    if (rule.task_owner_role && rule.task_due_days !== null)
      await createRuleTask(tx, rule, flag.person_id, flag.id, flag.reason, now)
  }
  for (const flag of resolved) {
    await publish(tx, {
      type: 'flag.resolved',
      personId: flag.person_id,
      payload: { flagId: flag.id, ruleCode: rule.code, conditionKey: flag.condition_key, automatic: true },
    })
    await changeTasksBySource(
      tx,
      {
        personId: flag.person_id,
        source: TASK_SOURCE,
        refPrefix: flag.id,
        status: 'cancelled',
        reason: 'Flag resolved',
      },
      { now: () => now },
    )
  }
  return { raised: raised.length, resolved: resolved.length }
}

async function createRuleTask(
  tx: Tx,
  rule: Rule,
  personId: string,
  flagId: string,
  reason: string,
  now: Date,
) {
  const owners = await repo.findOwners(tx, personId)
  const owner =
    rule.task_owner_role === 'manager'
      ? owners.manager
      : rule.task_owner_role === 'lead_practitioner'
        ? owners.lead
        : null
  const ownerUserId = owner ? ('user_id' in owner ? owner.user_id : owner.id) : null
  await createTask(tx, {
    personId,
    kind: 'flag',
    title: rule.name,
    reason,
    ownerUserId,
    ownerRole: rule.task_owner_role,
    ownerAgencyId: owner?.agency_id ?? null,
    dueOn: addDays(londonDate(now), rule.task_due_days ?? 0),
    source: TASK_SOURCE,
    sourceRef: flagId,
  })
}

/** The enabled rules, read once per pass (they change rarely, and a pass is one transaction). */
export const enabledRules = repo.findEnabledRules

type PersonEvent = Pick<OutboxEvent, 'type' | 'personId'>

/**
 * Evaluates the enabled rules some events may affect, for the people they are about: one query
 * per rule for the whole batch, so the worker keeps up with events arriving by the thousand.
 */
export async function evaluateForEvents(tx: Tx, events: readonly PersonEvent[], now: Date) {
  const relevant = events.filter(
    (e) => e.personId && !e.type.startsWith('flag.') && !e.type.startsWith('task.'),
  )
  if (relevant.length === 0) return
  for (const rule of await repo.findEnabledRules(tx)) {
    if (!isConditionKind(rule.kind)) continue
    const kind = rule.kind
    const people = [...new Set(relevant.filter((e) => concernsKind(kind, e.type)).map((e) => e.personId!))]
    if (people.length > 0) await applyRule(tx, rule, people, now)
  }
}

/** Evaluates the enabled rules an event may affect, for the event's person. */
export function evaluateForEvent(tx: Tx, event: PersonEvent, now: Date) {
  return evaluateForEvents(tx, [event], now)
}

/** Wired into the outbox worker: every event about a person may raise or clear flags. */
export function ruleSubscriber(clock: Clock): Subscriber {
  return {
    name: 'intelligence.rules',
    types: '*',
    handle: (tx, event) => evaluateForEvent(tx, event, clock.now()),
    handleBatch: (tx, events) => evaluateForEvents(tx, events, clock.now()),
  }
}

/**
 * The periodic sweep: conditions that hold or clear as time passes (a release date coming
 * closer, days without contact) are judged for everyone, one set-based query per rule.
 */
export async function sweepTimedRules(db: Db, clock: Clock) {
  let changed = 0
  for (const rule of await repo.findEnabledRules(db)) {
    if (!isConditionKind(rule.kind) || !KINDS[rule.kind].timed) continue
    const result = await db.transaction().execute((tx) => applyRule(tx, rule, null, clock.now()))
    changed += result.raised + result.resolved
  }
  return changed
}

/**
 * Flags nobody acknowledged within their rule's deadline go to the manager of the person's
 * lead team: the flag is marked escalated, the manager gets a task, and flag.escalated is published.
 */
export async function escalateUnacknowledgedFlags(db: Db, clock: Clock) {
  const now = clock.now()
  return db.transaction().execute(async (tx) => {
    const overdue = await repo.findOverdueFlags(tx, now)
    for (const flag of overdue) {
      await repo.markEscalated(tx, flag.person_id, flag.id, now)
      const { manager } = await repo.findOwners(tx, flag.person_id)
      await createTask(tx, {
        personId: flag.person_id,
        kind: 'flag_escalation',
        title: `Not acknowledged: ${flag.title}`,
        reason: `${flag.reason}. Nobody acknowledged this flag within ${flag.acknowledge_within_hours} hours.`,
        ownerUserId: manager?.id ?? null,
        ownerRole: 'manager',
        ownerAgencyId: manager?.agency_id ?? null,
        dueOn: londonDate(now),
        source: TASK_SOURCE,
        sourceRef: `${flag.id}:escalation`,
      })
      await publish(tx, {
        type: 'flag.escalated',
        personId: flag.person_id,
        payload: { flagId: flag.id, managerUserId: manager?.id ?? null },
      })
    }
    return overdue.length
  })
}
