import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError, ValidationError, type FieldProblem } from '../../errors.js'
import { recordAudit } from '../../platform/audit/audit.js'
import { formErrors, problemsFrom } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { DASHBOARD_ROLES } from './dashboards.policy.js'
import { DashboardQuery, MeasureParam, type DashboardQueryValue } from './dashboards.schema.js'
import { dashboardFor, type Dashboard } from './dashboards.service.js'
import { toCsv } from './tables.js'

/**
 * The filters from the query string. A bad field is reported and left out, and the rest kept,
 * so the page still shows figures beside the error summary.
 */
function filtersOf(raw: unknown): { query: DashboardQueryValue; problems: FieldProblem[] } {
  const input = { ...((raw ?? {}) as Record<string, unknown>) }
  const parsed = DashboardQuery.safeParse(input)
  if (parsed.success) return { query: parsed.data, problems: [] }
  const problems = problemsFrom(parsed.error)
  for (const p of problems) delete input[p.field]
  return { query: DashboardQuery.parse(input), problems }
}

/** The dashboard for the filters; an unknown area or cohort is reported and dropped in turn. */
async function dashboardWithProblems(deps: AppDeps, request: FastifyRequest) {
  const { query, problems } = filtersOf(request.query)
  for (let attempt = 0; ; attempt++) {
    try {
      return { dashboard: await dashboardFor(deps.db, actorOf(request), query, deps.clock), problems }
    } catch (error) {
      if (!(error instanceof ValidationError) || attempt > 2) throw error
      problems.push(...error.problems)
      for (const p of error.problems) delete query[p.field as keyof DashboardQueryValue]
    }
  }
}

function page(reply: FastifyReply, dashboard: Dashboard, problems: FieldProblem[]) {
  const query = new URLSearchParams({ area: dashboard.areaValue, period: dashboard.period.code })
  if (dashboard.cohort) query.set('cohort', dashboard.cohort.code)
  return reply.code(problems.length ? 400 : 200).view('dashboards/views/dashboard.njk', {
    dashboard,
    errors: problems.length ? formErrors(problems) : null,
    csvQuery: query.toString(),
  })
}

export function dashboardRoutes(app: FastifyInstance, deps: AppDeps) {
  const access = forRoles(...DASHBOARD_ROLES)

  app.get('/dashboards', { config: access }, async (request, reply) => {
    const { dashboard, problems } = await dashboardWithProblems(deps, request)
    return page(reply, dashboard, problems)
  })

  app.get<{ Params: { measure: string } }>(
    '/dashboards/:measure.csv',
    { config: access },
    async (request, reply) => {
      const measure = MeasureParam.safeParse(request.params.measure)
      if (!measure.success) throw new NotFoundError()
      const { dashboard, problems } = await dashboardWithProblems(deps, request)
      // A download with a bad filter shows the page and its error rather than a file of the wrong figures.
      if (problems.length) return page(reply, dashboard, problems)
      const table = dashboard.measures.find((m) => m.measure === measure.data)!.table
      const actor = actorOf(request)
      // Figures leaving the service are on the record, though they name nobody.
      await recordAudit(deps.db, {
        actor,
        action: 'export',
        personIds: [],
        categories: [],
        origin: originOf(request),
        purpose: 'Downloaded dashboard figures',
        detail: { measure: measure.data, area: dashboard.areaValue, period: dashboard.period.code },
      })
      const area = dashboard.areaValue.replace(':', '-').toLowerCase()
      const cohort = dashboard.cohort ? `-${dashboard.cohort.code.toLowerCase()}` : ''
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="tandem-${measure.data}-${area}${cohort}-${dashboard.period.code}.csv"`,
        )
        .send(toCsv(table))
    },
  )
}
