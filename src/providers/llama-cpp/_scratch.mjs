import { getLlama } from 'node-llama-cpp';
const mt = Number(process.argv[2] ?? 0), ct = Number(process.argv[3] ?? 0);
const llama = await getLlama({ build: 'never', gpu: false, progressLogs: false, skipDownload: true, ...(mt ? {maxThreads: mt} : {}) });
const model = await llama.loadModel({ modelPath: '/work/shared/fixtures/models/llama-2-tiny-random.gguf' });
const ctx = await model.createContext({ contextSize: 512, sequences: 1, ...(ct ? {threads: ct} : {}) });
console.log('threads', ctx.currentThreads, llama.maxThreads);
const seq = ctx.getSequence();
let t=Date.now();
const toks = model.tokenize('Hello there');
let n=0; const times=[];
let last=Date.now();
for await (const tok of seq.evaluate(toks, {})) { times.push(Date.now()-last); last=Date.now(); if (++n>=20) break; }
console.log('eval', Date.now()-t, times.join(','));
