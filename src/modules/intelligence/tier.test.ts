import { describe, expect, it } from 'vitest'
import { calculateChange, calculateProtect, protectLevelOf, rsrPoints, tierCode } from './tier.js'

/**
 * Hand-worked from the shared reference, risk-scores.md §2.8 (which gives the rules but no
 * worked examples of its own): protect points and level, change points and level.
 */

const protect = (inputs: Partial<Parameters<typeof calculateProtect>[0]>) =>
  calculateProtect({ rsr: null, rosh: null, mappaLevel: null, registers: [], ...inputs })

describe('the protect level', () => {
  it('scores RSR 7 or more as 20, 3 to 6.99 as 10, below 3 as nothing', () => {
    expect([2.99, 3, 6.99, 7, 55].map(rsrPoints)).toEqual([0, 10, 10, 20, 20])
    expect(rsrPoints(null)).toBe(0)
  })

  it('counts only the larger of the RSR and RoSH points', () => {
    // RSR 7.5 → 20, RoSH high → 20, minus the smaller (20): 20 → B.
    expect(protect({ rsr: 7.5, rosh: 'high' })).toMatchObject({
      level: 'B',
      points: 20,
      terms: { rsr: 20, rosh: 20, overlap: -20 },
    })
    // RSR 8 → 20, RoSH very high → 150, minus 20: 150 → A.
    expect(protect({ rsr: 8, rosh: 'very_high' })).toMatchObject({ level: 'A', points: 150 })
    // RSR 2 → 0, RoSH medium → 10: 10 → C.
    expect(protect({ rsr: 2, rosh: 'medium' })).toMatchObject({ level: 'C', points: 10 })
    // RSR 4 → 10, RoSH low → 0: 10 → C; RSR alone decides when it is the larger.
    expect(protect({ rsr: 4, rosh: 'low' })).toMatchObject({ level: 'C', points: 10 })
  })

  it('adds MAPPA: level 1 five points, level 2 or 3 a hundred and fifty', () => {
    expect(protect({ rosh: 'medium', mappaLevel: 1 })).toMatchObject({ level: 'C', points: 15 })
    expect(protect({ rosh: 'medium', mappaLevel: 2 })).toMatchObject({ level: 'A', points: 160 })
    expect(protect({ rosh: 'low', mappaLevel: 3 })).toMatchObject({ level: 'A', points: 150 })
  })

  it('adds 2 for each distinct complexity register, and ignores other registers', () => {
    const result = protect({ rosh: 'medium', registers: ['ALSH', 'RVLN', 'ALSH', 'IIOM', 'MAPP', 'RHRH'] })
    expect(result).toMatchObject({ level: 'C', points: 14, complexityRegisters: ['ALSH', 'RVLN'] })
    // Five complexity registers alone make 10 (C); four make 8 (D).
    expect(protect({ registers: ['RMDO', 'ALSH', 'RVLN', 'RCCO', 'RCPR'] }).level).toBe('C')
    expect(protect({ registers: ['RMDO', 'ALSH', 'RVLN', 'RCCO'] }).level).toBe('D')
  })

  it('adds women’s additional factors when the caller gives them', () => {
    expect(protect({ rosh: 'medium', womensAdditionalFactors: 10 })).toMatchObject({ level: 'B', points: 20 })
  })

  it('turns points into A 150 or more, B 20 to 149, C 10 to 19, else D, at each edge', () => {
    expect([150, 149, 20, 19, 10, 9, 0].map(protectLevelOf)).toEqual(['A', 'B', 'B', 'C', 'C', 'D', 'D'])
  })
})

describe('the change level', () => {
  const assessment = (needs: Parameters<typeof calculateChange>[0]['assessment']) => ({
    mandateForChange: true,
    assessment: needs,
    iom: false,
  })

  it('is 0 with no mandate for change, and 2 with no valid assessment', () => {
    expect(calculateChange({ mandateForChange: false, assessment: null, iom: true }).level).toBe(0)
    expect(calculateChange({ mandateForChange: true, assessment: null, iom: false })).toMatchObject({
      level: 2,
      rule: 'no_valid_assessment',
    })
  })

  it('weighs needs by severity, adds a tenth of OGRS and 2 for IOM', () => {
    // accommodation severe 2, ETE standard 1, thinking severe 2×2, attitudes standard 2×1,
    // finance severe 0×2 = 9; OGRS 57% → 5; IOM 2: 16 → level 2.
    const result = calculateChange({
      mandateForChange: true,
      iom: true,
      assessment: {
        needs: {
          accommodation: 'severe',
          education_training_employability: 'standard',
          thinking_behaviour: 'severe',
          attitudes: 'standard',
          financial_management: 'severe',
        },
        ogrsPercentage: 57,
      },
    })
    expect(result).toEqual({ level: 2, points: 16, rule: 'points', terms: { needs: 9, ogrs: 5, iom: 2 } })
  })

  it('is 3 from 20 points, 2 from 10, otherwise 1', () => {
    const severe = {
      accommodation: 'severe',
      education_training_employability: 'severe',
      relationships: 'severe',
      lifestyle_associates: 'severe',
      drug_misuse: 'severe',
      alcohol_misuse: 'severe',
      thinking_behaviour: 'severe',
      attitudes: 'severe',
    } as const
    expect(calculateChange(assessment({ needs: severe, ogrsPercentage: null }))).toMatchObject({
      level: 3,
      points: 20,
    })
    expect(calculateChange(assessment({ needs: {}, ogrsPercentage: 99 }))).toMatchObject({
      level: 1,
      points: 9,
    })
    expect(
      calculateChange(assessment({ needs: { attitudes: 'standard' }, ogrsPercentage: 80 })),
    ).toMatchObject({
      level: 2,
      points: 10,
    })
  })

  it('writes the tier as upstream does, or the protect letter alone', () => {
    expect(tierCode('B', 2)).toBe('B2')
    expect(tierCode('D', 0)).toBe('D0')
    expect(tierCode('C', null)).toBe('C')
  })
})
