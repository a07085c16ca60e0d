import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../errors.js'
import {
  ageInCompletedYears,
  calculateOgrs3,
  deriveOgrs3Ages,
  OGRS3_OASYS_WEIGHTS,
  OGRS3_OFFENCE_CATEGORIES,
  oasysPercentage,
  ogrs3Band,
  type Ogrs3Input,
} from './ogrs3.js'

// Every number here is from /work/shared/reference/risk-scores.md §1.3–1.5. The expected
// percentages were worked out independently with `bc -l` at 30 digits, not with this module.

/** P = 100 / (1 + exp(−(intercept + Sigma))), §1.3. */
const logistic = (intercept: number, sigma: number) => 100 / (1 + Math.exp(-(intercept + sigma)))
const ONE_YEAR = 1.402562384
const TWO_YEARS = 2.121705678
const COPAS = 1.251124464
const FIRST = 0.126142106
const LATER = 0.463062792

const person = (overrides: Partial<Ogrs3Input> = {}): Ogrs3Input => ({
  sex: 'M',
  ageAtStartOfFollowUp: 19,
  ageAtCurrentConviction: 19,
  ageAtFirstSanction: 19,
  sanctions: 1,
  offenceCategory: 'violence',
  ...overrides,
})

/** The problems a call rejects with, as `field: message` pairs. */
function problemsOf(call: () => unknown): Record<string, string> {
  try {
    call()
  } catch (error) {
    if (error instanceof ValidationError)
      return Object.fromEntries(error.problems.map((problem) => [problem.field, problem.message]))
    throw error
  }
  throw new Error('expected a ValidationError')
}

