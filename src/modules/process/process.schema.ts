import { z } from 'zod'
import type { FieldProblem } from '../../errors.js'
import { ALLOCATION_ROLE_NAMES } from '../../platform/access/actor.js'

/**
 * A process template's definition, kept as jsonb: ordered stages, each with how a person enters
 * it, its milestones and the tasks it creates. Forms edit one part at a time; `checkDefinition`
 * judges the whole before a version is published.
 */

/** Events that can move a person into a stage. */
export const STAGE_EVENTS = [
  'released',
  'recalled',
  'custody',
  'release_date_changed',
  'order_ended',
] as const
export type StageEvent = (typeof STAGE_EVENTS)[number]

export const STAGE_EVENT_NAMES: Record<StageEvent, string> = {
  released: 'Released from custody',
  recalled: 'Recalled to custody',
  custody: 'Received into custody (not a recall)',
  release_date_changed: 'Release date changed',
  order_ended: 'Order or licence ended',
}

export const ENTRY_KINDS = ['start', 'event', 'after_days', 'before_release'] as const

/** Who a task goes to: an allocation role, or whoever is the lead practitioner. */
export const OWNER_ROLES: Record<string, string> = { lead: 'Lead practitioner', ...ALLOCATION_ROLE_NAMES }

export type Entry =
  | { kind: 'start' }
  | { kind: 'event'; event: StageEvent }
  | { kind: 'after_days'; days: number }
  | { kind: 'before_release'; days: number }

export interface Milestone {
  name: string
  optional: boolean
}
export interface StageTask {
  code: string
  title: string
  ownerRole: string
  /** Days after entering the stage; for a stage entered before release, days before the release date. */
  dueDays: number
  required: boolean
}
export interface Stage {
  code: string
  name: string
  entry: Entry
  milestones: Milestone[]
  tasks: StageTask[]
}
export interface Definition {
  stages: Stage[]
}

const CODE = /^[a-z0-9][a-z0-9-]{0,39}$/

const EntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start') }),
  z.object({ kind: z.literal('event'), event: z.enum(STAGE_EVENTS) }),
  z.object({ kind: z.literal('after_days'), days: z.number().int() }),
  z.object({ kind: z.literal('before_release'), days: z.number().int() }),
])

/** The stored shape; the rules that need the whole template are in checkDefinition. */
export const DefinitionSchema = z.object({
  stages: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      entry: EntrySchema,
      milestones: z.array(z.object({ name: z.string(), optional: z.boolean() })),
      tasks: z.array(
        z.object({
          code: z.string(),
          title: z.string(),
          ownerRole: z.string(),
          dueDays: z.number().int(),
          required: z.boolean(),
        }),
      ),
    }),
  ),
})

export function parseDefinition(value: unknown): Definition {
  return DefinitionSchema.parse(value) as Definition
}

export function entryDays(entry: Entry): number | null {
  return entry.kind === 'after_days' || entry.kind === 'before_release' ? entry.days : null
}

/** 'Stage 2 (Release day)' */
const stageLabel = (stage: Stage, index: number) =>
  `Stage ${index + 1}${stage.name ? ` (${stage.name})` : ''}`

/**
 * Every problem with a definition, each naming the stage and field. `complete` adds the rules a
 * published version must meet (at least one stage, every stage reachable); a draft may be unfinished.
 */
