// The pure parts of reconciliation: where two views differ, and what a history says was last projected.
import { firstDifference, lastProjection, projectsInTask, type JsonHistory } from '../../libs/audit/src';
import { PROJECTIONS_IN_TASK } from '../../libs/contracts/src';

const payload = (v: unknown) => ({
  payloads: [
    { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(v)).toString('base64') },
  ],
});
let id = 0;
const ev = (eventType: string, attrs: Record<string, unknown> = {}) => {
  id++;
  const key =
    eventType
      .replace(/^EVENT_TYPE_/, '')
      .toLowerCase()
      .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) + 'EventAttributes';
  return { eventId: String(id), eventTime: '2013-09-01T00:00:00Z', eventType, [key]: attrs };
};

describe('firstDifference', () => {
  it('names the first differing path, in arrays and objects, or nothing when equal', () => {
    expect(firstDifference({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBeUndefined();
    expect(firstDifference({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 3 }] })).toBe('b[1].c');
    expect(firstDifference({ items: [1, 2] }, { items: [1] })).toBe('items.length');
    expect(firstDifference({ a: 1 }, { a: 1, z: null })).toBe('z');
  });
});

describe('lastProjection', () => {
  it('takes the highest completed projection, and tells a later one still in flight', () => {
    id = 0;
    const history: JsonHistory = {
      events: [
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
        ev('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
          activityType: { name: 'projectUnit' },
          input: payload({ view: { version: 1, phase: 'P1' }, changes: [] }),
        }),
        ev('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', { activityType: { name: 'recordEscalation' }, input: payload({ rung: 'yellow' }) }),
        ev('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { scheduledEventId: '2' }),
        ev('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
          activityType: { name: 'projectUnit' },
          input: payload({ view: { version: 2, phase: 'P2' }, changes: [] }),
        }),
      ],
    };
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: { version: 1, phase: 'P1' }, pending: true });
    history.events.push(ev('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { scheduledEventId: '5' }));
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: { version: 2, phase: 'P2' }, pending: false });
    expect(lastProjection(history, 'projectItem')).toEqual({ view: undefined, pending: false });
  });

  it('takes the view a run returned when it completed, whatever its projections', () => {
    id = 0;
    const history: JsonHistory = {
      events: [
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
        ev('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
          activityType: { name: 'projectUnit' },
          input: payload({ view: { version: 4, phase: 'P3' }, changes: [] }),
        }),
        ev('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { scheduledEventId: '2' }),
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: payload({ version: 5, phase: 'DONE' }) }),
      ],
    };
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: { version: 5, phase: 'DONE' }, pending: false });
  });

  it('for a run projecting in its workflow tasks: no view from the history while it runs, and in flight while a task is open', () => {
    id = 0;
    const patchMarker = { markerName: 'core_patch', details: { 'patch-data': payload({ id: PROJECTIONS_IN_TASK, deprecated: false }) } };
    const localProjection = { markerName: 'core_local_activity', details: { data: payload({ activity_type: 'projectUnit', seq: 1 }) } };
    const history: JsonHistory = {
      events: [
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
        ev('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'),
        ev('EVENT_TYPE_WORKFLOW_TASK_STARTED'),
        ev('EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
        ev('EVENT_TYPE_MARKER_RECORDED', patchMarker),
        ev('EVENT_TYPE_MARKER_RECORDED', localProjection),
      ],
    };
    expect(projectsInTask(history)).toBe(true);
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: undefined, pending: false });
    history.events.push(ev('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'), ev('EVENT_TYPE_WORKFLOW_TASK_STARTED'));
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: undefined, pending: true });
    history.events.push(
      ev('EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
      ev('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: payload({ version: 9, phase: 'DONE' }) }),
    );
    expect(lastProjection(history, 'projectUnit')).toEqual({ view: { version: 9, phase: 'DONE' }, pending: false });
    expect(projectsInTask({ events: history.events.filter((e) => e.eventType !== 'EVENT_TYPE_MARKER_RECORDED') })).toBe(false);
  });

  it('is never in flight once the run has closed', () => {
    id = 0;
    const history: JsonHistory = {
      events: [
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
        ev('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', { activityType: { name: 'projectItem' }, input: payload({ version: 3 }) }),
        ev('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'),
      ],
    };
    expect(lastProjection(history, 'projectItem')).toEqual({ view: undefined, pending: false });
  });
});
