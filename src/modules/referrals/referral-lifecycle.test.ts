import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as pf from '../../../test/support/plans-factories.js'
import * as rf from '../../../test/support/referrals-factories.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'

let database: TestDatabase
let db: Db
let app: FastifyInstance
const clock = fixedClock('2026-11-23T10:00:00Z')
let probation: string
let provider: string
let housing: string
let cohort: string
let users: Record<'lead' | 'colleague' | 'provider', string>
const client = async (userId: string) => new Client(app, await f.sessionCookie(db, userId))

async function person(crn: string) {
  const p = await f.makePerson(db, { leadAgencyId: probation, crn })
  await f.joinCohort(db, p.id, cohort)
  await f.allocate(db, p.id, users.lead, { agencyId: probation, isLead: true })
  await f.allocate(db, p.id, users.colleague, { agencyId: probation })
  return p
}

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  provider = await f.makeAgency(db, { kind: 'accommodation_provider', name: 'Safe Homes' })
  housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Leeds Housing' })
  cohort = await f.makeCohort(db)
  await f.makeAgreement(db, {
    agencyIds: [probation, provider],
    cohortIds: [cohort],
    categories: ['identity', 'accommodation'],
  })
  users = {
    lead: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Lee Lead' }),
    colleague: await f.makeUser(db, { agencyId: probation, roles: ['practitioner'], name: 'Cai Colleague' }),
    provider: await f.makeUser(db, { agencyId: provider, roles: ['provider'], name: 'Pat Provider' }),
  }
  app = await testApp(db, { clock })
}, 60_000)

afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

describe('the life of a referral', () => {
  it('is assigned, worked and concluded by the provider, always forward, each step on record', async () => {
    const p = await person('R200001')
    const id = await rf.makeReferral(db, p.id, { providerAgencyId: provider, referredBy: users.lead })
    const url = `/people/${p.crn}/referrals/${id}`
    const pat = await client(users.provider)
    const page = await pat.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Record an update')
    expect(page.body).not.toContain('value="cancelled"')
    const steps: Record<string, string>[] = [
      { note: 'Allocated to our team', status: 'assigned', assignedTo: 'Jo Baxter', version: '1' },
      { note: 'First visit done', status: 'in_progress', version: '2' },
      { note: 'Called to check in', version: '3' },
      { note: 'Moved into a flat', status: 'concluded', version: '3' },
    ]
    for (const step of steps) expect((await pat.post(url, step)).statusCode).toBe(303)
    const [referral] = await rf.referralsOf(db, p.id)
    expect(referral).toMatchObject({ status: 'concluded', assigned_to_name: 'Jo Baxter', version: 4 })
    expect(referral!.assigned_at).toEqual(clock.now())
    expect(referral!.concluded_at).toEqual(clock.now())
    const history = await rf.updatesOf(db, p.id, id)
    expect(history.map((u) => [u.kind, u.status, u.agency_id])).toEqual([
      ['status', 'assigned', provider],
      ['status', 'in_progress', provider],
      ['progress', null, provider],
      ['status', 'concluded', provider],
    ])
    expect(history[0]!.note).toBe('Allocated to our team Assigned to Jo Baxter.')
    const events = await db.selectFrom('outbox').select('event_type').where('person_id', '=', p.id).execute()
    expect(events.map((e) => e.event_type)).toEqual([
      'referral.status-changed',
      'referral.status-changed',
      'referral.updated',
      'referral.status-changed',
    ])
    // Concluded is the end: nobody can take it back or further.
    const back = await pat.post(url, { note: 'Oops', status: 'in_progress', version: '4' })
    expect(back.statusCode).toBe(400)
    const lead = await client(users.lead)
    const detail = await lead.get(url)
    expect(detail.body).toContain('Moved into a flat')
    expect(detail.body).toContain('Pat Provider, Safe Homes')
    const cancel = await lead.post(url, { note: 'x', status: 'cancelled', endReason: 'x', version: '4' })
    expect(cancel.statusCode).toBe(400)
  })

  it('lets the referrer cancel, with a reason, but not report the provider’s progress', async () => {
    const p = await person('R200002')
    const id = await rf.makeReferral(db, p.id, { providerAgencyId: provider })
    const lead = await client(users.lead)
    const url = `/people/${p.crn}/referrals/${id}`
    expect((await lead.post(url, { note: 'x', status: 'in_progress', version: '1' })).statusCode).toBe(400)
    const cancelled = await lead.post(url, {
      note: 'Recalled to custody',
      status: 'cancelled',
      endReason: 'Recalled',
      version: '1',
    })
    expect(cancelled.statusCode).toBe(303)
    expect((await rf.referralsOf(db, p.id))[0]).toMatchObject({ status: 'cancelled', end_reason: 'Recalled' })
  })
})

