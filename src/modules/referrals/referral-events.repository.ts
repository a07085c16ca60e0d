import { sql, type RawBuilder } from 'kysely'
import type { Tx } from '../../platform/database/database.js'
import type { ReferralStatus } from '../../platform/database/schema.js'
import { STATUS_RANK } from './referrals.policy.js'

/**
 * Referrals followed from other systems' events, set-based: a batch of events is a few
 * statements however many referrals it touches, so ingest keeps its pace.
 */

const uuids = (values: string[]) => sql`${values}::uuid[]`
const texts = (values: (string | null)[]) => sql`${values}::text[]`
const times = (values: (Date | null)[]) => sql`${values.map((v) => v?.toISOString() ?? null)}::timestamptz[]`

/** A status's rank as SQL, so the merge below can keep the furthest along. */
function rank(column: RawBuilder<unknown>) {
  const whens = Object.entries(STATUS_RANK).map(([status, n]) => sql`when ${status} then ${sql.lit(n)}`)
  return sql<number>`(case ${column} ${sql.join(whens, sql` `)} end)`
}

/**
 * Locks and returns the person's referrals from `source` that these events may name, by the
 * source's id or by reference.
 */
export async function lockReferrals(
  tx: Tx,
  source: string,
  personIds: string[],
  keys: string[],
): Promise<{ person_id: string; id: string; source_ref: string | null; reference: string }[]> {
  if (personIds.length === 0) return []
  const { rows } = await sql<{ person_id: string; id: string; source_ref: string | null; reference: string }>`
    select person_id, id, source_ref, reference from referrals
    where person_id = any(${uuids(personIds)}) and source_system = ${source}
      and (source_ref = any(${texts(keys)}) or reference = any(${texts(keys)}))
    order by person_id, id
    for update`.execute(tx)
  return rows
}

/** Agencies in Tandem whose name is one of these (any case): the providers events name. */
export async function findAgenciesNamed(tx: Tx, names: string[]) {
  if (names.length === 0) return new Map<string, string>()
  const { rows } = await sql<{ id: string; name: string }>`
    select id, lower(name) as name from agencies where lower(name) = any(${texts(names.map((n) => n.toLowerCase()))})`.execute(
    tx,
  )
  return new Map(rows.map((r) => [r.name, r.id]))
}

export interface UpstreamReferral {
  personId: string
  id: string
  reference: string
  serviceType: string | null
  serviceName: string | null
  pathway: string | null
  providerAgencyId: string | null
  providerName: string | null
  status: ReferralStatus
  sentAt: Date | null
  assignedAt: Date | null
  assignedTo: string | null
  endedAt: Date | null
  concludedAt: Date | null
  endReason: string | null
  sourceRef: string
  sourceUrl: string | null
}

/**
 * Creates or moves on each referral, returning the id of each. An existing one keeps the
 * furthest status, the earliest dates, the latest assignment and whatever it already knew; so
 * applying the same events again, or in another order, ends in the same row. Rows meet on the
 * source's id, so a batch racing this one to create the same referral updates it instead.
 */
export async function upsertReferrals(tx: Tx, source: string, rows: UpstreamReferral[]) {
  if (rows.length === 0) return new Map<string, string>()
  const col = <K extends keyof UpstreamReferral>(key: K) => rows.map((r) => r[key])
  const r = (c: string) => sql.ref(`referrals.${c}`)
  const x = (c: string) => sql.ref(`excluded.${c}`)
  const later = sql`${rank(x('status'))} > ${rank(r('status'))}`
  const { rows: saved } = await sql<{
    person_id: string
    id: string
    source_ref: string
  }>`insert into referrals (person_id, id, reference, service_type, service_name, pathway,
      provider_agency_id, provider_name, status, sent_at, assigned_at, assigned_to_name, ended_at,
      concluded_at, end_reason, source_ref, source_url, source_system)
    select v.*, ${source} from unnest(${uuids(col('personId'))}, ${uuids(col('id'))}, ${texts(col('reference'))},
      ${texts(col('serviceType'))}, ${texts(col('serviceName'))}, ${texts(col('pathway'))},
      ${sql`${col('providerAgencyId')}::uuid[]`}, ${texts(col('providerName'))}, ${texts(col('status'))},
      ${times(col('sentAt'))}, ${times(col('assignedAt'))}, ${texts(col('assignedTo'))}, ${times(col('endedAt'))},
      ${times(col('concludedAt'))}, ${texts(col('endReason'))}, ${texts(col('sourceRef'))},
      ${texts(col('sourceUrl'))}) v
    on conflict (person_id, source_system, source_ref) where source_ref is not null do update set
      status = case when ${later} then excluded.status else referrals.status end,
      end_reason = case when ${rank(x('status'))} >= ${rank(r('status'))}
        then coalesce(excluded.end_reason, referrals.end_reason) else referrals.end_reason end,
      sent_at = least(referrals.sent_at, excluded.sent_at),
      assigned_to_name = case when excluded.assigned_at >= coalesce(referrals.assigned_at, '-infinity')
        then coalesce(excluded.assigned_to_name, referrals.assigned_to_name) else referrals.assigned_to_name end,
      assigned_at = greatest(referrals.assigned_at, excluded.assigned_at),
      ended_at = least(referrals.ended_at, excluded.ended_at),
      concluded_at = least(referrals.concluded_at, excluded.concluded_at),
      -- A referral first known by its id takes its reference when an event gives one.
      reference = case when referrals.reference = referrals.source_ref then excluded.reference
        else referrals.reference end,
      service_type = coalesce(referrals.service_type, excluded.service_type),
      service_name = coalesce(referrals.service_name, excluded.service_name),
      pathway = coalesce(referrals.pathway, excluded.pathway),
      provider_agency_id = coalesce(referrals.provider_agency_id, excluded.provider_agency_id),
      provider_name = coalesce(referrals.provider_name, excluded.provider_name),
      source_url = coalesce(referrals.source_url, excluded.source_url),
      updated_at = now(), version = referrals.version + 1
    returning person_id, id, source_ref`.execute(tx)
  return new Map(saved.map((r) => [`${r.person_id}|${r.source_ref}`, r.id]))
}

export interface UpstreamUpdate {
  personId: string
  referralId: string
  kind: 'status' | 'session_feedback' | 'assessment_feedback'
  status: ReferralStatus
  note: string | null
  at: Date
  agencyId: string | null
  sourceKey: string
}

/** Adds each event to its referral's history once: a redelivered event matches its source key. */
export async function insertUpdates(tx: Tx, source: string, rows: UpstreamUpdate[]) {
  if (rows.length === 0) return
  const col = <K extends keyof UpstreamUpdate>(key: K) => rows.map((r) => r[key])
  await sql`insert into referral_updates (person_id, referral_id, kind, status, note, occurred_at, agency_id,
      source_key, source_system)
    select v.*, ${source} from unnest(${uuids(col('personId'))}, ${uuids(col('referralId'))}, ${texts(col('kind'))},
      ${texts(col('status'))}, ${texts(col('note'))}, ${times(col('at'))}, ${sql`${col('agencyId')}::uuid[]`},
      ${texts(col('sourceKey'))}) v
    on conflict (person_id, referral_id, source_key) where source_key is not null do nothing`.execute(tx)
}
