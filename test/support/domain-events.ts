/**
 * Realistic HMPPS domain events for tests, shaped as the reference describes them
 * (../shared/reference/hmpps-domain-events.md): bare, or wrapped in an SNS notification.
 */

export interface Person {
  crn: string
  noms: string
}

const identifiers = (p: Person, which: 'CRN' | 'NOMS' | 'both') => ({
  identifiers: [
    ...(which !== 'NOMS' ? [{ type: 'CRN', value: p.crn }] : []),
    ...(which !== 'CRN' ? [{ type: 'NOMS', value: p.noms }] : []),
  ],
})

export function event(
  eventType: string,
  p: Person,
  additionalInformation: Record<string, unknown> = {},
  options: { occurredAt?: string; ids?: 'CRN' | 'NOMS' | 'both'; description?: string } = {},
) {
  return {
    eventType,
    version: 1,
    occurredAt: options.occurredAt ?? '2026-11-20T10:15:30.123+00:00',
    description: options.description ?? `A ${eventType} event`,
    detailUrl: `https://example.service.justice.gov.uk/events/${eventType}/${p.crn}`,
    additionalInformation,
    personReference: identifiers(p, options.ids ?? 'CRN'),
  }
}

/** As the SNS topic delivers it to a queue: the event as a string, its type as an attribute. */
export function sns(body: unknown, messageId: string, attributeType?: string) {
  const eventType = attributeType ?? (body as { eventType: string }).eventType
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:eu-west-2:000000000000:hmpps-domain-events',
    Message: JSON.stringify(body),
    Timestamp: '2026-11-20T10:15:31.000Z',
    SignatureVersion: '1',
    MessageAttributes: { eventType: { Type: 'String', Value: eventType } },
  }
}

