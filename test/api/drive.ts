// Drives one unit of a World over HTTP, as its people would: P1 → P2 → P3 with a valid supervised meeting,
// then a task book of the given items, published, until it is in effect. Each step reads its own write back.
import { type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import type { World } from './world';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export async function driveToEffectiveTaskBook(
  api: ApiUnderTest,
  w: World,
  items: Array<{ measure: string; owner: string; deadline: string }>,
): Promise<{ itemIds: string[] }> {
  const U = `/api/units/${w.unitA}`;
  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const r = await api.call(method, path, { token, body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const unit = (method: string, path: string, body?: unknown) => call(w.tokens.unitA, method, path, body);
  const sup = (method: string, path: string, body?: unknown) => call(w.tokens.supA, method, path, body);
  const approve = async (to: string) => {
    const t = await unit('POST', `${U}/transitions`, { to });
    await sup('POST', `${U}/transitions/${t.id}/decision`, { approve: true, comment: `gate met for ${to}` });
  };
  await unit('POST', `${U}/records`, { kind: 'study', title: 'Study session' });
  await call(undefined, 'POST', `${U}/opinions`, { text: 'Fewer meetings' });
  await unit('POST', `${U}/records`, { kind: 'solicitation-report', title: 'Report on the opinions' });
  await approve('P2');
  const problem = await unit('POST', `${U}/problems`, { title: 'Too many meetings', source: 'masses', category: 'formalism' });
  await unit('POST', `${U}/records`, { kind: 'comparison-check', title: 'Comparison-check materials' });
  await unit('POST', `${U}/meeting`, { scheduledAt: ago(50), location: 'Meeting room 3' });
  await sup('POST', `${U}/meeting/attendance`, { arrivedAt: ago(45), leftAt: ago(5) });
  await unit('POST', `${U}/meeting/held`, { startedAt: ago(40), endedAt: ago(10), minutes: 'Held with the group present throughout' });
  await approve('P3');
  const book = await unit('PUT', `${U}/task-book`, {
    signedBy: 'Party secretary Wang',
    items: items.map((i) => ({ ...i, problemIds: [problem.id] })),
  });
  await unit('POST', `${U}/task-book/publish`);
  await eventually(
    async () => {
      const v = await call(w.tokens.office, 'GET', U);
      return v.taskBook?.status === 'effective' ? v : undefined;
    },
    'task book in effect',
    60_000,
  );
  return { itemIds: book.items.map((i: { id: string }) => i.id) };
}
