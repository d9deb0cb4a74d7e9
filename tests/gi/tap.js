// SPDX-License-Identifier: LGPL-2.1-or-later
// A minimal TAP runner for GJS test files, for meson's 'tap' protocol.
import System from 'system';

export function assert(condition, message) {
    if (!condition)
        throw new Error(message ?? 'assertion failed');
}

export function assertEqual(actual, expected) {
    if (actual !== expected)
        throw new Error(`expected ${expected}, got ${actual}`);
}

export function runTests(tests) {
    const names = Object.keys(tests);
    let failed = 0;
    print(`1..${names.length}`);
    names.forEach((name, i) => {
        try {
            tests[name]();
            print(`ok ${i + 1} ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} ${name}`);
            printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
        }
    });
    System.exit(failed ? 1 : 0);
}
