import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { AGENCY_KINDS, AGENCY_KIND_NAMES } from '../../platform/access/actor.js'
import { prefixErrors, submitForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { AgencyForm, CohortForm, PduForm, RegionForm, TeamForm, Version } from './admin.schema.js'
import * as admin from './admin.service.js'
import * as orgs from './organisations.repository.js'
import { sharingRoutes } from './sharing.routes.js'
import { userRoutes } from './users.routes.js'

export const administrators = forRoles('administrator')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A route's :id, or a 404 when it is not even a well-formed id. */
export function idParam(params: unknown): string {
  const id = (params as { id?: string }).id ?? ''
  if (!UUID.test(id)) throw new NotFoundError()
  return id
}

const agencyKinds = AGENCY_KINDS.map((kind) => ({ value: kind, text: AGENCY_KIND_NAMES[kind] }))

/** Administration of the organisations Tandem serves: regions, delivery units, agencies, teams, cohorts. */
export function adminRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps

  app.get('/admin', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/index.njk'),
  )

  app.get('/admin/regions', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/regions.njk', {
      regions: await orgs.listRegions(db),
      choices: await admin.choices(db),
    }),
  )
  app.post('/admin/regions', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/regions.njk', {
        regions: await orgs.listRegions(db),
        choices: await admin.choices(db),
        errors,
        values: request.body,
      })
    return submitForm(reply, RegionForm, request.body, show, async (v) => {
      await admin.createRegion(db, actorOf(request), originOf(request), v)
      return '/admin/regions'
    })
  })
  app.post('/admin/regions/units', { config: administrators }, async (request, reply) => {
    // Two forms share the page, so this one's fields carry a prefix.
    const show = async (errors: FormErrors) =>
      reply.view('admin/views/regions.njk', {
        regions: await orgs.listRegions(db),
        choices: await admin.choices(db),
        errors: prefixErrors(errors, 'unit-'),
        values: request.body,
        unitForm: true,
      })
    return submitForm(reply, PduForm, request.body, show, async (v) => {
      await admin.createPdu(db, actorOf(request), originOf(request), v)
      return '/admin/regions'
    })
  })

  editableRecords(app, {
    path: '/admin/agencies',
    listTemplate: 'admin/views/agencies.njk',
    list: async () => ({ agencies: await orgs.listAgencies(db) }),
    template: 'admin/views/agency.njk',
    context: async () => ({ choices: await admin.choices(db), agencyKinds }),
    find: async (id) => {
      const agency = await orgs.findAgency(db, id)
      return agency && { values: { ...agency, regionId: agency.region_id } }
    },
    schema: AgencyForm,
    create: (request, v) => admin.createAgency(db, actorOf(request), originOf(request), v),
    update: (request, id, version, v) =>
      admin.updateAgency(db, actorOf(request), originOf(request), id, version, v),
  })

  editableRecords(app, {
    path: '/admin/teams',
    listTemplate: 'admin/views/teams.njk',
    list: async () => ({ teams: await orgs.listTeams(db) }),
    template: 'admin/views/team.njk',
    context: async (id) => ({
      choices: await admin.choices(db),
      members: id ? await orgs.findTeamMembers(db, id) : [],
    }),
    find: async (id) => {
      const team = await orgs.findTeam(db, id)
      return (
        team && {
          values: { ...team, agencyId: team.agency_id, regionId: team.region_id, pduId: team.pdu_id },
        }
      )
    },
    schema: TeamForm,
    create: (request, v) => admin.createTeam(db, actorOf(request), originOf(request), v),
    update: (request, id, version, v) =>
      admin.updateTeam(db, actorOf(request), originOf(request), id, version, v),
  })

  editableRecords(app, {
    path: '/admin/cohorts',
    listTemplate: 'admin/views/cohorts.njk',
    list: async () => ({ cohorts: await orgs.listCohorts(db) }),
    template: 'admin/views/cohort.njk',
    context: async () => ({ choices: await admin.choices(db) }),
    find: async (id) => {
      const cohort = await orgs.findCohort(db, id)
      return cohort && { values: { ...cohort, regionId: cohort.region_id } }
    },
    schema: CohortForm,
    create: (request, v) => admin.createCohort(db, actorOf(request), originOf(request), v),
    update: (request, id, version, v) =>
      admin.updateCohort(db, actorOf(request), originOf(request), id, version, v),
  })

  userRoutes(app, deps)
  sharingRoutes(app, deps)
}

interface EditableRecords<S extends z.ZodObject> {
  /** Where the list lives; `/new` adds a record and `/:id` changes one. */
  path: string
  listTemplate: string
  list: () => Promise<Record<string, unknown>>
  /** One form template for adding and changing (it sees `editing` when changing). */
  template: string
  context: (id: string | null) => Promise<Record<string, unknown>>
  find: (id: string) => Promise<{ values: Record<string, unknown> } | undefined | null>
  schema: S
  create: (request: FastifyRequest, value: z.infer<S>) => Promise<unknown>
  update: (request: FastifyRequest, id: string, version: number, value: z.infer<S>) => Promise<unknown>
}

/**
 * The pages of a simple administered record: a list, a form to add one and a form to change
 * one, whose hidden version makes a stale change a conflict rather than an overwrite.
 */
function editableRecords<S extends z.ZodObject>(app: FastifyInstance, spec: EditableRecords<S>) {
  const form = async (reply: FastifyReply, id: string | null, extra: Record<string, unknown>) =>
    reply.view(spec.template, { ...(await spec.context(id)), editing: id, ...extra })

  app.get(spec.path, { config: administrators }, async (_request, reply) =>
    reply.view(spec.listTemplate, await spec.list()),
  )
  app.get(`${spec.path}/new`, { config: administrators }, async (_request, reply) =>
    form(reply, null, { values: {} }),
  )
  app.post(`${spec.path}/new`, { config: administrators }, async (request, reply) => {
    const show = (errors: unknown) => form(reply, null, { errors, values: request.body })
    return submitForm(reply, spec.schema, request.body, show, async (value) => {
      await spec.create(request, value)
      return spec.path
    })
  })
  app.get(`${spec.path}/:id`, { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const found = await spec.find(id)
    if (!found) throw new NotFoundError()
    return form(reply, id, { values: found.values })
  })
  app.post(`${spec.path}/:id`, { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const show = (errors: unknown) => form(reply, id, { errors, values: request.body })
    const withVersion = spec.schema.extend({ version: Version })
    return submitForm(reply, withVersion, request.body, show, async ({ version, ...value }) => {
      await spec.update(request, id, version as number, value as z.infer<S>)
      return spec.path
    })
  })
}
