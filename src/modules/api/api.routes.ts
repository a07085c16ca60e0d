import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { actorOf, apiScope, originOf } from '../../platform/http/route-access.js'
import { searchPeople } from '../people/people.service.js'
import { TIMELINE_PAGE, viewPerson, viewTimeline } from '../people/person-view.service.js'
import {
  CrnPath,
  PeopleQuery,
  Person,
  PersonSummary,
  Problem,
  TimelineItem,
  TimelineQuery,
} from './api.schema.js'
import { caseApiRoutes } from './case-api.routes.js'

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem }

/**
 * The partner REST API. It calls the same services as the pages, so access rules and the
 * audit log are identical; a client sees only what its agency's agreements share.
 */
export async function apiRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tandem API',
        description:
          'People on probation and their timelines, for partner systems. Authenticate with `Authorization: Bearer <token>`; ' +
          'every call is recorded in the access log. Errors are application/problem+json (RFC 9457).',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // The document describes the partner API only, not the pages.
    transform: (input) =>
      input.url.startsWith('/api/v1/')
        ? jsonSchemaTransform(input)
        : { schema: { hide: true }, url: input.url },
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true })

  const api = app.withTypeProvider<ZodTypeProvider>()

  api.get(
    '/api/v1/people',
    {
      config: apiScope('people:read'),
      schema: {
        summary: 'Find people by name or identifier',
        querystring: PeopleQuery,
        response: { 200: z.object({ people: z.array(PersonSummary) }), ...errors },
      },
    },
    async (request) => {
      const people = await searchPeople(db, actorOf(request), { text: request.query.q }, originOf(request))
      return {
        people: people.map((p) => ({
          crn: p.crn,
          nomsNumber: p.nomsNumber,
          pncNumber: p.pncNumber,
          croNumber: p.croNumber,
          firstName: p.firstName,
          lastName: p.lastName,
          dateOfBirth: p.dateOfBirth,
          gender: p.gender,
          access: p.access,
        })),
      }
    },
  )

  api.get(
    '/api/v1/people/:crn',
    {
      config: apiScope('people:read'),
      schema: {
        summary: 'One person, with the categories shared with your agency',
        params: CrnPath,
        response: { 200: Person, ...errors },
      },
    },
    async (request) => {
      const view = await viewPerson(db, actorOf(request), request.params.crn, originOf(request), clock)
      if (!view) throw new NotFoundError('No person with this CRN is shared with you')
      const { person, sentences, registrations } = view
      const shares = (category: string) => person.access.categories.includes(category as never)
      return {
        identity: {
          crn: person.crn,
          nomsNumber: person.nomsNumber,
          pncNumber: person.pncNumber,
          croNumber: person.croNumber,
          firstName: person.firstName,
          lastName: person.lastName,
          dateOfBirth: person.dateOfBirth,
          gender: person.gender,
        },
        access: person.access,
        ...(view.shares.sentence
          ? {
              sentence: {
                custodyStatus: person.custodyStatus,
                prisonCode: person.prisonCode,
                sentences: sentences.map((s) => ({
                  description: s.description,
                  offence: s.offence,
                  court: s.court,
                  sentencedOn: s.sentenced_on,
                  expectedReleaseOn: s.expected_release_on,
                  licenceEndOn: s.licence_end_on,
                  sentenceEndOn: s.sentence_end_on,
                })),
              },
            }
          : {}),
        ...(shares('risk')
          ? {
              risk: {
                roshLevel: person.roshLevel,
                mappaCategory: person.mappaCategory,
                mappaLevel: person.mappaLevel,
                tier: person.tier,
              },
            }
          : {}),
        registrations: registrations.map((r) => ({
          typeCode: r.type_code,
          description: r.type_description,
          category: r.category,
          registeredOn: r.registered_on,
        })),
      }
    },
  )

  api.get(
    '/api/v1/people/:crn/timeline',
    {
      config: apiScope('timeline:read'),
      schema: {
        summary: "A person's timeline, newest first, as your agency may see it; page with `before`",
        params: CrnPath,
        querystring: TimelineQuery,
        response: { 200: z.object({ items: z.array(TimelineItem), next: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const page = await viewTimeline(
        db,
        actorOf(request),
        request.params.crn,
        { before: request.query.before, limit: TIMELINE_PAGE },
        originOf(request),
        clock,
      )
      if (!page) throw new NotFoundError('No person with this CRN is shared with you')
      return {
        items: page.items.map((t) => ({
          id: t.id,
          occurredAt: new Date(t.occurred_at).toISOString(),
          kind: t.kind,
          category: t.category,
          title: t.title,
          summary: t.summary,
          agency: t.agency_name,
          sourceSystem: t.source_system,
        })),
        next: page.next,
      }
    },
  )
  caseApiRoutes(app, deps)
}
