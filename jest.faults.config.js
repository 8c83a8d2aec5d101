/** Jest for `npm run test:faults` only: test/faults/*.faults.ts run the whole system on `massline up` (its own
 * Temporal dev server and PostgreSQL, which they stop and kill), so there is no shared dev server here; `npm test`
 * (jest.config.js) runs the small version, test/faults/faults.test.ts, and does not match these files. */
const base = require('./jest.config.js');
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  moduleFileExtensions: base.moduleFileExtensions,
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.ts'],
  testTimeout: 3_600_000,
  maxWorkers: 1,
};
