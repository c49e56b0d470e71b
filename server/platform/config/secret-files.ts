/**
 * `<NAME>_FILE` for secrets (Docker and Kubernetes secrets are files): when `<NAME>_FILE` is set,
 * `<NAME>` is read from that file (one trailing newline dropped). Setting both is an error, as is
 * a file that cannot be read or is empty; the message names the variable, never the value.
 * Applied to process.env at the start of the web, worker and start processes, before any
 * configuration is read.
 */
import fs from 'node:fs';
import { ConfigError } from './config';

/** The variables that may come from a file: every secret the processes read. */
export const SECRET_VARIABLES = [
  'PAYLOAD_KEYS',
  'PAYLOAD_KEY_CURRENT',
  'WORKFLOW_SIGNING_KEY',
  'WORKFLOW_SIGNING_KEYS_PREVIOUS',
  'DATABASE_URL',
  'ADMIN_API_TOKEN',
  'SMTP_URL',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
] as const;

export function applySecretFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const applied: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`  ${name}_FILE: set together with ${name}; set only one of them`);
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(
        `  ${name}_FILE: cannot read ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      continue;
    }
    const value = text.replace(/\r?\n$/, '');
    if (value.trim() === '') {
      problems.push(`  ${name}_FILE: ${JSON.stringify(file)} is empty`);
      continue;
    }
    env[name] = value;
    applied.push(name);
  }
  for (const k of Object.keys(env)) {
    if (
      k.endsWith('_FILE') &&
      env[k] &&
      !(SECRET_VARIABLES as readonly string[]).includes(k.slice(0, -5)) &&
      /^(PAYLOAD|WORKFLOW_SIGNING|DATABASE|ADMIN_API|SMTP|WEBHOOK|SESSION)_/.test(k)
    ) {
      problems.push(
        `  ${k}: not a variable that may come from a file (those are ${SECRET_VARIABLES.map((v) => `${v}_FILE`).join(', ')})`,
      );
    }
  }
  if (problems.length) throw new ConfigError(`invalid secret files:\n${problems.join('\n')}`);
  return applied;
}
