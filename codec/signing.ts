/**
 * The app's signature on what it asks of Temporal (issue 10, finding 4). See workflows/proof.ts for
 * the proofs and workflows/interceptors.ts for the checks inside workflows.
 *
 *  - signing: one client interceptor (signingInterceptors) signs every start, Update and signal of
 *    every Client the app makes (appClient): the web server, the worker (task starts), the CLIs.
 *  - activities: activityVerification refuses, non-retryably, to run a write for a workflow whose
 *    start the app did not sign (a start with another key, or no proof after signing was
 *    introduced); verifyRun tells whether an existing run under a planned id is the app's.
 *
 * Configuration: WORKFLOW_SIGNING_KEY = base64 of a 32-byte Ed25519 seed (`openssl rand -base64
 * 32`), required in production; WORKFLOW_SIGNING_KEYS_PREVIOUS = earlier seeds (comma-separated)
 * still accepted while workflows started under them run (Updates are signed with every configured
 * key). Unset outside production: a development seed generated once into data/.
 */
import { createPrivateKey, createPublicKey, randomUUID, sign as edSign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { Client, type ClientOptions, type WorkflowClientInterceptor } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Headers, type Payload } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Knex } from 'knex';
import { signingLegacyBefore } from '../db/repositories/workflow-marks';
import { ConfigError, ROOT } from '../server/platform/config/config';
import {
  actorOf,
  canonicalJson,
  CONTEXT_HEADER,
  digest,
  PROOF_HEADER,
  PROOF_TTL_MS,
  signedMessage,
  startProofProblem,
  toHex,
  verifiedBy,
  type Claims,
  type Proof,
  type StartClaims,
  type StartContext,
} from '../workflows/proof';
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

export type Clock = () => number | Promise<number>;
const asHeader = (proof: Proof): Payload => defaultPayloadConverter.toPayload(proof);

/**
 * The client interceptor that signs every state-changing call. `now` is the clock expiries count
 * from (the time-skipping test server's clock in tests).
 */
export function signingInterceptors(keys: SigningKeys, now: Clock = () => Date.now()): WorkflowClientInterceptor {
  const startProof = async (workflowId: string, workflowType: string, args: unknown[]) =>
    asHeader(
      signClaims<StartClaims>(
        { v: 1, kind: 'start', workflowId, workflowType, inputDigest: digest(args), exp: (await now()) + PROOF_TTL_MS },
        [keys.current],
      ),
    );
  const all = [keys.current, ...keys.previous];
  return {
    async startWithDetails(input, next) {
      const header = await startProof(input.options.workflowId, input.workflowType, input.options.args);
      return next({ ...input, headers: { ...input.headers, [PROOF_HEADER]: header } });
    },
    async signalWithStart(input, next) {
      const header = await startProof(input.options.workflowId, input.workflowType, input.options.args);
      return next({ ...input, headers: { ...input.headers, [PROOF_HEADER]: header } });
    },
    async startUpdate(input, next) {
      const updateId = input.options?.updateId ?? randomUUID();
      const exp = (await now()) + PROOF_TTL_MS;
      const proof = signClaims(
        {
          v: 1,
          kind: 'update',
          workflowId: input.workflowExecution.workflowId,
          name: input.updateName,
          updateId,
          actor: actorOf(input.args),
          argsDigest: digest(input.args),
          exp,
        },
        all,
      );
      return next({
        ...input,
        options: { ...input.options, updateId },
        headers: { ...input.headers, [PROOF_HEADER]: asHeader(proof) },
      });
    },
    async startUpdateWithStart(input, next) {
      const workflowId = input.workflowStartOptions.workflowId;
      const updateId = input.updateOptions?.updateId ?? randomUUID();
      const exp = (await now()) + PROOF_TTL_MS;
      const update = signClaims(
        {
          v: 1,
          kind: 'update',
          workflowId,
          name: input.updateName,
          updateId,
          actor: actorOf(input.updateArgs),
          argsDigest: digest(input.updateArgs),
          exp,
        },
        all,
      );
      return next({
        ...input,
        workflowStartHeaders: {
          ...input.workflowStartHeaders,
          [PROOF_HEADER]: await startProof(workflowId, input.workflowType, input.workflowStartOptions.args),
        },
        updateOptions: { ...input.updateOptions, updateId },
        updateHeaders: { ...input.updateHeaders, [PROOF_HEADER]: asHeader(update) },
      });
    },
    async signal(input, next) {
      const exp = (await now()) + PROOF_TTL_MS;
      const proof = signClaims(
        {
          v: 1,
          kind: 'signal',
          workflowId: input.workflowExecution.workflowId,
          name: input.signalName,
          argsDigest: digest(input.args),
          exp,
        },
        all,
      );
      return next({ ...input, headers: { ...input.headers, [PROOF_HEADER]: asHeader(proof) } });
    },
  };
}

