// docker-compose.yml, checked by reading it (no Docker engine here): the services a multi-machine deployment
// needs, pinned images that match the versions the project tests against, and environment wiring that the
// apps' configuration understands.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../libs/config/src';
import { devServerSearchAttributeFlags } from '../../workflows/search-attributes';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/lib/tools';

const root = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  configs?: Array<{ source: string; target: string }>;
}
interface Compose {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string }>;
}

const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const { services } = compose;

/** What compose makes of `${VAR:-default}` when VAR is unset. */
const interpolate = (value: string | number): string =>
  String(value).replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal on PostgreSQL with its schema set up, its Web UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services.postgresql.image).toMatch(/^postgres:\d+/);
    // auto-setup creates and migrates Temporal's schema; same server version as the dev server the tests use.
    expect(services.temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(env('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(env('temporal').POSTGRES_USER).toBe(env('postgresql').POSTGRES_USER);
    expect(env('temporal').POSTGRES_PWD).toBe(env('postgresql').POSTGRES_PASSWORD);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-setup'].image).toMatch(new RegExp(`^temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`));
  });

  it('enables Workflow Update in the server`s dynamic config', () => {
    const mounted = services.temporal.configs?.[0];
    expect(mounted).toBeDefined();
    expect(`/etc/temporal/${env('temporal').DYNAMIC_CONFIG_FILE_PATH}`).toBe(mounted!.target);
    const dynamicConfig = parse(compose.configs?.[mounted!.source]?.content ?? '') as Record<string, Array<{ value: unknown }>>;
    expect(dynamicConfig['frontend.enableUpdateWorkflowExecution']).toEqual([{ value: true }]);
  });

  it('registers exactly the typed search attributes of workflows/search-attributes.ts', () => {
    const declared = env('temporal-setup').MASSLINE_SEARCH_ATTRIBUTES.split(/\s+/).filter(Boolean).sort();
    expect(declared).toEqual([...devServerSearchAttributeFlags()].sort());
    for (const app of ['api', 'worker']) {
      expect(services[app].depends_on?.['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('runs the API and several workers from the image built from this repository', () => {
    expect(services.api.build).toBe('.');
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
    expect(services.worker.image).toBe(services.api.image);
    expect(services.worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const [app, main] of [
      ['api', 'dist/apps/api/src/main.js'],
      ['worker', 'dist/apps/worker/src/main.js'],
    ]) {
      expect(services[app].command).toEqual(['node', main]);
      expect(fs.existsSync(path.join(root, main.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  it.each(['api', 'worker'])('gives the %s only known configuration keys, pointing at the compose services', (app) => {
    const known = new Set(CONFIG_KEYS.map((k) => k.key));
    const given = env(app);
    expect(Object.keys(given).filter((key) => !known.has(key))).toEqual([]);

    const db = new URL(given.DATABASE_URL);
    expect(db.hostname).toBe('postgresql');
    expect(services[db.hostname]).toBeDefined();
    expect(decodeURIComponent(db.username)).toBe(env('postgresql').POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(env('postgresql').POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${env('postgresql').POSTGRES_DB}`);

    const [host, port] = given.TEMPORAL_ADDRESS.split(':');
    expect(host).toBe('temporal');
    expect(port).toBe('7233');

    // The values are valid for the apps' own configuration loader, which starts nothing embedded then.
    const config = loadConfig(given, '/app');
    expect(config.database.embedded).toBe(false);
    expect(config.temporal.embedded).toBe(false);
  });
});