describe('OGRS3 by hand from the published formula', () => {
  it('a man of 19 at his first sanction, for violence', () => {
    // AgeGender(M, 19): band 18–20, male                                   = −0.625103618
    // SanctionFlag(S = 1): first sanction                                  =  0.126142106
    // Y = A_c − A_1 = 19 − 19 = 0; Copas = ln(1 / (10 + 0)) = ln 0.1        = −2.302585093
    //   × 1.251124464                                                      = −2.880820540
    // Offence(violence): the reference category                            =  0
    // Sigma = −0.625103618 + 0.126142106 − 2.880820540 + 0                  = −3.379782052
    // P1 = 1 / (1 + exp(−(1.402562384 − 3.379782052))) = 1 / (1 + e^1.977219668) = 12.1615535 %
    // P2 = 1 / (1 + exp(−(2.121705678 − 3.379782052))) = 1 / (1 + e^1.258076374) = 22.1305211 %
    const result = calculateOgrs3(person())
    const sigma = -0.625103618 + FIRST + COPAS * Math.log(1 / 10) + 0
    expect(result.terms).toEqual({
      ageGender: -0.625103618,
      sanctionFlag: FIRST,
      copas: expect.closeTo(-2.88082054, 8),
      offence: 0,
    })
    expect(result.copasRate).toBeCloseTo(-2.302585093, 9)
    expect(result.yearsSinceFirstSanction).toBe(0)
    expect(result.ageBand).toBe('18 to 20')
    expect(result.linearPredictor).toBeCloseTo(sigma, 12)
    expect(result.oneYear).toBeCloseTo(logistic(ONE_YEAR, sigma), 10)
    expect(result.oneYear).toBeCloseTo(12.1615535047, 8)
    expect(result.twoYear).toBeCloseTo(22.1305211405, 8)
    expect(result.band).toBe('low')
  })

  it('a woman of 33 with eight sanctions since 17, for theft (non-motor)', () => {
    // A_f = 33 (band 30–34, female)                                        = −1.129127959
    // S = 8, so a later sanction                                           =  0.463062792
    // A_c = 32, A_1 = 17: Y = 15; Copas = ln(8 / 25) = −1.139434283
    //   × 1.251124464                                                      = −1.425574107
    // Offence(theft_non_motor)                                             =  0.661244321
    // Sigma = −1.129127959 + 0.463062792 − 1.425574107 + 0.661244321        = −1.430394953
    // P1 = 1 / (1 + exp(−(1.402562384 − 1.430394953)))                     = 49.3042307 %
    // P2 = 1 / (1 + exp(−(2.121705678 − 1.430394953)))                     = 66.6258441 % → Medium
    const result = calculateOgrs3(
      person({
        sex: 'F',
        ageAtStartOfFollowUp: 33,
        ageAtCurrentConviction: 32,
        ageAtFirstSanction: 17,
        sanctions: 8,
        offenceCategory: 'theft_non_motor',
      }),
    )
    expect(result.terms.ageGender).toBe(-1.129127959)
    expect(result.terms.sanctionFlag).toBe(LATER)
    expect(result.terms.copas).toBeCloseTo(-1.425574107, 8)
    expect(result.terms.offence).toBe(0.661244321)
    expect(result.yearsSinceFirstSanction).toBe(15)
    expect(result.ageBand).toBe('30 to 34')
    expect(result.oneYear).toBeCloseTo(49.3042306939, 8)
    expect(result.twoYear).toBeCloseTo(66.6258440638, 8)
    expect(result.band).toBe('medium')
  })

  it('a man of 63 in the 50 and over band, 30 sanctions over 45 years, other offence', () => {
    // −2.025261458 + 0.463062792 + 1.251124464 × ln(30 / 55) − 0.060667525
    //   = −2.025261458 + 0.463062792 − 0.758351332 − 0.060667525            = −2.381217523
    // P1 = 27.3158715 %, P2 = 43.5483711 % → Low
    const result = calculateOgrs3(
      person({
        ageAtStartOfFollowUp: 63,
        ageAtCurrentConviction: 63,
        ageAtFirstSanction: 18,
        sanctions: 30,
        offenceCategory: 'other_offence',
      }),
    )
    expect(result.ageBand).toBe('50 and over')
    expect(result.linearPredictor).toBeCloseTo(-2.381217523, 8)
    expect(result.oneYear).toBeCloseTo(27.3158714896, 8)
    expect(result.twoYear).toBeCloseTo(43.5483711206, 8)
    expect(result.band).toBe('low')
  })

  it('the terms add up to Sigma, and both years share it', () => {
    const result = calculateOgrs3(
      person({ sanctions: 4, ageAtFirstSanction: 14, offenceCategory: 'robbery' }),
    )
    const { ageGender, sanctionFlag, copas, offence } = result.terms
    expect(ageGender + sanctionFlag + copas + offence).toBeCloseTo(result.linearPredictor, 12)
    expect(result.oneYear).toBeCloseTo(logistic(ONE_YEAR, result.linearPredictor), 12)
    expect(result.twoYear).toBeCloseTo(logistic(TWO_YEARS, result.linearPredictor), 12)
    expect(result.oneYear).toBeLessThan(result.twoYear)
  })

  it('uses the age at start of follow-up for the age band, and the age at conviction for Y', () => {
    // Convicted at 17 (A_c), released at 21 (A_f): band 21–24 (male −1.051515067), not 16–17;
    // first sanction at 14 gives Y = 17 − 14 = 3, and Copas = ln(3 / 13).
    const result = calculateOgrs3(
      person({ ageAtStartOfFollowUp: 21, ageAtCurrentConviction: 17, ageAtFirstSanction: 14, sanctions: 3 }),
    )
    expect(result.terms.ageGender).toBe(-1.051515067)
    expect(result.yearsSinceFirstSanction).toBe(3)
    expect(result.copasRate).toBeCloseTo(Math.log(3 / 13), 12)
  })

  it('places every age on its band, bounds inclusive, for both sexes', () => {
    const weights: [number, number, number][] = [
      // age, male, female (published)
      [10, 0, -0.785038489],
      [11, 0, -0.785038489],
      [12, 0.083922902, -0.613852078],
      [15, 0.075775765, -0.669521331],
      [16, -0.061594199, -0.959179629],
      [17, -0.061594199, -0.959179629],
      [18, -0.625103618, -0.897480934],
      [20, -0.625103618, -0.897480934],
      [21, -1.051515067, -1.028488454],
      [24, -1.051515067, -1.028488454],
      [25, -1.166679288, -1.052777806],
      [29, -1.166679288, -1.052777806],
      [30, -1.325976554, -1.129127959],
      [34, -1.325976554, -1.129127959],
      [35, -1.368045933, -1.42187494],
      [39, -1.368045933, -1.42187494],
      [40, -1.499690953, -1.524652221],
      [49, -1.499690953, -1.524652221],
      [50, -2.025261458, -2.44983716],
      [99, -2.025261458, -2.44983716],
    ]
    for (const [age, male, female] of weights) {
      const ages = { ageAtStartOfFollowUp: age, ageAtCurrentConviction: age, ageAtFirstSanction: age }
      expect(calculateOgrs3(person({ ...ages, sex: 'M' })).terms.ageGender, `male ${age}`).toBe(male)
      expect(calculateOgrs3(person({ ...ages, sex: 'F' })).terms.ageGender, `female ${age}`).toBe(female)
    }
  })
})

