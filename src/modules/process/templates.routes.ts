import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { prefixErrors, submitForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { migrateToVersion, migrationPlan } from './migrate.service.js'
import {
  ENTRY_KINDS,
  MilestoneForm,
  MoveForm,
  OWNER_ROLES,
  RevisionForm,
  STAGE_EVENT_NAMES,
  STAGE_EVENTS,
  StageForm,
  TaskForm,
  TemplateForm,
  type Stage,
} from './process.schema.js'
import * as templates from './templates.service.js'

const coordinators = forRoles('coordinator')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const CODE = /^[a-z0-9][a-z0-9-]{0,39}$/

type Params = { id?: string; code?: string; task?: string; index?: string }

function params(request: FastifyRequest) {
  const p = request.params as Params
  if (!UUID.test(p.id ?? '')) throw new NotFoundError()
  for (const code of [p.code, p.task]) if (code !== undefined && !CODE.test(code)) throw new NotFoundError()
  return { id: p.id!, code: p.code ?? '', task: p.task ?? '', index: Number(p.index ?? 0) }
}

const ownerRoles = Object.entries(OWNER_ROLES).map(([value, text]) => ({ value, text }))
const stageEvents = STAGE_EVENTS.map((value) => ({ value, text: STAGE_EVENT_NAMES[value] }))
const options = {
  ownerRoles,
  stageEvents,
  entryKinds: ENTRY_KINDS,
  eventNames: STAGE_EVENT_NAMES,
  ownerRoleNames: OWNER_ROLES,
}

/** A stage's fields as the stage form shows them. */
function stageValues(stage: Stage) {
  return {
    code: stage.code,
    name: stage.name,
    entryKind: stage.entry.kind,
    event: stage.entry.kind === 'event' ? stage.entry.event : '',
    afterDays: stage.entry.kind === 'after_days' ? String(stage.entry.days) : '',
    beforeDays: stage.entry.kind === 'before_release' ? String(stage.entry.days) : '',
  }
}

const taskFrom = (v: z.infer<typeof TaskForm>) => ({
  code: v.code,
  title: v.title,
  ownerRole: v.ownerRole,
  dueDays: v.dueDays,
  required: v.required === 'yes',
})

/** The coordinator's template editor: list, drafts edited form by form, publish, new versions, migration. */
export function templateRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/templates', { config: coordinators }, async (_request, reply) =>
    reply.view('process/views/templates.njk', { templates: await templates.listTemplates(db) }),
  )

  const showNew = async (reply: FastifyReply, values: unknown, errors?: FormErrors) =>
    reply.view('process/views/template-new.njk', {
      choices: await templates.templateChoices(db),
      values,
      errors,
    })
  app.get('/templates/new', { config: coordinators }, async (_request, reply) => showNew(reply, {}))
  app.post('/templates/new', { config: coordinators }, async (request, reply) =>
    submitForm(
      reply,
      TemplateForm,
      request.body,
      (errors) => showNew(reply, request.body, errors),
      async (v) => `/templates/${await templates.createDraft(db, actorOf(request), v)}`,
    ),
  )

  /** The template page, with what a failed form posted to it. */
  async function showTemplate(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const { id } = params(request)
    return { ...(await templates.loadTemplate(db, id)), ...options, ...extra }
  }
  app.get('/templates/:id', { config: coordinators }, async (request, reply) =>
    reply.view('process/views/template.njk', { ...(await showTemplate(request)), values: {} }),
  )
  app.post('/templates/:id/stages', { config: coordinators }, async (request, reply) => {
    const { id } = params(request)
    return submitForm(
      reply,
      StageForm,
      request.body,
      async (errors) =>
        reply.view(
          'process/views/template.njk',
          await showTemplate(request, { errors, values: request.body }),
        ),
      async (v) => {
        await templates.addStage(db, id, v)
        return `/templates/${id}#stage-code-${v.code}`
      },
    )
  })
  app.post('/templates/:id/publish', { config: coordinators }, async (request, reply) => {
    const { id } = params(request)
    return submitForm(
      reply,
      RevisionForm,
      request.body,
      async (errors) =>
        reply.view('process/views/template.njk', await showTemplate(request, { errors, values: {} })),
      async (v) => {
        const { retiredId } = await templates.publishDraft(db, actorOf(request), id, v.revision, clock)
        return retiredId ? `/templates/${id}/migrate` : `/templates/${id}`
      },
    )
  })
  app.post('/templates/:id/new-version', { config: coordinators }, async (request, reply) => {
    const { id } = params(request)
    return reply.redirect(`/templates/${await templates.newVersion(db, actorOf(request), id)}`, 303)
  })

  // One stage: its details, tasks and milestones.
  async function showStage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const { id, code } = params(request)
    const loaded = await templates.loadTemplate(db, id)
    const stage = loaded.definition.stages.find((s) => s.code === code)
    if (!stage) throw new NotFoundError()
    return {
      ...loaded,
      ...options,
      stage,
      values: stageValues(stage),
      taskValues: {},
      milestoneValues: {},
      ...extra,
    }
  }
  app.get('/templates/:id/stages/:code', { config: coordinators }, async (request, reply) =>
    reply.view('process/views/stage.njk', await showStage(request)),
  )
  app.post('/templates/:id/stages/:code', { config: coordinators }, async (request, reply) => {
    const { id, code } = params(request)
    return submitForm(
      reply,
      StageForm,
      request.body,
      async (errors) =>
        reply.view('process/views/stage.njk', await showStage(request, { errors, values: request.body })),
      async (v) => {
        await templates.updateStage(db, id, code, v)
        return `/templates/${id}/stages/${v.code}`
      },
    )
  })
  app.post('/templates/:id/stages/:code/remove', { config: coordinators }, async (request, reply) => {
    const { id, code } = params(request)
    return submitForm(
      reply,
      RevisionForm,
      request.body,
      async (errors) => reply.view('process/views/stage.njk', await showStage(request, { errors })),
      async (v) => {
        await templates.removeStage(db, id, code, v.revision)
        return `/templates/${id}`
      },
    )
  })
  app.post('/templates/:id/stages/:code/move', { config: coordinators }, async (request, reply) => {
    const { id, code } = params(request)
    return submitForm(
      reply,
      MoveForm,
      request.body,
      async (errors) =>
        reply.view('process/views/template.njk', await showTemplate(request, { errors, values: {} })),
      async (v) => {
        await templates.moveStage(db, id, code, v.revision, v.direction)
        return `/templates/${id}#stage-code-${code}`
      },
    )
  })
  app.post('/templates/:id/stages/:code/tasks', { config: coordinators }, async (request, reply) => {
    const { id, code } = params(request)
    return submitForm(
      reply,
      TaskForm,
      request.body,
      async (errors) =>
        reply.view(
          'process/views/stage.njk',
          await showStage(request, { errors: prefixErrors(errors, 'task-'), taskValues: request.body }),
        ),
      async (v) => {
        await templates.addTask(db, id, code, v.revision, taskFrom(v))
        return `/templates/${id}/stages/${code}#tasks`
      },
    )
  })
  async function showTask(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const { task } = params(request)
    const view = await showStage(request)
    const found = view.stage.tasks.find((t) => t.code === task)
    if (!found) throw new NotFoundError()
    return {
      ...view,
      task: found,
      taskValues: { ...found, required: found.required ? 'yes' : 'no' },
      ...extra,
    }
  }
  app.get('/templates/:id/stages/:code/tasks/:task', { config: coordinators }, async (request, reply) =>
    reply.view('process/views/task.njk', await showTask(request)),
  )
  app.post('/templates/:id/stages/:code/tasks/:task', { config: coordinators }, async (request, reply) => {
    const { id, code, task } = params(request)
    return submitForm(
      reply,
      TaskForm,
      request.body,
      async (errors) =>
        reply.view(
          'process/views/task.njk',
          await showTask(request, { errors: prefixErrors(errors, 'task-'), taskValues: request.body }),
        ),
      async (v) => {
        await templates.updateTask(db, id, code, task, v.revision, taskFrom(v))
        return `/templates/${id}/stages/${code}#tasks`
      },
    )
  })
  app.post(
    '/templates/:id/stages/:code/tasks/:task/remove',
    { config: coordinators },
    async (request, reply) => {
      const { id, code, task } = params(request)
      return submitForm(
        reply,
        RevisionForm,
        request.body,
        async (errors) => reply.view('process/views/stage.njk', await showStage(request, { errors })),
        async (v) => {
          await templates.removeTask(db, id, code, task, v.revision)
          return `/templates/${id}/stages/${code}#tasks`
        },
      )
    },
  )
  app.post('/templates/:id/stages/:code/milestones', { config: coordinators }, async (request, reply) => {
    const { id, code } = params(request)
    return submitForm(
      reply,
      MilestoneForm,
      request.body,
      async (errors) =>
        reply.view(
          'process/views/stage.njk',
          await showStage(request, {
            errors: prefixErrors(errors, 'milestone-'),
            milestoneValues: request.body,
          }),
        ),
      async (v) => {
        await templates.addMilestone(db, id, code, v.revision, { name: v.name, optional: v.optional })
        return `/templates/${id}/stages/${code}#milestones`
      },
    )
  })
  app.post(
    '/templates/:id/stages/:code/milestones/:index/remove',
    { config: coordinators },
    async (request, reply) => {
      const { id, code, index } = params(request)
      if (!Number.isInteger(index) || index < 0) throw new NotFoundError()
      return submitForm(
        reply,
        RevisionForm,
        request.body,
        async (errors) => reply.view('process/views/stage.njk', await showStage(request, { errors })),
        async (v) => {
          await templates.removeMilestone(db, id, code, index, v.revision)
          return `/templates/${id}/stages/${code}#milestones`
        },
      )
    },
  )

  // Moving live processes to this version.
  app.get('/templates/:id/migrate', { config: coordinators }, async (request, reply) => {
    const { id } = params(request)
    const query = request.query as Record<string, string>
    const done = query.done === '1' ? query : null
    return reply.view('process/views/migrate.njk', { ...(await migrationPlan(db, id)), done, values: {} })
  })
  app.post('/templates/:id/migrate', { config: coordinators }, async (request, reply) => {
    const { id } = params(request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const targets = Object.fromEntries(
      Object.entries(body)
        .filter(([key, value]) => key.startsWith('target-') && typeof value === 'string')
        .map(([key, value]) => [key.slice('target-'.length), value as string]),
    )
    return submitForm(
      reply,
      z.object({}),
      body,
      async (errors) =>
        reply.view('process/views/migrate.njk', { ...(await migrationPlan(db, id)), errors, values: body }),
      async () => {
        const r = await migrateToVersion(db, actorOf(request), originOf(request), id, targets, clock)
        const q = new URLSearchParams({
          done: '1',
          processes: String(r.processes),
          stagesChanged: String(r.stagesChanged),
          tasksCancelled: String(r.tasksCancelled),
          tasksCreated: String(r.tasksCreated),
        })
        return `/templates/${id}/migrate?${q.toString()}`
      },
    )
  })
}
