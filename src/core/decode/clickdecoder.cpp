// SPDX-License-Identifier: MIT
#include "core/decode/clickdecoder.h"

#include "core/decode/fieldparsers.h"
#include "core/decode/flatjsonobject.h"
#include "core/text/ascii.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

namespace Clickscope {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Field = FieldMapping::Field;

// Keys the decoder knows by name. Matched once per key in one pass over an object.
enum class Key {
    Link,
    ShortCode,
    Code,
    Url,
    Country,
    Referrer,
    Referer,
    Device,
    Browser,
    UserAgent,
    Ua,
    Ts,
    Timestamp,
    Time,
    Id,
    ClickCount,
    ClickAnalytics,
    Count
};
constexpr std::string_view kKeyNames[int(Key::Count)] = {
    "link",      "shortCode", "code", "url",       "country", "referrer", "referer",    "device",        "browser",
    "userAgent", "ua",        "ts",   "timestamp", "time",    "id",       "clickCount", "clickAnalytics"};

// The keys each field is read from when it is not mapped, in order of preference. The link has
// its own rule (readLink) and is not read through this.
constexpr std::array<std::array<Key, 3>, FieldMapping::kFieldCount> kKeysOf = {{
    {Key::Count, Key::Count, Key::Count},        // Link
    {Key::Country, Key::Count, Key::Count},      // Country
    {Key::Referrer, Key::Referer, Key::Count},   // Referrer
    {Key::Device, Key::Count, Key::Count},       // Device
    {Key::Browser, Key::Count, Key::Count},      // Browser
    {Key::Ts, Key::Timestamp, Key::Time},        // Timestamp
    {Key::Id, Key::Count, Key::Count},           // Id
}};

// Length first, then bytes: one switch instead of seventeen comparisons per key.
int keyIndex(std::string_view key)
{
    const auto is = [key](Key k) { return key == kKeyNames[int(k)]; };
    Key k = Key::Count;
    switch (key.size()) {
    case 2:
        k = is(Key::Ts) ? Key::Ts : is(Key::Id) ? Key::Id : is(Key::Ua) ? Key::Ua : Key::Count;
        break;
    case 3:
        k = is(Key::Url) ? Key::Url : Key::Count;
        break;
    case 4:
        k = is(Key::Link) ? Key::Link : is(Key::Code) ? Key::Code : is(Key::Time) ? Key::Time : Key::Count;
        break;
    case 6:
        k = is(Key::Device) ? Key::Device : Key::Count;
        break;
    case 7:
        k = is(Key::Country)   ? Key::Country
            : is(Key::Browser) ? Key::Browser
            : is(Key::Referer) ? Key::Referer
                               : Key::Count;
        break;
    case 8:
        k = is(Key::Referrer) ? Key::Referrer : Key::Count;
        break;
    case 9:
        k = is(Key::ShortCode)   ? Key::ShortCode
            : is(Key::Timestamp) ? Key::Timestamp
            : is(Key::UserAgent) ? Key::UserAgent
                                 : Key::Count;
        break;
    case 10:
        k = is(Key::ClickCount) ? Key::ClickCount : Key::Count;
        break;
    case 14:
        k = is(Key::ClickAnalytics) ? Key::ClickAnalytics : Key::Count;
        break;
    default:
        break;
    }
    return k == Key::Count ? -1 : int(k);
}

// The DOM's value as the decoder reads values, whichever parser read them.
JsonValue valueOf(const element &e)
{
    JsonValue v;
    switch (e.type()) {
    case element_type::ARRAY:
        v.type = JsonValue::Type::Array;
        break;
    case element_type::OBJECT:
        v.type = JsonValue::Type::Object;
        break;
    case element_type::INT64:
        v.type = JsonValue::Type::Int64;
        v.int64 = e.get_int64().value_unsafe();
        break;
    case element_type::UINT64:
        v.type = JsonValue::Type::Uint64;
        break;
    case element_type::DOUBLE:
        v.type = JsonValue::Type::Double;
        v.real = e.get_double().value_unsafe();
        break;
    case element_type::STRING:
        v.type = JsonValue::Type::String;
        v.string = e.get_string().value_unsafe();
        break;
    case element_type::BOOL:
        v.type = JsonValue::Type::Bool;
        v.boolean = e.get_bool().value_unsafe();
        break;
    case element_type::NULL_VALUE:
        break;
    }
    return v;
}

const char *typeName(const JsonValue &value) { return Clickscope::typeName(value.type); }

QByteArrayView viewOf(std::string_view s) { return {s.data(), qsizetype(s.size())}; }

// What a JSON value is when read as a non-negative whole number (a count, a sequence id).
enum class WholeNumber { Ok, Negative, OutOfRange, NotWhole, NotNumber };

// Counts may be any double below 2^63 (with margin: a double's steps up there are 1024 wide);
// ids only below 2^53, where a double is still exact, or consecutive ids would merge into one.
constexpr double kMaxCountDouble = 9.2e18;
constexpr double kMaxIdDouble = 9e15;

// Integers, and doubles without a fraction below `maxDouble`; with `digitsInString`, a string of
// up to 18 digits too, as ids often are.
WholeNumber readWholeNumber(const JsonValue &value, double maxDouble, bool digitsInString, qint64 &out)
{
    constexpr std::size_t kMaxDigits = 18;
    switch (value.type) {
    case JsonValue::Type::Int64:
        out = value.int64;
        return out < 0 ? WholeNumber::Negative : WholeNumber::Ok;
    case JsonValue::Type::Uint64:
        return WholeNumber::OutOfRange;
    case JsonValue::Type::Double: {
        const double d = value.real;
        if (d < 0)
            return WholeNumber::Negative;
        if (!(d < maxDouble))
            return WholeNumber::OutOfRange;
        if (d != std::floor(d))
            return WholeNumber::NotWhole;
        out = qint64(d);
        return WholeNumber::Ok;
    }
    case JsonValue::Type::String: {
        const std::string_view text = value.string;
        if (!digitsInString || !Ascii::isDigits(text))
            return WholeNumber::NotNumber;
        if (text.size() > kMaxDigits)
            return WholeNumber::OutOfRange;
        std::from_chars(text.data(), text.data() + text.size(), out);
        return WholeNumber::Ok;
    }
    default:
        return WholeNumber::NotNumber;
    }
}

// The value of a key in `o`; the last one when the key repeats, as JSON.parse does.
bool lookup(const object &o, std::string_view key, element &out)
{
    bool found = false;
    for (auto it = o.begin(), end = o.end(); it != end; ++it) {
        if (it.key() == key) {
            out = it.value();
            found = true;
        }
    }
    return found;
}

// Walks RFC 6901 reference tokens from `root`. Null counts as absent, as everywhere else.
bool resolve(const object &root, const std::vector<std::string> &tokens, element &out)
{
    element current;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string &token = tokens[i];
        object o;
        if (i == 0) {
            o = root;
        } else if (current.get_object().get(o) != simdjson::SUCCESS) {
            simdjson::dom::array a;
            if (current.get_array().get(a) != simdjson::SUCCESS || !Ascii::isDigits(token)
                || (token.size() > 1 && token[0] == '0') || token.size() > 9)
                return false;
            std::size_t index = 0;
            std::from_chars(token.data(), token.data() + token.size(), index);
            if (a.at(index).get(current) != simdjson::SUCCESS)
                return false;
            continue;
        }
        if (!lookup(o, token, current))
            return false;
    }
    if (current.is_null())
        return false;
    out = current;
    return true;
}

}   // namespace

