import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'

export function processRoutes(_app: FastifyInstance, _deps: AppDeps) {}
