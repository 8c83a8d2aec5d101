// Input validation: one ValidationPipe (unknown fields refused, every failure named by its path) and the
// checks class-validator lacks — ISO times with an offset, ISO durations, calendar dates.
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { DomainError } from '../../../../libs/domain/src';

/** `2013-07-08T00:00:00+08:00`, `…Z`; fraction optional. The date must exist (no 02-30). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO-8601 duration, optionally signed (`-P7D` for offsets before a deadline); at least one part. */
const ISO_DURATION = /^([+-])?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(?:\.\d+)?S)?)?$/;

const dateExists = (y: number, m: number, d: number): boolean => {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
};

export function isIsoTime(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 40) return false;
  const m = ISO_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , oh, om] = m;
  if (!dateExists(+y, +mo, +d) || +h > 23 || +mi > 59 || (s !== undefined && +s > 59)) return false;
  if (oh !== undefined && (+oh > 14 || +om > 59)) return false;
  return Number.isFinite(Date.parse(value));
}

export function isDateOnly(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_ONLY.exec(value);
  return !!m && dateExists(+m[1], +m[2], +m[3]);
}

export function isIsoDuration(value: unknown, signed = false): value is string {
  if (typeof value !== 'string' || value.length > 40) return false;
  const m = ISO_DURATION.exec(value);
  if (!m) return false;
  return signed || m[1] === undefined;
}

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

export const IsIsoTime = decorator('isIsoTime', isIsoTime, 'an ISO-8601 time with offset, e.g. 2013-07-08T09:00:00+08:00');
export const IsDateOnly = decorator('isDateOnly', isDateOnly, 'a date YYYY-MM-DD');
export const IsIsoDuration = decorator('isIsoDuration', (v) => isIsoDuration(v, false), 'an ISO-8601 duration, e.g. P7D or PT5S');
export const IsSignedIsoDuration = decorator(
  'isSignedIsoDuration',
  (v) => isIsoDuration(v, true),
  'an ISO-8601 duration, optionally signed, e.g. -P7D or PT0S',
);

export interface FieldProblem {
  field: string;
  problems: string[];
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
      out.push({ field: path, problems });
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

/** A string with at least one non-space character (the workflows refuse blank text too). */
export const IsNotBlank = decorator('isNotBlank', (v) => typeof v === 'string' && /\S/.test(v), 'a text that is not blank');
