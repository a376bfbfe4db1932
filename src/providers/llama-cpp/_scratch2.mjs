const m = await import('node-llama-cpp');
let t=Date.now();
const l = await m.getLlama({ build: 'never', gpu: false, progressLogs: false, skipDownload: true, logLevel: 'error', dryRun: true });
console.log('dry', Date.now()-t, l.disposed);
