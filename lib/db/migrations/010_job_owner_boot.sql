-- A local job's owner is told apart from a later process that reuses its pid, or runs after a reboot
-- or under a renamed host: the machine's boot id (/proc/sys/kernel/random/boot_id) joins pid, host
-- and process start time. Jobs are created already owned (one statement); the next open fails
-- ownerless pending ones after a grace period.
ALTER TABLE jobs ADD COLUMN owner_boot_id VARCHAR(64);
CREATE INDEX IF NOT EXISTS jobs_unfinished_owner ON jobs (owner_pid) WHERE status IN ('pending', 'running');
