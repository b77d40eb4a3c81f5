// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/jsonvalue.h"

#include <QtGlobal>

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace Clickscope {

// Reads a JSON object whose members all hold scalars, as most click streams send a click, in one
// pass and without building a document: the fast path in front of a full JSON parser.
//
// It answers only when it is certain. parse() returning true means the text is valid JSON (RFC
// 8259: an object, whitespace around it allowed) and members() are exactly the members, in
// order, with the values a full parser reads. False means only "not read here": the text may be
// invalid, or valid but outside what this reads, and the caller must parse it fully to know which.
// Outside what this reads, besides invalid text:
//   - a member holding an object or an array;
//   - a \u escape (the other escapes are read);
//   - an integer of 19 or more digits, or negative zero (parsers differ on its type);
//   - a number with a fraction or exponent and more than 19 digits before the exponent or more
//     than 3 in it (where a full parser may take a slower road with limits of its own), or one
//     that std::from_chars does not read as a finite, non-zero-by-underflow double;
//   - more than kMaxMembers members.
// Strings are proved UTF-8 (no overlongs, no surrogates) as a full parser proves them.
//
// Views in members() point into the text, or into this object's memory for strings that held
// escapes; both until the next parse() (or release(), or a move). Memory: the members array, and
// for escaped strings a buffer as long as the longest such text, kept for the next parse() until
// release() frees it.
class FlatJsonObject
{
public:
    static constexpr int kMaxMembers = 32;

    struct Member
    {
        std::string_view key;
        JsonValue value;
    };

    [[nodiscard]] bool parse(std::string_view json);
    std::span<const Member> members() const { return {m_members.data(), std::size_t(m_count)}; }

    // The bytes kept for unescaping, and letting go of them (members() is then empty).
    qsizetype scratchBytes() const { return qsizetype(m_unescaped.capacity()); }
    void release();

private:
    // Each reads one token starting at `p` and answers the byte after it, or nullptr when the
    // token is outside what this reads.
    const char *readString(const char *p, const char *end, std::string_view &out);
    const char *readEscaped(const char *begin, const char *p, const char *end, bool nonAscii, std::string_view &out);
    static const char *readNumber(const char *p, const char *end, JsonValue &out);
    static const char *readLiteral(const char *p, const char *end, JsonValue &out);

    std::array<Member, kMaxMembers> m_members;
    int m_count = 0;
    std::size_t m_textSize = 0;   // of the text being parsed
    std::string m_unescaped;      // reserved to the text's size before the first escape, never beyond
};

}   // namespace Clickscope
