import type { Db } from '../../src/platform/database/database.js'
import type { ReferralStatus } from '../../src/platform/database/schema.js'

/** Builders for referrals: each makes a real row with sensible defaults and returns its id. */

let counter = 0

export async function makeReferral(
  db: Db,
  personId: string,
  props: {
    providerAgencyId: string | null
    serviceType?: string | null
    pathway?: string | null
    status?: ReferralStatus
    reference?: string
    referredBy?: string | null
  },
) {
  const n = ++counter
  const row = await db
    .insertInto('referrals')
    .values({
      person_id: personId,
      reference: props.reference ?? `TF${String(1000 + n).slice(-4)}HO`,
      service_type: props.serviceType === undefined ? 'housing' : props.serviceType,
      service_name: null,
      pathway: props.pathway === undefined ? 'accommodation' : props.pathway,
      provider_agency_id: props.providerAgencyId,
      provider_name: null,
      status: props.status ?? 'sent',
      reason: 'Needs somewhere to live',
      notes: null,
      sent_at: props.status === 'draft' ? null : new Date('2026-11-01T10:00:00Z'),
      assigned_at: null,
      ended_at: null,
      concluded_at: null,
      end_reason: null,
      source_ref: null,
      source_url: null,
      referred_by: props.referredBy ?? null,
      referred_by_name: null,
      assigned_user_id: null,
      assigned_to_name: null,
      created_at: new Date('2026-11-01T10:00:00Z'),
      updated_at: new Date('2026-11-01T10:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** A person's referrals as stored, for asserting what a change did. */
export function referralsOf(db: Db, personId: string) {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute()
}

export function updatesOf(db: Db, personId: string, referralId: string) {
  return db
    .selectFrom('referral_updates')
    .selectAll()
    .where('person_id', '=', personId)
    .where('referral_id', '=', referralId)
    .orderBy('occurred_at')
    .orderBy('created_at')
    .execute()
}
