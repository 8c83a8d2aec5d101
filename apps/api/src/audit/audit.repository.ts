// The audit's repository: the SQL lives in libs/audit (AuditStore), shared with `massline audit`; here it is
// provided over the API's DataSource.
import { AuditStore } from '../../../../libs/audit/src';

export class AuditRepository extends AuditStore {}
