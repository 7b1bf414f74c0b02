import { generateKeyPairSync } from 'node:crypto';

/** An ed25519 key pair for a deploy key: the private half for the cluster, the public half for GitHub. */
export interface SshKeyPair {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), which Flux's SSH library reads. Secret: never printed. */
  privateKey: string;
  /** OpenSSH form, `ssh-ed25519 AAAA… <comment>`. */
  publicKey: string;
}

export function generateSshKeyPair(comment: string): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  if (x === undefined) throw new Error('internal: an ed25519 public key exported as JWK has no x');
  const raw = Buffer.from(x, 'base64url');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: `${openSshEd25519(raw)} ${comment}`,
  };
}

/** The SSH wire form of an ed25519 public key: string "ssh-ed25519", then the 32-byte key, each length-prefixed. */
function openSshEd25519(raw: Buffer): string {
  const field = (data: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}

/** `type base64` of an OpenSSH public key, without its comment: how GitHub lists it, and how keys compare. */
export function keyBody(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(' ');
}
