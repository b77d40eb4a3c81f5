// SPDX-License-Identifier: MIT
// The click decoder with any mapping and any payload: the first line holds mapping specs
// (comma-separated, as --map takes them), the second the event type, the rest the data. Oracle:
// a mapping that parses gives itself back through toStrings(); a decode is a click, a snapshot,
// not a click, or undecodable with a reason, the same when repeated; a click has its link.
#include "core/decode/clickdecoder.h"
#include "core/decode/fieldmapping.h"
#include "fuzzinput.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    const QStringList specs = QString::fromUtf8(input.line()).split(u',', Qt::SkipEmptyParts);
    const QByteArrayView type = input.line();
    const QByteArrayView payload = input.rest();

    const Result<FieldMapping> mapping = FieldMapping::parse(specs);
    if (mapping) {
        const Result<FieldMapping> again = FieldMapping::parse(mapping->toStrings());
        FUZZ_CHECK(again && *again == *mapping);
    } else {
        FUZZ_CHECK(!mapping.error().isEmpty());
    }
    ClickDecoder decoder(mapping ? *mapping : FieldMapping{});
    for (int round = 0; round < 2; ++round) {
        ClickView click;
        SnapshotView snapshot;
        const DecodeResult result = decoder.decode(type, payload, click, snapshot);
        switch (result) {
        case DecodeResult::Click:
            FUZZ_CHECK(!click.link.isEmpty());
            FUZZ_CHECK(decoder.lastError().isEmpty());
            break;
        case DecodeResult::Snapshot:
            FUZZ_CHECK(snapshot.clickCount >= 0);
            FUZZ_CHECK(decoder.lastError().isEmpty());
            break;
        case DecodeResult::NotClick:
            FUZZ_CHECK(decoder.lastError().isEmpty());
            break;
        case DecodeResult::Undecodable:
            FUZZ_CHECK(!decoder.lastError().isEmpty());
            break;
        default:
            fail("a result outside DecodeResult");
        }
    }
    return 0;
}
