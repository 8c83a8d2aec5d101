// Input validation: one ValidationPipe (unknown fields refused, every failure named by its path) and the
// checks class-validator lacks — ISO times with an offset, non-blank text. Plans (ISO durations, calendar
// dates) are checked by resolvePlan in libs/domain, which names the plan's field.
import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage, Matches, registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { BOUNDED_INSTANT_PATTERN, DomainError, INSTANT_YEARS, isBoundedInstant } from '../../../../libs/domain/src';

/**
 * An ISO-8601 time with an offset (`…+08:00` or `…Z`) that exists, in the years 2000–2099 (libs/domain
 * time.ts); the workflows parse times the same way.
 */
export const isIsoTime = (value: unknown): value is string => typeof value === 'string' && value.length <= 40 && isBoundedInstant(value);

/** The JSON Schema of an instant the API accepts: the document says exactly what isIsoTime accepts. */
export const INSTANT_SCHEMA = {
  type: 'string',
  // No `format: date-time`: RFC 3339 requires seconds, which ISO 8601 (and this API) leaves optional.
  description: `an ISO-8601 date-time with offset (seconds optional), in the years ${INSTANT_YEARS.first}–${INSTANT_YEARS.last}`,
  pattern: BOUNDED_INSTANT_PATTERN,
  maxLength: 40,
  example: '2013-07-08T09:00:00+08:00',
} as const;

/**
 * JavaScript's white space (what `\s` and `trim()` remove), spelt out so that the pattern below means the
 * same to every regular-expression engine that reads the document.
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** No NUL anywhere (PostgreSQL cannot store it: checkBody refuses it in every body). */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
/** At least one character that is not white space, and no NUL. */
export const NOT_BLANK_PATTERN = `^[^\\u0000]*[^\\u0000${WHITE_SPACE}][^\\u0000]*$`;
const NOT_WHITE = new RegExp(`[^${WHITE_SPACE}]`);
export const isNotBlank = (v: unknown): v is string => typeof v === 'string' && NOT_WHITE.test(v);
/** A URI: a scheme, a colon, then no white space. */
export const URI_PATTERN = `^[a-zA-Z][a-zA-Z0-9+.-]*:[^\\u0000${WHITE_SPACE}]+$`;

/** `Matches` that also writes its pattern into the document (for `each`, on the array's items). */
export const Pattern = (source: string, message: string, each = false): PropertyDecorator =>
  applyDecorators(
    Matches(new RegExp(source), { message, each }),
    ApiProperty(each ? { type: 'array', items: { type: 'string', pattern: source } } : { pattern: source }),
  );

