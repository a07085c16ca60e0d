import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as rf from '../../../test/support/referrals-factories.js'
import type { Db } from '../../platform/database/database.js'

/** GET /api/v1/people/:crn/referrals: the same access rules and audit as the pages. */

let database: TestDatabase
let db: Db
let app: FastifyInstance
let person: { id: string; crn: string }
let tokens: Record<'lead' | 'provider' | 'rival' | 'noScope' | 'stranger', string>
let sentToProvider: string

const get = (token: string, crn = person.crn) =>
  app.inject({ url: `/api/v1/people/${crn}/referrals`, headers: { authorization: `Bearer ${token}` } })

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  const probation = await f.makeAgency(db, { name: 'Probation North' })
  const provider = await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Safe Homes' })
  const rival = await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Other Homes' })
  const cohort = await f.makeCohort(db)
  await f.makeAgreement(db, {
    agencyIds: [probation, provider, rival],
    cohortIds: [cohort],
    categories: ['identity', 'accommodation'],
  })
  person = await f.makePerson(db, { leadAgencyId: probation, crn: 'R300001' })
  await f.joinCohort(db, person.id, cohort)
  sentToProvider = await rf.makeReferral(db, person.id, { providerAgencyId: provider, reference: 'AB1234HO' })
  await db
    .insertInto('referral_updates')
    .values({
      person_id: person.id,
      referral_id: sentToProvider,
      kind: 'status',
      status: 'sent',
      note: 'Referral sent to Safe Homes',
      occurred_at: new Date('2026-11-01T10:00:00Z'),
      author_user_id: null,
      author_name: 'Lee Lead',
      agency_id: probation,
      source_key: null,
      created_at: new Date('2026-11-01T10:00:00Z'),
    })
    .execute()
  await rf.makeReferral(db, person.id, { providerAgencyId: rival, reference: 'CD1234HO' })
  await rf.makeReferral(db, person.id, { providerAgencyId: provider, reference: 'EF1234HO', status: 'draft' })
  const scopes = ['people:read', 'referrals:read']
  // The lead agency's case management system, acting for the person's practitioner.
  const lead = await f.makeApiClient(db, probation, scopes)
  await f.allocate(db, person.id, lead.userId, { agencyId: probation })
  tokens = {
    lead: lead.token,
    provider: (await f.makeApiClient(db, provider, scopes)).token,
    rival: (await f.makeApiClient(db, rival, scopes)).token,
    noScope: (await f.makeApiClient(db, probation, ['people:read', 'plans:read'])).token,
    stranger: (await f.makeApiClient(db, await f.makeAgency(db, { kind: 'health' }), scopes)).token,
  }
  app = await testApp(db)
}, 60_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

const references = (body: { referrals: { reference: string }[] }) =>
  body.referrals.map((r) => r.reference).sort()

describe('the referrals API', () => {
  it('gives the lead agency every referral with its history, in the documented shape', async () => {
    const response = await get(tokens.lead)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.crn).toBe(person.crn)
    expect(references(body)).toEqual(['AB1234HO', 'CD1234HO', 'EF1234HO'])
    expect(body.referrals.find((r: { id: string }) => r.id === sentToProvider)).toMatchObject({
      reference: 'AB1234HO',
      serviceType: 'housing',
      pathway: 'accommodation',
      provider: 'Safe Homes',
      status: 'sent',
      sentAt: '2026-11-01T10:00:00.000Z',
      sourceSystem: 'Tandem',
      updates: [
        {
          kind: 'status',
          status: 'sent',
          note: 'Referral sent to Safe Homes',
          occurredAt: '2026-11-01T10:00:00.000Z',
          author: 'Lee Lead',
          agency: 'Probation North',
          sourceSystem: 'Tandem',
        },
      ],
    })
  })

  it('gives a provider only what was sent to its agency, never a draft', async () => {
    expect(references((await get(tokens.provider)).json())).toEqual(['AB1234HO'])
    expect(references((await get(tokens.rival)).json())).toEqual(['CD1234HO'])
  })

  it('answers a client with no agreement as if the person did not exist', async () => {
    const response = await get(tokens.stranger)
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.body).not.toContain('AB1234HO')
  })

  it('refuses a token without the referrals:read scope', async () => {
    const response = await get(tokens.noScope)
    expect(response.statusCode).toBe(403)
    expect(response.json().detail).toContain('referrals:read')
    expect((await app.inject({ url: `/api/v1/people/${person.crn}/referrals` })).statusCode).toBe(401)
  })

  it('explains a malformed CRN, and never fails with a 500', async () => {
    const bad = await get(tokens.lead, 'not-a-crn')
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect((await get(tokens.lead, 'Z999999')).statusCode).toBe(404)
  })

  it('records each call in the access log, as the pages do', async () => {
    const before = await db
      .selectFrom('audit_log')
      .select('id')
      .where('route', '=', 'API GET /api/v1/people/:crn/referrals')
      .execute()
    await get(tokens.provider)
    const after = await db
      .selectFrom('audit_log')
      .select(['action', 'person_ids', 'categories'])
      .where('route', '=', 'API GET /api/v1/people/:crn/referrals')
      .orderBy('id')
      .execute()
    expect(after).toHaveLength(before.length + 1)
    expect(after.at(-1)).toMatchObject({ action: 'read', person_ids: [person.id] })
    expect(after.at(-1)!.categories).toEqual(['identity', 'accommodation'])
  })
})
