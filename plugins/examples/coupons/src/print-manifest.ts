// Prints the manifest to publish: `PUBLIC_URL=https://coupons.example.com pnpm manifest > manifest.json`.
import { couponManifest } from './plugin.ts';

const baseUrl = process.env.PUBLIC_URL;
if (!baseUrl) {
  console.error('Set PUBLIC_URL to the https address Courtyard will call, e.g. https://coupons.example.com/courtyard');
  process.exit(1);
}
console.log(JSON.stringify(couponManifest(baseUrl), null, 2));