describe('first sanction edge cases', () => {
  it('S = 1 takes the first-sanction flag and Copas ln(1/10) however old the person is', () => {
    const result = calculateOgrs3(
      person({ ageAtStartOfFollowUp: 45, ageAtCurrentConviction: 45, ageAtFirstSanction: 45 }),
    )
    expect(result.terms.sanctionFlag).toBe(FIRST)
    expect(result.copasRate).toBeCloseTo(Math.log(0.1), 12)
  })

  it('S = 2 switches to the later-sanction flag and ln(2/(10 + Y))', () => {
    // Two sanctions in the same year of age: Y = 0, Copas = ln(2/10) = −1.609437912
    const sameYear = calculateOgrs3(person({ sanctions: 2 }))
    expect(sameYear.terms.sanctionFlag).toBe(LATER)
    expect(sameYear.copasRate).toBeCloseTo(-1.609437912, 9)
    // The same two sanctions five years apart: ln(2/15) = −2.014903021, a lower rate.
    const apart = calculateOgrs3(person({ sanctions: 2, ageAtFirstSanction: 14 }))
    expect(apart.copasRate).toBeCloseTo(-2.014903021, 9)
    expect(apart.twoYear).toBeLessThan(sameYear.twoYear)
  })

  it('takes a first sanction at 10, the youngest age', () => {
    // Y = 10 − 10 = 0 at the youngest age; a 10-year-old boy is in the 10–11 reference band (0).
    const result = calculateOgrs3(
      person({ ageAtStartOfFollowUp: 10, ageAtCurrentConviction: 10, ageAtFirstSanction: 10 }),
    )
    expect(result.terms.ageGender).toBe(0)
    expect(result.yearsSinceFirstSanction).toBe(0)
  })

  it('applies no cap on sanctions (§1.5 recommends none)', () => {
    // ln(60/40) and ln(51/40) differ, so a cap at 51 in the Copas term would show.
    const result = calculateOgrs3(
      person({ sanctions: 60, ageAtStartOfFollowUp: 40, ageAtCurrentConviction: 40, ageAtFirstSanction: 10 }),
    )
    expect(result.copasRate).toBeCloseTo(Math.log(60 / 40), 12)
  })

  it('rejects a first sanction after the current conviction, and accepts one at the same age', () => {
    expect(problemsOf(() => calculateOgrs3(person({ ageAtFirstSanction: 20 })))).toEqual({
      ageAtFirstSanction: 'The age at first sanction must not be after the age at current conviction',
    })
    expect(() => calculateOgrs3(person({ ageAtFirstSanction: 19, sanctions: 3 }))).not.toThrow()
  })
})

