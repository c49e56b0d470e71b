/**
 * The activity side remembers start-proof verifications (codec/signing.ts verifiedByRemembered):
 * the same proof is verified once, and anything that differs in one byte (claims, signature, the
 * accepted keys) is verified again, so the memory never turns a forgery into an accepted proof.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { contextProblem, keyFromSeed, signClaims, verifiedByRemembered, type Integrity } from '../../codec/signing';
import type { StartClaims, StartContext } from '../../workflows/proof';

const key = keyFromSeed(randomBytes(32));
const other = keyFromSeed(randomBytes(32));
const claims: StartClaims = {
  v: 1,
  kind: 'start',
  workflowId: 'college-ladder.s.c',
  workflowType: 'collegeLadderWorkflow',
  inputDigest: 'ab'.repeat(32),
  exp: Date.now() + 60_000,
} as StartClaims;

describe('remembered start-proof verification', () => {
  test('When the same proof comes again, then the same answer; a changed claim, a changed signature or a key no longer accepted is verified again and refused', () => {
    const proof = signClaims(claims, [key]);
    expect(verifiedByRemembered(proof, [key.pub])).toBe(key.pub);
    expect(verifiedByRemembered(proof, [key.pub])).toBe(key.pub);
    // the genuine proof was remembered; a forgery reusing its signature is not
    expect(
      verifiedByRemembered({ ...proof, claims: { ...claims, workflowId: 'college-ladder.s.other' } }, [key.pub]),
    ).toBeNull();
    const sig = proof.sigs[0]!.sig;
    const flipped = (sig[0] === '0' ? '1' : '0') + sig.slice(1);
    expect(verifiedByRemembered({ ...proof, sigs: [{ ...proof.sigs[0]!, sig: flipped }] }, [key.pub])).toBeNull();
    // after a key rotation that drops the key, the remembered answer does not apply
    expect(verifiedByRemembered(proof, [other.pub])).toBeNull();
    // a proof signed by another key is refused even with a remembered one of the same claims
    expect(verifiedByRemembered(signClaims(claims, [other]), [key.pub])).toBeNull();
  });

  test('When an activity comes with a remembered context, then contextProblem still checks the type and input of that run', () => {
    const integrity: Integrity = { keys: { current: key, previous: [] }, legacyBefore: 0 };
    const ctx: StartContext = {
      mode: 'signed',
      proof: signClaims(claims, [key]),
      inputDigest: claims.inputDigest,
      startedAt: Date.now(),
    } as StartContext;
    expect(
      contextProblem(ctx, { workflowId: claims.workflowId, workflowType: claims.workflowType }, integrity),
    ).toBeNull();
    expect(
      contextProblem(ctx, { workflowId: claims.workflowId, workflowType: claims.workflowType }, integrity),
    ).toBeNull();
    expect(contextProblem(ctx, { workflowId: claims.workflowId, workflowType: 'taskWorkflow' }, integrity)).toBe(
      'its start proof is for another workflow type',
    );
    expect(
      contextProblem(
        { ...ctx, inputDigest: 'cd'.repeat(32) },
        { workflowId: claims.workflowId, workflowType: claims.workflowType },
        integrity,
      ),
    ).toBe('its input is not the one the app signed');
    const otherIntegrity: Integrity = { keys: { current: other, previous: [] }, legacyBefore: 0 };
    expect(
      contextProblem(ctx, { workflowId: claims.workflowId, workflowType: claims.workflowType }, otherIntegrity),
    ).toBe('its start is not signed by the app');
  });
});
