import { ACQUIRE_LUA, CONFIRM_LUA, PAUSE_LUA, TOUCH_LUA } from './limiterScript';
import { luaScript } from './luaScript';

/**
 * The window scripts, loaded once for every gate that keeps sliding windows of its own: the
 * crawl's shared limiter and each pool credential's gate run the same four.
 */
export const ACQUIRE = luaScript(ACQUIRE_LUA);
export const CONFIRM = luaScript(CONFIRM_LUA);
export const PAUSE = luaScript(PAUSE_LUA);
export const TOUCH = luaScript(TOUCH_LUA);
