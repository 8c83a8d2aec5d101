// The worker's cache size as an operator gives it (the bound on the worker's memory: npm run bench baseline, memory),
// and a clear refusal of a value the SDK would otherwise quietly work around.
import { ConfigError, DEFAULT_CACHED_WORKFLOWS, DEFAULT_WORKFLOW_TASKS, loadConfig } from '../../libs/config/src';

const refusal = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env, '/tmp');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('worker cache size', () => {
  it('is bounded when unset, above the workflow tasks', () => {
    const { worker } = loadConfig({}, '/tmp');
    expect(worker.maxCachedWorkflows).toBe(DEFAULT_CACHED_WORKFLOWS);
    expect(worker.maxCachedWorkflows).toBeGreaterThanOrEqual(worker.maxConcurrentWorkflowTasks);
  });

  it('takes what the environment says', () => {
    expect(loadConfig({ MASSLINE_WORKER_CACHED_WORKFLOWS: '40' }, '/tmp').worker.maxCachedWorkflows).toBe(40);
    expect(loadConfig({ MASSLINE_WORKER_CACHED_WORKFLOWS: '5000' }, '/tmp').worker.maxCachedWorkflows).toBe(5000);
  });

  it('refuses a cache smaller than the workflow tasks, or none, naming both settings', () => {
    const expected = (tasks: number, got: number) =>
      `MASSLINE_WORKER_CACHED_WORKFLOWS must be at least MASSLINE_WORKER_WORKFLOW_TASKS (${tasks}): a run recorded with its projections in its workflow tasks needs the run kept in memory; got ${got}`;
    expect(refusal({ MASSLINE_WORKER_CACHED_WORKFLOWS: '10', MASSLINE_WORKER_WORKFLOW_TASKS: '40' })).toEqual([expected(40, 10)]);
    expect(refusal({ MASSLINE_WORKER_CACHED_WORKFLOWS: '0' })).toEqual([expected(DEFAULT_WORKFLOW_TASKS, 0)]);
    expect(refusal({ MASSLINE_WORKER_CACHED_WORKFLOWS: 'many' }).join()).toContain('MASSLINE_WORKER_CACHED_WORKFLOWS');
  });
});
