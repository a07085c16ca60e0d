import { z } from 'zod'
import type { DataCategory } from '../../platform/access/actor.js'
import { toArray } from '../../platform/http/forms.js'

/**
 * The Tandem events partners may subscribe to, each with the data categories the partner's
 * agency must be shared before it is told that such a thing happened to a person (the event
 * type alone can say, for example, that someone was put on a register). Administrative
 * events (users, agreements, case restrictions) and bulk imports of history are not offered.
 */
export const WEBHOOK_EVENT_TYPES: { type: string; text: string; categories: DataCategory[] }[] = [
  { type: 'person.created', text: 'Person added to Tandem', categories: ['identity'] },
  { type: 'person.record.linked', text: 'Record from another system linked', categories: ['identity'] },
  { type: 'person.merged', text: 'Records merged', categories: ['identity'] },
  { type: 'person.unmerged', text: 'Merge undone', categories: ['identity'] },
  { type: 'identity.prison-number-added', text: 'Prison number added', categories: ['identity'] },
  { type: 'identity.prison-number-changed', text: 'Prison number changed', categories: ['identity'] },
  {
    type: 'allocation.changed',
    text: 'Practitioner or offender manager allocated',
    categories: ['identity'],
  },
  { type: 'case.created', text: 'Probation case created', categories: ['sentence'] },
  { type: 'custody.received', text: 'Received into prison', categories: ['sentence'] },
  { type: 'custody.released', text: 'Released from prison', categories: ['sentence'] },
  { type: 'custody.movement', text: 'Other prison movement', categories: ['sentence'] },
  { type: 'custody.booking-moved', text: 'Prison booking moved', categories: ['sentence'] },
  { type: 'sentence.dates-changed', text: 'Sentence dates recalculated', categories: ['sentence'] },
  { type: 'licence.activated', text: 'Licence activated', categories: ['sentence'] },
  { type: 'licence.inactivated', text: 'Licence inactivated', categories: ['sentence'] },
  { type: 'recall.considered', text: 'Recall being considered', categories: ['sentence'] },
  { type: 'recall.management-oversight', text: 'Recall oversight recorded', categories: ['sentence'] },
  { type: 'recall.recommendation-deleted', text: 'Recall recommendation deleted', categories: ['sentence'] },
  { type: 'court.report-started', text: 'Pre-sentence report started', categories: ['sentence'] },
  { type: 'court.report-completed', text: 'Pre-sentence report completed', categories: ['sentence'] },
  // A register may be a risk register or a child-protection (family) one; the event does not
  // say which without its detail, so only an agency shared both is told.
  { type: 'registration.added', text: 'Registration added', categories: ['risk', 'family'] },
  { type: 'registration.updated', text: 'Registration updated', categories: ['risk', 'family'] },
  { type: 'registration.ended', text: 'Deregistered', categories: ['risk', 'family'] },
  { type: 'registration.deleted', text: 'Registration deleted', categories: ['risk', 'family'] },
  { type: 'assessment.tier', text: 'Tier recalculated', categories: ['risk'] },
  { type: 'risk-scores.determined', text: 'Risk scores calculated', categories: ['risk'] },
  { type: 'referral.sent', text: 'Intervention referral sent', categories: ['supervision'] },
  { type: 'referral.assigned', text: 'Intervention referral assigned', categories: ['supervision'] },
  { type: 'referral.session-feedback', text: 'Intervention feedback submitted', categories: ['supervision'] },
  { type: 'referral.ended', text: 'Intervention referral ended', categories: ['supervision'] },
  { type: 'referral.concluded', text: 'Intervention concluded', categories: ['supervision'] },
  { type: 'referral.created', text: 'Referral made in Tandem', categories: ['supervision'] },
  { type: 'referral.status-changed', text: 'Referral moved on in Tandem', categories: ['supervision'] },
  ...(
    [
      ['accommodation.application-submitted', 'Accommodation application submitted (CAS2)'],
      ['accommodation.application-updated', 'Accommodation application updated (CAS2)'],
      ['accommodation.referral-submitted', 'Accommodation referral submitted (CAS3)'],
      ['accommodation.booking-made', 'Accommodation booked'],
      ['accommodation.booking-confirmed', 'Accommodation booking confirmed'],
      ['accommodation.booking-cancelled', 'Accommodation booking cancelled'],
      ['accommodation.arrived', 'Arrived at accommodation'],
      ['accommodation.departed', 'Left accommodation'],
    ] as const
  ).map(([type, text]) => ({ type, text, categories: ['accommodation' as const] })),
]

/** Every subscription's test event: names no person. */
export const TEST_EVENT_TYPE = 'webhook.test'

const EVENT_TYPES = WEBHOOK_EVENT_TYPES.map((e) => e.type)
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Whether a URL may receive deliveries: HTTPS, or plain HTTP to this machine in development and test. */
export function acceptableUrl(value: string, allowLocalHttp: boolean): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  // Credentials in the URL would be shown on the admin pages and sent in clear to logs.
  if (url.username || url.password) return false
  if (url.protocol === 'https:') return true
  return allowLocalHttp && url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)
}

/** The form that adds a subscription; plain-HTTP local receivers only where `allowLocalHttp`. */
export function webhookForm(allowLocalHttp: boolean) {
  return z.object({
    name: z
      .string({ message: 'Enter a name for the subscription' })
      .trim()
      .min(1, 'Enter a name for the subscription')
      .max(200, 'Name must be 200 characters or fewer'),
    agencyId: z.string({ message: 'Choose the partner agency' }).uuid('Choose the partner agency'),
    url: z
      .string({ message: 'Enter the address to send events to' })
      .trim()
      .min(1, 'Enter the address to send events to')
      .max(2000, 'The address must be 2000 characters or fewer')
      .refine(
        (v) => acceptableUrl(v, allowLocalHttp),
        'Enter an address that starts with https://, like https://partner.example.org/tandem-events',
      ),
    eventTypes: z.preprocess(
      toArray,
      z
        .array(z.enum(['*', ...EVENT_TYPES], { message: 'Choose event types from the list' }))
        .min(1, 'Choose at least one event type, or all events')
        // 'All events' stands alone: a list beside it would be misleading.
        .transform((types) => (types.includes('*') ? ['*'] : [...new Set(types)])),
    ),
  })
}
export type WebhookForm = z.infer<ReturnType<typeof webhookForm>>

/** A subscription's or delivery's id in a route; anything else is a 404. */
export const WebhookId = z.string().uuid()
