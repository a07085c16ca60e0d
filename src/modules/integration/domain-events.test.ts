import { describe, expect, it } from 'vitest'
import { event, everyMappedEvent, sns } from '../../../test/support/domain-events.js'
import { guessEventType, normaliseEventType, rawKey, readMessage, Undeliverable } from './domain-events.js'
import { mapEvent, MAPPINGS } from './event-mapping.js'

const person = { crn: 'X371199', noms: 'A8513EA' }

describe('reading domain event messages', () => {
  it('reads a bare event and the same event wrapped in SNS alike, keyed by message id when there is one', () => {
    const bare = event('probation-case.engagement.created', person)
    const a = readMessage(bare)
    const b = readMessage(sns(bare, 'f6a4e1a2-1b7c-5e3d-9b2a-000000000001'))
    expect(a).toMatchObject({ eventType: 'probation-case.engagement.created', crn: 'X371199', version: 1 })
    expect({ ...b, key: a.key }).toEqual(a)
    expect(b.key).toBe('id:f6a4e1a2-1b7c-5e3d-9b2a-000000000001')
    expect(a.key).toMatch(/^sha256:[0-9a-f]{64}$/)
    // The same event sent twice without an id has the same key; a different one does not.
    expect(readMessage(JSON.stringify(bare)).key).toBe(a.key)
    expect(readMessage({ ...bare, occurredAt: '2026-11-20T10:15:31Z' }).key).not.toBe(a.key)
  })

  it('takes the prison number from additionalInformation when personReference has none', () => {
    const released = everyMappedEvent(person)['prison-offender-events.prisoner.released']
    const { personReference: _, ...withoutReference } = released
    expect(readMessage(withoutReference)).toMatchObject({ nomsNumber: 'A8513EA', crn: null })
  })

  it('takes the event type from the SNS attribute when the body lacks one', () => {
    const { eventType: _, ...body } = event('tier.calculation.complete', person)
    expect(readMessage(sns(body, 'm-1', 'tier.calculation.complete')).eventType).toBe(
      'tier.calculation.complete',
    )
  })

  it('irons out naming drift', () => {
    expect(normaliseEventType('prison-recall.recommendation.managementOversight')).toBe(
      'prison-recall.recommendation.management-oversight',
    )
    expect(normaliseEventType('risk-assessment.scores.determined')).toBe(
      'risk-assessment.scores.rsr.determined',
    )
    expect(normaliseEventType(' Probation-Case.Engagement.Created ')).toBe(
      'probation-case.engagement.created',
    )
  })

  it.each([
    ['not JSON', '{"eventType": ', 'The message is not JSON'],
    [
      'an SNS Message that is not JSON',
      { Type: 'Notification', MessageId: 'x', Message: 'oops' },
      'Message is not JSON',
    ],
    ['no event type', { version: 1, occurredAt: '2026-11-20T10:00:00Z' }, 'no valid eventType'],
    [
      'a bad occurredAt',
      { ...event('tier.calculation.complete', person), occurredAt: 'soon' },
      'occurredAt: not a date',
    ],
    [
      'a malformed CRN',
      event('tier.calculation.complete', { crn: 'X37119', noms: person.noms }),
      'The CRN X37119 is not in the form',
    ],
  ])('refuses a message with %s, saying why', (_name, raw, reason) => {
    expect(() => readMessage(raw)).toThrow(Undeliverable)
    expect(() => readMessage(raw)).toThrow(reason)
  })

  it('names the type and key of a message it cannot read, for the dead-letter list', () => {
    expect(guessEventType('{"eventType":"probation-case.registration.added", "occurredAt": ')).toBe(
      'probation-case.registration.added',
    )
    expect(
      guessEventType({
        MessageAttributes: { eventType: { Type: 'String', Value: 'tier.calculation.complete' } },
      }),
    ).toBe('tier.calculation.complete')
    expect(rawKey({ MessageId: 'abc', Message: 'oops' })).toBe('id:abc')
    expect(rawKey('garbage')).toBe(rawKey('garbage'))
  })
})

