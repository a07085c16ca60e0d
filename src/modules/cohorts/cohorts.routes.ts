import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { parseForm, submitForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, originOf } from '../../platform/http/route-access.js'
import { humanise, londonDate } from '../../platform/views/format.js'
import { CrnParam } from '../people/people.schema.js'
import * as service from './cohorts.service.js'
import * as membership from './membership.service.js'
import {
  AreaQuery,
  codeOf,
  CUSTODY_STATUSES,
  decisionBody,
  decisionValues,
  decisionForm,
  DeselectForm,
  EditCohortForm,
  linkReviewOnToDay,
  MemberFilters,
  NewCohortForm,
  OFFENCE_CATEGORIES,
  PageQuery,
  ROSH_LEVELS,
  SENTENCE_TYPES,
  type Criteria,
} from './cohorts.schema.js'
import { changers, mayChangeCohorts, viewers } from './cohorts.policy.js'
import { memberRoutes } from './member.routes.js'
import { responsibilityRoutes } from './responsibilities.routes.js'
import { personNotFound } from '../people/person-not-found.js'

const options = (values: readonly string[]) => values.map((value) => ({ value, text: humanise(value) }))
const CRITERIA_CHOICES = {
  offenceCategories: options(OFFENCE_CATEGORIES),
  sentenceTypes: options(SENTENCE_TYPES),
  roshLevels: options(ROSH_LEVELS),
  custodyStatuses: options(CUSTODY_STATUSES),
}

type Params = { code: string }
type PersonParams = { code: string; crn: string }

function crnOf(params: unknown): string {
  const crn = CrnParam.safeParse((params as PersonParams).crn)
  if (!crn.success) throw new NotFoundError()
  return crn.data
}

/** A stored definition as the form's values. */
function formValues(cohort: service.Cohort) {
  const c: Criteria = cohort.criteria
  const number = (n: number | undefined) => (n === undefined ? '' : String(n))
  return {
    name: cohort.name,
    description: cohort.description,
    regionId: cohort.regionId ?? '',
    offenceCategories: c.offenceCategories ?? [],
    sentenceTypes: c.sentenceTypes ?? [],
    minSentenceDays: number(c.minSentenceDays),
    maxSentenceDays: number(c.maxSentenceDays),
    roshLevels: c.roshLevels ?? [],
    minAge: number(c.minAge),
    maxAge: number(c.maxAge),
    custodyStatuses: c.custodyStatuses ?? [],
    version: cohort.version,
  }
}

