import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { drainOutbox, publish } from '../../platform/outbox/outbox.js'
import { startWorker } from '../../platform/outbox/worker.js'
import { backgroundJobs } from '../../subscribers.js'
import {
  MAX_DELIVERY_ATTEMPTS,
  deliverDueWebhooks,
  webhookRetryDelaySeconds,
  webhookSubscriber,
} from './webhooks.service.js'

let database: TestDatabase
let app: FastifyInstance
let admin: Client
let probation: string
let police: string
let housing: string
let cohort: string
let shared: { id: string; crn: string }

/** The partner's receiver: a real HTTP server that answers with the next status queued. */
const received: { headers: IncomingHttpHeaders; body: string }[] = []
const answers: number[] = []
let server: Server
let receiverUrl: string

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db, { kind: 'probation', name: 'Probation North' })
  police = await f.makeAgency(db, { kind: 'police', name: 'Northshire Police' })
  housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: 'Northtown Housing' })
  cohort = await f.makeCohort(db, 'IOM')
  shared = await f.makePerson(db, { leadAgencyId: probation, lastName: 'Webhookson' })
  await f.joinCohort(db, shared.id, cohort)
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [cohort],
    categories: ['identity', 'sentence'],
  })
  const adminId = await f.makeUser(db, { agencyId: probation, roles: ['administrator'] })
  app = await testApp(db)
  admin = new Client(app, await f.sessionCookie(db, adminId))
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.writeHead(answers.shift() ?? 200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tandem-events`
})
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await app?.close()
  await database?.destroy()
})
beforeEach(async () => {
  // Each test starts with no active subscriptions, so earlier ones receive nothing more.
  await database.db.updateTable('webhook_subscriptions').set({ active: false }).execute()
  received.length = 0
  answers.length = 0
})

/** Adds a subscription through the admin form, as an administrator would; returns its id and secret. */
async function subscribe(agencyId: string, eventTypes: string[], name = 'Partner system') {
  await admin.get('/admin/webhooks')
  const response = await admin.post('/admin/webhooks', { name, agencyId, url: receiverUrl, eventTypes })
  expect(response.statusCode, response.body).toBe(201)
  const secret = /<code class="app-token" id="secret">([^<]+)<\/code>/.exec(response.body)![1]!
  const row = await database.db
    .selectFrom('webhook_subscriptions')
    .select('id')
    .where('secret', '=', secret)
    .executeTakeFirstOrThrow()
  return { id: row.id, secret }
}

async function raise(type: string, personId: string | null, payload: Record<string, unknown> = {}) {
  await publish(database.db, { type, personId, payload })
  while ((await drainOutbox(database.db, [webhookSubscriber])) > 0);
}

const deliveries = (subscriptionId: string) =>
  database.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_at')
    .execute()

const soon = (seconds = 1) => new Date(Date.now() + seconds * 1000)

describe(`outbound webhooks on ${engine}`, () => {
  it('signs each delivery so the receiver can check it with the secret, and names only the CRN', async () => {
    const { id, secret } = await subscribe(police, ['*'])
    await raise('custody.released', shared.id, { source: 'prison-offender-events.prisoner.released' })
    expect(await deliverDueWebhooks(database.db, { now: soon() })).toBe(1)

    expect(received).toHaveLength(1)
    const { headers, body } = received[0]!
    const timestamp = String(headers['tandem-webhook-timestamp'])
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
    const given = String(headers['tandem-webhook-signature']).replace(/^v1=/, '')
    expect(timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'))).toBe(true)
    expect(headers['content-type']).toBe('application/json')
    const sent = JSON.parse(body)
    expect(sent).toMatchObject({
      id: headers['tandem-webhook-id'],
      type: 'custody.released',
      person: { crn: shared.crn },
      data: { sourceEventType: 'prison-offender-events.prisoner.released' },
    })
    expect(body).not.toContain('Webhookson')

    const [delivery] = await deliveries(id)
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 })
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_agency_id', 'person_ids'])
      .where('action', '=', 'export')
      .where('route', '=', 'worker webhooks')
      .execute()
    expect(audit).toContainEqual({ action: 'export', actor_agency_id: police, person_ids: [shared.id] })
  })

  it('sends only the event types a subscription chose, and never administrative events', async () => {
    const chosen = await subscribe(police, ['custody.received'])
    const all = await subscribe(police, ['*'])
    await raise('custody.released', shared.id)
    await raise('custody.received', shared.id)
    await raise('case.access.changed', shared.id)
    await raise('user.updated', null)
    expect((await deliveries(chosen.id)).map((d) => d.event_type)).toEqual(['custody.received'])
    expect((await deliveries(all.id)).map((d) => d.event_type)).toEqual([
      'custody.released',
      'custody.received',
    ])
  })

  it('tells no partner about a person its agency may not see, or in a category it is not shared', async () => {
    const withoutAgreement = await subscribe(housing, ['*'])
    const withAgreement = await subscribe(police, ['*'])
    await raise('custody.received', shared.id)
    // The agreement shares identity and sentence only, not risk.
    await raise('risk-scores.determined', shared.id)
    const outsider = await f.makePerson(database.db, { leadAgencyId: probation })
    await raise('custody.received', outsider.id)
    const restricted = await f.makePerson(database.db, { leadAgencyId: probation })
    await f.joinCohort(database.db, restricted.id, cohort)
    const named = await f.makeUser(database.db, { agencyId: probation, roles: ['practitioner'] })
    await f.restrict(database.db, restricted.id, named, 'allow')
    await raise('custody.received', restricted.id)

    expect(await deliveries(withoutAgreement.id)).toEqual([])
    const toPolice = await deliveries(withAgreement.id)
    expect(toPolice.map((d) => [d.event_type, d.person_id])).toEqual([['custody.received', shared.id]])
  })

  it('retries a failed delivery with back-off, then delivers the same body', async () => {
    const { id } = await subscribe(police, ['custody.received'])
    await raise('custody.received', shared.id)
    answers.push(500)
    const t0 = soon()
    expect(await deliverDueWebhooks(database.db, { now: t0 })).toBe(1)
    let [delivery] = await deliveries(id)
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 500 })
    expect(delivery!.next_attempt_at.getTime()).toBe(t0.getTime() + webhookRetryDelaySeconds(1) * 1000)

    const wait = webhookRetryDelaySeconds(1) * 1000
    expect(await deliverDueWebhooks(database.db, { now: new Date(t0.getTime() + wait - 1000) })).toBe(0)
    expect(await deliverDueWebhooks(database.db, { now: new Date(t0.getTime() + wait) })).toBe(1)
    ;[delivery] = await deliveries(id)
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 2,
      last_status_code: 200,
      last_error: null,
    })
    expect(received).toHaveLength(2)
    expect(received[1]!.body).toBe(received[0]!.body)
    expect(received[1]!.headers['tandem-webhook-id']).toBe(received[0]!.headers['tandem-webhook-id'])
  })

  it('gives up after the maximum attempts, and a replay sends it again', async () => {
    const { id } = await subscribe(police, ['custody.received'])
    await raise('custody.received', shared.id)
    let now = soon()
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      answers.push(503)
      expect(await deliverDueWebhooks(database.db, { now }), `attempt ${attempt}`).toBe(1)
      now = new Date(now.getTime() + webhookRetryDelaySeconds(attempt) * 1000)
    }
    const [dead] = await deliveries(id)
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_DELIVERY_ATTEMPTS, last_status_code: 503 })
    expect(await deliverDueWebhooks(database.db, { now: new Date(now.getTime() + 86_400_000) })).toBe(0)

    const page = await admin.get(`/admin/webhooks/${id}`)
    expect(page.body).toContain('Not delivered')
    const replay = await admin.post(`/admin/webhooks/${id}/deliveries/${dead!.id}/replay`, {})
    expect(replay.statusCode).toBe(303)
    expect((await deliveries(id))[0]).toMatchObject({ status: 'pending', attempts: 0 })
    expect(await deliverDueWebhooks(database.db, { now: soon() })).toBe(1)
    expect((await deliveries(id))[0]).toMatchObject({ status: 'delivered', attempts: 1 })
    expect(received).toHaveLength(MAX_DELIVERY_ATTEMPTS + 1)
    expect(received.at(-1)!.body).toBe(received[0]!.body)
  })

  it('sends a test event naming nobody, and records why a receiver could not be reached', async () => {
    const { id } = await subscribe(housing, ['custody.received'])
    expect((await admin.post(`/admin/webhooks/${id}/test`, {})).statusCode).toBe(303)
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    await deliverDueWebhooks(database.db, {
      now: soon(),
      fetch: () => Promise.reject(refused),
    })
    const [test] = await deliveries(id)
    expect(test).toMatchObject({ event_type: 'webhook.test', person_id: null, status: 'failed' })
    expect(test!.last_error).toBe('Could not connect (ECONNREFUSED)')
    expect(test!.payload).not.toHaveProperty('person')
  })

  it('does not send a queued delivery once the agency may no longer see the person', async () => {
    const probationTwo = await f.makeAgency(database.db, { kind: 'probation' })
    const person = await f.makePerson(database.db, { leadAgencyId: probationTwo })
    await f.joinCohort(database.db, person.id, cohort)
    const agreement = await f.makeAgreement(database.db, {
      agencyIds: [probationTwo, housing],
      cohortIds: [cohort],
      categories: ['identity', 'sentence'],
    })
    const { id } = await subscribe(housing, ['custody.received'])
    await raise('custody.received', person.id)
    expect(await deliveries(id)).toHaveLength(1)
    await database.db
      .updateTable('sharing_agreements')
      .set({ status: 'suspended' })
      .where('id', '=', agreement)
      .execute()
    expect(await deliverDueWebhooks(database.db, { now: soon() })).toBe(1)
    expect(received).toEqual([])
    expect((await deliveries(id))[0]).toMatchObject({
      status: 'dead',
      last_error: expect.stringMatching(/no longer/),
    })
  })

  it('stops sending to a deactivated subscription', async () => {
    const { id, secret } = await subscribe(police, ['custody.received'])
    await raise('custody.received', shared.id)
    expect((await admin.post(`/admin/webhooks/${id}/deactivate`, {})).statusCode).toBe(303)
    await raise('custody.received', shared.id)
    expect(await deliverDueWebhooks(database.db, { now: soon() })).toBe(0)
    expect(await deliveries(id)).toHaveLength(1)
    const page = await admin.get(`/admin/webhooks/${id}`)
    expect(page.body).toContain('Inactive')
    expect(page.body).not.toContain(secret)
    expect((await admin.get('/admin/webhooks')).body).not.toContain(secret)
  })
  it('is sent by the worker, which drains the outbox and then delivers', async () => {
    const { id } = await subscribe(police, ['custody.received'])
    const log = { error: () => {}, info: () => {} }
    const worker = startWorker({
      db: database.db,
      subscribers: [webhookSubscriber],
      jobs: backgroundJobs(),
      log,
      idleMs: 20,
    })
    try {
      await publish(database.db, { type: 'custody.received', personId: shared.id, payload: {} })
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1)
    } finally {
      await worker.stop()
    }
    await expect.poll(async () => (await deliveries(id))[0]?.status).toBe('delivered')
  })
})

describe('webhook administration', () => {
  it('shows every problem with the form in the error summary', async () => {
    await admin.get('/admin/webhooks')
    const bad = await admin.post('/admin/webhooks', {
      name: '',
      agencyId: police,
      url: 'http://example.org/in',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('There is a problem')
    expect(bad.body).toContain('Enter a name for the subscription')
    expect(bad.body).toContain('Enter an address that starts with https://')
    expect(bad.body).toContain('Choose at least one event type, or all events')
    const worse = await admin.post('/admin/webhooks', {
      name: 'x',
      agencyId: '00000000-0000-4000-8000-000000000000',
      url: 'not an address',
      eventTypes: 'no.such.event',
    })
    expect(worse.statusCode).toBe(400)
    expect(worse.body).toContain('Choose event types from the list')
    const noAgency = await admin.post('/admin/webhooks', {
      name: 'x',
      agencyId: '00000000-0000-4000-8000-000000000000',
      url: 'https://partner.example.org/in',
      eventTypes: '*',
    })
    expect(noAgency.statusCode).toBe(400)
    expect(noAgency.body).toContain('Choose the partner agency')
    expect((await admin.get('/admin/webhooks/not-an-id')).statusCode).toBe(404)
    expect((await admin.get('/admin/webhooks/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
  })

  it('is only for administrators, and refuses a form without its CSRF token', async () => {
    const practitioner = await f.makeUser(database.db, { agencyId: police, roles: ['practitioner'] })
    const client = new Client(app, await f.sessionCookie(database.db, practitioner))
    expect((await client.get('/admin/webhooks')).statusCode).toBe(403)
    const form = { name: 'x', agencyId: police, url: 'https://partner.example.org/in', eventTypes: '*' }
    expect((await client.post('/admin/webhooks', form)).statusCode).toBe(403)
    expect((await admin.post('/admin/webhooks', form, { csrf: false })).statusCode).toBe(403)
    const count = await database.db
      .selectFrom('webhook_subscriptions')
      .select('name')
      .where('name', '=', 'x')
      .execute()
    expect(count).toEqual([])
  })
})
