// SPDX-License-Identifier: MIT
// node listen-eventsource.mjs URL
//
// The peer of `clickscope-cli listen --no-reconnect --format count` on the whole network path: the
// npm `eventsource` client (the WHATWG EventSource for node) reads URL, counts its events (those
// named `click`, as the corpus's are, and unnamed ones), and prints the count when the server ends
// the stream (an EventSource would reconnect; this one stops at the first error, as listen does
// with --no-reconnect).
import { EventSource } from 'eventsource';

const url = process.argv[2];
if (!url) {
    console.error('usage: node listen-eventsource.mjs URL');
    process.exit(2);
}
let events = 0;
const source = new EventSource(url);
const count = () => {
    ++events;
};
source.addEventListener('message', count);
source.addEventListener('click', count);
source.onerror = () => {
    source.close();
    // Exit now: node would otherwise wait for fetch's idle keep-alive socket to time out (about
    // 4 s), which is not the client's work.
    process.stdout.write(`${events}\n`, () => process.exit(0));
};
