/** Reading a study file for `cohort focus-groups run`: a parse error shows where, with the lines. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { readStudyFile } from '../../src/cli/focus-groups.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/app.js';

const dir = tempDir('cohort-study-file-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a study file that cannot be parsed', () => {
  it('YAML: the message, then the excerpt and its caret (no dangling colon)', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'name: x\nquestions:\n  - type: nps\n text: bad\n');
    assert.throws(
      () => readStudyFile(file),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.message, `${file} is not valid YAML: All mapping items must start at the same column at line 4, column 1:\n\n    - type: nps\n   text: bad\n  ^`);
        return true;
      },
    );
  });

  it('JSON: one line, as the parser says it', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"name": }');
    assert.throws(
      () => readStudyFile(file),
      (err: unknown) => err instanceof UsageError && /^.*bad\.json is not valid JSON: Unexpected token .*[^:]$/.test(err.message),
    );
  });

  it('the command prints it whole, then how to get help (exit 2)', async () => {
    const file = path.join(dir, 'bad.yaml');
    let err = '';
    const code = await main(['focus-groups', 'run', file], { out: () => {}, err: (t) => void (err += t), env: { COHORT_API_KEY: 'mvra_test_x' } });
    assert.equal(code, 2);
    assert.equal(
      err,
      `cohort: ${file} is not valid YAML: All mapping items must start at the same column at line 4, column 1:\n\n    - type: nps\n   text: bad\n  ^\nRun 'cohort focus-groups --help' for usage.\n`,
    );
  });
});
