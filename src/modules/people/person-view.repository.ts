import { sql, type ExpressionBuilder, type SqlBool } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import type { Actor, DataCategory } from '../../platform/access/actor.js'
import { compiledOnce } from '../../platform/database/compiled-once.js'
import type { Queryable } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import { personColumns, toPerson, visiblePeople, type PersonRow } from './people.repository.js'

/**
 * The person page and its sub-pages. Each reads the person through visiblePeople, so the
 * access row decides what comes back, section by section, inside the one query.
 */

/** Whether the access row shares a category. */
const shares = (category: DataCategory) => sql<SqlBool>`${category} = any(access.categories)`

type PeopleScope = ExpressionBuilder<DB & { p: DB['people'] }, 'p'>

/**
 * Whether the actor may see one timeline item: their agency recorded it; the person's lead
 * agency recorded it in a category the access row shares; or another agency recorded it in a
 * category that agency's agreements share with the actor's (see shared_with_user).
 */
function itemVisible(actor: Actor, item: 'te' | 'hidden') {
  const at = sql.ref(item)
  return sql<SqlBool>`(${at}.agency_id = ${actor.agencyId}
    or (${at}.agency_id = p.lead_agency_id and ${at}.category = any(access.categories))
    or (${at}.agency_id <> p.lead_agency_id
        and (${at}.agency_id, ${at}.category) in (
          select shared.agency_id, shared.category from shared_with_user(p.id, ${actor.userId}) shared)))`
}

/** Timeline items the actor may see. */
function visibleTimeline(eb: PeopleScope, actor: Actor) {
  return eb
    .selectFrom('timeline_events as te')
    .innerJoin('agencies as ta', 'ta.id', 'te.agency_id')
    .whereRef('te.person_id', '=', 'p.id')
    .where(itemVisible(actor, 'te'))
}

const TIMELINE_COLUMNS = [
  'te.id',
  'te.occurred_at',
  'te.kind',
  'te.category',
  'te.source_system',
  'te.title',
  'te.summary',
  'te.pathway',
  'ta.name as agency_name',
] as const

function isLead(eb: PeopleScope, actor: Actor) {
  return eb.exists(
    eb
      .selectFrom('allocations as lead')
      .select('lead.id')
      .whereRef('lead.person_id', '=', 'p.id')
      .where('lead.user_id', '=', actor.userId)
      .where('lead.is_lead', '=', true)
      .where('lead.ended_at', 'is', null),
  )
}

function sentences(eb: PeopleScope) {
  return jsonArrayFrom(
    eb
      .selectFrom('sentences as s')
      .select([
        's.description',
        's.sentence_type',
        's.offence',
        's.court',
        's.sentenced_on',
        's.length_days',
        's.expected_release_on',
        's.licence_end_on',
        's.sentence_end_on',
        's.ended_on',
      ])
      .whereRef('s.person_id', '=', 'p.id')
      .where(shares('sentence'))
      .orderBy('s.sentenced_on', 'desc'),
  )
}

function custody(eb: PeopleScope) {
  return jsonArrayFrom(
    eb
      .selectFrom('custody_episodes as c')
      .select(['c.prison_name', 'c.received_on', 'c.released_on', 'c.release_reason'])
      .whereRef('c.person_id', '=', 'p.id')
      .where(shares('sentence'))
      .orderBy('c.received_on', 'desc'),
  )
}

/** Active registrations the actor may see: the flags in the identity bar. */
function flags(eb: PeopleScope) {
  return jsonArrayFrom(
    eb
      .selectFrom('registrations as f')
      .select([
        'f.type_code',
        'f.type_description',
        'f.category',
        'f.level',
        'f.registered_on',
        'f.next_review_on',
      ])
      .whereRef('f.person_id', '=', 'p.id')
      .where('f.deregistered_on', 'is', null)
      .where(sql<SqlBool>`f.category = any(access.categories)`)
      .orderBy('f.registered_on', 'desc'),
  )
}

/**
 * The overview query, the most often run: compiled once (see compiledOnce). Only the user's id
 * and agency decide what it shows them.
 */
