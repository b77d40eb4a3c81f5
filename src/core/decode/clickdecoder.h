// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/click.h"
#include "core/decode/fieldmapping.h"
#include "core/decode/flatjsonobject.h"

#include <QByteArrayView>
#include <QString>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// simdjson stays out of this header: clickscope_core links it PRIVATE.
namespace simdjson::dom {
class parser;
}   // namespace simdjson::dom

namespace Clickscope {

enum class DecodeResult {
    Click,         // `click` holds one click
    Snapshot,      // `snapshot` holds the stream's current totals (and maybe its last click)
    NotClick,      // a well-formed event that is not about clicks: count it, show it raw
    Undecodable,   // meant as a click or snapshot but broken; lastError() says why
};

// Turns one event's payload (an SSE event's type and data, or a WebSocket frame as type
// "message") into a click or a snapshot. A plain class: bytes in, results and errors as values,
// never an exception, never a stop. Not thread-safe: one owner decodes.
//
// What becomes what:
//  - Data is parsed as JSON unless it cannot be a click anyway: in events of type "message" (or
//    untyped) only data that starts with '{' or '[' is parsed, so plain text ("hello") and
//    an LLM-style stream's closing "[DONE]" are NotClick; in other types ("patch", "ping" …) only data
//    starting with '{'. JSON that fails to parse is Undecodable in "click", "snapshot" and
//    "message" events and NotClick in any other type, whose payloads were never promised as
//    JSON. A parsed value that is not an object is Undecodable in "click" and "snapshot" events,
//    NotClick elsewhere.
//  - An object is a Snapshot when the event type is "snapshot" or it has a numeric "clickCount"
//    (a non-negative whole number): a current-state snapshot `{clickCount, clickAnalytics}`.
//    "clickAnalytics" holding an object is the last click and feeds the breakdowns (it needs no
//    link: such a stream is per link, named in its URL); false, null or absent means there is
//    none, anything else is Undecodable.
//  - Otherwise it is a Click when it has a link: the mapped pointer, else the first present of
//    "link", "shortCode", "code", "url". "code" and "url" only count when they hold a string,
//    because error objects say {"code": 429}; a "link" or "shortCode" that is not a string is
//    Undecodable. No link: NotClick, or Undecodable in an event of type "click".
//  - Click fields, any of them absent or null:
//      country, device: strings, kept as they are;
//      referrer (or "referer"): a URL reduced to its lower-cased host, port and user info
//        dropped ("https://news.ycombinator.com/item?id=1" → "news.ycombinator.com"); a bare
//        host stays as it is; "" means a direct visit (empty);
//      browser: the "browser" string, else derived from "userAgent" or "ua" (Edge, Firefox,
//        Samsung Internet, Chrome, Safari, other); device is derived from the user agent too
//        when "device" is absent (tablet, mobile, desktop), because current-state snapshots send only the UA;
//      ts (or "timestamp", "time"): a number of seconds (< 1e11), milliseconds (< 1e14),
//        microseconds (< 1e17) or nanoseconds since the epoch, a string of digits read the
//        same way, or an ISO 8601 date-time ("2026-11-23T10:00:00.000Z"; no offset means UTC);
//      id: a non-negative whole number or a string of digits becomes the sequence; any other
//        id (a UUID) is fine but gives none.
//    A field of the wrong type (a number where a string belongs, a date that is not a date, a
//    negative or out-of-range time) makes the event Undecodable: it would be counted wrongly.
//  - With a FieldMapping, a mapped field is read only from its pointer, resolved against the
//    click object: the event itself, or a snapshot's "clickAnalytics" object.
//  - Duplicate keys: the last one wins, as in JavaScript's JSON.parse.
//
// Lifetime: every view in the ClickView / SnapshotView filled by decode() points into memory the
// decoder owns (its copy of the input, simdjson's string buffer, the flat reader's or its own
// scratch buffer, or static names) and stays valid until the next decode() call or the decoder's
// destruction or move. Copy what must outlive that.
//
// Cost: the input is copied into a padded buffer that the decoder keeps. A flat object (every
// member a scalar, as clicks mostly are) is then read in one pass by FlatJsonObject, without a
// document; anything else, and every event when fields are mapped, gets one full simdjson DOM
// parse. Both feed the same pass over the object's keys, so results and messages do not depend
// on which read it, as long as FlatJsonObject keeps its promise (tst_clickdecoder compares the
// two paths on every row it has, fuzz_clickdecoder on every input it makes).
// DOM rather than On Demand for the rest: On Demand validates only what it visits (a click with
// a broken value under an unknown key would count) and needs a rewind per mapped pointer; and it
// was not faster on 250-byte clicks when measured (built with default flags it even runs
// simdjson's portable fallback kernel, while the DOM parser inside libsimdjson picks the CPU's
// best kernel at run time). The input buffer and simdjson's parser grow in powers of two to the
// largest event seen and are then reused, so decoding allocates nothing in the steady state
// (tst_clickdecoder counts operator new calls).
// After an event larger than kRetainedCapacity they (and the flat reader's and the referrer's
// scratch buffers) are released at the next decode(), so one
// huge event does not pin its memory (about 15 times its size, in simdjson) for the session.
class ClickDecoder
{
public:
    static constexpr qsizetype kInitialCapacity = 4 * 1024;
    static constexpr qsizetype kRetainedCapacity = 1024 * 1024;

    // How decode() reads JSON. The results are the same either way; DomOnly is there to prove
    // that and to measure what the flat reading saves.
    enum class JsonPath {
        FlatFirst,   // flat objects without a document, the rest with the DOM
        DomOnly,     // every event with the DOM
    };

