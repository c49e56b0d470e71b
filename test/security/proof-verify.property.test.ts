/**
 * The workflows' Ed25519 check (workflows/proof.ts verifyEd25519: noble's RFC 8032 verification with
 * the public key's decoded point kept between checks) gives the same answer as noble's own
 * `ed25519.verify(..., { zip215: false })` on every input: genuine signatures, signatures with any
 * byte changed, random bytes, small-order and non-canonical keys and R, s at or past the group order,
 * and keys used again after being kept, or after more keys than are kept pushed them out.
 */
import { ed25519 } from '@noble/curves/ed25519';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromHex, verifyEd25519 } from '../../workflows/proof';

const hex = (h: string): Uint8Array => fromHex(h)!;
const noble = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean => {
  try {
    return ed25519.verify(sig, msg, key, { zip215: false });
  } catch {
    return false;
  }
};

/** The eight points of small order, and encodings that are not canonical (y ≥ p). */
const oddPoints = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0100000000000000000000000000000000000000000000000000000000000080',
].map(hex);

const N = ed25519.Point.Fn.ORDER;
const le = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

interface Case {
  sig: Uint8Array;
  msg: Uint8Array;
  key: Uint8Array;
}

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 160 });
const genuine = fc.tuple(seed, message).map(([secret, msg]): Case => ({
  sig: ed25519.sign(msg, secret),
  msg,
  key: ed25519.getPublicKey(secret),
}));

/** One change to a genuine case: a byte of one part, an odd point put in, s moved by the order. */
const changed = fc
  .tuple(
    genuine,
    fc.constantFrom('sig', 'msg', 'key', 'R-odd', 'key-odd', 's+n', 's=n', 'none'),
    fc.nat(),
    fc.integer({ min: 1, max: 255 }),
    fc.nat({ max: oddPoints.length - 1 }),
  )
  .map(([c, how, at, xor, odd]): Case => {
    const sig = Uint8Array.from(c.sig);
    const msg = Uint8Array.from(c.msg);
    const key = Uint8Array.from(c.key);
    if (how === 'sig') sig[at % 64]! ^= xor;
    if (how === 'msg') {
      if (msg.length) msg[at % msg.length]! ^= xor;
      else return { sig, msg: Uint8Array.of(xor), key };
    }
    if (how === 'key') key[at % 32]! ^= xor;
    if (how === 'R-odd') sig.set(oddPoints[odd]!, 0);
    if (how === 'key-odd') return { sig, msg, key: Uint8Array.from(oddPoints[odd]!) };
    if (how === 's+n') {
      const s = fromLe(sig.subarray(32)) + N;
      if (s < 1n << 256n) sig.set(le(s), 32);
    }
    if (how === 's=n') sig.set(le(N), 32);
    return { sig, msg, key };
  });

/**
 * Signatures made to tell the two equations apart:
 *  - a key of small order with R = [r]B and s = r: [8]R + [8][k]A = [8][s]B holds for any k, so only
 *    the refusal of small-order keys refuses it;
 *  - a genuine key with R = [r]B + T, T of order 8, and s = r + k·a for k = H(R, A, M): it holds
 *    multiplied by 8 (the cofactored equation, which noble checks) and not without.
 */
const Fn = ed25519.Point.Fn;
const scalar = fc.bigInt({ min: 1n, max: N - 1n });
const crafted = fc
  .tuple(seed, message, scalar, fc.nat({ max: 7 }), fc.boolean())
  .map(([secret, msg, r, odd, smallKey]): Case => {
    const R0 = ed25519.Point.BASE.multiply(r);
    if (smallKey) {
      const sig = new Uint8Array(64);
      sig.set(R0.toBytes(), 0);
      sig.set(le(r), 32);
      return { sig, msg, key: Uint8Array.from(oddPoints[odd]!) };
    }
    const { scalar: a, pointBytes: key } = ed25519.utils.getExtendedPublicKey(secret);
    const T = ed25519.Point.fromBytes(oddPoints[odd]!);
    const R = R0.add(T).toBytes();
    const h = new Uint8Array(64 + msg.length);
    h.set(R, 0);
    h.set(key, 32);
    h.set(msg, 64);
    const k = Fn.create(fromLe(ed25519.CURVE.hash(h)));
    const sig = new Uint8Array(64);
    sig.set(R, 0);
    sig.set(le(Fn.create(r + k * a)), 32);
    return { sig, msg, key };
  });

const random = fc.record({
  sig: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  msg: message,
  key: fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...oddPoints)),
});

describe('Ed25519 verification with kept public keys', () => {
  test('When a signature is genuine, then both verifications accept it', () => {
    fc.assert(
      fc.property(genuine, ({ sig, msg, key }) => {
        expect(verifyEd25519(sig, msg, key)).toBe(true);
        expect(noble(sig, msg, key)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test('When any part is changed, or a point is of small order or not canonical, or s is not below the order, then the answer is noble’s', () => {
    fc.assert(
      fc.property(fc.oneof(changed, random, crafted), ({ sig, msg, key }) => {
        expect(verifyEd25519(sig, msg, key)).toBe(noble(sig, msg, key));
      }),
      { numRuns: 400 },
    );
  });

  test('When a signature is made for a key of small order, or with R moved by a point of small order, then the answer is noble’s (refused, accepted)', () => {
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(crafted, ({ sig, msg, key }) => {
        const answer = noble(sig, msg, key);
        expect(verifyEd25519(sig, msg, key)).toBe(answer);
        if (answer) accepted++;
        else refused++;
      }),
      { numRuns: 120 },
    );
    // both kinds were made, and noble tells them apart as described above
    expect(refused).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(10);
  });

  test('When keys come again, also after more keys than are kept came between, then every answer is still noble’s', () => {
    // a pool of 24 keys (more than the 16 kept), used in any order, each with genuine or changed signatures
    const pool = Array.from({ length: 24 }, (_, i) => {
      const secret = new Uint8Array(32).fill(i + 1);
      return { secret, key: ed25519.getPublicKey(secret) };
    });
    const use = fc.tuple(fc.nat({ max: pool.length - 1 }), message, fc.boolean(), fc.nat({ max: 63 }));
    fc.assert(
      fc.property(fc.array(use, { minLength: 1, maxLength: 40 }), (uses) => {
        for (const [i, msg, spoil, at] of uses) {
          const { secret, key } = pool[i]!;
          const sig = ed25519.sign(msg, secret);
          if (spoil) sig[at]! ^= 1;
          expect(verifyEd25519(sig, msg, key)).toBe(!spoil);
          expect(noble(sig, msg, key)).toBe(!spoil);
        }
      }),
      { numRuns: 30 },
    );
  });

  test('When a key is kept, then a signature by another key over the same message is still refused', () => {
    const a = new Uint8Array(32).fill(7);
    const b = new Uint8Array(32).fill(8);
    const msg = new TextEncoder().encode('mhd-workflow-proof-v1\n{}');
    const keyA = ed25519.getPublicKey(a);
    expect(verifyEd25519(ed25519.sign(msg, a), msg, keyA)).toBe(true);
    expect(verifyEd25519(ed25519.sign(msg, b), msg, keyA)).toBe(false);
    expect(verifyEd25519(ed25519.sign(msg, a), msg, keyA)).toBe(true);
  });
});
