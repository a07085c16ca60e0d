import type { FastifyReply } from 'fastify'
import type { z } from 'zod'
import { ConflictError, ValidationError, type FieldProblem } from '../../errors.js'

/** Errors in the shape the GOV.UK error summary and field macros take. */
export interface FormErrors {
  list: { text: string; href: string }[]
  byField: Record<string, { text: string }>
}

export function formErrors(problems: FieldProblem[]): FormErrors {
  const byField: Record<string, { text: string }> = {}
  for (const p of problems) byField[p.field] ??= { text: p.message }
  return {
    list: Object.entries(byField).map(([field, { text }]) => ({ text, href: `#${field}` })),
    byField,
  }
}

/** The same errors for a form whose field ids carry a prefix (when a page has several forms). */
export function prefixErrors(errors: FormErrors, prefix: string): FormErrors {
  return {
    list: errors.list.map((e) => ({ ...e, href: `#${prefix}${e.href.slice(1)}` })),
    byField: Object.fromEntries(Object.entries(errors.byField).map(([field, e]) => [`${prefix}${field}`, e])),
  }
}

export function problemsFrom(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('-') || 'form',
    message: issue.message,
  }))
}

/** Parses a form body; on failure returns the problems so the page can be shown again. */
export function parseForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; value: z.infer<S> } | { ok: false; errors: FormErrors; problems: FieldProblem[] } {
  const result = schema.safeParse(body ?? {})
  if (result.success) return { ok: true, value: result.data }
  const problems = problemsFrom(result.error)
  return { ok: false, errors: formErrors(problems), problems }
}

/** Checkbox groups post one value as a string and several as an array; always take an array. */
export function toArray(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

/**
 * Joins a GOV.UK date input's three fields (`name-day`, `name-month`, `name-year`) into
 * 'YYYY-MM-DD'; an empty date gives '' and an impossible one 'invalid', for the schema to judge.
 */
export function dateFromParts(body: Record<string, unknown>, name: string): string {
  const part = (p: string) => String(body[`${name}-${p}`] ?? '').trim()
  const [day, month, year] = [part('day'), part('month'), part('year')]
  if (!day && !month && !year) return ''
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return 'invalid'
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  const date = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? 'invalid' : iso
}

/** The day, month and year of 'YYYY-MM-DD', for filling a GOV.UK date input again. */
export function dateParts(
  iso: string | null | undefined,
): { day: string; month: string; year: string } | undefined {
  if (!iso) return undefined
  const [year = '', month = '', day = ''] = iso.split('-')
  return { day: String(Number(day)), month: String(Number(month)), year }
}

/**
 * The life of a submitted form: validate it, act on it and redirect (post/redirect/get); or
 * show the form again with every problem and what the user typed. A stale edit gets the
 * conflict page, which lists what the user typed so nothing is lost.
 */
export async function submitForm<S extends z.ZodType>(
  reply: FastifyReply,
  schema: S,
  body: unknown,
  showForm: (errors: FormErrors) => unknown,
  act: (value: z.infer<S>) => Promise<string>,
) {
  const form = parseForm(schema, body)
  if (!form.ok) {
    reply.code(400)
    return showForm(form.errors)
  }
  try {
    return reply.redirect(await act(form.value), 303)
  } catch (error) {
    if (error instanceof ValidationError) {
      reply.code(400)
      return showForm(formErrors(error.problems))
    }
    if (error instanceof ConflictError) {
      const submitted = Object.entries((body ?? {}) as Record<string, unknown>)
        .filter(([key]) => !/^(_csrf|version|password)/.test(key))
        .map(([key, value]) => ({ key: key, value: toArray(value).join(', ') }))
      return reply.code(409).view('errors/conflict.njk', { submitted })
    }
    throw error
  }
}
