import { ValidationError } from '../../errors.js'
import {
  calculateOgrs3,
  deriveOgrs3Ages,
  OGRS3_OFFENCE_CATEGORIES,
  type Ogrs3Ages,
  type Ogrs3OffenceCategory,
  type Ogrs3Options,
  type Ogrs3Result,
} from './ogrs3.js'
import {
  calculateProtect,
  COMPLEXITY_REGISTERS,
  IOM_REGISTER,
  type ProtectResult,
  type RoshLevel,
} from './tier.js'

/**
 * From what Tandem holds about a person to the inputs of OGRS3 and the tier, pure. Tandem does
 * not hold everything the published definitions ask for; where it must stand in for something,
 * the choice is written in ASSUMPTIONS, shown beside every score and versioned with it.
 */

export const OGRS3_CALCULATOR_VERSION = 1

export const ASSUMPTIONS = {
  ogrs3: [
    'The current conviction is the most recent sentence Tandem holds; its date is the sentence date.',
    'Sanctions are counted from the sentences Tandem holds, one per sentencing day. Cautions and convictions ' +
      'without a probation sentence are not held, so the count may be too low.',
    'The first sanction is the earliest sentence Tandem holds.',
    'Follow-up starts on the sentence date for a community sentence, and on release (or the expected ' +
      'release date while still in custody) for a custodial one.',
  ],
  tier: [
    'Only the protect level (A to D) is calculated. The change level (0 to 3) needs the OASys criminogenic ' +
      'need severities, which Tandem does not receive; the current A to G tier needs the ARP, CSRP and ' +
      'DC-SRP predictors, which Tandem does not receive either.',
    'RSR is the latest received from OASys; RoSH and MAPPA level are as recorded on the person.',
    "Women's additional factors are named by the reference but not defined there, so they add no points.",
  ],
} as const

export interface SentenceFact {
  id: string
  sentencedOn: string
  offence: string
  offenceCategory: string
  sentenceType: string
  expectedReleaseOn: string | null
}

export interface PersonScoreFacts {
  gender: string
  dateOfBirth: string
  roshLevel: RoshLevel | null
  mappaLevel: number | null
  sentences: SentenceFact[]
  custodyEpisodes: { receivedOn: string; releasedOn: string | null }[]
  /** The person's active registrations, with the data category each belongs to. */
  registers: { typeCode: string; category: string }[]
  rsr: { score: number; determinedAt: string } | null
}

/** Tandem's offence categories (as the seed and imports write them) that differ from OGRS3's names. */
const CATEGORY_ALIASES: Record<string, Ogrs3OffenceCategory> = {
  fraud_forgery: 'fraud_and_forgery',
  absconding_bail: 'absconding_or_bail_offences',
  taking_and_driving_away: 'taking_and_driving_away_and_related_offences',
  other: 'other_offence',
}

export function ogrs3CategoryOf(category: string): Ogrs3OffenceCategory | null {
  if (category in OGRS3_OFFENCE_CATEGORIES) return category as Ogrs3OffenceCategory
  return CATEGORY_ALIASES[category] ?? null
}

const custodial = (s: SentenceFact) => s.expectedReleaseOn !== null || /custod|prison/i.test(s.sentenceType)

export interface Ogrs3Inputs {
  sex: 'M' | 'F'
  dateOfBirth: string
  currentSentenceId: string
  offence: string
  offenceCategory: Ogrs3OffenceCategory
  dateOfCurrentConviction: string
  dateAtStartOfFollowUp: string
  followUpStarts: 'sentence' | 'release' | 'expected_release'
  dateOfFirstSanction: string
  sanctions: number
}

export type Calculation<I, R> =
  | { status: 'calculated'; inputs: I; result: R }
  | { status: 'not_calculated'; inputs: Partial<I>; missing: string[] }

