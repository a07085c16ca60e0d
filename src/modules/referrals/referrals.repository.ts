import { sql, type SqlBool } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import type { ReferralStatus } from '../../platform/database/schema.js'
import { PATHWAY_CATEGORY, PATHWAYS, PROVIDER_KINDS } from './referrals.policy.js'

/**
 * Referrals and their history. Every read joins person_access, and which referrals an actor
 * sees is decided here: the lead agency sees all of the person's referrals; any other agency
 * only those sent to it (never a draft), and only while it may see the person at all.
 */

/** The data category of a referral's pathway, as SQL (supervision when it has none). */
export function categoryOf(column: string) {
  const whens = PATHWAYS.map((p) => sql`when ${p} then ${PATHWAY_CATEGORY[p]}`)
  return sql<string>`coalesce((case ${sql.ref(column)} ${sql.join(whens, sql` `)} end), 'supervision')`
}

const leadAgency = (actor: Actor) => sql<SqlBool>`p.lead_agency_id = ${actor.agencyId}::uuid`

/** The referral (r) is visible to the actor (p is the person, already joined to person_access). */
export const referralVisible = (actor: Actor) =>
  sql<SqlBool>`(${leadAgency(actor)} or (r.provider_agency_id = ${actor.agencyId}::uuid and r.status <> 'draft'))`

/** The person, if visible, with what the referral pages need to know about the actor's access. */
export async function findReferralPerson(db: Queryable, actor: Actor, crn: string) {
  return (
    (await db
      .selectFrom('people as p')
      .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
      .select([
        'p.id',
        'p.crn',
        'p.lead_agency_id',
        'p.region_id',
        'access.relationship',
        'access.categories',
        leadAgency(actor).as('is_lead_agency'),
      ])
      .where('p.merged_into', 'is', null)
      .where('p.crn', '=', crn)
      .executeTakeFirst()) ?? null
  )
}

/** The person's referrals the actor may see, newest first, or one of them. */
export function findReferrals(db: Queryable, actor: Actor, personId: string, referralId?: string) {
  let query = db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('referrals as r', 'r.person_id', 'p.id')
    .leftJoin('agencies as ag', 'ag.id', 'r.provider_agency_id')
    .leftJoin('users as u', 'u.id', 'r.referred_by')
    .leftJoin('users as au', 'au.id', 'r.assigned_user_id')
    .where('p.id', '=', personId)
    .where(referralVisible(actor))
    .select([
      'r.id',
      'r.reference',
      'r.service_type',
      'r.service_name',
      'r.pathway',
      'r.provider_agency_id',
      sql<string | null>`coalesce(ag.name, r.provider_name)`.as('provider'),
      'r.status',
      'r.reason',
      'r.notes',
      'r.sent_at',
      'r.assigned_at',
      'r.ended_at',
      'r.concluded_at',
      'r.end_reason',
      'r.source_system',
      'r.source_url',
      sql<string | null>`coalesce(u.display_name, r.referred_by_name)`.as('referred_by'),
      sql<string | null>`coalesce(au.display_name, r.assigned_to_name)`.as('assigned_to'),
      'r.created_at',
      'r.updated_at',
      'r.version',
      'p.lead_agency_id',
      categoryOf('r.pathway').as('category'),
    ])
    .orderBy(sql`coalesce(r.sent_at, r.created_at)`, 'desc')
    .orderBy('r.id')
  if (referralId) query = query.where('r.id', '=', referralId)
  return query.execute()
}
export type ReferralRow = Awaited<ReturnType<typeof findReferrals>>[number]

