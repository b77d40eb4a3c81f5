// SPDX-License-Identifier: MIT
// node bench-eventsource-parser.mjs CORPUS [REPEAT]
//
// The peer figure for `./dev.sh bench`: the npm eventsource-parser on the same corpus, measured
// the way `clickscope-cli bench parse` measures ours (file already in memory, 64 KiB chunks, best
// of REPEAT runs, default 5). Prints `events=N bytes=B seconds=S`.
//
// The timed region includes the streaming TextDecoder: eventsource-parser takes strings, so turning
// the network's bytes into text is part of its job in any real client, just as our parser's time
// includes handling raw bytes.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';

const kChunkBytes = 64 * 1024;

function parseOnce(corpus) {
    let events = 0;
    const parser = createParser({
        onEvent() {
            ++events;
        },
    });
    const decoder = new TextDecoder('utf-8');
    const start = performance.now();
    for (let offset = 0; offset < corpus.length; offset += kChunkBytes) {
        parser.feed(decoder.decode(corpus.subarray(offset, offset + kChunkBytes), { stream: true }));
    }
    parser.feed(decoder.decode());
    const seconds = (performance.now() - start) / 1000;
    return { events, seconds };
}

const [corpusPath, repeatText = '5'] = process.argv.slice(2);
const repeat = Number(repeatText);
if (!corpusPath || !Number.isInteger(repeat) || repeat < 1) {
    console.error('usage: node bench-eventsource-parser.mjs CORPUS [REPEAT]');
    process.exit(2);
}

const corpus = readFileSync(corpusPath);
let best = Infinity;
let events = 0;
for (let round = 0; round < repeat; ++round) {
    const result = parseOnce(corpus);
    events = result.events;
    best = Math.min(best, result.seconds);
}
console.log(`events=${events} bytes=${corpus.length} seconds=${best.toFixed(6)}`);