/** OGRS3 inputs from the person's facts: what is there, and what is missing. */
export function ogrs3InputsOf(facts: PersonScoreFacts): { inputs: Partial<Ogrs3Inputs>; missing: string[] } {
  const missing: string[] = []
  const inputs: Partial<Ogrs3Inputs> = { dateOfBirth: facts.dateOfBirth }
  if (facts.gender === 'male' || facts.gender === 'female') inputs.sex = facts.gender === 'male' ? 'M' : 'F'
  else missing.push('OGRS3 is defined for male and female only; sex is recorded as ' + facts.gender)
  const sentences = [...facts.sentences].sort((a, b) =>
    a.sentencedOn === b.sentencedOn ? a.id.localeCompare(b.id) : a.sentencedOn.localeCompare(b.sentencedOn),
  )
  const current = sentences.at(-1)
  if (!current) return { inputs, missing: [...missing, 'There is no sentence, so no current conviction'] }
  inputs.currentSentenceId = current.id
  inputs.offence = current.offence
  inputs.dateOfCurrentConviction = current.sentencedOn
  inputs.dateOfFirstSanction = sentences[0]!.sentencedOn
  inputs.sanctions = new Set(sentences.map((s) => s.sentencedOn)).size
  const category = ogrs3CategoryOf(current.offenceCategory)
  if (category) inputs.offenceCategory = category
  else missing.push(`The offence category ‘${current.offenceCategory}’ has no OGRS3 category`)
  if (!custodial(current)) {
    inputs.dateAtStartOfFollowUp = current.sentencedOn
    inputs.followUpStarts = 'sentence'
  } else {
    const release = facts.custodyEpisodes
      .filter((e) => e.releasedOn !== null && e.releasedOn >= current.sentencedOn)
      .map((e) => e.releasedOn!)
      .sort()[0]
    if (release) {
      inputs.dateAtStartOfFollowUp = release
      inputs.followUpStarts = 'release'
    } else if (current.expectedReleaseOn) {
      inputs.dateAtStartOfFollowUp = current.expectedReleaseOn
      inputs.followUpStarts = 'expected_release'
    } else missing.push('A custodial sentence with no release date, so follow-up has no start')
  }
  return { inputs, missing }
}

/** OGRS3 for the person, or why it cannot be calculated. */
export function ogrs3For(
  facts: PersonScoreFacts,
  weights: Ogrs3Options,
): Calculation<Ogrs3Inputs, Ogrs3Result & { ages: Ogrs3Ages }> {
  const { inputs, missing } = ogrs3InputsOf(facts)
  if (missing.length > 0) return { status: 'not_calculated', inputs, missing }
  const complete = inputs as Ogrs3Inputs
  try {
    const ages = deriveOgrs3Ages({
      dateOfBirth: complete.dateOfBirth,
      dateOfCurrentConviction: complete.dateOfCurrentConviction,
      dateAtStartOfFollowUp: complete.dateAtStartOfFollowUp,
      dateOfFirstSanction: complete.dateOfFirstSanction,
    })
    const result = calculateOgrs3(
      {
        sex: complete.sex,
        ...ages,
        sanctions: complete.sanctions,
        offenceCategory: complete.offenceCategory,
      },
      weights,
    )
    return { status: 'calculated', inputs: complete, result: { ...result, ages } }
  } catch (error) {
    if (error instanceof ValidationError)
      return { status: 'not_calculated', inputs, missing: error.problems.map((p) => p.message) }
    throw error
  }
}

export interface TierInputs {
  rsr: number | null
  rsrDeterminedAt: string | null
  rosh: RoshLevel | null
  mappaLevel: number | null
  /** The active registers the tier looks at (complexity factors and IOM); no others are kept. */
  registers: string[]
  iom: boolean
}

const TIER_REGISTERS = new Set<string>([...COMPLEXITY_REGISTERS, IOM_REGISTER])

/** The data categories a tier reveals: risk, and those of the registers it counted. */
export function tierCategories(facts: PersonScoreFacts): string[] {
  const counted = facts.registers.filter((r) => TIER_REGISTERS.has(r.typeCode)).map((r) => r.category)
  return [...new Set(['risk', ...counted])].sort()
}

/** OGRS3 reveals the date of birth and sex, the sentences and a risk score. */
export const OGRS3_CATEGORIES = ['identity', 'risk', 'sentence']

/** The protect level for the person, when an assessment (RoSH or RSR) has been received. */
export function tierFor(facts: PersonScoreFacts): Calculation<TierInputs, ProtectResult> {
  const inputs: TierInputs = {
    rsr: facts.rsr?.score ?? null,
    rsrDeterminedAt: facts.rsr?.determinedAt ?? null,
    rosh: facts.roshLevel,
    mappaLevel: facts.mappaLevel,
    registers: [
      ...new Set(facts.registers.map((r) => r.typeCode).filter((c) => TIER_REGISTERS.has(c))),
    ].sort(),
    iom: facts.registers.some((r) => r.typeCode === IOM_REGISTER),
  }
  if (inputs.rosh === null && inputs.rsr === null)
    return {
      status: 'not_calculated',
      inputs,
      missing: ['Neither a RoSH level nor an RSR score is recorded'],
    }
  return {
    status: 'calculated',
    inputs,
    result: calculateProtect({
      rsr: inputs.rsr,
      rosh: inputs.rosh,
      mappaLevel: inputs.mappaLevel,
      registers: inputs.registers,
    }),
  }
}
