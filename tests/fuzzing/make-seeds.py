#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpora of the fuzz targets into corpus/<target>/:
  fuzz-parser     every file of ../conformance/{valid,invalid}, behind the
                  4 settings bytes of fuzz-parser.c that select the version,
                  strictness and limits index.txt gives it, and a chunking
                  that changes from file to file
  fuzz-roundtrip  hand-made frames in the input format of fuzz-roundtrip.c
  fuzz-failover   broker and failover URIs
Run it from anywhere after the conformance corpus changed. Seeds are named
seed-*; it leaves every other file (crash reproducers, crash-*, leak-*,
and what a fuzzing run added) alone, and removes stale seed-* files.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
CONFORMANCE = os.path.join(HERE, '..', 'conformance')

VERSIONS = {'1.0': 0, '1.1': 1, '1.2': 2}
COMMANDS = ['SEND', 'MESSAGE', 'ERROR', 'SUBSCRIBE', 'UNSUBSCRIBE', 'ACK',
            'NACK', 'BEGIN', 'COMMIT', 'ABORT', 'DISCONNECT', 'CONNECT',
            'STOMP', 'CONNECTED', 'RECEIPT']


def write_seeds(target, seeds):
    folder = os.path.join(HERE, 'corpus', target)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith('seed-') and name not in seeds:
            os.remove(os.path.join(folder, name))
    for name, data in seeds.items():
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)


