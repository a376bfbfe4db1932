/**
 * Whether the tests run in CI (`CI` set to anything but '', '0' or 'false';
 * `.ci/run` exports CI=1). Suites that need PostgreSQL or Redis skip without
 * them on a developer's machine, and fail without them in CI.
 */
export const isCI = ((v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false')(process.env.CI);
