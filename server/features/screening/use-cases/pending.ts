/**
 * A screening file between its preview and the confirmed import: it waits under the upload
 * directory, named by a random token and bound to the user who uploaded it; stale ones (over a
 * day) go when the next file is kept. Only the uploader may take it back.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SessionUser } from '../../../platform/auth/context';

const STALE_MS = 86_400_000;
const TOKEN = /^[0-9a-f]{32}$/;

export interface PendingImports {
  /** Keeps the file for its uploader; returns the token of the confirm form. */
  keep(user: SessionUser, bytes: Buffer, fileName: string): Promise<string>;
  /** The file and its name, if the token is one of this user's files still kept. */
  take(user: SessionUser, token: unknown): Promise<{ bytes: Buffer; name: string } | undefined>;
  /** Drops the file once imported. */
  drop(token: string): Promise<void>;
}

/** `dir`: the pending files' directory; `now`: the clock (a file is stale by it and by the wall clock). */
export function pendingImports(dir: string, now: () => number): PendingImports {
  async function dropStale(): Promise<void> {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const n of names) {
      const st = await fs.stat(path.join(dir, n)).catch(() => undefined);
      if (st && now() - st.mtimeMs > STALE_MS && Date.now() - st.mtimeMs > STALE_MS)
        await fs.rm(path.join(dir, n), { force: true });
    }
  }
  return {
    async keep(user, bytes, fileName) {
      await fs.mkdir(dir, { recursive: true });
      await dropStale();
      const token = randomBytes(16).toString('hex');
      await fs.writeFile(path.join(dir, token), bytes);
      await fs.writeFile(
        path.join(dir, `${token}.json`),
        JSON.stringify({ userId: user.id, name: fileName.slice(0, 200) }),
      );
      return token;
    },
    async take(user, token) {
      const t = typeof token === 'string' ? token : '';
      const meta = TOKEN.test(t)
        ? ((await fs
            .readFile(path.join(dir, `${t}.json`), 'utf8')
            .then((x) => JSON.parse(x) as { userId: string; name: string })
            .catch(() => undefined)) ?? undefined)
        : undefined;
      if (!meta || meta.userId !== user.id) return undefined;
      return { bytes: await fs.readFile(path.join(dir, t)), name: meta.name };
    },
    async drop(token) {
      await fs.rm(path.join(dir, token), { force: true });
      await fs.rm(path.join(dir, `${token}.json`), { force: true });
    },
  };
}
