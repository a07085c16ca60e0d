import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, type FieldProblem } from '../../errors.js'
import { AGENCY_KIND_NAMES, ALLOCATION_ROLE_NAMES } from '../../platform/access/actor.js'
import { formErrors, parseForm } from '../../platform/http/forms.js'
import { actorOf, originOf } from '../../platform/http/route-access.js'
import { changers, mayChangeCohorts, viewers } from './cohorts.policy.js'
import { AreaQuery, codeOf, ResponsibilityRow } from './cohorts.schema.js'
import { cohortByCode, regionChoices } from './cohorts.service.js'
import { MATRIX_KEYS, saveMatrix, viewMatrix, type MatrixEntry } from './responsibilities.service.js'

const agencyChoices = Object.entries(AGENCY_KIND_NAMES).map(([value, text]) => ({ value, text }))
const roleChoices = Object.entries(ALLOCATION_ROLE_NAMES).map(([value, text]) => ({ value, text }))

/** The roles and responsibilities matrix of a cohort, per area. */
export function responsibilityRoutes(app: FastifyInstance, { db }: AppDeps) {
  const show = async (code: string, area: string | undefined) => {
    const cohort = await cohortByCode(db, code)
    // The area shown: the one asked for, else the cohort's own, else national.
    const shown = area ?? cohort.regionId ?? 'national'
    const { lines } = await viewMatrix(db, code, shown === 'national' ? null : shown)
    return {
      cohort,
      lines,
      area: shown,
      regions: await regionChoices(db),
      agencyChoices,
      roleChoices,
      section: 'responsibilities',
    }
  }

  app.get<{ Params: { code: string } }>(
    '/cohorts/:code/responsibilities',
    { config: viewers },
    async (request, reply) => {
      const query = parseForm(AreaQuery, request.query)
      const view = await show(codeOf(request.params), query.ok ? query.value.area : undefined)
      return reply.code(query.ok ? 200 : 400).view('cohorts/views/responsibilities.njk', {
        ...view,
        errors: query.ok ? undefined : query.errors,
        mayChange: mayChangeCohorts(request.actor),
        saved: (request.query as Record<string, string>).saved === '1',
      })
    },
  )

  app.post<{ Params: { code: string } }>(
    '/cohorts/:code/responsibilities',
    { config: changers },
    async (request, reply) => {
      const code = codeOf(request.params)
      const body = (request.body ?? {}) as Record<string, unknown>
      const area = parseForm(AreaQuery, { area: body.area })
      const areaId = area.ok ? (area.value.area ?? 'national') : 'national'
      const problems: FieldProblem[] = area.ok ? [] : area.problems
      const entries: MatrixEntry[] = []
      for (const { key } of MATRIX_KEYS) {
        if (!(`lead-${key}` in body)) continue
        const row = parseForm(ResponsibilityRow, {
          lead: body[`lead-${key}`],
          role: body[`role-${key}`],
          version: body[`version-${key}`],
        })
        if (row.ok) entries.push({ key, ...row.value })
        else problems.push(...row.problems.map((p) => ({ ...p, field: `${p.field}-${key}` })))
      }
      if (problems.length) {
        const view = await show(code, areaId)
        return reply.code(400).view('cohorts/views/responsibilities.njk', {
          ...view,
          values: body,
          errors: formErrors(problems),
          mayChange: true,
        })
      }
      try {
        await saveMatrix(
          db,
          actorOf(request),
          originOf(request),
          code,
          areaId === 'national' ? null : areaId,
          entries,
        )
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error
        const submitted = entries.map((e) => ({
          key: e.key,
          value: [
            e.lead ? AGENCY_KIND_NAMES[e.lead] : 'Not set here',
            e.role ? ALLOCATION_ROLE_NAMES[e.role] : '',
          ]
            .filter(Boolean)
            .join(', '),
        }))
        return reply.code(409).view('errors/conflict.njk', { submitted })
      }
      return reply.redirect(`/cohorts/${code}/responsibilities?area=${areaId}&saved=1`, 303)
    },
  )
}
