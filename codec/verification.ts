/** The checks of what the app signed (see signing.ts): activityVerification, verifyRun, replaceForgedRun. */
import type { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Headers, type Payload } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import {
  canonicalJson,
  CONTEXT_HEADER,
  digest,
  PROOF_HEADER,
  startProofProblem,
  verifiedBy,
  type Proof,
  type StartContext,
} from '../workflows/proof';
import { publicKeys, type Integrity } from './signing-keys';

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
