import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { calculateOgrs3 } from '../modules/intelligence/ogrs3.js'
import { scoreOgrs3Lines } from './score.js'

/** Feeds text through the streaming scorer and returns each output line parsed. */
async function score(text: string | string[], options = {}) {
  const input = new PassThrough()
  const output = new PassThrough()
  const chunks: string[] = []
  output.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  const done = scoreOgrs3Lines(input, output, options)
  // Several writes, split mid-line, as a pipe would deliver them.
  for (const chunk of Array.isArray(text) ? text : [text]) input.write(chunk)
  input.end()
  const summary = await done
  const lines = chunks.join('').split('\n')
  expect(lines.pop()).toBe('')
  return { summary, results: lines.map((line) => JSON.parse(line) as Record<string, unknown>) }
}

const byAges = {
  sex: 'M',
  ageAtStartOfFollowUp: 19,
  ageAtCurrentConviction: 19,
  ageAtFirstSanction: 19,
  sanctions: 1,
  offenceCategory: 'violence',
}

// Born 20 May 1990: A_f = 34, A_c = 34, A_1 = 15.
const byDates = {
  sex: 'F',
  dateOfBirth: '1990-05-20',
  dateOfCurrentConviction: '2024-05-21',
  dateAtStartOfFollowUp: '2024-05-28',
  dateOfFirstSanction: '2006-05-19',
  sanctions: 5,
  offenceCategory: 'theft_non_motor',
}
const byDatesAsAges = {
  sex: 'F',
  ageAtStartOfFollowUp: 34,
  ageAtCurrentConviction: 34,
  ageAtFirstSanction: 15,
  sanctions: 5,
  offenceCategory: 'theft_non_motor',
} as const

const json = (value: unknown) => `${JSON.stringify(value)}\n`

