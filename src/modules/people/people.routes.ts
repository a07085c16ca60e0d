import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { parseForm } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { londonDayBounds } from '../../platform/views/format.js'
import { BreakGlassForm, CrnParam, SearchQuery, TimelineFilters } from './people.schema.js'
import { TIMELINE_PAGE, viewDetails, viewJourney, viewPerson, viewTimeline } from './person-view.service.js'
import { BREAK_GLASS_HOURS, requestBreakGlass, searchFilterChoices, searchPeople } from './people.service.js'
import { personNotFound } from './person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)

export function peopleRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/search', { config: caseworkers }, async (request, reply) => {
    const actor = actorOf(request)
    const choices = await searchFilterChoices(db, actor)
    const query = parseForm(SearchQuery, request.query)
    if (!query.ok)
      return reply
        .code(400)
        .view('people/views/search.njk', { errors: query.errors, values: request.query, choices })
    const { q, region, team, cohort } = query.value
    const results = q
      ? await searchPeople(
          db,
          actor,
          { text: q, regionId: region, teamId: team, cohortId: cohort },
          originOf(request),
        )
      : null
    return reply.view('people/views/search.njk', {
      values: query.value,
      results,
      choices,
      narrowed: !!(region || team || cohort),
    })
  })

  /** The person's pages: see personNotFound for a CRN that finds nobody. */
  async function personPage<T>(
    request: FastifyRequest<{ Params: { crn: string } }>,
    reply: FastifyReply,
    load: (crn: string) => Promise<T | null>,
    render: (found: T) => unknown,
  ) {
    const crn = CrnParam.safeParse(request.params.crn)
    if (!crn.success) throw new NotFoundError()
    const found = await load(crn.data)
    if (found) return render(found)
    return personNotFound(db, reply, crn.data)
  }

  app.get<{ Params: { crn: string } }>('/people/:crn', { config: caseworkers }, (request, reply) =>
    personPage(
      request,
      reply,
      (crn) => viewPerson(db, actorOf(request), crn, originOf(request), clock),
      (view) => reply.view('people/views/person.njk', { ...view, section: 'overview' }),
    ),
  )

  app.get<{ Params: { crn: string } }>('/people/:crn/details', { config: caseworkers }, (request, reply) =>
    personPage(
      request,
      reply,
      (crn) => viewDetails(db, actorOf(request), crn, originOf(request), clock),
      (view) => reply.view('people/views/details.njk', { ...view, section: 'details' }),
    ),
  )

  app.get<{ Params: { crn: string } }>('/people/:crn/timeline', { config: caseworkers }, (request, reply) => {
    const filters = parseForm(TimelineFilters, request.query)
    const values = request.query as Record<string, string>
    if (!filters.ok) {
      return personPage(
        request,
        reply,
        (crn) => viewTimeline(db, actorOf(request), crn, { limit: 0 }, originOf(request), clock),
        (view) =>
          reply.code(400).view('people/views/timeline.njk', {
            ...view,
            days: [],
            errors: filters.errors,
            values,
            section: 'timeline',
          }),
      )
    }
    const { agency, kind, pathway, from, to, before } = filters.value
    const filter = {
      agencyId: agency,
      kind,
      pathway,
      from: from ? londonDayBounds(new Date(`${from}T12:00:00Z`)).start : undefined,
      to: to ? londonDayBounds(new Date(`${to}T12:00:00Z`)).end : undefined,
      before,
      limit: TIMELINE_PAGE,
    }
    const query = new URLSearchParams(
      Object.entries({ agency, kind, pathway, from, to }).filter((e): e is [string, string] => !!e[1]),
    )
    return personPage(
      request,
      reply,
      (crn) => viewTimeline(db, actorOf(request), crn, filter, originOf(request), clock),
      (view) =>
        reply.view('people/views/timeline.njk', {
          ...view,
          values,
          section: 'timeline',
          filtered: query.size > 0,
          nextQuery: view.next ? `${query.toString()}&before=${encodeURIComponent(view.next)}` : null,
        }),
    )
  })

  app.get<{ Params: { crn: string } }>('/people/:crn/journey', { config: caseworkers }, (request, reply) =>
    personPage(
      request,
      reply,
      (crn) => viewJourney(db, actorOf(request), crn, originOf(request), clock),
      (view) => reply.view('people/views/journey.njk', { ...view, section: 'journey' }),
    ),
  )

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
