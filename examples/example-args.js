// SPDX-License-Identifier: LGPL-2.1-or-later
// Command-line parsing shared by the JavaScript examples: integer and
// string options as --name=VALUE, --name VALUE or -x VALUE, then
// positional arguments. Prints usage and exits 2 on a mistake.
import System from 'system';

// options: {name: {short: 'x', value: default, help: '...'}}; an integer
// default makes the option an integer. Returns [values, positionals].
export function parseArgs(usage, options, maxPositionals) {
    const values = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, o.value]));
    const positionals = [];
    const fail = message => {
        const lines = Object.entries(options).map(([name, o]) => `  -${o.short}, --${name}  ${o.help}`);
        printerr(`${System.programInvocationName}: ${message}\nUsage: ${usage}\n${lines.join('\n')}`);
        System.exit(2);
    };
    const args = [...System.programArgs];
    while (args.length > 0) {
        const arg = args.shift();
        if (!arg.startsWith('-') || arg === '-') {
            positionals.push(arg);
            continue;
        }
        let [name, value] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s) : [arg.slice(1)];
        if (!arg.startsWith('--'))
            name = Object.keys(options).find(k => options[k].short === name);
        if (!(name in options))
            fail(`unknown option ${arg}`);
        value ??= args.shift();
        if (value === undefined)
            fail(`${arg} needs a value`);
        if (Number.isInteger(options[name].value)) {
            if (!/^-?\d+$/.test(value))
                fail(`--${name} needs an integer, not "${value}"`);
            value = parseInt(value, 10);
        }
        values[name] = value;
    }
    if (positionals.length > maxPositionals)
        fail(`expected at most ${maxPositionals} positional argument(s)`);
    return [values, positionals, fail];
}
