import { createHash, randomBytes } from 'node:crypto'

/** A new random secret for a cookie or API token, and the hash we keep instead of it. */
export function newToken(prefix = ''): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
