import { z } from 'zod'
import { ValidationError, type FieldProblem } from '../../errors.js'

/**
 * OGRS3, the Offender Group Reconviction Scale version 3: proven reoffending within one and two
 * years from static factors only. Every constant, rule and section number below is from the shared
 * reference, /work/shared/reference/risk-scores.md §1 (sources [S2] rsr-calculator and [S3] arns).
 *
 *   Copas = ln(S / (10 + Y))                 S sanctions counting the current one, Y = A_c − A_1
 *   Sigma = AgeGender(sex, A_f) + SanctionFlag(S) + 1.251124464 × Copas + Offence(OFF)
 *   P1yr  = 1 / (1 + exp(−(1.402562384 + Sigma)))
 *   P2yr  = 1 / (1 + exp(−(2.121705678 + Sigma)))
 */

/** §1.4 scalar parameters, full precision [S2]. */
const INTERCEPT_ONE_YEAR = 1.402562384
const INTERCEPT_TWO_YEARS = 2.121705678
const COPAS_MULTIPLIER = 1.251124464
const FIRST_SANCTION = 0.126142106
const SECOND_OR_LATER_SANCTION = 0.463062792

/** §1.5: age at current conviction, and so the age bands, start at 10. */
const MINIMUM_AGE = 10

/**
 * §1.4 age at start of follow-up × sex, bounds inclusive, full precision [S2]. The female 10–15
 * weights are disputed (§1.6), so they are stored as published and their sign is an option.
 */
const AGE_BANDS = [
  { from: 10, to: 11, male: 0, female: -0.785038489 },
  { from: 12, to: 13, male: 0.083922902, female: -0.613852078 },
  { from: 14, to: 15, male: 0.075775765, female: -0.669521331 },
  { from: 16, to: 17, male: -0.061594199, female: -0.959179629 },
  { from: 18, to: 20, male: -0.625103618, female: -0.897480934 },
  { from: 21, to: 24, male: -1.051515067, female: -1.028488454 },
  { from: 25, to: 29, male: -1.166679288, female: -1.052777806 },
  { from: 30, to: 34, male: -1.325976554, female: -1.129127959 },
  { from: 35, to: 39, male: -1.368045933, female: -1.42187494 },
  { from: 40, to: 49, male: -1.499690953, female: -1.524652221 },
  { from: 50, to: Infinity, male: -2.025261458, female: -2.44983716 },
] as const

/**
 * §1.4 the 20 offence categories of the current offence: the reference's label, and its full
 * precision weight [S2] with drink driving and other motoring paired as the reference corrects
 * them. Names are the labels in snake_case ('&' read as 'and', any other punctuation a break).
 */
export const OGRS3_OFFENCE_CATEGORIES = {
  violence: { label: 'Violence', weight: 0 },
  robbery: { label: 'Robbery', weight: -0.634795912 },
  public_order: { label: 'Public order', weight: 0.181917975 },
  // Disputed (§1.6): this is only the default; see Ogrs3Options.sexualNotAgainstChildWeight.
  sexual_not_against_child: { label: 'Sexual (not against child)', weight: 0.003276327 },
  sexual_against_child: { label: 'Sexual (against child)', weight: -0.653434071 },
  soliciting_or_prostitution: { label: 'Soliciting or prostitution', weight: 0.760608858 },
  burglary_domestic: { label: 'Burglary (domestic)', weight: -0.12394352 },
  burglary_other: { label: 'Burglary (other)', weight: 0.240604429 },
  theft_non_motor: { label: 'Theft (non-motor)', weight: 0.661244321 },
  handling_stolen_goods: { label: 'Handling stolen goods', weight: 0.351866973 },
  fraud_and_forgery: { label: 'Fraud and forgery', weight: 0.159910192 },
  absconding_or_bail_offences: { label: 'Absconding or bail offences', weight: 0.733378677 },
  taking_and_driving_away_and_related_offences: {
    label: 'Taking & driving away and related offences',
    weight: 0.380059431,
  },
  theft_from_vehicles: { label: 'Theft from vehicles', weight: 0.427225615 },
  drink_driving: { label: 'Drink driving', weight: -0.121439408 },
  other_motoring: { label: 'Other motoring', weight: 0.262228428 },
  criminal_damage: { label: 'Criminal damage', weight: 0.204960477 },
  drug_import_export_production: { label: 'Drug import/export/production', weight: -0.795556373 },
  drug_possession_supply: { label: 'Drug possession/supply', weight: 0.077165871 },
  other_offence: { label: 'Other offence', weight: -0.060667525 },
} as const

