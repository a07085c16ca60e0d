import type { Db } from '../../src/platform/database/database.js'

/** Builders for case plans: each makes real rows with sensible defaults and returns the id. */

export async function makeNeed(
  db: Db,
  personId: string,
  props: {
    pathway: string
    description?: string
    level?: 'none' | 'low' | 'medium' | 'high'
    assessedOn?: string
  },
) {
  const row = await db
    .insertInto('person_needs')
    .values({
      person_id: personId,
      pathway: props.pathway,
      level: props.level ?? 'high',
      description: props.description ?? `Needs help with ${props.pathway.replace(/_/g, ' ')}`,
      assessed_on: props.assessedOn ?? '2026-10-01',
      source_system: 'OASys',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeObjective(
  db: Db,
  personId: string,
  props: { pathway: string; description?: string; needId?: string | null; status?: 'active' | 'achieved' },
) {
  await db
    .insertInto('case_plans')
    .values({ person_id: personId, created_by: null })
    .onConflict((oc) => oc.column('person_id').doNothing())
    .execute()
  const row = await db
    .insertInto('plan_objectives')
    .values({
      person_id: personId,
      pathway: props.pathway,
      need_id: props.needId ?? null,
      description: props.description ?? `Objective for ${props.pathway}`,
      status: props.status ?? 'active',
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeAction(
  db: Db,
  personId: string,
  objectiveId: string,
  props: {
    ownerAgencyId: string
    ownerUserId?: string | null
    description?: string
    serviceType?: string | null
    status?: 'not_started' | 'in_progress' | 'done' | 'suspended' | 'cancelled'
    statusReason?: string | null
    dueOn?: string | null
    dependsOn?: string[]
    createdAt?: string
  },
) {
  const row = await db
    .insertInto('plan_actions')
    .values({
      person_id: personId,
      objective_id: objectiveId,
      description: props.description ?? 'An action',
      service_type: props.serviceType ?? null,
      owner_agency_id: props.ownerAgencyId,
      owner_user_id: props.ownerUserId ?? null,
      due_on: props.dueOn ?? null,
      status: props.status ?? 'not_started',
      status_reason: props.statusReason ?? null,
      depends_on: props.dependsOn ?? [],
      created_by: null,
      ...(props.createdAt ? { created_at: props.createdAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** The actions of a person as stored, for asserting what a change did and did not touch. */
export function actionsOf(db: Db, personId: string) {
  return db
    .selectFrom('plan_actions')
    .select(['id', 'description', 'status', 'status_reason', 'due_on', 'version', 'owner_agency_id'])
    .where('person_id', '=', personId)
    .execute()
}
