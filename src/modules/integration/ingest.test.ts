import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { event, everyMappedEvent, sns, type Person } from '../../../test/support/domain-events.js'
import * as f from '../../../test/support/factories.js'
import { drainOutbox } from '../../platform/outbox/outbox.js'
import { subscribers } from '../../subscribers.js'
import { receiveRecord } from '../people/identity.service.js'
import { ingest, type MessageSource } from './ingest.service.js'
import { MAPPINGS } from './event-mapping.js'

const source: MessageSource = { origin: { route: 'test', requestId: null }, actor: null, label: 'test' }

let database: TestDatabase
let probation: string
let sequence = 0

beforeAll(async () => {
  database = await freshDatabase()
  probation = await f.makeAgency(database.db, { kind: 'probation' })
  await database.db
    .insertInto('agencies')
    .values({ code: 'PRI-BMI', name: 'HMP Birmingham', kind: 'prison' })
    .execute()
})
afterAll(() => database?.destroy())

/** A person Tandem knows, with a CRN and prison number of their own. */
async function knownPerson(): Promise<Person & { id: string }> {
  sequence += 1
  const crn = `T${String(200000 + sequence)}`
  const noms = `A${String(1000 + sequence)}BC`
  const { id } = await f.makePerson(database.db, { leadAgencyId: probation, crn, nomsNumber: noms })
  return { id, crn, noms }
}

const personRow = (id: string) =>
  database.db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const timeline = (id: string) =>
  database.db
    .selectFrom('timeline_events as te')
    .innerJoin('agencies as a', 'a.id', 'te.agency_id')
    .select(['te.kind', 'te.title', 'te.source_system', 'te.occurred_at', 'a.code as agency'])
    .where('te.person_id', '=', id)
    .orderBy('te.id')
    .execute()
const count = async (table: 'outbox' | 'timeline_events' | 'inbound_messages' | 'dead_letters') =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]!.n,
  )

describe('applying every mapped event type', () => {
  it.each([
    ['bare', false],
    ['SNS-wrapped', true],
  ])('applies each one %s: a timeline item with its source and a Tandem event', async (_how, wrapped) => {
    const p = await knownPerson()
    const events = Object.values(everyMappedEvent(p)).map((e, i) =>
      wrapped ? sns(e, `msg-${p.crn}-${i}`) : e,
    )
    const outboxBefore = await count('outbox')
    const outcomes = await ingest(database.db, events, source)
    expect(outcomes.filter((o) => o.outcome !== 'applied')).toEqual([])
    const items = await timeline(p.id)
    expect(items).toHaveLength(events.length)
    expect(new Set(items.map((i) => i.source_system))).toEqual(
      new Set([
        'NOMIS',
        'nDelius',
        'Manage POM cases',
        'Tier service',
        'OASys',
        'Create and vary a licence',
        'Consider a recall',
        'Pre-sentence reports',
        'Refer and monitor an intervention',
        'CAS1',
        'CAS2',
        'CAS3',
      ]),
    )
    // Items a prison recorded are the prison's; the rest are the lead agency's.
    expect(items.find((i) => i.title === 'Received into HMP Birmingham')?.agency).toBe('PRI-BMI')
    expect(items.find((i) => i.kind === 'referral.sent')?.agency).not.toBe('PRI-BMI')
    expect(await count('outbox')).toBe(outboxBefore + events.length)
    expect(Object.keys(MAPPINGS)).toHaveLength(events.length + 1)
  })
})

