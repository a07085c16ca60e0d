import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { parseForm } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { ageOn, londonDate } from '../../platform/views/format.js'
import { BreakGlassForm, CrnParam, SearchQuery } from './people.schema.js'
import {
  BREAK_GLASS_HOURS,
  listCaseload,
  requestBreakGlass,
  searchPeople,
  viewPerson,
} from './people.service.js'

const caseworkers = forRoles(...CASEWORK_ROLES)

export function peopleRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/search', { config: caseworkers }, async (request, reply) => {
    const query = parseForm(SearchQuery, request.query)
    if (!query.ok) return reply.code(400).view('people/views/search.njk', { errors: query.errors, q: '' })
    const text = query.value.q
    const results = text ? await searchPeople(db, actorOf(request), text, originOf(request)) : null
    return reply.view('people/views/search.njk', { q: text, results })
  })

  app.get('/caseload', { config: caseworkers }, async (request, reply) => {
    const people = await listCaseload(db, actorOf(request), originOf(request))
    return reply.view('people/views/caseload.njk', { people })
  })

  app.get<{ Params: { crn: string } }>('/people/:crn', { config: caseworkers }, async (request, reply) => {
    const crn = CrnParam.safeParse(request.params.crn)
    if (!crn.success) throw new NotFoundError()
    const view = await viewPerson(db, actorOf(request), crn.data, originOf(request), clock)
    if (!view) {
      return reply.code(404).view('people/views/not-found.njk', { crn: crn.data })
    }
    return reply.view('people/views/person.njk', {
      ...view,
      age: ageOn(view.person.dateOfBirth, londonDate(clock.now())),
    })
  })

  app.get<{ Querystring: { crn?: string } }>(
    '/break-glass',
    { config: caseworkers },
    async (request, reply) => {
      return reply.view('people/views/break-glass.njk', {
        values: { crn: request.query.crn ?? '' },
        hours: BREAK_GLASS_HOURS,
      })
    },
  )

  app.post('/break-glass', { config: caseworkers }, async (request, reply) => {
    const form = parseForm(BreakGlassForm, request.body)
    if (!form.ok) {
      return reply.code(400).view('people/views/break-glass.njk', {
        errors: form.errors,
        values: request.body,
        hours: BREAK_GLASS_HOURS,
      })
    }
    const outcome = await requestBreakGlass(
      db,
      actorOf(request),
      form.value.crn,
      form.value.reason,
      originOf(request),
      clock,
    )
    if (outcome === 'refused') {
      return reply
        .code(403)
        .view('people/views/break-glass.njk', { refused: true, values: form.value, hours: BREAK_GLASS_HOURS })
    }
    return reply.redirect(`/people/${form.value.crn}`, 303)
  })
}
