// Preloaded (`node --require`) into every process the bench times. At exit it writes the
// process's exact CPU time to the file named by BENCH_CPU_OUT (sampling /proc misses up to the
// last 100 ms), together with the CPU it had used when its first request to BENCH_API_ORIGIN
// was created: the start-up (loading code, opening the ledger, connecting to Redis) that a
// crawl pays once, whatever its size. It listens on undici's diagnostics channel only until
// that first request, so the requests that follow publish nothing.
const { writeFileSync } = require('node:fs');
const diagnostics = require('node:diagnostics_channel');

const out = process.env.BENCH_CPU_OUT;
const apiOrigin = process.env.BENCH_API_ORIGIN ? new URL(process.env.BENCH_API_ORIGIN).origin : undefined;

if (out) {
  const cpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let firstRequestCpuMs = null;
  const onCreate = ({ request }) => {
    // undici keeps the origin as given: a string or a URL.
    if (firstRequestCpuMs !== null || new URL(String(request.origin)).origin !== apiOrigin) return;
    firstRequestCpuMs = cpuMs();
    // Deferred: a channel may not lose a subscriber while it publishes to it.
    setImmediate(() => diagnostics.unsubscribe('undici:request:create', onCreate));
  };
  if (apiOrigin) diagnostics.subscribe('undici:request:create', onCreate);
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ cpuMs: cpuMs(), firstRequestCpuMs }));
  });
}
