import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './random.ts';
import { buildWeComXml, MalformedXmlError, parseWeComXml, type XmlFields } from './xml.ts';

// WeCom's callback crypto (加解密方案, the WXBizMsgCrypt scheme): see shared/notes/wecom-api.md §2.
// msg_signature = sha1(sorted(token, timestamp, nonce, msg_encrypt).join('')), lowercase hex;
// msg_encrypt = base64(AES-256-CBC(random16 + len32be + msg + receiveid)), key = base64(EncodingAESKey + '='),
// IV = key[0..16), PKCS#7 padding to a multiple of 32 bytes.

const PAD_BLOCK = 32;

export type CallbackCryptoErrorKind =
  | 'bad_signature'
  | 'stale_timestamp'
  | 'wrong_receive_id'
  | 'malformed_xml'
  | 'bad_padding'
  | 'malformed_payload'
  | 'bad_config';

/** A callback that must be refused; `kind` says why (forged, replayed, for another corp, or broken). */
export class CallbackCryptoError extends Error {
  override readonly name = 'CallbackCryptoError';
  constructor(readonly kind: CallbackCryptoErrorKind, message: string) {
    super(message);
  }
}

export interface CallbackCryptoOptions {
  /** The callback Token configured in WeCom (letters/digits, ≤ 32 chars). */
  token: string;
  /** The 43-character EncodingAESKey configured in WeCom. */
  encodingAesKey: string;
  /** The receiveid: the corp id for a corp's own app (suite id for third-party apps). */
  receiveId: string;
  /** How far a callback's timestamp may be from now before it is refused as replayed; default 300 s. */
  maxSkewSeconds?: number;
  /** Current time in ms; default `Date.now`. */
  now?: () => number;
}

/** The query WeCom signs a callback with. */
export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

export interface CallbackCrypto {
  signature(timestamp: string, nonce: string, encrypted: string): string;
  /** Encrypts a message; `random` (16 bytes) is for reproducible tests only. */
  encrypt(message: string, random?: Buffer): string;
  /** Decrypts without any signature check, refusing another receiveid. */
  decrypt(encrypted: string): string;
  /** GET URL verification: checks the signature over echostr and returns the plaintext to answer with. */
  verifyUrl(query: SignedQuery & { echostr: string }): string;
  /** POST event delivery: checks the envelope, signature and timestamp; returns the decrypted XML and its fields. */
  decryptCallback(query: SignedQuery, body: string): { xml: string; fields: XmlFields };
  /** What WeCom (or the stand-in) sends: the envelope body and the query to POST it with. */
  encryptCallback(message: string, options?: EnvelopeOptions): { body: string; query: SignedQuery };
  /** A passive reply: encrypted XML with Encrypt, MsgSignature, TimeStamp and Nonce. */
  encryptReply(message: string, options?: EnvelopeOptions): string;
}

export interface EnvelopeOptions {
  timestamp?: string;
  nonce?: string;
  /** Defaults to the receiveid (the corp id). */
  toUserName?: string;
  agentId?: string;
  random?: Buffer;
}

/** Decodes an EncodingAESKey into the 32-byte AES key. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new CallbackCryptoError('bad_config', 'EncodingAESKey must be 43 letters or digits');
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

export function callbackSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

function signaturesMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

function pkcs7Pad(data: Buffer): Buffer {
  const pad = PAD_BLOCK - (data.length % PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

function pkcs7Unpad(data: Buffer): Buffer {
  const pad = data.at(-1) ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > data.length) throw new CallbackCryptoError('bad_padding', 'bad PKCS#7 padding');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new CallbackCryptoError('bad_padding', 'bad PKCS#7 padding');
  }
  return data.subarray(0, data.length - pad);
}

/** `text` is `data` in standard base64, with or without its padding. */
function isCanonicalBase64(text: string, data: Buffer): boolean {
  if (data.length === 0) return false;
  const canonical = data.toString('base64');
  const end = canonical.endsWith('==') ? canonical.length - 2 : canonical.endsWith('=') ? canonical.length - 1 : canonical.length;
  return text === canonical || (text.length === end && canonical.startsWith(text));
}