describe('band boundaries on the two-year percentage (§1.5)', () => {
  // Each row: inputs, the terms from the reference, and P2 worked out with bc.
  const cases: {
    name: string
    input: Ogrs3Input
    terms: [number, number, number, string]
    twoYear: number
    band: string
  }[] = [
    {
      // −1.325976554 + 0.463062792 + 1.251124464 × ln(3/15) + 0.733378677 = −2.143142231
      name: 'man of 32, just under 49.5: Low',
      input: person({
        ageAtStartOfFollowUp: 32,
        ageAtCurrentConviction: 32,
        ageAtFirstSanction: 27,
        sanctions: 3,
        offenceCategory: 'absconding_or_bail_offences',
      }),
      terms: [-1.325976554, LATER, 3 / 15, 'absconding_or_bail_offences'],
      twoYear: 49.4641067079,
      band: 'low',
    },
    {
      // −1.051515067 + 0.463062792 + 1.251124464 × ln(3/12) + 0.181917975 = −2.140961090
      name: 'man of 22, just over 49.5: Medium',
      input: person({
        ageAtStartOfFollowUp: 22,
        ageAtCurrentConviction: 22,
        ageAtFirstSanction: 20,
        sanctions: 3,
        offenceCategory: 'public_order',
      }),
      terms: [-1.051515067, LATER, 3 / 12, 'public_order'],
      twoYear: 49.5186295855,
      band: 'medium',
    },
    {
      // −1.052777806 + 0.463062792 + 1.251124464 × ln(3/12) + 0.181917975 = −2.142223829
      name: 'woman of 27, just under 49.5: Low',
      input: person({
        sex: 'F',
        ageAtStartOfFollowUp: 27,
        ageAtCurrentConviction: 27,
        ageAtFirstSanction: 25,
        sanctions: 3,
        offenceCategory: 'public_order',
      }),
      terms: [-1.052777806, LATER, 3 / 12, 'public_order'],
      twoYear: 49.4870642326,
      band: 'low',
    },
    {
      // −0.897480934 + 0.463062792 + 1.251124464 × ln(2/11) + 0.427225615 = −2.140044570
      name: 'woman of 19, just over 49.5: Medium',
      input: person({
        sex: 'F',
        ageAtFirstSanction: 18,
        sanctions: 2,
        offenceCategory: 'theft_from_vehicles',
      }),
      terms: [-0.897480934, LATER, 2 / 11, 'theft_from_vehicles'],
      twoYear: 49.5415405449,
      band: 'medium',
    },
    {
      // −2.025261458 + 0.463062792 + 1.251124464 × ln(19/40) + 0.351866973 = −2.141719383;
      // 49.49967 % shows as 49.500 to OASys's 5 probability decimals, so rounds half up to 50.
      name: 'man of 55 at 49.49967 %: Medium, as OASys rounds it',
      input: person({
        ageAtStartOfFollowUp: 55,
        ageAtCurrentConviction: 55,
        ageAtFirstSanction: 25,
        sanctions: 19,
        offenceCategory: 'handling_stolen_goods',
      }),
      terms: [-2.025261458, LATER, 19 / 40, 'handling_stolen_goods'],
      twoYear: 49.4996740703,
      band: 'medium',
    },
    {
      // −1.028488454 + 0.463062792 + 1.251124464 × ln(6/15) + 0.661244321 = −1.050575092
      name: 'woman of 22, just under 74.5: Medium',
      input: person({
        sex: 'F',
        ageAtStartOfFollowUp: 22,
        ageAtCurrentConviction: 22,
        ageAtFirstSanction: 17,
        sanctions: 6,
        offenceCategory: 'theft_non_motor',
      }),
      terms: [-1.028488454, LATER, 6 / 15, 'theft_non_motor'],
      twoYear: 74.48118626,
      band: 'medium',
    },
    {
      // −0.897480934 + 0.463062792 + 1.251124464 × ln(7/13) + 0.159910192 = −1.049003048
      name: 'woman of 19, just over 74.5: High',
      input: person({ sex: 'F', ageAtFirstSanction: 16, sanctions: 7, offenceCategory: 'fraud_and_forgery' }),
      terms: [-0.897480934, LATER, 7 / 13, 'fraud_and_forgery'],
      twoYear: 74.5110541511,
      band: 'high',
    },
    {
      // −0.625103618 + 0.463062792 + 1.251124464 × ln(9/11) + 0.427225615 = 0.014120773
      name: 'man of 19, just under 89.5: High',
      input: person({ ageAtFirstSanction: 18, sanctions: 9, offenceCategory: 'theft_from_vehicles' }),
      terms: [-0.625103618, LATER, 9 / 11, 'theft_from_vehicles'],
      twoYear: 89.4336865184,
      band: 'high',
    },
    {
      // −0.625103618 + 0.463062792 + 1.251124464 × ln(12/11) + 0.077165871 = 0.023987107
      name: 'man of 19, just over 89.5: Very high',
      input: person({ ageAtFirstSanction: 18, sanctions: 12, offenceCategory: 'drug_possession_supply' }),
      terms: [-0.625103618, LATER, 12 / 11, 'drug_possession_supply'],
      twoYear: 89.5265597475,
      band: 'very_high',
    },
    {
      // −0.897480934 + 0.463062792 + 1.251124464 × ln(11/13) + 0.661244321 = 0.017820727
      name: 'woman of 19, just under 89.5: High',
      input: person({ sex: 'F', ageAtFirstSanction: 16, sanctions: 11, offenceCategory: 'theft_non_motor' }),
      terms: [-0.897480934, LATER, 11 / 13, 'theft_non_motor'],
      twoYear: 89.468599528,
      band: 'high',
    },
    {
      // −0.897480934 + 0.463062792 + 1.251124464 × ln(12/11) + 0.351866973 = 0.026310893
      name: 'woman of 19, just over 89.5: Very high',
      input: person({
        sex: 'F',
        ageAtFirstSanction: 18,
        sanctions: 12,
        offenceCategory: 'handling_stolen_goods',
      }),
      terms: [-0.897480934, LATER, 12 / 11, 'handling_stolen_goods'],
      twoYear: 89.548328747,
      band: 'very_high',
    },
  ]

  for (const { name, input, terms, twoYear, band } of cases)
    it(name, () => {
      const [ageGender, sanctionFlag, copasRatio, category] = terms
      const sigma =
        ageGender +
        sanctionFlag +
        COPAS * Math.log(copasRatio) +
        OGRS3_OFFENCE_CATEGORIES[category as keyof typeof OGRS3_OFFENCE_CATEGORIES].weight
      const result = calculateOgrs3(input)
      expect(result.linearPredictor).toBeCloseTo(sigma, 12)
      expect(result.twoYear).toBeCloseTo(logistic(TWO_YEARS, sigma), 10)
      expect(result.twoYear).toBeCloseTo(twoYear, 8)
      expect(result.band).toBe(band)
    })

  it('rounds as OASys does before banding: 5 probability decimals, half up, 1 to 99', () => {
    expect(oasysPercentage(49.49949)).toBe(49)
    expect(oasysPercentage(49.49951)).toBe(50)
    expect(oasysPercentage(74.5)).toBe(75)
    expect(oasysPercentage(0.0001)).toBe(1)
    expect(oasysPercentage(99.7)).toBe(99)
    expect([0, 49.4, 49.6, 74.4, 74.6, 89.4, 89.6, 100].map(ogrs3Band)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very_high',
      'very_high',
    ])
  })
})

