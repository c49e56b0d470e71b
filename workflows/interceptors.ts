/**
 * Workflow interceptors (bundled with the workflows: `workflowInterceptorModules`): the checks of
 * issue 10, finding 4, in one place for every workflow.
 *
 *  - execute: reads how the workflow was started (its start proof, or the start context its parent
 *    or its previous run passed on) and refuses to run a start whose proof does not fit it (another
 *    workflow id or type, another input, expired, a bad signature).
 *  - validateUpdate: an Update to a workflow started with a proof must carry a proof signed by the
 *    same key, for this workflow, this Update name and id, these arguments, not expired. Validators
 *    do not run on replay, so this needs no patch.
 *  - handleSignal: a signal to such a workflow without a valid proof is ignored and logged, never
 *    failing the workflow task (a signal enters the history before any check can run).
 *  - outbound: the start context goes with every activity (which checks it against the app's own
 *    keys: codec/signing.ts), every child and every continued run.
 *
 * Workflows started without any proof (before signing existed, or by someone else) keep the old
 * behaviour in here, so their histories replay unchanged; their activities write only when the
 * workflow was first started before signing was introduced.
 */
import {
  ApplicationFailure,
  defaultPayloadConverter,
  log,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { Headers, Payload } from '@temporalio/common';
import {
  actorOf,
  CONTEXT_HEADER,
  digest,
  PROOF_HEADER,
  startProofProblem,
  verifySignature,
  type Proof,
  type SignalClaims,
  type StartClaims,
  type StartContext,
  type UpdateClaims,
} from './proof';

function fromHeader<T>(headers: Headers | undefined, name: string): T | null {
  const p: Payload | undefined = headers?.[name];
  if (!p) return null;
  try {
    return defaultPayloadConverter.fromPayload<T>(p) ?? null;
  } catch {
    return null;
  }
}

const withContext = <H extends Headers>(headers: H, ctx: StartContext): H => ({
  ...headers,
  [CONTEXT_HEADER]: defaultPayloadConverter.toPayload(ctx),
});

/** How this run was started (see StartContext); throws for a start proof that does not fit. */
function startContext(input: WorkflowExecuteInput): StartContext {
  const info = workflowInfo();
  const carried = fromHeader<StartContext>(input.headers, CONTEXT_HEADER);
  // a child or a continued run: the context our own workflow code passed on (a client cannot
  // start a child or a continued run, so it cannot set this)
  if (
    (info.parent || info.continuedFromExecutionRunId) &&
    carried &&
    (carried.mode === 'signed' || carried.mode === 'unsigned')
  )
    return carried;
  const proof = fromHeader<Proof<StartClaims>>(input.headers, PROOF_HEADER);
  const startedAt = info.runStartTime.getTime();
  if (!proof) return { mode: 'unsigned', proof: null, inputDigest: null, startedAt };
  const inputDigest = digest(input.args);
  const problem = startProofProblem(proof, {
    workflowId: info.workflowId,
    workflowType: info.workflowType,
    inputDigest,
    startedAt,
  });
  if (problem) {
    throw ApplicationFailure.create({
      type: 'ForgedStartError',
      message: `refused to run: this start was not made by the app (${problem})`,
      nonRetryable: true,
    });
  }
  return { mode: 'signed', proof, inputDigest, startedAt };
}

function reject(message: string): never {
  throw ApplicationFailure.create({ type: 'UnsignedRequestError', message, nonRetryable: true });
}

export const interceptors = (): WorkflowInterceptors => {
  // one set of interceptors per workflow run: the context is this run's
  let ctx: StartContext | undefined;
  const signer = () => (ctx?.mode === 'signed' ? (ctx.proof?.sigs?.[0]?.pub ?? null) : null);

  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(
      input: WorkflowExecuteInput,
      next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
    ): Promise<unknown> {
      ctx = startContext(input);
      return next(input);
    },

    validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
      const pub = signer();
      if (pub) {
        const problem = updateProofProblem(input, pub);
        if (problem) reject(`refused: this request was not signed by the app (${problem})`);
      }
      next(input);
    },

    async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
      const pub = signer();
      if (pub) {
        const problem = signalProofProblem(input, pub);
        if (problem) {
          log.warn('ignored a signal the app did not sign', { signal: input.signalName, problem });
          return;
        }
      }
      return next(input);
    },
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      return next(ctx ? { ...input, headers: withContext(input.headers, ctx) } : input);
    },
    scheduleLocalActivity(
      input: LocalActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
    ) {
      return next(ctx ? { ...input, headers: withContext(input.headers, ctx) } : input);
    },
    startChildWorkflowExecution(
      input: StartChildWorkflowExecutionInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
    ) {
      return next(ctx ? { ...input, headers: withContext(input.headers, ctx) } : input);
    },
    continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>) {
      return next(ctx ? { ...input, headers: withContext(input.headers, ctx) } : input);
    },
  };

  return { inbound: [inbound], outbound: [outbound] };
};

function updateProofProblem(input: UpdateInput, pub: string): string | null {
  const proof = fromHeader<Proof<UpdateClaims>>(input.headers, PROOF_HEADER);
  if (!proof || !proof.claims) return 'no proof';
  const c = proof.claims;
  if (c.v !== 1 || c.kind !== 'update') return 'not an update proof';
  if (c.workflowId !== workflowInfo().workflowId) return 'the proof is for another workflow';
  if (c.name !== input.name) return 'the proof is for another action';
  if (c.updateId !== input.updateId) return 'the proof is for another request';
  if (c.actor !== actorOf(input.args)) return 'the proof is for another actor';
  if (c.argsDigest !== digest(input.args)) return 'the arguments are not the ones the app signed';
  if (typeof c.exp !== 'number' || c.exp < Date.now()) return 'the proof has expired';
  const s = Array.isArray(proof.sigs) ? proof.sigs.find((x) => x && x.pub === pub) : undefined;
  if (!s || !verifySignature(c, s, pub)) return 'the signature does not verify';
  return null;
}

function signalProofProblem(input: SignalInput, pub: string): string | null {
  const proof = fromHeader<Proof<SignalClaims>>(input.headers, PROOF_HEADER);
  if (!proof || !proof.claims) return 'no proof';
  const c = proof.claims;
  if (c.v !== 1 || c.kind !== 'signal') return 'not a signal proof';
  if (c.workflowId !== workflowInfo().workflowId) return 'the proof is for another workflow';
  if (c.name !== input.signalName) return 'the proof is for another signal';
  if (c.argsDigest !== digest(input.args)) return 'the arguments are not the ones the app signed';
  if (typeof c.exp !== 'number' || c.exp < Date.now()) return 'the proof has expired';
  const s = Array.isArray(proof.sigs) ? proof.sigs.find((x) => x && x.pub === pub) : undefined;
  if (!s || !verifySignature(c, s, pub)) return 'the signature does not verify';
  return null;
}