// The values of the known keys of one object, found in a single pass over its members, and,
// when a full parser read it, the object itself for mapped pointers and nested objects.
class ClickDecoder::Fields
{
public:
    explicit Fields(const object &o) : m_object(&o)
    {
        for (auto it = o.begin(), end = o.end(); it != end; ++it) {
            const int k = keyIndex(it.key());
            if (k >= 0)
                set(k, valueOf(it.value()));
            if (k == int(Key::ClickAnalytics))
                m_lastClick = it.value();
        }
    }
    explicit Fields(std::span<const FlatJsonObject::Member> members)
    {
        for (const FlatJsonObject::Member &member : members) {
            if (const int k = keyIndex(member.key); k >= 0)
                set(k, member.value);
        }
    }

    // The object the fields came from, when a full parser read it (always, with a mapping).
    const object *root() const { return m_object; }
    bool has(Key k) const { return m_present & (1u << int(k)); }
    const JsonValue &value(Key k) const { return m_storage.values[int(k)]; }
    // The first of `keys` that is present (Key::Count ends the list early).
    template<std::size_t N>
    bool first(const std::array<Key, N> &keys, Key &found) const
    {
        for (Key k : keys) {
            if (k == Key::Count)
                break;
            if (has(k)) {
                found = k;
                return true;
            }
        }
        return false;
    }
    // The object "clickAnalytics" holds, when it holds one.
    bool lastClickObject(object &out) const
    {
        // Only the full parser reads objects: a flat object never holds one.
        return has(Key::ClickAnalytics) && value(Key::ClickAnalytics).type == JsonValue::Type::Object
               && m_lastClick.get_object().get(out) == simdjson::SUCCESS;
    }

private:
    void set(int k, const JsonValue &value)
    {
        const quint32 bit = 1u << k;
        // Null is absence; a later duplicate replaces an earlier one, null included.
        if (value.type == JsonValue::Type::Null) {
            m_present &= ~bit;
        } else {
            std::construct_at(&m_storage.values[k], value);
            m_present |= bit;
        }
    }