describe('state changes', () => {
  it('follows custody: received, released on licence while a licence runs, with a custody episode', async () => {
    const p = await knownPerson()
    await database.db
      .insertInto('sentences')
      .values({
        person_id: p.id,
        event_number: 1,
        sentence_type: 'custodial',
        description: 'Imprisonment 2 years',
        offence: 'Burglary',
        offence_category: 'burglary_domestic',
        court: 'Birmingham Crown Court',
        sentenced_on: '2025-11-01',
        licence_end_on: '2027-11-01',
      })
      .execute()
    const all = everyMappedEvent(p)
    await ingest(
      database.db,
      [{ ...all['prison-offender-events.prisoner.received'], occurredAt: '2025-11-01T15:00:00Z' }],
      source,
    )
    expect(await personRow(p.id)).toMatchObject({ custody_status: 'in_custody', prison_code: 'BMI' })
    await ingest(database.db, [all['prison-offender-events.prisoner.released']], source)
    expect(await personRow(p.id)).toMatchObject({ custody_status: 'released_on_licence', prison_code: null })
    const episodes = await database.db
      .selectFrom('custody_episodes')
      .selectAll()
      .where('person_id', '=', p.id)
      .execute()
    expect(episodes).toMatchObject([
      {
        prison_code: 'BMI',
        prison_name: 'HMP Birmingham',
        received_on: '2025-11-01',
        release_reason: 'released',
      },
    ])
    expect(episodes[0]!.released_on).toBe('2026-11-20')
  })

  it('keeps registrations in step, and MAPPA and ROSH on the identity bar with them', async () => {
    const p = await knownPerson()
    const all = everyMappedEvent(p)
    await ingest(database.db, [all['probation-case.registration.added']], source)
    expect(await personRow(p.id)).toMatchObject({ mappa_category: 2, mappa_level: 1 })
    await ingest(database.db, [all['probation-case.registration.updated']], source)
    expect(await personRow(p.id)).toMatchObject({ mappa_category: 2, mappa_level: 2 })
    const registrations = () =>
      database.db.selectFrom('registrations').selectAll().where('person_id', '=', p.id).execute()
    expect(await registrations()).toMatchObject([
      {
        type_code: 'MAPP',
        source_ref: '2500427774',
        registered_on: '2023-06-19',
        level: 'M2',
        deregistered_on: null,
      },
    ])
    await ingest(database.db, [all['probation-case.registration.deregistered']], source)
    expect(await personRow(p.id)).toMatchObject({ mappa_category: null, mappa_level: null })
    expect((await registrations())[0]!.deregistered_on).toBe('2026-11-18')

    const rosh = event('probation-case.registration.added', p, {
      registrationId: '77',
      registerTypeCode: 'RVHR',
      registerTypeDescription: 'Very High RoSH',
      registrationDate: '2026-11-19',
    })
    await ingest(database.db, [rosh], source)
    expect((await personRow(p.id)).rosh_level).toBe('very_high')
    await ingest(
      database.db,
      [
        event(
          'probation-case.registration.deleted',
          p,
          {
            registrationId: '77',
            registerTypeCode: 'RVHR',
            registerTypeDescription: 'Very High RoSH',
          },
          { occurredAt: '2026-11-21T09:00:00Z' },
        ),
      ],
      source,
    )
    expect((await personRow(p.id)).rosh_level).toBeNull()
    expect((await registrations()).map((r) => r.type_code)).toEqual(['MAPP'])
  })

  it('gives a known person a prison number nDelius adds, and follows a prison merge', async () => {
    const p = await knownPerson()
    await database.db.updateTable('people').set({ noms_number: null }).where('id', '=', p.id).execute()
    await database.db
      .deleteFrom('person_identifiers')
      .where('person_id', '=', p.id)
      .where('type', '=', 'noms')
      .execute()
    await ingest(database.db, [everyMappedEvent(p)['probation-case.prison-identifier.added']], source)
    expect((await personRow(p.id)).noms_number).toBe(p.noms)

    const merged = event(
      'prison-offender-events.prisoner.merged',
      { crn: p.crn, noms: 'G4321ZZ' },
      { nomsNumber: 'G4321ZZ', removedNomsNumber: p.noms, bookingId: '1', reason: 'MERGE' },
      { ids: 'NOMS' },
    )
    expect((await ingest(database.db, [merged], source))[0]!.outcome).toBe('applied')
    expect((await personRow(p.id)).noms_number).toBe('G4321ZZ')
    // The old number still finds them, so late messages about it are not lost.
    const late = event(
      'prison-offender-events.prisoner.sentence-dates-changed',
      p,
      { nomsNumber: p.noms },
      { ids: 'NOMS' },
    )
    expect((await ingest(database.db, [late], source))[0]!.outcome).toBe('applied')
  })

  it('keeps risk scores as they were determined', async () => {
    const p = await knownPerson()
    await ingest(
      database.db,
      [everyMappedEvent(p)['probation-case.risk-scores.ogrs.manual-calculation']],
      source,
    )
    const scores = await database.db
      .selectFrom('risk_scores')
      .selectAll()
      .where('person_id', '=', p.id)
      .execute()
    expect(scores.map((s) => [s.kind, Number(s.score)])).toEqual([
      ['ogrs3_1yr', 34],
      ['ogrs3_2yr', 51],
    ])
  })
})

