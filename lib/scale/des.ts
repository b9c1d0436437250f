/**
 * A small discrete-event simulation core: a clock, a time-ordered event heap (ties run in the order
 * they were scheduled, so a seeded run is reproducible), and a FIFO resource with `capacity` servers.
 */
export class Simulation {
  now = 0;
  private heap: { t: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  /** Events run so far. */
  events = 0;

  /** Runs `run` at time `t` (never before now). */
  at(t: number, run: () => void) {
    this.push({ t: Math.max(t, this.now), seq: this.seq++, run });
  }

  after(delay: number, run: () => void) {
    this.at(this.now + delay, run);
  }

  /** Runs events in time order until none are left or the next one is after `until`. */
  run(until = Number.POSITIVE_INFINITY) {
    while (this.heap.length > 0 && this.heap[0].t <= until) {
      const next = this.pop();
      this.now = next.t;
      this.events += 1;
      next.run();
    }
  }

  private before(a: { t: number; seq: number }, b: { t: number; seq: number }) {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private push(item: { t: number; seq: number; run: () => void }) {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop() {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.before(heap[l], heap[m])) m = l;
        if (r < heap.length && this.before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}

/** `capacity` servers and a first-come-first-served queue in front of them. */
export class FifoResource {
  busy = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get queueLength() {
    return this.waiting.length;
  }

  /** Calls `start` as soon as a server is free (now, or when one is released). */
  acquire(start: () => void) {
    if (this.busy < this.capacity) {
      this.busy += 1;
      start();
    } else {
      this.waiting.push(start);
    }
  }

  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy -= 1;
  }
}

/** Exponentially distributed with the given rate (mean 1 / rate), from a uniform in [0, 1). */
export const exponential = (rate: number, uniform: number) => -Math.log(1 - uniform) / rate;

/**
 * Erlang C: mean wait in queue of an M/M/c queue (arrival rate λ, service rate μ per server, c servers).
 * Requires λ < cμ.
 */
export function erlangCWait(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  const rho = a / c;
  if (rho >= 1) return Number.POSITIVE_INFINITY;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - rho);
  const waitProbability = last / (sum + last);
  return waitProbability / (c * mu - lambda);
}
