import { sql } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import type { RulesTable } from '../../platform/database/schema.js'

type Severity = RulesTable['severity']

const RULE_COLUMNS = [
  'code',
  'version',
  'name',
  'description',
  'kind',
  'parameters',
  'severity',
  'category',
  'reason_template',
  'task_owner_role',
  'task_due_days',
  'acknowledge_within_hours',
  'status',
  'created_at',
  'enabled_at',
] as const

export function findEnabledRules(db: Queryable) {
  return db.selectFrom('rules').select(RULE_COLUMNS).where('status', '=', 'enabled').orderBy('code').execute()
}

export type RuleRow = Awaited<ReturnType<typeof findEnabledRules>>[number]

export function findAllRules(db: Queryable) {
  return db.selectFrom('rules').select(RULE_COLUMNS).orderBy('code').orderBy('version', 'desc').execute()
}

export function findRuleVersions(db: Queryable, code: string) {
  return db
    .selectFrom('rules')
    .select(RULE_COLUMNS)
    .where('code', '=', code)
    .orderBy('version', 'desc')
    .execute()
}

export interface NewRuleVersion {
  code: string
  name: string
  description: string
  kind: string
  parameters: Record<string, unknown>
  severity: Severity
  category: string
  reasonTemplate: string
  taskOwnerRole: RulesTable['task_owner_role']
  taskDueDays: number | null
  acknowledgeWithinHours: number
  createdBy: string
}

/** Adds a draft version after the newest one; `basedOn` must still be the newest (else null). */
export async function insertDraft(db: Queryable, rule: NewRuleVersion, basedOn: number) {
  const row = await sql<{ version: number }>`insert into rules (code, version, name, description, kind,
      parameters, severity, category, reason_template, task_owner_role, task_due_days,
      acknowledge_within_hours, status, created_by)
    select ${rule.code}, ${basedOn + 1}::int, ${rule.name}, ${rule.description}, ${rule.kind},
      ${JSON.stringify(rule.parameters)}::jsonb, ${rule.severity}, ${rule.category}, ${rule.reasonTemplate},
      ${rule.taskOwnerRole}, ${rule.taskDueDays}::int, ${rule.acknowledgeWithinHours}::int, 'draft',
      ${rule.createdBy}::uuid
    where (select max(version) from rules where code = ${rule.code}) = ${basedOn}::int
    on conflict (code, version) do nothing
    returning version`.execute(db)
  return row.rows[0]?.version ?? null
}

/** Makes `version` the one enabled version of the rule; false if it does not exist or is enabled. */
export async function enableVersion(db: Queryable, code: string, version: number, userId: string, at: Date) {
  const target = await db
    .selectFrom('rules')
    .select('status')
    .where('code', '=', code)
    .where('version', '=', version)
    .forUpdate()
    .executeTakeFirst()
  if (!target || target.status === 'enabled') return false
  await db
    .updateTable('rules')
    .set({ status: 'retired' })
    .where('code', '=', code)
    .where('status', '=', 'enabled')
    .execute()
  await db
    .updateTable('rules')
    .set({ status: 'enabled', enabled_at: at, enabled_by: userId })
    .where('code', '=', code)
    .where('version', '=', version)
    .execute()
  return true
}

export interface NewFlag {
  personId: string
  conditionKey: string
  reason: string
  evidence: Record<string, unknown>
}

/**
 * Raises the flags that are not already open. The partial unique index on open flags makes a
 * concurrent or repeated raise of the same condition a no-op; a flag dismissed for exactly the
 * same evidence is not raised again.
 */
