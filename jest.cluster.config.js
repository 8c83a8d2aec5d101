/** Jest for `npm run test:cluster` only: test/cluster/*.cluster.ts boot their own Temporal cluster (massline up
 * --cluster), so there is no shared dev server here; `npm test` (jest.config.js) does not match these files. */
const base = require('./jest.config.js');
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  moduleFileExtensions: base.moduleFileExtensions,
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.ts'],
  testTimeout: 1_200_000,
  maxWorkers: 1,
};
