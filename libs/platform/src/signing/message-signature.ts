import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { ConfigurationError } from '../config/load-config.js';
import { loadJsonFile } from '../config/load-json-file.js';
import { PUBLISHED_DEMO_PUBLIC_KEYS } from '../config/demo-mode.js';
import { RefusalError } from '../refusals.js';

/**
 * Who signed a Kafka message and the Ed25519 signature (base64), so that a consumer knows the
 * sender from its key and not from what the payload says. The signature covers
 * `cie-signature-v1`, the topic, the `ce_id` and the SHA-256 of the value: moved to another topic,
 * given another id or another payload, it no longer verifies.
 */
export const SIGNER_HEADER = 'cie_signer';
export const SIGNATURE_HEADER = 'cie_signature';

const ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** The bytes a message signature covers. */
export function signedBytes(topic: string, eventId: string, value: Buffer): Buffer {
  const digest = createHash('sha256').update(value).digest('hex');
  return Buffer.from(`cie-signature-v1\n${topic}\n${eventId}\n${digest}`, 'utf8');
}

/** A private Ed25519 key as stored in a signing keys file: base64 of its PKCS#8 DER, or PEM. */
export function privateKeyOf(text: string): KeyObject {
  const key = text.includes('-----BEGIN')
    ? createPrivateKey(text)
    : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be an Ed25519 key');
  return key;
}

/** A public Ed25519 key as stored in a keys file: base64 of its SPKI DER, or PEM. */
export function publicKeyOf(text: string): KeyObject {
  const key = text.includes('-----BEGIN')
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the public key must be an Ed25519 key');
  return key;
}

/** The base64 SPKI DER of a public key, as keys files hold it. */
export const publicKeyText = (key: KeyObject): string =>
  (key.type === 'public' ? key : createPublicKey(key))
    .export({ format: 'der', type: 'spki' })
    .toString('base64');

/** Signs the messages one sender produces. */
export class MessageSigner {
  constructor(
    readonly signerId: string,
    private readonly key: KeyObject,
  ) {}

