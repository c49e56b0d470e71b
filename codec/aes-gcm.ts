/**
 * Payload codec: every Temporal payload (workflow and activity arguments, results, signals,
 * updates, queries, memos) leaves this process encrypted with AES-256-GCM, so the Temporal
 * server, its database and the Web UI see only ciphertext (docs/adr/0003-payload-codec.md; PIPL treats
 * student health data as sensitive). Search attributes are not payload-encoded: they stay opaque
 * ids (see temporal-dev.sh).
 *
 *   encoded payload: metadata { encoding: 'binary/encrypted', 'encryption-key-id': <id> }
 *                    data     = iv (12 bytes) | ciphertext | GCM tag (16 bytes)
 *   plaintext      = temporal.api.common.v1.Payload.encode(original).finish() (metadata included)
 *
 * Key rotation: new payloads use `current`; a payload decodes with the key its metadata names,
 * so old histories stay readable while their key is still configured.
 *
 * Crypto-shredding (codec/student-keys.ts): given a keyring, the payloads of a student's care
 * workflows (known from the SDK's serialization context) are encrypted with that student's key,
 * key id `student:<opaque id>`, which the purge destroys.
 *
 * Configuration: PAYLOAD_KEYS=id:base64key[,id:base64key…] (32-byte keys), PAYLOAD_KEY_CURRENT=id.
 * Unset outside production: a development key generated once into data/payload-dev-key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  METADATA_ENCODING_KEY,
  type DataConverter,
  type Payload,
  type PayloadCodec,
  type SerializationContext,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from '../domain/zod';
import { ConfigError, ROOT } from '../server/platform/config/config';
import { STUDENT_KEY_PREFIX, type StudentKeyring } from './student-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
/** Key id of the local development key: clearly not a production key in any history. */
export const DEV_KEY_ID = 'dev-local-insecure';
export const DEV_KEY_FILE = path.join(ROOT, 'data', 'payload-dev-key');

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface CodecKeys {
  /** id of the key new payloads are encrypted with */
  current: string;
  /** every key that may still be needed to decode, by id */
  keys: Record<string, Buffer>;
}

const utf8 = new TextEncoder();
const fromUtf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class AesGcmCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: string;

  /** the per-student keys (crypto-shredding); without it every payload uses the payload keys */
  private readonly students: StudentKeyring | undefined;

  constructor(config: CodecKeys, students?: StudentKeyring) {
    this.students = students;
    this.keys = new Map(Object.entries(config.keys));
    for (const [id, key] of this.keys) {
      if (key.length !== KEY_BYTES)
        throw new Error(`payload key "${id}" must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    if (!this.keys.has(config.current))
      throw new Error(`current payload key "${config.current}" is not among the configured keys`);
    this.current = config.current;
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const student = context?.workflowId && this.students ? await this.students.forWorkflow(context.workflowId) : null;
    const keyId = student?.keyId ?? this.current;
    const key = student?.key ?? this.keys.get(this.current)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
          [METADATA_KEY_ID]: utf8.encode(keyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const payload of payloads) {
      // Payloads written before the codec (or by another codec) pass through unchanged.
      if (fromUtf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) {
        out.push(payload);
        continue;
      }
      const keyId = fromUtf8(payload.metadata?.[METADATA_KEY_ID]);
      if (!keyId) throw new Error(`encrypted payload has no ${METADATA_KEY_ID} metadata`);
      out.push(decrypt(payload, keyId, await this.keyOf(keyId)));
    }
    return out;
  }

  private async keyOf(keyId: string): Promise<Buffer> {
    if (keyId.startsWith(STUDENT_KEY_PREFIX)) {
      if (!this.students)
        throw new Error(`cannot decrypt payload: key id "${keyId}" is a student's key and this process has no keyring`);
      return this.students.byKeyId(keyId);
    }
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`cannot decrypt payload: unknown payload key id "${keyId}" (add it to PAYLOAD_KEYS)`);
    return key;
  }
}

function decrypt(payload: Payload, keyId: string, key: Buffer): Payload {
  const data = Buffer.from(payload.data ?? []);
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`cannot decrypt payload (key id "${keyId}"): data too short`);
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // GCM authentication failed; node's message ("unable to authenticate data") is vague
    throw new Error(`cannot decrypt payload (key id "${keyId}"): authentication failed (altered data or wrong key)`);
  }
  return temporal.api.common.v1.Payload.decode(plain);
}

export function createCodec(keys: CodecKeys, students?: StudentKeyring): AesGcmCodec {
  return new AesGcmCodec(keys, students);
}

