import { describe, expect, it } from 'vitest'
import { calculateOgrs3, OGRS3_OASYS_WEIGHTS, OGRS3_PUBLISHED_WEIGHTS } from './ogrs3.js'
import { ogrs3CategoryOf, ogrs3For, tierCategories, tierFor, type PersonScoreFacts } from './score-inputs.js'

const sentence = (
  sentencedOn: string,
  extra: Partial<PersonScoreFacts['sentences'][number]> = {},
): PersonScoreFacts['sentences'][number] => ({
  id: `s-${sentencedOn}`,
  sentencedOn,
  offence: 'Theft from a shop',
  offenceCategory: 'theft_non_motor',
  sentenceType: 'community',
  expectedReleaseOn: null,
  ...extra,
})

const facts = (extra: Partial<PersonScoreFacts> = {}): PersonScoreFacts => ({
  gender: 'male',
  dateOfBirth: '1990-03-21',
  roshLevel: 'medium',
  mappaLevel: null,
  sentences: [sentence('2015-06-01'), sentence('2015-06-01', { id: 's-same-day' }), sentence('2024-01-10')],
  custodyEpisodes: [],
  registers: [],
  rsr: null,
  ...extra,
})

describe('OGRS3 from what Tandem holds', () => {
  it('takes the newest sentence as the current conviction and counts sentencing days as sanctions', () => {
    const result = ogrs3For(facts(), OGRS3_PUBLISHED_WEIGHTS)
    expect(result.status).toBe('calculated')
    if (result.status !== 'calculated') return
    expect(result.inputs).toMatchObject({
      sex: 'M',
      dateOfCurrentConviction: '2024-01-10',
      dateAtStartOfFollowUp: '2024-01-10',
      followUpStarts: 'sentence',
      dateOfFirstSanction: '2015-06-01',
      sanctions: 2,
      offenceCategory: 'theft_non_motor',
    })
    // Born 21 March 1990: 33 on 10 January 2024, 25 on 1 June 2015.
    expect(result.result.ages).toEqual({
      ageAtStartOfFollowUp: 33,
      ageAtCurrentConviction: 33,
      ageAtFirstSanction: 25,
    })
    const direct = calculateOgrs3({
      sex: 'M',
      ageAtStartOfFollowUp: 33,
      ageAtCurrentConviction: 33,
      ageAtFirstSanction: 25,
      sanctions: 2,
      offenceCategory: 'theft_non_motor',
    })
    expect(result.result.twoYear).toBe(direct.twoYear)
    expect(result.result.terms).toEqual(direct.terms)
  })

  it('starts follow-up on release from a custodial sentence, or on the expected release while inside', () => {
    const custodial = sentence('2022-02-01', {
      sentenceType: 'long_custody',
      expectedReleaseOn: '2023-08-01',
    })
    const released = ogrs3For(
      facts({
        sentences: [custodial],
        custodyEpisodes: [{ receivedOn: '2022-02-01', releasedOn: '2023-07-28' }],
      }),
      OGRS3_PUBLISHED_WEIGHTS,
    )
    expect(released.inputs).toMatchObject({ dateAtStartOfFollowUp: '2023-07-28', followUpStarts: 'release' })
    const inside = ogrs3For(facts({ sentences: [custodial] }), OGRS3_PUBLISHED_WEIGHTS)
    expect(inside.inputs).toMatchObject({
      dateAtStartOfFollowUp: '2023-08-01',
      followUpStarts: 'expected_release',
    })
    const unknown = ogrs3For(
      facts({ sentences: [sentence('2022-02-01', { sentenceType: 'custodial' })] }),
      OGRS3_PUBLISHED_WEIGHTS,
    )
    expect(unknown).toMatchObject({ status: 'not_calculated' })
  })

  it('says what is missing instead of guessing', () => {
    const result = ogrs3For(
      facts({
        gender: 'not_known',
        sentences: [sentence('2024-01-10', { offenceCategory: 'not_recorded' })],
      }),
      OGRS3_PUBLISHED_WEIGHTS,
    )
    expect(result.status).toBe('not_calculated')
    if (result.status === 'calculated') return
    expect(result.missing).toEqual([
      'OGRS3 is defined for male and female only; sex is recorded as not_known',
      'The offence category ‘not_recorded’ has no OGRS3 category',
    ])
    expect(ogrs3For(facts({ sentences: [] }), OGRS3_PUBLISHED_WEIGHTS)).toMatchObject({
      status: 'not_calculated',
      missing: ['There is no sentence, so no current conviction'],
    })
    // Convicted before the 10th birthday: OGRS3's own validation speaks.
    expect(ogrs3For(facts({ sentences: [sentence('1999-01-01')] }), OGRS3_PUBLISHED_WEIGHTS)).toMatchObject({
      status: 'not_calculated',
      missing: ['The date of current conviction must be on or after the 10th birthday'],
    })
  })

  it('reads the categories the seed and imports write, and uses the disputed weight chosen', () => {
    expect(ogrs3CategoryOf('fraud_forgery')).toBe('fraud_and_forgery')
    expect(ogrs3CategoryOf('other')).toBe('other_offence')
    expect(ogrs3CategoryOf('burglary')).toBeNull()
    const sexual = facts({
      sentences: [sentence('2024-01-10', { offenceCategory: 'sexual_not_against_child' })],
    })
    const published = ogrs3For(sexual, OGRS3_PUBLISHED_WEIGHTS)
    const oasys = ogrs3For(sexual, OGRS3_OASYS_WEIGHTS)
    if (published.status !== 'calculated' || oasys.status !== 'calculated') throw new Error('not calculated')
    expect(published.result.terms.offence).toBe(0.003276327)
    expect(oasys.result.terms.offence).toBe(0.0328)
  })
})

describe('the tier from what Tandem holds', () => {
  it('needs a RoSH level or an RSR score', () => {
    expect(tierFor(facts({ roshLevel: null }))).toMatchObject({ status: 'not_calculated' })
  })

  it('keeps only the registers the tier looks at, and reveals their categories', () => {
    const person = facts({
      rsr: { score: 7.2, determinedAt: '2025-01-01T00:00:00Z' },
      mappaLevel: 1,
      registers: [
        { typeCode: 'RCPR', category: 'family' },
        { typeCode: 'IIOM', category: 'risk' },
        { typeCode: 'WEAP', category: 'risk' },
      ],
    })
    const result = tierFor(person)
    expect(result).toMatchObject({
      status: 'calculated',
      inputs: { rsr: 7.2, rosh: 'medium', mappaLevel: 1, registers: ['IIOM', 'RCPR'], iom: true },
      // RSR 20 + RoSH 10 − 10 + MAPPA 5 + RCPR 2 = 27 → B.
      result: { level: 'B', points: 27 },
    })
    expect(tierCategories(person)).toEqual(['family', 'risk'])
    expect(tierCategories(facts())).toEqual(['risk'])
  })
})