describe('scoreOgrs3Lines', () => {
  it('scores ages given directly, with unrounded percentages, band and terms', async () => {
    const { summary, results } = await score(json(byAges))
    expect(summary).toEqual({ scored: 1, failed: 0 })
    // The hand-worked case in ogrs3.test.ts: a man of 19 at his first sanction, for violence.
    expect(results[0]).toEqual({
      oneYear: expect.closeTo(12.1615535047, 8),
      twoYear: expect.closeTo(22.1305211405, 8),
      band: 'low',
      terms: {
        ageGender: -0.625103618,
        sanctionFlag: 0.126142106,
        copas: expect.closeTo(-2.88082054, 8),
        offence: 0,
      },
    })
  })

  it('scores dates as the same ages, with the first sanction as a date or an age', async () => {
    const { dateOfFirstSanction: _, ...withAgeAtFirstSanction } = byDates
    const { results } = await score(
      json(byDates) + json({ ...withAgeAtFirstSanction, ageAtFirstSanction: 15 }) + json(byDatesAsAges),
    )
    const expected = calculateOgrs3(byDatesAsAges)
    for (const result of results)
      expect(result).toEqual({
        oneYear: expected.oneYear,
        twoYear: expected.twoYear,
        band: expected.band,
        terms: expected.terms,
      })
  })

  it('answers every non-blank line in order, skipping blank lines, even when lines arrive in pieces', async () => {
    const text = `\n${json(byAges)}   \n\r\n${json({ ...byAges, sanctions: 0 })}\n${json(byDates)}`
    const { summary, results } = await score([text.slice(0, 40), text.slice(40, 41), text.slice(41)])
    expect(summary).toEqual({ scored: 2, failed: 1 })
    expect(results.map((result) => ('error' in result ? 'error' : result.band))).toEqual([
      'low',
      'error',
      calculateOgrs3(byDatesAsAges).band,
    ])
  })

  it('answers each line as it arrives, before the input ends', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    const done = scoreOgrs3Lines(input, output)
    input.write(json(byAges))
    const [first] = (await once(output, 'data')) as [Buffer]
    expect(JSON.parse(first.toString())).toHaveProperty('band', 'low')
    input.end()
    expect(await done).toEqual({ scored: 1, failed: 0 })
  })

  it('copes with Windows line endings, a byte order mark and no final newline', async () => {
    const { results } = await score(`\uFEFF${JSON.stringify(byAges)}\r\n${JSON.stringify(byAges)}`)
    expect(results).toHaveLength(2)
    expect(results.every((result) => result.band === 'low')).toBe(true)
  })

  it('answers a line that is not JSON, or not an object, with an error and carries on', async () => {
    const { summary, results } = await score(`{"sex": "M",\n[1, 2]\nnull\n${json(byAges)}`)
    expect(summary).toEqual({ scored: 1, failed: 3 })
    expect(results.slice(0, 3)).toEqual([
      { error: 'The line is not valid JSON' },
      { error: 'The line must be a JSON object' },
      { error: 'The line must be a JSON object' },
    ])
    expect(results[3]).toHaveProperty('band', 'low')
  })

  it('names each bad field', async () => {
    const { results } = await score(
      json({ ...byAges, sanctions: 1.5 }) +
        json({ ...byAges, sex: 'X', offenceCategory: 'burglary' }) +
        json({ ...byAges, ageAtFirstSanction: 20 }) +
        json({ ...byDates, dateOfBirth: '1990-02-30', sanctions: 0 }) +
        json({ ...byDates, dateOfFirstSanction: '2024-06-01' }),
    )
    expect(results[0]).toEqual({ error: 'sanctions: The number of sanctions must be a whole number' })
    expect(results[1]?.error).toMatch(
      /^sex: Sex must be M or F; offenceCategory: The offence category must be/,
    )
    expect(results[2]).toEqual({
      error: 'ageAtFirstSanction: The age at first sanction must not be after the age at current conviction',
    })
    // A bad date is named, not the ages it would have given.
    expect(results[3]).toEqual({
      error:
        'dateOfBirth: The date of birth must be a real date like 2024-03-21; ' +
        'sanctions: The number of sanctions must be 1 or more, counting the current one',
    })
    expect(results[4]).toEqual({
      error:
        'dateOfFirstSanction: The date of first sanction must not be after the date of current conviction',
    })
  })

  it('asks for one shape of input, not a mixture', async () => {
    const { dateOfFirstSanction: _, ...noFirstSanction } = byDates
    const { results } = await score(
      json({ ...byDates, ageAtFirstSanction: 15 }) +
        json(noFirstSanction) +
        json({ ...byDates, ageAtCurrentConviction: 34 }) +
        json({ ...byDatesAsAges, dateOfFirstSanction: '2006-05-19' }),
    )
    expect(results).toEqual([
      { error: 'ageAtFirstSanction: Give the date or the age of first sanction, not both' },
      { error: 'dateOfFirstSanction: Enter the date or the age of first sanction' },
      { error: 'ageAtCurrentConviction: Give dates or ages, not both' },
      {
        error:
          'ageAtStartOfFollowUp: Give dates or ages, not both; ageAtCurrentConviction: Give dates or ages, not both; ' +
          'ageAtFirstSanction: Give the date or the age of first sanction, not both; ' +
          'dateOfBirth: Enter the date of birth; dateOfCurrentConviction: Enter the date of current conviction; ' +
          'dateAtStartOfFollowUp: Enter the date at start of follow-up',
      },
    ])
  })

  it('applies the disputed-weight options', async () => {
    const line = json({ ...byAges, offenceCategory: 'sexual_not_against_child' })
    const published = await score(line)
    const oasys = await score(line, { sexualNotAgainstChildWeight: 0.0328 })
    expect(published.results[0]).toHaveProperty('terms.offence', 0.003276327)
    expect(oasys.results[0]).toHaveProperty('terms.offence', 0.0328)
  })
})

describe('tandem score ogrs3', () => {
  it('is wired into the command line, reading standard input and writing standard output', async () => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'score', 'ogrs3'], {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.end(`${json(byAges)}\n${json(byDates)}not json\n`)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))

    const results = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(results).toHaveLength(3)
    expect(results[0]).toHaveProperty('twoYear', calculateOgrs3(byAges as never).twoYear)
    expect(results[1]).toHaveProperty('band', calculateOgrs3(byDatesAsAges).band)
    expect(results[2]).toEqual({ error: 'The line is not valid JSON' })
    expect(stderr).toContain('2 scored, 1 with errors.')
    // A bad line makes the run fail, so a script notices.
    expect(code).toBe(1)
  }, 60_000)
})
