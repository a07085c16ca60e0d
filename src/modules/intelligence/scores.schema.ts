import { z } from 'zod'
import { OGRS3_OASYS_WEIGHTS, OGRS3_PUBLISHED_WEIGHTS } from './ogrs3.js'

/** The stored OGRS3 settings: the two weights the sources disagree on (risk-scores.md §1.6). */
export const Ogrs3Settings = z.object({
  sexualNotAgainstChildWeight: z.number(),
  femaleUnder16Weights: z.enum(['negative', 'positive']),
})

const PUBLISHED_SEXUAL = String(OGRS3_PUBLISHED_WEIGHTS.sexualNotAgainstChildWeight)
const OASYS_SEXUAL = String(OGRS3_OASYS_WEIGHTS.sexualNotAgainstChildWeight)

/** The settings form: each disputed weight is one of the two published values, never free text. */
export const Ogrs3SettingsForm = z
  .object({
    version: z.coerce.number().int().min(0),
    sexualNotAgainstChildWeight: z.enum([PUBLISHED_SEXUAL, OASYS_SEXUAL], {
      message: 'Select the weight for sexual offences not against a child',
    }),
    femaleUnder16Weights: z.enum(['negative', 'positive'], {
      message: 'Select the weights for girls aged 10 to 15',
    }),
  })
  .transform((form) => ({
    basedOn: form.version,
    settings: {
      sexualNotAgainstChildWeight: Number(form.sexualNotAgainstChildWeight),
      femaleUnder16Weights: form.femaleUnder16Weights,
    },
  }))

export const SEXUAL_WEIGHT_CHOICES = [
  { value: PUBLISHED_SEXUAL, text: `${PUBLISHED_SEXUAL}, as published (rsr-calculator)` },
  { value: OASYS_SEXUAL, text: `${OASYS_SEXUAL}, as OASys maps it` },
]
export const FEMALE_UNDER_16_CHOICES = [
  { value: 'negative', text: 'Negative, as published (rsr-calculator)' },
  { value: 'positive', text: 'Positive, as in OASys and the arns API' },
]
