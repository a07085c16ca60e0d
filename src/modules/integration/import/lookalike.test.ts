import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scoreMatch, type IdentityFacts } from '../../people/matching.js'
import { dobVariants, mightMatch } from './lookalike.js'

const NAMES = [
  'Robert',
  'Bob',
  'William',
  'Bill',
  'Samuel',
  'Sam',
  'Smith',
  'Smyth',
  'Schmidt',
  'Okafor',
  'Okafur',
  'Catherine',
  'Kathryn',
  'Jon',
  'John',
  'Jonathan',
  'Reid',
  'Read',
  'Reed',
  'Price',
  'Pryce',
  'Shah',
  "O'Neil",
  'ONeill',
  'Mary-Jane',
  'J',
  'Adebayo',
  'Adebayor',
  'Hart',
  'Harte',
  'Lowe',
  'Low',
  'Zoë',
  'Zoe',
]
const name = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom(...NAMES).chain((n) => fc.nat(n.length).map((i) => n.slice(0, i) + n.slice(i + 1) || n)),
  fc.string({ minLength: 1, maxLength: 10 }),
)

const facts = (first: string, last: string, aliases: [string, string][] = []): IdentityFacts => ({
  firstName: first,
  lastName: last,
  dateOfBirth: '1990-04-12',
  gender: 'male',
  postcode: 'LS1 4AB',
  crn: null,
  nomsNumber: null,
  pncNumber: null,
  croNumber: null,
  aliases: aliases.map(([f, l]) => ({ firstName: f, lastName: l, dateOfBirth: null })),
})

describe('lookalikes in bulk', () => {
  it('never filters out a candidate the matcher would review, however alike everything else is', () => {
    fc.assert(
      fc.property(
        name,
        name,
        name,
        name,
        fc.array(fc.tuple(name, name), { maxLength: 2 }),
        (f1, l1, f2, l2, aliases) => {
          const row = facts(f1, l1)
          const candidate = facts(f2, l2, aliases)
          if (scoreMatch(row, candidate).band !== 'none')
            expect(
              mightMatch(
                { first_name: f1, last_name: l1 },
                { first_name: f2, last_name: l2, aliases: candidate.aliases ?? [] },
              ),
            ).toBe(true)
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('rules out people whose names are nothing alike', () => {
    expect(
      mightMatch(
        { first_name: 'Amara', last_name: 'Okafor' },
        { first_name: 'Callum', last_name: 'Reid', aliases: null },
      ),
    ).toBe(false)
    expect(
      mightMatch(
        { first_name: 'Bob', last_name: 'Okafor' },
        { first_name: 'Robert', last_name: 'Reid', aliases: null },
      ),
    ).toBe(true)
    expect(
      mightMatch(
        { first_name: 'Amara', last_name: 'Okafor' },
        { first_name: 'Callum', last_name: 'Reid', aliases: [{ firstName: 'Amy', lastName: 'Okafur' }] },
      ),
    ).toBe(true)
  })

  it('looks at the dates of birth the matcher treats as mistypings', () => {
    expect(dobVariants('1990-04-12')).toEqual(['1990-04-12', '1990-12-04', '1989-04-12', '1991-04-12'])
    expect(dobVariants('1992-02-29')).toEqual(['1992-02-29'])
  })
})
