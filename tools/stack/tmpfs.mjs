// A small tmpfs to run out of space on (npm run chaos pg-disk-full / kafka-disk-full): mounted in this
// machine's own mount namespace, so the server started on it later sees it wherever it runs (a
// broker restarted after it shut itself down included); it needs root, and is unmounted at the end.
// Space runs out with ballast files that take every free byte, and comes back when they are deleted.
//
//   const disk = mountTmpfs({ dir: '/tmp/cie-disk', sizeMb: 256 });
//   disk.fill();     // 0 bytes free
//   disk.release();  // the ballast deleted: the space is back
//   disk.unmount();

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BALLAST = '.ballast';

/** Whether `dir` is a mount point (an earlier run that did not clean up leaves one behind). */
function isMountPoint(dir) {
  const target = path.resolve(dir);
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === target);
}

/**
 * Unmounts `dir` if something is mounted there; a no-op otherwise. A server that has just exited may
 * hold it a moment longer (a JVM's threads outlive its main one): tried for 10 s, then detached
 * lazily (`umount -l`: gone from the tree now, freed once the last user lets go).
 */
export function unmountTmpfs(dir) {
  for (let i = 0; fs.existsSync(dir) && isMountPoint(dir); i++) {
    try {
      execFileSync('umount', i < 20 ? [dir] : ['-l', dir], { stdio: 'pipe' });
    } catch (error) {
      if (i >= 20) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

/** Mounts a fresh, empty tmpfs of `sizeMb` on `dir` (created if missing; anything mounted there first is unmounted). */
export function mountTmpfs({ dir, sizeMb, mode = '0755' }) {
  if (process.getuid?.() !== 0) throw new Error('tmpfs: mounting a tmpfs needs root');
  unmountTmpfs(dir);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=${mode}`, 'tmpfs', dir], {
    stdio: 'pipe',
  });
  const ballast = path.join(dir, BALLAST);
  const free = () => {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    /** Bytes free now. */
    free,
    /**
     * Takes every free byte: from now on a write that needs a new block fails with ENOSPC. The server
     * on the disk writes meanwhile, so a ballast of what was free a moment ago may no longer fit: each
     * try takes what is free now, in a file of its own, until nothing is.
     */
    fill() {
      for (let i = 0; i < 100 && free() > 0; i++) {
        const file = `${ballast}.${i}`;
        try {
          execFileSync('fallocate', ['-l', String(free()), file], { stdio: 'pipe' });
        } catch {
          fs.rmSync(file, { force: true }); // it did not fit any more: the next try takes less
        }
      }
      return free();
    },
    /** Gives the space back. */
    release() {
      for (const f of fs.readdirSync(dir)) if (f.startsWith(BALLAST)) fs.rmSync(path.join(dir, f));
    },
    unmount: () => unmountTmpfs(dir),
  };
}
