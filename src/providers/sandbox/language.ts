/**
 * The sandbox's view of the shared text helpers (src/text/): kept so the
 * modules that import './language.js' need not change with the move.
 */
export * from '../../text/words.js';
export * from '../../text/topic.js';
export * from '../../text/extract.js';
