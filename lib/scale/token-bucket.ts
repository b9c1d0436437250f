/**
 * A token bucket: holds up to `capacity`, refilling `capacity` every `periodMs` (a per-minute quota:
 * capacity = the quota, period = one minute). Bedrock's quotas behave like this: a call takes its
 * reservation when it starts, and tokens it did not use come back when it ends.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    private readonly periodMs: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Takes `amount` if the bucket holds it at `now`; otherwise takes nothing and returns false. */
  take(amount: number, now: number): boolean {
    this.refill(now);
    if (this.level < amount) return false;
    this.level -= amount;
    return true;
  }

  /** Puts back `amount` (never above capacity). */
  give(amount: number, now: number) {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + amount);
  }

  private refill(now: number) {
    this.level = Math.min(this.capacity, this.level + ((now - this.updatedAt) * this.capacity) / this.periodMs);
    this.updatedAt = now;
  }
}
