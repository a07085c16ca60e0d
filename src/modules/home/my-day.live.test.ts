import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import * as i from '../../../test/support/intelligence-factories.js'
import { evaluateForEvent } from '../intelligence/rules.service.js'
import { CATCH_UP_MS } from './home.routes.js'

let database: TestDatabase
let app: FastifyInstance
let baseUrl: string
let agencyId: string
let practitionerId: string
let cookie: string

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  app = await testApp(db)
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  agencyId = await f.makeAgency(db)
  practitionerId = await f.makeUser(db, { agencyId, roles: ['practitioner'] })
  cookie = await f.sessionCookie(db, practitionerId)
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

/** My day's event stream as the browser reads it: everything received so far, as text. */
async function openLiveMyDay() {
  const abort = new AbortController()
  const response = await fetch(`${baseUrl}/my-day/events`, { headers: { cookie }, signal: abort.signal })
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  let received = ''
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      received += value
    }
  })().catch(() => {})
  const live = {
    get received() {
      return received
    },
    /** Milliseconds until the text has arrived, or null if it did not within `ms`. */
    async arrival(text: string, ms: number) {
      const started = performance.now()
      while (!received.includes(text)) {
        if (performance.now() - started > ms) return null
        await new Promise((r) => setTimeout(r, 20))
      }
      return performance.now() - started
    },
    close: () => abort.abort(),
  }
  expect(await live.arrival('retry:', 5000)).not.toBeNull()
  return live
}

/** Two missed appointments and the rules run on them, as the worker would: a flag is raised. */
async function personWithAbsences(lastName: string, allocatedToMe: boolean) {
  const db = database.db
  const person = await f.makePerson(db, { leadAgencyId: agencyId, lastName })
  if (allocatedToMe) await f.allocate(db, person.id, practitionerId, { agencyId, isLead: true })
  const now = new Date()
  for (const days of [3, 1])
    await i.makeAppointment(db, {
      personId: person.id,
      agencyId,
      startsAt: i.daysBefore(now, days),
      outcome: 'unacceptable_absence',
    })
  return {
    ...person,
    raiseFlag: () =>
      db
        .transaction()
        .execute((tx) =>
          evaluateForEvent(tx, { type: 'appointment.outcome.recorded', personId: person.id }, now),
        ),
  }
}

it('sends the flags section as soon as a flag about one of my people is raised, not at the next look', async () => {
  const mine = await personWithAbsences('Lovelace', true)
  const live = await openLiveMyDay()
  await mine.raiseFlag()
  const waited = await live.arrival('Lovelace', CATCH_UP_MS)
  live.close()
  expect(live.received).toContain('event: flags')
  expect(waited).not.toBeNull()
  // Told by the database's notification, well before the page would have looked of its own accord.
  expect(waited!).toBeLessThan(CATCH_UP_MS / 2)
})

it('sends nothing when a flag is raised about someone who is not mine', async () => {
  const theirs = await personWithAbsences('Babbage', false)
  const live = await openLiveMyDay()
  await theirs.raiseFlag()
  expect(await live.arrival('event: flags', 1500)).toBeNull()
  live.close()
  expect(live.received).not.toContain('Babbage')
})

it('picks up a person allocated to me after the page opened', { timeout: CATCH_UP_MS * 4 }, async () => {
  const live = await openLiveMyDay()
  const newlyMine = await personWithAbsences('Hopper', true)
  await newlyMine.raiseFlag()
  expect(await live.arrival('Hopper', CATCH_UP_MS * 2)).not.toBeNull()
  live.close()
})
