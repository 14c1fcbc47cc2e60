// Serves the built admin (admin/dist) on every path that is not the GraphQL endpoint: hashed
// assets cached for a year, and index.html for any other path so the admin's own routes load.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

export interface AdminOptions {
  /** Folder of the built admin. Default `admin/dist` of this checkout (env COURTYARD_ADMIN_DIR). */
  dir?: string;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function defaultAdminDir(): string {
  return process.env.COURTYARD_ADMIN_DIR ?? fileURLToPath(new URL('../../admin/dist', import.meta.url));
}

export function createAdminHandler(options: AdminOptions = {}): AdminHandler {
  const dir = options.dir ?? defaultAdminDir();
  // Files are looked up per request (sirv's `dev` mode), not listed once at start: a rebuild of the
  // admin while the API runs serves the new files instead of failing on the vanished old ones.
  const serve = sirv(dir, {
    dev: true,
    single: true,
    etag: true,
    setHeaders: (res, pathname) => {
      // Hashed asset names change with their content: cache them for good; index.html never.
      res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public,max-age=31536000,immutable' : 'no-cache');
    },
  });
  return (req, res) => {
    if (!existsSync(`${dir}/index.html`)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The admin is not built. Run `pnpm --filter @courtyard/admin build` (pnpm start does), or `pnpm dev` for hot reload. The API is at /graphql.\n');
      return;
    }
    serve(req, res);
  };
}
