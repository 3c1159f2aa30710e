/**
 * One AbortController wired to SIGINT/SIGTERM: the first signal asks every running command to
 * stop gracefully (in-flight keys return to the queue, the writer flushes); a second signal
 * exits at once. Nothing is lost either way: the ledger only holds committed rows and Redis
 * gives unacknowledged batches back.
 */
export function installShutdown(stderr: NodeJS.WritableStream, exit: (code: number) => void = process.exit): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      stderr.write(`\n${signal} again: exiting now\n`);
      exit(130);
      return;
    }
    stderr.write(`\n${signal}: finishing in-flight work and exiting (press Ctrl-C again to exit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}
