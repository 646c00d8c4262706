/** The producer's closed lists of flag values: each an `as const` object, its union and its allowed list for yargs' choices. */

export const Compressions = { none: 'none', gzip: 'gzip' } as const;
export type Compression = (typeof Compressions)[keyof typeof Compressions];
export const allowedCompressions: readonly Compression[] = Object.values(Compressions);

/** How many replicas must have a batch before the broker answers: all in-sync replicas, the leader (1) or none (0: no answer at all). */
export const AcksModes = { all: 'all', leader: '1', none: '0' } as const;
export type AcksMode = (typeof AcksModes)[keyof typeof AcksModes];
export const allowedAcks: readonly AcksMode[] = Object.values(AcksModes);
