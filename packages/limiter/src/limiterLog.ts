/** Where the limiter says what happened (the engine's logger fits): a message and structured fields. */
export interface LimiterLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
