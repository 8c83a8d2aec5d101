// Form helpers: date and date-time pickers in the campaign's zone (Ant Design's, in the zh-CN format; the zone
// stated beside the field, whatever the browser's own zone), a confirmation for what cannot be undone, and a
// hook that runs a mutation, says when it is done, and sends its error to the form's fields or beside the button;
// a list's filter choice.
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { App, DatePicker, Select, Space, type FormInstance } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { forwardRef, useState, type ReactNode } from 'react';
type PickerRef = { nativeElement: HTMLDivElement; focus: () => void; blur: () => void };
import { instantOf, useI18n, wallTime, zoneName } from '../i18n';
import { applyFieldErrors, useWords } from './errors';

/** A date (YYYY-MM-DD) as the end of that day in the campaign's zone: a deadline. */
export const dateToDeadline = (v: string, offset: string): string => `${v}T23:59:59${offset}`;
/** A deadline → the date it falls on in the zone. */
export const deadlineToDate = (iso: string | undefined, offset: string): string => (iso ? wallTime(iso, offset).slice(0, 10) : '');

/** A unit or zone shown after an input, joined to it (an addon of a Space.Compact). */
export const FieldTag = ({ children }: { children: ReactNode }) => (
  <span
    className="zone-tag"
    style={{
      display: 'inline-flex',
      alignItems: 'center',
      paddingInline: 8,
      border: '1px solid #d9d9d9',
      borderInlineStart: 0,
      background: '#fafafa',
      color: '#434343',
      whiteSpace: 'nowrap',
      fontSize: 12,
    }}
  >
    {children}
  </span>
);

const ZoneTag = ({ zone }: { zone: string }) => <FieldTag>{zoneName(zone)}</FieldTag>;

/**
 * A date-time in the campaign's zone. The form's value is the instant with the zone's offset
 * (`2013-09-20T09:00:00+08:00`): what the person picks is the wall clock of the campaign, never the browser's.
 */
type PickerProps = { value?: string; onChange?: (v: string | undefined) => void; id?: string; 'aria-label'?: string; disabled?: boolean };

// (forwardRef: Ant Design's Form scrolls to a field in error through its control's ref)
export const DateTimeInput = forwardRef<PickerRef, PickerProps>(function DateTimeInput({ value, onChange, id, ...rest }, ref) {
  const { zone } = useI18n();
  const shown: Dayjs | null = value && !Number.isNaN(Date.parse(value)) ? dayjs(wallTime(value, zone)) : null;
  return (
    <Space.Compact>
      <DatePicker
        id={id}
        ref={ref}
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        value={shown}
        onChange={(d) => onChange?.(d ? instantOf(d.format('YYYY-MM-DD HH:mm'), zone) : undefined)}
        style={{ width: 190 }}
        {...rest}
      />
      <ZoneTag zone={zone} />
    </Space.Compact>
  );
});

/** A date in the campaign's zone; the form's value is `YYYY-MM-DD` (a day of the campaign's calendar). */
export const DateInput = forwardRef<PickerRef, PickerProps>(function DateInput({ value, onChange, id, ...rest }, ref) {
  const { zone } = useI18n();
  return (
    <Space.Compact>
      <DatePicker
        ref={ref}
        id={id}
        format="YYYY-MM-DD"
        value={value ? dayjs(value) : null}
        onChange={(d) => onChange?.(d ? d.format('YYYY-MM-DD') : undefined)}
        style={{ width: 150 }}
        {...rest}
      />
      <ZoneTag zone={zone} />
    </Space.Compact>
  );
});

/** Asks before what cannot be undone: a summary of what will happen; resolves true when confirmed. */
export function useConfirm() {
  const { modal } = App.useApp();
  const { t } = useI18n();
  return (o: { title: string; content: ReactNode; okText: string; danger?: boolean }) =>
    new Promise<boolean>((resolve) => {
      modal.confirm({
        title: o.title,
        content: <div data-testid="confirm-summary">{o.content}</div>,
        okText: o.okText,
        cancelText: t('取消', 'Cancel'),
        okButtonProps: { danger: o.danger, 'data-testid': 'confirm-ok' },
        cancelButtonProps: { 'data-testid': 'confirm-cancel' },
        onOk: () => resolve(true),
        onCancel: () => resolve(false),
      });
    });
}

/**
 * Runs `fn`; on success invalidates `invalidate`, resets the form and says `success`; on failure puts field
 * errors on the form (when it names one of `fields`) and otherwise keeps the error to show beside the action.
 */
export function useAction<A, R>(opts: {
  fn: (args: A) => Promise<R>;
  form?: FormInstance;
  fields?: string[];
  invalidate?: QueryKey[];
  reset?: boolean;
  onDone?: (r: R) => void;
  /** Said when it is done (a toast), e.g. 已批准. */
  success?: string | ((r: R) => string);
}) {
  const queries = useQueryClient();
  const words = useWords();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<R>();
  const run = async (args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await opts.fn(args);
      setResult(r);
      // Reset without leaving the first field in error: its rules are checked again only on the next edit.
      if (opts.form && opts.reset !== false) {
        opts.form.resetFields();
        opts.form.setFields(opts.form.getFieldsError().map((f) => ({ name: f.name, errors: [] })));
      }
      await Promise.all((opts.invalidate ?? []).map((k) => queries.invalidateQueries({ queryKey: k })));
      if (opts.success) void message.success(typeof opts.success === 'function' ? opts.success(r) : opts.success);
      opts.onDone?.(r);
      return r;
    } catch (e) {
      if (!(opts.form && opts.fields && applyFieldErrors(opts.form, e, opts.fields, words))) setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  /** `run` for an event handler: its errors are already kept in `error` (or put on the form), so none is lost. */
  const submit = (args: A): void => void run(args);
  return { run, submit, error, busy, result, clear: () => setError(undefined) };
}

/** One filter's choice (named for screen readers); cleared, it filters nothing. */
export function FilterSelect<V extends string | number>({
  label,
  placeholder,
  width,
  value,
  onChange,
  options,
  testId,
}: {
  label: string;
  placeholder: string;
  width: number;
  value: V | undefined;
  onChange: (value: V | undefined) => void;
  options: Array<{ value: V; label: string }>;
  testId?: string;
}) {
  return (
    <Select<V>
      aria-label={label}
      placeholder={placeholder}
      allowClear
      style={{ width }}
      value={value}
      onChange={onChange}
      options={options}
      data-testid={testId}
    />
  );
}