/** What the app accepts: its public keys, and the instant before which unsigned workflows are its own (legacy). */
export interface Integrity {
  keys: SigningKeys;
  /** workflows first started before this instant (epoch ms) predate signing: accepted unsigned */
  legacyBefore: number;
}

const integrityOfClient = new WeakMap<Client, Integrity>();
/** The integrity settings a client was made with (appClient), if any. */
export const integrityOf = (client: Client | undefined): Integrity | undefined =>
  client ? integrityOfClient.get(client) : undefined;

/** Every Client of the app: signs what it sends (and knows what to accept, for verifyRun). */
export function appClient(options: ClientOptions, integrity: Integrity, now?: Clock): Client {
  const existing = options.interceptors?.workflow;
  const workflow = [...(Array.isArray(existing) ? existing : []), signingInterceptors(integrity.keys, now)];
  const client = new Client({ ...options, interceptors: { ...options.interceptors, workflow } });
  integrityOfClient.set(client, integrity);
  return client;
}

/** The instant signing was introduced in this database (migration 20241201000400), for legacy workflows. */
export async function loadLegacyBefore(knex: Knex): Promise<number> {
  return signingLegacyBefore(knex);
}

/** The integrity settings of a process: keys from the environment, legacy instant from the database. */
export async function loadIntegrity(knex: Knex, env: NodeJS.ProcessEnv = process.env): Promise<Integrity> {
  return { keys: loadSigningKeys(env), legacyBefore: await loadLegacyBefore(knex) };
}

/**
 * Activities that run for any workflow: the schedules' digest notices (a Schedule starts those
 * workflows under ids of its own, which no start proof can name; a forged run only repeats a
 * digest computed from the read model), the digest's catch-up check (a count read, nothing
 * written) and the delivery of notifications already recorded.
 */
export const UNCHECKED_ACTIVITIES = new Set([
  'sendDailyDigest',
  'digestCatchUp',
  'sendWeeklyReviewKickoff',
  'deliverNotifications',
]);

/**
 * verifiedBy, remembered: every activity of a workflow run carries the same start proof, and an
 * Ed25519 verification in JavaScript costs milliseconds (measured: about half of the worker's CPU
 * per completion at 20 concurrent, bench:completion). The answer for exactly the same claims,
 * signatures and accepted keys is the same, so it is kept (the last 5,000); anything that differs
 * in one byte is verified again.
 */
const verified = new Map<string, string | null>();
export function verifiedByRemembered(proof: Proof | null | undefined, pubs: readonly string[]): string | null {
  if (!proof || typeof proof !== 'object' || !proof.claims || !Array.isArray(proof.sigs))
    return verifiedBy(proof, pubs);
  const key = JSON.stringify([pubs, proof.sigs.map((s) => (s ? [s.pub, s.sig] : null)), canonicalJson(proof.claims)]);
  const known = verified.get(key);
  if (known !== undefined) return known;
  const answer = verifiedBy(proof, pubs);
  verified.set(key, answer);
  if (verified.size > 5000) verified.delete(verified.keys().next().value!);
  return answer;
}