    // Left uninitialised: only the values of present keys are ever read, and clearing them all
    // for every event cost more than reading the event's keys.
    union Storage
    {
        Storage() {}
        JsonValue values[int(Key::Count)];
    };

    const object *m_object = nullptr;
    Storage m_storage;
    element m_lastClick;
    quint32 m_present = 0;
};

ClickDecoder::ClickDecoder(FieldMapping mapping, JsonPath path)
    : m_mapping(std::move(mapping))
    , m_path(path)
    , m_parser(std::make_unique<simdjson::dom::parser>())
{
    for (int f = 0; f < FieldMapping::kFieldCount; ++f) {
        const QString pointer = m_mapping.pointer(Field(f));
        // FieldMapping only holds valid pointers, so this is split and unescape, no checking.
        if (pointer.isEmpty())
            continue;
        m_mapped[f] = true;
        const QStringList parts = pointer.mid(1).split(u'/');
        for (const QString &part : parts) {
            QString token = part;
            // "~1" first, as RFC 6901 says: "~01" is the key "~1", not "/".
            token.replace(QLatin1String("~1"), QLatin1String("/"));
            token.replace(QLatin1String("~0"), QLatin1String("~"));
            m_tokens[f].push_back(token.toStdString());
        }
    }
}

ClickDecoder::~ClickDecoder() = default;
ClickDecoder::ClickDecoder(ClickDecoder &&) noexcept = default;
ClickDecoder &ClickDecoder::operator=(ClickDecoder &&) noexcept = default;

