import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { fixedClock } from '../clock.js'

const PASSWORD = 'correct horse battery staple'
let database: TestDatabase
let app: FastifyInstance
const clock = fixedClock('2026-11-23T09:00:00Z')

async function user(email: string, roles: Parameters<typeof f.makeUser>[1]['roles'] = ['practitioner']) {
  const agencyId = await f.makeAgency(database.db)
  return f.makeUser(database.db, { agencyId, roles, email, password: PASSWORD })
}

beforeAll(async () => {
  database = await freshDatabase()
  app = await testApp(database.db, {
    clock,
    settings: { SIGN_IN_MAX_FAILURES: '3', SIGN_IN_LOCKOUT_MINUTES: '15' },
  })
})

afterAll(async () => {
  await app.close()
  await database.destroy()
})

describe(`sign-in on ${engine}`, () => {
  it('signs in with the right password, sets a hardened session cookie and lands on the start page', async () => {
    await user('right@test.example')
    const client = new Client(app)
    await client.get('/sign-in')
    const response = await client.post('/sign-in', { email: 'RIGHT@test.example ', password: PASSWORD })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/')
    const cookie = [response.headers['set-cookie']].flat().find((c) => c?.startsWith('tandem_session='))
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    const home = await client.get('/')
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('My day')
  })

  it('returns to the page the user first asked for, but never to another site', async () => {
    await user('return@test.example')
    const client = new Client(app)
    const redirect = await client.get('/caseload')
    expect(redirect.statusCode).toBe(302)
    expect(redirect.headers.location).toBe('/sign-in?returnTo=%2Fcaseload')
    const ok = await client.post('/sign-in', {
      email: 'return@test.example',
      password: PASSWORD,
      returnTo: '/caseload',
    })
    expect(ok.headers.location).toBe('/caseload')
    const evil = await new Client(app).post('/sign-in', {
      email: 'return@test.example',
      password: PASSWORD,
      returnTo: '//evil.example/x',
    })
    expect(evil.headers.location).toBe('/')
  })

  it('gives the same answer for a wrong password and an unknown account, keeping the email typed', async () => {
    await user('known@test.example')
    const wrong = await new Client(app).post('/sign-in', { email: 'known@test.example', password: 'not it' })
    const unknown = await new Client(app).post('/sign-in', {
      email: 'nobody@test.example',
      password: 'not it',
    })
    expect(wrong.statusCode).toBe(400)
    expect(unknown.statusCode).toBe(400)
    const message = (body: string) =>
      /govuk-error-summary__list">\s*<li>\s*<a href="#email">([^<]+)</.exec(body)?.[1]
    expect(message(wrong.body)).toBeTruthy()
    expect(message(wrong.body)).toBe(message(unknown.body))
    expect(wrong.body).toContain('value="known@test.example"')
    expect(String(wrong.headers['set-cookie'] ?? '')).not.toContain('tandem_session=')
  })

  it('shows the error summary when fields are missing', async () => {
    const response = await new Client(app).post('/sign-in', { email: '', password: '' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Enter your email address')
    expect(response.body).toContain('Enter your password')
    expect(response.body).toContain('<title>Error: Sign in')
  })

  it('locks an account after repeated failures, even against the right password, then unlocks after the lockout', async () => {
    const id = await user('locked@test.example')
    for (let i = 0; i < 3; i++)
      await new Client(app).post('/sign-in', { email: 'locked@test.example', password: 'guess' + i })
    const stillLocked = await new Client(app).post('/sign-in', {
      email: 'locked@test.example',
      password: PASSWORD,
    })
    expect(stillLocked.statusCode).toBe(400)
    const row = await database.db
      .selectFrom('users')
      .select('locked_until')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.locked_until).not.toBeNull()
    clock.advance(16 * 60_000)
    const after = await new Client(app).post('/sign-in', { email: 'locked@test.example', password: PASSWORD })
    expect(after.statusCode).toBe(303)
  })

  it('refuses deactivated accounts and ends their sessions', async () => {
    const id = await user('gone@test.example')
    const client = new Client(app)
    await client.post('/sign-in', { email: 'gone@test.example', password: PASSWORD })
    await database.db.updateTable('users').set({ active: false }).where('id', '=', id).execute()
    expect((await client.get('/')).statusCode).toBe(302)
    expect(
      (await new Client(app).post('/sign-in', { email: 'gone@test.example', password: PASSWORD })).statusCode,
    ).toBe(400)
  })

  it('signs out: the session ends on the server, not only in the browser', async () => {
    await user('out@test.example')
    const client = new Client(app)
    await client.post('/sign-in', { email: 'out@test.example', password: PASSWORD })
    const cookie = client.cookies.get('tandem_session')!
    await client.get('/')
    const response = await client.post('/sign-out', {})
    expect(response.headers.location).toBe('/sign-in?signedOut=1')
    const replay = await new Client(app, `tandem_session=${cookie}`).get('/')
    expect(replay.statusCode).toBe(302)
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'sign-out')
      .execute()
    expect(audit.length).toBeGreaterThan(0)
  })

  it('ends a session after the idle timeout and after the absolute timeout, saying why', async () => {
    const id = await user('idle@test.example')
    const idle = new Client(app, await f.sessionCookie(database.db, id, clock.now()))
    clock.advance(29 * 60_000)
    expect((await idle.get('/')).statusCode).toBe(200)
    clock.advance(31 * 60_000)
    const timedOut = await idle.get('/')
    expect(timedOut.headers.location).toContain('timedOut=idle')
    expect((await idle.get(timedOut.headers.location as string)).body).toContain(
      'had not used Tandem for 30 minutes',
    )

    const busy = new Client(app, await f.sessionCookie(database.db, id, clock.now()))
    for (let minutes = 20; minutes < 600; minutes += 20) {
      clock.advance(20 * 60_000)
      expect((await busy.get('/')).statusCode).toBe(200)
    }
    clock.advance(20 * 60_000)
    const expired = await busy.get('/')
    expect(expired.headers.location).toContain('timedOut=absolute')
  })

  it('refuses a form posted without its CSRF token', async () => {
    await user('csrf@test.example')
    const response = await new Client(app).post(
      '/sign-in',
      { email: 'csrf@test.example', password: PASSWORD },
      { csrf: false },
    )
    expect(response.statusCode).toBe(403)
    expect(response.body).toContain('Your form has expired')
    expect(response.headers['set-cookie'] ?? '').not.toContain('tandem_session=')
  })
})

describe('sign-in rate limit', () => {
  it('slows down repeated attempts from one address with 429 Too Many Requests', async () => {
    const limited = await testApp(database.db, { settings: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } })
    const statuses: number[] = []
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await new Client(limited).post('/sign-in', { email: 'x@test.example', password: 'y' })).statusCode,
      )
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400])
    expect(statuses[4]).toBe(429)
    await limited.close()
  })
})
