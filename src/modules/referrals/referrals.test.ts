import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as rf from '../../../test/support/referrals-factories.js'
import type { Actor } from '../../platform/access/actor.js'
import { findActor } from '../../platform/auth/auth.repository.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { findReferrals } from './referrals.repository.js'

let database: TestDatabase
let db: Db
let app: FastifyInstance
const clock = fixedClock('2026-11-23T10:00:00Z')
let agencies: Record<'probation' | 'provider' | 'rival' | 'unlinked' | 'charity' | 'housing', string>
let users: Record<'lead' | 'provider' | 'rival' | 'unlinked' | 'charity', string>
let cohort: string
const client = async (userId: string) => new Client(app, await f.sessionCookie(db, userId))
const actor = async (userId: string) => (await findActor(db, userId)) as Actor

/** A person led by probation, in the cohort the providers' agreement covers. */
async function person(crn: string) {
  const p = await f.makePerson(db, { leadAgencyId: agencies.probation, crn })
  await f.joinCohort(db, p.id, cohort)
  await f.allocate(db, p.id, users.lead, { agencyId: agencies.probation, isLead: true })
  return p
}

const form = (providerAgencyId: string, extra: Record<string, string> = {}) => ({
  serviceType: 'housing',
  pathway: 'accommodation',
  providerAgencyId,
  reason: 'Sofa surfing since release; needs supported housing',
  send: 'now',
  ...extra,
})

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  agencies = {
    probation: await f.makeAgency(db, { name: 'Probation North' }),
    provider: await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Safe Homes' }),
    rival: await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Other Homes' }),
    unlinked: await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Unlinked Homes' }),
    charity: await f.makeAgency(db, { kind: 'third_sector', name: 'Helping Hands' }),
    housing: await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Leeds Housing' }),
  }
  cohort = await f.makeCohort(db, 'Short sentences')
  await f.makeAgreement(db, {
    agencyIds: [agencies.probation, agencies.provider, agencies.rival],
    cohortIds: [cohort],
    categories: ['identity', 'accommodation'],
  })
  users = {
    lead: await f.makeUser(db, { agencyId: agencies.probation, roles: ['practitioner'], name: 'Lee Lead' }),
    provider: await f.makeUser(db, {
      agencyId: agencies.provider,
      roles: ['provider'],
      name: 'Pat Provider',
    }),
    rival: await f.makeUser(db, { agencyId: agencies.rival, roles: ['provider'], name: 'Rae Rival' }),
    unlinked: await f.makeUser(db, {
      agencyId: agencies.unlinked,
      roles: ['provider'],
      name: 'Uma Unlinked',
    }),
    charity: await f.makeUser(db, {
      agencyId: agencies.charity,
      roles: ['partner_worker'],
      name: 'Cy Charity',
    }),
  }
  app = await testApp(db, { clock })
}, 60_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

