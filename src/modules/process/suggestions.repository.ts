import { sql, type SqlBool } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { accessFor } from '../../platform/access/access.js'
import type { Actor, DataCategory } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { PATHWAY_CATEGORY, type Suggestion } from './suggestions.rules.js'

/**
 * The facts next best actions rest on, and the stored suggestions. Every query reaches the
 * person through accessFor, and every fact is limited in SQL to the categories the access
 * row shares, so nothing the viewer may not see can shape a suggestion.
 */

const shares = (category: DataCategory) => sql<SqlBool>`${category}::text = any(access.categories)`

/** Whether the access row shares the data category of a resettlement pathway column. */
function sharesPathway(column: string) {
  const cases = sql.join(
    Object.entries(PATHWAY_CATEGORY).map(([pathway, category]) => sql`when ${pathway} then ${category}`),
    sql` `,
  )
  return sql<SqlBool>`(case ${sql.ref(column)} ${cases} end)::text = any(access.categories)`
}

export interface FactWindow {
  today: string
  now: Date
  taskHorizon: string
  registrationsSince: string
}

/** Everything the rules need about each of these people the actor may see, in one query. */
export async function findFacts(db: Queryable, actor: Actor, personIds: string[], w: FactWindow) {
  if (personIds.length === 0) return []
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .select(['p.id', 'p.crn', 'access.categories'])
    .select(
      sql<string | null>`case when ${shares('sentence')} then p.custody_status end`.as('custody_status'),
    )
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('person_needs as n')
          .select(['n.id', 'n.pathway', 'n.level', 'n.description', 'n.assessed_on as assessedOn'])
          .whereRef('n.person_id', '=', 'p.id')
          .where('n.level', '<>', 'none')
          // Needs are assessed by probation: shown with the supervision category.
          .where(shares('supervision'))
          .where(sharesPathway('n.pathway')),
      ).as('needs'),
      jsonArrayFrom(
        eb
          .selectFrom('plan_objectives as o')
          .select(['o.pathway'])
          .whereRef('o.person_id', '=', 'p.id')
          .where('o.status', '=', 'active')
          .where(sharesPathway('o.pathway')),
      ).as('objectives'),
      jsonArrayFrom(
        eb
          .selectFrom('plan_actions as pa')
          .innerJoin('plan_objectives as o', (j) =>
            j.onRef('o.person_id', '=', 'pa.person_id').onRef('o.id', '=', 'pa.objective_id'),
          )
          .select([
            'pa.id',
            'pa.description',
            'o.pathway',
            'pa.due_on as dueOn',
            'pa.owner_user_id as ownerUserId',
          ])
          .whereRef('pa.person_id', '=', 'p.id')
          .where('pa.status', 'in', ['not_started', 'in_progress'])
          .where('o.status', '=', 'active')
          .where((w2) => w2.or([w2('pa.due_on', '<', w.today), w2('pa.owner_user_id', 'is', null)]))
          .where(sharesPathway('o.pathway')),
      ).as('actions'),
      sql<boolean>`exists (select 1 from plan_actions ha where ha.person_id = p.id
        and ha.service_type = 'housing' and ha.status in ('not_started', 'in_progress')
        and ${shares('accommodation')})`.as('housing_action'),
      jsonArrayFrom(
        eb
          .selectFrom('tasks as t')
          .select(['t.id', 't.title', 't.due_on as dueOn', 't.source'])
          .whereRef('t.person_id', '=', 'p.id')
          .where('t.status', '=', 'open')
          .where('t.due_on', '<=', w.taskHorizon)
          .where(shares('supervision')),
      ).as('tasks'),
      jsonArrayFrom(
        eb
          .selectFrom('person_processes as pp')
          .innerJoin('process_templates as pt', 'pt.id', 'pp.template_id')
          .select([
            'pp.id',
            'pp.stage_code as stageCode',
            'pp.stage_entered_at as stageEnteredAt',
            'pt.name as templateName',
            'pt.definition',
            sql<string[]>`array(select t.source_ref from tasks t where t.person_id = pp.person_id
              and t.source in ('process', 'process-milestone') and t.source_ref like pp.id::text || ':%')`.as(
              'taskRefs',
            ),
            // Which entry into the current stage this is: its tasks carry it in their refs.
            sql<number>`(select count(*)::int from person_stage_moves m where m.person_id = pp.person_id
              and m.process_id = pp.id and m.to_stage = pp.stage_code)`.as('stageEntry'),
          ])
          .whereRef('pp.person_id', '=', 'p.id')
          .where('pp.ended_at', 'is', null)
          .where(shares('supervision')),
      ).as('processes'),
      jsonArrayFrom(
        eb
          .selectFrom('flags as fl')
          .select(['fl.id', 'fl.severity', 'fl.title', 'fl.reason', 'fl.raised_at as raisedAt'])
          .whereRef('fl.person_id', '=', 'p.id')
          .where('fl.status', '=', 'raised')
          .where('fl.acknowledged_at', 'is', null)
          .where(shares('risk')),
      ).as('flags'),
      eb
        .selectFrom('appointments as ap')
        .select(sql<Date>`min(ap.starts_at)`.as('next'))
        .whereRef('ap.person_id', '=', 'p.id')
        .where('ap.starts_at', '>=', w.now)
        .where((w2) =>
          w2.or([w2('ap.outcome', 'is', null), w2('ap.outcome', 'not in', ['cancelled', 'rescheduled'])]),
        )
        .where(shares('supervision'))
        .as('next_appointment_at'),
      eb
        .selectFrom('sentences as s')
        .select(sql<string>`min(s.expected_release_on)::text`.as('release'))
        .whereRef('s.person_id', '=', 'p.id')
        .where('s.ended_on', 'is', null)
        .where('s.expected_release_on', '>=', w.today)
        .where(shares('sentence'))
        .as('release_on'),
      jsonArrayFrom(
        eb
          .selectFrom('registrations as r')
          .select([
            'r.id',
            'r.type_description as typeDescription',
            'r.category',
            'r.registered_on as registeredOn',
          ])
          .whereRef('r.person_id', '=', 'p.id')
          .where('r.deregistered_on', 'is', null)
          .where('r.registered_on', '>=', w.registrationsSince)
          .where(sql<SqlBool>`r.category = any(access.categories)`),
      ).as('registrations'),
    ])
    .where('p.id', 'in', personIds)
    .where('p.merged_into', 'is', null)
    .execute()
}

