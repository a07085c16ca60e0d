import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { ValidationError, type FieldProblem } from '../errors.js'
import {
  calculateOgrs3,
  deriveOgrs3Ages,
  OGRS3_OASYS_WEIGHTS,
  OGRS3_PUBLISHED_WEIGHTS,
  type Ogrs3Dates,
  type Ogrs3Input,
  type Ogrs3Options,
  type Ogrs3Result,
} from '../modules/intelligence/ogrs3.js'

const DATE_FIELDS = ['dateOfBirth', 'dateOfCurrentConviction', 'dateAtStartOfFollowUp', 'dateOfFirstSanction']

export interface ScoreSummary {
  /** Lines scored. */
  scored: number
  /** Lines answered with an error instead. */
  failed: number
}

/**
 * Scores OGRS3 for JSON lines, one person a line, as they arrive: memory stays flat however long
 * the input. Each non-blank line gets one output line, in order: `{ oneYear, twoYear, band, terms }`
 * or `{ error }` naming the bad fields. A line gives `sex`, `sanctions` (counting the current one),
 * `offenceCategory`, and either `dateOfBirth`, `dateOfCurrentConviction`, `dateAtStartOfFollowUp`
 * with `dateOfFirstSanction` or `ageAtFirstSanction`, or the ages `ageAtStartOfFollowUp`,
 * `ageAtCurrentConviction` and `ageAtFirstSanction`.
 */
export async function scoreOgrs3Lines(
  input: Readable,
  output: Writable,
  options: Partial<Ogrs3Options> = {},
): Promise<ScoreSummary> {
  const summary: ScoreSummary = { scored: 0, failed: 0 }
  const lines = createInterface({ input, crlfDelay: Infinity })
  let first = true
  for await (const raw of lines) {
    // A byte order mark from a Windows editor would otherwise make the first line bad JSON.
    const line = (first ? raw.replace(/^\uFEFF/, '') : raw).trim()
    first = false
    if (line === '') continue
    const answer = scoreLine(line, options)
    if ('error' in answer) summary.failed++
    else summary.scored++
    // Respect backpressure so a slow reader does not make us buffer the whole output.
    if (!output.write(`${JSON.stringify(answer)}\n`)) await once(output, 'drain')
  }
  return summary
}

/** `tandem score ogrs3`: standard input to standard output, with a count on standard error. */
export async function scoreOgrs3Command(options: { oasysWeights?: boolean }): Promise<void> {
  const weights = options.oasysWeights ? OGRS3_OASYS_WEIGHTS : OGRS3_PUBLISHED_WEIGHTS
  const summary = await scoreOgrs3Lines(process.stdin, process.stdout, weights)
  const count = (n: number) => n.toLocaleString('en-GB')
  console.error(`${count(summary.scored)} scored, ${count(summary.failed)} with errors.`)
  // Scripts should notice a bad line even though every other line was scored.
  if (summary.failed > 0) process.exitCode = 1
}

type Answer = Pick<Ogrs3Result, 'oneYear' | 'twoYear' | 'band' | 'terms'> | { error: string }

function scoreLine(line: string, options: Partial<Ogrs3Options>): Answer {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return { error: 'The line is not valid JSON' }
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return { error: 'The line must be a JSON object' }
  const fields = record as Record<string, unknown>

  const problems: FieldProblem[] = []
  const given = (field: string) => fields[field] !== undefined
  const dated = DATE_FIELDS.some(given)
  // Ages worked out from dates are not the caller's fields: their problems are reported on the dates.
  const derivedAges = new Set<string>()
  let ages: Record<string, unknown> = {
    ageAtStartOfFollowUp: fields.ageAtStartOfFollowUp,
    ageAtCurrentConviction: fields.ageAtCurrentConviction,
    ageAtFirstSanction: fields.ageAtFirstSanction,
  }
  if (dated) {
    const fromDate = given('dateOfFirstSanction')
    for (const field of ['ageAtStartOfFollowUp', 'ageAtCurrentConviction'].filter(given))
      problems.push({ field, message: 'Give dates or ages, not both' })
    if (fromDate && given('ageAtFirstSanction'))
      problems.push({
        field: 'ageAtFirstSanction',
        message: 'Give the date or the age of first sanction, not both',
      })
    if (!fromDate && !given('ageAtFirstSanction'))
      problems.push({ field: 'dateOfFirstSanction', message: 'Enter the date or the age of first sanction' })
    derivedAges.add('ageAtStartOfFollowUp').add('ageAtCurrentConviction')
    if (fromDate || !given('ageAtFirstSanction')) derivedAges.add('ageAtFirstSanction')
    const dates = Object.fromEntries(DATE_FIELDS.map((field) => [field, fields[field]]))
    // Both functions check everything they are given, so unchecked input may go straight in.
    const derived = collect(problems, () => deriveOgrs3Ages(dates as Ogrs3Dates))
    ages = {
      ageAtStartOfFollowUp: derived?.ageAtStartOfFollowUp,
      ageAtCurrentConviction: derived?.ageAtCurrentConviction,
      ageAtFirstSanction: fromDate ? derived?.ageAtFirstSanction : fields.ageAtFirstSanction,
    }
  }

  const scoreProblems: FieldProblem[] = []
  const result = collect(scoreProblems, () =>
    calculateOgrs3(
      {
        sex: fields.sex,
        sanctions: fields.sanctions,
        offenceCategory: fields.offenceCategory,
        ...ages,
      } as Ogrs3Input,
      options,
    ),
  )
  problems.push(...scoreProblems.filter((problem) => !derivedAges.has(problem.field)))
  // Valid dates always give valid ages, but never answer a failure with an empty message.
  const reported = problems.length > 0 ? problems : scoreProblems
  if (result === undefined || reported.length > 0)
    return { error: reported.map((problem) => `${problem.field}: ${problem.message}`).join('; ') }
  return { oneYear: result.oneYear, twoYear: result.twoYear, band: result.band, terms: result.terms }
}

/** Runs a step that may reject its input, adding the problems rather than throwing. */
function collect<T>(problems: FieldProblem[], step: () => T): T | undefined {
  try {
    return step()
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    problems.push(...error.problems)
    return undefined
  }
}
