import Module from 'node:module';

interface CurveSignatures {
  calculateSignature: (privateKey: Uint8Array, message: Uint8Array) => Uint8Array;
  verifySignature: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
}

const CURVE_MODULE = 'libsignal/src/curve.js';

/**
 * Jest-only speed-up, no behaviour change. Jest runs modules in a vm context, where every global
 * lookup is ~30× slower; libsignal signs and verifies (XEdDSA) in pure JS whose field arithmetic
 * calls Math.floor in its inner loop, so one signature takes ~70 ms instead of ~7 ms, and every
 * handshake, pairing and new Signal session needs a few. This points the sandbox's libsignal
 * curve module (the one Baileys and the simulator use) at the same functions loaded in the main
 * realm. Outside Jest both are the same module and nothing changes. Returns the undo function.
 */
export function runCurveSignaturesInMainRealm(): () => void {
  const sandboxCurve = module.require(CURVE_MODULE) as CurveSignatures;
  const loader = Module as unknown as {
    _load(request: string, parent: null, isMain: boolean): unknown;
  };
  const mainRealmCurve = loader._load(
    require.resolve(CURVE_MODULE),
    null,
    false,
  ) as CurveSignatures;
  if (mainRealmCurve === sandboxCurve) {
    return () => undefined;
  }
  const { calculateSignature, verifySignature } = sandboxCurve;
  sandboxCurve.calculateSignature = mainRealmCurve.calculateSignature;
  sandboxCurve.verifySignature = mainRealmCurve.verifySignature;
  return () => {
    sandboxCurve.calculateSignature = calculateSignature;
    sandboxCurve.verifySignature = verifySignature;
  };
}
