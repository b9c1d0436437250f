export declare const ROOT: string;
export declare const CACHE_DIR: string;
export declare const BUNDLE: string;
export declare function isBundleFresh(): boolean;
export declare function buildBundle(): Promise<void>;
export declare function freshBundle(): Promise<string | undefined>;
export declare function removeOldChunks(current: Set<string>, dir?: string, now?: number): void;