DecodeResult ClickDecoder::decode(QByteArrayView eventType, QByteArrayView data, ClickView &click,
                                  SnapshotView &snapshot)
{
    click = {};
    snapshot = {};
    m_problem = Problem::None;
    m_inLastClick = false;
    releaseIfLarge();

    const bool typedClick = eventType == "click";
    const bool typedSnapshot = eventType == "snapshot";
    const bool typedMessage = eventType.isEmpty() || eventType == "message";
    const bool strict = typedClick || typedSnapshot;

    const QByteArrayView trimmed = data.trimmed();
    if (trimmed.isEmpty())
        return strict ? reject(Problem::EmptyData) : DecodeResult::NotClick;
    const char first = trimmed.front();
    if (typedMessage && (trimmed == "[DONE]" || (first != '{' && first != '[')))
        return DecodeResult::NotClick;
    if (!strict && !typedMessage && first != '{')
        return DecodeResult::NotClick;

    m_inputOffset = trimmed.data() - data.data();
    copyInput(trimmed);
    // Mapped pointers may reach into nested values, which only the full parser holds; and what
    // the full parser refuses for its size alone must be refused whichever path reads it.
    if (m_path == JsonPath::FlatFirst && m_mapping.isEmpty() && first == '{'
        && std::size_t(m_inputSize) <= simdjson::SIMDJSON_MAXSIZE_BYTES
        && m_flat.parse(std::string_view(m_input.get(), std::size_t(m_inputSize))))
        return finish(decodeObject(Fields(m_flat.members()), typedClick, typedSnapshot, click, snapshot), click,
                      snapshot);

    element root;
    auto error = m_parser->parse(m_input.get(), std::size_t(m_inputSize), false).get(root);
    if (error == simdjson::NUMBER_ERROR) {
        // An integer beyond 64 bits (an id of 2^64, a count of 10^23) fails the whole parse; read
        // as a double it is still a number, and only the field that needs a whole number refuses it.
        if (const std::string widened = widenHugeIntegers(trimmed); qsizetype(widened.size()) != trimmed.size()) {
            copyInput(QByteArrayView(widened.data(), qsizetype(widened.size())));
            if (m_parser->parse(m_input.get(), std::size_t(m_inputSize), false).get(root) == simdjson::SUCCESS)
                error = simdjson::SUCCESS;
            else
                copyInput(trimmed);   // errors are reported against what arrived
        }
    }
    if (error) {
        if (!strict && !typedMessage)
            return DecodeResult::NotClick;
        m_jsonError = int(error);
        return reject(Problem::InvalidJson);
    }
    object o;
    if (root.get_object().get(o) != simdjson::SUCCESS)
        return strict ? reject(Problem::NotObject, {}, typeName(valueOf(root))) : DecodeResult::NotClick;
    return finish(decodeObject(Fields(o), typedClick, typedSnapshot, click, snapshot), click, snapshot);
}

DecodeResult ClickDecoder::finish(DecodeResult result, ClickView &click, SnapshotView &snapshot)
{
    // No half-filled view survives a click or snapshot that turned out broken.
    if (result != DecodeResult::Click)
        click = {};
    if (result != DecodeResult::Snapshot)
        snapshot = {};
    return result;
}

DecodeResult ClickDecoder::decodeObject(const Fields &fields, bool typedClick, bool typedSnapshot, ClickView &click,
                                        SnapshotView &snapshot)
{
    if (!typedSnapshot && !fields.has(Key::ClickCount))
        return decodeClick(fields, typedClick ? LinkRule::Required : LinkRule::OrNotClick, click);

    if (!fields.has(Key::ClickCount))
        return reject(Problem::NoClickCount);
    const Subject countSubject{kKeyNames[int(Key::ClickCount)]};
    const JsonValue &count = fields.value(Key::ClickCount);
    switch (readWholeNumber(count, kMaxCountDouble, false, snapshot.clickCount)) {
    case WholeNumber::Ok:
        break;
    case WholeNumber::Negative:
        return reject(Problem::BadValue, countSubject, "is negative");
    case WholeNumber::OutOfRange:
        return reject(Problem::BadValue, countSubject, "is out of range");
    case WholeNumber::NotWhole:
        return reject(Problem::BadValue, countSubject, "is not a whole number");
    case WholeNumber::NotNumber:
        return reject(Problem::WrongType, countSubject, typeName(count), "a number");
    }

    if (!fields.has(Key::ClickAnalytics))
        return DecodeResult::Snapshot;
    const JsonValue &last = fields.value(Key::ClickAnalytics);
    object lastObject;
    if (fields.lastClickObject(lastObject)) {
        m_inLastClick = true;
        if (decodeClick(Fields(lastObject), LinkRule::Optional, snapshot.lastClick) == DecodeResult::Undecodable)
            return DecodeResult::Undecodable;
        m_inLastClick = false;
        snapshot.hasLastClick = true;
        return DecodeResult::Snapshot;
    }
    // A current-state snapshot says `false` before the link's first click; anything else is a mistake.
    if (last.type != JsonValue::Type::Bool || last.boolean)
        return reject(Problem::WrongType, {kKeyNames[int(Key::ClickAnalytics)]}, typeName(last), "an object or false");
    return DecodeResult::Snapshot;
}