describe('offence categories', () => {
  it('has the 20 categories of the reference, named in snake_case from their labels', () => {
    const snake = (label: string) =>
      label
        .toLowerCase()
        .replace(/&/g, 'and')
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_|_$/g, '')
    const entries = Object.entries(OGRS3_OFFENCE_CATEGORIES)
    expect(entries).toHaveLength(20)
    for (const [name, { label }] of entries) expect(name).toBe(snake(label))
    expect(Object.keys(OGRS3_OFFENCE_CATEGORIES)).toEqual(
      expect.arrayContaining(['burglary_domestic', 'theft_non_motor', 'drug_import_export_production']),
    )
  })

  it('pairs drink driving and other motoring as the reference corrects them', () => {
    expect(OGRS3_OFFENCE_CATEGORIES.drink_driving.weight).toBe(-0.121439408)
    expect(OGRS3_OFFENCE_CATEGORIES.other_motoring.weight).toBe(0.262228428)
  })
})

describe('disputed weights (§1.6)', () => {
  it('defaults sexual (not against child) to the published 0.003276327, with 0.0328 as an option', () => {
    // A man of 27, S = 4, Y = 9: −1.166679288 + 0.463062792 + 1.251124464 × ln(4/19) = −2.653049346
    //   published: Sigma = −2.653049346 + 0.003276327 = −2.649773019 → P2 37.0967763 %
    //   OASys:     Sigma = −2.653049346 + 0.0328      = −2.620249346 → P2 37.7882973 %
    const input = person({
      ageAtStartOfFollowUp: 27,
      ageAtCurrentConviction: 27,
      ageAtFirstSanction: 18,
      sanctions: 4,
      offenceCategory: 'sexual_not_against_child',
    })
    const published = calculateOgrs3(input)
    expect(published.terms.offence).toBe(0.003276327)
    expect(published.twoYear).toBeCloseTo(37.096776273, 8)
    const oasys = calculateOgrs3(input, { sexualNotAgainstChildWeight: 0.0328 })
    expect(oasys.terms.offence).toBe(0.0328)
    expect(oasys.oneYear).toBeCloseTo(22.8343758416, 8)
    expect(oasys.twoYear).toBeCloseTo(37.788297319, 8)
  })

  it('defaults girls under 16 to the published negative weights, with the OASys positive ones as an option', () => {
    // A girl of 14, S = 2, Y = 1, public order: 0.463062792 + 1.251124464 × ln(2/11) + 0.181917975
    //   = −1.487871276, plus AgeGender(F, 14–15):
    //   published −0.669521331 → Sigma −2.157392607 → P2 49.1079214 % (Low)
    //   OASys     +0.669521331 → Sigma −0.818349945 → P2 78.6399206 % (High)
    const girl = person({
      sex: 'F',
      ageAtStartOfFollowUp: 14,
      ageAtCurrentConviction: 14,
      ageAtFirstSanction: 13,
      sanctions: 2,
      offenceCategory: 'public_order',
    })
    const published = calculateOgrs3(girl)
    expect(published.terms.ageGender).toBe(-0.669521331)
    expect(published.twoYear).toBeCloseTo(49.1079214451, 8)
    expect(published.band).toBe('low')
    const oasys = calculateOgrs3(girl, { femaleUnder16Weights: 'positive' })
    expect(oasys.terms.ageGender).toBe(0.669521331)
    expect(oasys.oneYear).toBeCloseTo(64.2036111384, 8)
    expect(oasys.twoYear).toBeCloseTo(78.6399205661, 8)
    expect(oasys.band).toBe('high')
    // The option changes nothing from 16, nor for boys.
    const at16 = person({
      sex: 'F',
      ageAtStartOfFollowUp: 16,
      ageAtCurrentConviction: 16,
      ageAtFirstSanction: 16,
    })
    expect(calculateOgrs3(at16, OGRS3_OASYS_WEIGHTS).terms.ageGender).toBe(-0.959179629)
    const boy = { ...girl, sex: 'M' as const }
    expect(calculateOgrs3(boy, OGRS3_OASYS_WEIGHTS).terms.ageGender).toBe(0.075775765)
  })

  it('rejects options that are not weights', () => {
    expect(
      problemsOf(() => calculateOgrs3(person(), { sexualNotAgainstChildWeight: Number.NaN })),
    ).toHaveProperty('sexualNotAgainstChildWeight')
  })
})

