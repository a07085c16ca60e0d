import { createHash } from 'node:crypto'
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import * as repo from './process.repository.js'
import {
  checkDefinition,
  parseDefinition,
  type Definition,
  type Entry,
  type Milestone,
  type StageTask,
} from './process.schema.js'

/**
 * The template editor: drafts are edited one small form at a time, each edit made from the
 * revision the coordinator saw (a hash of the definition) so two editors never overwrite each
 * other; publishing checks the whole definition and retires the version it replaces.
 */

/** A short fingerprint of a definition, posted back by forms as their optimistic lock. */
export function revisionOf(definition: unknown): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16)
}

export const listTemplates = repo.listTemplates
export const templateChoices = repo.templateChoices

export async function loadTemplate(db: Db, id: string) {
  const template = await repo.findTemplate(db, id)
  if (!template) throw new NotFoundError()
  const definition = parseDefinition(template.definition)
  const family = await repo.findFamily(db, template.family_id)
  return {
    template,
    definition,
    revision: revisionOf(template.definition),
    family,
    draftOfFamily: family.find((t) => t.status === 'draft')?.id ?? null,
  }
}

export async function createDraft(
  db: Db,
  actor: Actor,
  form: { name: string; cohortId: string; regionId: string | null },
) {
  const row = await repo.insertTemplate(db, {
    familyId: null,
    version: 1,
    name: form.name,
    cohortId: form.cohortId,
    regionId: form.regionId,
    definition: { stages: [] },
    createdBy: actor.userId,
  })
  return row.id
}

/** Problems found in the whole definition, tied to the form fields a single edit posts. */
function asFormProblems(problems: FieldProblem[]): FieldProblem[] {
  const fields: Record<string, string> = { days: 'afterDays' }
  return problems.map((p) => {
    const last = p.field.split('-').pop() ?? 'form'
    return { field: fields[last] ?? last, message: p.message }
  })
}

/**
 * Applies one edit to a draft made from `revision`. The edit may throw a ValidationError; the
 * result must still be a sound (if unfinished) definition.
 */
async function editDraft(db: Db, id: string, revision: string, edit: (definition: Definition) => void) {
  return db.transaction().execute(async (tx) => {
    const template = await repo.findTemplate(tx, id)
    if (!template) throw new NotFoundError()
    if (template.status !== 'draft')
      throw new ValidationError([
        { field: 'form', message: 'Published and retired versions cannot be changed' },
      ])
    if (revisionOf(template.definition) !== revision) throw new ConflictError()
    const definition = structuredClone(parseDefinition(template.definition))
    edit(definition)
    const problems = checkDefinition(definition, false)
    if (problems.length) throw new ValidationError(asFormProblems(problems))
    if (!(await repo.updateDraftDefinition(tx, id, template.definition, definition)))
      throw new ConflictError()
  })
}

function stageIndex(definition: Definition, code: string) {
  const index = definition.stages.findIndex((s) => s.code === code)
  if (index < 0) throw new NotFoundError()
  return index
}

export function addStage(
  db: Db,
  id: string,
  form: { revision: string; code: string; name: string; entry: Entry },
) {
  return editDraft(db, id, form.revision, (d) => {
    d.stages.push({ code: form.code, name: form.name, entry: form.entry, milestones: [], tasks: [] })
  })
}

export function updateStage(
  db: Db,
  id: string,
  code: string,
  form: { revision: string; code: string; name: string; entry: Entry },
) {
  return editDraft(db, id, form.revision, (d) => {
    const stage = d.stages[stageIndex(d, code)]!
    Object.assign(stage, { code: form.code, name: form.name, entry: form.entry })
  })
}

export function removeStage(db: Db, id: string, code: string, revision: string) {
  return editDraft(db, id, revision, (d) => {
    d.stages.splice(stageIndex(d, code), 1)
  })
}

export function moveStage(db: Db, id: string, code: string, revision: string, direction: 'up' | 'down') {
  return editDraft(db, id, revision, (d) => {
    const from = stageIndex(d, code)
    const to = direction === 'up' ? from - 1 : from + 1
    if (to < 0 || to >= d.stages.length) return
    const [stage] = d.stages.splice(from, 1)
    d.stages.splice(to, 0, stage!)
  })
}

export function addTask(db: Db, id: string, stageCode: string, revision: string, task: StageTask) {
  return editDraft(db, id, revision, (d) => {
    d.stages[stageIndex(d, stageCode)]!.tasks.push(task)
  })
}

export function updateTask(
  db: Db,
  id: string,
  stageCode: string,
  taskCode: string,
  revision: string,
  task: StageTask,
) {
  return editDraft(db, id, revision, (d) => {
    const tasks = d.stages[stageIndex(d, stageCode)]!.tasks
    const index = tasks.findIndex((t) => t.code === taskCode)
    if (index < 0) throw new NotFoundError()
    tasks[index] = task
  })
}

export function removeTask(db: Db, id: string, stageCode: string, taskCode: string, revision: string) {
  return editDraft(db, id, revision, (d) => {
    const stage = d.stages[stageIndex(d, stageCode)]!
    stage.tasks = stage.tasks.filter((t) => t.code !== taskCode)
  })
}

export function addMilestone(db: Db, id: string, stageCode: string, revision: string, milestone: Milestone) {
  return editDraft(db, id, revision, (d) => {
    d.stages[stageIndex(d, stageCode)]!.milestones.push(milestone)
  })
}

export function removeMilestone(db: Db, id: string, stageCode: string, index: number, revision: string) {
  return editDraft(db, id, revision, (d) => {
    d.stages[stageIndex(d, stageCode)]!.milestones.splice(index, 1)
  })
}

/** Publishes a draft once the whole definition is sound; the family's published version retires. */
export async function publishDraft(db: Db, actor: Actor, id: string, revision: string, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const template = await repo.findTemplate(tx, id)
    if (!template) throw new NotFoundError()
    if (template.status !== 'draft')
      throw new ValidationError([{ field: 'publish', message: 'This version has already been published' }])
    if (revisionOf(template.definition) !== revision) throw new ConflictError()
    const problems = checkDefinition(parseDefinition(template.definition), true)
    if (problems.length)
      // Each problem links to its stage on the page.
      throw new ValidationError(
        problems.map((p) => ({ field: /^stage-\d+/.exec(p.field)?.[0] ?? 'stages', message: p.message })),
      )
    const { published, retiredId } = await repo.publishTemplate(tx, id, template.family_id, clock.now())
    if (!published) throw new ConflictError()
    await publish(tx, {
      type: 'process.template.published',
      personId: null,
      payload: {
        templateId: id,
        familyId: template.family_id,
        version: template.version,
        retiredId,
        by: actor.userId,
      },
    })
    return { retiredId }
  })
}

/** A new draft copied from a published (or retired) version; an existing draft of the family is reused. */
export async function newVersion(db: Db, actor: Actor, id: string) {
  return db.transaction().execute(async (tx) => {
    const template = await repo.findTemplate(tx, id)
    if (!template) throw new NotFoundError()
    const draft = (await repo.findFamily(tx, template.family_id)).find((t) => t.status === 'draft')
    if (draft) return draft.id
    const row = await repo.insertTemplate(tx, {
      familyId: template.family_id,
      version: await repo.nextVersion(tx, template.family_id),
      name: template.name,
      cohortId: template.cohort_id,
      regionId: template.region_id,
      definition: parseDefinition(template.definition),
      createdBy: actor.userId,
    })
    return row.id
  })
}
