import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { event, sns, type Person } from '../../../test/support/domain-events.js'
import * as f from '../../../test/support/factories.js'
import * as rf from '../../../test/support/referrals-factories.js'
import { ingest, type MessageSource } from '../integration/ingest.service.js'

/** Referrals followed from Refer and Monitor's events through the real ingest pipeline. */

const source: MessageSource = { origin: { route: 'test', requestId: null }, actor: null, label: 'test' }
const REFERRAL_ID = '3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3'

let database: TestDatabase
let app: FastifyInstance
let probation: string
let sequence = 0

beforeAll(async () => {
  database = await freshDatabase()
  probation = await f.makeAgency(database.db, { name: 'Probation North' })
  app = await testApp(database.db)
})
afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

async function knownPerson(): Promise<Person & { id: string }> {
  sequence += 1
  const crn = `T${String(300000 + sequence)}`
  const { id } = await f.makePerson(database.db, { leadAgencyId: probation, crn })
  return { id, crn, noms: `A${String(1000 + sequence)}BC` }
}

/** The life of one referral as Refer and Monitor publishes it, an hour apart. */
function lifeOf(p: Person) {
  const at = (hour: number) => ({ occurredAt: `2026-11-0${hour}T10:00:00Z` })
  return {
    sent: event('intervention.referral.sent', p, { referralId: REFERRAL_ID }, at(1)),
    assigned: event(
      'intervention.referral.assigned',
      p,
      { referralId: REFERRAL_ID, assignedTo: 'caseworker@provider.example' },
      at(2),
    ),
    feedback: event(
      'intervention.session-appointment.session-feedback-submitted',
      p,
      {
        deliusAppointmentId: '2500001234',
        referralId: REFERRAL_ID,
        referralReference: 'JW5463AC',
        contractTypeName: 'Accommodation',
        primeProviderName: 'Safe Homes',
        referralProbationUserURL: `https://refer-monitor-intervention.service.justice.gov.uk/probation-practitioner/referrals/${REFERRAL_ID}/progress`,
      },
      at(3),
    ),
    concluded: event(
      'intervention.referral.concluded',
      p,
      { referralId: REFERRAL_ID, deliveryState: 'COMPLETED' },
      at(4),
    ),
  }
}

