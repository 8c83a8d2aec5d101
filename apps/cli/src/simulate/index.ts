// `massline simulate`: a whole campaign rehearsed in minutes — the real workflows and activities on the
// time-skipping test server against a scratch database (apps/cli/src/simulate/engine.ts), the units behaving as a
// seeded profile says. Writes the report as JSON and HTML; nothing live is touched (a live campaign is only read).
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadConfig } from '../../../../libs/config/src';
import { DomainError, defaultPlan, resolvePlan, type PlanInput } from '../../../../libs/domain/src';
import { CampaignSnapshotRepository, createDataSource } from '../../../../libs/persistence/src';
import {
  checkUnits,
  defaultGroupCount,
  renderReportHtml,
  resolveProfile,
  seedMixUnits,
  unitsFromCsv,
  validateSimulationInput,
  type ReportLang,
  type SimulationInput,
  type SimulationReport,
} from '../../../../libs/simulation/src';
import { parseArgs, UsageError } from '../audit/args';
import { runSimulation, type SimulationProgress, type SimulationStats } from './engine';

export const SIMULATE_HELP = `massline simulate — rehearse a whole campaign in minutes: the real workflows and activities on Temporal's
time-skipping test server, against a scratch PostgreSQL of its own, the units behaving as a seeded profile says.
Nothing live is touched (a live campaign is only read).

Usage: massline simulate [plan] [units] [--profile <profile.json>] [--seed <seed>] [--out <dir>] [--lang zh|en] [--json]
  plan:   --campaign <id>          a live campaign's plan (and, unless units are given, its enrolment and groups)
          --plan <plan.json>       a plan as POST /api/campaigns takes it (parts left out take the seed calendar's)
          [--starts-at <time>]     where the seed calendar (or a partial plan) is anchored; default 2013-07-08, the seed's
          (neither: the seed calendar of 2013–14, both batches, 389 days)
  units:  --units <N>              N units in the seed's mix of kinds and levels, [--groups <G>] groups (default N/20)
          --units-csv <file>       an enrolment file: code, name, kind, level, batch (optional), group
          (neither with --campaign: its enrolment; otherwise --units 100)
  --profile <file>  the behaviour profile (JSON; what it leaves out takes the default — README "Rehearsing a campaign")
  --seed <seed>     the same input and seed give the same report, byte for byte (default 1)
  --out <dir>       where report.json, report.html and run.json go (default ./simulation-<seed>)
  --lang zh|en      the language of report.html (default zh)
  --input <file>    a complete input (plan, groups, units, profile, seed) as JSON, instead of the options above
  --progress json   progress as JSON lines on stdout instead of a bar (for programs)
  --scratch-server <url>  make the scratch database on this PostgreSQL (an admin URL; dropped after) instead of
                    a PostgreSQL of the simulator's own in a temporary folder
  --json            print the report's totals as JSON
Configuration: DATABASE_URL (to read --campaign). Needs Java 17+ (the test server is fetched with Maven once).`;

export interface SimulateIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}

const SPEC = {
  values: [
    'campaign',
    'plan',
    'starts-at',
    'units',
    'groups',
    'units-csv',
    'profile',
    'seed',
    'out',
    'lang',
    'input',
    'progress',
    'concurrency',
    'scratch-server',
  ],
  flags: ['json', 'keep-database', 'help'],
  positionals: 0,
};

const readJson = (file: string, what: string): unknown => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message}`);
  }
};

/** The input the options describe (a live campaign is read here, never written). */
export async function inputFromArgs(
  values: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
): Promise<SimulationInput> {
  if (values.input) return validateSimulationInput(readJson(values.input, '--input'));
  if (values.campaign && values.plan) throw new UsageError('give --campaign or --plan, not both');
  if ([values.units, values['units-csv']].filter(Boolean).length > 1) throw new UsageError('give --units or --units-csv, not both');
  let campaign: Awaited<ReturnType<CampaignSnapshotRepository['campaign']>>;
  if (values.campaign) {
    const config = loadConfig(env);
    const dataSource = createDataSource(config, { poolSize: 1, applicationName: 'massline-simulate' });
    await dataSource.initialize();
    try {
      campaign = await new CampaignSnapshotRepository(dataSource).campaign(values.campaign);
    } finally {
      await dataSource.destroy();
    }
    if (!campaign) throw new UsageError(`no campaign ${values.campaign}`);
  }
  const startsAt = values['starts-at'] ?? '2013-07-08T00:00:00+08:00';
  const plan = campaign
    ? campaign.plan
    : values.plan
      ? resolvePlan(readJson(values.plan, '--plan') as PlanInput, startsAt)
      : defaultPlan(startsAt);
  let units;
  if (values['units-csv']) units = unitsFromCsv(fs.readFileSync(values['units-csv'], 'utf8'));
  else if (values.units || !campaign) {
    const n = Number(values.units ?? 100);
    units = seedMixUnits(n, values.groups ? Number(values.groups) : defaultGroupCount(n));
  } else {
    if (!campaign.units.length) throw new UsageError(`campaign ${campaign.id} has no units enrolled; give --units or --units-csv`);
    units = checkUnits(campaign.units, 'units');
    units = { units: units.units, groups: [...new Set([...campaign.groups, ...units.groups])].sort() };
  }
  return validateSimulationInput({
    name: campaign?.name ?? 'rehearsal',
    plan,
    groups: units.groups,
    units: units.units,
    profile: resolveProfile(values.profile ? readJson(values.profile, '--profile') : undefined),
    seed: values.seed ?? '1',
  });
}

const seconds = (ms: number) =>
  ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.round(ms / 1000)} s`;

