// The fault suite's reading of histories, on the two pinned histories whose tasks diverged live
// (test/fixtures/sdk-replay-defect): every failed or timed-out workflow task by cause, the event a nondeterminism
// error names, and whether a unit's divergence lies in its disclosure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsonHistory } from '../../libs/audit/src';
import { disclosureSpan, inDisclosure, taskFailures } from './histories';

const pinned = (name: string): JsonHistory =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', name), 'utf8'));
const unit = pinned('unit-disclosure-timer-after-worker-restart.json');

it("names each failed task's cause, and for a nondeterminism error the event it diverged at", () => {
  const failures = taskFailures(unit);
  const nondeterminism = failures.filter((f) => f.cause === 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR');
  // The first at 183, then again whenever a new event (a signal) gave the task another first attempt: each at 168.
  expect(nondeterminism.map((f) => [f.eventId, f.divergingEventId])).toEqual([
    [183, 168],
    [191, 168],
    [196, 168],
    [200, 168],
  ]);
  expect(failures.filter((f) => f.cause === 'WORKFLOW_TASK_TIMED_OUT').map((f) => f.eventId)).toEqual(expect.arrayContaining([140, 178]));
});

it("places the unit's divergence in its disclosure: after the task book's publication, up to its items' start", () => {
  expect(disclosureSpan(unit)).toEqual({ from: 155, to: 173 });
  expect(inDisclosure(unit, 168)).toBe(true);
  expect(inDisclosure(unit, 155)).toBe(false);
  expect(inDisclosure(unit, 174)).toBe(false);
  expect(disclosureSpan(pinned('item-update-with-timer-after-worker-restart.json'))).toBeUndefined();
});
