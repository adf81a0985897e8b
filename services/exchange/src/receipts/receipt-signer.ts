import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signingKeyId } from '@cie/contracts';
import { ConfigurationError } from '@cie/platform';

/** Key id of deploy/local/check-signing-key.demo.pem: published, so refused outside DEMO_MODE wherever it was copied. */
export const DEMO_SIGNING_KEY_ID = 'ab0061bf1a9b9da4';

/** The exchange's Ed25519 signing key for receipts, read once at start; a bad key stops the exchange. */
export class ReceiptSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.keyId = signingKeyId(publicKey);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  static fromFile(file: string, options: { demoMode: boolean }): ReceiptSigner {
    const problem = (detail: string) =>
      new ConfigurationError([`CHECK_SIGNING_KEY_FILE: ${file}: ${detail}`]);
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(file, 'utf8'));
    } catch (error) {
      throw problem(`cannot read a PKCS#8 PEM private key (${(error as Error).message})`);
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw problem(`is an ${key.asymmetricKeyType ?? 'unknown'} key; receipts are signed with Ed25519`);
    const signer = new ReceiptSigner(key);
    if (!options.demoMode && signer.keyId === DEMO_SIGNING_KEY_ID)
      throw problem('is the published demo signing key; set your own or DEMO_MODE=1');
    return signer;
  }

  /** The Ed25519 signature of exactly these bytes. */
  sign(bytes: Uint8Array): Buffer {
    return sign(null, bytes, this.privateKey);
  }
}
