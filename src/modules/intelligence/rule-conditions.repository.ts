import { sql, type RawBuilder } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'
import type { ConditionKind, Hold, Parameters } from './rule-conditions.js'

/** When a condition is judged: the instant and the London calendar day it falls on. */
export interface At {
  now: Date
  today: string
}

type Row = { person_id: string; condition_key: string; evidence: Hold['evidence'] }

/** Some people (those the events just handled are about) or, as null, everyone. */
export type People = readonly string[] | null

/**
 * The people for whom a condition holds: those some events are about, or everyone (the periodic
 * sweep and the rule editor's preview). Each kind is one set-based query, so the sweep costs
 * one query per rule however many people there are, and so does a worker's batch of events.
 */
export async function findHolds(
  db: Queryable,
  rule: { code: string; kind: ConditionKind; parameters: Record<string, unknown> },
  people: People,
  at: At,
): Promise<Hold[]> {
  const query = conditionQuery(rule.code, rule.kind, rule.parameters, people, at)
  const { rows } = await query.execute(db)
  return rows.map((r) => ({ personId: r.person_id, conditionKey: r.condition_key, evidence: r.evidence }))
}

/**
 * What bringing a rule's flags in line with its condition would change: the holds that have no
 * open flag (to raise) and the open flags whose condition no longer holds (to resolve). Compared
 * in the database: a sweep over everyone finds tens of thousands of conditions already flagged
 * (54,000 people with overdue actions in the national seed), and only the few changes come back.
 */
export async function findChanges(
  db: Queryable,
  rule: { code: string; kind: ConditionKind; parameters: Record<string, unknown> },
  people: People,
  at: At,
): Promise<{ raise: Hold[]; clear: string[] }> {
  const holds = conditionQuery(rule.code, rule.kind, rule.parameters, people, at)
  const { rows } = await sql<Row & { open_flag_id: string | null }>`
    with holds as materialized (${holds}),
    open as materialized (select f.id, f.person_id, f.condition_key from flags f
      where f.rule_code = ${rule.code} and f.status in ('raised', 'acknowledged')
        and ${people ? sql`f.person_id = any(${people}::uuid[])` : sql`true`})
    select h.person_id, h.condition_key, h.evidence, null::uuid as open_flag_id from holds h
    where not exists (select 1 from open o where o.person_id = h.person_id and o.condition_key = h.condition_key)
    union all
    select o.person_id, o.condition_key, null, o.id from open o
    where not exists (select 1 from holds h where h.person_id = o.person_id and h.condition_key = o.condition_key)`.execute(
    db,
  )
  const changes: Awaited<ReturnType<typeof findChanges>> = { raise: [], clear: [] }
  for (const r of rows) {
    if (r.open_flag_id) changes.clear.push(r.open_flag_id)
    else changes.raise.push({ personId: r.person_id, conditionKey: r.condition_key, evidence: r.evidence })
  }
  return changes
}

