// SPDX-License-Identifier: MIT
// POST /publish's body on any bytes: one object, an array of objects, or NDJSON, all or nothing.
// Oracle: a body taken gives at least one click and every one passes the per-click check; a body
// refused says why.
#include "fuzzinput.h"
#include "server/clickhub.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto clicks = ClickHub::parseClicks(body);
    if (!clicks) {
        FUZZ_CHECK(!clicks.error().message.isEmpty());
        return 0;
    }
    FUZZ_CHECK(!clicks->isEmpty());
    for (qsizetype i = 0; i < clicks->size(); ++i)
        FUZZ_CHECK(ClickHub::checkClick(clicks->at(i), i).has_value());
    return 0;
}
