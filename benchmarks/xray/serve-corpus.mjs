// SPDX-License-Identifier: MIT
// node serve-corpus.mjs FILE [PASSES]
//
// Serves FILE (an SSE corpus) PASSES times over (default 1) to every GET as one text/event-stream
// response, in 1 MiB writes as fast as the client reads, then ends it: the network path a client
// is timed on. Listens on
// 127.0.0.1 on a free port and prints `listening on http://127.0.0.1:PORT` as its first line.
import fs from 'node:fs';
import http from 'node:http';

const kChunkBytes = 1024 * 1024;
const file = process.argv[2];
if (!file) {
    console.error('usage: node serve-corpus.mjs FILE');
    process.exit(2);
}
const corpus = fs.readFileSync(file);
const passes = Number(process.argv[3] ?? 1);
if (!Number.isInteger(passes) || passes < 1) {
    console.error('serve-corpus.mjs: PASSES must be a positive whole number');
    process.exit(2);
}

const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    let offset = 0;
    let pass = 0;
    const pump = () => {
        while (pass < passes) {
            if (offset === corpus.length) {
                offset = 0;
                ++pass;
                continue;
            }
            const chunk = corpus.subarray(offset, Math.min(offset + kChunkBytes, corpus.length));
            offset += chunk.length;
            if (!res.write(chunk)) {
                res.once('drain', pump);
                return;
            }
        }
        res.end();
    };
    pump();
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