export type FactRow = Awaited<ReturnType<typeof findFacts>>[number]

/** Per person: a set of keys, empty for a person with none. */
function keysByPerson(personIds: string[], rows: { person_id: string; key: string }[]) {
  const byPerson = new Map(personIds.map((id) => [id, new Set<string>()]))
  for (const r of rows) byPerson.get(r.person_id)?.add(r.key)
  return byPerson
}

/** Each person's keys decided recently enough that they are not to be suggested again. */
export async function findRecentlyDecidedKeys(
  db: Queryable,
  personIds: string[],
  since: { dismissed: Date; accepted: Date },
) {
  const rows = await db
    .selectFrom('suggestions')
    .select(['person_id', 'suggestion_key as key'])
    .distinct()
    .where('person_id', 'in', personIds)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'dismissed'), eb('decided_at', '>=', since.dismissed)]),
        eb.and([eb('status', '=', 'accepted'), eb('decided_at', '>=', since.accepted)]),
      ]),
    )
    .execute()
  return keysByPerson(personIds, rows)
}

/**
 * Of these suggestions (by person), the keys already stored open with exactly these facts: those
 * need no write, so people viewing the same person at once do not queue on each other's row locks.
 */
export async function findUnchangedOpen(db: Queryable, proposals: Map<string, Suggestion[]>) {
  const proposed = [...proposals].flatMap(([personId, suggestions]) =>
    suggestions.map((s) => ({
      person_id: personId,
      key: s.key,
      kind: s.kind,
      title: s.title,
      reason: s.reason,
      rank: s.rank,
      inputs: s.inputs,
      rule_version: s.ruleVersion,
    })),
  )
  if (proposed.length === 0) return keysByPerson([...proposals.keys()], [])
  const { rows } = await sql<{ person_id: string; key: string }>`
    select n.person_id, n.key from jsonb_to_recordset(${JSON.stringify(proposed)}::jsonb)
      as n(person_id uuid, key text, kind text, title text, reason text, rank integer, inputs jsonb,
        rule_version integer)
    join suggestions s on s.person_id = n.person_id and s.status = 'open' and s.suggestion_key = n.key
      and s.kind = n.kind and s.title = n.title and s.reason = n.reason and s.rank = n.rank
      and s.inputs = n.inputs and s.rule_version = n.rule_version`.execute(db)
  return keysByPerson([...proposals.keys()], rows)
}

