/**
 * *_FILE variables (Docker and Kubernetes secrets): the value comes from the file; a bad setting
 * is refused naming the variable, never printing the secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadCodecKeys } from '../codec/aes-gcm';
import { applySecretFiles } from '../server/platform/config/secret-files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-secrets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const KEY = Buffer.alloc(32, 9).toString('base64');

describe('applySecretFiles', () => {
  test('When PAYLOAD_KEYS_FILE and WORKFLOW_SIGNING_KEY_FILE name files, then the variables get their contents (trailing newline dropped) and the codec loads the key', () => {
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'production',
      PAYLOAD_KEYS_FILE: file('keys', `k1:${KEY}\n`),
      WORKFLOW_SIGNING_KEY_FILE: file('sign', `${KEY}\n`),
      DATABASE_URL_FILE: file('db', 'postgres://app:pw@db/app'),
    };
    expect(applySecretFiles(env).sort()).toEqual(['DATABASE_URL', 'PAYLOAD_KEYS', 'WORKFLOW_SIGNING_KEY']);
    expect(env.PAYLOAD_KEYS).toBe(`k1:${KEY}`);
    expect(env.WORKFLOW_SIGNING_KEY).toBe(KEY);
    expect(env.DATABASE_URL).toBe('postgres://app:pw@db/app');
    expect(loadCodecKeys(env).current).toBe('k1');
  });

  test('When nothing is set, then nothing changes', () => {
    const env: NodeJS.ProcessEnv = { PAYLOAD_KEYS: 'a' };
    expect(applySecretFiles(env)).toEqual([]);
    expect(env).toEqual({ PAYLOAD_KEYS: 'a' });
  });

  test('When a file is missing, empty, set beside its variable, or the variable may not come from a file, then start is refused naming each variable and no secret is printed', () => {
    const env: NodeJS.ProcessEnv = {
      PAYLOAD_KEYS_FILE: path.join(dir, 'absent'),
      WORKFLOW_SIGNING_KEY_FILE: file('empty', '\n'),
      ADMIN_API_TOKEN: 'secret-token-value-123456789',
      ADMIN_API_TOKEN_FILE: file('token', 'other-token-value-123456789'),
      SESSION_SECRET_FILE: file('session', 'x'),
    };
    let message = '';
    try {
      applySecretFiles(env);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      [
        'invalid secret files:',
        `  PAYLOAD_KEYS_FILE: cannot read "${path.join(dir, 'absent')}" (ENOENT)`,
        `  WORKFLOW_SIGNING_KEY_FILE: "${path.join(dir, 'empty')}" is empty`,
        '  ADMIN_API_TOKEN_FILE: set together with ADMIN_API_TOKEN; set only one of them',
        '  SESSION_SECRET_FILE: not a variable that may come from a file (those are PAYLOAD_KEYS_FILE, PAYLOAD_KEY_CURRENT_FILE, WORKFLOW_SIGNING_KEY_FILE, WORKFLOW_SIGNING_KEYS_PREVIOUS_FILE, DATABASE_URL_FILE, ADMIN_API_TOKEN_FILE, SMTP_URL_FILE, WEBHOOK_URL_FILE, WEBHOOK_SECRET_FILE)',
      ].join('\n'),
    );
    expect(message).not.toContain('token-value');
  });
});
