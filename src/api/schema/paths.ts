// Where the generated definitions live and where kubernetes-types is installed.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this module holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** dist/schema/definitions.json, written by the build. */
export function definitionsPath(): string {
  return join(packageRoot(), 'dist', 'schema', 'definitions.json');
}

/** The installed kubernetes-types package folder. */
export function kubernetesTypesDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('kubernetes-types/package.json'));
}
