import { sql } from 'kysely'
import type { Db } from '../../src/platform/database/database.js'

/** Builders for case management rows: workload facts, the allocation queue, plan work and flags. */

let counter = 0

/** Sets what a person's workload points come from: tier, risk, custody and the current sentence. */
export async function setCaseFacts(
  db: Db,
  personId: string,
  facts: { tier?: string; rosh?: string; custodyStatus?: string; sentenceType?: string },
) {
  await db
    .updateTable('people')
    .set({
      ...(facts.tier ? { tier: facts.tier } : {}),
      ...(facts.rosh ? { rosh_level: facts.rosh } : {}),
      ...(facts.custodyStatus ? { custody_status: facts.custodyStatus as 'community' } : {}),
    })
    .where('id', '=', personId)
    .execute()
  if (facts.sentenceType) {
    await sql`insert into sentences (person_id, event_number, sentence_type, description, offence,
        offence_category, court, sentenced_on)
      values (${personId}, ${++counter}, ${facts.sentenceType}, 'Test sentence', 'Theft', 'theft',
        'Test Magistrates Court', '2025-06-01')`.execute(db)
  }
}

/** Puts a person in a team's allocation queue; returns the request id. */
export async function requestAllocation(
  db: Db,
  personId: string,
  teamId: string,
  reason = 'New case from court',
) {
  await db.updateTable('people').set({ lead_team_id: teamId }).where('id', '=', personId).execute()
  const row = await db
    .insertInto('allocation_requests')
    .values({ person_id: personId, team_id: teamId, reason, requested_by: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function setContractedHours(db: Db, userId: string, hours: number) {
  await db.updateTable('users').set({ contracted_hours: hours }).where('id', '=', userId).execute()
}

/** An open plan action due on `dueOn` (under a new objective). */
export async function addPlanAction(
  db: Db,
  personId: string,
  props: { agencyId: string; dueOn: string; status?: string; ownerUserId?: string | null },
) {
  await sql`insert into case_plans (person_id) values (${personId}) on conflict do nothing`.execute(db)
  const { rows } = await sql<{ id: string }>`insert into plan_objectives (person_id, pathway, description)
    values (${personId}, 'accommodation', 'Find settled accommodation') returning id`.execute(db)
  await sql`insert into plan_actions (person_id, objective_id, description, owner_agency_id, owner_user_id, due_on, status)
    values (${personId}, ${rows[0]!.id}, 'Refer to housing options', ${props.agencyId}, ${props.ownerUserId ?? null},
      ${props.dueOn}::date, ${props.status ?? 'not_started'})`.execute(db)
}

export async function addFlag(db: Db, personId: string, status: 'raised' | 'resolved' = 'raised') {
  await sql`insert into flags (person_id, rule_code, rule_version, condition_key, severity, title, reason, status)
    values (${personId}, 'test-rule', 1, ${`test-${++counter}`}, 'high', 'Test flag', 'Because of a test', ${status})`.execute(
    db,
  )
}

export async function addAppointment(
  db: Db,
  personId: string,
  props: { startsAt: Date; agencyId: string; staffUserId?: string | null; outcome?: string | null },
) {
  await db
    .insertInto('appointments')
    .values({
      person_id: personId,
      starts_at: props.startsAt,
      ends_at: new Date(props.startsAt.getTime() + 3_600_000),
      kind: 'office_visit',
      location: 'Probation office',
      staff_user_id: props.staffUserId ?? null,
      agency_id: props.agencyId,
      outcome: props.outcome ?? null,
      outcome_recorded_at: null,
      notes: null,
      created_by: null,
      outcome_recorded_by: null,
      outcome_notes: null,
      rescheduled_from: null,
    })
    .execute()
}

export async function addTask(db: Db, personId: string, dueOn: string, status = 'open') {
  await sql`insert into tasks (person_id, kind, title, due_on, status, source)
    values (${personId}, 'review', 'Review the case', ${dueOn}::date, ${status}, 'test')`.execute(db)
}

/** Starts a process for the person at `stageCode` (with a throwaway template). */
export async function setStage(db: Db, personId: string, stageCode: string) {
  const { rows } = await sql<{
    id: string
  }>`insert into process_templates (family_id, version, name, status, definition)
    values (gen_random_uuid(), 1, 'Test template', 'published', '{}') returning id`.execute(db)
  await sql`insert into person_processes (person_id, template_id, stage_code)
    values (${personId}, ${rows[0]!.id}, ${stageCode})`.execute(db)
}
