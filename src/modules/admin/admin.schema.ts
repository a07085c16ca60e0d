import { z } from 'zod'
import { AGENCY_KINDS, API_SCOPES, DATA_CATEGORIES, ROLES } from '../../platform/access/actor.js'
import { MIN_PASSWORD_LENGTH } from '../../platform/auth/passwords.js'
import { toArray } from '../../platform/http/forms.js'

const text = (label: string, max = 200) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)

const optionalText = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null))

const code = (label: string) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .toUpperCase()
    .min(2, `Enter ${label}, at least 2 characters`)
    .max(20, `${label} must be 20 characters or fewer`)
    .regex(/^[A-Z0-9_-]+$/, `${label} must only use letters, numbers, hyphens and underscores`)

const uuid = (message: string) => z.string({ message }).uuid(message)
const optionalUuid = z
  .string()
  .optional()
  .transform((v) => (v ? v : null))
  .pipe(z.string().uuid('Choose from the list').nullable())

const capitalised = (label: string) => label.charAt(0).toUpperCase() + label.slice(1)

const isoDate = (label: string) =>
  z
    .string()
    .refine((v) => v !== '', `Enter the ${label}`)
    .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), `${capitalised(label)} must be a real date`)

const optionalIsoDate = (label: string) =>
  z
    .string()
    .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), `${capitalised(label)} must be a real date`)
    .transform((v) => (v ? v : null))

const several = <T extends z.ZodType>(item: T, min: number, message: string) =>
  z.preprocess(toArray, z.array(item).min(min, message))

/** Hidden `version` field for optimistic concurrency. */
export const Version = z.coerce.number().int().positive()

export const RegionForm = z.object({ code: code('a region code'), name: text('a region name') })

export const PduForm = z.object({
  regionId: uuid('Choose a region'),
  code: code('a code'),
  name: text('a name'),
})

export const AgencyForm = z.object({
  code: code('an agency code'),
  name: text('an agency name'),
  kind: z.enum(AGENCY_KINDS, { message: 'Choose what kind of agency this is' }),
  regionId: optionalUuid,
})

export const TeamForm = z.object({
  code: code('a team code'),
  name: text('a team name'),
  agencyId: uuid('Choose the team’s agency'),
  regionId: optionalUuid,
  pduId: optionalUuid,
})

const UserFields = {
  displayName: text('a name'),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .email('Enter an email address in the correct format, like name@example.org')
    .max(320),
  jobTitle: optionalText('Job title'),
  phone: optionalText('Phone number', 40),
  agencyId: uuid('Choose the user’s agency'),
  roles: several(z.enum(ROLES), 1, 'Choose at least one role'),
  teamIds: several(z.string().uuid(), 0, ''),
  contractedHours: z.coerce
    .number({ message: 'Contracted hours must be a number' })
    .min(0, 'Contracted hours must be 0 or more')
    .max(60, 'Contracted hours must be 60 or fewer'),
}

export const NewUserForm = z.object({
  ...UserFields,
  teamIds: z.preprocess(toArray, z.array(z.string()).max(0, 'Save the user first, then choose their teams')),
  password: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(
      z
        .string()
        .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
        .max(200)
        .nullable(),
    ),
})

export const EditUserForm = z.object({
  ...UserFields,
  active: z.enum(['yes', 'no'], { message: 'Choose whether the account is active' }),
  version: Version,
})

export const ResetPasswordForm = z.object({
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(200, 'Password must be 200 characters or fewer'),
})

export const CohortForm = z.object({
  code: code('a cohort code'),
  name: text('a cohort name'),
  description: z.string().trim().max(2000, 'Description must be 2000 characters or fewer').default(''),
  regionId: optionalUuid,
})

export const AgreementForm = z
  .object({
    reference: code('a reference'),
    title: text('a title'),
    purpose: text('the purpose of the sharing', 2000),
    lawfulBasis: text('the lawful basis', 1000),
    startsOn: isoDate('start date'),
    endsOn: optionalIsoDate('end date'),
    status: z.enum(['active', 'suspended'], { message: 'Choose whether the agreement is active' }),
    agencyIds: several(z.string().uuid(), 2, 'Choose at least two agencies that share under this agreement'),
    cohortIds: several(z.string().uuid(), 1, 'Choose at least one cohort the agreement covers'),
    categories: several(z.enum(DATA_CATEGORIES), 1, 'Choose at least one kind of information to share'),
  })
  .refine((f) => !f.endsOn || f.endsOn >= f.startsOn, {
    path: ['endsOn'],
    message: 'The end date must be the same as or after the start date',
  })

export const EditAgreementForm = AgreementForm.and(z.object({ version: Version }))

export const RestrictionForm = z.object({
  email: z.string().trim().toLowerCase().email('Enter the email address of a Tandem user'),
  kind: z.enum(['allow', 'deny'], { message: 'Choose whether to allow or exclude this person' }),
  reason: text('a reason', 1000),
})

export const ApiClientForm = z.object({
  name: text('a name for the client'),
  agencyId: uuid('Choose the agency the client acts for'),
  scopes: several(z.enum(API_SCOPES), 1, 'Choose at least one thing the client may do'),
  expiresOn: optionalIsoDate('expiry date'),
})
