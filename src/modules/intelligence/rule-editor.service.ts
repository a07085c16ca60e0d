import { ConflictError, NotFoundError, type FieldProblem } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { problemsFrom } from '../../platform/http/forms.js'
import { humanise } from '../../platform/views/format.js'
import { isConditionKind, KINDS, PARAMETER_SCHEMAS, unknownPlaceholders } from './rule-conditions.js'
import * as repo from './rules.repository.js'
import type { RuleFormValue } from './rules.schema.js'
import { holdsFor } from './rules.service.js'

/** Every rule with its versions, newest first, and which one is switched on. */
export async function listRules(db: Db) {
  const rows = await repo.findAllRules(db)
  const byCode = new Map<string, typeof rows>()
  for (const row of rows) byCode.set(row.code, [...(byCode.get(row.code) ?? []), row])
  return [...byCode.entries()].map(([code, versions]) => ({
    code,
    latest: versions[0]!,
    enabled: versions.find((v) => v.status === 'enabled') ?? null,
    versions,
  }))
}

export async function viewRule(db: Db, code: string) {
  const versions = await repo.findRuleVersions(db, code)
  if (versions.length === 0) throw new NotFoundError()
  const latest = versions[0]!
  return {
    code,
    latest,
    enabled: versions.find((v) => v.status === 'enabled') ?? null,
    versions: versions.map((v) => ({
      ...v,
      parametersText: Object.entries(v.parameters)
        .map(([key, value]) => `${humanise(key)}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
        .join('; '),
    })),
    kind: isConditionKind(latest.kind) ? KINDS[latest.kind] : null,
  }
}

/** Turns the editor's fields into the kind's parameters, or the problems to show. */
export function parametersFrom(kind: string, form: RuleFormValue) {
  if (!isConditionKind(kind))
    return { ok: false as const, problems: [{ field: 'form', message: 'Unknown condition' }] }
  const raw = {
    days: form.days,
    count: form.count,
    minimum: form.minimum,
    minimumLevel: form.minimumLevel,
    roshLevels: form.roshLevels ?? [],
    typeCodes: (form.typeCodes ?? '')
      .split(/[\s,]+/)
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
  }
  const fields = KINDS[kind].fields
  const input = Object.fromEntries(fields.map((f) => [f, raw[f]]))
  const parsed = PARAMETER_SCHEMAS[kind].safeParse(input)
  const problems: FieldProblem[] = parsed.success
    ? []
    : problemsFrom(parsed.error).map((p) => ({ ...p, field: p.field.split('-')[0] ?? p.field }))
  const unknown = unknownPlaceholders(kind, form.reasonTemplate)
  if (unknown.length > 0)
    problems.push({
      field: 'reasonTemplate',
      message: `Reason text can only use ${KINDS[kind].placeholders.map((p) => `{${p}}`).join(', ')}`,
    })
  return problems.length > 0 || !parsed.success
    ? { ok: false as const, problems }
    : { ok: true as const, parameters: parsed.data as Record<string, unknown> }
}

/**
 * Saves an edit as a new draft version (never changing a version flags already refer to).
 * Returns the new version, or the problems to show with the form.
 */
export async function createDraft(
  db: Db,
  actor: Actor,
  code: string,
  form: RuleFormValue,
): Promise<{ ok: true; version: number } | { ok: false; problems: FieldProblem[] }> {
  const versions = await repo.findRuleVersions(db, code)
  const latest = versions[0]
  if (!latest) throw new NotFoundError()
  const parameters = parametersFrom(latest.kind, form)
  if (!parameters.ok) return parameters
  return db.transaction().execute(async (tx) => {
    const version = await repo.insertDraft(
      tx,
      {
        code,
        name: form.name,
        description: form.description,
        kind: latest.kind,
        parameters: parameters.parameters,
        severity: form.severity,
        category: latest.category,
        reasonTemplate: form.reasonTemplate,
        taskOwnerRole: form.taskOwnerRole === '' ? null : form.taskOwnerRole,
        taskDueDays: form.taskOwnerRole === '' ? null : Number(form.taskDueDays),
        acknowledgeWithinHours: form.acknowledgeWithinHours,
        createdBy: actor.userId,
      },
      form.basedOn,
    )
    if (version === null) throw new ConflictError()
    await publish(tx, { type: 'rule.version.created', personId: null, payload: { code, version } })
    return { ok: true as const, version }
  })
}

/**
 * Who a version of the rule would flag today, before it is switched on: the total over
 * everyone, and the names only of the people the coordinator may see (the list is audited).
 */
export async function previewRule(
  db: Db,
  actor: Actor,
  code: string,
  version: number,
  origin: Origin,
  clock: Clock,
) {
  const rule = (await repo.findRuleVersions(db, code)).find((r) => r.version === version)
  if (!rule) throw new NotFoundError()
  return db.transaction().execute(async (tx) => {
    const holds = await holdsFor(tx, rule, null, clock.now())
    const visible = await repo.findVisibleAmong(
      tx,
      actor,
      holds.map((h) => h.personId),
      rule.category,
    )
    const reasons = new Map(holds.map((h) => [h.personId, h.reason]))
    const people = visible.slice(0, 100).map((p) => ({ ...p, reason: reasons.get(p.id) ?? '' }))
    if (people.length > 0)
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: people.map((p) => p.id),
        categories: [rule.category],
        origin,
        purpose: `Preview of rule ${code} version ${version}`,
      })
    return { rule, total: holds.length, visibleTotal: visible.length, people }
  })
}

/** Switches the rule to `version`; the previous enabled version is retired. */
export async function enableRule(db: Db, actor: Actor, code: string, version: number, clock: Clock) {
  await db.transaction().execute(async (tx) => {
    const changed = await repo.enableVersion(tx, code, version, actor.userId, clock.now())
    if (!changed) throw new ConflictError()
    await publish(tx, {
      type: 'rule.version.enabled',
      personId: null,
      payload: { code, version, byUserId: actor.userId },
    })
  })
}
