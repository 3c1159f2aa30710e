import type { Writable } from 'node:stream';
import { redactText } from '@sluice/core';
import type { Logger } from '@sluice/engine';

/**
 * Log lines on stderr: plain text for people, one JSON object per line for machines (the
 * message as `msg`, with the caller's fields such as `event` beside it).
 */
export function createLogger(out: Writable, format: 'text' | 'json'): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) => {
    const safe = redactText(message);
    if (format === 'json') {
      out.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: safe, ...fields })}\n`);
    } else {
      // Fields are for machines (JSON); the text line already says everything in words.
      out.write(`${level === 'info' ? '' : `${level}: `}${safe}\n`);
    }
  };
  return {
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
  };
}
