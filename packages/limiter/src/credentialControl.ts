import { toError } from '@sluice/core';
import type { CredentialPool } from './credentialPool';
import type { LimiterLog } from './limiterLog';

/** What a request's answer may do to the pool credential it went out with. */
export interface CredentialControl {
  /** Pauses one credential (a throttle answer) for every process until epoch ms `untilMs`. */
  pause(name: string, untilMs: number): void;
  /** Retires one credential for the crawl (the API called it invalid), logging it once. */
  retire(name: string, status: number): void;
}

/** The pool's pause and retire for answers: fire-and-forget, a failure only logged. */
export function credentialControlOf(pool: CredentialPool, log: LimiterLog): CredentialControl {
  return {
    pause(name, untilMs) {
      pool.pause(name, untilMs).catch((err) => log.warn(`could not share the pause of credential ${name}: ${toError(err).message}`));
    },
    retire(name, status) {
      pool
        .retire(name, 'invalid')
        .then((first) => {
          if (first)
            log.error(
              `credential ${name} retired: the API answered that it is invalid or revoked (HTTP ${status}); its keys go on with the others`,
            );
        })
        .catch((err) => log.warn(`could not record the retirement of credential ${name}: ${toError(err).message}`));
    },
  };
}
