// SPDX-License-Identifier: LGPL-2.1-or-later
// A minimal TAP runner for GJS test files, for meson's 'tap' protocol.
// Tests may be async; run the file with `gjs -m` and `await runTests(...)`.
import GLib from 'gi://GLib';
import System from 'system';

class SkipTest extends Error {}

export function assert(condition, message) {
    if (!condition)
        throw new Error(message ?? 'assertion failed');
}

export function assertEqual(actual, expected) {
    if (actual !== expected)
        throw new Error(`expected ${expected}, got ${actual}`);
}

// Runs fn and returns the error it throws; fails when it throws nothing.
export async function assertThrows(fn) {
    try {
        await fn();
    } catch (e) {
        return e;
    }
    throw new Error('no error thrown');
}

// Ends the current test as skipped, with reason as the TAP directive.
export function skip(reason) {
    throw new SkipTest(reason);
}

// The URI in the environment variable name, or skips the test.
export function brokerUri(name) {
    const uri = GLib.getenv(name);
    if (!uri)
        skip(`${name} is unset: the real brokers come with scripts/run-tests.sh`);
    return uri;
}

export function uniqueQueue(prefix = 'gi-gjs') {
    return `/queue/${prefix}-${GLib.uuid_string_random()}`;
}

// Settles like promise, or rejects after ms: the guard for tests that wait
// on the main loop.
export function withTimeout(promise, ms, what = 'the operation') {
    let source = 0;
    const timeout = new Promise((_resolve, reject) => {
        source = GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            source = 0;
            reject(new Error(`${what} did not finish within ${ms} ms`));
            return GLib.SOURCE_REMOVE;
        });
    });
    return Promise.race([promise, timeout]).finally(() => {
        if (source)
            GLib.source_remove(source);
    });
}

export async function runTests(tests) {
    const names = Object.keys(tests);
    let failed = 0;
    print(`1..${names.length}`);
    for (const [i, name] of names.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await tests[name]();
            print(`ok ${i + 1} ${name}`);
        } catch (e) {
            if (e instanceof SkipTest) {
                print(`ok ${i + 1} ${name} # SKIP ${e.message}`);
                continue;
            }
            failed++;
            print(`not ok ${i + 1} ${name}`);
            printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
        }
    }
    System.exit(failed ? 1 : 0);
}
