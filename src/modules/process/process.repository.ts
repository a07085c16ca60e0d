import { sql } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'

export * from './templates.repository.js'
export * from './stage-tasks.repository.js'

// A person's processes

const PROCESS_COLUMNS = [
  'pp.id',
  'pp.person_id',
  'pp.template_id',
  'pp.stage_code',
  'pp.stage_entered_at',
  'pp.started_at',
  'pp.version',
  'pt.definition',
  'pt.family_id',
  'pt.cohort_id',
  'pt.version as template_version',
  'pt.name as template_name',
] as const

export function findLiveProcesses(db: Queryable, personId: string) {
  return db
    .selectFrom('person_processes as pp')
    .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
    .select(PROCESS_COLUMNS)
    .where('pp.person_id', '=', personId)
    .where('pp.ended_at', 'is', null)
    .orderBy('pp.started_at')
    .execute()
}

/** Of these people, those with a live process: a batch of events skips everyone else at once. */
export async function peopleWithLiveProcesses(db: Queryable, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set()
  const rows = await db
    .selectFrom('person_processes')
    .select('person_id')
    .distinct()
    .where('person_id', 'in', personIds)
    .where('ended_at', 'is', null)
    .execute()
  return new Set(rows.map((r) => r.person_id))
}

export type LiveProcess = Awaited<ReturnType<typeof findLiveProcesses>>[number]

/** Every live process, for the periodic time-based moves. */
export function findAllLiveProcesses(db: Queryable) {
  return db
    .selectFrom('person_processes as pp')
    .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
    .select(PROCESS_COLUMNS)
    .where('pp.ended_at', 'is', null)
    .execute()
}

export function lockProcess(db: Queryable, personId: string, id: string) {
  return db
    .selectFrom('person_processes as pp')
    .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
    .select(PROCESS_COLUMNS)
    .where('pp.person_id', '=', personId)
    .where('pp.id', '=', id)
    .where('pp.ended_at', 'is', null)
    .forUpdate('pp')
    .executeTakeFirst()
}

function liveOfFamily(db: Queryable, familyId: string, exceptTemplateId: string) {
  return db
    .selectFrom('person_processes as pp')
    .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
    .select(PROCESS_COLUMNS)
    .where('pt.family_id', '=', familyId)
    .where('pp.template_id', '!=', exceptTemplateId)
    .where('pp.ended_at', 'is', null)
}

/** Live processes on other versions of a family, locked for moving to this one. */
export function findLiveProcessesOfFamily(db: Queryable, familyId: string, exceptTemplateId: string) {
  return liveOfFamily(db, familyId, exceptTemplateId).forUpdate('pp').execute()
}

export function findLiveProcessesOfFamilyForView(db: Queryable, familyId: string, exceptTemplateId: string) {
  return liveOfFamily(db, familyId, exceptTemplateId).execute()
}

export async function insertProcess(
  db: Queryable,
  p: { personId: string; templateId: string; stageCode: string; enteredAt: Date; at: Date },
) {
  const row = await db
    .insertInto('person_processes')
    .values({
      person_id: p.personId,
      template_id: p.templateId,
      stage_code: p.stageCode,
      stage_entered_at: p.enteredAt,
      started_at: p.at,
      end_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateProcess(
  db: Queryable,
  p: {
    personId: string
    id: string
    version: number
    templateId: string
    stageCode: string
    enteredAt: Date
  },
) {
  const result = await db
    .updateTable('person_processes')
    .set({
      template_id: p.templateId,
      stage_code: p.stageCode,
      stage_entered_at: p.enteredAt,
      version: sql`version + 1`,
    })
    .where('person_id', '=', p.personId)
    .where('id', '=', p.id)
    .where('version', '=', p.version)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function endProcess(db: Queryable, personId: string, id: string, reason: string, at: Date) {
  await db
    .updateTable('person_processes')
    .set({ ended_at: at, end_reason: reason, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('id', '=', id)
    .execute()
}

export async function insertStageMove(
  db: Queryable,
  m: { personId: string; processId: string; from: string | null; to: string; cause: string; at: Date },
) {
  await db
    .insertInto('person_stage_moves')
    .values({
      person_id: m.personId,
      process_id: m.processId,
      from_stage: m.from,
      to_stage: m.to,
      cause: m.cause,
      moved_at: m.at,
    })
    .execute()
}

/** What decides where a person starts and who owns their tasks. */
export async function findPersonFacts(db: Queryable, personId: string) {
  const person = await db
    .selectFrom('people as p')
    .select(['p.id', 'p.custody_status', 'p.lead_agency_id', 'p.region_id'])
    .select((eb) => [
      eb
        .selectFrom('sentences as s')
        .select('s.expected_release_on')
        .whereRef('s.person_id', '=', 'p.id')
        .where('s.ended_on', 'is', null)
        .where('s.expected_release_on', 'is not', null)
        .orderBy('s.sentenced_on', 'desc')
        .limit(1)
        .as('expected_release_on'),
      eb
        .selectFrom('sentences as s')
        .select('s.licence_end_on')
        .whereRef('s.person_id', '=', 'p.id')
        .where('s.ended_on', 'is', null)
        .orderBy('s.licence_end_on', (ob) => ob.desc().nullsLast())
        .limit(1)
        .as('licence_end_on'),
      eb
        .selectFrom('custody_episodes as ce')
        .select('ce.released_on')
        .whereRef('ce.person_id', '=', 'p.id')
        .where('ce.released_on', 'is not', null)
        .orderBy('ce.released_on', 'desc')
        .limit(1)
        .as('released_on'),
    ])
    .where('p.id', '=', personId)
    .executeTakeFirst()
  if (!person) return null
  const owners = await db
    .selectFrom('allocations')
    .select(['user_id', 'agency_id', 'role', 'is_lead'])
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .orderBy('started_at', 'desc')
    .execute()
  return { ...person, owners }
}

export type PersonFacts = NonNullable<Awaited<ReturnType<typeof findPersonFacts>>>

// The person's "Stage and tasks" page: only for viewers who may see supervision data.

export function findVisibleProcesses(db: Queryable, actor: Actor, personId: string) {
  return db
    .selectFrom('person_processes as pp')
    .innerJoin('people as p', 'p.id', 'pp.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
    .leftJoin('cohorts as c', 'c.id', 'pt.cohort_id')
    .select(PROCESS_COLUMNS)
    .select(['pp.ended_at', 'pp.end_reason', 'c.name as cohort_name'])
    .where('pp.person_id', '=', personId)
    .where(sql<boolean>`'supervision' = any(access.categories)`)
    .orderBy(sql`pp.ended_at is null`, 'desc')
    .orderBy('pp.started_at', 'desc')
    .execute()
}

export function findStageMoves(db: Queryable, personId: string, processIds: string[]) {
  if (processIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('person_stage_moves')
    .select(['process_id', 'from_stage', 'to_stage', 'cause', 'moved_at'])
    .where('person_id', '=', personId)
    .where('process_id', 'in', processIds)
    .orderBy('moved_at', 'desc')
    .execute()
}

export async function findUserNames(db: Queryable, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>()
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.id, r.display_name]))
}

/** The person a task belongs to, when the actor may see their supervision data. */
export function findVisiblePersonForTask(db: Queryable, actor: Actor, crn: string) {
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .select(['p.id', 'access.relationship', 'access.categories'])
    .where('p.crn', '=', crn)
    .where('p.merged_into', 'is', null)
    .where(sql<boolean>`'supervision' = any(access.categories)`)
    .executeTakeFirst()
}
