// SPDX-License-Identifier: MIT
// The click decoder with any mapping and any payload: the first line holds mapping specs
// (comma-separated, as --map takes them), the second the event type, the rest the data. Oracle:
// a mapping that parses gives itself back through toStrings(); a decode is a click, a snapshot,
// not a click, or undecodable with a reason, the same when repeated; a click has its link; and
// the flat reading gives exactly what the full DOM parse gives (result, reason and every field).
#include "core/decode/clickdecoder.h"
#include "core/decode/fieldmapping.h"
#include "fuzzinput.h"

using namespace Clickscope;
using namespace Clickscope::Fuzz;

namespace {

bool sameClick(const ClickView &a, const ClickView &b)
{
    return a.link == b.link && a.country == b.country && a.referrer == b.referrer && a.device == b.device
           && a.browser == b.browser && a.timestampMs == b.timestampMs && a.sequence == b.sequence;
}

}   // namespace

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
    ClickDecoder dom(mapping ? *mapping : FieldMapping{}, ClickDecoder::JsonPath::DomOnly);
    for (int round = 0; round < 2; ++round) {
        ClickView click;
        SnapshotView snapshot;
        const DecodeResult result = decoder.decode(type, payload, click, snapshot);

        ClickView domClick;
        SnapshotView domSnapshot;
        FUZZ_CHECK(dom.decode(type, payload, domClick, domSnapshot) == result);
        FUZZ_CHECK(dom.lastError() == decoder.lastError());
        FUZZ_CHECK(sameClick(click, domClick));
        FUZZ_CHECK(sameClick(snapshot.lastClick, domSnapshot.lastClick));
        FUZZ_CHECK(snapshot.clickCount == domSnapshot.clickCount && snapshot.hasLastClick == domSnapshot.hasLastClick);

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
