// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <string_view>

namespace Clickscope {

// One JSON value as the click decoder reads it, whichever parser read it: what the value is,
// and for scalars what it holds. Objects and arrays are named, not held.
struct JsonValue
{
    enum class Type : quint8 { Null, Bool, Int64, Uint64, Double, String, Object, Array };

    Type type = Type::Null;
    bool boolean = false;      // Bool
    qint64 int64 = 0;          // Int64
    double real = 0;           // Double
    std::string_view string;   // String, unescaped; a view into the parser's memory
};

// The type as an error message names it: "a string", "a number", "null" …
constexpr const char *typeName(JsonValue::Type type)
{
    switch (type) {
    case JsonValue::Type::Null:
        return "null";
    case JsonValue::Type::Bool:
        return "a boolean";
    case JsonValue::Type::Int64:
    case JsonValue::Type::Uint64:
    case JsonValue::Type::Double:
        return "a number";
    case JsonValue::Type::String:
        return "a string";
    case JsonValue::Type::Object:
        return "an object";
    case JsonValue::Type::Array:
        return "an array";
    }
    return "a value";
}

}   // namespace Clickscope
