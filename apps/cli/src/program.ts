import { Command, InvalidArgumentError, Option } from 'commander';
import cliPackage from '../package.json';
import { failedCommand, pauseCommand, resumeCommand, retryFailedCommand } from './commands/control';
import { crawlCreateCommand } from './commands/crawlCreate';
import { crawlListCommand } from './commands/crawlList';
import { dashboardCommand } from './commands/dashboard';
import { enqueueCommand } from './commands/enqueue';
import { exportCommand } from './commands/export';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { workCommand } from './commands/work';
import { waitingWorkCommand } from './commands/workWait';
import type { CliContext, CommandContext } from './context';
import { DEFAULT_DB, DEFAULT_REDIS, type GlobalFlags, resolveGlobalOptions } from './globalOptions';
import { assertLedgerExists } from './ledgerCheck';
import { createLogger } from './logger';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

const SPEC_HELP = `
Crawl spec (JSON or YAML):
  {
    "name": "colours-demo",
    "keys": { "range": { "from": 0, "to": 99999, "format": "hex6" } },
    "request": { "url": "http://127.0.0.1:8787/id?hex={key}" },
    "limits": { "concurrency": 100, "perSecond": 0 },
    "retry": { "attempts": 5, "baseDelayMs": 200, "maxDelayMs": 30000 }
  }
  keys: {"range": {from, to, format: "hex6"|"decimal"}} | {"file": "path", "column"?: "csv column"} | {"list": [...]}
  {key} in the URL is the URL-encoded key; {env.NAME} an environment variable, read at request time.`;

const EXIT_HELP = `
Exit codes: 0 done, 1 finished with failures, 2 bad usage or spec, 3 Redis/SQLite unreachable.
Environment: SLUICE_DB, REDIS_URL, SLUICE_PREFIX, SLUICE_LOG_FORMAT.`;

/**
 * The `sluice` command tree. Each action resolves global options, then calls one command
 * function; the exit code it returns is stored in `result.code`.
 */
/** Flags of `sluice work`, as commander hands them over. */
interface WorkFlags {
  progress: boolean;
  produce: boolean;
  concurrency?: number;
  json?: boolean;
  wait?: boolean;
}

