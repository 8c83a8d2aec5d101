// A unit's documents — records, problems, opinions, the task book's objections — page by page. The one place
// that knows where they come from: today the arrays of GET /api/units/:id; once the paged routes
// (GET /api/units/:id/records|problems|opinions|task-book/objections → {items, total}, newest last) are served,
// `fetchPage` switches to them and nothing else in the console changes.
import type { MeetingView, ObjectionEntry, OpinionEntry, ProblemEntry, RecordEntry, TransitionView } from '../../../../libs/domain/src';

/** An entry as the API answers it: its stored texts in place of their references. */
type WithTexts<T> = {
  [K in keyof T]: T[K] extends { digest: string } | undefined ? string : T[K] extends object | undefined ? WithTexts<T[K]> : T[K];
};
import { api, call, fetchWithToken } from './client';

export interface DocTypes {
  records: WithTexts<RecordEntry>;
  problems: WithTexts<ProblemEntry>;
  opinions: WithTexts<OpinionEntry> & { contact?: string | null };
  objections: WithTexts<ObjectionEntry>;
  transitions: TransitionView;
  meetings: WithTexts<MeetingView>;
}
export type DocKind = keyof DocTypes;

export interface DocPage<K extends DocKind> {
  items: Array<DocTypes[K]>;
  total: number;
}

const PAGED_PATH: Record<DocKind, string> = {
  records: 'records',
  problems: 'problems',
  opinions: 'opinions',
  objections: 'task-book/objections',
  transitions: 'transitions',
  meetings: 'meetings',
};

/** Whether this API serves the paged routes (asked once: a 404 on a known unit means not yet). */
let paged: Promise<boolean> | undefined;

async function fromPagedRoute<K extends DocKind>(unitId: string, kind: K, page: number, pageSize: number): Promise<DocPage<K> | undefined> {
  try {
    const res = await fetchWithToken(`/api/units/${encodeURIComponent(unitId)}/${PAGED_PATH[kind]}?page=${page}&pageSize=${pageSize}`);
    return (await res.json()) as DocPage<K>;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

async function fromUnitView<K extends DocKind>(unitId: string, kind: K, page: number, pageSize: number): Promise<DocPage<K>> {
  // Read loosely: these arrays leave the unit's view once the paged routes exist.
  const view = (await call(api.GET('/api/units/{id}', { params: { path: { id: unitId } } }))) as unknown as Partial<
    Record<DocKind, unknown[]>
  > & {
    taskBook?: { objections?: unknown[] };
  };
  const all = (kind === 'objections' ? (view.taskBook?.objections ?? []) : (view[kind] ?? [])) as Array<DocTypes[K]>;
  return { total: all.length, items: all.slice((page - 1) * pageSize, page * pageSize) };
}

/** One page of a unit's documents of a kind, oldest first (newest last). */
export async function fetchPage<K extends DocKind>(unitId: string, kind: K, page = 1, pageSize = 20): Promise<DocPage<K>> {
  paged ??= fromPagedRoute(unitId, 'records', 1, 1).then(
    (r) => r !== undefined,
    () => false,
  );
  if (await paged) {
    const r = await fromPagedRoute(unitId, kind, page, pageSize);
    if (r) return r;
  }
  return fromUnitView(unitId, kind, page, pageSize);
}

/** The newest document of a kind (the last one made), if any. */
export async function fetchLast<K extends DocKind>(unitId: string, kind: K): Promise<DocTypes[K] | undefined> {
  const head = await fetchPage(unitId, kind, 1, 1);
  if (head.total <= 1) return head.items[0];
  return (await fetchPage(unitId, kind, head.total, 1)).items[0];
}

/** Every document of a kind (for pickers: the problems an item links to), a page of 500 at a time. */
export async function fetchAll<K extends DocKind>(unitId: string, kind: K, limit = 5000): Promise<Array<DocTypes[K]>> {
  const out: Array<DocTypes[K]> = [];
  for (let page = 1; out.length < limit; page++) {
    const r = await fetchPage(unitId, kind, page, 500);
    out.push(...r.items);
    if (out.length >= r.total || r.items.length === 0) break;
  }
  return out;
}
