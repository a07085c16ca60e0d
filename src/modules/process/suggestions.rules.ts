import type { DataCategory } from '../../platform/access/actor.js'
import { formatDate, humanise } from '../../platform/views/format.js'

/**
 * Next best actions as pure rules: the facts about one person (already limited to what the
 * viewer may see) go in, ranked suggestions come out, each with a reason naming its facts.
 * A lower `rank` is more urgent; ranks are absolute, so suggestions computed for different
 * viewers of the same person compare and store alike.
 */

export const MAX_SHOWN = 5
export const TASK_HORIZON_DAYS = 7
export const APPOINTMENT_HORIZON_DAYS = 14
export const RELEASE_HORIZON_DAYS = 14
export const NEW_REGISTRATION_DAYS = 7

export const PATHWAY_CATEGORY = {
  accommodation: 'accommodation',
  education_training_employment: 'employment_finance',
  health: 'health',
  drugs_alcohol: 'substance_misuse',
  finance_benefit_debt: 'employment_finance',
  children_families: 'family',
  attitudes_thinking_behaviour: 'supervision',
} as const satisfies Record<string, DataCategory>
export type Pathway = keyof typeof PATHWAY_CATEGORY

const PATHWAY_NAMES: Record<Pathway, string> = {
  accommodation: 'accommodation',
  education_training_employment: 'education, training and employment',
  health: 'health',
  drugs_alcohol: 'drugs and alcohol',
  finance_benefit_debt: 'finance, benefit and debt',
  children_families: 'children and families',
  attitudes_thinking_behaviour: 'attitudes, thinking and behaviour',
}
export const pathwayName = (pathway: string) => PATHWAY_NAMES[pathway as Pathway] ?? humanise(pathway)
const categoryOf = (pathway: string): DataCategory => PATHWAY_CATEGORY[pathway as Pathway] ?? 'supervision'

/** Each kind's rule version, stored with every suggestion so that a later change of rule is visible. */
export const RULE_VERSIONS = {
  release_accommodation: 1,
  flag_unacknowledged: 1,
  task_due: 1,
  plan_action_overdue: 1,
  no_appointment: 1,
  plan_gap: 1,
  new_registration: 1,
  stage_expected: 1,
  plan_action_unowned: 1,
} as const
export type SuggestionKind = keyof typeof RULE_VERSIONS

export interface SuggestionFacts {
  today: string
  /** The data categories the viewer may see: a rule resting on any other is not applied. */
  categories: readonly string[]
  custodyStatus: string | null
  needs: { id: string; pathway: string; level: string; description: string; assessedOn: string }[]
  objectives: { pathway: string }[]
  /** Open plan actions that are overdue or have nobody named to do them. */
  actions: {
    id: string
    description: string
    pathway: string
    dueOn: string | null
    ownerUserId: string | null
  }[]
  housingAction: boolean
  /** Open tasks due within TASK_HORIZON_DAYS or overdue. */
  tasks: { id: string; title: string; dueOn: string; source: string }[]
  /** What the template expects of each current stage that has no task yet. */
  expected: {
    processId: string
    templateName: string
    stageCode: string
    stageName: string
    /** The source_ref the expected task has, or would have. */
    ref: string
    title: string
    milestone: boolean
    dueOn: string | null
  }[]
  flags: { id: string; severity: string; title: string; reason: string; raisedAt: string }[]
  /** The first appointment from now on, if any is booked. */
  nextAppointmentOn: string | null
  releaseOn: string | null
  registrations: { id: string; typeDescription: string; category: string; registeredOn: string }[]
}