export function buildProgram(cli: CliContext, result: { code: number }): Command {
  const program = new Command('sluice')
    .description('Crash-safe, rate-limited bulk downloads from HTTP APIs into SQLite, dispatched through Redis.')
    .option('--db <file|url>', `ledger: SQLite file or postgres:// URL (env SLUICE_DB; default ${DEFAULT_DB})`)
    .option('--redis <url>', `Redis URL (env REDIS_URL; default ${DEFAULT_REDIS})`)
    .option('--prefix <prefix>', 'prefix of every Redis key (env SLUICE_PREFIX; default sluice)')
    .addOption(new Option('--log-format <format>', 'log lines on stderr as text or json (env SLUICE_LOG_FORMAT)').choices(['text', 'json']))
    .option('-v, --verbose', 'show stack traces on errors')
    .version(cliPackage.version, '-V, --version', 'print the version of sluice')
    // Before any subcommand is added: each copies the help settings, so every command's --help
    // lists the global options (--db, --redis, …) it accepts too.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `${SPEC_HELP}\n${EXIT_HELP}`)
    .configureOutput({ writeOut: (s) => cli.stdout.write(s), writeErr: (s) => cli.stderr.write(s) })
    .exitOverride();

  const context = (): CommandContext => {
    const options = resolveGlobalOptions(program.opts<GlobalFlags>(), cli.env, cli.cwd);
    return { ...cli, options, log: createLogger(cli.stderr, options.logFormat) };
  };
  /**
   * The action of a command. Only commands that say so (`run`, `crawl create`) may create the
   * ledger; every other one refuses a missing ledger before opening anything, unless its
   * arguments say it waits for one (`work --wait`).
   */
  const act =
    <A extends unknown[]>(
      fn: (ctx: CommandContext, ...args: A) => Promise<number>,
      options: { createsLedger?: boolean; waitsForLedger?: (...args: A) => boolean } = {},
    ) =>
    async (...args: A) => {
      const ctx = context();
      const mayLackLedger = options.createsLedger === true || options.waitsForLedger?.(...args) === true;
      if (!mayLackLedger) assertLedgerExists(ctx.options.db);
      result.code = await fn(ctx, ...args);
    };

  program
    .command('run')
    .description('create the crawl (or find the one with the same name), enqueue and work until every key is done')
    .argument('<spec>', 'crawl spec file (.json, .yaml)')
    .option('--no-progress', 'no live progress line (it is shown only on a TTY anyway)')
    .option('-c, --concurrency <n>', 'requests in flight in this process (overrides limits.concurrency)', positiveInt)
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', SPEC_HELP)
    .action(
      act(
        (ctx, spec: string, o: { progress: boolean; concurrency?: number; json?: boolean }) =>
          runCommand(spec, { progress: o.progress, concurrency: o.concurrency, json: o.json ?? false }, ctx),
        { createsLedger: true },
      ),
    );

  const crawl = program.command('crawl').description('manage crawls');
  crawl
    .command('create')
    .description('store a crawl from a spec and print its id (nothing is fetched)')
    .argument('<spec>', 'crawl spec file (.json, .yaml)')
    .option('--json', 'print {id, name, total, created} as JSON')
    .action(
      act((ctx, spec: string, o: { json?: boolean }) => crawlCreateCommand(spec, { json: o.json ?? false }, ctx), { createsLedger: true }),
    );
  crawl
    .command('list')
    .description('every crawl of the ledger: name, id, state, done/total, created')
    .option('--json', 'an array of {id, name, state, total, done, failed, createdAt}')
    .action(act((ctx, o: { json?: boolean }) => crawlListCommand({ json: o.json ?? false }, ctx)));

  program
    .command('enqueue')
    .description("act as the producer: feed the crawl's keys into Redis until all are enqueued (workers also do this by themselves)")
    .argument('<crawl>', 'crawl id or name')
    .action(act((ctx, ref: string) => enqueueCommand(ref, ctx)));

  program
    .command('work')
    .description('fetch keys of a crawl until it is complete; run several at once, in other terminals or on other hosts')
    .argument('<crawl>', 'crawl id or name')
    .option('-c, --concurrency <n>', 'requests in flight in this process (overrides limits.concurrency)', positiveInt)
    .option('--no-progress', 'no live progress line')
    .option('--no-produce', 'only fetch; never act as the producer (leave that to `sluice enqueue` or other workers)')
    .option('--json', 'print the summary as JSON')
    .option(
      '--wait',
      'never exit on its own (for containers): wait for the crawl to be created, and when it is done, for keys to become pending again',
    )
    .action(
      act(
        (ctx, ref: string, o: WorkFlags) => {
          const options = { progress: o.progress, produce: o.produce, concurrency: o.concurrency, json: o.json ?? false };
          return o.wait ? waitingWorkCommand(ref, options, ctx) : workCommand(ref, options, ctx);
        },
        { waitsForLedger: (_ref, o) => o.wait === true },
      ),
    );

  program
    .command('status')
    .description('progress of one crawl or all crawls, from the ledger (SQLite) and the queue (Redis)')
    .argument('[crawl]', 'crawl id or name (default: all crawls)')
    .option('--json', 'machine-readable: an object for one crawl, an array for all')
    .option(
      '--watch',
      'print again every interval until Ctrl-C: in place on a TTY, timestamped blocks otherwise, one JSON line each with --json',
    )
    .option('--interval <ms>', 'with --watch: milliseconds between updates (default 2000, at least 100)', positiveInt)
    .addHelpText('after', '\nThe JSON fields are documented in docs/monitoring.md, section "JSON fields".')
    .action(
      act((ctx, ref: string | undefined, o: { json?: boolean; watch?: boolean; interval?: number }) =>
        statusCommand(ref, { json: o.json ?? false, watch: o.watch ?? false, intervalMs: o.interval }, ctx),
      ),
    );

  program
    .command('export')
    .description("stream a crawl's results in key order, as JSON lines or CSV")
    .argument('<crawl>', 'crawl id or name')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to a file (written under a temporary name, then renamed) instead of stdout')
    .option('--fields <list>', 'CSV only: comma-separated body fields to flatten into columns, e.g. hex.value,name.value,rgb.r')
    .addHelpText('after', '\nJSONL lines: {"key", "position", "status", "body", "attempts", "fetchedAt"} with body the parsed JSON.')
    .action(act((ctx, ref: string, o: { format: string; out?: string; fields?: string }) => exportCommand(ref, o, ctx)));

  program
    .command('pause')
    .description('pause a crawl: workers finish requests in flight and start no new ones')
    .argument('<crawl>', 'crawl id or name')
    .action(act((ctx, ref: string) => pauseCommand(ref, ctx)));

  program
    .command('resume')
    .description('resume a crawl and reconcile it: re-enqueue every key missing from the ledger (also after Redis lost its data)')
    .argument('<crawl>', 'crawl id or name')
    .option('--json', 'print {name, missing, redis} as JSON')
    .action(act((ctx, ref: string, o: { json?: boolean }) => resumeCommand(ref, { json: o.json ?? false }, ctx)));

  program
    .command('retry-failed')
    .description('make the failed keys of a crawl pending again, to be fetched by the workers')
    .argument('<crawl>', 'crawl id or name')
    .option('--json', 'print {name, retried} as JSON')
    .action(act((ctx, ref: string, o: { json?: boolean }) => retryFailedCommand(ref, { json: o.json ?? false }, ctx)));

  program
    .command('failed')
    .description('list the failed keys of a crawl with their reasons')
    .argument('<crawl>', 'crawl id or name')
    .option('--json', 'an array of {key, position, errorClass, reason, status, attempts, failedAt}')
    .option('--limit <n>', 'at most this many', positiveInt)
    .action(
      act((ctx, ref: string, o: { json?: boolean; limit?: number }) => failedCommand(ref, { json: o.json ?? false, limit: o.limit }, ctx)),
    );

  program
    .command('dashboard')
    .description('serve a web dashboard (live progress, throughput, errors, failed keys, pause/resume) and /metrics until Ctrl-C')
    .option('--host <host>', 'interface to bind; anything but loopback requires a token', '127.0.0.1')
    .option(
      '--port <port>',
      'TCP port (0 picks a free one)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a port 0..65535');
        return n;
      },
      8080,
    )
    .option('--token <token>', 'require this bearer token on every request (env SLUICE_DASHBOARD_TOKEN; at least 16 characters)')
    .addHelpText(
      'after',
      '\nAPI: GET /api/crawls, /api/crawls/:crawl, /api/crawls/:crawl/failed, /api/crawls/:crawl/rate, /api/events (SSE);\n' +
        'POST /api/crawls/:crawl/pause|resume|retry-failed; GET /metrics (Prometheus text format).',
    )
    .action(act((ctx, o: { host: string; port: number; token?: string }) => dashboardCommand(o, ctx)));

  return program;
}