const personViewQuery = compiledOnce(
  (db, args: { userId: string; agencyId: string; crn: string; now: Date; timelineLimit: number }) => {
    const { crn, now, timelineLimit } = args
    const actor = { userId: args.userId, agencyId: args.agencyId } as Actor
    return visiblePeople(db, actor)
      .select(personColumns())
      .select((eb) => [
        sentences(eb).as('sentences'),
        custody(eb).as('custody'),
        jsonArrayFrom(
          eb
            .selectFrom('licence_conditions as c')
            .select(['c.description', 'c.starts_on'])
            .whereRef('c.person_id', '=', 'p.id')
            .where('c.ends_on', 'is', null)
            .where(shares('sentence'))
            .orderBy('c.starts_on'),
        ).as('conditions'),
        flags(eb).as('registrations'),
        jsonArrayFrom(
          eb
            .selectFrom('person_needs as n')
            .select(['n.pathway', 'n.level', 'n.description', 'n.assessed_on', 'n.source_system'])
            .whereRef('n.person_id', '=', 'p.id')
            // Needs are assessed by probation: shown with the supervision category.
            .where(shares('supervision')),
        ).as('needs'),
        jsonArrayFrom(
          eb
            .selectFrom('allocations as al')
            .innerJoin('users as u', 'u.id', 'al.user_id')
            .innerJoin('agencies as wa', 'wa.id', 'al.agency_id')
            .select([
              'al.role',
              'al.is_lead',
              'al.started_at',
              'u.display_name',
              'u.email',
              'u.phone',
              'wa.name as agency_name',
            ])
            .whereRef('al.person_id', '=', 'p.id')
            .where('al.ended_at', 'is', null)
            .orderBy('al.is_lead', 'desc')
            .orderBy('al.started_at'),
        ).as('workers'),
        jsonArrayFrom(
          eb
            .selectFrom('appointments as ap')
            .leftJoin('users as au', 'au.id', 'ap.staff_user_id')
            .select(['ap.starts_at', 'ap.kind', 'ap.location', 'au.display_name'])
            .whereRef('ap.person_id', '=', 'p.id')
            .where('ap.starts_at', '>=', now)
            .where(shares('supervision'))
            .orderBy('ap.starts_at')
            .limit(3),
        ).as('appointments'),
        jsonObjectFrom(
          eb
            .selectFrom('person_addresses as ad')
            .select(['ad.kind', 'ad.town', 'ad.starts_on'])
            .whereRef('ad.person_id', '=', 'p.id')
            .where('ad.ends_on', 'is', null)
            .where(shares('accommodation'))
            .orderBy('ad.starts_on', 'desc')
            .limit(1),
        ).as('address'),
        jsonArrayFrom(
          visibleTimeline(eb, actor)
            .select(TIMELINE_COLUMNS)
            .orderBy('te.occurred_at', 'desc')
            .orderBy('te.id', 'desc')
            .limit(timelineLimit),
        ).as('timeline'),
        isLead(eb, actor).as('is_lead'),
        eb
          .selectFrom('timeline_events as hidden')
          .select((c) => c.fn.countAll<number>().as('n'))
          .whereRef('hidden.person_id', '=', 'p.id')
          .where(sql<SqlBool>`not ${itemVisible(actor, 'hidden')}`)
          .as('withheld'),
      ])
      .where('p.crn', '=', crn)
  },
)

/** The overview: the person, their sentence and licence, risk, needs, workers and latest events. */
export async function findPersonView(
  db: Queryable,
  actor: Actor,
  crn: string,
  now: Date,
  timelineLimit: number,
) {
  const { userId, agencyId } = actor
  const [row] = (await personViewQuery(db, { userId, agencyId, crn, now, timelineLimit })).rows
  if (!row) return null
  return {
    person: toPerson(row as PersonRow),
    sentences: row.sentences,
    custody: row.custody,
    conditions: row.conditions,
    registrations: row.registrations,
    needs: row.needs,
    workers: row.workers,
    appointments: row.appointments,
    address: row.address,
    timeline: row.timeline,
    isLead: row.is_lead,
    withheld: Number(row.withheld ?? 0),
  }
}

/** Personal details: identity always; addresses with accommodation; custody with sentence. */
export async function findPersonDetails(db: Queryable, actor: Actor, crn: string) {
  const row = await visiblePeople(db, actor)
    .select(personColumns())
    .select((eb) => [
      flags(eb).as('registrations'),
      'p.middle_names',
      'p.ethnicity',
      'p.nationality',
      'p.preferred_language',
      'p.interpreter_needed',
      'p.accessibility_needs',
      'p.communication_needs',
      'p.phone',
      'p.email',
      jsonArrayFrom(
        eb
          .selectFrom('person_aliases as al')
          .select(['al.first_name', 'al.last_name', 'al.date_of_birth'])
          .whereRef('al.person_id', '=', 'p.id')
          .orderBy('al.created_at'),
      ).as('aliases'),
      jsonArrayFrom(
        eb
          .selectFrom('person_identifiers as i')
          .leftJoin('source_records as sr', 'sr.id', 'i.source_record_id')
          .select(['i.type', 'i.value', 'sr.source_system'])
          .whereRef('i.person_id', '=', 'p.id')
          .orderBy('i.type')
          .orderBy('i.value'),
      ).as('identifiers'),
      jsonArrayFrom(
        eb
          .selectFrom('person_addresses as ad')
          .leftJoin('source_records as sr', 'sr.id', 'ad.source_record_id')
          .select([
            'ad.kind',
            'ad.line1',
            'ad.town',
            'ad.postcode',
            'ad.starts_on',
            'ad.ends_on',
            'sr.source_system',
          ])
          .whereRef('ad.person_id', '=', 'p.id')
          .where(shares('accommodation'))
          .orderBy('ad.starts_on', 'desc'),
      ).as('addresses'),
    ])
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  return row ? { ...row, person: toPerson(row as PersonRow) } : null
}

