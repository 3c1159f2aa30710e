/**
 * A crawl's state for people: `done with 3 failed` when it finished with failures, so a
 * finished crawl with holes never reads as a clean `done`. JSON keeps the bare state and the
 * `failed` count beside it.
 */
export function stateLabel(state: 'done' | 'running' | 'paused', failed: number): string {
  return state === 'done' && failed > 0 ? `done with ${failed} failed` : state;
}
