import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

export interface AgreementValues {
  reference: string
  title: string
  purpose: string
  lawfulBasis: string
  startsOn: string
  endsOn: string | null
  status: 'active' | 'suspended'
  agencyIds: string[]
  cohortIds: string[]
  categories: string[]
}

export function listAgreements(db: Queryable) {
  return db
    .selectFrom('sharing_agreements as s')
    .select([
      's.id',
      's.reference',
      's.title',
      's.starts_on',
      's.ends_on',
      's.status',
      sql<
        string[]
      >`array(select a.name from sharing_agreement_agencies x join agencies a on a.id = x.agency_id
                          where x.agreement_id = s.id order by a.name)`.as('agencies'),
      sql<string[]>`array(select c.name from sharing_agreement_cohorts x join cohorts c on c.id = x.cohort_id
                          where x.agreement_id = s.id order by c.name)`.as('cohorts'),
      sql<
        string[]
      >`array(select d.name from sharing_agreement_categories x join data_categories d on d.code = x.category
                          where x.agreement_id = s.id order by d.sort)`.as('categories'),
    ])
    .orderBy('s.reference')
    .execute()
}

export function findAgreement(db: Queryable, id: string) {
  return db
    .selectFrom('sharing_agreements as s')
    .selectAll('s')
    .select([
      sql<
        string[]
      >`array(select x.agency_id from sharing_agreement_agencies x where x.agreement_id = s.id)`.as(
        'agency_ids',
      ),
      sql<
        string[]
      >`array(select x.cohort_id from sharing_agreement_cohorts x where x.agreement_id = s.id)`.as(
        'cohort_ids',
      ),
      sql<
        string[]
      >`array(select x.category from sharing_agreement_categories x where x.agreement_id = s.id)`.as(
        'categories',
      ),
    ])
    .where('s.id', '=', id)
    .executeTakeFirst()
}

export async function insertAgreement(db: Queryable, v: AgreementValues, createdBy: string) {
  const { id } = await db
    .insertInto('sharing_agreements')
    .values({
      reference: v.reference,
      title: v.title,
      purpose: v.purpose,
      lawful_basis: v.lawfulBasis,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      status: v.status,
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await replaceAgreementScope(db, id, v)
  return id
}

export async function updateAgreementDetails(db: Queryable, id: string, v: AgreementValues) {
  await db
    .updateTable('sharing_agreements')
    .set({
      reference: v.reference,
      title: v.title,
      purpose: v.purpose,
      lawful_basis: v.lawfulBasis,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      status: v.status,
    })
    .where('id', '=', id)
    .execute()
  await replaceAgreementScope(db, id, v)
}

async function replaceAgreementScope(db: Queryable, id: string, v: AgreementValues) {
  await db.deleteFrom('sharing_agreement_agencies').where('agreement_id', '=', id).execute()
  await db.deleteFrom('sharing_agreement_cohorts').where('agreement_id', '=', id).execute()
  await db.deleteFrom('sharing_agreement_categories').where('agreement_id', '=', id).execute()
  await db
    .insertInto('sharing_agreement_agencies')
    .values(v.agencyIds.map((agency_id) => ({ agreement_id: id, agency_id })))
    .execute()
  await db
    .insertInto('sharing_agreement_cohorts')
    .values(v.cohortIds.map((cohort_id) => ({ agreement_id: id, cohort_id })))
    .execute()
  await db
    .insertInto('sharing_agreement_categories')
    .values(v.categories.map((category) => ({ agreement_id: id, category })))
    .execute()
}

export function listDataCategories(db: Queryable) {
  return db.selectFrom('data_categories').select(['code', 'name', 'description']).orderBy('sort').execute()
}

/** Identity only: administrators manage a person's restrictions by CRN without seeing the record. */
export function findPersonByCrn(db: Queryable, crn: string) {
  return db
    .selectFrom('people')
    .select(['id', 'crn', 'first_name', 'last_name'])
    .where('crn', '=', crn)
    .executeTakeFirst()
}

export function listRestrictions(db: Queryable, personId: string) {
  return db
    .selectFrom('case_restrictions as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .leftJoin('users as by', 'by.id', 'r.created_by')
    .select([
      'r.user_id',
      'r.kind',
      'r.reason',
      'r.created_at',
      'u.display_name',
      'u.email',
      'a.name as agency_name',
      'by.display_name as created_by_name',
    ])
    .where('r.person_id', '=', personId)
    .orderBy('r.kind')
    .orderBy('u.display_name')
    .execute()
}

export async function insertRestriction(
  db: Queryable,
  v: { personId: string; userId: string; kind: 'allow' | 'deny'; reason: string; createdBy: string },
) {
  await db
    .insertInto('case_restrictions')
    .values({
      person_id: v.personId,
      user_id: v.userId,
      kind: v.kind,
      reason: v.reason,
      created_by: v.createdBy,
    })
    .onConflict((oc) => oc.columns(['person_id', 'user_id', 'kind']).doUpdateSet({ reason: v.reason }))
    .execute()
}

export async function deleteRestriction(
  db: Queryable,
  personId: string,
  userId: string,
  kind: 'allow' | 'deny',
) {
  const result = await db
    .deleteFrom('case_restrictions')
    .where('person_id', '=', personId)
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export function listApiClients(db: Queryable) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select([
      't.id',
      't.name',
      't.scopes',
      't.created_at',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'a.name as agency_name',
    ])
    .orderBy('t.revoked_at', (ob) => ob.desc().nullsFirst())
    .orderBy('t.name')
    .execute()
}

/** An API client acts through its own service account, so the access rules apply to it unchanged. */
export async function insertApiClient(
  db: Queryable,
  v: {
    name: string
    agencyId: string
    scopes: string[]
    expiresOn: string | null
    tokenHash: string
    createdBy: string
  },
) {
  const account = await db
    .insertInto('users')
    .values({
      agency_id: v.agencyId,
      kind: 'service',
      email: `api-client-${v.tokenHash.slice(0, 12)}@service.tandem.invalid`,
      display_name: `API client: ${v.name}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return db
    .insertInto('api_tokens')
    .values({
      user_id: account.id,
      name: v.name,
      token_hash: v.tokenHash,
      scopes: v.scopes,
      created_by: v.createdBy,
      expires_at: v.expiresOn ? `${v.expiresOn}T23:59:59Z` : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export async function revokeApiClient(db: Queryable, id: string) {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