DecodeResult ClickDecoder::decodeClick(const Fields &fields, LinkRule linkRule, ClickView &click)
{
    switch (readLink(fields, click.link)) {
    case LinkFound::Yes:
        break;
    case LinkFound::No:
        // Without a link an object in a stream of other things is one of those things: its
        // other keys are none of our business, whatever their types.
        if (linkRule == LinkRule::Required)
            return reject(Problem::NoLink);
        if (linkRule == LinkRule::OrNotClick)
            return DecodeResult::NotClick;
        break;
    case LinkFound::Broken:
        return DecodeResult::Undecodable;
    }
    if (!readStrings(fields, click) || !deriveFromUserAgent(fields, click) || !readTimestamp(fields, click.timestampMs))
        return DecodeResult::Undecodable;
    click.sequence = readSequence(fields);
    return DecodeResult::Click;
}

ClickDecoder::LinkFound ClickDecoder::readLink(const Fields &fields, QByteArrayView &out)
{
    // The link: mapped, or the first present of link, shortCode, code, url.
    const JsonValue *link = nullptr;
    JsonValue mapped;
    Subject subject;
    if (m_mapped[int(Field::Link)]) {
        link = fieldValue(fields, Field::Link, subject, mapped);
    } else {
        for (Key k : {Key::Link, Key::ShortCode, Key::Code, Key::Url}) {
            if (!fields.has(k))
                continue;
            // "code" and "url" are common words: only a string there is a link ({"code": 429} is
            // an error code). "link" and "shortCode" mean a link whatever they hold.
            if ((k == Key::Code || k == Key::Url) && fields.value(k).type != JsonValue::Type::String)
                continue;
            link = &fields.value(k);
            subject.key = kKeyNames[int(k)];
            break;
        }
    }
    if (!link)
        return LinkFound::No;
    if (link->type != JsonValue::Type::String) {
        fail(Problem::WrongType, subject, typeName(*link), "a string");
        return LinkFound::Broken;
    }
    out = viewOf(link->string);
    if (out.isEmpty()) {
        fail(Problem::BadValue, subject, "is empty");
        return LinkFound::Broken;
    }
    return LinkFound::Yes;
}

bool ClickDecoder::readStrings(const Fields &fields, ClickView &click)
{
    std::string_view country, device, browser, referrer;
    if (!readString(fields, Field::Country, country) || !readString(fields, Field::Device, device)
        || !readString(fields, Field::Browser, browser) || !readString(fields, Field::Referrer, referrer))
        return false;
    click.country = viewOf(country);
    click.device = viewOf(device);
    click.browser = viewOf(browser);
    click.referrer = viewOf(referrerHost(referrer, m_hostScratch));
    return true;
}

bool ClickDecoder::deriveFromUserAgent(const Fields &fields, ClickView &click)
{
    Key uaKey;
    constexpr std::array kUserAgentKeys = {Key::UserAgent, Key::Ua};
    if ((!click.browser.isEmpty() && !click.device.isEmpty()) || !fields.first(kUserAgentKeys, uaKey))
        return true;
    const JsonValue &ua = fields.value(uaKey);
    if (ua.type != JsonValue::Type::String)
        return fail(Problem::WrongType, {kKeyNames[int(uaKey)]}, typeName(ua), "a string");
    const std::string_view text = ua.string;
    if (text.empty())
        return true;
    const UserAgentInfo derived = parseUserAgent(text);
    if (click.browser.isEmpty())
        click.browser = derived.browser;
    if (click.device.isEmpty())
        click.device = derived.device;
    return true;
}

qint64 ClickDecoder::readSequence(const Fields &fields) const
{
    // The id is optional metadata: only a whole number gives a sequence, and no other id is wrong.
    Subject subject;
    JsonValue mapped;
    const JsonValue *id = fieldValue(fields, Field::Id, subject, mapped);
    qint64 sequence = 0;
    return id && readWholeNumber(*id, kMaxIdDouble, true, sequence) == WholeNumber::Ok ? sequence
                                                                                       : ClickView::kNoSequence;
}

bool ClickDecoder::readString(const Fields &fields, Field field, std::string_view &out)
{
    out = {};
    Subject subject;
    JsonValue mapped;
    const JsonValue *value = fieldValue(fields, field, subject, mapped);
    if (!value)
        return true;
    if (value->type != JsonValue::Type::String)
        return fail(Problem::WrongType, subject, typeName(*value), "a string");
    out = value->string;
    return true;
}

