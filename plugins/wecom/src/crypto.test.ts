import { describe, expect, it } from 'vitest';
import { CallbackCryptoError, createCallbackCrypto, decodeAesKey } from './crypto.ts';
import { buildWeComXml, parseWeComXml } from './xml.ts';

// Test vectors published with wechatpy's enterprise-crypto tests (token, key, corp id, a URL
// verification request, and an encrypted reply made with the random prefix "1234567890123456").
const vector = {
  token: '123456',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  corpId: 'wx49f0ab532d5d035a',
  verify: {
    msg_signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    timestamp: '1411443780',
    nonce: '437374425',
    echostr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
  },
  reply: {
    nonce: '461056294',
    timestamp: '1411525903',
    message:
      '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n' +
      '<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n' +
      '<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>',
    encrypt:
      '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
    signature: '407518b7649e86ef23978113f92d27afa9296533',
  },
};

const at = (seconds: string) => () => Number(seconds) * 1000;

function vectorCrypto(now: () => number, receiveId = vector.corpId) {
  return createCallbackCrypto({ token: vector.token, encodingAesKey: vector.encodingAesKey, receiveId, now });
}

function expectKind(fn: () => unknown, kind: CallbackCryptoError['kind']): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CallbackCryptoError);
    expect((error as CallbackCryptoError).kind).toBe(kind);
    return;
  }
  throw new Error(`expected a ${kind} error`);
}

describe('published test vectors', () => {
  it('verifies and decrypts the published URL-verification echostr', () => {
    expect(vectorCrypto(at(vector.verify.timestamp)).verifyUrl(vector.verify)).toBe('5927782489442352469');
  });

  it('rejects the same echostr under another nonce as a bad signature', () => {
    expectKind(() => vectorCrypto(at(vector.verify.timestamp)).verifyUrl({ ...vector.verify, nonce: '437374424' }), 'bad_signature');
  });

  it('encrypts and signs a reply byte for byte as the published vector', () => {
    const crypto = vectorCrypto(at(vector.reply.timestamp));
    const random = Buffer.from('1234567890123456');
    expect(crypto.encrypt(vector.reply.message, random)).toBe(vector.reply.encrypt);
    const reply = parseWeComXml(crypto.encryptReply(vector.reply.message, { random, nonce: vector.reply.nonce, timestamp: vector.reply.timestamp }));
    expect(reply).toEqual({ Encrypt: vector.reply.encrypt, MsgSignature: vector.reply.signature, TimeStamp: vector.reply.timestamp, Nonce: vector.reply.nonce });
  });

  it('decodes the EncodingAESKey to a 32-byte key', () => {
    expect(decodeAesKey(vector.encodingAesKey)).toHaveLength(32);
    expect(() => decodeAesKey('short')).toThrow(CallbackCryptoError);
  });
});

