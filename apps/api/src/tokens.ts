// Injection token of the MasslineConfig. The other shared pieces are provided under their classes
// (DataSource, Client, WorkflowGateway, UnitsService, JsonLogger, ApiMetrics), see core.module.ts.
export const MASSLINE_CONFIG = Symbol('MASSLINE_CONFIG');