describe('exactly once, in any order', () => {
  it('applies a redelivered message once, in the same batch or later', async () => {
    const p = await knownPerson()
    const message = sns(everyMappedEvent(p)['tier.calculation.complete'], `tier-${p.crn}`)
    const before = await Promise.all([count('timeline_events'), count('outbox')])
    const first = await ingest(database.db, [message, message], source)
    expect(first.map((o) => o.outcome)).toEqual(['applied', 'duplicate'])
    const again = await ingest(database.db, [JSON.stringify(message)], source)
    expect(again.map((o) => o.outcome)).toEqual(['duplicate'])
    expect(await Promise.all([count('timeline_events'), count('outbox')])).toEqual([
      before[0] + 1,
      before[1] + 1,
    ])
  })

  it('applies concurrent deliveries of the same messages once', async () => {
    const p = await knownPerson()
    const messages = Array.from({ length: 20 }, (_, i) =>
      sns(
        event(
          'probation-case.engagement.created',
          p,
          {},
          { occurredAt: `2026-11-20T10:${String(i).padStart(2, '0')}:00Z` },
        ),
        `c-${p.crn}-${i}`,
      ),
    )
    const results = await Promise.all([1, 2, 3].map(() => ingest(database.db, messages, source)))
    const applied = results.flat().filter((o) => o.outcome === 'applied')
    expect(applied).toHaveLength(20)
    expect(await timeline(p.id)).toHaveLength(20)
  })

  it('resolves custody by when things happened, not when the messages arrived', async () => {
    const p = await knownPerson()
    const at = (type: 'received' | 'released', time: string, reason: string) =>
      event(
        `prison-offender-events.prisoner.${type}`,
        p,
        { nomsNumber: p.noms, reason, prisonId: 'BMI' },
        { ids: 'NOMS', occurredAt: time },
      )
    // The received (later) arrives before the release (earlier): still in custody.
    await ingest(database.db, [at('received', '2026-11-20T12:00:00Z', 'ADMISSION')], source)
    await ingest(database.db, [at('released', '2026-11-20T09:00:00Z', 'RELEASED')], source)
    expect((await personRow(p.id)).custody_status).toBe('in_custody')
    // A release reversed minutes later (released in error) ends in custody too.
    await ingest(database.db, [at('released', '2026-11-21T10:00:00Z', 'RELEASED')], source)
    expect((await personRow(p.id)).custody_status).toBe('community')
    await ingest(
      database.db,
      [at('received', '2026-11-21T10:07:00+00:00[Europe/London]', 'ADMISSION')],
      source,
    )
    expect((await personRow(p.id)).custody_status).toBe('in_custody')
    expect((await timeline(p.id)).map((i) => i.kind)).toEqual([
      'custody.received',
      'custody.released',
      'custody.released',
      'custody.received',
    ])
  })
})

