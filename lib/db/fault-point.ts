import { writeSync } from "node:fs";

/**
 * A fault-test hook: when `ALEX_FAULT_PAUSE` names `point`, says so on stderr and stops this thread for
 * good (the test then kills the process there), so each window is hit deterministically, not by timing.
 * Without the variable it does nothing.
 */
export function pauseAtFaultPoint(point: string): void {
  if (process.env.ALEX_FAULT_PAUSE !== point) return;
  writeSync(2, `alex-fault: paused at ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
