// SPDX-License-Identifier: MIT
// SseParser on any bytes, fed in chunks split where the input says. Oracle: the events and
// counters equal those of the unsplit parse (and the unsplit parse with the baseline line scan);
// a batch kept while later chunks are parsed still holds its events; no event's data is over its
// cap as received (three times it once invalid UTF-8 is replaced, each byte by U+FFFD's three);
// and what the parser holds between chunks never exceeds its caps.
#include "core/sse/sseparser.h"
#include "fuzzinput.h"

#include <algorithm>
#include <vector>

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    // Small caps, so that discarding an oversized line or event is reached too.
    const qsizetype cap = 1 + qsizetype(input.byte()) * 16;
    quint32 split = input.byte() * 2654435761u + 1;
    const QByteArrayView stream = input.rest();
    const SseParser::Limits limits{cap, cap};

    SseParser whole(limits);
    QList<SseEvent> expected;
    whole.feed(stream, expected);

    // The baseline scan (SSE2) must find what the widest (AVX2 where the CPU has it) found.
    SseParser baseline(limits, SseParser::LineScan::Baseline);
    QList<SseEvent> baselineEvents;
    baseline.feed(stream, baselineEvents);
    FUZZ_CHECK(baselineEvents == expected);
    FUZZ_CHECK(baseline.discardedEvents() == whole.discardedEvents());
    FUZZ_CHECK(baseline.lastEventId() == whole.lastEventId());

    // The chunked parse hands out batches; some are kept to the end (the parser must not write
    // under them), the others dropped at once (their buffers are reused).
    SseParser chunked(limits);
    const QByteArray owned = stream.toByteArray();
    qsizetype seen = 0;
    std::vector<std::pair<qsizetype, SseBatch>> kept;
    const auto sameAsExpected = [&expected](const SseBatch &batch, qsizetype from) {
        if (from + batch.size() > expected.size())
            return false;
        for (qsizetype i = 0; i < batch.size(); ++i) {
            const SseEventView view = batch.at(i);
            const SseEvent &e = expected[from + i];
            if (view.type() != e.type() || view.lastEventId() != e.lastEventId() || view.data() != e.data())
                return false;
        }
        return true;
    };
    for (qsizetype at = 0; at < stream.size();) {
        split = split * 1103515245u + 12345u;
        const qsizetype n = std::min<qsizetype>(stream.size() - at, 1 + qsizetype((split >> 16) % 97));
        // Half the chunks are fed from a buffer the batch shares (one-line data is not copied).
        const SseBatch batch = (split & 0x4000'0000u) ? chunked.feed(owned, at, n) : chunked.feed(stream.sliced(at, n));
        FUZZ_CHECK(sameAsExpected(batch, seen));
        if (split & 0x8000'0000u)
            kept.emplace_back(seen, batch);
        seen += batch.size();
        at += n;
        // A line (and the event type, which is part of one) up to its cap, the data up to its;
        // a byte-order mark is held while it is still incomplete.
        FUZZ_CHECK(chunked.bufferedBytes() <= 2 * cap + cap + 3);
    }
    FUZZ_CHECK(seen == expected.size());
    for (const auto &[from, batch] : kept)
        FUZZ_CHECK(sameAsExpected(batch, from));
    FUZZ_CHECK(chunked.eventCount() == whole.eventCount());
    FUZZ_CHECK(chunked.commentCount() == whole.commentCount());
    FUZZ_CHECK(chunked.discardedEvents() == whole.discardedEvents());
    FUZZ_CHECK(chunked.lastEventId() == whole.lastEventId());
    FUZZ_CHECK(chunked.reconnectionTimeMs() == whole.reconnectionTimeMs());
    for (const SseEvent &event : expected)
        FUZZ_CHECK(event.data().size() <= 3 * cap);
    return 0;
}
