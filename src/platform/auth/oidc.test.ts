import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'

/**
 * OpenID Connect sign-in against a small identity provider run by the test: discovery,
 * keys and a token endpoint that issues a signed ID token for whoever the test says.
 */
let provider: Server
let issuer: string
let database: TestDatabase
let app: FastifyInstance
let nextIdentity: { sub: string; email: string } = { sub: 'x', email: 'x' }
const nonces = new Map<string, string>()

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'RS256', use: 'sig' }
  provider = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer)
    const json = (body: unknown) => {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify(body))
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      })
    }
    if (url.pathname === '/jwks') return json({ keys: [jwk] })
    if (url.pathname === '/token') {
      let body = ''
      for await (const chunk of request) body += chunk
      const code = new URLSearchParams(body).get('code') ?? ''
      const idToken = await new SignJWT({
        email: nextIdentity.email,
        email_verified: true,
        nonce: nonces.get(code),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test' })
        .setIssuer(issuer)
        .setAudience('tandem')
        .setSubject(nextIdentity.sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey)
      return json({ access_token: 'at', token_type: 'Bearer', id_token: idToken, expires_in: 300 })
    }
    response.statusCode = 404
    response.end()
  })
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`
  database = await freshDatabase()
  app = await testApp(database.db, {
    settings: {
      OIDC_ISSUER_URL: issuer,
      OIDC_CLIENT_ID: 'tandem',
      OIDC_CLIENT_SECRET: 'secret',
      PUBLIC_URL: 'http://localhost:3000',
    },
  })
})

afterAll(async () => {
  await app.close()
  await database.destroy()
  provider.close()
})

/** Starts sign-in at Tandem, "approves" it at the provider, and returns Tandem's callback response. */
async function signInAs(client: Client, identity: { sub: string; email: string }) {
  const start = await client.get('/sign-in/oidc')
  expect(start.statusCode).toBe(302)
  const authorize = new URL(start.headers.location as string)
  expect(authorize.origin).toBe(issuer)
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
  expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost:3000/sign-in/oidc/callback')
  const code = `code-${Math.random()}`
  nonces.set(code, authorize.searchParams.get('nonce') ?? '')
  nextIdentity = identity
  return client.get(`/sign-in/oidc/callback?code=${code}&state=${authorize.searchParams.get('state')}`)
}

describe('OpenID Connect sign-in', () => {
  it('offers the organisation sign-in button when configured', async () => {
    expect((await new Client(app).get('/sign-in')).body).toContain('Sign in with your organisation’s account')
  })

  it('signs in a known user by email, then recognises them by subject from then on', async () => {
    const agencyId = await f.makeAgency(database.db)
    const userId = await f.makeUser(database.db, {
      agencyId,
      roles: ['practitioner'],
      email: 'oidc.user@test.example',
    })
    const client = new Client(app)
    const callback = await signInAs(client, { sub: 'abc-123', email: 'OIDC.User@test.example' })
    expect(callback.statusCode).toBe(302)
    expect(callback.headers.location).toBe('/')
    expect((await client.get('/')).statusCode).toBe(200)
    const row = await database.db
      .selectFrom('users')
      .select('oidc_subject')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
    expect(row.oidc_subject).toBe(`${issuer}|abc-123`)
    const again = await signInAs(new Client(app), { sub: 'abc-123', email: 'changed@test.example' })
    expect(again.statusCode).toBe(302)
  })

  it('refuses someone the provider knows but Tandem does not, with a clear message', async () => {
    const callback = await signInAs(new Client(app), { sub: 'stranger', email: 'stranger@test.example' })
    expect(callback.statusCode).toBe(400)
    expect(callback.body).toContain('There is no Tandem account for you')
  })

  it('refuses a callback whose state does not match the one it started with', async () => {
    const client = new Client(app)
    await client.get('/sign-in/oidc')
    const forged = await client.get('/sign-in/oidc/callback?code=x&state=forged')
    expect(forged.statusCode).toBe(400)
    expect(forged.body).toContain('did not confirm who you are')
    expect(String(forged.headers['set-cookie'] ?? '')).not.toContain('tandem_session=')
  })
})