describe('referrals from domain events', () => {
  it('creates the referral when it is sent and moves it on with each event, with its history', async () => {
    const provider = await f.makeAgency(database.db, { kind: 'third_sector', name: 'Safe Homes' })
    const p = await knownPerson()
    const life = lifeOf(p)
    await ingest(database.db, [life.sent], source)
    let [referral] = await rf.referralsOf(database.db, p.id)
    expect(referral).toMatchObject({
      status: 'sent',
      reference: REFERRAL_ID,
      source_system: 'Refer and monitor an intervention',
      source_ref: REFERRAL_ID,
    })
    await ingest(database.db, [life.assigned, life.feedback], source)
    await ingest(database.db, [life.concluded], source)
    ;[referral] = await rf.referralsOf(database.db, p.id)
    expect(referral).toMatchObject({
      status: 'concluded',
      reference: 'JW5463AC',
      service_type: 'housing',
      service_name: 'Accommodation',
      pathway: 'accommodation',
      provider_agency_id: provider,
      assigned_to_name: 'caseworker@provider.example',
      end_reason: 'Completed',
    })
    expect(referral!.sent_at).toEqual(new Date('2026-11-01T10:00:00Z'))
    expect(referral!.concluded_at).toEqual(new Date('2026-11-04T10:00:00Z'))
    const history = await rf.updatesOf(database.db, p.id, referral!.id)
    expect(history.map((u) => [u.kind, u.status, u.note])).toEqual([
      ['status', 'sent', 'Referral sent to the provider'],
      ['status', 'assigned', 'Assigned to caseworker@provider.example'],
      ['session_feedback', 'in_progress', 'Session feedback submitted (nDelius appointment 2500001234)'],
      ['status', 'concluded', 'Delivery state: Completed'],
    ])
  })

  it('changes nothing when an event is delivered again, under the same or a new message id', async () => {
    const p = await knownPerson()
    const life = lifeOf(p)
    await ingest(database.db, [sns(life.sent, 'm-1'), sns(life.assigned, 'm-2')], source)
    const before = await rf.referralsOf(database.db, p.id)
    const again = await ingest(
      database.db,
      [sns(life.sent, 'm-1'), sns(life.assigned, 'm-2b'), sns(life.sent, 'm-1c')],
      source,
    )
    expect(again.map((o) => o.outcome)).toEqual(['duplicate', 'applied', 'applied'])
    const after = await rf.referralsOf(database.db, p.id)
    expect(after).toHaveLength(1)
    expect(after[0]).toMatchObject({ status: 'assigned', sent_at: before[0]!.sent_at })
    expect(await rf.updatesOf(database.db, p.id, after[0]!.id)).toHaveLength(2)
  })

  it('makes one referral when two batches bring its first events at once', async () => {
    const p = await knownPerson()
    const life = lifeOf(p)
    const outcomes = await Promise.all([
      ingest(database.db, [life.assigned], source),
      ingest(database.db, [life.sent], source),
    ])
    expect(outcomes.flat().map((o) => o.outcome)).toEqual(['applied', 'applied'])
    const referrals = await rf.referralsOf(database.db, p.id)
    expect(referrals).toMatchObject([{ status: 'assigned', source_ref: REFERRAL_ID }])
    expect(await rf.updatesOf(database.db, p.id, referrals[0]!.id)).toHaveLength(2)
  })

  it('ends the same whatever order the events arrive in, never taking the referral back', async () => {
    const p = await knownPerson()
    const life = lifeOf(p)
    await ingest(database.db, [life.concluded], source)
    await ingest(database.db, [life.feedback, life.sent], source)
    await ingest(database.db, [life.assigned], source)
    const [referral, ...more] = await rf.referralsOf(database.db, p.id)
    expect(more).toEqual([])
    expect(referral).toMatchObject({
      status: 'concluded',
      reference: 'JW5463AC',
      assigned_to_name: 'caseworker@provider.example',
    })
    expect(referral!.sent_at).toEqual(new Date('2026-11-01T10:00:00Z'))
    const history = await rf.updatesOf(database.db, p.id, referral!.id)
    expect(history.map((u) => u.status)).toEqual(['sent', 'assigned', 'in_progress', 'concluded'])
  })

  it('reads a cancellation, and joins feedback that names only the reference to its referral', async () => {
    const p = await knownPerson()
    await ingest(
      database.db,
      [
        event(
          'intervention.initial-assessment-appointment.session-feedback-submitted',
          p,
          {
            deliusAppointmentId: '1',
            referralReference: 'KL1234DE',
            contractTypeName: 'Dependency and Recovery',
          },
          { occurredAt: '2026-11-02T09:00:00Z' },
        ),
        event(
          'intervention.referral.ended',
          p,
          { referralReference: 'KL1234DE', deliveryState: 'CANCELLED' },
          { occurredAt: '2026-11-03T09:00:00Z' },
        ),
        event(
          'intervention.referral.concluded',
          p,
          { referralReference: 'KL1234DE', deliveryState: 'CANCELLED' },
          { occurredAt: '2026-11-04T09:00:00Z' },
        ),
      ],
      source,
    )
    const referrals = await rf.referralsOf(database.db, p.id)
    expect(referrals).toMatchObject([
      {
        reference: 'KL1234DE',
        status: 'cancelled',
        service_type: 'drug_treatment',
        end_reason: 'Cancelled',
        sent_at: null,
      },
    ])
  })

  it('shows the followed referral on the lead practitioner’s page, with its source', async () => {
    const p = await knownPerson()
    const practitioner = await f.makeUser(database.db, { agencyId: probation, roles: ['practitioner'] })
    await f.allocate(database.db, p.id, practitioner, { agencyId: probation, isLead: true })
    await ingest(database.db, Object.values(lifeOf(p)), source)
    const page = await new Client(app, await f.sessionCookie(database.db, practitioner)).get(
      `/people/${p.crn}/referrals`,
    )
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('JW5463AC')
    expect(page.body).toContain('From Refer and monitor an intervention')
    expect(page.body).toContain('Concluded')
  })
})