/** Stores a suggestion as the one open row for its key, refreshing the facts of an existing one. */
export async function upsertOpen(db: Queryable, personId: string, s: Suggestion) {
  const values = {
    kind: s.kind,
    title: s.title,
    reason: s.reason,
    rank: s.rank,
    inputs: JSON.stringify(s.inputs),
    rule_version: s.ruleVersion,
  }
  await db
    .insertInto('suggestions')
    .values({
      person_id: personId,
      suggestion_key: s.key,
      ...values,
      decided_by: null,
      decision_reason: null,
    })
    .onConflict((oc) =>
      // A literal, not a parameter: PostgreSQL must match it to the partial index's predicate.
      oc
        .columns(['person_id', 'suggestion_key'])
        .where(sql<SqlBool>`status = 'open'`)
        .doUpdateSet(values),
    )
    .execute()
}

/** What one viewer worked out for one person: the keys that apply, from the categories they may see. */
export interface Outlook {
  personId: string
  keep: string[]
  categories: readonly string[]
}

const outlooks = (list: Outlook[]) =>
  JSON.stringify(list.map((o) => ({ person_id: o.personId, keep: o.keep, categories: o.categories })))

/**
 * Expires each person's open suggestions that no longer apply, among those the viewer could have
 * computed (all their categories visible): another viewer's wider view is left alone.
 */
export async function expireOthers(db: Queryable, list: Outlook[], at: Date) {
  if (list.length === 0) return 0
  const { rows } = await sql<{ id: string }>`
    update suggestions s set status = 'expired', decided_at = ${at}::timestamptz, decision_reason = 'No longer applies'
    from jsonb_to_recordset(${outlooks(list)}::jsonb) as o(person_id uuid, keep jsonb, categories jsonb)
    where s.person_id = o.person_id and s.status = 'open' and s.inputs -> 'categories' <@ o.categories
      and not o.keep ? s.suggestion_key
    returning s.id`.execute(db)
  return rows.length
}

/**
 * Each person's open suggestions resting only on the categories given (those the viewer may see
 * of them, worked out by the caller in the same transaction), most urgent first, at most `limit`.
 */
export async function findOpenWithin(db: Queryable, list: Outlook[], limit: number) {
  const shown = new Map(list.map((o) => [o.personId, [] as OpenSuggestion[]]))
  if (list.length === 0) return shown
  const { rows } = await sql<OpenSuggestion & { person_id: string }>`
    select person_id, id, kind, title, reason, rank, "createdAt" from (
      select s.person_id, s.id, s.kind, s.title, s.reason, s.rank, s.created_at as "createdAt",
        row_number() over (partition by s.person_id order by s.rank, s.suggestion_key) as place
      from suggestions s
      join jsonb_to_recordset(${outlooks(list)}::jsonb) as o(person_id uuid, keep jsonb, categories jsonb)
        on o.person_id = s.person_id
      where s.status = 'open' and s.inputs -> 'categories' <@ o.categories
    ) ranked where place <= ${limit}
    order by person_id, place`.execute(db)
  for (const { person_id, ...suggestion } of rows) shown.get(person_id)?.push(suggestion)
  return shown
}

export interface OpenSuggestion {
  id: string
  kind: string
  title: string
  reason: string
  rank: number
  createdAt: Date
}

/** One suggestion of a person (by CRN) the viewer may see, resting only on categories they may see. */
export function findVisibleSuggestion(db: Queryable, actor: Actor, crn: string, id: string) {
  return db
    .selectFrom('suggestions as s')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .select([
      's.id',
      's.person_id as personId',
      's.kind',
      's.title',
      's.reason',
      's.inputs',
      's.status',
      's.decided_at as decidedAt',
      'access.categories',
      'access.relationship',
    ])
    .where('p.crn', '=', crn)
    .where('p.merged_into', 'is', null)
    .where('s.id', '=', id)
    .where(sql<SqlBool>`s.inputs -> 'categories' <@ to_jsonb(access.categories)`)
    .executeTakeFirst()
}

/** Records a decision on a suggestion that is still open; false if someone decided it first. */
export async function decide(
  db: Queryable,
  d: {
    personId: string
    id: string
    status: 'accepted' | 'dismissed'
    userId: string
    reason: string | null
    at: Date
  },
) {
  const result = await db
    .updateTable('suggestions')
    .set({ status: d.status, decided_at: d.at, decided_by: d.userId, decision_reason: d.reason })
    .where('person_id', '=', d.personId)
    .where('id', '=', d.id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
