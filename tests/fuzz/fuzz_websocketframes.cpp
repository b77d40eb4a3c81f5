// SPDX-License-Identifier: MIT
// The publisher's check of the frames WebSocket clients send (WebSocketFrameWalker) on any bytes,
// cut into pieces at fuzzer-chosen places. Oracle: the pieces find what the whole finds (the same
// violation, or none, and the same stopped state), a violation is a protocol error with a reason,
// and nothing is found once the walk has stopped.
#include "fuzzinput.h"
#include "server/websocketframewalker.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    const quint8 cuts = input.byte();
    const QByteArrayView bytes = input.rest();

    WebSocketFrameWalker whole;
    const std::optional<WebSocketFrameWalker::Violation> once = whole.walk(bytes);
    if (once) {
        FUZZ_CHECK(once->code == WebSocketFrameWalker::kProtocolError && !once->reason.isEmpty());
        FUZZ_CHECK(whole.stopped());
    }

    WebSocketFrameWalker pieces;
    std::optional<WebSocketFrameWalker::Violation> found;
    qsizetype at = 0;
    quint32 state = cuts;
    while (at < bytes.size()) {
        state = state * 1103515245u + 12345u;   // piece sizes from the input's first byte
        const qsizetype n = std::min<qsizetype>(bytes.size() - at, 1 + qsizetype(state >> 16) % 64);
        if (auto v = pieces.walk(bytes.sliced(at, n))) {
            FUZZ_CHECK(!found);   // said once
            found = v;
        }
        at += n;
    }
    FUZZ_CHECK(bool(found) == bool(once));
    if (found)
        FUZZ_CHECK(found->reason == once->reason);
    FUZZ_CHECK(pieces.stopped() == whole.stopped());
    return 0;
}