export type Ogrs3OffenceCategory = keyof typeof OGRS3_OFFENCE_CATEGORIES
const OFFENCE_CATEGORY_NAMES = Object.keys(OGRS3_OFFENCE_CATEGORIES) as [
  Ogrs3OffenceCategory,
  ...Ogrs3OffenceCategory[],
]

export type Ogrs3Band = 'low' | 'medium' | 'high' | 'very_high'
export const OGRS3_BAND_LABELS: Record<Ogrs3Band, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  very_high: 'Very high',
}

/** The weights the sources disagree on (§1.6), chosen by the caller. */
export interface Ogrs3Options {
  /** Sexual (not against child): 0.003276327 as published [S2], or 0.0328 as OASys maps it [S4]. */
  sexualNotAgainstChildWeight: number
  /** Female aged 10–15: 'negative' as published [S2], or 'positive' as in OASys [S3]. */
  femaleUnder16Weights: 'negative' | 'positive'
}

/** The published weights: the reference's default. */
export const OGRS3_PUBLISHED_WEIGHTS: Ogrs3Options = {
  sexualNotAgainstChildWeight: 0.003276327,
  femaleUnder16Weights: 'negative',
}

/** The weights OASys and the arns API use, where parity with OASys is required. */
export const OGRS3_OASYS_WEIGHTS: Ogrs3Options = {
  sexualNotAgainstChildWeight: 0.0328,
  femaleUnder16Weights: 'positive',
}

const OptionsSchema = z.object({
  sexualNotAgainstChildWeight: z.number({ error: 'The sexual (not against child) weight must be a number' }),
  femaleUnder16Weights: z.enum(['negative', 'positive'], {
    error: 'The female under 16 weights must be negative or positive',
  }),
})

const wholeNumber = (label: string, min: number, rule: string) =>
  z
    .int({
      error: (issue) =>
        issue.input === undefined ? `Enter the ${label}` : `The ${label} must be a whole number`,
    })
    .min(min, `The ${label} must be ${rule}`)

const isoDate = (label: string) =>
  z.iso.date({
    error: (issue) =>
      issue.input === undefined ? `Enter the ${label}` : `The ${label} must be a real date like 2024-03-21`,
  })

/** The inputs of OGRS3, with the ages already worked out. */
export const Ogrs3Input = z
  .object({
    sex: z.enum(['M', 'F'], { error: 'Sex must be M or F' }),
    ageAtStartOfFollowUp: wholeNumber('age at start of follow-up', MINIMUM_AGE, '10 or more'),
    ageAtCurrentConviction: wholeNumber('age at current conviction', MINIMUM_AGE, '10 or more'),
    // The reference sets no lower limit of its own; dates before birth are caught with the dates.
    ageAtFirstSanction: wholeNumber('age at first sanction', 0, '0 or more'),
    sanctions: wholeNumber('number of sanctions', 1, '1 or more, counting the current one'),
    offenceCategory: z.enum(OFFENCE_CATEGORY_NAMES, {
      error: `The offence category must be one of: ${OFFENCE_CATEGORY_NAMES.join(', ')}`,
    }),
  })
  .superRefine((input, context) => {
    // §1.5: also keeps 10 + Y positive, so the Copas logarithm is defined.
    if (input.ageAtFirstSanction > input.ageAtCurrentConviction)
      context.addIssue({
        code: 'custom',
        path: ['ageAtFirstSanction'],
        message: 'The age at first sanction must not be after the age at current conviction',
      })
    // Follow-up starts when the person could reoffend after this conviction, never before it.
    if (input.ageAtStartOfFollowUp < input.ageAtCurrentConviction)
      context.addIssue({
        code: 'custom',
        path: ['ageAtStartOfFollowUp'],
        message: 'The age at start of follow-up must not be before the age at current conviction',
      })
  })
export type Ogrs3Input = z.infer<typeof Ogrs3Input>

const REAL_DATE = z.iso.date()

