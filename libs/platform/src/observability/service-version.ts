import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of a service: that of the package.json nearest above `moduleUrl`, which the service
 * passes as its own `import.meta.url`. Not the main script's: under Jest that is Jest's package.
 */
export function serviceVersion(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
        if (typeof version === 'string') return version;
      } catch {
        // not a package file we can read: keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
