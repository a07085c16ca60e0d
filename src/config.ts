import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { z } from 'zod'

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('localhost'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
      .optional(),
    TANDEM_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    COOKIE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(72).default(10),
    SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    SIGN_IN_LOCKOUT_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024),
    SEED_DEMO: flag.optional(),
    RUN_WORKER: flag.default(true),
    WORKER_LANES: z.coerce.number().int().min(1).max(16).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    OIDC_ISSUER_URL: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    PUBLIC_URL: z.url().optional(),
    NATS_URL: z
      .string()
      .regex(/^(nats|tls):\/\/.+/, 'must look like nats://host:4222')
      .optional(),
    NATS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _')
      .default('HMPPS_DOMAIN_EVENTS'),
    NATS_SUBJECTS: z.string().min(1).default('hmpps.domain-events.>'),
    NATS_DURABLE: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _')
      .default('tandem'),
  })
  .superRefine((env, ctx) => {
    const oidc = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const
    const set = oidc.filter((key) => env[key] !== undefined)
    if (set.length > 0 && set.length < oidc.length) {
      for (const key of oidc.filter((k) => env[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is needed when OpenID Connect sign-in is on' })
      }
    }
    if (set.length === oidc.length && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is needed for the OpenID Connect callback',
      })
    }
    if (env.NODE_ENV === 'production' && !env.COOKIE_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['COOKIE_SECRET'], message: 'must be set in production' })
    }
  })

export type Config = {
  env: 'development' | 'test' | 'production'
  host: string
  port: number
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string | null }
  cookieSecret: string
  session: { idleMinutes: number; absoluteHours: number }
  signIn: { maxFailures: number; lockoutMinutes: number; ratePerMinute: number }
  bodyLimitBytes: number
  seedDemo: boolean
  runWorker: boolean
  /** Outbox drains side by side (see Lane): 2 on PostgreSQL by default, 1 on the embedded database's single connection. */
  workerLanes: number
  logLevel: string
  oidc: { issuerUrl: string; clientId: string; clientSecret: string; redirectUrl: string } | null
  /** The JetStream consumer of HMPPS domain events, when NATS_URL is set. */
  nats: { url: string; stream: string; subjects: string[]; durable: string } | null
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Tandem cannot start because of its settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Parses the environment once at boot, naming every bad setting rather than the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = ConfigSchema.safeParse(present)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`),
    )
  }
  const e = parsed.data
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.resolve(e.TANDEM_DATA_DIR) },
    // Outside production a per-process secret is acceptable: sessions live in the database,
    // so a restart only invalidates forms that were open at the time.
    cookieSecret: e.COOKIE_SECRET ?? randomBytes(32).toString('hex'),
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    signIn: {
      maxFailures: e.SIGN_IN_MAX_FAILURES,
      lockoutMinutes: e.SIGN_IN_LOCKOUT_MINUTES,
      ratePerMinute: e.SIGN_IN_RATE_LIMIT_PER_MINUTE,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    // Demo accounts have a published password, so production never seeds them unless asked.
    seedDemo: e.SEED_DEMO ?? e.NODE_ENV !== 'production',
    runWorker: e.RUN_WORKER,
    workerLanes: e.WORKER_LANES ?? (e.DATABASE_URL ? 2 : 1),
    logLevel: e.LOG_LEVEL,
    oidc:
      e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET && e.PUBLIC_URL
        ? {
            issuerUrl: e.OIDC_ISSUER_URL,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            redirectUrl: new URL('/sign-in/oidc/callback', e.PUBLIC_URL).toString(),
          }
        : null,
    nats: e.NATS_URL
      ? {
          url: e.NATS_URL,
          stream: e.NATS_STREAM,
          subjects: e.NATS_SUBJECTS.split(','),
          durable: e.NATS_DURABLE,
        }
      : null,
  }
}
