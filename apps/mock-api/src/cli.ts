import { mockApiHelp, parseMockApiConfig } from './cliConfig';
import { startMockApi } from './server';

/** What the command needs from its surroundings, so tests can run it in-process. */
export interface MockApiCliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  /** Aborting it (SIGINT/SIGTERM in `main.ts`) closes the server and resolves the command. */
  signal: AbortSignal;
}

/** The `mock-api` command: serves until `signal` aborts. Throws ConfigError on bad settings. */
export async function runMockApiCli(argv: readonly string[], context: MockApiCliContext): Promise<void> {
  const config = parseMockApiConfig(argv, context.env);
  if (config.help) {
    context.stdout.write(mockApiHelp());
    return;
  }
  if (context.signal.aborted) return;
  const api = await startMockApi(config.options);
  context.stdout.write(`mock-api listening on ${api.url}\n`);
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    else context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await api.close();
}