export function createCallbackCrypto(options: CallbackCryptoOptions): CallbackCrypto {
  const key = decodeAesKey(options.encodingAesKey);
  const iv = key.subarray(0, 16);
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;

  const signature = (timestamp: string, nonce: string, encrypted: string) =>
    callbackSignature(options.token, timestamp, nonce, encrypted);

  function encrypt(message: string, random: Buffer = pooledRandomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(options.receiveId, 'utf8')]));
    const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  function decrypt(encrypted: string): string {
    // Node's decoder skips what is not base64, so the text must read back the same (padding aside):
    // one native encode instead of a regular expression over ~1 KB, once per callback.
    const data = Buffer.from(encrypted, 'base64');
    if (!isCanonicalBase64(encrypted, data)) throw new CallbackCryptoError('malformed_payload', 'Encrypt is not base64');
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new CallbackCryptoError('malformed_payload', 'Encrypt is not a whole number of AES blocks');
    }
    const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    const plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
    if (plain.length < 20) throw new CallbackCryptoError('malformed_payload', 'decrypted message too short');
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) throw new CallbackCryptoError('malformed_payload', 'message length exceeds the payload');
    const receiveId = plain.subarray(20 + length).toString('utf8');
    if (receiveId !== options.receiveId) {
      throw new CallbackCryptoError('wrong_receive_id', `message is for receiveid ${JSON.stringify(receiveId)}`);
    }
    return plain.subarray(20, 20 + length).toString('utf8');
  }

  function checkSigned(query: SignedQuery, encrypted: string): void {
    if (!signaturesMatch(signature(query.timestamp, query.nonce, encrypted), query.msg_signature ?? '')) {
      throw new CallbackCryptoError('bad_signature', 'msg_signature does not match');
    }
    // The signature covers the timestamp, so checking it after the signature makes a replay of a
    // captured request fail once it is older than the window, whatever else it carries.
    const seconds = Number(query.timestamp);
    if (!/^\d+$/.test(query.timestamp) || Math.abs(now() - seconds * 1000) > maxSkewMs) {
      throw new CallbackCryptoError('stale_timestamp', `timestamp ${query.timestamp} is outside the allowed window`);
    }
  }

  function envelopeQuery(encrypted: string, o: EnvelopeOptions): SignedQuery {
    const timestamp = o.timestamp ?? String(Math.floor(now() / 1000));
    const nonce = o.nonce ?? String(pooledRandomBytes(4).readUInt32BE());
    return { msg_signature: signature(timestamp, nonce, encrypted), timestamp, nonce };
  }

  return {
    signature,
    encrypt,
    decrypt,
    verifyUrl(query) {
      checkSigned(query, query.echostr);
      return decrypt(query.echostr);
    },
    decryptCallback(query, body) {
      let envelope: XmlFields;
      try {
        envelope = parseWeComXml(body);
      } catch (error) {
        if (error instanceof MalformedXmlError) throw new CallbackCryptoError('malformed_xml', error.message);
        throw error;
      }
      const encrypted = envelope.Encrypt;
      if (typeof encrypted !== 'string' || encrypted === '') {
        throw new CallbackCryptoError('malformed_xml', 'the envelope has no Encrypt element');
      }
      checkSigned(query, encrypted);
      const xml = decrypt(encrypted);
      try {
        return { xml, fields: parseWeComXml(xml) };
      } catch (error) {
        if (error instanceof MalformedXmlError) throw new CallbackCryptoError('malformed_xml', error.message);
        throw error;
      }
    },
    encryptCallback(message, o = {}) {
      const encrypted = encrypt(message, o.random);
      const query = envelopeQuery(encrypted, o);
      const body = buildWeComXml({ ToUserName: o.toUserName ?? options.receiveId, AgentID: o.agentId, Encrypt: encrypted });
      return { body, query };
    },
    encryptReply(message, o = {}) {
      const encrypted = encrypt(message, o.random);
      const query = envelopeQuery(encrypted, o);
      return buildWeComXml({ Encrypt: encrypted, MsgSignature: query.msg_signature, TimeStamp: Number(query.timestamp), Nonce: query.nonce });
    },
  };
}
