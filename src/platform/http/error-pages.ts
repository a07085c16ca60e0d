import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { TandemError, ValidationError } from '../../errors.js'
import { resolveSession } from '../auth/auth.plugin.js'
import type { AuthContext } from '../auth/auth.service.js'
import { setPageLocals } from './security.js'

interface Problem {
  status: number
  title: string
  detail: string
  errors?: { field: string; message: string }[]
}

/** What users are told for failures that come from the framework rather than our code. */
const FRAMEWORK_PROBLEMS: Record<number, { title: string; detail: string }> = {
  400: { title: 'There is a problem with the request', detail: 'The request could not be read.' },
  403: { title: 'Your form has expired', detail: 'Go back, refresh the page and try again.' },
  404: { title: 'Page not found', detail: 'If you typed the web address, check it is correct.' },
  405: { title: 'Method not allowed', detail: 'This address does not accept that kind of request.' },
  413: { title: 'What you sent is too large', detail: 'Send less data at once and try again.' },
  415: { title: 'Unsupported content type', detail: 'Send JSON or a form.' },
  429: { title: 'Too many requests', detail: 'Wait a minute and try again.' },
}

const PAGE_PARAGRAPHS: Record<number, string[]> = {
  401: ['Sign in again to continue.'],
  403: ['If you think you should have access, ask your manager or administrator.'],
  404: [
    'If you typed the web address, check it is correct.',
    'If you followed a link to a person, they may not exist or you may not have access to their record.',
  ],
  500: ['Sorry, there is a problem with the service. Try again later.', 'Nothing you saved has been lost.'],
}

function toProblem(error: FastifyError | TandemError): Problem {
  if (error instanceof ValidationError) {
    return { status: 400, title: error.title, detail: error.message, errors: error.problems }
  }
  if (error instanceof TandemError) return { status: error.status, title: error.title, detail: error.message }
  const status = error.statusCode ?? 500
  if (status >= 500) {
    return { status: 500, title: 'Sorry, there is a problem with the service', detail: 'Try again later.' }
  }
  if (error.validation) {
    return {
      status: 400,
      title: 'There is a problem with the request',
      detail: error.message,
      errors: error.validation.map((v) => ({
        field:
          (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') ||
          String(v.params?.missingProperty ?? ''),
        message: v.message ?? 'is not valid',
      })),
    }
  }
  const known = FRAMEWORK_PROBLEMS[status] ?? { title: 'There is a problem with the request', detail: '' }
  return { status, ...known }
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/')
}

export function registerErrorPages(
  app: FastifyInstance,
  auth: AuthContext,
  secureCookies: boolean,
  showDetail: boolean,
) {
  async function send(request: FastifyRequest, reply: FastifyReply, problem: Problem, detail?: string) {
    reply.code(problem.status)
    if (wantsJson(request)) {
      return reply.type('application/problem+json').send({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: request.url.split('?')[0],
        ...(problem.errors ? { errors: problem.errors } : {}),
      })
    }
    try {
      setPageLocals(request, reply)
    } catch {
      // A failure in the page furniture must not hide the original error page.
    }
    const paragraphs =
      problem.status === 403 || problem.status === 401
        ? [problem.detail, ...(PAGE_PARAGRAPHS[problem.status] ?? [])]
        : (PAGE_PARAGRAPHS[problem.status] ?? [problem.detail])
    return reply.view('errors/error.njk', {
      title: problem.title,
      paragraphs,
      detail: showDetail ? detail : undefined,
    })
  }

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const problem = toProblem(error)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ status: problem.status, code: error.code }, error.message)
    return send(request, reply, problem, problem.status >= 500 ? error.stack : undefined)
  })

  app.setNotFoundHandler(async (request, reply) => {
    if (!wantsJson(request)) await resolveSession(request, reply, auth, secureCookies).catch(() => {})
    return send(request, reply, { status: 404, ...FRAMEWORK_PROBLEMS[404]! })
  })
}
