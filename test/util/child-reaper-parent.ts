// A test file's stand-in for test/util/child-reaper.test.ts: starts a long-lived child registered with the reaper, prints its pid, waits.
import { spawn } from 'node:child_process';
import { reaped } from '../helpers/child-reaper.js';

const child = reaped(spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' }));
process.stdout.write(`${child.pid}\n`);
setInterval(() => {}, 1000);
