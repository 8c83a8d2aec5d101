// Time in the workflows. The workflow clock (Date.now()) is the start of the current workflow task; a task
// replayed elsewhere may read another moment for the same events (README: "A history that never needs
// rewriting"). So the clock may shape what a run records (a rung's firedAt, a task book's effectiveAt) but never
// which commands it emits: every wait is a timer, started whatever the clock says (at least 1 ms), and a moment
// recorded for something due is never earlier than when it was due.
import { patched } from '@temporalio/workflow';
import { CLOCK_INDEPENDENT_COMMANDS } from '../libs/contracts/src';

/**
 * Whether this run follows the rule above. Asked once, at the start of a run: runs recorded before the rule
 * replay as they ran until they continue as new; every new run records the patch marker and follows it (units,
 * items and programmes ask `projectsInTask()` first, whose marker implies this rule: see libs/contracts/src/patches.ts).
 */
export const clockIndependentCommands = (): boolean => patched(CLOCK_INDEPENDENT_COMMANDS);

/** A timer's length for a moment that may have passed already: never zero or negative, so a timer is started. */
export const timerUntil = (atMs: number): number => Math.max(1, atMs - Date.now());

/** The moment to record for something that happens now and was due at `dueMs`: never before it was due. */
export const recordedMoment = (dueMs: number): string => new Date(Math.max(Date.now(), dueMs)).toISOString();
