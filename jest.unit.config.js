/**
 * Jest for the tests that need no server (`npm run test:unit`): no global setup, so no Temporal and no PostgreSQL
 * are started. CI runs them on every supported Node.js; `npm test` runs them too, with the rest.
 */
const base = require('./jest.config.js');

module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  moduleFileExtensions: base.moduleFileExtensions,
  roots: ['<rootDir>/test'],
  testMatch: [
    '<rootDir>/test/domain/**/*.test.ts',
    '<rootDir>/test/simulation/agenda.test.ts',
    '<rootDir>/test/workflows/purity.test.ts',
    '<rootDir>/test/audit/labels.test.ts',
    '<rootDir>/test/audit/progress.test.ts',
    '<rootDir>/test/audit/reconcile.test.ts',
    '<rootDir>/test/faults/ledger.test.ts',
    '<rootDir>/test/infra/compose.test.ts',
    '<rootDir>/test/infra/free-port.test.ts',
    '<rootDir>/test/infra/readme.test.ts',
    '<rootDir>/test/infra/telemetry.test.ts',
    '<rootDir>/test/infra/worker-config.test.ts',
  ],
  maxWorkers: base.maxWorkers,
};
