import type { FastifyInstance } from 'fastify'
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

  app.get('/admin/agencies', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/agencies.njk', { agencies: await orgs.listAgencies(db) }),
  )
  app.get('/admin/agencies/new', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/agency.njk', { choices: await admin.choices(db), agencyKinds, values: {} }),
  )
  app.post('/admin/agencies/new', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/agency.njk', {
        choices: await admin.choices(db),
        agencyKinds,
        errors,
        values: request.body,
      })
    return submitForm(reply, AgencyForm, request.body, show, async (v) => {
      await admin.createAgency(db, actorOf(request), originOf(request), v)
      return '/admin/agencies'
    })
  })
  app.get('/admin/agencies/:id', { config: administrators }, async (request, reply) => {
    const agency = await orgs.findAgency(db, idParam(request.params))
    if (!agency) throw new NotFoundError()
    const values = { ...agency, regionId: agency.region_id }
    return reply.view('admin/views/agency.njk', {
      choices: await admin.choices(db),
      agencyKinds,
      values,
      editing: agency.id,
    })
  })
  app.post('/admin/agencies/:id', { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const show = async (errors: unknown) =>
      reply.view('admin/views/agency.njk', {
        choices: await admin.choices(db),
        agencyKinds,
        errors,
        values: request.body,
        editing: id,
      })
    return submitForm(
      reply,
      AgencyForm.extend({ version: Version }),
      request.body,
      show,
      async ({ version, ...v }) => {
        await admin.updateAgency(db, actorOf(request), originOf(request), id, version, v)
        return '/admin/agencies'
      },
    )
  })

  app.get('/admin/teams', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/teams.njk', { teams: await orgs.listTeams(db) }),
  )
  app.get('/admin/teams/new', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/team.njk', { choices: await admin.choices(db), values: {} }),
  )
  app.post('/admin/teams/new', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/team.njk', { choices: await admin.choices(db), errors, values: request.body })
    return submitForm(reply, TeamForm, request.body, show, async (v) => {
      await admin.createTeam(db, actorOf(request), originOf(request), v)
      return '/admin/teams'
    })
  })
  app.get('/admin/teams/:id', { config: administrators }, async (request, reply) => {
    const team = await orgs.findTeam(db, idParam(request.params))
    if (!team) throw new NotFoundError()
    const values = { ...team, agencyId: team.agency_id, regionId: team.region_id, pduId: team.pdu_id }
    const members = await orgs.findTeamMembers(db, team.id)
    return reply.view('admin/views/team.njk', {
      choices: await admin.choices(db),
      values,
      members,
      editing: team.id,
    })
  })
  app.post('/admin/teams/:id', { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const show = async (errors: unknown) =>
      reply.view('admin/views/team.njk', {
        choices: await admin.choices(db),
        errors,
        values: request.body,
        editing: id,
        members: await orgs.findTeamMembers(db, id),
      })
    return submitForm(
      reply,
      TeamForm.extend({ version: Version }),
      request.body,
      show,
      async ({ version, ...v }) => {
        await admin.updateTeam(db, actorOf(request), originOf(request), id, version, v)
        return '/admin/teams'
      },
    )
  })

  app.get('/admin/cohorts', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/cohorts.njk', { cohorts: await orgs.listCohorts(db) }),
  )
  app.get('/admin/cohorts/new', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/cohort.njk', { choices: await admin.choices(db), values: {} }),
  )
  app.post('/admin/cohorts/new', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/cohort.njk', { choices: await admin.choices(db), errors, values: request.body })
    return submitForm(reply, CohortForm, request.body, show, async (v) => {
      await admin.createCohort(db, actorOf(request), originOf(request), v)
      return '/admin/cohorts'
    })
  })
  app.get('/admin/cohorts/:id', { config: administrators }, async (request, reply) => {
    const cohort = await orgs.findCohort(db, idParam(request.params))
    if (!cohort) throw new NotFoundError()
    return reply.view('admin/views/cohort.njk', {
      choices: await admin.choices(db),
      values: { ...cohort, regionId: cohort.region_id },
      editing: cohort.id,
    })
  })
  app.post('/admin/cohorts/:id', { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const show = async (errors: unknown) =>
      reply.view('admin/views/cohort.njk', {
        choices: await admin.choices(db),
        errors,
        values: request.body,
        editing: id,
      })
    return submitForm(
      reply,
      CohortForm.extend({ version: Version }),
      request.body,
      show,
      async ({ version, ...v }) => {
        await admin.updateCohort(db, actorOf(request), originOf(request), id, version, v)
        return '/admin/cohorts'
      },
    )
  })

  userRoutes(app, deps)
  sharingRoutes(app, deps)
}
