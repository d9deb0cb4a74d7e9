<?php
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// PHP's C extension (Debian php-stomp 2.0.3) in the benchmark modes of
// bench-common.h: php php-stomp-bench.php MODE HOST PORT DESTINATION COUNT [ACK]
//
// php-stomp speaks STOMP 1.0 (it sends no accept-version) and has no
// DISCONNECT with a receipt: the last SEND of produce (and the last ACK of
// client-individual) carries a receipt instead, which the broker answers
// only after everything before it, like the DISCONNECT receipt.

const BODY_SIZE = 100;
const LATENCY_WARMUP = 200;

function cpu(): float
{
    $u = getrusage();
    return $u['ru_utime.tv_sec'] + $u['ru_utime.tv_usec'] / 1e6 +
           $u['ru_stime.tv_sec'] + $u['ru_stime.tv_usec'] / 1e6;
}

function now(): float
{
    return hrtime(true) / 1e9;
}

function report(string $mode, array $start, int $count, ?array $samples = null): void
{
    preg_match('/VmHWM:\s*(\d+)/', file_get_contents('/proc/self/status'), $hwm);
    $line = sprintf('{"mode": "%s", "count": %d, "wall": %.6f, "cpu": %.6f, "hwm_kb": %d',
                    $mode, $count, now() - $start[0], cpu() - $start[1], $hwm[1]);
    if ($samples) {
        sort($samples);
        $line .= sprintf(', "p50_us": %.1f, "p99_us": %.1f',
                         $samples[intdiv($count, 2)] * 1e6, $samples[(int) ($count * 0.99)] * 1e6);
    }
    echo $line, "}\n";
}

function next_message(Stomp $stomp): StompFrame
{
    // readFrame() gives false when nothing came within the read timeout.
    for ($tries = 0; $tries < 6; $tries++) {
        $frame = $stomp->readFrame();
        if ($frame === false)
            continue;
        if ($frame->command !== 'MESSAGE')
            throw new Exception("unexpected {$frame->command}");
        return $frame;
    }
    throw new Exception("no MESSAGE for 60 s");
}

[, $mode, $host, $port, $destination, $count] = $argv;
$count = (int) $count;
$ack = $argv[6] ?? 'auto';
$body = str_repeat('x', BODY_SIZE);

$stomp = new Stomp("tcp://$host:$port", 'guest', 'guest');
$stomp->setReadTimeout(10);
$start = [now(), cpu()];

switch ($mode) {
case 'produce':
    for ($i = 1; $i < $count; $i++)
        $stomp->send($destination, $body);
    $stomp->send($destination, $body, ['receipt' => 'last']);
    report($mode, $start, $count);
    break;

case 'consume':
    $stomp->subscribe($destination, ['ack' => $ack]);
    for ($i = 1; $i <= $count; $i++) {
        $frame = next_message($stomp);
        if ($ack === 'client-individual')
            $stomp->ack($frame, $i === $count ? ['receipt' => 'last'] : []);
    }
    report($mode, $start, $count);
    break;

case 'latency':
    $stomp->subscribe($destination, ['ack' => 'auto', 'receipt' => 'sub']);
    $samples = [];
    for ($i = -LATENCY_WARMUP; $i < $count; $i++) {
        if ($i === 0)
            $start = [now(), cpu()];
        $t = now();
        $stomp->send($destination, $body);
        next_message($stomp);
        if ($i >= 0)
            $samples[] = now() - $t;
    }
    report($mode, $start, $count, $samples);
    break;

default:
    fwrite(STDERR, "unknown mode $mode\n");
    exit(2);
}
