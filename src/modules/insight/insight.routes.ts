import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { forRoles } from '../../platform/http/route-access.js'
import { caseloadByRegion, RISK_LEVELS, SUPPRESS_BELOW } from './insight.service.js'

export function insightRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/insight', { config: forRoles('analyst', 'manager', 'coordinator') }, async (_request, reply) => {
    return reply.view('insight/views/insight.njk', {
      regions: await caseloadByRegion(db),
      levels: RISK_LEVELS,
      suppressBelow: SUPPRESS_BELOW,
    })
  })
}
