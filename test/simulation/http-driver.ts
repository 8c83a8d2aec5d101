// The agenda's actions sent over HTTP, as the people of a live campaign send them: the same calls the console
// makes, with each person's own token. The honest-by-construction test drives a live campaign with it and
// compares what the live engine recorded with what the simulator did (apps/cli/src/simulate/driver.ts sends the
// same actions as Updates).
import { SIMULATED_TEXTS } from '../../apps/cli/src/simulate/driver';
import type { SimAction } from '../../libs/simulation/src';
import type { ApiUnderTest } from '../api/harness';

export interface LiveUnit {
  id: string;
  code: string;
  /** Its staff's token, and a supervisor of its group's. */
  unitToken: string;
  supervisorToken: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class HttpDriver {
  constructor(private readonly api: ApiUnderTest) {}

  private async call(token: string | undefined, method: string, path: string, body?: unknown) {
    const r = await this.api.call(method, path, { token, body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Runs one action of `unit` (throws what the API refuses: an agenda that breaks a rule is a bug). */
  async act(unit: LiveUnit, a: SimAction): Promise<void> {
    const U = `/api/units/${unit.id}`;
    const I = (n: number) => `/api/items/${unit.id}.item-${n}`;
    const staff = (method: string, path: string, body?: unknown) => this.call(unit.unitToken, method, path, body);
    const supervisor = (method: string, path: string, body?: unknown) => this.call(unit.supervisorToken, method, path, body);
    const citizen = (method: string, path: string, body?: unknown) => this.call(undefined, method, path, body);
    switch (a.kind) {
      case 'record':
        await staff('POST', `${U}/records`, { kind: a.recordKind, title: a.title });
        return;
      case 'opinion':
        await citizen('POST', `${U}/opinions`, { text: SIMULATED_TEXTS.opinion });
        return;
      case 'problem':
        await staff('POST', `${U}/problems`, {
          title: `问题 ${a.seq}: 会风文风`,
          description: SIMULATED_TEXTS.description,
          source: 'masses',
          category: 'formalism',
        });
        return;
      case 'pass': {
        const t = await staff('POST', `${U}/transitions`, { to: a.to });
        if (t.id !== `transition-${a.seq}`) throw new Error(`${unit.code}: expected transition-${a.seq}, got ${t.id}`);
        await supervisor('POST', `${U}/transitions/${t.id}/decision`, { approve: true, comment: `gates met for ${a.to}` });
        return;
      }
      case 'schedule-meeting':
        await staff('POST', `${U}/meeting`, { scheduledAt: iso(a.startedAt), location: '会议室' });
        return;
      case 'hold-meeting': {
        const span = a.endedAt - a.startedAt;
        if (a.attendance !== 'none') {
          const arrivedAt = a.attendance === 'throughout' ? a.startedAt - span / 10 : a.startedAt + span / 4;
          await supervisor('POST', `${U}/meeting/attendance`, { arrivedAt: iso(arrivedAt), leftAt: iso(a.endedAt + span / 10) });
        }
        await staff('POST', `${U}/meeting/held`, {
          startedAt: iso(a.startedAt),
          endedAt: iso(a.endedAt),
          minutes: SIMULATED_TEXTS.minutes,
        });
        return;
      }
      case 'task-book':
        await staff('PUT', `${U}/task-book`, {
          signedBy: '党委书记',
          items: a.deadlines.map((d, i) => ({
            problemIds: Array.from({ length: a.problems }, (_, p) => `problem-${p + 1}`),
            measure: SIMULATED_TEXTS.measure,
            owner: `责任人 ${i + 1}`,
            deadline: iso(d),
          })),
        });
        await staff('POST', `${U}/task-book/publish`);
        return;
      case 'objection':
        await citizen('POST', `${U}/task-book/objections`, { text: SIMULATED_TEXTS.objection });
        return;
      case 'answer-objection':
        await staff('POST', `${U}/task-book/objections/objection-${a.seq}/answer`, { text: SIMULATED_TEXTS.answer });
        return;
      case 'extension':
        await staff('POST', `${I(a.item)}/extensions`, { newDeadline: iso(a.newDeadline), reason: SIMULATED_TEXTS.reason });
        return;
      case 'extension-decision':
        await supervisor('POST', `${I(a.item)}/extensions/extension-1/decision`, {
          approve: a.approve,
          comment: a.approve ? 'granted' : 'the deadline stands',
        });
        return;
      case 'close':
        await staff('POST', `${I(a.item)}/completion`, { evidence: SIMULATED_TEXTS.evidence });
        await supervisor('POST', `${I(a.item)}/verification`, { accept: true, comment: 'verified on site' });
        return;
    }
  }
}
