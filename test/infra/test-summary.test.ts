// npm test's closing line, which CI reads: a file whose hook failed (an afterAll timing out) fails the run with no
// test counted as failed, so the line names it rather than read "0 failed".
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bootstrap scripts are plain CommonJS
const { testSummary } = require('../../scripts/lib/bootstrap') as { testSummary: (results: unknown) => string };

const root = path.resolve(__dirname, '../..');
const file = (name: string, status: 'passed' | 'failed', tests: Array<'passed' | 'failed' | 'pending'>) => ({
  name: path.join(root, name),
  status,
  assertionResults: tests.map((s) => ({ status: s })),
});

describe('the closing line of npm test', () => {
  it('counts the tests, and names the files that failed outside their tests', () => {
    const results = {
      numPassedTests: 4,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [
        file('test/a.test.ts', 'passed', ['passed', 'pending']),
        file('test/console/office.test.ts', 'failed', ['passed', 'passed']),
        file('test/b.test.ts', 'failed', ['passed', 'failed']),
      ],
    };
    expect(testSummary(results)).toBe(
      'tests: 4 passed, 1 failed, 1 skipped, 1 file failed outside its tests (test/console/office.test.ts)',
    );
  });

  it('is the plain count when every file ran clean', () => {
    const results = {
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 0,
      testResults: [file('test/a.test.ts', 'passed', ['passed', 'passed'])],
    };
    expect(testSummary(results)).toBe('tests: 2 passed, 0 failed, 0 skipped');
  });
});
