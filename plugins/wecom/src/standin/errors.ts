// How the stand-in fails: WeCom's errcode in the body, errmsg with WeCom's tail (notes §1 "Shape of an error errmsg").

export class StandInError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

let hint = 0;

export function weComErrmsg(code: number, text: string, ip: string): string {
  hint++;
  return `${text}, hint: [${(1_700_000_000 + hint).toString(36)}-standin], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;
}

export const errors = {
  missingToken: () => new StandInError(41001, 'access_token missing'),
  invalidToken: () => new StandInError(40014, 'invalid access_token'),
  expiredToken: () => new StandInError(42001, 'access_token expired'),
  invalidCorpId: () => new StandInError(40013, 'invalid corpid'),
  invalidSecret: () => new StandInError(40001, 'invalid credential, access_token is invalid or not latest'),
  rateLimited: () => new StandInError(45009, 'api freq out of limit'),
  forbidden: () => new StandInError(48002, 'api forbidden'),
  systemBusy: () => new StandInError(-1, 'system busy'),
  // The notes do not give the code for a member userid WeCom does not know; 60111 (UserID不存在)
  // is what WeCom's global code page uses for it, so the stand-in answers that (unverified here).
  unknownUser: (userid: string) => new StandInError(60111, `userid not found: ${userid}`),
  invalidExternalUser: (id: string) => new StandInError(40096, `invalid external userid: ${id}`),
  noRelation: () => new StandInError(84061, 'not external contact'),
  noCustomerToSend: () => new StandInError(41048, 'no external contact to send'),
  invalidWelcomeCode: () => new StandInError(41050, 'invalid welcome code'),
  alreadyChatting: () => new StandInError(41051, 'externaluser has started chatting'),
  // The notes give no code for a malformed body or an unknown id; 40058 (不合法的参数) is WeCom's
  // generic "invalid parameter" in its global code page, so the stand-in uses it (unverified here).
  invalidParameter: (detail: string) => new StandInError(40058, `invalid parameter: ${detail}`),
  // Not in the notes either: 40007 (不合法的媒体文件id) is the global code page's answer for a media_id
  // WeCom does not know (never uploaded, or past its 3 days), so the stand-in uses it (unverified here).
  invalidMediaId: (id: string) => new StandInError(40007, `invalid media_id: ${id}`),
};
