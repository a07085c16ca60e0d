import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from './config.js'
import { adminRoutes } from './modules/admin/admin.routes.js'
import { caseRoutes } from './modules/cases/cases.routes.js'
import { cohortRoutes } from './modules/cohorts/cohorts.routes.js'
import { planRoutes } from './modules/plans/plans.routes.js'
import { processRoutes } from './modules/process/process.routes.js'
import { referralRoutes } from './modules/referrals/referrals.routes.js'
import { suggestionRoutes } from './modules/process/suggestions.routes.js'
import { supervisionRoutes } from './modules/supervision/supervision.routes.js'
import { intelligenceRoutes } from './modules/intelligence/intelligence.routes.js'
import { ingestRoutes } from './modules/integration/ingest.routes.js'
import { webhookRoutes } from './modules/integration/webhooks.routes.js'
import { apiRoutes } from './modules/api/api.routes.js'
import { homeRoutes } from './modules/home/home.routes.js'
import { identityRoutes } from './modules/people/identity.routes.js'
import { insightRoutes } from './modules/insight/insight.routes.js'
import { dashboardRoutes } from './modules/dashboards/dashboards.routes.js'
import { peopleRoutes } from './modules/people/people.routes.js'
import { auditRoutes } from './platform/audit/audit.routes.js'
import { registerAuthentication } from './platform/auth/auth.plugin.js'
import type { AuthContext } from './platform/auth/auth.service.js'
import { OidcSignIn } from './platform/auth/oidc.js'
import { signInRoutes } from './platform/auth/sign-in.routes.js'
import type { Clock } from './platform/clock.js'
import { systemClock } from './platform/clock.js'
import type { Db } from './platform/database/database.js'
import { registerErrorPages } from './platform/http/error-pages.js'
import { registerSecurity } from './platform/http/security.js'
import { registerViews } from './platform/views/views.js'

export interface AppDeps {
  config: Config
  db: Db
  clock: Clock
}

/** Builds the web application: platform plugins first, then every module's routes. */
export async function buildApp({
  config,
  db,
  clock = systemClock,
}: Omit<AppDeps, 'clock'> & { clock?: Clock }) {
  const production = config.env === 'production'
  const secureCookies = config.env !== 'development' && config.env !== 'test'
  const app: FastifyInstance = Fastify({
    logger: config.env === 'test' ? false : { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: production,
    requestIdHeader: false,
  })
  // Zod schemas validate API requests and serialise API responses (and document them).
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  const deps: AppDeps = { config, db, clock }
  const auth: AuthContext = { db, config, clock }

  await registerSecurity(app, { production, cookieSecret: config.cookieSecret })
  registerAuthentication(app, auth, secureCookies)
  await registerViews(app, production)
  registerErrorPages(app, auth, secureCookies, config.env === 'development')

  const oidc = config.oidc ? new OidcSignIn(config.oidc, !production) : null
  signInRoutes(app, auth, { secureCookies, oidc })
  homeRoutes(app, deps)
  peopleRoutes(app, deps)
  insightRoutes(app, deps)
  dashboardRoutes(app, deps)
  auditRoutes(app, deps)
  adminRoutes(app, deps)
  await apiRoutes(app, deps)
  identityRoutes(app, deps)
  ingestRoutes(app, deps)
  webhookRoutes(app, deps)
  cohortRoutes(app, deps)
  caseRoutes(app, deps)
  supervisionRoutes(app, deps)
  planRoutes(app, deps)
  referralRoutes(app, deps)
  processRoutes(app, deps)
  suggestionRoutes(app, deps)
  intelligenceRoutes(app, deps)
  return app
}
