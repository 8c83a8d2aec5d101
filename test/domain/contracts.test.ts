// The workflow type names both sides agree on, against what workflows/index.ts exports (the recording activities'
// names the compiler checks: activities/index.ts hands them to withFailureMapping as keys of the activities).
import * as workflows from '../../workflows';
import { ALL_WORKFLOW_TYPES } from '../../libs/contracts/src';

describe('libs/contracts', () => {
  it('names every workflow type workflows/index.ts exports, and only those', () => {
    expect([...ALL_WORKFLOW_TYPES].sort()).toEqual(Object.keys(workflows).sort());
  });
});