const decorator =
  (name: string, test: (v: unknown) => boolean, describe: string) =>
  (options?: ValidationOptions): PropertyDecorator =>
  (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be ${describe}`, ...options },
      validator: { validate: (v: unknown) => test(v) },
    });

/** Validates an instant and documents it (format, pattern, example) in the OpenAPI schema. */
export const IsIsoTime = (options?: ValidationOptions): PropertyDecorator =>
  applyDecorators(
    decorator(
      'isIsoTime',
      isIsoTime,
      `an ISO-8601 time with offset in the years ${INSTANT_YEARS.first}–${INSTANT_YEARS.last}, e.g. 2013-07-08T09:00:00+08:00`,
    )(options),
    ApiProperty({ ...INSTANT_SCHEMA }),
  );

export interface FieldProblem {
  field: string;
  problems: string[];
  /** The rule of the first problem (`input.required`, `input.too-long`…), for the wording in either language. */
  rule?: string;
  params?: Record<string, string | number | boolean | null | string[]>;
}

/** class-validator's constraint names → the input rules the console words (one home: libs/domain names the rest). */
const CONSTRAINT_RULES: Record<string, string> = {
  whitelistValidation: 'input.unknown-field',
  isNotBlank: 'input.blank',
  isNotEmpty: 'input.blank',
  maxLength: 'input.too-long',
  arrayMaxSize: 'input.too-many',
  arrayMinSize: 'input.required',
  isIn: 'input.one-of',
  isEnum: 'input.one-of',
  isIsoTime: 'input.instant',
  isUuid: 'input.uuid',
  matches: 'input.pattern',
  isString: 'input.type',
  isInt: 'input.type',
  isBoolean: 'input.type',
  isArray: 'input.type',
  isObject: 'input.type',
  min: 'input.range',
  max: 'input.range',
};

/** The rule of a constraint and what it needs (the limit of maxLength, the allowed values of isIn). */
function ruleOfConstraint(e: ValidationError, name: string): { rule: string; params: NonNullable<FieldProblem['params']> } {
  const rule = CONSTRAINT_RULES[name] ?? 'input.invalid';
  const meta = (e.target ? getMetadataStorage().getTargetValidationMetadatas(e.target.constructor, '', true, false) : []).find(
    (m) => m.propertyName === e.property && (m.name ?? m.type) === name,
  );
  const c = meta?.constraints ?? [];
  if (name === 'maxLength' || name === 'arrayMaxSize') return { rule, params: { max: Number(c[0]) } };
  if (name === 'isIn' && Array.isArray(c[0])) return { rule, params: { allowed: (c[0] as unknown[]).map(String) } };
  if ((name === 'min' || name === 'max') && typeof c[0] === 'number') return { rule, params: { [name]: c[0] } };
  return { rule, params: {} };
}

/** Flattens class-validator's tree into `path: problem` pairs, e.g. `units[3].kind`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const key = /^\d+$/.test(e.property) ? `[${e.property}]` : prefix ? `.${e.property}` : e.property;
    const path = `${prefix}${key}`;
    if (e.constraints) {
      const problems = Object.values(e.constraints).map((m) =>
        // class-validator says "property x should not exist" for whitelisted-out fields: name the path.
        m.startsWith('property ') && m.endsWith(' should not exist') ? 'unknown field' : m.replace(e.property, path),
      );
      const first = Object.keys(e.constraints)[0];
      const { rule, params } = ruleOfConstraint(e, first);
      out.push({ field: path, problems, rule, params });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

/** A 400 naming each field that failed. The message names the first few; details carry all (bounded). */
export function validationError(problems: FieldProblem[]): DomainError {
  const shown = problems.slice(0, 5).map((p) => `${p.field}: ${p.problems.join(', ')}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new DomainError('INVALID_INPUT', `${shown.join('; ')}${more}`, {
    field: problems[0]?.field,
    fields: problems.slice(0, 100),
  });
}

export const createValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validateCustomDecorators: false,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const problems = flattenValidationErrors(errors);
      return validationError(problems.length ? problems : [{ field: 'body', problems: ['must be a JSON object'] }]);
    },
  });

/**
 * An optional field: absent is fine, `null` is not. class-validator's IsOptional lets null through unchecked,
 * where the schema says that the field, when given, is a string, a number or an object.
 */
export const Optional = (options?: ValidationOptions): PropertyDecorator => ValidateIf((_object, value) => value !== undefined, options);

/** A string with at least one non-space character (the workflows refuse blank text too), documented as a pattern. */
export const IsNotBlank = (options?: ValidationOptions): PropertyDecorator =>
  applyDecorators(decorator('isNotBlank', isNotBlank, 'a text that is not blank')(options), ApiProperty({ pattern: NOT_BLANK_PATTERN }));

const isPlainObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every element of the array is an object (not an array, not null); the message names the first that is not. */
export const EachIsObject = (): PropertyDecorator => (target: object, propertyName: string | symbol) =>
  registerDecorator({
    name: 'eachIsObject',
    target: target.constructor,
    propertyName: propertyName as string,
    validator: {
      validate: (v: unknown) => !Array.isArray(v) || v.every(isPlainObject),
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        const at = Array.isArray(value) ? value.findIndex((x) => !isPlainObject(x)) : -1;
        return `${args?.property}[${at}] must be an object`;
      },
    },
  });
