import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Clock } from '../../src/platform/clock.js'
import type { Db } from '../../src/platform/database/database.js'

export const TEST_SETTINGS = {
  NODE_ENV: 'test',
  COOKIE_SECRET: 'test-cookie-secret-of-at-least-32-characters',
  SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
}

export function testConfig(overrides: Record<string, string> = {}) {
  return loadConfig({ ...TEST_SETTINGS, ...overrides })
}

export async function testApp(db: Db, options: { clock?: Clock; settings?: Record<string, string> } = {}) {
  const app = await buildApp({
    config: testConfig(options.settings),
    db,
    ...(options.clock ? { clock: options.clock } : {}),
  })
  await app.ready()
  return app
}

/**
 * A browser-like client over app.inject: keeps cookies, and sends the CSRF token that the
 * last page it loaded carried, as a real form would.
 */
export class Client {
  cookies = new Map<string, string>()
  csrfToken: string | null = null

  constructor(
    private readonly app: FastifyInstance,
    cookie?: string,
  ) {
    if (cookie) this.setCookie(cookie)
  }

  private setCookie(raw: string) {
    const [pair] = raw.split(';')
    const eq = pair!.indexOf('=')
    const name = pair!.slice(0, eq)
    const value = pair!.slice(eq + 1)
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(raw)) this.cookies.delete(name)
    else this.cookies.set(name, value)
  }

  private remember(response: LightMyRequestResponse) {
    const setCookie = response.headers['set-cookie']
    for (const raw of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) this.setCookie(raw)
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(response.body)?.[1]
    if (token) this.csrfToken = token
    return response
  }

  private get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader, ...headers } }),
    )
  }

  async post(url: string, form: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
    if (options.csrf !== false && !this.csrfToken) await this.get('/privacy')
    const body = new URLSearchParams()
    for (const [key, value] of Object.entries(form))
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v)
    if (options.csrf !== false && this.csrfToken) body.append('_csrf', this.csrfToken)
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      }),
    )
  }
}