export function checkDefinition(definition: Definition, complete: boolean): FieldProblem[] {
  const problems: FieldProblem[] = []
  const add = (field: string, message: string) => problems.push({ field, message })
  if (complete && definition.stages.length === 0) add('stages', 'Add at least one stage')
  const stageCodes = new Set<string>()
  const events = new Map<string, string>()
  definition.stages.forEach((stage, i) => {
    const label = stageLabel(stage, i)
    const at = `stage-${i + 1}`
    if (!stage.name.trim()) add(`${at}-name`, `${label}: enter a name`)
    if (!CODE.test(stage.code))
      add(`${at}-code`, `${label}: the code must use lower case letters, numbers and hyphens`)
    else if (stageCodes.has(stage.code)) add(`${at}-code`, `${label}: the code ${stage.code} is already used`)
    stageCodes.add(stage.code)
    const days = entryDays(stage.entry)
    if (days !== null && (days < 1 || days > 3650))
      add(`${at}-days`, `${label}: the number of days must be between 1 and 3650`)
    if (stage.entry.kind === 'event') {
      const other = events.get(stage.entry.event)
      if (other)
        add(`${at}-event`, `${label}: ${other} already starts on “${STAGE_EVENT_NAMES[stage.entry.event]}”`)
      events.set(stage.entry.event, label)
    }
    if (complete && i === 0 && stage.entry.kind === 'after_days')
      add(
        `${at}-entry`,
        `${label}: no one can reach this stage, because the first stage cannot start after days in a previous stage`,
      )
    const taskCodes = new Set<string>()
    stage.tasks.forEach((task, t) => {
      const taskLabel = `${label}, task ${t + 1}${task.title ? ` (${task.title})` : ''}`
      const tat = `${at}-task-${t + 1}`
      if (!task.title.trim()) add(`${tat}-title`, `${taskLabel}: enter a title`)
      if (!CODE.test(task.code))
        add(`${tat}-code`, `${taskLabel}: the code must use lower case letters, numbers and hyphens`)
      else if (taskCodes.has(task.code))
        add(`${tat}-code`, `${taskLabel}: the code ${task.code} is already used in this stage`)
      taskCodes.add(task.code)
      if (!(task.ownerRole in OWNER_ROLES)) add(`${tat}-ownerRole`, `${taskLabel}: choose a known owner role`)
      if (task.dueDays < 0 || task.dueDays > 3650)
        add(`${tat}-dueDays`, `${taskLabel}: the due days must be between 0 and 3650`)
    })
    stage.milestones.forEach((m, n) => {
      if (!m.name.trim()) add(`${at}-milestone-${n + 1}`, `${label}, milestone ${n + 1}: enter a name`)
    })
  })
  return problems
}

// Forms. Each edit posts the revision of the draft it was made from.

const text = (label: string, max = 120) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)

const code = (label: string) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .toLowerCase()
    .min(1, `Enter ${label}`)
    .regex(CODE, `${label.charAt(0).toUpperCase()}${label.slice(1)} must use letters, numbers and hyphens`)

const days = (label: string, min: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d{1,4}$/.test(v), `${label} must be a whole number`)
    .transform(Number)
    .refine((v) => v >= min && v <= 3650, `${label} must be between ${min} and 3650`)

const revision = z.string().regex(/^[0-9a-f]{16}$/, 'Reload the page and try again')

export const TemplateForm = z.object({
  name: text('a name'),
  cohortId: z.string({ message: 'Choose a cohort' }).uuid('Choose a cohort'),
  regionId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.string().uuid('Choose an area from the list').nullable()),
})

export const StageForm = z
  .object({
    revision,
    code: code('a stage code'),
    name: text('a stage name'),
    entryKind: z.enum(ENTRY_KINDS, { message: 'Choose how a person enters this stage' }),
    event: z.string().optional(),
    afterDays: z.string().optional(),
    beforeDays: z.string().optional(),
  })
  .transform((form, ctx) => {
    const entry = entryFrom(form, ctx)
    return { revision: form.revision, code: form.code, name: form.name, entry }
  })

function entryFrom(
  form: { entryKind: (typeof ENTRY_KINDS)[number]; event?: string; afterDays?: string; beforeDays?: string },
  ctx: z.RefinementCtx,
): Entry {
  const number = (value: string | undefined, path: string, label: string) => {
    const parsed = days(label, 1).safeParse(value ?? '')
    if (parsed.success) return parsed.data
    ctx.addIssue({ code: 'custom', path: [path], message: parsed.error.issues[0]!.message })
    return 1
  }
  switch (form.entryKind) {
    case 'start':
      return { kind: 'start' }
    case 'event': {
      const event = STAGE_EVENTS.find((e) => e === form.event)
      if (!event) ctx.addIssue({ code: 'custom', path: ['event'], message: 'Choose the event' })
      return { kind: 'event', event: event ?? 'released' }
    }
    case 'after_days':
      return { kind: 'after_days', days: number(form.afterDays, 'afterDays', 'Days in the previous stage') }
    case 'before_release':
      return {
        kind: 'before_release',
        days: number(form.beforeDays, 'beforeDays', 'Days before the release date'),
      }
  }
}

export const TaskForm = z.object({
  revision,
  code: code('a task code'),
  title: text('a task title', 200),
  ownerRole: z.string({ message: 'Choose who owns the task' }).refine((v) => v in OWNER_ROLES, {
    message: 'Choose who owns the task',
  }),
  dueDays: days('Due in days', 0),
  required: z.enum(['yes', 'no'], { message: 'Choose whether the task is required' }),
})

export const MilestoneForm = z.object({
  revision,
  name: text('a milestone name'),
  optional: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
})

export const RevisionForm = z.object({ revision })

export const MoveForm = z.object({ revision, direction: z.enum(['up', 'down']) })

export const TaskStatusForm = z.object({
  version: z.coerce.number().int().positive(),
  status: z.enum(['done', 'open']),
})