function conditionQuery(
  code: string,
  kind: ConditionKind,
  parameters: Record<string, unknown>,
  people: People,
  { now, today }: At,
): RawBuilder<Row> {
  const only = (column: string) => (people ? sql`${sql.ref(column)} = any(${people}::uuid[])` : sql`true`)
  const day = sql`${today}::date`
  switch (kind) {
    case 'absences_in_window': {
      const p = parameters as Parameters<'absences_in_window'>
      return sql<Row>`select a.person_id, ${code} as condition_key,
          jsonb_build_object('count', count(*)::int, 'days', ${p.days}::int,
            'appointmentIds', jsonb_agg(a.id order by a.starts_at),
            'dates', jsonb_agg(a.starts_at order by a.starts_at),
            'fingerprint', string_agg(a.id::text, ',' order by a.starts_at)) as evidence
        from appointments a join people p on p.id = a.person_id and p.merged_into is null
        where ${only('a.person_id')} and a.outcome = 'unacceptable_absence'
          and a.starts_at > ${now}::timestamptz - make_interval(days => ${p.days}::int)
          and a.starts_at <= ${now}::timestamptz
        group by a.person_id having count(*) >= ${p.count}::int`
    }
    case 'release_without_accommodation': {
      const p = parameters as Parameters<'release_without_accommodation'>
      return sql<Row>`select distinct on (s.person_id) s.person_id, ${code} || ':' || s.id as condition_key,
          jsonb_build_object('sentenceId', s.id, 'releaseDate', s.expected_release_on,
            'daysToRelease', s.expected_release_on - ${day}, 'days', ${p.days}::int,
            'fingerprint', s.id || ':' || s.expected_release_on) as evidence
        from sentences s join people p on p.id = s.person_id and p.merged_into is null
        where ${only('s.person_id')} and p.custody_status = 'in_custody' and s.ended_on is null
          and s.expected_release_on between ${day} and ${day} + ${p.days}::int
          and not exists (select 1 from person_addresses pa where pa.person_id = s.person_id
            and pa.kind in ('main', 'secondary', 'approved_premises', 'temporary')
            and pa.starts_on <= s.expected_release_on
            and (pa.ends_on is null or pa.ends_on >= s.expected_release_on))
        order by s.person_id, s.expected_release_on`
    }
    case 'released_homeless': {
      const p = parameters as Parameters<'released_homeless'>
      return sql<Row>`select e.person_id, ${code} || ':' || e.id as condition_key,
          jsonb_build_object('custodyEpisodeId', e.id, 'releasedOn', e.released_on, 'days', ${p.days}::int,
            'addressId', pa.id, 'fingerprint', e.id || ':' || pa.id) as evidence
        from (select distinct on (ce.person_id) ce.* from custody_episodes ce
              where ${only('ce.person_id')} and ce.released_on is not null
              order by ce.person_id, ce.released_on desc) e
        join people p on p.id = e.person_id and p.merged_into is null and p.custody_status <> 'in_custody'
        join lateral (select a.id from person_addresses a where a.person_id = e.person_id
            and a.kind = 'no_fixed_abode' and a.starts_on <= ${day} and (a.ends_on is null or a.ends_on >= ${day})
            order by a.starts_on desc limit 1) pa on true
        where e.released_on between ${day} - ${p.days}::int and ${day}`
    }
    case 'no_contact': {
      const p = parameters as Parameters<'no_contact'>
      return sql<Row>`select p.id as person_id, ${code} as condition_key,
          jsonb_build_object('lastContactId', lc.id, 'lastContact', lc.occurred_at, 'rosh', p.rosh_level,
            'days', ${p.days}::int,
            'daysSince', ${day} - (coalesce(lc.occurred_at, p.created_at) at time zone 'Europe/London')::date,
            'fingerprint', coalesce(lc.id::text, 'none')) as evidence
        from people p
        left join lateral (select c.id, c.occurred_at from contacts c where c.person_id = p.id
            and not c.superseded order by c.occurred_at desc limit 1) lc on true
        where ${only('p.id')} and p.merged_into is null
          and p.rosh_level = any(${p.roshLevels}::text[])
          and p.custody_status in ('community', 'released_on_licence')
          and coalesce(lc.occurred_at, p.created_at) <= ${now}::timestamptz - make_interval(days => ${p.days}::int)`
    }
    case 'registration_added': {
      const p = parameters as Parameters<'registration_added'>
      return sql<Row>`select r.person_id, ${code} || ':' || r.id as condition_key,
          jsonb_build_object('registrationId', r.id, 'typeCode', r.type_code, 'registration', r.type_description,
            'registeredOn', r.registered_on, 'days', ${p.days}::int, 'fingerprint', r.id::text) as evidence
        from registrations r join people p on p.id = r.person_id and p.merged_into is null
        where ${only('r.person_id')} and r.type_code = any(${p.typeCodes}::text[]) and r.deregistered_on is null
          and r.registered_on between ${day} - ${p.days}::int and ${day}`
    }
    case 'mappa_raised': {
      const p = parameters as Parameters<'mappa_raised'>
      const level = (alias: string) =>
        sql`nullif(regexp_replace(coalesce(${sql.ref(`${alias}.level`)}, ''), '[^0-9]', '', 'g'), '')::int`
      return sql<Row>`select r.person_id, ${code} || ':' || r.id as condition_key,
          jsonb_build_object('registrationId', r.id, 'registeredOn', r.registered_on,
            'toLevel', ${level('r')}, 'fromLevel', coalesce(prev.level, 0), 'previousRegistrationId', prev.id,
            'fingerprint', r.id || ':' || coalesce(r.level, '')) as evidence
        from (select distinct on (m.person_id) m.* from registrations m
              where ${only('m.person_id')} and m.type_code = 'MAPP' and m.deregistered_on is null
              order by m.person_id, m.registered_on desc, m.created_at desc) r
        join people p on p.id = r.person_id and p.merged_into is null
        left join lateral (select o.id, ${level('o')} as level from registrations o
            where o.person_id = r.person_id and o.type_code = 'MAPP' and o.id <> r.id
              and (o.registered_on, o.created_at) <= (r.registered_on, r.created_at)
            order by o.registered_on desc, o.created_at desc limit 1) prev on true
        where r.registered_on between ${day} - ${p.days}::int and ${day}
          and ${level('r')} >= ${p.minimumLevel}::int and ${level('r')} > coalesce(prev.level, 0)`
    }
    case 'licence_end_approaching': {
      const p = parameters as Parameters<'licence_end_approaching'>
      return sql<Row>`select distinct on (s.person_id) s.person_id, ${code} || ':' || s.id as condition_key,
          jsonb_build_object('sentenceId', s.id, 'licenceEnd', s.licence_end_on,
            'daysLeft', s.licence_end_on - ${day}, 'days', ${p.days}::int,
            'fingerprint', s.id || ':' || s.licence_end_on) as evidence
        from sentences s join people p on p.id = s.person_id and p.merged_into is null
        where ${only('s.person_id')} and s.ended_on is null and p.custody_status = 'released_on_licence'
          and s.licence_end_on between ${day} and ${day} + ${p.days}::int
        order by s.person_id, s.licence_end_on`
    }
    case 'overdue_plan_actions': {
      const p = parameters as Parameters<'overdue_plan_actions'>
      return sql<Row>`select a.person_id, ${code} as condition_key,
          jsonb_build_object('count', count(*)::int, 'oldestDue', min(a.due_on),
            'actionIds', jsonb_agg(a.id order by a.due_on),
            'fingerprint', string_agg(a.id::text, ',' order by a.id)) as evidence
        from plan_actions a join people p on p.id = a.person_id and p.merged_into is null
        where ${only('a.person_id')} and a.status in ('not_started', 'in_progress') and a.due_on < ${day}
        group by a.person_id having count(*) >= ${p.minimum}::int`
    }
    case 'duplicate_services':
      return sql<Row>`select d.person_id, ${code} || ':' || d.id as condition_key,
          jsonb_build_object('duplicateServiceId', d.id, 'service', d.service_type,
            'detectedOn', (d.detected_at at time zone 'Europe/London')::date,
            'actionIds', jsonb_build_array(d.first_action_id, d.second_action_id),
            'fingerprint', d.id::text) as evidence
        from duplicate_services d join people p on p.id = d.person_id and p.merged_into is null
        where ${only('d.person_id')} and d.status = 'open'`
    case 'recalled': {
      const p = parameters as Parameters<'recalled'>
      return sql<Row>`select t.person_id, ${code} || ':' || t.id as condition_key,
          jsonb_build_object('timelineEventId', t.id, 'recall', t.title,
            'recallDate', (t.occurred_at at time zone 'Europe/London')::date, 'days', ${p.days}::int,
            'fingerprint', t.id::text) as evidence
        from (select distinct on (e.person_id) e.* from timeline_events e
              where ${only('e.person_id')}
                and e.kind in ('recall.considered', 'recall.management-oversight', 'recall.recommendation-deleted')
                and e.occurred_at > ${now}::timestamptz - make_interval(days => ${p.days}::int)
                and e.occurred_at <= ${now}::timestamptz
              order by e.person_id, e.occurred_at desc, e.id desc) t
        join people p on p.id = t.person_id and p.merged_into is null
        where t.kind <> 'recall.recommendation-deleted'`
    }
  }
}
