// SPDX-License-Identifier: MIT
// node sse-broadcaster.mjs [PORT]
//
// The peer for the fan-out benchmark: the SSE broadcaster a user would write with node's built-in
// http module, the way tutorials write it (a Set of responses, one res.write per click per
// subscriber). It speaks the part of our publisher's protocol the benchmark uses: GET /events,
// POST /publish (object or array; 413 over 1 MiB; 202 {"accepted":n}) and GET /stats. It is
// deliberately not optimised: the comparison is against what people actually deploy.
// Listens on 127.0.0.1 only and prints `listening on http://127.0.0.1:PORT` as its first line.
import http from 'node:http';

const kMaxBodyBytes = 1024 * 1024;
const kRetryMs = 3000;

const subscribers = new Set();
let lastId = 0;

function sendJson(res, status, body) {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    res.end(JSON.stringify(body));
}

function subscribe(req, res) {
    res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
    });
    res.write(`retry: ${kRetryMs}\n\n`);
    subscribers.add(res);
    res.on('close', () => subscribers.delete(res));
}

function publish(req, res) {
    const chunks = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk) => {
        if (refused)
            return;
        size += chunk.length;
        if (size > kMaxBodyBytes) {
            refused = true;
            sendJson(res, 413, { error: `the body is over ${kMaxBodyBytes} bytes` });
            req.destroy();
            return;
        }
        chunks.push(chunk);
    });
    req.on('end', () => {
        if (refused)
            return;
        let parsed;
        try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (error) {
            sendJson(res, 400, { error: `invalid JSON: ${error.message}` });
            return;
        }
        const clicks = Array.isArray(parsed) ? parsed : [parsed];
        if (clicks.length === 0 || !clicks.every((c) => c && typeof c === 'object' && typeof c.link === 'string')) {
            sendJson(res, 400, { error: "every click needs a string 'link'" });
            return;
        }
        for (const click of clicks) {
            const id = ++lastId;
            const frame = `id: ${id}\nevent: click\ndata: ${JSON.stringify(click)}\n\n`;
            for (const subscriber of subscribers)
                subscriber.write(frame);
        }
        sendJson(res, 202, { accepted: clicks.length });
    });
}

const server = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/events')
        subscribe(req, res);
    else if (req.method === 'POST' && path === '/publish')
        publish(req, res);
    else if (req.method === 'GET' && path === '/stats')
        sendJson(res, 200, { subscribers: { all: subscribers.size }, clicksPublished: lastId });
    else
        sendJson(res, 404, { error: 'not found' });
});

const port = Number(process.argv[2] ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node sse-broadcaster.mjs [PORT]');
    process.exit(2);
}
// Streams are endless; node's defaults would cut idle or long requests.
server.requestTimeout = 0;
server.headersTimeout = 10_000;
server.keepAliveTimeout = 5_000;
server.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
const stop = () => {
    for (const subscriber of subscribers)
        subscriber.end();
    server.close(() => process.exit(0));
    // Kept-alive publish connections would hold close() open.
    server.closeAllConnections?.();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
