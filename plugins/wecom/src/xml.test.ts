import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildWeComXml, MalformedXmlError, parseWeComXml } from './xml.ts';

// The full parser with the options parseWeComXml uses: flat documents must read exactly as it reads them.
const full = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, ignoreDeclaration: true, cdataPropName: false, processEntities: true });
const reference = (xml: string) => {
  const root = (full.parse(xml) as { xml: unknown }).xml;
  return root === '' ? {} : root;
};

describe('parseWeComXml', () => {
  const documents = [
    buildWeComXml({ ToUserName: 'wwcorp', AgentID: '1000002', Encrypt: 'a'.repeat(700) + '==' }),
    buildWeComXml({ ToUserName: 'wwcorp', FromUserName: 'sys', CreateTime: 1403610513, MsgType: 'event', Event: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', State: 'teststate', WelcomeCode: 'WELCOMECODE' }),
    '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <ToUserName><![CDATA[toUser]]></ToUserName>\n  <CreateTime>1403610513</CreateTime>\n  <Note><![CDATA[  spaced ] and ]] and <b> & ]]></Note>\n</xml>\n',
    '<xml><A>  trimmed text  </A><B></B><C><![CDATA[]]></C><D>a > b</D></xml>',
    '<xml></xml>',
    // Not flat: these take the full parser, and read as it reads them.
    '<xml><MemChangeList><Item><![CDATA[wm1]]></Item><Item><![CDATA[wm2]]></Item></MemChangeList></xml>',
    '<xml><A>fish &amp; chips</A></xml>',
    '<xml><A>1</A><A>2</A></xml>',
    '<xml><A> <![CDATA[x]]> </A></xml>',
    '<xml><A x="1">v</A></xml>',
    '<xml><!-- note --><A>v</A></xml>',
    '<xml><A/></xml>',
  ];

  it.each(documents)('reads %s as the full parser does', (xml) => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parseWeComXml(xml)).toEqual(reference(xml));
  });

  it.each(['<xml><Encrypt>', '<xml><A>v</B></xml>', '<xml><A><![CDATA[v]]></A>', 'not xml', '<xml><A>v</A></xml><xml></xml>'])('refuses %s as malformed', (xml) => {
    expect(() => parseWeComXml(xml)).toThrow(MalformedXmlError);
  });
});

describe('buildWeComXml', () => {
  it('writes a flat document as WeCom does: strings in CDATA, numbers as text, in the order given', () => {
    expect(buildWeComXml({ ToUserName: 'wwcorp', CreateTime: 1403610513, AgentID: undefined, Encrypt: 'abc==' })).toBe(
      '<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><CreateTime>1403610513</CreateTime><Encrypt><![CDATA[abc==]]></Encrypt></xml>',
    );
  });

  it.each([
    { Note: 'a ]]> inside CDATA', Other: 'x' },
    { ChatId: 'wr1', MemChangeList: { Item: ['wm1', 'wm2'] } },
  ])('writes what is not flat through the library, readable as written: %j', (fields) => {
    const xml = buildWeComXml(fields as never);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.startsWith('<xml>') && xml.endsWith('</xml>')).toBe(true);
    if ('Note' in fields) expect(parseWeComXml(xml)).toEqual(fields);
  });
});
