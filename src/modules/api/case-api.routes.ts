import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { actorOf, apiScope, originOf } from '../../platform/http/route-access.js'
import { viewFlagsOfPerson } from '../intelligence/flags.service.js'
import { personHeader } from '../people/person-view.service.js'
import { viewPlan } from '../plans/plan-view.service.js'
import { viewReferrals } from '../referrals/referrals.service.js'
import { viewAppointments } from '../supervision/supervision.service.js'
import { Appointment, CrnPath, Flag, Plan, Problem, Referral } from './api.schema.js'

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem }
const notShared = () => new NotFoundError('No person with this CRN is shared with you')
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())

/** Case work through the partner API: the same services, access rules and audit as the pages. */
export function caseApiRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const api = app.withTypeProvider<ZodTypeProvider>()

  api.get(
    '/api/v1/people/:crn/appointments',
    {
      config: apiScope('appointments:read'),
      schema: {
        summary: "A person's appointments that your agency may see, oldest first",
        params: CrnPath,
        response: { 200: z.object({ crn: z.string(), appointments: z.array(Appointment) }), ...errors },
      },
    },
    async (request) => {
      const view = await viewAppointments(db, actorOf(request), request.params.crn, originOf(request), clock)
      if (!view) throw notShared()
      return {
        crn: view.person.crn,
        appointments: [...view.past]
          .reverse()
          .concat(view.upcoming)
          .map((a) => ({
            id: a.id,
            startsAt: iso(a.starts_at)!,
            endsAt: iso(a.ends_at)!,
            kind: a.kind,
            location: a.location,
            agency: a.agency_name,
            staff: a.staff_name,
            outcome: a.outcome,
            attendees: a.attendees.map((t) => ({ name: t.name, agency: t.agency_name })),
          })),
      }
    },
  )

  api.get(
    '/api/v1/people/:crn/plan',
    {
      config: apiScope('plans:read'),
      schema: {
        summary: "A person's case plan: the objectives your agency may see and the actions it owns",
        params: CrnPath,
        response: { 200: Plan, ...errors },
      },
    },
    async (request) => {
      const plan = await viewPlan(db, actorOf(request), request.params.crn, originOf(request), clock)
      if (!plan) throw notShared()
      return {
        crn: plan.person.crn,
        pathways: plan.pathways.map((p) => ({
          pathway: p.pathway,
          objectives: p.objectives.map((o) => ({
            id: o.id,
            status: o.status,
            description: o.description,
            actions: o.actions.map((a) => ({
              id: a.id,
              description: a.description,
              serviceType: a.service_type,
              ownerAgency: a.owner_agency_name,
              owner: a.owner_user_name,
              dueOn: a.due_on,
              status: a.status,
              statusReason: a.status_reason,
              overdue: a.overdue,
            })),
          })),
          unplannedNeeds: p.gaps.map((n) => ({
            level: n.level,
            description: n.description,
            assessedOn: n.assessed_on,
          })),
        })),
      }
    },
  )

  api.get(
    '/api/v1/people/:crn/flags',
    {
      config: apiScope('flags:read'),
      schema: {
        summary: "A person's flags, with the reason and evidence of each, open ones first",
        params: CrnPath,
        response: { 200: z.object({ crn: z.string(), flags: z.array(Flag) }), ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const header = await personHeader(db, actor, request.params.crn, clock)
      if (!header) throw notShared()
      const flags = await viewFlagsOfPerson(db, actor, header.person.id, originOf(request))
      return {
        crn: header.person.crn,
        flags: flags.map((f) => ({
          id: f.id,
          rule: f.rule_code,
          ruleVersion: f.rule_version,
          severity: f.severity,
          title: f.title,
          reason: f.reason,
          evidence: f.evidence,
          status: f.status,
          raisedAt: iso(f.raised_at)!,
          acknowledgedAt: iso(f.acknowledged_at),
          closedAt: iso(f.closed_at),
          closeReason: f.close_reason,
        })),
      }
    },
  )

  api.get(
    '/api/v1/people/:crn/referrals',
    {
      config: apiScope('referrals:read'),
      schema: {
        summary:
          "A person's referrals with their history, newest first: all of them for the lead agency, those sent to your agency otherwise",
        params: CrnPath,
        response: { 200: z.object({ crn: z.string(), referrals: z.array(Referral) }), ...errors },
      },
    },
    async (request) => {
      const view = await viewReferrals(db, actorOf(request), request.params.crn, originOf(request), clock, {
        history: true,
      })
      if (!view) throw notShared()
      return {
        crn: view.person.crn,
        referrals: view.referrals.map((r) => ({
          id: r.id,
          reference: r.reference,
          serviceType: r.service_type,
          serviceName: r.service_name,
          pathway: r.pathway,
          provider: r.provider,
          status: r.status,
          reason: r.reason,
          sentAt: iso(r.sent_at),
          assignedAt: iso(r.assigned_at),
          endedAt: iso(r.ended_at),
          concludedAt: iso(r.concluded_at),
          endReason: r.end_reason,
          assignedTo: r.assigned_to,
          referredBy: r.referred_by,
          sourceSystem: r.source_system,
          updates: r.updates.map((u) => ({
            kind: u.kind,
            status: u.status,
            note: u.note,
            occurredAt: iso(u.occurred_at)!,
            author: u.author,
            agency: u.agency,
            sourceSystem: u.source_system,
          })),
        })),
      }
    },
  )
}
