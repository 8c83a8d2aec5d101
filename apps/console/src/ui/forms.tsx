// Form helpers: time inputs as the browser's own (datetime-local / date), converted to ISO-8601 instants, and
// a hook that runs a mutation and sends its error to the form's fields or beside the button.
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { Input, type FormInstance } from 'antd';
import { useState } from 'react';
import { applyFieldErrors } from './errors';

/** `2013-07-08T09:00` (the browser's local time) → an ISO instant; undefined when empty or unparsable. */
export const localToIso = (v: string | undefined): string | undefined => {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};
/** An ISO instant → the value of a datetime-local input in the browser's time zone. */
export const isoToLocal = (iso: string | undefined | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
/** A date (YYYY-MM-DD) as the end of that day in China (+08:00), the campaign's reckoning. */
export const dateToDeadline = (v: string): string => new Date(`${v}T23:59:59+08:00`).toISOString();

export const DateTimeInput = (props: React.ComponentProps<typeof Input>) => <Input type="datetime-local" {...props} />;
export const DateInput = (props: React.ComponentProps<typeof Input>) => <Input type="date" {...props} />;

/**
 * Runs `fn`; on success invalidates `invalidate` and resets the form; on failure puts field errors on the
 * form (when it names one of `fields`) and otherwise keeps the error to show beside the action.
 */
export function useAction<A, R>(opts: {
  fn: (args: A) => Promise<R>;
  form?: FormInstance;
  fields?: string[];
  invalidate?: QueryKey[];
  reset?: boolean;
  onDone?: (r: R) => void;
}) {
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<R>();
  const run = async (args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await opts.fn(args);
      setResult(r);
      if (opts.form && opts.reset !== false) opts.form.resetFields();
      await Promise.all((opts.invalidate ?? []).map((k) => queries.invalidateQueries({ queryKey: k })));
      opts.onDone?.(r);
      return r;
    } catch (e) {
      if (!(opts.form && opts.fields && applyFieldErrors(opts.form, e, opts.fields))) setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy, result, clear: () => setError(undefined) };
}
