// SPDX-License-Identifier: MIT
// The command lines' `-H 'Name: value'` on any text. Oracle: a header taken has a name, and
// neither its name nor its value can carry a line break, a NUL or another control character
// (but a tab) into the request (header injection, or a value servers split differently).
#include "core/source/sourceconfig.h"
#include "fuzzinput.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString line = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<HttpHeader> header = parseHeaderLine(line);
    if (!header) {
        FUZZ_CHECK(!header.error().isEmpty());
        return 0;
    }
    const auto &[name, value] = *header;
    FUZZ_CHECK(!name.isEmpty());
    for (const QByteArray *part : {&name, &value}) {
        for (const char c : *part)
            FUZZ_CHECK((quint8(c) >= 0x20 && c != 0x7f) || c == '\t');
    }
    FUZZ_CHECK(!name.contains(':') && !name.contains(' '));
    return 0;
}