/** The history of these referrals, oldest first (the caller has checked they are visible). */
export function findUpdates(db: Queryable, personId: string, referralIds: string[]) {
  if (referralIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('referral_updates as ru')
    .leftJoin('users as u', 'u.id', 'ru.author_user_id')
    .leftJoin('agencies as ag', 'ag.id', 'ru.agency_id')
    .select([
      'ru.id',
      'ru.referral_id',
      'ru.kind',
      'ru.status',
      'ru.note',
      'ru.occurred_at',
      sql<string | null>`coalesce(u.display_name, ru.author_name)`.as('author'),
      'ag.name as agency',
      'ru.source_system',
    ])
    .where('ru.person_id', '=', personId)
    .where('ru.referral_id', 'in', referralIds)
    .orderBy('ru.occurred_at')
    .orderBy('ru.created_at')
    .execute()
}

/** Agencies a person may be referred to: service providers in their region, or national ones. */
export function findProviders(db: Queryable, regionId: string | null) {
  return db
    .selectFrom('agencies')
    .select(['id', 'name', 'kind'])
    .where('kind', 'in', PROVIDER_KINDS)
    .where((eb) =>
      regionId
        ? eb.or([eb('region_id', 'is', null), eb('region_id', '=', regionId)])
        : eb('region_id', 'is', null),
    )
    .orderBy('name')
    .execute()
}

/** Other open referrals of the person for this service, to other providers: possible duplicates. */
export function findOpenOfService(
  db: Queryable,
  r: { personId: string; referralId: string; serviceType: string; providerAgencyId: string | null },
) {
  return db
    .selectFrom('referrals as r')
    .leftJoin('agencies as ag', 'ag.id', 'r.provider_agency_id')
    .select(['r.id', sql<string | null>`coalesce(ag.name, r.provider_name)`.as('provider')])
    .where('r.person_id', '=', r.personId)
    .where('r.id', '<>', r.referralId)
    .where('r.service_type', '=', r.serviceType)
    .where('r.status', 'in', ['sent', 'assigned', 'in_progress'])
    .where(sql<SqlBool>`r.provider_agency_id is distinct from ${r.providerAgencyId}::uuid`)
    .execute()
}

export async function insertReferral(
  db: Queryable,
  r: {
    personId: string
    reference: string
    serviceType: string
    pathway: string
    providerAgencyId: string
    status: ReferralStatus
    reason: string
    notes: string | null
    userId: string
    at: Date
  },
) {
  const row = await db
    .insertInto('referrals')
    .values({
      person_id: r.personId,
      reference: r.reference,
      service_type: r.serviceType,
      service_name: null,
      pathway: r.pathway,
      provider_agency_id: r.providerAgencyId,
      provider_name: null,
      status: r.status,
      reason: r.reason,
      notes: r.notes,
      sent_at: r.status === 'sent' ? r.at : null,
      assigned_at: null,
      ended_at: null,
      concluded_at: null,
      end_reason: null,
      source_ref: null,
      source_url: null,
      referred_by: r.userId,
      referred_by_name: null,
      assigned_user_id: null,
      assigned_to_name: null,
      created_at: r.at,
      updated_at: r.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Moves a referral on from `version`. Matches no row (returns false) when someone else saved
 * first, or when the actor's agency neither leads the case nor provides the service: checked
 * here too, so no caller can skip it.
 */
export async function updateStatus(
  db: Queryable,
  actor: Actor,
  u: {
    personId: string
    referralId: string
    version: number
    status: ReferralStatus
    endReason: string | null
    assignedTo: string | null
    at: Date
  },
) {
  const at = u.at
  const result = await db
    .updateTable('referrals as r')
    .set((eb) => ({
      status: u.status,
      sent_at: u.status === 'sent' ? at : eb.ref('r.sent_at'),
      assigned_at: u.status === 'assigned' ? at : eb.ref('r.assigned_at'),
      assigned_to_name: u.status === 'assigned' ? u.assignedTo : eb.ref('r.assigned_to_name'),
      ended_at: u.status === 'ended' || u.status === 'cancelled' ? at : eb.ref('r.ended_at'),
      concluded_at: u.status === 'concluded' || u.status === 'cancelled' ? at : eb.ref('r.concluded_at'),
      end_reason: u.endReason ?? eb.ref('r.end_reason'),
      updated_at: at,
      version: sql`r.version + 1`,
    }))
    .where('r.person_id', '=', u.personId)
    .where('r.id', '=', u.referralId)
    .where('r.version', '=', u.version)
    .where(
      sql<SqlBool>`(r.provider_agency_id = ${actor.agencyId}::uuid or exists (
        select 1 from people p where p.id = r.person_id and p.lead_agency_id = ${actor.agencyId}::uuid))`,
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertUpdate(
  db: Queryable,
  u: {
    personId: string
    referralId: string
    kind: 'status' | 'progress'
    status: ReferralStatus | null
    note: string | null
    userId: string
    agencyId: string
    at: Date
  },
) {
  await db
    .insertInto('referral_updates')
    .values({
      person_id: u.personId,
      referral_id: u.referralId,
      kind: u.kind,
      status: u.status,
      note: u.note,
      occurred_at: u.at,
      author_user_id: u.userId,
      author_name: null,
      agency_id: u.agencyId,
      source_key: null,
      created_at: u.at,
    })
    .execute()
}