/** The dates the ages come from (§1.2); the first sanction's date is optional. */
export const Ogrs3Dates = z
  .object({
    dateOfBirth: isoDate('date of birth'),
    dateOfCurrentConviction: isoDate('date of current conviction'),
    dateAtStartOfFollowUp: isoDate('date at start of follow-up'),
    dateOfFirstSanction: isoDate('date of first sanction').optional(),
  })
  .superRefine((dates, context) => {
    const problem = (field: keyof typeof dates, message: string) =>
      context.addIssue({ code: 'custom', path: [field], message })
    // Zod still runs this when a date is malformed; those already have their own problem.
    if (!Object.values(dates).every((date) => REAL_DATE.safeParse(date).success)) return
    // ISO dates compare correctly as strings.
    const { dateOfBirth, dateOfCurrentConviction, dateAtStartOfFollowUp, dateOfFirstSanction } = dates
    // §1.5: dates on or before the date of birth are rejected.
    if (dateOfCurrentConviction <= dateOfBirth)
      problem('dateOfCurrentConviction', 'The date of current conviction must be after the date of birth')
    else if (ageInCompletedYears(dateOfBirth, dateOfCurrentConviction) < MINIMUM_AGE)
      problem(
        'dateOfCurrentConviction',
        'The date of current conviction must be on or after the 10th birthday',
      )
    if (dateAtStartOfFollowUp <= dateOfBirth)
      problem('dateAtStartOfFollowUp', 'The date at start of follow-up must be after the date of birth')
    else if (dateAtStartOfFollowUp < dateOfCurrentConviction)
      problem(
        'dateAtStartOfFollowUp',
        'The date at start of follow-up must not be before the date of current conviction',
      )
    if (dateOfFirstSanction === undefined) return
    if (dateOfFirstSanction <= dateOfBirth)
      problem('dateOfFirstSanction', 'The date of first sanction must be after the date of birth')
    // The current conviction is itself a sanction, so the first cannot come after it.
    else if (dateOfFirstSanction > dateOfCurrentConviction)
      problem(
        'dateOfFirstSanction',
        'The date of first sanction must not be after the date of current conviction',
      )
  })
export type Ogrs3Dates = z.input<typeof Ogrs3Dates>

export interface Ogrs3Ages {
  ageAtStartOfFollowUp: number
  ageAtCurrentConviction: number
  ageAtFirstSanction: number
}

/** Each named term of the linear predictor; their sum is Sigma. */
export interface Ogrs3Terms {
  /** AgeGender(sex, A_f): the weight for sex and age band at start of follow-up. */
  ageGender: number
  /** SanctionFlag(S): first sanction or a later one. */
  sanctionFlag: number
  /** 1.251124464 × ln(S / (10 + Y)). */
  copas: number
  /** Offence(OFF): the weight of the current offence's category. */
  offence: number
}

export interface Ogrs3Result {
  /** Chance of proven reoffending within one year, as an unrounded percentage. */
  oneYear: number
  /** Within two years, as an unrounded percentage. */
  twoYear: number
  /** From the two-year percentage as OASys rounds it (§1.5). */
  band: Ogrs3Band
  terms: Ogrs3Terms
  /** ln(S / (10 + Y)) before its multiplier, for showing the working. */
  copasRate: number
  /** Y = A_c − A_1. */
  yearsSinceFirstSanction: number
  /** The age band at start of follow-up, e.g. '18 to 20'. */
  ageBand: string
  /** Sigma, the sum of the terms. */
  linearPredictor: number
}

function problemsFrom(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'input',
    message: issue.message,
  }))
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new ValidationError(problemsFrom(result.error))
  return result.data
}

/**
 * Age in completed years on a date, birthday-based as both MoJ implementations count it (§1.2):
 * the age goes up on the birthday itself, and a 29 February birthday falls on 1 March in other years.
 * Both dates are ISO `YYYY-MM-DD` and assumed valid.
 */
export function ageInCompletedYears(dateOfBirth: string, onDate: string): number {
  const [birthYear, birthMonth, birthDay] = dateOfBirth.split('-').map(Number) as [number, number, number]
  const [year, month, day] = onDate.split('-').map(Number) as [number, number, number]
  const beforeBirthday = month < birthMonth || (month === birthMonth && day < birthDay)
  return year - birthYear - (beforeBirthday ? 1 : 0)
}

/**
 * Works out the OGRS3 ages from dates (§1.2): A_f at the start of follow-up, A_c at the current
 * conviction and, when its date is given, A_1 at the first sanction.
 * @throws ValidationError naming each bad date.
 */
