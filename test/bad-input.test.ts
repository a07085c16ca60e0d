import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from './support/app.js'
import { engine, freshDatabase, type TestDatabase } from './support/database.js'
import * as f from './support/factories.js'

let database: TestDatabase
let app: FastifyInstance
let dpo: Client
let practitioner: Client

beforeAll(async () => {
  database = await freshDatabase()
  const agencyId = await f.makeAgency(database.db)
  app = await testApp(database.db, { settings: { BODY_LIMIT_BYTES: '4096' } })
  dpo = new Client(
    app,
    await f.sessionCookie(
      database.db,
      await f.makeUser(database.db, { agencyId, roles: ['data_protection_officer'] }),
    ),
  )
  practitioner = new Client(
    app,
    await f.sessionCookie(database.db, await f.makeUser(database.db, { agencyId, roles: ['practitioner'] })),
  )
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

/** Nothing a user sees may carry internals: stack frames, file paths or SQL. */
function expectNoInternals(body: string) {
  expect(body).not.toMatch(/at .+\.(ts|js):\d+|node_modules|\/src\/|syntax error|SELECT |stack/i)
}

describe(`bad input on ${engine}`, () => {
  it('answers unknown pages with the GOV.UK 404 page, and unknown API paths with problem+json', async () => {
    const page = await practitioner.get('/no/such/page')
    expect(page.statusCode).toBe(404)
    expect(page.body).toContain('Page not found')
    expect(page.body).toContain('govuk-template')
    const api = await app.inject({ url: '/api/v1/nothing-here' })
    expect(api.statusCode).toBe(404)
    expect(api.headers['content-type']).toContain('application/problem+json')
    expect(api.json()).toMatchObject({ status: 404, title: 'Page not found' })
  })

  it('refuses a body over the limit with 413, as a page or as problem+json', async () => {
    const big = 'x'.repeat(10_000)
    const page = await practitioner.post('/break-glass', { crn: 'X123456', reason: big })
    expect(page.statusCode).toBe(413)
    expect(page.body).toContain('What you sent is too large')
    expectNoInternals(page.body)
  })

  it('re-shows a form with every problem and what was typed', async () => {
    const response = await practitioner.post('/break-glass', { crn: 'not a crn', reason: 'too short' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Enter a CRN in the correct format, like X123456')
    expect(response.body).toContain('in at least 20 characters')
    expect(response.body).toContain('value="not a crn"')
    expect(response.body).toContain('too short</textarea>')
  })

  it('explains bad filters instead of failing', async () => {
    const response = await dpo.get('/access-log?from=yesterday&crn=123&action=explode')
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('From must be a date like 2026-03-21')
    expect(response.body).toContain('Enter a CRN in the correct format')
    expect(response.body).toContain('Choose an action from the list')
  })

  it('treats malformed identifiers in addresses as not found, never as errors', async () => {
    for (const url of ['/people/not-a-crn', '/people/%00', '/admin/users/123']) {
      const response = await practitioner.get(url)
      expect([403, 404], url).toContain(response.statusCode)
      expectNoInternals(response.body)
    }
    const api = await app.inject({ url: '/api/v1/people/bad', headers: { authorization: 'Bearer nope' } })
    expect(api.statusCode).toBe(401)
    expect(api.json().title).toBe('Sign in to continue')
  })

  it('sends security headers with a Content Security Policy that allows no inline script', async () => {
    const response = await practitioner.get('/search')
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/)
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]
    expect(response.body).toContain(`<script nonce="${nonce}">`)
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['x-frame-options']).toBe('DENY')
  })
})
