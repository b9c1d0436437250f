-- One row per span of an agent run (Agents SDK tracing): agent, turn, model call, tool call, guardrail.
-- Written by the agent tasks at the end of each task; read by `alex show JOB --trace` and index.html.
CREATE TABLE job_traces (
  job_id        UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  span_id       TEXT NOT NULL,
  parent_id     TEXT,
  trace_id      TEXT NOT NULL,
  execution_id  VARCHAR(2048),
  state         VARCHAR(80) NOT NULL,
  kind          VARCHAR(20) NOT NULL,
  name          TEXT NOT NULL,
  started_at    TIMESTAMPTZ NOT NULL,
  duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),
  model         TEXT,
  input_tokens  INTEGER,
  output_tokens INTEGER,
  error         TEXT,
  detail        JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (job_id, span_id)
);

CREATE INDEX idx_job_traces_job_started ON job_traces(job_id, started_at);

-- The agent functions (as alex_app, 005) write their spans; the CLI and console read them.
GRANT SELECT, INSERT ON job_traces TO alex_app;
