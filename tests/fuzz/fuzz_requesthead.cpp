// SPDX-License-Identifier: MIT
// The publisher's request-head guard on any head. Oracle: the answer is acceptable or one of the
// statuses it documents, with a reason and a message; an acceptable head's body fits the limit,
// and a refusal closes the connection.
#include "fuzzinput.h"
#include "server/requesthead.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    static constexpr qint64 kLimits[] = {0, 1, 1024, 1024 * 1024};
    const qint64 maxBody = kLimits[input.byte() % 4];
    const RequestHead head = RequestHead::judge(input.rest(), maxBody);
    switch (head.status) {
    case 0:
        FUZZ_CHECK(head.contentLength >= 0 && head.contentLength <= maxBody);
        break;
    case 400:
    case 405:
    case 411:
    case 413:
    case 505:
        FUZZ_CHECK(!head.reason.isEmpty() && !head.message.isEmpty() && head.close);
        break;
    default:
        fail("a status the guard does not document");
    }
    return 0;
}
