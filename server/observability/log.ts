/**
 * Structured JSON logs (pino), one line per event, for the web and worker processes.
 *
 * No student data: a request is logged by its id, method, route pattern (never the raw URL, whose
 * query or path may carry a name or a student number), status and duration; bodies and headers
 * are never logged. Known field names that may hold student data are redacted as well, in case a
 * caller passes an object by mistake.
 */
import pino from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type Logger = pino.Logger;

/** Field names whose values are never written (at the top level and one level down). */
const STUDENT_FIELDS = [
  'studentName',
  'studentNumber',
  'studentNo',
  'student',
  'name',
  'body',
  'note',
  'text',
  'details',
  'title',
  'description',
  'reason',
  'password',
  'cookie',
  'authorization',
];

export function createLogger(opts: { service: string; level?: string; destination?: pino.DestinationStream }): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new Error(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got ${JSON.stringify(level)})`,
    );
  }
  return pino(
    {
      level,
      base: { service: opts.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...STUDENT_FIELDS, ...STUDENT_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const SDK_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger (Runtime.install({ logger })) writing through pino. The SDK's activity
 * and workflow log lines carry workflowId, workflowType, runId, activityType and taskQueue in their
 * metadata; those are kept. Payloads and failure details are not part of that metadata.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(meta ?? {})) {
      // keep identifiers and counters; an error is kept as its name (its message may quote a statement)
      if (v instanceof Error) fields[k] = v.name;
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
    }
    logger[SDK_LEVELS[level] ?? 'info'](fields, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
