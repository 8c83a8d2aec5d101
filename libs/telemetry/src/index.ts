// Logs and traces of massline's processes (see README, "Operating massline").
export * from './logging';
export * from './tracing';
export * from './file-exporter';
