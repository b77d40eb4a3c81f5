// SPDX-License-Identifier: MIT
// The flat-object reader against simdjson's DOM, on any bytes. Oracle: declining is always
// allowed; reading is allowed only when the DOM reads the same bytes as an object with the same
// members in the same order, each key the same and each value of the same type and value (reals
// bit for bit), which is the promise the click decoder's fast path rests on. The same bytes are
// read a second time to prove nothing of the first read lingers.
#include "core/decode/flatjsonobject.h"
#include "fuzzinput.h"

#include <simdjson.h>

#include <cstring>

using namespace Clickscope;

namespace {

bool same(const JsonValue &flat, const simdjson::dom::element &dom)
{
    using simdjson::dom::element_type;
    switch (dom.type()) {
    case element_type::INT64:
        return flat.type == JsonValue::Type::Int64 && flat.int64 == dom.get_int64().value_unsafe();
    case element_type::DOUBLE: {
        const double real = dom.get_double().value_unsafe();
        return flat.type == JsonValue::Type::Double && std::memcmp(&flat.real, &real, sizeof real) == 0;
    }
    case element_type::STRING:
        return flat.type == JsonValue::Type::String && flat.string == dom.get_string().value_unsafe();
    case element_type::BOOL:
        return flat.type == JsonValue::Type::Bool && flat.boolean == dom.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
        return flat.type == JsonValue::Type::Null;
    default:
        return false;   // UINT64, objects and arrays are the DOM's alone
    }
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    FlatJsonObject flat;
    for (int round = 0; round < 2; ++round) {
        if (!flat.parse(text))
            return 0;
        simdjson::dom::parser parser;
        const simdjson::padded_string padded(text);
        simdjson::dom::object object;
        FUZZ_CHECK(parser.parse(padded).get_object().get(object) == simdjson::SUCCESS);
        const auto members = flat.members();
        std::size_t i = 0;
        for (const auto [key, value] : object) {
            FUZZ_CHECK(i < members.size());
            FUZZ_CHECK(members[i].key == key);
            FUZZ_CHECK(same(members[i].value, value));
            ++i;
        }
        FUZZ_CHECK(i == members.size());
    }
    return 0;
}