/** The failure converter module (codec/failure-converter.ts): pass it to `bundleWorkflowCode` too. */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, 'failure-converter.js');

/**
 * For `Worker.create({ dataConverter })` and `new Client({ dataConverter })`: both must use it.
 * Failures' messages and stack traces are encoded attributes, encrypted with the payloads.
 */
export function codecDataConverter(keys: CodecKeys, students?: StudentKeyring): DataConverter {
  return { payloadCodecs: [createCodec(keys, students)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

// ---------------------------------------------------------------------------------------------
// Configuration. Error messages name the variable and the entry, never a key.

const keyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key ids are 1–64 letters, digits, ".", "_" or "-"');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PAYLOAD_KEYS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        const keys: Record<string, Buffer> = {};
        value.split(',').forEach((raw, i) => {
          const entry = raw.trim();
          const colon = entry.indexOf(':');
          const where = `entry ${i + 1}`;
          if (colon < 0) return ctx.addIssue({ code: 'custom', message: `${where} must be id:base64key` });
          const id = entry.slice(0, colon);
          const b64 = entry.slice(colon + 1);
          const idCheck = keyId.safeParse(id);
          if (!idCheck.success)
            return ctx.addIssue({ code: 'custom', message: `${where}: ${idCheck.error.issues[0]!.message}` });
          if (id in keys) return ctx.addIssue({ code: 'custom', message: `${where}: key id "${id}" appears twice` });
          const key = Buffer.from(b64, 'base64');
          // Buffer.from skips characters that are not base64, so check the text itself too
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length !== KEY_BYTES) {
            return ctx.addIssue({
              code: 'custom',
              message: `${where} (key id "${id}"): the key must be ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
            });
          }
          keys[id] = key;
        });
        return keys;
      }),
    PAYLOAD_KEY_CURRENT: keyId.optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.PAYLOAD_KEYS) {
      if (v.NODE_ENV === 'production')
        ctx.addIssue({
          code: 'custom',
          path: ['PAYLOAD_KEYS'],
          message: 'is required in production (comma-separated id:base64key, 32-byte keys)',
        });
      else if (v.PAYLOAD_KEY_CURRENT)
        ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEY_CURRENT'], message: 'is set but PAYLOAD_KEYS is not' });
      return;
    }
    const ids = Object.keys(v.PAYLOAD_KEYS);
    if (!v.PAYLOAD_KEY_CURRENT && ids.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_KEY_CURRENT'],
        message: `is required with several keys (one of ${ids.join(', ')})`,
      });
    if (v.PAYLOAD_KEY_CURRENT && !ids.includes(v.PAYLOAD_KEY_CURRENT)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_KEY_CURRENT'],
        message: `"${v.PAYLOAD_KEY_CURRENT}" is not a key id in PAYLOAD_KEYS (${ids.join(', ')})`,
      });
    }
  });

/**
 * The codec keys from the environment. Throws ConfigError naming the variable. Without
 * PAYLOAD_KEYS outside production: the development key (see devKey), id DEV_KEY_ID.
 */
export function loadCodecKeys(env: NodeJS.ProcessEnv = process.env, opts: { devKeyFile?: string } = {}): CodecKeys {
  const input = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => ['NODE_ENV', 'PAYLOAD_KEYS', 'PAYLOAD_KEY_CURRENT'].includes(k) && v !== undefined && v !== '',
    ),
  );
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    // Never echo the input: it is key material.
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? '')}: ${i.message}`);
    throw new ConfigError(`invalid payload encryption configuration:\n${lines.join('\n')}`);
  }
  const { PAYLOAD_KEYS: keys, PAYLOAD_KEY_CURRENT: current } = parsed.data;
  if (!keys) return { current: DEV_KEY_ID, keys: { [DEV_KEY_ID]: devKey(opts.devKeyFile ?? DEV_KEY_FILE) } };
  return { current: current ?? Object.keys(keys)[0]!, keys };
}

/**
 * The development key: random, generated on first use into `file` (mode 0600, under the
 * git-ignored data/), then reused so a restarted worker still decodes its histories. The worker
 * and the web process may start together: the key is written to a temporary file and linked into
 * place, so exactly one key wins and nobody reads a half-written file.
 */
export function devKey(file: string): Buffer {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES)
    throw new ConfigError(
      `development payload key ${file} is not ${KEY_BYTES} bytes of base64; delete it to generate a new one (old histories then no longer decode)`,
    );
  return key;
}
