// SPDX-License-Identifier: MIT
#include "core/decode/fieldparsers.h"

#include "core/text/ascii.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace Clickscope {
namespace {

// Milliseconds from a count since the epoch in s, ms, µs or ns, told apart by magnitude: 1e11 s
// is the year 5138 and 1e11 ms is 1973, so today's values of each unit sit decades apart.
constexpr double kSecondsBelow = 1e11;
constexpr double kMillisecondsBelow = 1e14;
constexpr double kMicrosecondsBelow = 1e17;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
qint64 daysFromCivil(qint64 y, int m, int d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

}   // namespace

// Browser and device class from a User-Agent string, in one pass over its words (runs of letters
// and digits) rather than a substring search per browser and device.
//  - Browser: every engine claims its ancestors ("Edg/…" comes with "Chrome/…", which comes with
//    "Safari/…"), so the most specific product token ("Name/version") wins, wherever it is.
//  - Device: iPad or Tablet is a tablet, Mobi… or iPhone a phone; Android without "Mobile" is a
//    tablet, because that is how Android tablets tell themselves apart from phones.
UserAgentInfo parseUserAgent(std::string_view ua)
{
    static constexpr QByteArrayView kBrowsers[] = {"Edge", "Firefox", "Samsung Internet", "Chrome", "Safari", "other"};
    constexpr int kOther = 5;
    const auto rank = [](std::string_view word) {
        switch (word.size()) {
        case 3:
            return word == "Edg" ? 0 : kOther;
        case 4:
            return word == "EdgA" || word == "Edge" ? 0 : kOther;
        case 5:
            return word == "FxiOS" ? 1 : word == "CriOS" ? 3 : kOther;
        case 6:
            return word == "EdgiOS" ? 0 : word == "Chrome" ? 3 : word == "Safari" ? 4 : kOther;
        case 7:
            return word == "Firefox" ? 1 : kOther;
        case 14:
            return word == "SamsungBrowser" ? 2 : kOther;
        default:
            return kOther;
        }
    };
    int browser = kOther;
    bool tablet = false;
    bool mobile = false;
    bool android = false;
    for (std::size_t i = 0; i < ua.size();) {
        if (!Ascii::isAlnum(ua[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < ua.size() && Ascii::isAlnum(ua[i]))
            ++i;
        const std::string_view word = ua.substr(start, i - start);
        if (i < ua.size() && ua[i] == '/')
            browser = std::min(browser, rank(word));
        tablet |= word == "iPad" || word == "Tablet";
        mobile |= word.starts_with("Mobi") || word == "iPhone";
        android |= word == "Android";
    }
    const QByteArrayView device = tablet ? "tablet" : mobile ? "mobile" : android ? "tablet" : "desktop";
    return {kBrowsers[browser], device};
}

bool realEpochToMs(double value, qint64 &ms)
{
    if (!(value >= 0) || !std::isfinite(value))
        return false;
    double scaled = value < kSecondsBelow        ? value * 1000
                    : value < kMillisecondsBelow ? value
                    : value < kMicrosecondsBelow ? value / 1e3
                                                 : value / 1e6;
    scaled = std::round(scaled);
    if (scaled > double(kMaxEpochMs))
        return false;
    ms = qint64(scaled);
    return true;
}

bool integerEpochToMs(qint64 value, qint64 &ms)
{
    if (value < 0)
        return false;
    // Integers stay integers: a double would round ms values above 2^53, and does round ns.
    ms = value < qint64(kSecondsBelow)        ? value * 1000
         : value < qint64(kMillisecondsBelow) ? value
         : value < qint64(kMicrosecondsBelow) ? value / 1000
                                              : value / 1000000;
    return ms <= kMaxEpochMs;
}

// ISO 8601 / RFC 3339 date-time: YYYY-MM-DD[(T|t| )hh:mm[:ss[(.|,)fraction]][Z|z|±hh[[:]mm]]].
// No offset means UTC: a stream that leaves it out is almost always writing UTC. Hand-written
// because QDateTime::fromString allocates and costs microseconds, on the path of every click.
bool parseIso8601(std::string_view s, qint64 &ms)
{
    std::size_t p = 0;
    const auto number = [&](int digits, int &out) {
        if (p + std::size_t(digits) > s.size())
            return false;
        out = 0;
        for (int i = 0; i < digits; ++i, ++p) {
            if (!Ascii::isDigit(s[p]))
                return false;
            out = out * 10 + (s[p] - '0');
        }
        return true;
    };
    const auto take = [&](char c) {
        if (p < s.size() && s[p] == c) {
            ++p;
            return true;
        }
        return false;
    };
    int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
    if (!number(4, year) || !take('-') || !number(2, month) || !take('-') || !number(2, day))
        return false;
    static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] + (month == 2 && leap))
        return false;
    qint64 offsetMinutes = 0;
    if (p < s.size()) {
        if (!take('T') && !take('t') && !take(' '))
            return false;
        if (!number(2, hour) || !take(':') || !number(2, minute))
            return false;
        if (take(':')) {
            if (!number(2, second))
                return false;
            if (take('.') || take(',')) {
                int digits = 0;
                for (; p < s.size() && Ascii::isDigit(s[p]); ++p, ++digits) {
                    if (digits < 3)
                        millis = millis * 10 + (s[p] - '0');
                }
                if (digits == 0)
                    return false;
                for (; digits < 3; ++digits)
                    millis *= 10;
            }
        }
        // A leap second (:60) is accepted and lands on the next minute's first second: Unix time
        // has no leap seconds, and a click at 23:59:60 did happen.
        if (hour > 23 || minute > 59 || second > 60)
            return false;
        const bool utc = take('Z') || take('z');
        if (!utc && p < s.size() && (s[p] == '+' || s[p] == '-')) {
            const int sign = s[p++] == '-' ? -1 : 1;
            int offsetHours = 0, offsetMins = 0;
            if (!number(2, offsetHours))
                return false;
            if (p < s.size()) {
                take(':');
                if (!number(2, offsetMins))
                    return false;
            }
            if (offsetHours > 23 || offsetMins > 59)
                return false;
            offsetMinutes = sign * (offsetHours * 60 + offsetMins);
        }
        if (p != s.size())
            return false;
    }
    const qint64 seconds = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second;
    ms = seconds * 1000 + millis;
    return true;
}

// The host of a referrer URL: scheme, user info, port, path, query and fragment dropped, in one
// pass, because this runs for most clicks.
std::string_view referrerHost(std::string_view url, std::string &scratch)
{
    // A scheme is a letter, then letters, digits, '+', '-' or '.' ("android-app://…" has one).
    const auto isSchemeChar = [](char c) { return Ascii::isAlnum(c) || c == '+' || c == '-' || c == '.'; };
    std::size_t i = 0;
    if (!url.empty() && Ascii::isAlpha(url[0])) {
        while (i < url.size() && isSchemeChar(url[i]))
            ++i;
    }
    std::string_view rest = url;
    if (i > 0 && url.substr(i, 3) == "://")
        rest.remove_prefix(i + 3);
    else if (url.starts_with("//"))
        rest.remove_prefix(2);

    // The authority ends at the path, query or fragment; the same pass finds user info and
    // upper-case letters.
    std::size_t end = 0;
    std::size_t hostStart = 0;
    bool upper = false;
    for (; end < rest.size(); ++end) {
        const char c = rest[end];
        if (c == '/' || c == '?' || c == '#')
            break;
        if (c == '@')
            hostStart = end + 1;
        upper |= c >= 'A' && c <= 'Z';
    }
    rest = rest.substr(hostStart, end - hostStart);
    if (rest.starts_with('[')) {
        if (const std::size_t close = rest.find(']'); close != std::string_view::npos)
            rest = rest.substr(0, close + 1);
    } else if (const std::size_t colon = rest.rfind(':');
               colon != std::string_view::npos
               && (colon + 1 == rest.size() || Ascii::isDigits(rest.substr(colon + 1)))) {
        rest = rest.substr(0, colon);
    }
    // Host names are case-insensitive: "News.YCombinator.com" and the lower-case one are one row.
    if (!upper)
        return rest;
    scratch.assign(rest);
    for (char &c : scratch) {
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return scratch;
}

}   // namespace Clickscope