  /** The headers to add to a message of `topic` with ce_id `eventId` and this value. */
  headers(topic: string, eventId: string, value: Buffer): Record<string, string> {
    return {
      [SIGNER_HEADER]: this.signerId,
      [SIGNATURE_HEADER]: sign(null, signedBytes(topic, eventId, value), this.key).toString('base64'),
    };
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * The public keys of the senders of one topic (subscribers for acks, agencies for submissions).
 * `verify` gives the signer whose key verifies the message, or throws a RefusalError: `unsigned`
 * (no signature or no ce_id), `unknown_signer`, `bad_signature`.
 */
export class SignerKeys {
  constructor(private readonly keys: ReadonlyMap<string, KeyObject>) {}

  has(signerId: string): boolean {
    return this.keys.has(signerId);
  }

  verify(topic: string, message: { headers?: IHeaders; value: Buffer | null }): string {
    const signer = header(message.headers, SIGNER_HEADER);
    const signature = header(message.headers, SIGNATURE_HEADER);
    const eventId = header(message.headers, 'ce_id');
    if (!signer || !signature)
      throw new RefusalError('unsigned', `headers ${SIGNER_HEADER} and ${SIGNATURE_HEADER} are required`);
    if (!eventId) throw new RefusalError('unsigned', 'header ce_id is required: the signature covers it');
    const key = this.keys.get(signer);
    if (!key) throw new RefusalError('unknown_signer', `no public key for signer ${signer.slice(0, 64)}`);
    const ok = verify(
      null,
      signedBytes(topic, eventId, message.value ?? Buffer.alloc(0)),
      key,
      Buffer.from(signature, 'base64'),
    );
    if (!ok) throw new RefusalError('bad_signature', `the signature does not verify under ${signer}'s key`);
    return signer;
  }
}

class PublicKeyEntry {
  @Matches(ID, { message: 'id must be lower-case letters, digits and hyphens' })
  id!: string;

  /** Base64 of the Ed25519 public key's SPKI DER (or PEM). */
  @IsString()
  @MinLength(40)
  publicKey!: string;
}

class PublicKeysFile {
  /** For people, e.g. that these are published demo keys. */
  @IsOptional()
  @IsString()
  comment?: string;

  @ValidateNested({ each: true })
  @Type(() => PublicKeyEntry)
  @ArrayMinSize(1)
  keys!: PublicKeyEntry[];
}

class PrivateKeyEntry {
  @Matches(ID, { message: 'id must be lower-case letters, digits and hyphens' })
  id!: string;

  /** Base64 of the Ed25519 private key's PKCS#8 DER (or PEM). */
  @IsString()
  @MinLength(40)
  privateKey!: string;
}

class PrivateKeysFile {
  /** For people, e.g. that these are published demo keys. */
  @IsOptional()
  @IsString()
  comment?: string;

  @ValidateNested({ each: true })
  @Type(() => PrivateKeyEntry)
  @ArrayMinSize(1)
  keys!: PrivateKeyEntry[];
}

/**
 * Public keys by signer id from `{"keys": [{"id", "publicKey"}]}`; a bad or duplicate entry, or
 * outside DEMO_MODE a published demo key, stops the service.
 */
export function loadSignerKeys(variable: string, file: string, options: { demoMode: boolean }): SignerKeys {
  const parsed = loadJsonFile(variable, file, PublicKeysFile);
  return signerKeysOf(
    `${variable} ${file}`,
    parsed.keys.map((k) => ({ id: k.id, publicKey: k.publicKey })),
    options,
  );
}

/** The same checks for keys that come from another file (agencies' keys in AGENCY_KEYS_FILE). */
export function signerKeysOf(
  label: string,
  entries: readonly { id: string; publicKey: string }[],
  options: { demoMode: boolean },
): SignerKeys {
  const keys = new Map<string, KeyObject>();
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [i, entry] of entries.entries()) {
    if (keys.has(entry.id)) problems.push(`${label}: keys[${i}] ${entry.id} is listed twice`);
    try {
      const key = publicKeyOf(entry.publicKey);
      const text = publicKeyText(key);
      const other = seen.get(text);
      if (other !== undefined) problems.push(`${label}: ${entry.id} has the same public key as ${other}`);
      if (!options.demoMode && PUBLISHED_DEMO_PUBLIC_KEYS.has(text))
        problems.push(
          `${label}: ${entry.id} has a published demo public key; set your own keys or DEMO_MODE=1`,
        );
      seen.set(text, entry.id);
      keys.set(entry.id, key);
    } catch (error) {
      problems.push(`${label}: keys[${i}].publicKey ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return new SignerKeys(keys);
}

/**
 * The signer for `signerId` from a `{"keys": [{"id", "privateKey"}]}` file; missing or bad, or
 * outside DEMO_MODE one of the published demo keys, stops the service.
 */
export function loadMessageSigner(
  variable: string,
  file: string,
  signerId: string,
  options: { demoMode: boolean },
): MessageSigner {
  const parsed = loadJsonFile(variable, file, PrivateKeysFile);
  const entry = parsed.keys.find((k) => k.id === signerId);
  if (!entry) throw new ConfigurationError([`${variable} ${file}: holds no key for ${signerId}`]);
  let key: KeyObject;
  try {
    key = privateKeyOf(entry.privateKey);
  } catch (error) {
    throw new ConfigurationError([`${variable} ${file}: ${signerId}.privateKey ${(error as Error).message}`]);
  }
  if (!options.demoMode && PUBLISHED_DEMO_PUBLIC_KEYS.has(publicKeyText(key)))
    throw new ConfigurationError([
      `${variable} ${file}: ${signerId} has a published demo key; set your own keys or DEMO_MODE=1`,
    ]);
  return new MessageSigner(signerId, key);
}

/** A signing keys file's content for one signer (tests and tools that make fresh keys). */
export const signingKeysFileOf = (signerId: string, key: KeyObject): string =>
  JSON.stringify({
    keys: [{ id: signerId, privateKey: key.export({ format: 'der', type: 'pkcs8' }).toString('base64') }],
  });
