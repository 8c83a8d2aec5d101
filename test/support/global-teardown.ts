// jest globalTeardown: stops what globalSetup started and removes the run's folder (kept when
// MASSLINE_KEEP_TEST_LOGS=1, for reading the server logs after a failure).
import * as fs from 'fs';

export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__masslineTestServices;
  if (!services) return;
  globalThis.__masslineTestServices = undefined;
  await Promise.all([services.temporal?.stop(), services.postgres?.stop()]);
  process.removeListener('exit', services.killOnExit);
  if (process.env.MASSLINE_KEEP_TEST_LOGS !== '1') fs.rmSync(services.runDir, { recursive: true, force: true });
}