/** Cohort definitions, members, suggestions and decisions; the responsibilities matrix. */
export function cohortRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  const mayChange = (request: FastifyRequest) => mayChangeCohorts(request.actor)

  app.get('/cohorts', { config: viewers }, async (request, reply) => {
    const query = parseForm(AreaQuery, request.query)
    const area = query.ok ? query.value.area : undefined
    const [cohorts, regions] = [
      await service.listCohorts(db, actorOf(request), clock, area),
      await service.regionChoices(db),
    ]
    return reply.code(query.ok ? 200 : 400).view('cohorts/views/cohorts.njk', {
      cohorts,
      regions,
      area: area ?? '',
      errors: query.ok ? undefined : query.errors,
      mayChange: mayChange(request),
    })
  })

  const showForm = async (reply: FastifyReply, values: unknown, errors?: FormErrors, editing?: string) =>
    reply.view('cohorts/views/cohort-form.njk', {
      values,
      errors,
      editing,
      regions: await service.regionChoices(db),
      choices: CRITERIA_CHOICES,
    })

  app.get('/cohorts/new', { config: changers }, async (_request, reply) => showForm(reply, {}))
  app.post('/cohorts/new', { config: changers }, async (request, reply) =>
    submitForm(
      reply,
      NewCohortForm,
      request.body,
      (errors) => showForm(reply, request.body, errors),
      async (v) => {
        await service.createCohort(db, actorOf(request), originOf(request), v)
        return `/cohorts/${v.code}`
      },
    ),
  )

  app.get<{ Params: Params }>('/cohorts/:code/edit', { config: changers }, async (request, reply) => {
    const cohort = await service.cohortByCode(db, codeOf(request.params))
    return showForm(reply, formValues(cohort), undefined, cohort.code)
  })
  app.post<{ Params: Params }>('/cohorts/:code/edit', { config: changers }, async (request, reply) => {
    const cohort = await service.cohortByCode(db, codeOf(request.params))
    return submitForm(
      reply,
      EditCohortForm,
      request.body,
      (errors) => showForm(reply, request.body, errors, cohort.code),
      async (v) => {
        await service.updateCohort(db, actorOf(request), originOf(request), cohort.code, v)
        return `/cohorts/${cohort.code}`
      },
    )
  })

  app.get<{ Params: Params }>('/cohorts/:code', { config: viewers }, async (request, reply) => {
    const code = codeOf(request.params)
    const query = parseForm(MemberFilters, request.query)
    const filter = query.ok ? query.value : { page: 1, team: undefined, risk: undefined, review: undefined }
    const view = await service.viewMembers(db, actorOf(request), originOf(request), clock, code, {
      teamId: filter.team,
      risk: filter.risk,
      reviewDue: filter.review === 'due',
      page: filter.page,
    })
    const params = new URLSearchParams(
      Object.entries({ team: filter.team, risk: filter.risk, review: filter.review }).filter(
        (e): e is [string, string] => !!e[1],
      ),
    )
    return reply.code(query.ok ? 200 : 400).view('cohorts/views/cohort.njk', {
      ...view,
      section: 'members',
      values: request.query,
      errors: query.ok ? undefined : query.errors,
      page: filter.page,
      filterQuery: params.toString(),
      filtered: params.size > 0,
      riskChoices: CRITERIA_CHOICES.roshLevels,
      mayChange: mayChange(request),
      updated: (request.query as Record<string, string>).updated === '1',
    })
  })

  app.get<{ Params: Params }>('/cohorts/:code/suggestions', { config: viewers }, async (request, reply) => {
    const page = PageQuery.parse(request.query).page
    const view = await service.viewSuggestions(
      db,
      actorOf(request),
      originOf(request),
      clock,
      codeOf(request.params),
      page,
    )
    return reply.view('cohorts/views/suggestions.njk', {
      ...view,
      section: 'suggestions',
      page,
      mayChange: mayChange(request),
      decided: (request.query as Record<string, string>).decided,
    })
  })

  const showDecision = async (
    request: FastifyRequest<{ Params: PersonParams }>,
    reply: FastifyReply,
    values: unknown,
    errors?: FormErrors,
  ) => {
    const crn = crnOf(request.params)
    const view = await membership.viewCandidate(
      db,
      actorOf(request),
      originOf(request),
      clock,
      codeOf(request.params),
      crn,
    )
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('cohorts/views/decision.njk', { ...view, values, errors, section: 'suggestions' })
  }

  app.get<{ Params: PersonParams }>(
    '/cohorts/:code/suggestions/:crn',
    { config: changers },
    (request, reply) => showDecision(request, reply, {}),
  )
  app.post<{ Params: PersonParams }>(
    '/cohorts/:code/suggestions/:crn',
    { config: changers },
    (request, reply) => {
      const code = codeOf(request.params)
      const crn = crnOf(request.params)
      return submitForm(
        reply,
        decisionForm(londonDate(clock.now())),
        decisionBody(request.body),
        (errors) => showDecision(request, reply, decisionValues(request.body), linkReviewOnToDay(errors)),
        async (v) => {
          await membership.decide(db, actorOf(request), originOf(request), clock, code, crn, v)
          return `/cohorts/${code}/suggestions?decided=${v.decision}`
        },
      )
    },
  )

  const showDeselect = async (
    request: FastifyRequest<{ Params: PersonParams }>,
    reply: FastifyReply,
    values: unknown,
    errors?: FormErrors,
  ) => {
    const crn = crnOf(request.params)
    const view = await membership.viewMember(
      db,
      actorOf(request),
      originOf(request),
      codeOf(request.params),
      crn,
    )
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('cohorts/views/deselect.njk', {
      ...view,
      values,
      errors,
      section: 'members',
    })
  }
  app.get<{ Params: PersonParams }>(
    '/cohorts/:code/members/:crn/deselect',
    { config: changers },
    (request, reply) => showDeselect(request, reply, {}),
  )
  app.post<{ Params: PersonParams }>(
    '/cohorts/:code/members/:crn/deselect',
    { config: changers },
    (request, reply) => {
      const code = codeOf(request.params)
      const crn = crnOf(request.params)
      return submitForm(
        reply,
        DeselectForm,
        request.body,
        (errors) => showDeselect(request, reply, request.body, errors),
        async (v) => {
          await membership.deselect(db, actorOf(request), originOf(request), clock, code, crn, v.reason)
          return `/cohorts/${code}?updated=1`
        },
      )
    },
  )

  memberRoutes(app, deps)
  responsibilityRoutes(app, deps)
}