describe('messages that cannot be applied', () => {
  it('keeps unknown types and unreadable messages with the reason, counting redeliveries', async () => {
    const p = await knownPerson()
    const outcomes = await ingest(
      database.db,
      [
        event('staff.available.hours.changed', p),
        '{"eventType":"tier.calculation.complete", "occ',
        '{"eventType":"tier.calculation.complete", "occ',
      ],
      source,
    )
    expect(outcomes.map((o) => [o.outcome, o.eventType])).toEqual([
      ['dead-letter', 'staff.available.hours.changed'],
      ['dead-letter', 'tier.calculation.complete'],
      ['dead-letter', 'tier.calculation.complete'],
    ])
    const letters = await database.db
      .selectFrom('dead_letters')
      .selectAll()
      .where(
        'message_key',
        'in',
        outcomes.map((o) => o.key),
      )
      .orderBy('reason')
      .execute()
    expect(letters.map((l) => [l.reason, l.attempts])).toEqual([
      ['Tandem does not handle the event type staff.available.hours.changed', 1],
      ['The message is not JSON', 2],
    ])
    expect(letters[1]!.body).toBe('{"eventType":"tier.calculation.complete", "occ')
  })

  it('holds events about someone not yet known and applies them when their record arrives', async () => {
    const newcomer = { crn: 'N123456', noms: 'B2345CD' }
    const events = [
      everyMappedEvent(newcomer)['probation-case.engagement.created'],
      everyMappedEvent(newcomer)['prison-offender-events.prisoner.received'],
    ]
    const outcomes = await ingest(database.db, events, source)
    expect(outcomes.map((o) => o.reason)).toEqual([
      'No person in Tandem holds CRN N123456 yet; kept until one does',
      'No person in Tandem holds prison number B2345CD yet; kept until one does',
    ])
    const arrival = await receiveRecord(
      database.db,
      null,
      {
        sourceSystem: 'nDelius',
        sourceRef: 'N123456',
        agencyId: probation,
        crn: 'N123456',
        nomsNumber: 'B2345CD',
        pncNumber: null,
        croNumber: null,
        firstName: 'Nia',
        lastName: 'Okafor',
        dateOfBirth: '1994-02-11',
        gender: 'female',
        postcode: null,
      },
      { route: 'test', requestId: null },
    )
    expect(arrival.outcome).toBe('new')
    while ((await drainOutbox(database.db, subscribers())) > 0);
    const items = await timeline(arrival.personId!)
    expect(items.map((i) => i.kind)).toEqual(expect.arrayContaining(['case.created', 'custody.received']))
    const letters = await database.db
      .selectFrom('dead_letters')
      .select(['resolution'])
      .where(
        'message_key',
        'in',
        outcomes.map((o) => o.key),
      )
      .execute()
    expect(letters).toEqual([{ resolution: 'applied' }, { resolution: 'applied' }])
    expect((await personRow(arrival.personId!)).custody_status).toBe('in_custody')
  })

  it('refuses to guess when the CRN and prison number belong to two different people', async () => {
    const a = await knownPerson()
    const b = await knownPerson()
    const [outcome] = await ingest(
      database.db,
      [
        event(
          'create-and-vary-a-licence.licence.activated',
          { crn: a.crn, noms: b.noms },
          {},
          { ids: 'both' },
        ),
      ],
      source,
    )
    expect(outcome!.reason).toBe(
      `CRN ${a.crn} and prison number ${b.noms} belong to different people in Tandem: check them in identity review, then replay`,
    )
    expect(await timeline(a.id)).toEqual([])
  })
})

