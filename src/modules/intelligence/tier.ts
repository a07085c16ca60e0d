/**
 * The HMPPS tier, legacy protect/change form (`B2`: protect level A–D, change level 0–3), as the
 * shared reference gives it: /work/shared/reference/risk-scores.md §2.8 (source [S8] hmpps-tier).
 * Pure: the same inputs give the same tier. Only what the reference states is calculated here;
 * anything it leaves open is an input the caller decides (and shows as an assumption).
 *
 *   protect points = RSR (≥7 → 20, 3–6.99 → 10) + RoSH (very high 150, high 20, medium 10)
 *                    + MAPPA (level 2 or 3 → 150, level 1 → 5) + 2 per complexity register
 *                    + women's additional factors − the smaller of the RSR and RoSH points
 *   protect level  = A ≥150, B 20–149, C 10–19, else D
 *   change points  = Σ need weight × severity + ⌊OGRS % / 10⌋ + 2 if IOM
 *   change level   = 3 if ≥20, 2 if 10–19, else 1; no mandate for change → 0; no valid assessment → 2
 *
 * The current A–G tier (also in §2.8) rests on the ARP, CSRP and DC-SRP predictors, which Tandem
 * does not receive, so it is not calculated.
 */

export const TIER_CALCULATOR_VERSION = 1

export type RoshLevel = 'low' | 'medium' | 'high' | 'very_high'
export type ProtectLevel = 'A' | 'B' | 'C' | 'D'

/** §2.8 / §3.6: the registers hmpps-tier counts as complexity factors, 2 points each. */
export const COMPLEXITY_REGISTERS = [
  'RMDO',
  'ALSH',
  'RVLN',
  'RCCO',
  'RCPR',
  'RCHD',
  'RPIR',
  'RVAD',
  'STRG',
  'RTAO',
] as const
/** The register that marks integrated offender management (+2 change points). */
export const IOM_REGISTER = 'IIOM'

/** §2.8 need weights: each need's severity (none 0, standard 1, severe 2) is multiplied by these. */
export const NEED_WEIGHTS = {
  accommodation: 1,
  education_training_employability: 1,
  relationships: 1,
  lifestyle_associates: 1,
  drug_misuse: 1,
  alcohol_misuse: 1,
  thinking_behaviour: 2,
  attitudes: 2,
  financial_management: 0,
  emotional_wellbeing: 0,
} as const
export type Need = keyof typeof NEED_WEIGHTS
export type NeedSeverity = 'none' | 'standard' | 'severe'
const SEVERITY_POINTS: Record<NeedSeverity, number> = { none: 0, standard: 1, severe: 2 }

export interface ProtectInputs {
  /** RSR as a percentage, or null when none was received. */
  rsr: number | null
  rosh: RoshLevel | null
  mappaLevel: number | null
  /** Active register type codes; only the complexity registers count. */
  registers: readonly string[]
  /** Points for women's additional factors, which the reference names but does not define. */
  womensAdditionalFactors?: number
}

export interface ChangeInputs {
  /** Whether the sentence gives a mandate for change; the reference does not define it. */
  mandateForChange: boolean
  /** The needs assessment, or null when there is no valid one. */
  assessment: { needs: Partial<Record<Need, NeedSeverity>>; ogrsPercentage: number | null } | null
  iom: boolean
}

export interface ProtectResult {
  level: ProtectLevel
  points: number
  /** Each part of the sum, so the working can be shown. */
  terms: {
    rsr: number
    rosh: number
    mappa: number
    complexity: number
    womensAdditionalFactors: number
    /** Minus the smaller of the RSR and RoSH points: only the larger of the two counts. */
    overlap: number
  }
  complexityRegisters: string[]
}

export interface ChangeResult {
  level: 0 | 1 | 2 | 3
  points: number | null
  /** Why the level is what it is when no points were added up. */
  rule: 'points' | 'no_mandate_for_change' | 'no_valid_assessment'
  terms: { needs: number; ogrs: number; iom: number } | null
}

export function rsrPoints(rsr: number | null): number {
  if (rsr === null) return 0
  if (rsr >= 7) return 20
  if (rsr >= 3) return 10
  return 0
}

export function roshPoints(rosh: RoshLevel | null): number {
  return rosh === 'very_high' ? 150 : rosh === 'high' ? 20 : rosh === 'medium' ? 10 : 0
}

export function mappaPoints(level: number | null): number {
  return level === 2 || level === 3 ? 150 : level === 1 ? 5 : 0
}

export function protectLevelOf(points: number): ProtectLevel {
  if (points >= 150) return 'A'
  if (points >= 20) return 'B'
  if (points >= 10) return 'C'
  return 'D'
}

/** The protect level (A–D) and its points. */
export function calculateProtect(inputs: ProtectInputs): ProtectResult {
  const complexityRegisters = [...new Set(inputs.registers)]
    .filter((code) => (COMPLEXITY_REGISTERS as readonly string[]).includes(code))
    .sort()
  const rsr = rsrPoints(inputs.rsr)
  const rosh = roshPoints(inputs.rosh)
  const terms = {
    rsr,
    rosh,
    mappa: mappaPoints(inputs.mappaLevel),
    complexity: 2 * complexityRegisters.length,
    womensAdditionalFactors: inputs.womensAdditionalFactors ?? 0,
    overlap: -Math.min(rsr, rosh),
  }
  const points = Object.values(terms).reduce((sum, n) => sum + n, 0)
  return { level: protectLevelOf(points), points, terms, complexityRegisters }
}

/** The change level (0–3) and, when added up, its points. */
export function calculateChange(inputs: ChangeInputs): ChangeResult {
  if (!inputs.mandateForChange) return { level: 0, points: null, rule: 'no_mandate_for_change', terms: null }
  if (!inputs.assessment) return { level: 2, points: null, rule: 'no_valid_assessment', terms: null }
  const needs = Object.entries(inputs.assessment.needs).reduce(
    (sum, [need, severity]) => sum + NEED_WEIGHTS[need as Need] * SEVERITY_POINTS[severity],
    0,
  )
  const ogrsPercentage = inputs.assessment.ogrsPercentage
  const terms = {
    needs,
    ogrs: ogrsPercentage === null ? 0 : Math.floor(ogrsPercentage / 10),
    iom: inputs.iom ? 2 : 0,
  }
  const points = terms.needs + terms.ogrs + terms.iom
  return { level: points >= 20 ? 3 : points >= 10 ? 2 : 1, points, rule: 'points', terms }
}

/** The tier as upstream writes it, e.g. 'B2'; with no change level, the protect letter alone. */
export function tierCode(protect: ProtectLevel, change: ChangeResult['level'] | null): string {
  return change === null ? protect : `${protect}${change}`
}
