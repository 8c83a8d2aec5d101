// The OpenAPI document says what the API does: the rules every route shares (idempotency, the body checks of
// checkBody and the validation pipe, outages, methods) are written into it here, once, from the same
// constants the code enforces, instead of being repeated on each route.
import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_DESCRIPTIONS } from './dto';
import { NO_NUL_PATTERN } from './validation';

/** Idempotency-Key: visible ASCII, 1 to 255 characters (idempotency.interceptor.ts enforces it). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';

type Schema = SchemaObject | ReferenceObject;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

const errorResponse = (status: number) => ({
  description: ERROR_DESCRIPTIONS[status],
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
});

/** Request bodies: every object refuses unknown fields, every free string refuses NUL (checkBody). */
function tightenRequestSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<Schema>();
  const visit = (s: Schema | undefined): void => {
    if (!s || seen.has(s)) return;
    seen.add(s);
    if ('$ref' in s) {
      visit(schemas[s.$ref.replace('#/components/schemas/', '')]);
      return;
    }
    for (const k of ['allOf', 'oneOf', 'anyOf'] as const) s[k]?.forEach((child) => visit(child));
    if (s.items) visit(s.items);
    if (s.type === 'object' || s.properties) {
      if (s.additionalProperties === undefined) s.additionalProperties = false;
      else if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
      for (const p of Object.values(s.properties ?? {})) visit(p);
    }
    if (s.type === 'string' && !s.pattern && !s.enum && !s.format) s.pattern = NO_NUL_PATTERN;
  };
  for (const item of Object.values(document.paths)) {
    for (const m of METHODS) {
      const body = item[m]?.requestBody;
      // A body of another media type (or a reference to one) has no JSON schema to tighten.
      if (body && !('$ref' in body) && 'application/json' in body.content) visit(body.content['application/json'].schema);
    }
  }
}

/** `{nullable, allOf: [$ref]}` with a stray `type: object` (Nest's rendering of a nullable DTO) is left as allOf only. */
function fixNullableRefs(document: OpenAPIObject): void {
  for (const s of Object.values(document.components?.schemas ?? {})) {
    if ('$ref' in s) continue;
    for (const p of Object.values(s.properties ?? {})) {
      if (!('$ref' in p) && p.nullable && p.allOf && p.type === 'object') delete p.type;
    }
  }
}

/**
 * Writes the shared rules into the document: Idempotency-Key on every POST and PUT, the 400 of a malformed
 * request, the 409 of a reused key, the 413 of an oversized body, the 503 of an outage, request bodies closed
 * to unknown fields, and no `bearerFormat` (tokens are opaque, not JWTs).
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  for (const scheme of Object.values(document.components?.securitySchemes ?? {})) if (!('$ref' in scheme)) delete scheme.bearerFormat;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const responses = op.responses;
      const add = (status: number) => {
        responses[String(status)] ??= errorResponse(status);
      };
      if (m === 'post' || m === 'put') {
        op.parameters = [
          ...(op.parameters ?? []),
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Repeat the call safely: the same key with the same body replays the first answer (header Idempotent-Replayed: true); ' +
              'the same key with another body is a 409. Keys are per principal (per address on public channels) and kept for ' +
              'MASSLINE_IDEMPOTENCY_TTL_HOURS (24 h by default). A 503 to a decision does not tell whether it was applied: repeat it ' +
              'with the same key, which applies it at most once and answers as the first time. A replayed creation of a principal ' +
              'answers without its token: the token is shown once, and only its hash is kept.',
            schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN, minLength: 1, maxLength: 255 },
          },
        ];
        add(400);
        add(409);
      }
      if (op.requestBody) add(413);
      if ((op.parameters ?? []).some((p) => 'in' in p && p.in === 'query')) add(400);
      // An id in the path may name nothing (or nothing in the caller's scope).
      if ((op.parameters ?? []).some((p) => 'in' in p && p.in === 'path')) add(404);
      if (path.startsWith('/api/')) add(503);
    }
  }
  tightenRequestSchemas(document);
  fixNullableRefs(document);
  return document;
}
