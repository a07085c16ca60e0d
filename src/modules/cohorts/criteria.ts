import { ageOn, humanise } from '../../platform/views/format.js'
import type { Criteria } from './cohorts.schema.js'

/** Data categories a viewer must hold for each criterion to be judged (and explained) for them. */
export function categoriesUsed(criteria: Criteria): ('sentence' | 'risk')[] {
  const used: ('sentence' | 'risk')[] = []
  if (
    criteria.offenceCategories?.length ||
    criteria.sentenceTypes?.length ||
    criteria.minSentenceDays !== undefined ||
    criteria.maxSentenceDays !== undefined ||
    criteria.custodyStatuses?.length
  )
    used.push('sentence')
  if (criteria.roshLevels?.length) used.push('risk')
  return used
}

export function hasCriteria(criteria: Criteria): boolean {
  return Object.values(criteria).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined))
}

/**
 * The latest date of birth of someone aged at least `years` on `today` (YYYY-MM-DD). A birthday
 * on 29 February counts from 1 March in other years, as ageOn does.
 */
export function bornOnOrBefore(today: string, years: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number]
  const year = y - years
  const lastDay = new Date(Date.UTC(year, m, 0)).getUTCDate()
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`
}

const SENTENCE_NAMES: Record<string, string> = {
  community: 'community sentence',
  suspended: 'suspended sentence',
  short_custody: 'custodial sentence',
  long_custody: 'custodial sentence',
}

/** 10 months, 2 years, 3 weeks: a sentence length as people say it. */
export function sentenceLength(days: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (days >= 365 && days % 365 === 0) return plural(days / 365, 'year')
  if (days >= 28) return plural(Math.max(1, Math.round(days / 30.44)), 'month')
  if (days % 7 === 0 && days > 0) return plural(days / 7, 'week')
  return plural(days, 'day')
}

export interface MatchFacts {
  offence: string | null
  offenceCategory: string | null
  sentenceType: string | null
  lengthDays: number | null
  roshLevel: string | null
  custodyStatus: string | null
  dateOfBirth: string
}

/** Why someone meets the criteria, one phrase per criterion that matched: "Burglary; custodial sentence of 10 months; aged 24". */
export function explainMatch(criteria: Criteria, facts: MatchFacts, today: string): string[] {
  const why: string[] = []
  if (criteria.offenceCategories?.length && facts.offence) why.push(facts.offence)
  const sentenceCriteria =
    criteria.sentenceTypes?.length ||
    criteria.minSentenceDays !== undefined ||
    criteria.maxSentenceDays !== undefined
  if (sentenceCriteria && facts.sentenceType) {
    const name = SENTENCE_NAMES[facts.sentenceType] ?? humanise(facts.sentenceType).toLowerCase()
    const length = facts.lengthDays !== null ? ` of ${sentenceLength(facts.lengthDays)}` : ''
    why.push(`${name}${length}`)
  }
  if (criteria.roshLevels?.length && facts.roshLevel)
    why.push(`${humanise(facts.roshLevel).toLowerCase()} risk of serious harm`)
  if (criteria.custodyStatuses?.length && facts.custodyStatus)
    why.push(humanise(facts.custodyStatus).toLowerCase())
  if (criteria.minAge !== undefined || criteria.maxAge !== undefined)
    why.push(`aged ${ageOn(facts.dateOfBirth, today)}`)
  return why.map((phrase, i) => (i === 0 ? phrase.charAt(0).toUpperCase() + phrase.slice(1) : phrase))
}

/** The criteria in words, for the cohort page. */
export function describeCriteria(criteria: Criteria): string[] {
  const list = (values: readonly string[] | undefined) =>
    values?.map((v) => humanise(v).toLowerCase()).join(', ')
  const lines: string[] = []
  if (criteria.offenceCategories?.length) lines.push(`Offence: ${list(criteria.offenceCategories)}`)
  if (criteria.sentenceTypes?.length) lines.push(`Sentence: ${list(criteria.sentenceTypes)}`)
  if (criteria.minSentenceDays !== undefined)
    lines.push(`Sentence of at least ${criteria.minSentenceDays} days`)
  if (criteria.maxSentenceDays !== undefined)
    lines.push(`Sentence of at most ${criteria.maxSentenceDays} days`)
  if (criteria.roshLevels?.length) lines.push(`Risk of serious harm: ${list(criteria.roshLevels)}`)
  if (criteria.minAge !== undefined) lines.push(`Aged ${criteria.minAge} or over`)
  if (criteria.maxAge !== undefined) lines.push(`Aged ${criteria.maxAge} or under`)
  if (criteria.custodyStatuses?.length) lines.push(`Custody status: ${list(criteria.custodyStatuses)}`)
  return lines
}