describe('what each event means', () => {
  const all = everyMappedEvent(person)

  it('has a realistic test event for every mapped type except the prisoner merge (tested on its own)', () => {
    expect(Object.keys(MAPPINGS).sort()).toEqual(
      [...Object.keys(all), 'prison-offender-events.prisoner.merged'].sort(),
    )
  })

  it.each(Object.entries(all))('%s gives a timeline item with its source and a Tandem event', (type, raw) => {
    const effects = mapEvent(readMessage(raw), (code) => `HMP Birmingham (${code})`)
    expect(effects.item.title.length).toBeGreaterThan(5)
    expect(effects.item.sourceSystem).toBeTruthy()
    expect(effects.item.kind).toMatch(/^[a-z]+\.[a-z-]+$/)
    expect(effects.publish).toMatch(/^[a-z-]+\.[a-z-]+$/)
    expect(readMessage(raw).eventType).toBe(type)
  })

  it('maps custody movements to the state they leave the person in', () => {
    const received = mapEvent(
      readMessage(all['prison-offender-events.prisoner.received']),
      () => 'HMP Birmingham',
    )
    expect(received.item).toMatchObject({
      title: 'Received into HMP Birmingham',
      prisonCode: 'BMI',
      category: 'sentence',
    })
    expect(received.changes).toEqual([{ type: 'received', prisonCode: 'BMI' }])

    const released = mapEvent(
      readMessage(all['prison-offender-events.prisoner.released']),
      () => 'HMP Birmingham',
    )
    expect(released.item.title).toBe('Released from HMP Birmingham')
    expect(released.changes).toEqual([{ type: 'released', prisonCode: 'BMI', reason: 'RELEASED' }])

    // Going to court or on temporary licence is a movement, not a release.
    for (const reason of ['SENT_TO_COURT', 'TEMPORARY_ABSENCE_RELEASE', 'TRANSFERRED']) {
      const raw = event('prison-offender-events.prisoner.released', person, {
        nomsNumber: person.noms,
        reason,
        prisonId: 'BMI',
      })
      const effects = mapEvent(readMessage(raw))
      expect(effects.changes).toEqual([])
      expect(effects.publish).toBe('custody.movement')
    }
  })

  it('maps registrations with their Java-style dates to UK calendar dates', () => {
    const added = mapEvent(readMessage(all['probation-case.registration.added']))
    expect(added.changes).toEqual([
      {
        type: 'registration',
        ref: '2500427774',
        typeCode: 'MAPP',
        typeDescription: 'MAPPA',
        category: 'risk',
        registerCategory: 'M2',
        level: 'M1',
        registeredOn: '2023-06-19',
      },
    ])
    expect(added.item.summary).toBe('Category: MAPPA Cat 2. Level: MAPPA Level 1')
    const ended = mapEvent(readMessage(all['probation-case.registration.deregistered']))
    expect(ended.changes).toEqual([{ type: 'deregistration', typeCode: 'MAPP', on: '2026-11-18' }])
  })

  it('keeps risk scores with their bands', () => {
    const rsr = mapEvent(readMessage(all['risk-assessment.scores.rsr.determined']))
    expect(rsr.item.summary).toBe('RSR 4.53% (medium)')
    expect(rsr.changes).toEqual([
      {
        type: 'risk-scores',
        scores: [
          { kind: 'rsr', score: 4.53, band: 'MEDIUM' },
          { kind: 'osp_c', score: 0.91, band: 'LOW' },
          { kind: 'osp_i', score: 0.12, band: 'LOW' },
        ],
      },
    ])
  })

  it('refuses an event missing what its meaning depends on, and an unknown type', () => {
    const raw = event('probation-case.registration.added', person, { registerTypeCode: 'MAPP' })
    expect(() => mapEvent(readMessage(raw))).toThrow('additionalInformation.registrationId is missing')
    const bad = event('probation-case.registration.added', person, {
      registrationId: '1',
      registerTypeCode: 'MAPP',
      registrationDate: 'Mon Jun 19 00:00:00 XYZ 2023',
    })
    expect(() => mapEvent(readMessage(bad))).toThrow(
      'additionalInformation.registrationDate: unknown time zone XYZ',
    )
    expect(() => mapEvent(readMessage(event('staff.available.hours.changed', person)))).toThrow(
      'Tandem does not handle the event type staff.available.hours.changed',
    )
  })
})