export async function insertFlags(
  db: Queryable,
  rule: { code: string; version: number; severity: Severity; name: string },
  flags: NewFlag[],
  at: Date,
) {
  if (flags.length === 0) return []
  const { rows } = await sql<{ id: string; person_id: string; condition_key: string; reason: string }>`
    insert into flags (person_id, rule_code, rule_version, condition_key, severity, title, reason, evidence, raised_at)
    select v.person_id, ${rule.code}, ${rule.version}::int, v.condition_key, ${rule.severity}, ${rule.name},
      v.reason, v.evidence, ${at}::timestamptz
    from unnest(${flags.map((f) => f.personId)}::uuid[], ${flags.map((f) => f.conditionKey)}::text[],
      ${flags.map((f) => f.reason)}::text[], ${flags.map((f) => JSON.stringify(f.evidence))}::text[]::jsonb[])
      as v(person_id, condition_key, reason, evidence)
    where not exists (select 1 from flags d where d.person_id = v.person_id
      and d.condition_key = v.condition_key and d.status = 'dismissed'
      and d.evidence ->> 'fingerprint' = v.evidence ->> 'fingerprint')
    on conflict (person_id, condition_key) where status in ('raised', 'acknowledged') do nothing
    returning id, person_id, condition_key, reason`.execute(db)
  return rows
}

/** Resolves the given open flags: their condition no longer holds. */
export async function resolveFlags(db: Queryable, ids: string[], at: Date) {
  if (ids.length === 0) return []
  const { rows } = await sql<{ id: string; person_id: string; condition_key: string }>`
    update flags f set status = 'resolved', closed_at = ${at}::timestamptz,
      close_reason = 'Condition no longer holds'
    where f.id = any(${ids}::uuid[]) and f.status in ('raised', 'acknowledged')
    returning f.id, f.person_id, f.condition_key`.execute(db)
  return rows
}

/** Who should act on a person's flag: the lead practitioner and the managers of the lead team. */
export async function findOwners(db: Queryable, personId: string) {
  const lead = await db
    .selectFrom('allocations')
    .select(['user_id', 'agency_id'])
    .where('person_id', '=', personId)
    .where('is_lead', '=', true)
    .where('ended_at', 'is', null)
    .executeTakeFirst()
  const manager = await db
    .selectFrom('people as p')
    .innerJoin('team_members as tm', 'tm.team_id', 'p.lead_team_id')
    .innerJoin('user_roles as ur', (j) =>
      j.onRef('ur.user_id', '=', 'tm.user_id').on('ur.role', '=', 'manager'),
    )
    .innerJoin('users as u', 'u.id', 'tm.user_id')
    .select(['u.id', 'u.agency_id'])
    .where('p.id', '=', personId)
    .orderBy('u.display_name')
    .orderBy('u.id')
    .executeTakeFirst()
  return { lead: lead ?? null, manager: manager ?? null }
}

/** Flags still raised (not acknowledged) past their rule's deadline, not yet escalated; locked. */
export function findOverdueFlags(db: Queryable, at: Date, limit = 500) {
  return db
    .selectFrom('flags as f')
    .innerJoin('rules as r', (j) =>
      j.onRef('r.code', '=', 'f.rule_code').onRef('r.version', '=', 'f.rule_version'),
    )
    .select(['f.person_id', 'f.id', 'f.title', 'f.reason', 'f.raised_at', 'r.acknowledge_within_hours'])
    .where('f.status', '=', 'raised')
    .where('f.escalated_at', 'is', null)
    .where(
      sql<boolean>`f.raised_at + make_interval(hours => r.acknowledge_within_hours) <= ${at}::timestamptz`,
    )
    .orderBy('f.raised_at')
    .limit(limit)
    .forUpdate('f')
    .skipLocked()
    .execute()
}

export async function markEscalated(db: Queryable, personId: string, flagId: string, at: Date) {
  await db
    .updateTable('flags')
    .set({ escalated_at: at })
    .where('person_id', '=', personId)
    .where('id', '=', flagId)
    .execute()
}

/** Of the given people, those the actor may see with the rule's data category, with a count. */
export async function findVisibleAmong(db: Queryable, actor: Actor, personIds: string[], category: string) {
  if (personIds.length === 0) return []
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (j) => j.onTrue())
    .select(['p.id', 'p.crn', 'p.first_name', 'p.last_name'])
    .where('p.id', '=', sql<string>`any(${personIds}::uuid[])`)
    .where(sql<boolean>`${category} = any(access.categories)`)
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .execute()
}
