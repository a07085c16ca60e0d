/** The constraint a unique violation broke, or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string }
  return e?.code === '23505' ? (e.constraint ?? 'unique') : null
}
