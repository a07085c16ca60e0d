import * as client from 'openid-client'
import type { Config } from '../../config.js'

export interface OidcChecks {
  state: string
  nonce: string
  verifier: string
}

/**
 * OpenID Connect sign-in (authorisation code flow with PKCE) for deployments with an
 * identity provider. Discovery happens on first use, so a provider that is briefly down
 * does not stop Tandem starting.
 */
export class OidcSignIn {
  #configuration: Promise<client.Configuration> | undefined

  constructor(
    private readonly settings: NonNullable<Config['oidc']>,
    /** Plain-HTTP providers are only acceptable in development and tests. */
    private readonly allowInsecure: boolean,
  ) {}

  private configuration(): Promise<client.Configuration> {
    this.#configuration ??= client
      .discovery(
        new URL(this.settings.issuerUrl),
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        this.allowInsecure ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.#configuration = undefined
        throw error
      })
    return this.#configuration
  }

  async start(): Promise<{ url: URL; checks: OidcChecks }> {
    const config = await this.configuration()
    const checks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    }
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: 'openid email profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
    })
    return { url, checks }
  }

  /**
   * Exchanges the code in the callback's query string and returns who the provider says
   * signed in. The callback URL is rebuilt from configuration, not from request headers.
   */
  async finish(
    callbackQuery: string,
    checks: OidcChecks,
  ): Promise<{ subject: string; email: string | undefined }> {
    const config = await this.configuration()
    const callbackUrl = new URL(this.settings.redirectUrl)
    callbackUrl.search = callbackQuery
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.verifier,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    if (!claims) throw new Error('The identity provider returned no ID token')
    const email =
      typeof claims.email === 'string' && claims.email_verified !== false ? claims.email : undefined
    return { subject: `${claims.iss}|${claims.sub}`, email }
  }
}