describe('over HTTP', () => {
  let app: FastifyInstance
  let admin: Client
  let token: string
  beforeAll(async () => {
    app = await testApp(database.db)
    admin = new Client(
      app,
      await f.sessionCookie(
        database.db,
        await f.makeUser(database.db, { agencyId: probation, roles: ['administrator'] }),
      ),
    )
    token = (await f.makeApiClient(database.db, probation, ['events:write'])).token
  })
  afterAll(() => app?.close())

  const post = (body: unknown, bearer = token, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('takes one event, an array, or an SNS notification as text/plain, and records who sent them', async () => {
    const p = await knownPerson()
    const all = everyMappedEvent(p)
    const one = await post(all['tier.calculation.complete'])
    expect(one.statusCode).toBe(200)
    expect(one.json().outcomes).toMatchObject([
      { eventType: 'tier.calculation.complete', outcome: 'applied' },
    ])
    const many = await post([all['pre-sentence.report.started'], all['pre-sentence.report.started']])
    expect(many.json().outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['applied', 'duplicate'])
    const plain = await post(
      JSON.stringify(sns(all['pre-sentence.report.completed'], `psr-${p.crn}`)),
      token,
      'text/plain; charset=UTF-8',
    )
    expect(plain.json().outcomes).toMatchObject([{ key: `id:psr-${p.crn}`, outcome: 'applied' }])
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['actor_label', 'action', 'person_ids'])
      .where('route', '=', 'API POST /api/v1/events')
      .execute()
    expect(audit).toHaveLength(3)
    expect(audit[0]).toMatchObject({
      actor_label: expect.stringContaining('API client'),
      action: 'update',
      person_ids: [p.id],
    })
  })

  it('refuses a token without the events scope, and a request with no token', async () => {
    const reader = (await f.makeApiClient(database.db, probation, ['people:read'])).token
    expect((await post({}, reader)).statusCode).toBe(403)
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/events', payload: {} })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers['content-type']).toContain('application/problem+json')
  })

  it('lets an administrator see a message not applied, fix its cause, and replay it; or discard it', async () => {
    const stranger = { crn: 'R765432', noms: 'C3456DE' }
    const waiting = event('intervention.referral.sent', stranger, { referralId: 'r-1' })
    const [kept] = (await post(waiting)).json().outcomes
    expect(kept.outcome).toBe('dead-letter')
    const page = await admin.get('/admin/messages')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('No person in Tandem holds CRN R765432 yet')
    const id = (
      await database.db
        .selectFrom('dead_letters')
        .select('id')
        .where('message_key', '=', kept.key)
        .executeTakeFirstOrThrow()
    ).id

    // Replaying before the cause is fixed keeps it, with another attempt counted.
    const early = await admin.post(`/admin/messages/${id}/replay`, {})
    expect(early.headers.location).toBe('/admin/messages?done=dead-letter')
    // The person arrives by a route that does not replay by itself (a direct insert).
    const { id: personId } = await f.makePerson(database.db, { leadAgencyId: probation, crn: stranger.crn })
    const replay = await admin.post(`/admin/messages/${id}/replay`, {})
    expect(replay.headers.location).toBe('/admin/messages?done=applied')
    expect((await timeline(personId)).map((i) => i.kind)).toEqual(['referral.sent'])
    const resolved = await admin.get('/admin/messages?show=resolved')
    expect(resolved.body).toContain('Applied')

    const [junk] = (await post(event('staff.available.hours.changed', stranger))).json().outcomes
    const junkId = (
      await database.db
        .selectFrom('dead_letters')
        .select('id')
        .where('message_key', '=', junk.key)
        .executeTakeFirstOrThrow()
    ).id
    expect((await admin.post(`/admin/messages/${junkId}/discard`, {})).headers.location).toBe(
      '/admin/messages?done=discarded',
    )
    expect((await admin.post(`/admin/messages/${junkId}/discard`, {})).statusCode).toBe(404)
    expect((await admin.post(`/admin/messages/${junkId}/replay`, {}, { csrf: false })).statusCode).toBe(403)
  })

  it('shows the page to administrators only', async () => {
    const practitioner = new Client(
      app,
      await f.sessionCookie(
        database.db,
        await f.makeUser(database.db, { agencyId: probation, roles: ['practitioner'] }),
      ),
    )
    expect((await practitioner.get('/admin/messages')).statusCode).toBe(403)
    expect((await admin.get('/admin/messages/abc/replay')).statusCode).toBe(404)
  })
})
