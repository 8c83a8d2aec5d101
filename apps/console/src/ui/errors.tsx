// Errors next to what they name: a 400's fields go onto the form's fields, a 409's rule (and unmet gates)
// next to the action that was refused, anything else in a note by the action.
import { Alert, type FormInstance } from 'antd';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';

/** `items[0].deadline` → ['items', 0, 'deadline'] (antd's name path). */
export const namePath = (field: string): Array<string | number> =>
  field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/**
 * Puts an API error's fields onto the form, when the field is one of `fields` (the form's top-level names).
 * Returns true when at least one went there; otherwise the caller shows the error by the action.
 */
export function applyFieldErrors(form: FormInstance, err: unknown, fields: string[]): boolean {
  if (!(err instanceof ApiError) || !err.fields.length) return false;
  const onForm = err.fields
    .map((f) => ({ name: namePath(f.field), errors: f.problems }))
    .filter((f) => fields.includes(String(f.name[0])));
  if (!onForm.length) return false;
  form.setFields(onForm as never);
  return true;
}

/** An action's error, shown beside the action: the rule refused (409), the gates unmet, or the message. */
export function ErrorNote({ error, id }: { error: unknown; id?: string }) {
  const { t, label } = useI18n();
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : // a rule checked here already (libs/domain's DomainError carries its HTTP status)
        new ApiError(Number((error as { httpStatus?: number }).httpStatus ?? 0), error instanceof Error ? error.message : String(error));
  const title =
    e.status === 409
      ? t('不符合规则', 'Refused by a rule')
      : e.status === 403 || e.status === 404
        ? t('无权操作', 'Not allowed')
        : e.status === 429
          ? t('请求过于频繁', 'Too many requests')
          : e.status === 400
            ? t('输入有误', 'Invalid input')
            : e.status === 0 || e.status >= 500
              ? t('服务暂不可用，请稍后重试', 'Service unavailable, retry later')
              : t('操作失败', 'Failed');
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
          <div data-testid="error-message">{e.message}</div>
          {e.rule ? (
            <div>
              {t('规则', 'Rule')}: <code>{e.rule}</code>
            </div>
          ) : null}
          {e.unmetGates.length ? (
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
              {e.unmetGates.map((g) => (
                <li key={g}>
                  {label.gate(g)} (<code>{g}</code>)
                </li>
              ))}
            </ul>
          ) : null}
          {e.retryAfterSeconds ? <div>{t(`请 ${e.retryAfterSeconds} 秒后再试`, `Retry in ${e.retryAfterSeconds} s`)}</div> : null}
        </div>
      }
    />
  );
}
