/**
 * The package's own folder and version: the nearest parent of this module with a
 * package.json (src/util or dist/util, in a clone or an installed package).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

let version: string | undefined;

/** The package.json version ('0.0.0' when it cannot be read). */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      const v = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
      version = typeof v === 'string' ? v : '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}
