import { londonDate } from '../../platform/views/format.js'
import type { Definition, Stage, StageEvent, StageTask } from './process.schema.js'

/**
 * Where a person is in a template, as pure functions of the definition, their circumstances and
 * the time: which stage they start in, which stage an event or the passing of time takes them to,
 * and when each task falls due. The service applies the answers.
 */

const DAY = 24 * 60 * 60 * 1000

export interface Circumstances {
  custodyStatus: string
  /** YYYY-MM-DD */
  expectedReleaseOn: string | null
  /** The last release from custody, YYYY-MM-DD. */
  releasedOn: string | null
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

export const stageOf = (definition: Definition, code: string) =>
  definition.stages.find((s) => s.code === code)

/** The stage an event starts. */
export const eventStage = (definition: Definition, event: StageEvent) =>
  definition.stages.find((s) => s.entry.kind === 'event' && s.entry.event === event)

/** The stages that follow `index` by time alone, in order. */
function timedChain(definition: Definition, index: number): Stage[] {
  const chain: Stage[] = []
  for (let i = index + 1; i < definition.stages.length; i++) {
    const stage = definition.stages[i]!
    if (stage.entry.kind !== 'after_days') break
    chain.push(stage)
  }
  return chain
}

/** Whether `code` is the stage `event` starts or one that time leads to from it. */
export function isInEventChain(definition: Definition, code: string, event: StageEvent): boolean {
  const start = eventStage(definition, event)
  if (!start) return false
  if (start.code === code) return true
  return timedChain(definition, definition.stages.indexOf(start)).some((s) => s.code === code)
}

/**
 * The stage an event moves a person to, or null when the template has none for it or the person
 * is already there (or has moved on from it by time): a repeated event changes nothing.
 */
export function eventTarget(definition: Definition, currentCode: string, event: StageEvent): Stage | null {
  const target = eventStage(definition, event)
  if (!target || isInEventChain(definition, currentCode, event)) return null
  return target
}

/**
 * The next move that time alone makes: N days in the previous stage, or coming within N days of
 * the expected release date while in custody (only forward, to a later stage).
 */
export function timedMove(
  definition: Definition,
  currentCode: string,
  enteredAt: Date,
  circumstances: Circumstances,
  now: Date,
): { stage: Stage; enteredAt: Date } | null {
  const index = definition.stages.findIndex((s) => s.code === currentCode)
  if (index < 0) return null
  const next = definition.stages[index + 1]
  if (next?.entry.kind === 'after_days') {
    const due = new Date(enteredAt.getTime() + next.entry.days * DAY)
    return due <= now ? { stage: next, enteredAt: due } : null
  }
  const today = londonDate(now)
  const release = circumstances.expectedReleaseOn
  if (circumstances.custodyStatus !== 'in_custody' || !release || release < today) return null
  const later = definition.stages.slice(index + 1)
  const reached = later.find(
    (s) => s.entry.kind === 'before_release' && addDays(release, -s.entry.days) <= today,
  )
  return reached ? { stage: reached, enteredAt: now } : null
}

/**
 * Where someone joining a cohort starts: in custody, the pre-release stage whose window they are
 * in; released on licence, the release stage moved on by the time since release; otherwise a
 * stage marked as the start, or where supervision continues after release, or the first stage.
 */
export function initialStage(
  definition: Definition,
  circumstances: Circumstances,
  now: Date,
): { stage: Stage; enteredAt: Date } | null {
  const stages = definition.stages
  if (stages.length === 0) return null
  const today = londonDate(now)
  const start = stages.find((s) => s.entry.kind === 'start')
  const release = circumstances.expectedReleaseOn
  if (circumstances.custodyStatus === 'in_custody') {
    const windows = stages
      .filter((s) => s.entry.kind === 'before_release')
      .filter((s) => release && release >= today && addDays(release, -entryDaysOf(s)) <= today)
    const inWindow = windows.at(-1)
    if (inWindow) return { stage: inWindow, enteredAt: now }
    return { stage: start ?? stages[0]!, enteredAt: now }
  }
  const released = eventStage(definition, 'released')
  if (circumstances.custodyStatus === 'released_on_licence' && released) {
    const from = circumstances.releasedOn ? new Date(`${circumstances.releasedOn}T12:00:00Z`) : now
    return followTime(definition, released, from > now ? now : from, now)
  }
  if (start) return { stage: start, enteredAt: now }
  // In the community: as if released long ago, at the end of the post-release stages.
  if (released)
    return { stage: timedChain(definition, stages.indexOf(released)).at(-1) ?? released, enteredAt: now }
  return { stage: stages[0]!, enteredAt: now }
}

function entryDaysOf(stage: Stage) {
  return stage.entry.kind === 'before_release' || stage.entry.kind === 'after_days' ? stage.entry.days : 0
}

/** Follows the timed chain from `stage` entered at `enteredAt` up to `now`. */
function followTime(definition: Definition, stage: Stage, enteredAt: Date, now: Date) {
  let current = { stage, enteredAt }
  for (const next of timedChain(definition, definition.stages.indexOf(stage))) {
    const due = new Date(current.enteredAt.getTime() + entryDaysOf(next) * DAY)
    if (due > now) break
    current = { stage: next, enteredAt: due }
  }
  return current
}

/**
 * When a task falls due: N days after entering the stage, or for a stage entered before release,
 * N days before the expected release date (no date while the release date is unknown).
 */
export function dueOn(
  stage: Stage,
  task: StageTask,
  enteredAt: Date,
  releaseOn: string | null,
): string | null {
  if (stage.entry.kind === 'before_release') return releaseOn ? addDays(releaseOn, -task.dueDays) : null
  return addDays(londonDate(enteredAt), task.dueDays)
}

/**
 * The source_ref of a task a stage creates: createTask makes each ref once, so this decides what
 * counts as "the same task". `entry` is how many times the process has entered the stage, so a
 * person recalled and then released again gets the release tasks afresh, while a redelivered
 * event (which makes no new entry) finds the tasks it already made. The first entry keeps the
 * plain form, which tasks made before entries were counted already have.
 */
export const taskRef = (processId: string, stageCode: string, taskCode: string, entry = 1) =>
  entry > 1 ? `${processId}:${stageCode}:${taskCode}:${entry}` : `${processId}:${stageCode}:${taskCode}`

/** A taskRef → its parts (entry 1 when it carries none); null for anything else. */
export function parseTaskRef(
  ref: string | null,
): { processId: string; stageCode: string; taskCode: string; entry: number } | null {
  const [processId, stageCode, taskCode, entry = '1', ...rest] = (ref ?? '').split(':')
  if (!processId || !stageCode || !taskCode || rest.length || !/^\d+$/.test(entry)) return null
  return { processId, stageCode, taskCode, entry: Number(entry) }
}
