// `npm run test:faults`: the full fault suite — 32 units, the worker SIGKILLed 10 times, the Temporal dev server
// stopped and killed, PostgreSQL frozen for 30 s and restarted, the API killed 3 times with requests in flight,
// the webhook receiver down for a minute (test/faults/suite.ts).
import { describeFaultSuite, FULL_SCALE } from './suite';

describeFaultSuite(FULL_SCALE);
