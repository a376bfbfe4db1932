/**
 * The TypeScript examples of the documentation type-check under `--strict`
 * against each `openai` version we test with: openai 7 and the `openai6` alias.
 * (They run against a server in examples-run.test.ts.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ALL, ROOT, run, where, workDir } from './doc-blocks.js';

describe('TypeScript examples in the documentation', () => {
  it('TypeScript: type-checks under --strict with openai 7 and openai 6', () => {
    const ts = ALL.filter((b) => b.lang === 'ts');
    assert.ok(ts.length >= 2);
    const dir = workDir('ts');
    const files = ts.map((b, i) => {
      const f = path.join(dir, `example-${i}.ts`);
      fs.writeFileSync(f, `// ${where(b)}\n${b.body}\nexport {};\n`);
      return f;
    });
    for (const openai of ['openai', 'openai6']) {
      const tsconfig = {
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules/@types')],
          paths: { openai: [path.join(ROOT, 'node_modules', openai)], 'openai/*': [path.join(ROOT, 'node_modules', openai, '*')] },
        },
        files,
      };
      const config = path.join(dir, `tsconfig.${openai}.json`);
      fs.writeFileSync(config, JSON.stringify(tsconfig, null, 2));
      const r = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { timeout: 120_000 });
      assert.equal(r.code, 0, `with ${openai}:\n${r.out}${r.err}`);
    }
  });
});
