import { once } from 'node:events';
import { checkBinding, DEFAULT_HOST, DEFAULT_PORT, startDashboard } from '@sluice/dashboard';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

export interface DashboardCommandOptions {
  /** Default 127.0.0.1; anything else needs a token. */
  host?: string;
  /** Default 8080. */
  port?: number;
  /** Overrides env SLUICE_DASHBOARD_TOKEN. */
  token?: string;
}

/**
 * `sluice dashboard [--host H] [--port P] [--token T]`: serves the dashboard until SIGINT or
 * SIGTERM, then exits 0. The token comes from `--token` or `SLUICE_DASHBOARD_TOKEN` and is
 * never printed.
 */
export async function dashboardCommand(options: DashboardCommandOptions, ctx: CommandContext): Promise<number> {
  const token = options.token ?? (ctx.env.SLUICE_DASHBOARD_TOKEN || undefined);
  // Refused before the database is opened (or created) or anything binds.
  checkBinding(options.host ?? DEFAULT_HOST, options.port ?? DEFAULT_PORT, token);
  return withEngine(ctx, async (engine) => {
    const dashboard = await startDashboard({ engine, host: options.host, port: options.port, token });
    try {
      ctx.stdout.write(`dashboard: ${dashboard.url}\n`);
      if (token !== undefined) {
        ctx.stdout.write('  a token is required: open the page as <url>?token=<token>, send `Authorization: Bearer <token>` to the API\n');
      }
      ctx.stdout.write(`  metrics: ${dashboard.url}metrics; stop with Ctrl-C\n`);
      if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
      return 0;
    } finally {
      await dashboard.close();
    }
  });
}
