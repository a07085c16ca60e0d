import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError, ValidationError } from '../../errors.js'
import { API_SCOPES } from '../../platform/access/actor.js'
import { dateFromParts, dateParts, formErrors, parseForm, submitForm } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { CrnParam } from '../people/people.schema.js'
import { administrators, idParam } from './admin.routes.js'
import { AgreementForm, ApiClientForm, EditAgreementForm, RestrictionForm } from './admin.schema.js'
import * as admin from './admin.service.js'
import * as sharing from './sharing.repository.js'

const SCOPE_NAMES: Record<(typeof API_SCOPES)[number], string> = {
  'people:read': 'Read people (identity and shared categories)',
  'timeline:read': 'Read timelines',
  'appointments:read': 'Read appointments',
  'plans:read': 'Read case plans (the objectives shared, the actions the agency owns)',
  'flags:read': 'Read flags with their reasons and evidence',
  'referrals:read': 'Read referrals (all for the lead agency; those sent to the agency for a provider)',
  'records:write': 'Send records about people (matched to existing people or opening new ones)',
  'events:write': 'Send HMPPS domain events (applied to the people they name)',
}
const scopeChoices = API_SCOPES.map((scope) => ({ value: scope, text: SCOPE_NAMES[scope] }))

/** Agreement forms post dates as three fields each; join them before validating. */
function agreementBody(body: unknown) {
  const fields = (body ?? {}) as Record<string, unknown>
  return { ...fields, startsOn: dateFromParts(fields, 'startsOn'), endsOn: dateFromParts(fields, 'endsOn') }
}

function agreementValues(body: Record<string, unknown>) {
  return {
    ...body,
    startsOnParts: { day: body['startsOn-day'], month: body['startsOn-month'], year: body['startsOn-year'] },
    endsOnParts: { day: body['endsOn-day'], month: body['endsOn-month'], year: body['endsOn-year'] },
  }
}

/** Information sharing agreements, case restrictions and API clients: who may see what. */
export function sharingRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/admin/agreements', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/agreements.njk', { agreements: await sharing.listAgreements(db) }),
  )
  app.get('/admin/agreements/new', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/agreement.njk', {
      choices: await admin.choices(db),
      values: { status: 'active' },
    }),
  )
  app.post('/admin/agreements/new', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/agreement.njk', {
        choices: await admin.choices(db),
        errors,
        values: agreementValues(request.body as Record<string, unknown>),
      })
    return submitForm(reply, AgreementForm, agreementBody(request.body), show, async (v) => {
      await admin.createAgreement(db, actorOf(request), originOf(request), v)
      return '/admin/agreements'
    })
  })
  app.get('/admin/agreements/:id', { config: administrators }, async (request, reply) => {
    const agreement = await sharing.findAgreement(db, idParam(request.params))
    if (!agreement) throw new NotFoundError()
    const values = {
      reference: agreement.reference,
      title: agreement.title,
      purpose: agreement.purpose,
      lawfulBasis: agreement.lawful_basis,
      status: agreement.status,
      agencyIds: agreement.agency_ids,
      cohortIds: agreement.cohort_ids,
      categories: agreement.categories,
      version: agreement.version,
      startsOnParts: dateParts(agreement.starts_on),
      endsOnParts: dateParts(agreement.ends_on),
    }
    return reply.view('admin/views/agreement.njk', {
      choices: await admin.choices(db),
      values,
      editing: agreement.id,
    })
  })
  app.post('/admin/agreements/:id', { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    const show = async (errors: unknown) =>
      reply.view('admin/views/agreement.njk', {
        choices: await admin.choices(db),
        errors,
        values: agreementValues(request.body as Record<string, unknown>),
        editing: id,
      })
    return submitForm(
      reply,
      EditAgreementForm,
      agreementBody(request.body),
      show,
      async ({ version, ...v }) => {
        await admin.updateAgreement(db, actorOf(request), originOf(request), id, version, v)
        return '/admin/agreements'
      },
    )
  })

  const restrictionManagers = forRoles('administrator', 'data_protection_officer')
  app.get<{ Querystring: { crn?: string } }>(
    '/admin/restrictions',
    { config: restrictionManagers },
    async (request, reply) => {
      const crn = request.query.crn ? CrnParam.safeParse(request.query.crn) : null
      if (crn && !crn.success) {
        return reply.code(400).view('admin/views/restrictions.njk', {
          crn: request.query.crn,
          errors: formErrors([{ field: 'crn', message: 'Enter a CRN in the correct format, like X123456' }]),
        })
      }
      const found = crn?.success
        ? await admin.viewRestrictions(db, actorOf(request), originOf(request), crn.data)
        : null
      return reply.view('admin/views/restrictions.njk', {
        crn: crn?.data,
        found,
        missing: !!crn && !found,
        values: {},
      })
    },
  )
  app.post<{ Params: { crn: string } }>(
    '/admin/restrictions/:crn',
    { config: restrictionManagers },
    async (request, reply) => {
      const crn = CrnParam.safeParse(request.params.crn)
      if (!crn.success) throw new NotFoundError()
      const show = async (errors: unknown) => {
        const found = await admin.viewRestrictions(db, actorOf(request), originOf(request), crn.data)
        return reply.view('admin/views/restrictions.njk', {
          crn: crn.data,
          found,
          errors,
          values: request.body,
        })
      }
      return submitForm(reply, RestrictionForm, request.body, show, async (v) => {
        await admin.addRestriction(db, actorOf(request), originOf(request), crn.data, v)
        return `/admin/restrictions?crn=${crn.data}`
      })
    },
  )
  app.post<{ Params: { crn: string; userId: string; kind: string } }>(
    '/admin/restrictions/:crn/:kind/:userId/remove',
    { config: restrictionManagers },
    async (request, reply) => {
      const crn = CrnParam.safeParse(request.params.crn)
      const kind = request.params.kind
      if (!crn.success || (kind !== 'allow' && kind !== 'deny')) throw new NotFoundError()
      await admin.removeRestriction(
        db,
        actorOf(request),
        originOf(request),
        crn.data,
        idParam({ id: request.params.userId }),
        kind,
      )
      return reply.redirect(`/admin/restrictions?crn=${crn.data}`, 303)
    },
  )

  app.get('/admin/api-clients', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/api-clients.njk', {
      clients: await sharing.listApiClients(db),
      choices: await admin.choices(db),
      scopeChoices,
      values: {},
    }),
  )
  app.post('/admin/api-clients', { config: administrators }, async (request, reply) => {
    const fields = (request.body ?? {}) as Record<string, unknown>
    const show = async (errors: unknown) =>
      reply.code(400).view('admin/views/api-clients.njk', {
        clients: await sharing.listApiClients(db),
        choices: await admin.choices(db),
        scopeChoices,
        errors,
        values: fields,
      })
    const form = parseForm(ApiClientForm, { ...fields, expiresOn: dateFromParts(fields, 'expiresOn') })
    if (!form.ok) return show(form.errors)
    try {
      const token = await admin.createApiClient(db, actorOf(request), originOf(request), form.value)
      // The token is shown once, on this response, and is never stored or shown again.
      return reply.code(201).view('admin/views/api-client-created.njk', { token })
    } catch (error) {
      if (error instanceof ValidationError) return show(formErrors(error.problems))
      throw error
    }
  })
  app.post('/admin/api-clients/:id/revoke', { config: administrators }, async (request, reply) => {
    await admin.revokeApiClient(db, actorOf(request), originOf(request), idParam(request.params))
    return reply.redirect('/admin/api-clients', 303)
  })
}
