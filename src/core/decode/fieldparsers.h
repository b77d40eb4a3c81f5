// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

#include <string>
#include <string_view>

// The pure text parsers the click decoder needs on every click: user agents, epoch numbers in
// any unit, ISO 8601 date-times, referrer hosts. No allocation, no locale, no QDateTime.
namespace Clickscope {

struct UserAgentInfo
{
    QByteArrayView browser;
    QByteArrayView device;
};

// Browser ("Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "other") and device class
// ("desktop", "mobile", "tablet") of a User-Agent string; empty views when it says nothing.
UserAgentInfo parseUserAgent(std::string_view ua);

// The latest time the parsers accept: 9999-12-31T23:59:59.999Z.
constexpr qint64 kMaxEpochMs = 253402300799999;

// Milliseconds since the epoch from a count in s, ms, µs or ns, told apart by magnitude.
bool realEpochToMs(double value, qint64 &ms);
bool integerEpochToMs(qint64 value, qint64 &ms);

// ISO 8601 / RFC 3339 date-time to milliseconds since the epoch (no offset means UTC).
bool parseIso8601(std::string_view s, qint64 &ms);

// The lower-cased host of a referrer URL ("https://News.ycombinator.com:443/item?id=1" →
// "news.ycombinator.com"), user info and port dropped; a bare host stays as it is. The result
// points into `url`, or into `scratch` when letters had to be lower-cased.
std::string_view referrerHost(std::string_view url, std::string &scratch);

}   // namespace Clickscope
