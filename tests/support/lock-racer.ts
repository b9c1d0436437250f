// A child process for the lock race test: waits for the start time, then tries to lock the directory.
import { acquireDirectoryLock } from "../../lib/db/directory-lock.js";

const [dir, startAt, holdMs] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // spin, so both racers call acquire in the same millisecond
}
try {
  acquireDirectoryLock(dir);
  process.stdout.write("locked\n");
  setTimeout(() => process.exit(0), Number(holdMs));
} catch (error) {
  process.stdout.write(`refused: ${(error as Error).message}\n`);
}
