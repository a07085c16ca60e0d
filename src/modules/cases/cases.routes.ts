import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { allocationRoutes } from './allocation.routes.js'
import { caseloadHeaders, caseloadQueryString, isFiltered } from './caseload-view.js'
import { myCaseload, practitionerCaseload, teamCaseloads, type Caseload } from './caseload.service.js'
import {
  CaseloadQuery,
  ROSH_LEVELS,
  TIER_LETTERS,
  UuidParam,
  type CaseloadQueryValue,
} from './cases.schema.js'

const DEFAULT_QUERY: CaseloadQueryValue = { flagged: false, overdue: false, sort: 'name', order: 'ascending' }

/** Filters and sort from the query string; bad values are reported and the defaults used instead. */
function caseloadQuery(request: FastifyRequest): { query: CaseloadQueryValue; errors: FormErrors | null } {
  const parsed = parseForm(CaseloadQuery, request.query)
  return parsed.ok ? { query: parsed.value, errors: null } : { query: DEFAULT_QUERY, errors: parsed.errors }
}

function caseloadPage(
  reply: FastifyReply,
  view: { basePath: string; query: CaseloadQueryValue; errors: FormErrors | null; caseload: Caseload },
  extra: Record<string, unknown> = {},
) {
  const { query, caseload, basePath } = view
  return reply.code(view.errors ? 400 : 200).view('cases/views/caseload.njk', {
    ...extra,
    basePath,
    errors: view.errors,
    values: query,
    caseload,
    headers: caseloadHeaders(basePath, query),
    filtered: isFiltered(query),
    clearHref: `${basePath}${caseloadQueryString({ ...DEFAULT_QUERY }, query.sort, query.order)}`,
    choices: {
      risk: ROSH_LEVELS.map((value) => ({
        value,
        text: value.replace('_', ' ').replace(/^./, (c) => c.toUpperCase()),
      })),
      tier: TIER_LETTERS.map((value) => ({ value, text: `Tier ${value}` })),
      stage: [...new Set([...caseload.stages, ...(query.stage ? [query.stage] : [])])].map((value) => ({
        value,
        text: value.replace(/[_-]/g, ' ').replace(/^./, (c) => c.toUpperCase()),
      })),
    },
  })
}

export function caseRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  const managers = forRoles('manager')

  app.get('/caseload', { config: forRoles(...CASEWORK_ROLES) }, async (request, reply) => {
    const { query, errors } = caseloadQuery(request)
    const caseload = await myCaseload(db, actorOf(request), query, originOf(request), clock)
    return caseloadPage(reply, { basePath: '/caseload', query, errors, caseload }, { mine: true })
  })

  app.get('/caseload/team', { config: managers }, async (request, reply) => {
    const teams = await teamCaseloads(db, actorOf(request), clock)
    return reply.view('cases/views/team-caseload.njk', { teams })
  })

  app.get<{ Params: { userId: string } }>(
    '/caseload/team/:userId',
    { config: managers },
    async (request, reply) => {
      const userId = UuidParam.safeParse(request.params.userId)
      if (!userId.success) throw new NotFoundError()
      const { query, errors } = caseloadQuery(request)
      const basePath = `/caseload/team/${userId.data}`
      const { member, caseload } = await practitionerCaseload(
        db,
        actorOf(request),
        userId.data,
        query,
        originOf(request),
        clock,
      )
      return caseloadPage(reply, { basePath, query, errors, caseload }, { member })
    },
  )

  allocationRoutes(app, deps)
}
