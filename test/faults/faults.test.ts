// The fault suite, small, in every `npm test`: 8 units (one of each kind), the worker SIGKILLed twice, the
// Temporal dev server stopped and restarted, PostgreSQL frozen for 10 s, the API killed with requests in flight,
// the webhook receiver down for a while, the console's GETs read all along; the same counts asserted as
// `npm run test:faults` (test/faults/suite.ts).
import { describeFaultSuite, SMALL_SCALE } from './suite';

describeFaultSuite(SMALL_SCALE);
