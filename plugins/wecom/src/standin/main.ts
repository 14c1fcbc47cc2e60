import { startWeComStandIn } from './index.ts';

// Runs the stand-in as its own process: `pnpm --filter @courtyard/wecom standin`.
// Settings come from the environment so the demo and e2e can start it like the real service.
const env = process.env;
const standIn = await startWeComStandIn({
  port: Number(env.WECOM_STANDIN_PORT ?? 4780),
  host: env.WECOM_STANDIN_HOST ?? '127.0.0.1',
  corpId: env.WECOM_CORP_ID ?? 'wwstandin0000000001',
  token: env.WECOM_CALLBACK_TOKEN ?? 'standinToken',
  encodingAesKey: env.WECOM_ENCODING_AES_KEY ?? 'c3RhbmRpbmtleXN0YW5kaW5rZXlzdGFuZGlua2V5c3R',
  ...(env.WECOM_CALLBACK_URL ? { callbackUrl: env.WECOM_CALLBACK_URL } : {}),
  apps: [{ secret: env.WECOM_SECRET ?? 'standin-secret', customerContact: true }],
  ...(env.WECOM_STANDIN_PER_MINUTE ? { perMinute: Number(env.WECOM_STANDIN_PER_MINUTE) } : {}),
});
for (const userid of (env.WECOM_STANDIN_STAFF ?? 'zhangsan,lisi,wangwu').split(',').filter(Boolean)) standIn.addStaff({ userid });

console.log(`WeCom stand-in listening on ${standIn.url} (control API under ${standIn.url}/__standin/)`);
const stop = () => void standIn.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