describe('callback round trip', () => {
  const now = 1_700_000_000_000;
  const crypto = vectorCrypto(() => now);
  const event = buildWeComXml({
    ToUserName: vector.corpId,
    FromUserName: 'sys',
    CreateTime: 1_700_000_000,
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: 'add_external_contact',
    UserID: 'zhangsan',
    ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
    State: '包裹卡-双11',
    WelcomeCode: 'WELCOMECODE',
  });

  it('decrypts what it encrypted, fields and all, including non-ASCII text', () => {
    const { body, query } = crypto.encryptCallback(event);
    const { xml, fields } = crypto.decryptCallback(query, body);
    expect(xml).toBe(event);
    expect(fields).toMatchObject({ ChangeType: 'add_external_contact', State: '包裹卡-双11', CreateTime: '1700000000' });
  });

  it('pads to 32-byte blocks, a full block when the plaintext is already aligned', () => {
    for (const length of [0, 1, 11, 12, 13, 44]) {
      const message = 'x'.repeat(length);
      const encrypted = Buffer.from(crypto.encrypt(message), 'base64');
      expect(encrypted.length % 32).toBe(0);
      expect(crypto.decrypt(crypto.encrypt(message))).toBe(message);
    }
    // 16 + 4 + 12 + corp id (18) = 50 bytes → padded to 64; 16 + 4 + 44 + 18 = 82 → 96 (never 0 padding).
    expect(Buffer.from(crypto.encrypt('x'.repeat(44)), 'base64')).toHaveLength(96);
  });

  it('refuses a body whose Encrypt was changed after signing', () => {
    const { body, query } = crypto.encryptCallback(event);
    const other = crypto.encryptCallback('<xml><a>1</a></xml>').body;
    const tampered = body.replace(/<Encrypt>.*<\/Encrypt>/, other.match(/<Encrypt>.*<\/Encrypt>/)![0]);
    expectKind(() => crypto.decryptCallback(query, tampered), 'bad_signature');
  });

  it('refuses a replay of a captured callback once it is older than the window', () => {
    const captured = crypto.encryptCallback(event);
    const sixMinutesLater = vectorCrypto(() => now + 6 * 60_000);
    expectKind(() => sixMinutesLater.decryptCallback(captured.query, captured.body), 'stale_timestamp');
    const fourMinutesLater = vectorCrypto(() => now + 4 * 60_000);
    expect(fourMinutesLater.decryptCallback(captured.query, captured.body).xml).toBe(event);
  });

  it('honours a configured window', () => {
    const captured = crypto.encryptCallback(event);
    const strict = createCallbackCrypto({ token: vector.token, encodingAesKey: vector.encodingAesKey, receiveId: vector.corpId, maxSkewSeconds: 30, now: () => now + 31_000 });
    expectKind(() => strict.decryptCallback(captured.query, captured.body), 'stale_timestamp');
  });

  it('refuses a message encrypted for another corp', () => {
    const otherCorp = vectorCrypto(() => now, 'wwOtherCorp');
    const { body, query } = otherCorp.encryptCallback(event);
    expectKind(() => crypto.decryptCallback(query, body), 'wrong_receive_id');
  });

  it('refuses malformed XML and an envelope without Encrypt', () => {
    expectKind(() => crypto.decryptCallback({ msg_signature: 'x', timestamp: '1', nonce: '1' }, '<xml><Encrypt>abc</xml>'), 'malformed_xml');
    expectKind(() => crypto.decryptCallback({ msg_signature: 'x', timestamp: '1', nonce: '1' }, '<xml><ToUserName>a</ToUserName></xml>'), 'malformed_xml');
    expectKind(() => crypto.decryptCallback({ msg_signature: 'x', timestamp: '1', nonce: '1' }, 'not xml at all'), 'malformed_xml');
  });

  it('refuses bad padding and broken payloads', () => {
    // A ciphertext whose last block is corrupted decrypts to garbage padding.
    const bytes = Buffer.from(crypto.encrypt('hello'), 'base64');
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    expect(() => crypto.decrypt(bytes.toString('base64'))).toThrow(CallbackCryptoError);
    expectKind(() => crypto.decrypt('not base64!'), 'malformed_payload');
    expectKind(() => crypto.decrypt(Buffer.alloc(20).toString('base64')), 'malformed_payload');
    // Base64 only: a stray character, a line break or an empty Encrypt is refused; padding may be left off.
    const good = crypto.encrypt('hello');
    expect(good.endsWith('=')).toBe(true);
    expect(crypto.decrypt(good.replace(/=+$/, ''))).toBe('hello');
    expectKind(() => crypto.decrypt(`${good.slice(0, 10)}*${good.slice(10)}`), 'malformed_payload');
    expectKind(() => crypto.decrypt(`${good.slice(0, 10)}\n${good.slice(10)}`), 'malformed_payload');
    expectKind(() => crypto.decrypt(`${good}=`), 'malformed_payload');
    expectKind(() => crypto.decrypt(''), 'malformed_payload');
  });

  it('builds a passive reply that verifies like a callback', () => {
    const reply = parseWeComXml(crypto.encryptReply('<xml><Content>ok</Content></xml>', { nonce: 'n1' }));
    const query = { msg_signature: String(reply.MsgSignature), timestamp: String(reply.TimeStamp), nonce: String(reply.Nonce) };
    expect(crypto.decryptCallback(query, buildWeComXml({ Encrypt: String(reply.Encrypt) })).fields).toEqual({ Content: 'ok' });
  });
});
