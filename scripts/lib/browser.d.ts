// Types of scripts/lib/browser.js for the console's browser tests.
/** Path of a Chromium for the browser tests (CHROMIUM_PATH overrides); installs it with apt when it can. */
export declare function ensureChromium(): Promise<string>;
export declare function findChromium(): string | undefined;
