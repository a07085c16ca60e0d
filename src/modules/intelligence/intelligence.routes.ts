import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { formErrors, parseForm, toArray, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { CrnParam } from '../people/people.schema.js'
import { personHeader } from '../people/person-view.service.js'
import { fairnessRoutes } from './fairness.routes.js'
import { actOnFlag, viewFlagsOfPerson } from './flags.service.js'
import { KINDS, isConditionKind } from './rule-conditions.js'
import {
  createDraft,
  enableRule,
  listRules,
  parametersFrom,
  previewRule,
  viewRule,
} from './rule-editor.service.js'
import { FlagActionForm, RuleCodeParam, RuleForm, VersionParam, type RuleFormValue } from './rules.schema.js'
import { scoreRoutes } from './scores.routes.js'
import { personNotFound } from '../people/person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
const ruleEditors = forRoles('coordinator', 'administrator')

const SEVERITIES = ['critical', 'high', 'medium', 'low'].map((value) => ({
  value,
  text: value[0]!.toUpperCase() + value.slice(1),
}))
const OWNERS = [
  { value: '', text: 'No task' },
  { value: 'lead_practitioner', text: 'The lead practitioner' },
  { value: 'manager', text: 'The team manager' },
  { value: 'coordinator', text: 'A coordinator' },
]
const ROSH_LEVELS = [
  { value: 'low', text: 'Low' },
  { value: 'medium', text: 'Medium' },
  { value: 'high', text: 'High' },
  { value: 'very_high', text: 'Very high' },
]

type CrnRequest = FastifyRequest<{ Params: { crn: string; flagId?: string } }>

export function intelligenceRoutes(app: FastifyInstance, { db, clock, config }: AppDeps) {
  async function flagsPage(
    request: CrnRequest,
    reply: FastifyReply,
    status = 200,
    errors?: FormErrors,
    values?: unknown,
  ) {
    const actor = actorOf(request)
    const crn = CrnParam.safeParse(request.params.crn)
    if (!crn.success) throw new NotFoundError()
    const header = await personHeader(db, actor, crn.data, clock)
    if (!header) return personNotFound(db, reply, crn.data)
    const flags = await viewFlagsOfPerson(db, actor, header.person.id, originOf(request))
    return reply.code(status).view('intelligence/views/flags.njk', {
      ...header,
      section: 'flags',
      sectionTitle: 'Flags',
      flags,
      errors,
      values,
      failedFlagId: request.params.flagId,
    })
  }

  app.get<{ Params: { crn: string } }>('/people/:crn/flags', { config: caseworkers }, (request, reply) =>
    flagsPage(request, reply),
  )

  app.post<{ Params: { crn: string; flagId: string } }>(
    '/people/:crn/flags/:flagId',
    { config: caseworkers },
    async (request, reply) => {
      const actor = actorOf(request)
      const crn = CrnParam.safeParse(request.params.crn)
      if (!crn.success || !/^[0-9a-f-]{36}$/.test(request.params.flagId)) throw new NotFoundError()
      const form = parseForm(FlagActionForm, request.body)
      if (!form.ok) {
        const errors = formErrors(
          form.problems.map((p) => ({ ...p, field: `reason-${request.params.flagId}` })),
        )
        return flagsPage(request, reply, 400, errors, request.body)
      }
      const header = await personHeader(db, actor, crn.data, clock)
      if (!header) throw new NotFoundError()
      const action = form.value
      await actOnFlag(
        db,
        actor,
        { personId: header.person.id, flagId: request.params.flagId },
        action.action === 'acknowledge'
          ? { kind: 'acknowledge' }
          : { kind: action.action, reason: action.reason, seenStatus: action.status },
        originOf(request),
        clock,
      )
      return reply.redirect(`/people/${crn.data}/flags`, 303)
    },
  )

  app.get('/rules', { config: ruleEditors }, async (_request, reply) =>
    reply.view('intelligence/views/rules.njk', { rules: await listRules(db), kinds: KINDS }),
  )

  function ruleCode(request: FastifyRequest<{ Params: { code: string } }>) {
    const code = RuleCodeParam.safeParse(request.params.code)
    if (!code.success) throw new NotFoundError()
    return code.data
  }

  app.get<{ Params: { code: string } }>('/rules/:code', { config: ruleEditors }, async (request, reply) =>
    reply.view('intelligence/views/rule.njk', { rule: await viewRule(db, ruleCode(request)) }),
  )

  async function editPage(
    reply: FastifyReply,
    code: string,
    status = 200,
    errors?: FormErrors,
    values?: unknown,
  ) {
    const rule = await viewRule(db, code)
    const latest = rule.latest
    const p = latest.parameters as Record<string, unknown>
    return reply.code(status).view('intelligence/views/rule-edit.njk', {
      rule,
      fields: isConditionKind(latest.kind) ? KINDS[latest.kind].fields : [],
      placeholders: isConditionKind(latest.kind) ? KINDS[latest.kind].placeholders : [],
      severities: SEVERITIES,
      owners: OWNERS,
      roshLevels: ROSH_LEVELS,
      errors,
      values: values ?? {
        basedOn: latest.version,
        name: latest.name,
        description: latest.description,
        severity: latest.severity,
        reasonTemplate: latest.reason_template,
        acknowledgeWithinHours: latest.acknowledge_within_hours,
        taskOwnerRole: latest.task_owner_role ?? '',
        taskDueDays: latest.task_due_days ?? '',
        days: p.days,
        count: p.count,
        minimum: p.minimum,
        minimumLevel: p.minimumLevel,
        roshLevels: p.roshLevels,
        typeCodes: Array.isArray(p.typeCodes) ? p.typeCodes.join(', ') : '',
      },
    })
  }

  app.get<{ Params: { code: string } }>(
    '/rules/:code/edit',
    { config: ruleEditors },
    async (request, reply) => editPage(reply, ruleCode(request)),
  )

  app.post<{ Params: { code: string } }>(
    '/rules/:code/edit',
    { config: ruleEditors },
    async (request, reply) => {
      const code = ruleCode(request)
      const form = parseForm(RuleForm, request.body)
      if (!form.ok) {
        // Show the condition's problems too, so that one submission reveals every mistake.
        const raw = request.body as Record<string, unknown>
        const kind = (await viewRule(db, code)).latest.kind
        const parameters = parametersFrom(kind, {
          ...(raw as unknown as RuleFormValue),
          reasonTemplate: String(raw.reasonTemplate ?? ''),
          roshLevels: toArray(raw.roshLevels),
        })
        const problems = [...form.problems, ...(parameters.ok ? [] : parameters.problems)]
        return editPage(reply, code, 400, formErrors(problems), request.body)
      }
      const result = await createDraft(db, actorOf(request), code, form.value)
      if (!result.ok) return editPage(reply, code, 400, formErrors(result.problems), request.body)
      return reply.redirect(`/rules/${code}/versions/${result.version}/preview`, 303)
    },
  )

  function version(request: FastifyRequest<{ Params: { version: string } }>) {
    const v = VersionParam.safeParse(request.params.version)
    if (!v.success) throw new NotFoundError()
    return v.data
  }

  app.get<{ Params: { code: string; version: string } }>(
    '/rules/:code/versions/:version/preview',
    { config: ruleEditors },
    async (request, reply) => {
      const preview = await previewRule(
        db,
        actorOf(request),
        ruleCode(request),
        version(request),
        originOf(request),
        clock,
      )
      return reply.view('intelligence/views/rule-preview.njk', { preview })
    },
  )

  app.post<{ Params: { code: string; version: string } }>(
    '/rules/:code/versions/:version/enable',
    { config: ruleEditors },
    async (request, reply) => {
      const code = ruleCode(request)
      await enableRule(db, actorOf(request), code, version(request), clock)
      return reply.redirect(`/rules/${code}`, 303)
    },
  )

  scoreRoutes(app, { db, clock, config })
  fairnessRoutes(app, { db, clock, config })
}