bool ClickDecoder::readTimestamp(const Fields &fields, qint64 &ms)
{
    Subject subject;
    JsonValue mapped;
    const JsonValue *found = fieldValue(fields, Field::Timestamp, subject, mapped);
    if (!found)
        return true;
    const JsonValue &value = *found;
    bool ok = false;
    switch (value.type) {
    case JsonValue::Type::Int64:
        if (value.int64 < 0)
            return fail(Problem::BadValue, subject, "is negative");
        ok = integerEpochToMs(value.int64, ms);
        break;
    case JsonValue::Type::Double:
        if (value.real < 0)
            return fail(Problem::BadValue, subject, "is negative");
        ok = realEpochToMs(value.real, ms);
        break;
    case JsonValue::Type::Uint64:
        break;
    case JsonValue::Type::String: {
        const std::string_view text = value.string;
        if (Ascii::isDigits(text)) {
            qint64 n = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
            ok = error == std::errc() && integerEpochToMs(n, ms);
        } else if (parseIso8601(text, ms)) {
            if (ms < 0)
                return fail(Problem::BadValue, subject, "is before 1970");
            ok = ms <= kMaxEpochMs;
        } else {
            return fail(Problem::BadValue, subject, "is not an ISO 8601 date-time");
        }
        break;
    }
    default:
        return fail(Problem::WrongType, subject, typeName(value), "a number or an ISO 8601 string");
    }
    if (!ok) {
        ms = ClickView::kNoTime;
        return fail(Problem::BadValue, subject, "is out of range");
    }
    return true;
}

const JsonValue *ClickDecoder::fieldValue(const Fields &fields, Field field, Subject &subject, JsonValue &mapped) const
{
    if (m_mapped[int(field)]) {
        subject.mappedField = int(field);
        return resolveMapped(fields, field, mapped) ? &mapped : nullptr;
    }
    Key k;
    if (!fields.first(kKeysOf[int(field)], k))
        return nullptr;
    subject.key = kKeyNames[int(k)];
    return &fields.value(k);
}

bool ClickDecoder::resolveMapped(const Fields &fields, Field field, JsonValue &out) const
{
    element value;
    // A decoder with a mapping reads every event with the full parser, so the root is there.
    Q_ASSERT(fields.root());
    if (!fields.root() || !resolve(*fields.root(), m_tokens[int(field)], value))
        return false;
    out = valueOf(value);
    return true;
}

bool ClickDecoder::fail(Problem problem, Subject subject, const char *actual, const char *expected)
{
    m_problem = problem;
    m_subject = subject;
    m_actual = actual;
    m_expected = expected;
    return false;
}

DecodeResult ClickDecoder::reject(Problem problem, Subject subject, const char *actual, const char *expected)
{
    fail(problem, subject, actual, expected);
    return DecodeResult::Undecodable;
}

void ClickDecoder::releaseIfLarge()
{
    if (m_capacity > kRetainedCapacity) {
        m_input.reset();
        m_parser = std::make_unique<simdjson::dom::parser>();
        m_capacity = 0;
    }
    if (qsizetype(m_hostScratch.capacity()) > kRetainedCapacity)
        std::string().swap(m_hostScratch);
    if (m_flat.scratchBytes() > kRetainedCapacity)
        m_flat.release();
}

std::string ClickDecoder::widenHugeIntegers(QByteArrayView json)
{
    constexpr qsizetype kMaxIntegerDigits = 19;   // 2^64 has 20 digits
    std::string out;
    out.reserve(std::size_t(json.size()) + 16);
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        out += c;
        if (inString) {
            if (c == '\\' && i + 1 < json.size())
                out += json[++i];
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            continue;
        }
        if (c < '0' || c > '9')
            continue;
        // A whole number token: its integer digits, then any fraction or exponent.
        qsizetype end = i + 1;
        while (end < json.size() && json[end] >= '0' && json[end] <= '9')
            ++end;
        const qsizetype integerDigits = end - i;
        const bool whole = end == json.size() || (json[end] != '.' && json[end] != 'e' && json[end] != 'E');
        while (end < json.size()
               && ((json[end] >= '0' && json[end] <= '9') || json[end] == '.' || json[end] == 'e' || json[end] == 'E'
                   || json[end] == '+' || json[end] == '-'))
            ++end;
        out.append(json.data() + i + 1, std::size_t(end - i - 1));
        if (whole && integerDigits > kMaxIntegerDigits)
            out += ".0";
        i = end - 1;
    }
    return out;
}

