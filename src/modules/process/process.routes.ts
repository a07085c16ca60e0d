import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { parseForm } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { CrnParam } from '../people/people.schema.js'
import { setTaskStatus, viewStageAndTasks } from './person-tasks.service.js'
import { TaskStatusForm } from './process.schema.js'
import { templateRoutes } from './templates.routes.js'
import { personNotFound } from '../people/person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Process templates (for coordinators) and each person's stage and tasks. */
export function processRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  templateRoutes(app, deps)

  app.get<{ Params: { crn: string } }>(
    '/people/:crn/tasks',
    { config: caseworkers },
    async (request, reply) => {
      const crn = CrnParam.safeParse(request.params.crn)
      if (!crn.success) throw new NotFoundError()
      const view = await viewStageAndTasks(db, actorOf(request), crn.data, originOf(request), clock)
      if (!view) return personNotFound(db, reply, crn.data)
      return reply.view('process/views/tasks.njk', {
        ...view,
        section: 'tasks',
        sectionTitle: 'Stage and tasks',
        suggestions: [],
      })
    },
  )

  app.post<{ Params: { crn: string; taskId: string } }>(
    '/people/:crn/tasks/:taskId',
    { config: caseworkers },
    async (request, reply) => {
      const crn = CrnParam.safeParse(request.params.crn)
      if (!crn.success || !UUID.test(request.params.taskId)) throw new NotFoundError()
      const form = parseForm(TaskStatusForm, request.body)
      if (!form.ok) return reply.redirect(`/people/${crn.data}/tasks`, 303)
      const changed = await setTaskStatus(
        db,
        actorOf(request),
        originOf(request),
        { crn: crn.data, taskId: request.params.taskId, ...form.value },
        clock,
      )
      if (!changed) return personNotFound(db, reply, crn.data)
      return reply.redirect(`/people/${crn.data}/tasks#task-${request.params.taskId}`, 303)
    },
  )
}
