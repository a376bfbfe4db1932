/** Id generation, passed in through deps so tests can make ids predictable. */
import { randomBytes } from 'node:crypto';

export interface IdGenerator {
  /** A new id: `${prefix}_${hex}`. */
  next(prefix: string): string;
}

// Random bytes drawn from a pool: one randomBytes call per 341 ids instead of one per id
// (ids are unique, not secret; API keys come from src/storage/accounts-store.ts).
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex12(): string {
  if (offset + 12 > pool.length) {
    pool = randomBytes(4092);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 12);
  offset += 12;
  return hex;
}

export const randomIds: IdGenerator = {
  next: (prefix) => `${prefix}_${randomHex12()}`,
};

/** Deterministic ids for tests: resp_000000000000000000000001, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return { next: (prefix) => `${prefix}_${(++n).toString(16).padStart(24, '0')}` };
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const unixSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

/**
 * Output and input item ids embed their response's id, so an `item_reference`
 * resolves with one lookup by primary key and no per-item table:
 * resp_<24 hex> → msg_<24 hex><4 hex index>. Clients treat ids as opaque.
 */
export function itemId(prefix: string, responseId: string, index: number): string {
  return `${prefix}_${responseId.slice(responseId.indexOf('_') + 1)}${index.toString(16).padStart(4, '0')}`;
}

/** The response id an item id belongs to, or null when the id is not one of ours. */
export function responseIdOfItem(id: string): string | null {
  const hex = id.slice(id.indexOf('_') + 1);
  return /^[0-9a-f]{28}$/.test(hex) ? `resp_${hex.slice(0, 24)}` : null;
}

/** Index offset of input item ids, so they never collide with output item ids. */
export const INPUT_ITEM_BASE = 0x8000;
