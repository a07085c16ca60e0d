import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('configuration', () => {
  it('defaults to the embedded database in ./data on port 3000', () => {
    const config = loadConfig({})
    expect(config.port).toBe(3000)
    expect(config.database).toMatchObject({ kind: 'pglite' })
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/\/data$/)
    expect(config.seedDemo).toBe(true)
  })

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tandem' }).database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://db/tandem',
    })
  })

  it('names every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', NODE_ENV: 'staging' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).toContain('PORT')
      expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// connection string')
      expect(message).toContain('NODE_ENV')
    }
  })

  it('insists on a cookie secret in production and never seeds demo accounts there unless asked', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/COOKIE_SECRET must be set in production/)
    const production = loadConfig({ NODE_ENV: 'production', COOKIE_SECRET: 'x'.repeat(32) })
    expect(production.seedDemo).toBe(false)
  })

  it('needs all of the OpenID Connect settings or none', () => {
    expect(() => loadConfig({ OIDC_ISSUER_URL: 'https://login.example' })).toThrow(/OIDC_CLIENT_ID is needed/)
    const oidc = loadConfig({
      OIDC_ISSUER_URL: 'https://login.example',
      OIDC_CLIENT_ID: 'a',
      OIDC_CLIENT_SECRET: 'b',
      PUBLIC_URL: 'https://tandem.example',
    })
    expect(oidc.oidc?.redirectUrl).toBe('https://tandem.example/sign-in/oidc/callback')
  })
})
