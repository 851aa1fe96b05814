// Preloaded by bench/startup.ts through NODE_OPTIONS (`--import`): every Node process of the
// launch (npm, then Herald) writes one line saying when it started and when it could first run
// code, so the bench can split the time before Herald's own first log line.
import { writeSync } from 'node:fs';

writeSync(
  2,
  `${JSON.stringify({
    startupMark: 'node-ready',
    pid: process.pid,
    argv: process.argv.slice(1),
    timeOrigin: performance.timeOrigin,
    time: Date.now(),
  })}\n`,
);
