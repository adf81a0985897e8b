import fs from 'node:fs';
import path from 'node:path';
import { appServices, consoleService, ROOT } from './support.js';

// No published schema exists for Dockerfiles; these are the properties the issue asks of the image.
const dockerfile = fs.readFileSync(path.join(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const named = (keyword: string): string[] =>
  instructions
    .filter((l) => l.toUpperCase().startsWith(`${keyword} `))
    .map((l) => l.slice(keyword.length + 1).trim());

describe('deploy/docker/Dockerfile', () => {
  it('is multi-stage on Node 24 slim', () => {
    expect(named('ARG')).toContain('NODE_IMAGE=node:24-slim');
    expect(named('FROM').length).toBeGreaterThanOrEqual(2);
    for (const from of named('FROM')) expect(from).toMatch(/^\$\{NODE_IMAGE\}( AS [a-z-]+)?$/);
  });

  it('runs as a numeric non-root user, so Kubernetes can verify runAsNonRoot', () => {
    const users = named('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    // USER comes after the last FROM: it applies to the final image.
    expect(instructions.lastIndexOf(`USER ${users[0]}`)).toBeGreaterThan(
      instructions.findLastIndex((l) => l.startsWith('FROM ')),
    );
  });

  it('installs production dependencies only in the final image', () => {
    const runtimeInstall = named('RUN').find((r) => r.includes('--omit=dev'));
    expect(runtimeInstall).toMatch(/npm install .*--omit=dev .*--workspace "@cie\/\$\{SERVICE\}"/);
  });

  it('checks health on /health/live with node (no curl in slim)', () => {
    const [check] = named('HEALTHCHECK');
    expect(check).toMatch(/CMD \["node", "-e", ".*\/health\/live/);
  });

  it('builds every service of the stack: each has the tsconfig and entry point the image uses', async () => {
    for (const { service } of await appServices()) {
      const dir = path.join(ROOT, 'services', service);
      expect({ service, tsconfig: fs.existsSync(path.join(dir, 'tsconfig.app.json')) }).toEqual({
        service,
        tsconfig: true,
      });
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name: string;
        main: string;
      };
      expect(pkg).toMatchObject({ name: `@cie/${service}`, main: 'dist/main.js' });
    }
  });

  it('builds the console too, and ships what a service reads beside its dist/ (catalogue, public assets)', async () => {
    const { service } = await consoleService();
    expect(fs.existsSync(path.join(ROOT, 'services', service, 'tsconfig.app.json'))).toBe(true);
    const copy = named('RUN').find((r) => r.includes('/out/dist/'));
    for (const data of ['catalogue', 'public']) {
      expect(copy).toMatch(new RegExp(`for data in [a-z ]*\\b${data}\\b`));
      // And the folder is where the service looks for it.
      const owner = data === 'public' ? 'console' : 'exchange';
      expect({ owner, data, exists: fs.existsSync(path.join(ROOT, 'services', owner, data)) }).toEqual({
        owner,
        data,
        exists: true,
      });
    }
    expect(copy).toContain('cp -r --parents "services/${SERVICE}/${data}" /out/dist/');
  });

  it('is accompanied by a .dockerignore that keeps node_modules and build output out of the context', () => {
    const ignore = fs.readFileSync(path.join(ROOT, 'deploy/docker/Dockerfile.dockerignore'), 'utf8');
    for (const entry of ['**/node_modules', '**/dist', '.git']) expect(ignore.split('\n')).toContain(entry);
  });
});
