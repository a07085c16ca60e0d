import { randomUUID } from 'node:crypto'
import type { Role } from '../../src/platform/access/actor.js'
import { hashPassword } from '../../src/platform/auth/passwords.js'
import { newToken } from '../../src/platform/auth/tokens.js'
import type { Db } from '../../src/platform/database/database.js'

/** Test data builders: each makes one real row with sensible defaults and returns its id. */

let counter = 0
const next = () => ++counter
const today = () => new Date().toISOString().slice(0, 10)

export async function makeAgency(db: Db, props: { kind?: string; name?: string } = {}) {
  const n = next()
  const row = await db
    .insertInto('agencies')
    .values({
      code: `AG${n}`,
      name: props.name ?? `Agency ${n}`,
      kind: props.kind ?? 'probation',
      region_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeTeam(db: Db, agencyId: string, name?: string) {
  const n = next()
  const row = await db
    .insertInto('teams')
    .values({ code: `T${n}`, name: name ?? `Team ${n}`, agency_id: agencyId, region_id: null, pdu_id: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeUser(
  db: Db,
  props: {
    agencyId: string
    roles: Role[]
    teamIds?: string[]
    email?: string
    password?: string
    name?: string
  },
) {
  const n = next()
  const row = await db
    .insertInto('users')
    .values({
      agency_id: props.agencyId,
      email: props.email ?? `user${n}@test.example`,
      display_name: props.name ?? `User ${n}`,
      password_hash: props.password ? await hashPassword(props.password) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (props.roles.length)
    await db
      .insertInto('user_roles')
      .values(props.roles.map((role) => ({ user_id: row.id, role })))
      .execute()
  for (const teamId of props.teamIds ?? [])
    await db.insertInto('team_members').values({ team_id: teamId, user_id: row.id }).execute()
  return row.id
}

export async function makeCohort(db: Db, name?: string) {
  const n = next()
  const row = await db
    .insertInto('cohorts')
    .values({ code: `C${n}`, name: name ?? `Cohort ${n}`, criteria: '{}', region_id: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makePerson(
  db: Db,
  props: {
    leadAgencyId: string
    leadTeamId?: string | null
    firstName?: string
    lastName?: string
    crn?: string
    dateOfBirth?: string
    roshLevel?: string
    nomsNumber?: string | null
  },
) {
  const n = next()
  const row = await db
    .insertInto('people')
    .values({
      crn: props.crn ?? `X${String(100000 + n).slice(-6)}`,
      noms_number: props.nomsNumber ?? null,
      first_name: props.firstName ?? 'Sam',
      last_name: props.lastName ?? `Taylor${n}`,
      date_of_birth: props.dateOfBirth ?? '1990-03-21',
      gender: 'male',
      lead_agency_id: props.leadAgencyId,
      lead_team_id: props.leadTeamId ?? null,
      rosh_level: props.roshLevel ?? 'medium',
      region_id: null,
      pdu_id: null,
      pnc_number: null,
      cro_number: null,
      middle_names: null,
      ethnicity: null,
      nationality: null,
      preferred_language: null,
      phone: null,
      email: null,
      prison_code: null,
      mappa_category: null,
      mappa_level: null,
      tier: 'B2',
    })
    .returning(['id', 'crn', 'noms_number'])
    .executeTakeFirstOrThrow()
  // Search looks identifiers up here, as the seed and the records API record them.
  await db
    .insertInto('person_identifiers')
    .values([
      { type: 'crn' as const, value: row.crn, person_id: row.id, source_record_id: null },
      ...(row.noms_number
        ? [{ type: 'noms' as const, value: row.noms_number, person_id: row.id, source_record_id: null }]
        : []),
    ])
    .execute()
  return { id: row.id, crn: row.crn }
}

export async function allocate(
  db: Db,
  personId: string,
  userId: string,
  props: { agencyId: string; isLead?: boolean; role?: string },
) {
  await db
    .insertInto('allocations')
    .values({
      person_id: personId,
      user_id: userId,
      agency_id: props.agencyId,
      team_id: null,
      role: props.role ?? 'probation_practitioner',
      is_lead: props.isLead ?? false,
      handover_note: null,
    })
    .execute()
}

export async function joinCohort(
  db: Db,
  personId: string,
  cohortId: string,
  props: { endedOn?: string } = {},
) {
  await db
    .insertInto('cohort_memberships')
    .values({
      person_id: personId,
      cohort_id: cohortId,
      started_on: '2025-01-01',
      ended_on: props.endedOn ?? null,
      review_on: null,
    })
    .execute()
}

export async function makeAgreement(
  db: Db,
  props: {
    agencyIds: string[]
    cohortIds: string[]
    categories: string[]
    startsOn?: string
    endsOn?: string | null
    status?: 'active' | 'suspended'
  },
) {
  const n = next()
  const row = await db
    .insertInto('sharing_agreements')
    .values({
      reference: `ISA-${n}`,
      title: `Agreement ${n}`,
      purpose: 'Testing',
      lawful_basis: 'DPA 2018 Part 3',
      starts_on: props.startsOn ?? '2025-01-01',
      ends_on: props.endsOn ?? null,
      status: props.status ?? 'active',
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('sharing_agreement_agencies')
    .values(props.agencyIds.map((agency_id) => ({ agreement_id: row.id, agency_id })))
    .execute()
  await db
    .insertInto('sharing_agreement_cohorts')
    .values(props.cohortIds.map((cohort_id) => ({ agreement_id: row.id, cohort_id })))
    .execute()
  await db
    .insertInto('sharing_agreement_categories')
    .values(props.categories.map((category) => ({ agreement_id: row.id, category })))
    .execute()
  return row.id
}

export async function restrict(db: Db, personId: string, userId: string, kind: 'allow' | 'deny') {
  await db
    .insertInto('case_restrictions')
    .values({ person_id: personId, user_id: userId, kind, reason: 'test', created_by: null })
    .execute()
}

export async function addTimelineEvent(
  db: Db,
  personId: string,
  props: { category: string; agencyId: string; title?: string; occurredAt?: string },
) {
  await db
    .insertInto('timeline_events')
    .values({
      person_id: personId,
      occurred_at: props.occurredAt ?? new Date().toISOString(),
      kind: 'test.event',
      category: props.category,
      agency_id: props.agencyId,
      source_system: 'Test',
      title: props.title ?? `A ${props.category} event`,
      summary: null,
      pathway: null,
    })
    .execute()
}

/** A session for a user without going through the sign-in form (no password hashing). */
export async function sessionCookie(db: Db, userId: string, at = new Date()) {
  const { token, hash } = newToken()
  await db
    .insertInto('user_sessions')
    .values({
      token_hash: hash,
      user_id: userId,
      created_at: at,
      last_seen_at: at,
      ip: null,
      user_agent: null,
    })
    .execute()
  return `tandem_session=${token}`
}

/** An API client acting for an agency, with its bearer token. */
export async function makeApiClient(db: Db, agencyId: string, scopes: string[]) {
  const { token, hash } = newToken('tdm_')
  const account = await db
    .insertInto('users')
    .values({
      agency_id: agencyId,
      kind: 'service',
      email: `svc-${randomUUID()}@service.test`,
      display_name: 'API client',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('api_tokens')
    .values({ user_id: account.id, name: 'test client', token_hash: hash, scopes, created_by: null })
    .execute()
  return { token, userId: account.id }
}

export { today }