/** A progress bar with the simulated day and an ETA, on a terminal; JSON lines for programs. */
function progressReporter(io: SimulateIo, mode: 'bar' | 'json' | 'none') {
  const started = Date.now();
  let runningSince: number | undefined;
  let lastDraw = 0;
  return (p: SimulationProgress) => {
    const now = Date.now();
    if (p.stage === 'running') runningSince ??= now;
    const fraction = p.actionsTotal ? p.actionsDone / p.actionsTotal : 0;
    const etaMs = runningSince && fraction > 0.02 && fraction < 1 ? ((now - runningSince) / fraction) * (1 - fraction) : undefined;
    if (mode === 'json') {
      io.out.write(`${JSON.stringify({ ...p, elapsedMs: now - started, ...(etaMs !== undefined ? { etaMs: Math.round(etaMs) } : {}) })}\n`);
      return;
    }
    if (mode !== 'bar' || !io.err.isTTY) return;
    if (p.stage === 'running' && now - lastDraw < 100) return;
    lastDraw = now;
    const width = Math.max(10, Math.min(40, (io.err.columns ?? 80) - 70));
    const filled = Math.round(fraction * width);
    const stage =
      p.stage === 'preparing'
        ? `preparing (${p.note ?? ''})`
        : p.stage === 'running'
          ? `${p.at?.slice(0, 10)}`
          : p.stage === 'settling'
            ? 'closing the campaign'
            : p.stage;
    io.err.write(
      `\rsimulating ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(fraction * 100).toFixed(0)}% ${p.actionsDone}/${p.actionsTotal} actions · ${stage} · ${seconds(now - started)}${etaMs !== undefined ? ` · ETA ${seconds(etaMs)}` : ''}\x1b[K`,
    );
    if (p.stage === 'done') io.err.write('\n');
  };
}

export async function runSimulate(
  argv: string[],
  io: SimulateIo = { out: process.stdout, err: process.stderr, env: process.env },
): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, SPEC);
    if (args.flags.help) {
      io.out.write(`${SIMULATE_HELP}\n`);
      return 0;
    }
    if (args.values.lang && args.values.lang !== 'zh' && args.values.lang !== 'en') throw new UsageError('--lang is zh or en');
    if (args.values.progress && args.values.progress !== 'json') throw new UsageError('--progress takes json');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`massline simulate: ${e.message}\n\n${SIMULATE_HELP}\n`);
      return 2;
    }
    throw e;
  }
  let input: SimulationInput;
  try {
    input = await inputFromArgs(args.values, io.env);
  } catch (e) {
    if (e instanceof UsageError || e instanceof DomainError || e instanceof ConfigError) {
      io.err.write(`massline simulate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const out = path.resolve(args.values.out ?? `simulation-${input.seed}`);
  const json = args.values.progress === 'json';
  const onProgress = progressReporter(io, json ? 'json' : args.flags.json ? 'none' : 'bar');
  const log = (line: string) => (json ? io.out.write(`${JSON.stringify({ stage: 'log', note: line })}\n`) : io.err.write(`${line}\n`));
  if (!json) io.err.write(`massline simulate: ${input.units.length} units, ${input.groups.length} groups, seed ${input.seed}\n`);
  const { report, stats } = await runSimulation(input, {
    onProgress,
    log,
    keepDatabase: args.flags['keep-database'],
    ...(args.values['scratch-server'] ? { adminDatabaseUrl: args.values['scratch-server'] } : {}),
    ...(args.values.concurrency ? { concurrency: Number(args.values.concurrency) } : {}),
  });
  writeReport(out, report, stats, (args.values.lang ?? 'zh') as ReportLang);
  if (json) io.out.write(`${JSON.stringify({ stage: 'written', out, stats })}\n`);
  else if (args.flags.json) io.out.write(`${JSON.stringify({ out, totals: report.totals, stats }, null, 2)}\n`);
  else io.out.write(summaryText(out, report, stats));
  return 0;
}

/** The report as JSON and HTML, and the run's timings, in `out`. */
function writeReport(out: string, report: SimulationReport, stats: SimulationStats, lang: ReportLang): void {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'report.html'), renderReportHtml(report, { lang, echarts: echartsSource() }));
  fs.writeFileSync(path.join(out, 'run.json'), `${JSON.stringify(stats, null, 2)}\n`);
}

/** What the terminal shows when the simulation is done. */
function summaryText(out: string, report: SimulationReport, stats: SimulationStats): string {
  const t = report.totals;
  return [
    `simulated ${report.campaign.from} – ${report.campaign.to} in ${seconds(stats.prepareMs + stats.runMs + stats.settleMs + stats.reportMs)}`,
    `  rungs: ${t.rungs.reminder} reminders, ${t.rungs.yellow} yellow cards, ${t.rungs.red} red cards, ${t.rungs.referral} referrals`,
    `  meetings: ${t.meetings} (${t.meetingsInvalid} invalid), ${t.clashDays} days a group must be in two meetings at once`,
    `  report: ${path.join(out, 'report.html')} (and report.json)`,
    '',
  ].join('\n');
}

/** Apache ECharts, inlined into the HTML report (the report opens without a network). */
export function echartsSource(): string | undefined {
  try {
    return fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  } catch {
    return undefined;
  }
}
