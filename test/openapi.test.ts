import { Validator } from '@seriousme/openapi-schema-validator'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from './support/app.js'
import { freshDatabase, type TestDatabase } from './support/database.js'

let database: TestDatabase
let app: FastifyInstance

beforeAll(async () => {
  database = await freshDatabase()
  app = await testApp(database.db)
})
afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

describe('the API description', () => {
  it('is a valid OpenAPI document covering the partner API, behind a bearer token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    const result = await new Validator().validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)

    const paths = Object.keys(document.paths)
    for (const path of [
      '/api/v1/people',
      '/api/v1/people/{crn}',
      '/api/v1/people/{crn}/timeline',
      '/api/v1/people/{crn}/appointments',
      '/api/v1/people/{crn}/plan',
      '/api/v1/people/{crn}/flags',
      '/api/v1/people/{crn}/referrals',
      '/api/v1/records',
      '/api/v1/events',
    ])
      expect(paths).toContain(path)
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, unknown>>,
    ))
      for (const [method, operation] of Object.entries(operations)) {
        expect((operation as { summary?: string }).summary, `${method} ${path} has a summary`).toBeTruthy()
      }
    expect(document.security).toEqual([{ bearer: [] }])
  })

  it('is browsable at /api/docs', async () => {
    const page = await app.inject({ method: 'GET', url: '/api/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('swagger-ui')
  })
})