    explicit ClickDecoder(FieldMapping mapping = {}, JsonPath path = JsonPath::FlatFirst);
    ~ClickDecoder();
    ClickDecoder(ClickDecoder &&) noexcept;
    ClickDecoder &operator=(ClickDecoder &&) noexcept;
    ClickDecoder(const ClickDecoder &) = delete;
    ClickDecoder &operator=(const ClickDecoder &) = delete;

    // Decodes one event. Resets `click` and `snapshot`, then fills the one the result names.
    [[nodiscard]] DecodeResult decode(QByteArrayView eventType, QByteArrayView data, ClickView &click,
                                      SnapshotView &snapshot);

    // Why the most recent decode() returned Undecodable ("invalid JSON at byte 12: …",
    // "'link' is a number, expected a string"); empty after any other result. Formatted on
    // demand, so a stream of broken events costs no string building unless someone looks.
    QString lastError() const;

    const FieldMapping &mapping() const { return m_mapping; }

    // The largest payload, in bytes, that decode() takes without allocating.
    qsizetype capacity() const { return m_capacity; }

private:
    enum class Problem {
        None,
        InvalidJson,   // simdjson rejected the payload: m_jsonError
        NotObject,     // m_actual names what it was instead
        EmptyData,
        WrongType,   // the subject is m_actual, expected m_expected
        BadValue,    // the subject, then m_actual ("is negative", "is out of range" …)
        NoLink,
        NoClickCount,
    };
    // Who a problem is about: a detected key (a static name), or a mapped field.
    struct Subject
    {
        // Spelled out rather than default member initialisers, which a default argument of the
        // enclosing class cannot use before that class is complete.
        Subject() : mappedField(-1) {}
        Subject(std::string_view k) : key(k), mappedField(-1) {}
        std::string_view key;
        int mappedField;
    };
    class Fields;
    // What a click object without a link is.
    enum class LinkRule {
        Required,     // an event of type "click": Undecodable
        OrNotClick,   // any other event: NotClick
        Optional,     // a snapshot's last click: still a click
    };

    DecodeResult decodeObject(const Fields &fields, bool typedClick, bool typedSnapshot, ClickView &click,
                              SnapshotView &snapshot);
    // Clears whichever of `click` and `snapshot` the result does not name.
    static DecodeResult finish(DecodeResult result, ClickView &click, SnapshotView &snapshot);
    // The value `field` reads (through its mapped pointer, or from the first of its keys that is
    // present), or nullptr; `subject` says where it came from, `mapped` holds a mapped value.
    const JsonValue *fieldValue(const Fields &fields, FieldMapping::Field field, Subject &subject,
                                JsonValue &mapped) const;
    // The value a mapped field's pointer reaches, if any (null counts as absent).
    bool resolveMapped(const Fields &fields, FieldMapping::Field field, JsonValue &out) const;
    // Fills `click` from an object's fields: Click, NotClick (no link, per `linkRule`) or
    // Undecodable with the problem set.
    DecodeResult decodeClick(const Fields &fields, LinkRule linkRule, ClickView &click);
    // The steps of decodeClick. Each answers false (or Broken) with the problem set.
    enum class LinkFound { Yes, No, Broken };
    LinkFound readLink(const Fields &fields, QByteArrayView &out);
    bool readStrings(const Fields &fields, ClickView &click);
    bool deriveFromUserAgent(const Fields &fields, ClickView &click);
    bool readTimestamp(const Fields &fields, qint64 &ms);
    qint64 readSequence(const Fields &fields) const;
    bool readString(const Fields &fields, FieldMapping::Field field, std::string_view &out);

    // Record why the event is undecodable; fail() for helpers that answer bool, reject() for
    // those that answer a DecodeResult.
    bool fail(Problem problem, Subject subject = {}, const char *actual = nullptr, const char *expected = nullptr);
    DecodeResult reject(Problem problem, Subject subject = {}, const char *actual = nullptr,
                        const char *expected = nullptr);
    void releaseIfLarge();
    void copyInput(QByteArrayView data);
    // `json` with every integer too long for 64 bits written as a double ("1e23" style values
    // stay as they are); the same size when there is none.
    static std::string widenHugeIntegers(QByteArrayView json);

    FieldMapping m_mapping;
    // Each mapped pointer split into its unescaped reference tokens, once, so that resolving it
    // per event neither parses the pointer nor allocates.
    std::array<std::vector<std::string>, FieldMapping::kFieldCount> m_tokens;
    std::array<bool, FieldMapping::kFieldCount> m_mapped{};
    JsonPath m_path;

    FlatJsonObject m_flat;

    std::unique_ptr<simdjson::dom::parser> m_parser;
    std::unique_ptr<char[]> m_input;   // the current payload followed by simdjson's padding
    qsizetype m_capacity = 0;          // payload bytes m_input, the parser and its document hold
    qsizetype m_inputSize = 0;
    qsizetype m_inputOffset = 0;   // where the copied payload starts in the caller's data
    std::string m_hostScratch;     // a referrer host that had to be lower-cased

    // The last Undecodable, kept as parts and formatted by lastError().
    Problem m_problem = Problem::None;
    int m_jsonError = 0;   // a simdjson::error_code
    Subject m_subject;
    const char *m_actual = nullptr;
    const char *m_expected = nullptr;
    bool m_inLastClick = false;   // decoding a snapshot's "clickAnalytics" object
};

}   // namespace Clickscope
