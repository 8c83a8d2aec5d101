// `npm run test:faults`: the full fault suite — 32 units, the worker SIGKILLed 10 times, the Temporal dev server
// stopped and killed, PostgreSQL frozen for 30 s and restarted, the API killed 3 times with requests in flight,
// the webhook receiver down for a minute, the console's GETs read all along (test/faults/suite.ts).
// `npm run test:faults -- --diagnostic-queries` (MASSLINE_FAULTS_DIAGNOSTIC_QUERIES=1) adds workflow queries on
// random units and items, and counts the divergences they lead to instead of failing on them.
import { describeFaultSuite, FULL_SCALE } from './suite';

describeFaultSuite(FULL_SCALE, { diagnosticQueries: process.env.MASSLINE_FAULTS_DIAGNOSTIC_QUERIES === '1' });
