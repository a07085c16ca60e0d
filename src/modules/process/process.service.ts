import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/database/database.js'
import type { OutboxEvent, Subscriber } from '../../platform/outbox/outbox.js'
import { londonDate } from '../../platform/views/format.js'
import { adaptPlanToChange, peopleWithPlans, type CircumstanceChange } from '../plans/plans.service.js'
import * as repo from './process.repository.js'
import { parseDefinition, STAGE_EVENT_NAMES, type StageEvent } from './process.schema.js'
import { applyEvent, retimePreReleaseTasks, startProcess } from './stage-moves.service.js'
import { isInEventChain } from './stages.js'

export { advanceTimedStages, createStageTasks, startProcess } from './stage-moves.service.js'

/**
 * What the process module does when events arrive: joining a cohort starts its template;
 * release, recall, reception into custody and a new release date move stages (and re-time
 * pre-release tasks); the same circumstances pivot the person's plan.
 */

const text = (payload: Record<string, unknown>, key: string) =>
  typeof payload[key] === 'string' ? (payload[key] as string) : null

function occurredAt(event: OutboxEvent): Date {
  const at = new Date(text(event.payload, 'occurredAt') ?? '')
  return Number.isNaN(at.getTime()) ? event.occurredAt : at
}

/**
 * Whether a reception into custody is a recall: the message says so, or the person was out on
 * licence in their process, or released with a licence still running.
 */
async function isRecall(tx: Tx, event: OutboxEvent, today: string) {
  const said = ['reason', 'nomisMovementReasonCode', 'details', 'movementReason']
    .map((k) => text(event.payload, k) ?? '')
    .some((v) => /recall/i.test(v))
  if (said || event.payload.recall === true) return true
  const personId = event.personId!
  for (const p of await repo.findLiveProcesses(tx, personId))
    if (isInEventChain(parseDefinition(p.definition), p.stage_code, 'released')) return true
  const facts = await repo.findPersonFacts(tx, personId)
  return !!(facts?.released_on && facts.licence_end_on && facts.licence_end_on >= today)
}

/** Release date in the event if it carries one, otherwise the sentence's. */
async function releaseDateOf(tx: Tx, event: OutboxEvent) {
  for (const key of ['expectedReleaseOn', 'releaseDate', 'newReleaseDate', 'conditionalReleaseDate']) {
    const value = text(event.payload, key)
    if (value && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10)
  }
  return (await repo.findPersonFacts(tx, event.personId!))?.expected_release_on ?? null
}

/** The circumstance an event reports, for stages and for the plan. */
async function circumstanceOf(
  tx: Tx,
  event: OutboxEvent,
  clock: Clock,
): Promise<Extract<CircumstanceChange['change'], StageEvent> | null> {
  switch (event.type) {
    case 'custody.released':
      return 'released'
    case 'custody.received':
      return (await isRecall(tx, event, londonDate(clock.now()))) ? 'recalled' : 'custody'
    case 'sentence.dates-changed':
      return 'release_date_changed'
    default:
      return null
  }
}

const CAUSES: Record<string, string> = {
  released: 'Released from custody',
  recalled: 'Recalled to custody',
  custody: 'Received into custody',
  release_date_changed: 'Expected release date changed',
}

export const CIRCUMSTANCE_EVENTS = ['custody.released', 'custody.received', 'sentence.dates-changed']

const peopleIn = (events: OutboxEvent[]) => [
  ...new Set(events.flatMap((e) => (e.personId ? [e.personId] : []))),
]

/** The subscribers, with a clock for when things happen (the outbox gives none). */
export function processSubscribersWith(clock: Clock): Subscriber[] {
  const stages: Subscriber = {
    name: 'process-stages',
    types: ['person.cohort.joined', 'person.cohort.left', ...CIRCUMSTANCE_EVENTS],
    async handle(tx, event) {
      const personId = event.personId
      if (!personId) return
      if (event.type === 'person.cohort.joined') {
        const cohortId = text(event.payload, 'cohortId')
        const reason = text(event.payload, 'reason')
        if (cohortId)
          await startProcess(tx, personId, cohortId, `Joined the cohort${reason ? `: ${reason}` : ''}`, clock)
        return
      }
      if (event.type === 'person.cohort.left') {
        const cohortId = text(event.payload, 'cohortId')
        for (const p of await repo.findLiveProcesses(tx, personId))
          if (p.cohort_id === cohortId)
            await repo.endProcess(tx, personId, p.id, 'Left the cohort', clock.now())
        return
      }
      const change = await circumstanceOf(tx, event, clock)
      if (!change) return
      if (change === 'release_date_changed') {
        const releaseOn = await releaseDateOf(tx, event)
        if (releaseOn) await retimePreReleaseTasks(tx, personId, releaseOn, clock)
      }
      await applyEvent(
        tx,
        personId,
        change,
        occurredAt(event),
        CAUSES[change] ?? STAGE_EVENT_NAMES[change],
        clock,
      )
    },
    // Most events in a busy stream are about people in no process: one query skips them all.
    async handleBatch(tx, events) {
      const joining = events.filter((e) => e.type === 'person.cohort.joined')
      const involved = new Set([
        ...(await repo.peopleWithLiveProcesses(tx, peopleIn(events))),
        ...peopleIn(joining),
      ])
      for (const event of events) if (involved.has(event.personId ?? '')) await stages.handle(tx, event)
    },
  }
  const pivot: Subscriber = {
    name: 'plan-pivot',
    types: CIRCUMSTANCE_EVENTS,
    async handle(tx, event) {
      if (!event.personId) return
      const change = await circumstanceOf(tx, event, clock)
      if (!change) return
      const releaseOn = change === 'release_date_changed' ? await releaseDateOf(tx, event) : null
      await adaptPlanToChange(
        tx,
        {
          personId: event.personId,
          change,
          reason: CAUSES[change]!,
          previousReleaseOn: text(event.payload, 'previousReleaseOn'),
          newReleaseOn: releaseOn,
          causeRef: `outbox:${event.id}`,
        },
        clock,
      )
    },
    // These circumstances change nothing for a person without a plan.
    async handleBatch(tx, events) {
      const planned = await peopleWithPlans(tx, peopleIn(events))
      for (const event of events) if (planned.has(event.personId ?? '')) await pivot.handle(tx, event)
    },
  }
  return [stages, pivot]
}
