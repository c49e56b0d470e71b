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
import { randomUUID } from 'node:crypto';
import { Client, type ClientOptions, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { Knex } from 'knex';
import { signingLegacyBefore } from '../db/repositories/workflow-marks';
import {
  actorOf,
  digest,
  PROOF_HEADER,
  PROOF_TTL_MS,
  type Proof,
  type StartClaims,
  type UpdateClaims,
} from '../workflows/proof';
import { loadSigningKeys, signClaims, type Integrity, type SigningKeys } from './signing-keys';

export {
  DEV_SIGNING_KEY_FILE,
  keyFromSeed,
  loadSigningKeys,
  publicKeys,
  signClaims,
  type Integrity,
  type SigningKey,
  type SigningKeys,
} from './signing-keys';
export {
  activityVerification,
  contextProblem,
  replaceForgedRun,
  UNCHECKED_ACTIVITIES,
  verifiedByRemembered,
  verifyRun,
} from './verification';

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
  /** an Update's proof, signed with every configured key (a run may have started under an earlier one) */
  const updateProof = async (workflowId: string, name: string, updateId: string, args: unknown[]) => {
    const exp = (await now()) + PROOF_TTL_MS;
    const claims: UpdateClaims = {
      v: 1,
      kind: 'update',
      workflowId,
      name,
      updateId,
      actor: actorOf(args),
      argsDigest: digest(args),
      exp,
    };
    return asHeader(signClaims(claims, all));
  };
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
      const proof = await updateProof(input.workflowExecution.workflowId, input.updateName, updateId, input.args);
      return next({
        ...input,
        options: { ...input.options, updateId },
        headers: { ...input.headers, [PROOF_HEADER]: proof },
      });
    },
    async startUpdateWithStart(input, next) {
      const workflowId = input.workflowStartOptions.workflowId;
      const updateId = input.updateOptions?.updateId ?? randomUUID();
      const update = await updateProof(workflowId, input.updateName, updateId, input.updateArgs);
      return next({
        ...input,
        workflowStartHeaders: {
          ...input.workflowStartHeaders,
          [PROOF_HEADER]: await startProof(workflowId, input.workflowType, input.workflowStartOptions.args),
        },
        updateOptions: { ...input.updateOptions, updateId },
        updateHeaders: { ...input.updateHeaders, [PROOF_HEADER]: update },
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
