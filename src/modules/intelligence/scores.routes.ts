import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { submitForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { CrnParam } from '../people/people.schema.js'
import { personHeader } from '../people/person-view.service.js'
import { OGRS3_BAND_LABELS, OGRS3_OFFENCE_CATEGORIES } from './ogrs3.js'
import { ASSUMPTIONS } from './score-inputs.js'
import { FEMALE_UNDER_16_CHOICES, Ogrs3SettingsForm, SEXUAL_WEIGHT_CHOICES } from './scores.schema.js'
import { changeScoreSettings, viewScoreSettings, viewScoresOfPerson } from './scores.service.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
const ruleEditors = forRoles('coordinator', 'administrator')

const CATEGORY_LABELS = Object.fromEntries(
  Object.entries(OGRS3_OFFENCE_CATEGORIES).map(([key, value]) => [key, value.label]),
)
const FOLLOW_UP_STARTS = {
  sentence: 'the sentence date (a community sentence)',
  release: 'release from custody',
  expected_release: 'the expected release date (still in custody)',
}

/** Scores of a person (OGRS3 and the tier, with inputs and terms) and the disputed OGRS3 weights. */
export function scoreRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get<{ Params: { crn: string } }>(
    '/people/:crn/scores',
    { config: caseworkers },
    async (request, reply) => {
      const actor = actorOf(request)
      const crn = CrnParam.safeParse(request.params.crn)
      if (!crn.success) throw new NotFoundError()
      const header = await personHeader(db, actor, crn.data, clock)
      if (!header) return reply.code(404).view('people/views/not-found.njk', { crn: crn.data })
      const scores = await viewScoresOfPerson(
        db,
        actor,
        { id: header.person.id, categories: header.person.access.categories },
        originOf(request),
        clock,
      )
      return reply.view('intelligence/views/scores.njk', {
        ...header,
        section: 'scores',
        sectionTitle: 'Scores',
        ...scores,
        // Only a protect/change tier (e.g. B2) has a protect level to compare; an A–G tier does not.
        upstreamLetter: /^[A-D][0-3]S?$/.test(scores.upstream?.tier ?? '') ? scores.upstream!.tier![0] : null,
        assumptions: ASSUMPTIONS,
        categoryLabels: CATEGORY_LABELS,
        bandLabels: OGRS3_BAND_LABELS,
        followUpStarts: FOLLOW_UP_STARTS,
      })
    },
  )

  async function settingsPage(
    reply: FastifyReply,
    errors?: FormErrors,
    values?: Record<string, unknown>,
    saved = false,
  ) {
    const current = await viewScoreSettings(db)
    return reply.view('intelligence/views/score-settings.njk', {
      ...current,
      saved,
      sexualChoices: SEXUAL_WEIGHT_CHOICES,
      femaleChoices: FEMALE_UNDER_16_CHOICES,
      errors,
      values: values ?? {
        sexualNotAgainstChildWeight: String(current.weights.sexualNotAgainstChildWeight),
        femaleUnder16Weights: current.weights.femaleUnder16Weights,
      },
    })
  }

  app.get<{ Querystring: { saved?: string } }>('/scores/weights', { config: ruleEditors }, (request, reply) =>
    settingsPage(reply, undefined, undefined, request.query.saved === '1'),
  )

  app.post('/scores/weights', { config: ruleEditors }, (request, reply) =>
    submitForm(
      reply,
      Ogrs3SettingsForm,
      request.body,
      (errors) => settingsPage(reply, errors, request.body as Record<string, unknown>),
      async (value) => {
        await changeScoreSettings(db, actorOf(request), value, clock)
        return '/scores/weights?saved=1'
      },
    ),
  )
}