export interface TimelineFilter {
  agencyId?: string | undefined
  kind?: string | undefined
  pathway?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  /** Keyset cursor: items strictly older than this (occurred_at, id). */
  before?: { at: Date; id: number } | undefined
  limit: number
}

/**
 * One page of the timeline, newest first, with the filters applied inside the database and
 * the choices for the filters drawn from what the actor may see.
 */
export async function findTimelinePage(db: Queryable, actor: Actor, crn: string, filter: TimelineFilter) {
  const row = await visiblePeople(db, actor)
    .select(personColumns())
    .select((eb) => {
      let items = visibleTimeline(eb, actor).select(TIMELINE_COLUMNS)
      if (filter.agencyId) items = items.where('te.agency_id', '=', filter.agencyId)
      if (filter.kind) items = items.where('te.kind', 'like', `${filter.kind}%`)
      if (filter.pathway) items = items.where('te.pathway', '=', filter.pathway)
      if (filter.from) items = items.where('te.occurred_at', '>=', filter.from)
      if (filter.to) items = items.where('te.occurred_at', '<', filter.to)
      if (filter.before) {
        const { at, id } = filter.before
        items = items.where((w) =>
          w.or([w('te.occurred_at', '<', at), w.and([w('te.occurred_at', '=', at), w('te.id', '<', id)])]),
        )
      }
      return [
        flags(eb).as('registrations'),
        jsonArrayFrom(
          items
            .orderBy('te.occurred_at', 'desc')
            .orderBy('te.id', 'desc')
            .limit(filter.limit + 1),
        ).as('items'),
        jsonArrayFrom(
          visibleTimeline(eb, actor).select(['ta.id', 'ta.name']).distinct().orderBy('ta.name'),
        ).as('agencies'),
        jsonArrayFrom(
          visibleTimeline(eb, actor)
            .select(sql<string>`split_part(te.kind, '.', 1)`.as('kind'))
            .distinct()
            .orderBy('kind'),
        ).as('kinds'),
        isLead(eb, actor).as('is_lead'),
      ]
    })
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  if (!row) return null
  const more = row.items.length > filter.limit
  return {
    person: toPerson(row as PersonRow),
    registrations: row.registrations,
    items: row.items.slice(0, filter.limit),
    more,
    agencies: row.agencies,
    kinds: row.kinds.map((k) => k.kind),
  }
}

/** What the journey is drawn from: sentences, custody, and the key events on the way. */
export async function findJourneyFacts(db: Queryable, actor: Actor, crn: string) {
  const row = await visiblePeople(db, actor)
    .select(personColumns())
    .select((eb) => [
      flags(eb).as('registrations'),
      sentences(eb).as('sentences'),
      custody(eb).as('custody'),
      jsonArrayFrom(
        visibleTimeline(eb, actor)
          .select(TIMELINE_COLUMNS)
          .where('te.kind', 'in', [
            'court.sentenced',
            'custody.received',
            'custody.released',
            'licence.activated',
            'order.ended',
            'recall.recommended',
            'registration.added',
          ])
          .orderBy('te.occurred_at'),
      ).as('milestones'),
    ])
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  return row
    ? {
        person: toPerson(row as PersonRow),
        registrations: row.registrations,
        sentences: row.sentences,
        custody: row.custody,
        milestones: row.milestones,
      }
    : null
}

/** The identity bar of a person the actor may see: what every page about the person shows. */
export async function findPersonHeader(db: Queryable, actor: Actor, crn: string) {
  const row = await visiblePeople(db, actor)
    .select(personColumns())
    .select((eb) => [flags(eb).as('registrations')])
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  return row ? { person: toPerson(row as PersonRow), registrations: row.registrations } : null
}

/** When a CRN belongs to a merged record, the CRN of the person it was merged into. */
export async function findMergedInto(db: Queryable, crn: string) {
  const row = await db
    .selectFrom('people as p')
    .innerJoin('people as survivor', 'survivor.id', 'p.merged_into')
    .select('survivor.crn')
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  return row?.crn ?? null
}
