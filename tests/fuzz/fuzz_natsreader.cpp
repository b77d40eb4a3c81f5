// SPDX-License-Identifier: MIT
// What NATS servers send, read by NatsReader, on any bytes cut into pieces at fuzzer-chosen
// places, with fuzzer-chosen limits. Oracle: the pieces give the operations the whole gives (and
// the same error, or none), and what the reader holds after each piece's operations are taken
// never exceeds its limits.
#include "core/nats/natsreader.h"
#include "fuzzinput.h"

#include <QList>

#include <algorithm>

using namespace Clickscope;
using namespace Clickscope::Fuzz;

namespace {

bool same(const NatsOp &a, const NatsOp &b)
{
    return a.type == b.type && a.subject == b.subject && a.sid == b.sid && a.replyTo == b.replyTo
           && a.headers == b.headers && a.payload == b.payload && a.size == b.size && a.dropped == b.dropped;
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    NatsReader::Limits limits;
    limits.maxControlLine = 8 + input.byte() * 4;
    limits.maxMessageBytes = input.byte() * 8;
    const quint8 cuts = input.byte();
    const QByteArrayView bytes = input.rest();

    NatsReader whole(limits);
    whole.feed(bytes);
    QList<NatsOp> once;
    while (std::optional<NatsOp> op = whole.next()) {
        FUZZ_CHECK(!op->dropped || (op->payload.isEmpty() && op->headers.isEmpty()));
        FUZZ_CHECK(op->dropped || op->type != NatsOp::Type::Msg || op->size <= limits.maxMessageBytes);
        once.append(std::move(*op));
    }

    NatsReader pieces(limits);
    QList<NatsOp> found;
    const qsizetype held = std::max(limits.maxControlLine, limits.maxMessageBytes) + 1;
    qsizetype at = 0;
    quint32 state = cuts;
    while (at < bytes.size()) {
        state = state * 1103515245u + 12345u;   // piece sizes from the input's third byte
        const qsizetype n = std::min<qsizetype>(bytes.size() - at, 1 + qsizetype(state >> 16) % 64);
        pieces.feed(bytes.sliced(at, n));
        while (std::optional<NatsOp> op = pieces.next())
            found.append(std::move(*op));
        FUZZ_CHECK(pieces.bufferedBytes() <= held);
        at += n;
    }
    FUZZ_CHECK(found.size() == once.size());
    for (qsizetype i = 0; i < found.size(); ++i)
        FUZZ_CHECK(same(found[i], once[i]));
    FUZZ_CHECK(pieces.failed() == whole.failed());
    FUZZ_CHECK(pieces.errorString() == whole.errorString());
    return 0;
}
