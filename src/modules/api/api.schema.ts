import { z } from 'zod'
import { DATA_CATEGORIES } from '../../platform/access/actor.js'
import { TimelineCursor } from '../people/people.schema.js'

export const CrnPath = z.object({
  crn: z
    .string()
    .regex(/^[A-Za-z][0-9]{6}$/, 'must be a CRN: a letter and six digits, like X123456')
    .transform((v) => v.toUpperCase()),
})

export const PeopleQuery = z.object({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(100, 'must be 100 characters or fewer'),
})

const Access = z.object({
  relationship: z.enum(['allocated', 'team', 'agreement', 'break_glass']),
  categories: z
    .array(z.enum(DATA_CATEGORIES))
    .describe('The kinds of information this client may see about the person'),
})

const Identity = z.object({
  crn: z.string(),
  nomsNumber: z.string().nullable(),
  pncNumber: z.string().nullable(),
  croNumber: z.string().nullable(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  gender: z.string(),
})

export const PersonSummary = Identity.extend({ access: Access })

export const Person = z.object({
  identity: Identity,
  access: Access,
  sentence: z
    .object({
      custodyStatus: z.string().nullable(),
      prisonCode: z.string().nullable(),
      sentences: z.array(
        z.object({
          description: z.string(),
          offence: z.string(),
          court: z.string(),
          sentencedOn: z.string(),
          expectedReleaseOn: z.string().nullable(),
          licenceEndOn: z.string().nullable(),
          sentenceEndOn: z.string().nullable(),
        }),
      ),
    })
    .optional()
    .describe('Present only when the sentence category is shared'),
  risk: z
    .object({
      roshLevel: z.string().nullable(),
      mappaCategory: z.number().nullable(),
      mappaLevel: z.number().nullable(),
      tier: z.string().nullable(),
    })
    .optional()
    .describe('Present only when the risk category is shared'),
  registrations: z.array(
    z.object({
      typeCode: z.string(),
      description: z.string(),
      category: z.string(),
      registeredOn: z.string(),
    }),
  ),
})

export const TimelineItem = z.object({
  id: z.number(),
  occurredAt: z.string(),
  kind: z.string(),
  category: z.string(),
  title: z.string(),
  summary: z.string().nullable(),
  agency: z.string(),
  sourceSystem: z.string(),
})

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string().optional(),
})

export const TimelineQuery = z.object({ before: TimelineCursor.optional() })

const Instant = z.string().describe('ISO 8601 date and time, UTC')
const Day = z.string().describe('YYYY-MM-DD')

export const Appointment = z.object({
  id: z.string(),
  startsAt: Instant,
  endsAt: Instant,
  kind: z.string(),
  location: z.string(),
  agency: z.string(),
  staff: z.string().nullable(),
  outcome: z.string().nullable(),
  attendees: z.array(z.object({ name: z.string(), agency: z.string() })),
})

export const PlanAction = z.object({
  id: z.string(),
  description: z.string(),
  serviceType: z.string().nullable(),
  ownerAgency: z.string(),
  owner: z.string().nullable(),
  dueOn: Day.nullable(),
  status: z.string(),
  statusReason: z.string().nullable(),
  overdue: z.boolean(),
})

export const Plan = z.object({
  crn: z.string(),
  pathways: z.array(
    z.object({
      pathway: z.string(),
      objectives: z.array(
        z.object({
          id: z.string(),
          status: z.string(),
          description: z.string().nullable().describe('Null when its category is not shared with you'),
          actions: z.array(PlanAction),
        }),
      ),
      unplannedNeeds: z.array(z.object({ level: z.string(), description: z.string(), assessedOn: Day })),
    }),
  ),
})

export const Referral = z.object({
  id: z.string(),
  reference: z.string(),
  serviceType: z.string().nullable().describe("The service in the case plan's words; null until known"),
  serviceName: z.string().nullable().describe('The contract or service as the source system names it'),
  pathway: z.string().nullable(),
  provider: z.string().nullable(),
  status: z.enum(['draft', 'sent', 'assigned', 'in_progress', 'ended', 'concluded', 'cancelled']),
  reason: z.string().nullable(),
  sentAt: Instant.nullable(),
  assignedAt: Instant.nullable(),
  endedAt: Instant.nullable(),
  concludedAt: Instant.nullable(),
  endReason: z.string().nullable(),
  assignedTo: z.string().nullable(),
  referredBy: z.string().nullable(),
  sourceSystem: z.string(),
  updates: z.array(
    z.object({
      kind: z.enum(['status', 'progress', 'session_feedback', 'assessment_feedback']),
      status: z.string().nullable(),
      note: z.string().nullable(),
      occurredAt: Instant,
      author: z.string().nullable(),
      agency: z.string().nullable(),
      sourceSystem: z.string(),
    }),
  ),
})

export const Flag = z.object({
  id: z.string(),
  rule: z.string(),
  ruleVersion: z.number(),
  severity: z.string(),
  title: z.string(),
  reason: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  status: z.string(),
  raisedAt: Instant,
  acknowledgedAt: Instant.nullable(),
  closedAt: Instant.nullable(),
  closeReason: z.string().nullable(),
})