/** Why the start context an activity came with is not the app's, or null. */
export function contextProblem(
  ctx: StartContext | null,
  w: { workflowId: string; workflowType: string },
  integrity: Integrity,
): string | null {
  if (!ctx) return null; // scheduled by workflow code older than signing (an activity in flight at the upgrade)
  if (ctx.mode === 'unsigned')
    return ctx.startedAt < integrity.legacyBefore ? null : 'it was started without the app\u2019s signature';
  if (!verifiedByRemembered(ctx.proof, publicKeys(integrity.keys))) return 'its start is not signed by the app';
  const c = ctx.proof!.claims;
  // a child runs with its root's proof: only its own activities' workflow type differs
  if (c.workflowId === w.workflowId && c.workflowType !== w.workflowType)
    return 'its start proof is for another workflow type';
  if (c.inputDigest !== ctx.inputDigest) return 'its input is not the one the app signed';
  return null;
}

/** Activity inbound interceptor: refuses (non-retryably) a write for a workflow the app did not start. */
export function activityVerification(integrity: Integrity): ActivityInterceptorsFactory {
  return (actx) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const info = actx.info;
        if (!UNCHECKED_ACTIVITIES.has(info.activityType)) {
          const ctx = fromHeader<StartContext>(input.headers, CONTEXT_HEADER);
          const workflowId = info.workflowExecution?.workflowId ?? '';
          const problem = contextProblem(ctx, { workflowId, workflowType: info.workflowType ?? '' }, integrity);
          if (problem) {
            throw ApplicationFailure.create({
              type: 'ForgedWorkflowError',
              message: `refused to write for workflow ${workflowId}: ${problem}`,
              nonRetryable: true,
            });
          }
        }
        return next(input);
      },
    };
    return { inbound };
  };
}

function fromHeader<T>(headers: Headers | undefined | null, name: string): T | null {
  const p = headers?.[name];
  if (!p) return null;
  try {
    return defaultPayloadConverter.fromPayload<T>(p) ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the current run under `workflowId` was started by the app: its first event's start
 * proof verifies with the app's keys and fits its input, or it is a child or continued run whose
 * carried context does, or it predates signing. Returns the problem, or null for the app's own.
 */
export async function verifyRun(client: Client, workflowId: string, integrity: Integrity): Promise<string | null> {
  const res = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const first = res.history?.events?.[0];
  const a = first?.workflowExecutionStartedEventAttributes;
  if (!first || !a) return 'its history has no start event';
  const headers = (a.header?.fields ?? {}) as Headers;
  const startedAt = Number(first.eventTime?.seconds ?? 0) * 1000 + Math.floor((first.eventTime?.nanos ?? 0) / 1e6);
  const workflowType = a.workflowType?.name ?? '';
  if (a.parentWorkflowExecution || a.continuedExecutionRunId) {
    return contextProblem(
      fromHeader<StartContext>(headers, CONTEXT_HEADER) ?? {
        mode: 'unsigned',
        proof: null,
        inputDigest: null,
        startedAt,
      },
      { workflowId, workflowType },
      integrity,
    );
  }
  const proof = fromHeader<Proof>(headers, PROOF_HEADER);
  if (!proof) return startedAt < integrity.legacyBefore ? null : 'it was started without the app\u2019s signature';
  const payloads = (a.input?.payloads ?? []) as Payload[];
  const decoded = await client.options.loadedDataConverter.payloadCodecs.reduceRight(
    async (p, codec) => codec.decode(await p),
    Promise.resolve(payloads),
  );
  const args = decoded.map((p) => client.options.loadedDataConverter.payloadConverter.fromPayload(p));
  return startProofProblem(
    proof,
    { workflowId, workflowType, inputDigest: digest(args), startedAt },
    publicKeys(integrity.keys),
  );
}

/**
 * After "already started" under a planned id: whether the running workflow is the app's. When it
 * is not, it is terminated with a reason naming the forgery and `onForged` records it (the audit
 * log); the caller then starts the real one. Returns the forgery's problem, or null (the app's own,
 * or a closed run: the id-reuse policy decides about those).
 */
export async function replaceForgedRun(
  client: Client,
  workflowId: string,
  integrity: Integrity,
  onForged: (problem: string, runId: string) => Promise<void>,
): Promise<string | null> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  if (d.status.name !== 'RUNNING') return null;
  const problem = await verifyRun(client, workflowId, integrity);
  if (!problem) return null;
  await client.workflow
    .getHandle(workflowId, d.runId)
    .terminate(`forged start: not started by the app (${problem}); replaced by the app's own workflow`);
  await onForged(problem, d.runId);
  return problem;
}