export function deriveOgrs3Ages(dates: Ogrs3Dates & { dateOfFirstSanction: string }): Ogrs3Ages
export function deriveOgrs3Ages(
  dates: Ogrs3Dates,
): Omit<Ogrs3Ages, 'ageAtFirstSanction'> & { ageAtFirstSanction?: number }
export function deriveOgrs3Ages(
  dates: Ogrs3Dates,
): Omit<Ogrs3Ages, 'ageAtFirstSanction'> & { ageAtFirstSanction?: number } {
  const valid = parse(Ogrs3Dates, dates)
  const ages = {
    ageAtStartOfFollowUp: ageInCompletedYears(valid.dateOfBirth, valid.dateAtStartOfFollowUp),
    ageAtCurrentConviction: ageInCompletedYears(valid.dateOfBirth, valid.dateOfCurrentConviction),
  }
  if (valid.dateOfFirstSanction === undefined) return ages
  return { ...ages, ageAtFirstSanction: ageInCompletedYears(valid.dateOfBirth, valid.dateOfFirstSanction) }
}

/**
 * The two-year percentage as OASys shows it (§1.5, [S3]): the probability rounded to 5 decimal
 * places, then half up to a whole percentage, with 0 shown as 1 and anything over 99 as 99.
 */
export function oasysPercentage(percentage: number): number {
  // Whole thousandths of a percent are the probability's 5 decimal places; integer steps avoid
  // binary fractions nudging a half the wrong way.
  const thousandths = Math.round(percentage * 1000)
  const whole = Math.floor((thousandths + 500) / 1000)
  return Math.min(99, Math.max(1, whole))
}

/** §1.5 band on the two-year percentage: Low 0–49, Medium 50–74, High 75–89, Very high 90+. */
export function ogrs3Band(twoYearPercentage: number): Ogrs3Band {
  const whole = oasysPercentage(twoYearPercentage)
  if (whole >= 90) return 'very_high'
  if (whole >= 75) return 'high'
  if (whole >= 50) return 'medium'
  return 'low'
}

const percentage = (intercept: number, sigma: number) => 100 / (1 + Math.exp(-(intercept + sigma)))

/**
 * Calculates OGRS3 (§1.3) from sex, the three ages, the number of sanctions counting the current
 * one, and the current offence's category. Pure: same input, same answer.
 * @param options the disputed weights (§1.6); the published ones unless given.
 * @throws ValidationError naming each bad field.
 */
export function calculateOgrs3(input: Ogrs3Input, options: Partial<Ogrs3Options> = {}): Ogrs3Result {
  const valid = parse(Ogrs3Input, input)
  const weights = parse(OptionsSchema, { ...OGRS3_PUBLISHED_WEIGHTS, ...options })

  // The bands cover every whole age from 10 and validation stops anything younger.
  const band = AGE_BANDS.find((b) => valid.ageAtStartOfFollowUp <= b.to) ?? AGE_BANDS[AGE_BANDS.length - 1]!
  const youngFemale = band.to <= 15 && weights.femaleUnder16Weights === 'positive'
  const ageGender = valid.sex === 'M' ? band.male : youngFemale ? -band.female : band.female

  const yearsSinceFirstSanction = valid.ageAtCurrentConviction - valid.ageAtFirstSanction
  const copasRate = Math.log(valid.sanctions / (10 + yearsSinceFirstSanction))
  const terms: Ogrs3Terms = {
    ageGender,
    sanctionFlag: valid.sanctions === 1 ? FIRST_SANCTION : SECOND_OR_LATER_SANCTION,
    copas: COPAS_MULTIPLIER * copasRate,
    offence:
      valid.offenceCategory === 'sexual_not_against_child'
        ? weights.sexualNotAgainstChildWeight
        : OGRS3_OFFENCE_CATEGORIES[valid.offenceCategory].weight,
  }
  const linearPredictor = terms.ageGender + terms.sanctionFlag + terms.copas + terms.offence
  const twoYear = percentage(INTERCEPT_TWO_YEARS, linearPredictor)
  return {
    oneYear: percentage(INTERCEPT_ONE_YEAR, linearPredictor),
    twoYear,
    band: ogrs3Band(twoYear),
    terms,
    copasRate,
    yearsSinceFirstSanction,
    ageBand: band.to === Infinity ? `${band.from} and over` : `${band.from} to ${band.to}`,
    linearPredictor,
  }
}