void ClickDecoder::copyInput(QByteArrayView data)
{
    if (data.size() > m_capacity) {
        // Powers of two, for the input and for simdjson's parser and document alike: a stream of
        // slowly growing events reallocates a few times, not once per new longest event, which
        // is what simdjson's own growth (to the exact size) would do.
        qsizetype capacity = kInitialCapacity;
        while (capacity < data.size())
            capacity *= 2;
        m_input.reset(new char[std::size_t(capacity) + simdjson::SIMDJSON_PADDING]);
        const bool allocated = m_parser->allocate(std::size_t(capacity)) == simdjson::SUCCESS
                               && m_parser->doc.allocate(std::size_t(capacity)) == simdjson::SUCCESS;
        // Out of memory: the parse below tries again and reports MEMALLOC as the error.
        m_capacity = allocated ? capacity : 0;
    }
    std::memcpy(m_input.get(), data.data(), std::size_t(data.size()));
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; make them defined.
    std::memset(m_input.get() + data.size(), 0, simdjson::SIMDJSON_PADDING);
    m_inputSize = data.size();
}

QString ClickDecoder::lastError() const
{
    QString subject;
    if (m_subject.mappedField >= 0) {
        const Field field = Field(m_subject.mappedField);
        subject = QStringLiteral("'%1' (at %2)").arg(FieldMapping::fieldName(field), m_mapping.pointer(field));
    } else if (!m_subject.key.empty()) {
        subject = u'\'' + QString::fromLatin1(m_subject.key.data(), qsizetype(m_subject.key.size())) + u'\'';
    }
    if (m_inLastClick)
        subject.prepend(QStringLiteral("clickAnalytics: "));
    const QString actual = QString::fromLatin1(m_actual);
    switch (m_problem) {
    case Problem::None:
        return {};
    case Problem::InvalidJson: {
        // simdjson says what is wrong but not where; Qt's parser says where. Only on demand.
        QJsonParseError error;
        QJsonDocument::fromJson(QByteArray::fromRawData(m_input.get(), m_inputSize), &error);
        const QString what = QString::fromLatin1(simdjson::error_message(simdjson::error_code(m_jsonError)));
        if (error.error == QJsonParseError::NoError) {
            // Valid JSON that simdjson 3.0 refuses even after widening huge integers to doubles.
            if (m_jsonError == simdjson::NUMBER_ERROR)
                return QStringLiteral("unsupported JSON: a number beyond 64-bit range (%1)").arg(what);
            return QStringLiteral("invalid JSON: %1").arg(what);
        }
        return QStringLiteral("invalid JSON at byte %1: %2 (%3)")
            .arg(m_inputOffset + error.offset)
            .arg(error.errorString(), what);
    }
    case Problem::NotObject:
        return QStringLiteral("expected a JSON object, got %1").arg(actual);
    case Problem::EmptyData:
        return QStringLiteral("empty data, expected a JSON object");
    case Problem::WrongType:
        return QStringLiteral("%1 is %2, expected %3").arg(subject, actual, QString::fromLatin1(m_expected));
    case Problem::BadValue:
        return QStringLiteral("%1 %2").arg(subject, actual);
    case Problem::NoLink:
        if (m_mapped[int(Field::Link)])
            return QStringLiteral("no link at %1").arg(m_mapping.pointer(Field::Link));
        return QStringLiteral("no link: expected one of 'link', 'shortCode', 'code' or 'url' holding a string");
    case Problem::NoClickCount:
        return QStringLiteral("a snapshot needs a numeric 'clickCount'");
    }
    return {};
}

}   // namespace Clickscope
