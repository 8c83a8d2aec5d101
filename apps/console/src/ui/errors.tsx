// Errors next to what they name, worded from the refusal the API carries as data ({category, rule, params}):
// a 400's fields go onto the form's fields, a 409's rule (and unmet gates) next to the action that was refused,
// anything else in a note by the action. The server's own message is never shown: it is for logs.
import { Alert, type FormInstance } from 'antd';
import { useMemo } from 'react';
import { DomainError, type ErrorCode, type Refusal } from '../../../../libs/domain/src';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';
import { wordRefusal, type Words } from '../refusals';

/** `items[0].deadline` → ['items', 0, 'deadline'] (antd's name path). */
export const namePath = (field: string): Array<string | number> =>
  field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** What a refusal's wording needs from the page: labels and the campaign's clock, in the current language. */
export function useWords(): Words {
  const { lang, label, time } = useI18n();
  return useMemo(
    () => ({
      lang,
      phase: (p) => label.phase(p as string),
      gate: (g) => label.gate(g as string),
      role: (r) => label.role(r as string),
      itemStatus: (s) => label.itemStatus(s as string),
      time: (iso) => time(typeof iso === 'string' ? iso : undefined),
    }),
    [lang, label, time],
  );
}

/** A field's problem in words: its refusal when the API sent one, else the category's wording for input. */
const fieldWords = (w: Words, field: string, refusal: Refusal | undefined): string =>
  wordRefusal(refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field } }, w);

/**
 * Puts an API error's fields onto the form, when the field is one of `fields` (the form's top-level names).
 * Returns true when at least one went there; otherwise the caller shows the error by the action.
 */
export function applyFieldErrors(form: FormInstance, err: unknown, fields: string[], w: Words): boolean {
  if (!(err instanceof ApiError) || !err.fields.length) return false;
  const onForm = err.fields
    .map((f) => ({ name: namePath(f.field), errors: [fieldWords(w, f.field, f.refusal)] }))
    .filter((f) => fields.includes(String(f.name[0])));
  if (!onForm.length) return false;
  form.setFields(onForm);
  return true;
}

/** The refusal an error carries: the API's, a local check's (libs/domain), or none. */
export function refusalOfError(error: unknown): Refusal | undefined {
  if (error instanceof ApiError) return error.refusal;
  if (error instanceof DomainError) return error.refusal;
  return undefined;
}

const UNAVAILABLE: [string, string] = ['服务暂不可用，请稍后重试', 'Service unavailable, retry later'];
const FAILED: [string, string] = ['操作失败', 'Failed'];
const CATEGORY_TITLES: Record<ErrorCode, [string, string]> = {
  RULE_VIOLATION: ['不符合规则', 'Refused by a rule'],
  CONFLICT: ['不符合规则', 'Refused by a rule'],
  FORBIDDEN: ['无权操作', 'Not allowed'],
  NOT_FOUND: ['未找到', 'Not found'],
  RATE_LIMITED: ['请求过于频繁', 'Too many requests'],
  INVALID_INPUT: ['输入有误', 'Invalid input'],
  UNAUTHENTICATED: ['需要重新登录', 'Sign in again'],
};
const STATUS_TITLES: Record<number, [string, string]> = {
  400: CATEGORY_TITLES.INVALID_INPUT,
  401: CATEGORY_TITLES.UNAUTHENTICATED,
  403: CATEGORY_TITLES.FORBIDDEN,
  404: CATEGORY_TITLES.NOT_FOUND,
  409: CATEGORY_TITLES.CONFLICT,
  429: CATEGORY_TITLES.RATE_LIMITED,
};

/** An action's error, shown beside the action: the rule refused, worded, and the gates still unmet. */
export function ErrorNote({ error, id }: { error: unknown; id?: string }) {
  const { t } = useI18n();
  const words = useWords();
  if (!error) return null;
  const status = error instanceof ApiError ? error.status : 0;
  const refusal = refusalOfError(error);
  const unmet = error instanceof ApiError ? error.unmetGates : [];
  const failed = !refusal && (status === 0 || status >= 500);
  // A refusal is titled by its category; an answer without one (a route unknown, an outage) by its status.
  const title = t(...(refusal ? CATEGORY_TITLES[refusal.category] : (STATUS_TITLES[status] ?? (failed ? UNAVAILABLE : FAILED))));
  const fieldLines =
    error instanceof ApiError && error.fields.length > 1 ? error.fields.map((f) => fieldWords(words, f.field, f.refusal)) : [];
  return (
    <Alert
      id={id}
      role="alert"
      type="error"
      showIcon
      style={{ marginTop: 8 }}
      title={title}
      description={
        <div>
          {refusal ? (
            <div data-testid="error-message" data-rule={refusal.rule}>
              {wordRefusal(refusal, words)}
            </div>
          ) : failed ? (
            <div data-testid="error-message">
              {t('请求未能完成，可以稍后再试一次。', 'The request did not go through; you can try again shortly.')}
            </div>
          ) : null}
          {fieldLines.length ? (
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
              {fieldLines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          ) : null}
          {unmet.length ? <UnmetGates gates={unmet} /> : null}
          {error instanceof ApiError && error.retryAfterSeconds ? (
            <div>{t(`请 ${error.retryAfterSeconds} 秒后再试`, `Retry in ${error.retryAfterSeconds} s`)}</div>
          ) : null}
        </div>
      }
    />
  );
}

/** The gates a refused action still waits for, by name. */
function UnmetGates({ gates }: { gates: string[] }) {
  const { t, label } = useI18n();
  return (
    <>
      <div>{t('尚未满足的条件：', 'Still unmet:')}</div>
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
        {gates.map((g) => (
          <li key={g} data-gate={g}>
            {label.gate(g)}
          </li>
        ))}
      </ul>
    </>
  );
}
