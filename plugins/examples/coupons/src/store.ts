import { randomBytes } from 'node:crypto';

export type IssueOutcome = { issued: true; code: string; again: boolean } | { issued: false };

/**
 * Coupon stock per workspace and batch code, in memory: a real partner keeps this in its own
 * database. Issuing is idempotent per key, so a retried batch hands back the coupons it already
 * issued and takes nothing more from the stock.
 */
export class CouponStore {
  private readonly issuedByKey = new Map<string, string>();
  private readonly issuedCount = new Map<string, number>();

  /** Issues one coupon per key while the pool's stock lasts, in the order given. */
  issue(pool: { workspaceId: string; batchCode: string; stock: number }, keys: readonly string[]): IssueOutcome[] {
    const poolKey = `${pool.workspaceId}/${pool.batchCode}`;
    return keys.map((key) => {
      const seen = this.issuedByKey.get(`${poolKey}/${key}`);
      if (seen) return { issued: true, code: seen, again: true };
      const count = this.issuedCount.get(poolKey) ?? 0;
      if (count >= pool.stock) return { issued: false };
      const code = `${pool.batchCode}-${randomBytes(5).toString('hex').toUpperCase()}`;
      this.issuedCount.set(poolKey, count + 1);
      this.issuedByKey.set(`${poolKey}/${key}`, code);
      return { issued: true, code, again: false };
    });
  }

  /** Coupons of the pool issued so far. */
  issued(workspaceId: string, batchCode: string): number {
    return this.issuedCount.get(`${workspaceId}/${batchCode}`) ?? 0;
  }

  /** Forgets a workspace (its installation was removed). */
  dropWorkspace(workspaceId: string): void {
    for (const map of [this.issuedByKey, this.issuedCount]) {
      for (const key of map.keys()) if (key.startsWith(`${workspaceId}/`)) map.delete(key);
    }
  }
}
