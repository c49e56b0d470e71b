/**
 * Proofs that the app made a request (issue 10, finding 4). Pure code, shared by the workflow
 * sandbox (no node:crypto there: Ed25519 checks use @noble/curves) and the app's processes
 * (codec/signing.ts signs with node:crypto; the signatures are the same Ed25519).
 *
 * A proof is a set of claims with one or more Ed25519 signatures over their canonical JSON. It
 * travels in Temporal headers (never in the payloads the Web UI or the CLI let anyone write):
 *  - start:  the workflow id and type, a digest of the input, an expiry;
 *  - update: the workflow id, the Update name and id, the actor, a digest of the arguments, an
 *            expiry (the update id makes a captured proof useless for a new Update);
 *  - signal: the workflow id, the signal name, a digest of the arguments, an expiry.
 * The workflow knows the app's public key from its start proof (it is public); activities check
 * the start proof against the app's own keys, so a workflow started by someone with their own key
 * writes nothing.
 */
import { ed25519 } from '@noble/curves/ed25519';

/**
 * The base point's table of multiples, which noble builds on its first use: in a workflow that is
 * once per run, since the sandbox gives every run its own module instances. Window 4 makes a
 * 520-point table instead of window 8's 4,224, for the same speed per verification afterwards
 * (node, this machine: a first verification 47 ms instead of 161 ms, the next ones 7.0 ms against
 * 7.7 ms). Pure arithmetic: the answers, and so the histories, are the same.
 */
ed25519.Point.BASE.precompute(4);

/** Header of the proof on starts, Updates and signals (set by the app's client interceptor). */
export const PROOF_HEADER = 'mhd-proof';
/**
 * Header of the start context a workflow passes on (set by the workflow interceptors only): to its
 * activities, its children and its continued runs. Ignored on a start that is neither a child nor
 * a continued run, so a client cannot set it.
 */
export const CONTEXT_HEADER = 'mhd-start-context';

export interface StartClaims {
  v: 1;
  kind: 'start';
  workflowId: string;
  workflowType: string;
  inputDigest: string;
  /** epoch ms */
  exp: number;
}
export interface UpdateClaims {
  v: 1;
  kind: 'update';
  workflowId: string;
  name: string;
  updateId: string;
  /** the actor's user id named in the arguments (also inside the digest), or null */
  actor: string | null;
  argsDigest: string;
  exp: number;
}
export interface SignalClaims {
  v: 1;
  kind: 'signal';
  workflowId: string;
  name: string;
  argsDigest: string;
  exp: number;
}
export type Claims = StartClaims | UpdateClaims | SignalClaims;

export interface Signature {
  /** Ed25519 public key, 32 bytes, hex */
  pub: string;
  /** 64 bytes, hex */
  sig: string;
}
export interface Proof<C extends Claims = Claims> {
  claims: C;
  sigs: Signature[];
}

/**
 * What a workflow knows about how it was started, passed on to its activities, children and
 * continued runs:
 *  - signed:   started with a start proof (checked here against its own key, by the activities
 *              against the app's keys);
 *  - unsigned: started without one: before signing existed (a legacy workflow) or by someone else;
 *              activities write only for a workflow first started before signing was introduced.
 */
export interface StartContext {
  mode: 'signed' | 'unsigned';
  proof: Proof<StartClaims> | null;
  /** digest of the input of the workflow the proof is for (computed by our workflow code) */
  inputDigest: string | null;
  /** first start of the workflow (or of its root, for children), epoch ms */
  startedAt: number;
}

/** How long a proof is valid after it is signed: it is used at once. */
export const PROOF_TTL_MS = 10 * 60_000;

/** JSON with object keys sorted, as the payload converter would carry it (undefined dropped, toJSON applied). */
export function canonicalJson(value: unknown): string {
  const plain: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort())
        out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(plain));
}