describe('ages from dates (§1.2: completed years, birthday-based)', () => {
  it('adds the year on the birthday itself, not the day after', () => {
    expect(ageInCompletedYears('2000-06-15', '2019-06-14')).toBe(18)
    expect(ageInCompletedYears('2000-06-15', '2019-06-15')).toBe(19)
    expect(ageInCompletedYears('2000-06-15', '2019-12-31')).toBe(19)
    expect(ageInCompletedYears('2000-12-31', '2019-01-01')).toBe(18)
  })

  it('counts a 29 February birthday from 1 March in other years, as both MoJ implementations do', () => {
    expect(ageInCompletedYears('2004-02-29', '2023-02-28')).toBe(18)
    expect(ageInCompletedYears('2004-02-29', '2023-03-01')).toBe(19)
    expect(ageInCompletedYears('2004-02-29', '2024-02-29')).toBe(20)
  })

  it('derives all three ages, and Y is the difference of two ages, not of two dates', () => {
    // Born 20 May 1990. First sanction 19 May 2006, the day before turning 16: A_1 = 15.
    // Convicted 21 May 2024, the day after turning 34: A_c = 34; follow-up starts a week later:
    // A_f = 34. Y = 34 − 15 = 19, though the two dates are only 18 whole years apart.
    const ages = deriveOgrs3Ages({
      dateOfBirth: '1990-05-20',
      dateOfCurrentConviction: '2024-05-21',
      dateAtStartOfFollowUp: '2024-05-28',
      dateOfFirstSanction: '2006-05-19',
    })
    expect(ages).toEqual({ ageAtStartOfFollowUp: 34, ageAtCurrentConviction: 34, ageAtFirstSanction: 15 })
    const result = calculateOgrs3({ ...ages, sex: 'F', sanctions: 5, offenceCategory: 'theft_non_motor' })
    expect(result.yearsSinceFirstSanction).toBe(19)
    expect(result.copasRate).toBeCloseTo(Math.log(5 / 29), 12)
  })

  it('puts a birthday on the day of each date into the new age', () => {
    // Convicted on the 18th birthday, released on the 21st, first sanctioned on the 12th.
    expect(
      deriveOgrs3Ages({
        dateOfBirth: '2003-09-01',
        dateOfCurrentConviction: '2021-09-01',
        dateAtStartOfFollowUp: '2024-09-01',
        dateOfFirstSanction: '2015-09-01',
      }),
    ).toEqual({ ageAtStartOfFollowUp: 21, ageAtCurrentConviction: 18, ageAtFirstSanction: 12 })
  })

  it('leaves the age at first sanction out when its date is not given', () => {
    expect(
      deriveOgrs3Ages({
        dateOfBirth: '2003-09-01',
        dateOfCurrentConviction: '2021-08-31',
        dateAtStartOfFollowUp: '2021-08-31',
      }),
    ).toEqual({ ageAtStartOfFollowUp: 17, ageAtCurrentConviction: 17 })
  })

  it('accepts a first sanction on the day of the current conviction, and a conviction on the 10th birthday', () => {
    expect(
      deriveOgrs3Ages({
        dateOfBirth: '2010-03-01',
        dateOfCurrentConviction: '2020-03-01',
        dateAtStartOfFollowUp: '2020-03-01',
        dateOfFirstSanction: '2020-03-01',
      }),
    ).toEqual({ ageAtStartOfFollowUp: 10, ageAtCurrentConviction: 10, ageAtFirstSanction: 10 })
  })

  it('rejects dates that are not real ISO dates, naming each', () => {
    expect(
      problemsOf(() =>
        deriveOgrs3Ages({
          dateOfBirth: '21/03/1990',
          dateOfCurrentConviction: '2023-02-29',
          dateAtStartOfFollowUp: '2024-3-01',
          dateOfFirstSanction: '2010-04-31',
        }),
      ),
    ).toEqual({
      dateOfBirth: 'The date of birth must be a real date like 2024-03-21',
      dateOfCurrentConviction: 'The date of current conviction must be a real date like 2024-03-21',
      dateAtStartOfFollowUp: 'The date at start of follow-up must be a real date like 2024-03-21',
      dateOfFirstSanction: 'The date of first sanction must be a real date like 2024-03-21',
    })
    expect(problemsOf(() => deriveOgrs3Ages({} as never))).toEqual({
      dateOfBirth: 'Enter the date of birth',
      dateOfCurrentConviction: 'Enter the date of current conviction',
      dateAtStartOfFollowUp: 'Enter the date at start of follow-up',
    })
  })

  it('rejects dates out of order', () => {
    // §1.5: dates on or before the date of birth are rejected.
    expect(
      problemsOf(() =>
        deriveOgrs3Ages({
          dateOfBirth: '1990-01-01',
          dateOfCurrentConviction: '1990-01-01',
          dateAtStartOfFollowUp: '1989-12-31',
          dateOfFirstSanction: '1990-01-01',
        }),
      ),
    ).toEqual({
      dateOfCurrentConviction: 'The date of current conviction must be after the date of birth',
      dateAtStartOfFollowUp: 'The date at start of follow-up must be after the date of birth',
      dateOfFirstSanction: 'The date of first sanction must be after the date of birth',
    })
    expect(
      problemsOf(() =>
        deriveOgrs3Ages({
          dateOfBirth: '1990-01-01',
          dateOfCurrentConviction: '2020-06-01',
          dateAtStartOfFollowUp: '2020-05-31',
          dateOfFirstSanction: '2020-06-02',
        }),
      ),
    ).toEqual({
      dateAtStartOfFollowUp:
        'The date at start of follow-up must not be before the date of current conviction',
      dateOfFirstSanction: 'The date of first sanction must not be after the date of current conviction',
    })
    // §1.5: the age at current conviction must be 10 or more; the day before the 10th birthday is 9.
    expect(
      problemsOf(() =>
        deriveOgrs3Ages({
          dateOfBirth: '2010-03-01',
          dateOfCurrentConviction: '2020-02-29',
          dateAtStartOfFollowUp: '2020-03-01',
        }),
      ),
    ).toEqual({
      dateOfCurrentConviction: 'The date of current conviction must be on or after the 10th birthday',
    })
  })
})