def small_limits(checks):
    """Settings bytes 2 and 3 for the limits in CHECKS, or None when
    fuzz-parser.c cannot express them."""
    size = int(checks.get('max-frame-size', 8 + 2 * 255))
    count = int(checks.get('max-header-count', 15))
    line = int(checks.get('max-header-line-length', 4 + 8 * 15))
    if (size - 8) % 2 or not 8 <= size <= 518 or not 0 <= count <= 15 \
            or (line - 4) % 8 or not 4 <= line <= 124:
        return None
    return bytes([(size - 8) // 2, count | ((line - 4) // 8) << 4])


def parser_seeds():
    seeds = {}
    with open(os.path.join(CONFORMANCE, 'index.txt')) as f:
        lines = [line.split() for line in f if not line.startswith('#') and line.strip()]
    for n, (path, version, mode, *rest) in enumerate(lines):
        checks = dict(item.split('=', 1) for item in rest if '=' in item)
        with open(os.path.join(CONFORMANCE, path), 'rb') as f:
            data = f.read()
        # Chunking modes 0-3, feed()/feed_bytes() first and draining vary
        # with the file number.
        flags = VERSIONS[version] | (0x04 if mode == 'lenient' else 0) \
            | (n % 4) << 4 | (n // 4 % 4) << 6
        # Limits that cannot be expressed are left out: the file still
        # seeds the fuzzer, only without reaching its limit error.
        limits = small_limits(checks) if any(key.startswith('max-') for key in checks) else None
        if limits is not None:
            flags |= 0x08
        else:
            limits = b'\0\0'
        name = 'seed-' + path.replace('/', '-')
        seeds[name] = bytes([flags, 7 + n]) + limits + data
    return seeds


def frame_seed(command, headers, body=b'', content_length=False):
    out = bytes([COMMANDS.index(command), len(headers) << 1 | content_length])
    for name, value in headers:
        out += bytes([len(name)]) + name + bytes([len(value)]) + value
    assert len(headers) < 8 and all(len(n) < 32 and len(v) < 64 for n, v in headers)
    return out + body


def roundtrip_seeds():
    frames = {
        'send': frame_seed('SEND', [(b'destination', b'/queue/a'),
                                    (b'content-type', b'text/plain')], b'hello'),
        'send-content-length': frame_seed('SEND', [(b'destination', b'/queue/a')],
                                          b'hello', content_length=True),
        'message-nuls': frame_seed('MESSAGE', [(b'subscription', b'0'),
                                               (b'message-id', b'007'),
                                               (b'destination', b'/topic/x')],
                                   b'\0a\0b\0'),
        'message-escapes': frame_seed('MESSAGE', [(b'a:b', b'c\\d\ne:f'),
                                                  (b'cr\r', b'x\ry')]),
        'message-stale-length': frame_seed('MESSAGE', [(b'content-length', b'99'),
                                                       (b'x', b'1'),
                                                       (b'content-length', b'5')],
                                           b'abc'),
        'connect': frame_seed('CONNECT', [(b'accept-version', b'1.0,1.1,1.2'),
                                          (b'host', b'/'), (b'login', b'guest'),
                                          (b'passcode', b'a:b\\c'),
                                          (b'heart-beat', b'1000,1000')]),
        'connected': frame_seed('CONNECTED', [(b'version', b'1.2'),
                                              (b'session', b'ID:host-1:2'),
                                              (b'server', b'ActiveMQ/5.17')]),
        'error-body': frame_seed('ERROR', [(b'message', b'bad frame'),
                                           (b'receipt-id', b'77')],
                                 b'The message:\n-----\nMESSAGE\n\n'),
        'subscribe': frame_seed('SUBSCRIBE', [(b'id', b'0'), (b'destination', b'/queue/a'),
                                              (b'ack', b'client-individual')]),
        'ack-repeated': frame_seed('ACK', [(b'id', b'1'), (b'id', b'2'),
                                           (b'transaction', b'tx 1')]),
        'nack': frame_seed('NACK', [(b'id', b'12')]),
        'stomp-with-body': frame_seed('STOMP', [(b'accept-version', b'1.2')], b'x'),
        'disconnect': frame_seed('DISCONNECT', [(b'receipt', b'bye')]),
        'receipt': frame_seed('RECEIPT', [(b'receipt-id', b'bye')]),
        'begin-commit': frame_seed('COMMIT', [(b'transaction', b't\\1')]),
    }
    return {'seed-' + name: data for name, data in frames.items()}


def failover_seeds():
    uris = [
        'tcp://localhost:61613',
        'ssl://broker.example:61614',
        'tls://[::1]:61614',
        'unix:///run/stomp.sock',
        'unix:@stomp',
        'failover:(tcp://a:1,tcp://b:2)',
        'failover:tcp://a:1,tcp://b:2',
        'failover:(tcp://a:1,tcp://b:2,tcp://c:3)?randomize=false,maxReconnectAttempts=3',
        'failover:(tcp://a:1)?initialReconnectDelay=100,maxReconnectDelay=500,'
        'useExponentialBackOff=true,backOffMultiplier=1.5',
        'failover:(tcp://a:1,tcp://b:2)?startupMaxReconnectAttempts=2&maxReconnectAttempts=-1'
        '&reconnectDelayJitter=50',
        'failover:(tcp://r1:1,tcp://localhost:2,tcp://127.0.0.1:4)?priorityBackup=true',
        'failover:(tcp://[::1]:61613,ssl://[2001:db8::7]:61614,tls://[fe80::1%25eth0]:1)',
        'failover:(unix:///tmp/a%20b.sock,unix:@stomp,tcp://a:1)',
        'failover:(wss://user@h:443/stomp?vhost=a,tcp://a:1)?randomize=false',
        'failover:(tcp://guest:s3cr3t@a:1,tcp://b:2)',
        'failover:(tcp://a:1,tcp://guest:s3cr3t@b:x)',
        'tcp://guest:s3cr3t@a:notaport',
        'failover:(tcp://a:1)?backOffMultiplier=1e999',
        'failover:(failover:(tcp://a:1))',
        'failover:()',
    ]
    return {'seed-%02d' % i: uri.encode() for i, uri in enumerate(uris)}


write_seeds('fuzz-parser', parser_seeds())
write_seeds('fuzz-roundtrip', roundtrip_seeds())
write_seeds('fuzz-failover', failover_seeds())