function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export function fromHex(h: string): Uint8Array | null {
  if (typeof h !== 'string' || h.length % 2 !== 0 || !/^[0-9a-f]*$/.test(h)) return null;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** SHA-512 (the hash Ed25519 itself uses) of the canonical JSON of the arguments, hex. */
export function digest(args: unknown): string {
  return toHex(ed25519.CURVE.hash(utf8(canonicalJson(args))));
}

/** The bytes that are signed: a domain label and the claims' canonical JSON. */
export function signedMessage(claims: Claims): Uint8Array {
  return utf8(`mhd-workflow-proof-v1\n${canonicalJson(claims)}`);
}

/** A decoded public key: its point (with a table of multiples, built on first use) and its bytes. */
interface PublicPoint {
  point: InstanceType<typeof ed25519.Point>;
  bytes: Uint8Array;
}
/**
 * Public keys already decoded. A workflow checks every Update against the same key (the app's), and
 * noble's verify decodes it (a square root) and multiplies it without a table every time: about
 * 3.5 ms a check. With the decoded point kept, and a window-4 table of its multiples, a check costs
 * about a third of that. A key that is not a valid point, or is of small order, is kept as null
 * (refused, as noble refuses it). Bounded: an attacker's start proof may name any key.
 */
const publicPoints = new Map<string, PublicPoint | null>();
const PUBLIC_POINTS_MAX = 16;

function publicPoint(pub: string, key: Uint8Array): PublicPoint | null {
  const known = publicPoints.get(pub);
  if (known !== undefined) return known;
  let found: PublicPoint | null = null;
  try {
    const point = ed25519.Point.fromBytes(key, false);
    if (!point.isSmallOrder()) found = { point: point.precompute(4), bytes: point.toBytes() };
  } catch {
    found = null;
  }
  if (publicPoints.size >= PUBLIC_POINTS_MAX) publicPoints.delete(publicPoints.keys().next().value!);
  publicPoints.set(pub, found);
  return found;
}

function bytesToNumberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/**
 * RFC 8032 verification (zip215 false, the cofactored equation [8][S]B = [8]R + [8][k]A), step for
 * step as noble's `ed25519.verify`, with the public key's point from `publicPoint`. The property
 * tests in test/security/proof-verify.property.test.ts hold the two to the same answers.
 */
function verifyBytes(sig: Uint8Array, msg: Uint8Array, pub: string, key: Uint8Array): boolean {
  const A = publicPoint(pub, key);
  if (!A) return false;
  const { Point } = ed25519;
  let R: InstanceType<typeof Point>;
  let SB: InstanceType<typeof Point>;
  try {
    R = Point.fromBytes(sig.subarray(0, 32), false);
    SB = Point.BASE.multiplyUnsafe(bytesToNumberLE(sig.subarray(32, 64))); // refuses s >= n
  } catch {
    return false;
  }
  const rBytes = R.toBytes();
  const h = new Uint8Array(rBytes.length + A.bytes.length + msg.length);
  h.set(rBytes, 0);
  h.set(A.bytes, rBytes.length);
  h.set(msg, rBytes.length + A.bytes.length);
  const k = Point.Fn.create(bytesToNumberLE(ed25519.CURVE.hash(h)));
  return R.add(A.point.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0();
}

/** Whether `sig` is a valid signature of the claims by `pub` (hex). Never throws. */
export function verifySignature(claims: Claims, s: Signature, pub: string): boolean {
  if (!s || s.pub !== pub) return false;
  const key = fromHex(pub);
  const sig = fromHex(s.sig);
  if (!key || key.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    return verifyBytes(sig, signedMessage(claims), pub, key);
  } catch {
    return false;
  }
}

/** The check `verifySignature` makes, on bytes; exported for the property tests against noble's. */
export function verifyEd25519(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  if (key.length !== 32 || sig.length !== 64) return false;
  try {
    return verifyBytes(sig, msg, toHex(key), key);
  } catch {
    return false;
  }
}

/** The first signature of `proof` made by one of `pubs` that verifies, or null. */
export function verifiedBy(proof: Proof | null | undefined, pubs: readonly string[]): string | null {
  if (!proof || typeof proof !== 'object' || !proof.claims || !Array.isArray(proof.sigs)) return null;
  for (const s of proof.sigs) {
    if (s && pubs.includes(s.pub) && verifySignature(proof.claims, s, s.pub)) return s.pub;
  }
  return null;
}

/** The actor a request names (its first argument's `actor.userId`), or null. */
export function actorOf(args: readonly unknown[]): string | null {
  const first = args[0] as { actor?: { userId?: unknown } } | undefined;
  const id = first && typeof first === 'object' ? first.actor?.userId : undefined;
  return typeof id === 'string' ? id : null;
}

/** Why a start proof does not fit the workflow it came with, or null when it fits. */
export function startProofProblem(
  proof: Proof | null | undefined,
  w: { workflowId: string; workflowType: string; inputDigest: string; startedAt: number },
  pubs?: readonly string[],
): string | null {
  if (!proof || typeof proof !== 'object' || !proof.claims) return 'no start proof';
  const c = proof.claims as Partial<StartClaims>;
  if (c.v !== 1 || c.kind !== 'start') return 'not a start proof';
  if (c.workflowId !== w.workflowId) return 'the proof is for another workflow id';
  if (c.workflowType !== w.workflowType) return 'the proof is for another workflow type';
  if (c.inputDigest !== w.inputDigest) return 'the input is not the one the app signed';
  if (typeof c.exp !== 'number' || c.exp < w.startedAt) return 'the proof had expired when the workflow started';
  const signer = proof.sigs?.[0]?.pub;
  if (!signer) return 'the proof has no signature';
  if (!verifiedBy(proof, pubs ?? [signer]))
    return pubs ? 'the proof is not signed by the app' : 'the signature does not verify';
  return null;
}
