import { describe, expect, it } from 'vitest';
import { callbackDedupeKey, parseCallbackEvent } from './events.ts';
import { parseWeComXml } from './xml.ts';

// The decrypted sample from WeCom's event page (notes §3).
const documentedSample = `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[sys]]></FromUserName>
  <CreateTime>1403610513</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[change_external_contact]]></Event>
  <ChangeType><![CDATA[add_external_contact]]></ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
  <ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>
  <State><![CDATA[teststate]]></State>
  <WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`;

describe('callback events', () => {
  it('reads the documented add_external_contact sample', () => {
    expect(parseCallbackEvent(parseWeComXml(documentedSample))).toEqual({
      ToUserName: 'toUser',
      FromUserName: 'sys',
      CreateTime: 1403610513,
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      State: 'teststate',
      WelcomeCode: 'WELCOMECODE',
    });
  });

  it('tells apart two adds in the same second, and not two deliveries of one', () => {
    const one = parseCallbackEvent(parseWeComXml(documentedSample))!;
    const other = parseCallbackEvent(parseWeComXml(documentedSample.replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'wmOther')))!;
    expect(callbackDedupeKey(one)).toBe(callbackDedupeKey(parseCallbackEvent(parseWeComXml(documentedSample))!));
    expect(callbackDedupeKey(one)).not.toBe(callbackDedupeKey(other));
  });

  it('returns undefined for an event outside the subset', () => {
    expect(parseCallbackEvent(parseWeComXml('<xml><MsgType>event</MsgType><Event>subscribe</Event></xml>'))).toBeUndefined();
  });
});
