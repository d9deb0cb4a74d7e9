#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the parser conformance corpus: valid/*.stomp, invalid/*.stomp and
index.txt. The files are raw bytes (NULs and CRs exact); run this script
again after editing a case:  ./make-corpus.py  (from this folder).

index.txt: one file per line, then the version to parse it with, "strict"
or "lenient", then checks as key=value (values are %-encoded):
  frames=N          frames returned (for invalid files: before the error)
  beats=N           heart-beats counted (valid files)
  frame=K           later checks apply to frame K (0-based, default 0)
  command=X headers=N body=N bodytext=T
  h:NAME=V          first value of header NAME
  values:NAME=V|V   every value of NAME, in order
  absent=NAME       NAME is not in the frame
  error=CODE        PARSE or FRAME_TOO_LARGE
  offset=N          the error message starts with "byte N:"
  message=T         the error message contains T
  max-frame-size=N max-header-count=N max-header-line-length=N   limits
"""

import os
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

valid = []
invalid = []


def v(name, data, version='1.2', mode='strict', later=None, **checks):
    """A valid file. CHECKS apply to frame 0, LATER maps a frame number to
    the checks of that frame."""
    assert all(k in checks for k in ('command', 'headers')), name
    assert 'body' in checks or 'bodytext' in checks, name
    valid.append((name, data, version, mode, checks, later or {}))


def x(name, data, version='1.2', mode='strict', at=None, **checks):
    """An invalid file. AT is the bytes at which the error is expected
    (its first occurrence gives offset=), unless offset= is given."""
    assert 'error' in checks, name
    if at is not None:
        checks['offset'] = data.index(at)
    invalid.append((name, data, version, mode, checks, {}))


def enc(value):
    return urllib.parse.quote(str(value), safe='/@,;')


def encode_checks(checks):
    fields = []
    for key, value in checks.items():
        if key.startswith('values:'):
            name = key[len('values:'):]
            fields.append('values:%s=%s' % (enc(name), '|'.join(enc(i) for i in value)))
        elif key.startswith('h:'):
            fields.append('h:%s=%s' % (enc(key[2:]), enc(value)))
        else:
            fields.append('%s=%s' % (key, enc(value)))
    return fields


# -- valid ---------------------------------------------------------------

v('send-basic', b'SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0',
  command='SEND', headers=2, body=5, bodytext='hello',
  **{'h:destination': '/queue/a', 'h:content-type': 'text/plain'})
v('send-crlf', b'SEND\r\ndestination:/queue/a\r\nreceipt:r1\r\n\r\nhello\0\r\n',
  command='SEND', headers=2, body=5, beats=1,
  **{'h:destination': '/queue/a', 'h:receipt': 'r1'})
v('message-content-length-nuls',
  b'MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:0\ncontent-length:7\n\n\0a\0b\0c\0\0',
  command='MESSAGE', headers=4, body=7, bodytext='\0a\0b\0c\0', **{'h:content-length': '7'})
v('content-length-zero', b'SEND\ndestination:/q\ncontent-length:0\n\n\0',
  command='SEND', headers=2, body=0)
v('content-length-first-wins', b'SEND\ndestination:/q\ncontent-length:3\ncontent-length:5\n\nabc\0',
  command='SEND', headers=3, body=3, bodytext='abc', **{'values:content-length': ['3', '5']})
v('body-with-eols', b'SEND\ndestination:/q\n\nline1\r\nline2\n\n\0',
  command='SEND', body=14, bodytext='line1\r\nline2\n\n', headers=1)
v('rabbitmq-connected',
  b'CONNECTED\nserver:RabbitMQ/3.10.8\nsession:session-Qf3xZ2bq1pY9WbXkx0l1hA\n'
  b'heart-beat:1000,1000\nversion:1.2\n\n\0\n',
  command='CONNECTED', headers=4, body=0, beats=1,
  **{'h:server': 'RabbitMQ/3.10.8', 'h:heart-beat': '1000,1000', 'h:version': '1.2'})
v('rabbitmq-message',
  b'MESSAGE\nsubscription:1\ndestination:/queue/t\nmessage-id:T_1@@session-x@@1\n'
  b'redelivered:false\nreceipt:r0\ncontent-length:2\n\nhi\0\n',
  command='MESSAGE', headers=6, body=2, beats=1,
  **{'h:message-id': 'T_1@@session-x@@1', 'h:redelivered': 'false'})
v('rabbitmq-error',
  b'ERROR\nmessage:Bad CONNECT\ncontent-type:text/plain\nversion:1.0,1.1,1.2\n'
  b'content-length:38\n\nVirtual host \'localhost\' access denied\0\n',
  command='ERROR', headers=4, body=38, beats=1, **{'h:message': 'Bad CONNECT'})
v('activemq-message-escaped',
  b'MESSAGE\ncontent-length:5\nexpires:0\ndestination:/queue/t\nsubscription:1\npriority:4\n'
  b'ack:ID\\cvm-1-40391-1700000000000-4\\c1\n'
  b'message-id:ID\\cvm-1-40391-1700000000000-3\\c1\\c-1\\c1\\c1\ntimestamp:1700000000000\n\nhello\0\n',
  command='MESSAGE', headers=8, body=5, beats=1,
  **{'h:ack': 'ID:vm-1-40391-1700000000000-4:1',
     'h:message-id': 'ID:vm-1-40391-1700000000000-3:1:-1:1:1'})
v('activemq-connected-raw-colons',
  b'CONNECTED\nserver:ActiveMQ/5.17.2\nheart-beat:0,0\n'
  b'session:ID:host-40391-1700000000000-3:1\nversion:1.2\n\n\0\n',
  command='CONNECTED', headers=4, beats=1,
  **{'h:session': 'ID:host-40391-1700000000000-3:1'}, body=0)
v('connect-kept-raw-11',
  b'CONNECT\naccept-version:1.0,1.1\nhost:/\nlogin:guest\npasscode:pa\\ss:\\c\n\n\0',
  version='1.1', command='CONNECT', headers=4, **{'h:passcode': 'pa\\ss:\\c'}, body=0)
v('connected-kept-raw-12', b'CONNECTED\nversion:1.2\nsession:a\\tb\\\n\n\0',
  command='CONNECTED', headers=2, **{'h:session': 'a\\tb\\'}, body=0)
v('escapes-11', b'MESSAGE\nfoo\\cbar:a\\\\b\\nc\\cd\ndestination:/q\n\n\0',
  version='1.1', command='MESSAGE', headers=2, **{'h:foo:bar': 'a\\b\nc:d'}, body=0)
v('escapes-12-cr', b'MESSAGE\nx:1\\r2\\n3\ny\\r:\\\\\\\\\n\n\0',
  command='MESSAGE', headers=2, **{'h:x': '1\r2\n3', 'h:y\r': '\\\\'}, body=0)
v('escaped-backslash-then-c', b'SEND\nk:a\\\\c\n\n\0', command='SEND', **{'h:k': 'a\\c'}, headers=1, body=0)
v('stomp-escaped-12', b'STOMP\naccept-version:1.2\nhost:/\nlogin:a\\cb\n\n\0',
  command='STOMP', headers=3, **{'h:login': 'a:b'}, body=0)
v('repeated-headers', b'MESSAGE\nfoo:1\nfoo:2\nbar:x\nfoo:3\n\n\0',
  command='MESSAGE', headers=4, **{'h:foo': '1', 'values:foo': ['1', '2', '3']}, body=0)
v('no-trimming', b'SEND\ndestination: /queue/a \n key : value \n\n\0',
  command='SEND', headers=2, absent='key',
  **{'h:destination': ' /queue/a ', 'h: key ': ' value '}, body=0)
v('empty-value', b'SEND\ndestination:/q\nempty:\n\n\0', command='SEND', headers=2,
  **{'h:empty': ''}, body=0)
v('no-headers', b'DISCONNECT\n\n\0', command='DISCONNECT', headers=0, body=0)
v('heart-beats-between',
  b'\n\nSEND\ndestination:/q\n\na\0\n\n\nRECEIPT\nreceipt-id:77\n\n\0\n',
  frames=2, beats=6, command='SEND', bodytext='a', later={1: {'h:receipt-id': '77'}}, headers=1, body=1)
v('heart-beats-crlf-12', b'\r\n\r\n\nRECEIPT\r\nreceipt-id:1\r\n\r\n\0\r\n\n',
  beats=5, command='RECEIPT', **{'h:receipt-id': '1'}, headers=1, body=0)
v('back-to-back',
  b'RECEIPT\nreceipt-id:1\n\n\0RECEIPT\nreceipt-id:2\n\n\0RECEIPT\nreceipt-id:3\n\n\0',
  frames=3, beats=0, command='RECEIPT', **{'h:receipt-id': '1'},
  later={1: {'h:receipt-id': '2'}, 2: {'h:receipt-id': '3'}}, headers=1, body=0)
v('cr-is-content-10', b'SEND\ndestination:/q\r\n\nbody\0', version='1.0', command='SEND',
  **{'h:destination': '/q\r'}, headers=1, body=4)
v('cr-is-content-11', b'MESSAGE\nfoo:bar\r\n\nbody\0', version='1.1', command='MESSAGE',
  **{'h:foo': 'bar\r'}, headers=1, body=4)
v('crlf-strips-one-cr-12', b'MESSAGE\nfoo:bar\r\r\n\n\0', command='MESSAGE',
  **{'h:foo': 'bar\r'}, headers=1, body=0)
v('body-on-subscribe-10', b'SUBSCRIBE\ndestination:/q\n\nbody\0', version='1.0',
  command='SUBSCRIBE', body=4, headers=1)
v('no-unescape-10', b'SEND\nfoo:a\\tb\\\nbar:x:y\n\n\0', version='1.0', command='SEND',
  **{'h:foo': 'a\\tb\\', 'h:bar': 'x:y'}, headers=2, body=0)
v('heart-beats-10', b'\n\nRECEIPT\nreceipt-id:1\n\n\0\n', version='1.0', beats=3,
  command='RECEIPT', headers=1, body=0)
v('nack-11', b'NACK\nmessage-id:1\nsubscription:0\n\n\0', version='1.1', command='NACK', headers=2, body=0)
v('utf8-values', 'MESSAGE\ndestination:/queue/ü\nsubject:日本語\n\n\0'.encode(),
  command='MESSAGE', **{'h:destination': '/queue/ü', 'h:subject': '日本語'}, headers=2, body=0)
v('lenient-raw-colon', b'MESSAGE\nmessage-id:ID:a:b\ndestination:/q\n\n\0', mode='lenient',
  command='MESSAGE', **{'h:message-id': 'ID:a:b'}, headers=2, body=0)
v('lenient-unknown-escape', b'MESSAGE\nfoo:a\\tb\nbar:end\\\n\n\0', mode='lenient',
  command='MESSAGE', **{'h:foo': 'a\\tb', 'h:bar': 'end\\'}, headers=2, body=0)
v('lenient-missing-nul', b'MESSAGE\ncontent-length:3\n\nabc\nRECEIPT\nreceipt-id:9\n\n\0',
  mode='lenient', frames=2, beats=1, command='MESSAGE', bodytext='abc',
  later={1: {'h:receipt-id': '9'}}, headers=1, body=3)
v('limit-header-count-exact', b'SEND\na:1\nb:2\nc:3\n\n\0', command='SEND', headers=3,
  **{'max-header-count': 3}, body=0)
v('limit-line-length-exact', b'SEND\r\nabcd:12345\r\n\r\n\0', command='SEND', headers=1,
  **{'max-header-line-length': 10, 'h:abcd': '12345'}, body=0)
v('limit-frame-size-exact', b'SEND\nk:v\n\n0123456789\0', command='SEND', body=10,
  **{'max-frame-size': 21}, headers=1)
v('all-server-frames',
  b'CONNECTED\nversion:1.1\n\n\0\nMESSAGE\ndestination:/q\n\nm\0\nRECEIPT\nreceipt-id:r\n\n\0\n'
  b'ERROR\nmessage:bye\n\nbad\0\n',
  version='1.1', frames=4, beats=4, command='CONNECTED',
  later={1: {'command': 'MESSAGE', 'bodytext': 'm'}, 2: {'command': 'RECEIPT'},
         3: {'command': 'ERROR', 'h:message': 'bye', 'bodytext': 'bad'}}, headers=1, body=0)

# -- invalid -------------------------------------------------------------

x('unknown-command', b'FOO\n\n\0', error='PARSE', offset=0, message="unknown command 'FOO'")
x('lowercase-command', b'send\ndestination:/q\n\n\0', error='PARSE', offset=0)
x('nack-in-10', b'NACK\nmessage-id:1\n\n\0', version='1.0', error='PARSE', offset=0,
  message='STOMP 1.0')
x('stomp-in-10', b'STOMP\naccept-version:1.0\n\n\0', version='1.0', error='PARSE', offset=0)
x('crlf-command-11', b'SEND\r\ndestination:/q\n\n\0', version='1.1', error='PARSE', offset=0)
x('crlf-heart-beat-11', b'\r\n', version='1.1', error='PARSE', offset=0)
x('cr-without-lf-12', b'\n\rSEND\n\n\0', error='PARSE', at=b'S', message='CR')
x('crlf-blank-line-11', b'SEND\ndestination:/q\n\r\n\n\0', version='1.1', error='PARSE',
  at=b'\r', message="no ':'")
x('header-without-colon', b'SEND\ndestination\n\n\0', error='PARSE', offset=5,
  message='destination')
x('empty-header-name', b'SEND\n:value\n\n\0', error='PARSE', offset=5, message='empty name')
x('lenient-empty-header-name', b'SEND\n:value\n\n\0', mode='lenient', error='PARSE', offset=5)
x('undefined-escape', b'MESSAGE\ndestination:/q\nfoo:a\\tb\n\n\0', error='PARSE', at=b'\\t',
  message="undefined escape sequence \\t in header 'foo'")
x('undefined-escape-in-name', b'MESSAGE\nf\\oo:1\n\n\0', error='PARSE', at=b'\\',
  message='header name')
x('trailing-backslash', b'MESSAGE\nfoo:ab\\\n\n\0', error='PARSE', at=b'\\',
  message='incomplete escape')
x('escape-r-in-11', b'MESSAGE\nfoo:a\\rb\n\n\0', version='1.1', error='PARSE', at=b'\\r')
x('raw-colon-12', b'MESSAGE\nmessage-id:ID:a:b\n\n\0', error='PARSE', at=b':a:',
  message="'message-id'")
x('raw-colon-11', b'SEND\ndestination:/q\nx:a:b\n\n\0', version='1.1', error='PARSE', at=b':b')
x('content-length-letters', b'SEND\ncontent-length:abc\n\nabc\0', error='PARSE', at=b'abc',
  message="'content-length'")
x('content-length-empty', b'SEND\ncontent-length:\n\n\0', error='PARSE', offset=20,
  message="'content-length'")
x('content-length-negative', b'SEND\ncontent-length:-1\n\n\0', error='PARSE', at=b'-1')
x('content-length-plus', b'SEND\ncontent-length:+1\n\na\0', error='PARSE', at=b'+1')
x('content-length-space', b'SEND\ncontent-length: 1\n\na\0', error='PARSE', at=b' 1')
x('content-length-overflow', b'SEND\ncontent-length:184467440737095516160\n\n\0',
  error='PARSE', at=b'1844', message="'content-length'")
x('missing-nul-after-body', b'SEND\ncontent-length:3\n\nabcd\0', error='PARSE', at=b'd',
  message='content-length')
x('body-on-subscribe-11', b'SUBSCRIBE\nid:1\ndestination:/q\n\nbody\0', version='1.1',
  error='PARSE', at=b'body', message='SUBSCRIBE')
x('body-on-ack-content-length', b'ACK\nid:1\ncontent-length:2\n\nab\0', error='PARSE',
  at=b'ab', message='ACK')
x('body-on-disconnect-12', b'DISCONNECT\nreceipt:1\n\nbye\0', error='PARSE', at=b'bye')
x('nul-in-head', b'SEND\nfoo:a\0b\n\n\0', error='PARSE', at=b'\0', message='NUL')
x('too-many-headers', b'SEND\na:1\nb:2\nc:3\n\n\0', error='FRAME_TOO_LARGE', at=b'c:3',
  message='headers', **{'max-header-count': 2})
x('header-line-too-long', b'SEND\nabcdefgh:0123456789\n\n\0', error='FRAME_TOO_LARGE',
  offset=5 + 16, message='line', **{'max-header-line-length': 16})
x('command-line-too-long', b'SUBSCRIBE\n\n\0', error='FRAME_TOO_LARGE', offset=4,
  **{'max-header-line-length': 4})
x('frame-too-large', b'SEND\nk:v\n\n0123456789A\0', error='FRAME_TOO_LARGE', offset=21,
  message='frame', **{'max-frame-size': 21})
x('head-too-large', b'SEND\nk:v\nl:w\n\n\0', error='FRAME_TOO_LARGE', offset=12,
  **{'max-frame-size': 12})
x('content-length-over-limit', b'MESSAGE\ncontent-length:1000\n\n', error='FRAME_TOO_LARGE',
  at=b'1000', message='content-length', **{'max-frame-size': 100})
x('valid-then-invalid', b'RECEIPT\nreceipt-id:1\n\n\0\nBOGUS\n\n\0', frames=1, error='PARSE',
  at=b'BOGUS')
x('lenient-unknown-command', b'HELLO\n\n\0', mode='lenient', error='PARSE', offset=0)
x('lenient-body-on-receipt', b'RECEIPT\nreceipt-id:1\n\nx\0', mode='lenient', error='PARSE',
  at=b'x\0')


def write(kind, cases, out):
    folder = os.path.join(HERE, kind)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        if old.endswith('.stomp'):
            os.unlink(os.path.join(folder, old))
    for name, data, version, mode, checks, later in cases:
        with open(os.path.join(folder, name + '.stomp'), 'wb') as f:
            f.write(data)
        fields = ['%s/%s.stomp' % (kind, name), version, mode]
        fields += encode_checks(checks)
        for frame, frame_checks in sorted(later.items()):
            fields.append('frame=%d' % frame)
            fields += encode_checks(frame_checks)
        out.append(' '.join(fields))


lines = ['# Generated by make-corpus.py; see its docstring for the format.']
write('valid', valid, lines)
write('invalid', invalid, lines)
with open(os.path.join(HERE, 'index.txt'), 'w') as f:
    f.write('\n'.join(lines) + '\n')
print('%d valid, %d invalid' % (len(valid), len(invalid)))
