/** The app's workflow signing keys (see signing.ts): loaded from the environment, and what they sign. */
import { createPrivateKey, createPublicKey, sign as edSign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { ConfigError, ROOT } from '../server/platform/config/config';
import { signedMessage, toHex, type Claims, type Proof } from '../workflows/proof';
import { devKey } from './aes-gcm';

export const DEV_SIGNING_KEY_FILE = path.join(ROOT, 'data', 'workflow-signing-dev-key');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKey {
  privateKey: KeyObject;
  /** raw 32-byte public key, hex */
  pub: string;
}

export interface SigningKeys {
  /** the key new proofs are signed with */
  current: SigningKey;
  /** earlier keys: still accepted, and co-sign Updates for workflows started under them */
  previous: SigningKey[];
}

export function keyFromSeed(seed: Buffer): SigningKey {
  if (seed.length !== 32)
    throw new ConfigError('a workflow signing key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, pub: toHex(spki.subarray(spki.length - 32)) };
}

/** Every public key the app accepts (hex), the current one first. */
export const publicKeys = (keys: SigningKeys): string[] => [keys.current.pub, ...keys.previous.map((k) => k.pub)];

function seedOf(name: string, b64: string): Buffer {
  const seed = Buffer.from(b64.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64.trim()) || seed.length !== 32) {
    throw new ConfigError(
      `invalid workflow signing configuration:\n  ${name}: must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return seed;
}

let cached: { env: string; keys: SigningKeys } | undefined;
/** The signing keys from the environment (ConfigError naming the variable, never echoing a key). */
export function loadSigningKeys(env: NodeJS.ProcessEnv = process.env, opts: { devKeyFile?: string } = {}): SigningKeys {
  const fingerprint = `${env.NODE_ENV ?? ''}|${env.WORKFLOW_SIGNING_KEY ?? ''}|${env.WORKFLOW_SIGNING_KEYS_PREVIOUS ?? ''}|${opts.devKeyFile ?? ''}`;
  if (cached?.env === fingerprint) return cached.keys;
  const current = env.WORKFLOW_SIGNING_KEY;
  let keys: SigningKeys;
  if (!current) {
    if (env.NODE_ENV === 'production')
      throw new ConfigError(
        'invalid workflow signing configuration:\n  WORKFLOW_SIGNING_KEY: is required in production (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
      );
    keys = { current: keyFromSeed(devKey(opts.devKeyFile ?? DEV_SIGNING_KEY_FILE)), previous: [] };
  } else {
    const previous = (env.WORKFLOW_SIGNING_KEYS_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s, i) => keyFromSeed(seedOf(`WORKFLOW_SIGNING_KEYS_PREVIOUS entry ${i + 1}`, s)));
    keys = { current: keyFromSeed(seedOf('WORKFLOW_SIGNING_KEY', current)), previous };
  }
  cached = { env: fingerprint, keys };
  return keys;
}

/** Signs claims with the given keys (node:crypto Ed25519; the same signatures @noble/curves checks). */
export function signClaims<C extends Claims>(claims: C, keys: SigningKey[]): Proof<C> {
  const msg = signedMessage(claims);
  return { claims, sigs: keys.map((k) => ({ pub: k.pub, sig: toHex(edSign(null, msg, k.privateKey)) })) };
}

/** What the app accepts: its public keys, and the instant before which unsigned workflows are its own (legacy). */
export interface Integrity {
  keys: SigningKeys;
  /** workflows first started before this instant (epoch ms) predate signing: accepted unsigned */
  legacyBefore: number;
}
