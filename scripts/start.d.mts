// Types of start.mjs for the TypeScript that imports it (the bench, tests).
export function newestMtime(dir: string): number;
export function isWebBuildStale(): boolean;
export function buildWebIfStale(): void;
export const SERVER_DIST: string;
export const SERVER_ENTRY: string;
export function buildServer(): Promise<void>;
