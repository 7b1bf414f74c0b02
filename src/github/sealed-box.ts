import { OperationError } from '../ui/errors.js';

/** Seals a secret's value for one repository: base64 of libsodium's sealed box, as GitHub requires. */
export type Sealer = (value: string, publicKeyBase64: string) => string;

/**
 * GitHub stores Actions secrets encrypted with the repository's Curve25519 public key in a
 * libsodium sealed box (an ephemeral key pair, so only GitHub can open it). libsodium is
 * WebAssembly that takes a few tens of milliseconds to start: loaded here, when a secret is
 * about to be sealed, never at CLI start-up.
 */
export async function loadSealer(): Promise<Sealer> {
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  return (value, publicKeyBase64) => {
    let key: Uint8Array;
    try {
      key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
    } catch (error) {
      throw new OperationError('the repository public key from GitHub is not base64', { cause: error });
    }
    if (key.length !== sodium.crypto_box_PUBLICKEYBYTES) {
      throw new OperationError(`the repository public key from GitHub is ${key.length} bytes, not ${sodium.crypto_box_PUBLICKEYBYTES}`);
    }
    return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), key), sodium.base64_variants.ORIGINAL);
  };
}