describe('validation of the inputs', () => {
  it('requires sanctions to be a whole number of 1 or more', () => {
    const message = { sanctions: 'The number of sanctions must be 1 or more, counting the current one' }
    expect(problemsOf(() => calculateOgrs3(person({ sanctions: 0 })))).toEqual(message)
    expect(problemsOf(() => calculateOgrs3(person({ sanctions: 2.5 })))).toEqual({
      sanctions: 'The number of sanctions must be a whole number',
    })
    expect(problemsOf(() => calculateOgrs3(person({ sanctions: '3' as never })))).toEqual({
      sanctions: 'The number of sanctions must be a whole number',
    })
  })

  it('requires sex M or F and a known offence category', () => {
    const problems = problemsOf(() =>
      calculateOgrs3(person({ sex: 'male' as never, offenceCategory: 'burglary' as never })),
    )
    expect(problems.sex).toBe('Sex must be M or F')
    expect(problems.offenceCategory).toMatch(/^The offence category must be one of: violence, robbery, /)
  })

  it('requires ages of 10 or more at conviction and follow-up, in order', () => {
    expect(
      problemsOf(() =>
        calculateOgrs3(person({ ageAtStartOfFollowUp: 9, ageAtCurrentConviction: 9, ageAtFirstSanction: 9 })),
      ),
    ).toEqual({
      ageAtStartOfFollowUp: 'The age at start of follow-up must be 10 or more',
      ageAtCurrentConviction: 'The age at current conviction must be 10 or more',
    })
    expect(problemsOf(() => calculateOgrs3(person({ ageAtStartOfFollowUp: 18 })))).toEqual({
      ageAtStartOfFollowUp: 'The age at start of follow-up must not be before the age at current conviction',
    })
  })

  it('names every missing field at once', () => {
    expect(problemsOf(() => calculateOgrs3({} as never))).toEqual({
      sex: 'Sex must be M or F',
      ageAtStartOfFollowUp: 'Enter the age at start of follow-up',
      ageAtCurrentConviction: 'Enter the age at current conviction',
      ageAtFirstSanction: 'Enter the age at first sanction',
      sanctions: 'Enter the number of sanctions',
      offenceCategory: expect.stringMatching(/^The offence category must be one of/),
    })
  })
})
