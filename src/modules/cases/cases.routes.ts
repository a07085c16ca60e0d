import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'

export function caseRoutes(_app: FastifyInstance, _deps: AppDeps) {}