describe('two people updating one referral', () => {
  it('gives the second a conflict page with both, saves nothing, and lets them apply it again', async () => {
    const p = await person('R200003')
    const id = await rf.makeReferral(db, p.id, { providerAgencyId: provider })
    const url = `/people/${p.crn}/referrals/${id}`
    const pat = await client(users.provider)
    const lead = await client(users.lead)
    await pat.get(url)
    await lead.get(url)
    expect((await pat.post(url, { note: 'Taken on', status: 'assigned', version: '1' })).statusCode).toBe(303)
    const stale = await lead.post(url, {
      note: 'No longer needed: found a place with family',
      status: 'cancelled',
      endReason: 'Needs met elsewhere',
      version: '1',
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('Someone else has changed this referral')
    expect(stale.body).toContain('No longer needed: found a place with family')
    expect(stale.body).toContain('Taken on')
    expect(stale.body).toContain('name="version" value="2"')
    expect((await rf.referralsOf(db, p.id))[0]).toMatchObject({ status: 'assigned', version: 2 })
    expect(await rf.updatesOf(db, p.id, id)).toHaveLength(1)
    const again = await lead.post(url, {
      note: 'No longer needed: found a place with family',
      status: 'cancelled',
      endReason: 'Needs met elsewhere',
      version: '2',
    })
    expect(again.statusCode).toBe(303)
    expect((await rf.referralsOf(db, p.id))[0]).toMatchObject({ status: 'cancelled', version: 3 })
  })

  it('takes a note without a status change whatever the version, as it conflicts with nothing', async () => {
    const p = await person('R200004')
    const id = await rf.makeReferral(db, p.id, { providerAgencyId: provider })
    await db.updateTable('referrals').set({ version: 5 }).where('id', '=', id).execute()
    const lead = await client(users.lead)
    const note = await lead.post(`/people/${p.crn}/referrals/${id}`, {
      note: 'Chased by phone',
      version: '1',
    })
    expect(note.statusCode).toBe(303)
  })
})

describe('duplicate services', () => {
  it('warns when another agency already provides the service, in a plan action or a referral', async () => {
    const p = await person('R200005')
    const objective = await pf.makeObjective(db, p.id, { pathway: 'accommodation' })
    await pf.makeAction(db, p.id, objective, {
      ownerAgencyId: housing,
      serviceType: 'housing',
      description: 'Housing options interview',
    })
    const first = await rf.makeReferral(db, p.id, { providerAgencyId: provider })
    const other = await rf.makeReferral(db, p.id, { providerAgencyId: null, reference: 'ZZ9999HO' })
    await db.updateTable('referrals').set({ provider_name: 'Shelter' }).where('id', '=', other).execute()
    const lead = await client(users.lead)
    const page = await lead.get(`/people/${p.crn}/referrals/${first}`)
    expect(page.body).toContain('Possible duplicate: Leeds Housing also provides housing in the case plan')
    expect(page.body).toContain('Possible duplicate: Shelter also has an open referral for housing')
    expect(page.body).not.toContain('Housing options interview')
    const list = await lead.get(`/people/${p.crn}/referrals`)
    expect(list.body.match(/Possible duplicate/g)?.length).toBe(4)
    // The provider is told another agency is involved, nothing more.
    const pat = await client(users.provider)
    const theirs = await pat.get(`/people/${p.crn}/referrals/${first}`)
    expect(theirs.body).toContain('Leeds Housing also provides housing')
    expect(theirs.body).not.toContain('ZZ9999HO')
  })
})
