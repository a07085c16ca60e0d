import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface RunningServer {
  url: string
  process: ChildProcess
  /** Milliseconds from spawning `npm start`'s command to the first page served. */
  startedInMs: number
  /** Resident memory of the server process and its worker process, in MiB. */
  rssMiB(): number
  stop(): Promise<void>
}

/**
 * Starts Tandem as `npm start` does (tsx src/server.ts) in its own process, so that the
 * benchmark's load generator does not share its event loop, and waits for the sign-in page.
 */
export async function startServer(env: Record<string, string>, port: number): Promise<RunningServer> {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      COOKIE_SECRET: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Tandem exited while starting:\n${output}`)
    try {
      const response = await fetch(`${url}/sign-in`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 120_000) throw new Error(`Tandem did not start within 2 minutes:\n${output}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    process: child,
    startedInMs: Date.now() - started,
    rssMiB() {
      const rss = (pid: string) => {
        try {
          return (
            Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
          )
        } catch {
          return 0 // gone since it was listed
        }
      }
      // On PostgreSQL npm start forks the worker: count it too.
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim()
      return [String(child.pid), ...(children ? children.split(' ') : [])].reduce(
        (sum, pid) => sum + rss(pid),
        0,
      )
    },
    async stop() {
      child.kill('SIGTERM')
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
    },
  }
}

function cookiesFrom(response: Response): Map<string, string> {
  const jar = new Map<string, string>()
  for (const raw of response.headers.getSetCookie()) {
    const [pair] = raw.split(';')
    const eq = pair!.indexOf('=')
    jar.set(pair!.slice(0, eq), pair!.slice(eq + 1))
  }
  return jar
}

/** Signs in through the real form (CSRF token and all) and returns the session cookie header. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${url}/sign-in`)
  const csrfCookie = cookiesFrom(form).get('tandem_csrf')
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await form.text())?.[1]
  if (!csrfCookie || !token) throw new Error('The sign-in page had no CSRF token')
  const response = await fetch(`${url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tandem_csrf=${csrfCookie}` },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  })
  const session = cookiesFrom(response).get('tandem_session')
  if (response.status !== 303 || !session)
    throw new Error(`Could not sign in as ${email} (${response.status})`)
  return `tandem_session=${session}`
}
