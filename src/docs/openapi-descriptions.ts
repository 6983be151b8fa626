/**
 * The markdown of the document: each operation's parameter table, semi-optional rule and
 * error codes, the release table, and the document's own description with every error code
 * and its REST status. Kept apart from the assembly so the wording lives in one place.
 */
import { CODES, REST_STATUS, SITUATION, type CrmErrorCode } from '../contract/errors.js'
import { ADMIN_USER } from '../fixtures/reference.js'
import { BASE_PATH, OPERATIONS, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, RELEASE_OF, hasArrived, parametersOf, parseRelease, successorOf, type Release } from '../contract/releases.js'
import { schemas } from '../contract/schemas.js'
import type { parameterInfo } from './openapi-components.js'

export interface OpenApiOptions {
  /** The release the documented server emulates; omitted, the document is release-neutral. */
  release?: string | Release
  /** The documented server refuses unknown parameters. */
  strict?: boolean
  /** The documented server answers errors with REST statuses. */
  restStatus?: boolean
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function codesOf (name: OperationName, info: ReturnType<typeof parameterInfo>): CrmErrorCode[] {
  const op = OPERATIONS[name]
  const codes = new Set<CrmErrorCode>()
  if (op.authenticated) codes.add(CODES.INVALID_TOKEN)
  else codes.add(CODES.INVALID_CREDENTIALS)
  if (((schemas[op.request]!.required ?? []) as string[]).length > 0) codes.add(CODES.MANDATORY_PARAMETER)
  if (info.semiOptional !== undefined) codes.add(CODES.SEMI_OPTIONAL)
  codes.add(CODES.INVALID_PARAMETER_VALUE)
  if (info.params.some(p => p.identifier !== undefined)) { codes.add(CODES.ENTITY_NOT_FOUND); codes.add(CODES.AMBIGUOUS_IDENTIFIER) }
  for (const error of op.recordErrors) codes.add(CODES[error])
  if (info.params.some(p => p.from !== RELEASE_OF.methods)) codes.add(CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE)
  codes.add(CODES.REQUEST_TOO_LARGE)
  codes.add(CODES.UNEXPECTED)
  return [...codes]
}

export function operationDescription (name: OperationName, info: ReturnType<typeof parameterInfo>, codes: CrmErrorCode[], release: Release | undefined): string {
  const lines: string[] = []
  const successor = successorOf(name)
  if (successor !== undefined) {
    lines.push(`Available from CRM.COM ${RELEASE_OF.methods}. **Deprecated from CRM.COM ${RELEASE_OF.deprecation}**: replaced by \`${successor}\`; ` +
      `a server emulating ${RELEASE_OF.deprecation} or later answers with \`Deprecation\` and \`Link: <${BASE_PATH}${successor}>; rel="successor-version"\` headers.`, '')
  }
  lines.push('| Parameter | Rule | Available from | Description |', '|---|---|---|---|')
  for (const p of info.params) {
    const missing = release !== undefined && !hasArrived(release, p.from) ? ` (not in the emulated ${release.label}: ignored, or refused in strict mode)` : ''
    const shape = p.identifier === undefined ? '' : ` Identifier: an object naming exactly one of ${p.identifier.map(f => `\`${f}\``).join(', ')}.`
    lines.push(`| \`${p.name}\` | ${p.rule} | ${p.from}${missing} | ${cell(p.description + shape)} |`)
  }
  if (info.semiOptional !== undefined) {
    const names = info.semiOptional.names.map(n => `\`${n}\``).join(', ')
    lines.push('', info.semiOptional.kind === 'exactly-one'
      ? `**Semi-optional rule:** exactly one of ${names} must be specified (none or several: \`${CODES.SEMI_OPTIONAL}\`).`
      : `**Semi-optional rule:** at least one of ${names} must be specified, several are allowed and all must match (none: \`${CODES.SEMI_OPTIONAL}\`).`)
  }
  if (OPERATIONS[name].method === 'GET') {
    lines.push('', 'Identifiers in the query string are written `name=field=value` (the vendor\'s form), e.g. `customer_event_identifier=number=92`, or as JSON: `customer_event_identifier={"number":"92"}`.')
  } else if (OPERATIONS[name].authenticated) {
    lines.push('', 'The token goes **inside the JSON body** (`"token": "..."`), not in a header. On this page, `{{token}}` in a body is replaced by the token of the last login done here.')
  }
  lines.push('', '**Error codes** (answered with HTTP 200 and `data: null` unless the server runs with REST statuses):', '', '| Code | When |', '|---|---|')
  for (const code of codes) lines.push(`| \`${code}\` | ${SITUATION[code]} |`)
  return lines.join('\n')
}

function releaseTable (): string {
  const rows = new Map<string, string[]>()
  const add = (from: string, what: string): void => { rows.set(from, [...(rows.get(from) ?? []), what]) }
  add(RELEASE_OF.methods, 'the four financial achievement methods, login and logout')
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    for (const [param, from] of parametersOf(name)) if (from !== RELEASE_OF.methods) add(from, `\`${param}\` (${name.split('/').pop()!})`)
  }
  add(RELEASE_OF.jwtTokens, 'tokens are JWTs valid 2 hours from issue (before: opaque 32-hex, expiring after 1 hour idle)')
  add(RELEASE_OF.deprecation, 'the financial achievement methods are deprecated (replaced by `customer_events/achievements/*`)')
  const sorted = [...rows.entries()].sort(([a], [b]) => parseRelease(a).major - parseRelease(b).major || parseRelease(a).minor - parseRelease(b).minor || parseRelease(a).patch - parseRelease(b).patch)
  return ['| From | What |', '|---|---|', ...sorted.map(([from, what]) => `| ${from} | ${[...new Set(what)].join('; ')} |`)].join('\n')
}

export function infoDescription (options: OpenApiOptions, release: Release | undefined): string {
  return [
    'A mock of CRM.COM\'s V4 financial achievement customer events API (`crmcom-mock`). Every answer is the envelope ' +
    '`{"data": ..., "status": {"code": "OK", "description": "", "message": ""}}`; a failure has `data: null` and an error code in `status.code`.',
    '',
    '**Trying it on this page:** open `POST /authentication/token`, press *Execute* (the default credentials are filled in: ' +
    `\`${ADMIN_USER.username}\` / \`${ADMIN_USER.password}\` / \`${ADMIN_USER.organisation}\`). The page keeps the token it returns and puts it wherever ` +
    'a request says `{{token}}` (every example does), so *Execute* on create, list, show and cancel works straight away. You can also paste a token in place of `{{token}}`.',
    '',
    release === undefined
      ? `**Releases** (\`--release\`, default ${DEFAULT_RELEASE}): a parameter newer than the emulated release is unknown there: ignored, or refused in strict mode with \`${CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE}\`.`
      : `**This server emulates CRM.COM ${release.label}**${options.strict === true ? ' in strict mode (unknown parameters are refused)' : ''}. A parameter newer than that is unknown: ` +
        (options.strict === true ? `refused with \`${CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE}\`.` : 'ignored (strict mode would refuse it).'),
    '',
    releaseTable(),
    '',
    `**Error codes and their REST statuses** (used only with \`--rest-status\`${options.restStatus === true ? ', which this server runs with' : '; by default every answer is HTTP 200'}):`,
    '',
    '| Code | REST status | When |', '|---|---|---|',
    ...Object.values(CODES).map(code => `| \`${code}\` | ${REST_STATUS[code]} | ${SITUATION[code]} |`)
  ].join('\n')
}