export interface Suggestion {
  key: string
  kind: SuggestionKind
  title: string
  reason: string
  rank: number
  ruleVersion: number
  /** The facts it rests on, including the data categories it needs to be shown. */
  inputs: { categories: DataCategory[] } & Record<string, unknown>
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** 'is due today', 'is due on 3 March 2026, in 2 days', 'was due on 1 March 2026, 3 days ago'. */
function dueText(dueOn: string, today: string): string {
  const days = daysBetween(today, dueOn)
  if (days === 0) return 'is due today'
  if (days > 0) return `is due on ${formatDate(dueOn)}, in ${plural(days, 'day')}`
  return `was due on ${formatDate(dueOn)}, ${plural(-days, 'day')} ago`
}

const FLAG_RANK: Record<string, number> = { critical: 0, high: 10, medium: 40, low: 70 }
const NEED_RANK: Record<string, number> = { high: 22, medium: 45, low: 65 }
const overdueRank = (days: number) => 20 - Math.min(days, 10)

function make(
  kind: SuggestionKind,
  key: string,
  title: string,
  reason: string,
  rank: number,
  inputs: Suggestion['inputs'],
): Suggestion {
  return { key, kind, title, reason, rank, ruleVersion: RULE_VERSIONS[kind], inputs }
}

function* candidates(f: SuggestionFacts): Generator<Suggestion> {
  const { today } = f
  const planned = new Set(f.objectives.map((o) => o.pathway))

  if (f.releaseOn && !planned.has('accommodation') && !f.housingAction) {
    const days = daysBetween(today, f.releaseOn)
    if (days >= 0 && days <= RELEASE_HORIZON_DAYS)
      yield make(
        'release_accommodation',
        `release-accommodation:${f.releaseOn}`,
        'Plan accommodation for release',
        `Release on ${formatDate(f.releaseOn)} is ${days === 0 ? 'today' : `in ${plural(days, 'day')}`} and there is no accommodation objective or housing action in the plan`,
        5 + days,
        { categories: ['sentence', 'accommodation'], releaseOn: f.releaseOn },
      )
  }

  for (const flag of f.flags)
    yield make(
      'flag_unacknowledged',
      `flag:${flag.id}`,
      `Acknowledge flag: ${flag.title}`,
      `${humanise(flag.severity)} severity flag raised on ${formatDate(flag.raisedAt)} has not been acknowledged: ${flag.reason}`,
      FLAG_RANK[flag.severity] ?? 70,
      { categories: ['risk'], flagId: flag.id, severity: flag.severity },
    )

  for (const task of f.tasks) {
    const days = daysBetween(today, task.dueOn)
    const what = task.source === 'process' ? 'Stage task' : 'Task'
    yield make(
      'task_due',
      `task-due:${task.id}`,
      `${days < 0 ? 'Complete overdue task' : 'Complete task due soon'}: ${task.title}`,
      `${what} ‘${task.title}’ ${dueText(task.dueOn, today)}`,
      days < 0 ? overdueRank(-days) : 30 + days,
      { categories: ['supervision'], taskId: task.id, dueOn: task.dueOn },
    )
  }

  for (const action of f.actions) {
    const category = categoryOf(action.pathway)
    const inputs = { categories: [category], actionId: action.id, pathway: action.pathway }
    if (action.dueOn && action.dueOn < today)
      yield make(
        'plan_action_overdue',
        `plan-action-overdue:${action.id}`,
        `Review overdue plan action: ${action.description}`,
        `Plan action ‘${action.description}’ (${pathwayName(action.pathway)}) ${dueText(action.dueOn, today)} and is not done`,
        overdueRank(daysBetween(action.dueOn, today)),
        { ...inputs, dueOn: action.dueOn },
      )
    if (!action.ownerUserId)
      yield make(
        'plan_action_unowned',
        `plan-action-unowned:${action.id}`,
        `Name someone to do plan action: ${action.description}`,
        `Plan action ‘${action.description}’ (${pathwayName(action.pathway)}) has an agency but nobody named to do it`,
        50,
        inputs,
      )
  }

  if (f.custodyStatus === 'community' || f.custodyStatus === 'released_on_licence') {
    const until = addDays(today, APPOINTMENT_HORIZON_DAYS)
    if (!f.nextAppointmentOn || f.nextAppointmentOn > until)
      yield make(
        'no_appointment',
        'no-appointment',
        'Book a supervision appointment',
        `${f.custodyStatus === 'community' ? 'Under supervision in the community' : 'On licence'} and no appointment is booked in the next ${APPOINTMENT_HORIZON_DAYS} days${f.nextAppointmentOn ? ` (the next is on ${formatDate(f.nextAppointmentOn)})` : ''}`,
        25,
        { categories: ['supervision', 'sentence'], nextAppointmentOn: f.nextAppointmentOn },
      )
  }

  // The highest assessed need of each pathway without an active objective.
  const needs = new Map<string, SuggestionFacts['needs'][number]>()
  for (const need of f.needs) {
    const seen = needs.get(need.pathway)
    if (!(need.level in NEED_RANK)) continue
    if (!seen || NEED_RANK[need.level]! < NEED_RANK[seen.level]!) needs.set(need.pathway, need)
  }
  for (const need of needs.values()) {
    if (planned.has(need.pathway)) continue
    const name = pathwayName(need.pathway)
    yield make(
      'plan_gap',
      `plan-gap:${need.pathway}`,
      `Add ${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} objective to the plan`,
      `${humanise(name)} need assessed as ${need.level} on ${formatDate(need.assessedOn)} (${need.description}) and the plan has no active ${name} objective`,
      NEED_RANK[need.level]!,
      {
        categories: ['supervision', categoryOf(need.pathway)],
        pathway: need.pathway,
        needId: need.id,
        level: need.level,
      },
    )
  }

  for (const r of f.registrations) {
    const days = daysBetween(r.registeredOn, today)
    yield make(
      'new_registration',
      `new-registration:${r.id}`,
      `Review the plan after a new registration: ${r.typeDescription}`,
      `Registration ‘${r.typeDescription}’ was added on ${formatDate(r.registeredOn)}${days > 0 ? `, ${plural(days, 'day')} ago` : ', today'}: check the plan and risk management still fit`,
      r.category === 'risk' ? 28 : 35,
      { categories: [r.category as DataCategory], registrationId: r.id },
    )
  }

  for (const e of f.expected) {
    const late = e.dueOn !== null && e.dueOn < today
    yield make(
      'stage_expected',
      `stage-expected:${e.ref}`,
      `${e.milestone ? 'Plan for milestone' : 'Create stage task'}: ${e.title}`,
      `The ‘${e.templateName}’ process expects ‘${e.title}’ at the ${e.stageName} stage and there is no task for it yet${e.dueOn ? ` (it ${dueText(e.dueOn, today)})` : ''}`,
      late ? overdueRank(daysBetween(e.dueOn!, today)) : 40,
      {
        categories: ['supervision'],
        processId: e.processId,
        ref: e.ref,
        milestone: e.milestone,
        taskTitle: e.title,
        dueOn: e.dueOn,
      },
    )
  }
}

/**
 * Every suggestion the facts support, most urgent first (ties by key, so the order is
 * stable), leaving out any that rests on a data category the viewer may not see.
 */
export function buildSuggestions(facts: SuggestionFacts): Suggestion[] {
  const visible = new Set(facts.categories)
  return [...candidates(facts)]
    .filter((s) => s.inputs.categories.every((c) => visible.has(c)))
    .sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** The suggestions to show: the most urgent MAX_SHOWN. */
export function rankSuggestions(facts: SuggestionFacts, limit = MAX_SHOWN): Suggestion[] {
  return buildSuggestions(facts).slice(0, limit)
}