/** One realistic event of every type Tandem maps, for one person. */
export function everyMappedEvent(p: Person) {
  const prison = (reason: string, type = 'prison-offender-events.prisoner.released') =>
    event(
      type,
      p,
      {
        nomsNumber: p.noms,
        reason,
        prisonId: 'BMI',
        currentLocation: type.endsWith('received') ? 'IN_PRISON' : 'OUTSIDE_PRISON',
        currentPrisonStatus: type.endsWith('received') ? 'UNDER_PRISON_CARE' : 'NOT_UNDER_PRISON_CARE',
        nomisMovementReasonCode: 'CR',
        details: 'Movement reason code CR',
      },
      { ids: 'NOMS' },
    )
  return {
    'prison-offender-events.prisoner.received': prison(
      'ADMISSION',
      'prison-offender-events.prisoner.received',
    ),
    'prisoner-offender-search.prisoner.received': event(
      'prisoner-offender-search.prisoner.received',
      p,
      { nomsNumber: p.noms, reason: 'ADMISSION', prisonId: 'BMI' },
      { ids: 'NOMS' },
    ),
    'prison-offender-events.prisoner.released': prison('RELEASED'),
    'prisoner-offender-search.prisoner.released': event(
      'prisoner-offender-search.prisoner.released',
      p,
      { nomsNumber: p.noms, reason: 'RELEASED', prisonId: 'BMI' },
      { ids: 'NOMS' },
    ),
    'prison-offender-events.prisoner.sentence-dates-changed': event(
      'prison-offender-events.prisoner.sentence-dates-changed',
      p,
      { bookingId: 1234567, nomsNumber: p.noms, sentenceCalculationId: 7654321 },
      { ids: 'NOMS' },
    ),
    'prison-offender-events.prisoner.booking.moved': event(
      'prison-offender-events.prisoner.booking.moved',
      p,
      {
        bookingId: 1234567,
        movedFromNomsNumber: 'A9999ZZ',
        movedToNomsNumber: p.noms,
        bookingStartDateTime: '2026-11-01T09:00:00',
      },
      { ids: 'NOMS' },
    ),
    'probation-case.engagement.created': event('probation-case.engagement.created', p),
    'probation-case.prison-identifier.added': event(
      'probation-case.prison-identifier.added',
      p,
      { bookingNumber: '38339A' },
      { ids: 'both' },
    ),
    'person.community.manager.allocated': event('person.community.manager.allocated', p, {
      allocationId: 'a1b2c3',
    }),
    'event.manager.allocated': event('event.manager.allocated', p, { allocationId: 'd4e5f6' }),
    'offender-management.pom.allocated': event('offender-management.pom.allocated', p, {}, { ids: 'NOMS' }),
    'probation-case.registration.added': event('probation-case.registration.added', p, {
      registrationId: '2500427774',
      registerTypeCode: 'MAPP',
      registerTypeDescription: 'MAPPA',
      registrationCategoryCode: 'M2',
      registrationCategoryDescription: 'MAPPA Cat 2',
      registrationLevelCode: 'M1',
      registrationLevelDescription: 'MAPPA Level 1',
      registrationDate: 'Mon Jun 19 00:00:00 BST 2023',
      createdDateAndTime: 'Mon Jun 19 10:12:00 BST 2023',
    }),
    'probation-case.registration.updated': event('probation-case.registration.updated', p, {
      registrationId: '2500427774',
      registerTypeCode: 'MAPP',
      registerTypeDescription: 'MAPPA',
      registrationCategoryCode: 'M2',
      registrationCategoryDescription: 'MAPPA Cat 2',
      registrationLevelCode: 'M2',
      registrationLevelDescription: 'MAPPA Level 2',
      updatedDateAndTime: 'Tue Jun 20 09:00:00 BST 2023',
    }),
    'probation-case.registration.deregistered': event('probation-case.registration.deregistered', p, {
      deregistrationId: '2500099001',
      registerTypeCode: 'MAPP',
      registerTypeDescription: 'MAPPA',
      deregistrationDate: 'Wed Nov 18 00:00:00 GMT 2026',
      createdDateAndTime: 'Wed Nov 18 11:00:00 GMT 2026',
    }),
    'probation-case.registration.deleted': event('probation-case.registration.deleted', p, {
      registrationId: '2500427774',
      registerTypeCode: 'MAPP',
      registerTypeDescription: 'MAPPA',
      updatedDateAndTime: 'Wed Nov 18 11:00:00 GMT 2026',
    }),
    'tier.calculation.complete': event('tier.calculation.complete', p, {
      calculationId: '5b4e3f0e-3c9a-4d55-8b8f-2a4a0c2f6f11',
    }),
    'risk-assessment.scores.rsr.determined': event('risk-assessment.scores.rsr.determined', p, {
      AssessmentDate: '2026-11-19T14:00:00',
      EventNumber: 1,
      RSRScore: 4.53,
      RSRBand: 'MEDIUM',
      RSRStaticOrDynamic: 'DYNAMIC',
      OSPContactScore: 0.91,
      OSPContactBand: 'LOW',
      OSPIndecentScore: 0.12,
      OSPIndecentBand: 'LOW',
    }),
    'probation-case.risk-scores.ogrs.manual-calculation': event(
      'probation-case.risk-scores.ogrs.manual-calculation',
      p,
      {
        AssessmentDate: '2026-11-19T00:00:00+00:00[Europe/London]',
        OGRS3Yr1: 34,
        OGRS3Yr2: 51,
        eventNumber: '1',
      },
    ),
    'create-and-vary-a-licence.licence.activated': event(
      'create-and-vary-a-licence.licence.activated',
      p,
      { licenceId: '90210' },
      { ids: 'both' },
    ),
    'create-and-vary-a-licence.licence.inactivated': event(
      'create-and-vary-a-licence.licence.inactivated',
      p,
      { licenceId: '90210' },
      { ids: 'both' },
    ),
    'prison-recall.recommendation.consideration': event('prison-recall.recommendation.consideration', p, {
      recommendationUrl: 'https://consider-a-recall.example/cases/X/overview',
      bookedBy: { username: 'ABC12D' },
    }),
    'prison-recall.recommendation.management-oversight': event(
      'prison-recall.recommendation.managementOversight',
      p,
      {
        contactOutcome: 'Decision not to recall',
        bookedBy: { username: 'ABC12D' },
      },
    ),
    'prison-recall.recommendation.deleted': event('prison-recall.recommendation.deleted', p, {}),
    'pre-sentence.report.started': event('pre-sentence.report.started', p, {
      eventNumber: '3',
      reportId: 'f0e1d2c3',
    }),
    'pre-sentence.report.completed': event('pre-sentence.report.completed', p, { reportId: 'f0e1d2c3' }),
    'intervention.referral.sent': event('intervention.referral.sent', p, {
      referralId: '3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3',
    }),
    'intervention.referral.assigned': event('intervention.referral.assigned', p, {
      referralId: '3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3',
      assignedTo: 'caseworker@provider.example',
    }),
    'intervention.referral.ended': event('intervention.referral.ended', p, {
      referralId: '3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3',
      deliveryState: 'CANCELLED',
      referralURN: 'urn:hmpps:interventions-referral:3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3',
    }),
    'intervention.referral.concluded': event('intervention.referral.concluded', p, {
      referralId: '3b8c1d72-1111-4a7e-9a33-8fe1d0c1a2b3',
      deliveryState: 'COMPLETED',
    }),
    'intervention.session-appointment.session-feedback-submitted': event(
      'intervention.session-appointment.session-feedback-submitted',
      p,
      {
        deliusAppointmentId: '2500001234',
        referralId: '3b8c1d72',
        referralReference: 'JW5463AC',
        contractTypeName: 'Accommodation',
      },
    ),
    'intervention.initial-assessment-appointment.session-feedback-submitted': event(
      'intervention.initial-assessment-appointment.session-feedback-submitted',
      p,
      { deliusAppointmentId: '2500001233', referralId: '3b8c1d72', referralReference: 'JW5463AC' },
    ),
    'approved-premises.booking.made': event(
      'approved-premises.booking.made',
      p,
      { applicationId: 'ap-1', bookingId: 'bk-1' },
      { ids: 'both' },
    ),
    'approved-premises.booking.cancelled': event(
      'approved-premises.booking.cancelled',
      p,
      { applicationId: 'ap-1', bookingId: 'bk-1' },
      { ids: 'both' },
    ),
    'approved-premises.person.arrived': event('approved-premises.person.arrived', p, {
      applicationId: 'ap-1',
      bookingId: 'bk-1',
    }),
    'approved-premises.person.departed': event('approved-premises.person.departed', p, {
      applicationId: 'ap-1',
      bookingId: 'bk-1',
    }),
    'applications.cas2.application.submitted': event(
      'applications.cas2.application.submitted',
      p,
      { applicationId: 'c2-1' },
      { ids: 'both' },
    ),
    'applications.cas2.application.status-updated': event(
      'applications.cas2.application.status-updated',
      p,
      { applicationId: 'c2-1' },
      { ids: 'both' },
    ),
    'accommodation.cas3.referral.submitted': event(
      'accommodation.cas3.referral.submitted',
      p,
      { applicationId: 'c3-1', bookingId: 'b3-1' },
      { ids: 'both' },
    ),
    'accommodation.cas3.booking.confirmed': event('accommodation.cas3.booking.confirmed', p, {
      applicationId: 'c3-1',
      bookingId: 'b3-1',
    }),
    'accommodation.cas3.person.arrived': event(
      'accommodation.cas3.person.arrived',
      p,
      { applicationId: 'c3-1', bookingId: 'b3-1' },
      { ids: 'both' },
    ),
    'accommodation.cas3.person.departed': event(
      'accommodation.cas3.person.departed',
      p,
      { applicationId: 'c3-1', bookingId: 'b3-1' },
      { ids: 'both' },
    ),
  }
}
