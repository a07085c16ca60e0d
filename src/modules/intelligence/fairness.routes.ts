import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ValidationError } from '../../errors.js'
import { formErrors, parseForm } from '../../platform/http/forms.js'
import { forRoles } from '../../platform/http/route-access.js'
import { barChart } from '../../platform/views/charts.js'
import {
  DISPARITY_RATIO,
  fairness,
  fairnessRules,
  SUPPRESS_BELOW,
  type RuleSection,
} from './fairness.service.js'
import { FairnessQuery } from './fairness.schema.js'

const analysts = forRoles('analyst')

/** Each group's rate as a bar beside everyone's, drawn on the server; the table holds the figures. */
function withCharts(section: RuleSection) {
  const noun = section.subject === 'flag' ? 'a flag' : 'a suggestion'
  return {
    ...section,
    dimensions: section.dimensions.map((d, i) => ({
      ...d,
      chart: barChart({
        id: `chart-${section.subject}-${i}`,
        title: `Share of people with ${noun}, ${d.title.toLowerCase()}: ${section.name}`,
        series: [`People with ${noun}`],
        categories: [section.overall, ...d.rows].map((r, n) => ({
          label: n === 0 ? 'Everyone' : r.group,
          values: [r.people.rate === null ? null : Math.round(r.people.rate * 1000) / 10],
        })),
        format: (v) => `${v}%`,
        hiddenLabel: 'not shown',
      }),
    })),
  }
}

/** The analyst's fairness view: flag and suggestion rates by sex, ethnicity and age band. */
export function fairnessRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/fairness', { config: analysts }, async (request, reply) => {
    const common = { suppressBelow: SUPPRESS_BELOW, disparityRatio: DISPARITY_RATIO }
    const badRequest = async (errors: ReturnType<typeof formErrors>) =>
      reply.code(400).view('intelligence/views/fairness.njk', {
        ...common,
        errors,
        values: request.query,
        rules: await fairnessRules(db),
      })
    const query = parseForm(FairnessQuery, request.query)
    if (!query.ok) return badRequest(query.errors)
    try {
      const figures = await fairness(db, query.value, clock)
      return reply.view('intelligence/views/fairness.njk', {
        ...common,
        ...figures,
        detail: figures.detail.map(withCharts),
        values: { rule: figures.rule, from: figures.from, to: figures.to },
      })
    } catch (error) {
      if (error instanceof ValidationError) return badRequest(formErrors(error.problems))
      throw error
    }
  })
}
