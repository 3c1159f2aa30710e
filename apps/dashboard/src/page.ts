import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './pageScript';

/** The dashboard's single page: markup, inline CSS and the inline script; no build step. */

const PAGE_STYLE = `
:root { --ink: #1d2330; --muted: #6b7385; --line: #e2e6ee; --bg: #f5f7fb; --card: #fff; --accent: #2f6fed;
  --ok: #1f9d55; --warn: #c27c0e; --bad: #d64545; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font-size: 14px; }
header { display: flex; align-items: center; gap: 12px; padding: 12px 24px; background: #141a26; color: #fff; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; letter-spacing: .02em; }
header .spacer { flex: 1; }
header #updated { color: #aab3c5; font-size: 12px; }
main { padding: 20px 24px; display: grid; gap: 20px; max-width: 1280px; margin: 0 auto; }
h2 { font-size: 15px; margin: 0 0 10px; }
#crawls { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 16px; }
.crawl { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; cursor: pointer; }
.crawl.selected { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(47,111,237,.15); }
.crawl .head { display: flex; align-items: center; gap: 8px; }
.crawl h3 { margin: 0; font-size: 16px; flex: 1; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 12px; background: #e9edf5; color: var(--ink); }
.badge.ok, .state-running, .health-ok { background: #e3f5ea; color: var(--ok); }
.badge.warn, .state-paused, .health-idle { background: #fdf1dc; color: var(--warn); }
.state-done { background: #e6eefc; color: var(--accent); }
.health-stalled, .health-no-worker, .health-outage, .health-ledger-unwritable, .health-redis-unreachable { background: #fbe4e4; color: var(--bad); }
.bar { display: flex; height: 10px; background: #e9edf5; border-radius: 5px; margin: 12px 0 4px; overflow: hidden; }
.bar .fill { height: 100%; width: 0; background: linear-gradient(90deg, #2f6fed, #4f9cf9); transition: width .4s ease; }
.bar .fail { height: 100%; width: 0; background: var(--bad); }
.percent { font-size: 12px; color: var(--muted); }
.figures { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px 12px; margin: 12px 0; }
.figures dt { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.figures dd { margin: 2px 0 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.adaptive { font-size: 13px; margin: 0 0 10px; }
.credentials { margin: 0 0 12px; }
.actions { display: flex; gap: 8px; }
button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { opacity: .45; cursor: default; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.detail { display: grid; grid-template-columns: 2fr 1fr; gap: 20px; }
#chart { width: 100%; height: 200px; }
#chart .grid { stroke: var(--line); }
#chart .axis { fill: var(--muted); font-size: 11px; }
#chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
#chart .area { fill: rgba(47,111,237,.12); }
#chart .muted, .muted { fill: var(--muted); color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
ul { margin: 0; padding-left: 18px; }
#notice { color: var(--bad); }
#notice:empty { display: none; }
.scroll { max-height: 360px; overflow: auto; }
@media (max-width: 900px) { .detail { grid-template-columns: 1fr; } .figures { grid-template-columns: repeat(3, 1fr); } }
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');

/** Only this page's own script and style may run; data is fetched from this origin only. */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${sha256(PAGE_SCRIPT)}'`,
  `style-src 'sha256-${sha256(PAGE_STYLE)}'`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Sluice dashboard</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>Sluice</h1>
  <span id="connection" class="badge warn">connecting</span>
  <span class="spacer"></span>
  <span id="updated"></span>
</header>
<main>
  <div id="notice" role="status"></div>
  <section>
    <h2>Crawls</h2>
    <p id="empty" class="muted" hidden>No crawls yet: start one with <code>sluice run &lt;spec&gt;</code>.</p>
    <div id="crawls"></div>
  </section>
  <section class="detail">
    <div class="panel">
      <h2>Throughput, items/s: <span id="detail-name"></span></h2>
      <svg id="chart" viewBox="0 0 720 200" preserveAspectRatio="none" role="img" aria-label="keys finished per second over the last hour"></svg>
    </div>
    <div class="panel">
      <h2>Errors by class (last 100)</h2>
      <ul id="errors-by-class"></ul>
    </div>
  </section>
  <section class="detail">
    <div class="panel">
      <h2>Failed keys (<span id="failed-count">0</span>)</h2>
      <div class="scroll"><table>
        <thead><tr><th>key</th><th>class</th><th>status</th><th>attempts</th><th>reason</th></tr></thead>
        <tbody id="failed-rows"></tbody>
      </table></div>
    </div>
    <div class="panel">
      <h2>Recent errors</h2>
      <div class="scroll"><table>
        <thead><tr><th>at</th><th>key</th><th>class</th><th>reason</th></tr></thead>
        <tbody id="recent-errors"></tbody>
      </table></div>
    </div>
  </section>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