describe('making a referral through the pages', () => {
  it('sends it to the provider, with audit, outbox event, timeline item and history', async () => {
    const p = await person('R100001')
    const lead = await client(users.lead)
    const blank = await lead.get(`/people/${p.crn}/referrals/new`)
    expect(blank.statusCode).toBe(200)
    expect(blank.body).toContain('Safe Homes')
    expect(blank.body).not.toContain('Probation North</option>')
    const saved = await lead.post(`/people/${p.crn}/referrals`, form(agencies.provider))
    expect(saved.statusCode).toBe(303)
    const [referral] = await rf.referralsOf(db, p.id)
    expect(saved.headers.location).toBe(`/people/${p.crn}/referrals/${referral!.id}`)
    expect(referral).toMatchObject({
      status: 'sent',
      service_type: 'housing',
      provider_agency_id: agencies.provider,
      referred_by: users.lead,
      source_system: 'Tandem',
      version: 1,
    })
    expect(referral!.reference).toMatch(/^[A-HJ-NP-Z]{2}\d{4}HO$/)
    expect(referral!.sent_at).toEqual(clock.now())
    const outbox = await db.selectFrom('outbox').select('event_type').where('person_id', '=', p.id).execute()
    expect(outbox.map((e) => e.event_type)).toEqual(['referral.created'])
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['kind', 'category', 'title'])
      .where('person_id', '=', p.id)
      .execute()
    expect(timeline).toEqual([
      { kind: 'referral.created', category: 'accommodation', title: 'Referral sent: Housing (Safe Homes)' },
    ])
    expect(await rf.updatesOf(db, p.id, referral!.id)).toMatchObject([
      { kind: 'status', status: 'sent', note: 'Referral sent to Safe Homes', author_user_id: users.lead },
    ])
    const list = await lead.get(`/people/${p.crn}/referrals`)
    expect(list.body).toContain(referral!.reference)
    const detail = await lead.get(`/people/${p.crn}/referrals/${referral!.id}`)
    expect(detail.statusCode).toBe(200)
    expect(detail.body).toContain('Sofa surfing since release')
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'route', 'categories'])
      .where('actor_user_id', '=', users.lead)
      .where('route', 'like', '%referrals%')
      .orderBy('id')
      .execute()
    expect(audit.map((a) => `${a.action} ${a.route}`)).toEqual([
      'read GET /people/:crn/referrals/new',
      'create POST /people/:crn/referrals',
      'read GET /people/:crn/referrals',
      'read GET /people/:crn/referrals/:referralId',
    ])
    expect(audit[3]!.categories).toEqual(['identity', 'accommodation'])
  })

  it('keeps a draft from the provider until it is sent', async () => {
    const p = await person('R100002')
    const lead = await client(users.lead)
    await lead.post(`/people/${p.crn}/referrals`, form(agencies.provider, { send: 'draft' }))
    const [draft] = await rf.referralsOf(db, p.id)
    expect(draft).toMatchObject({ status: 'draft', sent_at: null })
    const provider = await client(users.provider)
    expect((await provider.get(`/people/${p.crn}/referrals/${draft!.id}`)).statusCode).toBe(404)
    const sent = await lead.post(`/people/${p.crn}/referrals/${draft!.id}`, {
      note: 'Checked with the person; sending now',
      status: 'sent',
      version: '1',
    })
    expect(sent.statusCode).toBe(303)
    expect((await provider.get(`/people/${p.crn}/referrals/${draft!.id}`)).statusCode).toBe(200)
  })

  it('turns bad input into GOV.UK error messages, never a 500', async () => {
    const p = await person('R100003')
    const lead = await client(users.lead)
    const forged = await lead.post(`/people/${p.crn}/referrals`, form(agencies.provider), { csrf: false })
    expect(forged.statusCode).toBe(403)
    const empty = await lead.post(`/people/${p.crn}/referrals`, {})
    expect(empty.statusCode).toBe(400)
    for (const message of [
      'Choose the service the person is referred to',
      'Choose the pathway the referral is for',
      'Choose the provider to send the referral to',
      'Enter the reason for the referral',
    ])
      expect(empty.body).toContain(message)
    const notProvider = await lead.post(`/people/${p.crn}/referrals`, form(agencies.probation))
    expect(notProvider.statusCode).toBe(400)
    expect(notProvider.body).toContain('Choose a provider from the list')
    const tooLong = await lead.post(
      `/people/${p.crn}/referrals`,
      form(agencies.provider, { reason: 'x'.repeat(2001) }),
    )
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.body).toContain('The reason for the referral must be 2000 characters or fewer')
    const id = await rf.makeReferral(db, p.id, { providerAgencyId: agencies.provider })
    const url = `/people/${p.crn}/referrals/${id}`
    const noReason = await lead.post(url, { note: 'Not needed now', status: 'cancelled', version: '1' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Enter why the referral was cancelled')
    const nonsense = await lead.post(url, { note: 'x', status: 'teleported', version: '1' })
    expect(nonsense.statusCode).toBe(400)
    expect(nonsense.body).toContain('Choose a status from the list')
    const notTheirs = await lead.post(url, { note: 'x', status: 'assigned', version: '1' })
    expect(notTheirs.statusCode).toBe(400)
    expect(notTheirs.body).toContain('cannot be moved to assigned by your agency')
    expect((await lead.post(url, { note: ' ', version: '1' })).statusCode).toBe(400)
    expect((await lead.post(url, { note: 'x', version: 'abc' })).statusCode).toBe(400)
    expect((await lead.get(`/people/${p.crn}/referrals/not-a-uuid`)).statusCode).toBe(404)
    expect(
      (await lead.get(`/people/${p.crn}/referrals/00000000-0000-4000-8000-000000000000`)).statusCode,
    ).toBe(404)
    expect((await lead.get(`/people/lowercase/referrals`)).statusCode).toBe(404)
    expect((await rf.referralsOf(db, p.id)).map((r) => r.status)).toEqual(['sent'])
  })
})

describe('who sees a referral', () => {
  let p: { id: string; crn: string }
  let mine: string
  let draft: string
  let theirs: string
  let unlinked: string

  beforeAll(async () => {
    p = await person('R100010')
    mine = await rf.makeReferral(db, p.id, { providerAgencyId: agencies.provider, reference: 'AB1234HO' })
    draft = await rf.makeReferral(db, p.id, {
      providerAgencyId: agencies.provider,
      status: 'draft',
      reference: 'CD1234HO',
    })
    theirs = await rf.makeReferral(db, p.id, { providerAgencyId: agencies.rival, reference: 'EF1234HO' })
    unlinked = await rf.makeReferral(db, p.id, { providerAgencyId: agencies.unlinked, reference: 'GH1234HO' })
  })

  it('limits providers in SQL to what was sent to their agency', async () => {
    const ids = async (userId: string) =>
      (await findReferrals(db, await actor(userId), p.id)).map((r) => r.id)
    expect((await ids(users.lead)).sort()).toEqual([mine, draft, theirs, unlinked].sort())
    expect(await ids(users.provider)).toEqual([mine])
    expect(await ids(users.rival)).toEqual([theirs])
    // Sent to it, but with no agreement covering the person its agency may not see them at all.
    expect(await ids(users.unlinked)).toEqual([])
    expect(await ids(users.charity)).toEqual([])
  })

  it('shows the same on the pages, and nothing to a partner without an agreement', async () => {
    const provider = await client(users.provider)
    const list = await provider.get(`/people/${p.crn}/referrals`)
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('AB1234HO')
    for (const hidden of ['CD1234HO', 'EF1234HO', 'GH1234HO']) expect(list.body).not.toContain(hidden)
    expect(list.body).not.toContain('Make a referral')
    expect((await provider.get(`/people/${p.crn}/referrals/${theirs}`)).statusCode).toBe(404)
    expect((await provider.get(`/people/${p.crn}/referrals/new`)).statusCode).toBe(403)
    const rival = await client(users.rival)
    expect((await rival.get(`/people/${p.crn}/referrals/${mine}`)).statusCode).toBe(404)
    const update = await rival.post(`/people/${p.crn}/referrals/${mine}`, { note: 'Mine now', version: '1' })
    expect(update.statusCode).toBe(404)
    for (const outsider of [users.unlinked, users.charity]) {
      const c = await client(outsider)
      expect((await c.get(`/people/${p.crn}/referrals`)).statusCode).toBe(404)
      expect((await c.get(`/people/${p.crn}/referrals/${unlinked}`)).statusCode).toBe(404)
    }
  })
})
