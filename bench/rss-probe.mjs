// Preloaded into a measured `lectern` process (`node --import bench/rss-probe.mjs bin/lectern.js …`):
// at exit it writes the process's peak resident set (KB, worker threads included) to $BENCH_RSS_FILE.
import fs from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
